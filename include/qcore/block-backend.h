/*
 * BlockBackend: what a device (or the monitor) holds to do I/O on a node
 * graph: its name (-drive id=), error policy, statistics and the request
 * functions with their range checks and drain queueing.  Corresponds to
 * QEMU's include/sysemu/block-backend*.h and block/block-backend.c, plus
 * include/block/accounting.h and block/accounting.c.
 *
 * Threads: created, attached and named in the main thread (BQL).  The
 * blk_co_* functions are coroutines in blk_get_aio_context(blk).
 */
#ifndef QCORE_BLOCK_BACKEND_H
#define QCORE_BLOCK_BACKEND_H

#include "qcore/block.h"
#include "qcore/thread-pool.h"     /* BlockAIOCB, BlockCompletionFunc */

typedef struct BlockBackend BlockBackend;

/* ---- accounting (QEMU's block/accounting.c) --------------------------- */
enum BlockAcctType {
    BLOCK_ACCT_NONE = 0,
    BLOCK_ACCT_READ,
    BLOCK_ACCT_WRITE,
    BLOCK_ACCT_FLUSH,
    BLOCK_ACCT_UNMAP,
    BLOCK_MAX_IOTYPE,
};

/*
 * Counters of one backend.  Written by the request's thread under @lock
 * (a device may complete in an IOThread while the monitor reads).
 */
typedef struct BlockAcctStats {
    QemuMutex lock;
    uint64_t nr_bytes[BLOCK_MAX_IOTYPE];
    uint64_t nr_ops[BLOCK_MAX_IOTYPE];
    uint64_t invalid_ops[BLOCK_MAX_IOTYPE];
    uint64_t failed_ops[BLOCK_MAX_IOTYPE];
    uint64_t total_time_ns[BLOCK_MAX_IOTYPE];
    uint64_t merged[BLOCK_MAX_IOTYPE];
    int64_t last_access_time_ns;
    bool account_invalid;
    bool account_failed;
} BlockAcctStats;

typedef struct BlockAcctCookie {
    int64_t bytes;
    int64_t start_time_ns;
    enum BlockAcctType type;
} BlockAcctCookie;

void block_acct_init(BlockAcctStats *stats);
void block_acct_setup(BlockAcctStats *stats, bool account_invalid,
                      bool account_failed);
void block_acct_cleanup(BlockAcctStats *stats);
void block_acct_start(BlockAcctStats *stats, BlockAcctCookie *cookie,
                      int64_t bytes, enum BlockAcctType type);
void block_acct_done(BlockAcctStats *stats, BlockAcctCookie *cookie);
void block_acct_failed(BlockAcctStats *stats, BlockAcctCookie *cookie);
void block_acct_invalid(BlockAcctStats *stats, enum BlockAcctType type);
void block_acct_merge_done(BlockAcctStats *stats, enum BlockAcctType type,
                           int num_requests);
int64_t block_acct_idle_time_ns(BlockAcctStats *stats);

/* ---- the device side -------------------------------------------------- */
/* Callbacks a device registers with blk_set_dev_ops (BQL). */
typedef struct BlockDevOps {
    /* The medium's size changed (block_resize). */
    void (*resize_cb)(void *opaque);
    /*
     * A drain begins/ends: stop/restart taking new requests from the
     * guest (e.g. the virtqueue's host notifier).  Main thread.
     */
    void (*drained_begin)(void *opaque);
    void (*drained_end)(void *opaque);
    /* True while the device still has requests of its own to finish. */
    bool (*drained_poll)(void *opaque);
} BlockDevOps;

/*
 * Permissions, QEMU's bits.  blk_new's are recorded; blk_set_perm applies
 * them to the image as QEMU's locks (other processes see them).
 */
#define BLK_PERM_CONSISTENT_READ 0x01
#define BLK_PERM_WRITE           0x02
#define BLK_PERM_WRITE_UNCHANGED 0x04
#define BLK_PERM_RESIZE          0x08
#define BLK_PERM_ALL             0x0f

/* ---- life cycle (main thread, BQL) ------------------------------------ */
BlockBackend *blk_new(AioContext *ctx, uint64_t perm, uint64_t shared_perm);
/* Attach @bs as the backend's root (takes a reference on @bs). */
int blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp);
void blk_remove_bs(BlockBackend *blk);
/*
 * What the device needs (@perm) and lets others do (@shared_perm), as
 * QEMU's blk_set_perm: a virtio-blk device takes CONSISTENT_READ (and
 * WRITE when writable) and shares CONSISTENT_READ | WRITE_UNCHANGED.
 * Fails with QEMU's "Failed to get "write" lock" when another process
 * holds the image.  Main thread.
 */
int blk_set_perm(BlockBackend *blk, uint64_t perm, uint64_t shared_perm,
                 Error **errp);
void blk_ref(BlockBackend *blk);
void blk_unref(BlockBackend *blk);
BlockDriverState *blk_bs(BlockBackend *blk);

/*
 * Named backends: -drive id=X creates one called X; a device's drive=X
 * finds it with blk_by_name.  The name is unique among backends and
 * nodes.
 */
bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp);
void monitor_remove_blk(BlockBackend *blk);
BlockBackend *blk_by_name(const char *name);
const char *blk_name(const BlockBackend *blk);
/* All named backends (NULL starts). */
BlockBackend *blk_next(BlockBackend *blk);
/* Every backend, named or not (NULL starts). */
BlockBackend *blk_all_next(BlockBackend *blk);

