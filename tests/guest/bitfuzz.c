/*
 * bitfuzz: fuzz.c for the bit-manipulation extensions Zba, Zbb, Zbc, Zbs
 * and Zihintpause's pause.  Random straight-line programs, the same on
 * every run (a fixed xorshift seed), written into RAM, made visible with
 * fence.i and called; their registers and data buffer are folded into a
 * checksum printed every 50 programs.  QEMU 7.2's transcript is the
 * reference (its default rv64 CPU has these extensions), so any
 * difference in how an emulator decodes or runs them changes a checksum.
 *
 * Each program: 48 instructions over x5..x15 (x16 holds the data
 * buffer's address, x1 the return address).  About two thirds are
 * Zba/Zbb/Zbc/Zbs instructions in every form (register, immediate, .uw
 * and W), the rest base instructions (ALU, M, W forms, loads and stores,
 * compressed, forward branches) so the two mix in one block, and now and
 * then a pause.  The registers start from random values or from the
 * edges these instructions care about (0, -1, one bit, 32-bit patterns,
 * small shift amounts).  Each program crosses a page boundary at a random
 * point.  The instructions are encoded here, so the encodings do not
 * depend on the assembler; the program itself is compiled with
 * -march=rv64imac_zicsr_zifencei_zba_zbb_zbc_zbs (Makefile), so the
 * compiler's own Zb* code runs too.
 */
#include <stdbool.h>
#include "runtime.h"

#define FUZZ_SEED   0x2545f4914f6cdd1dULL
#include "fuzzgen.h"

