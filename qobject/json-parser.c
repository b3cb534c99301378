/*
 * JSON parser: builds QObjects from tokens as they come, with an explicit
 * stack of open objects and arrays instead of recursion, so a message
 * never needs to be buffered as tokens and depth costs no C stack.
 * Corresponds to QEMU's qobject/json-parser.c (which parses a buffered
 * token list recursively).
 */
#include "qcore/osdep.h"
#include "json-internal.h"

/* What the innermost open container expects next. */
typedef enum {
    P_FIRST,        /* after '{' or '[': a member or the closing bracket */
    P_KEY,          /* after ',' in an object */
    P_COLON,
    P_VALUE,        /* after ':' in an object, after ',' in an array */
    P_SEPARATOR,    /* after a member: ',' or the closing bracket */
} ParserExpect;

typedef struct JSONParserFrame {
    QObject *container;     /* QDict or QList */
    QString *key;           /* object member whose value comes next */
    ParserExpect expect;
} JSONParserFrame;

void json_parser_init(JSONParser *parser)
{
    parser->stack = g_array_new(FALSE, FALSE, sizeof(JSONParserFrame));
}

void json_parser_reset(JSONParser *parser)
{
    for (guint i = 0; i < parser->stack->len; i++) {
        JSONParserFrame *f = &g_array_index(parser->stack, JSONParserFrame, i);

        qobject_unref(f->container);
        qobject_unref(f->key);
    }
    g_array_set_size(parser->stack, 0);
}

void json_parser_destroy(JSONParser *parser)
{
    json_parser_reset(parser);
    g_array_free(parser->stack, TRUE);
    parser->stack = NULL;
}

bool json_parser_idle(const JSONParser *parser)
{
    return parser->stack->len == 0;
}

static QObject *parse_error(JSONParser *parser, Error **errp,
                            const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static QObject *parse_error(JSONParser *parser, Error **errp,
                            const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "JSON parse error, %s", msg);
    json_parser_reset(parser);
    return NULL;
}

static JSONParserFrame *top_frame(JSONParser *parser)
{
    if (!parser->stack->len) {
        return NULL;
    }
    return &g_array_index(parser->stack, JSONParserFrame,
                          parser->stack->len - 1);
}

/*
 * QEMU's rule: an integer is an int if it fits int64_t, else a uint if it
 * fits uint64_t, else (like any number with a fraction or exponent) a
 * double.
 */
static QObject *parse_number(JSONTokenType type, const char *text)
{
    if (type == JSON_INTEGER) {
        char *end;

        errno = 0;
        int64_t i = strtoll(text, &end, 10);
        if (errno == 0) {
            return QOBJECT(qnum_from_int(i));
        }
        if (text[0] != '-') {
            errno = 0;
            uint64_t u = strtoull(text, &end, 10);
            if (errno == 0) {
                return QOBJECT(qnum_from_uint(u));
            }
        }
    }
    /* Out of range doubles become +-inf or 0, as QEMU's strtod gives. */
    return QOBJECT(qnum_from_double(g_ascii_strtod(text, NULL)));
}

/* Why a value cannot come next in @f, or NULL when it can. */
static const char *value_unexpected(const JSONParserFrame *f, bool is_string)
{
    if (qobject_type(f->container) == QTYPE_QLIST) {
        return f->expect == P_SEPARATOR ? "expected separator in list" : NULL;
    }
    switch (f->expect) {
    case P_FIRST:
    case P_KEY:
        return is_string ? NULL : "key is not a string in object";
    case P_COLON:
        return "missing : in object pair";
    case P_SEPARATOR:
        return "expected separator in dict";
    case P_VALUE:
        return NULL;
    }
    g_assert_not_reached();
}

