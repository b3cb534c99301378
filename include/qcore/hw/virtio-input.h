/*
 * virtio-input: the device the guest reads Linux input events from
 * (eventq) and writes LED state to (statusq), with its config space of
 * select/subsel answers.  Corresponds to QEMU's
 * include/hw/virtio/virtio-input.h; the HID devices (keyboard, mouse,
 * tablet) are hw/input/virtio-input-hid.c.
 */
#ifndef QCORE_HW_VIRTIO_INPUT_H
#define QCORE_HW_VIRTIO_INPUT_H

#include "qcore/hw/virtio.h"
#include "qcore/input.h"

#define VIRTIO_ID_INPUT 18

/* The config select values (virtio 1.x, 5.8.4). */
#define VIRTIO_INPUT_CFG_UNSET      0x00
#define VIRTIO_INPUT_CFG_ID_NAME    0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL  0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS  0x03
#define VIRTIO_INPUT_CFG_PROP_BITS  0x10
#define VIRTIO_INPUT_CFG_EV_BITS    0x11
#define VIRTIO_INPUT_CFG_ABS_INFO   0x12

/* The config space layout: 8 bytes of header, a 128-byte payload.
 * Multi-byte payload fields are little endian. */
typedef struct virtio_input_config {
    uint8_t select;
    uint8_t subsel;
    uint8_t size;
    uint8_t reserved[5];
    uint8_t u[128];
} virtio_input_config;

/* What travels on the queues: a Linux struct input_event without the
 * time stamp, little endian. */
typedef struct virtio_input_event {
    uint16_t type;
    uint16_t code;
    uint32_t value;
} virtio_input_event;

#define TYPE_VIRTIO_INPUT "virtio-input-device"
#define TYPE_VIRTIO_INPUT_HID "virtio-input-hid-device"
#define TYPE_VIRTIO_KEYBOARD "virtio-keyboard-device"
#define TYPE_VIRTIO_MOUSE "virtio-mouse-device"
#define TYPE_VIRTIO_TABLET "virtio-tablet-device"

/* Events of one report (up to SYN_REPORT) at most. */
#define VIRTIO_INPUT_QUEUE_MAX 64
/* Events of whole reports waiting for the guest's buffers at most. */
#define VIRTIO_INPUT_PENDING_MAX 512

typedef struct VirtIOInputConfig {
    virtio_input_config config;
    QTAILQ_ENTRY(VirtIOInputConfig) node;
} VirtIOInputConfig;

typedef struct VirtIOInput VirtIOInput;

struct VirtIOInput {
    VirtIODevice parent_obj;
    /* BQL: */
    uint8_t cfg_select;
    uint8_t cfg_subsel;
    uint32_t cfg_size;
    QTAILQ_HEAD(, VirtIOInputConfig) cfg_list;
    VirtQueue *evt, *sts;
    char *serial;
    bool active;                /* DRIVER_OK seen since the last reset */
    /* The events of the report being built, queued at its SYN_REPORT
     * (BQL). */
    virtio_input_event queue[VIRTIO_INPUT_QUEUE_MAX];
    unsigned qindex;
    bool overflow;              /* the report lost events: drop it */
    /* Whole reports the guest has no buffers for yet, oldest first
     * (BQL and vq_lock; a reset, with the queues stopped, just BQL). */
    virtio_input_event pending[VIRTIO_INPUT_PENDING_MAX];
    unsigned npending;
    /* Subclass hooks (BQL). */
    void (*change_active)(VirtIOInput *vinput);
    void (*handle_status)(VirtIOInput *vinput, virtio_input_event *event);
};

#define VIRTIO_INPUT(obj) OBJECT_CHECK(VirtIOInput, (obj), TYPE_VIRTIO_INPUT)

/* The common realize: config size from the entries, the two queues. */
void virtio_input_realize(VirtIOInput *vinput, Error **errp);

/* From the subclass (BQL).  Events are host endian here. */
void virtio_input_send(VirtIOInput *vinput, uint16_t type, uint16_t code,
                       uint32_t value);
void virtio_input_add_config(VirtIOInput *vinput,
                             const virtio_input_config *config);
/* EV_BITS for @subsel with the bits of the codes in @codes (0s skipped). */
void virtio_input_add_bits(VirtIOInput *vinput, uint8_t subsel,
                           const uint16_t *codes, size_t n);

#endif
