/*
 * EventNotifier: a file descriptor that can be "set" from any thread and
 * polled by an event loop.  eventfd where the kernel has it, a non-blocking
 * pipe otherwise.  Corresponds to QEMU's include/qemu/event_notifier.h and
 * util/event_notifier-posix.c.
 */
#ifndef QCORE_EVENT_NOTIFIER_H
#define QCORE_EVENT_NOTIFIER_H

#include "qcore/osdep.h"

typedef struct EventNotifier {
    int rfd;
    int wfd;        /* == rfd for eventfd */
    bool initialized;
} EventNotifier;

typedef void EventNotifierHandler(EventNotifier *);

/* Returns 0 or -errno.  @active: start in the set state. */
int event_notifier_init(EventNotifier *e, int active);
/* Same, but force the pipe implementation (for tests of the fallback). */
int event_notifier_init_pipe(EventNotifier *e, int active);
void event_notifier_cleanup(EventNotifier *e);
/* Make the fd readable.  Async-signal-safe, callable from any thread. */
int event_notifier_set(EventNotifier *e);
/* Consume the set state; returns whether it was set. */
int event_notifier_test_and_clear(EventNotifier *e);
int event_notifier_get_fd(const EventNotifier *e);
int event_notifier_get_wfd(const EventNotifier *e);

#endif
