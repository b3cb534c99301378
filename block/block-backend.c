/*
 * BlockBackend: a device's (or the monitor's) handle on a node graph,
 * with a name, the error policy, statistics and request queueing during
 * drains.  Corresponds to QEMU's block/block-backend.c and
 * block/accounting.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/main-loop.h"
#include "qcore/thread-pool.h"
#include "qapi/qapi-events.h"
#include "block_int.h"

struct BlockBackend {
    /* Main thread, BQL: */
    char *name;                     /* NULL: anonymous (a device's own) */
    int refcnt;
    BdrvChild *root;                /* root->parent is NULL: a backend */
    AioContext *ctx;                /* when there is no root */
    void *dev;
    char *dev_id;
    const BlockDevOps *dev_ops;
    void *dev_opaque;
    bool enable_write_cache;
    BlockdevOnError on_read_error, on_write_error;
    bool iostatus_enabled;
    BlockDeviceIoStatus iostatus;   /* atomic: set by any thread */
    uint64_t perm, shared_perm;     /* blk_set_perm's, for a new root */
    QTAILQ_ENTRY(BlockBackend) link;        /* all backends */
    QTAILQ_ENTRY(BlockBackend) monitor_link;/* named backends */

    BlockAcctStats stats;           /* its own lock */

    /* Requests in flight through this backend (atomic). */
    unsigned in_flight;
    /*
     * Drain nesting (main thread writes; request coroutines read it
     * atomically).  While non-zero new requests wait on queued_requests,
     * protected by queued_requests_lock (requests run in an IOThread,
     * the drain ends in the main thread).
     */
    int quiesce_counter;
    QemuMutex queued_requests_lock;
    CoQueue queued_requests;
};

static QTAILQ_HEAD(, BlockBackend) block_backends =
    QTAILQ_HEAD_INITIALIZER(block_backends);
static QTAILQ_HEAD(, BlockBackend) monitor_block_backends =
    QTAILQ_HEAD_INITIALIZER(monitor_block_backends);
static void (*vmstop_hook)(void);

/* ---- accounting ------------------------------------------------------- */

void block_acct_init(BlockAcctStats *stats)
{
    memset(stats, 0, sizeof(*stats));
    qemu_mutex_init(&stats->lock);
}

void block_acct_setup(BlockAcctStats *stats, bool account_invalid,
                      bool account_failed)
{
    stats->account_invalid = account_invalid;
    stats->account_failed = account_failed;
}

void block_acct_cleanup(BlockAcctStats *stats)
{
    qemu_mutex_destroy(&stats->lock);
}

static int64_t acct_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

void block_acct_start(BlockAcctStats *stats, BlockAcctCookie *cookie,
                      int64_t bytes, enum BlockAcctType type)
{
    cookie->bytes = bytes;
    cookie->start_time_ns = acct_now();
    cookie->type = type;
}

static void acct_finish(BlockAcctStats *stats, BlockAcctCookie *cookie,
                        bool failed)
{
    int64_t now = acct_now();

    if (cookie->type == BLOCK_ACCT_NONE) {
        return;
    }
    qemu_mutex_lock(&stats->lock);
    if (failed) {
        stats->failed_ops[cookie->type]++;
    } else {
        stats->nr_bytes[cookie->type] += cookie->bytes;
        stats->nr_ops[cookie->type]++;
    }
    if (!failed || stats->account_failed) {
        stats->total_time_ns[cookie->type] += now - cookie->start_time_ns;
        stats->last_access_time_ns = now;
    }
    qemu_mutex_unlock(&stats->lock);
    cookie->type = BLOCK_ACCT_NONE;
}

void block_acct_done(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    acct_finish(stats, cookie, false);
}

void block_acct_failed(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    acct_finish(stats, cookie, true);
}

void block_acct_invalid(BlockAcctStats *stats, enum BlockAcctType type)
{
    qemu_mutex_lock(&stats->lock);
    stats->invalid_ops[type]++;
    if (stats->account_invalid) {
        stats->last_access_time_ns = acct_now();
    }
    qemu_mutex_unlock(&stats->lock);
}

