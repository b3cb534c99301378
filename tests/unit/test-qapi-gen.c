/*
 * The QAPI generator on a schema that uses every feature it supports
 * (qapi-schema-test.json): the generated types, visitors, marshallers,
 * events and introspection, linked with the qapi layer alone.
 * Corresponds to QEMU's tests/unit/test-qobject-input-visitor.c,
 * test-qmp-cmds.c and test-qmp-event.c on its test schema.
 */
#include "qcore/osdep.h"
#include "qcore/qjson.h"
#include "qcore/qlit.h"
#include "qapi/qmp-event.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"
#include "test-qapi-commands.h"
#include "test-qapi-events.h"
#include "test-qapi-introspect.h"
#include "test-qapi-visit.h"

/* ---- the handlers the schema declares ---------------------------------- */

TestStruct *qmp_test_cmd(TestAlt *alt, TestUnion *u, bool has_e,
                         TestPrefixed e, Error **errp)
{
    TestStruct *ret = g_new0(TestStruct, 1);
    TestBase *base = g_new0(TestBase, 1);

    /* Echo what arrived, so the test sees the arguments' C form. */
    ret->a = alt->type == QTYPE_QNUM ? alt->u.i :
             alt->type == QTYPE_QDICT ? alt->u.o.count : -1;
    ret->b = g_strdup(alt->type == QTYPE_QSTRING ? alt->u.s : NULL);
    ret->num = 0.5;
    ret->flag = has_e && e == TEST_PFX_TWO;
    QAPI_LIST_PREPEND(ret->ints, 3);
    base->a = u ? (int64_t)u->kind : -1;
    base->b = g_strdup(u ? u->id : NULL);
    QAPI_LIST_PREPEND(ret->bases, base);
    if (u && u->kind == TEST_ENUM_VALUE_B) {
        ret->has_opt_enum = true;
        ret->opt_enum = TEST_ENUM_VALUE_C;
    }
    ret->small = 255;
    ret->old = 7;
    return ret;
}

TestBaseList *qmp_test_boxed(TestUnion *arg, Error **errp)
{
    TestBaseList *list = NULL;
    TestBase *b;

    if (arg->kind != TEST_ENUM_VALUE_A) {
        error_setg(errp, "only value-a");
        return NULL;
    }
    b = g_new0(TestBase, 1);
    b->a = arg->u.value_a.a;
    b->b = g_strdup(arg->id);
    QAPI_LIST_PREPEND(list, b);
    return list;
}

void qmp_test_oob(Error **errp)
{
}

/* ---- helpers ------------------------------------------------------------ */

static QmpCommandList cmds = QTAILQ_HEAD_INITIALIZER(cmds);

/* Run @name through its marshaller as the dispatcher does. */
static QObject *call(const char *name, const char *args_json, Error **errp)
{
    const QmpCommand *cmd = qmp_find_command(&cmds, name);
    g_autoptr(QDict) args = qobject_to(QDict, qobject_from_json(args_json,
                                                                &error_abort));
    QObject *ret = NULL;

    g_assert_nonnull(cmd);
    cmd->fn(args, &ret, errp);
    return ret;
}

static QObject *nth(QList *list, int n)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        if (!n--) {
            return qlist_entry_obj(e);
        }
    }
    g_assert_not_reached();
}

static void assert_json(QObject *obj, const char *want)
{
    g_autoptr(GString) got = qobject_to_json(obj);
    g_autoptr(QObject) want_obj = qobject_from_json(want, &error_abort);

    if (!qobject_is_equal(obj, want_obj)) {
        g_error("got %s, want %s", got->str, want);
    }
}

static void assert_error(const char *name, const char *args_json,
                         const char *desc)
{
    Error *err = NULL;
    QObject *ret = call(name, args_json, &err);

    g_assert_null(ret);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, desc);
    error_free(err);
}

/* ---- types and visitors ------------------------------------------------- */

static void test_enum_names_and_conditions(void)
{
    g_assert_cmpstr(TestEnum_str(TEST_ENUM_VALUE_C), ==, "value-c");
    /* A value whose 'if' is false does not exist at all. */
    g_assert_cmpint(TEST_ENUM__MAX, ==, 3);
    g_assert_cmpint(qapi_enum_parse(&TestEnum_lookup, "value-never", -1,
                                    NULL), ==, -1);
    g_assert_cmpstr(TestPrefixed_str(TEST_PFX_TWO), ==, "two");
    g_assert_cmpint(TEST_PFX__MAX, ==, 2);
}

