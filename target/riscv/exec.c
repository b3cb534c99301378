/*
 * The interpreter: run decoded instructions out of the block cache until
 * cpu->exit_request is seen or a wfi finds nothing to do.  Corresponds to
 * QEMU's accel/tcg/cpu-exec.c (cpu_exec, the interrupt check between
 * blocks) together with what TCG generates for each instruction of
 * target/riscv/insn_trans/trans_*.c.inc.
 *
 * Shape of the loop (docs/cpu.md):
 *  - riscv_cpu_exec: at each block boundary check exit_request and
 *    pending interrupts, translate env->pc to its physical page through
 *    the fetch TLB, get that page's decoded slots, and run_block().
 *  - run_block: threaded dispatch (GCC's computed goto) from slot to slot.
 *    The pc is kept in a local and written back when the block ends.  A
 *    taken branch that stays in the same page goes on directly ("block
 *    chaining"), after the same checks a block boundary makes.
 *  - Everything that changes privilege, CSRs, translations or the cache
 *    (CSR instructions, xRET, fence.i, sfence.vma, wfi, traps) ends the
 *    block, so the next one starts from a fresh lookup.
 */
#include "qcore/osdep.h"
#include "target/riscv/internals.h"

/* Finished the block normally; or a wfi with nothing to do. */
enum { BLOCK_DONE = 0, BLOCK_HALT = 1 };

static inline int64_t sext32(uint64_t v)
{
    return (int32_t)v;
}

static int run_block(CPUState *cs, CPURISCVState *env, RISCVDecodedPage *dp)
{
    static const void *const labels[OP_COUNT] = {
#define L(x) [x] = &&do_##x
        L(OP_DECODE), L(OP_PAGE_END), L(OP_CROSS_PAGE), L(OP_ILLEGAL),
        L(OP_LUI), L(OP_AUIPC), L(OP_JAL), L(OP_JALR),
        L(OP_BEQ), L(OP_BNE), L(OP_BLT), L(OP_BGE), L(OP_BLTU), L(OP_BGEU),
        L(OP_LB), L(OP_LH), L(OP_LW), L(OP_LD), L(OP_LBU), L(OP_LHU),
        L(OP_LWU), L(OP_SB), L(OP_SH), L(OP_SW), L(OP_SD),
        L(OP_ADDI), L(OP_SLTI), L(OP_SLTIU), L(OP_XORI), L(OP_ORI),
        L(OP_ANDI), L(OP_SLLI), L(OP_SRLI), L(OP_SRAI),
        L(OP_ADD), L(OP_SUB), L(OP_SLL), L(OP_SLT), L(OP_SLTU), L(OP_XOR),
        L(OP_SRL), L(OP_SRA), L(OP_OR), L(OP_AND),
        L(OP_ADDIW), L(OP_SLLIW), L(OP_SRLIW), L(OP_SRAIW),
        L(OP_ADDW), L(OP_SUBW), L(OP_SLLW), L(OP_SRLW), L(OP_SRAW),
        L(OP_MUL), L(OP_MULH), L(OP_MULHSU), L(OP_MULHU), L(OP_DIV),
        L(OP_DIVU), L(OP_REM), L(OP_REMU),
        L(OP_MULW), L(OP_DIVW), L(OP_DIVUW), L(OP_REMW), L(OP_REMUW),
        L(OP_LR_W), L(OP_LR_D), L(OP_SC_W), L(OP_SC_D),
        L(OP_AMO_W), L(OP_AMO_D), L(OP_FENCE), L(OP_FENCE_I),
        L(OP_ECALL), L(OP_EBREAK), L(OP_MRET), L(OP_SRET), L(OP_WFI),
        L(OP_SFENCE_VMA),
        L(OP_CSRRW), L(OP_CSRRS), L(OP_CSRRC),
        L(OP_CSRRWI), L(OP_CSRRSI), L(OP_CSRRCI),
#undef L
    };
    uint64_t *r = env->gpr;
    uint64_t pc = env->pc;
    const uint64_t vpage = pc & TARGET_PAGE_MASK;
    RISCVOp *op = &dp->ops[(pc & ~TARGET_PAGE_MASK) >> 1];
    RISCVOp cross[3];           /* an instruction straddling the page end */
    uint64_t icount = 0;        /* retired, not yet added to minstret */
    RISCVException ex;
    uint64_t a, v;
    RISCVTLBEntry *e;
    void *h;

/* rd/rs as lvalues/values; x0 reads as 0, writes to x0 go to gpr[32]. */
#define RD      r[op->rd]
#define RS1     r[op->rs1]
#define RS2     r[op->rs2]
#define IMM     ((int64_t)op->imm)
#define DISPATCH()  goto *labels[op->opc]
#define NEXT()  do {                                    \
        unsigned len_ = op->len;                        \
        icount++;                                       \
        pc += len_;                                     \
        op += len_ >> 1;                                \
        DISPATCH();                                     \
    } while (0)
