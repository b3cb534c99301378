/*
 * AioContext: an event loop that is also a glib GSource.  It owns fd
 * handlers, bottom halves (BHs), a timer list group, an EventNotifier for
 * wake-ups and the queue of coroutines scheduled into it.
 * Corresponds to QEMU's include/block/aio.h, util/async.c and
 * util/aio-posix.c.
 *
 * Threads: an AioContext has one home thread, the one that calls
 * aio_poll() on it (the main loop thread for qemu_aio_context, an
 * IOThread for the others).  Functions say below where they may be called.
 */
#ifndef QCORE_AIO_H
#define QCORE_AIO_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/event-notifier.h"
#include "qcore/queue.h"
#include "qcore/thread.h"
#include "qcore/timer.h"

typedef struct AioContext AioContext;
typedef struct QEMUBH QEMUBH;
typedef struct AioHandler AioHandler;
typedef struct BHListSlice BHListSlice;
typedef struct Coroutine Coroutine;
typedef struct ThreadPool ThreadPool;
typedef struct FDMonOps FDMonOps;

typedef void QEMUBHFunc(void *opaque);
typedef void IOHandler(void *opaque);
/* Busy-poll callback: return true if the handler has work. */
typedef bool AioPollFn(void *opaque);

typedef QLIST_HEAD(, AioHandler) AioHandlerList;
typedef QSLIST_HEAD(, QEMUBH) BHList;

struct AioContext {
    /* First member, so that an AioContext is a GSource. */
    GSource source;

    /*
     * Handler list.  Written under list_lock; walked by the home thread
     * with list_lock dropped while walking_handlers > 0, so nodes are only
     * unlinked and freed when no walk is in progress (removal inside a
     * callback just marks the node deleted).
     */
    QemuMutex list_lock;
    int walking_handlers;           /* list_lock */
    AioHandlerList aio_handlers;    /* list_lock to write */
    AioHandlerList deleted_aio_handlers; /* list_lock */
    /* fd -> its live (not deleted) handler, so updates are O(1). */
    GHashTable *fd_handlers;        /* list_lock */

    /*
     * notify_me is non-zero while the home thread is about to block (in
     * aio_poll with blocking=true it holds 2 per nested call, the GSource
     * prepare step sets bit 0).  aio_notify only writes the eventfd when
     * it sees notify_me != 0, so scheduling a BH from the home thread, or
     * while the loop is busy, costs no system call.  The ordering argument
     * is spelled out at each smp_mb that relies on it.
     */
    uint32_t notify_me;
    /* Set by aio_notify, cleared by aio_notify_accept: a wake-up is owed. */
    bool notified;
    EventNotifier notifier;

    /* BHs pushed lock-free by qemu_bh_schedule (any thread). */
    BHList bh_list;
    /*
     * Slices of bh_list being dispatched by aio_bh_poll; a stack because a
     * BH callback may run a nested aio_poll.  Home thread only.
     */
    QSIMPLEQ_HEAD(, BHListSlice) bh_slice_list;

    /* Coroutines queued by aio_co_schedule, entered by co_schedule_bh. */
    QSLIST_HEAD(, Coroutine) scheduled_coroutines;
    QEMUBH *co_schedule_bh;

    QEMUTimerListGroup tlg;

    /* Thread pool, created on first use; home thread only. */
    ThreadPool *thread_pool;
    int thread_pool_min;
    int thread_pool_max;

    /*
     * Adaptive busy polling, home thread only.  poll_ns is the current
     * polling window; it grows towards poll_max_ns while events keep
     * arriving just after the window ends and shrinks when they do not.
     */
    int64_t poll_ns;
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    /* Handlers without an io_poll callback: polling alone can't see them. */
    int poll_disable_cnt;           /* list_lock to write; atomic read */
    bool poll_started;

    /*
     * fd monitoring backend (epoll or poll) and its state.  The context's
     * thread changes them (epoll falls back to poll); other threads may
     * read fdmon_ops and epollfd atomically (x-query-main-loop).
     */
    const FDMonOps *fdmon_ops;
    int epollfd;
    GPollFD epoll_gpfd;             /* epollfd as seen by glib */
    void *fdmon_opaque;             /* backend private data */

