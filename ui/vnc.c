/*
 * The VNC server: -vnc, its listening sockets (plain and websocket) and
 * clients as fd handlers on the main loop, the RFB handshake (3.3, 3.7,
 * 3.8; security None or VNC), client messages, per-client tile dirty maps
 * and throttled output; the encoding runs on the worker thread
 * (ui/vnc-jobs.c), the websocket framing in ui/vnc-ws.c.  query-vnc,
 * query-vnc-servers, passwords and their expiry, the VNC events and
 * "info vnc".
 * Corresponds to QEMU's ui/vnc.c.
 */
#include "qcore/osdep.h"
#include "qcore/console.h"
#include "qcore/input.h"
#include "qcore/main-loop.h"
#include "qcore/option.h"
#include "qcore/runstate.h"
#include "qcore/log.h"
#include "qcore/monitor.h"
#include "qcore/object.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "vnc.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <nettle/des.h>

/* QEMU's limit for a ClientCutText payload. */
#define VNC_CUT_TEXT_MAX (1 << 20)
/* Output beyond this many times the throttle limit: the client is gone. */
#define VNC_THROTTLE_OUTPUT_LIMIT_SCALE 5
/* expire_password never */
#define VNC_TIME_MAX ((time_t)G_MAXINT64)
/* websocket=on: QEMU's port base, as 5900 is the plain one's */
#define VNC_WS_PORT_BASE 5700

/* Main thread, BQL. */
static QTAILQ_HEAD(, VncDisplay) vnc_displays =
    QTAILQ_HEAD_INITIALIZER(vnc_displays);
static bool vnc_configured;
/*
 * Disconnected clients wait here until nothing can touch them any more:
 * not the handler that noticed the error (it may still be on the stack),
 * not the worker (a job in flight).  The reaper BH frees them.
 */
static QTAILQ_HEAD(, VncState) vnc_dead =
    QTAILQ_HEAD_INITIALIZER(vnc_dead);
static QEMUBH *vnc_reaper_bh;
/* No events while the server is torn down at exit. */
static bool vnc_exiting;

static void vnc_client_read(void *opaque);
static void vnc_client_write(void *opaque);
static void vnc_update_client(VncState *vs);

/* ---- output ------------------------------------------------------------ */

/*
 * What waits for the socket: the RFB bytes, and for a websocket client
 * the framed bytes too.  The throttle counts both.
 */
static size_t vnc_output_pending(VncState *vs)
{
    return vs->output->len + (vs->ws ? vs->ws->wire->len : 0);
}

void vnc_set_handlers(VncState *vs)
{
    qemu_set_fd_handler(vs->fd, vnc_client_read,
                        vnc_output_pending(vs) ? vnc_client_write : NULL, vs);
}

void vnc_write(VncState *vs, const void *data, size_t len)
{
    if (vs->closing) {
        return;
    }
    g_byte_array_append(vs->output, data, len);
}

void vnc_write_u8(VncState *vs, uint8_t v)
{
    vnc_write(vs, &v, 1);
}

static void vnc_write_u16(VncState *vs, uint16_t v)
{
    uint8_t b[2] = { v >> 8, v };
    vnc_write(vs, b, 2);
}

void vnc_write_u32(VncState *vs, uint32_t v)
{
    uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
    vnc_write(vs, b, 4);
}

static uint16_t read_u16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The socket, or TLS over it once VeNCrypt set it up. */
static ssize_t vnc_client_send(VncState *vs, const uint8_t *data, size_t len)
{
    if (vs->tls) {
        return vnc_tls_send(vs, data, len);
    }
    return send(vs->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Try to send now; what the socket does not take waits for POLLOUT. */
void vnc_flush(VncState *vs)
{
    GByteArray *wire = vs->output;
    size_t sent = 0;

    if (vs->ws) {
        /* One binary frame for all that is queued (QEMU frames so too). */
        if (vs->ws->upgraded && vs->output->len && !vs->ws->close_sent) {
            vncws_encode(vs->ws, 2, vs->output->data, vs->output->len);
        }
        g_byte_array_set_size(vs->output, 0);
        wire = vs->ws->wire;
    }
    /* While TLS is being set up it owns the socket. */
    while (!vs->closing && !vs->tls_handshaking && sent < wire->len) {
        ssize_t n = vnc_client_send(vs, wire->data + sent, wire->len - sent);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                vnc_disconnect(vs);
                return;
            }
            break;
        }
        sent += n;
    }
    /* What went out is dropped once, not after every partial send. */
    if (sent) {
        g_byte_array_remove_range(wire, 0, sent);
    }
    if (!vs->closing && !vs->tls_handshaking) {
        vnc_set_handlers(vs);
    }
}

static void vnc_client_write(void *opaque)
{
    VncState *vs = opaque;

    vnc_flush(vs);
    if (!vs->closing && !vnc_output_pending(vs)) {
        /* Drained: a deferred update may go now. */
        vnc_update_client(vs);
    }
}

/*
 * The throttle: while more than about one full frame of output waits for
 * the client, no new update is started (the dirty map just accumulates),
 * so a client that stops reading costs at most a frame or so, and never
 * holds back the others (QEMU's throttle_output_offset).
 */
static void vnc_update_throttle(VncState *vs)
{
    vs->output_limit = MAX((size_t)vs->client_width * vs->client_height *
                           vs->pf.bytes_per_pixel, 64 * 1024);
}

/* ---- clients ----------------------------------------------------------- */

static void vnc_free_client(VncState *vs)
{
    vnc_streams_free(&vs->streams);
    g_array_unref(vs->copies);
    vnc_dirty_destroy(&vs->dirty);
    vncws_free(vs->ws);
    qcrypto_tls_session_free(vs->tls);
    g_byte_array_unref(vs->input);
    g_byte_array_unref(vs->output);
    g_free(vs->host);
    g_free(vs->service);
    g_free(vs->family);
    g_free(vs);
}

static void vnc_qmp_event(VncState *vs, QAPIEvent event);

void vnc_disconnect(VncState *vs)
{
    VncDisplay *vd = vs->vd;

    if (vs->closing) {
        return;
    }
    vnc_qmp_event(vs, QAPI_EVENT_VNC_DISCONNECTED);
    vs->closing = true;
    qemu_set_fd_handler(vs->fd, NULL, NULL, NULL);
    close(vs->fd);
    vs->fd = -1;
    if (vs->initialized && !vs->shared) {
        vd->num_exclusive--;
    }
    QTAILQ_REMOVE(&vd->clients, vs, next);
    QTAILQ_INSERT_TAIL(&vnc_dead, vs, next);
    qemu_bh_schedule(vnc_reaper_bh);
}

static void vnc_reap(void *opaque)
{
    VncState *vs, *next;

    QTAILQ_FOREACH_SAFE(vs, &vnc_dead, next, next) {
        if (!vs->job_in_flight) {
            QTAILQ_REMOVE(&vnc_dead, vs, next);
            vnc_free_client(vs);
        }
    }
}

void vnc_job_done(VncJob *job)
{
    VncState *vs = job->vs;

    vs->job_in_flight = false;
    if (vs->closing) {
        qemu_bh_schedule(vnc_reaper_bh);
    } else {
        vnc_write(vs, job->out->data, job->out->len);
        vnc_flush(vs);
        if (!vs->closing && vnc_output_pending(vs) > vs->output_limit *
            VNC_THROTTLE_OUTPUT_LIMIT_SCALE) {
            vnc_disconnect(vs);
        }
    }
    vnc_job_free(job);
}

void vnc_read_when(VncState *vs, VncReadEvent *func, size_t expect)
{
    vs->read_handler = func;
    vs->read_handler_expect = expect;
}

static DisplaySurface *vnc_surface(VncDisplay *vd)
{
    return vd->ds;
}

