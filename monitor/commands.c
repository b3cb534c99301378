/*
 * Hands qcore's commands to the monitor: every QMP command of the schema
 * (the generated qmp_init_marshal()) and the HMP table (hmp-cmds.c).
 * Built into the system library, with the commands.  QEMU's
 * monitor_init_qmp_commands() in monitor/misc.c.
 */
#include "qcore/osdep.h"
#include "qcore/monitor.h"
#include "qapi/qapi-commands.h"
#include "monitor-internal.h"

void monitor_register_commands(void)
{
    qmp_init_marshal(&qmp_commands);
    hmp_register_commands(hmp_cmds);
}
