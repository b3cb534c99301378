/*
 * The edu teaching device: identification and liveness registers, a
 * factorial computed later in a bottom half, a DMA engine between guest
 * RAM and a 4 KiB device buffer run by a virtual-clock timer, and an
 * interrupt line with status/raise/acknowledge registers.  Corresponds to
 * QEMU's hw/misc/edu.c (a PCI device there, memory-mapped here; QEMU
 * computes the factorial in a thread, which a BH replaces: the point is
 * that the answer comes later, not that it is expensive).  Register map in
 * include/qcore/hw/edu.h; docs/devices.md walks through this file.
 *
 * Locking: all state is under the BQL.  MMIO callbacks run with it
 * (memory API), and so do the BH and the timer (main loop).
 */
#include "qcore/osdep.h"
#include "qcore/hw/edu.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"

struct EduState {
    Object parent_obj;

    MemoryRegion mmio;
    qemu_irq irq;               /* set at create */
    AddressSpace *dma_as;       /* set at create */
    QEMUBH *fact_bh;            /* computes the factorial */
    QEMUTimer dma_timer;        /* QEMU_CLOCK_VIRTUAL: runs the transfer */

    /* Registers; BQL. */
    uint32_t liveness;
    uint32_t fact;
    uint32_t status;
    uint32_t irq_status;
    uint64_t dma_src;
    uint64_t dma_dst;
    uint64_t dma_count;
    uint64_t dma_cmd;
    uint8_t dma_buf[EDU_DMA_SIZE];
};

#define EDU(obj) OBJECT_CHECK(EduState, (obj), TYPE_EDU)

/* ---- interrupt ----------------------------------------------------------- */

/* The line is high while any status bit is: QEMU's edu as an INTx. */
static void edu_raise_irq(EduState *s, uint32_t bits)
{
    s->irq_status |= bits;
    if (s->irq_status) {
        qemu_irq_raise(s->irq);
    }
}

static void edu_lower_irq(EduState *s, uint32_t bits)
{
    s->irq_status &= ~bits;
    if (!s->irq_status) {
        qemu_irq_lower(s->irq);
    }
}

/* ---- factorial ----------------------------------------------------------- */

static void edu_fact_bh(void *opaque)
{
    EduState *s = opaque;
    uint32_t n = s->fact, r = 1;

    /*
     * Modulo 2^32, as the register is 32 bits wide.  Once the product has
     * 32 factors of two (from 34! on) it stays 0, so the loop stops there:
     * that bounds the work at 34 rounds whatever the guest wrote (with
     * n = 0xffffffff, `i <= n` alone never ended and stalled the loop).
     */
    for (uint32_t i = 2; i <= n && r != 0; i++) {
        r *= i;
    }
    s->fact = r;
    s->status &= ~EDU_STATUS_COMPUTING;
    if (s->status & EDU_STATUS_IRQFACT) {
        edu_raise_irq(s, EDU_INTR_FACT);
    }
}

/* ---- DMA ------------------------------------------------------------------ */

/*
 * Whether [addr, addr + len) is all RAM in @as (writable RAM if
 * @is_write).  Checked piece by piece, since RAM may be made of several
 * regions; an MMIO or unmapped byte anywhere refuses the transfer, so
 * that the engine never reaches a device or a hole.
 */
static bool edu_dma_range_is_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                                 bool is_write)
{
    bool ok = true;

    if (addr + len < addr) {
        return false;           /* wraps around the address space */
    }
    RCU_READ_LOCK_GUARD();
    while (len && ok) {
        hwaddr xlat, plen = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &plen,
                                                   is_write,
                                                   MEMTXATTRS_UNSPECIFIED);

        ok = mr && memory_region_is_ram(mr) && !(is_write && mr->readonly);
        addr += plen;
        len -= plen;
    }
    return ok;
}

/* Offset in the buffer of the device-side range, or -1 if outside it. */
static int64_t edu_dma_buf_offset(uint64_t addr, uint64_t count)
{
    if (addr < EDU_DMA_START || addr - EDU_DMA_START > EDU_DMA_SIZE ||
        count > EDU_DMA_SIZE - (addr - EDU_DMA_START)) {
        return -1;
    }
    return addr - EDU_DMA_START;
}

static void edu_dma_timer(void *opaque)
{
    EduState *s = opaque;
    bool to_ram = s->dma_cmd & EDU_DMA_TO_RAM;
    uint64_t ram = to_ram ? s->dma_dst : s->dma_src;
    int64_t off = edu_dma_buf_offset(to_ram ? s->dma_src : s->dma_dst,
                                     s->dma_count);
    MemTxResult res = MEMTX_ERROR;

    if (off >= 0 && edu_dma_range_is_ram(s->dma_as, ram, s->dma_count,
                                         to_ram)) {
        res = address_space_rw(s->dma_as, ram, MEMTXATTRS_UNSPECIFIED,
                               s->dma_buf + off, s->dma_count, to_ram);
    }
    if (res != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "edu: DMA of %" PRIu64 " bytes "
                      "between 0x%" PRIx64 " and 0x%" PRIx64 " refused\n",
                      s->dma_count, s->dma_src, s->dma_dst);
        s->dma_cmd |= EDU_DMA_ERROR;
    }
    s->dma_cmd &= ~EDU_DMA_RUN;
    if (s->dma_cmd & EDU_DMA_IRQ) {
        edu_raise_irq(s, EDU_INTR_DMA);
    }
}

