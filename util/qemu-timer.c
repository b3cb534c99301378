/*
 * Clocks, timer lists and timers.  Each timer list keeps its pending
 * timers in a binary min-heap ordered by (deadline, arming order), so
 * arming, cancelling and expiring cost O(log n) however many timers are
 * pending.  Corresponds to QEMU's util/qemu-timer.c (which uses a sorted
 * linked list) and the virtual clock part of system/cpu-timers.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/queue.h"
#include "qcore/timer.h"
#include "qcore/main-loop.h"

typedef struct QEMUClock {
    /* Timer lists of this clock; qemu_clocks_lock. */
    QLIST_HEAD(, QEMUTimerList) timerlists;
    QEMUClockType type;
    bool enabled;               /* atomic */
} QEMUClock;

/*
 * A heap slot carries a copy of its timer's sort key, so sifting compares
 * entries of one contiguous array instead of chasing a pointer per level
 * (two cache misses per level with a million scattered timers).
 */
typedef struct TimerHeapEntry {
    int64_t expire_time;
    uint64_t seq;
    QEMUTimer *ts;
} TimerHeapEntry;

struct QEMUTimerList {
    QEMUClock *clock;
    QLIST_ENTRY(QEMUTimerList) list;    /* clock->timerlists */
    QEMUTimerListNotifyCB *notify_cb;
    void *notify_opaque;

    /* Pending timers, a min-heap; everything below is under this lock. */
    QemuMutex active_timers_lock;
    TimerHeapEntry *heap;
    size_t heap_len, heap_size;
    uint64_t next_seq;
    /*
     * While this list's callbacks run: the time they run for, else
     * INT64_MIN.  A timer armed meanwhile for that time or earlier is
     * keyed just after it, so it fires in the next run, not this one.
     */
    int64_t running_until;
    /*
     * Copy of the earliest deadline (INT64_MAX when empty), readable
     * without the lock: the poll loop asks for it on every iteration.
     */
    int64_t earliest;

    /* Reset while this list's callbacks run; qemu_clock_enable waits. */
    QemuEvent timers_done_ev;
};

static QEMUClock qemu_clocks[QEMU_CLOCK_MAX];
static QemuMutex qemu_clocks_lock;
QEMUTimerListGroup main_loop_tlg;

/*
 * The virtual clock: host time minus the time spent stopped.  Written
 * under vclock_lock; read locklessly with a sequence count (odd while a
 * writer is updating).
 */
static struct {
    QemuMutex lock;
    unsigned seq;
    bool ticks_enabled;
    int64_t offset;         /* running: virtual = get_clock() + offset */
    int64_t frozen;         /* stopped: virtual = frozen */
} vclock;

/*
 * Set by an accelerator that owns virtual time (qtest); NULL for the
 * default above.  Written once, before the board exists.
 */
static QEMUVirtualClockSource *virtual_source;

static inline QEMUClock *qemu_clock_ptr(QEMUClockType type)
{
    return &qemu_clocks[type];
}

/* ---- clocks ----------------------------------------------------------- */

static int64_t cpu_get_clock(void)
{
    unsigned seq;
    int64_t val;

    if (virtual_source) {
        return virtual_source();
    }
    do {
        seq = qatomic_load_acquire(&vclock.seq);
        if (qatomic_read(&vclock.ticks_enabled)) {
            val = get_clock() + qatomic_read(&vclock.offset);
        } else {
            val = qatomic_read(&vclock.frozen);
        }
        /* Order the reads above before re-reading seq; pairs with the
         * release store that ends a writer's update. */
        smp_rmb();
    } while ((seq & 1) || seq != qatomic_read(&vclock.seq));
    return val;
}

static void vclock_write_begin(void)
{
    qemu_mutex_lock(&vclock.lock);
    qatomic_set(&vclock.seq, vclock.seq + 1);
    /* The odd count is visible before the data changes; pairs with the
     * smp_rmb in cpu_get_clock. */
    smp_wmb();
}

