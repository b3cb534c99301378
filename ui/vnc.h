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
#include "qcore/error.h"
#include "qcore/crypto/tlssession.h"
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
 * The pixels of (sx, sy, w, h) moved to (dx, dy): the dirty parts of the
 * source are marked at the destination as well (the source stays).
 */
void vnc_dirty_move(VncDirty *d, int sx, int sy, int dx, int dy,
                    int w, int h);
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

/* An x8r8g8b8 pixel as the client's pixel value (scaled, shifted). */
uint32_t vnc_pixel_value(const VncPixelFormat *pf, uint32_t rgb);
/* Append @v as a PIXEL: bytes_per_pixel bytes in the client's order. */
void vnc_put_pixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v);
void vnc_convert_pixels(GByteArray *b, const VncPixelFormat *pf,
                        const uint32_t *src, size_t n);
/*
 * ZRLE's CPIXEL: 3 bytes when a 32-bit true-colour format's colour bits
 * all sit in its low or its high three bytes; 0 when it is a PIXEL.
 */
int vnc_cpixel_bytes(const VncPixelFormat *pf);
void vnc_put_cpixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v);
void vnc_put_cpixels(GByteArray *b, const VncPixelFormat *pf,
                     const uint32_t *v, size_t n);
/* Palettes (ZRLE, Tight): colours in first-seen order. */
typedef struct VncPalette {
    int n;
    uint32_t colour[256];
    uint32_t key[512];
    int16_t idx[512];           /* -1: an empty slot */
} VncPalette;

void vnc_palette_init(VncPalette *p);
/* Index of @c, added if new; -1 when that would make more than @max. */
int vnc_palette_add(VncPalette *p, uint32_t c, int max);
int vnc_palette_index(const VncPalette *p, uint32_t c);

/* Tight's TPIXEL is R, G, B bytes for 32 bpp, depth 24, maxima 255. */
bool vnc_tpixel_is_rgb(const VncPixelFormat *pf);
void vnc_put_tpixel(GByteArray *b, const VncPixelFormat *pf, uint32_t v);
void vnc_put_tpixels(GByteArray *b, const VncPixelFormat *pf,
                     const uint32_t *v, size_t n);

/* ---- jobs (ui/vnc-jobs.c) ---------------------------------------------- */

#define VNC_ENCODING_RAW 0
#define VNC_ENCODING_COPYRECT 1
#define VNC_ENCODING_HEXTILE 5
#define VNC_ENCODING_ZLIB 6
#define VNC_ENCODING_TIGHT 7
#define VNC_ENCODING_ZRLE 16
#define VNC_ENCODING_DESKTOPRESIZE (-223)
#define VNC_ENCODING_RICH_CURSOR (-239)
#define VNC_ENCODING_DESKTOP_RESIZE_EXT (-308)
#define VNC_ENCODING_ALPHA_CURSOR (-314)
#define VNC_ENCODING_LED_STATE (-261)
#define VNC_ENCODING_COMPRESSLEVEL0 (-256)
#define VNC_ENCODING_QUALITYLEVEL0 (-32)

/*
 * The client's compression state, which lives as long as the connection
 * (RFB's zlib streams never restart): Zlib's stream, ZRLE's, and Tight's
 * four.  Only the worker touches it, and only while the client's single
 * job is in flight; the main thread frees it when none is.
 */
enum {
    VNC_ZS_ZLIB,
    VNC_ZS_ZRLE,
    VNC_ZS_TIGHT,               /* + Tight stream id 0..3 */
    VNC_ZS_COUNT = VNC_ZS_TIGHT + 4,
};

typedef struct VncStreams {
    z_stream zs[VNC_ZS_COUNT];
    int level[VNC_ZS_COUNT];    /* -1: not initialised */
} VncStreams;

void vnc_streams_init(VncStreams *s);
void vnc_streams_free(VncStreams *s);
/*
 * Deflate @len bytes through stream @id at @level (Z_SYNC_FLUSH, so the
 * client can decode this much now), appending to @out.
 */
