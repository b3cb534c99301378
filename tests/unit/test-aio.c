/*
 * AioContext: bottom halves, aio_notify, fd handlers, busy polling,
 * timers and nesting, as seen through aio_poll.  Runs once per fd monitor
 * (QCORE_FDMON=epoll and =poll, see meson.build).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/thread.h"
#include <fcntl.h>

static AioContext *ctx;

typedef struct {
    QEMUBH *bh;
    int n;
    int max;
} BHData;

static void bh_test_cb(void *opaque)
{
    BHData *data = opaque;
    if (++data->n < data->max) {
        qemu_bh_schedule(data->bh);
    }
}

static void bh_delete_self_cb(void *opaque)
{
    BHData *data = opaque;
    if (++data->n < data->max) {
        qemu_bh_schedule(data->bh);
    } else {
        qemu_bh_delete(data->bh);
        data->bh = NULL;
    }
}

static void test_aio_poll_without_events_makes_no_progress(void)
{
    g_assert_false(aio_poll(ctx, false));
}

static void test_notify_makes_blocking_poll_return(void)
{
    g_assert_false(aio_poll(ctx, false));
    aio_notify(ctx);
    /* Must not block, and a notification alone is not progress. */
    g_assert_false(aio_poll(ctx, true));
    g_assert_false(aio_poll(ctx, false));
}

static void test_bh_runs_once_however_often_scheduled(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_test_cb, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_schedule(data.bh);
    qemu_bh_schedule(data.bh);
    g_assert_cmpint(data.n, ==, 0);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);
}

static void test_bh_rescheduled_from_itself_runs_once_per_poll(void)
{
    BHData data = { .n = 0, .max = 10 };
    int i;

    data.bh = aio_bh_new(ctx, bh_test_cb, &data);
    qemu_bh_schedule(data.bh);
    for (i = 1; i <= 10; i++) {
        g_assert_true(aio_poll(ctx, true));
        g_assert_cmpint(data.n, ==, i);
    }
    g_assert_false(aio_poll(ctx, false));
    qemu_bh_delete(data.bh);
}

static GString *order;

static void append_cb(void *opaque)
{
    g_string_append(order, opaque);
}

static void test_bhs_run_in_schedule_order(void)
{
    QEMUBH *a = aio_bh_new(ctx, append_cb, "a");
    QEMUBH *b = aio_bh_new(ctx, append_cb, "b");
    QEMUBH *c = aio_bh_new(ctx, append_cb, "c");

    order = g_string_new(NULL);
    qemu_bh_schedule(b);
    qemu_bh_schedule(c);
    qemu_bh_schedule(a);
    aio_poll(ctx, false);
    g_assert_cmpstr(order->str, ==, "bca");
    g_string_free(order, true);
    qemu_bh_delete(a);
    qemu_bh_delete(b);
    qemu_bh_delete(c);
}

static void test_bh_cancel_prevents_run(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_test_cb, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_cancel(data.bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 0);
    /* Cancelled BHs can be scheduled again. */
    qemu_bh_schedule(data.bh);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);
}

static void test_bh_delete_of_scheduled_bh_prevents_run(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_test_cb, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_delete(data.bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 0);
}

static void test_bh_deletes_itself(void)
{
    BHData data = { .n = 0, .max = 3 };

    data.bh = aio_bh_new(ctx, bh_delete_self_cb, &data);
    qemu_bh_schedule(data.bh);
    while (data.bh) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(data.n, ==, 3);
    g_assert_false(aio_poll(ctx, false));
}

static void count_cb(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_bh_oneshot_runs_once(void)
{
    int n = 0;

    aio_bh_schedule_oneshot(ctx, count_cb, &n);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);
}

typedef struct {
    QEMUBH *inner;
    int inner_runs;
    int outer_runs;
    int sibling_runs;
} NestData;

static void nest_inner_cb(void *opaque)
{
    ((NestData *)opaque)->inner_runs++;
}

static void nest_sibling_cb(void *opaque)
{
    ((NestData *)opaque)->sibling_runs++;
}

static void nest_outer_cb(void *opaque)
{
    NestData *d = opaque;

    d->outer_runs++;
    qemu_bh_schedule(d->inner);
    /* The nested poll runs the new BH and what remains of our round. */
    while (aio_poll(ctx, false)) {
        /* nothing */
    }
    g_assert_cmpint(d->inner_runs, ==, 1);
    g_assert_cmpint(d->sibling_runs, ==, 1);
}

