/*
 * The virtio-mmio transport, version 2 (virtio 1.x) and the legacy
 * version 1 layout, chosen by the force-legacy property (QEMU's default:
 * legacy).  QueueNotify writes are ioeventfds once the driver is ready:
 * the vCPU only sets the queue's host notifier (docs/virtio.md).
 * Corresponds to QEMU's hw/virtio/virtio-mmio.c.  BQL for everything.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/sysbus.h"
#include "qcore/hw/virtio-mmio.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "trace/trace-hw_virtio.h"

#define VIRT_MAGIC  0x74726976      /* "virt" */
#define VIRT_VENDOR 0x554D4551      /* "QEMU" */

enum {
    MMIO_MAGIC = 0x000, MMIO_VERSION = 0x004, MMIO_DEVICE_ID = 0x008,
    MMIO_VENDOR_ID = 0x00c, MMIO_DEVICE_FEATURES = 0x010,
    MMIO_DEVICE_FEATURES_SEL = 0x014, MMIO_DRIVER_FEATURES = 0x020,
    MMIO_DRIVER_FEATURES_SEL = 0x024, MMIO_GUEST_PAGE_SIZE = 0x028,
    MMIO_QUEUE_SEL = 0x030, MMIO_QUEUE_NUM_MAX = 0x034,
    MMIO_QUEUE_NUM = 0x038, MMIO_QUEUE_ALIGN = 0x03c,
    MMIO_QUEUE_PFN = 0x040, MMIO_QUEUE_READY = 0x044,
    MMIO_QUEUE_NOTIFY = 0x050, MMIO_INTERRUPT_STATUS = 0x060,
    MMIO_INTERRUPT_ACK = 0x064, MMIO_STATUS = 0x070,
    MMIO_QUEUE_DESC_LOW = 0x080, MMIO_QUEUE_DESC_HIGH = 0x084,
    MMIO_QUEUE_AVAIL_LOW = 0x090, MMIO_QUEUE_AVAIL_HIGH = 0x094,
    MMIO_QUEUE_USED_LOW = 0x0a0, MMIO_QUEUE_USED_HIGH = 0x0a4,
    MMIO_SHM_SEL = 0x0ac, MMIO_SHM_LEN_LOW = 0x0b0,
    MMIO_SHM_LEN_HIGH = 0x0b4, MMIO_SHM_BASE_LOW = 0x0b8,
    MMIO_SHM_BASE_HIGH = 0x0bc, MMIO_CONFIG_GENERATION = 0x0fc,
    MMIO_CONFIG = 0x100,
};

/* A modern queue's registers, applied to the core on QueueReady=1. */
typedef struct VirtIOMMIOQueue {
    uint16_t num;
    bool enabled;
    uint32_t desc[2], avail[2], used[2];
} VirtIOMMIOQueue;

typedef struct VirtIOMMIOProxy {
    DeviceState parent_obj;
    MemoryRegion iomem;
    qemu_irq irq;
    BusState bus;
    VirtIOTransport transport;
    VirtIODevice *vdev;         /* plugged device, or NULL: empty slot */
    /* Properties. */
    bool legacy;                /* force-legacy */
    bool format_transport_address;
    bool ioeventfd;
    /* Registers; BQL. */
    uint32_t host_features_sel;
    uint32_t guest_features_sel;
    uint32_t guest_page_shift;
    uint32_t guest_features[2];
    VirtIOMMIOQueue vqs[VIRTIO_QUEUE_MAX];
    bool ioeventfd_started;
} VirtIOMMIOProxy;

#define VIRTIO_MMIO(obj) OBJECT_CHECK(VirtIOMMIOProxy, (obj), TYPE_VIRTIO_MMIO)

/* ---- ioeventfd ------------------------------------------------------------ */

/*
 * Also for a device in the main loop, where QEMU under TCG has none (it
 * runs the handler in the vCPU thread): the eventfd costs a main-loop
 * wake-up per kick but lets the loop do the device work beside the
 * vCPU, which at queue depth 32 measured better (bench/README.md,
 * Block); ioeventfd=off gives QEMU's way.
 */
