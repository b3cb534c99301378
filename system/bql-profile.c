/*
 * The BQL profiler behind x-query-bql, info bql and bql-profile-reset:
 * each bql_lock() call site keeps, in its own static BQLSite, how often
 * it took the lock, how long it waited and how long it held it.  Not in
 * QEMU (its nearest is the qsp mutex profiler of util/qsp.c, which hashes
 * call sites at run time; a static struct per site avoids that).
 * Everything runs with the BQL held, which is also what protects the
 * counts: see include/qcore/main-loop.h.
 */
#include "qcore/osdep.h"
#include "qcore/bql-profile.h"
#include "qcore/timer.h"

/* BQL: every site that took the lock at least once, newest first. */
static BQLSite *bql_sites;
static int64_t bql_profile_start_ns;

void bql_profile_acquired(BQLSite *site, bool contended, uint64_t wait_ns)
{
    unsigned b = bql_profile_bucket(wait_ns);

    if (unlikely(!site->listed)) {
        site->listed = true;
        site->next = bql_sites;
        bql_sites = site;
        if (!bql_profile_start_ns) {
            bql_profile_start_ns = get_clock();
        }
    }
    site->count++;
    site->wait_hist[b]++;
    if (contended) {
        site->contended++;
        site->wait_ns += wait_ns;
        if (wait_ns > site->wait_max_ns) {
            site->wait_max_ns = wait_ns;
        }
    }
}

void bql_profile_released(BQLSite *site, uint64_t hold_ns)
{
    site->hold_ns += hold_ns;
    site->hold_hist[bql_profile_bucket(hold_ns)]++;
    if (hold_ns > site->hold_max_ns) {
        site->hold_max_ns = hold_ns;
    }
}

void bql_profile_reset(void)
{
    BQLSite *s;

    for (s = bql_sites; s; s = s->next) {
        s->count = s->contended = 0;
        s->wait_ns = s->wait_max_ns = s->hold_ns = s->hold_max_ns = 0;
        memset(s->wait_hist, 0, sizeof(s->wait_hist));
        memset(s->hold_hist, 0, sizeof(s->hold_hist));
    }
    bql_profile_start_ns = get_clock();
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

static QList *histogram(const uint64_t *hist)
{
    QList *list = qlist_new();
    unsigned b;

    for (b = 0; b < BQL_HIST_BUCKETS; b++) {
        QDict *bucket;

        if (!hist[b]) {
            continue;
        }
        bucket = qdict_new();
        /* The last bucket has no upper bound: it gets none. */
        if (b < BQL_HIST_BUCKETS - 1) {
            qdict_put_int(bucket, "below-ns", 1LL << b);
        }
        qdict_put_int(bucket, "count", hist[b]);
        qlist_append(list, bucket);
    }
    return list;
}

static QDict *site_info(const BQLSite *s)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "file", site_file(s));
    qdict_put_int(d, "line", s->line);
    qdict_put_str(d, "function", s->func);
    qdict_put_int(d, "acquisitions", s->count);
    qdict_put_int(d, "contended", s->contended);
    qdict_put_int(d, "wait-ns", s->wait_ns);
    qdict_put_int(d, "wait-max-ns", s->wait_max_ns);
    qdict_put_int(d, "hold-ns", s->hold_ns);
    qdict_put_int(d, "hold-max-ns", s->hold_max_ns);
    qdict_put(d, "wait-histogram", histogram(s->wait_hist));
    qdict_put(d, "hold-histogram", histogram(s->hold_hist));
    return d;
}

static gint by_wait(gconstpointer a, gconstpointer b)
{
    const BQLSite *x = *(BQLSite *const *)a, *y = *(BQLSite *const *)b;

    return x->wait_ns < y->wait_ns ? 1 : x->wait_ns > y->wait_ns ? -1 :
           x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static gint by_hold(gconstpointer a, gconstpointer b)
{
    const BQLSite *x = *(BQLSite *const *)a, *y = *(BQLSite *const *)b;

    return x->hold_max_ns < y->hold_max_ns ? 1 :
           x->hold_max_ns > y->hold_max_ns ? -1 : 0;
}

static QList *top_sites(GPtrArray *sites, GCompareFunc cmp, int64_t top)
{
    QList *list = qlist_new();
    guint i;

    g_ptr_array_sort(sites, cmp);
    for (i = 0; i < sites->len && (top <= 0 || i < top); i++) {
        qlist_append(list, site_info(g_ptr_array_index(sites, i)));
    }
    return list;
}

QObject *qmp_x_query_bql(bool has_top, int64_t top, Error **errp)
{
    g_autoptr(GPtrArray) sites = g_ptr_array_new();
    uint64_t count = 0, contended = 0, wait = 0, hold = 0;
    QDict *d = qdict_new();
    BQLSite *s;

    assert_bql_held();
    for (s = bql_sites; s; s = s->next) {
        /* Sites idle since the last reset are left out. */
        if (s->count || s->hold_ns) {
            g_ptr_array_add(sites, s);
        }
        count += s->count;
        contended += s->contended;
        wait += s->wait_ns;
        hold += s->hold_ns;
    }
    qdict_put_int(d, "elapsed-ns", get_clock() - bql_profile_start_ns);
    qdict_put_int(d, "acquisitions", count);
    qdict_put_int(d, "contended", contended);
    qdict_put_int(d, "wait-ns", wait);
    qdict_put_int(d, "hold-ns", hold);
    qdict_put(d, "by-wait", top_sites(sites, by_wait, has_top ? top : 10));
    qdict_put(d, "by-hold", top_sites(sites, by_hold, has_top ? top : 10));
    return QOBJECT(d);
}

void qmp_bql_profile_reset(Error **errp)
{
    assert_bql_held();
    bql_profile_reset();
}
