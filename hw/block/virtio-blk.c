/*
 * virtio-blk-device: a disk on a BlockBackend (drive=), its requests run as
 * coroutines in the backend's AioContext (the main loop, or iothread=ID).
 * Corresponds to QEMU's hw/block/virtio-blk.c plus the dataplane of
 * hw/block/dataplane/virtio-blk.c; docs/virtio.md tells the thread path.
 *
 * Threads and locks:
 *  - Properties, config space, features, status, reset, the resize and
 *    run-state callbacks: main thread or a vCPU thread, BQL held.
 *  - The queue handlers run in vdev->ctx == blk_get_aio_context(blk) with
 *    vdev->vq_lock held (virtio.h).  A request's coroutine lives in that
 *    context too; when it completes outside a handler it takes vq_lock to
 *    push, and a BH of the context (notify_bh) sends the interrupts: one
 *    per loop iteration however many requests completed in it.  The last
 *    request in flight (inflight) interrupts at once instead: there is
 *    nothing to batch it with, and at queue depth 1 the BH's extra loop
 *    iteration is a good part of the host's time per request.
 *  - rq (requests parked by werror/rerror=stop) and gen belong to the
 *    context's thread; the BQL side touches them only with the context
 *    quiesced (after a drain), as QEMU's virtio_blk_reset.
 */
#include "qcore/osdep.h"
#include "qcore/block-backend.h"
#include "qcore/coroutine.h"
#include "qcore/error.h"
#include "trace/trace-hw_block.h"
#include "qcore/hw/virtio.h"
#include "qcore/iothread.h"
#include "qcore/iothread-object.h"
#include "qcore/iov.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"

#define TYPE_VIRTIO_BLK "virtio-blk-device"

/* Feature bits (virtio 1.x, 5.2.3; the legacy ones QEMU still offers). */
#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_GEOMETRY       4
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_SCSI           7       /* legacy */
#define VIRTIO_BLK_F_FLUSH          9       /* legacy name: WCE */
#define VIRTIO_BLK_F_TOPOLOGY       10
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

/* Request types and status. */
#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_SCSI_CMD       2
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13
#define VIRTIO_BLK_T_BARRIER        0x80000000u
#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2
#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

/* QEMU's BDRV_REQUEST_MAX_SECTORS: the default discard/zeroes limits
 * (a little over qcore's BDRV_REQUEST_MAX_BYTES: such requests are split). */
#define VIRTIO_BLK_MAX_SECTORS      (INT32_MAX >> BDRV_SECTOR_BITS)

/* The config space as QEMU 7.2 lays it out (little-endian on RISC-V). */
struct virtio_blk_config {
    uint64_t capacity;
    uint32_t size_max;
    uint32_t seg_max;
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
    uint32_t blk_size;
    uint8_t physical_block_exp;
    uint8_t alignment_offset;
    uint16_t min_io_size;
    uint32_t opt_io_size;
    uint8_t wce;
    uint8_t unused;
    uint16_t num_queues;
    uint32_t max_discard_sectors;
    uint32_t max_discard_seg;
    uint32_t discard_sector_alignment;
    uint32_t max_write_zeroes_sectors;
    uint32_t max_write_zeroes_seg;
    uint8_t write_zeroes_may_unmap;
    uint8_t unused1[3];
} QEMU_PACKED;

struct virtio_blk_outhdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

struct virtio_blk_discard_write_zeroes {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
};

typedef struct VirtIOBlockReq VirtIOBlockReq;

typedef struct VirtIOBlock {
    VirtIODevice parent_obj;
    BlockBackend *blk;
    bool own_blk;               /* made for a -blockdev node: ours to free */
    Object *iothread;           /* referenced while we use its context */
    QEMUBH *notify_bh;          /* in vdev->ctx: sends batched interrupts */
    QEMUBH *rekick_bh;          /* in vdev->ctx: kicks after a drain */
    bool *notify_pending;       /* per queue: pushed, not yet notified;
                                   vq_lock */
    unsigned inflight;          /* submitted, not completed nor parked;
                                   atomic */
    VirtIOBlockReq *rq;         /* parked by werror=stop; see the top */
    uint64_t gen;               /* bumped at reset: older requests vanish */
    bool quiesced;              /* drained: the handler pops nothing */
    bool original_wce;
    uint64_t in_flight_restart; /* restart BH pending (BQL) */
    /* Properties. */
    char *drive;
    char *iothread_id;
    char *serial;
    uint32_t num_queues;
    uint32_t queue_size;
    uint32_t logical_block_size;
    uint32_t physical_block_size;
    uint32_t max_discard_sectors;
    uint32_t max_write_zeroes_sectors;
    bool seg_max_adjust;
    bool request_merging;
    bool report_discard_granularity;
    uint64_t host_features;     /* config-wce, discard, write-zeroes */
} VirtIOBlock;

#define VIRTIO_BLK(obj) OBJECT_CHECK(VirtIOBlock, (obj), TYPE_VIRTIO_BLK)

struct VirtIOBlockReq {
    VirtQueueElement *elem;
    VirtIOBlock *dev;
    VirtQueue *vq;
    uint64_t gen;
    bool submitted;             /* counted in dev->inflight */
    uint32_t type;
    int64_t sector;
    uint8_t *status;            /* the last byte the driver gave to write */
    unsigned int in_len;        /* what the used ring reports */
    QEMUIOVector qiov;          /* the data, header and status left out */
    struct virtio_blk_discard_write_zeroes dwz;
    BlockAcctCookie acct;
    VirtIOBlockReq *next;
    VirtIOBlockReq *mr_next;    /* the next of a merged run (multireq) */
};

