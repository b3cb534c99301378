/*
 * Consoles: the list of graphic and text consoles, their surfaces, the
 * display-change listeners that show them and the refresh timer that
 * drives those; the "vc" chardev (a text console drawing a VT100 with a
 * PSF bitmap font); keyboard input as keysyms.
 * Corresponds to QEMU's ui/console.c (and the VC part of it).
 */
#include "qcore/osdep.h"
#include "qcore/console.h"
#include "qcore/vt100.h"
#include "qcore/chardev.h"
#include "qcore/main-loop.h"
#include "qcore/timer.h"
#include "qcore/module.h"
#include "qcore/hw/qdev.h"
#include <zlib.h>
#include "qcore/input.h"

/*
 * Everything below is main-thread state, read and written with the BQL
 * held (the VNC worker never looks at consoles: it gets copies).
 */
struct QemuConsole {
    unsigned index;
    DisplaySurface *surface;
    /* Graphic consoles */
    const GraphicHwOps *hw_ops;
    void *hw;
    DeviceState *device;                /* may be NULL */
    uint32_t head;
    QEMUCursor *cursor;                 /* a reference, or NULL */
    QemuUIInfo ui_info;                 /* the last a display asked for */
    QEMUTimer *ui_timer;                /* hands it to the device */
    /* Text consoles */
    Chardev *chr;
    VtState vt;
    QTAILQ_ENTRY(QemuConsole) next;
};

static QTAILQ_HEAD(, QemuConsole) consoles =
    QTAILQ_HEAD_INITIALIZER(consoles);
static QemuConsole *active_console;
static QLIST_HEAD(, DisplayChangeListener) listeners =
    QLIST_HEAD_INITIALIZER(listeners);
static QEMUTimer *gui_timer;
static QemuFont *console_font;

/* ---- surfaces --------------------------------------------------------- */

DisplaySurface *qemu_create_displaysurface(int width, int height)
{
    DisplaySurface *s = g_new0(DisplaySurface, 1);

    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height,
                                        NULL, width * 4);
    g_assert(s->image);
    return s;
}

void qemu_free_displaysurface(DisplaySurface *surface)
{
    if (surface) {
        pixman_image_unref(surface->image);
        g_free(surface);
    }
}

/* ---- cursors ---------------------------------------------------------- */

QEMUCursor *cursor_alloc(uint16_t width, uint16_t height)
{
    QEMUCursor *c;

    if (!width || !height ||
        width > QEMU_CURSOR_MAX || height > QEMU_CURSOR_MAX) {
        return NULL;
    }
    c = g_malloc0(sizeof(*c) + (size_t)width * height * sizeof(uint32_t));
    c->width = width;
    c->height = height;
    c->refcount = 1;
    return c;
}

QEMUCursor *cursor_ref(QEMUCursor *c)
{
    c->refcount++;
    return c;
}

void cursor_unref(QEMUCursor *c)
{
    if (c && --c->refcount == 0) {
        g_free(c);
    }
}

