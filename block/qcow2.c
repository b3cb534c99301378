/*
 * The qcow2 format, versions 2 and 3: two-level cluster mapping (L1/L2),
 * 16-bit refcounts with on-demand refcount blocks and table growth,
 * copy-on-write from a backing file, and grow-only resize.  No
 * compression, encryption, external data files, extended L2 entries or
 * internal snapshot management: images that need them are refused with
 * an error naming the feature.  Metadata is written through (no cache),
 * so a flush is the file's flush.  Corresponds to QEMU's block/qcow2.c,
 * qcow2-cluster.c and qcow2-refcount.c.
 */
#include "qcore/osdep.h"
#include "block_int.h"

#define QCOW_MAGIC 0x514649fb   /* "QFI\xfb" */

#define QCOW2_INCOMPAT_DIRTY        (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT      (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE    (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION  (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2        (1ULL << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ULL << 0)

#define QCOW2_EXT_MAGIC_END           0
#define QCOW2_EXT_MAGIC_BACKING_FORMAT 0xe2792aca
#define QCOW2_EXT_MAGIC_DATA_FILE     0x44415441

#define L1E_OFFSET_MASK        0x00fffffffffffe00ULL
#define L2E_OFFSET_MASK        0x00fffffffffffe00ULL
#define REFT_OFFSET_MASK       0xfffffffffffffe00ULL
#define QCOW_OFLAG_COPIED      (1ULL << 63)
#define QCOW_OFLAG_COMPRESSED  (1ULL << 62)
#define QCOW_OFLAG_ZERO        (1ULL << 0)

/* Offsets of the header fields we rewrite. */
#define HDR_SIZE_OFFSET        24
#define HDR_L1_SIZE_OFFSET     36   /* l1_size, then l1_table_offset */
#define HDR_REFT_OFFSET        48   /* offset, then clusters */
#define HDR_AUTOCLEAR_OFFSET   88

/* Bounds on what an image may make us allocate (as QEMU's). */
#define QCOW_MAX_L1_SIZE       (32 * 1024 * 1024)
#define QCOW_MAX_REFTABLE_SIZE (8 * 1024 * 1024)

typedef struct QCowHeader {
    uint32_t magic;
    uint32_t version;
    uint64_t backing_file_offset;
    uint32_t backing_file_size;
    uint32_t cluster_bits;
    uint64_t size;
    uint32_t crypt_method;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    /* version 3 */
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t refcount_order;
    uint32_t header_length;
} QEMU_PACKED QCowHeader;

/*
 * A few L2 tables kept in memory (big-endian, as on disk), so a lookup is
 * not a read of the file each time.  Write-through: every entry written
 * to the file is updated here; a freed cluster leaves the cache.
 */
#define L2_CACHE_MAX   16
#define L2_CACHE_BYTES (1 << 20)

typedef struct L2CacheEntry {
    uint64_t offset;            /* host offset of the table; 0: empty */
    uint64_t *table;
    uint64_t last_use;
} L2CacheEntry;

typedef struct BDRVQcow2State {
    /* Constant after open: */
    int version;
    int cluster_bits;
    int cluster_size;
    int l2_bits;                /* entries per L2 table: 1 << l2_bits */
    int rb_bits;                /* entries per refcount block */
    uint64_t size;              /* guest size; lock to change */
    uint32_t compression_type;

    /*
     * Metadata: lock.  The tables are host-endian copies of what is on
     * disk; every change is written through before the lock is dropped.
     */
    CoMutex lock;
    uint64_t *l1_table;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t *refcount_table;
    uint32_t refcount_table_size;   /* entries */
    uint64_t refcount_table_offset;
    /* Lowest cluster index that may be free. */
    int64_t free_cluster_index;
    L2CacheEntry l2_cache[L2_CACHE_MAX];
    int l2_cache_size;
    uint64_t l2_cache_clock;
} BDRVQcow2State;

static int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    return buf_size >= 8 && ldl_be_p(buf) == QCOW_MAGIC &&
           ldl_be_p(buf + 4) >= 2 ? 100 : 0;
}

static inline int64_t offset_into_cluster(BDRVQcow2State *s, int64_t off)
{
    return off & (s->cluster_size - 1);
}

