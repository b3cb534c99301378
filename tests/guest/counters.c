/*
 * counters: the privileged CSRs of QEMU 7.2's rv64 hart (-cpu rv64,h=off)
 * as software probes them: the ID registers, misa, which mhpmcounter /
 * mhpmevent exist and hold what is written (OpenSBI counts them this way),
 * mcountinhibit on mcycle/minstret, mcounteren/scounteren gating of the
 * user counters from S and U, menvcfg/senvcfg and stimecmp access (Sstc),
 * the WARL masks of mip, mideleg, medeleg, m/scounteren, and satp's mode
 * field (Linux writes Sv57, then Sv48, and reads back).
 *
 * Each probe runs one CSR instruction in M, S or U mode from a two-word
 * code buffer in RAM, ended by an ecall; a trap comes back to M-mode and is reported.  Only
 * values that do not depend on timing are printed (a running counter
 * prints "runs").
 */
#include "runtime.h"

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3
#define FD_BITS ((1UL << ('F' - 'A')) | (1UL << ('D' - 'A')))

static uint32_t probe_code[2] __attribute__((aligned(8)));
static uint64_t lower_stack[512] __attribute__((aligned(16)));
static jmp_buf probe_ctx;
static volatile unsigned long probe_cause, probe_a0;

void m_trap(struct trapframe *tf)
{
    probe_cause = tf->cause;
    probe_a0 = tf->x[TF_A0];
    longjmp(probe_ctx, 1);
}

/*
 * Run @insn in @mode with a0 = *@val; *@val = a0 afterwards.  Returns 0, or
 * the cause of the trap the instruction took.
 */
static unsigned long run_insn(int mode, uint32_t insn, unsigned long *val)
{
    probe_code[0] = insn;
    probe_code[1] = 0x00000073; /* ecall */
    __asm__ volatile("fence.i" ::: "memory");
    if (setjmp(probe_ctx) == 0) {
        unsigned long st = csr_read(mstatus);

        st = (st & ~(unsigned long)MSTATUS_MPP) | ((unsigned long)mode << 11);
        csr_write(mstatus, st);
        csr_write(mepc, (uintptr_t)probe_code);
        csr_write(mscratch, mode == PRV_M ? 0 : (uintptr_t)&lower_stack[512]);
        register unsigned long a0 __asm__("a0") = *val;
        __asm__ volatile("mret" :: "r"(a0) : "memory");
        __builtin_unreachable();
    }
    *val = probe_a0;
    if (probe_cause == (unsigned long)(CAUSE_USER_ECALL + mode)) {
        return 0;
    }
    return probe_cause;
}

#define CSRR(csr)   (((uint32_t)(csr) << 20) | (2u << 12) | (10u << 7) | 0x73)
#define CSRW(csr)   (((uint32_t)(csr) << 20) | (10u << 15) | (1u << 12) | 0x73)

/* 0 and the value, or the trap cause */
static unsigned long rd(int mode, unsigned csr, unsigned long *v)
{
    *v = 0;
    return run_insn(mode, CSRR(csr), v);
}

static unsigned long wr(int mode, unsigned csr, unsigned long v)
{
    return run_insn(mode, CSRW(csr), &v);
}

static void show_rd(int mode, const char *name, unsigned csr)
{
    unsigned long v, c = rd(mode, csr, &v);

    if (c) {
        printf("  %s: trap %lu\n", name, c);
    } else {
        printf("  %s = 0x%lx\n", name, v);
    }
}

/* Write @v, read back (M-mode). */
static void show_warl(const char *name, unsigned csr, unsigned long v)
{
    unsigned long r, c = wr(PRV_M, csr, v);

    if (c) {
        printf("  %s <- 0x%lx: trap %lu\n", name, v, c);
        return;
    }
    rd(PRV_M, csr, &r);
    printf("  %s <- 0x%lx: 0x%lx\n", name, v, r);
}

/* Two reads with work between: "runs", or the value if it stood still. */
static void show_counter(const char *name, unsigned csr)
{
    unsigned long a, b;
    volatile int spin;

    rd(PRV_M, csr, &a);
    for (spin = 0; spin < 2000; spin++) {
    }
    rd(PRV_M, csr, &b);
    if (a == b) {
        printf("  %s: still at %lu\n", name, a);
    } else {
        printf("  %s: runs\n", name);
    }
}

