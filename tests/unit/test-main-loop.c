/*
 * The main loop: AioContext and plain glib sources in one iteration, the
 * BQL dropped only around the poll, timer deadlines feeding the poll, and
 * signals turned into a shutdown request.  (The qcore binary's reaction
 * to signals is tested end to end in tests/functional.)
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/thread.h"
#include <signal.h>

static void flag_cb(void *opaque)
{
    g_assert_true(bql_locked());
    *(bool *)opaque = true;
}

static void test_bh_runs_in_main_loop_with_bql(void)
{
    bool ran = false;
    QEMUBH *bh = qemu_bh_new(flag_cb, &ran);

    qemu_bh_schedule(bh);
    while (!ran) {
        main_loop_wait(false);
    }
    qemu_bh_delete(bh);
}

static gboolean glib_timeout_cb(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

static gboolean glib_io_cb(GIOChannel *source, GIOCondition cond,
                           gpointer opaque)
{
    char c;
    g_assert_cmpint(read(g_io_channel_unix_get_fd(source), &c, 1), ==, 1);
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

static void test_glib_sources_coexist_with_aio_sources(void)
{
    bool timeout_fired = false, io_fired = false, bh_ran = false;
    bool timer_fired = false;
    QEMUBH *bh = qemu_bh_new(flag_cb, &bh_ran);
    QEMUTimer *timer = timer_new_ms(QEMU_CLOCK_REALTIME, flag_cb,
                                    &timer_fired);
    GIOChannel *chan;
    int fds[2];

    g_assert_cmpint(pipe(fds), ==, 0);
    chan = g_io_channel_unix_new(fds[0]);
    g_io_add_watch(chan, G_IO_IN, glib_io_cb, &io_fired);
    g_timeout_add(1, glib_timeout_cb, &timeout_fired);
    qemu_bh_schedule(bh);
    timer_mod(timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);

    while (!(timeout_fired && io_fired && bh_ran && timer_fired)) {
        main_loop_wait(false);
    }

    g_io_channel_unref(chan);
    close(fds[0]);
    close(fds[1]);
    qemu_bh_delete(bh);
    timer_free(timer);
}

static void fd_read_cb(void *opaque)
{
    int *fds = opaque;
    char c;

    g_assert_true(bql_locked());
    g_assert_cmpint(read(fds[0], &c, 1), ==, 1);
    fds[2]++;
}

static void test_set_fd_handler_runs_in_main_loop(void)
{
    int fds[3] = { 0 };

    g_assert_cmpint(pipe(fds), ==, 0);
    qemu_set_fd_handler(fds[0], fd_read_cb, NULL, fds);
    g_assert_cmpint(write(fds[1], "xy", 2), ==, 2);
    while (fds[2] < 2) {
        main_loop_wait(false);
    }
    qemu_set_fd_handler(fds[0], NULL, NULL, NULL);
    close(fds[0]);
    close(fds[1]);
}

/*
 * The rule that keeps the loop alive: a bottom half that reschedules
 * itself and a timer that re-arms itself for the past each run once per
 * iteration, and the fds are polled and dispatched in between.  (The
 * chardev watch has the same rule; tests/unit/test-chardev.c.)
 */
static QEMUBH *spin_bh;
static QEMUTimer *spin_timer;
static int spin_bh_calls, spin_timer_calls;

static void spin_bh_cb(void *opaque)
{
    /* Bounded so that a broken rule fails the test instead of hanging. */
    if (++spin_bh_calls < 1000) {
        qemu_bh_schedule(spin_bh);
    }
}

static void spin_timer_cb(void *opaque)
{
    if (++spin_timer_calls < 1000) {
        timer_mod_ns(spin_timer, 0);
    }
}

static void test_self_rearming_callbacks_run_once_per_iteration(void)
{
    int fds[3] = { 0 };

    spin_bh = qemu_bh_new(spin_bh_cb, NULL);
    spin_timer = timer_new_ns(QEMU_CLOCK_REALTIME, spin_timer_cb, NULL);
    g_assert_cmpint(pipe(fds), ==, 0);
    qemu_set_fd_handler(fds[0], fd_read_cb, NULL, fds);

    qemu_bh_schedule(spin_bh);
    timer_mod_ns(spin_timer, 0);
    for (int i = 1; i <= 3; i++) {
        g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
        main_loop_wait(false);
        g_assert_cmpint(spin_bh_calls, ==, i);
        g_assert_cmpint(spin_timer_calls, ==, i);
        g_assert_cmpint(fds[2], ==, i);
    }
    qemu_set_fd_handler(fds[0], NULL, NULL, NULL);
    close(fds[0]);
    close(fds[1]);
    timer_free(spin_timer);
    qemu_bh_delete(spin_bh);
}

static void test_timer_deadline_bounds_the_poll(void)
{
    bool fired = false;
    QEMUTimer *timer = timer_new_ns(QEMU_CLOCK_REALTIME, flag_cb, &fired);
    int64_t deadline = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + SCALE_MS;

    /* Nothing else will wake the loop: if the deadline were not the poll
     * timeout, this would block forever. */
    timer_mod_ns(timer, deadline);
    while (!fired) {
        main_loop_wait(false);
    }
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME), >=, deadline);
    timer_free(timer);
}

