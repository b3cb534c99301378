/*
 * keyval: "key=value,..." into nested QDicts (and QLists), the implied
 * key, help requests and QEMU's error messages.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/keyval.h"
#include "qcore/qobject.h"

/* Parse expecting failure; return the message (g_free). */
static char *parse_error(const char *params, const char *implied_key)
{
    Error *err = NULL;
    bool help;
    char *msg;

    g_assert_null(keyval_parse(params, implied_key, &help, &err));
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void test_empty_string_gives_empty_dict(void)
{
    g_autoptr(QDict) d = keyval_parse("", NULL, NULL, &error_abort);

    g_assert_cmpuint(qdict_size(d), ==, 0);
}

static void test_flat_keys_and_escaped_comma(void)
{
    g_autoptr(QDict) d = keyval_parse("a=1,b=x,,y,c=,d=,,", NULL, NULL,
                                      &error_abort);

    g_assert_cmpuint(qdict_size(d), ==, 4);
    g_assert_cmpstr(qdict_get_str(d, "a"), ==, "1");
    g_assert_cmpstr(qdict_get_str(d, "b"), ==, "x,y");
    g_assert_cmpstr(qdict_get_str(d, "c"), ==, "");
    g_assert_cmpstr(qdict_get_str(d, "d"), ==, ",");
}

static void test_dotted_keys_nest(void)
{
    g_autoptr(QDict) d = keyval_parse("a.b=1,a.c.d=2,e=3", NULL, NULL,
                                      &error_abort);
    QDict *a = qdict_get_qdict(d, "a");

    g_assert_nonnull(a);
    g_assert_cmpstr(qdict_get_str(a, "b"), ==, "1");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(a, "c"), "d"), ==, "2");
    g_assert_cmpstr(qdict_get_str(d, "e"), ==, "3");
}

static void test_numeric_keys_make_lists(void)
{
    g_autoptr(QDict) d = keyval_parse("l.1=b,l.0=a,m.0.x=1", NULL, NULL,
                                      &error_abort);
    QList *l = qdict_get_qlist(d, "l");
    QList *m = qdict_get_qlist(d, "m");
    g_autofree char *gap = parse_error("l.0=a,l.2=c", NULL);
    g_autofree char *mixed = parse_error("l.0=a,l.x=c", NULL);

    g_assert_nonnull(l);
    g_assert_cmpuint(qlist_size(l), ==, 2);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, qlist_peek(l))), ==,
                    "a");
    g_assert_nonnull(m);
    g_assert_nonnull(qobject_to(QDict, qlist_peek(m)));
    g_assert_cmpstr(gap, ==, "Parameter 'l.1' missing");
    g_assert_cmpstr(mixed, ==, "Parameters 'l.*' used inconsistently");
}

static void test_implied_key(void)
{
    g_autoptr(QDict) d = keyval_parse("iothread,id=io0,poll-max-ns=0",
                                      "qom-type", NULL, &error_abort);
    g_autoptr(QDict) e = keyval_parse("id=io0,iothread", "qom-type", NULL,
                                      NULL);

    g_assert_cmpstr(qdict_get_str(d, "qom-type"), ==, "iothread");
    g_assert_cmpstr(qdict_get_str(d, "id"), ==, "io0");
    g_assert_cmpstr(qdict_get_str(d, "poll-max-ns"), ==, "0");
    /* Only the first element may omit its key. */
    g_assert_null(e);
}

static void test_missing_equals_without_implied_key(void)
{
    g_autofree char *msg = parse_error("iothread,id=x", NULL);
    g_autofree char *later = parse_error("iothread,foo", "qom-type");

    g_assert_cmpstr(msg, ==, "Expected '=' after parameter 'iothread'");
    g_assert_cmpstr(later, ==, "Expected '=' after parameter 'foo'");
}

static void test_repeated_key_last_wins(void)
{
    /* QEMU's rule: the same leaf given twice keeps the last value. */
    g_autoptr(QDict) d = keyval_parse("a=1,b=2,a=3", NULL, NULL,
                                      &error_abort);

    g_assert_cmpuint(qdict_size(d), ==, 2);
    g_assert_cmpstr(qdict_get_str(d, "a"), ==, "3");
}

