/*
 * Threads and their primitives: mutual exclusion, condition variables,
 * semaphores, the futex QemuEvent, names and ids.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/thread.h"
#include "qcore/lockable.h"

#define THREADS 4
#define ITERS 50000

static QemuMutex mutex;
static long counter;

static void *increment_locked(void *opaque)
{
    int i;

    for (i = 0; i < ITERS; i++) {
        qemu_mutex_lock(&mutex);
        counter++;              /* plain: only the mutex protects it */
        qemu_mutex_unlock(&mutex);
    }
    return opaque;
}

static void test_mutex_excludes(void)
{
    QemuThread t[THREADS];
    int i;

    qemu_mutex_init(&mutex);
    counter = 0;
    for (i = 0; i < THREADS; i++) {
        qemu_thread_create(&t[i], "incr", increment_locked,
                           GINT_TO_POINTER(i + 1), QEMU_THREAD_JOINABLE);
    }
    for (i = 0; i < THREADS; i++) {
        /* join hands back the thread's return value */
        g_assert_cmpint(GPOINTER_TO_INT(qemu_thread_join(&t[i])), ==, i + 1);
    }
    g_assert_cmpint(counter, ==, THREADS * ITERS);
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
    qemu_mutex_unlock(&mutex);
    qemu_mutex_destroy(&mutex);
}

static void test_lock_guard_releases_at_scope_end(void)
{
    qemu_mutex_init(&mutex);
    {
        QEMU_LOCK_GUARD(&mutex);
        g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
    }
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    qemu_mutex_unlock(&mutex);
    qemu_mutex_destroy(&mutex);
}

static void test_rec_mutex_nests(void)
{
    QemuRecMutex m;

    qemu_rec_mutex_init(&m);
    qemu_rec_mutex_lock(&m);
    qemu_rec_mutex_lock(&m);
    g_assert_cmpint(qemu_rec_mutex_trylock(&m), ==, 0);
    qemu_rec_mutex_unlock(&m);
    qemu_rec_mutex_unlock(&m);
    qemu_rec_mutex_unlock(&m);
    qemu_rec_mutex_destroy(&m);
}

typedef struct {
    QemuMutex lock;
    QemuCond cond;
    int produced;
    int consumed;
} Queue;

static void *producer(void *opaque)
{
    Queue *q = opaque;
    int i;

    for (i = 0; i < 1000; i++) {
        qemu_mutex_lock(&q->lock);
        q->produced++;
        qemu_cond_signal(&q->cond);
        qemu_mutex_unlock(&q->lock);
    }
    return NULL;
}

static void test_cond_wakes_waiter(void)
{
    Queue q = { 0 };
    QemuThread t;

    qemu_mutex_init(&q.lock);
    qemu_cond_init(&q.cond);
    qemu_thread_create(&t, "producer", producer, &q, QEMU_THREAD_JOINABLE);
    qemu_mutex_lock(&q.lock);
    while (q.consumed < 1000) {
        while (q.consumed == q.produced) {
            qemu_cond_wait(&q.cond, &q.lock);
        }
        q.consumed = q.produced;
    }
    qemu_mutex_unlock(&q.lock);
    qemu_thread_join(&t);
    /* Nobody signals: a timed wait times out. */
    qemu_mutex_lock(&q.lock);
    g_assert_false(qemu_cond_timedwait(&q.cond, &q.lock, 1));
    qemu_mutex_unlock(&q.lock);
    qemu_cond_destroy(&q.cond);
    qemu_mutex_destroy(&q.lock);
}

static void *sem_poster(void *opaque)
{
    int i;

    for (i = 0; i < 1000; i++) {
        qemu_sem_post(opaque);
    }
    return NULL;
}

static void test_semaphore_counts(void)
{
    QemuSemaphore sem;
    QemuThread t;
    int i;

    qemu_sem_init(&sem, 2);
    qemu_sem_wait(&sem);
    g_assert_cmpint(qemu_sem_timedwait(&sem, 0), ==, 0);
    g_assert_cmpint(qemu_sem_timedwait(&sem, 1), ==, -1);
    qemu_thread_create(&t, "poster", sem_poster, &sem, QEMU_THREAD_JOINABLE);
    for (i = 0; i < 1000; i++) {
        qemu_sem_wait(&sem);
    }
    qemu_thread_join(&t);
    g_assert_cmpint(qemu_sem_timedwait(&sem, 0), ==, -1);
    qemu_sem_destroy(&sem);
}

