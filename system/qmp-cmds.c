/*
 * The run-state commands of qapi/run-state.json: query-status, stop,
 * cont, system_reset, system_powerdown, quit.  Corresponds to the same
 * functions in QEMU's monitor/qmp-cmds.c; here they sit with the layer
 * they drive (system/runstate.c).  Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/block-backend.h"
#include "qcore/error.h"
#include "qcore/runstate.h"
#include "qapi/qapi-commands.h"

StatusInfo *qmp_query_status(Error **errp)
{
    StatusInfo *info = g_new0(StatusInfo, 1);

    info->running = runstate_is_running();
    /* Deprecated in QEMU 8.1, still reported by 8.2. */
    info->singlestep = false;
    info->status = runstate_get();
    return info;
}

void qmp_stop(Error **errp)
{
    vm_stop(RUN_STATE_PAUSED);
}

void qmp_cont(Error **errp)
{
    if (runstate_check(RUN_STATE_SHUTDOWN)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    /* As QEMU: a retry after werror=stop starts with a clean status. */
    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        blk_iostatus_reset(blk);
    }
    vm_start();
}

void qmp_system_reset(Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(Error **errp)
{
    qemu_system_powerdown_request();
}

void qmp_quit(Error **errp)
{
    /*
     * Only a request: the answer is queued when we return, the main loop
     * then emits SHUTDOWN and exits, and monitor_cleanup() writes both.
     */
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}