static void test_nested_aio_poll_in_bh(void)
{
    NestData d = { 0 };
    QEMUBH *outer = aio_bh_new(ctx, nest_outer_cb, &d);
    QEMUBH *sibling = aio_bh_new(ctx, nest_sibling_cb, &d);

    d.inner = aio_bh_new(ctx, nest_inner_cb, &d);
    qemu_bh_schedule(outer);
    qemu_bh_schedule(sibling);
    g_assert_true(aio_poll(ctx, false));
    /* Nothing ran twice. */
    g_assert_cmpint(d.outer_runs, ==, 1);
    g_assert_cmpint(d.inner_runs, ==, 1);
    g_assert_cmpint(d.sibling_runs, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    qemu_bh_delete(outer);
    qemu_bh_delete(sibling);
    qemu_bh_delete(d.inner);
}

/* ---- cross-thread ----------------------------------------------------- */

#define SCHEDULERS 4
#define SCHEDULES_EACH 20000

static int oneshot_count;
static QemuSemaphore go;

static void oneshot_count_cb(void *opaque)
{
    oneshot_count++;     /* home thread only: no atomics needed */
}

static void *scheduler_thread(void *opaque)
{
    int i;

    qemu_sem_wait(&go);
    for (i = 0; i < SCHEDULES_EACH; i++) {
        aio_bh_schedule_oneshot(ctx, oneshot_count_cb, NULL);
    }
    return NULL;
}

static void test_bh_scheduled_from_4_threads_runs_once_per_schedule(void)
{
    QemuThread threads[SCHEDULERS];
    int i;

    oneshot_count = 0;
    qemu_sem_init(&go, 0);
    for (i = 0; i < SCHEDULERS; i++) {
        qemu_thread_create(&threads[i], "bh-scheduler", scheduler_thread,
                           NULL, QEMU_THREAD_JOINABLE);
    }
    for (i = 0; i < SCHEDULERS; i++) {
        qemu_sem_post(&go);
    }
    while (oneshot_count < SCHEDULERS * SCHEDULES_EACH) {
        aio_poll(ctx, true);
    }
    for (i = 0; i < SCHEDULERS; i++) {
        qemu_thread_join(&threads[i]);
    }
    while (aio_poll(ctx, false)) {
        /* drain */
    }
    g_assert_cmpint(oneshot_count, ==, SCHEDULERS * SCHEDULES_EACH);
    qemu_sem_destroy(&go);
}

typedef struct {
    AioContext *ctx;
    QemuSemaphore ready;
    bool progress;
} PollerData;

static void *blocked_poller(void *opaque)
{
    PollerData *p = opaque;

    qemu_set_current_aio_context(p->ctx);
    qemu_sem_post(&p->ready);
    /* Blocks until aio_notify (no fds, BHs or timers to wake it). */
    p->progress = aio_poll(p->ctx, true);
    return NULL;
}

static void test_notify_wakes_blocked_poll_in_other_thread(void)
{
    PollerData p = { .ctx = aio_context_new(&error_abort) };
    QemuThread thread;

    qemu_sem_init(&p.ready, 0);
    qemu_thread_create(&thread, "poller", blocked_poller, &p,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&p.ready);
    aio_notify(p.ctx);
    qemu_thread_join(&thread);
    g_assert_false(p.progress);
    qemu_sem_destroy(&p.ready);
    aio_context_unref(p.ctx);
}

static void *wake_with_bh(void *opaque)
{
    PollerData *p = opaque;

    qemu_sem_wait(&p->ready);
    aio_bh_schedule_oneshot(ctx, count_cb, &oneshot_count);
    return NULL;
}

static void test_bh_from_other_thread_wakes_blocked_poll(void)
{
    PollerData p;
    QemuThread thread;

    oneshot_count = 0;
    qemu_sem_init(&p.ready, 0);
    qemu_thread_create(&thread, "waker", wake_with_bh, &p,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_post(&p.ready);
    while (oneshot_count == 0) {
        aio_poll(ctx, true);
    }
    qemu_thread_join(&thread);
    qemu_sem_destroy(&p.ready);
}

/* ---- fd handlers ------------------------------------------------------ */

typedef struct {
    EventNotifier e;
    int n;
    int active;             /* clear the notifier this many times */
    bool auto_set;
    AioHandler *unused;
} EventNotifierTestData;

static void event_ready_cb(EventNotifier *e)
{
    EventNotifierTestData *data = container_of(e, EventNotifierTestData, e);

    g_assert_true(event_notifier_test_and_clear(e));
    data->n++;
    if (data->active > 0) {
        data->active--;
    }
    if (data->auto_set && data->active) {
        event_notifier_set(e);
    }
}

static void set_notifier(EventNotifierTestData *data, bool on)
{
    aio_set_event_notifier(ctx, &data->e, on ? event_ready_cb : NULL,
                           NULL, NULL);
}

static void test_fd_handler_runs_when_fd_is_readable(void)
{
    EventNotifierTestData data = { .n = 0, .active = 1 };

    event_notifier_init(&data.e, false);
    set_notifier(&data, true);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 0);

    event_notifier_set(&data.e);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);

    set_notifier(&data, false);
    event_notifier_set(&data.e);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    event_notifier_cleanup(&data.e);
}

