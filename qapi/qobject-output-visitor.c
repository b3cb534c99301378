/*
 * The QObject output visitor: builds a QObject tree from C data, one
 * container per open struct or list.
 * Corresponds to QEMU's qapi/qobject-output-visitor.c.
 */
#include "qcore/osdep.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/visitor-impl.h"

/* One open container; the parent holds the reference to @value. */
typedef struct OutputFrame {
    QObject *value;             /* QDict or QList */
    void *qapi;                 /* start_*'s C pointer, checked at end_* */
    struct OutputFrame *up;
} OutputFrame;

struct QObjectOutputVisitor {
    Visitor visitor;
    OutputFrame *top;
    QObject *root;              /* referenced; NULL until the first value */
    QObject **result;           /* where visit_complete() stores root */
};

static QObjectOutputVisitor *to_qov(Visitor *v)
{
    return container_of(v, QObjectOutputVisitor, visitor);
}

/* Put @value (reference taken over) where the walk is. */
static void output_add(QObjectOutputVisitor *qov, const char *name,
                       QObject *value)
{
    OutputFrame *f = qov->top;

    if (!f) {
        /* One value per visit at the root. */
        assert(!qov->root);
        qov->root = value;
        return;
    }
    switch (qobject_type(f->value)) {
    case QTYPE_QDICT:
        assert(name);
        qdict_put_obj(qobject_to(QDict, f->value), name, value);
        break;
    case QTYPE_QLIST:
        assert(!name);
        qlist_append_obj(qobject_to(QList, f->value), value);
        break;
    default:
        g_assert_not_reached();
    }
}

static void output_push(QObjectOutputVisitor *qov, QObject *value,
                        void *qapi)
{
    OutputFrame *f = g_new(OutputFrame, 1);

    f->value = value;
    f->qapi = qapi;
    f->up = qov->top;
    qov->top = f;
}

static QObject *output_pop(QObjectOutputVisitor *qov, void *qapi)
{
    OutputFrame *f = qov->top;
    QObject *value;

    assert(f && f->qapi == qapi);
    value = f->value;
    qov->top = f->up;
    g_free(f);
    return value;
}

static bool output_start_struct(Visitor *v, const char *name, void **obj,
                                size_t size, Error **errp)
{
    QObjectOutputVisitor *qov = to_qov(v);
    QDict *dict = qdict_new();

    output_add(qov, name, QOBJECT(dict));
    output_push(qov, QOBJECT(dict), obj);
    return true;
}

static void output_end_struct(Visitor *v, void **obj)
{
    QObject *value = output_pop(to_qov(v), obj);

    assert(qobject_type(value) == QTYPE_QDICT);
}

static bool output_start_list(Visitor *v, const char *name,
                              GenericList **list, size_t size, Error **errp)
{
    QObjectOutputVisitor *qov = to_qov(v);
    QList *qlist = qlist_new();

    output_add(qov, name, QOBJECT(qlist));
    output_push(qov, QOBJECT(qlist), list);
    return true;
}

static GenericList *output_next_list(Visitor *v, GenericList *tail,
                                     size_t size)
{
    return tail->next;
}

static void output_end_list(Visitor *v, void **obj)
{
    QObject *value = output_pop(to_qov(v), obj);

    assert(qobject_type(value) == QTYPE_QLIST);
}

static bool output_type_int64(Visitor *v, const char *name, int64_t *obj,
                              Error **errp)
{
    output_add(to_qov(v), name, QOBJECT(qnum_from_int(*obj)));
    return true;
}

static bool output_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                               Error **errp)
{
    output_add(to_qov(v), name, QOBJECT(qnum_from_uint(*obj)));
    return true;
}

static bool output_type_bool(Visitor *v, const char *name, bool *obj,
                             Error **errp)
{
    output_add(to_qov(v), name, QOBJECT(qbool_from_bool(*obj)));
    return true;
}

static bool output_type_str(Visitor *v, const char *name, char **obj,
                            Error **errp)
{
    output_add(to_qov(v), name,
               QOBJECT(qstring_from_str(*obj ? *obj : "")));
    return true;
}

static bool output_type_number(Visitor *v, const char *name, double *obj,
                               Error **errp)
{
    output_add(to_qov(v), name, QOBJECT(qnum_from_double(*obj)));
    return true;
}

static bool output_type_any(Visitor *v, const char *name, QObject **obj,
                            Error **errp)
{
    output_add(to_qov(v), name, qobject_ref(*obj));
    return true;
}

static bool output_type_null(Visitor *v, const char *name, QNull **obj,
                             Error **errp)
{
    output_add(to_qov(v), name, QOBJECT(qnull()));
    return true;
}

static void output_complete(Visitor *v, void *opaque)
{
    QObjectOutputVisitor *qov = to_qov(v);

    assert(opaque == qov->result);
    assert(qov->root && !qov->top);
    *qov->result = qobject_ref(qov->root);
}

static void output_free(Visitor *v)
{
    QObjectOutputVisitor *qov = to_qov(v);

    /* Frames only borrow their containers; root owns them all. */
    while (qov->top) {
        output_pop(qov, qov->top->qapi);
    }
    qobject_unref(qov->root);
    g_free(qov);
}

Visitor *qobject_output_visitor_new(QObject **result)
{
    QObjectOutputVisitor *qov = g_new0(QObjectOutputVisitor, 1);

    qov->visitor.type = VISITOR_OUTPUT;
    qov->visitor.start_struct = output_start_struct;
    qov->visitor.end_struct = output_end_struct;
    qov->visitor.start_list = output_start_list;
    qov->visitor.next_list = output_next_list;
    qov->visitor.end_list = output_end_list;
    qov->visitor.type_int64 = output_type_int64;
    qov->visitor.type_uint64 = output_type_uint64;
    qov->visitor.type_bool = output_type_bool;
    qov->visitor.type_str = output_type_str;
    qov->visitor.type_number = output_type_number;
    qov->visitor.type_any = output_type_any;
    qov->visitor.type_null = output_type_null;
    qov->visitor.complete = output_complete;
    qov->visitor.free = output_free;
    *result = NULL;
    qov->result = result;
    return &qov->visitor;
}
