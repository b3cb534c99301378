/*
 * virtio-gpu-device, 2D: the guest renders into resources in its own RAM,
 * the device copies them into host images and shows them on one graphic
 * console per scanout; a second queue moves and defines the pointer.
 * Corresponds to QEMU's hw/display/virtio-gpu.c and virtio-gpu-base.c
 * (no virgl, no blob resources); docs/ui.md tells how it maps.
 *
 * Locking: everything here runs in the main loop with the BQL held: the
 * queues' handlers (vdev->ctx is the main loop's context, as QEMU keeps
 * virtio-gpu there) and the config/reset callbacks of the transport.
 * The handlers also hold vdev->vq_lock (virtio.h); nothing below takes
 * another lock, and the console calls need only the BQL.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/log.h"
#include "qcore/console.h"
#include "qcore/hw/virtio.h"
#include "qcore/hw/edid.h"
#include "qcore/rcu.h"
#include <linux/virtio_gpu.h>

#define TYPE_VIRTIO_GPU "virtio-gpu-device"
#define VIRTIO_ID_GPU 16

/* QEMU's limits. */
#define VIRTIO_GPU_MAX_ENTRIES 16384    /* backing entries per resource */
#define VIRTIO_GPU_CTRL_QUEUE_SIZE 64
#define VIRTIO_GPU_CURSOR_QUEUE_SIZE 16
#define VIRTIO_GPU_CURSOR_SIZE 64
#define VIRTIO_GPU_FLAG_EDID_ENABLED 1  /* bit in VirtIOGPU.flags */

/* The device's structures are little-endian (virtio 1.x). */
#define le32_to_cpu(x) GUINT32_FROM_LE(x)
#define le64_to_cpu(x) GUINT64_FROM_LE(x)
#define cpu_to_le32(x) GUINT32_TO_LE(x)
#define cpu_to_le64(x) GUINT64_TO_LE(x)

typedef struct GpuResource {
    uint32_t resource_id;
    uint32_t width, height, format;
    pixman_image_t *image;              /* host copy of the pixels */
    uint64_t hostmem;                   /* what image costs, counted */
    struct iovec *iov;                  /* backing in guest RAM, or NULL */
    unsigned int iov_cnt;
    uint32_t scanout_bitmask;           /* scanouts showing it */
    QTAILQ_ENTRY(GpuResource) next;
} GpuResource;

typedef struct GpuScanout {
    QemuConsole *con;
    uint32_t resource_id;               /* 0: disabled */
    uint32_t x, y, width, height;       /* the rectangle of the resource */
    /*
     * The console's surface while enabled.  For the formats laid out as
     * the surfaces are (x8r8g8b8 / a8r8g8b8) it is a view of the
     * resource's pixels, as in QEMU; for the others a copy converted on
     * each flush, because consoles here have one pixel format.
     */
    DisplaySurface *ds;
    bool shadow;
    QEMUCursor *cursor;                 /* the last defined, a reference */
} GpuScanout;

/* What a display asked a head to show (QEMU's virtio_gpu_requested_state). */
typedef struct GpuRequestedState {
    uint16_t width_mm, height_mm;
    uint32_t width, height;
    uint32_t refresh_rate;              /* mHz */
    int x, y;
} GpuRequestedState;

typedef struct VirtIOGPU {
    VirtIODevice parent_obj;
    VirtQueue *ctrl_vq, *cursor_vq;
    QTAILQ_HEAD(, GpuResource) reslist;
    uint64_t hostmem;                   /* sum of the resources' hostmem */
    uint32_t events_read;               /* config space, host endian */
    uint32_t enabled_output_bitmask;    /* heads with a display */
    GpuRequestedState req_state[VIRTIO_GPU_MAX_SCANOUTS];
    GpuScanout scanout[VIRTIO_GPU_MAX_SCANOUTS];
    /* Properties. */
    uint32_t max_outputs;
    uint32_t xres, yres;
    uint64_t max_hostmem;
    uint64_t flags;
} VirtIOGPU;

#define VIRTIO_GPU(obj) OBJECT_CHECK(VirtIOGPU, (obj), TYPE_VIRTIO_GPU)

/* One control request: the element, its header, the answer so far. */
typedef struct GpuCmd {
    VirtQueueElement elem;
    VirtQueue *vq;
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t error;                     /* a VIRTIO_GPU_RESP_ERR_*, or 0 */
    bool finished;                      /* answered already */
} GpuCmd;

