/*
 * The request path below the BlockBackend: range checks, in-flight
 * counting, zero writes, discards and flushes handed to the drivers, and
 * drains that wait for in-flight requests.  Corresponds to QEMU's
 * block/io.c (with util/aio-wait.c's kick folded in).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/main-loop.h"
#include "block_int.h"

/*
 * Threads polling the main context until a request in another context
 * finishes (drains, bdrv_run_co from the main thread).  While non-zero,
 * every completion schedules a BH in the main context to wake them.
 */
static unsigned drain_waiters;

static void dummy_bh(void *opaque)
{
}

void aio_wait_kick(void)
{
    /* Pairs with the smp_mb in poll_main: waiter counted, then checks. */
    smp_mb();
    if (qatomic_read(&drain_waiters)) {
        aio_bh_schedule_oneshot(qemu_get_aio_context(), dummy_bh, NULL);
    }
}

void bdrv_inc_in_flight(BlockDriverState *bs)
{
    qatomic_inc(&bs->in_flight);
}

void bdrv_dec_in_flight(BlockDriverState *bs)
{
    qatomic_dec(&bs->in_flight);
    aio_wait_kick();
}

/*
 * Wait while @cond(opaque).  In the node's home thread, its context makes
 * the progress; from the main thread for a node in an IOThread, the
 * IOThread does, and kicks the main context when something finishes.
 */
static void poll_while(AioContext *ctx, bool (*cond)(void *), void *opaque)
{
    if (in_aio_context_home_thread(ctx)) {
        while (cond(opaque)) {
            aio_poll(ctx, true);
        }
        return;
    }
    assert(in_aio_context_home_thread(qemu_get_aio_context()));
    qatomic_inc(&drain_waiters);
    smp_mb();
    while (cond(opaque)) {
        aio_poll(qemu_get_aio_context(), true);
    }
    qatomic_dec(&drain_waiters);
}

void bdrv_poll_while(BlockDriverState *bs, bool (*cond)(void *),
                     void *opaque)
{
    poll_while(bs->aio_context, cond, opaque);
}

/*
 * A callback run in another context (a coroutine there, or one of its
 * BHs) while the caller polls for it to finish.
 */
typedef struct RunElsewhere {
    void (*fn)(void *opaque);
    void *opaque;
    bool done;
} RunElsewhere;

static void run_elsewhere(RunElsewhere *r)
{
    r->fn(r->opaque);
    /* The waiter's stack frame may go as soon as done is seen. */
    qatomic_store_release(&r->done, true);
    aio_wait_kick();
}

static bool run_elsewhere_pending(void *opaque)
{
    RunElsewhere *r = opaque;

    return !qatomic_load_acquire(&r->done);
}

static void coroutine_fn run_co_entry(void *opaque)
{
    run_elsewhere(opaque);
}

void bdrv_run_co(BlockDriverState *bs, CoroutineEntry *entry, void *opaque)
{
    RunElsewhere r = { entry, opaque, false };
    Coroutine *co = qemu_coroutine_create(run_co_entry, &r);

    assert(!qemu_in_coroutine());
    if (in_aio_context_home_thread(bs->aio_context)) {
        qemu_aio_coroutine_enter(bs->aio_context, co);
    } else {
        aio_co_schedule(bs->aio_context, co);
    }
    poll_while(bs->aio_context, run_elsewhere_pending, &r);
}

static void aio_wait_bh(void *opaque)
{
    run_elsewhere(opaque);
}

void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    RunElsewhere r = { cb, opaque, false };

    aio_bh_schedule_oneshot(ctx, aio_wait_bh, &r);
    poll_while(ctx, run_elsewhere_pending, &r);
}

/* ---- requests --------------------------------------------------------- */

static int check_request(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    if (!bs || !bs->drv) {
        return -ENOMEDIUM;
    }
    if (offset < 0 || bytes < 0 || bytes > BDRV_REQUEST_MAX_BYTES ||
        offset > INT64_MAX - bytes) {
        return -EIO;
    }
    return 0;
}

int coroutine_fn bdrv_co_preadv(BdrvChild *child, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int ret = check_request(bs, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bytes == 0) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_co_preadv(bs, offset, bytes, qiov, flags);
    bdrv_dec_in_flight(bs);
    return ret;
}

