/*
 * QMP: qcore against Debian's qemu-system-x86_64, both started as
 * "-M none -display none -nodefaults -qmp unix:PATH" in the same run.
 * Exec-to-greeting time, RSS/PSS after qmp_capabilities, query-status
 * round trips, pipelined query-status throughput, object-add/object-del
 * iothread pairs and query-qmp-schema round trips (answer size too).  Plain sockets: the monitors are driven from outside.
 *
 * usage: bench-qmp [QCORE_BINARY]
 * Without an argument the qcore binary next to this one's directory is
 * used (BUILD/bench/bench-qmp -> BUILD/qcore).  QEMU is looked up
 * as qemu-system-x86_64 in $PATH (BENCH_QEMU=/path overrides); without
 * it only the qcore column is measured.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "bench.h"

extern char **environ;

#define STARTUP_RUNS    20
#define LAT_WARMUP      200
#define LAT_REQUESTS    5000
#define PIPE_REQUESTS   10000
#define OBJ_PAIRS       200
#define SCHEMA_REQUESTS 200
#define IO_TIMEOUT_MS   20000

#define QUERY_STATUS    "{\"execute\": \"query-status\"}\n"

typedef struct Peer {
    const char *name;           /* "qcore", "QEMU" */
    const char *path;
    char version[160];
    bool present;
    bool failed;
    /* The long-lived instance of metrics 2-5. */
    pid_t pid;
    int fd;
    char buf[1 << 16];
    size_t len;                 /* bytes in buf */
    /* Results. */
    double start_best_ms, start_median_ms;
    long rss_kb, pss_kb, rss_end_kb;
    double lat_p50_us, lat_p99_us;
    double pipe_rps;
    double obj_total_ms;
    double schema_p50_us, schema_p99_us;
    long schema_bytes;
    long schema_entries;
} Peer;

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char sock_dir[64];
static int listen_fd = -1;

static void cleanup(void)
{
    if (sock_path[0]) {
        unlink(sock_path);
    }
    if (sock_dir[0]) {
        rmdir(sock_dir);
    }
}

/* ---- processes and connections ---------------------------------------- */

/* Start @p's binary with a QMP client chardev on sock_path; returns pid. */
static pid_t spawn_peer(const Peer *p)
{
    char qmp_arg[sizeof(sock_path) + 8];
    char *argv[] = {
        (char *)p->path, "-M", "none", "-display", "none", "-nodefaults",
        "-qmp", qmp_arg, NULL,
    };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int err;

    snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s", sock_path);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    err = posix_spawn(&pid, p->path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) {
        errno = err;
        bench_die(p->path);
    }
    return pid;
}

static bool wait_fd(int fd, short events, const char *what)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int r;

    do {
        r = poll(&pfd, 1, IO_TIMEOUT_MS);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
        fprintf(stderr, "QMP: timed out waiting for %s\n", what);
        return false;
    }
    return true;
}

/* Accept the connection of the process just spawned. */
static int accept_peer(const Peer *p)
{
    int fd;

    if (!wait_fd(listen_fd, POLLIN, "the QMP connection")) {
        fprintf(stderr, "QMP: %s did not connect to %s\n", p->path, sock_path);
        return -1;
    }
    fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        bench_die("accept");
    }
    return fd;
}

/*
 * Return the next complete line received on @p (NUL-terminated, without
 * its line end) and consume it; NULL on EOF, error or timeout.  *@used
 * says how many bytes to drop from the front of buf before the next call.
 */
static char *read_line(Peer *p, size_t *used)
{
    char *nl;
    ssize_t n;

    if (*used) {
        memmove(p->buf, p->buf + *used, p->len - *used);
        p->len -= *used;
        *used = 0;
    }
    while (!(nl = memchr(p->buf, '\n', p->len))) {
        if (p->len == sizeof(p->buf) - 1) {
            fprintf(stderr, "QMP %s: line longer than %zu bytes\n", p->name,
                    p->len);
            return NULL;
        }
        n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (errno == EAGAIN && !wait_fd(p->fd, POLLIN, "a QMP reply")) {
                return NULL;
            }
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "QMP %s: connection %s\n", p->name,
                    n ? strerror(errno) : "closed");
            return NULL;
        }
        p->len += n;
    }
    *used = nl + 1 - p->buf;
    *nl = 0;
    if (nl > p->buf && nl[-1] == '\r') {
        nl[-1] = 0;
    }
    return p->buf;
}

