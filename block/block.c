/*
 * The node graph: driver registry, opening nodes and their children,
 * format probing, node names, references and AioContext changes.
 * Corresponds to QEMU's block.c.
 */
#include "qcore/osdep.h"
#include "qcore/id.h"
#include "qcore/main-loop.h"
#include "qapi/qapi-visit.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/visitor.h"
#include "block_int.h"

/* Registered drivers; filled by constructors before main. */
static QLIST_HEAD(, BlockDriver) bdrv_drivers =
    QLIST_HEAD_INITIALIZER(bdrv_drivers);
/* Nodes: all of them, and those with a name (every node has one).  BQL. */
static QTAILQ_HEAD(, BlockDriverState) all_bdrv_states =
    QTAILQ_HEAD_INITIALIZER(all_bdrv_states);
static QTAILQ_HEAD(, BlockDriverState) graph_bdrv_states =
    QTAILQ_HEAD_INITIALIZER(graph_bdrv_states);

void bdrv_register(BlockDriver *drv)
{
    QLIST_INSERT_HEAD(&bdrv_drivers, drv, list);
}

BlockDriver *bdrv_find_format(const char *format_name)
{
    BlockDriver *drv;

    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (!strcmp(drv->format_name, format_name)) {
            return drv;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_find_node(const char *node_name)
{
    BlockDriverState *bs;

    QTAILQ_FOREACH(bs, &graph_bdrv_states, node_list) {
        if (!strcmp(bs->node_name, node_name)) {
            return bs;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_next_all_states(BlockDriverState *bs)
{
    return bs ? QTAILQ_NEXT(bs, bs_list) : QTAILQ_FIRST(&all_bdrv_states);
}

BlockDriverState *bdrv_next_node(BlockDriverState *bs)
{
    return bs ? QTAILQ_NEXT(bs, node_list) : QTAILQ_FIRST(&graph_bdrv_states);
}

const char *bdrv_get_node_name(const BlockDriverState *bs)
{
    return bs->node_name;
}

const char *bdrv_get_format_name(BlockDriverState *bs)
{
    return bs->drv ? bs->drv->format_name : NULL;
}

bool bdrv_is_read_only(BlockDriverState *bs)
{
    return bs->read_only;
}

bool bdrv_is_writable(BlockDriverState *bs)
{
    return !bs->read_only;
}

bool bdrv_has_parents(BlockDriverState *bs)
{
    return bs->n_parents > 0;
}

bool bdrv_is_user_named(BlockDriverState *bs)
{
    return bs->user_named;
}

void bdrv_set_monitor_owned(BlockDriverState *bs, bool owned)
{
    bs->monitor_owned = owned;
}

bool bdrv_is_monitor_owned(BlockDriverState *bs)
{
    return bs->monitor_owned;
}

AioContext *bdrv_get_aio_context(BlockDriverState *bs)
{
    return bs->aio_context;
}

unsigned bdrv_get_in_flight(BlockDriverState *bs)
{
    return qatomic_read(&bs->in_flight);
}

/* ---- node names ------------------------------------------------------- */

static bool bdrv_assign_node_name(BlockDriverState *bs, const char *name,
                                  Error **errp)
{
    static uint64_t counter;

    if (!name) {
        /* QEMU's id_generate: '#', the subsystem, a counter, 2 random. */
        snprintf(bs->node_name, sizeof(bs->node_name), "#block%" PRIu64
                 "%02d", counter++, g_random_int_range(0, 100));
        return true;
    }
    if (!id_wellformed(name)) {
        error_setg(errp, "Invalid node-name: '%s'", name);
        return false;
    }
    if (blk_by_name(name)) {
        error_setg(errp, "node-name=%s is conflicting with a device id",
                   name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Duplicate nodes with node-name='%s'", name);
        return false;
    }
    if (strlen(name) >= sizeof(bs->node_name)) {
        error_setg(errp, "Node name too long");
        return false;
    }
    g_strlcpy(bs->node_name, name, sizeof(bs->node_name));
    bs->user_named = true;
    return true;
}

/* ---- probing ---------------------------------------------------------- */

typedef struct ProbeCo {
    BdrvChild *c;
    uint8_t *buf;
    int64_t n;
    int ret;
} ProbeCo;

static void coroutine_fn probe_entry(void *opaque)
{
    ProbeCo *pc = opaque;

    pc->ret = bdrv_co_pread(pc->c, 0, pc->n, pc->buf, 0);
}

BlockDriver *bdrv_probe_format(BlockDriverState *file, Error **errp)
{
    uint8_t buf[512] = { 0 };
    BlockDriver *drv, *best = NULL;
    int best_score = 0;
    int64_t len = bdrv_getlength(file);
    BdrvChild tmp = { .bs = file };
    int ret;

    if (len < 0) {
        error_setg_errno(errp, -len, "Could not determine image size");
        return NULL;
    }
    if (len > 0) {
        ProbeCo p = { &tmp, buf, MIN(len, (int64_t)sizeof(buf)), 0 };

        bdrv_run_co(file, probe_entry, &p);
        ret = p.ret;
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read image for "
                             "determining its format");
            return NULL;
        }
    }
    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (drv->bdrv_probe) {
            int score = drv->bdrv_probe(buf, sizeof(buf), file->filename);
            if (score > best_score) {
                best_score = score;
                best = drv;
            }
        }
    }
    if (!best) {
        error_setg(errp, "Could not determine image format: No compatible "
                   "driver found");
    }
    return best;
}

/* ---- opening ---------------------------------------------------------- */

static int flags_from_options(BlockdevOptions *o, int inherited)
{
    int flags = inherited;

    if (o->has_read_only) {
        flags = o->read_only ? flags & ~BDRV_O_RDWR : flags | BDRV_O_RDWR;
    }
    if (o->cache && o->cache->has_direct) {
        flags = o->cache->direct ? flags | BDRV_O_NOCACHE
                                 : flags & ~BDRV_O_NOCACHE;
    }
    if (o->cache && o->cache->has_no_flush) {
        flags = o->cache->no_flush ? flags | BDRV_O_NO_FLUSH
                                   : flags & ~BDRV_O_NO_FLUSH;
    }
    if (o->has_discard) {
        flags = o->discard == BLOCKDEV_DISCARD_OPTIONS_UNMAP
                ? flags | BDRV_O_UNMAP : flags & ~BDRV_O_UNMAP;
    }
    if (o->driver == BLOCKDEV_DRIVER_FILE && o->u.file.has_aio) {
        flags &= ~(BDRV_O_NATIVE_AIO | BDRV_O_IO_URING);
        if (o->u.file.aio == BLOCKDEV_AIO_OPTIONS_NATIVE) {
            flags |= BDRV_O_NATIVE_AIO;
        } else if (o->u.file.aio == BLOCKDEV_AIO_OPTIONS_IO_URING) {
            flags |= BDRV_O_IO_URING;
        }
    }
    return flags;
}

static void bdrv_free(BlockDriverState *bs)
{
    g_free(bs->opaque);
    g_free(bs);
}

/*
 * Open one node of driver @o->driver.  @inherited: the parent's flags,
 * which options not given here keep (QEMU's child inheritance).
 */
static BlockDriverState *bdrv_open_opts(BlockdevOptions *o, int inherited,
                                        Error **errp)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);
    BlockDriver *drv = bdrv_find_format(BlockdevDriver_str(o->driver));
    int ret;

    assert(drv);
    bs->drv = drv;
    bs->refcnt = 1;
    bs->open_flags = flags_from_options(o, inherited);
    bs->read_only = !(bs->open_flags & BDRV_O_RDWR);
    bs->detect_zeroes = o->has_detect_zeroes ? o->detect_zeroes
                                             : BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF;
    bs->aio_context = qemu_get_aio_context();
    bs->bl.request_alignment = 1;
    bs->bl.min_mem_alignment = 1;
    bs->quiesce_counter = bdrv_drain_all_count;
    QLIST_INIT(&bs->children);
    if (!bdrv_assign_node_name(bs, o->node_name, errp)) {
        g_free(bs);
        return NULL;
    }
    bs->opaque = g_malloc0(drv->instance_size);
    /* Listed from the start, as QEMU: children opened now come after. */
    QTAILQ_INSERT_TAIL(&all_bdrv_states, bs, bs_list);
    QTAILQ_INSERT_TAIL(&graph_bdrv_states, bs, node_list);
    ret = drv->bdrv_open(bs, o, bs->open_flags, errp);
    if (ret < 0) {
        BdrvChild *c, *next;
        QLIST_FOREACH_SAFE(c, &bs->children, next, next) {
            bdrv_unref_child(bs, c);
        }
        QTAILQ_REMOVE(&all_bdrv_states, bs, bs_list);
        QTAILQ_REMOVE(&graph_bdrv_states, bs, node_list);
        bdrv_free(bs);
        return NULL;
    }
    /* A format's alignment is at least its file's. */
    if (bs->file) {
        bs->bl.request_alignment = MAX(bs->bl.request_alignment,
                                       bs->file->bs->bl.request_alignment);
        bs->bl.min_mem_alignment = MAX(bs->bl.min_mem_alignment,
                                       bs->file->bs->bl.min_mem_alignment);
        if (!bs->filename[0]) {
            g_strlcpy(bs->filename, bs->file->bs->filename,
                      sizeof(bs->filename));
        }
    }
    return bs;
}

BlockDriverState *bdrv_open_blockdev(BlockdevOptions *options, Error **errp)
{
    /* A blockdev-add node is writable unless told otherwise, as QEMU. */
    return bdrv_open_opts(options, BDRV_O_RDWR, errp);
}

BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child, const char *name)
{
    BdrvChild *c = g_new0(BdrvChild, 1);

    c->bs = child;
    c->name = g_strdup(name);
    c->parent = parent;
    child->n_parents++;
    QLIST_INSERT_HEAD(&parent->children, c, next);
    if (!strcmp(name, "file")) {
        parent->file = c;
        /*
         * QEMU opens a format's file before the format itself joins the
         * node list (its backing after): keep that order for queries.
         */
        QTAILQ_REMOVE(&all_bdrv_states, parent, bs_list);
        QTAILQ_INSERT_TAIL(&all_bdrv_states, parent, bs_list);
        QTAILQ_REMOVE(&graph_bdrv_states, parent, node_list);
        QTAILQ_INSERT_TAIL(&graph_bdrv_states, parent, node_list);
    } else if (!strcmp(name, "backing")) {
        parent->backing = c;
    }
    return c;
}

