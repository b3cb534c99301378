/*
 * Run state, shutdown/reset/powerdown requests, signal handling and the
 * top-level loop.  Corresponds to QEMU's system/runstate.c (vm_start and
 * vm_stop from system/cpus.c, signals from os-posix.c).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/block.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/error.h"
#include "qcore/main-loop.h"
#include "qapi/qapi-events.h"
#include "qcore/runstate.h"
#include <signal.h>

/* Main thread, BQL. */
static RunState current_run_state = RUN_STATE_PRELAUNCH;

/* Requests: written by any thread, consumed by the main loop. */
static ShutdownCause shutdown_requested;    /* atomic */
/* Exit status for the shutdown; published by shutdown_requested. */
static int shutdown_exit_code;              /* atomic */
static ShutdownCause reset_requested;       /* atomic */
static bool powerdown_requested;            /* atomic */
static bool debug_requested;                /* atomic */

typedef struct VMChangeStateEntry {
    VMChangeStateHandler *cb;
    void *opaque;
} VMChangeStateEntry;
/* BQL. */
static GArray *vm_change_state_handlers;
static int shutdown_signal;
static pid_t shutdown_pid;

typedef struct QEMUResetEntry {
    QTAILQ_ENTRY(QEMUResetEntry) entry;
    QEMUResetHandler *func;
    void *opaque;
} QEMUResetEntry;

/* BQL. */
static QTAILQ_HEAD(, QEMUResetEntry) reset_handlers =
    QTAILQ_HEAD_INITIALIZER(reset_handlers);

RunState runstate_get(void)
{
    return current_run_state;
}

bool runstate_check(RunState state)
{
    return current_run_state == state;
}

bool runstate_is_running(void)
{
    return runstate_check(RUN_STATE_RUNNING);
}

static bool runstate_valid_transition(RunState from, RunState to)
{
    if (to == RUN_STATE_SHUTDOWN || from == to) {
        return true;
    }
    switch (from) {
    case RUN_STATE_PRELAUNCH:
    case RUN_STATE_PAUSED:
        return to == RUN_STATE_RUNNING || to == RUN_STATE_PAUSED;
    case RUN_STATE_RUNNING:
        return to == RUN_STATE_PAUSED || to == RUN_STATE_DEBUG ||
               to == RUN_STATE_IO_ERROR;
    case RUN_STATE_IO_ERROR:
        /* werror/rerror=stop: "cont" retries, "stop" keeps it stopped. */
        return to == RUN_STATE_RUNNING || to == RUN_STATE_PAUSED;
    case RUN_STATE_DEBUG:
        return to == RUN_STATE_RUNNING;
    default:
        return false;
    }
}

void runstate_set(RunState new_state)
{
    assert_bql_held();
    if (!runstate_valid_transition(current_run_state, new_state)) {
        error_report("invalid runstate transition: '%s' -> '%s'",
                     RunState_str(current_run_state), RunState_str(new_state));
        abort();
    }
    current_run_state = new_state;
}

void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                      void *opaque)
{
    VMChangeStateEntry e = { cb, opaque };

    if (!vm_change_state_handlers) {
        vm_change_state_handlers = g_array_new(false, false, sizeof(e));
    }
    g_array_append_val(vm_change_state_handlers, e);
}

static void vm_state_notify(bool running, RunState state)
{
    guint i;

    for (i = 0; vm_change_state_handlers &&
                i < vm_change_state_handlers->len; i++) {
        VMChangeStateEntry *e = &g_array_index(vm_change_state_handlers,
                                               VMChangeStateEntry, i);
        e->cb(e->opaque, running, state);
    }
}

bool vm_start_cpus(bool (*filter)(CPUState *cpu, void *opaque),
                   void *opaque)
{
    if (runstate_is_running()) {
        return false;
    }
    cpu_enable_ticks();
    runstate_set(RUN_STATE_RUNNING);
    vm_state_notify(true, RUN_STATE_RUNNING);
    resume_vcpus(filter, opaque);
    qapi_event_send_resume();
    return true;
}

bool vm_start(void)
{
    return vm_start_cpus(NULL, NULL);
}

static void do_vm_stop(RunState state, bool send_stop)
{
    if (!runstate_is_running()) {
        /* QEMU still records the new state (e.g. paused -> shutdown). */
        if (state == RUN_STATE_SHUTDOWN) {
            runstate_set(state);
        }
        return;
    }
    /* Time stops first, so no hart sees it move while the others stop. */
    cpu_disable_ticks();
    pause_all_vcpus();
    runstate_set(state);
    vm_state_notify(false, state);
    /*
     * As QEMU's do_vm_stop: nothing in flight and every acknowledged
     * write on stable storage once the VM is stopped.
     */
    bdrv_drain_all();
    bdrv_flush_all();
    if (send_stop) {
        qapi_event_send_stop();
    }
}

