/*
 * Unit tests for QOM: types and classes, interfaces, casts, instance life
 * cycle, properties, the composition tree, user-creatable objects and the
 * QOM QMP commands.  Corresponds to QEMU's tests/unit/check-qom-interface.c,
 * check-qom-proplist.c and test-qdev-global-props.c in spirit.
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qcore/object-interfaces.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "qcore/qjson.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"

/* What the callbacks did, in order, to check init/finalize order. */
static GString *trace;

static void trace_add(const char *what)
{
    g_string_append_printf(trace, "%s%s", trace->len ? " " : "", what);
}

static void trace_reset(void)
{
    g_string_truncate(trace, 0);
}

/* ---- Test types --------------------------------------------------------- */

#define TYPE_ORDER_A "order-a"
#define TYPE_ORDER_B "order-b"

static void order_a_class_init(ObjectClass *oc, const void *data)
{
    trace_add("a-class");
}

static void order_a_class_base_init(ObjectClass *oc, const void *data)
{
    trace_add("a-base-init");
}

static void order_b_class_init(ObjectClass *oc, const void *data)
{
    trace_add("b-class");
}

/* A base with a method, a subclass overriding it, an interface. */
#define TYPE_ANIMAL "animal"
#define TYPE_DOG "dog"
#define TYPE_PUPPY "puppy"
#define TYPE_SHAPE "shape"          /* abstract */
#define TYPE_BARKER "barker"        /* interface */

typedef struct Animal {
    Object parent_obj;
    int legs;
} Animal;

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *(*sound)(Animal *a);
    int kind;
} AnimalClass;

typedef struct Dog {
    Animal parent_obj;
    char *name;
    bool good;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    Object *friend;
} Dog;

typedef struct BarkerClass {
    InterfaceClass parent_class;
    int (*bark)(Object *obj);
} BarkerClass;

#define ANIMAL(obj) OBJECT_CHECK(Animal, obj, TYPE_ANIMAL)
#define ANIMAL_GET_CLASS(obj) OBJECT_GET_CLASS(AnimalClass, obj, TYPE_ANIMAL)
#define ANIMAL_CLASS(k) OBJECT_CLASS_CHECK(AnimalClass, k, TYPE_ANIMAL)
#define DOG(obj) OBJECT_CHECK(Dog, obj, TYPE_DOG)
#define BARKER_CLASS(k) OBJECT_CLASS_CHECK(BarkerClass, k, TYPE_BARKER)
#define BARKER_GET_CLASS(obj) OBJECT_GET_CLASS(BarkerClass, obj, TYPE_BARKER)

static const char *animal_sound(Animal *a)
{
    return "...";
}

static const char *dog_sound(Animal *a)
{
    return "woof";
}

static int dog_bark(Object *obj)
{
    return 42;
}

static void animal_class_init(ObjectClass *oc, const void *data)
{
    AnimalClass *ac = ANIMAL_CLASS(oc);

    ac->sound = animal_sound;
    ac->kind = 7;
}

static void dog_class_init(ObjectClass *oc, const void *data)
{
    ANIMAL_CLASS(oc)->sound = dog_sound;
    BARKER_CLASS(oc)->bark = dog_bark;
}

static void animal_init(Object *obj)
{
    ANIMAL(obj)->legs = 4;
    trace_add("animal-init");
}

static void animal_post_init(Object *obj)
{
    trace_add("animal-post");
}

static void animal_finalize(Object *obj)
{
    trace_add("animal-fini");
}

static char *dog_get_name(Object *obj, Error **errp)
{
    return g_strdup(DOG(obj)->name);
}

static void dog_set_name(Object *obj, const char *value, Error **errp)
{
    Dog *d = DOG(obj);

    g_free(d->name);
    d->name = g_strdup(value);
}

static bool dog_get_good(Object *obj, Error **errp)
{
    return DOG(obj)->good;
}

static void dog_set_good(Object *obj, bool value, Error **errp)
{
    DOG(obj)->good = value;
}

static void dog_check_friend(const Object *obj, const char *name,
                             Object *val, Error **errp)
{
    if (val == obj) {
        error_setg(errp, "a dog cannot be its own friend");
    }
}

