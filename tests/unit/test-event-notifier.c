/*
 * EventNotifier over eventfd and over the pipe fallback.
 */
#include "qcore/osdep.h"
#include "qcore/event-notifier.h"
#include <poll.h>

typedef int (*InitFn)(EventNotifier *, int);

static bool readable(EventNotifier *e)
{
    struct pollfd pfd = { .fd = event_notifier_get_fd(e), .events = POLLIN };
    return poll(&pfd, 1, 0) == 1;
}

static void check_set_and_clear(InitFn init)
{
    EventNotifier e;
    int i;

    g_assert_cmpint(init(&e, false), ==, 0);
    g_assert_false(readable(&e));
    g_assert_false(event_notifier_test_and_clear(&e));

    g_assert_cmpint(event_notifier_set(&e), ==, 0);
    g_assert_true(readable(&e));
    g_assert_true(event_notifier_test_and_clear(&e));
    g_assert_false(readable(&e));
    g_assert_false(event_notifier_test_and_clear(&e));

    /* Many sets before one clear collapse into one. */
    for (i = 0; i < 10000; i++) {
        g_assert_cmpint(event_notifier_set(&e), ==, 0);
    }
    g_assert_true(event_notifier_test_and_clear(&e));
    g_assert_false(readable(&e));
    event_notifier_cleanup(&e);

    g_assert_cmpint(init(&e, true), ==, 0);
    g_assert_true(event_notifier_test_and_clear(&e));
    event_notifier_cleanup(&e);
    /* Cleanup is idempotent and set on a cleaned-up notifier fails. */
    event_notifier_cleanup(&e);
    g_assert_cmpint(event_notifier_set(&e), ==, -EBADF);
}

static void test_eventfd_set_and_clear(void)
{
    EventNotifier e;

    g_assert_cmpint(event_notifier_init(&e, false), ==, 0);
    /* eventfd: one fd for both ends. */
    g_assert_cmpint(event_notifier_get_fd(&e), ==, event_notifier_get_wfd(&e));
    event_notifier_cleanup(&e);
    check_set_and_clear(event_notifier_init);
}

static void test_pipe_fallback_set_and_clear(void)
{
    EventNotifier e;

    g_assert_cmpint(event_notifier_init_pipe(&e, false), ==, 0);
    g_assert_cmpint(event_notifier_get_fd(&e), !=, event_notifier_get_wfd(&e));
    event_notifier_cleanup(&e);
    check_set_and_clear(event_notifier_init_pipe);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/event-notifier/eventfd/set-and-clear",
                    test_eventfd_set_and_clear);
    g_test_add_func("/event-notifier/pipe/set-and-clear",
                    test_pipe_fallback_set_and_clear);
    return g_test_run();
}
