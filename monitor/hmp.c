/*
 * The human monitor: the "(qemu) " prompt over the line editor, command
 * lookup and argument parsing in the args_type language of QEMU's
 * hmp-commands.hx, "help" and Tab completion of command names.
 * Corresponds to QEMU's monitor/hmp.c.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "monitor-internal.h"

/* Set once at start-up, before any monitor exists; none until then. */
static const HMPCommand hmp_no_commands[] = { { NULL } };
static const HMPCommand *hmp_command_table = hmp_no_commands;

void hmp_register_commands(const HMPCommand *table)
{
    hmp_command_table = table;
}

/* QEMU's prompt, kept so that scripts written for QEMU work unchanged. */
#define HMP_PROMPT "(qemu) "
#define HMP_MAX_ARGS 16

/* ---- words ------------------------------------------------------------ */

/*
 * Read one word at *@pp into a new string: a run of non-blanks, or a
 * "double-quoted string" with \n \r \\ \' \" escapes.  NULL at the end of
 * the line or on a bad string (reported to @mon when it is not NULL).
 */
static char *hmp_get_str(Monitor *mon, const char **pp)
{
    const char *p = *pp;
    GString *word;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!*p) {
        *pp = p;
        return NULL;
    }
    word = g_string_new(NULL);
    if (*p != '"') {
        while (*p && !g_ascii_isspace(*p)) {
            g_string_append_c(word, *p++);
        }
        *pp = p;
        return g_string_free(word, false);
    }
    for (p++; *p && *p != '"'; p++) {
        char c = *p;

        if (c == '\\') {
            switch (*++p) {
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case '\\':
            case '\'':
            case '"':
                c = *p;
                break;
            default:
                if (mon) {
                    monitor_printf(mon, "unsupported escape code: '\\%c'\n",
                                   *p ? *p : ' ');
                }
                goto fail;
            }
        }
        g_string_append_c(word, c);
    }
    if (*p != '"') {
        if (mon) {
            monitor_printf(mon, "unterminated string\n");
        }
        goto fail;
    }
    *pp = p + 1;
    return g_string_free(word, false);

fail:
    *pp = p;
    g_string_free(word, true);
    return NULL;
}

/* Split @cmdline into words; false if it has too many or a bad one. */
static bool hmp_split_words(const char *cmdline, GPtrArray *words)
{
    const char *p = cmdline;

    for (;;) {
        char *word;

        while (g_ascii_isspace(*p)) {
            p++;
        }
        if (!*p) {
            return true;
        }
        if (words->len >= HMP_MAX_ARGS) {
            return false;
        }
        word = hmp_get_str(NULL, &p);
        if (!word) {
            return false;
        }
        g_ptr_array_add(words, word);
    }
}

/* Whether @name is one of the '|'-separated aliases in @list. */
static bool hmp_compare_cmd(const char *name, const char *list)
{
    g_auto(GStrv) aliases = g_strsplit(list, "|", -1);
    int i;

    for (i = 0; aliases[i]; i++) {
        if (!strcmp(aliases[i], name)) {
            return true;
        }
    }
    return false;
}

static const HMPCommand *hmp_search(const HMPCommand *table, const char *name)
{
    const HMPCommand *cmd;

    for (cmd = table; cmd->name; cmd++) {
        if (hmp_compare_cmd(name, cmd->name)) {
            return cmd;
        }
    }
    return NULL;
}

/* ---- help ------------------------------------------------------------- */

static void help_cmd_dump_one(Monitor *mon, const HMPCommand *cmd,
                              GPtrArray *prefix, guint prefix_len)
{
    guint i;

    for (i = 0; i < prefix_len; i++) {
        monitor_printf(mon, "%s ", (char *)g_ptr_array_index(prefix, i));
    }
    monitor_printf(mon, "%s %s -- %s\n", cmd->name, cmd->params, cmd->help);
}

