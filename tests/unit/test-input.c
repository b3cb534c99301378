/*
 * Unit tests of the input core (ui/input.c): the QKeyCode tables agree
 * in both directions with Linux's codes and QEMU's qnums, the -k keymap
 * turns keysyms into the keys a user of that layout presses, and events
 * reach the handler QEMU's routing picks.
 */
#include "qcore/osdep.h"
#include "qcore/input.h"
#include "qcore/runstate.h"
#include "qcore/main-loop.h"
#include <linux/input-event-codes.h>

static bool is_alias(QKeyCode q)
{
    bool alias = q == Q_KEY_CODE_ASTERISK || q == Q_KEY_CODE_SYSRQ;

    g_assert_cmpint(qemu_input_qcode_is_alias(q), ==, alias);
    return alias;
}

static void test_every_qcode_has_a_linux_code_and_back(void)
{
    for (int q = 1; q < Q_KEY_CODE__MAX; q++) {
        unsigned lnx = qemu_input_qcode_to_linux(q);

        g_assert_cmpuint(lnx, !=, 0);
        if (!is_alias(q)) {
            g_assert_cmpstr(QKeyCode_str(qemu_input_linux_to_qcode(lnx)), ==,
                            QKeyCode_str(q));
        }
    }
    g_assert_cmpint(qemu_input_linux_to_qcode(0), ==, Q_KEY_CODE_UNMAPPED);
    g_assert_cmpint(qemu_input_linux_to_qcode(KEY_MAX), ==,
                    Q_KEY_CODE_UNMAPPED);
}

static void test_every_qcode_has_a_qnum_and_back(void)
{
    for (int q = 1; q < Q_KEY_CODE__MAX; q++) {
        unsigned qnum = qemu_input_qcode_to_qnum(q);

        g_assert_cmpuint(qnum, !=, 0);
        if (!is_alias(q)) {
            g_assert_cmpstr(QKeyCode_str(qemu_input_qnum_to_qcode(qnum)), ==,
                            QKeyCode_str(q));
        }
    }
    g_assert_cmpint(qemu_input_qnum_to_qcode(0x1000), ==,
                    Q_KEY_CODE_UNMAPPED);
}

/* Known values a reader can check against a PC keyboard. */
static void test_tables_match_known_keys(void)
{
    g_assert_cmpuint(qemu_input_qcode_to_linux(Q_KEY_CODE_A), ==, KEY_A);
    g_assert_cmpuint(qemu_input_qcode_to_qnum(Q_KEY_CODE_A), ==, 0x1e);
    /* 0xe0-prefixed keys have bit 7 set in a qnum. */
    g_assert_cmpuint(qemu_input_qcode_to_qnum(Q_KEY_CODE_KP_ENTER), ==, 0x9c);
    g_assert_cmpuint(qemu_input_qcode_to_qnum(Q_KEY_CODE_UP), ==, 0xc8);
    g_assert_cmpuint(qemu_input_qcode_to_linux(Q_KEY_CODE_ALT_R), ==,
                     KEY_RIGHTALT);
    g_assert_cmpint(qemu_input_linux_to_qcode(KEY_KPASTERISK), ==,
                    Q_KEY_CODE_KP_MULTIPLY);
}

static void test_key_value_number_is_a_qnum(void)
{
    KeyValue v = { .type = KEY_VALUE_KIND_NUMBER, .u.number.data = 0x1c };

    g_assert_cmpint(qemu_input_key_value_to_qcode(&v), ==, Q_KEY_CODE_RET);
    v.u.number.data = -1;
    g_assert_cmpint(qemu_input_key_value_to_qcode(&v), ==,
                    Q_KEY_CODE_UNMAPPED);
}