static inline int64_t size_to_clusters(BDRVQcow2State *s, int64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

static inline uint32_t l1_entries_for(BDRVQcow2State *s, uint64_t size)
{
    int shift = s->cluster_bits + s->l2_bits;

    return DIV_ROUND_UP(size, 1ULL << shift);
}

/* ---- raw metadata I/O through the file child --------------------------- */

static int coroutine_fn write_be64(BlockDriverState *bs, int64_t off,
                                   uint64_t val)
{
    uint64_t be = cpu_to_be64(val);

    return bdrv_co_pwrite(bs->file, off, 8, &be, 0);
}

/* ---- refcounts --------------------------------------------------------- */

static int coroutine_fn get_refcount(BlockDriverState *bs, int64_t index,
                                     uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rt_index = index >> s->rb_bits;
    uint64_t block;
    uint16_t be;
    int ret;

    *refcount = 0;
    if (rt_index >= s->refcount_table_size) {
        return 0;
    }
    block = s->refcount_table[rt_index] & REFT_OFFSET_MASK;
    if (!block) {
        return 0;
    }
    ret = bdrv_co_pread(bs->file,
                        block + 2 * (index & ((1 << s->rb_bits) - 1)), 2,
                        &be, 0);
    if (ret < 0) {
        return ret;
    }
    *refcount = be16_to_cpu(be);
    return 0;
}

/*
 * Find @n consecutive clusters with refcount 0 from free_cluster_index and
 * reserve them (free_cluster_index moves past them; their refcounts are
 * the caller's to raise).  Returns the first index or -errno.
 */
static int64_t coroutine_fn find_free_clusters(BlockDriverState *bs,
                                               int64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t start = s->free_cluster_index, i;

    for (i = start; i - start < n; i++) {
        uint64_t rc;
        int ret = get_refcount(bs, i, &rc);

        if (ret < 0) {
            return ret;
        }
        if (rc) {
            start = i + 1;
        }
    }
    s->free_cluster_index = start + n;
    return start;
}

static int coroutine_fn update_refcount(BlockDriverState *bs, int64_t index,
                                        int delta);

/*
 * Grow the refcount table so that index @rt_index exists: a new, larger
 * table in fresh clusters, the header switched to it, the old one freed.
 */
static int coroutine_fn grow_refcount_table(BlockDriverState *bs,
                                            uint64_t rt_index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t entries = MAX(rt_index + 1, s->refcount_table_size * 2);
    int64_t clusters, start, old_clusters;
    uint64_t old_offset = s->refcount_table_offset;
    uint64_t *table;
    uint8_t hdr[12];
    int ret;

    for (;;) {
        clusters = size_to_clusters(s, entries * 8);
        entries = clusters * s->cluster_size / 8;
        /* The table must also describe where it lands (at the end). */
        if (((s->free_cluster_index + clusters + 2) >> s->rb_bits) < entries) {
            break;
        }
        entries *= 2;
    }
    if (entries * 8 > QCOW_MAX_REFTABLE_SIZE) {
        return -EFBIG;
    }
    start = find_free_clusters(bs, clusters);
    if (start < 0) {
        return start;
    }
    table = g_malloc0(clusters * s->cluster_size);
    for (uint32_t i = 0; i < s->refcount_table_size; i++) {
        table[i] = cpu_to_be64(s->refcount_table[i]);
    }
    ret = bdrv_co_pwrite(bs->file, start << s->cluster_bits,
                         clusters * s->cluster_size, table, 0);
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    /* The file must hold the new table before the header points at it. */
    ret = bdrv_co_flush(bs->file->bs);
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    stq_be_p(hdr, start << s->cluster_bits);
    stl_be_p(hdr + 8, clusters);
    ret = bdrv_co_pwrite(bs->file, HDR_REFT_OFFSET, 12, hdr, 0);
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    for (int64_t i = 0; i < (int64_t)entries; i++) {
        table[i] = be64_to_cpu(table[i]);
    }
    old_clusters = size_to_clusters(s, s->refcount_table_size * 8);
    g_free(s->refcount_table);
    s->refcount_table = table;
    s->refcount_table_size = entries;
    s->refcount_table_offset = start << s->cluster_bits;

    for (int64_t i = 0; i < clusters; i++) {
        ret = update_refcount(bs, start + i, 1);
        if (ret < 0) {
            return ret;
        }
    }
    for (int64_t i = 0; i < old_clusters; i++) {
        ret = update_refcount(bs, (old_offset >> s->cluster_bits) + i, -1);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/*
 * A new refcount block for table entry @rt_index.  When the block lands
 * in the range it describes, it carries its own refcount; otherwise its
 * refcount goes in another block (recursively).
 */
static int coroutine_fn alloc_refblock(BlockDriverState *bs,
                                       uint64_t rt_index)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t idx = find_free_clusters(bs, 1);
    uint16_t *block;
    bool self = false;
    int ret;

    if (idx < 0) {
        return idx;
    }
    block = g_malloc0(s->cluster_size);
    if ((uint64_t)(idx >> s->rb_bits) == rt_index) {
        block[idx & ((1 << s->rb_bits) - 1)] = cpu_to_be16(1);
        self = true;
    }
    ret = bdrv_co_pwrite(bs->file, idx << s->cluster_bits, s->cluster_size,
                         block, 0);
    g_free(block);
    /* Likewise the refcount table and a new block. */
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret < 0) {
        return ret;
    }
    ret = write_be64(bs, s->refcount_table_offset + 8 * rt_index,
                     idx << s->cluster_bits);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[rt_index] = idx << s->cluster_bits;
    return self ? 0 : update_refcount(bs, idx, 1);
}

static int coroutine_fn update_refcount(BlockDriverState *bs, int64_t index,
                                        int delta)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rt_index = index >> s->rb_bits;
    uint64_t block, off;
    uint16_t be;
    int64_t rc;
    int ret;

    if (rt_index >= s->refcount_table_size) {
        ret = grow_refcount_table(bs, rt_index);
        if (ret < 0) {
            return ret;
        }
    }
    if (!(s->refcount_table[rt_index] & REFT_OFFSET_MASK)) {
        ret = alloc_refblock(bs, rt_index);
        if (ret < 0) {
            return ret;
        }
    }
    block = s->refcount_table[rt_index] & REFT_OFFSET_MASK;
    off = block + 2 * (index & ((1 << s->rb_bits) - 1));
    ret = bdrv_co_pread(bs->file, off, 2, &be, 0);
    if (ret < 0) {
        return ret;
    }
    rc = (int64_t)be16_to_cpu(be) + delta;
    if (rc < 0 || rc > 0xffff) {
        return -EINVAL;
    }
    be = cpu_to_be16(rc);
    ret = bdrv_co_pwrite(bs->file, off, 2, &be, 0);
    if (ret < 0) {
        return ret;
    }
    if (rc == 0 && index < s->free_cluster_index) {
        s->free_cluster_index = index;
    }
    return 0;
}

