/*
 * W3: timer churn.  Arm 1M timers at random deadlines within 100 ms (one
 * seeded PRNG for all peers), re-arm each once, cancel half, let the rest
 * fire and check that they fire in non-decreasing deadline order.  qcore
 * aio timers vs glib sources with a ready time, libuv uv_timer_t and
 * libevent evtimers.
 */
#include "qcore/osdep.h"
#include "qcore/aio.h"
#include <uv.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include "bench.h"

#define WINDOW_NS (100 * SCALE_MS)

static long ntimers;
/* Offsets from the start of the arm phase, in ns: first and re-arm. */
static int64_t *dl1, *dl2;

/*
 * What one run measured.  Deadlines are checked in the peer's own
 * resolution (ns, us or ms), so equal deadlines never count as a
 * violation.
 */
typedef struct Run {
    int64_t churn_ns;       /* arm + re-arm + cancel, wall */
    int64_t fire_ns;        /* fire phase, wall */
    int64_t fire_cpu_ns;    /* fire phase, CPU time of the loop thread */
    int64_t slept_ns;       /* rest of the 100 ms window, not measured */
    long fired;
    long violations;
    long wrong;             /* cancelled timers that fired */
    int64_t last_key;
} Run;

static Run cur;

static bool cancelled(long i)
{
    return i & 1;
}

static void on_fire(long i, int64_t key)
{
    cur.fired++;
    if (cancelled(i)) {
        cur.wrong++;
    }
    if (key < cur.last_key) {
        cur.violations++;
    }
    cur.last_key = key;
}

/* Brackets around each peer's phases. */
static int64_t t0;

static void churn_begin(void)
{
    memset(&cur, 0, sizeof(cur));
    cur.last_key = INT64_MIN;
    t0 = bench_now_ns();
}

static int64_t fire_start, fire_cpu_start;

/*
 * End of the churn phase.  Sleep out what is left of the 100 ms window
 * (plus 10 ms: libuv rounds up to the ms on a coarse clock), so that the
 * firing phase measures dispatching 500k expired timers, not the clock.
 */
static void fire_begin(void)
{
    int64_t now = bench_now_ns();
    int64_t wake = t0 + WINDOW_NS + 10 * SCALE_MS;
    struct timespec ts = { wake / NANOSECONDS_PER_SECOND,
                           wake % NANOSECONDS_PER_SECOND };

    cur.churn_ns = now - t0;
    cur.slept_ns = MAX(0, wake - now);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) {
    }
    fire_start = bench_now_ns();
    fire_cpu_start = bench_thread_cpu_ns();
}

static void fire_end(const char *peer)
{
    cur.fire_ns = bench_now_ns() - fire_start;
    cur.fire_cpu_ns = bench_thread_cpu_ns() - fire_cpu_start;
    if (cur.fired != ntimers / 2 || cur.wrong) {
        fprintf(stderr, "W3 %s: %ld fired (want %ld), %ld cancelled fired\n",
                peer, cur.fired, ntimers / 2, cur.wrong);
        exit(1);
    }
}

/* ---- qcore ------------------------------------------------------------ */

static QEMUTimer *q_timers;

static void q_timer_cb(void *opaque)
{
    long i = (long)opaque;

    on_fire(i, q_timers[i].expire_time);
}

static Run run_qcore(void)
{
    AioContext *ctx = aio_context_new(&error_abort);
    long i;

    qemu_set_current_aio_context(ctx);
    q_timers = g_new(QEMUTimer, ntimers);
    for (i = 0; i < ntimers; i++) {
        aio_timer_init(ctx, &q_timers[i], QEMU_CLOCK_REALTIME, SCALE_NS,
                       q_timer_cb, (void *)i);
    }

    churn_begin();
    for (i = 0; i < ntimers; i++) {
        timer_mod_ns(&q_timers[i], t0 + dl1[i]);
    }
    for (i = 0; i < ntimers; i++) {
        timer_mod_ns(&q_timers[i], t0 + dl2[i]);
    }
    for (i = 0; i < ntimers; i += 2) {
        timer_del(&q_timers[i + 1]);
    }
    fire_begin();
    while (cur.fired < ntimers / 2) {
        aio_poll(ctx, true);
    }
    fire_end("qcore");

    for (i = 0; i < ntimers; i++) {
        timer_deinit(&q_timers[i]);
    }
    g_free(q_timers);
    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    return cur;
}

/* ---- glib ------------------------------------------------------------- */

/*
 * g_timeout_source_new only has ms resolution and cannot be re-armed (a
 * new source per re-arm).  A plain GSource with g_source_set_ready_time
 * has absolute us deadlines on the monotonic clock and re-arms in place,
 * so that is what glib gets here.  Cancelling destroys the source, as
 * g_source_remove does.
 */