static void vclock_write_end(void)
{
    qatomic_store_release(&vclock.seq, vclock.seq + 1);
    qemu_mutex_unlock(&vclock.lock);
}

void cpu_enable_ticks(void)
{
    bool changed = false;

    vclock_write_begin();
    if (!vclock.ticks_enabled) {
        qatomic_set(&vclock.offset, vclock.frozen - get_clock());
        qatomic_set(&vclock.ticks_enabled, true);
        changed = true;
    }
    vclock_write_end();

    if (changed) {
        /* Virtual deadlines that were "never" are now real: re-evaluate. */
        QEMUTimerList *tl;
        qemu_mutex_lock(&qemu_clocks_lock);
        QLIST_FOREACH(tl, &qemu_clock_ptr(QEMU_CLOCK_VIRTUAL)->timerlists,
                      list) {
            tl->notify_cb(tl->notify_opaque, QEMU_CLOCK_VIRTUAL);
        }
        qemu_mutex_unlock(&qemu_clocks_lock);
    }
}

void cpu_disable_ticks(void)
{
    vclock_write_begin();
    if (vclock.ticks_enabled) {
        qatomic_set(&vclock.frozen, get_clock() + vclock.offset);
        qatomic_set(&vclock.ticks_enabled, false);
    }
    vclock_write_end();
}

void qemu_clock_set_virtual_source(QEMUVirtualClockSource *source)
{
    virtual_source = source;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return get_clock();
    case QEMU_CLOCK_VIRTUAL:
        return cpu_get_clock();
    case QEMU_CLOCK_HOST:
        return get_clock_realtime();
    default:
        abort();
    }
}

static void qemu_timer_notify_cb(void *opaque, QEMUClockType type)
{
    qemu_notify_event();
}

static void __attribute__((constructor)) init_clocks(void)
{
    QEMUClockType type;

    qemu_mutex_init(&qemu_clocks_lock);
    qemu_mutex_init(&vclock.lock);
    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        QEMUClock *clock = qemu_clock_ptr(type);
        clock->type = type;
        clock->enabled = true;
        QLIST_INIT(&clock->timerlists);
    }
    timerlistgroup_init(&main_loop_tlg, qemu_timer_notify_cb, NULL);
}

bool qemu_clock_is_enabled(QEMUClockType type)
{
    return qatomic_read(&qemu_clock_ptr(type)->enabled);
}

void qemu_clock_enable(QEMUClockType type, bool enabled)
{
    QEMUClock *clock = qemu_clock_ptr(type);
    QEMUTimerList *tl;
    bool old = qatomic_xchg(&clock->enabled, enabled);

    qemu_mutex_lock(&qemu_clocks_lock);
    QLIST_FOREACH(tl, &clock->timerlists, list) {
        if (enabled && !old) {
            tl->notify_cb(tl->notify_opaque, type);
        } else if (!enabled && old) {
            /* Callbacks already running elsewhere finish first. */
            qemu_event_wait(&tl->timers_done_ev);
        }
    }
    qemu_mutex_unlock(&qemu_clocks_lock);
}

int64_t qemu_clock_deadline_ns_all(QEMUClockType type)
{
    QEMUClock *clock = qemu_clock_ptr(type);
    QEMUTimerList *tl;
    int64_t deadline = -1;

    qemu_mutex_lock(&qemu_clocks_lock);
    QLIST_FOREACH(tl, &clock->timerlists, list) {
        deadline = qemu_soonest_timeout(deadline, timerlist_deadline_ns(tl));
    }
    qemu_mutex_unlock(&qemu_clocks_lock);
    return deadline;
}

int64_t qemu_clock_next_expiry_ns(QEMUClockType type)
{
    QEMUClock *clock = qemu_clock_ptr(type);
    QEMUTimerList *tl;
    int64_t expiry = INT64_MAX;

    qemu_mutex_lock(&qemu_clocks_lock);
    QLIST_FOREACH(tl, &clock->timerlists, list) {
        expiry = MIN(expiry, qatomic_read(&tl->earliest));
    }
    qemu_mutex_unlock(&qemu_clocks_lock);
    return expiry == INT64_MAX ? -1 : expiry;
}