/* @n fresh clusters with refcount 1; returns the host offset or -errno. */
static int64_t coroutine_fn alloc_clusters(BlockDriverState *bs, int64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t idx = find_free_clusters(bs, n);
    int ret;

    if (idx < 0) {
        return idx;
    }
    for (int64_t i = 0; i < n; i++) {
        ret = update_refcount(bs, idx + i, 1);
        if (ret < 0) {
            return ret;
        }
    }
    return idx << s->cluster_bits;
}

/* ---- the L2 cache (lock held) ------------------------------------------- */

static void l2_cache_drop(BDRVQcow2State *s, uint64_t offset)
{
    for (int i = 0; i < s->l2_cache_size; i++) {
        if (s->l2_cache[i].offset == offset) {
            s->l2_cache[i].offset = 0;
        }
    }
}

/* After writing entry @index of the table at @offset to the file. */
static void l2_cache_update(BDRVQcow2State *s, uint64_t offset, int index,
                            uint64_t entry)
{
    for (int i = 0; i < s->l2_cache_size; i++) {
        if (s->l2_cache[i].offset == offset) {
            s->l2_cache[i].table[index] = cpu_to_be64(entry);
        }
    }
}

/* The table at @offset, read in if needed (evicting the least used). */
static int coroutine_fn l2_cache_get(BlockDriverState *bs, uint64_t offset,
                                     uint64_t **table)
{
    BDRVQcow2State *s = bs->opaque;
    L2CacheEntry *victim = &s->l2_cache[0];
    int ret;

    for (int i = 0; i < s->l2_cache_size; i++) {
        L2CacheEntry *e = &s->l2_cache[i];

        if (e->offset == offset) {
            e->last_use = ++s->l2_cache_clock;
            *table = e->table;
            return 0;
        }
        if (e->last_use < victim->last_use || !e->offset) {
            victim = e;
        }
    }
    if (!victim->table) {
        victim->table = g_malloc(s->cluster_size);
    }
    victim->offset = 0;
    ret = bdrv_co_pread(bs->file, offset, s->cluster_size, victim->table, 0);
    if (ret < 0) {
        return ret;
    }
    victim->offset = offset;
    victim->last_use = ++s->l2_cache_clock;
    *table = victim->table;
    return 0;
}

static int coroutine_fn free_cluster(BlockDriverState *bs, uint64_t offset)
{
    BDRVQcow2State *s = bs->opaque;

    /* A freed L2 table's cluster may come back as anything else. */
    l2_cache_drop(s, offset);
    return update_refcount(bs, offset >> s->cluster_bits, -1);
}

/* ---- the cluster map ----------------------------------------------------- */

/*
 * Read the L2 entry of guest @offset into *entry (0 when no L2 table),
 * with the L2 table's host offset in *l2_offset.  Lock held.
 */
static int coroutine_fn get_l2_entry(BlockDriverState *bs, uint64_t offset,
                                     uint64_t *l2_offset, uint64_t *entry)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l2_index = (offset >> s->cluster_bits) & ((1 << s->l2_bits) - 1);
    uint64_t *table;
    int ret;

    *entry = 0;
    *l2_offset = 0;
    if (l1_index >= s->l1_size) {
        return 0;
    }
    *l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    if (!*l2_offset) {
        return 0;
    }
    if (offset_into_cluster(s, *l2_offset)) {
        return -EIO;    /* corrupt: misaligned L2 table */
    }
    ret = l2_cache_get(bs, *l2_offset, &table);
    if (ret < 0) {
        return ret;
    }
    *entry = be64_to_cpu(table[l2_index]);
    return 0;
}

typedef enum {
    QCOW2_UNALLOCATED,
    QCOW2_ZERO,
    QCOW2_NORMAL,
} Qcow2ClusterType;

static int entry_type(BDRVQcow2State *s, uint64_t entry)
{
    if (entry & QCOW_OFLAG_COMPRESSED) {
        return -ENOTSUP;
    }
    if (s->version >= 3 && (entry & QCOW_OFLAG_ZERO)) {
        return QCOW2_ZERO;
    }
    return (entry & L2E_OFFSET_MASK) ? QCOW2_NORMAL : QCOW2_UNALLOCATED;
}

