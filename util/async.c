/*
 * AioContext as a GSource, bottom halves, aio_notify and coroutine
 * scheduling.  Corresponds to QEMU's util/async.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine-int.h"
#include "qcore/main-loop.h"
#include "qcore/thread-pool.h"
#include "aio-posix.h"

/*
 * BH state, one word updated with atomic RMWs.  PENDING means "on a list
 * (bh_list or a slice)", which is what guarantees a BH is queued at most
 * once however often it is scheduled.
 */
enum {
    BH_PENDING   = (1 << 0),   /* queued on a list */
    BH_SCHEDULED = (1 << 1),   /* the callback should run */
    BH_DELETED   = (1 << 2),   /* free when dequeued */
    BH_ONESHOT   = (1 << 3),   /* free after running */
    BH_IDLE      = (1 << 4),   /* does not wake the loop or count as progress */
};

struct QEMUBH {
    AioContext *ctx;
    const char *name;
    QEMUBHFunc *cb;
    void *opaque;
    QSLIST_ENTRY(QEMUBH) next;
    unsigned flags;
};

/* A batch of BHs taken from bh_list by one aio_bh_poll call. */
struct BHListSlice {
    BHList bh_list;
    QSIMPLEQ_ENTRY(BHListSlice) next;
};

static void aio_bh_enqueue(QEMUBH *bh, unsigned new_flags)
{
    AioContext *ctx = bh->ctx;
    unsigned old_flags;

    /*
     * The fetch_or is a full barrier: the BH's fields and anything the
     * caller wrote are visible before the BH is seen as scheduled.  Pairs
     * with the fetch_and in aio_bh_dequeue.
     */
    old_flags = qatomic_fetch_or(&bh->flags, BH_PENDING | new_flags);
    if (!(old_flags & BH_PENDING)) {
        QSLIST_INSERT_HEAD_ATOMIC(&ctx->bh_list, bh, next);
    }
    if (!(new_flags & BH_IDLE)) {
        aio_notify(ctx);
    }
}

/* Pop the first BH of a slice; returns its flags before they were cleared. */
static QEMUBH *aio_bh_dequeue(BHList *head, unsigned *flags)
{
    QEMUBH *bh = QSLIST_FIRST(head);

    if (!bh) {
        return NULL;
    }
    QSLIST_REMOVE_HEAD(head, next);
    /*
     * Clearing PENDING re-arms the BH: a qemu_bh_schedule from now on
     * queues it again, to run in a later round.  Pairs with the fetch_or
     * in aio_bh_enqueue.
     */
    *flags = qatomic_fetch_and(&bh->flags,
                               ~(BH_PENDING | BH_SCHEDULED | BH_IDLE));
    return bh;
}

QEMUBH *aio_bh_new_full(AioContext *ctx, QEMUBHFunc *cb, void *opaque,
                        const char *name)
{
    QEMUBH *bh = g_new(QEMUBH, 1);

    *bh = (QEMUBH){ .ctx = ctx, .cb = cb, .opaque = opaque, .name = name };
    return bh;
}

void aio_bh_schedule_oneshot_full(AioContext *ctx, QEMUBHFunc *cb,
                                  void *opaque, const char *name)
{
    QEMUBH *bh = aio_bh_new_full(ctx, cb, opaque, name);

    aio_bh_enqueue(bh, BH_SCHEDULED | BH_ONESHOT);
}

void qemu_bh_schedule(QEMUBH *bh)
{
    aio_bh_enqueue(bh, BH_SCHEDULED);
}

void qemu_bh_schedule_idle(QEMUBH *bh)
{
    aio_bh_enqueue(bh, BH_SCHEDULED | BH_IDLE);
}

void qemu_bh_cancel(QEMUBH *bh)
{
    qatomic_and(&bh->flags, ~BH_SCHEDULED);
}

void qemu_bh_delete(QEMUBH *bh)
{
    aio_bh_enqueue(bh, BH_DELETED);
}

