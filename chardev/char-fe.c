/*
 * The frontend side of a chardev: how a serial port or a monitor attaches
 * to a backend, gets its input and events, and writes its output.
 * Corresponds to QEMU's chardev/char-fe.c.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"

static Chardev *io_owner(Chardev *chr)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return cc->chr_io_owner ? cc->chr_io_owner(chr) : chr;
}

bool qemu_chr_fe_init(CharBackend *be, Chardev *s, Error **errp)
{
    unsigned int tag = 0;

    if (s) {
        if (CHARDEV_IS_MUX(s)) {
            if (!mux_chr_attach_frontend(s, be, &tag, errp)) {
                return false;
            }
        } else if (s->be) {
            error_setg(errp, "Device '%s' is in use", s->label);
            return false;
        } else {
            s->be = be;
        }
    }
    be->fe_is_open = false;
    be->tag = tag;
    be->chr = s;
    return true;
}

void qemu_chr_fe_deinit(CharBackend *be, bool del)
{
    Chardev *chr = be->chr;

    if (!chr) {
        return;
    }
    qemu_chr_fe_set_handlers(be, NULL, NULL, NULL, NULL, NULL, NULL, true);
    if (CHARDEV_IS_MUX(chr)) {
        mux_chr_detach_frontend(chr, be->tag);
    } else if (chr->be == be) {
        chr->be = NULL;
    }
    be->chr = NULL;
    if (del) {
        if (OBJECT(chr)->parent) {
            object_unparent(OBJECT(chr));
        } else {
            object_unref(chr);
        }
    }
}

Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}

bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

void qemu_chr_fe_set_handlers_full(CharBackend *be,
                                   IOCanReadHandler *fd_can_read,
                                   IOReadHandler *fd_read,
                                   IOEventHandler *fd_event,
                                   BackendChangeHandler *be_change,
                                   void *opaque,
                                   AioContext *context,
                                   bool set_open, bool sync_state)
{
    Chardev *s = be->chr;
    ChardevClass *cc;
    bool fe_open;

    if (!s) {
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    fe_open = opaque || fd_can_read || fd_read || fd_event;

    be->chr_can_read = fd_can_read;
    be->chr_read = fd_read;
    be->chr_event = fd_event;
    be->chr_be_change = be_change;
    be->opaque = opaque;

    if (s->ctx != context) {
        /* BHs belong to one context; recreate them in the new one. */
        if (s->watch_bh) {
            qemu_bh_delete(s->watch_bh);
            s->watch_bh = NULL;
        }
        if (s->hup_bh) {
            qemu_bh_delete(s->hup_bh);
            s->hup_bh = NULL;
        }
        s->ctx = context;
        qemu_chr_kick_watches(s);
    }
    /* New handlers: give can_read a fresh chance. */
    s->read_throttled = false;
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
    qemu_chr_fd_update_handlers(s);

    if (set_open) {
        qemu_chr_fe_set_open(be, fe_open);
    }
    if (fe_open) {
        qemu_chr_fe_take_focus(be);
        /* Attaching to a backend that is already up: say so. */
        if (sync_state && s->be_open) {
            qemu_chr_be_event(s, CHR_EVENT_OPENED);
        }
    }
}

void qemu_chr_fe_set_handlers(CharBackend *be,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              AioContext *context,
                              bool set_open)
{
    qemu_chr_fe_set_handlers_full(be, fd_can_read, fd_read, fd_event,
                                  be_change, opaque, context, set_open, true);
}

bool qemu_chr_fe_supports_context(CharBackend *be)
{
    Chardev *s = be->chr;

    /*
     * Sockets follow the context themselves; other fd backends through
     * qemu_chr_fd_update_handlers.  A mux's frontends share its backend.
     */
    return s && !CHARDEV_IS_MUX(s) &&
           (CHARDEV_GET_CLASS(s)->chr_update_read_handler || s->fd_in >= 0);
}

void qemu_chr_fe_take_focus(CharBackend *be)
{
    if (be->chr && CHARDEV_IS_MUX(be->chr)) {
        mux_set_focus(be->chr, be->tag);
    }
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    Chardev *s = be->chr;
    ChardevClass *cc;

    if (!s) {
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_accept_input) {
        cc->chr_accept_input(s);
    } else if (s->read_throttled) {
        s->read_throttled = false;
        qemu_chr_fd_update_handlers(s);
    }
}

void qemu_chr_fe_set_open(CharBackend *be, bool is_open)
{
    Chardev *s = be->chr;
    ChardevClass *cc;

    if (!s || be->fe_is_open == is_open) {
        return;
    }
    be->fe_is_open = is_open;
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_set_fe_open) {
        cc->chr_set_fe_open(s, is_open);
    }
}

void qemu_chr_fe_set_echo(CharBackend *be, bool echo)
{
    Chardev *s = be->chr;
    ChardevClass *cc;

    if (!s) {
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_set_echo) {
        cc->chr_set_echo(s, echo);
    }
}

int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return 0;
    }
    return qemu_chr_write(be->chr, buf, len);
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    return qemu_chr_fe_write(be, buf, len);
}

void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
{
    g_autofree char *buf = NULL;
    va_list ap;

    va_start(ap, fmt);
    buf = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_chr_fe_write_all(be, (const uint8_t *)buf, strlen(buf));
}

size_t qemu_chr_fe_get_pending(CharBackend *be)
{
    Chardev *chr = be->chr ? io_owner(be->chr) : NULL;

    return chr ? chr->outq->len - chr->outq_head : 0;
}

guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond,
                            FEWatchFunc func, void *opaque)
{
    if (!be->chr) {
        return 0;
    }
    return qemu_chr_add_watch(io_owner(be->chr), cond, func, opaque);
}

void qemu_chr_fe_remove_watch(CharBackend *be, guint tag)
{
    if (be->chr && tag) {
        qemu_chr_remove_watch(io_owner(be->chr), tag);
    }
}
