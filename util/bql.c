/*
 * The Big QEMU Lock itself: the mutex, bql_lock/unlock/locked, waiting
 * on a condition with it, and the profiler's per-site counting.  In
 * QEMU this is part of system/cpus.c; here it sits in util because the
 * main loop (util/main-loop.c, util/async.c) takes and checks it.  The
 * system layer adds what only it knows: which threads are vCPU threads
 * (bql_thread_set_yielding, from system/cpus.c) and the QMP view of the
 * profile (system/bql-profile.c).  See docs/main-loop.md.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/bql-profile.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"
#include "qcore/timer.h"

static QemuMutex bql;
/* Per thread, so bql_locked() is a plain load and answers for the caller. */
static __thread bool bql_is_locked;

/*
 * bql_defer_broadcast's conditions, this thread's, broadcast when it
 * drops the BQL (bql_unlock, bql_cond_wait).  A handful at most: each
 * vCPU's halt_cond.
 */
#define BQL_DEFERRED_MAX 16
static __thread QemuCond *bql_deferred[BQL_DEFERRED_MAX];
static __thread unsigned bql_ndeferred;
/*
 * BQL: the site that holds it (NULL when not profiling) and since when,
 * in bql_profile_clock() ticks.
 */
static BQLSite *bql_holder;
static uint64_t bql_acquired;

static void __attribute__((constructor)) bql_init(void)
{
    qemu_mutex_init(&bql);
}

bool bql_locked(void)
{
    return bql_is_locked;
}

/* A later reading minus an earlier one, never negative. */
static uint64_t bql_ticks_since(uint64_t start)
{
    uint64_t now = bql_profile_clock();

    return now > start ? now - start : 0;
}

/*
 * vCPU threads (marked with bql_thread_set_yielding by system/cpus.c)
 * let the others in first.  glibc's mutex is not fair: a
 * vCPU thread that drops the BQL after an MMIO access and takes it again
 * for the next one a few hundred ns later wins nearly every time against
 * the main loop, which the unlock only woke up; with a guest polling the
 * UART the loop waited up to 25 ms for its turn (bench-abuse).  So a
 * thread that does not yield and finds the BQL taken says so in
 * bql_prio_waiters, and a vCPU thread arriving meanwhile sleeps on
 * bql_prio_done until every such thread has had the lock.  Uncontended,
 * a vCPU pays one load, the others nothing.
 */
static unsigned bql_prio_waiters;   /* atomic */
static QemuEvent bql_prio_done;     /* set when bql_prio_waiters drops to 0 */

/* Whether this thread gives way to the others (vCPU threads do). */
static __thread bool bql_thread_yields;

void bql_thread_set_yielding(bool yielding)
{
    bql_thread_yields = yielding;
}

static void __attribute__((constructor)) bql_prio_init(void)
{
    qemu_event_init(&bql_prio_done, true);
}

/* Take the mutex; returns whether we had to wait for it. */
static bool bql_mutex_lock(void)
{
    if (bql_thread_yields) {
        while (unlikely(qatomic_read(&bql_prio_waiters))) {
            qemu_event_wait(&bql_prio_done);
        }
        if (qemu_mutex_trylock(&bql) == 0) {
            return false;
        }
        qemu_mutex_lock(&bql);
        return true;
    }
    if (qemu_mutex_trylock(&bql) == 0) {
        return false;
    }
    qemu_event_reset(&bql_prio_done);
    qatomic_inc(&bql_prio_waiters);
    qemu_mutex_lock(&bql);
    if (qatomic_fetch_sub(&bql_prio_waiters, 1) == 1) {
        qemu_event_set(&bql_prio_done);
    }
    return true;
}

/*
 * The profiler's cost is here: one clock read per acquisition when the
 * lock is free (trylock), two more when it is not, one per release.
 */
void bql_lock_impl(BQLSite *site)
{
    bool contended;
    uint64_t now, wait = 0;

    /* Recursion would self-deadlock; fail loudly instead. */
    g_assert(!bql_is_locked);
    if (unlikely(!qatomic_read(&bql_profile_enabled))) {
        bql_mutex_lock();
        bql_is_locked = true;
        bql_holder = NULL;
        return;
    }
    {
        uint64_t start = bql_profile_clock();

        contended = bql_mutex_lock();
        now = contended ? bql_profile_clock() : start;
        wait = contended && now > start ? now - start : 0;
    }
    bql_is_locked = true;
    bql_holder = site;
    bql_acquired = now;
    bql_profile_acquired(site, contended, wait);
}

bool bql_trylock_impl(BQLSite *site)
{
    g_assert(!bql_is_locked);
    /* Threads queued for their turn (bql_prio_waiters) go first. */
    if (qatomic_read(&bql_prio_waiters) || qemu_mutex_trylock(&bql) != 0) {
        return false;
    }
    bql_is_locked = true;
    bql_holder = NULL;
    if (unlikely(qatomic_read(&bql_profile_enabled))) {
        bql_holder = site;
        bql_acquired = bql_profile_clock();
        bql_profile_acquired(site, false, 0);
    }
    return true;
}