/*
 * The reads or writes popped in one handler run, kept until the run ends
 * so that adjacent ones reach the block layer as one request (QEMU's
 * MultiReqBuffer), with request-merging=on.  Off by default, unlike
 * QEMU: Linux sends a 1 MiB direct read as two requests behind one kick
 * (seg_max cuts it at 1,016 KiB), and on the hosts measured the two ran
 * faster as they came than merged (bench/README.md, Block, "Request
 * merging, again").
 */
#define VIRTIO_BLK_MAX_MERGE_REQS 32

typedef struct MultiReqBuffer {
    VirtIOBlockReq *reqs[VIRTIO_BLK_MAX_MERGE_REQS];
    unsigned num_reqs;
    bool is_write;
} MultiReqBuffer;

/* Set while this thread runs @dev's queue handler (vq_lock held). */
static __thread VirtIOBlock *handler_dev;

static uint32_t blk_sector_count(VirtIOBlock *s)
{
    return s->logical_block_size >> BDRV_SECTOR_BITS;
}

/* ---- completion -------------------------------------------------------- */

static void virtio_blk_free_request(VirtIOBlockReq *req)
{
    qemu_iovec_destroy(&req->qiov);
    g_free(req->elem);
    g_free(req);
}

/* Interrupts for the queues completed since last time; vq_lock held. */
static void virtio_blk_notify_pending(VirtIOBlock *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    for (unsigned i = 0; i < s->num_queues; i++) {
        if (s->notify_pending[i]) {
            s->notify_pending[i] = false;
            virtio_notify(vdev, virtio_get_queue(vdev, i));
        }
    }
}

/* vdev->ctx's thread. */
static void virtio_blk_notify_bh(void *opaque)
{
    VirtIOBlock *s = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    qemu_mutex_lock(&vdev->vq_lock);
    virtio_blk_notify_pending(s);
    qemu_mutex_unlock(&vdev->vq_lock);
}

/*
 * Give the request back to the driver with @status.  Inside our handler
 * vq_lock is already held and the handler notifies at its end; otherwise
 * take the lock to push and let notify_bh interrupt once for the batch,
 * or interrupt now if no other request is in flight.
 */
static void virtio_blk_req_complete(VirtIOBlockReq *req, uint8_t status)
{
    VirtIOBlock *s = req->dev;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    bool in_handler = handler_dev == s;
    bool last = req->submitted && qatomic_fetch_dec(&s->inflight) == 1;

    trace_virtio_blk_req_complete(vdev, req, status);
    if (!in_handler) {
        qemu_mutex_lock(&vdev->vq_lock);
    }
    /* A reset since the pop: the ring it came from is gone. */
    if (req->gen == s->gen) {
        *req->status = status;
        virtqueue_push(req->vq, req->elem, req->in_len);
        s->notify_pending[virtio_get_queue_index(req->vq)] = true;
    }
    if (!in_handler) {
        if (last) {
            virtio_blk_notify_pending(s);
        }
        qemu_mutex_unlock(&vdev->vq_lock);
        if (!last) {
            qemu_bh_schedule(s->notify_bh);
        }
    }
    virtio_blk_free_request(req);
}

/* ---- requests (coroutines in the backend's context) ------------------ */

static bool virtio_blk_sect_range_ok(VirtIOBlock *s, uint64_t sector,
                                     size_t size)
{
    uint64_t nb_sectors = size >> BDRV_SECTOR_BITS;
    uint64_t total;

    if (nb_sectors > VIRTIO_BLK_MAX_SECTORS) {
        return false;
    }
    if (sector & (blk_sector_count(s) - 1)) {
        return false;
    }
    if (size % s->logical_block_size) {
        return false;
    }
    total = blk_getlength(s->blk) >> BDRV_SECTOR_BITS;
    return sector <= total && nb_sectors <= total - sector;
}

/*
 * werror/rerror: true when the request is finished with (completed, or
 * parked for a retry after `cont`), false to complete it as @ret says.
 */
static bool virtio_blk_handle_rw_error(VirtIOBlockReq *req, int error,
                                       bool is_read)
{
    VirtIOBlock *s = req->dev;
    BlockErrorAction action = blk_get_error_action(s->blk, is_read, error);

    if (action == BLOCK_ERROR_ACTION_STOP) {
        /* Parked: counted again if the restart submits it. */
        req->submitted = false;
        qatomic_dec(&s->inflight);
        req->next = s->rq;
        s->rq = req;
    } else if (action == BLOCK_ERROR_ACTION_REPORT) {
        block_acct_failed(blk_get_stats(s->blk), &req->acct);
        virtio_blk_req_complete(req, VIRTIO_BLK_S_IOERR);     /* frees */
    }
    blk_error_action(s->blk, action, is_read, error);
    return action != BLOCK_ERROR_ACTION_IGNORE;
}

/*
 * A read or write, or a merged run of them starting at @opaque (chained
 * by mr_next, adjacent in sector order): one I/O for the run, then each
 * request is completed, or handles the error, on its own, as in QEMU.
 */
