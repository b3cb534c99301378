/*
 * The qtest server and accelerator: a line protocol on a chardev that
 * reads and writes guest memory, steps the virtual clock and reports
 * interrupt lines, so that a test program can drive devices with no vCPU
 * running.  Corresponds to QEMU's system/qtest.c (the protocol) and
 * accel/qtest/qtest.c (the clock and the dummy vCPUs).  docs/qtest.md.
 *
 * Nothing here knows the target CPU: memory goes through
 * address_space_memory (little-endian, the only target qcore has), time
 * through the timer API, interrupt lines through qdev-gpio.
 *
 * Threading: the protocol runs in the main loop with the BQL (chardev
 * callbacks, and device callbacks that raise intercepted lines).  The
 * clock counter is read from any thread (vCPU threads read mtime).
 *
 * Memory stays bounded whatever the client sends: a line is at most
 * QTEST_MAX_LINE bytes, one answer at most about 2 * QTEST_MAX_SIZE, and
 * no further input is read or processed while an answer is still queued.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/main-loop.h"
#include "qcore/memory.h"
#include "qcore/qtest.h"
#include "qcore/timer.h"

/* The most bytes one read/write/memset command may move. */
#define QTEST_MAX_SIZE  (4 * 1024 * 1024)
/* Enough for "write ADDR SIZE 0x" and 2 * QTEST_MAX_SIZE hex digits. */
#define QTEST_MAX_LINE  (2 * QTEST_MAX_SIZE + 256)

/* Set once by qtest_accel_init, before any other thread exists. */
static bool qtest_allowed;
/* The virtual clock under qtest, in ns; written with the BQL, read anywhere. */
static int64_t qtest_clock_counter;

/* The server; all BQL. */
typedef struct QTestServer {
    CharBackend chr;
    GString *inbuf;             /* input not yet processed */
    unsigned lines;             /* complete lines in inbuf */
    size_t partial;             /* bytes of the unfinished last line */
    bool discarding;            /* dropping an over-long line */
    GString *outbuf;            /* answer bytes the chardev did not take */
    guint watch;                /* G_IO_OUT watch while outbuf is not empty */
    FILE *log_fp;               /* -qtest-log, or NULL */
    int64_t start_time;         /* REALTIME at start, for the log */
    Object *irq_intercept_dev;  /* only one device at a time, as QEMU */
    int *irq_levels;            /* last level reported per line */
    int num_irqs;
    bool inproc;                /* no chardev: answers stay in outbuf */
} QTestServer;

static QTestServer *qtest;

bool qtest_enabled(void)
{
    return qtest_allowed;
}

/* ---- the accelerator ------------------------------------------------- */

static int64_t qtest_get_virtual_clock(void)
{
    return qatomic_read(&qtest_clock_counter);
}

void qtest_accel_init(void)
{
    qtest_allowed = true;
    qemu_vcpu_set_dummy();
    qemu_clock_set_virtual_source(qtest_get_virtual_clock);
}

/*
 * Move the virtual clock forward to @dest, stopping at each timer's
 * deadline on the way to run it, so that a device sees time pass as it
 * would with a guest running.  The clock never goes back.
 */
static void qtest_clock_warp(int64_t dest)
{
    int64_t now = qtest_get_virtual_clock();
    AioContext *ctx = qemu_get_aio_context();

    while (now < dest) {
        int64_t next = qemu_clock_next_expiry_ns(QEMU_CLOCK_VIRTUAL);

        now = next >= 0 && next > now && next < dest ? next : dest;
        qatomic_set(&qtest_clock_counter, now);
        timerlist_run_timers(main_loop_tlg.tl[QEMU_CLOCK_VIRTUAL]);
        timerlist_run_timers(ctx->tlg.tl[QEMU_CLOCK_VIRTUAL]);
    }
    /* Timers armed in the past by what ran above. */
    timerlist_run_timers(main_loop_tlg.tl[QEMU_CLOCK_VIRTUAL]);
    timerlist_run_timers(ctx->tlg.tl[QEMU_CLOCK_VIRTUAL]);
}

