/*
 * The file backend: output appended to or truncating a file, no input.
 * Corresponds to QEMU's chardev/char-file.c (output side).
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include <fcntl.h>

typedef struct FileChardev {
    Chardev parent;
    int fd;
} FileChardev;

#define TYPE_CHARDEV_FILE "chardev-file"
#define FILE_CHARDEV(obj) OBJECT_CHECK(FileChardev, (obj), TYPE_CHARDEV_FILE)

static void file_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                          Error **errp)
{
    FileChardev *s = FILE_CHARDEV(chr);
    const char *path = qemu_opt_get(opts, "path");
    bool append = qemu_opt_get_bool(opts, "append", false);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);

    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return;
    }
    s->fd = open(path, flags, 0666);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return;
    }
    /* A FIFO or a device could block; a regular file never does. */
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
    chr->fd_out = s->fd;
    chr->filename = g_strdup_printf("file:%s", path);
}

static void file_chr_init(Object *obj)
{
    FILE_CHARDEV(obj)->fd = -1;
}

static void file_chr_finalize(Object *obj)
{
    FileChardev *s = FILE_CHARDEV(obj);

    qemu_chr_fd_remove_handlers(&s->parent);
    if (s->fd >= 0) {
        close(s->fd);
    }
}

static void char_file_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = file_chr_open;
    cc->help = "write output to path= (append=on to keep its contents)";
}

static const TypeInfo char_file_type_info = {
    .name = TYPE_CHARDEV_FILE,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FileChardev),
    .instance_init = file_chr_init,
    .instance_finalize = file_chr_finalize,
    .class_init = char_file_class_init,
};

void char_file_register_types(void)
{
    type_register_static(&char_file_type_info);
}
