/*
 * The block layer's node graph: BlockDriverState (a node: a protocol such
 * as "file" or a format such as "qcow2"), its children, opening, the
 * request entry points and drains.  Corresponds to QEMU's
 * include/block/block-global-state.h, block-io.h and block/block.c, io.c.
 *
 * Threads: the graph (open, close, children, node names) changes in the
 * main thread under the BQL.  Each node belongs to one AioContext; its
 * requests (bdrv_co_*) are coroutines running in that context's thread.
 */
#ifndef QCORE_BLOCK_H
#define QCORE_BLOCK_H

#include "qcore/osdep.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include "qcore/error.h"
#include "qcore/iov.h"
#include "qcore/qobject.h"
#include "qapi/qapi-types.h"

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;
typedef struct BdrvChild BdrvChild;

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1ULL << BDRV_SECTOR_BITS)
/* Largest request: QEMU's BDRV_REQUEST_MAX_BYTES (2 GiB minus a bit). */
#define BDRV_REQUEST_MAX_BYTES (INT32_MAX & ~(BDRV_SECTOR_SIZE - 1) & ~4095)

/* Open flags, QEMU's values. */
#define BDRV_O_RDWR         0x0002
#define BDRV_O_NOCACHE      0x0020  /* cache.direct: O_DIRECT */
#define BDRV_O_NATIVE_AIO   0x0080  /* aio=native */
#define BDRV_O_NO_BACKING   0x0100
#define BDRV_O_NO_FLUSH     0x0200  /* cache.no-flush */
#define BDRV_O_UNMAP        0x4000  /* discard=unmap */
#define BDRV_O_IO_URING     0x40000 /* aio=io_uring */

typedef enum {
    BDRV_REQ_ZERO_WRITE = 0x2,
    BDRV_REQ_MAY_UNMAP  = 0x4,
    BDRV_REQ_FUA        = 0x10,
    BDRV_REQ_NO_FALLBACK = 0x100,
} BdrvRequestFlags;

#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

/* ---- opening and the graph (main thread, BQL) ------------------------- */
/*
 * Open a node from @options (QEMU's BlockdevOptions as a QDict, nested:
 * {"driver": "qcow2", "file": {"driver": "file", "filename": "x"}}) or
 * from @filename (format probed, "file" protocol).  @reference names an
 * existing node to take a reference on instead.  @flags: BDRV_O_*.
 * Takes ownership of @options.  Returns a node with one reference.
 */
BlockDriverState *bdrv_open(const char *filename, const char *reference,
                            QDict *options, int flags, Error **errp);
/* The same from the QAPI struct (blockdev-add, -blockdev). */
BlockDriverState *bdrv_open_blockdev(BlockdevOptions *options, Error **errp);
void bdrv_ref(BlockDriverState *bs);
/* Drops a reference; the last one drains, closes and frees the node. */
void bdrv_unref(BlockDriverState *bs);

BlockDriverState *bdrv_find_node(const char *node_name);
const char *bdrv_get_node_name(const BlockDriverState *bs);
const char *bdrv_get_format_name(BlockDriverState *bs);
/* Iterate over every node (NULL starts); QEMU's bdrv_next_all_states. */
BlockDriverState *bdrv_next_all_states(BlockDriverState *bs);
/* Iterate over nodes with a user-given or generated name. */
BlockDriverState *bdrv_next_node(BlockDriverState *bs);
bool bdrv_is_read_only(BlockDriverState *bs);
bool bdrv_is_writable(BlockDriverState *bs);
/* Whether someone besides the monitor holds a reference to the node. */
bool bdrv_has_parents(BlockDriverState *bs);
/* Node names given by the user (blockdev-add) vs "#blockNNN" made up. */
bool bdrv_is_user_named(BlockDriverState *bs);
/* Mark/unmark a node as owned by the monitor (blockdev-add/-del). */
void bdrv_set_monitor_owned(BlockDriverState *bs, bool owned);
bool bdrv_is_monitor_owned(BlockDriverState *bs);

AioContext *bdrv_get_aio_context(BlockDriverState *bs);
/*
 * Move @bs and everything below it to @ctx (drained while it moves).
 * Main thread.
 */
int bdrv_try_change_aio_context(BlockDriverState *bs, AioContext *ctx,
                                Error **errp);
/*
 * Put @bs_new on top of @bs_top while it runs (QEMU's bdrv_append, for
 * blockdev-snapshot): @bs_top becomes its backing, @bs_top's backends use
 * @bs_new.  Main thread, BQL.
 */
int bdrv_append(BlockDriverState *bs_new, BlockDriverState *bs_top,
                Error **errp);

/* ---- sizes and info --------------------------------------------------- */
int64_t bdrv_getlength(BlockDriverState *bs);
int64_t bdrv_get_allocated_file_size(BlockDriverState *bs);
/*
 * Resize (block_resize).  Grows or shrinks raw, grows qcow2.  From a
 * coroutine in the node's context; bdrv_truncate runs one and waits.
 */
int coroutine_fn bdrv_co_truncate(BdrvChild *child, int64_t offset,
                                  Error **errp);
int bdrv_truncate(BlockDriverState *bs, int64_t offset, Error **errp);

/* ---- requests (coroutines in the node's AioContext) -------------------- */
int coroutine_fn bdrv_co_preadv(BdrvChild *child, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pwritev(BdrvChild *child, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pread(BdrvChild *child, int64_t offset,
                               int64_t bytes, void *buf,
                               BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pwrite(BdrvChild *child, int64_t offset,
                                int64_t bytes, const void *buf,
                                BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pwrite_zeroes(BdrvChild *child, int64_t offset,
                                       int64_t bytes, BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pdiscard(BdrvChild *child, int64_t offset,
                                  int64_t bytes);
int coroutine_fn bdrv_co_flush(BlockDriverState *bs);
/* Outside a coroutine: run the request in a coroutine and poll. */
int bdrv_flush(BlockDriverState *bs);

/* ---- drains ----------------------------------------------------------- */
/*
 * Quiesce: parents stop submitting (queued in blk_co_*), and wait until
 * nothing is in flight on @bs and its children.  Nested calls count.
 * Main thread (BQL) or the node's home thread.
 */
void bdrv_drained_begin(BlockDriverState *bs);
void bdrv_drained_end(BlockDriverState *bs);
void bdrv_drain_all_begin(void);
void bdrv_drain_all_end(void);
/* Begin + end: wait for what is in flight now. */
void bdrv_drain_all(void);
/* Flush every node (QEMU's bdrv_flush_all, run on stop and quit). */
int bdrv_flush_all(void);
/* Drain, flush and close every node: the process is going away. */
void bdrv_close_all(void);

/* Requests in flight on @bs (atomic); for tests and drains. */
unsigned bdrv_get_in_flight(BlockDriverState *bs);
void bdrv_inc_in_flight(BlockDriverState *bs);
void bdrv_dec_in_flight(BlockDriverState *bs);

/* query-named-block-nodes and query-block's "inserted". */
BlockDeviceInfo *bdrv_block_device_info(BlockDriverState *bs, bool flat,
                                        Error **errp);
ImageInfo *bdrv_query_image_info(BlockDriverState *bs, bool flat,
                                 Error **errp);
BlockStats *bdrv_query_bds_stats(BlockDriverState *bs, bool blk_level);

#endif
