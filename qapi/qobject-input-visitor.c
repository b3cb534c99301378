/*
 * The QObject input visitor: walks a QObject tree alongside the C data
 * being built, in strict JSON typing (QMP) or keyval typing (-object,
 * where every scalar is a string parsed per the visited type).
 * Corresponds to QEMU's qapi/qobject-input-visitor.c.
 */
#include "qcore/osdep.h"
#include <math.h>
#include "qcore/option.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/visitor-impl.h"

/* One open container (QDict or QList) of the walk. */
typedef struct InputFrame {
    const char *name;           /* its name in the parent, NULL at root
                                   and for list elements */
    QObject *obj;               /* QDict or QList, borrowed from root */
    void *qapi;                 /* the C pointer start_* got, checked by
                                   end_* to catch unbalanced callers */
    GHashTable *unvisited;      /* QDict: keys nobody visited yet */
    const QListEntry *entry;    /* QList: next element to visit */
    unsigned index;             /* QList: index of the element being (or
                                   last) visited; starts at -1 */
    struct InputFrame *up;
} InputFrame;

struct QObjectInputVisitor {
    Visitor visitor;
    QObject *root;              /* referenced */
    bool keyval;
    InputFrame *top;            /* innermost open container */
    GString *errname;           /* buffer of full_name() */
};

static QObjectInputVisitor *to_qiv(Visitor *v)
{
    return container_of(v, QObjectInputVisitor, visitor);
}

/*
 * The path of member @name of the container @skip levels below the top,
 * for error messages: "a.b", "list[2].x", or "list.2.x" in keyval mode
 * (the way the user wrote it there).  Valid until the next call.
 */
static const char *full_name_nth(QObjectInputVisitor *qiv, const char *name,
                                 int skip)
{
    InputFrame *f;
    GString *s;

    if (!qiv->errname) {
        qiv->errname = g_string_new("");
    }
    s = qiv->errname;
    g_string_truncate(s, 0);

    for (f = qiv->top; f; f = f->up) {
        if (skip) {
            skip--;
        } else if (qobject_type(f->obj) == QTYPE_QDICT) {
            g_string_prepend(s, name ? name : "<anonymous>");
            g_string_prepend_c(s, '.');
        } else {
            char buf[32];

            snprintf(buf, sizeof(buf), qiv->keyval ? ".%u" : "[%u]",
                     f->index);
            g_string_prepend(s, buf);
        }
        name = f->name;
    }
    assert(!skip);

    if (name) {
        g_string_prepend(s, name);
    } else if (s->str[0] == '.') {
        g_string_erase(s, 0, 1);
    } else if (!s->str[0]) {
        return "<anonymous>";
    }
    return s->str;
}

static const char *full_name(QObjectInputVisitor *qiv, const char *name)
{
    return full_name_nth(qiv, name, 0);
}

/*
 * The value to visit next: the root, member @name of the current dict,
 * or the next list element.  @consume marks it visited (and moves along
 * the list); optional/alternate peek without consuming.
 */
static QObject *input_try_get(QObjectInputVisitor *qiv, const char *name,
                              bool consume)
{
    InputFrame *f = qiv->top;
    QObject *ret;

    if (!f) {
        return qiv->root;
    }
    if (qobject_type(f->obj) == QTYPE_QDICT) {
        assert(name);
        ret = qdict_get(qobject_to(QDict, f->obj), name);
        if (ret && consume) {
            g_hash_table_remove(f->unvisited, name);
        }
        return ret;
    }

    assert(!name);
    ret = f->entry ? qlist_entry_obj(f->entry) : NULL;
    if (consume) {
        if (f->entry) {
            f->entry = QTAILQ_NEXT(f->entry, next);
        }
        f->index++;
    }
    return ret;
}

static QObject *input_get(QObjectInputVisitor *qiv, const char *name,
                          bool consume, Error **errp)
{
    QObject *obj = input_try_get(qiv, name, consume);

    if (!obj) {
        error_setg(errp, "Parameter '%s' is missing", full_name(qiv, name));
    }
    return obj;
}

static bool type_error(QObjectInputVisitor *qiv, const char *name,
                       const char *expected, Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               full_name(qiv, name), expected);
    return false;
}

static bool value_error(QObjectInputVisitor *qiv, const char *name,
                        const char *expected, Error **errp)
{
    error_setg(errp, "Parameter '%s' expects %s", full_name(qiv, name),
               expected);
    return false;
}

