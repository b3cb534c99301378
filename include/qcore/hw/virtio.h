/*
 * The virtio core: a VirtIODevice with its feature bits, status, config
 * space and split virtqueues, independent of the transport that shows it
 * to the guest.  Corresponds to QEMU's include/hw/virtio/virtio.h and
 * hw/virtio/virtio.c; docs/virtio.md tells the notify path.
 *
 * Locking, in one place:
 *  - Device state (status, features, config, queue addresses and sizes)
 *    changes under the BQL: transport MMIO callbacks run with it.
 *  - A virtqueue's ring state (last_avail_idx, used_idx, inuse, the
 *    notification shadows) belongs to whoever holds vdev->vq_lock: the
 *    device's handler, run from its host notifier in its AioContext (the
 *    main loop, or an IOThread), takes it around handle_output; the
 *    transport takes it (under the BQL) whenever it changes a queue
 *    (ready, reset, status).  Lock order: BQL, then vq_lock.  Never take
 *    the BQL while holding vq_lock.
 *  - isr is changed with atomics from either side; the interrupt line is
 *    only driven under the BQL (see virtio_notify).
 */
#ifndef QCORE_HW_VIRTIO_H
#define QCORE_HW_VIRTIO_H

#include "qcore/aio.h"
#include "qcore/event-notifier.h"
#include "qcore/hw/qdev.h"
#include "qcore/iov.h"
#include "qcore/memory.h"
#include "qcore/thread.h"
#include <sys/uio.h>

/* Status bits (virtio 1.x, 2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Transport feature bits. */
#define VIRTIO_F_NOTIFY_ON_EMPTY        24
#define VIRTIO_F_ANY_LAYOUT             27
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_BAD_FEATURE            30
#define VIRTIO_F_VERSION_1              32

/* Descriptor flags and ring flags. */
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2
#define VRING_DESC_F_INDIRECT           4
#define VRING_USED_F_NO_NOTIFY          1
#define VRING_AVAIL_F_NO_INTERRUPT      1

/* ISR bits. */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

#define VIRTIO_QUEUE_MAX                1024
#define VIRTQUEUE_MAX_SIZE              1024
#define VIRTIO_NO_VECTOR                0xffff

/* Device IDs (virtio 1.x, 5). */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_CONSOLE               3
#define VIRTIO_ID_RNG                   4

#define TYPE_VIRTIO_DEVICE "virtio-device"

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/*
 * One request: a descriptor chain the driver made available, mapped.
 * out_sg are the driver's buffers for the device to read, in_sg the ones
 * for the device to write, in chain order.  The iovecs point straight into
 * guest RAM (qcore's RAM is never unmapped while the machine lives).
 * Allocated by virtqueue_pop with the arrays after the caller's struct;
 * freed with g_free.
 */
typedef struct VirtQueueElement {
    unsigned int index;         /* head descriptor: what the used ring names */
    unsigned int len;
    unsigned int ndescs;
    unsigned int out_num;
    unsigned int in_num;
    hwaddr *in_addr;
    hwaddr *out_addr;
    struct iovec *in_sg;
    struct iovec *out_sg;
} VirtQueueElement;

typedef void (*VirtIOHandleOutput)(VirtIODevice *vdev, VirtQueue *vq);

/*
 * What the transport does for the core (QEMU's VirtioBusClass): raise or
 * lower its interrupt line from vdev->isr.  Called with the BQL held.
 */
typedef struct VirtIOTransport {
    void (*update_irq)(void *opaque);
    void *opaque;
} VirtIOTransport;

struct VirtIODevice {
    DeviceState parent_obj;
    const char *name;           /* "virtio-rng" */
    uint16_t device_id;
    /* BQL: */
    uint8_t status;
    uint16_t queue_sel;
    uint64_t host_features;     /* what the device offers */
    uint64_t guest_features;    /* what the driver accepted */
    size_t config_len;
    uint8_t *config;
    uint32_t generation;        /* config generation (modern) */
    bool broken;                /* virtio_error: no more processing */
    bool use_ioeventfd;         /* notify through host notifiers */
    bool ioeventfd_started;
    const VirtIOTransport *transport;   /* set when plugged */
    AioContext *ctx;            /* where queue handlers run (BQL: set at
                                   realize) */
    uint8_t isr;                /* atomic */
    QemuMutex vq_lock;          /* see the comment at the top */
    VirtQueue *vq;              /* VIRTIO_QUEUE_MAX, vring.num 0: unused */
    QEMUBH *guest_notify_bh;    /* raises the line from a non-BQL thread */
};

typedef struct VirtioDeviceClass {
    DeviceClass parent_class;
    /* Build the device: virtio_init, virtio_add_queue.  BQL. */
    void (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    /*
     * Features the device offers on top of @features; the core asks once,
     * right after realize.  BQL.
     */
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t features,
                             Error **errp);
    /* The driver accepted @val.  BQL. */
    void (*set_features)(VirtIODevice *vdev, uint64_t val);
    /* Fill @config (vdev->config_len bytes) before a guest read.  BQL. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* After a guest write into @config.  BQL. */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*reset)(VirtIODevice *vdev);
    void (*set_status)(VirtIODevice *vdev, uint8_t val);
    /* Features not shown to a modern driver (QEMU's legacy_features). */
    uint64_t legacy_features;
} VirtioDeviceClass;