#define JUMP(target)  do {                              \
        pc = (target);                                  \
        icount++;                                       \
        goto chain;                                     \
    } while (0)
#define SYNC_PC()  do {                                 \
        env->pc = pc;                                   \
        env->minstret += icount;                        \
        icount = 0;                                     \
    } while (0)
#define RAISE(cause, tval)  do {                        \
        SYNC_PC();                                      \
        riscv_raise_exception(env, (cause), (tval));    \
        return BLOCK_DONE;                              \
    } while (0)
#define LOAD(size, conv)  do {                                          \
        a = RS1 + IMM;                                                  \
        h = riscv_tlb_host(env, a, size, MMU_DATA_LOAD,                 \
                           env->data_mmu_idx, &e);                      \
        if (likely(h)) {                                                \
            v = riscv_host_load(h, size);                               \
        } else {                                                        \
            ex = riscv_load_slow(env, a, size, &v);                     \
            if (ex != RISCV_EXCP_NONE) {                                \
                RAISE(ex, env->badaddr);                                \
            }                                                           \
        }                                                               \
        RD = conv(v);                                                   \
        NEXT();                                                         \
    } while (0)
#define STORE(size)  do {                                               \
        a = RS1 + IMM;                                                  \
        h = riscv_tlb_host(env, a, size, MMU_DATA_STORE,                \
                           env->data_mmu_idx, &e);                      \
        if (likely(h)) {                                                \
            riscv_host_store(h, size, RS2);                             \
            if (unlikely(riscv_page_may_have_code(e->paddr))) {         \
                riscv_code_written(e->paddr | (a & ~TARGET_PAGE_MASK),  \
                                   size);                               \
            }                                                           \
        } else {                                                        \
            ex = riscv_store_slow(env, a, size, RS2);                   \
            if (ex != RISCV_EXCP_NONE) {                                \
                RAISE(ex, env->badaddr);                                \
            }                                                           \
        }                                                               \
        NEXT();                                                         \
    } while (0)
#define S8(x)   ((int64_t)(int8_t)(x))
#define S16(x)  ((int64_t)(int16_t)(x))
#define S32(x)  ((int64_t)(int32_t)(x))
#define U8(x)   ((uint64_t)(uint8_t)(x))
#define U16(x)  ((uint64_t)(uint16_t)(x))
#define U32(x)  ((uint64_t)(uint32_t)(x))
#define U64(x)  ((uint64_t)(x))

    DISPATCH();

do_OP_DECODE:
    riscv_decode_slot(dp, op);
    DISPATCH();
do_OP_PAGE_END:
    goto out;
do_OP_CROSS_PAGE: {
        /* Its upper half may fault: tval is then the second page. */
        hwaddr pa2;
        const uint8_t *host2;
        uint32_t insn;

        SYNC_PC();
        ex = riscv_fetch_page(env, pc + 2, &pa2, &host2);
        if (ex != RISCV_EXCP_NONE) {
            riscv_raise_exception(env, ex, env->badaddr);
            return BLOCK_DONE;
        }
        insn = riscv_host_load(dp->host + TARGET_PAGE_SIZE - 2, 2) |
               riscv_host_load(host2, 2) << 16;
        riscv_decode(&cross[0], insn);
        cross[2].opc = OP_PAGE_END;     /* next: a fresh block lookup */
        op = &cross[0];
        DISPATCH();
    }
do_OP_ILLEGAL:
    RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);

do_OP_LUI:      RD = IMM; NEXT();
do_OP_AUIPC:    RD = pc + IMM; NEXT();
do_OP_JAL:
    v = pc + op->len;
    a = pc + IMM;
    RD = v;
    JUMP(a);
do_OP_JALR:
    a = (RS1 + IMM) & ~1ULL;
    RD = pc + op->len;
    JUMP(a);
do_OP_BEQ:  if (RS1 == RS2) { JUMP(pc + IMM); } NEXT();
do_OP_BNE:  if (RS1 != RS2) { JUMP(pc + IMM); } NEXT();
do_OP_BLT:  if ((int64_t)RS1 < (int64_t)RS2) { JUMP(pc + IMM); } NEXT();
do_OP_BGE:  if ((int64_t)RS1 >= (int64_t)RS2) { JUMP(pc + IMM); } NEXT();
do_OP_BLTU: if (RS1 < RS2) { JUMP(pc + IMM); } NEXT();
do_OP_BGEU: if (RS1 >= RS2) { JUMP(pc + IMM); } NEXT();

