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
 *    The pc is not kept: it follows from the slot's address (PC()).  A
 *    taken branch or jump goes on directly ("block chaining") unless
 *    exit_request is set: raising an interrupt and writing decoded code
 *    both set it, so it is the only check needed.  Within the page that
 *    is all; into another page, only if the fetch TLB and the page cache
 *    already hold it (riscv_chain_page), else through riscv_cpu_exec.
 *    The scratch pages of single-step and device code do not chain.
 *  - Some branches are fused with what follows at decode (RISCVOpForm):
 *    a branch over one ALU instruction runs predicated, without a host
 *    branch that the data could make mispredict.
 *  - Everything that changes privilege, translations or the cache, or may
 *    let an interrupt in (xRET, fence.i, sfence.vma, wfi, traps, and the
 *    CSR instructions riscv_csr_ends_block picks) ends the block, so the
 *    next one starts from a fresh lookup.
 */
#include "qcore/osdep.h"
#include <sched.h>
#include "internals.h"
#include "bitmanip.h"

/*
 * Finished the block normally; a wfi with nothing to do; a breakpoint or
 * watchpoint of the gdbstub (the hart stops for it, EXCP_DEBUG); a wfi
 * that did not wait, an interrupt being pending (wfi_did_not_wait).
 */
enum {
    BLOCK_DONE = 0, BLOCK_HALT = 1, BLOCK_DEBUG = 2, BLOCK_WFI_BUSY = 3,
    BLOCK_PAUSE = 4,
};

static inline int64_t sext32(uint64_t v)
{
    return (int32_t)v;
}

/*
 * The handlers, by how run_block's table selects them (see RISCVOp.hoff):
 * SYS_OPS have one handler for both lengths; STEP_OPS one per length
 * (do_OP_x and do_OP_x_c); XFER_OPS, the direct jumps and branches, one
 * per length and per RISCVOpForm: PLAIN (do_OP_x), NEAR (do_OP_x_near)
 * and, for BRANCH_OPS, SKIP_* (do_OP_x_skip_ADDI...).
 */
#define SYS_OPS(X) \
    X(DECODE) X(PAGE_END) X(CROSS_PAGE) X(ILLEGAL) X(BREAKPOINT) \
    X(FENCE_I) X(ECALL) \
    X(EBREAK) X(MRET) X(SRET) X(WFI) X(SFENCE_VMA) X(CSRRW) X(CSRRS) \
    X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI) X(PAUSE)
#define STEP_OPS(X) \
    X(LUI) X(AUIPC) X(JALR) X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) \
    X(SB) X(SH) X(SW) X(SD) X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) \
    X(ANDI) X(SLLI) X(SRLI) X(SRAI) X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) \
    X(XOR) X(SRL) X(SRA) X(OR) X(AND) X(ADDIW) X(SLLIW) X(SRLIW) \
    X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW) X(MUL) X(MULH) \
    X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU) X(MULW) X(DIVW) \
    X(DIVUW) X(REMW) X(REMUW) X(LR_W) X(LR_D) X(SC_W) X(SC_D) X(AMO_W) \
    X(AMO_D) X(FENCE) X(FLW) X(FLD) X(FSW) X(FSD) ZB_OPS(X)
/* Zba, Zbb, Zbc, Zbs (exec-ops-zb.c.inc) */
#define ZB_OPS(X) \
    X(ADD_UW) X(SH1ADD) X(SH2ADD) X(SH3ADD) X(SH1ADD_UW) X(SH2ADD_UW) \
    X(SH3ADD_UW) X(SLLI_UW) X(ANDN) X(ORN) X(XNOR) X(CLZ) X(CLZW) X(CTZ) \
    X(CTZW) X(CPOP) X(CPOPW) X(MAX) X(MAXU) X(MIN) X(MINU) X(SEXT_B) \
    X(SEXT_H) X(ZEXT_H) X(ROL) X(ROLW) X(ROR) X(RORW) X(RORI) X(RORIW) \
    X(ORC_B) X(REV8) X(CLMUL) X(CLMULH) X(CLMULR) X(BCLR) X(BCLRI) \
    X(BEXT) X(BEXTI) X(BINV) X(BINVI) X(BSET) X(BSETI)
#define XFER_OPS(X) \
    X(JAL) BRANCH_OPS(X)
