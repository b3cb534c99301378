/*
 * The ZRLE encoding (RFC 6143 7.7.6): 64x64 tiles, each raw, solid,
 * packed palette, plain RLE or palette RLE (whichever is smallest), in
 * CPIXELs, all through one zlib stream per client.
 * Corresponds to QEMU's ui/vnc-enc-zrle.c (and vnc-enc-zrle.c.inc).
 */
#include "qcore/osdep.h"
#include "vnc.h"

#define ZRLE_TILE 64
#define ZRLE_PALETTE_MAX 127

static void put_run_length(GByteArray *b, int len)
{
    uint8_t ff = 255, rest;

    for (len -= 1; len >= 255; len -= 255) {
        g_byte_array_append(b, &ff, 1);
    }
    rest = len;
    g_byte_array_append(b, &rest, 1);
}

static void zrle_tile(GByteArray *raw, const VncPixelFormat *pf,
                      const uint32_t *v, int w, int h)
{
    int cp = vnc_cpixel_bytes(pf) ?: pf->bytes_per_pixel;
    int n = w * h, i, runs = 0, single = 0, bits, ncol;
    size_t raw_size, packed_size, rle_size, prle_size, best;
    VncPalette pal;
    uint8_t sub;

    vnc_palette_init(&pal);
    ncol = 0;
    for (i = 0; i < n; i++) {
        if (i == 0 || v[i] != v[i - 1]) {
            runs++;
            /* A run of one costs palette RLE one byte, others more. */
            if (i + 1 == n || v[i + 1] != v[i]) {
                single++;
            }
        }
        if (ncol >= 0 && vnc_palette_add(&pal, v[i], ZRLE_PALETTE_MAX) < 0) {
            ncol = -1;
        }
    }
    if (ncol == 0) {
        ncol = pal.n;
    }
    if (ncol == 1) {
        sub = 1;
        g_byte_array_append(raw, &sub, 1);
        vnc_put_cpixel(raw, pf, v[0]);
        return;
    }
    raw_size = (size_t)n * cp;
    /* Run lengths over 256 need more bytes: ignored in the estimate. */
    rle_size = (size_t)runs * (cp + 1);
    best = MIN(raw_size, rle_size);
    packed_size = prle_size = SIZE_MAX;
    bits = 0;
    if (ncol > 1) {
        prle_size = (size_t)ncol * cp + 2 * runs - single;
        if (ncol <= 16) {
            bits = ncol <= 2 ? 1 : ncol <= 4 ? 2 : 4;
            packed_size = (size_t)ncol * cp + (size_t)h * ((w * bits + 7) / 8);
        }
        best = MIN(best, MIN(prle_size, packed_size));
    }

    if (best == packed_size) {
        sub = ncol;
        g_byte_array_append(raw, &sub, 1);
        for (i = 0; i < ncol; i++) {
            vnc_put_cpixel(raw, pf, pal.colour[i]);
        }
        for (int y = 0; y < h; y++) {
            uint8_t byte = 0;
            int nb = 0;

            for (int x = 0; x < w; x++) {
                byte = byte << bits | vnc_palette_index(&pal, v[y * w + x]);
                nb += bits;
                if (nb == 8) {
                    g_byte_array_append(raw, &byte, 1);
                    byte = 0;
                    nb = 0;
                }
            }
            if (nb) {
                byte <<= 8 - nb;
                g_byte_array_append(raw, &byte, 1);
            }
        }
    } else if (best == prle_size) {
        sub = 128 + ncol;
        g_byte_array_append(raw, &sub, 1);
        for (i = 0; i < ncol; i++) {
            vnc_put_cpixel(raw, pf, pal.colour[i]);
        }
        for (i = 0; i < n;) {
            int j = i;
            uint8_t idx = vnc_palette_index(&pal, v[i]);

            while (j < n && v[j] == v[i]) {
                j++;
            }
            if (j - i == 1) {
                g_byte_array_append(raw, &idx, 1);
            } else {
                idx |= 128;
                g_byte_array_append(raw, &idx, 1);
                put_run_length(raw, j - i);
            }
            i = j;
        }
    } else if (best == rle_size) {
        sub = 128;
        g_byte_array_append(raw, &sub, 1);
        for (i = 0; i < n;) {
            int j = i;

            while (j < n && v[j] == v[i]) {
                j++;
            }
            vnc_put_cpixel(raw, pf, v[i]);
            put_run_length(raw, j - i);
            i = j;
        }
    } else {
        sub = 0;
        g_byte_array_append(raw, &sub, 1);
        vnc_put_cpixels(raw, pf, v, n);
    }
}

int vnc_zrle_send_rect(VncJob *job, const VncRect *r, const uint32_t *px)
{
    g_autoptr(GByteArray) raw = g_byte_array_new();
    uint32_t v[ZRLE_TILE * ZRLE_TILE];
    GByteArray *out = job->out;
    size_t lenpos;
    uint32_t len;
    int tx, ty, x, y;

    for (ty = 0; ty < r->h; ty += ZRLE_TILE) {
        for (tx = 0; tx < r->w; tx += ZRLE_TILE) {
            int w = MIN(ZRLE_TILE, r->w - tx), h = MIN(ZRLE_TILE, r->h - ty);

            for (y = 0; y < h; y++) {
                for (x = 0; x < w; x++) {
                    v[y * w + x] = vnc_pixel_value(&job->pf,
                                       px[(size_t)(ty + y) * r->w + tx + x]);
                }
            }
            zrle_tile(raw, &job->pf, v, w, h);
        }
    }
    vnc_put_rect_header(out, r->x, r->y, r->w, r->h, VNC_ENCODING_ZRLE);
    lenpos = out->len;
    g_byte_array_set_size(out, out->len + 4);
    /* QEMU's ZRLE deflates at zlib's default level (6), whatever the
     * client asks for. */
    vnc_deflate(job->streams, VNC_ZS_ZRLE, 6, out,
                raw->data, raw->len);
    len = out->len - lenpos - 4;
    out->data[lenpos] = len >> 24;
    out->data[lenpos + 1] = len >> 16;
    out->data[lenpos + 2] = len >> 8;
    out->data[lenpos + 3] = len;
    return 1;
}
