/*
 * The chardev core: the abstract TYPE_CHARDEV, its non-blocking fd I/O
 * with a bounded output queue and watches, the registry under /chardevs,
 * creation from -chardev options and from legacy -serial strings, and the
 * query commands.  Corresponds to QEMU's chardev/char.c (plus the fd
 * plumbing QEMU keeps in chardev/char-io.c and char-fd.c; that is why the
 * file is a little over 800 lines).
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/main-loop.h"
#include "qapi/qapi-commands.h"
#include <signal.h>
#include <sys/socket.h>

struct ChrWatch {
    guint tag;
    GIOCondition cond;
    FEWatchFunc *func;
    void *opaque;
    bool deleted;               /* removed during a walk; freed after it */
    bool added_in_walk;         /* waits for the next walk */
    QTAILQ_ENTRY(ChrWatch) next;
};

/* Set by the monitor layer; see qemu_chr_set_mux_mon_init(). */
static ChrMuxMonInit *mux_mon_init;

static Object *get_chardevs_root(void)
{
    return object_get_container("chardevs");
}

AioContext *qemu_chr_get_context(Chardev *chr)
{
    return chr->ctx ? chr->ctx : iohandler_get_aio_context();
}

void qemu_chr_set_filename(Chardev *chr, const char *filename)
{
    g_free(chr->filename);
    chr->filename = g_strdup(filename);
}

/* ---- events to and from the frontend ---------------------------------- */

static bool chr_is_connected(Chardev *chr)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return cc->chr_is_connected ? cc->chr_is_connected(chr) : chr->be_open;
}

void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    CharBackend *be = chr->be;

    if (event == CHR_EVENT_OPENED) {
        chr->be_open = 1;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = 0;
    }
    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_CLOSED) {
        qemu_chr_kick_watches(chr);
    }

    if (cc->chr_be_event) {
        cc->chr_be_event(chr, event);
    } else if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

int qemu_chr_be_can_write(Chardev *chr)
{
    CharBackend *be = chr->be;

    if (!be || !be->chr_can_read) {
        return 0;
    }
    return be->chr_can_read(be->opaque);
}

void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    CharBackend *be = chr->be;

    if (be && be->chr_read) {
        be->chr_read(be->opaque, buf, len);
    }
}

int qemu_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return cc->chr_write ? cc->chr_write(chr, buf, len)
                         : qemu_chr_fd_write(chr, buf, len);
}

/* Bytes queued for fd_out and not written yet. */
static size_t chr_outq_pending(const Chardev *chr)
{
    return chr->outq->len - chr->outq_head;
}

static void chr_outq_clear(Chardev *chr)
{
    g_byte_array_set_size(chr->outq, 0);
    chr->outq_head = 0;
}

/* ---- watches ----------------------------------------------------------- */

/* What a watch could see now: the state, not what it was at the kick. */
static GIOCondition chr_watch_condition(Chardev *chr)
{
    GIOCondition now = 0;

    if (chr_outq_pending(chr) == 0) {
        now |= G_IO_OUT;
    }
    if (!chr_is_connected(chr)) {
        now |= G_IO_HUP;
    }
    return now;
}

/*
 * Run each watch whose condition holds.  Two rules keep this from
 * spinning: the condition is read afresh before each callback (an earlier
 * one may have filled the queue again), and a watch added during the walk
 * waits for the next run of the bottom half, which its addition scheduled.
 * Without the second, a callback that writes, finds the queue full and
 * adds a new watch would see that watch fire at once, for ever.
 */
static void chr_watch_bh(void *opaque)
{
    Chardev *chr = opaque;
    ChrWatch *w, *next;

    /* A callback may drop the last other reference (the frontend quits). */
    object_ref(chr);
    chr->walking_watches++;
    QTAILQ_FOREACH(w, &chr->watches, next) {
        GIOCondition hit;

        if (w->deleted || w->added_in_walk) {
            continue;
        }
        hit = w->cond & chr_watch_condition(chr);
        if (hit && !w->func(NULL, hit, w->opaque)) {
            w->deleted = true;
        }
    }
    chr->walking_watches--;
    if (!chr->walking_watches) {
        QTAILQ_FOREACH_SAFE(w, &chr->watches, next, next) {
            if (w->deleted) {
                QTAILQ_REMOVE(&chr->watches, w, next);
                g_free(w);
            } else {
                w->added_in_walk = false;
            }
        }
    }
    object_unref(chr);
}

