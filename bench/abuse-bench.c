/*
 * Main-loop responsiveness under abuse: qcore against Debian's
 * qemu-system-riscv64 (QEMU 7.2), in the same run, alternating.  A second
 * QMP monitor's query-status latency while (a) another QMP client receives
 * a 16 MiB answer, (b) the guest floods the UART, (c) the guest hammers an
 * MMIO register; plus an idle guest as the baseline.  No QEMU file
 * corresponds: this is the benchmark of issue 8 (see bench/README.md).
 *
 * usage: bench-abuse QCORE_BINARY GUEST_BUILD_DIR
 * The guest is GUEST_BUILD_DIR/bench-abuse.elf (tests/guest/bench-abuse.c).
 * QEMU is qemu-system-riscv64 in $PATH (BENCH_QEMU_RISCV=/path overrides);
 * without it only the qcore column is measured.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "bench.h"

extern char **environ;

/* The latency client sends one query-status per PERIOD_NS (1 kHz). */
#define PERIOD_NS       1000000LL
#define WINDOW_MS       3000        /* per run; BENCH_SCALE shrinks it */
#define WARMUP_REQS     50
/*
 * A reply later than this means the peer's main loop is stuck: no client
 * waits longer, and a stall shorter than this (the machine may be loaded)
 * is a sample, not a wedge.
 */
#define REQ_TIMEOUT_MS  10000
/* No byte of the big answer for this long: stuck as well. */
#define BIG_STALL_MS    30000
#define START_TIMEOUT_MS 20000
#define BIG_ID_LEN      (16u << 20)
#define BIG_SNDBUF      (16u << 10)
#define SLOW_CHUNK      (64u << 10) /* the slow reader: 64 KiB ... */
#define SLOW_PAUSE_NS   10000000LL  /* ... every 10 ms, 6.4 MB/s */
#define LINE_BUF        (1u << 16)
#define HAMMER_BATCH    65536       /* MMIO pairs per '.' (bench-abuse.c) */

#define QUERY_STATUS    "{\"execute\": \"query-status\"}\n"
#define ECHO_REPLY      "{\"return\": {\"status\": \"running\", " \
                        "\"singlestep\": false, \"running\": true}}\n"

enum { SC_FLOOR, SC_IDLE, SC_BIG, SC_BIG_SLOW, SC_UART, SC_MMIO, SC_N };

static const struct {
    const char *name;
    char mode;                  /* the command byte for bench-abuse.elf */
} scenarios[SC_N] = {
    [SC_FLOOR]    = { "client floor: in-harness echo server", 0 },
    [SC_IDLE]     = { "idle guest (wfi)", 'i' },
    [SC_BIG]      = { "16 MiB QMP answer, read at once", 'i' },
    [SC_BIG_SLOW] = { "16 MiB QMP answer, read at 6.4 MB/s", 'i' },
    [SC_UART]     = { "guest floods the UART", 'u' },
    [SC_MMIO]     = { "guest hammers UART SCR (MMIO)", 'm' },
};

/* A buffered line reader over a non-blocking socket. */
typedef struct Conn {
    int fd;
    char *buf;
    size_t cap, len;
    size_t used;                /* bytes of the last line, dropped next */
} Conn;

/* Latency samples of one peer in one scenario, pooled over its runs. */
typedef struct Samples {
    int64_t *ns;
    size_t n, cap;
} Samples;

typedef struct Result {
    Samples s;                  /* the big scenarios: the answer phase */
    Samples req;                /* the big scenarios: the request phase */
    int runs, wedged, failed;
    double run_p99[BENCH_REPS];         /* µs, each run's own p99 */
    int n_run_p99;
    const char *skipped;        /* why this peer did not run it, or NULL */
    double abuse_units, abuse_secs;     /* bytes/pairs/answers, seconds */
    double big_bytes;
    long hwm_kb;                        /* peak VmHWM over the runs */
} Result;

typedef struct Peer {
    const char *name;
    const char *path;
    char version[160];
    bool present;
    Result r[SC_N];
} Peer;

/* A running emulator and its three connections. */
typedef struct Instance {
    const Peer *peer;
    pid_t pid;
    Conn lat, big, ser;
} Instance;

static char tmp_dir[64];
static char lat_path[108], big_path[108], ser_path[108], log_path[108];
static int lat_listen = -1, big_listen = -1, ser_listen = -1;
static const char *guest_elf;
/* The emulator running now, killed if the benchmark is interrupted. */
static volatile pid_t child_pid;
/*
 * BENCH_ABUSE_TRACE=FILE: a line per round trip over TRACE_MIN_NS and per
 * phase change of the 16 MiB client, in CLOCK_MONOTONIC microseconds, to
 * line them up with a trace of the emulator's main loop.
 */
static FILE *trace_file;
#define TRACE_MIN_NS 1000000LL

static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void trace(const char *fmt, ...)
{
    va_list ap;

    if (!trace_file) {
        return;
    }
    va_start(ap, fmt);
    flockfile(trace_file);
    fprintf(trace_file, "%lld ", (long long)(bench_now_ns() / 1000));
    vfprintf(trace_file, fmt, ap);
    fputc('\n', trace_file);
    funlockfile(trace_file);
    va_end(ap);
}