static void ids(void)
{
    unsigned long v;

    puts("ids:");
    show_rd(PRV_M, "mvendorid", 0xf11);
    show_rd(PRV_M, "marchid", 0xf12);
    show_rd(PRV_M, "mimpid", 0xf13);
    show_rd(PRV_M, "mhartid", 0xf14);
    show_rd(PRV_M, "mconfigptr", 0xf15);
    /* F and D are another program's business (qcore gets them apart). */
    v = csr_read(misa);
    printf("  misa, F and D aside = 0x%lx\n", v & ~FD_BITS);
    wr(PRV_M, 0x301, 0);
    printf("  misa <- 0: 0x%lx\n", csr_read(misa) & ~FD_BITS);
    wr(PRV_M, 0x301, v & ~(1UL << ('C' - 'A')));
    printf("  misa <- no C: 0x%lx\n", csr_read(misa) & ~FD_BITS);
}

static void hpm(void)
{
    unsigned i;
    unsigned long v;

    puts("hpm counters (M-mode, write i*0x1111 and read back):");
    for (i = 3; i < 32; i++) {
        unsigned long c1, c2, r1 = 0, r2 = 0;

        c1 = wr(PRV_M, 0xb00 + i, i * 0x1111UL);
        if (!c1) {
            rd(PRV_M, 0xb00 + i, &r1);
        }
        c2 = wr(PRV_M, 0x320 + i, i * 0x11UL);
        if (!c2) {
            rd(PRV_M, 0x320 + i, &r2);
        }
        printf("  %u: counter %s%lx event %s%lx\n", i,
               c1 ? "trap " : "0x", c1 ? c1 : r1,
               c2 ? "trap " : "0x", c2 ? c2 : r2);
    }
    /* Leave every event unprogrammed again. */
    for (i = 3; i < 32; i++) {
        wr(PRV_M, 0x320 + i, 0);
    }
    rd(PRV_M, 0xb03, &v);
}

static void inhibit(void)
{
    puts("mcountinhibit:");
    show_rd(PRV_M, "mcountinhibit (reset)", 0x320);
    /* The first write inhibits CY and IR. */
    wr(PRV_M, 0x320, 5);
    wr(PRV_M, 0xb00, 1000);
    wr(PRV_M, 0xb02, 2000);
    show_counter("mcycle (inhibited)", 0xb00);
    show_counter("minstret (inhibited)", 0xb02);
    show_warl("mcountinhibit", 0x320, ~0UL);
    show_warl("mcountinhibit", 0x320, 0);
    show_counter("mcycle", 0xb00);
    show_counter("minstret", 0xb02);
    show_counter("hpmcounter3 (no event)", 0xb03);
    /* Counting again after a write with CY/IR clear. */
    wr(PRV_M, 0x320, 5);
    show_counter("mcycle (inhibited again)", 0xb00);
    show_counter("minstret (inhibited again)", 0xb02);
    wr(PRV_M, 0x320, 0);

    puts("hpm events:");
    wr(PRV_M, 0x323, 1);        /* cycles */
    wr(PRV_M, 0xb03, 5);
    show_counter("mhpmcounter3 (event 1)", 0xb03);
    wr(PRV_M, 0x324, 2);        /* instructions */
    wr(PRV_M, 0xb04, 5);
    show_counter("mhpmcounter4 (event 2)", 0xb04);
    wr(PRV_M, 0x325, 1);        /* cycles again: already counted by 3 */
    wr(PRV_M, 0xb05, 5);
    show_counter("mhpmcounter5 (event 1 too)", 0xb05);
    wr(PRV_M, 0x326, 0x1234);   /* no such event */
    wr(PRV_M, 0xb06, 5);
    show_counter("mhpmcounter6 (event 0x1234)", 0xb06);
    show_rd(PRV_M, "mhpmevent6", 0x326);
    wr(PRV_M, 0x323, 0);
    show_counter("mhpmcounter3 (event cleared)", 0xb03);
    wr(PRV_M, 0x324, 0);
    wr(PRV_M, 0x325, 0);
    wr(PRV_M, 0x326, 0);
}

