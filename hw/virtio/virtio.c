/*
 * The virtio core: feature negotiation, status, config space, and split
 * virtqueues (indirect descriptors, event index) read straight from
 * guest RAM.  Corresponds to QEMU's hw/virtio/virtio.c (split rings
 * only; no packed rings, no migration).  Locking: include/qcore/hw/virtio.h.
 * A guest's bad ring never crashes us: every index is checked, every
 * buffer must lie in RAM, and the device is marked broken (virtio_error).
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/virtio.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "trace/trace-hw_virtio.h"

#define VRING_DESC_SIZE 16
#define QEMU_ALIGN_UP(n, m) (((n) + (m) - 1) / (m) * (m))
#define VIRTIO_VRING_ALIGN_DEFAULT 4096     /* legacy QueueAlign's reset */

struct VirtQueue {
    VirtIODevice *vdev;
    uint16_t queue_index;
    unsigned int num_default;   /* virtio_add_queue's size; 0: no queue */
    /* Changed under the BQL *and* vq_lock; read under either. */
    unsigned int num;
    unsigned int align;         /* legacy layout */
    hwaddr desc, avail, used;
    /* Host views of the rings: checked to be RAM when set (NULL: none). */
    uint8_t *desc_p, *avail_p, *used_p;
    /* vq_lock: */
    uint16_t last_avail_idx;
    uint16_t shadow_avail_idx;
    uint16_t used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification;
    unsigned int inuse;
    unsigned int pop_budget;    /* pops left in this kick (bounded work) */
    /* The avail index when the last kick was served: a busy poll reports
     * a kick only when the guest has moved past it, so a queue the device
     * leaves full (rx buffers) or cannot serve never spins the poll. */
    uint16_t polled_avail_idx;
    struct ChainMap *scratch;   /* virtqueue_pop's work area, lazily */
    VirtIOHandleOutput handle_output;
    /* The kick; watched in vdev->ctx while host_notifier_enabled (BQL). */
    EventNotifier host_notifier;
    bool host_notifier_enabled;
};

/* ---- Guest RAM --------------------------------------------------------- */

/*
 * Host address of [@addr, @addr+@len) if it is all in one RAM region
 * (writable, if @is_write), or NULL.  Guest RAM on the virt board is
 * never unmapped while the machine runs, so the pointer stays good.
 */
static uint8_t *vq_map(hwaddr addr, hwaddr len, bool is_write)
{
    hwaddr xlat, l = len;
    MemoryRegion *mr;

    if (!len || addr + len - 1 < addr) {
        return NULL;
    }
    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, addr, &xlat, &l,
                                 is_write, MEMTXATTRS_UNSPECIFIED);
    if (!mr || !mr->ram || l < len || (is_write && mr->readonly)) {
        return NULL;
    }
    return mr->ram_block + xlat;
}

/*
 * Ring fields are shared with vCPUs that read and write them with
 * single-copy atomic accesses; do the same (they are naturally aligned
 * when the driver follows the spec, memcpy otherwise).
 */
static uint16_t ld16(const uint8_t *p)
{
    uint16_t v;

    if (!((uintptr_t)p & 1)) {
        return GUINT16_FROM_LE(qatomic_read((uint16_t *)p));
    }
    memcpy(&v, p, 2);
    return GUINT16_FROM_LE(v);
}

static void st16(uint8_t *p, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    if (!((uintptr_t)p & 1)) {
        qatomic_set((uint16_t *)p, v);
    } else {
        memcpy(p, &v, 2);
    }
}

static void st32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
}

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

static void vring_desc_read(const uint8_t *table, unsigned i, VRingDesc *d)
{
    const uint8_t *p = table + (size_t)i * VRING_DESC_SIZE;

    memcpy(&d->addr, p, 8);
    memcpy(&d->len, p + 8, 4);
    memcpy(&d->flags, p + 12, 2);
    memcpy(&d->next, p + 14, 2);
    d->addr = GUINT64_FROM_LE(d->addr);
    d->len = GUINT32_FROM_LE(d->len);
    d->flags = GUINT16_FROM_LE(d->flags);
    d->next = GUINT16_FROM_LE(d->next);
}

/* avail: flags, idx, ring[num], used_event.  used: flags, idx, ring[num]
 * of {id, len}, avail_event. */