static int64_t window_ns;

static void cleanup(void)
{
    if (child_pid > 0) {
        kill(child_pid, SIGKILL);
    }
    if (tmp_dir[0]) {
        unlink(lat_path);
        unlink(big_path);
        unlink(ser_path);
        unlink(log_path);
        rmdir(tmp_dir);
    }
}

/* Only async-signal-safe calls in cleanup(): kill, unlink, rmdir. */
static void on_signal(int sig)
{
    cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- sockets and lines ------------------------------------------------- */

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        bench_die(path);
    }
    return fd;
}

static int ms_until(int64_t deadline)
{
    int64_t left = deadline - bench_now_ns();

    return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* Poll @fd for @events until @deadline; false on timeout. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int r;

    do {
        r = poll(&pfd, 1, ms_until(deadline));
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

static void conn_init(Conn *c, int fd, size_t cap)
{
    c->fd = fd;
    c->cap = cap;
    c->buf = malloc(cap);
    c->len = c->used = 0;
    if (!c->buf) {
        bench_die("malloc");
    }
}

static void conn_close(Conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->buf);
    c->fd = -1;
    c->buf = NULL;
}

/*
 * The next complete line (NUL-terminated, without "\n"); NULL on EOF or
 * error (*@timed_out false) or at @deadline (*@timed_out true).  Reads as
 * much as the socket holds at once; only the new bytes are scanned.
 */
static char *conn_line(Conn *c, int64_t deadline, bool *timed_out)
{
    size_t scanned;
    char *nl;

    *timed_out = false;
    if (c->used) {
        memmove(c->buf, c->buf + c->used, c->len - c->used);
        c->len -= c->used;
        c->used = 0;
    }
    scanned = 0;
    while (!(nl = memchr(c->buf + scanned, '\n', c->len - scanned))) {
        ssize_t n;

        scanned = c->len;
        if (c->len == c->cap - 1) {
            fprintf(stderr, "abuse: line longer than %zu bytes\n", c->len);
            return NULL;
        }
        n = read(c->fd, c->buf + c->len, c->cap - 1 - c->len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (!wait_fd(c->fd, POLLIN, deadline)) {
                *timed_out = true;
                return NULL;
            }
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        c->len += n;
    }
    *nl = 0;
    c->used = nl + 1 - c->buf;
    return c->buf;
}

static bool conn_write(Conn *c, const char *s, size_t len, int64_t deadline)
{
    while (len) {
        ssize_t n = write(c->fd, s, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (!wait_fd(c->fd, POLLOUT, deadline)) {
                return false;
            }
            continue;
        }
        if (n < 0) {
            return false;
        }
        s += n;
        len -= n;
    }
    return true;
}

static bool is_event(const char *line)
{
    return !strncmp(line, "{\"event\"", 8);
}

/* Next reply that is not an event: 1 "return", 0 anything else, -1 none. */
static int conn_reply(Conn *c, int64_t deadline, bool *timed_out)
{
    char *line;

    do {
        line = conn_line(c, deadline, timed_out);
        if (!line) {
            return -1;
        }
    } while (is_event(line));
    if (strncmp(line, "{\"return\"", 9)) {
        fprintf(stderr, "abuse: unexpected reply: %.200s\n", line);
        return 0;
    }
    return 1;
}

/* ---- latency samples ---------------------------------------------------- */

static void sample_add(Samples *s, int64_t ns)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->ns = realloc(s->ns, s->cap * sizeof(*s->ns));
        if (!s->ns) {
            bench_die("realloc");
        }
    }
    s->ns[s->n++] = ns;
}

/*
 * One round trip took @rtt while the client meant to send every PERIOD_NS.
 * A client that waits for each reply cannot send while the peer is stuck,
 * so the requests it would have sent are missing from the samples; they
 * are added as the latency they would have seen (rtt - k * period), as
 * HdrHistogram's recordValueWithExpectedInterval does.  Without this a
 * stall of one second would count as a single slow sample.
 */
