/*
 * QObject types: reference counting, checked casts, QNum conversions,
 * QString, QDict and QList operations, deep equality.
 */
#include "qcore/osdep.h"
#include <math.h>
#include "qcore/qobject.h"

static void test_ref_returns_argument_and_unref_frees_at_zero(void)
{
    QString *s = qstring_from_str("x");
    QString *r = qobject_ref(s);

    g_assert_true(r == s);
    g_assert_cmpuint(s->base.refcnt, ==, 2);
    qobject_unref(s);
    g_assert_cmpuint(s->base.refcnt, ==, 1);
    qobject_unref(r);                   /* freed; ASan checks it */
    qobject_unref((QObject *)NULL);     /* NULL-safe */
}

static void test_qobject_to_returns_null_on_type_mismatch(void)
{
    g_autoptr(QObject) obj = QOBJECT(qdict_new());

    g_assert_nonnull(qobject_to(QDict, obj));
    g_assert_null(qobject_to(QList, obj));
    g_assert_null(qobject_to(QString, obj));
    g_assert_null(qobject_to(QDict, (QObject *)NULL));
    g_assert_cmpint(qobject_type(obj), ==, QTYPE_QDICT);
    g_assert_cmpstr(qtype_name(qobject_type(obj)), ==, "object");
}

static void test_qnull_is_a_singleton(void)
{
    size_t before = qnull_.base.refcnt;
    QNull *a = qnull();
    QNull *b = qnull();

    /* QEMU's exported singleton: qnull() is a new reference to qnull_. */
    g_assert_true(a == &qnull_);
    g_assert_true(a == b);
    g_assert_cmpuint(qnull_.base.refcnt, ==, before + 2);
    g_assert_cmpint(qobject_type(QOBJECT(a)), ==, QTYPE_QNULL);
    g_assert_true(qobject_is_equal(QOBJECT(a), QOBJECT(b)));
    qobject_unref(a);
    qobject_unref(b);
}

static void test_autoptr_releases_every_type(void)
{
    g_autoptr(QNum) n = qnum_from_int(1);
    g_autoptr(QBool) b = qbool_from_bool(true);
    g_autoptr(QString) s = qstring_from_str("s");
    g_autoptr(QDict) d = qdict_new();
    g_autoptr(QList) l = qlist_new();
    g_autoptr(QNull) z = qnull();

    g_assert_true(qbool_get_bool(b));
    qdict_put(d, "list", qobject_ref(l));
    qlist_append(l, qobject_ref(s));
    g_assert_nonnull(n);
    g_assert_nonnull(z);
}

static void test_qnum_int_conversions(void)
{
    g_autoptr(QNum) neg = qnum_from_int(-5);
    g_autoptr(QNum) big = qnum_from_uint(UINT64_MAX);
    g_autoptr(QNum) small_uint = qnum_from_uint(42);
    g_autoptr(QNum) dbl = qnum_from_double(1.5);
    int64_t i;
    uint64_t u;

    g_assert_true(qnum_get_try_int(neg, &i));
    g_assert_cmpint(i, ==, -5);
    g_assert_false(qnum_get_try_uint(neg, &u));

    g_assert_false(qnum_get_try_int(big, &i));
    g_assert_true(qnum_get_try_uint(big, &u));
    g_assert_cmpuint(u, ==, UINT64_MAX);

    g_assert_cmpint(qnum_get_int(small_uint), ==, 42);
    g_assert_cmpuint(qnum_get_uint(small_uint), ==, 42);

    g_assert_false(qnum_get_try_int(dbl, &i));
    g_assert_false(qnum_get_try_uint(dbl, &u));
    g_assert_cmpfloat(qnum_get_double(dbl), ==, 1.5);
    g_assert_cmpfloat(qnum_get_double(neg), ==, -5.0);
}