void cursor_get_mono_mask(QEMUCursor *c, int transparent, uint8_t *mask)
{
    int row_bytes = (c->width + 7) / 8;

    memset(mask, 0, (size_t)row_bytes * c->height);
    for (int y = 0; y < c->height; y++) {
        for (int x = 0; x < c->width; x++) {
            bool opaque = (c->data[y * c->width + x] >> 24) != 0;

            if (opaque != !!transparent) {
                mask[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
}

/* ---- listeners and the refresh timer --------------------------------- */

static uint64_t gui_update_interval(void)
{
    DisplayChangeListener *dcl;
    uint64_t interval = UINT64_MAX;

    QLIST_FOREACH(dcl, &listeners, next) {
        interval = MIN(interval, dcl->update_interval ?
                       dcl->update_interval : GUI_REFRESH_INTERVAL_DEFAULT);
    }
    return interval;
}

static void gui_refresh(void *opaque)
{
    DisplayChangeListener *dcl, *next;

    if (active_console && active_console->hw_ops &&
        active_console->hw_ops->gfx_update) {
        active_console->hw_ops->gfx_update(active_console->hw);
    }
    QLIST_FOREACH_SAFE(dcl, &listeners, next, next) {
        if (dcl->ops->dpy_refresh) {
            dcl->ops->dpy_refresh(dcl);
        }
    }
    if (!QLIST_EMPTY(&listeners)) {
        timer_mod(gui_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                  gui_update_interval());
    }
}

bool qemu_console_refresh_active(void)
{
    return gui_timer && timer_pending(gui_timer);
}

static QemuConsole *dcl_console(DisplayChangeListener *dcl)
{
    return dcl->con ? dcl->con : active_console;
}

void register_displaychangelistener(DisplayChangeListener *dcl)
{
    QemuConsole *con;

    QLIST_INSERT_HEAD(&listeners, dcl, next);
    if (!gui_timer) {
        gui_timer = timer_new_ms(QEMU_CLOCK_REALTIME, gui_refresh, NULL);
    }
    /* The timer runs only while someone wants updates. */
    timer_mod(gui_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              gui_update_interval());
    con = dcl_console(dcl);
    if (dcl->ops->dpy_gfx_switch) {
        dcl->ops->dpy_gfx_switch(dcl, con ? con->surface : NULL);
    }
    if (con && con->cursor && dcl->ops->dpy_cursor_define) {
        dcl->ops->dpy_cursor_define(dcl, con->cursor);
    }
}

void unregister_displaychangelistener(DisplayChangeListener *dcl)
{
    QLIST_REMOVE(dcl, next);
    if (QLIST_EMPTY(&listeners) && gui_timer) {
        timer_del(gui_timer);
    }
}

void dpy_gfx_update(QemuConsole *con, int x, int y, int w, int h)
{
    DisplayChangeListener *dcl;
    int sw, sh;

    if (!con->surface) {
        return;
    }
    sw = surface_width(con->surface);
    sh = surface_height(con->surface);
    x = MAX(x, 0);
    y = MAX(y, 0);
    w = MIN(w, sw - x);
    h = MIN(h, sh - y);
    if (w <= 0 || h <= 0) {
        return;
    }
    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl_console(dcl) == con && dcl->ops->dpy_gfx_update) {
            dcl->ops->dpy_gfx_update(dcl, x, y, w, h);
        }
    }
}

void dpy_gfx_replace_surface(QemuConsole *con, DisplaySurface *surface)
{
    DisplaySurface *old = con->surface;
    DisplayChangeListener *dcl;

    con->surface = surface;
    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl_console(dcl) == con && dcl->ops->dpy_gfx_switch) {
            dcl->ops->dpy_gfx_switch(dcl, surface);
        }
    }
    qemu_free_displaysurface(old);
}

void dpy_gfx_copy(QemuConsole *con, int src_x, int src_y,
                  int dst_x, int dst_y, int w, int h)
{
    DisplayChangeListener *dcl;
    pixman_image_t *img;

    if (!con->surface) {
        return;
    }
    img = con->surface->image;
    /* Only whole rectangles inside the surface: a clipped copy would not
     * be the move the caller described. */
    if (w <= 0 || h <= 0 || src_x < 0 || src_y < 0 || dst_x < 0 ||
        dst_y < 0 || MAX(src_x, dst_x) + w > surface_width(con->surface) ||
        MAX(src_y, dst_y) + h > surface_height(con->surface)) {
        return;
    }
    /* pixman_blt does not promise overlapping copies: go row by row in
     * the direction that reads each row before it is overwritten. */
    for (int i = 0; i < h; i++) {
        int row = dst_y > src_y ? h - 1 - i : i;
        uint8_t *base = (uint8_t *)pixman_image_get_data(img);
        int stride = pixman_image_get_stride(img);

        memmove(base + (dst_y + row) * stride + dst_x * 4,
                base + (src_y + row) * stride + src_x * 4, (size_t)w * 4);
    }
    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl_console(dcl) != con) {
            continue;
        }
        if (dcl->ops->dpy_gfx_copy) {
            dcl->ops->dpy_gfx_copy(dcl, src_x, src_y, dst_x, dst_y, w, h);
        } else if (dcl->ops->dpy_gfx_update) {
            dcl->ops->dpy_gfx_update(dcl, dst_x, dst_y, w, h);
        }
    }
}

