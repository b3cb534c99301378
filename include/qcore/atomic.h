/*
 * Atomic operations and memory barriers, as thin wrappers over the C11
 * __atomic builtins. Corresponds to QEMU's include/qemu/atomic.h.
 *
 * qatomic_read/qatomic_set are relaxed; everything that is a read-modify-write
 * is sequentially consistent, so it doubles as a full barrier (QEMU's rule).
 */
#ifndef QCORE_ATOMIC_H
#define QCORE_ATOMIC_H

#define barrier()            __atomic_signal_fence(__ATOMIC_SEQ_CST)

#define smp_mb()             __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_mb_release()     __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb_acquire()     __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* On x86 these two are compiler barriers; elsewhere acquire/release fences. */
#define smp_wmb()            smp_mb_release()
#define smp_rmb()            smp_mb_acquire()
#define smp_mb__before_rmw() barrier()
#define smp_mb__after_rmw()  barrier()

#define qatomic_read(ptr)        __atomic_load_n(ptr, __ATOMIC_RELAXED)
#define qatomic_set(ptr, i)      __atomic_store_n(ptr, i, __ATOMIC_RELAXED)
#define qatomic_load_acquire(ptr)     __atomic_load_n(ptr, __ATOMIC_ACQUIRE)
#define qatomic_store_release(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
/* Dependency-ordered read of a pointer published with qatomic_rcu_set. */
#define qatomic_rcu_read(ptr)    __atomic_load_n(ptr, __ATOMIC_CONSUME)
#define qatomic_rcu_set(ptr, i)  __atomic_store_n(ptr, i, __ATOMIC_RELEASE)

#define qatomic_xchg(ptr, i)     __atomic_exchange_n(ptr, i, __ATOMIC_SEQ_CST)
#define qatomic_cmpxchg(ptr, old, new) ({                                   \
    __typeof__(*(ptr)) _old = (old);                                        \
    __atomic_compare_exchange_n(ptr, &_old, new, false,                     \
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);        \
    _old; })

#define qatomic_fetch_add(ptr, n) __atomic_fetch_add(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_sub(ptr, n) __atomic_fetch_sub(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_and(ptr, n) __atomic_fetch_and(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_or(ptr, n)  __atomic_fetch_or(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_inc(ptr)    qatomic_fetch_add(ptr, 1)
#define qatomic_fetch_dec(ptr)    qatomic_fetch_sub(ptr, 1)
#define qatomic_add_fetch(ptr, n) __atomic_add_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_sub_fetch(ptr, n) __atomic_sub_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_inc(ptr)          ((void)qatomic_fetch_add(ptr, 1))
#define qatomic_dec(ptr)          ((void)qatomic_fetch_sub(ptr, 1))
#define qatomic_add(ptr, n)       ((void)qatomic_fetch_add(ptr, n))
#define qatomic_sub(ptr, n)       ((void)qatomic_fetch_sub(ptr, n))
#define qatomic_and(ptr, n)       ((void)qatomic_fetch_and(ptr, n))
#define qatomic_or(ptr, n)        ((void)qatomic_fetch_or(ptr, n))

#endif
