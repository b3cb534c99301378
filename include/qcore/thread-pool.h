/*
 * Thread pool: run blocking functions on worker threads and deliver the
 * result back to the submitting AioContext.  Corresponds to QEMU's
 * include/block/thread-pool.h and util/thread-pool.c.
 */
#ifndef QCORE_THREAD_POOL_H
#define QCORE_THREAD_POOL_H

#include "qcore/aio.h"

/* Runs in a worker thread; the return value is handed to the completion. */
typedef int ThreadPoolFunc(void *opaque);
/* Runs in the submitting context's home thread. */
typedef void BlockCompletionFunc(void *opaque, int ret);
typedef struct BlockAIOCB BlockAIOCB;

/*
 * A pool belongs to one AioContext (its home thread submits and receives
 * completions).  Workers, named "worker", are created on demand when a
 * request finds no idle worker, up to ctx->thread_pool_max; the creation
 * itself happens in a BH of the context (or in a starting worker), so
 * the home thread must keep polling for the first worker to appear.  An
 * idle worker exits after 10 s, but the pool never shrinks below
 * ctx->thread_pool_min.  Requests start in submission (FIFO) order;
 * completions are delivered in the order the functions finished.
 */

/* Used by AioContext; see aio_get_thread_pool().  Home thread. */
ThreadPool *thread_pool_new(AioContext *ctx);
/*
 * Wait for queued and running work, join every worker, then call the
 * callbacks that were not delivered yet, from the calling thread.  Called
 * when the context is finalized, so by whoever drops its last reference;
 * nobody may be polling the context or submitting to the pool.
 */
void thread_pool_free(ThreadPool *pool);
/*
 * Take ctx->thread_pool_min/max: start workers up to min now, let idle
 * ones above max exit.  Any thread (whoever changed the context's
 * parameters).
 */
void thread_pool_update_params(ThreadPool *pool, AioContext *ctx);

/*
 * Run func(arg) in a worker; cb(opaque, ret) is then called from a BH in
 * the current AioContext.  Home thread of that context.  The returned
 * AIOCB is valid until cb has been called.
 */
BlockAIOCB *thread_pool_submit_aio(ThreadPoolFunc *func, void *arg,
                                   BlockCompletionFunc *cb, void *opaque);
/*
 * Cancel a request.  Work not yet started never runs and completes with
 * -ECANCELED; work already running is not interrupted and completes
 * normally.  The completion callback is always called exactly once, and
 * never from inside this function.  Home thread of the submitting context.
 */
void thread_pool_cancel_aio(BlockAIOCB *acb);
/*
 * Yield until func(arg) has run in a worker; returns its value.  From a
 * coroutine running in the current AioContext, which must keep polling.
 */
int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg);
/* Fire and forget: no completion.  Home thread of the current context. */
void thread_pool_submit(ThreadPoolFunc *func, void *arg);

/*
 * Workers alive or being started (what thread_pool_max bounds).  Any
 * thread; for tests and statistics.
 */
int thread_pool_get_thread_count(ThreadPool *pool);
/*
 * Requests submitted whose callback has not run yet (so IOThread can
 * finish them before it stops).  Home thread.
 */
int thread_pool_get_in_flight(ThreadPool *pool);

#endif
