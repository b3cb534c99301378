/*
 * traps: synchronous exceptions taken to M-mode, from M-mode and from U-mode.
 * For each: mcause, mepc relative to the faulting instruction, mtval (as an
 * offset when it is an address inside our buffer) and the mode it came from.
 * The handler resumes after the faulting instruction (for fetch faults, at
 * the return address).  Exit status = number of checks that failed.
 */
#include "runtime.h"

static volatile uintptr_t fault_pc;     /* set just before each probe */
static volatile int ntraps;
static volatile unsigned long t_cause, t_epc, t_tval, t_mpp, t_a0;
static jmp_buf user_ctx;
static long user_ret;
static int fails;

/* 8-byte aligned scratch buffer for the misaligned probes */
static volatile uint64_t buf[4] __attribute__((aligned(16))) = {
    0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL,
    0x1716151413121110UL, 0x1f1e1d1c1b1a1918UL,
};
static uint64_t user_stack[512] __attribute__((aligned(16)));

#define RAM_BASE 0x80000000UL

#define MARK "la t6, 1f\n\tsd t6, 0(%[fp])\n1:\t"
#define FP [fp] "r"(&fault_pc)

void m_trap(struct trapframe *tf)
{
    t_cause = tf->cause;
    t_epc = tf->epc;
    t_tval = tf->tval;
    t_mpp = (tf->status & MSTATUS_MPP) >> 11;
    t_a0 = tf->x[TF_A0];
    ntraps++;
    if (tf->cause == CAUSE_USER_ECALL && tf->x[TF_A7] == 93) {
        user_ret = (long)tf->x[TF_A0];
        longjmp(user_ctx, 1);
    }
    if (tf->cause == CAUSE_FETCH_ACCESS || tf->epc < RAM_BASE) {
        /* We got here by a call (to a device, from which the instruction
         * was read): go back, without reading it again. */
        tf->epc = tf->x[TF_RA];
    } else {
        tf->epc += insn_len(tf->epc);
    }
}

static const char *cause_name(unsigned long c)
{
    static const char *const names[] = {
        "instruction address misaligned", "instruction access fault",
        "illegal instruction", "breakpoint", "load address misaligned",
        "load access fault", "store/AMO address misaligned",
        "store/AMO access fault", "ecall from U-mode", "ecall from S-mode",
        "reserved", "ecall from M-mode", "instruction page fault",
        "load page fault", "reserved", "store/AMO page fault",
    };
    return c < 16 ? names[c] : "?";
}

static void begin(void)
{
    ntraps = 0;
    t_cause = t_epc = t_tval = t_mpp = 0;
}

/* Report the last trap; tval_base != 0 prints mtval relative to it. */
static void report(const char *what, long want_cause, uintptr_t tval_base)
{
    static const char *const modes[] = { "U", "S", "?", "M" };

    if (ntraps == 0) {
        printf("%-30s no trap%s\n", what, want_cause < 0 ? "" : "  MISMATCH");
        fails += want_cause >= 0;
        return;
    }
    printf("%-30s mcause %lu (%s) from %s, ",
           what, t_cause, cause_name(t_cause), modes[t_mpp]);
    if (t_epc >= fault_pc && t_epc < fault_pc + 8) {
        printf("mepc pc+%lu, mtval ", t_epc - fault_pc);
    } else {
        printf("mepc 0x%lx, mtval ", t_epc);
    }
    if (tval_base && t_tval >= tval_base && t_tval < tval_base + 256) {
        printf("buf+%lu", t_tval - tval_base);
    } else if (t_tval == fault_pc && t_tval) {
        printf("pc");
    } else {
        printf("0x%lx", t_tval);
    }
    if ((long)t_cause != want_cause || ntraps != 1) {
        printf("  MISMATCH (wanted cause %ld, %d traps)", want_cause, ntraps);
        fails++;
    }
    printf("\n");
}

