/*
 * Memory regions and the flat views built from them: the region tree
 * (containers, RAM, MMIO, aliases), transactions, and the rendering of a
 * tree into the sorted range array that each AddressSpace publishes with
 * RCU.  Corresponds to the region and FlatView parts of QEMU's
 * system/memory.c; the accessors are in system/physmem.c and "info mtree"
 * in system/memory-mtree.c.  See docs/memory.md.
 */
#include "qcore/osdep.h"
#include "qcore/memory.h"
#include "qcore/main-loop.h"

#include <sys/mman.h>

/*
 * Every AddressSpace, so that a map change can rebuild their views.
 * Under the BQL.
 */
AddressSpaceList address_spaces = QTAILQ_HEAD_INITIALIZER(address_spaces);

/* Nesting depth of transactions and whether one changed the map.  BQL. */
static unsigned memory_region_transaction_depth;
static bool memory_region_update_pending;

/* FlatViews allocated and not yet freed; atomic (freed on call_rcu). */
static int flatviews_alive;

/* ---- Region life cycle -------------------------------------------------- */

static void memory_region_instance_init(Object *obj)
{
    MemoryRegion *mr = (MemoryRegion *)obj;

    mr->enabled = true;
    QTAILQ_INIT(&mr->subregions);
}

/*
 * Runs when the last reference goes: with the owner for an owned region,
 * at the caller's object_unref otherwise.  A mapped region is referenced
 * by its container, so this never sees one.  Our own subregions are
 * dropped without a view rebuild: an unmapped container is in no view.
 */
static void memory_region_finalize(Object *obj)
{
    MemoryRegion *mr = (MemoryRegion *)obj;
    MemoryRegion *sub;

    assert(!mr->container);
    while ((sub = QTAILQ_FIRST(&mr->subregions))) {
        QTAILQ_REMOVE(&mr->subregions, sub, subregions_link);
        sub->container = NULL;
        memory_region_unref(sub);
    }
    if (mr->alias && mr->alias->owner != mr->owner) {
        memory_region_unref(mr->alias);
    }
    if (mr->ram_mmap_size) {
        munmap(mr->ram_block, mr->ram_mmap_size);
    } else {
        g_free(mr->ram_block);
    }
    g_free(mr->ioeventfds);
    g_free(mr->name);
}

static const TypeInfo memory_region_info = {
    .name = TYPE_MEMORY_REGION,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(MemoryRegion),
    .instance_init = memory_region_instance_init,
    .instance_finalize = memory_region_finalize,
};

static void memory_register_types(void)
{
    type_register_static(&memory_region_info);
}
type_init(memory_register_types)

/*
 * A QOM child name cannot contain '/', which region names may ("pci/io");
 * QEMU escapes it the same way.
 */
static char *memory_region_escape_name(const char *name)
{
    GString *s = g_string_new(NULL);

    for (; *name; name++) {
        if (*name == '/' || !g_ascii_isprint(*name)) {
            g_string_append_printf(s, "\\x%02x", (unsigned char)*name);
        } else {
            g_string_append_c(s, *name);
        }
    }
    return g_string_free(s, false);
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    object_initialize(mr, sizeof(*mr), TYPE_MEMORY_REGION);
    mr->size = size;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->owner = owner;
    if (owner) {
        g_autofree char *escaped = memory_region_escape_name(mr->name);
        g_autofree char *child = g_strdup_printf("%s[*]", escaped);

        /* The owner's child<> property now holds the only reference. */
        object_property_add_child(owner, child, OBJECT(mr));
        object_unref(OBJECT(mr));
    }
}

/* The huge page size of x86-64 and arm64 hosts (QEMU_VMALLOC_ALIGN). */
#define RAM_HUGEPAGE_ALIGN (2 * 1024 * 1024)

