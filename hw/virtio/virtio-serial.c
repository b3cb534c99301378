/*
 * virtio-serial-device and its ports, virtconsole and virtserialport,
 * each bound to a chardev: Linux's hvc0 (a console port) or
 * /dev/vportNpM (named ports).  Multiport: queues 0/1 are port 0's,
 * 2/3 the control queues, 4+2(n-1)/5+2(n-1) port n's; the control
 * protocol adds ports, names them, opens and closes them.  Corresponds
 * to QEMU's hw/char/virtio-serial-bus.c and hw/char/virtio-console.c.
 * Everything runs in the main loop with the BQL (no iothread=, as QEMU);
 * queue state is still touched under vdev->vq_lock (virtio.h), which the
 * chardev callbacks take too.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/error.h"
#include "qcore/hw/virtio.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"

#define TYPE_VIRTIO_SERIAL "virtio-serial-device"
#define TYPE_VIRTIO_SERIAL_PORT "virtio-serial-port"
#define TYPE_VIRTSERIALPORT "virtserialport"
#define TYPE_VIRTCONSOLE "virtconsole"

#define VIRTIO_CONSOLE_F_SIZE           0
#define VIRTIO_CONSOLE_F_MULTIPORT      1
#define VIRTIO_CONSOLE_F_EMERG_WRITE    2

#define VIRTIO_CONSOLE_BAD_ID           (~(uint32_t)0)
#define MAX_PORTS                       31

/* Control events (virtio 1.x, 5.3.6.2). */
enum {
    VIRTIO_CONSOLE_DEVICE_READY = 0,
    VIRTIO_CONSOLE_PORT_ADD = 1,
    VIRTIO_CONSOLE_PORT_REMOVE = 2,
    VIRTIO_CONSOLE_PORT_READY = 3,
    VIRTIO_CONSOLE_CONSOLE_PORT = 4,
    VIRTIO_CONSOLE_RESIZE = 5,
    VIRTIO_CONSOLE_PORT_OPEN = 6,
    VIRTIO_CONSOLE_PORT_NAME = 7,
};

typedef struct VirtIOSerial VirtIOSerial;

typedef struct VirtIOSerialPort {
    DeviceState parent_obj;
    VirtIOSerial *vser;         /* set when plugged */
    CharBackend chr;
    uint32_t id;
    VirtQueue *ivq, *ovq;
    bool is_console;
    /* Properties. */
    char *chardev_id;
    char *name;
    uint32_t nr;
    /* BQL + vq_lock: */
    bool guest_connected;       /* the guest opened the port */
    bool host_connected;        /* the chardev has its peer */
    VirtQueueElement *rx_elem;  /* popped for host->guest data, or NULL */
    VirtQueueElement *tx_elem;  /* guest->host, partly written */
    size_t tx_done;             /* bytes of tx_elem already written */
    bool throttled;
    guint watch;
    QEMUBH *accept_bh;          /* asks the chardev for input again */
} VirtIOSerialPort;

struct VirtIOSerial {
    VirtIODevice parent_obj;
    BusState bus;
    VirtQueue *c_ivq, *c_ovq;
    VirtQueue *ivqs[MAX_PORTS], *ovqs[MAX_PORTS];
    VirtIOSerialPort *ports[MAX_PORTS];
    uint32_t max_ports;         /* property max_ports */
    uint64_t host_features;     /* property emergency-write (bit 2) */
};

#define VIRTIO_SERIAL(obj) \
    OBJECT_CHECK(VirtIOSerial, (obj), TYPE_VIRTIO_SERIAL)
#define VIRTIO_SERIAL_PORT(obj) \
    OBJECT_CHECK(VirtIOSerialPort, (obj), TYPE_VIRTIO_SERIAL_PORT)

static bool use_multiport(VirtIOSerial *vser)
{
    return virtio_vdev_has_feature(VIRTIO_DEVICE(vser),
                                   VIRTIO_CONSOLE_F_MULTIPORT);
}

static VirtIOSerialPort *find_port_by_id(VirtIOSerial *vser, uint32_t id)
{
    return id < MAX_PORTS ? vser->ports[id] : NULL;
}

