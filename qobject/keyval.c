/*
 * keyval: parse "key=value,..." into a tree of QDicts (and QLists for
 * numeric keys).  Corresponds to QEMU's util/keyval.c; the syntax is
 * described in include/qcore/keyval.h.
 *
 * Parsing happens in two passes: each element is stored along its dotted
 * path into nested QDicts, then dicts whose keys are all indexes are
 * turned into lists.  Two passes because "a.1=x,a.0=y" is valid: a list
 * can only be built once all its members are known.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/keyval.h"
#include "qcore/option.h"

/* QEMU limits each fragment so that it fits a fixed buffer; keep it. */
#define KEY_FRAGMENT_MAX 127

/* Length of the list index at @s (digits only), 0 if none. */
static size_t index_len(const char *s)
{
    size_t n = 0;

    while (g_ascii_isdigit(s[n])) {
        n++;
    }
    return n;
}

/* The index named by all-digit @key, capped at INT_MAX; -1 if not one. */
static int key_to_index(const char *key)
{
    size_t n = index_len(key);
    uint64_t v = 0;
    size_t i;

    if (!n || key[n]) {
        return -1;
    }
    for (i = 0; i < n && v <= INT_MAX; i++) {
        v = v * 10 + (key[i] - '0');
    }
    return v > INT_MAX ? INT_MAX : (int)v;
}

/* Length of the QAPI-style name at @s: a letter, then [A-Za-z0-9_-]. */
static size_t name_len(const char *s)
{
    size_t n = 1;

    if (!g_ascii_isalpha(s[0])) {
        return 0;
    }
    while (g_ascii_isalnum(s[n]) || s[n] == '-' || s[n] == '_') {
        n++;
    }
    return n;
}

/*
 * Make @cur[@fragment] what the path needs: a QDict to descend into
 * (@value NULL) or the leaf @value (whose reference is taken).  Replacing
 * a leaf by a leaf is fine (last one wins); a leaf where a dict is needed,
 * or the reverse, is the inconsistency QEMU reports.  @key..@key_end is
 * the part of the key named in that error.
 */
static QObject *put_fragment(QDict *cur, const char *fragment,
                             QString *value, const char *key,
                             const char *key_end, Error **errp)
{
    QObject *old = qdict_get(cur, fragment);
    QObject *new;

    if (old) {
        if (qobject_type(old) != (value ? QTYPE_QSTRING : QTYPE_QDICT)) {
            error_setg(errp, "Parameters '%.*s.*' used inconsistently",
                       (int)(key_end - key), key);
            qobject_unref(value);
            return NULL;
        }
        if (!value) {
            return old;
        }
    }
    new = value ? QOBJECT(value) : QOBJECT(qdict_new());
    qdict_put_obj(cur, fragment, new);
    return new;
}

/*
 * Parse the element at @params into @qdict.  Returns the start of the
 * next element (or the terminating NUL), NULL on error.
 */
static const char *keyval_parse_one(QDict *qdict, const char *params,
                                    const char *implied_key, bool *help,
                                    Error **errp)
{
    const char *key = params, *key_end, *s;
    size_t len = strcspn(params, "=,");
    char fragment[KEY_FRAGMENT_MAX + 1];
    QDict *cur = qdict;
    GString *val;

    if (len && params[len] != '=') {
        /* A bare word: a cry for help, or the implied key's value. */
        g_autofree char *word = g_strndup(params, len);

        if (is_help_option(word)) {
            *help = true;
            s = params + len;
            return *s ? s + 1 : s;
        }
        if (implied_key) {
            key = implied_key;
            len = strlen(implied_key);
        }
    }
    key_end = key + len;

    /* Walk the fragments of the key, descending one dict per '.'. */
    s = key;
    for (;;) {
        size_t n = s != key && index_len(s) ? index_len(s) : name_len(s);

        if (!n || (s + n < key_end && s[n] != '.')) {
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(key_end - key), key);
            return NULL;
        }
        if (n > KEY_FRAGMENT_MAX) {
            error_setg(errp, "Parameter%s '%.*s' is too long",
                       s != key || s + n != key_end ? " fragment" : "",
                       (int)n, s);
            return NULL;
        }
        if (s != key) {
            /* The previous fragment names a dict: make sure it is one. */
            QObject *next = put_fragment(cur, fragment, NULL, key, s - 1,
                                         errp);
            if (!next) {
                return NULL;
            }
            cur = qobject_to(QDict, next);
        }
        memcpy(fragment, s, n);
        fragment[n] = '\0';
        s += n;
        if (*s != '.') {
            break;
        }
        s++;
    }

    if (key == implied_key) {
        /* The implied value runs to the next ',' with no ",," escape. */
        val = g_string_new_len(params, strcspn(params, ","));
        s = params + val->len;
        if (*s) {
            s++;
        }
    } else {
        if (*s != '=') {
            error_setg(errp, "Expected '=' after parameter '%.*s'",
                       (int)(s - key), key);
            return NULL;
        }
        s++;
        val = g_string_new(NULL);
        while (*s) {
            if (*s == ',') {
                s++;
                if (*s != ',') {
                    break;
                }
            }
            g_string_append_c(val, *s++);
        }
    }

    if (!put_fragment(cur, fragment, qstring_from_gstring(val), key,
                      key_end, errp)) {
        return NULL;
    }
    return s;
}