/*
 * Read the command's body (the header included) into @out.  A short
 * command is logged and left unanswered by its handler, which then gets
 * the default OK_NODATA: QEMU 7.2's VIRTIO_GPU_FILL_CMD does the same.
 */
static bool fill_cmd(GpuCmd *cmd, void *out, size_t size, const char *fn)
{
    size_t s = iov_to_buf(cmd->elem.out_sg, cmd->elem.out_num, 0, out, size);

    if (s != size) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: command size incorrect %zu vs %zu\n",
                      fn, s, size);
        return false;
    }
    return true;
}

#define FILL_CMD(out) fill_cmd(cmd, &(out), sizeof(out), __func__)

static void ctrl_response(VirtIOGPU *g, GpuCmd *cmd,
                          struct virtio_gpu_ctrl_hdr *resp, size_t len)
{
    size_t s;

    if (cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE) {
        resp->flags |= cpu_to_le32(VIRTIO_GPU_FLAG_FENCE);
        resp->fence_id = cpu_to_le64(cmd->hdr.fence_id);
        resp->ctx_id = cpu_to_le32(cmd->hdr.ctx_id);
        if (cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) {
            resp->flags |= cpu_to_le32(VIRTIO_GPU_FLAG_INFO_RING_IDX);
            resp->ring_idx = cmd->hdr.ring_idx;
        }
    }
    s = iov_from_buf(cmd->elem.in_sg, cmd->elem.in_num, 0, resp, len);
    if (s != len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: response size incorrect %zu vs %zu\n",
                      __func__, s, len);
    }
    virtqueue_push(cmd->vq, &cmd->elem, s);
    cmd->finished = true;
}

static void ctrl_response_nodata(VirtIOGPU *g, GpuCmd *cmd, uint32_t type)
{
    struct virtio_gpu_ctrl_hdr resp = { .type = cpu_to_le32(type) };

    ctrl_response(g, cmd, &resp, sizeof(resp));
}

/* ---- resources ---------------------------------------------------------- */

static GpuResource *find_resource(VirtIOGPU *g, uint32_t id)
{
    GpuResource *res;

    QTAILQ_FOREACH(res, &g->reslist, next) {
        if (res->resource_id == id) {
            return res;
        }
    }
    return NULL;
}

/* The resource, or NULL with *@error set and the reason logged. */
static GpuResource *find_check_resource(VirtIOGPU *g, uint32_t id,
                                        bool need_backing, const char *fn,
                                        uint32_t *error)
{
    GpuResource *res = find_resource(g, id);

    if (!res) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: invalid resource specified %d\n",
                      fn, id);
        *error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return NULL;
    }
    if (need_backing && !res->iov) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: no backing storage %d\n", fn, id);
        *error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return NULL;
    }
    return res;
}

/* Host endian formats of the guest's byte orders (little-endian host). */
static pixman_format_code_t get_pixman_format(uint32_t format)
{
    switch (format) {
    case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM: return PIXMAN_x8r8g8b8;
    case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM: return PIXMAN_a8r8g8b8;
    case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM: return PIXMAN_b8g8r8x8;
    case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM: return PIXMAN_b8g8r8a8;
    case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM: return PIXMAN_x8b8g8r8;
    case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM: return PIXMAN_a8b8g8r8;
    case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM: return PIXMAN_r8g8b8x8;
    case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM: return PIXMAN_r8g8b8a8;
    default: return 0;
    }
}

static void resource_create_2d(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resource_create_2d c2d;
    pixman_format_code_t pformat;
    uint64_t stride, hostmem;
    GpuResource *res;

    if (!FILL_CMD(c2d)) {
        return;
    }
    c2d.resource_id = le32_to_cpu(c2d.resource_id);
    c2d.format = le32_to_cpu(c2d.format);
    c2d.width = le32_to_cpu(c2d.width);
    c2d.height = le32_to_cpu(c2d.height);
    if (c2d.resource_id == 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: resource id 0 is not allowed\n",
                      __func__);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return;
    }
    if (find_resource(g, c2d.resource_id)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: resource already exists %d\n",
                      __func__, c2d.resource_id);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return;
    }
    pformat = get_pixman_format(c2d.format);
    if (!pformat) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: host couldn't handle guest format %d\n",
                      __func__, c2d.format);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        return;
    }
    /* What pixman will allocate, counted against max_hostmem before it
     * does (in 64 bits: width * height of a hostile guest overflows 32). */
    stride = ((uint64_t)c2d.width * PIXMAN_FORMAT_BPP(pformat) + 31) / 32 * 4;
    hostmem = c2d.height && stride > g->max_hostmem / c2d.height ?
              UINT64_MAX : stride * c2d.height;
    res = g_new0(GpuResource, 1);
    if (hostmem < g->max_hostmem - MIN(g->hostmem, g->max_hostmem) &&
        c2d.width <= INT_MAX && c2d.height <= INT_MAX) {
        res->image = pixman_image_create_bits(pformat, c2d.width, c2d.height,
                                              NULL, 0);
    }
    if (!res->image) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: resource creation failed %d %d %d\n",
                      __func__, c2d.resource_id, c2d.width, c2d.height);
        g_free(res);
        cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
        return;
    }
    res->resource_id = c2d.resource_id;
    res->width = c2d.width;
    res->height = c2d.height;
    res->format = c2d.format;
    res->hostmem = hostmem;
    QTAILQ_INSERT_HEAD(&g->reslist, res, next);
    g->hostmem += hostmem;
}

