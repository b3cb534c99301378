/*
 * The BQL profiler: per call site of bql_lock(), how long the lock was
 * waited for and held, as totals, maxima and log2 histograms.  Not in
 * QEMU; qcore's own (docs/main-loop.md "Reading the BQL profile").
 * Everything here runs with the BQL held; system/cpus.c feeds it.
 */
#ifndef QCORE_BQL_PROFILE_H
#define QCORE_BQL_PROFILE_H

#include "qcore/main-loop.h"
#include "qcore/qobject.h"
#include "qcore/error.h"

/* The histogram bucket of a duration (see BQLSite). */
static inline unsigned bql_profile_bucket(uint64_t ns)
{
    unsigned b = ns ? 64 - __builtin_clzll(ns) : 0;

    return b < BQL_HIST_BUCKETS ? b : BQL_HIST_BUCKETS - 1;
}

/*
 * @site just took the BQL; @contended: it had to wait, for @wait_ns.
 * BQL held.
 */
void bql_profile_acquired(BQLSite *site, bool contended, uint64_t wait_ns);
/* @site held the BQL for @hold_ns and is about to drop it.  BQL held. */
void bql_profile_released(BQLSite *site, uint64_t hold_ns);
/* Forget every count (the sites stay known).  BQL held. */
void bql_profile_reset(void);

/*
 * x-query-bql: {"elapsed-ns", "acquisitions", "contended", "wait-ns",
 * "hold-ns", "by-wait": [Site...], "by-hold": [Site...]}, each list the
 * @top sites (all if <= 0) sorted by total wait / by longest hold; a
 * Site is {"file", "line", "function", "acquisitions", "contended",
 * "wait-ns", "wait-max-ns", "hold-ns", "hold-max-ns",
 * "wait-histogram": [{"below-ns", "count"}], "hold-histogram": [...]},
 * histograms listing only non-empty buckets.  BQL held.
 */
QObject *qmp_x_query_bql(bool has_top, int64_t top, Error **errp);
void qmp_bql_profile_reset(Error **errp);

#endif
