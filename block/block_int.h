/*
 * Inside the block layer: the driver interface (BlockDriver), the node
 * (BlockDriverState) and edge (BdrvChild) structures.  Private to block/
 * and its white-box tests.  Corresponds to QEMU's include/block/block_int*.h.
 */
#ifndef BLOCK_INT_H
#define BLOCK_INT_H

#include "qcore/block.h"
#include "qcore/block-backend.h"

struct BlockDriver {
    const char *format_name;
    int instance_size;
    /* A protocol sits on the host (file); a format on a child (raw, qcow2). */
    bool is_format;
    /* Has a "backing" child (qcow2). */
    bool supports_backing;
    /* Score 0..100 that @buf (the image's first bytes) is this format. */
    int (*bdrv_probe)(const uint8_t *buf, int buf_size, const char *filename);
    /*
     * Open from the QAPI options; a format opens its "file" child (and
     * "backing") through bdrv_open_child first.  Main thread.
     */
    int (*bdrv_open)(BlockDriverState *bs, BlockdevOptions *opts, int flags,
                     Error **errp);
    void (*bdrv_close)(BlockDriverState *bs);
    int coroutine_fn (*bdrv_co_preadv)(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pwritev)(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pwrite_zeroes)(BlockDriverState *bs,
                                              int64_t offset, int64_t bytes,
                                              BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pdiscard)(BlockDriverState *bs, int64_t offset,
                                         int64_t bytes);
    /* Write cached data to the OS / to stable storage. */
    int coroutine_fn (*bdrv_co_flush_to_os)(BlockDriverState *bs);
    int coroutine_fn (*bdrv_co_flush_to_disk)(BlockDriverState *bs);
    int coroutine_fn (*bdrv_co_truncate)(BlockDriverState *bs, int64_t offset,
                                         Error **errp);
    int64_t (*bdrv_getlength)(BlockDriverState *bs);
    int64_t (*bdrv_get_allocated_file_size)(BlockDriverState *bs);
    /* Fill the format-specific part of ImageInfo (qcow2). */
    void (*bdrv_get_info)(BlockDriverState *bs, ImageInfo *info);
    /*
     * Apply the permissions (BLK_PERM_*) its users hold and refuse to
     * share: the file protocol's image locks.  A filter (raw) passes
     * them to its file; a format (qcow2) takes its own.  Main thread.
     */
    int (*bdrv_set_perm)(BlockDriverState *bs, uint64_t perm,
                         uint64_t unshared, Error **errp);
    bool is_filter;
    /* The node moves between AioContexts (file: its io_uring's fd). */
    void (*bdrv_detach_aio_context)(BlockDriverState *bs);
    void (*bdrv_attach_aio_context)(BlockDriverState *bs, AioContext *ctx);
    QLIST_ENTRY(BlockDriver) list;
};

/* Role of an edge, for query output and the format's own bookkeeping. */
struct BdrvChild {
    BlockDriverState *bs;
    char *name;                     /* "file", "backing" */
    BlockDriverState *parent;       /* NULL when the parent is a backend */
    QLIST_ENTRY(BdrvChild) next;    /* the parent's children */
};

typedef struct BlockLimits {
    /* Requests to the driver are aligned to this (bytes, power of 2). */
    uint32_t request_alignment;
    /* Buffers for the driver are aligned to this (O_DIRECT). */
    size_t min_mem_alignment;
} BlockLimits;

struct BlockDriverState {
    /* Set at open, then constant until close.  Main thread. */
    BlockDriver *drv;
    void *opaque;                   /* drv->instance_size bytes */
    char node_name[32];
    bool user_named;
    char filename[4096];            /* what query-block calls "file" */
    char backing_file[4096];        /* from the image header, as written */
    char backing_format[16];
    int open_flags;                 /* BDRV_O_* */
    bool read_only;
    BlockdevDetectZeroesOptions detect_zeroes;
    BlockLimits bl;

    /* Graph: main thread, BQL. */
    int refcnt;
    bool monitor_owned;             /* blockdev-add made it */
    int n_parents;                  /* BdrvChild + BlockBackend edges in */
    BdrvChild *file;
    BdrvChild *backing;
    QLIST_HEAD(, BdrvChild) children;
    QTAILQ_ENTRY(BlockDriverState) node_list;     /* named nodes */
    QTAILQ_ENTRY(BlockDriverState) bs_list;       /* all nodes */

