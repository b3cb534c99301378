/*
 * The virt board's ns16550a UART (hw/char/serial.c) driven over qtest:
 * reset values, divisor latch, scratch, THR-empty and receive interrupts
 * seen on the PLIC's input 10, loopback and the FIFO bits of IIR.
 * QEMU's counterpart is tests/qtest/ for its serial devices.  Every value
 * asserted here is the answer QEMU 7.2 gave to the same sequence
 * (qemu-system-riscv64 -M virt -bios none -S -qtest stdio, with
 * irq_intercept_in on its PLIC, /machine/unattached/device[2] there too).
 */
#include "libqtest.h"

#define UART    0x10000000ULL
#define RBR     (UART + 0)      /* THR on write, DLL with DLAB */
#define IER     (UART + 1)      /* DLM with DLAB */
#define IIR     (UART + 2)      /* FCR on write */
#define LCR     (UART + 3)
#define MCR     (UART + 4)
#define LSR     (UART + 5)
#define MSR     (UART + 6)
#define SCR     (UART + 7)
#define UART_IRQ 10

static QTestState *start(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");
    g_autofree char *plic = qtest_qom_find(qts, "/machine/unattached",
                                           "riscv.sifive.plic");

    qtest_irq_intercept_in(qts, plic);
    return qts;
}

static void test_reset_values(void)
{
    QTestState *qts = start();

    g_assert_cmphex(qtest_readb(qts, RBR), ==, 0x00);
    g_assert_cmphex(qtest_readb(qts, IER), ==, 0x00);
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x01);
    g_assert_cmphex(qtest_readb(qts, LCR), ==, 0x00);
    g_assert_cmphex(qtest_readb(qts, MCR), ==, 0x08);
    g_assert_cmphex(qtest_readb(qts, LSR), ==, 0x60);
    g_assert_cmphex(qtest_readb(qts, MSR), ==, 0xb0);
    g_assert_cmphex(qtest_readb(qts, SCR), ==, 0x00);
    /* A 4-byte read at LSR is four byte reads: LSR, MSR, SCR, nothing. */
    g_assert_cmphex(qtest_readl(qts, LSR), ==, 0xb060);
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    qtest_quit(qts);
}

static void test_scratch_and_divisor_latch(void)
{
    QTestState *qts = start();

    qtest_writeb(qts, SCR, 0x5a);
    g_assert_cmphex(qtest_readb(qts, SCR), ==, 0x5a);
    qtest_writeb(qts, LCR, 0x83);
    qtest_writeb(qts, RBR, 0x0c);
    qtest_writeb(qts, IER, 0x01);
    g_assert_cmphex(qtest_readb(qts, RBR), ==, 0x0c);
    g_assert_cmphex(qtest_readb(qts, IER), ==, 0x01);
    qtest_writeb(qts, LCR, 0x03);
    g_assert_cmphex(qtest_readb(qts, LCR), ==, 0x03);
    /* The latch did not touch IER, and enabling nothing raises nothing. */
    g_assert_cmphex(qtest_readb(qts, IER), ==, 0x00);
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    qtest_quit(qts);
}

static void test_thr_empty_interrupt(void)
{
    QTestState *qts = start();

    qtest_writeb(qts, IER, 0x02);
    g_assert(qtest_get_irq(qts, UART_IRQ));
    /* Reading IIR reports THRE once and clears it. */
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x02);
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x01);
    /* A byte sent: the holding register empties again, THRE again. */
    qtest_writeb(qts, RBR, 'A');
    g_assert(qtest_get_irq(qts, UART_IRQ));
    g_assert_cmphex(qtest_readb(qts, LSR), ==, 0x60);
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x02);
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    qtest_writeb(qts, IER, 0x00);
    qtest_quit(qts);
}

static void test_loopback_receive_interrupt(void)
{
    QTestState *qts = start();

    qtest_writeb(qts, MCR, 0x10);
    g_assert_cmphex(qtest_readb(qts, MSR), ==, 0x00);
    qtest_writeb(qts, RBR, 'B');
    g_assert_cmphex(qtest_readb(qts, LSR), ==, 0x61);
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    qtest_writeb(qts, IER, 0x01);
    g_assert(qtest_get_irq(qts, UART_IRQ));
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x04);
    g_assert_cmphex(qtest_readb(qts, RBR), ==, 'B');
    g_assert(!qtest_get_irq(qts, UART_IRQ));
    g_assert_cmphex(qtest_readb(qts, LSR), ==, 0x60);
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0x01);
    /* In loopback the modem outputs come back as its inputs. */
    qtest_writeb(qts, MCR, 0x1f);
    g_assert_cmphex(qtest_readb(qts, MSR), ==, 0xf0);
    qtest_writeb(qts, MCR, 0x00);
    /* FIFOs on: IIR says so in its top bits. */
    qtest_writeb(qts, IIR, 0x07);
    g_assert_cmphex(qtest_readb(qts, IIR), ==, 0xc1);
    g_assert_cmphex(qtest_readb(qts, LSR), ==, 0x60);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ns16550a/reset-values", test_reset_values);
    g_test_add_func("/ns16550a/scratch-and-divisor-latch",
                    test_scratch_and_divisor_latch);
    g_test_add_func("/ns16550a/thr-empty-interrupt", test_thr_empty_interrupt);
    g_test_add_func("/ns16550a/loopback-receive-interrupt",
                    test_loopback_receive_interrupt);
    return g_test_run();
}