static void test_fd_handler_keeps_firing_while_readable(void)
{
    EventNotifierTestData data = { .n = 0, .active = 10, .auto_set = true };

    event_notifier_init(&data.e, false);
    set_notifier(&data, true);
    event_notifier_set(&data.e);
    while (aio_poll(ctx, false)) {
        /* each round re-arms until active drops to 0 */
    }
    g_assert_cmpint(data.n, ==, 10);
    set_notifier(&data, false);
    event_notifier_cleanup(&data.e);
}

typedef struct {
    int fds[2];
    int reads;
    int writes;
    int other_fd;           /* handler to remove from inside */
    IOHandler *replacement;
} PipeData;

static void pipe_drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
        /* drain */
    }
}

static void read_remove_self_cb(void *opaque)
{
    PipeData *p = opaque;

    p->reads++;
    pipe_drain(p->fds[0]);
    aio_set_fd_handler(ctx, p->fds[0], NULL, NULL, NULL, NULL, NULL);
}

static void make_pipe(PipeData *p)
{
    g_assert_cmpint(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC), ==, 0);
}

static void close_pipe(PipeData *p)
{
    close(p->fds[0]);
    close(p->fds[1]);
}

static void test_fd_handler_removes_itself_in_callback(void)
{
    PipeData p = { 0 };

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[0], read_remove_self_cb, NULL, NULL, NULL,
                       &p);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(p.reads, ==, 1);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(p.reads, ==, 1);
    close_pipe(&p);
}

static PipeData *pair[2];

static void read_remove_other_cb(void *opaque)
{
    PipeData *p = opaque;

    p->reads++;
    pipe_drain(p->fds[0]);
    aio_set_fd_handler(ctx, p->other_fd, NULL, NULL, NULL, NULL, NULL);
}

