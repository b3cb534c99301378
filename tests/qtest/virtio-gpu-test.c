/*
 * virtio-gpu-device over qtest: control and cursor requests built by hand
 * in guest RAM as Linux's virtio-gpu driver builds them, the picture
 * checked through QMP screendump, and every guest error answered with
 * QEMU's VIRTIO_GPU_RESP_ERR_* and logged, the device still serving.
 * QEMU's counterpart: tests/qtest/virtio-gpu-test.c (which only probes).
 */
#include "libqvirtio.h"
#include <glib/gstdio.h>
#include <linux/virtio_gpu.h>
#include <sys/socket.h>
#include <sys/un.h>

#define DRAM        QVIRTIO_DRAM
#define GPU         QVIRTIO_SLOT(7)     /* the first -device: the last slot */
#define RINGS(q)    (DRAM + 0x10000 + 0x4000 * (q))
#define CMD_BUF     (DRAM + 0x20000)    /* 64 KiB: commands and entries */
#define RESP_BUF    (DRAM + 0x30000)
#define BACKING     (DRAM + 0x100000)   /* a resource's pixels */
#define QSIZE       8

typedef struct Test {
    QTestState *qts;
    char *log;
    QVirtioDev dev;
    QVirtQueue vq[2];           /* control, cursor */
} Test;

static void start(Test *t, const char *extra)
{
    t->log = qtest_log_file_new("virtio-gpu-test");
    t->qts = qtest_initf("-M virt -bios none -display none "
                         "-d guest_errors -D %s "
                         "-global virtio-mmio.force-legacy=off "
                         "-device virtio-gpu-device,id=gpu0%s",
                         t->log, extra ? extra : "");
    t->dev = (QVirtioDev){ .qts = t->qts, .base = GPU };
}

/* Quit; returns the -d guest_errors log. */
static char *stop(Test *t)
{
    return qtest_quit_log(t->qts, t->log);
}

static uint32_t rd(Test *t, uint64_t reg)
{
    return qvirtio_readl(&t->dev, reg);
}

static void wr(Test *t, uint64_t reg, uint32_t v)
{
    qvirtio_writel(&t->dev, reg, v);
}

static void driver_init(Test *t)
{
    qvirtio_start(&t->dev, 1u << VIRTIO_GPU_F_EDID);
    for (int q = 0; q < 2; q++) {
        qvirtqueue_setup(&t->dev, &t->vq[q], q, RINGS(q), QSIZE);
    }
    qvirtio_driver_ok(&t->dev);
}

static void set_desc(Test *t, int q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    qvirtqueue_set_desc(&t->dev, &t->vq[q], i, addr, len, flags, next);
}

/* Make descriptor 0 available on queue @q, kick, wait until it is used.
 * The used length. */
static uint32_t submit(Test *t, int q)
{
    QVirtQueue *vq = &t->vq[q];

    qvirtqueue_kick(&t->dev, vq, 0);
    g_assert(qvirtqueue_wait_used(&t->dev, vq, vq->avail_idx));
    return qvirtqueue_used_len(&t->dev, vq, vq->avail_idx);
}

/*
 * One control request: @len bytes of command out, @resp_len bytes of
 * answer in.  Returns the answer's type; the answer is left at RESP_BUF.
 */
static uint32_t ctrl_len(Test *t, const void *cmd, size_t len,
                         size_t resp_len, uint32_t *used)
{
    uint32_t u;

    qtest_memwrite(t->qts, CMD_BUF, cmd, len);
    qtest_memset(t->qts, RESP_BUF, 0xee, resp_len);
    set_desc(t, 0, 0, CMD_BUF, len, F_NEXT, 1);
    set_desc(t, 0, 1, RESP_BUF, resp_len, F_WRITE, 0);
    u = submit(t, 0);
    if (used) {
        *used = u;
    }
    return qtest_readl(t->qts, RESP_BUF);
}

#define ctrl(t, c) ctrl_len((t), &(c), sizeof(c), \
                            sizeof(struct virtio_gpu_ctrl_hdr), NULL)

static uint32_t create_2d(Test *t, uint32_t id, uint32_t format, uint32_t w,
                          uint32_t h)
{
    struct virtio_gpu_resource_create_2d c = {
        .hdr.type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
        .resource_id = id, .format = format, .width = w, .height = h,
    };

    return ctrl(t, c);
}

/* ATTACH_BACKING with @n entries after the command, one descriptor. */
static uint32_t attach(Test *t, uint32_t id, uint32_t nr_entries,
                       const struct virtio_gpu_mem_entry *ents, unsigned n)
{
    struct virtio_gpu_resource_attach_backing ab = {
        .hdr.type = VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
        .resource_id = id, .nr_entries = nr_entries,
    };
    size_t len = sizeof(ab) + n * sizeof(*ents);
    g_autofree uint8_t *buf = g_malloc(len);

    memcpy(buf, &ab, sizeof(ab));
    memcpy(buf + sizeof(ab), ents, n * sizeof(*ents));
    return ctrl_len(t, buf, len, sizeof(struct virtio_gpu_ctrl_hdr), NULL);
}

