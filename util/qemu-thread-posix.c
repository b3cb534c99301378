/*
 * POSIX threads, mutexes, condition variables, semaphores and futex-based
 * events.  Corresponds to QEMU's util/qemu-thread-posix.c and
 * util/qemu-thread-common.h (QemuEvent).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/thread.h"
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>

static void error_exit(int err, const char *msg)
{
    fprintf(stderr, "qcore: %s: %s\n", msg, strerror(err));
    abort();
}

#define CHECK(call) do {                                                \
    int err_ = (call);                                                  \
    if (unlikely(err_)) {                                               \
        error_exit(err_, __func__);                                     \
    }                                                                   \
} while (0)

void qemu_mutex_init(QemuMutex *mutex)
{
    CHECK(pthread_mutex_init(&mutex->lock, NULL));
}

void qemu_mutex_destroy(QemuMutex *mutex)
{
    CHECK(pthread_mutex_destroy(&mutex->lock));
}

void qemu_mutex_lock(QemuMutex *mutex)
{
    CHECK(pthread_mutex_lock(&mutex->lock));
}

int qemu_mutex_trylock(QemuMutex *mutex)
{
    int err = pthread_mutex_trylock(&mutex->lock);
    if (err == 0) {
        return 0;
    }
    if (err != EBUSY) {
        error_exit(err, __func__);
    }
    return -EBUSY;
}

void qemu_mutex_unlock(QemuMutex *mutex)
{
    CHECK(pthread_mutex_unlock(&mutex->lock));
}

void qemu_rec_mutex_init(QemuRecMutex *mutex)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    CHECK(pthread_mutex_init(&mutex->lock, &attr));
    pthread_mutexattr_destroy(&attr);
}

void qemu_rec_mutex_destroy(QemuRecMutex *mutex)
{
    CHECK(pthread_mutex_destroy(&mutex->lock));
}

void qemu_rec_mutex_lock(QemuRecMutex *mutex)
{
    CHECK(pthread_mutex_lock(&mutex->lock));
}

int qemu_rec_mutex_trylock(QemuRecMutex *mutex)
{
    return qemu_mutex_trylock((QemuMutex *)mutex);
}

void qemu_rec_mutex_unlock(QemuRecMutex *mutex)
{
    CHECK(pthread_mutex_unlock(&mutex->lock));
}

void qemu_cond_init(QemuCond *cond)
{
    pthread_condattr_t attr;

    /* Timed waits measure a monotonic interval, immune to clock changes. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    CHECK(pthread_cond_init(&cond->cond, &attr));
    pthread_condattr_destroy(&attr);
}

void qemu_cond_destroy(QemuCond *cond)
{
    CHECK(pthread_cond_destroy(&cond->cond));
}

void qemu_cond_signal(QemuCond *cond)
{
    CHECK(pthread_cond_signal(&cond->cond));
}

void qemu_cond_broadcast(QemuCond *cond)
{
    CHECK(pthread_cond_broadcast(&cond->cond));
}

void qemu_cond_wait(QemuCond *cond, QemuMutex *mutex)
{
    CHECK(pthread_cond_wait(&cond->cond, &mutex->lock));
}

bool qemu_cond_timedwait(QemuCond *cond, QemuMutex *mutex, int ms)
{
    struct timespec ts;
    int err;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    err = pthread_cond_timedwait(&cond->cond, &mutex->lock, &ts);
    if (err && err != ETIMEDOUT) {
        error_exit(err, __func__);
    }
    return err != ETIMEDOUT;
}

void qemu_sem_init(QemuSemaphore *sem, int init)
{
    assert(init >= 0);
    qemu_mutex_init(&sem->mutex);
    qemu_cond_init(&sem->cond);
    sem->count = init;
}

void qemu_sem_destroy(QemuSemaphore *sem)
{
    qemu_cond_destroy(&sem->cond);
    qemu_mutex_destroy(&sem->mutex);
}

void qemu_sem_post(QemuSemaphore *sem)
{
    qemu_mutex_lock(&sem->mutex);
    assert(sem->count < UINT_MAX);
    sem->count++;
    qemu_cond_signal(&sem->cond);
    qemu_mutex_unlock(&sem->mutex);
}

int qemu_sem_timedwait(QemuSemaphore *sem, int ms)
{
    bool ok = true;

    qemu_mutex_lock(&sem->mutex);
    while (sem->count == 0 && ok) {
        ok = qemu_cond_timedwait(&sem->cond, &sem->mutex, ms);
    }
    if (sem->count > 0) {
        sem->count--;
        ok = true;
    }
    qemu_mutex_unlock(&sem->mutex);
    return ok ? 0 : -1;
}

void qemu_sem_wait(QemuSemaphore *sem)
{
    qemu_mutex_lock(&sem->mutex);
    while (sem->count == 0) {
        qemu_cond_wait(&sem->cond, &sem->mutex);
    }
    sem->count--;
    qemu_mutex_unlock(&sem->mutex);
}

/*
 * QemuEvent states.  SET and FREE are the two visible states; BUSY means
 * FREE with at least one waiter asleep on the futex, so set() knows it
 * must issue a wake-up.  reset() turns SET into FREE with a single OR and
 * leaves FREE and BUSY alone.
 */
