/*
 * Hands qcore's command tables (qmp-cmds.c, hmp-cmds.c) to the monitor's
 * dispatchers.  Built into the system library with the tables; QEMU's
 * monitor_init_qmp_commands() in monitor/misc.c (and qmp_init_marshal).
 */
#include "qcore/osdep.h"
#include "qcore/monitor.h"
#include "monitor-internal.h"

void monitor_register_commands(void)
{
    qmp_register_commands(qmp_commands);
    hmp_register_commands(hmp_cmds);
}
