/*
 * The Big QEMU Lock: per-thread ownership, mutual exclusion, the scope
 * guard, and the assertions that catch misuse.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"

static long counter;

static void *bql_incrementer(void *opaque)
{
    int i;

    g_assert_false(bql_locked());
    for (i = 0; i < 20000; i++) {
        bql_lock();
        g_assert_true(bql_locked());
        counter++;
        bql_unlock();
    }
    return NULL;
}

static void test_bql_excludes_threads(void)
{
    QemuThread t[4];
    int i;

    counter = 0;
    for (i = 0; i < 4; i++) {
        qemu_thread_create(&t[i], "bql-user", bql_incrementer, NULL,
                           QEMU_THREAD_JOINABLE);
    }
    for (i = 0; i < 4; i++) {
        qemu_thread_join(&t[i]);
    }
    g_assert_cmpint(counter, ==, 4 * 20000);
}

static void *report_locked(void *opaque)
{
    *(bool *)opaque = bql_locked();
    return NULL;
}

static void test_bql_locked_is_per_thread(void)
{
    QemuThread t;
    bool other_sees = true;

    g_assert_false(bql_locked());
    bql_lock();
    g_assert_true(bql_locked());
    qemu_thread_create(&t, "observer", report_locked, &other_sees,
                       QEMU_THREAD_JOINABLE);
    qemu_thread_join(&t);
    g_assert_false(other_sees);
    bql_unlock();
    g_assert_false(bql_locked());
}

static void guarded(void)
{
    BQL_LOCK_GUARD();
    g_assert_true(bql_locked());
}

static void test_guard_takes_and_releases(void)
{
    guarded();
    g_assert_false(bql_locked());

    /* Already held: the guard neither re-locks nor unlocks. */
    bql_lock();
    guarded();
    g_assert_true(bql_locked());
    bql_unlock();
}

static void test_recursive_lock_aborts(void)
{
    if (g_test_subprocess()) {
        bql_lock();
        bql_lock();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*bql_is_locked*");
}

static void test_unlock_without_lock_aborts(void)
{
    if (g_test_subprocess()) {
        bql_unlock();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*bql_is_locked*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bql/excludes-threads", test_bql_excludes_threads);
    g_test_add_func("/bql/locked-is-per-thread",
                    test_bql_locked_is_per_thread);
    g_test_add_func("/bql/guard-takes-and-releases",
                    test_guard_takes_and_releases);
    g_test_add_func("/bql/recursive-lock-aborts", test_recursive_lock_aborts);
    g_test_add_func("/bql/unlock-without-lock-aborts",
                    test_unlock_without_lock_aborts);
    return g_test_run();
}
