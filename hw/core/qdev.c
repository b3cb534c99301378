/*
 * TYPE_DEVICE, buses, -device and -global: see include/qcore/hw/qdev.h.
 * Corresponds to QEMU's hw/core/qdev.c, hw/core/qdev-properties.c,
 * hw/core/bus.c and system/qdev-monitor.c (qdev_device_add, the help).
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/qdev.h"
#include "qcore/machine.h"
#include "qcore/main-loop.h"
#include "qcore/object-interfaces.h"

/* ---- The type ------------------------------------------------------------ */

static QObject *device_get_realized(Object *obj, const char *name,
                                    void *opaque, Error **errp)
{
    return QOBJECT(qbool_from_bool(DEVICE(obj)->realized));
}

static void device_set_realized(Object *obj, const char *name,
                                const QObject *value, void *opaque,
                                Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    bool v;

    if (!object_property_value_bool(value, name, &v, errp)) {
        return;
    }
    if (v && !dev->realized) {
        Error *local_err = NULL;

        if (dc->realize) {
            dc->realize(dev, &local_err);
        }
        if (local_err) {
            error_propagate(errp, local_err);
            return;
        }
        dev->realized = true;
    } else if (!v && dev->realized) {
        if (dc->unrealize) {
            dc->unrealize(dev);
        }
        dev->realized = false;
    }
}

static void device_unparent(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    /* The bus lets go first (a transport stops its doorbells), then
     * the device tears down, as QEMU's virtio_bus_device_unplugged. */
    if (dev->parent_bus) {
        BusState *bus = dev->parent_bus;

        if (bus->unplug) {
            bus->unplug(bus, dev);
        }
        bus->num_children--;
        dev->parent_bus = NULL;
    }
    if (dev->realized) {
        qdev_unrealize(dev);
    }
}

static void device_finalize(Object *obj)
{
    g_free(DEVICE(obj)->id);
}

static void device_class_init(ObjectClass *oc, const void *data)
{
    object_class_property_add(oc, "realized", "bool", device_get_realized,
                              device_set_realized, NULL, NULL);
    oc->unparent = device_unparent;
    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_MISC;
}

static const TypeInfo device_type_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(DeviceState),
    .instance_finalize = device_finalize,
    .class_size = sizeof(DeviceClass),
    .class_init = device_class_init,
};

static void qdev_register_types(void)
{
    type_register_static(&device_type_info);
}

type_init(qdev_register_types)

bool qdev_realize(DeviceState *dev, Error **errp)
{
    return object_property_set_bool(OBJECT(dev), "realized", true, errp);
}

void qdev_unrealize(DeviceState *dev)
{
    object_property_set_bool(OBJECT(dev), "realized", false, &error_abort);
}

/* ---- Properties ---------------------------------------------------------- */

typedef struct QdevProp {
    size_t offset;
    unsigned bit;               /* bit64 only */
} QdevProp;

static void *prop_field(Object *obj, void *opaque)
{
    return (char *)obj + ((QdevProp *)opaque)->offset;
}

/* QEMU's qdev_prop_set_after_realize. */
static bool prop_check_settable(Object *obj, const char *name, Error **errp)
{
    DeviceState *dev = DEVICE(obj);

    if (dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", name,
                   dev->id ? dev->id : "<null>", object_get_typename(obj));
        return false;
    }
    return true;
}

static QObject *prop_get_bool(Object *obj, const char *name, void *opaque,
                              Error **errp)
{
    return QOBJECT(qbool_from_bool(*(bool *)prop_field(obj, opaque)));
}

static void prop_set_bool(Object *obj, const char *name, const QObject *value,
                          void *opaque, Error **errp)
{
    bool v;

    if (prop_check_settable(obj, name, errp) &&
        object_property_value_bool(value, name, &v, errp)) {
        *(bool *)prop_field(obj, opaque) = v;
    }
}

static QObject *prop_get_bit64(Object *obj, const char *name, void *opaque,
                               Error **errp)
{
    uint64_t *f = prop_field(obj, opaque);

    return QOBJECT(qbool_from_bool(*f >> ((QdevProp *)opaque)->bit & 1));
}

static void prop_set_bit64(Object *obj, const char *name, const QObject *value,
                           void *opaque, Error **errp)
{
    uint64_t *f = prop_field(obj, opaque);
    uint64_t mask = 1ULL << ((QdevProp *)opaque)->bit;
    bool v;

    if (prop_check_settable(obj, name, errp) &&
        object_property_value_bool(value, name, &v, errp)) {
        *f = v ? *f | mask : *f & ~mask;
    }
}

static QObject *prop_get_uint32(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint32_t *)prop_field(obj, opaque)));
}

