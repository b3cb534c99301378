/*
 * The SiFive PLIC as QEMU's virt board configures it: sources with
 * priorities, per-context enables and thresholds, and the claim/complete
 * handshake.  Corresponds to QEMU's hw/intc/sifive_plic.c; the register
 * map is in include/qcore/hw/sifive_plic.h.
 *
 * One difference from QEMU: QEMU makes a source pending whenever its
 * device calls qemu_set_irq with a high level, so a device that raised
 * its line once and keeps it high is not seen again after completion
 * unless it happens to update the line.  Here the PLIC remembers each
 * input's level and re-pends a still-high source when it is completed,
 * which is what the PLIC specification's level-triggered gateway does.
 *
 * Locking: all state is under the BQL (input lines are set by devices
 * holding it; MMIO callbacks run with it).
 */
#include "qcore/osdep.h"
#include "qcore/hw/sifive_plic.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"

#define PLIC_MAX_PRIORITY ((1U << VIRT_IRQCHIP_NUM_PRIO_BITS) - 1)

typedef struct PLICContext {
    uint32_t threshold;
    uint32_t *enable;           /* [words] */
    qemu_irq out;               /* NULL until connected */
    int out_level;              /* last level driven; -1: drive next time */
} PLICContext;

struct SiFivePLICState {
    Object parent_obj;

    MemoryRegion mmio;
    /* Immutable after create. */
    unsigned num_sources;       /* including source 0 */
    unsigned words;             /* 32-bit words of a source bitmap */
    unsigned num_contexts;
    qemu_irq *inputs;           /* [num_sources]; [0] is never used */

    /* BQL. */
    uint32_t *priority;         /* [num_sources] */
    uint32_t *pending;          /* [words] */
    uint32_t *claimed;          /* [words]: in service */
    uint32_t *level;            /* [words]: the input lines */
    PLICContext *contexts;      /* [num_contexts] */
};

#define SIFIVE_PLIC(obj) OBJECT_CHECK(SiFivePLICState, (obj), TYPE_SIFIVE_PLIC)

static bool bit_test(const uint32_t *map, unsigned id)
{
    return map[id / 32] & (1U << (id % 32));
}

static void bit_assign(uint32_t *map, unsigned id, bool on)
{
    if (on) {
        map[id / 32] |= 1U << (id % 32);
    } else {
        map[id / 32] &= ~(1U << (id % 32));
    }
}

/* Bits of word @w that name real sources (not 0, not past the end). */
static uint32_t plic_valid_mask(SiFivePLICState *s, unsigned w)
{
    uint32_t mask = UINT32_MAX;
    unsigned last = s->num_sources - w * 32;

    if (last < 32) {
        mask = (1U << last) - 1;
    }
    return w == 0 ? mask & ~1U : mask;
}

/*
 * The source context @ctx would claim now: the highest priority above
 * the threshold among pending, enabled sources not in service; the
 * lowest id among equals.  0 if none.
 */
static unsigned plic_best(SiFivePLICState *s, PLICContext *c)
{
    unsigned best = 0;
    uint32_t best_prio = c->threshold;

    for (unsigned w = 0; w < s->words; w++) {
        uint32_t cand = s->pending[w] & ~s->claimed[w] & c->enable[w];

        while (cand) {
            unsigned id = w * 32 + __builtin_ctz(cand);

            cand &= cand - 1;
            if (s->priority[id] > best_prio) {
                best = id;
                best_prio = s->priority[id];
            }
        }
    }
    return best;
}

static void plic_update(SiFivePLICState *s)
{
    for (unsigned i = 0; i < s->num_contexts; i++) {
        PLICContext *c = &s->contexts[i];
        int level = plic_best(s, c) != 0;

        if (level != c->out_level) {
            c->out_level = level;
            qemu_set_irq(c->out, level);
        }
    }
}

/* A device moved source @id's input line. */
static void plic_irq_request(void *opaque, int id, int level)
{
    SiFivePLICState *s = opaque;

    bit_assign(s->level, id, level);
    /* In service: it becomes pending again at completion, if still high. */
    if (!bit_test(s->claimed, id)) {
        bit_assign(s->pending, id, level);
    }
    plic_update(s);
}

static unsigned plic_claim(SiFivePLICState *s, PLICContext *c)
{
    unsigned id = plic_best(s, c);

    if (id) {
        bit_assign(s->pending, id, false);
        bit_assign(s->claimed, id, true);
        plic_update(s);
    }
    return id;
}

