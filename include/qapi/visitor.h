/*
 * The Visitor: one walk over a C data structure that, depending on the
 * visitor, fills it from a QObject (input), turns it into a QObject
 * (output) or frees it (dealloc).  QAPI-generated visit_type_Foo()
 * functions are written once against this interface.
 * Corresponds to QEMU's include/qapi/visitor.h.
 *
 * Shape of a visit (what generated code does for a struct):
 *
 *     if (!visit_start_struct(v, name, (void **)obj, sizeof(Foo), errp))
 *         return false;
 *     ...visit_type_int(v, "a", &(*obj)->a, errp), each member...
 *     ok = visit_check_struct(v, errp);       // input: no unknown keys
 *     visit_end_struct(v, (void **)obj);      // always, even on error
 *     if (!ok && visit_is_input(v)) {         // input: free what was built
 *         qapi_free_Foo(*obj); *obj = NULL;
 *     }
 *
 * Lists go visit_start_list / visit_next_list per element /
 * visit_check_list / visit_end_list; alternates (a value of one of
 * several types) start with visit_start_alternate, which reports the
 * QType of the input so the caller can pick the branch.
 *
 * Rules, as in QEMU: every function returning bool returns true on
 * success and false with errp set on failure.  An input visitor allocates
 * (*obj is set by start_* and type_str, NULL after a failure); an output
 * visitor reads *obj, which must be non-NULL for pointers; the dealloc
 * visitor frees and never fails.  After any failure the caller must still
 * call the matching end_* and then only visit_free().
 *
 * A visitor is used by one thread at a time; it holds no locks.
 */
#ifndef QAPI_VISITOR_H
#define QAPI_VISITOR_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/qobject.h"
#include "qapi/util.h"

typedef struct Visitor Visitor;

/* The common head of every QAPI list type (FooList). */
typedef struct GenericList {
    struct GenericList *next;
    char padding[];
} GenericList;

/* The common head of every QAPI alternate type: which branch it holds. */
typedef struct GenericAlternate {
    QType type;
    char padding[];
} GenericAlternate;

/* ---- Structs ---------------------------------------------------------- */

/*
 * Begin visiting the struct @name (NULL at the root and in lists).
 * @obj may be NULL to visit a QObject dict without a C struct (virtual
 * walk); otherwise input allocates *obj (@size bytes, zeroed).
 * Input errors: "Parameter 'x' is missing", "Invalid parameter type for
 * 'x', expected: object".
 */
bool visit_start_struct(Visitor *v, const char *name, void **obj,
                        size_t size, Error **errp);
/* Input: fail with "Parameter 'x' is unexpected" on a member not visited. */
bool visit_check_struct(Visitor *v, Error **errp);
/* End the struct; @obj must be what visit_start_struct was given. */
void visit_end_struct(Visitor *v, void **obj);

/* ---- Lists ------------------------------------------------------------ */

/*
 * Begin visiting the list @name; input sets *list to the first element
 * (@size bytes, zeroed) or NULL for an empty list.
 */
bool visit_start_list(Visitor *v, const char *name, GenericList **list,
                      size_t size, Error **errp);
/*
 * Move past @tail: return the next element (input allocates it), or NULL
 * at the end.  The dealloc visitor frees @tail here.
 */
GenericList *visit_next_list(Visitor *v, GenericList *tail, size_t size);
/* Input, after a virtual walk: fail if the list has elements left. */
bool visit_check_list(Visitor *v, Error **errp);
void visit_end_list(Visitor *v, void **list);

/* ---- Alternates ------------------------------------------------------- */

/*
 * Begin visiting the alternate @name: input allocates *obj and sets
 * (*obj)->type to the QType of the value found, without consuming it.
 */
bool visit_start_alternate(Visitor *v, const char *name,
                           GenericAlternate **obj, size_t size,
                           Error **errp);
void visit_end_alternate(Visitor *v, void **obj);

/* ---- Optional and deprecated members ---------------------------------- */

/*
 * Whether the optional member @name is there.  Input sets *present from
 * the data; the other visitors leave it alone (it says whether to visit).
 * Returns *present.
 */
bool visit_optional(Visitor *v, const char *name, bool *present);
/* Whether the deprecated member @name may be visited (always, here). */
bool visit_deprecated_accept(Visitor *v, const char *name, Error **errp);
/* Whether the deprecated member @name should be visited (always, here). */
bool visit_deprecated(Visitor *v, const char *name);

/* ---- Visitor kind ----------------------------------------------------- */

bool visit_is_input(Visitor *v);
bool visit_is_dealloc(Visitor *v);

/* ---- Scalars ---------------------------------------------------------- */

/*
 * Integers.  Input errors: "Invalid parameter type for 'x', expected:
 * integer" for a non-integer; for the sized types, a value out of range
 * gives "Parameter 'x' expects int8" (uint16, ...), naming the member
 * without its path, as QEMU.  visit_type_uint64 accepts negative input
 * numbers (two's complement), as QEMU does for compatibility; anything
 * else gives "Parameter 'x' expects uint64".
 */
bool visit_type_int(Visitor *v, const char *name, int64_t *obj,
                    Error **errp);
bool visit_type_int8(Visitor *v, const char *name, int8_t *obj,
                     Error **errp);
bool visit_type_int16(Visitor *v, const char *name, int16_t *obj,
                      Error **errp);
bool visit_type_int32(Visitor *v, const char *name, int32_t *obj,
                      Error **errp);
bool visit_type_int64(Visitor *v, const char *name, int64_t *obj,
                      Error **errp);
bool visit_type_uint8(Visitor *v, const char *name, uint8_t *obj,
                      Error **errp);
bool visit_type_uint16(Visitor *v, const char *name, uint16_t *obj,
                       Error **errp);
bool visit_type_uint32(Visitor *v, const char *name, uint32_t *obj,
                       Error **errp);
bool visit_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                       Error **errp);
/* A byte count: a uint64, but keyval input accepts suffixes ("64k"). */
bool visit_type_size(Visitor *v, const char *name, uint64_t *obj,
                     Error **errp);
bool visit_type_bool(Visitor *v, const char *name, bool *obj,
                     Error **errp);
/* Input allocates *obj (g_free it); output needs *obj non-NULL. */
bool visit_type_str(Visitor *v, const char *name, char **obj,
                    Error **errp);
bool visit_type_number(Visitor *v, const char *name, double *obj,
                       Error **errp);
/* Any QObject; input gives a new reference in *obj. */
bool visit_type_any(Visitor *v, const char *name, QObject **obj,
                    Error **errp);
/* JSON null; input gives a reference to the qnull() singleton. */
bool visit_type_null(Visitor *v, const char *name, QNull **obj,
                     Error **errp);
/*
 * An enum, as its name on the wire.  Input error: "Parameter 'x' does
 * not accept value 'y'".  Output asserts that *obj is a valid value.
 */
bool visit_type_enum(Visitor *v, const char *name, int *obj,
                     const QEnumLookup *lookup, Error **errp);

/* ---- Life cycle ------------------------------------------------------- */

/*
 * Finish the visit: the output visitor stores its result in the QObject
 * ** it was created with (@opaque must be that pointer).  No-op for the
 * other visitors.
 */
void visit_complete(Visitor *v, void *opaque);
/* Free @v (NULL is a no-op), also in the middle of a failed visit. */
void visit_free(Visitor *v);

#endif
