/*
 * The main loop: glib's default GMainContext with two AioContexts attached
 * as GSources (qemu_aio_context for BHs, timers and fd handlers of the
 * system; iohandler_ctx for qemu_set_fd_handler users), run by hand one
 * iteration at a time so that the Big QEMU Lock can be dropped exactly
 * around the poll.  Also the BQL itself.
 * Corresponds to QEMU's include/qemu/main-loop.h, util/main-loop.c and the
 * BQL part of system/cpus.c.
 */
#ifndef QCORE_MAIN_LOOP_H
#define QCORE_MAIN_LOOP_H

#include "qcore/aio.h"
#include "qcore/notify.h"

/*
 * Create the two contexts, attach them to glib's default context and
 * route SIGTERM, SIGINT and SIGHUP through a signalfd (they are blocked
 * in every thread; handlers installed with sigaction run from the main
 * loop, never asynchronously).  Call once, from the main thread, which
 * becomes the main context's home thread: from then on
 * qemu_get_current_aio_context() there is the main context, with or
 * without the BQL (as in QEMU).
 *
 * The signalfd is read by a small thread that hands each signal to the
 * main loop.  It also enforces the one rule a stuck main loop cannot: a
 * second SIGTERM, SIGINT or SIGHUP while the first is still waiting for
 * the loop, or within QEMU_SIGNAL_REPEAT_NS after the loop took it, ends
 * the process at once (the hook below runs first), as users expect of
 * pressing Ctrl-C twice.
 */
int qemu_init_main_loop(Error **errp);

#define QEMU_SIGNAL_REPEAT_NS (2 * 1000000000LL)

/*
 * Called from the signal thread just before a repeated signal ends the
 * process: undo what must not outlive it (a terminal in raw mode).  Only
 * async-signal-safe work; one hook, set by the layer that owns stdio.
 */
void qemu_set_signal_exit_hook(void (*fn)(void));

/*
 * One iteration: glib prepare and query, ppoll (without the BQL) with the
 * smaller of glib's timeout and the main-loop timers' deadline, then
 * check, dispatch and run expired main_loop_tlg timers.  nonblocking: do
 * not wait.  Main thread, BQL held.
 */
void main_loop_wait(int nonblocking);

AioContext *qemu_get_aio_context(void);
AioContext *iohandler_get_aio_context(void);
GSource *iohandler_get_g_source(void);

/* Wake the main loop.  Any thread. */
void qemu_notify_event(void);
/*
 * How many times qemu_notify_event() was called.  The monitor compares it
 * around a command to see whether the command left work for the end of
 * the loop's iteration (a shutdown or reset request), whose events QEMU
 * sends before the command's answer.  Any thread.
 */
unsigned qemu_notify_event_count(void);

/*
 * Watch @fd in the main loop (on iohandler_ctx); all NULL removes.  Main
 * thread.  Callbacks run with the BQL held.
 */
void qemu_set_fd_handler_full(int fd, IOHandler *fd_read,
                              IOHandler *fd_write, void *opaque,
                              const char *read_name, const char *write_name);
#define qemu_set_fd_handler(fd, fd_read, fd_write, opaque)              \
    qemu_set_fd_handler_full((fd), (fd_read), (fd_write), (opaque),     \
                             stringify(fd_read), stringify(fd_write))

/* A BH in qemu_aio_context: runs in the main thread with the BQL held. */
QEMUBH *qemu_bh_new_full(QEMUBHFunc *cb, void *opaque, const char *name);
#define qemu_bh_new(cb, opaque) qemu_bh_new_full((cb), (opaque), stringify(cb))

/* Number of main_loop_wait iterations so far (for statistics). */
uint64_t main_loop_iterations(void);
/*
 * The fds glib polled in the last iteration, with the events it asked
 * for (for x-query-main-loop).  Main thread, BQL held.
 */
void main_loop_foreach_pollfd(void (*fn)(const GPollFD *pfd, void *opaque),
                              void *opaque);

/*
 * Poll notifiers: code that keeps its own fd set and timeouts (libslirp)
 * joins each iteration.  Before ppoll they run with state
 * MAIN_LOOP_POLL_FILL and may append GPollFDs to @pollfds and lower
 * @timeout (ms); after it, with MAIN_LOOP_POLL_OK (or _ERR if ppoll
 * failed) and the revents filled in.  QEMU's main_loop_poll_add_notifier.
 * Main thread, BQL held.
 */
enum {
    MAIN_LOOP_POLL_FILL,
    MAIN_LOOP_POLL_ERR,
    MAIN_LOOP_POLL_OK,
};

typedef struct MainLoopPoll {
    int state;
    uint32_t timeout;           /* ms; UINT32_MAX: no limit */
    GArray *pollfds;            /* of GPollFD */
} MainLoopPoll;

