/*
 * What the random-program guests (fuzz.c, bitfuzz.c) share: the program
 * and data buffers, run_code() that loads x5..x16, calls a program and
 * stores them back, the xorshift generator, the base-ISA encoders and
 * generate(), which lays a program out across a page boundary.
 * The includer defines FUZZ_SEED: each program draws its own sequence.
 */
#ifndef FUZZGEN_H
#define FUZZGEN_H

#define PROGRAMS    400
#define INSNS       48
#define DATA_BYTES  2048

static uint64_t state = FUZZ_SEED;
/* Two pages: each program straddles the boundary at a random point. */
static uint16_t pages[4096] __attribute__((aligned(4096)));
static uint64_t data[DATA_BYTES / 8] __attribute__((aligned(16)));
static uint64_t regs[12];                       /* x5..x16 */

/* Load x5..x16 from regs, call the code, store them back. */
void run_code(uint64_t *r, void *entry);
__asm__(
    ".text\n"
    ".globl run_code\n"
    "run_code:\n"
    "   addi sp, sp, -32\n"
    "   sd ra, 0(sp)\n"
    "   sd s0, 8(sp)\n"
    "   sd s1, 16(sp)\n"
    "   sd a0, 24(sp)\n"
    "   mv t6, a1\n"
    "   ld x5, 0(a0)\n   ld x6, 8(a0)\n   ld x7, 16(a0)\n"
    "   ld x8, 24(a0)\n  ld x9, 32(a0)\n  ld x11, 48(a0)\n"
    "   ld x12, 56(a0)\n ld x13, 64(a0)\n ld x14, 72(a0)\n"
    "   ld x15, 80(a0)\n ld x16, 88(a0)\n ld x10, 40(a0)\n"
    "   jalr ra, 0(t6)\n"
    "   ld t6, 24(sp)\n"
    "   sd x5, 0(t6)\n   sd x6, 8(t6)\n   sd x7, 16(t6)\n"
    "   sd x8, 24(t6)\n  sd x9, 32(t6)\n  sd x10, 40(t6)\n"
    "   sd x11, 48(t6)\n sd x12, 56(t6)\n sd x13, 64(t6)\n"
    "   sd x14, 72(t6)\n sd x15, 80(t6)\n sd x16, 88(t6)\n"
    "   ld ra, 0(sp)\n"
    "   ld s0, 8(sp)\n"
    "   ld s1, 16(sp)\n"
    "   addi sp, sp, 32\n"
    "   ret\n");

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static unsigned pick(unsigned n)
{
    return rnd() % n;
}

static unsigned reg(void)
{
    return 5 + pick(11);                /* x5..x15 */
}

static unsigned creg(void)
{
    return 8 + pick(8);                 /* x8..x15, the compressed set */
}

/*
 * The encoders draw their registers themselves, in a fixed order (C does
 * not fix the order in which arguments or operands are evaluated, and
 * another compiler must generate the same programs).
 */
static uint32_t r_type(unsigned f7, unsigned f3, unsigned opc)
{
    unsigned rd = reg();
    unsigned rs1 = reg();
    unsigned rs2 = reg();

    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

/* rs1 0: a random register (16 is the buffer's address). */
static uint32_t i_type(uint32_t imm, unsigned f3, unsigned rs1,
                       unsigned opc)
{
    unsigned rd = reg();

    if (!rs1) {
        rs1 = reg();
    }
    return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

/* One instruction: its bits and length (2 or 4); *skip > 0: a branch. */
typedef struct Insn {
    uint32_t bits;
    unsigned len;
    unsigned skip;                      /* instructions a branch jumps over */
    bool compressed_branch;
} Insn;

static unsigned branch_skip(void)
{
    return pick(2) ? 1 : 1 + pick(3);
}


/* Each program's instruction mix: defined by the program itself. */
static Insn gen(void);

static uint32_t b_imm(int32_t off)
{
    return ((off >> 12) & 1) << 31 | ((off >> 5) & 0x3f) << 25 |
           ((off >> 1) & 0xf) << 8 | ((off >> 11) & 1) << 7;
}

static uint32_t cb_imm(int32_t off)
{
    return ((off >> 8) & 1) << 12 | ((off >> 3) & 3) << 10 |
           ((off >> 6) & 3) << 5 | ((off >> 1) & 3) << 3 |
           ((off >> 5) & 1) << 2;
}

/*
 * Generate one program into pages[], across the page boundary; returns
 * its length in halfwords and its entry in *entry.
 */
static unsigned generate(uint16_t **entry)
{
    uint16_t *code;
    Insn prog[INSNS];
    unsigned at[INSNS + 1];             /* halfword offset of each insn */
    unsigned i, h = 0;

    for (i = 0; i < INSNS; i++) {
        prog[i] = gen();
        at[i] = h;
        h += prog[i].len / 2;
    }
    at[INSNS] = h;                      /* the ret */
    code = pages + 2048 - 1 - pick(h);
    *entry = code;
    for (i = 0; i < INSNS; i++) {
        Insn *in = &prog[i];
        uint32_t bits = in->bits;

        if (in->skip) {
            unsigned target = i + 1 + in->skip < INSNS ? i + 1 + in->skip
                                                       : INSNS;
            int32_t off = (int32_t)(at[target] - at[i]) * 2;

            bits |= in->compressed_branch ? cb_imm(off) : b_imm(off);
        }
        code[at[i]] = bits;
        if (in->len == 4) {
            code[at[i] + 1] = bits >> 16;
        }
    }
    code[h] = 0x8082;                   /* c.jr ra */
    return h + 1;
}

#endif