void vnc_deflate(VncStreams *s, int id, int level, GByteArray *out,
                 const uint8_t *data, size_t len);

/* A CopyRect: the client moves its own pixels. */
typedef struct VncCopy {
    int src_x, src_y, dst_x, dst_y, w, h;
} VncCopy;

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
    VncStreams *streams;        /* the client's; see VncStreams */
    int compression;            /* 0..9, the client's level (default 9) */
    int quality;                /* 0..9, or -1: no JPEG */
    bool resize;                /* lead with a DesktopSize rectangle */
    bool resize_ext;            /* ... the ExtendedDesktopSize kind */
    int width, height;          /* for it */
    GArray *copies;             /* VncCopy, sent before the rects */
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
/* Per encoding: append one rect's rectangles (header and body) to
 * job->out; returns how many rectangles that was. */
int vnc_zrle_send_rect(VncJob *job, const VncRect *r, const uint32_t *px);
int vnc_tight_send_rect(VncJob *job, const VncRect *r, const uint32_t *px);
void vnc_put_rect_header(GByteArray *b, int x, int y, int w, int h,
                         int32_t encoding);
/* A pointer image as its own FramebufferUpdate: the rich cursor (-239:
 * pixels in @pf and a 1-bit mask) or the alpha cursor (-314). */
void vnc_cursor_encode(GByteArray *b, const VncPixelFormat *pf,
                       QEMUCursor *c, int encoding);
void vnc_jobs_stop(void);

/* ---- websockets (ui/vnc-ws.c) ------------------------------------------ */

/* The largest frame a client may send (a ClientCutText fits). */
#define VNC_WS_MAX_PAYLOAD (2 << 20)

/*
 * One websocket client's transport state.  Main thread only.  Input is
 * unmasked as it arrives (a frame's payload is never held whole); output
 * is framed at flush time into @wire, which the socket drains.
 */
typedef struct VncWs {
    bool upgraded;              /* the HTTP handshake is done */
    GByteArray *request;        /* the HTTP request until its blank line */
    uint8_t hdr[14];            /* the frame header being gathered */
    size_t hdr_len;
    uint8_t opcode;             /* of the frame whose payload comes */
    uint64_t remain;            /* its payload bytes still to come */
    uint8_t mask[4];
    unsigned mask_pos;
    bool in_message;            /* a fragmented binary message goes on */
    uint8_t ctl[125];           /* a control frame's payload */
    size_t ctl_len;
    bool close_sent;
    GByteArray *wire;           /* bytes for the socket, framed */
} VncWs;

VncWs *vncws_new(void);
void vncws_free(VncWs *ws);
/*
 * Feed the HTTP upgrade request.  Returns 0 (more is needed), 1 (upgraded:
 * the 101 reply is in ws->wire) or -1 (refused: an HTTP error is in
 * ws->wire, @errp says why).  *used: how much of @data was the request.
 */
int vncws_handshake(VncWs *ws, const uint8_t *data, size_t len,
                    size_t *used, Error **errp);
/*
 * Decode bytes from the socket: binary payload goes to @payload, answers
 * (pong, close) to ws->wire.  Returns 0, 1 (the client closed cleanly) or
 * -1 (a protocol error, @errp says which; a close frame is in ws->wire).
 */
int vncws_decode(VncWs *ws, const uint8_t *data, size_t len,
                 GByteArray *payload, Error **errp);
/* Append one unmasked frame carrying @data to ws->wire. */
void vncws_encode(VncWs *ws, uint8_t opcode, const uint8_t *data, size_t len);

/* ---- server and clients ------------------------------------------------ */

/* RFB security types, and VeNCrypt's subtypes (QEMU's numbering). */
#define VNC_AUTH_INVALID 0
#define VNC_AUTH_NONE 1
#define VNC_AUTH_VNC 2
#define VNC_AUTH_VENCRYPT 19
#define VNC_AUTH_VENCRYPT_TLSNONE 257
#define VNC_AUTH_VENCRYPT_TLSVNC 258
#define VNC_AUTH_VENCRYPT_X509NONE 260
#define VNC_AUTH_VENCRYPT_X509VNC 261