static VirtIOSerialPort *find_port_by_vq(VirtIOSerial *vser, VirtQueue *vq)
{
    for (int i = 0; i < MAX_PORTS; i++) {
        VirtIOSerialPort *p = vser->ports[i];

        if (p && (p->ivq == vq || p->ovq == vq)) {
            return p;
        }
    }
    return NULL;
}

/* ---- Control messages (vq_lock held) ------------------------------------ */

/* Dropped when the driver gave no buffer, as QEMU's send_control_msg. */
static void send_control_msg(VirtIOSerial *vser, const void *buf, size_t len)
{
    VirtQueue *vq = vser->c_ivq;
    VirtQueueElement *elem;

    if (!virtio_queue_ready(vq)) {
        return;
    }
    elem = virtqueue_pop(vq, sizeof(VirtQueueElement));
    if (!elem) {
        return;
    }
    len = iov_from_buf(elem->in_sg, elem->in_num, 0, buf, len);
    virtqueue_push(vq, elem, len);
    virtio_notify(VIRTIO_DEVICE(vser), vq);
    g_free(elem);
}

static void send_control_event(VirtIOSerial *vser, uint32_t port_id,
                               uint16_t event, uint16_t value)
{
    uint8_t cpkt[8];
    uint32_t id = GUINT32_TO_LE(port_id);

    memcpy(cpkt, &id, 4);
    cpkt[4] = event;
    cpkt[5] = event >> 8;
    cpkt[6] = value;
    cpkt[7] = value >> 8;
    send_control_msg(vser, cpkt, sizeof(cpkt));
}

static void port_flush_tx(VirtIOSerialPort *port);

static void handle_control_message(VirtIOSerial *vser, const uint8_t *buf,
                                   size_t len)
{
    VirtIOSerialPort *port;
    uint32_t id;
    uint16_t event, value;

    if (len < 8) {
        qemu_log_mask(LOG_GUEST_ERROR, "virtio-serial-bus: control message "
                      "of %zu bytes is too short\n", len);
        return;
    }
    memcpy(&id, buf, 4);
    id = GUINT32_FROM_LE(id);
    event = buf[4] | buf[5] << 8;
    value = buf[6] | buf[7] << 8;

    if (event == VIRTIO_CONSOLE_DEVICE_READY) {
        if (!value) {
            qemu_log_mask(LOG_GUEST_ERROR, "virtio-serial-bus: Guest failure "
                          "in adding device %s\n",
                          object_get_typename(OBJECT(vser)));
            return;
        }
        for (int i = 0; i < MAX_PORTS; i++) {
            if (vser->ports[i]) {
                send_control_event(vser, i, VIRTIO_CONSOLE_PORT_ADD, 1);
            }
        }
        return;
    }
    port = find_port_by_id(vser, id);
    if (!port) {
        qemu_log_mask(LOG_GUEST_ERROR, "virtio-serial-bus: Unexpected port "
                      "id %u for device %s\n", id,
                      object_get_typename(OBJECT(vser)));
        return;
    }
    switch (event) {
    case VIRTIO_CONSOLE_PORT_READY:
        if (!value) {
            qemu_log_mask(LOG_GUEST_ERROR, "virtio-serial-bus: Guest failure "
                          "in adding port %u for device %s\n", id,
                          object_get_typename(OBJECT(vser)));
            break;
        }
        if (port->is_console) {
            send_control_event(vser, id, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
        }
        if (port->name) {
            size_t n = strlen(port->name);
            g_autofree uint8_t *msg = g_malloc0(8 + n + 1);

            memcpy(msg, &(uint32_t){ GUINT32_TO_LE(id) }, 4);
            msg[4] = VIRTIO_CONSOLE_PORT_NAME;
            msg[6] = 1;
            memcpy(msg + 8, port->name, n);
            send_control_msg(vser, msg, 8 + n + 1);
        }
        if (port->host_connected) {
            send_control_event(vser, id, VIRTIO_CONSOLE_PORT_OPEN, 1);
        }
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        port->guest_connected = value;
        if (!port->is_console) {
            qemu_chr_fe_set_open(&port->chr, value);
        }
        if (value) {
            qemu_bh_schedule(port->accept_bh);
        }
        break;
    }
}

/* vdev->ctx (the main loop), vq_lock held. */
static void control_out(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerial *vser = VIRTIO_SERIAL(vdev);
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        size_t len = iov_size(elem->out_sg, elem->out_num);
        g_autofree uint8_t *buf = g_malloc(MIN(len, 4096));

        len = iov_to_buf(elem->out_sg, elem->out_num, 0, buf, MIN(len, 4096));
        handle_control_message(vser, buf, len);
        virtqueue_push(vq, elem, 0);
        g_free(elem);
    }
    virtio_notify(vdev, vq);
}

