/*
 * Character devices: byte-stream backends (stdio, socket, file, pty, null,
 * ringbuf, mux) and the CharBackend through which a frontend (a serial
 * port, a monitor) uses one.  Corresponds to QEMU's include/chardev/char.h
 * and include/chardev/char-fe.h.
 *
 * Model.  A Chardev is a QOM object of a subtype of TYPE_CHARDEV
 * ("chardev-socket", ...) living under /chardevs, named by its label.  At
 * most one frontend is attached to a Chardev, except for the mux, which
 * lets up to MAX_MUX frontends share one backend and routes input to the
 * one that has the focus.
 *
 * Threading.  Chardevs belong to the main loop: they are created, used and
 * destroyed in the main thread with the BQL held, and every callback they
 * make (can_read, read, event, watches) runs there with the BQL held.  A
 * frontend may instead pass an AioContext to qemu_chr_fe_set_handlers();
 * the backend's fds are then watched by that context and the callbacks
 * run in its home thread, and the frontend must not touch the chardev from
 * any other thread.  Nothing here takes a lock of its own.
 *
 * I/O.  All I/O is non-blocking.  Output the fd does not take at once is
 * queued per chardev up to CHR_OUTQ_LIMIT bytes and written when the fd
 * becomes writable; past that bound writes return short.  Input is read
 * only while the frontend's can_read callback says it has room; a
 * frontend whose can_read returned 0 must call qemu_chr_fe_accept_input()
 * when it has room again, or it will not be offered input any more.
 *
 * SIGPIPE: sockets are written with send(MSG_NOSIGNAL), and creating the
 * first chardev sets SIGPIPE to SIG_IGN for the process (as QEMU's
 * os_setup_early_signal_handling does) so that a closed stdout pipe gives
 * EPIPE, never a signal.
 */
#ifndef QCORE_CHARDEV_H
#define QCORE_CHARDEV_H

#include "qcore/osdep.h"
#include "qcore/aio.h"
#include "qcore/error.h"
#include "qcore/object.h"
#include "qcore/option.h"
#include "qcore/qobject.h"
#include "qcore/queue.h"

/* Bytes of output a chardev queues before writes return short. */
#define CHR_OUTQ_LIMIT (1024 * 1024)
/* Frontends one mux can carry. */
#define MAX_MUX 4

typedef enum QEMUChrEvent {
    CHR_EVENT_BREAK,    /* serial break (the mux's Ctrl-A b) */
    CHR_EVENT_OPENED,   /* the backend is connected / ready */
    CHR_EVENT_MUX_IN,   /* this mux frontend got the focus */
    CHR_EVENT_MUX_OUT,  /* this mux frontend lost the focus */
    CHR_EVENT_CLOSED,   /* the backend lost its peer */
} QEMUChrEvent;

/* How many bytes the frontend can take now (0: none; see above). */
typedef int IOCanReadHandler(void *opaque);
/* @size bytes for the frontend; never more than can_read allowed. */
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, QEMUChrEvent event);
/* The chardev under the frontend was replaced; return 0 if that is fine. */
typedef int BackendChangeHandler(void *opaque);
/*
 * A watch callback: @cond says which of the watched conditions hold.
 * Return G_SOURCE_CONTINUE to keep the watch, G_SOURCE_REMOVE to drop it.
 * (@do_not_use is always NULL; it keeps QEMU's signature.)
 */
typedef gboolean FEWatchFunc(void *do_not_use, GIOCondition cond,
                             void *opaque);

typedef struct Chardev Chardev;
typedef struct ChardevClass ChardevClass;
typedef struct ChrWatch ChrWatch;

/*
 * The frontend's handle on a chardev; embedded in the frontend's state.
 * All fields belong to char-fe.c.
 */
typedef struct CharBackend {
    Chardev *chr;
    IOEventHandler *chr_event;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    BackendChangeHandler *chr_be_change;
    void *opaque;
    unsigned int tag;       /* index among a mux's frontends */
    bool fe_is_open;
} CharBackend;

