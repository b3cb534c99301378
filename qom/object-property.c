/*
 * QOM properties: adding, finding and iterating them, reading and writing
 * them as QObjects, and the convenience kinds (str, bool, uintN pointers);
 * child<> and link<> are in qom/container.c.  Corresponds to the property
 * part of QEMU's qom/object.c, with QObjects where QEMU uses visitors.
 *
 * Everything here runs under the BQL (see include/qcore/object.h).
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qcore/option.h"
#include "qom-internal.h"

/* ---- Adding, finding, deleting ------------------------------------------ */

static ObjectProperty *property_new(const char *name, const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    return prop;
}

static void object_property_free(ObjectProperty *prop)
{
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    qobject_unref(prop->defval);
    g_free(prop);
}

ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);
        if (prop) {
            return prop;
        }
    }
    return NULL;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    ObjectProperty *prop = object_class_property_find(object_get_class(obj),
                                                      name);

    return prop ? prop : g_hash_table_lookup(obj->properties, name);
}

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return prop;
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp)
{
    size_t len = strlen(name);
    ObjectProperty *prop;

    /* "foo[*]": the caller wants the first free "foo[N]". */
    if (len >= 3 && !strcmp(name + len - 3, "[*]")) {
        g_autofree char *base = g_strndup(name, len - 3);

        for (int i = 0; i < INT16_MAX; i++) {
            g_autofree char *full = g_strdup_printf("%s[%d]", base, i);

            prop = object_property_try_add(obj, full, type, get, set,
                                           release, opaque, NULL);
            if (prop) {
                return prop;
            }
        }
        g_assert_not_reached();
    }

    if (object_property_find(obj, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return NULL;
    }
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    QTAILQ_INSERT_TAIL(&obj->property_list, prop, node);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    return object_property_try_add(obj, name, type, get, set, release,
                                   opaque, &error_abort);
}

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name, const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    ObjectProperty *prop;

    /* Class properties are declared by code: a clash is a bug. */
    assert(!object_class_property_find(klass, name));
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    QTAILQ_INSERT_TAIL(&klass->property_list, prop, node);
    return prop;
}

void object_property_remove(Object *obj, ObjectProperty *prop)
{
    g_hash_table_remove(obj->properties, prop->name);
    QTAILQ_REMOVE(&obj->property_list, prop, node);
    if (prop->release) {
        prop->release(obj, prop->name, prop->opaque);
    }
    object_property_free(prop);
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    assert(prop);
    object_property_remove(obj, prop);
}

void object_property_del_all(Object *obj)
{
    ObjectProperty *prop;

    /* A release function may delete other properties: restart each time. */
    while ((prop = QTAILQ_FIRST(&obj->property_list))) {
        object_property_remove(obj, prop);
    }
    g_hash_table_unref(obj->properties);
    obj->properties = NULL;
}

void object_property_set_description(Object *obj, const char *name,
                                     const char *description)
{
    ObjectProperty *prop = object_property_find_err(obj, name,
                                                    &error_abort);

    g_free(prop->description);
    prop->description = g_strdup(description);
}

void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description)
{
    ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);

    assert(prop);
    g_free(prop->description);
    prop->description = g_strdup(description);
}

static void object_property_init_defval(Object *obj, ObjectProperty *prop)
{
    prop->set(obj, prop->name, prop->defval, prop->opaque, &error_abort);
}

static void object_property_set_default(ObjectProperty *prop,
                                        QObject *defval)
{
    assert(!prop->defval && !prop->init && prop->set);
    prop->defval = defval;
    prop->init = object_property_init_defval;
}

void object_property_set_default_bool(ObjectProperty *prop, bool value)
{
    object_property_set_default(prop, QOBJECT(qbool_from_bool(value)));
}

void object_property_set_default_str(ObjectProperty *prop, const char *value)
{
    object_property_set_default(prop, QOBJECT(qstring_from_str(value)));
}

