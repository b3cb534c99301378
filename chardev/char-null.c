/*
 * The null backend: output vanishes, input never comes.
 * Corresponds to QEMU's chardev/char-null.c.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"

static void null_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                          Error **errp)
{
    /* Nobody is on the other side, so there is nothing to announce. */
    *be_opened = false;
}

static int null_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static void char_null_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = null_chr_open;
    cc->chr_write = null_chr_write;
    cc->help = "discard output, no input";
}

static const TypeInfo char_null_type_info = {
    .name = "chardev-null",
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(Chardev),
    .class_init = char_null_class_init,
};

void char_null_register_types(void)
{
    type_register_static(&char_null_type_info);
}
