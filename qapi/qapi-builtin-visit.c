/*
 * Visit functions of the QAPI built-in list types and of QType, in the
 * shape QEMU's generator emits for every list type.
 * Corresponds to QEMU's generated qapi-builtin-visit.c.
 */
#include "qcore/osdep.h"
#include "qapi/qapi-builtin-visit.h"

/*
 * Start the list, visit each element with @visit_elem, check nothing was
 * left over, end it; on input failure free what was built so the caller
 * gets NULL, as for every QAPI type.
 */
#define QAPI_BUILTIN_LIST_VISIT(List, visit_elem)                       \
bool visit_type_##List(Visitor *v, const char *name, List **obj,        \
                       Error **errp)                                    \
{                                                                       \
    bool ok = false;                                                    \
    List *tail;                                                         \
    size_t size = sizeof(**obj);                                        \
                                                                        \
    if (!visit_start_list(v, name, (GenericList **)obj, size, errp)) {  \
        return false;                                                   \
    }                                                                   \
    for (tail = *obj; tail;                                             \
         tail = (List *)visit_next_list(v, (GenericList *)tail, size)) {\
        if (!visit_elem(v, NULL, &tail->value, errp)) {                 \
            goto out_obj;                                               \
        }                                                               \
    }                                                                   \
    ok = visit_check_list(v, errp);                                     \
out_obj:                                                                \
    visit_end_list(v, (void **)obj);                                    \
    if (!ok && visit_is_input(v)) {                                     \
        qapi_free_##List(*obj);                                         \
        *obj = NULL;                                                    \
    }                                                                   \
    return ok;                                                          \
}

QAPI_BUILTIN_LIST_VISIT(strList, visit_type_str)
QAPI_BUILTIN_LIST_VISIT(numberList, visit_type_number)
QAPI_BUILTIN_LIST_VISIT(intList, visit_type_int)
QAPI_BUILTIN_LIST_VISIT(int8List, visit_type_int8)
QAPI_BUILTIN_LIST_VISIT(int16List, visit_type_int16)
QAPI_BUILTIN_LIST_VISIT(int32List, visit_type_int32)
QAPI_BUILTIN_LIST_VISIT(int64List, visit_type_int64)
QAPI_BUILTIN_LIST_VISIT(uint8List, visit_type_uint8)
QAPI_BUILTIN_LIST_VISIT(uint16List, visit_type_uint16)
QAPI_BUILTIN_LIST_VISIT(uint32List, visit_type_uint32)
QAPI_BUILTIN_LIST_VISIT(uint64List, visit_type_uint64)
QAPI_BUILTIN_LIST_VISIT(sizeList, visit_type_size)
QAPI_BUILTIN_LIST_VISIT(boolList, visit_type_bool)
QAPI_BUILTIN_LIST_VISIT(anyList, visit_type_any)
QAPI_BUILTIN_LIST_VISIT(nullList, visit_type_null)
QAPI_BUILTIN_LIST_VISIT(QTypeList, visit_type_QType)

bool visit_type_QType(Visitor *v, const char *name, QType *obj,
                      Error **errp)
{
    int value = *obj;
    bool ok = visit_type_enum(v, name, &value, &QType_lookup, errp);

    *obj = value;
    return ok;
}