static bool is_event(const char *line)
{
    return !strncmp(line, "{\"event\"", 8);
}

static bool is_return(const char *line)
{
    return !strncmp(line, "{\"return\"", 9);
}

/* Next reply that is not an event; false (and a message) unless "return". */
static bool read_return(Peer *p, size_t *used, const char *cmd)
{
    char *line;

    do {
        line = read_line(p, used);
        if (!line) {
            return false;
        }
    } while (is_event(line));
    if (!is_return(line)) {
        fprintf(stderr, "QMP %s: %.*s: %.300s\n", p->name,
                (int)strcspn(cmd, "\n"), cmd, line);
        return false;
    }
    return true;
}

static bool write_all(Peer *p, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(p->fd, s, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (!wait_fd(p->fd, POLLOUT, "the QMP socket")) {
                return false;
            }
            continue;
        }
        if (n < 0) {
            fprintf(stderr, "QMP %s: write: %s\n", p->name, strerror(errno));
            return false;
        }
        s += n;
        len -= n;
    }
    return true;
}

static bool command(Peer *p, const char *json)
{
    size_t used = 0;
    bool ok = write_all(p, json, strlen(json)) && read_return(p, &used, json);

    memmove(p->buf, p->buf + used, p->len - used);
    p->len -= used;
    return ok;
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/*
 * Start @p, accept its connection and read the greeting.  Returns the ns
 * from just before posix_spawn to the greeting's last byte, or -1.
 */
static int64_t start_peer(Peer *p)
{
    size_t used = 0;
    int64_t t0, t;
    char *line;

    p->len = 0;
    t0 = bench_now_ns();
    p->pid = spawn_peer(p);
    p->fd = accept_peer(p);
    if (p->fd < 0) {
        reap(p->pid);
        return -1;
    }
    line = read_line(p, &used);
    t = bench_now_ns() - t0;
    if (!line || strncmp(line, "{\"QMP\"", 6)) {
        fprintf(stderr, "QMP %s: no greeting: %.300s\n", p->name,
                line ? line : "");
        close(p->fd);
        p->fd = -1;
        reap(p->pid);
        return -1;
    }
    memmove(p->buf, p->buf + used, p->len - used);
    p->len -= used;
    return t;
}

static void stop_peer(Peer *p)
{
    close(p->fd);
    p->fd = -1;
    reap(p->pid);
}

/* "Key:   1234 kB" from a /proc file; -1 if absent or unreadable. */
static long proc_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
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

/* ---- the workloads ----------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sequential query-status; p50 and p99 in µs.  false on a failed reply. */
static bool run_latency(Peer *p, long warmup, long n, double *p50,
                        double *p99)
{
    int64_t *rtt = calloc(n, sizeof(*rtt));
    size_t used = 0;
    long i;

    for (i = 0; i < warmup + n; i++) {
        int64_t t = bench_now_ns();

        if (!write_all(p, QUERY_STATUS, sizeof(QUERY_STATUS) - 1) ||
            !read_return(p, &used, "query-status")) {
            free(rtt);
            return false;
        }
        if (i >= warmup) {
            rtt[i - warmup] = bench_now_ns() - t;
        }
    }
    memmove(p->buf, p->buf + used, p->len - used);
    p->len -= used;
    qsort(rtt, n, sizeof(*rtt), cmp_i64);
    *p50 = rtt[n / 2] / 1e3;
    *p99 = rtt[n * 99 / 100] / 1e3;
    free(rtt);
    return true;
}

/*
 * @n query-status requests written as fast as the socket takes them while
 * the replies are read (poll() on both directions, so neither side blocks
 * on a full buffer).  Returns requests per second, or -1.
 */
static double run_pipelined(Peer *p, long n)
{
    size_t rlen = sizeof(QUERY_STATUS) - 1;
    size_t total = rlen * n, sent = 0;
    char *out = malloc(total);
    long replies = 0;
    int64_t t;
    long i;

    for (i = 0; i < n; i++) {
        memcpy(out + i * rlen, QUERY_STATUS, rlen);
    }
    t = bench_now_ns();
    while (replies < n) {
        struct pollfd pfd = {
            .fd = p->fd,
            .events = POLLIN | (sent < total ? POLLOUT : 0),
        };
        int r = poll(&pfd, 1, IO_TIMEOUT_MS);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            fprintf(stderr, "QMP %s: pipelined: stuck after %zu bytes sent, "
                    "%ld replies\n", p->name, sent, replies);
            free(out);
            return -1;
        }
        if ((pfd.revents & POLLOUT) && sent < total) {
            ssize_t w = write(p->fd, out + sent, total - sent);

            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "QMP %s: write: %s\n", p->name,
                        strerror(errno));
                free(out);
                return -1;
            }
            sent += w > 0 ? w : 0;
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = read(p->fd, p->buf + p->len,
                               sizeof(p->buf) - 1 - p->len);
            char *s = p->buf, *nl, *end;

            if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            if (got <= 0) {
                fprintf(stderr, "QMP %s: pipelined: connection %s\n",
                        p->name, got ? strerror(errno) : "closed");
                free(out);
                return -1;
            }
            p->len += got;
            end = p->buf + p->len;
            while ((nl = memchr(s, '\n', end - s))) {
                *nl = 0;
                if (is_return(s)) {
                    replies++;
                } else if (!is_event(s)) {
                    fprintf(stderr, "QMP %s: pipelined reply %ld: %.300s\n",
                            p->name, replies, s);
                    free(out);
                    return -1;
                }
                s = nl + 1;
            }
            p->len = end - s;
            memmove(p->buf, s, p->len);
        }
    }
    t = bench_now_ns() - t;
    free(out);
    return n / (t / 1e9);
}

