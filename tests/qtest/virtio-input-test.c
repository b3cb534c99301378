/*
 * virtio-keyboard/mouse/tablet-device over qtest: the config space answers
 * each select/subsel as QEMU's devices do, send-key and input-send-event
 * arrive in the eventq as Linux input events (one buffer each, a report
 * ending in SYN_REPORT), a report with no room is dropped, and hostile
 * buffers are guest errors with qcore still serving.  The rings are built
 * by hand (libqvirtio) as Linux's virtio_input driver would.  The names
 * and IDs are QEMU's (hw/input/virtio-input-hid.c); Debian's QEMU has no
 * qtest accelerator to run this against.
 */
#include "libqvirtio.h"
#include <glib/gstdio.h>
#include <linux/input-event-codes.h>
#include <unistd.h>

#define DEV         QVIRTIO_SLOT(7)                 /* the first -device */
#define QSIZE       8
#define RING(q)     (QVIRTIO_DRAM + 0x10000 + 0x4000 * (q))
#define BUF(q, i)   (QVIRTIO_DRAM + 0x100000 + 0x10000 * (q) + 0x100 * (i))

enum { EVTQ, STSQ, NQ };

/* Config select values. */
#define CFG_ID_NAME 0x01
#define CFG_ID_DEVIDS 0x03
#define CFG_EV_BITS 0x11
#define CFG_ABS_INFO 0x12

typedef struct Test {
    QTestState *qts;
    QVirtioDev dev;
    QVirtQueue vq[NQ];
    char *log;
    uint16_t used_seen;
    uint64_t mem;               /* offset of its rings and buffers */
} Test;

static uint32_t rd(Test *t, uint64_t reg)
{
    return qvirtio_readl(&t->dev, reg);
}

static void start(Test *t, const char *device)
{
    t->log = qtest_log_file_new("virtio-input-test");
    t->used_seen = 0;
    t->mem = 0;
    t->qts = qtest_initf("-M virt -bios none -d guest_errors,unimp -D %s "
                         "-global virtio-mmio.force-legacy=off -device %s",
                         t->log, device);
    t->dev = (QVirtioDev) { .qts = t->qts, .base = DEV, .legacy = false };
}

static char *stop(Test *t)
{
    return qtest_quit_log(t->qts, t->log);
}

/* Linux's virtio_input bring-up: no features, both queues. */
static void driver_init(Test *t)
{
    qvirtio_start(&t->dev, 0);
    for (int q = 0; q < NQ; q++) {
        qvirtqueue_setup(&t->dev, &t->vq[q], q, t->mem + RING(q), QSIZE);
    }
    qvirtio_driver_ok(&t->dev);
}

static void post(Test *t, int q, unsigned i, uint64_t addr, uint32_t len,
                 uint16_t flags)
{
    qvirtqueue_set_desc(&t->dev, &t->vq[q], i, addr, len, flags, 0);
    qvirtqueue_kick(&t->dev, &t->vq[q], i);
}

/* A full ring of event buffers, 8 bytes each. */
static void post_event_buffers(Test *t)
{
    for (unsigned i = 0; i < QSIZE; i++) {
        post(t, EVTQ, i, t->mem + BUF(EVTQ, i), 8, F_WRITE);
    }
}

static uint16_t used_idx(Test *t, int q)
{
    return qvirtqueue_used_idx(&t->dev, &t->vq[q]);
}

/* The next event the device wrote to the eventq (type, code, value). */
static void next_event(Test *t, uint16_t *type, uint16_t *code,
                       int32_t *value)
{
    uint16_t n = ++t->used_seen;
    uint32_t id;

    g_assert_cmpuint(used_idx(t, EVTQ), >=, n);
    id = qvirtqueue_used_id(&t->dev, &t->vq[EVTQ], n);
    g_assert_cmpuint(qvirtqueue_used_len(&t->dev, &t->vq[EVTQ], n), ==, 8);
    *type = qtest_readw(t->qts, t->mem + BUF(EVTQ, id));
    *code = qtest_readw(t->qts, t->mem + BUF(EVTQ, id) + 2);
    *value = qtest_readl(t->qts, t->mem + BUF(EVTQ, id) + 4);
    /* Give the buffer back, as the driver does. */
    post(t, EVTQ, id, t->mem + BUF(EVTQ, id), 8, F_WRITE);
}

static void expect_event(Test *t, uint16_t type, uint16_t code, int32_t value)
{
    uint16_t ty, co;
    int32_t va;

    next_event(t, &ty, &co, &va);
    g_assert_cmpuint(ty, ==, type);
    g_assert_cmpuint(co, ==, code);
    g_assert_cmpint(va, ==, value);
}