static void help_cmd_dump(Monitor *mon, const HMPCommand *table,
                          GPtrArray *args, guint index)
{
    const HMPCommand *cmd;
    guint i;

    if (index >= args->len) {
        for (cmd = table; cmd->name; cmd++) {
            help_cmd_dump_one(mon, cmd, args, index);
        }
        return;
    }
    cmd = hmp_search(table, g_ptr_array_index(args, index));
    if (!cmd) {
        monitor_printf(mon, "unknown command: '");
        for (i = 0; i <= index; i++) {
            monitor_printf(mon, "%s%s", (char *)g_ptr_array_index(args, i),
                           i == index ? "'\n" : " ");
        }
        return;
    }
    if (cmd->sub_table) {
        help_cmd_dump(mon, cmd->sub_table, args, index + 1);
    } else {
        help_cmd_dump_one(mon, cmd, args, index);
    }
}

void help_cmd(Monitor *mon, const char *name)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);

    if (name && !hmp_split_words(name, args)) {
        return;
    }
    help_cmd_dump(mon, hmp_command_table, args, 0);
}

/* ---- parsing ---------------------------------------------------------- */

/*
 * Find the command at *@cmdp in @table, descending into sub-tables
 * ("info status"), and leave *@cmdp after its name.  Reports unknown
 * commands; NULL for those and for an empty line.
 */
static const HMPCommand *hmp_parse_command(Monitor *mon, const char *start,
                                           const char **cmdp,
                                           const HMPCommand *table)
{
    const char *p = *cmdp, *name_start;
    g_autofree char *name = NULL;
    const HMPCommand *cmd;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!*p) {
        return NULL;
    }
    name_start = p;
    while (*p && *p != '/' && !g_ascii_isspace(*p)) {
        p++;
    }
    name = g_strndup(name_start, p - name_start);
    cmd = hmp_search(table, name);
    if (!cmd) {
        monitor_printf(mon, "unknown command: '%.*s'\n", (int)(p - start),
                       start);
        return NULL;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    *cmdp = p;
    if (cmd->sub_table && *p) {
        return hmp_parse_command(mon, start, cmdp, cmd->sub_table);
    }
    return cmd;
}

/* Turn the rest of the line into the arguments @cmd's args_type names. */
static QDict *hmp_parse_arguments(Monitor *mon, const char **endp,
                                  const HMPCommand *cmd)
{
    g_auto(GStrv) specs = g_strsplit(cmd->args_type, ",", -1);
    QDict *qdict = qdict_new();
    const char *p = *endp;
    int i;

    for (i = 0; specs[i] && specs[i][0]; i++) {
        const char *colon = strchr(specs[i], ':');
        g_autofree char *key = NULL;
        const char *type;
        bool optional;

        assert(colon);
        key = g_strndup(specs[i], colon - specs[i]);
        type = colon + 1;
        optional = type[0] && type[strlen(type) - 1] == '?';
        while (g_ascii_isspace(*p)) {
            p++;
        }

        switch (type[0]) {
        case 'F':       /* a file name */
        case 's': {
            char *word;

            if (optional && !*p) {
                break;
            }
            word = hmp_get_str(mon, &p);
            if (!word) {
                monitor_printf(mon, "%s: %s expected\n", cmd->name,
                               type[0] == 'F' ? "filename" : "string");
                goto fail;
            }
            qdict_put_str(qdict, key, word);
            g_free(word);
            break;
        }
        case 'S':
            if (!*p) {
                if (optional) {
                    break;
                }
                monitor_printf(mon, "%s: string expected\n", cmd->name);
                goto fail;
            }
            qdict_put_str(qdict, key, p);
            p += strlen(p);
            break;
        case 'i': {     /* an integer (QEMU evaluates an expression) */
            g_autofree char *word = NULL;
            const char *bad;
            char *end;
            int64_t v;

            if (optional && !*p) {
                break;
            }
            word = hmp_get_str(mon, &p);
            if (!word) {
                monitor_printf(mon, "%s: integer expected\n", cmd->name);
                goto fail;
            }
            errno = 0;
            v = g_ascii_strtoll(word, &end, 0);
            if (errno || end == word || *end) {
                bad = end == word && (*word == '-' || *word == '+') ?
                      word + 1 : end;
                monitor_printf(mon, "invalid char '%c' in expression\n",
                               *bad ? *bad : ' ');
                goto fail;
            }
            qdict_put_int(qdict, key, v);
            break;
        }
        case '-':
            /* An optional flag such as "-j", or "-fs": -f with a value. */
            if (p[0] == '-' && p[1] && !g_ascii_isspace(p[1])) {
                if (p[1] != type[1]) {
                    if (!strstr(cmd->args_type, (char[]){ '-', p[1], 0 })) {
                        monitor_printf(mon, "%s: unsupported option -%c\n",
                                       cmd->name, p[1]);
                        goto fail;
                    }
                    break;      /* another flag's turn */
                }
                p += 2;
                if (type[2] == 's') {
                    g_autofree char *val = hmp_get_str(mon, &p);

                    if (!val) {
                        monitor_printf(mon, "%s: value expected for -%c\n",
                                       cmd->name, type[1]);
                        goto fail;
                    }
                    qdict_put_str(qdict, key, val);
                } else {
                    qdict_put_bool(qdict, key, true);
                }
            }
            break;
        default:
            monitor_printf(mon, "%s: unknown type '%c'\n", cmd->name,
                           type[0]);
            goto fail;
        }
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p) {
        monitor_printf(mon, "%s: extraneous characters at the end of line\n",
                       cmd->name);
        goto fail;
    }
    *endp = p;
    return qdict;

fail:
    qobject_unref(qdict);
    return NULL;
}

