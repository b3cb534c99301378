/*
 * The CLINT: per-hart software interrupts (msip), per-hart timer compare
 * registers (mtimecmp) and the shared machine timer (mtime).
 * Corresponds to QEMU's hw/intc/riscv_aclint.c (the MTIMER and MSWI
 * devices, side by side where SiFive's CLINT was, as QEMU's virt maps them
 * without aclint=on).  Register map in include/qcore/hw/riscv_aclint.h.
 *
 * mtime is not stored: it is QEMU_CLOCK_VIRTUAL scaled to the timebase
 * plus time_delta, which guest writes to mtime (and reset) change.  A
 * hart's MTIP level is "mtime >= mtimecmp"; since mtime moves on its own,
 * a virtual-clock timer per hart fires at the first instant the
 * comparison becomes true.  Like QEMU, mtimecmp is 0 after reset, so
 * MTIP is high until the guest programs a compare value.
 *
 * Locking: everything is under the BQL (MMIO, timer callbacks, connect,
 * reset) except time_delta, which riscv_aclint_get_mtime reads from vCPU
 * threads without it: it is written with qatomic_set under the BQL and
 * read with qatomic_read, and a reader racing with a guest write of
 * mtime sees the old or the new value, as a hart would on hardware.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/hw/riscv_aclint.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"

typedef struct AclintHart {
    RISCVAclintState *s;
    unsigned index;
    QEMUTimer timer;            /* QEMU_CLOCK_VIRTUAL: mtime reaches cmp */
    uint64_t timecmp;
    bool msip;
    int mtip_level;             /* last level driven; -1: drive next time */
    int msip_level;
    qemu_irq mtip_irq;          /* outputs, NULL until connected */
    qemu_irq msip_irq;
} AclintHart;

struct RISCVAclintState {
    Object parent_obj;

    MemoryRegion swi, mtimer;   /* offsets 0 and RISCV_ACLINT_MTIMECMP */
    unsigned num_harts;         /* immutable after create */
    uint32_t timebase_freq;     /* immutable after create */
    int64_t time_delta;         /* mtime - scaled clock; see above */
    AclintHart *harts;          /* [num_harts]; BQL */
};

#define RISCV_ACLINT(obj) OBJECT_CHECK(RISCVAclintState, (obj), \
                                       TYPE_RISCV_ACLINT)

/* The virtual clock in timebase ticks, without the guest's offset. */
static uint64_t aclint_ticks_raw(RISCVAclintState *s)
{
    unsigned __int128 ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    return ns * s->timebase_freq / NANOSECONDS_PER_SECOND;
}

uint64_t riscv_aclint_get_mtime(RISCVAclintState *s)
{
    return aclint_ticks_raw(s) + (uint64_t)qatomic_read(&s->time_delta);
}

static void aclint_drive(qemu_irq irq, int *last, int level)
{
    if (*last != level) {
        *last = level;
        qemu_set_irq(irq, level);
    }
}

/*
 * Re-evaluate one hart's timer after mtime or its mtimecmp changed, or
 * its timer fired: set MTIP, or lower it and arm the timer for the
 * virtual-clock instant at which mtime reaches mtimecmp.
 */
static void aclint_update_timer(AclintHart *h)
{
    RISCVAclintState *s = h->s;
    __int128 raw_target, deadline;

    if (h->timecmp <= riscv_aclint_get_mtime(s)) {
        timer_del(&h->timer);
        aclint_drive(h->mtip_irq, &h->mtip_level, 1);
        return;
    }
    aclint_drive(h->mtip_irq, &h->mtip_level, 0);

    /*
     * mtime = floor(ns * freq / 1e9) + delta >= timecmp first holds at
     * ns = ceil((timecmp - delta) * 1e9 / freq).  The difference is taken
     * in 128 bits: delta is negative once the guest (or a reset) moved
     * mtime back, and timecmp - delta then passes 2^64 for a timecmp of
     * all ones, which OpenSBI writes to mean "never".  Wrapped in 64 bits
     * it became a deadline in the past, and the timer fired for ever.  A
     * deadline past INT64_MAX ns (292 years) never comes.
     */
    raw_target = (__int128)h->timecmp - qatomic_read(&s->time_delta);
    deadline = (raw_target * NANOSECONDS_PER_SECOND +
                s->timebase_freq - 1) / s->timebase_freq;
    if (deadline > INT64_MAX) {
        timer_del(&h->timer);
        return;
    }
    timer_mod_ns(&h->timer, (int64_t)deadline);
}

static void aclint_timer_cb(void *opaque)
{
    /* The deadline was rounded up, so this raises MTIP. */
    aclint_update_timer(opaque);
}

