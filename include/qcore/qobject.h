/*
 * QObject: the reference-counted dynamic values (null, numbers, booleans,
 * strings, dictionaries, lists) that QMP, QOM properties and options pass
 * around.  Corresponds to QEMU's include/qobject/{qobject,qnull,qnum,qbool,
 * qstring,qdict,qlist}.h, gathered in one header.
 *
 * Ownership rules (the same as QEMU's):
 * - A constructor returns a new reference; release it with qobject_unref().
 * - The *_put / *_append functions take over the reference passed in, so
 *   qdict_put(d, "k", qstring_from_str("v")) leaks nothing.
 * - Getters (qdict_get, qlist_peek, qdict_get_qdict, ...) return borrowed
 *   references, valid while the container holds the value.
 *
 * Threading: reference counts are atomic, so a value may be referenced
 * from several threads (the qnull() singleton is).  The contents of a
 * QDict, QList or QString are not locked: mutate a container from one
 * thread at a time, and only while no other thread reads it.
 */
#ifndef QCORE_QOBJECT_H
#define QCORE_QOBJECT_H

#include "qcore/osdep.h"
#include "qcore/queue.h"

typedef enum QType {
    QTYPE_NONE,
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
    QTYPE__MAX,
} QType;

/* Embedded as member "base" at the start of every QObject type. */
struct QObjectBase_ {
    QType type;
    size_t refcnt;
};

typedef struct QObject {
    struct QObjectBase_ base;
} QObject;

typedef struct QNull QNull;
typedef struct QNum QNum;
typedef struct QBool QBool;
typedef struct QString QString;
typedef struct QDict QDict;
typedef struct QList QList;

/* qobject_to(T, obj) maps the type name to its QType through these. */
#define QTYPE_CAST_TO_QNull     QTYPE_QNULL
#define QTYPE_CAST_TO_QNum      QTYPE_QNUM
#define QTYPE_CAST_TO_QString   QTYPE_QSTRING
#define QTYPE_CAST_TO_QDict     QTYPE_QDICT
#define QTYPE_CAST_TO_QList     QTYPE_QLIST
#define QTYPE_CAST_TO_QBool     QTYPE_QBOOL

/* QOBJECT(x): the QObject of any QObject type, NULL-safe. */
#define QOBJECT(obj) ({                                                 \
    __typeof__(obj) _qobj = (obj);                                      \
    _qobj ? container_of(&_qobj->base, QObject, base) : NULL;           \
})

/* Internal: the functions behind the type-generic macros below. */
void qobject_ref_impl(QObject *obj);
void qobject_unref_impl(QObject *obj);
QObject *qobject_check_type(const QObject *obj, QType type);

/*
 * qobject_ref(obj): take a new reference to @obj (any QObject type, may
 * be NULL) and return @obj with its own type.
 */
#define qobject_ref(obj) ({                                             \
    __typeof__(obj) _o = (obj);                                         \
    qobject_ref_impl(QOBJECT(_o));                                      \
    _o;                                                                 \
})

/* qobject_unref(obj): drop a reference; frees at zero.  NULL is a no-op. */
#define qobject_unref(obj) qobject_unref_impl(QOBJECT(obj))

/*
 * qobject_to(T, obj): @obj as a T * (T is QDict, QList, QString, QNum,
 * QBool or QNull) if it is of that type, else NULL.  No reference taken.
 */