do_OP_LB:   LOAD(1, S8);
do_OP_LH:   LOAD(2, S16);
do_OP_LW:   LOAD(4, S32);
do_OP_LD:   LOAD(8, U64);
do_OP_LBU:  LOAD(1, U8);
do_OP_LHU:  LOAD(2, U16);
do_OP_LWU:  LOAD(4, U32);
do_OP_SB:   STORE(1);
do_OP_SH:   STORE(2);
do_OP_SW:   STORE(4);
do_OP_SD:   STORE(8);

do_OP_ADDI:  RD = RS1 + IMM; NEXT();
do_OP_SLTI:  RD = (int64_t)RS1 < IMM; NEXT();
do_OP_SLTIU: RD = RS1 < (uint64_t)IMM; NEXT();
do_OP_XORI:  RD = RS1 ^ IMM; NEXT();
do_OP_ORI:   RD = RS1 | IMM; NEXT();
do_OP_ANDI:  RD = RS1 & IMM; NEXT();
do_OP_SLLI:  RD = RS1 << op->imm; NEXT();
do_OP_SRLI:  RD = RS1 >> op->imm; NEXT();
do_OP_SRAI:  RD = (int64_t)RS1 >> op->imm; NEXT();
do_OP_ADD:   RD = RS1 + RS2; NEXT();
do_OP_SUB:   RD = RS1 - RS2; NEXT();
do_OP_SLL:   RD = RS1 << (RS2 & 63); NEXT();
do_OP_SLT:   RD = (int64_t)RS1 < (int64_t)RS2; NEXT();
do_OP_SLTU:  RD = RS1 < RS2; NEXT();
do_OP_XOR:   RD = RS1 ^ RS2; NEXT();
do_OP_SRL:   RD = RS1 >> (RS2 & 63); NEXT();
do_OP_SRA:   RD = (int64_t)RS1 >> (RS2 & 63); NEXT();
do_OP_OR:    RD = RS1 | RS2; NEXT();
do_OP_AND:   RD = RS1 & RS2; NEXT();

do_OP_ADDIW: RD = sext32(RS1 + IMM); NEXT();
do_OP_SLLIW: RD = sext32((uint32_t)RS1 << op->imm); NEXT();
do_OP_SRLIW: RD = sext32((uint32_t)RS1 >> op->imm); NEXT();
do_OP_SRAIW: RD = (int32_t)RS1 >> op->imm; NEXT();
do_OP_ADDW:  RD = sext32(RS1 + RS2); NEXT();
do_OP_SUBW:  RD = sext32(RS1 - RS2); NEXT();
do_OP_SLLW:  RD = sext32((uint32_t)RS1 << (RS2 & 31)); NEXT();
do_OP_SRLW:  RD = sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
do_OP_SRAW:  RD = (int32_t)RS1 >> (RS2 & 31); NEXT();

do_OP_MUL:   RD = RS1 * RS2; NEXT();
do_OP_MULH:
    RD = (uint64_t)(((__int128)(int64_t)RS1 * (int64_t)RS2) >> 64);
    NEXT();
do_OP_MULHSU:
    RD = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)RS2) >> 64);
    NEXT();
do_OP_MULHU:
    RD = (uint64_t)(((unsigned __int128)RS1 * RS2) >> 64);
    NEXT();
    /* Division never traps: x/0 = -1, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0. */
do_OP_DIV:
    if (RS2 == 0) {
        RD = UINT64_MAX;
    } else if ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1) {
        RD = RS1;
    } else {
        RD = (int64_t)RS1 / (int64_t)RS2;
    }
    NEXT();
do_OP_DIVU:  RD = RS2 ? RS1 / RS2 : UINT64_MAX; NEXT();
do_OP_REM:
    if (RS2 == 0) {
        RD = RS1;
    } else if ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1) {
        RD = 0;
    } else {
        RD = (int64_t)RS1 % (int64_t)RS2;
    }
    NEXT();
do_OP_REMU:  RD = RS2 ? RS1 % RS2 : RS1; NEXT();
do_OP_MULW:  RD = sext32(RS1 * RS2); NEXT();
do_OP_DIVW: {
        int32_t x = RS1, y = RS2;
        RD = y == 0 ? UINT64_MAX :
             (x == INT32_MIN && y == -1) ? (uint64_t)(int64_t)x :
             (uint64_t)(int64_t)(x / y);
        NEXT();
    }
do_OP_DIVUW: {
        uint32_t x = RS1, y = RS2;
        RD = y ? sext32(x / y) : UINT64_MAX;
        NEXT();
    }
do_OP_REMW: {
        int32_t x = RS1, y = RS2;
        RD = y == 0 ? (uint64_t)(int64_t)x :
             (x == INT32_MIN && y == -1) ? 0 : (uint64_t)(int64_t)(x % y);
        NEXT();
    }
