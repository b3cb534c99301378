/*
 * QemuOpts: parsing and storing "key=value,..." option groups, and the
 * registry of groups.  Corresponds to QEMU's util/qemu-option.c and the
 * group registry of util/qemu-config.c.
 *
 * Longer than 800 lines because the parser, the typed getters and the
 * QDict conversions all work on the private QemuOpt layout; splitting
 * them would only move that struct into an internal header.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/option.h"
#include "qcore/qobject.h"

struct QemuOpt {
    char *name;
    char *str;                  /* the value as given */
    const QemuOptDesc *desc;    /* NULL in accept-any lists */
    union {
        bool boolean;
        uint64_t uint;
    } value;                    /* parsed per desc->type */
    QemuOpts *opts;
    QTAILQ_ENTRY(QemuOpt) next;
};

struct QemuOpts {
    char *id;
    QemuOptsList *list;
    Location loc;               /* where it was created, for reports */
    QTAILQ_HEAD(, QemuOpt) head;
    QTAILQ_ENTRY(QemuOpts) next;
};

bool is_help_option(const char *name)
{
    return !strcmp(name, "help") || !strcmp(name, "?");
}

/* ---- Value parsers ---------------------------------------------------- */

bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(value, yes[i])) {
            *obj = true;
            return true;
        }
        if (!strcmp(value, no[i])) {
            *obj = false;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

/*
 * strtoull() with the checks it lacks: the whole string must be a
 * non-negative number.  Returns 0, -EINVAL or -ERANGE.
 */
static int parse_u64(const char *str, int base, const char **endp,
                     uint64_t *result)
{
    char *end;

    /* strtoull() would skip blanks and wrap negative numbers around. */
    if (!g_ascii_isdigit(*str)) {
        return -EINVAL;
    }
    errno = 0;
    *result = strtoull(str, &end, base);
    if (endp) {
        *endp = end;
    } else if (*end) {
        return -EINVAL;
    }
    return errno == ERANGE ? -ERANGE : 0;
}

bool parse_option_number(const char *name, const char *value,
                         uint64_t *ret, Error **errp)
{
    uint64_t number;
    int err = parse_u64(value, 0, NULL, &number);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is too large for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a number", name);
        return false;
    }
    *ret = number;
    return true;
}

/* Returns the multiplier of a size suffix, 0 if @c is not one. */
static uint64_t size_suffix(char c)
{
    const char *suffixes = "BKMGTPE";
    const char *p = strchr(suffixes, g_ascii_toupper(c));

    return c && p ? 1ULL << (10 * (p - suffixes)) : 0;
}

/*
 * Like QEMU's qemu_strtosz(): "4096", "0x1000", "64k", "1.5G".  A
 * fraction needs a unit bigger than a byte, since half a byte is
 * meaningless.  Returns 0, -EINVAL or -ERANGE.
 */
static int parse_size(const char *str, uint64_t *result)
{
    const char *p;
    uint64_t whole, mult = 1;
    double frac = 0;
    bool hex = str[0] == '0' && (str[1] == 'x' || str[1] == 'X');
    int err;

    err = parse_u64(str, hex ? 16 : 10, &p, &whole);
    if (err) {
        return err;
    }
    if (*p == '.' && !hex) {
        char *end;

        if (!g_ascii_isdigit(p[1])) {
            return -EINVAL;
        }
        frac = g_ascii_strtod(p, &end);
        p = end;
    }
    if (*p) {
        mult = size_suffix(*p);
        if (!mult || p[1]) {
            return -EINVAL;
        }
    }
    if (frac && mult == 1) {
        return -EINVAL;
    }
    if (whole > UINT64_MAX / mult) {
        return -ERANGE;
    }
    whole *= mult;
    if (frac) {
        /* frac * mult < mult, so the addition below can only just wrap. */
        uint64_t extra = (uint64_t)(frac * (double)mult);
        if (whole + extra < whole) {
            return -ERANGE;
        }
        whole += extra;
    }
    *result = whole;
    return 0;
}

