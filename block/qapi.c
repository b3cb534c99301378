/*
 * What the monitor reports about nodes and backends: query-block's
 * BlockInfo, query-named-block-nodes' BlockDeviceInfo, ImageInfo and
 * query-blockstats' BlockStats.  Corresponds to QEMU's block/qapi.c.
 */
#include "qcore/osdep.h"
#include "qapi/qapi-commands.h"
#include "block_int.h"

void raw_file_get_discard_stats(BlockDriverState *bs, uint64_t *nb_ok,
                                uint64_t *nb_failed, uint64_t *bytes_ok);

ImageInfo *bdrv_query_image_info(BlockDriverState *bs, bool flat,
                                 Error **errp)
{
    ImageInfo *info = g_new0(ImageInfo, 1);
    int64_t size = bdrv_getlength(bs);
    int64_t actual = bdrv_get_allocated_file_size(bs);

    if (size < 0) {
        error_setg_errno(errp, -size, "Can't get image size '%s'",
                         bs->filename);
        qapi_free_ImageInfo(info);
        return NULL;
    }
    info->filename = g_strdup(bs->filename);
    info->format = g_strdup(bs->drv->format_name);
    info->virtual_size = size;
    info->has_dirty_flag = true;
    info->dirty_flag = false;
    if (actual >= 0) {
        info->has_actual_size = true;
        info->actual_size = actual;
    }
    if (bs->drv->bdrv_get_info) {
        bs->drv->bdrv_get_info(bs, info);
    }
    if (bs->backing_file[0]) {
        info->backing_filename = g_strdup(bs->backing_file);
        if (bs->backing) {
            info->full_backing_filename =
                g_strdup(bs->backing->bs->filename);
        }
        if (bs->backing_format[0]) {
            info->backing_filename_format = g_strdup(bs->backing_format);
        }
    }
    if (!flat && bs->backing) {
        info->backing_image = bdrv_query_image_info(bs->backing->bs, false,
                                                    NULL);
    }
    return info;
}

BlockDeviceInfo *bdrv_block_device_info(BlockDriverState *bs, bool flat,
                                        Error **errp)
{
    BlockDeviceInfo *info = g_new0(BlockDeviceInfo, 1);
    BlockDriverState *b;

    info->file = g_strdup(bs->filename);
    info->ro = bs->read_only;
    info->drv = g_strdup(bs->drv->format_name);
    info->encrypted = false;
    info->node_name = g_strdup(bs->node_name);
    if (bs->backing_file[0]) {
        info->backing_file = g_strdup(bs->backing_file);
    }
    /* QEMU counts the chain only when it describes it (not flat). */
    for (b = bs; !flat && b->backing; b = b->backing->bs) {
        info->backing_file_depth++;
    }
    info->detect_zeroes = bs->detect_zeroes;
    info->cache = g_new0(BlockdevCacheInfo, 1);
    info->cache->writeback = true;
    info->cache->direct = bs->open_flags & BDRV_O_NOCACHE;
    info->cache->no_flush = bs->open_flags & BDRV_O_NO_FLUSH;
    info->image = bdrv_query_image_info(bs, flat, errp);
    if (!info->image) {
        qapi_free_BlockDeviceInfo(info);
        return NULL;
    }
    return info;
}

BlockStats *bdrv_query_bds_stats(BlockDriverState *bs, bool blk_level)
{
    BlockStats *s = g_new0(BlockStats, 1);

    s->stats = g_new0(BlockDeviceStats, 1);
    if (!bs) {
        return s;
    }
    s->node_name = g_strdup(bs->node_name);
    s->stats->wr_highest_offset = qatomic_read(&bs->wr_highest_offset);
    if (!strcmp(bs->drv->format_name, "file")) {
        BlockStatsSpecificFile *f;

        s->driver_specific = g_new0(BlockStatsSpecific, 1);
        s->driver_specific->driver = BLOCKDEV_DRIVER_FILE;
        f = &s->driver_specific->u.file;
        raw_file_get_discard_stats(bs, &f->discard_nb_ok,
                                   &f->discard_nb_failed,
                                   &f->discard_bytes_ok);
    }
    if (bs->file) {
        s->parent = bdrv_query_bds_stats(bs->file->bs, blk_level);
    }
    if (blk_level && bs->backing) {
        s->backing = bdrv_query_bds_stats(bs->backing->bs, blk_level);
    }
    return s;
}

