/*
 * Unit tests for the HMP line editor (util/readline.c): editing keys,
 * history, Tab completion and escape sequences fed one byte at a time.
 * Counterpart of the readline behaviour QEMU's HMP tests rely on.
 */
#include "qcore/osdep.h"
#include "qcore/readline.h"

#define ESC "\033"
#define UP ESC "[A"
#define DOWN ESC "[B"
#define RIGHT ESC "[C"
#define LEFT ESC "[D"

typedef struct Term {
    ReadLineState *rs;
    GString *out;               /* everything printed */
    GPtrArray *lines;           /* lines handed to the callback */
} Term;

static void G_GNUC_PRINTF(2, 3) term_printf(void *opaque, const char *fmt,
                                            ...)
{
    Term *t = opaque;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(t->out, fmt, ap);
    va_end(ap);
}

static void term_flush(void *opaque)
{
}

static void term_line(void *opaque, const char *str, void *readline_opaque)
{
    Term *t = opaque;

    g_ptr_array_add(t->lines, g_strdup(str));
}

static void term_complete(void *opaque, const char *cmdline)
{
    static const char *const names[] = {
        "info", "quit", "qom-get", "qom-set", "qom-list", "stop", "system_reset",
    };
    Term *t = opaque;
    size_t i;

    /* Only the first word, as HMP's command-name completion. */
    if (strchr(cmdline, ' ')) {
        return;
    }
    readline_set_completion_index(t->rs, strlen(cmdline));
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        readline_add_completion_of(t->rs, cmdline, names[i]);
    }
}

static void term_init(Term *t)
{
    t->out = g_string_new(NULL);
    t->lines = g_ptr_array_new_with_free_func(g_free);
    t->rs = readline_init(term_printf, term_flush, t, term_complete);
    readline_start(t->rs, "(qemu) ", 0, term_line, NULL);
    readline_show_prompt(t->rs);
}

static void term_destroy(Term *t)
{
    readline_free(t->rs);
    g_string_free(t->out, true);
    g_ptr_array_free(t->lines, true);
}

/* Every test feeds byte by byte: that is how a terminal delivers input. */
static void feed(Term *t, const char *keys)
{
    for (; *keys; keys++) {
        readline_handle_byte(t->rs, (uint8_t)*keys);
    }
}

static const char *last_line(Term *t)
{
    g_assert_cmpuint(t->lines->len, >, 0);
    return g_ptr_array_index(t->lines, t->lines->len - 1);
}

static void test_typed_line_is_echoed_and_run_on_enter(void)
{
    Term t;

    term_init(&t);
    feed(&t, "info status");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "info status");
    g_assert_cmpstr(t.out->str, ==, "(qemu) info status");
    feed(&t, "\r");
    g_assert_cmpstr(last_line(&t), ==, "info status");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "");
    /* LF works as well as CR. */
    feed(&t, "stop\n");
    g_assert_cmpstr(last_line(&t), ==, "stop");
    term_destroy(&t);
}

static void test_backspace_and_delete(void)
{
    Term t;

    term_init(&t);
    feed(&t, "abcd\x7f");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "abc");
    feed(&t, "\b");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "ab");
    feed(&t, "c" LEFT LEFT ESC "[3~");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "ac");
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 1);
    feed(&t, "\x04");                       /* ^D */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "a");
    /* At the edges both are no-ops. */
    feed(&t, "\x04" LEFT "\x7f\x7f");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "a");
    term_destroy(&t);
}

static void test_home_end_and_arrows(void)
{
    static const char *const homes[] = {
        ESC "[H", ESC "OH", ESC "[1~", ESC "[7~", "\x01",
    };
    static const char *const ends[] = {
        ESC "[F", ESC "OF", ESC "[4~", ESC "[8~", "\x05",
    };
    size_t i;
    Term t;

    term_init(&t);
    for (i = 0; i < G_N_ELEMENTS(homes); i++) {
        feed(&t, "\x15" "world");           /* ^U: start afresh */
        feed(&t, homes[i]);
        g_assert_cmpint(readline_get_cursor(t.rs), ==, 0);
        feed(&t, "hello ");
        feed(&t, ends[i]);
        g_assert_cmpint(readline_get_cursor(t.rs), ==, 11);
        feed(&t, "!");
        g_assert_cmpstr(readline_get_line(t.rs), ==, "hello world!");
    }
    feed(&t, LEFT LEFT RIGHT "\x02" "\x06");  /* and ^B, ^F */
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 11);
    feed(&t, RIGHT RIGHT);
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 12);
    /* Modified arrows (ESC [ 1 ; 5 D) still move by one. */
    feed(&t, ESC "[1;5D");
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 11);
    term_destroy(&t);
}