static void qmp_ok(Test *t, const char *cmd)
{
    QDict *r = qtest_qmp(t->qts, "%s", cmd);

    if (!qdict_haskey(r, "return")) {
        g_error("%s failed", cmd);
    }
    qobject_unref(r);
}

static void select_cfg(Test *t, uint8_t select, uint8_t subsel)
{
    qtest_writeb(t->qts, DEV + CONFIG, select);
    qtest_writeb(t->qts, DEV + CONFIG + 1, subsel);
}

static uint8_t cfg_size(Test *t)
{
    return qtest_readb(t->qts, DEV + CONFIG + 2);
}

static uint8_t cfg_u8(Test *t, unsigned off)
{
    return qtest_readb(t->qts, DEV + CONFIG + 8 + off);
}

static char *cfg_string(Test *t)
{
    unsigned n = cfg_size(t);
    char *s = g_malloc0(n + 1);

    for (unsigned i = 0; i < n; i++) {
        s[i] = cfg_u8(t, i);
    }
    return s;
}

static void test_keyboard_config_answers(void)
{
    Test t;
    g_autofree char *name = NULL;
    g_autofree char *log = NULL;

    start(&t, "virtio-keyboard-device");
    g_assert_cmphex(rd(&t, DEVICE_ID), ==, 18);
    select_cfg(&t, CFG_ID_NAME, 0);
    g_assert_cmpuint(cfg_size(&t), ==, strlen("QEMU Virtio Keyboard") + 1);
    name = cfg_string(&t);
    g_assert_cmpstr(name, ==, "QEMU Virtio Keyboard");
    select_cfg(&t, CFG_ID_DEVIDS, 0);
    g_assert_cmpuint(cfg_size(&t), ==, 8);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 8), ==, 0x06);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 10), ==, 0x0627);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 12), ==, 0x0001);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 14), ==, 0x0001);
    /* Every key QEMU knows, up to KEY_MEDIA (226): 29 bytes. */
    select_cfg(&t, CFG_EV_BITS, EV_KEY);
    g_assert_cmpuint(cfg_size(&t), ==, KEY_MEDIA / 8 + 1);
    g_assert_cmphex(cfg_u8(&t, KEY_A / 8) & (1 << (KEY_A % 8)), !=, 0);
    g_assert_cmphex(cfg_u8(&t, KEY_ESC / 8) & (1 << (KEY_ESC % 8)), !=, 0);
    select_cfg(&t, CFG_EV_BITS, EV_LED);
    g_assert_cmpuint(cfg_size(&t), ==, 1);
    g_assert_cmphex(cfg_u8(&t, 0), ==, 7);
    /* A keyboard has no relative axes: size 0 says so. */
    select_cfg(&t, CFG_EV_BITS, EV_REL);
    g_assert_cmpuint(cfg_size(&t), ==, 0);
    select_cfg(&t, 0x7f, 0x7f);
    g_assert_cmpuint(cfg_size(&t), ==, 0);
    log = stop(&t);
}

static void test_tablet_and_mouse_config_answers(void)
{
    Test t;
    g_autofree char *name = NULL;
    g_autofree char *mname = NULL;

    start(&t, "virtio-tablet-device");
    select_cfg(&t, CFG_ID_NAME, 0);
    name = cfg_string(&t);
    g_assert_cmpstr(name, ==, "QEMU Virtio Tablet");
    select_cfg(&t, CFG_EV_BITS, EV_ABS);
    g_assert_cmphex(cfg_u8(&t, 0), ==, (1 << ABS_X) | (1 << ABS_Y));
    select_cfg(&t, CFG_ABS_INFO, ABS_Y);
    g_assert_cmpuint(cfg_size(&t), ==, 20);
    g_assert_cmphex(qtest_readl(t.qts, DEV + CONFIG + 8), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, DEV + CONFIG + 12), ==, 0x7fff);
    select_cfg(&t, CFG_EV_BITS, EV_KEY);
    g_assert_cmphex(cfg_u8(&t, BTN_LEFT / 8) & (1 << (BTN_LEFT % 8)), !=, 0);
    g_free(stop(&t));

    start(&t, "virtio-mouse-device");
    select_cfg(&t, CFG_ID_NAME, 0);
    mname = cfg_string(&t);
    g_assert_cmpstr(mname, ==, "QEMU Virtio Mouse");
    select_cfg(&t, CFG_EV_BITS, EV_REL);
    g_assert_cmpuint(cfg_size(&t), ==, 2);
    g_assert_cmphex(cfg_u8(&t, 0), ==, (1 << REL_X) | (1 << REL_Y));
    g_assert_cmphex(cfg_u8(&t, 1), ==, 1 << (REL_WHEEL - 8));
    /* Version 2 with the wheel as an axis (QEMU 7.2's default). */
    select_cfg(&t, CFG_ID_DEVIDS, 0);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 12), ==, 0x0002);
    g_assert_cmphex(qtest_readw(t.qts, DEV + CONFIG + 14), ==, 0x0002);
    g_free(stop(&t));
}