static void virtio_mmio_start_ioeventfd(VirtIOMMIOProxy *proxy)
{
    VirtIODevice *vdev = proxy->vdev;

    if (!proxy->ioeventfd || proxy->ioeventfd_started) {
        return;
    }
    for (int n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        if (!virtio_queue_get_num(vdev, n)) {
            continue;
        }
        virtio_queue_set_host_notifier_enabled(vdev, n, true);
        memory_region_add_eventfd(&proxy->iomem, MMIO_QUEUE_NOTIFY, 4, true,
                                  n, virtio_queue_get_host_notifier(
                                         virtio_get_queue(vdev, n)));
    }
    proxy->ioeventfd_started = true;
}

static void virtio_mmio_stop_ioeventfd(VirtIOMMIOProxy *proxy)
{
    VirtIODevice *vdev = proxy->vdev;

    if (!proxy->ioeventfd_started) {
        return;
    }
    for (int n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        if (!virtio_queue_get_num(vdev, n)) {
            continue;
        }
        memory_region_del_eventfd(&proxy->iomem, MMIO_QUEUE_NOTIFY, 4, true,
                                  n, virtio_queue_get_host_notifier(
                                         virtio_get_queue(vdev, n)));
        virtio_queue_set_host_notifier_enabled(vdev, n, false);
    }
    proxy->ioeventfd_started = false;
}

/* ---- Reset ----------------------------------------------------------------- */

/* The driver's reset (Status 0): the device, and a modern queue's
 * enable bits; the page size and selectors stay, as QEMU's. */
static void virtio_mmio_soft_reset(VirtIOMMIOProxy *proxy)
{
    virtio_mmio_stop_ioeventfd(proxy);
    virtio_reset(proxy->vdev);
    if (!proxy->legacy) {
        for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
            proxy->vqs[i].enabled = 0;
        }
    }
}

/* system_reset: everything back to power-on. */
static void virtio_mmio_reset(void *opaque)
{
    VirtIOMMIOProxy *proxy = opaque;

    if (proxy->vdev) {
        virtio_mmio_stop_ioeventfd(proxy);
        virtio_reset(proxy->vdev);
    }
    proxy->host_features_sel = 0;
    proxy->guest_features_sel = 0;
    proxy->guest_page_shift = 0;
    if (!proxy->legacy) {
        proxy->guest_features[0] = proxy->guest_features[1] = 0;
        memset(proxy->vqs, 0, sizeof(proxy->vqs));
    }
}

static void virtio_mmio_update_irq(void *opaque)
{
    VirtIOMMIOProxy *proxy = opaque;
    int level = proxy->vdev && virtio_isr_read(proxy->vdev) != 0;

    trace_virtio_mmio_setting_irq(level);
    qemu_set_irq(proxy->irq, level);
}

/* ---- Registers ------------------------------------------------------------ */