static void test_keymap_en_us(void)
{
    g_assert_true(qemu_keymap_select("en-us", &error_abort));
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('a', false), ==, Q_KEY_CODE_A);
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('A', true), ==, Q_KEY_CODE_A);
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('!', true), ==, Q_KEY_CODE_1);
    g_assert_cmpint(qemu_keymap_keysym_to_qcode(0xff0d, false), ==,
                    Q_KEY_CODE_RET);                       /* Return */
    /* '<' with shift held is shift+comma, not the pc105 extra key. */
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('<', true), ==,
                    Q_KEY_CODE_COMMA);
    g_assert_cmpint(qemu_keymap_keysym_to_qcode(0x20ac, false), ==,
                    Q_KEY_CODE_UNMAPPED);                  /* EuroSign */
    g_assert_cmpuint(qemu_keymap_qcode_to_keysym(Q_KEY_CODE_1, true), ==, '!');
    g_assert_cmpuint(qemu_keymap_qcode_to_keysym(Q_KEY_CODE_Z, false), ==,
                     'z');
    g_assert_true(qemu_keymap_is_explicit());
}

static void test_keymap_de_is_qwertz(void)
{
    g_assert_true(qemu_keymap_select("de", &error_abort));
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('z', false), ==, Q_KEY_CODE_Y);
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('y', false), ==, Q_KEY_CODE_Z);
    g_assert_cmpuint(qemu_keymap_qcode_to_keysym(Q_KEY_CODE_Y, false), ==,
                     'z');
    /* QEMU's two-part names map to an XKB layout and variant. */
    g_assert_true(qemu_keymap_select("fr-ch", &error_abort));
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('z', false), ==, Q_KEY_CODE_Y);
    g_assert_true(qemu_keymap_select("en-us", &error_abort));
}

