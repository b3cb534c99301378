/*
 * qcore's main(): the story of start-up, in the order QEMU tells it in
 * qemu_init() — register what can be registered, read the command line,
 * daemonize, create the main loop, the backends, the objects, the
 * monitors, start (or not, with -S) and run until asked to stop.
 * Corresponds to QEMU's system/vl.c, system/main.c and os-posix.c.
 */
#include "qcore/osdep.h"
#include "qcore/block-backend.h"
#include "qcore/chardev.h"
#include "qcore/error.h"
#include "qcore/gdbstub.h"
#include "qcore/log.h"
#include "qcore/machine.h"
#include "qcore/main-loop.h"
#include "qcore/module.h"
#include "qcore/monitor.h"
#include "qcore/console.h"
#include "qcore/input.h"
#include "qcore/net.h"
#include "qcore/object-interfaces.h"
#include "qcore/hw/qdev.h"
#include "qcore/option.h"
#include "qcore/qtest.h"
#include "qcore/runstate.h"
#include "qcore/target-riscv.h"
#include "qcore/vl.h"
#include "qapi/qapi-commands.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>

static QemuCmdline cmdline;
static char *pid_file_realpath;
/* Write end of the pipe on which a daemonized child reports start-up. */
static int daemon_pipe = -1;
static int monitor_count;

/* ---- help that other layers answer ---------------------------------- */

static void machine_help_func(const char *type)
{
    machine_print_help();
}

static void object_help_func(const char *type)
{
    user_creatable_print_help(type, true);
}

/* ---- -daemonize and -pidfile (QEMU's os-posix.c) --------------------- */

/*
 * Fork; the parent waits until the child says start-up succeeded (one
 * byte on a pipe) and exits with status 0, or 1 if the child failed.
 */
static void os_daemonize(void)
{
    int fds[2];
    pid_t pid;
    char status;

    if (pipe(fds) < 0) {
        error_report("daemonize: pipe: %s", strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        error_report("daemonize: fork: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        close(fds[1]);
        if (read(fds[0], &status, 1) != 1 || status != 0) {
            exit(1);
        }
        exit(0);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    setsid();
    /* A second fork so that we can never reacquire a terminal. */
    pid = fork();
    if (pid < 0) {
        exit(1);
    } else if (pid > 0) {
        _exit(0);
    }
    umask(027);
}

/* The child is up: release the waiting parent, drop the terminal. */
static void os_setup_post(void)
{
    int fd;

    if (daemon_pipe < 0) {
        return;
    }
    if (chdir("/") < 0) {
        error_report("daemonize: chdir: %s", strerror(errno));
        exit(1);
    }
    /*
     * Let go of the caller's terminal or pipes, so that whoever started
     * us sees EOF; stderr too, unless the -d log goes there (QEMU's rule).
     */
    fd = open("/dev/null", O_RDWR);
    dup2(fd, 0);
    dup2(fd, 1);
    if (cmdline.log_file || !cmdline.log_mask) {
        dup2(fd, 2);
    }
    close(fd);
    if (write(daemon_pipe, "", 1) != 1) {
        exit(1);
    }
    close(daemon_pipe);
    daemon_pipe = -1;
}

/* Create and lock the pid file; fails if another process holds it. */
static bool qemu_write_pidfile(const char *path, Error **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file");
        return false;
    }
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_setg_errno(errp, errno, "Cannot lock pid file");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) != strlen(pid)) {
        error_setg_errno(errp, errno, "Failed to write pid file");
        close(fd);
        return false;
    }
    /* Keep fd open: the lock lives as long as we do. */
    return true;
}

static void qemu_unlink_pidfile(void)
{
    if (pid_file_realpath) {
        unlink(pid_file_realpath);
    }
}

/* ---- backends, objects, monitors ------------------------------------- */

static int chardev_init_func(void *opaque, QemuOpts *opts, Error **errp)
{
    Error *local_err = NULL;

    if (!qemu_chr_new_from_opts(opts, NULL, &local_err)) {
        if (local_err) {
            error_propagate(errp, local_err);
            return -1;
        }
        exit(0);    /* backend=help was printed */
    }
    return 0;
}

static int mon_init_func(void *opaque, QemuOpts *opts, Error **errp)
{
    return monitor_init_opts(opts, errp);
}