bool parse_option_size(const char *name, const char *value,
                       uint64_t *ret, Error **errp)
{
    uint64_t size;
    int err = parse_size(value, &size);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is out of range for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp,
                   "Parameter '%s' expects a non-negative number below 2^64",
                   name);
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means "
                          "kilo-, mega-, giga-, tera-, peta-\n"
                          "and exabytes, respectively.\n");
        return false;
    }
    *ret = size;
    return true;
}

/* ---- Group registry --------------------------------------------------- */

/* A dozen groups at most; a list keeps registration order for help. */
static GPtrArray *opts_groups;

void qemu_add_opts(QemuOptsList *list)
{
    guint i;

    if (!opts_groups) {
        opts_groups = g_ptr_array_new();
    }
    for (i = 0; i < opts_groups->len; i++) {
        QemuOptsList *old = g_ptr_array_index(opts_groups, i);

        if (old == list) {
            return;
        }
        /* Two layers defining the same group is a build-time mistake. */
        assert(strcmp(old->name, list->name) != 0);
    }
    g_ptr_array_add(opts_groups, list);
}

QemuOptsList *qemu_find_opts_err(const char *group, Error **errp)
{
    guint i;

    for (i = 0; opts_groups && i < opts_groups->len; i++) {
        QemuOptsList *list = g_ptr_array_index(opts_groups, i);

        if (!strcmp(list->name, group)) {
            return list;
        }
    }
    error_setg(errp, "there is no option group '%s'", group);
    return NULL;
}

QemuOptsList *qemu_find_opts(const char *group)
{
    Error *err = NULL;
    QemuOptsList *list = qemu_find_opts_err(group, &err);

    if (!list) {
        error_report_err(err);
        exit(1);
    }
    return list;
}

/* ---- Single options --------------------------------------------------- */

static bool opts_accepts_any(const QemuOptsList *list)
{
    return list->desc[0].name == NULL;
}

static const QemuOptDesc *find_desc_by_name(const QemuOptDesc *desc,
                                            const char *name)
{
    for (; desc->name; desc++) {
        if (!strcmp(desc->name, name)) {
            return desc;
        }
    }
    return NULL;
}

QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;

    /* Later values override earlier ones, so search from the end. */
    QTAILQ_FOREACH_REVERSE(opt, &opts->head, next) {
        if (!strcmp(opt->name, name)) {
            return opt;
        }
    }
    return NULL;
}

static void qemu_opt_del(QemuOpt *opt)
{
    QTAILQ_REMOVE(&opt->opts->head, opt, next);
    g_free(opt->name);
    g_free(opt->str);
    g_free(opt);
}

int qemu_opt_unset(QemuOpts *opts, const char *name)
{
    QemuOpt *opt, *next;
    int n = 0;

    QTAILQ_FOREACH_SAFE(opt, &opts->head, next, next) {
        if (!strcmp(opt->name, name)) {
            qemu_opt_del(opt);
            n++;
        }
    }
    return n;
}

const char *qemu_opt_get(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;
    const QemuOptDesc *desc;

    if (!opts) {
        return NULL;
    }
    opt = qemu_opt_find(opts, name);
    if (opt) {
        return opt->str;
    }
    desc = find_desc_by_name(opts->list->desc, name);
    return desc ? desc->def_value_str : NULL;
}

bool qemu_opt_has_help_opt(QemuOpts *opts)
{
    QemuOpt *opt;

    QTAILQ_FOREACH(opt, &opts->head, next) {
        if (is_help_option(opt->name)) {
            return true;
        }
    }
    return false;
}