#define BRANCH_OPS(X) \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)

static int run_block(CPURISCVState *env, RISCVDecodedPage *dp, bool chain)
{
    /*
     * Handler addresses as offsets from do_OP_DECODE: hoffs indexed by
     * [form == NEAR][compressed][opc], skip_hoffs by
     * [compressed][form - SKIP_ADDI][opc - OP_BEQ].
     */
#define H(x)        [OP_##x] = &&do_OP_##x - &&do_OP_DECODE,
#define H_C(x)      [OP_##x] = &&do_OP_##x##_c - &&do_OP_DECODE,
#define H_NEAR(x)   [OP_##x] = &&do_OP_##x##_near - &&do_OP_DECODE,
#define H_NEAR_C(x) [OP_##x] = &&do_OP_##x##_near_c - &&do_OP_DECODE,
/* The F/D operations share one handler (riscv_fpu_exec does the rest). */
#define H_FP(x)     [OP_##x] = &&do_OP_FP - &&do_OP_DECODE,
    static const int32_t hoffs[2][2][OP_COUNT] = {
        {
            { SYS_OPS(H) STEP_OPS(H) XFER_OPS(H) RISCV_FP_OPS(H_FP) },
            { SYS_OPS(H) STEP_OPS(H_C) XFER_OPS(H_C) RISCV_FP_OPS(H_FP) },
        }, {
            { SYS_OPS(H) STEP_OPS(H) XFER_OPS(H_NEAR) RISCV_FP_OPS(H_FP) },
            { SYS_OPS(H) STEP_OPS(H_C) XFER_OPS(H_NEAR_C)
              RISCV_FP_OPS(H_FP) },
        },
    };
#define H_SKIP(x, k, c) \
    [OP_##x - OP_BEQ] = &&do_OP_##x##_skip_##k##c - &&do_OP_DECODE,
#define H_SKIP_ADDI(x)      H_SKIP(x, ADDI, )
#define H_SKIP_ADDIW(x)     H_SKIP(x, ADDIW, )
#define H_SKIP_ADD(x)       H_SKIP(x, ADD, )
#define H_SKIP_ADDI_C(x)    H_SKIP(x, ADDI, _c)
#define H_SKIP_ADDIW_C(x)   H_SKIP(x, ADDIW, _c)
#define H_SKIP_ADD_C(x)     H_SKIP(x, ADD, _c)
    static const int32_t skip_hoffs[2][3][OP_BGEU - OP_BEQ + 1] = {
        {
            { BRANCH_OPS(H_SKIP_ADDI) },
            { BRANCH_OPS(H_SKIP_ADDIW) },
            { BRANCH_OPS(H_SKIP_ADD) },
        }, {
            { BRANCH_OPS(H_SKIP_ADDI_C) },
            { BRANCH_OPS(H_SKIP_ADDIW_C) },
            { BRANCH_OPS(H_SKIP_ADD_C) },
        },
    };
#undef H
#undef H_C
#undef H_NEAR
#undef H_NEAR_C
#undef H_FP
#undef H_SKIP
#undef H_SKIP_ADDI
#undef H_SKIP_ADDIW
#undef H_SKIP_ADD
#undef H_SKIP_ADDI_C
#undef H_SKIP_ADDIW_C
#undef H_SKIP_ADD_C
    uint64_t *r = env->gpr;
    uint64_t vpage = env->pc & TARGET_PAGE_MASK;    /* dp's, as run */
    /*
     * The pc is not kept: slot i of the page stands for vpage + 2 * i and
     * is 16 bytes, so PC() recovers it from the op pointer.  pcbias moves
     * only for an instruction straddling the page end (cross[]).
     */
    uint64_t pcbias = vpage - ((uintptr_t)dp->ops >> 3);
    RISCVOp *op = &dp->ops[(env->pc & ~TARGET_PAGE_MASK) >> 1];
    RISCVOp cross[3];           /* an instruction straddling the page end */
    uint64_t icount = 0;        /* retired, not yet added to minstret */
    /* mmu_idx changes only where a block ends (CSRs, traps, xRET). */
    RISCVTLBEntry *const load_tlb = env->tlb[env->data_mmu_idx][MMU_DATA_LOAD];
    RISCVTLBEntry *const store_tlb =
        env->tlb[env->data_mmu_idx][MMU_DATA_STORE];
    RISCVTLBEntry *const fetch_tlb =
        env->tlb[riscv_mmu_idx_of(env->priv)][MMU_INST_FETCH];
    RISCVDecodedPage *next;
    RISCVException ex;
    uint64_t a, v, slow_val;
    RISCVTLBEntry *e;
    const char *const hbase = &&do_OP_DECODE;

/* rd/rs as lvalues/values; x0 reads as 0, writes to x0 go to gpr[32]. */
#define RD      r[op->rd]
#define RS1     r[op->rs1]
#define RS2     r[op->rs2]
#define IMM     ((int64_t)op->imm)
#define PC()    (pcbias + ((uintptr_t)op >> 3))
#define DISPATCH()  goto *(hbase + op->hoff)
/* At a fixed offset from env (RISCVCPU): no pointer to keep in a register. */
#define EXIT_REQUESTED()    qatomic_read(&env_cpu(env)->exit_request)
/* STEP: the instruction's length, a constant (see exec-ops.c.inc). */
#define NEXT()  do {                                    \
        icount++;                                       \
        op += STEP / 2;                                 \
        DISPATCH();                                     \
    } while (0)
/*
 * A taken branch or jump to a slot of this page: the one check a block
 * boundary needs inside a block, exit_request (kicks, interrupts raised
 * by devices, code written by any hart all set it), and on.
 */
#define JUMP_NEAR()  do {                               \
        op = (RISCVOp *)((char *)op + IMM * 8);         \
        icount++;                                       \
        if (unlikely(EXIT_REQUESTED())) {               \
            goto out;                                   \
        }                                               \
        DISPATCH();                                     \
    } while (0)