/* Start an update if one is due and the client can take it. */
static void vnc_update_client(VncState *vs)
{
    DisplaySurface *ds = vnc_surface(vs->vd);
    VncJob *job;
    GArray *rects;
    guint i;

    if (vs->closing || !vs->initialized || !vs->update_requested ||
        vs->job_in_flight || !ds || vnc_output_pending(vs) > vs->output_limit) {
        return;
    }
    if (vs->force_update) {
        vnc_dirty_mark(&vs->dirty, 0, 0, vs->dirty.width, vs->dirty.height);
        vs->force_update = false;
    }
    if (!vnc_dirty_any(&vs->dirty) && !vs->need_resize &&
        !vs->copies->len) {
        return;
    }
    job = vnc_job_new(vs);
    job->encoding = vs->encoding;
    job->pf = vs->pf;
    job->streams = &vs->streams;
    job->compression = vs->compression;
    job->quality = vs->quality;
    if (vs->copies->len) {
        job->copies = vs->copies;
        vs->copies = g_array_new(false, false, sizeof(VncCopy));
    }
    if (vs->need_resize) {
        job->resize = true;
        job->resize_ext = vs->has_resize_ext;
        job->width = vs->client_width;
        job->height = vs->client_height;
        vs->need_resize = false;
    }
    rects = vnc_dirty_take_rects(&vs->dirty);
    for (i = 0; i < rects->len; i++) {
        VncRect *r = &g_array_index(rects, VncRect, i);
        uint32_t *copy = g_new(uint32_t, (size_t)r->w * r->h);
        const uint8_t *src = surface_data(ds);
        int stride = surface_stride(ds), y;

        /* Clip against the surface: a shrunk one must not be overread. */
        if (r->x + r->w > surface_width(ds) ||
            r->y + r->h > surface_height(ds)) {
            g_free(copy);
            continue;
        }
        for (y = 0; y < r->h; y++) {
            memcpy(copy + (size_t)y * r->w,
                   src + (size_t)(r->y + y) * stride + r->x * 4, r->w * 4);
        }
        g_array_append_val(job->rects, *r);
        g_ptr_array_add(job->pixels, copy);
    }
    g_array_unref(rects);
    vs->update_requested = false;
    vs->job_in_flight = true;
    vnc_job_push(job);
}

static void vnc_set_default_pf(VncState *vs)
{
    vs->pf = (VncPixelFormat) {
        .bytes_per_pixel = 4, .depth = 24, .big_endian = false,
        .rmax = 255, .gmax = 255, .bmax = 255,
        .rshift = 16, .gshift = 8, .bshift = 0,
    };
}

/* ---- client messages --------------------------------------------------- */

static int protocol_client_msg(VncState *vs, uint8_t *data, size_t len);

static void set_pixel_format(VncState *vs, const uint8_t *d)
{
    int bpp = d[0];

    if (!d[3]) {
        /* Colour maps: QEMU emulates one; qcore asks for true colour. */
        error_report("vnc: client requested a colour map, which qcore "
                     "does not support");
        vnc_disconnect(vs);
        return;
    }
    if (bpp != 8 && bpp != 16 && bpp != 32) {
        vnc_disconnect(vs);
        return;
    }
    vs->pf.bytes_per_pixel = bpp / 8;
    vs->pf.depth = d[1];
    vs->pf.big_endian = d[2];
    vs->pf.rmax = read_u16(d + 4);
    vs->pf.gmax = read_u16(d + 6);
    vs->pf.bmax = read_u16(d + 8);
    vs->pf.rshift = d[10] & 31;
    vs->pf.gshift = d[11] & 31;
    vs->pf.bshift = d[12] & 31;
    vnc_update_throttle(vs);
    /* Everything the client has is in the old format now. */
    vs->force_update = true;
}

/*
 * ExtendedDesktopSize as its own update, now: @status 0 tells the size,
 * others answer a SetDesktopSize (reason 1: this client asked).
 */
static void vnc_desktop_resize_ext(VncState *vs, int status)
{
    vnc_write_u8(vs, 0);                    /* FramebufferUpdate */
    vnc_write_u8(vs, 0);
    vnc_write_u16(vs, 1);
    vnc_write_u16(vs, status ? 1 : 0);
    vnc_write_u16(vs, status);
    vnc_write_u16(vs, vs->client_width);
    vnc_write_u16(vs, vs->client_height);
    vnc_write_u32(vs, VNC_ENCODING_DESKTOP_RESIZE_EXT);
    vnc_write_u8(vs, 1);                    /* one screen */
    vnc_write(vs, "\0\0\0", 3);
    vnc_write_u32(vs, 0);                   /* its id, x, y, size, flags */
    vnc_write_u16(vs, 0);
    vnc_write_u16(vs, 0);
    vnc_write_u16(vs, vs->client_width);
    vnc_write_u16(vs, vs->client_height);
    vnc_write_u32(vs, 0);
    vnc_flush(vs);
}

/*
 * The pointer image, as its own update at once (QEMU's
 * vnc_cursor_define): the alpha cursor (ARGB as QEMU writes it, little
 * endian) if the client takes it, else the rich cursor (pixels in the
 * client's format plus a 1-bit mask).
 */
static void vnc_cursor_send(VncState *vs)
{
    QEMUCursor *c = vs->vd->cursor;
    g_autoptr(GByteArray) b = NULL;

    if (!c || !vs->cursor_encoding || vs->closing || !vs->initialized) {
        return;
    }
    b = g_byte_array_new();
    vnc_cursor_encode(b, &vs->pf, c, vs->cursor_encoding);
    vnc_write(vs, b->data, b->len);
    vnc_flush(vs);
}

/*
 * QEMU's LED State pseudo-encoding: a one-rectangle update carrying the
 * keyboard LEDs (bit 0 scroll, 1 num, 2 caps lock) as one byte, sent
 * when the client asks for it and whenever the guest changes them.
 */
static void vnc_led_state_send(VncState *vs)
{
    if (!vs->has_led_state || vs->closing || !vs->initialized) {
        return;
    }
    vnc_write_u8(vs, 0);                    /* FramebufferUpdate */
    vnc_write_u8(vs, 0);
    vnc_write_u16(vs, 1);
    vnc_write_u16(vs, 0);
    vnc_write_u16(vs, 0);
    vnc_write_u16(vs, 1);
    vnc_write_u16(vs, 1);
    vnc_write_u32(vs, (uint32_t)VNC_ENCODING_LED_STATE);
    vnc_write_u8(vs, kbd_get_ledstate());
    vnc_flush(vs);
}

static void vnc_kbd_leds(void *opaque, int ledstate)
{
    VncDisplay *vd = opaque;
    VncState *vs;

    QTAILQ_FOREACH(vs, &vd->clients, next) {
        vnc_led_state_send(vs);
    }
}

static void set_encodings(VncState *vs, const uint8_t *d, int n)
{
    int i;

    vs->encoding = VNC_ENCODING_RAW;
    vs->has_resize = false;
    vs->has_resize_ext = false;
    vs->has_copyrect = false;
    vs->cursor_encoding = 0;
    vs->has_led_state = false;
    vs->compression = 9;        /* QEMU's defaults */
    vs->quality = -1;
    /* The first encoding the client lists that we have wins: walk from
     * the end.  ZRLE beats Zlib wherever it is listed (as in QEMU). */
    for (i = n - 1; i >= 0; i--) {
        int32_t enc = read_u32(d + 4 * i);

        switch (enc) {
        case VNC_ENCODING_ZLIB:
            if (vs->encoding != VNC_ENCODING_ZRLE) {
                vs->encoding = enc;
            }
            break;
        case VNC_ENCODING_RAW:
        case VNC_ENCODING_HEXTILE:
        case VNC_ENCODING_TIGHT:
        case VNC_ENCODING_ZRLE:
            vs->encoding = enc;
            break;
        case VNC_ENCODING_COPYRECT:
            vs->has_copyrect = true;
            break;
        case VNC_ENCODING_DESKTOPRESIZE:
            vs->has_resize = true;
            break;
        case VNC_ENCODING_DESKTOP_RESIZE_EXT:
            vs->has_resize_ext = true;
            break;
        case VNC_ENCODING_RICH_CURSOR:
            if (vs->cursor_encoding != VNC_ENCODING_ALPHA_CURSOR) {
                vs->cursor_encoding = enc;
            }
            break;
        case VNC_ENCODING_ALPHA_CURSOR:
            vs->cursor_encoding = enc;
            break;
        case VNC_ENCODING_LED_STATE:
            vs->has_led_state = true;
            break;
        case VNC_ENCODING_COMPRESSLEVEL0 ... VNC_ENCODING_COMPRESSLEVEL0 + 9:
            vs->compression = enc & 15;
            break;
        case VNC_ENCODING_QUALITYLEVEL0 ... VNC_ENCODING_QUALITYLEVEL0 + 9:
            /* Without lossy=on a quality level changes nothing. */
            if (vs->vd->lossy) {
                vs->quality = enc & 15;
            }
            break;
        default:
            break;
        }
    }
    if (vs->has_resize_ext) {
        vs->has_resize = true;
    }
    if (!vs->has_copyrect && vs->copies->len) {
        /* Copies not sent: their destinations are dirty instead. */
        for (guint k = 0; k < vs->copies->len; k++) {
            VncCopy *c = &g_array_index(vs->copies, VncCopy, k);
            vnc_dirty_mark(&vs->dirty, c->dst_x, c->dst_y, c->w, c->h);
        }
        g_array_set_size(vs->copies, 0);
    }
    vnc_cursor_send(vs);
    vnc_led_state_send(vs);
}

static void framebuffer_update_request(VncState *vs, bool incremental,
                                       int x, int y, int w, int h)
{
    vs->update_requested = true;
    if (!incremental) {
        vnc_dirty_mark(&vs->dirty, x, y, w, h);
        if (vs->has_resize_ext) {
            vnc_desktop_resize_ext(vs, 0);
        }
    }
    vnc_update_client(vs);
}

