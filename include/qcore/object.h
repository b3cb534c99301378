/*
 * QOM, the QEMU Object Model: registered types with lazily built classes,
 * single inheritance plus interfaces, reference-counted instances, named
 * properties and the composition tree rooted at "/".  Corresponds to
 * QEMU's include/qom/object.h.
 *
 * The one deliberate difference from QEMU: property accessors move
 * values as QObjects instead of through a Visitor.  A getter returns a
 * new QObject reference (QString, QNum, QBool, ...); a setter receives a
 * borrowed `const QObject *`.  object_property_parse() is the one place
 * where a string (from -object or HMP) is turned into a typed QObject,
 * based on the property's type name.  QEMU's Visitor entry points
 * (object_property_get/set) are adapters over these.
 *
 * Locking: the type table is written only during module_call_init() (main
 * thread, before other threads exist) and is read-only afterwards, except
 * that a class is built lazily on first use: do that under the BQL.  The
 * composition tree, properties and their values are protected by the BQL
 * in a running qcore; unit tests that are single-threaded need not take
 * it.  Reference counts are atomic, so object_ref()/object_unref() may be
 * called from any thread holding a reference; the final unref runs the
 * finalizers in that thread.
 */
#ifndef QCORE_OBJECT_H
#define QCORE_OBJECT_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/queue.h"
#include "qcore/qobject.h"
#include "qcore/module.h"
#include "qapi/visitor.h"

typedef struct TypeImpl *Type;
typedef struct ObjectClass ObjectClass;
typedef struct Object Object;
typedef struct ObjectProperty ObjectProperty;
typedef struct InterfaceClass InterfaceClass;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"
#define TYPE_CONTAINER "container"

/* ---- Property callbacks ------------------------------------------------ */

/*
 * Read property @name of @obj: return a new QObject reference, or NULL
 * with @errp set.
 */
typedef QObject *ObjectPropertyGet(Object *obj, const char *name,
                                   void *opaque, Error **errp);
/*
 * Write property @name of @obj from @value (borrowed).  Report a wrongly
 * typed or out-of-range value through @errp, leaving the property as it
 * was.  The object_property_value_*() helpers below check the type.
 */
typedef void ObjectPropertySet(Object *obj, const char *name,
                               const QObject *value, void *opaque,
                               Error **errp);
/* For child<> and link<> properties: the object @part names. */
typedef Object *ObjectPropertyResolve(Object *obj, void *opaque,
                                      const char *part);
/* Called when the property is deleted (also when @obj is finalized). */
typedef void ObjectPropertyRelease(Object *obj, const char *name,
                                   void *opaque);
/* Class properties: give a new instance its default value. */
typedef void ObjectPropertyInit(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *type;             /* "string", "bool", "uint8", "child<T>", ... */
    char *description;
    ObjectPropertyGet *get;     /* NULL: not readable */
    ObjectPropertySet *set;     /* NULL: not writable */
    ObjectPropertyResolve *resolve;
    ObjectPropertyRelease *release;
    ObjectPropertyInit *init;
    void *opaque;
    QObject *defval;            /* reported by qom-list-properties */
    QTAILQ_ENTRY(ObjectProperty) node;  /* insertion order */
};

typedef void ObjectUnparent(Object *obj);
typedef void ObjectFree(void *obj);

/*
 * The base of every class struct.  A class is built once per type, on
 * first use, by copying the parent's class and then running class_init.
 */
struct ObjectClass {
    Type type;
    GSList *interfaces;         /* InterfaceClass *, one per interface */
    GHashTable *properties;     /* name -> ObjectProperty (class props) */
    QTAILQ_HEAD(, ObjectProperty) property_list;
    ObjectUnparent *unparent;   /* called when removed from its parent */
};

/*
 * The base of every instance struct.  Only QOM touches these fields.
 */
struct Object {
    ObjectClass *class;
    ObjectFree *free;           /* how to free the memory at ref 0 */
    GHashTable *properties;     /* name -> ObjectProperty (own props) */
    QTAILQ_HEAD(, ObjectProperty) property_list;
    int ref;                    /* atomic */
    Object *parent;             /* set while we are some child<> */
};