/* -monitor / -qmp / -qmp-pretty: a chardev spec plus a mode, as QEMU. */
static void monitor_parse(const QemuCmdlineMonitor *m)
{
    g_autofree char *label = g_strdup_printf("compat_monitor%d",
                                             monitor_count++);
    Chardev *chr;

    if (!strcmp(m->str, "none")) {
        return;
    }
    if (g_str_has_prefix(m->str, "chardev:")) {
        chr = qemu_chr_find(m->str + strlen("chardev:"));
        if (!chr) {
            error_report("chardev \"%s\" not found",
                         m->str + strlen("chardev:"));
            exit(1);
        }
    } else {
        chr = qemu_chr_new_mux_mon(label, m->str, NULL);
        if (!chr) {
            exit(1);
        }
    }
    if (!strcmp(m->mode, "control")) {
        monitor_init_qmp(chr, m->pretty, &error_fatal);
    } else if (!object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_MUX)) {
        /* A "mon:" mux already got its HMP monitor from the chardev hook. */
        monitor_init_hmp(chr, true, &error_fatal);
    }
}

/* -serial: there is no UART until a machine has one; keep the chardevs. */
static void serial_parse(const char *devname, int index)
{
    g_autofree char *label = g_strdup_printf("serial%d", index);

    if (!strcmp(devname, "none")) {
        return;
    }
    if (!qemu_chr_new_mux_mon(label, devname, NULL)) {
        exit(1);
    }
}

static void qemu_create_default_devices(void)
{
    bool default_serial = cmdline.has_defaults && cmdline.default_serial;
    bool default_monitor = cmdline.has_defaults && cmdline.default_monitor;

    /*
     * -nographic puts serial and monitor on the terminal, multiplexed;
     * without it and without a display qcore has nowhere visible to put
     * them, like QEMU with -display none.
     */
    if (cmdline.nographic) {
        if (default_serial && default_monitor) {
            g_ptr_array_add(cmdline.serials, (char *)"mon:stdio");
        } else if (default_serial) {
            g_ptr_array_add(cmdline.serials, (char *)"stdio");
        } else if (default_monitor) {
            QemuCmdlineMonitor m = { "stdio", "readline", false };
            g_array_append_val(cmdline.monitors, m);
        }
    } else if (cmdline.vnc_option && strcmp(cmdline.vnc_option, "none")) {
        /* With a display, QEMU puts both on text consoles (ui/console.c). */
        if (default_serial) {
            g_ptr_array_add(cmdline.serials, (char *)"vc:80Cx24C");
        }
        if (default_monitor) {
            QemuCmdlineMonitor m = { "vc:80Cx24C", "readline", false };
            g_array_append_val(cmdline.monitors, m);
        }
    }
}

static void qemu_create_backends(void)
{
    guint i;

    qemu_opts_foreach(qemu_find_opts("chardev"), chardev_init_func, NULL,
                      &error_fatal);
    /* Net backends before the devices that name them (QEMU's order). */
    qemu_add_vm_change_state_handler(net_vm_change_state_handler, NULL);
    net_init_clients(&error_fatal);

    for (i = 0; i < cmdline.objects->len; i++) {
        QemuCmdlineObject *o = g_ptr_array_index(cmdline.objects, i);
        const char *id = qdict_get_try_str(o->args, "id");
        guint j;

        /* Errors read "qcore: -object iothread,id=x: ...", as QEMU's. */
        loc_restore(&o->loc);
        for (j = 0; id && j < i; j++) {
            QemuCmdlineObject *prev = g_ptr_array_index(cmdline.objects, j);
            if (!g_strcmp0(qdict_get_try_str(prev->args, "id"), id)) {
                error_report("Duplicate ID '%s' for object", id);
                exit(1);
            }
        }
        object_unref(user_creatable_add_dict(o->args, o->keyval,
                                             &error_fatal));
        loc_set_none();
    }

    qemu_opts_foreach(qemu_find_opts("mon"), mon_init_func, NULL,
                      &error_fatal);
    for (i = 0; i < cmdline.monitors->len; i++) {
        monitor_parse(&g_array_index(cmdline.monitors, QemuCmdlineMonitor,
                                     i));
    }
    for (i = 0; i < cmdline.serials->len; i++) {
        serial_parse(g_ptr_array_index(cmdline.serials, i), i);
    }
}

