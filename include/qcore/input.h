/*
 * The input core: key, button and pointer events from a display (VNC) or
 * the monitor (send-key, input-send-event), routed to the device handler
 * that was activated last for each kind of event.  Corresponds to QEMU's
 * include/ui/input.h (ui/input.c, ui/input-keymap.c, ui/keymaps.c).
 *
 * Threading: everything here runs with the BQL held (the main loop: VNC,
 * the monitor, the key-delay timer; handlers are called from there too).
 */
#ifndef QCORE_INPUT_H
#define QCORE_INPUT_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qapi/qapi-types.h"

typedef struct DeviceState DeviceState;
typedef struct QemuConsole QemuConsole;
typedef struct Monitor Monitor;
typedef struct QDict QDict;

#define INPUT_EVENT_MASK_KEY   (1u << INPUT_EVENT_KIND_KEY)
#define INPUT_EVENT_MASK_BTN   (1u << INPUT_EVENT_KIND_BTN)
#define INPUT_EVENT_MASK_REL   (1u << INPUT_EVENT_KIND_REL)
#define INPUT_EVENT_MASK_ABS   (1u << INPUT_EVENT_KIND_ABS)

/* The range absolute axes are scaled to (QEMU's INPUT_EVENT_ABS_MIN/MAX). */
#define INPUT_EVENT_ABS_MIN    0x0000
#define INPUT_EVENT_ABS_MAX    0x7fff

/* A device that takes input.  @event may be called several times before
 * one @sync that ends the group (a key press, one pointer update). */
typedef void QemuInputHandlerEvent(DeviceState *dev, QemuConsole *src,
                                   InputEvent *evt);
typedef void QemuInputHandlerSync(DeviceState *dev);

typedef struct QemuInputHandler {
    const char *name;
    uint32_t mask;                      /* INPUT_EVENT_MASK_* it takes */
    QemuInputHandlerEvent *event;
    QemuInputHandlerSync *sync;
} QemuInputHandler;

typedef struct QemuInputHandlerState QemuInputHandlerState;

/* Registered handlers are last in the routing order until activated. */
QemuInputHandlerState *qemu_input_handler_register(DeviceState *dev,
                                        const QemuInputHandler *handler);
/* First in line for its kinds (a guest driver started using it). */
void qemu_input_handler_activate(QemuInputHandlerState *s);
/* Back to the end of the line (the driver went away). */
void qemu_input_handler_deactivate(QemuInputHandlerState *s);
void qemu_input_handler_unregister(QemuInputHandlerState *s);
/* Only events from console @con reach it (QEMU binds a device's input to
 * its display this way; the text consoles' keyboard uses it). */
void qemu_input_handler_bind_console(QemuInputHandlerState *s,
                                     QemuConsole *con);

/* The handler events of @mask from @con would reach, or NULL. */
QemuInputHandlerState *qemu_input_find_handler(uint32_t mask,
                                               QemuConsole *con);

/* Deliver one event now (dropped while the VM is not running, as QEMU);
 * qemu_input_event_sync ends the group. */
void qemu_input_event_send(QemuConsole *src, InputEvent *evt);
void qemu_input_event_sync(void);

/* Keys: a press or release, with sync; queued behind a pending delay. */
void qemu_input_event_send_key(QemuConsole *src, KeyValue *key, bool down);
void qemu_input_event_send_key_qcode(QemuConsole *src, QKeyCode q, bool down);
void qemu_input_event_send_key_number(QemuConsole *src, int num, bool down);
/* Later keys wait @delay_ms (0: QEMU's 10 ms) on the virtual clock. */
void qemu_input_event_send_key_delay(uint32_t delay_ms);
/* Whether a shift key is held (the keymap picks keys by it). */
bool qemu_input_shift_held(void);

