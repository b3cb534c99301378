/*
 * The Big QEMU Lock: per-thread ownership, mutual exclusion, the scope
 * guard, the assertions that catch misuse, and the profiler's accounting
 * per call site (system/bql-profile.c).
 */
#include "qcore/osdep.h"
#include "qcore/bql-profile.h"
#include "qcore/main-loop.h"
#include "qcore/qobject.h"
#include "qcore/thread.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "qapi/qobject-output-visitor.h"

static long counter;
static int incrementer_line;

static void *bql_incrementer(void *opaque)
{
    int i;

    g_assert_false(bql_locked());
    for (i = 0; i < 20000; i++) {
        bql_lock(); incrementer_line = __LINE__;
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

static void *try_from_thread(void *opaque)
{
    bool took = bql_trylock();

    if (took) {
        g_assert_true(bql_locked());
        bql_unlock();
    }
    *(bool *)opaque = took;
    return NULL;
}

/*
 * bql_trylock takes a free lock and owns it like bql_lock, and refuses
 * (without waiting) one another thread holds.
 */
static void test_trylock(void)
{
    QemuThread t;
    bool took = true;

    g_assert_true(bql_trylock());
    g_assert_true(bql_locked());
    qemu_thread_create(&t, "bql-try", try_from_thread, &took,
                       QEMU_THREAD_JOINABLE);
    qemu_thread_join(&t);
    g_assert_false(took);
    bql_unlock();
    g_assert_false(bql_locked());
    qemu_thread_create(&t, "bql-try", try_from_thread, &took,
                       QEMU_THREAD_JOINABLE);
    qemu_thread_join(&t);
    g_assert_true(took);
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

/* ---- the profiler ------------------------------------------------------ */

/*
 * bql_defer_broadcast: a thread sleeping on a condition (with its own
 * mutex, so that it cannot have been woken by anything else) once it is
 * known to wait, and the flag it waits for.
 */
typedef struct Sleeper {
    QemuMutex m;
    QemuCond cond;
    bool waiting, go;
    QemuCond *done_cond;        /* if set: set done under the BQL, wake */
    bool done;
} Sleeper;

static void *sleeper_fn(void *opaque)
{
    Sleeper *s = opaque;

    qemu_mutex_lock(&s->m);
    s->waiting = true;
    while (!s->go) {
        qemu_cond_wait(&s->cond, &s->m);
    }
    qemu_mutex_unlock(&s->m);
    if (s->done_cond) {
        bql_lock();
        s->done = true;
        qemu_cond_broadcast(s->done_cond);
        bql_unlock();
    }
    return NULL;
}

/* Start @s and return once it sleeps; @s->go is then set (it sleeps on). */
static void sleeper_start(Sleeper *s, QemuThread *t)
{
    bool waiting = false;

    qemu_mutex_init(&s->m);
    qemu_cond_init(&s->cond);
    qemu_thread_create(t, "sleeper", sleeper_fn, s, QEMU_THREAD_JOINABLE);
    while (!waiting) {
        /* Holding m with waiting set: the thread is inside its wait. */
        qemu_mutex_lock(&s->m);
        waiting = s->waiting;
        if (waiting) {
            s->go = true;
        }
        qemu_mutex_unlock(&s->m);
    }
}

/* Deferred under the BQL, the broadcast goes out at bql_unlock. */
static void test_deferred_broadcast_at_unlock(void)
{
    Sleeper s = { 0 };
    QemuThread t;

    sleeper_start(&s, &t);
    bql_lock();
    bql_defer_broadcast(&s.cond);
    bql_defer_broadcast(&s.cond);       /* once is enough */
    bql_unlock();
    qemu_thread_join(&t);               /* hangs if it never went out */
    qemu_cond_destroy(&s.cond);
    qemu_mutex_destroy(&s.m);
}

/*
 * Going to sleep in bql_cond_wait sends what was deferred first: here
 * the woken thread is what ends our wait, so without that both sleep.
 */
static void test_deferred_broadcast_before_cond_wait(void)
{
    Sleeper s = { 0 };
    QemuCond done_cond;
    QemuThread t;

    qemu_cond_init(&done_cond);
    s.done_cond = &done_cond;
    sleeper_start(&s, &t);
    bql_lock();
    bql_defer_broadcast(&s.cond);
    while (!s.done) {
        bql_cond_wait(&done_cond);
    }
    bql_unlock();
    qemu_thread_join(&t);
    qemu_cond_destroy(&done_cond);
    qemu_cond_destroy(&s.cond);
    qemu_mutex_destroy(&s.m);
}

static void test_bucket_is_log2_of_the_duration(void)
{
    g_assert_cmpuint(bql_profile_bucket(0), ==, 0);
    g_assert_cmpuint(bql_profile_bucket(1), ==, 1);
    g_assert_cmpuint(bql_profile_bucket(2), ==, 2);
    g_assert_cmpuint(bql_profile_bucket(3), ==, 2);
    g_assert_cmpuint(bql_profile_bucket(1023), ==, 10);
    g_assert_cmpuint(bql_profile_bucket(1024), ==, 11);
    /* Everything from 2^30 ns (about a second) on shares the last one. */
    g_assert_cmpuint(bql_profile_bucket(1ULL << 30), ==, BQL_HIST_BUCKETS - 1);
    g_assert_cmpuint(bql_profile_bucket(UINT64_MAX), ==, BQL_HIST_BUCKETS - 1);
}

/* The entry for @func:@line in x-query-bql's "by-wait", or NULL. */
static QDict *find_site(QDict *info, const char *func, int line)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(info, "by-wait"), e) {
        QDict *s = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(s, "function"), func) &&
            qdict_get_int(s, "line") == line) {
            return s;
        }
    }
    return NULL;
}