void dpy_mouse_set(QemuConsole *con, int x, int y, bool on)
{
    DisplayChangeListener *dcl;

    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl_console(dcl) == con && dcl->ops->dpy_mouse_set) {
            dcl->ops->dpy_mouse_set(dcl, x, y, on);
        }
    }
}

void dpy_cursor_define(QemuConsole *con, QEMUCursor *cursor)
{
    DisplayChangeListener *dcl;

    cursor_ref(cursor);
    cursor_unref(con->cursor);
    con->cursor = cursor;
    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl_console(dcl) == con && dcl->ops->dpy_cursor_define) {
            dcl->ops->dpy_cursor_define(dcl, cursor);
        }
    }
}

QEMUCursor *qemu_console_get_cursor(QemuConsole *con)
{
    return con ? con->cursor : NULL;
}

/* ---- display-driven resize -------------------------------------------- */

static void dpy_set_ui_info_timer(void *opaque)
{
    QemuConsole *con = opaque;

    con->hw_ops->ui_info(con->hw, con->head, &con->ui_info);
}

bool dpy_ui_info_supported(QemuConsole *con)
{
    if (!con) {
        con = active_console;
    }
    return con && con->hw_ops && con->hw_ops->ui_info;
}

const QemuUIInfo *dpy_get_ui_info(QemuConsole *con)
{
    g_assert(dpy_ui_info_supported(con));
    return con ? &con->ui_info : &active_console->ui_info;
}

int dpy_set_ui_info(QemuConsole *con, QemuUIInfo *info, bool delay)
{
    if (!con) {
        con = active_console;
    }
    if (!dpy_ui_info_supported(con)) {
        return -1;
    }
    if (memcmp(&con->ui_info, info, sizeof(con->ui_info)) == 0) {
        return 0;
    }
    con->ui_info = *info;
    /*
     * From a timer, as QEMU: the device (and its guest) hear of it from
     * the main loop, not inside the display's message handler; a window
     * being resized sends a flood, which @delay turns into one request.
     */
    if (!con->ui_timer) {
        con->ui_timer = timer_new_ms(QEMU_CLOCK_REALTIME,
                                     dpy_set_ui_info_timer, con);
    }
    timer_mod(con->ui_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              (delay ? 1000 : 0));
    return 0;
}

/* ---- the console list ------------------------------------------------- */

static void console_switch_listeners(QemuConsole *con)
{
    DisplayChangeListener *dcl;

    QLIST_FOREACH(dcl, &listeners, next) {
        if (dcl->con) {
            continue;
        }
        if (dcl->ops->dpy_gfx_switch) {
            dcl->ops->dpy_gfx_switch(dcl, con->surface);
        }
        if (con->cursor && dcl->ops->dpy_cursor_define) {
            dcl->ops->dpy_cursor_define(dcl, con->cursor);
        }
    }
}

/*
 * Append a console with its surface.  As in QEMU, the console shown is
 * the first graphic one, or the first console of all if there is no
 * graphic one; listeners registered before it existed switch to it.
 */
static QemuConsole *new_console(const GraphicHwOps *ops, void *opaque,
                                DisplaySurface *surface)
{
    QemuConsole *con = g_new0(QemuConsole, 1);
    QemuConsole *last = QTAILQ_LAST(&consoles);

    con->index = last ? last->index + 1 : 0;
    con->hw_ops = ops;
    con->hw = opaque;
    con->surface = surface;
    QTAILQ_INSERT_TAIL(&consoles, con, next);
    if (!active_console ||
        (ops && !qemu_console_is_graphic(active_console))) {
        active_console = con;
        console_switch_listeners(con);
    }
    return con;
}