/*
 * Back to 0, for a harness that runs many cases on one board (QEMU's
 * generic-fuzz forks a fresh QEMU instead): without it one case that
 * steps to a far deadline would leave the clock there for every later
 * case.  Timers keep their deadlines; the caller resets the board next,
 * which cancels the devices' timers.
 */
void qtest_clock_reset(void)
{
    assert_bql_held();
    assert(qtest_allowed);
    qatomic_set(&qtest_clock_counter, 0);
}

/* ---- output ------------------------------------------------------------ */

static void qtest_process_inbuf(QTestServer *s);
static gboolean qtest_out_ready(void *do_not_use, GIOCondition cond,
                                void *opaque);

/* Hand queued answer bytes to the chardev; watch for room if some stay. */
static void qtest_flush(QTestServer *s)
{
    int n;

    if (!s->outbuf->len || s->inproc) {
        return;
    }
    n = qemu_chr_fe_write(&s->chr, (uint8_t *)s->outbuf->str,
                          MIN(s->outbuf->len, CHR_OUTQ_LIMIT));
    if (n < 0) {
        /* The peer went away: CLOSED follows and drops the rest. */
        return;
    }
    g_string_erase(s->outbuf, 0, n);
    if (s->outbuf->len && !s->watch) {
        s->watch = qemu_chr_fe_add_watch(&s->chr, G_IO_OUT | G_IO_HUP,
                                         qtest_out_ready, s);
    }
}

/*
 * The chardev drained: send more, then the lines that waited, then read.
 * While output remains the watch is kept (not re-added from inside the
 * watch walk, where a new watch would be checked against stale state).
 */
static gboolean qtest_out_ready(void *do_not_use, GIOCondition cond,
                                void *opaque)
{
    QTestServer *s = opaque;

    qtest_flush(s);
    if (s->outbuf->len && !(cond & G_IO_HUP)) {
        return G_SOURCE_CONTINUE;
    }
    s->watch = 0;
    qtest_process_inbuf(s);
    if (!s->outbuf->len) {
        qemu_chr_fe_accept_input(&s->chr);
    }
    return G_SOURCE_REMOVE;
}

static void G_GNUC_PRINTF(2, 3) qtest_sendf(QTestServer *s,
                                            const char *fmt, ...)
{
    size_t start = s->outbuf->len;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(s->outbuf, fmt, ap);
    va_end(ap);
    if (s->log_fp) {
        double t = (get_clock() - s->start_time) / 1e9;

        fprintf(s->log_fp, "[S +%f] %s", t, s->outbuf->str + start);
        fflush(s->log_fp);
    }
    qtest_flush(s);
}

/* ---- interrupt lines -------------------------------------------------- */

/*
 * An intercepted line changed: pass the level on to where it went
 * before, and tell the client when the level is new.  Runs wherever the
 * device raised it (a register write of ours, a timer), with the BQL.
 */
static void qtest_irq_handler(void *opaque, int n, int level)
{
    qemu_irq old = *(qemu_irq *)opaque;

    qemu_set_irq(old, level);
    if (qtest && n < qtest->num_irqs && qtest->irq_levels[n] != level) {
        qtest->irq_levels[n] = level;
        qtest_sendf(qtest, "IRQ %s %d\n", level ? "raise" : "lower", n);
    }
}

static void qtest_irq_intercept(QTestServer *s, bool out, const char *path)
{
    Object *dev = object_resolve_path(path, NULL);
    NamedGPIOList *ngl;
    int n;

    if (!dev) {
        qtest_sendf(s, "FAIL Unknown device\n");
        return;
    }
    if (s->irq_intercept_dev) {
        if (s->irq_intercept_dev != dev) {
            qtest_sendf(s, "FAIL IRQ intercept already enabled\n");
        } else {
            qtest_sendf(s, "OK\n");
        }
        return;
    }
    ngl = qdev_get_gpio_list(dev);
    n = !ngl ? 0 : out ? (int)ngl->out->len : ngl->num_in;
    if (out) {
        for (int i = 0; i < n; i++) {
            qemu_irq *pin = g_ptr_array_index(ngl->out, i);
            /* Kept for good: the device drives the new line from now on. */
            qemu_irq *old = g_new(qemu_irq, 1);

            *old = *pin;
            *pin = qemu_allocate_irq(qtest_irq_handler, old, i);
        }
    } else if (n) {
        qemu_irq_intercept_in(ngl->in, qtest_irq_handler, n);
    }
    s->irq_intercept_dev = dev;
    g_free(s->irq_levels);
    s->irq_levels = g_new0(int, n);
    s->num_irqs = n;
    qtest_sendf(s, "OK\n");
}

