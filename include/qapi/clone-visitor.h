/*
 * Deep copies of QAPI values: QAPI_CLONE(Foo, src) walks @src with the
 * clone visitor and returns a copy that shares nothing with it (QObject
 * members are shared by reference, as they are immutable once built).
 * Corresponds to QEMU's include/qapi/clone-visitor.h.
 */
#ifndef QAPI_CLONE_VISITOR_H
#define QAPI_CLONE_VISITOR_H

#include "qapi/visitor.h"

typedef struct QapiCloneVisitor QapiCloneVisitor;

/* The implementation of QAPI_CLONE: NULL for a NULL @src. */
void *qapi_clone(const void *src,
                 bool (*visit_type)(Visitor *, const char *, void **,
                                    Error **));
/* The implementation of QAPI_CLONE_MEMBERS. */
void qapi_clone_members(void *dst, const void *src, size_t sz,
                        bool (*visit_type_members)(Visitor *, void *,
                                                   Error **));

/* A new deep copy of @src, a @type * (free it with qapi_free_@type). */
#define QAPI_CLONE(type, src)                                           \
    ((type *)qapi_clone(src,                                            \
                        (bool (*)(Visitor *, const char *, void **,     \
                                  Error **))visit_type_ ## type))

/*
 * Deep-copy the members of *@src into the caller's *@dst (e.g. a struct
 * embedded in another), overwriting whatever *@dst held.
 */
#define QAPI_CLONE_MEMBERS(type, dst, src)                              \
    qapi_clone_members(dst, src, sizeof(type),                          \
                       (bool (*)(Visitor *, void *,                     \
                                 Error **))visit_type_ ## type ## _members)

#endif