bool qemu_clock_run_all_timers(void)
{
    return timerlistgroup_run_timers(&main_loop_tlg);
}

int qemu_timeout_ns_to_ms(int64_t ns)
{
    if (ns < 0) {
        return -1;
    }
    /* Round up: waking early would just spin until the deadline. */
    return MIN((ns + SCALE_MS - 1) / SCALE_MS, (int64_t)INT_MAX);
}

/* ---- the heap (active_timers_lock held) -------------------------------- */

static inline bool entry_before(const TimerHeapEntry *a,
                                const TimerHeapEntry *b)
{
    return a->expire_time < b->expire_time ||
           (a->expire_time == b->expire_time && a->seq < b->seq);
}

static inline void heap_set(QEMUTimerList *tl, size_t i, TimerHeapEntry e)
{
    tl->heap[i] = e;
    qatomic_set(&e.ts->heap_index, (int)i);
}

static void heap_sift_up(QEMUTimerList *tl, size_t i)
{
    TimerHeapEntry e = tl->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!entry_before(&e, &tl->heap[parent])) {
            break;
        }
        heap_set(tl, i, tl->heap[parent]);
        i = parent;
    }
    heap_set(tl, i, e);
}

static void heap_sift_down(QEMUTimerList *tl, size_t i)
{
    TimerHeapEntry e = tl->heap[i];

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= tl->heap_len) {
            break;
        }
        if (child + 1 < tl->heap_len &&
            entry_before(&tl->heap[child + 1], &tl->heap[child])) {
            child++;
        }
        if (!entry_before(&tl->heap[child], &e)) {
            break;
        }
        heap_set(tl, i, tl->heap[child]);
        i = child;
    }
    heap_set(tl, i, e);
}

static void heap_insert(QEMUTimerList *tl, QEMUTimer *ts, int64_t key)
{
    if (tl->heap_len == tl->heap_size) {
        tl->heap_size = MAX(16, tl->heap_size * 2);
        tl->heap = g_renew(TimerHeapEntry, tl->heap, tl->heap_size);
    }
    tl->heap[tl->heap_len] = (TimerHeapEntry) {
        .expire_time = key, .seq = ts->seq, .ts = ts,
    };
    heap_sift_up(tl, tl->heap_len++);
}

static void heap_remove(QEMUTimerList *tl, QEMUTimer *ts)
{
    size_t i = ts->heap_index;
    TimerHeapEntry last = tl->heap[--tl->heap_len];

    qatomic_set(&ts->heap_index, -1);
    if (last.ts != ts) {
        tl->heap[i] = last;
        if (i > 0 && entry_before(&last, &tl->heap[(i - 1) / 2])) {
            heap_sift_up(tl, i);
        } else {
            heap_sift_down(tl, i);
        }
    }
}

static void update_earliest(QEMUTimerList *tl)
{
    qatomic_set(&tl->earliest,
                tl->heap_len ? tl->heap[0].expire_time : INT64_MAX);
}

/* ---- timer lists ------------------------------------------------------ */

QEMUTimerList *timerlist_new(QEMUClockType type, QEMUTimerListNotifyCB *cb,
                             void *opaque)
{
    QEMUTimerList *tl = g_new0(QEMUTimerList, 1);
    QEMUClock *clock = qemu_clock_ptr(type);

    tl->clock = clock;
    tl->notify_cb = cb;
    tl->notify_opaque = opaque;
    tl->earliest = INT64_MAX;
    tl->running_until = INT64_MIN;
    qemu_mutex_init(&tl->active_timers_lock);
    qemu_event_init(&tl->timers_done_ev, true);

    qemu_mutex_lock(&qemu_clocks_lock);
    QLIST_INSERT_HEAD(&clock->timerlists, tl, list);
    qemu_mutex_unlock(&qemu_clocks_lock);
    return tl;
}