typedef struct InterfaceInfo {
    const char *type;
} InterfaceInfo;

/*
 * The description of a type, given to type_register_static().  Only name
 * is required; sizes and callbacks not given are inherited.
 */
typedef struct TypeInfo {
    const char *name;
    const char *parent;         /* NULL only for TYPE_OBJECT/INTERFACE */

    size_t instance_size;
    size_t instance_align;      /* accepted for QEMU compatibility */
    void (*instance_init)(Object *obj);         /* parent's run first */
    void (*instance_post_init)(Object *obj);    /* after all inits,
                                                   child first */
    void (*instance_finalize)(Object *obj);     /* child first */

    bool abstract;              /* object_new() refuses it */
    size_t class_size;

    void (*class_init)(ObjectClass *klass, const void *data);
    /* Runs for every subclass, before the subclass's class_init. */
    void (*class_base_init)(ObjectClass *klass, const void *data);
    const void *class_data;

    InterfaceInfo *interfaces;  /* ends with { NULL } */
} TypeInfo;

/*
 * The class of an interface as an implementing type sees it: the methods
 * live in the subclass struct (e.g. UserCreatableClass), which the
 * implementing type's class_init fills in.
 */
struct InterfaceClass {
    ObjectClass parent_class;
    ObjectClass *concrete_class;    /* the class that implements us */
    Type interface_type;
};

/* ---- Casts -------------------------------------------------------------- */

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(class) ((ObjectClass *)(class))

/* @obj as a @type *, asserting that it is an instance of type @name. */
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__, __func__))
/* @class as a @class_type *, asserting that it is or derives from @name. */
#define OBJECT_CLASS_CHECK(class_type, class, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(class), \
                          (name), __FILE__, __LINE__, __func__))
/* The class of @obj as a @class *, checked against @name. */
#define OBJECT_GET_CLASS(class, obj, name) \
    OBJECT_CLASS_CHECK(class, object_get_class(OBJECT(obj)), name)

#define INTERFACE_CHECK(interface, obj, name) \
    ((interface *)object_dynamic_cast_assert(OBJECT((obj)), (name), \
                                             __FILE__, __LINE__, __func__))
#define INTERFACE_CLASS(klass) \
    OBJECT_CLASS_CHECK(InterfaceClass, klass, TYPE_INTERFACE)

/*
 * OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME): declare
 * the typedefs, the autoptr cleanup and the cast helpers MODULE_OBJ_NAME(),
 * MODULE_OBJ_NAME_CLASS() and MODULE_OBJ_NAME_GET_CLASS() for a type
 * whose name is TYPE_MODULE_OBJ_NAME.
 */