int aio_bh_poll(AioContext *ctx)
{
    BHListSlice slice;
    BHListSlice *s;
    BHList taken;
    QEMUBH *bh;
    int ret = 0;

    /*
     * Take everything scheduled so far.  BHs scheduled from now on, even
     * by the callbacks below, wait for the next call: one round per call.
     * The list is LIFO as pushed; reverse it so BHs run in schedule order.
     */
    QSLIST_MOVE_ATOMIC(&taken, &ctx->bh_list);
    QSLIST_INIT(&slice.bh_list);
    while ((bh = QSLIST_FIRST(&taken))) {
        QSLIST_REMOVE_HEAD(&taken, next);
        QSLIST_INSERT_HEAD(&slice.bh_list, bh, next);
    }
    QSIMPLEQ_INSERT_TAIL(&ctx->bh_slice_list, &slice, next);

    /*
     * Slices of outer aio_bh_poll calls (when this one is nested inside a
     * BH callback) are finished here too, oldest first, so no BH waits on
     * the outer call returning.
     */
    while ((s = QSIMPLEQ_FIRST(&ctx->bh_slice_list))) {
        unsigned flags;

        bh = aio_bh_dequeue(&s->bh_list, &flags);
        if (!bh) {
            QSIMPLEQ_REMOVE_HEAD(&ctx->bh_slice_list, next);
            continue;
        }
        if ((flags & (BH_SCHEDULED | BH_DELETED)) == BH_SCHEDULED) {
            if (!(flags & BH_IDLE)) {
                ret = 1;
            }
            qatomic_set(&ctx->bh_dispatch_count, ctx->bh_dispatch_count + 1);
            bh->cb(bh->opaque);
        }
        if (flags & (BH_DELETED | BH_ONESHOT)) {
            g_free(bh);
        }
    }
    return ret;
}

void aio_notify(AioContext *ctx)
{
    /*
     * Write e.g. bh->flags before ctx->notified.  Pairs with the smp_mb
     * in aio_notify_accept.
     */
    smp_wmb();
    qatomic_set(&ctx->notified, true);

    /*
     * Write ctx->notified (and the BH list) before reading notify_me.
     * Pairs with the smp_mb in aio_poll and aio_ctx_prepare: either the
     * poller sees our BH when it computes its timeout, or we see its
     * notify_me and kick the eventfd.
     */
    smp_mb();
    if (qatomic_read(&ctx->notify_me)) {
        event_notifier_set(&ctx->notifier);
    }
}

void aio_notify_accept(AioContext *ctx)
{
    qatomic_set(&ctx->notified, false);

    /*
     * Order the clearing of ctx->notified before reads of bh->flags and
     * the like.  Pairs with the smp_wmb in aio_notify.
     */
    smp_mb();
}

int64_t aio_compute_timeout(AioContext *ctx)
{
    BHListSlice *s;
    QEMUBH *bh;
    int64_t deadline;
    int64_t timeout = -1;

    /* bh_list may grow under us; elements are not freed while queued. */
    for (bh = qatomic_rcu_read(&ctx->bh_list.slh_first); bh;
         bh = qatomic_rcu_read(&bh->next.sle_next)) {
        unsigned flags = qatomic_read(&bh->flags);
        if ((flags & (BH_SCHEDULED | BH_DELETED)) == BH_SCHEDULED) {
            if (!(flags & BH_IDLE)) {
                return 0;
            }
            timeout = 10 * SCALE_MS;    /* idle BHs are polled every 10 ms */
        }
    }
    QSIMPLEQ_FOREACH(s, &ctx->bh_slice_list, next) {
        QSLIST_FOREACH(bh, &s->bh_list, next) {
            unsigned flags = qatomic_read(&bh->flags);
            if ((flags & (BH_SCHEDULED | BH_DELETED)) == BH_SCHEDULED) {
                if (!(flags & BH_IDLE)) {
                    return 0;
                }
                timeout = 10 * SCALE_MS;
            }
        }
    }

    deadline = timerlistgroup_deadline_ns(&ctx->tlg);
    if (deadline == 0) {
        return 0;
    }
    return qemu_soonest_timeout(timeout, deadline);
}

/* ---- the GSource ------------------------------------------------------ */

static gboolean aio_ctx_prepare(GSource *source, gint *timeout)
{
    AioContext *ctx = (AioContext *)source;

    qatomic_set(&ctx->notify_me, qatomic_read(&ctx->notify_me) | 1);

    /*
     * Write notify_me before computing the timeout (which reads the BH
     * list and the timers).  Pairs with the smp_mb in aio_notify.
     */
    smp_mb();

    /* No busy polling under glib: handlers are dispatched by their fds. */
    *timeout = qemu_timeout_ns_to_ms(aio_compute_timeout(ctx));
    return *timeout == 0;
}

static gboolean aio_ctx_check(GSource *source)
{
    AioContext *ctx = (AioContext *)source;

    /* Finish the sleeping phase; pairs with aio_ctx_prepare. */
    qatomic_store_release(&ctx->notify_me, qatomic_read(&ctx->notify_me) & ~1);
    aio_notify_accept(ctx);

    return aio_compute_timeout(ctx) == 0 || aio_pending(ctx);
}

static gboolean aio_ctx_dispatch(GSource *source, GSourceFunc callback,
                                 gpointer user_data)
{
    AioContext *ctx = (AioContext *)source;

    assert(callback == NULL);
    qatomic_set(&ctx->gsource_dispatch_count, ctx->gsource_dispatch_count + 1);
    /*
     * glib skips check() for a source whose prepare() said it was ready,
     * so end the sleeping phase here too; otherwise notify_me and
     * ctx->notified stay set and every later prepare() reports "ready".
     */
    qatomic_store_release(&ctx->notify_me, qatomic_read(&ctx->notify_me) & ~1);
    aio_notify_accept(ctx);
    aio_dispatch(ctx);
    return TRUE;
}

