/*
 * Linux guest: qcore against Debian's qemu-system-riscv64 (TCG), both
 * booting the kernel and initramfs of scripts/build-linux.sh through the
 * default OpenSBI as "-M virt -smp N -m 512M -nographic -kernel Image
 * -initrd initramfs.cpio.gz -append console=ttyS0" (QEMU with
 * -cpu rv64,h=off, the CPU qcore models), console on stdin/stdout pipes.
 *
 * 1. exec -> the shell's first prompt, at -smp 1 and -smp 4.
 * 2. Then, in that shell, two CPU-bound user programs timed from writing
 *    the command line to its end marker: integer (busybox sha256sum of
 *    a 16 MiB tmpfs file) and floating point (tests/linux/fpbench.c:
 *    n-body steps and a libm loop).  Their outputs must agree between
 *    the peers.
 * 3. The emulator's CPU time (user + sys, from wait4) for each whole run
 *    (boot, the programs at -smp 1, poweroff): less sensitive than wall
 *    time to other load on the machine.
 * Peers alternate within each of BENCH_REPS rounds; best and median.
 *
 * usage: bench-linux QCORE_BINARY LINUX_DIR   (LINUX_DIR: `make linux`)
 * QEMU is qemu-system-riscv64 in $PATH (BENCH_QEMU_RISCV=/path overrides).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "bench.h"

extern char **environ;

#define BOOT_TIMEOUT_MS  300000
#define OUT_MAX          (1 << 20)
#define PROMPT           "linux:/root# "
/* The echoed command line shows "@@$?@@"; only the shell's answer "@@0@@". */
#define DONE             "; echo \"@@$?@@\"\n"
#define DONE_OK          "@@0@@"

enum { M_BOOT1, M_BOOT4, M_INT, M_FP, M_CPU1, M_CPU4, M_NUM };
static const char *const metric_name[M_NUM] = {
    "exec -> shell prompt, -smp 1 (ms)",
    "exec -> shell prompt, -smp 4 (ms)",
    "integer: sha256sum 16 MiB, -smp 1 (ms)",
    "FP: fpbench 200000, -smp 1 (ms)",
    "CPU time of the -smp 1 run (ms)",
    "CPU time of the -smp 4 run (ms)",
};

static const char int_setup[] =
    "dd if=/dev/zero of=/tmp/f bs=64k count=256 2>/dev/null" DONE;
static const char int_cmd[] = "sha256sum /tmp/f" DONE;
static const char fp_cmd[] = "fpbench 200000" DONE;

typedef struct Peer {
    const char *name;
    const char *path;
    char version[160];
    bool present;
    bool failed;
    double ms[M_NUM][BENCH_REPS];
    int n[M_NUM];
    char int_out[128], fp_out[128];     /* what the programs printed */
} Peer;

/* One running emulator with its console on two pipes. */
typedef struct Session {
    pid_t pid;
    int in, out;
    int64_t t0;
    char *buf;
    size_t len, pos;        /* pos: where the next expect() starts */
} Session;

