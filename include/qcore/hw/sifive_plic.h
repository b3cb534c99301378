/*
 * The PLIC (platform-level interrupt controller) at 0xc000000 on the virt
 * board, configured as QEMU's virt configures SiFive's PLIC: 96 sources
 * (ids 1..96, "riscv,ndev" = 96; 0 means "none"), priorities 0..7, and
 * two contexts per hart
 * (hart N: context 2N for M-mode, 2N+1 for S-mode).  Corresponds to
 * QEMU's include/hw/intc/sifive_plic.h and include/hw/riscv/virt.h.
 *
 * Registers (32-bit accesses only):
 *   0x000000 + 4*id         priority of source id (0 never interrupts)
 *   0x001000 + 4*word       pending bits, 32 sources a word (read only)
 *   0x002000 + 0x80*ctx     enable bits of context ctx, 32 sources a word
 *   0x200000 + 0x1000*ctx   threshold of ctx (only priorities above it)
 *   0x200004 + 0x1000*ctx   claim (read: the best pending enabled source
 *                           above threshold, now in service) / complete
 *                           (write its id: service ended)
 * A context's output is high while it has something to claim.
 *
 * Sources are level-sensitive: a high input makes the source pending;
 * one claimed stays in service (not pending again) until completed, and
 * if its input is still high then, it is pending again.
 *
 * Threading: everything with the BQL held.
 */
#ifndef QCORE_HW_SIFIVE_PLIC_H
#define QCORE_HW_SIFIVE_PLIC_H

#include "qcore/irq.h"
#include "qcore/memory.h"

#define TYPE_SIFIVE_PLIC "riscv.sifive.plic"

/* The highest source id on virt (the PLIC has this many plus source 0). */
#define VIRT_IRQCHIP_NUM_SOURCES    96
#define VIRT_IRQCHIP_NUM_PRIO_BITS  3
#define VIRT_PLIC_PRIORITY_BASE     0x0
#define VIRT_PLIC_PENDING_BASE      0x1000
#define VIRT_PLIC_ENABLE_BASE       0x2000
#define VIRT_PLIC_ENABLE_STRIDE     0x80
#define VIRT_PLIC_CONTEXT_BASE      0x200000
#define VIRT_PLIC_CONTEXT_STRIDE    0x1000
#define VIRT_PLIC_SIZE(num_contexts) \
    (VIRT_PLIC_CONTEXT_BASE + (num_contexts) * VIRT_PLIC_CONTEXT_STRIDE)
/* The window QEMU's virt maps whatever -smp is: two contexts x 512 harts. */
#define VIRT_PLIC_MAX_CONTEXTS      (2 * 512)

typedef struct SiFivePLICState SiFivePLICState;

/*
 * Create a PLIC with @num_sources sources (including the unusable source
 * 0; the virt board passes VIRT_IRQCHIP_NUM_SOURCES + 1) and two contexts for
 * each of @num_harts harts, map it at @base in @sysmem (NULL: system
 * memory; the window is VIRT_PLIC_SIZE(VIRT_PLIC_MAX_CONTEXTS) bytes, as
 * QEMU's, and the contexts past 2 * num_harts read as 0), child
 * @name of @parent (NULL: /machine/unattached).  Borrowed pointer.
 */
SiFivePLICState *sifive_plic_create(Object *parent, const char *name,
                                    MemoryRegion *sysmem, hwaddr base,
                                    unsigned num_harts, unsigned num_sources);

/* The input line of source @id (1..num_sources-1), owned by the PLIC. */
qemu_irq sifive_plic_get_irq(SiFivePLICState *s, unsigned id);

/*
 * Connect context @ctx's external-interrupt output (2N: hart N's MEIP,
 * 2N+1: its SEIP) and drive it with its current level.
 */
void sifive_plic_connect_context(SiFivePLICState *s, unsigned ctx,
                                 qemu_irq out);

#endif