QemuConsole *graphic_console_init(DeviceState *dev, uint32_t head,
                                  const GraphicHwOps *ops, void *opaque)
{
    QemuConsole *con = new_console(ops, opaque,
                                   qemu_create_displaysurface(640, 480));

    con->device = dev;
    con->head = head;
    return con;
}

DisplaySurface *qemu_console_surface(QemuConsole *con)
{
    return con ? con->surface : NULL;
}

QemuConsole *qemu_console_lookup_by_index(unsigned index)
{
    QemuConsole *con;

    QTAILQ_FOREACH(con, &consoles, next) {
        if (con->index == index) {
            return con;
        }
    }
    return NULL;
}

QemuConsole *qemu_console_lookup_by_device(DeviceState *dev, uint32_t head)
{
    QemuConsole *con;

    QTAILQ_FOREACH(con, &consoles, next) {
        if (dev && con->device == dev && con->head == head) {
            return con;
        }
    }
    return NULL;
}

Object *qemu_console_get_device(QemuConsole *con)
{
    return con->device ? OBJECT(con->device) : NULL;
}

QemuConsole *qemu_console_lookup_by_device_name(const char *device_id,
                                                uint32_t head, Error **errp)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s",
                                            device_id);
    Object *obj = strchr(device_id, '/') ? NULL :
                  object_resolve_path(path, NULL);
    QemuConsole *con;

    if (!obj || !object_dynamic_cast(obj, TYPE_DEVICE)) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", device_id);
        return NULL;
    }
    con = qemu_console_lookup_by_device(DEVICE(obj), head);
    if (!con) {
        error_setg(errp, "Device %s (head %d) is not bound to a QemuConsole",
                   device_id, head);
        return NULL;
    }
    return con;
}

unsigned qemu_console_get_index(QemuConsole *con)
{
    return con->index;
}

bool qemu_console_is_graphic(QemuConsole *con)
{
    return con && con->hw_ops;
}

QemuConsole *qemu_console_active(void)
{
    return active_console;
}

void console_select(unsigned index)
{
    QemuConsole *con = qemu_console_lookup_by_index(index);

    if (!con || con == active_console) {
        return;
    }
    active_console = con;
    console_switch_listeners(con);
}

/* ---- the PSF font ----------------------------------------------------- */

#define PSF1_MAGIC 0x0436
#define PSF1_MODE512 0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODESEQ 0x04
#define PSF2_MAGIC 0x864ab572u
#define PSF2_HAS_UNICODE_TABLE 0x01

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read a (possibly gzipped) file whole; at most 4 MiB, fonts are small. */
static GByteArray *read_gz(const char *path, Error **errp)
{
    gzFile f = gzopen(path, "rb");
    GByteArray *buf;
    uint8_t chunk[16384];
    int n;

    if (!f) {
        error_setg_errno(errp, errno, "Could not open console font '%s'",
                         path);
        return NULL;
    }
    buf = g_byte_array_new();
    while ((n = gzread(f, chunk, sizeof(chunk))) > 0) {
        g_byte_array_append(buf, chunk, n);
        if (buf->len > 4 * 1024 * 1024) {
            n = -1;
            break;
        }
    }
    gzclose(f);
    if (n < 0) {
        error_setg(errp, "Could not read console font '%s'", path);
        g_byte_array_unref(buf);
        return NULL;
    }
    return buf;
}