static void session_start(Session *s, const char *path, int smp,
                          const char *dir, bool qemu)
{
    char image[PATH_MAX], initrd[PATH_MAX], smp_s[8];
    char *argv[24];
    posix_spawn_file_actions_t fa;
    int ip[2], op[2], argc = 0, err;

    snprintf(image, sizeof(image), "%s/Image", dir);
    snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio.gz", dir);
    snprintf(smp_s, sizeof(smp_s), "%d", smp);
    argv[argc++] = (char *)path;
    argv[argc++] = "-M";
    argv[argc++] = "virt";
    if (qemu) {
        argv[argc++] = "-cpu";
        argv[argc++] = "rv64,h=off";
    }
    argv[argc++] = "-smp";
    argv[argc++] = smp_s;
    argv[argc++] = "-m";
    argv[argc++] = "512M";
    argv[argc++] = "-nographic";
    argv[argc++] = "-kernel";
    argv[argc++] = image;
    argv[argc++] = "-initrd";
    argv[argc++] = initrd;
    argv[argc++] = "-append";
    argv[argc++] = "console=ttyS0";
    argv[argc] = NULL;

    memset(s, 0, sizeof(*s));
    s->buf = malloc(OUT_MAX + 1);
    if (!s->buf || pipe2(ip, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0) {
        bench_die("pipe2");
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, ip[0], 0);
    posix_spawn_file_actions_adddup2(&fa, op[1], 1);
    s->t0 = bench_now_ns();
    err = posix_spawn(&s->pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(ip[0]);
    close(op[1]);
    if (err) {
        errno = err;
        bench_die(path);
    }
    s->in = ip[1];
    s->out = op[0];
}

/*
 * Read until @marker appears after s->pos; returns ms since exec, or -1
 * on EOF or timeout.  Output past OUT_MAX is dropped (the searches only
 * look at what arrived since the previous marker).
 */
static double session_expect(Session *s, const char *marker)
{
    size_t ml = strlen(marker);

    for (;;) {
        struct pollfd p = { .fd = s->out, .events = POLLIN };
        char *hit = s->len > s->pos
                    ? memmem(s->buf + s->pos, s->len - s->pos, marker, ml)
                    : NULL;
        ssize_t n;
        int pr;

        if (hit) {
            s->pos = hit - s->buf + ml;
            return (bench_now_ns() - s->t0) / 1e6;
        }
        pr = poll(&p, 1, BOOT_TIMEOUT_MS);
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            return -1;
        }
        if (s->len == OUT_MAX) {        /* keep the tail where pos is */
            size_t keep = s->len - s->pos;
            memmove(s->buf, s->buf + s->pos, keep);
            s->len = keep;
            s->pos = 0;
            if (s->len == OUT_MAX) {
                return -1;
            }
        }
        n = read(s->out, s->buf + s->len, OUT_MAX - s->len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        s->len += n;
    }
}

/* Write @cmd and wait for its end marker; ms it took, -1 on failure. */
static double session_run(Session *s, const char *cmd)
{
    size_t from = s->len;
    int64_t t;
    double end;

    s->pos = from;
    t = bench_now_ns();
    if (write(s->in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
        return -1;
    }
    end = session_expect(s, DONE_OK);
    return end < 0 ? -1 : end - (t - s->t0) / 1e6;
}

/* The output line from @from on that contains @needle, or "". */
static void session_grab(Session *s, size_t from, const char *needle,
                         char *out, size_t size)
{
    char *p, *line;

    s->buf[s->len] = 0;
    p = strstr(s->buf + from, needle);
    if (!p) {
        snprintf(out, size, "%s", "");
        return;
    }
    for (line = p; line > s->buf + from && line[-1] != '\n'; line--) {
    }
    snprintf(out, size, "%.*s", (int)strcspn(line, "\r\n"), line);
}

/* Power the guest off; returns the emulator's CPU time in ms. */
static double session_end(Session *s)
{
    static const char off[] = "poweroff -f\n";
    char sink[4096];
    struct rusage ru;
    int wst;

    if (write(s->in, off, sizeof(off) - 1) < 0) {
        /* already gone: the kill below is what matters */
    }
    close(s->in);
    for (;;) {
        struct pollfd p = { .fd = s->out, .events = POLLIN };
        if (poll(&p, 1, 20000) <= 0 || read(s->out, sink, sizeof(sink)) <= 0) {
            break;
        }
    }
    kill(s->pid, SIGKILL);      /* no-op when it powered off */
    close(s->out);
    while (wait4(s->pid, &wst, 0, &ru) < 0 && errno == EINTR) {
    }
    free(s->buf);
    return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
           ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static void fail(Peer *p, const char *what, Session *s)
{
    s->buf[s->len] = 0;
    fprintf(stderr, "linux %s: %s FAILED, last output:\n%s\n", p->name, what,
            s->len > 3000 ? s->buf + s->len - 3000 : s->buf);
    p->failed = true;
}

static void record(Peer *p, int m, double ms)
{
    p->ms[m][p->n[m]++] = ms;
}

/* One boot at @smp; at -smp 1 also the two programs. */
static void one_run(Peer *p, int smp, const char *dir)
{
    Session s;
    double t;
    size_t from;

    session_start(&s, p->path, smp, dir, strcmp(p->name, "qcore"));
    t = session_expect(&s, PROMPT);
    if (t < 0) {
        fail(p, "boot to the shell prompt", &s);
        session_end(&s);
        return;
    }
    record(p, smp == 1 ? M_BOOT1 : M_BOOT4, t);
    if (smp == 1) {
        if (session_run(&s, int_setup) < 0) {
            fail(p, "creating /tmp/f", &s);
            session_end(&s);
            return;
        }
        from = s.len;
        t = session_run(&s, int_cmd);
        /* the echoed command has one space before /tmp/f, the answer two */
        session_grab(&s, from, "  /tmp/f", p->int_out, sizeof(p->int_out));
        if (t < 0) {
            fail(p, "sha256sum", &s);
            session_end(&s);
            return;
        }
        record(p, M_INT, t);
        from = s.len;
        t = session_run(&s, fp_cmd);
        session_grab(&s, from, "fpbench: steps", p->fp_out,
                     sizeof(p->fp_out));
        if (t < 0) {
            fail(p, "fpbench", &s);
            session_end(&s);
            return;
        }
        record(p, M_FP, t);
    }
    record(p, smp == 1 ? M_CPU1 : M_CPU4, session_end(&s));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double best(Peer *p, int m)
{
    if (!p->n[m]) {
        return -1;
    }
    qsort(p->ms[m], p->n[m], sizeof(double), cmp_double);
    return p->ms[m][0];
}

static double median(Peer *p, int m)
{
    return p->n[m] ? p->ms[m][p->n[m] / 2] : -1;    /* sorted by best() */
}

int main(int argc, char **argv)
{
    static Peer peers[2];
    static char qemu_path[PATH_MAX], image[PATH_MAX];
    Peer *q = &peers[0], *e = &peers[1];
    const char *qemu_env = getenv("BENCH_QEMU_RISCV");
    int np, i, m, rep, smp;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 3) {
        fprintf(stderr, "usage: bench-linux QCORE_BINARY LINUX_DIR\n");
        return 1;
    }
    snprintf(image, sizeof(image), "%s/Image", argv[2]);
    if (access(argv[1], X_OK) < 0 || access(image, R_OK) < 0) {
        fprintf(stderr, "linux: no %s or no %s (make linux)\n", argv[1],
                image);
        return 1;
    }
    *q = (Peer) { .name = "qcore", .path = argv[1], .present = true };
    *e = (Peer) { .name = "QEMU", .path = qemu_path };
    e->present = bench_find_in_path(qemu_env ? qemu_env
                                             : "qemu-system-riscv64",
                                    qemu_path, sizeof(qemu_path));
    np = e->present ? 2 : 1;
    for (i = 0; i < np; i++) {
        bench_program_version(peers[i].path, peers[i].version,
                              sizeof(peers[i].version));
    }

    printf("\nLinux guest: qcore vs QEMU TCG (-cpu rv64,h=off), \"-M virt "
           "-smp N -m 512M -nographic -kernel Image -initrd ...\", console "
           "on pipes, %d rounds alternating\n", BENCH_REPS);
    bench_versus_header(q->path, q->version, e->present, e->path,
                        e->version,
                        qemu_env ? qemu_env : "qemu-system-riscv64 in $PATH",
                        "install qemu-system-misc or set BENCH_QEMU_RISCV=/path");
    for (rep = 0; rep < BENCH_REPS; rep++) {
        for (smp = 1; smp <= 4; smp += 3) {
            for (i = 0; i < np; i++) {
                if (!peers[i].failed) {
                    one_run(&peers[i], smp, argv[2]);
                }
            }
        }
    }
    if (np > 1 && !q->failed && !e->failed &&
        (strcmp(q->int_out, e->int_out) || strcmp(q->fp_out, e->fp_out))) {
        fprintf(stderr, "linux: outputs differ: qcore \"%s\" \"%s\", QEMU "
                "\"%s\" \"%s\"\n", q->int_out, q->fp_out, e->int_out,
                e->fp_out);
        q->failed = true;
    }

    printf("  %-44s %12s %12s %10s\n", "metric", "qcore",
           e->present ? "QEMU" : "QEMU (n/a)", "qcore/QEMU");
    for (m = 0; m < M_NUM; m++) {
        char name[96];

        snprintf(name, sizeof(name), "%s, best", metric_name[m]);
        bench_versus_row(name, "%.0f", q->failed ? -1 : best(q, m),
                         e->failed ? -1 : best(e, m), e->present);
        snprintf(name, sizeof(name), "  median");
        bench_versus_row(name, "%.0f", q->failed ? -1 : median(q, m),
                         e->failed ? -1 : median(e, m), e->present);
    }
    printf("  programs printed: \"%s\" and \"%s\"\n", q->int_out, q->fp_out);
    if (e->present) {
        bench_versus_target("Linux", "exec->prompt -smp 1 (best) <= 1.0x QEMU",
                            best(q, M_BOOT1), best(e, M_BOOT1), false, 1.0);
        bench_versus_target("Linux", "exec->prompt -smp 4 (best) <= 1.0x QEMU",
                            best(q, M_BOOT4), best(e, M_BOOT4), false, 1.0);
        bench_versus_target("Linux", "exec->prompt -smp 1 (best) <= 0.5x QEMU",
                            best(q, M_BOOT1), best(e, M_BOOT1), false, 0.5);
        bench_versus_target("Linux", "exec->prompt -smp 4 (best) <= 0.5x QEMU",
                            best(q, M_BOOT4), best(e, M_BOOT4), false, 0.5);
    }
    fflush(stdout);
    return (q->failed || (e->present && e->failed)) ? 1 : 0;
}
