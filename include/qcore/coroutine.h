/*
 * Coroutines: stackful, cooperatively scheduled functions that can yield
 * and be re-entered, plus the locks that suspend a coroutine instead of
 * blocking its thread (CoMutex, CoQueue, CoRwlock) and qemu_co_sleep_ns.
 * Corresponds to QEMU's include/qemu/coroutine.h, util/qemu-coroutine.c,
 * util/qemu-coroutine-lock.c and util/qemu-coroutine-sleep.c.
 *
 * A coroutine runs in the thread that entered it, until it yields or
 * terminates.  It remembers the AioContext it was entered in; aio_co_wake
 * restarts it there.
 */
#ifndef QCORE_COROUTINE_H
#define QCORE_COROUTINE_H

#include "qcore/osdep.h"
#include "qcore/queue.h"
#include "qcore/thread.h"
#include "qcore/timer.h"

typedef struct Coroutine Coroutine;
typedef struct AioContext AioContext;
typedef void coroutine_fn CoroutineEntry(void *opaque);

/* Create a coroutine (not started).  Stacks come from a per-thread pool. */
Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque);
/* Start or resume @co in the current thread's AioContext. */
void qemu_coroutine_enter(Coroutine *co);
void qemu_aio_coroutine_enter(AioContext *ctx, Coroutine *co);
void qemu_coroutine_enter_if_inactive(Coroutine *co);
/* Return to whoever entered us. */
void coroutine_fn qemu_coroutine_yield(void);
AioContext *qemu_coroutine_get_aio_context(Coroutine *co);
/* The running coroutine; in a thread's main context, its leader. */
Coroutine *qemu_coroutine_self(void);
bool qemu_in_coroutine(void);
/* True while @co has been entered and not yet yielded or finished. */
bool qemu_coroutine_entered(Coroutine *co);

/*
 * CoMutex: a mutex for coroutines, fair (FIFO hand-off) and usable by
 * coroutines running in different AioContexts/threads.
 */
typedef struct CoWaitRecord CoWaitRecord;
typedef struct CoMutex {
    unsigned locked;            /* holder + waiters, atomic */
    AioContext *ctx;            /* holder's context, for the fast path */
    QSLIST_HEAD(, CoWaitRecord) from_push, to_pop;  /* lock-free waiters */
    unsigned handoff, sequence;
    Coroutine *holder;
} CoMutex;

void qemu_co_mutex_init(CoMutex *mutex);
void coroutine_fn qemu_co_mutex_lock(CoMutex *mutex);
void coroutine_fn qemu_co_mutex_unlock(CoMutex *mutex);
void qemu_co_mutex_assert_locked(CoMutex *mutex);

/*
 * CoQueue: a list of coroutines waiting for something, like a condition
 * variable.  Waiting releases @lock (a QemuMutex or CoMutex, or NULL).
 */
typedef struct CoQueue {
    QSIMPLEQ_HEAD(, Coroutine) entries;
} CoQueue;

void qemu_co_queue_init(CoQueue *queue);
void coroutine_fn qemu_co_queue_wait_mutex(CoQueue *queue, CoMutex *lock);
void coroutine_fn qemu_co_queue_wait_qemu_mutex(CoQueue *queue,
                                                QemuMutex *lock);
#define qemu_co_queue_wait(queue, lock)                                 \
    _Generic((lock),                                                    \
             CoMutex *: qemu_co_queue_wait_mutex,                       \
             QemuMutex *: qemu_co_queue_wait_qemu_mutex,                \
             void *: qemu_co_queue_wait_mutex)((queue), (lock))
/* Wake the first waiter; returns false if there was none. */
bool coroutine_fn qemu_co_queue_next(CoQueue *queue);
void coroutine_fn qemu_co_queue_restart_all(CoQueue *queue);
/* Versions callable outside coroutine context (wake via aio_co_wake). */
bool qemu_co_enter_next(CoQueue *queue, QemuMutex *lock);
void qemu_co_enter_all(CoQueue *queue, QemuMutex *lock);
bool qemu_co_queue_empty(CoQueue *queue);

/* CoRwlock: many readers or one writer, writers not starved. */
typedef struct CoRwTicket CoRwTicket;
typedef struct CoRwlock {
    CoMutex mutex;
    int owners;                 /* > 0 readers, -1 writer */
    QSIMPLEQ_HEAD(, CoRwTicket) tickets;
} CoRwlock;

void qemu_co_rwlock_init(CoRwlock *lock);
void coroutine_fn qemu_co_rwlock_rdlock(CoRwlock *lock);
void coroutine_fn qemu_co_rwlock_wrlock(CoRwlock *lock);
/* Turn a held read lock into a write lock (may wait). */
void coroutine_fn qemu_co_rwlock_upgrade(CoRwlock *lock);
/* Turn a held write lock into a read lock. */
void coroutine_fn qemu_co_rwlock_downgrade(CoRwlock *lock);
void coroutine_fn qemu_co_rwlock_unlock(CoRwlock *lock);

/* Yield until @ns have passed on clock @type, in the current AioContext. */
void coroutine_fn qemu_co_sleep_ns(QEMUClockType type, int64_t ns);

/*
 * A sleep that another party may cut short with qemu_co_sleep_wake.
 */
typedef struct QemuCoSleep {
    Coroutine *to_wake;
} QemuCoSleep;
void coroutine_fn qemu_co_sleep_ns_wakeable(QemuCoSleep *w,
                                            QEMUClockType type, int64_t ns);
void qemu_co_sleep_wake(QemuCoSleep *w);

#endif
