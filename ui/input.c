/*
 * The input core: handler registration and routing, the key queue behind
 * send-key's hold-time, keyboard LED notifiers, and the QMP/HMP commands
 * that inject input.  Corresponds to QEMU's ui/input.c and the parts of
 * ui/input-legacy.c and monitor/hmp-cmds.c that still matter.
 *
 * Everything runs in the main loop with the BQL held (input.h).
 */
#include "qcore/osdep.h"
#include "qcore/input.h"
#include "qcore/console.h"
#include "qcore/hw/qdev.h"
#include "qcore/monitor.h"
#include "qcore/object.h"
#include "qcore/qobject.h"
#include "qcore/queue.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include "qapi/qapi-commands.h"
#include "qapi/util.h"

struct QemuInputHandlerState {
    DeviceState *dev;
    const QemuInputHandler *handler;
    QemuConsole *con;           /* NULL: takes events from any console */
    int events;                 /* sent since the last sync */
    QTAILQ_ENTRY(QemuInputHandlerState) node;
};

/* The routing order: first is the most recently activated (BQL). */
static QTAILQ_HEAD(, QemuInputHandlerState) handlers =
    QTAILQ_HEAD_INITIALIZER(handlers);

/* ---- handlers --------------------------------------------------------- */

QemuInputHandlerState *qemu_input_handler_register(DeviceState *dev,
                                        const QemuInputHandler *handler)
{
    QemuInputHandlerState *s = g_new0(QemuInputHandlerState, 1);

    s->dev = dev;
    s->handler = handler;
    QTAILQ_INSERT_TAIL(&handlers, s, node);
    return s;
}

void qemu_input_handler_activate(QemuInputHandlerState *s)
{
    QTAILQ_REMOVE(&handlers, s, node);
    QTAILQ_INSERT_HEAD(&handlers, s, node);
}

void qemu_input_handler_deactivate(QemuInputHandlerState *s)
{
    QTAILQ_REMOVE(&handlers, s, node);
    QTAILQ_INSERT_TAIL(&handlers, s, node);
}

void qemu_input_handler_unregister(QemuInputHandlerState *s)
{
    if (s) {
        QTAILQ_REMOVE(&handlers, s, node);
        g_free(s);
    }
}

void qemu_input_handler_bind_console(QemuInputHandlerState *s,
                                     QemuConsole *con)
{
    s->con = con;
}

/*
 * A handler bound to the source console wins over the unbound ones, as
 * in QEMU.  Events without a source (the monitor's) come from the active
 * console: so send-key types into a text console while one is shown.
 */
QemuInputHandlerState *qemu_input_find_handler(uint32_t mask,
                                               QemuConsole *con)
{
    QemuInputHandlerState *s;

    if (!con) {
        con = qemu_console_active();
    }
    QTAILQ_FOREACH(s, &handlers, node) {
        if (s->con && s->con == con && (s->handler->mask & mask)) {
            return s;
        }
    }
    QTAILQ_FOREACH(s, &handlers, node) {
        if (!s->con && (s->handler->mask & mask)) {
            return s;
        }
    }
    return NULL;
}

/* ---- events ----------------------------------------------------------- */

static bool shift_l, shift_r;

static void track_modifiers(InputEvent *evt)
{
    QKeyCode q;

    if (evt->type != INPUT_EVENT_KIND_KEY) {
        return;
    }
    q = qemu_input_key_value_to_qcode(evt->u.key.data->key);
    if (q == Q_KEY_CODE_SHIFT) {
        shift_l = evt->u.key.data->down;
    } else if (q == Q_KEY_CODE_SHIFT_R) {
        shift_r = evt->u.key.data->down;
    }
}

bool qemu_input_shift_held(void)
{
    return shift_l || shift_r;
}

static void input_event_send_impl(QemuConsole *src, InputEvent *evt)
{
    QemuInputHandlerState *s;

    track_modifiers(evt);
    s = qemu_input_find_handler(1u << evt->type, src);
    if (!s || !s->handler->event) {
        return;
    }
    s->handler->event(s->dev, src, evt);
    s->events++;
}

void qemu_input_event_send(QemuConsole *src, InputEvent *evt)
{
    /* A stopped guest takes no input (QEMU drops it too). */
    if (!runstate_is_running() && !runstate_check(RUN_STATE_SUSPENDED)) {
        return;
    }
    input_event_send_impl(src, evt);
}

void qemu_input_event_sync(void)
{
    QemuInputHandlerState *s;

    if (!runstate_is_running() && !runstate_check(RUN_STATE_SUSPENDED)) {
        return;
    }
    QTAILQ_FOREACH(s, &handlers, node) {
        if (s->events) {
            if (s->handler->sync) {
                s->handler->sync(s->dev);
            }
            s->events = 0;
        }
    }
}

