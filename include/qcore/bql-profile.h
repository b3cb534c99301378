/*
 * The BQL profiler: per call site of bql_lock(), how long the lock was
 * waited for and held, as totals, maxima and log2 histograms.  Not in
 * QEMU; qcore's own (docs/main-loop.md "Reading the BQL profile").
 * Everything here runs with the BQL held; the lock (util/bql.c) feeds
 * it, system/bql-profile.c answers the QMP queries.
 */
#ifndef QCORE_BQL_PROFILE_H
#define QCORE_BQL_PROFILE_H

#include "qcore/main-loop.h"
#include "qcore/error.h"
#include "qcore/timer.h"

/*
 * Whether bql_lock() times anything (-bql-profile on|off, default on).
 * Set while the command line is parsed, before vCPUs and monitors exist;
 * read with qatomic_read (a lock taken while it was on and released
 * after, or the reverse, is handled: see bql_unlock).
 */
extern bool bql_profile_enabled;
/* Whether bql_profile_clock() reads the CPU's counter (else it is ns). */
extern bool bql_profile_cpu_clock;

/*
 * The profiler's clock.  clock_gettime costs 50 ns or more in a VM,
 * which the MMIO path (one acquisition per access) would feel; the
 * CPU's constant-rate counter (x86's invariant TSC, arm64's virtual
 * counter) is read in a few ns and converted to ns only when queried.
 * Any thread; only differences taken on one thread are meaningful.
 */
static inline uint64_t bql_profile_clock(void)
{
#if defined(__x86_64__)
    if (likely(bql_profile_cpu_clock)) {
        uint32_t lo, hi;

        asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return (uint64_t)hi << 32 | lo;
    }
#elif defined(__aarch64__)
    if (likely(bql_profile_cpu_clock)) {
        uint64_t v;

        asm volatile("mrs %0, cntvct_el0" : "=r"(v));
        return v;
    }
#endif
    return get_clock();
}

/* The histogram bucket of a duration in ticks (see BQLSite). */
static inline unsigned bql_profile_bucket(uint64_t ticks)
{
    unsigned b = ticks ? 64 - __builtin_clzll(ticks) : 0;

    return b < BQL_HIST_BUCKETS ? b : BQL_HIST_BUCKETS - 1;
}

/* The first acquisition at @site: list it for x-query-bql.  BQL held. */
void bql_profile_add_site(BQLSite *site);

/*
 * @site just took the BQL; @contended: it had to wait, for @wait ticks.
 * BQL held.  Inline: it runs at every acquisition.
 */
static inline void bql_profile_acquired(BQLSite *site, bool contended,
                                        uint64_t wait)
{
    if (unlikely(!site->listed)) {
        bql_profile_add_site(site);
    }
    site->count++;
    site->wait_hist[bql_profile_bucket(wait)]++;
    if (unlikely(contended)) {
        site->contended++;
        site->wait += wait;
        if (wait > site->wait_max) {
            site->wait_max = wait;
        }
    }
}

/* @site held the BQL for @hold ticks and is about to drop it.  BQL held. */
static inline void bql_profile_released(BQLSite *site, uint64_t hold)
{
    site->hold += hold;
    site->hold_hist[bql_profile_bucket(hold)]++;
    if (hold > site->hold_max) {
        site->hold_max = hold;
    }
}
/* The sites seen so far, newest first (linked by ->next).  BQL held. */
BQLSite *bql_profile_sites(void);
/* ns since the first acquisition or the last reset (0: none yet). */
int64_t bql_profile_elapsed_ns(void);
/* ns per bql_profile_clock() tick, measured over the run so far. */
double bql_profile_ns_per_tick(void);

/* Forget every count (the sites stay known).  BQL held. */
void bql_profile_reset(void);

/*
 * x-query-bql: {"enabled", "elapsed-ns", "acquisitions", "contended", "wait-ns",
 * "hold-ns", "by-wait": [Site...], "by-hold": [Site...]}, each list the
 * @top sites (all if <= 0) sorted by total wait / by longest hold; a
 * Site is {"file", "line", "function", "acquisitions", "contended",
 * "wait-ns", "wait-max-ns", "hold-ns", "hold-max-ns",
 * "wait-histogram": [{"below-ns", "count"}], "hold-histogram": [...]},
 * histograms listing only non-empty buckets.  BQL held.
 */

#endif
