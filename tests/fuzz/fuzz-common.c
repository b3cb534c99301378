/*
 * The harness every fuzz target links: qcore set up once per process, a
 * virt board whose harts never run, and the side effects fuzz input must
 * not have, neutralised at link time.  Corresponds to QEMU's
 * tests/qtest/fuzz/fuzz.c (which forks a whole QEMU instead).
 *
 * Neutralising: the fuzz executables are linked with ld's --wrap for the
 * functions below, so every call from qcore's library lands in the
 * __wrap_ version here and qcore's own sources stay unchanged:
 *  - shutdown requests (quit, system_powerdown's guest-less shutdown,
 *    sifive_test's finisher) are counted, not acted on: the process goes
 *    on with the next input;
 *  - resume_all_vcpus starts the virtual clock but no hart, so "cont"
 *    never runs guest code (there is none; it would spin on traps);
 *  - the commands that write files (pmemsave, memsave, dumpdtb, in QMP
 *    and HMP) fail with an error, so no input writes a file anywhere.
 *    (Not fopen itself: qcore's calls are fopen64 under meson's
 *    _FILE_OFFSET_BITS=64, and libFuzzer, linked into the same
 *    executable, writes its corpus and crash files with fopen.)
 */
#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/machine.h"
#include "qapi/qapi-commands.h"
#include "qcore/main-loop.h"
#include "qcore/module.h"
#include "qcore/object-interfaces.h"
#include "qcore/qtest.h"
#include "qcore/monitor.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include "monitor-internal.h"
#include "fuzz.h"

unsigned fuzz_shutdown_requests;

/* ---- Link-time neutralisers (see the top of the file) ------------------ */

void __wrap_qemu_system_shutdown_request(ShutdownCause reason);
void __wrap_qemu_system_shutdown_request_with_code(ShutdownCause reason,
                                                   int exit_code);
void __wrap_resume_all_vcpus(void);
void __wrap_qmp_dumpdtb(const char *filename, Error **errp);
void __wrap_qmp_pmemsave(int64_t addr, int64_t size, const char *filename,
                         Error **errp);
void __wrap_qmp_memsave(int64_t addr, int64_t size, const char *filename,
                        bool has_cpu, int64_t cpu_index, Error **errp);

void __wrap_qemu_system_shutdown_request(ShutdownCause reason)
{
    fuzz_shutdown_requests++;
}

void __wrap_qemu_system_shutdown_request_with_code(ShutdownCause reason,
                                                   int exit_code)
{
    fuzz_shutdown_requests++;
}

void __wrap_resume_all_vcpus(void)
{
    qemu_clock_enable(QEMU_CLOCK_VIRTUAL, true);
}

void __wrap_qmp_dumpdtb(const char *filename, Error **errp)
{
    error_setg(errp, "fuzzing: '%s' not written", filename);
}

void __wrap_qmp_pmemsave(int64_t addr, int64_t size, const char *filename,
                         Error **errp)
{
    error_setg(errp, "fuzzing: '%s' not written", filename);
}

void __wrap_qmp_memsave(int64_t addr, int64_t size, const char *filename,
                        bool has_cpu, int64_t cpu_index, Error **errp)
{
    error_setg(errp, "fuzzing: '%s' not written", filename);
}

/* ---- Set-up ------------------------------------------------------------ */

void fuzz_qcore_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    g_set_prgname("qcore");
    module_call_init(MODULE_INIT_QOM);
    bql_lock();
    qemu_init_main_loop(&error_abort);
}

/* One board per process, whichever of the two asks first. */
static void virt_machine_init(bool qtest)
{
    static bool done;
    g_autoptr(QDict) opts = qdict_new();
    MachineState *ms;

    if (done) {
        return;
    }
    done = true;
    fuzz_qcore_init();
    if (qtest) {
        qtest_accel_init();     /* before the board makes timers and harts */
    }
    g_assert_nonnull(qemu_chr_new("serial0", "null", NULL));
    ms = MACHINE(qemu_create_machine("virt", &error_abort));
    qdict_put_str(opts, "firmware", "none");
    g_assert_true(machine_apply_options(ms, opts, 16 << 20, NULL,
                                        &error_abort));
    if (qtest) {
        g_autoptr(QDict) edu = qdict_new();

        qdict_put_str(edu, "driver", "edu");
        g_assert_true(machine_add_device_opts(ms, edu, &error_abort));
    }
    g_assert_true(machine_run_board_init(ms, &error_abort));
    vm_start();
}

void fuzz_virt_machine_init(void)
{
    virt_machine_init(false);
}

void fuzz_virt_qtest_init(void)
{
    virt_machine_init(true);
}

Chardev *fuzz_sink_chardev(const char *label)
{
    g_autofree char *spec = g_strdup_printf("ringbuf,id=%s,size=%d", label,
                                            FUZZ_SINK_SIZE);
    QemuOpts *opts = qemu_opts_parse(&qemu_chardev_opts, spec, true,
                                     &error_abort);
    Chardev *chr = qemu_chr_new_from_opts(opts, NULL, &error_abort);

    qemu_opts_del(opts);
    return chr;
}

char *fuzz_sink_take(Chardev *chr)
{
    return ringbuf_read_str(chr->label, FUZZ_SINK_SIZE, false, &error_abort);
}

void fuzz_chr_feed(Chardev *chr, const uint8_t *data, size_t size)
{
    while (size) {
        int n = qemu_chr_be_can_write(chr);

        if (n <= 0) {
            /* Let the loop run what the frontend waits for, once. */
            main_loop_wait(true);
            n = qemu_chr_be_can_write(chr);
            if (n <= 0) {
                return;
            }
        }
        n = MIN((size_t)n, size);
        qemu_chr_be_write(chr, data, n);
        data += n;
        size -= n;
    }
}

void fuzz_settle(void)
{
    int status;

    /* Bottom halves and ready fds first: they may request a reset. */
    main_loop_wait(true);
    main_loop_should_exit(&status);
    user_creatable_cleanup();
    main_loop_wait(true);
    if (!runstate_is_running()) {
        vm_start();
    }
}

static void monitor_session(Chardev *chr, Monitor *mon, const uint8_t *data,
                            size_t size)
{
    qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    fuzz_chr_feed(chr, data, size);
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
    fuzz_settle();
    /* quit leaves the monitor suspended for the exit that never comes. */
    while (mon->suspend_cnt) {
        monitor_resume(mon);
    }
}

char *fuzz_monitor_sessions(Chardev *chr, Monitor *mon, const uint8_t *data,
                            size_t size, const char *probe)
{
    monitor_session(chr, mon, data, size);
    g_free(fuzz_sink_take(chr));
    monitor_session(chr, mon, (const uint8_t *)probe, strlen(probe));
    return fuzz_sink_take(chr);
}
