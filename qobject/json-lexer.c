/*
 * JSON lexer: turns bytes, fed one at a time, into tokens.  Strings come
 * out unescaped and UTF-8 validated, so nothing downstream rescans them.
 * Corresponds to QEMU's qobject/json-lexer.c (a hand-written state
 * machine here instead of QEMU's transition table).
 *
 * Errors come in QEMU's two kinds, because they resynchronise differently.
 * A byte that cannot continue any token (QEMU's lexer error, "stray") ends
 * the token at once and the lexer then skips input up to a structural
 * character, a control character other than tab, or 0xFE/0xFF, which it
 * reads afresh.  A well-formed string whose content is wrong (a bad
 * escape, bad UTF-8: what QEMU's parser rejects) is lexed to its closing
 * quote like any string and delivered with lexer->bad set, so the brackets
 * inside it do not count and the message ends where QEMU's ends.
 */
#include "qcore/osdep.h"
#include <sys/mman.h>
#include "json-internal.h"

enum {
    L_START,
    L_STRING,
    L_ESCAPE,               /* after a backslash */
    L_HEX,                  /* in the four digits of \uXXXX */
    L_SURROGATE_BACKSLASH,  /* after a high surrogate: need "\u" */
    L_SURROGATE_U,
    L_UTF8,                 /* in the continuation bytes of a sequence */
    L_PERCENT,              /* after '%' in a string, interpolating */
    L_MINUS,                /* number states follow RFC 8259's grammar */
    L_ZERO,
    L_INT,
    L_DOT,
    L_FRAC,
    L_EXP,
    L_EXP_SIGN,
    L_EXP_DIGITS,
    L_KEYWORD,
    L_INTERP,               /* %d, %lld, %s...: '%' and letters, digits */
    L_RECOVERY,             /* after a stray byte: skipping to a resync byte */
    L_BAD_STRING,           /* in a string already found wrong: to its end */
    L_BAD_ESCAPE,           /* the byte after a backslash in such a string */
};

/* See json_lexer_feed_plain(). */
#define JSON_TOKEN_RESERVE_AT (64 * 1024)
#define JSON_TOKEN_PREFAULT (64 * 1024)

void json_lexer_init(JSONLexer *lexer)
{
    memset(lexer, 0, sizeof(*lexer));
    lexer->token = g_string_sized_new(64);
}

void json_lexer_reset(JSONLexer *lexer)
{
    lexer->state = L_START;
    lexer->high = 0;
    error_free(lexer->bad);
    lexer->bad = NULL;
    /* Don't keep a 64 MiB buffer around after one huge string. */
    if (lexer->token->allocated_len > 65536) {
        g_string_free(lexer->token, TRUE);
        lexer->token = g_string_sized_new(64);
    }
    g_string_truncate(lexer->token, 0);
}

void json_lexer_destroy(JSONLexer *lexer)
{
    error_free(lexer->bad);
    lexer->bad = NULL;
    g_string_free(lexer->token, TRUE);
    lexer->token = NULL;
}

bool json_lexer_idle(const JSONLexer *lexer)
{
    return lexer->state == L_START;
}

bool json_lexer_in_string(const JSONLexer *lexer)
{
    return lexer->state == L_STRING;
}

bool json_lexer_recovering(const JSONLexer *lexer)
{
    return lexer->state == L_RECOVERY;
}

void json_lexer_recover(JSONLexer *lexer)
{
    json_lexer_reset(lexer);
    lexer->state = L_RECOVERY;
}

GString *json_lexer_steal_token(JSONLexer *lexer)
{
    GString *s = lexer->token;

    lexer->token = g_string_sized_new(64);
    return s;
}

static JSONLexResult lex_token(JSONLexer *lexer, JSONTokenType type,
                               JSONLexResult how)
{
    lexer->type = type;
    lexer->state = L_START;
    return how;
}

static JSONLexResult lex_error(JSONLexer *lexer, Error **errp,
                               const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static JSONLexResult lex_error(JSONLexer *lexer, Error **errp,
                               const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "JSON parse error, %s", msg);
    json_lexer_recover(lexer);
    return JSON_LEX_ERROR;
}

static JSONLexResult lex_bad_string_byte(JSONLexer *lexer, unsigned char c);

/*
 * The string being lexed is wrong but not over: remember the first
 * reason and lex on to its closing quote.  @again: @c did not belong to
 * what was wrong (it ended a \u or UTF-8 sequence early) and is read
 * again as the string's next byte.
 */
