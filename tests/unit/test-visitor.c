/*
 * QAPI visitors: round trips through the QObject input and output
 * visitors, QEMU's error messages, keyval typing and freeing of
 * half-built values, on small types written in the generator's shape.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/keyval.h"
#include "qcore/qjson.h"
#include "qcore/qobject.h"
#include "qapi/clone-visitor.h"
#include "qapi/dealloc-visitor.h"
#include "qapi/qapi-builtin-visit.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/visitor.h"

/* ---- Test types, as the QAPI generator would emit them ---------------- */

typedef enum Color {
    COLOR_RED,
    COLOR_GREEN,
    COLOR_BLUE,
    COLOR__MAX,
} Color;

static const QEnumLookup Color_lookup = {
    .array = (const char *const[]) {
        [COLOR_RED] = "red",
        [COLOR_GREEN] = "green",
        [COLOR_BLUE] = "blue",
    },
    .size = COLOR__MAX,
};

/* { 'struct': 'Inner', 'data': { 'x': 'int', '*label': 'str' } } */
typedef struct Inner {
    int64_t x;
    char *label;
} Inner;

typedef struct InnerList {
    struct InnerList *next;
    Inner *value;
} InnerList;

/* { 'alternate': 'Alt', 'data': { 'i': 'int', 's': 'str', 'in': 'Inner' } } */
typedef struct Alt {
    QType type;
    union {
        int64_t i;
        char *s;
        Inner in;
    } u;
} Alt;

/*
 * { 'struct': 'Outer', 'data': { 'name': 'str', 'small': 'uint8',
 *   'big': 'uint64', 'ratio': 'number', 'flag': 'bool', 'color': 'Color',
 *   '*size': 'size', '*inner': 'Inner', '*items': ['Inner'],
 *   '*tags': ['str'], '*alt': 'Alt', '*extra': 'any' } }
 */
typedef struct Outer {
    char *name;
    uint8_t small;
    uint64_t big;
    double ratio;
    bool flag;
    Color color;
    bool has_size;
    uint64_t size;
    Inner *inner;
    InnerList *items;
    strList *tags;
    Alt *alt;
    QObject *extra;
} Outer;

static void qapi_free_Inner(Inner *obj);
static void qapi_free_InnerList(InnerList *obj);
static void qapi_free_Alt(Alt *obj);
static void qapi_free_Outer(Outer *obj);

static bool visit_type_Color(Visitor *v, const char *name, Color *obj,
                             Error **errp)
{
    int value = *obj;
    bool ok = visit_type_enum(v, name, &value, &Color_lookup, errp);

    *obj = value;
    return ok;
}

static bool visit_type_Inner_members(Visitor *v, Inner *obj, Error **errp)
{
    bool has_label = !!obj->label;

    if (!visit_type_int(v, "x", &obj->x, errp)) {
        return false;
    }
    if (visit_optional(v, "label", &has_label)) {
        if (!visit_type_str(v, "label", &obj->label, errp)) {
            return false;
        }
    }
    return true;
}

static bool visit_type_Inner(Visitor *v, const char *name, Inner **obj,
                             Error **errp)
{
    bool ok = false;

    if (!visit_start_struct(v, name, (void **)obj, sizeof(Inner), errp)) {
        return false;
    }
    if (!*obj) {
        assert(visit_is_dealloc(v));
        ok = true;
        goto out_obj;
    }
    if (!visit_type_Inner_members(v, *obj, errp)) {
        goto out_obj;
    }
    ok = visit_check_struct(v, errp);
out_obj:
    visit_end_struct(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_Inner(*obj);
        *obj = NULL;
    }
    return ok;
}

static bool visit_type_InnerList(Visitor *v, const char *name,
                                 InnerList **obj, Error **errp)
{
    bool ok = false;
    InnerList *tail;
    size_t size = sizeof(**obj);

    if (!visit_start_list(v, name, (GenericList **)obj, size, errp)) {
        return false;
    }
    for (tail = *obj; tail;
         tail = (InnerList *)visit_next_list(v, (GenericList *)tail, size)) {
        if (!visit_type_Inner(v, NULL, &tail->value, errp)) {
            goto out_obj;
        }
    }
    ok = visit_check_list(v, errp);
out_obj:
    visit_end_list(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_InnerList(*obj);
        *obj = NULL;
    }
    return ok;
}

