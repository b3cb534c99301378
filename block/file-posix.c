/*
 * The "file" protocol: a host file or block device, read and written
 * through the AioContext's thread pool (aio=threads), Linux AIO
 * (aio=native, libaio) or an io_uring (aio=io_uring) owned by the node.
 * cache.direct opens with O_DIRECT and bounces unaligned requests.
 * Corresponds to QEMU's block/file-posix.c, block/linux-aio.c and
 * block/io_uring.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/thread-pool.h"
#include "block_int.h"
#include "trace/trace-block.h"
#include <fcntl.h>
#include <liburing.h>
#include <libaio.h>
#include <sys/stat.h>
#include <linux/falloc.h>

/* O_DIRECT alignment: 4 KiB suits every Linux file system and device. */
#define DIRECT_ALIGN 4096
#define URING_ENTRIES 128
/* In-flight Linux AIO requests per node (QEMU's MAX_EVENTS is 1024). */
#define LAIO_ENTRIES 128

/*
 * The ring's own fd is watched: it polls readable while completions
 * wait, so nothing has to be cleared (QEMU's block/io_uring.c does the
 * same), and an IOThread's busy poll can look at the completion queue.
 */
typedef struct LuringState {
    struct io_uring ring;
    AioContext *ctx;                /* where the fd is watched; BQL */
} LuringState;

/*
 * Linux AIO: an io_context whose completions signal an eventfd watched
 * in the node's AioContext.  Everything here runs in that context's
 * thread; @in_flight bounds submissions to what the context can hold.
 */
typedef struct LinuxAioState {
    io_context_t ctx_id;
    EventNotifier e;
    AioContext *ctx;                /* where e is watched; BQL to change */
    int in_flight;
} LinuxAioState;

typedef struct BDRVRawState {
    int fd;
    bool direct;
    LuringState *luring;            /* aio=io_uring */
    LinuxAioState *laio;            /* aio=native */
    bool use_lock;                  /* locking=on|auto */
    /*
     * The size as this node knows it (QEMU's total_sectors): read at open,
     * grown by our writes past the end, set by truncate; another user
     * resizing the file is not seen, as in QEMU.  Atomic.
     */
    int64_t length;
    /* Unaligned O_DIRECT writes read-modify-write under this lock. */
    CoMutex rmw_lock;
    /* query-blockstats' driver-specific counters (node's thread). */
    uint64_t discard_nb_ok, discard_nb_failed, discard_bytes_ok;
} BDRVRawState;

enum { RAW_READ, RAW_WRITE, RAW_FLUSH, RAW_DISCARD, RAW_ZERO, RAW_TRUNCATE };

/* One request handed to a pool worker. */
typedef struct RawAIO {
    int fd;
    int type;
    int64_t offset, bytes;
    struct iovec *iov;
    int niov;
} RawAIO;

/* ---- the worker side -------------------------------------------------- */

static ssize_t do_preadwritev(RawAIO *a)
{
    struct iovec *iov = g_memdup2(a->iov, sizeof(*iov) * a->niov);
    int niov = a->niov, i = 0;
    int64_t done = 0;
    ssize_t ret = 0;

    /* Loop over short transfers (signals, large requests). */
    while (done < a->bytes) {
        ret = a->type == RAW_READ
            ? preadv(a->fd, iov + i, niov - i, a->offset + done)
            : pwritev(a->fd, iov + i, niov - i, a->offset + done);
        if (ret < 0 && errno == EINTR) {
            continue;
        }
        if (ret < 0) {
            ret = -errno;
            break;
        }
        if (ret == 0) {
            /* Reading past the end of the file: zeroes, as QEMU. */
            if (a->type == RAW_READ) {
                iov_memset(iov + i, niov - i, 0, 0, a->bytes - done);
                done = a->bytes;
            } else {
                ret = -EIO;
            }
            break;
        }
        done += ret;
        while (i < niov && (size_t)ret >= iov[i].iov_len) {
            ret -= iov[i].iov_len;
            i++;
        }
        if (i < niov) {
            iov[i].iov_base = (char *)iov[i].iov_base + ret;
            iov[i].iov_len -= ret;
        }
        ret = 0;
    }
    g_free(iov);
    return ret < 0 ? ret : 0;
}

