/*
 * The EDID 1.4 base block a display device gives its guest: header,
 * vendor, basic parameters, sRGB chromaticity, the classic established
 * modes, the preferred mode as a detailed timing with reduced blanking,
 * the range limits and the monitor name.  QEMU's hw/display/edid-generate.c
 * does the same with CTA and DisplayID extensions on top.
 */
#include "qcore/hw/edid.h"

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#endif

/* Reduced-blanking style timings (VESA CVT-RB's fixed horizontal parts). */
#define H_FRONT 48
#define H_SYNC  32
#define H_BLANK 160
#define V_FRONT 3
#define V_SYNC  6
#define V_MIN_BLANK_US 460
#define REFRESH 75              /* Hz, QEMU's default refresh rate */
#define MAX_CLOCK_10KHZ 65535   /* what the 16-bit field holds */

static void edid_text(uint8_t *desc, uint8_t tag, const char *text)
{
    size_t n = MIN(strlen(text), 13);

    memset(desc, 0, 18);
    desc[3] = tag;
    memcpy(desc + 5, text, n);
    if (n < 13) {
        desc[5 + n] = '\n';
        memset(desc + 6 + n, ' ', 12 - n);
    }
}

/* A 10-bit chromaticity coordinate from thousandths. */
static unsigned chroma(unsigned milli)
{
    return (milli * 1024 + 500) / 1000;
}

static void edid_chromaticity(uint8_t *e)
{
    /* sRGB primaries and D65 white: rx ry gx gy bx by wx wy */
    static const unsigned c[8] = { 640, 330, 300, 600, 150, 60, 313, 329 };
    unsigned v[8];

    for (int i = 0; i < 8; i++) {
        v[i] = chroma(c[i]);
        e[27 + i] = v[i] >> 2;
    }
    e[25] = (v[0] & 3) << 6 | (v[1] & 3) << 4 | (v[2] & 3) << 2 | (v[3] & 3);
    e[26] = (v[4] & 3) << 6 | (v[5] & 3) << 4 | (v[6] & 3) << 2 | (v[7] & 3);
}

/* The preferred mode; returns the pixel clock in 10 kHz units. */
static unsigned edid_detailed_timing(uint8_t *d, uint32_t xres, uint32_t yres,
                                     uint32_t wmm, uint32_t hmm,
                                     unsigned refresh)
{
    uint64_t htotal = xres + H_BLANK, vblank, vtotal, clock;

    vblank = DIV_ROUND_UP((uint64_t)V_MIN_BLANK_US * refresh * yres,
                          1000000 - V_MIN_BLANK_US * refresh);
    vblank = MIN(MAX(vblank, V_FRONT + V_SYNC + 6), 4095);
    vtotal = yres + vblank;
    /* Big modes run slower rather than overflow the clock field. */
    while (refresh > 1 &&
           htotal * vtotal * refresh / 10000 > MAX_CLOCK_10KHZ) {
        refresh--;
    }
    clock = DIV_ROUND_UP(htotal * vtotal * refresh, 10000);
    clock = MIN(clock, MAX_CLOCK_10KHZ);

    memset(d, 0, 18);
    d[0] = clock & 0xff;
    d[1] = clock >> 8;
    d[2] = xres & 0xff;
    d[3] = H_BLANK & 0xff;
    d[4] = (xres >> 8) << 4 | (H_BLANK >> 8);
    d[5] = yres & 0xff;
    d[6] = vblank & 0xff;
    d[7] = (yres >> 8) << 4 | (vblank >> 8);
    d[8] = H_FRONT;
    d[9] = H_SYNC;
    d[10] = V_FRONT << 4 | V_SYNC;
    d[11] = 0;
    d[12] = wmm & 0xff;
    d[13] = hmm & 0xff;
    d[14] = ((wmm >> 8) & 0xf) << 4 | ((hmm >> 8) & 0xf);
    /* Digital separate sync, hsync positive, vsync negative (CVT-RB). */
    d[17] = 0x18 | 0x02;
    return clock;
}

