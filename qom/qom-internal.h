/*
 * What the files of qom/ share and nobody else may use.  No QEMU
 * counterpart: QEMU keeps all of this static inside qom/object.c.
 */
#ifndef QOM_QOM_INTERNAL_H
#define QOM_QOM_INTERNAL_H

#include "qcore/object.h"

/* Release and free every property of @obj (finalization). */
void object_property_del_all(Object *obj);

/* Unlink and free @prop of @obj, calling its release first. */
void object_property_remove(Object *obj, ObjectProperty *prop);

/* Whether @prop is a child<> property (its opaque is the child). */
bool object_property_is_child(const ObjectProperty *prop);

#endif
