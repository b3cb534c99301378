/*
 * human-monitor-command (qapi/misc.json): one HMP line on a monitor
 * without chardev, its output as the answer.  Built into the system
 * library: cpu-index picks HMP's CPU, which hmp-cmds-target.c keeps.
 * Corresponds to qmp_human_monitor_command in QEMU's monitor/qmp-cmds.c.
 */
#include "qcore/osdep.h"
#include "monitor-internal.h"

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp)
{
    MonitorHMP hmp = { 0 };
    char *output;
    int old_cpu = 0;

    if (has_cpu_index) {
        if (cpu_index < 0 || cpu_index > INT_MAX ||
            !monitor_cpu_valid(cpu_index)) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
        /* For this command only, as QEMU's monitor_set_cpu on a temp. */
        old_cpu = monitor_set_cpu(cpu_index);
    }
    /* A monitor without chardev: the output stays in its buffer. */
    monitor_data_init(&hmp.common, false, true);
    handle_hmp_command(&hmp, command_line);
    output = g_strdup(hmp.common.outbuf->str);
    monitor_data_destroy(&hmp.common);
    if (has_cpu_index) {
        monitor_set_cpu(old_cpu);
    }
    return output;
}