static int raw_worker(void *opaque)
{
    RawAIO *a = opaque;
    int ret;

    switch (a->type) {
    case RAW_READ:
    case RAW_WRITE:
        return do_preadwritev(a);
    case RAW_FLUSH:
        return fdatasync(a->fd) < 0 ? -errno : 0;
    case RAW_DISCARD:
        ret = fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        a->offset, a->bytes);
        return ret < 0 ? -errno : 0;
    case RAW_ZERO:
        ret = fallocate(a->fd, FALLOC_FL_ZERO_RANGE, a->offset, a->bytes);
        if (ret < 0 && (errno == EOPNOTSUPP || errno == ENOSYS)) {
            /* Punching keeps the size only inside the file. */
            struct stat st;
            if (fstat(a->fd, &st) == 0 &&
                a->offset + a->bytes <= st.st_size) {
                ret = fallocate(a->fd,
                                FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                a->offset, a->bytes);
            }
        }
        if (ret < 0 && (errno == EOPNOTSUPP || errno == ENOSYS ||
                        errno == EINVAL)) {
            return -ENOTSUP;
        }
        return ret < 0 ? -errno : 0;
    case RAW_TRUNCATE:
        return ftruncate(a->fd, a->offset) < 0 ? -errno : 0;
    }
    abort();
}

/* ---- io_uring ----------------------------------------------------------- */

typedef struct LuringAIOCB {
    Coroutine *co;
    int ret;
    bool done;
} LuringAIOCB;

/*
 * Reap every completion and wake its coroutine: the ring's fd is
 * readable, or the busy poll saw completions.  Node's context.
 */
static void luring_completion_cb(void *opaque)
{
    LuringState *s = opaque;
    struct io_uring_cqe *cqe;

    while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
        LuringAIOCB *acb = io_uring_cqe_get_data(cqe);

        acb->ret = cqe->res;
        trace_luring_process_completion(s, acb, acb->ret);
        io_uring_cqe_seen(&s->ring, cqe);
        acb->done = true;
        aio_co_wake(acb->co);
    }
}

/* Busy poll: a load from the shared completion ring, no system call. */
static bool luring_poll_cb(void *opaque)
{
    LuringState *s = opaque;

    return io_uring_cq_ready(&s->ring) > 0;
}

static LuringState *luring_init(Error **errp)
{
    LuringState *s = g_new0(LuringState, 1);
    int ret = io_uring_queue_init(URING_ENTRIES, &s->ring, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to init linux io_uring ring");
        g_free(s);
        return NULL;
    }
    return s;
}

static void luring_attach(LuringState *s, AioContext *ctx)
{
    s->ctx = ctx;
    aio_set_fd_handler(ctx, s->ring.ring_fd, luring_completion_cb, NULL,
                       luring_poll_cb, luring_completion_cb, s);
}

/* In s->ctx's home thread, between two of its callbacks. */
static void luring_detach_bh(void *opaque)
{
    LuringState *s = opaque;

    aio_set_fd_handler(s->ctx, s->ring.ring_fd, NULL, NULL, NULL, NULL, NULL);
}

/*
 * Stop watching the ring (main thread: before a close or a move).  The
 * removal runs in the ring's context, since there a callback may still
 * be running: luring_completion_cb goes on peeking at the ring
 * after waking the coroutine whose end let our caller (a drain, the last
 * flush) go on, and luring_poll_cb reads it at any time; the caller may
 * free the ring next.
 */
static void luring_detach(LuringState *s)
{
    aio_wait_bh_oneshot(s->ctx, luring_detach_bh, s);
    s->ctx = NULL;
}

static void luring_cleanup(LuringState *s)
{
    luring_detach(s);
    io_uring_queue_exit(&s->ring);
    g_free(s);
}