static void aio_ctx_finalize(GSource *source)
{
    AioContext *ctx = (AioContext *)source;
    QEMUBH *bh;
    unsigned flags;

    if (ctx->thread_pool) {
        thread_pool_free(ctx->thread_pool);
        ctx->thread_pool = NULL;
    }

    assert(QSLIST_EMPTY(&ctx->scheduled_coroutines));
    qemu_bh_delete(ctx->co_schedule_bh);

    /* There must be no aio_bh_poll in progress: no slices. */
    assert(QSIMPLEQ_EMPTY(&ctx->bh_slice_list));
    while ((bh = aio_bh_dequeue(&ctx->bh_list, &flags))) {
        /* A BH that was scheduled but never deleted is a leak; say so. */
        if (unlikely(!(flags & BH_DELETED))) {
            fprintf(stderr, "%s: BH '%s' leaked, aio_bh_new() without "
                    "qemu_bh_delete()?\n", __func__, bh->name);
        }
        g_free(bh);
    }

    aio_set_event_notifier(ctx, &ctx->notifier, NULL, NULL, NULL);
    aio_context_destroy(ctx);
    event_notifier_cleanup(&ctx->notifier);
    timerlistgroup_deinit(&ctx->tlg);
    qemu_mutex_destroy(&ctx->list_lock);
}

static GSourceFuncs aio_source_funcs = {
    aio_ctx_prepare,
    aio_ctx_check,
    aio_ctx_dispatch,
    aio_ctx_finalize,
    NULL, NULL,
};

GSource *aio_get_g_source(AioContext *ctx)
{
    g_source_ref(&ctx->source);
    return &ctx->source;
}

void aio_context_ref(AioContext *ctx)
{
    g_source_ref(&ctx->source);
}

void aio_context_unref(AioContext *ctx)
{
    g_source_unref(&ctx->source);
}

/* ---- coroutines ------------------------------------------------------- */

static void co_schedule_bh_cb(void *opaque)
{
    AioContext *ctx = opaque;
    QSLIST_HEAD(, Coroutine) taken, straight;
    Coroutine *co;

    /* Reverse the LIFO push order so coroutines run in schedule order. */
    QSLIST_MOVE_ATOMIC(&taken, &ctx->scheduled_coroutines);
    QSLIST_INIT(&straight);
    while ((co = QSLIST_FIRST(&taken))) {
        QSLIST_REMOVE_HEAD(&taken, co_scheduled_next);
        QSLIST_INSERT_HEAD(&straight, co, co_scheduled_next);
    }

    while ((co = QSLIST_FIRST(&straight))) {
        QSLIST_REMOVE_HEAD(&straight, co_scheduled_next);
        /*
         * Clear before entering: the coroutine may schedule itself again.
         * Pairs with the cmpxchg in aio_co_schedule.
         */
        qatomic_set(&co->scheduled, NULL);
        qemu_aio_coroutine_enter(ctx, co);
    }
}

void aio_co_schedule(AioContext *ctx, Coroutine *co)
{
    const char *scheduled = qatomic_cmpxchg(&co->scheduled, NULL, __func__);

    if (scheduled) {
        fprintf(stderr, "%s: coroutine was already scheduled in '%s'\n",
                __func__, scheduled);
        abort();
    }

    /*
     * The context must not go away while the coroutine is queued on it;
     * the reference is dropped after the BH was scheduled.
     */
    aio_context_ref(ctx);
    QSLIST_INSERT_HEAD_ATOMIC(&ctx->scheduled_coroutines, co,
                              co_scheduled_next);
    qemu_bh_schedule(ctx->co_schedule_bh);
    aio_context_unref(ctx);
}

void aio_co_enter(AioContext *ctx, Coroutine *co)
{
    if (ctx != qemu_get_current_aio_context()) {
        aio_co_schedule(ctx, co);
        return;
    }

    if (qemu_in_coroutine()) {
        /* Run it when the current coroutine yields, not inside it. */
        Coroutine *self = qemu_coroutine_self();
        assert(self != co);
        QSIMPLEQ_INSERT_TAIL(&self->co_queue_wakeup, co, co_queue_next);
    } else {
        qemu_aio_coroutine_enter(ctx, co);
    }
}

void aio_co_wake(Coroutine *co)
{
    /*
     * co->ctx was written by the thread that last entered co; it yielded
     * before whoever wakes it could see it, and the wake-up path carries
     * the ordering (a lock or an atomic RMW).  Read it once.
     */
    AioContext *ctx = qatomic_read(&co->ctx);

    aio_co_enter(ctx, co);
}