QemuFont *qemu_font_load(const char *path, Error **errp)
{
    g_autoptr(GByteArray) buf = read_gz(path, errp);
    QemuFont *font;
    const uint8_t *p, *end;
    bool unitab, psf2 = false;
    uint32_t hdr = 0;
    int i;

    if (!buf) {
        return NULL;
    }
    p = buf->data;
    end = p + buf->len;
    font = g_new0(QemuFont, 1);
    if (buf->len >= 4 && (p[0] | p[1] << 8) == PSF1_MAGIC) {
        font->width = 8;
        font->height = p[3];
        font->glyph_bytes = p[3];
        font->nglyphs = p[2] & PSF1_MODE512 ? 512 : 256;
        unitab = p[2] & (PSF1_MODEHASTAB | PSF1_MODESEQ);
        hdr = 4;
    } else if (buf->len >= 32 && le32(p) == PSF2_MAGIC) {
        psf2 = true;
        hdr = le32(p + 8);
        unitab = le32(p + 12) & PSF2_HAS_UNICODE_TABLE;
        font->nglyphs = le32(p + 16);
        font->glyph_bytes = le32(p + 20);
        font->height = le32(p + 24);
        font->width = le32(p + 28);
    } else {
        error_setg(errp, "'%s' is not a PSF font", path);
        goto fail;
    }
    if (font->width < 1 || font->width > 32 || font->height < 1 ||
        font->height > 64 || font->nglyphs < 128 || font->nglyphs > 65536 ||
        font->glyph_bytes != (font->width + 7) / 8 * font->height ||
        hdr > buf->len ||
        (uint64_t)font->nglyphs * font->glyph_bytes > buf->len - hdr) {
        error_setg(errp, "Console font '%s' is malformed", path);
        goto fail;
    }
    font->glyphs = g_memdup2(p + hdr, font->nglyphs * font->glyph_bytes);
    font->unimap = g_hash_table_new(NULL, NULL);
    p += hdr + font->nglyphs * font->glyph_bytes;
    if (!unitab) {
        for (i = 0; i < font->nglyphs; i++) {
            g_hash_table_insert(font->unimap, GUINT_TO_POINTER(i),
                                GUINT_TO_POINTER(i + 1));
        }
        return font;
    }
    /* The unicode table: per glyph, its code points, then a terminator. */
    for (i = 0; i < font->nglyphs && p < end; i++) {
        bool seq = false;

        while (p < end) {
            uint32_t cp;

            if (!psf2) {
                if (end - p < 2) {
                    p = end;
                    break;
                }
                cp = p[0] | p[1] << 8;
                p += 2;
                if (cp == 0xffff) {
                    break;
                }
                if (cp == 0xfffe) {
                    seq = true;     /* combining sequences: not used */
                }
            } else {
                gunichar uc;

                if (*p == 0xff) {
                    p++;
                    break;
                }
                if (*p == 0xfe) {
                    p++;
                    seq = true;
                    continue;
                }
                uc = g_utf8_get_char_validated((const char *)p, end - p);
                if (uc == (gunichar)-1 || uc == (gunichar)-2) {
                    p = end;
                    break;
                }
                p = (const uint8_t *)g_utf8_next_char(p);
                cp = uc;
            }
            if (!seq && !g_hash_table_contains(font->unimap,
                                               GUINT_TO_POINTER(cp))) {
                g_hash_table_insert(font->unimap, GUINT_TO_POINTER(cp),
                                    GUINT_TO_POINTER(i + 1));
            }
        }
    }
    return font;

fail:
    g_free(font);
    return NULL;
}

int qemu_font_glyph(const QemuFont *font, uint32_t cp)
{
    gpointer v = g_hash_table_lookup(font->unimap, GUINT_TO_POINTER(cp));

    if (!v) {
        v = g_hash_table_lookup(font->unimap, GUINT_TO_POINTER('?'));
    }
    return v ? GPOINTER_TO_UINT(v) - 1 : 0;
}

void qemu_font_free(QemuFont *font)
{
    if (font) {
        g_hash_table_unref(font->unimap);
        g_free(font->glyphs);
        g_free(font);
    }
}

static QemuFont *get_console_font(Error **errp)
{
    if (!console_font) {
        const char *path = g_getenv("QCORE_CONSOLE_FONT");

        console_font = qemu_font_load(path ? path : QEMU_CONSOLE_FONT_DEFAULT,
                                      errp);
        if (!console_font) {
            error_append_hint(errp, "The text consoles need a PSF font; "
                              "Debian's console-setup-linux has them.\n");
        }
    }
    return console_font;
}