/* Write zeroes with plain writes of a zeroed buffer (QEMU's fallback). */
static int coroutine_fn write_zeroes_fallback(BlockDriverState *bs,
                                              int64_t offset, int64_t bytes)
{
    size_t chunk = MIN(bytes, 1 << 20);
    void *buf = qemu_memalign(MAX(bs->bl.min_mem_alignment, 4096),
                              QEMU_ALIGN_UP(chunk, 4096));
    int ret = 0;

    memset(buf, 0, QEMU_ALIGN_UP(chunk, 4096));
    while (bytes > 0 && ret >= 0) {
        size_t n = MIN(bytes, (int64_t)chunk);
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, n);
        ret = bs->drv->bdrv_co_pwritev(bs, offset, n, &qiov, 0);
        offset += n;
        bytes -= n;
    }
    qemu_vfree(buf);
    return ret;
}

static int coroutine_fn do_pwrite_zeroes(BlockDriverState *bs,
                                         int64_t offset, int64_t bytes,
                                         BdrvRequestFlags flags)
{
    int ret = -ENOTSUP;

    if (!(bs->open_flags & BDRV_O_UNMAP)) {
        flags &= ~BDRV_REQ_MAY_UNMAP;
    }
    if (bs->drv->bdrv_co_pwrite_zeroes) {
        ret = bs->drv->bdrv_co_pwrite_zeroes(bs, offset, bytes, flags);
    }
    if (ret == -ENOTSUP && !(flags & BDRV_REQ_NO_FALLBACK)) {
        ret = write_zeroes_fallback(bs, offset, bytes);
    }
    return ret;
}