#define qobject_to(type, obj)                                           \
    ((type *)qobject_check_type(obj, QTYPE_CAST_TO_##type))

/* The dynamic type of @obj (which must not be NULL). */
static inline QType qobject_type(const QObject *obj)
{
    assert(QTYPE_NONE < obj->base.type && obj->base.type < QTYPE__MAX);
    return obj->base.type;
}

/*
 * Deep comparison.  NULL equals only NULL.  Numbers compare by value
 * within integers (an int and a uint are equal when they hold the same
 * mathematical value) but a double never equals an integer, and a NaN
 * equals nothing, as in QEMU: so a value that is or contains a NaN is
 * not equal to itself.
 */
bool qobject_is_equal(const QObject *x, const QObject *y);

/* "null", "number", "string", "object", "array", "boolean". */
const char *qtype_name(QType type);

/* ---- QNull ---------------------------------------------------------- */

struct QNull {
    struct QObjectBase_ base;
};

/*
 * The QNull singleton.  Exported under QEMU's name; its count starts at
 * one for the static reference, so it is never freed.
 */
extern QNull qnull_;

/* A new reference to qnull_ (unref it like any value). */
static inline QNull *qnull(void)
{
    return qobject_ref(&qnull_);
}

/* ---- QNum ----------------------------------------------------------- */

typedef enum QNumKind {
    QNUM_I64,
    QNUM_U64,
    QNUM_DOUBLE,
} QNumKind;

struct QNum {
    struct QObjectBase_ base;
    QNumKind kind;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
    } u;
};

QNum *qnum_from_int(int64_t value);
QNum *qnum_from_uint(uint64_t value);
QNum *qnum_from_double(double value);

/*
 * Store the value in *val and return true if it is an integer that fits
 * int64_t (resp. uint64_t); return false for doubles and out-of-range
 * integers, leaving *val alone.
 */
bool qnum_get_try_int(const QNum *qn, int64_t *val);
bool qnum_get_try_uint(const QNum *qn, uint64_t *val);
/* As the _try_ versions, but the value must be representable (asserted). */
int64_t qnum_get_int(const QNum *qn);
uint64_t qnum_get_uint(const QNum *qn);
/* Any QNum as a double (integers beyond 2^53 lose precision). */
double qnum_get_double(const QNum *qn);

/*
 * Decimal text of the number, to g_free().  Doubles are printed as QEMU
 * prints them, with %.17g: they read back to the same double, but 0.42
 * prints as "0.41999999999999998" and 1.0 as "1" (which JSON reads back
 * as an integer, in QEMU too).  NaN and infinities print as "nan",
 * "inf" and "-inf".
 */
char *qnum_to_string(const QNum *qn);

bool qnum_is_equal(const QObject *x, const QObject *y);

/* ---- QBool ---------------------------------------------------------- */

struct QBool {
    struct QObjectBase_ base;
    bool value;
};

QBool *qbool_from_bool(bool value);
bool qbool_get_bool(const QBool *qb);

/* ---- QString -------------------------------------------------------- */

/*
 * A mutable byte string, always NUL-terminated.  It normally holds UTF-8;
 * the JSON writer replaces invalid sequences by U+FFFD.
 */
struct QString {
    struct QObjectBase_ base;
    GString *str;
};

QString *qstring_new(void);
QString *qstring_from_str(const char *str);
/* The bytes str[start, end) (end is exclusive). */
QString *qstring_from_substr(const char *str, size_t start, size_t end);
/* Take over a GString (the QString frees it). */
QString *qstring_from_gstring(GString *gstr);
/* Borrowed; valid until the string is modified or freed. */
const char *qstring_get_str(const QString *qs);
size_t qstring_get_length(const QString *qs);
void qstring_append(QString *qs, const char *str);
void qstring_append_chr(QString *qs, int c);
void qstring_append_int(QString *qs, int64_t value);

/* ---- QDict ---------------------------------------------------------- */

/*
 * A string-keyed map.  Unlike QEMU's (hash order), iteration follows
 * insertion order; replacing a key's value keeps its position.  This
 * makes JSON output deterministic and lets QMP answers list members in
 * the order the code adds them.
 */
typedef struct QDictEntry {
    char *key;
    QObject *value;
    QTAILQ_ENTRY(QDictEntry) next;
} QDictEntry;

struct QDict {
    struct QObjectBase_ base;
    GHashTable *table;              /* key -> QDictEntry */
    QTAILQ_HEAD(, QDictEntry) entries;
};

QDict *qdict_new(void);
size_t qdict_size(const QDict *qdict);
/* Insert or replace; takes over the reference to @value (non-NULL). */
void qdict_put_obj(QDict *qdict, const char *key, QObject *value);
/* qdict_put(d, key, obj): qdict_put_obj for any QObject type. */
#define qdict_put(qdict, key, obj) qdict_put_obj(qdict, key, QOBJECT(obj))
void qdict_put_int(QDict *qdict, const char *key, int64_t value);
void qdict_put_bool(QDict *qdict, const char *key, bool value);
void qdict_put_str(QDict *qdict, const char *key, const char *value);
void qdict_put_null(QDict *qdict, const char *key);

/* Borrowed value of @key, or NULL when absent. */
QObject *qdict_get(const QDict *qdict, const char *key);
bool qdict_haskey(const QDict *qdict, const char *key);
/* Remove @key (no-op when absent), dropping the dict's reference. */
void qdict_del(QDict *qdict, const char *key);

/* The key must exist with the right type (asserted). */
int64_t qdict_get_int(const QDict *qdict, const char *key);
bool qdict_get_bool(const QDict *qdict, const char *key);
const char *qdict_get_str(const QDict *qdict, const char *key);
/* NULL when absent or of another type. */
QDict *qdict_get_qdict(const QDict *qdict, const char *key);
QList *qdict_get_qlist(const QDict *qdict, const char *key);
/* @def_value when absent or of another type (or not an int64). */
int64_t qdict_get_try_int(const QDict *qdict, const char *key,
                          int64_t def_value);
bool qdict_get_try_bool(const QDict *qdict, const char *key, bool def_value);
/* NULL when absent or not a string. */
const char *qdict_get_try_str(const QDict *qdict, const char *key);

/*
 * Iteration in insertion order.  It is safe to qdict_del() the current
 * entry's key once qdict_next() has been called on it.
 */
const QDictEntry *qdict_first(const QDict *qdict);
const QDictEntry *qdict_next(const QDict *qdict, const QDictEntry *entry);
const char *qdict_entry_key(const QDictEntry *entry);
QObject *qdict_entry_value(const QDictEntry *entry);

/* A new dict with the same keys and references to the same values. */
QDict *qdict_clone_shallow(const QDict *src);

bool qdict_is_equal(const QObject *x, const QObject *y);

/* ---- QList ---------------------------------------------------------- */

typedef struct QListEntry {
    QObject *value;
    QTAILQ_ENTRY(QListEntry) next;
} QListEntry;

struct QList {
    struct QObjectBase_ base;
    QTAILQ_HEAD(, QListEntry) head;
    size_t size;
};

QList *qlist_new(void);
/* Append; takes over the reference to @obj (non-NULL). */
void qlist_append_obj(QList *qlist, QObject *obj);
#define qlist_append(qlist, obj) qlist_append_obj(qlist, QOBJECT(obj))
void qlist_append_int(QList *qlist, int64_t value);
void qlist_append_bool(QList *qlist, bool value);
void qlist_append_str(QList *qlist, const char *value);
void qlist_append_null(QList *qlist);
/* A new list holding new references to the elements of @src (shallow). */
QList *qlist_copy(QList *src);
/* Remove the first element and hand its reference to the caller. */
QObject *qlist_pop(QList *qlist);
/* The first element, borrowed (NULL when empty). */
QObject *qlist_peek(QList *qlist);
bool qlist_empty(const QList *qlist);
size_t qlist_size(const QList *qlist);

/* for (entry in qlist): the list must not change during the loop. */
#define QLIST_FOREACH_ENTRY(qlist, var)                                 \
    for ((var) = QTAILQ_FIRST(&(qlist)->head);                          \
         (var);                                                         \
         (var) = QTAILQ_NEXT((var), next))

static inline QObject *qlist_entry_obj(const QListEntry *entry)
{
    return entry->value;
}

bool qlist_is_equal(const QObject *x, const QObject *y);

/* ---- g_autoptr ------------------------------------------------------ */

static inline void qobject_unref_cleanup_(QObject *obj)
{
    qobject_unref_impl(obj);
}

#define QOBJECT_DEFINE_AUTOPTR_(T)                                      \
    static inline void T##_unref_cleanup_(T *obj)                       \
    {                                                                   \
        qobject_unref(obj);                                             \
    }                                                                   \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(T, T##_unref_cleanup_)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QObject, qobject_unref_cleanup_)
QOBJECT_DEFINE_AUTOPTR_(QNull)
QOBJECT_DEFINE_AUTOPTR_(QNum)
QOBJECT_DEFINE_AUTOPTR_(QBool)
QOBJECT_DEFINE_AUTOPTR_(QString)
QOBJECT_DEFINE_AUTOPTR_(QDict)
QOBJECT_DEFINE_AUTOPTR_(QList)

#endif