void qemu_chr_kick_watches(Chardev *chr)
{
    if (QTAILQ_EMPTY(&chr->watches)) {
        return;
    }
    if (!chr->watch_bh) {
        chr->watch_bh = aio_bh_new(qemu_chr_get_context(chr), chr_watch_bh,
                                   chr);
    }
    qemu_bh_schedule(chr->watch_bh);
}

guint qemu_chr_add_watch(Chardev *chr, GIOCondition cond, FEWatchFunc func,
                         void *opaque)
{
    ChrWatch *w = g_new0(ChrWatch, 1);

    w->tag = ++chr->next_watch_tag;
    w->cond = cond & (G_IO_OUT | G_IO_HUP);
    w->func = func;
    w->opaque = opaque;
    w->added_in_walk = chr->walking_watches > 0;
    QTAILQ_INSERT_TAIL(&chr->watches, w, next);
    qemu_chr_kick_watches(chr);
    return w->tag;
}

void qemu_chr_remove_watch(Chardev *chr, guint tag)
{
    ChrWatch *w;

    QTAILQ_FOREACH(w, &chr->watches, next) {
        if (w->tag == tag && !w->deleted) {
            if (chr->walking_watches) {
                w->deleted = true;
            } else {
                QTAILQ_REMOVE(&chr->watches, w, next);
                g_free(w);
            }
            return;
        }
    }
}

/* ---- fd I/O ------------------------------------------------------------ */

static void chr_hangup(Chardev *chr)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    qemu_chr_fd_discard_output(chr);
    if (cc->chr_hangup) {
        cc->chr_hangup(chr);
    } else {
        /* No peer to lose: stop reading and drop further output. */
        chr->fd_in = -1;
        chr->fd_out = -1;
        qemu_chr_fd_update_handlers(chr);
    }
}

static void chr_hup_bh(void *opaque)
{
    Chardev *chr = opaque;

    if (chr->fd_out >= 0 || chr->fd_in >= 0) {
        chr_hangup(chr);
    }
}

/*
 * One read() takes at most a page (QEMU's CHR_READ_BUF_LEN), unless the
 * frontend says it has room for more: then up to CHR_READ_BUF_MAX, from
 * a buffer kept with the chardev.  A QMP monitor inside a long string
 * does (monitor_can_read), so that a 16 MiB request is a few hundred
 * reads and loop iterations rather than 4,096.
 */
#define CHR_READ_BUF_LEN 4096
#define CHR_READ_BUF_MAX (64 * 1024)

static void chr_fd_read(void *opaque)
{
    Chardev *chr = opaque;
    uint8_t small[CHR_READ_BUF_LEN];
    uint8_t *buf = small;
    size_t size = sizeof(small);
    int room = qemu_chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        /* Level-triggered: stop watching until accept_input. */
        chr->read_throttled = true;
        qemu_chr_fd_update_handlers(chr);
        return;
    }
    if (room > CHR_READ_BUF_LEN) {
        if (!chr->read_buf) {
            chr->read_buf = g_malloc(CHR_READ_BUF_MAX);
        }
        buf = chr->read_buf;
        size = CHR_READ_BUF_MAX;
    }
    n = read(chr->fd_in, buf, MIN((size_t)room, size));
    if (n > 0) {
        qemu_chr_be_write(chr, buf, n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        chr_hangup(chr);
    }
}

static ssize_t chr_fd_raw_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    ssize_t n;

    do {
        if (chr->fd_is_socket) {
            n = send(chr->fd_out, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        } else {
            n = write(chr->fd_out, buf, len);
        }
    } while (n < 0 && errno == EINTR);
    return n;
}

