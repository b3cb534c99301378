/*
 * virtio-keyboard-device, virtio-mouse-device and virtio-tablet-device:
 * virtio-input devices that take the input core's events and describe
 * themselves with QEMU's names and IDs.  Corresponds to QEMU's
 * hw/input/virtio-input-hid.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/virtio-input.h"
#include "qcore/console.h"
#include "qcore/log.h"
#include <linux/input-event-codes.h>
#include <linux/input.h>

typedef struct VirtIOInputHID {
    VirtIOInput parent_obj;
    const QemuInputHandler *handler;
    QemuInputHandlerState *hs;
    int ledstate;               /* QEMU_*_LED bits the guest set (BQL) */
    bool wheel_axis;            /* the wheel as REL_WHEEL (QEMU 7.2's v2) */
    char *display;              /* display=: the console's device id */
    uint32_t head;              /* head=: and its head */
} VirtIOInputHID;

#define VIRTIO_INPUT_HID(obj) \
    OBJECT_CHECK(VirtIOInputHID, (obj), TYPE_VIRTIO_INPUT_HID)

static void stw_le(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void stl_le(uint8_t *p, uint32_t v)
{
    stw_le(p, v);
    stw_le(p + 2, v >> 16);
}

/* QEMU's vendor: the virtio-input devices are Red Hat's 0x0627. */
#define VIRTIO_INPUT_VENDOR 0x0627

static const uint16_t button_codes[INPUT_BUTTON__MAX] = {
    [INPUT_BUTTON_LEFT] = BTN_LEFT,
    [INPUT_BUTTON_RIGHT] = BTN_RIGHT,
    [INPUT_BUTTON_MIDDLE] = BTN_MIDDLE,
    [INPUT_BUTTON_WHEEL_UP] = BTN_GEAR_UP,
    [INPUT_BUTTON_WHEEL_DOWN] = BTN_GEAR_DOWN,
    [INPUT_BUTTON_SIDE] = BTN_SIDE,
    [INPUT_BUTTON_EXTRA] = BTN_EXTRA,
};

static const uint16_t rel_codes[INPUT_AXIS__MAX] = {
    [INPUT_AXIS_X] = REL_X,
    [INPUT_AXIS_Y] = REL_Y,
};

static const uint16_t abs_codes[INPUT_AXIS__MAX] = {
    [INPUT_AXIS_X] = ABS_X,
    [INPUT_AXIS_Y] = ABS_Y,
};

/* ---- events from the input core ---------------------------------------- */

static void virtio_input_handle_event(DeviceState *dev, QemuConsole *src,
                                      InputEvent *evt)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(dev);
    VirtIOInput *vinput = VIRTIO_INPUT(dev);
    InputKeyEvent *key;
    InputBtnEvent *btn;
    InputMoveEvent *move;
    QKeyCode qcode;
    unsigned lnx;

    switch (evt->type) {
    case INPUT_EVENT_KIND_KEY:
        key = evt->u.key.data;
        qcode = qemu_input_key_value_to_qcode(key->key);
        lnx = qemu_input_qcode_to_linux(qcode);
        if (lnx) {
            virtio_input_send(vinput, EV_KEY, lnx, key->down);
        } else if (key->down) {
            /* A log mask, not stderr: the monitor may send any number. */
            qemu_log_mask(LOG_UNIMP, "%s: unmapped key: %d [%s]\n",
                          __func__, qcode, QKeyCode_str(qcode));
        }
        break;
    case INPUT_EVENT_KIND_BTN:
        btn = evt->u.btn.data;
        if (vhid->wheel_axis && btn->down &&
            (btn->button == INPUT_BUTTON_WHEEL_UP ||
             btn->button == INPUT_BUTTON_WHEEL_DOWN)) {
            virtio_input_send(vinput, EV_REL, REL_WHEEL,
                              btn->button == INPUT_BUTTON_WHEEL_UP ? 1 : -1);
        } else if (button_codes[btn->button]) {
            virtio_input_send(vinput, EV_KEY, button_codes[btn->button],
                              btn->down);
        } else if (btn->down) {
            qemu_log_mask(LOG_UNIMP, "%s: unmapped button: %d [%s]\n",
                          __func__, btn->button,
                          InputButton_str(btn->button));
        }
        break;
    case INPUT_EVENT_KIND_REL:
        move = evt->u.rel.data;
        virtio_input_send(vinput, EV_REL, rel_codes[move->axis], move->value);
        break;
    case INPUT_EVENT_KIND_ABS:
        move = evt->u.abs.data;
        virtio_input_send(vinput, EV_ABS, abs_codes[move->axis], move->value);
        break;
    default:
        break;
    }
}

static void virtio_input_handle_sync(DeviceState *dev)
{
    virtio_input_send(VIRTIO_INPUT(dev), EV_SYN, SYN_REPORT, 0);
}

