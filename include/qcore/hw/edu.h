/*
 * "edu", the teaching device: small enough to read in one sitting, and
 * with every part a real device has (registers, work done later in the
 * main loop, an interrupt, DMA).  Corresponds to QEMU's hw/misc/edu.c
 * (there a PCI device; here memory-mapped) and is the worked example of
 * docs/devices.md.
 *
 * On the virt board it sits at EDU_VIRT_BASE (0x10200000, a hole in
 * QEMU's map between fw_cfg at 0x10100000 and flash at 0x20000000) with
 * PLIC source EDU_VIRT_IRQ (12; QEMU's virt uses 1-8 for virtio, 10 for
 * the UART, 11 for the RTC, 32-35 for PCIe, 64-95 for the platform bus).
 *
 * Registers (32-bit accesses; the DMA registers also 64-bit):
 *   0x00 RO  identification: 0x010000ed (version 1.0, "ed")
 *   0x04 RW  liveness check: reads back the bitwise inverse of the value
 *   0x08 RW  factorial: writing n starts computing n! (mod 2^32) unless
 *            a computation runs; reading gives the last result
 *   0x20 RW  status: bit 0 computing (read only), bit 7 raise interrupt
 *            0x001 when a factorial is done
 *   0x24 RO  interrupt status: bit 0 factorial done, bit 8 DMA done,
 *            or any bits written to 0x60
 *   0x60 WO  interrupt raise: set these status bits (line goes high)
 *   0x64 WO  interrupt acknowledge: clear these bits (line goes low when
 *            none is left)
 *   0x80 RW  DMA source address (64-bit)
 *   0x88 RW  DMA destination address (64-bit)
 *   0x90 RW  DMA byte count (at most EDU_DMA_SIZE)
 *   0x98 RW  DMA command: bit 0 start / busy, bit 1 direction (0: guest
 *            RAM to the device buffer, 1: buffer to RAM), bit 2 raise
 *            interrupt 0x100 when done, bit 3 error (read only: the last
 *            transfer was refused)
 * The device buffer is EDU_DMA_SIZE bytes seen by the DMA engine at
 * EDU_DMA_START (0x40000), not mapped for the CPU.  A transfer runs
 * EDU_DMA_DELAY_NS of virtual time after it is started.  It is refused,
 * setting the error bit and touching no memory, unless the buffer side
 * lies inside the buffer and every byte of the RAM side is guest RAM
 * (writable RAM for a transfer into RAM).
 *
 * Threading: BQL held for everything.
 */
#ifndef QCORE_HW_EDU_H
#define QCORE_HW_EDU_H

#include "qcore/irq.h"
#include "qcore/memory.h"

#define TYPE_EDU "edu"

#define EDU_VIRT_BASE       0x10200000
#define EDU_VIRT_IRQ        12
#define EDU_MMIO_SIZE       0x1000

#define EDU_ID              0x010000ed
#define EDU_REG_ID          0x00
#define EDU_REG_LIVENESS    0x04
#define EDU_REG_FACTORIAL   0x08
#define EDU_REG_STATUS      0x20
#define EDU_REG_INTR_STATUS 0x24
#define EDU_REG_INTR_RAISE  0x60
#define EDU_REG_INTR_ACK    0x64
#define EDU_REG_DMA_SRC     0x80
#define EDU_REG_DMA_DST     0x88
#define EDU_REG_DMA_COUNT   0x90
#define EDU_REG_DMA_CMD     0x98

#define EDU_STATUS_COMPUTING    0x01
#define EDU_STATUS_IRQFACT      0x80
#define EDU_INTR_FACT           0x001
#define EDU_INTR_DMA            0x100
#define EDU_DMA_RUN             0x1
#define EDU_DMA_TO_RAM          0x2
#define EDU_DMA_IRQ             0x4
#define EDU_DMA_ERROR           0x8

#define EDU_DMA_START       0x40000
#define EDU_DMA_SIZE        4096
#define EDU_DMA_DELAY_NS    1000

typedef struct EduState EduState;

/*
 * Create an edu device raising @irq, doing DMA in @dma_as (NULL:
 * address_space_memory), mapped at @base in @sysmem (NULL: system
 * memory), child @name of @parent (NULL: /machine/unattached).
 * Borrowed pointer.
 */
EduState *edu_create(Object *parent, const char *name, MemoryRegion *sysmem,
                     hwaddr base, qemu_irq irq, AddressSpace *dma_as);

#endif
