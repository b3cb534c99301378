/*
 * fuzz: random straight-line programs, the same on every run (a fixed
 * xorshift seed), written into RAM, made visible with fence.i and called;
 * their registers and data buffer are folded into a checksum printed every
 * 50 programs.  The transcript from QEMU is the reference, so any
 * difference in how an emulator decodes or runs these instructions shows
 * up as a different checksum.
 *
 * Each program: 48 instructions over x5..x15 (x16 holds the data buffer's
 * address, x1 the return address): integer ALU and M ops in their 64- and
 * 32-bit forms, immediates, lui/auipc, loads and stores into the buffer,
 * some compressed instructions, and forward branches that skip 1 to 3
 * instructions (half of them exactly one: the predicated "short forward
 * branch" of qcore's interpreter), then ret.  Each program crosses a page
 * boundary at a random point, so some branches leave the page and some
 * 32-bit instructions straddle it.
 */
#include <stdbool.h>
#include "runtime.h"

#define FUZZ_SEED   0x9e3779b97f4a7c15ULL
#include "fuzzgen.h"

static Insn gen(void)
{
    static const unsigned w_f3[] = { 0, 1, 5 };
    static const unsigned mw_f3[] = { 0, 4, 5, 6, 7 };
    static const unsigned load_f3[] = { 0, 1, 2, 3, 4, 5, 6 };
    static const unsigned branch_f3[] = { 0, 1, 4, 5, 6, 7 };
    Insn in = { 0, 4, 0, false };
    unsigned f3, f7, size, imm, rd, rs;

    switch (pick(16)) {
    case 0: case 1:                     /* R-type ALU */
        f3 = pick(8);
        f7 = (f3 == 0 || f3 == 5) && pick(2) ? 0x20 : 0;
        in.bits = r_type(f7, f3, 0x33);
        break;
    case 2:                             /* M extension */
        f3 = pick(8);
        in.bits = r_type(1, f3, 0x33);
        break;
    case 3:                             /* 32-bit ALU and M */
        if (pick(2)) {
            f3 = w_f3[pick(3)];
            f7 = (f3 == 0 || f3 == 5) && pick(2) ? 0x20 : 0;
            in.bits = r_type(f7, f3, 0x3b);
        } else {
            f3 = mw_f3[pick(5)];
            in.bits = r_type(1, f3, 0x3b);
        }
        break;
    case 4: case 5:                     /* immediates */
        f3 = pick(8);
        if (f3 == 1) {
            imm = pick(64);
        } else if (f3 == 5) {
            imm = pick(64);
            imm |= pick(2) ? 0x400 : 0;
        } else {
            imm = rnd();
        }
        in.bits = i_type(imm, f3, 0, 0x13);
        break;
    case 6:                             /* 32-bit immediates */
        switch (pick(4)) {
        case 0:
            imm = pick(32);
            in.bits = i_type(imm, 1, 0, 0x1b);
            break;
        case 1:
            imm = pick(32);
            imm |= pick(2) ? 0x400 : 0;
            in.bits = i_type(imm, 5, 0, 0x1b);
            break;
        default:
            imm = rnd();
            in.bits = i_type(imm, 0, 0, 0x1b);
            break;
        }
        break;
    case 7:                             /* lui, auipc */
        imm = rnd() & 0xfffff000;
        rd = reg();
        in.bits = imm | rd << 7 | (pick(2) ? 0x37 : 0x17);
        break;
    case 8:                             /* loads from the buffer */
        f3 = load_f3[pick(7)];
        size = 1u << (f3 & 3);
        imm = pick(DATA_BYTES / size) * size;
        in.bits = i_type(imm, f3, 16, 0x03);
        break;
    case 9:                             /* stores into it */
        f3 = pick(4);
        size = 1u << f3;
        imm = pick(DATA_BYTES / size) * size;
        rs = reg();
        in.bits = (imm >> 5) << 25 | rs << 20 | 16 << 15 | f3 << 12 |
                  (imm & 31) << 7 | 0x23;
        break;
    case 10: case 11:                   /* addi/addiw/add: the skippable */
        switch (pick(3)) {
        case 0:
            imm = rnd();
            in.bits = i_type(imm, 0, 0, 0x13);
            break;
        case 1:
            imm = rnd();
            in.bits = i_type(imm, 0, 0, 0x1b);
            break;
        default:
            in.bits = r_type(0, 0, 0x33);
            break;
        }
        break;
    case 12:                            /* compressed */
        rd = reg();
        imm = pick(64);
        in.len = 2;
        switch (pick(4)) {
        case 0:                         /* c.mv rd, rs2 */
            rs = reg();
            in.bits = 0x8002 | rd << 7 | rs << 2;
            break;
        case 1:                         /* c.add rd, rs2 */
            rs = reg();
            in.bits = 0x9002 | rd << 7 | rs << 2;
            break;
        case 2:                         /* c.addi rd, imm */
            in.bits = 0x0001 | (imm >> 5) << 12 | rd << 7 | (imm & 31) << 2;
            break;
        default:                        /* c.li rd, imm */
            in.bits = 0x4001 | (imm >> 5) << 12 | rd << 7 | (imm & 31) << 2;
            break;
        }
        break;
    case 13:                            /* c.beqz / c.bnez */
        in.len = 2;
        in.bits = pick(2) ? 0xe001 : 0xc001;
        rs = creg();
        in.bits |= (rs - 8) << 7;
        in.skip = branch_skip();
        in.compressed_branch = true;
        break;
    default:                            /* beq bne blt bge bltu bgeu */
        f3 = branch_f3[pick(6)];
        rs = reg();
        imm = reg();                    /* rs2 */
        in.bits = imm << 20 | rs << 15 | f3 << 12 | 0x63;
        in.skip = branch_skip();
        break;
    }
    return in;
}

int main(void)
{
    uint64_t sum = 0;
    unsigned p, i, halfwords = 0;
    uint16_t *entry;

    puts("fuzz: random straight-line programs, 400 x 48 instructions");
    for (p = 1; p <= PROGRAMS; p++) {
        for (i = 0; i < DATA_BYTES / 8; i++) {
            data[i] = rnd();
        }
        for (i = 0; i < 11; i++) {
            /* small values too, so that compares and shifts vary */
            regs[i] = pick(4) ? rnd() : pick(8) - 4;
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
            printf("fuzz: %3u programs, checksum %016lx\n", p,
                   (unsigned long)sum);
        }
    }
    printf("fuzz: %u halfwords of code\n", halfwords);
    return 0;
}
