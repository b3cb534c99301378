/*
 * pmp: physical memory protection as QEMU 7.2 enforces it.  The lowest
 * numbered entry that holds the whole access decides; S/U accesses need
 * its permission, M-mode accesses only when it is locked; an access partly
 * inside an entry, or (for S/U) inside none, fails.  TOR, NA4 and NAPOT
 * ranges; locked entries (and the address below a locked TOR entry) ignore
 * writes.  Each probe prints the trap it took or "ok".  Exit status = the
 * number of probes that did not behave as the comment next to them says.
 */
#include "runtime.h"

/* Two pages: the first is protected entry by entry, the second by TOR. */
static volatile uint32_t prot[2048] __attribute__((aligned(4096)));
static uint64_t user_stack[512] __attribute__((aligned(16)));

static volatile int ntraps;
static volatile unsigned long t_cause, t_tval, t_mpp;
static jmp_buf user_ctx;
static int fails;

#define CFG_R       0x01
#define CFG_W       0x02
#define CFG_X       0x04
#define CFG_TOR     0x08
#define CFG_NA4     0x10
#define CFG_NAPOT   0x18
#define CFG_L       0x80

#define P           ((uintptr_t)prot)
#define RET         0x00008067u         /* jalr zero, 0(ra) */
#define MRET        0x30200073u

static void user_probes(long arg);

void m_trap(struct trapframe *tf)
{
    t_cause = tf->cause;
    t_tval = tf->tval;
    t_mpp = (tf->status & MSTATUS_MPP) >> 11;
    ntraps++;
    /* Leaving U-mode, or not entering it: back to run_user's caller. */
    if (tf->cause == CAUSE_USER_ECALL ||
        (tf->cause == CAUSE_FETCH_ACCESS &&
         tf->epc == (uintptr_t)user_probes) ||
        (tf->cause == CAUSE_ILLEGAL_INSN && tf->tval == MRET)) {
        longjmp(user_ctx, 1);
    }
    if (tf->cause == CAUSE_FETCH_ACCESS) {
        tf->epc = tf->x[TF_RA];         /* we got here by a call: go back */
    } else {
        tf->epc += insn_len(tf->epc);
    }
}

/* The trap (or none) the last probe took, against what it should. */
static void check(const char *what, long want_cause)
{
    if (ntraps == 0) {
        printf("%-34s ok%s\n", what, want_cause < 0 ? "" : "  MISMATCH");
        fails += want_cause >= 0;
    } else {
        printf("%-34s mcause %lu, mtval ", what, t_cause);
        if (t_tval >= P && t_tval < P + 8192) {
            printf("P+0x%lx\n", t_tval - P);
        } else {
            printf("0x%lx\n", t_tval);
        }
        if ((long)t_cause != want_cause || ntraps != 1) {
            printf("    MISMATCH (wanted cause %ld, %d traps)\n",
                   want_cause, ntraps);
            fails++;
        }
    }
    ntraps = 0;
}

static unsigned long load32(uintptr_t a)
{
    unsigned long v;

    __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
    return v;
}

static unsigned long load64(uintptr_t a)
{
    unsigned long v;

    __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
    return v;
}

static void store32(uintptr_t a, unsigned long v)
{
    __asm__ volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory");
}

static void amoadd32(uintptr_t a)
{
    unsigned long v;

    __asm__ volatile("amoadd.w %0, zero, (%1)" : "=r"(v) : "r"(a)
                     : "memory");
}

static void lr32(uintptr_t a)
{
    unsigned long v;

    __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
}

/* Call @a as code: a fetch fault comes back here through ra. */
static void call(uintptr_t a)
{
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(a)
                     : "ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4",
                       "a5", "a6", "a7", "memory");
}

static void u_exit(void)
{
    __asm__ volatile("ecall" ::: "memory");
}

static void user_probes(long arg)
{
    (void)arg;
    load32(P + 0x104);
    check("U lw P+0x104 (NAPOT R)", -1);
    load32(P + 0x100);
    check("U lw P+0x100 (NA4, no R)", CAUSE_LOAD_ACCESS);
    store32(P + 0x104, 1);
    check("U sw P+0x104 (NAPOT, no W)", CAUSE_STORE_ACCESS);
    load64(P + 0x100);
    check("U ld P+0x100 (half in NA4)", CAUSE_LOAD_ACCESS);
    amoadd32(P + 0x104);
    check("U amoadd.w P+0x104 (no W)", CAUSE_STORE_ACCESS);
    lr32(P + 0x104);
    check("U lr.w P+0x104 (R)", -1);
    call(P + 0x200);
    check("U call P+0x200 (no X)", CAUSE_FETCH_ACCESS);
    store32(P + 0x1010, 2);
    check("U sw P+0x1010 (TOR RW)", -1);
    load32(P + 0x1010);
    check("U lw P+0x1010 (TOR RW)", -1);
    store32(P + 0x11fc, 3);
    check("U sw P+0x11fc (TOR's last word)", -1);
    store32(P + 0x1200, 4);
    check("U sw P+0x1200 (past TOR: all)", -1);
    load32(0x88000000UL - 4);
    check("U lw end of RAM (all)", -1);
    u_exit();
}

