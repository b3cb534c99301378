/*
 * The mux: up to MAX_MUX frontends (serial ports, a monitor) share one
 * backend.  Output from all of them is interleaved; input goes to the one
 * with the focus, and the escape character (Ctrl-A) introduces commands:
 * c switches the focus, h prints help, x quits, b sends a break, t
 * toggles timestamps, Ctrl-A Ctrl-A sends one Ctrl-A.  This is what
 * -nographic and "-serial mon:stdio" build.  Corresponds to QEMU's
 * chardev/char-mux.c.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/timer.h"

/* Per-frontend input waiting while that frontend cannot take it. */
#define MUX_BUFFER_SIZE 32

typedef struct MuxChardev {
    Chardev parent;
    CharBackend *backends[MAX_MUX];     /* NULL: free slot */
    CharBackend chr;                    /* us as the base's frontend */
    int focus;                          /* index into backends, or -1 */
    bool term_got_escape;
    uint8_t buffer[MAX_MUX][MUX_BUFFER_SIZE];
    unsigned int prod[MAX_MUX];
    unsigned int cons[MAX_MUX];
    bool timestamps;
    bool linestart;
    int64_t timestamps_start;
} MuxChardev;

#define MUX_CHARDEV(obj) OBJECT_CHECK(MuxChardev, (obj), TYPE_CHARDEV_MUX)

int term_escape_char = 0x01;

/* Ctrl-A x; set once at start-up (qemu_chr_set_mux_quit_hook). */
static void (*mux_quit_hook)(void);

void qemu_chr_set_mux_quit_hook(void (*fn)(void))
{
    mux_quit_hook = fn;
}

/*
 * False between suspend_mux_open() and resume_mux_open(): OPENED is held
 * back so that start-up banners go only to the frontend left with focus.
 * Main thread.
 */
static bool muxes_opened = true;

/* ---- output ------------------------------------------------------------ */

static int mux_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int i, ret = 0;

    if (!d->timestamps) {
        return qemu_chr_fe_write(&d->chr, buf, len);
    }
    for (i = 0; i < len; i++) {
        if (d->linestart) {
            int64_t ms = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
            g_autofree char *stamp = NULL;

            if (d->timestamps_start == -1) {
                d->timestamps_start = ms;
            }
            ms -= d->timestamps_start;
            stamp = g_strdup_printf("[%02d:%02d:%02d.%03d] ",
                                    (int)(ms / 3600000),
                                    (int)(ms / 60000 % 60),
                                    (int)(ms / 1000 % 60), (int)(ms % 1000));
            qemu_chr_fe_write_all(&d->chr, (uint8_t *)stamp, strlen(stamp));
            d->linestart = false;
        }
        if (qemu_chr_fe_write(&d->chr, buf + i, 1) != 1) {
            break;
        }
        ret++;
        if (buf[i] == '\n') {
            d->linestart = true;
        }
    }
    return ret;
}

static void mux_puts(Chardev *chr, const char *s)
{
    qemu_chr_write(chr, (const uint8_t *)s, strlen(s));
}

static void mux_print_help(Chardev *chr)
{
    static const char *const lines[][2] = {
        { "h   ", "print this help" },
        { "x   ", "exit emulator" },
        { "s   ", "save disk data back to file (if -snapshot)" },
        { "t   ", "toggle console timestamps" },
        { "b   ", "send break (magic sysrq)" },
        { "c   ", "switch between console and monitor" },
        { NULL, "sends " },
    };
    g_autofree char *esc = NULL;
    size_t i;

    if (term_escape_char > 0 && term_escape_char < 26) {
        esc = g_strdup_printf("C-%c", term_escape_char - 1 + 'a');
        mux_puts(chr, "\n\r");
    } else {
        esc = g_strdup("Escape-Char");
        g_autofree char *hdr =
            g_strdup_printf("\n\rEscape-Char set to Ascii: 0x%02x\n\r\n\r",
                            term_escape_char);
        mux_puts(chr, hdr);
    }
    for (i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_autofree char *line = NULL;

        if (lines[i][0]) {
            line = g_strdup_printf("%s %s %s\n\r", esc, lines[i][0],
                                   lines[i][1]);
        } else {
            /* "C-a C-a  sends C-a" */
            line = g_strdup_printf("%s %s  %s%s\n\r", esc, esc, lines[i][1],
                                   esc);
        }
        mux_puts(chr, line);
    }
}

