/*
 * Shutdown requests, signal handling and the top-level loop.
 * Corresponds to QEMU's system/runstate.c (and os-posix.c for signals).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/error.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include <signal.h>

static ShutdownCause shutdown_requested;    /* atomic */
static int shutdown_signal;
static pid_t shutdown_pid;

const char *ShutdownCause_str(ShutdownCause cause)
{
    static const char *const names[SHUTDOWN_CAUSE__MAX] = {
        [SHUTDOWN_CAUSE_NONE] = "none",
        [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
        [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
        [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
        [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
        [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
        [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
        [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
        [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
        [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    };
    assert(cause < SHUTDOWN_CAUSE__MAX);
    return names[cause];
}

/* -name; main thread. */
static char *vm_name;

const char *qemu_get_vm_name(void)
{
    return vm_name;
}

void qemu_set_vm_name(const char *name)
{
    g_free(vm_name);
    vm_name = g_strdup(name);
}

void qemu_system_shutdown_request(ShutdownCause reason)
{
    qatomic_set(&shutdown_requested, reason);
    qemu_notify_event();
}

void qemu_system_killed(int signal, pid_t pid)
{
    shutdown_signal = signal;
    shutdown_pid = pid;
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

/* Runs from the main loop (signalfd), not in signal context. */
static void termsig_handler(int signal, siginfo_t *info, void *c)
{
    qemu_system_killed(info->si_signo, info->si_pid);
}

void os_setup_signal_handling(void)
{
    struct sigaction act;

    memset(&act, 0, sizeof(act));
    act.sa_sigaction = termsig_handler;
    act.sa_flags = SA_SIGINFO;
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGHUP, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
}

static void qemu_kill_report(void)
{
    g_autofree char *comm = NULL;
    g_autofree char *path = NULL;

    if (!shutdown_signal) {
        return;
    }
    if (shutdown_pid == 0) {
        /* The terminal or the kernel sent it. */
        error_report("terminating on signal %d", shutdown_signal);
        return;
    }
    path = g_strdup_printf("/proc/%d/cmdline", (int)shutdown_pid);
    if (!g_file_get_contents(path, &comm, NULL, NULL) || !comm[0]) {
        g_free(comm);
        comm = g_strdup("unknown");
    }
    error_report("terminating on signal %d from pid %d (%s)",
                 shutdown_signal, (int)shutdown_pid, comm);
}

bool main_loop_should_exit(int *status)
{
    ShutdownCause cause = qatomic_read(&shutdown_requested);

    if (cause == SHUTDOWN_CAUSE_NONE) {
        return false;
    }
    qemu_kill_report();
    *status = cause == SHUTDOWN_CAUSE_HOST_ERROR ? 1 : 0;
    return true;
}

int qemu_main_loop(void)
{
    int status = 0;

    while (!main_loop_should_exit(&status)) {
        main_loop_wait(false);
    }
    return status;
}
