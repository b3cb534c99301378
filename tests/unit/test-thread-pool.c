/*
 * Thread pool tests: completion delivery, ordering, cancellation, pool
 * sizing and coroutine submission.  Covers util/thread-pool.c (QEMU's
 * tests/unit/test-thread-pool.c covers the same file there).
 *
 * Threads meet on semaphores and events, never on sleeps.  The test
 * thread is the pool's home thread: it must poll the context for the
 * pool to create its workers and to deliver completions.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"
#include "qcore/thread-pool.h"

static AioContext *ctx;
static QemuThread main_thread;

static void setup_ctx(int min, int max)
{
    ctx = aio_context_new(&error_abort);
    qemu_set_current_aio_context(ctx);
    aio_context_set_thread_pool_params(ctx, min, max, &error_abort);
}

static void teardown_ctx(void)
{
    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    ctx = NULL;
}

/* Run BHs until none is left; that is how the pool starts a worker. */
static void run_bhs(void)
{
    while (aio_poll(ctx, false)) {
        /* again */
    }
}

/* ---- completions arrive, once each, in the home thread --------------- */

#define N_REQS 200

typedef struct Req {
    int index;
    int ran;            /* atomic: times func ran */
    int completed;      /* home thread: times cb ran */
    int ret;
    bool cb_in_home_thread;
} Req;

static int n_completed;

static int return_index_func(void *opaque)
{
    Req *r = opaque;

    qatomic_inc(&r->ran);
    return r->index;
}

static void record_cb(void *opaque, int ret)
{
    Req *r = opaque;

    r->completed++;
    r->ret = ret;
    r->cb_in_home_thread = qemu_thread_is_self(&main_thread) &&
                           qemu_get_current_aio_context() == ctx;
    n_completed++;
}

static void test_completions_arrive_once_in_submitting_thread(void)
{
    Req *reqs = g_new0(Req, N_REQS);

    setup_ctx(0, 8);
    n_completed = 0;
    for (int i = 0; i < N_REQS; i++) {
        reqs[i].index = i;
        thread_pool_submit_aio(return_index_func, &reqs[i], record_cb,
                               &reqs[i]);
    }
    while (n_completed < N_REQS) {
        aio_poll(ctx, true);
    }
    /* Nothing more may arrive. */
    run_bhs();

    g_assert_cmpint(n_completed, ==, N_REQS);
    for (int i = 0; i < N_REQS; i++) {
        g_assert_cmpint(qatomic_read(&reqs[i].ran), ==, 1);
        g_assert_cmpint(reqs[i].completed, ==, 1);
        g_assert_cmpint(reqs[i].ret, ==, i);
        g_assert_true(reqs[i].cb_in_home_thread);
    }
    g_assert_cmpint(thread_pool_get_in_flight(aio_get_thread_pool(ctx)),
                    ==, 0);
    teardown_ctx();
    g_free(reqs);
}

/* ---- functions blocked on a gate, to control when they finish -------- */

typedef struct Gated {
    int index;
    QemuSemaphore *started;     /* posted when func starts */
    QemuSemaphore gate;         /* func waits on it */
    int ran;                    /* atomic */
    int completed;
    int ret;
} Gated;

static int gated_func(void *opaque)
{
    Gated *g = opaque;

    qatomic_inc(&g->ran);
    if (g->started) {
        qemu_sem_post(g->started);
    }
    qemu_sem_wait(&g->gate);
    return g->index + 100;
}

static int completion_order[8];
static int n_order;

static void gated_cb(void *opaque, int ret)
{
    Gated *g = opaque;

    g->completed++;
    g->ret = ret;
    completion_order[n_order++] = g->index;
}

static void gated_init(Gated *g, int index, QemuSemaphore *started)
{
    *g = (Gated){ .index = index, .started = started };
    qemu_sem_init(&g->gate, 0);
}

/* Submit a gated request and wait until a worker has started it. */
static BlockAIOCB *submit_gated_and_wait_started(Gated *g)
{
    BlockAIOCB *acb = thread_pool_submit_aio(gated_func, g, gated_cb, g);

    run_bhs();
    qemu_sem_wait(g->started);
    return acb;
}