static void chr_fd_write_ready(void *opaque)
{
    Chardev *chr = opaque;
    ssize_t n;

    n = chr_fd_raw_write(chr, chr->outq->data + chr->outq_head,
                         chr_outq_pending(chr));
    if (n < 0) {
        if (errno != EAGAIN) {
            chr_hangup(chr);
        }
        return;
    }
    chr->outq_head += n;
    if (chr_outq_pending(chr) == 0) {
        chr_outq_clear(chr);
        qemu_chr_fd_update_handlers(chr);
        qemu_chr_kick_watches(chr);
    } else if (chr->outq_head > chr_outq_pending(chr)) {
        /*
         * Removing the written bytes from the front after every partial
         * write moved the rest each time: quadratic.  Move the rest down
         * only once the written part is the larger, about once per byte.
         */
        g_byte_array_remove_range(chr->outq, 0, chr->outq_head);
        chr->outq_head = 0;
    }
}

static void chr_fd_unregister(Chardev *chr)
{
    if (chr->reg_fd_in >= 0) {
        aio_set_fd_handler(chr->reg_ctx, chr->reg_fd_in, NULL, NULL, NULL,
                           NULL, NULL);
    }
    if (chr->reg_fd_out >= 0 && chr->reg_fd_out != chr->reg_fd_in) {
        aio_set_fd_handler(chr->reg_ctx, chr->reg_fd_out, NULL, NULL, NULL,
                           NULL, NULL);
    }
    chr->reg_fd_in = chr->reg_fd_out = -1;
}

void qemu_chr_fd_update_handlers(Chardev *chr)
{
    AioContext *ctx = qemu_chr_get_context(chr);
    CharBackend *be = chr->be;
    bool want_read = chr->fd_in >= 0 && !chr->read_throttled &&
                     be && be->chr_read;
    bool want_write = chr->fd_out >= 0 && chr_outq_pending(chr) > 0;

    if (chr->reg_ctx != ctx || chr->reg_fd_in != chr->fd_in ||
        chr->reg_fd_out != chr->fd_out) {
        chr_fd_unregister(chr);
    }
    chr->reg_ctx = ctx;
    /*
     * The _full form, so that x-query-main-loop shows the callbacks'
     * names rather than the conditional expressions that pick them.
     */
    if (chr->fd_in >= 0 && chr->fd_in == chr->fd_out) {
        aio_set_fd_handler_full(ctx, chr->fd_in,
                                want_read ? chr_fd_read : NULL,
                                want_write ? chr_fd_write_ready : NULL,
                                NULL, NULL, chr,
                                want_read ? "chr_fd_read" : "NULL",
                                want_write ? "chr_fd_write_ready" : "NULL");
    } else {
        if (chr->fd_in >= 0) {
            aio_set_fd_handler_full(ctx, chr->fd_in,
                                    want_read ? chr_fd_read : NULL, NULL,
                                    NULL, NULL, chr,
                                    want_read ? "chr_fd_read" : "NULL",
                                    "NULL");
        }
        if (chr->fd_out >= 0) {
            aio_set_fd_handler_full(ctx, chr->fd_out, NULL,
                                    want_write ? chr_fd_write_ready : NULL,
                                    NULL, NULL, chr, "NULL",
                                    want_write ? "chr_fd_write_ready"
                                               : "NULL");
        }
    }
    chr->reg_fd_in = chr->fd_in;
    chr->reg_fd_out = chr->fd_out;
}

void qemu_chr_fd_remove_handlers(Chardev *chr)
{
    chr_fd_unregister(chr);
}

void qemu_chr_fd_discard_output(Chardev *chr)
{
    if (chr_outq_pending(chr)) {
        chr_outq_clear(chr);
        qemu_chr_kick_watches(chr);
    }
}

