/*
 * Locks for coroutines: CoQueue (a condition variable), CoMutex (fair,
 * usable across AioContexts/threads) and CoRwlock.  A coroutine that
 * must wait yields; whoever releases it wakes it with aio_co_wake, which
 * enters it in its own AioContext.  Corresponds to QEMU's
 * util/qemu-coroutine-lock.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine-int.h"
#include "qcore/processor.h"

/* ---- CoQueue --------------------------------------------------------- */

void qemu_co_queue_init(CoQueue *queue)
{
    QSIMPLEQ_INIT(&queue->entries);
}

void coroutine_fn qemu_co_queue_wait_mutex(CoQueue *queue, CoMutex *lock)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    QSIMPLEQ_INSERT_TAIL(&queue->entries, self, co_queue_next);
    if (lock) {
        qemu_co_mutex_unlock(lock);
    }
    qemu_coroutine_yield();
    /*
     * Woken by qemu_co_queue_next and friends, which removed us from the
     * queue.  Retake the lock like pthread_cond_wait does; the condition
     * must be re-checked by the caller, another coroutine may have got
     * the lock first.
     */
    if (lock) {
        qemu_co_mutex_lock(lock);
    }
}

void coroutine_fn qemu_co_queue_wait_qemu_mutex(CoQueue *queue,
                                                QemuMutex *lock)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    QSIMPLEQ_INSERT_TAIL(&queue->entries, self, co_queue_next);
    if (lock) {
        qemu_mutex_unlock(lock);
    }
    qemu_coroutine_yield();
    if (lock) {
        qemu_mutex_lock(lock);
    }
}

/*
 * Pop the first waiter and wake it.  @lock protects the queue; it is
 * dropped around aio_co_wake because entering the waiter directly (we
 * are in its AioContext and not in a coroutine) runs code that will take
 * @lock itself.
 */
static bool co_queue_wake_first(CoQueue *queue, QemuMutex *lock)
{
    Coroutine *next = QSIMPLEQ_FIRST(&queue->entries);

    if (!next) {
        return false;
    }
    QSIMPLEQ_REMOVE_HEAD(&queue->entries, co_queue_next);
    if (lock) {
        qemu_mutex_unlock(lock);
    }
    aio_co_wake(next);
    if (lock) {
        qemu_mutex_lock(lock);
    }
    return true;
}

bool coroutine_fn qemu_co_queue_next(CoQueue *queue)
{
    /* From a coroutine, aio_co_wake defers the waiter until we yield. */
    return co_queue_wake_first(queue, NULL);
}

void coroutine_fn qemu_co_queue_restart_all(CoQueue *queue)
{
    while (co_queue_wake_first(queue, NULL)) {
        /* nothing */
    }
}

bool qemu_co_enter_next(CoQueue *queue, QemuMutex *lock)
{
    return co_queue_wake_first(queue, lock);
}

void qemu_co_enter_all(CoQueue *queue, QemuMutex *lock)
{
    while (co_queue_wake_first(queue, lock)) {
        /* nothing */
    }
}

bool qemu_co_queue_empty(CoQueue *queue)
{
    return QSIMPLEQ_FIRST(&queue->entries) == NULL;
}

/* ---- CoMutex --------------------------------------------------------- */
/*
 * mutex->locked counts the holder plus every coroutine that has decided
 * to wait, so lock and unlock are a single atomic each when there is no
 * contention.  Waiters publish a CoWaitRecord (on their own stack) on
 * the lock-free from_push stack; whoever is allowed to pop moves it in
 * one xchg into to_pop, reversing it, so that waiters are served in the
 * order they queued (FIFO, hence fair).
 *
 * Only one party pops at a time: the unlocking holder, or the winner of
 * the handoff described at qemu_co_mutex_unlock.  The popper hands the
 * lock directly to the waiter it pops (locked is not decremented for it),
 * so nobody can barge in between unlock and the waiter running.
 *
 * The Dekker-style steps (push then read handoff; publish handoff then
 * look for waiters) use sequentially consistent accesses on both sides:
 * SC operations have a single total order, so at least one of the two
 * parties sees the other's write.  That needs no fence, which also keeps
 * ThreadSanitizer able to follow the argument.
 */

struct CoWaitRecord {
    Coroutine *co;
    QSLIST_ENTRY(CoWaitRecord) next;
};

#define qatomic_read_sc(ptr)    __atomic_load_n(ptr, __ATOMIC_SEQ_CST)

/* How long a locker spins for a holder running in another thread. */
#define CO_MUTEX_SPINS 1000

void qemu_co_mutex_init(CoMutex *mutex)
{
    memset(mutex, 0, sizeof(*mutex));
}

static void push_waiter(CoMutex *mutex, CoWaitRecord *w)
{
    w->co = qemu_coroutine_self();
    /* SC cmpxchg; pairs with the xchg in pop_waiter and has_waiters. */
    QSLIST_INSERT_HEAD_ATOMIC(&mutex->from_push, w, next);
}

