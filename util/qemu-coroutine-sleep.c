/*
 * qemu_co_sleep_ns: a coroutine yields until a timer on its AioContext
 * fires, or until qemu_co_sleep_wake cuts the sleep short.
 * Corresponds to QEMU's util/qemu-coroutine-sleep.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine-int.h"

/*
 * A sleeping coroutine is marked scheduled by this name, so that
 * entering it by any other path (aio_co_schedule, qemu_coroutine_enter)
 * aborts instead of silently ending the sleep early and leaving the
 * timer to wake it a second time.
 */
static const char qemu_co_sleep_ns__scheduled[] = "qemu_co_sleep_ns";

/*
 * May be called from any thread, but @w lives on the sleeper's stack:
 * the caller must know the sleep has not ended yet (the timer callback
 * and a wake from the sleeper's own context always do).
 */
void qemu_co_sleep_wake(QemuCoSleep *w)
{
    /* Whoever takes to_wake wakes the coroutine: timer or caller, once. */
    Coroutine *co = qatomic_xchg(&w->to_wake, NULL);
    const char *scheduled;

    if (!co) {
        return;
    }
    /*
     * SC cmpxchg, so also a release: pairs with the acquire load of
     * co->scheduled in qemu_aio_coroutine_enter.
     */
    scheduled = qatomic_cmpxchg(&co->scheduled, qemu_co_sleep_ns__scheduled,
                                NULL);
    assert(scheduled == qemu_co_sleep_ns__scheduled);
    aio_co_wake(co);
}

static void co_sleep_cb(void *opaque)
{
    qemu_co_sleep_wake(opaque);
}

void coroutine_fn qemu_co_sleep_ns_wakeable(QemuCoSleep *w,
                                            QEMUClockType type, int64_t ns)
{
    AioContext *ctx = qemu_get_current_aio_context();
    Coroutine *co = qemu_coroutine_self();
    const char *scheduled;
    QEMUTimer ts;

    assert(qemu_in_coroutine());
    assert(ctx);

    scheduled = qatomic_cmpxchg(&co->scheduled, NULL,
                                qemu_co_sleep_ns__scheduled);
    if (scheduled) {
        fprintf(stderr, "qcore: qemu_co_sleep_ns: coroutine %p is already "
                "scheduled by '%s'\n", (void *)co, scheduled);
        abort();
    }

    /* Published before the timer can fire: timer_mod takes a lock. */
    qatomic_set(&w->to_wake, co);
    aio_timer_init(ctx, &ts, type, SCALE_NS, co_sleep_cb, w);
    /*
     * The timer runs in this context's thread, which is busy with us
     * until we yield, so it cannot fire between timer_mod and the yield.
     */
    timer_mod(&ts, qemu_clock_get_ns(type) + ns);
    qemu_coroutine_yield();

    /* Whoever woke us cleared to_wake; a timer still armed must go. */
    assert(qatomic_read(&w->to_wake) == NULL);
    timer_del(&ts);
}

void coroutine_fn qemu_co_sleep_ns(QEMUClockType type, int64_t ns)
{
    QemuCoSleep w = { 0 };

    qemu_co_sleep_ns_wakeable(&w, type, ns);
}