/* ---- commands ------------------------------------------------------------ */

/* A number as QEMU's qemu_strtou64 with base 0 takes it: 0x.., 0.., or decimal. */
static bool parse_u64(const char *str, uint64_t *val)
{
    char *end;

    if (!str || !*str || *str == '-' || g_ascii_isspace(*str)) {
        return false;
    }
    errno = 0;
    *val = g_ascii_strtoull(str, &end, 0);
    return !errno && !*end;
}

static bool parse_i64(const char *str, int64_t *val)
{
    char *end;

    if (!str || !*str || g_ascii_isspace(*str)) {
        return false;
    }
    errno = 0;
    *val = g_ascii_strtoll(str, &end, 0);
    return !errno && !*end;
}

static int hex_nibble(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* Check the argument count and parse ADDR (and SIZE); FAIL if wrong. */
static bool qtest_args(QTestServer *s, gchar **words, int nargs,
                       uint64_t *addr, uint64_t *size)
{
    if (g_strv_length(words) != nargs + 1) {
        qtest_sendf(s, "FAIL '%s' takes %d argument%s\n", words[0], nargs,
                    nargs == 1 ? "" : "s");
        return false;
    }
    if (!parse_u64(words[1], addr)) {
        qtest_sendf(s, "FAIL invalid address '%s'\n", words[1]);
        return false;
    }
    if (size) {
        if (!parse_u64(words[2], size) || *size == 0) {
            qtest_sendf(s, "FAIL invalid size '%s'\n", words[2]);
            return false;
        }
        if (*size > QTEST_MAX_SIZE) {
            qtest_sendf(s, "FAIL size %" PRIu64 " is larger than %d\n",
                        *size, QTEST_MAX_SIZE);
            return false;
        }
    }
    return true;
}

#define AS (&address_space_memory)
#define ATTRS MEMTXATTRS_UNSPECIFIED

/*
 * writeb/w/l/q and readb/w/l/q: the value in the target's byte order
 * (little-endian), moved with address_space_write/read as QEMU does, so
 * a region that takes narrower accesses gets the pieces it accepts.  A
 * failed access is not an error of the protocol: the device decides
 * (unassigned bytes read as 0), as in QEMU.
 */
static void qtest_write_n(QTestServer *s, gchar **words, unsigned size)
{
    uint64_t addr, val;
    uint8_t buf[8];

    if (!qtest_args(s, words, 2, &addr, NULL)) {
        return;
    }
    if (!parse_u64(words[2], &val)) {
        qtest_sendf(s, "FAIL invalid value '%s'\n", words[2]);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = val >> (8 * i);
    }
    address_space_write(AS, addr, ATTRS, buf, size);
    qtest_sendf(s, "OK\n");
}

static void qtest_read_n(QTestServer *s, gchar **words, unsigned size)
{
    uint64_t addr, val = 0;
    uint8_t buf[8] = { 0 };

    if (!qtest_args(s, words, 1, &addr, NULL)) {
        return;
    }
    address_space_read(AS, addr, ATTRS, buf, size);
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_sendf(s, "OK 0x%016" PRIx64 "\n", val);
}

static void qtest_read(QTestServer *s, gchar **words, bool b64)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;

    if (!qtest_args(s, words, 2, &addr, &len)) {
        return;
    }
    data = g_malloc0(len);
    address_space_read(AS, addr, ATTRS, data, len);
    if (b64) {
        g_autofree char *enc = g_base64_encode(data, len);

        qtest_sendf(s, "OK %s\n", enc);
    } else {
        g_autofree char *enc = g_malloc(2 * len + 1);

        for (uint64_t i = 0; i < len; i++) {
            sprintf(&enc[2 * i], "%02x", data[i]);
        }
        qtest_sendf(s, "OK 0x%s\n", enc);
    }
}