static void test_qnum_to_string(void)
{
    /* QEMU's %.17g: every digit a double holds, not the shortest form. */
    static const struct {
        double d;
        const char *text;
    } doubles[] = {
        { 0.42, "0.41999999999999998" },
        { 2.718281828459045, "2.7182818284590451" },
        { 0.1, "0.10000000000000001" },
        { -2.5, "-2.5" },
        { 1.0, "1" },
        { 0.0, "0" },
        { 1e300, "1.0000000000000001e+300" },
        { 1.0 / 3, "0.33333333333333331" },
        { DBL_MAX, "1.7976931348623157e+308" },
    };
    g_autoptr(QNum) i = qnum_from_int(INT64_MIN);
    g_autoptr(QNum) u = qnum_from_uint(UINT64_MAX);
    g_autoptr(QNum) inf = qnum_from_double(-INFINITY);
    g_autofree char *is = qnum_to_string(i);
    g_autofree char *us = qnum_to_string(u);
    g_autofree char *infs = qnum_to_string(inf);

    g_assert_cmpstr(is, ==, "-9223372036854775808");
    g_assert_cmpstr(us, ==, "18446744073709551615");
    g_assert_cmpstr(infs, ==, "-inf");
    for (size_t k = 0; k < G_N_ELEMENTS(doubles); k++) {
        g_autoptr(QNum) d = qnum_from_double(doubles[k].d);
        g_autofree char *ds = qnum_to_string(d);

        g_assert_cmpstr(ds, ==, doubles[k].text);
        /* 17 significant digits always read back to the same double. */
        g_assert_cmpfloat(g_ascii_strtod(ds, NULL), ==, doubles[k].d);
    }
}

static void test_qstring_build_and_substr(void)
{
    g_autoptr(QString) s = qstring_new();
    g_autoptr(QString) sub = qstring_from_substr("hello world", 6, 11);

    g_assert_cmpstr(qstring_get_str(s), ==, "");
    qstring_append(s, "abc");
    qstring_append_chr(s, '-');
    qstring_append_int(s, -42);
    g_assert_cmpstr(qstring_get_str(s), ==, "abc--42");
    g_assert_cmpuint(qstring_get_length(s), ==, 7);
    g_assert_cmpstr(qstring_get_str(sub), ==, "world");
}

static void test_qdict_put_get_and_typed_getters(void)
{
    g_autoptr(QDict) d = qdict_new();
    QList *l = qlist_new();

    qdict_put_int(d, "int", -7);
    qdict_put_bool(d, "bool", true);
    qdict_put_str(d, "str", "value");
    qdict_put_null(d, "null");
    qdict_put(d, "dict", qdict_new());
    qdict_put(d, "list", l);

    g_assert_cmpuint(qdict_size(d), ==, 6);
    g_assert_cmpint(qdict_get_int(d, "int"), ==, -7);
    g_assert_true(qdict_get_bool(d, "bool"));
    g_assert_cmpstr(qdict_get_str(d, "str"), ==, "value");
    g_assert_nonnull(qobject_to(QNull, qdict_get(d, "null")));
    g_assert_nonnull(qdict_get_qdict(d, "dict"));
    g_assert_true(qdict_get_qlist(d, "list") == l);
    g_assert_null(qdict_get_qlist(d, "dict"));
    g_assert_null(qdict_get(d, "missing"));
    g_assert_true(qdict_haskey(d, "null"));
    g_assert_false(qdict_haskey(d, "missing"));

    g_assert_cmpint(qdict_get_try_int(d, "int", 3), ==, -7);
    g_assert_cmpint(qdict_get_try_int(d, "str", 3), ==, 3);
    g_assert_cmpint(qdict_get_try_int(d, "missing", 3), ==, 3);
    g_assert_false(qdict_get_try_bool(d, "missing", false));
    g_assert_true(qdict_get_try_bool(d, "bool", false));
    g_assert_cmpstr(qdict_get_try_str(d, "str"), ==, "value");
    g_assert_null(qdict_get_try_str(d, "int"));
}

