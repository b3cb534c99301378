/*
 * echo: UART input through the PLIC.  The ns16550a's receive interrupt
 * (IRQ 10) is enabled for hart 0's M-mode context; the handler claims it,
 * drains the receive buffer into a ring and completes it; main sleeps in
 * wfi and echoes what arrived, until a 'q'.  A '\r' is echoed as "\r\n".
 * Test by piping input into -serial stdio.
 */
#include "runtime.h"

#define UART_IER 1
#define UART_MCR 4
#define PLIC_PRIORITY(irq)  (VIRT_PLIC + 4 * (irq))
#define PLIC_ENABLE(ctx)    (VIRT_PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (VIRT_PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (VIRT_PLIC + 0x200004 + 0x1000 * (ctx))

static volatile char ring[256];
static volatile unsigned head, tail;    /* handler writes head, main tail */
static volatile int irqs, bad_irqs;

void m_trap(struct trapframe *tf)
{
    if (tf->cause == ((1UL << 63) | IRQ_M_EXT)) {
        uint32_t irq = mmio_read32(PLIC_CLAIM(0));
        if (irq == UART0_IRQ) {
            int c;
            while ((c = uart_getc()) >= 0) {
                if (head - tail < sizeof(ring)) {
                    ring[head % sizeof(ring)] = (char)c;
                    head = head + 1;
                }
            }
            irqs++;
        } else if (irq) {
            bad_irqs++;
        }
        if (irq) {
            mmio_write32(PLIC_CLAIM(0), irq);  /* complete */
        }
        return;
    }
    printf("unexpected trap: mcause 0x%lx mtval 0x%lx\n", tf->cause, tf->tval);
    exit(1);
}

int main(void)
{
    unsigned chars = 0, lines = 0;

    csr_write(mtvec, (uintptr_t)trap_entry);
    puts("echo: type a line; 'q' quits");

    mmio_write32(PLIC_PRIORITY(UART0_IRQ), 1);
    mmio_write32(PLIC_ENABLE(0), 1u << UART0_IRQ);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    mmio_write8(VIRT_UART0 + UART_MCR, 0x08);       /* OUT2: irq to the PLIC */
    mmio_write8(VIRT_UART0 + UART_IER, 0x01);       /* receive data available */
    csr_set(mie, 1UL << IRQ_M_EXT);
    csr_set(mstatus, MSTATUS_MIE);

    for (;;) {
        while (tail == head) {
            wfi();
        }
        char c = ring[tail % sizeof(ring)];
        tail = tail + 1;
        if (c == 'q') {
            break;
        }
        chars++;
        if (c == '\r') {
            printf("\r\n");
            lines++;
        } else if (c == '\n') {
            printf("\n");
            lines++;
        } else {
            printf("%c", c);
        }
    }
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_write8(VIRT_UART0 + UART_IER, 0);
    printf("\necho: 'q' after %u characters, %u lines; "
           "through interrupts: %s, spurious sources: %d\n",
           chars, lines, irqs > 0 ? "yes" : "no", bad_irqs);
    return 0;
}
