/*
 * JSONMessageParser: splits a byte stream into top-level JSON values,
 * enforces the size and token limits, and resynchronises after errors.
 * Corresponds to QEMU's qobject/json-streamer.c.
 */
#include "qcore/osdep.h"
#include "json-internal.h"

struct JSONStreamState {
    JSONLexer lexer;
    JSONParser parser;
    bool in_message;        /* bytes of a message have been seen */
    bool recovering;        /* after an error: skipping to '\n' or 0xFF */
    size_t size;            /* bytes in the current message */
    size_t tokens;          /* tokens in the current message */
};

/* The bytes after which a client may assume the parser is reset. */
static bool is_resync_byte(unsigned char c)
{
    return c == '\n' || c == 0xFF;
}

static void message_done(JSONStreamState *s)
{
    s->in_message = false;
    s->size = 0;
    s->tokens = 0;
}

/*
 * Drop the partial message and report @err.  Unless @c (the byte being
 * handled) already was a resync byte, skip input until one.
 */
static void stream_fail(JSONMessageParser *p, Error *err, int c)
{
    JSONStreamState *s = p->state;

    json_lexer_reset(&s->lexer);
    json_parser_reset(&s->parser);
    message_done(s);
    s->recovering = c < 0 || !is_resync_byte(c);
    p->emit(p->opaque, NULL, err);
}

/* The lexer completed a token: count it and give it to the parser. */
static bool stream_token(JSONMessageParser *p, int c)
{
    JSONStreamState *s = p->state;
    Error *err = NULL;
    QObject *obj;

    if (++s->tokens > JSON_MAX_TOKEN_COUNT) {
        error_setg(&err, "JSON token count limit exceeded");
        stream_fail(p, err, c);
        return false;
    }
    obj = json_parser_feed_token(&s->parser, &s->lexer, &err);
    if (err) {
        stream_fail(p, err, c);
        return false;
    }
    if (obj) {
        message_done(s);
        p->emit(p->opaque, obj, NULL);
    }
    return true;
}

static void stream_byte(JSONMessageParser *p, unsigned char c)
{
    JSONStreamState *s = p->state;
    Error *err = NULL;

    if (s->recovering) {
        s->recovering = !is_resync_byte(c);
        return;
    }
    if (s->in_message || !g_ascii_isspace(c)) {
        s->in_message = true;
        if (++s->size > JSON_MAX_TOKEN_SIZE) {
            error_setg(&err, "JSON token size limit exceeded");
            stream_fail(p, err, c);
            return;
        }
    }
    for (;;) {
        switch (json_lexer_feed_char(&s->lexer, c, &err)) {
        case JSON_LEX_MORE:
            return;
        case JSON_LEX_ERROR:
            stream_fail(p, err, c);
            return;
        case JSON_LEX_TOKEN:
            stream_token(p, c);
            return;
        case JSON_LEX_LOOKAHEAD:
            if (!stream_token(p, c)) {
                return;
            }
            if (!s->in_message && !g_ascii_isspace(c)) {
                /* c starts the next message */
                s->in_message = true;
                s->size = 1;
            }
            break;      /* c again, now from the lexer's start state */
        }
    }
}

void json_message_parser_init(JSONMessageParser *parser,
                              void (*emit)(void *opaque, QObject *json,
                                           Error *err),
                              void *opaque, va_list *ap)
{
    JSONStreamState *s = g_new0(JSONStreamState, 1);

    assert(!ap);
    json_lexer_init(&s->lexer);
    json_parser_init(&s->parser);
    parser->emit = emit;
    parser->opaque = opaque;
    parser->state = s;
}

void json_message_parser_feed(JSONMessageParser *parser,
                              const char *buf, size_t size)
{
    JSONStreamState *s = parser->state;
    size_t i = 0;

    while (i < size) {
        /*
         * Inside a string, copy runs of plain bytes in one go: this is
         * what makes megabyte strings cheap.
         */
        if (!s->recovering) {
            size_t room = JSON_MAX_TOKEN_SIZE - s->size;
            size_t n = json_lexer_feed_plain(&s->lexer, buf + i,
                                             MIN(size - i, room));

            s->size += n;
            i += n;
            if (i == size) {
                break;
            }
        }
        stream_byte(parser, buf[i++]);
    }
}

void json_message_parser_flush(JSONMessageParser *parser)
{
    JSONStreamState *s = parser->state;
    Error *err = NULL;

    if (s->recovering) {
        s->recovering = false;
        return;
    }
    switch (json_lexer_flush(&s->lexer, &err)) {
    case JSON_LEX_ERROR:
        stream_fail(parser, err, -1);
        s->recovering = false;
        return;
    case JSON_LEX_TOKEN:
        if (!stream_token(parser, -1)) {
            s->recovering = false;
            return;
        }
        break;
    default:
        break;
    }
    if (!json_parser_idle(&s->parser)) {
        error_setg(&err, "JSON parse error, premature EOI");
        stream_fail(parser, err, -1);
        s->recovering = false;
    }
    message_done(s);
}

void json_message_parser_destroy(JSONMessageParser *parser)
{
    JSONStreamState *s = parser->state;

    if (!s) {
        return;
    }
    json_lexer_destroy(&s->lexer);
    json_parser_destroy(&s->parser);
    g_free(s);
    parser->state = NULL;
}
