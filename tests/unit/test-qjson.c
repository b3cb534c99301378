/*
 * JSON reader and writer: round trips, escapes, numbers, errors, and the
 * streaming parser's splitting, recovery and limits.
 */
#include "qcore/osdep.h"
#include <math.h>
#include "qcore/qjson.h"
#include <malloc.h>
#include <sys/mman.h>
#include "../../qobject/json-internal.h"

/* ---- helpers --------------------------------------------------------- */

static char *to_json_str(const QObject *obj, bool pretty)
{
    return g_string_free(qobject_to_json_pretty(obj, pretty), FALSE);
}

/* Parse @in (which must succeed) and write it back compactly. */
static char *reformat(const char *in)
{
    g_autoptr(QObject) obj = qobject_from_json(in, &error_abort);

    return to_json_str(obj, false);
}

static char *parse_error_of(const char *in)
{
    Error *err = NULL;
    QObject *obj = qobject_from_json(in, &err);
    char *msg;

    g_assert_null(obj);
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

/* Records what a JSONMessageParser emits: values as JSON, errors as "!msg". */
typedef struct Collector {
    JSONMessageParser parser;
    GPtrArray *out;
} Collector;

static void collect(void *opaque, QObject *json, Error *err)
{
    Collector *c = opaque;

    if (err) {
        g_assert_null(json);
        g_ptr_array_add(c->out, g_strdup_printf("!%s", error_get_pretty(err)));
        error_free(err);
    } else {
        g_ptr_array_add(c->out, to_json_str(json, false));
        qobject_unref(json);
    }
}

static void collector_init(Collector *c)
{
    c->out = g_ptr_array_new_with_free_func(g_free);
    json_message_parser_init(&c->parser, collect, c, NULL);
}

static void collector_destroy(Collector *c)
{
    json_message_parser_destroy(&c->parser);
    g_ptr_array_free(c->out, TRUE);
}

static void feed(Collector *c, const char *s)
{
    json_message_parser_feed(&c->parser, s, strlen(s));
}

static const char *got(Collector *c, guint i)
{
    g_assert_cmpuint(i, <, c->out->len);
    return g_ptr_array_index(c->out, i);
}

/* ---- writer and round trips ----------------------------------------- */

static void test_round_trip_every_type(void)
{
    static const char *const docs[] = {
        "null", "true", "false", "0", "-1", "42", "1.5", "-0.25",
        "\"\"", "\"text\"", "[]", "{}", "[1, \"a\", null, true, [], {}]",
        "{\"a\": 1, \"b\": [false, {\"c\": null}], \"d\": \"e\"}",
        "18446744073709551615", "-9223372036854775808",
        "-9.2233720368547758e+18",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(docs); i++) {
        g_autoptr(QObject) obj = qobject_from_json(docs[i], &error_abort);
        g_autofree char *out = to_json_str(obj, false);
        g_autoptr(QObject) again = qobject_from_json(out, &error_abort);

        g_assert_cmpstr(out, ==, docs[i]);
        g_assert_true(qobject_is_equal(obj, again));
    }
}

static void test_writer_keeps_insertion_order_and_qemu_spacing(void)
{
    g_autoptr(QDict) d = qdict_new();
    g_autoptr(QList) l = qlist_new();
    g_autofree char *out = NULL;

    qdict_put_str(d, "z", "last?");
    qdict_put_int(d, "a", 1);
    qlist_append_int(l, 1);
    qlist_append_int(l, 2);
    qdict_put(d, "m", qobject_ref(l));
    out = to_json_str(QOBJECT(d), false);
    g_assert_cmpstr(out, ==, "{\"z\": \"last?\", \"a\": 1, \"m\": [1, 2]}");
}

static void test_pretty_matches_qmp_pretty_layout(void)
{
    g_autoptr(QObject) obj = qobject_from_json(
        "{\"return\": {}, \"list\": [1, {\"k\": []}], \"id\": \"x\"}",
        &error_abort);
    g_autofree char *out = to_json_str(obj, true);

    g_assert_cmpstr(out, ==,
                    "{\n"
                    "    \"return\": {\n"
                    "    },\n"
                    "    \"list\": [\n"
                    "        1,\n"
                    "        {\n"
                    "            \"k\": [\n"
                    "            ]\n"
                    "        }\n"
                    "    ],\n"
                    "    \"id\": \"x\"\n"
                    "}");
}

/* ---- escapes ---------------------------------------------------------- */

static void test_escapes_control_quote_backslash(void)
{
    g_autoptr(QString) s = qstring_from_str("q\" b\\ s/ \b\f\n\r\t "
                                            "\x01\x1f\x7f");
    g_autofree char *out = to_json_str(QOBJECT(s), false);
    g_autoptr(QObject) back = NULL;

    g_assert_cmpstr(out, ==,
                    "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001\\u001F\\u007F\"");
    back = qobject_from_json(out, &error_abort);
    g_assert_true(qobject_is_equal(back, QOBJECT(s)));
}

static void test_escapes_non_ascii_bmp_and_astral(void)
{
    /* e-acute, euro sign, U+FFFC, and U+1F600 (needs a surrogate pair) */
    g_autoptr(QString) s = qstring_from_str("\xc3\xa9\xe2\x82\xac\xef\xbf\xbc"
                                            "\xf0\x9f\x98\x80");
    g_autofree char *out = to_json_str(QOBJECT(s), false);
    g_autoptr(QObject) back = qobject_from_json(out, &error_abort);

    g_assert_cmpstr(out, ==, "\"\\u00E9\\u20AC\\uFFFC\\uD83D\\uDE00\"");
    g_assert_true(qobject_is_equal(back, QOBJECT(s)));
}

/*
 * As QEMU's parser: \u0000 becomes modified UTF-8's C0 80 (a QString is
 * a C string), the raw pair is taken too, and the writer turns the pair
 * back into \u0000, so U+0000 survives a round trip.
 */
static void test_u0000_is_stored_as_modified_utf8(void)
{
    static const char *const ins[] = {
        "\"\\u0000x\"", "'\\u0000x'", "\"\xc0\x80x\"",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ins); i++) {
        g_autoptr(QObject) obj = qobject_from_json(ins[i], &error_abort);
        QString *qs = qobject_to(QString, obj);
        g_autofree char *out = to_json_str(obj, false);
        g_autoptr(QObject) back = qobject_from_json(out, &error_abort);

        g_assert_cmpstr(qstring_get_str(qs), ==, "\xc0\x80x");
        g_assert_cmpuint(qstring_get_length(qs), ==, 3);
        g_assert_cmpstr(out, ==, "\"\\u0000x\"");
        g_assert_true(qobject_is_equal(obj, back));
    }
}