static void test_struct_round_trip(void)
{
    static const char json[] =
        "{\"a\": 1, \"b\": \"x\", \"num\": 2.5, \"flag\": true, "
        "\"ints\": [1, 2], \"bases\": [{\"a\": 3}], \"opt-enum\": \"value-b\", "
        "\"value\": {\"k\": [null]}, \"small\": 200, \"old\": 4}";
    g_autoptr(QObject) in = qobject_from_json(json, &error_abort);
    g_autoptr(TestStruct) s = NULL;
    g_autoptr(QObject) out = NULL;
    Visitor *v = qobject_input_visitor_new(in);

    g_assert_true(visit_type_TestStruct(v, NULL, &s, &error_abort));
    visit_free(v);
    g_assert_cmpint(s->a, ==, 1);
    g_assert_cmpstr(s->b, ==, "x");
    g_assert_cmpint(s->ints->next->value, ==, 2);
    g_assert_cmpint(s->bases->value->a, ==, 3);
    g_assert_null(s->bases->value->b);
    g_assert_true(s->has_opt_enum);
    g_assert_cmpint(s->opt_enum, ==, TEST_ENUM_VALUE_B);
    g_assert_cmpint(s->small, ==, 200);

    v = qobject_output_visitor_new(&out);
    g_assert_true(visit_type_TestStruct(v, NULL, &s, &error_abort));
    visit_complete(v, &out);
    visit_free(v);
    g_assert_true(qobject_is_equal(in, out));
}

static void test_struct_errors_free_what_was_built(void)
{
    static const struct {
        const char *json, *desc;
    } cases[] = {
        { "{\"num\": 1, \"flag\": true, \"ints\": [], \"bases\": [], "
          "\"small\": 1, \"old\": 1}", "Parameter 'a' is missing" },
        { "{\"a\": 1, \"num\": 1, \"flag\": true, \"ints\": [1, \"2\"], "
          "\"bases\": [], \"small\": 1, \"old\": 1}",
          "Invalid parameter type for 'ints[1]', expected: integer" },
        { "{\"a\": 1, \"num\": 1, \"flag\": true, \"ints\": [], "
          "\"bases\": [{\"b\": \"x\"}], \"small\": 1, \"old\": 1}",
          "Parameter 'bases[0].a' is missing" },
        { "{\"a\": 1, \"num\": 1, \"flag\": true, \"ints\": [], "
          "\"bases\": [], \"small\": 256, \"old\": 1}",
          "Parameter 'small' expects uint8" },
        { "{\"a\": 1, \"num\": 1, \"flag\": true, \"ints\": [], "
          "\"bases\": [], \"small\": 1, \"old\": 1, \"never\": 1}",
          "Parameter 'never' is unexpected" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QObject) in = qobject_from_json(cases[i].json,
                                                  &error_abort);
        Visitor *v = qobject_input_visitor_new(in);
        TestStruct *s = NULL;
        Error *err = NULL;

        g_assert_false(visit_type_TestStruct(v, NULL, &s, &err));
        g_assert_null(s);
        g_assert_cmpstr(error_get_pretty(err), ==, cases[i].desc);
        error_free(err);
        visit_free(v);
    }
}

static void test_union_and_alternate(void)
{
    g_autoptr(QObject) in = qobject_from_json(
        "[{\"kind\": \"value-b\", \"id\": \"u\", \"count\": 5}, "
        "{\"kind\": \"value-c\", \"id\": \"w\"}]", &error_abort);
    g_autoptr(QObject) alts = qobject_from_json(
        "[1, \"s\", {\"count\": 9}]", &error_abort);
    QList *list = qobject_to(QList, in), *alist = qobject_to(QList, alts);
    g_autoptr(TestUnion) u = NULL, w = NULL;
    TestAlt *alt[3] = { NULL };
    Visitor *v;
    int i;

    v = qobject_input_visitor_new(nth(list, 0));
    g_assert_true(visit_type_TestUnion(v, NULL, &u, &error_abort));
    visit_free(v);
    g_assert_cmpint(u->kind, ==, TEST_ENUM_VALUE_B);
    g_assert_cmpint(u->u.value_b.count, ==, 5);
    /* A tag value without a variant has only the base's members. */
    v = qobject_input_visitor_new(nth(list, 1));
    g_assert_true(visit_type_TestUnion(v, NULL, &w, &error_abort));
    visit_free(v);
    g_assert_cmpstr(w->id, ==, "w");

    for (i = 0; i < 3; i++) {
        v = qobject_input_visitor_new(nth(alist, i));
        g_assert_true(visit_type_TestAlt(v, NULL, &alt[i], &error_abort));
        visit_free(v);
    }
    g_assert_cmpint(alt[0]->type, ==, QTYPE_QNUM);
    g_assert_cmpint(alt[0]->u.i, ==, 1);
    g_assert_cmpint(alt[1]->type, ==, QTYPE_QSTRING);
    g_assert_cmpstr(alt[1]->u.s, ==, "s");
    g_assert_cmpint(alt[2]->type, ==, QTYPE_QDICT);
    g_assert_cmpint(alt[2]->u.o.count, ==, 9);
    for (i = 0; i < 3; i++) {
        qapi_free_TestAlt(alt[i]);
    }
}

