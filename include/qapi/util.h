/*
 * QAPI helpers used by generated code: the string table of an enum and
 * the list-building macros.  Corresponds to QEMU's include/qapi/util.h.
 */
#ifndef QAPI_UTIL_H
#define QAPI_UTIL_H

#include "qcore/osdep.h"
#include "qcore/error.h"

/*
 * The names of an enum's values, indexed by value: what QAPI enums look
 * like on the wire.  Generated code defines one per enum type (FooLookup).
 */
typedef struct QEnumLookup {
    const char *const *array;
    int size;
} QEnumLookup;

/* The name of @val, which must be a value of the enum (asserted). */
const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);

/*
 * The value named @buf; @def when @buf is NULL, or when it names no value,
 * in which case errp gets "invalid parameter value: <buf>".
 */
int qapi_enum_parse(const QEnumLookup *lookup, const char *buf,
                    int def, Error **errp);

/*
 * Build a QAPI list (a struct with "next" and "value") in place.
 * QAPI_LIST_PREPEND(list, v): push @v at the head of @list.
 * QAPI_LIST_APPEND(tail, v): @tail points at the last "next" pointer
 * (start it at &list); it moves to the new element's.
 */
#define QAPI_LIST_PREPEND(list, element) do {                           \
    __typeof__(list) _tmp = g_malloc(sizeof(*(list)));                  \
    _tmp->value = (element);                                            \
    _tmp->next = (list);                                                \
    (list) = _tmp;                                                      \
} while (0)

#define QAPI_LIST_APPEND(tail, element) do {                            \
    *(tail) = g_malloc0(sizeof(**(tail)));                              \
    (*(tail))->value = (element);                                       \
    (tail) = &(*(tail))->next;                                          \
} while (0)

/* The number of elements of a QAPI list. */
#define QAPI_LIST_LENGTH(list) ({                                       \
    size_t _len = 0;                                                    \
    __typeof__(list) _elem;                                             \
    for (_elem = (list); _elem; _elem = _elem->next) {                  \
        _len++;                                                         \
    }                                                                   \
    _len;                                                               \
})

#endif