static int64_t histogram_total(QDict *site, const char *key)
{
    QListEntry *e;
    int64_t n = 0;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(site, key), e) {
        n += qdict_get_int(qobject_to(QDict, qlist_entry_obj(e)), "count");
    }
    return n;
}

/* x-query-bql as a client sees it (through the output visitor). */
static QDict *query(int64_t top)
{
    BqlProfile *info;
    QObject *obj = NULL;
    Visitor *v;

    bql_lock();
    info = qmp_x_query_bql(true, top, &error_abort);
    bql_unlock();
    v = qobject_output_visitor_new(&obj);
    visit_type_BqlProfile(v, NULL, &info, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    qapi_free_BqlProfile(info);
    return qobject_to(QDict, obj);
}

/* Every site listed; taken and read under the BQL. */
static QDict *query_all(void)
{
    return query(0);
}

static int lock_twice_line;

static void lock_here(int n)
{
    while (n--) {
        bql_lock(); lock_twice_line = __LINE__;
        bql_unlock();
    }
}

static void test_profile_counts_each_site_apart(void)
{
    g_autoptr(QDict) info = NULL;
    QDict *site;

    bql_lock();
    bql_profile_reset();
    bql_unlock();
    lock_here(100);
    info = query_all();
    site = find_site(info, "lock_here", lock_twice_line);
    g_assert_nonnull(site);
    g_assert_cmpstr(qdict_get_str(site, "file"), ==, "tests/unit/test-bql.c");
    g_assert_cmpint(qdict_get_int(site, "acquisitions"), ==, 100);
    /* One thread: the lock was always free, so no wait was counted. */
    g_assert_cmpint(qdict_get_int(site, "contended"), ==, 0);
    g_assert_cmpint(qdict_get_int(site, "wait-ns"), ==, 0);
    g_assert_cmpint(histogram_total(site, "wait-histogram"), ==, 100);
    g_assert_cmpint(histogram_total(site, "hold-histogram"), ==, 100);
    g_assert_cmpint(qdict_get_int(site, "hold-max-ns"), <=,
                    qdict_get_int(site, "hold-ns"));
}

static void test_profile_accounts_every_contended_acquisition(void)
{
    g_autoptr(QDict) info = NULL;
    QDict *site, *first;
    int64_t n, contended;

    bql_lock();
    bql_profile_reset();
    bql_unlock();
    test_bql_excludes_threads();
    info = query_all();
    site = find_site(info, "bql_incrementer", incrementer_line);
    g_assert_nonnull(site);
    n = qdict_get_int(site, "acquisitions");
    contended = qdict_get_int(site, "contended");
    g_assert_cmpint(n, ==, 4 * 20000);
    g_assert_cmpint(contended, <=, n);
    g_assert_cmpint(histogram_total(site, "wait-histogram"), ==, n);
    g_assert_cmpint(histogram_total(site, "hold-histogram"), ==, n);
    /* Free at trylock means a zero wait: bucket 0, "below 1 ns". */
    first = qobject_to(QDict, qlist_peek(qdict_get_qlist(site,
                                                         "wait-histogram")));
    if (contended < n) {
        g_assert_cmpint(qdict_get_int(first, "below-ns"), ==, 1);
        g_assert_cmpint(qdict_get_int(first, "count"), >=, n - contended);
    }
    g_assert_cmpint(qdict_get_int(site, "wait-max-ns"), <=,
                    qdict_get_int(site, "wait-ns"));
    /* The totals add up the sites. */
    g_assert_cmpint(qdict_get_int(info, "acquisitions"), >=, n);
}

static void test_profile_reset_clears_the_counts(void)
{
    g_autoptr(QDict) before = NULL;
    g_autoptr(QDict) after = NULL;

    lock_here(3);
    before = query_all();
    g_assert_nonnull(find_site(before, "lock_here", lock_twice_line));
    bql_lock();
    bql_profile_reset();
    bql_unlock();
    after = query_all();
    /* Idle since the reset: left out of the lists. */
    g_assert_null(find_site(after, "lock_here", lock_twice_line));
    g_assert_cmpint(qdict_get_int(after, "acquisitions"), <=, 2);
}

static void test_profile_top_limits_the_lists(void)
{
    g_autoptr(QDict) info = NULL;

    lock_here(1);
    info = query(1);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(info, "by-wait")), ==, 1);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(info, "by-hold")), ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bql/excludes-threads", test_bql_excludes_threads);
    g_test_add_func("/bql/locked-is-per-thread",
                    test_bql_locked_is_per_thread);
    g_test_add_func("/bql/guard-takes-and-releases",
                    test_guard_takes_and_releases);
    g_test_add_func("/bql/trylock", test_trylock);
    g_test_add_func("/bql/deferred-broadcast/at-unlock",
                    test_deferred_broadcast_at_unlock);
    g_test_add_func("/bql/deferred-broadcast/before-cond-wait",
                    test_deferred_broadcast_before_cond_wait);
    g_test_add_func("/bql/recursive-lock-aborts", test_recursive_lock_aborts);
    g_test_add_func("/bql/unlock-without-lock-aborts",
                    test_unlock_without_lock_aborts);
    g_test_add_func("/bql/profile/bucket-is-log2-of-the-duration",
                    test_bucket_is_log2_of_the_duration);
    g_test_add_func("/bql/profile/counts-each-site-apart",
                    test_profile_counts_each_site_apart);
    g_test_add_func("/bql/profile/accounts-every-contended-acquisition",
                    test_profile_accounts_every_contended_acquisition);
    g_test_add_func("/bql/profile/reset-clears-the-counts",
                    test_profile_reset_clears_the_counts);
    g_test_add_func("/bql/profile/top-limits-the-lists",
                    test_profile_top_limits_the_lists);
    return g_test_run();
}