/* Read guest bytes that no cluster of this image holds: backing or 0. */
static int coroutine_fn read_backing(BlockDriverState *bs, int64_t offset,
                                     int64_t bytes, QEMUIOVector *qiov,
                                     size_t qiov_offset)
{
    int64_t blen, n = 0;
    int ret = 0;

    if (bs->backing) {
        blen = bdrv_getlength(bs->backing->bs);
        if (blen < 0) {
            return blen;
        }
        n = MAX(MIN(bytes, blen - offset), 0);
        if (n > 0) {
            QEMUIOVector slice;

            qemu_iovec_init_slice(&slice, qiov, qiov_offset, n);
            ret = bdrv_co_preadv(bs->backing, offset, n, &slice, 0);
            qemu_iovec_destroy(&slice);
        }
    }
    qemu_iovec_memset(qiov, qiov_offset + n, 0, bytes - n);
    return ret;
}

static int coroutine_fn qcow2_co_preadv(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    size_t done = 0;
    int ret = 0;

    while (bytes > 0 && ret >= 0) {
        int64_t n = MIN(bytes, s->cluster_size - offset_into_cluster(s, offset));
        uint64_t l2_offset, entry;
        QEMUIOVector slice;
        int type;

        qemu_co_mutex_lock(&s->lock);
        ret = get_l2_entry(bs, offset, &l2_offset, &entry);
        qemu_co_mutex_unlock(&s->lock);
        if (ret < 0) {
            break;
        }
        type = entry_type(s, entry);
        switch (type) {
        case QCOW2_UNALLOCATED:
            ret = read_backing(bs, offset, n, qiov, done);
            break;
        case QCOW2_ZERO:
            qemu_iovec_memset(qiov, done, 0, n);
            break;
        case QCOW2_NORMAL:
            qemu_iovec_init_slice(&slice, qiov, done, n);
            ret = bdrv_co_preadv(bs->file, (entry & L2E_OFFSET_MASK) +
                                 offset_into_cluster(s, offset), n, &slice, 0);
            qemu_iovec_destroy(&slice);
            break;
        default:
            ret = type;     /* a compressed cluster */
        }
        offset += n;
        bytes -= n;
        done += n;
    }
    return ret < 0 ? ret : 0;
}

/*
 * Make the L2 table covering @offset writable: allocated, and ours alone
 * (COPIED), copying a shared one.  Returns its host offset.  Lock held.
 */
static int64_t coroutine_fn get_writable_l2(BlockDriverState *bs,
                                            uint64_t offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t old = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    int64_t new;
    void *table;
    int ret;

    if (old && (s->l1_table[l1_index] & QCOW_OFLAG_COPIED)) {
        return old;
    }
    new = alloc_clusters(bs, 1);
    if (new < 0) {
        return new;
    }
    table = g_malloc0(s->cluster_size);
    ret = old ? bdrv_co_pread(bs->file, old, s->cluster_size, table, 0) : 0;
    if (ret >= 0) {
        ret = bdrv_co_pwrite(bs->file, new, s->cluster_size, table, 0);
    }
    /* Rare, and the L1 entry must never point at a table not on disk. */
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    g_free(table);
    if (ret < 0) {
        return ret;
    }
    ret = write_be64(bs, s->l1_table_offset + 8 * l1_index,
                     new | QCOW_OFLAG_COPIED);
    if (ret < 0) {
        return ret;
    }
    s->l1_table[l1_index] = new | QCOW_OFLAG_COPIED;
    if (old) {
        ret = free_cluster(bs, old);
    }
    return ret < 0 ? ret : new;
}

/*
 * Write @n bytes (inside one cluster) into a freshly allocated cluster:
 * the rest of the cluster is copied from where the guest's data was
 * (the old cluster, the backing file, or zeroes).  Lock held.
 */