static void test_qdict_replace_keeps_position_and_releases_old_value(void)
{
    g_autoptr(QDict) d = qdict_new();
    QString *old = qstring_from_str("old");
    const QDictEntry *e;

    qdict_put(d, "a", qobject_ref(old));
    qdict_put_int(d, "b", 2);
    qdict_put_str(d, "a", "new");
    g_assert_cmpuint(old->base.refcnt, ==, 1);
    qobject_unref(old);

    g_assert_cmpuint(qdict_size(d), ==, 2);
    e = qdict_first(d);
    g_assert_cmpstr(qdict_entry_key(e), ==, "a");
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, qdict_entry_value(e))),
                    ==, "new");
}

static void test_qdict_iterates_in_insertion_order(void)
{
    static const char *const keys[] = { "zeta", "alpha", "mid", "beta" };
    g_autoptr(QDict) d = qdict_new();
    const QDictEntry *e;
    size_t i = 0;

    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        qdict_put_int(d, keys[k], k);
    }
    for (e = qdict_first(d); e; e = qdict_next(d, e), i++) {
        g_assert_cmpstr(qdict_entry_key(e), ==, keys[i]);
        g_assert_cmpint(qnum_get_int(qobject_to(QNum, qdict_entry_value(e))),
                        ==, i);
    }
    g_assert_cmpuint(i, ==, G_N_ELEMENTS(keys));
}

static void test_qdict_del_while_iterating(void)
{
    g_autoptr(QDict) d = qdict_new();
    const QDictEntry *e, *next;

    for (int i = 0; i < 10; i++) {
        g_autofree char *key = g_strdup_printf("k%d", i);

        qdict_put_int(d, key, i);
    }
    for (e = qdict_first(d); e; e = next) {
        next = qdict_next(d, e);
        if (qnum_get_int(qobject_to(QNum, qdict_entry_value(e))) % 2) {
            qdict_del(d, qdict_entry_key(e));
        }
    }
    g_assert_cmpuint(qdict_size(d), ==, 5);
    g_assert_true(qdict_haskey(d, "k4"));
    g_assert_false(qdict_haskey(d, "k5"));
    qdict_del(d, "not-there");
    g_assert_cmpuint(qdict_size(d), ==, 5);
}

static void test_qdict_clone_shallow_shares_values(void)
{
    g_autoptr(QDict) d = qdict_new();
    g_autoptr(QDict) c = NULL;
    QList *l = qlist_new();

    qdict_put(d, "l", l);
    qdict_put_int(d, "i", 1);
    c = qdict_clone_shallow(d);
    g_assert_true(qdict_get_qlist(c, "l") == l);
    g_assert_cmpuint(l->base.refcnt, ==, 2);
    qdict_del(c, "i");
    g_assert_true(qdict_haskey(d, "i"));
}

static void test_qlist_append_pop_peek(void)
{
    g_autoptr(QList) l = qlist_new();
    QObject *obj;
    QListEntry *e;
    int n = 0;

    g_assert_true(qlist_empty(l));
    g_assert_null(qlist_peek(l));
    g_assert_null(qlist_pop(l));
    qlist_append_int(l, 1);
    qlist_append_str(l, "two");
    qlist_append_bool(l, false);
    qlist_append_null(l);
    qlist_append(l, qdict_new());
    g_assert_cmpuint(qlist_size(l), ==, 5);

    QLIST_FOREACH_ENTRY(l, e) {
        g_assert_nonnull(qlist_entry_obj(e));
        n++;
    }
    g_assert_cmpint(n, ==, 5);

    g_assert_cmpint(qnum_get_int(qobject_to(QNum, qlist_peek(l))), ==, 1);
    obj = qlist_pop(l);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, obj)), ==, 1);
    qobject_unref(obj);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, qlist_peek(l))),
                    ==, "two");
    g_assert_cmpuint(qlist_size(l), ==, 4);
    g_assert_false(qlist_empty(l));
}

