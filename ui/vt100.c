/*
 * A small VT100/ANSI terminal emulator for the text consoles: printable
 * characters (UTF-8), CR, LF, BS, TAB, BEL, scrolling, cursor movement,
 * erase in line/screen and SGR colours.  Unknown sequences are swallowed.
 * Corresponds to the escape-sequence parser in QEMU's ui/console.c.
 */
#include "qcore/osdep.h"
#include "qcore/vt100.h"

static void vt_blank(VtState *vt, VtCell *c)
{
    c->ch = ' ';
    c->fg = vt->fg;
    c->bg = vt->bg;
}

void vt_init(VtState *vt, int cols, int rows, VtInvalidate *invalidate,
             void *opaque)
{
    int i;

    memset(vt, 0, sizeof(*vt));
    vt->cols = cols;
    vt->rows = rows;
    vt->fg = VT_DEFAULT_FG;
    vt->bg = VT_DEFAULT_BG;
    vt->cells = g_new(VtCell, cols * rows);
    for (i = 0; i < cols * rows; i++) {
        vt_blank(vt, &vt->cells[i]);
    }
    vt->invalidate = invalidate;
    vt->opaque = opaque;
}

void vt_destroy(VtState *vt)
{
    g_free(vt->cells);
    vt->cells = NULL;
}

static void vt_dirty(VtState *vt, int x, int y, int w, int h)
{
    if (vt->invalidate && w > 0 && h > 0) {
        vt->invalidate(vt->opaque, x, y, w, h);
    }
}

/* Blank cells [x0, x1) of row y. */
static void vt_clear(VtState *vt, int y, int x0, int x1)
{
    int x;

    for (x = x0; x < x1; x++) {
        vt_blank(vt, vt_cell(vt, x, y));
    }
    vt_dirty(vt, x0, y, x1 - x0, 1);
}

static void vt_scroll_up(VtState *vt)
{
    memmove(vt->cells, vt->cells + vt->cols,
            sizeof(VtCell) * vt->cols * (vt->rows - 1));
    if (vt->scroll && vt->rows > 1) {
        /* The frontend moves its pixels first; then the new row, and the
         * row above it, where the moved picture shows the old cursor. */
        vt->scroll(vt->opaque);
        vt_clear(vt, vt->rows - 1, 0, vt->cols);
        vt_dirty(vt, 0, vt->rows - 2, vt->cols, 1);
        return;
    }
    vt_clear(vt, vt->rows - 1, 0, vt->cols);
    vt_dirty(vt, 0, 0, vt->cols, vt->rows);
}

static void vt_newline(VtState *vt)
{
    if (++vt->y >= vt->rows) {
        vt->y = vt->rows - 1;
        vt_scroll_up(vt);
    }
}

static void vt_move_cursor(VtState *vt, int x, int y)
{
    int ox = vt->x, oy = vt->y;

    vt->x = MAX(0, MIN(x, vt->cols - 1));
    vt->y = MAX(0, MIN(y, vt->rows - 1));
    /* The cursor is drawn in a cell: both the old and new ones change. */
    vt_dirty(vt, MIN(ox, vt->cols - 1), oy, 1, 1);
    vt_dirty(vt, vt->x, vt->y, 1, 1);
}

static void vt_put(VtState *vt, uint32_t cp)
{
    VtCell *c;

    if (vt->x >= vt->cols) {
        /* Deferred wrap: the cursor sat past the last column. */
        vt->x = 0;
        vt_newline(vt);
    }
    c = vt_cell(vt, vt->x, vt->y);
    c->ch = cp;
    c->fg = vt->fg | (vt->bold ? 8 : 0);
    c->bg = vt->bg;
    /* Drawn after the cursor moved on: the cell and the cursor's new one. */
    vt->x++;
    vt_dirty(vt, vt->x - 1, vt->y, MIN(2, vt->cols - vt->x + 1), 1);
}

static int vt_param(VtState *vt, int i, int dflt)
{
    return i < vt->nparams && vt->params[i] > 0 ? vt->params[i] : dflt;
}

static void vt_sgr(VtState *vt)
{
    int i;

    if (vt->nparams == 0) {
        vt->nparams = 1;
        vt->params[0] = 0;
    }
    for (i = 0; i < vt->nparams; i++) {
        int p = vt->params[i];

        if (p == 0) {
            vt->fg = VT_DEFAULT_FG;
            vt->bg = VT_DEFAULT_BG;
            vt->bold = false;
        } else if (p == 1) {
            vt->bold = true;
        } else if (p == 22) {
            vt->bold = false;
        } else if (p >= 30 && p <= 37) {
            vt->fg = p - 30;
        } else if (p == 39) {
            vt->fg = VT_DEFAULT_FG;
        } else if (p >= 40 && p <= 47) {
            vt->bg = p - 40;
        } else if (p == 49) {
            vt->bg = VT_DEFAULT_BG;
        }
    }
}