/* ---- scanouts ----------------------------------------------------------- */

/* Keep the console's size, show black: the output is off (QEMU shows a
 * placeholder with a message there). */
static void disable_scanout(VirtIOGPU *g, int id)
{
    GpuScanout *s = &g->scanout[id];
    GpuResource *res;
    DisplaySurface *old;

    if (s->resource_id == 0) {
        return;
    }
    res = find_resource(g, s->resource_id);
    if (res) {
        res->scanout_bitmask &= ~(1u << id);
    }
    old = qemu_console_surface(s->con);
    dpy_gfx_replace_surface(s->con, qemu_create_displaysurface(
                                old ? surface_width(old) : 640,
                                old ? surface_height(old) : 480));
    s->resource_id = 0;
    s->ds = NULL;
    s->shadow = false;
    s->x = s->y = s->width = s->height = 0;
}

static void resource_destroy(VirtIOGPU *g, GpuResource *res)
{
    for (uint32_t i = 0; i < g->max_outputs; i++) {
        if (res->scanout_bitmask & (1u << i)) {
            disable_scanout(g, i);
        }
    }
    pixman_image_unref(res->image);
    g_free(res->iov);
    QTAILQ_REMOVE(&g->reslist, res, next);
    g->hostmem -= res->hostmem;
    g_free(res);
}

static void resource_unref(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resource_unref unref;
    GpuResource *res;

    if (!FILL_CMD(unref)) {
        return;
    }
    res = find_resource(g, le32_to_cpu(unref.resource_id));
    if (!res) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: illegal resource specified %d\n",
                      __func__, le32_to_cpu(unref.resource_id));
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return;
    }
    resource_destroy(g, res);
}

/* A rectangle inside a w x h resource (QEMU's checks, overflow-safe). */
static bool rect_inside(const struct virtio_gpu_rect *r, uint32_t w,
                        uint32_t h)
{
    return r->x <= w && r->y <= h && r->width <= w && r->height <= h &&
           r->x + r->width <= w && r->y + r->height <= h;
}

static void le_rect(struct virtio_gpu_rect *r)
{
    r->x = le32_to_cpu(r->x);
    r->y = le32_to_cpu(r->y);
    r->width = le32_to_cpu(r->width);
    r->height = le32_to_cpu(r->height);
}

static void unref_parent_image(pixman_image_t *image, void *parent)
{
    pixman_image_unref(parent);
}

/* Convert the scanout's rectangle @x,@y,@w,@h (scanout coordinates) from
 * the resource into the shadow surface. */
static void shadow_copy(GpuScanout *s, GpuResource *res, int x, int y,
                        int w, int h)
{
    pixman_image_composite32(PIXMAN_OP_SRC, res->image, NULL, s->ds->image,
                             s->x + x, s->y + y, 0, 0, x, y, w, h);
}