#define TYPE_CHARDEV "chardev"
#define TYPE_CHARDEV_MUX "chardev-mux"
#define TYPE_CHARDEV_RINGBUF "chardev-ringbuf"
#define TYPE_CHARDEV_PTY "chardev-pty"

/*
 * The common part of every chardev.  Main loop (or the frontend's
 * AioContext, see above); the fields are char.c's except where noted.
 */
struct Chardev {
    Object parent_obj;

    char *label;            /* the id, also the name under /chardevs */
    char *filename;         /* what query-chardev reports */
    CharBackend *be;        /* the frontend (for a mux: the focused one) */
    AioContext *ctx;        /* where fd handlers run; NULL: main loop */
    int be_open;            /* OPENED sent and CLOSED not since */

    /*
     * fd-backed I/O, driven by char.c once the backend fills these in:
     * fd_in is read while the frontend has room, queued output goes to
     * fd_out.  -1 when there is none (or no peer).  fd_is_socket selects
     * send(MSG_NOSIGNAL) over write().
     */
    int fd_in;
    int fd_out;
    bool fd_is_socket;
    bool read_throttled;    /* can_read said 0: not watching fd_in */
    uint8_t *read_buf;      /* CHR_READ_BUF_MAX, for frontends that take
                               more than a page at once (char.c) */
    GByteArray *outq;       /* bytes waiting for fd_out to drain... */
    size_t outq_head;       /* ...from here on: outq[0..outq_head) is
                               written, dropped lazily (char.c) */
    /* What is registered now, so that a change can undo it exactly. */
    int reg_fd_in;
    int reg_fd_out;
    AioContext *reg_ctx;
    size_t outq_limit;
    QEMUBH *hup_bh;         /* deferred hang-up after a write error */

    QTAILQ_HEAD(, ChrWatch) watches;
    QEMUBH *watch_bh;
    guint next_watch_tag;
    int walking_watches;
};

struct ChardevClass {
    ObjectClass parent_class;

    /* Not creatable by name with -chardev / qemu_chr_new_from_opts. */
    bool internal;
    /* Short description for -chardev help. */
    const char *help;

    /*
     * Parse the backend's options from @opts and open it.  Set
     * *@be_opened to false if the backend will send CHR_EVENT_OPENED
     * itself later (a socket waiting for its peer).
     */
    void (*open)(Chardev *chr, QemuOpts *opts, bool *be_opened,
                 Error **errp);
    /*
     * Take up to @len bytes of output; returns how many were taken
     * (accepted or queued), or -1 with errno set.  Default: the fd
     * helpers below (write to fd_out, queue the rest).
     */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /* The frontend's handlers or context changed. */
    void (*chr_update_read_handler)(Chardev *chr);
    /* The frontend has room again.  Default: resume reading fd_in. */
    void (*chr_accept_input)(Chardev *chr);
    /* Deliver an event to the frontend(s).  Default: to chr->be. */
    void (*chr_be_event)(Chardev *chr, QEMUChrEvent event);
    /* Read EOF or a write error on the fds: the peer is gone. */
    void (*chr_hangup)(Chardev *chr);
    /* The frontend opened/closed (qemu_chr_fe_set_open). */
    void (*chr_set_fe_open)(Chardev *chr, int fe_open);
    /* Echo typed input (terminal backends). */
    void (*chr_set_echo)(Chardev *chr, bool echo);
    /*
     * The chardev whose output queue and watches stand for this one (the
     * mux answers with its underlying chardev).  Default: @chr itself.
     */
    Chardev *(*chr_io_owner)(Chardev *chr);
    /* HUP is true while this returns false.  Default: be_open. */
    bool (*chr_is_connected)(Chardev *chr);
};