static void update_highest_offset(BlockDriverState *bs, uint64_t end)
{
    uint64_t cur = qatomic_read(&bs->wr_highest_offset);

    while (cur < end &&
           !__atomic_compare_exchange_n(&bs->wr_highest_offset, &cur, end,
                                        false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
        /* cur reloaded */
    }
}

int coroutine_fn bdrv_co_pwritev(BdrvChild *child, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int ret = check_request(bs, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (bytes == 0) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    if (!(flags & BDRV_REQ_ZERO_WRITE) && qiov &&
        bs->detect_zeroes != BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF &&
        qiov->niov == 1 &&
        buffer_is_zero(qiov->iov[0].iov_base, qiov->iov[0].iov_len)) {
        flags |= BDRV_REQ_ZERO_WRITE;
        if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP) {
            flags |= BDRV_REQ_MAY_UNMAP;
        }
    }
    if (flags & BDRV_REQ_ZERO_WRITE) {
        ret = do_pwrite_zeroes(bs, offset, bytes, flags);
    } else {
        ret = bs->drv->bdrv_co_pwritev(bs, offset, bytes, qiov,
                                       flags & ~BDRV_REQ_FUA);
    }
    /* No driver here does FUA natively: a flush gives the same promise. */
    if (ret >= 0 && (flags & BDRV_REQ_FUA)) {
        ret = bdrv_co_flush(bs);
    }
    if (ret >= 0) {
        update_highest_offset(bs, offset + bytes);
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_pread(BdrvChild *child, int64_t offset,
                               int64_t bytes, void *buf,
                               BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, bytes);
    return bdrv_co_preadv(child, offset, bytes, &qiov, flags);
}

int coroutine_fn bdrv_co_pwrite(BdrvChild *child, int64_t offset,
                                int64_t bytes, const void *buf,
                                BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return bdrv_co_pwritev(child, offset, bytes, &qiov, flags);
}

int coroutine_fn bdrv_co_pwrite_zeroes(BdrvChild *child, int64_t offset,
                                       int64_t bytes, BdrvRequestFlags flags)
{
    return bdrv_co_pwritev(child, offset, bytes, NULL,
                           flags | BDRV_REQ_ZERO_WRITE);
}

int coroutine_fn bdrv_co_pdiscard(BdrvChild *child, int64_t offset,
                                  int64_t bytes)
{
    BlockDriverState *bs = child->bs;
    int ret = check_request(bs, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    /* discard=ignore (the default): a no-op that succeeds, as QEMU. */
    if (!(bs->open_flags & BDRV_O_UNMAP) || !bs->drv->bdrv_co_pdiscard ||
        bytes == 0) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_co_pdiscard(bs, offset, bytes);
    bdrv_dec_in_flight(bs);
    /* Discard is a hint: "not supported" is not an error. */
    return ret == -ENOTSUP ? 0 : ret;
}

int coroutine_fn bdrv_co_flush(BlockDriverState *bs)
{
    BdrvChild *c;
    int ret = 0;

    if (!bs || !bs->drv) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    if (bs->drv->bdrv_co_flush_to_os) {
        ret = bs->drv->bdrv_co_flush_to_os(bs);
    }
    if (ret >= 0 && bs->drv->bdrv_co_flush_to_disk &&
        !(bs->open_flags & BDRV_O_NO_FLUSH)) {
        ret = bs->drv->bdrv_co_flush_to_disk(bs);
    }
    /* Then what lies below: the format's file, the backing chain. */
    QLIST_FOREACH(c, &bs->children, next) {
        if (ret >= 0 && !c->bs->read_only) {
            ret = bdrv_co_flush(c->bs);
        }
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

typedef struct FlushCo {
    BlockDriverState *bs;
    int ret;
} FlushCo;

static void coroutine_fn flush_entry(void *opaque)
{
    FlushCo *f = opaque;

    f->ret = bdrv_co_flush(f->bs);
}

int bdrv_flush(BlockDriverState *bs)
{
    FlushCo f = { bs, 0 };

    bdrv_run_co(bs, flush_entry, &f);
    return f.ret;
}

int bdrv_flush_all(void)
{
    BlockDriverState *bs = NULL;
    int result = 0;

    while ((bs = bdrv_next_all_states(bs))) {
        if (!bs->read_only) {
            int ret = bdrv_flush(bs);
            if (ret < 0 && !result) {
                result = ret;
            }
        }
    }
    return result;
}

int coroutine_fn bdrv_co_truncate(BdrvChild *child, int64_t offset,
                                  Error **errp)
{
    BlockDriverState *bs = child->bs;
    int ret;

    if (!bs->drv) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    if (offset < 0) {
        error_setg(errp, "Image size cannot be negative");
        return -EINVAL;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EACCES;
    }
    if (!bs->drv->bdrv_co_truncate) {
        error_setg(errp, "Image format driver does not support resize");
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_co_truncate(bs, offset, errp);
    bdrv_dec_in_flight(bs);
    return ret;
}

/* ---- drains ----------------------------------------------------------- */

static bool subtree_busy(BlockDriverState *bs)
{
    BdrvChild *c;

    if (qatomic_read(&bs->in_flight)) {
        return true;
    }
    QLIST_FOREACH(c, &bs->children, next) {
        if (subtree_busy(c->bs)) {
            return true;
        }
    }
    return false;
}

static bool drained_poll(void *opaque)
{
    BlockDriverState *bs = opaque;

    return subtree_busy(bs) || blk_root_drained_poll(bs);
}

void bdrv_drained_begin(BlockDriverState *bs)
{
    if (bs->quiesce_counter++ == 0) {
        blk_root_drained_begin(bs);
    }
    bdrv_poll_while(bs, drained_poll, bs);
}

void bdrv_drained_end(BlockDriverState *bs)
{
    assert(bs->quiesce_counter > 0);
    if (--bs->quiesce_counter == 0) {
        blk_root_drained_end(bs);
    }
}

int bdrv_drain_all_count;

void bdrv_drain_all_begin(void)
{
    BlockDriverState *bs = NULL;

    bdrv_drain_all_count++;
    /* Quiesce everything first, then wait: no node feeds another. */
    while ((bs = bdrv_next_all_states(bs))) {
        if (bs->quiesce_counter++ == 0) {
            blk_root_drained_begin(bs);
        }
    }
    while ((bs = bdrv_next_all_states(bs))) {
        bdrv_poll_while(bs, drained_poll, bs);
    }
}

void bdrv_drain_all_end(void)
{
    BlockDriverState *bs = NULL;

    assert(bdrv_drain_all_count > 0);
    bdrv_drain_all_count--;
    while ((bs = bdrv_next_all_states(bs))) {
        bdrv_drained_end(bs);
    }
}

void bdrv_drain_all(void)
{
    bdrv_drain_all_begin();
    bdrv_drain_all_end();
}