void bdrv_unref_child(BlockDriverState *parent, BdrvChild *child)
{
    QLIST_REMOVE(child, next);
    if (parent->file == child) {
        parent->file = NULL;
    }
    if (parent->backing == child) {
        parent->backing = NULL;
    }
    child->bs->n_parents--;
    bdrv_unref(child->bs);
    g_free(child->name);
    g_free(child);
}

BdrvChild *bdrv_open_child(BlockdevRef *ref, BlockDriverState *parent,
                           const char *name, int flags, Error **errp)
{
    BlockDriverState *bs;

    if (ref->type == QTYPE_QSTRING) {
        bs = bdrv_find_node(ref->u.reference);
        if (!bs) {
            error_setg(errp, "Cannot find device=\'%s\' nor node-name=\'%s\'",
                       ref->u.reference, ref->u.reference);
            return NULL;
        }
        if ((flags & BDRV_O_RDWR) && bs->read_only) {
            error_setg(errp, "Block node is read-only");
            return NULL;
        }
        bdrv_ref(bs);
    } else {
        bs = bdrv_open_opts(&ref->u.definition, flags, errp);
        if (!bs) {
            return NULL;
        }
    }
    return bdrv_attach_child(parent, bs, name);
}

/* A "file" node for @filename, then the format on it (probed if NULL). */
static BlockDriverState *open_file_with_format(const char *filename,
                                               const char *format,
                                               const char *node_name,
                                               int flags, Error **errp)
{
    BlockdevOptions fo = {
        .driver = BLOCKDEV_DRIVER_FILE,
        .u.file.filename = (char *)filename,
    };
    BlockdevOptions o = { 0 };
    BlockdevRef ref = { .type = QTYPE_QSTRING };
    BlockDriverState *file, *bs;
    BlockDriver *drv;

    if (format && !bdrv_find_format(format)) {
        error_setg(errp, "Unknown driver '%s'", format);
        return NULL;
    }
    file = bdrv_open_opts(&fo, flags, errp);
    if (!file) {
        return NULL;
    }
    if (format) {
        drv = bdrv_find_format(format);
    } else {
        drv = bdrv_probe_format(file, errp);
        if (!drv) {
            bdrv_unref(file);
            return NULL;
        }
    }
    if (!drv->is_format) {
        /* format=file: the protocol node is the image. */
        return file;
    }
    o.driver = qapi_enum_parse(&BlockdevDriver_lookup, drv->format_name, -1,
                               &error_abort);
    o.node_name = (char *)node_name;
    ref.u.reference = file->node_name;
    /* Both formats' options start with the same "file" member. */
    o.u.raw.file = &ref;
    bs = bdrv_open_opts(&o, flags, errp);
    /* The format holds its own reference on the file node. */
    bdrv_unref(file);
    return bs;
}

