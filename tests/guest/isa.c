/*
 * isa: RV64IM edge cases, each computed by one instruction in inline asm
 * (so the compiler cannot fold it) and checked against the value the ISA
 * manual prescribes.  Exit status = number of mismatches.
 */
#include "runtime.h"

#define MIN64 (-0x7fffffffffffffffL - 1)
#define MAX64 0x7fffffffffffffffL
#define MIN32 (-0x7fffffffL - 1)

#define RR(name, insn) \
    static long name(long a, long b) \
    { long r; __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
#define RI(name, insn, imm) \
    static long name(long a) \
    { long r; __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a)); return r; }

RR(op_div, "div") RR(op_divu, "divu") RR(op_rem, "rem") RR(op_remu, "remu")
RR(op_divw, "divw") RR(op_divuw, "divuw") RR(op_remw, "remw") RR(op_remuw, "remuw")
RR(op_mul, "mul") RR(op_mulh, "mulh") RR(op_mulhsu, "mulhsu") RR(op_mulhu, "mulhu")
RR(op_mulw, "mulw")
RR(op_addw, "addw") RR(op_subw, "subw")
RR(op_sllw, "sllw") RR(op_srlw, "srlw") RR(op_sraw, "sraw")
RR(op_sll, "sll") RR(op_srl, "srl") RR(op_sra, "sra")
RR(op_slt, "slt") RR(op_sltu, "sltu")
RI(op_addiw_1, "addiw", 1) RI(op_addiw_0, "addiw", 0)
RI(op_slliw_31, "slliw", 31) RI(op_srliw_0, "srliw", 0) RI(op_sraiw_31, "sraiw", 31)
RI(op_srli_63, "srli", 63) RI(op_srai_63, "srai", 63) RI(op_slli_63, "slli", 63)
RI(op_slti_m1, "slti", -1) RI(op_sltiu_m1, "sltiu", -1) RI(op_sltiu_1, "sltiu", 1)
RI(op_xori_m1, "xori", -1)

static long op_lui_80000(void)
{
    long r;
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    return r;
}

static volatile uint64_t memword = 0x8000000080008080UL;