/*
 * A key from the client: Ctrl-Alt-N and text consoles are the console's
 * business (qemu_input_keysym); on a graphic console the key goes to the
 * input devices, by the XT keycode of the QEMU Extended Key Event when
 * there is one and -k did not name a layout, else by the keymap.
 */
static void vnc_key_event(VncState *vs, bool down, uint32_t keysym,
                          uint32_t qnum)
{
    QemuConsole *con;
    QKeyCode q;

    if (qemu_input_keysym(keysym, down)) {
        return;
    }
    con = qemu_console_active();
    if (!qemu_console_is_graphic(con)) {
        return;
    }
    if (qnum && !qemu_keymap_is_explicit()) {
        q = qemu_input_qnum_to_qcode(qnum);
    } else {
        q = qemu_keymap_keysym_to_qcode(keysym, qemu_input_shift_held());
    }
    if (q != Q_KEY_CODE_UNMAPPED) {
        qemu_input_event_send_key_qcode(con, q, down);
    }
}

/* RFB's button bits, as QEMU's vnc maps them. */
static uint32_t vnc_button_map[INPUT_BUTTON__MAX] = {
    [INPUT_BUTTON_LEFT] = 0x01,
    [INPUT_BUTTON_MIDDLE] = 0x02,
    [INPUT_BUTTON_RIGHT] = 0x04,
    [INPUT_BUTTON_WHEEL_UP] = 0x08,
    [INPUT_BUTTON_WHEEL_DOWN] = 0x10,
    [INPUT_BUTTON_WHEEL_LEFT] = 0x20,
    [INPUT_BUTTON_WHEEL_RIGHT] = 0x40,
};

/* The pointer: absolute through a tablet, else relative moves. */
static void vnc_pointer_event(VncState *vs, int buttons, int x, int y)
{
    QemuConsole *con = qemu_console_active();
    DisplaySurface *surface = con ? qemu_console_surface(con) : NULL;

    if (!qemu_console_is_graphic(con) || !surface) {
        return;
    }
    if (buttons != vs->last_bmask) {
        qemu_input_update_buttons(con, vnc_button_map, vs->last_bmask,
                                  buttons);
        vs->last_bmask = buttons;
    }
    if (qemu_input_is_absolute(con)) {
        qemu_input_queue_abs(con, INPUT_AXIS_X, x, 0, surface_width(surface));
        qemu_input_queue_abs(con, INPUT_AXIS_Y, y, 0,
                             surface_height(surface));
    } else {
        if (vs->last_x != -1) {
            qemu_input_queue_rel(con, INPUT_AXIS_X, x - vs->last_x);
            qemu_input_queue_rel(con, INPUT_AXIS_Y, y - vs->last_y);
        }
        vs->last_x = x;
        vs->last_y = y;
    }
    qemu_input_event_sync();
}

static int protocol_client_msg(VncState *vs, uint8_t *data, size_t len)
{
    uint32_t n;

    switch (data[0]) {
    case 0:     /* SetPixelFormat */
        if (vs->read_handler_expect < 20) {
            return 20;
        }
        set_pixel_format(vs, data + 4);
        break;
    case 2:     /* SetEncodings */
        if (vs->read_handler_expect < 4) {
            return 4;
        }
        n = read_u16(data + 2);
        if (vs->read_handler_expect < 4 + 4 * n) {
            return 4 + 4 * n;
        }
        set_encodings(vs, data + 4, n);
        break;
    case 3:     /* FramebufferUpdateRequest */
        if (vs->read_handler_expect < 10) {
            return 10;
        }
        framebuffer_update_request(vs, data[1], read_u16(data + 2),
                                   read_u16(data + 4), read_u16(data + 6),
                                   read_u16(data + 8));
        break;
    case 4:     /* KeyEvent */
        if (vs->read_handler_expect < 8) {
            return 8;
        }
        vnc_key_event(vs, data[1], read_u32(data + 4), 0);
        break;
    case 5:     /* PointerEvent */
        if (vs->read_handler_expect < 6) {
            return 6;
        }
        vnc_pointer_event(vs, data[1], read_u16(data + 2), read_u16(data + 4));
        break;
    case 6:     /* ClientCutText: read and dropped */
        if (vs->read_handler_expect < 8) {
            return 8;
        }
        n = read_u32(data + 4);
        if (n > VNC_CUT_TEXT_MAX) {
            error_report("vnc: client_cut_text msg payload has %u bytes "
                         "which exceeds our limit of 1MB.", n);
            vnc_disconnect(vs);
            return 0;
        }
        vs->skip = n;
        break;
    case 251:   /* SetDesktopSize */
        if (vs->read_handler_expect < 8) {
            return 8;
        }
        if (vs->read_handler_expect < 8 + 16 * data[6]) {
            return 8 + 16 * data[6];
        }
        /*
         * As QEMU 7.2: only the first screen's size counts; the console's
         * device gets it (dpy_set_ui_info) and the answer is "request
         * forwarded" (4): the real resize, if the guest makes one, comes
         * later as an ExtendedDesktopSize from the server.  A console
         * without ui_info (a text console) gets "invalid screen layout".
         */
        if (dpy_ui_info_supported(vs->vd->dcl.con)) {
            QemuUIInfo info = {
                .width = read_u16(data + 2),
                .height = read_u16(data + 4),
            };

            dpy_set_ui_info(vs->vd->dcl.con, &info, false);
            vnc_desktop_resize_ext(vs, 4);
        } else {
            vnc_desktop_resize_ext(vs, 3);
        }
        break;
    case 255:   /* QEMU's extensions */
        if (vs->read_handler_expect < 2) {
            return 2;
        }
        if (data[1] != 0) {     /* only the extended key event */
            vnc_disconnect(vs);
            return 0;
        }
        if (vs->read_handler_expect < 12) {
            return 12;
        }
        vnc_key_event(vs, read_u16(data + 2), read_u32(data + 4),
                      read_u32(data + 8));
        break;
    default:
        vnc_disconnect(vs);
        return 0;
    }
    vnc_read_when(vs, protocol_client_msg, 1);
    return 0;
}

/* ---- the handshake ----------------------------------------------------- */

static int protocol_client_init(VncState *vs, uint8_t *data, size_t len)
{
    VncDisplay *vd = vs->vd;
    const char *name = qemu_get_vm_name();
    g_autofree char *desktop = name ? g_strdup_printf("QEMU (%s)", name)
                                    : g_strdup("QEMU");
    bool shared = data[0];
    VncState *c, *next;

    switch (vd->share_policy) {
    case VNC_SHARE_POLICY_IGNORE:
        shared = true;
        break;
    case VNC_SHARE_POLICY_ALLOW_EXCLUSIVE:
        if (!shared) {
            QTAILQ_FOREACH_SAFE(c, &vd->clients, next, next) {
                if (c != vs && c->initialized) {
                    vnc_disconnect(c);
                }
            }
        } else if (vd->num_exclusive > 0) {
            vnc_disconnect(vs);
            return 0;
        }
        break;
    case VNC_SHARE_POLICY_FORCE_SHARED:
        if (!shared) {
            vnc_disconnect(vs);
            return 0;
        }
        break;
    }
    vs->shared = shared;
    if (!shared) {
        vd->num_exclusive++;
    }

    vs->client_width = vd->ds ? surface_width(vd->ds) : 640;
    vs->client_height = vd->ds ? surface_height(vd->ds) : 480;
    vnc_dirty_init(&vs->dirty, vs->client_width, vs->client_height);
    vnc_set_default_pf(vs);
    vnc_update_throttle(vs);

    vnc_write_u16(vs, vs->client_width);
    vnc_write_u16(vs, vs->client_height);
    vnc_write_u8(vs, 32);                   /* bits per pixel */
    vnc_write_u8(vs, 24);                   /* depth */
    vnc_write_u8(vs, 0);                    /* little endian */
    vnc_write_u8(vs, 1);                    /* true colour */
    vnc_write_u16(vs, 255);
    vnc_write_u16(vs, 255);
    vnc_write_u16(vs, 255);
    vnc_write_u8(vs, 16);
    vnc_write_u8(vs, 8);
    vnc_write_u8(vs, 0);
    vnc_write(vs, "\0\0\0", 3);
    vnc_write_u32(vs, strlen(desktop));
    vnc_write(vs, desktop, strlen(desktop));
    vs->initialized = true;
    vs->force_update = true;
    vnc_flush(vs);
    vnc_read_when(vs, protocol_client_msg, 1);
    vnc_qmp_event(vs, QAPI_EVENT_VNC_INITIALIZED);
    return 0;
}

