/*
 * The composition tree: its edges (child<> and link<> properties), the
 * root "/" and its containers ("/objects", "/chardevs", whatever
 * container_get() creates), canonical paths and path lookup.  Corresponds
 * to QEMU's qom/container.c plus the tree half of qom/object.c
 * (object_property_add_child/link, object_get_root, object_resolve_path).
 *
 * The tree is changed and walked under the BQL only.
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qom-internal.h"

/* Created on first use, under the BQL; live until exit. */
static Object *root;
static Object *internal_root;

Object *object_get_root(void)
{
    if (!root) {
        root = object_new(TYPE_CONTAINER);
        /* The standard containers exist from the start, as in QEMU. */
        container_get(root, "/chardevs");
        container_get(root, "/objects");
    }
    return root;
}

Object *object_get_internal_root(void)
{
    if (!internal_root) {
        internal_root = object_new(TYPE_CONTAINER);
    }
    return internal_root;
}

Object *object_get_container(const char *name)
{
    return container_get(object_get_root(), name);
}

Object *object_get_objects_root(void)
{
    return object_get_container("objects");
}

Object *container_get(Object *root_obj, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    Object *obj = root_obj;

    for (int i = 0; parts[i]; i++) {
        Object *child;

        if (!*parts[i]) {
            continue;
        }
        child = object_resolve_path_component(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, parts[i], child);
            object_unref(child);    /* the tree's reference is enough */
        }
        obj = child;
    }
    return obj;
}

const char *object_get_canonical_path_component(const Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return NULL;
    }
    QTAILQ_FOREACH(prop, &obj->parent->property_list, node) {
        if (object_property_is_child(prop) && prop->opaque == obj) {
            return prop->name;
        }
    }
    /* A parent that does not list us as a child: corrupted tree. */
    g_assert_not_reached();
}

char *object_get_canonical_path(const Object *obj)
{
    Object *r = object_get_root();
    GString *path;

    if (obj == r) {
        return g_strdup("/");
    }
    path = g_string_new(NULL);
    while (obj != r) {
        const char *component = object_get_canonical_path_component(obj);

        if (!component) {
            /* Not attached below "/": there is no canonical path. */
            g_string_free(path, true);
            return NULL;
        }
        g_string_prepend(path, component);
        g_string_prepend_c(path, '/');
        obj = obj->parent;
    }
    return g_string_free(path, false);
}

Object *object_resolve_path_component(Object *parent, const char *part)
{
    ObjectProperty *prop = object_property_find(parent, part);

    if (!prop || !prop->resolve) {
        return NULL;
    }
    return prop->resolve(parent, prop->opaque, part);
}

/* Follow @parts from @parent through child<> and link<> properties. */
static Object *object_resolve_abs_path(Object *parent, char **parts,
                                       const char *typename)
{
    for (; *parts; parts++) {
        if (!**parts) {
            continue;       /* "//" and a trailing "/" */
        }
        parent = object_resolve_path_component(parent, *parts);
        if (!parent) {
            return NULL;
        }
    }
    return object_dynamic_cast(parent, typename);
}

/*
 * Every object below @parent (through child<> properties only, so each
 * is visited once) at which @parts resolves.  More than one match makes
 * the path ambiguous.
 */
static Object *object_resolve_partial_path(Object *parent, char **parts,
                                           const char *typename,
                                           bool *ambiguous)
{
    Object *obj = object_resolve_abs_path(parent, parts, typename);
    ObjectProperty *prop;

    QTAILQ_FOREACH(prop, &parent->property_list, node) {
        Object *found;

        if (!object_property_is_child(prop)) {
            continue;
        }
        found = object_resolve_partial_path(prop->opaque, parts, typename,
                                            ambiguous);
        if (found) {
            if (obj) {
                *ambiguous = true;
                return NULL;
            }
            obj = found;
        }
        if (*ambiguous) {
            return NULL;
        }
    }
    return obj;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguousp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    bool ambiguous = false;
    Object *obj;

    if (path[0] == '/') {
        obj = object_resolve_abs_path(object_get_root(), parts + 1,
                                      typename);
    } else {
        obj = object_resolve_partial_path(object_get_root(), parts,
                                          typename, &ambiguous);
    }
    if (ambiguousp) {
        *ambiguousp = ambiguous;
    }
    return obj;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, TYPE_OBJECT, ambiguous);
}

Object *object_resolve_path_at(Object *parent, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);

    if (path[0] == '/') {
        return object_resolve_abs_path(object_get_root(), parts + 1,
                                       TYPE_OBJECT);
    }
    return object_resolve_abs_path(parent, parts, TYPE_OBJECT);
}

static int do_object_child_foreach(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque, bool recurse)
{
    ObjectProperty *prop, *next;
    int ret = 0;

    QTAILQ_FOREACH_SAFE(prop, &obj->property_list, node, next) {
        Object *child;

        if (!object_property_is_child(prop)) {
            continue;
        }
        child = prop->opaque;
        ret = fn(child, opaque);
        if (ret) {
            break;
        }
        if (recurse) {
            ret = do_object_child_foreach(child, fn, opaque, true);
            if (ret) {
                break;
            }
        }
    }
    return ret;
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    return do_object_child_foreach(obj, fn, opaque, false);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    return do_object_child_foreach(obj, fn, opaque, true);
}