void object_property_set_default_int(ObjectProperty *prop, int64_t value)
{
    object_property_set_default(prop, QOBJECT(qnum_from_int(value)));
}

void object_property_set_default_uint(ObjectProperty *prop, uint64_t value)
{
    object_property_set_default(prop, QOBJECT(qnum_from_uint(value)));
}

/* ---- Iteration ---------------------------------------------------------- */

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj)
{
    iter->next = QTAILQ_FIRST(&obj->property_list);
    iter->nextclass = object_get_class(obj);
}

void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass)
{
    iter->next = NULL;
    iter->nextclass = klass;
}

ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter)
{
    ObjectProperty *prop;

    while (!iter->next) {
        if (!iter->nextclass) {
            return NULL;
        }
        iter->next = QTAILQ_FIRST(&iter->nextclass->property_list);
        iter->nextclass = object_class_get_parent(iter->nextclass);
    }
    prop = iter->next;
    /* Step now so that the caller may delete @prop. */
    iter->next = QTAILQ_NEXT(prop, node);
    return prop;
}

/* ---- Values ------------------------------------------------------------- */

static void invalid_type(Error **errp, const char *name, const char *what)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               name, what);
}

bool object_property_value_str(const QObject *value, const char *name,
                               const char **ret, Error **errp)
{
    QString *qs = qobject_to(QString, value);

    if (!qs) {
        invalid_type(errp, name, "string");
        return false;
    }
    *ret = qstring_get_str(qs);
    return true;
}

bool object_property_value_bool(const QObject *value, const char *name,
                                bool *ret, Error **errp)
{
    QBool *qb = qobject_to(QBool, value);

    if (!qb) {
        invalid_type(errp, name, "boolean");
        return false;
    }
    *ret = qbool_get_bool(qb);
    return true;
}

bool object_property_value_int(const QObject *value, const char *name,
                               int64_t *ret, Error **errp)
{
    QNum *qn = qobject_to(QNum, value);

    if (!qn) {
        invalid_type(errp, name, "integer");
        return false;
    }
    if (!qnum_get_try_int(qn, ret)) {
        error_setg(errp, "Parameter '%s' expects int64", name);
        return false;
    }
    return true;
}

bool object_property_value_uint(const QObject *value, const char *name,
                                uint64_t max, const char *what,
                                uint64_t *ret, Error **errp)
{
    QNum *qn = qobject_to(QNum, value);
    uint64_t v;

    if (!qn) {
        invalid_type(errp, name, "integer");
        return false;
    }
    if (!qnum_get_try_uint(qn, &v)) {
        error_setg(errp, "Parameter '%s' expects uint64", name);
        return false;
    }
    if (v > max) {
        error_setg(errp, "Parameter '%s' expects %s", name, what);
        return false;
    }
    *ret = v;
    return true;
}

QObject *object_property_get_qobject(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, "Property '%s' is not readable", name);
        return NULL;
    }
    return prop->get(obj, name, prop->opaque, errp);
}

