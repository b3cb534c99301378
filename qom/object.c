/*
 * QOM core: the type table and lazy class construction, casts, instances
 * and their life cycle.
 * Corresponds to the first half of QEMU's qom/object.c; properties are in
 * qom/object-property.c, the tree's root and path lookup in
 * qom/container.c.
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qcore/object-interfaces.h"
#include "qom-internal.h"

#define MAX_INTERFACES 32

typedef struct TypeImpl TypeImpl;

/*
 * The registered form of a TypeInfo.  Everything but `class` and the
 * resolved parent is fixed at registration; `class` is built once, on
 * first use (type_initialize), under the BQL.
 */
struct TypeImpl {
    char *name;
    char *parent;
    TypeImpl *parent_type;      /* resolved lazily: parents may register
                                   after their children */
    size_t class_size;
    size_t instance_size;
    void (*class_init)(ObjectClass *klass, const void *data);
    void (*class_base_init)(ObjectClass *klass, const void *data);
    const void *class_data;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
    int num_interfaces;
    char *interfaces[MAX_INTERFACES];
    ObjectClass *class;
};

/*
 * name -> TypeImpl.  Written during module_call_init(MODULE_INIT_QOM) and
 * by later type_register calls in the main thread; never while
 * object_class_foreach() walks it (enumerating_types).
 */
static GHashTable *type_table;
static bool enumerating_types;
static TypeImpl *type_interface;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

static TypeImpl *type_get_by_name(const char *name)
{
    return name ? g_hash_table_lookup(type_table_get(), name) : NULL;
}

static TypeImpl *type_new(const TypeInfo *info)
{
    TypeImpl *ti = g_new0(TypeImpl, 1);

    assert(info->name);
    ti->name = g_strdup(info->name);
    ti->parent = g_strdup(info->parent);
    ti->class_size = info->class_size;
    ti->instance_size = info->instance_size;
    ti->class_init = info->class_init;
    ti->class_base_init = info->class_base_init;
    ti->class_data = info->class_data;
    ti->instance_init = info->instance_init;
    ti->instance_post_init = info->instance_post_init;
    ti->instance_finalize = info->instance_finalize;
    ti->abstract = info->abstract;
    for (int i = 0; info->interfaces && info->interfaces[i].type; i++) {
        assert(i < MAX_INTERFACES);
        ti->interfaces[i] = g_strdup(info->interfaces[i].type);
        ti->num_interfaces = i + 1;
    }
    return ti;
}

static TypeImpl *type_register_internal(const TypeInfo *info)
{
    TypeImpl *ti;

    assert(!enumerating_types);
    if (type_get_by_name(info->name)) {
        fprintf(stderr, "Registering '%s' which already exists\n",
                info->name);
        abort();
    }
    ti = type_new(info);
    g_hash_table_insert(type_table_get(), ti->name, ti);
    return ti;
}

Type type_register(const TypeInfo *info)
{
    assert(info->parent);
    return type_register_internal(info);
}

Type type_register_static(const TypeInfo *info)
{
    return type_register(info);
}

void type_register_static_array(const TypeInfo *infos, int nr_infos)
{
    for (int i = 0; i < nr_infos; i++) {
        type_register_static(&infos[i]);
    }
}

static TypeImpl *type_get_parent(TypeImpl *ti)
{
    if (!ti->parent_type && ti->parent) {
        ti->parent_type = type_get_by_name(ti->parent);
        if (!ti->parent_type) {
            fprintf(stderr, "Type '%s' is missing its parent '%s'\n",
                    ti->name, ti->parent);
            abort();
        }
    }
    return ti->parent_type;
}

static size_t type_class_get_size(TypeImpl *ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->class_size) {
            return ti->class_size;
        }
    }
    return sizeof(ObjectClass);
}

static size_t type_object_get_size(TypeImpl *ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->instance_size) {
            return ti->instance_size;
        }
    }
    return 0;
}

