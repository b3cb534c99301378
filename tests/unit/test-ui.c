/*
 * Unit tests of the display pieces that need no socket: the text
 * console's terminal emulator (ui/vt100.c), the VNC tile dirty map and
 * encoders (ui/vnc-jobs.c) and the PSF font loader (ui/console.c).
 */
#include "qcore/osdep.h"
#include "qcore/vt100.h"
#include "qcore/console.h"
#include "qcore/main-loop.h"
#include "vnc.h"
#include <zlib.h>

typedef struct Damage {
    int x0, y0, x1, y1;     /* union of the invalidated cells */
    int calls;
} Damage;

static void record(void *opaque, int x, int y, int w, int h)
{
    Damage *d = opaque;

    if (!d->calls++) {
        d->x0 = x;
        d->y0 = y;
        d->x1 = x + w;
        d->y1 = y + h;
    } else {
        d->x0 = MIN(d->x0, x);
        d->y0 = MIN(d->y0, y);
        d->x1 = MAX(d->x1, x + w);
        d->y1 = MAX(d->y1, y + h);
    }
}

static void feed(VtState *vt, const char *s)
{
    vt_input(vt, (const uint8_t *)s, strlen(s));
}

static void assert_row(VtState *vt, int y, const char *expect)
{
    g_autofree char *row = vt_row_text(vt, y);
    g_assert_cmpstr(row, ==, expect);
}

static void test_vt_text(void)
{
    VtState vt;
    Damage d = { 0 };

    vt_init(&vt, 20, 4, record, &d);
    feed(&vt, "(qemu) info\r\nVM status: running\r\n");
    assert_row(&vt, 0, "(qemu) info");
    assert_row(&vt, 1, "VM status: running");
    g_assert_cmpint(vt.x, ==, 0);
    g_assert_cmpint(vt.y, ==, 2);
    /* Every changed cell was reported, and nothing outside the grid. */
    g_assert_cmpint(d.x0, ==, 0);
    g_assert_cmpint(d.y0, ==, 0);
    g_assert_cmpint(d.x1, <=, 20);
    g_assert_cmpint(d.y1, <=, 4);
    g_assert_cmpint(d.y1, >=, 3);
    vt_destroy(&vt);
}

static void test_vt_controls(void)
{
    VtState vt;

    vt_init(&vt, 20, 4, NULL, NULL);
    feed(&vt, "abc\bX");            /* BS moves back, the next overwrites */
    assert_row(&vt, 0, "abX");
    feed(&vt, "\r\tT");             /* TAB to column 8 */
    assert_row(&vt, 0, "abX     T");
    feed(&vt, "\x07\x01");          /* BEL and other controls: nothing */
    assert_row(&vt, 0, "abX     T");
    /* Wrap at the right margin. */
    feed(&vt, "\r\n0123456789abcdefghijKL");
    assert_row(&vt, 1, "0123456789abcdefghij");
    assert_row(&vt, 2, "KL");
    vt_destroy(&vt);
}

static void test_vt_scroll(void)
{
    VtState vt;
    Damage d = { 0 };

    vt_init(&vt, 10, 3, record, &d);
    feed(&vt, "one\r\ntwo\r\nthree\r\nfour");
    assert_row(&vt, 0, "two");
    assert_row(&vt, 1, "three");
    assert_row(&vt, 2, "four");
    /* A scroll redraws the whole grid. */
    g_assert_cmpint(d.y0, ==, 0);
    g_assert_cmpint(d.y1, ==, 3);
    g_assert_cmpint(d.x1, ==, 10);
    vt_destroy(&vt);
}

