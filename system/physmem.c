/*
 * Accessing an address space: lookup in the published FlatView under
 * RCU, RAM by memcpy, MMIO through the region's ops with the BQL, and the
 * ld/st helpers; plus the system memory and address_space_memory.
 * Corresponds to the dispatch parts of QEMU's system/physmem.c
 * (flatview_read/write, prepare_mmio_access, address_space_ld*_internal,
 * memory_map_init) and of system/memory.c (memory_region_dispatch_*,
 * access_with_adjusted_size).  See docs/memory.md.
 */
#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/memory.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"

/* ---- Little-endian values and host bytes -------------------------------- */

static uint64_t ldn_le_p(const void *p, unsigned size)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;
    int i;

    memcpy(b, p, size);
    for (i = size - 1; i >= 0; i--) {
        v = (v << 8) | b[i];
    }
    return v;
}

static void stn_le_p(void *p, unsigned size, uint64_t v)
{
    uint8_t b[8];
    unsigned i;

    for (i = 0; i < size; i++) {
        b[i] = v >> (i * 8);
    }
    memcpy(p, b, size);
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return GUINT16_SWAP_LE_BE((uint16_t)v);
    case 4:
        return GUINT32_SWAP_LE_BE((uint32_t)v);
    case 8:
        return GUINT64_SWAP_LE_BE(v);
    default:
        return v;
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

/*
 * Guest RAM is shared with other harts: an aligned access of 2, 4 or 8
 * bytes must be single-copy atomic, as the architecture promises, so it
 * is one relaxed atomic load or store rather than a memcpy.
 */
static uint64_t ram_load(const uint8_t *p, unsigned size)
{
    if (size > 1 && !((uintptr_t)p & (size - 1))) {
        switch (size) {
        case 2:
            return GUINT16_FROM_LE(qatomic_read((uint16_t *)p));
        case 4:
            return GUINT32_FROM_LE(qatomic_read((uint32_t *)p));
        case 8:
            return GUINT64_FROM_LE(qatomic_read((uint64_t *)p));
        }
    }
    return size == 1 ? qatomic_read(p) : ldn_le_p(p, size);
}

static void ram_store(uint8_t *p, unsigned size, uint64_t v)
{
    if (size > 1 && !((uintptr_t)p & (size - 1))) {
        switch (size) {
        case 2:
            qatomic_set((uint16_t *)p, GUINT16_TO_LE((uint16_t)v));
            return;
        case 4:
            qatomic_set((uint32_t *)p, GUINT32_TO_LE((uint32_t)v));
            return;
        case 8:
            qatomic_set((uint64_t *)p, GUINT64_TO_LE(v));
            return;
        }
    }
    if (size == 1) {
        qatomic_set(p, (uint8_t)v);
    } else {
        stn_le_p(p, size, v);
    }
}

/* ---- One access to one region ------------------------------------------- */

/*
 * QEMU's memory_region_access_valid: may the guest do this access?  A
 * refusal is a guest error, logged in QEMU's words (-d guest_errors).
 */
static bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr,
                                       unsigned size, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->valid.min_access_size ? : 1;
    unsigned max = ops->valid.max_access_size ? : 8;

    if (!ops->valid.unaligned && (addr & (size - 1))) {
        qemu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" PRIX64
                      ", size %u, region '%s', reason: unaligned\n",
                      is_write ? "write" : "read", (uint64_t)addr, size,
                      memory_region_name(mr));
        return false;
    }
    if (size < min || size > max) {
        qemu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" PRIX64
                      ", size %u, region '%s', reason: invalid size "
                      "(min:%u max:%u)\n", is_write ? "write" : "read",
                      (uint64_t)addr, size, memory_region_name(mr), min, max);
        return false;
    }
    return true;
}

/* One call into the device; a missing callback refuses the access. */
static MemTxResult mmio_call(MemoryRegion *mr, hwaddr addr, uint64_t *val,
                             unsigned size, MemTxAttrs attrs, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;

    if (is_write) {
        if (ops->write_with_attrs) {
            return ops->write_with_attrs(mr->opaque, addr, *val, size, attrs);
        }
        if (ops->write) {
            ops->write(mr->opaque, addr, *val, size);
            return MEMTX_OK;
        }
    } else {
        *val = 0;
        if (ops->read_with_attrs) {
            return ops->read_with_attrs(mr->opaque, addr, val, size, attrs);
        }
        if (ops->read) {
            *val = ops->read(mr->opaque, addr, size);
            return MEMTX_OK;
        }
    }
    return MEMTX_DECODE_ERROR;
}