/*
 * Submit one request and yield until its completion.  Returns -EAGAIN
 * when the ring is full (the caller uses the pool instead).
 */
static int coroutine_fn luring_co_submit(LuringState *s, RawAIO *a)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    LuringAIOCB acb = { .co = qemu_coroutine_self() };
    int ret;

    if (!sqe) {
        return -EAGAIN;
    }
    switch (a->type) {
    case RAW_READ:
        io_uring_prep_readv(sqe, a->fd, a->iov, a->niov, a->offset);
        break;
    case RAW_WRITE:
        io_uring_prep_writev(sqe, a->fd, a->iov, a->niov, a->offset);
        break;
    case RAW_FLUSH:
        io_uring_prep_fsync(sqe, a->fd, IORING_FSYNC_DATASYNC);
        break;
    default:
        abort();
    }
    io_uring_sqe_set_data(sqe, &acb);
    ret = io_uring_submit(&s->ring);
    trace_luring_io_uring_submit(s, ret);
    if (ret < 0) {
        return ret;
    }
    while (!acb.done) {
        qemu_coroutine_yield();
    }
    return acb.ret;
}

/* ---- Linux AIO ---------------------------------------------------------- */

typedef struct LaioAIOCB {
    struct iocb iocb;
    Coroutine *co;
    long ret;
    bool done;
} LaioAIOCB;

/* Reap without blocking and wake the coroutines.  Node's context. */
static void laio_process_completions(LinuxAioState *s)
{
    struct io_event events[32];
    struct timespec zero = { 0 };
    int n;

    do {
        n = io_getevents(s->ctx_id, 0, G_N_ELEMENTS(events), events, &zero);
        for (int i = 0; i < n; i++) {
            LaioAIOCB *acb = container_of(events[i].obj, LaioAIOCB, iocb);

            /* res is the byte count or a negative errno. */
            acb->ret = (long)events[i].res;
            acb->done = true;
            s->in_flight--;
            aio_co_wake(acb->co);
        }
    } while (n == G_N_ELEMENTS(events));
}

/* The eventfd counted completions. */
static void laio_completion_cb(EventNotifier *e)
{
    event_notifier_test_and_clear(e);
    laio_process_completions(container_of(e, LinuxAioState, e));
}

/*
 * The kernel's completion ring is mapped in our memory at the context's
 * address (the ABI libaio and QEMU's linux-aio.c rely on): a busy poll
 * compares its head and tail instead of making a system call.
 */
struct laio_ring {
    unsigned id, nr, head, tail;
};

static bool laio_poll_cb(void *opaque)
{
    LinuxAioState *s = container_of((EventNotifier *)opaque, LinuxAioState, e);
    struct laio_ring *ring = (struct laio_ring *)s->ctx_id;

    return qatomic_read(&ring->head) != qatomic_read(&ring->tail);
}

/* Found by the busy poll; the eventfd's count is cleared when it fires. */
static void laio_poll_ready(EventNotifier *e)
{
    laio_process_completions(container_of(e, LinuxAioState, e));
}

static LinuxAioState *laio_init(Error **errp)
{
    LinuxAioState *s = g_new0(LinuxAioState, 1);
    int ret;

    if (event_notifier_init(&s->e, false) < 0) {
        error_setg_errno(errp, errno, "failed to initialize event notifier");
        g_free(s);
        return NULL;
    }
    ret = io_setup(LAIO_ENTRIES, &s->ctx_id);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to create linux AIO context");
        event_notifier_cleanup(&s->e);
        g_free(s);
        return NULL;
    }
    return s;
}

static void laio_attach(LinuxAioState *s, AioContext *ctx)
{
    s->ctx = ctx;
    aio_set_event_notifier(ctx, &s->e, laio_completion_cb,
                           laio_poll_cb, laio_poll_ready);
}

static void laio_detach_bh(void *opaque)
{
    LinuxAioState *s = opaque;

    aio_set_event_notifier(s->ctx, &s->e, NULL, NULL, NULL);
}