static void dog_init(Object *obj)
{
    Dog *d = DOG(obj);

    trace_add("dog-init");
    d->name = g_strdup("rex");
    object_property_add_str(obj, "name", dog_get_name, dog_set_name);
    object_property_add_bool(obj, "good", dog_get_good, dog_set_good);
    object_property_add_uint8_ptr(obj, "u8", &d->u8,
                                  OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint16_ptr(obj, "u16", &d->u16,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "u32", &d->u32,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "u64", &d->u64, OBJ_PROP_FLAG_READ);
    object_property_add_link(obj, "friend", TYPE_ANIMAL, &d->friend,
                             dog_check_friend, OBJ_PROP_LINK_STRONG);
}

static void dog_post_init(Object *obj)
{
    trace_add("dog-post");
}

static void dog_finalize(Object *obj)
{
    trace_add("dog-fini");
    g_free(DOG(obj)->name);
}

/* ---- A user-creatable type ---------------------------------------------- */

#define TYPE_GADGET "gadget"

typedef struct Gadget {
    Object parent_obj;
    int64_t size;
    char *label;
    bool completed;
    bool busy;
} Gadget;

#define GADGET(obj) OBJECT_CHECK(Gadget, obj, TYPE_GADGET)

static int gadgets_completed;

static QObject *gadget_get_size(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    return QOBJECT(qnum_from_int(GADGET(obj)->size));
}

static void gadget_set_size(Object *obj, const char *name,
                            const QObject *value, void *opaque, Error **errp)
{
    int64_t v;

    if (!object_property_value_int(value, name, &v, errp)) {
        return;
    }
    if (v < 0) {
        error_setg(errp, "size must not be negative");
        return;
    }
    GADGET(obj)->size = v;
}

static char *gadget_get_label(Object *obj, Error **errp)
{
    return g_strdup(GADGET(obj)->label);
}

static void gadget_set_label(Object *obj, const char *value, Error **errp)
{
    g_free(GADGET(obj)->label);
    GADGET(obj)->label = g_strdup(value);
}

static bool gadget_get_busy(Object *obj, Error **errp)
{
    return GADGET(obj)->busy;
}

static void gadget_set_busy(Object *obj, bool value, Error **errp)
{
    GADGET(obj)->busy = value;
}

static void gadget_complete(UserCreatable *uc, Error **errp)
{
    Gadget *g = GADGET(uc);

    if (g->label && !strcmp(g->label, "fail")) {
        error_setg(errp, "gadget refuses to start");
        return;
    }
    g->completed = true;
    gadgets_completed++;
}

static bool gadget_can_be_deleted(UserCreatable *uc)
{
    return !GADGET(uc)->busy;
}

static void gadget_finalize(Object *obj)
{
    g_free(GADGET(obj)->label);
}

static void gadget_class_init(ObjectClass *oc, const void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    ObjectProperty *prop;

    ucc->complete = gadget_complete;
    ucc->can_be_deleted = gadget_can_be_deleted;
    prop = object_class_property_add(oc, "size", "int", gadget_get_size,
                                     gadget_set_size, NULL, NULL);
    object_property_set_default_int(prop, 16);
    object_class_property_set_description(oc, "size", "Size in bytes");
    object_class_property_add_str(oc, "label", gadget_get_label,
                                  gadget_set_label);
    object_class_property_add_bool(oc, "busy", gadget_get_busy,
                                   gadget_set_busy);
}

/* A user-creatable type with an enum-typed property. */
#define TYPE_WIDGET "widget"

typedef enum WidgetMode {
    WIDGET_MODE_OFF,
    WIDGET_MODE_ON,
    WIDGET_MODE_AUTO,
    WIDGET_MODE__MAX,
} WidgetMode;

static const QEnumLookup WidgetMode_lookup = {
    .array = (const char *const[]) {
        [WIDGET_MODE_OFF] = "off",
        [WIDGET_MODE_ON] = "on",
        [WIDGET_MODE_AUTO] = "auto",
    },
    .size = WIDGET_MODE__MAX,
};

typedef struct Widget {
    Object parent_obj;
    WidgetMode mode;
} Widget;

#define WIDGET(obj) OBJECT_CHECK(Widget, obj, TYPE_WIDGET)

static int widget_get_mode(Object *obj, Error **errp)
{
    return WIDGET(obj)->mode;
}

static void widget_set_mode(Object *obj, int value, Error **errp)
{
    WIDGET(obj)->mode = value;
}

static void widget_class_init(ObjectClass *oc, const void *data)
{
    object_class_property_add_enum(oc, "mode", "WidgetMode",
                                   &WidgetMode_lookup, widget_get_mode,
                                   widget_set_mode);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_ORDER_A,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_init = order_a_class_init,
        .class_base_init = order_a_class_base_init,
    }, {
        .name = TYPE_ORDER_B,
        .parent = TYPE_ORDER_A,
        .class_init = order_b_class_init,
    }, {
        .name = TYPE_BARKER,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(BarkerClass),
    }, {
        .name = TYPE_SHAPE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .abstract = true,
    }, {
        .name = TYPE_ANIMAL,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Animal),
        .instance_init = animal_init,
        .instance_post_init = animal_post_init,
        .instance_finalize = animal_finalize,
        .class_size = sizeof(AnimalClass),
        .class_init = animal_class_init,
    }, {
        .name = TYPE_DOG,
        .parent = TYPE_ANIMAL,
        .instance_size = sizeof(Dog),
        .instance_init = dog_init,
        .instance_post_init = dog_post_init,
        .instance_finalize = dog_finalize,
        .class_init = dog_class_init,
        .interfaces = (InterfaceInfo[]) { { TYPE_BARKER }, { NULL } },
    }, {
        .name = TYPE_PUPPY,
        .parent = TYPE_DOG,
    }, {
        .name = TYPE_GADGET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Gadget),
        .instance_finalize = gadget_finalize,
        .class_init = gadget_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE }, { NULL }
        },
    },
    {
        .name = TYPE_WIDGET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Widget),
        .class_init = widget_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE }, { NULL }
        },
    },
};

DEFINE_TYPES(test_types)

/* ---- Types and classes -------------------------------------------------- */

static void test_class_init_lazy_parent_first_once(void)
{
    ObjectClass *b;

    trace_reset();
    /* Registered before main(), but no class built yet. */
    g_assert_cmpstr(trace->str, ==, "");
    b = object_class_by_name(TYPE_ORDER_B);
    g_assert_nonnull(b);
    g_assert_cmpstr(trace->str, ==, "a-class a-base-init b-class");
    g_assert(object_class_by_name(TYPE_ORDER_B) == b);
    g_assert(object_class_by_name(TYPE_ORDER_A) == object_class_get_parent(b));
    object_unref(object_new(TYPE_ORDER_B));
    g_assert_cmpstr(trace->str, ==, "a-class a-base-init b-class");
}

static void test_class_copied_from_parent(void)
{
    AnimalClass *ac = ANIMAL_CLASS(object_class_by_name(TYPE_ANIMAL));
    AnimalClass *dc = ANIMAL_CLASS(object_class_by_name(TYPE_DOG));
    AnimalClass *pc = ANIMAL_CLASS(object_class_by_name(TYPE_PUPPY));

    g_assert(ac->sound == animal_sound);
    g_assert(dc->sound == dog_sound);
    g_assert_cmpint(dc->kind, ==, 7);           /* inherited by copy */
    g_assert(pc->sound == dog_sound);
    g_assert_cmpstr(object_class_get_name(OBJECT_CLASS(pc)), ==, TYPE_PUPPY);
    g_assert_null(object_class_by_name("no-such-type"));
}

static void test_abstract_type_cannot_be_instantiated(void)
{
    if (g_test_subprocess()) {
        object_new(TYPE_SHAPE);
        return;
    }
    g_assert_true(object_class_is_abstract(object_class_by_name(TYPE_SHAPE)));
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*abstract type 'shape'*");
}

static void test_new_with_props_rejects_abstract_and_unknown(void)
{
    Error *err = NULL;

    g_assert_null(object_new_with_props(TYPE_SHAPE, object_get_root(), "s",
                                        &err, NULL));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "object type 'shape' is abstract");
    error_free(err);
    err = NULL;
    g_assert_null(object_new_with_props("nope", object_get_root(), "s",
                                        &err, NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "invalid object type: nope");
    error_free(err);
}

static void test_class_get_list_abstract_filter(void)
{
    GSList *all = object_class_get_list(TYPE_ANIMAL, true);
    GSList *concrete = object_class_get_list_sorted(TYPE_OBJECT, false);
    GSList *ifaces = object_class_get_list(TYPE_BARKER, false);

    g_assert_cmpint(g_slist_length(all), ==, 3);   /* animal dog puppy */
    g_assert_null(g_slist_find(concrete, object_class_by_name(TYPE_SHAPE)));
    g_assert_null(g_slist_find(concrete, object_class_by_name(TYPE_OBJECT)));
    g_assert_nonnull(g_slist_find(concrete, object_class_by_name(TYPE_DOG)));
    /* Sorted by name. */
    for (GSList *l = concrete; l && l->next; l = l->next) {
        g_assert_cmpstr(object_class_get_name(l->data), <,
                        object_class_get_name(l->next->data));
    }
    g_assert_cmpint(g_slist_length(ifaces), ==, 2);  /* dog puppy */
    g_slist_free(all);
    g_slist_free(concrete);
    g_slist_free(ifaces);
}

/* ---- Casts and interfaces ----------------------------------------------- */