void vm_stop(RunState state)
{
    do_vm_stop(state, true);
}

void vm_shutdown(void)
{
    do_vm_stop(RUN_STATE_SHUTDOWN, false);
}

/* ---- requests ----------------------------------------------------------- */

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

void qemu_system_shutdown_request_with_code(ShutdownCause reason,
                                            int exit_code)
{
    qatomic_set(&shutdown_exit_code, exit_code);
    /* Pairs with the load-acquire in main_loop_should_exit. */
    qatomic_store_release(&shutdown_requested, reason);
    qemu_notify_event();
}

void qemu_system_shutdown_request(ShutdownCause reason)
{
    qemu_system_shutdown_request_with_code(reason, 0);
}

/* The mux's Ctrl-A x is QEMU's qmp_quit(): SHUTDOWN says host-qmp-quit. */
static void runstate_mux_quit(void)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

/* Wherever the shutdown request is linked in, Ctrl-A x reaches it. */
static void __attribute__((constructor)) runstate_install_hooks(void)
{
    qemu_chr_set_mux_quit_hook(runstate_mux_quit);
}

void qemu_system_debug_request(void)
{
    qatomic_set(&debug_requested, true);
    qemu_notify_event();
}

void qemu_system_reset_request(ShutdownCause reason)
{
    qatomic_set(&reset_requested, reason);
    qemu_notify_event();
}

void qemu_system_powerdown_request(void)
{
    qatomic_set(&powerdown_requested, true);
    qemu_notify_event();
}

void qemu_system_killed(int signal, pid_t pid)
{
    shutdown_signal = signal;
    shutdown_pid = pid;
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    QEMUResetEntry *re = g_new0(QEMUResetEntry, 1);

    re->func = func;
    re->opaque = opaque;
    QTAILQ_INSERT_TAIL(&reset_handlers, re, entry);
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    QEMUResetEntry *re;

    QTAILQ_FOREACH(re, &reset_handlers, entry) {
        if (re->func == func && re->opaque == opaque) {
            QTAILQ_REMOVE(&reset_handlers, re, entry);
            g_free(re);
            return;
        }
    }
}

static void qemu_system_reset(ShutdownCause reason)
{
    QEMUResetEntry *re, *next;

    /* Devices reset with no request in flight and none starting. */
    bdrv_drain_all_begin();
    QTAILQ_FOREACH_SAFE(re, &reset_handlers, entry, next) {
        re->func(re->opaque);
    }
    bdrv_drain_all_end();
    qapi_event_send_reset(shutdown_caused_by_guest(reason), reason);
}

/* ---- signals ------------------------------------------------------------ */

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
    /* A peer that closes its socket must not kill us. */
    signal(SIGPIPE, SIG_IGN);
}

static void qemu_kill_report(void)
{
    g_autofree char *comm = NULL;
    g_autofree char *path = NULL;
    gsize len = 0;

    if (!shutdown_signal) {
        return;
    }
    if (shutdown_pid == 0) {
        /* The terminal or the kernel sent it. */
        error_report("terminating on signal %d", shutdown_signal);
        return;
    }
    path = g_strdup_printf("/proc/%d/cmdline", (int)shutdown_pid);
    if (!g_file_get_contents(path, &comm, &len, NULL) || !len) {
        g_free(comm);
        comm = g_strdup("unknown");
    }
    error_report("terminating on signal %d from pid %d (%s)",
                 shutdown_signal, (int)shutdown_pid, comm);
}

bool main_loop_should_exit(int *status)
{
    ShutdownCause cause;

    assert_bql_held();
    if (qatomic_xchg(&debug_requested, false)) {
        vm_stop(RUN_STATE_DEBUG);
    }
    if (qatomic_xchg(&powerdown_requested, false)) {
        qapi_event_send_powerdown();
    }
    cause = qatomic_xchg(&reset_requested, SHUTDOWN_CAUSE_NONE);
    if (cause != SHUTDOWN_CAUSE_NONE) {
        /* Reset handlers may touch CPU state: only with every hart out. */
        pause_all_vcpus();
        qemu_system_reset(cause);
        if (runstate_is_running()) {
            resume_all_vcpus();
        }
    }

    /* Pairs with the store-release in the request: the code is set. */
    cause = qatomic_load_acquire(&shutdown_requested);
    if (cause == SHUTDOWN_CAUSE_NONE) {
        return false;
    }
    qemu_kill_report();
    qapi_event_send_shutdown(shutdown_caused_by_guest(cause), cause);
    /* SHUTDOWN says it all: QEMU sends no STOP when it exits. */
    vm_shutdown();
    *status = cause == SHUTDOWN_CAUSE_HOST_ERROR
              ? 1 : qatomic_read(&shutdown_exit_code);
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