static CoWaitRecord *pop_waiter(CoMutex *mutex)
{
    CoWaitRecord *w = qatomic_read(&mutex->to_pop.slh_first);

    if (!w) {
        QSLIST_HEAD(, CoWaitRecord) pushed;
        CoWaitRecord *reversed = NULL;

        /*
         * Pairs with the cmpxchg in push_waiter: the records, and the
         * co->ctx their coroutines set before pushing, are visible.
         */
        QSLIST_MOVE_ATOMIC(&pushed, &mutex->from_push);
        while ((w = QSLIST_FIRST(&pushed))) {
            QSLIST_REMOVE_HEAD(&pushed, next);
            w->next.sle_next = reversed;
            reversed = w;
        }
        w = reversed;
        if (!w) {
            return NULL;
        }
    }
    /* Atomic because has_waiters reads it from other threads. */
    qatomic_set(&mutex->to_pop.slh_first, w->next.sle_next);
    return w;
}

static bool has_waiters(CoMutex *mutex)
{
    return qatomic_read_sc(&mutex->to_pop.slh_first) ||
           qatomic_read_sc(&mutex->from_push.slh_first);
}

static void co_mutex_wake(CoMutex *mutex, Coroutine *co)
{
    /*
     * The lock now belongs to @co, so its context is the holder's; a
     * locker in that same context will not spin in vain.
     */
    qatomic_set(&mutex->ctx, qatomic_read(&co->ctx));
    aio_co_wake(co);
}

static void coroutine_fn co_mutex_lock_slowpath(CoMutex *mutex)
{
    Coroutine *self = qemu_coroutine_self();
    CoWaitRecord w;
    unsigned handoff;

    push_waiter(mutex, &w);

    /*
     * An unlocker that found no record to pop (we had counted ourselves
     * in locked but not pushed yet) leaves a nonzero handoff ticket
     * behind.  SC read after the SC push: pairs with the SC xchg and
     * has_waiters in qemu_co_mutex_unlock, so either it sees our record
     * or we see its ticket.  Whoever wins the cmpxchg on the ticket pops
     * and hands the lock on in its place.
     */
    handoff = qatomic_read_sc(&mutex->handoff);
    if (handoff && has_waiters(mutex) &&
        qatomic_cmpxchg(&mutex->handoff, handoff, 0) == handoff) {
        CoWaitRecord *first = pop_waiter(mutex);

        if (first->co == self) {
            assert(first == &w);
            return;
        }
        co_mutex_wake(mutex, first->co);
    }

    qemu_coroutine_yield();
    /* The unlocker (or the handoff winner) popped us: we hold the lock. */
}

void coroutine_fn qemu_co_mutex_lock(CoMutex *mutex)
{
    AioContext *ctx = qemu_get_current_aio_context();
    Coroutine *self = qemu_coroutine_self();
    unsigned waiters;
    int spins = 0;

    assert(qemu_in_coroutine());
retry:
    /* SC cmpxchg: acquires the lock; pairs with the fetch_dec in unlock. */
    waiters = qatomic_cmpxchg(&mutex->locked, 0, 1);
    if (waiters != 0) {
        /*
         * Held, nobody queued, and the holder runs in another thread:
         * it may release soon, and spinning is cheaper than a
         * cross-thread wake-up.  A holder in our own context cannot run
         * while we spin, so don't.  Queued waiters are never overtaken.
         */
        while (waiters == 1 && ++spins < CO_MUTEX_SPINS) {
            if (qatomic_read(&mutex->ctx) == ctx) {
                break;
            }
            if (qatomic_read(&mutex->locked) == 0) {
                goto retry;
            }
            cpu_relax();
        }
        waiters = qatomic_fetch_inc(&mutex->locked);
        if (waiters != 0) {
            co_mutex_lock_slowpath(mutex);
        }
    }
    qatomic_set(&mutex->ctx, ctx);
    mutex->holder = self;
    self->locks_held++;
}

/*
 * Unlock, handing the lock to the first waiter if there is one.  When
 * locked says someone is waiting but no record is there yet, the waiter
 * is between its fetch_inc and its push: publish a handoff ticket and
 * look again.  If the record is still not there, the waiter will find
 * the ticket and serve itself; if it is, race the waiter for the ticket
 * with cmpxchg and, if we win, pop again.  sequence makes every ticket
 * distinct so that a stale one is never mistaken for a fresh one.
 */
