/*
 * Thread pool: worker threads that run blocking functions and hand each
 * result back to the submitting AioContext as a bottom half.
 * Corresponds to QEMU's util/thread-pool.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include "qcore/queue.h"
#include "qcore/rcu.h"
#include "qcore/thread.h"
#include "qcore/thread-pool.h"
#include "trace/trace-util.h"

/* An idle worker exits after this long, unless that leaves fewer than min. */
#define THREAD_POOL_IDLE_TIMEOUT_MS 10000

typedef enum ThreadPoolState {
    THREAD_QUEUED,      /* on request_list, func not started */
    THREAD_ACTIVE,      /* func running in a worker */
    THREAD_DONE,        /* on done_list, ret valid, cb not yet called */
} ThreadPoolState;

/* What the block layer calls an AIOCB; here only the pool makes them. */
struct BlockAIOCB {
    BlockCompletionFunc *cb;
    void *opaque;
};

typedef struct ThreadPoolElement {
    BlockAIOCB common;
    ThreadPool *pool;
    ThreadPoolFunc *func;
    void *arg;

    /* pool->lock; ret is written by the worker before state = DONE. */
    ThreadPoolState state;
    int ret;

    /* On request_list while QUEUED, on done_list while DONE.  pool->lock. */
    QSIMPLEQ_ENTRY(ThreadPoolElement) next;
} ThreadPoolElement;

struct ThreadPool {
    AioContext *ctx;
    /* Delivers done_list to the callbacks, in the home thread. */
    QEMUBH *completion_bh;
    /* Starts the first of a batch of new workers, in the home thread. */
    QEMUBH *new_thread_bh;

    /*
     * Requests submitted and not yet delivered to their callback.  Home
     * thread only (submit and completion both run there).
     */
    int in_flight;

    /*
     * Everything below is protected by lock.  Workers sleep on
     * request_cond while request_list is empty; thread_pool_free sleeps
     * on worker_stopped until cur_threads is 0.  Workers are detached, as
     * in QEMU: one that leaves (idle timeout, lower max) needs nobody to
     * join it, and after its last unlock of @lock it touches nothing of
     * the pool, so thread_pool_free may free it once cur_threads is 0.
     */
    QemuMutex lock;
    QemuCond request_cond;
    QemuCond worker_stopped;
    QSIMPLEQ_HEAD(, ThreadPoolElement) request_list;   /* FIFO */
    QSIMPLEQ_HEAD(, ThreadPoolElement) done_list;      /* in finish order */
    int queued;             /* length of request_list */
    int cur_threads;        /* running + pending + new: what max bounds */
    int idle_threads;       /* waiting on request_cond */
    int new_threads;        /* decided, not yet created */
    int pending_threads;    /* created, not yet running their loop */
    int min_threads;
    int max_threads;
    bool stopping;          /* thread_pool_free: finish the queue and exit */
};

static void *worker_thread(void *opaque);

/*
 * Create one of the new_threads, if any.  Called with pool->lock held
 * from the new-thread BH and from each freshly started worker, never in
 * the submitter's path: a chain of one creation per step, so that nobody
 * holds the lock across a burst of pthread_create calls, and workers
 * inherit the home thread's (or another worker's) signal mask and
 * affinity rather than, say, a vCPU thread's.
 */
static void do_spawn_thread(ThreadPool *pool)
{
    QemuThread t;

    if (!pool->new_threads) {
        return;
    }
    pool->new_threads--;
    pool->pending_threads++;
    qemu_thread_create(&t, "worker", worker_thread, pool,
                       QEMU_THREAD_DETACHED);
}

static void new_thread_bh_cb(void *opaque)
{
    ThreadPool *pool = opaque;

    qemu_mutex_lock(&pool->lock);
    do_spawn_thread(pool);
    qemu_mutex_unlock(&pool->lock);
}

/* Count a new worker in and get it created.  pool->lock held. */
static void spawn_thread(ThreadPool *pool)
{
    pool->cur_threads++;
    pool->new_threads++;
    /*
     * A pending worker will create the next one as it starts (it checks
     * new_threads under the lock we hold); only an idle chain needs the
     * BH to get it going.
     */
    if (!pool->pending_threads) {
        qemu_bh_schedule(pool->new_thread_bh);
    }
}

