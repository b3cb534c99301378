/*
 * The pty backend: a pseudo-terminal whose slave (/dev/pts/N) a user opens
 * with screen, minicom or socat.  Corresponds to QEMU's chardev/char-pty.c.
 *
 * Unlike QEMU, which closes its copy of the slave and polls once a second
 * to notice when someone opens it, qcore keeps the slave open: the master
 * then never reports a hang-up, and output written while nobody is
 * attached waits in the pty and in the chardev's bounded queue.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include <fcntl.h>
#include <termios.h>

typedef struct PtyChardev {
    Chardev parent;
    int master_fd;
    int slave_fd;
} PtyChardev;

#define PTY_CHARDEV(obj) OBJECT_CHECK(PtyChardev, (obj), TYPE_CHARDEV_PTY)

static void pty_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                         Error **errp)
{
    PtyChardev *s = PTY_CHARDEV(chr);
    char name[64];
    struct termios tty;

    s->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (s->master_fd < 0 || grantpt(s->master_fd) < 0 ||
        unlockpt(s->master_fd) < 0 ||
        ptsname_r(s->master_fd, name, sizeof(name)) != 0) {
        error_setg_errno(errp, errno, "Failed to create PTY");
        return;
    }
    s->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->slave_fd < 0) {
        error_setg_errno(errp, errno, "Failed to open PTY slave %s", name);
        return;
    }
    /* A byte stream, not a line discipline: no echo, no CR/LF games. */
    if (tcgetattr(s->slave_fd, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(s->slave_fd, TCSAFLUSH, &tty);
    }
    chr->fd_in = chr->fd_out = s->master_fd;
    chr->filename = g_strdup_printf("pty:%s", name);
    printf("char device redirected to %s (label %s)\n", name, chr->label);
    fflush(stdout);
}

static void pty_chr_init(Object *obj)
{
    PtyChardev *s = PTY_CHARDEV(obj);

    s->master_fd = s->slave_fd = -1;
}

static void pty_chr_finalize(Object *obj)
{
    PtyChardev *s = PTY_CHARDEV(obj);

    qemu_chr_fd_remove_handlers(&s->parent);
    if (s->master_fd >= 0) {
        close(s->master_fd);
    }
    if (s->slave_fd >= 0) {
        close(s->slave_fd);
    }
}

static void char_pty_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = pty_chr_open;
    cc->help = "a new pseudo-terminal /dev/pts/N";
}

static const TypeInfo char_pty_type_info = {
    .name = TYPE_CHARDEV_PTY,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(PtyChardev),
    .instance_init = pty_chr_init,
    .instance_finalize = pty_chr_finalize,
    .class_init = char_pty_class_init,
};

void char_pty_register_types(void)
{
    type_register_static(&char_pty_type_info);
}
