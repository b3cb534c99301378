/*
 * Shared helpers of the event-loop benchmarks: clocks, a seeded PRNG,
 * best-of-N timing, the fd limit, and the result table (ns/op and the
 * ratio to the fastest peer).  Header-only: each benchmark is one file.
 */
#ifndef QCORE_BENCH_H
#define QCORE_BENCH_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Every measurement is repeated this many times; the minimum is kept. */
#define BENCH_REPS 3

#define BENCH_MAX_ROWS 16

/* Evaluate @expr (a double, lower is better) BENCH_REPS times; the min. */
#define BENCH_BEST_OF(expr) ({                          \
    double best_ = 0;                                   \
    for (int rep_ = 0; rep_ < BENCH_REPS; rep_++) {     \
        double v_ = (expr);                             \
        if (rep_ == 0 || v_ < best_) {                  \
            best_ = v_;                                 \
        }                                               \
    }                                                   \
    best_;                                              \
})

static inline int64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU time of the calling thread: what a phase cost without its sleeps. */
static inline int64_t bench_thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * BENCH_SCALE=0.1 in the environment shrinks every iteration count (for
 * a quick smoke run); the published numbers use the default of 1.
 */
static inline long bench_scaled(long n)
{
    const char *s = getenv("BENCH_SCALE");
    double scale = s ? atof(s) : 1.0;
    long r;

    if (scale <= 0) {
        scale = 1.0;
    }
    r = (long)(n * scale);
    return r > 0 ? r : 1;
}

/*
 * BENCH_ONLY=qcore runs only the rows whose name contains that string
 * (for profiling one peer with perf); the default runs everything.
 */
static inline bool bench_want(const char *peer)
{
    const char *only = getenv("BENCH_ONLY");

    return !only || strstr(peer, only);
}

/* splitmix64: the same seed gives every peer the same sequence. */
static inline uint64_t bench_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#define BENCH_SEED 0x5eed2024u

/* Raise RLIMIT_NOFILE's soft limit to the hard one; returns the result. */
static inline long bench_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        return -1;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            fprintf(stderr, "setrlimit(RLIMIT_NOFILE): %s\n", strerror(errno));
        }
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (long)rl.rlim_cur;
}

