/*
 * Tests for the RISC-V hart (target/riscv/): the ISA, compressed
 * instructions, CSRs, traps and their causes as QEMU reports them,
 * interrupts and delegation, Sv39/Sv48/Sv57, LR/SC and AMOs, the
 * decoded-block cache and its invalidation, the -cpu properties, the
 * counters and Sstc.  QEMU covers the same ground with tcg
 * tests and guest programs; see docs/cpu.md.
 *
 * Each test gets a fresh hart whose address space has 1 MiB of RAM at
 * 0x80000000, a 4-byte MMIO register at 0x10000000 (4-byte accesses
 * only) and 8 bytes of device "code" at 0x10001000 (any access size).  The test thread
 * runs the hart's exec directly (no vCPU thread).  Programs are words
 * from the tiny assembler below and end in wfi: with no interrupt
 * enabled, exec returns EXCP_HLT there.  mtvec and stvec point at a wfi
 * too (STOP), so a trap also ends the run, with the cause in the CSRs.
 *
 * Run with -m perf for the instructions-per-second loop.
 *
 * Longer than most files: one file per subsystem, and the hart's
 * subsystem is the whole ISA plus its tiny assembler.
 */
#include "qcore/osdep.h"
#include "qcore/memory.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"
#include "cpu.h"
#include <fenv.h>
#include "internals.h"

#define A MEMTXATTRS_UNSPECIFIED

enum {
    RAM_BASE = 0x80000000,
    TRAMP = 0x80000000,         /* mret into the mode under test */
    CODE = 0x80001000,
    STOP = 0x80002000,          /* trap vector: wfi */
    ISTOP = 0x80002100,         /* M interrupt handler: mie = 0; wfi */
    SSTOP = 0x80002200,         /* S interrupt handler: sie = 0; wfi */
    DATA = 0x80003000,
    PAGE1 = 0x80004000,         /* PAGE1..3: code in other pages */
    PAGE2 = 0x80005000,
    PAGE3 = 0x80006000,
    FIRMWARE = 0x80008000,      /* what new_hart runs first */
    PT = 0x80010000,            /* page tables */
    MMIO = 0x10000000,
    DEVCODE = 0x10001000,
};

enum {
    ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9,
    A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, T5 = 30,
};

/* ---- A tiny assembler --------------------------------------------------- */

static uint32_t r_type(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3,
                       unsigned rd, unsigned opc)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t i_type(int32_t imm, unsigned rs1, unsigned f3, unsigned rd,
                       unsigned opc)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
           opc;
}

static uint32_t s_type(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
    return (uint32_t)((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | (imm & 0x1f) << 7 | 0x23;
}

static uint32_t b_type(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
    return (uint32_t)((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3f) << 25 |
           rs2 << 20 | rs1 << 15 | f3 << 12 | ((imm >> 1) & 0xf) << 8 |
           ((imm >> 11) & 1) << 7 | 0x63;
}

static uint32_t jal(unsigned rd, int32_t imm)
{
    return (uint32_t)((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 |
           ((imm >> 11) & 1) << 20 | ((imm >> 12) & 0xff) << 12 | rd << 7 |
           0x6f;
}

#define ADDI(rd, rs1, imm)  i_type(imm, rs1, 0, rd, 0x13)
#define JALR(rd, rs1, imm)  i_type(imm, rs1, 0, rd, 0x67)
#define LUI(rd, imm)        ((uint32_t)(imm) << 12 | (rd) << 7 | 0x37)
#define AUIPC(rd, imm)      ((uint32_t)(imm) << 12 | (rd) << 7 | 0x17)
#define LOAD(f3, rd, rs1, imm)  i_type(imm, rs1, f3, rd, 0x03)
#define STORE(f3, rs2, rs1, imm) s_type(imm, rs2, rs1, f3)
#define BEQ(rs1, rs2, off)  b_type(off, rs2, rs1, 0)
#define BNE(rs1, rs2, off)  b_type(off, rs2, rs1, 1)
#define BLT(rs1, rs2, off)  b_type(off, rs2, rs1, 4)
#define BGEU(rs1, rs2, off) b_type(off, rs2, rs1, 7)
#define OP(f7, f3, rd, rs1, rs2)   r_type(f7, rs2, rs1, f3, rd, 0x33)
#define OP32(f7, f3, rd, rs1, rs2) r_type(f7, rs2, rs1, f3, rd, 0x3b)
#define CSRRW(rd, csr, rs1)  i_type(csr, rs1, 1, rd, 0x73)
#define CSRRS(rd, csr, rs1)  i_type(csr, rs1, 2, rd, 0x73)
#define CSRRC(rd, csr, rs1)  i_type(csr, rs1, 3, rd, 0x73)
#define CSRRWI(rd, csr, u)   i_type(csr, u, 5, rd, 0x73)
#define CSRRSI(rd, csr, u)   i_type(csr, u, 6, rd, 0x73)
#define CSRRCI(rd, csr, u)   i_type(csr, u, 7, rd, 0x73)
/* funct5 of the A extension's AMOs: RISCV_AMO_* (internals.h). */
#define AMO(f5, f3, rd, rs1, rs2) r_type((f5) << 2, rs2, rs1, f3, rd, 0x2f)
#define ECALL       0x00000073u
#define EBREAK      0x00100073u
#define MRET        0x30200073u
#define SRET        0x10200073u
#define WFI         0x10500073u
#define FENCE_I     0x0000100fu
#define SFENCE_VMA  0x12000073u

/* ---- Fixture ------------------------------------------------------------ */

typedef struct Fixture {
    Object *owner;              /* of ram and mmio, as a device would be */
    MemoryRegion root, ram, mmio, devcode;
    AddressSpace as;
    RISCVCPU *cpu;
    CPURISCVState *env;
    uint32_t mmio_reg;
    int mmio_accesses;
    uint8_t devcode_bytes[8];
    int devcode_reads;
} Fixture;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    Fixture *f = opaque;

    f->mmio_accesses++;
    return f->mmio_reg;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Fixture *f = opaque;

    f->mmio_accesses++;
    f->mmio_reg = val;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t devcode_read(void *opaque, hwaddr addr, unsigned size)
{
    Fixture *f = opaque;
    uint64_t v = 0;

    f->devcode_reads++;
    memcpy(&v, f->devcode_bytes + addr, size);
    return v;
}

static void devcode_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
}

static const MemoryRegionOps devcode_ops = {
    .read = devcode_read,
    .write = devcode_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static int exec_at(RISCVCPU *cpu, uint64_t pc);

static RISCVCPU *new_hart(Fixture *f, uint64_t hartid)
{
    /*
     * What firmware does first (tests/guest/crt0.S, OpenSBI): PMP entry 0
     * over everything, RWX, so that S and U may run at all.
     */
    const uint32_t pmp_all[] = {
        ADDI(T0, ZERO, -1), CSRRW(ZERO, CSR_PMPADDR0, T0),
        ADDI(T0, ZERO, 0x1f), CSRRW(ZERO, CSR_PMPCFG0, T0), WFI,
    };
    Object *obj = object_new(TYPE_RISCV_CPU);
    RISCVCPU *cpu = RISCV_CPU(obj);

    CPU(obj)->as = &f->as;
    object_property_set_uint(obj, "hartid", hartid, &error_abort);
    object_property_set_uint(obj, "resetvec", CODE, &error_abort);
    cpu_reset(CPU(obj));
    address_space_write(&f->as, FIRMWARE, A, pmp_all, sizeof(pmp_all));
    g_assert_cmpint(exec_at(cpu, FIRMWARE), ==, EXCP_HLT);
    riscv_cpu_flush_code_cache(&cpu->env);
    cpu->env.pc = CODE;
    cpu->env.minstret = 0;
    cpu->env.mtvec = STOP;
    cpu->env.stvec = STOP;
    return cpu;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    uint32_t wfi = WFI;

    f->owner = object_new(TYPE_CONTAINER);
    memory_region_init(&f->root, NULL, "root", UINT64_MAX);
    memory_region_init_ram(&f->ram, f->owner, "ram", 1 << 20, &error_abort);
    memory_region_add_subregion(&f->root, RAM_BASE, &f->ram);
    memory_region_init_io(&f->mmio, f->owner, &mmio_ops, f, "reg", 4);
    memory_region_add_subregion(&f->root, MMIO, &f->mmio);
    memory_region_init_io(&f->devcode, f->owner, &devcode_ops, f, "devcode",
                          sizeof(f->devcode_bytes));
    memory_region_add_subregion(&f->root, DEVCODE, &f->devcode);
    address_space_init(&f->as, &f->root, "test-riscv");
    address_space_write(&f->as, STOP, A, &wfi, 4);
    f->cpu = new_hart(f, 0);
    f->env = &f->cpu->env;
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    object_unref(f->cpu);
    address_space_destroy(&f->as);
    object_unref(OBJECT(&f->root));
    object_unref(f->owner);
    drain_call_rcu();
}

/* Put @n words at @addr, as a loader would (the hart must forget them). */
static void put_code(Fixture *f, uint64_t addr, const uint32_t *words,
                     size_t n)
{
    g_assert_cmpint(address_space_write(&f->as, addr, A, words, n * 4), ==,
                    MEMTX_OK);
    riscv_cpu_flush_code_cache(f->env);
}

static uint64_t ld64(Fixture *f, uint64_t addr)
{
    return address_space_ldq_le(&f->as, addr, A, NULL);
}

static void st64(Fixture *f, uint64_t addr, uint64_t v)
{
    address_space_stq_le(&f->as, addr, v, A, NULL);
}

static int exec_at(RISCVCPU *cpu, uint64_t pc)
{
    CPUState *cs = CPU(cpu);

    cpu->env.pc = pc;
    qatomic_set(&cs->exit_request, 0);
    return CPU_GET_CLASS(cs)->exec(cs);
}

/* Run @words from CODE in M-mode until the final wfi (or a trap). */
#define RUN(f, ...) do {                                                \
        const uint32_t prog_[] = { __VA_ARGS__ };                       \
        put_code(f, CODE, prog_, G_N_ELEMENTS(prog_));                  \
        g_assert_cmpint(exec_at((f)->cpu, CODE), ==, EXCP_HLT);         \
    } while (0)

/*
 * Run @words in privilege @mode, entered with mret from M.  The trampoline
 * starts in M whatever the last trap left (it makes no data access, and
 * mret recomputes what depends on the privilege).
 */
#define RUN_IN(f, mode, ...) do {                                       \
        const uint32_t prog_[] = { __VA_ARGS__ };                       \
        uint32_t mret_ = MRET;                                          \
        put_code(f, CODE, prog_, G_N_ELEMENTS(prog_));                  \
        put_code(f, TRAMP, &mret_, 1);                                  \
        (f)->env->mstatus = ((f)->env->mstatus & ~MSTATUS_MPP) |       \
                            ((uint64_t)(mode) << MSTATUS_MPP_SHIFT);    \
        (f)->env->mepc = CODE;                                          \
        (f)->env->priv = PRV_M;                                         \
        g_assert_cmpint(exec_at((f)->cpu, TRAMP), ==, EXCP_HLT);        \
    } while (0)

/* The last run ended by a trap into M with these values. */
static void assert_trap(Fixture *f, uint64_t cause, uint64_t epc,
                        uint64_t tval)
{
    g_assert_cmphex(f->env->pc, ==, STOP + 4);
    g_assert_cmpuint(f->env->priv, ==, PRV_M);
    g_assert_cmphex(f->env->mcause, ==, cause);
    g_assert_cmphex(f->env->mepc, ==, epc);
    g_assert_cmphex(f->env->mtval, ==, tval);
}

/* rd = op(a, b) for one R-type instruction with rd=a2, rs1=a0, rs2=a1. */
static uint64_t alu(Fixture *f, uint32_t insn, uint64_t a, uint64_t b)
{
    f->env->gpr[A0] = a;
    f->env->gpr[A1] = b;
    RUN(f, insn, WFI);
    return f->env->gpr[A2];
}

/* ---- ISA ---------------------------------------------------------------- */

#define DIV     OP(1, 4, A2, A0, A1)
#define DIVU    OP(1, 5, A2, A0, A1)
#define REM     OP(1, 6, A2, A0, A1)
#define REMU    OP(1, 7, A2, A0, A1)
#define DIVW    OP32(1, 4, A2, A0, A1)
#define DIVUW   OP32(1, 5, A2, A0, A1)
#define REMW    OP32(1, 6, A2, A0, A1)
#define REMUW   OP32(1, 7, A2, A0, A1)

static void test_div_rem_edge_cases(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(alu(f, DIV, 7, 0), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, DIV, INT64_MIN, -1), ==, (uint64_t)INT64_MIN);
    g_assert_cmphex(alu(f, DIV, -7, 2), ==, (uint64_t)-3);
    g_assert_cmphex(alu(f, DIVU, 7, 0), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, REM, -7, 0), ==, (uint64_t)-7);
    g_assert_cmphex(alu(f, REM, INT64_MIN, -1), ==, 0);
    g_assert_cmphex(alu(f, REM, -7, 2), ==, (uint64_t)-1);
    g_assert_cmphex(alu(f, REMU, 7, 0), ==, 7);
    g_assert_cmphex(alu(f, DIVW, 7, 0), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, DIVW, 0x80000000, -1), ==, 0xffffffff80000000);
    g_assert_cmphex(alu(f, DIVW, 0xdead000000000010, 4), ==, 4);
    g_assert_cmphex(alu(f, DIVUW, 0x80000000, 1), ==, 0xffffffff80000000);
    g_assert_cmphex(alu(f, DIVUW, 7, 0), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, REMW, 0x80000007, 0), ==, 0xffffffff80000007);
    g_assert_cmphex(alu(f, REMW, 0x80000000, -1), ==, 0);
    g_assert_cmphex(alu(f, REMUW, 0x123456789, 0), ==, 0x23456789);
    g_assert_cmphex(alu(f, REMUW, 0xffffffff, 0), ==, UINT64_MAX);
}

static void test_mulh_variants(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(alu(f, OP(1, 0, A2, A0, A1), INT64_MAX, 2), ==,
                    0xfffffffffffffffe);
    g_assert_cmphex(alu(f, OP(1, 1, A2, A0, A1), -1, -1), ==, 0);
    g_assert_cmphex(alu(f, OP(1, 1, A2, A0, A1), INT64_MIN, INT64_MIN), ==,
                    0x4000000000000000);
    g_assert_cmphex(alu(f, OP(1, 1, A2, A0, A1), -2, 3), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, OP(1, 3, A2, A0, A1), -1, -1), ==,
                    0xfffffffffffffffe);
    g_assert_cmphex(alu(f, OP(1, 2, A2, A0, A1), -1, -1), ==, UINT64_MAX);
    g_assert_cmphex(alu(f, OP(1, 2, A2, A0, A1), 2, -1), ==, 1);
    g_assert_cmphex(alu(f, OP(1, 2, A2, A0, A1), INT64_MIN, -1), ==,
                    0x8000000000000000);
    g_assert_cmphex(alu(f, OP32(1, 0, A2, A0, A1), 0x7fffffff, 2), ==,
                    0xfffffffffffffffe);
}

static void test_w_ops_sign_extend(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(alu(f, OP32(0, 0, A2, A0, A1), 0x7fffffff, 1), ==,
                    0xffffffff80000000);
    g_assert_cmphex(alu(f, OP32(0x20, 0, A2, A0, A1), 0x80000000, 1), ==,
                    0x7fffffff);
    g_assert_cmphex(alu(f, OP32(0, 1, A2, A0, A1), 1, 31), ==,
                    0xffffffff80000000);
    g_assert_cmphex(alu(f, OP32(0, 1, A2, A0, A1), 1, 32), ==, 1);
    g_assert_cmphex(alu(f, OP32(0, 5, A2, A0, A1), 0xffffffff80000000, 4),
                    ==, 0x08000000);
    g_assert_cmphex(alu(f, OP32(0x20, 5, A2, A0, A1), 0x80000000, 4), ==,
                    0xfffffffff8000000);
    /* addiw a2, a0, -1 */
    g_assert_cmphex(alu(f, i_type(-1, A0, 0, A2, 0x1b), 0, 0), ==,
                    UINT64_MAX);
}

static void test_shifts(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(alu(f, OP(0, 1, A2, A0, A1), 1, 63), ==, 1ULL << 63);
    g_assert_cmphex(alu(f, OP(0, 1, A2, A0, A1), 1, 64), ==, 1);
    g_assert_cmphex(alu(f, OP(0, 5, A2, A0, A1), 1ULL << 63, 63), ==, 1);
    g_assert_cmphex(alu(f, OP(0x20, 5, A2, A0, A1), 1ULL << 63, 63), ==,
                    UINT64_MAX);
    /* slli a2, a0, 40; srai a2, a0, 33 (6-bit shift amounts) */
    g_assert_cmphex(alu(f, i_type(40, A0, 1, A2, 0x13), 3, 0), ==,
                    3ULL << 40);
    g_assert_cmphex(alu(f, i_type(0x400 | 33, A0, 5, A2, 0x13),
                        0x8000000000000000, 0), ==, 0xffffffffc0000000);
    /* slt/sltu */
    g_assert_cmphex(alu(f, OP(0, 2, A2, A0, A1), -1, 0), ==, 1);
    g_assert_cmphex(alu(f, OP(0, 3, A2, A0, A1), -1, 0), ==, 0);
}

/*
 * Zba, Zbb, Zbc, Zbs: every instruction once or more, rd=a2, rs1=a0,
 * rs2=a1 (the immediate forms take their amount in the encoding).  The
 * values are the spec's, except ctzw, which follows QEMU 7.2 (it counts
 * on past bit 31: tests/guest/bitmanip.c records QEMU's answer).
 */
