/*
 * The sifive_test finisher (hw/misc/sifive_test.c) driven over qtest: a
 * write ends qcore with the status the guest asked for, and a reset
 * request resets the devices while qcore keeps running.  QEMU 7.2 gives
 * the same exit statuses (checked with qemu-system-riscv64 -M virt -bios
 * none -S -qtest stdio: "writel 0x100000 0x5555" exits 0, "writel
 * 0x100000 0x2a3333" exits 42).
 */
#include "libqtest.h"

#define FINISHER    0x100000ULL
#define UART_SCR    0x10000007ULL

static void test_pass_exits_with_status_0(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    qtest_send_line(qts, "writel 0x100000 0x5555");
    g_assert_cmpint(qtest_wait_qemu(qts), ==, 0);
    qtest_free(qts);
}

static void test_fail_exits_with_the_code(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    qtest_send_line(qts, "writel 0x100000 0x2a3333");
    g_assert_cmpint(qtest_wait_qemu(qts), ==, 42);
    qtest_free(qts);
}

static void test_reset_resets_devices_and_keeps_running(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    QDict *rsp;

    qtest_writeb(qts, UART_SCR, 0x77);
    qtest_writel(qts, FINISHER, 0x7777);
    /* The reset happens in the main loop; a QMP round trip waits for it. */
    rsp = qtest_qmp(qts, "{\"execute\": \"query-status\"}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "return"), "status"),
                    ==, "running");
    qobject_unref(rsp);
    g_assert_cmphex(qtest_readb(qts, UART_SCR), ==, 0);
    /* Other values are ignored. */
    qtest_writel(qts, FINISHER, 0x1234);
    g_assert_cmphex(qtest_readl(qts, FINISHER), ==, 0);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sifive-test/pass-exits-with-status-0",
                    test_pass_exits_with_status_0);
    g_test_add_func("/sifive-test/fail-exits-with-the-code",
                    test_fail_exits_with_the_code);
    g_test_add_func("/sifive-test/reset-resets-devices-and-keeps-running",
                    test_reset_resets_devices_and_keeps_running);
    return g_test_run();
}
