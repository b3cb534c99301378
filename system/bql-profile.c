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
#include "qcore/qobject.h"
#include "qcore/timer.h"

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

static QList *histogram(const uint64_t *hist, double scale)
{
    QList *list = qlist_new();
    unsigned b;

    for (b = 0; b < BQL_HIST_BUCKETS; b++) {
        QDict *bucket;

        if (!hist[b]) {
            continue;
        }
        bucket = qdict_new();
        /*
         * Bucket 0 holds the zero durations: "below 1 ns".  The last has
         * no upper bound and gets none.  Others: 2^b ticks, in ns.
         */
        if (b == 0) {
            qdict_put_int(bucket, "below-ns", 1);
        } else if (b < BQL_HIST_BUCKETS - 1) {
            qdict_put_int(bucket, "below-ns", to_ns_up((1ULL << b), scale));
        }
        qdict_put_int(bucket, "count", hist[b]);
        qlist_append(list, bucket);
    }
    return list;
}

static QDict *site_info(const BQLSite *s, double scale)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "file", site_file(s));
    qdict_put_int(d, "line", s->line);
    qdict_put_str(d, "function", s->func);
    qdict_put_int(d, "acquisitions", s->count);
    qdict_put_int(d, "contended", s->contended);
    qdict_put_int(d, "wait-ns", to_ns(s->wait * scale));
    qdict_put_int(d, "wait-max-ns", to_ns(s->wait_max * scale));
    qdict_put_int(d, "hold-ns", to_ns(s->hold * scale));
    qdict_put_int(d, "hold-max-ns", to_ns(s->hold_max * scale));
    qdict_put(d, "wait-histogram", histogram(s->wait_hist, scale));
    qdict_put(d, "hold-histogram", histogram(s->hold_hist, scale));
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

static QList *top_sites(GPtrArray *sites, GCompareFunc cmp, int64_t top,
                        double scale)
{
    QList *list = qlist_new();
    guint i;

    g_ptr_array_sort(sites, cmp);
    for (i = 0; i < sites->len && (top <= 0 || i < top); i++) {
        qlist_append(list, site_info(g_ptr_array_index(sites, i), scale));
    }
    return list;
}

QObject *qmp_x_query_bql(bool has_top, int64_t top, Error **errp)
{
    g_autoptr(GPtrArray) sites = g_ptr_array_new();
    uint64_t count = 0, contended = 0, wait = 0, hold = 0;
    double scale = bql_profile_ns_per_tick();
    QDict *d = qdict_new();
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
    qdict_put_bool(d, "enabled", qatomic_read(&bql_profile_enabled));
    qdict_put_int(d, "elapsed-ns", bql_profile_elapsed_ns());
    qdict_put_int(d, "acquisitions", count);
    qdict_put_int(d, "contended", contended);
    qdict_put_int(d, "wait-ns", to_ns(wait * scale));
    qdict_put_int(d, "hold-ns", to_ns(hold * scale));
    qdict_put(d, "by-wait", top_sites(sites, by_wait, has_top ? top : 10,
                                      scale));
    qdict_put(d, "by-hold", top_sites(sites, by_hold, has_top ? top : 10,
                                      scale));
    return QOBJECT(d);
}

void qmp_bql_profile_reset(Error **errp)
{
    assert_bql_held();
    bql_profile_reset();
}
