/*
 * Shutdown requests and the top-level loop that honours them.
 * Corresponds to QEMU's include/sysemu/runstate.h and system/runstate.c.
 */
#ifndef QCORE_RUNSTATE_H
#define QCORE_RUNSTATE_H

#include "qcore/osdep.h"
#include <sys/types.h>

/* Why the process is shutting down; QMP's ShutdownCause values. */
typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE__MAX,
} ShutdownCause;

/* "host-signal", "guest-shutdown", ... */
const char *ShutdownCause_str(ShutdownCause cause);

/* Ask the main loop to exit.  Any thread. */
void qemu_system_shutdown_request(ShutdownCause reason);
/* Record that signal @signal from @pid asked us to terminate. */
void qemu_system_killed(int signal, pid_t pid);
/*
 * Route SIGTERM, SIGINT and SIGHUP to qemu_system_killed.  They arrive
 * through the main loop's signalfd, so the handler runs synchronously.
 */
void os_setup_signal_handling(void);

/* Main thread: true once a shutdown was requested; reports it. */
bool main_loop_should_exit(int *status);
/* Run main_loop_wait until shutdown; returns the exit status. */
int qemu_main_loop(void);

#endif
