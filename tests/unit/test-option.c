/*
 * QemuOpts: parsing "key=value,..." into option groups, typed values and
 * their errors, ids, merged groups, help, QDict conversion, the error
 * locations that make reports name the command-line option, and the
 * command-line walk built on them.  (Over 800 lines: one test per
 * behaviour, kept with the option code they specify.)
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/option.h"
#include "qcore/qobject.h"
#include "qcore/vl.h"

/* A described group, like QEMU's test-qemu-opts lists. */
static QemuOptsList opts_typed = {
    .name = "typed",
    .implied_opt_name = "backend",
    .head = QTAILQ_HEAD_INITIALIZER(opts_typed.head),
    .desc = {
        { .name = "backend", .type = QEMU_OPT_STRING, .help = "the kind" },
        { .name = "path", .type = QEMU_OPT_STRING },
        { .name = "server", .type = QEMU_OPT_BOOL, .help = "listen" },
        { .name = "count", .type = QEMU_OPT_NUMBER },
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "dflt", .type = QEMU_OPT_NUMBER, .def_value_str = "42" },
        { NULL }
    },
};

/* An accept-any group, like QEMU's -chardev list before validation. */
static QemuOptsList opts_any = {
    .name = "chardev",
    .implied_opt_name = "backend",
    .allow_flag_options = true,
    .head = QTAILQ_HEAD_INITIALIZER(opts_any.head),
    .desc = { { NULL } },
};

/* A merged group, like -name. */
static QemuOptsList opts_merged = {
    .name = "name",
    .implied_opt_name = "guest",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(opts_merged.head),
    .desc = {
        { .name = "guest", .type = QEMU_OPT_STRING },
        { .name = "debug-threads", .type = QEMU_OPT_BOOL },
        { NULL }
    },
};

static void reset_all(void)
{
    qemu_opts_reset(&opts_typed);
    qemu_opts_reset(&opts_any);
    qemu_opts_reset(&opts_merged);
}

/* Parse @params into opts_typed and return the error message (g_free). */
static char *typed_error(const char *params)
{
    Error *err = NULL;
    char *msg;

    g_assert_null(qemu_opts_parse(&opts_typed, params, true, &err));
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    /* A failed parse leaves nothing behind. */
    g_assert_true(QTAILQ_EMPTY(&opts_typed.head));
    return msg;
}