static uint64_t virtio_mmio_read(void *opaque, hwaddr offset, unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    VirtIOMMIOQueue *q;

    trace_virtio_mmio_read(offset);
    if (!vdev) {
        /* An empty slot: identifies itself, DeviceID 0, all else 0. */
        switch (offset) {
        case MMIO_MAGIC:
            return VIRT_MAGIC;
        case MMIO_VERSION:
            return proxy->legacy ? 1 : 2;
        case MMIO_VENDOR_ID:
            return VIRT_VENDOR;
        default:
            return 0;
        }
    }
    if (offset >= MMIO_CONFIG) {
        return virtio_config_read(vdev, offset - MMIO_CONFIG, size);
    }
    if (size != 4) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: wrong size access to register!\n",
                      __func__);
        return 0;
    }
    q = &proxy->vqs[vdev->queue_sel];
    switch (offset) {
    case MMIO_MAGIC:
        return VIRT_MAGIC;
    case MMIO_VERSION:
        return proxy->legacy ? 1 : 2;
    case MMIO_DEVICE_ID:
        return vdev->device_id;
    case MMIO_VENDOR_ID:
        return VIRT_VENDOR;
    case MMIO_DEVICE_FEATURES:
        if (proxy->legacy) {
            return proxy->host_features_sel ? 0 : (uint32_t)vdev->host_features;
        }
        if (proxy->host_features_sel > 1) {
            return 0;
        }
        return (vdev->host_features &
                ~VIRTIO_DEVICE_GET_CLASS(vdev)->legacy_features) >>
               (32 * proxy->host_features_sel);
    case MMIO_QUEUE_NUM_MAX:
        return virtio_queue_get_num(vdev, vdev->queue_sel) ?
               VIRTQUEUE_MAX_SIZE : 0;
    case MMIO_QUEUE_PFN:
        if (!proxy->legacy) {
            goto legacy_only;
        }
        return virtio_queue_get_addr(vdev, vdev->queue_sel) >>
               proxy->guest_page_shift;
    case MMIO_QUEUE_READY:
        if (proxy->legacy) {
            goto modern_only;
        }
        return q->enabled;
    case MMIO_INTERRUPT_STATUS:
        return virtio_isr_read(vdev);
    case MMIO_STATUS:
        return qatomic_read(&vdev->status);
    case MMIO_CONFIG_GENERATION:
        if (proxy->legacy) {
            goto modern_only;
        }
        return qatomic_read(&vdev->generation);
    case MMIO_SHM_LEN_LOW:
    case MMIO_SHM_LEN_HIGH:
    case MMIO_SHM_BASE_LOW:
    case MMIO_SHM_BASE_HIGH:
        return UINT32_MAX;      /* no shared memory regions */
    case MMIO_QUEUE_DESC_LOW:
    case MMIO_QUEUE_DESC_HIGH:
    case MMIO_QUEUE_AVAIL_LOW:
    case MMIO_QUEUE_AVAIL_HIGH:
    case MMIO_QUEUE_USED_LOW:
    case MMIO_QUEUE_USED_HIGH: {
        unsigned hi = (offset & 4) != 0;

        if (proxy->legacy) {
            goto modern_only;
        }
        return offset < MMIO_QUEUE_AVAIL_LOW ? q->desc[hi] :
               offset < MMIO_QUEUE_USED_LOW ? q->avail[hi] : q->used[hi];
    }
    case MMIO_DEVICE_FEATURES_SEL:
    case MMIO_DRIVER_FEATURES:
    case MMIO_DRIVER_FEATURES_SEL:
    case MMIO_GUEST_PAGE_SIZE:
    case MMIO_QUEUE_SEL:
    case MMIO_QUEUE_NUM:
    case MMIO_QUEUE_ALIGN:
    case MMIO_QUEUE_NOTIFY:
    case MMIO_INTERRUPT_ACK:
    case MMIO_SHM_SEL:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of write-only register "
                      "(0x%" HWADDR_PRIx ")\n", __func__, offset);
        return 0;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: bad register offset (0x%"
                      HWADDR_PRIx ")\n", __func__, offset);
        return 0;
    }
legacy_only:
    qemu_log_mask(LOG_GUEST_ERROR, "%s: read from legacy register (0x%"
                  HWADDR_PRIx ") in non-legacy mode\n", __func__, offset);
    return 0;
modern_only:
    qemu_log_mask(LOG_GUEST_ERROR, "%s: read from non-legacy register (0x%"
                  HWADDR_PRIx ") in legacy mode\n", __func__, offset);
    return 0;
}