#define LOAD(name, insn, off) \
    static long name(void) \
    { long r; __asm__ volatile(insn " %0, " #off "(%1)" : "=r"(r) : "r"(&memword) : "memory"); return r; }
LOAD(ld_lb, "lb", 0) LOAD(ld_lbu, "lbu", 0) LOAD(ld_lh, "lh", 0)
LOAD(ld_lhu, "lhu", 0) LOAD(ld_lw, "lw", 4) LOAD(ld_lwu, "lwu", 4)

static int fails;

static void check(const char *what, long got, long want)
{
    printf("%-28s = 0x%016lx %s\n", what, got, got == want ? "ok" : "MISMATCH");
    if (got != want) {
        printf("    expected 0x%016lx\n", want);
        fails++;
    }
}

int main(void)
{
    puts("isa: RV64IM edge cases");

    puts("-- division");
    check("div 7/0", op_div(7, 0), -1);
    check("div -7/0", op_div(-7, 0), -1);
    check("div MIN64/-1", op_div(MIN64, -1), MIN64);
    check("div -7/2", op_div(-7, 2), -3);
    check("divu 7/0", op_divu(7, 0), -1);
    check("divu -7/2", op_divu(-7, 2), 0x7ffffffffffffffcL);
    check("rem 7%0", op_rem(7, 0), 7);
    check("rem -7%0", op_rem(-7, 0), -7);
    check("rem MIN64%-1", op_rem(MIN64, -1), 0);
    check("rem -7%2", op_rem(-7, 2), -1);
    check("rem 7%-2", op_rem(7, -2), 1);
    check("remu 7%0", op_remu(7, 0), 7);
    check("remu -7%2", op_remu(-7, 2), 1);
    check("divw 7/0", op_divw(7, 0), -1);
    check("divw MIN32/-1", op_divw(MIN32, -1), MIN32);
    check("divw hi-garbage 16/4", op_divw(0x1234567800000010L, 0x0000000100000004L), 4);
    check("divw -7/2", op_divw(-7, 2), -3);
    check("divuw 7/0", op_divuw(7, 0), -1);
    check("divuw 0x80000000/1", op_divuw(0x80000000L, 1), (long)0xffffffff80000000UL);
    check("divuw 0xfffffffe/2", op_divuw(0xfffffffeL, 2), 0x7fffffff);
    check("remw 7%0", op_remw(7, 0), 7);
    check("remw 0x80000007%0", op_remw(0x80000007L, 0), (long)0xffffffff80000007UL);
    check("remw MIN32%-1", op_remw(MIN32, -1), 0);
    check("remw -7%2", op_remw(-7, 2), -1);
    check("remuw 0x123456789%0", op_remuw(0x123456789L, 0), 0x23456789);
    check("remuw 0xffffffff%0", op_remuw(0xffffffffL, 0), -1);
    check("remuw -7%2", op_remuw(-7, 2), 1);

    puts("-- multiplication");
    check("mul MAX64*2", op_mul(MAX64, 2), -2);
    check("mul MIN64*-1", op_mul(MIN64, -1), MIN64);
    check("mulh -1*-1", op_mulh(-1, -1), 0);
    check("mulh MIN64*MIN64", op_mulh(MIN64, MIN64), 0x4000000000000000L);
    check("mulh MAX64*MIN64", op_mulh(MAX64, MIN64), (long)0xc000000000000000UL);
    check("mulh -2*3", op_mulh(-2, 3), -1);
    check("mulhu -1*-1", op_mulhu(-1, -1), -2);
    check("mulhu MIN64*2", op_mulhu(MIN64, 2), 1);
    check("mulhsu -1*-1", op_mulhsu(-1, -1), -1);
    check("mulhsu 2*-1", op_mulhsu(2, -1), 1);
    check("mulhsu MIN64*-1", op_mulhsu(MIN64, -1), (long)0x8000000000000000UL);
    check("mulhsu -1*1", op_mulhsu(-1, 1), -1);
    check("mulw 0x7fffffff*2", op_mulw(0x7fffffff, 2), -2);
    check("mulw hi-garbage 3*5", op_mulw(0xabcdef0000000003L, 0x1200000005L), 15);
    check("mulw 0x10000*0x10000", op_mulw(0x10000, 0x10000), 0);

    puts("-- W-op sign extension");
    check("addw 0x7fffffff+1", op_addw(0x7fffffff, 1), (long)0xffffffff80000000UL);
    check("addw hi-garbage 1+0", op_addw(0x100000001L, 0), 1);
    check("subw 0-1", op_subw(0, 1), -1);
    check("subw 0x80000000-1", op_subw(0x80000000L, 1), 0x7fffffff);
    check("addiw 0x7fffffff,1", op_addiw_1(0x7fffffff), (long)0xffffffff80000000UL);
    check("sext.w 0x80000000", op_addiw_0(0x80000000L), (long)0xffffffff80000000UL);
    check("sext.w 0xffffffff7fffffff", op_addiw_0((long)0xffffffff7fffffffUL), 0x7fffffff);
    check("sllw 1<<31", op_sllw(1, 31), (long)0xffffffff80000000UL);
    check("sllw 1<<32 (masked)", op_sllw(1, 32), 1);
    check("sllw 1<<63 (masked)", op_sllw(1, 63), (long)0xffffffff80000000UL);
    check("srlw -1>>0", op_srlw(-1, 0), -1);
    check("srlw -1>>1", op_srlw(-1, 1), 0x7fffffff);
    check("srlw 0x80000000>>33", op_srlw(0x80000000L, 33), 0x40000000);
    check("sraw 0x80000000>>4", op_sraw(0x80000000L, 4), (long)0xfffffffff8000000UL);
    check("sraw 0x180000000>>36", op_sraw(0x180000000L, 36), (long)0xfffffffff8000000UL);
    check("slliw x,31", op_slliw_31(3), (long)0xffffffff80000000UL);
    check("srliw 0x80000000,0", op_srliw_0((long)0x0000000080000000UL), (long)0xffffffff80000000UL);
    check("sraiw 0x80000000,31", op_sraiw_31(0x80000000L), -1);
    check("lui 0x80000", op_lui_80000(), (long)0xffffffff80000000UL);

    puts("-- shifts");
    check("sll 1<<64 (masked)", op_sll(1, 64), 1);
    check("sll 1<<65 (masked)", op_sll(1, 65), 2);
    check("sll 1<<-1 (63)", op_sll(1, -1), MIN64);
    check("srl MIN64>>-1 (63)", op_srl(MIN64, -1), 1);
    check("srl -1>>128 (0)", op_srl(-1, 128), -1);
    check("sra MIN64>>63", op_sra(MIN64, 63), -1);
    check("sra MIN64>>127 (63)", op_sra(MIN64, 127), -1);
    check("srli MIN64,63", op_srli_63(MIN64), 1);
    check("srai MIN64,63", op_srai_63(MIN64), -1);
    check("slli 3,63", op_slli_63(3), MIN64);

    puts("-- compare");
    check("slt -1<0", op_slt(-1, 0), 1);
    check("sltu -1<0", op_sltu(-1, 0), 0);
    check("slt MIN64<MAX64", op_slt(MIN64, MAX64), 1);
    check("sltu MIN64<MAX64", op_sltu(MIN64, MAX64), 0);
    check("slt 5<5", op_slt(5, 5), 0);
    check("sltu 0<-1", op_sltu(0, -1), 1);
    check("snez (sltu x0<5)", op_sltu(0, 5), 1);
    check("slti -2<-1", op_slti_m1(-2), 1);
    check("slti -1<-1", op_slti_m1(-1), 0);
    check("sltiu 5<(u)-1", op_sltiu_m1(5), 1);
    check("sltiu -1<(u)-1", op_sltiu_m1(-1), 0);
    check("seqz 0 (sltiu x,1)", op_sltiu_1(0), 1);
    check("seqz 7 (sltiu x,1)", op_sltiu_1(7), 0);
    check("not (xori x,-1)", op_xori_m1(0x0f), (long)0xfffffffffffffff0UL);

    puts("-- load sign extension");
    check("lb 0x80", ld_lb(), (long)0xffffffffffffff80UL);
    check("lbu 0x80", ld_lbu(), 0x80);
    check("lh 0x8080", ld_lh(), (long)0xffffffffffff8080UL);
    check("lhu 0x8080", ld_lhu(), 0x8080);
    check("lw 0x80000000", ld_lw(), (long)0xffffffff80000000UL);
    check("lwu 0x80000000", ld_lwu(), 0x80000000L);

    printf("isa: %d mismatches\n", fails);
    return fails;
}
