/*
 * The "raw" format: the guest sees its file child's bytes, optionally a
 * window of them (offset=, size=).  Corresponds to QEMU's
 * block/raw-format.c.
 */
#include "qcore/osdep.h"
#include "block_int.h"

typedef struct BDRVRawFmtState {
    uint64_t offset;
    uint64_t size;
    bool has_size;
} BDRVRawFmtState;

static int raw_fmt_probe(const uint8_t *buf, int buf_size,
                         const char *filename)
{
    /* Anything is raw, with the lowest score: the fallback. */
    return 1;
}

static int raw_fmt_open(BlockDriverState *bs, BlockdevOptions *opts,
                        int flags, Error **errp)
{
    BDRVRawFmtState *s = bs->opaque;
    BlockdevOptionsRaw *o = &opts->u.raw;
    int64_t len;

    if (!bdrv_open_child(o->file, bs, "file", flags, errp)) {
        return -EINVAL;
    }
    len = bdrv_getlength(bs->file->bs);
    if (len < 0) {
        error_setg_errno(errp, -len, "Could not determine image size");
        return len;
    }
    if (o->has_offset && o->offset < 0) {
        error_setg(errp, "offset cannot be negative");
        return -EINVAL;
    }
    if (o->has_size && o->size < 0) {
        error_setg(errp, "size cannot be negative");
        return -EINVAL;
    }
    s->offset = o->has_offset ? o->offset : 0;
    s->has_size = o->has_size;
    s->size = o->has_size ? o->size : 0;
    if (s->offset > (uint64_t)len ||
        (s->has_size && s->size > (uint64_t)len - s->offset)) {
        error_setg(errp, "The sum of offset (%" PRIu64 ") and size "
                   "(%" PRIu64 ") has to be smaller or equal to the "
                   " actual size of the containing file (%" PRId64 ")",
                   s->offset, s->size, len);
        return -EINVAL;
    }
    if (s->has_size && !QEMU_IS_ALIGNED(s->size, BDRV_SECTOR_SIZE)) {
        error_setg(errp, "Specified size is not multiple of %llu",
                   BDRV_SECTOR_SIZE);
        return -EINVAL;
    }
    return 0;
}

/* A request inside the window, or -EINVAL/-ENOSPC past its end. */
static int raw_adjust(BlockDriverState *bs, int64_t *offset, int64_t bytes,
                      bool is_write)
{
    BDRVRawFmtState *s = bs->opaque;

    if (s->has_size && (*offset > (int64_t)s->size ||
                        bytes > (int64_t)s->size - *offset)) {
        return is_write ? -ENOSPC : -EINVAL;
    }
    *offset += s->offset;
    return 0;
}

static int coroutine_fn raw_fmt_co_preadv(BlockDriverState *bs,
                                          int64_t offset, int64_t bytes,
                                          QEMUIOVector *qiov,
                                          BdrvRequestFlags flags)
{
    int ret = raw_adjust(bs, &offset, bytes, false);

    return ret < 0 ? ret : bdrv_co_preadv(bs->file, offset, bytes, qiov,
                                          flags);
}

static int coroutine_fn raw_fmt_co_pwritev(BlockDriverState *bs,
                                           int64_t offset, int64_t bytes,
                                           QEMUIOVector *qiov,
                                           BdrvRequestFlags flags)
{
    int ret = raw_adjust(bs, &offset, bytes, true);

    return ret < 0 ? ret : bdrv_co_pwritev(bs->file, offset, bytes, qiov,
                                           flags);
}

static int coroutine_fn raw_fmt_co_pwrite_zeroes(BlockDriverState *bs,
                                                 int64_t offset,
                                                 int64_t bytes,
                                                 BdrvRequestFlags flags)
{
    int ret = raw_adjust(bs, &offset, bytes, true);

    return ret < 0 ? ret : bdrv_co_pwrite_zeroes(bs->file, offset, bytes,
                                                 flags);
}

static int coroutine_fn raw_fmt_co_pdiscard(BlockDriverState *bs,
                                            int64_t offset, int64_t bytes)
{
    int ret = raw_adjust(bs, &offset, bytes, true);

    return ret < 0 ? ret : bdrv_co_pdiscard(bs->file, offset, bytes);
}

static int64_t raw_fmt_getlength(BlockDriverState *bs)
{
    BDRVRawFmtState *s = bs->opaque;
    int64_t len;

    if (s->has_size) {
        return s->size;
    }
    len = bdrv_getlength(bs->file->bs);
    return len < 0 ? len : MAX(len - (int64_t)s->offset, 0);
}

static int coroutine_fn raw_fmt_co_truncate(BlockDriverState *bs,
                                            int64_t offset, Error **errp)
{
    BDRVRawFmtState *s = bs->opaque;

    if (s->has_size) {
        error_setg(errp, "Cannot resize fixed-size raw disks");
        return -ENOTSUP;
    }
    return bdrv_co_truncate(bs->file, offset + s->offset, errp);
}

static BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(BDRVRawFmtState),
    .is_format = true,
    .is_filter = true,
    .bdrv_probe = raw_fmt_probe,
    .bdrv_open = raw_fmt_open,
    .bdrv_co_preadv = raw_fmt_co_preadv,
    .bdrv_co_pwritev = raw_fmt_co_pwritev,
    .bdrv_co_pwrite_zeroes = raw_fmt_co_pwrite_zeroes,
    .bdrv_co_pdiscard = raw_fmt_co_pdiscard,
    .bdrv_co_truncate = raw_fmt_co_truncate,
    .bdrv_getlength = raw_fmt_getlength,
};

static void bdrv_raw_init(void)
{
    bdrv_register(&bdrv_raw);
}

block_init(bdrv_raw_init);
