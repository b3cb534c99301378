/*
 * Block layer tests: images made by Debian's qemu-img opened through the
 * file protocol (thread pool and io_uring), raw and qcow2 (cluster
 * allocation, refcount growth, backing files, v2 and v3), then checked
 * by qemu-img check/compare/convert; drains with requests in flight in
 * an IOThread; QEMU's errors for bad images.  Covers block/ (QEMU's
 * tests/qemu-iotests cover the same ground there, with qemu-io).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/block-backend.h"
#include "qcore/iothread.h"
#include "qcore/main-loop.h"
#include "qcore/qjson.h"
#include "qapi/qmp-event.h"
#include <fcntl.h>
#include <sys/stat.h>

static char *tmpdir;

/* ---- helpers ------------------------------------------------------------ */

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Run a command; returns its exit status, output in *out if asked. */
static int run(char **out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int run(char **out, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    g_autofree char *sout = NULL, *serr = NULL;
    int status = -1;
    GError *err = NULL;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assert_true(g_spawn_command_line_sync(cmd, &sout, &serr, &status,
                                            &err));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_test_message("%s: %s%s", cmd, sout, serr);
    }
    if (out) {
        *out = g_strconcat(sout, serr, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void qemu_img_create(const char *fmt, const char *path,
                            const char *opts, int64_t size)
{
    g_assert_cmpint(run(NULL, "qemu-img create -q -f %s %s %s %" PRId64,
                        fmt, opts ? opts : "", path, size), ==, 0);
}

/* qemu-img check: no errors, no leaks (exit status 0). */
static void assert_image_clean(const char *path)
{
    g_autofree char *out = NULL;

    g_assert_cmpint(run(&out, "qemu-img check %s", path), ==, 0);
    g_assert_nonnull(strstr(out, "No errors were found"));
}

/* The guest-visible bytes of @path (qemu-img convert -O raw). */
static uint8_t *image_contents(const char *path, size_t len)
{
    g_autofree char *raw = tmp_path("converted.raw");
    gchar *data;
    gsize n;

    g_assert_cmpint(run(NULL, "qemu-img convert -O raw %s %s", path, raw),
                    ==, 0);
    g_assert_true(g_file_get_contents(raw, &data, &n, NULL));
    g_assert_cmpuint(n, ==, len);
    unlink(raw);
    return (uint8_t *)data;
}

static BlockBackend *open_blk(const char *json)
{
    Error *err = NULL;
    QDict *opts = qdict_from_json(json, &error_abort);
    BlockDriverState *bs = bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &err);
    BlockBackend *blk;

    if (err) {
        g_error("%s", error_get_pretty(err));
    }
    blk = blk_new(qemu_get_aio_context(), BLK_PERM_ALL, BLK_PERM_ALL);
    blk_insert_bs(blk, bs, &error_abort);
    bdrv_unref(bs);
    return blk;
}

static void close_blk(BlockBackend *blk)
{
    blk_unref(blk);
}

/* ---- many coroutine requests at once ------------------------------------- */

typedef struct Req {
    BlockBackend *blk;
    int64_t offset;
    int64_t bytes;
    uint8_t *buf;
    bool write;
    int ret;
    int *pending;
} Req;

static void coroutine_fn req_entry(void *opaque)
{
    Req *r = opaque;

    r->ret = r->write ? blk_co_pwrite(r->blk, r->offset, r->bytes, r->buf, 0)
                      : blk_co_pread(r->blk, r->offset, r->bytes, r->buf, 0);
    qatomic_dec(r->pending);
}

/*
 * Issue @n requests concurrently (each a coroutine in the backend's
 * context) and poll until all are done.  All must succeed.
 */
static void run_reqs(Req *reqs, int n)
{
    int pending = n;
    AioContext *ctx = blk_get_aio_context(reqs[0].blk);

    for (int i = 0; i < n; i++) {
        reqs[i].pending = &pending;
        qemu_aio_coroutine_enter(ctx, qemu_coroutine_create(req_entry,
                                                             &reqs[i]));
    }
    while (qatomic_read(&pending)) {
        aio_poll(ctx, true);
    }
    for (int i = 0; i < n; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
}

/*
 * Scatter writes of odd sizes and offsets over @size bytes through
 * @blk, mirrored in @expect; then read everything back concurrently.
 */
static void write_pattern(BlockBackend *blk, uint8_t *expect, int64_t size,
                          int nreq, int seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    Req *reqs = g_new0(Req, nreq);
    int64_t chunk = size / nreq;

    /* Disjoint ranges, so concurrent writes have one outcome. */
    for (int i = 0; i < nreq; i++) {
        Req *r = &reqs[i];
        r->blk = blk;
        r->offset = i * chunk + g_rand_int_range(rand, 0, chunk / 2);
        r->bytes = g_rand_int_range(rand, 1, chunk / 2);
        r->buf = g_malloc(r->bytes);
        for (int64_t j = 0; j < r->bytes; j++) {
            r->buf[j] = g_rand_int(rand);
        }
        r->write = true;
        memcpy(expect + r->offset, r->buf, r->bytes);
    }
    run_reqs(reqs, nreq);
    for (int i = 0; i < nreq; i++) {
        g_free(reqs[i].buf);
    }
    g_free(reqs);
    g_rand_free(rand);
}

static void read_and_compare(BlockBackend *blk, const uint8_t *expect,
                             int64_t size, int nreq)
{
    Req *reqs = g_new0(Req, nreq);
    int64_t chunk = size / nreq;

    for (int i = 0; i < nreq; i++) {
        reqs[i].blk = blk;
        reqs[i].offset = i * chunk;
        reqs[i].bytes = i == nreq - 1 ? size - i * chunk : chunk;
        reqs[i].buf = g_malloc(reqs[i].bytes);
    }
    run_reqs(reqs, nreq);
    for (int i = 0; i < nreq; i++) {
        g_assert_cmpmem(reqs[i].buf, reqs[i].bytes,
                        expect + reqs[i].offset, reqs[i].bytes);
        g_free(reqs[i].buf);
    }
    g_free(reqs);
}

/* ---- raw ------------------------------------------------------------------ */

static void test_raw(const char *aio, const char *cache_direct)
{
    g_autofree char *img = tmp_path("raw.img");
    g_autofree char *json = NULL;
    const int64_t size = 1 << 20;
    g_autofree uint8_t *expect = g_malloc0(size);
    g_autofree uint8_t *got = NULL;
    BlockBackend *blk;

    qemu_img_create("raw", img, NULL, size);
    json = g_strdup_printf("{'driver': 'raw', 'node-name': 'r0',"
                           " 'cache': {'direct': %s},"
                           " 'file': {'driver': 'file', 'filename': '%s',"
                           "          'aio': '%s'}}", cache_direct, img, aio);
    blk = open_blk(json);
    g_assert_cmpint(blk_getlength(blk), ==, size);
    write_pattern(blk, expect, size, 32, 1);
    read_and_compare(blk, expect, size, 7);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    close_blk(blk);
    got = image_contents(img, size);
    g_assert_cmpmem(got, size, expect, size);
    unlink(img);
}

static void test_raw_threads(void)
{
    test_raw("threads", "false");
}

static void test_raw_io_uring(void)
{
    test_raw("io_uring", "false");
}

static void test_raw_native(void)
{
    /* Linux AIO (libaio); QEMU asks for cache.direct=on with it. */
    test_raw("native", "true");
}

static void test_raw_direct(void)
{
    /* Unaligned requests on O_DIRECT: bounced, read-modify-write. */
    test_raw("threads", "true");
    test_raw("io_uring", "true");
}

/* raw's offset/size window and the write-past-end error. */
static void test_raw_window(void)
{
    g_autofree char *img = tmp_path("win.img");
    g_autofree char *json = NULL;
    uint8_t buf[512], back[512];
    BlockBackend *blk;
    int fd;

    qemu_img_create("raw", img, NULL, 8192);
    json = g_strdup_printf("{'driver': 'raw', 'offset': 1024, 'size': 2048,"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    g_assert_cmpint(blk_getlength(blk), ==, 2048);
    memset(buf, 0xab, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 2048, sizeof(buf), buf, 0), ==, -EIO);
    close_blk(blk);
    fd = open(img, O_RDONLY);
    g_assert_cmpint(pread(fd, back, sizeof(back), 1024), ==, sizeof(back));
    close(fd);
    g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
    unlink(img);
}

/* Run @fn(@opaque) as a coroutine in the main context until it ends. */
typedef struct CoRun {
    CoroutineEntry *fn;
    void *opaque;
    bool done;
} CoRun;

static void coroutine_fn co_run_entry(void *opaque)
{
    CoRun *r = opaque;

    r->fn(r->opaque);
    r->done = true;
}

static void co_run(CoroutineEntry *fn, void *opaque)
{
    CoRun r = { fn, opaque, false };

    qemu_coroutine_enter(qemu_coroutine_create(co_run_entry, &r));
    while (!r.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

/* write-zeroes and discard on the file protocol. */
static void coroutine_fn zero_discard_entry(void *opaque)
{
    BlockBackend *blk = opaque;

    g_assert_cmpint(blk_co_pwrite_zeroes(blk, 4096, 8192, 0), ==, 0);
    g_assert_cmpint(blk_co_pdiscard(blk, 65536, 65536), ==, 0);
}

static void test_raw_zero_discard(void)
{
    g_autofree char *img = tmp_path("zd.img");
    g_autofree char *json = NULL;
    const int64_t size = 256 * 1024;
    g_autofree uint8_t *expect = g_malloc(size);
    g_autofree uint8_t *got = NULL;
    BlockBackend *blk;
    struct stat st_before, st_after;

    qemu_img_create("raw", img, "-o preallocation=full", size);
    json = g_strdup_printf("{'driver': 'raw', 'discard': 'unmap',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    memset(expect, 0x5a, size);
    g_assert_cmpint(blk_pwrite(blk, 0, size, expect, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(stat(img, &st_before), ==, 0);
    co_run(zero_discard_entry, blk);
    memset(expect + 4096, 0, 8192);
    memset(expect + 65536, 0, 65536);   /* punched holes read as zero */
    close_blk(blk);
    g_assert_cmpint(stat(img, &st_after), ==, 0);
    /* The punched hole freed space on the host. */
    g_assert_cmpint(st_after.st_blocks, <, st_before.st_blocks);
    got = image_contents(img, size);
    g_assert_cmpmem(got, size, expect, size);
    unlink(img);
}

/* ---- qcow2 ---------------------------------------------------------------- */

/*
 * Scattered writes into a fresh qcow2: allocates clusters, L2 tables,
 * refcount blocks and (with 512-byte clusters) grows the refcount table.
 * qemu-img must find the result clean and read what we wrote.
 */
static void test_qcow2_alloc_opts(const char *create_opts, int64_t size,
                                  const char *aio)
{
    g_autofree char *img = tmp_path("alloc.qcow2");
    g_autofree char *json = NULL;
    g_autofree uint8_t *expect = g_malloc0(size);
    g_autofree uint8_t *got = NULL;
    BlockBackend *blk;

    qemu_img_create("qcow2", img, create_opts, size);
    /* no-flush: these tests check layout, not durability (fast under TSan). */
    json = g_strdup_printf("{'driver': 'qcow2', 'node-name': 'q0',"
                           " 'cache': {'no-flush': true},"
                           " 'file': {'driver': 'file', 'filename': '%s',"
                           "          'aio': '%s'}}", img, aio);
    blk = open_blk(json);
    g_assert_cmpint(blk_getlength(blk), ==, size);
    write_pattern(blk, expect, size, 64, 2);
    /* Overwrite some of it again: in-place writes to COPIED clusters. */
    write_pattern(blk, expect, size, 16, 3);
    read_and_compare(blk, expect, size, 9);
    close_blk(blk);
    assert_image_clean(img);
    got = image_contents(img, size);
    g_assert_cmpmem(got, size, expect, size);

    /* Reopen: what we wrote is what the image says. */
    blk = open_blk(json);
    read_and_compare(blk, expect, size, 3);
    close_blk(blk);
    unlink(img);
}

static void test_qcow2_alloc(void)
{
    test_qcow2_alloc_opts(NULL, 4 << 20, "threads");
}

static void test_qcow2_io_uring(void)
{
    test_qcow2_alloc_opts(NULL, 4 << 20, "io_uring");
}

static void test_qcow2_small_clusters(void)
{
    /* 512-byte clusters: 256 clusters per refcount block, 64 per table. */
    test_qcow2_alloc_opts("-o cluster_size=512", 4 << 20, "threads");
}

static void test_qcow2_v2(void)
{
    test_qcow2_alloc_opts("-o compat=0.10,cluster_size=4096", 2 << 20,
                          "threads");
}

/*
 * Enough 512-byte clusters that the refcount table (one cluster: 64
 * blocks of 256 clusters, 8 MiB) must grow while writing.
 */
static void test_qcow2_reftable_growth(void)
{
    g_autofree char *img = tmp_path("grow.qcow2");
    g_autofree char *json = NULL;
    const int64_t size = 10 << 20;
    g_autofree uint8_t *expect = g_malloc(size);
    g_autofree uint8_t *got = NULL;
    g_autofree char *out = NULL;
    BlockBackend *blk;

    for (int64_t i = 0; i < size; i++) {
        expect[i] = (i >> 9) ^ i;
    }
    qemu_img_create("qcow2", img, "-o cluster_size=512", size);
    json = g_strdup_printf("{'driver': 'qcow2', 'cache': {'no-flush': true},"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    for (int64_t off = 0; off < size; off += 1 << 20) {
        g_assert_cmpint(blk_pwrite(blk, off, 1 << 20, expect + off, 0), ==, 0);
    }
    close_blk(blk);
    assert_image_clean(img);
    g_assert_cmpint(run(&out, "qemu-img info %s", img), ==, 0);
    got = image_contents(img, size);
    g_assert_cmpmem(got, size, expect, size);
    {
        /* The header now points at a bigger table than qemu-img made. */
        uint8_t hdr[64];
        int fd = open(img, O_RDONLY);

        g_assert_cmpint(pread(fd, hdr, sizeof(hdr), 0), ==, sizeof(hdr));
        close(fd);
        g_assert_cmpuint(((uint32_t)hdr[56] << 24 | hdr[57] << 16 |
                          hdr[58] << 8 | hdr[59]), >, 1);
    }
    unlink(img);
}

/* qcow2 over a raw backing file: COW on partial writes, reads through. */
static void test_qcow2_backing(void)
{
    g_autofree char *base = tmp_path("base.raw");
    g_autofree char *top = tmp_path("top.qcow2");
    g_autofree char *json = NULL;
    const int64_t size = 1 << 20;
    g_autofree uint8_t *expect = g_malloc(size);
    g_autofree uint8_t *got = NULL;
    g_autofree char *out = NULL;
    BlockBackend *blk;
    BlockDriverState *bs;

    for (int64_t i = 0; i < size; i++) {
        expect[i] = i * 7 + 3;
    }
    g_assert_true(g_file_set_contents(base, (char *)expect, size, NULL));
    g_assert_cmpint(run(NULL, "qemu-img create -q -f qcow2 -b %s -F raw "
                        "-o cluster_size=4096 %s", base, top), ==, 0);
    /* Only the filename: the format is probed, the backing found. */
    json = g_strdup_printf("{'driver': 'qcow2',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           top);
    blk = open_blk(json);
    bs = blk_bs(blk);
    g_assert_cmpstr(bdrv_get_format_name(bs), ==, "qcow2");
    read_and_compare(blk, expect, size, 5);
    write_pattern(blk, expect, size, 40, 4);
    read_and_compare(blk, expect, size, 5);
    close_blk(blk);
    assert_image_clean(top);
    got = image_contents(top, size);
    g_assert_cmpmem(got, size, expect, size);
    /* The base is untouched: top differs from it exactly where written. */
    g_assert_cmpint(run(&out, "qemu-img compare -f qcow2 -F raw %s %s", top,
                        base), ==, 1);
    unlink(base);
    unlink(top);
}

/* Probing from a filename, as -drive file= without format= does. */
static void test_probe(void)
{
    g_autofree char *img = tmp_path("probe.qcow2");
    Error *err = NULL;
    BlockDriverState *bs;

    qemu_img_create("qcow2", img, NULL, 1 << 20);
    bs = bdrv_open(img, NULL, NULL, BDRV_O_RDWR, &err);
    if (err) {
        g_error("%s", error_get_pretty(err));
    }
    g_assert_cmpstr(bdrv_get_format_name(bs), ==, "qcow2");
    g_assert_cmpint(bdrv_getlength(bs), ==, 1 << 20);
    bdrv_unref(bs);
    unlink(img);
}

/* Grow a qcow2 past its L1 table (block_resize's path). */
static void test_qcow2_resize(void)
{
    g_autofree char *img = tmp_path("resize.qcow2");
    g_autofree char *json = NULL;
    const int64_t big = 64 << 20;
    uint8_t buf[4096];
    BlockBackend *blk;
    Error *err = NULL;

    /* 512-byte clusters: one L1 entry maps 32 KiB, so this grows L1. */
    qemu_img_create("qcow2", img, "-o cluster_size=512", 1 << 20);
    json = g_strdup_printf("{'driver': 'qcow2',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    g_assert_cmpint(blk_truncate(blk, big, &err), ==, 0);
    g_assert_null(err);
    g_assert_cmpint(blk_getlength(blk), ==, big);
    memset(buf, 0xc3, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, big - sizeof(buf), sizeof(buf), buf, 0),
                    ==, 0);
    g_assert_cmpint(blk_truncate(blk, 4096, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "qcow2 doesn't support shrinking images yet");
    error_free(err);
    close_blk(blk);
    assert_image_clean(img);
    {
        g_autofree uint8_t *got = image_contents(img, big);
        g_assert_cmpmem(got + big - sizeof(buf), sizeof(buf), buf,
                        sizeof(buf));
        g_assert_true(buffer_is_zero(got, big - sizeof(buf)));
    }
    unlink(img);
}

/* ---- drains --------------------------------------------------------------- */

typedef struct DrainReq {
    BlockBackend *blk;
    uint8_t buf[4096];
    int64_t offset;
    int ret;
    int *completed;
    QemuSemaphore *done_sem;    /* posted on completion, if set */
} DrainReq;

static void coroutine_fn drain_req_entry(void *opaque)
{
    DrainReq *r = opaque;

    r->ret = blk_co_pwrite(r->blk, r->offset, sizeof(r->buf), r->buf, 0);
    qatomic_inc(r->completed);
    if (r->done_sem) {
        qemu_sem_post(r->done_sem);
    }
}

/* Start requests in the IOThread: each runs up to its first yield. */
typedef struct StartReqs {
    AioContext *ctx;
    DrainReq *reqs;
    int n;
    QemuSemaphore started;
} StartReqs;

static void start_reqs_bh(void *opaque)
{
    StartReqs *s = opaque;

    for (int i = 0; i < s->n; i++) {
        qemu_aio_coroutine_enter(s->ctx,
                                 qemu_coroutine_create(drain_req_entry,
                                                       &s->reqs[i]));
    }
    qemu_sem_post(&s->started);
}

static void start_reqs(AioContext *ctx, DrainReq *reqs, int n)
{
    StartReqs s = { ctx, reqs, n };

    qemu_sem_init(&s.started, 0);
    aio_bh_schedule_oneshot(ctx, start_reqs_bh, &s);
    qemu_sem_wait(&s.started);
    qemu_sem_destroy(&s.started);
}

/* Whether request @r's data is in the raw file @path. */
static bool data_landed(const char *path, DrainReq *r)
{
    uint8_t back[4096];
    int fd = open(path, O_RDONLY);

    g_assert_cmpint(pread(fd, back, sizeof(back), r->offset), ==,
                    sizeof(back));
    close(fd);
    return !memcmp(back, r->buf, sizeof(back));
}

/* A new raw image of 8 MiB at @img, opened in @ctx. */
static BlockBackend *open_raw_in(const char *img, AioContext *ctx)
{
    g_autofree char *json = NULL;
    BlockBackend *blk;

    qemu_img_create("raw", img, NULL, 8 << 20);
    json = g_strdup_printf("{'driver': 'raw',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    g_assert_cmpint(blk_set_aio_context(blk, ctx, &error_abort), ==, 0);
    g_assert_true(blk_get_aio_context(blk) == ctx);
    return blk;
}

/* @n 4 KiB writes to @blk, 64 KiB apart from @skew, each its own pattern. */
static DrainReq *drain_reqs_new(BlockBackend *blk, int n, int64_t skew,
                                int *completed)
{
    DrainReq *reqs = g_new0(DrainReq, n);

    for (int i = 0; i < n; i++) {
        reqs[i].blk = blk;
        reqs[i].offset = i * 65536 + skew;
        memset(reqs[i].buf, i + 1, sizeof(reqs[i].buf));
        reqs[i].completed = completed;
    }
    return reqs;
}

/*
 * Requests in flight in an IOThread; the main thread drains: when
 * bdrv_drain_all_begin returns every one is in the file and nothing is
 * in flight; one issued during the drain is parked until the drain ends.
 * (The coroutines' own "completed" count runs after the request left
 * the block layer, so the file is the witness.)
 */
static void test_drain_iothread(void)
{
    g_autofree char *img = tmp_path("drain.raw");
    IOThread *iot = iothread_create("io0", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iot);
    enum { N = 64 };
    QemuSemaphore late_done;
    int completed = 0;
    BlockBackend *blk = open_raw_in(img, ctx);
    DrainReq *reqs = drain_reqs_new(blk, N + 1, 512, &completed);

    qemu_sem_init(&late_done, 0);
    reqs[N].done_sem = &late_done;
    start_reqs(ctx, reqs, N);
    bdrv_drain_all_begin();
    g_assert_cmpuint(bdrv_get_in_flight(blk_bs(blk)), ==, 0);
    for (int i = 0; i < N; i++) {
        g_assert_true(data_landed(img, &reqs[i]));
    }

    /* Issued while drained: parked in blk_co_pwrite. */
    start_reqs(ctx, &reqs[N], 1);
    /* A nested drain does not wait for it, and it does not run. */
    bdrv_drain_all_begin();
    bdrv_drain_all_end();
    g_assert_false(data_landed(img, &reqs[N]));
    bdrv_drain_all_end();
    /* Released by the end of the drain. */
    qemu_sem_wait(&late_done);
    g_assert_cmpint(qatomic_read(&completed), ==, N + 1);
    bdrv_drain_all();
    for (int i = 0; i <= N; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }

    g_assert_cmpint(blk_set_aio_context(blk, qemu_get_aio_context(),
                                        &error_abort), ==, 0);
    close_blk(blk);
    iothread_destroy(iot);
    g_assert_true(data_landed(img, &reqs[N]));
    qemu_sem_destroy(&late_done);
    g_free(reqs);
    unlink(img);
}

/* ---- a node leaves its IOThread ------------------------------------------ */

typedef struct LingerReq {
    BlockBackend *blk;
    uint8_t buf[4096];
    int ret;
    QemuSemaphore written;      /* the write returned, in the IOThread */
    QemuEvent release;          /* the main loop lets the IOThread go on */
    bool released;
    bool root_at_tail;          /* tail_entry: blk still had its node */
} LingerReq;

static void coroutine_fn linger_entry(void *opaque)
{
    LingerReq *r = opaque;

    r->ret = blk_co_pwrite(r->blk, 0, sizeof(r->buf), r->buf, 0);
    /*
     * The io_uring completion callback woke us and is still on this
     * thread's stack, below this coroutine: keep the thread here while
     * the main thread takes the node away.
     */
    qemu_sem_post(&r->written);
    qemu_event_wait(&r->release);
}

static void linger_release_bh(void *opaque)
{
    LingerReq *r = opaque;

    qatomic_set(&r->released, true);
    qemu_event_set(&r->release);
}

/*
 * A write on a raw node in @ctx (file aio=@aio) by @entry, which stops
 * after it returned; the main loop releases it (linger_release_bh, now
 * scheduled), so whatever the caller does next that polls the main loop
 * lets it go on.
 */
static LingerReq *linger_start(const char *img, const char *aio,
                               AioContext *ctx, CoroutineEntry *entry)
{
    g_autofree char *json = NULL;
    LingerReq *r = g_new0(LingerReq, 1);

    qemu_img_create("raw", img, NULL, 1 << 20);
    /* no-flush: the close itself has no request that needs a poll. */
    json = g_strdup_printf("{'driver': 'raw', 'cache': {'no-flush': true},"
                           " 'file': {'driver': 'file', 'filename': '%s',"
                           "          'aio': '%s'}}", img, aio);
    r->blk = open_blk(json);
    g_assert_cmpint(blk_set_aio_context(r->blk, ctx, &error_abort), ==, 0);
    memset(r->buf, 0x5a, sizeof(r->buf));
    qemu_sem_init(&r->written, 0);
    qemu_event_init(&r->release, false);

    aio_co_enter(ctx, qemu_coroutine_create(entry, r));
    qemu_sem_wait(&r->written);
    g_assert_cmpint(r->ret, ==, 0);
    aio_bh_schedule_oneshot(qemu_get_aio_context(), linger_release_bh, r);
    return r;
}

static void linger_wait_released(LingerReq *r)
{
    while (!qatomic_read(&r->released)) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

static void linger_free(LingerReq *r)
{
    qemu_event_destroy(&r->release);
    qemu_sem_destroy(&r->written);
    g_free(r);
}


/*
 * blockdev-snapshot's bdrv_append with the disk in an IOThread: what was
 * in flight lands in the old top before the swap (the drain), what comes
 * after goes to the overlay, and the overlay reads the old data through
 * its backing.  A TSan target: the swap races the IOThread's requests.
 */
static void test_append_under_requests(void)
{
    g_autofree char *base = tmp_path("append-base.raw");
    g_autofree char *top = tmp_path("append-top.qcow2");
    g_autofree char *json = NULL, *opts = NULL;
    IOThread *iot = iothread_create("io0", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iot);
    enum { N = 32 };
    BlockDriverState *ov;
    QemuSemaphore done;
    int completed = 0;
    BlockBackend *blk = open_raw_in(base, ctx);
    DrainReq *reqs = drain_reqs_new(blk, 2 * N, 0, &completed);

    qemu_sem_init(&done, 0);
    for (int i = 0; i < 2 * N; i++) {
        reqs[i].done_sem = &done;
    }
    opts = g_strdup_printf("-b %s -F raw", base);
    qemu_img_create("qcow2", top, opts, 8 << 20);
    start_reqs(ctx, reqs, N);

    json = g_strdup_printf("{'driver': 'qcow2', 'backing': null,"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           top);
    ov = bdrv_open(NULL, NULL, qdict_from_json(json, &error_abort),
                   BDRV_O_RDWR, &error_abort);
    g_assert_cmpint(bdrv_append(ov, blk_bs(blk), &error_abort), ==, 0);
    g_assert_true(blk_bs(blk) == ov);
    g_assert_true(bdrv_get_aio_context(ov) == ctx);
    bdrv_unref(ov);                 /* the backend holds its own */
    for (int i = 0; i < N; i++) {
        g_assert_true(data_landed(base, &reqs[i]));
    }

    start_reqs(ctx, reqs + N, N);
    /* The coroutines finish after leaving the block layer: wait for them. */
    for (int i = 0; i < 2 * N; i++) {
        qemu_sem_wait(&done);
    }
    g_assert_cmpint(qatomic_read(&completed), ==, 2 * N);
    for (int i = 0; i < 2 * N; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
    for (int i = N; i < 2 * N; i++) {
        g_assert_false(data_landed(base, &reqs[i]));
    }
    g_assert_cmpint(blk_set_aio_context(blk, qemu_get_aio_context(),
                                        &error_abort), ==, 0);
    close_blk(blk);
    iothread_destroy(iot);
    assert_image_clean(top);
    {
        g_autofree uint8_t *got = image_contents(top, 8 << 20);

        for (int i = 0; i < 2 * N; i++) {
            g_assert_cmpmem(got + reqs[i].offset, sizeof(reqs[i].buf),
                            reqs[i].buf, sizeof(reqs[i].buf));
        }
    }
    qemu_sem_destroy(&done);
    g_free(reqs);
    unlink(base);
    unlink(top);
}

/*
 * The main thread moves an aio=io_uring node out of its IOThread and
 * closes it (as at quit, when the last flush's completion woke the
 * coroutine the main thread waited for) while the IOThread is still in
 * the ring's completion callback.  The callback must have left before
 * the ring is freed: the detach waits for the IOThread (polling the main
 * loop, which is what releases it here).  Before, the callback went on
 * peeking at the unmapped ring: SIGSEGV after "reboot: Power down".
 */
static void test_detach_iothread_in_callback(void)
{
    g_autofree char *img = tmp_path("linger.raw");
    IOThread *iot = iothread_create("io0", &error_abort);
    LingerReq *r = linger_start(img, "io_uring",
                                iothread_get_aio_context(iot), linger_entry);

    g_assert_cmpint(blk_set_aio_context(r->blk, qemu_get_aio_context(),
                                        &error_abort), ==, 0);
    close_blk(r->blk);
    linger_wait_released(r);
    /* Joins the IOThread: it has left the callback. */
    iothread_destroy(iot);
    linger_free(r);
    unlink(img);
}

/*
 * A device's request coroutine goes on after blk_co_pwrite returned (and
 * dropped in_flight): virtio-blk completes it, or reports an error with
 * blk_error_action, which reads blk->root.  blk_remove_bs from the main
 * thread (blockdev-del, quit) must not free root under it.
 */
static void coroutine_fn tail_entry(void *opaque)
{
    LingerReq *r = opaque;

    r->ret = blk_co_pwrite(r->blk, 0, sizeof(r->buf), r->buf, 0);
    qemu_sem_post(&r->written);
    qemu_event_wait(&r->release);
    /* What blk_error_action looks at, still in the same callback. */
    r->root_at_tail = blk_bs(r->blk) != NULL;
}

static void test_remove_bs_waits_for_the_request_tail(void)
{
    g_autofree char *img = tmp_path("tail.raw");
    IOThread *iot = iothread_create("io0", &error_abort);
    LingerReq *r = linger_start(img, "threads",
                                iothread_get_aio_context(iot), tail_entry);

    /* The drain and the wait for the IOThread poll the main loop. */
    blk_remove_bs(r->blk);
    linger_wait_released(r);
    iothread_destroy(iot);
    g_assert_true(r->root_at_tail);
    close_blk(r->blk);
    linger_free(r);
    unlink(img);
}

/* ---- blk_aio_* ------------------------------------------------------------ */

typedef struct AioDone {
    int calls;
    int last_ret;
} AioDone;

static void aio_done_cb(void *opaque, int ret)
{
    AioDone *d = opaque;

    d->calls++;
    if (ret < 0 || d->last_ret == 0) {
        d->last_ret = ret;
    }
}

/*
 * Callback-style requests: the callback never runs before blk_aio_*
 * returned (even for a request that fails at once), and a drain waits
 * for the callbacks, not only for the I/O.
 */
static void test_blk_aio(void)
{
    g_autofree char *img = tmp_path("aio.qcow2");
    g_autofree char *json = NULL;
    enum { N = 32 };
    uint8_t (*bufs)[4096] = g_malloc(N * 4096);
    uint8_t back[4096];
    QEMUIOVector qiov[N], bad;
    AioDone d = { 0 }, e = { 0 };
    BlockBackend *blk;

    qemu_img_create("qcow2", img, NULL, 1 << 20);
    json = g_strdup_printf("{'driver': 'qcow2',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);

    qemu_iovec_init_buf(&bad, back, sizeof(back));
    blk_aio_preadv(blk, 2 << 20, &bad, 0, aio_done_cb, &e);
    g_assert_cmpint(e.calls, ==, 0);        /* failed already, not called */

    for (int i = 0; i < N; i++) {
        memset(bufs[i], 0x40 + i, 4096);
        qemu_iovec_init_buf(&qiov[i], bufs[i], 4096);
        blk_aio_pwritev(blk, i * 8192 + 512, &qiov[i], 0, aio_done_cb, &d);
    }
    blk_aio_flush(blk, aio_done_cb, &d);
    bdrv_drain_all_begin();
    g_assert_cmpint(d.calls, ==, N + 1);
    g_assert_cmpint(d.last_ret, ==, 0);
    g_assert_cmpint(e.calls, ==, 1);
    g_assert_cmpint(e.last_ret, ==, -EIO);
    bdrv_drain_all_end();

    for (int i = 0; i < N; i++) {
        g_assert_cmpint(blk_pread(blk, i * 8192 + 512, 4096, back, 0), ==, 0);
        g_assert_cmpmem(back, 4096, bufs[i], 4096);
    }
    close_blk(blk);
    assert_image_clean(img);
    g_free(bufs);
    unlink(img);
}

/* ---- errors --------------------------------------------------------------- */

static void assert_open_error(const char *json, const char *msg)
{
    Error *err = NULL;
    QDict *opts = qdict_from_json(json, &error_abort);
    BlockDriverState *bs = bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &err);

    g_assert_null(bs);
    g_assert_nonnull(err);
    if (!g_pattern_match_simple(msg, error_get_pretty(err))) {
        g_error("expected '%s', got '%s'", msg, error_get_pretty(err));
    }
    error_free(err);
    /* Nothing half-open left behind. */
    g_assert_null(bdrv_next_all_states(NULL));
}

static void write_file(const char *path, const void *data, size_t len)
{
    g_assert_true(g_file_set_contents(path, data, len, NULL));
}

/* Patch @len bytes at @offset of @path. */
static void patch_file(const char *path, off_t offset, const void *data,
                       size_t len)
{
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, data, len, offset), ==, len);
    close(fd);
}

static void test_errors(void)
{
    g_autofree char *missing = tmp_path("missing.img");
    g_autofree char *raw = tmp_path("plain.raw");
    g_autofree char *trunc = tmp_path("trunc.qcow2");
    g_autofree char *bad = tmp_path("bad.qcow2");
    g_autofree char *json = NULL;
    g_autofree char *content = NULL;
    gsize len;
    static const uint8_t one[4] = { 0, 0, 0, 1 };
    static const uint8_t v9[4] = { 0, 0, 0, 9 };
    static const uint8_t misaligned_l1[8] = { 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
    static const uint8_t nine[4] = { 0, 0, 0, 5 };
    static const uint8_t extl2[8] = { 0, 0, 0, 0, 0, 0, 0, 0x10 };

    json = g_strdup_printf("{'driver': 'raw', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", missing);
    assert_open_error(json, "Could not open '*missing.img': No such file or "
                      "directory");
    g_free(json);

    qemu_img_create("raw", raw, NULL, 65536);
    json = g_strdup_printf("{'driver': 'qcow2', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", raw);
    assert_open_error(json, "Image is not in qcow2 format");
    g_free(json);

    /* A qcow2 header cut short (QEMU's message for it). */
    qemu_img_create("qcow2", bad, NULL, 1 << 20);
    g_assert_true(g_file_get_contents(bad, &content, &len, NULL));
    write_file(trunc, content, 40);
    json = g_strdup_printf("{'driver': 'qcow2', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", trunc);
    assert_open_error(json, "qcow2 header too short");
    g_free(json);

    json = g_strdup_printf("{'driver': 'qcow2', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", bad);
    patch_file(bad, 4, v9, 4);                  /* version */
    assert_open_error(json, "Unsupported qcow2 version 9");
    write_file(bad, content, len);
    patch_file(bad, 32, one, 4);                /* crypt_method */
    assert_open_error(json, "qcow2: encrypted images are not supported");
    write_file(bad, content, len);
    patch_file(bad, 40, misaligned_l1, 8);      /* l1_table_offset */
    assert_open_error(json, "Invalid L1 table offset");
    write_file(bad, content, len);
    patch_file(bad, 20, nine + 0, 4);           /* cluster_bits = 5 */
    assert_open_error(json, "Unsupported cluster size: 2^5");
    write_file(bad, content, len);
    patch_file(bad, 72, extl2, 8);              /* incompatible features */
    assert_open_error(json, "Unsupported qcow2 feature(s): Extended L2 "
                      "entries");
    write_file(bad, content, len);
    /* Intact again: opens. */
    {
        BlockBackend *blk = open_blk(json);
        close_blk(blk);
    }
    g_free(json);

    json = g_strdup_printf("{'driver': 'raw', 'file': {'driver': 'file',"
                           " 'filename': '%s'}, 'offset': 70000}", raw);
    assert_open_error(json, "The sum of offset (70000) and size (0) has to "
                      "be smaller or equal to the  actual size of the "
                      "containing file (65536)");
    unlink(raw);
    unlink(trunc);
    unlink(bad);
}

/* A compressed cluster: a clear error on read, no crash. */
static void test_compressed(void)
{
    g_autofree char *src = tmp_path("src.raw");
    g_autofree char *img = tmp_path("comp.qcow2");
    g_autofree char *json = NULL;
    g_autofree uint8_t *data = g_malloc(65536);
    uint8_t buf[512];
    BlockBackend *blk;

    memset(data, 'x', 65536);
    write_file(src, data, 65536);
    g_assert_cmpint(run(NULL, "qemu-img convert -c -O qcow2 %s %s", src,
                        img), ==, 0);
    json = g_strdup_printf("{'driver': 'qcow2', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", img);
    blk = open_blk(json);
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, -ENOTSUP);
    close_blk(blk);
    unlink(src);
    unlink(img);
}

/* ---- werror/rerror ------------------------------------------------------- */

static QDict *last_event;
static char *last_event_name;
static int vmstops;

static void record_event(const char *name, QDict *data)
{
    g_free(last_event_name);
    qobject_unref(last_event);
    last_event_name = g_strdup(name);
    qobject_ref(data);
    last_event = data;
}

static void count_vmstop(void)
{
    vmstops++;
}

static void test_error_action(void)
{
    g_autofree char *img = tmp_path("err.raw");
    g_autofree char *json = NULL;
    BlockBackend *blk;

    qemu_img_create("raw", img, NULL, 65536);
    json = g_strdup_printf("{'driver': 'raw', 'node-name': 'e0',"
                           " 'file': {'driver': 'file', 'filename': '%s'}}",
                           img);
    blk = open_blk(json);
    g_assert_true(monitor_add_blk(blk, "disk0", &error_abort));

    /* QEMU's defaults: werror=enospc, rerror=report. */
    g_assert_cmpint(blk_get_error_action(blk, false, ENOSPC), ==,
                    BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(blk, false, EIO), ==,
                    BLOCK_ERROR_ACTION_REPORT);
    g_assert_cmpint(blk_get_error_action(blk, true, ENOSPC), ==,
                    BLOCK_ERROR_ACTION_REPORT);
    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_IGNORE, BLOCKDEV_ON_ERROR_STOP);
    g_assert_cmpint(blk_get_error_action(blk, true, EIO), ==,
                    BLOCK_ERROR_ACTION_IGNORE);
    g_assert_cmpint(blk_get_error_action(blk, false, EIO), ==,
                    BLOCK_ERROR_ACTION_STOP);

    /* The action: BLOCK_IO_ERROR from the main loop, then the stop. */
    qapi_event_set_emitter(record_event);
    blk_set_vmstop_hook(count_vmstop);
    blk_iostatus_enable(blk);
    blk_error_action(blk, BLOCK_ERROR_ACTION_STOP, false, ENOSPC);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run the BH */
    }
    g_assert_cmpstr(last_event_name, ==, "BLOCK_IO_ERROR");
    g_assert_cmpstr(qdict_get_str(last_event, "device"), ==, "disk0");
    g_assert_cmpstr(qdict_get_str(last_event, "node-name"), ==, "e0");
    g_assert_cmpstr(qdict_get_str(last_event, "operation"), ==, "write");
    g_assert_cmpstr(qdict_get_str(last_event, "action"), ==, "stop");
    g_assert_true(qdict_get_bool(last_event, "nospace"));
    g_assert_cmpstr(qdict_get_str(last_event, "reason"), ==,
                    "No space left on device");
    g_assert_cmpint(vmstops, ==, 1);
    {
        BlockInfo *info = blk_query_info(blk);
        g_assert_true(info->has_io_status);
        g_assert_cmpint(info->io_status, ==, BLOCK_DEVICE_IO_STATUS_NOSPACE);
        qapi_free_BlockInfo(info);
    }
    /* "report" does not stop. */
    blk_error_action(blk, BLOCK_ERROR_ACTION_REPORT, true, EIO);
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    g_assert_cmpstr(qdict_get_str(last_event, "action"), ==, "report");
    g_assert_cmpstr(qdict_get_str(last_event, "operation"), ==, "read");
    g_assert_cmpint(vmstops, ==, 1);

    blk_set_vmstop_hook(NULL);
    qapi_event_set_emitter(NULL);
    qobject_unref(last_event);
    g_free(last_event_name);
    monitor_remove_blk(blk);
    close_blk(blk);
    unlink(img);
}

/* Image locks: a second writer of the same image is refused as QEMU. */
static void test_locking(void)
{
    g_autofree char *img = tmp_path("lock.qcow2");
    g_autofree char *json = NULL;
    g_autofree char *out = NULL;
    BlockBackend *blk;
    Error *err = NULL;

    qemu_img_create("qcow2", img, NULL, 1 << 20);
    json = g_strdup_printf("{'driver': 'qcow2', 'file': {'driver': 'file',"
                           " 'filename': '%s'}}", img);
    blk = open_blk(json);
    g_assert_null(bdrv_open(NULL, NULL, qdict_from_json(json, &error_abort),
                            BDRV_O_RDWR, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to get \"write\" lock");
    error_free(err);
    /* QEMU's own tools see our lock too. */
    g_assert_cmpint(run(&out, "qemu-img info %s", img), !=, 0);
    g_assert_nonnull(strstr(out, "Failed to get shared \"write\" lock"));
    close_blk(blk);
    g_assert_cmpint(run(NULL, "qemu-img info %s", img), ==, 0);
    unlink(img);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    tmpdir = g_dir_make_tmp("qcore-block-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/block/raw/threads", test_raw_threads);
    g_test_add_func("/block/raw/io_uring", test_raw_io_uring);
    g_test_add_func("/block/raw/native", test_raw_native);
    g_test_add_func("/block/raw/direct", test_raw_direct);
    g_test_add_func("/block/raw/window", test_raw_window);
    g_test_add_func("/block/raw/zero-discard", test_raw_zero_discard);
    g_test_add_func("/block/qcow2/alloc", test_qcow2_alloc);
    g_test_add_func("/block/qcow2/io_uring", test_qcow2_io_uring);
    g_test_add_func("/block/qcow2/small-clusters", test_qcow2_small_clusters);
    g_test_add_func("/block/qcow2/v2", test_qcow2_v2);
    g_test_add_func("/block/qcow2/reftable-growth",
                    test_qcow2_reftable_growth);
    g_test_add_func("/block/qcow2/backing", test_qcow2_backing);
    g_test_add_func("/block/qcow2/resize", test_qcow2_resize);
    g_test_add_func("/block/probe", test_probe);
    g_test_add_func("/block/drain/iothread", test_drain_iothread);
    g_test_add_func("/block/iothread/append-under-requests",
                    test_append_under_requests);
    g_test_add_func("/block/iothread/detach-in-callback",
                    test_detach_iothread_in_callback);
    g_test_add_func("/block/iothread/remove-bs-waits-for-the-request-tail",
                    test_remove_bs_waits_for_the_request_tail);
    g_test_add_func("/block/aio", test_blk_aio);
    g_test_add_func("/block/errors", test_errors);
    g_test_add_func("/block/errors/compressed", test_compressed);
    g_test_add_func("/block/error-action", test_error_action);
    g_test_add_func("/block/locking", test_locking);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
