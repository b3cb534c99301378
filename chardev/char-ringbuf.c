/*
 * The ringbuf backend: keeps the last size= bytes of output in memory for
 * QMP ringbuf-read; ringbuf-write adds to it.  Also known as "memory".
 * Corresponds to QEMU's chardev/char-ringbuf.c.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qapi/qapi-commands.h"

typedef struct RingBufChardev {
    Chardev parent;
    size_t size;        /* a power of two */
    size_t prod;        /* bytes ever written; cons..prod are kept */
    size_t cons;
    uint8_t *cbuf;
} RingBufChardev;

#define RINGBUF_CHARDEV(obj) \
    OBJECT_CHECK(RingBufChardev, (obj), TYPE_CHARDEV_RINGBUF)

static int ringbuf_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    int i;

    for (i = 0; i < len; i++) {
        d->cbuf[d->prod++ & (d->size - 1)] = buf[i];
        if (d->prod - d->cons > d->size) {
            d->cons = d->prod - d->size;
        }
    }
    return len;
}

static void ringbuf_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                             Error **errp)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    uint64_t size = qemu_opt_get_size(opts, "size", 65536);

    if (size == 0 || size > (1ULL << 30) || (size & (size - 1))) {
        error_setg(errp, "size of ringbuf chardev must be power of two");
        return;
    }
    d->size = size;
    d->cbuf = g_malloc0(size);
}

static void ringbuf_chr_finalize(Object *obj)
{
    g_free(RINGBUF_CHARDEV(obj)->cbuf);
}

static RingBufChardev *ringbuf_find(const char *device, Error **errp)
{
    Chardev *chr = qemu_chr_find(device);

    if (!chr) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", device);
        return NULL;
    }
    if (!CHARDEV_IS_RINGBUF(chr)) {
        error_setg(errp, "%s is not a ringbuf device", device);
        return NULL;
    }
    return RINGBUF_CHARDEV(chr);
}

bool ringbuf_write_str(const char *device, const char *data, bool base64,
                       Error **errp)
{
    RingBufChardev *d = ringbuf_find(device, errp);
    g_autofree guchar *decoded = NULL;
    const uint8_t *bytes = (const uint8_t *)data;
    size_t len = strlen(data);

    if (!d) {
        return false;
    }
    if (base64) {
        decoded = g_base64_decode(data, &len);
        bytes = decoded;
    }
    ringbuf_chr_write(&d->parent, bytes, len);
    return true;
}

char *ringbuf_read_str(const char *device, int64_t size, bool base64,
                       Error **errp)
{
    RingBufChardev *d = ringbuf_find(device, errp);
    g_autofree uint8_t *buf = NULL;
    size_t count, i;

    if (!d) {
        return NULL;
    }
    if (size <= 0) {
        error_setg(errp, "size must be greater than zero");
        return NULL;
    }
    count = MIN((size_t)size, d->prod - d->cons);
    buf = g_malloc(count + 1);
    for (i = 0; i < count; i++) {
        buf[i] = d->cbuf[d->cons++ & (d->size - 1)];
    }
    buf[count] = '\0';
    if (base64) {
        return g_base64_encode(buf, count);
    }
    /* JSON strings are UTF-8: invalid bytes become U+FFFD. */
    return g_utf8_make_valid((const char *)buf, count);
}

static void char_ringbuf_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = ringbuf_chr_open;
    cc->chr_write = ringbuf_chr_write;
    cc->help = "keep the last size= bytes of output for ringbuf-read";
}

static const TypeInfo char_ringbuf_type_info = {
    .name = TYPE_CHARDEV_RINGBUF,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(RingBufChardev),
    .instance_finalize = ringbuf_chr_finalize,
    .class_init = char_ringbuf_class_init,
};

void char_ringbuf_register_types(void)
{
    type_register_static(&char_ringbuf_type_info);
}

/* ---- QMP (qapi/char.json) ----------------------------------------------- */

void qmp_ringbuf_write(const char *device, const char *data, bool has_format,
                       DataFormat format, Error **errp)
{
    ringbuf_write_str(device, data,
                      has_format && format == DATA_FORMAT_BASE64, errp);
}

char *qmp_ringbuf_read(const char *device, int64_t size, bool has_format,
                       DataFormat format, Error **errp)
{
    return ringbuf_read_str(device, size,
                            has_format && format == DATA_FORMAT_BASE64, errp);
}
