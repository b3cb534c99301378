/*
 * The command line: option lookup in the table of qcore/qemu-options.h,
 * -h and -version texts, and the walk over argv that turns options into
 * option groups and settings for vl.c.  Corresponds to the option loop of
 * QEMU's system/vl.c (lookup_opt, help, version, the QEMU_OPTION_* switch
 * in qemu_init).
 *
 * Division of work: this file knows what each option means syntactically
 * and where QEMU keeps it; vl.c decides what to do with it, in start-up
 * order.  Help that needs another layer's registry (-M help, -object
 * help) goes through the QemuCmdlineHooks.
 *
 * Everything here runs in the main thread before the main loop starts.
 * Errors in the user's arguments are reported with the option as
 * location ("qcore: -name x,foo=1: Invalid parameter 'foo'") and exit(1),
 * as QEMU does; help and version print to stdout and exit(0).
 *
 * Example (the whole of vl.c's use):
 *
 *     static const QemuCmdlineHooks hooks = {
 *         .machine_help = machine_help_func,
 *         .object_help = user_creatable_print_help,
 *     };
 *     QemuCmdline cl;
 *
 *     qemu_add_opts(&qemu_chardev_opts);     // groups of other layers
 *     qemu_add_opts(&qemu_mon_opts);
 *     qemu_options_parse(argc, argv, &hooks, &cl);
 *     if (!cl.autostart) { ... -S ... }
 *     qemu_opts_foreach(qemu_find_opts("chardev"), chardev_init_func, ...);
 */
#ifndef QCORE_VL_H
#define QCORE_VL_H

#include "qcore/osdep.h"
#include "qcore/option.h"
#include "qcore/qobject.h"

#define HAS_ARG 0x0001

/* QEMU_OPTION_h, QEMU_OPTION_machine, ...: one per table entry. */
enum {
#define DEF(name, flags, index, help) index,
#define DEFHEADING(text)
#include "qcore/qemu-options.h"
    QEMU_OPTION__MAX
};

typedef struct QEMUOption {
    const char *name;           /* without the leading '-' */
    int flags;                  /* HAS_ARG */
    int index;                  /* QEMU_OPTION_* */
} QEMUOption;

/*
 * Look up the option at argv[*poptind] ("-foo" or "--foo") and step
 * *poptind past it and its argument, stored in *poptarg (NULL if it takes
 * none).  Sets the current error location to the option (and argument).
 * Exits with "qcore: -foo: invalid option" or "qcore: -name: requires an
 * argument".
 */
const QEMUOption *qemu_options_lookup(int argc, char **argv,
                                      const char **poptarg, int *poptind);

/* Print the -h text (generated from the table) / the -version text. */
void qemu_options_print_help(void);
void qemu_options_print_version(void);

/* One -object, with where it was on the command line for error messages. */
typedef struct QemuCmdlineObject {
    QDict *args;                /* qom-type, id, properties */
    bool keyval;                /* args from keyval (strings), not JSON */
    Location loc;               /* loc_restore() before reporting on it */
} QemuCmdlineObject;

/* A -monitor, -qmp or -qmp-pretty request, for vl.c's monitor_parse(). */
typedef struct QemuCmdlineMonitor {
    const char *str;            /* the chardev spec, e.g. "stdio" */
    const char *mode;           /* "readline" or "control" */
    bool pretty;                /* -qmp-pretty */
} QemuCmdlineMonitor;

/*
 * What the command line asked for, named after QEMU's vl.c variables.
 * Strings point into argv.  Option groups that QEMU keeps as QemuOpts
 * stay there, found with qemu_find_opts():
 *   "name"     -name (merged; keys guest, process, debug-threads)
 *   "memory"   -m (merged; keys size, slots, maxmem; see ram_size)
 *   "chardev"  -chardev, one QemuOpts per device (implied key backend)
 *   "mon"      -mon, one per monitor (implied key chardev)
 */