bool object_property_set_qobject(Object *obj, const char *name,
                                 const QObject *value, Error **errp)
{
    ERRP_GUARD();
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Property '%s' is not writable", name);
        return false;
    }
    prop->set(obj, name, value, prop->opaque, errp);
    return !*errp;
}

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    return prop ? prop->type : NULL;
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get_qobject(obj, name, errp);
    QString *qs;

    if (!ret) {
        return NULL;
    }
    qs = qobject_to(QString, ret);
    if (!qs) {
        invalid_type(errp, name, "string");
        return NULL;
    }
    return g_strdup(qstring_get_str(qs));
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get_qobject(obj, name, errp);
    QBool *qb;

    if (!ret) {
        return false;
    }
    qb = qobject_to(QBool, ret);
    if (!qb) {
        invalid_type(errp, name, "bool");
        return false;
    }
    return qbool_get_bool(qb);
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get_qobject(obj, name, errp);
    QNum *qn;
    int64_t v;

    if (!ret) {
        return -1;
    }
    qn = qobject_to(QNum, ret);
    if (!qn || !qnum_get_try_int(qn, &v)) {
        invalid_type(errp, name, "int");
        return -1;
    }
    return v;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp)
{
    g_autoptr(QObject) ret = object_property_get_qobject(obj, name, errp);
    QNum *qn;
    uint64_t v;

    if (!ret) {
        return 0;
    }
    qn = qobject_to(QNum, ret);
    if (!qn || !qnum_get_try_uint(qn, &v)) {
        invalid_type(errp, name, "uint");
        return 0;
    }
    return v;
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp)
{
    g_autoptr(QString) qs = qstring_from_str(value);

    return object_property_set_qobject(obj, name, QOBJECT(qs), errp);
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    g_autoptr(QBool) qb = qbool_from_bool(value);

    return object_property_set_qobject(obj, name, QOBJECT(qb), errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp)
{
    g_autoptr(QNum) qn = qnum_from_int(value);

    return object_property_set_qobject(obj, name, QOBJECT(qn), errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    g_autoptr(QNum) qn = qnum_from_uint(value);

    return object_property_set_qobject(obj, name, QOBJECT(qn), errp);
}

Object *object_property_get_link(Object *obj, const char *name, Error **errp)
{
    g_autofree char *path = object_property_get_str(obj, name, errp);
    Object *target = NULL;

    if (path && *path) {
        target = object_resolve_path(path, NULL);
        if (!target) {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return target;
}

bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp)
{
    g_autofree char *path = value ? object_get_canonical_path(value) : NULL;

    return object_property_set_str(obj, name, path ? path : "", errp);
}

/*
 * Text to QObject by property type: what QEMU's string input visitor and
 * keyval input visitor do, decided here once instead of in each setter.
 */
static QObject *parse_by_type(const char *type, const char *name,
                              const char *string, Error **errp)
{
    if (!strcmp(type, "bool")) {
        bool b;

        if (!qapi_bool_parse(name, string, &b, errp)) {
            return NULL;
        }
        return QOBJECT(qbool_from_bool(b));
    }
    if (!strcmp(type, "size")) {
        uint64_t u;

        /* QEMU's string visitor words it so for a size property. */
        if (!parse_option_size(name, string, &u, NULL)) {
            error_setg(errp, "Parameter '%s' expects size", name);
            return NULL;
        }
        return QOBJECT(qnum_from_uint(u));
    }
    if (g_str_has_prefix(type, "uint")) {
        unsigned long long u;
        char *end;

        errno = 0;
        u = strtoull(string, &end, 0);
        if (errno || end == string || *end || strchr(string, '-')) {
            error_setg(errp, "Parameter '%s' expects a uint64 value", name);
            return NULL;
        }
        return QOBJECT(qnum_from_uint(u));
    }
    if (g_str_has_prefix(type, "int")) {
        long long i;
        char *end;

        errno = 0;
        i = strtoll(string, &end, 0);
        if (errno || end == string || *end) {
            error_setg(errp, "Parameter '%s' expects an int64 value", name);
            return NULL;
        }
        return QOBJECT(qnum_from_int(i));
    }
    return QOBJECT(qstring_from_str(string));
}

bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autoptr(QObject) value = NULL;

    if (!prop) {
        return false;
    }
    value = parse_by_type(prop->type, name, string, errp);
    if (!value) {
        return false;
    }
    return object_property_set_qobject(obj, name, value, errp);
}

char *object_property_print(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) value = object_property_get_qobject(obj, name, errp);

    if (!value) {
        return NULL;
    }
    switch (qobject_type(value)) {
    case QTYPE_QSTRING:
        return g_strdup(qstring_get_str(qobject_to(QString, value)));
    case QTYPE_QNUM:
        return qnum_to_string(qobject_to(QNum, value));
    case QTYPE_QBOOL:
        return g_strdup(qbool_get_bool(qobject_to(QBool, value)) ?
                        "true" : "false");
    case QTYPE_QNULL:
        return g_strdup("null");
    default:
        error_setg(errp, "Property '%s' has no text form", name);
        return NULL;
    }
}

/* ---- str and bool properties -------------------------------------------- */

typedef struct StringProperty {
    char *(*get)(Object *, Error **);
    void (*set)(Object *, const char *, Error **);
} StringProperty;

static QObject *property_get_str(Object *obj, const char *name, void *opaque,
                                 Error **errp)
{
    StringProperty *prop = opaque;
    ERRP_GUARD();
    g_autofree char *value = prop->get(obj, errp);

    if (*errp) {
        return NULL;
    }
    return QOBJECT(qstring_from_str(value ? value : ""));
}

static void property_set_str(Object *obj, const char *name,
                             const QObject *value, void *opaque,
                             Error **errp)
{
    StringProperty *prop = opaque;
    const char *str;

    if (object_property_value_str(value, name, &str, errp)) {
        prop->set(obj, str, errp);
    }
}

static void property_release_data(Object *obj, const char *name,
                                  void *opaque)
{
    g_free(opaque);
}

ObjectProperty *object_property_add_str(Object *obj, const char *name,
                        char *(*get)(Object *, Error **),
                        void (*set)(Object *, const char *, Error **))
{
    StringProperty *prop = g_new0(StringProperty, 1);

    prop->get = get;
    prop->set = set;
    return object_property_add(obj, name, "string",
                               get ? property_get_str : NULL,
                               set ? property_set_str : NULL,
                               property_release_data, prop);
}

ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                        const char *name,
                        char *(*get)(Object *, Error **),
                        void (*set)(Object *, const char *, Error **))
{
    /* Lives as long as the class, i.e. for the whole run. */
    StringProperty *prop = g_new0(StringProperty, 1);

    prop->get = get;
    prop->set = set;
    return object_class_property_add(klass, name, "string",
                                     get ? property_get_str : NULL,
                                     set ? property_set_str : NULL,
                                     NULL, prop);
}