/* In the context's thread, for the reason given at luring_detach. */
static void laio_detach(LinuxAioState *s)
{
    aio_wait_bh_oneshot(s->ctx, laio_detach_bh, s);
    s->ctx = NULL;
}

static void laio_cleanup(LinuxAioState *s)
{
    /* Drains ran before close: nothing is in flight any more. */
    assert(s->in_flight == 0);
    laio_detach(s);
    io_destroy(s->ctx_id);
    event_notifier_cleanup(&s->e);
    g_free(s);
}

/*
 * Submit a read or write and yield until it completes.  Returns the
 * byte count, a negative errno, or -EAGAIN when the context is full
 * (the caller uses the pool instead).
 */
static int64_t coroutine_fn laio_co_submit(LinuxAioState *s, RawAIO *a)
{
    LaioAIOCB acb = { .co = qemu_coroutine_self() };
    struct iocb *iocbs[1] = { &acb.iocb };
    int ret;

    if (s->in_flight >= LAIO_ENTRIES) {
        return -EAGAIN;
    }
    if (a->type == RAW_READ) {
        io_prep_preadv(&acb.iocb, a->fd, a->iov, a->niov, a->offset);
    } else {
        io_prep_pwritev(&acb.iocb, a->fd, a->iov, a->niov, a->offset);
    }
    io_set_eventfd(&acb.iocb, event_notifier_get_fd(&s->e));
    ret = io_submit(s->ctx_id, 1, iocbs);
    if (ret != 1) {
        /* EAGAIN from the kernel: its own limit; the pool takes it. */
        return ret < 0 ? ret : -EIO;
    }
    s->in_flight++;
    while (!acb.done) {
        qemu_coroutine_yield();
    }
    return acb.ret;
}

/* ---- requests ----------------------------------------------------------- */

static int coroutine_fn raw_co_submit(BlockDriverState *bs, RawAIO *a)
{
    BDRVRawState *s = bs->opaque;
    int64_t ret = -EAGAIN;

    a->fd = s->fd;
    if (s->luring && a->type <= RAW_FLUSH) {
        ret = luring_co_submit(s->luring, a);
    } else if (s->laio && a->type <= RAW_WRITE) {
        /* Flushes go to the pool, as in QEMU: few file systems take
         * IOCB_CMD_FDSYNC. */
        ret = laio_co_submit(s->laio, a);
    }
    if (ret == -EAGAIN) {
        return thread_pool_submit_co(raw_worker, a);
    }
    if (ret >= 0 && a->type != RAW_FLUSH && ret < a->bytes) {
        /* Short transfer: finish the rest in a worker. */
        QEMUIOVector q, rest;
        RawAIO b = *a;

        qemu_iovec_init(&q, a->niov);
        for (int i = 0; i < a->niov; i++) {
            qemu_iovec_add(&q, a->iov[i].iov_base, a->iov[i].iov_len);
        }
        qemu_iovec_init_slice(&rest, &q, ret, a->bytes - ret);
        b.offset += ret;
        b.bytes -= ret;
        b.iov = rest.iov;
        b.niov = rest.niov;
        ret = thread_pool_submit_co(raw_worker, &b);
        qemu_iovec_destroy(&rest);
        qemu_iovec_destroy(&q);
    }
    return ret < 0 ? ret : 0;
}

static int coroutine_fn raw_co_rw(BlockDriverState *bs, int type,
                                  int64_t offset, int64_t bytes,
                                  QEMUIOVector *qiov)
{
    RawAIO a = {
        .type = type, .offset = offset, .bytes = bytes,
        .iov = qiov->iov, .niov = qiov->niov,
    };

    return raw_co_submit(bs, &a);
}

/*
 * O_DIRECT with a request the kernel would refuse: go through an aligned
 * bounce buffer covering the aligned range; writes read-modify-write.
 */