static uint32_t attach_ram(Test *t, uint32_t id, uint64_t addr, uint32_t len)
{
    /* Two entries, as a scattered backing would be. */
    struct virtio_gpu_mem_entry e[2] = {
        { .addr = addr, .length = len / 2 },
        { .addr = addr + len / 2, .length = len - len / 2 },
    };

    return attach(t, id, 2, e, 2);
}

static uint32_t set_scanout(Test *t, uint32_t scanout, uint32_t id,
                            uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct virtio_gpu_set_scanout s = {
        .hdr.type = VIRTIO_GPU_CMD_SET_SCANOUT,
        .r = { x, y, w, h }, .scanout_id = scanout, .resource_id = id,
    };

    return ctrl(t, s);
}

static uint32_t transfer(Test *t, uint32_t id, uint32_t x, uint32_t y,
                         uint32_t w, uint32_t h, uint64_t offset)
{
    struct virtio_gpu_transfer_to_host_2d c = {
        .hdr.type = VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
        .r = { x, y, w, h }, .offset = offset, .resource_id = id,
    };

    return ctrl(t, c);
}

static uint32_t flush(Test *t, uint32_t id, uint32_t x, uint32_t y,
                      uint32_t w, uint32_t h)
{
    struct virtio_gpu_resource_flush c = {
        .hdr.type = VIRTIO_GPU_CMD_RESOURCE_FLUSH,
        .r = { x, y, w, h }, .resource_id = id,
    };

    return ctrl(t, c);
}

static uint32_t simple(Test *t, uint32_t type, uint32_t id)
{
    struct virtio_gpu_resource_unref c = {
        .hdr.type = type, .resource_id = id,
    };

    return ctrl(t, c);
}

/* ---- the picture, through QMP screendump --------------------------------- */

typedef struct Shot {
    int w, h;
    uint8_t *rgb;
} Shot;

static Shot screendump(Test *t, const char *args)
{
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    int fd = g_file_open_tmp("virtio-gpu-test-XXXXXX.ppm", &path, NULL);
    QDict *rsp;
    Shot s = { 0 };
    size_t len;
    int maxval, n = 0;

    close(fd);
    rsp = qtest_qmp(t->qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"%s\"%s}}", path, args ? args : "");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    g_assert(g_file_get_contents(path, &data, &len, NULL));
    g_unlink(path);
    /* The header is three lines; pixels may look like blanks to scanf. */
    for (int lines = 0; lines < 3; n++) {
        g_assert((size_t)n < len);
        lines += data[n] == '\n';
    }
    g_assert(sscanf(data, "P6\n%d %d\n%d\n", &s.w, &s.h, &maxval) == 3);
    g_assert_cmpint(maxval, ==, 255);
    g_assert_cmpuint(len, ==, n + (size_t)s.w * s.h * 3);
    s.rgb = g_memdup2(data + n, (size_t)s.w * s.h * 3);
    return s;
}

static uint32_t shot_px(const Shot *s, int x, int y)
{
    const uint8_t *p = s->rgb + 3 * ((size_t)y * s->w + x);

    return p[0] << 16 | p[1] << 8 | p[2];
}

/* The test picture: a colour that names its pixel. */
static uint32_t pattern(int x, int y, int gen)
{
    return (x * 4) << 16 | (y * 4) << 8 | (gen * 0x40 + 0x10);
}

/* Fill a @w x @h backing at @addr in the byte order of @format. */
static void fill_backing(Test *t, uint64_t addr, int w, int h,
                         uint32_t format, int gen)
{
    g_autofree uint8_t *buf = g_malloc((size_t)w * h * 4);

    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t c = pattern(x, y, gen);
            uint8_t r = c >> 16, g = c >> 8, b = c, *p = buf + 4 * (y * w + x);

            if (format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM) {
                p[0] = b; p[1] = g; p[2] = r; p[3] = 0x77;
            } else {    /* R8G8B8A8 */
                p[0] = r; p[1] = g; p[2] = b; p[3] = 0xff;
            }
        }
    }
    qtest_memwrite(t->qts, addr, buf, (size_t)w * h * 4);
}

/* ---- tests -------------------------------------------------------------- */