static void aclint_set_msip(AclintHart *h, bool level)
{
    h->msip = level;
    aclint_drive(h->msip_irq, &h->msip_level, level);
}

static void aclint_set_mtime(RISCVAclintState *s, uint64_t value)
{
    qatomic_set(&s->time_delta, (int64_t)(value - aclint_ticks_raw(s)));
    for (unsigned i = 0; i < s->num_harts; i++) {
        aclint_update_timer(&s->harts[i]);
    }
}

/* A 64-bit register accessed as a whole or as one 32-bit half. */
static uint64_t reg64_read(uint64_t reg, hwaddr off, unsigned size)
{
    if (size == 8) {
        return reg;
    }
    return off & 4 ? reg >> 32 : (uint32_t)reg;
}

static uint64_t reg64_write(uint64_t reg, hwaddr off, uint64_t val,
                            unsigned size)
{
    if (size == 8) {
        return val;
    }
    if (off & 4) {
        return (reg & 0xffffffffULL) | (val << 32);
    }
    return (reg & ~0xffffffffULL) | (uint32_t)val;
}

/* The hart whose msip word is at @addr, or NULL. */
static AclintHart *aclint_msip_hart(RISCVAclintState *s, hwaddr addr)
{
    if (addr < RISCV_ACLINT_MTIMECMP && addr / 4 < s->num_harts) {
        return &s->harts[addr / 4];
    }
    return NULL;
}

/* The hart whose mtimecmp covers @addr, or NULL. */
static AclintHart *aclint_cmp_hart(RISCVAclintState *s, hwaddr addr)
{
    if (addr >= RISCV_ACLINT_MTIMECMP && addr < RISCV_ACLINT_MTIME &&
        (addr - RISCV_ACLINT_MTIMECMP) / 8 < s->num_harts) {
        return &s->harts[(addr - RISCV_ACLINT_MTIMECMP) / 8];
    }
    return NULL;
}

static uint64_t aclint_read32(RISCVAclintState *s, hwaddr addr)
{
    AclintHart *h = aclint_msip_hart(s, addr);

    if (h) {
        return h->msip;
    }
    if ((h = aclint_cmp_hart(s, addr))) {
        return reg64_read(h->timecmp, addr, 4);
    }
    if (addr >= RISCV_ACLINT_MTIME) {
        return reg64_read(riscv_aclint_get_mtime(s), addr, 4);
    }
    qemu_log_mask(LOG_GUEST_ERROR, "clint: read of unknown offset 0x%"
                  HWADDR_PRIx "\n", addr);
    return 0;
}

static uint64_t aclint_read(void *opaque, hwaddr addr, unsigned size)
{
    RISCVAclintState *s = opaque;
    AclintHart *h;

    if (size == 4) {
        return aclint_read32(s, addr);
    }
    /* 8 bytes: one 64-bit register, read at once so that it is coherent. */
    if ((h = aclint_cmp_hart(s, addr))) {
        return h->timecmp;
    }
    if (addr == RISCV_ACLINT_MTIME) {
        return riscv_aclint_get_mtime(s);
    }
    /* Unknown space (mtimecmp of harts that do not exist). */
    return aclint_read32(s, addr) | aclint_read32(s, addr + 4) << 32;
}

static void aclint_write32(RISCVAclintState *s, hwaddr addr, uint64_t val)
{
    AclintHart *h = aclint_msip_hart(s, addr);

    if (h) {
        aclint_set_msip(h, val & 1);
    } else if ((h = aclint_cmp_hart(s, addr))) {
        h->timecmp = reg64_write(h->timecmp, addr, val, 4);
        aclint_update_timer(h);
    } else if (addr >= RISCV_ACLINT_MTIME) {
        aclint_set_mtime(s, reg64_write(riscv_aclint_get_mtime(s), addr,
                                        val, 4));
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "clint: write to unknown offset 0x%"
                      HWADDR_PRIx "\n", addr);
    }
}

static void aclint_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    RISCVAclintState *s = opaque;
    AclintHart *h;

    if (size == 4) {
        aclint_write32(s, addr, val);
    } else if ((h = aclint_cmp_hart(s, addr))) {
        h->timecmp = val;
        aclint_update_timer(h);
    } else if (addr == RISCV_ACLINT_MTIME) {
        aclint_set_mtime(s, val);
    } else {
        aclint_write32(s, addr, (uint32_t)val);
        aclint_write32(s, addr + 4, val >> 32);
    }
}