#define OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME)   \
    typedef struct InstanceType InstanceType;                           \
    typedef struct ClassType ClassType;                                 \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)           \
    static inline G_GNUC_UNUSED InstanceType *                          \
    MODULE_OBJ_NAME(const void *obj)                                    \
    { return OBJECT_CHECK(InstanceType, obj, TYPE_##MODULE_OBJ_NAME); } \
    static inline G_GNUC_UNUSED ClassType *                             \
    MODULE_OBJ_NAME##_GET_CLASS(const void *obj)                        \
    { return OBJECT_GET_CLASS(ClassType, obj, TYPE_##MODULE_OBJ_NAME); } \
    static inline G_GNUC_UNUSED ClassType *                             \
    MODULE_OBJ_NAME##_CLASS(const void *klass)                          \
    { return OBJECT_CLASS_CHECK(ClassType, klass, TYPE_##MODULE_OBJ_NAME); }

/* The same for a type with no class struct of its own. */
#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME)       \
    typedef struct InstanceType InstanceType;                           \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)           \
    static inline G_GNUC_UNUSED InstanceType *                          \
    MODULE_OBJ_NAME(const void *obj)                                    \
    { return OBJECT_CHECK(InstanceType, obj, TYPE_##MODULE_OBJ_NAME); }

/*
 * OBJECT_DEFINE_TYPE(ModuleObjName, module_obj_name, MODULE_OBJ_NAME,
 * PARENT_MODULE_OBJ_NAME): the TypeInfo and its registration, for a type
 * with instance struct ModuleObjName, class struct ModuleObjNameClass and
 * functions module_obj_name_init/_finalize/_class_init, which the caller
 * defines.
 */
#define OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,     \
                                    MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                    ABSTRACT, ...)                      \
    static void module_obj_name##_init(Object *obj);                    \
    static void module_obj_name##_finalize(Object *obj);                \
    static void module_obj_name##_class_init(ObjectClass *oc,           \
                                             const void *data);         \
    static const TypeInfo module_obj_name##_info = {                    \
        .parent = TYPE_##PARENT_MODULE_OBJ_NAME,                        \
        .name = TYPE_##MODULE_OBJ_NAME,                                 \
        .instance_size = sizeof(ModuleObjName),                         \
        .instance_init = module_obj_name##_init,                        \
        .instance_finalize = module_obj_name##_finalize,                \
        .class_size = sizeof(ModuleObjName##Class),                     \
        .class_init = module_obj_name##_class_init,                     \
        .abstract = ABSTRACT,                                           \
        .interfaces = (InterfaceInfo[]) { __VA_ARGS__ },                \
    };                                                                  \
    static void module_obj_name##_register_types(void)                  \
    {                                                                   \
        type_register_static(&module_obj_name##_info);                  \
    }                                                                   \
    type_init(module_obj_name##_register_types)

#define OBJECT_DEFINE_TYPE(ModuleObjName, module_obj_name, MODULE_OBJ_NAME, \
                           PARENT_MODULE_OBJ_NAME)                      \
    OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,         \
                                MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                false, { NULL })

#define OBJECT_DEFINE_TYPE_WITH_INTERFACES(ModuleObjName, module_obj_name, \
                                           MODULE_OBJ_NAME,             \
                                           PARENT_MODULE_OBJ_NAME, ...) \
    OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,         \
                                MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                false, __VA_ARGS__)

/* ---- Types -------------------------------------------------------------- */

/*
 * Register a type.  @info and the strings it points to are copied.  A
 * name registered twice aborts: it is a programming error.  Call from a
 * type_init() function, or before the type is first used.
 */
Type type_register_static(const TypeInfo *info);
/* The same; QEMU keeps both names. */
Type type_register(const TypeInfo *info);
/* Register @nr_infos types from an array. */
void type_register_static_array(const TypeInfo *infos, int nr_infos);

/*
 * DEFINE_TYPES(array): a type_init() that registers every TypeInfo of
 * @array.
 */
#define DEFINE_TYPES(type_array)                                        \
static void do_qcore_init_ ## type_array(void)                          \
{                                                                       \
    type_register_static_array(type_array, G_N_ELEMENTS(type_array));   \
}                                                                       \
type_init(do_qcore_init_ ## type_array)

/* ---- Instances ---------------------------------------------------------- */

/*
 * A new instance of @typename with one reference, its instance_init
 * functions run parent first, then its instance_post_init child first.
 * @typename must exist and not be abstract (asserted).
 */
Object *object_new(const char *typename);
/* The same from a class. */
Object *object_new_with_class(ObjectClass *klass);

/*
 * Create an object of @typename, set the properties given as
 * name/value string pairs ended by NULL (object_property_parse), add it
 * as child @id of @parent and, if it is user-creatable, complete it.
 * Returns the object, whose only reference is now its parent's, or NULL
 * with @errp set ("invalid object type: x", "object type 'x' is
 * abstract", property errors, duplicate id...).
 */
Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;
Object *object_new_with_propv(const char *typename, Object *parent,
                              const char *id, Error **errp, va_list vargs);
/* Set name/value string pairs ended by NULL; false on the first error. */
bool object_set_props(Object *obj, Error **errp, ...) G_GNUC_NULL_TERMINATED;
bool object_set_propv(Object *obj, Error **errp, va_list vargs);

/*
 * Initialise an instance of @typename in caller-provided memory @data of
 * @size bytes (at least the type's instance size).  The object is not
 * freed at ref 0, only finalized: embed it in a bigger struct.
 */
void object_initialize(void *data, size_t size, const char *typename);

/* Take a reference; returns @obj. */
Object *object_ref(void *obj);
/*
 * Drop a reference (NULL is a no-op).  At zero the object's properties
 * are released (children are unparented, strong links dropped), its
 * instance_finalize functions run child first, then it is freed.
 */
void object_unref(void *obj);

/*
 * @obj if it is an instance of @typename (a class or an interface), else
 * NULL.  @obj may be NULL.
 */
Object *object_dynamic_cast(Object *obj, const char *typename);
/* As object_dynamic_cast(), but aborts with a message if it fails. */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func);

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);

/* ---- Classes ------------------------------------------------------------ */

/*
 * @klass seen as @typename: itself if it derives from @typename; for an
 * interface, the InterfaceClass through which @klass implements it.  NULL
 * if neither (or if two interfaces match, which would be ambiguous).
 */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func);
const char *object_class_get_name(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* The class of @typename, built if needed; NULL if there is no such type. */
ObjectClass *object_class_by_name(const char *typename);
/* The parent's class, or NULL for a root type. */
ObjectClass *object_class_get_parent(ObjectClass *klass);
/*
 * Call @fn on every registered class that implements @implements (NULL:
 * all), abstract ones only with @include_abstract.  Builds every class.
 * Types may not be registered from @fn.
 */
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements, bool include_abstract,
                          void *opaque);
/* The same classes as a list, to g_slist_free(); unordered / by name. */
GSList *object_class_get_list(const char *implements, bool include_abstract);
GSList *object_class_get_list_sorted(const char *implements,
                                     bool include_abstract);

/* ---- Properties --------------------------------------------------------- */

typedef enum ObjectPropertyFlags {
    OBJ_PROP_FLAG_READ = 1 << 0,
    OBJ_PROP_FLAG_WRITE = 1 << 1,
    OBJ_PROP_FLAG_READWRITE = OBJ_PROP_FLAG_READ | OBJ_PROP_FLAG_WRITE,
} ObjectPropertyFlags;

/*
 * Add a property to @obj.  A @name ending in "[*]" is numbered: the first
 * free "name[0]", "name[1]", ... is used.  A duplicate name (also of a
 * class property) is a programming error and aborts; use
 * object_property_try_add() to get "attempt to add duplicate property
 * 'x' to object (type 'y')" instead.
 */
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp);
/* Remove (and release) property @name of @obj; it must exist. */
void object_property_del(Object *obj, const char *name);