static void test_fd_handler_removes_other_ready_handler(void)
{
    PipeData a = { 0 }, b = { 0 };

    make_pipe(&a);
    make_pipe(&b);
    a.other_fd = b.fds[0];
    b.other_fd = a.fds[0];
    pair[0] = &a;
    pair[1] = &b;
    aio_set_fd_handler(ctx, a.fds[0], read_remove_other_cb, NULL, NULL, NULL,
                       &a);
    aio_set_fd_handler(ctx, b.fds[0], read_remove_other_cb, NULL, NULL, NULL,
                       &b);
    /* Both ready in the same round; whichever runs first removes the
     * other, which must then not be called. */
    g_assert_cmpint(write(a.fds[1], "x", 1), ==, 1);
    g_assert_cmpint(write(b.fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(a.reads + b.reads, ==, 1);
    aio_set_fd_handler(ctx, a.reads ? a.fds[0] : b.fds[0], NULL, NULL, NULL,
                       NULL, NULL);
    g_assert_false(aio_poll(ctx, false));
    close_pipe(&a);
    close_pipe(&b);
}

static void read_second_cb(void *opaque)
{
    PipeData *p = opaque;

    p->writes += 100;   /* marks the replacement handler */
    pipe_drain(p->fds[0]);
}

static void read_replace_self_cb(void *opaque)
{
    PipeData *p = opaque;

    p->reads++;
    pipe_drain(p->fds[0]);
    aio_set_fd_handler(ctx, p->fds[0], read_second_cb, NULL, NULL, NULL, p);
}

static void test_fd_handler_replaces_itself_in_callback(void)
{
    PipeData p = { 0 };

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[0], read_replace_self_cb, NULL, NULL, NULL,
                       &p);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(p.reads, ==, 1);
    g_assert_cmpint(p.writes, ==, 0);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(p.reads, ==, 1);
    g_assert_cmpint(p.writes, ==, 100);
    aio_set_fd_handler(ctx, p.fds[0], NULL, NULL, NULL, NULL, NULL);
    close_pipe(&p);
}

static void write_cb(void *opaque)
{
    PipeData *p = opaque;

    p->writes++;
    aio_set_fd_handler(ctx, p->fds[1], NULL, NULL, NULL, NULL, NULL);
}

static void test_fd_write_handler_runs_when_writable(void)
{
    PipeData p = { 0 };

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[1], NULL, write_cb, NULL, NULL, &p);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(p.writes, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    close_pipe(&p);
}

static void *write_later(void *opaque)
{
    PipeData *p = opaque;

    qemu_sem_wait(&go);
    g_assert_cmpint(write(p->fds[1], "x", 1), ==, 1);
    return NULL;
}

static void read_count_cb(void *opaque)
{
    PipeData *p = opaque;

    p->reads++;
    pipe_drain(p->fds[0]);
}

static void test_blocking_poll_returns_when_fd_becomes_readable(void)
{
    PipeData p = { 0 };
    QemuThread thread;

    make_pipe(&p);
    qemu_sem_init(&go, 0);
    aio_set_fd_handler(ctx, p.fds[0], read_count_cb, NULL, NULL, NULL, &p);
    qemu_thread_create(&thread, "writer", write_later, &p,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_post(&go);
    while (p.reads == 0) {
        aio_poll(ctx, true);
    }
    qemu_thread_join(&thread);
    aio_set_fd_handler(ctx, p.fds[0], NULL, NULL, NULL, NULL, NULL);
    qemu_sem_destroy(&go);
    close_pipe(&p);
}

static void bh_forever_cb(void *opaque)
{
    BHData *data = opaque;

    data->n++;
    qemu_bh_schedule(data->bh);
}

static void test_fd_handler_not_starved_by_rescheduling_bh(void)
{
    BHData data = { .n = 0 };
    PipeData p = { 0 };
    int i;

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[0], read_count_cb, NULL, NULL, NULL, &p);
    data.bh = aio_bh_new(ctx, bh_forever_cb, &data);
    qemu_bh_schedule(data.bh);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    for (i = 0; i < 2 && p.reads == 0; i++) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(p.reads, ==, 1);
    qemu_bh_delete(data.bh);
    aio_set_fd_handler(ctx, p.fds[0], NULL, NULL, NULL, NULL, NULL);
    close_pipe(&p);
}

static void nested_read_cb(void *opaque)
{
    PipeData *p = opaque;
    int n = 0;

    p->reads++;
    pipe_drain(p->fds[0]);
    /* A handler may run the loop: the BH runs inside, we are not re-run. */
    aio_bh_schedule_oneshot(ctx, count_cb, &n);
    while (aio_poll(ctx, false)) {
        /* nothing */
    }
    g_assert_cmpint(n, ==, 1);
}

static void test_nested_aio_poll_in_fd_handler(void)
{
    PipeData p = { 0 };

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[0], nested_read_cb, NULL, NULL, NULL, &p);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(p.reads, ==, 1);
    aio_set_fd_handler(ctx, p.fds[0], NULL, NULL, NULL, NULL, NULL);
    close_pipe(&p);
}