/* A backend's own counters into @ds (QEMU's bdrv_query_blk_stats). */
static void query_blk_stats(BlockDeviceStats *ds, BlockBackend *blk)
{
    BlockAcctStats *st = blk_get_stats(blk);

    qemu_mutex_lock(&st->lock);
    ds->rd_bytes = st->nr_bytes[BLOCK_ACCT_READ];
    ds->wr_bytes = st->nr_bytes[BLOCK_ACCT_WRITE];
    ds->unmap_bytes = st->nr_bytes[BLOCK_ACCT_UNMAP];
    ds->rd_operations = st->nr_ops[BLOCK_ACCT_READ];
    ds->wr_operations = st->nr_ops[BLOCK_ACCT_WRITE];
    ds->flush_operations = st->nr_ops[BLOCK_ACCT_FLUSH];
    ds->unmap_operations = st->nr_ops[BLOCK_ACCT_UNMAP];
    ds->failed_rd_operations = st->failed_ops[BLOCK_ACCT_READ];
    ds->failed_wr_operations = st->failed_ops[BLOCK_ACCT_WRITE];
    ds->failed_flush_operations = st->failed_ops[BLOCK_ACCT_FLUSH];
    ds->failed_unmap_operations = st->failed_ops[BLOCK_ACCT_UNMAP];
    ds->invalid_rd_operations = st->invalid_ops[BLOCK_ACCT_READ];
    ds->invalid_wr_operations = st->invalid_ops[BLOCK_ACCT_WRITE];
    ds->invalid_flush_operations = st->invalid_ops[BLOCK_ACCT_FLUSH];
    ds->invalid_unmap_operations = st->invalid_ops[BLOCK_ACCT_UNMAP];
    ds->rd_merged = st->merged[BLOCK_ACCT_READ];
    ds->wr_merged = st->merged[BLOCK_ACCT_WRITE];
    ds->unmap_merged = st->merged[BLOCK_ACCT_UNMAP];
    ds->rd_total_time_ns = st->total_time_ns[BLOCK_ACCT_READ];
    ds->wr_total_time_ns = st->total_time_ns[BLOCK_ACCT_WRITE];
    ds->flush_total_time_ns = st->total_time_ns[BLOCK_ACCT_FLUSH];
    ds->unmap_total_time_ns = st->total_time_ns[BLOCK_ACCT_UNMAP];
    ds->account_invalid = st->account_invalid;
    ds->account_failed = st->account_failed;
    if (st->last_access_time_ns) {
        ds->has_idle_time_ns = true;
        ds->idle_time_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) -
                           st->last_access_time_ns;
    }
    qemu_mutex_unlock(&st->lock);
}

/* Backends query-block lists: named ones and those a device holds. */
static bool blk_listed(BlockBackend *blk)
{
    return blk_name(blk)[0] || blk_get_attached_dev(blk);
}

BlockInfoList *qmp_query_block(Error **errp)
{
    BlockInfoList *head = NULL, **tail = &head;
    BlockBackend *blk = NULL;

    while ((blk = blk_all_next(blk))) {
        if (blk_listed(blk)) {
            QAPI_LIST_APPEND(tail, blk_query_info(blk));
        }
    }
    return head;
}

BlockDeviceInfoList *qmp_query_named_block_nodes(bool has_flat, bool flat,
                                                 Error **errp)
{
    BlockDeviceInfoList *head = NULL;
    BlockDriverState *bs = NULL;

    /* Prepended, so the newest node comes first, as in QEMU. */
    while ((bs = bdrv_next_node(bs))) {
        BlockDeviceInfo *info = bdrv_block_device_info(bs, has_flat && flat,
                                                       errp);
        if (!info) {
            qapi_free_BlockDeviceInfoList(head);
            return NULL;
        }
        QAPI_LIST_PREPEND(head, info);
    }
    return head;
}

BlockStatsList *qmp_query_blockstats(bool has_query_nodes, bool query_nodes,
                                     Error **errp)
{
    BlockStatsList *head = NULL, **tail = &head;

    if (has_query_nodes && query_nodes) {
        BlockDriverState *bs = NULL;

        while ((bs = bdrv_next_node(bs))) {
            QAPI_LIST_APPEND(tail, bdrv_query_bds_stats(bs, false));
        }
    } else {
        BlockBackend *blk = NULL;

        while ((blk = blk_all_next(blk))) {
            BlockStats *s;

            if (!blk_listed(blk)) {
                continue;
            }
            s = bdrv_query_bds_stats(blk_bs(blk), true);
            s->device = g_strdup(blk_name(blk));
            if (blk_get_dev_id(blk)) {
                s->qdev = g_strdup(blk_get_dev_id(blk));
            }
            query_blk_stats(s->stats, blk);
            QAPI_LIST_APPEND(tail, s);
        }
    }
    return head;
}