void block_acct_merge_done(BlockAcctStats *stats, enum BlockAcctType type,
                           int num_requests)
{
    qemu_mutex_lock(&stats->lock);
    stats->merged[type] += num_requests;
    qemu_mutex_unlock(&stats->lock);
}

int64_t block_acct_idle_time_ns(BlockAcctStats *stats)
{
    int64_t last;

    qemu_mutex_lock(&stats->lock);
    last = stats->last_access_time_ns;
    qemu_mutex_unlock(&stats->lock);
    return acct_now() - last;
}

/* ---- life cycle ------------------------------------------------------- */

BlockBackend *blk_new(AioContext *ctx, uint64_t perm, uint64_t shared_perm)
{
    BlockBackend *blk = g_new0(BlockBackend, 1);

    blk->refcnt = 1;
    blk->ctx = ctx;
    blk->enable_write_cache = true;
    blk->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    blk->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    block_acct_init(&blk->stats);
    qemu_mutex_init(&blk->queued_requests_lock);
    qemu_co_queue_init(&blk->queued_requests);
    QTAILQ_INSERT_TAIL(&block_backends, blk, link);
    return blk;
}

int blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp)
{
    assert(!blk->root);
    if (bs->aio_context != blk->ctx && blk->ctx) {
        if (bdrv_try_change_aio_context(bs, blk->ctx, errp) < 0) {
            return -EPERM;
        }
    }
    bdrv_ref(bs);
    blk->root = g_new0(BdrvChild, 1);
    blk->root->bs = bs;
    blk->root->name = g_strdup("root");
    bs->n_parents++;
    /* A backend attached during a drain starts quiesced like its node. */
    blk->quiesce_counter = bs->quiesce_counter;
    return 0;
}

int blk_set_perm(BlockBackend *blk, uint64_t perm, uint64_t shared_perm,
                 Error **errp)
{
    blk->perm = perm;
    blk->shared_perm = shared_perm;
    if (!blk->root) {
        return 0;
    }
    return bdrv_set_perm(blk->root->bs, perm, BLK_PERM_ALL & ~shared_perm,
                         errp);
}

static void blk_passed_bh(void *opaque)
{
}

/*
 * A request's coroutine drops in_flight when blk_co_preadv returns, but
 * its device goes on in the same callback of the node's thread:
 * completing it, or reporting an error with blk_error_action, which reads
 * blk->root.  QEMU's devices finish inside blk_aio_*'s callback, before
 * its in_flight goes.  Before blk->root changes under a drain, let that
 * thread pass between two callbacks.
 */
static void blk_let_callbacks_pass(BlockDriverState *bs)
{
    if (!in_aio_context_home_thread(bs->aio_context)) {
        aio_wait_bh_oneshot(bs->aio_context, blk_passed_bh, NULL);
    }
}

void blk_remove_bs(BlockBackend *blk)
{
    BlockDriverState *bs;

    if (!blk->root) {
        return;
    }
    bs = blk->root->bs;
    bdrv_drained_begin(bs);
    blk_let_callbacks_pass(bs);
    blk->ctx = bs->aio_context;
    bs->n_parents--;
    g_free(blk->root->name);
    g_free(blk->root);
    blk->root = NULL;
    blk->quiesce_counter = 0;
    bdrv_drained_end(bs);
    bdrv_unref(bs);
}

bool bdrv_has_blk(BlockDriverState *bs)
{
    BlockBackend *blk;

    QTAILQ_FOREACH(blk, &block_backends, link) {
        if (blk->root && blk->root->bs == bs) {
            return true;
        }
    }
    return false;
}

int blk_replace_root(BlockDriverState *from, BlockDriverState *to,
                     Error **errp)
{
    BlockBackend *blk;

    QTAILQ_FOREACH(blk, &block_backends, link) {
        if (!blk->root || blk->root->bs != from) {
            continue;
        }
        if (blk->perm &&
            bdrv_set_perm(to, blk->perm, BLK_PERM_ALL & ~blk->shared_perm,
                          errp) < 0) {
            return -EPERM;
        }
        blk_let_callbacks_pass(from);
        bdrv_ref(to);
        to->n_parents++;
        blk->root->bs = to;
        from->n_parents--;
        bdrv_unref(from);
    }
    return 0;
}

