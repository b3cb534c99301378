/*
 * The QAPI built-in types that schemas use without defining: lists of
 * every scalar (strList, intList, ...) and the QType enum's name table.
 * Corresponds to QEMU's generated qapi-builtin-types.h (written by hand
 * here, in the shape the generator emits).
 */
#ifndef QAPI_BUILTIN_TYPES_H
#define QAPI_BUILTIN_TYPES_H

#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qapi/util.h"

/*
 * QType itself is qcore's enum (qcore/qobject.h), whose values are in
 * QEMU's order; alternates store one in their "type" member.
 * Names: "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool".
 */
extern const QEnumLookup QType_lookup;
#define QType_str(val) qapi_enum_lookup(&QType_lookup, (val))

/*
 * NameList: struct NameList { NameList *next; T value; }, freed (with its
 * values) by qapi_free_NameList(), usable with g_autoptr.
 */
#define QAPI_BUILTIN_LIST_DECLARE(List, T)                              \
    typedef struct List List;                                           \
    struct List {                                                       \
        List *next;                                                     \
        T value;                                                        \
    };                                                                  \
    void qapi_free_##List(List *obj);                                   \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(List, qapi_free_##List)

QAPI_BUILTIN_LIST_DECLARE(strList, char *)
QAPI_BUILTIN_LIST_DECLARE(numberList, double)
QAPI_BUILTIN_LIST_DECLARE(intList, int64_t)
QAPI_BUILTIN_LIST_DECLARE(int8List, int8_t)
QAPI_BUILTIN_LIST_DECLARE(int16List, int16_t)
QAPI_BUILTIN_LIST_DECLARE(int32List, int32_t)
QAPI_BUILTIN_LIST_DECLARE(int64List, int64_t)
QAPI_BUILTIN_LIST_DECLARE(uint8List, uint8_t)
QAPI_BUILTIN_LIST_DECLARE(uint16List, uint16_t)
QAPI_BUILTIN_LIST_DECLARE(uint32List, uint32_t)
QAPI_BUILTIN_LIST_DECLARE(uint64List, uint64_t)
QAPI_BUILTIN_LIST_DECLARE(sizeList, uint64_t)
QAPI_BUILTIN_LIST_DECLARE(boolList, bool)
QAPI_BUILTIN_LIST_DECLARE(anyList, QObject *)
QAPI_BUILTIN_LIST_DECLARE(nullList, QNull *)
QAPI_BUILTIN_LIST_DECLARE(QTypeList, QType)

#endif