static int coroutine_fn write_new_cluster(BlockDriverState *bs,
                                          int64_t offset, int64_t n,
                                          QEMUIOVector *qiov, size_t qoff,
                                          uint64_t entry)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t cluster_start = offset - offset_into_cluster(s, offset);
    uint64_t l2_offset;
    int64_t host;
    int type = entry_type(s, entry);
    QEMUIOVector slice;
    int ret;

    if (type < 0) {
        return type;
    }
    l2_offset = get_writable_l2(bs, offset);
    if ((int64_t)l2_offset < 0) {
        return (int64_t)l2_offset;
    }
    host = alloc_clusters(bs, 1);
    if (host < 0) {
        return host;
    }
    if (n == s->cluster_size) {
        qemu_iovec_init_slice(&slice, qiov, qoff, n);
        ret = bdrv_co_pwritev(bs->file, host, n, &slice, 0);
        qemu_iovec_destroy(&slice);
    } else {
        uint8_t *buf = qemu_memalign(4096, s->cluster_size);
        QEMUIOVector bq;
        int64_t guest_len = s->size - cluster_start;
        int64_t len = MIN((int64_t)s->cluster_size, guest_len);

        qemu_iovec_init_buf(&bq, buf, s->cluster_size);
        memset(buf, 0, s->cluster_size);
        if (type == QCOW2_NORMAL) {
            ret = bdrv_co_pread(bs->file, entry & L2E_OFFSET_MASK,
                                s->cluster_size, buf, 0);
        } else if (type == QCOW2_UNALLOCATED) {
            ret = read_backing(bs, cluster_start, len, &bq, 0);
        } else {
            ret = 0;
        }
        if (ret >= 0) {
            qemu_iovec_to_buf(qiov, qoff, buf + offset_into_cluster(s, offset),
                              n);
            ret = bdrv_co_pwrite(bs->file, host, s->cluster_size, buf, 0);
        }
        qemu_vfree(buf);
    }
    if (ret < 0) {
        return ret;
    }
    /*
     * Data first, then the mapping: a crash in between leaks a cluster
     * (qemu-img check -r leaks) but never exposes stale data.
     */
    {
        int l2_index = (offset >> s->cluster_bits) & ((1 << s->l2_bits) - 1);

        ret = write_be64(bs, l2_offset + 8 * l2_index,
                         host | QCOW_OFLAG_COPIED);
        if (ret < 0) {
            /* The file's entry is unknown now: read it again next time. */
            l2_cache_drop(s, l2_offset);
            return ret;
        }
        l2_cache_update(s, l2_offset, l2_index, host | QCOW_OFLAG_COPIED);
    }
    if (entry & L2E_OFFSET_MASK) {
        /* The old cluster (shared with a snapshot, or preallocated zero). */
        ret = free_cluster(bs, entry & L2E_OFFSET_MASK);
    }
    return ret;
}

static int coroutine_fn qcow2_co_pwritev(BlockDriverState *bs,
                                         int64_t offset, int64_t bytes,
                                         QEMUIOVector *qiov,
                                         BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    size_t done = 0;
    int ret = 0;

    while (bytes > 0 && ret >= 0) {
        int64_t n = MIN(bytes, s->cluster_size - offset_into_cluster(s, offset));
        uint64_t l2_offset, entry;

        qemu_co_mutex_lock(&s->lock);
        ret = get_l2_entry(bs, offset, &l2_offset, &entry);
        if (ret >= 0 && entry_type(s, entry) == QCOW2_NORMAL &&
            (entry & QCOW_OFLAG_COPIED) &&
            (s->l1_table[offset >> (s->l2_bits + s->cluster_bits)] &
             QCOW_OFLAG_COPIED)) {
            /* Ours alone: overwrite in place, without the lock. */
            QEMUIOVector slice;

            qemu_co_mutex_unlock(&s->lock);
            qemu_iovec_init_slice(&slice, qiov, done, n);
            ret = bdrv_co_pwritev(bs->file, (entry & L2E_OFFSET_MASK) +
                                  offset_into_cluster(s, offset), n,
                                  &slice, 0);
            qemu_iovec_destroy(&slice);
        } else {
            if (ret >= 0) {
                ret = write_new_cluster(bs, offset, n, qiov, done, entry);
            }
            qemu_co_mutex_unlock(&s->lock);
        }
        offset += n;
        bytes -= n;
        done += n;
    }
    return ret < 0 ? ret : 0;
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->size;
}

/* ---- resize (grow) ------------------------------------------------------- */

static int coroutine_fn grow_l1(BlockDriverState *bs, uint32_t new_size)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t clusters = size_to_clusters(s, (int64_t)new_size * 8);
    int64_t old_clusters = size_to_clusters(s, (int64_t)s->l1_size * 8);
    uint64_t old_offset = s->l1_table_offset;
    uint64_t *table;
    int64_t new;
    uint8_t hdr[12];
    int ret;

    if ((uint64_t)new_size * 8 > QCOW_MAX_L1_SIZE) {
        return -EFBIG;
    }
    new = alloc_clusters(bs, clusters);
    if (new < 0) {
        return new;
    }
    table = g_malloc0(clusters * s->cluster_size);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        table[i] = cpu_to_be64(s->l1_table[i]);
    }
    ret = bdrv_co_pwrite(bs->file, new, clusters * s->cluster_size, table, 0);
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    stl_be_p(hdr, new_size);
    stq_be_p(hdr + 4, new);
    ret = bdrv_co_pwrite(bs->file, HDR_L1_SIZE_OFFSET, 12, hdr, 0);
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    for (uint32_t i = 0; i < new_size; i++) {
        table[i] = be64_to_cpu(table[i]);
    }
    g_free(s->l1_table);
    s->l1_table = table;
    s->l1_size = new_size;
    s->l1_table_offset = new;
    for (int64_t i = 0; i < old_clusters; i++) {
        ret = free_cluster(bs, old_offset + (i << s->cluster_bits));
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static int coroutine_fn qcow2_co_truncate(BlockDriverState *bs,
                                          int64_t offset, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint32_t need;
    int ret = 0;

    if (!QEMU_IS_ALIGNED(offset, BDRV_SECTOR_SIZE)) {
        error_setg(errp, "The new size must be a multiple of %u",
                   (unsigned)BDRV_SECTOR_SIZE);
        return -EINVAL;
    }
    qemu_co_mutex_lock(&s->lock);
    if ((uint64_t)offset < s->size) {
        error_setg(errp, "qcow2 doesn't support shrinking images yet");
        ret = -ENOTSUP;
        goto out;
    }
    need = l1_entries_for(s, offset);
    if (need > s->l1_size) {
        ret = grow_l1(bs, need);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to grow the L1 table");
            goto out;
        }
    }
    ret = write_be64(bs, HDR_SIZE_OFFSET, offset);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to update the image size");
        goto out;
    }
    s->size = offset;
