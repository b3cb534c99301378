/*
 * W1: a deferred callback that reschedules itself, one callback per loop
 * iteration.  qcore BH + aio_poll(ctx, true) vs glib idle source, libuv
 * uv_idle_t and libevent event_active; ns per dispatch.
 */
#include "qcore/osdep.h"
#include "qcore/aio.h"
#include <uv.h>
#include <event2/event.h>
#include "bench.h"

static long target;
static long count;
static long iterations;

/* Each peer must run exactly one callback per loop iteration. */
static void check_one_per_iteration(const char *peer)
{
    if (count != target || iterations != target) {
        fprintf(stderr, "W1 %s: %ld callbacks in %ld iterations, want %ld\n",
                peer, count, iterations, target);
        exit(1);
    }
}

/* ---- qcore ------------------------------------------------------------ */

static QEMUBH *qcore_bh;

static void qcore_bh_cb(void *opaque)
{
    if (++count < target) {
        qemu_bh_schedule(qcore_bh);
    }
}

static double run_qcore(AioContext *ctx)
{
    int64_t t;

    count = iterations = 0;
    qemu_bh_schedule(qcore_bh);
    t = bench_now_ns();
    while (count < target) {
        aio_poll(ctx, true);
        iterations++;
    }
    t = bench_now_ns() - t;
    check_one_per_iteration("qcore");
    return (double)t / target;
}

/* ---- glib ------------------------------------------------------------- */

static gboolean glib_idle_cb(gpointer opaque)
{
    return ++count < target ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static double run_glib(void)
{
    GMainContext *gctx = g_main_context_new();
    GSource *src = g_idle_source_new();
    int64_t t;

    g_source_set_callback(src, glib_idle_cb, NULL, NULL);
    g_source_attach(src, gctx);
    g_source_unref(src);

    count = iterations = 0;
    t = bench_now_ns();
    while (count < target) {
        g_main_context_iteration(gctx, TRUE);
        iterations++;
    }
    t = bench_now_ns() - t;
    g_main_context_unref(gctx);
    check_one_per_iteration("glib");
    return (double)t / target;
}

/* ---- libuv ------------------------------------------------------------ */

static void luv_idle_cb(uv_idle_t *idle)
{
    if (++count == target) {
        uv_idle_stop(idle);
    }
}

static double run_libuv(uv_run_mode mode)
{
    uv_loop_t loop;
    uv_idle_t idle;
    int64_t t;

    uv_loop_init(&loop);
    uv_idle_init(&loop, &idle);
    uv_idle_start(&idle, luv_idle_cb);

    count = iterations = 0;
    t = bench_now_ns();
    while (count < target) {
        uv_run(&loop, mode);
        iterations++;
    }
    t = bench_now_ns() - t;
    uv_close((uv_handle_t *)&idle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    check_one_per_iteration(mode == UV_RUN_ONCE ? "libuv ONCE" :
                            "libuv NOWAIT");
    return (double)t / target;
}

/* ---- libevent --------------------------------------------------------- */

/*
 * libevent runs an event activated from a callback in the same pass over
 * the active queue, so with plain EVLOOP_ONCE one event_base_loop call
 * would run all 5M callbacks without ever looking at fds.  Two ways to get
 * "one callback per iteration" back:
 *  - loopbreak: the callback calls event_base_loopbreak(), so each
 *    event_base_loop(EVLOOP_ONCE) call runs one callback;
 *  - maxcb1: event_config_set_max_dispatch_interval(max_callbacks=1), so
 *    libevent itself goes back to its backend (epoll) after each
 *    callback; one event_base_loop call, 5M internal iterations.
 * The unbounded variant is shown for context only.
 */
enum { EV_LOOPBREAK, EV_MAXCB1, EV_UNBOUNDED };
static int ev_variant;
static struct event *ev_event;
static struct event_base *ev_base;

static void ev_cb(evutil_socket_t fd, short what, void *opaque)
{
    if (++count < target) {
        event_active(ev_event, EV_READ, 0);
        if (ev_variant == EV_LOOPBREAK) {
            event_base_loopbreak(ev_base);
        }
    }
}

static double run_libevent(int variant)
{
    struct event_config *cfg = event_config_new();
    int64_t t;

    if (variant == EV_MAXCB1) {
        event_config_set_max_dispatch_interval(cfg, NULL, 1, 0);
    }
    ev_base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    ev_event = event_new(ev_base, -1, 0, ev_cb, NULL);
    ev_variant = variant;

    count = iterations = 0;
    event_active(ev_event, EV_READ, 0);
    t = bench_now_ns();
    while (count < target) {
        event_base_loop(ev_base, EVLOOP_ONCE);
        iterations++;
    }
    t = bench_now_ns() - t;
    event_free(ev_event);
    event_base_free(ev_base);

    if (variant == EV_LOOPBREAK) {
        check_one_per_iteration("libevent loopbreak");
    } else if (count != target) {
        fprintf(stderr, "W1 libevent: %ld callbacks, want %ld\n",
                count, target);
        exit(1);
    }
    return (double)t / target;
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
    BenchTable t = { .title = NULL, .unit = "ns/dispatch" };
    AioContext *ctx;
    char title[128];

    target = bench_scaled(5000000);
    snprintf(title, sizeof(title),
             "self-rescheduling deferred callback, %ld dispatches", target);
    t.title = title;

    ctx = aio_context_new(&error_abort);
    qemu_set_current_aio_context(ctx);
    qcore_bh = aio_bh_new(ctx, qcore_bh_cb, NULL);

    bench_add(&t, "qcore BH + aio_poll(true)", BENCH_BEST_OF(run_qcore(ctx)),
              false, "epoll fdmon, no syscall per iteration");
    bench_add(&t, "glib idle + iteration(TRUE)", BENCH_BEST_OF(run_glib()),
              false, "poll() of the wakeup fd each iteration");
    bench_add(&t, "libuv uv_idle + UV_RUN_ONCE",
              BENCH_BEST_OF(run_libuv(UV_RUN_ONCE)), false,
              "epoll_wait(0) each iteration");
    bench_add(&t, "libuv uv_idle + UV_RUN_NOWAIT",
              BENCH_BEST_OF(run_libuv(UV_RUN_NOWAIT)), false,
              "epoll_wait(0) each iteration");
    bench_add(&t, "libevent event_active+loopbreak, ONCE",
              BENCH_BEST_OF(run_libevent(EV_LOOPBREAK)), false,
              "epoll_wait(0) each iteration");
    bench_add(&t, "libevent event_active, max_dispatch=1",
              BENCH_BEST_OF(run_libevent(EV_MAXCB1)), false,
              "epoll_wait(0) each iteration");
    bench_add(&t, "libevent event_active, unbounded",
              BENCH_BEST_OF(run_libevent(EV_UNBOUNDED)), true,
              "all callbacks in one pass, fds never polled");
    bench_print(&t, "W1");

    qemu_bh_delete(qcore_bh);
    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    return 0;
}
