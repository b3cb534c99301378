/*
 * The user's ways to make block nodes and backends: -drive, -blockdev,
 * blockdev-add, blockdev-del and block_resize.  Corresponds to QEMU's
 * blockdev.c (the if=none part of -drive; device models attach with
 * drive=ID).
 */
#include "qcore/osdep.h"
#include "qcore/id.h"
#include "qcore/main-loop.h"
#include "qcore/qjson.h"
#include "qcore/keyval.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/visitor.h"
#include "qapi/util.h"
#include "block_int.h"

/* ---- QMP ---------------------------------------------------------------- */

void qmp_blockdev_add(BlockdevOptions *options, Error **errp)
{
    BlockDriverState *bs;

    if (!options->node_name) {
        error_setg(errp, "'node-name' must be specified for the root node");
        return;
    }
    bs = bdrv_open_blockdev(options, errp);
    if (bs) {
        bdrv_set_monitor_owned(bs, true);
    }
}

/* QEMU's op blocker on a backing: refuse to act on @bs while it is one. */
static bool check_not_backing(BlockDriverState *bs, Error **errp)
{
    BlockDriverState *p = NULL;

    while ((p = bdrv_next_all_states(p))) {
        if (p->backing && p->backing->bs == bs) {
            error_setg(errp, "Node '%s' is busy: node is used as backing hd "
                       "of '%s'", bdrv_get_node_name(bs),
                       bdrv_get_node_name(p));
            return false;
        }
    }
    return true;
}

void qmp_blockdev_del(const char *node_name, Error **errp)
{
    BlockDriverState *bs = bdrv_find_node(node_name);

    if (!bs) {
        error_setg(errp, "Failed to find node with node-name='%s'", node_name);
        return;
    }
    if (bdrv_has_blk(bs)) {
        error_setg(errp, "Node %s is in use", node_name);
        return;
    }
    if (!check_not_backing(bs, errp)) {
        return;
    }
    if (!bdrv_is_monitor_owned(bs)) {
        error_setg(errp, "Node %s is not owned by the monitor", node_name);
        return;
    }
    if (bdrv_has_parents(bs)) {
        error_setg(errp, "Block device %s is in use", node_name);
        return;
    }
    /* The last reference: bdrv_unref drains, flushes and closes. */
    bdrv_set_monitor_owned(bs, false);
    bdrv_unref(bs);
}

/* QEMU's bdrv_lookup_bs: a backend's root by device name, or a node. */
static BlockDriverState *lookup_bs(const char *device, const char *node_name,
                                   BlockBackend **pblk, Error **errp)
{
    *pblk = NULL;
    if (device) {
        BlockBackend *blk = blk_by_name(device);
        if (blk) {
            if (!blk_bs(blk)) {
                error_setg(errp, "Device '%s' has no medium", device);
                return NULL;
            }
            *pblk = blk;
            return blk_bs(blk);
        }
    }
    if (node_name) {
        BlockDriverState *bs = bdrv_find_node(node_name);
        if (bs) {
            return bs;
        }
    }
    error_setg(errp, "Cannot find device=\'%s\' nor node-name=\'%s\'",
               device ? device : "", node_name ? node_name : "");
    return NULL;
}

/*
 * A node added with blockdev-add becomes the top of @node's chain: what
 * read @node reads through @overlay from now on, and writes go there.
 * QEMU's checks and messages, in its order.
 */
void qmp_blockdev_snapshot(const char *node, const char *overlay,
                           Error **errp)
{
    BlockBackend *blk;
    BlockDriverState *bs, *ov;

    bs = lookup_bs(node, node, &blk, errp);
    if (!bs) {
        return;
    }
    ov = lookup_bs(overlay, overlay, &blk, errp);
    if (!ov) {
        return;
    }
    if (!check_not_backing(bs, errp)) {
        return;
    }
    if (bdrv_has_parents(ov)) {
        error_setg(errp, "The overlay is already in use");
        return;
    }
    if (!ov->drv->supports_backing) {
        error_setg(errp, "The overlay does not support backing images");
        return;
    }
    if (ov->backing) {
        error_setg(errp, "The overlay already has a backing image");
        return;
    }
    bdrv_append(ov, bs, errp);
}

void qmp_block_resize(const char *device, const char *node_name, int64_t size,
                      Error **errp)
{
    BlockBackend *blk;
    BlockDriverState *bs = lookup_bs(device, node_name, &blk, errp);

    if (!bs) {
        return;
    }
    if (size < 0) {
        error_setg(errp, "Parameter 'size' expects a >0 size");
        return;
    }
    bdrv_drained_begin(bs);
    if (blk) {
        blk_truncate(blk, size, errp);
    } else {
        bdrv_truncate(bs, size, errp);
    }
    bdrv_drained_end(bs);
}

