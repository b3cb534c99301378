/*
 * QOM's QMP commands (qom-list, qom-get, qom-set, qom-list-types,
 * qom-list-properties, object-add, object-del) as plain functions that
 * return QObjects.  Corresponds to QEMU's qom/qom-qmp-cmds.c, without the
 * generated QAPI structs in between.
 *
 * Called by the monitor in the main thread with the BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/object-interfaces.h"
#include "qcore/qom-qmp-cmds.h"

QList *qmp_qom_list(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    QList *props;

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }

    props = qlist_new();
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        QDict *info = qdict_new();

        qdict_put_str(info, "name", prop->name);
        qdict_put_str(info, "type", prop->type);
        qlist_append(props, info);
    }
    return props;
}

/* qom-get and qom-set do not report ambiguity, exactly like QEMU. */
static Object *find_device(const char *path, Error **errp)
{
    Object *obj = object_resolve_path(path, NULL);

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", path);
    }
    return obj;
}

QObject *qmp_qom_get(const char *path, const char *property, Error **errp)
{
    Object *obj = find_device(path, errp);

    return obj ? object_property_get_qobject(obj, property, errp) : NULL;
}

void qmp_qom_set(const char *path, const char *property,
                 const QObject *value, Error **errp)
{
    Object *obj = find_device(path, errp);

    if (obj) {
        object_property_set_qobject(obj, property, value, errp);
    }
}

QList *qmp_qom_list_types(const char *implements, bool abstract,
                          Error **errp)
{
    GSList *list = object_class_get_list_sorted(implements, abstract);
    QList *types = qlist_new();

    for (GSList *l = list; l; l = l->next) {
        ObjectClass *klass = l->data;
        ObjectClass *parent = object_class_get_parent(klass);
        QDict *info = qdict_new();

        qdict_put_str(info, "name", object_class_get_name(klass));
        if (object_class_is_abstract(klass)) {
            qdict_put_bool(info, "abstract", true);
        }
        if (parent) {
            qdict_put_str(info, "parent", object_class_get_name(parent));
        }
        qlist_append(types, info);
    }
    g_slist_free(list);
    return types;
}

QList *qmp_qom_list_properties(const char *typename, Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    Object *obj = NULL;
    QList *props;

    if (!klass) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Class '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_OBJECT)) {
        error_setg(errp, "Parameter 'typename' expects a QOM type");
        return NULL;
    }

    /*
     * Instance properties exist only on an instance: make a throwaway one
     * (never completed, so a user-creatable type starts nothing).
     */
    if (object_class_is_abstract(klass)) {
        object_class_property_iter_init(&iter, klass);
    } else {
        obj = object_new_with_class(klass);
        object_property_iter_init(&iter, obj);
    }

    props = qlist_new();
    while ((prop = object_property_iter_next(&iter))) {
        QDict *info = qdict_new();

        qdict_put_str(info, "name", prop->name);
        qdict_put_str(info, "type", prop->type);
        if (prop->description) {
            qdict_put_str(info, "description", prop->description);
        }
        if (prop->defval) {
            qdict_put_obj(info, "default-value", qobject_ref(prop->defval));
        }
        qlist_append(props, info);
    }
    object_unref(obj);
    return props;
}

void qmp_object_add(const QDict *args, Error **errp)
{
    object_unref(user_creatable_add_dict(args, false, errp));
}

void qmp_object_del(const char *id, Error **errp)
{
    user_creatable_del(id, errp);
}
