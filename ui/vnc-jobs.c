/*
 * The VNC worker thread: encodes framebuffer updates off the main loop
 * and hands them back through a BH; also the tile dirty map, pixel
 * conversion and the encoders Raw, CopyRect, Hextile, Zlib (ZRLE and
 * Tight are in vnc-enc-zrle.c and vnc-enc-tight.c).
 * Corresponds to QEMU's ui/vnc-jobs.c (and vnc-enc-hextile.c,
 * vnc-enc-zlib.c, the dirty bitmap half of ui/vnc.c).
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "vnc.h"

/* ---- the tile dirty map ------------------------------------------------ */

#define BITS_PER_LONG_ (sizeof(unsigned long) * 8)
#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#endif

static bool tile_test(const VncDirty *d, int tx, int ty)
{
    size_t i = (size_t)ty * d->tw + tx;
    return d->bits[i / BITS_PER_LONG_] & (1UL << (i % BITS_PER_LONG_));
}

static void tile_set(VncDirty *d, int tx, int ty, bool v)
{
    size_t i = (size_t)ty * d->tw + tx;
    unsigned long m = 1UL << (i % BITS_PER_LONG_);

    if (v) {
        d->bits[i / BITS_PER_LONG_] |= m;
    } else {
        d->bits[i / BITS_PER_LONG_] &= ~m;
    }
}

void vnc_dirty_init(VncDirty *d, int width, int height)
{
    size_t n;

    d->width = width;
    d->height = height;
    d->tw = DIV_ROUND_UP(width, VNC_TILE);
    d->th = DIV_ROUND_UP(height, VNC_TILE);
    n = (size_t)d->tw * d->th;
    g_free(d->bits);
    d->bits = g_new0(unsigned long, DIV_ROUND_UP(n, BITS_PER_LONG_) + 1);
}

void vnc_dirty_destroy(VncDirty *d)
{
    g_free(d->bits);
    d->bits = NULL;
}

void vnc_dirty_mark(VncDirty *d, int x, int y, int w, int h)
{
    int tx, ty, x1 = MIN(x + w, d->width), y1 = MIN(y + h, d->height);

    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x1 || y >= y1) {
        return;
    }
    for (ty = y / VNC_TILE; ty <= (y1 - 1) / VNC_TILE; ty++) {
        for (tx = x / VNC_TILE; tx <= (x1 - 1) / VNC_TILE; tx++) {
            tile_set(d, tx, ty, true);
        }
    }
}

bool vnc_dirty_any(const VncDirty *d)
{
    size_t i, n = DIV_ROUND_UP((size_t)d->tw * d->th, BITS_PER_LONG_);

    for (i = 0; i < n; i++) {
        if (d->bits[i]) {
            return true;
        }
    }
    return false;
}

void vnc_dirty_move(VncDirty *d, int sx, int sy, int dx, int dy,
                    int w, int h)
{
    g_autoptr(GArray) marks = g_array_new(false, false, sizeof(VncRect));
    int tx, ty;
    guint i;

    if (w <= 0 || h <= 0) {
        return;
    }
    /* Collect first: marking may land on tiles still to be read. */
    for (ty = MAX(sy, 0) / VNC_TILE; ty < d->th && ty * VNC_TILE < sy + h;
         ty++) {
        for (tx = MAX(sx, 0) / VNC_TILE;
             tx < d->tw && tx * VNC_TILE < sx + w; tx++) {
            VncRect r;
            int x0, y0;

            if (!tile_test(d, tx, ty)) {
                continue;
            }
            x0 = MAX(tx * VNC_TILE, sx);
            y0 = MAX(ty * VNC_TILE, sy);
            r.w = MIN((tx + 1) * VNC_TILE, sx + w) - x0;
            r.h = MIN((ty + 1) * VNC_TILE, sy + h) - y0;
            r.x = x0 - sx + dx;
            r.y = y0 - sy + dy;
            g_array_append_val(marks, r);
        }
    }
    for (i = 0; i < marks->len; i++) {
        VncRect *r = &g_array_index(marks, VncRect, i);
        vnc_dirty_mark(d, r->x, r->y, r->w, r->h);
    }
}