static void qemu_apply_name(void)
{
    QemuOpts *opts = qemu_opts_find(qemu_find_opts("name"), NULL);
    const char *process;

    if (!opts) {
        return;
    }
    qemu_set_vm_name(qemu_opt_get(opts, "guest"));
    process = qemu_opt_get(opts, "process");
    if (process) {
        prctl(PR_SET_NAME, process);
    }
}

static void qemu_apply_log(void)
{
    int mask = 0;

    if (cmdline.log_mask) {
        if (!strcmp(cmdline.log_mask, "help")) {
            qemu_print_log_usage(stdout);
            exit(0);
        }
        mask = qemu_str_to_log_mask(cmdline.log_mask, &error_fatal);
    }
    if (mask || cmdline.log_file) {
        qemu_set_log_filename_flags(cmdline.log_file, mask, &error_fatal);
    }
}

/*
 * -M TYPE,...: create the machine object and give it the board options
 * (-m, -smp, -cpu, -kernel, -append, -bios, dumpdtb); bad values exit
 * here, before any backend exists.  The board is built later, in
 * qemu_init_board, once its chardevs are there (QEMU's qemu_create_machine
 * and machine_run_board_init, in that order).
 */
static MachineState *current_machine;

static void qemu_create_machine_from_cmdline(void)
{
    const char *type = qdict_get_try_str(cmdline.machine_opts_dict, "type");
    Object *machine;

    /* -cpu help, whatever the machine (QEMU's list_cpus). */
    if (cmdline.cpu_option && is_help_option(cmdline.cpu_option)) {
        riscv_cpu_list();
        exit(0);
    }
    machine = qemu_create_machine(type ? type : "none", &error_fatal);

    current_machine = MACHINE(machine);
    if (!machine_apply_options(current_machine, cmdline.machine_opts_dict,
                               cmdline.ram_size, cmdline.cpu_option,
                               &error_fatal)) {
        exit(1);
    }
    for (guint i = 0; i < cmdline.devices->len; i++) {
        QemuCmdlineObject *d = g_ptr_array_index(cmdline.devices, i);
        Error *err = NULL;

        /* Errors read "qcore: -device edu,x=1: ...", as QEMU's. */
        loc_restore(&d->loc);
        if (!machine_add_device_opts(current_machine, d->args, &err)) {
            if (!err) {
                exit(0);            /* help was printed */
            }
            error_report_err(err);
            exit(1);
        }
        loc_set_none();
    }
}

/*
 * The accelerator: the interpreter unless -accel qtest (-qtest alone does
 * not change it, as QEMU 7.2 does not).  qtest's clock and vCPU threads
 * must be in place before the board makes its first timer and hart.
 */
static void configure_accelerators(void)
{
    if (!g_strcmp0(cmdline.accel, "qtest")) {
        qtest_accel_init();
    }
    if (cmdline.halt_poll_ns >= 0) {
        qemu_vcpu_set_halt_poll_ns(cmdline.halt_poll_ns);
    }
}

/* BLOCK_ERROR_ACTION_STOP (werror/rerror=stop), from the main loop. */
static void block_io_error_stop(void)
{
    vm_stop(RUN_STATE_IO_ERROR);
}

/*
 * -blockdev, then -drive, before the devices that name them (QEMU's
 * configure_blockdev).
 */
static void configure_blockdev(void)
{
    blk_set_vmstop_hook(block_io_error_stop);
    for (guint i = 0; i < cmdline.blockdevs->len; i++) {
        QemuCmdlineObject *b = g_ptr_array_index(cmdline.blockdevs, i);

        loc_restore(&b->loc);
        if (!blockdev_option_add(qdict_get_str(b->args, "optarg"),
                                 &error_fatal)) {
            exit(1);
        }
        loc_set_none();
    }
    for (guint i = 0; i < cmdline.drives->len; i++) {
        QemuCmdlineObject *d = g_ptr_array_index(cmdline.drives, i);

        loc_restore(&d->loc);
        drive_new(d->args, &error_fatal);
        loc_set_none();
    }
}

