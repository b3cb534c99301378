/*
 * TYPE_DEVICE, small: a QOM object with a "realized" property, realize/
 * unrealize hooks, properties that freeze once realized, -global
 * defaults, and buses that user devices are plugged into.  The part of
 * QEMU's include/hw/qdev-core.h, hw/core/qdev.c, qdev-properties.c and
 * system/qdev-monitor.c that -device needs; see docs/virtio.md.
 * Board devices that predate it stay plain objects (docs/devices.md).
 * Everything here: main thread, BQL held.
 */
#ifndef QCORE_HW_QDEV_H
#define QCORE_HW_QDEV_H

#include "qcore/object.h"
#include "qcore/qobject.h"

#define TYPE_DEVICE "device"

typedef struct BusState BusState;

typedef struct DeviceState {
    Object parent_obj;
    char *id;                   /* -device id=, or NULL */
    bool realized;
    BusState *parent_bus;       /* set when plugged */
} DeviceState;

/* -device help's categories, in QEMU's order. */
typedef enum DeviceCategory {
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_MAX,
} DeviceCategory;

typedef struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    DeviceCategory category;
    bool user_creatable;        /* -device may name it */
    const char *bus_type;       /* the bus it plugs into, or NULL */
    void (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
} DeviceClass;

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(klass) \
    OBJECT_CLASS_CHECK(DeviceClass, (klass), TYPE_DEVICE)
#define DEVICE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(DeviceClass, (obj), TYPE_DEVICE)

/*
 * A place devices plug into ("virtio-mmio-bus.7", "virtio-serial-bus.0").
 * Not a QOM object here: a record its owner embeds and registers.
 */
struct BusState {
    char *name;
    const char *type;           /* "virtio-bus", "virtio-serial-bus" */
    Object *owner;              /* the transport or controller */
    unsigned max_children;
    unsigned num_children;
    /* Take @dev (before it is realized); may refuse it.  BQL. */
    bool (*plug)(BusState *bus, DeviceState *dev, Error **errp);
    /* Forget @dev (before its unrealize, or after a failed realize);
     * may be NULL. */
    void (*unplug)(BusState *bus, DeviceState *dev);
    void *opaque;
};

/* Make @bus findable by -device; QEMU finds the newest bus first. */
void qbus_register(BusState *bus);
void qbus_unregister(BusState *bus);

/* object_new(@type) with the -global defaults for it applied. */
DeviceState *qdev_new(const char *type);
/* Set "realized": run the class's realize (errors leave it unrealized). */
bool qdev_realize(DeviceState *dev, Error **errp);
void qdev_unrealize(DeviceState *dev);

/*
 * -device, after the board is built: create @opts' driver, set its
 * properties from the strings, plug it into the first bus of its type
 * with room (or bus=), realize it, and put it at /machine/peripheral/ID
 * or /machine/peripheral-anon/device[N].  QEMU's messages.
 */
DeviceState *qdev_device_add(QDict *opts, Error **errp);
/* Whether -device @driver is a TYPE_DEVICE one qdev_device_add makes. */
bool qdev_is_user_device(const char *driver);
/* "-device help" (the TYPE_DEVICE part, by category) and "T,help". */
void qdev_print_device_list(const char *extra_misc_name,
                            const char *extra_misc_desc);
bool qdev_print_device_props(const char *driver, Error **errp);

/* -global DRIVER.PROP=VALUE (or driver=,property=,value=). */
bool qdev_add_global(const char *optarg, Error **errp);

/*
 * Property helpers for class_init, each backed by a field at @offset in
 * the instance; writes after realize fail as QEMU's do.
 */
void qdev_class_add_prop_bool(ObjectClass *oc, const char *name,
                              size_t offset, bool def, const char *desc);
void qdev_class_add_prop_uint32(ObjectClass *oc, const char *name,
                                size_t offset, uint32_t def,
                                const char *desc);
void qdev_class_add_prop_uint64(ObjectClass *oc, const char *name,
                                size_t offset, uint64_t def,
                                const char *desc);
/* A uint64 field set with a size suffix allowed (256M). */
void qdev_class_add_prop_size(ObjectClass *oc, const char *name,
                              size_t offset, uint64_t def, const char *desc);
/* A string field (char *, freed with the device), e.g. an id to resolve. */
void qdev_class_add_prop_str(ObjectClass *oc, const char *name,
                             const char *type, size_t offset,
                             const char *desc);
/* A bit of a uint64_t field (QEMU's DEFINE_PROP_BIT64). */
void qdev_class_add_prop_bit64(ObjectClass *oc, const char *name,
                               size_t offset, unsigned bit, bool def);

#endif
