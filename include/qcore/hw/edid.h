/*
 * A small EDID 1.4 builder: the monitor a display device describes to its
 * guest (virtio-gpu's GET_EDID).  Corresponds to QEMU's include/hw/display/
 * edid.h and hw/display/edid-generate.c (one 128-byte base block here, no
 * CTA/DisplayID extension).
 */
#ifndef QCORE_HW_EDID_H
#define QCORE_HW_EDID_H

#include "qcore/osdep.h"

#define EDID_BLOCK_SIZE 128

typedef struct QemuEdidInfo {
    const char *vendor;         /* three capital letters; "RHT" if NULL */
    const char *name;           /* monitor name; "QEMU Monitor" if NULL */
    uint32_t prefx, prefy;      /* the preferred mode; 0: 1280x800 */
    uint32_t dpi;               /* for the physical size; 100 if 0 */
    uint16_t width_mm, height_mm;   /* the physical size; 0: from dpi */
    uint32_t refresh_rate;      /* of the preferred mode, mHz; 0: 75 Hz */
} QemuEdidInfo;

/*
 * Fill @edid (EDID_BLOCK_SIZE bytes) with a base block whose first
 * detailed timing is @info's preferred mode (omitted, as EDID cannot say
 * it, above 4095x4095).  Returns the size used.  Any thread.
 */
size_t qemu_edid_generate(uint8_t *edid, const QemuEdidInfo *info);

#endif