#define OPI(f12, f3, opc)   i_type(f12, A0, f3, A2, opc)
static void test_bitmanip(Fixture *f, gconstpointer data)
{
    const struct {
        const char *name;
        uint32_t insn;
        uint64_t a, b, want;
    } t[] = {
        { "add.uw", OP32(0x04, 0, A2, A0, A1), 0xffffffff80000000, 1,
          0x80000001 },
        { "sh1add", OP(0x10, 2, A2, A0, A1), 3, 10, 16 },
        { "sh2add", OP(0x10, 4, A2, A0, A1), -1, 0, -4 },
        { "sh3add", OP(0x10, 6, A2, A0, A1), 1ULL << 62 | 1, 8, 16 },
        { "sh1add.uw", OP32(0x10, 2, A2, A0, A1), -1, 0, 0x1fffffffe },
        { "sh2add.uw", OP32(0x10, 4, A2, A0, A1), 0xdead80000000, 4,
          0x200000004 },
        { "sh3add.uw", OP32(0x10, 6, A2, A0, A1), -1, -1, 0x7fffffff7 },
        { "slli.uw 0", OPI(0x080, 1, 0x1b), -1, 0, 0xffffffff },
        { "slli.uw 63", OPI(0x0bf, 1, 0x1b), 0x100000003, 0, 1ULL << 63 },
        { "andn", OP(0x20, 7, A2, A0, A1), 0xff, 0x0f, 0xf0 },
        { "orn", OP(0x20, 6, A2, A0, A1), 0, 0, -1 },
        { "xnor", OP(0x20, 4, A2, A0, A1), 0x5555, 0x5555, -1 },
        { "clz 0", OPI(0x600, 1, 0x13), 0, 0, 64 },
        { "clz 1", OPI(0x600, 1, 0x13), 1, 0, 63 },
        { "clzw 0", OPI(0x600, 1, 0x1b), 0xffffffff00000000, 0, 32 },
        { "clzw 1", OPI(0x600, 1, 0x1b), 1, 0, 31 },
        { "ctz 0", OPI(0x601, 1, 0x13), 0, 0, 64 },
        { "ctz", OPI(0x601, 1, 0x13), 1ULL << 63, 0, 63 },
        { "ctzw 0", OPI(0x601, 1, 0x1b), 0, 0, 32 },
        { "ctzw", OPI(0x601, 1, 0x1b), 0x80000000, 0, 31 },
        { "ctzw as QEMU 7.2", OPI(0x601, 1, 0x1b), 1ULL << 40, 0, 40 },
        { "cpop", OPI(0x602, 1, 0x13), -1, 0, 64 },
        { "cpopw", OPI(0x602, 1, 0x1b), 0xffffffff00000001, 0, 1 },
        { "max", OP(0x05, 6, A2, A0, A1), -1, 1, 1 },
        { "maxu", OP(0x05, 7, A2, A0, A1), -1, 1, -1 },
        { "min", OP(0x05, 4, A2, A0, A1), 1ULL << 63, 0, 1ULL << 63 },
        { "minu", OP(0x05, 5, A2, A0, A1), 1ULL << 63, 0, 0 },
        { "sext.b", OPI(0x604, 1, 0x13), 0x80, 0, -128 },
        { "sext.h", OPI(0x605, 1, 0x13), 0x8000, 0, -32768 },
        { "zext.h", OPI(0x080, 4, 0x3b), -1, 0, 0xffff },
        { "rol", OP(0x30, 1, A2, A0, A1), 0x8000000000000001, 65, 3 },
        { "rolw", OP32(0x30, 1, A2, A0, A1), 0x40000000, 1,
          0xffffffff80000000 },
        { "ror", OP(0x30, 5, A2, A0, A1), 1, 63, 2 },
        { "rorw", OP32(0x30, 5, A2, A0, A1), 1, 33, 0xffffffff80000000 },
        { "rori 63", OPI(0x63f, 5, 0x13), 1, 0, 2 },
        { "roriw 31", OPI(0x61f, 5, 0x1b), 1, 0, 2 },
        { "orc.b", OPI(0x287, 5, 0x13), 0x000100800000ff00, 0,
          0x00ff00ff0000ff00 },
        { "rev8", OPI(0x6b8, 5, 0x13), 0x0102030405060708, 0,
          0x0807060504030201 },
        { "clmul", OP(0x05, 1, A2, A0, A1), -1, -1, 0x5555555555555555 },
        { "clmulh", OP(0x05, 3, A2, A0, A1), 0x8000000000000001, -1,
          0x7fffffffffffffff },
        { "clmulr", OP(0x05, 2, A2, A0, A1), -1, -1, 0xaaaaaaaaaaaaaaaa },
        { "bclr", OP(0x24, 1, A2, A0, A1), -1, 64, -2 },
        { "bext", OP(0x24, 5, A2, A0, A1), 1ULL << 63, 127, 1 },
        { "binv", OP(0x34, 1, A2, A0, A1), 0, 63, 1ULL << 63 },
        { "bset", OP(0x14, 1, A2, A0, A1), 0, 32, 1ULL << 32 },
        { "bclri", OPI(0x4bf, 1, 0x13), -1, 0, 0x7fffffffffffffff },
        { "bexti", OPI(0x4bf, 5, 0x13), 1ULL << 63, 0, 1 },
        { "binvi", OPI(0x6bf, 1, 0x13), 0, 0, 1ULL << 63 },
        { "bseti", OPI(0x29f, 1, 0x13), 0, 0, 0x80000000 },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        g_test_message("%s", t[i].name);
        g_assert_cmphex(alu(f, t[i].insn, t[i].a, t[i].b), ==, t[i].want);
    }
}

/*
 * Next to the bit-manipulation encodings: those of extensions QEMU 7.2
 * leaves off by default (Zbkb, Zbkx) and RV32-only forms are illegal.
 */
static void test_bitmanip_neighbours_illegal(Fixture *f, gconstpointer data)
{
    const uint32_t bad[] = {
        OP(0x04, 4, A2, A0, A1),        /* pack */
        OP(0x04, 7, A2, A0, A1),        /* packh */
        OP32(0x04, 4, A2, A0, A1),      /* packw (zext.h needs rs2 = 0) */
        OPI(0x687, 5, 0x13),            /* brev8 */
        OPI(0x698, 5, 0x13),            /* rev8, RV32 encoding */
        OPI(0x08f, 1, 0x13),            /* zip */
        OPI(0x603, 1, 0x13),            /* between cpop and sext.b */
        OPI(0x620, 5, 0x1b),            /* roriw with shamt[5] */
        OPI(0x603, 1, 0x1b),            /* after cpopw */
        OP(0x14, 2, A2, A0, A1),        /* xperm4 */
        OP32(0x14, 1, A2, A0, A1),      /* bset has no W form */
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        RUN(f, ADDI(A0, ZERO, 1), bad[i], WFI);
        assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE + 4, bad[i]);
    }
}

/* pause (Zihintpause) is a no-op that retires like any instruction. */
static void test_pause(Fixture *f, gconstpointer data)
{
    RUN(f, ADDI(A0, ZERO, 5), 0x0100000f, ADDI(A0, A0, 1), WFI);
    g_assert_cmpuint(f->env->gpr[A0], ==, 6);
    g_assert_cmpuint(f->env->minstret, ==, 4);
    g_assert_cmphex(f->env->pc, ==, CODE + 16);
}

static void test_loads_stores_widths_and_sign(Fixture *f, gconstpointer data)
{
    f->env->gpr[A0] = DATA;
    f->env->gpr[A1] = 0x8182838485868788;
    RUN(f, STORE(3, A1, A0, 0),
        LOAD(0, A2, A0, 0), LOAD(4, A3, A0, 0),     /* lb, lbu */
        LOAD(1, A4, A0, 0), LOAD(5, A5, A0, 0),     /* lh, lhu */
        LOAD(2, T0, A0, 4), LOAD(6, T1, A0, 4),     /* lw, lwu */
        STORE(0, A1, A0, 8), STORE(1, A1, A0, 16), STORE(2, A1, A0, 24),
        WFI);
    g_assert_cmphex(f->env->gpr[A2], ==, 0xffffffffffffff88);
    g_assert_cmphex(f->env->gpr[A3], ==, 0x88);
    g_assert_cmphex(f->env->gpr[A4], ==, 0xffffffffffff8788);
    g_assert_cmphex(f->env->gpr[A5], ==, 0x8788);
    g_assert_cmphex(f->env->gpr[T0], ==, 0xffffffff81828384);
    g_assert_cmphex(f->env->gpr[T1], ==, 0x81828384);
    g_assert_cmphex(ld64(f, DATA + 8), ==, 0x88);
    g_assert_cmphex(ld64(f, DATA + 16), ==, 0x8788);
    g_assert_cmphex(ld64(f, DATA + 24), ==, 0x85868788);
    /* x0 stays zero when written */
    RUN(f, ADDI(ZERO, ZERO, 5), LOAD(3, ZERO, A0, 0), ADDI(A2, ZERO, 0), WFI);
    g_assert_cmphex(f->env->gpr[A2], ==, 0);
    g_assert_cmphex(f->env->gpr[ZERO], ==, 0);
}

static void test_branches_and_jumps(Fixture *f, gconstpointer data)
{
    /* sum 1..10 with a backward branch; then jal/jalr/auipc */
    RUN(f, ADDI(A0, ZERO, 0), ADDI(A1, ZERO, 10),
        OP(0, 0, A0, A0, A1), ADDI(A1, A1, -1), BNE(A1, ZERO, -8),
        jal(RA, 12), ADDI(A2, ZERO, 99), WFI,
        AUIPC(A3, 0), JALR(T0, RA, 4));
    g_assert_cmpuint(f->env->gpr[A0], ==, 55);
    g_assert_cmphex(f->env->gpr[RA], ==, CODE + 24);
    g_assert_cmphex(f->env->gpr[A3], ==, CODE + 32);
    g_assert_cmphex(f->env->gpr[T0], ==, CODE + 40);
    g_assert_cmpuint(f->env->gpr[A2], ==, 0);
    g_assert_cmphex(f->env->pc, ==, CODE + 32);

    /* signed and unsigned compares */
    f->env->gpr[A0] = -1;
    f->env->gpr[A1] = 1;
    f->env->gpr[A2] = f->env->gpr[A3] = f->env->gpr[A4] = 0;
    RUN(f, BLT(A0, A1, 8), ADDI(A2, ZERO, 1), BGEU(A0, A1, 8),
        ADDI(A3, ZERO, 1), BEQ(A0, A1, 8), ADDI(A4, ZERO, 1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 0);
    g_assert_cmpuint(f->env->gpr[A3], ==, 0);
    g_assert_cmpuint(f->env->gpr[A4], ==, 1);
}

/*
 * A branch over exactly one ADDI, ADDIW or ADD runs as one predicated
 * operation (exec.c, RISCV_FORM_SKIP_*): every branch kind, taken and
 * not, must leave the registers and minstret as plain execution does.
 */
static void test_short_forward_branch(Fixture *f, gconstpointer data)
{
    static const int64_t pairs[][2] = { { -1, 1 }, { 1, -1 }, { 5, 5 } };
    static const unsigned f3s[] = { 0, 1, 4, 5, 6, 7 };
    const uint32_t skipped[] = {
        ADDI(A2, A2, 5), i_type(0, A3, 0, A2, 0x1b) /* sext.w a2, a3 */,
        OP(0, 0, A2, A2, A3),
    };
    const uint64_t a2 = 0x1000, a3 = 0x80000000;
    const uint64_t results[] = { a2 + 5, 0xffffffff80000000, a2 + a3 };
    uint64_t *x = f->env->gpr;
    unsigned p, b, k;

    for (p = 0; p < G_N_ELEMENTS(pairs); p++) {
        for (b = 0; b < G_N_ELEMENTS(f3s); b++) {
            int64_t s1 = pairs[p][0], s2 = pairs[p][1];
            bool taken;

            switch (f3s[b]) {
            case 0:
                taken = s1 == s2;
                break;
            case 1:
                taken = s1 != s2;
                break;
            case 4:
                taken = s1 < s2;
                break;
            case 5:
                taken = s1 >= s2;
                break;
            case 6:
                taken = (uint64_t)s1 < (uint64_t)s2;
                break;
            default:
                taken = (uint64_t)s1 >= (uint64_t)s2;
                break;
            }
            for (k = 0; k < G_N_ELEMENTS(skipped); k++) {
                x[A0] = s1;
                x[A1] = s2;
                x[A2] = a2;
                x[A3] = a3;
                f->env->minstret = 0;
                RUN(f, b_type(8, A1, A0, f3s[b]), skipped[k], WFI);
                g_assert_cmphex(x[A2], ==, taken ? a2 : results[k]);
                g_assert_cmpuint(f->env->minstret, ==, taken ? 2 : 3);
                g_assert_cmphex(f->env->pc, ==, CODE + 12);
            }
        }
    }

    /* c.beqz / c.bnez a0 over c.li a2, 7; then x0 as the destination */
    for (p = 0; p < 4; p++) {
        uint16_t prog[] = {
            p & 1 ? 0xe111 : 0xc111, 0x461d, WFI & 0xffff, WFI >> 16,
        };
        bool taken;

        x[A0] = p & 2;
        x[A2] = 0;
        f->env->minstret = 0;
        address_space_write(&f->as, CODE, A, prog, sizeof(prog));
        riscv_cpu_flush_code_cache(f->env);
        g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
        taken = (p & 1) ? x[A0] != 0 : x[A0] == 0;
        g_assert_cmpuint(x[A2], ==, taken ? 0 : 7);
        g_assert_cmpuint(f->env->minstret, ==, taken ? 2 : 3);
    }
    x[A0] = 1;
    RUN(f, BEQ(A0, ZERO, 8), ADDI(ZERO, A0, 1), WFI);
    g_assert_cmpuint(x[ZERO], ==, 0);
}

/*
 * Branches and jumps that leave the page, and 32-bit instructions that
 * straddle a page end (decoded from both pages at every execution).
 */
static void test_page_boundaries(Fixture *f, gconstpointer data)
{
    uint64_t *x = f->env->gpr;
    const uint64_t end = DATA + 0x1000;

    /* a taken branch from the last word into the next page */
    put_code(f, end - 8, (uint32_t[]) {
        ADDI(A0, ZERO, 1), BNE(A0, ZERO, 8),
        ADDI(A1, ZERO, 1), ADDI(A2, ZERO, 2), WFI }, 5);
    x[A1] = x[A2] = 0;
    g_assert_cmpint(exec_at(f->cpu, end - 8), ==, EXCP_HLT);
    g_assert_cmpuint(x[A1], ==, 0);
    g_assert_cmpuint(x[A2], ==, 2);
    g_assert_cmphex(f->env->pc, ==, end + 12);

    /* auipc straddling the end: its pc is the first half's */
    {
        uint16_t prog[] = {
            0x0001,                                 /* c.nop */
            AUIPC(A4, 0) & 0xffff, AUIPC(A4, 0) >> 16,
            WFI & 0xffff, WFI >> 16,
        };

        address_space_write(&f->as, end - 4, A, prog, sizeof(prog));
        riscv_cpu_flush_code_cache(f->env);
        f->env->minstret = 0;
        g_assert_cmpint(exec_at(f->cpu, end - 4), ==, EXCP_HLT);
        g_assert_cmphex(x[A4], ==, end - 2);
        g_assert_cmpuint(f->env->minstret, ==, 3);
        g_assert_cmphex(f->env->pc, ==, end + 6);
    }

    /* jal straddling the end, back into the first page */
    {
        uint32_t j = jal(RA, -0xe);
        uint16_t prog[] = {
            ADDI(A5, ZERO, 9) & 0xffff, ADDI(A5, ZERO, 9) >> 16,
            WFI & 0xffff, WFI >> 16,
            0, 0, 0x0001, j & 0xffff, j >> 16,
        };

        address_space_write(&f->as, end - 16, A, prog, sizeof(prog));
        riscv_cpu_flush_code_cache(f->env);
        x[A5] = 0;
        g_assert_cmpint(exec_at(f->cpu, end - 4), ==, EXCP_HLT);
        g_assert_cmpuint(x[A5], ==, 9);
        g_assert_cmphex(x[RA], ==, end + 2);
        g_assert_cmphex(f->env->pc, ==, end - 8);
    }
}

/* One 16-bit instruction, then wfi. */
static void run16(Fixture *f, uint16_t insn)
{
    uint16_t prog[3] = { insn, WFI & 0xffff, WFI >> 16 };

    g_assert_cmpint(address_space_write(&f->as, CODE, A, prog, 6), ==,
                    MEMTX_OK);
    riscv_cpu_flush_code_cache(f->env);
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
}

static void test_compressed(Fixture *f, gconstpointer data)
{
    uint64_t *x = f->env->gpr;

    run16(f, 0x4515);                   /* c.li a0, 5 */
    g_assert_cmpuint(x[A0], ==, 5);
    run16(f, 0x55f5);                   /* c.li a1, -3 */
    g_assert_cmphex(x[A1], ==, (uint64_t)-3);
    run16(f, 0x051d);                   /* c.addi a0, 7 */
    g_assert_cmpuint(x[A0], ==, 12);
    x[A1] = 0x7fffffff;
    run16(f, 0x2585);                   /* c.addiw a1, 1 */
    g_assert_cmphex(x[A1], ==, 0xffffffff80000000);
    run16(f, 0x7605);                   /* c.lui a2, 0xfffe1 */
    g_assert_cmphex(x[A2], ==, 0xfffffffffffe1000);
    x[A0] = 1;
    run16(f, 0x1506);                   /* c.slli a0, 33 */
    g_assert_cmphex(x[A0], ==, 1ULL << 33);
    run16(f, 0x810d);                   /* c.srli a0, 3 */
    g_assert_cmphex(x[A0], ==, 1ULL << 30);
    x[A1] = -8;
    run16(f, 0x8585);                   /* c.srai a1, 1 */
    g_assert_cmphex(x[A1], ==, (uint64_t)-4);
    x[A0] = 0xff;
    run16(f, 0x9979);                   /* c.andi a0, -2 */
    g_assert_cmphex(x[A0], ==, 0xfe);
    x[A0] = 10, x[A1] = 3;
    run16(f, 0x8d0d);                   /* c.sub a0, a1 */
    g_assert_cmpuint(x[A0], ==, 7);
    run16(f, 0x8d2d);                   /* c.xor a0, a1 */
    g_assert_cmpuint(x[A0], ==, 4);
    run16(f, 0x8d4d);                   /* c.or a0, a1 */
    g_assert_cmpuint(x[A0], ==, 7);
    run16(f, 0x8d6d);                   /* c.and a0, a1 */
    g_assert_cmpuint(x[A0], ==, 3);
    x[A0] = 0x80000000, x[A1] = 1;
    run16(f, 0x9d0d);                   /* c.subw a0, a1 */
    g_assert_cmphex(x[A0], ==, 0x7fffffff);
    run16(f, 0x9d2d);                   /* c.addw a0, a1 */
    g_assert_cmphex(x[A0], ==, 0xffffffff80000000);
    run16(f, 0x86aa);                   /* c.mv a3, a0 */
    g_assert_cmphex(x[A3], ==, 0xffffffff80000000);
    run16(f, 0x96ae);                   /* c.add a3, a1 */
    g_assert_cmphex(x[A3], ==, 0xffffffff80000001);

    x[SP] = DATA + 0x100;
    run16(f, 0x7139);                   /* c.addi16sp sp, -64 */
    g_assert_cmphex(x[SP], ==, DATA + 0xc0);
    run16(f, 0x0818);                   /* c.addi4spn a4, sp, 16 */
    g_assert_cmphex(x[A4], ==, DATA + 0xd0);
    x[A0] = 0x1122334455667788, x[A1] = 0x99aabbcc;
    run16(f, 0xe708);                   /* c.sd a0, 8(a4) */
    run16(f, 0x671c);                   /* c.ld a5, 8(a4) */
    g_assert_cmphex(x[A5], ==, 0x1122334455667788);
    run16(f, 0xc34c);                   /* c.sw a1, 4(a4) */
    run16(f, 0x435c);                   /* c.lw a5, 4(a4) */
    g_assert_cmphex(x[A5], ==, 0xffffffff99aabbcc);
    run16(f, 0xec2a);                   /* c.sdsp a0, 24(sp) */
    run16(f, 0x66e2);                   /* c.ldsp a3, 24(sp) */
    g_assert_cmphex(x[A3], ==, 0x1122334455667788);
    run16(f, 0xc62e);                   /* c.swsp a1, 12(sp) */
    run16(f, 0x46b2);                   /* c.lwsp a3, 12(sp) */
    g_assert_cmphex(x[A3], ==, 0xffffffff99aabbcc);
    g_assert_cmphex(ld64(f, DATA + 0xd8), ==, 0x1122334455667788);

    /* control flow: c.beqz/c.bnez/c.j skip over a 16-bit c.li a2, 1 */
    {
        const uint16_t prog[] = {
            0xc119,         /* c.beqz a0, +6 */
            0x4605,         /* c.li a2, 1 */
            0x4685,         /* c.li a3, 1 */
            0xa019,         /* c.j +6 */
            0x4705,         /* c.li a4, 1 */
            0x4785,         /* c.li a5, 1 */
            0x9782,         /* c.jalr a5 -> set below */
        };
        uint32_t tail[] = { WFI };

        x[A0] = 0;
        x[A2] = x[A3] = x[A4] = 0;
        address_space_write(&f->as, CODE, A, prog, 12);
        address_space_write(&f->as, CODE + 12, A, tail, 4);
        riscv_cpu_flush_code_cache(f->env);
        g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
        /* beqz taken to +6 (c.j), which jumps to +12: wfi */
        g_assert_cmpuint(x[A2], ==, 0);
        g_assert_cmpuint(x[A3], ==, 0);
        g_assert_cmpuint(x[A4], ==, 0);
        g_assert_cmphex(f->env->pc, ==, CODE + 16);
    }
    x[A5] = STOP;
    run16(f, 0x9782);                   /* c.jalr a5 */
    g_assert_cmphex(x[RA], ==, CODE + 2);
    g_assert_cmphex(f->env->pc, ==, STOP + 4);

    run16(f, 0x9002);                   /* c.ebreak */
    assert_trap(f, RISCV_EXCP_BREAKPOINT, CODE, 0);
    run16(f, 0x0000);                   /* defined illegal */
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, 0);
    run16(f, 0x2000);                   /* c.fld: no D extension */
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, 0x2000);
}

