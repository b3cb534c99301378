/*
 * The command line: lookup in the option table, -h and -version, and the
 * walk over argv that files each option where vl.c expects it.
 * Corresponds to the option handling of QEMU's system/vl.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/bql-profile.h"
#include "qcore/error.h"
#include "qcore/keyval.h"
#include "qcore/log.h"
#include "qcore/net.h"
#include "qcore/qjson.h"
#include "qcore/option.h"
#include "qcore/trace.h"
#include "qcore/vl.h"
#include "qcore/hw/qdev.h"

static const QEMUOption qemu_options[] = {
#define DEF(name, flags, index, help) { name, flags, index },
#define DEFHEADING(text)
#include "qcore/qemu-options.h"
    { NULL },
};

/* The help text, headings included, in table order. */
static const char *const qemu_options_help[] = {
#define DEF(name, flags, index, help) help,
#define DEFHEADING(text) #text "\n",
#include "qcore/qemu-options.h"
};

/* ---- Option groups owned by vl.c in QEMU ------------------------------ */

static QemuOptsList qemu_name_opts = {
    .name = "name",
    .implied_opt_name = "guest",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(qemu_name_opts.head),
    .desc = {
        { .name = "guest", .type = QEMU_OPT_STRING,
          .help = "the guest's name, as query-name and 'info name' show" },
        { .name = "process", .type = QEMU_OPT_STRING,
          .help = "the process name shown by ps and top" },
        { .name = "debug-threads", .type = QEMU_OPT_BOOL,
          .help = "give each thread a name (for debuggers; not a stable "
                  "interface)" },
        { NULL }
    },
};

static QemuOptsList qemu_trace_opts = {
    .name = "trace",
    .implied_opt_name = "enable",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_trace_opts.head),
    .desc = {
        { .name = "enable", .type = QEMU_OPT_STRING },
        { .name = "events", .type = QEMU_OPT_STRING },
        { .name = "file", .type = QEMU_OPT_STRING },
        { NULL }
    },
};

static QemuOptsList qemu_msg_opts = {
    .name = "msg",
    .implied_opt_name = "timestamp",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(qemu_msg_opts.head),
    .desc = {
        { .name = "timestamp", .type = QEMU_OPT_BOOL },
        { NULL }
    },
};

static QemuOptsList qemu_mem_opts = {
    .name = "memory",
    .implied_opt_name = "size",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(qemu_mem_opts.head),
    .desc = {
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "slots", .type = QEMU_OPT_NUMBER },
        { .name = "maxmem", .type = QEMU_OPT_SIZE },
        { NULL }
    },
};

/* Only for "-smp help": -smp itself is parsed with keyval, as in QEMU. */
static QemuOptsList qemu_smp_opts = {
    .name = "smp-opts",
    .implied_opt_name = "cpus",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(qemu_smp_opts.head),
    .desc = {
        { .name = "cpus", .type = QEMU_OPT_NUMBER },
        { .name = "maxcpus", .type = QEMU_OPT_NUMBER },
        { .name = "sockets", .type = QEMU_OPT_NUMBER },
        { .name = "cores", .type = QEMU_OPT_NUMBER },
        { .name = "threads", .type = QEMU_OPT_NUMBER },
        { NULL }
    },
};

/*
 * Stand-ins for the groups of the chardev and monitor layers, used only
 * if those did not register theirs: they accept any key, so the layer
 * checks the keys when it creates the device.
 */
static QemuOptsList fallback_chardev_opts = {
    .name = "chardev",
    .implied_opt_name = "backend",
    .head = QTAILQ_HEAD_INITIALIZER(fallback_chardev_opts.head),
    .desc = { { NULL } },
};

static QemuOptsList fallback_mon_opts = {
    .name = "mon",
    .implied_opt_name = "chardev",
    .head = QTAILQ_HEAD_INITIALIZER(fallback_mon_opts.head),
    .desc = {
        { .name = "mode", .type = QEMU_OPT_STRING },
        { .name = "chardev", .type = QEMU_OPT_STRING },
        { .name = "pretty", .type = QEMU_OPT_BOOL },
        { NULL }
    },
};

