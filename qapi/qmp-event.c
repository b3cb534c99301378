/*
 * The hook between generated event senders and whoever delivers events
 * (the monitor).  Corresponds to QEMU's qapi_event_emit(), which the
 * monitor defines directly; here the monitor registers it, so the QAPI
 * layer never names a symbol above it.
 */
#include "qcore/osdep.h"
#include "qapi/qmp-event.h"

/* Set once when the first monitor starts, before any event; never reset. */
static QAPIEventEmitter *event_emitter;

void qapi_event_set_emitter(QAPIEventEmitter *emit)
{
    event_emitter = emit;
}

void qapi_event_emit(const char *name, QDict *data)
{
    if (event_emitter) {
        event_emitter(name, data);
    } else {
        qobject_unref(data);
    }
}