/* ---- commands ----------------------------------------------------------- */

static void test_commands_registered_as_declared(void)
{
    const QmpCommand *oob = qmp_find_command(&cmds, "test-oob");

    g_assert_nonnull(qmp_find_command(&cmds, "test-cmd"));
    g_assert_nonnull(qmp_find_command(&cmds, "test-boxed"));
    g_assert_null(qmp_find_command(&cmds, "test-never"));
    g_assert_nonnull(oob);
    g_assert_cmpint(oob->options, ==, QCO_ALLOW_OOB | QCO_ALLOW_PRECONFIG);
}

static void test_marshallers(void)
{
    g_autoptr(QObject) r1 = call("test-cmd", "{\"alt\": 42}", &error_abort);
    g_autoptr(QObject) r2 = call(
        "test-cmd", "{\"alt\": {\"count\": 8}, \"e\": \"two\", \"u\": "
        "{\"kind\": \"value-b\", \"id\": \"q\", \"count\": 1}}",
        &error_abort);
    g_autoptr(QObject) r3 = call(
        "test-boxed", "{\"kind\": \"value-a\", \"id\": \"z\", \"a\": 6}",
        &error_abort);
    g_autoptr(QObject) r4 = call("test-oob", "{}", &error_abort);

    assert_json(r1, "{\"a\": 42, \"num\": 0.5, \"flag\": false, "
                "\"ints\": [3], \"bases\": [{\"a\": -1}], \"small\": 255, "
                "\"old\": 7}");
    assert_json(r2, "{\"a\": 8, \"num\": 0.5, \"flag\": true, "
                "\"ints\": [3], \"bases\": [{\"a\": 1, \"b\": \"q\"}], "
                "\"opt-enum\": \"value-c\", \"small\": 255, \"old\": 7}");
    assert_json(r3, "[{\"a\": 6, \"b\": \"z\"}]");
    /* A command without 'returns' leaves the answer to the dispatcher. */
    g_assert_null(r4);
}

static void test_marshaller_errors(void)
{
    assert_error("test-cmd", "{}", "Parameter 'alt' is missing");
    assert_error("test-cmd", "{\"alt\": true}",
                 "Invalid parameter type for 'alt', expected: TestAlt");
    assert_error("test-cmd", "{\"alt\": 1, \"e\": \"three\"}",
                 "Parameter 'e' does not accept value 'three'");
    assert_error("test-cmd", "{\"alt\": 1, \"u\": {\"kind\": \"value-a\"}}",
                 "Parameter 'u.id' is missing");
    assert_error("test-cmd", "{\"alt\": 1, \"x\": 1}",
                 "Parameter 'x' is unexpected");
    assert_error("test-boxed", "{\"kind\": \"value-b\", \"id\": \"z\", "
                 "\"count\": 1}", "only value-a");
    assert_error("test-oob", "{\"x\": 1}", "Parameter 'x' is unexpected");
}

/* ---- events ------------------------------------------------------------- */

static GString *events;

static void record_event(const char *name, QDict *data)
{
    g_autoptr(GString) json = data ? qobject_to_json(QOBJECT(data)) : NULL;

    g_string_append_printf(events, "%s %s\n", name, json ? json->str : "-");
    qobject_unref(data);
}

static void test_events(void)
{
    TestBase b = { .a = 2, .b = (char *)"bee" };

    events = g_string_new(NULL);
    qapi_event_set_emitter(record_event);
    qapi_event_send_test_event(5, "s");
    qapi_event_send_test_event(6, NULL);
    qapi_event_send_test_boxed(&b);
    qapi_event_send_test_empty();
    qapi_event_set_emitter(NULL);
    g_assert_cmpstr(events->str, ==,
                    "TEST_EVENT {\"n\": 5, \"s\": \"s\"}\n"
                    "TEST_EVENT {\"n\": 6}\n"
                    "TEST_BOXED {\"a\": 2, \"b\": \"bee\"}\n"
                    "TEST_EMPTY -\n");
    g_assert_cmpstr(test_QAPIEvent_str(TEST_QAPI_EVENT_TEST_BOXED), ==,
                    "TEST_BOXED");
    g_string_free(events, true);
}