/* ---- the key queue (send-key's hold-time) ------------------------------ */

typedef enum { QUEUE_DELAY, QUEUE_EVENT, QUEUE_SYNC } QueueType;

typedef struct QueueItem {
    QueueType type;
    uint32_t delay_ms;
    QemuConsole *src;
    InputEvent *evt;
    QTAILQ_ENTRY(QueueItem) node;
} QueueItem;

/* QEMU's bound: keys past it are dropped, the queue never grows more. */
#define KBD_QUEUE_LIMIT 1024
#define KBD_DEFAULT_DELAY_MS 10

/* BQL; the head is always a delay while the timer is armed. */
static QTAILQ_HEAD(, QueueItem) kbd_queue = QTAILQ_HEAD_INITIALIZER(kbd_queue);
static unsigned kbd_queue_count;
static QEMUTimer *kbd_timer;

static void queue_add(QueueType type, uint32_t delay_ms, QemuConsole *src,
                      InputEvent *evt)
{
    QueueItem *item = g_new0(QueueItem, 1);

    item->type = type;
    item->delay_ms = delay_ms;
    item->src = src;
    item->evt = evt;
    QTAILQ_INSERT_TAIL(&kbd_queue, item, node);
    kbd_queue_count++;
}

static void queue_pop(QueueItem *item)
{
    QTAILQ_REMOVE(&kbd_queue, item, node);
    kbd_queue_count--;
    g_free(item);
}

/* The delay at the head expired: deliver up to the next one. */
static void kbd_queue_process(void *opaque)
{
    QueueItem *item = QTAILQ_FIRST(&kbd_queue);

    assert(item && item->type == QUEUE_DELAY);
    queue_pop(item);
    while ((item = QTAILQ_FIRST(&kbd_queue))) {
        switch (item->type) {
        case QUEUE_DELAY:
            timer_mod(kbd_timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                      item->delay_ms);
            return;
        case QUEUE_EVENT:
            qemu_input_event_send(item->src, item->evt);
            qapi_free_InputEvent(item->evt);
            break;
        case QUEUE_SYNC:
            qemu_input_event_sync();
            break;
        }
        queue_pop(item);
    }
}

void qemu_input_event_send_key_delay(uint32_t delay_ms)
{
    bool start;

    if (!kbd_timer) {
        kbd_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, kbd_queue_process, NULL);
    }
    if (kbd_queue_count >= KBD_QUEUE_LIMIT) {
        return;
    }
    start = QTAILQ_EMPTY(&kbd_queue);
    delay_ms = delay_ms ? delay_ms : KBD_DEFAULT_DELAY_MS;
    queue_add(QUEUE_DELAY, delay_ms, NULL, NULL);
    if (start) {
        timer_mod(kbd_timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + delay_ms);
    }
}

static InputEvent *key_event_new(KeyValue *key, bool down)
{
    InputEvent *evt = g_new0(InputEvent, 1);

    evt->type = INPUT_EVENT_KIND_KEY;
    evt->u.key.data = g_new0(InputKeyEvent, 1);
    evt->u.key.data->key = key;
    evt->u.key.data->down = down;
    return evt;
}

/* Takes @key. */
void qemu_input_event_send_key(QemuConsole *src, KeyValue *key, bool down)
{
    InputEvent *evt = key_event_new(key, down);

    if (QTAILQ_EMPTY(&kbd_queue)) {
        qemu_input_event_send(src, evt);
        qemu_input_event_sync();
        qapi_free_InputEvent(evt);
    } else if (kbd_queue_count < KBD_QUEUE_LIMIT) {
        queue_add(QUEUE_EVENT, 0, src, evt);
        queue_add(QUEUE_SYNC, 0, NULL, NULL);
    } else {
        qapi_free_InputEvent(evt);
    }
}

void qemu_input_event_send_key_qcode(QemuConsole *src, QKeyCode q, bool down)
{
    KeyValue *key = g_new0(KeyValue, 1);

    key->type = KEY_VALUE_KIND_QCODE;
    key->u.qcode.data = q;
    qemu_input_event_send_key(src, key, down);
}

void qemu_input_event_send_key_number(QemuConsole *src, int num, bool down)
{
    KeyValue *key = g_new0(KeyValue, 1);

    key->type = KEY_VALUE_KIND_NUMBER;
    key->u.number.data = num;
    qemu_input_event_send_key(src, key, down);
}

/* ---- pointer ---------------------------------------------------------- */

void qemu_input_queue_btn(QemuConsole *src, InputButton btn, bool down)
{
    InputBtnEvent bevt = { .button = btn, .down = down };
    InputEvent evt = { .type = INPUT_EVENT_KIND_BTN, .u.btn.data = &bevt };

    qemu_input_event_send(src, &evt);
}

