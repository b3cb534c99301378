/*
 * Error propagation: setting, prepending, hints, propagation rules and
 * the error_abort / error_fatal / error_warn sentinels.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"

static bool fail_with(int value, Error **errp)
{
    if (value < 0) {
        error_setg(errp, "value %d is negative", value);
        return false;
    }
    return true;
}

static bool fail_with_hint(Error **errp)
{
    ERRP_GUARD();

    if (!fail_with(-1, errp)) {
        error_append_hint(errp, "Use a positive value\n");
        return false;
    }
    return true;
}

static void test_setg_formats_message_and_class(void)
{
    Error *err = NULL;

    g_assert_false(fail_with(-3, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "value -3 is negative");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    g_assert_cmpstr(ErrorClass_str(error_get_class(err)), ==, "GenericError");
    error_free(err);
}

static void test_set_with_class(void)
{
    Error *err = NULL;

    error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
              "The command %s has not been found", "foo");
    g_assert_cmpstr(ErrorClass_str(error_get_class(err)), ==,
                    "CommandNotFound");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "The command foo has not been found");
    error_free(err);
}

static void test_setg_errno_appends_strerror(void)
{
    Error *err = NULL;

    error_setg_errno(&err, ENOENT, "Could not open '%s'", "x");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not open 'x': No such file or directory");
    error_free(err);
}

static void test_null_errp_ignores_error(void)
{
    g_assert_false(fail_with(-1, NULL));
    g_assert_false(fail_with_hint(NULL));
}

static void test_prepend(void)
{
    Error *err = NULL;

    fail_with(-1, &err);
    error_prepend(&err, "while parsing '%s': ", "arg");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "while parsing 'arg': value -1 is negative");
    error_free(err);
}

static void test_propagate_keeps_first_error(void)
{
    Error *err = NULL, *local = NULL, *second = NULL;

    error_propagate(&err, NULL);
    g_assert_null(err);

    fail_with(-1, &local);
    error_propagate(&err, local);
    g_assert_cmpstr(error_get_pretty(err), ==, "value -1 is negative");

    /* A second error does not overwrite the first; it is freed. */
    fail_with(-2, &second);
    error_propagate(&err, second);
    g_assert_cmpstr(error_get_pretty(err), ==, "value -1 is negative");
    error_free(err);

    local = NULL;
    fail_with(-5, &local);
    error_propagate(NULL, local);   /* freed, no leak under ASan */
}

static void test_propagate_prepend(void)
{
    Error *err = NULL, *local = NULL;

    fail_with(-1, &local);
    error_propagate_prepend(&err, local, "outer: ");
    g_assert_cmpstr(error_get_pretty(err), ==, "outer: value -1 is negative");
    error_free(err);
}

static void test_copy(void)
{
    Error *err = NULL, *copy;

    fail_with(-1, &err);
    copy = error_copy(err);
    error_free(err);
    g_assert_cmpstr(error_get_pretty(copy), ==, "value -1 is negative");
    error_free(copy);
}

static void test_autoptr_frees(void)
{
    g_autoptr(Error) err = NULL;

    fail_with(-1, &err);
    g_assert_nonnull(err);
}

static void test_hint_printed_by_report(void)
{
    if (g_test_subprocess()) {
        Error *err = NULL;
        fail_with_hint(&err);
        error_report_err(err);
        exit(0);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: value -1 is negative\n"
                              "Use a positive value\n");
}

static void test_error_fatal_prints_hint_and_exits_1(void)
{
    if (g_test_subprocess()) {
        fail_with_hint(&error_fatal);
        exit(0);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("qcore: value -1 is negative\n"
                              "Use a positive value\n");
}

static void test_error_abort_aborts_with_location(void)
{
    if (g_test_subprocess()) {
        fail_with(-1, &error_abort);
        exit(0);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("Unexpected error in fail_with() at *"
                              "value -1 is negative*");
}

static void test_error_warn_prints_and_continues(void)
{
    if (g_test_subprocess()) {
        g_assert_false(fail_with(-1, &error_warn));
        printf("still running\n");
        exit(0);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("still running*");
    g_test_trap_assert_stderr("qcore: warning: value -1 is negative*");
}

static void test_report_functions_prefix(void)
{
    if (g_test_subprocess()) {
        error_report("plain %d", 1);
        warn_report("careful");
        info_report("fyi");
        exit(0);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: plain 1\nqcore: warning: careful\n"
                              "qcore: info: fyi\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/setg-formats-message-and-class",
                    test_setg_formats_message_and_class);
    g_test_add_func("/error/set-with-class", test_set_with_class);
    g_test_add_func("/error/setg-errno-appends-strerror",
                    test_setg_errno_appends_strerror);
    g_test_add_func("/error/null-errp-ignores", test_null_errp_ignores_error);
    g_test_add_func("/error/prepend", test_prepend);
    g_test_add_func("/error/propagate-keeps-first",
                    test_propagate_keeps_first_error);
    g_test_add_func("/error/propagate-prepend", test_propagate_prepend);
    g_test_add_func("/error/copy", test_copy);
    g_test_add_func("/error/autoptr-frees", test_autoptr_frees);
    g_test_add_func("/error/hint-printed-by-report",
                    test_hint_printed_by_report);
    g_test_add_func("/error/fatal-prints-hint-and-exits-1",
                    test_error_fatal_prints_hint_and_exits_1);
    g_test_add_func("/error/abort-aborts-with-location",
                    test_error_abort_aborts_with_location);
    g_test_add_func("/error/warn-prints-and-continues",
                    test_error_warn_prints_and_continues);
    g_test_add_func("/error/report-functions-prefix",
                    test_report_functions_prefix);
    return g_test_run();
}