/* Keyval mode: the string of a scalar (keyval_parse makes only strings). */
static const char *input_get_keyval(QObjectInputVisitor *qiv,
                                    const char *name, Error **errp)
{
    QObject *obj = input_get(qiv, name, true, errp);
    QString *qstr;

    if (!obj) {
        return NULL;
    }
    qstr = qobject_to(QString, obj);
    if (qstr) {
        return qstring_get_str(qstr);
    }
    if (qobject_type(obj) == QTYPE_QDICT || qobject_type(obj) == QTYPE_QLIST) {
        /* "a.b=1" given where a scalar "a" was wanted. */
        error_setg(errp, "Parameters '%s.*' are unexpected",
                   full_name(qiv, name));
    } else {
        error_setg(errp, "Internal error: parameter %s invalid",
                   full_name(qiv, name));
    }
    return NULL;
}

static void input_push(QObjectInputVisitor *qiv, const char *name,
                       QObject *obj, void *qapi)
{
    InputFrame *f = g_new0(InputFrame, 1);
    QDict *dict = qobject_to(QDict, obj);

    f->name = name;
    f->obj = obj;
    f->qapi = qapi;
    if (dict) {
        const QDictEntry *e;

        /* Keys borrowed from the dict, which outlives the frame. */
        f->unvisited = g_hash_table_new(g_str_hash, g_str_equal);
        for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
            g_hash_table_add(f->unvisited, (gpointer)qdict_entry_key(e));
        }
    } else {
        f->entry = QTAILQ_FIRST(&qobject_to(QList, obj)->head);
        f->index = -1;
    }
    f->up = qiv->top;
    qiv->top = f;
}

static void input_frame_free(InputFrame *f)
{
    if (f->unvisited) {
        g_hash_table_unref(f->unvisited);
    }
    g_free(f);
}

static void input_pop(QObjectInputVisitor *qiv, void **obj)
{
    InputFrame *f = qiv->top;

    assert(f && f->qapi == obj);
    qiv->top = f->up;
    input_frame_free(f);
}

/* ---- Containers ------------------------------------------------------- */

static bool input_start_struct(Visitor *v, const char *name, void **obj,
                               size_t size, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = input_get(qiv, name, true, errp);

    if (obj) {
        *obj = NULL;
    }
    if (!qobj) {
        return false;
    }
    if (qobject_type(qobj) != QTYPE_QDICT) {
        return type_error(qiv, name, "object", errp);
    }
    input_push(qiv, name, qobj, obj);
    if (obj) {
        *obj = g_malloc0(size);
    }
    return true;
}

static bool input_check_struct(Visitor *v, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    InputFrame *f = qiv->top;
    QDict *dict;
    const QDictEntry *e;

    assert(f && f->unvisited);
    if (!g_hash_table_size(f->unvisited)) {
        return true;
    }
    /* Name the first stray key in input order, so errors are stable. */
    dict = qobject_to(QDict, f->obj);
    for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        if (g_hash_table_contains(f->unvisited, qdict_entry_key(e))) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       full_name(qiv, qdict_entry_key(e)));
            return false;
        }
    }
    g_assert_not_reached();
}

static void input_end_struct(Visitor *v, void **obj)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    assert(qiv->top && qiv->top->unvisited);
    input_pop(qiv, obj);
}

static bool input_start_list(Visitor *v, const char *name,
                             GenericList **list, size_t size, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = input_get(qiv, name, true, errp);

    if (list) {
        *list = NULL;
    }
    if (!qobj) {
        return false;
    }
    if (qobject_type(qobj) != QTYPE_QLIST) {
        return type_error(qiv, name, "array", errp);
    }
    input_push(qiv, name, qobj, list);
    if (list && qiv->top->entry) {
        *list = g_malloc0(size);
    }
    return true;
}

static GenericList *input_next_list(Visitor *v, GenericList *tail,
                                    size_t size)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    InputFrame *f = qiv->top;

    assert(f && qobject_type(f->obj) == QTYPE_QLIST);
    if (!f->entry) {
        return NULL;
    }
    tail->next = g_malloc0(size);
    return tail->next;
}

static bool input_check_list(Visitor *v, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    InputFrame *f = qiv->top;

    assert(f && qobject_type(f->obj) == QTYPE_QLIST);
    if (f->entry) {
        error_setg(errp, "Only %u list elements expected in %s",
                   f->index + 1, full_name_nth(qiv, NULL, 1));
        return false;
    }
    return true;
}