/* Anywhere else: leave unless it stays in this page. */
#define JUMP(target)  do {                              \
        a = (target);                                   \
        icount++;                                       \
        goto jump;                                      \
    } while (0)
#define SYNC_PC()  do {                                 \
        env->pc = PC();                                 \
        env->minstret += icount;                        \
        icount = 0;                                     \
    } while (0)
#define RAISE(cause, tval)  do {                        \
        SYNC_PC();                                      \
        riscv_raise_exception(env, (cause), (tval));    \
        return BLOCK_DONE;                              \
    } while (0)
/* A slow path's trap, or the gdbstub's watchpoint stop before the access. */
#define SLOW_PATH_FAULT(ex)  do {                                       \
        if ((ex) != RISCV_EXCP_NONE) {                                  \
            if ((ex) == RISCV_EXCP_WATCHPOINT) {                        \
                goto watch_hit;                                         \
            }                                                           \
            RAISE(ex, env->badaddr);                                    \
        }                                                               \
    } while (0)
/*
 * The slow paths' results go through slow_val, whose address is taken,
 * so that the fast paths' values can stay in registers.
 */
#define LOAD(size, conv)  do {                                          \
        a = RS1 + IMM;                                                  \
        e = riscv_tlb_entry(load_tlb, a);                               \
        if (likely(riscv_tlb_hit(e, a, size))) {                        \
            v = riscv_host_load_aligned((void *)(e->addend + a), size); \
        } else {                                                        \
            ex = riscv_load_slow(env, a, size, &slow_val);              \
            SLOW_PATH_FAULT(ex);                                        \
            v = slow_val;                                               \
        }                                                               \
        RD = conv(v);                                                   \
        NEXT();                                                         \
    } while (0)
#define STORE(size)  do {                                               \
        a = RS1 + IMM;                                                  \
        e = riscv_tlb_entry(store_tlb, a);                              \
        if (likely(riscv_tlb_hit(e, a, size))) {                        \
            riscv_host_store_aligned((void *)(e->addend + a), size, RS2); \
            if (unlikely(qatomic_read(e->code_filter))) {               \
                riscv_code_written(e->paddr | (a & ~TARGET_PAGE_MASK),  \
                                   size);                               \
            }                                                           \
        } else {                                                        \
            ex = riscv_store_slow(env, a, size, RS2);                   \
            SLOW_PATH_FAULT(ex);                                        \
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

/*
 * FP loads and stores: as LOAD/STORE with f registers, only while the FPU
 * is on.  A load marks the FP state dirty (mstatus.FS), as QEMU does for
 * every write of an f register.
 */
#define FP_CHECK()  do {                                                \
        if (unlikely(!riscv_fpu_enabled(env))) {                        \
            goto fp_mem_illegal;                                        \
        }                                                               \
    } while (0)