static uint16_t vring_avail_flags(VirtQueue *vq)
{
    return ld16(vq->avail_p);
}

static uint16_t vring_avail_idx(VirtQueue *vq)
{
    vq->shadow_avail_idx = ld16(vq->avail_p + 2);
    return vq->shadow_avail_idx;
}

static uint16_t vring_avail_ring(VirtQueue *vq, unsigned i)
{
    return ld16(vq->avail_p + 4 + 2 * i);
}

static uint16_t vring_get_used_event(VirtQueue *vq)
{
    return vring_avail_ring(vq, vq->num);
}

static void vring_set_avail_event(VirtQueue *vq, uint16_t val)
{
    st16(vq->used_p + 4 + 8 * vq->num, val);
}

static size_t vring_avail_size(unsigned num)
{
    return 6 + 2 * num;
}

static size_t vring_used_size(unsigned num)
{
    return 6 + 8 * num;
}

/* ---- Errors -------------------------------------------------------------- */

static void virtio_irq_update(VirtIODevice *vdev);

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n",
                  object_get_typename(OBJECT(vdev)), msg);
    /*
     * May run in the device's IOThread: status and generation are
     * BQL fields, but only ever gain bits here, atomically; the line
     * itself moves under the BQL (virtio_irq_update).
     */
    qatomic_set(&vdev->broken, true);
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        qatomic_or(&vdev->status, VIRTIO_CONFIG_S_NEEDS_RESET);
        virtio_notify_config(vdev);
    }
}

/* ---- Popping requests ------------------------------------------------------ */

bool virtio_queue_ready(VirtQueue *vq)
{
    return vq->desc_p != NULL;
}

static bool virtio_queue_empty_locked(VirtQueue *vq)
{
    if (!vq->desc_p) {
        return true;
    }
    if (vq->shadow_avail_idx != vq->last_avail_idx) {
        return false;
    }
    return vring_avail_idx(vq) == vq->last_avail_idx;
}

bool virtio_queue_empty(VirtQueue *vq)
{
    return virtio_queue_empty_locked(vq);
}

/* Collects a chain's buffers before the element is allocated. */
struct ChainMap {
    unsigned out_num, in_num;
    struct iovec iov[VIRTQUEUE_MAX_SIZE];
    hwaddr addr[VIRTQUEUE_MAX_SIZE];
};
typedef struct ChainMap ChainMap;

