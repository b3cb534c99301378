/*
 * sv39: S-mode with an Sv39 page table.
 *
 * M-mode builds the tables, delegates U ecalls and page faults to S-mode and
 * drops to S-mode.  S-mode turns on paging, probes SUM, and runs a U-mode
 * routine (hand-written assembly in its own page, mapped at 0x40000000)
 * that loads, stores, calls back with ecall and takes page faults, which the
 * S-mode handler reports with scause/stval (sepc as an offset into the user
 * page).  One fault is served by mapping the page and retrying.
 *
 * Virtual map (root table entries are 1 GiB pages, the rest 4 KiB):
 *   0x00000000-0x3fffffff  identity, S-only RW (UART, sifive_test)
 *   0x40000000             user code   (U R X)
 *   0x40001000             user data   (U R W), A and D clear at first
 *   0x40002000             unmapped (mapped on demand by the fault handler)
 *   0x40003000             user data read-only (U R)
 *   0x40004000             user stack  (U R W)
 *   0x40005000             S-only page (R W, no U)
 *   0x80000000-0xbfffffff  identity, S-only RWX (this program)
 */
#include "runtime.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE(pa, flags) ((((uintptr_t)(pa)) >> 12) << 10 | (flags))

#define UVA         0x40000000UL
#define UVA_CODE    (UVA + 0x0000)
#define UVA_DATA    (UVA + 0x1000)
#define UVA_HOLE    (UVA + 0x2000)
#define UVA_RO      (UVA + 0x3000)
#define UVA_STACK   (UVA + 0x4000)
#define UVA_SONLY   (UVA + 0x5000)

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t user_data[512] __attribute__((aligned(4096))) = {
    0x1122334455667788UL, 0, 0x0badc0de,
};
static uint64_t ro_data[512] __attribute__((aligned(4096))) = { 0xfeedface };
static uint64_t user_stack[512] __attribute__((aligned(4096)));
static uint64_t sonly[512] __attribute__((aligned(4096))) = { 0x5ec2e7 };
static uint64_t m_stack[512] __attribute__((aligned(16)));   /* M traps from S/U */
extern char __user_text_start[];

static jmp_buf user_ctx;
static volatile int s_faults;
static volatile unsigned long s_cause, s_tval;
static int fails;

/* The U-mode routine: position-independent, uncompressed, so the sepc
 * offsets printed below do not depend on the assembler's choices. */
__asm__(
    ".section .user_text, \"ax\"\n"
    ".option push\n"
    ".option norvc\n"
    ".globl user_entry\n"
    "user_entry:\n"
    "   li s0, 0x40001000\n"
    "   ld a0, 0(s0)\n"                 /* first touch: sets A */
    "   li a7, 1\n"
    "   ecall\n"                        /* print a0 */
    "   li a7, 2\n"
    "   ecall\n"                        /* show the PTE's A/D */
    "   li t0, 0x5555aaaa\n"
    "   sd t0, 8(s0)\n"                 /* first store: sets D */
    "   li a7, 2\n"
    "   ecall\n"
    "   li t1, 0x40002000\n"
    "   ld a0, 16(t1)\n"                /* page fault, mapped on demand, retried */
    "   li a7, 1\n"
    "   ecall\n"
    "   li t1, 0x40000000\n"
    "   sd zero, 0(t1)\n"               /* store to the code page: 15 */
    "   li t1, 0x40003000\n"
    "   sw zero, 4(t1)\n"               /* store to a read-only page: 15 */
    "   ld a0, 0(t1)\n"                 /* read-only page is readable */
    "   li a7, 1\n"
    "   ecall\n"
    "   li t1, 0x40005000\n"
    "   ld a0, 0(t1)\n"                 /* S-only page from U: 13 */
    "   li t1, 0x80000000\n"
    "   lw a0, 0(t1)\n"                 /* kernel gigapage from U: 13 */
    "   li t1, 0x4000000000\n"
    "   ld a0, 0(t1)\n"                 /* not sign-extended from bit 38: 13 */
    "   li t1, 0x40001000\n"
    "   jalr t1\n"                      /* fetch from a non-X page: 12 */
    "   li t1, 0x40006000\n"
    "   jalr t1\n"                      /* fetch from an unmapped page: 12 */
    "   csrr a0, sstatus\n"             /* S CSR from U: illegal, to M (2) */
    "   li a0, 0\n"
    "   li a7, 93\n"
    "   ecall\n"                        /* exit */
    "1: j 1b\n"
    ".option pop\n"
    ".text\n");
extern char user_entry[];

static const char *cause_name(unsigned long c)
{
    switch (c) {
    case CAUSE_USER_ECALL: return "ecall from U";
    case CAUSE_FETCH_PAGE_FAULT: return "instruction page fault";
    case CAUSE_LOAD_PAGE_FAULT: return "load page fault";
    case CAUSE_STORE_PAGE_FAULT: return "store/AMO page fault";
    default: return "?";
    }
}

