/*
 * Consoles, display surfaces and display-change listeners: what a display
 * backend (the VNC server) shows and where its keyboard input goes.
 * Corresponds to QEMU's include/ui/console.h and include/ui/surface.h.
 */
#ifndef QCORE_CONSOLE_H
#define QCORE_CONSOLE_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/queue.h"
#include <pixman.h>

/* ---- surfaces --------------------------------------------------------- */

/*
 * A framebuffer: a pixman image in PIXMAN_x8r8g8b8 (the only format
 * here; QEMU's default surface format too).  Owned by its console.
 */
typedef struct DisplaySurface {
    pixman_image_t *image;
} DisplaySurface;

DisplaySurface *qemu_create_displaysurface(int width, int height);
void qemu_free_displaysurface(DisplaySurface *surface);

static inline int surface_width(DisplaySurface *s)
{
    return pixman_image_get_width(s->image);
}
static inline int surface_height(DisplaySurface *s)
{
    return pixman_image_get_height(s->image);
}
static inline int surface_stride(DisplaySurface *s)
{
    return pixman_image_get_stride(s->image);
}
static inline void *surface_data(DisplaySurface *s)
{
    return pixman_image_get_data(s->image);
}

/* ---- the mouse cursor ------------------------------------------------- */

/*
 * A pointer image a device defines (virtio-gpu's cursor queue) and a
 * display shows client-side (VNC's Cursor pseudo-encoding).  Pixels are
 * 32-bit ARGB, alpha 0 transparent.  Reference counted: the console keeps
 * the current one, listeners may keep it too.  QEMU's QEMUCursor.
 */
typedef struct QEMUCursor {
    uint16_t width, height;
    int hot_x, hot_y;
    int refcount;
    uint32_t data[];
} QEMUCursor;

/* Cursors larger than this are refused (QEMU's limit is the same). */
#define QEMU_CURSOR_MAX 512

/* NULL if @width or @height is 0 or above QEMU_CURSOR_MAX. */
QEMUCursor *cursor_alloc(uint16_t width, uint16_t height);
QEMUCursor *cursor_ref(QEMUCursor *c);
void cursor_unref(QEMUCursor *c);
/* 1 bit per pixel masks, rows padded to bytes, as RFB's Cursor wants. */
void cursor_get_mono_mask(QEMUCursor *c, int transparent, uint8_t *mask);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QEMUCursor, cursor_unref)

/* ---- consoles and listeners ------------------------------------------ */

typedef struct QemuConsole QemuConsole;
typedef struct DisplayChangeListener DisplayChangeListener;

/*
 * What a display backend implements.  All callbacks run in the main
 * thread with the BQL held.
 */
typedef struct DisplayChangeListenerOps {
    const char *dpy_name;
    /* The refresh timer fired (every update_interval ms). */
    void (*dpy_refresh)(DisplayChangeListener *dcl);
    /* Pixels in the rectangle changed. */
    void (*dpy_gfx_update)(DisplayChangeListener *dcl,
                           int x, int y, int w, int h);
    /* The console's surface was replaced (new size), or another console
     * became the active one. */
    void (*dpy_gfx_switch)(DisplayChangeListener *dcl,
                           DisplaySurface *new_surface);
    /* Optional: a rectangle moved inside the surface (already done in
     * the pixels).  Without it the destination is reported as an
     * update. */
    void (*dpy_gfx_copy)(DisplayChangeListener *dcl, int src_x, int src_y,
                         int dst_x, int dst_y, int w, int h);
    /* Optional: the pointer moved or was shown/hidden by the device. */
    void (*dpy_mouse_set)(DisplayChangeListener *dcl, int x, int y, bool on);
    /* Optional: the device defined a new pointer image. */
    void (*dpy_cursor_define)(DisplayChangeListener *dcl, QEMUCursor *c);
} DisplayChangeListenerOps;

struct DisplayChangeListener {
    uint64_t update_interval;           /* ms; 0: the default */
    const DisplayChangeListenerOps *ops;
    QemuConsole *con;                   /* NULL: follow the active one */
    QLIST_ENTRY(DisplayChangeListener) next;
};

/* The refresh period without an explicit update_interval (QEMU's). */
#define GUI_REFRESH_INTERVAL_DEFAULT 30

/*
 * Register/unregister a listener; the first registered starts the
 * refresh timer, the last unregistered stops it.  Registration calls
 * dpy_gfx_switch with the current surface at once.
 */
void register_displaychangelistener(DisplayChangeListener *dcl);
void unregister_displaychangelistener(DisplayChangeListener *dcl);
/* Whether the refresh timer runs (for tests and info). */
bool qemu_console_refresh_active(void);

/*
 * What a display would like a console's device to show (QEMU's
 * QemuUIInfo): a window size, position and physical size.  Zero width or
 * height asks the device to disconnect the output.
 */
typedef struct QemuUIInfo {
    uint16_t width_mm, height_mm;
    int xoff, yoff;
    uint32_t width, height;
    uint32_t refresh_rate;              /* mHz; 0: the device's default */
} QemuUIInfo;