static bool virtqueue_map_desc(VirtIODevice *vdev, ChainMap *m,
                               const VRingDesc *d, bool is_write)
{
    unsigned n = m->out_num + m->in_num;
    uint8_t *p;

    if (!d->len) {
        virtio_error(vdev, "virtio: zero sized buffers are not allowed");
        return false;
    }
    if (n == VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "virtio: too many descriptors in indirect table");
        return false;
    }
    p = vq_map(d->addr, d->len, is_write);
    if (!p) {
        virtio_error(vdev, "virtio: bogus descriptor or out of resources");
        return false;
    }
    m->iov[n].iov_base = p;
    m->iov[n].iov_len = d->len;
    m->addr[n] = d->addr;
    if (is_write) {
        m->in_num++;
    } else {
        m->out_num++;
    }
    return true;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    ChainMap *m;
    const uint8_t *table;
    unsigned max, i, seen = 0, head, out_idx = 0, in_idx = 0, k;
    VRingDesc d;
    VirtQueueElement *elem;
    uint16_t avail;
    size_t arrays;

    if (qatomic_read(&vdev->broken) || !vq->desc_p) {
        return NULL;
    }
    if (vq->pop_budget == 0) {
        /* Bounded work per kick: come back in the next loop iteration. */
        if (vq->host_notifier_enabled) {
            event_notifier_set(&vq->host_notifier);
        }
        return NULL;
    }
    if (virtio_queue_empty_locked(vq)) {
        return NULL;
    }
    /* Read the ring entry only after seeing the index (pairs with the
     * driver's write barrier between filling the ring and the index). */
    smp_rmb();
    avail = vq->shadow_avail_idx;
    if ((uint16_t)(avail - vq->last_avail_idx) > vq->num) {
        virtio_error(vdev, "Guest moved avail index from %u to %u",
                     vq->last_avail_idx, avail);
        return NULL;
    }
    if (vq->inuse >= vq->num) {
        virtio_error(vdev, "Virtqueue size exceeded");
        return NULL;
    }
    head = vring_avail_ring(vq, vq->last_avail_idx % vq->num);
    if (head >= vq->num) {
        virtio_error(vdev, "Guest says index %u is available", head);
        return NULL;
    }
    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vq->last_avail_idx);
    }

    table = vq->desc_p;
    max = vq->num;
    i = head;
    vring_desc_read(table, i, &d);
    if (d.flags & VRING_DESC_F_INDIRECT) {
        if (!d.len || d.len % VRING_DESC_SIZE) {
            virtio_error(vdev, "Invalid size for indirect buffer table");
            return NULL;
        }
        table = vq_map(d.addr, d.len, false);
        if (!table) {
            virtio_error(vdev, "Cannot map indirect buffer");
            return NULL;
        }
        max = d.len / VRING_DESC_SIZE;
        i = 0;
        vring_desc_read(table, i, &d);
    }

    if (!vq->scratch) {
        vq->scratch = g_new(ChainMap, 1);
    }
    m = vq->scratch;
    m->out_num = m->in_num = 0;
    for (;;) {
        if (d.flags & VRING_DESC_F_WRITE) {
            if (!virtqueue_map_desc(vdev, m, &d, true)) {
                return NULL;
            }
        } else {
            if (m->in_num) {
                virtio_error(vdev, "Incorrect order for descriptors");
                return NULL;
            }
            if (!virtqueue_map_desc(vdev, m, &d, false)) {
                return NULL;
            }
        }
        /* A chain never visits more descriptors than its table has. */
        if (++seen >= max && (d.flags & VRING_DESC_F_NEXT)) {
            virtio_error(vdev, "Looped descriptor");
            return NULL;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        i = d.next;
        if (i >= max) {
            virtio_error(vdev, "Desc next is %u", i);
            return NULL;
        }
        vring_desc_read(table, i, &d);
    }

    /* One allocation: the caller's struct, then the arrays. */
    assert(sz >= sizeof(VirtQueueElement));
    sz = QEMU_ALIGN_UP(sz, __alignof__(struct iovec));
    arrays = (m->in_num + m->out_num) * (sizeof(struct iovec) +
                                         sizeof(hwaddr));
    elem = g_malloc0(sz + arrays);
    elem->out_num = m->out_num;
    elem->in_num = m->in_num;
    trace_virtqueue_pop(vq, elem, elem->in_num, elem->out_num);
    elem->out_sg = (struct iovec *)((char *)elem + sz);
    elem->in_sg = elem->out_sg + m->out_num;
    elem->out_addr = (hwaddr *)(elem->in_sg + m->in_num);
    elem->in_addr = elem->out_addr + m->out_num;
    for (k = 0; k < m->out_num + m->in_num; k++) {
        /* Out buffers come first in the chain (checked above). */
        if (k < m->out_num) {
            elem->out_sg[out_idx] = m->iov[k];
            elem->out_addr[out_idx++] = m->addr[k];
        } else {
            elem->in_sg[in_idx] = m->iov[k];
            elem->in_addr[in_idx++] = m->addr[k];
        }
    }
    elem->index = head;
    elem->ndescs = 1;
    vq->inuse++;
    vq->pop_budget--;
    return elem;
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len)
{
    vq->last_avail_idx--;
    vq->inuse--;
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx)
{
    uint8_t *ent;

    if (!vq->used_p || qatomic_read(&vq->vdev->broken)) {
        return;
    }
    ent = vq->used_p + 4 + 8 * ((vq->used_idx + idx) % vq->num);
    st32(ent, elem->index);
    st32(ent + 4, len);
}

void virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    uint16_t old, new;

    if (!vq->used_p || qatomic_read(&vq->vdev->broken)) {
        vq->inuse -= MIN(count, vq->inuse);
        return;
    }
    /* The entries before the index (pairs with the driver's rmb). */
    smp_wmb();
    old = vq->used_idx;
    new = old + count;
    st16(vq->used_p + 2, new);
    vq->used_idx = new;
    vq->inuse -= MIN(count, vq->inuse);
    if ((uint16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len)
{
    vq->inuse -= MIN(1, vq->inuse);
}

void virtio_queue_set_notification(VirtQueue *vq, int enable)
{
    vq->notification = enable;
    if (!vq->desc_p) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vring_avail_idx(vq));
    } else {
        uint16_t f = ld16(vq->used_p);

        st16(vq->used_p, enable ? f & ~VRING_USED_F_NO_NOTIFY
                                : f | VRING_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* Look at the ring again after re-enabling (pairs with the
         * driver's mb between adding buffers and reading our flags). */
        smp_mb();
    }
}

/* ---- Interrupts -------------------------------------------------------- */

static bool vring_need_event(uint16_t event_idx, uint16_t new, uint16_t old)
{
    return (uint16_t)(new - event_idx - 1) < (uint16_t)(new - old);
}

static bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t old, new;
    bool v;

    if (!vq->desc_p) {
        return false;
    }
    /* Our used index before the driver's flags (pairs with its mb). */
    smp_mb();
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY) &&
        !vq->inuse && virtio_queue_empty_locked(vq)) {
        return true;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return !(vring_avail_flags(vq) & VRING_AVAIL_F_NO_INTERRUPT);
    }
    v = vq->signalled_used_valid;
    vq->signalled_used_valid = true;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    return !v || vring_need_event(vring_get_used_event(vq), new, old);
}

/*
 * The line follows isr != 0, driven by the transport under the BQL.
 * From a thread without the BQL (an IOThread) a main-loop BH does it,
 * QEMU's guest notifier, which TCG also serves from the main loop; but
 * when the BQL is free at once the thread raises the line itself: the
 * BH costs a main-loop wake-up (a thread hop) per interrupt, a third of
 * a queue-depth-1 request's host path (bench/README.md, Block).  Only a
 * trylock: the caller holds vq_lock, and a BQL holder may wait for this
 * thread (a drain).  The line is a level recomputed from isr, so a BH
 * that runs after a direct update changes nothing.
 */
static void virtio_irq_update(VirtIODevice *vdev)
{
    if (bql_locked()) {
        if (vdev->transport) {
            vdev->transport->update_irq(vdev->transport->opaque);
        }
    } else if (bql_trylock()) {
        if (vdev->transport) {
            vdev->transport->update_irq(vdev->transport->opaque);
        }
        bql_unlock();
    } else {
        qemu_bh_schedule(vdev->guest_notify_bh);
    }
}

static void virtio_guest_notify_bh(void *opaque)
{
    virtio_irq_update(opaque);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtio_should_notify(vdev, vq)) {
        return;
    }
    trace_virtio_notify(vdev, vq);
    qatomic_or(&vdev->isr, VIRTIO_ISR_QUEUE);
    virtio_irq_update(vdev);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(qatomic_read(&vdev->status) & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    qatomic_or(&vdev->isr, VIRTIO_ISR_CONFIG);
    qatomic_inc(&vdev->generation);
    virtio_irq_update(vdev);
}

uint8_t virtio_isr_read(VirtIODevice *vdev)
{
    return qatomic_read(&vdev->isr);
}

void virtio_isr_ack(VirtIODevice *vdev, uint8_t bits)
{
    qatomic_and(&vdev->isr, (uint8_t)~bits);
    virtio_irq_update(vdev);
}

/* ---- Kicks ------------------------------------------------------------- */

/* Run @vq's handler: the device's AioContext thread, or the BQL thread. */
static void virtio_queue_notify_vq(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    qemu_mutex_lock(&vdev->vq_lock);
    if (vq->desc_p && vq->handle_output && !qatomic_read(&vdev->broken)) {
        vq->pop_budget = vq->num;
        trace_virtio_queue_notify(vdev, vq - vdev->vq, vq);
        vq->handle_output(vdev, vq);
        /* The bound is per kick; a device popping outside its handler
         * (virtio-net's rx and tx BHs) bounds its own work. */
        vq->pop_budget = UINT_MAX;
    }
    /* Also when nothing ran (a broken device): the poll must not report
     * the same index again and again. */
    if (vq->avail_p) {
        vq->polled_avail_idx = ld16(vq->avail_p + 2);
    }
    qemu_mutex_unlock(&vdev->vq_lock);
}

static void virtio_queue_host_notifier_read(EventNotifier *n)
{
    VirtQueue *vq = container_of(n, VirtQueue, host_notifier);

    if (event_notifier_test_and_clear(n)) {
        virtio_queue_notify_vq(vq);
    }
}