static void test_completion_order_follows_finish_order(void)
{
    static const int finish_order[] = { 2, 0, 3, 1 };
    QemuSemaphore started;
    Gated g[4];

    setup_ctx(0, 4);
    qemu_sem_init(&started, 0);
    n_order = 0;
    for (int i = 0; i < 4; i++) {
        gated_init(&g[i], i, &started);
        submit_gated_and_wait_started(&g[i]);
    }

    /*
     * Let one finish at a time; the ones still running must not be
     * reported, and the finished one must be.
     */
    for (int k = 0; k < 4; k++) {
        int i = finish_order[k];

        qemu_sem_post(&g[i].gate);
        while (!g[i].completed) {
            aio_poll(ctx, true);
        }
        g_assert_cmpint(n_order, ==, k + 1);
    }
    for (int k = 0; k < 4; k++) {
        g_assert_cmpint(completion_order[k], ==, finish_order[k]);
        g_assert_cmpint(g[k].completed, ==, 1);
        g_assert_cmpint(g[k].ret, ==, k + 100);
    }
    teardown_ctx();
    for (int i = 0; i < 4; i++) {
        qemu_sem_destroy(&g[i].gate);
    }
    qemu_sem_destroy(&started);
}

/* ---- cancellation ---------------------------------------------------- */

static void test_cancel_queued_never_runs(void)
{
    QemuSemaphore started;
    Gated blocker, queued[6];
    BlockAIOCB *acbs[6];

    /* One worker, held by the blocker: everything else stays queued. */
    setup_ctx(0, 1);
    qemu_sem_init(&started, 0);
    n_order = 0;
    gated_init(&blocker, 7, &started);
    submit_gated_and_wait_started(&blocker);

    for (int i = 0; i < 6; i++) {
        gated_init(&queued[i], i, NULL);
        /* The ones left alone must not block once they run. */
        qemu_sem_post(&queued[i].gate);
        acbs[i] = thread_pool_submit_aio(gated_func, &queued[i], gated_cb,
                                         &queued[i]);
    }
    for (int i = 0; i < 6; i += 2) {
        thread_pool_cancel_aio(acbs[i]);
    }
    /* Cancellation never calls back from inside the caller. */
    for (int i = 0; i < 6; i++) {
        g_assert_cmpint(queued[i].completed, ==, 0);
    }

    qemu_sem_post(&blocker.gate);
    while (n_order < 7) {
        aio_poll(ctx, true);
    }
    run_bhs();

    g_assert_cmpint(n_order, ==, 7);
    g_assert_cmpint(blocker.completed, ==, 1);
    g_assert_cmpint(blocker.ret, ==, 107);
    for (int i = 0; i < 6; i++) {
        g_assert_cmpint(queued[i].completed, ==, 1);
        if (i % 2 == 0) {
            g_assert_cmpint(queued[i].ret, ==, -ECANCELED);
            g_assert_cmpint(qatomic_read(&queued[i].ran), ==, 0);
        } else {
            g_assert_cmpint(queued[i].ret, ==, i + 100);
            g_assert_cmpint(qatomic_read(&queued[i].ran), ==, 1);
        }
    }
    teardown_ctx();
    qemu_sem_destroy(&blocker.gate);
    for (int i = 0; i < 6; i++) {
        qemu_sem_destroy(&queued[i].gate);
    }
    qemu_sem_destroy(&started);
}

static void test_cancel_running_completes_normally(void)
{
    QemuSemaphore started;
    Gated g;
    BlockAIOCB *acb;

    setup_ctx(0, 1);
    qemu_sem_init(&started, 0);
    n_order = 0;
    gated_init(&g, 5, &started);
    acb = submit_gated_and_wait_started(&g);

    thread_pool_cancel_aio(acb);
    qemu_sem_post(&g.gate);
    while (!g.completed) {
        aio_poll(ctx, true);
    }
    run_bhs();
    g_assert_cmpint(g.completed, ==, 1);
    g_assert_cmpint(g.ret, ==, 105);
    teardown_ctx();
    qemu_sem_destroy(&g.gate);
    qemu_sem_destroy(&started);
}

/* ---- pool size -------------------------------------------------------- */