#define FLOAD(size, conv)  do {                                         \
        FP_CHECK();                                                     \
        a = RS1 + IMM;                                                  \
        e = riscv_tlb_entry(load_tlb, a);                               \
        if (likely(riscv_tlb_hit(e, a, size))) {                        \
            v = riscv_host_load_aligned((void *)(e->addend + a), size); \
        } else {                                                        \
            ex = riscv_load_slow(env, a, size, &slow_val);              \
            SLOW_PATH_FAULT(ex);                                        \
            v = slow_val;                                               \
        }                                                               \
        env->fpr[op->rd] = conv(v);                                     \
        env->mstatus |= MSTATUS_FS;                                     \
        NEXT();                                                         \
    } while (0)
#define FSTORE(size)  do {                                              \
        FP_CHECK();                                                     \
        a = RS1 + IMM;                                                  \
        v = env->fpr[op->rs2];                                          \
        e = riscv_tlb_entry(store_tlb, a);                              \
        if (likely(riscv_tlb_hit(e, a, size))) {                        \
            riscv_host_store_aligned((void *)(e->addend + a), size, v); \
            if (unlikely(qatomic_read(e->code_filter))) {               \
                riscv_code_written(e->paddr | (a & ~TARGET_PAGE_MASK),  \
                                   size);                               \
            }                                                           \
        } else {                                                        \
            ex = riscv_store_slow(env, a, size, v);                     \
            SLOW_PATH_FAULT(ex);                                        \
        }                                                               \
        NEXT();                                                         \
    } while (0)
#define NANBOX_S(x) riscv_nanbox_s((uint32_t)(x))

/* LR, SC, AMO: the slow path's result to rd, or its trap or stop. */
#define RMW_RESULT()  do {                                              \
        SLOW_PATH_FAULT(ex);                                            \
        RD = slow_val;                                                  \
    } while (0)

/*
 * A branch over the one ALU instruction in the next slot (RISCV_FORM_SKIP_*),
 * predicated: the result goes to the sink register when the branch is
 * taken, and either way execution continues at the branch target.  A
 * forward branch cannot loop, so there is no exit_request check.
 */
#define NX      (op + STEP / 2)
#define SKIP(taken, value)  do {                                \
        uint64_t taken_ = (taken);                              \
        uint64_t value_ = (value);                              \
        uint64_t *rd_ = &r[NX->rd];                             \
        /*                                                      \
         * taken_ ? *rd_ : value_, as arithmetic (GCC would     \
         * branch); selecting the value and not the address     \
         * lets the next reader's load forward from this store. \
         */                                                     \
        *rd_ = (*rd_ & -taken_) | (value_ & (taken_ - 1));      \
        icount += 2 - taken_;                                   \
        op = (RISCVOp *)((char *)op + IMM * 8);                 \
        DISPATCH();                                             \
    } while (0)