int qemu_chr_fd_write(Chardev *chr, const uint8_t *buf, int len)
{
    size_t done = 0, take;
    ssize_t n;

    if (chr->fd_out < 0) {
        return len;
    }
    /* Keep byte order: once something is queued, everything queues. */
    if (chr_outq_pending(chr) == 0) {
        n = chr_fd_raw_write(chr, buf, len);
        if (n < 0 && errno != EAGAIN) {
            int err = errno;

            /*
             * The peer is gone.  Tell the frontend from the loop, not from
             * inside its own write call.
             */
            if (!chr->hup_bh) {
                chr->hup_bh = aio_bh_new(qemu_chr_get_context(chr),
                                         chr_hup_bh, chr);
            }
            qemu_bh_schedule(chr->hup_bh);
            errno = err;
            return -1;
        }
        done = n < 0 ? 0 : n;
    }
    take = MIN(len - done, chr->outq_limit - MIN(chr->outq_limit,
                                                  chr_outq_pending(chr)));
    if (take) {
        bool was_empty = chr_outq_pending(chr) == 0;

        g_byte_array_append(chr->outq, buf + done, take);
        if (was_empty) {
            qemu_chr_fd_update_handlers(chr);
        }
    }
    return done + take;
}

/* ---- the abstract type ------------------------------------------------- */

static void char_init(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    chr->fd_in = chr->fd_out = -1;
    chr->reg_fd_in = chr->reg_fd_out = -1;
    chr->outq = g_byte_array_new();
    chr->outq_limit = CHR_OUTQ_LIMIT;
    QTAILQ_INIT(&chr->watches);
}

/* Runs after the backend's finalize, which has closed its fds. */
static void char_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);
    ChrWatch *w, *next;

    chr_fd_unregister(chr);
    if (chr->be && chr->be->chr == chr) {
        chr->be->chr = NULL;
    }
    if (chr->watch_bh) {
        qemu_bh_delete(chr->watch_bh);
    }
    if (chr->hup_bh) {
        qemu_bh_delete(chr->hup_bh);
    }
    QTAILQ_FOREACH_SAFE(w, &chr->watches, next, next) {
        g_free(w);
    }
    g_byte_array_free(chr->outq, true);
    g_free(chr->read_buf);
    g_free(chr->label);
    g_free(chr->filename);
}

static const TypeInfo char_type_info = {
    .name = TYPE_CHARDEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Chardev),
    .instance_init = char_init,
    .instance_finalize = char_finalize,
    .abstract = true,
    .class_size = sizeof(ChardevClass),
};

static void register_types(void)
{
    type_register_static(&char_type_info);
    char_null_register_types();
    char_file_register_types();
    char_stdio_register_types();
    char_socket_register_types();
    char_pty_register_types();
    char_ringbuf_register_types();
    char_mux_register_types();
}

type_init(register_types)

/* ---- creation ---------------------------------------------------------- */

QemuOptsList qemu_chardev_opts = {
    .name = "chardev",
    .implied_opt_name = "backend",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_chardev_opts.head),
    .desc = {
        { .name = "backend", .type = QEMU_OPT_STRING },
        { .name = "path", .type = QEMU_OPT_STRING },
        { .name = "host", .type = QEMU_OPT_STRING },
        { .name = "port", .type = QEMU_OPT_STRING },
        { .name = "server", .type = QEMU_OPT_BOOL },
        { .name = "wait", .type = QEMU_OPT_BOOL },
        { .name = "nodelay", .type = QEMU_OPT_BOOL },
        { .name = "reconnect", .type = QEMU_OPT_NUMBER },
        { .name = "ipv4", .type = QEMU_OPT_BOOL },
        { .name = "ipv6", .type = QEMU_OPT_BOOL },
        { .name = "mux", .type = QEMU_OPT_BOOL },
        { .name = "signal", .type = QEMU_OPT_BOOL },
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "chardev", .type = QEMU_OPT_STRING },
        { .name = "append", .type = QEMU_OPT_BOOL },
        /* vc (ui/console.c) */
        { .name = "width", .type = QEMU_OPT_NUMBER },
        { .name = "height", .type = QEMU_OPT_NUMBER },
        { .name = "cols", .type = QEMU_OPT_NUMBER },
        { .name = "rows", .type = QEMU_OPT_NUMBER },
        { NULL }
    },
};

static const char *const chardev_aliases[][2] = {
    { "memory", "ringbuf" },    /* QEMU's old name */
};