/*
 * An IOThread's busy poll (QEMU's virtio_queue_host_notifier_aio_poll):
 * new requests are seen in guest memory before the kick's eventfd wakes
 * anyone.  The kick itself still comes and finds the queue served.
 */
static bool virtio_queue_host_notifier_aio_poll(void *opaque)
{
    VirtQueue *vq = container_of((EventNotifier *)opaque, VirtQueue,
                                 host_notifier);
    bool ready;

    qemu_mutex_lock(&vq->vdev->vq_lock);
    ready = vq->avail_p && ld16(vq->avail_p + 2) != vq->polled_avail_idx;
    qemu_mutex_unlock(&vq->vdev->vq_lock);
    return ready;
}

static void virtio_queue_host_notifier_aio_poll_ready(EventNotifier *n)
{
    virtio_queue_notify_vq(container_of(n, VirtQueue, host_notifier));
}

void virtio_queue_notify(VirtIODevice *vdev, int n)
{
    VirtQueue *vq;

    if (n < 0 || n >= VIRTIO_QUEUE_MAX || !vdev->vq[n].num_default) {
        return;
    }
    vq = &vdev->vq[n];
    if (vq->host_notifier_enabled) {
        event_notifier_set(&vq->host_notifier);
    } else {
        virtio_queue_notify_vq(vq);
    }
}

EventNotifier *virtio_queue_get_host_notifier(VirtQueue *vq)
{
    return &vq->host_notifier;
}

void virtio_queue_set_host_notifier_enabled(VirtIODevice *vdev, int n,
                                            bool assign)
{
    VirtQueue *vq = &vdev->vq[n];

    assert_bql_held();
    if (vq->host_notifier_enabled == assign) {
        return;
    }
    if (assign) {
        aio_set_event_notifier(vdev->ctx, &vq->host_notifier,
                               virtio_queue_host_notifier_read,
                               virtio_queue_host_notifier_aio_poll,
                               virtio_queue_host_notifier_aio_poll_ready);
        vq->host_notifier_enabled = true;
        return;
    }
    aio_set_event_notifier(vdev->ctx, &vq->host_notifier, NULL, NULL, NULL);
    vq->host_notifier_enabled = false;
    /* A handler already running finishes under vq_lock; a kick that came
     * in before removal is served here, as QEMU's
     * virtio_queue_host_notifier_read on stop. */
    virtio_queue_host_notifier_read(&vq->host_notifier);
}

/* ---- Queues ------------------------------------------------------------- */

VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output)
{
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (!vdev->vq[i].num_default) {
            break;
        }
    }
    if (i == VIRTIO_QUEUE_MAX || queue_size > VIRTQUEUE_MAX_SIZE) {
        abort();
    }
    /* One eventfd per queue that exists, not per possible queue. */
    event_notifier_init(&vdev->vq[i].host_notifier, 0);
    vdev->vq[i].num = vdev->vq[i].num_default = queue_size;
    vdev->vq[i].align = VIRTIO_VRING_ALIGN_DEFAULT;
    vdev->vq[i].handle_output = handle_output;
    vdev->vq[i].notification = true;
    return &vdev->vq[i];
}

void virtio_del_queue(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = &vdev->vq[n];

    if (!vq->num_default) {
        return;
    }
    virtio_queue_set_host_notifier_enabled(vdev, n, false);
    event_notifier_cleanup(&vq->host_notifier);
    g_free(vq->scratch);
    vq->scratch = NULL;
    vq->num = vq->num_default = 0;
    vq->desc_p = vq->avail_p = vq->used_p = NULL;
    vq->handle_output = NULL;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n)
{
    return &vdev->vq[n];
}

int virtio_get_queue_index(VirtQueue *vq)
{
    return vq->queue_index;
}

VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq)
{
    return vq->vdev;
}

int virtio_queue_get_num(VirtIODevice *vdev, int n)
{
    return vdev->vq[n].num;
}

