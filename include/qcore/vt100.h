/*
 * The terminal emulator behind a text console: a grid of cells fed with
 * bytes (UTF-8, control characters, the ANSI sequences a shell or the HMP
 * line editor emit).  No pixels here; ui/console.c draws the cells.
 * Corresponds to the text-console half of QEMU's ui/console.c.
 */
#ifndef QCORE_VT100_H
#define QCORE_VT100_H

#include "qcore/osdep.h"

#define VT_MAX_PARAMS 8

typedef struct VtCell {
    uint32_t ch;                /* code point; ' ' when blank */
    uint8_t fg, bg;             /* colour indexes 0..7 (+8: bright) */
} VtCell;

typedef struct VtState VtState;
/* Cells in [x, x+w) x [y, y+h) changed and need drawing again. */
typedef void VtInvalidate(void *opaque, int x, int y, int w, int h);
/*
 * Optional: the screen scrolled up one row.  The frontend moves what it
 * drew (ui/console.c: a dpy_gfx_copy, which VNC sends as CopyRect); only
 * the new bottom row and the row the cursor left are invalidated then.
 */
typedef void VtScroll(void *opaque);

struct VtState {
    int cols, rows;
    VtCell *cells;              /* rows * cols */
    int x, y;                   /* the cursor */
    int saved_x, saved_y;
    uint8_t fg, bg;
    bool bold;
    /* Parser */
    enum { VT_NORMAL, VT_ESC, VT_CSI } state;
    int params[VT_MAX_PARAMS];
    int nparams;
    bool private_mode;          /* "ESC [ ?" */
    uint32_t utf8_cp;
    int utf8_left;
    VtInvalidate *invalidate;
    VtScroll *scroll;           /* set after vt_init; NULL: invalidate all */
    void *opaque;
};

#define VT_DEFAULT_FG 7
#define VT_DEFAULT_BG 0

void vt_init(VtState *vt, int cols, int rows, VtInvalidate *invalidate,
             void *opaque);
void vt_destroy(VtState *vt);
void vt_input(VtState *vt, const uint8_t *buf, int len);
static inline VtCell *vt_cell(VtState *vt, int x, int y)
{
    return &vt->cells[y * vt->cols + x];
}
/* The text of row @y without trailing blanks (for tests and dumps). */
char *vt_row_text(VtState *vt, int y);

#endif