static void edu_dma_start(EduState *s, uint64_t cmd)
{
    if (s->dma_cmd & EDU_DMA_RUN) {
        return;                 /* busy: QEMU's edu ignores the write too */
    }
    s->dma_cmd = cmd & (EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    if (s->dma_cmd & EDU_DMA_RUN) {
        timer_mod_ns(&s->dma_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                    EDU_DMA_DELAY_NS);
    }
}

/* ---- registers ------------------------------------------------------------ */

/* A 64-bit DMA register accessed whole or as a 32-bit half. */
static uint64_t *edu_dma_reg(EduState *s, hwaddr addr)
{
    switch (addr & ~7ULL) {
    case EDU_REG_DMA_SRC:
        return &s->dma_src;
    case EDU_REG_DMA_DST:
        return &s->dma_dst;
    case EDU_REG_DMA_COUNT:
        return &s->dma_count;
    case EDU_REG_DMA_CMD:
        return &s->dma_cmd;
    }
    return NULL;
}

static uint64_t edu_read(void *opaque, hwaddr addr, unsigned size)
{
    EduState *s = opaque;
    uint64_t *reg = edu_dma_reg(s, addr);

    if (reg) {
        if (size == 8) {
            return *reg;
        }
        return addr & 4 ? *reg >> 32 : (uint32_t)*reg;
    }
    if (size == 4) {
        switch (addr) {
        case EDU_REG_ID:
            return EDU_ID;
        case EDU_REG_LIVENESS:
            return ~s->liveness;
        case EDU_REG_FACTORIAL:
            return s->fact;
        case EDU_REG_STATUS:
            return s->status;
        case EDU_REG_INTR_STATUS:
            return s->irq_status;
        }
    }
    qemu_log_mask(LOG_GUEST_ERROR, "edu: bad read of %u bytes at 0x%"
                  HWADDR_PRIx "\n", size, addr);
    return 0;
}

static void edu_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    EduState *s = opaque;
    uint64_t *reg = edu_dma_reg(s, addr);

    if (reg) {
        uint64_t v = val;

        if (size == 4) {
            v = addr & 4 ? (*reg & 0xffffffffULL) | (val << 32)
                         : (*reg & ~0xffffffffULL) | (uint32_t)val;
        }
        if (reg == &s->dma_cmd) {
            edu_dma_start(s, v);
        } else if (!(s->dma_cmd & EDU_DMA_RUN)) {
            /* The engine's parameters stay put during a transfer. */
            *reg = v;
        }
        return;
    }
    if (size == 4) {
        switch (addr) {
        case EDU_REG_LIVENESS:
            s->liveness = val;
            return;
        case EDU_REG_FACTORIAL:
            if (!(s->status & EDU_STATUS_COMPUTING)) {
                s->fact = val;
                s->status |= EDU_STATUS_COMPUTING;
                qemu_bh_schedule(s->fact_bh);
            }
            return;
        case EDU_REG_STATUS:
            s->status = (s->status & EDU_STATUS_COMPUTING) |
                        (val & EDU_STATUS_IRQFACT);
            return;
        case EDU_REG_INTR_RAISE:
            edu_raise_irq(s, val);
            return;
        case EDU_REG_INTR_ACK:
            edu_lower_irq(s, val);
            return;
        }
    }
    qemu_log_mask(LOG_GUEST_ERROR, "edu: bad write of %u bytes at 0x%"
                  HWADDR_PRIx "\n", size, addr);
}

static const MemoryRegionOps edu_ops = {
    .read = edu_read,
    .write = edu_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

static void edu_reset(void *opaque)
{
    EduState *s = opaque;

    qemu_bh_cancel(s->fact_bh);
    timer_del(&s->dma_timer);
    s->liveness = s->fact = s->status = 0;
    s->dma_src = s->dma_dst = s->dma_count = s->dma_cmd = 0;
    memset(s->dma_buf, 0, sizeof(s->dma_buf));
    edu_lower_irq(s, UINT32_MAX);
}

/* ---- QOM and creation ----------------------------------------------------- */

/* Main thread, BQL: stop everything that could still call us. */
static void edu_unparent(Object *obj)
{
    EduState *s = EDU(obj);

    assert_bql_held();
    qemu_unregister_reset(edu_reset, s);
    qdev_gpio_cleanup(obj);
    qemu_bh_delete(s->fact_bh);
    s->fact_bh = NULL;
    timer_del(&s->dma_timer);
    sysbus_mmio_unmap(&s->mmio);
}

/* Any thread (maybe call_rcu's): only memory is freed here. */
static void edu_finalize(Object *obj)
{
    timer_deinit(&EDU(obj)->dma_timer);
}

static void edu_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = edu_unparent;
}

static const TypeInfo edu_info = {
    .name = TYPE_EDU,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(EduState),
    .instance_finalize = edu_finalize,
    .class_init = edu_class_init,
};

static void edu_register_types(void)
{
    type_register_static(&edu_info);
}

type_init(edu_register_types)

EduState *edu_create(Object *parent, const char *name, MemoryRegion *sysmem,
                     hwaddr base, qemu_irq irq, AddressSpace *dma_as)
{
    EduState *s = EDU(object_new(TYPE_EDU));

    assert_bql_held();
    s->irq = irq;
    qdev_init_gpio_out_pin(OBJECT(s), &s->irq);
    if (!dma_as) {
        get_system_memory();    /* address_space_memory exists after it */
        dma_as = &address_space_memory;
    }
    s->dma_as = dma_as;
    s->fact_bh = qemu_bh_new(edu_fact_bh, s);
    timer_init_ns(&s->dma_timer, QEMU_CLOCK_VIRTUAL, edu_dma_timer, s);
    memory_region_init_io(&s->mmio, OBJECT(s), &edu_ops, s, "edu",
                          EDU_MMIO_SIZE);
    edu_reset(s);
    qemu_register_reset(edu_reset, s);
    sysbus_mmio_map(sysmem, base, &s->mmio);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
