/*
 * RISC-V guest: qcore against Debian's qemu-system-riscv64 (TCG), both
 * started as "-M virt -smp 1 -m 128M -bios none -kernel ELF -nographic"
 * with stdin from /dev/null and stdout a pipe, in the same run.
 *
 * 1. Guest MIPS on tests/guest/bench-mips.elf, a fixed compute-bound
 *    workload that reads minstret and mtime (10 MHz) around its loop and
 *    prints them.  qcore's minstret is exact.  QEMU 7.2's is not without
 *    -icount (it returns the host's cycle counter), so QEMU is run once
 *    more, untimed, with "-icount shift=0" to count the same program's
 *    instructions; the count must equal qcore's, and the checksums must
 *    agree.  MIPS = instructions / guest mtime interval (on both the
 *    virtual clock is host time).  Best of BENCH_REPS, interleaved.
 * 2. exec -> first byte on the emulator's stdout for hello.elf: from just
 *    before posix_spawn until read() returns the first byte; best and
 *    median of STARTUP_RUNS, interleaved, with the /bin/true floor.
 * 3. The same as 1. for tests/guest/bench-flops.elf, the F/D workload.
 *
 * usage: bench-riscv QCORE_BINARY GUEST_BUILD_DIR
 * QEMU is qemu-system-riscv64 in $PATH (BENCH_QEMU_RISCV=/path overrides);
 * without it only the qcore column is measured.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>
#include "bench.h"

extern char **environ;

#define STARTUP_RUNS    10
#define RUN_TIMEOUT_MS  120000
#define OUT_MAX         4096

typedef struct Peer {
    const char *name;
    const char *path;
    char version[160];
    bool present;
    bool failed;
    /* bench-mips */
    char checksum[32];
    uint64_t instret;           /* as the guest printed it */
    uint64_t insns;             /* the exact count used for MIPS */
    double best_mips, best_guest_ms, best_wall_ms;
    /* hello.elf */
    double first_best_ms, first_median_ms;
} Peer;

typedef struct Run {
    int64_t first_byte_ns;      /* from before posix_spawn; -1 if none */
    int64_t wall_ns;            /* until waitpid returned */
    int status;                 /* exit status, -1 if killed/failed */
    char out[OUT_MAX];
    size_t len;
} Run;

/*
 * Run @path with the virt command line for @elf (plus @extra, may be
 * NULL), stdout to a pipe, stdin /dev/null; collect its output.
 */
static bool run_guest(const char *path, const char *elf, const char *extra1,
                      const char *extra2, Run *r)
{
    char *argv[] = {
        (char *)path, "-M", "virt", "-smp", "1", "-m", "128M",
        "-bios", "none", "-kernel", (char *)elf, "-nographic",
        (char *)extra1, (char *)extra2, NULL,
    };
    posix_spawn_file_actions_t fa;
    int pfd[2], wst, err;
    int64_t t0;
    pid_t pid;

    memset(r, 0, sizeof(*r));
    r->first_byte_ns = -1;
    r->status = -1;
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        bench_die("pipe2");
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    t0 = bench_now_ns();
    err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (err) {
        errno = err;
        bench_die(path);
    }
    for (;;) {
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        ssize_t n;
        int pr = poll(&p, 1, RUN_TIMEOUT_MS);

        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            fprintf(stderr, "riscv: %s %s: no output for %d s, killed\n",
                    path, elf, RUN_TIMEOUT_MS / 1000);
            kill(pid, SIGKILL);
            break;
        }
        n = read(pfd[0], r->out + r->len, sizeof(r->out) - 1 - r->len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n > 0 && r->first_byte_ns < 0) {
            r->first_byte_ns = bench_now_ns() - t0;
        }
        if (n <= 0) {
            break;
        }
        r->len += n;
        if (r->len == sizeof(r->out) - 1) {
            char sink[4096];        /* keep draining, drop the excess */
            while (read(pfd[0], sink, sizeof(sink)) > 0) {
            }
            break;
        }
    }
    close(pfd[0]);
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {
    }
    r->wall_ns = bench_now_ns() - t0;
    r->out[r->len] = 0;
    if (WIFEXITED(wst)) {
        r->status = WEXITSTATUS(wst);
    }
    return r->status == 0;
}

/* The value after "PREFIX: KEY " in @out, as a string; NULL if absent. */
static const char *field(const char *out, const char *prefix,
                         const char *key, char *val, size_t size)
{
    char pat[64];
    const char *s;

    snprintf(pat, sizeof(pat), "%s: %s ", prefix, key);
    s = strstr(out, pat);
    if (!s) {
        return NULL;
    }
    s += strlen(pat);
    snprintf(val, size, "%.*s", (int)strcspn(s, " \r\n"), s);
    return val;
}