GArray *vnc_dirty_take_rects(VncDirty *d)
{
    GArray *rects = g_array_new(false, false, sizeof(VncRect));
    int tx, ty, tx1, ty1, i;

    for (ty = 0; ty < d->th; ty++) {
        for (tx = 0; tx < d->tw; tx++) {
            VncRect r;
            bool full;

            if (!tile_test(d, tx, ty)) {
                continue;
            }
            for (tx1 = tx; tx1 < d->tw && tile_test(d, tx1, ty); tx1++) {
                tile_set(d, tx1, ty, false);
            }
            /* Grow down while the rows below have the same run dirty. */
            for (ty1 = ty + 1; ty1 < d->th; ty1++) {
                full = true;
                for (i = tx; i < tx1 && full; i++) {
                    full = tile_test(d, i, ty1);
                }
                if (!full) {
                    break;
                }
                for (i = tx; i < tx1; i++) {
                    tile_set(d, i, ty1, false);
                }
            }
            r.x = tx * VNC_TILE;
            r.y = ty * VNC_TILE;
            r.w = MIN(tx1 * VNC_TILE, d->width) - r.x;
            r.h = MIN(ty1 * VNC_TILE, d->height) - r.y;
            g_array_append_val(rects, r);
            tx = tx1;
        }
    }
    return rects;
}

/* ---- encoders ---------------------------------------------------------- */

static void put_u16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { v >> 8, v };
    g_byte_array_append(b, x, 2);
}

static void put_u32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };
    g_byte_array_append(b, x, 4);
}

void vnc_put_rect_header(GByteArray *b, int x, int y, int w, int h,
                         int32_t encoding)
{
    put_u16(b, x);
    put_u16(b, y);
    put_u16(b, w);
    put_u16(b, h);
    put_u32(b, encoding);
}

uint32_t vnc_pixel_value(const VncPixelFormat *pf, uint32_t p)
{
    if ((pf->rmax & pf->gmax & pf->bmax) == 255) {
        /* 8-bit colours (most clients): no scaling. */
        return (p >> 16 & 0xff) << pf->rshift | (p >> 8 & 0xff) << pf->gshift |
               (p & 0xff) << pf->bshift;
    }
    return ((p >> 16 & 0xff) * pf->rmax + 127) / 255 << pf->rshift |
           ((p >> 8 & 0xff) * pf->gmax + 127) / 255 << pf->gshift |
           ((p & 0xff) * pf->bmax + 127) / 255 << pf->bshift;
}

static void store_pixel(uint8_t *dst, const VncPixelFormat *pf, uint32_t v)
{
    int bpp = pf->bytes_per_pixel, k;

    for (k = 0; k < bpp; k++) {
        dst[k] = v >> (pf->big_endian ? (bpp - 1 - k) * 8 : k * 8);
    }
}

void vnc_put_pixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v)
{
    uint8_t x[4];

    store_pixel(x, pf, v);
    g_byte_array_append(b, x, pf->bytes_per_pixel);
}

/* x8r8g8b8 pixels to the client's format, appended to @b. */
void vnc_convert_pixels(GByteArray *b, const VncPixelFormat *pf,
                        const uint32_t *src, size_t n)
{
    size_t i, off = b->len;
    int bpp = pf->bytes_per_pixel;
    uint8_t *dst;

    g_byte_array_set_size(b, off + n * bpp);
    dst = b->data + off;
    if (bpp == 4 && !pf->big_endian && pf->rmax == 255 && pf->gmax == 255 &&
        pf->bmax == 255 && pf->rshift == 16 && pf->gshift == 8 &&
        pf->bshift == 0 && G_BYTE_ORDER == G_LITTLE_ENDIAN) {
        /* The server's own format (the default): only the pad byte. */
        for (i = 0; i < n; i++) {
            uint32_t v = src[i] & 0xffffff;
            memcpy(dst + i * 4, &v, 4);
        }
        return;
    }
    for (i = 0; i < n; i++, dst += bpp) {
        store_pixel(dst, pf, vnc_pixel_value(pf, src[i]));
    }
}