static bool visit_type_Alt(Visitor *v, const char *name, Alt **obj,
                           Error **errp)
{
    bool ok = false;

    if (!visit_start_alternate(v, name, (GenericAlternate **)obj,
                               sizeof(**obj), errp)) {
        return false;
    }
    if (!*obj) {
        assert(visit_is_dealloc(v));
        ok = true;
        goto out_obj;
    }
    switch ((*obj)->type) {
    case QTYPE_QNUM:
        ok = visit_type_int(v, name, &(*obj)->u.i, errp);
        break;
    case QTYPE_QSTRING:
        ok = visit_type_str(v, name, &(*obj)->u.s, errp);
        break;
    case QTYPE_QDICT:
        if (!visit_start_struct(v, name, NULL, 0, errp)) {
            break;
        }
        if (visit_type_Inner_members(v, &(*obj)->u.in, errp)) {
            ok = visit_check_struct(v, errp);
        }
        visit_end_struct(v, NULL);
        break;
    default:
        assert(visit_is_input(v));
        error_setg(errp, "Invalid parameter type for '%s', expected: Alt",
                   name ? name : "null");
        g_free(*obj);
        *obj = NULL;
    }
out_obj:
    visit_end_alternate(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_Alt(*obj);
        *obj = NULL;
    }
    return ok;
}

static bool visit_type_Outer_members(Visitor *v, Outer *obj, Error **errp)
{
    bool has_inner = !!obj->inner, has_items = !!obj->items;
    bool has_tags = !!obj->tags, has_alt = !!obj->alt;
    bool has_extra = !!obj->extra;

    if (!visit_type_str(v, "name", &obj->name, errp) ||
        !visit_type_uint8(v, "small", &obj->small, errp) ||
        !visit_type_uint64(v, "big", &obj->big, errp) ||
        !visit_type_number(v, "ratio", &obj->ratio, errp) ||
        !visit_type_bool(v, "flag", &obj->flag, errp) ||
        !visit_type_Color(v, "color", &obj->color, errp)) {
        return false;
    }
    if (visit_optional(v, "size", &obj->has_size) &&
        !visit_type_size(v, "size", &obj->size, errp)) {
        return false;
    }
    if (visit_optional(v, "inner", &has_inner) &&
        !visit_type_Inner(v, "inner", &obj->inner, errp)) {
        return false;
    }
    if (visit_optional(v, "items", &has_items) &&
        !visit_type_InnerList(v, "items", &obj->items, errp)) {
        return false;
    }
    if (visit_optional(v, "tags", &has_tags) &&
        !visit_type_strList(v, "tags", &obj->tags, errp)) {
        return false;
    }
    if (visit_optional(v, "alt", &has_alt) &&
        !visit_type_Alt(v, "alt", &obj->alt, errp)) {
        return false;
    }
    if (visit_optional(v, "extra", &has_extra) &&
        !visit_type_any(v, "extra", &obj->extra, errp)) {
        return false;
    }
    return true;
}

static bool visit_type_Outer(Visitor *v, const char *name, Outer **obj,
                             Error **errp)
{
    bool ok = false;

    if (!visit_start_struct(v, name, (void **)obj, sizeof(Outer), errp)) {
        return false;
    }
    if (!*obj) {
        assert(visit_is_dealloc(v));
        ok = true;
        goto out_obj;
    }
    if (!visit_type_Outer_members(v, *obj, errp)) {
        goto out_obj;
    }
    ok = visit_check_struct(v, errp);
out_obj:
    visit_end_struct(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_Outer(*obj);
        *obj = NULL;
    }
    return ok;
}

#define DEFINE_FREE(T)                                                  \
static void qapi_free_##T(T *obj)                                       \
{                                                                       \
    Visitor *v;                                                         \
                                                                        \
    if (!obj) {                                                         \
        return;                                                         \
    }                                                                   \
    v = qapi_dealloc_visitor_new();                                     \
    visit_type_##T(v, NULL, &obj, NULL);                                \
    visit_free(v);                                                      \
}