/* Parse @opt->str according to its description, if it has one. */
static bool qemu_opt_parse(QemuOpt *opt, Error **errp)
{
    if (!opt->desc) {
        return true;
    }
    switch (opt->desc->type) {
    case QEMU_OPT_STRING:
        return true;
    case QEMU_OPT_BOOL:
        return qapi_bool_parse(opt->name, opt->str, &opt->value.boolean,
                               errp);
    case QEMU_OPT_NUMBER:
        return parse_option_number(opt->name, opt->str, &opt->value.uint,
                                   errp);
    case QEMU_OPT_SIZE:
        return parse_option_size(opt->name, opt->str, &opt->value.uint,
                                 errp);
    }
    g_assert_not_reached();
}

/*
 * The value of @name as @type: parsed when set in a described list,
 * parsed now in an accept-any list, or from the default string.
 * Returns false when there is no usable value.
 */
static bool opt_get_typed(QemuOpts *opts, const char *name,
                          enum QemuOptType type, uint64_t *uval, bool *bval)
{
    QemuOpt *opt;
    const char *str;
    bool ok;

    if (!opts) {
        return false;
    }
    opt = qemu_opt_find(opts, name);
    if (opt && opt->desc) {
        /* Asking a described option for another type is a bug. */
        assert(opt->desc->type == type);
        /* Read only the union member that this type stores. */
        if (type == QEMU_OPT_BOOL) {
            *bval = opt->value.boolean;
        } else {
            *uval = opt->value.uint;
        }
        return true;
    }
    str = qemu_opt_get(opts, name);
    if (!str) {
        return false;
    }
    switch (type) {
    case QEMU_OPT_BOOL:
        ok = qapi_bool_parse(name, str, bval, NULL);
        break;
    case QEMU_OPT_NUMBER:
        ok = parse_option_number(name, str, uval, NULL);
        break;
    case QEMU_OPT_SIZE:
        ok = parse_option_size(name, str, uval, NULL);
        break;
    default:
        g_assert_not_reached();
    }
    /* A default string that does not parse is a bug in the desc table. */
    assert(ok || opt);
    return ok;
}

bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval)
{
    uint64_t u;
    bool b;

    return opt_get_typed(opts, name, QEMU_OPT_BOOL, &u, &b) ? b : defval;
}

uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval)
{
    uint64_t u;
    bool b;

    return opt_get_typed(opts, name, QEMU_OPT_NUMBER, &u, &b) ? u : defval;
}

uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name, uint64_t defval)
{
    uint64_t u;
    bool b;

    return opt_get_typed(opts, name, QEMU_OPT_SIZE, &u, &b) ? u : defval;
}

int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp)
{
    QemuOpt *opt;
    int rc;

    QTAILQ_FOREACH(opt, &opts->head, next) {
        rc = func(opaque, opt->name, opt->str, errp);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* Append an unchecked option; takes ownership of @value. */
static QemuOpt *opt_create(QemuOpts *opts, const char *name, char *value)
{
    QemuOpt *opt = g_new0(QemuOpt, 1);

    opt->name = g_strdup(name);
    opt->str = value;
    opt->opts = opts;
    QTAILQ_INSERT_TAIL(&opts->head, opt, next);
    return opt;
}

/* Find @opt's description and parse its value; on failure delete it. */
static bool opt_validate(QemuOpt *opt, Error **errp)
{
    const QemuOptsList *list = opt->opts->list;

    opt->desc = find_desc_by_name(list->desc, opt->name);
    if (!opt->desc && !opts_accepts_any(list)) {
        error_setg(errp, "Invalid parameter '%s'", opt->name);
        qemu_opt_del(opt);
        return false;
    }
    if (!qemu_opt_parse(opt, errp)) {
        qemu_opt_del(opt);
        return false;
    }
    return true;
}

bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp)
{
    return opt_validate(opt_create(opts, name, g_strdup(value)), errp);
}

bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp)
{
    return qemu_opt_set(opts, name, val ? "on" : "off", errp);
}

bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp)
{
    return opt_validate(opt_create(opts, name,
                                   g_strdup_printf("%" PRId64, val)), errp);
}

/* ---- Option sets ------------------------------------------------------ */

QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id)
{
    QemuOpts *opts;

    QTAILQ_FOREACH(opts, &list->head, next) {
        if (g_strcmp0(opts->id, id) == 0) {
            return opts;
        }
    }
    return NULL;
}

/* QEMU's id_wellformed(): ids end up in QOM paths and QMP answers. */
static bool id_wellformed(const char *id)
{
    const char *p;

    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp)
{
    QemuOpts *opts;

    if (list->merge_lists) {
        if (id) {
            error_setg(errp, "Invalid parameter 'id'");
            return NULL;
        }
        opts = qemu_opts_find(list, NULL);
        if (opts) {
            return opts;
        }
    } else if (id) {
        if (!id_wellformed(id)) {
            ERRP_GUARD();

            error_setg(errp, "Parameter 'id' expects an identifier");
            error_append_hint(errp, "Identifiers consist of letters, "
                              "digits, '-', '.', '_', starting with a "
                              "letter.\n");
            return NULL;
        }
        opts = qemu_opts_find(list, id);
        if (opts) {
            if (fail_if_exists) {
                error_setg(errp, "Duplicate ID '%s' for %s", id, list->name);
                return NULL;
            }
            return opts;
        }
    }

    opts = g_new0(QemuOpts, 1);
    opts->id = g_strdup(id);
    opts->list = list;
    loc_save(&opts->loc);
    QTAILQ_INIT(&opts->head);
    QTAILQ_INSERT_TAIL(&list->head, opts, next);
    return opts;
}

void qemu_opts_del(QemuOpts *opts)
{
    QemuOpt *opt;

    if (!opts) {
        return;
    }
    while ((opt = QTAILQ_FIRST(&opts->head))) {
        qemu_opt_del(opt);
    }
    QTAILQ_REMOVE(&opts->list->head, opts, next);
    g_free(opts->id);
    g_free(opts);
}

void qemu_opts_reset(QemuOptsList *list)
{
    QemuOpts *opts, *next;

    QTAILQ_FOREACH_SAFE(opts, &list->head, next, next) {
        qemu_opts_del(opts);
    }
}

const char *qemu_opts_id(QemuOpts *opts)
{
    return opts->id;
}

void qemu_opts_set_id(QemuOpts *opts, char *id)
{
    assert(!opts->id);
    opts->id = id;
}

void qemu_opts_loc_restore(QemuOpts *opts)
{
    loc_restore(&opts->loc);
}

int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp)
{
    Location loc;
    QemuOpts *opts, *next;
    int rc = 0;

    loc_push_none(&loc);
    /* SAFE: a callback may delete the QemuOpts it is handed. */
    QTAILQ_FOREACH_SAFE(opts, &list->head, next, next) {
        loc_restore(&opts->loc);
        rc = func(opaque, opts, errp);
        if (rc) {
            break;
        }
    }
    loc_pop(&loc);
    return rc;
}

/* ---- Parsing "key=value,..." ----------------------------------------- */

const char *get_opt_value(const char *p, char **value)
{
    GString *out = g_string_new(NULL);

    for (;;) {
        size_t len = strcspn(p, ",");

        g_string_append_len(out, p, len);
        p += len;
        if (p[0] != ',' || p[1] != ',') {
            break;
        }
        g_string_append_c(out, ',');
        p += 2;
    }
    *value = g_string_free(out, false);
    return p;
}

/*
 * One element of "key=value,...": store its key and value, return the
 * start of the next element.  A bare word is the implied key's value if
 * @firstname is set, else a short-form boolean; *@is_flag tells the
 * caller which, and *@is_help whether the bare word asks for help.
 */