/* A complete value: it is the message, or a member of the open container. */
static QObject *parse_value(JSONParser *parser, QObject *value, Error **errp)
{
    JSONParserFrame *f = top_frame(parser);
    const char *unexpected;

    if (!f) {
        return value;
    }
    unexpected = value_unexpected(f, qobject_type(value) == QTYPE_QSTRING);
    if (unexpected) {
        qobject_unref(value);
        return parse_error(parser, errp, "%s", unexpected);
    }
    if (qobject_type(f->container) == QTYPE_QLIST) {
        qlist_append_obj(qobject_to(QList, f->container), value);
        f->expect = P_SEPARATOR;
    } else if (f->expect == P_VALUE) {
        QDict *dict = qobject_to(QDict, f->container);

        /*
         * Last-wins would let a second "execute" replace the first one
         * unseen.  Checked once the value is complete, as QEMU does, so
         * an error inside the value is the one reported.
         */
        if (qdict_haskey(dict, qstring_get_str(f->key))) {
            qobject_unref(value);
            return parse_error(parser, errp, "duplicate key");
        }
        qdict_put_obj(dict, qstring_get_str(f->key), value);
        qobject_unref(f->key);
        f->key = NULL;
        f->expect = P_SEPARATOR;
    } else {
        f->key = qobject_to(QString, value);
        f->expect = P_COLON;
    }
    return NULL;
}

static QObject *parse_open(JSONParser *parser, QObject *container,
                           Error **errp)
{
    JSONParserFrame *f = top_frame(parser);
    JSONParserFrame frame = { .container = container, .expect = P_FIRST };
    const char *unexpected = f ? value_unexpected(f, false) : NULL;

    if (unexpected) {
        qobject_unref(container);
        return parse_error(parser, errp, "%s", unexpected);
    }
    if (parser->stack->len >= JSON_MAX_NESTING) {
        qobject_unref(container);
        json_parser_reset(parser);
        error_setg(errp, "JSON nesting depth limit exceeded");
        return NULL;
    }
    g_array_append_val(parser->stack, frame);
    return NULL;
}

/* Why a punctuation or closing token that does not fit @f is wrong. */
static const char *punct_unexpected(const JSONParserFrame *f)
{
    if (!f) {
        return "expecting value";
    }
    switch (f->expect) {
    case P_SEPARATOR:
        return qobject_type(f->container) == QTYPE_QLIST
               ? "expected separator in list" : "expected separator in dict";
    case P_COLON:
        return "missing : in object pair";
    default:
        return "expecting value";
    }
}

static QObject *parse_close(JSONParser *parser, QType type, Error **errp)
{
    JSONParserFrame *f = top_frame(parser);
    QObject *container;

    /* Fits after '{' / '[' or after a member, if the bracket matches. */
    if (!f || qobject_type(f->container) != type ||
        (f->expect != P_FIRST && f->expect != P_SEPARATOR)) {
        return parse_error(parser, errp, "%s", punct_unexpected(f));
    }
    container = f->container;
    g_array_set_size(parser->stack, parser->stack->len - 1);
    return parse_value(parser, container, errp);
}

static QObject *parse_punct(JSONParser *parser, char c, Error **errp)
{
    JSONParserFrame *f = top_frame(parser);
    bool is_dict = f && qobject_type(f->container) == QTYPE_QDICT;

    if (c == ':') {
        if (!is_dict || f->expect != P_COLON) {
            return parse_error(parser, errp, "%s", punct_unexpected(f));
        }
        f->expect = P_VALUE;
        return NULL;
    }
    /* c == ',' */
    if (!f || f->expect != P_SEPARATOR) {
        return parse_error(parser, errp, "%s", punct_unexpected(f));
    }
    f->expect = is_dict ? P_KEY : P_VALUE;
    return NULL;
}

/*
 * A string whose content the lexer found invalid.  Where no string may
 * stand, that is the error (QEMU never decodes a string it does not
 * expect); otherwise the string's own.
 */
static QObject *parse_bad_string(JSONParser *parser, JSONLexer *lexer,
                                 Error **errp)
{
    JSONParserFrame *f = top_frame(parser);
    const char *unexpected = f ? value_unexpected(f, true) : NULL;
    Error *bad = lexer->bad;

    lexer->bad = NULL;
    if (unexpected) {
        error_free(bad);
        return parse_error(parser, errp, "%s", unexpected);
    }
    json_parser_reset(parser);
    error_propagate(errp, bad);
    return NULL;
}