#define CHARDEV(obj) OBJECT_CHECK(Chardev, (obj), TYPE_CHARDEV)
#define CHARDEV_CLASS(klass) \
    OBJECT_CLASS_CHECK(ChardevClass, (klass), TYPE_CHARDEV)
#define CHARDEV_GET_CLASS(obj) \
    OBJECT_GET_CLASS(ChardevClass, (obj), TYPE_CHARDEV)
#define CHARDEV_IS_MUX(chr) \
    (object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_MUX) != NULL)
#define CHARDEV_IS_RINGBUF(chr) \
    (object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_RINGBUF) != NULL)
#define CHARDEV_IS_PTY(chr) \
    (object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_PTY) != NULL)

/* ======================================================================
 * Creating and finding chardevs (vl.c, the monitor).  Main thread, BQL.
 * ====================================================================== */

/* The "-chardev" option group; vl.c registers it with qemu_add_opts(). */
extern QemuOptsList qemu_chardev_opts;

/*
 * Turn a legacy "-serial/-monitor/-qmp" string into a QemuOpts of
 * qemu_chardev_opts labelled @label: "stdio", "null", "pty", "file:PATH",
 * "unix:PATH[,opts]", "tcp:[HOST]:PORT[,opts]", and with @permit_mux_mon
 * "mon:" before any of them (mux=on; "mon:stdio" also sets signal=off, as
 * QEMU does, so that Ctrl-C goes to the guest).  Errors are reported with
 * error_report() ("'foo' is not a valid char driver") and give NULL.  The
 * caller deletes the QemuOpts when done.
 */
QemuOpts *qemu_chr_parse_compat(const char *label, const char *filename,
                                bool permit_mux_mon);

/*
 * Create the chardev described by @opts (-chardev syntax: backend=, id=,
 * the backend's keys, mux=on).  With mux=on the backend is created as
 * "<id>-base" and a mux named <id> is put on top of it; the mux is
 * returned.  "backend=help" prints the backend list and returns NULL
 * without setting @errp.  Errors: "chardev: no id specified",
 * "chardev: \"x\" missing backend", "'foo' is not a valid char driver
 * name", the backend's own.  @context: NULL for the main loop.
 */
Chardev *qemu_chr_new_from_opts(QemuOpts *opts, AioContext *context,
                                Error **errp);

/*
 * Create a chardev from a legacy string (see qemu_chr_parse_compat);
 * "chardev:ID" returns the existing chardev ID.  Errors are reported with
 * error_report() and give NULL.  qemu_chr_new refuses "mon:"; the _mux_mon
 * form accepts it and, for a mux, runs the hook installed with
 * qemu_chr_set_mux_mon_init() to put an HMP monitor on it (QEMU calls
 * monitor_init_hmp there; the monitor layer sits above us).
 */
Chardev *qemu_chr_new(const char *label, const char *filename,
                      AioContext *context);
Chardev *qemu_chr_new_mux_mon(const char *label, const char *filename,
                              AioContext *context);
typedef bool ChrMuxMonInit(Chardev *chr, Error **errp);
void qemu_chr_set_mux_mon_init(ChrMuxMonInit *fn);

/*
 * What the mux's Ctrl-A x does after printing "Terminated": QEMU calls
 * qmp_quit() there, which the system layer above us owns, so it
 * installs @fn (system/runstate.c: a shutdown request, cause
 * host-qmp-quit).  Without a hook Ctrl-A x only prints.
 */
void qemu_chr_set_mux_quit_hook(void (*fn)(void));

/* The chardev labelled @label, or NULL. */
Chardev *qemu_chr_find(const char *label);

/*
 * Remove chardev @id (QMP chardev-remove).  Errors: "Chardev 'x' not
 * found" (DeviceNotFound), "Chardev 'x' is busy" while a frontend uses it.
 */
bool qemu_chr_remove(const char *id, Error **errp);
/* Destroy every chardev (at exit; restores the terminal too). */
void qemu_chr_cleanup(void);

