/*
 * The visit_* entry points: argument checks shared by every visitor, then
 * a call to the visitor's callback; sized integers and enums are built
 * here on top of the 64-bit and string callbacks.
 * Corresponds to QEMU's qapi/qapi-visit-core.c.
 */
#include "qcore/osdep.h"
#include "qapi/visitor-impl.h"

void visit_complete(Visitor *v, void *opaque)
{
    assert(v->type != VISITOR_OUTPUT || v->complete);
    if (v->complete) {
        v->complete(v, opaque);
    }
}

void visit_free(Visitor *v)
{
    if (v) {
        v->free(v);
    }
}

bool visit_start_struct(Visitor *v, const char *name, void **obj,
                        size_t size, Error **errp)
{
    bool ok;

    if (obj) {
        assert(size);
        assert(!(v->type & VISITOR_OUTPUT) || *obj);
    }
    ok = v->start_struct(v, name, obj, size, errp);
    if (obj && (v->type & VISITOR_INPUT)) {
        /* An input visitor allocates exactly when it succeeds. */
        assert(ok == !!*obj);
    }
    return ok;
}

bool visit_check_struct(Visitor *v, Error **errp)
{
    return v->check_struct ? v->check_struct(v, errp) : true;
}

void visit_end_struct(Visitor *v, void **obj)
{
    v->end_struct(v, obj);
}

bool visit_start_list(Visitor *v, const char *name, GenericList **list,
                      size_t size, Error **errp)
{
    bool ok;

    assert(!list || size >= sizeof(GenericList));
    ok = v->start_list(v, name, list, size, errp);
    if (list && (v->type & VISITOR_INPUT)) {
        assert(ok || !*list);
    }
    return ok;
}

GenericList *visit_next_list(Visitor *v, GenericList *tail, size_t size)
{
    assert(tail && size >= sizeof(GenericList));
    return v->next_list(v, tail, size);
}

bool visit_check_list(Visitor *v, Error **errp)
{
    return v->check_list ? v->check_list(v, errp) : true;
}

void visit_end_list(Visitor *v, void **list)
{
    v->end_list(v, list);
}

bool visit_start_alternate(Visitor *v, const char *name,
                           GenericAlternate **obj, size_t size,
                           Error **errp)
{
    bool ok = true;

    assert(obj && size >= sizeof(GenericAlternate));
    assert(!(v->type & VISITOR_OUTPUT) || *obj);
    if (v->start_alternate) {
        ok = v->start_alternate(v, name, obj, size, errp);
    }
    if (v->type & VISITOR_INPUT) {
        assert(ok == !!*obj);
    }
    return ok;
}

void visit_end_alternate(Visitor *v, void **obj)
{
    if (v->end_alternate) {
        v->end_alternate(v, obj);
    }
}

bool visit_optional(Visitor *v, const char *name, bool *present)
{
    if (v->optional) {
        v->optional(v, name, present);
    }
    return *present;
}

/*
 * QEMU lets -compat deprecated-input=reject|crash and
 * deprecated-output=hide change these; qcore has no -compat, so deprecated
 * members are always accepted and always shown.
 */
bool visit_deprecated_accept(Visitor *v, const char *name, Error **errp)
{
    return true;
}

bool visit_deprecated(Visitor *v, const char *name)
{
    return true;
}

bool visit_is_input(Visitor *v)
{
    return v->type == VISITOR_INPUT;
}

bool visit_is_dealloc(Visitor *v)
{
    return v->type == VISITOR_DEALLOC;
}

/* ---- Integers --------------------------------------------------------- */

bool visit_type_int(Visitor *v, const char *name, int64_t *obj,
                    Error **errp)
{
    assert(obj);
    return v->type_int64(v, name, obj, errp);
}

/*
 * Visit through the 64-bit callback and check the range on the way in.
 * QEMU's message names the member alone, not its path ("null" for a list
 * element); kept so that errors read the same.
 */
static bool visit_type_intN(Visitor *v, const char *name, int64_t *value,
                            int64_t min, int64_t max, const char *type,
                            Error **errp)
{
    int64_t val = *value;

    if (!v->type_int64(v, name, &val, errp)) {
        return false;
    }
    if (val < min || val > max) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   type);
        return false;
    }
    *value = val;
    return true;
}

static bool visit_type_uintN(Visitor *v, const char *name, uint64_t *value,
                             uint64_t max, const char *type, Error **errp)
{
    uint64_t val = *value;

    if (!v->type_uint64(v, name, &val, errp)) {
        return false;
    }
    if (val > max) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   type);
        return false;
    }
    *value = val;
    return true;
}