static void register_groups(void)
{
    qemu_add_opts(&qemu_name_opts);
    qemu_add_opts(&qemu_trace_opts);
    qemu_add_opts(&qemu_msg_opts);
    qemu_add_opts(&qemu_mem_opts);
    qemu_add_opts(&qemu_smp_opts);
    if (!qemu_find_opts_err("chardev", NULL)) {
        qemu_add_opts(&fallback_chardev_opts);
    }
    if (!qemu_find_opts_err("mon", NULL)) {
        qemu_add_opts(&fallback_mon_opts);
    }
}

/* ---- Lookup, -h, -version --------------------------------------------- */

const QEMUOption *qemu_options_lookup(int argc, char **argv,
                                      const char **poptarg, int *poptind)
{
    int optind = *poptind;
    const char *name = argv[optind];
    const QEMUOption *popt;

    loc_set_cmdline(argv, optind, 1);
    optind++;
    if (name[0] != '-') {
        /* QEMU takes a bare word as a disk image; there are no disks. */
        error_report("invalid option");
        exit(1);
    }
    /* --foo is the same as -foo. */
    name += name[1] == '-' ? 2 : 1;

    for (popt = qemu_options; popt->name; popt++) {
        if (!strcmp(popt->name, name)) {
            break;
        }
    }
    if (!popt->name) {
        error_report("invalid option");
        exit(1);
    }
    if (popt->flags & HAS_ARG) {
        if (optind >= argc) {
            error_report("requires an argument");
            exit(1);
        }
        *poptarg = argv[optind++];
        loc_set_cmdline(argv, optind - 2, 2);
    } else {
        *poptarg = NULL;
    }
    *poptind = optind;
    return popt;
}

void qemu_options_print_version(void)
{
    printf("qcore emulator version " QCORE_VERSION "\n"
           "A compact re-implementation of QEMU's core machinery\n");
}

void qemu_options_print_help(void)
{
    size_t i;

    qemu_options_print_version();
    printf("usage: %s [options]\n\n", g_get_prgname() ?: "qcore");
    for (i = 0; i < G_N_ELEMENTS(qemu_options_help); i++) {
        fputs(qemu_options_help[i], stdout);
    }
    printf("With -nographic, 'ctrl-a h' lists the keys of the terminal.\n");
    /* QEMU's -h has no example; a reader of this one gets a whole guest. */
    printf("\nExample: Linux (make linux) with a qcow2 disk served by an "
           "IOThread and a\nnetwork card on user networking:\n"
           "  %s -M virt -smp 4 -m 512M -nographic \\\n"
           "    -kernel build/linux/Image -initrd build/linux/initramfs.cpio.gz "
           "\\\n"
           "    -append console=ttyS0 -object iothread,id=io0 \\\n"
           "    -blockdev driver=qcow2,node-name=disk0,file.driver=file,"
           "file.filename=disk.qcow2 \\\n"
           "    -device virtio-blk-device,drive=disk0,iothread=io0 \\\n"
           "    -netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 "
           "-device virtio-net-device,netdev=n0\n",
           g_get_prgname() ?: "qcore");
}

/* ---- The walk over argv ----------------------------------------------- */

static void no_help(const char *what)
{
    printf("No help available for %s\n", what);
}

/*
 * Parse into a QemuOpts group, exiting on error.  As in QEMU, help for a
 * described group ("-mon x,help") is printed by the parser and also
 * exits with status 1: the parser cannot tell it apart from an error.
 */
static QemuOpts *parse_group(const char *group, const char *optarg)
{
    QemuOpts *opts = qemu_opts_parse_noisily(qemu_find_opts(group), optarg,
                                             true);

    if (!opts) {
        exit(1);
    }
    return opts;
}

/*
 * -trace: events are switched at once, as QEMU does, so that they are on
 * from the first thing the machine does; file= is the log's file (-D).
 */