static void plic_complete(SiFivePLICState *s, uint64_t id)
{
    if (id == 0 || id >= s->num_sources || !bit_test(s->claimed, id)) {
        qemu_log_mask(LOG_GUEST_ERROR, "plic: completing %" PRIu64
                      ", which is not in service\n", id);
        return;
    }
    bit_assign(s->claimed, id, false);
    if (bit_test(s->level, id)) {
        bit_assign(s->pending, id, true);
    }
    plic_update(s);
}

/*
 * Decode @addr: sets *@c and *@off for a context's threshold/claim page,
 * *@w for a pending or enable word; returns which block it is.
 */
enum { PLIC_NONE, PLIC_PRIORITY, PLIC_PENDING, PLIC_ENABLE, PLIC_CONTEXT };

static int plic_decode(SiFivePLICState *s, hwaddr addr, PLICContext **c,
                       unsigned *idx)
{
    if (addr < VIRT_PLIC_PRIORITY_BASE + 4 * s->num_sources) {
        *idx = addr / 4;
        return PLIC_PRIORITY;
    }
    if (addr >= VIRT_PLIC_PENDING_BASE &&
        addr < VIRT_PLIC_PENDING_BASE + 4 * s->words) {
        *idx = (addr - VIRT_PLIC_PENDING_BASE) / 4;
        return PLIC_PENDING;
    }
    if (addr >= VIRT_PLIC_ENABLE_BASE &&
        addr < VIRT_PLIC_ENABLE_BASE +
               VIRT_PLIC_ENABLE_STRIDE * s->num_contexts) {
        hwaddr off = addr - VIRT_PLIC_ENABLE_BASE;

        *c = &s->contexts[off / VIRT_PLIC_ENABLE_STRIDE];
        *idx = (off % VIRT_PLIC_ENABLE_STRIDE) / 4;
        return *idx < s->words ? PLIC_ENABLE : PLIC_NONE;
    }
    if (addr >= VIRT_PLIC_CONTEXT_BASE &&
        addr < VIRT_PLIC_SIZE(s->num_contexts)) {
        hwaddr off = addr - VIRT_PLIC_CONTEXT_BASE;

        *c = &s->contexts[off / VIRT_PLIC_CONTEXT_STRIDE];
        *idx = off % VIRT_PLIC_CONTEXT_STRIDE;
        return *idx <= 4 ? PLIC_CONTEXT : PLIC_NONE;
    }
    return PLIC_NONE;
}

static uint64_t plic_read(void *opaque, hwaddr addr, unsigned size)
{
    SiFivePLICState *s = opaque;
    PLICContext *c = NULL;
    unsigned idx = 0;

    switch (plic_decode(s, addr, &c, &idx)) {
    case PLIC_PRIORITY:
        return s->priority[idx];
    case PLIC_PENDING:
        return s->pending[idx];
    case PLIC_ENABLE:
        return c->enable[idx];
    case PLIC_CONTEXT:
        return idx == 0 ? c->threshold : plic_claim(s, c);
    }
    qemu_log_mask(LOG_GUEST_ERROR, "plic: read of unknown offset 0x%"
                  HWADDR_PRIx "\n", addr);
    return 0;
}

static void plic_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    SiFivePLICState *s = opaque;
    PLICContext *c = NULL;
    unsigned idx = 0;

    switch (plic_decode(s, addr, &c, &idx)) {
    case PLIC_PRIORITY:
        /* WARL: the bits beyond the implemented ones read as zero. */
        if (idx) {
            s->priority[idx] = val & PLIC_MAX_PRIORITY;
            plic_update(s);
        }
        return;
    case PLIC_ENABLE:
        c->enable[idx] = val & plic_valid_mask(s, idx);
        plic_update(s);
        return;
    case PLIC_CONTEXT:
        if (idx == 0) {
            c->threshold = val & PLIC_MAX_PRIORITY;
            plic_update(s);
        } else {
            plic_complete(s, val);
        }
        return;
    case PLIC_PENDING:
        /* Pending bits follow the sources; the guest cannot set them. */
        break;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "plic: write to read-only or unknown "
                  "offset 0x%" HWADDR_PRIx "\n", addr);
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* Everything off and nothing in service; input levels are the devices'. */
static void plic_reset(void *opaque)
{
    SiFivePLICState *s = opaque;

    memset(s->priority, 0, s->num_sources * sizeof(uint32_t));
    memset(s->claimed, 0, s->words * sizeof(uint32_t));
    memcpy(s->pending, s->level, s->words * sizeof(uint32_t));
    for (unsigned i = 0; i < s->num_contexts; i++) {
        s->contexts[i].threshold = 0;
        memset(s->contexts[i].enable, 0, s->words * sizeof(uint32_t));
    }
    plic_update(s);
}