static void test_kill_keys(void)
{
    Term t;

    term_init(&t);
    feed(&t, "one two  three");
    feed(&t, "\x17");                       /* ^W */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "one two  ");
    feed(&t, "\x17");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "one ");
    feed(&t, "abc def" LEFT LEFT LEFT "\x0b");  /* ^K */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "one abc ");
    feed(&t, LEFT "\x15");                  /* ^U */
    g_assert_cmpstr(readline_get_line(t.rs), ==, " ");
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 0);
    term_destroy(&t);
}

static void test_history_up_down_without_consecutive_duplicates(void)
{
    Term t;

    term_init(&t);
    feed(&t, "a\rb\rb\r\rc\r");
    g_assert_cmpstr(readline_get_history(t.rs, 0), ==, "a");
    g_assert_cmpstr(readline_get_history(t.rs, 1), ==, "b");
    g_assert_cmpstr(readline_get_history(t.rs, 2), ==, "c");
    g_assert_null(readline_get_history(t.rs, 3));

    feed(&t, "typed");
    feed(&t, UP);
    g_assert_cmpstr(readline_get_line(t.rs), ==, "c");
    feed(&t, UP UP);
    g_assert_cmpstr(readline_get_line(t.rs), ==, "a");
    feed(&t, UP);
    g_assert_cmpstr(readline_get_line(t.rs), ==, "a");
    feed(&t, DOWN);
    g_assert_cmpstr(readline_get_line(t.rs), ==, "b");
    feed(&t, "\x0e" DOWN);                  /* ^N, then past the newest */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "typed");
    feed(&t, "\x10");                       /* ^P */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "c");
    /* A recalled line runs like a typed one. */
    feed(&t, "\r");
    g_assert_cmpstr(last_line(&t), ==, "c");
    g_assert_null(readline_get_history(t.rs, 3));
    term_destroy(&t);
}

static void test_history_is_bounded(void)
{
    Term t;
    int i;

    term_init(&t);
    for (i = 0; i < READLINE_MAX_CMDS + 10; i++) {
        g_autofree char *cmd = g_strdup_printf("cmd%d\r", i);

        feed(&t, cmd);
    }
    g_assert_cmpstr(readline_get_history(t.rs, 0), ==, "cmd10");
    g_assert_cmpstr(readline_get_history(t.rs, READLINE_MAX_CMDS - 1), ==,
                    "cmd73");
    g_assert_null(readline_get_history(t.rs, READLINE_MAX_CMDS));
    term_destroy(&t);
}

static void test_tab_completes_a_single_match(void)
{
    Term t;

    term_init(&t);
    feed(&t, "in\t");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "info ");
    feed(&t, "\x15" "system\t");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "system_reset ");
    /* No match: nothing changes. */
    feed(&t, "\x15" "xyz\t");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "xyz");
    term_destroy(&t);
}

static void test_tab_lists_several_matches(void)
{
    Term t;

    term_init(&t);
    feed(&t, "q\t");
    /* The common prefix is "q" already; the candidates are listed. */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "q");
    g_assert_nonnull(strstr(t.out->str, "\nquit      qom-get   qom-set   "
                            "qom-list  \n(qemu) q"));
    g_string_truncate(t.out, 0);
    feed(&t, "o\t");
    /* Completed to what all share, then listed again. */
    g_assert_cmpstr(readline_get_line(t.rs), ==, "qom-");
    g_assert_nonnull(strstr(t.out->str, "qom-get   qom-set   qom-list  \n"
                            "(qemu) qom-"));
    feed(&t, "g\t\r");
    g_assert_cmpstr(last_line(&t), ==, "qom-get ");
    term_destroy(&t);
}