/*
 * The value of a %-escape, taken from the caller's arguments; QEMU's set
 * of escapes and its message for any other.  %p hands over the caller's
 * reference to a QObject, %i makes a bool.
 */
static QObject *parse_interpolation(JSONParser *parser, const char *text,
                                    Error **errp)
{
    va_list *ap = parser->ap;

    assert(ap);
    if (!strcmp(text, "%p")) {
        return va_arg(*ap, QObject *);
    } else if (!strcmp(text, "%i")) {
        return QOBJECT(qbool_from_bool(va_arg(*ap, int)));
    } else if (!strcmp(text, "%d")) {
        return QOBJECT(qnum_from_int(va_arg(*ap, int)));
    } else if (!strcmp(text, "%ld")) {
        return QOBJECT(qnum_from_int(va_arg(*ap, long)));
    } else if (!strcmp(text, "%lld")) {
        return QOBJECT(qnum_from_int(va_arg(*ap, long long)));
    } else if (!strcmp(text, "%" PRId64)) {
        return QOBJECT(qnum_from_int(va_arg(*ap, int64_t)));
    } else if (!strcmp(text, "%u")) {
        return QOBJECT(qnum_from_uint(va_arg(*ap, unsigned int)));
    } else if (!strcmp(text, "%lu")) {
        return QOBJECT(qnum_from_uint(va_arg(*ap, unsigned long)));
    } else if (!strcmp(text, "%llu")) {
        return QOBJECT(qnum_from_uint(va_arg(*ap, unsigned long long)));
    } else if (!strcmp(text, "%" PRIu64)) {
        return QOBJECT(qnum_from_uint(va_arg(*ap, uint64_t)));
    } else if (!strcmp(text, "%s")) {
        return QOBJECT(qstring_from_str(va_arg(*ap, const char *)));
    } else if (!strcmp(text, "%f")) {
        return QOBJECT(qnum_from_double(va_arg(*ap, double)));
    }
    return parse_error(parser, errp, "invalid interpolation '%s'", text);
}

QObject *json_parser_feed_token(JSONParser *parser, JSONLexer *lexer,
                                Error **errp)
{
    const char *text = lexer->token->str;

    switch (lexer->type) {
    case JSON_LCURLY:
        return parse_open(parser, QOBJECT(qdict_new()), errp);
    case JSON_LSQUARE:
        return parse_open(parser, QOBJECT(qlist_new()), errp);
    case JSON_RCURLY:
        return parse_close(parser, QTYPE_QDICT, errp);
    case JSON_RSQUARE:
        return parse_close(parser, QTYPE_QLIST, errp);
    case JSON_COLON:
    case JSON_COMMA:
        return parse_punct(parser, lexer->type, errp);
    case JSON_INTEGER:
    case JSON_FLOAT:
        return parse_value(parser, parse_number(lexer->type, text), errp);
    case JSON_STRING:
        if (lexer->bad) {
            return parse_bad_string(parser, lexer, errp);
        }
        return parse_value(parser,
                           QOBJECT(qstring_from_gstring(
                                       json_lexer_steal_token(lexer))),
                           errp);
    case JSON_INTERP: {
        QObject *value = parse_interpolation(parser, text, errp);

        return value ? parse_value(parser, value, errp) : NULL;
    }
    case JSON_KEYWORD:
        if (!strcmp(text, "true")) {
            return parse_value(parser, QOBJECT(qbool_from_bool(true)), errp);
        }
        if (!strcmp(text, "false")) {
            return parse_value(parser, QOBJECT(qbool_from_bool(false)), errp);
        }
        if (!strcmp(text, "null")) {
            return parse_value(parser, QOBJECT(qnull()), errp);
        }
        if (top_frame(parser) && (top_frame(parser)->expect == P_SEPARATOR ||
                                  top_frame(parser)->expect == P_COLON)) {
            /* QEMU reads a keyword only where a value may stand. */
            return parse_error(parser, errp, "%s",
                               value_unexpected(top_frame(parser), false));
        }
        return parse_error(parser, errp, "invalid keyword '%s'", text);
    }
    g_assert_not_reached();
}