/* ---- creation and parameters ------------------------------------------ */

static void aio_context_notifier_cb(EventNotifier *e)
{
    event_notifier_test_and_clear(e);
}

/* Polling the notifier is just looking at ctx->notified. */
static bool aio_context_notifier_poll(void *opaque)
{
    EventNotifier *e = opaque;
    AioContext *ctx = container_of(e, AioContext, notifier);

    return qatomic_read(&ctx->notified);
}

static void aio_context_notifier_poll_ready(EventNotifier *e)
{
    /* Nothing to do: aio_notify_accept has cleared ctx->notified. */
}

static void aio_timerlist_notify(void *opaque, QEMUClockType type)
{
    aio_notify(opaque);
}

AioContext *aio_context_new(Error **errp)
{
    int ret;
    AioContext *ctx;

    ctx = (AioContext *)g_source_new(&aio_source_funcs, sizeof(AioContext));
    g_source_set_name(&ctx->source, "aio-context");
    /*
     * Our dispatch copes with nesting (aio_poll from a callback), and
     * without this glib blocks and unblocks the source around every
     * dispatch: two epoll_ctl and two eventfd writes per iteration.
     */
    g_source_set_can_recurse(&ctx->source, true);
    QSLIST_INIT(&ctx->bh_list);
    QSIMPLEQ_INIT(&ctx->bh_slice_list);
    QSLIST_INIT(&ctx->scheduled_coroutines);
    QLIST_INIT(&ctx->aio_handlers);
    QLIST_INIT(&ctx->deleted_aio_handlers);
    qemu_mutex_init(&ctx->list_lock);
    ctx->epollfd = -1;

    ret = event_notifier_init(&ctx->notifier, false);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to initialize event notifier");
        qemu_mutex_destroy(&ctx->list_lock);
        g_source_unref(&ctx->source);
        return NULL;
    }
    aio_context_setup(ctx);

    aio_set_event_notifier(ctx, &ctx->notifier, aio_context_notifier_cb,
                           aio_context_notifier_poll,
                           aio_context_notifier_poll_ready);
    ctx->co_schedule_bh = aio_bh_new(ctx, co_schedule_bh_cb, ctx);
    timerlistgroup_init(&ctx->tlg, aio_timerlist_notify, ctx);

    ctx->poll_ns = 0;
    ctx->poll_max_ns = 0;
    ctx->poll_grow = 0;
    ctx->poll_shrink = 0;
    ctx->thread_pool_min = 0;
    ctx->thread_pool_max = 64;

    /* Adding the notifier notified; a new context owes nobody a wake-up. */
    aio_notify_accept(ctx);
    return ctx;
}

void aio_context_set_poll_params(AioContext *ctx, int64_t max_ns,
                                 int64_t grow, int64_t shrink, Error **errp)
{
    if (max_ns < 0 || grow < 0 || shrink < 0) {
        error_setg(errp, "poll parameters must not be negative");
        return;
    }
    /* The home thread reads these in aio_poll; an aio_notify makes the
     * change take effect at its next iteration. */
    qatomic_set(&ctx->poll_max_ns, max_ns);
    qatomic_set(&ctx->poll_grow, grow);
    qatomic_set(&ctx->poll_shrink, shrink);
    qatomic_set(&ctx->poll_ns, 0);
    aio_notify(ctx);
}

void aio_context_set_thread_pool_params(AioContext *ctx, int64_t min,
                                        int64_t max, Error **errp)
{
    if (min > max || max <= 0 || min < 0 || max > INT_MAX) {
        error_setg(errp, "bad thread pool values: min %" PRId64
                   ", max %" PRId64, min, max);
        return;
    }
    ctx->thread_pool_min = min;
    ctx->thread_pool_max = max;
    if (ctx->thread_pool) {
        thread_pool_update_params(ctx->thread_pool, ctx);
    }
}

ThreadPool *aio_get_thread_pool(AioContext *ctx)
{
    if (!ctx->thread_pool) {
        ctx->thread_pool = thread_pool_new(ctx);
    }
    return ctx->thread_pool;
}

/* ---- the current context ---------------------------------------------- */

static __thread AioContext *my_aiocontext;

AioContext *qemu_get_current_aio_context(void)
{
    if (my_aiocontext) {
        return my_aiocontext;
    }
    if (bql_locked()) {
        /* The main thread, or a vCPU thread holding the BQL. */
        return qemu_get_aio_context();
    }
    return NULL;
}

void qemu_set_current_aio_context(AioContext *ctx)
{
    assert(!my_aiocontext || !ctx);
    my_aiocontext = ctx;
}
