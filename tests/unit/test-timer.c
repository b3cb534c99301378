/*
 * Clocks and timers: ordering, re-arming, cancellation, deadlines, the
 * virtual clock that stops, and timers armed from other threads.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/thread.h"

static AioContext *ctx;

typedef struct {
    QEMUTimer timer;
    int id;
    GArray *log;
} LogTimer;

static void log_cb(void *opaque)
{
    LogTimer *t = opaque;
    g_array_append_val(t->log, t->id);
}

static void run_until_empty(QEMUTimerList *tl)
{
    while (timerlist_has_timers(tl)) {
        aio_poll(ctx, true);
    }
}

static void test_timers_fire_in_deadline_order(void)
{
    /* Deadlines chosen out of order, some equal. */
    static const int offsets_us[] = { 900, 100, 500, 300, 700, 200, 800 };
    enum { N = G_N_ELEMENTS(offsets_us) };
    LogTimer t[N];
    GArray *log = g_array_new(false, false, sizeof(int));
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int i;

    for (i = 0; i < N; i++) {
        t[i] = (LogTimer){ .id = offsets_us[i], .log = log };
        aio_timer_init(ctx, &t[i].timer, QEMU_CLOCK_REALTIME, SCALE_US,
                       log_cb, &t[i]);
        timer_mod(&t[i].timer, now / SCALE_US + offsets_us[i]);
    }
    run_until_empty(ctx->tlg.tl[QEMU_CLOCK_REALTIME]);
    g_assert_cmpint(log->len, ==, N);
    for (i = 1; i < N; i++) {
        g_assert_cmpint(g_array_index(log, int, i - 1), <,
                        g_array_index(log, int, i));
    }
    g_array_free(log, true);
}

static void test_timers_with_same_deadline_fire_in_arming_order(void)
{
    enum { N = 50 };
    LogTimer t[N];
    GArray *log = g_array_new(false, false, sizeof(int));
    int64_t when = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + 200 * SCALE_US;
    int i;

    for (i = 0; i < N; i++) {
        t[i] = (LogTimer){ .id = i, .log = log };
        aio_timer_init(ctx, &t[i].timer, QEMU_CLOCK_REALTIME, SCALE_NS,
                       log_cb, &t[i]);
    }
    /* Arm in a scrambled order; that order is the firing order. */
    for (i = 0; i < N; i++) {
        timer_mod_ns(&t[(i * 7) % N].timer, when);
    }
    run_until_empty(ctx->tlg.tl[QEMU_CLOCK_REALTIME]);
    g_assert_cmpint(log->len, ==, N);
    for (i = 0; i < N; i++) {
        g_assert_cmpint(g_array_index(log, int, i), ==, (i * 7) % N);
    }
    g_array_free(log, true);
}

static void test_timer_rearm_moves_deadline(void)
{
    LogTimer a, b;
    GArray *log = g_array_new(false, false, sizeof(int));
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    a = (LogTimer){ .id = 1, .log = log };
    b = (LogTimer){ .id = 2, .log = log };
    aio_timer_init(ctx, &a.timer, QEMU_CLOCK_REALTIME, SCALE_NS, log_cb, &a);
    aio_timer_init(ctx, &b.timer, QEMU_CLOCK_REALTIME, SCALE_NS, log_cb, &b);
    timer_mod_ns(&a.timer, now + 100 * SCALE_US);
    timer_mod_ns(&b.timer, now + 300 * SCALE_US);
    /* Re-arm a after b. */
    timer_mod_ns(&a.timer, now + 500 * SCALE_US);
    g_assert_cmpint(timer_expire_time_ns(&a.timer), ==, now + 500 * SCALE_US);
    run_until_empty(ctx->tlg.tl[QEMU_CLOCK_REALTIME]);
    g_assert_cmpint(log->len, ==, 2);
    g_assert_cmpint(g_array_index(log, int, 0), ==, 2);
    g_assert_cmpint(g_array_index(log, int, 1), ==, 1);
    g_array_free(log, true);
}

