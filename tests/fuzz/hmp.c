/*
 * Fuzz target: an HMP monitor with its line editor, fed the input as
 * typed keys: readline (escape sequences, history, completion), the
 * command parser and every command, on a virt board whose harts never
 * run.  Corresponds to QEMU's monitor/hmp.c as reached by a user; QEMU
 * has no fuzz target for it.
 *
 * Each input is one session (the chardev opens: banner and prompt).
 * quit and the shutdowns are swallowed, cont starts no hart, pmemsave
 * and friends cannot write files (fuzz-common.c); objects made by
 * object_add are deleted after each input.
 *
 * Checked after every input: the next session is served ("info status"
 * answers), whatever the fuzzed one typed.
 */
#include "qcore/osdep.h"
#include "qcore/monitor.h"
#include "monitor-internal.h"
#include "fuzz.h"

static Chardev *chr;
static Monitor *mon;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_virt_machine_init();
    chr = fuzz_sink_chardev("fuzz-hmp");
    monitor_register_commands();
    monitor_init_hmp(chr, true, &error_abort);
    mon = QTAILQ_LAST(&mon_list);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char probe[] = "info status\r";
    g_autofree char *out = NULL;

    out = fuzz_monitor_sessions(chr, mon, data, size, probe);
    if (!strstr(out, "VM status: running")) {
        fprintf(stderr, "fuzz-hmp: the next session got:\n%s\n", out);
        abort();
    }
    return 0;
}