static int coroutine_fn raw_co_bounce(BlockDriverState *bs, int type,
                                      int64_t offset, int64_t bytes,
                                      QEMUIOVector *qiov)
{
    BDRVRawState *s = bs->opaque;
    int64_t start = QEMU_ALIGN_DOWN(offset, DIRECT_ALIGN);
    int64_t end = QEMU_ALIGN_UP(offset + bytes, DIRECT_ALIGN);
    bool rmw = type == RAW_WRITE &&
               (start != offset || end != offset + bytes);
    void *buf = qemu_memalign(DIRECT_ALIGN, end - start);
    QEMUIOVector bq;
    int ret = 0;

    qemu_iovec_init_buf(&bq, buf, end - start);
    if (rmw) {
        qemu_co_mutex_lock(&s->rmw_lock);
    }
    if (type == RAW_READ || rmw) {
        ret = raw_co_rw(bs, RAW_READ, start, end - start, &bq);
    }
    if (ret >= 0 && type == RAW_READ) {
        qemu_iovec_from_buf(qiov, 0, (char *)buf + (offset - start), bytes);
    } else if (ret >= 0) {
        qemu_iovec_to_buf(qiov, 0, (char *)buf + (offset - start), bytes);
        ret = raw_co_rw(bs, RAW_WRITE, start, end - start, &bq);
    }
    if (rmw) {
        qemu_co_mutex_unlock(&s->rmw_lock);
    }
    qemu_vfree(buf);
    return ret;
}

static bool needs_bounce(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         QEMUIOVector *qiov)
{
    BDRVRawState *s = bs->opaque;

    return s->direct &&
           (!QEMU_IS_ALIGNED(offset, DIRECT_ALIGN) ||
            !QEMU_IS_ALIGNED(bytes, DIRECT_ALIGN) ||
            !qemu_iovec_is_aligned(qiov, DIRECT_ALIGN));
}

static int coroutine_fn raw_co_preadv(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      BdrvRequestFlags flags)
{
    if (needs_bounce(bs, offset, bytes, qiov)) {
        return raw_co_bounce(bs, RAW_READ, offset, bytes, qiov);
    }
    return raw_co_rw(bs, RAW_READ, offset, bytes, qiov);
}

static void raw_grow_length(BDRVRawState *s, int64_t end)
{
    int64_t cur = qatomic_read(&s->length);

    while (cur < end &&
           !__atomic_compare_exchange_n(&s->length, &cur, end, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        /* cur reloaded */
    }
}

static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    int ret;

    if (needs_bounce(bs, offset, bytes, qiov)) {
        ret = raw_co_bounce(bs, RAW_WRITE, offset, bytes, qiov);
    } else {
        ret = raw_co_rw(bs, RAW_WRITE, offset, bytes, qiov);
    }
    if (ret >= 0) {
        raw_grow_length(bs->opaque, offset + bytes);
    }
    return ret;
}

static int coroutine_fn raw_co_flush_to_disk(BlockDriverState *bs)
{
    RawAIO a = { .type = RAW_FLUSH };

    return raw_co_submit(bs, &a);
}

static int coroutine_fn raw_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes)
{
    BDRVRawState *s = bs->opaque;
    RawAIO a = { .type = RAW_DISCARD, .offset = offset, .bytes = bytes };
    int ret = raw_co_submit(bs, &a);

    if (ret == 0) {
        s->discard_nb_ok++;
        s->discard_bytes_ok += bytes;
    } else {
        s->discard_nb_failed++;
    }
    return ret;
}

static int coroutine_fn raw_co_pwrite_zeroes(BlockDriverState *bs,
                                             int64_t offset, int64_t bytes,
                                             BdrvRequestFlags flags)
{
    RawAIO a = { .type = RAW_ZERO, .offset = offset, .bytes = bytes };
    BDRVRawState *s = bs->opaque;

    /* O_DIRECT and fallocate mix fine, but only on aligned ranges. */
    if (s->direct && (!QEMU_IS_ALIGNED(offset, DIRECT_ALIGN) ||
                      !QEMU_IS_ALIGNED(bytes, DIRECT_ALIGN))) {
        return -ENOTSUP;
    }
    return raw_co_submit(bs, &a);
}

