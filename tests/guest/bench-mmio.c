/*
 * bench-mmio: MMIO round trips per second (a write and a read of the UART
 * scratch register, each one BQL acquisition in qcore), for measuring
 * what the BQL profiler costs on the path that takes the BQL most often
 * (bench/README.md).  Prints measurements; not a functional test.
 */
#include "runtime.h"

#define N 2000000UL
#define UART_SCR 7

int main(void)
{
    uint64_t t0 = mtime(), t1;
    unsigned long i;

    for (i = 0; i < N; i++) {
        mmio_write8(VIRT_UART0 + UART_SCR, (uint8_t)i);
        (void)mmio_read8(VIRT_UART0 + UART_SCR);
    }
    t1 = mtime();
    /* mtime runs at 10 MHz: accesses per second = 2N * 1e7 / ticks. */
    printf("bench-mmio: %lu accesses in %lu ticks, %lu k/s\n", 2 * N,
           (unsigned long)(t1 - t0),
           (unsigned long)(2 * N * 10000 / (t1 - t0)));
    return 0;
}