static void test_regular_file_falls_back_to_poll(void)
{
    AioContext *c = aio_context_new(&error_abort);
    g_autofree char *path = NULL;
    int n = 0;
    int fd = g_file_open_tmp("qcore-aio-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    /* aio_poll insists on running in the context's home thread. */
    qemu_set_current_aio_context(NULL);
    qemu_set_current_aio_context(c);
    /* Regular files are always readable; epoll refuses them. */
    aio_set_fd_handler(c, fd, count_cb, NULL, NULL, NULL, &n);
    g_assert_cmpstr(aio_context_fdmon_name(c), ==, "poll");
    g_assert_true(aio_poll(c, false));
    g_assert_cmpint(n, ==, 1);
    aio_set_fd_handler(c, fd, NULL, NULL, NULL, NULL, NULL);
    close(fd);
    qemu_set_current_aio_context(NULL);
    qemu_set_current_aio_context(ctx);
    aio_context_unref(c);
}

/* ---- busy polling ----------------------------------------------------- */

typedef struct {
    bool has_work;
    int polls;
    int ready;
    int reads;
} PollData;

static bool poll_cb(void *opaque)
{
    PollData *d = opaque;

    d->polls++;
    return d->has_work;
}

static void poll_ready_cb(void *opaque)
{
    PollData *d = opaque;

    d->ready++;
    d->has_work = false;
}

static void poll_read_cb(void *opaque)
{
    ((PollData *)opaque)->reads++;
}

static void test_io_poll_reports_work_without_fd_event(void)
{
    PollData d = { 0 };
    PipeData p = { 0 };

    make_pipe(&p);
    aio_set_fd_handler(ctx, p.fds[0], poll_read_cb, NULL, poll_cb,
                       poll_ready_cb, &d);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(d.polls, >, 0);
    d.has_work = true;
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(d.ready, ==, 1);
    g_assert_cmpint(d.reads, ==, 0);
    aio_set_fd_handler(ctx, p.fds[0], NULL, NULL, NULL, NULL, NULL);
    close_pipe(&p);
}

static void timer_count_cb(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_adaptive_polling_grows_and_shrinks(void)
{
    QEMUTimer t;
    int fired = 0;

    aio_timer_init(ctx, &t, QEMU_CLOCK_REALTIME, SCALE_NS, timer_count_cb,
                   &fired);

    /* A 1 ms wait is below a 10 s maximum: the window grows. */
    aio_context_set_poll_params(ctx, 10 * NANOSECONDS_PER_SECOND, 0, 0,
                                &error_abort);
    aio_poll(ctx, false);       /* consume the notification */
    g_assert_cmpint(ctx->poll_ns, ==, 0);
    timer_mod_ns(&t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + SCALE_MS);
    while (fired < 1) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(ctx->poll_ns, >, 0);

    /* A 1 ms wait is above a 50 us maximum: the window collapses. */
    aio_context_set_poll_params(ctx, 50 * SCALE_US, 0, 0, &error_abort);
    aio_poll(ctx, false);
    ctx->poll_ns = 20 * SCALE_US;
    timer_mod_ns(&t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + SCALE_MS);
    while (fired < 2) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(ctx->poll_ns, ==, 0);

    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
    timer_deinit(&t);
}

static void test_poll_params_reject_negative_values(void)
{
    Error *err = NULL;

    aio_context_set_poll_params(ctx, -1, 0, 0, &err);
    g_assert_nonnull(err);
    error_free(err);
}

/* ---- timers ----------------------------------------------------------- */

static void test_timer_fires_from_blocking_poll(void)
{
    QEMUTimer t;
    int fired = 0;
    int64_t deadline = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + SCALE_MS;

    aio_timer_init(ctx, &t, QEMU_CLOCK_REALTIME, SCALE_NS, timer_count_cb,
                   &fired);
    timer_mod_ns(&t, deadline);
    g_assert_true(timer_pending(&t));
    while (!fired) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME), >=, deadline);
    g_assert_false(timer_pending(&t));
    g_assert_cmpint(fired, ==, 1);
    timer_deinit(&t);
}

/* ---- the context as a GSource ---------------------------------------- */

/*
 * A BH that deletes itself in its callback costs no extra wake-up of a
 * glib loop: the iteration that ran it is the last one with work.
 * QEMU 8.2's aio-gsource test expects one more iteration to return true
 * there, because QEMU leaves notify_me set while dispatching (glib skips
 * check() after a ready prepare()) and the delete's aio_notify() then
 * writes the eventfd.  qcore ends the sleeping phase in dispatch too, so
 * that write, and the wake-up, do not happen (docs/aio.md).
 */