static void coroutine_fn virtio_blk_co_rw(void *opaque)
{
    VirtIOBlockReq *req = opaque, *next;
    VirtIOBlock *s = req->dev;
    bool is_write = req->type & VIRTIO_BLK_T_OUT;
    int64_t offset = req->sector << BDRV_SECTOR_BITS;
    QEMUIOVector merged, *qiov = &req->qiov;
    int ret;

    if (req->mr_next) {
        qiov = &merged;
        qemu_iovec_init(qiov, req->qiov.niov);
        for (VirtIOBlockReq *r = req; r; r = r->mr_next) {
            qemu_iovec_concat(qiov, &r->qiov, 0, r->qiov.size);
        }
    }
    if (is_write) {
        ret = blk_co_pwritev(s->blk, offset, qiov->size, qiov, 0);
    } else {
        ret = blk_co_preadv(s->blk, offset, qiov->size, qiov, 0);
    }
    if (qiov == &merged) {
        qemu_iovec_destroy(&merged);
    }
    for (; req; req = next) {
        /* Completing frees req; a parked one is resubmitted alone. */
        next = req->mr_next;
        req->mr_next = NULL;
        trace_virtio_blk_rw_complete(VIRTIO_DEVICE(s), req, ret);
        if (ret < 0 && virtio_blk_handle_rw_error(req, -ret, !is_write)) {
            continue;
        }
        block_acct_done(blk_get_stats(s->blk), &req->acct);
        virtio_blk_req_complete(req, VIRTIO_BLK_S_OK);
    }
}

static void coroutine_fn virtio_blk_co_flush(void *opaque)
{
    VirtIOBlockReq *req = opaque;
    VirtIOBlock *s = req->dev;
    int ret = blk_co_flush(s->blk);

    /* A failed flush counts as a failed write, as QEMU. */
    if (ret < 0 && virtio_blk_handle_rw_error(req, -ret, false)) {
        return;
    }
    block_acct_done(blk_get_stats(s->blk), &req->acct);
    virtio_blk_req_complete(req, VIRTIO_BLK_S_OK);
}