/* write ADDR SIZE 0xHEX: missing digits are zeros, as in QEMU. */
static void qtest_write(QTestServer *s, gchar **words)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    const char *hex;
    size_t digits;

    if (!qtest_args(s, words, 3, &addr, &len)) {
        return;
    }
    hex = words[3];
    digits = strlen(hex);
    if (digits < 3) {
        /* QEMU's answer, ERR rather than FAIL; it skips any 2-char prefix. */
        qtest_sendf(s, "ERR invalid argument size\n");
        return;
    }
    hex += 2;
    digits -= 2;
    data = g_malloc0(len);
    for (uint64_t i = 0; i < len && 2 * i + 1 < digits; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            qtest_sendf(s, "FAIL invalid hex data\n");
            return;
        }
        data[i] = hi << 4 | lo;
    }
    address_space_write(AS, addr, ATTRS, data, len);
    qtest_sendf(s, "OK\n");
}

/* b64write ADDR SIZE DATA: SIZE bytes, zero-padded if DATA is shorter. */
static void qtest_b64write(QTestServer *s, gchar **words)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    gsize dec_len = 0;

    if (!qtest_args(s, words, 3, &addr, &len)) {
        return;
    }
    data = g_malloc0(len);
    /* glib wants at least 2 characters; fewer decode to nothing anyway. */
    if (strlen(words[3]) > 1) {
        guchar *dec = g_base64_decode_inplace(words[3], &dec_len);

        memcpy(data, dec, MIN(dec_len, len));
    }
    address_space_write(AS, addr, ATTRS, data, len);
    qtest_sendf(s, "OK\n");
}

static void qtest_memset(QTestServer *s, gchar **words)
{
    uint64_t addr, len, val;
    g_autofree uint8_t *data = NULL;

    if (!qtest_args(s, words, 3, &addr, &len)) {
        return;
    }
    if (!parse_u64(words[3], &val)) {
        qtest_sendf(s, "FAIL invalid value '%s'\n", words[3]);
        return;
    }
    data = g_malloc(len);
    memset(data, (uint8_t)val, len);
    address_space_write(AS, addr, ATTRS, data, len);
    qtest_sendf(s, "OK\n");
}

/* clock_step [NS]: without NS, to the next virtual timer's deadline. */
static void qtest_clock_step(QTestServer *s, gchar **words)
{
    int64_t now = qtest_get_virtual_clock(), ns = 0;

    if (words[1] && words[2]) {
        qtest_sendf(s, "FAIL 'clock_step' takes at most 1 argument\n");
        return;
    }
    if (words[1]) {
        if (!parse_i64(words[1], &ns) || ns < 0) {
            qtest_sendf(s, "FAIL invalid step '%s'\n", words[1]);
            return;
        }
    } else {
        int64_t next = qemu_clock_next_expiry_ns(QEMU_CLOCK_VIRTUAL);

        ns = next > now ? next - now : 0;
    }
    qtest_clock_warp(ns > INT64_MAX - now ? INT64_MAX : now + ns);
    qtest_sendf(s, "OK %" PRIi64 "\n", qtest_get_virtual_clock());
}

static void qtest_clock_set(QTestServer *s, gchar **words)
{
    int64_t ns;

    if (g_strv_length(words) != 2 || !parse_i64(words[1], &ns)) {
        qtest_sendf(s, "FAIL 'clock_set' takes a time in ns\n");
        return;
    }
    qtest_clock_warp(ns);
    qtest_sendf(s, "OK %" PRIi64 "\n", qtest_get_virtual_clock());
}

