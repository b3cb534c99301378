/*
 * The CLINT (SiFive's core-local interruptor, today's ACLINT MSWI and
 * MTIMER) at 0x2000000 on the virt board.  Corresponds to QEMU's
 * include/hw/intc/riscv_aclint.h.
 *
 * Two windows, as QEMU maps them: "riscv.aclint.swi" (0x4000 bytes, 4-byte
 * accesses) and "riscv.aclint.mtimer" right after it (0x8000 bytes, 4- and
 * 8-byte accesses; 8-byte registers may be accessed as two halves).
 * Registers, as offsets from the CLINT's base (naturally aligned):
 *   0x0000 + 4*hart  msip[hart]       bit 0 drives the hart's MSIP line
 *   0x4000 + 8*hart  mtimecmp[hart]   MTIP is high while mtime >= mtimecmp
 *   0xbff8           mtime            QEMU_CLOCK_VIRTUAL at 10 MHz, plus
 *                                     what guest writes added
 * Registers of harts that do not exist read as 0 and ignore writes.
 * mtime stops while the VM is paused, because the virtual clock does.
 *
 * Outputs: per hart an MTIP and an MSIP line (NULL until connected); the
 * board connects them to the hart's mip bits.  The hart's time CSR reads
 * riscv_aclint_get_mtime().
 *
 * Threading: MMIO, the timers and the connect calls run in the main
 * thread or a vCPU thread with the BQL held; riscv_aclint_get_mtime may
 * be called from any thread without it.
 */
#ifndef QCORE_HW_RISCV_ACLINT_H
#define QCORE_HW_RISCV_ACLINT_H

#include "qcore/irq.h"
#include "qcore/memory.h"

#define TYPE_RISCV_ACLINT "riscv.aclint"

#define RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ 10000000
#define RISCV_ACLINT_SWI_SIZE       0x4000
#define RISCV_ACLINT_MTIMER_SIZE    0x8000
#define RISCV_ACLINT_MSIP       0x0
#define RISCV_ACLINT_MTIMECMP   0x4000
#define RISCV_ACLINT_MTIME      0xbff8
/* As many harts as the msip array has room for before mtimecmp. */
#define RISCV_ACLINT_MAX_HARTS  4095

typedef struct RISCVAclintState RISCVAclintState;

/*
 * Create a CLINT for @num_harts harts (1..RISCV_ACLINT_MAX_HARTS) with
 * mtime at 0 and every mtimecmp at UINT64_MAX (no timer interrupt until
 * the guest asks for one), map it at @base in @sysmem (NULL: system
 * memory), child @name of @parent (NULL: /machine/unattached).  Borrowed
 * pointer.  BQL held.
 */
RISCVAclintState *riscv_aclint_create(Object *parent, const char *name,
                                      MemoryRegion *sysmem, hwaddr base,
                                      unsigned num_harts);

/*
 * Connect hart @hart's timer (MTIP) and software (MSIP) interrupt
 * outputs; either may be NULL.  The lines are driven with their current
 * level at once.  BQL held.
 */
void riscv_aclint_connect_hart(RISCVAclintState *s, unsigned hart,
                               qemu_irq mtip, qemu_irq msip);

/* mtime now, in timebase ticks.  Any thread, no lock needed. */
uint64_t riscv_aclint_get_mtime(RISCVAclintState *s);

#endif
