/*
 * Unit tests of the display pieces that need no socket: the text
 * console's terminal emulator (ui/vt100.c), the VNC tile dirty map and
 * encoders (ui/vnc-jobs.c, vnc-enc-*.c: each decoded back by a small
 * client-side decoder written here from the specifications) and the PSF
 * font loader (ui/console.c).
 */
#include "qcore/osdep.h"
#include "qcore/vt100.h"
#include "qcore/console.h"
#include "qcore/main-loop.h"
#include "vnc.h"
#include <zlib.h>
#include <jpeglib.h>

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

static void count_scroll(void *opaque)
{
    (*(int *)opaque)++;
}

static void record_scroll(void *opaque, int x, int y, int w, int h)
{
}

static void no_scroll(void *opaque)
{
}

/* With a scroll hook the frontend moves its picture: only the new row
 * and the one the cursor left are drawn again. */
static void test_vt_scroll_hook(void)
{
    VtState vt;
    Damage d = { 0 };
    int scrolls = 0;

    vt_init(&vt, 10, 3, record_scroll, &scrolls);
    vt.scroll = count_scroll;
    feed(&vt, "one\r\ntwo\r\nthree\r\nfour\r\nfive");
    g_assert_cmpint(scrolls, ==, 2);
    assert_row(&vt, 0, "three");
    assert_row(&vt, 2, "five");
    vt_destroy(&vt);

    vt_init(&vt, 10, 3, record, &d);
    feed(&vt, "a\r\nb\r\nc");
    d.calls = 0;
    vt.scroll = no_scroll;
    feed(&vt, "\r\n");
    /* The damage after the hook: rows 1 and 2 only, never row 0. */
    g_assert_cmpint(d.y0, ==, 1);
    g_assert_cmpint(d.y1, ==, 3);
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
    VncStreams st;
    z_stream zd = { 0 };
    uLongf n;
    uint32_t len;
    VncJob *job;
    int i;

    for (i = 0; i < 64 * 16; i++) {
        px[i] = i % 7 ? 0x00aaaaaa : 0x00123456;
    }
    vnc_streams_init(&st);
    job = one_rect_job(VNC_ENCODING_ZLIB, &pf, px, 64, 16);
    job->streams = &st;
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
    vnc_streams_free(&st);
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

/* ---- a client-side decoder, from RFC 6143 and the community spec ---- */

typedef struct Client {
    VncPixelFormat pf;
    int w, h;
    uint32_t *fb;               /* pixel values in the client's format */
    uint32_t *rgb;              /* what JPEG rectangles decoded to */
    z_stream zs[VNC_ZS_COUNT];
    bool zinit[VNC_ZS_COUNT];
    int rects, jpeg_rects, copies;
    /* How often each kind was seen: ZRLE raw, solid, packed palette,
     * plain RLE, palette RLE; Tight fill, mono, palette, full colour. */
    int zrle_kind[5], tight_kind[4];
    int last_encoding;
    int resize_w, resize_h, resize_status;
} Client;

typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static const uint8_t *take(Reader *rd, size_t n)
{
    const uint8_t *p = rd->p;

    g_assert_cmpuint(rd->left, >=, n);
    rd->p += n;
    rd->left -= n;
    return p;
}

static uint32_t take_u8(Reader *rd)
{
    return *take(rd, 1);
}

static uint32_t take_u16(Reader *rd)
{
    const uint8_t *p = take(rd, 2);
    return p[0] << 8 | p[1];
}

static uint32_t take_u32(Reader *rd)
{
    const uint8_t *p = take(rd, 4);
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t take_pixel(Reader *rd, const VncPixelFormat *pf)
{
    const uint8_t *p = take(rd, pf->bytes_per_pixel);
    uint32_t v = 0;
    int i, n = pf->bytes_per_pixel;

    for (i = 0; i < n; i++) {
        v |= (uint32_t)p[i] << (pf->big_endian ? (n - 1 - i) * 8 : i * 8);
    }
    return v;
}

static uint32_t colour_mask(const VncPixelFormat *pf)
{
    return (uint32_t)pf->rmax << pf->rshift | (uint32_t)pf->gmax << pf->gshift |
           (uint32_t)pf->bmax << pf->bshift;
}

/* RFC 6143 7.7.6: a CPIXEL drops the byte no colour uses. */
static uint32_t take_cpixel(Reader *rd, const VncPixelFormat *pf)
{
    uint32_t m = colour_mask(pf);
    const uint8_t *p;

    if (pf->bytes_per_pixel != 4 || pf->depth > 24 ||
        ((m & 0xff000000) && (m & 0xff))) {
        return take_pixel(rd, pf);
    }
    p = take(rd, 3);
    if (!(m & 0xff000000)) {
        return pf->big_endian ? (uint32_t)p[0] << 16 | p[1] << 8 | p[2]
                              : (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
    }
    return pf->big_endian ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8
                          : (uint32_t)p[2] << 24 | p[1] << 16 | p[0] << 8;
}

/* Tight: R, G, B for 32 bpp depth 24 with 8-bit colours. */
static bool tight_rgb(const VncPixelFormat *pf)
{
    return pf->bytes_per_pixel == 4 && pf->depth == 24 && pf->rmax == 255 &&
           pf->gmax == 255 && pf->bmax == 255;
}

static uint32_t take_tpixel(Reader *rd, const VncPixelFormat *pf)
{
    const uint8_t *p;

    if (!tight_rgb(pf)) {
        return take_pixel(rd, pf);
    }
    p = take(rd, 3);
    return (uint32_t)p[0] << pf->rshift | (uint32_t)p[1] << pf->gshift |
           (uint32_t)p[2] << pf->bshift;
}

static GByteArray *client_inflate(Client *c, int id, const uint8_t *in,
                                  size_t len)
{
    GByteArray *out = g_byte_array_new();
    z_stream *zs = &c->zs[id];

    if (!c->zinit[id]) {
        g_assert_cmpint(inflateInit(zs), ==, Z_OK);
        c->zinit[id] = true;
    }
    zs->next_in = (uint8_t *)in;
    zs->avail_in = len;
    while (zs->avail_in) {
        size_t off = out->len;
        int rc;

        g_byte_array_set_size(out, off + 65536);
        zs->next_out = out->data + off;
        zs->avail_out = 65536;
        rc = inflate(zs, Z_SYNC_FLUSH);
        g_assert_true(rc == Z_OK || rc == Z_BUF_ERROR);
        g_byte_array_set_size(out, out->len - zs->avail_out);
    }
    return out;
}

static void client_init(Client *c, const VncPixelFormat *pf, int w, int h)
{
    memset(c, 0, sizeof(*c));
    c->pf = *pf;
    c->w = w;
    c->h = h;
    c->fb = g_new0(uint32_t, w * h);
    c->rgb = g_new0(uint32_t, w * h);
}

static void client_free(Client *c)
{
    for (int i = 0; i < VNC_ZS_COUNT; i++) {
        if (c->zinit[i]) {
            inflateEnd(&c->zs[i]);
        }
    }
    g_free(c->fb);
    g_free(c->rgb);
}

static void zrle_rect(Client *c, Reader *rd, int x0, int y0, int w, int h)
{
    uint32_t len = take_u32(rd);
    g_autoptr(GByteArray) raw = client_inflate(c, VNC_ZS_ZRLE,
                                               take(rd, len), len);
    Reader t = { raw->data, raw->len };
    int tx, ty, x, y, i;

    for (ty = 0; ty < h; ty += 64) {
        for (tx = 0; tx < w; tx += 64) {
            int tw = MIN(64, w - tx), th = MIN(64, h - ty);
            int sub = take_u8(&t), n = tw * th;
            uint32_t pal[128], v[64 * 64];

            c->zrle_kind[sub == 0 ? 0 : sub == 1 ? 1 : sub <= 16 ? 2 :
                         sub == 128 ? 3 : 4]++;
            if (sub == 0) {
                for (i = 0; i < n; i++) {
                    v[i] = take_cpixel(&t, &c->pf);
                }
            } else if (sub == 1) {
                uint32_t p = take_cpixel(&t, &c->pf);
                for (i = 0; i < n; i++) {
                    v[i] = p;
                }
            } else if (sub <= 16) {
                int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                for (i = 0; i < sub; i++) {
                    pal[i] = take_cpixel(&t, &c->pf);
                }
                for (y = 0; y < th; y++) {
                    const uint8_t *row = take(&t, (tw * bits + 7) / 8);
                    for (x = 0; x < tw; x++) {
                        int bit = x * bits;
                        int idx = row[bit / 8] >> (8 - bits - bit % 8) &
                                  ((1 << bits) - 1);
                        g_assert_cmpint(idx, <, sub);
                        v[y * tw + x] = pal[idx];
                    }
                }
            } else if (sub == 128 || sub >= 130) {
                int np = sub - 128;
                for (i = 0; i < np; i++) {
                    pal[i] = take_cpixel(&t, &c->pf);
                }
                for (i = 0; i < n;) {
                    uint32_t p;
                    int run = 1, b;

                    if (!np) {
                        p = take_cpixel(&t, &c->pf);
                        run = 0;
                    } else {
                        int idx = take_u8(&t);
                        g_assert_cmpint(idx & 127, <, np);
                        p = pal[idx & 127];
                        if (!(idx & 128)) {
                            v[i++] = p;
                            continue;
                        }
                        run = 0;
                    }
                    do {
                        b = take_u8(&t);
                        run += b;
                    } while (b == 255);
                    run += 1;
                    g_assert_cmpint(i + run, <=, n);
                    while (run--) {
                        v[i++] = p;
                    }
                }
            } else {
                g_assert_not_reached();     /* 17..127, 129: unused */
            }
            for (y = 0; y < th; y++) {
                for (x = 0; x < tw; x++) {
                    c->fb[(y0 + ty + y) * c->w + x0 + tx + x] = v[y * tw + x];
                }
            }
        }
    }
    g_assert_cmpuint(t.left, ==, 0);
}

static size_t take_compact_len(Reader *rd)
{
    size_t len = 0;
    int i, b;

    for (i = 0; i < 3; i++) {
        b = take_u8(rd);
        len |= (size_t)(i < 2 ? b & 0x7f : b) << (7 * i);
        if (i < 2 && !(b & 0x80)) {
            break;
        }
    }
    return len;
}

static GByteArray *tight_data(Client *c, Reader *rd, int stream, size_t n)
{
    size_t len;
    GByteArray *out;

    if (n < 12) {
        out = g_byte_array_new();
        g_byte_array_append(out, take(rd, n), n);
        return out;
    }
    len = take_compact_len(rd);
    out = client_inflate(c, VNC_ZS_TIGHT + stream, take(rd, len), len);
    g_assert_cmpuint(out->len, ==, n);
    return out;
}

static void tight_jpeg(Client *c, Reader *rd, int x0, int y0, int w, int h)
{
    size_t len = take_compact_len(rd);
    const uint8_t *p = take(rd, len);
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr err;
    g_autofree uint8_t *row = g_malloc(w * 3);

    d.err = jpeg_std_error(&err);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, p, len);
    g_assert_cmpint(jpeg_read_header(&d, true), ==, JPEG_HEADER_OK);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    g_assert_cmpint(d.output_width, ==, w);
    g_assert_cmpint(d.output_height, ==, h);
    while (d.output_scanline < d.output_height) {
        int y = d.output_scanline;
        JSAMPROW rows[1] = { row };

        jpeg_read_scanlines(&d, rows, 1);
        for (int x = 0; x < w; x++) {
            uint32_t rgb = row[x * 3] << 16 | row[x * 3 + 1] << 8 |
                           row[x * 3 + 2];
            c->rgb[(y0 + y) * c->w + x0 + x] = rgb;
            c->fb[(y0 + y) * c->w + x0 + x] = vnc_pixel_value(&c->pf, rgb);
        }
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    c->jpeg_rects++;
}

static void tight_rect(Client *c, Reader *rd, int x0, int y0, int w, int h)
{
    int ctl = take_u8(rd), n = w * h, i, x, y;
    uint32_t pal[256];
    g_autoptr(GByteArray) data = NULL;

    g_assert_cmpint(w, <=, 2048);
    g_assert_cmpint(ctl & 15, ==, 0);       /* no stream reset */
    ctl >>= 4;
    if (ctl == 8) {                         /* fill */
        c->tight_kind[0]++;
        uint32_t p = take_tpixel(rd, &c->pf);
        for (y = 0; y < h; y++) {
            for (x = 0; x < w; x++) {
                c->fb[(y0 + y) * c->w + x0 + x] = p;
            }
        }
        return;
    }
    if (ctl == 9) {
        tight_jpeg(c, rd, x0, y0, w, h);
        return;
    }
    g_assert_cmpint(ctl, <, 8);             /* basic compression */
    if (ctl & 4) {
        int filter = take_u8(rd), np;

        g_assert_cmpint(filter, ==, 1);     /* palette (no gradient here) */
        np = take_u8(rd) + 1;
        g_assert_cmpint(np, >=, 2);
        for (i = 0; i < np; i++) {
            pal[i] = take_tpixel(rd, &c->pf);
        }
        c->tight_kind[np == 2 ? 1 : 2]++;
        if (np == 2) {
            int bpr = (w + 7) / 8;
            data = tight_data(c, rd, ctl & 3, (size_t)bpr * h);
            for (y = 0; y < h; y++) {
                for (x = 0; x < w; x++) {
                    int bit = data->data[y * bpr + x / 8] >> (7 - x % 8) & 1;
                    c->fb[(y0 + y) * c->w + x0 + x] = pal[bit];
                }
            }
        } else {
            data = tight_data(c, rd, ctl & 3, n);
            for (i = 0; i < n; i++) {
                g_assert_cmpint(data->data[i], <, np);
                c->fb[(y0 + i / w) * c->w + x0 + i % w] = pal[data->data[i]];
            }
        }
        return;
    }
    /* Copy filter: TPIXELs. */
    c->tight_kind[3]++;
    data = tight_data(c, rd, ctl & 3,
                      (size_t)n * (tight_rgb(&c->pf) ? 3 : c->pf.bytes_per_pixel));
    {
        Reader d = { data->data, data->len };
        for (i = 0; i < n; i++) {
            c->fb[(y0 + i / w) * c->w + x0 + i % w] = take_tpixel(&d, &c->pf);
        }
    }
}

/* Apply one whole FramebufferUpdate; asserts it is exactly that long. */
static void client_update(Client *c, const uint8_t *buf, size_t len)
{
    Reader rd = { buf, len };
    int n, i, x, y;

    g_assert_cmpint(take_u8(&rd), ==, 0);
    take_u8(&rd);
    n = take_u16(&rd);
    for (i = 0; i < n; i++) {
        int rx = take_u16(&rd), ry = take_u16(&rd);
        int rw = take_u16(&rd), rh = take_u16(&rd);
        int32_t enc = take_u32(&rd);

        c->rects++;
        if (enc >= 0) {
            g_assert_cmpint(rx + rw, <=, c->w);
            g_assert_cmpint(ry + rh, <=, c->h);
            c->last_encoding = enc;
        }
        switch (enc) {
        case VNC_ENCODING_RAW:
            for (y = 0; y < rh; y++) {
                for (x = 0; x < rw; x++) {
                    c->fb[(ry + y) * c->w + rx + x] = take_pixel(&rd, &c->pf);
                }
            }
            break;
        case VNC_ENCODING_COPYRECT: {
            int sx = take_u16(&rd), sy = take_u16(&rd);
            g_autofree uint32_t *tmp = g_new(uint32_t, rw * rh);

            /* As if through a buffer: overlapping copies are fine. */
            for (y = 0; y < rh; y++) {
                memcpy(tmp + y * rw, c->fb + (sy + y) * c->w + sx, rw * 4);
            }
            for (y = 0; y < rh; y++) {
                memcpy(c->fb + (ry + y) * c->w + rx, tmp + y * rw, rw * 4);
            }
            c->copies++;
            break;
        }
        case VNC_ENCODING_ZRLE:
            zrle_rect(c, &rd, rx, ry, rw, rh);
            break;
        case VNC_ENCODING_TIGHT:
            tight_rect(c, &rd, rx, ry, rw, rh);
            break;
        case VNC_ENCODING_DESKTOPRESIZE:
            c->resize_w = rw;
            c->resize_h = rh;
            break;
        case VNC_ENCODING_DESKTOP_RESIZE_EXT:
            c->resize_w = rw;
            c->resize_h = rh;
            c->resize_status = ry;
            g_assert_cmpint(take_u8(&rd), ==, 1);
            take(&rd, 3 + 4 + 2 + 2);
            g_assert_cmpint(take_u16(&rd), ==, rw);
            g_assert_cmpint(take_u16(&rd), ==, rh);
            take(&rd, 4);
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_assert_cmpuint(rd.left, ==, 0);
}

/* The formats clients ask for (RFC 6143 7.4 examples and gtk-vnc's). */
static const VncPixelFormat test_formats[] = {
    /* 32 bpp little endian, QEMU's own */
    { 4, 24, false, 255, 255, 255, 16, 8, 0 },
    /* 32 bpp big endian */
    { 4, 24, true, 255, 255, 255, 16, 8, 0 },
    /* 32 bpp colours in the high bytes (CPIXEL drops the low one) */
    { 4, 24, false, 255, 255, 255, 24, 16, 8 },
    { 4, 24, true, 255, 255, 255, 8, 16, 24 },
    /* 16 bpp RGB565, both orders */
    { 2, 16, false, 31, 63, 31, 11, 5, 0 },
    { 2, 16, true, 31, 63, 31, 11, 5, 0 },
    /* 8 bpp BGR233 */
    { 1, 8, false, 7, 7, 3, 0, 3, 6 },
};

/*
 * A test picture with a kind of content per 64x64 tile (@frame shifts
 * which), so every sub-encoding has its case: one colour, two-colour
 * text, five colours in short runs, many colours in long runs, twenty
 * colours in runs, noise.
 */
static void test_picture(uint32_t *px, int w, int h, int frame)
{
    uint32_t seed = 12345 + frame;
    int x, y;

    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            uint32_t p;

            switch ((x / 64 + y / 64 * 3 + frame) % 6) {
            case 0:
                p = 0x204080;
                break;
            case 1:
                p = (x * 7 + y * 3) % 11 < 4 ? 0xffffff : 0x000000;
                break;
            case 2:
                p = (x * 7 + y * 3) % 5 * 0x332211;
                break;
            case 3:
                p = ((y * 64 + x / 16) * 0x010305) & 0xffffff;
                break;
            case 4:
                p = ((y / 4) * 8 + x / 8) % 20 * 0x0a0b0c;
                break;
            default:
                seed = seed * 1103515245 + 12345;
                p = seed >> 8 & 0xffffff;
                break;
            }
            px[y * w + x] = p;
        }
    }
}

static VncJob *whole_job(int encoding, const VncPixelFormat *pf,
                         VncStreams *st, const uint32_t *px, int x, int y,
                         int w, int h, int stride)
{
    VncJob *job = vnc_job_new(NULL);
    VncRect r = { x, y, w, h };
    uint32_t *copy = g_new(uint32_t, w * h);

    for (int j = 0; j < h; j++) {
        memcpy(copy + j * w, px + (y + j) * stride + x, w * 4);
    }
    job->encoding = encoding;
    job->pf = *pf;
    job->streams = st;
    g_array_append_val(job->rects, r);
    g_ptr_array_add(job->pixels, copy);
    return job;
}

/*
 * Encode with @encoding in every format, three updates through the same
 * streams (RFB's streams persist), decode with the client here and
 * compare with the source converted to the format: lossless, exact.
 */
static void check_rect(Client *c, const uint32_t *px, int stride,
                       int x, int y, int w, int h, const char *what)
{
    for (int j = y; j < y + h; j++) {
        for (int i = x; i < x + w; i++) {
            uint32_t want = vnc_pixel_value(&c->pf, px[j * stride + i]);
            if (c->fb[j * stride + i] != want) {
                g_error("%s: pixel %d,%d is %#x, not %#x", what, i, j,
                        c->fb[j * stride + i], want);
            }
        }
    }
}

static void check_lossless(int encoding, int compression)
{
    enum { W = 150, H = 130 };
    g_autofree uint32_t *px = g_new(uint32_t, W * H);
    int zrle_kind[5] = { 0 }, tight_kind[4] = { 0 };

    for (size_t f = 0; f < G_N_ELEMENTS(test_formats); f++) {
        const VncPixelFormat *pf = &test_formats[f];
        g_autofree char *what = NULL;
        VncStreams st;
        VncJob *job;
        Client c;

        vnc_streams_init(&st);
        client_init(&c, pf, W, H);
        for (int frame = 0; frame < 3; frame++) {
            /* The whole screen, then a rect at an odd place. */
            int x = frame ? 13 : 0, y = frame ? 7 : 0;
            int w = frame ? 101 : W, h = frame ? 97 : H;

            test_picture(px, W, H, frame);
            job = whole_job(encoding, pf, &st, px, x, y, w, h, W);
            job->compression = compression;
            vnc_job_encode(job);
            client_update(&c, job->out->data, job->out->len);
            vnc_job_free(job);
            g_assert_cmpint(c.last_encoding, ==, encoding);
            what = g_strdup_printf("format %zu frame %d", f, frame);
            check_rect(&c, px, W, x, y, w, h, what);
            g_clear_pointer(&what, g_free);
        }
        /* Then each tile on its own, as small updates do. */
        for (int ty = 0; ty < H; ty += 64) {
            for (int tx = 0; tx < W; tx += 64) {
                int w = MIN(64, W - tx), h = MIN(64, H - ty);

                job = whole_job(encoding, pf, &st, px, tx, ty, w, h, W);
                job->compression = compression;
                vnc_job_encode(job);
                client_update(&c, job->out->data, job->out->len);
                vnc_job_free(job);
                what = g_strdup_printf("format %zu tile %d,%d", f, tx, ty);
                check_rect(&c, px, W, tx, ty, w, h, what);
                g_clear_pointer(&what, g_free);
            }
        }
        g_assert_cmpint(c.jpeg_rects, ==, 0);
        for (int k = 0; k < 5; k++) {
            zrle_kind[k] += c.zrle_kind[k];
        }
        for (int k = 0; k < 4; k++) {
            tight_kind[k] += c.tight_kind[k];
        }
        client_free(&c);
        vnc_streams_free(&st);
    }
    /* The picture made the encoder use every kind it has. */
    for (int k = 0; k < 5 && encoding == VNC_ENCODING_ZRLE; k++) {
        g_assert_cmpint(zrle_kind[k], >, 0);
    }
    for (int k = 0; k < 4 && encoding == VNC_ENCODING_TIGHT; k++) {
        g_assert_cmpint(tight_kind[k], >, 0);
    }
}

static void test_encode_zrle(void)
{
    check_lossless(VNC_ENCODING_ZRLE, 9);
}

static void test_encode_tight(void)
{
    check_lossless(VNC_ENCODING_TIGHT, 9);
    check_lossless(VNC_ENCODING_TIGHT, 0);
    check_lossless(VNC_ENCODING_TIGHT, 1);
}

/* More than Tight's 65536 pixels and 2048 columns: split rectangles. */
static void test_encode_tight_split(void)
{
    enum { W = 2100, H = 40 };
    const VncPixelFormat *pf = &test_formats[0];
    g_autofree uint32_t *px = g_new(uint32_t, W * H);
    VncStreams st;
    VncJob *job;
    Client c;

    for (int i = 0; i < W * H; i++) {
        px[i] = (i * 2654435761u) >> 8;
    }
    vnc_streams_init(&st);
    client_init(&c, pf, W, H);
    job = whole_job(VNC_ENCODING_TIGHT, pf, &st, px, 0, 0, W, H, W);
    vnc_job_encode(job);
    client_update(&c, job->out->data, job->out->len);
    g_assert_cmpint(c.rects, >=, 2);
    for (int i = 0; i < W * H; i++) {
        g_assert_cmphex(c.fb[i], ==, vnc_pixel_value(pf, px[i]));
    }
    vnc_job_free(job);
    client_free(&c);
    vnc_streams_free(&st);
}

/*
 * JPEG: only with a quality level (which vnc.c passes on only with
 * lossy=on), only for smooth full-colour areas; the decoded picture is
 * close to the source, and closer at a higher quality.
 */
static void test_encode_tight_jpeg(void)
{
    enum { W = 96, H = 64 };
    uint32_t px[W * H];
    double mean_err[2];
    int q;

    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            px[y * W + x] = (x * 255 / W) << 16 | (y * 255 / H) << 8 |
                            ((x + y) * 255 / (W + H));
        }
    }
    for (q = 0; q < 2; q++) {
        const VncPixelFormat *pf = &test_formats[q];   /* LE, then BE */
        VncStreams st;
        VncJob *job;
        Client c;
        uint64_t err = 0;
        int maxerr = 0;

        vnc_streams_init(&st);
        client_init(&c, pf, W, H);
        job = whole_job(VNC_ENCODING_TIGHT, pf, &st, px, 0, 0, W, H, W);
        job->quality = q ? 9 : 2;
        vnc_job_encode(job);
        client_update(&c, job->out->data, job->out->len);
        g_assert_cmpint(c.jpeg_rects, ==, 1);
        /* A photo compresses far below its raw size. */
        g_assert_cmpint(job->out->len, <, W * H);
        for (int i = 0; i < W * H; i++) {
            for (int sh = 0; sh < 24; sh += 8) {
                int d = abs((int)(c.rgb[i] >> sh & 255) -
                            (int)(px[i] >> sh & 255));
                err += d;
                maxerr = MAX(maxerr, d);
            }
        }
        mean_err[q] = (double)err / (W * H * 3);
        g_assert_cmpint(maxerr, <, 64);
        vnc_job_free(job);
        client_free(&c);
        vnc_streams_free(&st);
    }
    g_assert_cmpfloat(mean_err[1], <, 3.0);
    g_assert_cmpfloat(mean_err[1], <, mean_err[0]);
}

/*
 * CopyRect: a scroll with a change pending on the client's side.  The
 * copy goes first, then the dirty tiles, which include the stale source
 * tiles carried to the destination: the client ends with the screen.
 */
static void test_copyrect_order(void)
{
    enum { W = 64, H = 64 };
    const VncPixelFormat *pf = &test_formats[0];
    uint32_t px[W * H];
    VncDirty d = { 0 };
    VncJob *job;
    GArray *rects;
    VncCopy cp = { 0, 16, 0, 0, W, H - 16 };
    Client c;

    client_init(&c, pf, W, H);
    for (int i = 0; i < W * H; i++) {
        px[i] = i * 977;
        c.fb[i] = vnc_pixel_value(pf, px[i]);       /* in sync */
    }
    vnc_dirty_init(&d, W, H);
    /* A change at row 40 the client has not seen ... */
    px[40 * W + 5] = 0xabcdef;
    vnc_dirty_mark(&d, 5, 40, 1, 1);
    /* ... then the scroll by 16 rows (in the pixels and the dirty map) */
    memmove(px, px + 16 * W, (H - 16) * W * 4);
    vnc_dirty_move(&d, cp.src_x, cp.src_y, cp.dst_x, cp.dst_y, cp.w, cp.h);
    /* ... and the freed bottom rows drawn anew. */
    for (int i = (H - 16) * W; i < H * W; i++) {
        px[i] = 0x112233;
    }
    vnc_dirty_mark(&d, 0, H - 16, W, 16);

    job = vnc_job_new(NULL);
    job->encoding = VNC_ENCODING_RAW;
    job->pf = *pf;
    job->copies = g_array_new(false, false, sizeof(VncCopy));
    g_array_append_val(job->copies, cp);
    rects = vnc_dirty_take_rects(&d);
    for (guint i = 0; i < rects->len; i++) {
        VncRect *r = &g_array_index(rects, VncRect, i);
        uint32_t *copy = g_new(uint32_t, r->w * r->h);

        for (int y = 0; y < r->h; y++) {
            memcpy(copy + y * r->w, px + (r->y + y) * W + r->x, r->w * 4);
        }
        g_array_append_val(job->rects, *r);
        g_ptr_array_add(job->pixels, copy);
    }
    vnc_job_encode(job);
    client_update(&c, job->out->data, job->out->len);
    g_assert_cmpint(c.copies, ==, 1);
    /* Only the moved change (tile row 1) and the new rows were sent. */
    g_assert_cmpint(rects->len, ==, 2);
    for (int i = 0; i < W * H; i++) {
        g_assert_cmphex(c.fb[i], ==, vnc_pixel_value(pf, px[i]));
    }
    g_array_unref(rects);
    vnc_job_free(job);
    vnc_dirty_destroy(&d);
    client_free(&c);
}

/* A resize leads the update; ExtendedDesktopSize carries one screen. */
static void test_encode_resize_ext(void)
{
    const VncPixelFormat *pf = &test_formats[0];
    uint32_t px[4] = { 0 };
    VncStreams st;
    VncJob *job;
    Client c;

    vnc_streams_init(&st);
    client_init(&c, pf, 800, 600);
    job = whole_job(VNC_ENCODING_ZRLE, pf, &st, px, 0, 0, 2, 2, 2);
    job->resize = job->resize_ext = true;
    job->width = 800;
    job->height = 600;
    vnc_job_encode(job);
    client_update(&c, job->out->data, job->out->len);
    g_assert_cmpint(c.rects, ==, 2);
    g_assert_cmpint(c.resize_w, ==, 800);
    g_assert_cmpint(c.resize_h, ==, 600);
    g_assert_cmpint(c.resize_status, ==, 0);
    vnc_job_free(job);
    client_free(&c);
    vnc_streams_free(&st);
}

/* The Cursor pseudo-encodings: pixels in the client's format plus the
 * mask (rich), or QEMU's ARGB words (alpha). */
static void test_encode_cursor(void)
{
    const VncPixelFormat *pf = &test_formats[5];       /* RGB565 BE */
    g_autoptr(QEMUCursor) c = cursor_alloc(10, 2);
    g_autoptr(GByteArray) b = g_byte_array_new();
    Reader rd;

    c->hot_x = 3;
    c->hot_y = 1;
    for (int i = 0; i < 20; i++) {
        c->data[i] = i % 3 ? 0xff00ff00 : 0x00000000;  /* green or clear */
    }
    vnc_cursor_encode(b, pf, c, VNC_ENCODING_RICH_CURSOR);
    rd = (Reader){ b->data, b->len };
    g_assert_cmpint(take_u32(&rd), ==, 1);              /* update, 1 rect */
    g_assert_cmpint(take_u16(&rd), ==, 3);
    g_assert_cmpint(take_u16(&rd), ==, 1);
    g_assert_cmpint(take_u16(&rd), ==, 10);
    g_assert_cmpint(take_u16(&rd), ==, 2);
    g_assert_cmpint((int32_t)take_u32(&rd), ==, VNC_ENCODING_RICH_CURSOR);
    for (int i = 0; i < 20; i++) {
        g_assert_cmphex(take_pixel(&rd, pf), ==, i % 3 ? 63 << 5 : 0);
    }
    for (int y = 0; y < 2; y++) {
        const uint8_t *m = take(&rd, 2);                /* rows of 2 bytes */
        for (int x = 0; x < 10; x++) {
            bool opaque = m[x / 8] & (0x80 >> (x % 8));
            g_assert_cmpint(opaque, ==, !!((y * 10 + x) % 3));
        }
    }
    g_assert_cmpuint(rd.left, ==, 0);

    g_byte_array_set_size(b, 0);
    vnc_cursor_encode(b, pf, c, VNC_ENCODING_ALPHA_CURSOR);
    rd = (Reader){ b->data, b->len };
    take(&rd, 4 + 8);
    g_assert_cmpint((int32_t)take_u32(&rd), ==, VNC_ENCODING_ALPHA_CURSOR);
    g_assert_cmpint(take_u32(&rd), ==, VNC_ENCODING_RAW);
    for (int i = 0; i < 20; i++) {
        const uint8_t *p = take(&rd, 4);
        g_assert_cmphex(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24,
                        ==, c->data[i]);
    }
    g_assert_cmpuint(rd.left, ==, 0);
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
    g_test_add_func("/ui/vt/scroll-hook", test_vt_scroll_hook);
    g_test_add_func("/ui/vt/csi", test_vt_csi);
    g_test_add_func("/ui/vt/hostile", test_vt_hostile);
    g_test_add_func("/ui/vnc/dirty-tiles", test_dirty_tiles);
    g_test_add_func("/ui/vnc/encode-raw", test_encode_raw);
    g_test_add_func("/ui/vnc/encode-zlib", test_encode_zlib);
    g_test_add_func("/ui/vnc/encode-hextile", test_encode_hextile);
    g_test_add_func("/ui/vnc/encode-zrle", test_encode_zrle);
    g_test_add_func("/ui/vnc/encode-tight", test_encode_tight);
    g_test_add_func("/ui/vnc/encode-tight-split", test_encode_tight_split);
    g_test_add_func("/ui/vnc/encode-tight-jpeg", test_encode_tight_jpeg);
    g_test_add_func("/ui/vnc/copyrect-order", test_copyrect_order);
    g_test_add_func("/ui/vnc/encode-resize-ext", test_encode_resize_ext);
    g_test_add_func("/ui/vnc/encode-cursor", test_encode_cursor);
    g_test_add_func("/ui/font", test_font);
    g_test_add_func("/ui/console/copy-and-cursor", test_copy_and_cursor);
    qemu_init_main_loop(&error_abort);
    return g_test_run();
}