/* Memory, CPUs (stopped), devices on their chardevs, guest images. */
static void qemu_init_board(void)
{
    machine_run_board_init(current_machine, &error_fatal);
    /* -device TYPE_DEVICE ones, in order, after the board (QEMU's
     * qemu_create_cli_devices): their buses and backends exist now. */
    for (guint i = 0; i < cmdline.devices->len; i++) {
        QemuCmdlineObject *d = g_ptr_array_index(cmdline.devices, i);
        const char *driver = qdict_get_try_str(d->args, "driver");

        if (!driver || !qdev_is_user_device(driver)) {
            continue;
        }
        loc_restore(&d->loc);
        if (!qdev_device_add(d->args, &error_fatal)) {
            exit(1);
        }
        loc_set_none();
    }
}

int main(int argc, char **argv)
{
    static const QemuCmdlineHooks hooks = {
        .machine_help = machine_help_func,
        .object_help = object_help_func,
    };
    int status;

    g_set_prgname("qcore");

    /* 1. Everything that registers itself: QOM types, option groups. */
    module_call_init(MODULE_INIT_QOM);
    qemu_add_opts(&qemu_chardev_opts);
    qemu_add_opts(&qemu_mon_opts);
    qemu_add_opts(&qemu_netdev_opts);
    qemu_add_opts(&qemu_nic_opts);

    /* 2. The command line; syntax errors and help exit here. */
    qemu_options_parse(argc, argv, &hooks, &cmdline);
    qemu_apply_log();
    if (cmdline.daemonize && cmdline.nographic) {
        error_report("-nographic cannot be used with -daemonize");
        exit(1);
    }

    /* 3. Detach before anything creates threads. */
    if (cmdline.daemonize) {
        os_daemonize();
    }
    if (cmdline.pidfile) {
        if (!qemu_write_pidfile(cmdline.pidfile, &error_fatal)) {
            exit(1);
        }
        pid_file_realpath = realpath(cmdline.pidfile, NULL);
        atexit(qemu_unlink_pidfile);
    }

    /* 4. The main loop; from here on the main thread holds the BQL. */
    bql_lock();
    qemu_init_main_loop(&error_fatal);
    os_setup_signal_handling();
    monitor_register_commands();
    monitor_init_globals();
    qemu_apply_name();
    configure_accelerators();
    configure_blockdev();
    qemu_create_machine_from_cmdline();

    /* 5. Backends, objects, monitors, then the board on its chardevs. */
    suspend_mux_open();
    qemu_create_default_devices();
    /*
     * The display before the chardevs: the consoles they create show on
     * it as they appear, and the server listens before any monitor
     * greets (QEMU opens it later, in qemu_init_displays).
     */
    if (cmdline.vnc_option) {
        Error *err = NULL;

        loc_restore(&cmdline.vnc_loc);
        /* QEMU reports a bad -k with the -vnc that needs it. */
        if ((cmdline.keyboard_layout &&
             !qemu_keymap_select(cmdline.keyboard_layout, &err)) ||
            !vnc_display_open(cmdline.vnc_option, &err)) {
            error_report_err(err);
            exit(1);
        }
        loc_set_none();
    }

    qemu_create_backends();
    if (cmdline.qtest_chrdev &&
        !qtest_server_init(cmdline.qtest_chrdev, cmdline.qtest_log,
                           &error_fatal)) {
        exit(1);
    }
    qemu_init_board();
    if (cmdline.vnc_option) {
        loc_restore(&cmdline.vnc_loc);
        vnc_display_init_late(&error_fatal);
        loc_set_none();
    }
    net_check_clients();
    if (cmdline.gdbstub_dev) {
        loc_restore(&cmdline.gdbstub_loc);
        if (!gdbserver_start(cmdline.gdbstub_dev)) {
            exit(1);
        }
        loc_set_none();
    }

    /* 6. Start the vCPUs, unless -S asked to wait for "cont". */
    if (cmdline.autostart) {
        vm_start();
    }
    resume_mux_open();
    os_setup_post();

    /* 7. Run until shutdown, then tell every monitor and clean up. */
    status = qemu_main_loop();
    gdb_exit(status);
    /* Drained, flushed and closed: no acknowledged write is lost. */
    blockdev_close_all();
    vnc_display_cleanup();
    monitor_cleanup();
    net_cleanup();
    qemu_chr_cleanup();
    user_creatable_cleanup();
    qemu_cmdline_cleanup(&cmdline);
    bql_unlock();
    return status;
}