static void test_invalid_utf8_in_qstring_writes_replacement(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "a\xff" "b", "\"a\\uFFFDb\"" },              /* impossible byte */
        { "\x80", "\"\\uFFFD\"" },                     /* lone continuation */
        { "\xc3(", "\"\\uFFFD(\"" },                   /* truncated */
        { "\xe0\x80\x80", "\"\\uFFFD\"" },             /* overlong NUL */
        { "\xef\xbf\xbf", "\"\\uFFFD\"" },             /* noncharacter */
        { "\xef\xb7\x90", "\"\\uFFFD\"" },             /* U+FDD0 */
        { "\xf0\x9f\xbf\xbe", "\"\\uFFFD\"" },         /* U+1FFFE */
        { "\xf8\x88\x80\x80\x80", "\"\\uFFFD\"" },     /* 5-byte form */
        { "\xfc\x84\x80\x80\x80\x80", "\"\\uFFFD\"" }, /* 6-byte form */
        { "\xfd\xbf\xbf ", "\"\\uFFFD \"" },            /* ... cut short */
        { "\xed\xa0\x80", "\"\\uFFFD\"" },             /* UTF-8 surrogate */
        { "\xf4\x90\x80\x80", "\"\\uFFFD\"" },         /* above U+10FFFF */
        { "x\xe2\x82", "\"x\\uFFFD\"" },               /* cut at the end */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QString) s = qstring_from_str(cases[i].in);
        g_autofree char *out = to_json_str(QOBJECT(s), false);

        g_assert_cmpstr(out, ==, cases[i].out);
    }
}

static void test_reader_unescapes(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
        { "\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac" },
        { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
        { "'single \\' \"quoted\"'", "single ' \"quoted\"" },
        { "\"raw \xc3\xa9\"", "raw \xc3\xa9" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QObject) obj = qobject_from_json(cases[i].in, &error_abort);

        g_assert_cmpstr(qstring_get_str(qobject_to(QString, obj)), ==,
                        cases[i].out);
    }
}

/* ---- numbers ----------------------------------------------------------- */

static void test_number_edges_follow_qemu_typing(void)
{
    static const struct {
        const char *in;
        QNumKind kind;
        const char *out;
    } cases[] = {
        { "9223372036854775807", QNUM_I64, "9223372036854775807" },
        { "-9223372036854775808", QNUM_I64, "-9223372036854775808" },
        { "9223372036854775808", QNUM_U64, "9223372036854775808" },
        { "18446744073709551615", QNUM_U64, "18446744073709551615" },
        { "18446744073709551616", QNUM_DOUBLE, "1.8446744073709552e+19" },
        { "-9223372036854775809", QNUM_DOUBLE, "-9.2233720368547758e+18" },
        { "-0", QNUM_I64, "0" },
        /* Doubles are written with QEMU's %.17g, not the shortest form. */
        { "0.1", QNUM_DOUBLE, "0.10000000000000001" },
        { "32.43", QNUM_DOUBLE, "32.43" },
        { "-32.12313", QNUM_DOUBLE, "-32.123130000000003" },
        { "-32.20e-10", QNUM_DOUBLE, "-3.22e-09" },
        /* A whole double loses its '.', as in QEMU: it reads back as int. */
        { "1E3", QNUM_DOUBLE, "1000" },
        { "2.5e-3", QNUM_DOUBLE, "0.0025000000000000001" },
        { "1.7976931348623157e308", QNUM_DOUBLE, "1.7976931348623157e+308" },
        { "5e-324", QNUM_DOUBLE, "4.9406564584124654e-324" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QObject) obj = qobject_from_json(cases[i].in, &error_abort);
        QNum *qn = qobject_to(QNum, obj);
        g_autofree char *out = to_json_str(obj, false);
        g_autoptr(QObject) back = qobject_from_json(out, &error_abort);

        g_assert_nonnull(qn);
        g_assert_cmpint(qn->kind, ==, cases[i].kind);
        g_assert_cmpstr(out, ==, cases[i].out);
        /* Whatever the kind read back, the value is the same. */
        g_assert_cmpfloat(qnum_get_double(qobject_to(QNum, back)), ==,
                          qnum_get_double(qn));
    }
}

static void test_non_finite_double_writes_nearest_json_number(void)
{
    g_autoptr(QObject) big = qobject_from_json("[1e400, -1e400]",
                                               &error_abort);
    g_autoptr(QNum) nan = qnum_from_double(NAN);
    g_autofree char *out = to_json_str(big, false);
    g_autofree char *nan_out = to_json_str(QOBJECT(nan), false);
    g_autoptr(QObject) back = qobject_from_json(out, &error_abort);
    QList *l = qobject_to(QList, back);

    /* Valid JSON that reads back as the largest finite doubles. */
    g_assert_cmpstr(out, ==,
                    "[1.7976931348623157e+308, -1.7976931348623157e+308]");
    g_assert_cmpfloat(qnum_get_double(qobject_to(QNum, qlist_peek(l))),
                      ==, DBL_MAX);
    g_assert_cmpstr(nan_out, ==, "null");
}

/* ---- invalid input ---------------------------------------------------- */

/* Prefix of every syntax error, as in QEMU. */
#define PE "JSON parse error, "