static void m_mode_probes(void)
{
    uintptr_t b = (uintptr_t)buf;
    unsigned long v;

    puts("-- from M-mode");
    begin();
    __asm__ volatile(MARK "ecall" :: FP : "t6", "memory");
    report("ecall", CAUSE_MACHINE_ECALL, 0);

    begin();
    __asm__ volatile(MARK ".option push\n.option norvc\nebreak\n.option pop"
                     :: FP : "t6", "memory");
    report("ebreak", CAUSE_BREAKPOINT, 0);

    begin();
    __asm__ volatile(MARK "c.ebreak" :: FP : "t6", "memory");
    report("c.ebreak", CAUSE_BREAKPOINT, 0);

    begin();
    __asm__ volatile(MARK ".2byte 0x0000" :: FP : "t6", "memory");
    report("illegal 0x0000 (16-bit)", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK ".4byte 0x30200073 | (1 << 25)" :: FP : "t6", "memory");
    report("illegal 0x32200073", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "csrw mhartid, zero" :: FP : "t6", "memory");
    report("csrw mhartid (read-only)", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "csrr t5, 0x7ff" :: FP : "t5", "t6", "memory");
    report("csrr 0x7ff (no such CSR)", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "lw %[v], 0(zero)" : [v] "=&r"(v) : FP : "t6", "memory");
    report("lw from 0x0", CAUSE_LOAD_ACCESS, 0);

    begin();
    __asm__ volatile(MARK "sw zero, 0(zero)" :: FP : "t6", "memory");
    report("sw to 0x0", CAUSE_STORE_ACCESS, 0);

    begin();
    __asm__ volatile(MARK "ld %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x88000000UL) : "t6", "memory");
    report("ld from 0x88000000 (past RAM)", CAUSE_LOAD_ACCESS, 0);

    /* The device windows are as large as QEMU's, no larger. */
    begin();
    __asm__ volatile(MARK "lw %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x200c000UL) : "t6", "memory");
    report("lw 0x200c000 (past the CLINT)", CAUSE_LOAD_ACCESS, 0);

    begin();
    __asm__ volatile(MARK "lbu %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x10000008UL) : "t6", "memory");
    report("lbu 0x10000008 (past the UART)", CAUSE_LOAD_ACCESS, 0);

    begin();
    v = 1;
    __asm__ volatile(MARK "lw %[v], 0(%[a])" : [v] "+&r"(v)
                     : FP, [a] "r"(0x2000000UL + 4 * 100) : "t6", "memory");
    report("lw msip of hart 100", -1, 0);
    printf("    msip of hart 100 = %lu\n", v);

    begin();
    v = 1;
    __asm__ volatile(MARK "lw %[v], 0(%[a])" : [v] "+&r"(v)
                     : FP, [a] "r"(0xc200000UL + 0x1000 * 500) : "t6",
                       "memory");
    report("lw PLIC threshold, context 500", -1, 0);
    printf("    threshold of context 500 = %lu\n", v);

    begin();
    __asm__ volatile(MARK "amoadd.w %[v], zero, (%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x88000000UL) : "t6", "memory");
    /* The ISA says store/AMO access fault (7); QEMU 7.2 reports a load
     * access fault (5) because its AMO helpers read first. */
    report("amoadd.w at 0x88000000", CAUSE_LOAD_ACCESS, 0);

    begin();
    __asm__ volatile(MARK "jalr ra, 0(zero)" :: FP : "ra", "t6", "memory");
    report("call 0x0", CAUSE_FETCH_ACCESS, 0);

    /*
     * Code fetched from a device is read through its registers, as any
     * load: the UART (empty receive buffer) and sifive_test read as 0, an
     * illegal instruction.  The CLINT and the PLIC take 4-byte accesses
     * only, so the 2-byte fetch itself fails.
     */
    puts("-- fetch from devices");
    begin();
    __asm__ volatile(MARK "jalr ra, 0(%[a])" :: FP, [a] "r"(0x10000000UL)
                     : "ra", "t6", "memory");
    report("call the UART", CAUSE_ILLEGAL_INSN, 0);
    begin();
    __asm__ volatile(MARK "jalr ra, 0(%[a])" :: FP, [a] "r"(0x100000UL)
                     : "ra", "t6", "memory");
    report("call sifive_test", CAUSE_ILLEGAL_INSN, 0);
    begin();
    __asm__ volatile(MARK "jalr ra, 0(%[a])" :: FP, [a] "r"(0x2000000UL)
                     : "ra", "t6", "memory");
    report("call the CLINT (msip 0)", CAUSE_FETCH_ACCESS, 0);
    begin();
    __asm__ volatile(MARK "jalr ra, 0(%[a])" :: FP, [a] "r"(0xc000004UL)
                     : "ra", "t6", "memory");
    report("call the PLIC (priority 1)", CAUSE_FETCH_ACCESS, 0);

    /*
     * A device access wider than its registers, or misaligned: QEMU splits
     * it, and mtval names the piece that failed.
     */
    puts("-- device accesses QEMU splits");
    begin();
    __asm__ volatile(MARK "ld %[v], 5(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x10000000UL) : "t6", "memory");
    report("ld UART+5", CAUSE_LOAD_ACCESS, 0);
    begin();
    __asm__ volatile(MARK "lw %[v], 6(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x10000000UL) : "t6", "memory");
    report("lw UART+6", CAUSE_LOAD_ACCESS, 0);
    begin();
    v = 1;
    __asm__ volatile(MARK "lh %[v], 3(%[a])" : [v] "+&r"(v)
                     : FP, [a] "r"(0x10000000UL) : "t6", "memory");
    report("lh UART+3", -1, 0);
    begin();
    __asm__ volatile(MARK "sd zero, 5(%[a])" :: FP, [a] "r"(0x10000000UL)
                     : "t6", "memory");
    report("sd UART+5", CAUSE_STORE_ACCESS, 0);
    begin();
    v = 1;
    __asm__ volatile(MARK "ld %[v], 0(%[a])" : [v] "+&r"(v)
                     : FP, [a] "r"(0x10000000UL) : "t6", "memory");
    report("ld UART+0", -1, 0);
    begin();
    __asm__ volatile(MARK "ld %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0xc000008UL) : "t6", "memory");
    report("ld PLIC priority 2", CAUSE_LOAD_ACCESS, 0);
    begin();
    __asm__ volatile(MARK "ld %[v], 4(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0xc000000UL) : "t6", "memory");
    report("ld PLIC priority 1 (misaligned)", CAUSE_LOAD_ACCESS, 0);
    /* Two aligned 4-byte reads, both of which the PLIC takes. */
    begin();
    v = 1;
    __asm__ volatile(MARK "lw %[v], 2(%[a])" : [v] "+&r"(v)
                     : FP, [a] "r"(0xc000000UL) : "t6", "memory");
    report("lw PLIC priority 0 + 2", -1, 0);
    printf("    lw PLIC priority 0 + 2 = 0x%lx\n", v);
    begin();
    __asm__ volatile(MARK "lh %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0xc000004UL) : "t6", "memory");
    report("lh PLIC priority 1", CAUSE_LOAD_ACCESS, 0);
    begin();
    __asm__ volatile(MARK "sd zero, 0(%[a])" :: FP, [a] "r"(0xc000008UL)
                     : "t6", "memory");
    report("sd PLIC priority 2", CAUSE_STORE_ACCESS, 0);
    begin();
    __asm__ volatile(MARK "ld %[v], 0(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x2004000UL) : "t6", "memory");
    report("ld CLINT mtimecmp 0", -1, 0);
    begin();
    __asm__ volatile(MARK "ld %[v], 4(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(0x2000000UL) : "t6", "memory");
    report("ld CLINT msip 1 (misaligned)", CAUSE_LOAD_ACCESS, 0);

    puts("-- misaligned (values are the bytes read/written)");
    begin();
    __asm__ volatile(MARK "lw %[v], 1(%[a])" : [v] "=&r"(v) : FP, [a] "r"(b) : "t6", "memory");
    report("lw buf+1", -1, b);
    if (!ntraps) {
        printf("    lw buf+1 = 0x%lx\n", v);
    }
    begin();
    __asm__ volatile(MARK "ld %[v], 5(%[a])" : [v] "=&r"(v) : FP, [a] "r"(b) : "t6", "memory");
    report("ld buf+5", -1, b);
    if (!ntraps) {
        printf("    ld buf+5 = 0x%lx\n", v);
    }
    begin();
    __asm__ volatile(MARK "lh %[v], 7(%[a])" : [v] "=&r"(v) : FP, [a] "r"(b) : "t6", "memory");
    report("lh buf+7 (crosses 8 bytes)", -1, b);
    if (!ntraps) {
        printf("    lh buf+7 = 0x%lx\n", v);
    }
    begin();
    __asm__ volatile(MARK "sd %[s], 19(%[a])" :: FP, [a] "r"(b),
                     [s] "r"(0xa1a2a3a4a5a6a7a8UL) : "t6", "memory");
    report("sd buf+19", -1, b);
    if (!ntraps) {
        printf("    after sd buf+19: buf[2] 0x%016lx buf[3] 0x%016lx\n",
               (unsigned long)buf[2], (unsigned long)buf[3]);
    }
    begin();
    __asm__ volatile(MARK "amoadd.w %[v], zero, (%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(b + 2) : "t6", "memory");
    report("amoadd.w buf+2", CAUSE_MISALIGNED_STORE, b);
    begin();
    __asm__ volatile(MARK "amoswap.d %[v], zero, (%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(b + 4) : "t6", "memory");
    report("amoswap.d buf+4", CAUSE_MISALIGNED_STORE, b);
    begin();
    __asm__ volatile(MARK "lr.w %[v], (%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(b + 1) : "t6", "memory");
    report("lr.w buf+1", CAUSE_MISALIGNED_LOAD, b);
    /* QEMU checks the reservation before the alignment: an SC that holds
     * no reservation just fails (rd = 1), aligned or not. */
    begin();
    __asm__ volatile(MARK "sc.d %[v], zero, (%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"(b + 4) : "t6", "memory");
    report("sc.d buf+4 (no reservation)", -1, b);
    if (!ntraps) {
        printf("    sc.d result %lu\n", v);
    }

    /* jalr clears bit 0 of the target: this lands on the label, no trap */
    begin();
    v = 0;
    __asm__ volatile("la t5, 2f\n\taddi t5, t5, 1\n\t" MARK "jalr t5\n\t"
                     "li %[v], 1\n"
                     "2:\taddi %[v], %[v], 2"
                     : [v] "+r"(v) : FP : "t5", "t6", "memory");
    report("jalr to odd address", -1, 0);
    printf("    jalr landed on target: %s\n", v == 2 ? "yes" : "no");
}

/* Runs in U-mode on user_stack; reports back through ecalls. */
static long u_syscall(long nr, long arg)
{
    register long a0 __asm__("a0") = arg;
    register long a7 __asm__("a7") = nr;
    __asm__ volatile(MARK "ecall" : "+r"(a0) : "r"(a7), FP : "t6", "memory");
    return a0;
}

static void user_main(long arg)
{
    unsigned long v;

    u_syscall(1, arg);
    report("ecall (a7=1)", CAUSE_USER_ECALL, 0);
    printf("    a0 seen by M-mode: %lu\n", t_a0);

    begin();
    __asm__ volatile(MARK "csrr t5, mstatus" :: FP : "t5", "t6", "memory");
    report("csrr mstatus", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "mret" :: FP : "t6", "memory");
    report("mret", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "wfi" :: FP : "t6", "memory");
    report("wfi", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "rdcycle t5" :: FP : "t5", "t6", "memory");
    report("rdcycle (mcounteren=0)", CAUSE_ILLEGAL_INSN, 0);

    begin();
    __asm__ volatile(MARK "ebreak" :: FP : "t6", "memory");
    report("ebreak", CAUSE_BREAKPOINT, 0);

    begin();
    __asm__ volatile(MARK "lw %[v], 0(zero)" : [v] "=&r"(v) : FP : "t6", "memory");
    report("lw from 0x0", CAUSE_LOAD_ACCESS, 0);

    begin();
    __asm__ volatile(MARK "lw %[v], 1(%[a])" : [v] "=&r"(v)
                     : FP, [a] "r"((uintptr_t)buf) : "t6", "memory");
    report("lw buf+1", -1, (uintptr_t)buf);

    begin();
    __asm__ volatile("li a7, 93\n\tli a0, 42\n\t" MARK "ecall"
                     :: FP : "a0", "a7", "t6", "memory");
    /* not reached: the handler longjmps back to M-mode */
    puts("U-mode exit ecall returned!");
    exit(99);
}

int main(void)
{
    puts("traps: synchronous exceptions into M-mode");
    csr_write(mtvec, (uintptr_t)trap_entry);
    m_mode_probes();

    puts("-- from U-mode (entered with mret)");
    csr_write(mcounteren, 0);
    begin();
    if (setjmp(user_ctx) == 0) {
        m_to_user((uintptr_t)user_main, (uintptr_t)(user_stack + 512), 7);
    }
    report("ecall (a7=93, exit)", CAUSE_USER_ECALL, 0);
    printf("    U-mode returned %ld, back in M-mode: mstatus.MPP %lu\n",
           user_ret, t_mpp);

    printf("traps: %d mismatches\n", fails);
    return fails;
}