static void test_gsource_bh_deleting_itself_needs_no_extra_wakeup(void)
{
    GMainContext *gctx = g_main_context_new();
    AioContext *c = aio_context_new(&error_abort);
    GSource *src = aio_get_g_source(c);
    BHData data = { .n = 0, .max = 1 };

    g_source_attach(src, gctx);
    g_source_unref(src);
    qemu_set_current_aio_context(NULL);
    qemu_set_current_aio_context(c);

    data.bh = aio_bh_new(c, bh_delete_self_cb, &data);
    qemu_bh_schedule(data.bh);
    g_assert_cmpint(data.n, ==, 0);
    g_assert_true(g_main_context_iteration(gctx, true));
    g_assert_cmpint(data.n, ==, 1);
    g_assert_null(data.bh);
    g_assert_false(g_main_context_iteration(gctx, false));

    /* The same with a BH that ran three times before deleting itself. */
    data = (BHData){ .n = 0, .max = 3 };
    data.bh = aio_bh_new(c, bh_delete_self_cb, &data);
    qemu_bh_schedule(data.bh);
    while (data.bh) {
        g_assert_true(g_main_context_iteration(gctx, true));
    }
    g_assert_cmpint(data.n, ==, 3);
    g_assert_false(g_main_context_iteration(gctx, false));

    qemu_set_current_aio_context(NULL);
    qemu_set_current_aio_context(ctx);
    g_source_destroy(&c->source);
    aio_context_unref(c);
    g_main_context_unref(gctx);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    ctx = aio_context_new(&error_abort);
    qemu_set_current_aio_context(ctx);

    g_test_add_func("/aio/gsource/bh-deleting-itself-needs-no-extra-wakeup",
                    test_gsource_bh_deleting_itself_needs_no_extra_wakeup);
    g_test_add_func("/aio/poll/no-events-no-progress",
                    test_aio_poll_without_events_makes_no_progress);
    g_test_add_func("/aio/notify/blocking-poll-returns",
                    test_notify_makes_blocking_poll_return);
    g_test_add_func("/aio/notify/wakes-blocked-poll-in-other-thread",
                    test_notify_wakes_blocked_poll_in_other_thread);
    g_test_add_func("/aio/bh/runs-once-however-often-scheduled",
                    test_bh_runs_once_however_often_scheduled);
    g_test_add_func("/aio/bh/rescheduled-from-itself-runs-once-per-poll",
                    test_bh_rescheduled_from_itself_runs_once_per_poll);
    g_test_add_func("/aio/bh/run-in-schedule-order",
                    test_bhs_run_in_schedule_order);
    g_test_add_func("/aio/bh/cancel-prevents-run",
                    test_bh_cancel_prevents_run);
    g_test_add_func("/aio/bh/delete-of-scheduled-prevents-run",
                    test_bh_delete_of_scheduled_bh_prevents_run);
    g_test_add_func("/aio/bh/deletes-itself", test_bh_deletes_itself);
    g_test_add_func("/aio/bh/oneshot-runs-once", test_bh_oneshot_runs_once);
    g_test_add_func("/aio/bh/nested-aio-poll", test_nested_aio_poll_in_bh);
    g_test_add_func("/aio/bh/scheduled-from-4-threads-runs-once-per-schedule",
                    test_bh_scheduled_from_4_threads_runs_once_per_schedule);
    g_test_add_func("/aio/bh/from-other-thread-wakes-blocked-poll",
                    test_bh_from_other_thread_wakes_blocked_poll);
    g_test_add_func("/aio/fd/runs-when-readable",
                    test_fd_handler_runs_when_fd_is_readable);
    g_test_add_func("/aio/fd/keeps-firing-while-readable",
                    test_fd_handler_keeps_firing_while_readable);
    g_test_add_func("/aio/fd/removes-itself-in-callback",
                    test_fd_handler_removes_itself_in_callback);
    g_test_add_func("/aio/fd/removes-other-ready-handler",
                    test_fd_handler_removes_other_ready_handler);
    g_test_add_func("/aio/fd/replaces-itself-in-callback",
                    test_fd_handler_replaces_itself_in_callback);
    g_test_add_func("/aio/fd/write-handler-runs-when-writable",
                    test_fd_write_handler_runs_when_writable);
    g_test_add_func("/aio/fd/blocking-poll-returns-when-readable",
                    test_blocking_poll_returns_when_fd_becomes_readable);
    g_test_add_func("/aio/fd/not-starved-by-rescheduling-bh",
                    test_fd_handler_not_starved_by_rescheduling_bh);
    g_test_add_func("/aio/fd/nested-aio-poll",
                    test_nested_aio_poll_in_fd_handler);
    g_test_add_func("/aio/fd/regular-file-falls-back-to-poll",
                    test_regular_file_falls_back_to_poll);
    g_test_add_func("/aio/busy-poll/io-poll-reports-work",
                    test_io_poll_reports_work_without_fd_event);
    g_test_add_func("/aio/busy-poll/adaptive-window-grows-and-shrinks",
                    test_adaptive_polling_grows_and_shrinks);
    g_test_add_func("/aio/busy-poll/params-reject-negative",
                    test_poll_params_reject_negative_values);
    g_test_add_func("/aio/timer/fires-from-blocking-poll",
                    test_timer_fires_from_blocking_poll);

    ret = g_test_run();
    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    return ret;
}
