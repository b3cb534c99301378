/*
 * Where the generated qapi_event_send_*() functions hand their events.
 * The QAPI layer cannot call the monitor (it sits below it), so the
 * monitor installs itself here as the emitter when it starts.
 * Corresponds to QEMU's qapi_event_emit() (declared in
 * include/qapi/qmp-event.h, defined by the monitor; the tools link an
 * empty one).
 */
#ifndef QAPI_QMP_EVENT_H
#define QAPI_QMP_EVENT_H

#include "qcore/osdep.h"
#include "qcore/qobject.h"

/*
 * Send event @name with @data (NULL for events without data; the emitter
 * takes it over).  Without an emitter the event is dropped: no monitor,
 * nobody to tell.
 */
typedef void QAPIEventEmitter(const char *name, QDict *data);

void qapi_event_set_emitter(QAPIEventEmitter *emit);
void qapi_event_emit(const char *name, QDict *data);

#endif
