/*
 * virtio-input: the config space answered by select/subsel, the eventq the
 * input core feeds one report (up to SYN_REPORT) at a time, reports
 * waiting (bounded) while the guest has no buffers, and the statusq
 * the guest writes LED changes to.  Corresponds to QEMU's
 * hw/input/virtio-input.c.
 *
 * Locking (virtio.h): config and the report being built under the BQL;
 * the queues and the reports waiting for buffers under vdev->vq_lock,
 * taken here (BQL held) around each report.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/virtio-input.h"
#include "qcore/log.h"
#include <linux/input-event-codes.h>

/* ---- config space ------------------------------------------------------ */

static VirtIOInputConfig *find_config(VirtIOInput *vinput, uint8_t select,
                                      uint8_t subsel)
{
    VirtIOInputConfig *c;

    QTAILQ_FOREACH(c, &vinput->cfg_list, node) {
        if (c->config.select == select && c->config.subsel == subsel) {
            return c;
        }
    }
    return NULL;
}

void virtio_input_add_config(VirtIOInput *vinput,
                             const virtio_input_config *config)
{
    VirtIOInputConfig *c;
    uint32_t size;

    /* A duplicate is a bug in the device model, not a guest's doing. */
    assert(!find_config(vinput, config->select, config->subsel));
    c = g_new0(VirtIOInputConfig, 1);
    c->config = *config;
    QTAILQ_INSERT_TAIL(&vinput->cfg_list, c, node);
    size = offsetof(virtio_input_config, u) + config->size;
    vinput->cfg_size = MAX(vinput->cfg_size, size);
}

void virtio_input_add_bits(VirtIOInput *vinput, uint8_t subsel,
                           const uint16_t *codes, size_t n)
{
    virtio_input_config cfg = {
        .select = VIRTIO_INPUT_CFG_EV_BITS,
        .subsel = subsel,
    };

    for (size_t i = 0; i < n; i++) {
        unsigned bit = codes[i];

        if (!bit) {
            continue;
        }
        assert(bit / 8 < sizeof(cfg.u));
        cfg.u[bit / 8] |= 1 << (bit % 8);
        cfg.size = MAX(cfg.size, bit / 8 + 1);
    }
    virtio_input_add_config(vinput, &cfg);
}

/* What the driver reads: the entry it selected, or all zeroes (size 0
 * tells it there is none), as QEMU answers. */
static void virtio_input_get_config(VirtIODevice *vdev, uint8_t *data)
{
    VirtIOInput *vinput = VIRTIO_INPUT(vdev);
    VirtIOInputConfig *c = find_config(vinput, vinput->cfg_select,
                                       vinput->cfg_subsel);

    if (c) {
        memcpy(data, &c->config, vinput->cfg_size);
    } else {
        memset(data, 0, vinput->cfg_size);
    }
}

static void virtio_input_set_config(VirtIODevice *vdev, const uint8_t *data)
{
    VirtIOInput *vinput = VIRTIO_INPUT(vdev);
    const virtio_input_config *cfg = (const virtio_input_config *)data;

    vinput->cfg_select = cfg->select;
    vinput->cfg_subsel = cfg->subsel;
    virtio_notify_config(vdev);
}

/* ---- events to the guest ---------------------------------------------- */

static bool is_report_end(const virtio_input_event *e)
{
    return e->type == GUINT16_TO_LE(EV_SYN) &&
           e->code == GUINT16_TO_LE(SYN_REPORT);
}

/*
 * Give the guest as many whole pending reports as its buffers hold, one
 * event per buffer.  A report is never split: the buffers past the last
 * whole one go back to the ring.  vq_lock held (and the BQL).
 */
static void virtio_input_flush_pending(VirtIOInput *vinput)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vinput);
    VirtQueueElement *elems[VIRTIO_INPUT_PENDING_MAX];
    unsigned n = 0, k;

    while (n < vinput->npending) {
        elems[n] = virtqueue_pop(vinput->evt, sizeof(VirtQueueElement));
        if (!elems[n]) {
            break;
        }
        n++;
    }
    for (k = n; k > 0 && !is_report_end(&vinput->pending[k - 1]); k--) {
        /* find the last whole report */
    }
    for (unsigned i = n; i > k; i--) {
        virtqueue_unpop(vinput->evt, elems[i - 1], 0);
        g_free(elems[i - 1]);
    }
    if (!k) {
        return;
    }
    for (unsigned i = 0; i < k; i++) {
        size_t len = iov_from_buf(elems[i]->in_sg, elems[i]->in_num, 0,
                                  &vinput->pending[i],
                                  sizeof(virtio_input_event));

        if (len < sizeof(virtio_input_event)) {
            qemu_log_mask(LOG_GUEST_ERROR, "virtio-input: eventq buffer of "
                          "%zu bytes, an event needs %zu\n", len,
                          sizeof(virtio_input_event));
        }
        virtqueue_fill(vinput->evt, elems[i], len, i);
        g_free(elems[i]);
    }
    virtqueue_flush(vinput->evt, k);
    virtio_notify(vdev, vinput->evt);
    vinput->npending -= k;
    memmove(vinput->pending, vinput->pending + k,
            vinput->npending * sizeof(virtio_input_event));
}

/*
 * A report is complete: queue it behind the ones waiting and give the
 * guest what fits.  While the guest takes none, reports wait (unlike
 * QEMU, which drops a report that does not fit at once: a VNC client
 * typing fast then loses keys); past VIRTIO_INPUT_PENDING_MAX events the
 * newest report is dropped, so a guest that never reads costs bounded
 * memory.
 */
