/*
 * virtio-blk-device over qtest: requests built by hand in guest RAM as a
 * driver would (read, write, flush, get-id, out of range, unknown type),
 * in the main loop and in an IOThread, the config space, and the
 * malformed requests QEMU's virtio_blk_handle_request refuses with
 * virtio_error (a logged guest error, NEEDS_RESET, qcore still serving),
 * request merging (adjacent requests behind one kick), and the trace
 * events on the request path.
 * QEMU's counterpart: tests/qtest/virtio-blk-test.c.
 */
#include "libqvirtio.h"
#include "qcore/qjson.h"
#include <glib/gstdio.h>

#define DRAM        QVIRTIO_DRAM
#define BLK         QVIRTIO_SLOT(7)     /* the first -device: the last slot */
#define RING        (DRAM + 0x10000)
#define HDR         (DRAM + 0x20000)
#define DATA        (DRAM + 0x21000)
#define STATUS_BUF  (DRAM + 0x23000)
#define DATA2       (DRAM + 0x24000)
#define QSIZE       8
#define DISK_SIZE   (1024 * 1024)

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

typedef struct Test {
    QTestState *qts;
    char *log;
    char *disk;
    QVirtioDev dev;
    QVirtQueue vq;
} Test;

static void start(Test *t, const char *extra)
{
    int fd;

    t->log = qtest_log_file_new("virtio-blk-test");
    fd = g_file_open_tmp("virtio-blk-test-XXXXXX.raw", &t->disk, NULL);
    g_assert(fd >= 0);
    g_assert(ftruncate(fd, DISK_SIZE) == 0);
    close(fd);
    t->qts = qtest_initf("-M virt -bios none -d guest_errors -D %s "
                         "-global virtio-mmio.force-legacy=off "
                         "-object iothread,id=io0 "
                         "-drive file=%s,format=raw,if=none,id=d0 "
                         "-device virtio-blk-device,drive=d0,serial=qtest-1%s",
                         t->log, t->disk, extra ? extra : "");
    t->dev = (QVirtioDev){ .qts = t->qts, .base = BLK };
}

static char *stop(Test *t)
{
    char *text = qtest_quit_log(t->qts, t->log);

    g_unlink(t->disk);
    g_free(t->disk);
    return text;
}

static uint32_t rd(Test *t, uint64_t reg)
{
    return qvirtio_readl(&t->dev, reg);
}

static void driver_init(Test *t)
{
    qvirtio_start(&t->dev, 0);
    qvirtqueue_setup(&t->dev, &t->vq, 0, RING, QSIZE);
    qvirtio_driver_ok(&t->dev);
}

static void set_desc(Test *t, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    qvirtqueue_set_desc(&t->dev, &t->vq, i, addr, len, flags, next);
}

static void kick(Test *t)
{
    qvirtqueue_kick(&t->dev, &t->vq, 0);
}

static bool wait_used(Test *t)
{
    return qvirtqueue_wait_used(&t->dev, &t->vq, t->vq.avail_idx);
}

/*
 * One request as Linux sends it: header (out), data (in or out), status
 * (in).  Returns the status byte; *@used_len what the used ring said.
 */
static uint8_t request(Test *t, uint32_t type, uint64_t sector,
                       uint32_t len, uint32_t *used_len)
{
    unsigned n = 0;

    qtest_writel(t->qts, HDR, type);
    qtest_writel(t->qts, HDR + 4, 0);
    qtest_writeq(t->qts, HDR + 8, sector);
    qtest_writeb(t->qts, STATUS_BUF, 0xff);
    set_desc(t, n, HDR, 16, F_NEXT, n + 1);
    n++;
    if (len) {
        set_desc(t, n, DATA, len, F_NEXT | (type == T_OUT ? 0 : F_WRITE),
                 n + 1);
        n++;
    }
    set_desc(t, n, STATUS_BUF, 1, F_WRITE, 0);
    kick(t);
    g_assert(wait_used(t));
    if (used_len) {
        *used_len = qvirtqueue_used_len(&t->dev, &t->vq, t->vq.avail_idx);
    }
    return qtest_readb(t->qts, STATUS_BUF);
}