/* Check the three rings are RAM and publish host views; vq_lock held. */
static void virtio_queue_map_rings(VirtIODevice *vdev, VirtQueue *vq)
{
    vq->desc_p = vq->avail_p = vq->used_p = NULL;
    if (!vq->desc || !vq->num) {
        return;
    }
    vq->avail_p = vq_map(vq->avail, vring_avail_size(vq->num), false);
    vq->used_p = vq_map(vq->used, vring_used_size(vq->num), true);
    vq->desc_p = vq_map(vq->desc, (hwaddr)vq->num * VRING_DESC_SIZE, false);
    if (!vq->desc_p || !vq->avail_p || !vq->used_p) {
        const char *what = !vq->desc_p ? "desc" : !vq->avail_p ? "avail"
                                                                 : "used";

        vq->desc_p = vq->avail_p = vq->used_p = NULL;
        virtio_error(vdev, "Cannot map %s", what);
    }
}

void virtio_queue_set_num(VirtIODevice *vdev, int n, int num)
{
    VirtQueue *vq = &vdev->vq[n];

    /* Not a queue, or a size the ring cannot have: ignored, as QEMU. */
    if (!!num != !!vq->num || num > VIRTQUEUE_MAX_SIZE || num < 0) {
        return;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    vq->num = num;
    qemu_mutex_unlock(&vdev->vq_lock);
}

void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used)
{
    VirtQueue *vq = &vdev->vq[n];

    if (!vq->num_default) {
        return;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
    virtio_queue_map_rings(vdev, vq);
    qemu_mutex_unlock(&vdev->vq_lock);
}

/* Legacy: the rings follow each other, used aligned to @align. */
static void virtio_queue_update_rings(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = &vdev->vq[n];
    hwaddr avail, used;

    if (!vq->desc || !vq->num) {
        return;
    }
    avail = vq->desc + (hwaddr)vq->num * VRING_DESC_SIZE;
    used = QEMU_ALIGN_UP(avail + 4 + 2 * (hwaddr)vq->num, vq->align);
    virtio_queue_set_rings(vdev, n, vq->desc, avail, used);
}

void virtio_queue_set_addr(VirtIODevice *vdev, int n, hwaddr addr)
{
    if (!vdev->vq[n].num_default) {
        return;
    }
    vdev->vq[n].desc = addr;
    virtio_queue_update_rings(vdev, n);
}

hwaddr virtio_queue_get_addr(VirtIODevice *vdev, int n)
{
    return vdev->vq[n].desc;
}

void virtio_queue_set_align(VirtIODevice *vdev, int n, int align)
{
    /* A power of two, or the ring layout is nonsense: ignored. */
    if (!vdev->vq[n].num_default || align <= 0 || (align & (align - 1))) {
        return;
    }
    vdev->vq[n].align = align;
    virtio_queue_update_rings(vdev, n);
}

/* ---- Status, features, config, reset ----------------------------------- */

int virtio_set_features(VirtIODevice *vdev, uint64_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    bool bad = (val & ~vdev->host_features) != 0;

    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return -EINVAL;
    }
    val &= vdev->host_features;
    if (k->set_features) {
        k->set_features(vdev, val);
    }
    vdev->guest_features = val;
    return bad ? -1 : 0;
}

int virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    trace_virtio_set_status(vdev, val);
    if (k->set_status) {
        k->set_status(vdev, val);
    }
    qatomic_set(&vdev->status, val);
    return 0;
}

void virtio_reset(VirtIODevice *vdev)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    int i;

    assert_bql_held();
    if (k->set_status) {
        k->set_status(vdev, 0);
    }
    if (k->reset) {
        k->reset(vdev);
    }
    qemu_mutex_lock(&vdev->vq_lock);
    qatomic_set(&vdev->broken, false);
    vdev->guest_features = 0;
    vdev->queue_sel = 0;
    qatomic_set(&vdev->status, 0);
    qatomic_set(&vdev->isr, 0);
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = &vdev->vq[i];

        vq->desc = vq->avail = vq->used = 0;
        vq->desc_p = vq->avail_p = vq->used_p = NULL;
        vq->last_avail_idx = vq->shadow_avail_idx = vq->used_idx = 0;
        vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->notification = true;
        vq->inuse = 0;
        vq->num = vq->num_default;
        vq->align = VIRTIO_VRING_ALIGN_DEFAULT;
    }
    qemu_mutex_unlock(&vdev->vq_lock);
    virtio_irq_update(vdev);
}

uint32_t virtio_config_read(VirtIODevice *vdev, hwaddr addr, unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    uint32_t v = 0;

    if (addr + size > vdev->config_len) {
        return UINT32_MAX;      /* QEMU's answer past the config space */
    }
    if (k->get_config) {
        k->get_config(vdev, vdev->config);
    }
    memcpy(&v, vdev->config + addr, size);
    return GUINT32_FROM_LE(v);
}