/* ---- CSRs --------------------------------------------------------------- */

static void test_csr_read_write_set_clear(Fixture *f, gconstpointer data)
{
    f->env->gpr[A0] = 0xf0;
    f->env->gpr[A1] = 0x30;
    RUN(f, CSRRW(A2, CSR_MSCRATCH, A0),     /* a2 = 0, mscratch = 0xf0 */
        CSRRS(A3, CSR_MSCRATCH, A1),        /* a3 = 0xf0 */
        CSRRC(A4, CSR_MSCRATCH, A0),        /* a4 = 0xf0, then 0 */
        CSRRSI(A5, CSR_MSCRATCH, 5),        /* a5 = 0, then 5 */
        CSRRS(T0, CSR_MISA, ZERO),
        CSRRS(T1, CSR_MHARTID, ZERO),
        CSRRWI(ZERO, CSR_MTVEC, 2),         /* reserved mode: ignored */
        CSRRS(T2, CSR_MSTATUS, ZERO),
        WFI);
    g_assert_cmphex(f->env->gpr[A2], ==, 0);
    g_assert_cmphex(f->env->gpr[A3], ==, 0xf0);
    g_assert_cmphex(f->env->gpr[A4], ==, 0xf0);
    g_assert_cmphex(f->env->gpr[A5], ==, 0);
    g_assert_cmphex(f->env->mscratch, ==, 5);
    /* misa: A, C, D, F, I, M, S, U (QEMU's rv64 with h=off). */
    g_assert_cmphex(f->env->gpr[T0], ==, 0x800000000014112d);
    g_assert_cmphex(f->env->gpr[T1], ==, 0);
    g_assert_cmphex(f->env->mtvec, ==, STOP);
    g_assert_cmphex(f->env->gpr[T2], ==, 0xa00000000);

    /*
     * QEMU 7.2's masks, H's bits included even with h=off
     * (tests/guest/counters.c): medeleg 0-13, 15, 20-23; mideleg the S
     * and VS interrupts and LCOFI.
     */
    f->env->gpr[A0] = -1;
    RUN(f, CSRRW(ZERO, CSR_MEDELEG, A0), CSRRW(ZERO, CSR_MIDELEG, A0),
        CSRRS(A1, CSR_MEDELEG, ZERO), CSRRS(A2, CSR_MIDELEG, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A1], ==, 0xf0bfff);
    g_assert_cmphex(f->env->gpr[A2], ==, 0x2666);

    /* minstret counts retired instructions */
    f->env->minstret = 0;
    RUN(f, ADDI(A0, ZERO, 1), ADDI(A0, ZERO, 1), CSRRS(A1, CSR_MINSTRET, 0),
        WFI);
    g_assert_cmpuint(f->env->gpr[A1], ==, 2);
}

static void test_csr_illegal_access_traps(Fixture *f, gconstpointer data)
{
    uint32_t insn;

    insn = CSRRW(ZERO, CSR_MHARTID, ZERO);     /* read-only */
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    insn = CSRRS(T5, 0x7ff, ZERO);              /* no such CSR */
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    insn = CSRRS(A0, CSR_MSTATUS, ZERO);        /* M CSR from U */
    RUN_IN(f, PRV_U, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
    g_assert_cmphex(f->env->mstatus & MSTATUS_MPP, ==, 0);

    insn = CSRRS(A0, CSR_CYCLE, ZERO);          /* mcounteren = 0 */
    RUN_IN(f, PRV_U, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    f->env->mcounteren = f->env->scounteren = 1;
    RUN_IN(f, PRV_U, insn, ECALL);
    assert_trap(f, RISCV_EXCP_U_ECALL, CODE + 4, 0);

    insn = CSRRS(A0, CSR_TIME, ZERO);           /* no rdtime hook */
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
}

static uint64_t fake_mtime(void *opaque)
{
    return *(uint64_t *)opaque;
}

static void test_time_reads_board_clock(Fixture *f, gconstpointer data)
{
    uint64_t now = 123456789;

    riscv_cpu_set_rdtime_fn(f->cpu, fake_mtime, &now);
    RUN(f, CSRRS(A0, CSR_TIME, ZERO), WFI);
    g_assert_cmpuint(f->env->gpr[A0], ==, now);
}

/* ---- The -cpu model and its properties ------------------------------------ */

static void test_cpu_model_errors_as_qemu(void)
{
    static const struct {
        const char *option, *error;
    } cases[] = {
        { "max", "unable to find CPU model 'max'" },
        { "rv64,foo=off", "can't apply global rv64-riscv-cpu.foo=off: "
                          "Property 'rv64-riscv-cpu.foo' not found" },
        { "rv64,f=maybe", "can't apply global rv64-riscv-cpu.f=maybe: "
                          "Parameter 'f' expects 'on' or 'off'" },
        { "rv64,sstc", "Expected key=value format, found sstc" },
        { "rv64,i=off", "Either I or E extension must be set" },
        { "rv64,u=off", "Setting S extension without U extension is "
                        "illegal" },
        { "rv64,h=on", "qcore does not implement the H extension" },
        { "rv64,c=off", "qcore does not implement c=off" },
        { "rv64,pmu-num=30", "pmu-num 30: there are at most 29" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        Error *err = NULL;

        g_assert_null(riscv_cpu_new(cases[i].option, &err));
        g_assert_nonnull(err);
        if (!g_str_has_prefix(error_get_pretty(err), cases[i].error)) {
            g_error("-cpu %s: \"%s\"", cases[i].option,
                    error_get_pretty(err));
        }
        error_free(err);
    }
}

static void test_cpu_isa_string_and_mmu_type(void)
{
    static const struct {
        const char *option, *isa, *mmu;
    } cases[] = {
        /* QEMU 7.2's dumpdtb for the same -cpu, with f=off,d=off */
        { "rv64,f=off,d=off",
          "rv64imac_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
          "riscv,sv48" },
        { "rv64,h=off,f=off,d=off,sstc=off,zba=off,mmu=off",
          "rv64imac_zicsr_zifencei_zihintpause_zbb_zbc_zbs", "riscv,none" },
        { "rv64,f=off,d=off,Zicsr=off,m=off",
          "rv64iac_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc", "riscv,sv48" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        RISCVCPU *cpu = riscv_cpu_new(cases[i].option, &error_abort);
        g_autofree char *isa = riscv_cpu_isa_string(cpu);

        g_assert_cmpstr(isa, ==, cases[i].isa);
        g_assert_cmpstr(riscv_cpu_mmu_type(cpu), ==, cases[i].mmu);
        object_unref(OBJECT(cpu));
    }
}

/* Turn an extension off on the fixture's hart, as -cpu rv64,NAME=off. */
static void cpu_prop_off(Fixture *f, const char *name)
{
    object_property_parse(OBJECT(f->cpu), name, "off", &error_abort);
    cpu_reset(CPU(f->cpu));
    f->env->mtvec = STOP;
    f->env->pc = CODE;
}

static void test_cpu_props_gate_instructions(Fixture *f, gconstpointer data)
{
    uint32_t mul = OP(1, 0, A2, A0, A1);
    uint32_t amoadd = AMO(RISCV_AMO_ADD, 3, A2, A0, A1);
    uint32_t csrr = CSRRS(A2, CSR_MSCRATCH, ZERO);

    /* on by default: they run */
    f->env->gpr[A0] = DATA;
    f->env->gpr[A1] = 3;
    RUN(f, mul, amoadd, FENCE_I, csrr, WFI);
    g_assert_cmphex(f->env->pc, ==, CODE + 5 * 4);

    cpu_prop_off(f, "m");
    g_assert_cmphex(f->env->misa & MISA_EXT('M'), ==, 0);
    RUN(f, mul, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, mul);

    cpu_prop_off(f, "a");
    g_assert_cmphex(f->env->misa & MISA_EXT('A'), ==, 0);
    f->env->gpr[A0] = DATA;
    RUN(f, amoadd, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, amoadd);

    cpu_prop_off(f, "Zifencei");
    RUN(f, FENCE_I, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, FENCE_I);

    cpu_prop_off(f, "Zicsr");
    RUN(f, csrr, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, csrr);

    /* zba, zbb, zbc, zbs: each takes its own instructions away */
    {
        const struct {
            const char *prop;
            uint32_t insn;
        } zb[] = {
            { "zba", OP(0x10, 2, A2, A0, A1) },     /* sh1add */
            { "zbb", OP(0x20, 7, A2, A0, A1) },     /* andn */
            { "zbc", OP(0x05, 1, A2, A0, A1) },     /* clmul */
            { "zbs", OP(0x24, 1, A2, A0, A1) },     /* bclr */
        };
        size_t i, j;

        for (i = 0; i < G_N_ELEMENTS(zb); i++) {
            cpu_prop_off(f, zb[i].prop);
            for (j = i + 1; j < G_N_ELEMENTS(zb); j++) {
                RUN(f, zb[j].insn, WFI);        /* the others still run */
                g_assert_cmphex(f->env->pc, ==, CODE + 2 * 4);
            }
            RUN(f, zb[i].insn, WFI);
            assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, zb[i].insn);
        }
    }
}

static void test_cpu_props_gate_csrs(Fixture *f, gconstpointer data)
{
    uint64_t now = 1000;
    uint32_t insn;

    riscv_cpu_set_rdtime_fn(f->cpu, fake_mtime, &now);

    /* sstc=off: stimecmp does not exist */
    cpu_prop_off(f, "sstc");
    insn = CSRRS(A0, CSR_STIMECMP, ZERO);
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    /* pmu-num=4: hpm counters 3..6 exist, 7 does not */
    object_property_parse(OBJECT(f->cpu), "pmu-num", "4", &error_abort);
    f->env->gpr[A0] = 77;
    RUN(f, CSRRW(ZERO, CSR_MHPMCOUNTER3 + 3, A0),
        CSRRS(A1, CSR_MHPMCOUNTER3 + 3, ZERO), WFI);
    g_assert_cmpuint(f->env->gpr[A1], ==, 77);
    insn = CSRRS(A1, CSR_MHPMCOUNTER3 + 4, ZERO);
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    /* mmu=off: satp reads 0 and ignores writes */
    cpu_prop_off(f, "mmu");
    f->env->gpr[A0] = SATP_MODE_SV39 << SATP_MODE_SHIFT;
    RUN(f, CSRRW(ZERO, CSR_SATP, A0), CSRRS(A1, CSR_SATP, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A1], ==, 0);

    /* pmp=off: no PMP CSRs, and U runs with no entry at all */
    cpu_prop_off(f, "pmp");
    insn = CSRRS(A1, CSR_PMPCFG0, ZERO);
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
    f->env->gpr[A0] = DATA;
    RUN_IN(f, PRV_U, LOAD(3, A1, A0, 0), ECALL);
    assert_trap(f, RISCV_EXCP_U_ECALL, CODE + 4, 0);

    /* marchid and mimpid: QEMU 7.2.22's version */
    RUN(f, CSRRS(A0, CSR_MARCHID, ZERO), CSRRS(A1, CSR_MIMPID, ZERO),
        CSRRS(A2, CSR_MVENDORID, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A0], ==, 0x70216);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x70216);
    g_assert_cmphex(f->env->gpr[A2], ==, 0);
}

/* ---- Counters and Sstc ------------------------------------------------------ */

static void test_counters_as_qemu(Fixture *f, gconstpointer data)
{
    uint32_t insn;

    /* mhpmcounter3..18 hold what is written; 19 does not exist */
    f->env->gpr[A0] = 0x1234;
    RUN(f, CSRRW(ZERO, CSR_MHPMCOUNTER3 + 15, A0),
        CSRRS(A1, CSR_MHPMCOUNTER3 + 15, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    insn = CSRRS(A1, CSR_MHPMCOUNTER3 + 16, ZERO);
    RUN(f, insn, WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);

    /* event 2 (instructions) on counter 4: it counts what retires */
    f->env->gpr[A0] = 2;
    f->env->gpr[A1] = 100;
    RUN(f, CSRRW(ZERO, CSR_MHPMEVENT3 + 1, A0),
        CSRRW(ZERO, CSR_MHPMCOUNTER3 + 1, A1),
        ADDI(T0, ZERO, 1), ADDI(T0, ZERO, 1),
        CSRRS(A2, CSR_MHPMCOUNTER3 + 1, ZERO), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 103);

    /*
     * mcountinhibit: the first write inhibiting IR freezes minstret at
     * what was written; once IR was enabled by a write, inhibiting it
     * has no effect (QEMU 7.2's "started" flag).
     */
    f->env->gpr[A0] = 4;
    f->env->gpr[A1] = 500;
    RUN(f, CSRRW(ZERO, CSR_MCOUNTINHIBIT, A0),
        CSRRW(ZERO, CSR_MINSTRET, A1), ADDI(T0, ZERO, 1),
        CSRRS(A2, CSR_MINSTRET, ZERO), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 500);
    RUN(f, CSRRW(ZERO, CSR_MCOUNTINHIBIT, ZERO),
        CSRRW(ZERO, CSR_MCOUNTINHIBIT, A0),
        CSRRW(ZERO, CSR_MINSTRET, A1), ADDI(T0, ZERO, 1),
        CSRRS(A2, CSR_MINSTRET, ZERO), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 502);

    /* U reads cycle only with mcounteren.CY and scounteren.CY */
    insn = CSRRS(A0, CSR_CYCLE, ZERO);
    f->env->mcounteren = 1;
    f->env->scounteren = 0;
    RUN_IN(f, PRV_U, insn, ECALL);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
    RUN_IN(f, PRV_S, insn, ECALL);
    assert_trap(f, RISCV_EXCP_S_ECALL, CODE + 4, 0);
}

/*
 * Run @insn then wfi from CODE in M-mode; raising a mip bit kicks the
 * hart (exec returns EXCP_INTERRUPT at the next block), so go on then.
 */
static void run_kicked(Fixture *f, uint32_t insn)
{
    const uint32_t prog[] = { insn, WFI };
    CPUState *cs = CPU(f->cpu);
    int r;

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->pc = CODE;
    do {
        qatomic_set(&cs->exit_request, 0);
        r = CPU_GET_CLASS(cs)->exec(cs);
    } while (r == EXCP_INTERRUPT);
    g_assert_cmpint(r, ==, EXCP_HLT);
}

static void test_sstc_stimecmp_drives_stip(Fixture *f, gconstpointer data)
{
    uint64_t now = 1000;
    uint32_t insn = CSRRW(ZERO, CSR_STIMECMP, A0);

    riscv_cpu_set_rdtime_fn(f->cpu, fake_mtime, &now);

    /* a deadline in the past raises STIP at once, a future one drops it */
    f->env->gpr[A0] = 999;
    run_kicked(f, insn);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_STIP, ==, MIP_STIP);
    f->env->gpr[A0] = 2000;
    RUN(f, insn, WFI);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_STIP, ==, 0);

    /* with menvcfg.STCE, M cannot write mip.STIP */
    f->env->menvcfg = MENVCFG_STCE;
    f->env->gpr[A1] = MIP_STIP;
    RUN(f, CSRRS(ZERO, CSR_MIP, A1), WFI);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_STIP, ==, 0);

    /* S needs mcounteren.TM and menvcfg.STCE; U never */
    insn = CSRRS(A0, CSR_STIMECMP, ZERO);
    f->env->mcounteren = 0;
    RUN_IN(f, PRV_S, insn, ECALL);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
    f->env->mcounteren = COUNTEREN_TM;
    RUN_IN(f, PRV_S, insn, ECALL);
    assert_trap(f, RISCV_EXCP_S_ECALL, CODE + 4, 0);
    g_assert_cmpuint(f->env->gpr[A0], ==, 2000);
    f->env->scounteren = -1;
    RUN_IN(f, PRV_U, insn, ECALL);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, insn);
}