/* "a.b." for the path @path (innermost fragment first). */
static char *path_to_key(GSList *path)
{
    GString *s = g_string_new(NULL);

    for (; path; path = path->next) {
        g_string_prepend_c(s, '.');
        g_string_prepend(s, path->data);
    }
    return g_string_free(s, false);
}

/*
 * Turn, depth first, every dict under @cur whose keys are all indexes
 * into a QList.  @path names @cur for error messages.  Returns @cur, its
 * replacement list (a new reference), or NULL on error.
 */
static QObject *keyval_listify(QDict *cur, GSList *path, Error **errp)
{
    GSList link = { .next = path };
    bool has_index = false, has_member = false;
    const QDictEntry *e;
    g_autofree QObject **elems = NULL;
    size_t n = qdict_size(cur), i;
    QList *list;

    for (e = qdict_first(cur); e; e = qdict_next(cur, e)) {
        QDict *child = qobject_to(QDict, qdict_entry_value(e));
        QObject *repl;

        if (key_to_index(qdict_entry_key(e)) >= 0) {
            has_index = true;
        } else {
            has_member = true;
        }
        if (!child) {
            continue;
        }
        link.data = (gpointer)qdict_entry_key(e);
        repl = keyval_listify(child, &link, errp);
        if (!repl) {
            return NULL;
        }
        if (repl != QOBJECT(child)) {
            /* Replacing keeps the entry's place in the iteration. */
            g_autofree char *k = g_strdup(qdict_entry_key(e));
            qdict_put_obj(cur, k, repl);
        }
    }

    if (has_index && has_member) {
        g_autofree char *key = path_to_key(path);
        error_setg(errp, "Parameters '%s*' used inconsistently", key);
        return NULL;
    }
    if (!has_index) {
        return QOBJECT(cur);
    }

    /* n members with distinct indexes: a list only if they are 0..n-1. */
    elems = g_new0(QObject *, n);
    for (e = qdict_first(cur); e; e = qdict_next(cur, e)) {
        int idx = key_to_index(qdict_entry_key(e));

        if ((size_t)idx < n) {
            elems[idx] = qdict_entry_value(e);
        }
    }
    for (i = 0; i < n; i++) {
        if (!elems[i]) {
            g_autofree char *key = path_to_key(path);
            error_setg(errp, "Parameter '%s%zu' missing", key, i);
            return NULL;
        }
    }
    list = qlist_new();
    for (i = 0; i < n; i++) {
        qlist_append_obj(list, qobject_ref(elems[i]));
    }
    return QOBJECT(list);
}

QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *p_help, Error **errp)
{
    bool help = false;
    const char *s = params;
    QObject *listified;

    while (*s) {
        s = keyval_parse_one(qdict, s, implied_key, &help, errp);
        if (!s) {
            return NULL;
        }
        implied_key = NULL;
    }

    if (p_help) {
        *p_help = help;
    } else if (help) {
        error_setg(errp, "Help is not available for this option");
        return NULL;
    }

    listified = keyval_listify(qdict, NULL, errp);
    if (!listified) {
        return NULL;
    }
    /* The root always has a name-like key or none: it stays a dict. */
    assert(listified == QOBJECT(qdict));
    return qdict;
}

QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *help, Error **errp)
{
    QDict *qdict = qdict_new();

    if (!keyval_parse_into(qdict, params, implied_key, help, errp)) {
        qobject_unref(qdict);
        return NULL;
    }
    return qdict;
}