static JSONLexResult lex_bad_string(JSONLexer *lexer, unsigned char c,
                                    bool again, const char *msg)
{
    error_setg(&lexer->bad, "JSON parse error, %s", msg);
    lexer->high = 0;
    lexer->state = L_BAD_STRING;
    return again ? lex_bad_string_byte(lexer, c) : JSON_LEX_MORE;
}

static JSONLexResult lex_bad_string_byte(JSONLexer *lexer, unsigned char c)
{
    if (lexer->state == L_BAD_ESCAPE) {
        lexer->state = L_BAD_STRING;
    } else if (c == lexer->quote) {
        g_string_truncate(lexer->token, 0);
        return lex_token(lexer, JSON_STRING, JSON_LEX_TOKEN);
    } else if (c == '\\') {
        lexer->state = L_BAD_ESCAPE;
    }
    return JSON_LEX_MORE;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/*
 * Unicode noncharacters: U+FDD0..U+FDEF and the last two code points of
 * every plane.  QEMU refuses them in strings, escaped or not.
 */
static bool is_noncharacter(uint32_t cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* QEMU's message for a bad \u escape quotes the escape as written. */
static JSONLexResult lex_bad_unicode_escape(JSONLexer *lexer,
                                            unsigned char c, bool again)
{
    g_autofree char *msg = g_strdup_printf(
        "%.*s is not a valid Unicode character", lexer->esc_len, lexer->esc);

    return lex_bad_string(lexer, c, again, msg);
}

/* A \uXXXX escape is complete: check it and append it as UTF-8. */
static JSONLexResult lex_unicode_escape(JSONLexer *lexer, unsigned char c)
{
    uint32_t cp = lexer->cp;

    if (lexer->high) {
        uint32_t high = lexer->high;

        lexer->high = 0;
        if (cp < 0xDC00 || cp > 0xDFFF) {
            /* QEMU quotes only the unpaired high half. */
            lexer->esc_len = 6;
            return lex_bad_unicode_escape(lexer, c, false);
        }
        cp = 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00);
    } else if (cp >= 0xD800 && cp <= 0xDBFF) {
        lexer->high = cp;
        lexer->state = L_SURROGATE_BACKSLASH;
        return JSON_LEX_MORE;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return lex_bad_unicode_escape(lexer, c, false);
    }
    if (is_noncharacter(cp)) {
        return lex_bad_unicode_escape(lexer, c, false);
    }
    if (cp == 0) {
        /*
         * QStrings are NUL-terminated, so QEMU stores U+0000 in modified
         * UTF-8, as the overlong pair C0 80; the writer turns it back
         * into \u0000.
         */
        g_string_append_len(lexer->token, "\xC0\x80", 2);
    } else {
        g_string_append_unichar(lexer->token, cp);
    }
    lexer->state = L_STRING;
    return JSON_LEX_MORE;
}

/* Control characters and 0xFE/0xFF were refused before these run. */
static JSONLexResult lex_string_byte(JSONLexer *lexer, unsigned char c)
{
    if (c == lexer->quote) {
        return lex_token(lexer, JSON_STRING, JSON_LEX_TOKEN);
    }
    if (c == '\\') {
        lexer->state = L_ESCAPE;
        return JSON_LEX_MORE;
    }
    if (c == '%' && lexer->interp) {
        lexer->state = L_PERCENT;
        return JSON_LEX_MORE;
    }
    if (c < 0x80) {
        g_string_append_c(lexer->token, c);
        return JSON_LEX_MORE;
    }
    /*
     * Lead bytes: C0 and C1 start overlong forms (only C0 80, modified
     * UTF-8's U+0000, is taken), F5+ code points beyond U+10FFFF.
     */
    if (c >= 0xC0 && c <= 0xDF) {
        lexer->pending = 1;
        lexer->cp = c & 0x1F;
        lexer->min_cp = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        lexer->pending = 2;
        lexer->cp = c & 0x0F;
        lexer->min_cp = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        lexer->pending = 3;
        lexer->cp = c & 0x07;
        lexer->min_cp = 0x10000;
    } else {
        return lex_bad_string(lexer, c, false,
                              "invalid UTF-8 sequence in string");
    }
    g_string_append_c(lexer->token, c);
    lexer->state = L_UTF8;
    return JSON_LEX_MORE;
}

static JSONLexResult lex_utf8_continuation(JSONLexer *lexer, unsigned char c)
{
    if ((c & 0xC0) != 0x80) {
        /* The sequence ended early: @c is the string's next byte. */
        return lex_bad_string(lexer, c, true,
                              "invalid UTF-8 sequence in string");
    }
    lexer->cp = (lexer->cp << 6) | (c & 0x3F);
    g_string_append_c(lexer->token, c);
    if (--lexer->pending) {
        return JSON_LEX_MORE;
    }
    if ((lexer->cp < lexer->min_cp &&
         !(lexer->cp == 0 && lexer->min_cp == 0x80)) ||
        lexer->cp > 0x10FFFF ||
        (lexer->cp >= 0xD800 && lexer->cp <= 0xDFFF) ||
        is_noncharacter(lexer->cp)) {
        return lex_bad_string(lexer, c, false,
                              "invalid UTF-8 sequence in string");
    }
    lexer->state = L_STRING;
    return JSON_LEX_MORE;
}

static JSONLexResult lex_escape(JSONLexer *lexer, unsigned char c)
{
    static const char unescaped[256] = {
        ['"'] = '"', ['\''] = '\'', ['\\'] = '\\', ['/'] = '/',
        ['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
    };

    if (c == 'u') {
        memcpy(lexer->esc, "\\u", 2);
        lexer->esc_len = 2;
        lexer->state = L_HEX;
        lexer->pending = 4;
        lexer->cp = 0;
        return JSON_LEX_MORE;
    }
    if (!unescaped[c]) {
        /* Escaped, so @c cannot end the string, whatever it is. */
        return lex_bad_string(lexer, c, false,
                              "invalid escape sequence in string");
    }
    g_string_append_c(lexer->token, unescaped[c]);
    lexer->state = L_STRING;
    return JSON_LEX_MORE;
}

/* A byte that is not part of any token outside strings. */
static JSONLexResult lex_stray(JSONLexer *lexer, unsigned char c,
                               Error **errp)
{
    if (c >= 0x20 && c < 0x7F) {
        return lex_error(lexer, errp, "stray '%c'", c);
    }
    return lex_error(lexer, errp, "stray '\\x%02x'", c);
}

static JSONLexResult lex_start(JSONLexer *lexer, unsigned char c,
                               Error **errp)
{
    g_string_truncate(lexer->token, 0);
    switch (c) {
    case ' ': case '\t': case '\r': case '\n':
        return JSON_LEX_MORE;
    case '{': case '}': case '[': case ']': case ':': case ',':
        g_string_append_c(lexer->token, c);
        return lex_token(lexer, c, JSON_LEX_TOKEN);
    case '"': case '\'':
        lexer->quote = c;
        lexer->state = L_STRING;
        return JSON_LEX_MORE;
    case '-':
        lexer->state = L_MINUS;
        break;
    case '0':
        lexer->state = L_ZERO;
        break;
    case '1' ... '9':
        lexer->state = L_INT;
        break;
    case 'a' ... 'z':
        lexer->state = L_KEYWORD;
        break;
    case '%':
        if (!lexer->interp) {
            return lex_stray(lexer, c, errp);
        }
        lexer->state = L_INTERP;
        break;
    default:
        return lex_stray(lexer, c, errp);
    }
    g_string_append_c(lexer->token, c);
    return JSON_LEX_MORE;
}

/*
 * Numbers: each state lists the bytes that continue the number; any
 * other byte ends it (in the states where it may end) or is an error.
 */
static JSONLexResult lex_number(JSONLexer *lexer, unsigned char c,
                                Error **errp)
{
    bool digit = c >= '0' && c <= '9';
    int next = -1;

    switch (lexer->state) {
    case L_MINUS:
        next = c == '0' ? L_ZERO : digit ? L_INT : -1;
        break;
    case L_ZERO:
    case L_INT:
        if (c == '.') {
            next = L_DOT;
        } else if ((c == 'e' || c == 'E') && lexer->state == L_INT) {
            /* QEMU reads 0e5 as 0 then the keyword e5: so do we. */
            next = L_EXP;
        } else if (digit && lexer->state == L_INT) {
            next = L_INT;
        } else if (!digit) {
            return lex_token(lexer, JSON_INTEGER, JSON_LEX_LOOKAHEAD);
        }
        break;
    case L_DOT:
        next = digit ? L_FRAC : -1;
        break;
    case L_FRAC:
        if (digit) {
            next = L_FRAC;
        } else if (c == 'e' || c == 'E') {
            next = L_EXP;
        } else {
            return lex_token(lexer, JSON_FLOAT, JSON_LEX_LOOKAHEAD);
        }
        break;
    case L_EXP:
        next = (c == '+' || c == '-') ? L_EXP_SIGN : digit ? L_EXP_DIGITS : -1;
        break;
    case L_EXP_SIGN:
        next = digit ? L_EXP_DIGITS : -1;
        break;
    case L_EXP_DIGITS:
        if (digit) {
            next = L_EXP_DIGITS;
        } else {
            return lex_token(lexer, JSON_FLOAT, JSON_LEX_LOOKAHEAD);
        }
        break;
    default:
        g_assert_not_reached();
    }
    if (next < 0) {
        g_autofree char *text = g_strdup(lexer->token->str);

        /* The offending byte is part of the stray text, as in QEMU. */
        if (c >= 0x20 && c < 0x7F) {
            return lex_error(lexer, errp, "stray '%s%c'", text, c);
        }
        return lex_error(lexer, errp, "stray '%s\\x%02x'", text, c);
    }
    g_string_append_c(lexer->token, c);
    lexer->state = next;
    return JSON_LEX_MORE;
}

JSONLexResult json_lexer_feed_char(JSONLexer *lexer, unsigned char c,
                                   Error **errp)
{
    int d;

    switch (lexer->state) {
    case L_START:
        return lex_start(lexer, c, errp);
    case L_STRING ... L_PERCENT:
    case L_BAD_STRING:
    case L_BAD_ESCAPE:
        /*
         * Bytes that no string may hold, escaped or not: QEMU's lexer
         * refuses them, so they are stray and end the token at once.
         */
        if (c < 0x20) {
            return lex_error(lexer, errp,
                             "invalid control character in string");
        }
        if (c >= 0xFE) {
            return lex_error(lexer, errp, "invalid UTF-8 sequence in string");
        }
        break;
    case L_RECOVERY:
        /* Where QEMU's lexer starts again; the byte is read afresh. */
        if ((c < 0x20 && c != '\t') || c >= 0xFE || strchr("{}[]:,", c)) {
            lexer->state = L_START;
            return lex_start(lexer, c, errp);
        }
        return JSON_LEX_MORE;
    case L_KEYWORD:
        /* Lower case only, as QEMU: "TRUE" is a stray 'T'. */
        if (c >= 'a' && c <= 'z') {
            g_string_append_c(lexer->token, c);
            return JSON_LEX_MORE;
        }
        return lex_token(lexer, JSON_KEYWORD, JSON_LEX_LOOKAHEAD);
    case L_INTERP:
        /* As QEMU's lexer; the parser decides which ones are valid. */
        if (g_ascii_isalnum(c)) {
            g_string_append_c(lexer->token, c);
            return JSON_LEX_MORE;
        }
        return lex_token(lexer, JSON_INTERP, JSON_LEX_LOOKAHEAD);
    default:
        return lex_number(lexer, c, errp);
    }

    switch (lexer->state) {
    case L_STRING:
        return lex_string_byte(lexer, c);
    case L_ESCAPE:
        return lex_escape(lexer, c);
    case L_HEX:
        d = hex_value(c);
        if (d < 0) {
            /* \u12" ends the string: only the escape was short. */
            return lex_bad_string(lexer, c, true,
                                  "invalid hex escape sequence in string");
        }
        lexer->esc[lexer->esc_len++] = c;
        lexer->cp = (lexer->cp << 4) | d;
        if (--lexer->pending) {
            return JSON_LEX_MORE;
        }
        return lex_unicode_escape(lexer, c);
    case L_SURROGATE_BACKSLASH:
    case L_SURROGATE_U: {
        bool backslash = lexer->state == L_SURROGATE_BACKSLASH;

        if (c != (backslash ? '\\' : 'u')) {
            lexer->esc_len = 6;
            /* After the backslash, @c is escaped and cannot end the string. */
            return lex_bad_unicode_escape(lexer, c, backslash);
        }
        if (backslash) {
            lexer->state = L_SURROGATE_U;
        } else {
            memcpy(lexer->esc + 6, "\\u", 2);
            lexer->esc_len = 8;
            lexer->state = L_HEX;
            lexer->pending = 4;
            lexer->cp = 0;
        }
        return JSON_LEX_MORE;
    }
    case L_UTF8:
        return lex_utf8_continuation(lexer, c);
    case L_PERCENT:
        if (c != '%') {
            /* @c was not escaped by the '%': it may end the string. */
            return lex_bad_string(lexer, c, true,
                                  "can't interpolate into string");
        }
        g_string_append_c(lexer->token, '%');
        lexer->state = L_STRING;
        return JSON_LEX_MORE;
    default:
        return lex_bad_string_byte(lexer, c);
    }
}

static JSONLexResult lex_flush(JSONLexer *lexer, Error **errp)
{
    g_autofree char *text = NULL;

    switch (lexer->state) {
    case L_START:
    case L_RECOVERY:
        return JSON_LEX_MORE;
    case L_ZERO:
    case L_INT:
    case L_FRAC:
    case L_EXP_DIGITS:
    case L_KEYWORD:
    case L_INTERP:
        /* Any delimiter ends these; a space does not change the result. */
        return json_lexer_feed_char(lexer, ' ', errp) == JSON_LEX_LOOKAHEAD
               ? JSON_LEX_TOKEN : JSON_LEX_ERROR;
    case L_MINUS:
    case L_DOT:
    case L_EXP:
    case L_EXP_SIGN:
        text = g_strdup(lexer->token->str);
        return lex_error(lexer, errp, "stray '%s'", text);
    default:
        return lex_error(lexer, errp, "premature EOI in string");
    }
}

JSONLexResult json_lexer_flush(JSONLexer *lexer, Error **errp)
{
    JSONLexResult ret = lex_flush(lexer, errp);

    /* Nothing follows to recover on; a token's text stays for the caller. */
    if (lexer->state == L_RECOVERY) {
        lexer->state = L_START;
    }
    return ret;
}

/*
 * Back @len bytes at @p with memory in one system call rather than one
 * page fault per page as they are written.  Best effort: without
 * MADV_POPULATE_WRITE (Linux 5.14) the pages fault in one by one, as
 * before.
 */
static void token_prefault(char *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
    /* Any thread that parses: set once, on a kernel older than 5.14. */
    static bool unsupported;
    uintptr_t page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)p & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + len + page - 1) & ~(page - 1);

    /*
     * The pages at either end may hold malloc's header or the block's
     * tail: they are mapped and ours, and populating a page that is
     * already there changes nothing in it.
     */
    if (!qatomic_read(&unsupported) &&
        madvise((void *)start, end - start, MADV_POPULATE_WRITE) < 0 &&
        (errno == EINVAL || errno == ENOSYS)) {
        qatomic_set(&unsupported, true);
    }
#endif
}