static void test_first_bare_word_is_implied_key(void)
{
    QemuOpts *opts;

    reset_all();
    opts = qemu_opts_parse(&opts_typed, "socket,id=c0,path=/tmp/s", true,
                           &error_abort);
    g_assert_cmpstr(qemu_opt_get(opts, "backend"), ==, "socket");
    g_assert_cmpstr(qemu_opts_id(opts), ==, "c0");
    g_assert_cmpstr(qemu_opt_get(opts, "path"), ==, "/tmp/s");
    /* id is the QemuOpts' name, not an option. */
    g_assert_null(qemu_opt_find(opts, "id"));
    /* Without permit_abbrev the same word is a flag: unknown here. */
    Error *err = NULL;
    g_assert_null(qemu_opts_parse(&opts_typed, "socket,id=c1", false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'socket'");
    error_free(err);
    g_assert_null(qemu_opts_find(&opts_typed, "c1"));
    reset_all();
}

static void test_implied_key_only_applies_to_first_element(void)
{
    QemuOpts *opts;

    reset_all();
    opts = qemu_opts_parse(&opts_any, "path=x,socket", true, &error_abort);
    g_assert_null(qemu_opt_get(opts, "backend"));
    g_assert_cmpstr(qemu_opt_get(opts, "socket"), ==, "on");
    reset_all();
}

static void test_double_comma_escapes_comma(void)
{
    QemuOpts *opts;
    char *value;
    const char *rest;

    reset_all();
    opts = qemu_opts_parse(&opts_typed, "file,path=a,,b,,,,c,id=x", true,
                           &error_abort);
    g_assert_cmpstr(qemu_opt_get(opts, "path"), ==, "a,b,,c");
    g_assert_cmpstr(qemu_opts_id(opts), ==, "x");

    rest = get_opt_value("one,,two,three", &value);
    g_assert_cmpstr(value, ==, "one,two");
    g_assert_cmpstr(rest, ==, ",three");
    g_free(value);
    reset_all();
}

static void test_short_form_booleans(void)
{
    QemuOpts *opts;

    reset_all();
    opts = qemu_opts_parse(&opts_any, "socket,server,nowait", true,
                           &error_abort);
    g_assert_cmpstr(qemu_opt_get(opts, "server"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(opts, "wait"), ==, "off");
    g_assert_true(qemu_opt_get_bool(opts, "server", false));
    g_assert_false(qemu_opt_get_bool(opts, "wait", true));
    reset_all();
}

static void test_short_form_boolean_warns_when_not_allowed(void)
{
    if (g_test_subprocess()) {
        QemuOpts *opts = qemu_opts_parse_noisily(&opts_typed, "x,server",
                                                 true);
        g_assert_true(qemu_opt_get_bool(opts, "server", false));
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "qcore: warning: short-form boolean option 'server' deprecated\n"
        "Please use server=on instead\n");
}

static void test_bool_spellings(void)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    size_t i;
    bool b;

    for (i = 0; i < G_N_ELEMENTS(yes); i++) {
        b = false;
        g_assert_true(qapi_bool_parse("p", yes[i], &b, &error_abort));
        g_assert_true(b);
        g_assert_true(qapi_bool_parse("p", no[i], &b, &error_abort));
        g_assert_false(b);
    }
}

static void test_bool_error_names_parameter(void)
{
    g_autofree char *msg = NULL;
    QemuOpts *opts;

    reset_all();
    msg = typed_error("x,server=maybe");
    g_assert_cmpstr(msg, ==, "Parameter 'server' expects 'on' or 'off'");

    opts = qemu_opts_parse(&opts_typed, "x,server=yes", true, &error_abort);
    g_assert_true(qemu_opt_get_bool(opts, "server", false));
    g_assert_true(qemu_opt_get_bool(opts, "absent", true));
    reset_all();
}

static void test_numbers(void)
{
    QemuOpts *opts;
    g_autofree char *bad = NULL, *big = NULL, *neg = NULL;

    reset_all();
    opts = qemu_opts_parse(&opts_typed, "x,count=0x10", true, &error_abort);
    g_assert_cmpuint(qemu_opt_get_number(opts, "count", 0), ==, 16);
    /* Unset: the desc default, else the caller's. */
    g_assert_cmpuint(qemu_opt_get_number(opts, "dflt", 7), ==, 42);
    g_assert_cmpstr(qemu_opt_get(opts, "dflt"), ==, "42");
    g_assert_cmpuint(qemu_opt_get_number(opts, "nothere", 7), ==, 7);
    qemu_opts_del(opts);

    bad = typed_error("x,count=12abc");
    g_assert_cmpstr(bad, ==, "Parameter 'count' expects a number");
    neg = typed_error("x,count=-1");
    g_assert_cmpstr(neg, ==, "Parameter 'count' expects a number");
    big = typed_error("x,count=99999999999999999999");
    g_assert_cmpstr(big, ==,
                    "Value '99999999999999999999' is too large for "
                    "parameter 'count'");
    reset_all();
}

static void test_sizes_and_suffixes(void)
{
    static const struct {
        const char *str;
        uint64_t value;
    } ok[] = {
        { "0", 0 }, { "4096", 4096 }, { "512B", 512 }, { "64k", 64 << 10 },
        { "64K", 64 << 10 }, { "2M", 2 << 20 }, { "1G", 1ULL << 30 },
        { "1.5G", 3ULL << 29 }, { "2T", 2ULL << 40 }, { "1P", 1ULL << 50 },
        { "15E", 15ULL << 60 }, { "0x1000", 4096 },
    };
    static const char *const bad[] = {
        "", "x", "1Q", "1.5", "-1", "1kk", " 1", "1.G",
    };
    size_t i;
    uint64_t v;

    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_assert_true(parse_option_size("size", ok[i].str, &v, &error_abort));
        g_assert_cmpuint(v, ==, ok[i].value);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        Error *err = NULL;

        g_assert_false(parse_option_size("size", bad[i], &v, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'size' expects a non-negative number "
                        "below 2^64");
        error_free(err);
    }
}

static void test_size_out_of_range(void)
{
    Error *err = NULL;
    uint64_t v;

    g_assert_false(parse_option_size("size", "16E", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Value '16E' is out of range for parameter 'size'");
    error_free(err);
}

static void test_size_error_has_suffix_hint(void)
{
    if (g_test_subprocess()) {
        qemu_opts_parse_noisily(&opts_typed, "x,size=lots", true);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "qcore: Parameter 'size' expects a non-negative number below 2^64\n"
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, "
        "tera-, peta-\nand exabytes, respectively.\n");
}

static void test_unknown_parameter(void)
{
    g_autofree char *msg = NULL;

    reset_all();
    msg = typed_error("x,foo=bar");
    g_assert_cmpstr(msg, ==, "Invalid parameter 'foo'");
    /* qemu_opt_set checks the same way. */
    {
        QemuOpts *opts = qemu_opts_create(&opts_typed, NULL, 0,
                                          &error_abort);
        Error *err = NULL;

        g_assert_false(qemu_opt_set(opts, "foo", "1", &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'foo'");
        error_free(err);
        g_assert_false(qemu_opt_set(opts, "count", "z", NULL));
        g_assert_null(qemu_opt_find(opts, "count"));
        g_assert_true(qemu_opt_set(opts, "count", "3", &error_abort));
        g_assert_cmpuint(qemu_opt_get_number(opts, "count", 0), ==, 3);
        g_assert_true(qemu_opt_set_bool(opts, "server", true, &error_abort));
        g_assert_cmpstr(qemu_opt_get(opts, "server"), ==, "on");
    }
    reset_all();
}

static void test_id_must_be_identifier(void)
{
    static const char *const bad[] = { "1abc", "a b", "-x", "a/b", "" };
    static const char *const good[] = { "a", "c0", "my-dev.1_x", "Z9" };
    size_t i;

    reset_all();
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        Error *err = NULL;

        g_assert_null(qemu_opts_create(&opts_typed, bad[i], 1, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'id' expects an identifier");
        error_free(err);
    }
    for (i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_nonnull(qemu_opts_create(&opts_typed, good[i], 1,
                                          &error_abort));
    }
    reset_all();
}

static void test_duplicate_id(void)
{
    Error *err = NULL;
    QemuOpts *first;

    reset_all();
    first = qemu_opts_parse(&opts_any, "socket,id=x", true, &error_abort);
    g_assert_null(qemu_opts_parse(&opts_any, "null,id=x", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Duplicate ID 'x' for chardev");
    error_free(err);
    /* The first one is untouched. */
    g_assert_true(qemu_opts_find(&opts_any, "x") == first);
    g_assert_cmpstr(qemu_opt_get(first, "backend"), ==, "socket");
    /* Without fail_if_exists the existing one is returned. */
    g_assert_true(qemu_opts_create(&opts_any, "x", 0, &error_abort) == first);
    reset_all();
}

static void test_merge_lists_last_value_wins(void)
{
    QemuOpts *a, *b;
    Error *err = NULL;

    reset_all();
    a = qemu_opts_parse(&opts_merged, "first", true, &error_abort);
    b = qemu_opts_parse(&opts_merged, "debug-threads=on", true, &error_abort);
    g_assert_true(a == b);
    g_assert_cmpstr(qemu_opt_get(a, "guest"), ==, "first");
    qemu_opts_parse(&opts_merged, "second", true, &error_abort);
    g_assert_cmpstr(qemu_opt_get(a, "guest"), ==, "second");
    g_assert_true(qemu_opt_get_bool(a, "debug-threads", false));

    /* A merged group has no ids. */
    g_assert_null(qemu_opts_parse(&opts_merged, "x,id=y", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'id'");
    error_free(err);

    /* A failed parse takes back only its own options. */
    g_assert_null(qemu_opts_parse(&opts_merged, "third,bogus=1", true, NULL));
    g_assert_cmpstr(qemu_opt_get(a, "guest"), ==, "second");
    g_assert_true(QTAILQ_FIRST(&opts_merged.head) == a);
    reset_all();
}

static void test_help_detection(void)
{
    g_assert_true(is_help_option("help"));
    g_assert_true(is_help_option("?"));
    g_assert_false(is_help_option("helpme"));
    g_assert_true(has_help_option("help"));
    g_assert_true(has_help_option("socket,help"));
    g_assert_true(has_help_option("a=1,?"));
    g_assert_false(has_help_option("path=help"));
    g_assert_false(has_help_option("socket,id=x"));
}

static void test_help_in_accept_any_group_is_a_key(void)
{
    QemuOpts *opts;

    reset_all();
    /* "-chardev help": the chardev layer answers, seeing backend=help. */
    opts = qemu_opts_parse_noisily(&opts_any, "help", true);
    g_assert_cmpstr(qemu_opt_get(opts, "backend"), ==, "help");
    opts = qemu_opts_parse_noisily(&opts_any, "socket,id=s,help", true);
    g_assert_true(qemu_opt_has_help_opt(opts));
    reset_all();
}

static void test_help_prints_descriptions(void)
{
    if (g_test_subprocess()) {
        g_assert_null(qemu_opts_parse_noisily(&opts_typed, "x,help", true));
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout(
        "typed options:\n"
        "  backend=<str>          - the kind\n"
        "  count=<num>\n"
        "  dflt=<num>\n"
        "  path=<str>\n"
        "  server=<bool (on/off)> - listen\n"
        "  size=<size>\n");
    g_test_trap_assert_stderr("");
}

static void test_qdict_round_trip(void)
{
    g_autoptr(QDict) dict = NULL;
    g_autoptr(QDict) again = NULL;
    QemuOpts *opts, *copy;

    reset_all();
    opts = qemu_opts_parse(&opts_typed,
                           "socket,id=s0,path=a,,b,count=3,server=on",
                           true, &error_abort);
    dict = qemu_opts_to_qdict(opts, NULL);
    g_assert_cmpuint(qdict_size(dict), ==, 5);
    g_assert_cmpstr(qdict_get_str(dict, "id"), ==, "s0");
    g_assert_cmpstr(qdict_get_str(dict, "backend"), ==, "socket");
    g_assert_cmpstr(qdict_get_str(dict, "path"), ==, "a,b");
    g_assert_cmpstr(qdict_get_str(dict, "count"), ==, "3");

    qemu_opts_del(opts);
    copy = qemu_opts_from_qdict(&opts_typed, dict, &error_abort);
    g_assert_cmpstr(qemu_opts_id(copy), ==, "s0");
    g_assert_cmpuint(qemu_opt_get_number(copy, "count", 0), ==, 3);
    g_assert_true(qemu_opt_get_bool(copy, "server", false));
    again = qemu_opts_to_qdict(copy, NULL);
    g_assert_true(qobject_is_equal(QOBJECT(dict), QOBJECT(again)));
    reset_all();
}

static void test_from_qdict_converts_scalars(void)
{
    g_autoptr(QDict) dict = qdict_new();
    Error *err = NULL;
    QemuOpts *opts;

    reset_all();
    qdict_put_int(dict, "count", 12);
    qdict_put_bool(dict, "server", false);
    qdict_put(dict, "nested", qdict_new());
    opts = qemu_opts_from_qdict(&opts_any, dict, &error_abort);
    g_assert_cmpstr(qemu_opt_get(opts, "count"), ==, "12");
    g_assert_cmpstr(qemu_opt_get(opts, "server"), ==, "off");
    g_assert_null(qemu_opt_get(opts, "nested"));

    qdict_put_str(dict, "bogus", "1");
    g_assert_null(qemu_opts_from_qdict(&opts_typed, dict, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'bogus'");
    error_free(err);
    g_assert_true(QTAILQ_EMPTY(&opts_typed.head));
    reset_all();
}

static int count_opt(void *opaque, const char *name, const char *value,
                     Error **errp)
{
    (*(int *)opaque)++;
    return 0;
}

static void test_opt_foreach_and_unset(void)
{
    QemuOpts *opts;
    int n = 0;

    reset_all();
    opts = qemu_opts_parse(&opts_any, "a=1,b=2,a=3", false, &error_abort);
    g_assert_cmpint(qemu_opt_foreach(opts, count_opt, &n, NULL), ==, 0);
    g_assert_cmpint(n, ==, 3);
    g_assert_cmpstr(qemu_opt_get(opts, "a"), ==, "3");
    g_assert_cmpint(qemu_opt_unset(opts, "a"), ==, 2);
    g_assert_null(qemu_opt_get(opts, "a"));
    reset_all();
}

static void test_registry(void)
{
    Error *err = NULL;

    qemu_add_opts(&opts_typed);
    qemu_add_opts(&opts_typed);
    g_assert_true(qemu_find_opts("typed") == &opts_typed);
    g_assert_null(qemu_find_opts_err("nope", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "there is no option group 'nope'");
    error_free(err);
}

static void test_registry_missing_group_exits(void)
{
    if (g_test_subprocess()) {
        qemu_find_opts("nope");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("qcore: there is no option group 'nope'\n");
}

/* ---- Error locations -------------------------------------------------- */

static void test_location_prefixes_reports(void)
{
    if (g_test_subprocess()) {
        char *argv[] = { "qcore", "-foo", "bar", "-S", NULL };
        Error *err = NULL;
        Location loc;

        loc_push_none(&loc);
        loc_set_cmdline(argv, 1, 2);
        error_report("message");
        warn_report("careful");
        loc_set_cmdline(argv, 3, 1);
        error_setg(&err, "from an Error");
        error_report_err(err);
        loc_pop(&loc);
        error_report("no location");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: -foo bar: message\n"
                              "qcore: -foo bar: warning: careful\n"
                              "qcore: -S: from an Error\n"
                              "qcore: no location\n");
}

static void test_location_in_error_report_err(void)
{
    if (g_test_subprocess()) {
        char *argv[] = { "qcore", "-name", "x,foo=1", NULL };
        Location loc;

        loc_push_none(&loc);
        loc_set_cmdline(argv, 1, 2);
        qemu_opts_parse_noisily(&opts_merged, argv[2], true);
        loc_pop(&loc);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "qcore: -name x,foo=1: Invalid parameter 'foo'\n");
}

static void test_location_push_pop_restore(void)
{
    if (g_test_subprocess()) {
        char *argv[] = { "qcore", "-a", "-b", NULL };
        Location outer, inner, saved;

        loc_push_none(&outer);
        loc_set_cmdline(argv, 1, 1);
        loc_save(&saved);
        loc_push_none(&inner);
        error_report("inner");          /* no location */
        loc_restore(&saved);
        error_report("restored");       /* -a, inside inner */
        loc_pop(&inner);
        error_report("outer");          /* -a again */
        loc_set_none();
        error_report("none");
        loc_pop(&outer);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: inner\n"
                              "qcore: -a: restored\n"
                              "qcore: -a: outer\n"
                              "qcore: none\n");
}

static int report_each(void *opaque, QemuOpts *opts, Error **errp)
{
    error_report("checking %s", qemu_opts_id(opts));
    return 0;
}

static void test_foreach_reports_where_opts_came_from(void)
{
    if (g_test_subprocess()) {
        char *argv[] = { "qcore", "-chardev", "null,id=a",
                         "-chardev", "null,id=b", NULL };
        Location loc;

        loc_push_none(&loc);
        loc_set_cmdline(argv, 1, 2);
        qemu_opts_parse_noisily(&opts_any, argv[2], true);
        loc_set_cmdline(argv, 3, 2);
        qemu_opts_parse_noisily(&opts_any, argv[4], true);
        loc_set_none();
        qemu_opts_foreach(&opts_any, report_each, NULL, &error_abort);
        error_report("after");
        loc_pop(&loc);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: -chardev null,id=a: checking a\n"
                              "qcore: -chardev null,id=b: checking b\n"
                              "qcore: after\n");
}

/* ---- The command line (system/vl-options.c) -------------------------- */

static void object_help_hook(const char *type)
{
    printf("object help for %s\n", type ? type : "all types");
}

static const QemuCmdlineHooks test_hooks = {
    .object_help = object_help_hook,
};

/* Run qemu_options_parse on a NULL-terminated argument list. */
static void parse_cmdline(QemuCmdline *cl, const char *first, ...)
{
    GPtrArray *args = g_ptr_array_new();
    const char *arg;
    va_list ap;

    g_ptr_array_add(args, "qcore");
    va_start(ap, first);
    for (arg = first; arg; arg = va_arg(ap, const char *)) {
        g_ptr_array_add(args, (char *)arg);
    }
    va_end(ap);
    g_ptr_array_add(args, NULL);
    /* argv must outlive the locations saved in option groups: leak it. */
    qemu_options_parse(args->len - 1, (char **)args->pdata, &test_hooks, cl);
}

static void test_cmdline_unknown_option_is_rejected(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "-S", "-foo", "bar", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("qcore: -foo: invalid option\n");
}

static void test_cmdline_missing_argument(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "-name", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("qcore: -name: requires an argument\n");
}

static void test_cmdline_error_names_the_option(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "-S", "-name", "demo,foo=1", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(
        "qcore: -name demo,foo=1: Invalid parameter 'foo'\n");
}

static void test_cmdline_issue_example(void)
{
    QemuCmdline cl;
    QemuCmdlineMonitor *mon;
    QemuOpts *name;
    QDict *obj;

    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, 0);
        g_test_trap_assert_passed();
        return;
    }
    /* Both -foo and --foo spellings are accepted. */
    parse_cmdline(&cl, "-M", "none", "-qmp",
                  "unix:qmp.sock,server=on,wait=off", "--monitor", "stdio",
                  "-object", "iothread,id=io0", "-name", "demo", "-S",
                  "-nodefaults", "-display", "none", "-m", "64", NULL);
    g_assert_cmpstr(qdict_get_str(cl.machine_opts_dict, "type"), ==, "none");
    g_assert_false(cl.autostart);
    g_assert_false(cl.has_defaults);
    g_assert_false(cl.default_monitor);
    g_assert_true(cl.default_serial);
    g_assert_cmpstr(cl.display_type, ==, "none");
    g_assert_cmpuint(cl.ram_size, ==, 64 << 20);
    g_assert_cmpuint(cl.monitors->len, ==, 2);
    mon = &g_array_index(cl.monitors, QemuCmdlineMonitor, 0);
    g_assert_cmpstr(mon->str, ==, "unix:qmp.sock,server=on,wait=off");
    g_assert_cmpstr(mon->mode, ==, "control");
    mon = &g_array_index(cl.monitors, QemuCmdlineMonitor, 1);
    g_assert_cmpstr(mon->mode, ==, "readline");
    g_assert_cmpuint(cl.objects->len, ==, 1);
    obj = ((QemuCmdlineObject *)g_ptr_array_index(cl.objects, 0))->args;
    g_assert_cmpstr(qdict_get_str(obj, "qom-type"), ==, "iothread");
    g_assert_cmpstr(qdict_get_str(obj, "id"), ==, "io0");
    name = qemu_opts_find(qemu_find_opts("name"), NULL);
    g_assert_cmpstr(qemu_opt_get(name, "guest"), ==, "demo");
    qemu_cmdline_cleanup(&cl);
}

static void test_cmdline_chardev_and_mon_groups(void)
{
    QemuCmdline cl;
    QemuOpts *chr, *mon;

    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, 0);
        g_test_trap_assert_passed();
        return;
    }
    parse_cmdline(&cl, "-chardev", "socket,id=c0,path=/tmp/x,server=on",
                  "-mon", "chardev=c0,mode=control,pretty=on", NULL);
    chr = qemu_opts_find(qemu_find_opts("chardev"), "c0");
    g_assert_cmpstr(qemu_opt_get(chr, "backend"), ==, "socket");
    mon = QTAILQ_FIRST(&qemu_find_opts("mon")->head);
    g_assert_cmpstr(qemu_opt_get(mon, "chardev"), ==, "c0");
    g_assert_true(qemu_opt_get_bool(mon, "pretty", false));
    g_assert_false(cl.default_monitor);
    qemu_cmdline_cleanup(&cl);
}

static void test_cmdline_object_help_uses_hook(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "-object", "iothread,help", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("object help for iothread\n");
}

static void test_cmdline_help_is_generated_from_table(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "-h", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("qcore emulator version *\nusage: * [options]\n"
                              "\nStandard options:\n-h or -help *"
                              "\n-machine [type=]name*\n-qmp dev *"
                              "\n-object TYPENAME*");
}

static void test_cmdline_version(void)
{
    if (g_test_subprocess()) {
        QemuCmdline cl;
        parse_cmdline(&cl, "--version", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("qcore emulator version " QCORE_VERSION "\n*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/parse/first-bare-word-is-implied-key",
                    test_first_bare_word_is_implied_key);
    g_test_add_func("/option/parse/implied-key-only-for-first-element",
                    test_implied_key_only_applies_to_first_element);
    g_test_add_func("/option/parse/double-comma-escapes-comma",
                    test_double_comma_escapes_comma);
    g_test_add_func("/option/parse/short-form-booleans",
                    test_short_form_booleans);
    g_test_add_func("/option/parse/short-form-boolean-warns",
                    test_short_form_boolean_warns_when_not_allowed);
    g_test_add_func("/option/parse/unknown-parameter",
                    test_unknown_parameter);
    g_test_add_func("/option/bool/spellings", test_bool_spellings);
    g_test_add_func("/option/bool/error-names-parameter",
                    test_bool_error_names_parameter);
    g_test_add_func("/option/number/values-defaults-errors", test_numbers);
    g_test_add_func("/option/size/suffixes-and-errors",
                    test_sizes_and_suffixes);
    g_test_add_func("/option/size/out-of-range", test_size_out_of_range);
    g_test_add_func("/option/size/error-has-suffix-hint",
                    test_size_error_has_suffix_hint);
    g_test_add_func("/option/id/must-be-identifier",
                    test_id_must_be_identifier);
    g_test_add_func("/option/id/duplicate", test_duplicate_id);
    g_test_add_func("/option/merge-lists/last-value-wins",
                    test_merge_lists_last_value_wins);
    g_test_add_func("/option/help/detection", test_help_detection);
    g_test_add_func("/option/help/accept-any-group-keeps-help-as-key",
                    test_help_in_accept_any_group_is_a_key);
    g_test_add_func("/option/help/prints-descriptions",
                    test_help_prints_descriptions);
    g_test_add_func("/option/qdict/round-trip", test_qdict_round_trip);
    g_test_add_func("/option/qdict/from-qdict-converts-scalars",
                    test_from_qdict_converts_scalars);
    g_test_add_func("/option/opt/foreach-and-unset",
                    test_opt_foreach_and_unset);
    g_test_add_func("/option/registry/find", test_registry);
    g_test_add_func("/option/registry/missing-group-exits",
                    test_registry_missing_group_exits);
    g_test_add_func("/option/location/prefixes-reports",
                    test_location_prefixes_reports);
    g_test_add_func("/option/location/in-error-report-err",
                    test_location_in_error_report_err);
    g_test_add_func("/option/location/push-pop-restore",
                    test_location_push_pop_restore);
    g_test_add_func("/option/location/foreach-restores-creation-site",
                    test_foreach_reports_where_opts_came_from);
    g_test_add_func("/option/cmdline/unknown-option-is-rejected",
                    test_cmdline_unknown_option_is_rejected);
    g_test_add_func("/option/cmdline/missing-argument",
                    test_cmdline_missing_argument);
    g_test_add_func("/option/cmdline/error-names-the-option",
                    test_cmdline_error_names_the_option);
    g_test_add_func("/option/cmdline/issue-example",
                    test_cmdline_issue_example);
    g_test_add_func("/option/cmdline/chardev-and-mon-groups",
                    test_cmdline_chardev_and_mon_groups);
    g_test_add_func("/option/cmdline/object-help-uses-hook",
                    test_cmdline_object_help_uses_hook);
    g_test_add_func("/option/cmdline/help-is-generated-from-table",
                    test_cmdline_help_is_generated_from_table);
    g_test_add_func("/option/cmdline/version", test_cmdline_version);
    return g_test_run();
}