static int coroutine_fn raw_co_truncate(BlockDriverState *bs, int64_t offset,
                                        Error **errp)
{
    RawAIO a = { .type = RAW_TRUNCATE, .offset = offset };
    BDRVRawState *s = bs->opaque;
    int ret = raw_co_submit(bs, &a);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to resize file");
    } else {
        qatomic_set(&s->length, offset);
    }
    return ret;
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    return qatomic_read(&s->length);
}

static int64_t raw_get_allocated_file_size(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

static void raw_detach_aio_context(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->luring) {
        luring_detach(s->luring);
    }
    if (s->laio) {
        laio_detach(s->laio);
    }
}

static void raw_attach_aio_context(BlockDriverState *bs, AioContext *ctx)
{
    BDRVRawState *s = bs->opaque;

    if (s->luring) {
        luring_attach(s->luring, ctx);
    }
    if (s->laio) {
        laio_attach(s->laio, ctx);
    }
}

/* ---- image locking ------------------------------------------------------ */
/*
 * QEMU's protocol between processes sharing an image (file-posix.c's
 * raw_apply_lock_bytes): an OFD read lock on byte 100 + i for each
 * permission i a user holds, on byte 200 + i for each it does not let
 * others hold.  Taking a permission that someone refuses to share, or
 * refusing one someone holds, fails.  So qcore and QEMU (or qemu-img)
 * see each other.  Permissions: 0 consistent read, 1 write, 2 write
 * unchanged, 3 resize.
 */
#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200

static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize",
};

/* Whether someone else holds a lock on byte @off. */
static bool lock_byte_taken(int fd, off_t off)
{
    struct flock fl = {
        .l_whence = SEEK_SET, .l_start = off, .l_len = 1, .l_type = F_WRLCK,
    };

    return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static int lock_byte(int fd, off_t off, bool lock)
{
    struct flock fl = {
        .l_whence = SEEK_SET, .l_start = off, .l_len = 1,
        .l_type = lock ? F_RDLCK : F_UNLCK,
    };

    return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Hold @perm, refuse @unshared (BLK_PERM_* bits), or fail as QEMU. */
static int raw_set_perm(BlockDriverState *bs, uint64_t perm,
                        uint64_t unshared, Error **errp)
{
    BDRVRawState *s = bs->opaque;

    if (!s->use_lock) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if ((perm & (1 << i)) &&
            lock_byte_taken(s->fd, LOCK_SHARED_BASE + i)) {
            error_setg(errp, "Failed to get \"%s\" lock", perm_names[i]);
            goto busy;
        }
        if ((unshared & (1 << i)) &&
            lock_byte_taken(s->fd, LOCK_PERM_BASE + i)) {
            error_setg(errp, "Failed to get shared \"%s\" lock",
                       perm_names[i]);
            goto busy;
        }
    }
    for (int i = 0; i < 4; i++) {
        int ret = lock_byte(s->fd, LOCK_PERM_BASE + i, perm & (1 << i));

        if (ret == 0) {
            ret = lock_byte(s->fd, LOCK_SHARED_BASE + i, unshared & (1 << i));
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to lock byte %d",
                             LOCK_PERM_BASE + i);
            return ret;
        }
    }
    return 0;

busy:
    error_append_hint(errp, "Is another process using the image [%s]?\n",
                      bs->filename);
    return -EAGAIN;
}

/* ---- open/close --------------------------------------------------------- */

