/*
 * The stdio backend: the process's own terminal (fd 0 in, fd 1 out), put
 * in raw mode while qcore runs when stdin is a terminal.  Corresponds to
 * QEMU's chardev/char-stdio.c.
 *
 * signal=on (the default) keeps ISIG, so Ctrl-C raises SIGINT, which the
 * main loop turns into a shutdown; signal=off passes Ctrl-C through as a
 * byte ("mon:stdio" and -nographic use that, and quit with Ctrl-A x).
 * The terminal settings and the fds' flags are restored from atexit(), so
 * also when a signal ended the main loop; a crash leaves the terminal raw
 * (run "reset").
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/main-loop.h"
#include <fcntl.h>
#include <termios.h>

/*
 * There is one terminal, hence one stdio chardev; these are process-wide
 * and touched only by the main thread.
 */
static Chardev *stdio_owner;
static bool stdio_allow_signal;
static bool stdio_is_tty;
static struct termios stdio_saved_tty;
static int stdio_saved_flags[2] = { -1, -1 };
static bool stdio_atexit_registered;

static void stdio_restore(void)
{
    int fd;

    if (stdio_is_tty) {
        tcsetattr(0, TCSANOW, &stdio_saved_tty);
    }
    for (fd = 0; fd < 2; fd++) {
        if (stdio_saved_flags[fd] >= 0) {
            fcntl(fd, F_SETFL, stdio_saved_flags[fd]);
            stdio_saved_flags[fd] = -1;
        }
    }
}

static void stdio_set_echo(Chardev *chr, bool echo)
{
    struct termios tty;

    if (!stdio_is_tty) {
        return;
    }
    tty = stdio_saved_tty;
    if (!echo) {
        /* Raw input, but keep output post-processing so "\n" still works. */
        tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                         ICRNL | IXON);
        tty.c_oflag |= OPOST;
        tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
        tty.c_cflag &= ~(CSIZE | PARENB);
        tty.c_cflag |= CS8;
        tty.c_cc[VMIN] = 1;
        tty.c_cc[VTIME] = 0;
    }
    if (!stdio_allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    tcsetattr(0, TCSANOW, &tty);
}

static void stdio_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                           Error **errp)
{
    int fd;

    if (stdio_owner) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return;
    }
    stdio_owner = chr;
    stdio_allow_signal = qemu_opt_get_bool(opts, "signal", true);
    stdio_is_tty = tcgetattr(0, &stdio_saved_tty) == 0;
    for (fd = 0; fd < 2; fd++) {
        stdio_saved_flags[fd] = fcntl(fd, F_GETFL);
        if (stdio_saved_flags[fd] >= 0) {
            fcntl(fd, F_SETFL, stdio_saved_flags[fd] | O_NONBLOCK);
        }
    }
    if (!stdio_atexit_registered) {
        atexit(stdio_restore);
        /* A repeated Ctrl-C ends the process without atexit(). */
        qemu_set_signal_exit_hook(stdio_restore);
        stdio_atexit_registered = true;
    }
    chr->fd_in = 0;
    chr->fd_out = 1;
    stdio_set_echo(chr, false);
}

/* EOF on stdin (e.g. </dev/null): stop reading, keep writing. */
static void stdio_chr_hangup(Chardev *chr)
{
    chr->fd_in = -1;
    qemu_chr_fd_update_handlers(chr);
}

static void stdio_chr_finalize(Object *obj)
{
    qemu_chr_fd_remove_handlers((Chardev *)obj);
    if (stdio_owner == (Chardev *)obj) {
        stdio_restore();
        stdio_owner = NULL;
    }
}

static void char_stdio_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = stdio_chr_open;
    cc->chr_set_echo = stdio_set_echo;
    cc->chr_hangup = stdio_chr_hangup;
    cc->help = "the terminal qcore runs in (signal=off: Ctrl-C is a byte)";
}

static const TypeInfo char_stdio_type_info = {
    .name = "chardev-stdio",
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(Chardev),
    .instance_finalize = stdio_chr_finalize,
    .class_init = char_stdio_class_init,
};

void char_stdio_register_types(void)
{
    type_register_static(&char_stdio_type_info);
}