static uint32_t pf_mask(const VncPixelFormat *pf)
{
    return (uint32_t)pf->rmax << pf->rshift | (uint32_t)pf->gmax << pf->gshift |
           (uint32_t)pf->bmax << pf->bshift;
}

int vnc_cpixel_bytes(const VncPixelFormat *pf)
{
    uint32_t m = pf_mask(pf);

    if (pf->bytes_per_pixel != 4 || pf->depth > 24) {
        return 0;
    }
    return (!(m & 0xff000000) || !(m & 0xff)) ? 3 : 0;
}

void vnc_put_cpixels(GByteArray *b, const VncPixelFormat *pf,
                     const uint32_t *v, size_t n)
{
    int cp = vnc_cpixel_bytes(pf) ?: pf->bytes_per_pixel;
    size_t i, off = b->len;
    uint8_t *dst, x[4];
    int skip;

    g_byte_array_set_size(b, off + n * cp);
    dst = b->data + off;
    if (cp == pf->bytes_per_pixel) {
        for (i = 0; i < n; i++, dst += cp) {
            store_pixel(dst, pf, v[i]);
        }
        return;
    }
    /* Which byte of the stored pixel to leave out (see below). */
    skip = !(pf_mask(pf) & 0xff000000) ? (pf->big_endian ? 0 : 3)
                                        : (pf->big_endian ? 3 : 0);
    for (i = 0; i < n; i++, dst += 3) {
        store_pixel(x, pf, v[i]);
        memcpy(dst, skip ? x : x + 1, 3);
    }
}

void vnc_put_tpixels(GByteArray *b, const VncPixelFormat *pf,
                     const uint32_t *v, size_t n)
{
    size_t i, off = b->len;
    uint8_t *dst;

    if (!vnc_tpixel_is_rgb(pf)) {
        vnc_put_cpixels(b, &(VncPixelFormat){ .bytes_per_pixel =
                        pf->bytes_per_pixel, .depth = 32,
                        .big_endian = pf->big_endian }, v, n);
        return;
    }
    g_byte_array_set_size(b, off + n * 3);
    dst = b->data + off;
    for (i = 0; i < n; i++, dst += 3) {
        dst[0] = v[i] >> pf->rshift;
        dst[1] = v[i] >> pf->gshift;
        dst[2] = v[i] >> pf->bshift;
    }
}

void vnc_put_cpixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v)
{
    uint8_t x[4];

    if (!vnc_cpixel_bytes(pf)) {
        vnc_put_pixel(b, pf, v);
        return;
    }
    store_pixel(x, pf, v);
    /* Leave out the byte no colour uses: the most significant one if the
     * colours sit low, else the least significant one. */
    if (!(pf_mask(pf) & 0xff000000)) {
        g_byte_array_append(b, pf->big_endian ? x + 1 : x, 3);
    } else {
        g_byte_array_append(b, pf->big_endian ? x : x + 1, 3);
    }
}

bool vnc_tpixel_is_rgb(const VncPixelFormat *pf)
{
    return pf->bytes_per_pixel == 4 && pf->depth == 24 &&
           pf->rmax == 255 && pf->gmax == 255 && pf->bmax == 255;
}

void vnc_put_tpixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v)
{
    if (vnc_tpixel_is_rgb(pf)) {
        uint8_t x[3] = { v >> pf->rshift, v >> pf->gshift, v >> pf->bshift };
        g_byte_array_append(b, x, 3);
    } else {
        vnc_put_pixel(b, pf, v);
    }
}