do_OP_REMUW: {
        uint32_t x = RS1, y = RS2;
        RD = sext32(y ? x % y : x);
        NEXT();
    }

do_OP_LR_W:
do_OP_LR_D:
    ex = riscv_lr(env, op->opc == OP_LR_W ? 4 : 8, RS1, &v);
    if (ex != RISCV_EXCP_NONE) {
        RAISE(ex, env->badaddr);
    }
    RD = v;
    NEXT();
do_OP_SC_W:
do_OP_SC_D:
    ex = riscv_sc(env, op->opc == OP_SC_W ? 4 : 8, RS1, RS2, &v);
    if (ex != RISCV_EXCP_NONE) {
        RAISE(ex, env->badaddr);
    }
    RD = v;
    NEXT();
do_OP_AMO_W:
do_OP_AMO_D:
    ex = riscv_amo(env, op->imm, op->opc == OP_AMO_W ? 4 : 8, RS1, RS2, &v);
    if (ex != RISCV_EXCP_NONE) {
        RAISE(ex, env->badaddr);
    }
    RD = v;
    NEXT();

do_OP_FENCE:
    /* Guest RAM accesses are relaxed host atomics: order them here. */
    smp_mb();
    NEXT();
do_OP_FENCE_I:
    /* Frees @dp: leave without touching it again. */
    icount++;
    pc += op->len;
    SYNC_PC();
    riscv_cpu_flush_code_cache(env);
    return BLOCK_DONE;
do_OP_SFENCE_VMA:
    if (env->priv == PRV_U ||
        (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM))) {
        RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);
    }
    riscv_tlb_flush(env);
    icount++;
    pc += op->len;
    goto out;

do_OP_ECALL:
    /* Causes 8, 9, 11: ecall from U, S, M. */
    RAISE(RISCV_EXCP_U_ECALL + env->priv, 0);
do_OP_EBREAK:
    RAISE(RISCV_EXCP_BREAKPOINT, 0);
do_OP_MRET:
do_OP_SRET:
    SYNC_PC();
    ex = op->opc == OP_MRET ? riscv_mret(env) : riscv_sret(env);
    if (ex != RISCV_EXCP_NONE) {
        riscv_raise_exception(env, ex, (uint32_t)op->imm);
        return BLOCK_DONE;
    }
    env->minstret++;
    return BLOCK_DONE;
do_OP_WFI:
    /* U-mode may not wait (S exists); S-mode not with mstatus.TW. */
    if (env->priv == PRV_U ||
        (env->priv == PRV_S && (env->mstatus & MSTATUS_TW))) {
        RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);
    }
    icount++;
    pc += op->len;
    SYNC_PC();
    return riscv_cpu_has_pending(env) ? BLOCK_DONE : BLOCK_HALT;

do_OP_CSRRW:
do_OP_CSRRS:
do_OP_CSRRC:
    v = RS1;
    goto csr;
do_OP_CSRRWI:
do_OP_CSRRSI:
do_OP_CSRRCI:
    v = op->rs1;
csr:
    SYNC_PC();
    ex = riscv_csrrw(env, op->imm, op->opc, v, &v);
    if (ex != RISCV_EXCP_NONE) {
        riscv_raise_exception(env, ex, (uint32_t)op->imm);
        return BLOCK_DONE;
    }
    RD = v;
    icount++;
    pc += op->len;
    goto out;

chain:
    /*
     * A taken branch or jump.  Staying in this page, carry on from the
     * target's slot unless something must be looked at first.
     */
    if (likely((pc & TARGET_PAGE_MASK) == vpage) &&
        likely(!qatomic_read(&cs->exit_request)) &&
        likely(!(qatomic_read(&env->mip) & env->mie)) &&
        likely(riscv_code_page_gen(dp) == dp->gen)) {
        op = &dp->ops[(pc & ~TARGET_PAGE_MASK) >> 1];
        DISPATCH();
    }
out:
    SYNC_PC();
    return BLOCK_DONE;
}

int riscv_cpu_exec(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);

    for (;;) {
        RISCVDecodedPage *dp;
        const uint8_t *host;
        RISCVException ex;
        hwaddr paddr;

        if (qatomic_read(&cs->exit_request)) {
            return EXCP_INTERRUPT;
        }
        if (unlikely(qatomic_read(&env->mip) & env->mie)) {
            riscv_cpu_exec_interrupt(env);
        }
        ex = riscv_fetch_page(env, env->pc, &paddr, &host);
        if (ex != RISCV_EXCP_NONE) {
            riscv_raise_exception(env, ex, env->badaddr);
            continue;
        }
        dp = riscv_get_decoded_page(env, paddr, host);
        if (run_block(cs, env, dp) == BLOCK_HALT) {
            return EXCP_HLT;
        }
    }
}
