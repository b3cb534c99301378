/*
 * qtest: a test program drives the machine's devices over a chardev with
 * a line protocol (memory reads and writes, virtual clock steps, interrupt
 * lines), while no vCPU runs guest code.  Corresponds to QEMU's
 * include/sysemu/qtest.h, system/qtest.c and accel/qtest/qtest.c.  The
 * protocol is described in docs/qtest.md.
 *
 * Everything here: main thread, BQL held.
 */
#ifndef QCORE_QTEST_H
#define QCORE_QTEST_H

#include "qcore/osdep.h"
#include "qcore/error.h"

/* Whether the qtest accelerator is in use (-accel qtest, or -qtest). */
bool qtest_enabled(void);

/*
 * Install the qtest accelerator: vCPU threads that never run guest code
 * and a virtual clock that starts at 0 and moves only on clock_step and
 * clock_set.  Call before the board is built.
 */
void qtest_accel_init(void);

/*
 * Serve the protocol on the chardev @spec ("unix:PATH", "stdio",
 * "chardev:ID", any -serial style spec), logging every command and
 * answer to @log ("none": no log; NULL or "-": stderr, as QEMU does
 * without -qtest-log; else a file name).  Errors: the chardev's, or the log file's.
 */
bool qtest_server_init(const char *spec, const char *log, Error **errp);

/*
 * Run one protocol command in-process (@line without its newline) and
 * return its answer lines ("" for an empty line), to g_free().  For a
 * harness in the same process, as QEMU's generic-fuzz uses
 * qtest_server_inproc_recv: no chardev, no log, no IRQ reports.
 */
char *qtest_inproc_command(const char *line);

/*
 * The qtest virtual clock back to 0, for an in-process harness that
 * resets the board between cases (not part of the protocol: the clock
 * of a served qtest never goes back).  Reset the board right after.
 */
void qtest_clock_reset(void);

#endif