void virtio_config_write(VirtIODevice *vdev, hwaddr addr, uint32_t val,
                         unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (addr + size > vdev->config_len) {
        return;
    }
    val = GUINT32_TO_LE(val);
    memcpy(vdev->config + addr, &val, size);
    if (k->set_config) {
        k->set_config(vdev, vdev->config);
    }
}

/* ---- Life cycle -------------------------------------------------------- */

void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size)
{
    int i;

    vdev->device_id = device_id;
    vdev->config_len = config_size;
    vdev->config = config_size ? g_malloc0(config_size) : NULL;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].queue_index = i;
        vdev->vq[i].pop_budget = UINT_MAX;
    }
    if (!vdev->ctx) {
        vdev->ctx = qemu_get_aio_context();
    }
    vdev->guest_notify_bh = qemu_bh_new(virtio_guest_notify_bh, vdev);
}

void virtio_cleanup(VirtIODevice *vdev)
{
    int i;

    if (!vdev->vq) {
        return;
    }
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        virtio_del_queue(vdev, i);
    }
    qemu_bh_delete(vdev->guest_notify_bh);
    vdev->guest_notify_bh = NULL;
    g_free(vdev->vq);
    vdev->vq = NULL;
    g_free(vdev->config);
    vdev->config = NULL;
}

static void virtio_device_instance_init(Object *obj)
{
    qemu_mutex_init(&VIRTIO_DEVICE(obj)->vq_lock);
}

static void virtio_device_instance_finalize(Object *obj)
{
    qemu_mutex_destroy(&VIRTIO_DEVICE(obj)->vq_lock);
}

static void virtio_device_realize(DeviceState *dev, Error **errp)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(dev);
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    Error *local_err = NULL;

    if (k->realize) {
        k->realize(dev, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return;
        }
    }
    /*
     * The device's features on top of the common properties' bits, once
     * realize has read its own properties (QEMU asks in
     * virtio_bus_device_plugged).
     */
    if (k->get_features) {
        vdev->host_features = k->get_features(vdev, vdev->host_features,
                                              errp);
    }
}

static void virtio_device_unrealize(DeviceState *dev)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(dev);

    if (k->unrealize) {
        k->unrealize(dev);
    }
    virtio_cleanup(VIRTIO_DEVICE(dev));
}

static void virtio_device_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    VirtioDeviceClass *k = VIRTIO_DEVICE_CLASS(oc);

    dc->realize = virtio_device_realize;
    dc->unrealize = virtio_device_unrealize;
    dc->bus_type = "virtio-bus";
    dc->user_creatable = true;
    /* QEMU's DEFINE_VIRTIO_COMMON_FEATURES. */
    qdev_class_add_prop_bit64(oc, "indirect_desc",
                              offsetof(VirtIODevice, host_features),
                              VIRTIO_RING_F_INDIRECT_DESC, true);
    qdev_class_add_prop_bit64(oc, "event_idx",
                              offsetof(VirtIODevice, host_features),
                              VIRTIO_RING_F_EVENT_IDX, true);
    qdev_class_add_prop_bit64(oc, "notify_on_empty",
                              offsetof(VirtIODevice, host_features),
                              VIRTIO_F_NOTIFY_ON_EMPTY, true);
    qdev_class_add_prop_bit64(oc, "any_layout",
                              offsetof(VirtIODevice, host_features),
                              VIRTIO_F_ANY_LAYOUT, true);
    k->legacy_features = (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY) |
                         (1ULL << VIRTIO_F_ANY_LAYOUT) |
                         (1ULL << VIRTIO_F_BAD_FEATURE);
}

static const TypeInfo virtio_device_info = {
    .name = TYPE_VIRTIO_DEVICE,
    .parent = TYPE_DEVICE,
    .abstract = true,
    .instance_size = sizeof(VirtIODevice),
    .instance_init = virtio_device_instance_init,
    .instance_finalize = virtio_device_instance_finalize,
    .class_size = sizeof(VirtioDeviceClass),
    .class_init = virtio_device_class_init,
};

static void virtio_register_types(void)
{
    type_register_static(&virtio_device_info);
}

type_init(virtio_register_types)
