/*
 * QEMU's Visitor entry points for QOM properties, as adapters over
 * qcore's QObject accessors: object_property_get() outputs the getter's
 * QObject into a visitor, object_property_set() reads a QObject (or, from
 * a keyval visitor, text) from one and hands it to the setter.
 * Corresponds to the visitor half of QEMU's property code in qom/object.c.
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qapi/qobject-input-visitor.h"

bool object_property_get(Object *obj, const char *name, Visitor *v,
                         Error **errp)
{
    QObject *value = object_property_get_qobject(obj, name, errp);
    bool ok;

    if (!value) {
        return false;
    }
    ok = visit_type_any(v, name, &value, errp);
    qobject_unref(value);
    return ok;
}

bool object_property_set(Object *obj, const char *name, Visitor *v,
                         Error **errp)
{
    QObject *value;
    bool ok;

    /* Look the property up first, so that a bad name consumes nothing. */
    if (!object_property_find_err(obj, name, errp)) {
        return false;
    }
    if (qobject_input_visitor_is_keyval(v)) {
        /*
         * Every keyval value is text; parse it by the property's type,
         * with the words QEMU's -object gives ("expects an int64 value").
         */
        g_autofree char *str = NULL;

        if (!visit_type_str(v, name, &str, errp)) {
            return false;
        }
        return object_property_parse(obj, name, str, errp);
    }
    if (!visit_type_any(v, name, &value, errp)) {
        return false;
    }
    ok = object_property_set_qobject(obj, name, value, errp);
    qobject_unref(value);
    return ok;
}