/*
 * The colour -> index map of the palette encodings: open addressing over
 * twice the slots of the largest palette (Tight's 256 colours).
 */
void vnc_palette_init(VncPalette *p)
{
    p->n = 0;
    memset(p->idx, 0xff, sizeof(p->idx));
}

static int palette_slot(const VncPalette *p, uint32_t c)
{
    unsigned h = (c * 2654435761u) >> 23;

    while (p->idx[h] >= 0 && p->key[h] != c) {
        h = (h + 1) & 511;
    }
    return h;
}

/* Index of @c, added if new; -1 once more than @max colours are seen. */
int vnc_palette_add(VncPalette *p, uint32_t c, int max)
{
    int h = palette_slot(p, c);

    if (p->idx[h] >= 0) {
        return p->idx[h];
    }
    if (p->n >= max) {
        return -1;
    }
    p->key[h] = c;
    p->idx[h] = p->n;
    p->colour[p->n] = c;
    return p->n++;
}

int vnc_palette_index(const VncPalette *p, uint32_t c)
{
    return p->idx[palette_slot(p, c)];
}

/* ---- the client's zlib streams ---------------------------------------- */

void vnc_streams_init(VncStreams *s)
{
    int i;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < VNC_ZS_COUNT; i++) {
        s->level[i] = -1;
    }
}

void vnc_streams_free(VncStreams *s)
{
    int i;

    for (i = 0; i < VNC_ZS_COUNT; i++) {
        if (s->level[i] >= 0) {
            deflateEnd(&s->zs[i]);
            s->level[i] = -1;
        }
    }
}