static void test_vt_csi(void)
{
    VtState vt;

    vt_init(&vt, 20, 5, NULL, NULL);
    feed(&vt, "hello world");
    feed(&vt, "\x1b[5D\x1b[K");     /* HMP's readline: back, erase to end */
    assert_row(&vt, 0, "hello");
    feed(&vt, "\x1b[3;4HX");        /* row 3, column 4 (1-based) */
    assert_row(&vt, 2, "   X");
    feed(&vt, "\x1b[A\x1b[2CY");    /* up one, right two */
    assert_row(&vt, 1, "      Y");
    feed(&vt, "\x1b[1K");           /* erase to the start of the line */
    assert_row(&vt, 1, "");
    feed(&vt, "\x1b[2J");           /* erase the screen */
    assert_row(&vt, 0, "");
    assert_row(&vt, 2, "");
    feed(&vt, "\x1b[H\x1b[1;31mR\x1b[0mN");
    g_assert_cmpint(vt_cell(&vt, 0, 0)->fg, ==, 1 | 8);     /* bold red */
    g_assert_cmpint(vt_cell(&vt, 1, 0)->fg, ==, VT_DEFAULT_FG);
    feed(&vt, "\x1b[42mG");
    g_assert_cmpint(vt_cell(&vt, 2, 0)->bg, ==, 2);
    vt_destroy(&vt);
}

static void test_vt_hostile(void)
{
    VtState vt;
    int i;

    vt_init(&vt, 8, 2, NULL, NULL);
    /* Huge, many and private parameters; moves far off the grid. */
    feed(&vt, "\x1b[99999999;1;2;3;4;5;6;7;8;9;10;11m");
    feed(&vt, "\x1b[?25l\x1b[9999;9999H\x1b[9999A\x1b[9999D");
    g_assert_cmpint(vt.x, ==, 0);
    g_assert_cmpint(vt.y, ==, 0);
    feed(&vt, "\x1b[\x01Z");        /* a broken sequence ends at the C0 */
    assert_row(&vt, 0, "Z");
    /* UTF-8, and a truncated sequence becomes U+FFFD. */
    feed(&vt, "\r\xc3\xa9\xe2\x82");
    feed(&vt, "x");
    g_assert_cmpint(vt_cell(&vt, 0, 0)->ch, ==, 0xe9);
    g_assert_cmpint(vt_cell(&vt, 1, 0)->ch, ==, 0xfffd);
    g_assert_cmpint(vt_cell(&vt, 2, 0)->ch, ==, 'x');
    for (i = 0; i < 1000; i++) {
        feed(&vt, "\xff\x1b\x1b[\n");
    }
    g_assert_cmpint(vt.y, ==, 1);
    vt_destroy(&vt);
}

static void test_dirty_tiles(void)
{
    VncDirty d = { 0 };
    GArray *r;
    VncRect *v;

    vnc_dirty_init(&d, 100, 50);    /* 7 x 4 tiles, the last ones partial */
    g_assert_false(vnc_dirty_any(&d));
    vnc_dirty_mark(&d, 17, 3, 2, 2);          /* inside tile (1, 0) */
    g_assert_true(vnc_dirty_any(&d));
    r = vnc_dirty_take_rects(&d);
    g_assert_cmpint(r->len, ==, 1);
    v = &g_array_index(r, VncRect, 0);
    g_assert_cmpint(v->x, ==, 16);
    g_assert_cmpint(v->y, ==, 0);
    g_assert_cmpint(v->w, ==, 16);
    g_assert_cmpint(v->h, ==, 16);
    g_array_unref(r);
    g_assert_false(vnc_dirty_any(&d));

    /* A block spanning tiles becomes one rectangle, clipped to the size. */
    vnc_dirty_mark(&d, 90, 20, 500, 500);
    r = vnc_dirty_take_rects(&d);
    g_assert_cmpint(r->len, ==, 1);
    v = &g_array_index(r, VncRect, 0);
    g_assert_cmpint(v->x, ==, 80);
    g_assert_cmpint(v->y, ==, 16);
    g_assert_cmpint(v->w, ==, 20);
    g_assert_cmpint(v->h, ==, 34);
    g_array_unref(r);

    /* Two separate changes stay two; off-screen marks are ignored. */
    vnc_dirty_mark(&d, 0, 0, 1, 1);
    vnc_dirty_mark(&d, 99, 49, 1, 1);
    vnc_dirty_mark(&d, -50, -50, 10, 10);
    vnc_dirty_mark(&d, 200, 0, 10, 10);
    r = vnc_dirty_take_rects(&d);
    g_assert_cmpint(r->len, ==, 2);
    v = &g_array_index(r, VncRect, 1);
    g_assert_cmpint(v->x + v->w, ==, 100);
    g_assert_cmpint(v->y + v->h, ==, 50);
    g_array_unref(r);
    vnc_dirty_destroy(&d);
}