/*
 * A deadline under a millisecond away is slept to, not polled for: the
 * loop goes round a bounded number of times (the wake-up that timer_mod
 * sends, then the sleep), not once per poll until the time comes.
 */
static void test_sub_ms_deadline_does_not_spin(void)
{
    bool fired = false;
    QEMUTimer *timer = timer_new_ns(QEMU_CLOCK_REALTIME, flag_cb, &fired);
    uint64_t start = main_loop_iterations();

    timer_mod_ns(timer, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                        SCALE_MS * 9 / 10);
    while (!fired) {
        main_loop_wait(false);
    }
    g_assert_cmpuint(main_loop_iterations() - start, <=, 3);
    timer_free(timer);
}

typedef struct {
    QemuSemaphore go;
    QEMUBH *bh;
    bool took_lock;
    bool bh_ran;
} BQLData;

static void *take_bql_while_loop_sleeps(void *opaque)
{
    BQLData *d = opaque;

    qemu_sem_wait(&d->go);
    /* Only possible because the main loop sleeps without the BQL. */
    bql_lock();
    d->took_lock = true;
    qemu_bh_schedule(d->bh);
    bql_unlock();
    return NULL;
}

static void test_bql_is_released_while_polling(void)
{
    BQLData d = { 0 };
    QemuThread thread;

    qemu_sem_init(&d.go, 0);
    d.bh = qemu_bh_new(flag_cb, &d.bh_ran);
    qemu_thread_create(&thread, "bql-taker", take_bql_while_loop_sleeps, &d,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_post(&d.go);
    while (!d.bh_ran) {
        main_loop_wait(false);
    }
    g_assert_true(d.took_lock);
    qemu_thread_join(&thread);
    qemu_bh_delete(d.bh);
    qemu_sem_destroy(&d.go);
}

static void test_main_loop_wait_without_bql_aborts(void)
{
    if (g_test_subprocess()) {
        bql_unlock();
        main_loop_wait(true);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*bql_locked*");
}

static void test_sigterm_becomes_shutdown_request(void)
{
    if (g_test_subprocess()) {
        int status;

        os_setup_signal_handling();
        /* Blocked: it waits in the signalfd for the main loop. */
        kill(getpid(), SIGTERM);
        status = qemu_main_loop();
        printf("main loop exited with status %d\n", status);
        exit(status);
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*main loop exited with status 0*");
    g_test_trap_assert_stderr("*terminating on signal 15 from pid*");
}

/* Spin until the signal thread has read @signo off the signalfd. */
static void wait_signal_taken(int signo)
{
    sigset_t pending;

    do {
        sigpending(&pending);
    } while (sigismember(&pending, signo));
}

/*
 * A main loop that never comes back (the hangs of issue 8 did that) never
 * sees the first SIGTERM; the second one must end the process anyway.
 */
static void test_second_sigterm_ends_a_stuck_process(void)
{
    if (g_test_subprocess()) {
        os_setup_signal_handling();
        kill(getpid(), SIGTERM);
        wait_signal_taken(SIGTERM);
        kill(getpid(), SIGTERM);
        /* Stuck: never run the loop again.  Nothing else ends this. */
        for (;;) {
            pause();    /* the signals stay blocked in this thread */
        }
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*terminating at once on a repeated signal 15*");
}

/* Any two of SIGTERM, SIGINT and SIGHUP count as a repeat. */
static void test_sighup_then_sigint_end_a_stuck_process(void)
{
    if (g_test_subprocess()) {
        os_setup_signal_handling();
        kill(getpid(), SIGHUP);
        kill(getpid(), SIGINT);
        for (;;) {
            pause();    /* the signals stay blocked in this thread */
        }
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*terminating at once on a repeated signal 2*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bql_lock();
    qemu_init_main_loop(&error_abort);

    g_test_add_func("/main-loop/bh-runs-with-bql",
                    test_bh_runs_in_main_loop_with_bql);
    g_test_add_func("/main-loop/glib-sources-coexist-with-aio-sources",
                    test_glib_sources_coexist_with_aio_sources);
    g_test_add_func("/main-loop/set-fd-handler",
                    test_set_fd_handler_runs_in_main_loop);
    g_test_add_func("/main-loop/self-rearming-callbacks-once-per-iteration",
                    test_self_rearming_callbacks_run_once_per_iteration);
    g_test_add_func("/main-loop/timer-deadline-bounds-poll",
                    test_timer_deadline_bounds_the_poll);
    g_test_add_func("/main-loop/sub-ms-deadline-does-not-spin",
                    test_sub_ms_deadline_does_not_spin);
    g_test_add_func("/main-loop/bql-released-while-polling",
                    test_bql_is_released_while_polling);
    g_test_add_func("/main-loop/wait-without-bql-aborts",
                    test_main_loop_wait_without_bql_aborts);
    g_test_add_func("/main-loop/signal/sigterm-becomes-shutdown-request",
                    test_sigterm_becomes_shutdown_request);
    g_test_add_func("/main-loop/signal/second-sigterm-ends-a-stuck-process",
                    test_second_sigterm_ends_a_stuck_process);
    g_test_add_func("/main-loop/signal/sighup-then-sigint-end-a-stuck-process",
                    test_sighup_then_sigint_end_a_stuck_process);
    return g_test_run();
}