static QemuEvent ping, pong;

static void *event_ponger(void *opaque)
{
    int i;

    for (i = 0; i < 10000; i++) {
        qemu_event_wait(&ping);
        qemu_event_reset(&ping);
        qemu_event_set(&pong);
    }
    return NULL;
}

static void test_event_ping_pong(void)
{
    QemuThread t;
    int i;

    qemu_event_init(&ping, false);
    qemu_event_init(&pong, false);
    qemu_thread_create(&t, "ponger", event_ponger, NULL, QEMU_THREAD_JOINABLE);
    for (i = 0; i < 10000; i++) {
        qemu_event_set(&ping);
        qemu_event_wait(&pong);
        qemu_event_reset(&pong);
    }
    qemu_thread_join(&t);
    qemu_event_destroy(&ping);
    qemu_event_destroy(&pong);
}

static void test_event_set_before_wait_does_not_block(void)
{
    QemuEvent ev;

    qemu_event_init(&ev, true);
    qemu_event_wait(&ev);
    qemu_event_reset(&ev);
    qemu_event_set(&ev);
    qemu_event_set(&ev);
    qemu_event_wait(&ev);
    qemu_event_destroy(&ev);
}

typedef struct {
    int tid;
    QemuThread self;
    bool is_self;
    QemuSemaphore named, checked;
} NameData;

static void *named_thread(void *opaque)
{
    NameData *d = opaque;

    d->tid = qemu_get_thread_id();
    qemu_thread_get_self(&d->self);
    d->is_self = qemu_thread_is_self(&d->self);
    qemu_sem_post(&d->named);
    qemu_sem_wait(&d->checked);     /* stay alive while /proc is read */
    return NULL;
}

static void test_thread_name_visible_in_proc(void)
{
    NameData d = { 0 };
    QemuThread t;
    g_autofree char *path = NULL;
    g_autofree char *comm = NULL;

    qemu_sem_init(&d.named, 0);
    qemu_sem_init(&d.checked, 0);
    qemu_thread_create(&t, "a-name-longer-than-15", named_thread, &d,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&d.named);
    path = g_strdup_printf("/proc/self/task/%d/comm", d.tid);
    g_assert_true(g_file_get_contents(path, &comm, NULL, NULL));
    /* The kernel keeps 15 bytes. */
    g_assert_cmpstr(comm, ==, "a-name-longer-t\n");
    g_assert_true(d.is_self);
    g_assert_false(qemu_thread_is_self(&t));
    g_assert_cmpint(d.tid, !=, qemu_get_thread_id());
    qemu_sem_post(&d.checked);
    qemu_thread_join(&t);
    qemu_sem_destroy(&d.named);
    qemu_sem_destroy(&d.checked);
}

/* ---- QemuLockable (QEMU's qemu/lockable.h) -------------------------- */

static void *rec_trylock_thread(void *opaque)
{
    QemuRecMutex *m = opaque;

    if (qemu_rec_mutex_trylock(m) != 0) {
        return GINT_TO_POINTER(0);
    }
    qemu_rec_mutex_unlock(m);
    return GINT_TO_POINTER(1);
}

/* Whether another thread can take @m right now. */
static bool rec_mutex_free_for_others(QemuRecMutex *m)
{
    QemuThread t;

    qemu_thread_create(&t, "trylock", rec_trylock_thread, m,
                       QEMU_THREAD_JOINABLE);
    return GPOINTER_TO_INT(qemu_thread_join(&t));
}

/* Code that takes "a lock" whatever its kind, as QEMU's callers do. */
static void lock_twice_then_unlock_twice(QemuLockable *l, bool *held)
{
    qemu_lockable_lock(l);
    qemu_lockable_lock(l);
    *held = true;
    qemu_lockable_unlock(l);
    qemu_lockable_unlock(l);
}