static void coroutine_fn virtio_blk_co_discard_wz(void *opaque)
{
    VirtIOBlockReq *req = opaque;
    VirtIOBlock *s = req->dev;
    bool wz = req->type == VIRTIO_BLK_T_WRITE_ZEROES;
    int64_t offset = req->dwz.sector << BDRV_SECTOR_BITS;
    int64_t bytes = (int64_t)req->dwz.num_sectors << BDRV_SECTOR_BITS;
    int ret;

    ret = 0;
    while (bytes > 0 && ret >= 0) {
        int64_t n = MIN(bytes, BDRV_REQUEST_MAX_BYTES);

        if (wz) {
            BdrvRequestFlags flags =
                (req->dwz.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
                ? BDRV_REQ_MAY_UNMAP : 0;

            ret = blk_co_pwrite_zeroes(s->blk, offset, n, flags);
        } else {
            ret = blk_co_pdiscard(s->blk, offset, n);
        }
        offset += n;
        bytes -= n;
    }
    if (ret < 0 && wz && virtio_blk_handle_rw_error(req, -ret, false)) {
        return;
    }
    if (wz) {
        block_acct_done(blk_get_stats(s->blk), &req->acct);
    }
    /* A failed discard is only advice not taken: QEMU reports it. */
    virtio_blk_req_complete(req, ret < 0 && !wz ? VIRTIO_BLK_S_IOERR
                                                : VIRTIO_BLK_S_OK);
}

/* Start (or restart) @req's I/O in the backend's context. */
static void virtio_blk_submit(VirtIOBlockReq *req)
{
    CoroutineEntry *entry;

    switch (req->type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        entry = virtio_blk_co_rw;
        break;
    case VIRTIO_BLK_T_FLUSH:
        entry = virtio_blk_co_flush;
        break;
    default:
        entry = virtio_blk_co_discard_wz;
        break;
    }
    for (VirtIOBlockReq *r = req; r; r = r->mr_next) {
        r->submitted = true;
        qatomic_inc(&r->dev->inflight);
    }
    /* From a handler run outside the context (no ioeventfd) this
     * schedules the coroutine there instead of entering it here. */
    aio_co_enter(blk_get_aio_context(req->dev->blk),
                 qemu_coroutine_create(entry, req));
}

static int virtio_blk_req_cmp(const void *a, const void *b)
{
    const VirtIOBlockReq *x = *(VirtIOBlockReq *const *)a;
    const VirtIOBlockReq *y = *(VirtIOBlockReq *const *)b;

    return x->sector < y->sector ? -1 : x->sector > y->sector;
}

/* Can @next join the run that ends with @prev (@niov pieces, @bytes)? */
static bool virtio_blk_can_merge(const VirtIOBlockReq *prev,
                                 const VirtIOBlockReq *next, int niov,
                                 int64_t bytes)
{
    return prev->sector + (int64_t)(prev->qiov.size >> BDRV_SECTOR_BITS) ==
               next->sector &&
           niov + next->qiov.niov <= IOV_MAX &&
           bytes + (int64_t)next->qiov.size <= BDRV_REQUEST_MAX_BYTES;
}

/*
 * Submit what @mrb holds, in sector order, each run of adjacent requests
 * as one (QEMU's virtio_blk_submit_multireq), within IOV_MAX pieces and
 * the block layer's request limit.  A run is not looked at once it is
 * submitted: its coroutine may already have completed and freed it.
 */
static void virtio_blk_submit_multireq(VirtIOBlock *s, MultiReqBuffer *mrb)
{
    VirtIOBlockReq **reqs = mrb->reqs;
    unsigned n = mrb->num_reqs, start, end;

    mrb->num_reqs = 0;
    if (n > 1) {
        qsort(reqs, n, sizeof(reqs[0]), virtio_blk_req_cmp);
    }
    for (start = 0; start < n; start = end) {
        int64_t bytes = reqs[start]->qiov.size;
        int niov = reqs[start]->qiov.niov;

        for (end = start + 1;
             end < n && virtio_blk_can_merge(reqs[end - 1], reqs[end], niov,
                                             bytes);
             end++) {
            reqs[end - 1]->mr_next = reqs[end];
            bytes += reqs[end]->qiov.size;
            niov += reqs[end]->qiov.niov;
        }
        reqs[end - 1]->mr_next = NULL;
        if (end - start > 1) {
            trace_virtio_blk_submit_multireq(VIRTIO_DEVICE(s), mrb, start,
                                             end - start,
                                             reqs[start]->sector <<
                                             BDRV_SECTOR_BITS,
                                             bytes, mrb->is_write);
            block_acct_merge_done(blk_get_stats(s->blk),
                                  mrb->is_write ? BLOCK_ACCT_WRITE
                                                : BLOCK_ACCT_READ,
                                  end - start - 1);
        }
        virtio_blk_submit(reqs[start]);
    }
}

/* Keep a read or write for the end of the handler run. */
static void virtio_blk_add_multireq(VirtIOBlock *s, MultiReqBuffer *mrb,
                                    VirtIOBlockReq *req, bool is_write)
{
    if (!s->request_merging) {
        virtio_blk_submit(req);
        return;
    }
    if (mrb->num_reqs == VIRTIO_BLK_MAX_MERGE_REQS ||
        (mrb->num_reqs && mrb->is_write != is_write)) {
        virtio_blk_submit_multireq(s, mrb);
    }
    mrb->is_write = is_write;
    mrb->reqs[mrb->num_reqs++] = req;
}

/* @iov[0..@cnt) from byte @skip, @len bytes, appended to @qiov. */
static void qiov_add_range(QEMUIOVector *qiov, const struct iovec *iov,
                           unsigned cnt, size_t skip, size_t len)
{
    for (unsigned i = 0; i < cnt && len; i++) {
        size_t l = iov[i].iov_len;

        if (skip >= l) {
            skip -= l;
            continue;
        }
        l = MIN(l - skip, len);
        qemu_iovec_add(qiov, (uint8_t *)iov[i].iov_base + skip, l);
        len -= l;
        skip = 0;
    }
}

/*
 * Parse and start one request; false when the chain is malformed (the
 * device is then broken, as QEMU's virtio_error).
 */
static bool virtio_blk_handle_request(VirtIOBlock *s, VirtQueue *vq,
                                      VirtQueueElement *elem,
                                      MultiReqBuffer *mrb)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    VirtIOBlockReq *req;
    struct virtio_blk_outhdr hdr;
    struct iovec *last;
    size_t out_len, data_len;
    uint32_t type;

    if (elem->out_num < 1 || elem->in_num < 1) {
        virtio_error(vdev, "virtio-blk missing headers");
        return false;
    }
    if (iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr)) !=
        sizeof(hdr)) {
        virtio_error(vdev, "virtio-blk request outhdr too short");
        return false;
    }
    last = &elem->in_sg[elem->in_num - 1];
    if (last->iov_len < 1) {
        virtio_error(vdev, "virtio-blk request inhdr too short");
        return false;
    }

    req = g_new0(VirtIOBlockReq, 1);
    req->elem = elem;
    req->dev = s;
    req->vq = vq;
    req->gen = s->gen;
    req->in_len = iov_size(elem->in_sg, elem->in_num);
    req->status = (uint8_t *)last->iov_base + last->iov_len - 1;
    qemu_iovec_init(&req->qiov, elem->in_num + elem->out_num);
    type = GUINT32_FROM_LE(hdr.type) & ~VIRTIO_BLK_T_BARRIER;
    req->sector = GUINT64_FROM_LE(hdr.sector);
    out_len = iov_size(elem->out_sg, elem->out_num) - sizeof(hdr);
    data_len = req->in_len - 1;

    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        bool is_write = type == VIRTIO_BLK_T_OUT;

        req->type = type;
        if (is_write) {
            qiov_add_range(&req->qiov, elem->out_sg, elem->out_num,
                           sizeof(hdr), out_len);
        } else {
            qiov_add_range(&req->qiov, elem->in_sg, elem->in_num, 0,
                           data_len);
        }
        if (is_write) {
            trace_virtio_blk_handle_write(vdev, req, req->sector,
                                          req->qiov.size >> BDRV_SECTOR_BITS);
        } else {
            trace_virtio_blk_handle_read(vdev, req, req->sector,
                                         req->qiov.size >> BDRV_SECTOR_BITS);
        }
        if (!virtio_blk_sect_range_ok(s, req->sector, req->qiov.size)) {
            virtio_blk_req_complete(req, VIRTIO_BLK_S_IOERR);
            block_acct_invalid(blk_get_stats(s->blk),
                               is_write ? BLOCK_ACCT_WRITE : BLOCK_ACCT_READ);
            return true;
        }
        block_acct_start(blk_get_stats(s->blk), &req->acct, req->qiov.size,
                         is_write ? BLOCK_ACCT_WRITE : BLOCK_ACCT_READ);
        virtio_blk_add_multireq(s, mrb, req, is_write);
        return true;
    }
    case VIRTIO_BLK_T_FLUSH:
        /* After the writes popped before it, as QEMU. */
        virtio_blk_submit_multireq(s, mrb);
        req->type = type;
        block_acct_start(blk_get_stats(s->blk), &req->acct, 0,
                         BLOCK_ACCT_FLUSH);
        virtio_blk_submit(req);
        return true;
    case VIRTIO_BLK_T_GET_ID: {
        const char *serial = s->serial ? s->serial : "";
        size_t n = MIN(strlen(serial) + 1, MIN(data_len, VIRTIO_BLK_ID_BYTES));

        qiov_add_range(&req->qiov, elem->in_sg, elem->in_num, 0, data_len);
        qemu_iovec_from_buf(&req->qiov, 0, serial, n);
        virtio_blk_req_complete(req, VIRTIO_BLK_S_OK);
        return true;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES: {
        bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
        uint64_t max = wz ? s->max_write_zeroes_sectors
                          : s->max_discard_sectors;
        uint8_t status = VIRTIO_BLK_S_OK;

        if (!virtio_has_feature(vdev->host_features,
                                wz ? VIRTIO_BLK_F_WRITE_ZEROES
                                   : VIRTIO_BLK_F_DISCARD)) {
            virtio_blk_req_complete(req, VIRTIO_BLK_S_UNSUPP);
            return true;
        }
        if (out_len < sizeof(req->dwz)) {
            virtio_error(vdev, "virtio-blk discard/write_zeroes header"
                         " too short");
            virtio_blk_free_request(req);
            return false;
        }
        iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), &req->dwz,
                   sizeof(req->dwz));
        req->type = type;
        req->dwz.sector = GUINT64_FROM_LE(req->dwz.sector);
        req->dwz.num_sectors = GUINT32_FROM_LE(req->dwz.num_sectors);
        req->dwz.flags = GUINT32_FROM_LE(req->dwz.flags);
        if (req->dwz.num_sectors > max) {
            status = VIRTIO_BLK_S_IOERR;
        } else if ((wz && req->dwz.flags &
                    ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
                   (!wz && req->dwz.flags)) {
            status = VIRTIO_BLK_S_UNSUPP;
        } else if (!virtio_blk_sect_range_ok(s, req->dwz.sector,
                       (uint64_t)req->dwz.num_sectors << BDRV_SECTOR_BITS)) {
            status = VIRTIO_BLK_S_IOERR;
        }
        if (status != VIRTIO_BLK_S_OK) {
            if (wz) {
                block_acct_invalid(blk_get_stats(s->blk), BLOCK_ACCT_WRITE);
            }
            virtio_blk_req_complete(req, status);
            return true;
        }
        if (wz) {
            block_acct_start(blk_get_stats(s->blk), &req->acct,
                             (int64_t)req->dwz.num_sectors
                             << BDRV_SECTOR_BITS, BLOCK_ACCT_WRITE);
        }
        virtio_blk_submit_multireq(s, mrb);
        virtio_blk_submit(req);
        return true;
    }
    default:
        /* SCSI passthrough (legacy) and anything else. */
        virtio_blk_req_complete(req, VIRTIO_BLK_S_UNSUPP);
        return true;
    }
}