/* The guest's LEDs, for the displays (VNC's LED state pseudo-encoding). */
static void virtio_input_handle_status(VirtIOInput *vinput,
                                       virtio_input_event *event)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(vinput);
    int bit = 0;

    if (event->type != EV_LED) {
        qemu_log_mask(LOG_GUEST_ERROR, "virtio-input: unknown status event "
                      "type %d\n", event->type);
        return;
    }
    switch (event->code) {
    case LED_NUML:
        bit = QEMU_NUM_LOCK_LED;
        break;
    case LED_CAPSL:
        bit = QEMU_CAPS_LOCK_LED;
        break;
    case LED_SCROLLL:
        bit = QEMU_SCROLL_LOCK_LED;
        break;
    }
    if (event->value) {
        vhid->ledstate |= bit;
    } else {
        vhid->ledstate &= ~bit;
    }
    kbd_put_ledstate(vhid->ledstate);
}

static void virtio_input_hid_change_active(VirtIOInput *vinput)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(vinput);

    if (vinput->active) {
        qemu_input_handler_activate(vhid->hs);
    } else {
        qemu_input_handler_deactivate(vhid->hs);
    }
}

/* ---- the three devices ------------------------------------------------- */

static void add_name_and_ids(VirtIOInput *vinput, const char *name,
                             uint16_t product, uint16_t version)
{
    virtio_input_config cfg = { .select = VIRTIO_INPUT_CFG_ID_NAME };

    /* QEMU counts the terminating NUL in the size. */
    cfg.size = strlen(name) + 1;
    memcpy(cfg.u, name, cfg.size);
    virtio_input_add_config(vinput, &cfg);

    memset(&cfg, 0, sizeof(cfg));
    cfg.select = VIRTIO_INPUT_CFG_ID_DEVIDS;
    cfg.size = 8;
    stw_le(cfg.u, BUS_VIRTUAL);
    stw_le(cfg.u + 2, VIRTIO_INPUT_VENDOR);
    stw_le(cfg.u + 4, product);
    stw_le(cfg.u + 6, version);
    virtio_input_add_config(vinput, &cfg);
}

static void add_byte_config(VirtIOInput *vinput, uint8_t select,
                            uint8_t subsel, unsigned size, uint16_t bits)
{
    virtio_input_config cfg = {
        .select = select, .subsel = subsel, .size = size,
    };

    cfg.u[0] = bits & 0xff;
    cfg.u[1] = bits >> 8;
    virtio_input_add_config(vinput, &cfg);
}

static void add_abs_info(VirtIOInput *vinput, uint8_t axis)
{
    virtio_input_config cfg = {
        .select = VIRTIO_INPUT_CFG_ABS_INFO, .subsel = axis, .size = 20,
    };

    /* min 0, max, fuzz 0, flat 0, res 0: le32 each. */
    stl_le(cfg.u + 4, INPUT_EVENT_ABS_MAX);
    virtio_input_add_config(vinput, &cfg);
}

static void add_button_bits(VirtIOInput *vinput)
{
    virtio_input_add_bits(vinput, EV_KEY, button_codes,
                          G_N_ELEMENTS(button_codes));
}

static void virtio_keyboard_setup(VirtIOInput *vinput)
{
    uint16_t codes[Q_KEY_CODE__MAX];

    add_name_and_ids(vinput, "QEMU Virtio Keyboard", 0x0001, 0x0001);
    for (int q = 0; q < Q_KEY_CODE__MAX; q++) {
        codes[q] = qemu_input_qcode_to_linux(q);
    }
    virtio_input_add_bits(vinput, EV_KEY, codes, Q_KEY_CODE__MAX);
    add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_REP, 1, 0);
    add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_LED, 1,
                    (1 << LED_NUML) | (1 << LED_CAPSL) | (1 << LED_SCROLLL));
}

static void virtio_mouse_setup(VirtIOInput *vinput)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(vinput);

    /* Version 2: the wheel is an axis (QEMU's "v2" config). */
    add_name_and_ids(vinput, "QEMU Virtio Mouse", 0x0002,
                     vhid->wheel_axis ? 0x0002 : 0x0001);
    if (vhid->wheel_axis) {
        add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_REL, 2,
                        (1 << REL_X) | (1 << REL_Y) | (1 << REL_WHEEL));
    } else {
        add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_REL, 1,
                        (1 << REL_X) | (1 << REL_Y));
    }
    add_button_bits(vinput);
}

static void virtio_tablet_setup(VirtIOInput *vinput)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(vinput);

    add_name_and_ids(vinput, "QEMU Virtio Tablet", 0x0003,
                     vhid->wheel_axis ? 0x0002 : 0x0001);
    if (vhid->wheel_axis) {
        add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_REL, 2,
                        1 << REL_WHEEL);
    }
    add_byte_config(vinput, VIRTIO_INPUT_CFG_EV_BITS, EV_ABS, 1,
                    (1 << ABS_X) | (1 << ABS_Y));
    add_abs_info(vinput, ABS_X);
    add_abs_info(vinput, ABS_Y);
    add_button_bits(vinput);
}

