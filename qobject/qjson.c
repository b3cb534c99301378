/*
 * QObject to JSON text (the writer) and one-shot JSON text to QObject
 * (a thin use of the streaming reader).
 * Corresponds to QEMU's qobject/qjson.c.
 */
#include "qcore/osdep.h"
#include <math.h>
#include "qcore/qjson.h"

typedef struct FromJSONState {
    QObject *result;
    Error *err;
} FromJSONState;

static void from_json_emit(void *opaque, QObject *json, Error *err)
{
    FromJSONState *st = opaque;

    /* Whatever follows a first value, value or error, is the error. */
    if (st->result && !st->err) {
        error_setg(&st->err, "Expecting at most one JSON value");
    }
    if (st->err) {
        qobject_unref(json);
        error_free(err);
        return;
    }
    st->result = json;
    st->err = err;
}

QObject *qobject_from_jsonv(const char *string, va_list *ap, Error **errp)
{
    FromJSONState st = { 0 };
    JSONMessageParser parser;

    json_message_parser_init(&parser, from_json_emit, &st, ap);
    json_message_parser_feed(&parser, string, strlen(string));
    json_message_parser_flush(&parser);
    json_message_parser_destroy(&parser);

    if (!st.err && !st.result) {
        error_setg(&st.err, "Expecting a JSON value");
    }
    if (st.err) {
        qobject_unref(st.result);
        error_propagate(errp, st.err);
        return NULL;
    }
    return st.result;
}

QObject *qobject_from_json(const char *string, Error **errp)
{
    return qobject_from_jsonv(string, NULL, errp);
}

QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
{
    va_list ap_copy;
    QObject *obj;

    /* The parser takes a va_list *; copy, as @ap may be an array type. */
    va_copy(ap_copy, ap);
    obj = qobject_from_jsonv(string, &ap_copy, &error_abort);
    va_end(ap_copy);
    assert(obj);
    return obj;
}

QObject *qobject_from_jsonf_nofail(const char *string, ...)
{
    va_list ap;
    QObject *obj;

    va_start(ap, string);
    obj = qobject_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return obj;
}

QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
{
    QDict *qdict = qobject_to(QDict, qobject_from_vjsonf_nofail(string, ap));

    assert(qdict);
    return qdict;
}

QDict *qdict_from_jsonf_nofail(const char *string, ...)
{
    va_list ap;
    QDict *qdict;

    va_start(ap, string);
    qdict = qdict_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return qdict;
}

QDict *qdict_from_json(const char *string, Error **errp)
{
    QObject *obj = qobject_from_json(string, errp);
    QDict *dict = qobject_to(QDict, obj);

    if (obj && !dict) {
        error_setg(errp, "Expecting a JSON object");
        qobject_unref(obj);
    }
    return dict;
}

/*
 * Decode one sequence at s[0..len) as QEMU's writer does (modified
 * UTF-8).  Returns the code point and sets *used, or returns -1 for what
 * is written as one U+FFFD: a malformed, overlong, surrogate, out of
 * range or noncharacter sequence, with *used covering the lead byte and
 * the continuation bytes that followed it (up to the length the lead
 * byte announces, five and six byte forms included).  The one overlong
 * form taken is C0 80, modified UTF-8's U+0000, which the reader stores
 * for \u0000.
 */
