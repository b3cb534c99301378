/*
 * Clocks and timers.  Three clocks (REALTIME: monotonic host time,
 * VIRTUAL: stops while the guest is paused, HOST: wall-clock time);
 * timers live in timer lists, one list per clock per QEMUTimerListGroup
 * (one group per AioContext plus main_loop_tlg).  Corresponds to QEMU's
 * include/qemu/timer.h and util/qemu-timer.c.
 *
 * Threading: timer_mod/timer_del/timer_pending may be called from any
 * thread; a timer list's timers run in the thread that polls its
 * AioContext (or the main loop for main_loop_tlg).  Timers with the same
 * expiry time fire in the order they were armed.
 */
#ifndef QCORE_TIMER_H
#define QCORE_TIMER_H

#include "qcore/osdep.h"
#include "qcore/thread.h"
#include <time.h>

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_HOST = 2,
    QEMU_CLOCK_MAX
} QEMUClockType;

typedef struct QEMUTimerList QEMUTimerList;
typedef struct QEMUTimer QEMUTimer;
typedef void QEMUTimerCB(void *opaque);
/* Called (from any thread) when a list's earliest deadline moved earlier. */
typedef void QEMUTimerListNotifyCB(void *opaque, QEMUClockType type);

typedef struct QEMUTimerListGroup {
    QEMUTimerList *tl[QEMU_CLOCK_MAX];
} QEMUTimerListGroup;

struct QEMUTimer {
    int64_t expire_time;        /* in nanoseconds */
    QEMUTimerList *timer_list;
    QEMUTimerCB *cb;
    void *opaque;
    int scale;
    /* Owned by the timer list, under its lock: */
    uint64_t seq;               /* arming order, breaks deadline ties */
    int heap_index;             /* -1 when not pending */
};

extern QEMUTimerListGroup main_loop_tlg;

/* ---- clocks --------------------------------------------------------- */
int64_t qemu_clock_get_ns(QEMUClockType type);
static inline int64_t qemu_clock_get_us(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_US;
}
static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

/* Monotonic host time in ns (QEMU_CLOCK_REALTIME). */
static inline int64_t get_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wall-clock time in ns (QEMU_CLOCK_HOST). */
static inline int64_t get_clock_realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Enable or disable running the timers of a clock.  Disabling waits until
 * timer callbacks of that clock running in other threads have finished.
 */
void qemu_clock_enable(QEMUClockType type, bool enabled);
bool qemu_clock_is_enabled(QEMUClockType type);
/*
 * Start and stop the virtual clock: while stopped, QEMU_CLOCK_VIRTUAL
 * reads the same value and its timers do not run.  Called by vm_stop and
 * vm_start; idempotent.  Thread-safe.
 */
void cpu_enable_ticks(void);
void cpu_disable_ticks(void);

/*
 * Let @source own QEMU_CLOCK_VIRTUAL: it is then what the clock reads,
 * and a future virtual deadline no longer wakes the main loop (the clock
 * moves only when the owner moves it and runs the expired timers).
 * QEMU's AccelOpsClass::get_virtual_clock, used by qtest.  Call once,
 * before any device reads the clock; @source is called from any thread.
 */
typedef int64_t QEMUVirtualClockSource(void);
void qemu_clock_set_virtual_source(QEMUVirtualClockSource *source);
/* The earliest expiry time (absolute ns) of @type's timers, -1 for none. */
int64_t qemu_clock_next_expiry_ns(QEMUClockType type);

/* Earliest deadline of @type over all timer lists, -1 for none. */
int64_t qemu_clock_deadline_ns_all(QEMUClockType type);
/* Run the expired timers of main_loop_tlg.  Main loop only. */
bool qemu_clock_run_all_timers(void);

/* ---- timer lists ---------------------------------------------------- */
QEMUTimerList *timerlist_new(QEMUClockType type, QEMUTimerListNotifyCB *cb,
                             void *opaque);
void timerlist_free(QEMUTimerList *timer_list);
bool timerlist_has_timers(QEMUTimerList *timer_list);
bool timerlist_expired(QEMUTimerList *timer_list);
/* ns until the earliest timer (0 if expired), -1 if none. */
int64_t timerlist_deadline_ns(QEMUTimerList *timer_list);
QEMUClockType timerlist_get_clock(QEMUTimerList *timer_list);
bool timerlist_run_timers(QEMUTimerList *timer_list);

void timerlistgroup_init(QEMUTimerListGroup *tlg,
                         QEMUTimerListNotifyCB *cb, void *opaque);
void timerlistgroup_deinit(QEMUTimerListGroup *tlg);
bool timerlistgroup_run_timers(QEMUTimerListGroup *tlg);
int64_t timerlistgroup_deadline_ns(QEMUTimerListGroup *tlg);

/* ---- timers --------------------------------------------------------- */
void timer_init_tl(QEMUTimer *ts, QEMUTimerList *timer_list, int scale,
                   QEMUTimerCB *cb, void *opaque);
/* Initialise a timer on @tlg (NULL: main_loop_tlg). */
void timer_init_full(QEMUTimer *ts, QEMUTimerListGroup *tlg,
                     QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque);
static inline void timer_init(QEMUTimer *ts, QEMUClockType type, int scale,
                              QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, NULL, type, scale, cb, opaque);
}
static inline void timer_init_ns(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init(ts, type, SCALE_NS, cb, opaque);
}
static inline void timer_init_ms(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init(ts, type, SCALE_MS, cb, opaque);
}

QEMUTimer *timer_new_full(QEMUTimerListGroup *tlg, QEMUClockType type,
                          int scale, QEMUTimerCB *cb, void *opaque);
static inline QEMUTimer *timer_new(QEMUClockType type, int scale,
                                   QEMUTimerCB *cb, void *opaque)
{
    return timer_new_full(NULL, type, scale, cb, opaque);
}
static inline QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_NS, cb, opaque);
}
static inline QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_US, cb, opaque);
}
static inline QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_MS, cb, opaque);
}

/* Stop the timer if pending; it may then be freed or re-initialised. */
void timer_deinit(QEMUTimer *ts);
/* timer_del + g_free.  NULL is allowed. */
void timer_free(QEMUTimer *ts);
void timer_del(QEMUTimer *ts);
/* Arm (or re-arm) to fire at @expire_time ns / in the timer's scale. */
void timer_mod_ns(QEMUTimer *ts, int64_t expire_time);
void timer_mod(QEMUTimer *ts, int64_t expire_time);
/* Like timer_mod, but only ever moves a pending deadline earlier. */
void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time);
void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time);
bool timer_pending(QEMUTimer *ts);
bool timer_expired(QEMUTimer *timer_head, int64_t current_time);
/* Expiry in ns, -1 if not pending. */
int64_t timer_expire_time_ns(QEMUTimer *ts);

/* ---- helpers for poll timeouts --------------------------------------- */
/* The smaller of two timeouts where -1 means infinite. */
static inline int64_t qemu_soonest_timeout(int64_t timeout1, int64_t timeout2)
{
    /* Cast to unsigned so that -1 compares as the largest value. */
    return ((uint64_t)timeout1 < (uint64_t)timeout2) ? timeout1 : timeout2;
}
/* Round a ns timeout up to ms for poll(2); -1 stays -1. */
int qemu_timeout_ns_to_ms(int64_t ns);

#endif
