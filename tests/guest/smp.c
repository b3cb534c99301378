/*
 * smp: start-up and IPIs through the CLINT's msip registers.  The other
 * harts wait in wfi (mie.MSIP set, mstatus.MIE clear) until hart 0 sends
 * them an IPI; they report one at a time, in hart order, and IPI hart 0
 * back.  Then the same again with the IPI taken as a trap.  Run with -smp 4.
 */
#include "runtime.h"

#define NHARTS 4

static volatile int online, turn, ack, trap_turn;
static volatile unsigned long trap_cause[NHARTS];
static int fails;

static void wait_ipi(unsigned long hartid)
{
    while (!(csr_read(mip) & (1UL << IRQ_M_SOFT))) {
        wfi();
    }
    clear_ipi(hartid);
    while (csr_read(mip) & (1UL << IRQ_M_SOFT)) {
        cpu_relax();
    }
}

void m_trap(struct trapframe *tf)
{
    unsigned long hartid = csr_read(mhartid);

    if (tf->cause == ((1UL << 63) | IRQ_M_SOFT)) {
        clear_ipi(hartid);
        trap_cause[hartid] = tf->cause;
        trap_turn = (int)hartid;
        return;
    }
    printf("hart %lu: unexpected trap mcause 0x%lx mtval 0x%lx\n",
           hartid, tf->cause, tf->tval);
    exit(1);
}

void secondary_main(unsigned long hartid, unsigned long a1)
{
    (void)a1;
    if (hartid >= NHARTS) {
        return;
    }
    csr_write(mtvec, (uintptr_t)trap_entry);
    csr_set(mie, 1UL << IRQ_M_SOFT);
    __atomic_fetch_add(&online, 1, __ATOMIC_SEQ_CST);

    /* round 1: polled IPI */
    wait_ipi(hartid);
    printf("hart %lu: woken by IPI, turn %d, mhartid %lu\n",
           hartid, turn, csr_read(mhartid));
    turn = turn + 1;
    fence();
    send_ipi(0);

    /* round 2: the IPI taken as an interrupt */
    csr_set(mstatus, MSTATUS_MIE);
    while (trap_turn != (int)hartid) {
        wfi();
    }
    csr_clear(mstatus, MSTATUS_MIE);
    printf("hart %lu: software interrupt trap, mcause 0x%lx\n",
           hartid, trap_cause[hartid]);
    fence();
    ack = ack + 1;
}

int main(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    puts("smp: hart start-up and IPIs");
    printf("hart %lu: main, a0 %lu\n", csr_read(mhartid), hartid);
    csr_write(mtvec, (uintptr_t)trap_entry);
    csr_set(mie, 1UL << IRQ_M_SOFT);

    uint64_t deadline = mtime() + 10000000;     /* 1 s */
    while (online < NHARTS - 1 && mtime() < deadline) {
        cpu_relax();
    }
    printf("harts online: %d\n", online + 1);
    if (online != NHARTS - 1) {
        puts("smp: needs -smp 4");
        return 2;
    }
    printf("msip[1] before any IPI: %u\n", mmio_read32(CLINT_MSIP(1)));

    puts("-- round 1: wfi with mstatus.MIE=0, polled mip.MSIP");
    for (int h = 1; h < NHARTS; h++) {
        turn = h;
        fence();
        send_ipi(h);
        wait_ipi(0);
        if (turn != h + 1) {
            printf("hart %d did not report\n", h);
            fails++;
        }
        printf("hart 0: hart %d acknowledged with an IPI\n", h);
    }

    puts("-- round 2: software interrupt traps");
    for (int h = 1; h < NHARTS; h++) {
        int before = ack;
        send_ipi(h);
        deadline = mtime() + 10000000;
        while (ack == before && mtime() < deadline) {
            cpu_relax();
        }
        if (ack == before) {
            printf("hart %d took no interrupt\n", h);
            fails++;
        }
    }
    printf("msip[1..3] after the round: %u %u %u\n", mmio_read32(CLINT_MSIP(1)),
           mmio_read32(CLINT_MSIP(2)), mmio_read32(CLINT_MSIP(3)));
    printf("smp: %d failures\n", fails);
    return fails;
}
