/*
 * W2: cross-thread wake-up ping-pong.  Two threads, each blocked in its
 * own event loop; A wakes B, B wakes A; ns per round trip.  qcore
 * qemu_bh_schedule into the other AioContext vs glib, libuv uv_async_send
 * and libevent event_active (evthread_use_pthreads).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include <pthread.h>
#include <uv.h>
#include <event2/event.h>
#include <event2/thread.h>
#include "bench.h"

static long target;
static long rounds;
static bool stop;                   /* atomic */
static pthread_barrier_t ready;

static void start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
    int r = pthread_create(th, NULL, fn, arg);

    if (r) {
        errno = r;
        bench_die("pthread_create");
    }
}

static void check_rounds(const char *peer)
{
    if (rounds != target) {
        fprintf(stderr, "W2 %s: %ld round trips, want %ld\n", peer, rounds,
                target);
        exit(1);
    }
}

/* ---- qcore ------------------------------------------------------------ */

static AioContext *q_ctx[2];
static QEMUBH *q_bh[2];

/* Runs in thread A: B answered. */
static void q_bh_a(void *opaque)
{
    if (++rounds < target) {
        qemu_bh_schedule(q_bh[1]);
    } else {
        qatomic_set(&stop, true);
        qemu_bh_schedule(q_bh[1]);  /* so that B's aio_poll returns */
    }
}

/* Runs in thread B. */
static void q_bh_b(void *opaque)
{
    if (!qatomic_read(&stop)) {
        qemu_bh_schedule(q_bh[0]);
    }
}

static void *q_thread_b(void *opaque)
{
    qemu_set_current_aio_context(q_ctx[1]);
    pthread_barrier_wait(&ready);
    while (!qatomic_read(&stop)) {
        aio_poll(q_ctx[1], true);
    }
    qemu_set_current_aio_context(NULL);
    return NULL;
}

static double run_qcore(int64_t poll_max_ns)
{
    pthread_t th;
    int64_t t;
    int i;

    for (i = 0; i < 2; i++) {
        q_ctx[i] = aio_context_new(&error_abort);
        aio_context_set_poll_params(q_ctx[i], poll_max_ns, 0, 0,
                                    &error_abort);
    }
    q_bh[0] = aio_bh_new(q_ctx[0], q_bh_a, NULL);
    q_bh[1] = aio_bh_new(q_ctx[1], q_bh_b, NULL);
    rounds = 0;
    stop = false;
    qemu_set_current_aio_context(q_ctx[0]);
    /* Swallow the notification left by set_poll_params. */
    while (aio_poll(q_ctx[0], false)) {
    }
    start_thread(&th, q_thread_b, NULL);
    pthread_barrier_wait(&ready);

    t = bench_now_ns();
    qemu_bh_schedule(q_bh[1]);
    while (!qatomic_read(&stop)) {
        aio_poll(q_ctx[0], true);
    }
    t = bench_now_ns() - t;

    pthread_join(th, NULL);
    qemu_set_current_aio_context(NULL);
    for (i = 0; i < 2; i++) {
        qemu_bh_delete(q_bh[i]);
        aio_poll(q_ctx[i], false);
        aio_context_unref(q_ctx[i]);
    }
    check_rounds("qcore");
    return (double)t / target;
}

/* ---- glib ------------------------------------------------------------- */

/*
 * Two ways for glib: g_main_context_invoke (allocates and attaches an
 * idle source per wake-up, the documented cross-thread call), and a
 * persistent source made ready with g_source_set_ready_time(src, 0),
 * which is the closest thing to a BH.
 */
static GMainContext *glib_ctx[2];
static GSource *glib_src[2];
static bool glib_use_invoke;

static void glib_wake(int side);

static void glib_on_wake(int side)
{
    if (side == 0) {
        if (++rounds < target) {
            glib_wake(1);
        } else {
            qatomic_set(&stop, true);
            glib_wake(1);
        }
    } else if (!qatomic_read(&stop)) {
        glib_wake(0);
    }
}