static void set_scanout(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_set_scanout ss;
    pixman_format_code_t fmt;
    GpuResource *res, *old;
    GpuScanout *s;
    uint8_t *data;
    int stride, bpp;

    if (!FILL_CMD(ss)) {
        return;
    }
    ss.scanout_id = le32_to_cpu(ss.scanout_id);
    ss.resource_id = le32_to_cpu(ss.resource_id);
    le_rect(&ss.r);
    if (ss.scanout_id >= g->max_outputs) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: illegal scanout id specified %d\n",
                      __func__, ss.scanout_id);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
        return;
    }
    if (ss.resource_id == 0) {
        disable_scanout(g, ss.scanout_id);
        return;
    }
    res = find_check_resource(g, ss.resource_id, true, __func__, &cmd->error);
    if (!res) {
        return;
    }
    if (!rect_inside(&ss.r, res->width, res->height) ||
        ss.r.width < 16 || ss.r.height < 16) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: illegal scanout %d bounds for "
                      "resource %d, rect (%d,%d)+%d,%d, fb %d %d\n",
                      __func__, ss.scanout_id, ss.resource_id, ss.r.x, ss.r.y,
                      ss.r.width, ss.r.height, res->width, res->height);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        return;
    }
    s = &g->scanout[ss.scanout_id];
    fmt = pixman_image_get_format(res->image);
    bpp = PIXMAN_FORMAT_BPP(fmt) / 8;
    stride = pixman_image_get_stride(res->image);
    data = (uint8_t *)pixman_image_get_data(res->image) +
           (size_t)ss.r.y * stride + (size_t)ss.r.x * bpp;

    /* A new surface only when what is shown moved or changed size. */
    if (!s->ds || s->resource_id != ss.resource_id || s->x != ss.r.x ||
        s->y != ss.r.y || s->width != ss.r.width ||
        s->height != ss.r.height) {
        DisplaySurface *ds;

        if (fmt == PIXMAN_x8r8g8b8 || fmt == PIXMAN_a8r8g8b8) {
            /* The alpha byte is padding to the display. */
            ds = g_new0(DisplaySurface, 1);
            ds->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, ss.r.width,
                                                 ss.r.height,
                                                 (uint32_t *)data, stride);
            pixman_image_ref(res->image);
            pixman_image_set_destroy_function(ds->image, unref_parent_image,
                                              res->image);
            s->shadow = false;
        } else {
            ds = qemu_create_displaysurface(ss.r.width, ss.r.height);
            s->shadow = true;
        }
        old = s->resource_id ? find_resource(g, s->resource_id) : NULL;
        if (old) {
            old->scanout_bitmask &= ~(1u << ss.scanout_id);
        }
        s->ds = ds;
        s->resource_id = ss.resource_id;
        s->x = ss.r.x;
        s->y = ss.r.y;
        s->width = ss.r.width;
        s->height = ss.r.height;
        if (s->shadow) {
            shadow_copy(s, res, 0, 0, s->width, s->height);
        }
        dpy_gfx_replace_surface(s->con, ds);
    }
    res->scanout_bitmask |= 1u << ss.scanout_id;
}

/* ---- backing and transfers ---------------------------------------------- */

/* Host address of [@addr, @addr+@len) if it is all guest RAM, else NULL.
 * Guest RAM is never unmapped while the machine lives (docs/virtio.md). */
static void *map_guest_ram(hwaddr addr, hwaddr len)
{
    hwaddr xlat, l = len;
    MemoryRegion *mr;

    if (!len || addr + len - 1 < addr) {
        return NULL;
    }
    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, addr, &xlat, &l,
                                 false, MEMTXATTRS_UNSPECIFIED);
    if (!mr || !mr->ram || l < len) {
        return NULL;
    }
    return mr->ram_block + xlat;
}

static void resource_attach_backing(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resource_attach_backing ab;
    g_autofree struct virtio_gpu_mem_entry *ents = NULL;
    struct iovec *iov;
    unsigned int n = 0;
    GpuResource *res;
    size_t esize, s;

    if (!FILL_CMD(ab)) {
        return;
    }
    ab.resource_id = le32_to_cpu(ab.resource_id);
    ab.nr_entries = le32_to_cpu(ab.nr_entries);
    res = find_resource(g, ab.resource_id);
    if (!res) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: illegal resource specified %d\n",
                      __func__, ab.resource_id);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
        return;
    }
    if (res->iov) {
        cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
        return;
    }
    if (ab.nr_entries > VIRTIO_GPU_MAX_ENTRIES) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: nr_entries is too big (%d > %d)\n",
                      __func__, ab.nr_entries, VIRTIO_GPU_MAX_ENTRIES);
        cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
        return;
    }
    esize = sizeof(*ents) * ab.nr_entries;
    ents = g_malloc(esize);
    s = iov_to_buf(cmd->elem.out_sg, cmd->elem.out_num, sizeof(ab), ents,
                   esize);
    if (s != esize) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: command data size incorrect %zu vs %zu\n",
                      __func__, s, esize);
        cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
        return;
    }
    iov = g_new(struct iovec, MAX(ab.nr_entries, 1));
    for (uint32_t e = 0; e < ab.nr_entries; e++) {
        uint64_t a = le64_to_cpu(ents[e].addr);
        uint32_t l = le32_to_cpu(ents[e].length);
        void *p;

        if (!l) {
            continue;
        }
        p = map_guest_ram(a, l);
        if (!p) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: failed to map MMIO memory for element %d\n",
                          __func__, e);
            g_free(iov);
            cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
            return;
        }
        iov[n].iov_base = p;
        iov[n].iov_len = l;
        n++;
    }
    res->iov = iov;
    res->iov_cnt = n;
}