static void *worker_thread(void *opaque)
{
    ThreadPool *pool = opaque;

    /* Functions run here may read RCU-protected data. */
    rcu_register_thread();

    qemu_mutex_lock(&pool->lock);
    pool->pending_threads--;
    do_spawn_thread(pool);

    for (;;) {
        ThreadPoolElement *req;
        int ret;

        if (QSIMPLEQ_EMPTY(&pool->request_list)) {
            bool woken;

            /* Too many after thread_pool_update_params lowered max. */
            if (pool->stopping || pool->cur_threads > pool->max_threads) {
                break;
            }
            pool->idle_threads++;
            woken = qemu_cond_timedwait(&pool->request_cond, &pool->lock,
                                        THREAD_POOL_IDLE_TIMEOUT_MS);
            pool->idle_threads--;
            if (!woken && QSIMPLEQ_EMPTY(&pool->request_list) &&
                pool->cur_threads > pool->min_threads) {
                break;
            }
            continue;
        }

        req = QSIMPLEQ_FIRST(&pool->request_list);
        QSIMPLEQ_REMOVE_HEAD(&pool->request_list, next);
        pool->queued--;
        req->state = THREAD_ACTIVE;
        qemu_mutex_unlock(&pool->lock);

        ret = req->func(req->arg);

        qemu_mutex_lock(&pool->lock);
        req->ret = ret;
        req->state = THREAD_DONE;
        /* done_list order is finish order, and so is completion order. */
        QSIMPLEQ_INSERT_TAIL(&pool->done_list, req, next);
        /*
         * Wake the home thread only once the lock is free: its first act
         * is to take it, and an eventfd write made while we hold it woke
         * that thread just to sleep again on the mutex, a second wake-up
         * per request (bench/README.md, "Phases from the trace events").
         * The pool outlives this: we still count in cur_threads.
         */
        qemu_mutex_unlock(&pool->lock);
        qemu_bh_schedule(pool->completion_bh);
        qemu_mutex_lock(&pool->lock);
    }

    pool->cur_threads--;
    if (pool->stopping) {
        qemu_cond_signal(&pool->worker_stopped);
    }
    /* The last touch of the pool (see the locking comment). */
    qemu_mutex_unlock(&pool->lock);

    rcu_unregister_thread();
    return NULL;
}

/* Deliver one finished request.  Returns false when there was none. */
static bool thread_pool_complete_one(ThreadPool *pool)
{
    ThreadPoolElement *req;
    bool more;

    qemu_mutex_lock(&pool->lock);
    req = QSIMPLEQ_FIRST(&pool->done_list);
    if (req) {
        QSIMPLEQ_REMOVE_HEAD(&pool->done_list, next);
    }
    more = !QSIMPLEQ_EMPTY(&pool->done_list);
    qemu_mutex_unlock(&pool->lock);

    if (!req) {
        return false;
    }
    /*
     * The callback may run a nested aio_poll waiting for another request
     * that is already done; rescheduling ourselves lets the nested call
     * deliver it (still from the head of done_list, so still in order).
     */
    if (more) {
        qemu_bh_schedule(pool->completion_bh);
    }
    pool->in_flight--;
    trace_thread_pool_complete(pool, req, req->common.opaque, req->ret);
    if (req->common.cb) {
        req->common.cb(req->common.opaque, req->ret);
    }
    g_free(req);
    return true;
}

static void completion_bh_cb(void *opaque)
{
    ThreadPool *pool = opaque;

    while (thread_pool_complete_one(pool)) {
        /* next */
    }
}

ThreadPool *thread_pool_new(AioContext *ctx)
{
    ThreadPool *pool = g_new0(ThreadPool, 1);

    pool->ctx = ctx;
    pool->completion_bh = aio_bh_new(ctx, completion_bh_cb, pool);
    pool->new_thread_bh = aio_bh_new(ctx, new_thread_bh_cb, pool);
    qemu_mutex_init(&pool->lock);
    qemu_cond_init(&pool->request_cond);
    qemu_cond_init(&pool->worker_stopped);
    QSIMPLEQ_INIT(&pool->request_list);
    QSIMPLEQ_INIT(&pool->done_list);

    thread_pool_update_params(pool, ctx);
    return pool;
}

void thread_pool_update_params(ThreadPool *pool, AioContext *ctx)
{
    qemu_mutex_lock(&pool->lock);
    pool->min_threads = ctx->thread_pool_min;
    pool->max_threads = ctx->thread_pool_max;

    /* min is a floor on live workers, so reach it now, not on demand. */
    while (pool->cur_threads < pool->min_threads) {
        spawn_thread(pool);
    }
    /* Idle workers re-check: some may now be above max and must go. */
    qemu_cond_broadcast(&pool->request_cond);
    qemu_mutex_unlock(&pool->lock);
}