static void sample_record(Samples *s, int64_t rtt)
{
    int64_t missed;

    sample_add(s, rtt);
    for (missed = rtt - PERIOD_NS; missed >= PERIOD_NS; missed -= PERIOD_NS) {
        sample_add(s, missed);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* The @pct-th percentile in µs (nearest rank); -1 without samples. */
static double sample_pct(Samples *s, double pct)
{
    size_t i;

    if (!s->n) {
        return -1;
    }
    i = (size_t)(pct / 100.0 * s->n);
    return s->ns[i < s->n ? i : s->n - 1] / 1e3;
}

/*
 * The 16 MiB client: sends {"execute": "query-status", "id": "AAAA..."}
 * with a 16 MiB id, reads the whole answer (at once, or SLOW_CHUNK per
 * SLOW_PAUSE_NS) and checks that the id came back whole; again until told
 * to stop.  Its phase tells the latency client which samples fall while
 * the request is in flight and which while the answer is produced and read
 * (from the request's last byte written to the answer's last byte read).
 */
enum { BIG_REQUEST = 1, BIG_ANSWER = 2 };

typedef struct Big {
    Conn *c;
    const char *req;
    size_t req_len;
    bool slow;
    int64_t end;                /* no new request after it, once answered */
    atomic_bool stop, done;
    atomic_int phase;
    atomic_uint answer_starts;
    atomic_int answers;
    /* Results, read after the join. */
    double bytes;
    bool stalled, bad;
} Big;

/* The p99 of the samples @res->s got since it held @n0, kept per run. */
static void note_run_p99(Result *res, size_t n0)
{
    Samples run = { .n = res->s.n - n0 };

    if (!run.n || res->n_run_p99 == BENCH_REPS) {
        return;
    }
    run.ns = malloc(run.n * sizeof(*run.ns));
    if (!run.ns) {
        bench_die("malloc");
    }
    memcpy(run.ns, res->s.ns + n0, run.n * sizeof(*run.ns));
    qsort(run.ns, run.n, sizeof(*run.ns), cmp_i64);
    res->run_p99[res->n_run_p99++] = sample_pct(&run, 99);
    free(run.ns);
}

typedef enum { LAT_OK, LAT_WEDGED, LAT_FAILED } LatStatus;

/*
 * With a 16 MiB client, the window lasts at least until its first answer
 * is complete (one exchange takes minutes on QEMU, see the README).
 */
static bool window_open(int64_t now, int64_t end, Big *big)
{
    if (!big) {
        return now < end;
    }
    if (atomic_load(&big->done)) {
        return false;
    }
    return now < end || atomic_load(&big->answers) == 0;
}

/*
 * query-status on @c once per PERIOD_NS until the window closes, each
 * round trip from just before write() to the reply's last byte into
 * @res->s (or @res->req while @big's request is in flight).  The client's
 * own wake-up delay is outside the measured interval.  @warmup requests
 * first, untimed, back to back.
 */
static LatStatus sample_window(Conn *c, int64_t end, int warmup, Result *res,
                               Big *big)
{
    const size_t qlen = sizeof(QUERY_STATUS) - 1;
    int64_t next;
    bool to;
    int i, r;

    for (i = 0; i < warmup; i++) {
        int64_t dl = bench_now_ns() + REQ_TIMEOUT_MS * 1000000LL;

        if (!conn_write(c, QUERY_STATUS, qlen, dl)) {
            return LAT_WEDGED;
        }
        r = conn_reply(c, dl, &to);
        if (r <= 0) {
            return to ? LAT_WEDGED : LAT_FAILED;
        }
    }
    next = bench_now_ns();
    while (window_open(next, end, big)) {
        unsigned starts = big ? atomic_load(&big->answer_starts) : 0;
        bool answer = big && atomic_load(&big->phase) == BIG_ANSWER;
        struct timespec ts = {
            .tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL,
        };
        int64_t t0, t1, dl;

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)
               == EINTR) {
        }
        t0 = bench_now_ns();
        dl = t0 + REQ_TIMEOUT_MS * 1000000LL;
        if (!conn_write(c, QUERY_STATUS, qlen, dl)) {
            return LAT_WEDGED;
        }
        r = conn_reply(c, dl, &to);
        t1 = bench_now_ns();
        if (r <= 0) {
            return to ? LAT_WEDGED : LAT_FAILED;
        }
        /* A sample that overlapped the start of an answer counts there. */
        answer |= big && atomic_load(&big->answer_starts) != starts;
        sample_record(big && !answer ? &res->req : &res->s, t1 - t0);
        if (t1 - t0 >= TRACE_MIN_NS) {
            trace("slow %lld us, sent at %lld (%s)",
                  (long long)(t1 - t0) / 1000, (long long)t0 / 1000,
                  !big ? "-" : answer ? "answer" : "request");
        }
        next += PERIOD_NS;
        if (next < t1) {
            next = t1;          /* the missed slots were recorded above */
        }
    }
    return LAT_OK;
}

/* ---- the client floor: the same client against a trivial server ------- */

/* Child: answer every line on @fd with ECHO_REPLY until EOF. */
static void echo_server(int fd)
{
    static char buf[LINE_BUF];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; (p = memchr(p, '\n', buf + n - p)); p++) {
            if (write(fd, ECHO_REPLY, sizeof(ECHO_REPLY) - 1) < 0) {
                _exit(1);
            }
        }
    }
    _exit(0);
}

