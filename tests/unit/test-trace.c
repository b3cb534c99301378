/*
 * Trace events (util/trace.c, scripts/tracetool.py): events generated
 * from tests/unit/trace-events-test, patterns, -trace's enable and
 * events= lines, and the log backend's lines with and without -msg
 * timestamp=on, as QEMU prints them.
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/trace.h"
#include "trace-test.h"
#include <glib/gstdio.h>

static char *log_path;

/* The -D file as written so far. */
static char *log_text(void)
{
    char *text;

    g_assert_true(g_file_get_contents(log_path, &text, NULL, NULL));
    return text;
}

static void reset_events(void)
{
    trace_enable_events("-test_*");
    message_with_timestamp = false;
}

static void test_registry(void)
{
    TraceEventIter iter;
    TraceEvent *ev;
    GString *names = g_string_new(NULL);

    g_assert_true(trace_event_name("test_args") == &_TRACE_TEST_ARGS_EVENT);
    g_assert_null(trace_event_name("test_arg"));
    g_assert_true(trace_event_is_pattern("test_*"));
    g_assert_true(trace_event_is_pattern("test_?one"));
    g_assert_false(trace_event_is_pattern("test_none"));
    trace_event_iter_init_pattern(&iter, "test_*");
    while ((ev = trace_event_iter_next(&iter))) {
        g_string_append_printf(names, "%s ", ev->name);
    }
    /* The file's order. */
    g_assert_cmpstr(names->str, ==, "test_none test_args test_other ");
    g_string_free(names, true);
}

static void test_enable_patterns(void)
{
    reset_events();
    trace_enable_events("test_o*");
    g_assert_true(trace_event_get_state_dynamic(&_TRACE_TEST_OTHER_EVENT));
    g_assert_false(trace_event_get_state_dynamic(&_TRACE_TEST_NONE_EVENT));
    trace_enable_events("test_*");
    trace_enable_events("-test_a?gs");
    g_assert_true(trace_event_get_state_dynamic(&_TRACE_TEST_NONE_EVENT));
    g_assert_false(trace_event_get_state_dynamic(&_TRACE_TEST_ARGS_EVENT));
    reset_events();
    g_assert_false(trace_event_get_state_dynamic(&_TRACE_TEST_NONE_EVENT));
}

/* A name that is no pattern and no event: QEMU's warning, nothing else. */
static void test_unknown_name_warns(void)
{
    if (g_test_subprocess()) {
        trace_enable_events("test_nosuch");
        trace_enable_events("nosuch_*");      /* a pattern: silent */
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qcore: warning: trace event 'test_nosuch' "
                              "does not exist\n");
}

static void test_events_file(void)
{
    g_autofree char *path = NULL;
    Error *err = NULL;
    int fd = g_file_open_tmp("test-trace-events-XXXXXX", &path, NULL);
    const char *text = "# what to trace\n\n  test_*  \n-test_args\n";

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, text, strlen(text)), ==, strlen(text));
    close(fd);
    reset_events();
    g_assert_true(trace_init_events_file(path, &error_abort));
    g_assert_true(trace_event_get_state_dynamic(&_TRACE_TEST_NONE_EVENT));
    g_assert_true(trace_event_get_state_dynamic(&_TRACE_TEST_OTHER_EVENT));
    g_assert_false(trace_event_get_state_dynamic(&_TRACE_TEST_ARGS_EVENT));
    g_unlink(path);
    g_assert_false(trace_init_events_file(path, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), path));
    error_free(err);
    reset_events();
}

/* Only enabled events print, each as one line: "NAME ARGS". */
static void test_log_lines(void)
{
    g_autofree char *before = log_text();
    g_autofree char *after = NULL;

    reset_events();
    trace_test_none();
    trace_enable_events("test_args");
    trace_enable_events("test_other");
    trace_test_args((void *)0x1234, -5, 7, 0xdeadbeefcafeULL, true);
    trace_test_other("x y");
    trace_test_none();
    after = log_text();
    g_assert_cmpstr(after + strlen(before), ==,
                    "test_args ptr 0x1234 n -5 u 7 v 0xdeadbeefcafe b 1\n"
                    "test_other s x y\n");
    reset_events();
}

/* -msg timestamp=on: "TID@SECONDS.MICROSECONDS:" first, as QEMU. */
static void test_log_timestamp(void)
{
    g_autofree char *before = log_text();
    g_autofree char *after = NULL;

    reset_events();
    trace_enable_events("test_none");
    message_with_timestamp = true;
    trace_test_none();
    after = log_text();
    g_assert_true(g_regex_match_simple("^[0-9]+@[0-9]+\\.[0-9]{6}:"
                                       "test_none no arguments\n$",
                                       after + strlen(before), 0, 0));
    reset_events();
}

int main(int argc, char **argv)
{
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("test-trace-log-XXXXXX", &log_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    qemu_set_log_filename_flags(log_path, 0, &error_abort);
    g_test_add_func("/trace/registry", test_registry);
    g_test_add_func("/trace/enable-patterns", test_enable_patterns);
    g_test_add_func("/trace/unknown-name-warns", test_unknown_name_warns);
    g_test_add_func("/trace/events-file", test_events_file);
    g_test_add_func("/trace/log-lines", test_log_lines);
    g_test_add_func("/trace/log-timestamp", test_log_timestamp);
    ret = g_test_run();
    g_unlink(log_path);
    g_free(log_path);
    return ret;
}