void vnc_deflate(VncStreams *s, int id, int level, GByteArray *out,
                 const uint8_t *data, size_t len)
{
    z_stream *zs = &s->zs[id];
    uInt room;

    if (s->level[id] < 0) {
        memset(zs, 0, sizeof(*zs));
        /*
         * memLevel 9 (zlib's maximum, as QEMU asks for): the larger hash
         * table keeps level 9's match chains short on framebuffer data,
         * about 30% less CPU than the default memLevel 8 on a full-screen
         * gradient, for 1-3% more bytes.
         */
        if (deflateInit2(zs, level, Z_DEFLATED, MAX_WBITS, MAX_MEM_LEVEL,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            /* Only on allocation failure, which g_malloc'd aborts on. */
            abort();
        }
        s->level[id] = level;
    } else if (s->level[id] != level) {
        /* Nothing is pending (every use ends with a sync flush), so the
         * switch emits no data. */
        deflateParams(zs, level, Z_DEFAULT_STRATEGY);
        s->level[id] = level;
    }
    zs->next_in = (uint8_t *)data;
    zs->avail_in = len;
    /* Room for the worst case at once, so a large rect is not deflated
     * into a buffer that keeps being grown and moved. */
    room = deflateBound(zs, len) + 16;
    do {
        g_byte_array_set_size(out, out->len + room);
        zs->next_out = out->data + out->len - room;
        zs->avail_out = room;
        deflate(zs, Z_SYNC_FLUSH);
        g_byte_array_set_size(out, out->len - zs->avail_out);
        room = 4096;
    } while (zs->avail_in || zs->avail_out == 0);
}

static void encode_zlib(VncJob *job, GByteArray *raw)
{
    GByteArray *out = job->out;
    size_t lenpos = out->len;
    uint32_t n;
    uint8_t *p;

    put_u32(out, 0);        /* the length, filled in below */
    /* QEMU's Zlib encoding deflates at the client's compression level. */
    vnc_deflate(job->streams, VNC_ZS_ZLIB, job->compression, out,
                raw->data, raw->len);
    n = out->len - lenpos - 4;
    p = out->data + lenpos;
    p[0] = n >> 24;
    p[1] = n >> 16;
    p[2] = n >> 8;
    p[3] = n;
}

/*
 * Hextile: 16x16 tiles, each either one colour (background only), two
 * colours (background plus foreground runs, one row high, as subrects)
 * or raw.  Every tile states its colours, so no state carries over.
 */
#define HEXTILE_RAW 1
#define HEXTILE_BACKGROUND 2
#define HEXTILE_FOREGROUND 4
#define HEXTILE_ANY_SUBRECTS 8

static void encode_hextile_tile(GByteArray *out, const VncPixelFormat *pf,
                                const uint32_t *px, int stride, int w, int h)
{
    uint32_t bg = px[0], fg = bg;
    uint8_t subrects[256][2];
    uint32_t row[16 * 16];
    int nsub = 0, x, y, i, n0 = 0;
    bool two = true;

    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            uint32_t p = px[y * stride + x];
            if (p == bg) {
                n0++;
            } else if (fg == bg) {
                fg = p;
            } else if (p != fg) {
                two = false;
            }
        }
    }
    if (two && fg != bg && n0 * 2 < w * h) {
        uint32_t t = fg;    /* the commoner colour is the background */
        fg = bg;
        bg = t;
    }
    for (y = 0; two && y < h; y++) {
        for (x = 0; x < w; x++) {
            if (px[y * stride + x] != fg || fg == bg) {
                continue;
            }
            for (i = x; i < w && px[y * stride + i] == fg; i++) {
            }
            if (nsub == 255) {
                two = false;
                break;
            }
            subrects[nsub][0] = x << 4 | y;
            subrects[nsub][1] = (i - x - 1) << 4;
            nsub++;
            x = i;
        }
    }
    if (!two) {
        g_byte_array_append(out, (const uint8_t[]){ HEXTILE_RAW }, 1);
        for (y = 0; y < h; y++) {
            memcpy(row + y * w, px + y * stride, w * 4);
        }
        vnc_convert_pixels(out, pf, row, (size_t)w * h);
        return;
    }
    if (!nsub) {
        g_byte_array_append(out, (const uint8_t[]){ HEXTILE_BACKGROUND }, 1);
        vnc_convert_pixels(out, pf, &bg, 1);
        return;
    }
    g_byte_array_append(out, (const uint8_t[]){ HEXTILE_BACKGROUND |
                        HEXTILE_FOREGROUND | HEXTILE_ANY_SUBRECTS }, 1);
    vnc_convert_pixels(out, pf, &bg, 1);
    vnc_convert_pixels(out, pf, &fg, 1);
    g_byte_array_append(out, (const uint8_t[]){ nsub }, 1);
    g_byte_array_append(out, &subrects[0][0], nsub * 2);
}

static void encode_hextile(VncJob *job, const VncRect *r, const uint32_t *px)
{
    int tx, ty;

    for (ty = 0; ty < r->h; ty += 16) {
        for (tx = 0; tx < r->w; tx += 16) {
            encode_hextile_tile(job->out, &job->pf,
                                px + (size_t)ty * r->w + tx, r->w,
                                MIN(16, r->w - tx), MIN(16, r->h - ty));
        }
    }
}

static void put_resize(VncJob *job)
{
    GByteArray *out = job->out;

    if (!job->resize_ext) {
        vnc_put_rect_header(out, 0, 0, job->width, job->height,
                            VNC_ENCODING_DESKTOPRESIZE);
        return;
    }
    /* Reason 0 (the server changed it), status 0, one screen. */
    vnc_put_rect_header(out, 0, 0, job->width, job->height,
                        VNC_ENCODING_DESKTOP_RESIZE_EXT);
    g_byte_array_append(out, (const uint8_t *)"\1\0\0\0", 4);
    put_u32(out, 0);                    /* screen id */
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, job->width);
    put_u16(out, job->height);
    put_u32(out, 0);                    /* flags */
}

