/*
 * Unit tests for coroutines, CoMutex, CoQueue, CoRwlock and
 * qemu_co_sleep_ns.  Corresponds to QEMU's tests/unit/test-coroutine.c
 * and test-aio-multithread.c (the cross-thread CoMutex part).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine-int.h"
#include "qcore/error.h"
#include "qcore/lockable.h"

static AioContext *main_ctx;

/* ---- helpers --------------------------------------------------------- */

/* Let the event loop run, then continue in the same AioContext. */
static void coroutine_fn yield_to_loop(void)
{
    aio_co_schedule(qemu_get_current_aio_context(), qemu_coroutine_self());
    qemu_coroutine_yield();
}

/*
 * A thread running its own AioContext, like an IOThread: it polls until
 * told to stop; aio_notify makes the blocking aio_poll return.
 */
typedef struct TestThread {
    QemuThread thread;
    AioContext *ctx;
    bool stop;
} TestThread;

static void *test_thread_fn(void *opaque)
{
    TestThread *t = opaque;

    qemu_set_current_aio_context(t->ctx);
    while (!qatomic_read(&t->stop)) {
        aio_poll(t->ctx, true);
    }
    qemu_set_current_aio_context(NULL);
    return NULL;
}

static TestThread *test_thread_start(const char *name)
{
    TestThread *t = g_new0(TestThread, 1);

    t->ctx = aio_context_new(&error_abort);
    qemu_thread_create(&t->thread, name, test_thread_fn, t,
                       QEMU_THREAD_JOINABLE);
    return t;
}

/*
 * Join every thread before dropping any context: a thread may still be
 * inside aio_co_schedule/aio_notify on another thread's context after the
 * coroutine it scheduled has finished there.
 */
static void test_threads_stop(TestThread **t, int n)
{
    for (int i = 0; i < n; i++) {
        qatomic_set(&t[i]->stop, true);
        aio_notify(t[i]->ctx);
    }
    for (int i = 0; i < n; i++) {
        qemu_thread_join(&t[i]->thread);
    }
    for (int i = 0; i < n; i++) {
        aio_context_unref(t[i]->ctx);
        g_free(t[i]);
    }
}

/*
 * Move the running coroutine to @target's thread.  Scheduling ourselves
 * there directly would race (the other thread could enter us before we
 * have yielded here), so a BH in our own context does it after we yield;
 * QEMU's aio_co_reschedule_self works the same way.
 */
typedef struct Hop {
    Coroutine *co;
    AioContext *target;
} Hop;

static void hop_bh(void *opaque)
{
    Hop *hop = opaque;

    aio_co_schedule(hop->target, hop->co);
}

static void coroutine_fn hop_to(AioContext *target)
{
    Hop hop = { .co = qemu_coroutine_self(), .target = target };

    aio_bh_schedule_oneshot(qemu_get_current_aio_context(), hop_bh, &hop);
    qemu_coroutine_yield();
}

/* ---- basics ---------------------------------------------------------- */

typedef struct Counter {
    int n;
    bool done;
} Counter;

static void coroutine_fn count_and_yield(void *opaque)
{
    Counter *c = opaque;

    c->n++;
    qemu_coroutine_yield();
    c->n++;
    c->done = true;
}

static void test_enter_runs_until_yield_then_terminates(void)
{
    Counter c = { 0 };
    Coroutine *co = qemu_coroutine_create(count_and_yield, &c);

    g_assert_cmpint(c.n, ==, 0);
    g_assert_false(qemu_coroutine_entered(co));
    qemu_coroutine_enter(co);
    g_assert_cmpint(c.n, ==, 1);
    g_assert_false(c.done);
    g_assert_false(qemu_coroutine_entered(co));
    qemu_coroutine_enter(co);
    g_assert_cmpint(c.n, ==, 2);
    g_assert_true(c.done);
}

typedef struct SelfCheck {
    Coroutine *co;
    bool ran;
} SelfCheck;

static void coroutine_fn check_self(void *opaque)
{
    SelfCheck *s = opaque;

    g_assert_true(qemu_in_coroutine());
    g_assert_true(qemu_coroutine_self() == s->co);
    g_assert_true(qemu_coroutine_entered(s->co));
    g_assert_true(qemu_coroutine_get_aio_context(s->co) == main_ctx);
    s->ran = true;
}