#define EV_SET  0
#define EV_FREE 1
#define EV_BUSY ((unsigned)-1)

static void futex_wait(unsigned *addr, unsigned val)
{
    while (syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0)) {
        if (errno != EINTR) {
            /* EAGAIN: *addr already changed, nothing to wait for. */
            return;
        }
    }
}

static void futex_wake_all(unsigned *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void qemu_event_init(QemuEvent *ev, bool init)
{
    ev->value = init ? EV_SET : EV_FREE;
}

void qemu_event_destroy(QemuEvent *ev)
{
}

void qemu_event_set(QemuEvent *ev)
{
    /*
     * Order the caller's writes before the state change; pairs with the
     * acquire load in qemu_event_wait.
     */
    smp_mb();
    if (qatomic_read(&ev->value) != EV_SET) {
        if (qatomic_xchg(&ev->value, EV_SET) == EV_BUSY) {
            futex_wake_all(&ev->value);
        }
    }
}

void qemu_event_reset(QemuEvent *ev)
{
    /*
     * The RMW is a full barrier: a following check of the condition the
     * event stands for cannot be reordered before the reset.
     */
    qatomic_or(&ev->value, EV_FREE);
}

void qemu_event_wait(QemuEvent *ev)
{
    for (;;) {
        unsigned value = qatomic_load_acquire(&ev->value);
        if (value == EV_SET) {
            return;
        }
        if (value == EV_FREE &&
            qatomic_cmpxchg(&ev->value, EV_FREE, EV_BUSY) == EV_SET) {
            return;
        }
        futex_wait(&ev->value, EV_BUSY);
    }
}

typedef struct QemuThreadArgs {
    void *(*start_routine)(void *);
    void *arg;
    char *name;
} QemuThreadArgs;

static void *qemu_thread_start(void *args)
{
    QemuThreadArgs *qa = args;
    void *(*start_routine)(void *) = qa->start_routine;
    void *arg = qa->arg;

    /* Named from inside so the name is set before any user code runs. */
    if (qa->name) {
        char comm[16];
        g_strlcpy(comm, qa->name, sizeof(comm));
        pthread_setname_np(pthread_self(), comm);
    }
    g_free(qa->name);
    g_free(qa);
    return start_routine(arg);
}

void qemu_thread_create(QemuThread *thread, const char *name,
                        void *(*start_routine)(void *), void *arg, int mode)
{
    pthread_attr_t attr;
    QemuThreadArgs *qa = g_new0(QemuThreadArgs, 1);
    sigset_t set, oldset;

    CHECK(pthread_attr_init(&attr));
    if (mode == QEMU_THREAD_DETACHED) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    }
    qa->start_routine = start_routine;
    qa->arg = arg;
    qa->name = g_strdup(name);

    /*
     * New threads start with every signal blocked: signals are delivered
     * to the main loop's signalfd, never to a random worker.
     */
    sigfillset(&set);
    sigdelset(&set, SIGSEGV);
    sigdelset(&set, SIGFPE);
    sigdelset(&set, SIGILL);
    sigdelset(&set, SIGBUS);
    pthread_sigmask(SIG_SETMASK, &set, &oldset);
    CHECK(pthread_create(&thread->thread, &attr, qemu_thread_start, qa));
    pthread_sigmask(SIG_SETMASK, &oldset, NULL);
    pthread_attr_destroy(&attr);
}

void *qemu_thread_join(QemuThread *thread)
{
    void *ret;
    CHECK(pthread_join(thread->thread, &ret));
    return ret;
}

void qemu_thread_get_self(QemuThread *thread)
{
    thread->thread = pthread_self();
}

bool qemu_thread_is_self(QemuThread *thread)
{
    return pthread_equal(pthread_self(), thread->thread);
}

void qemu_thread_exit(void *retval)
{
    pthread_exit(retval);
}

int qemu_get_thread_id(void)
{
    return gettid();
}