    /*
     * Statistics for x-query-main-loop / info mainloop.  Written by the
     * home thread only, read anywhere with qatomic_read.
     */
    uint64_t poll_count;            /* aio_poll calls */
    uint64_t gsource_dispatch_count; /* dispatches as a glib GSource */
    uint64_t bh_dispatch_count;     /* BH callbacks run */
};

/* ---- life cycle ----------------------------------------------------- */
/*
 * Create a context.  The fd monitor is epoll unless the environment
 * variable QCORE_FDMON=poll asks for ppoll(2).
 */
AioContext *aio_context_new(Error **errp);
void aio_context_ref(AioContext *ctx);
void aio_context_unref(AioContext *ctx);
GSource *aio_get_g_source(AioContext *ctx);
/* The name of the fd monitor in use: "epoll" or "poll". */
const char *aio_context_fdmon_name(AioContext *ctx);

/* ---- bottom halves -------------------------------------------------- */
/*
 * A BH is a callback run once by the context's home thread after
 * qemu_bh_schedule, however many times it was scheduled before it ran.
 * Each aio_poll runs one round: a BH scheduled by a BH callback runs in
 * the next aio_poll call.  BHs run in the order they were scheduled.
 */
QEMUBH *aio_bh_new_full(AioContext *ctx, QEMUBHFunc *cb, void *opaque,
                        const char *name);
#define aio_bh_new(ctx, cb, opaque) \
    aio_bh_new_full((ctx), (cb), (opaque), (stringify(cb)))
/* Schedule a BH that is freed after it ran.  Any thread. */
void aio_bh_schedule_oneshot_full(AioContext *ctx, QEMUBHFunc *cb,
                                  void *opaque, const char *name);
#define aio_bh_schedule_oneshot(ctx, cb, opaque) \
    aio_bh_schedule_oneshot_full((ctx), (cb), (opaque), (stringify(cb)))
/* Any thread; cheap and syscall-free unless the home thread is blocked. */
void qemu_bh_schedule(QEMUBH *bh);
/* Like qemu_bh_schedule but does not wake the loop nor count as progress. */
void qemu_bh_schedule_idle(QEMUBH *bh);
/* Any thread.  A BH already running is not stopped. */
void qemu_bh_cancel(QEMUBH *bh);
/* Cancel and free (the memory goes when the home thread next polls). */
void qemu_bh_delete(QEMUBH *bh);
/* Run one round of scheduled BHs; returns true if any (non-idle) ran. */
int aio_bh_poll(AioContext *ctx);

#define stringify(s) tostring(s)
#define tostring(s) #s

/* ---- wake-ups ------------------------------------------------------- */
/* Make the home thread's current or next aio_poll return.  Any thread. */
void aio_notify(AioContext *ctx);
/* Consume a pending notification.  Home thread. */
void aio_notify_accept(AioContext *ctx);

/* ---- fd handlers ---------------------------------------------------- */
/*
 * Set, replace or (with all callbacks NULL) remove the handlers for @fd.
 * May be called from any thread, and from inside a callback of the same
 * or another handler: a removed handler is never called again, even if
 * its fd was reported ready in the same round.  From another thread,
 * though, a callback the home thread was starting or running may still
 * be running after this returns: free what the callbacks use only once
 * the home thread was seen between two callbacks, e.g. remove the
 * handler from a BH of @ctx (block/'s aio_wait_bh_oneshot).
 * @io_poll is called while busy polling; @io_poll_ready when it returned
 * true.
 */
void aio_set_fd_handler_full(AioContext *ctx, int fd, IOHandler *io_read,
                             IOHandler *io_write, AioPollFn *io_poll,
                             IOHandler *io_poll_ready, void *opaque,
                             const char *read_name, const char *write_name);
/*
 * QEMU's signature; the callbacks' names are recorded for x-query-main-loop
 * and "info mainloop", the way aio_bh_new names BHs.
 */
#define aio_set_fd_handler(ctx, fd, io_read, io_write, io_poll,         \
                           io_poll_ready, opaque)                       \
    aio_set_fd_handler_full((ctx), (fd), (io_read), (io_write),         \
                            (io_poll), (io_poll_ready), (opaque),       \
                            stringify(io_read), stringify(io_write))