out:
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/* ---- open ---------------------------------------------------------------- */

typedef struct Qcow2OpenCo {
    BlockDriverState *bs;
    BlockdevOptions *opts;
    int flags;
    Error **errp;
    int ret;
} Qcow2OpenCo;

static int coroutine_fn read_table(BlockDriverState *bs, uint64_t offset,
                                   uint32_t entries, uint64_t **table)
{
    int ret;

    *table = g_new0(uint64_t, MAX(entries, 1));
    if (!entries) {
        return 0;
    }
    ret = bdrv_co_pread(bs->file, offset, (int64_t)entries * 8, *table, 0);
    for (uint32_t i = 0; i < entries; i++) {
        (*table)[i] = be64_to_cpu((*table)[i]);
    }
    return ret;
}

/* Header extensions: the backing format; refuse an external data file. */
static int coroutine_fn read_extensions(BlockDriverState *bs, uint64_t start,
                                        uint64_t end, Error **errp)
{
    uint64_t off = start;

    while (off + 8 <= end) {
        uint32_t hdr[2];
        uint32_t magic, len;
        int ret = bdrv_co_pread(bs->file, off, 8, hdr, 0);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "qcow2_read_extension: ERROR");
            return ret;
        }
        magic = be32_to_cpu(hdr[0]);
        len = be32_to_cpu(hdr[1]);
        off += 8;
        if (magic == QCOW2_EXT_MAGIC_END) {
            break;
        }
        if (len > end - off) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }
        if (magic == QCOW2_EXT_MAGIC_BACKING_FORMAT) {
            if (len >= sizeof(bs->backing_format)) {
                error_setg(errp, "ERROR: ext_backing_format: len=%u too "
                           "large (>=%zu)", len, sizeof(bs->backing_format));
                return -EINVAL;
            }
            ret = bdrv_co_pread(bs->file, off, len, bs->backing_format, 0);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "ERROR: ext_backing_format: "
                                 "Could not read format name");
                return ret;
            }
            bs->backing_format[len] = 0;
        } else if (magic == QCOW2_EXT_MAGIC_DATA_FILE) {
            error_setg(errp, "qcow2: external data files are not supported");
            return -ENOTSUP;
        }
        off += QEMU_ALIGN_UP(len, 8);
    }
    return 0;
}