/* ---- -blockdev ------------------------------------------------------------ */

bool blockdev_option_add(const char *optarg, Error **errp)
{
    bool json = optarg[0] == '{';
    QDict *args;
    Visitor *v;
    BlockdevOptions *o = NULL;
    bool ok = false;

    args = json ? qdict_from_json(optarg, errp)
                : keyval_parse(optarg, "driver", NULL, errp);
    if (!args) {
        return false;
    }
    v = json ? qobject_input_visitor_new(QOBJECT(args))
             : qobject_input_visitor_new_keyval(QOBJECT(args));
    if (visit_type_BlockdevOptions(v, NULL, &o, errp)) {
        Error *err = NULL;
        qmp_blockdev_add(o, &err);
        ok = !err;
        error_propagate(errp, err);
    }
    visit_free(v);
    qapi_free_BlockdevOptions(o);
    qobject_unref(args);
    return ok;
}

/* ---- -drive (if=none) ------------------------------------------------------ */

/* @name: the option as the user spelt it, for the error (cache.direct). */
static bool parse_on_off_named(QDict *d, const char *key, const char *name,
                               bool def, bool *out, Error **errp)
{
    const char *v = qdict_get_try_str(d, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!strcmp(v, "on")) {
        *out = true;
    } else if (!strcmp(v, "off")) {
        *out = false;
    } else {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
        return false;
    }
    qdict_del(d, key);
    return true;
}

static bool parse_on_off(QDict *d, const char *key, bool def, bool *out,
                         Error **errp)
{
    return parse_on_off_named(d, key, key, def, out, errp);
}

static bool parse_on_error(QDict *d, const char *key, bool is_read,
                           BlockdevOnError def, BlockdevOnError *out,
                           Error **errp)
{
    const char *v = qdict_get_try_str(d, key);

    *out = def;
    if (!v) {
        return true;
    }
    if (!strcmp(v, "ignore")) {
        *out = BLOCKDEV_ON_ERROR_IGNORE;
    } else if (!strcmp(v, "stop")) {
        *out = BLOCKDEV_ON_ERROR_STOP;
    } else if (!strcmp(v, "report")) {
        *out = BLOCKDEV_ON_ERROR_REPORT;
    } else if (!strcmp(v, "enospc") && !is_read) {
        *out = BLOCKDEV_ON_ERROR_ENOSPC;
    } else {
        error_setg(errp, "'%s' invalid %s error action", v,
                   is_read ? "read" : "write");
        return false;
    }
    qdict_del(d, key);
    return true;
}