static void test_self_and_in_coroutine(void)
{
    SelfCheck s = { 0 };
    Coroutine *leader = qemu_coroutine_self();

    g_assert_false(qemu_in_coroutine());
    g_assert_nonnull(leader);
    s.co = qemu_coroutine_create(check_self, &s);
    qemu_coroutine_enter(s.co);
    g_assert_true(s.ran);
    g_assert_false(qemu_in_coroutine());
    g_assert_true(qemu_coroutine_self() == leader);
}

typedef struct Nest {
    int depth;
    int max;
    int deepest;
} Nest;

static void coroutine_fn nest(void *opaque)
{
    Nest *n = opaque;
    Coroutine *self = qemu_coroutine_self();

    n->depth++;
    if (n->depth > n->deepest) {
        n->deepest = n->depth;
    }
    if (n->depth < n->max) {
        Coroutine *child = qemu_coroutine_create(nest, n);

        qemu_coroutine_enter(child);
        /* The child terminated; we are the running coroutine again. */
        g_assert_true(qemu_coroutine_self() == self);
        g_assert_true(qemu_in_coroutine());
    }
    n->depth--;
}

static void test_coroutine_enters_another_nested(void)
{
    Nest n = { .max = 128 };

    qemu_coroutine_enter(qemu_coroutine_create(nest, &n));
    g_assert_cmpint(n.deepest, ==, n.max);
    g_assert_cmpint(n.depth, ==, 0);
}

#define PING_PONG_ROUNDS 10000

typedef struct PingPong {
    Coroutine *pong;
    int *log;
    int len;
} PingPong;

static void coroutine_fn pong_fn(void *opaque)
{
    PingPong *pp = opaque;

    for (int i = 0; i < PING_PONG_ROUNDS; i++) {
        pp->log[pp->len++] = -i - 1;
        qemu_coroutine_yield();
    }
}

static void coroutine_fn ping_fn(void *opaque)
{
    PingPong *pp = opaque;

    for (int i = 0; i < PING_PONG_ROUNDS; i++) {
        pp->log[pp->len++] = i + 1;
        qemu_coroutine_enter(pp->pong);
    }
    qemu_coroutine_enter(pp->pong);     /* let it return */
}

static void test_ping_pong_alternates_in_order(void)
{
    PingPong pp = { .log = g_new0(int, 2 * PING_PONG_ROUNDS) };

    pp.pong = qemu_coroutine_create(pong_fn, &pp);
    qemu_coroutine_enter(qemu_coroutine_create(ping_fn, &pp));
    g_assert_cmpint(pp.len, ==, 2 * PING_PONG_ROUNDS);
    for (int i = 0; i < PING_PONG_ROUNDS; i++) {
        g_assert_cmpint(pp.log[2 * i], ==, i + 1);
        g_assert_cmpint(pp.log[2 * i + 1], ==, -i - 1);
    }
    g_free(pp.log);
}

/* A large frame: the default stack is big enough and really usable. */
static void coroutine_fn use_much_stack(void *opaque)
{
    volatile char buf[512 * 1024];

    for (size_t i = 0; i < sizeof(buf); i += 4096) {
        buf[i] = (char)i;
    }
    *(bool *)opaque = buf[4096] == (char)4096;
}

static void test_stack_holds_half_a_megabyte(void)
{
    bool ok = false;

    qemu_coroutine_enter(qemu_coroutine_create(use_much_stack, &ok));
    g_assert_true(ok);
}

typedef struct WakeOrder {
    Coroutine *sleeper;
    GString *log;
} WakeOrder;

static void coroutine_fn wake_sleeper(void *opaque)
{
    WakeOrder *w = opaque;

    g_string_append_c(w->log, 'w');
    aio_co_wake(w->sleeper);
    /* Deferred: the sleeper runs only once we have yielded. */
    g_string_append_c(w->log, 'W');
}

static void coroutine_fn sleeper(void *opaque)
{
    WakeOrder *w = opaque;

    qemu_coroutine_yield();
    g_string_append_c(w->log, 's');
}