static void vnc_auth_failed(VncState *vs)
{
    vnc_write_u32(vs, 1);                   /* SecurityResult: failed */
    if (vs->minor >= 8) {
        static const char err[] = "Authentication failed";
        vnc_write_u32(vs, sizeof(err) - 1);
        vnc_write(vs, err, sizeof(err) - 1);
    }
    vnc_flush(vs);
    vnc_disconnect(vs);
}

/*
 * VNC authentication: the client DES-encrypts our random challenge with
 * its password as the key, each key byte bit-reversed (the protocol's
 * quirk).  DES is nettle's, as QEMU's crypto layer uses.
 */
static int protocol_client_auth_vnc(VncState *vs, uint8_t *data, size_t len)
{
    const char *pw = vs->vd->password;
    uint8_t key[8] = { 0 }, expect[16];
    struct des_ctx ctx;
    int i, j;

    if (!pw || vs->vd->expires < time(NULL)) {
        /* password=on but none set yet, or expire_password's time passed */
        vnc_auth_failed(vs);
        return 0;
    }
    for (i = 0; i < 8 && pw[i]; i++) {
        uint8_t b = pw[i], r = 0;
        for (j = 0; j < 8; j++) {
            r |= ((b >> j) & 1) << (7 - j);
        }
        key[i] = r;
    }
    des_set_key(&ctx, key);     /* a weak key still works, as in QEMU */
    des_encrypt(&ctx, sizeof(expect), expect, vs->challenge);
    if (memcmp(expect, data, sizeof(expect))) {
        vnc_auth_failed(vs);
        return 0;
    }
    vnc_write_u32(vs, 0);                   /* SecurityResult: OK */
    vnc_flush(vs);
    vnc_read_when(vs, protocol_client_init, 1);
    return 0;
}

void vnc_start_client_init(VncState *vs)
{
    vnc_read_when(vs, protocol_client_init, 1);
}

void vnc_start_auth_vnc(VncState *vs)
{
    if (getrandom(vs->challenge, sizeof(vs->challenge), 0) !=
        sizeof(vs->challenge)) {
        vnc_disconnect(vs);
        return;
    }
    vnc_write(vs, vs->challenge, sizeof(vs->challenge));
    vnc_flush(vs);
    vnc_read_when(vs, protocol_client_auth_vnc, sizeof(vs->challenge));
}

static void vnc_start_auth(VncState *vs)
{
    if (vs->vd->auth == VNC_AUTH_VNC) {
        vnc_start_auth_vnc(vs);
        return;
    }
    if (vs->vd->auth == VNC_AUTH_VENCRYPT) {
        vnc_start_vencrypt(vs);
        return;
    }
    if (vs->minor >= 8) {
        vnc_write_u32(vs, 0);               /* SecurityResult: OK */
        vnc_flush(vs);
    }
    vnc_read_when(vs, protocol_client_init, 1);
}

static int protocol_client_auth(VncState *vs, uint8_t *data, size_t len)
{
    if (data[0] != vs->vd->auth) {
        vnc_auth_failed(vs);
        return 0;
    }
    vnc_start_auth(vs);
    return 0;
}

static int protocol_version(VncState *vs, uint8_t *version, size_t len)
{
    char buf[13];
    int major, minor;

    memcpy(buf, version, 12);
    buf[12] = 0;
    if (sscanf(buf, "RFB %03d.%03d\n", &major, &minor) != 2) {
        vnc_disconnect(vs);
        return 0;
    }
    if (major != 3 || (minor != 3 && minor != 4 && minor != 5 &&
                       minor != 7 && minor != 8)) {
        vnc_write_u32(vs, VNC_AUTH_INVALID);
        vnc_flush(vs);
        vnc_disconnect(vs);
        return 0;
    }
    /* 3.4 and 3.5 (UltraVNC, Apple) speak 3.3, as QEMU treats them. */
    vs->minor = minor == 4 || minor == 5 ? 3 : minor;
    if (vs->minor == 3 && vs->vd->auth == VNC_AUTH_VENCRYPT) {
        /* 3.3 cannot carry VeNCrypt: QEMU answers "invalid". */
        vnc_write_u32(vs, VNC_AUTH_INVALID);
        vnc_flush(vs);
        vnc_disconnect(vs);
    } else if (vs->minor == 3) {
        /* 3.3: the server decides; no SecurityResult after None. */
        vnc_write_u32(vs, vs->vd->auth);
        if (vs->vd->auth == VNC_AUTH_NONE) {
            vnc_flush(vs);
            vnc_read_when(vs, protocol_client_init, 1);
        } else {
            vnc_start_auth(vs);
        }
    } else {
        vnc_write_u8(vs, 1);                /* one security type: */
        vnc_write_u8(vs, vs->vd->auth);
        vnc_flush(vs);
        vnc_read_when(vs, protocol_client_auth, 1);
    }
    return 0;
}

/* ---- input ------------------------------------------------------------- */

/* Send what the socket takes now, then close: for the last words. */
static void vnc_send_last_and_close(VncState *vs)
{
    GByteArray *wire = vs->ws ? vs->ws->wire : vs->output;

    if (wire->len && !vs->tls_handshaking) {
        ssize_t n = vnc_client_send(vs, wire->data, wire->len);
        (void)n;                /* a client that does not read loses them */
    }
    vnc_disconnect(vs);
}

static void vnc_start_protocol(VncState *vs)
{
    vnc_write(vs, "RFB 003.008\n", 12);
    vnc_read_when(vs, protocol_version, 12);
    vnc_flush(vs);
}

/*
 * A websocket client's bytes: first its HTTP upgrade request, then frames
 * whose payload is the RFB stream.  Returns whether vs->input got any.
 */
static bool vnc_ws_read(VncState *vs, const uint8_t *buf, size_t n)
{
    Error *err = NULL;
    size_t used;
    int ret;

    if (!vs->ws->upgraded) {
        ret = vncws_handshake(vs->ws, buf, n, &used, &err);
        if (ret < 0) {
            error_report("vnc: websocket handshake with %s:%s failed: %s",
                         vs->host, vs->service, error_get_pretty(err));
            error_free(err);
            vnc_send_last_and_close(vs);
            return false;
        }
        if (ret == 0) {
            return false;
        }
        vnc_start_protocol(vs);
        if (vs->closing) {
            return false;
        }
        buf += used;
        n -= used;
    }
    ret = vncws_decode(vs->ws, buf, n, vs->input, &err);
    if (ret) {
        if (ret < 0) {
            error_report("vnc: websocket client %s:%s: %s", vs->host,
                         vs->service, error_get_pretty(err));
            error_free(err);
        }
        vnc_send_last_and_close(vs);
        return false;
    }
    if (vs->ws->wire->len) {
        vnc_flush(vs);          /* a pong */
    }
    return !vs->closing;
}

/*
 * QEMU's vnc_read_when() shape: a handler is called once
 * read_handler_expect bytes are in; it returns the whole length of the
 * message if that is more (it is called again when those are in), or
 * acts, sets the next handler and returns 0: exactly the bytes it last
 * asked for are consumed.
 */
static void vnc_client_read(void *opaque)
{
    VncState *vs = opaque;
    uint8_t buf[4096];
    ssize_t n;

    n = vs->tls ? vnc_tls_recv(vs, buf, sizeof(buf))
                : recv(vs->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        vnc_disconnect(vs);
        return;
    }
    if (vs->ws) {
        if (!vnc_ws_read(vs, buf, n)) {
            return;
        }
    } else {
        g_byte_array_append(vs->input, buf, n);
    }
    while (!vs->closing && !vs->tls_handshaking) {
        size_t used;
        int ret;

        if (vs->skip) {
            used = MIN(vs->skip, vs->input->len);
            vs->skip -= used;
            g_byte_array_remove_range(vs->input, 0, used);
            if (vs->skip) {
                break;
            }
        }
        if (vs->input->len < vs->read_handler_expect) {
            break;
        }
        used = vs->read_handler_expect;
        ret = vs->read_handler(vs, vs->input->data, vs->input->len);
        if (vs->closing) {
            break;
        }
        if (ret > 0) {
            /* The message is longer than it first seemed. */
            vs->read_handler_expect = ret;
            if ((size_t)ret > vs->input->len) {
                break;
            }
            continue;
        }
        /*
         * The handler consumed a whole message: how long it was is what
         * it last asked for, or the length it accepted.
         */
        g_byte_array_remove_range(vs->input, 0,
                                  MIN(used, vs->input->len));
    }
    if (vs->closing) {
        return;
    }
    if (vs->tls_handshaking) {
        /* VeNCrypt accepted: TLS takes the socket from here. */
        vnc_tls_handshake_io(vs);
    } else if (vs->tls && qcrypto_tls_session_check_pending(vs->tls)) {
        /* Decrypted bytes poll() cannot announce: read them now. */
        vnc_client_read(vs);
    }
}