static ChardevClass *char_get_class(const char *driver, Error **errp)
{
    g_autofree char *typename = NULL;
    ObjectClass *oc;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(chardev_aliases); i++) {
        if (!strcmp(driver, chardev_aliases[i][0])) {
            driver = chardev_aliases[i][1];
        }
    }
    typename = g_strdup_printf("chardev-%s", driver);
    oc = object_class_by_name(typename);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc) || CHARDEV_CLASS(oc)->internal) {
        error_setg(errp, "'%s' is not a valid char driver name", driver);
        return NULL;
    }
    return CHARDEV_CLASS(oc);
}

/*
 * Create, open and register one chardev.  @opts may be NULL for backends
 * that need no options.
 */
static Chardev *qemu_chardev_new(const char *id, ChardevClass *cc,
                                 QemuOpts *opts, AioContext *ctx,
                                 Error **errp)
{
    static bool sigpipe_ignored;
    const char *typename = object_class_get_name(OBJECT_CLASS(cc));
    Error *local_err = NULL;
    bool be_opened = true;
    Chardev *chr;

    if (qemu_chr_find(id)) {
        error_setg(errp, "Chardev with id '%s' already exists", id);
        return NULL;
    }
    if (!sigpipe_ignored) {
        signal(SIGPIPE, SIG_IGN);
        sigpipe_ignored = true;
    }

    chr = CHARDEV(object_new(typename));
    chr->label = g_strdup(id);
    chr->ctx = ctx;
    cc->open(chr, opts, &be_opened, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        object_unref(chr);
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(typename + strlen("chardev-"));
    }
    object_property_add_child(get_chardevs_root(), id, OBJECT(chr));
    object_unref(chr);
    if (be_opened) {
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    }
    return chr;
}

