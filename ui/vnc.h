/*
 * The VNC server's private types: displays, clients, the tile dirty map
 * and the jobs the worker thread encodes.
 * Corresponds to QEMU's ui/vnc.h and ui/vnc-jobs.h.
 */
#ifndef UI_VNC_H
#define UI_VNC_H

#include "qcore/osdep.h"
#include "qcore/console.h"
#include "qcore/queue.h"
#include "qcore/thread.h"
#include <zlib.h>

/* ---- the tile dirty map ------------------------------------------------ */

/* Changes are tracked per VNC_TILE x VNC_TILE block of pixels. */
#define VNC_TILE 16

typedef struct VncDirty {
    int width, height;          /* pixels */
    int tw, th;                 /* tiles */
    unsigned long *bits;        /* tw * th bits, row-major */
} VncDirty;

typedef struct VncRect {
    int x, y, w, h;
} VncRect;

void vnc_dirty_init(VncDirty *d, int width, int height);
void vnc_dirty_destroy(VncDirty *d);
/* Mark the tiles the pixel rectangle touches (clipped to the size). */
void vnc_dirty_mark(VncDirty *d, int x, int y, int w, int h);
bool vnc_dirty_any(const VncDirty *d);
/*
 * Take the dirty tiles as pixel rectangles (runs of tiles in a row,
 * merged with the same run in the rows below, clipped to the size) and
 * clear them.  Returns a GArray of VncRect.
 */
GArray *vnc_dirty_take_rects(VncDirty *d);

/* ---- pixel formats ------------------------------------------------------ */

typedef struct VncPixelFormat {
    int bytes_per_pixel;        /* 1, 2 or 4 */
    int depth;
    bool big_endian;
    uint16_t rmax, gmax, bmax;
    uint8_t rshift, gshift, bshift;
} VncPixelFormat;

/* ---- jobs (ui/vnc-jobs.c) ---------------------------------------------- */

#define VNC_ENCODING_RAW 0
#define VNC_ENCODING_HEXTILE 5
#define VNC_ENCODING_ZLIB 6
#define VNC_ENCODING_DESKTOPRESIZE (-223)

typedef struct VncState VncState;

/*
 * One framebuffer update for one client.  Built in the main thread with
 * copies of the dirty pixels, so the worker never touches a surface;
 * encoded by the worker into @out; handed back to the main loop, which
 * appends @out to the client's output.
 */
typedef struct VncJob {
    VncState *vs;
    int encoding;
    VncPixelFormat pf;
    z_stream *zlib;             /* the client's; see VncState */
    bool resize;                /* lead with a DesktopSize rectangle */
    int width, height;          /* for it */
    GArray *rects;              /* VncRect */
    GPtrArray *pixels;          /* per rect: w*h x8r8g8b8, packed */
    GByteArray *out;
    QSIMPLEQ_ENTRY(VncJob) next;
} VncJob;

VncJob *vnc_job_new(VncState *vs);
/* Queue for the worker (started on first use).  Main thread. */
void vnc_job_push(VncJob *job);
void vnc_job_free(VncJob *job);
/* Called in the main thread for each encoded job. */
void vnc_job_done(VncJob *job);
/* The worker's encoder, also usable inline (tests). */
void vnc_job_encode(VncJob *job);
void vnc_jobs_stop(void);

/* ---- server and clients ------------------------------------------------ */

typedef enum VncSharePolicy {
    VNC_SHARE_POLICY_IGNORE,
    VNC_SHARE_POLICY_ALLOW_EXCLUSIVE,
    VNC_SHARE_POLICY_FORCE_SHARED,
} VncSharePolicy;

typedef struct VncDisplay VncDisplay;

typedef int VncReadEvent(VncState *vs, uint8_t *data, size_t len);

/* All fields: main thread, BQL; except zlib (see below). */
struct VncState {
    VncDisplay *vd;
    int fd;
    char *host, *service, *family;
    bool websocket;
    int minor;                  /* RFB 3.minor */
    bool initialized;           /* ServerInit sent */
    bool shared;
    bool closing;               /* fd closed, waiting for its job */
    uint8_t challenge[16];      /* VNC authentication */
    GByteArray *input;
    GByteArray *output;
    size_t output_limit;        /* throttle (see vnc_update_throttle) */
    size_t skip;                /* ClientCutText bytes to discard */
    VncReadEvent *read_handler;
    size_t read_handler_expect;
    VncPixelFormat pf;
    int encoding;
    bool has_resize;
    bool update_requested;
    bool force_update;
    bool need_resize;
    int client_width, client_height;
    VncDirty dirty;
    bool job_in_flight;
    int last_bmask;             /* PointerEvent buttons (ui/input.c) */
    int last_x, last_y;         /* for a relative mouse; -1: none yet */
    /*
     * Zlib encoding's stream: only the worker touches it, and only while
     * this client's (single) job is in flight; freed by the main thread
     * when none is.
     */
    z_stream zlib;
    bool zlib_init;
    QTAILQ_ENTRY(VncState) next;
};

struct VncDisplay {
    char *id;
    GArray *lsock;              /* listening fds (int) */
    char *unix_path;
    char *host, *service, *family;  /* what query-vnc reports */
    VncSharePolicy share_policy;
    int auth;                   /* VNC_AUTH_NONE or VNC_AUTH_VNC */
    char *password;             /* password=on: NULL until one is set */
    int num_exclusive;
    DisplayChangeListener dcl;
    DisplaySurface *ds;
    QTAILQ_HEAD(, VncState) clients;
    QTAILQ_ENTRY(VncDisplay) next;
};

#endif
