/*
 * trace-event-get-state and trace-event-set-state (qapi/trace.json) over
 * the registry of util/trace.c.  Corresponds to QEMU's trace/qmp.c.
 */
#include "qcore/osdep.h"
#include "qcore/trace.h"
#include "qapi/qapi-commands.h"

/*
 * The checks both commands make, with QEMU's messages: a name that is not
 * a pattern must exist, and no event takes a vCPU (none is per-vCPU).
 */
static bool check_events(const char *name, bool has_vcpu, Error **errp)
{
    TraceEventIter iter;
    TraceEvent *ev;

    if (!trace_event_is_pattern(name) && !trace_event_name(name)) {
        error_setg(errp, "unknown event \"%s\"", name);
        return false;
    }
    trace_event_iter_init_pattern(&iter, name);
    if (has_vcpu && (ev = trace_event_iter_next(&iter))) {
        error_setg(errp, "event \"%s\" is not vCPU-specific", ev->name);
        return false;
    }
    return true;
}

TraceEventInfoList *qmp_trace_event_get_state(const char *name,
                                              bool has_vcpu, int64_t vcpu,
                                              Error **errp)
{
    TraceEventInfoList *list = NULL, **tail = &list;
    TraceEventIter iter;
    TraceEvent *ev;

    if (!check_events(name, has_vcpu, errp)) {
        return NULL;
    }
    trace_event_iter_init_pattern(&iter, name);
    while ((ev = trace_event_iter_next(&iter))) {
        TraceEventInfo *info = g_new0(TraceEventInfo, 1);

        info->name = g_strdup(ev->name);
        info->state = trace_event_get_state_dynamic(ev) ?
                      TRACE_EVENT_STATE_ENABLED : TRACE_EVENT_STATE_DISABLED;
        info->vcpu = false;
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
}

/*
 * @ignore_unavailable changes nothing here: every event is compiled in,
 * so none is "unavailable".
 */
void qmp_trace_event_set_state(const char *name, bool enable,
                               bool has_ignore_unavailable,
                               bool ignore_unavailable, bool has_vcpu,
                               int64_t vcpu, Error **errp)
{
    TraceEventIter iter;
    TraceEvent *ev;

    if (!check_events(name, has_vcpu, errp)) {
        return;
    }
    trace_event_iter_init_pattern(&iter, name);
    while ((ev = trace_event_iter_next(&iter))) {
        trace_event_set_state_dynamic(ev, enable);
    }
}
