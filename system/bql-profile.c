/*
 * The BQL profiler behind x-query-bql, info bql and bql-profile-reset:
 * each bql_lock() call site keeps, in its own static BQLSite, how often
 * it took the lock, how long it waited and how long it held it.  Not in
 * QEMU (its nearest is the qsp mutex profiler of util/qsp.c, which hashes
 * call sites at run time; a static struct per site avoids that).
 * Everything runs with the BQL held, which is also what protects the
 * counts: see include/qcore/main-loop.h.  The counting itself is done by
 * the lock, in util/bql.c; this is the QMP half.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/bql-profile.h"
#include "qcore/timer.h"
#include "qapi/qapi-commands.h"

/* Ticks to ns, rounded to nearest / up.  (No libm in the build.) */
static int64_t to_ns(double ns)
{
    return (int64_t)(ns + 0.5);
}

static int64_t to_ns_up(uint64_t ticks, double scale)
{
    double ns = ticks * scale;
    int64_t whole = (int64_t)ns;

    return whole + (ns > whole);
}

/* "../system/cpus.c" (meson builds from build/) -> "system/cpus.c". */
static const char *site_file(const BQLSite *s)
{
    const char *f = s->file;

    while (g_str_has_prefix(f, "../") || g_str_has_prefix(f, "./")) {
        f += f[1] == '.' ? 3 : 2;
    }
    return f;
}

static BqlHistogramBucketList *histogram(const uint64_t *hist, double scale)
{
    BqlHistogramBucketList *list = NULL, **tail = &list;
    unsigned b;

    for (b = 0; b < BQL_HIST_BUCKETS; b++) {
        BqlHistogramBucket *bucket;

        if (!hist[b]) {
            continue;
        }
        bucket = g_new0(BqlHistogramBucket, 1);
        /*
         * Bucket 0 holds the zero durations: "below 1 ns".  The last has
         * no upper bound and gets none.  Others: 2^b ticks, in ns.
         */
        if (b == 0) {
            bucket->has_below_ns = true;
            bucket->below_ns = 1;
        } else if (b < BQL_HIST_BUCKETS - 1) {
            bucket->has_below_ns = true;
            bucket->below_ns = to_ns_up((1ULL << b), scale);
        }
        bucket->count = hist[b];
        QAPI_LIST_APPEND(tail, bucket);
    }
    return list;
}

static BqlSite *site_info(const BQLSite *s, double scale)
{
    BqlSite *d = g_new0(BqlSite, 1);

    d->file = g_strdup(site_file(s));
    d->line = s->line;
    d->function = g_strdup(s->func);
    d->acquisitions = s->count;
    d->contended = s->contended;
    d->wait_ns = to_ns(s->wait * scale);
    d->wait_max_ns = to_ns(s->wait_max * scale);
    d->hold_ns = to_ns(s->hold * scale);
    d->hold_max_ns = to_ns(s->hold_max * scale);
    d->wait_histogram = histogram(s->wait_hist, scale);
    d->hold_histogram = histogram(s->hold_hist, scale);
    return d;
}

static gint by_wait(gconstpointer a, gconstpointer b)
{
    const BQLSite *x = *(BQLSite *const *)a, *y = *(BQLSite *const *)b;

    return x->wait < y->wait ? 1 : x->wait > y->wait ? -1 :
           x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static gint by_hold(gconstpointer a, gconstpointer b)
{
    const BQLSite *x = *(BQLSite *const *)a, *y = *(BQLSite *const *)b;

    return x->hold_max < y->hold_max ? 1 :
           x->hold_max > y->hold_max ? -1 : 0;
}

static BqlSiteList *top_sites(GPtrArray *sites, GCompareFunc cmp,
                              int64_t top, double scale)
{
    BqlSiteList *list = NULL, **tail = &list;
    guint i;

    g_ptr_array_sort(sites, cmp);
    for (i = 0; i < sites->len && (top <= 0 || i < top); i++) {
        QAPI_LIST_APPEND(tail, site_info(g_ptr_array_index(sites, i), scale));
    }
    return list;
}

BqlProfile *qmp_x_query_bql(bool has_top, int64_t top, Error **errp)
{
    g_autoptr(GPtrArray) sites = g_ptr_array_new();
    uint64_t count = 0, contended = 0, wait = 0, hold = 0;
    double scale = bql_profile_ns_per_tick();
    BqlProfile *d = g_new0(BqlProfile, 1);
    BQLSite *s;

    assert_bql_held();
    for (s = bql_profile_sites(); s; s = s->next) {
        /* Sites idle since the last reset are left out. */
        if (s->count || s->hold) {
            g_ptr_array_add(sites, s);
        }
        count += s->count;
        contended += s->contended;
        wait += s->wait;
        hold += s->hold;
    }
    d->enabled = qatomic_read(&bql_profile_enabled);
    d->elapsed_ns = bql_profile_elapsed_ns();
    d->acquisitions = count;
    d->contended = contended;
    d->wait_ns = to_ns(wait * scale);
    d->hold_ns = to_ns(hold * scale);
    d->by_wait = top_sites(sites, by_wait, has_top ? top : 10, scale);
    d->by_hold = top_sites(sites, by_hold, has_top ? top : 10, scale);
    return d;
}

void qmp_bql_profile_reset(Error **errp)
{
    assert_bql_held();
    bql_profile_reset();
}