static void test_invalid_json_gives_qemu_style_errors(void)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        { "foo", PE "invalid keyword 'foo'" },
        /* Keywords are lower case: anything else is a stray byte. */
        { "TRUE", PE "stray 'T'" },
        { "NaN", PE "stray 'N'" },
        { "{\"a\" 1}", PE "missing : in object pair" },
        { "{1: 2}", PE "key is not a string in object" },
        { "[1 2]", PE "expected separator in list" },
        { "[1 tru]", PE "expected separator in list" },
        { "[1}", PE "expected separator in list" },
        { "{\"a\": 1]", PE "expected separator in dict" },
        { "{\"a\" tru}", PE "missing : in object pair" },
        { "{\"a\" \"\\q\"}", PE "missing : in object pair" },
        { "{\"a\": 1 \"b\": 2}", PE "expected separator in dict" },
        { "[1,]", PE "expecting value" },
        { "{\"a\": 1,}", PE "expecting value" },
        { "]", PE "expecting value" },
        { "[}", PE "expecting value" },
        { "[1", PE "premature EOI" },
        { "\"abc", PE "premature EOI in string" },
        { "01", PE "stray '01'" },
        { "1.", PE "stray '1.'" },
        { "-x", PE "stray '-x'" },
        { "1.\n", PE "stray '1.\\x0a'" },
        { ".5", PE "stray '.'" },
        { "/* c */ 1", PE "stray '/'" },
        { "\"a\\x\"", PE "invalid escape sequence in string" },
        { "\"\\u12g4\"", PE "invalid hex escape sequence in string" },
        /* QEMU quotes a bad \u escape as written. */
        { "\"\\ud800\"", PE "\\ud800 is not a valid Unicode character" },
        { "\"\\uDC00\"", PE "\\uDC00 is not a valid Unicode character" },
        { "\"\\ud800\\u0041\"", PE "\\ud800 is not a valid Unicode character" },
        /* Noncharacters, in every plane, escaped or not. */
        { "\"\\uFDD0\"", PE "\\uFDD0 is not a valid Unicode character" },
        { "\"\\ufdef\"", PE "\\ufdef is not a valid Unicode character" },
        { "\"\\uFFFE\"", PE "\\uFFFE is not a valid Unicode character" },
        { "'\\uFFFF'", PE "\\uFFFF is not a valid Unicode character" },
        { "\"\\uD87F\\uDFFE\"",
          PE "\\uD87F\\uDFFE is not a valid Unicode character" },
        { "\"\\udbff\\udfff\"",
          PE "\\udbff\\udfff is not a valid Unicode character" },
        { "\"\xef\xb7\x90\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xef\xbf\xbe\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xf4\x8f\xbf\xbf\"", PE "invalid UTF-8 sequence in string" },
        { "\"tab\there\"", PE "invalid control character in string" },
        { "\"\xc3(\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xc0\x81\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xe0\x80\x80\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xed\xa0\x80\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xf4\x90\x80\x80\"", PE "invalid UTF-8 sequence in string" },
        { "\"\xfe\"", PE "invalid UTF-8 sequence in string" },
        { "", "Expecting a JSON value" },
        { "  \n ", "Expecting a JSON value" },
        { "1 2", "Expecting at most one JSON value" },
        { "{} []", "Expecting at most one JSON value" },
        /* whatever follows a first value, as QEMU: not the later error */
        { "{\"a\": 1} x", "Expecting at most one JSON value" },
        { "1 {", "Expecting at most one JSON value" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *msg = parse_error_of(cases[i].in);

        g_assert_cmpstr(msg, ==, cases[i].msg);
    }
}