static void test_wake_from_coroutine_runs_after_it_yields(void)
{
    WakeOrder w = { .log = g_string_new("") };

    w.sleeper = qemu_coroutine_create(sleeper, &w);
    qemu_coroutine_enter(w.sleeper);
    qemu_coroutine_enter(qemu_coroutine_create(wake_sleeper, &w));
    /* Both ran before enter returned, the woken one after its waker. */
    g_assert_cmpstr(w.log->str, ==, "wWs");
    g_string_free(w.log, true);
}

static void coroutine_fn reenter_self(void *opaque)
{
    qemu_coroutine_enter(qemu_coroutine_self());
}

static void test_reentering_running_coroutine_aborts(void)
{
    if (g_test_subprocess()) {
        qemu_coroutine_enter(qemu_coroutine_create(reenter_self, NULL));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*re-entered while it is running*");
}

static void coroutine_fn just_yield(void *opaque)
{
    qemu_coroutine_yield();
}

static void test_entering_scheduled_coroutine_aborts(void)
{
    if (g_test_subprocess()) {
        Coroutine *co = qemu_coroutine_create(just_yield, NULL);

        qemu_coroutine_enter(co);
        aio_co_schedule(main_ctx, co);
        qemu_coroutine_enter(co);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*entered while scheduled by 'aio_co_schedule'*");
}

/* ---- pool ------------------------------------------------------------ */

static void coroutine_fn nop(void *opaque)
{
}

static void test_pool_reuses_finished_coroutines(void)
{
    CoroutinePoolStats before, after;

    qemu_coroutine_pool_stats(&before);
    for (int i = 0; i < 1000; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(nop, NULL));
    }
    qemu_coroutine_pool_stats(&after);
    /* At most the first one needed a new stack. */
    g_assert_cmpuint(after.allocated - before.allocated, <=, 1);
    g_assert_cmpuint(after.reused - before.reused, >=, 999);
}

#define MANY 300    /* more than the per-thread pool keeps */

static void test_pool_overflow_is_reused_through_global_pool(void)
{
    Coroutine **cos = g_new(Coroutine *, MANY);
    CoroutinePoolStats before, after;

    /* Have MANY alive at once, then finish them all. */
    for (int i = 0; i < MANY; i++) {
        cos[i] = qemu_coroutine_create(just_yield, NULL);
        qemu_coroutine_enter(cos[i]);
    }
    for (int i = 0; i < MANY; i++) {
        qemu_coroutine_enter(cos[i]);
    }

    /* The thread's own pool and the global one hold all of them. */
    qemu_coroutine_pool_stats(&before);
    for (int i = 0; i < MANY; i++) {
        cos[i] = qemu_coroutine_create(just_yield, NULL);
        qemu_coroutine_enter(cos[i]);
    }
    qemu_coroutine_pool_stats(&after);
    g_assert_cmpuint(after.allocated, ==, before.allocated);
    g_assert_cmpuint(after.reused - before.reused, ==, MANY);
    for (int i = 0; i < MANY; i++) {
        qemu_coroutine_enter(cos[i]);
    }
    g_free(cos);
}

/* ---- CoMutex --------------------------------------------------------- */

#define FAIR_COROUTINES 8

typedef struct Fairness {
    CoMutex lock;
    Coroutine *co[FAIR_COROUTINES];
    int order[FAIR_COROUTINES];
    int acquired;
} Fairness;

typedef struct FairArg {
    Fairness *f;
    int id;
} FairArg;

static void coroutine_fn lock_yield_unlock(void *opaque)
{
    FairArg *a = opaque;

    qemu_co_mutex_lock(&a->f->lock);
    qemu_co_mutex_assert_locked(&a->f->lock);
    a->f->order[a->f->acquired++] = a->id;
    qemu_coroutine_yield();
    qemu_co_mutex_unlock(&a->f->lock);
}

static void test_comutex_hands_over_in_fifo_order(void)
{
    Fairness f = { 0 };
    FairArg args[FAIR_COROUTINES];

    qemu_co_mutex_init(&f.lock);
    for (int i = 0; i < FAIR_COROUTINES; i++) {
        args[i] = (FairArg) { .f = &f, .id = i };
        f.co[i] = qemu_coroutine_create(lock_yield_unlock, &args[i]);
        qemu_coroutine_enter(f.co[i]);
    }
    /* The first holds the lock, everybody else queued in order. */
    g_assert_cmpint(f.acquired, ==, 1);

    for (int i = 0; i < FAIR_COROUTINES; i++) {
        /*
         * Resume the holder: it unlocks and terminates, and the next in
         * line takes the lock and yields, all before enter returns.
         */
        g_assert_true(f.lock.holder == f.co[f.order[i]]);
        qemu_coroutine_enter(f.co[f.order[i]]);
        g_assert_cmpint(f.acquired, ==, MIN(i + 2, FAIR_COROUTINES));
    }
    for (int i = 0; i < FAIR_COROUTINES; i++) {
        g_assert_cmpint(f.order[i], ==, i);
    }
    g_assert_cmpuint(f.lock.locked, ==, 0);
}

/* QEMU_LOCK_GUARD and WITH_QEMU_LOCK_GUARD take a CoMutex too. */
typedef struct GuardArg {
    CoMutex *lock;
    bool in_block;
} GuardArg;

static void coroutine_fn guard_block_yield(void *opaque)
{
    GuardArg *a = opaque;

    WITH_QEMU_LOCK_GUARD(a->lock) {
        qemu_co_mutex_assert_locked(a->lock);
        a->in_block = true;
        qemu_coroutine_yield();
        a->in_block = false;
    }
}

static void coroutine_fn guard_scope(void *opaque)
{
    GuardArg *a = opaque;
    QEMU_LOCK_GUARD(a->lock);

    a->in_block = true;
}

static void test_lock_guards_take_a_comutex(void)
{
    CoMutex lock;
    GuardArg holder = { .lock = &lock }, waiter = { .lock = &lock };
    Coroutine *h = qemu_coroutine_create(guard_block_yield, &holder);
    Coroutine *w = qemu_coroutine_create(guard_scope, &waiter);

    qemu_co_mutex_init(&lock);
    qemu_coroutine_enter(h);
    g_assert_true(holder.in_block);
    g_assert_true(lock.holder == h);
    /* The second one queues behind the guard... */
    qemu_coroutine_enter(w);
    g_assert_false(waiter.in_block);
    /* ... and gets the lock when the first leaves its block. */
    qemu_coroutine_enter(h);
    g_assert_false(holder.in_block);
    g_assert_true(waiter.in_block);
    /* Both guards released it: the scope one when its coroutine ended. */
    g_assert_cmpuint(lock.locked, ==, 0);
}

#define STRESS_COROUTINES 8
#define STRESS_ITERATIONS 2000

typedef struct Stress {
    CoMutex lock;
    long counter;           /* protected by lock, deliberately not atomic */
    int inside;             /* protected by lock */
    int finished;           /* atomic */
    QemuEvent all_done;
} Stress;

static void coroutine_fn stress_fn(void *opaque)
{
    Stress *s = opaque;

    for (int i = 0; i < STRESS_ITERATIONS; i++) {
        qemu_co_mutex_lock(&s->lock);
        g_assert_cmpint(s->inside++, ==, 0);
        s->counter++;
        if (i % 4 == 0) {
            /* Hold the lock across a trip through the event loop. */
            yield_to_loop();
        }
        g_assert_cmpint(--s->inside, ==, 0);
        qemu_co_mutex_unlock(&s->lock);
        if (i % 3 == 0) {
            yield_to_loop();
        }
    }
    if (qatomic_fetch_inc(&s->finished) + 1 == STRESS_COROUTINES) {
        qemu_event_set(&s->all_done);
    }
}

static void test_comutex_excludes_across_threads(void)
{
    TestThread *t[2] = { test_thread_start("co-a"),
                         test_thread_start("co-b") };
    Stress s = { 0 };

    qemu_co_mutex_init(&s.lock);
    qemu_event_init(&s.all_done, false);
    for (int i = 0; i < STRESS_COROUTINES; i++) {
        aio_co_schedule(t[i % 2]->ctx, qemu_coroutine_create(stress_fn, &s));
    }
    qemu_event_wait(&s.all_done);
    test_threads_stop(t, 2);

    g_assert_cmpint(s.counter, ==, STRESS_COROUTINES * STRESS_ITERATIONS);
    g_assert_cmpuint(s.lock.locked, ==, 0);
    qemu_event_destroy(&s.all_done);
}

#define HOPS 200

typedef struct HopTest {
    AioContext *ctx[2];
    int hops;
    QemuEvent done;
} HopTest;

static void coroutine_fn hopper(void *opaque)
{
    HopTest *h = opaque;
    Coroutine *self = qemu_coroutine_self();

    for (int i = 0; i < HOPS; i++) {
        AioContext *target = h->ctx[(i + 1) % 2];

        hop_to(target);
        /* Thread-locals are re-read after each switch, not cached. */
        g_assert_true(qemu_get_current_aio_context() == target);
        g_assert_true(qemu_coroutine_self() == self);
        g_assert_true(qemu_in_coroutine());
        g_assert_true(qemu_coroutine_get_aio_context(self) == target);
        h->hops++;
    }
    qemu_event_set(&h->done);
}

static void test_coroutine_moves_between_threads(void)
{
    TestThread *t[2] = { test_thread_start("co-a"),
                         test_thread_start("co-b") };
    HopTest h = { .ctx = { t[0]->ctx, t[1]->ctx } };

    qemu_event_init(&h.done, false);
    aio_co_schedule(t[0]->ctx, qemu_coroutine_create(hopper, &h));
    qemu_event_wait(&h.done);
    test_threads_stop(t, 2);
    g_assert_cmpint(h.hops, ==, HOPS);
    qemu_event_destroy(&h.done);
}

/* ---- CoQueue --------------------------------------------------------- */

typedef struct QueueTest {
    CoQueue queue;
    CoMutex lock;
    GString *log;
} QueueTest;

typedef struct QueueArg {
    QueueTest *q;
    char id;
} QueueArg;

static void coroutine_fn queue_waiter(void *opaque)
{
    QueueArg *a = opaque;

    qemu_co_mutex_lock(&a->q->lock);
    qemu_co_queue_wait(&a->q->queue, &a->q->lock);
    /* We hold the lock again after the wait. */
    qemu_co_mutex_assert_locked(&a->q->lock);
    g_string_append_c(a->q->log, a->id);
    qemu_co_mutex_unlock(&a->q->lock);
}

static void coroutine_fn queue_restart_all(void *opaque)
{
    QueueTest *q = opaque;

    qemu_co_queue_restart_all(&q->queue);
    g_string_append_c(q->log, '!');
}

static void test_coqueue_wakes_in_fifo_order(void)
{
    QueueTest q = { .log = g_string_new("") };
    QueueArg args[5];

    qemu_co_queue_init(&q.queue);
    qemu_co_mutex_init(&q.lock);
    g_assert_true(qemu_co_queue_empty(&q.queue));
    for (int i = 0; i < 5; i++) {
        args[i] = (QueueArg) { .q = &q, .id = 'a' + i };
        qemu_coroutine_enter(qemu_coroutine_create(queue_waiter, &args[i]));
    }
    /* All wait; the lock was released by each wait. */
    g_assert_false(qemu_co_queue_empty(&q.queue));
    g_assert_cmpuint(q.lock.locked, ==, 0);
    g_assert_cmpstr(q.log->str, ==, "");

    g_assert_true(qemu_co_enter_next(&q.queue, NULL));
    g_assert_cmpstr(q.log->str, ==, "a");
    g_assert_true(qemu_co_enter_next(&q.queue, NULL));
    g_assert_cmpstr(q.log->str, ==, "ab");

    /* From a coroutine: the rest run after the waker finishes. */
    qemu_coroutine_enter(qemu_coroutine_create(queue_restart_all, &q));
    g_assert_cmpstr(q.log->str, ==, "ab!cde");
    g_assert_true(qemu_co_queue_empty(&q.queue));
    g_assert_false(qemu_co_enter_next(&q.queue, NULL));
    g_string_free(q.log, true);
}

typedef struct QemuMutexQueue {
    CoQueue queue;
    QemuMutex lock;
    bool ready;
    bool woke;
} QemuMutexQueue;

static void coroutine_fn wait_with_qemu_mutex(void *opaque)
{
    QemuMutexQueue *m = opaque;

    qemu_mutex_lock(&m->lock);
    while (!m->ready) {
        qemu_co_queue_wait(&m->queue, &m->lock);
    }
    m->woke = true;
    qemu_mutex_unlock(&m->lock);
}

static void test_coqueue_wait_releases_qemu_mutex(void)
{
    QemuMutexQueue m = { 0 };

    qemu_co_queue_init(&m.queue);
    qemu_mutex_init(&m.lock);
    qemu_coroutine_enter(qemu_coroutine_create(wait_with_qemu_mutex, &m));
    g_assert_false(m.woke);

    /* The waiter dropped the mutex, so we can take it. */
    qemu_mutex_lock(&m.lock);
    m.ready = true;
    qemu_co_enter_all(&m.queue, &m.lock);
    qemu_mutex_unlock(&m.lock);
    g_assert_true(m.woke);
    qemu_mutex_destroy(&m.lock);
}

/* ---- CoRwlock -------------------------------------------------------- */

typedef struct RwTest {
    CoRwlock lock;
    GString *log;
    int readers;
    bool writer;
} RwTest;

typedef struct RwArg {
    RwTest *t;
    char id;
    Coroutine *co;
} RwArg;

static void coroutine_fn rw_reader(void *opaque)
{
    RwArg *a = opaque;

    qemu_co_rwlock_rdlock(&a->t->lock);
    g_assert_false(a->t->writer);
    a->t->readers++;
    g_string_append_c(a->t->log, a->id);
    qemu_coroutine_yield();
    a->t->readers--;
    qemu_co_rwlock_unlock(&a->t->lock);
}

static void coroutine_fn rw_writer(void *opaque)
{
    RwArg *a = opaque;

    qemu_co_rwlock_wrlock(&a->t->lock);
    g_assert_cmpint(a->t->readers, ==, 0);
    g_assert_false(a->t->writer);
    a->t->writer = true;
    g_string_append_c(a->t->log, a->id);
    qemu_coroutine_yield();
    a->t->writer = false;
    qemu_co_rwlock_unlock(&a->t->lock);
}

static void rw_start(RwArg *a, RwTest *t, char id, CoroutineEntry *fn)
{
    *a = (RwArg) { .t = t, .id = id };
    a->co = qemu_coroutine_create(fn, a);
    qemu_coroutine_enter(a->co);
}

static void rw_init(RwTest *t)
{
    memset(t, 0, sizeof(*t));
    qemu_co_rwlock_init(&t->lock);
    t->log = g_string_new("");
}

static void test_corwlock_readers_share(void)
{
    RwTest t;
    RwArg r[3];

    rw_init(&t);
    for (int i = 0; i < 3; i++) {
        rw_start(&r[i], &t, '1' + i, rw_reader);
    }
    /* All three hold the lock at the same time. */
    g_assert_cmpint(t.readers, ==, 3);
    g_assert_cmpstr(t.log->str, ==, "123");
    for (int i = 0; i < 3; i++) {
        qemu_coroutine_enter(r[i].co);
    }
    g_assert_cmpint(t.lock.owners, ==, 0);
    g_string_free(t.log, true);
}

static void test_corwlock_writer_excludes_and_is_not_starved(void)
{
    RwTest t;
    RwArg r1, w, r2;

    rw_init(&t);
    rw_start(&r1, &t, '1', rw_reader);
    rw_start(&w, &t, 'W', rw_writer);
    /* A reader arriving after a waiting writer waits behind it. */
    rw_start(&r2, &t, '2', rw_reader);
    g_assert_cmpstr(t.log->str, ==, "1");

    qemu_coroutine_enter(r1.co);            /* unlock: the writer's turn */
    g_assert_cmpstr(t.log->str, ==, "1W");
    g_assert_true(t.writer);
    qemu_coroutine_enter(w.co);             /* unlock: the reader's turn */
    g_assert_cmpstr(t.log->str, ==, "1W2");
    qemu_coroutine_enter(r2.co);
    g_assert_cmpint(t.lock.owners, ==, 0);
    g_string_free(t.log, true);
}

static void coroutine_fn rw_upgrader(void *opaque)
{
    RwArg *a = opaque;

    qemu_co_rwlock_rdlock(&a->t->lock);
    g_string_append_c(a->t->log, 'u');
    qemu_coroutine_yield();
    qemu_co_rwlock_upgrade(&a->t->lock);
    g_assert_cmpint(a->t->readers, ==, 0);
    g_assert_cmpint(a->t->lock.owners, ==, -1);
    g_string_append_c(a->t->log, 'U');
    qemu_coroutine_yield();
    qemu_co_rwlock_unlock(&a->t->lock);
}

static void test_corwlock_upgrade_waits_for_other_readers(void)
{
    RwTest t;
    RwArg u, r2, r3;

    rw_init(&t);
    rw_start(&u, &t, 'u', rw_upgrader);
    rw_start(&r2, &t, '2', rw_reader);
    g_assert_cmpstr(t.log->str, ==, "u2");

    qemu_coroutine_enter(u.co);             /* upgrade: r2 still reads */
    g_assert_cmpstr(t.log->str, ==, "u2");
    rw_start(&r3, &t, '3', rw_reader);      /* queued behind the upgrade */
    g_assert_cmpstr(t.log->str, ==, "u2");

    qemu_coroutine_enter(r2.co);            /* last reader leaves */
    g_assert_cmpstr(t.log->str, ==, "u2U");
    qemu_coroutine_enter(u.co);             /* writer leaves */
    g_assert_cmpstr(t.log->str, ==, "u2U3");
    qemu_coroutine_enter(r3.co);
    g_assert_cmpint(t.lock.owners, ==, 0);
    g_string_free(t.log, true);
}

static void coroutine_fn rw_downgrader(void *opaque)
{
    RwArg *a = opaque;

    qemu_co_rwlock_wrlock(&a->t->lock);
    g_string_append_c(a->t->log, 'W');
    qemu_coroutine_yield();
    qemu_co_rwlock_downgrade(&a->t->lock);
    g_string_append_c(a->t->log, 'D');
    qemu_coroutine_yield();
    qemu_co_rwlock_unlock(&a->t->lock);
}

static void test_corwlock_downgrade_lets_readers_in(void)
{
    RwTest t;
    RwArg d, r1, r2;

    rw_init(&t);
    rw_start(&d, &t, 'W', rw_downgrader);
    rw_start(&r1, &t, '1', rw_reader);
    rw_start(&r2, &t, '2', rw_reader);
    g_assert_cmpstr(t.log->str, ==, "W");

    qemu_coroutine_enter(d.co);             /* downgrade: readers join */
    g_assert_cmpstr(t.log->str, ==, "WD12");
    g_assert_cmpint(t.lock.owners, ==, 3);
    qemu_coroutine_enter(d.co);
    qemu_coroutine_enter(r1.co);
    qemu_coroutine_enter(r2.co);
    g_assert_cmpint(t.lock.owners, ==, 0);
    g_string_free(t.log, true);
}

/* ---- qemu_co_sleep_ns ------------------------------------------------ */

typedef struct SleepTest {
    QEMUClockType type;
    int64_t ns;
    int64_t start, end;
    QemuCoSleep w;
    bool done;
} SleepTest;

static void coroutine_fn sleep_fn(void *opaque)
{
    SleepTest *s = opaque;

    s->start = qemu_clock_get_ns(s->type);
    qemu_co_sleep_ns_wakeable(&s->w, s->type, s->ns);
    s->end = qemu_clock_get_ns(s->type);
    s->done = true;
}

static void sleep_and_check(QEMUClockType type)
{
    SleepTest s = { .type = type, .ns = 2 * SCALE_MS };

    qemu_coroutine_enter(qemu_coroutine_create(sleep_fn, &s));
    while (!s.done) {
        aio_poll(main_ctx, true);
    }
    g_assert_cmpint(s.end - s.start, >=, s.ns);
}

static void test_sleep_realtime_ends_after_deadline(void)
{
    sleep_and_check(QEMU_CLOCK_REALTIME);
}

static void test_sleep_virtual_ends_after_deadline(void)
{
    cpu_enable_ticks();
    sleep_and_check(QEMU_CLOCK_VIRTUAL);
    cpu_disable_ticks();
}

static void test_sleep_wake_cuts_sleep_short(void)
{
    SleepTest s = { .type = QEMU_CLOCK_REALTIME,
                    .ns = 3600 * NANOSECONDS_PER_SECOND };
    QEMUTimerList *tl = main_ctx->tlg.tl[QEMU_CLOCK_REALTIME];

    qemu_coroutine_enter(qemu_coroutine_create(sleep_fn, &s));
    g_assert_false(s.done);
    g_assert_true(timerlist_has_timers(tl));

    /* From the sleeper's context and not in a coroutine: runs it now. */
    qemu_co_sleep_wake(&s.w);
    g_assert_true(s.done);
    g_assert_false(timerlist_has_timers(tl));
    /* A second wake finds nobody to wake. */
    qemu_co_sleep_wake(&s.w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    main_ctx = aio_context_new(&error_abort);
    qemu_set_current_aio_context(main_ctx);

    g_test_add_func("/coroutine/basic/enter-runs-until-yield-then-terminates",
                    test_enter_runs_until_yield_then_terminates);
    g_test_add_func("/coroutine/basic/self-and-in-coroutine",
                    test_self_and_in_coroutine);
    g_test_add_func("/coroutine/basic/coroutine-enters-another-nested",
                    test_coroutine_enters_another_nested);
    g_test_add_func("/coroutine/basic/ping-pong-alternates-in-order",
                    test_ping_pong_alternates_in_order);
    g_test_add_func("/coroutine/basic/stack-holds-half-a-megabyte",
                    test_stack_holds_half_a_megabyte);
    g_test_add_func("/coroutine/enter/wake-from-coroutine-runs-after-it-yields",
                    test_wake_from_coroutine_runs_after_it_yields);
    g_test_add_func("/coroutine/enter/reentering-running-coroutine-aborts",
                    test_reentering_running_coroutine_aborts);
    g_test_add_func("/coroutine/enter/entering-scheduled-coroutine-aborts",
                    test_entering_scheduled_coroutine_aborts);
    g_test_add_func("/coroutine/pool/reuses-finished-coroutines",
                    test_pool_reuses_finished_coroutines);
    g_test_add_func("/coroutine/pool/overflow-is-reused-through-global-pool",
                    test_pool_overflow_is_reused_through_global_pool);
    g_test_add_func("/coroutine/comutex/hands-over-in-fifo-order",
                    test_comutex_hands_over_in_fifo_order);
    g_test_add_func("/coroutine/comutex/lock-guards-take-a-comutex",
                    test_lock_guards_take_a_comutex);
    g_test_add_func("/coroutine/comutex/excludes-across-threads",
                    test_comutex_excludes_across_threads);
    g_test_add_func("/coroutine/thread/coroutine-moves-between-threads",
                    test_coroutine_moves_between_threads);
    g_test_add_func("/coroutine/coqueue/wakes-in-fifo-order",
                    test_coqueue_wakes_in_fifo_order);
    g_test_add_func("/coroutine/coqueue/wait-releases-qemu-mutex",
                    test_coqueue_wait_releases_qemu_mutex);
    g_test_add_func("/coroutine/corwlock/readers-share",
                    test_corwlock_readers_share);
    g_test_add_func("/coroutine/corwlock/writer-excludes-and-is-not-starved",
                    test_corwlock_writer_excludes_and_is_not_starved);
    g_test_add_func("/coroutine/corwlock/upgrade-waits-for-other-readers",
                    test_corwlock_upgrade_waits_for_other_readers);
    g_test_add_func("/coroutine/corwlock/downgrade-lets-readers-in",
                    test_corwlock_downgrade_lets_readers_in);
    g_test_add_func("/coroutine/sleep/realtime-ends-after-deadline",
                    test_sleep_realtime_ends_after_deadline);
    g_test_add_func("/coroutine/sleep/virtual-ends-after-deadline",
                    test_sleep_virtual_ends_after_deadline);
    g_test_add_func("/coroutine/sleep/wake-cuts-sleep-short",
                    test_sleep_wake_cuts_sleep_short);

    return g_test_run();
}
