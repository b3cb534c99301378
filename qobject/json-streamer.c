/*
 * JSONMessageParser: splits a byte stream into top-level JSON values,
 * enforces the size and token limits, and resynchronises after errors
 * exactly where QEMU's streamer does (see qcore/qjson.h).
 * Corresponds to QEMU's qobject/json-streamer.c.
 */
#include "qcore/osdep.h"
#include "json-internal.h"

struct JSONStreamState {
    JSONLexer lexer;
    JSONParser parser;
    /*
     * QEMU's counts of '{' minus '}' and '[' minus ']' in the current
     * message: they, not the parser, say where a message ends, so that
     * after a syntax error the same bytes form the next message as in QEMU.
     */
    int brace_count;
    int bracket_count;
    /* A syntax error in the current message, reported when it ends. */
    Error *pending;
    bool in_message;        /* bytes of a message have been seen */
    size_t size;            /* bytes in the current message */
    size_t tokens;          /* tokens in the current message */
};

static bool is_json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Forget the current message (its parse state, counts and error). */
static void message_done(JSONStreamState *s)
{
    json_parser_reset(&s->parser);
    error_free(s->pending);
    s->pending = NULL;
    s->brace_count = 0;
    s->bracket_count = 0;
    s->in_message = false;
    s->size = 0;
    s->tokens = 0;
}

static void stream_emit(JSONMessageParser *p, QObject *obj, Error *err)
{
    message_done(p->state);
    p->emit(p->opaque, obj, err);
}

/* QEMU's rule: a message is over unless some bracket is still open. */
static bool message_ends(const JSONStreamState *s)
{
    return !((s->brace_count > 0 || s->bracket_count > 0) &&
             s->brace_count >= 0 && s->bracket_count >= 0);
}

/* The lexer completed a token: count it and give it to the parser. */
static void stream_token(JSONMessageParser *p)
{
    JSONStreamState *s = p->state;
    Error *err = NULL;
    QObject *obj = NULL;

    switch (s->lexer.type) {
    case JSON_LCURLY:
        s->brace_count++;
        break;
    case JSON_RCURLY:
        s->brace_count--;
        break;
    case JSON_LSQUARE:
        s->bracket_count++;
        break;
    case JSON_RSQUARE:
        s->bracket_count--;
        break;
    default:
        break;
    }
    if (++s->tokens > JSON_MAX_TOKEN_COUNT) {
        error_setg(&err, "JSON token count limit exceeded");
    } else if (s->brace_count + s->bracket_count > JSON_MAX_NESTING) {
        error_setg(&err, "JSON nesting depth limit exceeded");
    }
    if (err) {
        /* Reported now, replacing any error the message had. */
        error_free(s->lexer.bad);
        s->lexer.bad = NULL;
        stream_emit(p, NULL, err);
        return;
    }

    if (s->pending) {
        /* The message is already wrong: only its end matters. */
        error_free(s->lexer.bad);
        s->lexer.bad = NULL;
    } else {
        obj = json_parser_feed_token(&s->parser, &s->lexer, &s->pending);
        if (obj) {
            stream_emit(p, obj, NULL);
            return;
        }
    }
    if (s->pending && message_ends(s)) {
        err = s->pending;
        s->pending = NULL;
        stream_emit(p, NULL, err);
    }
}

static void stream_byte(JSONMessageParser *p, unsigned char c)
{
    JSONStreamState *s = p->state;
    Error *err = NULL;

    if (!json_lexer_recovering(&s->lexer) &&
        (s->in_message || !is_json_space(c))) {
        s->in_message = true;
        if (++s->size > JSON_MAX_TOKEN_SIZE) {
            error_setg(&err, "JSON token size limit exceeded");
            json_lexer_recover(&s->lexer);
            stream_emit(p, NULL, err);
            return;
        }
    }
    for (;;) {
        switch (json_lexer_feed_char(&s->lexer, c, &err)) {
        case JSON_LEX_MORE:
            return;
        case JSON_LEX_ERROR:
            /* A stray byte: the lexer now skips to a resync byte. */
            stream_emit(p, NULL, err);
            return;
        case JSON_LEX_TOKEN:
            stream_token(p);
            return;
        case JSON_LEX_LOOKAHEAD:
            stream_token(p);
            if (!s->in_message && !is_json_space(c)) {
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

    json_lexer_init(&s->lexer);
    json_parser_init(&s->parser);
    /* Interpolation is for trusted format strings: never QMP input. */
    s->lexer.interp = ap != NULL;
    s->parser.ap = ap;
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
        size_t room = JSON_MAX_TOKEN_SIZE - s->size;
        size_t n = json_lexer_feed_plain(&s->lexer, buf + i,
                                         MIN(size - i, room));

        s->size += n;
        i += n;
        if (i == size) {
            break;
        }
        stream_byte(parser, buf[i++]);
    }
}

size_t json_message_parser_string_len(const JSONMessageParser *parser)
{
    const JSONLexer *lexer = &parser->state->lexer;

    return json_lexer_in_string(lexer) ? lexer->token->len : 0;
}

void json_message_parser_flush(JSONMessageParser *parser)
{
    JSONStreamState *s = parser->state;
    Error *err = NULL;

    switch (json_lexer_flush(&s->lexer, &err)) {
    case JSON_LEX_ERROR:
        stream_emit(parser, NULL, err);
        return;
    case JSON_LEX_TOKEN:
        stream_token(parser);
        break;
    default:
        break;
    }
    /* As QEMU at end of input: the message's own error, else EOI. */
    if (s->pending) {
        err = s->pending;
        s->pending = NULL;
        stream_emit(parser, NULL, err);
    } else if (!json_parser_idle(&s->parser)) {
        error_setg(&err, "JSON parse error, premature EOI");
        stream_emit(parser, NULL, err);
    }
    message_done(s);
}

void json_message_parser_destroy(JSONMessageParser *parser)
{
    JSONStreamState *s = parser->state;

    if (!s) {
        return;
    }
    message_done(s);
    json_lexer_destroy(&s->lexer);
    json_parser_destroy(&s->parser);
    g_free(s);
    parser->state = NULL;
}