static void test_worker_count_grows_with_load_up_to_max(void)
{
    enum { MAX = 4, N = 8 };
    QemuSemaphore started;
    Gated g[N];
    ThreadPool *pool;

    setup_ctx(0, MAX);
    pool = aio_get_thread_pool(ctx);
    qemu_sem_init(&started, 0);
    n_order = 0;
    g_assert_cmpint(thread_pool_get_thread_count(pool), ==, 0);

    /* Each busy worker forces one more for the next request. */
    for (int i = 0; i < MAX; i++) {
        gated_init(&g[i], i, &started);
        submit_gated_and_wait_started(&g[i]);
        g_assert_cmpint(thread_pool_get_thread_count(pool), ==, i + 1);
    }
    /* At max, more load queues instead. */
    for (int i = MAX; i < N; i++) {
        gated_init(&g[i], i, &started);
        thread_pool_submit_aio(gated_func, &g[i], gated_cb, &g[i]);
        run_bhs();
        g_assert_cmpint(thread_pool_get_thread_count(pool), ==, MAX);
    }
    for (int i = 0; i < N; i++) {
        qemu_sem_post(&g[i].gate);
    }
    while (n_order < N) {
        aio_poll(ctx, true);
        g_assert_cmpint(thread_pool_get_thread_count(pool), <=, MAX);
    }
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(g[i].completed, ==, 1);
        g_assert_cmpint(g[i].ret, ==, i + 100);
    }
    teardown_ctx();
    for (int i = 0; i < N; i++) {
        qemu_sem_destroy(&g[i].gate);
    }
    qemu_sem_destroy(&started);
}

/*
 * Workers leave on their own (they are detached): nothing in the home
 * context hears of it, so watch the count rather than poll the context.
 */
static void poll_until_thread_count(ThreadPool *pool, int n)
{
    while (thread_pool_get_thread_count(pool) != n) {
        g_thread_yield();
    }
}

static void test_min_threads_started_without_load(void)
{
    ThreadPool *pool;

    setup_ctx(3, 8);
    pool = aio_get_thread_pool(ctx);
    g_assert_cmpint(thread_pool_get_thread_count(pool), ==, 3);
    run_bhs();

    aio_context_set_thread_pool_params(ctx, 5, 8, &error_abort);
    g_assert_cmpint(thread_pool_get_thread_count(pool), ==, 5);
    run_bhs();
    teardown_ctx();
}

static void test_lowering_max_retires_idle_workers(void)
{
    QemuSemaphore started;
    Gated g[4];
    ThreadPool *pool;

    setup_ctx(0, 4);
    pool = aio_get_thread_pool(ctx);
    qemu_sem_init(&started, 0);
    n_order = 0;
    for (int i = 0; i < 4; i++) {
        gated_init(&g[i], i, &started);
        submit_gated_and_wait_started(&g[i]);
    }
    g_assert_cmpint(thread_pool_get_thread_count(pool), ==, 4);
    for (int i = 0; i < 4; i++) {
        qemu_sem_post(&g[i].gate);
    }
    while (n_order < 4) {
        aio_poll(ctx, true);
    }

    aio_context_set_thread_pool_params(ctx, 0, 1, &error_abort);
    poll_until_thread_count(pool, 1);

    teardown_ctx();
    for (int i = 0; i < 4; i++) {
        qemu_sem_destroy(&g[i].gate);
    }
    qemu_sem_destroy(&started);
}

/* ---- freeing the pool --------------------------------------------------- */

static void test_free_waits_for_work_and_completes_it(void)
{
    QemuSemaphore started;
    Gated g[3];

    /* One runs, two are queued when the context goes away. */
    setup_ctx(0, 1);
    qemu_sem_init(&started, 0);
    n_order = 0;
    for (int i = 0; i < 3; i++) {
        gated_init(&g[i], i, i == 0 ? &started : NULL);
        qemu_sem_post(&g[i].gate);
    }
    submit_gated_and_wait_started(&g[0]);
    thread_pool_submit_aio(gated_func, &g[1], gated_cb, &g[1]);
    thread_pool_submit_aio(gated_func, &g[2], gated_cb, &g[2]);

    teardown_ctx();

    g_assert_cmpint(n_order, ==, 3);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(qatomic_read(&g[i].ran), ==, 1);
        g_assert_cmpint(g[i].completed, ==, 1);
        g_assert_cmpint(g[i].ret, ==, i + 100);
        qemu_sem_destroy(&g[i].gate);
    }
    qemu_sem_destroy(&started);
}

static int fire_and_forget_func(void *opaque)
{
    qemu_event_set(opaque);
    return 0;
}

