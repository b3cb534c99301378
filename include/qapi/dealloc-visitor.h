/*
 * The dealloc visitor: frees C data built by an input visitor (what
 * generated qapi_free_Foo() uses).  It never fails, and copes with
 * partially built data (a NULL member, a list cut short).
 * Corresponds to QEMU's include/qapi/dealloc-visitor.h.
 */
#ifndef QAPI_DEALLOC_VISITOR_H
#define QAPI_DEALLOC_VISITOR_H

#include "qapi/visitor.h"

typedef struct QapiDeallocVisitor QapiDeallocVisitor;

Visitor *qapi_dealloc_visitor_new(void);

#endif
