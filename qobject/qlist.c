/*
 * QList: an ordered list of QObjects.
 * Corresponds to QEMU's qobject/qlist.c.
 */
#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qobject-internal.h"

QList *qlist_new(void)
{
    QList *qlist = g_new(QList, 1);

    qobject_init(QOBJECT(qlist), QTYPE_QLIST);
    QTAILQ_INIT(&qlist->head);
    qlist->size = 0;
    return qlist;
}

void qlist_append_obj(QList *qlist, QObject *obj)
{
    QListEntry *entry = g_new(QListEntry, 1);

    assert(obj);
    entry->value = obj;
    QTAILQ_INSERT_TAIL(&qlist->head, entry, next);
    qlist->size++;
}

void qlist_append_int(QList *qlist, int64_t value)
{
    qlist_append(qlist, qnum_from_int(value));
}

void qlist_append_bool(QList *qlist, bool value)
{
    qlist_append(qlist, qbool_from_bool(value));
}

void qlist_append_str(QList *qlist, const char *value)
{
    qlist_append(qlist, qstring_from_str(value));
}

void qlist_append_null(QList *qlist)
{
    qlist_append(qlist, qnull());
}

QList *qlist_copy(QList *src)
{
    QList *dst = qlist_new();
    QListEntry *entry;

    QLIST_FOREACH_ENTRY(src, entry) {
        qlist_append_obj(dst, qobject_ref(entry->value));
    }
    return dst;
}

QObject *qlist_pop(QList *qlist)
{
    QListEntry *entry = QTAILQ_FIRST(&qlist->head);
    QObject *obj;

    if (!entry) {
        return NULL;
    }
    QTAILQ_REMOVE(&qlist->head, entry, next);
    qlist->size--;
    obj = entry->value;
    g_free(entry);
    return obj;
}

QObject *qlist_peek(QList *qlist)
{
    QListEntry *entry = QTAILQ_FIRST(&qlist->head);

    return entry ? entry->value : NULL;
}

bool qlist_empty(const QList *qlist)
{
    return QTAILQ_EMPTY(&qlist->head);
}

size_t qlist_size(const QList *qlist)
{
    return qlist->size;
}

bool qlist_is_equal(const QObject *x, const QObject *y)
{
    const QList *a = qobject_to(QList, x);
    const QList *b = qobject_to(QList, y);
    const QListEntry *ea, *eb;

    if (a->size != b->size) {
        return false;
    }
    for (ea = QTAILQ_FIRST(&a->head), eb = QTAILQ_FIRST(&b->head);
         ea && eb;
         ea = QTAILQ_NEXT(ea, next), eb = QTAILQ_NEXT(eb, next)) {
        if (!qobject_is_equal(ea->value, eb->value)) {
            return false;
        }
    }
    return true;
}

void qlist_destroy_obj(QObject *obj)
{
    QList *qlist = qobject_to(QList, obj);
    QListEntry *e, *next;

    QTAILQ_FOREACH_SAFE(e, &qlist->head, next, next) {
        qobject_unref(e->value);
        g_free(e);
    }
    g_free(qlist);
}