void handle_hmp_command(MonitorHMP *mon, const char *cmdline)
{
    const char *start = cmdline;
    const HMPCommand *cmd;
    Monitor *old_mon;
    QDict *qdict;

    assert_bql_held();
    cmd = hmp_parse_command(&mon->common, start, &cmdline, hmp_command_table);
    if (!cmd) {
        return;
    }
    qdict = hmp_parse_arguments(&mon->common, &cmdline, cmd);
    if (!qdict) {
        const char *end = cmdline;

        /* The command as typed (without arguments or trailing blanks). */
        while (end > start && g_ascii_isspace(end[-1])) {
            end--;
        }
        monitor_printf(&mon->common, "Try \"help %.*s\" for more "
                       "information\n", (int)(end - start), start);
        return;
    }
    old_mon = monitor_set_cur(&mon->common);
    cmd->cmd(&mon->common, qdict);
    monitor_set_cur(old_mon);
    qobject_unref(qdict);
}

/* ---- completion ------------------------------------------------------- */

static void hmp_complete_names(ReadLineState *rs, const HMPCommand *table,
                               const char *prefix)
{
    const HMPCommand *cmd;

    readline_set_completion_index(rs, strlen(prefix));
    for (cmd = table; cmd->name; cmd++) {
        g_auto(GStrv) aliases = g_strsplit(cmd->name, "|", -1);
        int i;

        for (i = 0; aliases[i]; i++) {
            readline_add_completion_of(rs, prefix, aliases[i]);
        }
    }
}

static void hmp_complete_by_table(ReadLineState *rs, const HMPCommand *table,
                                  char **args, int nb_args)
{
    const HMPCommand *cmd;

    if (nb_args <= 1) {
        hmp_complete_names(rs, table, nb_args ? args[0] : "");
        return;
    }
    cmd = hmp_search(table, args[0]);
    if (!cmd) {
        return;
    }
    if (cmd->sub_table) {
        hmp_complete_by_table(rs, cmd->sub_table, args + 1, nb_args - 1);
    } else if (!strcmp(cmd->name, "help|?")) {
        /* "help inf<Tab>": complete the command help is asked about. */
        hmp_complete_by_table(rs, hmp_command_table, args + 1, nb_args - 1);
    }
}