size_t qemu_edid_generate(uint8_t *e, const QemuEdidInfo *info)
{
    const char *vendor = info->vendor ? info->vendor : "RHT";
    uint32_t dpi = info->dpi ? info->dpi : 100;
    /* QEMU's defaults for a head nobody has sized yet. */
    uint32_t prefx = info->prefx ? info->prefx : 1280;
    uint32_t prefy = info->prefy ? info->prefy : 800;
    uint32_t wmm = info->width_mm ? info->width_mm
                                  : (uint64_t)prefx * 254 / dpi / 10;
    uint32_t hmm = info->height_mm ? info->height_mm
                                   : (uint64_t)prefy * 254 / dpi / 10;
    /* In whole Hz (the timing is computed in Hz), 1..1000 so that the
     * blanking arithmetic cannot wrap. */
    unsigned refresh = info->refresh_rate ?
                       MIN(MAX(info->refresh_rate / 1000, 1), 1000) : REFRESH;
    unsigned max_clock = 0;
    uint8_t sum = 0;
    uint16_t id;
    int d = 54;

    memset(e, 0, EDID_BLOCK_SIZE);
    memcpy(e, "\x00\xff\xff\xff\xff\xff\xff\x00", 8);
    /* Three letters, five bits each (A = 1), big-endian. */
    id = (vendor[0] - '@') << 10 | (vendor[1] - '@') << 5 | (vendor[2] - '@');
    e[8] = id >> 8;
    e[9] = id & 0xff;
    e[10] = 0x34;               /* product code 0x1234 */
    e[11] = 0x12;
    e[16] = 42;                 /* week and year (2014) of "manufacture" */
    e[17] = 2014 - 1990;
    e[18] = 1;                  /* EDID 1.4 */
    e[19] = 4;
    e[20] = 0xa5;               /* digital, 8 bits per colour, DisplayPort */
    e[21] = MIN(wmm / 10, 255); /* size in cm */
    e[22] = MIN(hmm / 10, 255);
    e[23] = 220 - 100;          /* gamma 2.2 */
    /* sRGB default colour space, preferred timing is the native mode,
     * continuous frequency (the range limits below apply). */
    e[24] = 0x04 | 0x02 | 0x01;
    edid_chromaticity(e);
    e[35] = 0x21;               /* 640x480@60, 800x600@60 */
    e[36] = 0x08;               /* 1024x768@60 */
    memset(e + 38, 0x01, 16);   /* no standard timings */

    if (prefx <= 4095 && prefy <= 4095) {
        max_clock = edid_detailed_timing(e + d, prefx, prefy,
                                         MIN(wmm, 4095), MIN(hmm, 4095),
                                         refresh);
        d += 18;
    }
    /* Range limits: 50-125 Hz, 30-160 kHz, the clock in 10 MHz units. */
    memset(e + d, 0, 18);
    e[d + 3] = 0xfd;
    e[d + 5] = 50;
    e[d + 6] = 125;
    e[d + 7] = 30;
    e[d + 8] = 160;
    e[d + 9] = MAX(DIV_ROUND_UP(max_clock, 1000), 30);
    e[d + 10] = 0x01;           /* range limits only */
    e[d + 11] = '\n';
    memset(e + d + 12, ' ', 6);
    d += 18;
    edid_text(e + d, 0xfc, info->name ? info->name : "QEMU Monitor");
    d += 18;
    while (d < 126) {
        memset(e + d, 0, 18);
        e[d + 3] = 0x10;        /* dummy descriptor */
        d += 18;
    }
    e[126] = 0;                 /* no extension blocks */
    for (int i = 0; i < 127; i++) {
        sum += e[i];
    }
    e[127] = -sum;
    return EDID_BLOCK_SIZE;
}
