/*
 * Error objects and error reporting to stderr.
 * Corresponds to QEMU's util/error.c and util/qemu-error.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"

struct Error {
    char *msg;
    ErrorClass err_class;
    const char *src, *func;
    int line;
    GString *hint;
};

Error *error_abort;
Error *error_fatal;
Error *error_warn;

static const char *progname = "qcore";
bool message_with_timestamp;

void error_set_progname(const char *name)
{
    progname = name;
}

const char *ErrorClass_str(ErrorClass cls)
{
    static const char *const names[ERROR_CLASS__MAX] = {
        [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
        [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
        [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
        [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
        [ERROR_CLASS_KVM_MISSING] = "KVMMissing",
    };
    assert(cls >= 0 && cls < ERROR_CLASS__MAX);
    return names[cls];
}

/*
 * The current location of each thread.  std_loc is the bottom of the
 * stack, so cur_loc is never NULL once a thread has looked at it.
 */
static __thread Location std_loc;
static __thread Location *cur_loc;

static Location *current_loc(void)
{
    if (!cur_loc) {
        cur_loc = &std_loc;
    }
    return cur_loc;
}

Location *loc_push_restore(Location *loc)
{
    assert(!loc->prev);
    loc->prev = current_loc();
    cur_loc = loc;
    return loc;
}

Location *loc_push_none(Location *loc)
{
    loc->kind = LOC_NONE;
    loc->prev = NULL;
    return loc_push_restore(loc);
}

Location *loc_pop(Location *loc)
{
    assert(current_loc() == loc && loc->prev);
    cur_loc = loc->prev;
    loc->prev = NULL;
    return loc;
}

Location *loc_save(Location *loc)
{
    *loc = *current_loc();
    loc->prev = NULL;
    return loc;
}

void loc_restore(Location *loc)
{
    Location *cur = current_loc();
    Location *prev = cur->prev;

    /* Only a saved copy may be restored, never a pushed link. */
    assert(!loc->prev);
    *cur = *loc;
    cur->prev = prev;
}

void loc_set_none(void)
{
    current_loc()->kind = LOC_NONE;
}

void loc_set_cmdline(char **argv, int idx, int cnt)
{
    Location *cur = current_loc();

    cur->kind = LOC_CMDLINE;
    cur->num = cnt;
    cur->ptr = argv + idx;
}

/* "progname: " followed by the current location, e.g. "-name x: ". */
static void append_prefix(GString *out)
{
    Location *loc = current_loc();
    char *const *argp;
    int i;

    if (message_with_timestamp) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");

        g_string_append_printf(out, "%s.%06dZ ", ts,
                               g_date_time_get_microsecond(now));
    }
    g_string_append_printf(out, "%s: ", progname);
    if (loc->kind == LOC_CMDLINE) {
        argp = loc->ptr;
        for (i = 0; i < loc->num; i++) {
            g_string_append_printf(out, "%s%s", i ? " " : "", argp[i]);
        }
        g_string_append(out, ": ");
    }
}

void error_vprintf(const char *fmt, va_list ap)
{
    vfprintf(stderr, fmt, ap);
}

void error_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vprintf(fmt, ap);
    va_end(ap);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    /* Build the whole line first so concurrent reports do not interleave. */
    GString *line = g_string_new(NULL);

    append_prefix(line);
    g_string_append(line, kind);
    g_string_append_vprintf(line, fmt, ap);
    g_string_append_c(line, '\n');
    fputs(line->str, stderr);
    g_string_free(line, true);
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport("", fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}

static void print_err(const char *kind, const Error *err)
{
    GString *line = g_string_new(NULL);

    append_prefix(line);
    g_string_append_printf(line, "%s%s\n%s", kind, err->msg,
                           err->hint ? err->hint->str : "");
    fputs(line->str, stderr);
    g_string_free(line, true);
}

