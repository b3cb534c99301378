/*
 * The HMP commands and their table (names, args_type, help texts as in
 * QEMU's hmp-commands.hx and hmp-commands-info.hx).  Each command calls
 * its QMP twin and formats the result the way QEMU's HMP prints it.
 * Corresponds to QEMU's monitor/hmp-cmds.c, qom/qom-hmp-cmds.c and the
 * HMP parts of system/runstate-hmp-cmds.c and chardev/char-hmp-cmds.c.
 */
#include "qcore/osdep.h"
#include "qcore/block-hmp-cmds.h"
#include "qcore/chardev.h"
#include "qcore/net.h"
#include "qcore/console.h"
#include "qcore/input.h"
#include "qcore/keyval.h"
#include "qcore/object-interfaces.h"
#include "qcore/iothread-object.h"
#include "qcore/main-loop-info.h"
#include "qcore/bql-profile.h"
#include "qapi/qapi-commands.h"
#include "qcore/runstate.h"
#include "monitor-internal.h"

bool hmp_handle_error(Monitor *mon, Error *err)
{
    if (!err) {
        return false;
    }
    monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
    error_free(err);
    return true;
}

static void hmp_help(Monitor *mon, const QDict *qdict)
{
    help_cmd(mon, qdict_get_try_str(qdict, "name"));
}

static void hmp_info_help(Monitor *mon, const QDict *qdict)
{
    help_cmd(mon, "info");
}

/* ---- info ------------------------------------------------------------- */

static void hmp_info_version(Monitor *mon, const QDict *qdict)
{
    g_autoptr(VersionInfo) info = qmp_query_version(NULL);

    monitor_printf(mon, "%" PRId64 ".%" PRId64 ".%" PRId64 " (%s)\n",
                   info->qemu->major, info->qemu->minor, info->qemu->micro,
                   info->package);
}

static void hmp_info_status(Monitor *mon, const QDict *qdict)
{
    g_autoptr(StatusInfo) info = qmp_query_status(NULL);

    monitor_printf(mon, "VM status: %s",
                   info->running ? "running" : "paused");
    /* "paused" says it for "stop"; other stopped states are named. */
    if (!info->running && info->status != RUN_STATE_PAUSED) {
        monitor_printf(mon, " (%s)", RunState_str(info->status));
    }
    monitor_printf(mon, "\n");
}

static void hmp_info_name(Monitor *mon, const QDict *qdict)
{
    g_autoptr(NameInfo) info = qmp_query_name(NULL);

    if (info->name) {
        monitor_printf(mon, "%s\n", info->name);
    }
}