static void vnc_connect(VncDisplay *vd, int fd, bool is_unix,
                        bool websocket)
{
    VncState *vs = g_new0(VncState, 1);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int one = 1;

    vs->vd = vd;
    vs->fd = fd;
    vs->input = g_byte_array_new();
    vs->last_x = vs->last_y = -1;
    vs->output = g_byte_array_new();
    vs->output_limit = 64 * 1024;
    vnc_streams_init(&vs->streams);
    vs->copies = g_array_new(false, false, sizeof(VncCopy));
    vs->compression = 9;
    vs->quality = -1;
    if (is_unix) {
        vs->host = g_strdup("");
        vs->service = g_strdup(vd->unix_path);
        vs->family = g_strdup("unix");
    } else {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (!getpeername(fd, (struct sockaddr *)&sa, &salen) &&
            !getnameinfo((struct sockaddr *)&sa, salen, host, sizeof(host),
                         serv, sizeof(serv),
                         NI_NUMERICHOST | NI_NUMERICSERV)) {
            vs->host = g_strdup(host);
            vs->service = g_strdup(serv);
        } else {
            vs->host = g_strdup("");
            vs->service = g_strdup("");
        }
        vs->family = g_strdup(sa.ss_family == AF_INET6 ? "ipv6" : "ipv4");
    }
    QTAILQ_INSERT_TAIL(&vd->clients, vs, next);
    vs->websocket = websocket;
    vnc_qmp_event(vs, QAPI_EVENT_VNC_CONNECTED);
    if (websocket) {
        /* RFB starts once the HTTP upgrade is done (vnc_ws_read). */
        vs->ws = vncws_new();
        vnc_set_handlers(vs);
        return;
    }
    vnc_start_protocol(vs);
}

/* ---- the display-change listener --------------------------------------- */

static void vnc_dpy_update(DisplayChangeListener *dcl, int x, int y,
                           int w, int h)
{
    VncDisplay *vd = container_of(dcl, VncDisplay, dcl);
    VncState *vs;

    QTAILQ_FOREACH(vs, &vd->clients, next) {
        if (vs->initialized) {
            vnc_dirty_mark(&vs->dirty, x, y, w, h);
        }
    }
}

static void vnc_dpy_switch(DisplayChangeListener *dcl,
                           DisplaySurface *surface)
{
    VncDisplay *vd = container_of(dcl, VncDisplay, dcl);
    VncState *vs;

    vd->ds = surface;
    if (!surface) {
        return;
    }
    QTAILQ_FOREACH(vs, &vd->clients, next) {
        if (!vs->initialized) {
            continue;
        }
        /* Pending copies were moves in the old surface: all is dirty. */
        g_array_set_size(vs->copies, 0);
        if (surface_width(surface) != vs->client_width ||
            surface_height(surface) != vs->client_height) {
            if (!vs->has_resize) {
                /* Without DesktopSize the client keeps its size: clip. */
                vnc_dirty_mark(&vs->dirty, 0, 0, vs->client_width,
                               vs->client_height);
                continue;
            }
            vs->client_width = surface_width(surface);
            vs->client_height = surface_height(surface);
            vnc_dirty_init(&vs->dirty, vs->client_width, vs->client_height);
            vnc_update_throttle(vs);
            vs->need_resize = true;
        }
        vnc_dirty_mark(&vs->dirty, 0, 0, vs->client_width,
                       vs->client_height);
    }
}

/*
 * A rectangle moved.  A client that takes CopyRect gets it in its next
 * update, before that update's pixels: what it shows then is the
 * server's screen except for the dirty tiles, and the dirty tiles in the
 * source (stale on the client) are carried to the destination, so the
 * pixels sent after the copy repair exactly what it moved wrongly.  This
 * keeps the order QEMU kept by flushing the dirty state before it sent a
 * copy, without waiting for the worker.  (QEMU 7.2 itself no longer sends
 * CopyRect: it marks the destination dirty, as done here for the
 * others.)
 */
#define VNC_COPIES_MAX 64

static void vnc_dpy_copy(DisplayChangeListener *dcl, int src_x, int src_y,
                         int dst_x, int dst_y, int w, int h)
{
    VncDisplay *vd = container_of(dcl, VncDisplay, dcl);
    VncCopy c = { src_x, src_y, dst_x, dst_y, w, h };
    VncState *vs;

    QTAILQ_FOREACH(vs, &vd->clients, next) {
        if (!vs->initialized) {
            continue;
        }
        if (!vs->has_copyrect || vs->need_resize || vs->force_update ||
            vs->copies->len >= VNC_COPIES_MAX ||
            MAX(src_x, dst_x) + w > vs->client_width ||
            MAX(src_y, dst_y) + h > vs->client_height) {
            vnc_dirty_mark(&vs->dirty, dst_x, dst_y, w, h);
            continue;
        }
        vnc_dirty_move(&vs->dirty, src_x, src_y, dst_x, dst_y, w, h);
        g_array_append_val(vs->copies, c);
    }
}

static void vnc_dpy_cursor_define(DisplayChangeListener *dcl, QEMUCursor *c)
{
    VncDisplay *vd = container_of(dcl, VncDisplay, dcl);
    VncState *vs;

    if (vd->cursor) {
        cursor_unref(vd->cursor);
    }
    vd->cursor = c ? cursor_ref(c) : NULL;
    QTAILQ_FOREACH(vs, &vd->clients, next) {
        vnc_cursor_send(vs);
    }
}

static void vnc_refresh(DisplayChangeListener *dcl)
{
    VncDisplay *vd = container_of(dcl, VncDisplay, dcl);
    VncState *vs, *next;

    QTAILQ_FOREACH_SAFE(vs, &vd->clients, next, next) {
        vnc_update_client(vs);
    }
}

static const DisplayChangeListenerOps vnc_dcl_ops = {
    .dpy_name = "vnc",
    .dpy_refresh = vnc_refresh,
    .dpy_gfx_update = vnc_dpy_update,
    .dpy_gfx_switch = vnc_dpy_switch,
    .dpy_gfx_copy = vnc_dpy_copy,
    .dpy_cursor_define = vnc_dpy_cursor_define,
};

/* ---- listening --------------------------------------------------------- */

static void vnc_listen_accept(VncDisplay *vd, GArray *socks, bool is_unix,
                              bool websocket)
{
    guint i;

    /* Which socket is readable is not passed: try each, non-blocking. */
    for (i = 0; i < socks->len; i++) {
        int lfd = g_array_index(socks, int, i);
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd >= 0) {
            vnc_connect(vd, fd, is_unix, websocket);
        }
    }
}

static void vnc_listen_read(void *opaque)
{
    VncDisplay *vd = opaque;

    vnc_listen_accept(vd, vd->lsock, vd->unix_path != NULL, false);
}

static void vnc_listen_websocket_read(void *opaque)
{
    VncDisplay *vd = opaque;

    vnc_listen_accept(vd, vd->lwebsock, false, true);
}

static int listen_unix(const char *path, Error **errp)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 16) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s", path);
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Bind every address of host:port into @socks; false (fds closed) if any
 * is taken.  @family, if given, gets the first socket's family.  The port
 * is a string, as getaddrinfo takes it (websocket= passes it as given).
 */
static bool listen_inet(GArray *socks, const char *host, const char *portstr,
                        char **family, Error **errp)
{
    struct addrinfo hints = {
        .ai_flags = AI_PASSIVE, .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res, *ai;
    int rc, one = 1;

    rc = getaddrinfo(host && *host ? host : NULL, portstr, &hints, &res);
    if (rc) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   host, portstr, gai_strerror(rc));
        return false;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6) {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
            listen(fd, 16) < 0) {
            int err = errno;
            close(fd);
            if (err == EADDRNOTAVAIL || err == EAFNOSUPPORT) {
                continue;   /* e.g. no IPv6 on this host */
            }
            error_setg_errno(errp, err, "Failed to find an available port");
            goto fail;
        }
        g_array_append_val(socks, fd);
        if (family && !*family) {
            *family = g_strdup(ai->ai_family == AF_INET6 ? "ipv6" : "ipv4");
        }
    }
    freeaddrinfo(res);
    if (!socks->len) {
        error_setg(errp, "Failed to bind socket: no usable address");
        return false;
    }
    return true;

fail:
    freeaddrinfo(res);
    while (socks->len) {
        close(g_array_index(socks, int, socks->len - 1));
        g_array_remove_index(socks, socks->len - 1);
    }
    if (family) {
        g_clear_pointer(family, g_free);
    }
    return false;
}