/* vdev->ctx's thread (or a vCPU's without ioeventfd), vq_lock held. */
static void virtio_blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    VirtIOBlock *outer = handler_dev;
    VirtQueueElement *elem;
    int n = virtio_get_queue_index(vq);
    /* virtqueue_pop gives at most the queue size per kick (it re-arms
     * the kick for the rest): stop asking once that many came. */
    unsigned budget = virtio_queue_get_num(vdev, n), popped = 0;
    MultiReqBuffer mrb = { .num_reqs = 0 };

    /* Kicks while drained are served by drained_end's re-kick. */
    if (qatomic_read(&s->quiesced) || !s->blk) {
        return;
    }
    handler_dev = s;
    do {
        virtio_queue_set_notification(vq, 0);
        while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
            popped++;
            if (!virtio_blk_handle_request(s, vq, elem, &mrb)) {
                virtqueue_detach_element(vq, elem, 0);
                g_free(elem);
                break;
            }
        }
        virtio_blk_submit_multireq(s, &mrb);
        virtio_queue_set_notification(vq, 1);
    } while (popped < budget && !qatomic_read(&vdev->broken) &&
             !virtio_queue_empty(vq));
    handler_dev = outer;
    if (s->notify_pending[n]) {
        s->notify_pending[n] = false;
        virtio_notify(vdev, vq);
    }
}

/* ---- drains, run state, resize (BQL) -------------------------------- */

static void virtio_blk_drained_begin(void *opaque)
{
    VirtIOBlock *s = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    qatomic_set(&s->quiesced, true);
    /* A handler already popping finishes first: its requests are then
     * in flight (the drain waits for them) or parked by the backend. */
    qemu_mutex_lock(&vdev->vq_lock);
    qemu_mutex_unlock(&vdev->vq_lock);
}

/*
 * In the context, after a drain: kick each queue again.  With the host
 * notifier watched that only sets it; without (a device in the main
 * loop, kicked in the vCPU thread, or ioeventfd=off) it runs the handler
 * here, where its requests belong.  A drain begun meanwhile makes the
 * handler pop nothing, and its own end kicks again.
 */
static void virtio_blk_rekick_bh(void *opaque)
{
    VirtIOBlock *s = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    for (unsigned i = 0; i < s->num_queues && vdev->vq; i++) {
        virtio_queue_notify(vdev, i);
    }
}

