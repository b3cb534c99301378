/*
 * virtio-mmio and the virtio core over qtest, with virtio-rng-device in
 * the virt board's highest slot: the registers a driver probes, a
 * request round trip (modern and legacy layouts, main loop and IOThread),
 * and the guest errors a hostile driver can cause (a loop in a chain, an
 * indirect table or a buffer outside RAM, bad indices), each a logged
 * guest error, the device marked NEEDS_RESET and qcore still serving.
 * The rings are built by hand in guest RAM, as a driver would.  QEMU's
 * counterparts: tests/qtest/virtio-rng-test.c, libqos/virtio-mmio.c.
 */
#include "libqvirtio.h"
#include <glib/gstdio.h>

#define DRAM        QVIRTIO_DRAM
#define RAM_SIZE    (128 * 1024 * 1024ULL)
#define SLOT(i)     QVIRTIO_SLOT(i)
#define RNG         SLOT(7)     /* the first -device lands in the last slot */
#define RNG_IRQ     8

/* Guest RAM layout of the test's queue. */
#define RING        (DRAM + 0x10000)
#define BUF         (DRAM + 0x20000)
#define QSIZE       8

typedef struct Test {
    QTestState *qts;
    char *log;
    QVirtioDev dev;
    QVirtQueue vq;
} Test;

static void start(Test *t, bool legacy, const char *extra)
{
    g_autofree char *plic = NULL;

    t->log = qtest_log_file_new("virtio-mmio-test");
    t->qts = qtest_initf("-M virt -bios none -d guest_errors -D %s "
                         "-global virtio-mmio.force-legacy=%s %s "
                         "-device virtio-rng-device", t->log,
                         legacy ? "on" : "off", extra ? extra : "");
    t->dev = (QVirtioDev){ .qts = t->qts, .base = RNG, .legacy = legacy };
    plic = qtest_qom_find(t->qts, "/machine/unattached", "riscv.sifive.plic");
    qtest_irq_intercept_in(t->qts, plic);
}

/* Quit and return what -d guest_errors logged (caller frees). */
static char *stop(Test *t)
{
    return qtest_quit_log(t->qts, t->log);
}

static uint32_t rd(Test *t, uint64_t reg)
{
    return qvirtio_readl(&t->dev, reg);
}

static void wr(Test *t, uint64_t reg, uint32_t v)
{
    qvirtio_writel(&t->dev, reg, v);
}

/* What Linux's virtio_mmio does to bring a device up, with one queue. */
static void driver_init(Test *t)
{
    qvirtio_start(&t->dev, 0);
    qvirtqueue_setup(&t->dev, &t->vq, 0, RING, QSIZE);
    g_assert_cmpuint(rd(t, QUEUE_NUM_MAX), ==, 1024);
    qvirtio_driver_ok(&t->dev);
}

static void set_desc(Test *t, uint64_t table, unsigned i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    qvirtio_write_desc(t->qts, table, i, addr, len, flags, next);
}

static void kick(Test *t, uint16_t head)
{
    qvirtqueue_kick(&t->dev, &t->vq, head);
}

/* qcore still answers QMP: the error cost the guest, not the host. */
static void assert_alive(Test *t)
{
    QDict *r = qtest_qmp(t->qts, "{'execute': 'query-status'}");

    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
}

static void request_round_trip(Test *t, uint64_t buf)
{
    uint8_t data[64];
    QVirtQueue *vq = &t->vq;
    unsigned i, nonzero = 0;

    qtest_memset(t->qts, buf, 0, sizeof(data));
    set_desc(t, vq->desc, 0, buf, sizeof(data), F_WRITE, 0);
    kick(t, 0);
    g_assert(qvirtqueue_wait_used(&t->dev, vq, vq->avail_idx));
    /* The used element names the head and the bytes written. */
    g_assert_cmpuint(qvirtqueue_used_id(&t->dev, vq, vq->avail_idx), ==, 0);
    g_assert_cmpuint(qvirtqueue_used_len(&t->dev, vq, vq->avail_idx), ==,
                     sizeof(data));
    qtest_memread(t->qts, buf, data, sizeof(data));
    for (i = 0; i < sizeof(data); i++) {
        nonzero += data[i] != 0;
    }
    g_assert_cmpuint(nonzero, >, 0);
    /* The queue interrupt, on PLIC source 8, until acknowledged. */
    while (!(rd(t, INTR_STATUS) & 1)) {
        continue;
    }
    g_assert(qtest_get_irq(t->qts, RNG_IRQ));
    wr(t, INTR_ACK, 1);
    g_assert_cmpuint(rd(t, INTR_STATUS), ==, 0);
    g_assert(!qtest_get_irq(t->qts, RNG_IRQ));
}