#define SKIP_OPS(b, taken) \
    LBL(OP_##b##_skip_ADDI):                                    \
        SKIP(taken, r[NX->rs1] + (int64_t)NX->imm);             \
    LBL(OP_##b##_skip_ADDIW):                                   \
        SKIP(taken, sext32(r[NX->rs1] + (int64_t)NX->imm));     \
    LBL(OP_##b##_skip_ADD):                                     \
        SKIP(taken, r[NX->rs1] + r[NX->rs2]);

    DISPATCH();

do_OP_DECODE:
    /* Zeroed slot, or the page-end sentinel met for the first time. */
    if (op->opc == OP_DECODE) {
        riscv_decode_slot(dp, op);
    }
    if (op->form >= RISCV_FORM_SKIP_ADDI) {
        op->hoff = skip_hoffs[op->len == 2][op->form - RISCV_FORM_SKIP_ADDI]
                             [op->opc - OP_BEQ];
    } else {
        op->hoff = hoffs[op->form == RISCV_FORM_NEAR][op->len == 2][op->opc];
    }
    DISPATCH();
do_OP_PAGE_END:
    goto out;
do_OP_CROSS_PAGE: {
        /* Its upper half may fault: tval is then the second page. */
        uint64_t pc = PC();
        hwaddr pa2;
        const uint8_t *host2;
        uint16_t hi;
        uint32_t insn;

        SYNC_PC();
        ex = riscv_fetch_page(env, pc + 2, &pa2, &host2);
        if (ex == RISCV_EXCP_DEBUG_PAGE) {
            ex = RISCV_EXCP_NONE;   /* breakpoints there: same bytes */
        }
        if (ex == RISCV_EXCP_NONE && !host2) {
            /* The upper half is on a device page: read it from there. */
            ex = riscv_fetch_device(env, pc + 2, pa2, &hi);
            host2 = (const uint8_t *)&hi;
        }
        if (ex != RISCV_EXCP_NONE) {
            riscv_raise_exception(env, ex, env->badaddr);
            return BLOCK_DONE;
        }
        insn = riscv_host_load(dp->host + TARGET_PAGE_SIZE - 2, 2) |
               riscv_host_load(host2, 2) << 16;
        riscv_decode(&cross[0], insn);
        cross[0].hoff = hoffs[0][0][cross[0].opc];
        cross[2].opc = OP_PAGE_END;     /* next: a fresh block lookup */
        cross[2].hoff = hoffs[0][0][OP_PAGE_END];
        op = &cross[0];
        pcbias = pc - ((uintptr_t)op >> 3);
        DISPATCH();
    }
do_OP_ILLEGAL:
    RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);
do_OP_FP:
    ex = riscv_fpu_exec(env, op);
    if (unlikely(ex != RISCV_EXCP_NONE)) {
        RAISE(ex, (uint32_t)op->imm);
    }
    icount++;
    op += op->len / 2;
    DISPATCH();
fp_mem_illegal:
    RAISE(RISCV_EXCP_ILLEGAL_INST, riscv_fp_mem_insn(op));
do_OP_BREAKPOINT:
    /* Stop before the instruction, as QEMU does; it runs on resume. */
    SYNC_PC();
    return BLOCK_DEBUG;
watch_hit:
    /* Stop before the access, at the instruction, as QEMU 7.2 does. */
    SYNC_PC();
    return BLOCK_DEBUG;

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
    /* May free @dp (a page gone stale): leave without touching it again. */
    icount++;
    op += op->len / 2;
    SYNC_PC();
    riscv_cpu_fence_i(env);
    return BLOCK_DONE;
do_OP_PAUSE:
    /*
     * Zihintpause: a spin-wait hint.  End the block as QEMU ends its TB,
     * so a spinning hart passes through the interrupt and exit checks of
     * the loop outside, which also yields the host CPU now and then.
     */
    icount++;
    op += op->len / 2;
    SYNC_PC();
    return BLOCK_PAUSE;
do_OP_SFENCE_VMA:
    if (env->priv == PRV_U ||
        (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM))) {
        RAISE(RISCV_EXCP_ILLEGAL_INST, (uint32_t)op->imm);
    }
    riscv_tlb_flush(env);
    icount++;
    op += op->len / 2;
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
    op += op->len / 2;
    SYNC_PC();
    return riscv_cpu_has_pending(env) ? BLOCK_WFI_BUSY : BLOCK_HALT;

do_OP_CSRRW:
do_OP_CSRRS:
do_OP_CSRRC:
    v = RS1;
    goto csr;
do_OP_CSRRWI:
do_OP_CSRRSI:
do_OP_CSRRCI:
    v = op->rs1;
csr: {
        unsigned old_idx = env->data_mmu_idx;
        bool end;

        SYNC_PC();
        ex = riscv_csrrw(env, op->imm, op->opc, v, &slow_val);
        if (ex != RISCV_EXCP_NONE) {
            riscv_raise_exception(env, ex, (uint32_t)op->imm);
            return BLOCK_DONE;
        }
        RD = slow_val;
        /* Most go on (csr.c); -d in_asm and kicks want the end as ever. */
        end = riscv_csr_ends_block(env, op->imm, op->opc, old_idx) ||
              EXIT_REQUESTED();
        icount++;
        op += op->len / 2;
        if (end) {
            goto out;
        }
        DISPATCH();
    }

jump:
    /*
     * An indirect jump, or a direct one leaving the page.  Staying in
     * this page, carry on from the target's slot (pcbias is reset: we may
     * come from cross[]).  Into another page, carry on there too when
     * riscv_chain_page finds it ready to run, as TCG chains its blocks:
     * kernel code calls and returns across pages all the time, and each
     * trip out to riscv_cpu_exec costs a fetch-TLB lookup, a page-cache
     * lookup and the checks around them.
     */
    if (likely(!EXIT_REQUESTED())) {
        if (likely(((a ^ vpage) & TARGET_PAGE_MASK) == 0)) {
            op = &dp->ops[(a & ~TARGET_PAGE_MASK) >> 1];
            pcbias = vpage - ((uintptr_t)dp->ops >> 3);
            DISPATCH();
        }
        if (chain && (next = riscv_chain_lookup(env, fetch_tlb, a))) {
            dp = next;
            vpage = a & TARGET_PAGE_MASK;
            op = &dp->ops[(a & ~TARGET_PAGE_MASK) >> 1];
            pcbias = vpage - ((uintptr_t)dp->ops >> 3);
            DISPATCH();
        }
    }
    env->pc = a;
    env->minstret += icount;
    return BLOCK_DONE;
out:
    SYNC_PC();
    return BLOCK_DONE;
}

