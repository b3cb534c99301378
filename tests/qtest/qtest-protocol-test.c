/*
 * The qtest protocol itself (system/qtest.c): memory commands, the
 * virtual clock under -accel qtest, answers to bad input, and that no
 * guest code runs.  QEMU's tests/qtest covers its server implicitly; the
 * answers marked "QEMU 7.2" were recorded from Debian's
 * qemu-system-riscv64 7.2 (-M virt -bios none -S -qtest stdio), which
 * lacks the qtest accelerator, so the clock answers are qcore's own.
 */
#include "libqtest.h"
#include <glib/gstdio.h>

#define DRAM        0x80000000ULL
#define CLINT_MTIME 0x200bff8ULL

static void assert_answer(QTestState *qts, const char *line, const char *want)
{
    g_autofree char *rsp = qtest_raw(qts, line);

    g_assert_cmpstr(rsp, ==, want);
}

static void test_memory_commands_answer_as_qemu(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    /* QEMU 7.2's answers, line for line. */
    assert_answer(qts, "endianness", "OK little");
    assert_answer(qts, "readb 0x10000005", "OK 0x0000000000000060");
    assert_answer(qts, "readl 0x10000005", "OK 0x000000000000b060");
    assert_answer(qts, "writeq 0x80000000 0x1122334455667788", "OK");
    assert_answer(qts, "read 0x80000000 8", "OK 0x8877665544332211");
    assert_answer(qts, "b64read 0x80000000 8", "OK iHdmVUQzIhE=");
    assert_answer(qts, "write 0x80000000 4 0xaabb", "OK");
    assert_answer(qts, "read 0x80000000 8", "OK 0xaabb000044332211");
    assert_answer(qts, "memset 0x80000000 3 0x41", "OK");
    assert_answer(qts, "read 0x80000000 4", "OK 0x41414100");
    assert_answer(qts, "readb 0x100", "OK 0x0000000000000000");
    assert_answer(qts, "foo", "FAIL Unknown command 'foo'");
    assert_answer(qts, "irq_intercept_in /machine/nothing",
                  "FAIL Unknown device");
    assert_answer(qts, "write 0x80000000 1 0", "ERR invalid argument size");
    qtest_quit(qts);
}

static void test_accessors_round_trip_little_endian(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    uint8_t buf[300], back[300];

    qtest_writeq(qts, DRAM, 0x0102030405060708ULL);
    g_assert_cmphex(qtest_readb(qts, DRAM), ==, 0x08);
    g_assert_cmphex(qtest_readw(qts, DRAM + 2), ==, 0x0506);
    g_assert_cmphex(qtest_readl(qts, DRAM + 4), ==, 0x01020304);
    qtest_writew(qts, DRAM + 6, 0xbeef);
    qtest_writeb(qts, DRAM, 0xff);
    qtest_writel(qts, DRAM + 8, 0xcafef00d);
    g_assert_cmphex(qtest_readq(qts, DRAM), ==, 0xbeef0304050607ffULL);
    g_assert_cmphex(qtest_readq(qts, DRAM + 8), ==, 0xcafef00d);

    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7;
    }
    qtest_memwrite(qts, DRAM + 0x1000, buf, sizeof(buf));
    qtest_bufread(qts, DRAM + 0x1000, back, sizeof(back));
    g_assert(!memcmp(buf, back, sizeof(buf)));
    qtest_memset(qts, DRAM + 0x1000, 0x5a, 10);
    qtest_bufwrite(qts, DRAM + 0x1000 + 10, "qcore", 5);
    qtest_memread(qts, DRAM + 0x1000, back, 16);
    g_assert(!memcmp(back, "ZZZZZZZZZZqcore", 15));
    g_assert_cmphex(back[15], ==, buf[15]);
    qtest_quit(qts);
}

static void test_clock_moves_only_when_stepped(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    /* mtime counts the virtual clock at 10 MHz: 100 ns per tick. */
    g_assert_cmpint(qtest_readq(qts, CLINT_MTIME), ==, 0);
    g_assert_cmpint(qtest_clock_step(qts, 100), ==, 100);
    g_assert_cmpint(qtest_readq(qts, CLINT_MTIME), ==, 1);
    /* Time never goes back. */
    g_assert_cmpint(qtest_clock_set(qts, 50), ==, 100);
    g_assert_cmpint(qtest_clock_set(qts, 1000), ==, 1000);
    /* No timer armed: stepping to the next deadline stays put. */
    g_assert_cmpint(qtest_clock_step_next(qts), ==, 1000);
    g_assert_cmpint(qtest_readq(qts, CLINT_MTIME), ==, 10);
    g_assert_cmpint(qtest_clock_step(qts, 1000000000), ==, 1000001000);
    g_assert_cmpint(qtest_readq(qts, CLINT_MTIME), ==, 10000010);
    /* A QMP round trip lets the main loop run; the clock stays. */
    qobject_unref(qtest_qmp(qts, "{\"execute\": \"query-status\"}"));
    g_assert_cmpint(qtest_readq(qts, CLINT_MTIME), ==, 10000010);
    qtest_quit(qts);
}