static void test_is_equal_numbers_follow_qemu_rules(void)
{
    g_autoptr(QNum) i5 = qnum_from_int(5);
    g_autoptr(QNum) u5 = qnum_from_uint(5);
    g_autoptr(QNum) d5 = qnum_from_double(5.0);
    g_autoptr(QNum) d5b = qnum_from_double(5.0);
    g_autoptr(QNum) im1 = qnum_from_int(-1);
    g_autoptr(QNum) umax = qnum_from_uint(UINT64_MAX);
    g_autoptr(QNum) umax2 = qnum_from_uint(UINT64_MAX);

    g_assert_true(qobject_is_equal(QOBJECT(i5), QOBJECT(u5)));
    g_assert_true(qobject_is_equal(QOBJECT(u5), QOBJECT(i5)));
    g_assert_false(qobject_is_equal(QOBJECT(i5), QOBJECT(d5)));
    g_assert_false(qobject_is_equal(QOBJECT(d5), QOBJECT(u5)));
    g_assert_true(qobject_is_equal(QOBJECT(d5), QOBJECT(d5b)));
    g_assert_false(qobject_is_equal(QOBJECT(im1), QOBJECT(umax)));
    g_assert_false(qobject_is_equal(QOBJECT(umax), QOBJECT(im1)));
    g_assert_true(qobject_is_equal(QOBJECT(umax), QOBJECT(umax2)));
}

static void test_is_equal_nan_is_not_equal_to_itself(void)
{
    g_autoptr(QNum) nan = qnum_from_double(NAN);
    g_autoptr(QNum) nan2 = qnum_from_double(NAN);
    g_autoptr(QList) l = qlist_new();
    g_autoptr(QDict) d = qdict_new();
    g_autoptr(QNull) null = qnull();

    /* As in QEMU: NaN equals nothing, not even the same QNum. */
    g_assert_false(qobject_is_equal(QOBJECT(nan), QOBJECT(nan)));
    g_assert_false(qobject_is_equal(QOBJECT(nan), QOBJECT(nan2)));

    /* ... and so neither does a container holding one. */
    qlist_append_int(l, 1);
    qlist_append(l, qobject_ref(nan));
    qdict_put(d, "l", qobject_ref(l));
    g_assert_false(qobject_is_equal(QOBJECT(l), QOBJECT(l)));
    g_assert_false(qobject_is_equal(QOBJECT(d), QOBJECT(d)));

    /* Everything else still equals itself, the one null included. */
    g_assert_true(qobject_is_equal(QOBJECT(null), QOBJECT(null)));
    g_assert_true(qobject_is_equal(QOBJECT(qlist_peek(l)),
                                   QOBJECT(qlist_peek(l))));
}

static void test_qlist_copy_is_shallow(void)
{
    g_autoptr(QList) src = qlist_new();
    g_autoptr(QList) copy = NULL;
    QDict *inner = qdict_new();
    size_t refs;

    qlist_append_int(src, 1);
    qlist_append_str(src, "two");
    qlist_append(src, inner);
    refs = inner->base.refcnt;

    copy = qlist_copy(src);
    g_assert_true(copy != src);
    g_assert_true(qobject_is_equal(QOBJECT(src), QOBJECT(copy)));
    /* The same elements, each with one more reference... */
    g_assert_cmpuint(inner->base.refcnt, ==, refs + 1);
    /* ... but the lists themselves are independent. */
    qlist_append_null(copy);
    g_assert_cmpuint(qlist_size(src), ==, 3);
    g_assert_cmpuint(qlist_size(copy), ==, 4);
    qobject_unref(qlist_pop(src));
    g_assert_cmpuint(qlist_size(copy), ==, 4);
}

