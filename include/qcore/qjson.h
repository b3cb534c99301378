/*
 * JSON in and out of QObjects: a one-shot reader, a streaming reader that
 * splits a byte stream into messages (what QMP reads with), and a writer.
 * Corresponds to QEMU's include/qobject/qjson.h and json-parser.h.
 *
 * The reader accepts RFC 8259 JSON plus QEMU's extension of single-quoted
 * strings ('abc', where \' is an escape) and rejects the rest: NaN,
 * Infinity, comments, trailing commas, leading zeros, raw control
 * characters in strings, invalid or overlong UTF-8, UTF-8 encoded
 * surrogates, lone \u surrogates and noncharacters (U+FDD0..U+FDEF,
 * U+xFFFE, U+xFFFF), escaped or not.  As in QEMU, strings are modified
 * UTF-8: \u0000 (or the raw pair C0 80) is stored as C0 80, which the
 * writer turns back into \u0000.  Integers in int64_t range
 * become int QNums, larger positive ones up to UINT64_MAX uint QNums,
 * anything else a double.
 */
#ifndef QCORE_QJSON_H
#define QCORE_QJSON_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/qobject.h"

/* QEMU's limits: deeper or larger messages are rejected with an error. */
#define JSON_MAX_NESTING      1024
#define JSON_MAX_TOKEN_SIZE   (64u << 20)   /* bytes in one message */
#define JSON_MAX_TOKEN_COUNT  (2u << 20)    /* tokens in one message */

/*
 * Parse @string, which must hold exactly one JSON value (surrounded by
 * any whitespace).  Returns a new reference, or NULL with @errp set.
 */
QObject *qobject_from_json(const char *string, Error **errp);

/* As qobject_from_json(), but the value must be a JSON object. */
QDict *qdict_from_json(const char *string, Error **errp);

/*
 * As qobject_from_json(); with @ap non-NULL, %-escapes in @string
 * outside strings are replaced by QObjects made from the arguments, as
 * QEMU does: %d %ld %lld %" PRId64 " (int QNum), %u %lu %llu %" PRIu64 "
 * (uint QNum), %f (double QNum), %i (QBool), %s (QString), %p (a QObject
 * whose reference the result takes over).  Inside a string only %% is
 * allowed (a '%'); anything else is the error "can't interpolate into
 * string", an unknown escape "invalid interpolation '%x'".
 */
QObject *qobject_from_jsonv(const char *string, va_list *ap, Error **errp);

/*
 * Parse @string with interpolation (above) and return the value; any
 * error aborts, so these are for format strings written in the code,
 * never for untrusted input.  The _qdict_ versions also abort unless the
 * value is a JSON object.
 */
QObject *qobject_from_jsonf_nofail(const char *string, ...)
    G_GNUC_PRINTF(1, 2);
QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);
QDict *qdict_from_jsonf_nofail(const char *string, ...) G_GNUC_PRINTF(1, 2);
QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);

/*
 * Serialise @obj compactly, as QMP does on the wire:
 * {"a": 1, "b": [true, null]}.  ASCII only: non-ASCII and control
 * characters are written as \uXXXX (surrogate pairs above U+FFFF) and
 * invalid UTF-8 or a noncharacter in a QString as \uFFFD (C0 80 as
 * \u0000).  Doubles are written as QEMU writes them, %.17g, which reads
 * back to the same double; non-finite ones, for which QEMU writes the
 * invalid JSON "inf" and "nan", as the nearest valid JSON: the largest
 * finite double of the same sign for an infinity, null for a NaN.
 * The caller frees the result with g_string_free().
 */
GString *qobject_to_json(const QObject *obj);

/*
 * As qobject_to_json(); with @pretty, in the layout of QEMU's -qmp-pretty:
 * one member per line, four spaces per level.
 */
GString *qobject_to_json_pretty(const QObject *obj, bool pretty);

/*
 * Append @str[0..@len) to @out as a JSON string, quotes included, escaped
 * as qobject_to_json() writes strings.  qjson_escape_string_plain() is the
 * same, one character at a time: the specification the fast one is
 * tested against.
 */