static void test_seip_is_software_or_plic(Fixture *f, gconstpointer data)
{
    /* software sets SEIP; the PLIC lowering its line leaves it set */
    f->env->gpr[A0] = MIP_SEIP;
    run_kicked(f, CSRRS(ZERO, CSR_MIP, A0));
    riscv_cpu_set_mip(f->cpu, MIP_SEIP, 0);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SEIP, ==, MIP_SEIP);
    /* the PLIC's line keeps it set when software clears its bit */
    riscv_cpu_set_mip(f->cpu, MIP_SEIP, MIP_SEIP);
    RUN(f, CSRRC(ZERO, CSR_MIP, A0), WFI);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SEIP, ==, MIP_SEIP);
    riscv_cpu_set_mip(f->cpu, MIP_SEIP, 0);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SEIP, ==, 0);

    /*
     * csrs of another bit (OpenSBI raising SSIP for an IPI) while the
     * PLIC's line is up writes only that bit: SEIP stays the PLIC's and
     * drops with its line (it used to stick, and Linux on 4 harts then
     * took external interrupts for ever).
     */
    riscv_cpu_set_mip(f->cpu, MIP_SEIP, MIP_SEIP);
    f->env->gpr[A0] = MIP_SSIP;
    RUN(f, CSRRS(ZERO, CSR_MIP, A0), WFI);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SSIP, ==, MIP_SSIP);
    riscv_cpu_set_mip(f->cpu, MIP_SEIP, 0);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SEIP, ==, 0);
    RUN(f, CSRRC(ZERO, CSR_MIP, A0), WFI);
    g_assert_cmphex(qatomic_read(&f->env->mip) & MIP_SSIP, ==, 0);
}

/* ---- Traps -------------------------------------------------------------- */

static void test_ecall_from_m_and_u(Fixture *f, gconstpointer data)
{
    RUN(f, ADDI(A0, ZERO, 1), ECALL, WFI);
    assert_trap(f, RISCV_EXCP_M_ECALL, CODE + 4, 0);
    g_assert_cmphex(f->env->mstatus & MSTATUS_MPP, ==, MSTATUS_MPP);

    RUN_IN(f, PRV_U, ADDI(A0, ZERO, 1), ECALL, WFI);
    assert_trap(f, RISCV_EXCP_U_ECALL, CODE + 4, 0);
    g_assert_cmphex(f->env->mstatus & MSTATUS_MPP, ==, 0);

    RUN_IN(f, PRV_U, WFI);                      /* wfi is illegal in U */
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, WFI);
    RUN_IN(f, PRV_U, MRET);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, MRET);
    RUN(f, EBREAK);
    assert_trap(f, RISCV_EXCP_BREAKPOINT, CODE, 0);
}

static void test_illegal_instruction_mtval(Fixture *f, gconstpointer data)
{
    const uint32_t bad[] = {
        0x32200073,             /* mret with a stray bit */
        0xffffffff,
        0x00007053,             /* fadd.s: no F extension */
        r_type(0, 0, 0, 7, A0, 0x03),   /* load funct3 7 */
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        RUN(f, ADDI(A0, ZERO, 1), bad[i], WFI);
        assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE + 4, bad[i]);
    }
}

static void test_access_fault_on_unmapped(Fixture *f, gconstpointer data)
{
    f->env->gpr[A0] = 0x40000000;
    RUN(f, LOAD(2, A1, A0, 8), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, 0x40000008);
    RUN(f, STORE(3, A1, A0, 0), WFI);
    assert_trap(f, RISCV_EXCP_STORE_AMO_ACCESS_FAULT, CODE, 0x40000000);
    /* QEMU 7.2 reports an AMO on nothing as a load access fault */
    RUN(f, AMO(0, 2, A1, A0, A1), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, 0x40000000);
    /* fetch: mepc and mtval are the target */
    RUN(f, JALR(RA, A0, 0), WFI);
    assert_trap(f, RISCV_EXCP_INST_ACCESS_FAULT, 0x40000000, 0x40000000);
    /* past the end of RAM */
    f->env->gpr[A0] = RAM_BASE + (1 << 20);
    RUN(f, LOAD(3, A1, A0, 0), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, RAM_BASE + (1 << 20));
}

static void test_misaligned_access(Fixture *f, gconstpointer data)
{
    /* As in QEMU: plain loads and stores may be misaligned, even across
     * a page; AMOs and LR may not. */
    st64(f, DATA, 0x0706050403020100);
    st64(f, DATA + 8, 0x0f0e0d0c0b0a0908);
    f->env->gpr[A0] = DATA;
    f->env->gpr[A1] = 0xa1a2a3a4a5a6a7a8;
    f->env->gpr[A3] = DATA + 0xffd;     /* 8 bytes across a page end */
    RUN(f, LOAD(2, A2, A0, 1), STORE(3, A1, A0, 19),
        STORE(3, A1, A3, 0), LOAD(3, A4, A3, 0), WFI);
    g_assert_cmphex(f->env->gpr[A2], ==, 0x04030201);
    g_assert_cmphex(ld64(f, DATA + 16) >> 24, ==, 0xa4a5a6a7a8);
    g_assert_cmphex(f->env->gpr[A4], ==, 0xa1a2a3a4a5a6a7a8);

    RUN(f, AMO(RISCV_AMO_ADD, 2, A2, A0, A1), WFI);
    g_assert_cmphex(f->env->pc, ==, CODE + 8);  /* aligned: fine */
    f->env->gpr[A0] = DATA + 2;
    RUN(f, AMO(RISCV_AMO_ADD, 2, A2, A0, A1), WFI);
    assert_trap(f, RISCV_EXCP_STORE_AMO_ADDR_MIS, CODE, DATA + 2);
    RUN(f, AMO(0x02, 3, A2, A0, ZERO), WFI);    /* lr.d */
    assert_trap(f, RISCV_EXCP_LOAD_ADDR_MIS, CODE, DATA + 2);
    /* sc without a reservation fails before the alignment check */
    RUN(f, AMO(0x03, 3, A2, A0, A1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 1);
}

/*
 * As QEMU's softmmu: a misaligned load from a device is two aligned loads
 * of its size, and mtval is the one the device refused; a misaligned
 * store goes byte by byte.
 */
static void test_misaligned_device_access_is_split_as_qemu(Fixture *f,
                                                           gconstpointer data)
{
    memcpy(f->devcode_bytes, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
    f->env->gpr[A0] = DEVCODE;
    /* lw at +2: +0 and +4, both inside */
    RUN(f, LOAD(2, A2, A0, 2), WFI);
    g_assert_cmphex(f->env->gpr[A2], ==, 0x05040302);
    g_assert_cmpint(f->devcode_reads, ==, 2);
    /* ld at +5: +0, then +8, past the end: mtval +8, not +5 */
    RUN(f, LOAD(3, A2, A0, 5), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, DEVCODE + 8);
    /* lw at +1 of the 4-byte-only register: +0 is fine, +4 is nothing */
    f->env->gpr[A0] = MMIO;
    RUN(f, LOAD(2, A2, A0, 1), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, MMIO + 4);
    /* an 8-byte load is too wide for it: refused at its own address */
    RUN(f, LOAD(3, A2, A0, 0), WFI);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, MMIO);
    /* sw at +1: byte stores, the first already refused (4-byte only) */
    RUN(f, STORE(2, A1, A0, 1), WFI);
    assert_trap(f, RISCV_EXCP_STORE_AMO_ACCESS_FAULT, CODE, MMIO + 1);
}

/*
 * QEMU runs code outside RAM by reading it through the device each time
 * (2-byte reads): nothing is cached, and a device that refuses 2-byte
 * reads gives an instruction access fault.
 */
static void test_code_runs_from_a_device_read_each_time(Fixture *f,
                                                        gconstpointer data)
{
    const uint32_t dev[2] = { ADDI(A0, A0, 1), JALR(ZERO, RA, 0) };

    memcpy(f->devcode_bytes, dev, sizeof(dev));
    f->env->gpr[T0] = DEVCODE;
    f->env->gpr[A0] = 0;
    RUN(f, JALR(RA, T0, 0), WFI);
    g_assert_cmphex(f->env->pc, ==, CODE + 8);     /* back, at the wfi */
    g_assert_cmpuint(f->env->gpr[A0], ==, 1);
    g_assert_cmpint(f->devcode_reads, ==, 4);       /* 2 halves x 2 */
    exec_at(f->cpu, CODE);
    g_assert_cmpuint(f->env->gpr[A0], ==, 2);
    g_assert_cmpint(f->devcode_reads, ==, 8);
    /* the device changed what it holds: that is what runs */
    ((uint32_t *)f->devcode_bytes)[0] = ADDI(A0, A0, 5);
    exec_at(f->cpu, CODE);
    g_assert_cmpuint(f->env->gpr[A0], ==, 7);
    /* a zero halfword is an illegal instruction, at the device */
    memset(f->devcode_bytes, 0, 8);
    RUN(f, JALR(RA, T0, 0), WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, DEVCODE, 0);
    /* the 4-byte-only register refuses the fetch itself */
    f->env->gpr[T0] = MMIO;
    RUN(f, JALR(RA, T0, 0), WFI);
    assert_trap(f, RISCV_EXCP_INST_ACCESS_FAULT, MMIO, MMIO);
    g_assert_cmpint(f->mmio_accesses, ==, 0);
}

/* ---- Interrupts --------------------------------------------------------- */

/*
 * Interrupt handlers must mask the line they were called for, or their
 * wfi would not halt: ISTOP clears mie, SSTOP clears sie.
 */
static void put_irq_handlers(Fixture *f)
{
    put_code(f, ISTOP, (uint32_t[]) { CSRRW(ZERO, CSR_MIE, ZERO), WFI }, 2);
    put_code(f, SSTOP, (uint32_t[]) { CSRRW(ZERO, CSR_SIE, ZERO), WFI }, 2);
    f->env->mtvec = ISTOP;
    f->env->stvec = SSTOP;
}

static void test_interrupt_at_block_boundary(Fixture *f, gconstpointer data)
{
    /* an endless loop: the interrupt is the only way out */
    const uint32_t loop[] = { ADDI(A0, A0, 1), jal(ZERO, -4) };

    put_irq_handlers(f);
    put_code(f, CODE, loop, 2);
    f->env->mie = MIP_MTIP;
    f->env->mstatus |= MSTATUS_MIE;
    riscv_cpu_set_mip(f->cpu, MIP_MTIP, MIP_MTIP);
    /* raising the line kicked the hart (cpu_interrupt) */
    g_assert_cmpuint(qatomic_read(&CPU(f->cpu)->exit_request), ==, 1);
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmphex(f->env->pc, ==, ISTOP + 8);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_TIMER);
    g_assert_cmphex(f->env->mepc, ==, CODE);
    g_assert_cmphex(f->env->mstatus & (MSTATUS_MIE | MSTATUS_MPIE), ==,
                    MSTATUS_MPIE);

    /* raised while the loop runs: taken at a block boundary */
    riscv_cpu_set_mip(f->cpu, MIP_MTIP, 0);
    f->env->mie = MIP_MSIP;
    f->env->mstatus |= MSTATUS_MIE;
    f->env->gpr[A0] = 0;
    {
        /* the loop runs until the line comes up from "another thread" */
        const uint32_t prog[] = {
            ADDI(A0, A0, 1), BNE(A0, A1, -4), ADDI(A2, ZERO, 1),
            jal(ZERO, 0),
        };
        put_code(f, CODE, prog, G_N_ELEMENTS(prog));
        f->env->gpr[A1] = 1000;
        f->env->gpr[A2] = 0;
        /* nothing pending: the loop reaches its jal-to-self */
        riscv_cpu_set_mip(f->cpu, MIP_MSIP, MIP_MSIP);
        g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
        /* pending and enabled from the start: no instruction ran */
        g_assert_cmpuint(f->env->gpr[A0], ==, 0);
        g_assert_cmphex(f->env->mepc, ==, CODE);
        riscv_cpu_set_mip(f->cpu, MIP_MSIP, 0);
    }

    /* vectored: base + 4 * cause */
    put_code(f, ISTOP - 4 * IRQ_M_TIMER, (uint32_t[]) { WFI }, 1);
    put_code(f, CODE, loop, 2);
    f->env->mtvec = (ISTOP - 4 * IRQ_M_TIMER) | 1;
    f->env->mie = MIP_MTIP;
    f->env->mstatus |= MSTATUS_MIE;
    riscv_cpu_set_mip(f->cpu, MIP_MTIP, MIP_MTIP);
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmphex(f->env->pc, ==, ISTOP + 8);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_TIMER);
    /* exceptions are never vectored */
    RUN(f, ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_M_ECALL);
    g_assert_cmphex(f->env->pc, ==, (ISTOP - 4 * IRQ_M_TIMER) + 4);
}

/*
 * A CSR write that enables a pending interrupt: it is taken right after,
 * although CSR instructions no longer end every block.
 */
static void test_interrupt_right_after_csr_enables_it(Fixture *f,
                                                      gconstpointer data)
{
    put_irq_handlers(f);
    f->env->mie = MIP_MSIP;
    f->env->mstatus &= ~MSTATUS_MIE;
    riscv_cpu_set_mip(f->cpu, MIP_MSIP, MIP_MSIP);
    f->env->gpr[A0] = 0;
    RUN(f, ADDI(A0, A0, 1), CSRRSI(ZERO, CSR_MSTATUS, 8), ADDI(A0, A0, 1),
        WFI);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_SOFT);
    g_assert_cmphex(f->env->mepc, ==, CODE + 8);
    g_assert_cmpuint(f->env->gpr[A0], ==, 1);

    /* the same through mie, with mstatus.MIE already set */
    f->env->mie = 0;
    f->env->mstatus |= MSTATUS_MIE;
    f->env->gpr[A0] = 0;
    f->env->gpr[T0] = MIP_MSIP;
    RUN(f, ADDI(A0, A0, 1), CSRRS(ZERO, CSR_MIE, T0), ADDI(A0, A0, 1), WFI);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_SOFT);
    g_assert_cmphex(f->env->mepc, ==, CODE + 8);
    g_assert_cmpuint(f->env->gpr[A0], ==, 1);
    riscv_cpu_set_mip(f->cpu, MIP_MSIP, 0);
}

static void test_interrupt_priority_and_masking(Fixture *f, gconstpointer data)
{
    const uint32_t loop[] = { jal(ZERO, 0) };

    put_irq_handlers(f);
    put_code(f, CODE, loop, 1);
    riscv_cpu_set_mip(f->cpu, MIP_MSIP | MIP_MTIP | MIP_SSIP,
                      MIP_MSIP | MIP_MTIP | MIP_SSIP);
    f->env->mie = MIP_MSIP | MIP_MTIP | MIP_MEIP | MIP_SSIP;
    /* MIE clear in M: nothing can be taken, yet wfi would wake */
    g_assert_true(CPU_GET_CLASS(f->cpu)->has_work(CPU(f->cpu)));
    f->env->mstatus |= MSTATUS_MIE;
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_SOFT);

    riscv_cpu_set_mip(f->cpu, MIP_MEIP, MIP_MEIP);
    f->env->mie = MIP_MSIP | MIP_MTIP | MIP_MEIP | MIP_SSIP;
    f->env->mstatus |= MSTATUS_MIE;
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmphex(f->env->mcause, ==, (1ULL << 63) | IRQ_M_EXT);

    /* lowering the lines leaves no work: wfi halts */
    riscv_cpu_set_mip(f->cpu, MIP_MSIP | MIP_MTIP | MIP_MEIP | MIP_SSIP, 0);
    f->env->mie = MIP_MSIP | MIP_MTIP | MIP_MEIP | MIP_SSIP;
    g_assert_false(CPU_GET_CLASS(f->cpu)->has_work(CPU(f->cpu)));
    f->env->mstatus &= ~MSTATUS_MIE;
    RUN(f, WFI);
    g_assert_cmphex(f->env->pc, ==, CODE + 4);
}