static void round_trips(const char *extra)
{
    Test t;
    uint8_t out[4096], in[4096];
    char id[20];
    uint32_t len;
    g_autofree char *log = NULL;

    start(&t, extra);
    driver_init(&t);
    for (unsigned i = 0; i < sizeof(out); i++) {
        out[i] = i * 7 + 3;
    }
    qtest_memwrite(t.qts, DATA, out, sizeof(out));
    g_assert_cmpuint(request(&t, T_OUT, 8, sizeof(out), &len), ==, 0);
    g_assert_cmpuint(len, ==, 1);       /* only the status was written */
    g_assert_cmpuint(request(&t, T_FLUSH, 0, 0, NULL), ==, 0);
    qtest_memset(t.qts, DATA, 0, sizeof(in));
    g_assert_cmpuint(request(&t, T_IN, 8, sizeof(in), &len), ==, 0);
    g_assert_cmpuint(len, ==, sizeof(in) + 1);
    qtest_memread(t.qts, DATA, in, sizeof(in));
    g_assert(memcmp(in, out, sizeof(in)) == 0);
    /* The serial, NUL-padded, as GET_ID answers it. */
    qtest_memset(t.qts, DATA, 0xaa, sizeof(id));
    g_assert_cmpuint(request(&t, T_GET_ID, 0, sizeof(id), NULL), ==, 0);
    qtest_memread(t.qts, DATA, id, sizeof(id));
    g_assert_cmpstr(id, ==, "qtest-1");
    /* Past the end: IOERR; an unknown type: UNSUPP; the device lives on. */
    g_assert_cmpuint(request(&t, T_IN, DISK_SIZE / 512, 512, NULL), ==, 1);
    g_assert_cmpuint(request(&t, 99, 0, 512, NULL), ==, 2);
    g_assert_cmpuint(request(&t, T_IN, 8, 512, NULL), ==, 0);
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, 0);
    g_assert_cmphex(rd(&t, INTR_STATUS) & 1, ==, 1);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_requests_main_loop(void)
{
    round_trips(NULL);
}

static void test_requests_iothread(void)
{
    round_trips(",iothread=io0");
}

static void test_config_space(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, NULL);
    g_assert_cmpuint(rd(&t, CONFIG), ==, DISK_SIZE / 512);    /* capacity */
    g_assert_cmpuint(rd(&t, CONFIG + 4), ==, 0);
    g_assert_cmpuint(rd(&t, CONFIG + 12), ==, 254);   /* seg_max */
    g_assert_cmpuint(rd(&t, CONFIG + 20), ==, 512);   /* blk_size */
    g_assert_cmpuint(qtest_readw(t.qts, BLK + CONFIG + 34), ==, 1);
    qvirtio_writel(&t.dev, DEV_FEATURES_SEL, 0);
    /* SEG_MAX, GEOMETRY, BLK_SIZE, FLUSH, TOPOLOGY, CONFIG_WCE, DISCARD,
     * WRITE_ZEROES, INDIRECT, EVENT_IDX: QEMU 7.2's default set. */
    g_assert_cmphex(rd(&t, DEV_FEATURES), ==, 0x30006e54);
    log = stop(&t);
}

/*
 * Request @i of a batch: descriptors 3i..3i+2, header at HDR + 16i, status
 * byte STATUS_BUF + i, @len bytes of data at @data.
 */
static void batch_request(Test *t, unsigned i, uint32_t type, uint64_t sector,
                          uint64_t data, uint32_t len)
{
    unsigned d = 3 * i;

    qtest_writel(t->qts, HDR + 16 * i, type);
    qtest_writel(t->qts, HDR + 16 * i + 4, 0);
    qtest_writeq(t->qts, HDR + 16 * i + 8, sector);
    qtest_writeb(t->qts, STATUS_BUF + i, 0xff);
    set_desc(t, d, HDR + 16 * i, 16, F_NEXT, d + 1);
    set_desc(t, d + 1, data, len, F_NEXT | (type == T_OUT ? 0 : F_WRITE),
             d + 2);
    set_desc(t, d + 2, STATUS_BUF + i, 1, F_WRITE, 0);
}

/*
 * Make requests 0..@n-1 available with one store of the avail index and
 * one kick, so that the device pops them in one handler run; wait for
 * them all and check their status.
 */
static void batch_kick(Test *t, unsigned n)
{
    QVirtQueue *vq = &t->vq;

    for (unsigned i = 0; i < n; i++) {
        qtest_writew(t->qts, vq->avail + 4 + 2 * ((vq->avail_idx + i) %
                                                  vq->size), 3 * i);
    }
    vq->avail_idx += n;
    qtest_writew(t->qts, vq->avail + 2, vq->avail_idx);
    qvirtio_writel(&t->dev, QUEUE_NOTIFY, vq->index);
    g_assert(wait_used(t));
    for (unsigned i = 0; i < n; i++) {
        g_assert_cmpuint(qtest_readb(t->qts, STATUS_BUF + i), ==, 0);
    }
}

/* rd_merged and wr_merged of the one drive, from query-blockstats. */
static void merged(Test *t, int64_t *rd_merged, int64_t *wr_merged)
{
    QDict *r = qtest_qmp(t->qts, "{'execute': 'query-blockstats'}");
    QDict *st = qdict_get_qdict(qobject_to(QDict, qlist_peek(
        qdict_get_qlist(r, "return"))), "stats");

    *rd_merged = qdict_get_int(st, "rd_merged");
    *wr_merged = qdict_get_int(st, "wr_merged");
    qobject_unref(r);
}