static void test_timer_mod_anticipate_only_moves_earlier(void)
{
    LogTimer a = { .id = 1 };
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    a.log = g_array_new(false, false, sizeof(int));
    aio_timer_init(ctx, &a.timer, QEMU_CLOCK_REALTIME, SCALE_NS, log_cb, &a);
    timer_mod_anticipate_ns(&a.timer, now + 10 * NANOSECONDS_PER_SECOND);
    g_assert_true(timer_pending(&a.timer));
    timer_mod_anticipate_ns(&a.timer, now + 20 * NANOSECONDS_PER_SECOND);
    g_assert_cmpint(timer_expire_time_ns(&a.timer), ==,
                    now + 10 * NANOSECONDS_PER_SECOND);
    timer_mod_anticipate_ns(&a.timer, now + 5 * NANOSECONDS_PER_SECOND);
    g_assert_cmpint(timer_expire_time_ns(&a.timer), ==,
                    now + 5 * NANOSECONDS_PER_SECOND);
    timer_del(&a.timer);
    g_array_free(a.log, true);
}

static void test_timer_del_cancels(void)
{
    LogTimer a = { .id = 1 };
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    a.log = g_array_new(false, false, sizeof(int));
    aio_timer_init(ctx, &a.timer, QEMU_CLOCK_REALTIME, SCALE_NS, log_cb, &a);
    timer_mod_ns(&a.timer, now);
    g_assert_true(timer_pending(&a.timer));
    timer_del(&a.timer);
    g_assert_false(timer_pending(&a.timer));
    g_assert_cmpint(timer_expire_time_ns(&a.timer), ==, -1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(a.log->len, ==, 0);
    g_array_free(a.log, true);
}

static void free_self_cb(void *opaque)
{
    QEMUTimer **t = opaque;
    timer_free(*t);
    *t = NULL;
}

static void test_timer_may_free_itself_in_callback(void)
{
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_NS,
                                 free_self_cb, &t);

    timer_mod_ns(t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME));
    while (t) {
        aio_poll(ctx, true);
    }
}

/*
 * A callback that re-arms its timer for a fixed instant in the past: it
 * fires once per run of the list (else one run would never end), and
 * two such timers take turns instead of one starving the other.
 */
typedef struct {
    QEMUTimer timer;
    int64_t when;
    int calls;
} PastTimer;

static void past_cb(void *opaque)
{
    PastTimer *t = opaque;

    /* Bounded so that a broken rule fails the test instead of hanging. */
    if (++t->calls < 1000) {
        timer_mod_ns(&t->timer, t->when);
    }
}

static void test_timer_rearmed_in_the_past_fires_once_per_run(void)
{
    QEMUTimerList *tl = ctx->tlg.tl[QEMU_CLOCK_REALTIME];
    PastTimer a = { .when = 0 }, b = { .when = 1 };

    aio_timer_init(ctx, &a.timer, QEMU_CLOCK_REALTIME, SCALE_NS, past_cb, &a);
    aio_timer_init(ctx, &b.timer, QEMU_CLOCK_REALTIME, SCALE_NS, past_cb, &b);
    timer_mod_ns(&a.timer, a.when);
    timer_mod_ns(&b.timer, b.when);
    for (int run = 1; run <= 3; run++) {
        g_assert_true(timerlist_run_timers(tl));
        g_assert_cmpint(a.calls, ==, run);
        g_assert_cmpint(b.calls, ==, run);
        /* Still due: the loop polls without sleeping, then runs them. */
        g_assert_cmpint(timerlist_deadline_ns(tl), ==, 0);
    }
    timer_del(&a.timer);
    timer_del(&b.timer);
    /* The real deadline is kept, whatever the heap keyed them by. */
    timer_mod_ns(&a.timer, 5);
    g_assert_cmpint(timer_expire_time_ns(&a.timer), ==, 5);
    timer_del(&a.timer);
}

static void test_deadline_is_minus_one_without_timers(void)
{
    g_assert_cmpint(timerlistgroup_deadline_ns(&ctx->tlg), ==, -1);
    g_assert_cmpint(aio_compute_timeout(ctx), ==, -1);
}

