/*
 * QLit tests: literals written as C initialisers (the form the QAPI
 * introspection data takes) compared with QObjects and turned into them.
 * Covers qobject/qlit.c (QEMU's tests/unit/check-qlit.c covers the same).
 */
#include "qcore/osdep.h"
#include "qcore/qlit.h"
#include "qcore/qjson.h"

static QLitObject schema_like = QLIT_QDICT(((QLitDictEntry[]) {
    { "name", QLIT_QSTR("query-status") },
    { "count", QLIT_QNUM(-42) },
    { "oob", QLIT_QBOOL(false) },
    { "ret", QLIT_QNULL },
    { "members", QLIT_QLIST(((QLitObject[]) {
        QLIT_QNUM(1),
        QLIT_QSTR("two"),
        QLIT_QDICT(((QLitDictEntry[]) { { "three", QLIT_QBOOL(true) }, { } })),
        { }
    })) },
    { }
}));

static const char schema_like_json[] =
    "{'name': 'query-status', 'count': -42, 'oob': false, 'ret': null,"
    " 'members': [1, 'two', {'three': true}]}";

static void test_literal_equals_the_value_it_spells(void)
{
    g_autoptr(QObject) obj = qobject_from_json(schema_like_json,
                                               &error_abort);
    /* Key order does not matter in a dict. */
    g_autoptr(QObject) reordered = qobject_from_json(
        "{'members': [1, 'two', {'three': true}], 'ret': null,"
        " 'oob': false, 'count': -42, 'name': 'query-status'}",
        &error_abort);

    g_assert_true(qlit_equal_qobject(&schema_like, obj));
    g_assert_true(qlit_equal_qobject(&schema_like, reordered));
}

static void test_literal_differs_from_other_values(void)
{
    static const char *const others[] = {
        /* one value changed */
        "{'name': 'query-name', 'count': -42, 'oob': false, 'ret': null,"
        " 'members': [1, 'two', {'three': true}]}",
        /* a key missing, a key added */
        "{'name': 'query-status', 'count': -42, 'oob': false,"
        " 'members': [1, 'two', {'three': true}]}",
        "{'name': 'query-status', 'count': -42, 'oob': false, 'ret': null,"
        " 'members': [1, 'two', {'three': true}], 'extra': 1}",
        /* a list shorter, longer, reordered */
        "{'name': 'query-status', 'count': -42, 'oob': false, 'ret': null,"
        " 'members': [1, 'two']}",
        "{'name': 'query-status', 'count': -42, 'oob': false, 'ret': null,"
        " 'members': [1, 'two', {'three': true}, 4]}",
        "{'name': 'query-status', 'count': -42, 'oob': false, 'ret': null,"
        " 'members': ['two', 1, {'three': true}]}",
        /* same number as a double, another type */
        "{'name': 'query-status', 'count': -42.0, 'oob': false, 'ret': null,"
        " 'members': [1, 'two', {'three': true}]}",
        "[]",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        g_autoptr(QObject) obj = qobject_from_json(others[i], &error_abort);

        g_assert_false(qlit_equal_qobject(&schema_like, obj));
    }
    g_assert_false(qlit_equal_qobject(&schema_like, NULL));
}

static void test_qobject_from_qlit_builds_the_value(void)
{
    g_autoptr(QObject) built = qobject_from_qlit(&schema_like);
    g_autoptr(QObject) parsed = qobject_from_json(schema_like_json,
                                                  &error_abort);
    QDict *d = qobject_to(QDict, built);
    QList *members = qdict_get_qlist(d, "members");

    g_assert_true(qobject_is_equal(built, parsed));
    g_assert_cmpint(qdict_get_int(d, "count"), ==, -42);
    g_assert_true(qobject_type(qdict_get(d, "ret")) == QTYPE_QNULL);
    g_assert_cmpuint(qlist_size(members), ==, 3);
    g_assert_true(qlit_equal_qobject(&schema_like, built));
}

static void test_empty_containers(void)
{
    QLitObject empty_dict = QLIT_QDICT(((QLitDictEntry[]) { { } }));
    QLitObject empty_list = QLIT_QLIST(((QLitObject[]) { { } }));
    g_autoptr(QObject) d = qobject_from_qlit(&empty_dict);
    g_autoptr(QObject) l = qobject_from_qlit(&empty_list);

    g_assert_cmpuint(qdict_size(qobject_to(QDict, d)), ==, 0);
    g_assert_true(qlist_empty(qobject_to(QList, l)));
    g_assert_true(qlit_equal_qobject(&empty_dict, d));
    g_assert_true(qlit_equal_qobject(&empty_list, l));
    g_assert_false(qlit_equal_qobject(&empty_dict, l));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qlit/equal-qobject/same-value",
                    test_literal_equals_the_value_it_spells);
    g_test_add_func("/qlit/equal-qobject/other-values",
                    test_literal_differs_from_other_values);
    g_test_add_func("/qlit/qobject-from-qlit",
                    test_qobject_from_qlit_builds_the_value);
    g_test_add_func("/qlit/empty-containers", test_empty_containers);
    return g_test_run();
}