void main_loop_poll_add_notifier(Notifier *notify);
void main_loop_poll_remove_notifier(Notifier *notify);

/* ---- the Big QEMU Lock ----------------------------------------------- */
/*
 * The BQL serialises the main loop's callbacks, the monitor and device
 * emulation.  vCPU threads take it for MMIO; the main loop drops it only
 * while it sleeps in ppoll.  Not recursive: bql_lock asserts it is not
 * already held by the caller.
 *
 * Every bql_lock() is a call site with its own static BQLSite, where the
 * BQL profiler (system/bql-profile.c, x-query-bql, docs/main-loop.md)
 * counts the time spent waiting for the lock and holding it.  All of a
 * site's fields except the constant ones are written and read with the
 * BQL held: the profiler needs no lock of its own.
 */
#define BQL_HIST_BUCKETS 32
typedef struct BQLSite {
    const char *file;           /* constant: __FILE__ */
    int line;                   /* constant: __LINE__ */
    const char *func;           /* constant: __func__ */
    /* Everything below: BQL. */
    struct BQLSite *next;       /* the list of sites seen (bql-profile.c) */
    bool listed;
    uint64_t count;             /* acquisitions */
    uint64_t contended;         /* ... that had to wait */
    /* Times in ticks of bql_profile_clock(), converted when queried. */
    uint64_t wait, wait_max;
    uint64_t hold, hold_max;
    /*
     * Bucket 0: no wait (or 0 ticks); bucket k: [2^(k-1), 2^k) ticks; the
     * last: the rest.
     */
    uint64_t wait_hist[BQL_HIST_BUCKETS];
    uint64_t hold_hist[BQL_HIST_BUCKETS];
} BQLSite;

#define BQL_SITE_INIT { .file = __FILE__, .line = __LINE__, .func = __func__ }

void bql_lock_impl(BQLSite *site);
#define bql_lock() do {                                 \
        static BQLSite bql_site_ = BQL_SITE_INIT;       \
        bql_lock_impl(&bql_site_);                      \
    } while (0)
void bql_unlock(void);
/*
 * Take the BQL only if it is free at once; true if taken.  For a thread
 * that holds other locks and wants the BQL as a shortcut it can do
 * without (an IOThread raising an interrupt line itself instead of by a
 * main-loop BH): never waiting, it cannot deadlock against a BQL holder
 * that waits for it.
 */
bool bql_trylock_impl(BQLSite *site);
#define bql_trylock() ({                                \
        static BQLSite bql_site_ = BQL_SITE_INIT;       \
        bql_trylock_impl(&bql_site_);                   \
    })
/* Whether the calling thread holds the BQL. */
bool bql_locked(void);

/* Take the BQL for the rest of the scope unless already held. */
typedef struct BQLLockAuto BQLLockAuto;
BQLLockAuto *bql_auto_lock_impl(BQLSite *site);
#define bql_auto_lock() ({                              \
        static BQLSite bql_site_ = BQL_SITE_INIT;       \
        bql_auto_lock_impl(&bql_site_);                 \
    })
void bql_auto_unlock(BQLLockAuto *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BQLLockAuto, bql_auto_unlock)
#define BQL_LOCK_GUARD() \
    g_autoptr(BQLLockAuto) G_PASTE(_bql_lock_auto, __LINE__) \
        __attribute__((unused)) = bql_auto_lock()

/* Document-and-check: code that needs the BQL / must not hold it. */
/*
 * Wait on @cond with the BQL held (it is dropped meanwhile); the profiler
 * counts the sleep as neither hold nor wait.
 */
void bql_cond_wait(QemuCond *cond);

/*
 * Broadcast @cond once the calling thread lets go of the BQL (at once if
 * it does not hold it).  For conditions whose waiters sleep with the BQL
 * (bql_cond_wait): woken while we still hold it, they would only sleep
 * again on the lock and need a second wake-up.  Safe as a replacement
 * for a broadcast made under the BQL because the waiters check their
 * condition under the BQL: one that checked before we took it is already
 * waiting, one that checks after we drop it sees what we changed.
 * bql_cancel_broadcast drops a pending one for @cond, before @cond is
 * destroyed.
 */
void bql_defer_broadcast(QemuCond *cond);
void bql_cancel_broadcast(QemuCond *cond);

/*
 * Whether the calling thread gives way to the others waiting for the BQL
 * (default false).  vCPU threads do, so that one which drops the lock
 * after an MMIO access and takes it again at once does not starve the
 * main loop (system/cpus.c sets it; util/bql.c, docs/threads.md).
 */
void bql_thread_set_yielding(bool yielding);

#define assert_bql_held()     assert(bql_locked())
#define assert_bql_not_held() assert(!bql_locked())

#endif
