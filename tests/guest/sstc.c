/*
 * sstc: the supervisor timer of the Sstc extension.  M-mode sets
 * menvcfg.STCE and mcounteren.TM, delegates the S timer interrupt and
 * drops to S-mode, which programs stimecmp: STIP follows time >= stimecmp
 * at once for a deadline in the past or "never", rises by itself when time
 * gets there (wfi wakes), and 3 interrupt-driven ticks are taken and
 * re-armed by the S-mode handler.  Back in M-mode with STCE clear: what a
 * stimecmp write still does to STIP, and mip.STIP writable again.  Ticks
 * are counted, never timed.
 */
#include "runtime.h"

#define MIP_STIP (1UL << IRQ_S_TIMER)

static jmp_buf back_to_m;
static volatile int ticks;
static volatile unsigned long tick_cause;

static inline unsigned long rdtime(void)
{
    return csr_read(time);
}

static inline void set_stimecmp(unsigned long v)
{
    __asm__ volatile("csrw 0x14d, %0" :: "r"(v) : "memory");
}

void m_trap(struct trapframe *tf)
{
    if (tf->cause == CAUSE_SUPERVISOR_ECALL) {
        longjmp(back_to_m, 1);
    }
    printf("unexpected M trap: cause 0x%lx epc 0x%lx\n", tf->cause, tf->epc);
    exit(1);
}

void s_trap(struct trapframe *tf)
{
    if (tf->cause == (1UL << 63 | IRQ_S_TIMER)) {
        tick_cause = tf->cause;
        ticks++;
        set_stimecmp(ticks < 3 ? rdtime() + 5000 : ~0UL);
        return;
    }
    printf("unexpected S trap: cause 0x%lx\n", tf->cause);
    exit(1);
}

static unsigned long stip(void)
{
    return (csr_read(sip) & MIP_STIP) ? 1 : 0;
}

static void s_main(void)
{
    unsigned long t;

    printf("S: sip.STIP at start %lu\n", stip());
    set_stimecmp(rdtime() - 1);
    printf("S: stimecmp in the past: STIP %lu\n", stip());
    set_stimecmp(~0UL);
    printf("S: stimecmp = -1: STIP %lu\n", stip());
    set_stimecmp(rdtime() + 10000000);
    printf("S: stimecmp 1 s ahead: STIP %lu\n", stip());
    set_stimecmp(rdtime() + 10000);
    csr_set(sie, MIP_STIP);
    while (!stip()) {
        wfi();                  /* SIE is 0: wakes without a trap */
    }
    __asm__ volatile("csrr %0, 0x14d" : "=r"(t) :: "memory");
    printf("S: STIP rose by itself, time %s stimecmp\n",
           rdtime() >= t ? ">=" : "<");
    set_stimecmp(~0UL);
    printf("S: after stimecmp = -1: STIP %lu\n", stip());

    set_stimecmp(rdtime() + 5000);
    csr_set(sstatus, SSTATUS_SIE);
    while (ticks < 3) {
        wfi();
    }
    csr_clear(sstatus, SSTATUS_SIE);
    printf("S: %d ticks, scause 0x%lx, STIP %lu\n", ticks, tick_cause,
           stip());
    __asm__ volatile("ecall" ::: "memory");
}

int main(unsigned long hartid, unsigned long dtb)
{
    static uint64_t s_stack[1024] __attribute__((aligned(16)));
    static uint64_t m_stack[1024] __attribute__((aligned(16)));
    unsigned long st;

    (void)hartid;
    (void)dtb;
    csr_write(mtvec, (uintptr_t)trap_entry);
    csr_write(stvec, (uintptr_t)strap_entry);
    puts("sstc: the S-mode timer");
    printf("M: mip.STIP at reset %lu\n", (csr_read(mip) >> 5) & 1);
    csr_write(0x30a, 1UL << 63);       /* menvcfg.STCE */
    csr_write(mcounteren, 2);         /* TM */
    csr_write(mideleg, MIP_STIP);
    csr_clear(mip, MIP_STIP);
    printf("M: csrc mip.STIP with STCE: STIP %lu\n", (csr_read(mip) >> 5) & 1);

    if (setjmp(back_to_m) == 0) {
        st = csr_read(mstatus);
        st = (st & ~(unsigned long)MSTATUS_MPP) | MSTATUS_MPP_S;
        csr_write(mstatus, st);
        csr_write(mepc, (uintptr_t)s_main);
        csr_write(mscratch, (uintptr_t)&m_stack[1024]);
        csr_write(sscratch, 0);
        __asm__ volatile("mv sp, %0\n\tmret" :: "r"(&s_stack[1024]) : "memory");
    }

    puts("M: back");
    csr_write(0x30a, 0);               /* STCE off */
    set_stimecmp(rdtime() - 1);
    printf("M: STCE 0, stimecmp in the past: STIP %lu\n",
           (csr_read(mip) >> 5) & 1);
    csr_clear(mip, MIP_STIP);
    printf("M: STCE 0, csrc mip.STIP: STIP %lu\n", (csr_read(mip) >> 5) & 1);
    csr_set(mip, MIP_STIP);
    set_stimecmp(~0UL);
    printf("M: STCE 0, stimecmp = -1: STIP %lu\n", (csr_read(mip) >> 5) & 1);
    return 0;
}