static void test_lockable_locks_a_mutex_or_rec_mutex(void)
{
    QemuRecMutex rm;
    QemuLockable *l;
    bool held = false;

    qemu_mutex_init(&mutex);
    l = QEMU_MAKE_LOCKABLE(&mutex);
    g_assert_true(l->object == &mutex);
    qemu_lockable_lock(l);
    g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
    qemu_lockable_unlock(l);
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    qemu_mutex_unlock(&mutex);
    qemu_mutex_destroy(&mutex);

    qemu_rec_mutex_init(&rm);
    lock_twice_then_unlock_twice(QEMU_MAKE_LOCKABLE(&rm), &held);
    g_assert_true(held);
    g_assert_true(rec_mutex_free_for_others(&rm));
    {
        QEMU_LOCK_GUARD(&rm);
        g_assert_false(rec_mutex_free_for_others(&rm));
    }
    g_assert_true(rec_mutex_free_for_others(&rm));
    qemu_rec_mutex_destroy(&rm);
}

static void test_make_lockable_passes_null_and_lockables_through(void)
{
    QemuMutex *none = NULL;
    QemuLockable *l;

    g_assert_null(QEMU_MAKE_LOCKABLE(NULL));
    g_assert_null(QEMU_MAKE_LOCKABLE(none));
    qemu_mutex_init(&mutex);
    l = QEMU_MAKE_LOCKABLE(&mutex);
    g_assert_true(QEMU_MAKE_LOCKABLE(l) == l);
    g_assert_true(QEMU_MAKE_LOCKABLE_NONNULL(l) == l);
    {
        /* A guard over a QemuLockable locks what it stands for. */
        QEMU_LOCK_GUARD(l);
        g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
    }
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    qemu_mutex_unlock(&mutex);
    qemu_mutex_destroy(&mutex);
}

static int guarded_return(int x)
{
    WITH_QEMU_LOCK_GUARD(&mutex) {
        g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
        if (x > 0) {
            return x;
        }
    }
    return -1;
}

static void test_with_lock_guard_unlocks_on_every_exit(void)
{
    int runs = 0;

    qemu_mutex_init(&mutex);
    WITH_QEMU_LOCK_GUARD(&mutex) {
        g_assert_cmpint(qemu_mutex_trylock(&mutex), !=, 0);
        runs++;
    }
    g_assert_cmpint(runs, ==, 1);       /* the body runs once */
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    qemu_mutex_unlock(&mutex);

    for (int i = 0; i < 3; i++) {
        WITH_QEMU_LOCK_GUARD(&mutex) {
            if (i == 1) {
                break;
            }
        }
        g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
        qemu_mutex_unlock(&mutex);
    }

    g_assert_cmpint(guarded_return(5), ==, 5);
    g_assert_cmpint(guarded_return(0), ==, -1);
    g_assert_cmpint(qemu_mutex_trylock(&mutex), ==, 0);
    qemu_mutex_unlock(&mutex);
    qemu_mutex_destroy(&mutex);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/thread/mutex-excludes", test_mutex_excludes);
    g_test_add_func("/thread/lock-guard-releases-at-scope-end",
                    test_lock_guard_releases_at_scope_end);
    g_test_add_func("/thread/rec-mutex-nests", test_rec_mutex_nests);
    g_test_add_func("/thread/lockable/locks-a-mutex-or-rec-mutex",
                    test_lockable_locks_a_mutex_or_rec_mutex);
    g_test_add_func("/thread/lockable/make-passes-null-and-lockables",
                    test_make_lockable_passes_null_and_lockables_through);
    g_test_add_func("/thread/lockable/with-guard-unlocks-on-every-exit",
                    test_with_lock_guard_unlocks_on_every_exit);
    g_test_add_func("/thread/cond-wakes-waiter", test_cond_wakes_waiter);
    g_test_add_func("/thread/semaphore-counts", test_semaphore_counts);
    g_test_add_func("/thread/event/ping-pong", test_event_ping_pong);
    g_test_add_func("/thread/event/set-before-wait-does-not-block",
                    test_event_set_before_wait_does_not_block);
    g_test_add_func("/thread/name-visible-in-proc",
                    test_thread_name_visible_in_proc);
    return g_test_run();
}
