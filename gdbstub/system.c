/*
 * The gdbstub's system half: the "gdb" chardev (-s, -gdb), stopping and
 * resuming the VM for gdb, the stop replies a vm-state change sends, and
 * the end of the process ("W", "k").  Corresponds to QEMU's
 * gdbstub/softmmu.c (gdbserver_start, gdb_vm_state_change, gdb_chr_*).
 * See docs/gdbstub.md.
 *
 * Threading: the chardev callbacks and the vm-state hook run in the main
 * thread with the BQL; gdb_set_stop_cpu is called by the vCPU thread that
 * stopped, with the BQL.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/gdbstub.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include "internals.h"

GDBState gdbserver_state;

CPUState *first_cpu_or_null(void)
{
    return QTAILQ_FIRST(&cpus_queue);
}
/* ---- stopping and resuming ----------------------------------------- */

void gdb_set_stop_cpu(CPUState *cpu)
{
    if (!gdbserver_state.connected) {
        return;
    }
    gdbserver_state.c_cpu = cpu;
    gdbserver_state.g_cpu = cpu;
}

void single_step_off(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu_single_step(cpu, false);
    }
}

/*
 * The VM stopped: if gdb waits for it, say why.  A breakpoint or step is
 * SIGTRAP (with the watchpoint, if one was hit), a "stop" or Ctrl-C
 * SIGINT, as QEMU's gdb_vm_state_change.
 */
static void gdb_vm_state_change(void *opaque, bool running, RunState state)
{
    GDBState *s = &gdbserver_state;
    g_autoptr(GString) buf = g_string_new(NULL);
    CPUState *cpu = s->c_cpu;
    int sig;

    /* A shutdown is told by gdb_exit's "W" packet, as in QEMU. */
    if (running || !s->connected || !s->resumed || !cpu ||
        state == RUN_STATE_SHUTDOWN) {
        return;
    }
    s->resumed = false;
    switch (state) {
    case RUN_STATE_DEBUG:
        sig = GDB_SIGNAL_TRAP;
        break;
    case RUN_STATE_PAUSED:
        sig = GDB_SIGNAL_INT;
        break;
    default:
        sig = GDB_SIGNAL_UNKNOWN;
        break;
    }
    g_string_printf(buf, "T%02xthread:", sig);
    append_thread_id(buf, cpu);
    g_string_append_c(buf, ';');
    if (state == RUN_STATE_DEBUG && cpu->watchpoint_hit) {
        CPUWatchpoint *wp = cpu->watchpoint_hit;
        int type = wp->flags & BP_MEM_ACCESS;

        g_string_append_printf(buf, "%swatch:%016" PRIx64 ";",
                               type == BP_MEM_READ ? "r" :
                               type == BP_MEM_ACCESS ? "a" : "",
                               wp->vaddr);
        cpu->watchpoint_hit = NULL;
    }
    put_packet(buf->str);
    single_step_off();
}

void gdb_continue(void)
{
    gdbserver_state.resumed = true;
    /* A VM that must be reset first stays stopped (QEMU's check). */
    if (!runstate_check(RUN_STATE_SHUTDOWN)) {
        vm_start();
    }
}

/* vCont: per-CPU action, 0 for none (the CPU stays stopped). */
static bool vcont_filter(CPUState *cpu, void *opaque)
{
    const char *actions = opaque;

    return actions[cpu->cpu_index] != 0;
}

void gdb_continue_partial(const char *actions)
{
    gdbserver_state.resumed = true;
    if (!runstate_check(RUN_STATE_SHUTDOWN)) {
        vm_start_cpus(vcont_filter, (void *)actions);
    }
}

static void remove_all_debug_on_cpu(CPUState *cpu, void *opaque)
{
    cpu_breakpoint_remove_all(cpu, BP_GDB);
    cpu_watchpoint_remove_all(cpu, BP_GDB);
    cpu->watchpoint_hit = NULL;
    cpu_single_step(cpu, false);
}