static void test_registers_of_filled_and_empty_slots(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, false, NULL);
    g_assert_cmphex(rd(&t, MAGIC), ==, 0x74726976);
    g_assert_cmpuint(rd(&t, VERSION), ==, 2);
    g_assert_cmpuint(rd(&t, DEVICE_ID), ==, 4);
    g_assert_cmphex(rd(&t, VENDOR_ID), ==, 0x554d4551);
    /* Every other slot is there, empty: DeviceID 0. */
    for (int i = 0; i < 7; i++) {
        g_assert_cmphex(qtest_readl(t.qts, SLOT(i) + MAGIC), ==, 0x74726976);
        g_assert_cmpuint(qtest_readl(t.qts, SLOT(i) + VERSION), ==, 2);
        g_assert_cmpuint(qtest_readl(t.qts, SLOT(i) + DEVICE_ID), ==, 0);
    }
    /* Queue 1 does not exist: QueueNumMax 0. */
    wr(&t, QUEUE_SEL, 1);
    g_assert_cmpuint(rd(&t, QUEUE_NUM_MAX), ==, 0);
    /* A legacy register in modern mode is a guest error, read as 0. */
    g_assert_cmpuint(rd(&t, QUEUE_PFN), ==, 0);
    log = stop(&t);
    g_assert(strstr(log, "virtio_mmio_read: read from legacy register "
                    "(0x40) in non-legacy mode"));
}

/* As QEMU 7.2 places them: each -device in the next slot down. */
static void test_devices_fill_slots_from_the_top(void)
{
    QTestState *qts = qtest_init("-M virt -bios none "
                                 "-device virtio-rng-device "
                                 "-device virtio-serial-device,max_ports=4 "
                                 "-device virtio-rng-device");

    g_assert_cmpuint(qtest_readl(qts, SLOT(7) + DEVICE_ID), ==, 4);
    g_assert_cmpuint(qtest_readl(qts, SLOT(6) + DEVICE_ID), ==, 3);
    g_assert_cmpuint(qtest_readl(qts, SLOT(5) + DEVICE_ID), ==, 4);
    g_assert_cmpuint(qtest_readl(qts, SLOT(4) + DEVICE_ID), ==, 0);
    /* virtio-serial's config: cols, rows, max_nr_ports. */
    g_assert_cmpuint(qtest_readl(qts, SLOT(6) + 0x104), ==, 4);
    /* Past the config space: all ones, as QEMU's. */
    g_assert_cmphex(qtest_readl(qts, SLOT(6) + 0x10c), ==, 0xffffffff);
    /* 2 queues per port plus 2 control queues: 10 for 4 ports. */
    qtest_writel(qts, SLOT(6) + QUEUE_SEL, 9);
    g_assert_cmpuint(qtest_readl(qts, SLOT(6) + QUEUE_NUM_MAX), ==, 1024);
    qtest_writel(qts, SLOT(6) + QUEUE_SEL, 10);
    g_assert_cmpuint(qtest_readl(qts, SLOT(6) + QUEUE_NUM_MAX), ==, 0);
    qtest_quit(qts);
}

static void test_legacy_is_the_default_layout(void)
{
    QTestState *qts = qtest_init("-M virt -bios none "
                                 "-device virtio-rng-device");

    g_assert_cmpuint(qtest_readl(qts, RNG + VERSION), ==, 1);
    g_assert_cmpuint(qtest_readl(qts, SLOT(0) + VERSION), ==, 1);
    qtest_quit(qts);
}

