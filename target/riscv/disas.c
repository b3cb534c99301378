/*
 * A disassembler for what the hart runs (RV64IMAFDC, Zicsr, Zifencei and the
 * privileged instructions), for -d in_asm.  Its output is meant to read
 * exactly as QEMU 7.2's (disas/riscv.c): compressed instructions are shown
 * as the instruction they expand to, with QEMU's choice of pseudo-
 * instructions, decimal immediates and "# 0x..." for pc-relative targets.
 * tests/unit/test-riscv-disas.c checks it against lines QEMU printed.
 */
#include "qcore/osdep.h"
#include "disas.h"

static const char *const xreg[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const freg[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

typedef struct Dis {
    const char *mn;         /* NULL: illegal */
    char mnbuf[24];         /* for composed names (amo*.w.aq) */
    char ops[64];
    bool has_target;
    uint64_t target;
} Dis;

static uint32_t bits(uint32_t x, int hi, int lo)
{
    return (x >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int32_t sext(uint32_t x, int width)
{
    return (int32_t)(x << (32 - width)) >> (32 - width);
}

static const char *csr_name(unsigned csr, char *buf, size_t len)
{
    static const struct {
        unsigned num;
        const char *name;
    } names[] = {
        { 0x001, "fflags" }, { 0x002, "frm" }, { 0x003, "fcsr" },
        { 0x100, "sstatus" }, { 0x104, "sie" }, { 0x105, "stvec" },
        { 0x106, "scounteren" }, { 0x10a, "senvcfg" },
        { 0x140, "sscratch" }, { 0x141, "sepc" }, { 0x142, "scause" },
        { 0x143, "stval" }, { 0x144, "sip" }, { 0x180, "satp" },
        { 0x300, "mstatus" }, { 0x301, "misa" }, { 0x302, "medeleg" },
        { 0x303, "mideleg" }, { 0x304, "mie" }, { 0x305, "mtvec" },
        { 0x306, "mcounteren" }, { 0x30a, "menvcfg" },
        { 0x320, "mcountinhibit" }, { 0x340, "mscratch" },
        { 0x341, "mepc" }, { 0x342, "mcause" }, { 0x343, "mtval" },
        { 0x344, "mip" }, { 0x7a0, "tselect" }, { 0x7a1, "tdata1" },
        { 0x7a2, "tdata2" }, { 0x7a3, "tdata3" }, { 0x7b0, "dcsr" },
        { 0x7b1, "dpc" }, { 0x7b2, "dscratch" }, { 0xb00, "mcycle" },
        { 0xb02, "minstret" }, { 0xc00, "cycle" }, { 0xc01, "time" },
        { 0xc02, "instret" }, { 0xf11, "mvendorid" },
        { 0xf12, "marchid" }, { 0xf13, "mimpid" }, { 0xf14, "mhartid" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        if (names[i].num == csr) {
            return names[i].name;
        }
    }
    if (csr >= 0x3a0 && csr <= 0x3a3) {
        snprintf(buf, len, "pmpcfg%u", csr - 0x3a0);
    } else if (csr >= 0x3b0 && csr <= 0x3bf) {
        snprintf(buf, len, "pmpaddr%u", csr - 0x3b0);
    } else if (csr >= 0xb03 && csr <= 0xb1f) {
        snprintf(buf, len, "mhpmcounter%u", csr - 0xb00);
    } else if (csr >= 0x323 && csr <= 0x33f) {
        snprintf(buf, len, "mhpmevent%u", csr - 0x320);
    } else if (csr >= 0xc03 && csr <= 0xc1f) {
        snprintf(buf, len, "hpmcounter%u", csr - 0xc00);
    } else {
        snprintf(buf, len, "0x%03x", csr);
    }
    return buf;
}

#define OPS(...) snprintf(d->ops, sizeof(d->ops), __VA_ARGS__)

static void branch_to(Dis *d, uint64_t pc, int64_t off)
{
    d->has_target = true;
    d->target = pc + off;
}

/* Branches: QEMU shows blt/bge/bltu/bgeu with swapped operands. */
static void dis_branch(Dis *d, uint64_t pc, uint32_t insn)
{
    unsigned f3 = bits(insn, 14, 12), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20);
    int32_t off = sext(bits(insn, 31, 31) << 12 | bits(insn, 7, 7) << 11 |
                       bits(insn, 30, 25) << 5 | bits(insn, 11, 8) << 1, 13);
    static const char *const swapped[8] = {
        [4] = "bgt", [5] = "ble", [6] = "bgtu", [7] = "bleu",
    };

    branch_to(d, pc, off);
    if (f3 == 0 || f3 == 1) {
        if (rs2 == 0) {
            d->mn = f3 == 0 ? "beqz" : "bnez";
            OPS("%s,%d", xreg[rs1], off);
        } else {
            d->mn = f3 == 0 ? "beq" : "bne";
            OPS("%s,%s,%d", xreg[rs1], xreg[rs2], off);
        }
        return;
    }
    if (f3 < 4) {
        d->mn = NULL;
        return;
    }
    if (f3 == 4 && rs2 == 0) {
        d->mn = "bltz";
        OPS("%s,%d", xreg[rs1], off);
    } else if (f3 == 4 && rs1 == 0) {
        d->mn = "bgtz";
        OPS("%s,%d", xreg[rs2], off);
    } else if (f3 == 5 && rs2 == 0) {
        d->mn = "bgez";
        OPS("%s,%d", xreg[rs1], off);
    } else if (f3 == 5 && rs1 == 0) {
        d->mn = "blez";
        OPS("%s,%d", xreg[rs2], off);
    } else {
        d->mn = swapped[f3];
        OPS("%s,%s,%d", xreg[rs2], xreg[rs1], off);
    }
}

static void dis_op_imm(Dis *d, uint32_t insn, bool w)
{
    unsigned f3 = bits(insn, 14, 12), rd = bits(insn, 11, 7);
    unsigned rs1 = bits(insn, 19, 15);
    int32_t imm = sext(bits(insn, 31, 20), 12);
    unsigned shamt = bits(insn, 25, 20), f6 = bits(insn, 31, 26);
    static const char *const names[8] = {
        "addi", "slli", "slti", "sltiu", "xori", NULL, "ori", "andi",
    };

    if (w) {
        if (f3 == 0) {
            d->mn = imm == 0 ? "sext.w" : "addiw";
        } else if (f3 == 1 && bits(insn, 31, 25) == 0) {
            d->mn = "slliw";
        } else if (f3 == 5 && bits(insn, 31, 25) == 0) {
            d->mn = "srliw";
        } else if (f3 == 5 && bits(insn, 31, 25) == 0x20) {
            d->mn = "sraiw";
        } else {
            d->mn = NULL;
            return;
        }
        if (f3 == 0 && imm == 0) {
            OPS("%s,%s", xreg[rd], xreg[rs1]);
        } else if (f3 == 0) {
            OPS("%s,%s,%d", xreg[rd], xreg[rs1], imm);
        } else {
            OPS("%s,%s,%u", xreg[rd], xreg[rs1], shamt & 31);
        }
        return;
    }
    if (f3 == 1 || f3 == 5) {
        if (f3 == 1 && f6 == 0) {
            d->mn = "slli";
        } else if (f3 == 5 && f6 == 0) {
            d->mn = "srli";
        } else if (f3 == 5 && f6 == 0x10) {
            d->mn = "srai";
        } else {
            d->mn = NULL;
            return;
        }
        OPS("%s,%s,%u", xreg[rd], xreg[rs1], shamt);
        return;
    }
    if (f3 == 0 && rd == 0 && rs1 == 0 && imm == 0) {
        d->mn = "nop";
    } else if (f3 == 0 && imm == 0) {
        d->mn = "mv";
        OPS("%s,%s", xreg[rd], xreg[rs1]);
    } else if (f3 == 4 && imm == -1) {
        d->mn = "not";
        OPS("%s,%s", xreg[rd], xreg[rs1]);
    } else if (f3 == 3 && imm == 1) {
        d->mn = "seqz";
        OPS("%s,%s", xreg[rd], xreg[rs1]);
    } else {
        d->mn = names[f3];
        OPS("%s,%s,%d", xreg[rd], xreg[rs1], imm);
    }
}

static void dis_op(Dis *d, uint32_t insn, bool w)
{
    unsigned f3 = bits(insn, 14, 12), f7 = bits(insn, 31, 25);
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20);
    static const char *const base[8] = {
        "add", "sll", "slt", "sltu", "xor", "srl", "or", "and",
    };
    static const char *const mul[8] = {
        "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    };
    static const char *const basew[8] = {
        "addw", "sllw", NULL, NULL, NULL, "srlw", NULL, NULL,
    };
    static const char *const mulw[8] = {
        "mulw", NULL, NULL, NULL, "divw", "divuw", "remw", "remuw",
    };

    if (f7 == 1) {
        d->mn = (w ? mulw : mul)[f3];
    } else if (f7 == 0) {
        d->mn = (w ? basew : base)[f3];
    } else if (f7 == 0x20 && f3 == 0) {
        d->mn = w ? "subw" : "sub";
        if (rs1 == 0) {
            d->mn = w ? "negw" : "neg";
            OPS("%s,%s", xreg[rd], xreg[rs2]);
            return;
        }
    } else if (f7 == 0x20 && f3 == 5) {
        d->mn = w ? "sraw" : "sra";
    } else {
        d->mn = NULL;
    }
    if (d->mn && !w && f7 == 0 && f3 == 3 && rs1 == 0) {
        d->mn = "snez";
        OPS("%s,%s", xreg[rd], xreg[rs2]);
        return;
    }
    OPS("%s,%s,%s", xreg[rd], xreg[rs1], xreg[rs2]);
}

static void dis_amo(Dis *d, uint32_t insn)
{
    unsigned f3 = bits(insn, 14, 12), f5 = bits(insn, 31, 27);
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), aqrl = bits(insn, 26, 25);
    static const char *const ops[32] = {
        [0x00] = "amoadd", [0x01] = "amoswap", [0x02] = "lr", [0x03] = "sc",
        [0x04] = "amoxor", [0x08] = "amoor", [0x0c] = "amoand",
        [0x10] = "amomin", [0x14] = "amomax", [0x18] = "amominu",
        [0x1c] = "amomaxu",
    };
    static const char *const order[4] = { "", ".rl", ".aq", ".aqrl" };

    if ((f3 != 2 && f3 != 3) || !ops[f5] || (f5 == 2 && rs2 != 0)) {
        d->mn = NULL;
        return;
    }
    snprintf(d->mnbuf, sizeof(d->mnbuf), "%s.%c%s", ops[f5],
             f3 == 2 ? 'w' : 'd', order[aqrl]);
    d->mn = d->mnbuf;
    if (f5 == 2) {
        OPS("%s,(%s)", xreg[rd], xreg[rs1]);
    } else {
        OPS("%s,%s,(%s)", xreg[rd], xreg[rs2], xreg[rs1]);
    }
}

static void dis_system(Dis *d, uint32_t insn)
{
    unsigned f3 = bits(insn, 14, 12), rd = bits(insn, 11, 7);
    unsigned rs1 = bits(insn, 19, 15), csr = bits(insn, 31, 20);
    static const char *const csrops[8] = {
        NULL, "csrrw", "csrrs", "csrrc", NULL, "csrrwi", "csrrsi", "csrrci",
    };
    char buf[24];

    if (f3 == 0) {
        switch (insn) {
        case 0x00000073: d->mn = "ecall"; return;
        case 0x00100073: d->mn = "ebreak"; return;
        case 0x10200073: d->mn = "sret"; return;
        case 0x30200073: d->mn = "mret"; return;
        case 0x10500073: d->mn = "wfi"; return;
        }
        if (bits(insn, 31, 25) == 0x09 && rd == 0) {
            d->mn = "sfence.vma";
            OPS("%s,%s", xreg[rs1], xreg[bits(insn, 24, 20)]);
            return;
        }
        d->mn = NULL;
        return;
    }
    d->mn = csrops[f3];
    if (!d->mn) {
        return;
    }
    if (f3 == 2 && rs1 == 0 && csr >= 0xc00 && csr <= 0xc02) {
        static const char *const rd_names[3] = {
            "rdcycle", "rdtime", "rdinstret",
        };
        d->mn = rd_names[csr - 0xc00];
        OPS("%s", xreg[rd]);
        return;
    }
    if (csr >= 1 && csr <= 3 && (f3 == 1 || f3 == 2 || f3 == 5)) {
        /* QEMU's pseudo-instructions for fflags, frm, fcsr. */
        static const char *const rd_names[3] = { "frflags", "frrm", "frcsr" };
        static const char *const wr_names[3] = { "fsflags", "fsrm", "fscsr" };
        static const char *const wi_names[3] = { "fsflagsi", "fsrmi" };

        if (f3 == 2 && rs1 == 0) {
            d->mn = rd_names[csr - 1];
            OPS("%s", xreg[rd]);
            return;
        }
        if (f3 == 1) {
            d->mn = wr_names[csr - 1];
            OPS("%s,%s", xreg[rd], xreg[rs1]);
            return;
        }
        if (f3 == 5 && wi_names[csr - 1]) {
            d->mn = wi_names[csr - 1];
            OPS("%s,%u", xreg[rd], rs1);
            return;
        }
    }
    if (f3 >= 5) {
        OPS("%s,%s,%u", xreg[rd], csr_name(csr, buf, sizeof(buf)), rs1);
    } else {
        OPS("%s,%s,%s", xreg[rd], csr_name(csr, buf, sizeof(buf)),
            xreg[rs1]);
    }
}

/*
 * Zba, Zbb, Zbc, Zbs: what dis_op/dis_op_imm leave illegal.  As QEMU
 * 7.2's disas/riscv.c prints them, including its slips, so that in_asm
 * logs compare line for line: andn, orn and xnor show only rd,rs1; ctzw
 * shows as "clzw"; slli.uw shows its shift amount as the register of
 * that number and is "illegal" for amounts of 32 and more (it runs
 * anyway); zext.w stays "add.uw rd,rs1,zero".  QEMU also names Zbkb's
 * and Zbkx's instructions, which its CPU (and this one) leaves illegal;
 * xperm8 shows only rd,rs1 too.
 */
static void dis_bitmanip(Dis *d, uint32_t insn)
{
    unsigned f3 = bits(insn, 14, 12), f7 = bits(insn, 31, 25);
    unsigned f6 = bits(insn, 31, 26), f12 = bits(insn, 31, 20);
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), shamt = bits(insn, 25, 20);
    enum { R3, R2, SH } form = R3;

    d->mn = NULL;
    switch (bits(insn, 6, 0)) {
    case 0x13:
        form = R2;
        if (f3 == 1) {
            static const char *const unary[6] = {
                "clz", "ctz", "cpop", NULL, "sext.b", "sext.h",
            };

            if (f12 >= 0x600 && f12 <= 0x605) {
                d->mn = unary[f12 - 0x600];
            } else if (f12 == 0x08f) {
                d->mn = "zip";
            } else {
                form = SH;
                d->mn = f6 == 0x12 ? "bclri" : f6 == 0x1a ? "binvi" :
                        f6 == 0x0a ? "bseti" : NULL;
            }
        } else if (f3 == 5) {
            if (f12 == 0x287) {
                d->mn = "orc.b";
            } else if (f12 == 0x6b8 || f12 == 0x698) {
                d->mn = "rev8";
            } else if (f12 == 0x687) {
                d->mn = "brev8";
            } else if (f12 == 0x08f) {
                d->mn = "unzip";
            } else {
                form = SH;
                d->mn = f6 == 0x18 ? "rori" : f6 == 0x12 ? "bexti" : NULL;
            }
        }
        break;
    case 0x1b:
        form = R2;
        if (f3 == 1 && f12 >= 0x600 && f12 <= 0x602) {
            static const char *const unary[3] = { "clzw", "clzw", "cpopw" };

            d->mn = unary[f12 - 0x600];
        } else if (f3 == 1 && f7 == 0x04) {
            form = R3;
            d->mn = "slli.uw";
        } else if (f3 == 5 && f7 == 0x30) {
            form = SH;
            shamt &= 31;
            d->mn = "roriw";
        }
        break;
    case 0x33:
        switch (f7 << 3 | f3) {
        case 0x20 << 3 | 7: d->mn = "andn"; form = R2; break;
        case 0x20 << 3 | 6: d->mn = "orn"; form = R2; break;
        case 0x20 << 3 | 4: d->mn = "xnor"; form = R2; break;
        case 0x10 << 3 | 2: d->mn = "sh1add"; break;
        case 0x10 << 3 | 4: d->mn = "sh2add"; break;
        case 0x10 << 3 | 6: d->mn = "sh3add"; break;
        case 0x05 << 3 | 1: d->mn = "clmul"; break;
        case 0x05 << 3 | 2: d->mn = "clmulr"; break;
        case 0x05 << 3 | 3: d->mn = "clmulh"; break;
        case 0x05 << 3 | 4: d->mn = "min"; break;
        case 0x05 << 3 | 5: d->mn = "minu"; break;
        case 0x05 << 3 | 6: d->mn = "max"; break;
        case 0x05 << 3 | 7: d->mn = "maxu"; break;
        case 0x30 << 3 | 1: d->mn = "rol"; break;
        case 0x30 << 3 | 5: d->mn = "ror"; break;
        case 0x24 << 3 | 1: d->mn = "bclr"; break;
        case 0x24 << 3 | 5: d->mn = "bext"; break;
        case 0x34 << 3 | 1: d->mn = "binv"; break;
        case 0x14 << 3 | 1: d->mn = "bset"; break;
        case 0x04 << 3 | 4: d->mn = "pack"; break;
        case 0x04 << 3 | 7: d->mn = "packh"; break;
        case 0x14 << 3 | 2: d->mn = "xperm4"; break;
        case 0x14 << 3 | 4: d->mn = "xperm8"; form = R2; break;
        }
        break;
    case 0x3b:
        switch (f7 << 3 | f3) {
        case 0x04 << 3 | 0: d->mn = "add.uw"; break;
        case 0x04 << 3 | 4:
            if (rs2 == 0) {
                d->mn = "zext.h";
                form = R2;
            } else {
                d->mn = "packw";
            }
            break;
        case 0x10 << 3 | 2: d->mn = "sh1add.uw"; break;
        case 0x10 << 3 | 4: d->mn = "sh2add.uw"; break;
        case 0x10 << 3 | 6: d->mn = "sh3add.uw"; break;
        case 0x30 << 3 | 1: d->mn = "rolw"; break;
        case 0x30 << 3 | 5: d->mn = "rorw"; break;
        }
        break;
    }
    if (form == R3) {
        OPS("%s,%s,%s", xreg[rd], xreg[rs1], xreg[rs2]);
    } else if (form == R2) {
        OPS("%s,%s", xreg[rd], xreg[rs1]);
    } else {
        OPS("%s,%s,%u", xreg[rd], xreg[rs1], shamt);
    }
}

static void fence_set(char *out, unsigned set)
{
    if (set & 8) {
        *out++ = 'i';
    }
    if (set & 4) {
        *out++ = 'o';
    }
    if (set & 2) {
        *out++ = 'r';
    }
    if (set & 1) {
        *out++ = 'w';
    }
    *out = '\0';
}

/*
 * F and D, as QEMU 7.2 prints them: the rounding mode first wherever the
 * instruction has one (dyn included), fmv.x.s/fmv.s.x for the W forms,
 * and fmv/fneg/fabs for sign injections of one register, which QEMU shows
 * with integer register names.
 */
static void dis_fp(Dis *d, uint32_t insn)
{
    static const char *const rms[8] = {
        "rne", "rtz", "rdn", "rup", "rmm", "inv", "inv", "dyn",
    };
    static const char *const arith[4][2] = {
        { "fadd.s", "fadd.d" }, { "fsub.s", "fsub.d" },
        { "fmul.s", "fmul.d" }, { "fdiv.s", "fdiv.d" },
    };
    unsigned f7 = bits(insn, 31, 25), f3 = bits(insn, 14, 12);
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), rs3 = bits(insn, 31, 27);
    unsigned fmt = bits(insn, 26, 25);
    bool dbl = fmt == 1;
    const char *rm = rms[f3];

    d->mn = NULL;
    switch (bits(insn, 6, 0)) {
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
        static const char *const fma[4][2] = {
            { "fmadd.s", "fmadd.d" }, { "fmsub.s", "fmsub.d" },
            { "fnmsub.s", "fnmsub.d" }, { "fnmadd.s", "fnmadd.d" },
        };
        if (fmt > 1) {
            return;
        }
        d->mn = fma[(bits(insn, 6, 0) - 0x43) >> 2][dbl];
        OPS("%s,%s,%s,%s,%s", rm, freg[rd], freg[rs1], freg[rs2], freg[rs3]);
        return;
    }
    case 0x53:
        break;
    default:
        return;
    }
    if (fmt > 1) {
        return;
    }
    switch (f7 >> 2) {
    case 0x00: case 0x01: case 0x02: case 0x03:
        d->mn = arith[f7 >> 2][dbl];
        OPS("%s,%s,%s,%s", rm, freg[rd], freg[rs1], freg[rs2]);
        return;
    case 0x0b:
        if (rs2 == 0) {
            d->mn = dbl ? "fsqrt.d" : "fsqrt.s";
            OPS("%s,%s,%s", rm, freg[rd], freg[rs1]);
        }
        return;
    case 0x04: {
        static const char *const sgnj[3][2] = {
            { "fsgnj.s", "fsgnj.d" }, { "fsgnjn.s", "fsgnjn.d" },
            { "fsgnjx.s", "fsgnjx.d" },
        };
        static const char *const pseudo[3][2] = {
            { "fmv.s", "fmv.d" }, { "fneg.s", "fneg.d" },
            { "fabs.s", "fabs.d" },
        };
        if (f3 > 2) {
            return;
        }
        if (rs1 == rs2) {
            d->mn = pseudo[f3][dbl];
            OPS("%s,%s", xreg[rd], xreg[rs1]);
        } else {
            d->mn = sgnj[f3][dbl];
            OPS("%s,%s,%s", freg[rd], freg[rs1], freg[rs2]);
        }
        return;
    }
    case 0x05:
        if (f3 > 1) {
            return;
        }
        d->mn = f3 ? (dbl ? "fmax.d" : "fmax.s") : (dbl ? "fmin.d" : "fmin.s");
        OPS("%s,%s,%s", freg[rd], freg[rs1], freg[rs2]);
        return;
    case 0x08:
        if (!dbl && rs2 == 1) {
            d->mn = "fcvt.s.d";
        } else if (dbl && rs2 == 0) {
            d->mn = "fcvt.d.s";
        } else {
            return;
        }
        OPS("%s,%s,%s", rm, freg[rd], freg[rs1]);
        return;
    case 0x14: {
        static const char *const cmp[3][2] = {
            { "fle.s", "fle.d" }, { "flt.s", "flt.d" }, { "feq.s", "feq.d" },
        };
        if (f3 > 2) {
            return;
        }
        d->mn = cmp[f3][dbl];
        OPS("%s,%s,%s", xreg[rd], freg[rs1], freg[rs2]);
        return;
    }
    case 0x18: {
        static const char *const to[4][2] = {
            { "fcvt.w.s", "fcvt.w.d" }, { "fcvt.wu.s", "fcvt.wu.d" },
            { "fcvt.l.s", "fcvt.l.d" }, { "fcvt.lu.s", "fcvt.lu.d" },
        };
        if (rs2 > 3) {
            return;
        }
        d->mn = to[rs2][dbl];
        OPS("%s,%s,%s", rm, xreg[rd], freg[rs1]);
        return;
    }
    case 0x1a: {
        static const char *const from[4][2] = {
            { "fcvt.s.w", "fcvt.d.w" }, { "fcvt.s.wu", "fcvt.d.wu" },
            { "fcvt.s.l", "fcvt.d.l" }, { "fcvt.s.lu", "fcvt.d.lu" },
        };
        if (rs2 > 3) {
            return;
        }
        d->mn = from[rs2][dbl];
        OPS("%s,%s,%s", rm, freg[rd], xreg[rs1]);
        return;
    }
    case 0x1c:
        if (rs2 != 0 || f3 > 1) {
            return;
        }
        d->mn = f3 ? (dbl ? "fclass.d" : "fclass.s")
                   : (dbl ? "fmv.x.d" : "fmv.x.s");
        OPS("%s,%s", xreg[rd], freg[rs1]);
        return;
    case 0x1e:
        if (rs2 != 0 || f3 != 0) {
            return;
        }
        d->mn = dbl ? "fmv.d.x" : "fmv.s.x";
        OPS("%s,%s", freg[rd], xreg[rs1]);
        return;
    }
}