static int coroutine_fn qcow2_do_open(BlockDriverState *bs,
                                      BlockdevOptions *opts, int flags,
                                      Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    BlockdevOptionsQcow2 *o = &opts->u.qcow2;
    QCowHeader h = { 0 };
    int64_t file_len = bdrv_getlength(bs->file->bs);
    uint64_t ext_end;
    int ret;

    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not read qcow2 header");
        return file_len;
    }
    ret = bdrv_co_pread(bs->file, 0, MIN(file_len, (int64_t)sizeof(h)), &h,
                        0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    h.magic = be32_to_cpu(h.magic);
    h.version = be32_to_cpu(h.version);
    h.backing_file_offset = be64_to_cpu(h.backing_file_offset);
    h.backing_file_size = be32_to_cpu(h.backing_file_size);
    h.cluster_bits = be32_to_cpu(h.cluster_bits);
    h.size = be64_to_cpu(h.size);
    h.crypt_method = be32_to_cpu(h.crypt_method);
    h.l1_size = be32_to_cpu(h.l1_size);
    h.l1_table_offset = be64_to_cpu(h.l1_table_offset);
    h.refcount_table_offset = be64_to_cpu(h.refcount_table_offset);
    h.refcount_table_clusters = be32_to_cpu(h.refcount_table_clusters);
    h.nb_snapshots = be32_to_cpu(h.nb_snapshots);

    if (h.magic != QCOW_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    if (h.version < 2 || h.version > 3) {
        error_setg(errp, "Unsupported qcow2 version %" PRIu32, h.version);
        return -ENOTSUP;
    }
    s->version = h.version;
    if (h.cluster_bits < 9 || h.cluster_bits > 21) {
        error_setg(errp, "Unsupported cluster size: 2^%" PRIu32,
                   h.cluster_bits);
        return -EINVAL;
    }
    s->cluster_bits = h.cluster_bits;
    s->cluster_size = 1 << h.cluster_bits;
    if (h.version == 2) {
        h.refcount_order = 4;
        h.header_length = 72;
    } else {
        h.incompatible_features = be64_to_cpu(h.incompatible_features);
        h.compatible_features = be64_to_cpu(h.compatible_features);
        h.autoclear_features = be64_to_cpu(h.autoclear_features);
        h.refcount_order = be32_to_cpu(h.refcount_order);
        h.header_length = be32_to_cpu(h.header_length);
        if (h.header_length < 104) {
            error_setg(errp, "qcow2 header too short");
            return -EINVAL;
        }
        if (h.header_length > s->cluster_size) {
            error_setg(errp, "qcow2 header exceeds cluster size");
            return -EINVAL;
        }
        if (h.header_length > 104) {
            uint8_t ct = 0;
            ret = bdrv_co_pread(bs->file, 104, 1, &ct, 0);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not read qcow2 header");
                return ret;
            }
            s->compression_type = ct;
        }
    }
    if (h.incompatible_features & QCOW2_INCOMPAT_EXTL2) {
        error_setg(errp, "Unsupported qcow2 feature(s): Extended L2 entries");
        return -ENOTSUP;
    }
    if (h.incompatible_features & QCOW2_INCOMPAT_DATA_FILE) {
        error_setg(errp, "Unsupported qcow2 feature(s): External data file");
        return -ENOTSUP;
    }
    if (h.incompatible_features & ~(QCOW2_INCOMPAT_DIRTY |
                                    QCOW2_INCOMPAT_CORRUPT |
                                    QCOW2_INCOMPAT_COMPRESSION)) {
        error_setg(errp, "Unsupported qcow2 feature(s): 0x%" PRIx64,
                   h.incompatible_features);
        return -ENOTSUP;
    }
    if ((h.incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        (flags & BDRV_O_RDWR)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return -EACCES;
    }
    if ((h.incompatible_features & QCOW2_INCOMPAT_DIRTY) &&
        (flags & BDRV_O_RDWR)) {
        error_setg(errp, "qcow2: Image is dirty (lazy refcounts); repair it "
                   "with 'qemu-img check -r all' first");
        return -ENOTSUP;
    }
    if (h.crypt_method) {
        error_setg(errp, "qcow2: encrypted images are not supported");
        return -ENOTSUP;
    }
    if (h.refcount_order != 4) {
        error_setg(errp, "Unsupported refcount width: %d bits (only 16)",
                   1 << MIN(h.refcount_order, 30u));
        return -ENOTSUP;
    }
    s->l2_bits = s->cluster_bits - 3;
    s->l2_cache_size = MAX(1, MIN(L2_CACHE_MAX,
                                  L2_CACHE_BYTES / s->cluster_size));
    s->rb_bits = s->cluster_bits - 1;
    s->size = h.size;
    if (h.size > (1ULL << 55) || h.l1_size > QCOW_MAX_L1_SIZE / 8) {
        error_setg(errp, "Active L1 table too large");
        return -EFBIG;
    }
    if (h.l1_size < l1_entries_for(s, h.size)) {
        error_setg(errp, "L1 table is too small");
        return -EINVAL;
    }
    /* Tables past the end of the file read as zeroes, as in QEMU. */
    if (offset_into_cluster(s, h.l1_table_offset) ||
        h.l1_table_offset > (1ULL << 56)) {
        error_setg(errp, "Invalid L1 table offset");
        return -EINVAL;
    }
    if (!h.refcount_table_clusters ||
        (uint64_t)h.refcount_table_clusters * s->cluster_size >
        QCOW_MAX_REFTABLE_SIZE) {
        error_setg(errp, "Reference count table too large");
        return -EINVAL;
    }
    if (offset_into_cluster(s, h.refcount_table_offset) ||
        h.refcount_table_offset > (1ULL << 56)) {
        error_setg(errp, "Invalid reference count table offset");
        return -EINVAL;
    }
    s->l1_size = h.l1_size;
    s->l1_table_offset = h.l1_table_offset;
    ret = read_table(bs, h.l1_table_offset, h.l1_size, &s->l1_table);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read L1 table");
        return ret;
    }
    s->refcount_table_offset = h.refcount_table_offset;
    s->refcount_table_size = h.refcount_table_clusters * s->cluster_size / 8;
    ret = read_table(bs, h.refcount_table_offset, s->refcount_table_size,
                     &s->refcount_table);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read refcount table");
        return ret;
    }

    ext_end = h.backing_file_offset ? MIN(h.backing_file_offset,
                                          (uint64_t)s->cluster_size)
                                    : (uint64_t)s->cluster_size;
    ret = read_extensions(bs, h.header_length, ext_end, errp);
    if (ret < 0) {
        return ret;
    }
    if (h.backing_file_offset) {
        if (h.backing_file_size > 1023 ||
            h.backing_file_offset + h.backing_file_size > (uint64_t)file_len) {
            error_setg(errp, "Backing file name too long");
            return -EINVAL;
        }
        ret = bdrv_co_pread(bs->file, h.backing_file_offset,
                            h.backing_file_size, bs->backing_file, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read backing file name");
            return ret;
        }
        bs->backing_file[h.backing_file_size] = 0;
    }

    /* Opening read-write clears the autoclear bits we do not keep up. */
    if ((flags & BDRV_O_RDWR) && h.version >= 3 && h.autoclear_features) {
        ret = write_be64(bs, HDR_AUTOCLEAR_OFFSET, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            return ret;
        }
    }
    (void)o;
    return 0;
}