/* set_irq_in PATH NAME N LEVEL: drive a device's input (unnamed only). */
static void qtest_set_irq_in(QTestServer *s, gchar **words)
{
    Object *dev;
    NamedGPIOList *ngl;
    int64_t n, level;

    if (g_strv_length(words) != 5 || !parse_i64(words[3], &n) ||
        !parse_i64(words[4], &level)) {
        qtest_sendf(s, "FAIL usage: set_irq_in PATH NAME NUM LEVEL\n");
        return;
    }
    dev = object_resolve_path(words[1], NULL);
    if (!dev) {
        qtest_sendf(s, "FAIL Unknown device\n");
        return;
    }
    ngl = qdev_get_gpio_list(dev);
    if (strcmp(words[2], "unnamed") || !ngl || n < 0 || n >= ngl->num_in) {
        qtest_sendf(s, "FAIL no input %s %" PRIi64 "\n", words[2], n);
        return;
    }
    qemu_set_irq(ngl->in[n], level);
    qtest_sendf(s, "OK\n");
}

static void qtest_process_command(QTestServer *s, gchar **words)
{
    const char *cmd = words[0];
    static const char sizes[] = "bwlq";
    const char *p;

    if (s->log_fp) {
        g_autofree char *line = g_strjoinv(" ", words);

        fprintf(s->log_fp, "[R +%f] %s\n",
                (get_clock() - s->start_time) / 1e9, line);
    }

    if (!strcmp(cmd, "irq_intercept_in") || !strcmp(cmd, "irq_intercept_out")) {
        if (g_strv_length(words) != 2) {
            qtest_sendf(s, "FAIL '%s' takes a QOM path\n", cmd);
            return;
        }
        qtest_irq_intercept(s, cmd[14] == 'o', words[1]);
    } else if (!strcmp(cmd, "set_irq_in")) {
        qtest_set_irq_in(s, words);
    } else if (strlen(cmd) == 6 && !strncmp(cmd, "write", 5) &&
               (p = strchr(sizes, cmd[5])) && *p) {
        qtest_write_n(s, words, 1 << (p - sizes));
    } else if (strlen(cmd) == 5 && !strncmp(cmd, "read", 4) &&
               (p = strchr(sizes, cmd[4])) && *p) {
        qtest_read_n(s, words, 1 << (p - sizes));
    } else if (!strcmp(cmd, "read")) {
        qtest_read(s, words, false);
    } else if (!strcmp(cmd, "b64read")) {
        qtest_read(s, words, true);
    } else if (!strcmp(cmd, "write")) {
        qtest_write(s, words);
    } else if (!strcmp(cmd, "b64write")) {
        qtest_b64write(s, words);
    } else if (!strcmp(cmd, "memset")) {
        qtest_memset(s, words);
    } else if (!strcmp(cmd, "endianness")) {
        qtest_sendf(s, "OK little\n");
    } else if (!strcmp(cmd, "clock_step") && qtest_enabled()) {
        qtest_clock_step(s, words);
    } else if (!strcmp(cmd, "clock_set") && qtest_enabled()) {
        qtest_clock_set(s, words);
    } else {
        qtest_sendf(s, "FAIL Unknown command '%s'\n", cmd);
    }
}

/* One line, without its newline; the answer goes to s->outbuf. */
static void qtest_process_line(QTestServer *s, char *line)
{
    size_t len = strlen(line);
    gchar **words;

    if (len && line[len - 1] == '\r') {
        line[len - 1] = 0;      /* typed on a terminal */
    }
    words = g_strsplit(line, " ", 0);
    if (words[0] && *words[0]) {
        qtest_process_command(s, words);
    }
    g_strfreev(words);
}

/* Run the complete lines, stopping while an answer waits to be sent. */
static void qtest_process_inbuf(QTestServer *s)
{
    while (!s->outbuf->len && s->lines) {
        char *end = memchr(s->inbuf->str, '\n', s->inbuf->len);
        size_t len = end - s->inbuf->str;
        g_autofree char *line = g_strndup(s->inbuf->str, len);

        s->lines--;
        g_string_erase(s->inbuf, 0, len + 1);
        qtest_process_line(s, line);
    }
}

/*
 * The in-process server of a harness that shares the process (the
 * virt-mmio fuzz target), in the spirit of QEMU's
 * qtest_server_inproc_recv: no chardev and no log, and the answers are
 * returned rather than sent.  Interrupt reports go to the chardev
 * server only.
 */