static void input_end_list(Visitor *v, void **obj)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    assert(qiv->top && !qiv->top->unvisited);
    input_pop(qiv, obj);
}

static bool input_start_alternate(Visitor *v, const char *name,
                                  GenericAlternate **obj, size_t size,
                                  Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    /* Not consumed: the branch's own visit takes the value. */
    QObject *qobj = input_get(qiv, name, false, errp);

    if (!qobj) {
        *obj = NULL;
        return false;
    }
    *obj = g_malloc0(size);
    (*obj)->type = qobject_type(qobj);
    return true;
}

static void input_optional(Visitor *v, const char *name, bool *present)
{
    *present = input_try_get(to_qiv(v), name, false) != NULL;
}

/* ---- Scalars, JSON typing --------------------------------------------- */

/*
 * The next value, consumed, if it has JSON type @type; otherwise NULL
 * with "missing" or "Invalid parameter type ..., expected: @expected".
 */
static QObject *input_get_typed(QObjectInputVisitor *qiv, const char *name,
                                QType type, const char *expected,
                                Error **errp)
{
    QObject *qobj = input_get(qiv, name, true, errp);

    if (qobj && qobject_type(qobj) != type) {
        type_error(qiv, name, expected, errp);
        return NULL;
    }
    return qobj;
}

static bool input_type_int64(Visitor *v, const char *name, int64_t *obj,
                             Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = input_get(qiv, name, true, errp);
    QNum *qnum;

    if (!qobj) {
        return false;
    }
    qnum = qobject_to(QNum, qobj);
    if (!qnum || !qnum_get_try_int(qnum, obj)) {
        return type_error(qiv, name, "integer", errp);
    }
    return true;
}

static bool input_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                              Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = input_get(qiv, name, true, errp);
    QNum *qnum;
    int64_t i64;

    if (!qobj) {
        return false;
    }
    qnum = qobject_to(QNum, qobj);
    if (qnum && qnum_get_try_uint(qnum, obj)) {
        return true;
    }
    /* QEMU takes -1 for 2^64 - 1 (old clients send it); so do we. */
    if (qnum && qnum_get_try_int(qnum, &i64)) {
        *obj = i64;
        return true;
    }
    return value_error(qiv, name, "uint64", errp);
}

static bool input_type_bool(Visitor *v, const char *name, bool *obj,
                            Error **errp)
{
    QObject *qobj = input_get_typed(to_qiv(v), name, QTYPE_QBOOL, "boolean",
                                    errp);

    if (!qobj) {
        return false;
    }
    *obj = qbool_get_bool(qobject_to(QBool, qobj));
    return true;
}

static bool input_type_str(Visitor *v, const char *name, char **obj,
                           Error **errp)
{
    QObject *qobj = input_get_typed(to_qiv(v), name, QTYPE_QSTRING, "string",
                                    errp);

    *obj = qobj ? g_strdup(qstring_get_str(qobject_to(QString, qobj))) : NULL;
    return qobj != NULL;
}

static bool input_type_number(Visitor *v, const char *name, double *obj,
                              Error **errp)
{
    QObject *qobj = input_get_typed(to_qiv(v), name, QTYPE_QNUM, "number",
                                    errp);

    if (!qobj) {
        return false;
    }
    *obj = qnum_get_double(qobject_to(QNum, qobj));
    return true;
}

static bool input_type_any(Visitor *v, const char *name, QObject **obj,
                           Error **errp)
{
    QObject *qobj = input_get(to_qiv(v), name, true, errp);

    *obj = qobj ? qobject_ref(qobj) : NULL;
    return qobj != NULL;
}

static bool input_type_null(Visitor *v, const char *name, QNull **obj,
                            Error **errp)
{
    QObject *qobj = input_get_typed(to_qiv(v), name, QTYPE_QNULL, "null",
                                    errp);

    *obj = qobj ? qnull() : NULL;
    return qobj != NULL;
}

/* ---- Scalars, keyval typing ------------------------------------------- */

static bool input_type_int64_keyval(Visitor *v, const char *name,
                                    int64_t *obj, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str = input_get_keyval(qiv, name, errp);
    char *end;
    long long val;

    if (!str) {
        return false;
    }
    /* A C literal ("-12", "0x10", "017") and nothing after it. */
    errno = 0;
    val = strtoll(str, &end, 0);
    if (end == str || *end || errno) {
        return value_error(qiv, name, "integer", errp);
    }
    *obj = val;
    return true;
}

