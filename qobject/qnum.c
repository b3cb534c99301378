/*
 * QNum: a JSON number held as int64_t, uint64_t or double.
 * Corresponds to QEMU's qobject/qnum.c.
 */
#include "qcore/osdep.h"
#include <math.h>
#include "qcore/qobject.h"
#include "qobject-internal.h"

static QNum *qnum_new(QNumKind kind)
{
    QNum *qn = g_new(QNum, 1);

    qobject_init(QOBJECT(qn), QTYPE_QNUM);
    qn->kind = kind;
    return qn;
}

QNum *qnum_from_int(int64_t value)
{
    QNum *qn = qnum_new(QNUM_I64);

    qn->u.i64 = value;
    return qn;
}

QNum *qnum_from_uint(uint64_t value)
{
    QNum *qn = qnum_new(QNUM_U64);

    qn->u.u64 = value;
    return qn;
}

QNum *qnum_from_double(double value)
{
    QNum *qn = qnum_new(QNUM_DOUBLE);

    qn->u.dbl = value;
    return qn;
}

bool qnum_get_try_int(const QNum *qn, int64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        if (qn->u.u64 > INT64_MAX) {
            return false;
        }
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

bool qnum_get_try_uint(const QNum *qn, uint64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        if (qn->u.i64 < 0) {
            return false;
        }
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

int64_t qnum_get_int(const QNum *qn)
{
    int64_t val;
    bool ok = qnum_get_try_int(qn, &val);

    assert(ok);
    return val;
}

uint64_t qnum_get_uint(const QNum *qn)
{
    uint64_t val;
    bool ok = qnum_get_try_uint(qn, &val);

    assert(ok);
    return val;
}

double qnum_get_double(const QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return qn->u.i64;
    case QNUM_U64:
        return qn->u.u64;
    case QNUM_DOUBLE:
        return qn->u.dbl;
    }
    g_assert_not_reached();
}

/*
 * QEMU prints doubles with %.17g: enough digits for any double to read
 * back exactly, at the price of 0.42 showing as 0.41999999999999998 and
 * 1.0 as 1.  g_ascii_formatd keeps the '.' whatever the locale says
 * (QEMU relies on running in the C locale).  Non-finite values come out
 * as "inf", "-inf" and "nan", as in QEMU; the JSON writer deals with them.
 */
static char *double_to_string(double d)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    return g_strdup(g_ascii_formatd(buf, sizeof(buf), "%.17g", d));
}

char *qnum_to_string(const QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return g_strdup_printf("%" PRId64, qn->u.i64);
    case QNUM_U64:
        return g_strdup_printf("%" PRIu64, qn->u.u64);
    case QNUM_DOUBLE:
        return double_to_string(qn->u.dbl);
    }
    g_assert_not_reached();
}

bool qnum_is_equal(const QObject *x, const QObject *y)
{
    const QNum *a = qobject_to(QNum, x);
    const QNum *b = qobject_to(QNum, y);
    int64_t ia, ib;
    uint64_t ua, ub;

    if (a->kind == QNUM_DOUBLE || b->kind == QNUM_DOUBLE) {
        /* QEMU's rule: a double never equals an integer. */
        return a->kind == b->kind && a->u.dbl == b->u.dbl;
    }
    if (qnum_get_try_int(a, &ia)) {
        return qnum_get_try_int(b, &ib) && ia == ib;
    }
    /* a is above INT64_MAX, so only a uint can match it. */
    ua = a->u.u64;
    return qnum_get_try_uint(b, &ub) && ua == ub;
}

void qnum_destroy_obj(QObject *obj)
{
    g_free(qobject_to(QNum, obj));
}