void blk_remove_all_bs(void)
{
    BlockBackend *blk;

    QTAILQ_FOREACH(blk, &block_backends, link) {
        blk_remove_bs(blk);
    }
}

void blk_ref(BlockBackend *blk)
{
    blk->refcnt++;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || --blk->refcnt > 0) {
        return;
    }
    assert(!blk->name);
    assert(!blk->dev);
    blk_remove_bs(blk);
    QTAILQ_REMOVE(&block_backends, blk, link);
    qemu_mutex_destroy(&blk->queued_requests_lock);
    block_acct_cleanup(&blk->stats);
    g_free(blk->dev_id);
    g_free(blk);
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root ? blk->root->bs : NULL;
}

bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp)
{
    assert(!blk->name);
    if (!name[0]) {
        error_setg(errp, "Device name must not be empty");
        return false;
    }
    if (blk_by_name(name)) {
        error_setg(errp, "Device with id '%s' already exists", name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Device name '%s' conflicts with an existing node "
                   "name", name);
        return false;
    }
    blk->name = g_strdup(name);
    QTAILQ_INSERT_TAIL(&monitor_block_backends, blk, monitor_link);
    return true;
}

void monitor_remove_blk(BlockBackend *blk)
{
    if (!blk->name) {
        return;
    }
    QTAILQ_REMOVE(&monitor_block_backends, blk, monitor_link);
    g_free(blk->name);
    blk->name = NULL;
}

BlockBackend *blk_by_name(const char *name)
{
    BlockBackend *blk;

    QTAILQ_FOREACH(blk, &monitor_block_backends, monitor_link) {
        if (!strcmp(blk->name, name)) {
            return blk;
        }
    }
    return NULL;
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name ? blk->name : "";
}

BlockBackend *blk_next(BlockBackend *blk)
{
    return blk ? QTAILQ_NEXT(blk, monitor_link)
               : QTAILQ_FIRST(&monitor_block_backends);
}

BlockBackend *blk_all_next(BlockBackend *blk)
{
    return blk ? QTAILQ_NEXT(blk, link) : QTAILQ_FIRST(&block_backends);
}

int blk_attach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev) {
        return -EBUSY;
    }
    blk_ref(blk);
    blk->dev = dev;
    blk_iostatus_reset(blk);
    return 0;
}

void blk_detach_dev(BlockBackend *blk, void *dev)
{
    assert(blk->dev == dev);
    blk->dev = NULL;
    blk->dev_ops = NULL;
    blk->dev_opaque = NULL;
    g_free(blk->dev_id);
    blk->dev_id = NULL;
    blk_unref(blk);
}

void *blk_get_attached_dev(BlockBackend *blk)
{
    return blk->dev;
}

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops, void *opaque)
{
    blk->dev_ops = ops;
    blk->dev_opaque = opaque;
}

void blk_set_dev_id(BlockBackend *blk, const char *qdev)
{
    g_free(blk->dev_id);
    blk->dev_id = g_strdup(qdev);
}

const char *blk_get_dev_id(BlockBackend *blk)
{
    return blk->dev_id;
}

AioContext *blk_get_aio_context(BlockBackend *blk)
{
    return blk->root ? blk->root->bs->aio_context : blk->ctx;
}

int blk_set_aio_context(BlockBackend *blk, AioContext *new_context,
                        Error **errp)
{
    if (blk->root) {
        int ret = bdrv_try_change_aio_context(blk->root->bs, new_context,
                                              errp);
        if (ret < 0) {
            return ret;
        }
    }
    blk->ctx = new_context;
    return 0;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return blk->root ? blk->root->bs->read_only : false;
}

bool blk_is_writable(BlockBackend *blk)
{
    return blk->root && !blk->root->bs->read_only;
}

bool blk_is_inserted(BlockBackend *blk)
{
    return blk->root && blk->root->bs->drv;
}

bool blk_is_available(BlockBackend *blk)
{
    return blk_is_inserted(blk);
}

int64_t blk_getlength(BlockBackend *blk)
{
    return blk->root ? bdrv_getlength(blk->root->bs) : -ENOMEDIUM;
}

void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr)
{
    int64_t len = blk_getlength(blk);

    *nb_sectors_ptr = len < 0 ? 0 : len >> BDRV_SECTOR_BITS;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return blk->enable_write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool wce)
{
    blk->enable_write_cache = wce;
}