/* Print "-chardev help": "Available chardev backend types:" + names. */
void qemu_chr_print_backends(void);

/*
 * ringbuf-write / ringbuf-read (QMP, HMP) on ringbuf chardev @device.  With
 * @base64 the data is base64 (written: decoded first; read: encoded).
 * Read returns up to @size bytes, oldest first, as a string to g_free();
 * without base64 it is sanitised to valid UTF-8 like QEMU's.  Errors:
 * "Device 'x' not found", "x is not a ringbuf device", "size must be
 * greater than zero".
 */
bool ringbuf_write_str(const char *device, const char *data, bool base64,
                       Error **errp);
char *ringbuf_read_str(const char *device, int64_t size, bool base64,
                       Error **errp);

/*
 * The mux: muxes created while suspended (vl.c, during command line
 * processing) send CHR_EVENT_OPENED to their frontends only on
 * resume_mux_open(), so that banners and prompts go to the frontend that
 * ends up with the focus.  Main thread.
 */
void suspend_mux_open(void);
void resume_mux_open(void);
/* The escape character (-echr); Ctrl-A by default. */
extern int term_escape_char;

/* ======================================================================
 * The frontend API (char-fe.c).  Called from the thread of the context
 * given to qemu_chr_fe_set_handlers (the main loop by default), BQL held
 * for the main loop.
 * ====================================================================== */

/*
 * Attach @be to @s (@s may be NULL: a frontend without backend, whose
 * writes succeed and vanish).  Error "Device 'x' is in use" if @s already
 * has a frontend, or the mux's "too many uses of multiplexed chardev".
 */
bool qemu_chr_fe_init(CharBackend *be, Chardev *s, Error **errp);
/* Detach; with @del also destroy the chardev. */
void qemu_chr_fe_deinit(CharBackend *be, bool del);
/* The chardev, or NULL. */
Chardev *qemu_chr_fe_get_driver(CharBackend *be);
/* Whether a chardev is attached. */
bool qemu_chr_fe_backend_connected(CharBackend *be);
/* Whether the chardev has its peer (CHR_EVENT_OPENED sent). */
bool qemu_chr_fe_backend_open(CharBackend *be);

/*
 * Set the frontend's callbacks (all NULL: detach them).  @context: the
 * AioContext whose home thread watches the fds and runs the callbacks,
 * NULL for the main loop.  With @set_open, mark the frontend open when
 * any handler is given (closed otherwise); an open frontend of a mux
 * takes the focus, and if the backend is already open the frontend gets
 * CHR_EVENT_OPENED right away, from inside this call.
 */
void qemu_chr_fe_set_handlers(CharBackend *be,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              AioContext *context,
                              bool set_open);
/* The same; without @sync_state no OPENED is replayed (the mux uses it). */
void qemu_chr_fe_set_handlers_full(CharBackend *be,
                                   IOCanReadHandler *fd_can_read,
                                   IOReadHandler *fd_read,
                                   IOEventHandler *fd_event,
                                   BackendChangeHandler *be_change,
                                   void *opaque,
                                   AioContext *context,
                                   bool set_open, bool sync_state);
/*
 * Whether the chardev's I/O can be given to another AioContext's thread
 * (QEMU's QEMU_CHAR_FEATURE_GCONTEXT): sockets, stdio, pty, file; not the
 * mux, null or ringbuf.
 */
bool qemu_chr_fe_supports_context(CharBackend *be);
/* Give a mux frontend the focus (no-op for other chardevs). */
void qemu_chr_fe_take_focus(CharBackend *be);
/* Resume delivering input after can_read returned 0. */
void qemu_chr_fe_accept_input(CharBackend *be);
void qemu_chr_fe_set_open(CharBackend *be, bool is_open);
void qemu_chr_fe_set_echo(CharBackend *be, bool echo);

