/*
 * The Tight encoding (RFB community spec, "Tight"): per rectangle a fill
 * colour, a palette (two colours as a bitmap, up to 256 as bytes) or
 * full colour, deflated through four per-client zlib streams; JPEG
 * (libjpeg-turbo) for smooth full-colour areas when -vnc lossy=on and
 * the client sent a quality level.
 * Corresponds to QEMU's ui/vnc-enc-tight.c.
 */
#include "qcore/osdep.h"
#include "vnc.h"
#include <setjmp.h>
#include <jpeglib.h>

/* What one Tight rectangle may be (the spec's and QEMU's limits). */
#define TIGHT_MAX_WIDTH 2048
#define TIGHT_MAX_PIXELS 65536
/* Data shorter than this is sent as it is, without zlib. */
#define TIGHT_MIN_TO_COMPRESS 12

#define TIGHT_FILL 0x80
#define TIGHT_JPEG 0x90
#define TIGHT_EXPLICIT_FILTER 0x40
#define TIGHT_FILTER_PALETTE 1

/* Tight stream ids per kind of data, as QEMU assigns them. */
#define TIGHT_STREAM_FULL 0
#define TIGHT_STREAM_MONO 1
#define TIGHT_STREAM_INDEXED 2

/* JPEG below this many pixels saves nothing against zlib. */
#define TIGHT_JPEG_MIN_PIXELS 1024

/* Quality level 0..9 to libjpeg quality (low levels are very lossy). */
static const int tight_jpeg_quality[10] = {
    5, 10, 15, 25, 37, 50, 60, 70, 75, 80
};

/* The compact length (1-3 bytes, 7 bits each, low first) into @x. */
static void put_compact_len_buf(uint8_t *x, int *n, size_t len)
{
    *n = 0;
    x[(*n)++] = (len & 0x7f) | (len > 0x7f ? 0x80 : 0);
    if (len > 0x7f) {
        x[(*n)++] = (len >> 7 & 0x7f) | (len > 0x3fff ? 0x80 : 0);
        if (len > 0x3fff) {
            x[(*n)++] = len >> 14;
        }
    }
}

static void put_compact_len(GByteArray *b, size_t len)
{
    uint8_t x[3];
    int n;

    put_compact_len_buf(x, &n, len);
    g_byte_array_append(b, x, n);
}

/* The data part of a basic-compression rect: raw if short, else
 * compact length and the stream's deflate output. */
static void tight_put_data(VncJob *job, int stream, GByteArray *data)
{
    GByteArray *out = job->out;
    size_t at, len;
    uint8_t hdr[3];
    int n;

    if (data->len < TIGHT_MIN_TO_COMPRESS) {
        g_byte_array_append(out, data->data, data->len);
        return;
    }
    /* Deflate straight into the output after room for the longest
     * length, then move the data down if the length came out shorter
     * (only for rects under 16 KB of output). */
    at = out->len;
    g_byte_array_set_size(out, at + 3);
    vnc_deflate(job->streams, VNC_ZS_TIGHT + stream, job->compression, out,
                data->data, data->len);
    len = out->len - at - 3;
    put_compact_len_buf(hdr, &n, len);
    if (n < 3) {
        memmove(out->data + at + n, out->data + at + 3, len);
        g_byte_array_set_size(out, at + n + len);
    }
    memcpy(out->data + at, hdr, n);
}

/*
 * Whether a full-colour area looks like a photo (smooth gradients, where
 * JPEG wins) rather than sharp synthetic content: the mean error of the
 * gradient predictor (left + up - upleft), summed over the channels.
 */
static bool tight_smooth(const uint32_t *px, int stride, int w, int h)
{
    uint64_t err = 0, n = 0;
    int x, y, c;

    for (y = 1; y < h; y += 2) {
        for (x = 1; x < w; x++) {
            uint32_t p = px[y * stride + x], l = px[y * stride + x - 1];
            uint32_t u = px[(y - 1) * stride + x];
            uint32_t ul = px[(y - 1) * stride + x - 1];

            for (c = 0; c < 24; c += 8) {
                int pred = (int)(l >> c & 255) + (int)(u >> c & 255) -
                           (int)(ul >> c & 255);
                pred = MAX(0, MIN(255, pred));
                err += abs((int)(p >> c & 255) - pred);
            }
            n++;
        }
    }
    return n && err < n * 24;
}

typedef struct TightJpegError {
    struct jpeg_error_mgr mgr;
    jmp_buf jb;
} TightJpegError;

static void tight_jpeg_error_exit(j_common_ptr cinfo)
{
    TightJpegError *e = (TightJpegError *)cinfo->err;

    longjmp(e->jb, 1);
}

static void tight_jpeg_silent(j_common_ptr cinfo)
{
}

/* The rect as JPEG (control 0x90, compact length, the file); false if
 * libjpeg failed (the caller falls back to full colour). */
static bool tight_send_jpeg(VncJob *job, const uint32_t *px, int stride,
                            int w, int h)
{
    struct jpeg_compress_struct cinfo;
    TightJpegError jerr;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;
    uint8_t *volatile row = g_malloc((size_t)w * 3);
    bool ok = false;
    uint8_t ctl = TIGHT_JPEG;

    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = tight_jpeg_error_exit;
    jerr.mgr.output_message = tight_jpeg_silent;
    if (setjmp(jerr.jb)) {
        goto out;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buf, &size);
    cinfo.image_width = w;
    cinfo.image_height = h;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, tight_jpeg_quality[job->quality], true);
    jpeg_start_compress(&cinfo, true);
    while (cinfo.next_scanline < cinfo.image_height) {
        const uint32_t *src = px + (size_t)cinfo.next_scanline * stride;
        JSAMPROW rows[1] = { row };

        for (int x = 0; x < w; x++) {
            row[x * 3] = src[x] >> 16;
            row[x * 3 + 1] = src[x] >> 8;
            row[x * 3 + 2] = src[x];
        }
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    g_byte_array_append(job->out, &ctl, 1);
    put_compact_len(job->out, size);
    g_byte_array_append(job->out, buf, size);
    ok = true;
out:
    jpeg_destroy_compress(&cinfo);
    free(buf);
    g_free(row);
    return ok;
}

