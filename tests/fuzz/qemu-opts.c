/*
 * Fuzz target: QemuOpts, the parser of -chardev, -mon, -name, -m and the
 * other option groups, with the typed getters and the QDict conversions.
 * Corresponds to the checks of QEMU's tests/unit/test-qemu-opts.c; QEMU
 * has no fuzz target for it.
 *
 * Input: the first byte picks the group (typed, accept-any, merged) and
 * whether the first element may omit its key; the rest is the string.
 * A parsed QemuOpts must survive the trip to a QDict and back unchanged.
 */
#include "qcore/osdep.h"
#include "qcore/option.h"
#include "qcore/qjson.h"
#include "qcore/qobject.h"
#include "fuzz.h"

static QemuOptsList typed = {
    .name = "fuzz-typed",
    .implied_opt_name = "backend",
    .head = QTAILQ_HEAD_INITIALIZER(typed.head),
    .desc = {
        { .name = "backend", .type = QEMU_OPT_STRING },
        { .name = "path", .type = QEMU_OPT_STRING },
        { .name = "server", .type = QEMU_OPT_BOOL },
        { .name = "count", .type = QEMU_OPT_NUMBER },
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "dflt", .type = QEMU_OPT_NUMBER, .def_value_str = "42" },
        { NULL }
    },
};

static QemuOptsList any = {
    .name = "fuzz-any",
    .implied_opt_name = "backend",
    .head = QTAILQ_HEAD_INITIALIZER(any.head),
    .desc = { { NULL } },
};

static QemuOptsList merged = {
    .name = "fuzz-merged",
    .implied_opt_name = "guest",
    .merge_lists = true,
    .allow_flag_options = true,
    .head = QTAILQ_HEAD_INITIALIZER(merged.head),
    .desc = {
        { .name = "guest", .type = QEMU_OPT_STRING },
        { .name = "debug-threads", .type = QEMU_OPT_BOOL },
        { .name = "size", .type = QEMU_OPT_SIZE },
        { NULL }
    },
};

static QemuOptsList *const lists[] = { &typed, &any, &merged, &typed };

static int count_opt(void *opaque, const char *name, const char *value,
                     Error **errp)
{
    (*(unsigned *)opaque)++;
    return 0;
}

/*
 * Read every value through the getters its group allows (in a described
 * group a key is only read with the getter of its type).
 */
static void read_all(QemuOptsList *list, QemuOpts *opts)
{
    unsigned n = 0;

    qemu_opt_get(opts, "backend");
    qemu_opt_get(opts, "guest");
    qemu_opt_get(opts, "id");
    if (list == &merged) {
        qemu_opt_get_bool(opts, "debug-threads", false);
        qemu_opt_get_size(opts, "size", 0);
    } else {
        qemu_opt_get_bool(opts, "server", false);
        qemu_opt_get_number(opts, "count", 0);
        qemu_opt_get_size(opts, "size", 0);
        qemu_opt_get_number(opts, "dflt", 0);
    }
    qemu_opt_has_help_opt(opts);
    qemu_opt_foreach(opts, count_opt, &n, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *params = NULL;
    QemuOptsList *list;
    bool abbrev;
    Error *err = NULL;
    QemuOpts *opts;

    if (size < 1) {
        return 0;
    }
    list = lists[data[0] & 3];
    abbrev = data[0] & 4;
    params = g_strndup((const char *)data + 1, size - 1);

    has_help_option(params);
    opts = qemu_opts_parse(list, params, abbrev, &err);
    if (!opts) {
        assert(err && *error_get_pretty(err));
        error_free(err);
    } else {
        g_autoptr(QDict) dict = qemu_opts_to_qdict(opts, NULL);
        QemuOpts *copy;

        read_all(list, opts);
        qemu_opts_del(opts);
        /* What the group accepted, it accepts again from the dict. */
        copy = qemu_opts_from_qdict(list, dict, &err);
        if (!copy) {
            g_autoptr(GString) text = qobject_to_json(QOBJECT(dict));
            fprintf(stderr, "fuzz-qemu-opts: '%s' parsed to %s, which is "
                    "refused: %s\n", params, text->str,
                    error_get_pretty(err));
            abort();
        }
        g_autoptr(QDict) again = qemu_opts_to_qdict(copy, NULL);
        if (!qobject_is_equal(QOBJECT(dict), QOBJECT(again))) {
            g_autoptr(GString) a = qobject_to_json(QOBJECT(dict));
            g_autoptr(GString) b = qobject_to_json(QOBJECT(again));
            fprintf(stderr, "fuzz-qemu-opts: %s came back as %s\n",
                    a->str, b->str);
            abort();
        }
        qemu_opts_del(copy);
    }
    qemu_opts_reset(list);
    return 0;
}
