/*
 * IOThread: a thread that owns an AioContext and runs aio_poll on it
 * until told to stop.  Corresponds to QEMU's iothread.c (not yet a QOM
 * object; see include/qcore/iothread.h).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/iothread.h"
#include "qcore/rcu.h"
#include "qcore/thread.h"
#include "qcore/thread-pool.h"

struct IOThread {
    char *id;
    AioContext *ctx;
    QemuThread thread;

    /* Written by the thread before it posts init_done; constant after. */
    int thread_id;
    QemuSemaphore init_done;

    /* The thread's own: cleared by iothread_stop_bh, which runs there. */
    bool running;

    /* The owner's: whether the thread has been joined. */
    bool stopped;
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;

    /*
     * Created on demand by iothread_get_g_main_context, under
     * gcontext_lock.  main_loop is written before worker_context is
     * published with a store-release; readers load worker_context with
     * an acquire and may then read main_loop.  Neither changes again
     * until iothread_destroy.
     */
    QemuMutex gcontext_lock;
    GMainContext *worker_context;
    GMainLoop *main_loop;
};

static void iothread_stop_bh(void *opaque)
{
    IOThread *iothread = opaque;

    iothread->running = false;
    /*
     * If we run inside g_main_loop_run, leave it.  If we run inside
     * aio_poll, the loop in iothread_run sees running == false before it
     * could enter g_main_loop_run, so a quit meant for a loop that is not
     * running (and would be forgotten by the next run) never matters.
     */
    if (qatomic_load_acquire(&iothread->worker_context)) {
        g_main_loop_quit(iothread->main_loop);
    }
}

/*
 * Run what was scheduled before (or by) the stop: BHs, including those
 * scheduled by BHs that ran in the last iteration; coroutines queued with
 * aio_co_schedule (they are entered from a BH); and thread-pool requests,
 * whose callbacks must run in this thread.  Timers in the future are not
 * waited for.
 */
static void iothread_drain(IOThread *iothread)
{
    AioContext *ctx = iothread->ctx;

    for (;;) {
        ThreadPool *pool = ctx->thread_pool;

        if (aio_poll(ctx, false)) {
            continue;
        }
        if (pool && thread_pool_get_in_flight(pool) > 0) {
            /* The completion BH wakes us. */
            aio_poll(ctx, true);
            continue;
        }
        break;
    }
}

static void *iothread_run(void *opaque)
{
    IOThread *iothread = opaque;
    GMainContext *gctx = NULL;

    rcu_register_thread();
    qemu_set_current_aio_context(iothread->ctx);
    iothread->thread_id = qemu_get_thread_id();
    iothread->running = true;
    qemu_sem_post(&iothread->init_done);

    while (iothread->running) {
        /*
         * Once someone asked for a GMainContext, the AioContext is one of
         * its sources and the GMainLoop drives both; until then plain
         * aio_poll is cheaper.  iothread_get_g_main_context kicks us out
         * of aio_poll with aio_notify to make the switch.
         */
        if (!gctx) {
            gctx = qatomic_load_acquire(&iothread->worker_context);
            if (gctx) {
                g_main_context_push_thread_default(gctx);
            }
        }
        if (gctx) {
            g_main_loop_run(iothread->main_loop);
        } else {
            aio_poll(iothread->ctx, true);
        }
    }

    iothread_drain(iothread);

    if (gctx) {
        g_main_context_pop_thread_default(gctx);
    }
    qemu_set_current_aio_context(NULL);
    rcu_unregister_thread();
    return NULL;
}

IOThread *iothread_create(const char *id, Error **errp)
{
    IOThread *iothread;
    AioContext *ctx;
    char *name;

    if (!id || !*id) {
        error_setg(errp, "an IOThread needs an id");
        return NULL;
    }
    ctx = aio_context_new(errp);
    if (!ctx) {
        return NULL;
    }

    iothread = g_new0(IOThread, 1);
    iothread->id = g_strdup(id);
    iothread->ctx = ctx;
    iothread->poll_max_ns = IOTHREAD_POLL_MAX_NS_DEFAULT;
    /* The thread does not exist yet: no race with its aio_poll. */
    aio_context_set_poll_params(ctx, iothread->poll_max_ns,
                                iothread->poll_grow, iothread->poll_shrink,
                                &error_abort);
    qemu_sem_init(&iothread->init_done, 0);
    qemu_mutex_init(&iothread->gcontext_lock);

    /* "IO iothread0", as in QEMU, so ps and gdb show which is which. */
    name = g_strdup_printf("IO %s", id);
    qemu_thread_create(&iothread->thread, name, iothread_run, iothread,
                       QEMU_THREAD_JOINABLE);
    g_free(name);

    /* Callers expect the thread id and a running loop right away. */
    qemu_sem_wait(&iothread->init_done);
    return iothread;
}