static VncJob *one_rect_job(int encoding, const VncPixelFormat *pf,
                            const uint32_t *px, int w, int h)
{
    VncJob *job = vnc_job_new(NULL);
    VncRect r = { 1, 2, w, h };

    job->encoding = encoding;
    job->pf = *pf;
    g_array_append_val(job->rects, r);
    g_ptr_array_add(job->pixels, g_memdup2(px, w * h * 4));
    return job;
}

static void test_encode_raw(void)
{
    /* RGB565 big-endian, as a 16-bit client asks for it. */
    VncPixelFormat pf = {
        .bytes_per_pixel = 2, .depth = 16, .big_endian = true,
        .rmax = 31, .gmax = 63, .bmax = 31,
        .rshift = 11, .gshift = 5, .bshift = 0,
    };
    uint32_t px[2] = { 0xff0000, 0x0000ff };
    VncJob *job = one_rect_job(VNC_ENCODING_RAW, &pf, px, 2, 1);
    static const uint8_t expect[] = {
        0, 0, 0, 1,                             /* update, 1 rect */
        0, 1, 0, 2, 0, 2, 0, 1, 0, 0, 0, 0,     /* 1,2 2x1 Raw */
        0xf8, 0x00, 0x00, 0x1f,
    };

    vnc_job_encode(job);
    g_assert_cmpmem(job->out->data, job->out->len, expect, sizeof(expect));
    vnc_job_free(job);
}

static void test_encode_zlib(void)
{
    VncPixelFormat pf = {
        .bytes_per_pixel = 4, .depth = 24, .rmax = 255, .gmax = 255,
        .bmax = 255, .rshift = 16, .gshift = 8, .bshift = 0,
    };
    uint32_t px[64 * 16];
    uint8_t plain[sizeof(px)];
    z_stream zs = { 0 }, zd = { 0 };
    uLongf n;
    uint32_t len;
    VncJob *job;
    int i;

    for (i = 0; i < 64 * 16; i++) {
        px[i] = i % 7 ? 0x00aaaaaa : 0x00123456;
    }
    g_assert_cmpint(deflateInit(&zs, Z_DEFAULT_COMPRESSION), ==, Z_OK);
    job = one_rect_job(VNC_ENCODING_ZLIB, &pf, px, 64, 16);
    job->zlib = &zs;
    vnc_job_encode(job);
    g_assert_cmpint(job->out->len, >, 20);
    g_assert_cmpint(job->out->data[15], ==, VNC_ENCODING_ZLIB);
    len = job->out->data[16] << 24 | job->out->data[17] << 16 |
          job->out->data[18] << 8 | job->out->data[19];
    g_assert_cmpint(len, ==, job->out->len - 20);
    g_assert_cmpint(len, <, sizeof(px) / 4);   /* it did compress */
    /* The client's inflater gets back exactly the little-endian pixels. */
    g_assert_cmpint(inflateInit(&zd), ==, Z_OK);
    zd.next_in = job->out->data + 20;
    zd.avail_in = len;
    zd.next_out = plain;
    zd.avail_out = sizeof(plain);
    g_assert_cmpint(inflate(&zd, Z_SYNC_FLUSH), ==, Z_OK);
    n = sizeof(plain) - zd.avail_out;
    g_assert_cmpint(n, ==, sizeof(px));
    g_assert_cmpmem(plain, n, px, sizeof(px));    /* host is LE */
    inflateEnd(&zd);
    deflateEnd(&zs);
    vnc_job_free(job);
}