/* ---- child<> ----------------------------------------------------------- */

static QObject *object_get_child_property(Object *obj, const char *name,
                                          void *opaque, Error **errp)
{
    g_autofree char *path = object_get_canonical_path(opaque);

    return QOBJECT(qstring_from_str(path ? path : ""));
}

static Object *object_resolve_child_property(Object *parent, void *opaque,
                                             const char *part)
{
    return opaque;
}

static void object_finalize_child_property(Object *obj, const char *name,
                                           void *opaque)
{
    Object *child = opaque;

    if (child->class->unparent) {
        child->class->unparent(child);
    }
    child->parent = NULL;
    object_unref(child);
}

ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp)
{
    g_autofree char *type = NULL;
    ObjectProperty *prop;

    assert(!child->parent);
    type = g_strdup_printf("child<%s>", object_get_typename(child));
    prop = object_property_try_add(obj, name, type,
                                   object_get_child_property, NULL,
                                   object_finalize_child_property,
                                   child, errp);
    if (!prop) {
        return NULL;
    }
    prop->resolve = object_resolve_child_property;
    object_ref(child);
    child->parent = obj;
    return prop;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    return object_property_try_add_child(obj, name, child, &error_abort);
}

void object_unparent(Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return;
    }
    QTAILQ_FOREACH(prop, &obj->parent->property_list, node) {
        if (prop->resolve == object_resolve_child_property &&
            prop->opaque == obj) {
            object_property_remove(obj->parent, prop);
            return;
        }
    }
    g_assert_not_reached();
}

bool object_property_is_child(const ObjectProperty *prop)
{
    return prop->resolve == object_resolve_child_property;
}

/* ---- link<> ------------------------------------------------------------ */

typedef struct LinkProperty {
    Object **targetp;
    ObjectLinkCheck *check;
    ObjectPropertyLinkFlags flags;
} LinkProperty;

void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp)
{
}

static QObject *object_get_link_property(Object *obj, const char *name,
                                         void *opaque, Error **errp)
{
    LinkProperty *lprop = opaque;
    g_autofree char *path = NULL;

    if (*lprop->targetp) {
        path = object_get_canonical_path(*lprop->targetp);
    }
    return QOBJECT(qstring_from_str(path ? path : ""));
}

/* Find the object @path names for link @name, which takes @type. */
static Object *object_resolve_link(Object *obj, const char *name,
                                   const char *path, Error **errp)
{
    const char *type = object_property_get_type(obj, name, &error_abort);
    g_autofree char *target_type = NULL;
    bool ambiguous = false;
    Object *target;

    /* "link<T>" -> "T" */
    assert(g_str_has_prefix(type, "link<"));
    target_type = g_strndup(type + 5, strlen(type) - 6);

    target = object_resolve_path_type(path, target_type, &ambiguous);
    if (ambiguous) {
        error_setg(errp, "Path '%s' does not uniquely identify an object",
                   path);
        return NULL;
    }
    if (!target) {
        ambiguous = false;
        if (object_resolve_path(path, &ambiguous) || ambiguous) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       name, target_type);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return target;
}

static void object_set_link_property(Object *obj, const char *name,
                                     const QObject *value, void *opaque,
                                     Error **errp)
{
    ERRP_GUARD();
    LinkProperty *lprop = opaque;
    Object *old = *lprop->targetp;
    Object *new = NULL;
    const char *path;

    if (!object_property_value_str(value, name, &path, errp)) {
        return;
    }
    if (*path) {
        new = object_resolve_link(obj, name, path, errp);
        if (!new) {
            return;
        }
    }
    lprop->check(obj, name, new, errp);
    if (*errp) {
        return;
    }
    *lprop->targetp = new;
    if (lprop->flags & OBJ_PROP_LINK_STRONG) {
        object_ref(new);
        object_unref(old);
    }
}

static Object *object_resolve_link_property(Object *parent, void *opaque,
                                            const char *part)
{
    LinkProperty *lprop = opaque;

    return *lprop->targetp;
}

static void object_release_link_property(Object *obj, const char *name,
                                         void *opaque)
{
    LinkProperty *lprop = opaque;

    if ((lprop->flags & OBJ_PROP_LINK_STRONG) && *lprop->targetp) {
        object_unref(*lprop->targetp);
    }
    g_free(lprop);
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags)
{
    LinkProperty *lprop = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);
    ObjectProperty *prop;

    lprop->targetp = targetp;
    lprop->check = check;
    lprop->flags = flags;
    prop = object_property_add(obj, name, full_type,
                               object_get_link_property,
                               check ? object_set_link_property : NULL,
                               object_release_link_property, lprop);
    prop->resolve = object_resolve_link_property;
    return prop;
}