typedef void EventNotifierHandler(EventNotifier *);
void aio_set_event_notifier_full(AioContext *ctx, EventNotifier *notifier,
                                 EventNotifierHandler *io_read,
                                 AioPollFn *io_poll,
                                 EventNotifierHandler *io_poll_ready,
                                 const char *read_name);
#define aio_set_event_notifier(ctx, notifier, io_read, io_poll,         \
                               io_poll_ready)                           \
    aio_set_event_notifier_full((ctx), (notifier), (io_read), (io_poll), \
                                (io_poll_ready), stringify(io_read))

/* What x-query-main-loop reports about one fd handler. */
typedef struct AioHandlerInfo {
    int fd;
    int events;                 /* G_IO_IN / G_IO_OUT ... */
    bool has_poll;              /* has an io_poll callback */
    uint64_t dispatch_count;
    const char *read_name;      /* "NULL" when there is no such callback */
    const char *write_name;
} AioHandlerInfo;

/*
 * Call @fn for each live fd handler of @ctx.  Any thread: takes the
 * context's list lock, so @fn must not call back into the context.
 */
void aio_context_foreach_handler(AioContext *ctx,
                                 void (*fn)(const AioHandlerInfo *info,
                                            void *opaque),
                                 void *opaque);

/* ---- polling -------------------------------------------------------- */
/*
 * One iteration: run pending BHs, ready fd handlers and expired timers.
 * With blocking=true, wait until at least one of them has made progress
 * (or aio_notify was called).  Returns true if progress was made.  Home
 * thread only; may be nested (called from a callback).
 */
bool aio_poll(AioContext *ctx, bool blocking);
/* ns until something is due: 0 if a BH is pending, -1 for none. */
int64_t aio_compute_timeout(AioContext *ctx);

/* GSource building blocks (used by the GSourceFuncs). */
bool aio_pending(AioContext *ctx);
void aio_dispatch(AioContext *ctx);

/* Busy-polling window; grow/shrink 0 pick the defaults (2x, reset). */
void aio_context_set_poll_params(AioContext *ctx, int64_t max_ns,
                                 int64_t grow, int64_t shrink, Error **errp);
/* Owner of the context (the IOThread's creator), like QEMU. */
void aio_context_set_thread_pool_params(AioContext *ctx, int64_t min,
                                        int64_t max, Error **errp);
/* The context's thread pool (created on first call).  Home thread. */
ThreadPool *aio_get_thread_pool(AioContext *ctx);

/* ---- timers --------------------------------------------------------- */
static inline QEMUTimer *aio_timer_new(AioContext *ctx, QEMUClockType type,
                                       int scale, QEMUTimerCB *cb,
                                       void *opaque)
{
    return timer_new_full(&ctx->tlg, type, scale, cb, opaque);
}
static inline void aio_timer_init(AioContext *ctx, QEMUTimer *ts,
                                  QEMUClockType type, int scale,
                                  QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, &ctx->tlg, type, scale, cb, opaque);
}

/* ---- coroutines ----------------------------------------------------- */
/*
 * Enter @co in @ctx's home thread from a BH.  Any thread.  Scheduling a
 * coroutine that is already scheduled is a bug and aborts.
 */
void aio_co_schedule(AioContext *ctx, Coroutine *co);
/*
 * Restart a coroutine that yielded in its AioContext: entered directly if
 * called from that context (after the current coroutine yields, if called
 * from one), scheduled otherwise.  Any thread.
 */
void aio_co_wake(Coroutine *co);
void aio_co_enter(AioContext *ctx, Coroutine *co);

/* ---- the current context -------------------------------------------- */
/*
 * The AioContext of the calling thread: the one set for it (an
 * IOThread's; the main loop's for the thread that called
 * qemu_init_main_loop(), BQL or not, as in QEMU), else the main loop's
 * when the caller holds the BQL (a vCPU thread), else NULL.
 */
AioContext *qemu_get_current_aio_context(void);
void qemu_set_current_aio_context(AioContext *ctx);
static inline bool in_aio_context_home_thread(AioContext *ctx)
{
    return ctx == qemu_get_current_aio_context();
}

#endif