static void run_floor(Result *res)
{
    int sv[2];
    pid_t pid;
    Conn c;
    LatStatus st;
    size_t n0 = res->s.n;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        bench_die("socketpair");
    }
    pid = fork();
    if (pid < 0) {
        bench_die("fork");
    }
    if (pid == 0) {
        close(sv[0]);
        echo_server(sv[1]);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    conn_init(&c, sv[0], LINE_BUF);
    st = sample_window(&c, bench_now_ns() + window_ns, WARMUP_REQS, res,
                       NULL);
    res->runs++;
    res->failed += st != LAT_OK;
    note_run_p99(res, n0);
    conn_close(&c);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* ---- emulators ---------------------------------------------------------- */

static pid_t spawn_emulator(const Peer *p)
{
    char ser_arg[128], lat_arg[128], big_arg[128];
    char *argv[] = {
        (char *)p->path, "-M", "virt", "-smp", "1", "-m", "128M",
        "-bios", "none", "-kernel", (char *)guest_elf,
        "-nodefaults", "-display", "none",
        "-serial", ser_arg, "-qmp", lat_arg, "-qmp", big_arg, NULL,
    };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int err;

    snprintf(ser_arg, sizeof(ser_arg), "unix:%s", ser_path);
    snprintf(lat_arg, sizeof(lat_arg), "unix:%s", lat_path);
    snprintf(big_arg, sizeof(big_arg), "unix:%s", big_path);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    err = posix_spawn(&pid, p->path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) {
        errno = err;
        bench_die(p->path);
    }
    return pid;
}

static void print_log(const Peer *p)
{
    char buf[2048];
    FILE *f = fopen(log_path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    buf[n] = 0;
    if (n) {
        fprintf(stderr, "abuse %s: its stderr:\n%s\n", p->name, buf);
    }
    if (f) {
        fclose(f);
    }
}

static int accept_on(int lfd, int64_t deadline)
{
    int fd;

    if (!wait_fd(lfd, POLLIN, deadline)) {
        return -1;
    }
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        bench_die("accept");
    }
    return fd;
}

/* Greeting and qmp_capabilities on @c. */
static bool qmp_negotiate(Conn *c, int64_t deadline)
{
    static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
    bool to;
    char *line = conn_line(c, deadline, &to);

    if (!line || strncmp(line, "{\"QMP\"", 6)) {
        return false;
    }
    return conn_write(c, caps, sizeof(caps) - 1, deadline) &&
           conn_reply(c, deadline, &to) == 1;
}

/* Wait for a serial line starting with @prefix. */
static bool serial_expect(Conn *c, const char *prefix, int64_t deadline)
{
    bool to;
    char *line;

    while ((line = conn_line(c, deadline, &to))) {
        if (!strncmp(line, prefix, strlen(prefix))) {
            return true;
        }
    }
    return false;
}

static void stop_instance(Instance *in)
{
    if (in->pid > 0) {
        kill(in->pid, SIGKILL);
        while (waitpid(in->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        in->pid = 0;
        child_pid = 0;
    }
    conn_close(&in->lat);
    conn_close(&in->big);
    conn_close(&in->ser);
}

/* Start @p with the guest in @mode and both monitors negotiated. */
static bool start_instance(Instance *in, const Peer *p, char mode)
{
    int64_t dl = bench_now_ns() + START_TIMEOUT_MS * 1000000LL;
    char want[32];
    int lat, big, ser;

    memset(in, 0, sizeof(*in));
    in->peer = p;
    in->lat.fd = in->big.fd = in->ser.fd = -1;
    in->pid = child_pid = spawn_emulator(p);
    lat = accept_on(lat_listen, dl);
    big = accept_on(big_listen, dl);
    ser = accept_on(ser_listen, dl);
    conn_init(&in->lat, lat, LINE_BUF);
    conn_init(&in->big, big, BIG_ID_LEN + LINE_BUF);
    if (big >= 0) {
        /*
         * A small send buffer, so that the request's last byte written is
         * close to its last byte read: the phase boundary the latency
         * client uses (the kernel doubles the value).
         */
        int sndbuf = BIG_SNDBUF;
        setsockopt(big, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    }
    conn_init(&in->ser, ser, LINE_BUF);
    if (lat < 0 || big < 0 || ser < 0) {
        int wst;
        pid_t r = waitpid(in->pid, &wst, WNOHANG);

        fprintf(stderr, "abuse %s: did not connect its chardevs (monitors "
                "%s/%s, serial %s; %s)\n", p->name, lat < 0 ? "no" : "yes",
                big < 0 ? "no" : "yes", ser < 0 ? "no" : "yes",
                r == 0 ? "still running" : "exited");
        if (r == in->pid) {
            in->pid = child_pid = 0;
        }
        goto fail;
    }
    if (!qmp_negotiate(&in->lat, dl) || !qmp_negotiate(&in->big, dl)) {
        fprintf(stderr, "abuse %s: QMP negotiation failed\n", p->name);
        goto fail;
    }
    snprintf(want, sizeof(want), "bench-abuse: mode %c", mode);
    if (!serial_expect(&in->ser, "bench-abuse: ready", dl) ||
        !conn_write(&in->ser, &mode, 1, dl) ||
        !serial_expect(&in->ser, want, dl)) {
        fprintf(stderr, "abuse %s: the guest did not start mode %c\n",
                p->name, mode);
        goto fail;
    }
    return true;

fail:
    print_log(p);
    stop_instance(in);
    return false;
}

static long proc_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, key, klen) && line[klen] == ':') {
            kb = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* ---- the abusers: threads beside the latency client -------------------- */

/*
 * Reads the serial socket as a console logger would, counting bytes and
 * the hammer's progress dots.
 */
typedef struct Drain {
    Conn *c;
    atomic_bool stop;
    atomic_llong bytes, dots;
} Drain;

static void *drain_thread(void *opaque)
{
    Drain *d = opaque;
    char buf[LINE_BUF];

    while (!atomic_load(&d->stop)) {
        ssize_t n = read(d->c->fd, buf, sizeof(buf));
        long long dots = 0;

        if (n < 0 && errno == EAGAIN) {
            wait_fd(d->c->fd, POLLIN, bench_now_ns() + 100000000LL);
            continue;
        }
        if (n <= 0) {
            break;
        }
        for (char *p = buf; (p = memchr(p, '.', buf + n - p)); p++) {
            dots++;
        }
        atomic_fetch_add(&d->bytes, n);
        atomic_fetch_add(&d->dots, dots);
    }
    return NULL;
}

static bool big_check(const char *line, size_t len)
{
    static const char key[] = "\"id\": \"";
    const char *id;
    size_t i;

    if (strncmp(line, "{\"return\"", 9)) {
        return false;
    }
    id = memmem(line, len, key, sizeof(key) - 1);
    if (!id) {
        return false;
    }
    id += sizeof(key) - 1;
    if (line + len - id < BIG_ID_LEN + 1 || id[BIG_ID_LEN] != '"') {
        return false;
    }
    for (i = 0; i < BIG_ID_LEN; i += 4093) {
        if (id[i] != 'A') {
            return false;
        }
    }
    return id[BIG_ID_LEN - 1] == 'A';
}

/* One request and its answer; false when stuck or wrong. */
static bool big_exchange(Big *b)
{
    Conn *c = b->c;
    size_t sent = 0;
    int64_t last = bench_now_ns(), next_read = 0;
    char *nl = NULL;

    c->len = 0;
    trace("big request start");
    atomic_store(&b->phase, BIG_REQUEST);
    while (!nl) {
        bool may_read = !b->slow || bench_now_ns() >= next_read;
        struct pollfd pfd = {
            .fd = c->fd,
            .events = (may_read ? POLLIN : 0) |
                      (sent < b->req_len ? POLLOUT : 0),
        };
        int timeout = ms_until(last + BIG_STALL_MS * 1000000LL);
        int r;

        if (!may_read) {
            int pause = ms_until(next_read);
            timeout = pause < timeout ? pause : timeout;
        }
        r = poll(&pfd, 1, timeout);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (bench_now_ns() - last > BIG_STALL_MS * 1000000LL) {
            b->stalled = true;
            return false;
        }
        if (r <= 0) {
            continue;
        }
        if ((pfd.revents & POLLOUT) && sent < b->req_len) {
            ssize_t w = write(c->fd, b->req + sent, b->req_len - sent);

            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                b->bad = true;
                return false;
            }
            if (w > 0) {
                sent += w;
                last = bench_now_ns();
                if (sent == b->req_len) {
                    trace("big request written");
                    atomic_store(&b->phase, BIG_ANSWER);
                    atomic_fetch_add(&b->answer_starts, 1);
                }
            }
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            size_t room = c->cap - 1 - c->len;
            ssize_t n;

            if (b->slow && room > SLOW_CHUNK) {
                room = SLOW_CHUNK;
            }
            if (!room) {
                b->bad = true;
                return false;
            }
            n = read(c->fd, c->buf + c->len, room);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            if (n <= 0) {
                b->bad = true;
                return false;
            }
            nl = memchr(c->buf + c->len, '\n', n);
            c->len += n;
            last = bench_now_ns();
            next_read = last + SLOW_PAUSE_NS;
            /* An event line before the answer: drop it. */
            if (nl && is_event(c->buf)) {
                size_t keep = c->buf + c->len - (nl + 1);
                memmove(c->buf, nl + 1, keep);
                c->len = keep;
                nl = memchr(c->buf, '\n', c->len);
            }
        }
    }
    trace("big answer read");
    b->bytes += c->len;
    if (!big_check(c->buf, nl - c->buf)) {
        fprintf(stderr, "abuse: the 16 MiB answer is wrong: %.200s\n",
                c->buf);
        b->bad = true;
        return false;
    }
    c->len = 0;
    return true;
}

static void *big_thread(void *opaque)
{
    Big *b = opaque;

    while (!atomic_load(&b->stop) &&
           !(atomic_load(&b->answers) && bench_now_ns() >= b->end) &&
           big_exchange(b)) {
        atomic_fetch_add(&b->answers, 1);
    }
    atomic_store(&b->done, true);
    return NULL;
}

/* ---- one run ------------------------------------------------------------ */

static void run_once(Peer *p, int sc, const char *big_req, size_t big_len)
{
    Result *res = &p->r[sc];
    Instance in;
    Drain drain = { 0 };
    Big big = { 0 };
    pthread_t drain_tid, big_tid;
    bool with_big = sc == SC_BIG || sc == SC_BIG_SLOW;
    int64_t t0, t1;
    long long bytes0, dots0;
    size_t n0;
    LatStatus st;
    long hwm;

    res->runs++;
    /* A start that failed once (seen on a machine at load 16) is retried. */
    if (!start_instance(&in, p, scenarios[sc].mode) &&
        !start_instance(&in, p, scenarios[sc].mode)) {
        res->failed++;
        return;
    }
    trace("run %s, %s, pid %d", p->name, scenarios[sc].name, (int)in.pid);
    drain.c = &in.ser;
    pthread_create(&drain_tid, NULL, drain_thread, &drain);
    /* Let the abuse get going: the first progress dot of the hammer. */
    if (sc == SC_MMIO) {
        int64_t dl = bench_now_ns() + START_TIMEOUT_MS * 1000000LL;
        while (!atomic_load(&drain.dots) && bench_now_ns() < dl) {
            usleep(1000);
        }
    }
    if (with_big) {
        big.c = &in.big;
        big.req = big_req;
        big.req_len = big_len;
        big.slow = sc == SC_BIG_SLOW;
        big.end = bench_now_ns() + window_ns;
        pthread_create(&big_tid, NULL, big_thread, &big);
    }
    bytes0 = atomic_load(&drain.bytes);
    dots0 = atomic_load(&drain.dots);
    t0 = bench_now_ns();
    n0 = res->s.n;
    st = sample_window(&in.lat, t0 + window_ns, WARMUP_REQS, res,
                       with_big ? &big : NULL);
    t1 = bench_now_ns();
    switch (sc) {
    case SC_UART:
        res->abuse_units += atomic_load(&drain.bytes) - bytes0;
        break;
    case SC_MMIO:
        res->abuse_units += (double)(atomic_load(&drain.dots) - dots0) *
                            HAMMER_BATCH;
        break;
    }
    res->abuse_secs += (t1 - t0) / 1e9;
    /* Before any kill: a wedged peer's growth shows here. */
    hwm = proc_kb(in.pid, "VmHWM");
    if (hwm > res->hwm_kb) {
        res->hwm_kb = hwm;
    }
    if (with_big) {
        atomic_store(&big.stop, true);
        if (st != LAT_OK) {
            kill(in.pid, SIGKILL);      /* unblocks the big client too */
        }
        pthread_join(big_tid, NULL);
        res->abuse_units += atomic_load(&big.answers);
        res->big_bytes += big.bytes;
        if (st == LAT_OK && (big.stalled || big.bad)) {
            st = big.stalled ? LAT_WEDGED : LAT_FAILED;
        }
        if (big.stalled) {
            fprintf(stderr, "abuse %s: the 16 MiB answer stalled after "
                    "%.0f bytes\n", p->name, big.bytes + in.big.len);
        }
    }
    atomic_store(&drain.stop, true);
    kill(in.pid, SIGKILL);              /* EOF for the drain thread */
    pthread_join(drain_tid, NULL);
    if (st == LAT_WEDGED) {
        fprintf(stderr, "abuse %s: %s: no reply to query-status within "
                "%d ms: WEDGED\n", p->name, scenarios[sc].name,
                REQ_TIMEOUT_MS);
        res->wedged++;
    } else if (st == LAT_FAILED) {
        print_log(p);
        res->failed++;
    } else {
        note_run_p99(res, n0);
    }
    stop_instance(&in);
}

/* ---- report ------------------------------------------------------------- */

static bool result_ok(const Result *r)
{
    return !r->skipped && !r->wedged && !r->failed && r->s.n;
}

/* The percentile of @s in µs, or why there is none. */
static void fmt_us(char *out, size_t size, const Result *r, Samples *s,
                   double pct)
{
    if (r->skipped) {
        snprintf(out, size, "not run");
    } else if (r->wedged) {
        snprintf(out, size, "WEDGED");
    } else if (r->failed || !s->n) {
        snprintf(out, size, "FAILED");
    } else {
        snprintf(out, size, "%.1f", sample_pct(s, pct));
    }
}

/* One row "metric  qcore  QEMU  qcore/QEMU"; @req: the request phase. */
static void print_pair(const char *metric, Result *q, Result *e, bool have_e,
                       bool req, double pct)
{
    Samples *sq = req ? &q->req : &q->s, *se = req ? &e->req : &e->s;
    char qs[32], es[32], ratio[16] = "-";

    fmt_us(qs, sizeof(qs), q, sq, pct);
    if (have_e) {
        fmt_us(es, sizeof(es), e, se, pct);
    } else {
        snprintf(es, sizeof(es), "-");
    }
    if (have_e && result_ok(q) && result_ok(e) && sq->n && se->n) {
        snprintf(ratio, sizeof(ratio), "%.3f",
                 sample_pct(sq, pct) / sample_pct(se, pct));
    }
    printf("  %-44s %12s %12s %10s\n", metric, qs, es, ratio);
}

static void abuse_note(char *out, size_t size, int sc, const Result *r)
{
    double secs = r->abuse_secs > 0 ? r->abuse_secs : 1;

    switch (sc) {
    case SC_BIG:
    case SC_BIG_SLOW:
        snprintf(out, size, "%.0f answers in %.1f s, peak RSS %.0f MiB",
                 r->abuse_units, r->abuse_secs, r->hwm_kb / 1024.0);
        break;
    case SC_UART:
        snprintf(out, size, "%.2f MB/s through the UART, peak RSS %.0f MiB",
                 r->abuse_units / secs / 1e6, r->hwm_kb / 1024.0);
        break;
    case SC_MMIO:
        snprintf(out, size, "%.2f M store+load pairs/s, peak RSS %.0f MiB",
                 r->abuse_units / secs / 1e6, r->hwm_kb / 1024.0);
        break;
    default:
        snprintf(out, size, "peak RSS %.0f MiB", r->hwm_kb / 1024.0);
        break;
    }
}

static void print_run_p99(const Result *r)
{
    int i;

    if (!r->n_run_p99) {
        return;
    }
    printf("           p99 of each run (us):");
    for (i = 0; i < r->n_run_p99; i++) {
        printf("%s %.1f", i ? " /" : "", r->run_p99[i]);
    }
    printf("\n");
}

static void print_counts(const Peer *p, int sc, bool big)
{
    const Result *r = &p->r[sc];
    char note[96];

    if (r->skipped) {
        printf("    %-6s not run (%s)\n", p->name, r->skipped);
        return;
    }
    abuse_note(note, sizeof(note), sc, r);
    printf("    %-6s %zu samples", p->name, r->s.n);
    if (big) {
        printf(" (+%zu in the request phase)", r->req.n);
    }
    printf(", %d/%d runs wedged; %s\n", r->wedged, r->runs, note);
    print_run_p99(r);
}

static void print_target(const char *what, Result *q, Result *e, bool have_e)
{
    double p99q = result_ok(q) ? sample_pct(&q->s, 99) : -1;
    double p99e = have_e && result_ok(e) ? sample_pct(&e->s, 99) : -1;

    if (q->skipped) {
        printf("  ABUSE target p99 < 5 ms and < QEMU's, %s: not run (%s)\n",
               what, q->skipped);
    } else if (p99q < 0) {
        printf("  ABUSE target p99 < 5 ms and < QEMU's, %s: MISSED (qcore "
               "%s)\n", what, q->wedged ? "WEDGED" : "FAILED");
    } else if (p99e < 0) {
        printf("  ABUSE target p99 < 5 ms and < QEMU's, %s: %s (qcore "
               "%.1f us; QEMU %s)\n", what,
               p99q < 5000 ? "p99 < 5 ms MET, QEMU NOT MEASURED" : "MISSED",
               p99q, !have_e ? "absent" : e->skipped ? "not run" :
               e->wedged ? "WEDGED" : "FAILED");
    } else {
        printf("  ABUSE target p99 < 5 ms and < QEMU's, %s: %s (qcore %.1f "
               "us, qcore/QEMU = %.3f)\n", what,
               p99q < 5000 && p99q < p99e ? "MET" : "MISSED", p99q,
               p99q / p99e);
    }
}

int main(int argc, char **argv)
{
    static Peer peers[2];
    static char qemu_path[PATH_MAX], elf[PATH_MAX];
    static const char pre[] = "{\"execute\": \"query-status\", \"id\": \"";
    Peer *q = &peers[0], *e = &peers[1];
    const char *qemu_env = getenv("BENCH_QEMU_RISCV");
    const char *qemu_big_env = getenv("BENCH_ABUSE_QEMU_BIG");
    bool qemu_big = qemu_big_env && atoi(qemu_big_env) > 0;
    /* BENCH_ABUSE_ONLY=UART: only the scenarios whose name contains it. */
    const char *only_sc = getenv("BENCH_ABUSE_ONLY");
    size_t big_len, plen = sizeof(pre) - 1;
    char *big_req;
    int np, i, sc, rep;
    bool all_ok = true;

    if (getenv("BENCH_ABUSE_TRACE")) {
        trace_file = fopen(getenv("BENCH_ABUSE_TRACE"), "w");
        if (!trace_file) {
            bench_die("BENCH_ABUSE_TRACE");
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    if (argc < 3) {
        fprintf(stderr, "usage: bench-abuse QCORE_BINARY GUEST_BUILD_DIR\n");
        return 1;
    }
    if (access(argv[1], X_OK) < 0) {
        fprintf(stderr, "abuse: no qcore binary at %s\n", argv[1]);
        return 1;
    }
    snprintf(elf, sizeof(elf), "%s/bench-abuse.elf", argv[2]);
    if (access(elf, R_OK) < 0) {
        fprintf(stderr, "abuse: %s missing (make -C tests/guest)\n", elf);
        return 1;
    }
    guest_elf = elf;
    window_ns = bench_scaled(WINDOW_MS) * 1000000LL;
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

    /* The 16 MiB request, built once. */
    big_len = plen + BIG_ID_LEN + 3;
    big_req = malloc(big_len + 1);
    if (!big_req) {
        bench_die("malloc");
    }
    memcpy(big_req, pre, plen);
    memset(big_req + plen, 'A', BIG_ID_LEN);
    memcpy(big_req + plen + BIG_ID_LEN, "\"}\n", 4);

    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/abuse-bench-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        tmp_dir[0] = 0;
        bench_die("mkdtemp");
    }
    atexit(cleanup);
    snprintf(lat_path, sizeof(lat_path), "%s/lat.sock", tmp_dir);
    snprintf(big_path, sizeof(big_path), "%s/big.sock", tmp_dir);
    snprintf(ser_path, sizeof(ser_path), "%s/serial.sock", tmp_dir);
    snprintf(log_path, sizeof(log_path), "%s/stderr.log", tmp_dir);
    lat_listen = listen_unix(lat_path);
    big_listen = listen_unix(big_path);
    ser_listen = listen_unix(ser_path);

    printf("\nMain loop under abuse: query-status on a second QMP monitor, "
           "one request per %.0f ms, %d runs x %.1f s\n  per peer and "
           "scenario (samples pooled), \"-M virt -smp 1 -m 128M -bios none "
           "-kernel bench-abuse.elf\"\n", PERIOD_NS / 1e6, BENCH_REPS,
           window_ns / 1e9);
    bench_versus_header(q->path, q->version, e->present, e->path,
                        e->version,
                        qemu_env ? qemu_env : "qemu-system-riscv64 in $PATH",
                        "install qemu-system-misc or set BENCH_QEMU_RISCV=/path");
    fflush(stdout);

    /* Runs interleaved: rep, then scenario, then qcore and QEMU in turn. */
    for (rep = 0; rep < BENCH_REPS; rep++) {
        run_floor(&q->r[SC_FLOOR]);
        for (sc = SC_IDLE; sc < SC_N; sc++) {
            for (i = 0; i < np; i++) {
                /*
                 * One 16 MiB exchange takes QEMU about 9 minutes: only on
                 * request, once, and only the reader that reads at once.
                 */
                if (i == 1 && (sc == SC_BIG || sc == SC_BIG_SLOW) &&
                    (!qemu_big || rep > 0 || sc == SC_BIG_SLOW)) {
                    if (!peers[i].r[sc].runs) {
                        peers[i].r[sc].skipped = sc == SC_BIG_SLOW
                            ? "QEMU reads QMP input one byte per recvmsg: "
                              "minutes per 16 MiB request"
                            : "QEMU reads QMP input one byte per recvmsg: "
                              "BENCH_ABUSE_QEMU_BIG=1 runs it once";
                    }
                    continue;
                }
                if (!bench_want(peers[i].name)) {
                    peers[i].r[sc].skipped = "BENCH_ONLY";
                    continue;
                }
                if (only_sc && !strstr(scenarios[sc].name, only_sc)) {
                    peers[i].r[sc].skipped = "BENCH_ABUSE_ONLY";
                    continue;
                }
                run_once(&peers[i], sc, big_req, big_len);
            }
        }
    }

    for (i = 0; i < np; i++) {
        for (sc = 0; sc < SC_N; sc++) {
            Samples *s = &peers[i].r[sc].s, *r = &peers[i].r[sc].req;

            qsort(s->ns, s->n, sizeof(*s->ns), cmp_i64);
            qsort(r->ns, r->n, sizeof(*r->ns), cmp_i64);
        }
    }
    printf("  %-44s %12s %12s %10s\n", "query-status latency (us)", "qcore",
           e->present ? "QEMU" : "QEMU (n/a)", "qcore/QEMU");
    for (sc = 0; sc < SC_N; sc++) {
        Result *rq = &q->r[sc], *re = &e->r[sc];
        bool big = sc == SC_BIG || sc == SC_BIG_SLOW;
        char p50[32], p99[32];

        if (sc == SC_FLOOR) {
            fmt_us(p50, sizeof(p50), rq, &rq->s, 50);
            fmt_us(p99, sizeof(p99), rq, &rq->s, 99);
            printf("  %s (%zu samples)\n", scenarios[sc].name, rq->s.n);
            printf("  %-44s %12s\n", "  p50", p50);
            printf("  %-44s %12s\n", "  p99", p99);
            print_run_p99(rq);
            continue;
        }
        printf("  %s%s\n", scenarios[sc].name,
               big ? ": while the answer is produced and read" : "");
        print_pair("  p50", rq, re, e->present, false, 50);
        print_pair("  p99", rq, re, e->present, false, 99);
        print_pair("  max", rq, re, e->present, false, 100);
        if (big) {
            print_pair("  p50 while the request is in flight", rq, re,
                       e->present, true, 50);
            print_pair("  p99 while the request is in flight", rq, re,
                       e->present, true, 99);
        }
        print_counts(q, sc, big);
        if (e->present) {
            print_counts(e, sc, big);
        }
    }
    printf("  a sample is one round trip, write() to the reply's last byte; "
           "a reply later than 1 ms also\n  counts the requests the paced "
           "client could not send meanwhile (rtt - k ms); \"max\" is the "
           "longest\n");
    for (sc = SC_IDLE; sc < SC_N; sc++) {
        print_target(scenarios[sc].name, &q->r[sc], &e->r[sc], e->present);
        all_ok &= q->r[sc].failed == 0 && (!e->present || e->r[sc].failed == 0);
    }
    fflush(stdout);
    free(big_req);
    for (i = 0; i < np; i++) {
        for (sc = 0; sc < SC_N; sc++) {
            free(peers[i].r[sc].s.ns);
            free(peers[i].r[sc].req.ns);
        }
    }
    /* A wedged peer is a result, reported above; a failed run is not. */
    return all_ok ? 0 : 1;
}