static void test_qdict_from_json_wants_an_object(void)
{
    Error *err = NULL;
    g_autoptr(QDict) d = qdict_from_json("{\"execute\": \"stop\"}",
                                         &error_abort);

    g_assert_cmpstr(qdict_get_str(d, "execute"), ==, "stop");
    g_assert_null(qdict_from_json("[1]", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Expecting a JSON object");
    error_free(err);
}

static void test_duplicate_key_is_a_parse_error(void)
{
    g_autofree char *top = parse_error_of("{\"a\": 1, \"b\": 2, \"a\": 3}");
    g_autofree char *inner = parse_error_of("{\"x\": {\"y\": 1, \"y\": 1}}");
    /* An error inside the repeated member's value comes first, as QEMU. */
    g_autofree char *value = parse_error_of("{\"a\": 1, \"a\": tru}");
    g_autofree char *ok = reformat("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}]}");

    g_assert_cmpstr(top, ==, PE "duplicate key");
    g_assert_cmpstr(inner, ==, PE "duplicate key");
    g_assert_cmpstr(value, ==, PE "invalid keyword 'tru'");
    /* The same key in different objects is no duplicate. */
    g_assert_cmpstr(ok, ==, "{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}]}");
}

/* ---- streaming -------------------------------------------------------- */

static void test_stream_message_split_byte_by_byte(void)
{
    const char *msg = "{\"execute\": \"qom-get\", \"arguments\": "
                      "{\"path\": \"/m\\u00e9\", \"n\": [-1.5e2, 7]}, "
                      "\"id\": \"\xe2\x82\xac\"}";
    Collector c;

    collector_init(&c);
    for (const char *p = msg; *p; p++) {
        g_assert_cmpuint(c.out->len, ==, 0);
        json_message_parser_feed(&c.parser, p, 1);
    }
    g_assert_cmpuint(c.out->len, ==, 1);
    g_assert_cmpstr(got(&c, 0), ==,
                    "{\"execute\": \"qom-get\", \"arguments\": "
                    "{\"path\": \"/m\\u00E9\", \"n\": [-150, 7]}, "
                    "\"id\": \"\\u20AC\"}");
    collector_destroy(&c);
}

static void test_stream_many_messages_in_one_feed(void)
{
    Collector c;

    collector_init(&c);
    feed(&c, "{\"a\":1}{\"b\":2}\n[3] \"four\" 5 true null");
    /* The last keyword needs a delimiter or a flush to be complete. */
    g_assert_cmpuint(c.out->len, ==, 6);
    json_message_parser_flush(&c.parser);
    g_assert_cmpuint(c.out->len, ==, 7);
    g_assert_cmpstr(got(&c, 0), ==, "{\"a\": 1}");
    g_assert_cmpstr(got(&c, 1), ==, "{\"b\": 2}");
    g_assert_cmpstr(got(&c, 2), ==, "[3]");
    g_assert_cmpstr(got(&c, 3), ==, "\"four\"");
    g_assert_cmpstr(got(&c, 4), ==, "5");
    g_assert_cmpstr(got(&c, 5), ==, "true");
    g_assert_cmpstr(got(&c, 6), ==, "null");
    collector_destroy(&c);
}

/*
 * Where the stream picks up again after an error, case by case as QEMU
 * 7.2 answers them (recorded with qemu-system-riscv64 -qmp; only the
 * wording of some messages differs, see json-lexer.c).
 */
static void test_stream_resynchronises_as_qemu(void)
{
    static const struct {
        const char *in;
        const char *out[6];
    } cases[] = {
        /* A stray byte is reported at once; input is skipped to '{'. */
        { "/* c */{\"execute\": \"cont\"}",
          { "!" PE "stray '/'", "{\"execute\": \"cont\"}" } },
        /* ... and the ']' taken into "-]" is not seen again. */
        { "[-]]", { "!" PE "stray '-]'", "!" PE "expecting value" } },
        /* A stray byte drops the message; its tail is read afresh. */
        { "{\"execute\": @\"cont\"}",
          { "!" PE "stray '@'", "!" PE "expecting value" } },
        { "1.x{\"a\": 1}", { "!" PE "stray '1.x'", "{\"a\": 1}" } },
        { "1.\n{\"a\": 1}", { "!" PE "stray '1.\\x0a'", "{\"a\": 1}" } },
        /* 0xFF in a string is stray; the next '{' starts over. */
        { "{\"execute\": \"sto\xff{\"execute\": \"stop\"}",
          { "!" PE "invalid UTF-8 sequence in string",
            "{\"execute\": \"stop\"}" } },
        /* 0xFF ends the skipping and is itself stray again. */
        { "@\xff[2]", { "!" PE "stray '@'", "!" PE "stray '\\xff'", "[2]" } },
        { "{\"a\": \"x\x01\"}{\"b\": 1}",
          { "!" PE "invalid control character in string",
            "!" PE "expecting value", "{\"b\": 1}" } },
        /*
         * A syntax error is reported when the brackets balance, so the
         * rest of the message is not read as new messages.
         */
        { "{\"a\" 1}{\"b\": 1}",
          { "!" PE "missing : in object pair", "{\"b\": 1}" } },
        { "{\"a\": [}]{\"b\": 1}",
          { "!" PE "expecting value", "{\"b\": 1}" } },
        { "{\"a\": 1, \"b\": [1, 2}, \"c\": 3]}{\"d\": 1}",
          /* the message ended at ']': the last '}' is one too many */
          { "!" PE "expected separator in list", "!" PE "expecting value",
            "{\"d\": 1}" } },
        /* A bad string is lexed to its quote: its '{' is no bracket. */
        { "{\"a\": \"x\\q{\"}{\"b\": 1}",
          { "!" PE "invalid escape sequence in string", "{\"b\": 1}" } },
        { "{\"a\": \"\\u12\"}{\"b\": 1}",
          { "!" PE "invalid hex escape sequence in string", "{\"b\": 1}" } },
        { "{\"a\": \"x\xc3{\"}{\"b\": 1}",
          { "!" PE "invalid UTF-8 sequence in string", "{\"b\": 1}" } },
        /* An escaped quote after a lone surrogate does not end it. */
        { "[\"\\ud800\\\"\"][1]",
          { "!" PE "\\ud800 is not a valid Unicode character", "[1]" } },
        /* Too many closing brackets: one error each, as QEMU. */
        { "{\"a\": 1}}}", { "{\"a\": 1}", "!" PE "expecting value",
                            "!" PE "expecting value" } },
        { "tru]", { "!" PE "invalid keyword 'tru'",
                    "!" PE "expecting value" } },
        { "TRUE{\"b\": 1}", { "!" PE "stray 'T'", "{\"b\": 1}" } },
        /* 0 then the keyword e5, as QEMU reads 0e5. */
        { "[0e5]", { "!" PE "expected separator in list" } },
        /* A newline only matters while skipping. */
        { "abc\n{\"b\": 1}", { "!" PE "invalid keyword 'abc'", "{\"b\": 1}" } },
        { "{\"a\":\n 1}", { "{\"a\": 1}" } },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Collector c;
        guint n = 0;

        collector_init(&c);
        feed(&c, cases[i].in);
        while (n < G_N_ELEMENTS(cases[i].out) && cases[i].out[n]) {
            g_assert_cmpstr(got(&c, n), ==, cases[i].out[n]);
            n++;
        }
        g_assert_cmpuint(c.out->len, ==, n);
        collector_destroy(&c);
    }
}

static void make_nested(GString *s, int depth)
{
    g_string_truncate(s, 0);
    for (int i = 0; i < depth; i++) {
        g_string_append_c(s, i % 2 ? '[' : '{');
        if (!(i % 2)) {
            g_string_append(s, "\"k\":");
        }
    }
    for (int i = depth - 1; i >= 0; i--) {
        g_string_append_c(s, i % 2 ? ']' : '}');
    }
    g_string_append_c(s, '\n');
}

static void test_stream_nesting_limit(void)
{
    g_autoptr(GString) s = g_string_new(NULL);
    Collector c;

    collector_init(&c);
    make_nested(s, 1000);
    feed(&c, s->str);
    make_nested(s, JSON_MAX_NESTING);
    feed(&c, s->str);
    make_nested(s, JSON_MAX_NESTING + 1);
    feed(&c, s->str);
    feed(&c, "{\"after\": true}");
    g_assert_cmpuint(strlen(got(&c, 0)), >, 1000);
    g_assert_cmpuint(strlen(got(&c, 1)), >, 1024);
    g_assert_cmpstr(got(&c, 2), ==, "!JSON nesting depth limit exceeded");
    /*
     * As QEMU: the message is dropped at its 1025th bracket and what
     * follows is read as new messages: "k", ':' and 1025 closing brackets,
     * each of the last an error of its own.
     */
    g_assert_cmpstr(got(&c, 3), ==, "\"k\"");
    for (guint i = 4; i < 4 + 1 + JSON_MAX_NESTING + 1; i++) {
        g_assert_cmpstr(got(&c, i), ==, "!JSON parse error, expecting value");
    }
    g_assert_cmpstr(got(&c, 4 + 1 + JSON_MAX_NESTING + 1), ==,
                    "{\"after\": true}");
    g_assert_cmpuint(c.out->len, ==, 4 + 1 + JSON_MAX_NESTING + 1 + 1);
    collector_destroy(&c);
}

static void test_stream_size_limit_errors_then_recovers(void)
{
    size_t chunk = 1 << 20;
    g_autofree char *buf = g_malloc(chunk);
    Collector c;

    memset(buf, 'x', chunk);
    collector_init(&c);
    feed(&c, "{\"arg\": \"");
    /* 65 MiB of string, fed from one reused 1 MiB buffer. */
    for (int i = 0; i < 65; i++) {
        json_message_parser_feed(&c.parser, buf, chunk);
    }
    feed(&c, "\"}\n{\"execute\": \"query-status\"}");
    /* Dropped like a stray byte: skipped to the '}', one too many. */
    g_assert_cmpuint(c.out->len, ==, 3);
    g_assert_cmpstr(got(&c, 0), ==, "!JSON token size limit exceeded");
    g_assert_cmpstr(got(&c, 1), ==, "!JSON parse error, expecting value");
    g_assert_cmpstr(got(&c, 2), ==, "{\"execute\": \"query-status\"}");
    collector_destroy(&c);
}

static void test_stream_token_count_limit(void)
{
    g_autoptr(GString) s = g_string_new("[");
    Collector c;

    for (unsigned i = 0; i < JSON_MAX_TOKEN_COUNT / 2 + 1; i++) {
        g_string_append(s, "0,");
    }
    g_string_append(s, "0]\n[1]");
    collector_init(&c);
    feed(&c, s->str);
    /*
     * Dropped at its 2Mi+1st token (a ','); as QEMU, the tail "0,0]" is
     * then read as new messages.
     */
    g_assert_cmpuint(c.out->len, ==, 6);
    g_assert_cmpstr(got(&c, 0), ==, "!JSON token count limit exceeded");
    g_assert_cmpstr(got(&c, 1), ==, "0");
    g_assert_cmpstr(got(&c, 2), ==, "!JSON parse error, expecting value");
    g_assert_cmpstr(got(&c, 3), ==, "0");
    g_assert_cmpstr(got(&c, 4), ==, "!JSON parse error, expecting value");
    g_assert_cmpstr(got(&c, 5), ==, "[1]");
    collector_destroy(&c);
}

static void test_stream_invalid_utf8_errors(void)
{
    Collector c;

    collector_init(&c);
    feed(&c, "{\"s\": \"\xc3\x28\"}\n{\"s\": \"\xc3\xa9\"}\n\xc3\xa9\n[0]\n");
    g_assert_cmpuint(c.out->len, ==, 4);
    g_assert_cmpstr(got(&c, 0), ==,
                    "!JSON parse error, invalid UTF-8 sequence in string");
    g_assert_cmpstr(got(&c, 1), ==, "{\"s\": \"\\u00E9\"}");
    g_assert_cmpstr(got(&c, 2), ==, "!JSON parse error, stray '\\xc3'");
    g_assert_cmpstr(got(&c, 3), ==, "[0]");
    collector_destroy(&c);
}

static void test_stream_one_megabyte_string_parses(void)
{
    size_t len = 1 << 20;
    g_autoptr(GString) s = g_string_new("{\"execute\": \"x\", \"arg\": \"");
    Collector c;
    QObject *obj;

    for (size_t i = 0; i < len; i++) {
        g_string_append_c(s, 'a' + i % 26);
    }
    g_string_append(s, "\"}");
    obj = qobject_from_json(s->str, &error_abort);
    g_assert_cmpuint(strlen(qdict_get_str(qobject_to(QDict, obj), "arg")),
                     ==, len);
    qobject_unref(obj);

    /* The same through the stream, in uneven pieces. */
    collector_init(&c);
    for (size_t off = 0; off < s->len; off += 4093) {
        json_message_parser_feed(&c.parser, s->str + off,
                                 MIN(4093, s->len - off));
    }
    g_assert_cmpuint(c.out->len, ==, 1);
    g_assert_cmpuint(strlen(got(&c, 0)), ==, s->len);
    collector_destroy(&c);
}

/* A reader takes a long string in large reads: it must see that it is in one. */
static void test_stream_string_len_says_how_long_the_open_string_is(void)
{
    g_autofree char *a = g_strnfill(100000, 'a');
    Collector c;

    collector_init(&c);
    g_assert_cmpuint(json_message_parser_string_len(&c.parser), ==, 0);
    feed(&c, "{\"execute\": \"x\", \"id\": \"");
    g_assert_cmpuint(json_message_parser_string_len(&c.parser), ==, 0);
    feed(&c, a);
    g_assert_cmpuint(json_message_parser_string_len(&c.parser), ==, 100000);
    feed(&c, "\\u00e9");
    g_assert_cmpuint(json_message_parser_string_len(&c.parser), ==, 100002);
    feed(&c, "\"");
    g_assert_cmpuint(json_message_parser_string_len(&c.parser), ==, 0);
    feed(&c, "}");
    g_assert_cmpuint(c.out->len, ==, 1);
    collector_destroy(&c);
}

static bool page_resident(const void *p)
{
    uintptr_t page = sysconf(_SC_PAGESIZE);
    unsigned char vec = 0;

    g_assert_cmpint(mincore((void *)((uintptr_t)p & ~(page - 1)), 1, &vec),
                    ==, 0);
    return vec & 1;
}

/*
 * A long string's token reserves the message limit; its pages are backed
 * ahead of the copy in one madvise per piece (a page fault per page cost
 * the main loop most of a 16 MiB request's time on a VM), and only a
 * little ahead, so the resident size stays what the string needs.
 */
static void test_lexer_backs_a_long_token_just_ahead(void)
{
    g_autofree char *piece = g_strnfill(4096, 'a');
    void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t page = sysconf(_SC_PAGESIZE);
    JSONLexer lexer;
    Error *err = NULL;
    const char *str;
    size_t len;

    g_assert_true(probe != MAP_FAILED);
#ifdef MADV_POPULATE_WRITE
    if (madvise(probe, 4096, MADV_POPULATE_WRITE) < 0) {
        munmap(probe, 4096);
        g_test_skip("no MADV_POPULATE_WRITE (Linux < 5.14)");
        return;
    }
#else
    munmap(probe, 4096);
    g_test_skip("no MADV_POPULATE_WRITE");
    return;
#endif
    munmap(probe, 4096);
#ifdef M_PERTURB
    /* meson's MALLOC_PERTURB_ would fill, and so back, the whole block. */
    mallopt(M_PERTURB, 0);
#endif
    /*
     * Earlier tests leave freed memory resident at the heap's top, and
     * glibc may grow the token into it in place: hand it back first, so
     * that what is resident after the feed is what the lexer backed.
     */
    malloc_trim(0);

    json_lexer_init(&lexer);
    g_assert_cmpint(json_lexer_feed_char(&lexer, '"', &err), ==,
                    JSON_LEX_MORE);
    /* 64 KiB, then the piece that reserves the limit and backs ahead. */
    for (int i = 0; i < 17; i++) {
        g_assert_cmpuint(json_lexer_feed_plain(&lexer, piece, 4096), ==,
                         4096);
    }
    g_assert_cmpuint(lexer.token->allocated_len, >=, JSON_MAX_TOKEN_SIZE);
    str = lexer.token->str;
    len = lexer.token->len;
    g_assert_cmpuint(len, ==, 17 * 4096);
    /* The next 64 KiB, not yet written, are there already... */
    for (uintptr_t p = ((uintptr_t)str + len + page - 1) & ~(page - 1);
         p + page <= (uintptr_t)str + len + 64 * 1024; p += page) {
        g_assert_true(page_resident((void *)p));
    }
    /* ...and not the rest of the reservation (past any huge page). */
    g_assert_false(page_resident(str + len + 8 * 1024 * 1024));
    json_lexer_destroy(&lexer);
}

static void test_stream_flush_reports_unfinished_message(void)
{
    Collector c;

    collector_init(&c);
    feed(&c, "{\"a\": [1, 2");
    json_message_parser_flush(&c.parser);
    feed(&c, "-12");
    json_message_parser_flush(&c.parser);
    json_message_parser_flush(&c.parser);
    g_assert_cmpuint(c.out->len, ==, 2);
    g_assert_cmpstr(got(&c, 0), ==, "!JSON parse error, premature EOI");
    g_assert_cmpstr(got(&c, 1), ==, "-12");
    collector_destroy(&c);
}

static void test_stream_destroy_drops_partial_message(void)
{
    Collector c;

    collector_init(&c);
    feed(&c, "{\"a\": [{\"b\": \"partial");
    collector_destroy(&c);      /* LSan checks nothing leaks */
}

/* ---- the string escaper's fast path against its specification ----------- */

static void check_escape_agrees(const char *str, size_t len)
{
    g_autoptr(GString) fast = g_string_new(NULL);
    g_autoptr(GString) plain = g_string_new(NULL);

    qjson_escape_string(fast, str, len);
    qjson_escape_string_plain(plain, str, len);
    g_assert_cmpuint(fast->len, ==, plain->len);
    g_assert_cmpmem(fast->str, fast->len, plain->str, plain->len);
}

static void test_escape_fast_matches_plain_edges(void)
{
    static const char *const cases[] = {
        "", "a", "plain ascii run", "\"", "\\", "\"\\\"\\",
        "\b\f\n\r\t", "a\bb\fc\nd\re\tf", "\x01\x1f\x7f", " ~",
        "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80 smile",
        "\xf4\x8f\xbf\xbf",          /* U+10FFFF */
        "\xf4\x90\x80\x80",          /* above U+10FFFF */
        "\xc0\x80", "\xe0\x80\xaf",  /* overlong */
        "\xed\xa0\x80",              /* UTF-8 encoded surrogate */
        "\xc3", "ab\xe2\x82", "\xf0\x9f\x98", "\x80\xbf", "\xff\xfe",
        "\xc3(", "x\xe2(\xa1y", "\xf8\x88\x80\x80\x80",
        "run\"then\\more\nand\x01" "end\xc3\xa9!",
    };
    /* Every byte that is not plain, and the plain ones at the edges. */
    static const char specials[] = {
        0x00, 0x01, 0x1f, ' ', '!', '"', '#', '[', '\\', ']', '~', 0x7f,
        (char)0x80, (char)0xc3, (char)0xff,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        check_escape_agrees(cases[i], strlen(cases[i]));
    }
    /*
     * Each special byte at each offset of a long plain run, so that it
     * falls in every lane of a word and in the tail.
     */
    for (size_t k = 0; k < G_N_ELEMENTS(specials); k++) {
        for (size_t at = 0; at < 40; at++) {
            char run[48];

            memset(run, 'a', sizeof(run));
            run[at] = specials[k];
            check_escape_agrees(run, sizeof(run));
            check_escape_agrees(run, at + 1);
        }
    }
    /* An embedded NUL is a control character like any other. */
    check_escape_agrees("a\0b", 3);
    check_escape_agrees("\0", 1);
}

static void test_escape_fast_matches_plain_random(void)
{
    /* Bytes biased toward the interesting ones, so runs are short. */
    static const unsigned char pick[] = {
        'a', 'Z', ' ', '~', '"', '\\', '\n', '\t', 0x00, 0x1f, 0x7f, 0x80,
        0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
        0xff,
    };
    g_autoptr(GRand) rand = g_rand_new_with_seed(8);
    unsigned char buf[80];

    for (int n = 0; n < 20000; n++) {
        size_t len = g_rand_int_range(rand, 0, sizeof(buf) + 1);
        bool biased = n & 1;

        for (size_t i = 0; i < len; i++) {
            buf[i] = biased ? pick[g_rand_int_range(rand, 0, sizeof(pick))]
                            : g_rand_int_range(rand, 0, 256);
        }
        check_escape_agrees((const char *)buf, len);
    }
}

/* ---- interpolation (qobject_from_jsonf_nofail) ----------------------- */

static void test_interpolation_makes_each_type(void)
{
    long long lld = 0x123456789abcdefLL;
    unsigned long long llu = 0xfedcba9876543210ULL;
    QObject *p = QOBJECT(qstring_from_str("mine"));
    g_autoptr(QObject) obj = qobject_from_jsonf_nofail(
        "[%i, %i, %d, %ld, %lld, %" PRId64 ", %u, %lu, %llu, %" PRIu64
        ", %f, %s, %p]",
        false, 2, -7, (long)lld, lld, (int64_t)lld, 4000000000u,
        (unsigned long)llu, llu, (uint64_t)llu, 2.323423423, "hello", p);
    QList *l = qobject_to(QList, obj);
    g_autoptr(QList) copy = qlist_copy(l);
    QObject *e[13];
    size_t n = 0;

    while (!qlist_empty(copy)) {
        g_assert_cmpuint(n, <, G_N_ELEMENTS(e));
        e[n] = qlist_pop(copy);
        qobject_unref(e[n]);    /* the list still holds it */
        n++;
    }
    g_assert_cmpuint(n, ==, 13);
    /* %i is a bool, and any non-zero value is true. */
    g_assert_false(qbool_get_bool(qobject_to(QBool, e[0])));
    g_assert_true(qbool_get_bool(qobject_to(QBool, e[1])));
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, e[2])), ==, -7);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, e[3])), ==, (long)lld);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, e[4])), ==, lld);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, e[5])), ==, lld);
    g_assert_cmpint(qobject_to(QNum, e[6])->kind, ==, QNUM_U64);
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum, e[6])), ==, 4000000000u);
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum, e[7])), ==,
                     (unsigned long)llu);
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum, e[8])), ==, llu);
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum, e[9])), ==, llu);
    g_assert_cmpfloat(qnum_get_double(qobject_to(QNum, e[10])), ==,
                      2.323423423);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, e[11])), ==, "hello");
    /* %p: the very object, its reference now the list's. */
    g_assert_true(e[12] == p);
}