static void test_deadline_tracks_earliest_timer(void)
{
    QEMUTimer a;
    int64_t d;

    aio_timer_init(ctx, &a, QEMU_CLOCK_REALTIME, SCALE_NS, free_self_cb, NULL);
    timer_mod_ns(&a, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                 NANOSECONDS_PER_SECOND);
    d = timerlistgroup_deadline_ns(&ctx->tlg);
    g_assert_cmpint(d, >, 0);
    g_assert_cmpint(d, <=, NANOSECONDS_PER_SECOND);
    timer_mod_ns(&a, 0);
    g_assert_cmpint(timerlistgroup_deadline_ns(&ctx->tlg), ==, 0);
    timer_del(&a);
}

static void test_timeout_ns_to_ms_rounds_up(void)
{
    g_assert_cmpint(qemu_timeout_ns_to_ms(-1), ==, -1);
    g_assert_cmpint(qemu_timeout_ns_to_ms(0), ==, 0);
    g_assert_cmpint(qemu_timeout_ns_to_ms(1), ==, 1);
    g_assert_cmpint(qemu_timeout_ns_to_ms(SCALE_MS), ==, 1);
    g_assert_cmpint(qemu_timeout_ns_to_ms(SCALE_MS + 1), ==, 2);
    g_assert_cmpint(qemu_soonest_timeout(-1, 5), ==, 5);
    g_assert_cmpint(qemu_soonest_timeout(7, -1), ==, 7);
    g_assert_cmpint(qemu_soonest_timeout(7, 5), ==, 5);
}

/* ---- the virtual clock ------------------------------------------------- */

static void count_cb(void *opaque)
{
    (*(int *)opaque)++;
}

/* Let at least @ns of real time pass, by waiting on a real-time timer. */
static void wait_realtime(int64_t ns)
{
    QEMUTimer t;
    int fired = 0;

    aio_timer_init(ctx, &t, QEMU_CLOCK_REALTIME, SCALE_NS, count_cb, &fired);
    timer_mod_ns(&t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + ns);
    while (!fired) {
        aio_poll(ctx, true);
    }
}

static void test_virtual_clock_does_not_move_while_stopped(void)
{
    int64_t v1, v2, v3;

    cpu_disable_ticks();
    v1 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    wait_realtime(SCALE_MS);
    v2 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(v1, ==, v2);

    /* Restarted, it moves on from where it stopped, at host speed. */
    cpu_enable_ticks();
    wait_realtime(SCALE_MS);
    v3 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(v3 - v2, >=, SCALE_MS);
}

static void test_virtual_timer_waits_while_clock_stopped(void)
{
    QEMUTimer t;
    int fired = 0;

    cpu_enable_ticks();
    aio_timer_init(ctx, &t, QEMU_CLOCK_VIRTUAL, SCALE_NS, count_cb, &fired);
    timer_mod_ns(&t, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + SCALE_MS);
    cpu_disable_ticks();

    /* Frozen before its deadline: no deadline for the poll, no firing. */
    g_assert_cmpint(timerlist_deadline_ns(ctx->tlg.tl[QEMU_CLOCK_VIRTUAL]),
                    ==, -1);
    wait_realtime(2 * SCALE_MS);
    g_assert_cmpint(fired, ==, 0);

    cpu_enable_ticks();
    while (!fired) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(fired, ==, 1);
}

static void test_disabled_clock_runs_no_timers(void)
{
    QEMUTimer t;
    int fired = 0;

    aio_timer_init(ctx, &t, QEMU_CLOCK_HOST, SCALE_NS, count_cb, &fired);
    qemu_clock_enable(QEMU_CLOCK_HOST, false);
    timer_mod_ns(&t, qemu_clock_get_ns(QEMU_CLOCK_HOST));
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(fired, ==, 0);
    qemu_clock_enable(QEMU_CLOCK_HOST, true);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(fired, ==, 1);
}

/* ---- threads ---------------------------------------------------------- */

static QemuSemaphore go;

static void *arm_from_thread(void *opaque)
{
    QEMUTimer *t = opaque;

    qemu_sem_wait(&go);
    timer_mod_ns(t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME));
    return NULL;
}