typedef struct QemuCmdline {
    /*
     * -machine/-M as keyval with implied key "type" (merged over repeated
     * options), plus "kernel", "append", "firmware" (-bios) and "smp"
     * (a dict from -smp, implied key "cpus").  Never NULL.
     */
    QDict *machine_opts_dict;
    const char *cpu_option;     /* -cpu, or NULL */
    uint64_t ram_size;          /* -m in bytes (MiB if no suffix), or 0 */
    bool autostart;             /* false with -S */
    bool has_defaults;          /* false with -nodefaults */
    bool default_serial;        /* false once -serial is given */
    bool default_monitor;       /* false once a monitor is configured */
    bool nographic;             /* -nographic */
    const char *display_type;   /* -display / -nographic: "none"; or NULL */
    const char *vnc_option;     /* -vnc (the last wins), or NULL */
    const char *keyboard_layout;    /* -k, or NULL (en-us) */
    GPtrArray *serials;         /* -serial arguments (char *), in order */
    GArray *monitors;           /* QemuCmdlineMonitor, in order */
    GPtrArray *objects;         /* -object: QemuCmdlineObject *, in order */
    GPtrArray *devices;         /* -device: QemuCmdlineObject *, in order
                                 * (args: keyval, implied key "driver";
                                 * help not interpreted here) */
    GPtrArray *blockdevs;       /* -blockdev: QemuCmdlineObject *, args
                                 * {"optarg": the argument} */
    GPtrArray *drives;          /* -drive: QemuCmdlineObject *, keyval */
    const char *pidfile;        /* -pidfile, or NULL */
    bool daemonize;             /* -daemonize */
    const char *log_file;       /* -D, or NULL */
    const char *log_mask;       /* -d, or NULL (not interpreted here) */
    const char *accel;          /* -accel / -machine accel=, or NULL */
    const char *qtest_chrdev;   /* -qtest, or NULL */
    const char *qtest_log;      /* -qtest-log, or NULL */
    QDict *accel_opts;          /* owns the string accel points into */
    int64_t halt_poll_ns;       /* -accel tcg,halt-poll-ns=, or -1 */
    const char *gdbstub_dev;    /* -gdb / -s (the last wins), or NULL */
    Location gdbstub_loc;       /* where it was, for its errors */
    Location vnc_loc;           /* the same for -vnc */
} QemuCmdline;

/*
 * Help that other layers know how to give.  Each hook prints to stdout;
 * qemu_options_parse() exits(0) after calling it.  A NULL hook makes the
 * help request print "No help available for <what>".
 */
typedef struct QemuCmdlineHooks {
    /* "-M help" (@type NULL: list machines) or "-M virt,help". */
    void (*machine_help)(const char *type);
    /* "-object help" (@type NULL: list types) or "-object iothread,help". */
    void (*object_help)(const char *type);
} QemuCmdlineHooks;

/*
 * Parse argv[1..argc-1] into *@cl (overwritten), registering the groups
 * this file owns ("name", "memory") and, if no layer registered them yet,
 * minimal "chardev" and "mon" groups that accept any key.  Register the
 * real chardev and mon groups before calling this.
 *
 * Handled on the spot, as QEMU does: -h, -version, the help forms of -M,
 * -object, -display, -smp and of QemuOpts groups with descriptions
 * (-name help), and every syntax error.  Left to vl.c: "-chardev help"
 * (stored as backend=help, for the chardev layer to answer when it
 * creates the devices, like QEMU), "-d help", -monitor/-qmp/-serial
 * specs (strings to hand to the chardev layer).
 *
 * On return the current error location is "none" again.
 */
void qemu_options_parse(int argc, char **argv, const QemuCmdlineHooks *hooks,
                        QemuCmdline *cl);

/* Free what qemu_options_parse() allocated in *@cl (not the groups). */
void qemu_cmdline_cleanup(QemuCmdline *cl);

#endif