void qemu_input_update_buttons(QemuConsole *src, uint32_t *button_map,
                               uint32_t old, uint32_t new)
{
    for (int btn = 0; btn < INPUT_BUTTON__MAX; btn++) {
        uint32_t mask = button_map[btn];

        if (mask && ((old ^ new) & mask)) {
            qemu_input_queue_btn(src, btn, new & mask);
        }
    }
}

int qemu_input_scale_axis(int value, int min_in, int max_in,
                          int min_out, int max_out)
{
    int64_t range_in = (int64_t)max_in - min_in;
    int64_t range_out = (int64_t)max_out - min_out;

    if (range_in < 1) {
        return min_out + range_out / 2;
    }
    return ((int64_t)value - min_in) * range_out / range_in + min_out;
}

void qemu_input_queue_abs(QemuConsole *src, InputAxis axis, int value,
                          int min_in, int max_in)
{
    InputMoveEvent move = {
        .axis = axis,
        .value = qemu_input_scale_axis(value, min_in, max_in,
                                       INPUT_EVENT_ABS_MIN,
                                       INPUT_EVENT_ABS_MAX),
    };
    InputEvent evt = { .type = INPUT_EVENT_KIND_ABS, .u.abs.data = &move };

    qemu_input_event_send(src, &evt);
}

void qemu_input_queue_rel(QemuConsole *src, InputAxis axis, int value)
{
    InputMoveEvent move = { .axis = axis, .value = value };
    InputEvent evt = { .type = INPUT_EVENT_KIND_REL, .u.rel.data = &move };

    qemu_input_event_send(src, &evt);
}

bool qemu_input_is_absolute(QemuConsole *con)
{
    QemuInputHandlerState *s =
        qemu_input_find_handler(INPUT_EVENT_MASK_REL | INPUT_EVENT_MASK_ABS,
                                con);

    return s && (s->handler->mask & INPUT_EVENT_MASK_ABS);
}

/* ---- keyboard LEDs ----------------------------------------------------- */

struct QEMUPutLEDEntry {
    QEMUPutLEDEvent *put_led;
    void *opaque;
    QTAILQ_ENTRY(QEMUPutLEDEntry) next;
};

static QTAILQ_HEAD(, QEMUPutLEDEntry) led_handlers =
    QTAILQ_HEAD_INITIALIZER(led_handlers);
static int led_state;

QEMUPutLEDEntry *qemu_add_led_event_handler(QEMUPutLEDEvent *func,
                                            void *opaque)
{
    QEMUPutLEDEntry *e = g_new0(QEMUPutLEDEntry, 1);

    e->put_led = func;
    e->opaque = opaque;
    QTAILQ_INSERT_TAIL(&led_handlers, e, next);
    return e;
}

void qemu_remove_led_event_handler(QEMUPutLEDEntry *entry)
{
    if (entry) {
        QTAILQ_REMOVE(&led_handlers, entry, next);
        g_free(entry);
    }
}

void kbd_put_ledstate(int ledstate)
{
    QEMUPutLEDEntry *e, *next;

    led_state = ledstate;
    QTAILQ_FOREACH_SAFE(e, &led_handlers, next, next) {
        e->put_led(e->opaque, ledstate);
    }
}

int kbd_get_ledstate(void)
{
    return led_state;
}

/* ---- QMP ---------------------------------------------------------------- */

static KeyValue *key_value_copy(const KeyValue *v)
{
    KeyValue *c = g_new0(KeyValue, 1);

    *c = *v;
    return c;
}

void qmp_send_key(KeyValueList *keys, bool has_hold_time, int64_t hold_time,
                  Error **errp)
{
    g_autoptr(GPtrArray) up = g_ptr_array_new();

    if (!has_hold_time) {
        hold_time = 0;          /* the default delay */
    }
    /* Press in order, each held @hold_time ms, release in reverse. */
    for (KeyValueList *p = keys; p; p = p->next) {
        qemu_input_event_send_key(NULL, key_value_copy(p->value), true);
        qemu_input_event_send_key_delay(hold_time);
        g_ptr_array_add(up, p->value);
    }
    for (int i = up->len - 1; i >= 0; i--) {
        qemu_input_event_send_key(NULL, key_value_copy(up->pdata[i]), false);
        qemu_input_event_send_key_delay(hold_time);
    }
}