qemu_irq sifive_plic_get_irq(SiFivePLICState *s, unsigned id)
{
    assert(id >= 1 && id < s->num_sources);
    return s->inputs[id];
}

void sifive_plic_connect_context(SiFivePLICState *s, unsigned ctx,
                                 qemu_irq out)
{
    assert_bql_held();
    assert(ctx < s->num_contexts);
    s->contexts[ctx].out = out;
    s->contexts[ctx].out_level = -1;
    plic_update(s);
}

/* ---- QOM -------------------------------------------------------------- */

static void plic_unparent(Object *obj)
{
    SiFivePLICState *s = SIFIVE_PLIC(obj);

    assert_bql_held();
    qemu_unregister_reset(plic_reset, s);
    qdev_gpio_cleanup(obj);
    sysbus_mmio_unmap(&s->mmio);
}

static void plic_finalize(Object *obj)
{
    SiFivePLICState *s = SIFIVE_PLIC(obj);

    qemu_free_irqs(s->inputs, s->num_sources);
    for (unsigned i = 0; i < s->num_contexts; i++) {
        g_free(s->contexts[i].enable);
    }
    g_free(s->contexts);
    g_free(s->priority);
    g_free(s->pending);
    g_free(s->claimed);
    g_free(s->level);
}

static void plic_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = plic_unparent;
}

static const TypeInfo plic_info = {
    .name = TYPE_SIFIVE_PLIC,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(SiFivePLICState),
    .instance_finalize = plic_finalize,
    .class_init = plic_class_init,
};

static void plic_register_types(void)
{
    type_register_static(&plic_info);
}

type_init(plic_register_types)

SiFivePLICState *sifive_plic_create(Object *parent, const char *name,
                                    MemoryRegion *sysmem, hwaddr base,
                                    unsigned num_harts, unsigned num_sources)
{
    SiFivePLICState *s = SIFIVE_PLIC(object_new(TYPE_SIFIVE_PLIC));

    assert_bql_held();
    /* Enables of one context must fit in its 0x80-byte stride. */
    assert(num_sources >= 2 && num_sources <= VIRT_PLIC_ENABLE_STRIDE * 8);
    assert(num_harts >= 1);
    s->num_sources = num_sources;
    s->words = (num_sources + 31) / 32;
    s->num_contexts = 2 * num_harts;
    s->inputs = qemu_allocate_irqs(plic_irq_request, s, num_sources);
    s->priority = g_new0(uint32_t, num_sources);
    s->pending = g_new0(uint32_t, s->words);
    s->claimed = g_new0(uint32_t, s->words);
    s->level = g_new0(uint32_t, s->words);
    s->contexts = g_new0(PLICContext, s->num_contexts);
    for (unsigned i = 0; i < s->num_contexts; i++) {
        s->contexts[i].enable = g_new0(uint32_t, s->words);
        s->contexts[i].out_level = -1;
    }
    memory_region_init_io(&s->mmio, OBJECT(s), &plic_ops, s,
                          "riscv.sifive.plic",
                          VIRT_PLIC_SIZE(VIRT_PLIC_MAX_CONTEXTS));
    /*
     * For qtest, numbered as QEMU's PLIC numbers its GPIOs: inputs by
     * source id; outputs first every hart's S-mode context (2N+1), then
     * every hart's M-mode context (2N).
     */
    qdev_init_gpio_in_lines(OBJECT(s), s->inputs, num_sources);
    for (unsigned i = 0; i < num_harts; i++) {
        qdev_init_gpio_out_pin(OBJECT(s), &s->contexts[2 * i + 1].out);
    }
    for (unsigned i = 0; i < num_harts; i++) {
        qdev_init_gpio_out_pin(OBJECT(s), &s->contexts[2 * i].out);
    }
    plic_reset(s);
    qemu_register_reset(plic_reset, s);
    sysbus_mmio_map(sysmem, base, &s->mmio);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