char *qtest_inproc_command(const char *line)
{
    static QTestServer *local;
    g_autofree char *copy = g_strdup(line);
    char *answer;

    assert_bql_held();
    if (!local) {
        local = g_new0(QTestServer, 1);
        local->inbuf = g_string_new(NULL);
        local->outbuf = g_string_new(NULL);
        local->inproc = true;
    }
    qtest_process_line(local, copy);
    answer = g_strndup(local->outbuf->str, local->outbuf->len);
    g_string_truncate(local->outbuf, 0);
    return answer;
}

static int qtest_can_read(void *opaque)
{
    QTestServer *s = opaque;

    return s->outbuf->len ? 0 : 65536;
}

/*
 * Collect input into lines.  A line longer than QTEST_MAX_LINE is
 * dropped up to its newline and answered with one FAIL.  Only whole
 * lines are scanned, so a long b64write costs linear time.
 */
static void qtest_read_cb(void *opaque, const uint8_t *buf, int size)
{
    QTestServer *s = opaque;
    const uint8_t *end = buf + size;

    while (buf < end) {
        const uint8_t *nl = memchr(buf, '\n', end - buf);
        size_t chunk = (nl ? nl + 1 : end) - buf;

        if (!s->discarding && s->partial + chunk > QTEST_MAX_LINE) {
            g_string_truncate(s->inbuf, s->inbuf->len - s->partial);
            s->partial = 0;
            s->discarding = true;
        }
        if (s->discarding) {
            if (nl) {
                s->discarding = false;
                qtest_sendf(s, "FAIL line longer than %d bytes\n",
                            QTEST_MAX_LINE);
            }
        } else {
            g_string_append_len(s->inbuf, (const char *)buf, chunk);
            if (nl) {
                s->partial = 0;
                s->lines++;
            } else {
                s->partial += chunk;
            }
        }
        buf += chunk;
    }
    qtest_process_inbuf(s);
}

static void qtest_event(void *opaque, QEMUChrEvent event)
{
    QTestServer *s = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        /* A new client knows no level yet: every change is news. */
        if (s->irq_levels) {
            memset(s->irq_levels, 0, s->num_irqs * sizeof(int));
        }
        if (s->log_fp) {
            fprintf(s->log_fp, "[I +%f] OPENED\n",
                    (get_clock() - s->start_time) / 1e9);
        }
        break;
    case CHR_EVENT_CLOSED:
        g_string_truncate(s->inbuf, 0);
        g_string_truncate(s->outbuf, 0);
        s->lines = 0;
        s->partial = 0;
        s->discarding = false;
        if (s->watch) {
            qemu_chr_fe_remove_watch(&s->chr, s->watch);
            s->watch = 0;
        }
        if (s->log_fp) {
            fprintf(s->log_fp, "[I +%f] CLOSED\n",
                    (get_clock() - s->start_time) / 1e9);
        }
        break;
    default:
        break;
    }
}

bool qtest_server_init(const char *spec, const char *log, Error **errp)
{
    QTestServer *s;
    Chardev *chr;
    FILE *log_fp = NULL;

    assert_bql_held();
    /* As QEMU: without -qtest-log the log goes to stderr. */
    if (!log || strcmp(log, "none")) {
        log_fp = log && strcmp(log, "-") ? fopen(log, "w") : stderr;
        if (!log_fp) {
            error_setg_errno(errp, errno, "Could not open qtest log '%s'",
                             log);
            return false;
        }
    }
    chr = qemu_chr_new("qtest", spec, NULL);
    if (!chr) {
        error_setg(errp, "Failed to initialize device for qtest: \"%s\"",
                   spec);
        goto fail;
    }
    s = g_new0(QTestServer, 1);
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        g_free(s);
        goto fail;
    }
    s->inbuf = g_string_new(NULL);
    s->outbuf = g_string_new(NULL);
    s->log_fp = log_fp;
    s->start_time = get_clock();
    get_system_memory();        /* address_space_memory exists after it */
    qtest = s;
    qemu_chr_fe_set_handlers(&s->chr, qtest_can_read, qtest_read_cb,
                             qtest_event, NULL, s, NULL, true);
    qemu_chr_fe_set_echo(&s->chr, true);
    return true;

fail:
    if (log_fp && log_fp != stderr) {
        fclose(log_fp);
    }
    return false;
}
