/*
 * The VM's run state (prelaunch, running, paused, shutdown), the requests
 * that change it, and the top-level loop that honours them.
 * Corresponds to QEMU's include/sysemu/runstate.h and system/runstate.c
 * (plus vm_start/vm_stop from system/cpus.c).
 *
 * Everything here runs in the main thread with the BQL held, except the
 * *_request functions, which any thread may call: they only record the
 * request and wake the main loop, which acts on it.
 */
#ifndef QCORE_RUNSTATE_H
#define QCORE_RUNSTATE_H

#include "qcore/osdep.h"
#include <sys/types.h>
#include "qapi/qapi-types.h"

typedef struct CPUState CPUState;

/*
 * RunState, ShutdownCause and their _str() come from qapi/run-state.json
 * (qapi/qapi-types.h).  qcore reaches debug, prelaunch, running, paused
 * and shutdown.
 */
static inline bool shutdown_caused_by_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause != SHUTDOWN_CAUSE_SNAPSHOT_LOAD;
}

RunState runstate_get(void);
bool runstate_is_running(void);
bool runstate_check(RunState state);
/* Change state; the transition must be one QEMU allows (asserted). */
void runstate_set(RunState new_state);

/*
 * Start (from prelaunch or paused) or resume the VM: virtual time runs
 * again and RESUME is emitted.  Returns false if already running.
 */
bool vm_start(void);
/*
 * Stop the VM into @state (RUN_STATE_PAUSED for "stop"): virtual time
 * stops and STOP is emitted.  No-op if not running.
 */
void vm_stop(RunState state);
/*
 * Stop the VM for good on the way out: as vm_stop(RUN_STATE_SHUTDOWN) but
 * without the STOP event, as QEMU's vm_shutdown.  BQL.
 */
void vm_shutdown(void);

/*
 * vm_start and vm_stop call these, in registration order, once the new
 * state holds (QEMU's qemu_add_vm_change_state_handler).  BQL.
 */
typedef void VMChangeStateHandler(void *opaque, bool running,
                                  RunState state);
void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                      void *opaque);

/*
 * vm_start resuming only the CPUs @filter accepts (the gdbstub's vCont);
 * the others stay stopped.  @filter NULL: all, which is vm_start.
 */
bool vm_start_cpus(bool (*filter)(CPUState *cpu, void *opaque),
                   void *opaque);

/* -name: the VM's name, NULL when none was given. */
const char *qemu_get_vm_name(void);
void qemu_set_vm_name(const char *name);

/* ---- requests, any thread ------------------------------------------- */
/* Ask the main loop to exit (SHUTDOWN event with this cause). */
void qemu_system_shutdown_request(ShutdownCause reason);
/*
 * The same, and make main_loop_should_exit (so the process) return
 * @exit_code: sifive_test's "(code << 16) | 0x3333".  The last request
 * before the main loop acts wins; a host-error shutdown still gives 1.
 */
void qemu_system_shutdown_request_with_code(ShutdownCause reason,
                                            int exit_code);
/*
 * A vCPU stopped for the debugger: the main loop stops the VM into
 * RUN_STATE_DEBUG (and the gdbstub reports why).
 */
void qemu_system_debug_request(void);
/* Reset the machine (RESET event); qemu_register_reset handlers run. */
void qemu_system_reset_request(ShutdownCause reason);
/* Ask the guest to power down (POWERDOWN event; no guest yet). */
void qemu_system_powerdown_request(void);
/* Record that signal @signal from @pid asked us to terminate. */
void qemu_system_killed(int signal, pid_t pid);

/* Handlers run, in registration order, on every system reset. */
typedef void QEMUResetHandler(void *opaque);
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);

/*
 * Route SIGTERM, SIGINT and SIGHUP to qemu_system_killed.  They arrive
 * through the main loop's signalfd, so the handler runs synchronously.
 */
void os_setup_signal_handling(void);

/*
 * Main thread: act on pending requests (emitting their events); true
 * once shutdown was requested, with the exit status in *status.
 */
bool main_loop_should_exit(int *status);
/* Run main_loop_wait until shutdown; returns the exit status. */
int qemu_main_loop(void);

#endif