static void vt_csi(VtState *vt, uint8_t final)
{
    int n = vt_param(vt, 0, 1);
    int y;

    if (vt->private_mode) {
        return;     /* ?25h/l (cursor visibility) and friends: ignored */
    }
    switch (final) {
    case 'A':
        vt_move_cursor(vt, vt->x, vt->y - n);
        break;
    case 'B':
        vt_move_cursor(vt, vt->x, vt->y + n);
        break;
    case 'C':
        vt_move_cursor(vt, vt->x + n, vt->y);
        break;
    case 'D':
        vt_move_cursor(vt, MIN(vt->x, vt->cols - 1) - n, vt->y);
        break;
    case 'G':
        vt_move_cursor(vt, n - 1, vt->y);
        break;
    case 'd':
        vt_move_cursor(vt, vt->x, n - 1);
        break;
    case 'H':
    case 'f':
        vt_move_cursor(vt, vt_param(vt, 1, 1) - 1, n - 1);
        break;
    case 'J':
        switch (vt->nparams ? vt->params[0] : 0) {
        case 0:
            vt_clear(vt, vt->y, MIN(vt->x, vt->cols), vt->cols);
            for (y = vt->y + 1; y < vt->rows; y++) {
                vt_clear(vt, y, 0, vt->cols);
            }
            break;
        case 1:
            for (y = 0; y < vt->y; y++) {
                vt_clear(vt, y, 0, vt->cols);
            }
            vt_clear(vt, vt->y, 0, MIN(vt->x + 1, vt->cols));
            break;
        default:
            for (y = 0; y < vt->rows; y++) {
                vt_clear(vt, y, 0, vt->cols);
            }
            break;
        }
        break;
    case 'K':
        switch (vt->nparams ? vt->params[0] : 0) {
        case 0:
            vt_clear(vt, vt->y, MIN(vt->x, vt->cols), vt->cols);
            break;
        case 1:
            vt_clear(vt, vt->y, 0, MIN(vt->x + 1, vt->cols));
            break;
        default:
            vt_clear(vt, vt->y, 0, vt->cols);
            break;
        }
        break;
    case 'm':
        vt_sgr(vt);
        break;
    case 's':
        vt->saved_x = vt->x;
        vt->saved_y = vt->y;
        break;
    case 'u':
        vt_move_cursor(vt, vt->saved_x, vt->saved_y);
        break;
    default:
        break;
    }
}

static void vt_byte(VtState *vt, uint8_t b)
{
    switch (vt->state) {
    case VT_ESC:
        if (b == '[') {
            vt->state = VT_CSI;
            vt->nparams = 0;
            vt->private_mode = false;
            memset(vt->params, 0, sizeof(vt->params));
        } else {
            vt->state = VT_NORMAL;  /* two-byte sequences: ignored */
        }
        return;
    case VT_CSI:
        if (b >= '0' && b <= '9') {
            if (vt->nparams == 0) {
                vt->nparams = 1;
            }
            if (vt->nparams <= VT_MAX_PARAMS) {
                int *p = &vt->params[vt->nparams - 1];
                *p = MIN(*p * 10 + (b - '0'), 9999);
            }
        } else if (b == ';') {
            if (vt->nparams == 0) {
                vt->nparams = 1;
            }
            if (vt->nparams < VT_MAX_PARAMS) {
                vt->nparams++;
            }
        } else if (b == '?') {
            vt->private_mode = true;
        } else if (b >= 0x40 && b <= 0x7e) {
            vt->nparams = MIN(vt->nparams, VT_MAX_PARAMS);
            vt->state = VT_NORMAL;
            vt_csi(vt, b);
        } else if (b < 0x20 || b > 0x7e) {
            vt->state = VT_NORMAL;  /* broken sequence */
        }
        return;
    case VT_NORMAL:
        break;
    }

    if (vt->utf8_left) {
        if ((b & 0xc0) == 0x80) {
            vt->utf8_cp = (vt->utf8_cp << 6) | (b & 0x3f);
            if (--vt->utf8_left == 0) {
                vt_put(vt, vt->utf8_cp);
            }
            return;
        }
        vt->utf8_left = 0;
        vt_put(vt, 0xfffd);
    }
    switch (b) {
    case '\r':
        vt_move_cursor(vt, 0, vt->y);
        break;
    case '\n': {
        int ox = MIN(vt->x, vt->cols - 1), oy = vt->y;

        vt_newline(vt);
        /* After the move, so the old cell is drawn without the cursor. */
        vt_dirty(vt, ox, MAX(oy - (oy == vt->y), 0), 1, 1);
        vt_dirty(vt, MIN(vt->x, vt->cols - 1), vt->y, 1, 1);
        break;
    }
    case '\b':
        if (vt->x > 0) {
            vt_move_cursor(vt, MIN(vt->x, vt->cols) - 1, vt->y);
        }
        break;
    case '\t':
        vt_move_cursor(vt, MIN((vt->x + 8) & ~7, vt->cols - 1), vt->y);
        break;
    case 0x1b:
        vt->state = VT_ESC;
        break;
    case '\a':
        break;
    default:
        if (b < 0x20 || b == 0x7f) {
            break;
        }
        if (b < 0x80) {
            vt_put(vt, b);
        } else if ((b & 0xe0) == 0xc0) {
            vt->utf8_cp = b & 0x1f;
            vt->utf8_left = 1;
        } else if ((b & 0xf0) == 0xe0) {
            vt->utf8_cp = b & 0x0f;
            vt->utf8_left = 2;
        } else if ((b & 0xf8) == 0xf0) {
            vt->utf8_cp = b & 0x07;
            vt->utf8_left = 3;
        } else {
            vt_put(vt, 0xfffd);
        }
        break;
    }
}

void vt_input(VtState *vt, const uint8_t *buf, int len)
{
    int i;

    for (i = 0; i < len; i++) {
        vt_byte(vt, buf[i]);
    }
}

char *vt_row_text(VtState *vt, int y)
{
    GString *s = g_string_new(NULL);
    int x, end = 0;

    for (x = 0; x < vt->cols; x++) {
        if (vt_cell(vt, x, y)->ch != ' ') {
            end = x + 1;
        }
    }
    for (x = 0; x < end; x++) {
        g_string_append_unichar(s, vt_cell(vt, x, y)->ch);
    }
    return g_string_free(s, false);
}