static void virtio_blk_drained_end(void *opaque)
{
    VirtIOBlock *s = opaque;

    qatomic_set(&s->quiesced, false);
    /*
     * Serve the kicks the handler ignored meanwhile: from a BH, since
     * setting the host notifier does nothing while it is not watched,
     * and the handler must not run inside the drain's caller.
     */
    if (s->rekick_bh) {         /* NULL until realize made the queues */
        qemu_bh_schedule(s->rekick_bh);
    }
}

static void virtio_blk_resize(void *opaque)
{
    /* The capacity is read from the backend at each config read. */
    virtio_notify_config(VIRTIO_DEVICE(opaque));
}

static const BlockDevOps virtio_block_ops = {
    .resize_cb = virtio_blk_resize,
    .drained_begin = virtio_blk_drained_begin,
    .drained_end = virtio_blk_drained_end,
};

/* In the backend's context: resubmit what werror=stop parked. */
static void virtio_blk_restart_bh(void *opaque)
{
    VirtIOBlock *s = opaque;
    VirtIOBlockReq *req = s->rq, *next, *rev = NULL;

    s->rq = NULL;
    /* Oldest first, as they were issued. */
    for (; req; req = next) {
        next = req->next;
        req->next = rev;
        rev = req;
    }
    for (req = rev; req; req = next) {
        next = req->next;
        req->next = NULL;
        if (req->gen != s->gen) {
            virtio_blk_free_request(req);
            continue;
        }
        virtio_blk_submit(req);
    }
    blk_dec_in_flight(s->blk);
}

static void virtio_blk_vm_state_change(void *opaque, bool running,
                                       RunState state)
{
    VirtIOBlock *s = opaque;

    if (!running || !s->blk) {
        return;
    }
    /* Counted so that a drain waits for the restart to be issued. */
    blk_inc_in_flight(s->blk);
    aio_bh_schedule_oneshot(blk_get_aio_context(s->blk),
                            virtio_blk_restart_bh, s);
}

/* ---- config space and features (BQL) --------------------------------- */

static void virtio_blk_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    struct virtio_blk_config cfg;
    uint64_t capacity = blk_getlength(s->blk) >> BDRV_SECTOR_BITS;
    uint64_t cyls;
    uint32_t blk_size = s->logical_block_size;

    memset(&cfg, 0, sizeof(cfg));
    cfg.capacity = GUINT64_TO_LE(capacity);
    cfg.seg_max = GUINT32_TO_LE(s->seg_max_adjust ? s->queue_size - 2
                                                : 128 - 2);
    /* QEMU's guess for a disk without a partition table: 16 heads and 63
     * sectors, cylinders from the size. */
    cyls = capacity / (16 * 63);
    cyls = MAX(2, MIN(cyls, 16383));
    cfg.cylinders = GUINT16_TO_LE(cyls);
    cfg.heads = 16;
    cfg.sectors = 63;
    cfg.blk_size = GUINT32_TO_LE(blk_size);
    cfg.physical_block_exp = __builtin_ctz(s->physical_block_size / blk_size);
    cfg.alignment_offset = 0;
    cfg.wce = blk_enable_write_cache(s->blk);
    cfg.num_queues = GUINT16_TO_LE(s->num_queues);
    if (virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_DISCARD)) {
        cfg.max_discard_sectors = GUINT32_TO_LE(s->max_discard_sectors);
        cfg.discard_sector_alignment = GUINT32_TO_LE(blk_size >>
                                                   BDRV_SECTOR_BITS);
        cfg.max_discard_seg = GUINT32_TO_LE(1);
    }
    if (virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_WRITE_ZEROES)) {
        cfg.max_write_zeroes_sectors =
            GUINT32_TO_LE(s->max_write_zeroes_sectors);
        cfg.max_write_zeroes_seg = GUINT32_TO_LE(1);
        cfg.write_zeroes_may_unmap = 1;
    }
    memcpy(config, &cfg, vdev->config_len);
}

static void virtio_blk_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    const struct virtio_blk_config *cfg = (const void *)config;

    /* Only wce is writable, and only with CONFIG_WCE. */
    if (virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        blk_set_enable_write_cache(s->blk, cfg->wce != 0);
    }
}

static uint64_t virtio_blk_get_features(VirtIODevice *vdev, uint64_t f,
                                        Error **errp)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);

    f |= s->host_features;
    virtio_add_feature(&f, VIRTIO_BLK_F_SEG_MAX);
    virtio_add_feature(&f, VIRTIO_BLK_F_GEOMETRY);
    virtio_add_feature(&f, VIRTIO_BLK_F_TOPOLOGY);
    virtio_add_feature(&f, VIRTIO_BLK_F_BLK_SIZE);
    /* A legacy driver is offered SCSI (answered UNSUPP) and not
     * ANY_LAYOUT, as by QEMU; legacy_features hides SCSI from a modern
     * one, which the transport shows ANY_LAYOUT's absence anyway. */
    virtio_add_feature(&f, VIRTIO_BLK_F_SCSI);
    virtio_clear_feature(&f, VIRTIO_F_ANY_LAYOUT);
    if (blk_enable_write_cache(s->blk) ||
        virtio_has_feature(s->host_features, VIRTIO_BLK_F_CONFIG_WCE)) {
        virtio_add_feature(&f, VIRTIO_BLK_F_FLUSH);
    }
    if (!blk_is_writable(s->blk)) {
        virtio_add_feature(&f, VIRTIO_BLK_F_RO);
    }
    if (s->num_queues > 1) {
        virtio_add_feature(&f, VIRTIO_BLK_F_MQ);
    }
    return f;
}

