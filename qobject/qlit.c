/*
 * QLit: comparing C-initialiser literals with QObjects and building
 * QObjects from them.  Corresponds to QEMU's qobject/qlit.c.
 */
#include "qcore/osdep.h"
#include "qcore/qlit.h"

static bool qlit_equal_qdict(const QLitObject *lhs, const QDict *qdict)
{
    size_t n = 0;

    for (const QLitDictEntry *e = lhs->value.qdict; e->key; e++, n++) {
        if (!qlit_equal_qobject(&e->value, qdict_get(qdict, e->key))) {
            return false;
        }
    }
    /*
     * Every literal key was found; equal sizes then mean no extra keys
     * (a literal with a duplicate key is a programming error).
     */
    return qdict_size(qdict) == n;
}

static bool qlit_equal_qlist(const QLitObject *lhs, QList *qlist)
{
    const QLitObject *lit = lhs->value.qlist;
    QListEntry *e;

    QLIST_FOREACH_ENTRY(qlist, e) {
        if (lit->type == QTYPE_NONE ||
            !qlit_equal_qobject(lit, qlist_entry_obj(e))) {
            return false;
        }
        lit++;
    }
    return lit->type == QTYPE_NONE;
}

bool qlit_equal_qobject(const QLitObject *lhs, const QObject *rhs)
{
    int64_t val;

    if (!rhs || lhs->type != qobject_type(rhs)) {
        return false;
    }
    switch (lhs->type) {
    case QTYPE_QNULL:
        return true;
    case QTYPE_QBOOL:
        return lhs->value.qbool == qbool_get_bool(qobject_to(QBool, rhs));
    case QTYPE_QNUM:
        return qnum_get_try_int(qobject_to(QNum, rhs), &val) &&
               val == lhs->value.qnum;
    case QTYPE_QSTRING:
        return !strcmp(lhs->value.qstr,
                       qstring_get_str(qobject_to(QString, rhs)));
    case QTYPE_QDICT:
        return qlit_equal_qdict(lhs, qobject_to(QDict, rhs));
    case QTYPE_QLIST:
        return qlit_equal_qlist(lhs, qobject_to(QList, rhs));
    default:
        return false;
    }
}

QObject *qobject_from_qlit(const QLitObject *qlit)
{
    switch (qlit->type) {
    case QTYPE_QNULL:
        return QOBJECT(qnull());
    case QTYPE_QBOOL:
        return QOBJECT(qbool_from_bool(qlit->value.qbool));
    case QTYPE_QNUM:
        return QOBJECT(qnum_from_int(qlit->value.qnum));
    case QTYPE_QSTRING:
        return QOBJECT(qstring_from_str(qlit->value.qstr));
    case QTYPE_QDICT: {
        QDict *qdict = qdict_new();

        for (const QLitDictEntry *e = qlit->value.qdict; e->key; e++) {
            qdict_put_obj(qdict, e->key, qobject_from_qlit(&e->value));
        }
        return QOBJECT(qdict);
    }
    case QTYPE_QLIST: {
        QList *qlist = qlist_new();

        for (const QLitObject *e = qlit->value.qlist;
             e->type != QTYPE_NONE; e++) {
            qlist_append_obj(qlist, qobject_from_qlit(e));
        }
        return QOBJECT(qlist);
    }
    default:
        g_assert_not_reached();
    }
}