void timerlist_free(QEMUTimerList *tl)
{
    assert(!timerlist_has_timers(tl));
    qemu_mutex_lock(&qemu_clocks_lock);
    QLIST_REMOVE(tl, list);
    qemu_mutex_unlock(&qemu_clocks_lock);
    qemu_mutex_destroy(&tl->active_timers_lock);
    qemu_event_destroy(&tl->timers_done_ev);
    g_free(tl->heap);
    g_free(tl);
}

bool timerlist_has_timers(QEMUTimerList *tl)
{
    return qatomic_read(&tl->earliest) != INT64_MAX;
}

QEMUClockType timerlist_get_clock(QEMUTimerList *tl)
{
    return tl->clock->type;
}

bool timerlist_expired(QEMUTimerList *tl)
{
    int64_t earliest = qatomic_read(&tl->earliest);

    return earliest != INT64_MAX &&
           earliest <= qemu_clock_get_ns(tl->clock->type);
}

int64_t timerlist_deadline_ns(QEMUTimerList *tl)
{
    int64_t earliest = qatomic_read(&tl->earliest);
    int64_t delta;

    if (earliest == INT64_MAX || !qemu_clock_is_enabled(tl->clock->type)) {
        return -1;
    }
    delta = earliest - qemu_clock_get_ns(tl->clock->type);
    if (delta <= 0) {
        return 0;
    }
    /*
     * A stopped virtual clock will not reach a future deadline, nor will
     * one that only moves when told to (qtest's clock_step).
     */
    if (tl->clock->type == QEMU_CLOCK_VIRTUAL &&
        (!qatomic_read(&vclock.ticks_enabled) || virtual_source)) {
        return -1;
    }
    return delta;
}

bool timerlist_run_timers(QEMUTimerList *tl)
{
    bool progress = false;
    int64_t current_time;
    QEMUTimer *ts;

    if (!timerlist_has_timers(tl) || !qemu_clock_is_enabled(tl->clock->type)) {
        return false;
    }
    current_time = qemu_clock_get_ns(tl->clock->type);
    if (qatomic_read(&tl->earliest) > current_time) {
        return false;
    }

    qemu_event_reset(&tl->timers_done_ev);
    qemu_mutex_lock(&tl->active_timers_lock);
    tl->running_until = current_time;
    while (tl->heap_len && tl->heap[0].expire_time <= current_time) {
        QEMUTimerCB *cb;
        void *opaque;

        ts = tl->heap[0].ts;
        heap_remove(tl, ts);
        update_earliest(tl);
        cb = ts->cb;
        opaque = ts->opaque;

        /* The callback may re-arm, delete or free its own timer. */
        qemu_mutex_unlock(&tl->active_timers_lock);
        cb(opaque);
        progress = true;
        qemu_mutex_lock(&tl->active_timers_lock);
    }
    tl->running_until = INT64_MIN;
    qemu_mutex_unlock(&tl->active_timers_lock);
    qemu_event_set(&tl->timers_done_ev);
    return progress;
}

void timerlistgroup_init(QEMUTimerListGroup *tlg,
                         QEMUTimerListNotifyCB *cb, void *opaque)
{
    QEMUClockType type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        tlg->tl[type] = timerlist_new(type, cb, opaque);
    }
}

void timerlistgroup_deinit(QEMUTimerListGroup *tlg)
{
    QEMUClockType type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        timerlist_free(tlg->tl[type]);
    }
}

bool timerlistgroup_run_timers(QEMUTimerListGroup *tlg)
{
    QEMUClockType type;
    bool progress = false;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        progress |= timerlist_run_timers(tlg->tl[type]);
    }
    return progress;
}

int64_t timerlistgroup_deadline_ns(QEMUTimerListGroup *tlg)
{
    int64_t deadline = -1;
    QEMUClockType type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        deadline = qemu_soonest_timeout(deadline,
                                        timerlist_deadline_ns(tlg->tl[type]));
    }
    return deadline;
}

/* ---- timers ----------------------------------------------------------- */