static void test_delegation_to_s_mode(Fixture *f, gconstpointer data)
{
    /* ecall from U and a supervisor timer interrupt, both to S */
    f->env->medeleg = 1 << RISCV_EXCP_U_ECALL;
    f->env->mideleg = MIP_STIP;
    RUN_IN(f, PRV_U, ADDI(A0, ZERO, 1), ECALL);
    g_assert_cmpuint(f->env->priv, ==, PRV_S);
    g_assert_cmphex(f->env->scause, ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(f->env->sepc, ==, CODE + 4);
    g_assert_cmphex(f->env->mstatus & MSTATUS_SPP, ==, 0);
    g_assert_cmphex(f->env->mcause, ==, 0);

    /* a delegated interrupt in U is taken by S even with SIE clear */
    put_irq_handlers(f);
    f->env->mie = MIP_STIP;
    f->env->mstatus &= ~MSTATUS_SIE;
    riscv_cpu_set_mip(f->cpu, MIP_STIP, MIP_STIP);
    RUN_IN(f, PRV_U, jal(ZERO, 0));
    g_assert_cmpuint(f->env->priv, ==, PRV_S);
    g_assert_cmphex(f->env->scause, ==, (1ULL << 63) | IRQ_S_TIMER);
    g_assert_cmphex(f->env->pc, ==, SSTOP + 8);
    riscv_cpu_set_mip(f->cpu, MIP_STIP, 0);
    f->env->mtvec = STOP;

    /* sret to U (at an unmapped address: the fetch fault goes to M) */
    f->env->sepc = 0x40000000;
    f->env->mstatus &= ~MSTATUS_SPP;
    RUN_IN(f, PRV_S, SRET);
    assert_trap(f, RISCV_EXCP_INST_ACCESS_FAULT, 0x40000000, 0x40000000);
    g_assert_cmphex(f->env->mstatus & MSTATUS_MPP, ==, 0);
}

/* ---- Sv39 --------------------------------------------------------------- */

#define PTE(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags))
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80

/*
 * Sv39 tables at PT (satp left to the test): root entry 2 maps 0x80000000
 * as a gigapage, identity, RWX, for S to run the tests' code; entry 0 ->
 * PT+0x1000 -> PT+0x2000, the leaf table of the low 2 MiB, for the test.
 */
static void sv39_tables(Fixture *f)
{
    st64(f, PT + 2 * 8, PTE(0x80000000, PTE_V | PTE_R | PTE_W | PTE_X |
                                        PTE_A | PTE_D));
    st64(f, PT, PTE(PT + 0x1000, PTE_V));
    st64(f, PT + 0x1000, PTE(PT + 0x2000, PTE_V));
}

static void test_sv39_translation(Fixture *f, gconstpointer data)
{
    /*
     * Root at PT: entry 2 (0x80000000) a gigapage, identity, for S;
     * entry 0 -> PT+0x1000 -> PT+0x2000, mapping 0x1000 to DATA (RW,
     * A/D clear) and 0x2000 to CODE (RX, U).
     */
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);

    sv39_tables(f);
    st64(f, PT + 0x2000 + 1 * 8, PTE(DATA, PTE_V | PTE_R | PTE_W));
    st64(f, DATA, 0x1234);
    f->env->satp = satp;

    /* S-mode load through the 4K page sets A; the store sets D */
    f->env->gpr[A0] = 0x1000;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    g_assert_cmphex(ld64(f, PT + 0x2008) & (PTE_A | PTE_D), ==, PTE_A);
    f->env->gpr[A1] = 0x5678;
    RUN_IN(f, PRV_S, STORE(3, A1, A0, 8), ECALL);
    g_assert_cmphex(ld64(f, PT + 0x2008) & (PTE_A | PTE_D), ==,
                    PTE_A | PTE_D);
    g_assert_cmphex(ld64(f, DATA + 8), ==, 0x5678);

    /* unmapped: load page fault with stval */
    f->env->gpr[A0] = 0x5000;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    assert_trap(f, RISCV_EXCP_LOAD_PAGE_FAULT, CODE, 0x5000);
    /* non-canonical */
    f->env->gpr[A0] = 0x4000000000;
    RUN_IN(f, PRV_S, STORE(3, A1, A0, 0), ECALL);
    assert_trap(f, RISCV_EXCP_STORE_PAGE_FAULT, CODE, 0x4000000000);

    /* U may not touch a page without PTE_U: load page fault */
    st64(f, PT + 0x2000 + 2 * 8, PTE(CODE, PTE_V | PTE_R | PTE_X | PTE_U));
    f->env->mepc = 0x2000;
    f->env->gpr[A0] = 0x1000;
    put_code(f, CODE, (uint32_t[]) { LOAD(3, A1, A0, 0) }, 1);
    put_code(f, TRAMP, (uint32_t[]) { MRET }, 1);
    f->env->mstatus &= ~MSTATUS_MPP;
    g_assert_cmpint(exec_at(f->cpu, TRAMP), ==, EXCP_HLT);
    assert_trap(f, RISCV_EXCP_LOAD_PAGE_FAULT, 0x2000, 0x1000);

    /* S fetching a U page: instruction page fault */
    f->env->mepc = 0x2000;
    f->env->mstatus = (f->env->mstatus & ~MSTATUS_MPP) |
                      ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
    g_assert_cmpint(exec_at(f->cpu, TRAMP), ==, EXCP_HLT);
    assert_trap(f, RISCV_EXCP_INST_PAGE_FAULT, 0x2000, 0x2000);

    /* remap 0x5000 and sfence.vma: the new mapping is used */
    st64(f, PT + 0x2000 + 5 * 8, PTE(DATA, PTE_V | PTE_R | PTE_A));
    f->env->gpr[A0] = 0x5000;
    RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);

    /* a stale TLB entry survives a PTE change until sfence.vma */
    st64(f, DATA + 0x1000, 0x5678);
    st64(f, PT + 0x2000 + 5 * 8, PTE(DATA + 0x1000, PTE_V | PTE_R | PTE_A));
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x5678);
}

/*
 * sstatus.SUM, toggled the way Linux does around each user copy: S may
 * load a U page only while it is set.  Entries filled with SUM set must
 * not serve S after it is cleared, and no sfence.vma comes in between.
 */
static void test_sum_toggles_without_sfence(Fixture *f, gconstpointer data)
{
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);

    sv39_tables(f);
    st64(f, PT + 0x2000 + 1 * 8, PTE(DATA, PTE_V | PTE_R | PTE_W | PTE_U |
                                           PTE_A | PTE_D));
    st64(f, DATA, 0x1234);
    f->env->satp = satp;
    f->env->gpr[A0] = 0x1000;
    f->env->gpr[T0] = MSTATUS_SUM;

    /* set, load (fills), clear, load again: the second one faults */
    RUN_IN(f, PRV_S, CSRRS(ZERO, CSR_SSTATUS, T0), LOAD(3, A1, A0, 0),
           CSRRC(ZERO, CSR_SSTATUS, T0), LOAD(3, A2, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    assert_trap(f, RISCV_EXCP_LOAD_PAGE_FAULT, CODE + 12, 0x1000);

    /* set again: a store and a load are allowed */
    f->env->gpr[A1] = 0;
    RUN_IN(f, PRV_S, CSRRS(ZERO, CSR_SSTATUS, T0), STORE(3, A0, A0, 8),
           LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    g_assert_cmphex(ld64(f, DATA + 8), ==, 0x1000);

    /* a block entered with SUM set, cleared inside it: the load faults */
    f->env->gpr[A1] = 0;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), CSRRC(ZERO, CSR_SSTATUS, T0),
           LOAD(3, A2, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    assert_trap(f, RISCV_EXCP_LOAD_PAGE_FAULT, CODE + 8, 0x1000);
}

/*
 * sfence.vma after few fills (the TLB empties just those) and after more
 * than it keeps count of (it empties everything): either way a changed
 * PTE is used afterwards, and until then the old entry still answers.
 * The page changed is the last one filled, past the count in the second
 * case.
 */
static void test_sfence_after_few_and_many_fills(Fixture *f,
                                                 gconstpointer data)
{
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);
    static const unsigned pages[] = { 3, RISCV_TLB_LOG };
    unsigned i, n;

    sv39_tables(f);
    st64(f, DATA, 0x1111);
    st64(f, DATA + 0x1000, 0x2222);
    f->env->satp = satp;

    for (n = 0; n < G_N_ELEMENTS(pages); n++) {
        uint64_t last = pages[n] * 0x1000;

        /* virtual pages 1..511 map DATA */
        for (i = 1; i < 512; i++) {
            st64(f, PT + 0x2000 + i * 8, PTE(DATA, PTE_V | PTE_R | PTE_W |
                                                   PTE_A | PTE_D));
        }
        /* from an empty TLB, pages 1..last each loaded and stored */
        f->env->gpr[A0] = 0x1000;
        f->env->gpr[A3] = pages[n];
        RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(3, A1, A0, 0),
               STORE(3, A1, A0, 8), ADDI(A3, A3, -1), LUI(T1, 1),
               OP(0, 0, A0, A0, T1), BNE(A3, ZERO, -20), ECALL);
        g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
        g_assert_cmpuint(f->env->gpr[A3], ==, 0);

        st64(f, PT + 0x2000 + pages[n] * 8,
             PTE(DATA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
        f->env->gpr[A0] = last;
        RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
        g_assert_cmphex(f->env->gpr[A1], ==, 0x1111);
        RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(3, A1, A0, 0), ECALL);
        g_assert_cmphex(f->env->gpr[A1], ==, 0x2222);
    }
}

/*
 * A device page is kept in the TLB too (QEMU's TLB_MMIO): each access
 * still reaches the device, but a PTE changed without sfence.vma goes on
 * answering with the old device, as for RAM; after it, the new one.
 */
static void test_device_page_in_tlb_until_sfence(Fixture *f,
                                                 gconstpointer data)
{
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);

    sv39_tables(f);
    st64(f, PT + 0x2000 + 3 * 8, PTE(MMIO, PTE_V | PTE_R | PTE_W | PTE_A |
                                           PTE_D));
    f->env->satp = satp;
    f->mmio_reg = 0x1234;
    memcpy(f->devcode_bytes, (uint32_t[]) { 0x5678 }, 4);
    f->env->gpr[A0] = 0x3000;
    f->env->gpr[A2] = 0x4321;

    RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(2, A1, A0, 0), STORE(2, A2, A0, 0),
           LOAD(2, A3, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x1234);
    g_assert_cmphex(f->env->gpr[A3], ==, 0x4321);
    g_assert_cmpint(f->mmio_accesses, ==, 3);

    st64(f, PT + 0x2000 + 3 * 8, PTE(DEVCODE, PTE_V | PTE_R | PTE_W |
                                              PTE_A | PTE_D));
    RUN_IN(f, PRV_S, LOAD(2, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x4321);
    g_assert_cmpint(f->mmio_accesses, ==, 4);
    RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(2, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x5678);
    g_assert_cmpint(f->mmio_accesses, ==, 4);
}

/*
 * A routine's virtual page remapped to other code, then sfence.vma: the
 * calls chained into it before (and remembered in the jump cache) must
 * not reach the old code afterwards.
 */
static void test_chained_call_after_remap_and_sfence(Fixture *f,
                                                     gconstpointer data)
{
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);
    const uint32_t loop[] = {
        SFENCE_VMA, JALR(RA, A1, 0), ADDI(A3, A3, -1), BNE(A3, ZERO, -8),
        ECALL,
    };
    const uint32_t routine1[] = { ADDI(A0, A0, 1), JALR(ZERO, RA, 0) };
    const uint32_t routine2[] = { ADDI(A0, A0, 100), JALR(ZERO, RA, 0) };
    uint32_t mret = MRET;

    sv39_tables(f);
    st64(f, PT + 0x2000 + 4 * 8, PTE(PAGE1, PTE_V | PTE_R | PTE_X |
                                            PTE_A));
    put_code(f, CODE, loop, G_N_ELEMENTS(loop));
    put_code(f, PAGE1, routine1, G_N_ELEMENTS(routine1));
    put_code(f, PAGE2, routine2, G_N_ELEMENTS(routine2));
    put_code(f, TRAMP, &mret, 1);
    f->env->satp = satp;

    /* Entered with mret only: nothing but the guest's sfence flushes. */
    for (int round = 0; round < 2; round++) {
        f->env->gpr[A0] = 0;
        f->env->gpr[A1] = 0x4000;
        f->env->gpr[A3] = 3;
        f->env->mstatus = (f->env->mstatus & ~MSTATUS_MPP) |
                          ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
        f->env->mepc = CODE;
        f->env->priv = PRV_M;
        g_assert_cmpint(exec_at(f->cpu, TRAMP), ==, EXCP_HLT);
        g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
        g_assert_cmpuint(f->env->gpr[A0], ==, round ? 300 : 3);
        st64(f, PT + 0x2000 + 4 * 8, PTE(PAGE2, PTE_V | PTE_R | PTE_X |
                                                PTE_A));
    }
}

/*
 * Sv48 and Sv57: a 4 KiB page at the bottom of the tree (4 and 5 levels),
 * the canonical check at bit 47 / 56, and satp refusing mode 11.
 */
static void test_sv48_sv57(Fixture *f, gconstpointer data)
{
    uint64_t mode;

    st64(f, DATA, 0xabcd);
    for (mode = SATP_MODE_SV48; mode <= SATP_MODE_SV57; mode++) {
        unsigned levels = mode - SATP_MODE_SV39 + 3, l;
        uint64_t va = 1ULL << (12 + 9 * (levels - 1));   /* root entry 1 */
        uint64_t table = PT;

        /* root entry 0: one leaf over all low memory, code included */
        st64(f, PT, PTE(0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D));
        for (l = 0; l < levels - 1; l++) {
            st64(f, table + (l == 0 ? 8 : 0), PTE(table + 0x1000, PTE_V));
            table += 0x1000;
        }
        st64(f, table, PTE(DATA, PTE_V | PTE_R | PTE_A));
        f->env->gpr[A0] = (mode << SATP_MODE_SHIFT) | (PT >> 12);
        f->env->gpr[A1] = va;
        RUN(f, CSRRW(ZERO, CSR_SATP, A0), CSRRS(A2, CSR_SATP, ZERO), WFI);
        g_assert_cmphex(f->env->gpr[A2], ==, f->env->gpr[A0]);
        RUN_IN(f, PRV_S, SFENCE_VMA, LOAD(3, A2, A1, 0), ECALL);
        g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
        g_assert_cmphex(f->env->gpr[A2], ==, 0xabcd);

        /* the bit above the top one is out of the canonical range */
        f->env->gpr[A1] = va | (1ULL << (12 + 9 * levels - 1));
        RUN_IN(f, PRV_S, LOAD(3, A2, A1, 0), ECALL);
        assert_trap(f, RISCV_EXCP_LOAD_PAGE_FAULT, CODE, f->env->gpr[A1]);
        memset(&f->env->gpr[A2], 0, 8);
    }
    /* mode 11 (Sv64) is not supported: the write is dropped whole */
    f->env->gpr[A0] = 11ULL << SATP_MODE_SHIFT;
    RUN(f, CSRRW(ZERO, CSR_SATP, A0), CSRRS(A2, CSR_SATP, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A2] >> SATP_MODE_SHIFT, ==, SATP_MODE_SV57);
    f->env->satp = 0;
}

/*
 * The monitor's "x" translates through CPUClass::get_phys_page_debug: it
 * must see what the hart's data loads would see, yet leave no trace (no
 * A/D update, no TLB fill, no trap state).
 */
static void test_pmp_guards_page_table_walk(Fixture *f, gconstpointer data)
{
    /*
     * Entry 0: NAPOT over the second-level table at PT+0x1000, no
     * permission; entry 1: everything, RWX.  The S-mode walk reads PTEs
     * as S-mode data, so a walk through that table fails with an access
     * fault of the original access (the code's gigapage walk does not).
     */
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);

    sv39_tables(f);
    st64(f, PT + 0x2000 + 1 * 8, PTE(DATA, PTE_V | PTE_R | PTE_A));
    st64(f, DATA, 77);
    f->env->gpr[A0] = ((PT + 0x1000) >> 2) | 0x1ff;
    f->env->gpr[A1] = 0x1f18;               /* cfg1 NAPOT RWX, cfg0 NAPOT */
    RUN(f, CSRRW(ZERO, CSR_PMPADDR0, A0), ADDI(A2, ZERO, -1),
        CSRRW(ZERO, CSR_PMPADDR0 + 1, A2), CSRRW(ZERO, CSR_PMPCFG0, A1), WFI);
    f->env->satp = satp;
    f->env->gpr[A0] = 0x1000;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    assert_trap(f, RISCV_EXCP_LOAD_ACCESS_FAULT, CODE, 0x1000);

    /* readable (the write flushed the TLB): the same load goes through */
    f->env->gpr[A1] = 0x1f19;               /* cfg0 NAPOT R */
    f->env->satp = 0;
    RUN(f, CSRRW(ZERO, CSR_PMPCFG0, A1), WFI);
    f->env->satp = satp;
    f->env->gpr[A0] = 0x1000;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmpuint(f->env->gpr[A1], ==, 77);
}

static void test_debug_translation(Fixture *f, gconstpointer data)
{
    CPUState *cs = CPU(f->cpu);
    CPUClass *cc = CPU_GET_CLASS(cs);
    uint64_t satp = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT >> 12);
    uint64_t mcause, mepc, mtval, scause, sepc, stval, badaddr;

    g_assert(cc->get_phys_page_debug);
    /*
     * 0x80000000 identity (a gigapage, for S's code); 0x1000 -> DATA (RW,
     * A/D clear); 0x2000 -> CODE (a U page)
     */
    sv39_tables(f);
    st64(f, PT + 0x2000 + 1 * 8, PTE(DATA, PTE_V | PTE_R | PTE_W));
    st64(f, PT + 0x2000 + 2 * 8, PTE(CODE, PTE_V | PTE_R | PTE_U));
    st64(f, DATA, 0x1234);
    st64(f, DATA + 0x1000, 0x5678);
    f->env->satp = satp;

    /* M without MPRV: translation is off */
    g_assert_cmphex(cc->get_phys_page_debug(cs, 0x1008), ==, 0x1008);

    /* halted in S (wfi) */
    RUN_IN(f, PRV_S, WFI);
    g_assert_cmpint(f->env->priv, ==, PRV_S);
    mcause = f->env->mcause;
    mepc = f->env->mepc;
    mtval = f->env->mtval;
    scause = f->env->scause;
    sepc = f->env->sepc;
    stval = f->env->stval;
    badaddr = f->env->badaddr;

    g_assert_cmphex(cc->get_phys_page_debug(cs, 0x1008), ==, DATA + 8);
    /* unmapped, non-canonical, a U page without SUM: -1, no fault */
    g_assert_cmpint(cc->get_phys_page_debug(cs, 0x5000), ==, -1);
    g_assert_cmpint(cc->get_phys_page_debug(cs, 0x4000000000ULL), ==, -1);
    g_assert_cmpint(cc->get_phys_page_debug(cs, 0x2000), ==, -1);
    f->env->mstatus |= MSTATUS_SUM;
    g_assert_cmphex(cc->get_phys_page_debug(cs, 0x2010), ==, CODE + 0x10);
    f->env->mstatus &= ~MSTATUS_SUM;

    g_assert_cmphex(ld64(f, PT + 0x2008) & (PTE_A | PTE_D), ==, 0);
    g_assert_cmphex(ld64(f, PT + 0x2010) & (PTE_A | PTE_D), ==, 0);
    g_assert_cmphex(f->env->mcause, ==, mcause);
    g_assert_cmphex(f->env->mepc, ==, mepc);
    g_assert_cmphex(f->env->mtval, ==, mtval);
    g_assert_cmphex(f->env->scause, ==, scause);
    g_assert_cmphex(f->env->sepc, ==, sepc);
    g_assert_cmphex(f->env->stval, ==, stval);
    g_assert_cmphex(f->env->badaddr, ==, badaddr);
    g_assert_cmpint(f->env->priv, ==, PRV_S);

    /*
     * No TLB fill: remap 0x1000 without sfence.vma; the hart's first load
     * walks the new table (a filled entry would still say DATA).
     */
    st64(f, PT + 0x2000 + 1 * 8, PTE(DATA + 0x1000, PTE_V | PTE_R | PTE_W));
    f->env->gpr[A0] = 0x1000;
    RUN_IN(f, PRV_S, LOAD(3, A1, A0, 0), ECALL);
    g_assert_cmphex(f->env->mcause, ==, RISCV_EXCP_S_ECALL);
    g_assert_cmphex(f->env->gpr[A1], ==, 0x5678);

    /* M with MPRV and MPP = S: the data view is S's */
    f->env->mstatus = (f->env->mstatus & ~MSTATUS_MPP) |
                      ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
    f->env->gpr[A0] = MSTATUS_MPRV;
    RUN(f, CSRRS(ZERO, CSR_MSTATUS, A0), WFI);
    g_assert_cmpint(f->env->priv, ==, PRV_M);
    g_assert_cmphex(cc->get_phys_page_debug(cs, 0x1008), ==,
                    DATA + 0x1000 + 8);
}

