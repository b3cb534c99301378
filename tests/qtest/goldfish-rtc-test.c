/*
 * The goldfish RTC (hw/rtc/goldfish_rtc.c) on the virt board, over qtest:
 * at 0x101000 it reads the host's wall clock, and its alarm interrupt is
 * PLIC source 11.  QEMU 7.2 gives the same (qemu-system-riscv64 -M virt
 * -bios none -qtest stdio: "readl 0x101000" then "readl 0x101004" is the
 * time in ns; enabling the interrupt and writing an alarm in the past
 * sets bit 11 of the PLIC's first pending word).
 */
#include "libqtest.h"

#define RTC             0x101000ULL
#define RTC_TIME_LOW    (RTC + 0x00)
#define RTC_TIME_HIGH   (RTC + 0x04)
#define RTC_ALARM_LOW   (RTC + 0x08)
#define RTC_ALARM_HIGH  (RTC + 0x0c)
#define RTC_IRQ_ENABLED (RTC + 0x10)
#define RTC_ALARM_STATUS (RTC + 0x18)
#define PLIC_PENDING0   0xc001000ULL
#define RTC_IRQ         11

static void test_time_is_the_hosts(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    uint64_t before = g_get_real_time() / G_USEC_PER_SEC;
    uint64_t low = qtest_readl(qts, RTC_TIME_LOW);
    uint64_t t = (uint64_t)qtest_readl(qts, RTC_TIME_HIGH) << 32 | low;
    uint64_t after = g_get_real_time() / G_USEC_PER_SEC;

    /* Whole seconds at reset, then running with the host: a wide window. */
    g_assert_cmpuint(t / 1000000000, >=, before - 2);
    g_assert_cmpuint(t / 1000000000, <=, after + 1);
    qtest_quit(qts);
}

static void test_alarm_is_plic_source_11(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    g_assert_cmphex(qtest_readl(qts, PLIC_PENDING0), ==, 0);
    qtest_writel(qts, RTC_IRQ_ENABLED, 1);
    qtest_writel(qts, RTC_ALARM_HIGH, 0);
    qtest_writel(qts, RTC_ALARM_LOW, 1);
    g_assert_cmphex(qtest_readl(qts, RTC_ALARM_STATUS), ==, 0);
    g_assert_cmphex(qtest_readl(qts, PLIC_PENDING0), ==, 1u << RTC_IRQ);
    g_assert_cmphex(qtest_readl(qts, RTC_IRQ_ENABLED), ==, 1);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/goldfish-rtc/time-is-the-hosts",
                    test_time_is_the_hosts);
    g_test_add_func("/goldfish-rtc/alarm-is-plic-source-11",
                    test_alarm_is_plic_source_11);
    return g_test_run();
}
