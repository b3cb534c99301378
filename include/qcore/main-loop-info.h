/*
 * x-query-main-loop: the live sources and fds of the main loop and of
 * every IOThread, for people learning how QEMU's loops are put together.
 * Not in QEMU (the nearest is reading util/main-loop.c in gdb).
 * Main thread, BQL held.
 */
#ifndef QCORE_MAIN_LOOP_INFO_H
#define QCORE_MAIN_LOOP_INFO_H

#include "qcore/qobject.h"
#include "qcore/error.h"

/*
 * qmp_x_query_main_loop() (x-query-main-loop, qapi/misc.json) answers:
 * {"iterations": N,
 *  "contexts": [{"name", "thread", "thread-id", "priority", "fdmon",
 *                "epoll-fd"?, "poll-count", "dispatch-count",
 *                "bh-dispatch-count", "timer-deadline-ns",
 *                "handlers": [{"fd", "target", "events": ["in", "out"],
 *                              "io-poll", "handler", "dispatch-count"}]}],
 *  "glib-poll-fds": [{"fd", "target", "events", "owner"}]}
 */

#endif