/* ---- Atomics ------------------------------------------------------------ */

static void test_lr_sc(Fixture *f, gconstpointer data)
{
    st64(f, DATA, 41);
    f->env->gpr[A0] = DATA;
    /* lr.d a1; addi a1, 1; sc.d a2, a1 -> success (0) */
    RUN(f, AMO(0x02, 3, A1, A0, ZERO), ADDI(A1, A1, 1),
        AMO(0x03, 3, A2, A0, A1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 0);
    g_assert_cmpuint(ld64(f, DATA), ==, 42);

    /* a second sc without lr fails */
    RUN(f, AMO(0x03, 3, A2, A0, A1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 1);

    /* lr, then another "hart" changes the value: sc fails */
    RUN(f, AMO(0x02, 2, A1, A0, ZERO), WFI);
    st64(f, DATA, 7);
    RUN(f, AMO(0x03, 2, A2, A0, A1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 1);
    g_assert_cmpuint(ld64(f, DATA), ==, 7);

    /* lr.w sign-extends */
    address_space_stl_le(&f->as, DATA, 0x80000000, A, NULL);
    RUN(f, AMO(0x02, 2, A1, A0, ZERO), WFI);
    g_assert_cmphex(f->env->gpr[A1], ==, 0xffffffff80000000);
}

static void test_amos(Fixture *f, gconstpointer data)
{
    static const struct {
        unsigned f5;
        uint64_t mem, src, want;
    } d[] = {
        { RISCV_AMO_ADD, 5, 3, 8 },
        { RISCV_AMO_SWAP, 5, 3, 3 },
        { RISCV_AMO_XOR, 6, 3, 5 },
        { RISCV_AMO_OR, 4, 3, 7 },
        { RISCV_AMO_AND, 6, 3, 2 },
        { RISCV_AMO_MIN, -1, 3, -1 },
        { RISCV_AMO_MAX, -1, 3, 3 },
        { RISCV_AMO_MINU, -1, 3, 3 },
        { RISCV_AMO_MAXU, -1, 3, -1 },
    };
    unsigned i, warm;

    /*
     * Each twice: from an empty TLB (riscv_amo, the plain path) and
     * after a store has filled it (run_block's host atomic, the fast
     * path): the same answers.
     */
    f->env->gpr[A0] = DATA;
    for (warm = 0; warm < 2; warm++) {
        for (i = 0; i < G_N_ELEMENTS(d); i++) {
            st64(f, DATA, d[i].mem);
            f->env->gpr[A1] = d[i].src;
            riscv_tlb_flush(f->env);
            RUN(f, warm ? STORE(3, ZERO, A0, 8) : ADDI(ZERO, ZERO, 0),
                AMO(d[i].f5, 3, A2, A0, A1), WFI);
            g_assert_cmphex(f->env->gpr[A2], ==, d[i].mem);
            g_assert_cmphex(ld64(f, DATA), ==, d[i].want);
        }
        /* .w: 32-bit, signed compare, result sign-extended */
        st64(f, DATA, 0xaaaaaaaa80000000);
        f->env->gpr[A1] = 1;
        riscv_tlb_flush(f->env);
        RUN(f, warm ? STORE(3, ZERO, A0, 8) : ADDI(ZERO, ZERO, 0),
            AMO(RISCV_AMO_MIN, 2, A2, A0, A1), WFI);
        g_assert_cmphex(f->env->gpr[A2], ==, 0xffffffff80000000);
        g_assert_cmphex(ld64(f, DATA), ==, 0xaaaaaaaa80000000);
        riscv_tlb_flush(f->env);
        RUN(f, warm ? STORE(3, ZERO, A0, 8) : ADDI(ZERO, ZERO, 0),
            AMO(RISCV_AMO_MAXU, 2, A2, A0, A1), WFI);
        g_assert_cmphex(f->env->gpr[A2], ==, 0xffffffff80000000);
        g_assert_cmphex(ld64(f, DATA), ==, 0xaaaaaaaa80000000);
    }

    /* on MMIO: read and write under the BQL */
    f->mmio_reg = 40;
    f->env->gpr[A0] = MMIO;
    f->env->gpr[A1] = 2;
    RUN(f, AMO(RISCV_AMO_ADD, 2, A2, A0, A1), WFI);
    g_assert_cmpuint(f->env->gpr[A2], ==, 40);
    g_assert_cmpuint(f->mmio_reg, ==, 42);
    g_assert_cmpint(f->mmio_accesses, ==, 2);
}

typedef struct AmoThread {
    RISCVCPU *cpu;
    QemuThread thread;
} AmoThread;

static void *amo_thread(void *opaque)
{
    AmoThread *t = opaque;

    rcu_register_thread();
    g_assert_cmpint(exec_at(t->cpu, CODE), ==, EXCP_HLT);
    rcu_unregister_thread();
    return NULL;
}

static void test_amo_atomic_across_harts(Fixture *f, gconstpointer data)
{
    enum { N = 100000, HARTS = 4 };
    /* 100000 x (amoadd.d; lr.d/addi/sc.d/bnez) on two counters */
    const uint32_t prog[] = {
        ADDI(A1, ZERO, 1),
        LUI(A2, 0x18), ADDI(A2, A2, 0x6a0),         /* a2 = 100000 */
        AMO(RISCV_AMO_ADD, 3, ZERO, A0, A1),
        AMO(0x02, 3, T0, A3, ZERO), ADDI(T0, T0, 1),
        AMO(0x03, 3, T1, A3, T0), BNE(T1, ZERO, -12),
        ADDI(A2, A2, -1), BNE(A2, ZERO, -24),
        WFI,
    };
    AmoThread t[HARTS];
    unsigned i;

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    st64(f, DATA, 0);
    st64(f, DATA + 64, 0);
    for (i = 0; i < HARTS; i++) {
        t[i].cpu = i ? new_hart(f, i) : f->cpu;
        t[i].cpu->env.gpr[A0] = DATA;
        t[i].cpu->env.gpr[A3] = DATA + 64;
    }
    for (i = 0; i < HARTS; i++) {
        qemu_thread_create(&t[i].thread, "hart", amo_thread, &t[i],
                           QEMU_THREAD_JOINABLE);
    }
    for (i = 0; i < HARTS; i++) {
        qemu_thread_join(&t[i].thread);
        if (i) {
            object_unref(t[i].cpu);
        }
    }
    g_assert_cmpuint(ld64(f, DATA), ==, (uint64_t)N * HARTS);
    g_assert_cmpuint(ld64(f, DATA + 64), ==, (uint64_t)N * HARTS);
}

/* ---- The block cache ---------------------------------------------------- */

static void test_self_modifying_code_after_fence_i(Fixture *f,
                                                   gconstpointer data)
{
    /*
     * Run "addi a0, zero, 1" at CODE+0x20, then overwrite it with
     * "addi a0, zero, 2" from the guest, fence.i, and run it again.
     */
    const uint32_t prog[] = {
        jal(RA, 0x20),                      /* 0x00: call the routine */
        STORE(2, A2, A1, 0),                /* 0x04: patch it */
        FENCE_I,                            /* 0x08 */
        OP(0, 0, A3, A0, ZERO),             /* 0x0c: a3 = first result */
        jal(RA, 0x10),                      /* 0x10: call again */
        WFI,                                /* 0x14 */
        0, 0,
        ADDI(A0, ZERO, 1),                  /* 0x20 */
        JALR(ZERO, RA, 0),
    };

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->gpr[A1] = CODE + 0x20;
    f->env->gpr[A2] = ADDI(A0, ZERO, 2);
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A3], ==, 1);
    g_assert_cmpuint(f->env->gpr[A0], ==, 2);
}

static void test_store_by_other_hart_invalidates(Fixture *f,
                                                 gconstpointer data)
{
    RISCVCPU *other = new_hart(f, 1);

    /* hart 0 runs (and caches) the routine */
    RUN(f, ADDI(A0, ZERO, 1), WFI);
    g_assert_cmpuint(f->env->gpr[A0], ==, 1);

    /* hart 1 stores a new first instruction into that page */
    other->env.gpr[A1] = CODE;
    other->env.gpr[A2] = ADDI(A0, ZERO, 3);
    address_space_write(&f->as, DATA, A,
                        (uint32_t[]) { STORE(2, A2, A1, 0), WFI }, 8);
    g_assert_cmpint(exec_at(other, DATA), ==, EXCP_HLT);

    /* hart 0, without fence.i, sees it at its next block */
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 3);
    object_unref(other);
}

static void exec_until_halt(RISCVCPU *cpu);

static void test_wfi_with_masked_interrupt_polls(Fixture *f,
                                                 gconstpointer data)
{
    /*
     * OpenSBI's wait for hart start: wfi with MSIP pending and enabled in
     * mie but mstatus.MIE clear, then a poll of memory, 200 times (more
     * than the wfi that go by without a pause).  Each wfi goes on at once
     * as far as the guest can tell, the loop runs to its end, and a wfi
     * with nothing pending halts.
     */
    const uint32_t prog[] = {
        WFI,
        ADDI(A0, A0, 1),
        BNE(A0, A1, -8),
        CSRRW(ZERO, CSR_MIE, ZERO),
        WFI,
    };

    riscv_cpu_set_mip(f->cpu, MIP_MSIP, MIP_MSIP);
    f->env->mie = MIP_MSIP;
    f->env->mstatus &= ~MSTATUS_MIE;
    f->env->gpr[A0] = 0;
    f->env->gpr[A1] = 200;
    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->pc = CODE;
    exec_until_halt(f->cpu);
    g_assert_cmpuint(f->env->gpr[A0], ==, 200);
    g_assert_cmphex(f->env->pc, ==, CODE + 5 * 4);
    g_assert_cmpuint(f->env->minstret, ==, 3 * 200 + 2);
    riscv_cpu_set_mip(f->cpu, MIP_MSIP, 0);
}

static void test_pause_loop(Fixture *f, gconstpointer data)
{
    /* A spin loop with pause (some of them yield the host CPU). */
    const uint32_t prog[] = {
        0x0100000fu,                        /* pause */
        ADDI(A0, A0, 1),
        BNE(A0, A1, -8),
        WFI,
    };

    f->env->gpr[A0] = 0;
    f->env->gpr[A1] = 1000;
    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->pc = CODE;
    exec_until_halt(f->cpu);
    g_assert_cmpuint(f->env->gpr[A0], ==, 1000);
    g_assert_cmpuint(f->env->minstret, ==, 3 * 1000 + 1);
}

/* Write @insn at @addr as a device's DMA does: not through a hart. */
static void dma_write_insn(Fixture *f, uint64_t addr, uint32_t insn)
{
    g_assert_cmpint(address_space_write(&f->as, addr, A, &insn, 4), ==,
                    MEMTX_OK);
}

static void test_dma_into_code_seen_after_fence_i(Fixture *f,
                                                  gconstpointer data)
{
    /* The routine at CODE+0x40 runs (and is cached) once. */
    const uint32_t prog[] = {
        jal(RA, 0x40), WFI,
        [0x40 / 4] = ADDI(A0, ZERO, 1), JALR(ZERO, RA, 0),
    };
    const uint32_t fence_and_call[] = { FENCE_I, JALR(RA, A1, 0), WFI };

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 1);

    /*
     * A device rewrites it behind the harts' back; the guest's fence.i
     * (Linux's flush_icache_all before running new code) must make the
     * new instruction run, although the page was kept across it.
     */
    dma_write_insn(f, CODE + 0x40, ADDI(A0, ZERO, 2));
    address_space_write(&f->as, DATA, A, fence_and_call,
                        sizeof(fence_and_call));
    f->env->gpr[A1] = CODE + 0x40;
    g_assert_cmpint(exec_at(f->cpu, DATA), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 2);
}

static void test_fence_i_after_dma_there_and_back(Fixture *f,
                                                  gconstpointer data)
{
    /*
     * The page is cached while CODE+0x80 holds X and nobody has run it.
     * A DMA writes Y there, the hart runs Y, a DMA writes X back: the
     * page's bytes are those it was cached with, but the slot holds Y.
     * After fence.i the hart must run X.
     */
    const uint32_t prog[] = {
        jal(RA, 0x40), WFI,
        [0x40 / 4] = ADDI(A0, ZERO, 1), JALR(ZERO, RA, 0),
        [0x80 / 4] = ADDI(A0, ZERO, 5), JALR(ZERO, RA, 0),
    };
    const uint32_t call[] = { JALR(RA, A1, 0), WFI };
    const uint32_t fence_and_call[] = { FENCE_I, JALR(RA, A1, 0), WFI };

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    f->env->gpr[A1] = CODE + 0x80;

    dma_write_insn(f, CODE + 0x80, ADDI(A0, ZERO, 6));
    address_space_write(&f->as, DATA, A, call, sizeof(call));
    g_assert_cmpint(exec_at(f->cpu, DATA), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 6);

    dma_write_insn(f, CODE + 0x80, ADDI(A0, ZERO, 5));
    address_space_write(&f->as, DATA + 0x100, A, fence_and_call,
                        sizeof(fence_and_call));
    g_assert_cmpint(exec_at(f->cpu, DATA + 0x100), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 5);
}

static void test_fence_i_keeps_code_running(Fixture *f, gconstpointer data)
{
    /*
     * A loop that runs fence.i at every iteration (as a JIT might):
     * kept pages and the pruning of unused ones leave it correct.
     */
    const uint32_t prog[] = {
        ADDI(A0, A0, 1),
        FENCE_I,
        jal(RA, 0x40 - 8),
        BLT(A0, T0, -12),
        WFI,
        [0x40 / 4] = ADDI(A3, A3, 2), JALR(ZERO, RA, 0),
    };

    f->env->gpr[T0] = 100;
    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->pc = CODE;
    exec_until_halt(f->cpu);
    g_assert_cmpuint(f->env->gpr[A0], ==, 100);
    g_assert_cmpuint(f->env->gpr[A3], ==, 200);
}

/* exec until wfi halts the hart, re-entering when something kicked it. */
static void exec_until_halt(RISCVCPU *cpu)
{
    CPUState *cs = CPU(cpu);
    int r;

    do {
        qatomic_set(&cs->exit_request, 0);
        r = CPU_GET_CLASS(cs)->exec(cs);
    } while (r == EXCP_INTERRUPT);
    g_assert_cmpint(r, ==, EXCP_HLT);
}

static void test_store_into_running_code(Fixture *f, gconstpointer data)
{
    /*
     * The loop patches its own first instruction (a0 += 1 becomes
     * a0 += 100) without fence.i: as in QEMU, the next iteration, after
     * the taken branch, runs the new instruction.
     */
    const uint32_t prog[] = {
        ADDI(A0, A0, 1),                    /* 0x00: patched */
        STORE(2, A2, A1, 0),
        ADDI(A3, A3, 1),
        BLT(A3, T0, -12),
        WFI,
    };

    cpu_list_add(CPU(f->cpu));
    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->gpr[A1] = CODE;
    f->env->gpr[A2] = ADDI(A0, A0, 100);
    f->env->gpr[T0] = 2;
    f->env->pc = CODE;
    exec_until_halt(f->cpu);
    g_assert_cmpuint(f->env->gpr[A0], ==, 101);
    g_assert_cmpuint(f->env->minstret, ==, 9);
    cpu_list_remove(CPU(f->cpu));
}

typedef struct Spinner {
    RISCVCPU *cpu;
    QemuThread thread;
} Spinner;

static void *spinner_thread(void *opaque)
{
    Spinner *s = opaque;

    rcu_register_thread();
    s->cpu->env.pc = CODE;
    exec_until_halt(s->cpu);
    rcu_unregister_thread();
    return NULL;
}

static void test_store_by_other_hart_reaches_spinning_hart(Fixture *f,
                                                           gconstpointer data)
{
    /*
     * Hart 0 spins on "store 1 to DATA; jump back", which never leaves
     * its page.  Once it runs, hart 1 replaces the store with wfi: hart 0
     * must be made to leave its loop and see it.
     */
    const uint32_t loop[] = { STORE(2, A2, A1, 0), jal(ZERO, -4) };
    uint32_t *flag = (uint32_t *)memory_region_get_ram_ptr(&f->ram) +
                     (DATA - RAM_BASE) / 4;
    RISCVCPU *other = new_hart(f, 1);
    Spinner s = { .cpu = f->cpu };

    cpu_list_add(CPU(f->cpu));
    cpu_list_add(CPU(other));
    put_code(f, CODE, loop, G_N_ELEMENTS(loop));
    qatomic_set(flag, 0);
    f->env->gpr[A1] = DATA;
    f->env->gpr[A2] = 1;
    qemu_thread_create(&s.thread, "spinner", spinner_thread, &s,
                       QEMU_THREAD_JOINABLE);
    while (!qatomic_read(flag)) {
        g_thread_yield();
    }

    other->env.gpr[A1] = CODE;
    other->env.gpr[A2] = WFI;
    address_space_write(&f->as, DATA + 0x1000, A,
                        (uint32_t[]) { STORE(2, A2, A1, 0), WFI }, 8);
    g_assert_cmpint(exec_at(other, DATA + 0x1000), ==, EXCP_HLT);
    qemu_thread_join(&s.thread);
    g_assert_cmphex(f->env->pc, ==, CODE + 4);

    cpu_list_remove(CPU(other));
    cpu_list_remove(CPU(f->cpu));
    object_unref(other);
}