static void prop_set_uint32(Object *obj, const char *name,
                            const QObject *value, void *opaque, Error **errp)
{
    uint64_t v;

    if (prop_check_settable(obj, name, errp) &&
        object_property_value_uint(value, name, UINT32_MAX, "uint32", &v,
                                   errp)) {
        *(uint32_t *)prop_field(obj, opaque) = v;
    }
}

static QObject *prop_get_uint64(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint64_t *)prop_field(obj, opaque)));
}

static void prop_set_uint64(Object *obj, const char *name,
                            const QObject *value, void *opaque, Error **errp)
{
    uint64_t v;

    if (prop_check_settable(obj, name, errp) &&
        object_property_value_uint(value, name, UINT64_MAX, "uint64", &v,
                                   errp)) {
        *(uint64_t *)prop_field(obj, opaque) = v;
    }
}

static QObject *prop_get_str(Object *obj, const char *name, void *opaque,
                             Error **errp)
{
    const char *s = *(char **)prop_field(obj, opaque);

    return QOBJECT(qstring_from_str(s ? s : ""));
}

static void prop_set_str(Object *obj, const char *name, const QObject *value,
                         void *opaque, Error **errp)
{
    char **f = prop_field(obj, opaque);
    const char *v;

    if (prop_check_settable(obj, name, errp) &&
        object_property_value_str(value, name, &v, errp)) {
        g_free(*f);
        *f = g_strdup(v);
    }
}

static void prop_release_str(Object *obj, const char *name, void *opaque)
{
    char **f = prop_field(obj, opaque);

    g_free(*f);
    *f = NULL;
}

static QdevProp *prop_new(size_t offset, unsigned bit)
{
    QdevProp *p = g_new0(QdevProp, 1);     /* lives as long as the class */

    p->offset = offset;
    p->bit = bit;
    return p;
}

void qdev_class_add_prop_bool(ObjectClass *oc, const char *name,
                              size_t offset, bool def, const char *desc)
{
    ObjectProperty *op = object_class_property_add(oc, name, "bool",
                                                   prop_get_bool,
                                                   prop_set_bool, NULL,
                                                   prop_new(offset, 0));

    object_property_set_default_bool(op, def);
    object_class_property_set_description(oc, name, desc);
}

void qdev_class_add_prop_bit64(ObjectClass *oc, const char *name,
                               size_t offset, unsigned bit, bool def)
{
    ObjectProperty *op = object_class_property_add(oc, name, "bool",
                                                   prop_get_bit64,
                                                   prop_set_bit64, NULL,
                                                   prop_new(offset, bit));

    object_property_set_default_bool(op, def);
    object_class_property_set_description(oc, name, "on/off");
}

void qdev_class_add_prop_uint32(ObjectClass *oc, const char *name,
                                size_t offset, uint32_t def,
                                const char *desc)
{
    ObjectProperty *op = object_class_property_add(oc, name, "uint32",
                                                   prop_get_uint32,
                                                   prop_set_uint32, NULL,
                                                   prop_new(offset, 0));

    object_property_set_default_uint(op, def);
    object_class_property_set_description(oc, name, desc);
}

void qdev_class_add_prop_uint64(ObjectClass *oc, const char *name,
                                size_t offset, uint64_t def,
                                const char *desc)
{
    ObjectProperty *op = object_class_property_add(oc, name, "uint64",
                                                   prop_get_uint64,
                                                   prop_set_uint64, NULL,
                                                   prop_new(offset, 0));

    object_property_set_default_uint(op, def);
    object_class_property_set_description(oc, name, desc);
}

/* A uint64 that takes QEMU's size suffixes (DEFINE_PROP_SIZE). */
void qdev_class_add_prop_size(ObjectClass *oc, const char *name,
                              size_t offset, uint64_t def, const char *desc)
{
    ObjectProperty *op = object_class_property_add(oc, name, "size",
                                                   prop_get_uint64,
                                                   prop_set_uint64, NULL,
                                                   prop_new(offset, 0));

    object_property_set_default_uint(op, def);
    object_class_property_set_description(oc, name, desc);
}

void qdev_class_add_prop_str(ObjectClass *oc, const char *name,
                             const char *type, size_t offset,
                             const char *desc)
{
    object_class_property_add(oc, name, type, prop_get_str, prop_set_str,
                              prop_release_str, prop_new(offset, 0));
    if (desc) {
        object_class_property_set_description(oc, name, desc);
    }
}

/* ---- -global --------------------------------------------------------------- */

typedef struct GlobalProperty {
    char *driver, *property, *value;
} GlobalProperty;

/* In command-line order; a later one for the same property wins. */
static GPtrArray *global_props;