static inline void bench_die(const char *what)
{
    fprintf(stderr, "bench: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

/*
 * One row of a result table.  An "excluded" row is shown for context
 * (e.g. a peer configuration that does not do the same semantic work) but
 * never counts as the fastest peer.
 */
typedef struct BenchRow {
    const char *peer;
    double ns;
    bool excluded;
    char note[96];
} BenchRow;

typedef struct BenchTable {
    const char *title;
    const char *unit;
    int n;
    BenchRow rows[BENCH_MAX_ROWS];
} BenchTable;

static inline BenchRow *bench_add(BenchTable *t, const char *peer, double ns,
                                  bool excluded, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static inline BenchRow *bench_add(BenchTable *t, const char *peer, double ns,
                                  bool excluded, const char *fmt, ...)
{
    BenchRow *r;
    va_list ap;

    if (t->n == BENCH_MAX_ROWS) {
        fprintf(stderr, "bench: too many rows\n");
        exit(1);
    }
    r = &t->rows[t->n++];
    r->peer = peer;
    r->ns = ns;
    r->excluded = excluded;
    r->note[0] = 0;
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(r->note, sizeof(r->note), fmt, ap);
        va_end(ap);
    }
    return r;
}

/* Smallest ns among included rows whose peer name starts with @prefix. */
static inline double bench_best(const BenchTable *t, const char *prefix,
                                bool want_prefix)
{
    double best = -1;
    int i;

    for (i = 0; i < t->n; i++) {
        const BenchRow *r = &t->rows[i];
        bool match = !strncmp(r->peer, prefix, strlen(prefix));
        if (r->excluded || match != want_prefix) {
            continue;
        }
        if (best < 0 || r->ns < best) {
            best = r->ns;
        }
    }
    return best;
}

/*
 * Print the table, then one "target" line comparing the best qcore row
 * with the best other peer.  Lines start with the workload tag so that
 * run.sh output can be grepped.
 */
static inline void bench_print(const BenchTable *t, const char *tag)
{
    double fastest = -1;
    double q, peer;
    int i;

    for (i = 0; i < t->n; i++) {
        if (!t->rows[i].excluded &&
            (fastest < 0 || t->rows[i].ns < fastest)) {
            fastest = t->rows[i].ns;
        }
    }
    printf("\n%s: %s (best of %d)\n", tag, t->title, BENCH_REPS);
    printf("  %-40s %12s %8s  %s\n", "peer", t->unit, "ratio", "notes");
    for (i = 0; i < t->n; i++) {
        const BenchRow *r = &t->rows[i];
        char ratio[32];

        snprintf(ratio, sizeof(ratio), r->excluded ? "(%.2f)" : "%.2f",
                 fastest > 0 ? r->ns / fastest : 0.0);
        printf("  %-40s %12.1f %8s  %s%s\n", r->peer, r->ns, ratio,
               r->excluded ? "[not comparable] " : "", r->note);
    }
    q = bench_best(t, "qcore", true);
    peer = bench_best(t, "qcore", false);
    if (q > 0 && peer > 0) {
        printf("  %s target qcore <= fastest peer: %s (qcore/best peer = "
               "%.2f)\n", tag, q <= peer ? "MET" : "MISSED", q / peer);
    }
    fflush(stdout);
}

/* @name if it is a path, else the first executable @name in $PATH. */
static inline bool bench_find_in_path(const char *name, char *out,
                                      size_t size)
{
    const char *path = getenv("PATH");
    char *copy, *dir, *save = NULL;
    bool found = false;

    if (strchr(name, '/')) {
        snprintf(out, size, "%s", name);
        return access(out, X_OK) == 0;
    }
    copy = strdup(path ? path : "/usr/bin:/bin");
    for (dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        snprintf(out, size, "%s/%s", dir, name);
        found = access(out, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* The first line of "@path -version", for the report's header. */
static inline void bench_program_version(const char *path, char *out,
                                         size_t size)
{
    char cmd[PATH_MAX + 32];
    FILE *f;

    snprintf(cmd, sizeof(cmd), "'%s' -version 2>/dev/null", path);
    f = popen(cmd, "r");
    if (!f || !fgets(out, size, f)) {
        snprintf(out, size, "(version unknown)");
    }
    out[strcspn(out, "\n")] = 0;
    if (f) {
        pclose(f);
    }
}

/*
 * Reference: posix_spawn of /bin/true until waitpid returns, i.e. what
 * fork+exec+exit of a trivial dynamically linked program costs here.
 */
static inline double bench_spawn_floor_ms(void)
{
    extern char **environ;
    char *argv[] = { (char *)"/bin/true", NULL };
    int64_t t = bench_now_ns();
    pid_t pid;

    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ)) {
        return -1;
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return (bench_now_ns() - t) / 1e6;
}

/* ---- qcore against QEMU, one process each (qmp-bench, riscv-bench) ---- */

/*
 * The lines naming both binaries; without QEMU, why its column is empty
 * (@missing: what was looked for, @hint: how to provide it).
 */
static inline void bench_versus_header(const char *q_path,
                                       const char *q_version, bool have_e,
                                       const char *e_path,
                                       const char *e_version,
                                       const char *missing, const char *hint)
{
    printf("  qcore: %s (%s)\n", q_path, q_version);
    if (have_e) {
        printf("  QEMU:  %s (%s)\n", e_path, e_version);
    } else {
        printf("  QEMU:  %s not found (%s): SKIPPED, qcore column only\n",
               missing, hint);
    }
    fflush(stdout);
}

/*
 * One row "metric  qcore  QEMU  qcore/QEMU"; a negative value printed as
 * FAILED, @have_e false when QEMU was not measured.
 */
static inline void bench_versus_row(const char *metric, const char *fmt,
                                    double q, double e, bool have_e)
{
    char qs[32], es[32], ratio[16];

    if (q >= 0) {
        snprintf(qs, sizeof(qs), fmt, q);
    } else {
        snprintf(qs, sizeof(qs), "FAILED");
    }
    if (!have_e) {
        snprintf(es, sizeof(es), "-");
    } else if (e >= 0) {
        snprintf(es, sizeof(es), fmt, e);
    } else {
        snprintf(es, sizeof(es), "FAILED");
    }
    if (have_e && q >= 0 && e > 0) {
        snprintf(ratio, sizeof(ratio), "%.3f", q / e);
    } else {
        snprintf(ratio, sizeof(ratio), "-");
    }
    printf("  %-44s %12s %12s %10s\n", metric, qs, es, ratio);
}

/*
 * "<tag> target <what>: MET|MISSED (qcore/QEMU = r[, short by Nx])" where
 * the target is r >= @limit if @higher, else r <= @limit.
 */
static inline void bench_versus_target(const char *tag, const char *what,
                                       double q, double e, bool higher,
                                       double limit)
{
    double r;
    bool met;

    if (q < 0 || e <= 0) {
        printf("  %s target %s: NOT MEASURED\n", tag, what);
        return;
    }
    r = q / e;
    met = higher ? r >= limit : r <= limit;
    printf("  %s target %s: %s (qcore/QEMU = %.3f", tag, what,
           met ? "MET" : "MISSED", r);
    if (!met) {
        printf(", short by %.2fx", higher ? limit / r : r / limit);
    }
    printf(")\n");
}

#endif