typedef struct BoolProperty {
    bool (*get)(Object *, Error **);
    void (*set)(Object *, bool, Error **);
} BoolProperty;

static QObject *property_get_bool(Object *obj, const char *name, void *opaque,
                                  Error **errp)
{
    BoolProperty *prop = opaque;
    ERRP_GUARD();
    bool value = prop->get(obj, errp);

    if (*errp) {
        return NULL;
    }
    return QOBJECT(qbool_from_bool(value));
}

static void property_set_bool(Object *obj, const char *name,
                              const QObject *value, void *opaque,
                              Error **errp)
{
    BoolProperty *prop = opaque;
    bool b;

    if (object_property_value_bool(value, name, &b, errp)) {
        prop->set(obj, b, errp);
    }
}

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                        bool (*get)(Object *, Error **),
                        void (*set)(Object *, bool, Error **))
{
    BoolProperty *prop = g_new0(BoolProperty, 1);

    prop->get = get;
    prop->set = set;
    return object_property_add(obj, name, "bool",
                               get ? property_get_bool : NULL,
                               set ? property_set_bool : NULL,
                               property_release_data, prop);
}

ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                        const char *name,
                        bool (*get)(Object *, Error **),
                        void (*set)(Object *, bool, Error **))
{
    BoolProperty *prop = g_new0(BoolProperty, 1);

    prop->get = get;
    prop->set = set;
    return object_class_property_add(klass, name, "bool",
                                     get ? property_get_bool : NULL,
                                     set ? property_set_bool : NULL,
                                     NULL, prop);
}

/* ---- enum properties ---------------------------------------------------- */