typedef struct GlibTimer {
    GSource source;
    long i;
    int64_t key;            /* ready time, us */
} GlibTimer;

static gboolean glib_timer_dispatch(GSource *src, GSourceFunc cb, gpointer opq)
{
    GlibTimer *t = (GlibTimer *)src;

    on_fire(t->i, t->key);
    return G_SOURCE_REMOVE;
}

static GSourceFuncs glib_timer_funcs = { .dispatch = glib_timer_dispatch };

static Run run_glib(void)
{
    GMainContext *gctx = g_main_context_new();
    GlibTimer **timers = g_new(GlibTimer *, ntimers);
    int64_t t0_us;
    long i;

    for (i = 0; i < ntimers; i++) {
        timers[i] = (GlibTimer *)g_source_new(&glib_timer_funcs, sizeof(GlibTimer));
        timers[i]->i = i;
    }

    churn_begin();
    /* g_get_monotonic_time() is CLOCK_MONOTONIC in us, like t0. */
    t0_us = t0 / SCALE_US;
    for (i = 0; i < ntimers; i++) {
        GlibTimer *t = timers[i];
        t->key = t0_us + dl1[i] / SCALE_US;
        g_source_set_ready_time(&t->source, t->key);
        g_source_attach(&t->source, gctx);
    }
    for (i = 0; i < ntimers; i++) {
        GlibTimer *t = timers[i];
        t->key = t0_us + dl2[i] / SCALE_US;
        g_source_set_ready_time(&t->source, t->key);
    }
    for (i = 0; i < ntimers; i += 2) {
        g_source_destroy(&timers[i + 1]->source);
    }
    fire_begin();
    while (cur.fired < ntimers / 2) {
        g_main_context_iteration(gctx, TRUE);
    }
    fire_end("glib");

    for (i = 0; i < ntimers; i++) {
        g_source_unref(&timers[i]->source);
    }
    g_free(timers);
    g_main_context_unref(gctx);
    return cur;
}

/* ---- libuv ------------------------------------------------------------ */

/*
 * uv_timer_start takes a relative timeout in ms from the loop's cached
 * time, which does not move while we arm: deadlines are rounded up to
 * the ms and ordered exactly by the timeout given.
 */
typedef struct LuvTimer {
    uv_timer_t timer;
    long i;
    int64_t key;            /* ms after the loop time at arming */
} LuvTimer;

static void luv_timer_fire(uv_timer_t *h)
{
    LuvTimer *t = (LuvTimer *)h;

    on_fire(t->i, t->key);
}