void thread_pool_free(ThreadPool *pool)
{
    if (!pool) {
        return;
    }

    qemu_mutex_lock(&pool->lock);
    pool->stopping = true;
    /*
     * Nobody will poll the context any more to run new_thread_bh: create
     * the workers still owed here, since queued work needs them.
     */
    while (pool->new_threads) {
        do_spawn_thread(pool);
    }
    qemu_cond_broadcast(&pool->request_cond);
    while (pool->cur_threads > 0) {
        qemu_cond_wait(&pool->worker_stopped, &pool->lock);
    }
    assert(QSIMPLEQ_EMPTY(&pool->request_list));
    qemu_mutex_unlock(&pool->lock);

    /*
     * Requests the home thread never got to deliver: every callback is
     * called exactly once, so call the rest here.
     */
    while (thread_pool_complete_one(pool)) {
        /* next */
    }
    assert(pool->in_flight == 0);

    qemu_bh_delete(pool->completion_bh);
    qemu_bh_delete(pool->new_thread_bh);
    qemu_cond_destroy(&pool->worker_stopped);
    qemu_cond_destroy(&pool->request_cond);
    qemu_mutex_destroy(&pool->lock);
    g_free(pool);
}

static BlockAIOCB *thread_pool_submit_in(ThreadPool *pool,
                                         ThreadPoolFunc *func, void *arg,
                                         BlockCompletionFunc *cb,
                                         void *opaque)
{
    ThreadPoolElement *req = g_new0(ThreadPoolElement, 1);

    req->common.cb = cb;
    req->common.opaque = opaque;
    req->pool = pool;
    req->func = func;
    req->arg = arg;
    req->state = THREAD_QUEUED;
    pool->in_flight++;
    trace_thread_pool_submit(pool, req, opaque);

    qemu_mutex_lock(&pool->lock);
    QSIMPLEQ_INSERT_TAIL(&pool->request_list, req, next);
    pool->queued++;
    /*
     * Workers that will look at request_list soon: the idle ones and the
     * ones being created.  Grow only when they are fewer than the queued
     * requests, which keeps the pool as small as the load allows.
     */
    if (pool->idle_threads + pool->new_threads + pool->pending_threads <
        pool->queued && pool->cur_threads < pool->max_threads) {
        spawn_thread(pool);
    }
    qemu_mutex_unlock(&pool->lock);
    /* After the unlock, for the reason worker_thread gives. */
    qemu_cond_signal(&pool->request_cond);
    return &req->common;
}

BlockAIOCB *thread_pool_submit_aio(ThreadPoolFunc *func, void *arg,
                                   BlockCompletionFunc *cb, void *opaque)
{
    AioContext *ctx = qemu_get_current_aio_context();

    /* Completions need a home to come back to. */
    assert(ctx);
    return thread_pool_submit_in(aio_get_thread_pool(ctx), func, arg,
                                 cb, opaque);
}

void thread_pool_submit(ThreadPoolFunc *func, void *arg)
{
    thread_pool_submit_aio(func, arg, NULL, NULL);
}

void thread_pool_cancel_aio(BlockAIOCB *acb)
{
    ThreadPoolElement *req = container_of(acb, ThreadPoolElement, common);
    ThreadPool *pool = req->pool;

    qemu_mutex_lock(&pool->lock);
    if (req->state == THREAD_QUEUED) {
        /*
         * No worker has seen it: take it off the queue, so func never
         * runs, and deliver -ECANCELED through the usual BH so that the
         * callback never runs inside the caller.
         */
        QSIMPLEQ_REMOVE(&pool->request_list, req, ThreadPoolElement, next);
        pool->queued--;
        req->ret = -ECANCELED;
        req->state = THREAD_DONE;
        QSIMPLEQ_INSERT_TAIL(&pool->done_list, req, next);
        qemu_bh_schedule(pool->completion_bh);
    }
    /* ACTIVE or DONE: it completes on its own with func's value. */
    qemu_mutex_unlock(&pool->lock);
}

typedef struct ThreadPoolCo {
    Coroutine *co;
    int ret;
} ThreadPoolCo;

static void thread_pool_co_cb(void *opaque, int ret)
{
    ThreadPoolCo *tpc = opaque;

    tpc->ret = ret;
    aio_co_wake(tpc->co);
}

int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg)
{
    ThreadPoolCo tpc = { .co = qemu_coroutine_self(), .ret = -EINPROGRESS };

    assert(qemu_in_coroutine());
    /*
     * The callback runs from a BH, so not before we have yielded: this
     * thread is busy running us until then.
     */
    thread_pool_submit_aio(func, arg, thread_pool_co_cb, &tpc);
    qemu_coroutine_yield();
    return tpc.ret;
}

int thread_pool_get_thread_count(ThreadPool *pool)
{
    int n;

    qemu_mutex_lock(&pool->lock);
    n = pool->cur_threads;
    qemu_mutex_unlock(&pool->lock);
    return n;
}

int thread_pool_get_in_flight(ThreadPool *pool)
{
    return pool->in_flight;
}