BlockAcctStats *blk_get_stats(BlockBackend *blk)
{
    return &blk->stats;
}

uint32_t blk_get_request_alignment(BlockBackend *blk)
{
    return blk->root ? MAX(blk->root->bs->bl.request_alignment, 512) : 512;
}

int blk_truncate(BlockBackend *blk, int64_t offset, Error **errp)
{
    int ret;

    if (!blk->root) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    ret = bdrv_truncate(blk->root->bs, offset, errp);
    if (ret >= 0 && blk->dev_ops && blk->dev_ops->resize_cb) {
        blk->dev_ops->resize_cb(blk->dev_opaque);
    }
    return ret;
}

/* ---- drains ----------------------------------------------------------- */

static bool tree_contains(BlockDriverState *root, BlockDriverState *bs)
{
    BdrvChild *c;

    if (root == bs) {
        return true;
    }
    QLIST_FOREACH(c, &root->children, next) {
        if (tree_contains(c->bs, bs)) {
            return true;
        }
    }
    return false;
}

/* The backends above @bs: those whose root graph contains it. */
#define FOREACH_BLK_ABOVE(blk, bs)                                      \
    QTAILQ_FOREACH(blk, &block_backends, link)                          \
        if (blk->root && tree_contains(blk->root->bs, bs))

void blk_root_drained_begin(BlockDriverState *bs)
{
    BlockBackend *blk;

    FOREACH_BLK_ABOVE(blk, bs) {
        if (qatomic_fetch_inc(&blk->quiesce_counter) == 0 &&
            blk->dev_ops && blk->dev_ops->drained_begin) {
            blk->dev_ops->drained_begin(blk->dev_opaque);
        }
    }
}

void blk_root_drained_end(BlockDriverState *bs)
{
    BlockBackend *blk;

    FOREACH_BLK_ABOVE(blk, bs) {
        assert(blk->quiesce_counter > 0);
        if (qatomic_fetch_dec(&blk->quiesce_counter) == 1) {
            if (blk->dev_ops && blk->dev_ops->drained_end) {
                blk->dev_ops->drained_end(blk->dev_opaque);
            }
            qemu_mutex_lock(&blk->queued_requests_lock);
            qemu_co_enter_all(&blk->queued_requests,
                              &blk->queued_requests_lock);
            qemu_mutex_unlock(&blk->queued_requests_lock);
        }
    }
}

bool blk_root_drained_poll(BlockDriverState *bs)
{
    BlockBackend *blk;

    FOREACH_BLK_ABOVE(blk, bs) {
        if (qatomic_read(&blk->in_flight)) {
            return true;
        }
        if (blk->dev_ops && blk->dev_ops->drained_poll &&
            blk->dev_ops->drained_poll(blk->dev_opaque)) {
            return true;
        }
    }
    return false;
}

void blk_inc_in_flight(BlockBackend *blk)
{
    qatomic_inc(&blk->in_flight);
}

void blk_dec_in_flight(BlockBackend *blk)
{
    qatomic_dec(&blk->in_flight);
    aio_wait_kick();
}

void blk_drain(BlockBackend *blk)
{
    if (blk->root) {
        bdrv_drained_begin(blk->root->bs);
        bdrv_drained_end(blk->root->bs);
    }
}

/*
 * The caller holds one in-flight count.  While the backend is drained,
 * give it back and park until the drain ends (a count held by a request
 * that has not started would keep the drain waiting for itself).
 */
static void coroutine_fn blk_wait_while_drained(BlockBackend *blk)
{
    /* Pairs with the drain: counter raised, then in_flight read. */
    smp_mb();
    while (qatomic_read(&blk->quiesce_counter)) {
        qemu_mutex_lock(&blk->queued_requests_lock);
        blk_dec_in_flight(blk);
        if (qatomic_read(&blk->quiesce_counter)) {
            qemu_co_queue_wait(&blk->queued_requests,
                               &blk->queued_requests_lock);
        }
        qemu_mutex_unlock(&blk->queued_requests_lock);
        blk_inc_in_flight(blk);
        smp_mb();
    }
}