static void virtio_blk_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);

    if (!(status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /*
     * A driver without CONFIG_WCE gets the cache it negotiated: FLUSH
     * (legacy WCE) or write-through.  One with CONFIG_WCE can flush and
     * may already have chosen through the config space before DRIVER_OK,
     * so it is left alone (QEMU's reasoning in virtio_blk_set_status).
     */
    if (!virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        blk_set_enable_write_cache(s->blk,
            virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_FLUSH));
    }
}

/* Reset (driver or system): finish what is in flight, forget the rest. */
static void virtio_blk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    VirtIOBlockReq *req;

    if (!s->blk) {
        return;
    }
    blk_drain(s->blk);
    /* Quiet now: the context's thread does not touch rq or gen. */
    while ((req = s->rq)) {
        s->rq = req->next;
        virtio_blk_free_request(req);
    }
    s->gen++;
    blk_set_enable_write_cache(s->blk, s->original_wce);
}

/* ---- realize ---------------------------------------------------------- */

static bool virtio_blk_attach(VirtIOBlock *s, Error **errp)
{
    BlockBackend *blk = blk_by_name(s->drive);
    uint64_t perm;

    if (!blk) {
        BlockDriverState *bs = bdrv_find_node(s->drive);

        if (!bs) {
            error_setg(errp, "Property '%s.drive' can't find value '%s'",
                       TYPE_VIRTIO_BLK, s->drive);
            return false;
        }
        /* A -blockdev node: an anonymous backend of our own, as QEMU. */
        blk = blk_new(bdrv_get_aio_context(bs), 0, BLK_PERM_ALL);
        if (blk_insert_bs(blk, bs, errp) < 0) {
            blk_unref(blk);
            return false;
        }
        s->own_blk = true;
    } else {
        blk_ref(blk);
    }
    if (blk_attach_dev(blk, OBJECT(s)) < 0) {
        error_setg(errp, "Drive '%s' is already in use by another device",
                   s->drive);
        blk_unref(blk);
        return false;
    }
    s->blk = blk;
    perm = BLK_PERM_CONSISTENT_READ |
           (blk_is_writable(blk) ? BLK_PERM_WRITE : 0);
    if (blk_set_perm(blk, perm, BLK_PERM_CONSISTENT_READ |
                     BLK_PERM_WRITE_UNCHANGED, errp) < 0) {
        return false;
    }
    return true;
}

static void virtio_blk_detach(VirtIOBlock *s)
{
    if (!s->blk) {
        return;
    }
    blk_set_dev_ops(s->blk, NULL, NULL);
    blk_detach_dev(s->blk, OBJECT(s));
    blk_set_aio_context(s->blk, qemu_get_aio_context(), NULL);
    blk_unref(s->blk);
    s->blk = NULL;
}

static void virtio_blk_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOBlock *s = VIRTIO_BLK(dev);
    AioContext *ctx = qemu_get_aio_context();
    size_t config_size;
    char *path;

    if (!s->drive || !*s->drive) {
        error_setg(errp, "drive property not set");
        return;
    }
    if (s->num_queues == 0 || s->num_queues > VIRTIO_QUEUE_MAX) {
        error_setg(errp, "num-queues property must be larger than 0");
        return;
    }
    if (s->queue_size <= 2) {
        error_setg(errp, "invalid queue-size property (%" PRIu32 "), "
                   "must be > 2", s->queue_size);
        return;
    }
    if (s->queue_size & (s->queue_size - 1) ||
        s->queue_size > VIRTQUEUE_MAX_SIZE) {
        error_setg(errp, "invalid queue-size property (%" PRIu32 "), "
                   "must be a power of 2 (2^n) and less than or equal "
                   "to %d", s->queue_size, VIRTQUEUE_MAX_SIZE);
        return;
    }
    if (s->logical_block_size < 512 || s->logical_block_size > 32768 ||
        (s->logical_block_size & (s->logical_block_size - 1))) {
        error_setg(errp, "Property %s.logical_block_size doesn't take "
                   "value %" PRIu32 " (must be a power of 2 between 512 "
                   "and 32768)", TYPE_VIRTIO_BLK, s->logical_block_size);
        return;
    }
    if (s->physical_block_size < s->logical_block_size ||
        (s->physical_block_size & (s->physical_block_size - 1))) {
        error_setg(errp, "logical_block_size > physical_block_size not "
                   "supported");
        return;
    }
    if (s->iothread_id && *s->iothread_id) {
        Object *o = object_resolve_path_component(object_get_objects_root(),
                                                  s->iothread_id);

        if (!o || !object_dynamic_cast(o, TYPE_IOTHREAD)) {
            error_setg(errp, "Device '%s' not found", s->iothread_id);
            return;
        }
        s->iothread = object_ref(o);
        ctx = iothread_get_aio_context(iothread_object_get(o));
    }
    if (!virtio_blk_attach(s, errp)) {
        goto fail;
    }
    if (!blk_is_inserted(s->blk)) {
        error_setg(errp, "Device needs media, but drive is empty");
        goto fail;
    }
    if (blk_set_aio_context(s->blk, ctx, errp) < 0) {
        goto fail;
    }
    /* query-block's "qdev": the id, or the path -device gave us. */
    path = object_get_canonical_path(OBJECT(dev));
    blk_set_dev_id(s->blk, DEVICE(dev)->id ? DEVICE(dev)->id : path);
    g_free(path);
    blk_set_dev_ops(s->blk, &virtio_block_ops, s);
    blk_iostatus_enable(s->blk);
    s->original_wce = blk_enable_write_cache(s->blk);

    vdev->ctx = ctx;
    /* QEMU 7.2's config size: up to the last field a feature needs. */
    config_size = offsetof(struct virtio_blk_config, max_discard_sectors);
    if (virtio_has_feature(s->host_features, VIRTIO_BLK_F_DISCARD)) {
        config_size = offsetof(struct virtio_blk_config,
                               max_write_zeroes_sectors);
    }
    if (virtio_has_feature(s->host_features, VIRTIO_BLK_F_WRITE_ZEROES)) {
        config_size = offsetof(struct virtio_blk_config, unused1);
    }
    virtio_init(vdev, VIRTIO_ID_BLOCK, config_size);
    s->notify_pending = g_new0(bool, s->num_queues);
    s->notify_bh = aio_bh_new(ctx, virtio_blk_notify_bh, s);
    s->rekick_bh = aio_bh_new(ctx, virtio_blk_rekick_bh, s);
    for (unsigned i = 0; i < s->num_queues; i++) {
        virtio_add_queue(vdev, s->queue_size, virtio_blk_handle_output);
    }
    qemu_add_vm_change_state_handler(virtio_blk_vm_state_change, s);
    return;

