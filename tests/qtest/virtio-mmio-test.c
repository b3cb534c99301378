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
#include "libqtest.h"
#include <glib/gstdio.h>

#define DRAM        0x80000000ULL
#define RAM_SIZE    (128 * 1024 * 1024ULL)
#define SLOT(i)     (0x10001000ULL + 0x1000 * (i))
#define RNG         SLOT(7)     /* the first -device lands in the last slot */
#define RNG_IRQ     8

/* Guest RAM layout of the test's queue. */
#define DESC        (DRAM + 0x10000)
#define AVAIL       (DRAM + 0x11000)
#define USED        (DRAM + 0x12000)
#define BUF         (DRAM + 0x20000)
#define QSIZE       8

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
    DEV_FEATURES = 0x010, DEV_FEATURES_SEL = 0x014, DRV_FEATURES = 0x020,
    DRV_FEATURES_SEL = 0x024, GUEST_PAGE_SIZE = 0x028, QUEUE_SEL = 0x030,
    QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_ALIGN = 0x03c,
    QUEUE_PFN = 0x040, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
    INTR_STATUS = 0x060, INTR_ACK = 0x064, STATUS = 0x070,
    DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094,
    USED_LO = 0x0a0, USED_HI = 0x0a4, CONFIG_GEN = 0x0fc,
};

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

typedef struct Test {
    QTestState *qts;
    char *log;
    uint16_t avail_idx;
    bool legacy;
} Test;

static void start(Test *t, bool legacy, const char *extra)
{
    g_autofree char *plic = NULL;
    int fd;

    fd = g_file_open_tmp("virtio-mmio-test-XXXXXX.log", &t->log, NULL);
    g_assert(fd >= 0);
    close(fd);
    t->legacy = legacy;
    t->avail_idx = 0;
    t->qts = qtest_initf("-M virt -bios none -d guest_errors -D %s "
                         "-global virtio-mmio.force-legacy=%s %s "
                         "-device virtio-rng-device", t->log,
                         legacy ? "on" : "off", extra ? extra : "");
    plic = qtest_qom_find(t->qts, "/machine/unattached", "riscv.sifive.plic");
    qtest_irq_intercept_in(t->qts, plic);
}

/* Quit and return what -d guest_errors logged (caller frees). */
static char *stop(Test *t)
{
    char *text = NULL;

    qtest_quit(t->qts);
    g_assert(g_file_get_contents(t->log, &text, NULL, NULL));
    g_unlink(t->log);
    g_free(t->log);
    return text;
}

static uint32_t rd(Test *t, uint64_t reg)
{
    return qtest_readl(t->qts, RNG + reg);
}

static void wr(Test *t, uint64_t reg, uint32_t v)
{
    qtest_writel(t->qts, RNG + reg, v);
}