static void virtio_mmio_write(void *opaque, hwaddr offset, uint64_t value,
                              unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    VirtIOMMIOQueue *q;

    trace_virtio_mmio_write_offset(offset, value);
    if (!vdev) {
        return;             /* an empty slot ignores writes */
    }
    if (offset >= MMIO_CONFIG) {
        virtio_config_write(vdev, offset - MMIO_CONFIG, value, size);
        return;
    }
    if (size != 4) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: wrong size access to register!\n",
                      __func__);
        return;
    }
    q = &proxy->vqs[vdev->queue_sel];
    switch (offset) {
    case MMIO_DEVICE_FEATURES_SEL:
        proxy->host_features_sel = value;
        break;
    case MMIO_DRIVER_FEATURES:
        if (proxy->legacy) {
            if (!proxy->guest_features_sel) {
                virtio_set_features(vdev, value);
            }
        } else if (proxy->guest_features_sel < 2) {
            proxy->guest_features[proxy->guest_features_sel] = value;
        }
        break;
    case MMIO_DRIVER_FEATURES_SEL:
        proxy->guest_features_sel = value;
        break;
    case MMIO_GUEST_PAGE_SIZE:
        if (!proxy->legacy) {
            goto legacy_only;
        }
        proxy->guest_page_shift = value ? __builtin_ctz(value) : 0;
        if (proxy->guest_page_shift > 31) {
            proxy->guest_page_shift = 0;
        }
        break;
    case MMIO_QUEUE_SEL:
        if (value < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = value;
        }
        break;
    case MMIO_QUEUE_NUM:
        virtio_queue_set_num(vdev, vdev->queue_sel, value);
        if (proxy->legacy) {
            virtio_queue_set_addr(vdev, vdev->queue_sel,
                                  virtio_queue_get_addr(vdev,
                                                        vdev->queue_sel));
        } else {
            q->num = value;
        }
        break;
    case MMIO_QUEUE_ALIGN:
        if (!proxy->legacy) {
            goto legacy_only;
        }
        virtio_queue_set_align(vdev, vdev->queue_sel, value);
        break;
    case MMIO_QUEUE_PFN:
        if (!proxy->legacy) {
            goto legacy_only;
        }
        if (value == 0) {
            virtio_mmio_stop_ioeventfd(proxy);
            virtio_reset(vdev);
        } else {
            virtio_queue_set_addr(vdev, vdev->queue_sel,
                                  value << proxy->guest_page_shift);
        }
        break;
    case MMIO_QUEUE_READY:
        if (proxy->legacy) {
            goto modern_only;
        }
        if (value) {
            virtio_queue_set_num(vdev, vdev->queue_sel, q->num);
            virtio_queue_set_rings(vdev, vdev->queue_sel,
                                   (uint64_t)q->desc[1] << 32 | q->desc[0],
                                   (uint64_t)q->avail[1] << 32 | q->avail[0],
                                   (uint64_t)q->used[1] << 32 | q->used[0]);
            q->enabled = 1;
        } else {
            q->enabled = 0;
        }
        break;
    case MMIO_QUEUE_NOTIFY:
        /* Only when no ioeventfd matched (before DRIVER_OK, or a bad n). */
        if (value < VIRTIO_QUEUE_MAX) {
            virtio_queue_notify(vdev, value);
        }
        break;
    case MMIO_INTERRUPT_ACK:
        virtio_isr_ack(vdev, value);
        break;
    case MMIO_STATUS:
        if (!(value & VIRTIO_CONFIG_S_DRIVER_OK)) {
            virtio_mmio_stop_ioeventfd(proxy);
        }
        if (!proxy->legacy && (value & VIRTIO_CONFIG_S_FEATURES_OK)) {
            virtio_set_features(vdev, (uint64_t)proxy->guest_features[1] << 32 |
                                      proxy->guest_features[0]);
        }
        virtio_set_status(vdev, value & 0xff);
        if (value & VIRTIO_CONFIG_S_DRIVER_OK) {
            virtio_mmio_start_ioeventfd(proxy);
        }
        if (vdev->status == 0) {
            virtio_mmio_soft_reset(proxy);
        }
        break;
    case MMIO_QUEUE_DESC_LOW:
    case MMIO_QUEUE_DESC_HIGH:
    case MMIO_QUEUE_AVAIL_LOW:
    case MMIO_QUEUE_AVAIL_HIGH:
    case MMIO_QUEUE_USED_LOW:
    case MMIO_QUEUE_USED_HIGH: {
        unsigned hi = (offset & 4) != 0;

        if (proxy->legacy) {
            goto modern_only;
        }
        if (offset < MMIO_QUEUE_AVAIL_LOW) {
            q->desc[hi] = value;
        } else if (offset < MMIO_QUEUE_USED_LOW) {
            q->avail[hi] = value;
        } else {
            q->used[hi] = value;
        }
        break;
    }
    case MMIO_SHM_SEL:
        break;
    case MMIO_MAGIC:
    case MMIO_VERSION:
    case MMIO_DEVICE_ID:
    case MMIO_VENDOR_ID:
    case MMIO_DEVICE_FEATURES:
    case MMIO_QUEUE_NUM_MAX:
    case MMIO_INTERRUPT_STATUS:
    case MMIO_CONFIG_GENERATION:
    case MMIO_SHM_LEN_LOW:
    case MMIO_SHM_LEN_HIGH:
    case MMIO_SHM_BASE_LOW:
    case MMIO_SHM_BASE_HIGH:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only register "
                      "(0x%" HWADDR_PRIx ")\n", __func__, offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: bad register offset (0x%"
                      HWADDR_PRIx ")\n", __func__, offset);
    }
    return;
