/*
 * What the board's devices have in common: a place in the composition
 * tree and an MMIO window in a memory map.  A small stand-in for QEMU's
 * include/hw/sysbus.h (qcore has no TYPE_DEVICE: a device is a plain QOM
 * object that its xxx_create() function builds, wires and maps).
 *
 * The life of a device, as docs/devices.md tells it:
 *  - xxx_create() makes the object, maps its region into @sysmem and
 *    hands it to the tree with sysbus_attach(); the tree then holds the
 *    only reference, and the returned pointer is borrowed.
 *  - object_unparent() undoes it: the type's unparent hook (main thread,
 *    BQL) unmaps the region and stops timers, chardev handlers and reset
 *    handlers; instance_finalize only frees memory, because the last
 *    reference may go on the call_rcu thread, when the old FlatView that
 *    still named the device as owner is freed.
 * Everything here: main thread, BQL held.
 */
#ifndef QCORE_HW_SYSBUS_H
#define QCORE_HW_SYSBUS_H

#include "qcore/memory.h"
#include "qcore/object.h"

/*
 * Make @dev child @name of @parent, or "device[N]" of /machine/unattached
 * (created if needed) when @parent is NULL, as QEMU does for devices the
 * board does not name.  Drops the caller's reference: the tree owns @dev.
 */
void sysbus_attach(Object *dev, Object *parent, const char *name);

/* Map @mr at @base in @sysmem (NULL: get_system_memory()). */
void sysbus_mmio_map(MemoryRegion *sysmem, hwaddr base, MemoryRegion *mr);

/* Unmap @mr from wherever it is mapped; no-op if it is not. */
void sysbus_mmio_unmap(MemoryRegion *mr);

#endif