size_t json_lexer_feed_plain(JSONLexer *lexer, const char *buf, size_t len)
{
    size_t n = 0;

    if (lexer->state != L_STRING) {
        return 0;
    }
    /*
     * A string past 64 KiB may be megabytes (a QMP "id"): reserve the
     * message limit once.  glibc mmaps a block that large, or grows it
     * in place into the heap's top, so the reservation is address space
     * (or memory the process had already), paid for by the page as it
     * is written, and the token never again grows by copying, or by
     * mremap, megabytes inside one read callback.
     */
    if (lexer->token->len >= JSON_TOKEN_RESERVE_AT &&
        lexer->token->allocated_len < JSON_MAX_TOKEN_SIZE) {
        gsize used = lexer->token->len;

        g_string_set_size(lexer->token, JSON_MAX_TOKEN_SIZE - 1);
        g_string_truncate(lexer->token, used);
        lexer->prefaulted = used;
    }
    while (n < len) {
        unsigned char c = buf[n];

        if (c < 0x20 || c >= 0x80 || c == '\\' || c == lexer->quote ||
            (c == '%' && lexer->interp)) {
            break;
        }
        n++;
    }
    /*
     * The reserved block's fresh pages: faulting them in one at a time
     * as the copy below reaches them was a fifth of the main loop's CPU
     * time for a 16 MiB request on a virtual machine (bench/README.md).
     * Back the next stretch in one go, never more
     * than this copy plus JSON_TOKEN_PREFAULT ahead of it, so the
     * resident size stays what the string needs.
     */
    if (lexer->token->allocated_len >= JSON_MAX_TOKEN_SIZE &&
        lexer->token->len + n > lexer->prefaulted) {
        gsize want = MIN(lexer->token->len + n + JSON_TOKEN_PREFAULT,
                         lexer->token->allocated_len);

        token_prefault(lexer->token->str + lexer->prefaulted,
                       want - lexer->prefaulted);
        lexer->prefaulted = want;
    }
    g_string_append_len(lexer->token, buf, n);
    return n;
}