void qjson_escape_string(GString *out, const char *str, size_t len);
void qjson_escape_string_plain(GString *out, const char *str, size_t len);

/*
 * The writer of qobject_to_json_pretty() in slices, for a value too
 * large to write in one go in the main loop (a QMP answer with a 16 MiB
 * string): each step appends about @budget more bytes of the same text.
 * json_slice_writer_new() takes a reference to @obj, which must not
 * change until json_slice_writer_free(); @newline is what pretty mode
 * writes at each line break ("\n", or "\r\n" for a terminal).
 * json_slice_writer_step() returns true once the whole value is out;
 * a step may overshoot @budget by one escape, number or indentation.
 * A writer is used by one thread at a time.
 */
typedef struct JSONSliceWriter JSONSliceWriter;

JSONSliceWriter *json_slice_writer_new(const QObject *obj, bool pretty,
                                       const char *newline);
bool json_slice_writer_step(JSONSliceWriter *w, GString *out, size_t budget);
void json_slice_writer_free(JSONSliceWriter *w);

/* ---- Streaming reader ------------------------------------------------ */

typedef struct JSONStreamState JSONStreamState;

/*
 * Splits a byte stream into JSON values.  Embed it in the owner, set it
 * up with json_message_parser_init() and pass bytes as they arrive.
 * Not thread-safe: feed one parser from one thread.
 */
typedef struct JSONMessageParser {
    void (*emit)(void *opaque, QObject *json, Error *err);
    void *opaque;
    JSONStreamState *state;     /* private */
} JSONMessageParser;

/*
 * Prepare @parser.  @emit is called once for every complete top-level
 * value (with @json a new reference and @err NULL) and once for every
 * error (with @json NULL and @err set); it owns what it is given.  It
 * may be called from within json_message_parser_feed() and _flush(), and
 * must not destroy the parser.
 *
 * With @ap non-NULL, %-escapes are interpolated from it as by
 * qobject_from_jsonv(); only for trusted text.  QMP passes NULL.
 */
void json_message_parser_init(JSONMessageParser *parser,
                              void (*emit)(void *opaque, QObject *json,
                                           Error *err),
                              void *opaque, va_list *ap);

/*
 * Feed @size bytes of @buf.  A message may be split over any number of
 * calls and a call may complete any number of messages.
 *
 * Errors and recovery follow QEMU's streamer, so a client sees the same
 * responses in the same number:
 * - A message ends where QEMU's does: when the counts of '{' minus '}'
 *   and '[' minus ']' since its start are both back to zero or either
 *   goes negative.  A syntax error inside it (a missing ':', a duplicate
 *   key, a bad escape) is reported once, when it ends; the following
 *   message is read normally.
 * - A stray byte (one that cannot continue any token: '/', 'T', a control
 *   character or 0xFE/0xFF in a string, "01") is reported at once, drops
 *   the partial message, and input is skipped up to the next structural
 *   character ({}[]:,), control character other than tab, or 0xFE/0xFF,
 *   which is read afresh.  So "/ * c * /{...}" costs one error and runs
 *   the command; a client resynchronises by sending a newline or 0xFF.
 * - A message deeper than JSON_MAX_NESTING or longer than
 *   JSON_MAX_TOKEN_COUNT tokens is reported when the limit is crossed and
 *   dropped; what follows is read as new messages (as QEMU, whose closing
 *   brackets then each answer "expecting value").  A message larger than
 *   JSON_MAX_TOKEN_SIZE bytes is reported and dropped like a stray byte.
 */
void json_message_parser_feed(JSONMessageParser *parser,
                              const char *buf, size_t size);

/*
 * The length of the string being lexed if the parser is inside one, else
 * 0.  A reader uses it to take a long string in larger reads.
 */
size_t json_message_parser_string_len(const JSONMessageParser *parser);

/*
 * End of input: complete a trailing number or keyword, report an
 * unfinished message as an error, and reset to the initial state.
 */
void json_message_parser_flush(JSONMessageParser *parser);

/* Free what the parser holds; a partial message is dropped silently. */
void json_message_parser_destroy(JSONMessageParser *parser);

#endif