static void control_in(VirtIODevice *vdev, VirtQueue *vq)
{
    /* Buffers for our control messages; used as events come. */
}

/* ---- Guest to host -------------------------------------------------------- */

static gboolean port_write_unblocked(void *do_not_use, GIOCondition cond,
                                     void *opaque)
{
    VirtIOSerialPort *port = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(port->vser);

    port->watch = 0;
    qemu_mutex_lock(&vdev->vq_lock);
    port->throttled = false;
    port_flush_tx(port);
    qemu_mutex_unlock(&vdev->vq_lock);
    return G_SOURCE_REMOVE;
}

/*
 * Write what the guest sent to the chardev.  A serial port waits for
 * the chardev when it is full (lossless); a console drops what does not
 * fit, as QEMU's virtconsole.  vq_lock held.
 */
static void port_flush_tx(VirtIOSerialPort *port)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(port->vser);
    bool pushed = false;

    while (!port->throttled) {
        VirtQueueElement *elem = port->tx_elem;
        size_t size;

        if (!elem) {
            elem = virtqueue_pop(port->ovq, sizeof(VirtQueueElement));
            if (!elem) {
                break;
            }
            port->tx_elem = elem;
            port->tx_done = 0;
        }
        size = iov_size(elem->out_sg, elem->out_num);
        while (port->tx_done < size) {
            uint8_t buf[4096];
            size_t n = iov_to_buf(elem->out_sg, elem->out_num, port->tx_done,
                                  buf, MIN(sizeof(buf), size - port->tx_done));
            /* No chardev: the data is consumed, as QEMU's flush_buf. */
            int ret = qemu_chr_fe_backend_connected(&port->chr) ?
                      qemu_chr_fe_write(&port->chr, buf, n) : (int)n;

            if (ret < 0) {
                ret = 0;
            }
            if ((size_t)ret < n && !port->is_console) {
                port->tx_done += ret;
                port->throttled = true;
                port->watch = qemu_chr_fe_add_watch(&port->chr,
                                                    G_IO_OUT | G_IO_HUP,
                                                    port_write_unblocked,
                                                    port);
                break;
            }
            port->tx_done += n;
        }
        if (port->throttled) {
            break;
        }
        virtqueue_push(port->ovq, elem, 0);
        g_free(elem);
        port->tx_elem = NULL;
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, port->ovq);
    }
}

static void handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerialPort *port = find_port_by_vq(VIRTIO_SERIAL(vdev), vq);

    if (!port) {
        /* No port here: the guest's data goes nowhere, as in QEMU. */
        VirtQueueElement *elem;

        while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
            virtqueue_push(vq, elem, 0);
            g_free(elem);
        }
        virtio_notify(vdev, vq);
        return;
    }
    port_flush_tx(port);
}

/* ---- Host to guest -------------------------------------------------------- */

static void handle_input(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerialPort *port = find_port_by_vq(VIRTIO_SERIAL(vdev), vq);

    /* New buffers: the chardev may send again (not from under vq_lock:
     * accept_input calls back into port_can_read). */
    if (port) {
        qemu_bh_schedule(port->accept_bh);
    }
}

static void port_accept_bh(void *opaque)
{
    VirtIOSerialPort *port = opaque;

    qemu_chr_fe_accept_input(&port->chr);
}