void qmp_input_send_event(const char *device, bool has_head, int64_t head,
                          InputEventList *events, Error **errp)
{
    QemuConsole *con = NULL;

    if (device) {
        con = qemu_console_lookup_by_device_name(device, has_head ? head : 0,
                                                 errp);
        if (!con) {
            return;
        }
    }
    if (!runstate_is_running() && !runstate_check(RUN_STATE_SUSPENDED)) {
        error_setg(errp, "VM not running");
        return;
    }
    for (InputEventList *e = events; e; e = e->next) {
        if (!qemu_input_find_handler(1u << e->value->type, con)) {
            error_setg(errp, "Input handler not found for event type %s",
                       InputEventKind_str(e->value->type));
            return;
        }
    }
    for (InputEventList *e = events; e; e = e->next) {
        input_event_send_impl(con, e->value);
    }
    qemu_input_event_sync();
}

/* ---- HMP ---------------------------------------------------------------- */

/* An HMP integer argument (QEMU's expression, reduced to a number). */
static bool hmp_get_int(Monitor *mon, const char *s, long *val)
{
    char *end;

    errno = 0;
    *val = strtol(s, &end, 0);
    if (end == s || errno) {
        monitor_printf(mon, "invalid char '%c' in expression\n",
                       *end ? *end : ' ');
        return false;
    }
    if (*end) {
        monitor_printf(mon, "invalid char '%c' in expression\n", *end);
        return false;
    }
    return true;
}

void hmp_sendkey(Monitor *mon, const QDict *qdict)
{
    const char *keys = qdict_get_str(qdict, "keys");
    const char *hold = qdict_get_try_str(qdict, "hold-time");
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) names = g_strsplit(keys, "-", -1);
    KeyValueList *head = NULL, **tail = &head;
    Error *err = NULL;
    long hold_time = 0;

    if (hold && !hmp_get_int(mon, hold, &hold_time)) {
        return;
    }
    for (int i = 0; names[i]; i++) {
        const char *name = names[i];
        KeyValue v = { 0 };

        if (g_str_has_prefix(name, "0x")) {
            char *end;
            unsigned long n = strtoul(name, &end, 0);

            if (*end || end == name + 2) {
                goto invalid;
            }
            v.type = KEY_VALUE_KIND_NUMBER;
            v.u.number.data = n;
        } else {
            int q = qapi_enum_parse(&QKeyCode_lookup, name, -1, NULL);

            if (q < 0) {
                goto invalid;
            }
            v.type = KEY_VALUE_KIND_QCODE;
            v.u.qcode.data = q;
        }
        g_ptr_array_add(list, key_value_copy(&v));
        continue;
invalid:
        monitor_printf(mon, "invalid parameter: %s\n", name);
        return;
    }
    for (unsigned i = 0; i < list->len; i++) {
        KeyValueList *node = g_new0(KeyValueList, 1);

        node->value = list->pdata[i];
        *tail = node;
        tail = &node->next;
    }
    qmp_send_key(head, hold != NULL, hold_time, &err);
    for (KeyValueList *p = head, *next; p; p = next) {
        next = p->next;
        g_free(p);              /* the values belong to @list */
    }
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

void hmp_mouse_move(Monitor *mon, const QDict *qdict)
{
    const char *dz_str = qdict_get_try_str(qdict, "dz_str");
    /* Plain strings read with strtol, as QEMU's (no error for junk). */
    long dx = strtol(qdict_get_str(qdict, "dx_str"), NULL, 0);
    long dy = strtol(qdict_get_str(qdict, "dy_str"), NULL, 0);
    long dz = dz_str ? strtol(dz_str, NULL, 0) : 0;

    qemu_input_queue_rel(NULL, INPUT_AXIS_X, dx);
    qemu_input_queue_rel(NULL, INPUT_AXIS_Y, dy);
    if (dz) {
        /* The wheel is a button: one click whatever |dz| is (QEMU's). */
        InputButton b = dz > 0 ? INPUT_BUTTON_WHEEL_UP
                               : INPUT_BUTTON_WHEEL_DOWN;

        qemu_input_queue_btn(NULL, b, true);
        qemu_input_event_sync();
        qemu_input_queue_btn(NULL, b, false);
    }
    qemu_input_event_sync();
}

/* HMP's button bits: 1 left, 2 right, 4 middle (QEMU's MOUSE_EVENT_*). */
void hmp_mouse_button(Monitor *mon, const QDict *qdict)
{
    static uint32_t bmap[INPUT_BUTTON__MAX] = {
        [INPUT_BUTTON_LEFT] = 0x01,
        [INPUT_BUTTON_RIGHT] = 0x02,
        [INPUT_BUTTON_MIDDLE] = 0x04,
    };
    static uint32_t state;
    long val;

    if (!hmp_get_int(mon, qdict_get_str(qdict, "button_state"), &val)) {
        return;
    }
    if ((uint32_t)val == state) {
        return;
    }
    qemu_input_update_buttons(NULL, bmap, state, val);
    qemu_input_event_sync();
    state = val;
}