static void resource_detach_backing(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resource_detach_backing db;
    GpuResource *res;

    if (!FILL_CMD(db)) {
        return;
    }
    res = find_check_resource(g, le32_to_cpu(db.resource_id), true,
                              __func__, &cmd->error);
    if (!res) {
        return;
    }
    g_free(res->iov);
    res->iov = NULL;
    res->iov_cnt = 0;
}

/*
 * Copy @rows rows of @len bytes from the backing, row i starting at
 * @src + i * @src_stride, into @dst with @dst_stride.  Rows only move
 * forwards, so the walk through the scatter list resumes where the
 * previous row left it instead of starting over (a framebuffer's backing
 * is often a page per entry).  Bytes past the backing's end are left.
 */
static void copy_from_backing(GpuResource *res, uint64_t src,
                              uint64_t src_stride, uint8_t *dst,
                              size_t dst_stride, size_t len, uint32_t rows)
{
    unsigned int i = 0;
    uint64_t base = 0;          /* offset of iov[i] in the backing */

    for (uint32_t r = 0; r < rows; r++, src += src_stride, dst += dst_stride) {
        uint64_t off = src;
        size_t done = 0;

        while (i < res->iov_cnt && base + res->iov[i].iov_len <= off) {
            base += res->iov[i].iov_len;
            i++;
        }
        uint64_t b = base;

        for (unsigned int j = i; j < res->iov_cnt && done < len; j++) {
            uint64_t in = off + done - b;
            size_t n = MIN(res->iov[j].iov_len - in, len - done);

            memcpy(dst + done, (uint8_t *)res->iov[j].iov_base + in, n);
            done += n;
            b += res->iov[j].iov_len;
        }
    }
}

static void transfer_to_host_2d(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_transfer_to_host_2d t2d;
    GpuResource *res;
    uint8_t *img;
    int stride, bpp;

    if (!FILL_CMD(t2d)) {
        return;
    }
    le_rect(&t2d.r);
    t2d.offset = le64_to_cpu(t2d.offset);
    t2d.resource_id = le32_to_cpu(t2d.resource_id);
    res = find_check_resource(g, t2d.resource_id, true, __func__,
                              &cmd->error);
    if (!res) {
        return;
    }
    if (!rect_inside(&t2d.r, res->width, res->height)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: transfer bounds outside resource"
                      " bounds for resource %d: %d %d %d %d vs %d %d\n",
                      __func__, t2d.resource_id, t2d.r.x, t2d.r.y,
                      t2d.r.width, t2d.r.height, res->width, res->height);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        return;
    }
    bpp = PIXMAN_FORMAT_BPP(pixman_image_get_format(res->image)) / 8;
    stride = pixman_image_get_stride(res->image);
    img = (uint8_t *)pixman_image_get_data(res->image);
    /* The guest's rows are as long as ours (QEMU's assumption too); the
     * offset names where the rectangle's first pixel is in the backing. */
    copy_from_backing(res, t2d.offset, stride,
                      img + (size_t)t2d.r.y * stride + (size_t)t2d.r.x * bpp,
                      stride, (size_t)t2d.r.width * bpp, t2d.r.height);
}

