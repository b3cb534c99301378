/*
 * Typed senders for qcore's QMP events.  Corresponds to the qapi-events
 * code QEMU generates from qapi/run-state.json.
 */
#include "qcore/osdep.h"
#include "qcore/qapi-events.h"

void qapi_event_send_stop(void)
{
    monitor_qapi_event_emit("STOP", NULL);
}

void qapi_event_send_resume(void)
{
    monitor_qapi_event_emit("RESUME", NULL);
}

static QDict *guest_reason(bool guest, ShutdownCause reason)
{
    QDict *data = qdict_new();

    qdict_put_bool(data, "guest", guest);
    qdict_put_str(data, "reason", ShutdownCause_str(reason));
    return data;
}

void qapi_event_send_shutdown(bool guest, ShutdownCause reason)
{
    monitor_qapi_event_emit("SHUTDOWN", guest_reason(guest, reason));
}

void qapi_event_send_reset(bool guest, ShutdownCause reason)
{
    monitor_qapi_event_emit("RESET", guest_reason(guest, reason));
}

void qapi_event_send_powerdown(void)
{
    monitor_qapi_event_emit("POWERDOWN", NULL);
}