/* How much the guest can take now: one popped buffer's room. */
static int port_can_read(void *opaque)
{
    VirtIOSerialPort *port = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(port->vser);
    int room = 0;

    if (!virtio_queue_ready(port->ivq) ||
        !(qatomic_read(&vdev->status) & VIRTIO_CONFIG_S_DRIVER_OK) ||
        (use_multiport(port->vser) && !port->guest_connected)) {
        return 0;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    if (!port->rx_elem) {
        port->rx_elem = virtqueue_pop(port->ivq, sizeof(VirtQueueElement));
    }
    if (port->rx_elem) {
        room = MIN(iov_size(port->rx_elem->in_sg, port->rx_elem->in_num),
                   (size_t)INT_MAX);
    }
    qemu_mutex_unlock(&vdev->vq_lock);
    return room;
}

static void port_read(void *opaque, const uint8_t *buf, int size)
{
    VirtIOSerialPort *port = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(port->vser);

    qemu_mutex_lock(&vdev->vq_lock);
    while (size > 0) {
        VirtQueueElement *elem = port->rx_elem;
        size_t n;

        if (!elem) {
            elem = virtqueue_pop(port->ivq, sizeof(VirtQueueElement));
            if (!elem) {
                break;          /* more than can_read said: dropped */
            }
        }
        port->rx_elem = NULL;
        n = iov_from_buf(elem->in_sg, elem->in_num, 0, buf, size);
        virtqueue_push(port->ivq, elem, n);
        g_free(elem);
        buf += n;
        size -= n;
    }
    virtio_notify(vdev, port->ivq);
    qemu_mutex_unlock(&vdev->vq_lock);
}

static void port_event(void *opaque, QEMUChrEvent event)
{
    VirtIOSerialPort *port = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(port->vser);
    bool open;

    if (event != CHR_EVENT_OPENED && event != CHR_EVENT_CLOSED) {
        return;
    }
    open = event == CHR_EVENT_OPENED;
    qemu_mutex_lock(&vdev->vq_lock);
    if (port->host_connected != open) {
        port->host_connected = open;
        send_control_event(port->vser, port->id, VIRTIO_CONSOLE_PORT_OPEN,
                           open);
    }
    if (!open && port->watch) {
        qemu_chr_fe_remove_watch(&port->chr, port->watch);
        port->watch = 0;
        port->throttled = false;
    }
    qemu_mutex_unlock(&vdev->vq_lock);
}

/* ---- The device ----------------------------------------------------------- */

static uint64_t vser_get_features(VirtIODevice *vdev, uint64_t f,
                                  Error **errp)
{
    VirtIOSerial *vser = VIRTIO_SERIAL(vdev);

    f |= vser->host_features;
    if (vser->max_ports > 1) {
        virtio_add_feature(&f, VIRTIO_CONSOLE_F_MULTIPORT);
    }
    return f;
}

/* cols, rows, max_nr_ports, emerg_wr (little-endian). */
static void vser_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOSerial *vser = VIRTIO_SERIAL(vdev);
    uint32_t max = GUINT32_TO_LE(vser->max_ports);

    memset(config, 0, 12);
    memcpy(config + 4, &max, 4);
}

/* An emergency write: one character for port 0, before the queues work. */
static void vser_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    VirtIOSerial *vser = VIRTIO_SERIAL(vdev);
    VirtIOSerialPort *port = find_port_by_id(vser, 0);
    uint32_t emerg;

    memcpy(&emerg, config + 8, 4);
    emerg = GUINT32_FROM_LE(emerg);
    if (!virtio_has_feature(vser->host_features,
                            VIRTIO_CONSOLE_F_EMERG_WRITE) || !emerg) {
        return;
    }
    if (port) {
        uint8_t c = emerg;

        qemu_chr_fe_write(&port->chr, &c, 1);
    }
    memset(vdev->config + 8, 0, 4);
}