static void resource_flush(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resource_flush rf;
    GpuResource *res;

    if (!FILL_CMD(rf)) {
        return;
    }
    le_rect(&rf.r);
    rf.resource_id = le32_to_cpu(rf.resource_id);
    res = find_check_resource(g, rf.resource_id, false, __func__,
                              &cmd->error);
    if (!res) {
        return;
    }
    if (!rect_inside(&rf.r, res->width, res->height)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: flush bounds outside resource"
                      " bounds for resource %d: %d %d %d %d vs %d %d\n",
                      __func__, rf.resource_id, rf.r.x, rf.r.y,
                      rf.r.width, rf.r.height, res->width, res->height);
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        return;
    }
    for (uint32_t i = 0; i < g->max_outputs; i++) {
        GpuScanout *s = &g->scanout[i];
        int64_t x1, y1, x2, y2;

        if (!(res->scanout_bitmask & (1u << i))) {
            continue;
        }
        /* The flushed rectangle, clipped to what the scanout shows, in
         * the scanout's coordinates. */
        x1 = MAX((int64_t)rf.r.x, s->x) - s->x;
        y1 = MAX((int64_t)rf.r.y, s->y) - s->y;
        x2 = MIN((int64_t)rf.r.x + rf.r.width, (int64_t)s->x + s->width) - s->x;
        y2 = MIN((int64_t)rf.r.y + rf.r.height, (int64_t)s->y + s->height) -
             s->y;
        if (x2 <= x1 || y2 <= y1) {
            continue;
        }
        if (s->shadow) {
            shadow_copy(s, res, x1, y1, x2 - x1, y2 - y1);
        }
        dpy_gfx_update(s->con, x1, y1, x2 - x1, y2 - y1);
    }
}

/* ---- display info and EDID ---------------------------------------------- */

static void get_display_info(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_resp_display_info info;

    memset(&info, 0, sizeof(info));
    info.hdr.type = cpu_to_le32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    for (uint32_t i = 0; i < g->max_outputs; i++) {
        if (g->enabled_output_bitmask & (1u << i)) {
            info.pmodes[i].enabled = cpu_to_le32(1);
            info.pmodes[i].r.width = cpu_to_le32(g->req_state[i].width);
            info.pmodes[i].r.height = cpu_to_le32(g->req_state[i].height);
        }
    }
    ctrl_response(g, cmd, &info.hdr, sizeof(info));
}

static void get_edid(VirtIOGPU *g, GpuCmd *cmd)
{
    struct virtio_gpu_cmd_get_edid ge;
    struct virtio_gpu_resp_edid edid;
    GpuRequestedState *rs;
    QemuEdidInfo info;

    if (!FILL_CMD(ge)) {
        return;
    }
    if (le32_to_cpu(ge.scanout) >= g->max_outputs) {
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        return;
    }
    rs = &g->req_state[le32_to_cpu(ge.scanout)];
    info = (QemuEdidInfo) {
        .prefx = rs->width, .prefy = rs->height,
        .width_mm = rs->width_mm, .height_mm = rs->height_mm,
        .refresh_rate = rs->refresh_rate,
    };
    memset(&edid, 0, sizeof(edid));
    edid.hdr.type = cpu_to_le32(VIRTIO_GPU_RESP_OK_EDID);
    edid.size = cpu_to_le32(qemu_edid_generate(edid.edid, &info));
    ctrl_response(g, cmd, &edid.hdr, sizeof(edid));
}

/* ---- the queues --------------------------------------------------------- */