static const struct {
    const char *name;
    unsigned csr;
} user_ctrs[] = {
    { "cycle", 0xc00 }, { "time", 0xc01 }, { "instret", 0xc02 },
    { "hpm3", 0xc03 }, { "hpm18", 0xc12 }, { "hpm19", 0xc13 },
    { "hpm31", 0xc1f },
};

static void gating(void)
{
    static const unsigned long en[][2] = {
        { 0, 0 }, { ~0UL, 0 }, { 0, ~0UL }, { ~0UL, ~0UL },
        { 0x5, 0x2 }, { 0x8, 0x8 }, { 0x80000, 0x80000 },
    };
    static const char *const mname[] = { "U", "S", "?", "M" };
    unsigned i, j;
    int mode;

    puts("counter access (mcounteren scounteren: mode: counters ok/-):");
    for (i = 0; i < sizeof(en) / sizeof(en[0]); i++) {
        wr(PRV_M, 0x306, en[i][0]);
        wr(PRV_M, 0x106, en[i][1]);
        for (mode = PRV_M; mode >= PRV_U; mode--) {
            if (mode == 2) {
                continue;
            }
            printf("  %lx %lx %s:", en[i][0] & 0xfffff, en[i][1] & 0xfffff,
                   mname[mode]);
            for (j = 0; j < sizeof(user_ctrs) / sizeof(user_ctrs[0]); j++) {
                unsigned long v, c = rd(mode, user_ctrs[j].csr, &v);

                printf(" %s%s", user_ctrs[j].name, c ? "-" : "");
                if (c && c != CAUSE_ILLEGAL_INSN) {
                    printf("(cause %lu)", c);
                }
            }
            puts("");
        }
    }
    puts("counters are read-only:");
    printf("  csrw cycle: %s\n", wr(PRV_M, 0xc00, 0) ? "trap" : "ok");
    wr(PRV_M, 0x306, 0);
    wr(PRV_M, 0x106, 0);
}

static void envcfg(void)
{
    static const char *const mname[] = { "U", "S", "?", "M" };
    unsigned long v;
    unsigned i;
    int mode;

    puts("envcfg:");
    show_rd(PRV_M, "menvcfg (reset)", 0x30a);
    show_rd(PRV_M, "senvcfg (reset)", 0x10a);
    show_warl("menvcfg", 0x30a, ~0UL);
    show_warl("menvcfg", 0x30a, 0);
    show_warl("senvcfg", 0x10a, ~0UL);
    show_warl("senvcfg", 0x10a, 0);
    printf("  menvcfg from S: %s\n", rd(PRV_S, 0x30a, &v) ? "trap" : "ok");
    printf("  senvcfg from S: %s\n", rd(PRV_S, 0x10a, &v) ? "trap" : "ok");
    printf("  senvcfg from U: %s\n", rd(PRV_U, 0x10a, &v) ? "trap" : "ok");

    puts("stimecmp (mcounteren.TM menvcfg.STCE: M S U):");
    show_rd(PRV_M, "stimecmp (reset)", 0x14d);
    for (i = 0; i < 4; i++) {
        wr(PRV_M, 0x306, (i & 1) ? 2 : 0);
        wr(PRV_M, 0x30a, (i & 2) ? 1UL << 63 : 0);
        printf("  %u %u:", i & 1, (i >> 1) & 1);
        for (mode = PRV_M; mode >= PRV_U; mode--) {
            if (mode != 2) {
                printf(" %s%s", mname[mode], rd(mode, 0x14d, &v) ? "-" : "");
            }
        }
        puts("");
    }
    wr(PRV_M, 0x306, 0);
    wr(PRV_M, 0x30a, 0);
}

