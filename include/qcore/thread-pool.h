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

/* Used by AioContext; see aio_get_thread_pool(). */
ThreadPool *thread_pool_new(AioContext *ctx);
void thread_pool_free(ThreadPool *pool);
void thread_pool_update_params(ThreadPool *pool, AioContext *ctx);

/*
 * Run func(arg) in a worker; cb(opaque, ret) is then called from a BH in
 * the current AioContext.  Home thread of that context.
 */
BlockAIOCB *thread_pool_submit_aio(ThreadPoolFunc *func, void *arg,
                                   BlockCompletionFunc *cb, void *opaque);
/*
 * Cancel a request.  Work not yet started never runs and completes with
 * -ECANCELED; work already running is not interrupted and completes
 * normally.  The completion callback is always called exactly once.
 */
void thread_pool_cancel_aio(BlockAIOCB *acb);
/* Yield until func(arg) has run in a worker; returns its value. */
int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg);
/* Fire and forget: no completion. */
void thread_pool_submit(ThreadPoolFunc *func, void *arg);

#endif