static const MemoryRegionOps aclint_swi_ops = {
    .read = aclint_read,
    .write = aclint_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* The MTIMER window starts at mtimecmp[0]: back to CLINT offsets. */
static uint64_t aclint_mtimer_read(void *opaque, hwaddr addr, unsigned size)
{
    return aclint_read(opaque, RISCV_ACLINT_MTIMECMP + addr, size);
}

static void aclint_mtimer_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    aclint_write(opaque, RISCV_ACLINT_MTIMECMP + addr, val, size);
}

static const MemoryRegionOps aclint_mtimer_ops = {
    .read = aclint_mtimer_read,
    .write = aclint_mtimer_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* Reset as QEMU's: msip 0, mtimecmp 0, mtime 0 (which raises MTIP). */
static void aclint_reset(void *opaque)
{
    RISCVAclintState *s = opaque;

    for (unsigned i = 0; i < s->num_harts; i++) {
        aclint_set_msip(&s->harts[i], false);
        s->harts[i].timecmp = 0;
    }
    aclint_set_mtime(s, 0);
}

void riscv_aclint_connect_hart(RISCVAclintState *s, unsigned hart,
                               qemu_irq mtip, qemu_irq msip)
{
    AclintHart *h;

    assert_bql_held();
    assert(hart < s->num_harts);
    h = &s->harts[hart];
    h->mtip_irq = mtip;
    h->msip_irq = msip;
    /* Bring the newly connected lines to the current levels. */
    h->mtip_level = -1;
    h->msip_level = -1;
    aclint_set_msip(h, h->msip);
    aclint_update_timer(h);
}

/* ---- QOM -------------------------------------------------------------- */

static void aclint_unparent(Object *obj)
{
    RISCVAclintState *s = RISCV_ACLINT(obj);

    assert_bql_held();
    qemu_unregister_reset(aclint_reset, s);
    qdev_gpio_cleanup(obj);
    for (unsigned i = 0; i < s->num_harts; i++) {
        timer_del(&s->harts[i].timer);
    }
    sysbus_mmio_unmap(&s->swi);
    sysbus_mmio_unmap(&s->mtimer);
}

static void aclint_finalize(Object *obj)
{
    RISCVAclintState *s = RISCV_ACLINT(obj);

    for (unsigned i = 0; i < s->num_harts; i++) {
        timer_deinit(&s->harts[i].timer);
    }
    g_free(s->harts);
}

static void aclint_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = aclint_unparent;
}

static const TypeInfo aclint_info = {
    .name = TYPE_RISCV_ACLINT,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(RISCVAclintState),
    .instance_finalize = aclint_finalize,
    .class_init = aclint_class_init,
};

static void aclint_register_types(void)
{
    type_register_static(&aclint_info);
}

type_init(aclint_register_types)

RISCVAclintState *riscv_aclint_create(Object *parent, const char *name,
                                      MemoryRegion *sysmem, hwaddr base,
                                      unsigned num_harts)
{
    RISCVAclintState *s = RISCV_ACLINT(object_new(TYPE_RISCV_ACLINT));

    assert_bql_held();
    assert(num_harts >= 1 && num_harts <= RISCV_ACLINT_MAX_HARTS);
    s->num_harts = num_harts;
    s->timebase_freq = RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ;
    s->harts = g_new0(AclintHart, num_harts);
    for (unsigned i = 0; i < num_harts; i++) {
        AclintHart *h = &s->harts[i];

        h->s = s;
        h->index = i;
        h->mtip_level = h->msip_level = -1;
        timer_init_ns(&h->timer, QEMU_CLOCK_VIRTUAL, aclint_timer_cb, h);
    }
    /* For qtest: outputs 0..n-1 are the harts' MTIP, n..2n-1 their MSIP. */
    for (unsigned i = 0; i < num_harts; i++) {
        qdev_init_gpio_out_pin(OBJECT(s), &s->harts[i].mtip_irq);
    }
    for (unsigned i = 0; i < num_harts; i++) {
        qdev_init_gpio_out_pin(OBJECT(s), &s->harts[i].msip_irq);
    }
    memory_region_init_io(&s->swi, OBJECT(s), &aclint_swi_ops, s,
                          "riscv.aclint.swi", RISCV_ACLINT_SWI_SIZE);
    memory_region_init_io(&s->mtimer, OBJECT(s), &aclint_mtimer_ops, s,
                          "riscv.aclint.mtimer", RISCV_ACLINT_MTIMER_SIZE);
    aclint_reset(s);
    qemu_register_reset(aclint_reset, s);
    sysbus_mmio_map(sysmem, base, &s->swi);
    sysbus_mmio_map(sysmem, base + RISCV_ACLINT_MTIMECMP, &s->mtimer);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