static int raw_open(BlockDriverState *bs, BlockdevOptions *opts, int flags,
                    Error **errp)
{
    ERRP_GUARD();
    BDRVRawState *s = bs->opaque;
    const char *filename = opts->u.file.filename;
    int oflags = O_CLOEXEC | ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY);

    qemu_co_mutex_init(&s->rmw_lock);
    /* Without O_DIRECT, io_submit() does the I/O before returning: QEMU
     * refuses the combination rather than block its loop. */
    if ((flags & BDRV_O_NATIVE_AIO) && !(flags & BDRV_O_NOCACHE)) {
        error_setg(errp, "aio=native was specified, but it requires "
                   "cache.direct=on, which was not specified.");
        return -EINVAL;
    }
    s->direct = flags & BDRV_O_NOCACHE;
    if (s->direct) {
        oflags |= O_DIRECT;
    }
    s->fd = open(filename, oflags);
    if (s->fd < 0) {
        int err = errno;
        if (s->direct && err == EINVAL) {
            error_setg_errno(errp, err, "Could not open '%s'", filename);
            error_append_hint(errp, "The file system may not support "
                              "O_DIRECT (cache.direct=on)\n");
        } else {
            error_setg_errno(errp, err, "Could not open '%s'", filename);
        }
        return -err;
    }
    /*
     * locking=auto (the default) and on: OFD locks exist on Linux.  The
     * locks follow the users' permissions (raw_set_perm), not the open.
     */
    s->use_lock = !(opts->u.file.has_locking &&
                    opts->u.file.locking == ON_OFF_AUTO_OFF);
    s->length = lseek(s->fd, 0, SEEK_END);
    if (s->length < 0) {
        int err = errno;
        error_setg_errno(errp, err, "Could not determine the size of '%s'",
                         filename);
        close(s->fd);
        return -err;
    }
    if (flags & BDRV_O_IO_URING) {
        s->luring = luring_init(errp);
        if (!s->luring) {
            close(s->fd);
            return -EINVAL;
        }
        luring_attach(s->luring, bs->aio_context);
    }
    if (flags & BDRV_O_NATIVE_AIO) {
        s->laio = laio_init(errp);
        if (!s->laio) {
            close(s->fd);
            return -EINVAL;
        }
        laio_attach(s->laio, bs->aio_context);
    }
    g_strlcpy(bs->filename, filename, sizeof(bs->filename));
    if (s->direct) {
        bs->bl.request_alignment = 1;   /* we bounce internally */
        bs->bl.min_mem_alignment = DIRECT_ALIGN;
    }
    return 0;
}

static void raw_close(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->luring) {
        luring_cleanup(s->luring);
    }
    if (s->laio) {
        laio_cleanup(s->laio);
    }
    close(s->fd);
}

/* The file driver's counters for query-blockstats (blockdev.c). */
void raw_file_get_discard_stats(BlockDriverState *bs, uint64_t *nb_ok,
                                uint64_t *nb_failed, uint64_t *bytes_ok);
void raw_file_get_discard_stats(BlockDriverState *bs, uint64_t *nb_ok,
                                uint64_t *nb_failed, uint64_t *bytes_ok)
{
    BDRVRawState *s = bs->opaque;

    *nb_ok = s->discard_nb_ok;
    *nb_failed = s->discard_nb_failed;
    *bytes_ok = s->discard_bytes_ok;
}

static BlockDriver bdrv_file = {
    .format_name = "file",
    .instance_size = sizeof(BDRVRawState),
    .bdrv_open = raw_open,
    .bdrv_close = raw_close,
    .bdrv_co_preadv = raw_co_preadv,
    .bdrv_co_pwritev = raw_co_pwritev,
    .bdrv_co_flush_to_disk = raw_co_flush_to_disk,
    .bdrv_co_pdiscard = raw_co_pdiscard,
    .bdrv_co_pwrite_zeroes = raw_co_pwrite_zeroes,
    .bdrv_co_truncate = raw_co_truncate,
    .bdrv_getlength = raw_getlength,
    .bdrv_get_allocated_file_size = raw_get_allocated_file_size,
    .bdrv_set_perm = raw_set_perm,
    .bdrv_detach_aio_context = raw_detach_aio_context,
    .bdrv_attach_aio_context = raw_attach_aio_context,
};

static void bdrv_file_init(void)
{
    bdrv_register(&bdrv_file);
}

block_init(bdrv_file_init);