static bool type_is_ancestor(TypeImpl *ti, TypeImpl *ancestor)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti == ancestor) {
            return true;
        }
    }
    return false;
}

static void class_properties_init(ObjectClass *klass)
{
    klass->properties = g_hash_table_new(g_str_hash, g_str_equal);
    QTAILQ_INIT(&klass->property_list);
}

static void type_initialize(TypeImpl *ti);

/*
 * Give @ti's class its view of @iface: an anonymous abstract type
 * "ti::iface" whose parent is @parent (the interface itself, or the
 * parent class's implementation of it, whose methods we then inherit).
 * It is not in the type table, so it is never listed or looked up.
 */
static void type_initialize_interface(TypeImpl *ti, TypeImpl *iface,
                                      TypeImpl *parent)
{
    g_autofree char *name = g_strdup_printf("%s::%s", ti->name, iface->name);
    TypeInfo info = {
        .name = name,
        .parent = parent->name,
        .abstract = true,
    };
    TypeImpl *impl = type_new(&info);
    InterfaceClass *iface_class;

    impl->parent_type = parent;
    type_initialize(impl);
    iface_class = (InterfaceClass *)impl->class;
    iface_class->concrete_class = ti->class;
    iface_class->interface_type = iface;
    ti->class->interfaces = g_slist_append(ti->class->interfaces,
                                           iface_class);
}

/*
 * Build the class of @ti: parent's class first, copied into ours, then
 * the interfaces, then every ancestor's class_base_init and finally our
 * class_init.  Runs once per type; QEMU calls this lazily too, so that
 * registration order does not matter.
 */
static void type_initialize(TypeImpl *ti)
{
    TypeImpl *parent;

    if (ti->class) {
        return;
    }

    ti->class_size = type_class_get_size(ti);
    ti->instance_size = type_object_get_size(ti);
    /* Nothing to instantiate: interfaces are abstract this way. */
    if (ti->instance_size == 0) {
        ti->abstract = true;
    }
    if (type_is_ancestor(ti, type_interface)) {
        assert(ti->instance_size == 0);
        assert(ti->abstract);
        assert(!ti->instance_init && !ti->instance_post_init &&
               !ti->instance_finalize && !ti->num_interfaces);
    }

    ti->class = g_malloc0(ti->class_size);
    parent = type_get_parent(ti);
    if (parent) {
        type_initialize(parent);
        assert(parent->class_size <= ti->class_size);
        memcpy(ti->class, parent->class, parent->class_size);
        ti->class->interfaces = NULL;
        class_properties_init(ti->class);

        /* Inherited interfaces: one implementation per parent's one. */
        for (GSList *e = parent->class->interfaces; e; e = e->next) {
            InterfaceClass *ic = e->data;
            type_initialize_interface(ti, ic->interface_type,
                                      OBJECT_CLASS(ic)->type);
        }
        for (int i = 0; i < ti->num_interfaces; i++) {
            TypeImpl *t = type_get_by_name(ti->interfaces[i]);
            GSList *e;

            if (!t) {
                fprintf(stderr, "Type '%s' implements unknown interface "
                        "'%s'\n", ti->name, ti->interfaces[i]);
                abort();
            }
            for (e = ti->class->interfaces; e; e = e->next) {
                if (type_is_ancestor(OBJECT_CLASS(e->data)->type, t)) {
                    break;
                }
            }
            if (!e) {
                type_initialize_interface(ti, t, t);
            }
        }
    } else {
        class_properties_init(ti->class);
    }

    ti->class->type = ti;

    for (TypeImpl *p = parent; p; p = type_get_parent(p)) {
        if (p->class_base_init) {
            p->class_base_init(ti->class, ti->class_data);
        }
    }
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
}

/* ---- Instances ---------------------------------------------------------- */

