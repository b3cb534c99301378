/*
 * The QObject input visitor: fills C data from a QObject (a QMP command's
 * arguments, a parsed -object option).  Corresponds to QEMU's
 * include/qapi/qobject-input-visitor.h.
 */
#ifndef QAPI_QOBJECT_INPUT_VISITOR_H
#define QAPI_QOBJECT_INPUT_VISITOR_H

#include "qapi/visitor.h"

typedef struct QObjectInputVisitor QObjectInputVisitor;

/*
 * A visitor reading @obj, which it references until visit_free().
 * Scalars must have their JSON type: an int member wants a number
 * (QMP's strict typing).  Errors name members by their path from the
 * root: "Parameter 'a.b' is missing", "... 'list[2]' ...".
 */
Visitor *qobject_input_visitor_new(QObject *obj);

/*
 * The same for a QDict made by keyval_parse(): every scalar is a string
 * parsed per the visited type: integers as C literals ("0x10"), sizes
 * with suffixes ("64k", "1.5G"), booleans "on"/"off" (and "yes", "true",
 * "y", "no", "false", "n"), numbers as strtod.  List elements are named
 * "list.2" in errors, as keyval spells them.
 */
Visitor *qobject_input_visitor_new_keyval(QObject *obj);

/*
 * Whether @v came from qobject_input_visitor_new_keyval() (qcore only:
 * QOM's Visitor adapter parses keyval text with the property's type, as
 * QEMU's QemuOpts-based -object does, since qcore's property setters take
 * typed QObjects).
 */
bool qobject_input_visitor_is_keyval(Visitor *v);

#endif