bool qdev_add_global(const char *optarg, Error **errp)
{
    g_autofree char *driver = NULL, *prop = NULL, *value = NULL;
    const char *eq = strchr(optarg, '='), *dot;
    GlobalProperty *g;

    if (g_str_has_prefix(optarg, "driver=")) {
        g_auto(GStrv) parts = g_strsplit(optarg, ",", -1);

        for (char **p = parts; *p; p++) {
            if (g_str_has_prefix(*p, "driver=")) {
                driver = g_strdup(*p + 7);
            } else if (g_str_has_prefix(*p, "property=")) {
                prop = g_strdup(*p + 9);
            } else if (g_str_has_prefix(*p, "value=")) {
                value = g_strdup(*p + 6);
            } else {
                g_autofree char *key = g_strndup(*p, strcspn(*p, "="));

                error_setg(errp, "Invalid parameter '%s'", key);
                return false;
            }
        }
    } else {
        dot = strchr(optarg, '.');
        if (!eq || !dot || dot > eq) {
            error_setg(errp, "Invalid parameter '%s'", optarg);
            return false;
        }
        driver = g_strndup(optarg, dot - optarg);
        prop = g_strndup(dot + 1, eq - dot - 1);
        value = g_strdup(eq + 1);
    }
    if (!driver || !prop || !value) {
        error_setg(errp, "Parameter '%s' is missing",
                   !driver ? "driver" : !prop ? "property" : "value");
        return false;
    }
    if (!global_props) {
        global_props = g_ptr_array_new();
    }
    g = g_new0(GlobalProperty, 1);
    g->driver = g_steal_pointer(&driver);
    g->property = g_steal_pointer(&prop);
    g->value = g_steal_pointer(&value);
    g_ptr_array_add(global_props, g);
    return true;
}

/* QEMU's object_apply_global_props: a bad -global is fatal, as there. */
static void qdev_apply_globals(Object *obj)
{
    for (guint i = 0; global_props && i < global_props->len; i++) {
        GlobalProperty *g = g_ptr_array_index(global_props, i);
        Error *err = NULL;

        if (!object_dynamic_cast(obj, g->driver)) {
            continue;
        }
        if (!object_property_parse(obj, g->property, g->value, &err)) {
            error_prepend(&err, "can't apply global %s.%s=%s: ", g->driver,
                          g->property, g->value);
            error_report_err(err);
            exit(1);
        }
    }
}

DeviceState *qdev_new(const char *type)
{
    Object *obj = object_new(type);

    qdev_apply_globals(obj);
    return DEVICE(obj);
}

/* ---- Buses ---------------------------------------------------------------- */

/* Newest first, as QEMU's qbus_find_recursive walks its child lists. */
static GList *buses;

void qbus_register(BusState *bus)
{
    buses = g_list_prepend(buses, bus);
}

void qbus_unregister(BusState *bus)
{
    buses = g_list_remove(buses, bus);
}

static BusState *qbus_find(const char *name, const char *type,
                           Error **errp)
{
    for (GList *l = buses; l; l = l->next) {
        BusState *bus = l->data;

        if (name ? !strcmp(bus->name, name)
                 : !strcmp(bus->type, type) &&
                   bus->num_children < bus->max_children) {
            if (name && strcmp(bus->type, type)) {
                error_setg(errp, "Bus '%s' is not of type '%s'", name, type);
                return NULL;
            }
            if (name && bus->num_children >= bus->max_children) {
                error_setg(errp, "Bus '%s' is full", name);
                return NULL;
            }
            return bus;
        }
    }
    if (name) {
        error_setg(errp, "Bus '%s' not found", name);
    } else {
        error_setg(errp, "No '%s' bus found for device", type);
    }
    return NULL;
}

/* ---- -device ------------------------------------------------------------- */

bool qdev_is_user_device(const char *driver)
{
    ObjectClass *oc = object_class_by_name(driver);

    return oc && object_class_dynamic_cast(oc, TYPE_DEVICE) &&
           !object_class_is_abstract(oc) && DEVICE_CLASS(oc)->user_creatable;
}

