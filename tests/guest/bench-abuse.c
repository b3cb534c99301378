/*
 * bench-abuse: the guest side of bench/abuse-bench.c, a misbehaving guest
 * that the emulator's main loop must keep serving its monitors through.
 * Prints "bench-abuse: ready", waits for one command byte on the UART,
 * acknowledges it with "bench-abuse: mode X" and then never returns:
 *   'i'  idle: wfi with every interrupt masked (the baseline);
 *   'u'  UART flood: the polled transmit loop of an early console
 *        (LSR.THRE, then THR) with no pause, 'U' bytes and a newline
 *        every 64, so the host reader counts what got through;
 *   'm'  MMIO hammer: a store and a load of the UART scratch register
 *        in a tight loop, one '.' on the UART every 65536 pairs.
 * Not a functional test; it runs until the host kills the emulator.
 */
#include "runtime.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20

#define HAMMER_BATCH 65536

static void __attribute__((noreturn)) idle(void)
{
    csr_write(mie, 0);
    for (;;) {
        wfi();
    }
}

static void __attribute__((noreturn)) flood(void)
{
    unsigned n = 0;

    for (;;) {
        while (!(mmio_read8(VIRT_UART0 + UART_LSR) & LSR_THRE)) {
        }
        mmio_write8(VIRT_UART0 + UART_THR, ++n % 64 ? 'U' : '\n');
    }
}

static void __attribute__((noreturn)) hammer(void)
{
    uint8_t v = 0;

    for (;;) {
        for (unsigned i = 0; i < HAMMER_BATCH; i++) {
            mmio_write8(VIRT_UART0 + UART_SCR, v);
            v = mmio_read8(VIRT_UART0 + UART_SCR) + 1;
        }
        uart_putc('.');
    }
}

int main(void)
{
    int c;

    puts("bench-abuse: ready");
    do {
        c = uart_getc();
    } while (c != 'i' && c != 'u' && c != 'm');
    printf("bench-abuse: mode %c\n", c);
    if (c == 'u') {
        flood();
    }
    if (c == 'm') {
        hammer();
    }
    idle();
}