void s_trap(struct trapframe *tf)
{
    int from_u = !(tf->status & SSTATUS_SPP);

    s_faults++;
    s_cause = tf->cause;
    s_tval = tf->tval;
    if (tf->cause == CAUSE_USER_ECALL) {
        switch (tf->x[TF_A7]) {
        case 1:
            printf("  U: a0 = 0x%lx\n", tf->x[TF_A0]);
            break;
        case 2:
            printf("  U: data page PTE A=%lu D=%lu\n",
                   (l0[1] & PTE_A) ? 1UL : 0UL, (l0[1] & PTE_D) ? 1UL : 0UL);
            break;
        case 93:
            printf("  U: exit %ld\n", (long)tf->x[TF_A0]);
            longjmp(user_ctx, 1);
        }
        tf->epc += 4;
        return;
    }
    if (from_u) {
        printf("  U fault: scause %lu (%s), stval 0x%lx, sepc user+0x%lx\n",
               tf->cause, cause_name(tf->cause), tf->tval, tf->epc - UVA);
    } else {
        printf("  S fault: scause %lu (%s), stval 0x%lx\n",
               tf->cause, cause_name(tf->cause), tf->tval);
    }
    if (tf->cause == CAUSE_LOAD_PAGE_FAULT && from_u &&
        (tf->tval & ~0xfffUL) == UVA_HOLE && l0[2] == 0) {
        l0[2] = PTE(user_data, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
        __asm__ volatile("sfence.vma" ::: "memory");
        puts("  mapped 0x40002000 -> the data page, retrying");
        return;                         /* retry the same instruction */
    }
    if (tf->cause == CAUSE_FETCH_PAGE_FAULT) {
        tf->epc = tf->x[TF_RA];         /* reached by jalr: go back */
        return;
    }
    tf->epc += from_u ? 4 : insn_len(tf->epc);
}

void m_trap(struct trapframe *tf)
{
    static const char *const modes[] = { "U", "S", "?", "M" };
    unsigned long mpp = (tf->status & MSTATUS_MPP) >> 11;

    if (tf->cause == CAUSE_SUPERVISOR_ECALL && tf->x[TF_A7] == 1) {
        printf("M: ecall from S-mode, mcause %lu, a0 %lu\n", tf->cause, tf->x[TF_A0]);
        tf->epc += 4;
        return;
    }
    if (tf->cause == CAUSE_SUPERVISOR_ECALL && tf->x[TF_A7] == 93) {
        printf("M: exit requested from S-mode, code %ld\n", (long)tf->x[TF_A0]);
        exit((int)tf->x[TF_A0]);
    }
    if (tf->cause == CAUSE_ILLEGAL_INSN) {
        printf("  M: illegal instruction from %s-mode (not delegated), mtval 0x%lx\n",
               modes[mpp], tf->tval);
        tf->epc += 4;
        return;
    }
    printf("M: unexpected trap mcause 0x%lx mepc 0x%lx mtval 0x%lx\n",
           tf->cause, tf->epc, tf->tval);
    exit(1);
}

static long s_ecall(long nr, long arg)
{
    register long a0 __asm__("a0") = arg;
    register long a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

static unsigned long s_load(uintptr_t va)
{
    unsigned long v = 0xdead;
    __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void s_main(void)
{
    csr_write(stvec, (uintptr_t)strap_entry);
    puts("S: running in S-mode");
    s_ecall(1, 7);

    csr_write(satp, (8UL << 60) | ((uintptr_t)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    printf("S: paging on, satp.MODE %lu\n", csr_read(satp) >> 60);
    printf("S: identity-mapped read through the kernel gigapage: 0x%lx\n",
           s_load((uintptr_t)&sonly[0]));
    printf("S: read of the S-only page at 0x40005000: 0x%lx\n", s_load(UVA_SONLY));

    puts("S: read a U page with sstatus.SUM=0");
    s_faults = 0;
    unsigned long v = s_load(UVA_DATA);
    fails += s_faults != 1 || s_cause != CAUSE_LOAD_PAGE_FAULT;
    csr_set(sstatus, SSTATUS_SUM);
    s_faults = 0;
    v = s_load(UVA_RO);
    printf("S: with SUM=1 the read gives 0x%lx (%d faults)\n", v, s_faults);
    fails += s_faults != 0 || v != 0xfeedface;
    csr_clear(sstatus, SSTATUS_SUM);
    puts("S: read an unmapped address");
    s_faults = 0;
    s_load(0xc0000000UL);
    fails += s_faults != 1;

    puts("S: entering U-mode at 0x40000000");
    s_faults = 0;
    if (setjmp(user_ctx) == 0) {
        s_to_user(UVA_CODE + (uintptr_t)(user_entry - __user_text_start),
                  UVA_STACK + 4096, 0);
    }
    printf("S: back from U-mode after %d traps to S\n", s_faults);
    fails += s_faults != 14;
    printf("S: data page word 1 = 0x%lx (written by U through 0x40001008)\n",
           (unsigned long)user_data[1]);
    fails += user_data[1] != 0x5555aaaa;
    printf("sv39: %d failures\n", fails);
    s_ecall(93, fails);
}

int main(void)
{
    puts("sv39: S-mode, Sv39 paging, U-mode");
    csr_write(mtvec, (uintptr_t)trap_entry);

    root[0] = PTE(0x00000000UL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    root[1] = PTE(l1, PTE_V);
    root[2] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    l1[0] = PTE(l0, PTE_V);
    l0[0] = PTE(__user_text_start, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
    l0[1] = PTE(user_data, PTE_V | PTE_R | PTE_W | PTE_U);
    l0[3] = PTE(ro_data, PTE_V | PTE_R | PTE_U | PTE_A);
    l0[4] = PTE(user_stack, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    l0[5] = PTE(sonly, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);

    csr_write(medeleg, (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_FETCH_PAGE_FAULT) |
                       (1UL << CAUSE_LOAD_PAGE_FAULT) | (1UL << CAUSE_STORE_PAGE_FAULT));
    csr_write(mideleg, 0);
    printf("M: medeleg 0x%lx\n", csr_read(medeleg));

    /* Traps into M-mode from S or U switch to m_stack (the U stack pointer
     * is a virtual address, meaningless to M-mode). */
    csr_write(mscratch, (uintptr_t)(m_stack + 512));

    /* mret into S-mode at s_main, on this same stack */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(mepc, (uintptr_t)s_main);
    __asm__ volatile("mret" ::: "memory");
    return 99;                          /* not reached */
}