static void test_send_key_arrives_in_the_eventq(void)
{
    Test t;

    start(&t, "virtio-keyboard-device");
    driver_init(&t);
    post_event_buffers(&t);
    qmp_ok(&t, "{'execute': 'send-key', 'arguments': {'keys': ["
           "{'type': 'qcode', 'data': 'shift'},"
           "{'type': 'number', 'data': 30}]}}");
    /* The first press at once; each later step after the hold time on
     * the virtual clock, which only qtest moves here. */
    expect_event(&t, EV_KEY, KEY_LEFTSHIFT, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    g_assert_cmpuint(used_idx(&t, EVTQ), ==, 2);
    qtest_clock_step(t.qts, 10 * 1000 * 1000);
    expect_event(&t, EV_KEY, KEY_A, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    qtest_clock_step(t.qts, 10 * 1000 * 1000);
    expect_event(&t, EV_KEY, KEY_A, 0);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    qtest_clock_step(t.qts, 10 * 1000 * 1000);
    expect_event(&t, EV_KEY, KEY_LEFTSHIFT, 0);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    g_free(stop(&t));
}

static void test_input_send_event_reaches_the_tablet(void)
{
    Test t;
    QDict *r;

    start(&t, "virtio-tablet-device");
    /* Before the driver is up the tablet is not in line for events. */
    r = qtest_qmp(t.qts, "{'execute': 'input-send-event', 'arguments': "
                  "{'events': [{'type': 'rel', 'data': "
                  "{'axis': 'x', 'value': 1}}]}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(r, "error"), "desc"), ==,
                    "Input handler not found for event type rel");
    qobject_unref(r);
    driver_init(&t);
    post_event_buffers(&t);
    qmp_ok(&t, "{'execute': 'input-send-event', 'arguments': {'events': ["
           "{'type': 'abs', 'data': {'axis': 'x', 'value': 1000}},"
           "{'type': 'abs', 'data': {'axis': 'y', 'value': 2000}},"
           "{'type': 'btn', 'data': {'button': 'left', 'down': true}}]}}");
    expect_event(&t, EV_ABS, ABS_X, 1000);
    expect_event(&t, EV_ABS, ABS_Y, 2000);
    expect_event(&t, EV_KEY, BTN_LEFT, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    /* The wheel is REL_WHEEL (QEMU 7.2's wheel-axis). */
    qmp_ok(&t, "{'execute': 'input-send-event', 'arguments': {'events': ["
           "{'type': 'btn', 'data': {'button': 'wheel-up', 'down': true}}]}}");
    expect_event(&t, EV_REL, REL_WHEEL, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    g_free(stop(&t));
}

static void hmp_ok(Test *t, const char *line)
{
    QDict *r = qtest_qmp(t->qts, "{'execute': 'human-monitor-command', "
                         "'arguments': {'command-line': '%s'}}", line);

    g_assert_cmpstr(qdict_get_str(r, "return"), ==, "");
    qobject_unref(r);
}

static void test_hmp_mouse_commands_reach_the_mouse(void)
{
    Test t;

    start(&t, "virtio-mouse-device");
    driver_init(&t);
    post_event_buffers(&t);
    hmp_ok(&t, "mouse_move 5 -3");
    expect_event(&t, EV_REL, REL_X, 5);
    expect_event(&t, EV_REL, REL_Y, -3);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    /* HMP's bits: 1 left, 2 right, 4 middle. */
    hmp_ok(&t, "mouse_button 2");
    expect_event(&t, EV_KEY, BTN_RIGHT, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    hmp_ok(&t, "mouse_button 0");
    expect_event(&t, EV_KEY, BTN_RIGHT, 0);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    g_free(stop(&t));
}

static void test_reports_wait_for_buffers(void)
{
    Test t;
    g_autofree char *log = NULL;
    GString *big = g_string_new(NULL);

    start(&t, "virtio-keyboard-device");
    driver_init(&t);
    /* One buffer: a press needs two (the key and the sync), and a report
     * is never split. */
    post(&t, EVTQ, 0, BUF(EVTQ, 0), 8, F_WRITE);
    qmp_ok(&t, "{'execute': 'input-send-event', 'arguments': {'events': ["
           "{'type': 'key', 'data': {'key': {'type': 'qcode', 'data': 'b'},"
           " 'down': true}}]}}");
    g_assert_cmpuint(used_idx(&t, EVTQ), ==, 0);
    /* The second buffer lets the waiting report through. */
    post(&t, EVTQ, 1, BUF(EVTQ, 1), 8, F_WRITE);
    expect_event(&t, EV_KEY, KEY_B, 1);
    expect_event(&t, EV_SYN, SYN_REPORT, 0);

    /* A guest that takes nothing: reports of 7 events pile up to 512
     * events (73 reports), later ones are dropped. */
    g_string_append(big, "{'execute': 'input-send-event', 'arguments': "
                    "{'events': [");
    for (int i = 0; i < 6; i++) {
        g_string_append_printf(big, "%s{'type': 'key', 'data': {'key': "
                               "{'type': 'qcode', 'data': 'c'}, "
                               "'down': %s}}", i ? "," : "",
                               i % 2 ? "false" : "true");
    }
    g_string_append(big, "]}}");
    for (int i = 0; i < 80; i++) {
        qmp_ok(&t, big->str);
    }
    g_assert_cmpuint(used_idx(&t, EVTQ), ==, 2);
    /* Six more buffers (two came back above): the oldest report goes. */
    for (unsigned i = 2; i < QSIZE; i++) {
        post(&t, EVTQ, i, BUF(EVTQ, i), 8, F_WRITE);
    }
    for (int i = 0; i < 6; i++) {
        expect_event(&t, EV_KEY, KEY_C, i % 2 == 0);
    }
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    /* A report larger than the ring (8) could never go: dropped. */
    g_string_truncate(big, 0);
    g_string_append(big, "{'execute': 'input-send-event', 'arguments': "
                    "{'events': [");
    for (int i = 0; i < 9; i++) {
        g_string_append_printf(big, "%s{'type': 'key', 'data': {'key': "
                               "{'type': 'qcode', 'data': 'd'}, "
                               "'down': true}}", i ? "," : "");
    }
    g_string_append(big, "]}}");
    qmp_ok(&t, big->str);
    g_string_free(big, true);
    log = stop(&t);
    g_assert_nonnull(strstr(log, "virtio-input: eventq full, 7 events "
                            "dropped"));
    g_assert_nonnull(strstr(log, "virtio-input: eventq full, 10 events "
                            "dropped"));
}

static void test_hostile_buffers_are_guest_errors(void)
{
    Test t;
    g_autofree char *log = NULL;
    uint8_t led[8] = { EV_LED, 0, LED_CAPSL, 0, 1, 0, 0, 0 };
    uint8_t bad[8] = { 0x99, 0, 0, 0, 1, 0, 0, 0 };
    QDict *r;

    start(&t, "virtio-keyboard-device");
    driver_init(&t);
    /* A read-only event buffer and a short one: written as far as they go. */
    post(&t, EVTQ, 0, BUF(EVTQ, 0), 8, 0);
    post(&t, EVTQ, 1, BUF(EVTQ, 1), 3, F_WRITE);
    qmp_ok(&t, "{'execute': 'send-key', 'arguments': {'keys': ["
           "{'type': 'qcode', 'data': 'x'}]}}");
    g_assert_cmpuint(used_idx(&t, EVTQ), ==, 2);
    g_assert_cmpuint(qvirtqueue_used_len(&t.dev, &t.vq[EVTQ], 1), ==, 0);
    g_assert_cmpuint(qvirtqueue_used_len(&t.dev, &t.vq[EVTQ], 2), ==, 3);
    /* Status: an LED change, an unknown type, a short buffer. */
    qtest_memwrite(t.qts, BUF(STSQ, 0), led, 8);
    qtest_memwrite(t.qts, BUF(STSQ, 1), bad, 8);
    post(&t, STSQ, 0, BUF(STSQ, 0), 8, 0);
    post(&t, STSQ, 1, BUF(STSQ, 1), 8, 0);
    post(&t, STSQ, 2, BUF(STSQ, 1), 2, 0);
    g_assert_cmpuint(used_idx(&t, STSQ), ==, 3);
    /* A buffer outside RAM breaks the device, not qcore. */
    post(&t, EVTQ, 2, 0x1000, 8, F_WRITE);
    post(&t, EVTQ, 3, BUF(EVTQ, 3), 8, F_WRITE);
    qtest_clock_step(t.qts, 100 * 1000 * 1000);
    qmp_ok(&t, "{'execute': 'send-key', 'arguments': {'keys': ["
           "{'type': 'qcode', 'data': 'y'}]}}");
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    r = qtest_qmp(t.qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    log = stop(&t);
    g_assert_nonnull(strstr(log, "eventq buffer of 0 bytes"));
    g_assert_nonnull(strstr(log, "eventq buffer of 3 bytes"));
    g_assert_nonnull(strstr(log, "unknown status event type 153"));
    g_assert_nonnull(strstr(log, "statusq buffer of 2 bytes"));
}

static void test_unmapped_key_number_is_logged_not_typed(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, "virtio-keyboard-device");
    driver_init(&t);
    post_event_buffers(&t);
    qmp_ok(&t, "{'execute': 'input-send-event', 'arguments': {'events': ["
           "{'type': 'key', 'data': {'key': {'type': 'number', "
           "'data': 99999}, 'down': true}}]}}");
    /* Only the report's end, as QEMU sends it: no key. */
    expect_event(&t, EV_SYN, SYN_REPORT, 0);
    g_assert_cmpuint(used_idx(&t, EVTQ), ==, 1);
    log = stop(&t);
    g_assert_nonnull(strstr(log, "unmapped key: 0 [unmapped]"));
}

/* One key press and release from input-send-event with @where. */
static void send_key_to(Test *t, const char *where)
{
    g_autofree char *cmd = g_strdup_printf(
        "{'execute': 'input-send-event', 'arguments': {%s 'events': ["
        "{'type': 'key', 'data': {'down': true, 'key': "
        "{'type': 'qcode', 'data': 'a'}}}]}}", where);

    qmp_ok(t, cmd);
}

/*
 * display=/head= (QEMU 7.2's properties of the virtio-input HID devices):
 * keyboard A bound to head 1 of a two-head virtio-gpu takes that head's
 * events only; keyboard B, unbound and the last driver up (so first in
 * line), takes the rest.  Unbound, A would see nothing.  A display that
 * does not exist is ignored as QEMU ignores it.
 */
static void test_display_binds_to_a_head(void)
{
    Test a, b;

    a.log = qtest_log_file_new("virtio-input-test");
    a.used_seen = 0;
    a.mem = 0;
    a.qts = qtest_initf("-M virt -bios none -D %s "
                        "-global virtio-mmio.force-legacy=off "
                        "-device virtio-gpu-device,id=gpu0,max_outputs=2 "
                        "-device virtio-keyboard-device,display=gpu0,head=1 "
                        "-device virtio-keyboard-device,display=nothing",
                        a.log);
    a.dev = (QVirtioDev) { .qts = a.qts, .base = QVIRTIO_SLOT(6) };
    b = a;
    b.dev.base = QVIRTIO_SLOT(5);
    b.mem = 0x400000;
    driver_init(&a);
    post_event_buffers(&a);
    driver_init(&b);
    post_event_buffers(&b);

    send_key_to(&a, "'device': 'gpu0', 'head': 1,");
    expect_event(&a, EV_KEY, KEY_A, 1);
    expect_event(&a, EV_SYN, SYN_REPORT, 0);
    send_key_to(&a, "'device': 'gpu0', 'head': 0,");
    send_key_to(&a, "");
    expect_event(&b, EV_KEY, KEY_A, 1);
    expect_event(&b, EV_SYN, SYN_REPORT, 0);
    expect_event(&b, EV_KEY, KEY_A, 1);
    expect_event(&b, EV_SYN, SYN_REPORT, 0);
    /* And nothing more reached A. */
    g_assert_cmpuint(used_idx(&a, EVTQ), ==, 2);
    g_free(stop(&a));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-input/keyboard-config",
                   test_keyboard_config_answers);
    g_test_add_func("/virtio-input/tablet-mouse-config",
                   test_tablet_and_mouse_config_answers);
    g_test_add_func("/virtio-input/send-key", test_send_key_arrives_in_the_eventq);
    g_test_add_func("/virtio-input/input-send-event",
                   test_input_send_event_reaches_the_tablet);
    g_test_add_func("/virtio-input/hmp-mouse",
                    test_hmp_mouse_commands_reach_the_mouse);
    g_test_add_func("/virtio-input/wait-for-buffers",
                    test_reports_wait_for_buffers);
    g_test_add_func("/virtio-input/hostile", test_hostile_buffers_are_guest_errors);
    g_test_add_func("/virtio-input/display-binds-to-a-head",
                    test_display_binds_to_a_head);
    g_test_add_func("/virtio-input/unmapped",
                   test_unmapped_key_number_is_logged_not_typed);
    return g_test_run();
}
