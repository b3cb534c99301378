/*
 * Trace events: named points in the code (declared in a folder's
 * trace-events file, turned into trace_NAME() by scripts/tracetool.py)
 * that, once enabled, log a line each time they are passed.
 * Corresponds to QEMU's trace/control.h, trace/control.c and its "log"
 * backend; docs/tracing.md.
 */
#ifndef QCORE_TRACE_H
#define QCORE_TRACE_H

#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/error.h"

/*
 * One event.  @name is immutable; @dstate is read with one relaxed load
 * by any thread passing the event and written by whoever enables it (the
 * command line before threads start, QMP/HMP under the BQL): an event
 * switched on takes effect at the next pass of each thread, which is all
 * tracing needs.
 */
typedef struct TraceEvent {
    const char *name;
    unsigned dstate;
} TraceEvent;

static inline bool trace_event_get_state_dynamic(const TraceEvent *ev)
{
    return qatomic_read(&ev->dstate) != 0;
}

void trace_event_set_state_dynamic(TraceEvent *ev, bool state);

/* The NULL-terminated events of one trace-events file (generated code). */
void trace_event_register_group(TraceEvent *const *events);

/* The event called @name, or NULL. */
TraceEvent *trace_event_name(const char *name);

/* Does @str contain '*' or '?' (QEMU's test for a pattern)? */
bool trace_event_is_pattern(const char *str);

/*
 * Iterate over the events whose names match @pattern (glob with * and ?;
 * NULL: all of them), in registration order.
 */
typedef struct TraceEventIter {
    const char *pattern;
    guint group;
    guint index;
} TraceEventIter;

void trace_event_iter_init_pattern(TraceEventIter *iter, const char *pattern);
TraceEvent *trace_event_iter_next(TraceEventIter *iter);

/*
 * The "log" backend: "NAME ARGS\n" through qemu_log (stderr or the -D
 * file), prefixed with "TID@SECONDS.MICROSECONDS:" under -msg
 * timestamp=on, as QEMU prints it.
 */
void trace_event_log(const TraceEvent *ev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * One -trace PATTERN (or a line of an events file): enable the matching
 * events, or disable them when it starts with '-'.  A name that is not
 * a pattern and matches nothing gets QEMU's warning.
 */
void trace_enable_events(const char *line);

/* Each line of @path as trace_enable_events; '#' starts a comment. */
bool trace_init_events_file(const char *path, Error **errp);

/* Every event's name, one per line (-trace help). */
void trace_list_events(FILE *f);

#endif