static void test_rng_request_round_trip_modern(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, false, NULL);
    driver_init(&t);
    request_round_trip(&t, BUF);
    request_round_trip(&t, BUF + 0x100);
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, 0);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_rng_request_round_trip_legacy(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, true, NULL);
    driver_init(&t);
    request_round_trip(&t, BUF);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_rng_request_round_trip_in_iothread(void)
{
    Test t;
    g_autofree char *log = NULL;

    /* -global reaches the -device too: the handler runs in io0. */
    start(&t, false, "-object iothread,id=io0 "
          "-global virtio-rng-device.iothread=io0");
    driver_init(&t);
    for (int i = 0; i < 20; i++) {
        request_round_trip(&t, BUF + 0x40 * i);
    }
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

/*
 * VIRTIO_RING_F_EVENT_IDX (virtio 1.2, 2.7.7.2 and 2.7.10): the driver's
 * used_event says after which used index it wants the next interrupt;
 * the device publishes in avail_event how far it has read the avail ring.
 */
#define EVENT_IDX_BIT 29

static void event_idx_request(Test *t, uint64_t buf)
{
    set_desc(t, t->vq.desc, 0, buf, 16, F_WRITE, 0);
    kick(t, 0);
    g_assert(qvirtqueue_wait_used(&t->dev, &t->vq, t->vq.avail_idx));
}

static void test_event_idx_suppresses_interrupts(void)
{
    Test t;
    g_autofree char *log = NULL;
    uint64_t used_event, avail_event;

    start(&t, false, NULL);
    wr(&t, DEV_FEATURES_SEL, 0);
    g_assert_cmphex(rd(&t, DEV_FEATURES) & (1u << EVENT_IDX_BIT), !=, 0);
    qvirtio_start(&t.dev, 1ull << EVENT_IDX_BIT);
    qvirtqueue_setup(&t.dev, &t.vq, 0, RING, QSIZE);
    qvirtio_driver_ok(&t.dev);
    used_event = t.vq.avail + 4 + 2 * QSIZE;
    avail_event = t.vq.used + 4 + 8 * QSIZE;

    /*
     * The device completes on the main loop, which also answers qtest:
     * a completion's used index and its interrupt status are seen
     * together.  The first completion always interrupts.
     */
    qtest_writew(t.qts, used_event, 0);
    event_idx_request(&t, BUF);
    g_assert_cmpuint(rd(&t, INTR_STATUS), ==, 1);
    wr(&t, INTR_ACK, 1);
    /* used_event 0 was passed by the first: the second is silent. */
    event_idx_request(&t, BUF + 0x40);
    g_assert_cmpuint(rd(&t, INTR_STATUS), ==, 0);
    g_assert(!qtest_get_irq(t.qts, RNG_IRQ));
    /* Asking for an interrupt after used index 2 gets the third one. */
    qtest_writew(t.qts, used_event, 2);
    event_idx_request(&t, BUF + 0x80);
    g_assert_cmpuint(rd(&t, INTR_STATUS), ==, 1);
    g_assert(qtest_get_irq(t.qts, RNG_IRQ));
    wr(&t, INTR_ACK, 1);
    /* The device has read three avail entries, and says so. */
    g_assert_cmpuint(qtest_readw(t.qts, avail_event), ==, 3);
    log = stop(&t);
    g_assert_cmpstr(log, ==, "");
}

static void test_indirect_table_is_followed(void)
{
    Test t;
    uint64_t table = BUF + 0x1000;
    uint8_t a[8], b[8];

    start(&t, false, NULL);
    driver_init(&t);
    qtest_memset(t.qts, BUF, 0, 16);
    set_desc(&t, table, 0, BUF, 8, F_WRITE | F_NEXT, 1);
    set_desc(&t, table, 1, BUF + 8, 8, F_WRITE, 0);
    set_desc(&t, t.vq.desc, 0, table, 32, F_INDIRECT, 0);
    kick(&t, 0);
    g_assert(qvirtqueue_wait_used(&t.dev, &t.vq, 1));
    g_assert_cmpuint(qvirtqueue_used_len(&t.dev, &t.vq, 1), ==, 16);
    qtest_memread(t.qts, BUF, a, 8);
    qtest_memread(t.qts, BUF + 8, b, 8);
    g_assert(memcmp(a, (uint8_t[8]){0}, 8) || memcmp(b, (uint8_t[8]){0}, 8));
    g_free(stop(&t));
}

/*
 * A hostile chain: the device stops, says NEEDS_RESET (and sends a
 * config interrupt), the error is logged, nothing is written to the used
 * ring, and qcore keeps serving.  A reset brings the device back.
 */
static void check_guest_error(void (*make)(Test *t), const char *message)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, false, NULL);
    driver_init(&t);
    make(&t);
    qvirtio_wait_needs_reset(&t.dev);
    g_assert_cmpuint(qvirtqueue_used_idx(&t.dev, &t.vq), ==, 0);
    g_assert_cmphex(rd(&t, INTR_STATUS) & 2, ==, 2);
    g_assert(qtest_get_irq(t.qts, RNG_IRQ));
    assert_alive(&t);
    /* Broken: more kicks do nothing. */
    set_desc(&t, t.vq.desc, 3, BUF, 16, F_WRITE, 0);
    kick(&t, 3);
    assert_alive(&t);
    g_assert_cmpuint(qvirtqueue_used_idx(&t.dev, &t.vq), ==, 0);
    /* The driver's reset clears it; the device works again. */
    driver_init(&t);
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, 0);
    request_round_trip(&t, BUF);
    log = stop(&t);
    g_assert(strstr(log, message));
}