BlockBackend *drive_new(QDict *opts, Error **errp)
{
    ERRP_GUARD();
    g_autoptr(QDict) d = qdict_clone_shallow(opts);
    const char *file, *format, *iface, *id, *cache, *aio;
    g_autofree char *gen_id = NULL;
    BlockdevOnError on_read, on_write;
    bool readonly, wce = true;
    int flags = 0;
    BlockDriverState *bs;
    BlockBackend *blk;
    const QDictEntry *e;
    static int none_index;

    iface = qdict_get_try_str(d, "if");
    if (!iface || strcmp(iface, "none")) {
        error_setg(errp, "if=%s is not supported: qcore has only if=none "
                   "(attach with -device virtio-blk-device,drive=ID)",
                   iface ? iface : "<machine default>");
        return NULL;
    }
    qdict_del(d, "if");
    id = qdict_get_try_str(d, "id");
    if (id && !id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }
    if (!id) {
        /* QEMU names an anonymous if=none drive "none<index>". */
        gen_id = g_strdup_printf("none%d", none_index++);
        id = gen_id;
    }
    if (blk_by_name(id)) {
        error_setg(errp, "Duplicate ID '%s' for drive", id);
        return NULL;
    }

    cache = qdict_get_try_str(d, "cache");
    if (cache) {
        if (!strcmp(cache, "writeback")) {
            /* the default */
        } else if (!strcmp(cache, "none")) {
            flags |= BDRV_O_NOCACHE;
        } else if (!strcmp(cache, "writethrough")) {
            wce = false;
        } else if (!strcmp(cache, "directsync")) {
            flags |= BDRV_O_NOCACHE;
            wce = false;
        } else if (!strcmp(cache, "unsafe")) {
            flags |= BDRV_O_NO_FLUSH;
        } else {
            error_setg(errp, "invalid cache option");
            return NULL;
        }
    }
    /* The dotted form: cache.direct=, cache.no-flush= (crumpled). */
    if (qdict_haskey(d, "cache") &&
        qobject_type(qdict_get(d, "cache")) == QTYPE_QDICT) {
        QDict *c = qdict_get_qdict(d, "cache");
        bool direct, no_flush;

        if (!parse_on_off_named(c, "direct", "cache.direct", false, &direct,
                                errp) ||
            !parse_on_off_named(c, "no-flush", "cache.no-flush", false,
                                &no_flush, errp)) {
            return NULL;
        }
        if (qdict_size(c)) {
            const char *fmt = qdict_get_try_str(d, "format");

            error_setg(errp, "Block format '%s' does not support the option "
                       "'cache.%s'", fmt ? fmt : "raw",
                       qdict_entry_key(qdict_first(c)));
            return NULL;
        }
        flags |= (direct ? BDRV_O_NOCACHE : 0) |
                 (no_flush ? BDRV_O_NO_FLUSH : 0);
        qdict_del(d, "cache");
    }
    aio = qdict_get_try_str(d, "aio");
    if (aio) {
        if (!strcmp(aio, "native")) {
            if (!(flags & BDRV_O_NOCACHE)) {
                error_setg(errp, "aio=native was specified, but it requires "
                           "cache.direct=on, which was not specified.");
                return NULL;
            }
            flags |= BDRV_O_NATIVE_AIO;
        } else if (!strcmp(aio, "io_uring")) {
            flags |= BDRV_O_IO_URING;
        } else if (strcmp(aio, "threads")) {
            error_setg(errp, "invalid aio option");
            return NULL;
        }
    }
    if (!parse_on_off(d, "readonly", false, &readonly, errp) ||
        !parse_on_error(d, "werror", false, BLOCKDEV_ON_ERROR_ENOSPC,
                        &on_write, errp) ||
        !parse_on_error(d, "rerror", true, BLOCKDEV_ON_ERROR_REPORT,
                        &on_read, errp)) {
        return NULL;
    }
    if (!readonly) {
        flags |= BDRV_O_RDWR;
    }
    {
        const char *discard = qdict_get_try_str(d, "discard");

        if (discard) {
            if (!strcmp(discard, "unmap") || !strcmp(discard, "on")) {
                flags |= BDRV_O_UNMAP;
            } else if (strcmp(discard, "ignore") && strcmp(discard, "off")) {
                error_setg(errp, "Invalid discard option");
                return NULL;
            }
        }
    }
    format = qdict_get_try_str(d, "format");
    if (format && !bdrv_find_format(format)) {
        error_setg(errp, "Unknown driver '%s'", format);
        return NULL;
    }
    file = qdict_get_try_str(d, "file");
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        const char *k = qdict_entry_key(e);
        if (strcmp(k, "file") && strcmp(k, "format") && strcmp(k, "id") &&
            strcmp(k, "cache") && strcmp(k, "aio") &&
            strcmp(k, "discard") && strcmp(k, "node-name")) {
            error_setg(errp, "Block format '%s' does not support the option "
                       "'%s'", format ? format : "raw", k);
            return NULL;
        }
    }
    if (!file || !file[0]) {
        /* QEMU allows an empty drive for removable media; none here. */
        error_setg(errp, "-drive without file= is not supported (no "
                   "removable media)");
        return NULL;
    }

    {
        QDict *bo = qdict_new();
        const char *nn = qdict_get_try_str(d, "node-name");

        if (format) {
            qdict_put_str(bo, "driver", format);
        }
        if (nn) {
            qdict_put_str(bo, "node-name", nn);
        }
        bs = bdrv_open(file, NULL, bo, flags, errp);
    }
    if (!bs) {
        return NULL;
    }
    if (!format && !strcmp(bdrv_get_format_name(bs), "raw")) {
        /*
         * QEMU's exact text.  (QEMU then refuses guest writes to block 0
         * that would make the image probe as another format; qcore does
         * not restrict them.)
         */
        error_printf("WARNING: Image format was not specified for '%s' and "
                     "probing guessed raw.\n         Automatically detecting "
                     "the format is dangerous for raw images, write "
                     "operations on block 0 will be restricted.\n"
                     "         Specify the 'raw' format explicitly to remove "
                     "the restrictions.\n", file);
    }
    blk = blk_new(qemu_get_aio_context(), BLK_PERM_ALL, BLK_PERM_ALL);
    blk_insert_bs(blk, bs, &error_abort);
    bdrv_unref(bs);
    if (!monitor_add_blk(blk, id, errp)) {
        blk_unref(blk);
        return NULL;
    }
    blk_set_on_error(blk, on_read, on_write);
    blk_set_enable_write_cache(blk, wce);
    /* -drive turns both on (QEMU's stats-account-invalid/-failed). */
    block_acct_setup(blk_get_stats(blk), true, true);
    return blk;
}

void blockdev_close_all(void)
{
    BlockBackend *blk;

    /* Backends made by -drive are the monitor's; devices hold others. */
    while ((blk = blk_next(NULL))) {
        monitor_remove_blk(blk);
        blk_unref(blk);
    }
    bdrv_close_all();
}