/*
 * QEMU's access_with_adjusted_size: make a @size-byte access (value in
 * device order in *@value) out of accesses of the size the callbacks
 * implement: several narrower ones, placed by the device's endianness,
 * or one wider one cut down (a negative shift moves the other way).
 */
static MemTxResult access_with_adjusted_size(MemoryRegion *mr, hwaddr addr,
                                             uint64_t *value, unsigned size,
                                             MemTxAttrs attrs, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops->impl.min_access_size ? : 1;
    unsigned imax = ops->impl.max_access_size ? : 4;
    unsigned access_size = MAX(MIN(size, imax), imin);
    uint64_t mask = size_mask(access_size);
    bool big = ops->endianness == DEVICE_BIG_ENDIAN;
    MemTxResult r = MEMTX_OK;
    unsigned i;

    if (!is_write) {
        *value = 0;
    }
    for (i = 0; i < size; i += access_size) {
        int shift = big ? ((int)size - (int)access_size - (int)i) * 8
                        : (int)i * 8;
        uint64_t tmp;

        if (is_write) {
            tmp = shift >= 0 ? *value >> shift : *value << -shift;
            tmp &= mask;
            r |= mmio_call(mr, addr + i, &tmp, access_size, attrs, true);
        } else {
            r |= mmio_call(mr, addr + i, &tmp, access_size, attrs, false);
            tmp &= mask;
            *value |= shift >= 0 ? tmp << shift : tmp >> -shift;
        }
    }
    if (!is_write) {
        *value &= size_mask(size);
    }
    return r;
}

/*
 * QEMU's prepare_mmio_access, for the BQL only: device callbacks run
 * under it, but a vCPU thread runs without it, so take it here for the
 * duration of the call and report whether we did.
 */
static bool prepare_mmio_access(void)
{
    if (bql_locked()) {
        return false;
    }
    bql_lock();
    return true;
}

static MemTxResult memory_region_dispatch(MemoryRegion *mr, hwaddr addr,
                                          uint64_t *val, unsigned size,
                                          MemTxAttrs attrs, bool is_write,
                                          bool write_rom)
{
    MemTxResult r;
    bool unlock;

    while (mr->alias) {
        addr += mr->alias_offset;
        mr = mr->alias;
    }
    if (!is_write) {
        *val = 0;
    }
    if (!mr->terminates || (size != 1 && size != 2 && size != 4 &&
                            size != 8) ||
        mr->size == 0 || addr > region_last(mr) ||
        size - 1 > region_last(mr) - addr) {
        return MEMTX_DECODE_ERROR;
    }
    if (mr->ram) {
        if (!is_write) {
            *val = ram_load(mr->ram_block + addr, size);
        } else if (!mr->readonly || write_rom) {
            ram_store(mr->ram_block + addr, size, *val);
        }
        /* A guest write to ROM is dropped, as on real hardware. */
        return MEMTX_OK;
    }
    if (!memory_region_access_valid(mr, addr, size, is_write)) {
        return MEMTX_DECODE_ERROR;
    }
    /*
     * A doorbell: set the notifier without the BQL and without calling
     * the device (KVM's ioeventfd, done here).  The list is read under
     * RCU.
     */
    if (is_write && qatomic_read(&mr->ioeventfds) &&
        memory_region_ioeventfd_write(mr, addr, *val, size)) {
        return MEMTX_OK;
    }
    /* Device order <-> our little-endian numbers. */
    if (is_write && mr->ops->endianness == DEVICE_BIG_ENDIAN) {
        *val = bswap_size(*val, size);
    }
    unlock = prepare_mmio_access();
    r = access_with_adjusted_size(mr, addr, val, size, attrs, is_write);
    if (unlock) {
        bql_unlock();
    }
    if (!is_write && mr->ops->endianness == DEVICE_BIG_ENDIAN) {
        *val = bswap_size(*val, size);
    }
    return r;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *pval, unsigned size,
                                        MemTxAttrs attrs)
{
    return memory_region_dispatch(mr, addr, pval, size, attrs, false, false);
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t val, unsigned size,
                                         MemTxAttrs attrs)
{
    return memory_region_dispatch(mr, addr, &val, size, attrs, true, false);
}