/* ---- events and focus -------------------------------------------------- */

static void mux_chr_send_event(MuxChardev *d, int idx, QEMUChrEvent event)
{
    CharBackend *be = idx >= 0 ? d->backends[idx] : NULL;

    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

static void mux_chr_send_all_event(MuxChardev *d, QEMUChrEvent event)
{
    int i;

    if (!muxes_opened) {
        return;
    }
    for (i = 0; i < MAX_MUX; i++) {
        mux_chr_send_event(d, i, event);
    }
}

/* Events of the mux itself (OPENED, BREAK) go to the focused frontend. */
static void mux_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    mux_chr_send_event(d, d->focus, event);
}

void mux_set_focus(Chardev *chr, unsigned int focus)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    assert(focus < MAX_MUX && d->backends[focus]);
    /*
     * Switching to the frontend that already has the focus (Ctrl-A c
     * with a single frontend) still sends OUT then IN, as QEMU does: the
     * monitor answers with a fresh prompt.
     */
    mux_chr_send_event(d, d->focus, CHR_EVENT_MUX_OUT);
    d->focus = focus;
    chr->be = d->backends[focus];
    mux_chr_send_event(d, d->focus, CHR_EVENT_MUX_IN);
    /* The new focus may have room where the old one had none. */
    qemu_chr_fe_accept_input(&d->chr);
}

static void mux_focus_next(MuxChardev *d)
{
    int i, next;

    for (i = 1; i <= MAX_MUX; i++) {
        next = (d->focus + i + MAX_MUX) % MAX_MUX;
        if (d->backends[next]) {
            mux_set_focus(&d->parent, next);
            return;
        }
    }
}

/* ---- input ------------------------------------------------------------- */

/* Returns true if @ch is data for the focused frontend. */
static bool mux_proc_byte(MuxChardev *d, uint8_t ch)
{
    Chardev *chr = &d->parent;

    if (!d->term_got_escape) {
        if (ch == term_escape_char) {
            d->term_got_escape = true;
            return false;
        }
        return true;
    }
    d->term_got_escape = false;
    if (ch == term_escape_char) {
        return true;
    }
    switch (ch) {
    case '?':
    case 'h':
        mux_print_help(chr);
        break;
    case 'x':
        mux_puts(chr, "qcore: Terminated\n\r");
        /* QEMU calls qmp_quit() here; the system layer installs that. */
        if (mux_quit_hook) {
            mux_quit_hook();
        }
        break;
    case 's':
        /* QEMU commits -snapshot disks here; qcore has none. */
        break;
    case 'b':
        qemu_chr_be_event(chr, CHR_EVENT_BREAK);
        break;
    case 'c':
        mux_focus_next(d);
        break;
    case 't':
        d->timestamps = !d->timestamps;
        d->timestamps_start = -1;
        d->linestart = false;
        break;
    default:
        break;
    }
    return false;
}

static void mux_chr_accept_input(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int m = d->focus;
    CharBackend *be = m >= 0 ? d->backends[m] : NULL;

    while (be && d->prod[m] != d->cons[m] && be->chr_can_read &&
           be->chr_can_read(be->opaque) > 0) {
        be->chr_read(be->opaque,
                     &d->buffer[m][d->cons[m]++ % MUX_BUFFER_SIZE], 1);
    }
    /* Room again in our buffer: let the base read. */
    qemu_chr_fe_accept_input(&d->chr);
}

/*
 * Every byte read either is an escape, goes straight to the frontend, or
 * is buffered; so we can take as many as the focused buffer has room for.
 */
static int mux_chr_can_read(void *opaque)
{
    MuxChardev *d = opaque;
    int m = d->focus;

    if (m < 0) {
        return 0;
    }
    return MUX_BUFFER_SIZE - (d->prod[m] - d->cons[m]);
}

static void mux_chr_read(void *opaque, const uint8_t *buf, int size)
{
    MuxChardev *d = opaque;
    int i;

    for (i = 0; i < size; i++) {
        /* Re-read each time: an escape may have moved the focus. */
        int m = d->focus;
        CharBackend *be = m >= 0 ? d->backends[m] : NULL;

        if (!mux_proc_byte(d, buf[i]) || !be) {
            continue;
        }
        if (d->prod[m] == d->cons[m] && be->chr_can_read &&
            be->chr_can_read(be->opaque) > 0) {
            be->chr_read(be->opaque, &buf[i], 1);
        } else if (d->prod[m] - d->cons[m] < MUX_BUFFER_SIZE) {
            d->buffer[m][d->prod[m]++ % MUX_BUFFER_SIZE] = buf[i];
        }
    }
}

