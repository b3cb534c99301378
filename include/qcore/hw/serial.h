/*
 * The ns16550a UART: the virt board's console at 0x10000000, one byte per
 * register (reg-shift 0), little-endian, interrupt to PLIC source 10.
 * Corresponds to QEMU's include/hw/char/serial.h (serial_mm_init).
 *
 * Registers (offset: read / write; DLAB is LCR bit 7):
 *   0  RBR receive buffer / THR transmit holding     (DLAB=1: DLL)
 *   1  IER interrupt enable: 0 RX data, 1 THR empty, 2 line status,
 *      3 modem status                                (DLAB=1: DLM)
 *   2  IIR interrupt identification / FCR FIFO control
 *   3  LCR line control (bit 7: DLAB, divisor latch access)
 *   4  MCR modem control (bit 4: loopback)
 *   5  LSR line status: 0 DR, 1 OE, 4 BI, 5 THRE, 6 TEMT (read only)
 *   6  MSR modem status (read only)
 *   7  SCR scratch
 * Input comes from the chardev into a 16-byte receive FIFO (1 byte while
 * FIFOs are off); output goes to the chardev at once, and bytes it does
 * not take wait in the 16-byte transmit FIFO for a G_IO_OUT watch.
 *
 * Main thread (MMIO callbacks, chardev callbacks), BQL held.
 */
#ifndef QCORE_HW_SERIAL_H
#define QCORE_HW_SERIAL_H

#include "qcore/chardev.h"
#include "qcore/irq.h"
#include "qcore/memory.h"

#define TYPE_SERIAL_MM "ns16550a"

/* QEMU's virt: the UART's clock-frequency in the device tree. */
#define SERIAL_CLOCK_FREQ 3686400
#define SERIAL_MMIO_SIZE 8          /* QEMU maps 8 << regshift, regshift 0 */

typedef struct SerialState SerialState;

/*
 * Create a UART on @chr (may be NULL: output vanishes, no input), raise
 * @irq per IER/IIR, map it at @base in @sysmem (NULL: system memory) and
 * make it child @name of @parent (NULL: /machine/unattached/device[N]).
 * Fails ("Device 'x' is in use") if @chr already has a frontend.
 * Returns a borrowed pointer; object_unparent() removes it.
 */
SerialState *serial_mm_create(Object *parent, const char *name,
                              MemoryRegion *sysmem, hwaddr base,
                              qemu_irq irq, Chardev *chr, Error **errp);

#endif