/* ---- Buffers ------------------------------------------------------------ */

/*
 * QEMU's memory_access_size: the largest access, at most @l bytes, that
 * the device accepts at @addr: within valid.max_access_size (default 4),
 * naturally aligned unless the device copes with unaligned accesses, and
 * a power of two.
 */
static hwaddr memory_access_size(MemoryRegion *mr, hwaddr l, hwaddr addr)
{
    unsigned max = mr->ops->valid.max_access_size ? : 4;

    if (!mr->ops->impl.unaligned) {
        hwaddr align = addr & -addr;

        if (align && align < max) {
            max = align;
        }
    }
    if (l > max) {
        l = max;
    }
    return 1ULL << (63 - __builtin_clzll(l));    /* pow2floor */
}

static MemTxResult flatview_access(FlatView *fv, hwaddr addr,
                                   MemTxAttrs attrs, uint8_t *buf,
                                   hwaddr len, bool is_write, bool write_rom)
{
    MemTxResult r = MEMTX_OK;

    while (len > 0) {
        hwaddr l = len, xlat;
        FlatRange *fr = flatview_translate(fv, addr, &xlat, &l);
        MemoryRegion *mr = fr ? fr->mr : NULL;

        if (!mr) {
            /* Unmapped: reads see zeroes, and the caller hears of it. */
            qemu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" PRIX64
                          ", size %u, region '(null)', reason: rejected\n",
                          is_write ? "write" : "read", (uint64_t)addr,
                          (unsigned)l);
            if (!is_write) {
                memset(buf, 0, l);
            }
            r |= MEMTX_DECODE_ERROR;
        } else if (mr->ram) {
            if (!is_write) {
                memcpy(buf, mr->ram_block + xlat, l);
            } else if (!mr->readonly || write_rom) {
                memcpy(mr->ram_block + xlat, buf, l);
            }
        } else {
            hwaddr done = 0;

            while (done < l) {
                hwaddr n = memory_access_size(mr, l - done, xlat + done);
                uint64_t val = 0;

                if (is_write) {
                    val = ldn_le_p(buf + done, n);
                }
                r |= memory_region_dispatch(mr, xlat + done, &val, n, attrs,
                                            is_write, false);
                if (!is_write) {
                    stn_le_p(buf + done, n, val);
                }
                done += n;
            }
        }
        buf += l;
        addr += l;          /* wraps to 0 past the top, as in QEMU */
        len -= l;
    }
    return r;
}

static MemTxResult address_space_access(AddressSpace *as, hwaddr addr,
                                        MemTxAttrs attrs, void *buf,
                                        hwaddr len, bool is_write,
                                        bool write_rom)
{
    MemTxResult r;

    /*
     * The view and its regions stay valid until rcu_read_unlock, even if
     * the map changes meanwhile.  Pairs with qatomic_rcu_set in
     * address_space_update_topology.
     */
    rcu_read_lock();
    r = flatview_access(qatomic_rcu_read(&as->current_map), addr, attrs,
                        buf, len, is_write, write_rom);
    rcu_read_unlock();
    return r;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len)
{
    return address_space_access(as, addr, attrs, buf, len, false, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len)
{
    return address_space_access(as, addr, attrs, (void *)buf, len, true,
                                false);
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    return address_space_access(as, addr, attrs, buf, len, is_write, false);
}

MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len)
{
    return address_space_access(as, addr, attrs, (void *)buf, len, true,
                                true);
}

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen,
                                      bool is_write, MemTxAttrs attrs)
{
    FlatRange *fr;
    hwaddr one = 1;

    if (!plen) {
        plen = &one;
    }
    fr = flatview_translate(qatomic_rcu_read(&as->current_map), addr, xlat,
                            plen);
    return fr ? fr->mr : NULL;
}

/* ---- ld/st -------------------------------------------------------------- */

/*
 * An access inside one region goes to it whole (so an MMIO device sees
 * one access of the guest's size, and its valid rules apply); one that
 * crosses into another region or a hole is split like a buffer.
 */