static void test_encode_hextile(void)
{
    VncPixelFormat pf = {
        .bytes_per_pixel = 1, .depth = 8, .rmax = 7, .gmax = 7, .bmax = 3,
        .rshift = 0, .gshift = 3, .bshift = 6,
    };
    uint32_t px[20 * 2];
    VncJob *job;
    const uint8_t *t;
    int i;

    /*
     * 20x2: tile 0 (16x2) is white with a black run in row 1, x 2..4;
     * tile 1 (4x2) has three colours, so it goes raw.
     */
    for (i = 0; i < 40; i++) {
        px[i] = 0xffffff;
    }
    px[20 + 2] = px[20 + 3] = px[20 + 4] = 0;
    px[16] = 0xff0000;
    px[17] = 0x0000ff;
    job = one_rect_job(VNC_ENCODING_HEXTILE, &pf, px, 20, 2);
    vnc_job_encode(job);
    t = job->out->data + 16;
    g_assert_cmpint(t[0], ==, 2 | 4 | 8);       /* bg, fg, subrects */
    g_assert_cmpint(t[1], ==, 0xff);            /* white */
    g_assert_cmpint(t[2], ==, 0x00);            /* black */
    g_assert_cmpint(t[3], ==, 1);               /* one subrect */
    g_assert_cmpint(t[4], ==, 2 << 4 | 1);      /* at 2,1 */
    g_assert_cmpint(t[5], ==, 2 << 4 | 0);      /* 3x1 */
    g_assert_cmpint(t[6], ==, 1);               /* raw */
    g_assert_cmpint(t[7], ==, 0x07);            /* red */
    g_assert_cmpint(t[8], ==, 0xc0);            /* blue */
    g_assert_cmpint(job->out->len, ==, 16 + 6 + 1 + 8);
    vnc_job_free(job);
}

static void test_font(void)
{
    g_autoptr(GError) gerr = NULL;
    Error *err = NULL;
    QemuFont *f;
    g_autofree char *bad = NULL;
    int fd;

    if (!g_file_test(QEMU_CONSOLE_FONT_DEFAULT, G_FILE_TEST_EXISTS)) {
        g_test_skip("no console font (scripts/install-deps.sh installs "
                    "console-setup-linux)");
        return;
    }
    f = qemu_font_load(QEMU_CONSOLE_FONT_DEFAULT, &error_abort);
    g_assert_cmpint(f->width, ==, 8);
    g_assert_cmpint(f->height, ==, 16);
    /* 'A' and 'e-acute' are there and differ; an absent glyph is '?'. */
    g_assert_cmpint(qemu_font_glyph(f, 'A'), !=, qemu_font_glyph(f, 0xe9));
    g_assert_cmpint(qemu_font_glyph(f, 0x10ffff), ==,
                    qemu_font_glyph(f, '?'));
    qemu_font_free(f);

    f = qemu_font_load("/nonexistent/font.psf.gz", &err);
    g_assert_null(f);
    g_assert_nonnull(strstr(error_get_pretty(err), "/nonexistent/font"));
    error_free(err);
    err = NULL;

    /* A truncated font is refused, not read past its end. */
    fd = g_file_open_tmp("qcore-font-XXXXXX", &bad, &gerr);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(write(fd, "\x36\x04\x02\x10garbage", 11) == 11);
    close(fd);
    f = qemu_font_load(bad, &err);
    g_assert_null(f);
    g_assert_nonnull(strstr(error_get_pretty(err), "malformed"));
    error_free(err);
    unlink(bad);
}

/* A listener that records what the console tells it. */
typedef struct Seen {
    DisplayChangeListener dcl;
    int copies, updates, cursors;
    int last[6];
    QEMUCursor *cursor;
} Seen;

static void seen_update(DisplayChangeListener *dcl, int x, int y, int w, int h)
{
    Seen *s = container_of(dcl, Seen, dcl);

    s->updates++;
    s->last[0] = x;
    s->last[1] = y;
    s->last[2] = w;
    s->last[3] = h;
}

static void seen_copy(DisplayChangeListener *dcl, int sx, int sy,
                      int dx, int dy, int w, int h)
{
    Seen *s = container_of(dcl, Seen, dcl);
    int v[6] = { sx, sy, dx, dy, w, h };

    s->copies++;
    memcpy(s->last, v, sizeof(v));
}

static void seen_cursor(DisplayChangeListener *dcl, QEMUCursor *c)
{
    Seen *s = container_of(dcl, Seen, dcl);

    s->cursors++;
    s->cursor = c;
}

