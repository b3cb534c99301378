/*
 * Freeing the QAPI built-in list types, and the QType name table.
 * Corresponds to QEMU's generated qapi-builtin-types.c.
 */
#include "qcore/osdep.h"
#include "qapi/dealloc-visitor.h"
#include "qapi/qapi-builtin-types.h"
#include "qapi/qapi-builtin-visit.h"

const QEnumLookup QType_lookup = {
    .array = (const char *const[]) {
        [QTYPE_NONE] = "none",
        [QTYPE_QNULL] = "qnull",
        [QTYPE_QNUM] = "qnum",
        [QTYPE_QSTRING] = "qstring",
        [QTYPE_QDICT] = "qdict",
        [QTYPE_QLIST] = "qlist",
        [QTYPE_QBOOL] = "qbool",
    },
    .size = QTYPE__MAX,
};

/* As generated code frees any QAPI value: a dealloc walk over it. */
#define QAPI_BUILTIN_LIST_FREE(List)                                    \
void qapi_free_##List(List *obj)                                        \
{                                                                       \
    Visitor *v;                                                         \
                                                                        \
    if (!obj) {                                                         \
        return;                                                         \
    }                                                                   \
    v = qapi_dealloc_visitor_new();                                     \
    visit_type_##List(v, NULL, &obj, NULL);                             \
    visit_free(v);                                                      \
}

QAPI_BUILTIN_LIST_FREE(strList)
QAPI_BUILTIN_LIST_FREE(numberList)
QAPI_BUILTIN_LIST_FREE(intList)
QAPI_BUILTIN_LIST_FREE(int8List)
QAPI_BUILTIN_LIST_FREE(int16List)
QAPI_BUILTIN_LIST_FREE(int32List)
QAPI_BUILTIN_LIST_FREE(int64List)
QAPI_BUILTIN_LIST_FREE(uint8List)
QAPI_BUILTIN_LIST_FREE(uint16List)
QAPI_BUILTIN_LIST_FREE(uint32List)
QAPI_BUILTIN_LIST_FREE(uint64List)
QAPI_BUILTIN_LIST_FREE(sizeList)
QAPI_BUILTIN_LIST_FREE(boolList)
QAPI_BUILTIN_LIST_FREE(anyList)
QAPI_BUILTIN_LIST_FREE(nullList)
QAPI_BUILTIN_LIST_FREE(QTypeList)
