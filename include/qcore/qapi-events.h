/*
 * The QMP events qcore emits, one function each, as QEMU's generated
 * qapi-events-*.h provides.  Each builds the event's data and hands it to
 * monitor_qapi_event_emit, which stamps it and sends it to every QMP
 * monitor.  Main thread, BQL held.
 */
#ifndef QCORE_QAPI_EVENTS_H
#define QCORE_QAPI_EVENTS_H

#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qcore/runstate.h"

void qapi_event_send_stop(void);
void qapi_event_send_resume(void);
void qapi_event_send_shutdown(bool guest, ShutdownCause reason);
void qapi_event_send_reset(bool guest, ShutdownCause reason);
void qapi_event_send_powerdown(void);

/*
 * Send {"event": @name, "data": @data, "timestamp": {...}} to every QMP
 * monitor that finished capabilities negotiation.  Takes over @data (may
 * be NULL for events without data).  Implemented by the monitor.
 */
void monitor_qapi_event_emit(const char *name, QDict *data);

#endif