static void run_user(void)
{
    if (setjmp(user_ctx) == 0) {
        m_to_user((uintptr_t)user_probes, (uintptr_t)(user_stack + 512), 0);
    }
    ntraps = 0;
}

int main(void)
{
    unsigned long v;

    puts("pmp: physical memory protection, 16 entries");
    csr_write(mtvec, (uintptr_t)trap_entry);
    prot[0x200 / 4] = RET;
    prot[0x208 / 4] = RET;
    __asm__ volatile("fence.i" ::: "memory");

    /* pmpaddr holds bits 55..2 of an address: what reads back? */
    csr_write(pmpaddr5, -1);
    printf("pmpaddr5 after writing -1: 0x%lx\n", csr_read(pmpaddr5));
    csr_write(pmpaddr5, 0);

    /*
     * 0: NA4 at P+0x100, no permission
     * 1: NAPOT over the first page, R
     * 2: off; its address is the base of 3
     * 3: TOR [P+0x1000, P+0x1200), RW
     * 4: NAPOT over everything, RWX (code, stack, the UART)
     */
    csr_write(pmpaddr0, (P + 0x100) >> 2);
    csr_write(pmpaddr1, (P >> 2) | 0x1ff);
    csr_write(pmpaddr2, (P + 0x1000) >> 2);
    csr_write(pmpaddr3, (P + 0x1200) >> 2);
    csr_write(pmpaddr4, -1);
    csr_write(pmpcfg0, (unsigned long)(CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 32 |
                       (unsigned long)(CFG_TOR | CFG_R | CFG_W) << 24 |
                       (unsigned long)(CFG_NAPOT | CFG_R) << 8 |
                       CFG_NA4);
    printf("pmpcfg0 0x%lx\n", csr_read(pmpcfg0));

    puts("-- from U-mode");
    run_user();

    puts("-- from M-mode, nothing locked");
    store32(P + 0x104, 5);
    check("M sw P+0x104", -1);
    load32(P + 0x100);
    check("M lw P+0x100", -1);
    call(P + 0x200);
    check("M call P+0x200 (a ret)", -1);

    /* QEMU 7.2 refuses the mret itself: illegal instruction. */
    puts("-- U-mode with no active entry");
    csr_write(pmpcfg0, 0);
    if (setjmp(user_ctx) == 0) {
        m_to_user((uintptr_t)user_probes, (uintptr_t)(user_stack + 512), 0);
    }
    check("mret to U with no PMP rule", CAUSE_ILLEGAL_INSN);
    csr_write(pmpcfg0, (unsigned long)(CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 32 |
                       (unsigned long)(CFG_TOR | CFG_R | CFG_W) << 24 |
                       (unsigned long)(CFG_NAPOT | CFG_R) << 8 |
                       CFG_NA4);

    puts("-- locking entries 1 and 3");
    v = csr_read(pmpcfg0);
    csr_write(pmpcfg0, v | (unsigned long)CFG_L << 8 |
                       (unsigned long)CFG_L << 24);
    printf("pmpcfg0 0x%lx\n", csr_read(pmpcfg0));
    store32(P + 0x104, 6);
    check("M sw P+0x104 (locked, R)", CAUSE_STORE_ACCESS);
    load32(P + 0x104);
    check("M lw P+0x104 (locked, R)", -1);
    load32(P + 0x100);
    check("M lw P+0x100 (NA4 not locked)", -1);
    call(P + 0x208);
    check("M call P+0x208 (locked, no X)", CAUSE_FETCH_ACCESS);
    store32(P + 0x1010, 7);
    check("M sw P+0x1010 (locked TOR RW)", -1);

    v = csr_read(pmpcfg0);
    csr_write(pmpcfg0, v | (unsigned long)(CFG_W | CFG_X) << 8);
    printf("pmpcfg0 after adding W|X to 1: 0x%lx\n", csr_read(pmpcfg0));
    v = csr_read(pmpaddr1);
    csr_write(pmpaddr1, 0);
    printf("pmpaddr1 after writing 0: %s\n",
           csr_read(pmpaddr1) == v ? "unchanged" : "changed");
    v = csr_read(pmpaddr2);
    csr_write(pmpaddr2, 0);
    printf("pmpaddr2 (below locked TOR) after writing 0: %s\n",
           csr_read(pmpaddr2) == v ? "unchanged" : "changed");
    csr_write(pmpaddr0, 0);
    printf("pmpaddr0 (unlocked) after writing 0: 0x%lx\n",
           csr_read(pmpaddr0));
    csr_write(pmpaddr0, (P + 0x100) >> 2);

    puts("-- from U-mode again");
    run_user();

    printf("pmp: %d mismatches\n", fails);
    return fails;
}
