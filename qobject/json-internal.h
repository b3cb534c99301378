/*
 * Private to qobject/: the JSON lexer and the push-down parser that the
 * streamer (json-streamer.c) drives.  Corresponds to QEMU's
 * qobject/json-parser-int.h.
 */
#ifndef QOBJECT_JSON_INTERNAL_H
#define QOBJECT_JSON_INTERNAL_H

#include "qcore/qjson.h"

typedef enum JSONTokenType {
    JSON_LCURLY = '{',
    JSON_RCURLY = '}',
    JSON_LSQUARE = '[',
    JSON_RSQUARE = ']',
    JSON_COLON = ':',
    JSON_COMMA = ',',
    JSON_INTEGER = 256,
    JSON_FLOAT,
    JSON_KEYWORD,
    JSON_STRING,
    JSON_INTERP,            /* %d, %s, %p...: only with interpolation on */
} JSONTokenType;

typedef enum JSONLexResult {
    JSON_LEX_MORE,          /* byte consumed, no token yet */
    JSON_LEX_TOKEN,         /* byte consumed and ended a token */
    JSON_LEX_LOOKAHEAD,     /* byte ended a token; feed it again */
    JSON_LEX_ERROR,         /* errp set (a stray byte); the lexer skips
                               to the next resync byte by itself */
} JSONLexResult;

typedef struct JSONLexer {
    int state;
    JSONTokenType type;     /* of the token just completed */
    GString *token;         /* its text; strings are already unescaped */
    char quote;             /* '"' or '\'' while in a string */
    int pending;            /* hex digits or UTF-8 bytes still expected */
    uint32_t cp;            /* code point being assembled */
    uint32_t min_cp;        /* smallest code point the UTF-8 length allows */
    uint32_t high;          /* high surrogate waiting for its low half */
    /* The \uXXXX escape(s) being read, as written, for error messages. */
    char esc[sizeof("\\uXXXX\\uXXXX")];
    int esc_len;
    /*
     * Interpolation (qobject_from_jsonf_nofail and friends): '%' starts
     * a JSON_INTERP token, and in strings only "%%" (a '%') is allowed.
     */
    bool interp;
    /*
     * With a JSON_STRING token: why its content is invalid (what QEMU's
     * parser reports), else NULL.  Whoever takes the token frees it.
     */
    Error *bad;
    /*
     * Once @token has reserved the message limit (a long string): how
     * much of its buffer is known to be backed by memory, see
     * json_lexer_feed_plain().
     */
    gsize prefaulted;
} JSONLexer;

void json_lexer_init(JSONLexer *lexer);
void json_lexer_reset(JSONLexer *lexer);
void json_lexer_destroy(JSONLexer *lexer);
bool json_lexer_idle(const JSONLexer *lexer);
/* In a string (its text so far is @token), outside any escape. */
bool json_lexer_in_string(const JSONLexer *lexer);
/* Skipping input after a stray byte, as QEMU's lexer does. */
bool json_lexer_recovering(const JSONLexer *lexer);
/* Drop the token being lexed and skip input to the next resync byte. */
void json_lexer_recover(JSONLexer *lexer);
JSONLexResult json_lexer_feed_char(JSONLexer *lexer, unsigned char c,
                                   Error **errp);
/*
 * Finish a token that only lookahead could end (at end of input).  The
 * lexer is at its start afterwards, whatever the result.
 */
JSONLexResult json_lexer_flush(JSONLexer *lexer, Error **errp);
/*
 * Fast path for long strings: consume the leading bytes of @buf that
 * need no decoding (printable ASCII other than the quote and backslash)
 * when inside a string.  Returns how many bytes were consumed.
 */
size_t json_lexer_feed_plain(JSONLexer *lexer, const char *buf, size_t len);
/* Hand over the text of the string token just completed. */
GString *json_lexer_steal_token(JSONLexer *lexer);

typedef struct JSONParser {
    GArray *stack;          /* JSONParserFrame, innermost last */
    va_list *ap;            /* the values of JSON_INTERP tokens, or NULL */
} JSONParser;

void json_parser_init(JSONParser *parser);
void json_parser_reset(JSONParser *parser);
void json_parser_destroy(JSONParser *parser);
bool json_parser_idle(const JSONParser *parser);
/*
 * Feed the token the lexer just completed.  Returns the top-level value
 * it completes (a new reference), or NULL: with *errp set on error (the
 * parser is then reset), without when more tokens are needed.
 */
QObject *json_parser_feed_token(JSONParser *parser, JSONLexer *lexer,
                                Error **errp);

#endif
