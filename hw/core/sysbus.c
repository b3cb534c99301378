/*
 * Attaching board devices to the QOM tree and to the memory map; see
 * include/qcore/hw/sysbus.h.  The part of QEMU's hw/core/sysbus.c and
 * qdev_realize/unrealize that a TYPE_DEVICE-less design needs.
 */
#include "qcore/osdep.h"
#include "qcore/hw/sysbus.h"
#include "qcore/main-loop.h"

void sysbus_attach(Object *dev, Object *parent, const char *name)
{
    assert_bql_held();
    if (!parent) {
        parent = container_get(object_get_root(), "/machine/unattached");
        name = "device[*]";
    }
    object_property_add_child(parent, name, dev);
    object_unref(dev);
}

void sysbus_mmio_map(MemoryRegion *sysmem, hwaddr base, MemoryRegion *mr)
{
    memory_region_add_subregion(sysmem ? sysmem : get_system_memory(),
                                base, mr);
}

void sysbus_mmio_unmap(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
}