/* ---- text consoles ---------------------------------------------------- */

/* The VGA palette QEMU's text consoles use (x8r8g8b8). */
static const uint32_t vc_palette[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500,
    0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55,
    0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

static void vc_draw_cell(QemuConsole *con, int cx, int cy)
{
    QemuFont *f = console_font;
    VtCell *c = vt_cell(&con->vt, cx, cy);
    const uint8_t *glyph = f->glyphs +
                           qemu_font_glyph(f, c->ch) * f->glyph_bytes;
    int stride = surface_stride(con->surface) / 4;
    uint32_t *row = (uint32_t *)surface_data(con->surface) +
                    cy * f->height * stride + cx * f->width;
    uint32_t fg = vc_palette[c->fg & 15], bg = vc_palette[c->bg & 15];
    int bpr = (f->width + 7) / 8;
    int x, y;

    /* The cursor: the cell it sits on, in inverse video. */
    if (cx == MIN(con->vt.x, con->vt.cols - 1) && cy == con->vt.y) {
        uint32_t t = fg;
        fg = bg;
        bg = t;
    }
    for (y = 0; y < f->height; y++, row += stride) {
        const uint8_t *bits = glyph + y * bpr;
        for (x = 0; x < f->width; x++) {
            row[x] = (bits[x / 8] & (0x80 >> (x % 8))) ? fg : bg;
        }
    }
}

static void vc_invalidate(void *opaque, int x, int y, int w, int h)
{
    QemuConsole *con = opaque;
    int i, j;

    for (j = y; j < y + h; j++) {
        for (i = x; i < x + w; i++) {
            vc_draw_cell(con, i, j);
        }
    }
    dpy_gfx_update(con, x * console_font->width, y * console_font->height,
                   w * console_font->width, h * console_font->height);
}

/* The terminal scrolled: move the pixels rather than draw every cell. */
static void vc_scroll(void *opaque)
{
    QemuConsole *con = opaque;
    int fw = console_font->width, fh = console_font->height;

    dpy_gfx_copy(con, 0, fh, 0, 0, con->vt.cols * fw,
                 (con->vt.rows - 1) * fh);
}

/*
 * The "vc" chardev: its output is the console's terminal, its input the
 * keys typed while the console is active.  Keys the frontend cannot take
 * yet wait in a bounded FIFO (QEMU's out_fifo), the excess is dropped.
 */
#define VC_KBD_FIFO 1024

typedef struct VCChardev {
    Chardev parent;
    QemuConsole *console;
    GByteArray *kbd;            /* BQL */
} VCChardev;

#define TYPE_CHARDEV_VC "chardev-vc"
#define VC_CHARDEV(obj) OBJECT_CHECK(VCChardev, (obj), TYPE_CHARDEV_VC)

static void vc_flush_kbd(VCChardev *vc)
{
    Chardev *chr = &vc->parent;
    int n;

    while (vc->kbd->len && (n = qemu_chr_be_can_write(chr)) > 0) {
        n = MIN(n, (int)vc->kbd->len);
        qemu_chr_be_write(chr, vc->kbd->data, n);
        g_byte_array_remove_range(vc->kbd, 0, n);
    }
}

static void vc_chr_accept_input(Chardev *chr)
{
    vc_flush_kbd(VC_CHARDEV(chr));
}

static int vc_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    VCChardev *vc = VC_CHARDEV(chr);

    vt_input(&vc->console->vt, buf, len);
    return len;
}

/* "80Cx24C" counts characters, a bare number pixels (QEMU's syntax). */
static int vc_dim(QemuOpts *opts, const char *chars, const char *pixels,
                  int cell, int dflt)
{
    uint64_t n = qemu_opt_get_number(opts, chars, 0);

    if (n) {
        return MIN(n, 500);
    }
    n = qemu_opt_get_number(opts, pixels, 0);
    if (n) {
        return MAX(1, MIN(n, 4096) / cell);
    }
    return dflt;
}