void iothread_stop(IOThread *iothread)
{
    if (iothread->stopped) {
        return;
    }
    /* Joining ourselves would hang. */
    assert(!qemu_thread_is_self(&iothread->thread));
    iothread->stopped = true;
    aio_bh_schedule_oneshot(iothread->ctx, iothread_stop_bh, iothread);
    qemu_thread_join(&iothread->thread);
}

void iothread_destroy(IOThread *iothread)
{
    if (!iothread) {
        return;
    }
    iothread_stop(iothread);
    if (iothread->worker_context) {
        /* Drops the context's reference to the AioContext's GSource. */
        g_main_loop_unref(iothread->main_loop);
        g_main_context_unref(iothread->worker_context);
    }
    aio_context_unref(iothread->ctx);
    qemu_mutex_destroy(&iothread->gcontext_lock);
    qemu_sem_destroy(&iothread->init_done);
    g_free(iothread->id);
    g_free(iothread);
}

const char *iothread_get_id(IOThread *iothread)
{
    return iothread->id;
}

AioContext *iothread_get_aio_context(IOThread *iothread)
{
    return iothread->ctx;
}

int iothread_get_thread_id(IOThread *iothread)
{
    return iothread->thread_id;
}

GMainContext *iothread_get_g_main_context(IOThread *iothread)
{
    GMainContext *gctx = qatomic_load_acquire(&iothread->worker_context);
    GSource *source;

    if (gctx) {
        return gctx;
    }

    qemu_mutex_lock(&iothread->gcontext_lock);
    gctx = iothread->worker_context;
    if (!gctx) {
        gctx = g_main_context_new();
        source = aio_get_g_source(iothread->ctx);
        g_source_attach(source, gctx);
        g_source_unref(source);
        iothread->main_loop = g_main_loop_new(gctx, TRUE);
        /* Pairs with the load-acquire in iothread_run and the stop BH. */
        qatomic_store_release(&iothread->worker_context, gctx);
        /* Get the thread out of aio_poll and into g_main_loop_run. */
        aio_notify(iothread->ctx);
    }
    qemu_mutex_unlock(&iothread->gcontext_lock);
    return gctx;
}

typedef struct PollParamsData {
    AioContext *ctx;
    int64_t max_ns, grow, shrink;
    Error *err;
    QemuEvent done;
} PollParamsData;

static void set_poll_params_bh(void *opaque)
{
    PollParamsData *d = opaque;

    aio_context_set_poll_params(d->ctx, d->max_ns, d->grow, d->shrink,
                                &d->err);
    qemu_event_set(&d->done);
}

void iothread_set_poll_params(IOThread *iothread, int64_t max_ns,
                              int64_t grow, int64_t shrink, Error **errp)
{
    PollParamsData d = {
        .ctx = iothread->ctx,
        .max_ns = max_ns, .grow = grow, .shrink = shrink,
    };

    /*
     * The polling window is the home thread's state (aio_poll adapts it
     * on every iteration), so change it there, between two iterations.
     */
    qemu_event_init(&d.done, false);
    if (iothread->stopped) {
        set_poll_params_bh(&d);
    } else {
        aio_bh_schedule_oneshot(iothread->ctx, set_poll_params_bh, &d);
        qemu_event_wait(&d.done);
    }
    qemu_event_destroy(&d.done);
    if (d.err) {
        error_propagate(errp, d.err);
        return;
    }
    iothread->poll_max_ns = max_ns;
    iothread->poll_grow = grow;
    iothread->poll_shrink = shrink;
}

void iothread_get_poll_params(IOThread *iothread, int64_t *max_ns,
                              int64_t *grow, int64_t *shrink)
{
    *max_ns = iothread->poll_max_ns;
    *grow = iothread->poll_grow;
    *shrink = iothread->poll_shrink;
}
