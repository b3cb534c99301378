/*
 * Threads and the synchronisation primitives built on them: QemuThread,
 * QemuMutex, QemuRecMutex, QemuCond, QemuSemaphore and the futex-based
 * QemuEvent.  Corresponds to QEMU's include/qemu/thread.h and
 * util/qemu-thread-posix.c.  Every function may be called from any thread.
 */
#ifndef QCORE_THREAD_H
#define QCORE_THREAD_H

#include "qcore/osdep.h"
#include <pthread.h>

typedef struct QemuMutex {
    pthread_mutex_t lock;
} QemuMutex;

typedef struct QemuRecMutex {
    pthread_mutex_t lock;
} QemuRecMutex;

typedef struct QemuCond {
    pthread_cond_t cond;
} QemuCond;

typedef struct QemuSemaphore {
    QemuMutex mutex;
    QemuCond cond;
    unsigned int count;
} QemuSemaphore;

/*
 * A one-shot, resettable "something happened" flag.  set() and the fast
 * path of wait() cost one atomic each; only a waiter that must sleep, and
 * the set() that wakes it, enter the kernel (futex).
 */
typedef struct QemuEvent {
    unsigned value;
} QemuEvent;

typedef struct QemuThread {
    pthread_t thread;
} QemuThread;

#define QEMU_THREAD_JOINABLE 0
#define QEMU_THREAD_DETACHED 1

void qemu_mutex_init(QemuMutex *mutex);
void qemu_mutex_destroy(QemuMutex *mutex);
void qemu_mutex_lock(QemuMutex *mutex);
/* Returns 0 when the lock was taken, non-zero when it is busy. */
int qemu_mutex_trylock(QemuMutex *mutex);
void qemu_mutex_unlock(QemuMutex *mutex);

void qemu_rec_mutex_init(QemuRecMutex *mutex);
void qemu_rec_mutex_destroy(QemuRecMutex *mutex);
void qemu_rec_mutex_lock(QemuRecMutex *mutex);
int qemu_rec_mutex_trylock(QemuRecMutex *mutex);
void qemu_rec_mutex_unlock(QemuRecMutex *mutex);

void qemu_cond_init(QemuCond *cond);
void qemu_cond_destroy(QemuCond *cond);
void qemu_cond_signal(QemuCond *cond);
void qemu_cond_broadcast(QemuCond *cond);
void qemu_cond_wait(QemuCond *cond, QemuMutex *mutex);
/* Returns false on timeout. */
bool qemu_cond_timedwait(QemuCond *cond, QemuMutex *mutex, int ms);

void qemu_sem_init(QemuSemaphore *sem, int init);
void qemu_sem_destroy(QemuSemaphore *sem);
void qemu_sem_post(QemuSemaphore *sem);
void qemu_sem_wait(QemuSemaphore *sem);
/* Returns 0 when the semaphore was taken, -1 on timeout. */
int qemu_sem_timedwait(QemuSemaphore *sem, int ms);

void qemu_event_init(QemuEvent *ev, bool init);
void qemu_event_destroy(QemuEvent *ev);
void qemu_event_set(QemuEvent *ev);
void qemu_event_reset(QemuEvent *ev);
void qemu_event_wait(QemuEvent *ev);

/*
 * Start a thread.  @name is shown by ps, top, /proc/PID/task/TID/comm and
 * gdb's "info threads" (truncated to 15 bytes by the kernel).
 */
void qemu_thread_create(QemuThread *thread, const char *name,
                        void *(*start_routine)(void *), void *arg, int mode);
void *qemu_thread_join(QemuThread *thread);
void qemu_thread_get_self(QemuThread *thread);
bool qemu_thread_is_self(QemuThread *thread);
G_NORETURN void qemu_thread_exit(void *retval);
/* The kernel's id for the calling thread (what query-iothreads reports). */
int qemu_get_thread_id(void);

/*
 * QEMU_LOCK_GUARD, WITH_QEMU_LOCK_GUARD and QemuLockable (QEMU's
 * qemu/lockable.h) come with this header, as they always have here.
 * Included last: lockable.h needs the types above.
 */
#include "qcore/lockable.h"

#endif