/* A device that draws. */
typedef struct GraphicHwOps {
    /* Called on each refresh to push its changes. */
    void (*gfx_update)(void *opaque);
    /* Optional: a display asks head @head for @info's size (QEMU's
     * GraphicHwOps.ui_info); the device tells its guest, which may then
     * resize the surface.  Main thread, BQL. */
    void (*ui_info)(void *opaque, uint32_t head, QemuUIInfo *info);
} GraphicHwOps;

/*
 * A graphic console for head @head of device @dev (NULL for none), as
 * QEMU's; screendump's device/head and input routing find it by those.
 */
typedef struct DeviceState DeviceState;
QemuConsole *graphic_console_init(DeviceState *dev, uint32_t head,
                                  const GraphicHwOps *ops, void *opaque);

/* For the device / the VC: tell the listeners of @con what changed. */
void dpy_gfx_update(QemuConsole *con, int x, int y, int w, int h);
void dpy_gfx_replace_surface(QemuConsole *con, DisplaySurface *surface);
/* Move a rectangle inside the surface: the pixels, then the listeners. */
void dpy_gfx_copy(QemuConsole *con, int src_x, int src_y,
                  int dst_x, int dst_y, int w, int h);
void dpy_mouse_set(QemuConsole *con, int x, int y, bool on);
/* The console keeps a reference; a listener registered later is told. */
void dpy_cursor_define(QemuConsole *con, QEMUCursor *cursor);
QEMUCursor *qemu_console_get_cursor(QemuConsole *con);

/*
 * Display-driven resize (QEMU's dpy_*_ui_info).  @con NULL means the
 * active console.  Supported when the console's device has a ui_info op;
 * dpy_set_ui_info() stores @info and, if it differs from the last one,
 * hands it to the device from a timer: at once, or after a second
 * without another change with @delay (a window being dragged).  -1 when
 * not supported.
 */
bool dpy_ui_info_supported(QemuConsole *con);
const QemuUIInfo *dpy_get_ui_info(QemuConsole *con);
int dpy_set_ui_info(QemuConsole *con, QemuUIInfo *info, bool delay);

DisplaySurface *qemu_console_surface(QemuConsole *con);
QemuConsole *qemu_console_lookup_by_index(unsigned index);
/* The console of head @head of @dev, or NULL. */
QemuConsole *qemu_console_lookup_by_device(DeviceState *dev, uint32_t head);
/* The device a graphic console shows (QEMU's "device" link), or NULL. */
typedef struct Object Object;
Object *qemu_console_get_device(QemuConsole *con);
/*
 * The same by the device's id (-device ...,id=ID); NULL with QEMU's
 * errors: "Device 'ID' not found" (DeviceNotFound), "Device ID (head N)
 * is not bound to a QemuConsole".
 */
QemuConsole *qemu_console_lookup_by_device_name(const char *device_id,
                                                uint32_t head, Error **errp);
unsigned qemu_console_get_index(QemuConsole *con);
bool qemu_console_is_graphic(QemuConsole *con);
/* The console shown by listeners that follow the active one. */
QemuConsole *qemu_console_active(void);
/* Ctrl-Alt-N in QEMU: make console @index the active one. */
void console_select(unsigned index);

/*
 * Keyboard input as X11 keysyms (what RFB carries).  Modifier keysyms
 * are tracked here; Ctrl-Alt-1..9 select a console; everything else
 * goes to the active console if it is a text one (as bytes on its
 * chardev: QEMU's kbd_put_keysym_console).  True if the key was taken
 * by the display itself (a console switch) and goes nowhere else.
 */
bool qemu_input_keysym(uint32_t keysym, bool down);

/*
 * The PSF font the text consoles draw with: QCORE_CONSOLE_FONT from the
 * environment, else QEMU_CONSOLE_FONT_DEFAULT (console-setup-linux).
 */
#define QEMU_CONSOLE_FONT_DEFAULT "/usr/share/consolefonts/Lat15-VGA16.psf.gz"

typedef struct QemuFont {
    int width, height;          /* pixels; width is 8 for PSF1 */
    int glyph_bytes;
    int nglyphs;
    uint8_t *glyphs;            /* nglyphs * glyph_bytes, rows of bits */
    GHashTable *unimap;         /* code point -> glyph index + 1 */
} QemuFont;

QemuFont *qemu_font_load(const char *path, Error **errp);
/* Glyph index for @cp (the replacement '?' if the font lacks it). */
int qemu_font_glyph(const QemuFont *font, uint32_t cp);
void qemu_font_free(QemuFont *font);

/* ---- the VNC server (ui/vnc.c) --------------------------------------- */

/* -vnc OPTSTR: parse and open at once (errors exit at startup). */
bool vnc_display_open(const char *optstr, Error **errp);
/* Whether -vnc asked for a display (anything but "none"). */
bool vnc_display_configured(void);
/* After the board: bind display=ID to that device's console. */
bool vnc_display_init_late(Error **errp);
void vnc_display_cleanup(void);
typedef struct Monitor Monitor;
typedef struct QDict QDict;
void hmp_info_vnc(Monitor *mon, const QDict *qdict);
void hmp_set_password(Monitor *mon, const QDict *qdict);
void hmp_expire_password(Monitor *mon, const QDict *qdict);

/* ---- screendump (ui/screendump.c; QMP's is qmp_screendump) ------------ */

void hmp_screendump(Monitor *mon, const QDict *qdict);

#endif