static void test_config_and_features(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, ",max_outputs=3");
    g_assert_cmphex(rd(&t, DEVICE_ID), ==, 16);
    wr(&t, DEV_FEATURES_SEL, 0);
    g_assert(rd(&t, DEV_FEATURES) & (1u << VIRTIO_GPU_F_EDID));
    g_assert(!(rd(&t, DEV_FEATURES) & (1u << VIRTIO_GPU_F_VIRGL)));
    g_assert(!(rd(&t, DEV_FEATURES) & (1u << VIRTIO_GPU_F_RESOURCE_BLOB)));
    g_assert_cmpuint(rd(&t, CONFIG + 8), ==, 3);       /* num_scanouts */
    g_assert_cmpuint(rd(&t, CONFIG + 12), ==, 0);      /* num_capsets */
    g_assert_cmpuint(rd(&t, CONFIG + 0), ==, 0);       /* events_read */
    log = stop(&t);

    start(&t, ",edid=off");
    wr(&t, DEV_FEATURES_SEL, 0);
    g_assert(!(rd(&t, DEV_FEATURES) & (1u << VIRTIO_GPU_F_EDID)));
    g_free(stop(&t));
}

static void test_display_info_and_edid(void)
{
    struct virtio_gpu_ctrl_hdr di = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
    struct virtio_gpu_cmd_get_edid ge = {
        .hdr.type = VIRTIO_GPU_CMD_GET_EDID, .scanout = 0,
    };
    struct virtio_gpu_resp_display_info info;
    struct virtio_gpu_resp_edid edid;
    uint8_t sum = 0;
    uint32_t used;
    const uint8_t *d;
    Test t;

    start(&t, ",xres=1024,yres=768,max_outputs=2");
    driver_init(&t);
    g_assert_cmphex(ctrl_len(&t, &di, sizeof(di), sizeof(info), &used), ==,
                    VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    g_assert_cmpuint(used, ==, sizeof(info));
    qtest_memread(t.qts, RESP_BUF, &info, sizeof(info));
    g_assert_cmpuint(info.pmodes[0].enabled, ==, 1);
    g_assert_cmpuint(info.pmodes[0].r.width, ==, 1024);
    g_assert_cmpuint(info.pmodes[0].r.height, ==, 768);
    g_assert_cmpuint(info.pmodes[1].enabled, ==, 0);   /* not connected */

    g_assert_cmphex(ctrl_len(&t, &ge, sizeof(ge), sizeof(edid), &used), ==,
                    VIRTIO_GPU_RESP_OK_EDID);
    qtest_memread(t.qts, RESP_BUF, &edid, sizeof(edid));
    g_assert_cmpuint(edid.size, ==, 128);
    g_assert(memcmp(edid.edid, "\0\xff\xff\xff\xff\xff\xff\0", 8) == 0);
    g_assert_cmpuint(edid.edid[18], ==, 1);             /* EDID 1.4 */
    g_assert_cmpuint(edid.edid[19], ==, 4);
    for (int i = 0; i < 128; i++) {
        sum += edid.edid[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    /* The first detailed timing is the preferred mode: xres x yres. */
    d = edid.edid + 54;
    g_assert_cmpuint(d[0] | d[1] << 8, !=, 0);          /* a pixel clock */
    g_assert_cmpuint(d[2] | (d[4] >> 4) << 8, ==, 1024);
    g_assert_cmpuint(d[5] | (d[7] >> 4) << 8, ==, 768);
    g_assert(memmem(edid.edid, 128, "QEMU Monitor\n", 13));

    ge.scanout = 2;
    g_assert_cmphex(ctrl_len(&t, &ge, sizeof(ge), sizeof(edid), NULL), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_free(stop(&t));
}

/* The path fbcon takes: create, back, scan out, transfer, flush. */
static void draw(uint32_t format)
{
    Test t;
    Shot s;
    g_autofree char *log = NULL;

    start(&t, NULL);
    driver_init(&t);
    fill_backing(&t, BACKING, 64, 48, format, 0);
    g_assert_cmphex(create_2d(&t, 1, format, 64, 48), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(attach_ram(&t, 1, BACKING, 64 * 48 * 4), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(transfer(&t, 1, 0, 0, 64, 48, 0), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(set_scanout(&t, 0, 1, 0, 0, 64, 48), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(flush(&t, 1, 0, 0, 64, 48), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    s = screendump(&t, NULL);
    g_assert_cmpint(s.w, ==, 64);
    g_assert_cmpint(s.h, ==, 48);
    for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 64; x++) {
            g_assert_cmphex(shot_px(&s, x, y), ==, pattern(x, y, 0));
        }
    }
    g_free(s.rgb);

    /* A partial update: a new picture in the backing, only the 8x4
     * rectangle at (16, 8) transferred (its offset in the backing, as
     * Linux computes it) and flushed; the rest keeps the old one. */
    fill_backing(&t, BACKING, 64, 48, format, 1);
    g_assert_cmphex(transfer(&t, 1, 16, 8, 8, 4, (8 * 64 + 16) * 4), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(flush(&t, 1, 16, 8, 8, 4), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    s = screendump(&t, ",\"device\": \"gpu0\", \"head\": 0");
    for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 64; x++) {
            bool in = x >= 16 && x < 24 && y >= 8 && y < 12;

            g_assert_cmphex(shot_px(&s, x, y), ==, pattern(x, y, in));
        }
    }
    g_free(s.rgb);

    /* A scanout showing part of the resource: (8, 4) + 32x16. */
    g_assert_cmphex(set_scanout(&t, 0, 1, 8, 4, 32, 16), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    s = screendump(&t, NULL);
    g_assert_cmpint(s.w, ==, 32);
    g_assert_cmpint(s.h, ==, 16);
    g_assert_cmphex(shot_px(&s, 0, 0), ==, pattern(8, 4, 0));
    g_assert_cmphex(shot_px(&s, 8, 4), ==, pattern(16, 8, 1));
    g_free(s.rgb);

    /* Unref while shown: the output goes dark, the size stays. */
    g_assert_cmphex(simple(&t, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    s = screendump(&t, NULL);
    g_assert_cmpint(s.w, ==, 32);
    g_assert_cmphex(shot_px(&s, 8, 4), ==, 0);
    g_free(s.rgb);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_draw_bgrx(void)
{
    draw(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);    /* Linux's XRGB8888 */
}

static void test_draw_rgba(void)
{
    draw(VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM);    /* converted on flush */
}

/* In a format the console shows through a copy, nothing changes on the
 * screen until RESOURCE_FLUSH says so. */
static void test_flush_publishes_converted_formats(void)
{
    Test t;
    Shot s;

    start(&t, NULL);
    driver_init(&t);
    fill_backing(&t, BACKING, 32, 32, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 0);
    create_2d(&t, 5, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 32, 32);
    attach_ram(&t, 5, BACKING, 32 * 32 * 4);
    transfer(&t, 5, 0, 0, 32, 32, 0);
    g_assert_cmphex(set_scanout(&t, 0, 5, 0, 0, 32, 32), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    fill_backing(&t, BACKING, 32, 32, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 2);
    transfer(&t, 5, 0, 0, 32, 32, 0);
    s = screendump(&t, NULL);
    g_assert_cmphex(shot_px(&s, 3, 3), ==, pattern(3, 3, 0));
    g_free(s.rgb);
    flush(&t, 5, 0, 0, 16, 16);
    s = screendump(&t, NULL);
    g_assert_cmphex(shot_px(&s, 3, 3), ==, pattern(3, 3, 2));
    g_assert_cmphex(shot_px(&s, 20, 20), ==, pattern(20, 20, 0));
    g_free(s.rgb);
    g_free(stop(&t));
}

static void test_guest_errors_get_qemus_answers(void)
{
    struct virtio_gpu_mem_entry mmio = { .addr = 0x10000000, .length = 4096 };
    struct virtio_gpu_mem_entry wrap = {
        .addr = 0xfffffffffffff000ULL, .length = 0x2000,
    };
    struct virtio_gpu_mem_entry hole = { .addr = 0x40000000, .length = 4096 };
    struct virtio_gpu_mem_entry past = {
        .addr = DRAM + 128 * 1024 * 1024 - 4096, .length = 8192,
    };
    struct virtio_gpu_ctrl_hdr unknown = { .type = 0x0200 };  /* 3D */
    struct virtio_gpu_ctrl_hdr odd = { .type = 0x12345 };
    uint8_t short_hdr[8] = { 0 };
    struct virtio_gpu_ctrl_hdr only_hdr = {
        .type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
    };
    struct virtio_gpu_ctrl_hdr di = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
    g_autofree char *log = NULL;
    uint32_t used;
    Test t;

    start(&t, ",max_hostmem=1M");
    driver_init(&t);
    /* Resource ids and formats. */
    g_assert_cmphex(create_2d(&t, 0, 1, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(create_2d(&t, 1, 1, 64, 64), ==, VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(create_2d(&t, 1, 1, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(create_2d(&t, 2, 99, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    /* Huge sizes: refused before any allocation (max_hostmem=1M). */
    g_assert_cmphex(create_2d(&t, 3, 1, 0xffffffff, 0xffffffff), ==,
                    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    g_assert_cmphex(create_2d(&t, 3, 1, 0x10000, 0x10001), ==,
                    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    g_assert_cmphex(create_2d(&t, 3, 1, 512, 512), ==,      /* exactly 1M */
                    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    g_assert_cmphex(create_2d(&t, 3, 1, 256, 256), ==,      /* 256K more */
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(create_2d(&t, 4, 1, 500, 400), ==,      /* past the cap */
                    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    g_assert_cmphex(simple(&t, VIRTIO_GPU_CMD_RESOURCE_UNREF, 3), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(create_2d(&t, 4, 1, 500, 400), ==,      /* fits again */
                    VIRTIO_GPU_RESP_OK_NODATA);

    /* Backing outside RAM, too many entries, entries missing, twice. */
    g_assert_cmphex(attach(&t, 1, 1, &mmio, 1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 1, 1, &wrap, 1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 1, 1, &hole, 1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 1, 1, &past, 1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 1, 0x7fffffff, &hole, 1), ==,
                    VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 1, 3, &hole, 1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(attach(&t, 77, 1, &hole, 1), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(attach_ram(&t, 1, BACKING, 64 * 64 * 4), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(attach_ram(&t, 1, BACKING, 64 * 64 * 4), ==,
                    VIRTIO_GPU_RESP_ERR_UNSPEC);

    /* Rectangles outside the resource, wrapping ones included. */
    g_assert_cmphex(transfer(&t, 1, 0, 0, 65, 1, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(transfer(&t, 1, 0xffffffff, 0, 2, 1, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(transfer(&t, 1, 60, 60, 8, 8, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(flush(&t, 1, 1, 0xfffffff0, 4, 0x20), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    /* An offset past the backing copies what there is, no more. */
    g_assert_cmphex(transfer(&t, 1, 0, 0, 64, 64, 0xffffffff00ULL), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(transfer(&t, 4, 0, 0, 1, 1, 0), ==,     /* no backing */
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(transfer(&t, 9, 0, 0, 1, 1, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(flush(&t, 9, 0, 0, 1, 1), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);

    /* Scanouts. */
    g_assert_cmphex(set_scanout(&t, 1, 1, 0, 0, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    g_assert_cmphex(set_scanout(&t, 0, 1, 0, 0, 8, 64), ==,    /* < 16 */
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(set_scanout(&t, 0, 1, 32, 0, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(set_scanout(&t, 0, 4, 0, 0, 64, 64), ==,   /* no backing */
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(set_scanout(&t, 0, 9, 0, 0, 64, 64), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(set_scanout(&t, 0, 0, 0, 0, 0, 0), ==,     /* disable */
                    VIRTIO_GPU_RESP_OK_NODATA);

    /* Detach, unref. */
    g_assert_cmphex(simple(&t, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 4), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(simple(&t, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    g_assert_cmphex(transfer(&t, 1, 0, 0, 1, 1, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(simple(&t, VIRTIO_GPU_CMD_RESOURCE_UNREF, 9), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);

    /* Commands: 3D ones and unknown types, blobs (blob=off), a short
     * header, a command without its body (QEMU answers OK and logs). */
    g_assert_cmphex(ctrl(&t, unknown), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(ctrl(&t, odd), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
    unknown.type = VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB;
    g_assert_cmphex(ctrl(&t, unknown), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    g_assert_cmphex(ctrl_len(&t, short_hdr, sizeof(short_hdr),
                             sizeof(struct virtio_gpu_ctrl_hdr), NULL), ==,
                    VIRTIO_GPU_RESP_ERR_UNSPEC);
    g_assert_cmphex(ctrl(&t, only_hdr), ==, VIRTIO_GPU_RESP_OK_NODATA);
    /* An answer buffer too small gets what fits. */
    g_assert_cmphex(ctrl_len(&t, &di, sizeof(di), 8, &used), ==,
                    VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    g_assert_cmpuint(used, ==, 8);

    /* Through all of it the device kept serving. */
    g_assert_cmphex(ctrl_len(&t, &di, sizeof(di),
                             sizeof(struct virtio_gpu_resp_display_info),
                             NULL), ==, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    g_assert(!(rd(&t, STATUS) & S_NEEDS_RESET));
    log = stop(&t);
    g_assert(strstr(log, "resource id 0 is not allowed"));
    g_assert(strstr(log, "resource already exists 1"));
    g_assert(strstr(log, "host couldn't handle guest format 99"));
    g_assert(strstr(log, "resource creation failed 3"));
    g_assert(strstr(log, "failed to map MMIO memory for element 0"));
    g_assert(strstr(log, "nr_entries is too big"));
    g_assert(strstr(log, "command data size incorrect"));
    g_assert(strstr(log, "transfer bounds outside resource bounds"));
    g_assert(strstr(log, "flush bounds outside resource bounds"));
    g_assert(strstr(log, "illegal scanout id specified 1"));
    g_assert(strstr(log, "illegal scanout 0 bounds for resource 1"));
    g_assert(strstr(log, "no backing storage 4"));
    g_assert(strstr(log, "invalid resource specified 9"));
    g_assert(strstr(log, "unknown command 0x200"));
    g_assert(strstr(log, "command size incorrect 8 vs 24"));
    g_assert(strstr(log, "response size incorrect 8 vs 408"));
}

/* The fence: the answer carries the request's fence id and context. */
static void test_fenced_request_is_answered_with_its_fence(void)
{
    struct virtio_gpu_ctrl_hdr di = {
        .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO,
        .flags = VIRTIO_GPU_FLAG_FENCE, .fence_id = 0x1122334455667788ULL,
        .ctx_id = 7,
    };
    struct virtio_gpu_ctrl_hdr resp;
    Test t;

    start(&t, NULL);
    driver_init(&t);
    ctrl_len(&t, &di, sizeof(di), sizeof(struct virtio_gpu_resp_display_info),
             NULL);
    qtest_memread(t.qts, RESP_BUF, &resp, sizeof(resp));
    g_assert_cmphex(resp.flags & VIRTIO_GPU_FLAG_FENCE, ==,
                    VIRTIO_GPU_FLAG_FENCE);
    g_assert_cmphex(resp.fence_id, ==, 0x1122334455667788ULL);
    g_assert_cmpuint(resp.ctx_id, ==, 7);
    g_free(stop(&t));
}

/* The cursor queue: every request is returned, a short one logged. */
static void test_cursor_queue(void)
{
    struct virtio_gpu_update_cursor uc = {
        .hdr.type = VIRTIO_GPU_CMD_UPDATE_CURSOR,
        .pos = { .scanout_id = 0, .x = 10, .y = 20 },
        .resource_id = 1, .hot_x = 2, .hot_y = 3,
    };
    g_autofree char *log = NULL;
    Test t;

    start(&t, NULL);
    driver_init(&t);
    create_2d(&t, 1, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
    fill_backing(&t, BACKING, 64, 64, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0);
    attach_ram(&t, 1, BACKING, 64 * 64 * 4);
    transfer(&t, 1, 0, 0, 64, 64, 0);
    for (int i = 0; i < 3 * QSIZE; i++) {
        uc.hdr.type = i % 2 ? VIRTIO_GPU_CMD_MOVE_CURSOR :
                      VIRTIO_GPU_CMD_UPDATE_CURSOR;
        uc.pos.scanout_id = i % 3 == 2 ? 5 : 0;    /* no such scanout */
        uc.pos.x = i;
        qtest_memwrite(t.qts, CMD_BUF, &uc, sizeof(uc));
        set_desc(&t, 1, 0, CMD_BUF, i == 4 ? 10 : sizeof(uc), 0, 0);
        g_assert_cmpuint(submit(&t, 1), ==, 0);
    }
    log = stop(&t);
    g_assert(strstr(log, "cursor size incorrect 10 vs 56"));
}

/* A driver reset drops every resource. */
static void test_reset_drops_resources(void)
{
    Test t;
    Shot s;

    start(&t, NULL);
    driver_init(&t);
    create_2d(&t, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
    attach_ram(&t, 1, BACKING, 32 * 32 * 4);
    g_assert_cmphex(set_scanout(&t, 0, 1, 0, 0, 32, 32), ==,
                    VIRTIO_GPU_RESP_OK_NODATA);
    driver_init(&t);
    g_assert_cmphex(transfer(&t, 1, 0, 0, 1, 1, 0), ==,
                    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    g_assert_cmphex(create_2d(&t, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32),
                    ==, VIRTIO_GPU_RESP_OK_NODATA);
    s = screendump(&t, NULL);
    g_assert_cmpint(s.w, ==, 32);
    g_assert_cmphex(shot_px(&s, 1, 1), ==, 0);
    g_free(s.rgb);
    g_free(stop(&t));
}

/* screendump's own errors, as QEMU 7.2 words them. */
static void test_screendump_errors(void)
{
    Test t;
    QDict *rsp, *err;

    start(&t, ",max_outputs=2 -device virtio-rng-device,id=rng0");
    rsp = qtest_qmp(t.qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"/nonexistent/x.ppm\"}}");
    err = qdict_get_qdict(rsp, "error");
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==, "failed to open file "
                    "'/nonexistent/x.ppm': No such file or directory");
    qobject_unref(rsp);
    rsp = qtest_qmp(t.qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"/tmp/x.ppm\", \"device\": \"nope\"}}");
    err = qdict_get_qdict(rsp, "error");
    g_assert_cmpstr(qdict_get_str(err, "class"), ==, "DeviceNotFound");
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==, "Device 'nope' not found");
    qobject_unref(rsp);
    rsp = qtest_qmp(t.qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"/tmp/x.ppm\", \"device\": \"rng0\"}}");
    err = qdict_get_qdict(rsp, "error");
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==,
                    "Device rng0 (head 0) is not bound to a QemuConsole");
    qobject_unref(rsp);
    rsp = qtest_qmp(t.qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"/tmp/x.ppm\", \"device\": \"gpu0\", "
                    "\"head\": 2}}");
    err = qdict_get_qdict(rsp, "error");
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==,
                    "Device gpu0 (head 2) is not bound to a QemuConsole");
    qobject_unref(rsp);
    rsp = qtest_qmp(t.qts, "{\"execute\": \"screendump\", \"arguments\": "
                    "{\"filename\": \"/tmp/x.ppm\", \"head\": 1}}");
    err = qdict_get_qdict(rsp, "error");
    g_assert_cmpstr(qdict_get_str(err, "desc"), ==,
                    "'head' must be specified together with 'device'");
    qobject_unref(rsp);
    /* Head 1 exists: the console before the guest drew, 640x480. */
    {
        Shot s = screendump(&t, ",\"device\": \"gpu0\", \"head\": 1");

        g_assert_cmpint(s.w, ==, 640);
        g_assert_cmpint(s.h, ==, 480);
        g_free(s.rgb);
    }
    g_free(stop(&t));
}

/* ---- display-driven resize: a VNC client's SetDesktopSize ------------ */

static void sock_read(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

static void sock_write(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(write(fd, buf, len), ==, len);
}

/* An RFB 3.8 client on @path, security None, shared; returns its fd
 * with the ServerInit read (the size in *w, *h). */
static int rfb_connect(const char *path, int *w, int *h)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    uint8_t buf[64], n;
    uint32_t name_len;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    sock_read(fd, buf, 12);
    g_assert(memcmp(buf, "RFB 003.008\n", 12) == 0);
    sock_write(fd, "RFB 003.008\n", 12);
    sock_read(fd, &n, 1);
    g_assert_cmpuint(n, >, 0);
    sock_read(fd, buf, n);
    g_assert(memchr(buf, 1, n));
    sock_write(fd, "\1", 1);                            /* None */
    sock_read(fd, buf, 4);
    g_assert(memcmp(buf, "\0\0\0\0", 4) == 0);          /* OK */
    sock_write(fd, "\1", 1);                            /* shared */
    sock_read(fd, buf, 24);
    *w = buf[0] << 8 | buf[1];
    *h = buf[2] << 8 | buf[3];
    name_len = (uint32_t)buf[20] << 24 | buf[21] << 16 | buf[22] << 8 | buf[23];
    g_assert_cmpuint(name_len, <, sizeof(buf));
    sock_read(fd, buf, name_len);
    return fd;
}

/* SetDesktopSize with one screen of @w x @h; returns the status of the
 * ExtendedDesktopSize rectangle that answers it. */
static int rfb_set_desktop_size(int fd, uint16_t w, uint16_t h)
{
    uint8_t m[8 + 16] = {
        251, 0, w >> 8, w & 0xff, h >> 8, h & 0xff, 1, 0,
        0, 0, 0, 0, 0, 0, 0, 0, w >> 8, w & 0xff, h >> 8, h & 0xff,
    };
    uint8_t r[4 + 12 + 4 + 16];

    sock_write(fd, m, sizeof(m));
    sock_read(fd, r, sizeof(r));
    g_assert_cmpuint(r[0], ==, 0);                      /* an update */
    g_assert_cmpuint(r[2] << 8 | r[3], ==, 1);          /* one rect */
    g_assert_cmpuint(r[4] << 8 | r[5], ==, 1);          /* "this client" */
    g_assert(memcmp(r + 12, "\xff\xff\xfe\xcc", 4) == 0);   /* -308 */
    g_assert_cmpuint(r[16], ==, 1);                     /* one screen */
    return r[6] << 8 | r[7];
}

/* Poll (each read a main-loop round trip) for the config interrupt. */
static void wait_config_isr(Test *t)
{
    while (!(rd(t, INTR_STATUS) & 2)) {
        /* the console's ui timer fires from the main loop */
    }
}

static void display_info(Test *t, struct virtio_gpu_resp_display_info *info)
{
    struct virtio_gpu_ctrl_hdr di = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };

    g_assert_cmphex(ctrl_len(t, &di, sizeof(di), sizeof(*info), NULL), ==,
                    VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    qtest_memread(t->qts, RESP_BUF, info, sizeof(*info));
}

/* The preferred mode of head @head's EDID. */
static void edid_mode(Test *t, uint32_t head, int *w, int *h)
{
    struct virtio_gpu_cmd_get_edid ge = {
        .hdr.type = VIRTIO_GPU_CMD_GET_EDID, .scanout = head,
    };
    struct virtio_gpu_resp_edid edid;
    const uint8_t *d = edid.edid + 54;

    g_assert_cmphex(ctrl_len(t, &ge, sizeof(ge), sizeof(edid), NULL), ==,
                    VIRTIO_GPU_RESP_OK_EDID);
    qtest_memread(t->qts, RESP_BUF, &edid, sizeof(edid));
    *w = d[2] | (d[4] >> 4) << 8;
    *h = d[5] | (d[7] >> 4) << 8;
}

/*
 * QEMU's ui_info path: a VNC client asks for a size with SetDesktopSize;
 * the answer is "request forwarded" (4), and the device then reports the
 * size as head 0's mode (display info and EDID), with
 * VIRTIO_GPU_EVENT_DISPLAY in events_read and the config interrupt, as
 * QEMU's virtio-gpu does.  The guest has not drawn, so the screen stays
 * as it was: the mode is a request, not a resize.
 */
static void test_ui_info_resizes_display_info(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vnc-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "vnc.sock", NULL);
    g_autofree char *opts = g_strdup_printf(" -vnc unix:%s", path);
    struct virtio_gpu_resp_display_info info;
    Test t;
    int fd, w, h;

    g_assert_no_error(err);
    start(&t, opts);
    driver_init(&t);
    fd = rfb_connect(path, &w, &h);
    g_assert_cmpint(w, ==, 640);        /* the console before any scanout */
    g_assert_cmpint(h, ==, 480);
    g_assert_cmpuint(rd(&t, CONFIG + 0), ==, 0);        /* events_read */
    g_assert_cmphex(rd(&t, INTR_STATUS) & 2, ==, 0);

    g_assert_cmpint(rfb_set_desktop_size(fd, 1024, 768), ==, 4);
    wait_config_isr(&t);
    g_assert_cmpuint(rd(&t, CONFIG + 0), ==, VIRTIO_GPU_EVENT_DISPLAY);
    display_info(&t, &info);
    g_assert_cmpuint(info.pmodes[0].enabled, ==, 1);
    g_assert_cmpuint(info.pmodes[0].r.width, ==, 1024);
    g_assert_cmpuint(info.pmodes[0].r.height, ==, 768);
    edid_mode(&t, 0, &w, &h);
    g_assert_cmpint(w, ==, 1024);
    g_assert_cmpint(h, ==, 768);
    /* The driver acknowledges: events_clear, then the interrupt. */
    wr(&t, CONFIG + 4, VIRTIO_GPU_EVENT_DISPLAY);
    g_assert_cmpuint(rd(&t, CONFIG + 0), ==, 0);
    wr(&t, INTR_ACK, 2);
    g_assert_cmphex(rd(&t, INTR_STATUS) & 2, ==, 0);

    /* Another size; then the same one again, which QEMU does not pass on
     * (no event), so a marker size afterwards is the next event seen. */
    g_assert_cmpint(rfb_set_desktop_size(fd, 800, 600), ==, 4);
    wait_config_isr(&t);
    display_info(&t, &info);
    g_assert_cmpuint(info.pmodes[0].r.width, ==, 800);
    g_assert_cmpuint(info.pmodes[0].r.height, ==, 600);
    wr(&t, CONFIG + 4, VIRTIO_GPU_EVENT_DISPLAY);
    wr(&t, INTR_ACK, 2);
    g_assert_cmpint(rfb_set_desktop_size(fd, 800, 600), ==, 4);
    g_assert_cmpint(rfb_set_desktop_size(fd, 0, 0), ==, 4);
    wait_config_isr(&t);
    /* A zero size disconnects the head, as in QEMU. */
    display_info(&t, &info);
    g_assert_cmpuint(info.pmodes[0].enabled, ==, 0);

    /* The screen is still the guest's: nothing was drawn at any size. */
    {
        Shot s = screendump(&t, ",\"device\": \"gpu0\"");

        g_assert_cmpint(s.w, ==, 640);
        g_assert_cmpint(s.h, ==, 480);
        g_free(s.rgb);
    }
    close(fd);
    g_free(stop(&t));
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-gpu/config-and-features",
                   test_config_and_features);
    g_test_add_func("/virtio-gpu/display-info-and-edid",
                   test_display_info_and_edid);
    g_test_add_func("/virtio-gpu/draw-bgrx", test_draw_bgrx);
    g_test_add_func("/virtio-gpu/draw-rgba", test_draw_rgba);
    g_test_add_func("/virtio-gpu/flush-publishes-converted-formats",
                   test_flush_publishes_converted_formats);
    g_test_add_func("/virtio-gpu/guest-errors-get-qemus-answers",
                   test_guest_errors_get_qemus_answers);
    g_test_add_func("/virtio-gpu/fenced-request-is-answered-with-its-fence",
                   test_fenced_request_is_answered_with_its_fence);
    g_test_add_func("/virtio-gpu/cursor-queue", test_cursor_queue);
    g_test_add_func("/virtio-gpu/reset-drops-resources",
                   test_reset_drops_resources);
    g_test_add_func("/virtio-gpu/screendump-errors", test_screendump_errors);
    g_test_add_func("/virtio-gpu/ui-info-resizes-display-info",
                   test_ui_info_resizes_display_info);
    return g_test_run();
}
