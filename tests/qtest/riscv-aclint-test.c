/*
 * The virt board's CLINT (hw/intc/riscv_aclint.c) driven over qtest:
 * mtime follows the virtual clock at 10 MHz as clock_step moves it,
 * mtimecmp raises and lowers MTIP (at once, and later from the timer),
 * and msip drives MSIP.  Outputs are intercepted on the CLINT: for N
 * harts, 0..N-1 are the MTIP lines and N..2N-1 the MSIP lines (QEMU
 * splits the CLINT into riscv.aclint.mtimer and riscv.aclint.swi, each
 * numbering its lines from 0).
 *
 * test_registers_as_qemu is QEMU 7.2's transcript for the same sequence
 * (qemu-system-riscv64 -M virt -bios none -S -qtest stdio, intercepting
 * its mtimer and then its swi).  Debian's QEMU has no qtest accelerator,
 * so the clock_step tests have no QEMU answers: they check the contract
 * in include/qcore/hw/riscv_aclint.h.
 */
#include "libqtest.h"

#define CLINT           0x2000000ULL
#define MSIP(h)         (CLINT + 4 * (h))
#define MTIMECMP(h)     (CLINT + 0x4000 + 8 * (h))
#define MTIME           (CLINT + 0xbff8)
#define NS_PER_TICK     100

static QTestState *start(const char *args)
{
    QTestState *qts = qtest_initf("-M virt -bios none %s", args);
    g_autofree char *clint = qtest_qom_find(qts, "/machine/unattached",
                                            "riscv.aclint");

    qtest_irq_intercept_out(qts, clint);
    return qts;
}

static void test_registers_as_qemu(void)
{
    QTestState *qts = start("");
    const int mtip = 0, msip = 1;

    g_assert_cmphex(qtest_readq(qts, MTIMECMP(0)), ==, 0);
    g_assert_cmphex(qtest_readq(qts, MTIME), ==, 0);
    qtest_writeq(qts, MTIMECMP(0), 100);
    g_assert_cmphex(qtest_readq(qts, MTIMECMP(0)), ==, 100);
    g_assert(!qtest_get_irq(qts, mtip));
    /* 32-bit halves: mtimecmp 0 is reached, MTIP rises. */
    qtest_writel(qts, MTIMECMP(0) + 4, 0);
    qtest_writel(qts, MTIMECMP(0), 0);
    g_assert(qtest_get_irq(qts, mtip));
    qtest_writel(qts, MTIMECMP(0), 5);
    g_assert(!qtest_get_irq(qts, mtip));
    /* Writing mtime moves time for every comparison. */
    qtest_writeq(qts, MTIME, 4);
    g_assert_cmphex(qtest_readq(qts, MTIME), ==, 4);
    g_assert(!qtest_get_irq(qts, mtip));
    qtest_writeq(qts, MTIME, 5);
    g_assert(qtest_get_irq(qts, mtip));
    qtest_writeq(qts, MTIME, 0x1000);
    qtest_writel(qts, MTIME, 0x20);
    g_assert_cmphex(qtest_readq(qts, MTIME), ==, 0x20);
    qtest_writel(qts, MTIME + 4, 1);
    g_assert_cmphex(qtest_readq(qts, MTIME), ==, 0x100000020ULL);
    qtest_writeq(qts, MTIMECMP(0), UINT64_MAX);
    g_assert(!qtest_get_irq(qts, mtip));
    /* A hart that does not exist: reads 0, ignores writes. */
    qtest_writeq(qts, MTIMECMP(1), 7);
    g_assert_cmphex(qtest_readq(qts, MTIMECMP(1)), ==, 0);

    /* msip: bit 0 only. */
    g_assert_cmphex(qtest_readl(qts, MSIP(0)), ==, 0);
    qtest_writel(qts, MSIP(0), 1);
    g_assert(qtest_get_irq(qts, msip));
    g_assert_cmphex(qtest_readl(qts, MSIP(0)), ==, 1);
    qtest_writel(qts, MSIP(0), 3);
    g_assert_cmphex(qtest_readl(qts, MSIP(0)), ==, 1);
    qtest_writel(qts, MSIP(0), 0);
    g_assert(!qtest_get_irq(qts, msip));
    qtest_writel(qts, MSIP(1), 1);
    g_assert_cmphex(qtest_readl(qts, MSIP(1)), ==, 0);
    qtest_quit(qts);
}

static void test_mtime_follows_clock_step(void)
{
    QTestState *qts = start("");

    g_assert_cmpint(qtest_readq(qts, MTIME), ==, 0);
    qtest_clock_step(qts, 10 * NS_PER_TICK);
    g_assert_cmpint(qtest_readq(qts, MTIME), ==, 10);
    /* Part of a tick does not count yet. */
    qtest_clock_step(qts, NS_PER_TICK - 1);
    g_assert_cmpint(qtest_readq(qts, MTIME), ==, 10);
    qtest_clock_step(qts, 1);
    g_assert_cmpint(qtest_readq(qts, MTIME), ==, 11);
    /* A written mtime keeps counting from there. */
    qtest_writeq(qts, MTIME, 1000);
    qtest_clock_step(qts, 5 * NS_PER_TICK);
    g_assert_cmpint(qtest_readq(qts, MTIME), ==, 1005);
    qtest_quit(qts);
}

static void test_mtimecmp_fires_when_clock_reaches_it(void)
{
    QTestState *qts = start("-smp 2");
    const int mtip0 = 0, mtip1 = 1, msip1 = 3;
    int64_t now;

    /* Reset leaves mtimecmp 0, so MTIP is up on both harts. */
    qtest_writeq(qts, MTIMECMP(0), 50);
    qtest_writeq(qts, MTIMECMP(1), 80);
    g_assert(!qtest_get_irq(qts, mtip0));
    g_assert(!qtest_get_irq(qts, mtip1));

    /* Just before tick 50 nothing; the next deadline is exactly it. */
    qtest_clock_step(qts, 50 * NS_PER_TICK - 1);
    g_assert(!qtest_get_irq(qts, mtip0));
    now = qtest_clock_step_next(qts);
    g_assert_cmpint(now, ==, 50 * NS_PER_TICK);
    g_assert(qtest_get_irq(qts, mtip0));
    g_assert(!qtest_get_irq(qts, mtip1));

    /* One long step passes hart 1's deadline on the way. */
    qtest_clock_step(qts, 1000 * NS_PER_TICK);
    g_assert(qtest_get_irq(qts, mtip1));
    /* Moving mtimecmp ahead lowers MTIP again. */
    qtest_writeq(qts, MTIMECMP(1), qtest_readq(qts, MTIME) + 10);
    g_assert(!qtest_get_irq(qts, mtip1));
    g_assert_cmpint(qtest_clock_step_next(qts), ==, now + 1010 * NS_PER_TICK);
    g_assert(qtest_get_irq(qts, mtip1));

    qtest_writel(qts, MSIP(1), 1);
    g_assert(qtest_get_irq(qts, msip1));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-aclint/registers-as-qemu",
                    test_registers_as_qemu);
    g_test_add_func("/riscv-aclint/mtime-follows-clock-step",
                    test_mtime_follows_clock_step);
    g_test_add_func("/riscv-aclint/mtimecmp-fires-when-clock-reaches-it",
                    test_mtimecmp_fires_when_clock_reaches_it);
    return g_test_run();
}