/*
 * Full colour: the TPIXELs of the rect, straight from the server's
 * pixels when they are the client's R, G, B bytes (8-bit colours), else
 * converted a row at a time.
 */
static void tight_put_full(GByteArray *data, const VncPixelFormat *pf,
                           const uint32_t *px, int stride, int w, int h)
{
    int x, y;

    if (vnc_tpixel_is_rgb(pf)) {
        uint8_t *dst;

        g_byte_array_set_size(data, (size_t)w * h * 3);
        dst = data->data;
        for (y = 0; y < h; y++) {
            const uint32_t *src = px + (size_t)y * stride;

            for (x = 0; x < w; x++, dst += 3) {
                dst[0] = src[x] >> 16;
                dst[1] = src[x] >> 8;
                dst[2] = src[x];
            }
        }
        return;
    }
    {
        g_autofree uint32_t *row = g_new(uint32_t, w);

        for (y = 0; y < h; y++) {
            for (x = 0; x < w; x++) {
                row[x] = vnc_pixel_value(pf, px[(size_t)y * stride + x]);
            }
            vnc_put_tpixels(data, pf, row, w);
        }
    }
}

static void tight_sub_rect(VncJob *job, int x0, int y0, int w, int h,
                           const uint32_t *px, int stride)
{
    const VncPixelFormat *pf = &job->pf;
    g_autoptr(GByteArray) data = g_byte_array_new();
    int n = w * h, i, x, y, ncol, max;
    VncPalette pal;
    uint8_t b;

    vnc_put_rect_header(job->out, x0, y0, w, h, VNC_ENCODING_TIGHT);
    /*
     * The palette holds the server's colours (the pad byte masked off),
     * converted to the client's format only as they are sent: the scan
     * stops at the first colour too many, so a full-colour rect (the
     * common large one) costs a short scan, not a conversion of every
     * pixel.  Server colours that become one client colour (a 16-bit
     * client) just repeat in the palette, which a decoder takes.
     */
    vnc_palette_init(&pal);
    /* A palette pays while its indexes are well below a pixel's size. */
    max = MAX(2, MIN(256, n / 4));
    ncol = 0;
    for (y = 0; y < h && ncol >= 0; y++) {
        for (x = 0; x < w; x++) {
            if (vnc_palette_add(&pal, px[y * stride + x] & 0xffffff,
                                max) < 0) {
                ncol = -1;
                break;
            }
        }
    }
    ncol = ncol < 0 ? 0 : pal.n;

    if (ncol == 1) {
        b = TIGHT_FILL;
        g_byte_array_append(job->out, &b, 1);
        vnc_put_tpixel(job->out, pf, vnc_pixel_value(pf, pal.colour[0]));
        return;
    }
    if (ncol >= 2) {
        int stream = ncol == 2 ? TIGHT_STREAM_MONO : TIGHT_STREAM_INDEXED;
        uint8_t hdr[2] = { TIGHT_FILTER_PALETTE, ncol - 1 };

        b = stream << 4 | TIGHT_EXPLICIT_FILTER;
        g_byte_array_append(job->out, &b, 1);
        g_byte_array_append(job->out, hdr, 2);
        for (i = 0; i < ncol; i++) {
            vnc_put_tpixel(job->out, pf, vnc_pixel_value(pf, pal.colour[i]));
        }
        for (y = 0; y < h; y++) {
            const uint32_t *row = px + (size_t)y * stride;

            if (ncol > 2) {
                for (x = 0; x < w; x++) {
                    b = vnc_palette_index(&pal, row[x] & 0xffffff);
                    g_byte_array_append(data, &b, 1);
                }
                continue;
            }
            /* Two colours: a bitmap, rows padded to bytes, MSB first. */
            for (x = 0; x < w; x += 8) {
                b = 0;
                for (i = 0; i < 8 && x + i < w; i++) {
                    if (vnc_palette_index(&pal, row[x + i] & 0xffffff)) {
                        b |= 0x80 >> i;
                    }
                }
                g_byte_array_append(data, &b, 1);
            }
        }
        tight_put_data(job, stream, data);
        return;
    }
    /* Full colour: JPEG if allowed and it looks like a photo. */
    if (job->quality >= 0 && pf->bytes_per_pixel > 1 &&
        n >= TIGHT_JPEG_MIN_PIXELS && tight_smooth(px, stride, w, h) &&
        tight_send_jpeg(job, px, stride, w, h)) {
        return;
    }
    b = TIGHT_STREAM_FULL << 4;
    g_byte_array_append(job->out, &b, 1);
    tight_put_full(data, pf, px, stride, w, h);
    tight_put_data(job, TIGHT_STREAM_FULL, data);
}

int vnc_tight_send_rect(VncJob *job, const VncRect *r, const uint32_t *px)
{
    int x, y, count = 0;
    int sw = MIN(r->w, TIGHT_MAX_WIDTH);
    int sh = MAX(1, TIGHT_MAX_PIXELS / sw);

    for (y = 0; y < r->h; y += sh) {
        for (x = 0; x < r->w; x += sw) {
            tight_sub_rect(job, r->x + x, r->y + y, MIN(sw, r->w - x),
                           MIN(sh, r->h - y),
                           px + (size_t)y * r->w + x, r->w);
            count++;
        }
    }
    return count;
}