/*
 * A device attaches itself (one device per backend): -EBUSY if one
 * already did.  @dev is the device's QOM object, its path is "qdev".
 */
int blk_attach_dev(BlockBackend *blk, void *dev);
void blk_detach_dev(BlockBackend *blk, void *dev);
void *blk_get_attached_dev(BlockBackend *blk);
void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque);
/* The device's qdev id or QOM path for query-block (set by the device). */
void blk_set_dev_id(BlockBackend *blk, const char *qdev);
const char *blk_get_dev_id(BlockBackend *blk);

AioContext *blk_get_aio_context(BlockBackend *blk);
/*
 * Move the backend and its node graph into @new_context (an IOThread's,
 * or qemu_get_aio_context()).  Drained while moving.  Main thread.
 */
int blk_set_aio_context(BlockBackend *blk, AioContext *new_context,
                        Error **errp);

bool blk_is_read_only(BlockBackend *blk);
bool blk_is_writable(BlockBackend *blk);
bool blk_is_inserted(BlockBackend *blk);
bool blk_is_available(BlockBackend *blk);
int64_t blk_getlength(BlockBackend *blk);
void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr);
/* Whether the guest sees a volatile write cache (cache=writeback). */
bool blk_enable_write_cache(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);
BlockAcctStats *blk_get_stats(BlockBackend *blk);
/* The request alignment the device should advertise (bytes). */
uint32_t blk_get_request_alignment(BlockBackend *blk);
int blk_truncate(BlockBackend *blk, int64_t offset, Error **errp);

/* ---- requests: coroutines in blk_get_aio_context(blk) ------------------ */
/*
 * Range-checked (-EIO past the end, -EPERM writing read-only, -ENOMEDIUM
 * without a node); a request issued while the backend is drained waits
 * until the drain ends.
 */
int coroutine_fn blk_co_preadv(BlockBackend *blk, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov,
                               BdrvRequestFlags flags);
int coroutine_fn blk_co_pwritev(BlockBackend *blk, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags);
int coroutine_fn blk_co_pread(BlockBackend *blk, int64_t offset,
                              int64_t bytes, void *buf,
                              BdrvRequestFlags flags);
int coroutine_fn blk_co_pwrite(BlockBackend *blk, int64_t offset,
                               int64_t bytes, const void *buf,
                               BdrvRequestFlags flags);
int coroutine_fn blk_co_flush(BlockBackend *blk);
int coroutine_fn blk_co_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                      int64_t bytes, BdrvRequestFlags flags);
int coroutine_fn blk_co_pdiscard(BlockBackend *blk, int64_t offset,
                                 int64_t bytes);
/*
 * Callback style, QEMU's blk_aio_*: start the request (a coroutine in the
 * backend's context) and call @cb(@opaque, ret) in that context once it
 * finished, never before the function returned.  From the home thread of
 * blk_get_aio_context(blk).  The request counts as in flight until @cb
 * returned, so a drain waits for the callback too.  No cancellation.
 */
BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, BdrvRequestFlags flags,
                           BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, BdrvRequestFlags flags,
                                  BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque);

/* Synchronous wrappers for non-coroutine callers (tests, the monitor). */
int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags);
int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, BdrvRequestFlags flags);
int blk_flush(BlockBackend *blk);

/*
 * Requests the device has accepted but not completed (it calls these
 * around work that is not a blk_co_* request, so drains wait for it).
 */
void blk_inc_in_flight(BlockBackend *blk);
void blk_dec_in_flight(BlockBackend *blk);

void blk_drain(BlockBackend *blk);

/* ---- error policy (werror=/rerror=) ------------------------------------ */
void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error);
BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read);
/* What to do about @error (a positive errno) on a read or write. */
BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read,
                                      int error);
/*
 * Act: emit BLOCK_IO_ERROR and, for BLOCK_ERROR_ACTION_STOP, stop the VM
 * with RUN_STATE_IO_ERROR (through the hook below).  Any thread: the
 * event and the stop request go through the main loop.
 */
void blk_error_action(BlockBackend *blk, BlockErrorAction action,
                      bool is_read, int error);
/* The device's I/O status for query-block ("io-status"). */
void blk_iostatus_enable(BlockBackend *blk);
void blk_iostatus_reset(BlockBackend *blk);

/*
 * The block layer cannot call up into system/: system sets how a
 * BLOCK_ERROR_ACTION_STOP stops the VM (a vm stop request with
 * RUN_STATE_IO_ERROR).  Without a hook, "stop" only reports.
 */
void blk_set_vmstop_hook(void (*hook)(void));

/* ---- monitor and command line (blockdev.c) ------------------------------ */
BlockInfo *blk_query_info(BlockBackend *blk);
/*
 * -drive: @opts is the keyval QDict (file=, format=, if=none, id=,
 * cache=, aio=, readonly=, werror=, rerror=).  Makes a named backend.
 */
BlockBackend *drive_new(QDict *opts, Error **errp);
/* -blockdev: JSON ('{' first) or dotted keyval, as QEMU. */
bool blockdev_option_add(const char *optarg, Error **errp);
/* At exit: drop the monitor's backends and nodes, drained and flushed. */
void blockdev_close_all(void);

#endif
