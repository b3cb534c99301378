/*
 * gdb: a program for the gdbstub's tests (tests/functional/test_gdbstub.py)
 * to stop, step and watch with gdb-multiarch.  Hart 0 calls bump() three
 * times (a breakpoint target that writes the watched `counter` and reads
 * `readme`), then spins until gdb sets `release`, prints the count and
 * exits 0.  The other harts spin in secondary_loop(), each counting in its
 * own slot (tick(), a breakpoint only they hit), so "thread 2" shows a
 * different function and mhartid.
 */
#include "runtime.h"

#define NHARTS 4

volatile unsigned long counter;
volatile unsigned long readme = 7;
volatile unsigned long spins[NHARTS];
volatile int release;

__attribute__((noinline)) unsigned long add_one(unsigned long x)
{
    return x + readme - 6;
}

__attribute__((noinline)) void bump(void)
{
    counter = add_one(counter);
}

__attribute__((noinline)) void wait_for_release(void)
{
    while (!release) {
        spins[0]++;
    }
}

__attribute__((noinline)) void tick(unsigned long hartid)
{
    spins[hartid]++;
}

__attribute__((noinline)) void secondary_loop(unsigned long hartid)
{
    for (;;) {
        tick(hartid);
    }
}

void secondary_main(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    if (hartid < NHARTS) {
        secondary_loop(hartid);
    }
}

int main(unsigned long hartid, unsigned long dtb)
{
    int i;

    (void)hartid;
    (void)dtb;
    puts("gdb: started");
    for (i = 0; i < 3; i++) {
        bump();
    }
    wait_for_release();
    printf("gdb: counter %lu, released %d\n", counter, release);
    return 0;
}