/* @n object-add + object-del iothread pairs; total ms, or -1. */
static double run_objects(Peer *p, long n)
{
    char cmd[160];
    int64_t t = bench_now_ns();
    long i;

    for (i = 0; i < n; i++) {
        snprintf(cmd, sizeof(cmd), "{\"execute\": \"object-add\", "
                 "\"arguments\": {\"qom-type\": \"iothread\", "
                 "\"id\": \"io%ld\"}}\n", i);
        if (!command(p, cmd)) {
            return -1;
        }
        snprintf(cmd, sizeof(cmd), "{\"execute\": \"object-del\", "
                 "\"arguments\": {\"id\": \"io%ld\"}}\n", i);
        if (!command(p, cmd)) {
            return -1;
        }
    }
    return (bench_now_ns() - t) / 1e6;
}

/*
 * @n query-qmp-schema round trips, one at a time.  The answer (about 200 KB
 * from QEMU, one line) is read in 256 KiB chunks and only scanned for its
 * end, so the client's cost per byte is a memchr.  The first answer is
 * also kept whole to count its entries (one "meta-type" key per
 * SchemaInfo).  false on a failed reply.
 */
static bool run_schema(Peer *p, long n, double *p50, double *p99,
                       long *bytes, long *entries)
{
    static const char req[] = "{\"execute\": \"query-qmp-schema\"}\n";
    static char chunk[256 * 1024];
    int64_t *rtt = calloc(n, sizeof(*rtt));
    char *whole = NULL;
    long i;

    if (p->len) {
        fprintf(stderr, "QMP %s: schema: unread input\n", p->name);
        free(rtt);
        return false;
    }        /* nothing left over from earlier work */
    for (i = 0; i < n; i++) {
        int64_t t = bench_now_ns();
        long total = 0;
        bool done = false, first = true;

        if (!write_all(p, req, sizeof(req) - 1)) {
            free(rtt);
            return false;
        }
        while (!done) {
            ssize_t got = read(p->fd, chunk, sizeof(chunk));
            char *nl;

            if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
                if (errno == EAGAIN && !wait_fd(p->fd, POLLIN, "the schema")) {
                    free(rtt);
                    return false;
                }
                continue;
            }
            if (got <= 0) {
                fprintf(stderr, "QMP %s: schema: connection %s\n", p->name,
                        got ? strerror(errno) : "closed");
                free(rtt);
                return false;
            }
            if (first && (got < 9 || !is_return(chunk))) {
                fprintf(stderr, "QMP %s: query-qmp-schema: %.300s\n",
                        p->name, chunk);
                free(rtt);
                return false;
            }
            first = false;
            nl = memchr(chunk, '\n', got);
            if (i == 0) {
                whole = realloc(whole, total + got + 1);
                memcpy(whole + total, chunk, got);
            }
            total += nl ? nl + 1 - chunk : got;
            done = nl != NULL;
        }
        rtt[i] = bench_now_ns() - t;
        *bytes = total;
        if (i == 0) {
            whole[total] = 0;
            *entries = 0;
            for (char *c = whole; (c = strstr(c, "\"meta-type\"")); c++) {
                (*entries)++;
            }
            free(whole);
        }
    }
    qsort(rtt, n, sizeof(*rtt), cmp_i64);
    *p50 = rtt[n / 2] / 1e3;
    *p99 = rtt[n * 99 / 100] / 1e3;
    free(rtt);
    return true;
}

