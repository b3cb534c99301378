/*
 * timer: CLINT machine timer interrupts on hart 0.  Prints counts and
 * yes/no answers only, never times, so the transcript is deterministic.
 */
#include "runtime.h"

#define INTERVAL 10000UL                /* 1 ms at the 10 MHz timebase */
#define NTICKS   5

static volatile int ticks, other_traps;
static volatile unsigned long last_cause, last_tval;
static int fails;
volatile int vec7_hits;

void m_trap(struct trapframe *tf)
{
    if ((long)tf->cause < 0 && (tf->cause & 0xff) == IRQ_M_TIMER) {
        ticks++;
        last_cause = tf->cause;
        last_tval = tf->tval;
        set_mtimecmp(0, ticks < NTICKS ? mtime() + INTERVAL : ~0UL);
        return;
    }
    printf("unexpected trap: mcause 0x%lx mtval 0x%lx\n", tf->cause, tf->tval);
    exit(1);
}

/* A vectored mtvec table: exceptions to trap_entry, the timer to vec7. */
__asm__(
    ".section .text\n"
    ".balign 256\n"
    "vector_table:\n"
    ".option push\n"
    ".option norvc\n"
    "   j trap_entry\n"                 /* 0: exceptions */
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j vec7\n"                       /* 7: machine timer */
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    "   j trap_entry\n"
    ".option pop\n"
    "vec7:\n"
    "   addi sp, sp, -16\n"
    "   sd t0, 0(sp)\n"
    "   sd t1, 8(sp)\n"
    "   la t0, vec7_hits\n"
    "   li t1, 1\n"
    "   amoadd.w zero, t1, (t0)\n"
    "   li t0, -1\n"                    /* disarm: mtimecmp[0] = max */
    "   li t1, 0x2004000\n"
    "   sd t0, 0(t1)\n"
    "   ld t0, 0(sp)\n"
    "   ld t1, 8(sp)\n"
    "   addi sp, sp, 16\n"
    "   mret\n");
extern char vector_table[];

static void check(const char *what, int ok)
{
    printf("%-44s %s\n", what, ok ? "yes" : "NO");
    fails += !ok;
}

int main(void)
{
    puts("timer: CLINT machine timer on hart 0");
    csr_write(mtvec, (uintptr_t)trap_entry);
    set_mtimecmp(0, ~0UL);

    /* mtime and the time CSR */
    uint64_t prev = mtime();
    int monotonic = 1;
    for (int i = 0; i < 1000; i++) {
        uint64_t now = mtime();
        monotonic &= now >= prev;
        prev = now;
    }
    check("mtime monotonic over 1000 reads:", monotonic);
    uint64_t t0 = mtime();
    delay_ticks(1000);
    check("mtime advanced across a busy wait:", mtime() > t0);
    t0 = mtime();
    uint64_t tc = csr_read(time);
    uint64_t t1 = mtime();
    check("time CSR lies between two mtime reads:", t0 <= tc && tc <= t1);

    /* polled: MTIP with interrupts globally off, wfi still wakes */
    csr_set(mie, 1UL << IRQ_M_TIMER);
    set_mtimecmp(0, mtime() + 100 * INTERVAL);     /* 100 ms: no race */
    check("mip.MTIP clear before the deadline:",
          !(csr_read(mip) & (1UL << IRQ_M_TIMER)));
    while (!(csr_read(mip) & (1UL << IRQ_M_TIMER))) {
        wfi();
    }
    check("mip.MTIP set after the deadline (MIE=0):", 1);
    check("no trap taken with mstatus.MIE=0:", ticks == 0 && other_traps == 0);
    set_mtimecmp(0, ~0UL);
    check("mip.MTIP clears when mtimecmp = max:",
          !(csr_read(mip) & (1UL << IRQ_M_TIMER)));

    /* interrupt-driven: NTICKS ticks, each re-armed by the handler */
    t0 = mtime();
    set_mtimecmp(0, t0 + INTERVAL);
    csr_set(mstatus, MSTATUS_MIE);
    while (ticks < NTICKS) {
        wfi();
    }
    csr_clear(mstatus, MSTATUS_MIE);
    t1 = mtime();
    printf("timer interrupts taken: %d\n", ticks);
    printf("mcause 0x%lx, mtval 0x%lx\n", last_cause, last_tval);
    check("elapsed mtime >= ticks * interval:", t1 - t0 >= NTICKS * INTERVAL);
    delay_ticks(3 * INTERVAL);
    printf("timer interrupts after disarming: %d\n", ticks);

    /* a deadline already in the past fires as soon as MIE is set */
    ticks = NTICKS - 1;                 /* the handler will disarm */
    set_mtimecmp(0, 0);
    check("mip.MTIP set at once for mtimecmp = 0:",
          (csr_read(mip) & (1UL << IRQ_M_TIMER)) != 0);
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile("nop; nop; nop" ::: "memory");
    csr_clear(mstatus, MSTATUS_MIE);
    check("past deadline interrupted straight away:", ticks == NTICKS);

    /* vectored mode: the timer goes to vector_table + 4 * 7 */
    csr_write(mtvec, (uintptr_t)vector_table | 1);
    printf("mtvec mode after writing vectored: %lu\n", csr_read(mtvec) & 3);
    for (int i = 0; i < 3; i++) {
        set_mtimecmp(0, mtime() + INTERVAL);
        csr_set(mstatus, MSTATUS_MIE);
        while (vec7_hits == i) {
            wfi();
        }
        csr_clear(mstatus, MSTATUS_MIE);
    }
    csr_write(mtvec, (uintptr_t)trap_entry);
    printf("vectored timer interrupts: %d, through the common entry: %d\n",
           vec7_hits, ticks - NTICKS);

    csr_clear(mie, 1UL << IRQ_M_TIMER);
    printf("timer: %d failures\n", fails);
    return fails;
}