static void virtio_input_queue_report(VirtIOInput *vinput)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vinput);

    /* A report larger than the ring could never go: QEMU drops it too. */
    if (vinput->npending + vinput->qindex > VIRTIO_INPUT_PENDING_MAX ||
        vinput->qindex > virtio_queue_get_num(vdev,
                                              virtio_get_queue_index(
                                                  vinput->evt))) {
        qemu_log_mask(LOG_GUEST_ERROR, "virtio-input: eventq full, %u "
                      "events dropped\n", vinput->qindex);
    } else {
        memcpy(vinput->pending + vinput->npending, vinput->queue,
               vinput->qindex * sizeof(virtio_input_event));
        vinput->npending += vinput->qindex;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    virtio_input_flush_pending(vinput);
    qemu_mutex_unlock(&vdev->vq_lock);
}

void virtio_input_send(VirtIOInput *vinput, uint16_t type, uint16_t code,
                       uint32_t value)
{
    virtio_input_event *e;

    if (!vinput->active) {
        return;
    }
    if (vinput->qindex == VIRTIO_INPUT_QUEUE_MAX) {
        vinput->overflow = true;
    } else {
        e = &vinput->queue[vinput->qindex++];
        e->type = GUINT16_TO_LE(type);
        e->code = GUINT16_TO_LE(code);
        e->value = GUINT32_TO_LE(value);
    }
    if (type != EV_SYN || code != SYN_REPORT) {
        return;
    }
    if (!vinput->overflow) {
        virtio_input_queue_report(vinput);
    }
    vinput->qindex = 0;
    vinput->overflow = false;
}

/* The guest added event buffers: reports waiting for them go now.
 * vdev->ctx's thread (the main loop, BQL held), vq_lock held. */
static void virtio_input_handle_evt(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_input_flush_pending(VIRTIO_INPUT(vdev));
}

/* ---- status from the guest (LEDs) -------------------------------------- */

/* vdev->ctx's thread (the main loop), vq_lock held. */
static void virtio_input_handle_sts(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOInput *vinput = VIRTIO_INPUT(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        virtio_input_event event = { 0 };
        size_t len = iov_to_buf(elem->out_sg, elem->out_num, 0, &event,
                                sizeof(event));

        if (len < sizeof(event)) {
            qemu_log_mask(LOG_GUEST_ERROR, "virtio-input: statusq buffer of "
                          "%zu bytes, an event needs %zu\n", len,
                          sizeof(event));
        } else if (vinput->handle_status) {
            event.type = GUINT16_FROM_LE(event.type);
            event.code = GUINT16_FROM_LE(event.code);
            event.value = GUINT32_FROM_LE(event.value);
            vinput->handle_status(vinput, &event);
        }
        virtqueue_push(vq, elem, len);
        g_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* ---- life cycle --------------------------------------------------------- */

static void virtio_input_set_active(VirtIOInput *vinput, bool active)
{
    if (vinput->active != active) {
        vinput->active = active;
        vinput->qindex = 0;
        vinput->npending = 0;       /* a reset discards what waited */
        if (vinput->change_active) {
            vinput->change_active(vinput);
        }
    }
}

/* A driver that set DRIVER_OK takes input from now on (it is activated,
 * so it is first in line for its kinds of events). */
static void virtio_input_set_status(VirtIODevice *vdev, uint8_t val)
{
    if (val & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_input_set_active(VIRTIO_INPUT(vdev), true);
    }
}

static void virtio_input_reset(VirtIODevice *vdev)
{
    virtio_input_set_active(VIRTIO_INPUT(vdev), false);
}

void virtio_input_realize(VirtIOInput *vinput, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vinput);

    if (vinput->serial && *vinput->serial) {
        virtio_input_config id = {
            .select = VIRTIO_INPUT_CFG_ID_SERIAL,
            .size = MIN(strlen(vinput->serial), sizeof(id.u)),
        };

        memcpy(id.u, vinput->serial, id.size);
        virtio_input_add_config(vinput, &id);
    }
    virtio_init(vdev, VIRTIO_ID_INPUT, vinput->cfg_size);
    vinput->evt = virtio_add_queue(vdev, 64, virtio_input_handle_evt);
    vinput->sts = virtio_add_queue(vdev, 64, virtio_input_handle_sts);
}

static void virtio_input_instance_init(Object *obj)
{
    VirtIOInput *vinput = VIRTIO_INPUT(obj);

    QTAILQ_INIT(&vinput->cfg_list);
}

static void virtio_input_finalize(Object *obj)
{
    VirtIOInput *vinput = VIRTIO_INPUT(obj);
    VirtIOInputConfig *c, *next;

    QTAILQ_FOREACH_SAFE(c, &vinput->cfg_list, node, next) {
        QTAILQ_REMOVE(&vinput->cfg_list, c, node);
        g_free(c);
    }
}

static void virtio_input_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_INPUT;
    vdc->get_config = virtio_input_get_config;
    vdc->set_config = virtio_input_set_config;
    vdc->set_status = virtio_input_set_status;
    vdc->reset = virtio_input_reset;
    qdev_class_add_prop_str(oc, "serial", "str",
                            offsetof(VirtIOInput, serial), NULL);
}

static const TypeInfo virtio_input_info = {
    .name = TYPE_VIRTIO_INPUT,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOInput),
    .instance_init = virtio_input_instance_init,
    .instance_finalize = virtio_input_finalize,
    .class_init = virtio_input_class_init,
    .abstract = true,
};

static void virtio_input_register_types(void)
{
    type_register_static(&virtio_input_info);
}

type_init(virtio_input_register_types)