static void process_cmd(VirtIOGPU *g, GpuCmd *cmd)
{
    if (!FILL_CMD(cmd->hdr)) {
        /* No header, no type to answer for: QEMU leaves such a request
         * pending until reset; answering keeps the ring moving. */
        cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
        goto answer;
    }
    cmd->hdr.type = le32_to_cpu(cmd->hdr.type);
    cmd->hdr.flags = le32_to_cpu(cmd->hdr.flags);
    cmd->hdr.fence_id = le64_to_cpu(cmd->hdr.fence_id);
    cmd->hdr.ctx_id = le32_to_cpu(cmd->hdr.ctx_id);

    switch (cmd->hdr.type) {
    case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
        get_display_info(g, cmd);
        break;
    case VIRTIO_GPU_CMD_GET_EDID:
        get_edid(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
        resource_create_2d(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_UNREF:
        resource_unref(g, cmd);
        break;
    case VIRTIO_GPU_CMD_SET_SCANOUT:
        set_scanout(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
        resource_flush(g, cmd);
        break;
    case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
        transfer_to_host_2d(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
        resource_attach_backing(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
        resource_detach_backing(g, cmd);
        break;
    case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
    case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
        /* blob=off, as QEMU's default */
        cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "virtio-gpu: unknown command 0x%x\n",
                      cmd->hdr.type);
        cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
        break;
    }
answer:
    if (!cmd->finished) {
        ctrl_response_nodata(g, cmd, cmd->error ? cmd->error :
                             VIRTIO_GPU_RESP_OK_NODATA);
    }
}

/* Main loop, BQL and vq_lock held (see the top). */
static void virtio_gpu_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);
    GpuCmd *cmd;
    bool done = false;

    while ((cmd = virtqueue_pop(vq, sizeof(GpuCmd)))) {
        cmd->vq = vq;
        cmd->error = 0;
        cmd->finished = false;
        process_cmd(g, cmd);
        g_free(cmd);
        done = true;
    }
    if (done) {
        virtio_notify(vdev, vq);
    }
}

static void update_cursor(VirtIOGPU *g, struct virtio_gpu_update_cursor *uc)
{
    uint32_t id = le32_to_cpu(uc->pos.scanout_id);
    uint32_t x = le32_to_cpu(uc->pos.x), y = le32_to_cpu(uc->pos.y);
    uint32_t res_id = le32_to_cpu(uc->resource_id);
    GpuScanout *s;

    if (id >= g->max_outputs) {
        return;
    }
    s = &g->scanout[id];
    if (le32_to_cpu(uc->hdr.type) != VIRTIO_GPU_CMD_MOVE_CURSOR) {
        QEMUCursor *c = cursor_alloc(VIRTIO_GPU_CURSOR_SIZE,
                                     VIRTIO_GPU_CURSOR_SIZE);
        GpuResource *res = res_id ? find_resource(g, res_id) : NULL;

        c->hot_x = le32_to_cpu(uc->hot_x);
        c->hot_y = le32_to_cpu(uc->hot_y);
        if (res && res->width == c->width && res->height == c->height &&
            PIXMAN_FORMAT_BPP(pixman_image_get_format(res->image)) == 32) {
            const uint8_t *src = (uint8_t *)pixman_image_get_data(res->image);
            int stride = pixman_image_get_stride(res->image);

            for (int row = 0; row < c->height; row++) {
                memcpy(c->data + row * c->width, src + row * stride,
                       c->width * 4);
            }
        } else if (s->cursor) {
            /* A resource that does not fit keeps the old image (QEMU). */
            memcpy(c->data, s->cursor->data, sizeof(uint32_t) * c->width *
                   c->height);
        }
        cursor_unref(s->cursor);
        s->cursor = c;
        dpy_cursor_define(s->con, c);
    }
    dpy_mouse_set(s->con, x, y, res_id != 0);
}

/* Main loop, BQL and vq_lock held. */
static void virtio_gpu_handle_cursor(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);
    VirtQueueElement *elem;
    bool done = false;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        struct virtio_gpu_update_cursor uc;
        size_t s = iov_to_buf(elem->out_sg, elem->out_num, 0, &uc,
                              sizeof(uc));

        if (s != sizeof(uc)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: cursor size incorrect %zu vs %zu\n",
                          __func__, s, sizeof(uc));
        } else {
            update_cursor(g, &uc);
        }
        virtqueue_push(vq, elem, 0);
        g_free(elem);
        done = true;
    }
    if (done) {
        virtio_notify(vdev, vq);
    }
}

/* ---- config, features, reset -------------------------------------------- */

static void virtio_gpu_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);
    struct virtio_gpu_config c = {
        .events_read = cpu_to_le32(g->events_read),
        .num_scanouts = cpu_to_le32(g->max_outputs),
    };

    memcpy(config, &c, sizeof(c));
}

static void virtio_gpu_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);
    struct virtio_gpu_config c;

    memcpy(&c, config, sizeof(c));
    /* events_clear is write-one-to-clear on events_read. */
    g->events_read &= ~le32_to_cpu(c.events_clear);
}

static uint64_t virtio_gpu_get_features(VirtIODevice *vdev, uint64_t f,
                                        Error **errp)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);

    if (g->flags & (1u << VIRTIO_GPU_FLAG_EDID_ENABLED)) {
        virtio_add_feature(&f, VIRTIO_GPU_F_EDID);
    }
    return f;
}

static void virtio_gpu_reset(VirtIODevice *vdev)
{
    VirtIOGPU *g = VIRTIO_GPU(vdev);
    GpuResource *res, *tmp;

    QTAILQ_FOREACH_SAFE(res, &g->reslist, next, tmp) {
        resource_destroy(g, res);
    }
    for (uint32_t i = 0; i < g->max_outputs; i++) {
        disable_scanout(g, i);
    }
}

/*
 * A display asks head @idx for a size (QEMU's virtio_gpu_ui_info): it
 * becomes the mode GET_DISPLAY_INFO reports and the EDID prefers, a zero
 * size disconnects the head, and the driver hears of it through the
 * config-change interrupt with VIRTIO_GPU_EVENT_DISPLAY in events_read.
 * Whether and when the guest sets that mode is its business.
 */