static void test_dynamic_cast_up_and_down(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    g_autoptr(Object) animal = object_new(TYPE_ANIMAL);

    g_assert(object_dynamic_cast(dog, TYPE_ANIMAL) == dog);
    g_assert(object_dynamic_cast(dog, TYPE_OBJECT) == dog);
    g_assert(object_dynamic_cast(dog, TYPE_DOG) == dog);
    g_assert_null(object_dynamic_cast(animal, TYPE_DOG));
    g_assert_null(object_dynamic_cast(animal, "no-such-type"));
    g_assert_null(object_dynamic_cast(NULL, TYPE_OBJECT));
    g_assert_cmpstr(ANIMAL_GET_CLASS(dog)->sound(ANIMAL(dog)), ==, "woof");
    g_assert_cmpstr(ANIMAL_GET_CLASS(animal)->sound(ANIMAL(animal)), ==,
                    "...");
    g_assert_cmpstr(object_get_typename(dog), ==, TYPE_DOG);
}

static void test_dynamic_cast_assert_aborts_on_mismatch(void)
{
    if (g_test_subprocess()) {
        Object *animal = object_new(TYPE_ANIMAL);
        (void)DOG(animal);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*is not an instance of type dog*");
}

static void test_interface_cast_and_non_implementer(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    g_autoptr(Object) puppy = object_new(TYPE_PUPPY);
    g_autoptr(Object) animal = object_new(TYPE_ANIMAL);
    ObjectClass *ic;

    g_assert(object_dynamic_cast(dog, TYPE_BARKER) == dog);
    g_assert(object_dynamic_cast(dog, TYPE_INTERFACE) == dog);
    g_assert_null(object_dynamic_cast(animal, TYPE_BARKER));
    ic = object_class_dynamic_cast(object_get_class(dog), TYPE_BARKER);
    g_assert_nonnull(ic);
    g_assert(((InterfaceClass *)ic)->concrete_class ==
             object_get_class(dog));
    g_assert_cmpint(BARKER_GET_CLASS(dog)->bark(dog), ==, 42);
    /* Inherited implementation, own InterfaceClass. */
    g_assert_cmpint(BARKER_GET_CLASS(puppy)->bark(puppy), ==, 42);
    g_assert(object_class_dynamic_cast(object_get_class(puppy),
                                       TYPE_BARKER) != ic);
    g_assert_null(object_class_dynamic_cast(object_get_class(animal),
                                            TYPE_BARKER));
}

/* ---- Instances ---------------------------------------------------------- */

static void test_init_parent_first_finalize_child_first(void)
{
    Object *dog;

    trace_reset();
    dog = object_new(TYPE_DOG);
    g_assert_cmpstr(trace->str, ==,
                    "animal-init dog-init dog-post animal-post");
    g_assert_cmpint(ANIMAL(dog)->legs, ==, 4);
    trace_reset();
    object_unref(dog);
    g_assert_cmpstr(trace->str, ==, "dog-fini animal-fini");
}

static void test_refcount_finalizes_at_zero(void)
{
    Object *dog = object_new(TYPE_DOG);

    trace_reset();
    g_assert(object_ref(dog) == dog);
    object_unref(dog);
    g_assert_cmpstr(trace->str, ==, "");
    object_unref(dog);
    g_assert_cmpstr(trace->str, ==, "dog-fini animal-fini");
    object_unref(NULL);
}

static void test_object_initialize_in_place(void)
{
    Dog dog;

    trace_reset();
    object_initialize(&dog, sizeof(dog), TYPE_DOG);
    g_assert_cmpstr(object_get_typename(OBJECT(&dog)), ==, TYPE_DOG);
    g_assert_cmpint(dog.parent_obj.legs, ==, 4);
    object_unref(&dog);     /* finalized, not freed */
    g_assert_cmpstr(trace->str, ==,
                    "animal-init dog-init dog-post animal-post "
                    "dog-fini animal-fini");
}

/* ---- Properties --------------------------------------------------------- */

static void test_property_str(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    g_autofree char *name = NULL;
    Error *err = NULL;

    name = object_property_get_str(dog, "name", &error_abort);
    g_assert_cmpstr(name, ==, "rex");
    g_assert_true(object_property_set_str(dog, "name", "fido", &error_abort));
    g_assert_cmpstr(DOG(dog)->name, ==, "fido");
    g_assert_cmpstr(object_property_get_type(dog, "name", NULL), ==,
                    "string");
    /* A string property refuses other JSON types. */
    g_assert_false(object_property_set_int(dog, "name", 3, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'name', expected: string");
    error_free(err);
}

static void test_property_bool(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    Error *err = NULL;

    g_assert_false(object_property_get_bool(dog, "good", &error_abort));
    object_property_set_bool(dog, "good", true, &error_abort);
    g_assert_true(DOG(dog)->good);
    g_assert_true(object_property_parse(dog, "good", "off", &error_abort));
    g_assert_false(DOG(dog)->good);
    g_assert_false(object_property_parse(dog, "good", "maybe", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'good' expects 'on' or 'off'");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_str(dog, "good", "on", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'good', expected: boolean");
    error_free(err);
}

static void test_property_uint_ptr_overflow(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    Dog *d = DOG(dog);
    Error *err = NULL;

    object_property_set_uint(dog, "u8", 255, &error_abort);
    g_assert_cmpint(d->u8, ==, 255);
    g_assert_false(object_property_set_uint(dog, "u8", 256, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'u8' expects uint8_t");
    g_assert_cmpint(d->u8, ==, 255);
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_uint(dog, "u16", 65536, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'u16' expects uint16_t");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_int(dog, "u32", -1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'u32' expects uint64");
    error_free(err);
    err = NULL;
    object_property_parse(dog, "u32", "0x10", &error_abort);
    g_assert_cmpint(object_property_get_uint(dog, "u32", &error_abort), ==,
                    16);
    d->u64 = UINT64_MAX;
    g_assert_cmpuint(object_property_get_uint(dog, "u64", &error_abort), ==,
                     UINT64_MAX);
    g_assert_cmpstr(object_property_get_type(dog, "u64", NULL), ==,
                    "uint64");
}

static void test_property_read_only_and_missing(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    g_autoptr(Object) gadget = object_new(TYPE_GADGET);
    Error *err = NULL;

    g_assert_false(object_property_set_uint(dog, "u64", 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'u64' is not writable");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_str(dog, "type", "cat", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'type' is not writable");
    error_free(err);
    err = NULL;
    g_assert_null(object_property_get_qobject(dog, "tail", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'dog.tail' not found");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free(err);
    err = NULL;
    g_assert_null(object_property_find(dog, "tail"));
    g_assert_nonnull(object_property_find(dog, "type"));
    g_assert_cmpint(object_property_get_int(gadget, "label", &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'label', expected: int");
    error_free(err);
}

static void test_property_generic_get_set_through_qobject(void)
{
    g_autoptr(Object) gadget = object_new(TYPE_GADGET);
    g_autoptr(QObject) v = NULL;
    g_autoptr(QNum) big = qnum_from_int(4096);
    g_autoptr(QNum) neg = qnum_from_int(-1);
    g_autoptr(QString) str = qstring_from_str("x");
    Error *err = NULL;

    /* The class default was applied before instance_init. */
    g_assert_cmpint(GADGET(gadget)->size, ==, 16);
    object_property_set_qobject(gadget, "size", QOBJECT(big), &error_abort);
    v = object_property_get_qobject(gadget, "size", &error_abort);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, v)), ==, 4096);
    g_assert_false(object_property_set_qobject(gadget, "size", QOBJECT(neg),
                                               &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "size must not be negative");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_qobject(gadget, "size", QOBJECT(str),
                                               &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'size', expected: integer");
    error_free(err);
    object_property_parse(gadget, "size", "77", &error_abort);
    g_assert_cmpint(object_property_get_int(gadget, "size", &error_abort), ==,
                    77);
}

static void test_property_duplicate_and_numbered(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    static uint8_t a, b;
    Error *err = NULL;
    ObjectProperty *p0, *p1;

    g_assert_null(object_property_try_add(dog, "name", "string", NULL, NULL,
                                          NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "attempt to add duplicate property 'name' to object "
                    "(type 'dog')");
    error_free(err);
    p0 = object_property_add_uint8_ptr(dog, "slot[*]", &a, OBJ_PROP_FLAG_READ);
    p1 = object_property_add_uint8_ptr(dog, "slot[*]", &b, OBJ_PROP_FLAG_READ);
    g_assert_cmpstr(p0->name, ==, "slot[0]");
    g_assert_cmpstr(p1->name, ==, "slot[1]");
    object_property_del(dog, "slot[0]");
    g_assert_null(object_property_find(dog, "slot[0]"));
}

static void test_property_iter_instance_then_class(void)
{
    g_autoptr(Object) dog = object_new(TYPE_DOG);
    g_autoptr(GString) names = g_string_new(NULL);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_property_set_description(dog, "name", "The dog's name");
    g_assert_cmpstr(object_property_find(dog, "name")->description, ==,
                    "The dog's name");
    object_property_iter_init(&iter, dog);
    while ((prop = object_property_iter_next(&iter))) {
        g_string_append_printf(names, "%s,", prop->name);
    }
    g_assert_cmpstr(names->str, ==,
                    "name,good,u8,u16,u32,u64,friend,type,");
}

/* ---- The composition tree ----------------------------------------------- */

static void test_child_in_tree_and_canonical_path(void)
{
    Object *box = object_new(TYPE_CONTAINER);
    Object *dog = object_new(TYPE_DOG);
    g_autofree char *path = NULL;
    g_autofree char *child_prop = NULL;

    object_property_add_child(object_get_root(), "box", box);
    object_unref(box);
    object_property_add_child(box, "dog", dog);
    g_assert(dog->parent == box);
    path = object_get_canonical_path(dog);
    g_assert_cmpstr(path, ==, "/box/dog");
    g_assert_cmpstr(object_get_canonical_path_component(dog), ==, "dog");
    g_assert_cmpstr(object_property_get_type(box, "dog", NULL), ==,
                    "child<dog>");
    child_prop = object_property_get_str(box, "dog", &error_abort);
    g_assert_cmpstr(child_prop, ==, "/box/dog");
    g_assert(object_resolve_path("/box/dog", NULL) == dog);

    /* Unparenting drops the tree's reference, not ours. */
    trace_reset();
    object_unparent(dog);
    g_assert_null(dog->parent);
    g_assert_null(object_get_canonical_path(dog));
    g_assert_cmpstr(trace->str, ==, "");
    object_unref(dog);
    g_assert_cmpstr(trace->str, ==, "dog-fini animal-fini");

    /* Finalizing a parent unparents (and here frees) its children. */
    dog = object_new(TYPE_DOG);
    object_property_add_child(box, "dog", dog);
    object_unref(dog);
    trace_reset();
    object_unparent(box);
    g_assert_cmpstr(trace->str, ==, "dog-fini animal-fini");
}

static void test_root_has_standard_containers(void)
{
    Object *objects = object_get_objects_root();
    g_autofree char *path = object_get_canonical_path(objects);

    g_assert_cmpstr(path, ==, "/objects");
    g_assert_nonnull(object_resolve_path("/chardevs", NULL));
    g_assert(object_resolve_path("/", NULL) == object_get_root());
    g_assert(container_get(object_get_root(), "/objects") == objects);
    g_assert_nonnull(object_dynamic_cast(objects, TYPE_CONTAINER));
}

static void test_link_set_by_path_and_check_rejects(void)
{
    Object *box = container_get(object_get_root(), "/linkbox");
    Object *rex = object_new(TYPE_DOG);
    Object *fido = object_new(TYPE_DOG);
    Object *gadget = object_new(TYPE_GADGET);
    g_autofree char *path = NULL;
    Error *err = NULL;

    object_property_add_child(box, "rex", rex);
    object_property_add_child(box, "fido", fido);
    object_property_add_child(box, "gadget", gadget);
    g_assert_cmpstr(object_property_get_type(rex, "friend", NULL), ==,
                    "link<animal>");

    object_property_set_str(rex, "friend", "/linkbox/fido", &error_abort);
    g_assert(DOG(rex)->friend == fido);
    g_assert_cmpint(fido->ref, ==, 3);  /* ours, the tree's, the link's */
    path = object_property_get_str(rex, "friend", &error_abort);
    g_assert_cmpstr(path, ==, "/linkbox/fido");
    g_assert(object_property_get_link(rex, "friend", &error_abort) == fido);
    /* Links are followed by absolute paths. */
    g_assert(object_resolve_path("/linkbox/rex/friend", NULL) == fido);

    g_assert_false(object_property_set_str(rex, "friend", "/linkbox/rex",
                                           &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "a dog cannot be its own friend");
    error_free(err);
    err = NULL;
    g_assert(DOG(rex)->friend == fido);

    g_assert_false(object_property_set_str(rex, "friend", "/linkbox/gadget",
                                           &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'friend', expected: animal");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_str(rex, "friend", "/nowhere", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device '/nowhere' not found");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);

    /* A partial path works too, and "" clears the link. */
    object_property_set_link(rex, "friend", NULL, &error_abort);
    g_assert_null(DOG(rex)->friend);
    g_assert_cmpint(fido->ref, ==, 2);
    object_property_set_str(rex, "friend", "fido", &error_abort);
    g_assert(DOG(rex)->friend == fido);

    object_unref(rex);
    object_unref(fido);
    object_unref(gadget);
    object_unparent(box);
}

static void test_resolve_path_absolute_partial_ambiguous(void)
{
    Object *a = container_get(object_get_root(), "/ra/left/dog");
    Object *b = container_get(object_get_root(), "/ra/right/dog");
    Object *uniq = container_get(object_get_root(), "/ra/right/only");
    Object *dog = object_new(TYPE_DOG);
    bool ambiguous = false;

    object_property_add_child(uniq, "pet", dog);
    object_unref(dog);

    g_assert(object_resolve_path("/ra/left/dog", &ambiguous) == a);
    g_assert_false(ambiguous);
    g_assert(object_resolve_path("/ra/right/dog/", NULL) == b);
    g_assert_null(object_resolve_path("/ra/middle", NULL));
    g_assert_null(object_resolve_path("/ra/left/dog/type", NULL));

    g_assert(object_resolve_path("only", &ambiguous) == uniq);
    g_assert_false(ambiguous);
    g_assert(object_resolve_path("left/dog", &ambiguous) == a);
    g_assert(object_resolve_path("pet", NULL) == dog);

    g_assert_null(object_resolve_path("dog", &ambiguous));
    g_assert_true(ambiguous);

    /* Only objects of the type count: one animal called "dog"... no, pet. */
    ambiguous = false;
    g_assert(object_resolve_path_type("pet", TYPE_ANIMAL, &ambiguous) == dog);
    g_assert_null(object_resolve_path_type("dog", TYPE_ANIMAL, &ambiguous));
    g_assert_false(ambiguous);
    g_assert(object_resolve_path_component(uniq, "pet") == dog);
    g_assert(object_resolve_path_at(object_resolve_path("/ra", NULL),
                                    "right/only/pet") == dog);

    object_unparent(object_resolve_path("/ra", NULL));
}

static int count_child(Object *child, void *opaque)
{
    (*(int *)opaque)++;
    return 0;
}

static int stop_at_second(Object *child, void *opaque)
{
    return ++(*(int *)opaque) == 2 ? 99 : 0;
}

static void test_child_foreach(void)
{
    Object *top = container_get(object_get_root(), "/cf");
    int n = 0;

    container_get(top, "a/x");
    container_get(top, "b");
    container_get(top, "c");
    g_assert_cmpint(object_child_foreach(top, count_child, &n), ==, 0);
    g_assert_cmpint(n, ==, 3);
    n = 0;
    object_child_foreach_recursive(top, count_child, &n);
    g_assert_cmpint(n, ==, 4);
    n = 0;
    g_assert_cmpint(object_child_foreach(top, stop_at_second, &n), ==, 99);
    object_unparent(top);
}

static void test_new_with_props_adds_child_and_completes(void)
{
    int before = gadgets_completed;
    Object *g;
    Error *err = NULL;

    g = object_new_with_props(TYPE_GADGET, object_get_objects_root(), "g0",
                              &error_abort, "size", "5", "label", "hi",
                              NULL);
    g_assert_nonnull(g);
    g_assert_cmpint(g->ref, ==, 1);     /* the tree's */
    g_assert_cmpint(GADGET(g)->size, ==, 5);
    g_assert_cmpint(gadgets_completed, ==, before + 1);
    g_assert(object_resolve_path("/objects/g0", NULL) == g);

    g_assert_null(object_new_with_props(TYPE_GADGET,
                                        object_get_objects_root(), "g1",
                                        &err, "label", "fail", NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "gadget refuses to start");
    error_free(err);
    g_assert_null(object_resolve_path("/objects/g1", NULL));
    object_unparent(g);
}

/* ---- User-creatable ----------------------------------------------------- */

static QDict *gadget_args(const char *id)
{
    QDict *args = qdict_new();

    qdict_put_str(args, "qom-type", TYPE_GADGET);
    if (id) {
        qdict_put_str(args, "id", id);
    }
    return args;
}

static void test_user_creatable_add_del_qdict(void)
{
    g_autoptr(QDict) args = gadget_args("gx");
    Object *obj;

    qdict_put_int(args, "size", 1024);
    qdict_put_str(args, "label", "lab");
    obj = user_creatable_add_dict(args, false, &error_abort);
    g_assert_nonnull(obj);
    g_assert_true(GADGET(obj)->completed);
    g_assert_cmpint(GADGET(obj)->size, ==, 1024);
    g_assert_cmpstr(GADGET(obj)->label, ==, "lab");
    g_assert(object_resolve_path("/objects/gx", NULL) == obj);
    g_assert_true(qdict_haskey(args, "qom-type"));  /* not consumed */
    object_unref(obj);

    g_assert_true(user_creatable_del("gx", &error_abort));
    g_assert_null(object_resolve_path("/objects/gx", NULL));
}

static void test_user_creatable_keyval_flat_dict(void)
{
    g_autoptr(QDict) args = gadget_args("gk");
    Error *err = NULL;
    Object *obj;

    /* As keyval_parse() gives it: every value a string. */
    qdict_put_str(args, "size", "2048");
    qdict_put_str(args, "busy", "on");
    obj = user_creatable_add_dict(args, true, &error_abort);
    g_assert_cmpint(GADGET(obj)->size, ==, 2048);
    g_assert_true(GADGET(obj)->busy);
    object_unref(obj);

    /* In use: refused. */
    g_assert_false(user_creatable_del("gk", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "object 'gk' is in use, can not be deleted");
    error_free(err);
    object_property_set_bool(object_resolve_path("/objects/gk", NULL),
                             "busy", false, &error_abort);
    g_assert_true(user_creatable_del("gk", &error_abort));

    /* Strings are not accepted as numbers from JSON. */
    err = NULL;
    qdict_put_str(args, "busy", "off");
    g_assert_null(user_creatable_add_dict(args, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'size', expected: integer");
    error_free(err);
    g_assert_null(object_resolve_path("/objects/gk", NULL));
}

static void expect_add_error(QDict *args, bool keyval, const char *msg)
{
    Error *err = NULL;

    g_assert_null(user_creatable_add_dict(args, keyval, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free(err);
}

static void test_user_creatable_errors(void)
{
    g_autoptr(QDict) no_id = gadget_args(NULL);
    g_autoptr(QDict) no_type = qdict_new();
    g_autoptr(QDict) bad_type = qdict_new();
    g_autoptr(QDict) num_type = qdict_new();
    g_autoptr(QDict) dog = qdict_new();
    g_autoptr(QDict) bad_id = gadget_args("9lives");
    g_autoptr(QDict) extra = gadget_args("ge");
    g_autoptr(QDict) fail = gadget_args("gf");
    g_autoptr(QDict) dup = gadget_args("gd");
    Object *obj;

    expect_add_error(no_id, false, "Parameter 'id' is missing");
    expect_add_error(no_type, false, "Parameter 'qom-type' is missing");
    qdict_put_str(bad_type, "qom-type", "frobnicator");
    qdict_put_str(bad_type, "id", "x");
    expect_add_error(bad_type, false,
                     "Parameter 'qom-type' does not accept value "
                     "'frobnicator'");
    qdict_put_int(num_type, "qom-type", 1);
    expect_add_error(num_type, false,
                     "Invalid parameter type for 'qom-type', expected: "
                     "string");
    qdict_put_str(dog, "qom-type", TYPE_DOG);   /* not user-creatable */
    qdict_put_str(dog, "id", "d");
    expect_add_error(dog, false,
                     "Parameter 'qom-type' does not accept value 'dog'");
    expect_add_error(bad_id, false, "Parameter 'id' expects an identifier");
    qdict_put_str(extra, "colour", "red");
    expect_add_error(extra, true, "Parameter 'colour' is unexpected");
    qdict_put_str(fail, "label", "fail");
    expect_add_error(fail, false, "gadget refuses to start");
    g_assert_null(object_resolve_path("/objects/gf", NULL));

    obj = user_creatable_add_dict(dup, false, &error_abort);
    object_unref(obj);
    expect_add_error(dup, false,
                     "attempt to add duplicate property 'gd' to object "
                     "(type 'container')");
    user_creatable_del("gd", &error_abort);
}

static void test_user_creatable_add_type_checks(void)
{
    Error *err = NULL;
    Object *obj;

    g_assert_null(user_creatable_add_type("nope", "n", NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "invalid object type: nope");
    error_free(err);
    err = NULL;
    g_assert_null(user_creatable_add_type(TYPE_DOG, "n", NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "object type 'dog' isn't supported by object-add");
    error_free(err);
    obj = user_creatable_add_type(TYPE_GADGET, "ut", NULL, NULL,
                                  &error_abort);
    g_assert_cmpint(GADGET(obj)->size, ==, 16);
    object_unref(obj);
    user_creatable_cleanup();
    g_assert_null(object_resolve_path("/objects/ut", NULL));
}

/* ---- Enum properties and the Visitor entry points ---------------------- */

/* @errp is read after @ok was computed, i.e. after the call failed. */
static void expect_prop_error(bool ok, Error **errp, const char *msg)
{
    g_assert_false(ok);
    g_assert_nonnull(*errp);
    g_assert_cmpstr(error_get_pretty(*errp), ==, msg);
    error_free(*errp);
    *errp = NULL;
}

static void test_enum_property_names_on_the_wire(void)
{
    g_autoptr(Object) w = object_new(TYPE_WIDGET);
    g_autofree char *initial = object_property_get_str(w, "mode",
                                                       &error_abort);
    g_autofree char *now = NULL;
    Error *err = NULL;

    g_assert_cmpstr(initial, ==, "off");
    g_assert_cmpstr(object_property_get_type(w, "mode", &error_abort), ==,
                    "WidgetMode");
    g_assert_true(object_property_set_str(w, "mode", "auto", &error_abort));
    g_assert_cmpint(WIDGET(w)->mode, ==, WIDGET_MODE_AUTO);
    now = object_property_get_str(w, "mode", &error_abort);
    g_assert_cmpstr(now, ==, "auto");

    expect_prop_error(object_property_set_str(w, "mode", "pink", &err), &err,
                      "Parameter 'mode' does not accept value 'pink'");
    expect_prop_error(object_property_set_int(w, "mode", 1, &err), &err,
                      "Invalid parameter type for 'mode', expected: string");
    /* A refused value leaves the property alone. */
    g_assert_cmpint(WIDGET(w)->mode, ==, WIDGET_MODE_AUTO);

    /* Text (-object, HMP qom-set) is the name itself. */
    g_assert_true(object_property_parse(w, "mode", "on", &error_abort));
    g_assert_cmpint(WIDGET(w)->mode, ==, WIDGET_MODE_ON);
}

static int instance_mode;

static int get_instance_mode(Object *obj, Error **errp)
{
    return instance_mode;
}

static void set_instance_mode(Object *obj, int value, Error **errp)
{
    instance_mode = value;
}

static void test_enum_instance_property(void)
{
    g_autoptr(Object) obj = object_new(TYPE_CONTAINER);
    g_autofree char *mode = NULL;
    Error *err = NULL;

    object_property_add_enum(obj, "mode", "WidgetMode", &WidgetMode_lookup,
                             get_instance_mode, set_instance_mode);
    g_assert_true(object_property_set_str(obj, "mode", "on", &error_abort));
    g_assert_cmpint(instance_mode, ==, WIDGET_MODE_ON);
    mode = object_property_get_str(obj, "mode", &error_abort);
    g_assert_cmpstr(mode, ==, "on");
    expect_prop_error(object_property_set_str(obj, "mode", "", &err), &err,
                      "Parameter 'mode' does not accept value ''");
}

static void test_enum_property_from_object_add(void)
{
    g_autoptr(QDict) args = qdict_new();
    Object *obj;
    Error *err = NULL;

    qdict_put_str(args, "qom-type", TYPE_WIDGET);
    qdict_put_str(args, "id", "wk");
    qdict_put_str(args, "mode", "auto");
    obj = user_creatable_add_dict(args, true, &error_abort);
    g_assert_cmpint(WIDGET(obj)->mode, ==, WIDGET_MODE_AUTO);
    object_unref(obj);
    g_assert_true(user_creatable_del("wk", &error_abort));

    qdict_put_str(args, "mode", "sideways");
    g_assert_null(user_creatable_add_dict(args, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'mode' does not accept value 'sideways'");
    error_free(err);
    g_assert_null(object_resolve_path("/objects/wk", NULL));
}

/* Set @name of @obj from member @name of the dict @json (or keyval). */
static bool set_through_visitor(Object *obj, const char *name,
                                QDict *dict, bool keyval, Error **errp)
{
    Visitor *v = keyval ? qobject_input_visitor_new_keyval(QOBJECT(dict))
                        : qobject_input_visitor_new(QOBJECT(dict));
    bool ok;

    g_assert_true(visit_start_struct(v, NULL, NULL, 0, &error_abort));
    ok = object_property_set(obj, name, v, errp);
    visit_end_struct(v, NULL);
    visit_free(v);
    return ok;
}

static void test_property_set_and_get_through_visitors(void)
{
    g_autoptr(Object) g = object_new(TYPE_GADGET);
    g_autoptr(QDict) json = qdict_from_json("{\"size\": 5, \"label\": \"x\","
                                            " \"busy\": \"on\"}",
                                            &error_abort);
    g_autoptr(QDict) text = qdict_from_json("{\"size\": \"0x20\", "
                                            "\"busy\": \"on\", "
                                            "\"label\": \"7\"}",
                                            &error_abort);
    g_autoptr(QObject) expected = qobject_from_json(
        "{\"size\": 32, \"label\": \"7\", \"busy\": true}", &error_abort);
    g_autoptr(QDict) empty = qdict_new();
    g_autoptr(QObject) out = NULL;
    Visitor *v;
    Error *err = NULL;

    /* JSON: typed values, checked by the setter. */
    g_assert_true(set_through_visitor(g, "size", json, false, &error_abort));
    g_assert_cmpint(GADGET(g)->size, ==, 5);
    g_assert_true(set_through_visitor(g, "label", json, false,
                                      &error_abort));
    g_assert_cmpstr(GADGET(g)->label, ==, "x");
    expect_prop_error(set_through_visitor(g, "busy", json, false, &err), &err,
                      "Invalid parameter type for 'busy', expected: boolean");
    expect_prop_error(set_through_visitor(g, "nope", json, false, &err), &err,
                      "Property 'gadget.nope' not found");
    expect_prop_error(set_through_visitor(g, "busy", empty, false, &err),
                      &err,
                      "Parameter 'busy' is missing");

    /* Keyval: text, parsed by the property's type. */
    g_assert_true(set_through_visitor(g, "size", text, true, &error_abort));
    g_assert_true(set_through_visitor(g, "busy", text, true, &error_abort));
    g_assert_true(set_through_visitor(g, "label", text, true, &error_abort));
    g_assert_cmpint(GADGET(g)->size, ==, 32);
    g_assert_true(GADGET(g)->busy);
    g_assert_cmpstr(GADGET(g)->label, ==, "7");
    expect_prop_error(set_through_visitor(g, "size", json, true, &err), &err,
                      "Internal error: parameter size invalid");
    qdict_put_str(text, "size", "lots");
    expect_prop_error(set_through_visitor(g, "size", text, true, &err), &err,
                      "Parameter 'size' expects an int64 value");

    /* Getting: each property becomes a member of the output. */
    v = qobject_output_visitor_new(&out);
    g_assert_true(visit_start_struct(v, NULL, (void **)&g, sizeof(Gadget),
                                     &error_abort));
    g_assert_true(object_property_get(g, "size", v, &error_abort));
    g_assert_true(object_property_get(g, "label", v, &error_abort));
    g_assert_true(object_property_get(g, "busy", v, &error_abort));
    expect_prop_error(object_property_get(g, "nope", v, &err), &err,
                      "Property 'gadget.nope' not found");
    visit_end_struct(v, (void **)&g);
    visit_complete(v, &out);
    visit_free(v);
    g_assert_true(qobject_is_equal(out, expected));
}

static void test_user_creatable_add_type_with_visitor(void)
{
    g_autoptr(QDict) props = qdict_from_json("{\"size\": 7, "
                                             "\"label\": \"v\"}",
                                             &error_abort);
    Visitor *v = qobject_input_visitor_new(QOBJECT(props));
    Object *obj;
    Error *err = NULL;

    obj = user_creatable_add_type(TYPE_GADGET, "uv", props, v,
                                  &error_abort);
    visit_free(v);
    g_assert_cmpint(GADGET(obj)->size, ==, 7);
    g_assert_cmpstr(GADGET(obj)->label, ==, "v");
    g_assert_true(object_resolve_path("/objects/uv", NULL) == obj);
    object_unref(obj);
    g_assert_true(user_creatable_del("uv", &error_abort));

    /* A property error: nothing is left behind. */
    qdict_put_str(props, "size", "big");
    v = qobject_input_visitor_new(QOBJECT(props));
    g_assert_null(user_creatable_add_type(TYPE_GADGET, "uv", props, v,
                                          &err));
    visit_free(v);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'size', expected: integer");
    error_free(err);
    g_assert_null(object_resolve_path("/objects/uv", NULL));
}

static void test_object_del_unknown_id(void)
{
    Error *err = NULL;

    g_assert_false(user_creatable_del("ghost", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "object 'ghost' not found");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free(err);
    err = NULL;
    qmp_object_del("ghost", &err);
    g_assert_cmpstr(error_get_pretty(err), ==, "object 'ghost' not found");
    error_free(err);
}

static void test_user_creatable_help_text(void)
{
    g_autofree char *types = user_creatable_help_types();
    g_autofree char *props = user_creatable_help_props(TYPE_GADGET,
                                                       &error_abort);
    Error *err = NULL;

    g_assert_cmpstr(types, ==, "List of user creatable objects:\n"
                    "  gadget\n"
                    "  widget\n");
    g_assert_cmpstr(props, ==, "gadget options:\n"
                    "  busy=<bool>\n"
                    "  label=<string>\n"
                    "  size=<int>             - Size in bytes "
                    "(default: 16)\n");
    g_assert_null(user_creatable_help_props(TYPE_DOG, &err));
    error_free(err);
}

/* ---- QMP commands ------------------------------------------------------- */

/*
 * The commands' typed results as the client sees them: through the QObject
 * output visitor, as their marshallers send them.
 */
#define AS_QLIST(type, expr) ({                                         \
    type##List *l_ = (expr);                                            \
    QObject *o_ = NULL;                                                 \
    Visitor *v_ = qobject_output_visitor_new(&o_);                      \
                                                                        \
    visit_type_##type##List(v_, NULL, &l_, &error_abort);               \
    visit_complete(v_, &o_);                                            \
    visit_free(v_);                                                     \
    qapi_free_##type##List(l_);                                         \
    qobject_to(QList, o_);                                              \
})

static QDict *find_by_name(QList *list, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(d, "name"), name)) {
            return d;
        }
    }
    return NULL;
}

static void test_qmp_qom_list_get_set(void)
{
    g_autoptr(QDict) args = gadget_args("qg");
    g_autoptr(QList) list = NULL;
    g_autoptr(QObject) v = NULL;
    g_autoptr(QNum) n = qnum_from_int(99);
    Error *err = NULL;
    QDict *d;

    /* What object-add does once its arguments passed the schema. */
    object_unref(user_creatable_add_dict(args, false, &error_abort));

    list = AS_QLIST(ObjectPropertyInfo, qmp_qom_list("/", &error_abort));
    d = find_by_name(list, "objects");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "child<container>");
    g_assert_nonnull(find_by_name(list, "type"));
    qobject_unref(list);
    list = AS_QLIST(ObjectPropertyInfo,
                    qmp_qom_list("/objects/qg", &error_abort));
    g_assert_cmpstr(qdict_get_str(find_by_name(list, "size"), "type"), ==,
                    "int");
    g_assert_cmpint(qdict_size(find_by_name(list, "size")), ==, 2);

    g_assert_null(qmp_qom_list("/nowhere", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==, "Device '/nowhere' not found");
    error_free(err);
    err = NULL;

    v = qmp_qom_get("/objects/qg", "type", &error_abort);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, v)), ==, "gadget");
    qmp_qom_set("qg", "size", QOBJECT(n), &error_abort);  /* partial path */
    qobject_unref(v);
    v = qmp_qom_get("/objects/qg", "size", &error_abort);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, v)), ==, 99);

    g_assert_null(qmp_qom_get("/objects/x", "size", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device '/objects/x' not found");
    error_free(err);
    err = NULL;
    g_assert_null(qmp_qom_get("/objects/qg", "x", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'gadget.x' not found");
    error_free(err);
    err = NULL;
    qmp_qom_set("/objects/qg", "type", QOBJECT(n), &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'type' is not writable");
    error_free(err);

    qmp_object_del("qg", &error_abort);
}

static void test_qmp_qom_list_path_ambiguous(void)
{
    Error *err = NULL;

    container_get(object_get_root(), "/amb/one/x");
    container_get(object_get_root(), "/amb/two/x");
    g_assert_null(qmp_qom_list("x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Path 'x' is ambiguous");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free(err);
    object_unparent(object_resolve_path("/amb", NULL));
}

static void test_qmp_qom_list_types(void)
{
    g_autoptr(QList) all = AS_QLIST(ObjectTypeInfo,
        qmp_qom_list_types(NULL, true, true, &error_abort));
    g_autoptr(QList) concrete = AS_QLIST(ObjectTypeInfo,
        qmp_qom_list_types(TYPE_ANIMAL, false, false, &error_abort));
    g_autoptr(QList) uc = AS_QLIST(ObjectTypeInfo,
        qmp_qom_list_types(TYPE_USER_CREATABLE, true, false, &error_abort));
    QDict *d;

    d = find_by_name(all, TYPE_SHAPE);
    g_assert_true(qdict_get_bool(d, "abstract"));
    g_assert_cmpstr(qdict_get_str(d, "parent"), ==, TYPE_OBJECT);
    d = find_by_name(all, TYPE_OBJECT);
    g_assert_false(qdict_haskey(d, "parent"));
    d = find_by_name(all, TYPE_DOG);
    g_assert_false(qdict_haskey(d, "abstract"));
    g_assert_nonnull(find_by_name(all, TYPE_USER_CREATABLE));

    g_assert_cmpint(qlist_size(concrete), ==, 3);
    g_assert_null(find_by_name(concrete, TYPE_SHAPE));
    g_assert_cmpint(qlist_size(uc), ==, 2);
    g_assert_nonnull(find_by_name(uc, TYPE_GADGET));
    g_assert_nonnull(find_by_name(uc, TYPE_WIDGET));
}

static void test_qmp_qom_list_properties(void)
{
    g_autoptr(QList) props = AS_QLIST(ObjectPropertyInfo,
        qmp_qom_list_properties(TYPE_GADGET, &error_abort));
    g_autoptr(QList) dogp = AS_QLIST(ObjectPropertyInfo,
        qmp_qom_list_properties(TYPE_DOG, &error_abort));
    g_autoptr(QList) shape = AS_QLIST(ObjectPropertyInfo,
        qmp_qom_list_properties(TYPE_SHAPE, &error_abort));
    Error *err = NULL;
    QDict *d;

    d = find_by_name(props, "size");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "int");
    g_assert_cmpstr(qdict_get_str(d, "description"), ==, "Size in bytes");
    g_assert_cmpint(qdict_get_int(d, "default-value"), ==, 16);
    g_assert_false(qdict_haskey(find_by_name(props, "label"),
                                "default-value"));
    /* Instance properties show up for concrete types. */
    g_assert_nonnull(find_by_name(dogp, "friend"));
    g_assert_nonnull(find_by_name(shape, "type"));

    g_assert_null(qmp_qom_list_properties("nope", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==, "Class 'nope' not found");
    error_free(err);
    err = NULL;
    g_assert_null(qmp_qom_list_properties(TYPE_BARKER, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'typename' expects a QOM type");
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace = g_string_new(NULL);
    module_call_init(MODULE_INIT_QOM);

    g_test_add_func("/qom/type/class-init-lazy-parent-first-once",
                    test_class_init_lazy_parent_first_once);
    g_test_add_func("/qom/type/class-copied-from-parent",
                    test_class_copied_from_parent);
    g_test_add_func("/qom/type/abstract-cannot-be-instantiated",
                    test_abstract_type_cannot_be_instantiated);
    g_test_add_func("/qom/type/new-with-props-rejects-abstract-and-unknown",
                    test_new_with_props_rejects_abstract_and_unknown);
    g_test_add_func("/qom/type/class-get-list-abstract-filter",
                    test_class_get_list_abstract_filter);
    g_test_add_func("/qom/cast/dynamic-cast-up-and-down",
                    test_dynamic_cast_up_and_down);
    g_test_add_func("/qom/cast/assert-aborts-on-mismatch",
                    test_dynamic_cast_assert_aborts_on_mismatch);
    g_test_add_func("/qom/cast/interface-and-non-implementer",
                    test_interface_cast_and_non_implementer);
    g_test_add_func("/qom/instance/init-parent-first-finalize-child-first",
                    test_init_parent_first_finalize_child_first);
    g_test_add_func("/qom/instance/refcount-finalizes-at-zero",
                    test_refcount_finalizes_at_zero);
    g_test_add_func("/qom/instance/initialize-in-place",
                    test_object_initialize_in_place);
    g_test_add_func("/qom/property/str", test_property_str);
    g_test_add_func("/qom/property/bool", test_property_bool);
    g_test_add_func("/qom/property/uint-ptr-overflow",
                    test_property_uint_ptr_overflow);
    g_test_add_func("/qom/property/read-only-and-missing",
                    test_property_read_only_and_missing);
    g_test_add_func("/qom/property/generic-get-set-through-qobject",
                    test_property_generic_get_set_through_qobject);
    g_test_add_func("/qom/property/duplicate-and-numbered",
                    test_property_duplicate_and_numbered);
    g_test_add_func("/qom/property/iter-instance-then-class",
                    test_property_iter_instance_then_class);
    g_test_add_func("/qom/tree/child-in-tree-and-canonical-path",
                    test_child_in_tree_and_canonical_path);
    g_test_add_func("/qom/tree/root-has-standard-containers",
                    test_root_has_standard_containers);
    g_test_add_func("/qom/tree/link-set-by-path-and-check-rejects",
                    test_link_set_by_path_and_check_rejects);
    g_test_add_func("/qom/tree/resolve-path-absolute-partial-ambiguous",
                    test_resolve_path_absolute_partial_ambiguous);
    g_test_add_func("/qom/tree/child-foreach", test_child_foreach);
    g_test_add_func("/qom/tree/new-with-props-adds-child-and-completes",
                    test_new_with_props_adds_child_and_completes);
    g_test_add_func("/qom/user-creatable/add-del-qdict",
                    test_user_creatable_add_del_qdict);
    g_test_add_func("/qom/user-creatable/keyval-flat-dict",
                    test_user_creatable_keyval_flat_dict);
    g_test_add_func("/qom/user-creatable/errors",
                    test_user_creatable_errors);
    g_test_add_func("/qom/user-creatable/add-type-checks",
                    test_user_creatable_add_type_checks);
    g_test_add_func("/qom/user-creatable/add-type-with-visitor",
                    test_user_creatable_add_type_with_visitor);
    g_test_add_func("/qom/property/enum-names-on-the-wire",
                    test_enum_property_names_on_the_wire);
    g_test_add_func("/qom/property/enum-instance", test_enum_instance_property);
    g_test_add_func("/qom/user-creatable/enum-from-object-add",
                    test_enum_property_from_object_add);
    g_test_add_func("/qom/property/set-get-through-visitors",
                    test_property_set_and_get_through_visitors);
    g_test_add_func("/qom/user-creatable/del-unknown-id",
                    test_object_del_unknown_id);
    g_test_add_func("/qom/user-creatable/help-text",
                    test_user_creatable_help_text);
    g_test_add_func("/qom/qmp/qom-list-get-set", test_qmp_qom_list_get_set);
    g_test_add_func("/qom/qmp/qom-list-path-ambiguous",
                    test_qmp_qom_list_path_ambiguous);
    g_test_add_func("/qom/qmp/qom-list-types", test_qmp_qom_list_types);
    g_test_add_func("/qom/qmp/qom-list-properties",
                    test_qmp_qom_list_properties);

    return g_test_run();
}