/*
 * An instruction outside RAM and ROM.  QEMU runs it too, as a block of one
 * instruction read through the device every time it is reached (a 2-byte
 * read, and a second for a 32-bit instruction, with whatever side effects
 * the device gives reads), so a fetch from the UART or sifive_test, which
 * read as 0, is an illegal instruction, and one from a device that takes
 * only 4-byte accesses is an instruction access fault.  Here the
 * instruction goes into a per-hart scratch page whose every other slot
 * ends the block: nothing is cached, and a jump back reads it again.
 */
static int run_device_insn(CPURISCVState *env, hwaddr paddr)
{
    uint64_t pc = env->pc;
    unsigned slot = (pc & ~TARGET_PAGE_MASK) >> 1;
    RISCVDecodedPage *dp;
    RISCVException ex;
    uint16_t lo, hi = 0;
    int ret;

    ex = riscv_fetch_device(env, pc, paddr, &lo);
    if (ex == RISCV_EXCP_NONE && (lo & 3) == 3) {
        if ((pc + 2) & ~TARGET_PAGE_MASK) {
            ex = riscv_fetch_device(env, pc + 2, paddr + 2, &hi);
        } else {
            const uint8_t *host2;
            hwaddr pa2;

            ex = riscv_fetch_page(env, pc + 2, &pa2, &host2);
            if (ex == RISCV_EXCP_NONE) {
                if (host2) {
                    hi = riscv_host_load(host2, 2);
                } else {
                    ex = riscv_fetch_device(env, pc + 2, pa2, &hi);
                }
            }
        }
        if (ex != RISCV_EXCP_NONE) {
            /* QEMU 7.2 reports the upper half's address as mepc too. */
            env->pc = pc + 2;
        }
    }
    if (ex != RISCV_EXCP_NONE) {
        riscv_raise_exception(env, ex, env->badaddr);
        return BLOCK_DONE;
    }
    if (!env->device_page) {
        env->device_page = riscv_device_page_new();
    }
    dp = env->device_page;
    riscv_decode(&dp->ops[slot], lo | (uint32_t)hi << 16);
    /* The slot may have ended a block before: pick its handler anew. */
    dp->ops[slot].hoff = 0;
    ret = run_block(env, dp, false);
    /* fence.i may have flushed the cache: the scratch page is not in it. */
    riscv_device_page_clear(dp, slot);
    return ret;
}

/*
 * A wfi that found an interrupt pending does not wait, in QEMU as on
 * hardware, even when the hart cannot take it (mstatus.MIE clear): the
 * guest then polls memory around its wfi.  OpenSBI's secondary harts do
 * that until Linux starts them (the wake-up IPI of cold boot stays
 * pending), so 3 of the 4 harts of a -smp 4 boot spin through the
 * kernel's early boot, taking host CPUs from the hart doing the work.
 * After RISCV_WFI_FREE such wfi in a row with no interrupt taken, each
 * one also sleeps, 50 us doubling to 1 ms: the guest sees only a wfi that
 * took longer (nothing bounds that), its poll answered up to 1 ms late.
 * A wfi that waits or an interrupt taken starts the count again, so
 * Linux's idle loop (wfi, then the interrupt is taken) never sleeps here.
 */
#define RISCV_WFI_FREE 64

