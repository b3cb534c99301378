/*
 * The QOM commands of QMP as plain C functions, for the monitor to
 * dispatch: qom-list, qom-get, qom-set, qom-list-types,
 * qom-list-properties, object-add, object-del.  Corresponds to the QOM
 * part of QEMU's generated qapi/qapi-commands-qom.h.
 *
 * Arguments are already checked for presence and JSON type by the
 * caller (the monitor's argument checking); results are new QObject
 * references shaped as QEMU's QAPI types serialize.  Errors carry QEMU's
 * classes and messages.  Main thread, BQL held.
 */
#ifndef QCORE_QOM_QMP_CMDS_H
#define QCORE_QOM_QMP_CMDS_H

#include "qcore/object.h"

/*
 * [{"name": ..., "type": ...}, ...] for the properties of the object at
 * @path.  DeviceNotFound "Device 'p' not found", or "Path 'p' is
 * ambiguous".
 */
QList *qmp_qom_list(const char *path, Error **errp);

/* The value of @property of the object at @path (new reference). */
QObject *qmp_qom_get(const char *path, const char *property, Error **errp);

/* Set @property of the object at @path to @value. */
void qmp_qom_set(const char *path, const char *property,
                 const QObject *value, Error **errp);

/*
 * [{"name": ..., "abstract"?: true, "parent"?: ...}, ...] sorted by name:
 * the types implementing @implements (NULL: all), abstract ones only if
 * @abstract.
 */
QList *qmp_qom_list_types(const char *implements, bool abstract,
                          Error **errp);

/*
 * [{"name", "type", "description"?, "default-value"?}, ...]: the
 * properties an instance of @typename has (for an abstract type, its
 * class properties).  DeviceNotFound "Class 'x' not found".
 */
QList *qmp_qom_list_properties(const char *typename, Error **errp);

/* object-add: @args holds "qom-type", "id" and the properties. */
void qmp_object_add(const QDict *args, Error **errp);

/* object-del. */
void qmp_object_del(const char *id, Error **errp);

#endif