/* ---- introspection ------------------------------------------------------ */

static QDict *schema_entry(QList *schema, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(d, "name"), name)) {
            return d;
        }
    }
    return NULL;
}

static QDict *member(QDict *obj, const char *key, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(obj, key), e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (!name || !g_strcmp0(qdict_get_try_str(d, "name"), name)) {
            return d;
        }
    }
    return NULL;
}

static void test_introspection(void)
{
    g_autoptr(QObject) obj = qobject_from_qlit(&test_qmp_schema_qlit);
    QList *schema = qobject_to(QList, obj);
    QDict *cmd, *arg, *ret, *alt, *uni, *en, *ev;
    QListEntry *e;

    /* Commands and events first, in schema order. */
    g_assert_cmpstr(qdict_get_str(qobject_to(QDict, qlist_peek(schema)),
                                  "name"), ==, "test-cmd");
    g_assert_null(schema_entry(schema, "test-never"));
    g_assert_null(schema_entry(schema, "TestStruct"));  /* masked */
    g_assert_true(qdict_get_bool(schema_entry(schema, "test-oob"),
                                 "allow-oob"));
    g_assert_false(qdict_haskey(schema_entry(schema, "test-cmd"),
                                "allow-oob"));

    cmd = schema_entry(schema, "test-cmd");
    arg = schema_entry(schema, qdict_get_str(cmd, "arg-type"));
    ret = schema_entry(schema, qdict_get_str(cmd, "ret-type"));
    g_assert_cmpstr(qdict_get_str(ret, "meta-type"), ==, "object");
    assert_json(qdict_get(ret, "features"), "[\"unstable\"]");
    assert_json(qdict_get(member(ret, "members", "old"), "features"),
                "[\"deprecated\"]");
    g_assert_null(member(ret, "members", "never"));
    /* Every integer width is "int"; an optional member defaults to null. */
    g_assert_cmpstr(qdict_get_str(member(ret, "members", "small"), "type"),
                    ==, "int");
    g_assert_cmpint(qobject_type(qdict_get(member(ret, "members", "b"),
                                           "default")), ==, QTYPE_QNULL);
    g_assert_false(qdict_haskey(member(ret, "members", "a"), "default"));
    g_assert_cmpstr(qdict_get_str(member(ret, "members", "ints"), "type"),
                    ==, "[int]");

    alt = schema_entry(schema, qdict_get_str(member(arg, "members", "alt"),
                                             "type"));
    g_assert_cmpstr(qdict_get_str(alt, "meta-type"), ==, "alternate");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(alt, "members")), ==, 3);

    uni = schema_entry(schema, qdict_get_str(member(arg, "members", "u"),
                                             "type"));
    g_assert_cmpstr(qdict_get_str(uni, "tag"), ==, "kind");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(uni, "variants")), ==, 2);
    en = schema_entry(schema, qdict_get_str(member(uni, "members", "kind"),
                                            "type"));
    assert_json(qdict_get(en, "values"),
                "[\"value-a\", \"value-b\", \"value-c\"]");

    ev = schema_entry(schema, "TEST_EMPTY");
    g_assert_cmpstr(qdict_get_str(ev, "meta-type"), ==, "event");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(
        schema_entry(schema, qdict_get_str(ev, "arg-type")), "members")),
        ==, 0);

    /* Every name a reference uses is defined. */
    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));
        const char *keys[] = { "arg-type", "ret-type", "element-type" };
        size_t k;

        for (k = 0; k < G_N_ELEMENTS(keys); k++) {
            const char *ref = qdict_get_try_str(d, keys[k]);

            g_assert_true(!ref || schema_entry(schema, ref));
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_qmp_init_marshal(&cmds);
    g_test_add_func("/qapi-gen/types/enum-names-and-conditions",
                    test_enum_names_and_conditions);
    g_test_add_func("/qapi-gen/visit/struct-round-trip",
                    test_struct_round_trip);
    g_test_add_func("/qapi-gen/visit/struct-errors-free-what-was-built",
                    test_struct_errors_free_what_was_built);
    g_test_add_func("/qapi-gen/visit/union-and-alternate",
                    test_union_and_alternate);
    g_test_add_func("/qapi-gen/commands/registered-as-declared",
                    test_commands_registered_as_declared);
    g_test_add_func("/qapi-gen/commands/marshallers", test_marshallers);
    g_test_add_func("/qapi-gen/commands/argument-errors",
                    test_marshaller_errors);
    g_test_add_func("/qapi-gen/events/emitted-with-their-data", test_events);
    g_test_add_func("/qapi-gen/introspect/shape", test_introspection);
    return g_test_run();
}