fail:
    virtio_blk_detach(s);
    if (s->iothread) {
        object_unref(s->iothread);
        s->iothread = NULL;
    }
}

static void virtio_blk_unrealize(DeviceState *dev)
{
    VirtIOBlock *s = VIRTIO_BLK(dev);

    if (s->blk) {
        blk_drain(s->blk);
    }
    if (s->notify_bh) {
        qemu_bh_delete(s->notify_bh);
        s->notify_bh = NULL;
    }
    if (s->rekick_bh) {
        qemu_bh_delete(s->rekick_bh);
        s->rekick_bh = NULL;
    }
    virtio_blk_detach(s);
}

static void virtio_blk_finalize(Object *obj)
{
    VirtIOBlock *s = VIRTIO_BLK(obj);

    g_free(s->notify_pending);
    if (s->iothread) {
        object_unref(s->iothread);
    }
}

static void virtio_blk_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_STORAGE;
    vdc->realize = virtio_blk_realize;
    vdc->unrealize = virtio_blk_unrealize;
    vdc->get_features = virtio_blk_get_features;
    vdc->get_config = virtio_blk_get_config;
    vdc->set_config = virtio_blk_set_config;
    vdc->set_status = virtio_blk_set_status;
    vdc->reset = virtio_blk_reset;
    vdc->legacy_features |= 1ULL << VIRTIO_BLK_F_SCSI;
    /* QEMU's names, in the order virtio-blk-device,help shows them. */
    qdev_class_add_prop_str(oc, "drive", "str", offsetof(VirtIOBlock, drive),
                            "Node name or ID of a block device to use as a "
                            "backend");
    qdev_class_add_prop_uint32(oc, "logical_block_size",
                               offsetof(VirtIOBlock, logical_block_size), 512,
                               "A power of two between 512 B and 2 MiB");
    qdev_class_add_prop_uint32(oc, "physical_block_size",
                               offsetof(VirtIOBlock, physical_block_size), 512,
                               "A power of two between 512 B and 2 MiB");
    qdev_class_add_prop_str(oc, "serial", "str",
                            offsetof(VirtIOBlock, serial), NULL);
    qdev_class_add_prop_bit64(oc, "config-wce",
                              offsetof(VirtIOBlock, host_features),
                              VIRTIO_BLK_F_CONFIG_WCE, true);
    qdev_class_add_prop_bool(oc, "request-merging",
                             offsetof(VirtIOBlock, request_merging), false,
                             NULL);
    qdev_class_add_prop_uint32(oc, "num-queues",
                               offsetof(VirtIOBlock, num_queues), 1, NULL);
    qdev_class_add_prop_uint32(oc, "queue-size",
                               offsetof(VirtIOBlock, queue_size), 256, NULL);
    qdev_class_add_prop_bool(oc, "seg-max-adjust",
                             offsetof(VirtIOBlock, seg_max_adjust), true,
                             NULL);
    qdev_class_add_prop_str(oc, "iothread", "link<iothread>",
                            offsetof(VirtIOBlock, iothread_id), NULL);
    qdev_class_add_prop_bit64(oc, "discard",
                              offsetof(VirtIOBlock, host_features),
                              VIRTIO_BLK_F_DISCARD, true);
    qdev_class_add_prop_bool(oc, "report-discard-granularity",
                             offsetof(VirtIOBlock,
                                      report_discard_granularity),
                             true, NULL);
    qdev_class_add_prop_bit64(oc, "write-zeroes",
                              offsetof(VirtIOBlock, host_features),
                              VIRTIO_BLK_F_WRITE_ZEROES, true);
    qdev_class_add_prop_uint32(oc, "max-discard-sectors",
                               offsetof(VirtIOBlock, max_discard_sectors),
                               VIRTIO_BLK_MAX_SECTORS, NULL);
    qdev_class_add_prop_uint32(oc, "max-write-zeroes-sectors",
                               offsetof(VirtIOBlock,
                                        max_write_zeroes_sectors),
                               VIRTIO_BLK_MAX_SECTORS, NULL);
}

static const TypeInfo virtio_blk_info = {
    .name = TYPE_VIRTIO_BLK,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOBlock),
    .instance_finalize = virtio_blk_finalize,
    .class_init = virtio_blk_class_init,
};

static void virtio_blk_register_types(void)
{
    type_register_static(&virtio_blk_info);
}

type_init(virtio_blk_register_types)