    /* The context the node's requests run in.  Changed drained, BQL. */
    AioContext *aio_context;
    /* Requests in flight on this node (atomic, any thread). */
    unsigned in_flight;
    /* Drain nesting (main thread). */
    int quiesce_counter;

    /* Largest offset written, for query-blockstats (atomic). */
    uint64_t wr_highest_offset;
};

/* Register a driver (block_init constructors). */
void bdrv_register(BlockDriver *drv);
BlockDriver *bdrv_find_format(const char *format_name);

/*
 * Open the child @name of @parent from @ref (a definition or a node
 * name).  @allow_none: NULL without error when @ref is NULL.
 */
BdrvChild *bdrv_open_child(BlockdevRef *ref, BlockDriverState *parent,
                           const char *name, int flags, Error **errp);
/* Open @filename (format probed or @format) as @parent's child @name. */
BdrvChild *bdrv_open_child_file(const char *filename, const char *format,
                                BlockDriverState *parent, const char *name,
                                int flags, Error **errp);
BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child, const char *name);
void bdrv_unref_child(BlockDriverState *parent, BdrvChild *child);

/* Take @perm and refuse @unshared on @bs (through filters).  BQL. */
int bdrv_set_perm(BlockDriverState *bs, uint64_t perm, uint64_t unshared,
                  Error **errp);

/* Probe the format of @bs's first bytes: the driver, or NULL + error. */
BlockDriver *bdrv_probe_format(BlockDriverState *file, Error **errp);

/*
 * Run @entry(opaque) in a coroutine in @bs's context and poll until it
 * returned.  Main thread or the node's home thread, not in a coroutine.
 */
void bdrv_run_co(BlockDriverState *bs, CoroutineEntry *entry, void *opaque);
/* Wake a drain or bdrv_run_co polling in the main thread.  Any thread. */
void aio_wait_kick(void);
/*
 * Run @cb(opaque) in a BH of @ctx and poll until it returned (QEMU's
 * util/aio-wait.c).  When it runs, the home thread of @ctx is between two
 * callbacks: none of that context's handlers is running.  Main thread
 * or @ctx's home thread, not in a coroutine.
 */
void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);

/* Wait (polling) while @cond holds, from the main or the node's thread. */
void bdrv_poll_while(BlockDriverState *bs, bool (*cond)(void *), void *opaque);

/* BlockBackends, for drains (block-backend.c). */
void blk_root_drained_begin(BlockDriverState *bs);
void blk_root_drained_end(BlockDriverState *bs);
bool blk_root_drained_poll(BlockDriverState *bs);
/* Detach every backend's root (bdrv_close_all). */
void blk_remove_all_bs(void);
/*
 * Every backend whose root is @from takes @to instead, with the
 * permissions it holds (bdrv_append).  Both drained, main thread.
 */
int blk_replace_root(BlockDriverState *from, BlockDriverState *to,
                     Error **errp);
/* Whether a backend has @bs as its root.  Main thread. */
bool bdrv_has_blk(BlockDriverState *bs);

/* Nesting of bdrv_drain_all_begin: a node opened meanwhile starts drained. */
extern int bdrv_drain_all_count;

static inline void *qemu_memalign(size_t align, size_t size)
{
    void *p;

    if (posix_memalign(&p, MAX(align, sizeof(void *)), MAX(size, 1))) {
        abort();
    }
    return p;
}

static inline void qemu_vfree(void *p)
{
    free(p);
}

/* Big-endian on-disk fields (QEMU's include/qemu/bswap.h, the subset). */
#define cpu_to_be16(x) GUINT16_TO_BE(x)
#define cpu_to_be32(x) GUINT32_TO_BE(x)
#define cpu_to_be64(x) GUINT64_TO_BE(x)
#define be16_to_cpu(x) GUINT16_FROM_BE(x)
#define be32_to_cpu(x) GUINT32_FROM_BE(x)
#define be64_to_cpu(x) GUINT64_FROM_BE(x)

static inline uint32_t ldl_be_p(const void *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return be32_to_cpu(v);
}

static inline void stl_be_p(void *p, uint32_t v)
{
    v = cpu_to_be32(v);
    memcpy(p, &v, 4);
}

static inline void stq_be_p(void *p, uint64_t v)
{
    v = cpu_to_be64(v);
    memcpy(p, &v, 8);
}

#define block_init(fn) \
    static void __attribute__((constructor)) block_init_ ## fn(void) { fn(); }

#endif