void bql_defer_broadcast(QemuCond *cond)
{
    unsigned i;

    if (!bql_is_locked) {
        qemu_cond_broadcast(cond);
        return;
    }
    for (i = 0; i < bql_ndeferred; i++) {
        if (bql_deferred[i] == cond) {
            return;
        }
    }
    if (bql_ndeferred == BQL_DEFERRED_MAX) {
        qemu_cond_broadcast(cond);      /* correct, just not deferred */
        return;
    }
    bql_deferred[bql_ndeferred++] = cond;
}

void bql_cancel_broadcast(QemuCond *cond)
{
    unsigned i;

    for (i = 0; i < bql_ndeferred; i++) {
        if (bql_deferred[i] == cond) {
            bql_deferred[i] = bql_deferred[--bql_ndeferred];
            return;
        }
    }
}

static void bql_flush_broadcasts(void)
{
    while (bql_ndeferred) {
        qemu_cond_broadcast(bql_deferred[--bql_ndeferred]);
    }
}

void bql_unlock(void)
{
    g_assert(bql_is_locked);
    if (bql_holder) {
        bql_profile_released(bql_holder, bql_ticks_since(bql_acquired));
    }
    bql_is_locked = false;
    qemu_mutex_unlock(&bql);
    bql_flush_broadcasts();
}

/*
 * qemu_cond_wait on the BQL: the hold ends while we sleep and a new one,
 * for the same site, starts when we wake (the time to re-take the lock
 * cannot be told apart from the sleep, so it counts as neither).
 */
void bql_cond_wait(QemuCond *cond)
{
    BQLSite *site = bql_holder;

    if (site) {
        bql_profile_released(site, bql_ticks_since(bql_acquired));
    }
    /*
     * The wait drops the lock where we cannot follow it: broadcast now,
     * or a thread we were to wake might wait for us, who wait for it.
     */
    bql_flush_broadcasts();
    qemu_cond_wait(cond, &bql);
    bql_holder = site;
    bql_acquired = bql_profile_clock();
}

/* A non-NULL token means "this guard took the lock and must drop it". */
BQLLockAuto *bql_auto_lock_impl(BQLSite *site)
{
    if (bql_is_locked) {
        return NULL;
    }
    bql_lock_impl(site);
    return (BQLLockAuto *)(uintptr_t)1;
}

void bql_auto_unlock(BQLLockAuto *l)
{
    if (l) {
        bql_unlock();
    }
}

/* ---- The profiler's counting (system/bql-profile.c answers queries) -- */

bool bql_profile_enabled = true;
bool bql_profile_cpu_clock;

/* BQL: every site that took the lock at least once, newest first. */
static BQLSite *bql_sites;
static int64_t bql_profile_start_ns;

/* A (counter, ns) pair from start-up: the counter's rate, when queried. */
static uint64_t calib_ticks;
static int64_t calib_ns;

static void __attribute__((constructor)) bql_profile_clock_init(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;

    /* CPUID 0x80000007 EDX bit 8: the TSC ticks at a constant rate. */
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                 : "a"(0x80000007u), "c"(0));
    bql_profile_cpu_clock = (d >> 8) & 1;
#elif defined(__aarch64__)
    bql_profile_cpu_clock = true;
#endif
    calib_ticks = bql_profile_clock();
    calib_ns = get_clock();
}

/* ns per tick, measured over the whole run so far. */
double bql_profile_ns_per_tick(void)
{
    uint64_t ticks;
    int64_t ns;

    if (!bql_profile_cpu_clock) {
        return 1.0;
    }
    ticks = bql_profile_clock() - calib_ticks;
    ns = get_clock() - calib_ns;
    return ticks && ns > 0 ? (double)ns / ticks : 1.0;
}

BQLSite *bql_profile_sites(void)
{
    return bql_sites;
}

int64_t bql_profile_elapsed_ns(void)
{
    return bql_profile_start_ns ? get_clock() - bql_profile_start_ns : 0;
}

void bql_profile_add_site(BQLSite *site)
{
    site->listed = true;
    site->next = bql_sites;
    bql_sites = site;
    if (!bql_profile_start_ns) {
        bql_profile_start_ns = get_clock();
    }
}

void bql_profile_reset(void)
{
    BQLSite *s;

    for (s = bql_sites; s; s = s->next) {
        s->count = s->contended = 0;
        s->wait = s->wait_max = s->hold = s->hold_max = 0;
        memset(s->wait_hist, 0, sizeof(s->wait_hist));
        memset(s->hold_hist, 0, sizeof(s->hold_hist));
    }
    bql_profile_start_ns = get_clock();
}