static void test_keymap_unknown_layout_is_an_error(void)
{
    Error *err = NULL;

    g_assert_false(qemu_keymap_select("no-such-layout", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "could not read keymap file: 'no-such-layout'");
    error_free(err);
    err = NULL;
    g_assert_false(qemu_keymap_select("../../etc/passwd", &err));
    error_free(err);
    /* The layout in use is unchanged. */
    g_assert_cmpint(qemu_keymap_keysym_to_qcode('z', false), ==, Q_KEY_CODE_Z);
}

/* ---- routing ------------------------------------------------------------ */

typedef struct Seen {
    int events, syncs;
    InputEventKind last_kind;
    int last_value;
} Seen;

static Seen seen_a, seen_b;

static void record(Seen *s, InputEvent *evt)
{
    s->events++;
    s->last_kind = evt->type;
    if (evt->type == INPUT_EVENT_KIND_ABS) {
        s->last_value = evt->u.abs.data->value;
    } else if (evt->type == INPUT_EVENT_KIND_KEY) {
        s->last_value = qemu_input_key_value_to_qcode(evt->u.key.data->key);
    }
}

static void event_a(DeviceState *dev, QemuConsole *src, InputEvent *evt)
{
    record(&seen_a, evt);
}

static void event_b(DeviceState *dev, QemuConsole *src, InputEvent *evt)
{
    record(&seen_b, evt);
}

static void sync_a(DeviceState *dev)
{
    seen_a.syncs++;
}

static void sync_b(DeviceState *dev)
{
    seen_b.syncs++;
}

static const QemuInputHandler kbd_a = {
    "a", INPUT_EVENT_MASK_KEY, event_a, sync_a,
};
static const QemuInputHandler tablet_b = {
    "b", INPUT_EVENT_MASK_KEY | INPUT_EVENT_MASK_ABS | INPUT_EVENT_MASK_BTN,
    event_b, sync_b,
};

static void test_last_activated_handler_gets_the_events(void)
{
    QemuInputHandlerState *a, *b;

    runstate_set(RUN_STATE_RUNNING);
    memset(&seen_a, 0, sizeof(seen_a));
    memset(&seen_b, 0, sizeof(seen_b));
    a = qemu_input_handler_register(NULL, &kbd_a);
    b = qemu_input_handler_register(NULL, &tablet_b);
    /* Neither activated: registration order. */
    qemu_input_event_send_key_qcode(NULL, Q_KEY_CODE_Q, true);
    g_assert_cmpint(seen_a.events, ==, 1);
    g_assert_cmpint(seen_a.syncs, ==, 1);
    g_assert_cmpint(seen_a.last_value, ==, Q_KEY_CODE_Q);
    qemu_input_handler_activate(b);
    qemu_input_event_send_key_number(NULL, 0x10, false);
    g_assert_cmpint(seen_b.events, ==, 1);
    g_assert_cmpint(seen_b.last_value, ==, Q_KEY_CODE_Q);
    g_assert_cmpint(seen_a.events, ==, 1);
    /* Only b takes absolute moves, scaled to 0..0x7fff. */
    g_assert_true(qemu_input_is_absolute(NULL));
    qemu_input_queue_abs(NULL, INPUT_AXIS_X, 50, 0, 100);
    qemu_input_event_sync();
    g_assert_cmpint(seen_b.last_kind, ==, INPUT_EVENT_KIND_ABS);
    g_assert_cmpint(seen_b.last_value, ==, 0x7fff / 2);
    g_assert_cmpint(seen_b.syncs, ==, 2);
    g_assert_cmpint(seen_a.syncs, ==, 1);      /* no events: no sync */
    qemu_input_handler_deactivate(b);
    qemu_input_event_send_key_qcode(NULL, Q_KEY_CODE_W, true);
    g_assert_cmpint(seen_a.events, ==, 2);
    /* Nothing takes relative moves. */
    g_assert_null(qemu_input_find_handler(INPUT_EVENT_MASK_REL, NULL));
    /* A stopped guest gets nothing. */
    runstate_set(RUN_STATE_PAUSED);
    qemu_input_event_send_key_qcode(NULL, Q_KEY_CODE_E, true);
    g_assert_cmpint(seen_a.events, ==, 2);
    runstate_set(RUN_STATE_RUNNING);
    qemu_input_handler_unregister(a);
    qemu_input_handler_unregister(b);
    g_assert_null(qemu_input_find_handler(INPUT_EVENT_MASK_KEY, NULL));
}

static void test_button_changes_are_sent_once(void)
{
    static uint32_t map[INPUT_BUTTON__MAX] = {
        [INPUT_BUTTON_LEFT] = 1, [INPUT_BUTTON_RIGHT] = 4,
    };
    QemuInputHandlerState *b = qemu_input_handler_register(NULL, &tablet_b);

    runstate_set(RUN_STATE_RUNNING);
    memset(&seen_b, 0, sizeof(seen_b));
    qemu_input_update_buttons(NULL, map, 0, 5);
    g_assert_cmpint(seen_b.events, ==, 2);
    qemu_input_update_buttons(NULL, map, 5, 4);
    g_assert_cmpint(seen_b.events, ==, 3);
    qemu_input_handler_unregister(b);
}

static int leds_seen = -1;

static void put_led(void *opaque, int state)
{
    leds_seen = state;
}

static void test_led_state_reaches_every_display(void)
{
    QEMUPutLEDEntry *e = qemu_add_led_event_handler(put_led, NULL);

    kbd_put_ledstate(QEMU_CAPS_LOCK_LED);
    g_assert_cmpint(leds_seen, ==, QEMU_CAPS_LOCK_LED);
    g_assert_cmpint(kbd_get_ledstate(), ==, QEMU_CAPS_LOCK_LED);
    qemu_remove_led_event_handler(e);
    kbd_put_ledstate(0);
    g_assert_cmpint(leds_seen, ==, QEMU_CAPS_LOCK_LED);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* The input core runs under the BQL, as in the main loop. */
    bql_lock();
    g_test_add_func("/input/tables/linux-both-ways",
                    test_every_qcode_has_a_linux_code_and_back);
    g_test_add_func("/input/tables/qnum-both-ways",
                    test_every_qcode_has_a_qnum_and_back);
    g_test_add_func("/input/tables/known-keys", test_tables_match_known_keys);
    g_test_add_func("/input/tables/number-is-qnum",
                    test_key_value_number_is_a_qnum);
    g_test_add_func("/input/keymap/en-us", test_keymap_en_us);
    g_test_add_func("/input/keymap/de-is-qwertz", test_keymap_de_is_qwertz);
    g_test_add_func("/input/keymap/unknown-layout",
                    test_keymap_unknown_layout_is_an_error);
    g_test_add_func("/input/routing/last-activated",
                    test_last_activated_handler_gets_the_events);
    g_test_add_func("/input/routing/buttons", test_button_changes_are_sent_once);
    g_test_add_func("/input/leds", test_led_state_reaches_every_display);
    return g_test_run();
}