static QemuOptsList qemu_vnc_opts = {
    .name = "vnc",
    .implied_opt_name = "vnc",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_vnc_opts.head),
    .desc = {
        { .name = "vnc", .type = QEMU_OPT_STRING },
        { .name = "to", .type = QEMU_OPT_NUMBER },
        { .name = "share", .type = QEMU_OPT_STRING },
        { .name = "id", .type = QEMU_OPT_STRING },
        { .name = "password", .type = QEMU_OPT_BOOL },
        { .name = "websocket", .type = QEMU_OPT_STRING },
        { .name = "display", .type = QEMU_OPT_STRING },
        { .name = "head", .type = QEMU_OPT_NUMBER },
        { .name = "lossy", .type = QEMU_OPT_BOOL },
        { .name = "tls-creds", .type = QEMU_OPT_STRING },
        { .name = "ipv4", .type = QEMU_OPT_BOOL },
        { .name = "ipv6", .type = QEMU_OPT_BOOL },
        { /* end of list */ }
    },
};

bool vnc_display_configured(void)
{
    return vnc_configured;
}

bool vnc_display_open(const char *optstr, Error **errp)
{
    QemuOpts *opts;
    VncDisplay *vd;
    const char *addr, *share, *colon, *websocket;
    g_autofree char *host = NULL;
    int display = 0, to, d;
    guint i;
    char *end;
    Error *err = NULL;

    opts = qemu_opts_parse(&qemu_vnc_opts, optstr, true, errp);
    if (!opts) {
        return false;
    }
    addr = qemu_opt_get(opts, "vnc");
    if (!addr || !strcmp(addr, "none")) {
        qemu_opts_del(opts);
        return true;
    }
    vd = g_new0(VncDisplay, 1);
    vd->lsock = g_array_new(false, false, sizeof(int));
    vd->lwebsock = g_array_new(false, false, sizeof(int));
    vd->expires = VNC_TIME_MAX;
    QTAILQ_INIT(&vd->clients);
    vd->id = g_strdup(qemu_opts_id(opts) ?: "default");
    vd->share_policy = VNC_SHARE_POLICY_ALLOW_EXCLUSIVE;
    vd->auth = qemu_opt_get_bool(opts, "password", false) ? VNC_AUTH_VNC
                                                          : VNC_AUTH_NONE;
    vd->lossy = qemu_opt_get_bool(opts, "lossy", false);
    share = qemu_opt_get(opts, "share");
    if (share) {
        if (!strcmp(share, "ignore")) {
            vd->share_policy = VNC_SHARE_POLICY_IGNORE;
        } else if (!strcmp(share, "allow-exclusive")) {
            vd->share_policy = VNC_SHARE_POLICY_ALLOW_EXCLUSIVE;
        } else if (!strcmp(share, "force-shared")) {
            vd->share_policy = VNC_SHARE_POLICY_FORCE_SHARED;
        } else {
            error_setg(errp, "unknown vnc share= option");
            goto fail;
        }
    }

    if (g_str_has_prefix(addr, "unix:")) {
        int fd = listen_unix(addr + 5, errp);
        if (fd < 0) {
            goto fail;
        }
        g_array_append_val(vd->lsock, fd);
        vd->unix_path = g_strdup(addr + 5);
        vd->host = g_strdup("");
        vd->service = g_strdup(vd->unix_path);
        vd->family = g_strdup("unix");
    } else {
        colon = strrchr(addr, ':');
        if (!colon) {
            error_setg(errp, "no vnc port specified");
            goto fail;
        }
        host = g_strndup(addr, colon - addr);
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
            char *h = g_strndup(host + 1, strlen(host) - 2);
            g_free(host);
            host = h;
        }
        d = strtol(colon + 1, &end, 10);
        if (*end || end == colon + 1 || d < 0 || d > 65535 - 5900) {
            error_setg(errp, "can't convert to a number: %s", colon + 1);
            goto fail;
        }
        to = qemu_opt_get_number(opts, "to", d);
        for (display = d; display <= to; display++) {
            error_free(err);
            err = NULL;
            g_autofree char *port = g_strdup_printf("%d", 5900 + display);

            if (listen_inet(vd->lsock, host, port, &vd->family, &err)) {
                break;
            }
        }
        if (display > to) {
            error_propagate(errp, err);
            goto fail;
        }
        vd->host = g_strdup(*host ? host : (!strcmp(vd->family, "ipv6")
                                            ? "::" : "0.0.0.0"));
        vd->service = g_strdup_printf("%d", 5900 + display);
    }

    /*
     * websocket=on (or bare): port 5700 + the display number on the VNC
     * host; websocket=PORT: that port there; websocket=HOST:PORT.  As in
     * QEMU, anything else is taken for a port name ("off" fails).  A
     * UNIX-socket display's websocket listens on every address.
     */
    websocket = qemu_opt_get(opts, "websocket");
    if (websocket) {
        g_autofree char *wshost = NULL, *wsport = NULL;

        colon = strrchr(websocket, ':');
        if (colon) {
            wshost = g_strndup(websocket, colon - websocket);
            wsport = g_strdup(colon + 1);
            if (wshost[0] == '[' && wshost[strlen(wshost) - 1] == ']') {
                char *h = g_strndup(wshost + 1, strlen(wshost) - 2);
                g_free(wshost);
                wshost = h;
            }
        } else {
            wshost = g_strdup(host ? host : "");
            wsport = !*websocket || !strcmp(websocket, "on")
                ? g_strdup_printf("%d", VNC_WS_PORT_BASE + display)
                : g_strdup(websocket);
        }
        if (!listen_inet(vd->lwebsock, wshost, wsport, NULL, errp)) {
            goto fail;
        }
    }
    vd->display_dev = g_strdup(qemu_opt_get(opts, "display"));
    vd->tlscreds_id = g_strdup(qemu_opt_get(opts, "tls-creds"));
    vd->display_head = qemu_opt_get_number(opts, "head", 0);
    qemu_opts_del(opts);
    for (i = 0; i < vd->lsock->len; i++) {
        qemu_set_fd_handler(g_array_index(vd->lsock, int, i),
                            vnc_listen_read, NULL, vd);
    }
    for (i = 0; i < vd->lwebsock->len; i++) {
        qemu_set_fd_handler(g_array_index(vd->lwebsock, int, i),
                            vnc_listen_websocket_read, NULL, vd);
    }
    if (!vnc_reaper_bh) {
        vnc_reaper_bh = qemu_bh_new(vnc_reap, NULL);
    }
    vd->dcl.ops = &vnc_dcl_ops;
    register_displaychangelistener(&vd->dcl);
    vd->led_entry = qemu_add_led_event_handler(vnc_kbd_leds, vd);
    QTAILQ_INSERT_TAIL(&vnc_displays, vd, next);
    vnc_configured = true;
    return true;

fail:
    qemu_opts_del(opts);
    for (i = 0; i < vd->lsock->len; i++) {
        close(g_array_index(vd->lsock, int, i));
    }
    if (vd->unix_path) {
        unlink(vd->unix_path);
    }
    g_array_unref(vd->lsock);
    g_array_unref(vd->lwebsock);
    g_free(vd->unix_path);
    g_free(vd->host);
    g_free(vd->service);
    g_free(vd->id);
    g_free(vd->family);
    g_free(vd);
    return false;
}

/*
 * tls-creds=ID: the -object, made after the server opened, and the
 * security type it implies (QEMU's vnc_display_setup_auth): VeNCrypt
 * with x509 or anonymous TLS, and VNC authentication inside it with
 * password=on.
 */
static bool vnc_display_setup_tls(VncDisplay *vd, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                vd->tlscreds_id);
    QCryptoTLSCreds *creds;
    bool password = vd->auth == VNC_AUTH_VNC;

    if (!obj) {
        error_setg(errp, "No TLS credentials with id '%s'", vd->tlscreds_id);
        return false;
    }
    if (!object_dynamic_cast(obj, TYPE_QCRYPTO_TLS_CREDS)) {
        error_setg(errp, "Object with id '%s' is not TLS credentials",
                   vd->tlscreds_id);
        return false;
    }
    creds = QCRYPTO_TLS_CREDS(obj);
    /*
     * QEMU puts TLS under the websocket (wss://) and VNC auth inside it;
     * qcore's websocket port speaks plain HTTP, so VeNCrypt's TLS would
     * bypass the framing.  Refuse rather than serve without TLS.
     */
    if (vd->lwebsock->len) {
        error_setg(errp, "tls-creds with websocket is not supported: "
                   "qcore has no TLS websockets (wss)");
        return false;
    }
    if (!qcrypto_tls_creds_check_endpoint(creds,
                                          QCRYPTO_TLS_CREDS_ENDPOINT_SERVER,
                                          errp)) {
        return false;
    }
    vd->tlscreds = creds;
    object_ref(obj);
    vd->auth = VNC_AUTH_VENCRYPT;
    if (qcrypto_tls_creds_is_x509(creds)) {
        vd->subauth = password ? VNC_AUTH_VENCRYPT_X509VNC
                               : VNC_AUTH_VENCRYPT_X509NONE;
    } else {
        vd->subauth = password ? VNC_AUTH_VENCRYPT_TLSVNC
                               : VNC_AUTH_VENCRYPT_TLSNONE;
    }
    return true;
}