static void wfi_did_not_wait(CPURISCVState *env)
{
    unsigned n;

    if (env->wfi_busy < UINT_MAX) {
        env->wfi_busy++;
    }
    if (env->wfi_busy <= RISCV_WFI_FREE) {
        return;
    }
    n = MIN(env->wfi_busy - RISCV_WFI_FREE - 1, 5);
    g_usleep(MIN(50 << n, 1000));
}

/*
 * The gdbstub's single-step: exactly one instruction (or the trap it
 * raises), interrupts held off as QEMU's default SSTEP_NOIRQ does, then
 * EXCP_DEBUG.  A wfi steps over without waiting.
 */
static int riscv_cpu_exec_step(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);
    const uint8_t *host;
    RISCVException ex;
    hwaddr paddr;

    ex = riscv_fetch_page(env, env->pc, &paddr, &host);
    if (ex != RISCV_EXCP_NONE && ex != RISCV_EXCP_DEBUG_PAGE) {
        riscv_raise_exception(env, ex, env->badaddr);
        return EXCP_DEBUG;
    }
    if (!host) {
        /* Code on a device runs one instruction at a time anyway. */
        return run_device_insn(env, paddr) == BLOCK_HALT ? EXCP_HLT
                                                         : EXCP_DEBUG;
    }
    run_block(env, riscv_get_step_page(env, host), false);
    return EXCP_DEBUG;
}

int riscv_cpu_exec(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);

    riscv_decode_cfg = &RISCV_CPU(cs)->cfg;

    if (unlikely(cs->singlestep_enabled)) {
        return riscv_cpu_exec_step(cs);
    }
    for (;;) {
        RISCVDecodedPage *dp;
        const uint8_t *host;
        RISCVException ex;
        hwaddr paddr;
        bool nochain;
        int r;

        if (qatomic_read(&cs->exit_request)) {
            return EXCP_INTERRUPT;
        }
        if (unlikely(qatomic_read(&env->mip) & env->mie) &&
            riscv_cpu_exec_interrupt(env)) {
            env->wfi_busy = 0;
        }
        ex = riscv_fetch_page(env, env->pc, &paddr, &host);
        if (likely(ex == RISCV_EXCP_NONE)) {
            if (unlikely(!host)) {
                r = run_device_insn(env, paddr);
                if (r == BLOCK_WFI_BUSY) {
                    wfi_did_not_wait(env);
                    continue;
                }
                if (r == BLOCK_DONE) {
                    continue;
                }
                return r == BLOCK_HALT ? EXCP_HLT : EXCP_DEBUG;
            }
            dp = riscv_get_decoded_page(env, paddr, host);
        } else if (ex == RISCV_EXCP_DEBUG_PAGE) {
            dp = riscv_get_debug_page(env, paddr, host,
                                      env->pc & TARGET_PAGE_MASK);
        } else {
            riscv_raise_exception(env, ex, env->badaddr);
            continue;
        }
        /* The one log check of the hot loop: per block, never per insn. */
        nochain = unlikely(qemu_loglevel_mask(RISCV_LOG_BLOCK_MASK)) &&
                  riscv_log_block(env, dp);
        if (unlikely(nochain)) {
            /*
             * A nonzero exit_request ends the block at its first taken
             * jump (run_block's only check).  Bit 1 is ours: kicks store
             * 1, which we keep, and bit 1 is cleared before the check at
             * the top, so only a real kick makes us return.
             */
            qatomic_or(&cs->exit_request, 2);
        }
        r = run_block(env, dp, true);
        if (unlikely(nochain)) {
            qatomic_and(&cs->exit_request, ~2u);
        }
        switch (r) {
        case BLOCK_DONE:
            break;
        case BLOCK_WFI_BUSY:
            wfi_did_not_wait(env);
            break;
        case BLOCK_PAUSE:
            /*
             * A spinlock's wait loop (Linux's cpu_relax): its holder may
             * be a hart whose thread waits for a host CPU, as KVM's
             * pause-loop exiting assumes.  A yield costs a system call;
             * one per 64 pauses is lost in the spinning.
             */
            if ((++env->pauses & 63) == 0) {
                sched_yield();
            }
            break;
        case BLOCK_HALT:
            env->wfi_busy = 0;
            return EXCP_HLT;
        default:
            return EXCP_DEBUG;
        }
    }
}
