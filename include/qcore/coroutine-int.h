/*
 * Coroutine internals shared by the generic code and the context-switch
 * backends (assembly, ucontext).  Corresponds to QEMU's
 * include/qemu/coroutine_int.h.
 */
#ifndef QCORE_COROUTINE_INT_H
#define QCORE_COROUTINE_INT_H

#include "qcore/coroutine.h"

typedef enum CoroutineAction {
    COROUTINE_YIELD = 1,
    COROUTINE_TERMINATE = 2,
    COROUTINE_ENTER = 3,
} CoroutineAction;

struct Coroutine {
    CoroutineEntry *entry;
    void *entry_arg;
    Coroutine *caller;          /* who entered us; NULL when not running */

    /* Only used when the coroutine is in a stack pool. */
    QSLIST_ENTRY(Coroutine) pool_next;

    size_t locks_held;

    /*
     * Name of the function that scheduled this coroutine (aio_co_schedule,
     * qemu_co_sleep...), NULL if not scheduled; catches double scheduling.
     */
    const char *scheduled;

    /* Coroutines to enter once this one yields (aio_co_enter from a co). */
    QSIMPLEQ_HEAD(, Coroutine) co_queue_wakeup;
    /* Link in a CoQueue or in a wakeup queue. */
    QSIMPLEQ_ENTRY(Coroutine) co_queue_next;
    /* Link in AioContext.scheduled_coroutines. */
    QSLIST_ENTRY(Coroutine) co_scheduled_next;

    AioContext *ctx;            /* where it last ran; atomic */
};

/* Usable stack of each coroutine, as in QEMU; a guard page lies below. */
#define COROUTINE_STACK_SIZE (1 << 20)

/*
 * Backend interface: allocate, free and switch between coroutines.  Each
 * backend also defines qemu_coroutine_self() and qemu_in_coroutine(),
 * because the thread's leader (its stack before any coroutine) is a
 * backend object.  A backend's entry function calls co->entry in a loop,
 * switching back with COROUTINE_TERMINATE after each run, so that a
 * pooled coroutine is restarted without rebuilding its stack.
 */
Coroutine *qemu_coroutine_new(void);
void qemu_coroutine_delete(Coroutine *co);
CoroutineAction qemu_coroutine_switch(Coroutine *from, Coroutine *to,
                                      CoroutineAction action);

/* Stack allocation shared by the backends (mmap + PROT_NONE guard page). */
void *qemu_coroutine_stack_alloc(size_t size);
void qemu_coroutine_stack_free(void *stack, size_t size);

/*
 * Pool statistics, summed over all threads, for tests and benchmarks:
 * how many coroutines the backend allocated and freed, and how many
 * qemu_coroutine_create calls were served from a pool.
 */
typedef struct CoroutinePoolStats {
    uint64_t allocated;
    uint64_t freed;
    uint64_t reused;
} CoroutinePoolStats;
void qemu_coroutine_pool_stats(CoroutinePoolStats *stats);

/*
 * Thread-local variables that coroutine code reads must not have their
 * address cached by the compiler across a switch: a coroutine may yield
 * in one thread and resume in another.  QEMU_DEFINE_STATIC_CO_TLS(T, x)
 * defines get_x()/set_x() that recompute the address on every call
 * (noinline, and the asm hides the address from the optimizer).
 * Corresponds to QEMU's include/qemu/coroutine-tls.h.
 */
#define QEMU_DEFINE_STATIC_CO_TLS(type, var)                            \
    static __thread type co_tls_##var;                                  \
    static __attribute__((noinline, unused)) type get_##var(void)       \
    {                                                                   \
        type *p = &co_tls_##var;                                        \
        __asm__ volatile("" : "+r"(p));                                 \
        return *p;                                                      \
    }                                                                   \
    static __attribute__((noinline, unused)) void set_##var(type v)     \
    {                                                                   \
        type *p = &co_tls_##var;                                        \
        __asm__ volatile("" : "+r"(p));                                 \
        *p = v;                                                         \
    }                                                                   \
    static __attribute__((noinline, unused)) type *get_ptr_##var(void)  \
    {                                                                   \
        type *p = &co_tls_##var;                                        \
        __asm__ volatile("" : "+r"(p));                                 \
        return p;                                                       \
    }

#endif