/* bench-mips' output, or bench-flops' (@prefix "bench-flops"). */
static bool parse_bench(const Run *r, const char *prefix, char *checksum,
                        size_t cs_size, uint64_t *instret, uint64_t *ticks)
{
    char v[32];

    if (!field(r->out, prefix, "rounds", v, sizeof(v)) ||
        !strstr(r->out, "checksum ")) {
        return false;
    }
    snprintf(checksum, cs_size, "%.*s",
             (int)strcspn(strstr(r->out, "checksum ") + 9, " \r\n"),
             strstr(r->out, "checksum ") + 9);
    if (!field(r->out, prefix, "instret", v, sizeof(v))) {
        return false;
    }
    *instret = strtoull(v, NULL, 10);
    if (!field(r->out, prefix, "ticks", v, sizeof(v))) {
        return false;
    }
    *ticks = strtoull(v, NULL, 10);
    return *ticks > 0;
}

static bool parse_mips(const Run *r, char *checksum, size_t cs_size,
                       uint64_t *instret, uint64_t *ticks)
{
    return parse_bench(r, "bench-mips", checksum, cs_size, instret, ticks);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void fail(Peer *p, const char *what, const Run *r)
{
    fprintf(stderr, "riscv %s: %s FAILED (exit status %d), output:\n%s\n",
            p->name, what, r ? r->status : -1, r ? r->out : "");
    p->failed = true;
}

/*
 * 3. bench-flops (the F/D workload), measured as bench-mips: best guest
 * time of BENCH_REPS interleaved runs, the instruction count from qcore's
 * minstret checked against QEMU's -icount run, checksums equal.  Prints
 * its rows and target line; false if a run failed.
 */
static bool bench_flops(Peer *peers, int np, const char *elf)
{
    static Run run;
    char cs[2][32] = { "", "" }, c[32];
    uint64_t insns[2] = { 0, 0 }, instret, ticks;
    double best[2] = { -1, -1 }, mips[2] = { -1, -1 };
    bool failed[2] = { false, false };
    int i, rep;

    for (rep = 0; rep < BENCH_REPS; rep++) {
        for (i = 0; i < np; i++) {
            if (failed[i] || peers[i].failed) {
                continue;
            }
            if (!run_guest(peers[i].path, elf, NULL, NULL, &run) ||
                !parse_bench(&run, "bench-flops", c, sizeof(c), &instret,
                             &ticks) ||
                (rep > 0 && strcmp(c, cs[i]))) {
                fail(&peers[i], "bench-flops", &run);
                failed[i] = true;
                continue;
            }
            snprintf(cs[i], sizeof(cs[i]), "%s", c);
            if (i == 0) {
                insns[0] = instret;
            }
            if (best[i] < 0 || ticks / 1e4 < best[i]) {
                best[i] = ticks / 1e4;
            }
        }
    }
    if (np > 1 && !failed[1]) {
        if (!run_guest(peers[1].path, elf, "-icount", "shift=0", &run) ||
            !parse_bench(&run, "bench-flops", c, sizeof(c), &insns[1],
                         &ticks)) {
            fail(&peers[1], "bench-flops with -icount shift=0", &run);
            failed[1] = true;
        } else if (!failed[0] &&
                   (strcmp(cs[0], cs[1]) || insns[0] != insns[1])) {
            fprintf(stderr, "riscv: bench-flops qcore %s/%" PRIu64 " != "
                    "QEMU %s/%" PRIu64 " (checksum/instructions)\n",
                    cs[0], insns[0], cs[1], insns[1]);
            failed[0] = true;
        }
    }
    for (i = 0; i < np; i++) {
        if (!failed[i] && insns[i] && best[i] > 0) {
            mips[i] = insns[i] / (best[i] * 1e3);
        }
    }
    bench_versus_row("bench-flops instructions (M)", "%.3f",
        insns[0] ? insns[0] / 1e6 : -1, insns[1] ? insns[1] / 1e6 : -1,
        np > 1);
    bench_versus_row("bench-flops guest time, best (ms)", "%.1f",
        failed[0] ? -1 : best[0], failed[1] ? -1 : best[1], np > 1);
    bench_versus_row("bench-flops guest MIPS, best", "%.1f", mips[0],
        mips[1], np > 1);
    if (np > 1) {
        bench_versus_target("RISC-V", "FP guest MIPS >= 0.5x QEMU TCG",
                            mips[0], mips[1], true, 0.5);
    }
    return !failed[0] && !(np > 1 && failed[1]);
}

int main(int argc, char **argv)
{
    static Peer peers[2];
    static Run run;
    static char qemu_path[PATH_MAX], mips_elf[PATH_MAX], hello_elf[PATH_MAX];
    static char flops_elf[PATH_MAX];
    bool flops_ok = true;
    Peer *q = &peers[0], *e = &peers[1];
    const char *qemu_env = getenv("BENCH_QEMU_RISCV");
    long runs = bench_scaled(STARTUP_RUNS);
    double *first[2], *floor_ms;
    int np, i, rep;
    long r;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 3) {
        fprintf(stderr, "usage: bench-riscv QCORE_BINARY GUEST_BUILD_DIR\n");
        return 1;
    }
    if (access(argv[1], X_OK) < 0) {
        fprintf(stderr, "riscv: no qcore binary at %s\n", argv[1]);
        return 1;
    }
    snprintf(mips_elf, sizeof(mips_elf), "%s/bench-mips.elf", argv[2]);
    snprintf(hello_elf, sizeof(hello_elf), "%s/hello.elf", argv[2]);
    snprintf(flops_elf, sizeof(flops_elf), "%s/bench-flops.elf", argv[2]);
    if (access(mips_elf, R_OK) < 0 || access(hello_elf, R_OK) < 0) {
        fprintf(stderr, "riscv: %s or %s missing (make -C tests/guest)\n",
                mips_elf, hello_elf);
        return 1;
    }
    *q = (Peer) { .name = "qcore", .path = argv[1], .present = true };
    *e = (Peer) { .name = "QEMU", .path = qemu_path };
    e->present = bench_find_in_path(qemu_env ? qemu_env
                                             : "qemu-system-riscv64",
                                    qemu_path, sizeof(qemu_path));
    np = e->present ? 2 : 1;
    floor_ms = calloc(runs, sizeof(double));
    for (i = 0; i < np; i++) {
        bench_program_version(peers[i].path, peers[i].version,
                              sizeof(peers[i].version));
        first[i] = calloc(runs, sizeof(double));
        peers[i].best_mips = peers[i].best_guest_ms = -1;
        peers[i].best_wall_ms = -1;
    }

    printf("\nRISC-V guest: qcore vs QEMU TCG, \"-M virt -smp 1 -m 128M "
           "-bios none -kernel ELF -nographic\", stdout a pipe\n");
    bench_versus_header(q->path, q->version, e->present, e->path,
                        e->version,
                        qemu_env ? qemu_env : "qemu-system-riscv64 in $PATH",
                        "install qemu-system-misc or set BENCH_QEMU_RISCV=/path");

    /* 1. bench-mips, BENCH_REPS runs each, interleaved. */
    for (rep = 0; rep < BENCH_REPS; rep++) {
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            char cs[32];
            uint64_t instret, ticks;
            double guest_ms, wall_ms;

            if (p->failed) {
                continue;
            }
            if (!run_guest(p->path, mips_elf, NULL, NULL, &run) ||
                !parse_mips(&run, cs, sizeof(cs), &instret, &ticks)) {
                fail(p, "bench-mips", &run);
                continue;
            }
            if (rep == 0) {
                snprintf(p->checksum, sizeof(p->checksum), "%s", cs);
                p->instret = instret;
            } else if (strcmp(cs, p->checksum)) {
                fprintf(stderr, "riscv %s: checksum %s, was %s\n", p->name,
                        cs, p->checksum);
                fail(p, "bench-mips checksum", NULL);
                continue;
            }
            guest_ms = ticks / 1e4;
            wall_ms = run.wall_ns / 1e6;
            if (p->best_guest_ms < 0 || guest_ms < p->best_guest_ms) {
                p->best_guest_ms = guest_ms;
            }
            if (p->best_wall_ms < 0 || wall_ms < p->best_wall_ms) {
                p->best_wall_ms = wall_ms;
            }
        }
    }
    /* The exact instruction count: qcore's minstret, checked by QEMU's. */
    q->insns = q->failed ? 0 : q->instret;
    if (e->present && !e->failed) {
        char cs[32];
        uint64_t icount, ticks;

        if (!run_guest(e->path, mips_elf, "-icount", "shift=0", &run) ||
            !parse_mips(&run, cs, sizeof(cs), &icount, &ticks)) {
            fail(e, "bench-mips with -icount shift=0", &run);
        } else {
            e->insns = icount;
            if (strcmp(cs, e->checksum)) {
                fprintf(stderr, "riscv QEMU: checksum %s with -icount, %s "
                        "without\n", cs, e->checksum);
                e->failed = true;
            }
            if (!q->failed && strcmp(q->checksum, e->checksum)) {
                fprintf(stderr, "riscv: checksum qcore %s != QEMU %s\n",
                        q->checksum, e->checksum);
                q->failed = true;
            }
            if (!q->failed && q->insns != e->insns) {
                fprintf(stderr, "riscv: instructions qcore %" PRIu64
                        " != QEMU -icount %" PRIu64 "\n", q->insns, e->insns);
                q->failed = true;
            }
        }
    }
    for (i = 0; i < np; i++) {
        Peer *p = &peers[i];

        if (!p->failed && p->insns && p->best_guest_ms > 0) {
            p->best_mips = p->insns / (p->best_guest_ms * 1e3);
        }
    }

    /* 2. exec -> first serial byte of hello.elf, interleaved. */
    for (r = 0; r < runs; r++) {
        floor_ms[r] = bench_spawn_floor_ms();
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];

            if (p->failed) {
                continue;
            }
            if (!run_guest(p->path, hello_elf, NULL, NULL, &run) ||
                run.first_byte_ns < 0 ||
                strncmp(run.out, "hello: bare-metal", 17)) {
                fail(p, "hello", &run);
                continue;
            }
            first[i][r] = run.first_byte_ns / 1e6;
        }
    }
    for (i = 0; i < np; i++) {
        Peer *p = &peers[i];

        if (p->failed) {
            p->first_best_ms = p->first_median_ms = -1;
            continue;
        }
        qsort(first[i], runs, sizeof(double), cmp_double);
        p->first_best_ms = first[i][0];
        p->first_median_ms = first[i][runs / 2];
    }

    printf("  %-44s %12s %12s %10s\n", "metric", "qcore",
           e->present ? "QEMU" : "QEMU (n/a)", "qcore/QEMU");
    {
        bool he = e->present;
        char m[64];

        bench_versus_row("bench-mips instructions (M)", "%.3f",
            q->insns ? q->insns / 1e6 : -1, e->insns ? e->insns / 1e6 : -1,
            he);
        snprintf(m, sizeof(m), "bench-mips guest time, best of %d (ms)",
                 BENCH_REPS);
        bench_versus_row(m, "%.1f", q->failed ? -1 : q->best_guest_ms,
            e->failed ? -1 : e->best_guest_ms, he);
        bench_versus_row("bench-mips guest MIPS, best", "%.1f", q->best_mips,
            e->best_mips, he);
        bench_versus_row("  whole run exec->exit, best (ms)", "%.1f",
            q->failed ? -1 : q->best_wall_ms,
            e->failed ? -1 : e->best_wall_ms, he);
        snprintf(m, sizeof(m), "hello exec->first byte, best of %ld (ms)",
                 runs);
        bench_versus_row(m, "%.2f", q->first_best_ms, e->first_best_ms, he);
        bench_versus_row("hello exec->first byte, median (ms)", "%.2f",
            q->first_median_ms, e->first_median_ms, he);
        qsort(floor_ms, runs, sizeof(double), cmp_double);
        printf("  %-44s %12.2f %12s %10s\n",
               "  reference: spawn+exit of /bin/true, best", floor_ms[0],
               "", "");
        printf("  %-44s %12.2f %12s %10s\n",
               "  reference: spawn+exit of /bin/true, median",
               floor_ms[runs / 2], "", "");
    }
    printf("  instructions: qcore's minstret; QEMU's from a separate "
           "untimed run with -icount shift=0 (its minstret is the host "
           "cycle counter without icount)\n");
    if (e->present) {
        bench_versus_target("RISC-V", "guest MIPS >= 0.5x QEMU TCG",
                            q->best_mips, e->best_mips, true, 0.5);
        bench_versus_target("RISC-V", "exec->first byte (best) <= 0.2x QEMU",
                            q->first_best_ms, e->first_best_ms, false, 0.2);
    }
    if (access(flops_elf, R_OK) == 0) {
        flops_ok = bench_flops(peers, np, flops_elf);
    } else {
        printf("  bench-flops: %s missing (make -C tests/guest)\n",
               flops_elf);
    }
    fflush(stdout);
    for (i = 0; i < np; i++) {
        free(first[i]);
    }
    free(floor_ms);
    return (q->failed || (e->present && e->failed) || !flops_ok) ? 1 : 0;
}