/* ---- set-up and report ------------------------------------------------- */

static void fail(Peer *p, const char *what)
{
    fprintf(stderr, "QMP %s: %s FAILED\n", p->name, what);
    p->failed = true;
}

int main(int argc, char **argv)
{
    static Peer peers[2];
    Peer *q = &peers[0], *e = &peers[1];
    long runs = bench_scaled(STARTUP_RUNS);
    long lat_n = bench_scaled(LAT_REQUESTS);
    long pipe_n = bench_scaled(PIPE_REQUESTS);
    long obj_n = bench_scaled(OBJ_PAIRS);
    long schema_n = bench_scaled(SCHEMA_REQUESTS);
    double *start[2], *floor_ms = calloc(runs, sizeof(double));
    static char qcore_path[PATH_MAX + 16], qemu_path[PATH_MAX];
    const char *qemu_env = getenv("BENCH_QEMU");
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int np, i, rep;
    long r;

    signal(SIGPIPE, SIG_IGN);
    if (argc > 1) {
        snprintf(qcore_path, sizeof(qcore_path), "%s", argv[1]);
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash;

        if (n < 0) {
            bench_die("readlink /proc/self/exe");
        }
        self[n] = 0;
        slash = strrchr(self, '/');
        *slash = 0;                     /* BUILD/bench */
        snprintf(qcore_path, sizeof(qcore_path), "%s/../qcore", self);
    }
    if (access(qcore_path, X_OK) < 0) {
        fprintf(stderr, "QMP: no qcore binary at %s (give its path as the "
                "first argument)\n", qcore_path);
        return 1;
    }
    *q = (Peer) { .name = "qcore", .path = qcore_path, .present = true,
                  .fd = -1 };
    *e = (Peer) { .name = "QEMU", .path = qemu_path, .fd = -1 };
    e->present = bench_find_in_path(qemu_env ? qemu_env
                                             : "qemu-system-x86_64",
                                    qemu_path, sizeof(qemu_path));
    np = e->present ? 2 : 1;
    for (i = 0; i < np; i++) {
        bench_program_version(peers[i].path, peers[i].version,
                              sizeof(peers[i].version));
        start[i] = calloc(runs, sizeof(double));
    }

    snprintf(sock_dir, sizeof(sock_dir), "/tmp/qmp-bench-XXXXXX");
    if (!mkdtemp(sock_dir)) {
        sock_dir[0] = 0;
        bench_die("mkdtemp");
    }
    atexit(cleanup);
    snprintf(sock_path, sizeof(sock_path), "%s/qmp.sock", sock_dir);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa,
                              sizeof(sa)) < 0 || listen(listen_fd, 4) < 0) {
        bench_die("listening on the QMP socket");
    }

    printf("\nQMP: qcore vs QEMU, \"-M none -display none -nodefaults "
           "-qmp unix:PATH\" (client chardev, the benchmark listens)\n");
    bench_versus_header(q->path, q->version, e->present, e->path,
                        e->version,
                        qemu_env ? qemu_env : "qemu-system-x86_64 in $PATH",
                        "install qemu-system-x86 or set BENCH_QEMU=/path");

    /* 1. exec -> greeting, runs interleaved (and the /bin/true floor). */
    for (r = 0; r < runs; r++) {
        floor_ms[r] = bench_spawn_floor_ms();
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            int64_t t;

            if (p->failed) {
                continue;
            }
            t = start_peer(p);
            if (t < 0) {
                fail(p, "start-up");
                continue;
            }
            start[i][r] = t / 1e6;
            stop_peer(p);
        }
    }
    for (i = 0; i < np; i++) {
        Peer *p = &peers[i];

        if (p->failed) {
            p->start_best_ms = p->start_median_ms = -1;
            continue;
        }
        qsort(start[i], runs, sizeof(double), cmp_double);
        p->start_best_ms = start[i][0];
        p->start_median_ms = start[i][runs / 2];
    }

    /* 2. one long-lived instance each; RSS after qmp_capabilities. */
    for (i = 0; i < np; i++) {
        Peer *p = &peers[i];

        p->rss_kb = p->pss_kb = p->rss_end_kb = -1;
        p->lat_p50_us = p->lat_p99_us = p->pipe_rps = p->obj_total_ms = -1;
        p->schema_p50_us = p->schema_p99_us = -1;
        if (p->failed) {
            continue;
        }
        if (start_peer(p) < 0) {
            p->fd = -1;
            fail(p, "start-up");
            continue;
        }
        if (!command(p, "{\"execute\": \"qmp_capabilities\"}\n")) {
            fail(p, "qmp_capabilities");
            continue;
        }
        usleep(100 * 1000);     /* let start-up threads settle */
        p->rss_kb = proc_kb(p->pid, "status", "VmRSS");
        p->pss_kb = proc_kb(p->pid, "smaps_rollup", "Pss");
    }

    /* 3-5, each BENCH_REPS times, the peers interleaved; the best run. */
    for (rep = 0; rep < BENCH_REPS; rep++) {
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            double p50, p99;

            if (p->failed) {
                continue;
            }
            if (!run_latency(p, LAT_WARMUP, lat_n, &p50, &p99)) {
                fail(p, "query-status latency");
                continue;
            }
            if (p->lat_p50_us < 0 || p50 < p->lat_p50_us) {
                p->lat_p50_us = p50;
                p->lat_p99_us = p99;
            }
        }
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            double rps;

            if (p->failed) {
                continue;
            }
            rps = run_pipelined(p, pipe_n);
            if (rps < 0) {
                fail(p, "pipelined query-status");
                continue;
            }
            p->pipe_rps = rps > p->pipe_rps ? rps : p->pipe_rps;
        }
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            double ms;

            /* A failing object-add does not void the other metrics. */
            if (p->failed || (rep && p->obj_total_ms < 0)) {
                continue;
            }
            ms = run_objects(p, obj_n);
            if (ms < 0) {
                fprintf(stderr, "QMP %s: object-add/object-del iothread "
                        "FAILED\n", p->name);
                continue;
            }
            if (p->obj_total_ms < 0 || ms < p->obj_total_ms) {
                p->obj_total_ms = ms;
            }
        }
        for (i = 0; i < np; i++) {
            Peer *p = &peers[i];
            double p50, p99;

            if (p->failed) {
                continue;
            }
            p->schema_entries = 0;
            if (!run_schema(p, schema_n, &p50, &p99, &p->schema_bytes,
                            &p->schema_entries)) {
                fail(p, "query-qmp-schema");
                continue;
            }
            if (p->schema_p50_us < 0 || p50 < p->schema_p50_us) {
                p->schema_p50_us = p50;
                p->schema_p99_us = p99;
            }
        }
    }
    for (i = 0; i < np; i++) {
        Peer *p = &peers[i];

        if (p->fd >= 0) {
            if (!p->failed) {
                p->rss_end_kb = proc_kb(p->pid, "status", "VmRSS");
            }
            stop_peer(p);
        }
    }

    printf("  %-44s %12s %12s %10s\n", "metric", "qcore",
           e->present ? "QEMU" : "QEMU (n/a)", "qcore/QEMU");
    {
        bool he = e->present;
        char m[64];

        snprintf(m, sizeof(m), "start-up exec->greeting, best of %ld (ms)",
                 runs);
        bench_versus_row(m, "%.2f", q->start_best_ms, e->start_best_ms, he);
        snprintf(m, sizeof(m), "start-up exec->greeting, median (ms)");
        bench_versus_row(m, "%.2f", q->start_median_ms, e->start_median_ms, he);
        qsort(floor_ms, runs, sizeof(double), cmp_double);
        printf("  %-44s %12.2f %12s %10s\n",
               "  reference: spawn+exit of /bin/true, best", floor_ms[0],
               "", "");
        printf("  %-44s %12.2f %12s %10s\n",
               "  reference: spawn+exit of /bin/true, median",
               floor_ms[runs / 2], "", "");
        bench_versus_row("VmRSS after qmp_capabilities (KiB)", "%.0f", q->rss_kb,
            e->rss_kb, he);
        bench_versus_row("PSS after qmp_capabilities (KiB)", "%.0f", q->pss_kb,
            e->pss_kb, he);
        snprintf(m, sizeof(m), "query-status round trip p50, n=%ld (us)",
                 lat_n);
        bench_versus_row(m, "%.1f", q->lat_p50_us, e->lat_p50_us, he);
        bench_versus_row("query-status round trip p99 (us)", "%.1f",
                         q->lat_p99_us, e->lat_p99_us, he);
        snprintf(m, sizeof(m), "pipelined query-status, n=%ld (req/s)",
                 pipe_n);
        bench_versus_row(m, "%.0f", q->pipe_rps, e->pipe_rps, he);
        snprintf(m, sizeof(m), "%ld iothread add+del pairs, total (ms)",
                 obj_n);
        bench_versus_row(m, "%.2f", q->obj_total_ms, e->obj_total_ms, he);
        bench_versus_row("  per pair (us)", "%.1f",
            q->obj_total_ms < 0 ? -1 : q->obj_total_ms * 1e3 / obj_n,
            e->obj_total_ms < 0 ? -1 : e->obj_total_ms * 1e3 / obj_n, he);
        snprintf(m, sizeof(m), "query-qmp-schema round trip p50, n=%ld (us)",
                 schema_n);
        bench_versus_row(m, "%.1f", q->schema_p50_us, e->schema_p50_us, he);
        bench_versus_row("query-qmp-schema round trip p99 (us)", "%.1f",
                         q->schema_p99_us, e->schema_p99_us, he);
        bench_versus_row("query-qmp-schema answer (bytes)", "%.0f",
                         q->schema_bytes, e->schema_bytes, he);
        bench_versus_row("query-qmp-schema entries", "%.0f",
                         q->schema_entries, e->schema_entries, he);
        bench_versus_row("VmRSS after all workloads (KiB)", "%.0f",
                         q->rss_end_kb, e->rss_end_kb, he);
    }
    if (e->present) {
        bench_versus_target("QMP", "latency p50 <= 0.5x QEMU",
                            q->lat_p50_us, e->lat_p50_us, false, 0.5);
        bench_versus_target("QMP", "start-up (best) <= 0.2x QEMU",
                            q->start_best_ms, e->start_best_ms, false, 0.2);
        bench_versus_target("QMP", "RSS <= 0.3x QEMU", q->rss_kb, e->rss_kb,
                            false, 0.3);
        bench_versus_target("QMP", "throughput >= 2x QEMU", q->pipe_rps,
                            e->pipe_rps, true, 2.0);
    }
    fflush(stdout);

    for (i = 0; i < np; i++) {
        free(start[i]);
    }
    free(floor_ms);
    close(listen_fd);
    /* Exit non-zero if a peer that is present did not do all the work. */
    return (q->failed || q->obj_total_ms < 0 ||
            (e->present && (e->failed || e->obj_total_ms < 0))) ? 1 : 0;
}