void timer_init_tl(QEMUTimer *ts, QEMUTimerList *timer_list, int scale,
                   QEMUTimerCB *cb, void *opaque)
{
    *ts = (QEMUTimer) {
        .timer_list = timer_list,
        .cb = cb,
        .opaque = opaque,
        .scale = scale,
        .expire_time = -1,
        .heap_index = -1,
    };
}

void timer_init_full(QEMUTimer *ts, QEMUTimerListGroup *tlg,
                     QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque)
{
    timer_init_tl(ts, (tlg ? tlg : &main_loop_tlg)->tl[type], scale,
                  cb, opaque);
}

QEMUTimer *timer_new_full(QEMUTimerListGroup *tlg, QEMUClockType type,
                          int scale, QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *ts = g_new(QEMUTimer, 1);

    timer_init_full(ts, tlg, type, scale, cb, opaque);
    return ts;
}

void timer_deinit(QEMUTimer *ts)
{
    timer_del(ts);
    ts->timer_list = NULL;
}

void timer_free(QEMUTimer *ts)
{
    if (ts) {
        timer_del(ts);
        g_free(ts);
    }
}

void timer_del(QEMUTimer *ts)
{
    QEMUTimerList *tl = ts->timer_list;

    if (!tl) {
        return;
    }
    qemu_mutex_lock(&tl->active_timers_lock);
    if (ts->heap_index >= 0) {
        heap_remove(tl, ts);
        update_earliest(tl);
    }
    ts->expire_time = -1;
    qemu_mutex_unlock(&tl->active_timers_lock);
}

/* Returns true if @ts became the earliest timer.  active_timers_lock. */
static bool timer_mod_ns_locked(QEMUTimerList *tl, QEMUTimer *ts,
                                int64_t expire_time)
{
    if (ts->heap_index >= 0) {
        heap_remove(tl, ts);
    }
    ts->expire_time = MAX(expire_time, 0);
    ts->seq = tl->next_seq++;
    /*
     * A deadline in the past fires once per run: a callback that re-arms
     * its timer for the past (the ACLINT did, after a reset) would else
     * run again in the same run, for ever.  Keyed after the run's time it
     * still fires at once, in the next run, after the timers that were
     * already due: the loop polls its fds in between.
     */
    heap_insert(tl, ts, MAX(ts->expire_time, tl->running_until + 1));
    update_earliest(tl);
    return tl->heap[0].ts == ts;
}

static void timerlist_rearm(QEMUTimerList *tl)
{
    /* The poller may be asleep with a later deadline: wake it. */
    tl->notify_cb(tl->notify_opaque, tl->clock->type);
}

void timer_mod_ns(QEMUTimer *ts, int64_t expire_time)
{
    QEMUTimerList *tl = ts->timer_list;
    bool rearm;

    qemu_mutex_lock(&tl->active_timers_lock);
    rearm = timer_mod_ns_locked(tl, ts, expire_time);
    qemu_mutex_unlock(&tl->active_timers_lock);
    if (rearm) {
        timerlist_rearm(tl);
    }
}

void timer_mod(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_ns(ts, expire_time * ts->scale);
}

void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time)
{
    QEMUTimerList *tl = ts->timer_list;
    bool rearm = false;

    qemu_mutex_lock(&tl->active_timers_lock);
    if (ts->heap_index < 0 || ts->expire_time > expire_time) {
        rearm = timer_mod_ns_locked(tl, ts, expire_time);
    }
    qemu_mutex_unlock(&tl->active_timers_lock);
    if (rearm) {
        timerlist_rearm(tl);
    }
}

void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_anticipate_ns(ts, expire_time * ts->scale);
}

bool timer_pending(QEMUTimer *ts)
{
    return qatomic_read(&ts->heap_index) >= 0;
}

bool timer_expired(QEMUTimer *timer_head, int64_t current_time)
{
    return timer_pending(timer_head) &&
           timer_head->expire_time <= current_time * timer_head->scale;
}

int64_t timer_expire_time_ns(QEMUTimer *ts)
{
    return timer_pending(ts) ? ts->expire_time : -1;
}
