/*
 * bench-dispatch: what one dispatch of qcore's interpreter costs, for
 * bench/README.md.  Loops of 8 independent c.addi, 8 dependent ones, 8
 * independent 32-bit addi, 8 loads and 8 stores (plus the loop's addi and
 * bnez), 20 million iterations each; guest MIPS from minstret and mtime.
 * Not a functional test: it prints measurements.  (QEMU's minstret counts
 * host cycles without -icount, so on QEMU the MIPS lines mean nothing.)
 */
#include "runtime.h"

#define N 20000000UL

static uint64_t t0, i0;

static void start(void)
{
    t0 = mtime();
    i0 = csr_read(minstret);
}

static void report(const char *what)
{
    uint64_t i1 = csr_read(minstret), t1 = mtime();
    uint64_t mips10 = (i1 - i0) * 100 / (t1 - t0);

    printf("%-28s MIPS %lu.%lu\n", what, (unsigned long)(mips10 / 10),
           (unsigned long)(mips10 % 10));
}

#define REGS "t0", "t1", "t2", "a1", "a2", "a3", "a4", "a5"

int main(void)
{
    static uint64_t buf[8];
    unsigned long n;

    n = N;
    start();
    __asm__ volatile("1:\n"
                     "addi t0, t0, 1\n addi t1, t1, 1\n addi t2, t2, 1\n"
                     "addi a1, a1, 1\n addi a2, a2, 1\n addi a3, a3, 1\n"
                     "addi a4, a4, 1\n addi a5, a5, 1\n"
                     "addi %0, %0, -1\n bnez %0, 1b"
                     : "+r"(n) :: REGS);
    report("independent c.addi");

    n = N;
    start();
    __asm__ volatile("1:\n"
                     "addi t0, t0, 1\n addi t0, t0, 1\n addi t0, t0, 1\n"
                     "addi t0, t0, 1\n addi t0, t0, 1\n addi t0, t0, 1\n"
                     "addi t0, t0, 1\n addi t0, t0, 1\n"
                     "addi %0, %0, -1\n bnez %0, 1b"
                     : "+r"(n) :: "t0");
    report("dependent c.addi");

    n = N;
    start();
    __asm__ volatile(".option push\n.option norvc\n1:\n"
                     "addi t0, t0, 1\n addi t1, t1, 1\n addi t2, t2, 1\n"
                     "addi a1, a1, 1\n addi a2, a2, 1\n addi a3, a3, 1\n"
                     "addi a4, a4, 1\n addi a5, a5, 1\n"
                     "addi %0, %0, -1\n bnez %0, 1b\n.option pop"
                     : "+r"(n) :: REGS);
    report("independent addi (32-bit)");

    n = N;
    start();
    __asm__ volatile("1:\n"
                     "ld t0, 0(%1)\n ld t1, 8(%1)\n ld t2, 16(%1)\n"
                     "ld a1, 24(%1)\n ld a2, 32(%1)\n ld a3, 40(%1)\n"
                     "ld a4, 48(%1)\n ld a5, 56(%1)\n"
                     "addi %0, %0, -1\n bnez %0, 1b"
                     : "+r"(n) : "r"(buf) : REGS);
    report("independent ld");

    n = N;
    start();
    __asm__ volatile("1:\n"
                     "sd t0, 0(%1)\n sd t1, 8(%1)\n sd t2, 16(%1)\n"
                     "sd a1, 24(%1)\n sd a2, 32(%1)\n sd a3, 40(%1)\n"
                     "sd a4, 48(%1)\n sd a5, 56(%1)\n"
                     "addi %0, %0, -1\n bnez %0, 1b"
                     : "+r"(n) : "r"(buf) : "memory");
    report("independent sd");
    return 0;
}