DeviceState *qdev_device_add(QDict *opts, Error **errp)
{
    const char *driver = qdict_get_try_str(opts, "driver");
    const char *id = qdict_get_try_str(opts, "id");
    const char *busname = qdict_get_try_str(opts, "bus");
    DeviceClass *dc;
    DeviceState *dev;
    BusState *bus = NULL;
    Object *parent;
    const QDictEntry *e;
    Error *local_err = NULL;

    if (!driver || !qdev_is_user_device(driver)) {
        error_setg(errp, "'%s' is not a valid device model name",
                   driver ? driver : "");
        return NULL;
    }
    dc = DEVICE_CLASS(object_class_by_name(driver));
    if (dc->bus_type) {
        bus = qbus_find(busname, dc->bus_type, &local_err);
        if (!bus) {
            if (!busname) {
                error_free(local_err);
                error_setg(errp, "No '%s' bus found for device '%s'",
                           dc->bus_type, driver);
            } else {
                error_propagate(errp, local_err);
            }
            return NULL;
        }
    } else if (busname) {
        error_setg(errp, "Device '%s' can't go on a %s bus", driver,
                   busname);
        return NULL;
    }
    if (id && !*id) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    parent = container_get(OBJECT(qdev_get_machine()),
                           id ? "/peripheral" : "/peripheral-anon");
    if (id && object_resolve_path_component(parent, id)) {
        error_setg(errp, "Duplicate ID '%s' for device", id);
        return NULL;
    }

    dev = qdev_new(driver);
    dev->id = g_strdup(id);
    for (e = qdict_first(opts); e; e = qdict_next(opts, e)) {
        const char *key = qdict_entry_key(e);
        QString *qs = qobject_to(QString, qdict_entry_value(e));

        if (!strcmp(key, "driver") || !strcmp(key, "id") ||
            !strcmp(key, "bus")) {
            continue;
        }
        if (!object_property_find(OBJECT(dev), key)) {
            error_setg(errp, "Property '%s.%s' not found", driver, key);
            goto fail;
        }
        if (!qs) {
            error_setg(errp, "Parameter '%s' expects a string", key);
            goto fail;
        }
        if (!object_property_parse(OBJECT(dev), key, qstring_get_str(qs),
                                   errp)) {
            goto fail;
        }
    }
    object_property_add_child(parent, id ? id : "device[*]", OBJECT(dev));
    object_unref(dev);
    if (bus && !bus->plug(bus, dev, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    if (bus) {
        dev->parent_bus = bus;
        bus->num_children++;
    }
    if (!qdev_realize(dev, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return dev;

fail:
    object_unref(dev);
    return NULL;
}

/* ---- Help ---------------------------------------------------------------- */

static const char *const category_names[DEVICE_CATEGORY_MAX] = {
    [DEVICE_CATEGORY_STORAGE] = "Storage devices",
    [DEVICE_CATEGORY_NETWORK] = "Network devices",
    [DEVICE_CATEGORY_INPUT] = "Input devices",
    [DEVICE_CATEGORY_DISPLAY] = "Display devices",
    [DEVICE_CATEGORY_MISC] = "Misc devices",
};

void qdev_print_device_list(const char *extra_misc_name,
                            const char *extra_misc_desc)
{
    GSList *list = object_class_get_list_sorted(TYPE_DEVICE, false);

    for (int c = 0; c < DEVICE_CATEGORY_MAX; c++) {
        bool any = false;

        /* The board's own (edu) sorts first among the misc ones. */
        if (c == DEVICE_CATEGORY_MISC && extra_misc_name) {
            printf("%s:\n", category_names[c]);
            printf("name \"%s\", bus System, desc \"%s\"\n", extra_misc_name,
                   extra_misc_desc);
            any = true;
        }

        for (GSList *l = list; l; l = l->next) {
            DeviceClass *dc = DEVICE_CLASS(l->data);

            if (!dc->user_creatable || dc->category != c) {
                continue;
            }
            if (!any) {
                printf("%s:\n", category_names[c]);
                any = true;
            }
            printf("name \"%s\"", object_class_get_name(l->data));
            if (dc->bus_type) {
                printf(", bus %s", dc->bus_type);
            }
            if (dc->desc) {
                printf(", desc \"%s\"", dc->desc);
            }
            printf("\n");
        }
        if (any) {
            printf("\n");
        }
    }
    g_slist_free(list);
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool qdev_print_device_props(const char *driver, Error **errp)
{
    ObjectClass *oc;
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

    if (!qdev_is_user_device(driver)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return false;
    }
    oc = object_class_by_name(driver);
    object_class_property_iter_init(&iter, oc);
    while ((prop = object_property_iter_next(&iter))) {
        if (!prop->set || !strcmp(prop->name, "realized")) {
            continue;
        }
        g_ptr_array_add(lines, object_property_help(prop->name, prop->type,
                                                    prop->defval,
                                                    prop->description));
    }
    if (!lines->len) {
        printf("There are no options for %s.\n", driver);
        return true;
    }
    g_ptr_array_sort(lines, str_cmp);
    printf("%s options:\n", driver);
    for (guint i = 0; i < lines->len; i++) {
        printf("%s\n", (char *)g_ptr_array_index(lines, i));
    }
    return true;
}