static void vc_register_kbd(QemuConsole *con);

static void vc_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                        Error **errp)
{
    VCChardev *vc = VC_CHARDEV(chr);
    QemuFont *f = get_console_font(errp);
    QemuConsole *con;
    int cols, rows;

    if (!f) {
        return;
    }
    /* QEMU's default VC is 640x480 pixels: 80x30 cells of 8x16. */
    cols = vc_dim(opts, "cols", "width", f->width, 640 / f->width);
    rows = vc_dim(opts, "rows", "height", f->height, 480 / f->height);
    con = new_console(NULL, NULL,
                      qemu_create_displaysurface(cols * f->width,
                                                 rows * f->height));
    con->chr = chr;
    vc->console = con;
    vc->kbd = g_byte_array_new();
    vc_register_kbd(con);
    vt_init(&con->vt, cols, rows, vc_invalidate, con);
    con->vt.scroll = vc_scroll;
    vc_invalidate(con, 0, 0, cols, rows);
    *be_opened = true;
}

static void vc_chr_finalize(Object *obj)
{
    VCChardev *vc = VC_CHARDEV(obj);
    QemuConsole *con = vc->console;

    if (vc->kbd) {
        g_byte_array_unref(vc->kbd);
    }
    if (con) {
        /* Consoles stay (QEMU never removes one); it just goes quiet. */
        con->chr = NULL;
    }
}

static void char_vc_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = vc_chr_open;
    cc->chr_write = vc_chr_write;
    cc->chr_accept_input = vc_chr_accept_input;
    cc->help = "a text console on the display (the VNC server's screen)";
}

static const TypeInfo char_vc_type_info = {
    .name = TYPE_CHARDEV_VC,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(VCChardev),
    .instance_finalize = vc_chr_finalize,
    .class_init = char_vc_class_init,
};

static void console_register_types(void)
{
    type_register_static(&char_vc_type_info);
}
type_init(console_register_types)

/* ---- keyboard --------------------------------------------------------- */

#define XK_BackSpace 0xff08
#define XK_Tab 0xff09
#define XK_Return 0xff0d
#define XK_Escape 0xff1b
#define XK_Home 0xff50
#define XK_Left 0xff51
#define XK_Up 0xff52
#define XK_Right 0xff53
#define XK_Down 0xff54
#define XK_Page_Up 0xff55
#define XK_Page_Down 0xff56
#define XK_End 0xff57
#define XK_Insert 0xff63
#define XK_KP_Enter 0xff8d
#define XK_Shift_L 0xffe1
#define XK_Control_L 0xffe3
#define XK_Control_R 0xffe4
#define XK_Alt_L 0xffe9
#define XK_Alt_R 0xffea
#define XK_Delete 0xffff

static bool ctrl_l, ctrl_r, alt_l, alt_r;

static void kbd_put_bytes(QemuConsole *con, const char *s, int len)
{
    VCChardev *vc;

    if (!con || !con->chr) {
        return;
    }
    vc = VC_CHARDEV(con->chr);
    len = MIN(len, VC_KBD_FIFO - (int)vc->kbd->len);
    if (len > 0) {
        g_byte_array_append(vc->kbd, (const uint8_t *)s, len);
    }
    vc_flush_kbd(vc);
}

