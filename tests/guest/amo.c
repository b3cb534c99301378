/*
 * amo: A-extension semantics on one hart, then 4 harts contending on shared
 * counters with amoadd.w, with an LR/SC loop, and with a spinlock built on
 * amoswap.w.aq/.rl around a plain increment.  Hart 0 waits for everyone
 * and prints the totals.  Run with -smp 4.
 */
#include "runtime.h"

#define NHARTS  4
#define ITERS   20000

static volatile int online, go, done[3];
static volatile int32_t amo_counter, lrsc_counter;
static volatile int64_t lock_counter;
static spinlock_t counter_lock;
static int fails;

static void barrier(volatile int *count)
{
    __atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
    while (*count < NHARTS) {
        cpu_relax();
    }
}

static void work(void)
{
    for (int i = 0; i < ITERS; i++) {
        __asm__ volatile("amoadd.w zero, %1, (%0)"
                         :: "r"(&amo_counter), "r"(1) : "memory");
    }
    barrier(&done[0]);
    for (int i = 0; i < ITERS; i++) {
        long tmp, fail;
        __asm__ volatile("1: lr.w %0, (%2)\n\t"
                         "addiw %0, %0, 1\n\t"
                         "sc.w %1, %0, (%2)\n\t"
                         "bnez %1, 1b"
                         : "=&r"(tmp), "=&r"(fail)
                         : "r"(&lrsc_counter) : "memory");
    }
    barrier(&done[1]);
    for (int i = 0; i < ITERS; i++) {
        spin_lock(&counter_lock);
        lock_counter = lock_counter + 1;
        spin_unlock(&counter_lock);
    }
    barrier(&done[2]);
}

void secondary_main(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    if (hartid >= NHARTS) {
        return;
    }
    __atomic_fetch_add(&online, 1, __ATOMIC_SEQ_CST);
    while (!go) {
        cpu_relax();
    }
    work();
}

static void check(const char *what, long got, long want)
{
    printf("%-36s = 0x%016lx %s\n", what, got, got == want ? "ok" : "MISMATCH");
    fails += got != want;
}

#define AMO(insn, mem, src) ({ long __r; \
    __asm__ volatile(insn " %0, %2, (%1)" : "=r"(__r) : "r"(&(mem)), "r"(src) : "memory"); \
    __r; })

static void single_hart(void)
{
    static volatile int32_t w __attribute__((aligned(8)));
    static volatile int64_t d;
    static volatile int64_t other;
    long r, fail;

    puts("-- single hart");
    w = 0x7fffffff;
    check("amoadd.w old (0x7fffffff)", AMO("amoadd.w", w, 1L), 0x7fffffff);
    check("amoadd.w old (0x80000000, sext)", AMO("amoadd.w", w, 1L),
          (long)0xffffffff80000000UL);
    check("  memory", w, (int32_t)0x80000001);
    check("amoswap.w old", AMO("amoswap.w", w, 0x12345678L), (int32_t)0x80000001);
    check("amoand.w old", AMO("amoand.w", w, 0xff00ff00L), 0x12345678);
    check("  memory", w, 0x12005600);
    check("amoor.w old", AMO("amoor.w", w, 0x0000000fL), 0x12005600);
    check("amoxor.w old", AMO("amoxor.w", w, 0xffffffffL), 0x1200560f);
    check("  memory", w, (int32_t)0xedffa9f0);
    w = -5;
    check("amomin.w old (-5)", AMO("amomin.w", w, 3L), -5);
    check("  memory (min -5,3)", w, -5);
    check("amominu.w old (-5)", AMO("amominu.w", w, 3L), -5);
    check("  memory (minu 0xfffffffb,3)", w, 3);
    check("amomax.w old (3)", AMO("amomax.w", w, -7L), 3);
    check("  memory (max 3,-7)", w, 3);
    check("amomaxu.w old (3)", AMO("amomaxu.w", w, -7L), 3);
    check("  memory (maxu 3,0xfffffff9)", w, -7);
    check("amomax.w hi-garbage src", AMO("amomax.w", w, 0x100000000L), -7);
    check("  memory (max -7,0)", w, 0);
    d = (int64_t)0x8000000000000000UL;
    check("amoadd.d old", AMO("amoadd.d", d, -1L), (long)0x8000000000000000UL);
    check("  memory", d, 0x7fffffffffffffffL);
    check("amomin.d old", AMO("amomin.d", d, (long)0x8000000000000000UL),
          0x7fffffffffffffffL);
    check("  memory", d, (long)0x8000000000000000UL);
    check("amomaxu.d old", AMO("amomaxu.d", d, 1L), (long)0x8000000000000000UL);
    check("  memory", d, (long)0x8000000000000000UL);
    check("amominu.d old", AMO("amominu.d", d, 1L), (long)0x8000000000000000UL);
    check("  memory", d, 1);

    /* LR/SC */
    d = 40;
    __asm__ volatile("lr.d %0, (%2)\n\taddi %0, %0, 2\n\tsc.d %1, %0, (%2)"
                     : "=&r"(r), "=&r"(fail) : "r"(&d) : "memory");
    check("lr.d/sc.d: sc result", fail, 0);
    check("  memory", d, 42);
    __asm__ volatile("sc.d %0, %1, (%2)" : "=&r"(fail) : "r"(7L), "r"(&d) : "memory");
    check("sc.d again, reservation used: result", fail, 1);
    check("  memory unchanged", d, 42);
    __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %0, (%3)"
                     : "=&r"(r), "=&r"(fail) : "r"(&d), "r"(&other) : "memory");
    check("sc.d to another address: result", fail, 1);
    w = (int32_t)0x80000000;
    __asm__ volatile("lr.w %0, (%1)" : "=&r"(r) : "r"(&w) : "memory");
    check("lr.w sign-extends", r, (long)0xffffffff80000000UL);
    __asm__ volatile("sc.w %0, %1, (%2)" : "=&r"(fail) : "r"(5L), "r"(&w) : "memory");
    check("sc.w after lr.w: result", fail, 0);
    check("  memory", w, 5);
}

int main(void)
{
    puts("amo: atomics, 4 harts contending");
    single_hart();

    puts("-- 4 harts");
    uint64_t deadline = mtime() + 10000000;     /* 1 s for the harts to appear */
    while (online < NHARTS - 1 && mtime() < deadline) {
        cpu_relax();
    }
    printf("harts online: %d\n", online + 1);
    if (online != NHARTS - 1) {
        puts("amo: needs -smp 4");
        return 2;
    }
    go = 1;
    work();
    printf("amoadd.w counter:   %d (want %d)\n", amo_counter, NHARTS * ITERS);
    printf("lr/sc counter:      %d (want %d)\n", lrsc_counter, NHARTS * ITERS);
    printf("spinlock counter:   %ld (want %d)\n", (long)lock_counter, NHARTS * ITERS);
    fails += amo_counter != NHARTS * ITERS;
    fails += lrsc_counter != NHARTS * ITERS;
    fails += lock_counter != NHARTS * ITERS;
    printf("amo: %d failures\n", fails);
    return fails;
}
