/*
 * The QObject output visitor: turns C data into a QObject (a QMP answer,
 * a QOM property value).  Corresponds to QEMU's
 * include/qapi/qobject-output-visitor.h.
 */
#ifndef QAPI_QOBJECT_OUTPUT_VISITOR_H
#define QAPI_QOBJECT_OUTPUT_VISITOR_H

#include "qapi/visitor.h"

typedef struct QObjectOutputVisitor QObjectOutputVisitor;

/*
 * A visitor building one QObject; visit_complete(v, result) stores a new
 * reference to it in *@result.  A NULL string is output as "".
 *
 *     QObject *ret;
 *     Visitor *v = qobject_output_visitor_new(&ret);
 *     visit_type_Foo(v, NULL, &foo, &error_abort);
 *     visit_complete(v, &ret);
 *     visit_free(v);
 */
Visitor *qobject_output_visitor_new(QObject **result);

#endif