/*
 * Write @len bytes; never blocks.  Returns the number taken (written or
 * queued), fewer than @len when the output queue reached CHR_OUTQ_LIMIT,
 * or -1 with errno set (EPIPE after the peer went away; the CLOSED event
 * follows from the loop).  A socket without peer swallows the bytes and
 * returns @len, as QEMU's does.  Without a chardev: 0, as in QEMU.
 */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
/*
 * QEMU's write_all retries until everything is written, blocking the
 * thread.  Here output is queued instead, so this is qemu_chr_fe_write:
 * it returns fewer than @len only when the bound is reached.
 */
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
/* printf-style write (the monitor's banners). */
void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/*
 * Bytes queued and not yet taken by the fd.  A frontend that produces
 * output in reply to input (the monitor) stops reading while this is
 * high and resumes from a G_IO_OUT watch: that is what keeps memory
 * bounded for a peer that never reads.
 */
size_t qemu_chr_fe_get_pending(CharBackend *be);

/*
 * Call @func when @cond (G_IO_OUT and/or G_IO_HUP) becomes true: G_IO_OUT
 * when the output queue is empty, G_IO_HUP while the backend has no peer.
 * Checked when the watch is added and whenever the queue drains or the
 * connection state changes; a watch that returns G_SOURCE_CONTINUE is
 * called again at the next such change, not in a loop.  Returns a tag > 0
 * for qemu_chr_fe_remove_watch(), or 0 without a chardev.
 */
guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond,
                            FEWatchFunc func, void *opaque);
void qemu_chr_fe_remove_watch(CharBackend *be, guint tag);

/* ======================================================================
 * For backends (chardev/ only).  Same thread rules.
 * ====================================================================== */

/* Send @event to the frontend(s); OPENED/CLOSED also update be_open. */
void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event);
/* How much input the frontend can take now. */
int qemu_chr_be_can_write(Chardev *chr);
/* Hand input to the frontend (at most can_write bytes). */
void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len);
/* Write to @chr as its frontend would (the mux's help and messages). */
int qemu_chr_write(Chardev *chr, const uint8_t *buf, int len);
/* The AioContext @chr's fds are watched in. */
AioContext *qemu_chr_get_context(Chardev *chr);
/*
 * (Re)install the fd handlers for fd_in/fd_out after they or the
 * throttling state changed; call with fd_in/fd_out = -1 to remove them
 * first when closing an fd.
 */
void qemu_chr_fd_update_handlers(Chardev *chr);
void qemu_chr_fd_remove_handlers(Chardev *chr);
/* The default chr_write: write to fd_out, queue what it did not take. */
int qemu_chr_fd_write(Chardev *chr, const uint8_t *buf, int len);
/* Drop queued output (the peer is gone). */
void qemu_chr_fd_discard_output(Chardev *chr);
/* Watches on @chr itself (the frontend API goes through chr_io_owner). */
guint qemu_chr_add_watch(Chardev *chr, GIOCondition cond, FEWatchFunc func,
                         void *opaque);
void qemu_chr_remove_watch(Chardev *chr, guint tag);
/* Re-evaluate watches soon (after the queue drained or state changed). */
void qemu_chr_kick_watches(Chardev *chr);
/* Set chr->filename to a copy of @filename. */
void qemu_chr_set_filename(Chardev *chr, const char *filename);

/* The mux's side of the frontend API. */
bool mux_chr_attach_frontend(Chardev *chr, CharBackend *be,
                             unsigned int *tag, Error **errp);
void mux_chr_detach_frontend(Chardev *chr, unsigned int tag);
void mux_set_focus(Chardev *chr, unsigned int focus);

/*
 * Type registration: char.c's type_init registers every backend, so that
 * linking against the static library pulls all of them in.
 */
void char_null_register_types(void);
void char_file_register_types(void);
void char_stdio_register_types(void);
void char_socket_register_types(void);
void char_pty_register_types(void);
void char_ringbuf_register_types(void);
void char_mux_register_types(void);

#endif