static void make_loop(Test *t)
{
    set_desc(t, t->vq.desc, 0, BUF, 16, F_WRITE | F_NEXT, 1);
    set_desc(t, t->vq.desc, 1, BUF + 16, 16, F_WRITE | F_NEXT, 0);
    kick(t, 0);
}

static void make_indirect_loop(Test *t)
{
    uint64_t table = BUF + 0x1000;

    set_desc(t, table, 0, BUF, 16, F_WRITE | F_NEXT, 1);
    set_desc(t, table, 1, BUF + 16, 16, F_WRITE | F_NEXT, 0);
    set_desc(t, t->vq.desc, 0, table, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_indirect_outside_ram(Test *t)
{
    /* A hole in the map, then a device's registers (the UART). */
    set_desc(t, t->vq.desc, 0, 0x40000000ULL, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_indirect_in_mmio(Test *t)
{
    set_desc(t, t->vq.desc, 0, 0x10000000ULL, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_length_past_ram(Test *t)
{
    set_desc(t, t->vq.desc, 0, DRAM + RAM_SIZE - 8, 64, F_WRITE, 0);
    kick(t, 0);
}

static void make_buffer_wrapping(Test *t)
{
    set_desc(t, t->vq.desc, 0, UINT64_MAX - 7, 64, F_WRITE, 0);
    kick(t, 0);
}

static void make_next_out_of_range(Test *t)
{
    set_desc(t, t->vq.desc, 0, BUF, 16, F_WRITE | F_NEXT, 200);
    kick(t, 0);
}

static void make_head_out_of_range(Test *t)
{
    kick(t, 9);
}

static void make_avail_jump(Test *t)
{
    set_desc(t, t->vq.desc, 0, BUF, 16, F_WRITE, 0);
    qtest_writew(t->qts, t->vq.avail + 2, 100);
    wr(t, QUEUE_NOTIFY, 0);
}

static void make_zero_length(Test *t)
{
    set_desc(t, t->vq.desc, 0, BUF, 0, F_WRITE, 0);
    kick(t, 0);
}

static void make_indirect_bad_size(Test *t)
{
    set_desc(t, t->vq.desc, 0, BUF + 0x1000, 20, F_INDIRECT, 0);
    kick(t, 0);
}

static void test_rings_outside_ram_are_refused(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, false, NULL);
    qvirtio_start(&t.dev, 0);
    wr(&t, QUEUE_NUM, QSIZE);
    wr(&t, DESC_LO, 0x10000000);        /* the UART */
    wr(&t, AVAIL_LO, (uint32_t)(RING + 0x1000));
    wr(&t, AVAIL_HI, (RING + 0x1000) >> 32);
    wr(&t, USED_LO, (uint32_t)(RING + 0x2000));
    wr(&t, USED_HI, (RING + 0x2000) >> 32);
    wr(&t, QUEUE_READY, 1);
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    wr(&t, STATUS, rd(&t, STATUS) | S_DRIVER_OK);
    wr(&t, QUEUE_NOTIFY, 0);
    assert_alive(&t);
    log = stop(&t);
    g_assert(strstr(log, "virtio-rng-device: Cannot map desc"));
}

static void test_device_is_in_the_qom_tree(void)
{
    QTestState *qts = qtest_init("-M virt -bios none "
                                 "-device virtio-rng-device,id=rng0");
    QDict *r;

    r = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': {"
                  "'path': '/machine/peripheral/rng0', "
                  "'property': 'realized'}}");
    g_assert(qdict_get_bool(r, "return"));
    qobject_unref(r);
    r = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': {"
                  "'path': '/machine/peripheral/rng0', "
                  "'property': 'event_idx'}}");
    g_assert(qdict_get_bool(r, "return"));
    qobject_unref(r);
    /* Properties freeze once realized, as QEMU's. */
    r = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': {"
                  "'path': '/machine/peripheral/rng0', "
                  "'property': 'event_idx', 'value': false}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(r, "error"), "desc"), ==,
                    "Attempt to set property 'event_idx' on device 'rng0' "
                    "(type 'virtio-rng-device') after it was realized");
    qobject_unref(r);
    r = qtest_qmp(qts, "{'execute': 'qom-list', 'arguments': {"
                  "'path': '/machine/peripheral/rng0'}}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    qtest_quit(qts);
}

#define ERR_CASE(name, make, msg) \
    static void name(void) { check_guest_error(make, msg); }

ERR_CASE(test_loop_in_chain, make_loop, "Looped descriptor")
ERR_CASE(test_loop_in_indirect_table, make_indirect_loop, "Looped descriptor")
ERR_CASE(test_indirect_table_outside_ram, make_indirect_outside_ram,
         "Cannot map indirect buffer")
ERR_CASE(test_indirect_table_in_mmio, make_indirect_in_mmio,
         "Cannot map indirect buffer")
ERR_CASE(test_buffer_past_end_of_ram, make_length_past_ram,
         "bogus descriptor or out of resources")
ERR_CASE(test_buffer_wrapping_address_space, make_buffer_wrapping,
         "bogus descriptor or out of resources")
ERR_CASE(test_next_out_of_range, make_next_out_of_range, "Desc next is 200")
ERR_CASE(test_head_out_of_range, make_head_out_of_range,
         "Guest says index 9 is available")
ERR_CASE(test_avail_index_jump, make_avail_jump,
         "Guest moved avail index from 0 to 100")
ERR_CASE(test_zero_length_buffer, make_zero_length,
         "zero sized buffers are not allowed")
ERR_CASE(test_indirect_table_bad_size, make_indirect_bad_size,
         "Invalid size for indirect buffer table")

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mmio/registers",
                   test_registers_of_filled_and_empty_slots);
    g_test_add_func("/virtio-mmio/placement",
                    test_devices_fill_slots_from_the_top);
    g_test_add_func("/virtio-mmio/legacy-default",
                   test_legacy_is_the_default_layout);
    g_test_add_func("/virtio-mmio/rng/modern", test_rng_request_round_trip_modern);
    g_test_add_func("/virtio-mmio/rng/legacy", test_rng_request_round_trip_legacy);
    g_test_add_func("/virtio-mmio/rng/iothread",
                   test_rng_request_round_trip_in_iothread);
    g_test_add_func("/virtio-mmio/rng/indirect", test_indirect_table_is_followed);
    g_test_add_func("/virtio-mmio/rng/event-idx",
                    test_event_idx_suppresses_interrupts);
    g_test_add_func("/virtio-mmio/qom", test_device_is_in_the_qom_tree);
    g_test_add_func("/virtio-mmio/error/rings-outside-ram",
                   test_rings_outside_ram_are_refused);
    g_test_add_func("/virtio-mmio/error/loop", test_loop_in_chain);
    g_test_add_func("/virtio-mmio/error/indirect-loop",
                   test_loop_in_indirect_table);
    g_test_add_func("/virtio-mmio/error/indirect-outside-ram",
                   test_indirect_table_outside_ram);
    g_test_add_func("/virtio-mmio/error/indirect-in-mmio",
                   test_indirect_table_in_mmio);
    g_test_add_func("/virtio-mmio/error/past-ram", test_buffer_past_end_of_ram);
    g_test_add_func("/virtio-mmio/error/wrap",
                   test_buffer_wrapping_address_space);
    g_test_add_func("/virtio-mmio/error/next", test_next_out_of_range);
    g_test_add_func("/virtio-mmio/error/head", test_head_out_of_range);
    g_test_add_func("/virtio-mmio/error/avail-jump", test_avail_index_jump);
    g_test_add_func("/virtio-mmio/error/zero-length", test_zero_length_buffer);
    g_test_add_func("/virtio-mmio/error/indirect-size",
                   test_indirect_table_bad_size);
    return g_test_run();
}