static void dis32(Dis *d, uint64_t pc, uint32_t insn)
{
    unsigned f3 = bits(insn, 14, 12), rd = bits(insn, 11, 7);
    unsigned rs1 = bits(insn, 19, 15), rs2 = bits(insn, 24, 20);
    int32_t imm_i = sext(bits(insn, 31, 20), 12);
    int32_t imm_s = sext(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12);
    int32_t imm_u = (int32_t)(insn & 0xfffff000);
    static const char *const loads[8] = {
        "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", NULL,
    };
    static const char *const stores[8] = { "sb", "sh", "sw", "sd" };

    d->mn = NULL;
    switch (bits(insn, 6, 0)) {
    case 0x03:
        d->mn = loads[f3];
        OPS("%s,%d(%s)", xreg[rd], imm_i, xreg[rs1]);
        break;
    case 0x23:
        d->mn = stores[f3 & 7];
        OPS("%s,%d(%s)", xreg[rs2], imm_s, xreg[rs1]);
        break;
    case 0x07:
        if (f3 == 2 || f3 == 3) {
            d->mn = f3 == 2 ? "flw" : "fld";
            OPS("%s,%d(%s)", freg[rd], imm_i, xreg[rs1]);
        }
        break;
    case 0x27:
        if (f3 == 2 || f3 == 3) {
            d->mn = f3 == 2 ? "fsw" : "fsd";
            OPS("%s,%d(%s)", freg[rs2], imm_s, xreg[rs1]);
        }
        break;
    case 0x43: case 0x47: case 0x4b: case 0x4f: case 0x53:
        dis_fp(d, insn);
        break;
    case 0x0f:
        if (f3 == 1) {
            d->mn = "fence.i";
        } else if (f3 == 0) {
            char p[5], s[5];

            fence_set(p, bits(insn, 27, 24));
            fence_set(s, bits(insn, 23, 20));
            d->mn = "fence";
            OPS("%s,%s", p, s);
        }
        break;
    case 0x13:
        dis_op_imm(d, insn, false);
        break;
    case 0x1b:
        dis_op_imm(d, insn, true);
        break;
    case 0x33:
        dis_op(d, insn, false);
        break;
    case 0x3b:
        dis_op(d, insn, true);
        break;
    case 0x37:
        d->mn = "lui";
        OPS("%s,%d", xreg[rd], imm_u);
        break;
    case 0x17:
        d->mn = "auipc";
        OPS("%s,%d", xreg[rd], imm_u);
        branch_to(d, pc, imm_u);
        break;
    case 0x6f: {
        int32_t off = sext(bits(insn, 31, 31) << 20 | bits(insn, 19, 12) << 12 |
                           bits(insn, 20, 20) << 11 | bits(insn, 30, 21) << 1,
                           21);

        branch_to(d, pc, off);
        if (rd == 0) {
            d->mn = "j";
            OPS("%d", off);
        } else {
            d->mn = "jal";
            OPS("%s,%d", xreg[rd], off);
        }
        break;
    }
    case 0x67:
        if (f3 != 0) {
            break;
        }
        if (rd == 0 && rs1 == 1 && imm_i == 0) {
            d->mn = "ret";
        } else if (rd == 0 && imm_i == 0) {
            d->mn = "jr";
            OPS("%s", xreg[rs1]);
        } else {
            d->mn = "jalr";
            OPS("%s,%s,%d", xreg[rd], xreg[rs1], imm_i);
        }
        break;
    case 0x63:
        dis_branch(d, pc, insn);
        break;
    case 0x2f:
        dis_amo(d, insn);
        break;
    case 0x73:
        dis_system(d, insn);
        break;
    }
    if (!d->mn) {
        dis_bitmanip(d, insn);
    }
}

