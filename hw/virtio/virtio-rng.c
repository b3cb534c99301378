/*
 * virtio-rng-device: one queue of 8 the driver fills with buffers for
 * entropy, served from an rng backend (rng=ID, or a builtin one made for
 * the device, as QEMU does).  Corresponds to QEMU's hw/virtio/virtio-rng.c.
 * Requests are served synchronously in the device's AioContext (the main
 * loop, or iothread=ID, a qcore addition that puts this device on the
 * dataplane path); a backend with nothing to give leaves the request in
 * the ring until the next kick.  max-bytes/period are accepted, not
 * enforced (QEMU's defaults do not limit either).
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/virtio.h"
#include "qcore/iothread.h"
#include "qcore/iothread-object.h"
#include "qcore/object-interfaces.h"
#include "qcore/rng.h"

#define TYPE_VIRTIO_RNG "virtio-rng-device"

typedef struct VirtIORNG {
    VirtIODevice parent_obj;
    VirtQueue *vq;
    RngBackend *rng;            /* set at realize; the device's or /objects' */
    Object *iothread;           /* referenced, as QEMU's link<> does */
    /* Properties. */
    char *rng_id;
    char *iothread_id;
    uint64_t max_bytes;
    uint32_t period_ms;
} VirtIORNG;

#define VIRTIO_RNG(obj) OBJECT_CHECK(VirtIORNG, (obj), TYPE_VIRTIO_RNG)

/* vdev->ctx's thread, vq_lock held (virtio.h). */
static void virtio_rng_handle_input(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIORNG *s = VIRTIO_RNG(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        size_t total = 0;

        for (unsigned i = 0; i < elem->in_num; i++) {
            size_t n = rng_backend_fill(s->rng, elem->in_sg[i].iov_base,
                                        elem->in_sg[i].iov_len);

            total += n;
            if (n < elem->in_sg[i].iov_len) {
                break;
            }
        }
        if (!total && elem->in_num) {
            /* Nothing to give now: leave it for the next kick. */
            virtqueue_unpop(vq, elem, 0);
            g_free(elem);
            break;
        }
        virtqueue_push(vq, elem, total);
        g_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

static uint64_t virtio_rng_get_features(VirtIODevice *vdev, uint64_t f,
                                        Error **errp)
{
    return f;
}

static void virtio_rng_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIORNG *s = VIRTIO_RNG(dev);

    if (s->period_ms == 0) {
        error_setg(errp, "'period' parameter expects a positive integer");
        return;
    }
    if (s->max_bytes > INT64_MAX) {
        error_setg(errp, "'max-bytes' parameter must be non-negative, "
                   "and less than 2^63");
        return;
    }
    if (s->rng_id && *s->rng_id) {
        Object *o = object_resolve_path_component(object_get_objects_root(),
                                                  s->rng_id);

        if (!o) {
            o = object_resolve_path(s->rng_id, NULL);
        }
        if (!o) {
            error_setg(errp, "Device '%s' not found", s->rng_id);
            return;
        }
        if (!object_dynamic_cast(o, TYPE_RNG_BACKEND)) {
            error_setg(errp, "Invalid parameter type for 'rng', expected: "
                       "rng-backend");
            return;
        }
        /* Held, as QEMU's link<>: object-del cannot free it under us. */
        s->rng = RNG_BACKEND(object_ref(o));
    } else {
        Object *o = object_new(TYPE_RNG_BUILTIN);

        if (!user_creatable_complete(USER_CREATABLE(o), errp)) {
            object_unref(o);
            return;
        }
        object_property_add_child(OBJECT(dev), "default-backend", o);
        s->rng = RNG_BACKEND(o);     /* the creation reference */
    }
    if (s->iothread_id && *s->iothread_id) {
        Object *o = object_resolve_path_component(object_get_objects_root(),
                                                  s->iothread_id);

        if (!o || !object_dynamic_cast(o, TYPE_IOTHREAD)) {
            error_setg(errp, "Device '%s' not found", s->iothread_id);
            return;
        }
        /* Referenced: the thread outlives our notifiers in its context. */
        s->iothread = object_ref(o);
        vdev->ctx = iothread_get_aio_context(iothread_object_get(o));
    }
    virtio_init(vdev, VIRTIO_ID_RNG, 0);
    s->vq = virtio_add_queue(vdev, 8, virtio_rng_handle_input);
}

static void virtio_rng_finalize(Object *obj)
{
    VirtIORNG *s = VIRTIO_RNG(obj);

    if (s->rng) {
        object_unref(s->rng);
    }
    if (s->iothread) {
        object_unref(s->iothread);
    }
}

static void virtio_rng_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_MISC;
    vdc->realize = virtio_rng_realize;
    vdc->get_features = virtio_rng_get_features;
    qdev_class_add_prop_str(oc, "rng", "link<rng-backend>",
                            offsetof(VirtIORNG, rng_id), NULL);
    qdev_class_add_prop_str(oc, "iothread", "link<iothread>",
                            offsetof(VirtIORNG, iothread_id),
                            "the IOThread serving the queue (qcore)");
    qdev_class_add_prop_uint64(oc, "max-bytes",
                               offsetof(VirtIORNG, max_bytes), INT64_MAX, "");
    qdev_class_add_prop_uint32(oc, "period", offsetof(VirtIORNG, period_ms),
                               1 << 16, "");
}

static const TypeInfo virtio_rng_info = {
    .name = TYPE_VIRTIO_RNG,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIORNG),
    .instance_finalize = virtio_rng_finalize,
    .class_init = virtio_rng_class_init,
};

static void virtio_rng_register_types(void)
{
    type_register_static(&virtio_rng_info);
}

type_init(virtio_rng_register_types)
