/*
 * QOM's QMP commands (qom-list, qom-get, qom-set, qom-list-types,
 * qom-list-properties, object-add, object-del), as declared by
 * qapi/qom.json.  Corresponds to QEMU's qom/qom-qmp-cmds.c.
 *
 * Called by the monitor in the main thread with the BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/object-interfaces.h"
#include "qapi/qapi-commands.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/qapi-visit.h"

static ObjectPropertyInfo *property_info(const ObjectProperty *prop)
{
    ObjectPropertyInfo *info = g_new0(ObjectPropertyInfo, 1);

    info->name = g_strdup(prop->name);
    info->type = g_strdup(prop->type);
    return info;
}

ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    ObjectPropertyInfoList *props = NULL, **tail = &props;

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }

    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        QAPI_LIST_APPEND(tail, property_info(prop));
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

void qmp_qom_set(const char *path, const char *property, QObject *value,
                 Error **errp)
{
    Object *obj = find_device(path, errp);

    if (obj) {
        object_property_set_qobject(obj, property, value, errp);
    }
}

ObjectTypeInfoList *qmp_qom_list_types(const char *implements,
                                       bool has_abstract, bool abstract,
                                       Error **errp)
{
    GSList *list = object_class_get_list_sorted(implements,
                                                has_abstract && abstract);
    ObjectTypeInfoList *types = NULL, **tail = &types;

    for (GSList *l = list; l; l = l->next) {
        ObjectClass *klass = l->data;
        ObjectClass *parent = object_class_get_parent(klass);
        ObjectTypeInfo *info = g_new0(ObjectTypeInfo, 1);

        info->name = g_strdup(object_class_get_name(klass));
        if (object_class_is_abstract(klass)) {
            info->has_abstract = info->abstract = true;
        }
        if (parent) {
            info->parent = g_strdup(object_class_get_name(parent));
        }
        QAPI_LIST_APPEND(tail, info);
    }
    g_slist_free(list);
    return types;
}

ObjectPropertyInfoList *qmp_qom_list_properties(const char *typename,
                                                Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    Object *obj = NULL;
    ObjectPropertyInfoList *props = NULL, **tail = &props;

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

    while ((prop = object_property_iter_next(&iter))) {
        ObjectPropertyInfo *info = property_info(prop);

        info->description = g_strdup(prop->description);
        info->default_value = prop->defval ? qobject_ref(prop->defval) : NULL;
        QAPI_LIST_APPEND(tail, info);
    }
    object_unref(obj);
    return props;
}

/*
 * As QEMU's user_creatable_add_qapi: the checked options go back to a
 * dict, and the object is built from it as -object builds it.
 */
void qmp_object_add(ObjectOptions *options, Error **errp)
{
    QObject *obj = NULL;
    Visitor *v = qobject_output_visitor_new(&obj);

    visit_type_ObjectOptions(v, NULL, &options, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    object_unref(user_creatable_add_dict(qobject_to(QDict, obj), false,
                                         errp));
    qobject_unref(obj);
}

void qmp_object_del(const char *id, Error **errp)
{
    user_creatable_del(id, errp);
}