static void trace_option(QemuCmdline *cl, const char *optarg)
{
    QemuOpts *opts = parse_group("trace", optarg);
    const char *enable = qemu_opt_get(opts, "enable");
    const char *events = qemu_opt_get(opts, "events");
    const char *file = qemu_opt_get(opts, "file");

    if (enable && !strcmp(enable, "help")) {
        trace_list_events(stdout);
        exit(0);
    }
    if (enable) {
        trace_enable_events(enable);
    }
    if (events) {
        trace_init_events_file(events, &error_fatal);
    }
    if (file) {
        cl->log_file = file;       /* opts live as long as the list */
    }
}

static void machine_option(QemuCmdline *cl, const char *optarg,
                           const QemuCmdlineHooks *hooks)
{
    bool help;

    keyval_parse_into(cl->machine_opts_dict, optarg, "type", &help,
                      &error_fatal);
    if (help) {
        const char *type = qdict_get_try_str(cl->machine_opts_dict, "type");

        if (hooks && hooks->machine_help) {
            hooks->machine_help(type);
        } else {
            no_help("-machine");
        }
        exit(0);
    }
}

static void smp_option(QemuCmdline *cl, const char *optarg)
{
    bool help;
    QDict *smp = keyval_parse(optarg, qemu_smp_opts.implied_opt_name, &help,
                              &error_fatal);

    if (help) {
        qemu_opts_print_help(&qemu_smp_opts, true);
        qobject_unref(smp);
        exit(0);
    }
    /* Numbers are checked by the machine, which knows its limits. */
    qdict_put(cl->machine_opts_dict, "smp", smp);
}

static void object_option(QemuCmdline *cl, const char *optarg,
                          const QemuCmdlineHooks *hooks)
{
    /* As QEMU: JSON when it starts with '{' (what libvirt passes). */
    bool json = optarg[0] == '{', help = false;
    QDict *args = json ? qdict_from_json(optarg, &error_fatal) :
                  keyval_parse(optarg, "qom-type", &help, &error_fatal);
    const char *type = qdict_get_try_str(args, "qom-type");
    QemuCmdlineObject *obj;

    if (!type && qdict_haskey(args, "qom-type")) {
        error_report("Invalid parameter type for 'qom-type', expected: "
                     "string");
        exit(1);
    }
    if (help) {
        if (hooks && hooks->object_help) {
            hooks->object_help(type);
        } else {
            no_help("-object");
        }
        /* Whether LSan finds the dict still referenced at exit is luck. */
        qobject_unref(args);
        exit(0);
    }
    if (!type) {
        error_report("Parameter 'qom-type' is missing");
        exit(1);
    }
    obj = g_new0(QemuCmdlineObject, 1);
    obj->args = args;
    obj->keyval = !json;
    loc_save(&obj->loc);
    g_ptr_array_add(cl->objects, obj);
}

/* -device: kept for vl.c, which asks the machine (help included). */
static void device_option(QemuCmdline *cl, const char *optarg)
{
    bool help;
    QDict *args = keyval_parse(optarg, "driver", &help, &error_fatal);
    QemuCmdlineObject *dev = g_new0(QemuCmdlineObject, 1);

    if (help) {
        qdict_put_str(args, "help", "on");
    }
    dev->args = args;
    dev->keyval = true;
    loc_save(&dev->loc);
    g_ptr_array_add(cl->devices, dev);
}

static void display_option(QemuCmdline *cl, const char *optarg)
{
    /* Backends QEMU may have; named so the error says what is missing. */
    static const char *const absent[] = {
        "gtk", "sdl", "curses", "egl-headless", "dbus", "cocoa",
        "spice-app", "vnc",
    };
    bool help;
    g_autoptr(QDict) args = keyval_parse(optarg, "type", &help,
                                         &error_fatal);
    const char *type = qdict_get_try_str(args, "type");
    size_t i;

    if (help) {
        printf("Available display backend types:\nnone\n");
        qobject_unref(g_steal_pointer(&args));
        exit(0);
    }
    if (!type) {
        error_report("Parameter 'type' is missing");
        exit(1);
    }
    if (!strcmp(type, "none")) {
        if (qdict_size(args) > 1) {
            /* "none" has no options; name the first one given. */
            const QDictEntry *e;

            for (e = qdict_first(args); e; e = qdict_next(args, e)) {
                if (strcmp(qdict_entry_key(e), "type")) {
                    error_report("Invalid parameter '%s'", qdict_entry_key(e));
                    exit(1);
                }
            }
        }
        cl->display_type = "none";
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(absent); i++) {
        if (!strcmp(type, absent[i])) {
            error_report("Display '%s' is not available.", type);
            exit(1);
        }
    }
    error_report("Parameter 'type' does not accept value '%s'", type);
    exit(1);
}