static void test_exit_request_stops_exec(Fixture *f, gconstpointer data)
{
    const uint32_t loop[] = { ADDI(A0, A0, 1), jal(ZERO, -4) };
    CPUState *cs = CPU(f->cpu);

    put_code(f, CODE, loop, 2);
    f->env->pc = CODE;
    qatomic_set(&cs->exit_request, 1);
    g_assert_cmpint(CPU_GET_CLASS(cs)->exec(cs), ==, EXCP_INTERRUPT);
    g_assert_cmphex(f->env->pc, ==, CODE);
    /* exec leaves exit_request for the vCPU thread to clear */
    g_assert_cmpuint(qatomic_read(&cs->exit_request), ==, 1);
}

typedef struct Stopper {
    CPUState *cs;
    QemuThread thread;
} Stopper;

static void *stopper_thread(void *opaque)
{
    Stopper *s = opaque;

    g_usleep(20000);
    qatomic_set(&s->cs->exit_request, 1);
    return NULL;
}

/* exec from @pc until another thread sets exit_request. */
static void exec_until_kicked(Fixture *f, uint64_t pc)
{
    Stopper s = { .cs = CPU(f->cpu) };

    qemu_thread_create(&s.thread, "stopper", stopper_thread, &s,
                       QEMU_THREAD_JOINABLE);
    g_assert_cmpint(exec_at(f->cpu, pc), ==, EXCP_INTERRUPT);
    qemu_thread_join(&s.thread);
}

static void test_exit_request_from_other_thread(Fixture *f, gconstpointer data)
{
    const uint32_t loop[] = { ADDI(A0, A0, 1), jal(ZERO, -4) };

    put_code(f, CODE, loop, 2);
    exec_until_kicked(f, CODE);
    g_assert_cmpuint(f->env->gpr[A0], >, 0);
    g_assert_cmpuint(f->env->minstret, ==, f->env->gpr[A0] * 2 -
                     (f->env->pc == CODE + 4));
}

/*
 * Chaining across pages: jumps into another page go on in run_block when
 * the fetch TLB and the page cache already hold it (riscv_chain_page).
 */

/* Run from CODE until wfi, chained or with -d nochain; the state after. */
static CPURISCVState run_chained(Fixture *f, bool nochain)
{
    int saved = qemu_loglevel;
    CPURISCVState env;

    memset(f->env->gpr, 0, sizeof(f->env->gpr));
    f->env->gpr[S1] = PAGE1;
    f->env->gpr[T0] = 50;
    f->env->minstret = 0;
    riscv_tlb_flush(f->env);
    riscv_cpu_flush_code_cache(f->env);
    qemu_loglevel = nochain ? CPU_LOG_TB_NOCHAIN : 0;
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    qemu_loglevel = saved;
    memcpy(&env, f->env, sizeof(env));
    return env;
}

static void test_chain_across_pages_agrees_with_nochain(Fixture *f,
                                                        gconstpointer data)
{
    /*
     * A loop calling into two other pages: an indirect call, a direct
     * one, a tail call from the first callee into a third page, pc-
     * relative instructions in each, and in the second callee a 32-bit
     * instruction straddling a page end.  With chaining, every one of
     * those jumps stays in run_block after the first iteration; -d
     * nochain sends each out to riscv_cpu_exec, the plain block entry.
     * Both must leave the same registers, pc and minstret.
     */
    const uint64_t f2 = PAGE2 - 8, f3 = PAGE3 + 0x100;
    const uint32_t loop[] = {
        JALR(RA, S1, 0),                    /* f1 */
        jal(RA, f2 - (CODE + 4)),
        ADDI(A0, A0, 1),
        BLT(A0, T0, -12),
        WFI,
    };
    const uint32_t f1[] = {
        AUIPC(A1, 0), OP(0, 0, A3, A3, A1), jal(ZERO, f3 - (PAGE1 + 8)),
    };
    const uint32_t f3_code[] = { ADDI(A4, A4, 3), JALR(ZERO, RA, 0) };
    const uint32_t add = OP(0, 0, A5, A5, A0), auipc = AUIPC(A2, 0);
    const uint32_t add2 = OP(0, 0, A4, A4, A2), ret = JALR(ZERO, RA, 0);
    const uint16_t f2_code[] = {
        add & 0xffff, add >> 16, 0x0001,     /* c.nop */
        auipc & 0xffff, auipc >> 16,         /* at PAGE2 - 2 */
        add2 & 0xffff, add2 >> 16, ret & 0xffff, ret >> 16,
    };
    CPURISCVState chained, plain;

    put_code(f, CODE, loop, G_N_ELEMENTS(loop));
    put_code(f, PAGE1, f1, G_N_ELEMENTS(f1));
    put_code(f, f3, f3_code, G_N_ELEMENTS(f3_code));
    address_space_write(&f->as, f2, A, f2_code, sizeof(f2_code));

    chained = run_chained(f, false);
    g_assert_cmpuint(chained.gpr[A0], ==, 50);
    g_assert_cmphex(chained.gpr[A2], ==, PAGE2 - 2);
    g_assert_cmphex(chained.gpr[A3], ==, 50 * (uint64_t)PAGE1);
    g_assert_cmpuint(chained.minstret, ==, 50 * 14 + 1);
    g_assert_cmphex(chained.pc, ==, CODE + 20);

    plain = run_chained(f, true);
    g_assert_cmpmem(chained.gpr, sizeof(chained.gpr),
                    plain.gpr, sizeof(plain.gpr));
    g_assert_cmphex(chained.pc, ==, plain.pc);
    g_assert_cmpuint(chained.minstret, ==, plain.minstret);
}

/*
 * The jump cache in front of riscv_chain_page (env->jmp_cache) forgets
 * what a fence.i may have made stale: a routine in another page, called
 * (and cached) twice, rewritten by a device, then called after fence.i.
 */
static void test_chained_call_after_dma_and_fence_i(Fixture *f,
                                                     gconstpointer data)
{
    const uint32_t prog[] = {
        jal(RA, PAGE1 - CODE), jal(RA, PAGE1 - (CODE + 4)), WFI,
    };
    const uint32_t routine[] = { ADDI(A0, A0, 1), JALR(ZERO, RA, 0) };
    const uint32_t fence_and_call[] = {
        FENCE_I, jal(RA, PAGE1 - (DATA + 4)), WFI,
    };

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    put_code(f, PAGE1, routine, G_N_ELEMENTS(routine));
    f->env->gpr[A0] = 0;
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 2);

    dma_write_insn(f, PAGE1, ADDI(A0, A0, 100));
    address_space_write(&f->as, DATA, A, fence_and_call,
                        sizeof(fence_and_call));
    g_assert_cmpint(exec_at(f->cpu, DATA), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 102);
}

static void test_csr_accesses_agree_with_nochain(Fixture *f,
                                                 gconstpointer data)
{
    /*
     * Reads, a scratch write and an mstatus write that changes nothing a
     * block relies on: the block goes on after each (riscv_csr_ends_block)
     * unless -d nochain.  instret read in the middle is exact either way:
     * 8 per iteration, 2 before the read.
     */
    const uint32_t loop[] = {
        CSRRW(ZERO, CSR_MSCRATCH, A0),
        CSRRS(A2, CSR_MSCRATCH, ZERO),
        CSRRS(A3, CSR_MINSTRET, ZERO),
        OP(0, 0, A4, A4, A3),
        CSRRCI(ZERO, CSR_MSTATUS, 8),
        OP(0, 0, A5, A5, A2),
        ADDI(A0, A0, 1),
        BLT(A0, T0, -28),
        WFI,
    };
    CPURISCVState chained, plain;

    put_code(f, CODE, loop, G_N_ELEMENTS(loop));
    chained = run_chained(f, false);
    g_assert_cmpuint(chained.gpr[A0], ==, 50);
    g_assert_cmpuint(chained.gpr[A5], ==, 49 * 50 / 2);
    g_assert_cmpuint(chained.gpr[A4], ==, 8 * (49 * 50 / 2) + 2 * 50);
    g_assert_cmpuint(chained.minstret, ==, 50 * 8 + 1);

    plain = run_chained(f, true);
    g_assert_cmpmem(chained.gpr, sizeof(chained.gpr),
                    plain.gpr, sizeof(plain.gpr));
    g_assert_cmpuint(chained.minstret, ==, plain.minstret);
}

static void test_exit_request_stops_loop_across_pages(Fixture *f,
                                                      gconstpointer data)
{
    /* Two pages jumping to each other: kicked, exec returns. */
    const uint32_t here[] = { ADDI(A0, A0, 1), jal(ZERO, PAGE1 - (CODE + 4)) };
    const uint32_t there[] = { jal(ZERO, CODE - PAGE1) };

    put_code(f, CODE, here, 2);
    put_code(f, PAGE1, there, 1);
    exec_until_kicked(f, CODE);
    g_assert_cmpuint(f->env->gpr[A0], >, 0);
    /* Only a taken jump looks at exit_request: pc is a jump's target. */
    g_assert_true(f->env->pc == CODE || f->env->pc == PAGE1);
    g_assert_cmpuint(f->env->minstret, ==, f->env->gpr[A0] * 3 -
                     (f->env->pc == PAGE1));
}

static void test_store_into_code_of_another_page(Fixture *f,
                                                 gconstpointer data)
{
    /*
     * The routine in PAGE1 runs twice (the second call is chained and
     * enters the jump cache), then the caller patches it and calls it
     * again, without fence.i: as in QEMU, the call runs the new bytes.
     * The hart is in no cpu list, so no kick ends the block: the
     * generation check of the chained jump has to catch it.
     */
    const uint32_t prog[] = {
        jal(RA, PAGE1 - CODE), jal(RA, PAGE1 - (CODE + 4)),
        STORE(2, A2, A1, 0), jal(RA, PAGE1 - (CODE + 12)), WFI,
    };
    const uint32_t routine[] = { ADDI(A0, A0, 1), JALR(ZERO, RA, 0) };

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    put_code(f, PAGE1, routine, G_N_ELEMENTS(routine));
    f->env->gpr[A0] = 0;
    f->env->gpr[A1] = PAGE1;
    f->env->gpr[A2] = ADDI(A0, A0, 100);
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 102);
}

/* ---- The gdbstub's breakpoints, single-step and watchpoints ---------- */

static int exec_debug(Fixture *f)
{
    CPUState *cs = CPU(f->cpu);

    qatomic_set(&cs->exit_request, 0);
    return CPU_GET_CLASS(cs)->exec(cs);
}

/*
 * A breakpoint inside a loop that never leaves its page (NEAR branches)
 * stops before the instruction, every time it is reached, also when the
 * page was decoded before the breakpoint existed; removed, the loop ends.
 */
static void test_breakpoint_in_near_loop(Fixture *f, gconstpointer data)
{
    RUN(f, ADDI(A0, ZERO, 0), ADDI(A1, ZERO, 10),
        OP(0, 0, A0, A0, A1), ADDI(A1, A1, -1), BNE(A1, ZERO, -8), WFI);
    g_assert_cmpuint(f->env->gpr[A0], ==, 55);

    g_assert_cmpint(cpu_breakpoint_insert(CPU(f->cpu), CODE + 12, BP_GDB),
                    ==, 0);
    f->env->minstret = 0;
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 12);
    g_assert_cmpuint(f->env->gpr[A0], ==, 10);
    g_assert_cmpuint(f->env->minstret, ==, 3);
    /* Still armed: resuming at it stops at once, nothing executed. */
    g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 12);
    g_assert_cmpuint(f->env->minstret, ==, 3);
    /* The next time round the loop. */
    g_assert_cmpint(cpu_breakpoint_remove(CPU(f->cpu), CODE + 12, BP_GDB),
                    ==, 0);
    g_assert_cmpint(cpu_breakpoint_remove(CPU(f->cpu), CODE + 12, BP_GDB),
                    ==, -ENOENT);
    g_assert_cmpint(cpu_breakpoint_insert(CPU(f->cpu), CODE + 8, BP_GDB),
                    ==, 0);
    g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 8);
    g_assert_cmpuint(f->env->gpr[A1], ==, 9);
    cpu_breakpoint_remove_all(CPU(f->cpu), BP_GDB);
    g_assert_cmpint(exec_debug(f), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 55);
}

/*
 * Single-step runs exactly one instruction per exec, even a branch that
 * is normally fused with the instruction it skips, and a jump within the
 * page; minstret counts each.
 */
static void test_single_step_one_instruction(Fixture *f, gconstpointer data)
{
    static const uint64_t pcs[] = { 4, 12, 16, 24, 28, 32 };
    const uint32_t prog[] = {
        ADDI(A0, ZERO, 1), BNE(A0, ZERO, 8), ADDI(A2, A2, 5),
        ADDI(A3, ZERO, 7), jal(ZERO, 8), ADDI(A4, ZERO, 1), ADDI(A5, ZERO, 2),
        WFI,
    };
    unsigned i;

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->gpr[A2] = 0;
    f->env->pc = CODE;
    f->env->minstret = 0;
    cpu_single_step(CPU(f->cpu), true);
    for (i = 0; i < G_N_ELEMENTS(pcs); i++) {
        g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
        g_assert_cmphex(f->env->pc, ==, CODE + pcs[i]);
        g_assert_cmpuint(f->env->minstret, ==, i + 1);
    }
    g_assert_cmpuint(f->env->gpr[A2], ==, 0);
    g_assert_cmpuint(f->env->gpr[A3], ==, 7);
    g_assert_cmpuint(f->env->gpr[A4], ==, 0);
    g_assert_cmpuint(f->env->gpr[A5], ==, 2);
    cpu_single_step(CPU(f->cpu), false);
    g_assert_cmpint(exec_debug(f), ==, EXCP_HLT);
}

static void test_single_step_across_pages(Fixture *f, gconstpointer data)
{
    /*
     * A call into another page and the return, stepped after a first run
     * has cached both pages: one instruction each, as gdb's stepi.
     */
    static const uint64_t pcs[] = { PAGE1, PAGE1 + 4, CODE + 4 };
    const uint32_t prog[] = { jal(RA, PAGE1 - CODE), WFI };
    const uint32_t routine[] = { ADDI(A0, A0, 5), JALR(ZERO, RA, 0) };
    unsigned i;

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    put_code(f, PAGE1, routine, G_N_ELEMENTS(routine));
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A0], ==, 5);

    f->env->pc = CODE;
    f->env->minstret = 0;
    cpu_single_step(CPU(f->cpu), true);
    for (i = 0; i < G_N_ELEMENTS(pcs); i++) {
        g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
        g_assert_cmphex(f->env->pc, ==, pcs[i]);
        g_assert_cmpuint(f->env->minstret, ==, i + 1);
    }
    g_assert_cmpuint(f->env->gpr[A0], ==, 10);
    cpu_single_step(CPU(f->cpu), false);
}

/*
 * Watchpoints stop the hart at the instruction, before the access (QEMU
 * 7.2's behaviour): write watchpoints catch stores and AMOs, read ones
 * loads; accesses elsewhere in the same page go on.
 */