/* rd, rs1, funct12 or shift amount: the I-type shapes of Zbb and Zbs. */
static uint32_t unary(unsigned f12, unsigned f3, unsigned opc)
{
    unsigned rd = reg();
    unsigned rs1 = reg();

    return f12 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

/* A Zba, Zbb, Zbc or Zbs instruction, every encoding equally likely. */
static uint32_t gen_bitmanip(void)
{
    /* OP: funct7 << 3 | funct3 */
    static const uint16_t op[] = {
        0x20 << 3 | 7, 0x20 << 3 | 6, 0x20 << 3 | 4,            /* andn orn xnor */
        0x10 << 3 | 2, 0x10 << 3 | 4, 0x10 << 3 | 6,            /* shNadd */
        0x05 << 3 | 1, 0x05 << 3 | 2, 0x05 << 3 | 3,            /* clmul r h */
        0x05 << 3 | 4, 0x05 << 3 | 5, 0x05 << 3 | 6, 0x05 << 3 | 7, /* min max */
        0x30 << 3 | 1, 0x30 << 3 | 5,                           /* rol ror */
        0x24 << 3 | 1, 0x24 << 3 | 5, 0x34 << 3 | 1, 0x14 << 3 | 1, /* bclr bext binv bset */
    };
    /* OP-32 */
    static const uint16_t op32[] = {
        0x04 << 3 | 0,                                          /* add.uw */
        0x10 << 3 | 2, 0x10 << 3 | 4, 0x10 << 3 | 6,            /* shNadd.uw */
        0x30 << 3 | 1, 0x30 << 3 | 5,                           /* rolw rorw */
    };
    /* clz ctz cpop sext.b sext.h orc.b rev8 */
    static const uint16_t un[] = { 0x600, 0x601, 0x602, 0x604, 0x605, 0x287, 0x6b8 };
    /* rori bclri bexti binvi bseti: funct6 and funct3 */
    static const uint8_t shf6[] = { 0x18, 0x12, 0x12, 0x1a, 0x0a };
    static const uint8_t shf3[] = { 5, 1, 5, 1, 1 };
    unsigned k, rd, rs1;

    switch (pick(8)) {
    case 0: case 1: case 2:
        k = op[pick(sizeof(op) / sizeof(op[0]))];
        return r_type(k >> 3, k & 7, 0x33);
    case 3:
        if (pick(6) == 0) {
            return unary(0x080, 4, 0x3b);         /* zext.h */
        }
        k = op32[pick(sizeof(op32) / sizeof(op32[0]))];
        return r_type(k >> 3, k & 7, 0x3b);
    case 4:
        k = un[pick(7)];
        return unary(k, k == 0x287 || k == 0x6b8 ? 5 : 1, 0x13);
    case 5:
        return unary(0x600 + pick(3), 1, 0x1b);         /* clzw ctzw cpopw */
    case 6:
        k = pick(5);
        rd = reg();
        rs1 = reg();
        return (uint32_t)shf6[k] << 26 | pick(64) << 20 | rs1 << 15 |
               shf3[k] << 12 | rd << 7 | 0x13;
    default:
        rd = reg();
        rs1 = reg();
        if (pick(2)) {                                  /* slli.uw */
            return 0x02u << 26 | pick(64) << 20 | rs1 << 15 | 1 << 12 |
                   rd << 7 | 0x1b;
        }
        return 0x30u << 25 | pick(32) << 20 | rs1 << 15 | 5 << 12 |  /* roriw */
               rd << 7 | 0x1b;
    }
}

static Insn gen(void)
{
    static const unsigned load_f3[] = { 0, 1, 2, 3, 4, 5, 6 };
    static const unsigned branch_f3[] = { 0, 1, 4, 5, 6, 7 };
    static const unsigned w_f3[] = { 0, 1, 5 };
    Insn in = { 0, 4, 0, false };
    unsigned f3, f7, size, imm, rd, rs;

    switch (pick(24)) {
    case 0:                             /* R-type ALU and M */
        f3 = pick(8);
        f7 = pick(3) == 0 ? 1 : (f3 == 0 || f3 == 5) && pick(2) ? 0x20 : 0;
        in.bits = r_type(f7, f3, 0x33);
        break;
    case 1:                             /* 32-bit ALU */
        f3 = w_f3[pick(3)];
        f7 = (f3 == 0 || f3 == 5) && pick(2) ? 0x20 : 0;
        in.bits = r_type(f7, f3, 0x3b);
        break;
    case 2:                             /* immediates */
        f3 = pick(8);
        if (f3 == 1) {
            imm = pick(64);
        } else if (f3 == 5) {
            imm = pick(64) | (pick(2) ? 0x400 : 0);
        } else {
            imm = rnd();
        }
        in.bits = i_type(imm, f3, 0, 0x13);
        break;
    case 3:                             /* loads from the buffer */
        f3 = load_f3[pick(7)];
        size = 1u << (f3 & 3);
        imm = pick(DATA_BYTES / size) * size;
        in.bits = i_type(imm, f3, 16, 0x03);
        break;
    case 4:                             /* stores into it */
        f3 = pick(4);
        size = 1u << f3;
        imm = pick(DATA_BYTES / size) * size;
        rs = reg();
        in.bits = (imm >> 5) << 25 | rs << 20 | 16 << 15 | f3 << 12 |
                  (imm & 31) << 7 | 0x23;
        break;
    case 5:                             /* the skippable: addi, addiw, add */
        switch (pick(3)) {
        case 0:
            in.bits = i_type(rnd(), 0, 0, 0x13);
            break;
        case 1:
            in.bits = i_type(rnd(), 0, 0, 0x1b);
            break;
        default:
            in.bits = r_type(0, 0, 0x33);
            break;
        }
        break;
    case 6:                             /* compressed: c.mv, c.addi, c.li */
        rd = reg();
        imm = pick(64);
        in.len = 2;
        switch (pick(3)) {
        case 0:
            rs = reg();
            in.bits = 0x8002 | rd << 7 | rs << 2;
            break;
        case 1:
            in.bits = 0x0001 | (imm >> 5) << 12 | rd << 7 | (imm & 31) << 2;
            break;
        default:
            in.bits = 0x4001 | (imm >> 5) << 12 | rd << 7 | (imm & 31) << 2;
            break;
        }
        break;
    case 7:                             /* branches */
        if (pick(3) == 0) {             /* c.beqz / c.bnez */
            in.len = 2;
            in.bits = (pick(2) ? 0xe001 : 0xc001) | (creg() - 8) << 7;
            in.compressed_branch = true;
        } else {
            f3 = branch_f3[pick(6)];
            rs = reg();
            imm = reg();
            in.bits = imm << 20 | rs << 15 | f3 << 12 | 0x63;
        }
        in.skip = branch_skip();
        break;
    case 8:
        if (pick(8) == 0) {
            in.bits = 0x0100000f;       /* pause */
            break;
        }
        /* fall through */
    default:
        in.bits = gen_bitmanip();
        break;
    }
    return in;
}

/* Register values: random, or an edge the bit instructions care about. */
static uint64_t start_value(void)
{
    static const uint64_t edges[] = {
        0, 1, ~0ULL, 1ULL << 63, 1ULL << 31, 0xffffffffULL,
        0x80000000ULL, 0xffffffff80000000ULL, 0x7fffffffffffffffULL,
        0x00ff00ff00ff00ffULL, 0x0100000000000080ULL, 63, 64, 31, 32,
    };

    switch (pick(4)) {
    case 0:
        return edges[pick(sizeof(edges) / sizeof(edges[0]))];
    case 1:
        return 1ULL << pick(64) ^ (pick(2) ? 0 : ~0ULL);
    default:
        return rnd();
    }
}

int main(void)
{
    uint64_t sum = 0;
    unsigned p, i, halfwords = 0;
    uint16_t *entry;

    puts("bitfuzz: random Zba/Zbb/Zbc/Zbs programs, 400 x 48 instructions");
    for (p = 1; p <= PROGRAMS; p++) {
        for (i = 0; i < DATA_BYTES / 8; i++) {
            data[i] = rnd();
        }
        for (i = 0; i < 11; i++) {
            regs[i] = start_value();
        }
        regs[11] = (uintptr_t)data;
        halfwords += generate(&entry);
        __asm__ volatile("fence.i" ::: "memory");
        run_code(regs, entry);
        for (i = 0; i < 11; i++) {
            sum = (sum ^ regs[i]) * 0x100000001b3ULL;
        }
        for (i = 0; i < DATA_BYTES / 8; i++) {
            sum = (sum ^ data[i]) * 0x100000001b3ULL;
        }
        if (regs[11] != (uintptr_t)data) {
            printf("program %u changed x16!\n", p);
            return 1;
        }
        if (p % 50 == 0) {
            printf("bitfuzz: %3u programs, checksum %016lx\n", p,
                   (unsigned long)sum);
        }
    }
    printf("bitfuzz: %u halfwords of code\n", halfwords);
    return 0;
}