static uint64_t address_space_ld(AddressSpace *as, hwaddr addr,
                                 MemTxAttrs attrs, MemTxResult *result,
                                 unsigned size)
{
    hwaddr l = size, xlat;
    uint64_t val;
    FlatRange *fr;
    MemTxResult r;

    rcu_read_lock();
    fr = flatview_translate(qatomic_rcu_read(&as->current_map), addr, &xlat,
                            &l);
    if (fr && l == size) {
        r = memory_region_dispatch(fr->mr, xlat, &val, size, attrs, false,
                                   false);
    } else {
        uint8_t buf[8];

        r = address_space_access(as, addr, attrs, buf, size, false, false);
        val = ldn_le_p(buf, size);
    }
    rcu_read_unlock();
    if (result) {
        *result = r;
    }
    return val;
}

static void address_space_st(AddressSpace *as, hwaddr addr, uint64_t val,
                             MemTxAttrs attrs, MemTxResult *result,
                             unsigned size)
{
    hwaddr l = size, xlat;
    FlatRange *fr;
    MemTxResult r;

    rcu_read_lock();
    fr = flatview_translate(qatomic_rcu_read(&as->current_map), addr, &xlat,
                            &l);
    if (fr && l == size) {
        r = memory_region_dispatch(fr->mr, xlat, &val, size, attrs, true,
                                   false);
    } else {
        uint8_t buf[8];

        stn_le_p(buf, size, val);
        r = address_space_access(as, addr, attrs, buf, size, true, false);
    }
    rcu_read_unlock();
    if (result) {
        *result = r;
    }
}

uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result)
{
    return address_space_ld(as, addr, attrs, result, 1);
}

uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_ld(as, addr, attrs, result, 2);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_ld(as, addr, attrs, result, 4);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_ld(as, addr, attrs, result, 8);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result)
{
    address_space_st(as, addr, val, attrs, result, 1);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_st(as, addr, val, attrs, result, 2);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_st(as, addr, val, attrs, result, 4);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_st(as, addr, val, attrs, result, 8);
}

/* ---- The system memory -------------------------------------------------- */

/* Created on first use and never freed, like QEMU's.  BQL. */
static MemoryRegion *system_memory;
AddressSpace address_space_memory;

MemoryRegion *get_system_memory(void)
{
    assert_bql_held();
    if (!system_memory) {
        system_memory = g_new0(MemoryRegion, 1);
        memory_region_init(system_memory, NULL, "system", UINT64_MAX);
        address_space_init(&address_space_memory, system_memory, "memory");
    }
    return system_memory;
}

/* ---- Debug access through a CPU's translation ---------------------------- */

typedef struct DebugAccess {
    uint64_t addr;
    uint8_t *buf;
    size_t len;
    bool is_write;
    int ret;
} DebugAccess;

/* In the vCPU's thread: the translation state (satp, mode) is its own. */
static void do_memory_rw_debug(CPUState *cpu, void *opaque)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);
    AddressSpace *as = cpu->as ? cpu->as : &address_space_memory;
    DebugAccess *d = opaque;
    uint64_t addr = d->addr;
    uint8_t *buf = d->buf;
    size_t left = d->len;

    while (left > 0) {
        size_t chunk = MIN(left, 4096 - (addr & 4095));
        int64_t phys = cc->get_phys_page_debug ?
                       cc->get_phys_page_debug(cpu, addr) : (int64_t)addr;
        MemTxResult res;

        if (phys < 0) {
            return;
        }
        res = d->is_write ?
              address_space_write(as, phys, MEMTXATTRS_UNSPECIFIED, buf,
                                  chunk) :
              address_space_read(as, phys, MEMTXATTRS_UNSPECIFIED, buf,
                                 chunk);
        if (res != MEMTX_OK) {
            return;
        }
        addr += chunk;
        buf += chunk;
        left -= chunk;
    }
    d->ret = 0;
}

int cpu_memory_rw_debug(CPUState *cpu, uint64_t addr, void *buf, size_t len,
                        bool is_write)
{
    DebugAccess d = { addr, buf, len, is_write, -1 };

    run_on_cpu(cpu, do_memory_rw_debug, &d);
    return d.ret;
}