static void hmp_info_iothreads(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(IOThreadInfoList) list = qmp_query_iothreads(&err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    for (IOThreadInfoList *l = list; l; l = l->next) {
        IOThreadInfo *info = l->value;

        monitor_printf(mon, "%s:\n", info->id);
        monitor_printf(mon, "  thread_id=%" PRId64 "\n", info->thread_id);
        monitor_printf(mon, "  poll-max-ns=%" PRId64 "\n", info->poll_max_ns);
        monitor_printf(mon, "  poll-grow=%" PRId64 "\n", info->poll_grow);
        monitor_printf(mon, "  poll-shrink=%" PRId64 "\n", info->poll_shrink);
        monitor_printf(mon, "  aio-max-batch=%" PRId64 "\n",
                       info->aio_max_batch);
    }
}

/* QEMU prints a trace command's error bare, without "Error: ". */
static void hmp_trace_error(Monitor *mon, Error *err)
{
    monitor_printf(mon, "%s\n", error_get_pretty(err));
    error_free(err);
}

static void hmp_info_trace_events(Monitor *mon, const QDict *qdict)
{
    const char *name = qdict_get_try_str(qdict, "name");
    bool has_vcpu = qdict_haskey(qdict, "vcpu");
    Error *err = NULL;
    g_autoptr(TraceEventInfoList) list =
        qmp_trace_event_get_state(name ? name : "*", has_vcpu,
                                  qdict_get_try_int(qdict, "vcpu", 0), &err);

    if (err) {
        hmp_trace_error(mon, err);
        return;
    }
    for (TraceEventInfoList *l = list; l; l = l->next) {
        monitor_printf(mon, "%s : state %u\n", l->value->name,
                       l->value->state == TRACE_EVENT_STATE_ENABLED);
    }
}

static void hmp_trace_event(Monitor *mon, const QDict *qdict)
{
    const char *option = qdict_get_str(qdict, "option");
    bool has_vcpu = qdict_haskey(qdict, "vcpu");
    Error *err = NULL;

    if (strcmp(option, "on") && strcmp(option, "off")) {
        monitor_printf(mon, "Expected 'on' or 'off'\n"
                       "Try \"help trace-event\" for more information\n");
        return;
    }
    qmp_trace_event_set_state(qdict_get_str(qdict, "name"),
                              !strcmp(option, "on"), true, true, has_vcpu,
                              qdict_get_try_int(qdict, "vcpu", 0), &err);
    if (err) {
        hmp_trace_error(mon, err);
    }
}

static void hmp_info_chardev(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(ChardevInfoList) list = qmp_query_chardev(&err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    for (ChardevInfoList *l = list; l; l = l->next) {
        monitor_printf(mon, "%s: filename=%s\n", l->value->label,
                       l->value->filename);
    }
}

static gint qom_child_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(object_get_canonical_path_component(*(Object **)a),
                  object_get_canonical_path_component(*(Object **)b));
}

static int qom_collect_child(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

static void print_qom_composition(Monitor *mon, Object *obj, int indent)
{
    g_autoptr(GPtrArray) children = g_ptr_array_new();
    const char *name = obj == object_get_root() ? "" :
        object_get_canonical_path_component(obj);
    guint i;

    monitor_printf(mon, "%*s/%s (%s)\n", indent, "", name,
                   object_get_typename(obj));
    object_child_foreach(obj, qom_collect_child, children);
    g_ptr_array_sort(children, qom_child_compare);
    for (i = 0; i < children->len; i++) {
        print_qom_composition(mon, g_ptr_array_index(children, i),
                              indent + 2);
    }
}

/*
 * No QMP twin in QEMU either: it walks the composition tree directly.
 * The default root is /machine when there is one, as in QEMU.
 */
static void hmp_info_qom_tree(Monitor *mon, const QDict *qdict)
{
    const char *path = qdict_get_try_str(qdict, "path");
    bool ambiguous = false;
    Object *obj;

    if (path) {
        obj = object_resolve_path(path, &ambiguous);
        if (!obj) {
            monitor_printf(mon, "Path '%s' could not be resolved.\n", path);
            return;
        }
        if (ambiguous) {
            monitor_printf(mon, "Warning: Path '%s' is ambiguous.\n", path);
            return;
        }
    } else {
        obj = object_resolve_path("/machine", NULL);
        if (!obj) {
            obj = object_get_root();
        }
    }
    print_qom_composition(mon, obj, 0);
}

static void hmp_print_events(Monitor *mon, QList *events)
{
    QListEntry *e;
    const char *sep = "";

    if (!events) {
        return;
    }
    QLIST_FOREACH_ENTRY(events, e) {
        QString *ev = qobject_to(QString, qlist_entry_obj(e));

        monitor_printf(mon, "%s%s", sep, ev ? qstring_get_str(ev) : "?");
        sep = ",";
    }
}

/* One line per context, one per fd it watches: x-query-main-loop as text. */
static void hmp_info_mainloop(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(QObject) obj = qmp_x_query_main_loop(&err);
    QList *contexts, *glib_fds, *threads;
    QDict *info;
    QListEntry *c, *h;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    info = qobject_to(QDict, obj);
    contexts = info ? qdict_get_qlist(info, "contexts") : NULL;
    glib_fds = info ? qdict_get_qlist(info, "glib-poll-fds") : NULL;
    threads = info ? qdict_get_qlist(info, "threads") : NULL;
    if (!contexts || !glib_fds) {
        monitor_printf(mon, "unexpected x-query-main-loop result\n");
        return;
    }
    monitor_printf(mon, "main loop: %" PRId64 " iterations\n",
                   qdict_get_try_int(info, "iterations", 0));
    QLIST_FOREACH_ENTRY(contexts, c) {
        QDict *ctx = qobject_to(QDict, qlist_entry_obj(c));
        QList *handlers = qdict_get_qlist(ctx, "handlers");

        monitor_printf(mon, "%s (thread %s, tid %" PRId64 ", fdmon %s, "
                       "priority %" PRId64 "): polled %" PRId64
                       ", dispatched %" PRId64 ", bh %" PRId64 "\n",
                       qdict_get_try_str(ctx, "name") ?: "?",
                       qdict_get_try_str(ctx, "thread") ?: "?",
                       qdict_get_try_int(ctx, "thread-id", 0),
                       qdict_get_try_str(ctx, "fdmon") ?: "?",
                       qdict_get_try_int(ctx, "priority", 0),
                       qdict_get_try_int(ctx, "poll-count", 0),
                       qdict_get_try_int(ctx, "dispatch-count", 0),
                       qdict_get_try_int(ctx, "bh-dispatch-count", 0));
        if (!handlers) {
            continue;
        }
        QLIST_FOREACH_ENTRY(handlers, h) {
            QDict *fd = qobject_to(QDict, qlist_entry_obj(h));

            monitor_printf(mon, "  fd %" PRId64 " %s [",
                           qdict_get_try_int(fd, "fd", -1),
                           qdict_get_try_str(fd, "target") ?: "?");
            hmp_print_events(mon, qdict_get_qlist(fd, "events"));
            monitor_printf(mon, "] %s: dispatched %" PRId64 "\n",
                           qdict_get_try_str(fd, "handler") ?: "?",
                           qdict_get_try_int(fd, "dispatch-count", 0));
        }
    }
    monitor_printf(mon, "glib poll fds:\n");
    QLIST_FOREACH_ENTRY(glib_fds, h) {
        QDict *fd = qobject_to(QDict, qlist_entry_obj(h));

        monitor_printf(mon, "  fd %" PRId64 " %s [",
                       qdict_get_try_int(fd, "fd", -1),
                       qdict_get_try_str(fd, "target") ?: "?");
        hmp_print_events(mon, qdict_get_qlist(fd, "events"));
        monitor_printf(mon, "] owner %s\n",
                       qdict_get_try_str(fd, "owner") ?: "?");
    }
    if (!threads) {
        return;
    }
    monitor_printf(mon, "threads:\n");
    QLIST_FOREACH_ENTRY(threads, h) {
        QDict *t = qobject_to(QDict, qlist_entry_obj(h));

        monitor_printf(mon, "  tid %" PRId64 " %s\n",
                       qdict_get_try_int(t, "thread-id", 0),
                       qdict_get_try_str(t, "name") ?: "?");
    }
}

/* ---- run state -------------------------------------------------------- */

static void hmp_stop(Monitor *mon, const QDict *qdict)
{
    qmp_stop(NULL);
}

static void hmp_cont(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_cont(&err);
    hmp_handle_error(mon, err);
}

static void hmp_system_reset(Monitor *mon, const QDict *qdict)
{
    qmp_system_reset(NULL);
}

static void hmp_system_powerdown(Monitor *mon, const QDict *qdict)
{
    qmp_system_powerdown(NULL);
}

static void hmp_quit(Monitor *mon, const QDict *qdict)
{
    /* Read nothing more: the process is going away. */
    monitor_suspend(mon);
    qmp_quit(NULL);
}

/* ---- QOM -------------------------------------------------------------- */

static void hmp_object_add(Monitor *mon, const QDict *qdict)
{
    const char *options = qdict_get_str(qdict, "object");
    g_autoptr(QDict) args = NULL;
    Error *err = NULL;
    const char *type;
    Object *obj;
    bool help;

    /* As QEMU: -object syntax, properties typed by the QOM property. */
    args = keyval_parse(options, "qom-type", &help, &err);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    type = qdict_get_try_str(args, "qom-type");
    if (help || (type && is_help_option(type))) {
        g_autofree char *text = NULL;

        if (!type || is_help_option(type)) {
            text = user_creatable_help_types();
        } else {
            text = user_creatable_help_props(type, &err);
        }
        if (!hmp_handle_error(mon, err)) {
            monitor_puts(mon, text);
        }
        return;
    }
    obj = user_creatable_add_dict(args, true, &err);
    object_unref(obj);
    hmp_handle_error(mon, err);
}

static void hmp_object_del(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_object_del(qdict_get_str(qdict, "id"), &err);
    hmp_handle_error(mon, err);
}

static void hmp_qom_list(Monitor *mon, const QDict *qdict)
{
    const char *path = qdict_get_try_str(qdict, "path");
    g_autoptr(ObjectPropertyInfoList) list = NULL;
    Error *err = NULL;

    if (!path) {
        monitor_printf(mon, "/\n");
        return;
    }
    list = qmp_qom_list(path, &err);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    for (ObjectPropertyInfoList *l = list; l; l = l->next) {
        monitor_printf(mon, "%s (%s)\n", l->value->name, l->value->type);
    }
}

static void hmp_qom_get(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(QObject) value = qmp_qom_get(qdict_get_str(qdict, "path"),
                                           qdict_get_str(qdict, "property"),
                                           &err);
    GString *text;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    text = qobject_to_json_pretty(value, true);
    monitor_printf(mon, "%s\n", text->str);
    g_string_free(text, true);
}

static void hmp_qom_set(Monitor *mon, const QDict *qdict)
{
    const char *path = qdict_get_str(qdict, "path");
    const char *property = qdict_get_str(qdict, "property");
    const char *value = qdict_get_str(qdict, "value");
    Error *err = NULL;

    if (qdict_get_try_bool(qdict, "json", false)) {
        g_autoptr(QObject) obj = qobject_from_json(value, &err);

        if (!err) {
            qmp_qom_set(path, property, obj, &err);
        }
    } else {
        /* The value is text, parsed by the property's type (as QEMU). */
        Object *obj = object_resolve_path(path, NULL);

        if (!obj) {
            error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        } else {
            object_property_parse(obj, property, value, &err);
        }
    }
    hmp_handle_error(mon, err);
}

/* ---- the machine (system/machine-qmp-cmds.c) --------------------------- */

static void hmp_info_kvm(Monitor *mon, const QDict *qdict)
{
    g_autoptr(KvmInfo) info = qmp_query_kvm(NULL);

    monitor_printf(mon, "kvm support: ");
    if (info->present) {
        monitor_printf(mon, "%s\n", info->enabled ? "enabled" : "disabled");
    } else {
        monitor_printf(mon, "not compiled\n");
    }
}

static void hmp_info_uuid(Monitor *mon, const QDict *qdict)
{
    g_autoptr(UuidInfo) info = qmp_query_uuid(NULL);

    monitor_printf(mon, "%s\n", info->UUID);
}

static void hmp_nmi(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_inject_nmi(&err);
    hmp_handle_error(mon, err);
}

static void hmp_dumpdtb(Monitor *mon, const QDict *qdict)
{
    const char *filename = qdict_get_str(qdict, "filename");
    Error *err = NULL;

    qmp_dumpdtb(filename, &err);
    if (!hmp_handle_error(mon, err)) {
        monitor_printf(mon, "info: dtb dumped to %s\n", filename);
    }
}

/*
 * An address or size argument: a number in C notation (QEMU takes an
 * expression; qcore only the number).
 */
static bool hmp_get_int(Monitor *mon, const QDict *qdict, const char *key,
                        const char *cmd, int64_t *val)
{
    const char *arg = qdict_get_str(qdict, key);
    char *end;

    errno = 0;
    *val = strtoll(arg, &end, 0);
    if (errno == ERANGE && *val == LLONG_MAX) {
        *val = strtoull(arg, &end, 0);     /* an address above INT64_MAX */
        errno = 0;
    }
    if (errno || end == arg || *end) {
        monitor_printf(mon, "invalid number '%s'\n"
                       "Try \"help %s\" for more information\n", arg, cmd);
        return false;
    }
    return true;
}

static void hmp_pmemsave(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    int64_t addr, size;

    if (hmp_get_int(mon, qdict, "val", "pmemsave", &addr) &&
        hmp_get_int(mon, qdict, "size", "pmemsave", &size)) {
        qmp_pmemsave(addr, size, qdict_get_str(qdict, "filename"), &err);
        hmp_handle_error(mon, err);
    }
}

static void hmp_memsave(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    int64_t addr, size;

    if (hmp_get_int(mon, qdict, "val", "memsave", &addr) &&
        hmp_get_int(mon, qdict, "size", "memsave", &size)) {
        qmp_memsave(addr, size, qdict_get_str(qdict, "filename"), true,
                    monitor_get_cpu_index(mon), &err);
        hmp_handle_error(mon, err);
    }
}

/* "12.3 us": durations as info bql prints them. */
static char *fmt_ns(int64_t ns)
{
    if (ns < 10000) {
        return g_strdup_printf("%" PRId64 " ns", ns);
    } else if (ns < 10000000) {
        return g_strdup_printf("%.1f us", ns / 1e3);
    } else if (ns < 10000000000LL) {
        return g_strdup_printf("%.1f ms", ns / 1e6);
    }
    return g_strdup_printf("%.1f s", ns / 1e9);
}

static void print_bql_sites(Monitor *mon, BqlSiteList *sites)
{
    monitor_printf(mon, "  %10s %10s %10s %10s %10s  %s\n", "count",
                   "contended", "wait", "max wait", "max hold", "site");
    for (; sites; sites = sites->next) {
        BqlSite *s = sites->value;
        g_autofree char *wait = fmt_ns(s->wait_ns);
        g_autofree char *wmax = fmt_ns(s->wait_max_ns);
        g_autofree char *hmax = fmt_ns(s->hold_max_ns);

        monitor_printf(mon, "  %10" PRId64 " %10" PRId64 " %10s %10s %10s  "
                       "%s:%" PRId64 " %s\n", s->acquisitions, s->contended,
                       wait, wmax, hmax, s->file, s->line, s->function);
    }
}

/* x-query-bql as text: the totals, then the two top-10 tables. */
static void hmp_info_bql(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(BqlProfile) info = qmp_x_query_bql(false, 0, &err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    if (!info->enabled) {
        monitor_printf(mon, "BQL profiling is off (-bql-profile off)\n");
        return;
    }
    {
        g_autofree char *el = fmt_ns(info->elapsed_ns);
        g_autofree char *wait = fmt_ns(info->wait_ns);

        monitor_printf(mon, "BQL: %" PRId64 " acquisitions (%" PRId64
                       " contended) in %s; held %.1f%% of the time; "
                       "waited %s in all\n", info->acquisitions,
                       info->contended, el, info->elapsed_ns ?
                       100.0 * info->hold_ns / info->elapsed_ns : 0.0, wait);
    }
    monitor_printf(mon, "Top sites by total wait:\n");
    print_bql_sites(mon, info->by_wait);
    monitor_printf(mon, "Top sites by longest hold:\n");
    print_bql_sites(mon, info->by_hold);
}

static void hmp_bql_profile_reset(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_bql_profile_reset(&err);
    hmp_handle_error(mon, err);
}

/* ---- the tables ------------------------------------------------------- */

static const HMPCommand hmp_info_cmds[] = {
    { "version", "", "", "show the version of QEMU", hmp_info_version },
    { "chardev", "", "", "show the character devices", hmp_info_chardev },
    { "status", "", "", "show the current VM status (running|paused)",
      hmp_info_status },
    { "name", "", "", "show the current VM name", hmp_info_name },
    { "qom-tree", "path:s?", "[path]", "show QOM composition tree",
      hmp_info_qom_tree },
    { "iothreads", "", "", "show iothreads", hmp_info_iothreads },
    { "trace-events", "name:s?,vcpu:i?", "[name] [vcpu]",
      "show available trace-events & their state (name: event name "
      "pattern; vcpu: vCPU to query, default is any)",
      hmp_info_trace_events },
    { "mainloop", "", "",
      "show the event sources of the main loop and of each iothread",
      hmp_info_mainloop },
    { "bql", "", "",
      "show the BQL profile: top call sites by total wait and longest hold",
      hmp_info_bql },
    { "cpus", "", "", "show infos for each CPU", hmp_info_cpus },
    { "registers", "cpustate_all:-a", "[-a]",
      "show the cpu registers (-a: all - show register info for all cpus)",
      hmp_info_registers },
    { "mtree", "flatview:-f", "[-f]",
      "show memory tree (-f: dump flat view for address spaces)",
      hmp_info_mtree },
    { "kvm", "", "", "show KVM information", hmp_info_kvm },
    { "block", "nodes:-n,verbose:-v,device:s?", "[-n] [-v] [device]",
      "show info of one block device or all block devices "
      "(-n: show named nodes; -v: show details)", hmp_info_block },
    { "blockstats", "", "", "show block device statistics",
      hmp_info_blockstats },
    { "uuid", "", "", "show the current VM UUID", hmp_info_uuid },
    { "network", "", "", "show the network state", hmp_info_network },
    { "vnc", "", "", "show the vnc server status", hmp_info_vnc },
    { "usernet", "", "", "show user network stack connection states",
      hmp_info_usernet },
    { NULL }
};

const HMPCommand hmp_cmds[] = {
    { "help|?", "name:S?", "[cmd]", "show the help", hmp_help },
    { "q|quit", "", "", "quit the emulator", hmp_quit },
    { "stop|s", "", "", "stop emulation", hmp_stop },
    { "cont|c", "", "", "resume emulation", hmp_cont },
    { "system_reset", "", "", "reset the system", hmp_system_reset },
    { "cpu", "index:s", "index", "set the default CPU", hmp_cpu },
    { "x", "args:S", "/fmt addr", "virtual memory dump starting at 'addr'",
      hmp_memory_dump },
    { "xp", "args:S", "/fmt addr", "physical memory dump starting at 'addr'",
      hmp_physical_memory_dump },
    { "pmemsave", "val:s,size:s,filename:s", "addr size file",
      "save to disk physical memory dump starting at 'addr' of size 'size'",
      hmp_pmemsave },
    { "memsave", "val:s,size:s,filename:s", "addr size file",
      "save to disk virtual memory dump starting at 'addr' of size 'size'",
      hmp_memsave },
    { "dumpdtb", "filename:s", "filename",
      "dump the FDT in dtb format to 'filename'", hmp_dumpdtb },
    { "nmi", "", "", "inject an NMI", hmp_nmi },
    { "system_powerdown", "", "", "send system power down event",
      hmp_system_powerdown },
    { "object_add", "object:S", "[qom-type=]type,id=str[,prop=value][,...]",
      "create QOM object", hmp_object_add },
    { "object_del", "id:s", "id", "destroy QOM object", hmp_object_del },
    { "qom-list", "path:s?", "path", "list QOM properties", hmp_qom_list },
    { "qom-get", "path:s,property:s", "path property",
      "print QOM property", hmp_qom_get },
    { "qom-set", "json:-j,path:s,property:s,value:S",
      "[-j] path property value",
      "set QOM property.\n\t\t\t-j: the value is specified in json format.",
      hmp_qom_set },
    { "trace-event", "name:s,option:s,vcpu:i?", "name on|off [vcpu]",
      "changes status of a specific trace event (vcpu: vCPU to set, "
      "default is all)", hmp_trace_event },
    { "netdev_add", "netdev:s", "[user|tap|socket|hubport],id=str[,prop=value][,...]",
      "add host network device", hmp_netdev_add },
    { "netdev_del", "id:s", "id", "remove host network device",
      hmp_netdev_del },
    { "set_link", "name:s,up:s", "name on|off",
      "change the link status of a network adapter", hmp_set_link },
    { "hostfwd_add", "arg1:s,arg2:s?",
      "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
      "redirect TCP or UDP connections from host to guest (requires -net "
      "user)", hmp_hostfwd_add },
    { "hostfwd_remove", "arg1:s,arg2:s?",
      "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
      "remove host-to-guest TCP or UDP redirection", hmp_hostfwd_remove },
    { "set_password", "protocol:s,password:s,display:-ds,connected:s?",
      "protocol password [-d display] [action-if-connected]",
      "set spice/vnc password", hmp_set_password },
    { "screendump", "filename:F,format:-fs,device:s?,head:i?",
      "filename [-f format] [device [head]]",
      "save screen from head 'head' of display device 'device'"
      "in specified format 'format' as image 'filename'."
      "Currently only 'png' and 'ppm' formats are supported.",
      hmp_screendump },
    { "expire_password", "protocol:s,time:s,display:-ds",
      "protocol time [-d display]",
      "set spice/vnc password expire-time", hmp_expire_password },
    { "sendkey", "keys:s,hold-time:s?", "keys [hold_ms]",
      "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)",
      hmp_sendkey },
    { "mouse_move", "dx_str:s,dy_str:s,dz_str:s?", "dx dy [dz]",
      "send mouse move events", hmp_mouse_move },
    { "mouse_button", "button_state:s", "state",
      "change mouse button state (1=L, 2=M, 4=R)", hmp_mouse_button },
    { "bql_profile_reset", "", "", "clear the BQL profile (see info bql)",
      hmp_bql_profile_reset },
    { "info", "item:s?", "[subcommand]",
      "show various information about the system state", hmp_info_help,
      hmp_info_cmds },
    { NULL }
};