/*
 * Add a property to every instance of @klass and its subclasses (call
 * from class_init).  These are what qom-list-properties reports for
 * abstract types and what "-object T,help" lists.
 */
ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name, const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque);

/* The property @name of @obj (own or class), or NULL. */
ObjectProperty *object_property_find(Object *obj, const char *name);
/* The same, with "Property 'type.name' not found" when missing. */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp);
ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name);

void object_property_set_description(Object *obj, const char *name,
                                     const char *description);
void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description);

/*
 * Default values of class properties: reported by qom-list-properties
 * and set on every new instance before its instance_init runs.
 */
void object_property_set_default_bool(ObjectProperty *prop, bool value);
void object_property_set_default_str(ObjectProperty *prop,
                                     const char *value);
void object_property_set_default_int(ObjectProperty *prop, int64_t value);
void object_property_set_default_uint(ObjectProperty *prop, uint64_t value);

/*
 * Iterate over the properties of an object (its own, then its class's,
 * then its ancestors') or of a class.  The current property may be
 * deleted during the loop.
 *
 *     ObjectPropertyIterator iter;
 *     ObjectProperty *prop;
 *     object_property_iter_init(&iter, obj);
 *     while ((prop = object_property_iter_next(&iter))) { ... }
 */
typedef struct ObjectPropertyIterator {
    ObjectClass *nextclass;
    ObjectProperty *next;
} ObjectPropertyIterator;

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj);
void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass);
ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter);

/*
 * Read property @name: a new QObject reference, or NULL with @errp set
 * ("Property 'T.x' not found", "Property 'x' is not readable", or the
 * getter's error).
 */