void vnc_job_encode(VncJob *job)
{
    guint i;
    int n = 0;
    size_t countpos, room = 1024;

    /* Room for the update as raw pixels at once: the encodings rarely
     * need more, and the output is not regrown and moved as it fills. */
    for (i = 0; i < job->rects->len; i++) {
        VncRect *r = &g_array_index(job->rects, VncRect, i);

        room += (size_t)r->w * r->h * job->pf.bytes_per_pixel + 16;
    }
    g_byte_array_set_size(job->out, job->out->len + room);
    g_byte_array_set_size(job->out, job->out->len - room);
    /* FramebufferUpdate: type 0, padding, number of rectangles (known
     * once Tight has split what it must). */
    g_byte_array_append(job->out, (const uint8_t *)"\0\0", 2);
    countpos = job->out->len;
    put_u16(job->out, 0);
    if (job->resize) {
        put_resize(job);
        n++;
    }
    /* Copies first, in the order they happened: the rects below carry
     * the pixels as they are after all of them. */
    for (i = 0; job->copies && i < job->copies->len; i++) {
        VncCopy *c = &g_array_index(job->copies, VncCopy, i);

        vnc_put_rect_header(job->out, c->dst_x, c->dst_y, c->w, c->h,
                            VNC_ENCODING_COPYRECT);
        put_u16(job->out, c->src_x);
        put_u16(job->out, c->src_y);
        n++;
    }
    for (i = 0; i < job->rects->len; i++) {
        VncRect *r = &g_array_index(job->rects, VncRect, i);
        const uint32_t *px = g_ptr_array_index(job->pixels, i);

        switch (job->encoding) {
        case VNC_ENCODING_ZRLE:
            n += vnc_zrle_send_rect(job, r, px);
            continue;
        case VNC_ENCODING_TIGHT:
            n += vnc_tight_send_rect(job, r, px);
            continue;
        }
        vnc_put_rect_header(job->out, r->x, r->y, r->w, r->h, job->encoding);
        n++;
        if (job->encoding == VNC_ENCODING_HEXTILE) {
            encode_hextile(job, r, px);
        } else if (job->encoding == VNC_ENCODING_ZLIB) {
            g_autoptr(GByteArray) raw = g_byte_array_new();
            vnc_convert_pixels(raw, &job->pf, px, (size_t)r->w * r->h);
            encode_zlib(job, raw);
        } else {
            vnc_convert_pixels(job->out, &job->pf, px, (size_t)r->w * r->h);
        }
    }
    job->out->data[countpos] = n >> 8;
    job->out->data[countpos + 1] = n;
}

void vnc_cursor_encode(GByteArray *b, const VncPixelFormat *pf,
                       QEMUCursor *c, int encoding)
{
    size_t n = (size_t)c->width * c->height;

    g_byte_array_append(b, (const uint8_t *)"\0\0\0\1", 4);
    vnc_put_rect_header(b, c->hot_x, c->hot_y, c->width, c->height,
                        encoding);
    if (encoding == VNC_ENCODING_ALPHA_CURSOR) {
        /* The ARGB words as QEMU writes them: little endian. */
        put_u32(b, VNC_ENCODING_RAW);
        for (size_t i = 0; i < n; i++) {
            uint8_t px[4] = { c->data[i], c->data[i] >> 8,
                              c->data[i] >> 16, c->data[i] >> 24 };
            g_byte_array_append(b, px, 4);
        }
    } else {
        size_t msize = (size_t)(c->width + 7) / 8 * c->height;
        g_autofree uint8_t *mask = g_malloc(msize);

        vnc_convert_pixels(b, pf, c->data, n);
        cursor_get_mono_mask(c, 0, mask);
        g_byte_array_append(b, mask, msize);
    }
}

/* ---- the worker -------------------------------------------------------- */

/*
 * The queue and the done list are guarded by jobs_lock; a job belongs to
 * whichever list holds it (or to the worker between the two).
 */