static gboolean glib_invoke_cb(gpointer opaque)
{
    glib_on_wake(GPOINTER_TO_INT(opaque));
    return G_SOURCE_REMOVE;
}

static gboolean glib_src_dispatch(GSource *src, GSourceFunc cb, gpointer opaque)
{
    g_source_set_ready_time(src, -1);
    glib_on_wake(src == glib_src[0] ? 0 : 1);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs glib_src_funcs = { .dispatch = glib_src_dispatch };

static void glib_wake(int side)
{
    if (glib_use_invoke) {
        g_main_context_invoke(glib_ctx[side], glib_invoke_cb, GINT_TO_POINTER(side));
    } else {
        g_source_set_ready_time(glib_src[side], 0);
    }
}

static void *glib_thread_b(void *opaque)
{
    g_main_context_push_thread_default(glib_ctx[1]);
    pthread_barrier_wait(&ready);
    while (!qatomic_read(&stop)) {
        g_main_context_iteration(glib_ctx[1], TRUE);
    }
    g_main_context_pop_thread_default(glib_ctx[1]);
    return NULL;
}

static double run_glib(bool use_invoke)
{
    pthread_t th;
    int64_t t;
    int i;

    glib_use_invoke = use_invoke;
    for (i = 0; i < 2; i++) {
        glib_ctx[i] = g_main_context_new();
        glib_src[i] = g_source_new(&glib_src_funcs, sizeof(GSource));
        g_source_attach(glib_src[i], glib_ctx[i]);
    }
    rounds = 0;
    stop = false;
    g_main_context_push_thread_default(glib_ctx[0]);
    start_thread(&th, glib_thread_b, NULL);
    pthread_barrier_wait(&ready);

    t = bench_now_ns();
    glib_wake(1);
    while (!qatomic_read(&stop)) {
        g_main_context_iteration(glib_ctx[0], TRUE);
    }
    t = bench_now_ns() - t;

    pthread_join(th, NULL);
    g_main_context_pop_thread_default(glib_ctx[0]);
    for (i = 0; i < 2; i++) {
        g_source_destroy(glib_src[i]);
        g_source_unref(glib_src[i]);
        while (g_main_context_iteration(glib_ctx[i], FALSE)) {
        }
        g_main_context_unref(glib_ctx[i]);
    }
    check_rounds(use_invoke ? "glib invoke" : "glib ready_time");
    return (double)t / target;
}

/* ---- libuv ------------------------------------------------------------ */

static uv_loop_t luv_loops[2];
static uv_async_t luv_asyncs[2];

static void luv_async_cb(uv_async_t *a)
{
    if (a == &luv_asyncs[0]) {
        if (++rounds < target) {
            uv_async_send(&luv_asyncs[1]);
        } else {
            qatomic_set(&stop, true);
            uv_async_send(&luv_asyncs[1]);
            uv_stop(&luv_loops[0]);
        }
    } else if (!qatomic_read(&stop)) {
        uv_async_send(&luv_asyncs[0]);
    } else {
        uv_stop(&luv_loops[1]);
    }
}

static void *luv_thread_b(void *opaque)
{
    pthread_barrier_wait(&ready);
    uv_run(&luv_loops[1], UV_RUN_DEFAULT);
    return NULL;
}

static double run_libuv(void)
{
    pthread_t th;
    int64_t t;
    int i;

    for (i = 0; i < 2; i++) {
        uv_loop_init(&luv_loops[i]);
        uv_async_init(&luv_loops[i], &luv_asyncs[i], luv_async_cb);
    }
    rounds = 0;
    stop = false;
    start_thread(&th, luv_thread_b, NULL);
    pthread_barrier_wait(&ready);

    t = bench_now_ns();
    uv_async_send(&luv_asyncs[1]);
    uv_run(&luv_loops[0], UV_RUN_DEFAULT);
    t = bench_now_ns() - t;

    pthread_join(th, NULL);
    for (i = 0; i < 2; i++) {
        uv_close((uv_handle_t *)&luv_asyncs[i], NULL);
        uv_run(&luv_loops[i], UV_RUN_DEFAULT);
        uv_loop_close(&luv_loops[i]);
    }
    check_rounds("libuv");
    return (double)t / target;
}

/* ---- libevent --------------------------------------------------------- */

static struct event_base *ev_bases[2];
static struct event *ev_events[2];

static void ev_cb(evutil_socket_t fd, short what, void *opaque)
{
    if (opaque == NULL) {           /* side A */
        if (++rounds < target) {
            event_active(ev_events[1], EV_READ, 0);
        } else {
            qatomic_set(&stop, true);
            event_active(ev_events[1], EV_READ, 0);
            event_base_loopbreak(ev_bases[0]);
        }
    } else if (!qatomic_read(&stop)) {
        event_active(ev_events[0], EV_READ, 0);
    } else {
        event_base_loopbreak(ev_bases[1]);
    }
}

static void *ev_thread_b(void *opaque)
{
    pthread_barrier_wait(&ready);
    event_base_loop(ev_bases[1], EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static double run_libevent(void)
{
    pthread_t th;
    int64_t t;
    int i;

    for (i = 0; i < 2; i++) {
        ev_bases[i] = event_base_new();
        ev_events[i] = event_new(ev_bases[i], -1, 0, ev_cb,
                                 i ? (void *)1 : NULL);
    }
    rounds = 0;
    stop = false;
    start_thread(&th, ev_thread_b, NULL);
    pthread_barrier_wait(&ready);

    t = bench_now_ns();
    event_active(ev_events[1], EV_READ, 0);
    event_base_loop(ev_bases[0], EVLOOP_NO_EXIT_ON_EMPTY);
    t = bench_now_ns() - t;

    pthread_join(th, NULL);
    for (i = 0; i < 2; i++) {
        event_free(ev_events[i]);
        event_base_free(ev_bases[i]);
    }
    check_rounds("libevent");
    return (double)t / target;
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
    BenchTable t = { .unit = "ns/round trip" };
    double best[6];
    char title[128];

    target = bench_scaled(200000);
    snprintf(title, sizeof(title),
             "cross-thread wake-up ping-pong, %ld round trips", target);
    t.title = title;
    pthread_barrier_init(&ready, NULL, 2);
    if (evthread_use_pthreads() < 0) {
        bench_die("evthread_use_pthreads");
    }

    /*
     * Repetitions outermost: cross-thread wake-ups depend on where the
     * scheduler puts the two threads, and on whatever else runs on the
     * machine; interleaving spreads that over every peer.
     */
    for (int rep = 0; rep < BENCH_REPS; rep++) {
        double v[6] = {
            run_qcore(0), run_glib(false), run_glib(true), run_libuv(),
            run_libevent(), run_qcore(32768),
        };
        for (int i = 0; i < 6; i++) {
            best[i] = rep == 0 ? v[i] : MIN(best[i], v[i]);
        }
    }
    bench_add(&t, "qcore qemu_bh_schedule, aio_poll(true)", best[0], false,
              "poll-max-ns=0 (AioContext default)");
    bench_add(&t, "glib g_source_set_ready_time(0)", best[1], false,
              "persistent source");
    bench_add(&t, "glib g_main_context_invoke", best[2], false,
              "one idle GSource per wake-up");
    bench_add(&t, "libuv uv_async_send", best[3], false, NULL);
    bench_add(&t, "libevent event_active (evthread)", best[4], false, NULL);
    bench_add(&t, "qcore, poll-max-ns=32768", best[5], true,
              "busy-polls up to 32us (QEMU IOThread default)");
    bench_print(&t, "W2");
    return 0;
}