QObject *object_property_get_qobject(Object *obj, const char *name,
                                     Error **errp);
/*
 * Write property @name from @value.  False with @errp set on error
 * ("Property 'T.x' not found", "Property 'x' is not writable", or the
 * setter's error, e.g. "Invalid parameter type for 'x', expected:
 * boolean").
 */
bool object_property_set_qobject(Object *obj, const char *name,
                                 const QObject *value, Error **errp);
/*
 * QEMU's Visitor forms, adapters over the two above.
 * object_property_get: output the value of @name as member @name of @v
 * (an output visitor, e.g. qobject_output_visitor_new()).
 * object_property_set: read member @name from @v (an input visitor
 * inside the struct holding it) and set the property.  A keyval visitor
 * (-object) yields text, parsed as object_property_parse() does; a JSON
 * one yields a typed value, checked by the setter.
 */
bool object_property_get(Object *obj, const char *name, Visitor *v,
                         Error **errp);
bool object_property_set(Object *obj, const char *name, Visitor *v,
                         Error **errp);

/*
 * Typed access.  The getters return NULL/false/-1 with @errp set when
 * the property is missing or of another type ("Invalid parameter type
 * for 'x', expected: string").  get_str returns a string to g_free().
 */
char *object_property_get_str(Object *obj, const char *name, Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
int64_t object_property_get_int(Object *obj, const char *name, Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp);
/* The target of link/child property @name, or NULL. */
Object *object_property_get_link(Object *obj, const char *name,
                                 Error **errp);
bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp);
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
/* Point link property @name at @value (NULL clears it). */
bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp);

/*
 * Set property @name from the text @string, as -object and HMP give it:
 * for "bool" properties on/off/yes/no/true/false, for "int", "intN",
 * "uintN" and "size" a number (sizes may have a k/M/G/T suffix), for
 * anything else the string itself.
 */
bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp);
/* The value of @name as text (a string property's value, a number...). */
char *object_property_print(Object *obj, const char *name, Error **errp);

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp);

/*
 * Helpers for setters: check that @value has the expected type and
 * extract it, or set QEMU's error for property @name and return false.
 *   string / boolean / integer: "Invalid parameter type for 'x',
 *       expected: string" (resp. boolean, integer).
 *   uint with @max: "Parameter 'x' expects uint8_t" style errors, where
 *       @what names the C type ("uint8_t", "uint64").
 * value_str returns a borrowed string.
 */
bool object_property_value_str(const QObject *value, const char *name,
                               const char **ret, Error **errp);
bool object_property_value_bool(const QObject *value, const char *name,
                                bool *ret, Error **errp);
bool object_property_value_int(const QObject *value, const char *name,
                               int64_t *ret, Error **errp);
bool object_property_value_uint(const QObject *value, const char *name,
                                uint64_t max, const char *what,
                                uint64_t *ret, Error **errp);

/* -- Convenience properties -- */

/*
 * A string property backed by accessor functions; @get returns a string
 * the caller frees (NULL reads as ""), @set NULL makes it read-only.
 */
ObjectProperty *object_property_add_str(Object *obj, const char *name,
                        char *(*get)(Object *, Error **),
                        void (*set)(Object *, const char *, Error **));
ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                        const char *name,
                        char *(*get)(Object *, Error **),
                        void (*set)(Object *, const char *, Error **));
/* A boolean property backed by accessor functions. */
ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                        bool (*get)(Object *, Error **),
                        void (*set)(Object *, bool, Error **));
ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                        const char *name,
                        bool (*get)(Object *, Error **),
                        void (*set)(Object *, bool, Error **));

/*
 * An enum property backed by accessor functions: an int in C, the name
 * from @lookup on the wire (type @typename, the QAPI enum's name, e.g.
 * "OnOffAuto").  Setting a name not in @lookup: "Parameter 'x' does not
 * accept value 'y'"; a non-string: "Invalid parameter type for 'x',
 * expected: string".
 */
ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                        const char *typename, const QEnumLookup *lookup,
                        int (*get)(Object *, Error **),
                        void (*set)(Object *, int, Error **));
ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                        const char *name,
                        const char *typename, const QEnumLookup *lookup,
                        int (*get)(Object *, Error **),
                        void (*set)(Object *, int, Error **));