static const char *get_opt_name_value(const char *params,
                                      const char *firstname,
                                      char **name, char **value,
                                      bool *is_flag, bool *is_help)
{
    size_t len = strcspn(params, "=,");
    const char *p;

    *is_flag = false;
    *is_help = false;
    if (params[len] == '=') {
        *name = g_strndup(params, len);
        p = get_opt_value(params + len + 1, value);
    } else if (firstname) {
        *name = g_strdup(firstname);
        p = get_opt_value(params, value);
    } else {
        *name = g_strndup(params, len);
        p = params + len;
        *is_flag = true;
        if (is_help_option(*name)) {
            *is_help = true;
            *value = g_strdup("on");
        } else if (g_str_has_prefix(*name, "no")) {
            memmove(*name, *name + 2, strlen(*name + 2) + 1);
            *value = g_strdup("off");
        } else {
            *value = g_strdup("on");
        }
    }
    assert(!*p || *p == ',');
    return *p ? p + 1 : p;
}

/*
 * The parser behind all entry points.  @help_wanted, when non-NULL, turns
 * a bare "help" into a request (parsing stops, returns false without an
 * error); when NULL, "help" is just the boolean key help=on.
 */
static bool opts_do_parse(QemuOpts *opts, const char *params,
                          const char *firstname, bool warn_on_flag,
                          bool *help_wanted, Error **errp)
{
    const char *p = params;

    while (*p) {
        char *name, *value;
        bool is_flag, is_help;

        p = get_opt_name_value(p, firstname, &name, &value,
                               &is_flag, &is_help);
        firstname = NULL;
        if (is_help && help_wanted) {
            *help_wanted = true;
            g_free(name);
            g_free(value);
            return false;
        }
        if (is_flag && !is_help && warn_on_flag) {
            bool off = !strcmp(value, "off");

            warn_report("short-form boolean option '%s%s' deprecated",
                        off ? "no" : "", name);
            error_printf("Please use %s=%s instead\n", name, value);
        }
        if (!strcmp(name, "id")) {
            /* Already used by opts_parse() to pick the QemuOpts. */
            g_free(name);
            g_free(value);
            continue;
        }
        if (!opt_validate(opt_create(opts, name, value), errp)) {
            g_free(name);
            return false;
        }
        g_free(name);
    }
    return true;
}

bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp)
{
    return opts_do_parse(opts, params, firstname, false, NULL, errp);
}

/* The value of "id=" in @params, if any (implied key not considered). */
static char *opts_parse_id(const char *params)
{
    const char *p = params;

    while (*p) {
        char *name, *value;
        bool is_flag, is_help;

        p = get_opt_name_value(p, NULL, &name, &value, &is_flag, &is_help);
        if (!strcmp(name, "id") && !is_flag) {
            g_free(name);
            return value;
        }
        g_free(name);
        g_free(value);
    }
    return NULL;
}

bool has_help_option(const char *params)
{
    const char *p = params;
    bool found = false;

    while (*p && !found) {
        char *name, *value;
        bool is_flag;

        p = get_opt_name_value(p, NULL, &name, &value, &is_flag, &found);
        g_free(name);
        g_free(value);
    }
    return found;
}

static QemuOpts *opts_parse(QemuOptsList *list, const char *params,
                            bool permit_abbrev, bool warn_on_flag,
                            bool *help_wanted, Error **errp)
{
    g_autofree char *id = opts_parse_id(params);
    const char *firstname;
    QemuOpts *opts;
    QemuOpt *last;
    bool fresh;

    assert(!permit_abbrev || list->implied_opt_name);
    firstname = permit_abbrev ? list->implied_opt_name : NULL;

    fresh = !(list->merge_lists && qemu_opts_find(list, NULL));
    opts = qemu_opts_create(list, id, !list->merge_lists, errp);
    if (!opts) {
        return NULL;
    }
    last = QTAILQ_LAST(&opts->head);
    if (!opts_do_parse(opts, params, firstname, warn_on_flag, help_wanted,
                       errp)) {
        if (fresh) {
            qemu_opts_del(opts);
        } else {
            /*
             * Undo only this parse: what earlier -name/-machine options
             * merged in stays valid.  (QEMU drops the whole set, which
             * does not matter there since it then exits.)
             */
            QemuOpt *opt;

            while ((opt = QTAILQ_LAST(&opts->head)) != last) {
                qemu_opt_del(opt);
            }
        }
        return NULL;
    }
    return opts;
}

QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp)
{
    return opts_parse(list, params, permit_abbrev, false, NULL, errp);
}

QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev)
{
    Error *err = NULL;
    bool help_wanted = false;
    QemuOpts *opts;

    /* An accept-any list has no descriptions to print: "help" is a key. */
    opts = opts_parse(list, params, permit_abbrev,
                      !list->allow_flag_options,
                      opts_accepts_any(list) ? NULL : &help_wanted, &err);
    if (!opts) {
        if (help_wanted) {
            qemu_opts_print_help(list, true);
        } else {
            error_report_err(err);
        }
    }
    return opts;
}

/* ---- QDict conversion ------------------------------------------------- */

QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict)
{
    QemuOpt *opt;

    if (!qdict) {
        qdict = qdict_new();
    }
    if (opts->id) {
        qdict_put_str(qdict, "id", opts->id);
    }
    /* In order, so that a key given twice ends with its last value. */
    QTAILQ_FOREACH(opt, &opts->head, next) {
        qdict_put_str(qdict, opt->name, opt->str);
    }
    return qdict;
}

QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp)
{
    const QDictEntry *e;
    QemuOpts *opts;

    opts = qemu_opts_create(list, qdict_get_try_str(qdict, "id"), 1, errp);
    if (!opts) {
        return NULL;
    }
    for (e = qdict_first(qdict); e; e = qdict_next(qdict, e)) {
        const char *key = qdict_entry_key(e);
        QObject *obj = qdict_entry_value(e);
        g_autofree char *text = NULL;

        if (!strcmp(key, "id")) {
            continue;
        }
        switch (qobject_type(obj)) {
        case QTYPE_QSTRING:
            text = g_strdup(qstring_get_str(qobject_to(QString, obj)));
            break;
        case QTYPE_QNUM:
            text = qnum_to_string(qobject_to(QNum, obj));
            break;
        case QTYPE_QBOOL:
            text = g_strdup(qbool_get_bool(qobject_to(QBool, obj))
                            ? "on" : "off");
            break;
        default:
            /* Nested values have no "key=value" form: QEMU skips them. */
            continue;
        }
        if (!qemu_opt_set(opts, key, text, errp)) {
            qemu_opts_del(opts);
            return NULL;
        }
    }
    return opts;
}

/* ---- Help ------------------------------------------------------------- */

static const char *opt_type_to_string(enum QemuOptType type)
{
    switch (type) {
    case QEMU_OPT_STRING:
        return "str";
    case QEMU_OPT_BOOL:
        return "bool (on/off)";
    case QEMU_OPT_NUMBER:
        return "num";
    case QEMU_OPT_SIZE:
        return "size";
    }
    g_assert_not_reached();
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void qemu_opts_print_help(QemuOptsList *list, bool print_caption)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    const QemuOptDesc *desc;
    guint i;

    for (desc = list->desc; desc->name; desc++) {
        GString *line = g_string_new(NULL);

        g_string_append_printf(line, "  %s=<%s>", desc->name,
                               opt_type_to_string(desc->type));
        if (desc->help) {
            /* Align the help texts of short entries in one column. */
            while (line->len < 24) {
                g_string_append_c(line, ' ');
            }
            g_string_append_printf(line, " - %s", desc->help);
        }
        g_ptr_array_add(lines, g_string_free(line, false));
    }
    g_ptr_array_sort(lines, compare_strings);

    if (lines->len == 0) {
        printf("There are no options for %s.\n", list->name);
    } else if (print_caption) {
        printf("%s options:\n", list->name);
    }
    for (i = 0; i < lines->len; i++) {
        printf("%s\n", (char *)g_ptr_array_index(lines, i));
    }
}
