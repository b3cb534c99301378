/*
 * The clone visitor: a walk over a QAPI value that replaces every pointer
 * it meets with a copy of what it points to, turning a shallow copy into
 * a deep one.  Corresponds to QEMU's qapi/qapi-clone-visitor.c.
 */
#include "qcore/osdep.h"
#include "qapi/clone-visitor.h"
#include "qapi/visitor-impl.h"

struct QapiCloneVisitor {
    Visitor visitor;
    /*
     * How many containers are open.  Scalars are copied along with their
     * container's memory, so one at depth 0 would be a caller bug.
     */
    size_t depth;
};

static QapiCloneVisitor *to_qcv(Visitor *v)
{
    return container_of(v, QapiCloneVisitor, visitor);
}

/* g_memdup2() without its glib 2.68 (meson.build asks for 2.66). */
static void *clone_bytes(const void *src, size_t size)
{
    return src ? memcpy(g_malloc(size), src, size) : NULL;
}

/* Replace *@obj, still the source's pointer, by a copy of its @size bytes. */
static bool clone_start_struct(Visitor *v, const char *name, void **obj,
                               size_t size, Error **errp)
{
    QapiCloneVisitor *qcv = to_qcv(v);

    if (!obj) {
        /* An alternate's struct branch, whose members are inline. */
        assert(qcv->depth);
        return true;
    }
    *obj = clone_bytes(*obj, size);
    qcv->depth++;
    return true;
}

static void clone_end_struct(Visitor *v, void **obj)
{
    QapiCloneVisitor *qcv = to_qcv(v);

    if (obj) {
        assert(qcv->depth);
        qcv->depth--;
    }
}

static bool clone_start_list(Visitor *v, const char *name,
                             GenericList **listp, size_t size, Error **errp)
{
    return clone_start_struct(v, name, (void **)listp, size, errp);
}

/* @tail is already our copy; its next is still the source's. */
static GenericList *clone_next_list(Visitor *v, GenericList *tail,
                                    size_t size)
{
    assert(to_qcv(v)->depth);
    tail->next = clone_bytes(tail->next, size);
    return tail->next;
}

static bool clone_start_alternate(Visitor *v, const char *name,
                                  GenericAlternate **obj, size_t size,
                                  Error **errp)
{
    return clone_start_struct(v, name, (void **)obj, size, errp);
}

/* Plain scalars came with their container's bytes: nothing to do. */
static bool clone_type_int64(Visitor *v, const char *name, int64_t *obj,
                             Error **errp)
{
    assert(to_qcv(v)->depth);
    return true;
}

static bool clone_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                              Error **errp)
{
    assert(to_qcv(v)->depth);
    return true;
}

static bool clone_type_bool(Visitor *v, const char *name, bool *obj,
                            Error **errp)
{
    assert(to_qcv(v)->depth);
    return true;
}

static bool clone_type_number(Visitor *v, const char *name, double *obj,
                              Error **errp)
{
    assert(to_qcv(v)->depth);
    return true;
}

static bool clone_type_str(Visitor *v, const char *name, char **obj,
                           Error **errp)
{
    assert(to_qcv(v)->depth);
    /* As the output visitor does, a NULL string becomes "". */
    *obj = g_strdup(*obj ? *obj : "");
    return true;
}

static bool clone_type_any(Visitor *v, const char *name, QObject **obj,
                           Error **errp)
{
    assert(to_qcv(v)->depth);
    *obj = qobject_ref(*obj);
    return true;
}

static bool clone_type_null(Visitor *v, const char *name, QNull **obj,
                            Error **errp)
{
    assert(to_qcv(v)->depth);
    *obj = qnull();
    return true;
}

static void clone_free(Visitor *v)
{
    g_free(to_qcv(v));
}

static Visitor *qapi_clone_visitor_new(void)
{
    QapiCloneVisitor *qcv = g_new0(QapiCloneVisitor, 1);

    qcv->visitor.type = VISITOR_CLONE;
    qcv->visitor.start_struct = clone_start_struct;
    qcv->visitor.end_struct = clone_end_struct;
    qcv->visitor.start_list = clone_start_list;
    qcv->visitor.next_list = clone_next_list;
    qcv->visitor.end_list = clone_end_struct;
    qcv->visitor.start_alternate = clone_start_alternate;
    qcv->visitor.end_alternate = clone_end_struct;
    qcv->visitor.type_int64 = clone_type_int64;
    qcv->visitor.type_uint64 = clone_type_uint64;
    qcv->visitor.type_bool = clone_type_bool;
    qcv->visitor.type_str = clone_type_str;
    qcv->visitor.type_number = clone_type_number;
    qcv->visitor.type_any = clone_type_any;
    qcv->visitor.type_null = clone_type_null;
    qcv->visitor.free = clone_free;
    return &qcv->visitor;
}

void *qapi_clone(const void *src,
                 bool (*visit_type)(Visitor *, const char *, void **,
                                    Error **))
{
    Visitor *v;
    void *dst = (void *)src;

    if (!src) {
        return NULL;
    }
    v = qapi_clone_visitor_new();
    visit_type(v, NULL, &dst, &error_abort);
    visit_free(v);
    return dst;
}

void qapi_clone_members(void *dst, const void *src, size_t sz,
                        bool (*visit_type_members)(Visitor *, void *,
                                                   Error **))
{
    Visitor *v = qapi_clone_visitor_new();

    memcpy(dst, src, sz);
    to_qcv(v)->depth++;
    visit_type_members(v, dst, &error_abort);
    visit_free(v);
}