Chardev *qemu_chr_new_from_opts(QemuOpts *opts, AioContext *context,
                                Error **errp)
{
    const char *name = qemu_opt_get(opts, "backend");
    const char *id = qemu_opts_id(opts);
    g_autofree char *bid = NULL;
    ChardevClass *cc;
    Chardev *chr, *mux;

    if (name && is_help_option(name)) {
        qemu_chr_print_backends();
        return NULL;
    }
    if (!id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    if (!name) {
        error_setg(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    cc = char_get_class(name, errp);
    if (!cc) {
        return NULL;
    }

    if (!qemu_opt_get_bool(opts, "mux", false)) {
        return qemu_chardev_new(id, cc, opts, context, errp);
    }

    bid = g_strdup_printf("%s-base", id);
    chr = qemu_chardev_new(bid, cc, opts, context, errp);
    if (!chr) {
        return NULL;
    }
    /* The mux finds its base through "chardev=", as with -chardev mux. */
    qemu_opt_set(opts, "chardev", bid, &error_abort);
    mux = qemu_chardev_new(id,
                           CHARDEV_CLASS(object_class_by_name(TYPE_CHARDEV_MUX)),
                           opts, context, errp);
    qemu_opt_unset(opts, "chardev");
    if (!mux) {
        object_unparent(OBJECT(chr));
    }
    return mux;
}

/*
 * Split "HOST:PORT[,rest]" (HOST may be empty or "[v6addr]").  On success
 * *@rest points at the ',' or the end.
 */
static bool parse_host_port(const char *p, char **host, char **port,
                            const char **rest)
{
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : p + strlen(p);
    g_autofree char *addr = g_strndup(p, end - p);
    char *colon = strrchr(addr, ':');
    char *h;

    if (!colon || !colon[1]) {
        return false;
    }
    *colon = '\0';
    h = addr;
    if (h[0] == '[' && h[strlen(h) - 1] == ']') {
        h[strlen(h) - 1] = '\0';
        h++;
    }
    *host = g_strdup(h);
    *port = g_strdup(colon + 1);
    *rest = end;
    return true;
}

QemuOpts *qemu_chr_parse_compat(const char *label, const char *filename,
                                bool permit_mux_mon)
{
    Error *local_err = NULL;
    QemuOpts *opts;
    const char *p;

    opts = qemu_opts_create(&qemu_chardev_opts, label, 1, &local_err);
    if (!opts) {
        error_report_err(local_err);
        return NULL;
    }

    if (g_str_has_prefix(filename, "mon:")) {
        if (!permit_mux_mon) {
            error_report("mon: isn't supported in this context");
            goto fail;
        }
        filename += strlen("mon:");
        qemu_opt_set(opts, "mux", "on", &error_abort);
        if (!strcmp(filename, "stdio")) {
            /*
             * Serial and monitor share the terminal: Ctrl-C belongs to the
             * guest, Ctrl-A x quits (QEMU's -nographic behaviour).
             */
            qemu_opt_set(opts, "signal", "off", &error_abort);
        }
    }

    if (!strcmp(filename, "null") || !strcmp(filename, "pty") ||
        !strcmp(filename, "stdio")) {
        qemu_opt_set(opts, "backend", filename, &error_abort);
        return opts;
    }
    if (!strcmp(filename, "vc") || g_str_has_prefix(filename, "vc:")) {
        /* vc:WxH in pixels, vc:80Cx24C in characters (QEMU's syntax). */
        qemu_opt_set(opts, "backend", "vc", &error_abort);
        if (filename[2] == ':') {
            unsigned w, h;
            char wc = 0, hc = 0;
            int n = sscanf(filename + 3, "%u%cx%u%c", &w, &wc, &h, &hc);

            if (n == 4 && wc == 'C' && hc == 'C') {
                qemu_opt_set_number(opts, "cols", w, &error_abort);
                qemu_opt_set_number(opts, "rows", h, &error_abort);
            } else if (sscanf(filename + 3, "%ux%u", &w, &h) == 2) {
                qemu_opt_set_number(opts, "width", w, &error_abort);
                qemu_opt_set_number(opts, "height", h, &error_abort);
            } else {
                goto bad;
            }
        }
        return opts;
    }
    if (g_str_has_prefix(filename, "file:")) {
        qemu_opt_set(opts, "backend", "file", &error_abort);
        qemu_opt_set(opts, "path", filename + strlen("file:"), &error_abort);
        return opts;
    }
    if (g_str_has_prefix(filename, "unix:")) {
        qemu_opt_set(opts, "backend", "socket", &error_abort);
        if (!qemu_opts_do_parse(opts, filename + strlen("unix:"), "path",
                                &local_err)) {
            error_report_err(local_err);
            goto fail;
        }
        return opts;
    }
    if (g_str_has_prefix(filename, "tcp:")) {
        g_autofree char *host = NULL, *port = NULL;

        if (!parse_host_port(filename + strlen("tcp:"), &host, &port, &p)) {
            goto bad;
        }
        qemu_opt_set(opts, "backend", "socket", &error_abort);
        qemu_opt_set(opts, "host", host, &error_abort);
        qemu_opt_set(opts, "port", port, &error_abort);
        if (*p == ',' && !qemu_opts_do_parse(opts, p + 1, NULL, &local_err)) {
            error_report_err(local_err);
            goto fail;
        }
        return opts;
    }

bad:
    error_report("'%s' is not a valid char driver", filename);
fail:
    qemu_opts_del(opts);
    return NULL;
}

void qemu_chr_set_mux_mon_init(ChrMuxMonInit *fn)
{
    mux_mon_init = fn;
}

static Chardev *qemu_chr_new_from_name(const char *label,
                                       const char *filename,
                                       bool permit_mux_mon,
                                       AioContext *context)
{
    Error *err = NULL;
    QemuOpts *opts;
    Chardev *chr;

    if (g_str_has_prefix(filename, "chardev:")) {
        return qemu_chr_find(filename + strlen("chardev:"));
    }

    opts = qemu_chr_parse_compat(label, filename, permit_mux_mon);
    if (!opts) {
        return NULL;
    }
    chr = qemu_chr_new_from_opts(opts, context, &err);
    if (!chr) {
        if (err) {
            error_report_err(err);
        }
    } else if (qemu_opt_get_bool(opts, "mux", false) && mux_mon_init) {
        if (!mux_mon_init(chr, &err)) {
            error_report_err(err);
            object_unparent(OBJECT(chr));
            chr = NULL;
        }
    }
    qemu_opts_del(opts);
    return chr;
}

Chardev *qemu_chr_new(const char *label, const char *filename,
                      AioContext *context)
{
    return qemu_chr_new_from_name(label, filename, false, context);
}

Chardev *qemu_chr_new_mux_mon(const char *label, const char *filename,
                              AioContext *context)
{
    return qemu_chr_new_from_name(label, filename, true, context);
}

Chardev *qemu_chr_find(const char *label)
{
    Object *obj = object_resolve_path_component(get_chardevs_root(), label);

    return obj ? (Chardev *)object_dynamic_cast(obj, TYPE_CHARDEV) : NULL;
}

bool qemu_chr_remove(const char *id, Error **errp)
{
    Chardev *chr = qemu_chr_find(id);

    if (!chr) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Chardev '%s' not found", id);
        return false;
    }
    if (chr->be) {
        error_setg(errp, "Chardev '%s' is busy", id);
        return false;
    }
    object_unparent(OBJECT(chr));
    return true;
}

void qmp_chardev_remove(const char *id, Error **errp)
{
    qemu_chr_remove(id, errp);
}

static int chr_collect(Object *child, void *opaque)
{
    GPtrArray *all = opaque;

    if (object_dynamic_cast(child, TYPE_CHARDEV)) {
        g_ptr_array_add(all, child);
    }
    return 0;
}

void qemu_chr_cleanup(void)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    guint i;

    object_child_foreach(get_chardevs_root(), chr_collect, all);
    /* Muxes first: they are frontends of their base chardevs. */
    for (i = 0; i < all->len; i++) {
        if (CHARDEV_IS_MUX(all->pdata[i])) {
            object_unparent(all->pdata[i]);
            all->pdata[i] = NULL;
        }
    }
    for (i = 0; i < all->len; i++) {
        if (all->pdata[i]) {
            object_unparent(all->pdata[i]);
        }
    }
}

/* ---- queries ----------------------------------------------------------- */

static int query_chardev_one(Object *child, void *opaque)
{
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);
    ChardevInfoList ***tail = opaque;
    ChardevInfo *info;

    if (!chr) {
        return 0;
    }
    info = g_new0(ChardevInfo, 1);
    info->label = g_strdup(chr->label);
    info->filename = g_strdup(chr->filename);
    info->frontend_open = chr->be && chr->be->fe_is_open;
    QAPI_LIST_APPEND(*tail, info);
    return 0;
}