static bool input_type_uint64_keyval(Visitor *v, const char *name,
                                     uint64_t *obj, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str = input_get_keyval(qiv, name, errp);
    char *end;
    unsigned long long val;

    if (!str) {
        return false;
    }
    /* As QEMU's qemu_strtou64(), "-1" wraps to 2^64 - 1. */
    errno = 0;
    val = strtoull(str, &end, 0);
    if (end == str || *end || errno) {
        return value_error(qiv, name, "integer", errp);
    }
    *obj = val;
    return true;
}

static bool input_type_size_keyval(Visitor *v, const char *name,
                                   uint64_t *obj, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str = input_get_keyval(qiv, name, errp);

    if (!str) {
        return false;
    }
    if (!parse_option_size(name ? name : "null", str, obj, NULL)) {
        return value_error(qiv, name, "size", errp);
    }
    return true;
}

static bool input_type_bool_keyval(Visitor *v, const char *name, bool *obj,
                                   Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str = input_get_keyval(qiv, name, errp);

    if (!str) {
        return false;
    }
    if (!qapi_bool_parse(name ? name : "null", str, obj, NULL)) {
        return value_error(qiv, name, "'on' or 'off'", errp);
    }
    return true;
}

static bool input_type_str_keyval(Visitor *v, const char *name, char **obj,
                                  Error **errp)
{
    const char *str = input_get_keyval(to_qiv(v), name, errp);

    *obj = g_strdup(str);
    return str != NULL;
}

static bool input_type_number_keyval(Visitor *v, const char *name,
                                     double *obj, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str = input_get_keyval(qiv, name, errp);
    char *end;
    double val;

    if (!str) {
        return false;
    }
    /* QEMU's qemu_strtod_finite(): no inf, nan or overflow. */
    errno = 0;
    val = strtod(str, &end);
    if (end == str || *end || errno || !isfinite(val)) {
        return type_error(qiv, name, "number", errp);
    }
    *obj = val;
    return true;
}

/* ---- Life cycle ------------------------------------------------------- */

static void input_free(Visitor *v)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    while (qiv->top) {
        InputFrame *f = qiv->top;

        qiv->top = f->up;
        input_frame_free(f);
    }
    qobject_unref(qiv->root);
    if (qiv->errname) {
        g_string_free(qiv->errname, TRUE);
    }
    g_free(qiv);
}

static QObjectInputVisitor *input_visitor_new(QObject *obj)
{
    QObjectInputVisitor *qiv = g_new0(QObjectInputVisitor, 1);

    assert(obj);
    qiv->visitor.type = VISITOR_INPUT;
    qiv->visitor.start_struct = input_start_struct;
    qiv->visitor.check_struct = input_check_struct;
    qiv->visitor.end_struct = input_end_struct;
    qiv->visitor.start_list = input_start_list;
    qiv->visitor.next_list = input_next_list;
    qiv->visitor.check_list = input_check_list;
    qiv->visitor.end_list = input_end_list;
    qiv->visitor.start_alternate = input_start_alternate;
    qiv->visitor.optional = input_optional;
    qiv->visitor.type_any = input_type_any;
    qiv->visitor.type_null = input_type_null;
    qiv->visitor.free = input_free;
    qiv->root = qobject_ref(obj);
    return qiv;
}

Visitor *qobject_input_visitor_new(QObject *obj)
{
    QObjectInputVisitor *qiv = input_visitor_new(obj);

    qiv->visitor.type_int64 = input_type_int64;
    qiv->visitor.type_uint64 = input_type_uint64;
    qiv->visitor.type_bool = input_type_bool;
    qiv->visitor.type_str = input_type_str;
    qiv->visitor.type_number = input_type_number;
    return &qiv->visitor;
}

bool qobject_input_visitor_is_keyval(Visitor *v)
{
    return v->free == input_free && to_qiv(v)->keyval;
}

Visitor *qobject_input_visitor_new_keyval(QObject *obj)
{
    QObjectInputVisitor *qiv = input_visitor_new(obj);

    qiv->keyval = true;
    qiv->visitor.type_int64 = input_type_int64_keyval;
    qiv->visitor.type_uint64 = input_type_uint64_keyval;
    qiv->visitor.type_size = input_type_size_keyval;
    qiv->visitor.type_bool = input_type_bool_keyval;
    qiv->visitor.type_str = input_type_str_keyval;
    qiv->visitor.type_number = input_type_number_keyval;
    return &qiv->visitor;
}