static void test_bad_input_fails_and_keeps_serving(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    g_autofree char *rsp = NULL;

    assert_answer(qts, "readl zz", "FAIL invalid address 'zz'");
    assert_answer(qts, "readl", "FAIL 'readl' takes 1 argument");
    assert_answer(qts, "writel 0x80000000", "FAIL 'writel' takes 2 arguments");
    assert_answer(qts, "read 0x80000000 0", "FAIL invalid size '0'");
    assert_answer(qts, "read 0x80000000 4194305",
                  "FAIL size 4194305 is larger than 4194304");
    assert_answer(qts, "write 0x80000000 2 0xzz11", "FAIL invalid hex data");
    assert_answer(qts, "clock_step -5", "FAIL invalid step '-5'");
    assert_answer(qts, "set_irq_in /machine nothing 0 1",
                  "FAIL no input nothing 0");
    assert_answer(qts, "irq_intercept_out", "FAIL 'irq_intercept_out' takes "
                  "a QOM path");
    /* One device's lines at a time, as in QEMU; the same one again is OK. */
    assert_answer(qts, "irq_intercept_in /machine/unattached/device[2]", "OK");
    assert_answer(qts, "irq_intercept_out /machine/unattached/device[1]",
                  "FAIL IRQ intercept already enabled");
    assert_answer(qts, "irq_intercept_out /machine/unattached/device[2]", "OK");
    /* Base64 too short to decode is no data: zeros. */
    assert_answer(qts, "b64write 0x80000000 2 Q", "OK");
    assert_answer(qts, "read 0x80000000 2", "OK 0x0000");
    /* An empty line gets no answer; a typed \r is ignored. */
    qtest_send_line(qts, "");
    assert_answer(qts, "endianness\r", "OK little");
    qtest_quit(qts);
}

/*
 * The largest transfer, both encodings: its answer (8 MiB of hex) is
 * more than the chardev queues at once (1 MiB), so it goes out as the
 * client reads, and the next command waits for it.
 */
static void test_largest_transfers_arrive_whole(void)
{
    QTestState *qts = qtest_init("-M virt -bios none -m 64M");
    const size_t size = 4 * 1024 * 1024;
    g_autofree uint8_t *buf = g_malloc(size), *back = g_malloc(size);

    for (size_t i = 0; i < size; i++) {
        buf[i] = i ^ (i >> 12);
    }
    qtest_bufwrite(qts, DRAM, buf, size);
    qtest_memread(qts, DRAM, back, size);
    g_assert(!memcmp(buf, back, size));
    qtest_memset(qts, DRAM, 0x33, size);
    qtest_bufread(qts, DRAM, back, size);
    g_assert_cmphex(back[0], ==, 0x33);
    g_assert_cmphex(back[size - 1], ==, 0x33);
    assert_answer(qts, "endianness", "OK little");
    qtest_quit(qts);
}

/* A line past the limit is dropped whole with one FAIL; then business. */
static void test_overlong_line_fails_once(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    const size_t len = 2 * 4 * 1024 * 1024 + 300;
    g_autofree char *line = g_malloc(len + 1);

    memset(line, 'a', len);
    memcpy(line, "write 0x80000000 16 0x", 22);
    line[len] = 0;
    assert_answer(qts, line, "FAIL line longer than 8388864 bytes");
    assert_answer(qts, "endianness", "OK little");
    qtest_quit(qts);
}

/*
 * A raw image at the start of RAM that powers the machine off through
 * sifive_test (li t0, 0x100000; lui t1, 5; addi t1, t1, 0x555;
 * sw t1, 0(t0); j .).  Under -accel tcg it ends qcore at once; under
 * -accel qtest it must never run.
 */
static const uint32_t poweroff_code[] = {
    0x001002b7, 0x00005337, 0x55530313, 0x0062a023, 0x0000006f,
};

static char *write_poweroff_image(void)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("qtest-poweroff-XXXXXX.bin", &path, &err);
    uint32_t le[G_N_ELEMENTS(poweroff_code)];

    g_assert_no_error(err);
    for (size_t i = 0; i < G_N_ELEMENTS(le); i++) {
        le[i] = GUINT32_TO_LE(poweroff_code[i]);
    }
    g_assert_cmpint(write(fd, le, sizeof(le)), ==, sizeof(le));
    close(fd);
    return path;
}

static void test_no_guest_code_runs_under_qtest(void)
{
    g_autofree char *image = write_poweroff_image();
    QTestState *qts;

    /* The image works: with the interpreter it powers off, status 0. */
    qts = qtest_initf("-M virt -bios none -kernel %s -accel tcg", image);
    g_assert_cmpint(qtest_wait_qemu(qts), ==, 0);
    qtest_free(qts);

    /* Under qtest the same machine sits still and keeps answering. */
    qts = qtest_initf("-M virt -bios none -kernel %s", image);
    g_assert_cmphex(qtest_readl(qts, DRAM), ==, poweroff_code[0]);
    qtest_clock_step(qts, 1000000000);
    qobject_unref(qtest_qmp(qts, "{\"execute\": \"query-status\"}"));
    g_assert_cmphex(qtest_readl(qts, DRAM + 12), ==, poweroff_code[3]);
    qtest_quit(qts);
    g_unlink(image);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/memory-commands-answer-as-qemu",
                    test_memory_commands_answer_as_qemu);
    g_test_add_func("/qtest/accessors-round-trip-little-endian",
                    test_accessors_round_trip_little_endian);
    g_test_add_func("/qtest/clock-moves-only-when-stepped",
                    test_clock_moves_only_when_stepped);
    g_test_add_func("/qtest/bad-input-fails-and-keeps-serving",
                    test_bad_input_fails_and_keeps_serving);
    g_test_add_func("/qtest/largest-transfers-arrive-whole",
                    test_largest_transfers_arrive_whole);
    g_test_add_func("/qtest/overlong-line-fails-once",
                    test_overlong_line_fails_once);
    g_test_add_func("/qtest/no-guest-code-runs-under-qtest",
                    test_no_guest_code_runs_under_qtest);
    return g_test_run();
}