/*
 * Integer properties backed by a variable; @flags says whether it may be
 * read and written through the property.  Setting a value that does not
 * fit: "Parameter 'x' expects uint8_t" (uint16_t, uint32_t, uint64).
 */
ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              uint8_t *v,
                                              ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint16_ptr(Object *obj, const char *name,
                                               uint16_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint32_ptr(Object *obj, const char *name,
                                               uint32_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint64_ptr(Object *obj, const char *name,
                                               uint64_t *v,
                                               ObjectPropertyFlags flags);

/* ---- Composition: child<> and link<> ------------------------------------ */

/*
 * Make @child the child @name of @obj: adds a "child<T>" property, takes
 * a reference to @child and sets its parent.  @child must have no parent.
 * A duplicate name aborts (try_add_child sets @errp instead).  The caller
 * usually drops its own reference afterwards, so that the tree owns the
 * child.
 */
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);
ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp);

/*
 * Detach @obj from its parent (deleting the child<> property, which drops
 * the parent's reference).  No-op without a parent.
 */
void object_unparent(Object *obj);

typedef enum ObjectPropertyLinkFlags {
    OBJ_PROP_LINK_STRONG = 1 << 0,  /* the link holds a reference */
} ObjectPropertyLinkFlags;

/*
 * Check whether @val may be stored in link @name of @obj; set @errp to
 * refuse.  Called before the link changes.
 */
typedef void ObjectLinkCheck(const Object *obj, const char *name,
                             Object *val, Error **errp);
/* A check that allows everything. */
void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp);

/*
 * Add "link<@type>" property @name to @obj, stored in *@targetp.  Written
 * with a path (absolute or partial, "" clears it); read as the target's
 * canonical path ("" when unset).  @check NULL makes it read-only.  Path
 * errors: "Device 'p' not found" (DeviceNotFound), "Path 'p' does not
 * uniquely identify an object", "Invalid parameter type for 'name',
 * expected: T".
 */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags);

/* ---- The composition tree ----------------------------------------------- */

/*
 * The root container "/", created on first use with the containers
 * "/objects" (user-created objects) and "/chardevs".
 */
Object *object_get_root(void);
/* "/objects", where -object and object-add put their objects. */
Object *object_get_objects_root(void);
/* A tree not reachable from "/", for objects the user should not see. */
Object *object_get_internal_root(void);
/* The container child @name of "/" (created if missing). */
Object *object_get_container(const char *name);

/*
 * The container at @path below @root (e.g. "/machine/unattached"),
 * creating the missing ones.  QEMU's container_get().
 */
Object *container_get(Object *root, const char *path);

/* The name of @obj in its parent (borrowed), or NULL if it has none. */
const char *object_get_canonical_path_component(const Object *obj);
/* "/a/b/c" (to g_free), or NULL if @obj is not attached below "/". */
char *object_get_canonical_path(const Object *obj);

/*
 * Find an object by path.  An absolute path ("/objects/io0") is followed
 * from the root through child<> and link<> properties.  A partial path
 * ("io0", "objects/io0") matches any object whose canonical path ends in
 * it; if more than one does, the result is NULL and *@ambiguous (if not
 * NULL) is set to true.  Returns a borrowed pointer.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
/* The same, counting only objects that are of @typename. */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
/* Follow @path from @parent (an absolute path starts at "/" instead). */
Object *object_resolve_path_at(Object *parent, const char *path);
/* The object property @part of @parent leads to, or NULL. */
Object *object_resolve_path_component(Object *parent, const char *part);

/*
 * Call @fn on each child of @obj in the order they were added, stopping
 * at (and returning) the first non-zero return value.  @fn must not
 * remove children other than the one it is given.
 */
int object_child_foreach(Object *obj,
                         int (*fn)(Object *child, void *opaque),
                         void *opaque);
/* The same over all descendants, depth first, parent before child. */
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Object, object_unref)

#endif