legacy_only:
    qemu_log_mask(LOG_GUEST_ERROR, "%s: write to legacy register (0x%"
                  HWADDR_PRIx ") in non-legacy mode\n", __func__, offset);
    return;
modern_only:
    qemu_log_mask(LOG_GUEST_ERROR, "%s: write to non-legacy register (0x%"
                  HWADDR_PRIx ") in legacy mode\n", __func__, offset);
}

static const MemoryRegionOps virtio_mmio_ops = {
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

/* ---- The slot -------------------------------------------------------------- */

static bool virtio_mmio_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    VirtIOMMIOProxy *proxy = bus->opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);

    proxy->vdev = vdev;
    vdev->transport = &proxy->transport;
    if (!proxy->legacy) {
        virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    }
    return true;
}

static void virtio_mmio_unplug(BusState *bus, DeviceState *dev)
{
    VirtIOMMIOProxy *proxy = bus->opaque;

    if (proxy->vdev == VIRTIO_DEVICE(dev)) {
        virtio_mmio_stop_ioeventfd(proxy);
        proxy->vdev = NULL;
        qemu_set_irq(proxy->irq, 0);
    }
}

static void virtio_mmio_instance_init(Object *obj)
{
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(obj);

    proxy->transport.update_irq = virtio_mmio_update_irq;
    proxy->transport.opaque = proxy;
}

static void virtio_mmio_unparent(Object *obj)
{
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(obj);

    qbus_unregister(&proxy->bus);
    qemu_unregister_reset(virtio_mmio_reset, proxy);
    sysbus_mmio_unmap(&proxy->iomem);
}

static void virtio_mmio_finalize(Object *obj)
{
    g_free(VIRTIO_MMIO(obj)->bus.name);
}

static void virtio_mmio_class_init(ObjectClass *oc, const void *data)
{
    qdev_class_add_prop_bool(oc, "format_transport_address",
                             offsetof(VirtIOMMIOProxy,
                                      format_transport_address), true, NULL);
    qdev_class_add_prop_bool(oc, "force-legacy",
                             offsetof(VirtIOMMIOProxy, legacy), true, NULL);
    qdev_class_add_prop_bool(oc, "ioeventfd",
                             offsetof(VirtIOMMIOProxy, ioeventfd), true, NULL);
    oc->unparent = virtio_mmio_unparent;
}

static const TypeInfo virtio_mmio_info = {
    .name = TYPE_VIRTIO_MMIO,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(VirtIOMMIOProxy),
    .instance_init = virtio_mmio_instance_init,
    .instance_finalize = virtio_mmio_finalize,
    .class_init = virtio_mmio_class_init,
};

static void virtio_mmio_register_types(void)
{
    type_register_static(&virtio_mmio_info);
}

type_init(virtio_mmio_register_types)

DeviceState *virtio_mmio_create(hwaddr base, qemu_irq irq, unsigned n)
{
    DeviceState *dev = qdev_new(TYPE_VIRTIO_MMIO);
    VirtIOMMIOProxy *proxy = VIRTIO_MMIO(dev);

    proxy->irq = irq;
    memory_region_init_io(&proxy->iomem, OBJECT(dev), &virtio_mmio_ops,
                          proxy, TYPE_VIRTIO_MMIO, VIRTIO_MMIO_SIZE);
    dev->realized = true;
    proxy->bus.name = g_strdup_printf("virtio-mmio-bus.%u", n);
    proxy->bus.type = "virtio-bus";
    proxy->bus.owner = OBJECT(dev);
    proxy->bus.max_children = 1;
    proxy->bus.plug = virtio_mmio_plug;
    proxy->bus.unplug = virtio_mmio_unplug;
    proxy->bus.opaque = proxy;
    qbus_register(&proxy->bus);
    qemu_register_reset(virtio_mmio_reset, proxy);
    sysbus_mmio_map(NULL, base, &proxy->iomem);
    sysbus_attach(OBJECT(dev), NULL, NULL);
    return dev;
}