/*
 * -accel NAME: the accelerators there are.  QEMU 7.2 tries each -accel in
 * turn; qcore takes the last one, as there is never one to fall back to.
 */
static void accel_option(QemuCmdline *cl, const char *optarg)
{
    bool help;
    QDict *args = keyval_parse(optarg, "accel", &help, &error_fatal);
    const char *name = qdict_get_try_str(args, "accel");
    const QDictEntry *e;

    if (help || !g_strcmp0(name, "help")) {
        printf("Accelerators supported in QEMU binary:\ntcg\nqtest\n");
        qobject_unref(args);
        exit(0);
    }
    if (!name) {
        error_report("Parameter 'accel' is missing");
        exit(1);
    }
    if (strcmp(name, "tcg") && strcmp(name, "qtest")) {
        error_report("invalid accelerator %s", name);
        exit(1);
    }
    cl->halt_poll_ns = -1;
    for (e = qdict_first(args); e; e = qdict_next(args, e)) {
        const char *key = qdict_entry_key(e);
        Error *err = NULL;
        uint64_t ns;

        if (!strcmp(key, "accel")) {
            continue;
        }
        /* The interpreter's halt polling (docs/vcpu.md); qtest never halts. */
        if (strcmp(key, "halt-poll-ns") || strcmp(name, "tcg")) {
            error_report("Invalid parameter '%s'", key);
            exit(1);
        }
        if (!parse_option_number(key, qdict_get_str(args, key), &ns, &err)) {
            error_report_err(err);
            exit(1);
        }
        if (ns > INT64_MAX) {
            error_report("Value '%s' is too large for parameter '%s'",
                         qdict_get_str(args, key), key);
            exit(1);
        }
        cl->halt_poll_ns = ns;
    }
    qobject_unref(cl->accel_opts);
    cl->accel_opts = args;
    cl->accel = name;
}

/* QEMU's -m: a size in MiB unless it carries a suffix. */
static uint64_t ram_size_option(void)
{
    QemuOpts *opts = qemu_opts_find(&qemu_mem_opts, NULL);
    const char *str = qemu_opt_get(opts, "size");
    uint64_t sz;

    if (!str) {
        return 0;
    }
    qemu_opts_loc_restore(opts);
    if (!*str) {
        error_report("missing 'size' option value");
        exit(1);
    }
    sz = qemu_opt_get_size(opts, "size", 0);
    if (g_ascii_isdigit(str[strlen(str) - 1])) {
        if (sz > UINT64_MAX >> 20) {
            error_report("too large 'size' option value");
            exit(1);
        }
        sz <<= 20;
    }
    loc_set_none();
    return sz;
}

static void add_monitor(QemuCmdline *cl, const char *str, const char *mode,
                        bool pretty)
{
    QemuCmdlineMonitor mon = { .str = str, .mode = mode, .pretty = pretty };

    g_array_append_val(cl->monitors, mon);
}

