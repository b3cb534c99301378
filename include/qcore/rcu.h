/*
 * Read-copy-update: readers that cost a compiler barrier, writers that wait
 * for a grace period (synchronize_rcu) or defer a free to the call_rcu
 * thread.  Corresponds to QEMU's include/qemu/rcu.h; see docs/rcu.md.
 */
#ifndef QCORE_RCU_H
#define QCORE_RCU_H

#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/queue.h"

/*
 * Per-thread reader state.  Only the RCU implementation touches it; it is
 * in the header because rcu_read_lock/unlock are inline.  Tests may read
 * @waiting to learn that a writer is blocked on this thread.
 */
struct rcu_reader_data {
    /* 0 outside a critical section, else rcu_gp_ctr when it began. */
    uint64_t ctr;
    /* A writer is waiting for this thread; set by the writer. */
    bool waiting;
    /* Nesting depth; only the owning thread reads or writes it. */
    unsigned depth;
    /* In the registry, under rcu_registry_lock. */
    QLIST_ENTRY(rcu_reader_data) node;
};

extern __thread struct rcu_reader_data rcu_reader;
/* Grace-period counter; starts at 1 and only grows, so 0 means "idle". */
extern uint64_t rcu_gp_ctr;
/* Set once by rcu_init before any other thread can exist. */
extern bool rcu_use_membarrier;

/* Slow path of rcu_read_unlock: a writer is blocked on us. */
void rcu_wake_writer(void);

/*
 * Order the reader's store to ctr against its later loads.  With
 * membarrier, synchronize_rcu makes every running thread execute a full
 * barrier on the reader's behalf, so a compiler barrier suffices here.
 * TSan cannot see barriers that the kernel injects, so TSan builds pay for
 * the real fence.
 */
static inline void rcu_read_side_mb(void)
{
#ifdef CONFIG_SANITIZE_THREAD
    smp_mb();
#else
    if (likely(rcu_use_membarrier)) {
        barrier();
    } else {
        smp_mb();
    }
#endif
}

/*
 * Enter a read-side critical section.  Nests.  Between lock and unlock the
 * thread may dereference pointers read with qatomic_rcu_read; it must not
 * block for long, call synchronize_rcu or drain_call_rcu, or yield a
 * coroutine.  Called from: any thread registered with rcu_register_thread.
 */
static inline void rcu_read_lock(void)
{
    if (rcu_reader.depth++ > 0) {
        return;
    }
    qatomic_set(&rcu_reader.ctr, qatomic_read(&rcu_gp_ctr));
    /*
     * Our ctr must be visible before we load any RCU-protected pointer.
     * Pairs with smp_mb_global in synchronize_rcu.
     */
    rcu_read_side_mb();
}

/*
 * Leave a read-side critical section.  No atomic RMW and no syscall unless
 * a writer is currently waiting for this very thread.
 * Called from: the thread that called rcu_read_lock.
 */
static inline void rcu_read_unlock(void)
{
    assert(rcu_reader.depth > 0);
    if (--rcu_reader.depth > 0) {
        return;
    }
    /*
     * Release: every load of the critical section happens before a writer
     * that sees ctr == 0 reclaims memory.  Pairs with the load-acquire of
     * ctr in wait_for_readers.
     */
    qatomic_store_release(&rcu_reader.ctr, 0);
    /*
     * Store ctr before loading waiting (Dekker-style): either the writer
     * sees our 0 or we see its flag.  Pairs with smp_mb_global in
     * wait_for_readers.
     */
    rcu_read_side_mb();
    if (unlikely(qatomic_read(&rcu_reader.waiting))) {
        rcu_wake_writer();
    }
}

/*
 * Make the calling thread known to writers, so that they wait for its
 * critical sections.  The main thread is registered by a constructor.
 * Called from: any thread, once, outside a critical section.  A thread
 * must unregister before it exits.
 */
void rcu_register_thread(void);
/* Called from: a registered thread, outside a critical section. */
void rcu_unregister_thread(void);

/*
 * Wait until every critical section that began before the call has ended.
 * Called from: any thread, outside a critical section.  May sleep.
 */
void synchronize_rcu(void);

struct rcu_head;
typedef void RCUCBFunc(struct rcu_head *head);

struct rcu_head {
    QSLIST_ENTRY(rcu_head) next;
    RCUCBFunc *func;
};

/*
 * Run @func(@head) on the "call_rcu" thread after a grace period.
 * Callbacks run in the order they were queued, one at a time, in a
 * registered thread (they may use rcu_read_lock).  Never blocks.
 * Called from: any thread, also inside a critical section or a callback.
 */
void call_rcu1(struct rcu_head *head, RCUCBFunc *func);

/*
 * call_rcu(obj, func, field): @func takes a pointer to the type of @obj,
 * and @field, the struct rcu_head member, must come first so that the
 * pointer handed to @func is @obj itself.  Both are checked at compile
 * time.
 */
#define call_rcu(obj, func, field) ({                                      \
    QEMU_BUILD_BUG_ON(offsetof(__typeof__(*(obj)), field) != 0);          \
    QEMU_BUILD_BUG_ON(!__builtin_types_compatible_p(                      \
        __typeof__(*(func)), void (__typeof__(obj))));                    \
    call_rcu1(&(obj)->field, (RCUCBFunc *)(func));                        \
})

/* Callback that g_free()s the object its rcu_head heads. */
void rcu_g_free(struct rcu_head *head);

/* g_free(@obj) after a grace period; @field must be the first member. */
#define g_free_rcu(obj, field) ({                                          \
    QEMU_BUILD_BUG_ON(offsetof(__typeof__(*(obj)), field) != 0);          \
    call_rcu1(&(obj)->field, rcu_g_free);                                 \
})

/*
 * Wait until every callback queued (by any thread) before this call has
 * run.  Called from: any thread but the call_rcu thread, outside a
 * critical section.  May sleep.
 */
void drain_call_rcu(void);

/* Scope guards: the critical section ends with the enclosing scope. */
static inline void rcu_read_auto_unlock(int *unused)
{
    rcu_read_unlock();
}

#define RCU_READ_LOCK_GUARD()                                              \
    int G_PASTE(_rcu_read_guard_, __LINE__)                               \
        __attribute__((cleanup(rcu_read_auto_unlock), unused)) =          \
        (rcu_read_lock(), 0)

#define WITH_RCU_READ_LOCK_GUARD()                                         \
    for (int G_PASTE(_rcu_guard_once_, __LINE__)                          \
             __attribute__((cleanup(rcu_read_auto_unlock))) =             \
             (rcu_read_lock(), 1);                                        \
         G_PASTE(_rcu_guard_once_, __LINE__);                             \
         G_PASTE(_rcu_guard_once_, __LINE__) = 0)

/*
 * Not implemented: QEMU's rcu_enable_atfork/rcu_disable_atfork.  A child
 * of fork() must not use RCU (the registry and the call_rcu thread do not
 * survive the fork).
 */

#endif
