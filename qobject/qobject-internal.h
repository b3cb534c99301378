/*
 * Private to qobject/: how each type is initialised and freed.
 * Corresponds to the destroy functions QEMU keeps in qobject/qobject.c.
 */
#ifndef QOBJECT_INTERNAL_H
#define QOBJECT_INTERNAL_H

#include "qcore/qobject.h"

static inline void qobject_init(QObject *obj, QType type)
{
    assert(QTYPE_NONE < type && type < QTYPE__MAX);
    obj->base.refcnt = 1;
    obj->base.type = type;
}

void qnum_destroy_obj(QObject *obj);
void qbool_destroy_obj(QObject *obj);
void qstring_destroy_obj(QObject *obj);
void qdict_destroy_obj(QObject *obj);
void qlist_destroy_obj(QObject *obj);

#endif