static Run run_libuv(void)
{
    uv_loop_t loop;
    LuvTimer *timers = g_new(LuvTimer, ntimers);
    long i;

    uv_loop_init(&loop);
    for (i = 0; i < ntimers; i++) {
        uv_timer_init(&loop, &timers[i].timer);
        timers[i].i = i;
    }
    uv_update_time(&loop);

    churn_begin();
    for (i = 0; i < ntimers; i++) {
        timers[i].key = (dl1[i] + SCALE_MS - 1) / SCALE_MS;
        uv_timer_start(&timers[i].timer, luv_timer_fire, timers[i].key, 0);
    }
    for (i = 0; i < ntimers; i++) {
        timers[i].key = (dl2[i] + SCALE_MS - 1) / SCALE_MS;
        uv_timer_start(&timers[i].timer, luv_timer_fire, timers[i].key, 0);
    }
    for (i = 0; i < ntimers; i += 2) {
        uv_timer_stop(&timers[i + 1].timer);
    }
    fire_begin();
    while (cur.fired < ntimers / 2) {
        uv_run(&loop, UV_RUN_ONCE);
    }
    fire_end("libuv");

    for (i = 0; i < ntimers; i++) {
        uv_close((uv_handle_t *)&timers[i].timer, NULL);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    g_free(timers);
    return cur;
}

/* ---- libevent --------------------------------------------------------- */

/*
 * evtimer_add takes a relative struct timeval added to the base's time.
 * The churn runs inside an event callback, where that time is cached and
 * fixed (libevent's normal situation), so deadlines are ordered exactly
 * by the us offsets given.
 */
typedef struct EVTimer {
    struct event ev;
    long i;
    int64_t key;            /* us after the cached time */
} EVTimer;

static EVTimer *ev_timers;

static void ev_timer_fire(evutil_socket_t fd, short what, void *opaque)
{
    EVTimer *t = opaque;

    on_fire(t->i, t->key);
}

static void ev_set(EVTimer *t, int64_t ns)
{
    struct timeval tv;

    t->key = ns / SCALE_US;
    tv.tv_sec = t->key / 1000000;
    tv.tv_usec = t->key % 1000000;
    evtimer_add(&t->ev, &tv);
}

static void ev_churn_cb(evutil_socket_t fd, short what, void *opaque)
{
    long i;

    churn_begin();
    for (i = 0; i < ntimers; i++) {
        ev_set(&ev_timers[i], dl1[i]);
    }
    for (i = 0; i < ntimers; i++) {
        ev_set(&ev_timers[i], dl2[i]);
    }
    for (i = 0; i < ntimers; i += 2) {
        evtimer_del(&ev_timers[i + 1].ev);
    }
    fire_begin();
}

static Run run_libevent(void)
{
    struct event_base *base = event_base_new();
    struct event *churn = event_new(base, -1, 0, ev_churn_cb, NULL);
    long i;

    ev_timers = g_new(EVTimer, ntimers);
    for (i = 0; i < ntimers; i++) {
        evtimer_assign(&ev_timers[i].ev, base, ev_timer_fire, &ev_timers[i]);
        ev_timers[i].i = i;
    }
    event_active(churn, EV_READ, 0);
    event_base_loop(base, EVLOOP_ONCE);
    while (cur.fired < ntimers / 2) {
        event_base_loop(base, EVLOOP_ONCE);
    }
    fire_end("libevent");

    for (i = 0; i < ntimers; i++) {
        event_del(&ev_timers[i].ev);
    }
    g_free(ev_timers);
    event_free(churn);
    event_base_free(base);
    return cur;
}

/* ---- main ------------------------------------------------------------- */

static void measure(BenchTable *t, BenchTable *tc, BenchTable *tf,
                    const char *peer, Run (*fn)(void), const char *res)
{
    long churn_ops = ntimers * 2 + ntimers / 2;
    long fired = ntimers / 2;
    double churn = 0, fire = 0, cpu = 0, total = 0;
    long violations = 0;
    int rep;

    if (!bench_want(peer)) {
        return;
    }
    for (rep = 0; rep < BENCH_REPS; rep++) {
        Run r = fn();
        double c = (double)r.churn_ns / churn_ops;
        double f = (double)r.fire_ns / fired;
        double tot = (double)(r.churn_ns + r.fire_ns) / (churn_ops + fired);

        churn = rep == 0 ? c : MIN(churn, c);
        fire = rep == 0 ? f : MIN(fire, f);
        cpu = rep == 0 ? (double)r.fire_cpu_ns / fired
                       : MIN(cpu, (double)r.fire_cpu_ns / fired);
        total = rep == 0 ? tot : MIN(total, tot);
        violations = MAX(violations, r.violations);
        printf("  [%s run %d] churn %.1f ms, slept %.1f ms, fire %.1f ms "
               "wall / %.1f ms CPU, %ld order violations\n", peer, rep + 1,
               r.churn_ns / 1e6, r.slept_ns / 1e6, r.fire_ns / 1e6,
               r.fire_cpu_ns / 1e6, r.violations);
        fflush(stdout);
    }
    /*
     * A loop that fires timers out of deadline order does not do the
     * work asked for: shown, but never the fastest peer.
     */
    bench_add(t, peer, total, violations > 0,
              "churn %.1f, fire %.1f (cpu %.1f) ns/op; %ld viol.; %s",
              churn, fire, cpu, violations, res);
    bench_add(tf, peer, fire, violations > 0, NULL);
    bench_add(tc, peer, churn, violations > 0, NULL);
}

int main(int argc, char **argv)
{
    BenchTable t = { .unit = "ns/op total" };
    BenchTable tc = { .unit = "ns/op churn",
                      .title = "arm/re-arm/cancel phase only" };
    BenchTable tf = { .unit = "ns/timer fired",
                      .title = "firing phase only (all due)" };
    uint64_t seed = BENCH_SEED;
    char title[160];
    long i;

    ntimers = bench_scaled(1000000) & ~1L;
    dl1 = g_new(int64_t, ntimers);
    dl2 = g_new(int64_t, ntimers);
    for (i = 0; i < ntimers; i++) {
        dl1[i] = bench_rand(&seed) % WINDOW_NS;
        dl2[i] = bench_rand(&seed) % WINDOW_NS;
    }
    snprintf(title, sizeof(title),
             "timer churn, %ld timers: %ld arm + %ld re-arm + %ld cancel, "
             "%ld fire", ntimers, ntimers, ntimers, ntimers / 2, ntimers / 2);
    t.title = title;

    measure(&t, &tc, &tf, "qcore aio timer, REALTIME", run_qcore,
            "ns res.");
    measure(&t, &tc, &tf, "glib GSource ready_time", run_glib, "us res.");
    measure(&t, &tc, &tf, "libuv uv_timer_t", run_libuv, "ms res.");
    measure(&t, &tc, &tf, "libevent evtimer", run_libevent, "us res.");
    bench_print(&t, "W3");
    /* The churn phase alone, which no wall-clock window bounds. */
    bench_print(&tc, "W3-churn");
    bench_print(&tf, "W3-fire");
    g_free(dl1);
    g_free(dl2);
    return 0;
}
