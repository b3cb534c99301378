/*
 * Fuzz target: keyval_parse, the parser of -object, -M, -display and
 * -smp arguments.  Corresponds to what QEMU checks by hand in
 * tests/unit/test-keyval.c; QEMU has no fuzz target for it.
 *
 * Input: the first byte picks the implied key (none, "type", "qom-type")
 * and whether help is allowed; the rest is the option string.  A parse
 * into an existing dict (repeated -M) is tried as well.
 */
#include "qcore/osdep.h"
#include "qcore/keyval.h"
#include "qcore/qjson.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const implied[] = { NULL, "type", "qom-type", NULL };
    g_autofree char *params = NULL;
    const char *key;
    bool help = false, want_help;
    Error *err = NULL;
    QDict *dict;

    if (size < 1) {
        return 0;
    }
    key = implied[data[0] & 3];
    want_help = data[0] & 4;
    params = g_strndup((const char *)data + 1, size - 1);

    dict = keyval_parse(params, key, want_help ? &help : NULL, &err);
    if (dict) {
        /* Every leaf is a string, every inner node a dict or a list. */
        g_autoptr(GString) text = qobject_to_json(QOBJECT(dict));
        QDict *again = qdict_new();

        assert(!err);
        /*
         * Parsing the same string into a dict holding it changes nothing
         * (the last value of a leaf wins), when it is accepted at all:
         * lists, once built, are not merged into.
         */
        if (keyval_parse_into(again, params, key,
                              want_help ? &help : NULL, NULL) &&
            keyval_parse_into(again, params, key,
                              want_help ? &help : NULL, NULL)) {
            g_autoptr(GString) twice = qobject_to_json(QOBJECT(again));
            if (strcmp(text->str, twice->str)) {
                fprintf(stderr, "fuzz-keyval: '%s' gave %s, twice %s\n",
                        params, text->str, twice->str);
                abort();
            }
        }
        qobject_unref(again);
        qobject_unref(dict);
    } else {
        assert(err && *error_get_pretty(err));
        error_free(err);
    }
    return 0;
}