/*
 * display=ID[,head=N]: show that device's console rather than the active
 * one.  Devices exist only after the board is made, later than the
 * server opens, so the binding is made then (vl.c); so is tls-creds=.
 */
bool vnc_display_init_late(Error **errp)
{
    VncDisplay *vd;

    QTAILQ_FOREACH(vd, &vnc_displays, next) {
        QemuConsole *con;

        if (vd->tlscreds_id && !vd->tlscreds &&
            !vnc_display_setup_tls(vd, errp)) {
            return false;
        }
        if (!vd->display_dev) {
            continue;
        }
        con = qemu_console_lookup_by_device_name(vd->display_dev,
                                                 vd->display_head, errp);
        if (!con) {
            return false;
        }
        unregister_displaychangelistener(&vd->dcl);
        vd->dcl.con = con;
        register_displaychangelistener(&vd->dcl);
    }
    return true;
}

void vnc_display_cleanup(void)
{
    VncDisplay *vd, *next;
    VncState *vs, *vnext;
    guint i;

    vnc_exiting = true;
    QTAILQ_FOREACH_SAFE(vd, &vnc_displays, next, next) {
        QTAILQ_FOREACH_SAFE(vs, &vd->clients, next, vnext) {
            vnc_disconnect(vs);
        }
        unregister_displaychangelistener(&vd->dcl);
        qemu_remove_led_event_handler(vd->led_entry);
        vd->led_entry = NULL;
        for (i = 0; i < vd->lsock->len; i++) {
            int fd = g_array_index(vd->lsock, int, i);
            qemu_set_fd_handler(fd, NULL, NULL, NULL);
            close(fd);
        }
        for (i = 0; i < vd->lwebsock->len; i++) {
            int fd = g_array_index(vd->lwebsock, int, i);
            qemu_set_fd_handler(fd, NULL, NULL, NULL);
            close(fd);
        }
        if (vd->unix_path) {
            unlink(vd->unix_path);
        }
        QTAILQ_REMOVE(&vnc_displays, vd, next);
        g_array_unref(vd->lsock);
        g_array_unref(vd->lwebsock);
        g_free(vd->display_dev);
        g_free(vd->tlscreds_id);
        if (vd->tlscreds) {
            object_unref(OBJECT(vd->tlscreds));
        }
        g_free(vd->unix_path);
        g_free(vd->host);
        g_free(vd->service);
        g_free(vd->family);
        g_free(vd->id);
        g_free(vd->password);
        if (vd->cursor) {
            cursor_unref(vd->cursor);
        }
        g_free(vd);
    }
    /* Every job handed back: every dead client can go now. */
    vnc_jobs_stop();
    if (vnc_reaper_bh) {
        vnc_reap(NULL);
        qemu_bh_delete(vnc_reaper_bh);
        vnc_reaper_bh = NULL;
    }
}

/* ---- query-vnc, query-vnc-servers, info vnc, the events --------------- */

static NetworkAddressFamily vnc_family(const char *family)
{
    return !strcmp(family, "unix") ? NETWORK_ADDRESS_FAMILY_UNIX :
           !strcmp(family, "ipv6") ? NETWORK_ADDRESS_FAMILY_IPV6 :
                                     NETWORK_ADDRESS_FAMILY_IPV4;
}

static const char *vnc_auth_name(VncDisplay *vd)
{
    switch (vd->auth) {
    case VNC_AUTH_VNC:
        return "vnc";
    case VNC_AUTH_VENCRYPT:
        switch (vd->subauth) {
        case VNC_AUTH_VENCRYPT_TLSNONE:
            return "vencrypt+tls+none";
        case VNC_AUTH_VENCRYPT_TLSVNC:
            return "vencrypt+tls+vnc";
        case VNC_AUTH_VENCRYPT_X509NONE:
            return "vencrypt+x509+none";
        default:
            return "vencrypt+x509+vnc";
        }
    default:
        return "none";
    }
}

/* query-vnc-servers' auth and, for VeNCrypt, its subtype. */
static VncPrimaryAuth vnc_primary_auth(VncDisplay *vd, bool *has_vencrypt,
                                       VncVencryptSubAuth *vencrypt)
{
    *has_vencrypt = vd->auth == VNC_AUTH_VENCRYPT;
    switch (vd->subauth) {
    case VNC_AUTH_VENCRYPT_TLSNONE:
        *vencrypt = VNC_VENCRYPT_SUB_AUTH_TLS_NONE;
        break;
    case VNC_AUTH_VENCRYPT_TLSVNC:
        *vencrypt = VNC_VENCRYPT_SUB_AUTH_TLS_VNC;
        break;
    case VNC_AUTH_VENCRYPT_X509NONE:
        *vencrypt = VNC_VENCRYPT_SUB_AUTH_X509_NONE;
        break;
    default:
        *vencrypt = VNC_VENCRYPT_SUB_AUTH_X509_VNC;
        break;
    }
    return vd->auth == VNC_AUTH_VENCRYPT ? VNC_PRIMARY_AUTH_VENCRYPT :
           vd->auth == VNC_AUTH_VNC ? VNC_PRIMARY_AUTH_VNC
                                    : VNC_PRIMARY_AUTH_NONE;
}

/* A listening socket's own address, as QEMU's server entries give it. */
static VncServerInfo2 *vnc_server_entry(VncDisplay *vd, int fd,
                                        bool websocket)
{
    VncServerInfo2 *info = g_new0(VncServerInfo2, 1);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    info->websocket = websocket;
    info->auth = vnc_primary_auth(vd, &info->has_vencrypt, &info->vencrypt);
    if (!websocket && vd->unix_path) {
        info->host = g_strdup("");
        info->service = g_strdup(vd->unix_path);
        info->family = NETWORK_ADDRESS_FAMILY_UNIX;
    } else if (!getsockname(fd, (struct sockaddr *)&sa, &salen) &&
               !getnameinfo((struct sockaddr *)&sa, salen, host, sizeof(host),
                            serv, sizeof(serv),
                            NI_NUMERICHOST | NI_NUMERICSERV)) {
        info->host = g_strdup(host);
        info->service = g_strdup(serv);
        info->family = sa.ss_family == AF_INET6 ? NETWORK_ADDRESS_FAMILY_IPV6
                                                : NETWORK_ADDRESS_FAMILY_IPV4;
    } else {
        info->host = g_strdup("");
        info->service = g_strdup("");
        info->family = NETWORK_ADDRESS_FAMILY_UNKNOWN;
    }
    return info;
}

static VncClientInfo *vnc_client_info(VncState *vs)
{
    VncClientInfo *c = g_new0(VncClientInfo, 1);

    c->host = g_strdup(vs->host);
    c->service = g_strdup(vs->service);
    c->family = vnc_family(vs->family);
    c->websocket = vs->websocket;
    /* The client certificate's DN, once verify-peer has checked it. */
    if (vs->tls && qcrypto_tls_session_get_peer_name(vs->tls)) {
        c->x509_dname = g_strdup(qcrypto_tls_session_get_peer_name(vs->tls));
    }
    return c;
}

/*
 * QEMU's event payload: the server is the display's first plain
 * listening socket (even for a websocket client), the client its peer.
 */
static void vnc_qmp_event(VncState *vs, QAPIEvent event)
{
    VncDisplay *vd = vs->vd;
    g_autoptr(VncServerInfo2) s2 = NULL;
    g_autoptr(VncServerInfo) server = g_new0(VncServerInfo, 1);
    g_autoptr(VncClientInfo) client = vnc_client_info(vs);

    if (vnc_exiting || !vd->lsock->len) {
        return;
    }
    s2 = vnc_server_entry(vd, g_array_index(vd->lsock, int, 0), false);
    server->host = g_strdup(s2->host);
    server->service = g_strdup(s2->service);
    server->family = s2->family;
    server->websocket = false;
    server->auth = g_strdup(vnc_auth_name(vd));
    switch (event) {
    case QAPI_EVENT_VNC_CONNECTED: {
        VncBasicInfo basic = {
            .host = client->host, .service = client->service,
            .family = client->family, .websocket = client->websocket,
        };
        qapi_event_send_vnc_connected(server, &basic);
        break;
    }
    case QAPI_EVENT_VNC_INITIALIZED:
        qapi_event_send_vnc_initialized(server, client);
        break;
    case QAPI_EVENT_VNC_DISCONNECTED:
        qapi_event_send_vnc_disconnected(server, client);
        break;
    default:
        break;
    }
}