BdrvChild *bdrv_open_child_file(const char *filename, const char *format,
                                BlockDriverState *parent, const char *name,
                                int flags, Error **errp)
{
    BlockDriverState *bs = open_file_with_format(filename, format, NULL,
                                                 flags, errp);

    return bs ? bdrv_attach_child(parent, bs, name) : NULL;
}

BlockDriverState *bdrv_open(const char *filename, const char *reference,
                            QDict *options, int flags, Error **errp)
{
    BlockDriverState *bs = NULL;
    BlockdevOptions *o = NULL;
    Visitor *v;

    if (reference) {
        bs = bdrv_find_node(reference);
        if (!bs) {
            error_setg(errp, "Cannot find device=\'%s\' nor node-name=\'%s\'",
                       reference, reference);
            qobject_unref(options);
            return NULL;
        }
        bdrv_ref(bs);
        qobject_unref(options);
        return bs;
    }
    if (filename) {
        const char *fmt = options ? qdict_get_try_str(options, "driver") : NULL;
        const char *nn = options ? qdict_get_try_str(options, "node-name")
                                 : NULL;
        bs = open_file_with_format(filename, fmt, nn, flags, errp);
        qobject_unref(options);
        return bs;
    }
    if (!options) {
        error_setg(errp, "Must specify either driver or file");
        return NULL;
    }
    v = qobject_input_visitor_new(QOBJECT(options));
    if (visit_type_BlockdevOptions(v, NULL, &o, errp)) {
        bs = bdrv_open_opts(o, flags, errp);
    }
    visit_free(v);
    qapi_free_BlockdevOptions(o);
    qobject_unref(options);
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    bs->refcnt++;
}