static void object_class_property_init_all(Object *obj)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_class_property_iter_init(&iter, object_get_class(obj));
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->init) {
            prop->init(obj, prop);
        }
    }
}

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (type_get_parent(ti)) {
        object_init_with_type(obj, type_get_parent(ti));
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->instance_post_init) {
        ti->instance_post_init(obj);
    }
    if (type_get_parent(ti)) {
        object_post_init_with_type(obj, type_get_parent(ti));
    }
}

static void object_initialize_with_type(Object *obj, size_t size,
                                        TypeImpl *ti)
{
    assert(ti);
    type_initialize(ti);
    if (ti->abstract) {
        fprintf(stderr, "Cannot instantiate abstract type '%s'\n",
                ti->name);
        abort();
    }
    assert(ti->instance_size >= sizeof(Object));
    assert(size >= ti->instance_size);

    memset(obj, 0, ti->instance_size);
    obj->class = ti->class;
    obj->ref = 1;
    obj->properties = g_hash_table_new(g_str_hash, g_str_equal);
    QTAILQ_INIT(&obj->property_list);
    object_class_property_init_all(obj);
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

void object_initialize(void *data, size_t size, const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        fprintf(stderr, "missing object type '%s'\n", typename);
        abort();
    }
    object_initialize_with_type(data, size, ti);
}

static Object *object_new_with_type(TypeImpl *ti)
{
    Object *obj;

    assert(ti);
    type_initialize(ti);
    obj = g_malloc(ti->instance_size);
    object_initialize_with_type(obj, ti->instance_size, ti);
    obj->free = g_free;
    return obj;
}

Object *object_new_with_class(ObjectClass *klass)
{
    return object_new_with_type(klass->type);
}

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        fprintf(stderr, "missing object type '%s'\n", typename);
        abort();
    }
    return object_new_with_type(ti);
}

static void object_deinit(Object *obj, TypeImpl *ti)
{
    if (ti->instance_finalize) {
        ti->instance_finalize(obj);
    }
    if (type_get_parent(ti)) {
        object_deinit(obj, type_get_parent(ti));
    }
}

static void object_finalize(Object *obj)
{
    object_property_del_all(obj);
    object_deinit(obj, obj->class->type);
    assert(obj->ref == 0);
    assert(!obj->parent);
    if (obj->free) {
        obj->free(obj);
    }
}

Object *object_ref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (obj) {
        int old = g_atomic_int_add(&obj->ref, 1);
        assert(old > 0);
    }
    return obj;
}

void object_unref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return;
    }
    assert(g_atomic_int_get(&obj->ref) > 0);
    if (g_atomic_int_dec_and_test(&obj->ref)) {
        object_finalize(obj);
    }
}

bool object_set_propv(Object *obj, Error **errp, va_list vargs)
{
    const char *name;

    while ((name = va_arg(vargs, const char *))) {
        const char *value = va_arg(vargs, const char *);

        assert(value);
        if (!object_property_parse(obj, name, value, errp)) {
            return false;
        }
    }
    return true;
}

bool object_set_props(Object *obj, Error **errp, ...)
{
    va_list vargs;
    bool ret;

    va_start(vargs, errp);
    ret = object_set_propv(obj, errp, vargs);
    va_end(vargs);
    return ret;
}

Object *object_new_with_propv(const char *typename, Object *parent,
                              const char *id, Error **errp, va_list vargs)
{
    ObjectClass *klass = object_class_by_name(typename);
    Object *obj;

    if (!klass) {
        error_setg(errp, "invalid object type: %s", typename);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", typename);
        return NULL;
    }
    obj = object_new_with_class(klass);

    if (!object_set_propv(obj, errp, vargs)) {
        goto fail;
    }
    if (id && !object_property_try_add_child(parent, id, obj, errp)) {
        goto fail;
    }
    if (object_dynamic_cast(obj, TYPE_USER_CREATABLE) &&
        !user_creatable_complete(USER_CREATABLE(obj), errp)) {
        if (id) {
            object_unparent(obj);
        }
        goto fail;
    }
    /* The parent's reference keeps it alive, as in QEMU. */
    object_unref(obj);
    return obj;

fail:
    object_unref(obj);
    return NULL;
}

Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
{
    va_list vargs;
    Object *obj;

    va_start(vargs, errp);
    obj = object_new_with_propv(typename, parent, id, errp, vargs);
    va_end(vargs);
    return obj;
}

