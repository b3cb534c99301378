/*
 * The virt board's PLIC (hw/intc/sifive_plic.c) driven over qtest:
 * priorities, pending bits, enables, thresholds, claim and complete, with
 * the context outputs intercepted.  Outputs are numbered as QEMU numbers
 * its PLIC's GPIOs: first each hart's S-mode context, then each hart's
 * M-mode one (one hart: 0 is S, 1 is M).
 *
 * test_priority_threshold_claim_as_qemu is QEMU 7.2's transcript for the
 * same sequence (qemu-system-riscv64 -M virt -bios none -S -qtest stdio,
 * the UART's THR-empty interrupt as source 10).  Two things QEMU 7.2
 * does differently are tested as qcore does them, after the PLIC
 * specification: writing an enable bit re-evaluates the outputs at once
 * (QEMU waits for the next pending or threshold change), and completing
 * a source whose input is still high makes it pending again (QEMU only
 * notices when the device raises its line again).  set_irq_in is
 * qcore-only here: QEMU 7.2 aborts on it for its PLIC.
 */
#include "libqtest.h"

#define PLIC            0xc000000ULL
#define PRIORITY(id)    (PLIC + 4 * (id))
#define PENDING0        (PLIC + 0x1000)
#define ENABLE(ctx)     (PLIC + 0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx)  (PLIC + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)      (THRESHOLD(ctx) + 4)
#define UART_IER        0x10000001ULL
#define UART_IRQ        10
#define OUT_S           0           /* hart 0, context 1 */
#define OUT_M           1           /* hart 0, context 0 */

static QTestState *start(char **plic)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    *plic = qtest_qom_find(qts, "/machine/unattached", "riscv.sifive.plic");
    qtest_irq_intercept_out(qts, *plic);
    return qts;
}

static void test_priority_threshold_claim_as_qemu(void)
{
    g_autofree char *plic = NULL;
    QTestState *qts = start(&plic);

    g_assert_cmphex(qtest_readl(qts, PRIORITY(UART_IRQ)), ==, 0);
    qtest_writel(qts, PRIORITY(UART_IRQ), 0xffffffff);
    g_assert_cmphex(qtest_readl(qts, PRIORITY(UART_IRQ)), ==, 7);
    qtest_writel(qts, PRIORITY(UART_IRQ), 3);
    /* Source 0 does not exist: its priority stays 0. */
    qtest_writel(qts, PRIORITY(0), 5);
    g_assert_cmphex(qtest_readl(qts, PRIORITY(0)), ==, 0);

    qtest_writel(qts, ENABLE(0), 1 << UART_IRQ);
    qtest_writel(qts, THRESHOLD(0), 3);
    g_assert_cmphex(qtest_readl(qts, THRESHOLD(0)), ==, 3);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 0);
    qtest_writeb(qts, UART_IER, 0x02);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 1 << UART_IRQ);
    /* Priority 3 is not above threshold 3. */
    g_assert(!qtest_get_irq(qts, OUT_M));
    qtest_writel(qts, THRESHOLD(0), 2);
    g_assert(qtest_get_irq(qts, OUT_M));
    g_assert(!qtest_get_irq(qts, OUT_S));
    /* Thresholds keep 3 bits. */
    qtest_writel(qts, THRESHOLD(0), 9);
    g_assert_cmphex(qtest_readl(qts, THRESHOLD(0)), ==, 1);
    qtest_writel(qts, THRESHOLD(0), 0);

    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, UART_IRQ);
    g_assert(!qtest_get_irq(qts, OUT_M));
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 0);
    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, 0);
    /* A 64-bit read of two 32-bit registers gets both (QEMU 7.2 too). */
    g_assert_cmphex(qtest_readq(qts, PRIORITY(UART_IRQ)), ==, 3);
    qtest_quit(qts);
}

static void test_complete_with_input_high_pends_again(void)
{
    g_autofree char *plic = NULL;
    QTestState *qts = start(&plic);

    qtest_writel(qts, PRIORITY(UART_IRQ), 1);
    qtest_writeb(qts, UART_IER, 0x02);
    g_assert(!qtest_get_irq(qts, OUT_M));
    /* Enabling a pending source raises the output at once. */
    qtest_writel(qts, ENABLE(0), 1 << UART_IRQ);
    g_assert(qtest_get_irq(qts, OUT_M));
    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, UART_IRQ);
    g_assert(!qtest_get_irq(qts, OUT_M));
    qtest_writel(qts, CLAIM(0), UART_IRQ);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 1 << UART_IRQ);
    g_assert(qtest_get_irq(qts, OUT_M));
    /* The device lowers its line: no longer pending. */
    qtest_writeb(qts, UART_IER, 0x00);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 0);
    g_assert(!qtest_get_irq(qts, OUT_M));
    qtest_quit(qts);
}

static void test_claim_order_and_contexts(void)
{
    g_autofree char *plic = NULL;
    QTestState *qts = start(&plic);

    qtest_writel(qts, PRIORITY(5), 1);
    qtest_writel(qts, PRIORITY(7), 1);
    qtest_writel(qts, PRIORITY(10), 3);
    qtest_set_irq_in(qts, plic, "unnamed", 7, 1);
    qtest_set_irq_in(qts, plic, "unnamed", 5, 1);
    qtest_set_irq_in(qts, plic, "unnamed", 10, 1);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 0x4a0);

    /* M context gets all three, the S context only source 7. */
    qtest_writel(qts, ENABLE(0), 0x4a0);
    qtest_writel(qts, ENABLE(1), 0x080);
    g_assert(qtest_get_irq(qts, OUT_M));
    g_assert(qtest_get_irq(qts, OUT_S));
    /* Highest priority first, then the lower id. */
    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, 10);
    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, 5);
    /* Claimed by one context, a source is gone for the other too. */
    g_assert_cmphex(qtest_readl(qts, CLAIM(0)), ==, 7);
    g_assert(!qtest_get_irq(qts, OUT_S));
    g_assert_cmphex(qtest_readl(qts, CLAIM(1)), ==, 0);
    g_assert(!qtest_get_irq(qts, OUT_M));

    /* Lowered inputs: completing leaves nothing pending. */
    qtest_set_irq_in(qts, plic, "unnamed", 5, 0);
    qtest_set_irq_in(qts, plic, "unnamed", 7, 0);
    qtest_set_irq_in(qts, plic, "unnamed", 10, 0);
    qtest_writel(qts, CLAIM(0), 10);
    qtest_writel(qts, CLAIM(0), 5);
    qtest_writel(qts, CLAIM(0), 7);
    g_assert_cmphex(qtest_readl(qts, PENDING0), ==, 0);
    g_assert(!qtest_get_irq(qts, OUT_M));
    g_assert(!qtest_get_irq(qts, OUT_S));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sifive-plic/priority-threshold-claim-as-qemu",
                    test_priority_threshold_claim_as_qemu);
    g_test_add_func("/sifive-plic/complete-with-input-high-pends-again",
                    test_complete_with_input_high_pends_again);
    g_test_add_func("/sifive-plic/claim-order-and-contexts",
                    test_claim_order_and_contexts);
    return g_test_run();
}