#define VIRTIO_DEVICE(obj) \
    OBJECT_CHECK(VirtIODevice, (obj), TYPE_VIRTIO_DEVICE)
#define VIRTIO_DEVICE_CLASS(klass) \
    OBJECT_CLASS_CHECK(VirtioDeviceClass, (klass), TYPE_VIRTIO_DEVICE)
#define VIRTIO_DEVICE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(VirtioDeviceClass, (obj), TYPE_VIRTIO_DEVICE)

static inline bool virtio_has_feature(uint64_t features, unsigned int fbit)
{
    return !!(features & (1ULL << fbit));
}

static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev,
                                           unsigned int fbit)
{
    return virtio_has_feature(vdev->guest_features, fbit);
}

static inline void virtio_add_feature(uint64_t *features, unsigned int fbit)
{
    *features |= 1ULL << fbit;
}

static inline void virtio_clear_feature(uint64_t *features, unsigned int fbit)
{
    *features &= ~(1ULL << fbit);
}

/* ---- Device side (from realize, BQL) ---------------------------------- */

/* Name, ID and config size; allocates the queues.  QEMU's virtio_init. */
void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size);
void virtio_cleanup(VirtIODevice *vdev);
/*
 * Add a queue of at most @queue_size entries whose notifications call
 * @handle_output (in vdev->ctx, with vq_lock held).  Aborts past
 * VIRTIO_QUEUE_MAX queues, as QEMU.
 */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output);
void virtio_del_queue(VirtIODevice *vdev, int n);
VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n);
int virtio_get_queue_index(VirtQueue *vq);
VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq);

/*
 * The device is broken: log @fmt under -d guest_errors, mark it broken
 * (nothing more is popped), and for a modern driver set NEEDS_RESET and
 * send a config interrupt, as QEMU's virtio_error.  Any thread that may
 * touch the queue (vq_lock held, or the BQL).
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* ---- Requests (vdev->ctx's thread, vq_lock held) ---------------------- */

/*
 * The next available chain as an element of @sz bytes (at least
 * sizeof(VirtQueueElement)), or NULL when the ring is empty, the queue
 * not ready, or the chain bad (then virtio_error was called).
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/* Put @elem back: it will be popped again (QEMU's virtqueue_unpop). */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len);
/* Write @elem's used entry at position @idx of a batch; @len bytes written. */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx);
/* Publish @count filled entries to the driver. */
void virtqueue_flush(VirtQueue *vq, unsigned int count);
/* virtqueue_fill(…, 0) + virtqueue_flush(…, 1). */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len);
/* Give @elem back unused (len 0). */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len);
bool virtio_queue_empty(VirtQueue *vq);
bool virtio_queue_ready(VirtQueue *vq);
int virtio_queue_get_num(VirtIODevice *vdev, int n);
/* Ask (or stop asking) the driver to kick on new buffers. */
void virtio_queue_set_notification(VirtQueue *vq, int enable);
/*
 * Interrupt the driver for @vq if the ring's suppression fields say it
 * wants one.  From the BQL thread the line moves at once; from another
 * thread (an IOThread) the ISR bit is set and a main-loop BH drives the
 * line under the BQL (QEMU's guest notifier).
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Config space changed: a config interrupt once DRIVER_OK. */
void virtio_notify_config(VirtIODevice *vdev);

/* ---- Transport side (BQL) --------------------------------------------- */

void virtio_reset(VirtIODevice *vdev);
int virtio_set_status(VirtIODevice *vdev, uint8_t val);
/* Accept @val; -1 (nothing changed) if it holds bits not offered. */
int virtio_set_features(VirtIODevice *vdev, uint64_t val);
void virtio_queue_set_num(VirtIODevice *vdev, int n, int num);
void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used);
/* Legacy: one address, the rings laid out with @align. */
void virtio_queue_set_addr(VirtIODevice *vdev, int n, hwaddr addr);
hwaddr virtio_queue_get_addr(VirtIODevice *vdev, int n);
void virtio_queue_set_align(VirtIODevice *vdev, int n, int align);
/* A QueueNotify write without ioeventfd: run the handler now. */
void virtio_queue_notify(VirtIODevice *vdev, int n);
/* The kick EventNotifier of queue @vq (QEMU's host notifier). */
EventNotifier *virtio_queue_get_host_notifier(VirtQueue *vq);
/*
 * Watch (@assign) or stop watching queue @n's host notifier in vdev->ctx.
 * When stopping, a kick that is already set is handled before returning,
 * so none is lost.  BQL.
 */
void virtio_queue_set_host_notifier_enabled(VirtIODevice *vdev, int n,
                                            bool assign);
uint32_t virtio_config_read(VirtIODevice *vdev, hwaddr addr, unsigned size);
void virtio_config_write(VirtIODevice *vdev, hwaddr addr, uint32_t val,
                         unsigned size);
/* Read and clear-and-update the ISR. */
uint8_t virtio_isr_read(VirtIODevice *vdev);
void virtio_isr_ack(VirtIODevice *vdev, uint8_t bits);

/* Whether a transport may hold this device (for -device placement). */
#define TYPE_VIRTIO_MMIO "virtio-mmio"

#endif
