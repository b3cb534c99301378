/*
 * QDict: a string-keyed map that iterates in insertion order (a hash
 * table for lookup plus a list for order).
 * Corresponds to QEMU's qobject/qdict.c.
 */
#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qobject-internal.h"

QDict *qdict_new(void)
{
    QDict *qdict = g_new(QDict, 1);

    qobject_init(QOBJECT(qdict), QTYPE_QDICT);
    /* Keys are owned by the entries; the table only points at them. */
    qdict->table = g_hash_table_new(g_str_hash, g_str_equal);
    QTAILQ_INIT(&qdict->entries);
    return qdict;
}

size_t qdict_size(const QDict *qdict)
{
    return g_hash_table_size(qdict->table);
}

static QDictEntry *qdict_find(const QDict *qdict, const char *key)
{
    return g_hash_table_lookup(qdict->table, key);
}

void qdict_put_obj(QDict *qdict, const char *key, QObject *value)
{
    QDictEntry *entry = qdict_find(qdict, key);

    assert(value);
    if (entry) {
        qobject_unref(entry->value);
        entry->value = value;
        return;
    }
    entry = g_new(QDictEntry, 1);
    entry->key = g_strdup(key);
    entry->value = value;
    g_hash_table_insert(qdict->table, entry->key, entry);
    QTAILQ_INSERT_TAIL(&qdict->entries, entry, next);
}

void qdict_put_int(QDict *qdict, const char *key, int64_t value)
{
    qdict_put(qdict, key, qnum_from_int(value));
}

void qdict_put_bool(QDict *qdict, const char *key, bool value)
{
    qdict_put(qdict, key, qbool_from_bool(value));
}

void qdict_put_str(QDict *qdict, const char *key, const char *value)
{
    qdict_put(qdict, key, qstring_from_str(value));
}

void qdict_put_null(QDict *qdict, const char *key)
{
    qdict_put(qdict, key, qnull());
}

QObject *qdict_get(const QDict *qdict, const char *key)
{
    QDictEntry *entry = qdict_find(qdict, key);

    return entry ? entry->value : NULL;
}

bool qdict_haskey(const QDict *qdict, const char *key)
{
    return qdict_find(qdict, key) != NULL;
}

static void qdict_entry_free(QDictEntry *entry)
{
    qobject_unref(entry->value);
    g_free(entry->key);
    g_free(entry);
}

void qdict_del(QDict *qdict, const char *key)
{
    QDictEntry *entry = qdict_find(qdict, key);

    if (entry) {
        g_hash_table_remove(qdict->table, entry->key);
        QTAILQ_REMOVE(&qdict->entries, entry, next);
        qdict_entry_free(entry);
    }
}

int64_t qdict_get_int(const QDict *qdict, const char *key)
{
    return qnum_get_int(qobject_to(QNum, qdict_get(qdict, key)));
}

bool qdict_get_bool(const QDict *qdict, const char *key)
{
    return qbool_get_bool(qobject_to(QBool, qdict_get(qdict, key)));
}

const char *qdict_get_str(const QDict *qdict, const char *key)
{
    return qstring_get_str(qobject_to(QString, qdict_get(qdict, key)));
}

QDict *qdict_get_qdict(const QDict *qdict, const char *key)
{
    return qobject_to(QDict, qdict_get(qdict, key));
}

QList *qdict_get_qlist(const QDict *qdict, const char *key)
{
    return qobject_to(QList, qdict_get(qdict, key));
}

int64_t qdict_get_try_int(const QDict *qdict, const char *key,
                          int64_t def_value)
{
    QNum *qn = qobject_to(QNum, qdict_get(qdict, key));
    int64_t val;

    if (!qn || !qnum_get_try_int(qn, &val)) {
        return def_value;
    }
    return val;
}

bool qdict_get_try_bool(const QDict *qdict, const char *key, bool def_value)
{
    QBool *qb = qobject_to(QBool, qdict_get(qdict, key));

    return qb ? qbool_get_bool(qb) : def_value;
}

const char *qdict_get_try_str(const QDict *qdict, const char *key)
{
    QString *qs = qobject_to(QString, qdict_get(qdict, key));

    return qs ? qstring_get_str(qs) : NULL;
}

const QDictEntry *qdict_first(const QDict *qdict)
{
    return QTAILQ_FIRST(&qdict->entries);
}

const QDictEntry *qdict_next(const QDict *qdict, const QDictEntry *entry)
{
    return QTAILQ_NEXT(entry, next);
}

const char *qdict_entry_key(const QDictEntry *entry)
{
    return entry->key;
}

QObject *qdict_entry_value(const QDictEntry *entry)
{
    return entry->value;
}

QDict *qdict_clone_shallow(const QDict *src)
{
    QDict *dest = qdict_new();
    const QDictEntry *e;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        qdict_put_obj(dest, e->key, qobject_ref(e->value));
    }
    return dest;
}

/* Equal when they hold the same keys with equal values, in any order. */
bool qdict_is_equal(const QObject *x, const QObject *y)
{
    const QDict *a = qobject_to(QDict, x);
    const QDict *b = qobject_to(QDict, y);
    const QDictEntry *e;

    if (qdict_size(a) != qdict_size(b)) {
        return false;
    }
    for (e = qdict_first(a); e; e = qdict_next(a, e)) {
        QDictEntry *other = qdict_find(b, e->key);

        if (!other || !qobject_is_equal(e->value, other->value)) {
            return false;
        }
    }
    return true;
}

void qdict_destroy_obj(QObject *obj)
{
    QDict *qdict = qobject_to(QDict, obj);
    QDictEntry *e, *next;

    QTAILQ_FOREACH_SAFE(e, &qdict->entries, next, next) {
        qdict_entry_free(e);
    }
    g_hash_table_destroy(qdict->table);
    g_free(qdict);
}