static void test_key_used_as_leaf_and_dict_is_an_error(void)
{
    g_autofree char *leaf_first = parse_error("a=1,a.b=2", NULL);
    g_autofree char *dict_first = parse_error("a.b=1,a=2", NULL);

    g_assert_cmpstr(leaf_first, ==, "Parameters 'a.*' used inconsistently");
    g_assert_cmpstr(dict_first, ==, "Parameters 'a.*' used inconsistently");
}

static void test_invalid_keys(void)
{
    static const char *const bad[] = {
        "=x", "a..b=1", ".a=1", "a.=1", "1a=2", "a b=1", "0=x",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *msg = parse_error(bad[i], NULL);
        g_autofree char *want = g_strdup_printf("Invalid parameter '%.*s'",
                                                (int)strcspn(bad[i], "="),
                                                bad[i]);
        g_assert_cmpstr(msg, ==, want);
    }
}

static void test_overlong_key_fragment(void)
{
    g_autofree char *key = g_strnfill(128, 'k');
    g_autofree char *params = g_strdup_printf("%s=1", key);
    g_autofree char *nested = g_strdup_printf("a.%s=1", key);
    g_autofree char *msg = parse_error(params, NULL);
    g_autofree char *msg2 = parse_error(nested, NULL);
    g_autofree char *want = g_strdup_printf("Parameter '%s' is too long", key);
    g_autofree char *want2 = g_strdup_printf("Parameter fragment '%s' is too "
                                             "long", key);

    g_assert_cmpstr(msg, ==, want);
    g_assert_cmpstr(msg2, ==, want2);
}

static void test_help_alone_and_after_type(void)
{
    bool help = true;
    g_autoptr(QDict) plain = keyval_parse("iothread,id=x", "qom-type", &help,
                                          &error_abort);
    g_autoptr(QDict) alone = NULL;
    g_autoptr(QDict) typed = NULL;
    g_autoptr(QDict) question = NULL;

    g_assert_false(help);

    /* "-object help": help, not qom-type=help. */
    alone = keyval_parse("help", "qom-type", &help, &error_abort);
    g_assert_true(help);
    g_assert_false(qdict_haskey(alone, "qom-type"));

    /* "-object iothread,help": the type whose properties to list. */
    typed = keyval_parse("iothread,help", "qom-type", &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpstr(qdict_get_str(typed, "qom-type"), ==, "iothread");

    question = keyval_parse("a=1,?", NULL, &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpuint(qdict_size(question), ==, 1);
}

static void test_help_refused_when_not_wanted(void)
{
    Error *err = NULL;

    g_assert_null(keyval_parse("help", NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Help is not available for this option");
    error_free(err);
}

static void test_parse_into_merges(void)
{
    g_autoptr(QDict) d = qdict_new();

    g_assert_true(keyval_parse_into(d, "none,accel=tcg", "type", NULL,
                                    &error_abort) == d);
    g_assert_true(keyval_parse_into(d, "virt", "type", NULL,
                                    &error_abort) == d);
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "virt");
    g_assert_cmpstr(qdict_get_str(d, "accel"), ==, "tcg");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/empty-string-gives-empty-dict",
                    test_empty_string_gives_empty_dict);
    g_test_add_func("/keyval/flat-keys-and-escaped-comma",
                    test_flat_keys_and_escaped_comma);
    g_test_add_func("/keyval/dotted-keys-nest", test_dotted_keys_nest);
    g_test_add_func("/keyval/numeric-keys-make-lists",
                    test_numeric_keys_make_lists);
    g_test_add_func("/keyval/implied-key", test_implied_key);
    g_test_add_func("/keyval/missing-equals",
                    test_missing_equals_without_implied_key);
    g_test_add_func("/keyval/duplicate/last-value-wins",
                    test_repeated_key_last_wins);
    g_test_add_func("/keyval/duplicate/leaf-and-dict-is-an-error",
                    test_key_used_as_leaf_and_dict_is_an_error);
    g_test_add_func("/keyval/invalid-keys", test_invalid_keys);
    g_test_add_func("/keyval/overlong-key-fragment",
                    test_overlong_key_fragment);
    g_test_add_func("/keyval/help/alone-and-after-type",
                    test_help_alone_and_after_type);
    g_test_add_func("/keyval/help/refused-when-not-wanted",
                    test_help_refused_when_not_wanted);
    g_test_add_func("/keyval/parse-into-merges", test_parse_into_merges);
    return g_test_run();
}