static bool memory_region_init_ram_common(MemoryRegion *mr, Object *owner,
                                          const char *name, uint64_t size,
                                          bool readonly, Error **errp)
{
    void *p = MAP_FAILED;
    size_t align = 0;

    /*
     * mmap rather than g_malloc0: guest RAM is large, wants page
     * alignment, and MAP_NORESERVE lets -m exceed what is touched.
     * Aligned to and advised for transparent huge pages, as QEMU's
     * ram_block_add does: the interpreter's accesses all over guest RAM
     * and every O_DIRECT transfer of a disk or network buffer (the host
     * kernel pins each page) then deal with 2 MiB pages.
     */
    if (size > 0 && size <= SIZE_MAX - RAM_HUGEPAGE_ALIGN) {
        align = size >= RAM_HUGEPAGE_ALIGN ? RAM_HUGEPAGE_ALIGN : 0;
        p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    } else {
        errno = EINVAL;
    }
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot set up guest memory '%s'",
                         name);
        return false;
    }
    if (align) {
        uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
        size_t head = start - (uintptr_t)p;

        if (head) {
            munmap(p, head);
        }
        munmap((void *)(start + size), align - head);
        p = (void *)start;
        /* Only advice: a kernel without THP leaves the pages small. */
        madvise(p, size, MADV_HUGEPAGE);
    }
    memory_region_init(mr, owner, name, size);
    mr->ram = true;
    mr->terminates = true;
    mr->readonly = readonly;
    mr->ram_block = p;
    mr->ram_mmap_size = size;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    return memory_region_init_ram_common(mr, owner, name, size, false, errp);
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    return memory_region_init_ram_common(mr, owner, name, size, true, errp);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    /* The window must lie inside @orig, so rendering never wraps. */
    assert(size > 0 && offset <= region_last(orig) &&
           size - 1 <= region_last(orig) - offset);
    memory_region_init(mr, owner, name, size);
    /*
     * Keep @orig alive as long as we point at it, except when one owner
     * has both: a reference to itself would only keep it from dying.
     */
    if (orig->owner != owner) {
        memory_region_ref(orig);
    }
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_ref(MemoryRegion *mr)
{
    /*
     * The owner, not the region: callbacks use the owner's state, and
     * the region lives inside the owner (QEMU does the same).
     */
    if (mr && mr->owner) {
        object_ref(mr->owner);
    }
}

void memory_region_unref(MemoryRegion *mr)
{
    if (mr && mr->owner) {
        object_unref(mr->owner);
    }
}

uint64_t memory_region_size(MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

bool memory_region_is_ram(MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    return mr->ram;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    while (mr->alias) {
        offset += mr->alias_offset;
        mr = mr->alias;
    }
    assert(mr->ram);
    return mr->ram_block + offset;
}

/* ---- Map changes -------------------------------------------------------- */

void memory_region_transaction_begin(void)
{
    assert_bql_held();
    memory_region_transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    AddressSpace *as;

    assert_bql_held();
    assert(memory_region_transaction_depth);
    if (--memory_region_transaction_depth || !memory_region_update_pending) {
        return;
    }
    memory_region_update_pending = false;
    QTAILQ_FOREACH(as, &address_spaces, address_spaces_link) {
        address_space_update_topology(as);
    }
}

static void memory_region_update(void)
{
    memory_region_transaction_begin();
    memory_region_update_pending = true;
    memory_region_transaction_commit();
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    MemoryRegion *other;

    assert_bql_held();
    assert(!subregion->container);
    memory_region_ref(subregion);
    subregion->container = mr;
    subregion->addr = offset;
    subregion->priority = priority;
    /* Before the first lower-or-equal one: among equals, newest wins. */
    QTAILQ_FOREACH(other, &mr->subregions, subregions_link) {
        if (subregion->priority >= other->priority) {
            QTAILQ_INSERT_BEFORE(other, subregion, subregions_link);
            goto done;
        }
    }
    QTAILQ_INSERT_TAIL(&mr->subregions, subregion, subregions_link);
done:
    memory_region_update();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    memory_region_add_subregion_overlap(mr, offset, subregion, 0);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    assert_bql_held();
    assert(subregion->container == mr);
    subregion->container = NULL;
    QTAILQ_REMOVE(&mr->subregions, subregion, subregions_link);
    memory_region_update();
    /*
     * Only now: the old views still point at @subregion, and they hold
     * their own references until call_rcu frees them.
     */
    memory_region_unref(subregion);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    assert_bql_held();
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_region_update();
}

/* ---- Rendering the tree into a FlatView --------------------------------- */

/* Index of the first range whose last byte is >= @addr (or @nr). */
static unsigned flatrange_lower_bound(const FlatRange *r, unsigned nr,
                                      hwaddr addr)
{
    unsigned lo = 0, hi = nr;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (r[mid].last < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void flatview_insert(GArray *v, unsigned i, hwaddr start, hwaddr last,
                            MemoryRegion *mr, hwaddr offset)
{
    FlatRange fr = {
        .start = start, .last = last, .mr = mr, .offset_in_region = offset,
    };

    g_array_insert_val(v, i, fr);
}

/*
 * Give @mr the parts of [lo, hi] that nothing rendered before claimed:
 * rendering goes from the highest priority down, so what is already in
 * the array is in front of us.  @offset is the region offset of @lo.
 */
static void flatview_fill_gaps(GArray *v, hwaddr lo, hwaddr hi,
                               MemoryRegion *mr, hwaddr offset)
{
    unsigned i = flatrange_lower_bound((FlatRange *)v->data, v->len, lo);

    for (;;) {
        FlatRange *fr = i < v->len ? &g_array_index(v, FlatRange, i) : NULL;
        hwaddr covered_last;

        if (!fr || fr->start > hi) {
            flatview_insert(v, i, lo, hi, mr, offset);
            return;
        }
        if (fr->start > lo) {
            hwaddr gap_last = fr->start - 1;

            flatview_insert(v, i++, lo, gap_last, mr, offset);
            offset += gap_last - lo + 1;
            lo = gap_last + 1;
        }
        covered_last = g_array_index(v, FlatRange, i).last;
        if (covered_last >= hi) {
            return;
        }
        offset += covered_last - lo + 1;
        lo = covered_last + 1;
        i++;
    }
}

/*
 * Render the part [lo, hi] (offsets inside @mr) of @mr, which appears at
 * address space address offset + @delta (mod 2^64: an alias may shift
 * backwards, but every range that reaches the array lies inside the
 * root, so the sums there do not wrap).
 */
static void render_memory_region(GArray *v, MemoryRegion *mr,
                                 hwaddr lo, hwaddr hi, hwaddr delta)
{
    MemoryRegion *sub;

    if (!mr->enabled || mr->size == 0) {
        return;
    }
    hi = MIN(hi, region_last(mr));
    if (lo > hi) {
        return;
    }
    if (mr->alias) {
        render_memory_region(v, mr->alias, lo + mr->alias_offset,
                             hi + mr->alias_offset, delta - mr->alias_offset);
        return;
    }
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        hwaddr sub_end, a, b;

        if (sub->size == 0) {
            continue;
        }
        /* A subregion that sticks out past 2^64 is cut there. */
        sub_end = sub->addr + region_last(sub);
        if (sub_end < sub->addr) {
            sub_end = UINT64_MAX;
        }
        a = MAX(lo, sub->addr);
        b = MIN(hi, sub_end);
        if (a <= b) {
            render_memory_region(v, sub, a - sub->addr, b - sub->addr,
                                 delta + sub->addr);
        }
    }
    if (mr->terminates) {
        flatview_fill_gaps(v, lo + delta, hi + delta, mr, lo);
    }
}

/* Merge neighbours that continue the same region, as QEMU's simplify. */
static void flatview_simplify(GArray *v)
{
    unsigned i = 1;

    while (i < v->len) {
        FlatRange *a = &g_array_index(v, FlatRange, i - 1);
        FlatRange *b = &g_array_index(v, FlatRange, i);

        if (a->mr == b->mr && a->last + 1 == b->start &&
            a->offset_in_region + (a->last - a->start) + 1 ==
            b->offset_in_region) {
            a->last = b->last;
            g_array_remove_index(v, i);
        } else {
            i++;
        }
    }
}

static FlatView *generate_memory_topology(MemoryRegion *root)
{
    GArray *v = g_array_new(false, false, sizeof(FlatRange));
    FlatView *fv = g_new0(FlatView, 1);
    unsigned i;

    if (root->size) {
        render_memory_region(v, root, 0, region_last(root), 0);
    }
    flatview_simplify(v);
    /* A view keeps its regions' owners alive until it is freed. */
    for (i = 0; i < v->len; i++) {
        FlatRange *fr = &g_array_index(v, FlatRange, i);

        fr->owner = fr->mr->owner;
        if (fr->owner) {
            object_ref(fr->owner);
        }
    }
    fv->nr = v->len;
    fv->ranges = (FlatRange *)g_array_free(v, false);
    qatomic_inc(&flatviews_alive);
    return fv;
}

/*
 * On the call_rcu thread, after every reader of @fv has left.  May drop
 * the last reference to an owner, so owners finalize here (as in QEMU);
 * the region pointers are not touched, since owner-less regions may be
 * gone already.
 */
static void flatview_destroy(FlatView *fv)
{
    unsigned i;

    for (i = 0; i < fv->nr; i++) {
        if (fv->ranges[i].owner) {
            object_unref(fv->ranges[i].owner);
        }
    }
    g_free(fv->ranges);
    g_free(fv);
    qatomic_dec(&flatviews_alive);
}

int memory_flatviews_alive(void)
{
    return qatomic_read(&flatviews_alive);
}

void address_space_update_topology(AddressSpace *as)
{
    FlatView *old = as->current_map;

    /*
     * Publish only a fully built view; pairs with qatomic_rcu_read in
     * the accessors.  Readers still in @old keep using it until the
     * grace period ends.
     */
    qatomic_rcu_set(&as->current_map, generate_memory_topology(as->root));
    if (old) {
        call_rcu(old, flatview_destroy, rcu);
    }
}

FlatRange *flatview_translate(FlatView *fv, hwaddr addr, hwaddr *xlat,
                              hwaddr *plen)
{
    unsigned nr = fv ? fv->nr : 0;
    unsigned i = nr ? flatrange_lower_bound(fv->ranges, nr, addr) : 0;
    hwaddr avail;

    assert(*plen > 0);
    if (i < nr && fv->ranges[i].start <= addr) {
        FlatRange *fr = &fv->ranges[i];

        avail = fr->last - addr;            /* bytes after @addr */
        if (*plen - 1 > avail) {
            *plen = avail + 1;
        }
        *xlat = fr->offset_in_region + (addr - fr->start);
        return fr;
    }
    /* Unmapped up to the next range, or to the end of the space. */
    avail = (i < nr ? fv->ranges[i].start - 1 : UINT64_MAX) - addr;
    if (*plen - 1 > avail) {
        *plen = avail + 1;
    }
    *xlat = 0;
    return NULL;
}

/* ---- Address spaces ----------------------------------------------------- */

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    assert_bql_held();
    memory_region_ref(root);
    as->root = root;
    as->name = g_strdup(name ? name : "anonymous");
    as->current_map = NULL;
    QTAILQ_INSERT_TAIL(&address_spaces, as, address_spaces_link);
    address_space_update_topology(as);
}

void address_space_destroy(AddressSpace *as)
{
    FlatView *old = as->current_map;

    assert_bql_held();
    QTAILQ_REMOVE(&address_spaces, as, address_spaces_link);
    qatomic_rcu_set(&as->current_map, NULL);
    if (old) {
        call_rcu(old, flatview_destroy, rcu);
    }
    memory_region_unref(as->root);
    g_free(as->name);
    as->name = NULL;
}

/* ---- ioeventfds ---------------------------------------------------------- */

struct MemoryRegionIoeventfds {
    struct rcu_head rcu;
    unsigned nr;
    MemoryRegionIoeventfd fd[];
};

static bool ioeventfd_equal(const MemoryRegionIoeventfd *a,
                            const MemoryRegionIoeventfd *b)
{
    /* Field by field: the struct has padding, which memcmp would read. */
    return a->addr == b->addr && a->size == b->size &&
           a->match_data == b->match_data && a->data == b->data &&
           a->e == b->e;
}

/* Publish a copy of @mr's list with @add added or @del removed. */
static void memory_region_update_eventfds(MemoryRegion *mr,
                                          const MemoryRegionIoeventfd *add,
                                          const MemoryRegionIoeventfd *del)
{
    MemoryRegionIoeventfds *old = mr->ioeventfds, *new;
    unsigned n = old ? old->nr : 0, i, j = 0;

    assert_bql_held();
    new = g_malloc0(sizeof(*new) + (n + 1) * sizeof(new->fd[0]));
    for (i = 0; i < n; i++) {
        if (del && ioeventfd_equal(&old->fd[i], del)) {
            del = NULL;         /* only the first match goes */
            continue;
        }
        new->fd[j++] = old->fd[i];
    }
    if (add) {
        new->fd[j++] = *add;
    }
    new->nr = j;
    /* Pairs with qatomic_rcu_read in memory_region_ioeventfd_write. */
    qatomic_rcu_set(&mr->ioeventfds, new);
    if (old) {
        g_free_rcu(old, rcu);
    }
}

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data,
                               EventNotifier *e)
{
    MemoryRegionIoeventfd fd = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .e = e,
    };

    memory_region_update_eventfds(mr, &fd, NULL);
}

void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data,
                               EventNotifier *e)
{
    MemoryRegionIoeventfd fd = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .e = e,
    };

    memory_region_update_eventfds(mr, NULL, &fd);
}

bool memory_region_ioeventfd_write(MemoryRegion *mr, hwaddr addr,
                                   uint64_t val, unsigned size)
{
    MemoryRegionIoeventfds *fds;
    unsigned i;

    RCU_READ_LOCK_GUARD();
    fds = qatomic_rcu_read(&mr->ioeventfds);
    for (i = 0; fds && i < fds->nr; i++) {
        const MemoryRegionIoeventfd *fd = &fds->fd[i];

        if (fd->addr == addr && fd->size == size &&
            (!fd->match_data || fd->data == val)) {
            event_notifier_set(fd->e);
            return true;
        }
    }
    return false;
}