static void virtio_gpu_ui_info(void *opaque, uint32_t idx, QemuUIInfo *info)
{
    VirtIOGPU *g = opaque;

    if (idx >= g->max_outputs) {
        return;
    }
    g->req_state[idx] = (GpuRequestedState) {
        .width_mm = info->width_mm, .height_mm = info->height_mm,
        .width = info->width, .height = info->height,
        .refresh_rate = info->refresh_rate,
        .x = info->xoff, .y = info->yoff,
    };
    if (info->width && info->height) {
        g->enabled_output_bitmask |= 1u << idx;
    } else {
        g->enabled_output_bitmask &= ~(1u << idx);
    }
    g->events_read |= VIRTIO_GPU_EVENT_DISPLAY;
    virtio_notify_config(VIRTIO_DEVICE(g));
}

static const GraphicHwOps virtio_gpu_ops = {
    .gfx_update = NULL,     /* 2D pushes its changes on RESOURCE_FLUSH */
    .ui_info = virtio_gpu_ui_info,
};

static void virtio_gpu_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOGPU *g = VIRTIO_GPU(dev);

    if (g->max_outputs > VIRTIO_GPU_MAX_SCANOUTS) {
        error_setg(errp, "invalid max_outputs > %d", VIRTIO_GPU_MAX_SCANOUTS);
        return;
    }
    QTAILQ_INIT(&g->reslist);
    virtio_init(vdev, VIRTIO_ID_GPU, sizeof(struct virtio_gpu_config));
    g->ctrl_vq = virtio_add_queue(vdev, VIRTIO_GPU_CTRL_QUEUE_SIZE,
                                  virtio_gpu_handle_ctrl);
    g->cursor_vq = virtio_add_queue(vdev, VIRTIO_GPU_CURSOR_QUEUE_SIZE,
                                    virtio_gpu_handle_cursor);
    /* Output 0 is connected at xres x yres; the others exist but report
     * no display until one asks for them (ui_info). */
    g->enabled_output_bitmask = 1;
    g->req_state[0].width = g->xres;
    g->req_state[0].height = g->yres;
    for (uint32_t i = 0; i < g->max_outputs; i++) {
        g->scanout[i].con = graphic_console_init(dev, i, &virtio_gpu_ops, g);
    }
}

static void virtio_gpu_finalize(Object *obj)
{
    VirtIOGPU *g = VIRTIO_GPU(obj);
    GpuResource *res, *tmp;

    /* Consoles stay (QEMU never removes one); their surfaces may still
     * view our images, which hold their own references. */
    QTAILQ_FOREACH_SAFE(res, &g->reslist, next, tmp) {
        pixman_image_unref(res->image);
        g_free(res->iov);
        g_free(res);
    }
    for (int i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
        cursor_unref(g->scanout[i].cursor);
    }
}

static void virtio_gpu_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->category = DEVICE_CATEGORY_DISPLAY;
    vdc->realize = virtio_gpu_realize;
    vdc->get_features = virtio_gpu_get_features;
    vdc->get_config = virtio_gpu_get_config;
    vdc->set_config = virtio_gpu_set_config;
    vdc->reset = virtio_gpu_reset;
    qdev_class_add_prop_uint32(oc, "max_outputs",
                               offsetof(VirtIOGPU, max_outputs), 1, "");
    qdev_class_add_prop_bit64(oc, "edid", offsetof(VirtIOGPU, flags),
                              VIRTIO_GPU_FLAG_EDID_ENABLED, true);
    qdev_class_add_prop_uint32(oc, "xres", offsetof(VirtIOGPU, xres), 1280,
                               "");
    qdev_class_add_prop_uint32(oc, "yres", offsetof(VirtIOGPU, yres), 800,
                               "");
    qdev_class_add_prop_size(oc, "max_hostmem",
                               offsetof(VirtIOGPU, max_hostmem),
                               256 * 1024 * 1024, "");
}

static const TypeInfo virtio_gpu_info = {
    .name = TYPE_VIRTIO_GPU,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOGPU),
    .instance_finalize = virtio_gpu_finalize,
    .class_init = virtio_gpu_class_init,
};

static void virtio_gpu_register_types(void)
{
    type_register_static(&virtio_gpu_info);
}

type_init(virtio_gpu_register_types)