static void test_is_equal_deep_containers(void)
{
    g_autoptr(QDict) a = qdict_new();
    g_autoptr(QDict) b = qdict_new();
    QList *la = qlist_new();
    QList *lb = qlist_new();

    qlist_append_int(la, 1);
    qlist_append_str(la, "x");
    qlist_append_int(lb, 1);
    qlist_append_str(lb, "x");
    /* Key order does not matter; list order does. */
    qdict_put(a, "list", la);
    qdict_put_bool(a, "flag", true);
    qdict_put_bool(b, "flag", true);
    qdict_put(b, "list", lb);
    g_assert_true(qobject_is_equal(QOBJECT(a), QOBJECT(b)));

    qlist_append_null(lb);
    g_assert_false(qobject_is_equal(QOBJECT(a), QOBJECT(b)));
    qlist_append_null(la);
    g_assert_true(qobject_is_equal(QOBJECT(a), QOBJECT(b)));
    qdict_put_str(b, "flag", "true");
    g_assert_false(qobject_is_equal(QOBJECT(a), QOBJECT(b)));

    g_assert_true(qobject_is_equal(NULL, NULL));
    g_assert_false(qobject_is_equal(QOBJECT(a), NULL));
}

static void test_is_equal_strings_and_bools(void)
{
    g_autoptr(QString) s1 = qstring_from_str("abc");
    g_autoptr(QString) s2 = qstring_from_str("abc");
    g_autoptr(QString) s3 = qstring_from_str("abd");
    g_autoptr(QBool) t = qbool_from_bool(true);
    g_autoptr(QBool) f = qbool_from_bool(false);

    g_assert_true(qobject_is_equal(QOBJECT(s1), QOBJECT(s2)));
    g_assert_false(qobject_is_equal(QOBJECT(s1), QOBJECT(s3)));
    g_assert_false(qobject_is_equal(QOBJECT(t), QOBJECT(f)));
    g_assert_false(qobject_is_equal(QOBJECT(s1), QOBJECT(t)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qobject/ref/returns-argument-unref-frees-at-zero",
                    test_ref_returns_argument_and_unref_frees_at_zero);
    g_test_add_func("/qobject/to/null-on-type-mismatch",
                    test_qobject_to_returns_null_on_type_mismatch);
    g_test_add_func("/qobject/qnull/singleton", test_qnull_is_a_singleton);
    g_test_add_func("/qobject/autoptr/releases-every-type",
                    test_autoptr_releases_every_type);
    g_test_add_func("/qobject/qnum/int-conversions",
                    test_qnum_int_conversions);
    g_test_add_func("/qobject/qnum/to-string", test_qnum_to_string);
    g_test_add_func("/qobject/qstring/build-and-substr",
                    test_qstring_build_and_substr);
    g_test_add_func("/qobject/qdict/put-get-typed-getters",
                    test_qdict_put_get_and_typed_getters);
    g_test_add_func("/qobject/qdict/replace-keeps-position",
                    test_qdict_replace_keeps_position_and_releases_old_value);
    g_test_add_func("/qobject/qdict/iterates-in-insertion-order",
                    test_qdict_iterates_in_insertion_order);
    g_test_add_func("/qobject/qdict/del-while-iterating",
                    test_qdict_del_while_iterating);
    g_test_add_func("/qobject/qdict/clone-shallow-shares-values",
                    test_qdict_clone_shallow_shares_values);
    g_test_add_func("/qobject/qlist/append-pop-peek",
                    test_qlist_append_pop_peek);
    g_test_add_func("/qobject/is-equal/numbers-follow-qemu-rules",
                    test_is_equal_numbers_follow_qemu_rules);
    g_test_add_func("/qobject/is-equal/nan-is-not-equal-to-itself",
                    test_is_equal_nan_is_not_equal_to_itself);
    g_test_add_func("/qobject/qlist/copy-is-shallow",
                    test_qlist_copy_is_shallow);
    g_test_add_func("/qobject/is-equal/deep-containers",
                    test_is_equal_deep_containers);
    g_test_add_func("/qobject/is-equal/strings-and-bools",
                    test_is_equal_strings_and_bools);
    return g_test_run();
}