static void warl(void)
{
    static const unsigned long modes[] = { 10, 9, 8, 11, 1, 7, 12, 0 };
    unsigned long v;
    unsigned i;

    puts("warl:");
    v = csr_read(mip) & ~(1UL << IRQ_M_TIMER);
    printf("  mip (reset, but MTIP) = 0x%lx\n", v);
    show_warl("mip", 0x344, ~0UL & ~0x80UL);
    show_warl("mip", 0x344, 0);
    wr(PRV_M, 0x30a, 1UL << 63);      /* STCE: STIP follows stimecmp */
    show_warl("mip (STCE)", 0x344, 1UL << IRQ_S_TIMER);
    wr(PRV_M, 0x30a, 0);
    wr(PRV_M, 0x344, 0);
    show_warl("mideleg", 0x303, ~0UL);
    show_warl("mideleg", 0x303, 0);
    show_warl("medeleg", 0x302, ~0UL);
    show_warl("medeleg", 0x302, 0);
    show_warl("mcounteren", 0x306, ~0UL);
    show_warl("mcounteren", 0x306, 0);
    show_warl("scounteren", 0x106, ~0UL);
    show_warl("scounteren", 0x106, 0);
    show_warl("mie", 0x304, ~0UL);
    show_warl("mie", 0x304, 0);

    /* The S views, with everything delegated (FS and SD aside: F/D's). */
    wr(PRV_M, 0x303, ~0UL);
    wr(PRV_S, 0x104, ~0UL);
    show_rd(PRV_S, "sie <- ~0 (mideleg ~0)", 0x104);
    show_rd(PRV_M, "mie after", 0x304);
    wr(PRV_S, 0x144, ~0UL);
    show_rd(PRV_S, "sip <- ~0", 0x144);
    show_rd(PRV_M, "mip after (but MTIP)", 0x344);
    wr(PRV_S, 0x144, 0);
    wr(PRV_M, 0x344, 0);
    wr(PRV_M, 0x304, 0);
    wr(PRV_M, 0x303, 0);
    {
        unsigned long st = csr_read(mstatus), r;

        wr(PRV_S, 0x100, ~0UL);
        rd(PRV_S, 0x100, &r);
        printf("  sstatus <- ~0: 0x%lx\n", r & ~(0x6000UL | 1UL << 63));
        csr_write(mstatus, st);
        wr(PRV_M, 0x300, ~0UL);
        rd(PRV_M, 0x300, &r);
        csr_write(mstatus, st);
        printf("  mstatus <- ~0: 0x%lx\n", r & ~(0x6000UL | 1UL << 63));
        wr(PRV_M, 0x300, 0x600);
        rd(PRV_M, 0x300, &r);
        csr_write(mstatus, st);
        printf("  mstatus <- VS dirty: SD %lu\n", r >> 63);
    }

    /* Which of the extra pending bits trap from S (not delegated)? */
    {
        static const unsigned bits[] = { 2, 6, 10, 13 };
        unsigned long v, c;
        unsigned i;

        for (i = 0; i < 4; i++) {
            wr(PRV_M, 0x304, 1UL << bits[i]);
            wr(PRV_M, 0x344, 1UL << bits[i]);
            c = rd(PRV_S, 0x140, &v);
            wr(PRV_M, 0x344, 0);
            wr(PRV_M, 0x304, 0);
            printf("  mip bit %u pending and enabled, S runs: %s0x%lx\n",
                   bits[i], c ? "trap " : "no trap ", c);
        }
    }

    puts("satp (mode, asid all ones, ppn 0x12345):");
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        unsigned long w = modes[i] << 60 | 0xffffUL << 44 | 0x12345;

        wr(PRV_M, 0x180, 0);
        show_warl("satp", 0x180, w);
    }
    /* Linux 6.1's probe: Sv57, read back; else Sv48. */
    wr(PRV_M, 0x180, 0);
    wr(PRV_M, 0x180, 10UL << 60);
    rd(PRV_M, 0x180, &v);
    printf("  linux probe ends on mode %lu\n", v >> 60);
    wr(PRV_M, 0x180, 0);
}

int main(unsigned long hartid, unsigned long dtb)
{
    (void)hartid;
    (void)dtb;
    csr_write(mtvec, (uintptr_t)trap_entry);
    puts("counters: privileged CSRs");
    inhibit();
    ids();
    hpm();
    gating();
    envcfg();
    warl();
    puts("counters: done");
    return 0;
}
