/*
 * IOThread tests: life cycle, thread naming, BHs and coroutines run in
 * the IOThread, draining on stop, glib sources, poll parameters.
 * Covers util/iothread.c (QEMU's iothread.c).
 *
 * Threads meet on semaphores and events, never on sleeps.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include "qcore/iothread.h"
#include "qcore/thread.h"
#include "qcore/thread-pool.h"

/* ---- life cycle ------------------------------------------------------- */

static void test_create_stop_destroy(void)
{
    IOThread *iot = iothread_create("iot0", &error_abort);

    g_assert_nonnull(iot);
    g_assert_cmpstr(iothread_get_id(iot), ==, "iot0");
    g_assert_nonnull(iothread_get_aio_context(iot));
    g_assert_cmpint(iothread_get_thread_id(iot), >, 0);
    g_assert_cmpint(iothread_get_thread_id(iot), !=, qemu_get_thread_id());
    iothread_stop(iot);
    /* A second stop is harmless. */
    iothread_stop(iot);
    iothread_destroy(iot);

    /* Destroy alone also stops. */
    iot = iothread_create("iot1", &error_abort);
    iothread_destroy(iot);
}

static void test_create_without_id_fails(void)
{
    Error *err = NULL;

    g_assert_null(iothread_create("", &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_thread_name_in_proc_comm(void)
{
    IOThread *iot = iothread_create("iothread0", &error_abort);
    g_autofree char *path = g_strdup_printf("/proc/self/task/%d/comm",
                                            iothread_get_thread_id(iot));
    g_autofree char *comm = NULL;

    g_assert_true(g_file_get_contents(path, &comm, NULL, NULL));
    g_assert_cmpstr(g_strchomp(comm), ==, "IO iothread0");
    iothread_destroy(iot);
}

/* ---- BHs ---------------------------------------------------------------- */

typedef struct WhereBH {
    QemuEvent done;
    AioContext *ctx;
    int thread_id;
} WhereBH;

static void where_bh(void *opaque)
{
    WhereBH *w = opaque;

    w->ctx = qemu_get_current_aio_context();
    w->thread_id = qemu_get_thread_id();
    qemu_event_set(&w->done);
}

static void test_oneshot_bh_runs_in_iothread(void)
{
    IOThread *iot = iothread_create("iot-bh", &error_abort);
    WhereBH w = { 0 };

    qemu_event_init(&w.done, false);
    aio_bh_schedule_oneshot(iothread_get_aio_context(iot), where_bh, &w);
    qemu_event_wait(&w.done);
    g_assert_true(w.ctx == iothread_get_aio_context(iot));
    g_assert_cmpint(w.thread_id, ==, iothread_get_thread_id(iot));
    iothread_destroy(iot);
    qemu_event_destroy(&w.done);
}

enum { N_PRODUCERS = 4, N_PER_PRODUCER = 10000 };
#define N_BHS (N_PRODUCERS * N_PER_PRODUCER)

static struct {
    AioContext *ctx;
    QemuEvent go;
    QemuEvent all_ran;
    int count;                      /* atomic */
    uint8_t runs[N_BHS];            /* written in the IOThread only */
} many;

static void count_bh(void *opaque)
{
    uintptr_t i = (uintptr_t)opaque;

    many.runs[i]++;
    /* The event orders runs[] before the main thread reads it. */
    if (qatomic_fetch_inc(&many.count) + 1 == N_BHS) {
        qemu_event_set(&many.all_ran);
    }
}

static void *producer_thread(void *opaque)
{
    uintptr_t base = (uintptr_t)opaque * N_PER_PRODUCER;

    /* Start together, so that the producers really contend. */
    qemu_event_wait(&many.go);
    for (uintptr_t i = 0; i < N_PER_PRODUCER; i++) {
        aio_bh_schedule_oneshot(many.ctx, count_bh, (void *)(base + i));
    }
    return NULL;
}

static void test_bhs_from_four_threads_each_run_once(void)
{
    IOThread *iot = iothread_create("iot-many", &error_abort);
    QemuThread producers[N_PRODUCERS];

    many.ctx = iothread_get_aio_context(iot);
    many.count = 0;
    memset(many.runs, 0, sizeof(many.runs));
    qemu_event_init(&many.go, false);
    qemu_event_init(&many.all_ran, false);
    for (uintptr_t i = 0; i < N_PRODUCERS; i++) {
        qemu_thread_create(&producers[i], "producer", producer_thread,
                           (void *)i, QEMU_THREAD_JOINABLE);
    }
    qemu_event_set(&many.go);
    for (int i = 0; i < N_PRODUCERS; i++) {
        qemu_thread_join(&producers[i]);
    }
    qemu_event_wait(&many.all_ran);
    iothread_destroy(iot);

    /* Nothing ran twice, nothing ran late. */
    g_assert_cmpint(qatomic_read(&many.count), ==, N_BHS);
    for (int i = 0; i < N_BHS; i++) {
        g_assert_cmpint(many.runs[i], ==, 1);
    }
    qemu_event_destroy(&many.go);
    qemu_event_destroy(&many.all_ran);
}

/* ---- aio_notify across threads ------------------------------------------ */

typedef struct Poller {
    AioContext *ctx;
    QemuEvent polling;
    QemuEvent returned;
    int tid;
    bool stop;      /* atomic */
} Poller;

static void *poller_thread(void *opaque)
{
    Poller *p = opaque;

    qemu_set_current_aio_context(p->ctx);
    p->tid = qemu_get_thread_id();
    qemu_event_set(&p->polling);
    /*
     * Nothing is ever scheduled: only aio_notify ends a wait.  (The loop
     * is there because a wait may also end early, e.g. for a notify made
     * while the context was set up.)
     */
    while (!qatomic_read(&p->stop)) {
        aio_poll(p->ctx, true);
    }
    qemu_event_set(&p->returned);
    qemu_set_current_aio_context(NULL);
    return NULL;
}

/* Whether the thread is asleep (state S), i.e. presumably in the poll. */
static bool thread_is_sleeping(int tid)
{
    g_autofree char *path = g_strdup_printf("/proc/self/task/%d/stat", tid);
    g_autofree char *stat = NULL;
    char *p;

    if (!g_file_get_contents(path, &stat, NULL, NULL)) {
        return false;
    }
    /* "tid (comm) S ...": comm may hold spaces and parens; skip to last. */
    p = strrchr(stat, ')');
    return p && p[1] == ' ' && p[2] == 'S';
}

static void test_aio_notify_wakes_blocked_poll_in_other_thread(void)
{
    Poller p = { 0 };
    QemuThread thread;

    p.ctx = aio_context_new(&error_abort);
    qemu_event_init(&p.polling, false);
    qemu_event_init(&p.returned, false);
    qemu_thread_create(&thread, "poller", poller_thread, &p,
                       QEMU_THREAD_JOINABLE);
    qemu_event_wait(&p.polling);
    /*
     * Give the notify the hard case, a thread already asleep in the
     * kernel.  (If it were not asleep yet, aio_notify must still make its
     * next aio_poll return, so the test stays correct either way.)
     */
    while (!thread_is_sleeping(p.tid)) {
        g_thread_yield();
    }
    qatomic_set(&p.stop, true);
    aio_notify(p.ctx);
    qemu_event_wait(&p.returned);
    qemu_thread_join(&thread);
    aio_context_unref(p.ctx);
    qemu_event_destroy(&p.polling);
    qemu_event_destroy(&p.returned);
}

/* ---- coroutines across IOThreads ----------------------------------------- */

typedef struct Hop {
    AioContext *a, *b;
    AioContext *seen[3];
    QemuEvent done;
} Hop;

typedef struct MoveTo {
    Coroutine *co;
    AioContext *ctx;
} MoveTo;

static void move_to_bh(void *opaque)
{
    MoveTo *m = opaque;

    aio_co_schedule(m->ctx, m->co);
}

/*
 * Continue in @ctx.  Scheduling ourselves there directly would race: its
 * thread could enter us before we have finished yielding here.  A BH in
 * our own context runs only after the yield, so it may hand us over.
 * (QEMU's aio_co_reschedule_self.)
 */
static void coroutine_fn move_to(AioContext *ctx)
{
    MoveTo m = { .co = qemu_coroutine_self(), .ctx = ctx };

    aio_bh_schedule_oneshot(qemu_get_current_aio_context(), move_to_bh, &m);
    qemu_coroutine_yield();
}

static void coroutine_fn hop_entry(void *opaque)
{
    Hop *h = opaque;

    h->seen[0] = qemu_get_current_aio_context();
    move_to(h->b);
    h->seen[1] = qemu_get_current_aio_context();
    move_to(h->a);
    h->seen[2] = qemu_get_current_aio_context();
    qemu_event_set(&h->done);
}

static void test_coroutine_hops_between_iothreads(void)
{
    IOThread *ia = iothread_create("iot-a", &error_abort);
    IOThread *ib = iothread_create("iot-b", &error_abort);
    Hop h = {
        .a = iothread_get_aio_context(ia),
        .b = iothread_get_aio_context(ib),
    };

    qemu_event_init(&h.done, false);
    aio_co_schedule(h.a, qemu_coroutine_create(hop_entry, &h));
    qemu_event_wait(&h.done);
    g_assert_true(h.seen[0] == h.a);
    g_assert_true(h.seen[1] == h.b);
    g_assert_true(h.seen[2] == h.a);
    /*
     * b's thread may still be returning from the aio_co_schedule that
     * handed us back to a (it holds a reference to a's context for that).
     * Join b first: TSan cannot see that reference, since glib's atomics
     * are not instrumented, but it does see the join.
     */
    iothread_destroy(ib);
    iothread_destroy(ia);
    qemu_event_destroy(&h.done);
}

/* ---- stopping drains -------------------------------------------------------- */

enum { CHAIN_LEN = 100 };

typedef struct Chain {
    AioContext *ctx;
    int ran;        /* IOThread only; read after the join */
} Chain;

/* Each link schedules the next, which therefore runs in a later aio_poll. */
static void chain_bh(void *opaque)
{
    Chain *c = opaque;

    if (++c->ran < CHAIN_LEN) {
        aio_bh_schedule_oneshot(c->ctx, chain_bh, c);
    }
}

static void test_stop_runs_pending_bhs(void)
{
    IOThread *iot = iothread_create("iot-drain", &error_abort);
    Chain c = { .ctx = iothread_get_aio_context(iot) };

    /*
     * The stop request lands somewhere in the first links of the chain;
     * the rest must still run before the thread exits.
     */
    aio_bh_schedule_oneshot(c.ctx, chain_bh, &c);
    iothread_stop(iot);
    g_assert_cmpint(c.ran, ==, CHAIN_LEN);
    iothread_destroy(iot);
}

typedef struct Pending {
    int entered;    /* IOThread only; read after the join */
} Pending;

static void coroutine_fn pending_entry(void *opaque)
{
    Pending *p = opaque;

    p->entered++;
}

static void schedule_coroutine_bh(void *opaque)
{
    /* Scheduled from inside the loop, so after the stop BH was queued. */
    aio_co_schedule(qemu_get_current_aio_context(),
                    qemu_coroutine_create(pending_entry, opaque));
}

static void test_stop_enters_scheduled_coroutines(void)
{
    IOThread *iot = iothread_create("iot-co", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iot);
    Pending p = { 0 };

    for (int i = 0; i < 10; i++) {
        aio_bh_schedule_oneshot(ctx, schedule_coroutine_bh, &p);
    }
    iothread_stop(iot);
    g_assert_cmpint(p.entered, ==, 10);
    iothread_destroy(iot);
}

/* ---- the thread pool from an IOThread ------------------------------------- */

typedef struct PoolWork {
    QemuSemaphore *gate;
    int worker_tid;     /* atomic */
    int completed;
    int ret;
    int cb_tid;
    AioContext *cb_ctx;
} PoolWork;

static int pool_func(void *opaque)
{
    PoolWork *w = opaque;

    if (w->gate) {
        qemu_sem_wait(w->gate);
    }
    qatomic_set(&w->worker_tid, qemu_get_thread_id());
    return 42;
}

static void pool_cb(void *opaque, int ret)
{
    PoolWork *w = opaque;

    w->completed++;
    w->ret = ret;
    w->cb_tid = qemu_get_thread_id();
    w->cb_ctx = qemu_get_current_aio_context();
}

static struct {
    QemuSemaphore gate;
    PoolWork w[3];
} pool_stop;

static void open_gate_bh(void *opaque)
{
    for (int i = 0; i < 3; i++) {
        qemu_sem_post(&pool_stop.gate);
    }
}

static void submit_after_stop_bh(void *opaque)
{
    AioContext *ctx = qemu_get_current_aio_context();

    /*
     * Nothing but the stop request can make progress here, so once this
     * nested poll did, the loop has been told to stop.
     */
    while (!aio_poll(ctx, true)) {
        /* woken without progress: wait again */
    }
    for (int i = 0; i < 3; i++) {
        pool_stop.w[i].gate = &pool_stop.gate;
        thread_pool_submit_aio(pool_func, &pool_stop.w[i], pool_cb,
                               &pool_stop.w[i]);
    }
    /*
     * Runs in the next aio_poll, which only the drain performs: the
     * functions finish, and complete, strictly after the stop.
     */
    aio_bh_schedule_oneshot(ctx, open_gate_bh, NULL);
}

static void test_stop_waits_for_thread_pool_completions(void)
{
    IOThread *iot = iothread_create("iot-pool", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iot);

    memset(&pool_stop, 0, sizeof(pool_stop));
    qemu_sem_init(&pool_stop.gate, 0);
    aio_bh_schedule_oneshot(ctx, submit_after_stop_bh, NULL);
    iothread_stop(iot);
    for (int i = 0; i < 3; i++) {
        PoolWork *w = &pool_stop.w[i];

        g_assert_cmpint(w->completed, ==, 1);
        g_assert_cmpint(w->ret, ==, 42);
        g_assert_cmpint(w->cb_tid, ==, iothread_get_thread_id(iot));
        g_assert_true(w->cb_ctx == ctx);
        g_assert_cmpint(qatomic_read(&w->worker_tid), !=,
                        iothread_get_thread_id(iot));
    }
    iothread_destroy(iot);
    qemu_sem_destroy(&pool_stop.gate);
}

/* ---- glib sources ---------------------------------------------------------- */

typedef struct IdleData {
    QemuEvent done;
    int tid;
    GMainContext *thread_default;
} IdleData;

static gboolean idle_cb(gpointer opaque)
{
    IdleData *d = opaque;

    d->tid = qemu_get_thread_id();
    d->thread_default = g_main_context_get_thread_default();
    qemu_event_set(&d->done);
    return G_SOURCE_REMOVE;
}

static void test_glib_source_runs_in_iothread(void)
{
    /*
     * Set up before the thread exists: the source reaches the thread
     * through glib's locks, which TSan cannot see.
     */
    IdleData d = { 0 };
    WhereBH w = { 0 };
    IOThread *iot;
    GMainContext *gctx;
    GSource *src;

    qemu_event_init(&d.done, false);
    qemu_event_init(&w.done, false);
    iot = iothread_create("iot-glib", &error_abort);
    gctx = iothread_get_g_main_context(iot);

    g_assert_true(iothread_get_g_main_context(iot) == gctx);
    /*
     * Idle priority on purpose: it only runs if the AioContext source,
     * at default priority, stops reporting itself ready once its
     * notification has been accepted.
     */
    src = g_idle_source_new();
    g_source_set_callback(src, idle_cb, &d, NULL);
    g_source_attach(src, gctx);
    g_source_unref(src);
    qemu_event_wait(&d.done);
    g_assert_cmpint(d.tid, ==, iothread_get_thread_id(iot));
    g_assert_true(d.thread_default == gctx);

    /* The AioContext keeps working under the GMainLoop. */
    aio_bh_schedule_oneshot(iothread_get_aio_context(iot), where_bh, &w);
    qemu_event_wait(&w.done);
    g_assert_cmpint(w.thread_id, ==, iothread_get_thread_id(iot));

    iothread_destroy(iot);
    qemu_event_destroy(&d.done);
    qemu_event_destroy(&w.done);
}

/* ---- poll parameters --------------------------------------------------------- */

static void test_poll_params_read_back(void)
{
    IOThread *iot = iothread_create("iot-poll", &error_abort);
    int64_t max_ns, grow, shrink;
    Error *err = NULL;

    iothread_get_poll_params(iot, &max_ns, &grow, &shrink);
    g_assert_cmpint(max_ns, ==, IOTHREAD_POLL_MAX_NS_DEFAULT);
    g_assert_cmpint(grow, ==, 0);
    g_assert_cmpint(shrink, ==, 0);

    iothread_set_poll_params(iot, 100000, 4, 2, &error_abort);
    iothread_get_poll_params(iot, &max_ns, &grow, &shrink);
    g_assert_cmpint(max_ns, ==, 100000);
    g_assert_cmpint(grow, ==, 4);
    g_assert_cmpint(shrink, ==, 2);

    /* A bad value is refused and changes nothing. */
    iothread_set_poll_params(iot, -1, 4, 2, &err);
    g_assert_nonnull(err);
    error_free(err);
    iothread_get_poll_params(iot, &max_ns, &grow, &shrink);
    g_assert_cmpint(max_ns, ==, 100000);

    iothread_destroy(iot);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/iothread/create-stop-destroy",
                    test_create_stop_destroy);
    g_test_add_func("/iothread/create-without-id-fails",
                    test_create_without_id_fails);
    g_test_add_func("/iothread/thread-name-in-proc-comm",
                    test_thread_name_in_proc_comm);
    g_test_add_func("/iothread/oneshot-bh-runs-in-iothread",
                    test_oneshot_bh_runs_in_iothread);
    g_test_add_func("/iothread/bhs-from-four-threads-each-run-once",
                    test_bhs_from_four_threads_each_run_once);
    g_test_add_func("/iothread/aio-notify-wakes-blocked-poll-in-other-thread",
                    test_aio_notify_wakes_blocked_poll_in_other_thread);
    g_test_add_func("/iothread/coroutine-hops-between-iothreads",
                    test_coroutine_hops_between_iothreads);
    g_test_add_func("/iothread/stop-runs-pending-bhs",
                    test_stop_runs_pending_bhs);
    g_test_add_func("/iothread/stop-enters-scheduled-coroutines",
                    test_stop_enters_scheduled_coroutines);
    g_test_add_func("/iothread/stop-waits-for-thread-pool-completions",
                    test_stop_waits_for_thread_pool_completions);
    g_test_add_func("/iothread/glib-source-runs-in-iothread",
                    test_glib_source_runs_in_iothread);
    g_test_add_func("/iothread/poll-params-read-back",
                    test_poll_params_read_back);
    return g_test_run();
}