/* QEMU's query-vnc describes the first display only. */
VncInfo *qmp_query_vnc(Error **errp)
{
    VncDisplay *vd = QTAILQ_FIRST(&vnc_displays);
    VncInfo *info = g_new0(VncInfo, 1);
    VncClientInfoList **tail = &info->clients;
    VncState *vs;

    if (!vd) {
        info->enabled = false;
        return info;
    }
    info->enabled = true;
    info->host = g_strdup(vd->host);
    info->service = g_strdup(vd->service);
    info->has_family = true;
    info->family = vnc_family(vd->family);
    info->auth = g_strdup(vnc_auth_name(vd));
    QTAILQ_FOREACH(vs, &vd->clients, next) {
        QAPI_LIST_APPEND(tail, vnc_client_info(vs));
    }
    return info;
}

static const char *vnc_display_device_id(VncDisplay *vd)
{
    Object *dev = vd->dcl.con ? qemu_console_get_device(vd->dcl.con) : NULL;

    return dev ? object_get_canonical_path_component(dev) : NULL;
}

VncInfo2List *qmp_query_vnc_servers(Error **errp)
{
    VncInfo2List *list = NULL, **tail = &list;
    VncDisplay *vd;

    QTAILQ_FOREACH(vd, &vnc_displays, next) {
        VncInfo2 *info = g_new0(VncInfo2, 1);
        VncClientInfoList **ctail = &info->clients;
        VncServerInfo2List *servers = NULL;
        const char *dev = vnc_display_device_id(vd);
        VncState *vs;
        guint i;

        info->id = g_strdup(vd->id);
        info->auth = vnc_primary_auth(vd, &info->has_vencrypt,
                                      &info->vencrypt);
        info->display = g_strdup(dev);
        /* QEMU prepends each socket: websockets first, each in reverse. */
        for (i = 0; i < vd->lsock->len; i++) {
            QAPI_LIST_PREPEND(servers, vnc_server_entry(
                vd, g_array_index(vd->lsock, int, i), false));
        }
        for (i = 0; i < vd->lwebsock->len; i++) {
            QAPI_LIST_PREPEND(servers, vnc_server_entry(
                vd, g_array_index(vd->lwebsock, int, i), true));
        }
        info->server = servers;
        QTAILQ_FOREACH(vs, &vd->clients, next) {
            QAPI_LIST_APPEND(ctail, vnc_client_info(vs));
        }
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
}

static void hmp_info_vnc_addr(Monitor *mon, const char *what,
                              const char *host, const char *service,
                              NetworkAddressFamily family, bool websocket)
{
    bool v6 = family == NETWORK_ADDRESS_FAMILY_IPV6;

    monitor_printf(mon, "  %s: %s%s%s:%s (%s%s)\n", what, v6 ? "[" : "",
                   host, v6 ? "]" : "", service,
                   NetworkAddressFamily_str(family),
                   websocket ? " (Websocket)" : "");
}

/* QEMU's layout, built (as QEMU builds it) from query-vnc-servers. */
void hmp_info_vnc(Monitor *mon, const QDict *qdict)
{
    g_autoptr(VncInfo2List) list = qmp_query_vnc_servers(NULL);
    VncInfo2List *l;

    if (!list) {
        monitor_printf(mon, "None\n");
        return;
    }
    for (l = list; l; l = l->next) {
        VncInfo2 *info = l->value;
        VncServerInfo2List *s;
        VncClientInfoList *c;

        monitor_printf(mon, "%s:\n", info->id);
        for (s = info->server; s; s = s->next) {
            hmp_info_vnc_addr(mon, "Server", s->value->host,
                              s->value->service, s->value->family,
                              s->value->websocket);
            monitor_printf(mon, "    Auth: %s (Sub: %s)\n",
                           VncPrimaryAuth_str(s->value->auth),
                           s->value->has_vencrypt ?
                           VncVencryptSubAuth_str(s->value->vencrypt) : "none");
        }
        for (c = info->clients; c; c = c->next) {
            hmp_info_vnc_addr(mon, "Client", c->value->host,
                              c->value->service, c->value->family,
                              c->value->websocket);
            monitor_printf(mon, "    x509_dname: %s\n",
                           c->value->x509_dname ? c->value->x509_dname : "none");
            monitor_printf(mon, "    sasl_username: none\n");
        }
        if (info->display) {
            monitor_printf(mon, "  Display: %s\n", info->display);
        }
    }
}

/* ---- passwords --------------------------------------------------------- */

/* A display by id=, or the first one (QEMU's vnc_display_find). */
static VncDisplay *vnc_display_find(const char *id)
{
    VncDisplay *vd;

    if (!id) {
        return QTAILQ_FIRST(&vnc_displays);
    }
    QTAILQ_FOREACH(vd, &vnc_displays, next) {
        if (!strcmp(vd->id, id)) {
            return vd;
        }
    }
    return NULL;
}

static bool vnc_display_password(const char *id, const char *password,
                                 Monitor *mon, Error **errp)
{
    VncDisplay *vd = vnc_display_find(id);

    if (vd && vd->auth == VNC_AUTH_NONE && mon) {
        /* QEMU says so on HMP only (error_printf_unless_qmp) */
        monitor_printf(mon, "If you want use passwords please enable "
                       "password auth using '-vnc ${dpy},password'.\n");
    }
    if (!vd || vd->auth == VNC_AUTH_NONE) {
        /* QEMU says the same, whatever the reason.  (With VeNCrypt it
         * takes the password even when no subtype asks for one.) */
        error_setg(errp, "Could not set password");
        return false;
    }
    g_free(vd->password);
    vd->password = g_strdup(password);
    return true;
}

void qmp_change_vnc_password(const char *password, Error **errp)
{
    vnc_display_password(NULL, password, NULL, errp);
}

static void vnc_set_password(SetPasswordOptions *opts, Monitor *mon,
                             Error **errp)
{
    if (opts->protocol == DISPLAY_PROTOCOL_SPICE) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_ACTIVE, "SPICE is not in use");
        return;
    }
    /* QEMU's VNC keeps connected clients, and takes nothing else. */
    if (opts->has_connected && opts->connected != SET_PASSWORD_ACTION_KEEP) {
        error_setg(errp, "Invalid parameter '%s'", "connected");
        return;
    }
    vnc_display_password(opts->u.vnc.display, opts->password, mon, errp);
}

void qmp_set_password(SetPasswordOptions *opts, Error **errp)
{
    vnc_set_password(opts, NULL, errp);
}

/*
 * "now" (0: always past), "never", "+N" seconds from now, or N seconds
 * since the epoch; as QEMU, an unparsable N counts as 0.
 */
void qmp_expire_password(ExpirePasswordOptions *opts, Error **errp)
{
    VncDisplay *vd;
    time_t when;

    if (opts->protocol == DISPLAY_PROTOCOL_SPICE) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_ACTIVE, "SPICE is not in use");
        return;
    }
    if (!strcmp(opts->time, "now")) {
        when = 0;
    } else if (!strcmp(opts->time, "never")) {
        when = VNC_TIME_MAX;
    } else if (opts->time[0] == '+') {
        when = time(NULL) + strtoull(opts->time + 1, NULL, 10);
    } else {
        when = strtoull(opts->time, NULL, 10);
    }
    vd = vnc_display_find(opts->u.vnc.display);
    if (!vd) {
        error_setg(errp, "Could not set password expire time");
        return;
    }
    vd->expires = when;
}

void hmp_set_password(Monitor *mon, const QDict *qdict)
{
    const char *connected = qdict_get_try_str(qdict, "connected");
    SetPasswordOptions opts = {
        .password = (char *)qdict_get_str(qdict, "password"),
        .has_connected = connected != NULL,
    };
    Error *err = NULL;

    opts.connected = qapi_enum_parse(&SetPasswordAction_lookup, connected,
                                     SET_PASSWORD_ACTION_KEEP, &err);
    if (!err) {
        opts.protocol = qapi_enum_parse(&DisplayProtocol_lookup,
                                        qdict_get_str(qdict, "protocol"),
                                        DISPLAY_PROTOCOL_VNC, &err);
    }
    if (!err) {
        opts.u.vnc.display = (char *)qdict_get_try_str(qdict, "display");
        vnc_set_password(&opts, mon, &err);
    }
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

void hmp_expire_password(Monitor *mon, const QDict *qdict)
{
    ExpirePasswordOptions opts = {
        .time = (char *)qdict_get_str(qdict, "time"),
    };
    Error *err = NULL;

    opts.protocol = qapi_enum_parse(&DisplayProtocol_lookup,
                                    qdict_get_str(qdict, "protocol"),
                                    DISPLAY_PROTOCOL_VNC, &err);
    if (!err) {
        opts.u.vnc.display = (char *)qdict_get_try_str(qdict, "display");
        qmp_expire_password(&opts, &err);
    }
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}