static void vser_reset(VirtIODevice *vdev)
{
    VirtIOSerial *vser = VIRTIO_SERIAL(vdev);

    for (int i = 0; i < MAX_PORTS; i++) {
        VirtIOSerialPort *port = vser->ports[i];

        if (!port) {
            continue;
        }
        port->guest_connected = false;
        g_free(port->rx_elem);
        port->rx_elem = NULL;
        g_free(port->tx_elem);
        port->tx_elem = NULL;
        if (port->watch) {
            qemu_chr_fe_remove_watch(&port->chr, port->watch);
            port->watch = 0;
        }
        port->throttled = false;
    }
}

static bool vser_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    VIRTIO_SERIAL_PORT(dev)->vser = bus->opaque;
    return true;
}

static void vser_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOSerial *vser = VIRTIO_SERIAL(dev);
    static unsigned bus_count;

    if (!vser->max_ports || vser->max_ports > MAX_PORTS) {
        error_setg(errp, "maximum ports supported: %u", MAX_PORTS);
        return;
    }
    virtio_init(vdev, VIRTIO_ID_CONSOLE, 12);
    vser->ivqs[0] = virtio_add_queue(vdev, 128, handle_input);
    vser->ovqs[0] = virtio_add_queue(vdev, 128, handle_output);
    vser->c_ivq = virtio_add_queue(vdev, 32, control_in);
    vser->c_ovq = virtio_add_queue(vdev, 32, control_out);
    for (uint32_t i = 1; i < vser->max_ports; i++) {
        vser->ivqs[i] = virtio_add_queue(vdev, 128, handle_input);
        vser->ovqs[i] = virtio_add_queue(vdev, 128, handle_output);
    }

    vser->bus.name = g_strdup_printf("virtio-serial-bus.%u", bus_count++);
    vser->bus.type = "virtio-serial-bus";
    vser->bus.owner = OBJECT(dev);
    vser->bus.max_children = vser->max_ports;
    vser->bus.plug = vser_plug;
    vser->bus.opaque = vser;
    qbus_register(&vser->bus);
}

static void vser_unrealize(DeviceState *dev)
{
    qbus_unregister(&VIRTIO_SERIAL(dev)->bus);
}

static void vser_finalize(Object *obj)
{
    g_free(VIRTIO_SERIAL(obj)->bus.name);
}

static void vser_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_INPUT;
    vdc->realize = vser_realize;
    vdc->unrealize = vser_unrealize;
    vdc->get_features = vser_get_features;
    vdc->get_config = vser_get_config;
    vdc->set_config = vser_set_config;
    vdc->reset = vser_reset;
    qdev_class_add_prop_uint32(oc, "max_ports",
                               offsetof(VirtIOSerial, max_ports), MAX_PORTS,
                               "");
    qdev_class_add_prop_bit64(oc, "emergency-write",
                              offsetof(VirtIOSerial, host_features),
                              VIRTIO_CONSOLE_F_EMERG_WRITE, true);
}

/* ---- The ports ----------------------------------------------------------- */