/* A key typed on text console @con, as bytes on its chardev. */
static void kbd_put_keysym_console(QemuConsole *con, uint32_t keysym,
                                   bool ctrl)
{
    const char *seq = NULL;
    char buf[8];
    int len = 0;

    switch (keysym) {
    case XK_Return: case XK_KP_Enter: seq = "\r"; break;
    case XK_BackSpace: seq = "\x7f"; break;
    case XK_Tab: seq = "\t"; break;
    case XK_Escape: seq = "\x1b"; break;
    case XK_Up: seq = "\x1b[A"; break;
    case XK_Down: seq = "\x1b[B"; break;
    case XK_Right: seq = "\x1b[C"; break;
    case XK_Left: seq = "\x1b[D"; break;
    case XK_Home: seq = "\x1b[1~"; break;
    case XK_Insert: seq = "\x1b[2~"; break;
    case XK_Delete: seq = "\x1b[3~"; break;
    case XK_End: seq = "\x1b[4~"; break;
    case XK_Page_Up: seq = "\x1b[5~"; break;
    case XK_Page_Down: seq = "\x1b[6~"; break;
    default:
        if (keysym >= 0x20 && keysym <= 0x7e) {
            buf[0] = keysym;
            if (ctrl) {
                buf[0] &= 0x1f;
            }
            len = 1;
        } else if (keysym >= 0xa0 && keysym <= 0xff) {
            len = g_unichar_to_utf8(keysym, buf);     /* Latin-1 */
        } else if ((keysym & 0xff000000) == 0x01000000) {
            len = g_unichar_to_utf8(keysym & 0xffffff, buf);
        }
        break;
    }
    if (seq) {
        kbd_put_bytes(con, seq, strlen(seq));
    } else if (len) {
        kbd_put_bytes(con, buf, len);
    }
}

bool qemu_input_keysym(uint32_t keysym, bool down)
{
    QemuConsole *con = active_console;

    switch (keysym) {
    case XK_Control_L: ctrl_l = down; return false;
    case XK_Control_R: ctrl_r = down; return false;
    case XK_Alt_L: alt_l = down; return false;
    case XK_Alt_R: alt_r = down; return false;
    }
    if (!down) {
        return false;
    }
    if ((ctrl_l || ctrl_r) && (alt_l || alt_r) &&
        keysym >= '1' && keysym <= '9') {
        console_select(keysym - '1');
        return true;
    }
    if (!con || con->hw_ops) {
        return false;   /* graphic consoles take keys through input devices */
    }
    kbd_put_keysym_console(con, keysym, ctrl_l || ctrl_r);
    return false;
}

/*
 * Keys from the input core (send-key, input-send-event) while a text
 * console is shown: QEMU's text console keyboard handler.  The key is
 * turned back into the keysym the keymap (-k) puts on it.
 */
static bool kbd_shift_l, kbd_shift_r, kbd_ctrl_l, kbd_ctrl_r;

static void vc_kbd_event(DeviceState *dev, QemuConsole *src, InputEvent *evt)
{
    QemuConsole *con = src ? src : active_console;
    InputKeyEvent *key = evt->u.key.data;
    QKeyCode q = qemu_input_key_value_to_qcode(key->key);
    uint32_t keysym;

    switch (q) {
    case Q_KEY_CODE_SHIFT: kbd_shift_l = key->down; return;
    case Q_KEY_CODE_SHIFT_R: kbd_shift_r = key->down; return;
    case Q_KEY_CODE_CTRL: kbd_ctrl_l = key->down; return;
    case Q_KEY_CODE_CTRL_R: kbd_ctrl_r = key->down; return;
    default:
        break;
    }
    if (!key->down || !con || con->hw_ops) {
        return;
    }
    keysym = qemu_keymap_qcode_to_keysym(q, kbd_shift_l || kbd_shift_r);
    if (keysym) {
        kbd_put_keysym_console(con, keysym, kbd_ctrl_l || kbd_ctrl_r);
    }
}

static const QemuInputHandler vc_kbd_handler = {
    .name = "QEMU Text Console Keyboard",
    .mask = INPUT_EVENT_MASK_KEY,
    .event = vc_kbd_event,
};

/* Bound to @con: it takes keys only while @con is the one shown. */
static void vc_register_kbd(QemuConsole *con)
{
    QemuInputHandlerState *s = qemu_input_handler_register(NULL,
                                                           &vc_kbd_handler);

    qemu_input_handler_bind_console(s, con);
}