/* What Linux's virtio_mmio does to bring a device up, with one queue. */
static void driver_init(Test *t)
{
    QTestState *qts = t->qts;

    qtest_memset(qts, DESC, 0, 0x3000);
    wr(t, STATUS, 0);
    wr(t, STATUS, S_ACK);
    wr(t, STATUS, S_ACK | S_DRIVER);
    if (t->legacy) {
        wr(t, GUEST_PAGE_SIZE, 4096);
        wr(t, DRV_FEATURES_SEL, 0);
        wr(t, DRV_FEATURES, 0);
        wr(t, QUEUE_SEL, 0);
        g_assert_cmpuint(rd(t, QUEUE_NUM_MAX), ==, 1024);
        wr(t, QUEUE_NUM, QSIZE);
        wr(t, QUEUE_ALIGN, 4096);
        wr(t, QUEUE_PFN, DESC >> 12);
    } else {
        wr(t, DEV_FEATURES_SEL, 1);
        g_assert_cmphex(rd(t, DEV_FEATURES) & 1, ==, 1);   /* VERSION_1 */
        wr(t, DRV_FEATURES_SEL, 0);
        wr(t, DRV_FEATURES, 0);
        wr(t, DRV_FEATURES_SEL, 1);
        wr(t, DRV_FEATURES, 1);
        wr(t, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        g_assert_cmphex(rd(t, STATUS) & S_FEATURES_OK, ==, S_FEATURES_OK);
        wr(t, QUEUE_SEL, 0);
        g_assert_cmpuint(rd(t, QUEUE_NUM_MAX), ==, 1024);
        wr(t, QUEUE_NUM, QSIZE);
        wr(t, DESC_LO, (uint32_t)DESC);
        wr(t, DESC_HI, DESC >> 32);
        wr(t, AVAIL_LO, (uint32_t)AVAIL);
        wr(t, AVAIL_HI, AVAIL >> 32);
        wr(t, USED_LO, (uint32_t)USED);
        wr(t, USED_HI, USED >> 32);
        wr(t, QUEUE_READY, 1);
        g_assert_cmpuint(rd(t, QUEUE_READY), ==, 1);
    }
    wr(t, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK * !t->legacy |
       S_DRIVER_OK);
}

/* The used ring of the legacy layout follows avail, page aligned. */
static uint64_t used_addr(Test *t)
{
    return t->legacy ? DESC + 0x1000 : USED;
}

static uint64_t avail_addr(Test *t)
{
    return t->legacy ? DESC + 16 * QSIZE : AVAIL;
}

static void set_desc(Test *t, uint64_t table, unsigned i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16 * i;

    qtest_writeq(t->qts, d, addr);
    qtest_writel(t->qts, d + 8, len);
    qtest_writew(t->qts, d + 12, flags);
    qtest_writew(t->qts, d + 14, next);
}

/* Make chain @head available and kick queue 0. */
static void kick(Test *t, uint16_t head)
{
    uint64_t avail = avail_addr(t);

    qtest_writew(t->qts, avail + 4 + 2 * (t->avail_idx % QSIZE), head);
    t->avail_idx++;
    qtest_writew(t->qts, avail + 2, t->avail_idx);
    wr(t, QUEUE_NOTIFY, 0);
}

/*
 * The handler runs in the device's AioContext after the kick; each qtest
 * command is a main-loop round trip, so poll by reading, never sleep.
 */
static uint16_t wait_used(Test *t, uint16_t idx)
{
    uint16_t used;

    while ((used = qtest_readw(t->qts, used_addr(t) + 2)) != idx &&
           !(rd(t, STATUS) & S_NEEDS_RESET)) {
        continue;
    }
    return used;
}

static void wait_needs_reset(Test *t)
{
    while (!(rd(t, STATUS) & S_NEEDS_RESET)) {
        continue;
    }
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
    uint64_t used = used_addr(t);
    unsigned i, nonzero = 0;

    qtest_memset(t->qts, buf, 0, sizeof(data));
    set_desc(t, DESC, 0, buf, sizeof(data), F_WRITE, 0);
    kick(t, 0);
    g_assert_cmpuint(wait_used(t, t->avail_idx), ==, t->avail_idx);
    /* The used element names the head and the bytes written. */
    i = (t->avail_idx - 1) % QSIZE;
    g_assert_cmpuint(qtest_readl(t->qts, used + 4 + 8 * i), ==, 0);
    g_assert_cmpuint(qtest_readl(t->qts, used + 8 + 8 * i), ==, sizeof(data));
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
    set_desc(&t, DESC, 0, table, 32, F_INDIRECT, 0);
    kick(&t, 0);
    g_assert_cmpuint(wait_used(&t, 1), ==, 1);
    g_assert_cmpuint(qtest_readl(t.qts, USED + 8), ==, 16);
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
    wait_needs_reset(&t);
    g_assert_cmpuint(qtest_readw(t.qts, USED + 2), ==, 0);
    g_assert_cmphex(rd(&t, INTR_STATUS) & 2, ==, 2);
    g_assert(qtest_get_irq(t.qts, RNG_IRQ));
    assert_alive(&t);
    /* Broken: more kicks do nothing. */
    set_desc(&t, DESC, 3, BUF, 16, F_WRITE, 0);
    kick(&t, 3);
    assert_alive(&t);
    g_assert_cmpuint(qtest_readw(t.qts, USED + 2), ==, 0);
    /* The driver's reset clears it; the device works again. */
    driver_init(&t);
    g_assert_cmphex(rd(&t, STATUS) & S_NEEDS_RESET, ==, 0);
    t.avail_idx = 0;
    request_round_trip(&t, BUF);
    log = stop(&t);
    g_assert(strstr(log, message));
}

static void make_loop(Test *t)
{
    set_desc(t, DESC, 0, BUF, 16, F_WRITE | F_NEXT, 1);
    set_desc(t, DESC, 1, BUF + 16, 16, F_WRITE | F_NEXT, 0);
    kick(t, 0);
}

static void make_indirect_loop(Test *t)
{
    uint64_t table = BUF + 0x1000;

    set_desc(t, table, 0, BUF, 16, F_WRITE | F_NEXT, 1);
    set_desc(t, table, 1, BUF + 16, 16, F_WRITE | F_NEXT, 0);
    set_desc(t, DESC, 0, table, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_indirect_outside_ram(Test *t)
{
    /* A hole in the map, then a device's registers (the UART). */
    set_desc(t, DESC, 0, 0x40000000ULL, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_indirect_in_mmio(Test *t)
{
    set_desc(t, DESC, 0, 0x10000000ULL, 32, F_INDIRECT, 0);
    kick(t, 0);
}

static void make_length_past_ram(Test *t)
{
    set_desc(t, DESC, 0, DRAM + RAM_SIZE - 8, 64, F_WRITE, 0);
    kick(t, 0);
}

static void make_buffer_wrapping(Test *t)
{
    set_desc(t, DESC, 0, UINT64_MAX - 7, 64, F_WRITE, 0);
    kick(t, 0);
}

static void make_next_out_of_range(Test *t)
{
    set_desc(t, DESC, 0, BUF, 16, F_WRITE | F_NEXT, 200);
    kick(t, 0);
}

static void make_head_out_of_range(Test *t)
{
    kick(t, 9);
}

static void make_avail_jump(Test *t)
{
    set_desc(t, DESC, 0, BUF, 16, F_WRITE, 0);
    qtest_writew(t->qts, AVAIL + 2, 100);
    wr(t, QUEUE_NOTIFY, 0);
}

static void make_zero_length(Test *t)
{
    set_desc(t, DESC, 0, BUF, 0, F_WRITE, 0);
    kick(t, 0);
}

static void make_indirect_bad_size(Test *t)
{
    set_desc(t, DESC, 0, BUF + 0x1000, 20, F_INDIRECT, 0);
    kick(t, 0);
}

static void test_rings_outside_ram_are_refused(void)
{
    Test t;
    g_autofree char *log = NULL;

    start(&t, false, NULL);
    wr(&t, STATUS, S_ACK | S_DRIVER);
    wr(&t, DRV_FEATURES_SEL, 1);
    wr(&t, DRV_FEATURES, 1);
    wr(&t, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    wr(&t, QUEUE_NUM, QSIZE);
    wr(&t, DESC_LO, 0x10000000);        /* the UART */
    wr(&t, AVAIL_LO, (uint32_t)AVAIL);
    wr(&t, AVAIL_HI, AVAIL >> 32);
    wr(&t, USED_LO, (uint32_t)USED);
    wr(&t, USED_HI, USED >> 32);
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