static void port_realize(DeviceState *dev, Error **errp)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);
    VirtIOSerial *vser = port->vser;
    VirtIODevice *vdev = VIRTIO_DEVICE(vser);
    const char *type = object_get_typename(OBJECT(dev));
    Chardev *chr = NULL;
    uint32_t id = port->nr;

    port->is_console = !strcmp(type, TYPE_VIRTCONSOLE);
    if (port->name) {
        for (int i = 0; i < MAX_PORTS; i++) {
            VirtIOSerialPort *p = vser->ports[i];

            if (p && p->name && !strcmp(p->name, port->name)) {
                error_setg(errp, "virtio-serial-bus: A port already exists "
                           "by name %s", port->name);
                return;
            }
        }
    }
    if (id == VIRTIO_CONSOLE_BAD_ID) {
        /* Port 0 is kept for a console, for old guests (QEMU's rule). */
        if (port->is_console && !vser->ports[0]) {
            id = 0;
        } else {
            for (id = 1; id < vser->max_ports && vser->ports[id]; id++) {
                continue;
            }
            if (id >= vser->max_ports) {
                error_setg(errp, "virtio-serial-bus: Maximum port limit for "
                           "this device reached");
                return;
            }
        }
    } else if (id == 0 && !port->is_console) {
        error_setg(errp, "Port number 0 on virtio-serial devices reserved "
                   "for virtconsole devices for backward compatibility.");
        return;
    } else if (id >= vser->max_ports) {
        error_setg(errp, "virtio-serial-bus: Out-of-range port id specified, "
                   "max. allowed: %u", vser->max_ports - 1);
        return;
    } else if (vser->ports[id]) {
        error_setg(errp, "virtio-serial-bus: A port already exists at id %u",
                   id);
        return;
    }
    if (port->chardev_id && *port->chardev_id) {
        chr = qemu_chr_find(port->chardev_id);
        if (!chr) {
            error_setg(errp, "Property '%s.chardev' can't find value '%s'",
                       type, port->chardev_id);
            return;
        }
    }
    if (!qemu_chr_fe_init(&port->chr, chr, errp)) {
        return;
    }
    port->id = id;
    port->ivq = vser->ivqs[id];
    port->ovq = vser->ovqs[id];
    port->accept_bh = qemu_bh_new(port_accept_bh, port);
    vser->ports[id] = port;
    if (!chr) {
        return;
    }
    /*
     * A console is open whether or not the chardev has a peer (output
     * goes where the chardev puts it); a serial port follows the
     * chardev's open and close, for lossless transfer (QEMU's rule).
     */
    if (port->is_console) {
        qemu_chr_fe_set_handlers(&port->chr, port_can_read, port_read, NULL,
                                 NULL, port, NULL, true);
        qemu_mutex_lock(&vdev->vq_lock);
        port->host_connected = true;
        send_control_event(vser, id, VIRTIO_CONSOLE_PORT_OPEN, 1);
        qemu_mutex_unlock(&vdev->vq_lock);
    } else {
        qemu_chr_fe_set_handlers(&port->chr, port_can_read, port_read,
                                 port_event, NULL, port, NULL, false);
    }
}

static void port_unrealize(DeviceState *dev)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);

    if (port->watch) {
        qemu_chr_fe_remove_watch(&port->chr, port->watch);
    }
    qemu_chr_fe_deinit(&port->chr, false);
    if (port->accept_bh) {
        qemu_bh_delete(port->accept_bh);
    }
    if (port->vser && port->vser->ports[port->id] == port) {
        port->vser->ports[port->id] = NULL;
    }
    g_free(port->rx_elem);
    g_free(port->tx_elem);
}

static void port_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->category = DEVICE_CATEGORY_INPUT;
    dc->bus_type = "virtio-serial-bus";
    dc->realize = port_realize;
    dc->unrealize = port_unrealize;
    qdev_class_add_prop_str(oc, "chardev", "str",
                            offsetof(VirtIOSerialPort, chardev_id),
                            "ID of a chardev to use as a backend");
    qdev_class_add_prop_str(oc, "name", "str",
                            offsetof(VirtIOSerialPort, name), NULL);
    qdev_class_add_prop_uint32(oc, "nr", offsetof(VirtIOSerialPort, nr),
                               VIRTIO_CONSOLE_BAD_ID, "");
}

static void port_user_class_init(ObjectClass *oc, const void *data)
{
    DEVICE_CLASS(oc)->user_creatable = true;
}

static const TypeInfo virtio_serial_types[] = {
    {
        .name = TYPE_VIRTIO_SERIAL,
        .parent = TYPE_VIRTIO_DEVICE,
        .instance_size = sizeof(VirtIOSerial),
        .instance_finalize = vser_finalize,
        .class_init = vser_class_init,
    },
    {
        .name = TYPE_VIRTIO_SERIAL_PORT,
        .parent = TYPE_DEVICE,
        .abstract = true,
        .instance_size = sizeof(VirtIOSerialPort),
        .class_init = port_class_init,
    },
    {
        .name = TYPE_VIRTSERIALPORT,
        .parent = TYPE_VIRTIO_SERIAL_PORT,
        .class_init = port_user_class_init,
    },
    {
        .name = TYPE_VIRTCONSOLE,
        .parent = TYPE_VIRTSERIALPORT,
    },
};

DEFINE_TYPES(virtio_serial_types)