/* ---- Casts and classes -------------------------------------------------- */

ObjectClass *object_get_class(Object *obj)
{
    return obj->class;
}

const char *object_get_typename(const Object *obj)
{
    return obj->class->type->name;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    TypeImpl *target, *ti;
    ObjectClass *ret = NULL;

    if (!klass) {
        return NULL;
    }
    ti = klass->type;
    if (!strcmp(ti->name, typename)) {
        return klass;
    }
    target = type_get_by_name(typename);
    if (!target) {
        return NULL;
    }

    if (klass->interfaces && type_is_ancestor(target, type_interface)) {
        int found = 0;

        for (GSList *i = klass->interfaces; i; i = i->next) {
            ObjectClass *ic = i->data;

            if (type_is_ancestor(ic->type, target)) {
                ret = ic;
                found++;
            }
        }
        /* Two implementations would make the cast ambiguous: refuse. */
        if (found > 1) {
            ret = NULL;
        }
    } else if (type_is_ancestor(ti, target)) {
        ret = klass;
    }
    return ret;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    ObjectClass *ret;

    if (!klass || !klass->interfaces) {
        /* Without interfaces the cast only checks: fast path. */
        if (!klass || !strcmp(klass->type->name, typename)) {
            return klass;
        }
    }
    ret = object_class_dynamic_cast(klass, typename);
    if (!ret) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type "
                "%s\n", file, line, func, (void *)klass, typename);
        abort();
    }
    return ret;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(object_get_class(obj), typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type "
                "%s\n", file, line, func, (void *)obj, typename);
        abort();
    }
    return obj;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->class;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    TypeImpl *parent = type_get_parent(klass->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->class;
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements, bool include_abstract,
                          void *opaque)
{
    GHashTableIter iter;
    gpointer value;

    enumerating_types = true;
    g_hash_table_iter_init(&iter, type_table_get());
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        TypeImpl *ti = value;
        ObjectClass *k;

        type_initialize(ti);
        k = ti->class;
        if (!include_abstract && ti->abstract) {
            continue;
        }
        if (implements && !object_class_dynamic_cast(k, implements)) {
            continue;
        }
        fn(k, opaque);
    }
    enumerating_types = false;
}

static void object_class_get_list_tramp(ObjectClass *klass, void *opaque)
{
    GSList **list = opaque;

    *list = g_slist_prepend(*list, klass);
}

GSList *object_class_get_list(const char *implements, bool include_abstract)
{
    GSList *list = NULL;

    object_class_foreach(object_class_get_list_tramp, implements,
                         include_abstract, &list);
    return list;
}

static gint object_class_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list_sorted(const char *implements,
                                     bool include_abstract)
{
    return g_slist_sort(object_class_get_list(implements, include_abstract),
                        object_class_cmp);
}

/* ---- The two root types and the container ------------------------------- */

static QObject *object_get_type(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    return QOBJECT(qstring_from_str(object_get_typename(obj)));
}

static void object_class_init(ObjectClass *klass, const void *data)
{
    object_class_property_add(klass, "type", "string",
                              object_get_type, NULL, NULL, NULL);
}

static void register_types(void)
{
    static const TypeInfo interface_info = {
        .name = TYPE_INTERFACE,
        .class_size = sizeof(InterfaceClass),
        .abstract = true,
    };
    static const TypeInfo object_info = {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_init = object_class_init,
        .abstract = true,
    };
    static const TypeInfo container_info = {
        .name = TYPE_CONTAINER,
        .parent = TYPE_OBJECT,
    };

    type_interface = type_register_internal(&interface_info);
    type_register_internal(&object_info);
    type_register_static(&container_info);
}

type_init(register_types)