static void test_interpolation_in_keys_and_percent_in_strings(void)
{
    QObject *inner = qobject_from_json("[32, 42]", &error_abort);
    g_autoptr(QDict) d = qdict_from_jsonf_nofail(
        "{ %s: %d, 'rate': '100%%', 'l': %p }", "key", 1, inner);
    /* Without interpolation a '%' in a string is just a character. */
    g_autoptr(QObject) plain = qobject_from_json("'100%'", &error_abort);

    g_assert_cmpint(qdict_get_int(d, "key"), ==, 1);
    g_assert_cmpstr(qdict_get_str(d, "rate"), ==, "100%");
    g_assert_true(qdict_get(d, "l") == inner);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, plain)), ==, "100%");
}

static void test_percent_outside_strings_is_stray_without_interpolation(void)
{
    g_autofree char *msg = parse_error_of("[%d]");

    g_assert_cmpstr(msg, ==, "JSON parse error, stray '%'");
}

/* The aborts happen in a subprocess; stderr says why, as QEMU's. */
static void test_interpolation_errors_abort(void)
{
    static const struct {
        const char *path, *stderr_glob;
    } cases[] = {
        { "/qjson/interpolation/errors-abort/subprocess/unknown",
          "*Unexpected error*invalid interpolation '%x'*" },
        { "/qjson/interpolation/errors-abort/subprocess/string",
          "*Unexpected error*can't interpolate into string*" },
        { "/qjson/interpolation/errors-abort/subprocess/not-a-dict", "" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_trap_subprocess(cases[i].path, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_failed();
        g_test_trap_assert_stderr(cases[i].stderr_glob[0]
                                  ? cases[i].stderr_glob : "*");
    }
}

static void interpolation_unknown_subprocess(void)
{
    qobject_from_jsonf_nofail("%x", 666);
}

static void interpolation_string_subprocess(void)
{
    qobject_from_jsonf_nofail("['%s', %s]", "eins", "zwei");
}

static void interpolation_not_a_dict_subprocess(void)
{
    qdict_from_jsonf_nofail("[%d]", 1);
}

/* ---- the writer in slices --------------------------------------------- */

/*
 * Written a few bytes per step, any value comes out as the same text as
 * written at once (and as before the writer could stop), in both modes:
 * a slice may end inside a key, a string, an escape run, an indentation.
 */
static void test_slice_writer_matches_one_shot(void)
{
    static const char *const texts[] = {
        "{}", "[]", "\"\"", "null", "-12", "1.5", "true",
        "{\"a\": [], \"b\": {}, \"c\": [[], {}], \"d\": null}",
        "{\"k\\\"ey\": \"caf\\u00e9 \\ud83d\\ude00 tab\\t nl\\n q\\\" \\\\\","
        " \"list\": [1, -2, 3.25, true, false, null, \"x\", [\"y\", {}]],"
        " \"nested\": {\"deeper\": {\"deepest\": [{\"a\": \"b\"}]}},"
        " \"ctl\": \"\\u0001\\u001f\\u007f\", \"big\": 18446744073709551615}",
    };
    static const size_t budgets[] = { 1, 2, 3, 5, 7, 16, 64, 4096 };

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(QObject) obj = qobject_from_json(texts[i], &error_abort);

        for (int pretty = 0; pretty <= 1; pretty++) {
            g_autoptr(GString) whole = qobject_to_json_pretty(obj, pretty);

            for (size_t b = 0; b < G_N_ELEMENTS(budgets); b++) {
                g_autoptr(GString) out = g_string_new(NULL);
                JSONSliceWriter *w = json_slice_writer_new(obj, pretty, "\n");
                size_t steps = 0;
                bool done;

                do {
                    size_t before = out->len;

                    done = json_slice_writer_step(w, out, budgets[b]);
                    /* Bounded: at most one escape or number past it. */
                    g_assert_cmpuint(out->len - before, <=, budgets[b] + 32);
                    steps++;
                } while (!done);
                json_slice_writer_free(w);
                g_assert_cmpstr(out->str, ==, whole->str);
                if (budgets[b] == 1) {
                    g_assert_cmpuint(steps, >=, whole->len / 12);
                }
            }
        }
    }
}

/* A long string is cut into slices, and "\r\n" is what pretty mode asks. */
static void test_slice_writer_long_string_and_newline(void)
{
    g_autofree char *text = g_strnfill(300 * 1024, 'A');
    g_autoptr(QDict) dict = qdict_new();
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) whole = NULL;
    JSONSliceWriter *w;
    unsigned steps = 0;

    qdict_put_str(dict, "id", text);
    qdict_put_int(dict, "n", 1);
    whole = qobject_to_json_pretty(QOBJECT(dict), true);
    w = json_slice_writer_new(QOBJECT(dict), true, "\r\n");
    while (!json_slice_writer_step(w, out, 64 * 1024)) {
        steps++;
    }
    json_slice_writer_free(w);
    g_assert_cmpuint(steps, >=, 4);
    /* The same text with each line break "\r\n". */
    g_assert_cmpuint(out->len, ==, whole->len + 3);
    g_assert_true(g_str_has_prefix(out->str, "{\r\n    \"id\": \"AAAA"));
    g_assert_true(g_str_has_suffix(out->str, "\",\r\n    \"n\": 1\r\n}"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qjson/round-trip/every-type",
                    test_round_trip_every_type);
    g_test_add_func("/qjson/writer/insertion-order-and-qemu-spacing",
                    test_writer_keeps_insertion_order_and_qemu_spacing);
    g_test_add_func("/qjson/writer/pretty-matches-qmp-pretty",
                    test_pretty_matches_qmp_pretty_layout);
    g_test_add_func("/qjson/escape/control-quote-backslash",
                    test_escapes_control_quote_backslash);
    g_test_add_func("/qjson/escape/non-ascii-bmp-and-astral",
                    test_escapes_non_ascii_bmp_and_astral);
    g_test_add_func("/qjson/escape/invalid-utf8-writes-replacement",
                    test_invalid_utf8_in_qstring_writes_replacement);
    g_test_add_func("/qjson/reader/u0000-is-stored-as-modified-utf8",
                    test_u0000_is_stored_as_modified_utf8);
    g_test_add_func("/qjson/reader/unescapes", test_reader_unescapes);
    g_test_add_func("/qjson/number/edges-follow-qemu-typing",
                    test_number_edges_follow_qemu_typing);
    g_test_add_func("/qjson/number/non-finite-writes-nearest-json-number",
                    test_non_finite_double_writes_nearest_json_number);
    g_test_add_func("/qjson/reader/invalid-json-errors",
                    test_invalid_json_gives_qemu_style_errors);
    g_test_add_func("/qjson/reader/qdict-from-json-wants-object",
                    test_qdict_from_json_wants_an_object);
    g_test_add_func("/qjson/reader/duplicate-key-is-a-parse-error",
                    test_duplicate_key_is_a_parse_error);
    g_test_add_func("/qjson/stream/split-byte-by-byte",
                    test_stream_message_split_byte_by_byte);
    g_test_add_func("/qjson/stream/many-messages-in-one-feed",
                    test_stream_many_messages_in_one_feed);
    g_test_add_func("/qjson/stream/resynchronises-as-qemu",
                    test_stream_resynchronises_as_qemu);
    g_test_add_func("/qjson/stream/nesting-limit",
                    test_stream_nesting_limit);
    g_test_add_func("/qjson/stream/size-limit-errors-then-recovers",
                    test_stream_size_limit_errors_then_recovers);
    g_test_add_func("/qjson/stream/token-count-limit",
                    test_stream_token_count_limit);
    g_test_add_func("/qjson/stream/invalid-utf8-errors",
                    test_stream_invalid_utf8_errors);
    g_test_add_func("/qjson/stream/one-megabyte-string-parses",
                    test_stream_one_megabyte_string_parses);
    g_test_add_func("/qjson/stream/string-len-says-how-long-the-open-string-is",
                    test_stream_string_len_says_how_long_the_open_string_is);
    g_test_add_func("/qjson/lexer/backs-a-long-token-just-ahead",
                    test_lexer_backs_a_long_token_just_ahead);
    g_test_add_func("/qjson/stream/flush-reports-unfinished-message",
                    test_stream_flush_reports_unfinished_message);
    g_test_add_func("/qjson/stream/destroy-drops-partial-message",
                    test_stream_destroy_drops_partial_message);
    g_test_add_func("/qjson/interpolation/makes-each-type",
                    test_interpolation_makes_each_type);
    g_test_add_func("/qjson/interpolation/keys-and-percent-in-strings",
                    test_interpolation_in_keys_and_percent_in_strings);
    g_test_add_func("/qjson/interpolation/percent-is-stray-without",
                    test_percent_outside_strings_is_stray_without_interpolation);
    g_test_add_func("/qjson/interpolation/errors-abort",
                    test_interpolation_errors_abort);
    g_test_add_func("/qjson/interpolation/errors-abort/subprocess/unknown",
                    interpolation_unknown_subprocess);
    g_test_add_func("/qjson/interpolation/errors-abort/subprocess/string",
                    interpolation_string_subprocess);
    g_test_add_func("/qjson/interpolation/errors-abort/subprocess/not-a-dict",
                    interpolation_not_a_dict_subprocess);
    g_test_add_func("/qjson/escape/fast-matches-plain-edges",
                    test_escape_fast_matches_plain_edges);
    g_test_add_func("/qjson/escape/fast-matches-plain-random",
                    test_escape_fast_matches_plain_random);
    g_test_add_func("/qjson/slice-writer/matches-one-shot",
                    test_slice_writer_matches_one_shot);
    g_test_add_func("/qjson/slice-writer/long-string-and-newline",
                    test_slice_writer_long_string_and_newline);
    return g_test_run();
}