static void coroutine_fn qcow2_open_entry(void *opaque)
{
    Qcow2OpenCo *oc = opaque;

    oc->ret = qcow2_do_open(oc->bs, oc->opts, oc->flags, oc->errp);
}

static int qcow2_open_backing(BlockDriverState *bs, BlockdevOptionsQcow2 *o,
                              int flags, Error **errp)
{
    int bflags = flags & ~BDRV_O_RDWR;
    g_autofree char *path = NULL;
    Error *local_err = NULL;

    if (o->backing) {
        if (o->backing->type == QTYPE_QNULL) {
            return 0;
        }
        /* BlockdevRefOrNull's first two branches are BlockdevRef's. */
        return bdrv_open_child((BlockdevRef *)o->backing, bs, "backing",
                               bflags, errp) ? 0 : -EINVAL;
    }
    if (!bs->backing_file[0]) {
        return 0;
    }
    /* QEMU's path_combine: relative to the directory of the image. */
    if (g_path_is_absolute(bs->backing_file) || !strrchr(bs->filename, '/')) {
        path = g_strdup(bs->backing_file);
    } else {
        int dirlen = strrchr(bs->filename, '/') - bs->filename + 1;
        path = g_strdup_printf("%.*s%s", dirlen, bs->filename,
                               bs->backing_file);
    }
    if (!bdrv_open_child_file(path, bs->backing_format[0]
                              ? bs->backing_format : NULL,
                              bs, "backing", bflags, &local_err)) {
        error_propagate_prepend(errp, local_err,
                                "Could not open backing file: ");
        return -EINVAL;
    }
    return 0;
}

static int qcow2_open(BlockDriverState *bs, BlockdevOptions *opts, int flags,
                      Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2OpenCo oc = { bs, opts, flags, errp, 0 };

    qemu_co_mutex_init(&s->lock);
    if (!bdrv_open_child(opts->u.qcow2.file, bs, "file", flags, errp)) {
        return -EINVAL;
    }
    g_strlcpy(bs->filename, bs->file->bs->filename, sizeof(bs->filename));
    /*
     * As QEMU's format nodes: consistent reads, and writes and resizes of
     * our own metadata when read-write; nobody else may write or resize
     * the file under us.
     */
    oc.ret = bdrv_set_perm(bs->file->bs, (flags & BDRV_O_RDWR)
                           ? BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE |
                             BLK_PERM_WRITE_UNCHANGED | BLK_PERM_RESIZE
                           : BLK_PERM_CONSISTENT_READ,
                           BLK_PERM_WRITE | BLK_PERM_RESIZE, errp);
    if (oc.ret < 0) {
        return oc.ret;
    }
    bdrv_run_co(bs->file->bs, qcow2_open_entry, &oc);
    if (oc.ret >= 0) {
        oc.ret = qcow2_open_backing(bs, &opts->u.qcow2, flags, errp);
    }
    if (oc.ret < 0) {
        g_free(s->l1_table);
        g_free(s->refcount_table);
        for (int i = 0; i < s->l2_cache_size; i++) {
            g_free(s->l2_cache[i].table);
        }
    }
    return oc.ret;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    for (int i = 0; i < s->l2_cache_size; i++) {
        g_free(s->l2_cache[i].table);
    }
    g_free(s->l1_table);
    g_free(s->refcount_table);
}

static void qcow2_get_info(BlockDriverState *bs, ImageInfo *info)
{
    BDRVQcow2State *s = bs->opaque;
    ImageInfoSpecificQCow2 *q = g_new0(ImageInfoSpecificQCow2, 1);

    info->has_cluster_size = true;
    info->cluster_size = s->cluster_size;
    info->format_specific = g_new0(ImageInfoSpecific, 1);
    info->format_specific->type = IMAGE_INFO_SPECIFIC_KIND_QCOW2;
    info->format_specific->u.qcow2.data = q;
    q->compat = g_strdup(s->version == 2 ? "0.10" : "1.1");
    q->refcount_bits = 16;
    q->has_compression_type = true;
    q->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
    if (s->version >= 3) {
        q->has_lazy_refcounts = true;
        q->has_corrupt = true;
        q->has_extended_l2 = true;
    }
}

static BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .is_format = true,
    .supports_backing = true,
    .bdrv_probe = qcow2_probe,
    .bdrv_open = qcow2_open,
    .bdrv_close = qcow2_close,
    .bdrv_co_preadv = qcow2_co_preadv,
    .bdrv_co_pwritev = qcow2_co_pwritev,
    .bdrv_co_truncate = qcow2_co_truncate,
    .bdrv_getlength = qcow2_getlength,
    .bdrv_get_info = qcow2_get_info,
};

static void bdrv_qcow2_init(void)
{
    bdrv_register(&bdrv_qcow2);
}

block_init(bdrv_qcow2_init);