static const DisplayChangeListenerOps seen_ops = {
    .dpy_name = "test",
    .dpy_gfx_update = seen_update,
    .dpy_gfx_copy = seen_copy,
    .dpy_cursor_define = seen_cursor,
};

static const DisplayChangeListenerOps update_only_ops = {
    .dpy_name = "test-update-only",
    .dpy_gfx_update = seen_update,
};

static const GraphicHwOps no_hw_ops;

static void test_copy_and_cursor(void)
{
    QemuConsole *con = graphic_console_init(NULL, 0, &no_hw_ops, NULL);
    DisplaySurface *surf = qemu_console_surface(con);
    uint32_t *px = surface_data(surf);
    int stride = surface_stride(surf) / 4;
    Seen a = { .dcl.ops = &seen_ops, .dcl.con = con };
    Seen b = { .dcl.ops = &update_only_ops, .dcl.con = con };
    g_autoptr(QEMUCursor) c = cursor_alloc(2, 2);
    uint8_t mask[2];

    register_displaychangelistener(&a.dcl);
    register_displaychangelistener(&b.dcl);

    /* A scroll up by one row: overlapping, and done in the pixels. */
    for (int y = 0; y < 4; y++) {
        px[y * stride] = 100 + y;
    }
    dpy_gfx_copy(con, 0, 1, 0, 0, 1, 3);
    g_assert_cmpint(px[0], ==, 101);
    g_assert_cmpint(px[stride], ==, 102);
    g_assert_cmpint(px[2 * stride], ==, 103);
    /* A scroll down, the other overlap. */
    dpy_gfx_copy(con, 0, 0, 0, 1, 1, 3);
    g_assert_cmpint(px[stride], ==, 101);
    g_assert_cmpint(px[3 * stride], ==, 103);
    g_assert_cmpint(a.copies, ==, 2);
    g_assert_cmpint(a.last[3], ==, 1);
    /* A listener without dpy_gfx_copy sees the destination as updated. */
    g_assert_cmpint(b.updates, ==, 2);
    g_assert_cmpint(b.last[1], ==, 1);
    g_assert_cmpint(b.last[3], ==, 3);
    /* A rectangle outside the surface is refused whole. */
    dpy_gfx_copy(con, 0, 0, 630, 0, 20, 1);
    g_assert_cmpint(a.copies, ==, 2);

    /* Oversized or empty cursors are refused. */
    g_assert_null(cursor_alloc(0, 4));
    g_assert_null(cursor_alloc(QEMU_CURSOR_MAX + 1, 4));
    c->data[0] = 0xff000000;
    c->data[3] = 0x80ffffff;
    cursor_get_mono_mask(c, 0, mask);
    g_assert_cmpint(mask[0], ==, 0x80);
    g_assert_cmpint(mask[1], ==, 0x40);
    dpy_cursor_define(con, c);
    g_assert_cmpint(a.cursors, ==, 1);
    g_assert_true(a.cursor == c);
    /* The console keeps its reference; a later listener is told at once. */
    g_assert_true(qemu_console_get_cursor(con) == c);
    unregister_displaychangelistener(&a.dcl);
    a.cursors = 0;
    register_displaychangelistener(&a.dcl);
    g_assert_cmpint(a.cursors, ==, 1);
    unregister_displaychangelistener(&a.dcl);
    unregister_displaychangelistener(&b.dcl);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ui/vt/text", test_vt_text);
    g_test_add_func("/ui/vt/controls", test_vt_controls);
    g_test_add_func("/ui/vt/scroll", test_vt_scroll);
    g_test_add_func("/ui/vt/csi", test_vt_csi);
    g_test_add_func("/ui/vt/hostile", test_vt_hostile);
    g_test_add_func("/ui/vnc/dirty-tiles", test_dirty_tiles);
    g_test_add_func("/ui/vnc/encode-raw", test_encode_raw);
    g_test_add_func("/ui/vnc/encode-zlib", test_encode_zlib);
    g_test_add_func("/ui/vnc/encode-hextile", test_encode_hextile);
    g_test_add_func("/ui/font", test_font);
    g_test_add_func("/ui/console/copy-and-cursor", test_copy_and_cursor);
    qemu_init_main_loop(&error_abort);
    return g_test_run();
}