static void test_watchpoints_stop_before_access(Fixture *f,
                                                gconstpointer data)
{
    CPUState *cs = CPU(f->cpu);
    const uint32_t prog[] = {
        ADDI(A1, ZERO, 42),
        STORE(3, A1, T0, 16),               /* sd a1, 16(t0): not watched */
        STORE(3, A1, T0, 0),                /* sd a1, 0(t0) */
        LOAD(3, A2, T0, 8),                 /* ld a2, 8(t0) */
        AMO(RISCV_AMO_ADD, 3, A3, T0, A1),  /* amoadd.d a3, a1, (t0) */
        WFI,
    };

    st64(f, DATA, 1);
    st64(f, DATA + 8, 2);
    st64(f, DATA + 16, 3);
    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    f->env->gpr[T0] = DATA;
    g_assert_cmpint(cpu_watchpoint_insert(cs, DATA, 8,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    g_assert_cmpint(cpu_watchpoint_insert(cs, DATA + 8, 8,
                                          BP_GDB | BP_MEM_READ), ==, 0);
    g_assert_cmpint(cpu_watchpoint_insert(cs, 0, 0, BP_GDB | BP_MEM_READ),
                    ==, -EINVAL);

    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 8);
    g_assert_cmphex(cs->watchpoint_hit->vaddr, ==, DATA);
    g_assert_cmpuint(ld64(f, DATA + 16), ==, 42);
    g_assert_cmpuint(ld64(f, DATA), ==, 1);     /* not yet written */

    cpu_watchpoint_remove(cs, DATA, 8, BP_GDB | BP_MEM_WRITE);
    cs->watchpoint_hit = NULL;
    g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 12);
    g_assert_cmphex(cs->watchpoint_hit->vaddr, ==, DATA + 8);
    g_assert_cmpuint(ld64(f, DATA), ==, 42);
    g_assert_cmpuint(f->env->gpr[A2], ==, 0);

    cpu_watchpoint_remove_all(cs, BP_GDB);
    g_assert_null(cs->watchpoint_hit);
    g_assert_cmpint(cpu_watchpoint_insert(cs, DATA + 4, 1,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    g_assert_cmpint(exec_debug(f), ==, EXCP_DEBUG);
    g_assert_cmphex(f->env->pc, ==, CODE + 16);     /* the AMO */
    g_assert_cmpuint(f->env->gpr[A2], ==, 2);
    cpu_watchpoint_remove_all(cs, BP_GDB);
    g_assert_cmpint(exec_debug(f), ==, EXCP_HLT);
    g_assert_cmpuint(f->env->gpr[A3], ==, 42);
    g_assert_cmpuint(ld64(f, DATA), ==, 84);
}

static void test_dump_state_layout(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) s = g_string_new("");

    f->env->gpr[A0] = 0xabc;
    f->env->fpr[10] = 0x3ff0000000000000ULL;
    f->env->mstatus |= MSTATUS_FS;
    CPU_GET_CLASS(f->cpu)->dump_state(CPU(f->cpu), s);
    /* mstatus as the CSR reads: SD set for FS Dirty. */
    g_assert_true(g_str_has_prefix(s->str,
                  " pc       0000000080001000\n"
                  " mhartid  0000000000000000\n"
                  " mstatus  8000000a00006000\n"));
    g_assert_nonnull(strstr(s->str,
                     " x8/s0    0000000000000000 x9/s1    0000000000000000"
                     " x10/a0   0000000000000abc x11/a1   0000000000000000\n"));
    /* info registers ends with the f registers, as QEMU's CPU_DUMP_FPU. */
    g_assert_nonnull(strstr(s->str, " x31/t6   0000000000000000\n"
                            " f0/ft0   0000000000000000"));
    g_assert_nonnull(strstr(s->str,
                     " f8/fs0   0000000000000000 f9/fs1   0000000000000000"
                     " f10/fa0  3ff0000000000000 f11/fa1  0000000000000000\n"));
    g_assert_true(g_str_has_suffix(s->str, " f31/ft11 0000000000000000\n"));
    g_assert_cmpstr(CPU_GET_CLASS(f->cpu)->target_name, ==, "riscv64");
}

/* ---- Throughput (-m perf) ----------------------------------------------- */

/* ---- F and D ------------------------------------------------------------ */

/* One F/D operation through riscv_fpu_exec: f3 = f1 op f2 (op f4). */
static RISCVException fp_op(Fixture *f, RISCVOpc opc, unsigned rm,
                            uint64_t a, uint64_t b, uint64_t c)
{
    RISCVOp op = { .opc = opc, .rd = 3, .rs1 = 1, .rs2 = 2, .rs3 = 4,
                   .rm = rm, .len = 4 };

    f->env->fpr[1] = a;
    f->env->fpr[2] = b;
    f->env->fpr[4] = c;
    return riscv_fpu_exec(f->env, &op);
}

#define BOXED(v)    (0xffffffff00000000ULL | (uint32_t)(v))

static void test_fp_rounding_flags_nans(Fixture *f, gconstpointer data)
{
    f->env->mstatus |= 1ULL << MSTATUS_FS_SHIFT;        /* Initial */

    /* 1 + 2^-24 is halfway: RNE keeps 1, RMM and RUP round up. */
    g_assert_cmpint(fp_op(f, OP_FADD_S, RISCV_FRM_RNE, BOXED(0x3f800000),
                          BOXED(0x33800000), 0), ==, RISCV_EXCP_NONE);
    g_assert_cmphex(f->env->fpr[3], ==, BOXED(0x3f800000));
    fp_op(f, OP_FADD_S, RISCV_FRM_RMM, BOXED(0x3f800000), BOXED(0x33800000),
          0);
    g_assert_cmphex(f->env->fpr[3], ==, BOXED(0x3f800001));
    g_assert_cmphex(f->env->fflags, ==, FFLAG_NX);
    /* Writing an f register made the state dirty. */
    g_assert_cmphex(f->env->mstatus & MSTATUS_FS, ==, MSTATUS_FS);

    /* The mode and the flags stay with the instruction, not the host. */
    fp_op(f, OP_FDIV_D, RISCV_FRM_RUP, 0x3ff0000000000000ULL, 0, 0);
    g_assert_cmphex(f->env->fpr[3], ==, 0x7ff0000000000000ULL);
    g_assert_cmpint(fegetround(), ==, FE_TONEAREST);
    f->env->fflags = 0;
    fp_op(f, OP_FADD_D, RISCV_FRM_RNE, 0x3ff0000000000000ULL,
          0x3ff0000000000000ULL, 0);
    g_assert_cmphex(f->env->fflags, ==, 0);
    g_assert_cmphex(f->env->fpr[3], ==, 0x4000000000000000ULL);

    /* NaNs come out canonical; a signalling one is invalid. */
    fp_op(f, OP_FMUL_D, RISCV_FRM_RNE, 0x7ff0000000000001ULL,
          0x3ff0000000000000ULL, 0);
    g_assert_cmphex(f->env->fpr[3], ==, 0x7ff8000000000000ULL);
    g_assert_cmphex(f->env->fflags, ==, FFLAG_NV);
    /* A single that is not NaN-boxed reads as the canonical NaN. */
    f->env->fflags = 0;
    fp_op(f, OP_FADD_S, RISCV_FRM_RNE, 0x3f800000, BOXED(0x3f800000), 0);
    g_assert_cmphex(f->env->fpr[3], ==, BOXED(0x7fc00000));
    g_assert_cmphex(f->env->fflags, ==, 0);
    /* inf * 0 + qNaN is invalid, as QEMU. */
    fp_op(f, OP_FMADD_D, RISCV_FRM_RNE, 0x7ff0000000000000ULL, 0,
          0x7ff8000000000000ULL);
    g_assert_cmphex(f->env->fflags, ==, FFLAG_NV);
    /* minimumNumber: -0 < +0, a quiet NaN loses to a number. */
    fp_op(f, OP_FMIN_S, 0, BOXED(0), BOXED(0x80000000), 0);
    g_assert_cmphex(f->env->fpr[3], ==, BOXED(0x80000000));
    fp_op(f, OP_FMAX_D, 1, 0x7ff8000000000000ULL, 0xbff0000000000000ULL, 0);
    g_assert_cmphex(f->env->fpr[3], ==, 0xbff0000000000000ULL);
}

static void test_fp_conversions_saturate(Fixture *f, gconstpointer data)
{
    RISCVOp op = { .opc = OP_FCVT_W_D, .rd = A2, .rs1 = 1, .len = 4 };

    f->env->mstatus |= MSTATUS_FS;
    f->env->fpr[1] = 0x7ff8000000000000ULL;                 /* NaN */
    riscv_fpu_exec(f->env, &op);
    g_assert_cmphex(f->env->gpr[A2], ==, 0x7fffffff);
    g_assert_cmphex(f->env->fflags, ==, FFLAG_NV);
    f->env->fflags = 0;
    op.opc = OP_FCVT_WU_D;
    f->env->fpr[1] = 0xbfe0000000000000ULL;                 /* -0.5 */
    riscv_fpu_exec(f->env, &op);
    g_assert_cmphex(f->env->gpr[A2], ==, 0);
    g_assert_cmphex(f->env->fflags, ==, FFLAG_NX);
    f->env->fpr[1] = 0x41f0000000000000ULL;                 /* 2^32 */
    riscv_fpu_exec(f->env, &op);
    g_assert_cmphex(f->env->gpr[A2], ==, UINT64_MAX);       /* sign-extended */
    op.opc = OP_FCVT_L_D;
    op.rm = RISCV_FRM_RMM;
    f->env->fpr[1] = 0xc004000000000000ULL;                 /* -2.5 */
    riscv_fpu_exec(f->env, &op);
    g_assert_cmphex(f->env->gpr[A2], ==, (uint64_t)-3);
    /* fcvt.s.lu of 2^64-1: rounds to 2^64 (RNE), 0x5f800000. */
    op = (RISCVOp) { .opc = OP_FCVT_S_LU, .rd = 3, .rs1 = A0, .len = 4 };
    f->env->gpr[A0] = UINT64_MAX;
    riscv_fpu_exec(f->env, &op);
    g_assert_cmphex(f->env->fpr[3], ==, BOXED(0x5f800000));
    /* The same with inexact accrued (the direct conversion) and without. */
    for (unsigned i = 0; i < 64; i++) {
        static const RISCVOpc cv[] = {
            OP_FCVT_S_L, OP_FCVT_S_LU, OP_FCVT_D_L, OP_FCVT_D_LU,
            OP_FCVT_S_W, OP_FCVT_D_WU,
        };
        uint64_t v = (UINT64_MAX >> i) ^ (0x5555ULL << (i / 2)), slow;

        op.opc = cv[i % G_N_ELEMENTS(cv)];
        f->env->gpr[A0] = v;
        f->env->fflags = 0;
        riscv_fpu_exec(f->env, &op);
        slow = f->env->fpr[3];
        f->env->fflags = FFLAG_NX;
        riscv_fpu_exec(f->env, &op);
        g_assert_cmphex(f->env->fpr[3], ==, slow);
    }
}

/* The fast path (inexact accrued) agrees with the full one, bit for bit. */
static void test_fp_fast_path_matches(Fixture *f, gconstpointer data)
{
    static const RISCVOpc ops[] = {
        OP_FADD_D, OP_FSUB_D, OP_FMUL_D, OP_FDIV_D, OP_FSQRT_D, OP_FMADD_D,
        OP_FADD_S, OP_FMUL_S, OP_FDIV_S, OP_FNMSUB_S,
    };
    GRand *rand = g_rand_new_with_seed(1);

    f->env->mstatus |= MSTATUS_FS;
    for (int i = 0; i < 20000; i++) {
        RISCVOpc opc = ops[i % G_N_ELEMENTS(ops)];
        bool single = opc >= OP_FMADD_S && opc <= OP_FCLASS_S;
        uint64_t v[3], slow, slow_flags;

        for (int k = 0; k < 3; k++) {
            /* Exponents around 1 and near the ends of the range. */
            uint64_t m = (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
            unsigned e = g_rand_int_range(rand, 0, 3);

            if (single) {
                unsigned ex = e == 0 ? 127 + g_rand_int_range(rand, -20, 20)
                            : e == 1 ? g_rand_int_range(rand, 1, 30)
                            : g_rand_int_range(rand, 225, 254);
                v[k] = BOXED((m & 0x807fffff) | ex << 23);
            } else {
                uint64_t ex = e == 0 ? 1023 + g_rand_int_range(rand, -40, 40)
                            : e == 1 ? g_rand_int_range(rand, 1, 60)
                            : g_rand_int_range(rand, 1980, 2046);
                v[k] = (m & 0x800fffffffffffffULL) | ex << 52;
            }
        }
        f->env->fflags = 0;
        fp_op(f, opc, RISCV_FRM_RNE, v[0], v[1], v[2]);
        slow = f->env->fpr[3];
        slow_flags = f->env->fflags;
        f->env->fflags = FFLAG_NX;
        fp_op(f, opc, RISCV_FRM_RNE, v[0], v[1], v[2]);
        g_assert_cmphex(f->env->fpr[3], ==, slow);
        g_assert_cmphex(f->env->fflags, ==, slow_flags | FFLAG_NX);
    }
    g_rand_free(rand);
}

#define FADD_D(rd, rs1, rs2)    r_type(0x01, rs2, rs1, 7, rd, 0x53)
#define FLD(rd, rs1, imm)       i_type(imm, rs1, 3, rd, 0x07)

static void test_fp_off_traps_and_fs_dirty(Fixture *f, gconstpointer data)
{
    uint64_t one = 0x3ff0000000000000ULL;

    address_space_write(&f->as, DATA, A, &one, 8);
    f->env->gpr[A0] = DATA;
    /* FS = Off (reset): the load is illegal, mtval the instruction. */
    RUN(f, FLD(1, A0, 0), WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, FLD(1, A0, 0));
    RUN(f, CSRRS(A1, CSR_FCSR, ZERO), WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, CSRRS(A1, CSR_FCSR, ZERO));
    /* Initial: runs, and the first write makes it Dirty (and SD). */
    f->env->mstatus |= 1ULL << MSTATUS_FS_SHIFT;
    RUN(f, FLD(1, A0, 0), FADD_D(2, 1, 1), CSRRS(A1, CSR_MSTATUS, ZERO), WFI);
    g_assert_cmphex(f->env->fpr[2], ==, 0x4000000000000000ULL);
    g_assert_cmphex(f->env->gpr[A1] & (MSTATUS_FS | MSTATUS_SD), ==,
                    MSTATUS_FS | MSTATUS_SD);
    /* Dynamic rounding with a reserved frm is illegal at run time. */
    f->env->frm = 5;
    RUN(f, FADD_D(2, 1, 1), WFI);
    assert_trap(f, RISCV_EXCP_ILLEGAL_INST, CODE, FADD_D(2, 1, 1));
}

static void test_perf_loop_mips(Fixture *f, gconstpointer data)
{
    /* 4 instructions per iteration, 25M iterations: 100M instructions */
    const uint32_t prog[] = {
        LUI(A1, 0x17d8), ADDI(A1, A1, -0x7c0),      /* a1 = 25000000 */
        ADDI(A0, A0, 3), OP(0, 4, A2, A2, A0),
        ADDI(A1, A1, -1), BNE(A1, ZERO, -12),
        WFI,
    };
    gint64 t0;
    double s;

    put_code(f, CODE, prog, G_N_ELEMENTS(prog));
    t0 = g_get_monotonic_time();
    g_assert_cmpint(exec_at(f->cpu, CODE), ==, EXCP_HLT);
    s = (g_get_monotonic_time() - t0) / 1e6;
    g_assert_cmpuint(f->env->gpr[A1], ==, 0);
    g_printerr("riscv-cpu: %" PRIu64 " instructions in %.3f s: %.0f MIPS\n",
               f->env->minstret, s, f->env->minstret / s / 1e6);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    /* Like vl.c: the main thread runs with the BQL, harts without it. */
    bql_lock();

#define ADD(path, fn) g_test_add("/riscv-cpu/" path, Fixture, NULL, \
                                 fixture_setup, fn, fixture_teardown)
    ADD("isa/div-rem-edge-cases", test_div_rem_edge_cases);
    ADD("isa/mulh-variants", test_mulh_variants);
    ADD("isa/w-ops-sign-extend", test_w_ops_sign_extend);
    ADD("isa/shifts", test_shifts);
    ADD("isa/bitmanip", test_bitmanip);
    ADD("isa/bitmanip-neighbours-illegal", test_bitmanip_neighbours_illegal);
    ADD("isa/pause", test_pause);
    ADD("isa/loads-stores-widths-and-sign", test_loads_stores_widths_and_sign);
    ADD("isa/branches-and-jumps", test_branches_and_jumps);
    ADD("exec/short-forward-branch-predicated", test_short_forward_branch);
    ADD("exec/page-boundaries", test_page_boundaries);
    ADD("isa/compressed", test_compressed);
    ADD("fp/rounding-flags-nans", test_fp_rounding_flags_nans);
    ADD("fp/conversions-saturate", test_fp_conversions_saturate);
    ADD("fp/fast-path-matches-full-path", test_fp_fast_path_matches);
    ADD("fp/off-traps-and-fs-dirty", test_fp_off_traps_and_fs_dirty);
    ADD("csr/read-write-set-clear", test_csr_read_write_set_clear);
    ADD("csr/illegal-access-traps", test_csr_illegal_access_traps);
    ADD("csr/time-reads-board-clock", test_time_reads_board_clock);
    ADD("trap/ecall-from-m-and-u", test_ecall_from_m_and_u);
    ADD("trap/illegal-instruction-mtval", test_illegal_instruction_mtval);
    ADD("trap/access-fault-on-unmapped", test_access_fault_on_unmapped);
    ADD("trap/misaligned-access", test_misaligned_access);
    ADD("trap/misaligned-device-access-is-split-as-qemu",
        test_misaligned_device_access_is_split_as_qemu);
    ADD("exec/code-runs-from-a-device-read-each-time",
        test_code_runs_from_a_device_read_each_time);
    ADD("irq/taken-at-block-boundary-and-vectored",
        test_interrupt_at_block_boundary);
    ADD("irq/priority-and-masking", test_interrupt_priority_and_masking);
    ADD("irq/taken-right-after-csr-enables-it",
        test_interrupt_right_after_csr_enables_it);
    ADD("trap/delegation-to-s-mode", test_delegation_to_s_mode);
    ADD("mmu/sv39-translation-page-faults-sfence", test_sv39_translation);
    ADD("mmu/sum-toggles-without-sfence", test_sum_toggles_without_sfence);
    ADD("mmu/sfence-after-few-and-many-fills",
        test_sfence_after_few_and_many_fills);
    ADD("mmu/device-page-in-tlb-until-sfence",
        test_device_page_in_tlb_until_sfence);
    ADD("mmu/chained-call-after-remap-and-sfence",
        test_chained_call_after_remap_and_sfence);
    ADD("mmu/sv48-sv57-walks-and-satp-modes", test_sv48_sv57);
    g_test_add_func("/riscv-cpu/model/errors-as-qemu",
                    test_cpu_model_errors_as_qemu);
    g_test_add_func("/riscv-cpu/model/isa-string-and-mmu-type",
                    test_cpu_isa_string_and_mmu_type);
    ADD("model/props-gate-instructions", test_cpu_props_gate_instructions);
    ADD("model/props-gate-csrs", test_cpu_props_gate_csrs);
    ADD("csr/counters-as-qemu", test_counters_as_qemu);
    ADD("csr/sstc-stimecmp-drives-stip", test_sstc_stimecmp_drives_stip);
    ADD("csr/seip-is-software-or-plic", test_seip_is_software_or_plic);
    ADD("mmu/pmp-guards-page-table-walk", test_pmp_guards_page_table_walk);
    ADD("mmu/debug-translation-does-not-fault-or-set-ad",
        test_debug_translation);
    ADD("atomic/lr-sc", test_lr_sc);
    ADD("atomic/amos", test_amos);
    ADD("atomic/amo-atomic-across-harts", test_amo_atomic_across_harts);
    ADD("cache/self-modifying-code-after-fence-i",
        test_self_modifying_code_after_fence_i);
    ADD("cache/store-into-running-code-seen-after-branch",
        test_store_into_running_code);
    ADD("cache/store-by-other-hart-reaches-spinning-hart",
        test_store_by_other_hart_reaches_spinning_hart);
    ADD("cache/store-by-other-hart-invalidates",
        test_store_by_other_hart_invalidates);
    ADD("cache/dma-into-code-seen-after-fence-i",
        test_dma_into_code_seen_after_fence_i);
    ADD("cache/fence-i-after-dma-there-and-back",
        test_fence_i_after_dma_there_and_back);
    ADD("cache/fence-i-in-a-loop", test_fence_i_keeps_code_running);
    ADD("exec/wfi-with-masked-interrupt-polls",
        test_wfi_with_masked_interrupt_polls);
    ADD("exec/pause-loop", test_pause_loop);
    ADD("exec/exit-request-stops-exec", test_exit_request_stops_exec);
    ADD("exec/exit-request-from-other-thread",
        test_exit_request_from_other_thread);
    ADD("exec/chain-across-pages-agrees-with-nochain",
        test_chain_across_pages_agrees_with_nochain);
    ADD("cache/chained-call-after-dma-and-fence-i",
        test_chained_call_after_dma_and_fence_i);
    ADD("exec/csr-accesses-agree-with-nochain",
        test_csr_accesses_agree_with_nochain);
    ADD("exec/exit-request-stops-loop-across-pages",
        test_exit_request_stops_loop_across_pages);
    ADD("cache/store-into-code-of-another-page-seen-at-call",
        test_store_into_code_of_another_page);
    ADD("exec/dump-state-layout", test_dump_state_layout);
    ADD("debug/breakpoint-in-near-loop", test_breakpoint_in_near_loop);
    ADD("debug/single-step-one-instruction",
        test_single_step_one_instruction);
    ADD("debug/single-step-across-pages", test_single_step_across_pages);
    ADD("debug/watchpoints-stop-before-access",
        test_watchpoints_stop_before_access);
    if (g_test_perf()) {
        ADD("perf/loop-mips", test_perf_loop_mips);
    }
    return g_test_run();
}
