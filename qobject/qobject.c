/*
 * The QObject base: reference counting, checked casts and deep equality.
 * Corresponds to QEMU's qobject/qobject.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/qobject.h"
#include "qobject-internal.h"

static void (*const qdestroy[QTYPE__MAX])(QObject *) = {
    [QTYPE_NONE] = NULL,
    [QTYPE_QNULL] = NULL,       /* the singleton is never freed */
    [QTYPE_QNUM] = qnum_destroy_obj,
    [QTYPE_QSTRING] = qstring_destroy_obj,
    [QTYPE_QDICT] = qdict_destroy_obj,
    [QTYPE_QLIST] = qlist_destroy_obj,
    [QTYPE_QBOOL] = qbool_destroy_obj,
};

static bool (*const qis_equal[QTYPE__MAX])(const QObject *,
                                           const QObject *) = {
    [QTYPE_QNUM] = qnum_is_equal,
    [QTYPE_QDICT] = qdict_is_equal,
    [QTYPE_QLIST] = qlist_is_equal,
};

void qobject_ref_impl(QObject *obj)
{
    if (obj) {
        qatomic_inc(&obj->base.refcnt);
    }
}

void qobject_unref_impl(QObject *obj)
{
    if (!obj) {
        return;
    }
    assert(qatomic_read(&obj->base.refcnt) > 0);
    if (qatomic_fetch_dec(&obj->base.refcnt) == 1) {
        QType type = qobject_type(obj);

        /* A QNull reaching zero means someone unref'd a borrowed qnull. */
        assert(qdestroy[type]);
        qdestroy[type](obj);
    }
}

QObject *qobject_check_type(const QObject *obj, QType type)
{
    if (!obj || qobject_type(obj) != type) {
        return NULL;
    }
    return (QObject *)obj;
}

bool qobject_is_equal(const QObject *x, const QObject *y)
{
    /*
     * No shortcut for x == y: as in QEMU, a value holding a NaN is not
     * equal even to itself.
     */
    if (!x && !y) {
        return true;
    }
    if (!x || !y || qobject_type(x) != qobject_type(y)) {
        return false;
    }
    switch (qobject_type(x)) {
    case QTYPE_QNULL:
        return true;
    case QTYPE_QBOOL:
        return qbool_get_bool(qobject_to(QBool, x)) ==
               qbool_get_bool(qobject_to(QBool, y));
    case QTYPE_QSTRING: {
        const QString *a = qobject_to(QString, x);
        const QString *b = qobject_to(QString, y);

        return g_string_equal(a->str, b->str);
    }
    default:
        return qis_equal[qobject_type(x)](x, y);
    }
}

const char *qtype_name(QType type)
{
    static const char *const names[QTYPE__MAX] = {
        [QTYPE_NONE] = "none",
        [QTYPE_QNULL] = "null",
        [QTYPE_QNUM] = "number",
        [QTYPE_QSTRING] = "string",
        [QTYPE_QDICT] = "object",
        [QTYPE_QLIST] = "array",
        [QTYPE_QBOOL] = "boolean",
    };

    assert(type < QTYPE__MAX);
    return names[type];
}