/*
 * With request-merging=on, two adjacent writes behind one kick go to the
 * image as one, two adjacent reads too, each request still completed
 * with its own data (QEMU's virtio_blk_submit_multireq); requests that
 * are not adjacent are not merged, nor anything when it is off.
 */
static void merging(const char *extra, bool on)
{
    Test t;
    uint8_t a[4096], b[4096], in[8192];
    int64_t rdm, wrm;
    g_autofree char *log = NULL;

    start(&t, extra);
    driver_init(&t);
    memset(a, 0x5a, sizeof(a));
    memset(b, 0xc3, sizeof(b));
    qtest_memwrite(t.qts, DATA, a, sizeof(a));
    qtest_memwrite(t.qts, DATA2, b, sizeof(b));
    /* Sectors 16..23 first: the device sorts by sector. */
    batch_request(&t, 0, T_OUT, 16, DATA2, 4096);
    batch_request(&t, 1, T_OUT, 8, DATA, 4096);
    batch_kick(&t, 2);
    merged(&t, &rdm, &wrm);
    g_assert_cmpint(rdm, ==, 0);
    g_assert_cmpint(wrm, ==, on);
    /* Both landed: one read of the 8 KiB sees a then b. */
    qtest_memset(t.qts, DATA, 0, 8192);
    g_assert_cmpuint(request(&t, T_IN, 8, 8192, NULL), ==, 0);
    qtest_memread(t.qts, DATA, in, sizeof(in));
    g_assert(memcmp(in, a, 4096) == 0 && memcmp(in + 4096, b, 4096) == 0);
    /* Two adjacent reads into separate buffers. */
    qtest_memset(t.qts, DATA, 0, 8192);
    qtest_memset(t.qts, DATA2, 0, 4096);
    batch_request(&t, 0, T_IN, 8, DATA, 4096);
    batch_request(&t, 1, T_IN, 16, DATA2, 4096);
    batch_kick(&t, 2);
    qtest_memread(t.qts, DATA, in, 4096);
    g_assert(memcmp(in, a, 4096) == 0);
    qtest_memread(t.qts, DATA2, in, 4096);
    g_assert(memcmp(in, b, 4096) == 0);
    merged(&t, &rdm, &wrm);
    g_assert_cmpint(rdm, ==, on);
    /* A gap between them: two requests. */
    batch_request(&t, 0, T_IN, 8, DATA, 4096);
    batch_request(&t, 1, T_IN, 24, DATA2, 4096);
    batch_kick(&t, 2);
    merged(&t, &rdm, &wrm);
    g_assert_cmpint(rdm, ==, on);
    g_assert_cmpint(wrm, ==, on);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_merging_main_loop(void)
{
    merging(",request-merging=on", true);
}

static void test_merging_iothread(void)
{
    merging(",iothread=io0,request-merging=on", true);
}

/* The default (unlike QEMU's; see virtio-blk.c). */
static void test_merging_off(void)
{
    merging(",iothread=io0", false);
}

/* How many lines of @log match @pattern (a whole line). */
static unsigned count_lines(const char *log, const char *pattern)
{
    g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    unsigned n = 0;

    g_assert_nonnull(re);
    for (g_regex_match(re, log, 0, &m); g_match_info_matches(m);
         g_match_info_next(m, NULL)) {
        n++;
    }
    return n;
}

/*
 * Trace events on the request path (docs/tracing.md): enabled with -trace
 * from the start, and switched by QMP and HMP at run time; lines in QEMU's
 * shape, with -msg timestamp=on's prefix, in the -D file.
 */
static void test_trace_events(void)
{
    Test t;
    QDict *r;
    g_autoptr(GString) json = NULL;
    g_autofree char *log = NULL;

    start(&t, ",iothread=io0 -msg timestamp=on "
              "-trace virtio_blk_handle_read -trace thread_pool_complete");
    driver_init(&t);
    g_assert_cmpuint(request(&t, T_OUT, 16, 4096, NULL), ==, 0);
    g_assert_cmpuint(request(&t, T_IN, 8, 4096, NULL), ==, 0);
    r = qtest_qmp(t.qts, "{'execute': 'trace-event-set-state', 'arguments':"
                  " {'name': 'virtio_blk_handle_w*', 'enable': true}}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    r = qtest_qmp(t.qts, "{'execute': 'human-monitor-command', 'arguments':"
                  " {'command-line': 'trace-event virtio_blk_handle_read "
                  "off'}}");
    g_assert_cmpstr(qdict_get_str(r, "return"), ==, "");
    qobject_unref(r);
    /* QEMU's errors: a name that is no event, a vCPU for an event. */
    r = qtest_qmp(t.qts, "{'execute': 'trace-event-get-state', 'arguments':"
                  " {'name': 'virtio_blk_nosuch'}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(r, "error"), "desc"), ==,
                    "unknown event \"virtio_blk_nosuch\"");
    qobject_unref(r);
    r = qtest_qmp(t.qts, "{'execute': 'trace-event-set-state', 'arguments':"
                  " {'name': 'virtio_blk_*', 'enable': true, 'vcpu': 0}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(r, "error"), "desc"), ==,
                    "event \"virtio_blk_req_complete\" is not "
                    "vCPU-specific");
    qobject_unref(r);
    r = qtest_qmp(t.qts, "{'execute': 'trace-event-get-state', 'arguments':"
                  " {'name': 'virtio_blk_handle_*'}}");
    json = qobject_to_json(qdict_get(r, "return"));
    g_assert_cmpstr(json->str, ==,
                    "[{\"name\": \"virtio_blk_handle_write\", "
                    "\"state\": \"enabled\", \"vcpu\": false}, "
                    "{\"name\": \"virtio_blk_handle_read\", "
                    "\"state\": \"disabled\", \"vcpu\": false}]");
    qobject_unref(r);
    g_assert_cmpuint(request(&t, T_OUT, 24, 512, NULL), ==, 0);
    g_assert_cmpuint(request(&t, T_IN, 32, 512, NULL), ==, 0);
    log = stop(&t);
    /* The read before the switch, the write after it; nothing else. */
    g_assert_cmpuint(count_lines(log, "^[0-9]+@[0-9]+\\.[0-9]{6}:"
                                 "virtio_blk_handle_read vdev 0x[0-9a-f]+ "
                                 "req 0x[0-9a-f]+ sector 8 nsectors 8$"),
                     ==, 1);
    g_assert_cmpuint(count_lines(log, "virtio_blk_handle_read"), ==, 1);
    g_assert_cmpuint(count_lines(log, "^[0-9]+@[0-9]+\\.[0-9]{6}:"
                                 "virtio_blk_handle_write vdev 0x[0-9a-f]+ "
                                 "req 0x[0-9a-f]+ sector 24 nsectors 1$"),
                     ==, 1);
    g_assert_cmpuint(count_lines(log, "virtio_blk_handle_write"), ==, 1);
    /* Each read and write went through the pool (aio=threads). */
    g_assert_cmpuint(count_lines(log, ":thread_pool_complete pool 0x[0-9a-f]+"
                                 " req 0x[0-9a-f]+ opaque 0x[0-9a-f]+ "
                                 "ret 0$"), >=, 4);
}

/* A malformed request: logged, NEEDS_RESET, nothing used, still serving. */
static void check_bad_request(void (*make)(Test *t), const char *message)
{
    Test t;
    QDict *r;
    g_autofree char *log = NULL;

    start(&t, ",iothread=io0");
    driver_init(&t);
    make(&t);
    g_assert(!wait_used(&t));
    g_assert_cmpuint(qvirtqueue_used_idx(&t.dev, &t.vq), ==, 0);
    r = qtest_qmp(t.qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    /* Reset, and the device works again. */
    driver_init(&t);
    g_assert_cmpuint(request(&t, T_IN, 0, 512, NULL), ==, 0);
    log = stop(&t);
    g_assert(strstr(log, message));
}

static void make_status_not_writable(Test *t)
{
    qtest_writel(t->qts, HDR, T_IN);
    set_desc(t, 0, HDR, 16, F_NEXT, 1);
    set_desc(t, 1, STATUS_BUF, 1, 0, 0);
    kick(t);
}

static void make_short_header(Test *t)
{
    set_desc(t, 0, HDR, 8, F_NEXT, 1);
    set_desc(t, 1, STATUS_BUF, 1, F_WRITE, 0);
    kick(t);
}

static void test_status_not_writable(void)
{
    check_bad_request(make_status_not_writable, "virtio-blk missing headers");
}

static void test_short_header(void)
{
    check_bad_request(make_short_header,
                      "virtio-blk request outhdr too short");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-blk/requests/main-loop", test_requests_main_loop);
    g_test_add_func("/virtio-blk/requests/iothread", test_requests_iothread);
    g_test_add_func("/virtio-blk/config", test_config_space);
    g_test_add_func("/virtio-blk/merging/main-loop", test_merging_main_loop);
    g_test_add_func("/virtio-blk/merging/iothread", test_merging_iothread);
    g_test_add_func("/virtio-blk/merging/off", test_merging_off);
    g_test_add_func("/virtio-blk/trace-events", test_trace_events);
    g_test_add_func("/virtio-blk/error/status-not-writable",
                    test_status_not_writable);
    g_test_add_func("/virtio-blk/error/short-header", test_short_header);
    return g_test_run();
}