static void test_escape_sequences_split_across_reads(void)
{
    Term t;

    term_init(&t);
    feed(&t, "abc");
    /* Each byte is a separate call already; also across other input. */
    readline_handle_byte(t.rs, 0x1b);
    readline_handle_byte(t.rs, '[');
    g_assert_cmpstr(readline_get_line(t.rs), ==, "abc");
    readline_handle_byte(t.rs, 'D');
    g_assert_cmpint(readline_get_cursor(t.rs), ==, 2);
    readline_handle_byte(t.rs, 0x1b);
    readline_handle_byte(t.rs, '[');
    readline_handle_byte(t.rs, '3');
    g_assert_cmpstr(readline_get_line(t.rs), ==, "abc");
    readline_handle_byte(t.rs, '~');
    g_assert_cmpstr(readline_get_line(t.rs), ==, "ab");
    /* An unknown escape is swallowed, not inserted. */
    feed(&t, ESC "x" ESC "[5~" ESC "[Z");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "ab");
    term_destroy(&t);
}

static void test_utf8_and_control_bytes(void)
{
    Term t;

    term_init(&t);
    feed(&t, "caf\xc3\xa9\x07\x1f");
    g_assert_cmpstr(readline_get_line(t.rs), ==, "caf\xc3\xa9");
    term_destroy(&t);
}

static void test_line_length_is_bounded(void)
{
    Term t;
    int i;

    term_init(&t);
    for (i = 0; i < READLINE_CMD_BUF_SIZE + 100; i++) {
        readline_handle_byte(t.rs, 'x');
    }
    g_assert_cmpuint(strlen(readline_get_line(t.rs)), ==,
                     READLINE_CMD_BUF_SIZE);
    feed(&t, "\r");
    g_assert_cmpuint(strlen(last_line(&t)), ==, READLINE_CMD_BUF_SIZE);
    term_destroy(&t);
}

static void test_editing_in_the_middle_repaints(void)
{
    Term t;

    term_init(&t);
    feed(&t, "ac" LEFT);
    g_string_truncate(t.out, 0);
    feed(&t, "b");
    /* Back to the start, the whole line, clear to eol, cursor back. */
    g_assert_cmpstr(t.out->str, ==, ESC "[D" "abc" ESC "[K" ESC "[D");
    term_destroy(&t);
}

static void test_password_mode_hides_and_forgets(void)
{
    Term t;

    term_init(&t);
    readline_start(t.rs, "Password: ", 1, term_line, NULL);
    g_string_truncate(t.out, 0);
    feed(&t, "secret\r");
    g_assert_cmpstr(last_line(&t), ==, "secret");
    g_assert_null(strstr(t.out->str, "secret"));
    g_assert_null(readline_get_history(t.rs, 0));
    term_destroy(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/readline/typed-line-is-echoed-and-run-on-enter",
                    test_typed_line_is_echoed_and_run_on_enter);
    g_test_add_func("/readline/backspace-and-delete",
                    test_backspace_and_delete);
    g_test_add_func("/readline/home-end-and-arrows",
                    test_home_end_and_arrows);
    g_test_add_func("/readline/kill-keys", test_kill_keys);
    g_test_add_func("/readline/history-up-down-no-consecutive-duplicates",
                    test_history_up_down_without_consecutive_duplicates);
    g_test_add_func("/readline/history-is-bounded", test_history_is_bounded);
    g_test_add_func("/readline/tab-completes-a-single-match",
                    test_tab_completes_a_single_match);
    g_test_add_func("/readline/tab-lists-several-matches",
                    test_tab_lists_several_matches);
    g_test_add_func("/readline/escape-sequences-split-across-reads",
                    test_escape_sequences_split_across_reads);
    g_test_add_func("/readline/utf8-and-control-bytes",
                    test_utf8_and_control_bytes);
    g_test_add_func("/readline/line-length-is-bounded",
                    test_line_length_is_bounded);
    g_test_add_func("/readline/editing-in-the-middle-repaints",
                    test_editing_in_the_middle_repaints);
    g_test_add_func("/readline/password-mode-hides-and-forgets",
                    test_password_mode_hides_and_forgets);
    return g_test_run();
}