/* Encoders for the expansion of compressed instructions. */
static uint32_t enc_i(unsigned op, unsigned f3, unsigned rd, unsigned rs1,
                      int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_s(unsigned op, unsigned f3, unsigned rs1, unsigned rs2,
                      int32_t imm)
{
    uint32_t u = (uint32_t)imm;

    return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           bits(u, 4, 0) << 7 | op;
}

static uint32_t enc_r(unsigned op, unsigned f3, unsigned f7, unsigned rd,
                      unsigned rs1, unsigned rs2)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t off)
{
    uint32_t u = (uint32_t)off;

    return bits(u, 12, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 |
           rs1 << 15 | f3 << 12 | bits(u, 4, 1) << 8 | bits(u, 11, 11) << 7 |
           0x63;
}

static uint32_t enc_j(unsigned rd, int32_t off)
{
    uint32_t u = (uint32_t)off;

    return bits(u, 20, 20) << 31 | bits(u, 10, 1) << 21 |
           bits(u, 11, 11) << 20 | bits(u, 19, 12) << 12 | rd << 7 | 0x6f;
}

/* The 32-bit instruction a compressed one stands for; 0 if illegal. */
static uint32_t expand16(uint32_t c)
{
    unsigned f3 = bits(c, 15, 13);
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
    int32_t imm6 = sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    unsigned uimm;
    int32_t off;

    switch (bits(c, 1, 0) << 3 | f3) {
    case 0x00:      /* c.addi4spn */
        uimm = bits(c, 10, 7) << 6 | bits(c, 12, 11) << 4 |
               bits(c, 5, 5) << 3 | bits(c, 6, 6) << 2;
        return uimm ? enc_i(0x13, 0, rdp, 2, uimm) : 0;
    case 0x01:      /* c.fld */
        uimm = bits(c, 6, 5) << 6 | bits(c, 12, 10) << 3;
        return enc_i(0x07, 3, rdp, rs1p, uimm);
    case 0x05:      /* c.fsd */
        uimm = bits(c, 6, 5) << 6 | bits(c, 12, 10) << 3;
        return enc_s(0x27, 3, rs1p, rdp, uimm);
    case 0x11:      /* c.fldsp */
        uimm = bits(c, 4, 2) << 6 | bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3;
        return enc_i(0x07, 3, rd, 2, uimm);
    case 0x15:      /* c.fsdsp */
        uimm = bits(c, 9, 7) << 6 | bits(c, 12, 10) << 3;
        return enc_s(0x27, 3, 2, rs2, uimm);
    case 0x02:      /* c.lw */
        uimm = bits(c, 5, 5) << 6 | bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2;
        return enc_i(0x03, 2, rdp, rs1p, uimm);
    case 0x03:      /* c.ld */
        uimm = bits(c, 6, 5) << 6 | bits(c, 12, 10) << 3;
        return enc_i(0x03, 3, rdp, rs1p, uimm);
    case 0x06:      /* c.sw */
        uimm = bits(c, 5, 5) << 6 | bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2;
        return enc_s(0x23, 2, rs1p, rdp, uimm);
    case 0x07:      /* c.sd */
        uimm = bits(c, 6, 5) << 6 | bits(c, 12, 10) << 3;
        return enc_s(0x23, 3, rs1p, rdp, uimm);
    case 0x08:      /* c.nop, c.addi */
        if (rd == 0) {
            return imm6 == 0 ? 0x13 : 0;
        }
        return imm6 ? enc_i(0x13, 0, rd, rd, imm6) : 0;
    case 0x09:      /* c.addiw */
        return rd ? enc_i(0x1b, 0, rd, rd, imm6) : 0;
    case 0x0a:      /* c.li */
        return rd ? enc_i(0x13, 0, rd, 0, imm6) : 0;
    case 0x0b:      /* c.addi16sp, c.lui */
        if (rd == 2) {
            off = sext(bits(c, 12, 12) << 9 | bits(c, 4, 3) << 7 |
                       bits(c, 5, 5) << 6 | bits(c, 2, 2) << 5 |
                       bits(c, 6, 6) << 4, 10);
            return off ? enc_i(0x13, 0, 2, 2, off) : 0;
        }
        if (rd == 0 || imm6 == 0) {
            return 0;
        }
        return ((uint32_t)imm6 << 12) | rd << 7 | 0x37;
    case 0x0c:      /* c.srli, c.srai, c.andi, c.sub ... */
        uimm = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        switch (bits(c, 11, 10)) {
        case 0:
            return uimm ? enc_i(0x13, 5, rs1p, rs1p, uimm) : 0;
        case 1:
            return uimm ? enc_i(0x13, 5, rs1p, rs1p, 0x400 | uimm) : 0;
        case 2:
            return enc_i(0x13, 7, rs1p, rs1p, imm6);
        }
        {
            static const uint8_t f3s[8] = { 0, 4, 6, 7, 0, 0 };
            unsigned sel = bits(c, 12, 12) << 2 | bits(c, 6, 5);
            unsigned rs2p = 8 + bits(c, 4, 2);

            if (sel == 0) {
                return enc_r(0x33, 0, 0x20, rs1p, rs1p, rs2p);
            } else if (sel < 4) {
                return enc_r(0x33, f3s[sel], 0, rs1p, rs1p, rs2p);
            } else if (sel == 4) {
                return enc_r(0x3b, 0, 0x20, rs1p, rs1p, rs2p);
            } else if (sel == 5) {
                return enc_r(0x3b, 0, 0, rs1p, rs1p, rs2p);
            }
            return 0;
        }
    case 0x0d:      /* c.j */
        off = sext(bits(c, 12, 12) << 11 | bits(c, 8, 8) << 10 |
                   bits(c, 10, 9) << 8 | bits(c, 6, 6) << 7 |
                   bits(c, 7, 7) << 6 | bits(c, 2, 2) << 5 |
                   bits(c, 11, 11) << 4 | bits(c, 5, 3) << 1, 12);
        return enc_j(0, off);
    case 0x0e:      /* c.beqz */
    case 0x0f:      /* c.bnez */
        off = sext(bits(c, 12, 12) << 8 | bits(c, 6, 5) << 6 |
                   bits(c, 2, 2) << 5 | bits(c, 11, 10) << 3 |
                   bits(c, 4, 3) << 1, 9);
        return enc_b(f3 & 1, rs1p, 0, off);
    case 0x10:      /* c.slli */
        uimm = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        return rd && uimm ? enc_i(0x13, 1, rd, rd, uimm) : 0;
    case 0x12:      /* c.lwsp */
        uimm = bits(c, 3, 2) << 6 | bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2;
        return rd ? enc_i(0x03, 2, rd, 2, uimm) : 0;
    case 0x13:      /* c.ldsp */
        uimm = bits(c, 4, 2) << 6 | bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3;
        return rd ? enc_i(0x03, 3, rd, 2, uimm) : 0;
    case 0x14:      /* c.jr, c.mv, c.ebreak, c.jalr, c.add */
        if (!bits(c, 12, 12)) {
            if (rs2 == 0) {
                return rd ? enc_i(0x67, 0, 0, rd, 0) : 0;
            }
            return rd ? enc_i(0x13, 0, rd, rs2, 0) : 0;
        }
        if (rd == 0 && rs2 == 0) {
            return 0x00100073;
        }
        if (rs2 == 0) {
            return enc_i(0x67, 0, 1, rd, 0);
        }
        return rd ? enc_r(0x33, 0, 0, rd, rd, rs2) : 0;
    case 0x16:      /* c.swsp */
        uimm = bits(c, 8, 7) << 6 | bits(c, 12, 9) << 2;
        return enc_s(0x23, 2, 2, rs2, uimm);
    case 0x17:      /* c.sdsp */
        uimm = bits(c, 9, 7) << 6 | bits(c, 12, 10) << 3;
        return enc_s(0x23, 3, 2, rs2, uimm);
    }
    return 0;
}

void riscv_disas_insn(uint64_t pc, uint32_t insn, char *buf, size_t len)
{
    Dis d = { 0 };
    uint32_t full = insn;

    if ((insn & 3) != 3) {
        full = expand16(insn & 0xffff);
    }
    if (full) {
        dis32(&d, pc, full);
    }
    if (!d.mn) {
        snprintf(buf, len, "%-24s", "illegal");
    } else if (d.has_target) {
        snprintf(buf, len, "%-24s%-24s# 0x%" PRIx64, d.mn, d.ops, d.target);
    } else {
        snprintf(buf, len, "%-24s%s", d.mn, d.ops);
    }
}

unsigned riscv_insn_length(uint32_t insn)
{
    return (insn & 3) == 3 ? 4 : 2;
}

void riscv_disas_line(GString *out, uint64_t pc, uint32_t insn)
{
    char text[128];
    char hex[12];

    if (riscv_insn_length(insn) == 2) {
        snprintf(hex, sizeof(hex), "%04x", insn & 0xffff);
    } else {
        snprintf(hex, sizeof(hex), "%08x", insn);
    }
    riscv_disas_insn(pc, insn, text, sizeof(text));
    g_string_append_printf(out, "0x%016" PRIx64 ":  %-18s%s\n", pc, hex, text);
}