/* Events of the base (a socket's peer came or went) go to everyone. */
static void mux_chr_event(void *opaque, QEMUChrEvent event)
{
    MuxChardev *d = opaque;

    if (event == CHR_EVENT_OPENED && muxes_opened) {
        d->parent.be_open = 1;
    } else if (event == CHR_EVENT_CLOSED) {
        d->parent.be_open = 0;
    }
    mux_chr_send_all_event(d, event);
}

/* ---- frontends --------------------------------------------------------- */

bool mux_chr_attach_frontend(Chardev *chr, CharBackend *be,
                             unsigned int *tag, Error **errp)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    unsigned int i;

    for (i = 0; i < MAX_MUX; i++) {
        if (!d->backends[i]) {
            d->backends[i] = be;
            d->prod[i] = d->cons[i] = 0;
            *tag = i;
            return true;
        }
    }
    error_setg(errp, "too many uses of multiplexed chardev '%s' "
               "(maximum is %d)", chr->label, MAX_MUX);
    return false;
}

void mux_chr_detach_frontend(Chardev *chr, unsigned int tag)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    assert(tag < MAX_MUX);
    d->backends[tag] = NULL;
    if (d->focus == (int)tag) {
        d->focus = -1;
        chr->be = NULL;
    }
}

/* A frontend set its handlers: (re)install ours on the base. */
static void mux_chr_update_read_handler(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    qemu_chr_fe_set_handlers_full(&d->chr, mux_chr_can_read, mux_chr_read,
                                  mux_chr_event, NULL, d, chr->ctx,
                                  true, false);
}

static Chardev *mux_chr_io_owner(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    return d->chr.chr ? d->chr.chr : chr;
}

static bool mux_chr_is_connected(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    return d->chr.chr && d->chr.chr->be_open;
}

static void mux_chr_set_echo(Chardev *chr, bool echo)
{
    qemu_chr_fe_set_echo(&MUX_CHARDEV(chr)->chr, echo);
}

static void mux_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                         Error **errp)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    const char *base_id = qemu_opt_get(opts, "chardev");
    Chardev *base;

    if (!base_id) {
        error_setg(errp, "chardev: mux: no chardev given");
        return;
    }
    base = qemu_chr_find(base_id);
    if (!base) {
        error_setg(errp, "mux: base chardev %s not found", base_id);
        return;
    }
    d->focus = -1;
    d->timestamps_start = -1;
    *be_opened = muxes_opened;
    qemu_chr_fe_init(&d->chr, base, errp);
}

static void mux_chr_finalize(Object *obj)
{
    MuxChardev *d = MUX_CHARDEV(obj);
    int i;

    for (i = 0; i < MAX_MUX; i++) {
        if (d->backends[i]) {
            d->backends[i]->chr = NULL;
        }
    }
    d->parent.be = NULL;
    qemu_chr_fe_deinit(&d->chr, false);
}

void suspend_mux_open(void)
{
    muxes_opened = false;
}

static int open_one_mux(Object *child, void *opaque)
{
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV_MUX);

    if (chr && !chr->be_open) {
        mux_chr_send_all_event(MUX_CHARDEV(chr), CHR_EVENT_OPENED);
        chr->be_open = 1;
    }
    return 0;
}

void resume_mux_open(void)
{
    muxes_opened = true;
    object_child_foreach(object_get_container("chardevs"), open_one_mux,
                         NULL);
}

static void char_mux_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = mux_chr_open;
    cc->chr_write = mux_chr_write;
    cc->chr_accept_input = mux_chr_accept_input;
    cc->chr_be_event = mux_chr_be_event;
    cc->chr_update_read_handler = mux_chr_update_read_handler;
    cc->chr_io_owner = mux_chr_io_owner;
    cc->chr_is_connected = mux_chr_is_connected;
    cc->chr_set_echo = mux_chr_set_echo;
    cc->help = "share chardev= between several frontends (Ctrl-A escapes)";
}

static const TypeInfo char_mux_type_info = {
    .name = TYPE_CHARDEV_MUX,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(MuxChardev),
    .instance_finalize = mux_chr_finalize,
    .class_init = char_mux_class_init,
};

void char_mux_register_types(void)
{
    type_register_static(&char_mux_type_info);
}