void bdrv_unref(BlockDriverState *bs)
{
    BdrvChild *c, *next;

    if (!bs || --bs->refcnt > 0) {
        return;
    }
    bdrv_drained_begin(bs);
    if (bs->drv->bdrv_co_flush_to_os || bs->drv->bdrv_co_flush_to_disk) {
        bdrv_flush(bs);
    }
    bdrv_drained_end(bs);
    if (bs->drv->bdrv_close) {
        bs->drv->bdrv_close(bs);
    }
    QLIST_FOREACH_SAFE(c, &bs->children, next, next) {
        bdrv_unref_child(bs, c);
    }
    QTAILQ_REMOVE(&all_bdrv_states, bs, bs_list);
    QTAILQ_REMOVE(&graph_bdrv_states, bs, node_list);
    bdrv_free(bs);
}

int bdrv_set_perm(BlockDriverState *bs, uint64_t perm, uint64_t unshared,
                  Error **errp)
{
    if (bs->drv->bdrv_set_perm) {
        return bs->drv->bdrv_set_perm(bs, perm, unshared, errp);
    }
    if (bs->drv->is_filter && bs->file) {
        return bdrv_set_perm(bs->file->bs, perm, unshared, errp);
    }
    return 0;
}

/* ---- sizes ------------------------------------------------------------ */

int64_t bdrv_getlength(BlockDriverState *bs)
{
    int64_t len;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    /* QEMU counts whole sectors: a 197000-byte file is 197120 bytes. */
    len = bs->drv->bdrv_getlength(bs);
    return len < 0 ? len : QEMU_ALIGN_UP(len, BDRV_SECTOR_SIZE);
}