static void handle_option(QemuCmdline *cl, const QEMUOption *popt,
                          const char *optarg, const QemuCmdlineHooks *hooks)
{
    switch (popt->index) {
    case QEMU_OPTION_h:
    case QEMU_OPTION_help:
        qemu_options_print_help();
        exit(0);
    case QEMU_OPTION_version:
        qemu_options_print_version();
        exit(0);
    case QEMU_OPTION_machine:
    case QEMU_OPTION_M:
        machine_option(cl, optarg, hooks);
        break;
    case QEMU_OPTION_cpu:
        cl->cpu_option = optarg;
        break;
    case QEMU_OPTION_smp:
        smp_option(cl, optarg);
        break;
    case QEMU_OPTION_m:
        parse_group("memory", optarg);
        break;
    case QEMU_OPTION_name:
        parse_group("name", optarg);
        break;
    case QEMU_OPTION_display:
        display_option(cl, optarg);
        break;
    case QEMU_OPTION_nographic:
        cl->nographic = true;
        cl->display_type = "none";
        break;
    case QEMU_OPTION_vnc:
        cl->vnc_option = optarg;    /* opened by vl.c */
        loc_save(&cl->vnc_loc);
        break;
    case QEMU_OPTION_k:
        cl->keyboard_layout = optarg;   /* loaded with the display */
        break;
    case QEMU_OPTION_chardev:
        parse_group("chardev", optarg);
        break;
    case QEMU_OPTION_kernel:
        qdict_put_str(cl->machine_opts_dict, "kernel", optarg);
        break;
    case QEMU_OPTION_append:
        qdict_put_str(cl->machine_opts_dict, "append", optarg);
        break;
    case QEMU_OPTION_bios:
        qdict_put_str(cl->machine_opts_dict, "firmware", optarg);
        break;
    case QEMU_OPTION_initrd:
        qdict_put_str(cl->machine_opts_dict, "initrd", optarg);
        break;
    case QEMU_OPTION_dtb:
        qdict_put_str(cl->machine_opts_dict, "dtb", optarg);
        break;
    case QEMU_OPTION_serial:
        g_ptr_array_add(cl->serials, (char *)optarg);
        cl->default_serial = false;
        if (g_str_has_prefix(optarg, "mon:")) {
            cl->default_monitor = false;
        }
        break;
    case QEMU_OPTION_monitor:
        cl->default_monitor = false;
        if (strncmp(optarg, "none", 4)) {
            add_monitor(cl, optarg, "readline", false);
        }
        break;
    case QEMU_OPTION_qmp:
        add_monitor(cl, optarg, "control", false);
        cl->default_monitor = false;
        break;
    case QEMU_OPTION_qmp_pretty:
        add_monitor(cl, optarg, "control", true);
        cl->default_monitor = false;
        break;
    case QEMU_OPTION_mon:
        parse_group("mon", optarg);
        cl->default_monitor = false;
        break;
    case QEMU_OPTION_pidfile:
        cl->pidfile = optarg;
        break;
    case QEMU_OPTION_S:
        cl->autostart = false;
        break;
    case QEMU_OPTION_gdb:
        cl->gdbstub_dev = optarg;
        loc_save(&cl->gdbstub_loc);
        break;
    case QEMU_OPTION_s:
        cl->gdbstub_dev = "tcp::1234";     /* DEFAULT_GDBSTUB_PORT */
        loc_save(&cl->gdbstub_loc);
        break;
    case QEMU_OPTION_nodefaults:
        cl->has_defaults = false;
        break;
    case QEMU_OPTION_daemonize:
        cl->daemonize = true;
        break;
    case QEMU_OPTION_D:
        cl->log_file = optarg;
        break;
    case QEMU_OPTION_accel:
        accel_option(cl, optarg);
        break;
    case QEMU_OPTION_qtest:
        cl->qtest_chrdev = optarg;
        break;
    case QEMU_OPTION_qtest_log:
        cl->qtest_log = optarg;
        break;
    case QEMU_OPTION_d:
        cl->log_mask = optarg;
        break;
    case QEMU_OPTION_trace:
        trace_option(cl, optarg);
        break;
    case QEMU_OPTION_msg:
        message_with_timestamp =
            qemu_opt_get_bool(parse_group("msg", optarg), "timestamp", false);
        break;
    case QEMU_OPTION_dfilter:
        qemu_set_dfilter_ranges(optarg, &error_fatal);
        break;
    case QEMU_OPTION_bql_profile: {
        bool on;

        /* Before vCPUs and monitors exist (see bql-profile.h). */
        qapi_bool_parse("bql-profile", optarg, &on, &error_fatal);
        qatomic_set(&bql_profile_enabled, on);
        break;
    }
    case QEMU_OPTION_object:
        object_option(cl, optarg, hooks);
        break;
    case QEMU_OPTION_global:
        qdev_add_global(optarg, &error_fatal);
        break;
    case QEMU_OPTION_device:
        device_option(cl, optarg);
        break;
    case QEMU_OPTION_blockdev: {
        /* Parsed by the block layer (blockdev.c): args {"optarg": str}. */
        QemuCmdlineObject *b = g_new0(QemuCmdlineObject, 1);

        b->args = qdict_new();
        qdict_put_str(b->args, "optarg", optarg);
        loc_save(&b->loc);
        g_ptr_array_add(cl->blockdevs, b);
        break;
    }
    case QEMU_OPTION_drive: {
        QemuCmdlineObject *d = g_new0(QemuCmdlineObject, 1);

        d->args = keyval_parse(optarg, NULL, NULL, &error_fatal);
        d->keyval = true;
        loc_save(&d->loc);
        g_ptr_array_add(cl->drives, d);
        break;
    }
    case QEMU_OPTION_netdev:
    case QEMU_OPTION_nic:
        /* The "netdev" and "nic" groups are the net layer's (net.h). */
        if (net_client_parse(qemu_find_opts(popt->index == QEMU_OPTION_nic ?
                                            "nic" : "netdev"),
                             optarg) < 0) {
            exit(1);
        }
        break;
    default:
        /* Every table entry needs a case; a missing one is our bug. */
        g_assert_not_reached();
    }
}

