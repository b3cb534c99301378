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

/* Backend interface: allocate, free and switch between coroutines. */
Coroutine *qemu_coroutine_new(void);
void qemu_coroutine_delete(Coroutine *co);
CoroutineAction qemu_coroutine_switch(Coroutine *from, Coroutine *to,
                                      CoroutineAction action);

#endif
