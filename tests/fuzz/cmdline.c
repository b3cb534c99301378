/*
 * Fuzz target: the whole command line as qcore's main() parses it
 * (qemu_options_parse in system/vl-options.c), without creating the
 * machine or any backend.  Corresponds to parsing QEMU's qemu_init does
 * before machine creation; QEMU has no fuzz target for it.
 *
 * Input: the arguments, one per line ('\n'), after an implied argv[0].
 *
 * Exits: bad arguments and help end the process with exit(1) or exit(0),
 * as in QEMU.  The target is linked with --wrap=exit: __wrap_exit jumps
 * back here and the next input runs.  Whatever the parser held at that
 * moment is lost, as it is to a real exit; so that LeakSanitizer does not
 * report those, each input is first parsed with leak tracking off and,
 * only when it did not exit, parsed again with tracking on.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/machine.h"
#include "qcore/monitor.h"
#include "qcore/object-interfaces.h"
#include "qcore/vl.h"
#include "fuzz.h"
#include <setjmp.h>
#ifdef CONFIG_SANITIZE_ADDRESS
#include <sanitizer/lsan_interface.h>
#else
static inline void __lsan_disable(void) {}
static inline void __lsan_enable(void) {}
#endif

static jmp_buf exit_jump;
static bool exit_armed;

void __wrap_exit(int status);
void __real_exit(int status);

void __wrap_exit(int status)
{
    if (exit_armed) {
        exit_armed = false;
        longjmp(exit_jump, 1);
    }
    __real_exit(status);
}

static void machine_help(const char *type)
{
    machine_print_help();
}

static void object_help(const char *type)
{
    user_creatable_print_help(type, true);
}

static const QemuCmdlineHooks hooks = {
    .machine_help = machine_help,
    .object_help = object_help,
};

static const char *const groups[] = {
    "name", "memory", "smp-opts", "chardev", "mon",
};

/* Parse @argv; false if the parser "exited". */
static bool parse(int argc, char **argv)
{
    static QemuCmdline cl;
    volatile bool exited = false;
    size_t i;

    memset(&cl, 0, sizeof(cl));
    if (setjmp(exit_jump)) {
        exited = true;
    } else {
        exit_armed = true;
        qemu_options_parse(argc, argv, &hooks, &cl);
        exit_armed = false;
    }
    loc_set_none();
    if (cl.machine_opts_dict) {
        qemu_cmdline_cleanup(&cl);
    }
    for (i = 0; i < G_N_ELEMENTS(groups); i++) {
        QemuOptsList *list = qemu_find_opts_err(groups[i], NULL);

        if (list) {
            qemu_opts_reset(list);
        }
    }
    return !exited;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_qcore_init();
    qemu_add_opts(&qemu_chardev_opts);
    qemu_add_opts(&qemu_mon_opts);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    g_auto(GStrv) args = g_strsplit(text, "\n", 256);
    guint n = g_strv_length(args);
    g_autofree char **argv = g_new0(char *, n + 2);
    bool ok;

    argv[0] = (char *)"qcore";
    memcpy(argv + 1, args, n * sizeof(char *));
    /* A trailing newline ends the last argument; it adds none. */
    if (n && !*args[n - 1]) {
        n--;
        argv[n + 1] = NULL;
    }

    __lsan_disable();
    ok = parse(n + 1, argv);
    __lsan_enable();
    if (ok) {
        parse(n + 1, argv);
    }
    return 0;
}