#define DEFINE_VISIT_INT(bits)                                          \
bool visit_type_int##bits(Visitor *v, const char *name,                 \
                          int##bits##_t *obj, Error **errp)             \
{                                                                       \
    int64_t value;                                                      \
                                                                        \
    assert(obj);                                                        \
    value = *obj;                                                       \
    if (!visit_type_intN(v, name, &value, INT##bits##_MIN,              \
                         INT##bits##_MAX, "int" #bits, errp)) {         \
        return false;                                                   \
    }                                                                   \
    *obj = value;                                                       \
    return true;                                                        \
}

#define DEFINE_VISIT_UINT(bits)                                         \
bool visit_type_uint##bits(Visitor *v, const char *name,                \
                           uint##bits##_t *obj, Error **errp)           \
{                                                                       \
    uint64_t value;                                                     \
                                                                        \
    assert(obj);                                                        \
    value = *obj;                                                       \
    if (!visit_type_uintN(v, name, &value, UINT##bits##_MAX,            \
                          "uint" #bits, errp)) {                        \
        return false;                                                   \
    }                                                                   \
    *obj = value;                                                       \
    return true;                                                        \
}

DEFINE_VISIT_INT(8)
DEFINE_VISIT_INT(16)
DEFINE_VISIT_INT(32)
DEFINE_VISIT_UINT(8)
DEFINE_VISIT_UINT(16)
DEFINE_VISIT_UINT(32)

bool visit_type_int64(Visitor *v, const char *name, int64_t *obj,
                      Error **errp)
{
    assert(obj);
    return v->type_int64(v, name, obj, errp);
}

bool visit_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                       Error **errp)
{
    assert(obj);
    return v->type_uint64(v, name, obj, errp);
}

bool visit_type_size(Visitor *v, const char *name, uint64_t *obj,
                     Error **errp)
{
    assert(obj);
    if (v->type_size) {
        return v->type_size(v, name, obj, errp);
    }
    return v->type_uint64(v, name, obj, errp);
}

/* ---- Other scalars ---------------------------------------------------- */

bool visit_type_bool(Visitor *v, const char *name, bool *obj, Error **errp)
{
    assert(obj);
    return v->type_bool(v, name, obj, errp);
}

bool visit_type_str(Visitor *v, const char *name, char **obj, Error **errp)
{
    bool ok;

    assert(obj);
    /* An output visitor reads the string: NULL would be a caller bug. */
    assert(!(v->type & VISITOR_OUTPUT) || *obj);
    ok = v->type_str(v, name, obj, errp);
    if (v->type & VISITOR_INPUT) {
        assert(ok == !!*obj);
    }
    return ok;
}

bool visit_type_number(Visitor *v, const char *name, double *obj,
                       Error **errp)
{
    assert(obj);
    return v->type_number(v, name, obj, errp);
}

bool visit_type_any(Visitor *v, const char *name, QObject **obj,
                    Error **errp)
{
    bool ok;

    assert(obj);
    assert(v->type != VISITOR_OUTPUT || *obj);
    ok = v->type_any(v, name, obj, errp);
    if (v->type == VISITOR_INPUT) {
        assert(ok == !!*obj);
    }
    return ok;
}

bool visit_type_null(Visitor *v, const char *name, QNull **obj,
                     Error **errp)
{
    return v->type_null(v, name, obj, errp);
}

/* ---- Enums: the name on the wire, the int in C ------------------------ */

static bool output_type_enum(Visitor *v, const char *name, int *obj,
                             const QEnumLookup *lookup, Error **errp)
{
    /* Values come from C code; an invalid one is a bug, not input. */
    char *enum_str = (char *)qapi_enum_lookup(lookup, *obj);

    return visit_type_str(v, name, &enum_str, errp);
}

static bool input_type_enum(Visitor *v, const char *name, int *obj,
                            const QEnumLookup *lookup, Error **errp)
{
    char *enum_str;
    int value;

    if (!visit_type_str(v, name, &enum_str, errp)) {
        return false;
    }
    value = qapi_enum_parse(lookup, enum_str, -1, NULL);
    if (value < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   name ? name : "null", enum_str);
        g_free(enum_str);
        return false;
    }
    g_free(enum_str);
    *obj = value;
    return true;
}

bool visit_type_enum(Visitor *v, const char *name, int *obj,
                     const QEnumLookup *lookup, Error **errp)
{
    assert(obj && lookup);
    switch (v->type) {
    case VISITOR_INPUT:
        return input_type_enum(v, name, obj, lookup, errp);
    case VISITOR_OUTPUT:
        return output_type_enum(v, name, obj, lookup, errp);
    case VISITOR_CLONE:
    case VISITOR_DEALLOC:
        /* An enum is a plain int: nothing to copy or free. */
        return true;
    }
    g_assert_not_reached();
}