static QemuMutex jobs_lock;
static QemuCond jobs_cond;
static QSIMPLEQ_HEAD(, VncJob) jobs_queue =
    QSIMPLEQ_HEAD_INITIALIZER(jobs_queue);
static QSIMPLEQ_HEAD(, VncJob) jobs_done =
    QSIMPLEQ_HEAD_INITIALIZER(jobs_done);
static bool jobs_exit;
static QemuThread jobs_thread;
static bool jobs_started;
static QEMUBH *jobs_bh;

VncJob *vnc_job_new(VncState *vs)
{
    VncJob *job = g_new0(VncJob, 1);

    job->vs = vs;
    job->rects = g_array_new(false, false, sizeof(VncRect));
    job->pixels = g_ptr_array_new_with_free_func(g_free);
    job->out = g_byte_array_new();
    job->compression = 9;
    job->quality = -1;
    return job;
}

void vnc_job_free(VncJob *job)
{
    g_array_unref(job->rects);
    g_ptr_array_unref(job->pixels);
    g_byte_array_unref(job->out);
    if (job->copies) {
        g_array_unref(job->copies);
    }
    g_free(job);
}

static void *vnc_worker_thread(void *opaque)
{
    qemu_mutex_lock(&jobs_lock);
    for (;;) {
        VncJob *job;

        while (QSIMPLEQ_EMPTY(&jobs_queue) && !jobs_exit) {
            qemu_cond_wait(&jobs_cond, &jobs_lock);
        }
        if (jobs_exit) {
            break;
        }
        job = QSIMPLEQ_FIRST(&jobs_queue);
        QSIMPLEQ_REMOVE_HEAD(&jobs_queue, next);
        qemu_mutex_unlock(&jobs_lock);

        vnc_job_encode(job);

        qemu_mutex_lock(&jobs_lock);
        QSIMPLEQ_INSERT_TAIL(&jobs_done, job, next);
        qemu_bh_schedule(jobs_bh);
    }
    qemu_mutex_unlock(&jobs_lock);
    return NULL;
}

static void vnc_jobs_bh(void *opaque)
{
    for (;;) {
        VncJob *job;

        qemu_mutex_lock(&jobs_lock);
        job = QSIMPLEQ_FIRST(&jobs_done);
        if (job) {
            QSIMPLEQ_REMOVE_HEAD(&jobs_done, next);
        }
        qemu_mutex_unlock(&jobs_lock);
        if (!job) {
            break;
        }
        vnc_job_done(job);
    }
}

void vnc_job_push(VncJob *job)
{
    if (!jobs_started) {
        qemu_mutex_init(&jobs_lock);
        qemu_cond_init(&jobs_cond);
        jobs_bh = qemu_bh_new(vnc_jobs_bh, NULL);
        qemu_thread_create(&jobs_thread, "vnc_worker", vnc_worker_thread,
                           NULL, QEMU_THREAD_JOINABLE);
        jobs_started = true;
    }
    qemu_mutex_lock(&jobs_lock);
    QSIMPLEQ_INSERT_TAIL(&jobs_queue, job, next);
    qemu_cond_signal(&jobs_cond);
    qemu_mutex_unlock(&jobs_lock);
}

/* At exit: stop the worker and hand every job back (unencoded if need be). */
void vnc_jobs_stop(void)
{
    VncJob *job;

    if (!jobs_started) {
        return;
    }
    qemu_mutex_lock(&jobs_lock);
    jobs_exit = true;
    qemu_cond_signal(&jobs_cond);
    qemu_mutex_unlock(&jobs_lock);
    qemu_thread_join(&jobs_thread);
    while ((job = QSIMPLEQ_FIRST(&jobs_queue))) {
        QSIMPLEQ_REMOVE_HEAD(&jobs_queue, next);
        vnc_job_done(job);
    }
    vnc_jobs_bh(NULL);
    qemu_bh_delete(jobs_bh);
    jobs_started = false;
}
