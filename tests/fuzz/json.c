/*
 * Fuzz target: the JSON reader (lexer, parser, streamer) and writer.
 * Corresponds to what QEMU's JSON code gets from its qmp fuzzing; QEMU
 * has no target for qobject/ alone.
 *
 * Besides "no crash", three properties are checked on every input:
 *  - the streamer gives the same values and errors whether the bytes come
 *    in one call or one byte per call (QMP reads whatever the socket has);
 *  - what the writer prints reads back, and prints the same again (in
 *    the compact and the pretty layout);
 *  - qobject_from_json of the whole input agrees with the streamer when
 *    the input holds exactly one value.
 */
#include "qcore/osdep.h"
#include "qcore/qjson.h"
#include "fuzz.h"

/* Every value and error the streamer emitted, one line each. */
static void record(void *opaque, QObject *json, Error *err)
{
    GString *log = opaque;

    if (err) {
        g_string_append_printf(log, "error: %s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    g_autoptr(GString) text = qobject_to_json(json);
    g_autoptr(GString) pretty = qobject_to_json_pretty(json, true);
    Error *local = NULL;
    QObject *back = qobject_from_json(text->str, &local);

    /* The writer's output is JSON the reader takes, and a fixed point. */
    if (!back) {
        fprintf(stderr, "fuzz-json: cannot read back %s: %s\n", text->str,
                error_get_pretty(local));
        abort();
    }
    g_autoptr(GString) again = qobject_to_json(back);
    if (strcmp(again->str, text->str)) {
        fprintf(stderr, "fuzz-json: %s printed again as %s\n", text->str,
                again->str);
        abort();
    }
    qobject_unref(back);
    /* The -qmp-pretty layout reads back as the same value. */
    back = qobject_from_json(pretty->str, NULL);
    g_autoptr(GString) from_pretty = back ? qobject_to_json(back) : NULL;
    if (!from_pretty || strcmp(from_pretty->str, text->str)) {
        fprintf(stderr, "fuzz-json: pretty %s read back as %s\n",
                pretty->str, from_pretty ? from_pretty->str : "an error");
        abort();
    }
    qobject_unref(back);
    g_string_append_printf(log, "value: %s\n", text->str);
    qobject_unref(json);
}

static GString *stream(const uint8_t *data, size_t size, size_t step)
{
    GString *log = g_string_new(NULL);
    JSONMessageParser parser;
    size_t i;

    json_message_parser_init(&parser, record, log, NULL);
    for (i = 0; i < size; i += step) {
        json_message_parser_feed(&parser, (const char *)data + i,
                                 MIN(step, size - i));
    }
    json_message_parser_flush(&parser);
    json_message_parser_destroy(&parser);
    return log;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GString) whole = stream(data, size, size ? size : 1);
    g_autoptr(GString) bytewise = stream(data, size, 1);
    g_autofree char *str = g_strndup((const char *)data, size);
    Error *err = NULL;
    QObject *obj;

    if (strcmp(whole->str, bytewise->str)) {
        fprintf(stderr, "fuzz-json: fed at once:\n%sfed bytewise:\n%s",
                whole->str, bytewise->str);
        abort();
    }

    obj = qobject_from_json(str, &err);
    if (obj) {
        g_autoptr(GString) text = qobject_to_json(obj);
        g_autofree char *line = g_strdup_printf("value: %s\n", text->str);

        /* One value alone: the streamer saw exactly that (NUL-free input). */
        if (strlen(str) == size && strcmp(whole->str, line)) {
            fprintf(stderr, "fuzz-json: one-shot %s, streamed:\n%s",
                    line, whole->str);
            abort();
        }
        qobject_unref(obj);
    } else {
        error_free(err);
    }
    return 0;
}