void gdb_remove_all_debug(void)
{
    CPUState *cpu;

    /*
     * In the CPU's own thread: gdb may hang up while the guest runs, and
     * a running CPU's caches are its own (run_on_cpu also serves a
     * stopped CPU).
     */
    CPU_FOREACH(cpu) {
        run_on_cpu(cpu, remove_all_debug_on_cpu, NULL);
    }
}

void gdb_kill_now(void)
{
    error_report("QEMU: Terminated via GDBstub");
    exit(0);
}

void gdb_kill(void)
{
    gdbserver_state.kill_pending = true;
}

static int gdb_chr_can_receive(void *opaque)
{
    return MAX_PACKET_LENGTH;
}

static void gdb_chr_receive(void *opaque, const uint8_t *buf, int size)
{
    int i;

    for (i = 0; i < size; i++) {
        gdb_read_byte(buf[i]);
    }
}

static void gdb_chr_event(void *opaque, QEMUChrEvent event)
{
    GDBState *s = &gdbserver_state;

    switch (event) {
    case CHR_EVENT_OPENED:
        /* A debugger arrived: the VM stops for it (QEMU). */
        s->connected = true;
        s->resumed = false;
        s->multiprocess = false;
        s->state = RS_IDLE;
        s->c_cpu = s->g_cpu = first_cpu_or_null();
        vm_stop(RUN_STATE_PAUSED);
        break;
    case CHR_EVENT_CLOSED:
        if (s->kill_pending) {
            gdb_kill_now();
        }
        /*
         * Gone without "detach": QEMU leaves its breakpoints armed (and a
         * guest that hits one stops with nobody to tell); we drop them.
         */
        s->connected = false;
        s->resumed = false;
        s->state = RS_IDLE;
        gdb_remove_all_debug();
        break;
    default:
        break;
    }
}

bool gdbserver_start(const char *device)
{
    g_autofree char *spec = NULL;
    Chardev *chr;

    assert_bql_held();
    if (!first_cpu_or_null()) {
        error_report("gdbstub: meaningless to attach gdb to a machine "
                     "without any CPU.");
        return false;
    }
    if (!strcmp(device, "none")) {
        return true;
    }
    if (g_str_has_prefix(device, "tcp:")) {
        /* What gdb needs of the socket, as QEMU enforces it. */
        spec = g_strdup_printf("%s,wait=off,nodelay=on,server=on", device);
        device = spec;
    }
    chr = qemu_chr_new("gdb", device, NULL);
    if (!chr) {
        return false;
    }
    gdbserver_state.last_packet = g_string_new(NULL);
    gdbserver_state.state = RS_IDLE;
    if (!qemu_chr_fe_init(&gdbserver_state.chr, chr, &error_fatal)) {
        return false;
    }
    qemu_chr_fe_set_handlers(&gdbserver_state.chr, gdb_chr_can_receive,
                             gdb_chr_receive, gdb_chr_event, NULL, NULL,
                             NULL, true);
    qemu_add_vm_change_state_handler(gdb_vm_state_change, NULL);
    return true;
}

static void gdb_exit_deadline(void *opaque)
{
    *(bool *)opaque = true;
}

void gdb_exit(int code)
{
    GDBState *s = &gdbserver_state;
    bool expired = false;
    QEMUTimer *deadline;
    char buf[4];

    if (!s->connected) {
        return;
    }
    snprintf(buf, sizeof(buf), "W%02x", (uint8_t)code);
    put_packet(buf);
    /*
     * Let gdb read it and ack it before the socket closes (a closed
     * socket under its ack reads to gdb as an error), for a second at
     * most: the same bound as the monitors' last words.
     */
    deadline = timer_new_ms(QEMU_CLOCK_REALTIME, gdb_exit_deadline, &expired);
    timer_mod(deadline, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1000);
    while (!expired && s->connected && s->last_packet->len) {
        main_loop_wait(false);
    }
    timer_free(deadline);
    s->connected = false;
}