/* What the sentinels do with an error handed to them. */
static void handle_sentinel(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "Unexpected error in %s() at %s:%d:\n",
                err->func, err->src, err->line);
        print_err("", err);
        abort();
    }
    if (errp == &error_fatal) {
        print_err("", err);
        exit(1);
    }
    assert(errp == &error_warn);
    print_err("warning: ", err);
    error_free(err);
}

static bool is_sentinel(Error **errp)
{
    return errp == &error_abort || errp == &error_fatal || errp == &error_warn;
}

static void error_setv(Error **errp, const char *src, int line,
                       const char *func, ErrorClass err_class,
                       const char *fmt, va_list ap, const char *suffix)
{
    Error *err;
    int saved_errno = errno;

    if (!errp) {
        return;
    }
    assert(*errp == NULL);

    err = g_new0(Error, 1);
    err->msg = g_strdup_vprintf(fmt, ap);
    if (suffix) {
        char *msg = err->msg;
        err->msg = g_strdup_printf("%s: %s", msg, suffix);
        g_free(msg);
    }
    err->err_class = err_class;
    err->src = src;
    err->line = line;
    err->func = func;

    if (is_sentinel(errp)) {
        handle_sentinel(errp, err);
    } else {
        *errp = err;
    }
    errno = saved_errno;
}

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, src, line, func, ERROR_CLASS_GENERIC_ERROR, fmt, ap,
               NULL);
    va_end(ap);
}

void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, src, line, func, err_class, fmt, ap, NULL);
    va_end(ap);
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
{
    va_list ap;
    int saved_errno = errno;

    va_start(ap, fmt);
    error_setv(errp, src, line, func, ERROR_CLASS_GENERIC_ERROR, fmt, ap,
               os_errno != 0 ? g_strerror(os_errno) : NULL);
    va_end(ap);
    errno = saved_errno;
}

void error_append_hint(Error *const *errp, const char *fmt, ...)
{
    va_list ap;
    int saved_errno = errno;
    Error *err;

    if (!errp) {
        return;
    }
    /* A hint on a sentinel would be lost: the caller lacks ERRP_GUARD(). */
    assert(errp != &error_fatal && errp != &error_warn);
    err = *errp;
    if (!err || errp == &error_abort) {
        return;
    }
    if (!err->hint) {
        err->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf(err->hint, fmt, ap);
    va_end(ap);
    errno = saved_errno;
}

static void error_vprepend(Error *const *errp, const char *fmt, va_list ap)
{
    GString *newmsg;

    if (!errp || !*errp) {
        return;
    }
    newmsg = g_string_new(NULL);
    g_string_vprintf(newmsg, fmt, ap);
    g_string_append(newmsg, (*errp)->msg);
    g_free((*errp)->msg);
    (*errp)->msg = g_string_free(newmsg, false);
}

void error_prepend(Error *const *errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vprepend(errp, fmt, ap);
    va_end(ap);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (is_sentinel(dst_errp)) {
        handle_sentinel(dst_errp, local_err);
    } else if (dst_errp && !*dst_errp) {
        *dst_errp = local_err;
    } else {
        error_free(local_err);
    }
}

void error_propagate_prepend(Error **dst_errp, Error *err,
                             const char *fmt, ...)
{
    va_list ap;

    if (dst_errp && !*dst_errp) {
        va_start(ap, fmt);
        error_vprepend(&err, fmt, ap);
        va_end(ap);
    }
    error_propagate(dst_errp, err);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

ErrorClass error_get_class(const Error *err)
{
    return err->err_class;
}

Error *error_copy(const Error *err)
{
    Error *copy = g_new0(Error, 1);

    copy->msg = g_strdup(err->msg);
    copy->err_class = err->err_class;
    copy->src = err->src;
    copy->line = err->line;
    copy->func = err->func;
    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, true);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

void error_report_err(Error *err)
{
    print_err("", err);
    error_free(err);
}

void warn_report_err(Error *err)
{
    print_err("warning: ", err);
    error_free(err);
}

void error_reportf_err(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vprepend(&err, fmt, ap);
    va_end(ap);
    error_report_err(err);
}
