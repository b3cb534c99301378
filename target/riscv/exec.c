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
    /*
     * Handler addresses as offsets from do_OP_DECODE (RISCVOp.hoff):
     * [0] for 4-byte instructions, [1] for compressed ones.
     */
    static const int32_t hoffs[2][OP_COUNT] = {
      {
        [OP_DECODE] = &&do_OP_DECODE - &&do_OP_DECODE,
        [OP_PAGE_END] = &&do_OP_PAGE_END - &&do_OP_DECODE,
        [OP_CROSS_PAGE] = &&do_OP_CROSS_PAGE - &&do_OP_DECODE,
        [OP_ILLEGAL] = &&do_OP_ILLEGAL - &&do_OP_DECODE,
        [OP_LUI] = &&do_OP_LUI - &&do_OP_DECODE,
        [OP_AUIPC] = &&do_OP_AUIPC - &&do_OP_DECODE,
        [OP_JAL] = &&do_OP_JAL - &&do_OP_DECODE,
        [OP_JALR] = &&do_OP_JALR - &&do_OP_DECODE,
        [OP_BEQ] = &&do_OP_BEQ - &&do_OP_DECODE,
        [OP_BNE] = &&do_OP_BNE - &&do_OP_DECODE,
        [OP_BLT] = &&do_OP_BLT - &&do_OP_DECODE,
        [OP_BGE] = &&do_OP_BGE - &&do_OP_DECODE,
        [OP_BLTU] = &&do_OP_BLTU - &&do_OP_DECODE,
        [OP_BGEU] = &&do_OP_BGEU - &&do_OP_DECODE,
        [OP_LB] = &&do_OP_LB - &&do_OP_DECODE,
        [OP_LH] = &&do_OP_LH - &&do_OP_DECODE,
        [OP_LW] = &&do_OP_LW - &&do_OP_DECODE,
        [OP_LD] = &&do_OP_LD - &&do_OP_DECODE,
        [OP_LBU] = &&do_OP_LBU - &&do_OP_DECODE,
        [OP_LHU] = &&do_OP_LHU - &&do_OP_DECODE,
        [OP_LWU] = &&do_OP_LWU - &&do_OP_DECODE,
        [OP_SB] = &&do_OP_SB - &&do_OP_DECODE,
        [OP_SH] = &&do_OP_SH - &&do_OP_DECODE,
        [OP_SW] = &&do_OP_SW - &&do_OP_DECODE,
        [OP_SD] = &&do_OP_SD - &&do_OP_DECODE,
        [OP_ADDI] = &&do_OP_ADDI - &&do_OP_DECODE,
        [OP_SLTI] = &&do_OP_SLTI - &&do_OP_DECODE,
        [OP_SLTIU] = &&do_OP_SLTIU - &&do_OP_DECODE,
        [OP_XORI] = &&do_OP_XORI - &&do_OP_DECODE,
        [OP_ORI] = &&do_OP_ORI - &&do_OP_DECODE,
        [OP_ANDI] = &&do_OP_ANDI - &&do_OP_DECODE,
        [OP_SLLI] = &&do_OP_SLLI - &&do_OP_DECODE,
        [OP_SRLI] = &&do_OP_SRLI - &&do_OP_DECODE,
        [OP_SRAI] = &&do_OP_SRAI - &&do_OP_DECODE,
        [OP_ADD] = &&do_OP_ADD - &&do_OP_DECODE,
        [OP_SUB] = &&do_OP_SUB - &&do_OP_DECODE,
        [OP_SLL] = &&do_OP_SLL - &&do_OP_DECODE,
        [OP_SLT] = &&do_OP_SLT - &&do_OP_DECODE,
        [OP_SLTU] = &&do_OP_SLTU - &&do_OP_DECODE,
        [OP_XOR] = &&do_OP_XOR - &&do_OP_DECODE,
        [OP_SRL] = &&do_OP_SRL - &&do_OP_DECODE,
        [OP_SRA] = &&do_OP_SRA - &&do_OP_DECODE,
        [OP_OR] = &&do_OP_OR - &&do_OP_DECODE,
        [OP_AND] = &&do_OP_AND - &&do_OP_DECODE,
        [OP_ADDIW] = &&do_OP_ADDIW - &&do_OP_DECODE,
        [OP_SLLIW] = &&do_OP_SLLIW - &&do_OP_DECODE,
        [OP_SRLIW] = &&do_OP_SRLIW - &&do_OP_DECODE,
        [OP_SRAIW] = &&do_OP_SRAIW - &&do_OP_DECODE,
        [OP_ADDW] = &&do_OP_ADDW - &&do_OP_DECODE,
        [OP_SUBW] = &&do_OP_SUBW - &&do_OP_DECODE,
        [OP_SLLW] = &&do_OP_SLLW - &&do_OP_DECODE,
        [OP_SRLW] = &&do_OP_SRLW - &&do_OP_DECODE,
        [OP_SRAW] = &&do_OP_SRAW - &&do_OP_DECODE,
        [OP_MUL] = &&do_OP_MUL - &&do_OP_DECODE,
        [OP_MULH] = &&do_OP_MULH - &&do_OP_DECODE,
        [OP_MULHSU] = &&do_OP_MULHSU - &&do_OP_DECODE,
        [OP_MULHU] = &&do_OP_MULHU - &&do_OP_DECODE,
        [OP_DIV] = &&do_OP_DIV - &&do_OP_DECODE,
        [OP_DIVU] = &&do_OP_DIVU - &&do_OP_DECODE,
        [OP_REM] = &&do_OP_REM - &&do_OP_DECODE,
        [OP_REMU] = &&do_OP_REMU - &&do_OP_DECODE,
        [OP_MULW] = &&do_OP_MULW - &&do_OP_DECODE,
        [OP_DIVW] = &&do_OP_DIVW - &&do_OP_DECODE,
        [OP_DIVUW] = &&do_OP_DIVUW - &&do_OP_DECODE,
        [OP_REMW] = &&do_OP_REMW - &&do_OP_DECODE,
        [OP_REMUW] = &&do_OP_REMUW - &&do_OP_DECODE,
        [OP_LR_W] = &&do_OP_LR_W - &&do_OP_DECODE,
        [OP_LR_D] = &&do_OP_LR_D - &&do_OP_DECODE,
        [OP_SC_W] = &&do_OP_SC_W - &&do_OP_DECODE,
        [OP_SC_D] = &&do_OP_SC_D - &&do_OP_DECODE,
        [OP_AMO_W] = &&do_OP_AMO_W - &&do_OP_DECODE,
        [OP_AMO_D] = &&do_OP_AMO_D - &&do_OP_DECODE,
        [OP_FENCE] = &&do_OP_FENCE - &&do_OP_DECODE,
        [OP_FENCE_I] = &&do_OP_FENCE_I - &&do_OP_DECODE,
        [OP_ECALL] = &&do_OP_ECALL - &&do_OP_DECODE,
        [OP_EBREAK] = &&do_OP_EBREAK - &&do_OP_DECODE,
        [OP_MRET] = &&do_OP_MRET - &&do_OP_DECODE,
        [OP_SRET] = &&do_OP_SRET - &&do_OP_DECODE,
        [OP_WFI] = &&do_OP_WFI - &&do_OP_DECODE,
        [OP_SFENCE_VMA] = &&do_OP_SFENCE_VMA - &&do_OP_DECODE,
        [OP_CSRRW] = &&do_OP_CSRRW - &&do_OP_DECODE,
        [OP_CSRRS] = &&do_OP_CSRRS - &&do_OP_DECODE,
        [OP_CSRRC] = &&do_OP_CSRRC - &&do_OP_DECODE,
        [OP_CSRRWI] = &&do_OP_CSRRWI - &&do_OP_DECODE,
        [OP_CSRRSI] = &&do_OP_CSRRSI - &&do_OP_DECODE,
        [OP_CSRRCI] = &&do_OP_CSRRCI - &&do_OP_DECODE,
      }, {
        [OP_DECODE] = &&do_OP_DECODE - &&do_OP_DECODE,
        [OP_PAGE_END] = &&do_OP_PAGE_END - &&do_OP_DECODE,
        [OP_CROSS_PAGE] = &&do_OP_CROSS_PAGE - &&do_OP_DECODE,
        [OP_ILLEGAL] = &&do_OP_ILLEGAL - &&do_OP_DECODE,
        [OP_LUI] = &&do_OP_LUI_c - &&do_OP_DECODE,
        [OP_AUIPC] = &&do_OP_AUIPC_c - &&do_OP_DECODE,
        [OP_JAL] = &&do_OP_JAL_c - &&do_OP_DECODE,
        [OP_JALR] = &&do_OP_JALR_c - &&do_OP_DECODE,
        [OP_BEQ] = &&do_OP_BEQ_c - &&do_OP_DECODE,
        [OP_BNE] = &&do_OP_BNE_c - &&do_OP_DECODE,
        [OP_BLT] = &&do_OP_BLT_c - &&do_OP_DECODE,
        [OP_BGE] = &&do_OP_BGE_c - &&do_OP_DECODE,
        [OP_BLTU] = &&do_OP_BLTU_c - &&do_OP_DECODE,
        [OP_BGEU] = &&do_OP_BGEU_c - &&do_OP_DECODE,
        [OP_LB] = &&do_OP_LB_c - &&do_OP_DECODE,
        [OP_LH] = &&do_OP_LH_c - &&do_OP_DECODE,
        [OP_LW] = &&do_OP_LW_c - &&do_OP_DECODE,
        [OP_LD] = &&do_OP_LD_c - &&do_OP_DECODE,
        [OP_LBU] = &&do_OP_LBU_c - &&do_OP_DECODE,
        [OP_LHU] = &&do_OP_LHU_c - &&do_OP_DECODE,
        [OP_LWU] = &&do_OP_LWU_c - &&do_OP_DECODE,
        [OP_SB] = &&do_OP_SB_c - &&do_OP_DECODE,
        [OP_SH] = &&do_OP_SH_c - &&do_OP_DECODE,
        [OP_SW] = &&do_OP_SW_c - &&do_OP_DECODE,
        [OP_SD] = &&do_OP_SD_c - &&do_OP_DECODE,
        [OP_ADDI] = &&do_OP_ADDI_c - &&do_OP_DECODE,
        [OP_SLTI] = &&do_OP_SLTI_c - &&do_OP_DECODE,
        [OP_SLTIU] = &&do_OP_SLTIU_c - &&do_OP_DECODE,
        [OP_XORI] = &&do_OP_XORI_c - &&do_OP_DECODE,
        [OP_ORI] = &&do_OP_ORI_c - &&do_OP_DECODE,
        [OP_ANDI] = &&do_OP_ANDI_c - &&do_OP_DECODE,
        [OP_SLLI] = &&do_OP_SLLI_c - &&do_OP_DECODE,
        [OP_SRLI] = &&do_OP_SRLI_c - &&do_OP_DECODE,
        [OP_SRAI] = &&do_OP_SRAI_c - &&do_OP_DECODE,
        [OP_ADD] = &&do_OP_ADD_c - &&do_OP_DECODE,
        [OP_SUB] = &&do_OP_SUB_c - &&do_OP_DECODE,
        [OP_SLL] = &&do_OP_SLL_c - &&do_OP_DECODE,
        [OP_SLT] = &&do_OP_SLT_c - &&do_OP_DECODE,
        [OP_SLTU] = &&do_OP_SLTU_c - &&do_OP_DECODE,
        [OP_XOR] = &&do_OP_XOR_c - &&do_OP_DECODE,
        [OP_SRL] = &&do_OP_SRL_c - &&do_OP_DECODE,
        [OP_SRA] = &&do_OP_SRA_c - &&do_OP_DECODE,
        [OP_OR] = &&do_OP_OR_c - &&do_OP_DECODE,
        [OP_AND] = &&do_OP_AND_c - &&do_OP_DECODE,
        [OP_ADDIW] = &&do_OP_ADDIW_c - &&do_OP_DECODE,
        [OP_SLLIW] = &&do_OP_SLLIW_c - &&do_OP_DECODE,
        [OP_SRLIW] = &&do_OP_SRLIW_c - &&do_OP_DECODE,
        [OP_SRAIW] = &&do_OP_SRAIW_c - &&do_OP_DECODE,
        [OP_ADDW] = &&do_OP_ADDW_c - &&do_OP_DECODE,
        [OP_SUBW] = &&do_OP_SUBW_c - &&do_OP_DECODE,
        [OP_SLLW] = &&do_OP_SLLW_c - &&do_OP_DECODE,
        [OP_SRLW] = &&do_OP_SRLW_c - &&do_OP_DECODE,
        [OP_SRAW] = &&do_OP_SRAW_c - &&do_OP_DECODE,
        [OP_MUL] = &&do_OP_MUL_c - &&do_OP_DECODE,
        [OP_MULH] = &&do_OP_MULH_c - &&do_OP_DECODE,
        [OP_MULHSU] = &&do_OP_MULHSU_c - &&do_OP_DECODE,
        [OP_MULHU] = &&do_OP_MULHU_c - &&do_OP_DECODE,
        [OP_DIV] = &&do_OP_DIV_c - &&do_OP_DECODE,
        [OP_DIVU] = &&do_OP_DIVU_c - &&do_OP_DECODE,
        [OP_REM] = &&do_OP_REM_c - &&do_OP_DECODE,
        [OP_REMU] = &&do_OP_REMU_c - &&do_OP_DECODE,
        [OP_MULW] = &&do_OP_MULW_c - &&do_OP_DECODE,
        [OP_DIVW] = &&do_OP_DIVW_c - &&do_OP_DECODE,
        [OP_DIVUW] = &&do_OP_DIVUW_c - &&do_OP_DECODE,
        [OP_REMW] = &&do_OP_REMW_c - &&do_OP_DECODE,
        [OP_REMUW] = &&do_OP_REMUW_c - &&do_OP_DECODE,
        [OP_LR_W] = &&do_OP_LR_W_c - &&do_OP_DECODE,
        [OP_LR_D] = &&do_OP_LR_D_c - &&do_OP_DECODE,
        [OP_SC_W] = &&do_OP_SC_W_c - &&do_OP_DECODE,
        [OP_SC_D] = &&do_OP_SC_D_c - &&do_OP_DECODE,
        [OP_AMO_W] = &&do_OP_AMO_W_c - &&do_OP_DECODE,
        [OP_AMO_D] = &&do_OP_AMO_D_c - &&do_OP_DECODE,
        [OP_FENCE] = &&do_OP_FENCE_c - &&do_OP_DECODE,
        [OP_FENCE_I] = &&do_OP_FENCE_I - &&do_OP_DECODE,
        [OP_ECALL] = &&do_OP_ECALL - &&do_OP_DECODE,
        [OP_EBREAK] = &&do_OP_EBREAK - &&do_OP_DECODE,
        [OP_MRET] = &&do_OP_MRET - &&do_OP_DECODE,
        [OP_SRET] = &&do_OP_SRET - &&do_OP_DECODE,
        [OP_WFI] = &&do_OP_WFI - &&do_OP_DECODE,
        [OP_SFENCE_VMA] = &&do_OP_SFENCE_VMA - &&do_OP_DECODE,
        [OP_CSRRW] = &&do_OP_CSRRW - &&do_OP_DECODE,
        [OP_CSRRS] = &&do_OP_CSRRS - &&do_OP_DECODE,
        [OP_CSRRC] = &&do_OP_CSRRC - &&do_OP_DECODE,
        [OP_CSRRWI] = &&do_OP_CSRRWI - &&do_OP_DECODE,
        [OP_CSRRSI] = &&do_OP_CSRRSI - &&do_OP_DECODE,
        [OP_CSRRCI] = &&do_OP_CSRRCI - &&do_OP_DECODE,
      },
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
    const char *const hbase = &&do_OP_DECODE;
    const uint32_t *const shared_gen = dp->shared_gen;
    const uint32_t gen = dp->gen;

/* rd/rs as lvalues/values; x0 reads as 0, writes to x0 go to gpr[32]. */
#define RD      r[op->rd]
#define RS1     r[op->rs1]
#define RS2     r[op->rs2]
#define IMM     ((int64_t)op->imm)
#define DISPATCH()  goto *(hbase + op->hoff)
/* STEP: the instruction's length, a constant (see exec-ops.c.inc). */
#define NEXT()  do {                                    \
        icount++;                                       \
        pc += STEP;                                     \
        op += STEP / 2;                                 \
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
    /* Zeroed slot, or the page-end sentinel met for the first time. */
    if (op->opc == OP_DECODE) {
        riscv_decode_slot(dp, op);
    }
    op->hoff = hoffs[op->len == 2][op->opc];
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
        cross[0].hoff = hoffs[0][cross[0].opc];
        cross[2].opc = OP_PAGE_END;     /* next: a fresh block lookup */
        cross[2].hoff = hoffs[0][OP_PAGE_END];
        op = &cross[0];
        DISPATCH();
    }
do_OP_ILLEGAL:
    RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);

#define LBL(x)  do_##x
#define STEP    4
#include "exec-ops.c.inc"
#undef LBL
#undef STEP
#define LBL(x)  do_##x##_c
#define STEP    2
#include "exec-ops.c.inc"
#undef LBL
#undef STEP
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
        likely(qatomic_load_acquire(shared_gen) == gen)) {
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