static int blk_check_byte_request(BlockBackend *blk, int64_t offset,
                                  int64_t bytes)
{
    int64_t len;

    if (!blk_is_available(blk)) {
        return -ENOMEDIUM;
    }
    if (offset < 0 || bytes < 0 || bytes > BDRV_REQUEST_MAX_BYTES) {
        return -EIO;
    }
    len = blk_getlength(blk);
    if (len < 0) {
        return len;
    }
    if (offset > len || len - offset < bytes) {
        return -EIO;
    }
    return 0;
}

/* The requests proper; the caller holds an in-flight count. */
static int coroutine_fn blk_co_do_preadv(BlockBackend *blk, int64_t offset,
                                         int64_t bytes, QEMUIOVector *qiov,
                                         BdrvRequestFlags flags)
{
    int ret;

    blk_wait_while_drained(blk);
    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret == 0) {
        ret = bdrv_co_preadv(blk->root, offset, bytes, qiov, flags);
    }
    return ret;
}

static int coroutine_fn blk_co_do_pwritev(BlockBackend *blk, int64_t offset,
                                          int64_t bytes, QEMUIOVector *qiov,
                                          BdrvRequestFlags flags)
{
    int ret;

    blk_wait_while_drained(blk);
    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret == 0 && !blk_is_writable(blk)) {
        ret = -EPERM;
    }
    if (ret == 0) {
        /* A guest without a volatile cache expects each write stable. */
        if (!blk->enable_write_cache) {
            flags |= BDRV_REQ_FUA;
        }
        ret = bdrv_co_pwritev(blk->root, offset, bytes, qiov, flags);
    }
    return ret;
}

static int coroutine_fn blk_co_do_flush(BlockBackend *blk)
{
    blk_wait_while_drained(blk);
    if (!blk_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_co_flush(blk->root->bs);
}

static int coroutine_fn blk_co_do_pdiscard(BlockBackend *blk, int64_t offset,
                                           int64_t bytes)
{
    int ret;

    blk_wait_while_drained(blk);
    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret == 0) {
        ret = bdrv_co_pdiscard(blk->root, offset, bytes);
    }
    return ret;
}