static void test_fire_and_forget_runs(void)
{
    QemuEvent done;

    setup_ctx(0, 2);
    qemu_event_init(&done, false);
    thread_pool_submit(fire_and_forget_func, &done);
    run_bhs();
    qemu_event_wait(&done);
    /* The completion, with nobody to call, must still be reclaimed. */
    while (thread_pool_get_in_flight(aio_get_thread_pool(ctx))) {
        aio_poll(ctx, true);
    }
    teardown_ctx();
    qemu_event_destroy(&done);
}

/* ---- coroutines ---------------------------------------------------------- */

typedef struct CoData {
    int value;
    int ret;
    bool done;
    bool worker_was_other_thread;
} CoData;

static int co_func(void *opaque)
{
    CoData *d = opaque;

    d->worker_was_other_thread = !qemu_thread_is_self(&main_thread);
    return d->value * 2;
}

static void coroutine_fn submit_co_entry(void *opaque)
{
    CoData *d = opaque;

    d->ret = thread_pool_submit_co(co_func, d);
    d->done = true;
}

static void test_submit_co_returns_func_value(void)
{
    CoData d[3] = { { .value = 21 }, { .value = -4 }, { .value = 0 } };

    setup_ctx(0, 2);
    for (int i = 0; i < 3; i++) {
        Coroutine *co = qemu_coroutine_create(submit_co_entry, &d[i]);
        qemu_coroutine_enter(co);
        /* It yielded: the function runs in a worker. */
        g_assert_false(d[i].done);
    }
    while (!d[0].done || !d[1].done || !d[2].done) {
        aio_poll(ctx, true);
    }
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(d[i].ret, ==, d[i].value * 2);
        g_assert_true(d[i].worker_was_other_thread);
    }
    teardown_ctx();
}

/* ---- the main loop's thread ------------------------------------------ */

/*
 * As in QEMU, qemu_init_main_loop() makes the calling thread the main
 * context's home, BQL or not: the pool and aio_co_* find their context
 * there without anything else set up.  In a subprocess, because the main
 * loop is set up once per process.
 */
static void test_main_loop_thread_uses_main_context_without_bql(void)
{
    g_test_trap_subprocess("/thread-pool/main-loop-thread/subprocess", 0,
                           G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

static void main_loop_thread_subprocess(void)
{
    Req r = { .index = 7 };
    CoData d = { .value = 5 };

    g_assert_null(qemu_get_current_aio_context());
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();
    g_assert_false(bql_locked());
    g_assert_true(qemu_get_current_aio_context() == ctx);

    /* A callback completion and a coroutine one, both in this thread. */
    n_completed = 0;
    thread_pool_submit_aio(return_index_func, &r, record_cb, &r);
    qemu_coroutine_enter(qemu_coroutine_create(submit_co_entry, &d));
    while (!n_completed || !d.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(r.ret, ==, 7);
    g_assert_true(r.cb_in_home_thread);
    g_assert_cmpint(d.ret, ==, 10);
    g_assert_true(d.worker_was_other_thread);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_thread_get_self(&main_thread);

    g_test_add_func("/thread-pool/completions-arrive-once-in-submitting-thread",
                    test_completions_arrive_once_in_submitting_thread);
    g_test_add_func("/thread-pool/completion-order-follows-finish-order",
                    test_completion_order_follows_finish_order);
    g_test_add_func("/thread-pool/cancel-queued-never-runs",
                    test_cancel_queued_never_runs);
    g_test_add_func("/thread-pool/cancel-running-completes-normally",
                    test_cancel_running_completes_normally);
    g_test_add_func("/thread-pool/worker-count-grows-with-load-up-to-max",
                    test_worker_count_grows_with_load_up_to_max);
    g_test_add_func("/thread-pool/min-threads-started-without-load",
                    test_min_threads_started_without_load);
    g_test_add_func("/thread-pool/lowering-max-retires-idle-workers",
                    test_lowering_max_retires_idle_workers);
    g_test_add_func("/thread-pool/free-waits-for-work-and-completes-it",
                    test_free_waits_for_work_and_completes_it);
    g_test_add_func("/thread-pool/fire-and-forget-runs",
                    test_fire_and_forget_runs);
    g_test_add_func("/thread-pool/submit-co-returns-func-value",
                    test_submit_co_returns_func_value);
    g_test_add_func("/thread-pool/main-loop-thread-uses-main-context-without-bql",
                    test_main_loop_thread_uses_main_context_without_bql);
    g_test_add_func("/thread-pool/main-loop-thread/subprocess",
                    main_loop_thread_subprocess);
    return g_test_run();
}