typedef enum VncSharePolicy {
    VNC_SHARE_POLICY_IGNORE,
    VNC_SHARE_POLICY_ALLOW_EXCLUSIVE,
    VNC_SHARE_POLICY_FORCE_SHARED,
} VncSharePolicy;

typedef struct VncDisplay VncDisplay;

typedef int VncReadEvent(VncState *vs, uint8_t *data, size_t len);

/* All fields: main thread, BQL; except streams (see VncStreams). */
struct VncState {
    VncDisplay *vd;
    int fd;
    char *host, *service, *family;
    bool websocket;
    VncWs *ws;                  /* websocket transport, or NULL */
    QCryptoTLSSession *tls;     /* VeNCrypt's TLS, once accepted */
    bool tls_handshaking;       /* its handshake owns the socket */
    size_t tls_send_len;        /* a record send to repeat (EAGAIN) */
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
    VncStreams streams;         /* see VncStreams */
    /* Encodings (SetEncodings) */
    int compression, quality;   /* Tight's levels (QEMU: 9 and -1) */
    bool has_copyrect;
    bool has_resize_ext;
    int cursor_encoding;        /* rich or alpha cursor; 0: none */
    bool has_led_state;         /* the LED State pseudo-encoding */
    GArray *copies;             /* VncCopy not yet in a job */
    int last_bmask;             /* PointerEvent buttons (ui/input.c) */
    int last_x, last_y;         /* for a relative mouse; -1: none yet */
    QTAILQ_ENTRY(VncState) next;
};

struct VncDisplay {
    char *id;
    GArray *lsock;              /* listening fds (int) */
    GArray *lwebsock;           /* websocket listening fds (int) */
    char *display_dev;          /* display=: bound once devices exist */
    uint32_t display_head;
    char *unix_path;
    char *host, *service, *family;  /* what query-vnc reports */
    VncSharePolicy share_policy;
    int auth;                   /* VNC_AUTH_NONE, _VNC or _VENCRYPT */
    int subauth;                /* VeNCrypt's VNC_AUTH_VENCRYPT_* */
    char *tlscreds_id;          /* tls-creds=: resolved once objects exist */
    QCryptoTLSCreds *tlscreds;  /* a reference, or NULL */
    bool lossy;                 /* lossy=on: Tight may send JPEG */
    QEMUCursor *cursor;         /* the console's pointer image, or NULL */
    struct QEMUPutLEDEntry *led_entry;  /* our keyboard-LED handler */
    char *password;             /* password=on: NULL until one is set */
    time_t expires;             /* expire_password; TIME_MAX: never */
    int num_exclusive;
    DisplayChangeListener dcl;
    DisplaySurface *ds;
    QTAILQ_HEAD(, VncState) clients;
    QTAILQ_ENTRY(VncDisplay) next;
};

/* ---- for the authentication files (ui/vnc-auth-vencrypt.c) ----------- */

void vnc_write(VncState *vs, const void *data, size_t len);
void vnc_write_u8(VncState *vs, uint8_t v);
void vnc_write_u32(VncState *vs, uint32_t v);
void vnc_flush(VncState *vs);
void vnc_set_handlers(VncState *vs);
void vnc_disconnect(VncState *vs);
void vnc_read_when(VncState *vs, VncReadEvent *func, size_t expect);
/* After authentication: the VNC challenge, or ClientInit next. */
void vnc_start_auth_vnc(VncState *vs);
void vnc_start_client_init(VncState *vs);

/* VeNCrypt (security type 19): its negotiation, then TLS. */
void vnc_start_vencrypt(VncState *vs);
/* The client's socket through TLS once its handshake is done. */
ssize_t vnc_tls_send(VncState *vs, const uint8_t *data, size_t len);
ssize_t vnc_tls_recv(VncState *vs, uint8_t *buf, size_t len);
/* Drive the handshake: the fd handler while it lasts. */
void vnc_tls_handshake_io(void *opaque);

#endif
