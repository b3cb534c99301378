/*
 * Error reporting: functions that can fail take an Error **errp as their
 * last argument and set it on failure.  Corresponds to QEMU's
 * include/qapi/error.h and include/qemu/error-report.h.
 *
 * Rules (the same as QEMU's):
 * - errp may be NULL (caller ignores the error), &error_abort (abort with a
 *   message), &error_fatal (print and exit(1)), &error_warn (print as a
 *   warning and go on), or the address of a local Error *err = NULL.
 * - *errp must be NULL on entry; an Error is set at most once.
 * - To look at an error you were handed through errp, or to add a hint to
 *   it, start the function with ERRP_GUARD().
 * All functions are thread-safe; an Error object belongs to one thread at
 * a time.
 */
#ifndef QCORE_ERROR_H
#define QCORE_ERROR_H

#include "qcore/osdep.h"

typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING,
    ERROR_CLASS__MAX,
} ErrorClass;

typedef struct Error Error;

/* Sentinels: pass their address as errp. */
extern Error *error_abort;
extern Error *error_fatal;
extern Error *error_warn;

/* The QMP name of an error class ("GenericError", "CommandNotFound", ...). */
const char *ErrorClass_str(ErrorClass cls);

const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
Error *error_copy(const Error *err);

#define error_setg(errp, fmt, ...)                                      \
    error_setg_internal((errp), __FILE__, __LINE__, __func__,           \
                        (fmt), ## __VA_ARGS__)
#define error_setg_errno(errp, os_error, fmt, ...)                      \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__,     \
                              (os_error), (fmt), ## __VA_ARGS__)
#define error_set(errp, err_class, fmt, ...)                            \
    error_set_internal((errp), __FILE__, __LINE__, __func__,            \
                       (err_class), (fmt), ## __VA_ARGS__)

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_error,
                               const char *fmt, ...) G_GNUC_PRINTF(6, 7);
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/*
 * Add a hint printed after the message by error_report_err() (not sent over
 * QMP).  Needs ERRP_GUARD() in the caller when errp came from outside, so
 * that the hint is not lost on &error_fatal.
 */
void error_append_hint(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Prefix the message of *errp (no-op when errp or *errp is NULL). */
void error_prepend(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/*
 * Move local_err into *dst_errp.  If dst_errp already holds an error, or is
 * NULL, local_err is freed.  Honors the sentinels.  Returns nothing; check
 * local_err before propagating if you need to branch.
 */
void error_propagate(Error **dst_errp, Error *local_err);
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);

void error_free(Error *err);
void error_free_or_abort(Error **errp);

/* Print "qcore: <message>\n<hint>" to stderr, then free err. */
void error_report_err(Error *err);
void warn_report_err(Error *err);
void error_reportf_err(Error *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* "qcore: msg", "qcore: warning: msg", "qcore: info: msg" on stderr. */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/* Prefix printed before every report; defaults to "qcore". */
void error_set_progname(const char *name);
/*
 * -msg timestamp=on: reports start with the time (ISO 8601, UTC, in
 * microseconds) and trace lines with "TID@SECONDS.MICROSECONDS:", as in
 * QEMU.  Set once while parsing the command line.
 */
extern bool message_with_timestamp;

/* Print to stderr with no prefix (continuation lines of a report). */
void error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/*
 * Error locations (QEMU's include/qemu/error-report.h).
 *
 * Reports name the place that caused them: while vl.c handles
 * "-object foo,id=x", error_report("boom") prints
 * "qcore: -object foo,id=x: boom".  There is a current location per
 * thread, set in place with loc_set_*(), or temporarily replaced by
 * pushing a caller-owned Location and popping it again:
 *
 *     Location loc;
 *     loc_push_none(&loc);
 *     loc_set_cmdline(argv, i, 2);
 *     ...error_report() calls print "qcore: -object foo,id=x: ..."...
 *     loc_pop(&loc);
 *
 * A Location only points at the argv strings; they must outlive it
 * (argv does).  A location is thread-local: a report from an iothread
 * never carries the main thread's command-line location.
 */
typedef struct Location {
    enum { LOC_NONE, LOC_CMDLINE } kind;
    int num;                    /* LOC_CMDLINE: number of argv words */
    const void *ptr;            /* LOC_CMDLINE: first argv word */
    struct Location *prev;      /* the location loc_pop() returns to */
} Location;

/* Make @loc (its saved contents) the current location; returns @loc. */
Location *loc_push_restore(Location *loc);
/* Make @loc, set to "no location", the current location; returns @loc. */
Location *loc_push_none(Location *loc);
/* Undo the push of @loc, which must be the current location. */
Location *loc_pop(Location *loc);
/* Copy the current location into @loc (not pushed); returns @loc. */
Location *loc_save(Location *loc);
/* Overwrite the current location with a copy saved by loc_save(). */
void loc_restore(Location *loc);
/* The current location becomes "nowhere": reports get no prefix. */
void loc_set_none(void);
/* The current location becomes argv[idx] ... argv[idx + cnt - 1]. */
void loc_set_cmdline(char **argv, int idx, int cnt);

/*
 * ERRP_GUARD(): make errp safe to dereference in this function.  If the
 * caller passed NULL or &error_fatal, errp is redirected to a local Error
 * that is propagated (with its hint) when the function returns.
 */
typedef struct ErrorPropagator {
    Error *local_err;
    Error **errp;
} ErrorPropagator;

static inline void error_propagator_cleanup(ErrorPropagator *prop)
{
    error_propagate(prop->errp, prop->local_err);
}

#define ERRP_GUARD()                                                    \
    g_auto(ErrorPropagator) _auto_errp_prop = { .errp = errp };         \
    do {                                                                \
        if (!errp || errp == &error_fatal) {                            \
            errp = &_auto_errp_prop.local_err;                          \
        }                                                               \
    } while (0)

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ErrorPropagator, error_propagator_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif
