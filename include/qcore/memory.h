/*
 * The memory API: MemoryRegions (RAM, MMIO, containers, aliases) arranged
 * in a tree, AddressSpaces that see a tree as a flat, sorted list of
 * ranges, and the accessors the CPU and DMA-capable devices use.
 * Corresponds to QEMU's include/exec/memory.h (and the parts of
 * include/exec/memattrs.h and include/exec/address-spaces.h it needs);
 * see docs/memory.md.
 *
 * Locking, in one place:
 *  - The region tree (sizes, addresses, priorities, enabled flags,
 *    subregion lists) and the list of address spaces change only under
 *    the BQL.  Every function that changes the map asserts it.
 *  - Each AddressSpace publishes its current FlatView with RCU.  The
 *    accessors (address_space_read/write/ld/st, address_space_translate)
 *    may run in any thread registered with rcu_register_thread, with or
 *    without the BQL: they read the view inside rcu_read_lock, and an old
 *    view is freed with call_rcu only after every reader has left it.
 *  - RAM accesses never take the BQL.  MMIO callbacks always run with the
 *    BQL held: the dispatcher takes it around the call when the calling
 *    thread does not hold it already (QEMU's prepare_mmio_access).
 *  - Never call synchronize_rcu() with the BQL held: a reader may be
 *    waiting for the BQL inside its critical section.
 */
#ifndef QCORE_MEMORY_H
#define QCORE_MEMORY_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/event-notifier.h"
#include "qcore/object.h"
#include "qcore/queue.h"
#include "qcore/rcu.h"

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

/* ---- Transactions: attributes and results ------------------------------- */

/* Who is asking, passed through to the device callbacks that want it. */
typedef struct MemTxAttrs {
    unsigned int unspecified:1;     /* the caller did not say */
    unsigned int user:1;            /* a user-mode (unprivileged) access */
    unsigned int requester_id:16;   /* e.g. the hart or bus master */
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

/*
 * The outcome of an access; results of the pieces of a split access are
 * ORed together, so test with "!= MEMTX_OK" or with the bits.
 */
typedef uint32_t MemTxResult;
#define MEMTX_OK            0
#define MEMTX_ERROR         (1U << 0)   /* the device reported an error */
#define MEMTX_DECODE_ERROR  (1U << 1)   /* nothing there, or an access the
                                           device does not accept */

/* ---- Regions ------------------------------------------------------------ */

#define TYPE_MEMORY_REGION "memory-region"

typedef enum device_endian {
    DEVICE_NATIVE_ENDIAN,   /* the target's order: little for RISC-V */
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
} device_endian;

/*
 * What an MMIO region does.  @addr is the offset in the region, @size is
 * 1, 2, 4 or 8, and values are numbers (the device's registers), converted
 * from and to the bytes the guest sees according to @endianness.  The
 * *_with_attrs forms, when set, are used instead and may fail an access
 * with MEMTX_ERROR.  Callbacks run with the BQL held.
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs);
    MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs);

    device_endian endianness;

    /*
     * Which guest accesses the device accepts; others fail with
     * MEMTX_DECODE_ERROR without calling it.  0 means 1 for the minimum
     * and "no limit" for the maximum; unaligned accesses are refused
     * unless @unaligned.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;

    /*
     * Which accesses the callbacks implement (0 means 1 and 4).  Other
     * sizes are made of several calls (wider accesses) or of one wider
     * call whose result is cut down (narrower ones), as in QEMU.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
} MemoryRegionOps;

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionIoeventfds MemoryRegionIoeventfds;

/*
 * A QOM object, usually embedded in its owner's state and a child of the
 * owner in the composition tree ("name[N]").  All fields belong to the
 * memory core; they change only under the BQL, and readers of the flat
 * view look only at fields that do not change once the region is
 * initialised (ops, opaque, ram_block, readonly, size).
 */
struct MemoryRegion {
    Object parent_obj;

    Object *owner;              /* kept alive while the region is mapped */
    char *name;
    uint64_t size;              /* UINT64_MAX stands for 2^64 */
    bool enabled;
    bool ram;                   /* ram_block is the contents */
    bool readonly;              /* ROM: guest writes are ignored */
    bool terminates;            /* RAM or MMIO, as opposed to a container */
    uint8_t *ram_block;
    size_t ram_mmap_size;       /* 0: ram_block came from g_malloc0 */
    const MemoryRegionOps *ops;
    void *opaque;

    MemoryRegion *alias;        /* referenced; shows [alias_offset, +size) */
    hwaddr alias_offset;

    MemoryRegion *container;    /* where we are mapped, or NULL */
    hwaddr addr;                /* our offset in @container */
    int priority;
    /* Sorted by priority, highest first: rendering goes in this order. */
    QTAILQ_HEAD(, MemoryRegion) subregions;
    QTAILQ_ENTRY(MemoryRegion) subregions_link;
    /*
     * Writes that only set an EventNotifier (memory_region_add_eventfd).
     * Replaced under the BQL, published and freed with RCU: the write
     * path reads it without the BQL, inside rcu_read_lock.
     */
    MemoryRegionIoeventfds *ioeventfds;
};

/*
 * Initialise @mr in caller memory as a container of @size bytes (UINT64_MAX
 * for the whole 64-bit space) with no contents of its own: accesses that
 * hit no subregion are unmapped.  With an @owner, @mr becomes its child
 * "@name[N]" and is finalized with it; without one, the caller keeps the
 * only reference and drops it with object_unref().  BQL held.
 */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);

/*
 * As memory_region_init, with @size bytes of zeroed host memory behind it
 * (memory_region_get_ram_ptr).  Fails with @errp set, leaving @mr
 * uninitialised, when the memory cannot be had ("cannot set up guest
 * memory 'ram': Cannot allocate memory").  BQL held.
 */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);

/*
 * RAM that the guest cannot write: guest writes are dropped (and
 * succeed); loaders fill it with address_space_write_rom.  BQL held.
 */
bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);

/* An MMIO region whose accesses call @ops with @opaque.  BQL held. */
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);

/*
 * A window of @size bytes onto @orig starting at @offset (which must fit
 * inside @orig): mapping @mr makes that part of @orig appear at @mr's
 * address.  @mr holds a reference to @orig's owner if that is not its own
 * owner.  BQL held.
 */
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);

/*
 * Map @subregion at @offset in @mr with priority 0 / @priority.  Where
 * subregions overlap, the highest priority wins, and among equals the one
 * added last; a region with contents of its own is visible only where no
 * subregion is.  @subregion must not be mapped already (asserted).  The
 * mapping references @subregion's owner, so a device that maps its own
 * regions into each other must unmap them before it can be freed.  The
 * address spaces are updated (new flat views published) on return, or at
 * the end of the enclosing transaction.  BQL held.
 */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
/* Unmap @subregion, which must be a subregion of @mr.  BQL held. */
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);

/*
 * A disabled region (and what is below it) is absent from every view,
 * as if it were unmapped.  Regions start enabled.  BQL held.
 */
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);

/*
 * QEMU's ioeventfd: a guest write of @size bytes at @addr in MMIO region
 * @mr (with @match_data, only one whose value is @data) no longer calls
 * the device: it sets @e and completes, without the BQL, in the writing
 * thread.  The device handles @e wherever it watches it (its AioContext).
 * There is no kernel to do this as with KVM, so it is the dispatcher's
 * job: see memory_region_dispatch in system/physmem.c.  BQL held.
 */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data,
                               EventNotifier *e);
/* Undo one memory_region_add_eventfd with the same arguments.  BQL held. */
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data,
                               EventNotifier *e);


/*
 * Batch map changes: views are rebuilt once, at the outermost commit.
 * Nests.  BQL held.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* Size in bytes (UINT64_MAX for a 2^64-byte region).  Any thread. */
uint64_t memory_region_size(MemoryRegion *mr);
/* The name given at init (borrowed).  Any thread. */
const char *memory_region_name(const MemoryRegion *mr);
/* Whether @mr is RAM or ROM (has host memory).  Any thread. */
bool memory_region_is_ram(MemoryRegion *mr);
/*
 * The host memory behind a RAM/ROM region (or behind an alias of one,
 * already offset), valid while the region exists.  Any thread.
 */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/*
 * Keep @mr alive (by referencing its owner, as QEMU does: an owner-less
 * region must simply outlive its users).  Any thread.
 */
void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);

/*
 * One access of @size (1, 2, 4 or 8) bytes at offset @addr of a terminal
 * region, checked against ops->valid and split or widened to ops->impl.
 * *@pval is a little-endian value: the bytes the guest sees, read as a
 * little-endian number.  Takes the BQL around MMIO callbacks unless the
 * caller holds it.  Called from: any registered thread, inside
 * rcu_read_lock (or holding a reference on @mr).
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *pval, unsigned size,
                                        MemTxAttrs attrs);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t val, unsigned size,
                                         MemTxAttrs attrs);

/* ---- Address spaces ----------------------------------------------------- */

/*
 * One sorted array of non-overlapping ranges, each mapping
 * [start, last] of the address space to a terminal region.  Immutable
 * once published; freed with call_rcu.
 */
typedef struct FlatRange {
    hwaddr start;
    hwaddr last;                /* inclusive, so 2^64 bytes fit */
    MemoryRegion *mr;           /* RAM or MMIO, never a container/alias */
    hwaddr offset_in_region;    /* of @start */
    Object *owner;              /* referenced while the view lives */
} FlatRange;

typedef struct FlatView {
    struct rcu_head rcu;        /* first: freed with call_rcu */
    unsigned nr;
    FlatRange *ranges;
} FlatView;

/*
 * A view of a region tree from some bus master (here: the harts and DMA).
 * @root and @name are set at init; @current_map is replaced under the BQL
 * and read with qatomic_rcu_read inside rcu_read_lock; the list link is
 * under the BQL.
 */
typedef struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;
    QTAILQ_ENTRY(AddressSpace) address_spaces_link;
} AddressSpace;

/* Make @as show @root (referenced) and publish its first view.  BQL held. */
void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
/*
 * Stop updating @as and free its view after a grace period.  The caller
 * may free @as itself once no thread can still be using it.  BQL held.
 */
void address_space_destroy(AddressSpace *as);

/*
 * Copy @len bytes between @buf and @as starting at @addr.  The access is
 * split at region boundaries, MMIO pieces into the largest aligned sizes
 * the device accepts.  Unmapped bytes read as 0 and make the result
 * MEMTX_DECODE_ERROR; the rest of the access still happens.  Writes to
 * ROM are dropped.  Any registered thread, with or without the BQL.
 */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len);
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
/* As address_space_write, but writes into ROM too (for loaders). */
MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len);

/*
 * Loads and stores of 1/2/4/8 bytes, little-endian.  An access inside one
 * MMIO region goes to the device as one access of that size (so the
 * device's valid rules, e.g. alignment, apply); one that crosses regions
 * is split as address_space_read/write do.  @result may be NULL.  Any
 * registered thread, with or without the BQL.
 */
uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result);
uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);

/*
 * The terminal region at @addr and the offset in it (*@xlat), with *@plen
 * cut down to what stays inside that region; NULL if @addr is unmapped
 * (then *@plen is cut to the unmapped stretch).  For a CPU's fast path:
 * RAM can then be reached with memory_region_get_ram_ptr.  Call inside
 * rcu_read_lock; the region stays valid until rcu_read_unlock.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs);

/* ---- The system memory -------------------------------------------------- */

/*
 * The root of the machine's physical map, a container named "system"
 * covering the 64-bit space, created with address_space_memory on first
 * call.  BQL held.
 */
MemoryRegion *get_system_memory(void);
/* Valid after the first get_system_memory(). */
extern AddressSpace address_space_memory;

/* ---- info mtree --------------------------------------------------------- */

/*
 * The text of HMP "info mtree": every address space's region tree, then
 * the regions that aliases point into, as QEMU prints them.  A new string
 * to g_free.  BQL held.
 */
char *mtree_info_string(void);
/* The text of "info mtree -f": each address space's flat view.  BQL held. */
char *mtree_info_flatview_string(void);

/* ---- Internal: shared by system/memory*.c and system/physmem.c ---------- */

/* The last offset inside @mr (size 0 has none; callers check). */
static inline hwaddr region_last(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;
}

typedef QTAILQ_HEAD(AddressSpaceList, AddressSpace) AddressSpaceList;
/* Every initialised AddressSpace, in init order.  BQL. */
extern AddressSpaceList address_spaces;

/* Render @as->root and publish the result; old view via call_rcu.  BQL. */
void address_space_update_topology(AddressSpace *as);

/*
 * The range of @fv (NULL: nothing mapped) holding @addr, or NULL; cuts
 * *@plen (> 0) to stay inside that range or unmapped stretch, and sets
 * *@xlat to the offset in the region.  O(log n).  Inside rcu_read_lock.
 */
FlatRange *flatview_translate(FlatView *fv, hwaddr addr, hwaddr *xlat,
                              hwaddr *plen);

/* One memory_region_add_eventfd registration. */
typedef struct MemoryRegionIoeventfd {
    hwaddr addr;
    unsigned size;
    bool match_data;
    uint64_t data;
    EventNotifier *e;
} MemoryRegionIoeventfd;

/*
 * If a registered ioeventfd matches this write, set it and return true
 * (the device is not called).  Any thread.
 */
bool memory_region_ioeventfd_write(MemoryRegion *mr, hwaddr addr,
                                   uint64_t val, unsigned size);

/* How many FlatViews exist (published or awaiting call_rcu).  For tests. */
int memory_flatviews_alive(void);

#endif
