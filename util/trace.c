/*
 * The registry of trace events and the "log" backend they print through.
 * Corresponds to QEMU's trace/control.c (registration, patterns, events
 * files) and to what tracetool's log backend generates for each event.
 */
#include "qcore/osdep.h"
#include "qcore/trace.h"
#include "qcore/log.h"
#include "qcore/thread.h"

/*
 * The groups, one per trace-events file, added by constructors before
 * main and never changed after: readers need no lock.
 */
static GPtrArray *trace_groups;

void trace_event_register_group(TraceEvent *const *events)
{
    if (!trace_groups) {
        trace_groups = g_ptr_array_new();
    }
    g_ptr_array_add(trace_groups, (gpointer)events);
}

void trace_event_set_state_dynamic(TraceEvent *ev, bool state)
{
    qatomic_set(&ev->dstate, state);
}

bool trace_event_is_pattern(const char *str)
{
    return strpbrk(str, "*?") != NULL;
}

void trace_event_iter_init_pattern(TraceEventIter *iter, const char *pattern)
{
    *iter = (TraceEventIter) { .pattern = pattern };
}

TraceEvent *trace_event_iter_next(TraceEventIter *iter)
{
    while (trace_groups && iter->group < trace_groups->len) {
        TraceEvent *const *events = g_ptr_array_index(trace_groups,
                                                      iter->group);
        TraceEvent *ev = events[iter->index];

        if (!ev) {
            iter->group++;
            iter->index = 0;
            continue;
        }
        iter->index++;
        if (!iter->pattern || g_pattern_match_simple(iter->pattern,
                                                     ev->name)) {
            return ev;
        }
    }
    return NULL;
}

TraceEvent *trace_event_name(const char *name)
{
    TraceEventIter iter;
    TraceEvent *ev;

    trace_event_iter_init_pattern(&iter, NULL);
    while ((ev = trace_event_iter_next(&iter))) {
        if (!strcmp(ev->name, name)) {
            return ev;
        }
    }
    return NULL;
}

void trace_event_log(const TraceEvent *ev, const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (message_with_timestamp) {
        /* Wall-clock microseconds, as QEMU's gettimeofday and QMP's. */
        int64_t us = g_get_real_time();

        qemu_log("%d@%" PRId64 ".%06" PRId64 ":%s %s\n", qemu_get_thread_id(),
                 us / G_USEC_PER_SEC, us % G_USEC_PER_SEC, ev->name, args);
    } else {
        qemu_log("%s %s\n", ev->name, args);
    }
}

void trace_enable_events(const char *line)
{
    bool enable = line[0] != '-';
    const char *pattern = enable ? line : line + 1;
    TraceEventIter iter;
    TraceEvent *ev;
    bool found = false;

    trace_event_iter_init_pattern(&iter, pattern);
    while ((ev = trace_event_iter_next(&iter))) {
        trace_event_set_state_dynamic(ev, enable);
        found = true;
    }
    if (!found && !trace_event_is_pattern(pattern)) {
        warn_report("trace event '%s' does not exist", pattern);
    }
}

bool trace_init_events_file(const char *path, Error **errp)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        error_setg(errp, "%s", gerr->message);
        return false;
    }
    lines = g_strsplit(text, "\n", 0);
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);

        if (*l && *l != '#') {
            trace_enable_events(l);
        }
    }
    return true;
}

void trace_list_events(FILE *f)
{
    TraceEventIter iter;
    TraceEvent *ev;

    trace_event_iter_init_pattern(&iter, NULL);
    while ((ev = trace_event_iter_next(&iter))) {
        fprintf(f, "%s\n", ev->name);
    }
}