/* The value is an int in C and its QAPI name on the wire, as in QEMU. */
typedef struct EnumProperty {
    const QEnumLookup *lookup;
    int (*get)(Object *, Error **);
    void (*set)(Object *, int, Error **);
} EnumProperty;

static QObject *property_get_enum(Object *obj, const char *name, void *opaque,
                                  Error **errp)
{
    EnumProperty *prop = opaque;
    ERRP_GUARD();
    int value = prop->get(obj, errp);

    if (*errp) {
        return NULL;
    }
    return QOBJECT(qstring_from_str(qapi_enum_lookup(prop->lookup, value)));
}

static void property_set_enum(Object *obj, const char *name,
                              const QObject *value, void *opaque,
                              Error **errp)
{
    EnumProperty *prop = opaque;
    const char *str;
    int val;

    if (!object_property_value_str(value, name, &str, errp)) {
        return;
    }
    val = qapi_enum_parse(prop->lookup, str, -1, NULL);
    if (val < 0) {
        /* The words of QEMU's visit_type_enum(). */
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   name, str);
        return;
    }
    prop->set(obj, val, errp);
}

ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                        const char *typename, const QEnumLookup *lookup,
                        int (*get)(Object *, Error **),
                        void (*set)(Object *, int, Error **))
{
    EnumProperty *prop = g_new0(EnumProperty, 1);

    prop->lookup = lookup;
    prop->get = get;
    prop->set = set;
    return object_property_add(obj, name, typename,
                               get ? property_get_enum : NULL,
                               set ? property_set_enum : NULL,
                               property_release_data, prop);
}

ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                        const char *name,
                        const char *typename, const QEnumLookup *lookup,
                        int (*get)(Object *, Error **),
                        void (*set)(Object *, int, Error **))
{
    /* Lives as long as the class, i.e. for the whole run. */
    EnumProperty *prop = g_new0(EnumProperty, 1);

    prop->lookup = lookup;
    prop->get = get;
    prop->set = set;
    return object_class_property_add(klass, name, typename,
                                     get ? property_get_enum : NULL,
                                     set ? property_set_enum : NULL,
                                     NULL, prop);
}

/* ---- uintN_t pointer properties ----------------------------------------- */

#define DEFINE_UINT_PTR_PROPERTY(bits, max, what)                           \
static QObject *property_get_uint##bits##_ptr(Object *obj, const char *name, \
                                              void *opaque, Error **errp)   \
{                                                                           \
    return QOBJECT(qnum_from_uint(*(uint##bits##_t *)opaque));              \
}                                                                           \
                                                                            \
static void property_set_uint##bits##_ptr(Object *obj, const char *name,    \
                                          const QObject *value,             \
                                          void *opaque, Error **errp)       \
{                                                                           \
    uint64_t v;                                                             \
                                                                            \
    if (object_property_value_uint(value, name, max, what, &v, errp)) {     \
        *(uint##bits##_t *)opaque = v;                                      \
    }                                                                       \
}                                                                           \
                                                                            \
ObjectProperty *object_property_add_uint##bits##_ptr(Object *obj,          \
                                        const char *name,                  \
                                        uint##bits##_t *v,                 \
                                        ObjectPropertyFlags flags)         \
{                                                                           \
    return object_property_add(obj, name, "uint" #bits,                     \
        (flags & OBJ_PROP_FLAG_READ) ? property_get_uint##bits##_ptr : NULL, \
        (flags & OBJ_PROP_FLAG_WRITE) ? property_set_uint##bits##_ptr : NULL, \
        NULL, v);                                                           \
}

DEFINE_UINT_PTR_PROPERTY(8, UINT8_MAX, "uint8_t")
DEFINE_UINT_PTR_PROPERTY(16, UINT16_MAX, "uint16_t")
DEFINE_UINT_PTR_PROPERTY(32, UINT32_MAX, "uint32_t")
DEFINE_UINT_PTR_PROPERTY(64, UINT64_MAX, "uint64")