DEFINE_FREE(Inner)
DEFINE_FREE(InnerList)
DEFINE_FREE(Alt)
DEFINE_FREE(Outer)

/* ---- Helpers ---------------------------------------------------------- */

static Outer *outer_from_json(const char *json, Error **errp)
{
    QObject *in = qobject_from_json(json, &error_abort);
    Visitor *v = qobject_input_visitor_new(in);
    Outer *outer = (Outer *)0x1;    /* input must overwrite it */

    qobject_unref(in);
    if (!visit_type_Outer(v, NULL, &outer, errp)) {
        g_assert_null(outer);
    }
    visit_free(v);
    return outer;
}

static Outer *outer_from_keyval(const char *params, Error **errp)
{
    QDict *in = keyval_parse(params, NULL, NULL, &error_abort);
    Visitor *v = qobject_input_visitor_new_keyval(QOBJECT(in));
    Outer *outer = NULL;

    qobject_unref(in);
    if (!visit_type_Outer(v, NULL, &outer, errp)) {
        g_assert_null(outer);
    }
    visit_free(v);
    return outer;
}

static QObject *outer_to_qobject(Outer *outer)
{
    QObject *ret;
    Visitor *v = qobject_output_visitor_new(&ret);

    g_assert_true(visit_type_Outer(v, NULL, &outer, &error_abort));
    visit_complete(v, &ret);
    visit_free(v);
    return ret;
}

static char *to_json(QObject *obj)
{
    return g_string_free(qobject_to_json(obj), FALSE);
}

#define OUTER_REQUIRED \
    "\"name\": \"n\", \"small\": 1, \"big\": 2, \"ratio\": 0.5, " \
    "\"flag\": true, \"color\": \"green\""

/* Visit @json expecting failure; check the message (and, by ASan, that
 * whatever was built before the error is freed). */