void coroutine_fn qemu_co_mutex_unlock(CoMutex *mutex)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    assert(qatomic_read(&mutex->locked));
    assert(mutex->holder == self);

    qatomic_set(&mutex->ctx, NULL);
    mutex->holder = NULL;
    self->locks_held--;

    /* SC fetch_dec: releases; pairs with the cmpxchg in lock. */
    if (qatomic_fetch_dec(&mutex->locked) == 1) {
        return;
    }

    for (;;) {
        CoWaitRecord *to_wake = pop_waiter(mutex);
        unsigned ticket;

        if (to_wake) {
            co_mutex_wake(mutex, to_wake->co);
            return;
        }

        if (++mutex->sequence == 0) {
            mutex->sequence = 1;
        }
        ticket = mutex->sequence;
        /* SC xchg then SC reads: pairs with co_mutex_lock_slowpath. */
        qatomic_xchg(&mutex->handoff, ticket);
        if (!has_waiters(mutex)) {
            return;
        }
        if (qatomic_cmpxchg(&mutex->handoff, ticket, 0) != ticket) {
            return;
        }
    }
}

void qemu_co_mutex_assert_locked(CoMutex *mutex)
{
    assert(qatomic_read(&mutex->locked) &&
           mutex->holder == qemu_coroutine_self());
}

/* ---- CoRwlock -------------------------------------------------------- */
/*
 * State lives under lock->mutex: owners (> 0 readers, -1 a writer) and a
 * FIFO of tickets for the coroutines waiting.  A newcomer only skips the
 * line when the line is empty, so a waiting writer holds back later
 * readers.  Whoever releases ownership grants it to the head of the line
 * before waking it (owners is updated on its behalf), so nobody can slip
 * in between; a woken reader grants the next reader in line in turn.
 */

struct CoRwTicket {
    bool read;
    Coroutine *co;
    QSIMPLEQ_ENTRY(CoRwTicket) next;
};

void qemu_co_rwlock_init(CoRwlock *lock)
{
    memset(lock, 0, sizeof(*lock));
    qemu_co_mutex_init(&lock->mutex);
    QSIMPLEQ_INIT(&lock->tickets);
}

/* Grant the lock to the head of the line if it fits; drops lock->mutex. */
static void coroutine_fn co_rwlock_grant_and_unlock(CoRwlock *lock)
{
    CoRwTicket *t = QSIMPLEQ_FIRST(&lock->tickets);
    Coroutine *co = NULL;

    if (t && t->read && lock->owners >= 0) {
        lock->owners++;
        co = t->co;
    } else if (t && !t->read && lock->owners == 0) {
        lock->owners = -1;
        co = t->co;
    }
    if (co) {
        QSIMPLEQ_REMOVE_HEAD(&lock->tickets, next);
    }
    qemu_co_mutex_unlock(&lock->mutex);
    if (co) {
        aio_co_wake(co);
    }
}

/* Join the line and sleep until granted; called with lock->mutex held. */
static void coroutine_fn co_rwlock_wait(CoRwlock *lock, bool read,
                                        bool grant_first)
{
    CoRwTicket t = { .read = read, .co = qemu_coroutine_self() };

    QSIMPLEQ_INSERT_TAIL(&lock->tickets, &t, next);
    if (grant_first) {
        co_rwlock_grant_and_unlock(lock);
    } else {
        qemu_co_mutex_unlock(&lock->mutex);
    }
    qemu_coroutine_yield();
}

void coroutine_fn qemu_co_rwlock_rdlock(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners == 0 ||
        (lock->owners > 0 && QSIMPLEQ_EMPTY(&lock->tickets))) {
        lock->owners++;
        qemu_co_mutex_unlock(&lock->mutex);
        return;
    }
    co_rwlock_wait(lock, true, false);
    assert(lock->owners > 0);
    /* Readers queued right behind us may share the lock: pass it on. */
    qemu_co_mutex_lock(&lock->mutex);
    co_rwlock_grant_and_unlock(lock);
}

void coroutine_fn qemu_co_rwlock_wrlock(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners == 0) {
        lock->owners = -1;
        qemu_co_mutex_unlock(&lock->mutex);
        return;
    }
    co_rwlock_wait(lock, false, false);
    assert(lock->owners == -1);
}

void coroutine_fn qemu_co_rwlock_upgrade(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    assert(lock->owners > 0);
    if (lock->owners == 1 && QSIMPLEQ_EMPTY(&lock->tickets)) {
        lock->owners = -1;
        qemu_co_mutex_unlock(&lock->mutex);
        return;
    }
    /*
     * Give up our read share and queue as a writer.  Waiting in line
     * (rather than ahead of it) keeps the lock fair and means two
     * upgrading readers cannot deadlock each other; the price is that
     * another writer may run between our read and write sections.
     */
    lock->owners--;
    co_rwlock_wait(lock, false, true);
    assert(lock->owners == -1);
}

void coroutine_fn qemu_co_rwlock_downgrade(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    assert(lock->owners == -1);
    lock->owners = 1;
    /* Readers waiting at the head of the line may join us now. */
    co_rwlock_grant_and_unlock(lock);
}

void coroutine_fn qemu_co_rwlock_unlock(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners > 0) {
        lock->owners--;
    } else {
        assert(lock->owners == -1);
        lock->owners = 0;
    }
    co_rwlock_grant_and_unlock(lock);
}