static void monitor_find_completion(void *opaque, const char *cmdline)
{
    MonitorHMP *mon = opaque;
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    size_t len = strlen(cmdline);

    if (!hmp_split_words(cmdline, args)) {
        return;
    }
    /* After a blank, the next word is being completed (from nothing). */
    if (len && g_ascii_isspace(cmdline[len - 1])) {
        if (args->len >= HMP_MAX_ARGS) {
            return;
        }
        g_ptr_array_add(args, g_strdup(""));
    }
    hmp_complete_by_table(mon->rs, hmp_command_table, (char **)args->pdata,
                          args->len);
}

/* ---- the chardev side ------------------------------------------------- */

static void monitor_command_cb(void *opaque, const char *cmdline,
                               void *readline_opaque)
{
    MonitorHMP *mon = opaque;

    handle_hmp_command(mon, cmdline);
    /* After "quit" the monitor stays suspended and shows no prompt. */
    if (!mon->common.suspend_cnt) {
        readline_show_prompt(mon->rs);
    }
}

static void monitor_hmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    MonitorHMP *hmp = container_of(mon, MonitorHMP, common);
    g_autofree char *line = NULL;
    int i;

    if (hmp->rs) {
        for (i = 0; i < size && !mon->suspend_cnt; i++) {
            readline_handle_byte(hmp->rs, buf[i]);
        }
        return;
    }
    /* Without the editor each read is one command line, as in QEMU. */
    line = g_strndup((const char *)buf, size);
    g_strchomp(line);
    handle_hmp_command(hmp, line);
}

static void monitor_hmp_event(void *opaque, QEMUChrEvent event)
{
    Monitor *mon = opaque;
    MonitorHMP *hmp = container_of(mon, MonitorHMP, common);

    switch (event) {
    case CHR_EVENT_OPENED:
        monitor_printf(mon, "qcore %s monitor - type 'help' for more "
                       "information\n", QCORE_VERSION);
        if (hmp->rs && !mon->mux_out) {
            readline_restart(hmp->rs);
            readline_show_prompt(hmp->rs);
        }
        mon->reset_seen = true;
        break;
    case CHR_EVENT_CLOSED:
        /* The next client starts afresh. */
        monitor_outbuf_clear(mon);
        if (hmp->rs) {
            readline_restart(hmp->rs);
        }
        break;
    case CHR_EVENT_MUX_IN:
        mon->mux_out = false;
        if (mon->reset_seen && hmp->rs) {
            readline_restart(hmp->rs);
            readline_show_prompt(hmp->rs);
        }
        monitor_flush(mon);
        break;
    case CHR_EVENT_MUX_OUT:
        if (mon->reset_seen) {
            /* Leave the prompt's line to the serial port's output. */
            monitor_puts(mon, "\n");
            monitor_flush(mon);
        }
        mon->mux_out = true;
        break;
    case CHR_EVENT_BREAK:
        break;
    }
}

static void G_GNUC_PRINTF(2, 3) monitor_readline_printf(void *opaque,
                                                       const char *fmt, ...)
{
    MonitorHMP *mon = opaque;
    va_list ap;

    va_start(ap, fmt);
    monitor_vprintf(&mon->common, fmt, ap);
    va_end(ap);
}

static void monitor_readline_flush(void *opaque)
{
    MonitorHMP *mon = opaque;

    monitor_flush(&mon->common);
}

void monitor_data_destroy_hmp(MonitorHMP *mon)
{
    readline_free(mon->rs);
    mon->rs = NULL;
}

void monitor_init_hmp(Chardev *chr, bool use_readline, Error **errp)
{
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    assert_bql_held();
    if (!qemu_chr_fe_init(&mon->common.chr, chr, errp)) {
        g_free(mon);
        return;
    }
    monitor_data_init(&mon->common, false, false);
    mon->use_readline = use_readline;
    if (use_readline) {
        mon->rs = readline_init(monitor_readline_printf,
                                monitor_readline_flush, mon,
                                monitor_find_completion);
        readline_start(mon->rs, HMP_PROMPT, 0, monitor_command_cb, NULL);
    }
    monitor_list_append(&mon->common);
    qemu_chr_fe_set_handlers(&mon->common.chr, monitor_can_read,
                             monitor_hmp_read, monitor_hmp_event, NULL,
                             &mon->common, NULL, true);
}