/* Pointer: queue the parts, then qemu_input_event_sync. */
void qemu_input_queue_btn(QemuConsole *src, InputButton btn, bool down);
/* Change of the button bitmask @old -> @new (bit i: InputButton i). */
void qemu_input_update_buttons(QemuConsole *src, uint32_t *button_map,
                               uint32_t old, uint32_t new);
/* @value in [@min_in, @max_in] scaled to INPUT_EVENT_ABS_MIN..MAX. */
void qemu_input_queue_abs(QemuConsole *src, InputAxis axis, int value,
                          int min_in, int max_in);
void qemu_input_queue_rel(QemuConsole *src, InputAxis axis, int value);
int qemu_input_scale_axis(int value, int min_in, int max_in,
                          int min_out, int max_out);
/* Whether the pointer handler in line takes absolute coordinates. */
bool qemu_input_is_absolute(QemuConsole *con);

/* ---- key code tables (ui/input-keymap.c) ------------------------------ */

/* Q_KEY_CODE_UNMAPPED / 0 where there is none. */
QKeyCode qemu_input_linux_to_qcode(unsigned int lnx);
unsigned int qemu_input_qcode_to_linux(QKeyCode qcode);
/* qnum: QEMU's number for a key, its PC XT (set 1) scancode with the 0xe0
 * prefix folded into bit 7. */
QKeyCode qemu_input_qnum_to_qcode(unsigned int qnum);
unsigned int qemu_input_qcode_to_qnum(QKeyCode qcode);
QKeyCode qemu_input_key_value_to_qcode(const KeyValue *value);
/* asterisk and sysrq name the keys kp_multiply and print: the reverse
 * tables answer those. */
bool qemu_input_qcode_is_alias(QKeyCode qcode);
int qemu_input_key_value_to_number(const KeyValue *value);

/* ---- keymaps for keysyms (ui/keymaps.c, libxkbcommon) ----------------- */

/*
 * -k LAYOUT: QEMU's keymap names (en-us, de, fr, de-ch, pt-br, ja, ...) or
 * an XKB layout name ("us", "de(nodeadkeys)").  Loaded at start-up: an
 * unknown layout is an error then, with QEMU's message.
 */
bool qemu_keymap_select(const char *name, Error **errp);
const char *qemu_keymap_name(void);
/* Whether a layout was selected (-k), not the default: QEMU's VNC then
 * maps keysyms even when the client sends XT keycodes. */
bool qemu_keymap_is_explicit(void);
/* The key producing @keysym, preferring the shifted level when @shift
 * (an uppercase letter is the letter's key).  Q_KEY_CODE_UNMAPPED if none. */
QKeyCode qemu_keymap_keysym_to_qcode(uint32_t keysym, bool shift);
/* What key @qcode types at the shift level given (0 if nothing). */
uint32_t qemu_keymap_qcode_to_keysym(QKeyCode qcode, bool shift);

/* ---- keyboard LEDs (QEMU's qemu_add_led_event_handler) ---------------- */

#define QEMU_SCROLL_LOCK_LED (1 << 0)
#define QEMU_NUM_LOCK_LED    (1 << 1)
#define QEMU_CAPS_LOCK_LED   (1 << 2)

typedef void QEMUPutLEDEvent(void *opaque, int ledstate);
typedef struct QEMUPutLEDEntry QEMUPutLEDEntry;

QEMUPutLEDEntry *qemu_add_led_event_handler(QEMUPutLEDEvent *func,
                                            void *opaque);
void qemu_remove_led_event_handler(QEMUPutLEDEntry *entry);
/* A keyboard device's LEDs changed: tell every display. */
void kbd_put_ledstate(int ledstate);
int kbd_get_ledstate(void);

/* ---- HMP (ui/input.c) ------------------------------------------------- */

void hmp_sendkey(Monitor *mon, const QDict *qdict);
void hmp_mouse_move(Monitor *mon, const QDict *qdict);
void hmp_mouse_button(Monitor *mon, const QDict *qdict);

#endif
