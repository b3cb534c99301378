/*
 * The VNC worker thread: encodes framebuffer updates off the main loop
 * and hands them back through a BH; also the tile dirty map and the
 * encoders (Raw, Hextile, Zlib) it runs.
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

static void put_rect_header(GByteArray *b, int x, int y, int w, int h,
                            int32_t encoding)
{
    put_u16(b, x);
    put_u16(b, y);
    put_u16(b, w);
    put_u16(b, h);
    put_u32(b, encoding);
}

/* x8r8g8b8 pixels to the client's format, appended to @b. */
static void convert_pixels(GByteArray *b, const VncPixelFormat *pf,
                           const uint32_t *src, size_t n)
{
    size_t i, off = b->len;
    int bpp = pf->bytes_per_pixel;
    uint8_t *dst;

    g_byte_array_set_size(b, off + n * bpp);
    dst = b->data + off;
    for (i = 0; i < n; i++, dst += bpp) {
        uint32_t p = src[i];
        uint32_t v = ((p >> 16 & 0xff) * pf->rmax + 127) / 255 << pf->rshift |
                     ((p >> 8 & 0xff) * pf->gmax + 127) / 255 << pf->gshift |
                     ((p & 0xff) * pf->bmax + 127) / 255 << pf->bshift;
        int k;

        for (k = 0; k < bpp; k++) {
            int shift = pf->big_endian ? (bpp - 1 - k) * 8 : k * 8;
            dst[k] = v >> shift;
        }
    }
}

static void encode_zlib(VncJob *job, GByteArray *raw)
{
    z_stream *zs = job->zlib;
    GByteArray *out = job->out;
    size_t lenpos = out->len;
    uInt room;

    put_u32(out, 0);        /* the length, filled in below */
    zs->next_in = raw->data;
    zs->avail_in = raw->len;
    do {
        room = MAX(raw->len / 2, 4096);
        g_byte_array_set_size(out, out->len + room);
        zs->next_out = out->data + out->len - room;
        zs->avail_out = room;
        deflate(zs, Z_SYNC_FLUSH);
        g_byte_array_set_size(out, out->len - zs->avail_out);
    } while (zs->avail_in || zs->avail_out == 0);
    {
        uint32_t n = out->len - lenpos - 4;
        uint8_t *p = out->data + lenpos;
        p[0] = n >> 24;
        p[1] = n >> 16;
        p[2] = n >> 8;
        p[3] = n;
    }
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
        convert_pixels(out, pf, row, (size_t)w * h);
        return;
    }
    if (!nsub) {
        g_byte_array_append(out, (const uint8_t[]){ HEXTILE_BACKGROUND }, 1);
        convert_pixels(out, pf, &bg, 1);
        return;
    }
    g_byte_array_append(out, (const uint8_t[]){ HEXTILE_BACKGROUND |
                        HEXTILE_FOREGROUND | HEXTILE_ANY_SUBRECTS }, 1);
    convert_pixels(out, pf, &bg, 1);
    convert_pixels(out, pf, &fg, 1);
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

void vnc_job_encode(VncJob *job)
{
    guint i;
    int n = job->rects->len + (job->resize ? 1 : 0);

    /* FramebufferUpdate: type 0, padding, number of rectangles. */
    g_byte_array_append(job->out, (const uint8_t *)"\0\0", 2);
    put_u16(job->out, n);
    if (job->resize) {
        put_rect_header(job->out, 0, 0, job->width, job->height,
                        VNC_ENCODING_DESKTOPRESIZE);
    }
    for (i = 0; i < job->rects->len; i++) {
        VncRect *r = &g_array_index(job->rects, VncRect, i);
        const uint32_t *px = g_ptr_array_index(job->pixels, i);

        put_rect_header(job->out, r->x, r->y, r->w, r->h, job->encoding);
        if (job->encoding == VNC_ENCODING_HEXTILE) {
            encode_hextile(job, r, px);
        } else if (job->encoding == VNC_ENCODING_ZLIB) {
            g_autoptr(GByteArray) raw = g_byte_array_new();
            convert_pixels(raw, &job->pf, px, (size_t)r->w * r->h);
            encode_zlib(job, raw);
        } else {
            convert_pixels(job->out, &job->pf, px, (size_t)r->w * r->h);
        }
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
    return job;
}

void vnc_job_free(VncJob *job)
{
    g_array_unref(job->rects);
    g_ptr_array_unref(job->pixels);
    g_byte_array_unref(job->out);
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