static const QemuInputHandler virtio_keyboard_handler = {
    .name = "QEMU Virtio Keyboard",
    .mask = INPUT_EVENT_MASK_KEY,
    .event = virtio_input_handle_event,
    .sync = virtio_input_handle_sync,
};

static const QemuInputHandler virtio_mouse_handler = {
    .name = "QEMU Virtio Mouse",
    .mask = INPUT_EVENT_MASK_BTN | INPUT_EVENT_MASK_REL,
    .event = virtio_input_handle_event,
    .sync = virtio_input_handle_sync,
};

static const QemuInputHandler virtio_tablet_handler = {
    .name = "QEMU Virtio Tablet",
    .mask = INPUT_EVENT_MASK_BTN | INPUT_EVENT_MASK_ABS,
    .event = virtio_input_handle_event,
    .sync = virtio_input_handle_sync,
};

static void virtio_input_hid_realize(DeviceState *dev, Error **errp)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(dev);
    VirtIOInput *vinput = VIRTIO_INPUT(dev);

    if (vhid->handler == &virtio_keyboard_handler) {
        virtio_keyboard_setup(vinput);
    } else if (vhid->handler == &virtio_mouse_handler) {
        virtio_mouse_setup(vinput);
    } else {
        virtio_tablet_setup(vinput);
    }
    virtio_input_realize(vinput, errp);
    vhid->hs = qemu_input_handler_register(dev, vhid->handler);
    /*
     * display=ID[,head=N]: take only that console's events (QEMU's
     * qemu_input_handler_bind).  As in QEMU 7.2 a display that does not
     * exist (yet: devices are made in command-line order) is ignored
     * without a word, and the device takes events from every console.
     */
    if (vhid->display) {
        QemuConsole *con = qemu_console_lookup_by_device_name(
            vhid->display, vhid->head, NULL);

        if (con) {
            qemu_input_handler_bind_console(vhid->hs, con);
        }
    }
}

static void virtio_input_hid_unrealize(DeviceState *dev)
{
    VirtIOInputHID *vhid = VIRTIO_INPUT_HID(dev);

    qemu_input_handler_unregister(vhid->hs);
    vhid->hs = NULL;
}

static void virtio_input_hid_instance_init(Object *obj)
{
    VirtIOInput *vinput = VIRTIO_INPUT(obj);

    vinput->change_active = virtio_input_hid_change_active;
    vinput->handle_status = virtio_input_handle_status;
}

static void virtio_input_hid_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    vdc->realize = virtio_input_hid_realize;
    vdc->unrealize = virtio_input_hid_unrealize;
    qdev_class_add_prop_str(oc, "display", "str",
                            offsetof(VirtIOInputHID, display), NULL);
    qdev_class_add_prop_uint32(oc, "head", offsetof(VirtIOInputHID, head), 0,
                               "");
}

static void virtio_keyboard_init(Object *obj)
{
    VIRTIO_INPUT_HID(obj)->handler = &virtio_keyboard_handler;
}

static void virtio_mouse_init(Object *obj)
{
    VIRTIO_INPUT_HID(obj)->handler = &virtio_mouse_handler;
    VIRTIO_INPUT_HID(obj)->wheel_axis = true;
}

static void virtio_tablet_init(Object *obj)
{
    VIRTIO_INPUT_HID(obj)->handler = &virtio_tablet_handler;
    VIRTIO_INPUT_HID(obj)->wheel_axis = true;
}

static void virtio_pointer_class_init(ObjectClass *oc, const void *data)
{
    qdev_class_add_prop_bool(oc, "wheel-axis",
                             offsetof(VirtIOInputHID, wheel_axis), true, "");
}

static const TypeInfo virtio_input_hid_types[] = {
    {
        .name = TYPE_VIRTIO_INPUT_HID,
        .parent = TYPE_VIRTIO_INPUT,
        .instance_size = sizeof(VirtIOInputHID),
        .instance_init = virtio_input_hid_instance_init,
        .class_init = virtio_input_hid_class_init,
        .abstract = true,
    }, {
        .name = TYPE_VIRTIO_KEYBOARD,
        .parent = TYPE_VIRTIO_INPUT_HID,
        .instance_size = sizeof(VirtIOInputHID),
        .instance_init = virtio_keyboard_init,
    }, {
        .name = TYPE_VIRTIO_MOUSE,
        .parent = TYPE_VIRTIO_INPUT_HID,
        .instance_size = sizeof(VirtIOInputHID),
        .instance_init = virtio_mouse_init,
        .class_init = virtio_pointer_class_init,
    }, {
        .name = TYPE_VIRTIO_TABLET,
        .parent = TYPE_VIRTIO_INPUT_HID,
        .instance_size = sizeof(VirtIOInputHID),
        .instance_init = virtio_tablet_init,
        .class_init = virtio_pointer_class_init,
    },
};

static void virtio_input_hid_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(virtio_input_hid_types); i++) {
        type_register_static(&virtio_input_hid_types[i]);
    }
}

type_init(virtio_input_hid_register_types)