int coroutine_fn blk_co_preadv(BlockBackend *blk, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov,
                               BdrvRequestFlags flags)
{
    int ret;

    blk_inc_in_flight(blk);
    ret = blk_co_do_preadv(blk, offset, bytes, qiov, flags);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_pwritev(BlockBackend *blk, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags)
{
    int ret;

    blk_inc_in_flight(blk);
    ret = blk_co_do_pwritev(blk, offset, bytes, qiov, flags);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_pread(BlockBackend *blk, int64_t offset,
                              int64_t bytes, void *buf,
                              BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, bytes);
    return blk_co_preadv(blk, offset, bytes, &qiov, flags);
}

int coroutine_fn blk_co_pwrite(BlockBackend *blk, int64_t offset,
                               int64_t bytes, const void *buf,
                               BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_co_pwritev(blk, offset, bytes, &qiov, flags);
}

int coroutine_fn blk_co_flush(BlockBackend *blk)
{
    int ret;

    blk_inc_in_flight(blk);
    ret = blk_co_do_flush(blk);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                      int64_t bytes, BdrvRequestFlags flags)
{
    return blk_co_pwritev(blk, offset, bytes, NULL,
                          flags | BDRV_REQ_ZERO_WRITE);
}

int coroutine_fn blk_co_pdiscard(BlockBackend *blk, int64_t offset,
                                 int64_t bytes)
{
    int ret;

    blk_inc_in_flight(blk);
    ret = blk_co_do_pdiscard(blk, offset, bytes);
    blk_dec_in_flight(blk);
    return ret;
}

/* ---- callback style (QEMU's blk_aio_*) ---------------------------------- */

enum { AIO_READ, AIO_WRITE, AIO_FLUSH, AIO_DISCARD };

typedef struct BlkAioCB {
    BlockBackend *blk;
    int op;
    int64_t offset, bytes;
    QEMUIOVector *qiov;
    BdrvRequestFlags flags;
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
    /* Home thread of the backend's context only: */
    bool has_returned;          /* blk_aio_* returned to its caller */
    bool done;                  /* the request finished */
} BlkAioCB;

/*
 * The callback runs with the request still counted in flight, so a
 * drain also waits for the device's completion work.
 */
static void blk_aio_complete(BlkAioCB *acb)
{
    BlockBackend *blk = acb->blk;

    acb->cb(acb->opaque, acb->ret);
    g_free(acb);
    blk_dec_in_flight(blk);
}

static void blk_aio_complete_bh(void *opaque)
{
    blk_aio_complete(opaque);
}

static void coroutine_fn blk_aio_entry(void *opaque)
{
    BlkAioCB *acb = opaque;

    switch (acb->op) {
    case AIO_READ:
        acb->ret = blk_co_do_preadv(acb->blk, acb->offset, acb->bytes,
                                    acb->qiov, acb->flags);
        break;
    case AIO_WRITE:
        acb->ret = blk_co_do_pwritev(acb->blk, acb->offset, acb->bytes,
                                     acb->qiov, acb->flags);
        break;
    case AIO_FLUSH:
        acb->ret = blk_co_do_flush(acb->blk);
        break;
    default:
        acb->ret = blk_co_do_pdiscard(acb->blk, acb->offset, acb->bytes);
    }
    acb->done = true;
    /* Never call back before blk_aio_* returned (QEMU's promise). */
    if (acb->has_returned) {
        blk_aio_complete(acb);
    }
}

static BlockAIOCB *blk_aio_start(BlockBackend *blk, int op, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 BdrvRequestFlags flags,
                                 BlockCompletionFunc *cb, void *opaque)
{
    BlkAioCB *acb = g_new0(BlkAioCB, 1);
    AioContext *ctx = blk_get_aio_context(blk);

    assert(in_aio_context_home_thread(ctx));
    *acb = (BlkAioCB) {
        .blk = blk, .op = op, .offset = offset, .bytes = bytes,
        .qiov = qiov, .flags = flags, .cb = cb, .opaque = opaque,
    };
    blk_inc_in_flight(blk);
    aio_co_enter(ctx, qemu_coroutine_create(blk_aio_entry, acb));
    acb->has_returned = true;
    if (acb->done) {
        aio_bh_schedule_oneshot(ctx, blk_aio_complete_bh, acb);
    }
    return (BlockAIOCB *)acb;
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, BdrvRequestFlags flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, AIO_READ, offset, qiov->size, qiov, flags, cb,
                         opaque);
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, AIO_WRITE, offset, qiov->size, qiov, flags, cb,
                         opaque);
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, BdrvRequestFlags flags,
                                  BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, AIO_WRITE, offset, bytes, NULL,
                         flags | BDRV_REQ_ZERO_WRITE, cb, opaque);
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque)
{
    return blk_aio_start(blk, AIO_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque)
{
    return blk_aio_start(blk, AIO_DISCARD, offset, bytes, NULL, 0, cb,
                         opaque);
}

/* ---- synchronous wrappers --------------------------------------------- */

typedef struct BlkRwCo {
    BlockBackend *blk;
    int64_t offset, bytes;
    void *buf;
    int op;             /* 0 read, 1 write, 2 flush */
    BdrvRequestFlags flags;
    int ret;
} BlkRwCo;

static void coroutine_fn blk_rw_entry(void *opaque)
{
    BlkRwCo *r = opaque;

    switch (r->op) {
    case 0:
        r->ret = blk_co_pread(r->blk, r->offset, r->bytes, r->buf, r->flags);
        break;
    case 1:
        r->ret = blk_co_pwrite(r->blk, r->offset, r->bytes, r->buf,
                               r->flags);
        break;
    default:
        r->ret = blk_co_flush(r->blk);
    }
}

static int blk_run(BlkRwCo *r)
{
    if (!r->blk->root) {
        return -ENOMEDIUM;
    }
    bdrv_run_co(r->blk->root->bs, blk_rw_entry, r);
    return r->ret;
}

int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags)
{
    BlkRwCo r = { blk, offset, bytes, buf, 0, flags, 0 };

    return blk_run(&r);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, BdrvRequestFlags flags)
{
    BlkRwCo r = { blk, offset, bytes, (void *)buf, 1, flags, 0 };

    return blk_run(&r);
}

int blk_flush(BlockBackend *blk)
{
    BlkRwCo r = { .blk = blk, .op = 2 };

    return blk_run(&r);
}