int64_t bdrv_get_allocated_file_size(BlockDriverState *bs)
{
    if (bs->drv->bdrv_get_allocated_file_size) {
        return bs->drv->bdrv_get_allocated_file_size(bs);
    }
    return bs->file ? bdrv_get_allocated_file_size(bs->file->bs) : -ENOTSUP;
}

typedef struct TruncateCo {
    BdrvChild child;
    int64_t offset;
    Error **errp;
    int ret;
} TruncateCo;

static void coroutine_fn bdrv_truncate_entry(void *opaque)
{
    TruncateCo *t = opaque;

    t->ret = bdrv_co_truncate(&t->child, t->offset, t->errp);
}

int bdrv_truncate(BlockDriverState *bs, int64_t offset, Error **errp)
{
    TruncateCo t = { .child = { .bs = bs }, .offset = offset, .errp = errp };

    bdrv_run_co(bs, bdrv_truncate_entry, &t);
    return t.ret;
}

/* ---- AioContexts ------------------------------------------------------ */

static void bdrv_set_aio_context_tree(BlockDriverState *bs, AioContext *ctx)
{
    BdrvChild *c;

    QLIST_FOREACH(c, &bs->children, next) {
        bdrv_set_aio_context_tree(c->bs, ctx);
    }
    if (bs->aio_context == ctx) {
        return;
    }
    if (bs->drv->bdrv_detach_aio_context) {
        bs->drv->bdrv_detach_aio_context(bs);
    }
    bs->aio_context = ctx;
    if (bs->drv->bdrv_attach_aio_context) {
        bs->drv->bdrv_attach_aio_context(bs, ctx);
    }
}

int bdrv_try_change_aio_context(BlockDriverState *bs, AioContext *ctx,
                                Error **errp)
{
    /*
     * A node shared by two backends in different threads would have two
     * homes; QEMU refuses that through its permission graph, we refuse
     * it by counting parents.
     */
    if (bs->aio_context != ctx && bs->n_parents > 1) {
        error_setg(errp, "Cannot change iothread of active block backend");
        return -EPERM;
    }
    bdrv_drained_begin(bs);
    bdrv_set_aio_context_tree(bs, ctx);
    bdrv_drained_end(bs);
    return 0;
}

/* ---- changing the graph ------------------------------------------------- */

/*
 * QEMU's bdrv_append for blockdev-snapshot: @bs_new (no parents, no
 * backing, a format with one) goes on top of @bs_top, live: its backing
 * becomes @bs_top and @bs_top's backends read and write through it.  In
 * @bs_top's AioContext, drained, so no request sees half of it.
 */
int bdrv_append(BlockDriverState *bs_new, BlockDriverState *bs_top,
                Error **errp)
{
    BdrvChild *backing;
    int ret;

    if (bs_new->aio_context != bs_top->aio_context &&
        bdrv_try_change_aio_context(bs_new, bs_top->aio_context, errp) < 0) {
        return -EPERM;
    }
    /*
     * Only @bs_top: @bs_new has neither parents nor requests, and the
     * backends above @bs_top stay above it (through @bs_new) for the
     * drain's end.  The backing edge first: it keeps @bs_top alive when
     * a backend lets go of it.
     */
    bdrv_drained_begin(bs_top);
    bdrv_ref(bs_top);
    backing = bdrv_attach_child(bs_new, bs_top, "backing");
    ret = blk_replace_root(bs_top, bs_new, errp);
    if (ret < 0) {
        bdrv_unref_child(bs_new, backing);
    }
    bdrv_drained_end(bs_top);
    return ret;
}

/* ---- shutdown --------------------------------------------------------- */

void bdrv_close_all(void)
{
    BlockDriverState *bs;
    bool again = true;

    bdrv_drain_all();
    bdrv_flush_all();
    /* Backends first (they hold the roots), then monitor-owned nodes. */
    blk_remove_all_bs();
    /* An unref may free other nodes of the list: restart each time. */
    while (again) {
        again = false;
        QTAILQ_FOREACH(bs, &graph_bdrv_states, node_list) {
            if (bs->monitor_owned) {
                bs->monitor_owned = false;
                bdrv_unref(bs);
                again = true;
                break;
            }
        }
    }
}