static void check_json_error(const char *json, const char *message)
{
    Error *err = NULL;

    g_assert_null(outer_from_json(json, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);
}

static void check_keyval_error(const char *params, const char *message)
{
    Error *err = NULL;

    g_assert_null(outer_from_keyval(params, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);
}

/* ---- Round trips ------------------------------------------------------ */

static void test_struct_round_trip_keeps_every_member(void)
{
    const char *json = "{" OUTER_REQUIRED ", \"size\": 4096, "
        "\"inner\": {\"x\": -5, \"label\": \"in\"}, "
        "\"items\": [{\"x\": 1}, {\"x\": 2, \"label\": \"two\"}], "
        "\"tags\": [\"a\", \"b\"], \"alt\": {\"x\": 9}, "
        "\"extra\": {\"k\": [1, null]}}";
    Outer *o = outer_from_json(json, &error_abort);
    g_autoptr(QObject) expected = qobject_from_json(json, &error_abort);
    g_autoptr(QObject) out = NULL;

    g_assert_cmpstr(o->name, ==, "n");
    g_assert_cmpuint(o->small, ==, 1);
    g_assert_cmpuint(o->big, ==, 2);
    g_assert_cmpfloat(o->ratio, ==, 0.5);
    g_assert_true(o->flag);
    g_assert_cmpint(o->color, ==, COLOR_GREEN);
    g_assert_true(o->has_size);
    g_assert_cmpuint(o->size, ==, 4096);
    g_assert_cmpint(o->inner->x, ==, -5);
    g_assert_cmpstr(o->inner->label, ==, "in");
    g_assert_cmpint(o->items->value->x, ==, 1);
    g_assert_null(o->items->value->label);
    g_assert_cmpstr(o->items->next->value->label, ==, "two");
    g_assert_null(o->items->next->next);
    g_assert_cmpstr(o->tags->next->value, ==, "b");
    g_assert_cmpint(o->alt->type, ==, QTYPE_QDICT);
    g_assert_cmpint(o->alt->u.in.x, ==, 9);
    g_assert_nonnull(qobject_to(QDict, o->extra));

    out = outer_to_qobject(o);
    if (!qobject_is_equal(out, expected)) {
        g_autofree char *got = to_json(out);
        g_error("round trip gave %s", got);
    }
    qapi_free_Outer(o);
}

static void test_optional_members_absent_stay_unset_and_are_not_output(void)
{
    const char *json = "{" OUTER_REQUIRED "}";
    Outer *o = outer_from_json(json, &error_abort);
    g_autoptr(QObject) expected = qobject_from_json(json, &error_abort);
    g_autoptr(QObject) out = NULL;

    g_assert_false(o->has_size);
    g_assert_null(o->inner);
    g_assert_null(o->items);
    g_assert_null(o->tags);
    g_assert_null(o->alt);
    g_assert_null(o->extra);
    out = outer_to_qobject(o);
    g_assert_true(qobject_is_equal(out, expected));
    qapi_free_Outer(o);
}

static void test_alternate_picks_branch_by_json_type(void)
{
    Outer *o = outer_from_json("{" OUTER_REQUIRED ", \"alt\": 7}",
                               &error_abort);

    g_assert_cmpint(o->alt->type, ==, QTYPE_QNUM);
    g_assert_cmpint(o->alt->u.i, ==, 7);
    qapi_free_Outer(o);

    o = outer_from_json("{" OUTER_REQUIRED ", \"alt\": \"seven\"}",
                        &error_abort);
    g_assert_cmpint(o->alt->type, ==, QTYPE_QSTRING);
    g_assert_cmpstr(o->alt->u.s, ==, "seven");
    qapi_free_Outer(o);

    check_json_error("{" OUTER_REQUIRED ", \"alt\": true}",
                     "Invalid parameter type for 'alt', expected: Alt");
}

static void test_output_of_built_c_values(void)
{
    Inner inner = { .x = 3, .label = (char *)"lbl" };
    Inner *p = &inner;
    QObject *ret;
    Visitor *v = qobject_output_visitor_new(&ret);
    g_autofree char *json = NULL;

    g_assert_true(visit_type_Inner(v, NULL, &p, &error_abort));
    visit_complete(v, &ret);
    visit_free(v);
    json = to_json(ret);
    g_assert_cmpstr(json, ==, "{\"x\": 3, \"label\": \"lbl\"}");
    qobject_unref(ret);
}

static void test_uint64_accepts_negative_and_large_numbers(void)
{
    Outer *o = outer_from_json("{\"name\": \"n\", \"small\": 255, "
                               "\"big\": -1, \"ratio\": 3, \"flag\": false, "
                               "\"color\": \"red\"}", &error_abort);

    g_assert_cmpuint(o->big, ==, UINT64_MAX);
    g_assert_cmpuint(o->small, ==, 255);
    /* An integer is a fine number. */
    g_assert_cmpfloat(o->ratio, ==, 3.0);
    qapi_free_Outer(o);

    o = outer_from_json("{\"name\": \"n\", \"small\": 0, "
                        "\"big\": 18446744073709551615, \"ratio\": 0, "
                        "\"flag\": false, \"color\": \"blue\"}",
                        &error_abort);
    g_assert_cmpuint(o->big, ==, UINT64_MAX);
    qapi_free_Outer(o);
}

/* ---- QEMU's error messages -------------------------------------------- */

static void test_missing_members_are_named_by_path(void)
{
    check_json_error("{}", "Parameter 'name' is missing");
    check_json_error("{" OUTER_REQUIRED ", \"inner\": {}}",
                     "Parameter 'inner.x' is missing");
    check_json_error("{" OUTER_REQUIRED ", \"items\": [{\"x\": 1}, {}]}",
                     "Parameter 'items[1].x' is missing");
}

static void test_wrong_json_types_name_the_expected_type(void)
{
    static const struct {
        const char *members, *message;
    } cases[] = {
        { "\"name\": 1",
          "Invalid parameter type for 'name', expected: string" },
        /* Unsigned members all go through the uint64 check. */
        { "\"name\": \"n\", \"small\": \"1\"",
          "Parameter 'small' expects uint64" },
        { OUTER_REQUIRED ", \"inner\": {\"x\": 1.5}",
          "Invalid parameter type for 'inner.x', expected: integer" },
        { OUTER_REQUIRED ", \"inner\": {\"x\": \"1\"}",
          "Invalid parameter type for 'inner.x', expected: integer" },
        { "\"name\": \"n\", \"small\": 1, \"big\": \"2\"",
          "Parameter 'big' expects uint64" },
        { "\"name\": \"n\", \"small\": 1, \"big\": 2.5",
          "Parameter 'big' expects uint64" },
        { "\"name\": \"n\", \"small\": 1, \"big\": 2, \"ratio\": \"x\"",
          "Invalid parameter type for 'ratio', expected: number" },
        { "\"name\": \"n\", \"small\": 1, \"big\": 2, \"ratio\": 1, "
          "\"flag\": 1",
          "Invalid parameter type for 'flag', expected: boolean" },
        { OUTER_REQUIRED ", \"inner\": []",
          "Invalid parameter type for 'inner', expected: object" },
        { OUTER_REQUIRED ", \"items\": {}",
          "Invalid parameter type for 'items', expected: array" },
        { OUTER_REQUIRED ", \"items\": [{\"x\": 1}, {\"x\": true}]",
          "Invalid parameter type for 'items[1].x', expected: integer" },
        { OUTER_REQUIRED ", \"tags\": [\"a\", \"b\", 3]",
          "Invalid parameter type for 'tags[2]', expected: string" },
    };
    int i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *json = g_strdup_printf("{%s}", cases[i].members);

        check_json_error(json, cases[i].message);
    }
}

static void test_out_of_range_sized_integer(void)
{
    check_json_error("{\"name\": \"n\", \"small\": 256}",
                     "Parameter 'small' expects uint8");
    check_json_error("{\"name\": \"n\", \"small\": -1}",
                     "Parameter 'small' expects uint8");
}

static void test_unknown_members_are_unexpected(void)
{
    check_json_error("{" OUTER_REQUIRED ", \"bogus\": 1, \"more\": 2}",
                     "Parameter 'bogus' is unexpected");
    check_json_error("{" OUTER_REQUIRED ", \"inner\": {\"x\": 1, \"y\": 2}}",
                     "Parameter 'inner.y' is unexpected");
}

static void test_unknown_enum_value_is_rejected(void)
{
    check_json_error("{\"name\": \"n\", \"small\": 1, \"big\": 2, "
                     "\"ratio\": 0, \"flag\": true, \"color\": \"pink\"}",
                     "Parameter 'color' does not accept value 'pink'");
    check_json_error("{\"name\": \"n\", \"small\": 1, \"big\": 2, "
                     "\"ratio\": 0, \"flag\": true, \"color\": 1}",
                     "Invalid parameter type for 'color', expected: string");
}

static void test_root_must_be_an_object(void)
{
    check_json_error("[1]", "Invalid parameter type for '<anonymous>', "
                     "expected: object");
}

static void test_virtual_list_walk_reports_leftover_elements(void)
{
    QObject *in = qobject_from_json("{\"l\": [1, 2, 3]}", &error_abort);
    Visitor *v = qobject_input_visitor_new(in);
    Error *err = NULL;
    int64_t val;

    g_assert_true(visit_start_struct(v, NULL, NULL, 0, &error_abort));
    g_assert_true(visit_start_list(v, "l", NULL, 0, &error_abort));
    g_assert_true(visit_type_int(v, NULL, &val, &error_abort));
    g_assert_cmpint(val, ==, 1);
    g_assert_false(visit_check_list(v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Only 1 list elements expected in l");
    error_free(err);
    visit_end_list(v, NULL);
    visit_end_struct(v, NULL);
    visit_free(v);
    qobject_unref(in);
}

/* ---- Keyval typing ---------------------------------------------------- */

static void test_keyval_parses_scalars_per_type(void)
{
    Outer *o = outer_from_keyval("name=n,small=0x10,big=18446744073709551615,"
                                 "ratio=2.5e1,flag=on,color=blue,size=64k,"
                                 "inner.x=-3,items.0.x=1,items.1.x=017,"
                                 "tags.0=a,tags.1=b", &error_abort);

    g_assert_cmpstr(o->name, ==, "n");
    g_assert_cmpuint(o->small, ==, 16);
    g_assert_cmpuint(o->big, ==, UINT64_MAX);
    g_assert_cmpfloat(o->ratio, ==, 25.0);
    g_assert_true(o->flag);
    g_assert_cmpint(o->color, ==, COLOR_BLUE);
    g_assert_cmpuint(o->size, ==, 65536);
    g_assert_cmpint(o->inner->x, ==, -3);
    g_assert_cmpint(o->items->next->value->x, ==, 15);
    g_assert_cmpstr(o->tags->next->value, ==, "b");
    qapi_free_Outer(o);

    o = outer_from_keyval("name=,small=0,big=0,ratio=0,flag=off,color=red,"
                          "size=1.5M", &error_abort);
    g_assert_cmpstr(o->name, ==, "");
    g_assert_false(o->flag);
    g_assert_cmpuint(o->size, ==, 1536 * 1024);
    qapi_free_Outer(o);
}

#define KV_REQUIRED "name=n,small=1,big=2,ratio=0,flag=on,color=red"

static void test_keyval_errors(void)
{
    check_keyval_error("name=n,small=x1",
                       "Parameter 'small' expects integer");
    check_keyval_error("name=n,small=300", "Parameter 'small' expects uint8");
    check_keyval_error("name=n,small=1,big=",
                       "Parameter 'big' expects integer");
    check_keyval_error("name=n,small=1,big=2,ratio=fast",
                       "Invalid parameter type for 'ratio', expected: number");
    check_keyval_error("name=n,small=1,big=2,ratio=0,flag=maybe",
                       "Parameter 'flag' expects 'on' or 'off'");
    check_keyval_error(KV_REQUIRED ",size=12Q",
                       "Parameter 'size' expects size");
    check_keyval_error(KV_REQUIRED ",size=-1",
                       "Parameter 'size' expects size");
    check_keyval_error(KV_REQUIRED ",items.0.x=1,items.1.x=y",
                       "Parameter 'items.1.x' expects integer");
    check_keyval_error("name.a=1", "Parameters 'name.*' are unexpected");
    check_keyval_error(KV_REQUIRED ",inner=1",
                       "Invalid parameter type for 'inner', expected: object");
    check_keyval_error(KV_REQUIRED ",zzz=1", "Parameter 'zzz' is unexpected");
    check_keyval_error("name=n,small=1,big=2,ratio=0,flag=on,color=pink",
                       "Parameter 'color' does not accept value 'pink'");
}

/* ---- Freeing ---------------------------------------------------------- */

static void test_dealloc_frees_partly_built_value(void)
{
    /* What an input visit leaves when it stops half way: NULL members,
     * a list element with nothing in it yet. */
    Outer *o = g_new0(Outer, 1);

    o->name = g_strdup("n");
    o->items = g_new0(InnerList, 1);
    o->items->next = g_new0(InnerList, 1);
    o->items->value = g_new0(Inner, 1);
    o->items->value->label = g_strdup("l");
    o->tags = g_new0(strList, 1);
    o->extra = QOBJECT(qnull());
    qapi_free_Outer(o);
}

/* ---- Built-in types --------------------------------------------------- */

static void test_builtin_lists_round_trip(void)
{
    const char *json = "{\"i\": [1, -2], \"s\": [\"x\"], \"n\": [0.5, 2], "
        "\"b\": [true, false], \"a\": [{}, \"x\"], \"z\": [null], "
        "\"u\": [18446744073709551615], \"t\": [\"qdict\", \"qnull\"]}";
    g_autoptr(QObject) in = qobject_from_json(json, &error_abort);
    Visitor *v = qobject_input_visitor_new(in);
    intList *il = NULL;
    strList *sl = NULL;
    numberList *nl = NULL;
    boolList *bl = NULL;
    anyList *al = NULL;
    nullList *zl = NULL;
    uint64List *ul = NULL;
    QTypeList *tl = NULL;
    QObject *out;

    g_assert_true(visit_start_struct(v, NULL, NULL, 0, &error_abort));
    g_assert_true(visit_type_intList(v, "i", &il, &error_abort));
    g_assert_true(visit_type_strList(v, "s", &sl, &error_abort));
    g_assert_true(visit_type_numberList(v, "n", &nl, &error_abort));
    g_assert_true(visit_type_boolList(v, "b", &bl, &error_abort));
    g_assert_true(visit_type_anyList(v, "a", &al, &error_abort));
    g_assert_true(visit_type_nullList(v, "z", &zl, &error_abort));
    g_assert_true(visit_type_uint64List(v, "u", &ul, &error_abort));
    g_assert_true(visit_type_QTypeList(v, "t", &tl, &error_abort));
    g_assert_true(visit_check_struct(v, &error_abort));
    visit_end_struct(v, NULL);
    visit_free(v);

    g_assert_cmpint(il->next->value, ==, -2);
    g_assert_cmpuint(QAPI_LIST_LENGTH(il), ==, 2);
    g_assert_cmpint(tl->value, ==, QTYPE_QDICT);
    g_assert_cmpint(tl->next->value, ==, QTYPE_QNULL);
    g_assert_cmpuint(ul->value, ==, UINT64_MAX);

    v = qobject_output_visitor_new(&out);
    g_assert_true(visit_start_struct(v, NULL, (void **)&v, 1, &error_abort));
    g_assert_true(visit_type_intList(v, "i", &il, &error_abort));
    g_assert_true(visit_type_strList(v, "s", &sl, &error_abort));
    g_assert_true(visit_type_numberList(v, "n", &nl, &error_abort));
    g_assert_true(visit_type_boolList(v, "b", &bl, &error_abort));
    g_assert_true(visit_type_anyList(v, "a", &al, &error_abort));
    g_assert_true(visit_type_nullList(v, "z", &zl, &error_abort));
    g_assert_true(visit_type_uint64List(v, "u", &ul, &error_abort));
    g_assert_true(visit_type_QTypeList(v, "t", &tl, &error_abort));
    visit_end_struct(v, (void **)&v);
    visit_complete(v, &out);
    visit_free(v);
    /* The number 2 comes back as the double 2.0: a numberList holds
     * doubles, as in QEMU. */
    {
        g_autoptr(QObject) expected = qobject_from_json(
            "{\"i\": [1, -2], \"s\": [\"x\"], \"n\": [0.5, 2.0], "
            "\"b\": [true, false], \"a\": [{}, \"x\"], \"z\": [null], "
            "\"u\": [18446744073709551615], \"t\": [\"qdict\", \"qnull\"]}",
            &error_abort);
        g_assert_true(qobject_is_equal(out, expected));
    }
    qobject_unref(out);

    qapi_free_intList(il);
    qapi_free_strList(sl);
    qapi_free_numberList(nl);
    qapi_free_boolList(bl);
    qapi_free_anyList(al);
    qapi_free_nullList(zl);
    qapi_free_uint64List(ul);
    qapi_free_QTypeList(tl);
}

static void test_builtin_list_error_frees_elements(void)
{
    g_autoptr(QObject) in = qobject_from_json("[\"a\", \"b\", 1]",
                                              &error_abort);
    Visitor *v = qobject_input_visitor_new(in);
    strList *sl = NULL;
    Error *err = NULL;

    g_assert_false(visit_type_strList(v, NULL, &sl, &err));
    g_assert_null(sl);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for '[2]', expected: string");
    error_free(err);
    visit_free(v);
}

static void test_enum_lookup_and_parse(void)
{
    Error *err = NULL;

    g_assert_cmpstr(QType_str(QTYPE_QSTRING), ==, "qstring");
    g_assert_cmpstr(qapi_enum_lookup(&Color_lookup, COLOR_BLUE), ==, "blue");
    g_assert_cmpint(qapi_enum_parse(&Color_lookup, "green", -1, &error_abort),
                    ==, COLOR_GREEN);
    g_assert_cmpint(qapi_enum_parse(&Color_lookup, NULL, 7, &error_abort),
                    ==, 7);
    g_assert_cmpint(qapi_enum_parse(&Color_lookup, "pink", -1, &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "invalid parameter value: pink");
    error_free(err);
}

static void test_list_macros(void)
{
    g_autoptr(strList) list = NULL;
    strList **tail = &list;

    QAPI_LIST_APPEND(tail, g_strdup("b"));
    QAPI_LIST_APPEND(tail, g_strdup("c"));
    QAPI_LIST_PREPEND(list, g_strdup("a"));
    g_assert_cmpuint(QAPI_LIST_LENGTH(list), ==, 3);
    g_assert_cmpstr(list->value, ==, "a");
    g_assert_cmpstr(list->next->next->value, ==, "c");
}

/* ---- Clone ------------------------------------------------------------ */

static void test_clone_is_deep_and_equal(void)
{
    const char *json = "{" OUTER_REQUIRED ", \"size\": 1, "
        "\"inner\": {\"x\": 4, \"label\": \"l\"}, "
        "\"items\": [{\"x\": 1}, {\"x\": 2}], \"tags\": [\"t\"], "
        "\"alt\": {\"x\": 3, \"label\": \"a\"}, \"extra\": [1]}";
    Outer *o = outer_from_json(json, &error_abort);
    Outer *c = QAPI_CLONE(Outer, o);
    g_autoptr(QObject) before = outer_to_qobject(o);
    g_autoptr(QObject) copy = NULL;
    Alt *alt;

    /* Nothing shared but the (immutable) QObject. */
    g_assert_true(c != o);
    g_assert_true(c->name != o->name);
    g_assert_true(c->inner != o->inner);
    g_assert_true(c->items->next != o->items->next);
    g_assert_true(c->alt != o->alt);
    g_assert_true(c->alt->u.in.label != o->alt->u.in.label);
    copy = outer_to_qobject(c);
    g_assert_true(qobject_is_equal(copy, before));

    /* Freeing the original leaves the copy whole (ASan would tell). */
    qapi_free_Outer(o);
    qobject_unref(copy);
    copy = outer_to_qobject(c);
    g_assert_true(qobject_is_equal(copy, before));

    alt = QAPI_CLONE(Alt, c->alt);
    g_assert_cmpstr(alt->u.in.label, ==, "a");
    qapi_free_Alt(alt);
    g_assert_null(QAPI_CLONE(Outer, NULL));
    qapi_free_Outer(c);
}

static void test_clone_members_into_embedded_struct(void)
{
    Inner src = { .x = 8, .label = (char *)"m" };
    Inner dst;

    QAPI_CLONE_MEMBERS(Inner, &dst, &src);
    g_assert_cmpint(dst.x, ==, 8);
    g_assert_cmpstr(dst.label, ==, "m");
    g_assert_true(dst.label != src.label);
    g_free(dst.label);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/visitor/round-trip/struct",
                    test_struct_round_trip_keeps_every_member);
    g_test_add_func("/visitor/round-trip/optional-absent",
                    test_optional_members_absent_stay_unset_and_are_not_output);
    g_test_add_func("/visitor/round-trip/alternate",
                    test_alternate_picks_branch_by_json_type);
    g_test_add_func("/visitor/output/c-values", test_output_of_built_c_values);
    g_test_add_func("/visitor/input/uint64",
                    test_uint64_accepts_negative_and_large_numbers);
    g_test_add_func("/visitor/error/missing",
                    test_missing_members_are_named_by_path);
    g_test_add_func("/visitor/error/type",
                    test_wrong_json_types_name_the_expected_type);
    g_test_add_func("/visitor/error/range", test_out_of_range_sized_integer);
    g_test_add_func("/visitor/error/unexpected",
                    test_unknown_members_are_unexpected);
    g_test_add_func("/visitor/error/enum", test_unknown_enum_value_is_rejected);
    g_test_add_func("/visitor/error/root", test_root_must_be_an_object);
    g_test_add_func("/visitor/error/list-leftover",
                    test_virtual_list_walk_reports_leftover_elements);
    g_test_add_func("/visitor/keyval/scalars",
                    test_keyval_parses_scalars_per_type);
    g_test_add_func("/visitor/keyval/errors", test_keyval_errors);
    g_test_add_func("/visitor/dealloc/partial",
                    test_dealloc_frees_partly_built_value);
    g_test_add_func("/visitor/builtin/lists", test_builtin_lists_round_trip);
    g_test_add_func("/visitor/builtin/list-error",
                    test_builtin_list_error_frees_elements);
    g_test_add_func("/visitor/builtin/enum", test_enum_lookup_and_parse);
    g_test_add_func("/visitor/builtin/list-macros", test_list_macros);
    g_test_add_func("/visitor/clone/deep", test_clone_is_deep_and_equal);
    g_test_add_func("/visitor/clone/members",
                    test_clone_members_into_embedded_struct);
    return g_test_run();
}