static int32_t utf8_decode(const unsigned char *s, size_t len, size_t *used)
{
    unsigned char c = s[0];
    size_t n, i;
    uint32_t cp, min;

    *used = 1;
    if (c < 0x80) {
        return c;
    } else if (c >= 0xC0 && c <= 0xDF) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF7) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else if (c >= 0xF8 && c <= 0xFB) {
        n = 4, cp = c & 0x03, min = 0x200000;
    } else if (c >= 0xFC && c <= 0xFD) {
        n = 5, cp = c & 0x01, min = 0x4000000;
    } else {
        return -1;
    }
    for (i = 1; i <= n; i++) {
        if (i >= len || (s[i] & 0xC0) != 0x80) {
            *used = i;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *used = n + 1;
    if ((cp < min && !(n == 1 && cp == 0)) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF) ||
        (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
        return -1;
    }
    return cp;
}

/* Append "\uXXXX" with upper-case hex digits, as QEMU writes them. */
static void append_u_escape(GString *out, uint32_t unit)
{
    static const char hex[] = "0123456789ABCDEF";
    char buf[6] = {
        '\\', 'u', hex[(unit >> 12) & 0xF], hex[(unit >> 8) & 0xF],
        hex[(unit >> 4) & 0xF], hex[unit & 0xF]
    };

    g_string_append_len(out, buf, sizeof(buf));
}

/*
 * Write the escape for the one character (or malformed sequence) at
 * s[0..len) and return how many bytes it used.  Every byte not written
 * in a plain run (json_plain_byte()) goes through here; a plain byte
 * given here is copied as it is.
 */
static size_t escape_one(GString *out, const unsigned char *s, size_t len)
{
    size_t used;
    int32_t cp = utf8_decode(s, len, &used);

    switch (cp) {
    case '"':
        g_string_append(out, "\\\"");
        break;
    case '\\':
        g_string_append(out, "\\\\");
        break;
    case '\b':
        g_string_append(out, "\\b");
        break;
    case '\f':
        g_string_append(out, "\\f");
        break;
    case '\n':
        g_string_append(out, "\\n");
        break;
    case '\r':
        g_string_append(out, "\\r");
        break;
    case '\t':
        g_string_append(out, "\\t");
        break;
    case -1:
        append_u_escape(out, 0xFFFD);
        break;
    default:
        if (cp >= 0x20 && cp < 0x7F) {
            g_string_append_c(out, cp);
        } else if (cp < 0x10000) {
            append_u_escape(out, cp);
        } else {
            cp -= 0x10000;
            append_u_escape(out, 0xD800 + (cp >> 10));
            append_u_escape(out, 0xDC00 + (cp & 0x3FF));
        }
    }
    return used;
}

/* A byte that stands for itself inside a JSON string we write. */
static inline bool json_plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

/*
 * json_plain_byte() for eight bytes at once: true when all of them are
 * plain.  The usual bit tricks: a byte of (x - 0x01..) & ~x & 0x80.. is
 * set only if some byte of x is zero (or, with n subtracted, below n),
 * and the test is exact for "is there any", which is all we ask.
 */
#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define ANY_ZERO(x)       (((x) - ONES) & ~(x) & HIGHS)
#define ANY_BELOW(x, n)   (((x) - ONES * (n)) & ~(x) & HIGHS)

static inline bool json_plain_word(uint64_t w)
{
    return !(ANY_BELOW(w, 0x20) | (w & HIGHS) | ANY_ZERO(w ^ (ONES * 0x7F)) |
             ANY_ZERO(w ^ (ONES * '"')) | ANY_ZERO(w ^ (ONES * '\\')));
}

/* Length of the run of plain bytes at s[0..len). */
static size_t json_plain_run(const unsigned char *s, size_t len)
{
    size_t n = 0;
    uint64_t w;

    while (len - n >= 8) {
        memcpy(&w, s + n, 8);
        if (!json_plain_word(w)) {
            break;
        }
        n += 8;
    }
    while (n < len && json_plain_byte(s[n])) {
        n++;
    }
    return n;
}

/*
 * The specification of qjson_escape_string(): every character through
 * escape_one(), no plain runs.  Kept for tests/unit/test-qjson.c, which
 * checks that the two agree (that is, that json_plain_run() only ever
 * skips bytes escape_one() would copy as they are).
 */
void qjson_escape_string_plain(GString *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    g_string_append_c(out, '"');
    while (i < len) {
        i += escape_one(out, s + i, len - i);
    }
    g_string_append_c(out, '"');
}

/*
 * Escape s[0..len) into @out, without the quotes, and stop once @limit
 * bytes have been appended (a little more when the last character's
 * escape crosses it); returns how many input bytes were used, never
 * splitting a character.  Same output, in one call or many, as
 * qjson_escape_string_plain()'s loop (tests/unit/test-qjson.c checks
 * it): runs of bytes that stand for themselves, the usual bulk of a
 * string, are found eight bytes at a time and copied in one append.
 * A 16 MiB "id" spent most of its time in the per-byte path.
 */
static size_t escape_some(GString *out, const unsigned char *s, size_t len,
                          size_t limit)
{
    size_t start = out->len, i = 0;

    while (i < len) {
        size_t room = limit - (out->len - start);
        size_t run = json_plain_run(s + i, MIN(len - i, room));

        g_string_append_len(out, (const char *)s + i, run);
        i += run;
        if (run == room || i == len) {
            break;
        }
        i += escape_one(out, s + i, len - i);
        if (out->len - start >= limit) {
            break;
        }
    }
    return i;
}

/*
 * The output is at least as long as the input: grow once, rather than
 * doubling (and, off the mmap path, copying) step by step.
 */
static void reserve_for_string(GString *out, size_t len)
{
    if (len > 4096) {
        gsize start = out->len;

        g_string_set_size(out, start + len + 2);
        g_string_truncate(out, start);
    }
}

void qjson_escape_string(GString *out, const char *str, size_t len)
{
    reserve_for_string(out, len);
    g_string_append_c(out, '"');
    escape_some(out, (const unsigned char *)str, len, SIZE_MAX);
    g_string_append_c(out, '"');
}

/* ---- The writer, resumable -------------------------------------------- */

/* A dict or list being written: its next member, NULL when all are out. */
typedef struct JSONSliceFrame {
    const QObject *container;
    const void *next;           /* const QDictEntry * or const QListEntry * */
    bool first;
} JSONSliceFrame;

/*
 * The writer keeps where it is as data rather than on the C stack, so
 * that it can stop anywhere, even inside a string, and go on later.
 */
struct JSONSliceWriter {
    QObject *root;              /* our reference */
    bool pretty;
    const char *newline;
    GArray *stack;              /* JSONSliceFrame, innermost last */
    const QObject *value;       /* to write next, or NULL */
    /* A key or string value being escaped: str[pos..len) is left. */
    const char *str;
    size_t len, pos;
    bool in_string;
    bool string_is_key;
    bool done;
};

JSONSliceWriter *json_slice_writer_new(const QObject *obj, bool pretty,
                                       const char *newline)
{
    JSONSliceWriter *w = g_new0(JSONSliceWriter, 1);

    w->root = (QObject *)obj;
    qobject_ref(w->root);
    w->pretty = pretty;
    w->newline = newline;
    w->stack = g_array_new(false, false, sizeof(JSONSliceFrame));
    w->value = obj;
    return w;
}

void json_slice_writer_free(JSONSliceWriter *w)
{
    if (w) {
        g_array_free(w->stack, true);
        qobject_unref(w->root);
        g_free(w);
    }
}

/* In pretty mode, start a new line indented @level steps. */
static void pretty_newline(JSONSliceWriter *w, GString *out, unsigned level)
{
    if (w->pretty) {
        g_string_append(out, w->newline);
        for (unsigned i = 0; i < level; i++) {
            g_string_append(out, "    ");
        }
    }
}

static void start_string(JSONSliceWriter *w, GString *out, const char *str,
                         size_t len, bool is_key, size_t budget)
{
    reserve_for_string(out, MIN(len, budget));
    g_string_append_c(out, '"');
    w->str = str;
    w->len = len;
    w->pos = 0;
    w->in_string = true;
    w->string_is_key = is_key;
}

static void write_number(GString *out, const QNum *qn)
{
    if (qn->kind == QNUM_DOUBLE && isnan(qn->u.dbl)) {
        /* JSON has no NaN and no number comes near it. */
        g_string_append(out, "null");
    } else if (qn->kind == QNUM_DOUBLE && isinf(qn->u.dbl)) {
        /*
         * A JSON number too large for a double (an "id": 1e400) reads as
         * infinity.  QEMU writes "inf", which no JSON reader takes; the
         * nearest number JSON can carry is the largest finite double of
         * the same sign, and a client comparing ids as doubles still
         * finds its own.  (docs/monitor.md)
         */
        g_autoptr(QNum) max = qnum_from_double(copysign(DBL_MAX, qn->u.dbl));
        g_autofree char *text = qnum_to_string(max);

        g_string_append(out, text);
    } else {
        g_autofree char *text = qnum_to_string(qn);

        g_string_append(out, text);
    }
}

/* Write w->value: a scalar whole, a string or container only its start. */
static void write_value(JSONSliceWriter *w, GString *out, size_t budget)
{
    const QObject *obj = w->value;
    JSONSliceFrame frame = { .container = obj, .first = true };

    w->value = NULL;
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        g_string_append(out, "null");
        break;
    case QTYPE_QBOOL:
        g_string_append(out, qbool_get_bool(qobject_to(QBool, obj))
                             ? "true" : "false");
        break;
    case QTYPE_QNUM:
        write_number(out, qobject_to(QNum, obj));
        break;
    case QTYPE_QSTRING: {
        const QString *qs = qobject_to(QString, obj);

        start_string(w, out, qstring_get_str(qs), qstring_get_length(qs),
                     false, budget);
        break;
    }
    case QTYPE_QDICT:
        g_string_append_c(out, '{');
        frame.next = qdict_first(qobject_to(QDict, obj));
        g_array_append_val(w->stack, frame);
        break;
    case QTYPE_QLIST:
        g_string_append_c(out, '[');
        frame.next = QTAILQ_FIRST(&qobject_to(QList, obj)->head);
        g_array_append_val(w->stack, frame);
        break;
    default:
        g_assert_not_reached();
    }
}