/* ---- errors ----------------------------------------------------------- */

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error)
{
    blk->on_read_error = on_read_error;
    blk->on_write_error = on_write_error;
}

BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read)
{
    return is_read ? blk->on_read_error : blk->on_write_error;
}

BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read,
                                      int error)
{
    switch (blk_get_on_error(blk, is_read)) {
    case BLOCKDEV_ON_ERROR_ENOSPC:
        return error == ENOSPC ? BLOCK_ERROR_ACTION_STOP
                               : BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_STOP:
        return BLOCK_ERROR_ACTION_STOP;
    case BLOCKDEV_ON_ERROR_IGNORE:
        return BLOCK_ERROR_ACTION_IGNORE;
    case BLOCKDEV_ON_ERROR_REPORT:
    case BLOCKDEV_ON_ERROR_AUTO:
    default:
        return BLOCK_ERROR_ACTION_REPORT;
    }
}

void blk_set_vmstop_hook(void (*hook)(void))
{
    vmstop_hook = hook;
}

typedef struct ErrorEvent {
    char *device;
    char *node_name;
    IoOperationType op;
    BlockErrorAction action;
    bool nospace;
    char *reason;
} ErrorEvent;

/* The event and the stop go out from the main loop, under the BQL. */
static void error_event_bh(void *opaque)
{
    ErrorEvent *e = opaque;

    qapi_event_send_block_io_error(e->device, e->node_name, e->op,
                                   e->action, true, e->nospace, e->reason);
    if (e->action == BLOCK_ERROR_ACTION_STOP && vmstop_hook) {
        vmstop_hook();
    }
    g_free(e->device);
    g_free(e->node_name);
    g_free(e->reason);
    g_free(e);
}

void blk_error_action(BlockBackend *blk, BlockErrorAction action,
                      bool is_read, int error)
{
    ErrorEvent *e = g_new0(ErrorEvent, 1);

    assert(error >= 0);
    if (action == BLOCK_ERROR_ACTION_STOP && blk->iostatus_enabled &&
        qatomic_read(&blk->iostatus) == BLOCK_DEVICE_IO_STATUS_OK) {
        qatomic_set(&blk->iostatus, error == ENOSPC
                    ? BLOCK_DEVICE_IO_STATUS_NOSPACE
                    : BLOCK_DEVICE_IO_STATUS_FAILED);
    }
    e->device = g_strdup(blk_name(blk));
    e->node_name = blk->root ? g_strdup(blk->root->bs->node_name) : NULL;
    e->op = is_read ? IO_OPERATION_TYPE_READ : IO_OPERATION_TYPE_WRITE;
    e->action = action;
    e->nospace = error == ENOSPC;
    e->reason = g_strdup(strerror(error));
    aio_bh_schedule_oneshot(qemu_get_aio_context(), error_event_bh, e);
}

void blk_iostatus_enable(BlockBackend *blk)
{
    blk->iostatus_enabled = true;
    qatomic_set(&blk->iostatus, BLOCK_DEVICE_IO_STATUS_OK);
}

void blk_iostatus_reset(BlockBackend *blk)
{
    qatomic_set(&blk->iostatus, BLOCK_DEVICE_IO_STATUS_OK);
}

/* ---- query-block ------------------------------------------------------ */

BlockInfo *blk_query_info(BlockBackend *blk)
{
    BlockInfo *info = g_new0(BlockInfo, 1);

    info->device = g_strdup(blk_name(blk));
    info->type = g_strdup("unknown");
    info->locked = false;
    info->removable = !blk->dev;
    if (blk->dev_id) {
        info->qdev = g_strdup(blk->dev_id);
    }
    if (!blk->dev) {
        /* No device: QEMU reports an empty, closed tray of no device. */
        info->removable = true;
    }
    if (blk->iostatus_enabled) {
        info->has_io_status = true;
        info->io_status = qatomic_read(&blk->iostatus);
    }
    if (blk_is_inserted(blk)) {
        info->inserted = bdrv_block_device_info(blk->root->bs, false,
                                                NULL);
        if (info->inserted) {
            info->inserted->cache->writeback = blk->enable_write_cache;
        }
    }
    return info;
}
