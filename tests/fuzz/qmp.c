/*
 * Fuzz target: a QMP monitor fed the input as a client's bytes: the
 * streamer, the dispatcher, argument checking and every command, with a
 * virt board (harts never run) behind them.  Corresponds to QEMU's
 * tests/qtest/fuzz/ qmp use and to the monitor part of generic-fuzz.
 *
 * Each input is one client session: the monitor sees a new connection
 * (greeting, negotiation mode), the bytes arrive, the client goes away.
 * The input should start with {"execute":"qmp_capabilities"}, as the
 * seeds do; without it only negotiation mode is exercised.  quit and
 * the shutdowns are swallowed, cont starts no hart and file-writing
 * commands fail (fuzz-common.c); -objects an input made are deleted.
 *
 * Checked after every input: the next client is served.  A new session
 * negotiates and sends query-status; its answer must arrive, whatever
 * the fuzzed session did (the process keeps serving, as the house rules
 * for hostile input ask).
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
    chr = fuzz_sink_chardev("fuzz-qmp");
    monitor_register_commands();
    monitor_init_qmp(chr, false, &error_abort);
    mon = QTAILQ_LAST(&mon_list);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char probe[] =
        "{\"execute\": \"qmp_capabilities\"}\n"
        "{\"execute\": \"query-status\", \"id\": \"fuzz-probe\"}\n";
    g_autofree char *out = NULL;

    out = fuzz_monitor_sessions(chr, mon, data, size, probe);
    if (!strstr(out, "\"running\": true") || !strstr(out, "\"fuzz-probe\"")) {
        fprintf(stderr, "fuzz-qmp: the next client got:\n%s\n", out);
        abort();
    }
    return 0;
}
