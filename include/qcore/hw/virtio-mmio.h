/*
 * The virtio-mmio transport: a 0x200-byte register window in front of a
 * slot (a "virtio-mmio-bus") that holds at most one virtio device.  The
 * virt board makes eight.  Corresponds to QEMU's
 * include/hw/virtio/virtio-mmio.h.  Main thread, BQL held.
 *
 * Registers (32-bit; the config space at 0x100 also 8/16-bit):
 *   0x000 MagicValue "virt"   0x004 Version (1 legacy, 2)  0x008 DeviceID
 *   0x00c VendorID "QEMU"     0x010 DeviceFeatures  0x014 DeviceFeaturesSel
 *   0x020 DriverFeatures      0x024 DriverFeaturesSel
 *   0x028 GuestPageSize (v1)  0x030 QueueSel  0x034 QueueNumMax
 *   0x038 QueueNum  0x03c QueueAlign (v1)  0x040 QueuePFN (v1)
 *   0x044 QueueReady (v2)  0x050 QueueNotify  0x060 InterruptStatus
 *   0x064 InterruptACK  0x070 Status  0x080/0x084 QueueDesc (v2)
 *   0x090/0x094 QueueDriver (v2)  0x0a0/0x0a4 QueueDevice (v2)
 *   0x0ac SHMSel  0x0b0-0x0bc SHMLen/Base (no regions: all ones)
 *   0x0fc ConfigGeneration (v2)  0x100.. device config
 */
#ifndef QCORE_HW_VIRTIO_MMIO_H
#define QCORE_HW_VIRTIO_MMIO_H

#include "qcore/hw/virtio.h"
#include "qcore/irq.h"

#define VIRTIO_MMIO_SIZE 0x200

/*
 * Make a transport at @base raising @irq, attached at
 * /machine/unattached/device[N] with its bus "virtio-mmio-bus.@n"
 * registered for -device.  -global virtio-mmio.* applies.
 */
DeviceState *virtio_mmio_create(hwaddr base, qemu_irq irq, unsigned n);

#endif