static void free_object(gpointer p)
{
    QemuCmdlineObject *obj = p;

    qobject_unref(obj->args);
    g_free(obj);
}

void qemu_options_parse(int argc, char **argv, const QemuCmdlineHooks *hooks,
                        QemuCmdline *cl)
{
    int optind = 1;

    *cl = (QemuCmdline) {
        .machine_opts_dict = qdict_new(),
        .autostart = true,
        .has_defaults = true,
        .default_serial = true,
        .default_monitor = true,
        .serials = g_ptr_array_new(),
        .monitors = g_array_new(false, false, sizeof(QemuCmdlineMonitor)),
        .objects = g_ptr_array_new_with_free_func(free_object),
        .devices = g_ptr_array_new_with_free_func(free_object),
        .blockdevs = g_ptr_array_new_with_free_func(free_object),
        .drives = g_ptr_array_new_with_free_func(free_object),
        .halt_poll_ns = -1,
    };
    register_groups();

    while (optind < argc) {
        const char *optarg;
        const QEMUOption *popt = qemu_options_lookup(argc, argv, &optarg,
                                                     &optind);

        handle_option(cl, popt, optarg, hooks);
    }
    loc_set_none();

    /* -machine accel=X is the old spelling of -accel X. */
    if (qdict_haskey(cl->machine_opts_dict, "accel")) {
        const char *accel = qdict_get_try_str(cl->machine_opts_dict, "accel");

        if (cl->accel) {
            error_report("The -accel and \"-machine accel=\" options are "
                         "incompatible");
            exit(1);
        }
        if (!accel || (strcmp(accel, "tcg") && strcmp(accel, "qtest"))) {
            error_report("invalid accelerator %s", accel ?: "");
            exit(1);
        }
        cl->accel = g_intern_string(accel);
        qdict_del(cl->machine_opts_dict, "accel");
    }
    cl->ram_size = ram_size_option();
}

void qemu_cmdline_cleanup(QemuCmdline *cl)
{
    qobject_unref(cl->machine_opts_dict);
    g_ptr_array_free(cl->serials, true);
    g_array_free(cl->monitors, true);
    g_ptr_array_free(cl->objects, true);
    g_ptr_array_free(cl->devices, true);
    g_ptr_array_free(cl->blockdevs, true);
    g_ptr_array_free(cl->drives, true);
    qobject_unref(cl->accel_opts);
    memset(cl, 0, sizeof(*cl));
}