/* The next member of the innermost container, or its end. */
static void write_member(JSONSliceWriter *w, GString *out, size_t budget)
{
    JSONSliceFrame *f = &g_array_index(w->stack, JSONSliceFrame,
                                       w->stack->len - 1);
    unsigned level = w->stack->len;
    bool is_dict = qobject_type(f->container) == QTYPE_QDICT;

    if (!f->next) {
        pretty_newline(w, out, level - 1);
        g_string_append_c(out, is_dict ? '}' : ']');
        g_array_set_size(w->stack, w->stack->len - 1);
        return;
    }
    if (!f->first) {
        /* Compact output keeps QEMU's spaces after ':' and ','. */
        g_string_append(out, w->pretty ? "," : ", ");
    }
    f->first = false;
    pretty_newline(w, out, level);
    if (is_dict) {
        const QDictEntry *e = f->next;
        const char *key = qdict_entry_key(e);

        f->next = qdict_next(qobject_to(QDict, f->container), e);
        w->value = qdict_entry_value(e);
        start_string(w, out, key, strlen(key), true, budget);
    } else {
        const QListEntry *e = f->next;

        f->next = QTAILQ_NEXT(e, next);
        w->value = qlist_entry_obj(e);
    }
}

bool json_slice_writer_step(JSONSliceWriter *w, GString *out, size_t budget)
{
    size_t start = out->len;

    assert(budget > 0);
    while (!w->done && out->len - start < budget) {
        size_t left = budget - (out->len - start);

        if (w->in_string) {
            w->pos += escape_some(out, (const unsigned char *)w->str + w->pos,
                                  w->len - w->pos, left);
            if (w->pos == w->len) {
                g_string_append_c(out, '"');
                if (w->string_is_key) {
                    g_string_append(out, ": ");
                }
                w->in_string = false;
            }
        } else if (w->value) {
            write_value(w, out, left);
        } else if (w->stack->len) {
            write_member(w, out, left);
        } else {
            w->done = true;
        }
    }
    if (!w->done && !w->in_string && !w->value && !w->stack->len) {
        /* The last byte went out with the budget: say so now. */
        w->done = true;
    }
    return w->done;
}

GString *qobject_to_json_pretty(const QObject *obj, bool pretty)
{
    GString *out = g_string_new(NULL);
    JSONSliceWriter *w = json_slice_writer_new(obj, pretty, "\n");

    json_slice_writer_step(w, out, SIZE_MAX);
    json_slice_writer_free(w);
    return out;
}

GString *qobject_to_json(const QObject *obj)
{
    return qobject_to_json_pretty(obj, false);
}