static void test_timer_armed_from_other_thread_wakes_poll(void)
{
    QEMUTimer t;
    QemuThread thread;
    int fired = 0;

    qemu_sem_init(&go, 0);
    aio_timer_init(ctx, &t, QEMU_CLOCK_REALTIME, SCALE_NS, count_cb, &fired);
    qemu_thread_create(&thread, "timer-armer", arm_from_thread, &t,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_post(&go);
    /* With no other timer, only the arming thread's notify wakes us. */
    while (!fired) {
        aio_poll(ctx, true);
    }
    qemu_thread_join(&thread);
    qemu_sem_destroy(&go);
}

typedef struct {
    QEMUTimer timer;
    int64_t deadline;
    GArray *log;
} ChurnTimer;

static void churn_cb(void *opaque)
{
    ChurnTimer *c = opaque;
    g_array_append_val(c->log, c->deadline);
}

static void test_many_timers_rearmed_and_cancelled_fire_in_order(void)
{
    enum { N = 20000 };
    ChurnTimer *t = g_new0(ChurnTimer, N);
    GArray *log = g_array_new(false, false, sizeof(int64_t));
    GRand *rand = g_rand_new_with_seed(42);
    int64_t base = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int pass, i, cancelled = 0;

    for (i = 0; i < N; i++) {
        t[i].log = log;
        aio_timer_init(ctx, &t[i].timer, QEMU_CLOCK_REALTIME, SCALE_NS,
                       churn_cb, &t[i]);
    }
    /* Arm, then re-arm each once, at random deadlines within 2 ms. */
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < N; i++) {
            t[i].deadline = base + g_rand_int_range(rand, 0, 2 * SCALE_MS);
            timer_mod_ns(&t[i].timer, t[i].deadline);
        }
    }
    for (i = 0; i < N; i += 3) {
        timer_del(&t[i].timer);
        cancelled++;
    }
    run_until_empty(ctx->tlg.tl[QEMU_CLOCK_REALTIME]);

    g_assert_cmpint(log->len, ==, N - cancelled);
    for (i = 1; i < log->len; i++) {
        g_assert_cmpint(g_array_index(log, int64_t, i - 1), <=,
                        g_array_index(log, int64_t, i));
    }
    g_array_free(log, true);
    g_rand_free(rand);
    g_free(t);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    ctx = aio_context_new(&error_abort);
    qemu_set_current_aio_context(ctx);

    g_test_add_func("/timer/fire-in-deadline-order",
                    test_timers_fire_in_deadline_order);
    g_test_add_func("/timer/same-deadline-fire-in-arming-order",
                    test_timers_with_same_deadline_fire_in_arming_order);
    g_test_add_func("/timer/rearm-moves-deadline",
                    test_timer_rearm_moves_deadline);
    g_test_add_func("/timer/mod-anticipate-only-moves-earlier",
                    test_timer_mod_anticipate_only_moves_earlier);
    g_test_add_func("/timer/del-cancels", test_timer_del_cancels);
    g_test_add_func("/timer/may-free-itself-in-callback",
                    test_timer_may_free_itself_in_callback);
    g_test_add_func("/timer/rearmed-in-the-past-fires-once-per-run",
                    test_timer_rearmed_in_the_past_fires_once_per_run);
    g_test_add_func("/timer/deadline/none-without-timers",
                    test_deadline_is_minus_one_without_timers);
    g_test_add_func("/timer/deadline/tracks-earliest",
                    test_deadline_tracks_earliest_timer);
    g_test_add_func("/timer/timeout-ns-to-ms-rounds-up",
                    test_timeout_ns_to_ms_rounds_up);
    g_test_add_func("/timer/virtual/does-not-move-while-stopped",
                    test_virtual_clock_does_not_move_while_stopped);
    g_test_add_func("/timer/virtual/timer-waits-while-stopped",
                    test_virtual_timer_waits_while_clock_stopped);
    g_test_add_func("/timer/clock-disabled-runs-no-timers",
                    test_disabled_clock_runs_no_timers);
    g_test_add_func("/timer/armed-from-other-thread-wakes-poll",
                    test_timer_armed_from_other_thread_wakes_poll);
    g_test_add_func("/timer/many-rearmed-and-cancelled-fire-in-order",
                    test_many_timers_rearmed_and_cancelled_fire_in_order);

    ret = g_test_run();
    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    return ret;
}