ChardevInfoList *qmp_query_chardev(Error **errp)
{
    ChardevInfoList *list = NULL, **tail = &list;

    object_child_foreach(get_chardevs_root(), query_chardev_one, &tail);
    return list;
}

static GSList *creatable_backends(void)
{
    GSList *all = object_class_get_list_sorted(TYPE_CHARDEV, false);
    GSList *l, *out = NULL;

    for (l = all; l; l = l->next) {
        if (!CHARDEV_CLASS(l->data)->internal) {
            out = g_slist_append(out, l->data);
        }
    }
    g_slist_free(all);
    return out;
}

ChardevBackendInfoList *qmp_query_chardev_backends(Error **errp)
{
    ChardevBackendInfoList *list = NULL, **tail = &list;
    GSList *classes = creatable_backends(), *l;

    for (l = classes; l; l = l->next) {
        ChardevBackendInfo *info = g_new0(ChardevBackendInfo, 1);

        info->name = g_strdup(object_class_get_name(l->data) +
                              strlen("chardev-"));
        QAPI_LIST_APPEND(tail, info);
    }
    g_slist_free(classes);
    return list;
}

void qemu_chr_print_backends(void)
{
    GSList *classes = creatable_backends(), *l;

    printf("Available chardev backend types: \n");
    for (l = classes; l; l = l->next) {
        printf("  %s\n", object_class_get_name(l->data) + strlen("chardev-"));
    }
    g_slist_free(classes);
}
