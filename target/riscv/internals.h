/*
 * What the files of target/riscv share and nobody else needs: the decoded
 * instruction format, the block cache, the MMU slow paths and the trap
 * helpers.  Corresponds to QEMU's target/riscv/internals.h (and the
 * helper prototypes of helper.h).  Every function here runs in the hart's
 * own thread unless it says otherwise.
 */
#ifndef TARGET_RISCV_INTERNALS_H
#define TARGET_RISCV_INTERNALS_H

#include "qcore/atomic.h"
#include "qcore/log.h"
#include "cpu.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "guest RAM is accessed as host-order words: little-endian hosts only"
#endif

static inline RISCVCPU *env_archcpu(CPURISCVState *env)
{
    return container_of(env, RISCVCPU, env);
}

static inline CPUState *env_cpu(CPURISCVState *env)
{
    return &env_archcpu(env)->parent_obj;
}

/*
 * Guest RAM through its host pointer.  Naturally aligned accesses are
 * single relaxed atomics (other harts access the same RAM concurrently);
 * misaligned ones, which RISC-V allows and QEMU performs, are byte copies.
 */
static inline uint64_t riscv_host_load_aligned(const void *p, unsigned size)
{
    switch (size) {
    case 1:
        return qatomic_read((const uint8_t *)p);
    case 2:
        return qatomic_read((const uint16_t *)p);
    case 4:
        return qatomic_read((const uint32_t *)p);
    default:
        return qatomic_read((const uint64_t *)p);
    }
}

static inline void riscv_host_store_aligned(void *p, unsigned size,
                                            uint64_t v)
{
    switch (size) {
    case 1:
        qatomic_set((uint8_t *)p, v);
        return;
    case 2:
        qatomic_set((uint16_t *)p, v);
        return;
    case 4:
        qatomic_set((uint32_t *)p, v);
        return;
    default:
        qatomic_set((uint64_t *)p, v);
        return;
    }
}

static inline uint64_t riscv_host_load(const void *p, unsigned size)
{
    uint64_t v = 0;

    if (likely(((uintptr_t)p & (size - 1)) == 0)) {
        return riscv_host_load_aligned(p, size);
    }
    memcpy(&v, p, size);
    return v;
}

static inline void riscv_host_store(void *p, unsigned size, uint64_t v)
{
    if (likely(((uintptr_t)p & (size - 1)) == 0)) {
        riscv_host_store_aligned(p, size, v);
        return;
    }
    memcpy(p, &v, size);
}

/* ---- Decoded instructions -------------------------------------------- */

/*
 * The F and D instructions other than loads and stores, all run by
 * riscv_fpu_exec(): rd/rs1/rs2 name f or x registers as the instruction
 * does, RISCVOp.rs3 and .rm hold the third source and the rounding mode
 * field, imm the instruction (for mtval).
 */
#define RISCV_FP_OPS(X) \
    X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S) \
    X(FADD_S) X(FSUB_S) X(FMUL_S) X(FDIV_S) X(FSQRT_S) \
    X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S) X(FMAX_S) \
    X(FCVT_W_S) X(FCVT_WU_S) X(FCVT_L_S) X(FCVT_LU_S) \
    X(FCVT_S_W) X(FCVT_S_WU) X(FCVT_S_L) X(FCVT_S_LU) \
    X(FMV_X_W) X(FMV_W_X) X(FEQ_S) X(FLT_S) X(FLE_S) X(FCLASS_S) \
    X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D) \
    X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D) X(FSQRT_D) \
    X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D) X(FMAX_D) \
    X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_L_D) X(FCVT_LU_D) \
    X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_D_L) X(FCVT_D_LU) \
    X(FMV_X_D) X(FMV_D_X) X(FEQ_D) X(FLT_D) X(FLE_D) X(FCLASS_D) \
    X(FCVT_S_D) X(FCVT_D_S)

/*
 * What a decoded instruction does.  Compressed instructions expand to the
 * same operations as their 32-bit forms (only @len differs).
 */
typedef enum RISCVOpc {
    OP_DECODE = 0,      /* not decoded yet: must be 0 (pages start zeroed) */
    OP_PAGE_END,        /* sentinel after the last slot of a page */
    OP_CROSS_PAGE,      /* a 32-bit instruction whose upper half is on the
                           next page: fetched and decoded every time */
    OP_ILLEGAL,         /* imm: the instruction bits (for mtval) */
    OP_BREAKPOINT,      /* a gdb breakpoint (debug view of a page only) */

    OP_LUI, OP_AUIPC, OP_JAL, OP_JALR,
    OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
    OP_SB, OP_SH, OP_SW, OP_SD,
    OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI,
    OP_SLLI, OP_SRLI, OP_SRAI,
    OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA,
    OP_OR, OP_AND,
    OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW,
    OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    OP_LR_W, OP_LR_D, OP_SC_W, OP_SC_D,
    OP_AMO_W, OP_AMO_D,     /* imm: funct5 (RISCV_AMO_*) */
    OP_FENCE, OP_FENCE_I,
    OP_ECALL, OP_EBREAK, OP_MRET, OP_SRET, OP_WFI, OP_SFENCE_VMA,
    OP_CSRRW, OP_CSRRS, OP_CSRRC,   /* imm: CSR number (+ insn, see below) */
    OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,/* rs1 holds the 5-bit immediate */

    /* ---- Zba, Zbb, Zbc, Zbs (decode_bitmanip, exec-ops-zb.c.inc) ---- */
    OP_ADD_UW, OP_SH1ADD, OP_SH2ADD, OP_SH3ADD,
    OP_SH1ADD_UW, OP_SH2ADD_UW, OP_SH3ADD_UW, OP_SLLI_UW,
    OP_ANDN, OP_ORN, OP_XNOR,
    OP_CLZ, OP_CLZW, OP_CTZ, OP_CTZW, OP_CPOP, OP_CPOPW,
    OP_MAX, OP_MAXU, OP_MIN, OP_MINU, OP_SEXT_B, OP_SEXT_H, OP_ZEXT_H,
    OP_ROL, OP_ROLW, OP_ROR, OP_RORW, OP_RORI, OP_RORIW, OP_ORC_B, OP_REV8,
    OP_CLMUL, OP_CLMULH, OP_CLMULR,
    OP_BCLR, OP_BCLRI, OP_BEXT, OP_BEXTI, OP_BINV, OP_BINVI,
    OP_BSET, OP_BSETI,
    /* ---- Zihintpause ---- */
    OP_PAUSE,
    /* F and D (fpu_helper.c): memory accesses, imm the offset */
    OP_FLW, OP_FLD, OP_FSW, OP_FSD,
#define X_ENUM(x) OP_##x,
    RISCV_FP_OPS(X_ENUM)
#undef X_ENUM

    OP_COUNT
} RISCVOpc;

/*
 * How a JAL or branch of a decoded page is run (riscv_decode_slot knows
 * where it sits in its page; riscv_decode leaves RISCV_FORM_PLAIN).
 */
typedef enum RISCVOpForm {
    RISCV_FORM_PLAIN = 0,       /* the target is in another page */
    RISCV_FORM_NEAR,            /* in this page: straight to its slot */
    /*
     * A branch over exactly one ADDI, ADDIW or ADD (the next slot): run
     * as one predicated operation, the way SiFive's 7-series cores fuse a
     * "short forward branch", so no host branch can be mispredicted.
     */
    RISCV_FORM_SKIP_ADDI,
    RISCV_FORM_SKIP_ADDIW,
    RISCV_FORM_SKIP_ADD,
} RISCVOpForm;

/* AMO funct5 values. */
enum {
    RISCV_AMO_ADD = 0x00, RISCV_AMO_SWAP = 0x01, RISCV_AMO_XOR = 0x04,
    RISCV_AMO_OR = 0x08, RISCV_AMO_AND = 0x0c, RISCV_AMO_MIN = 0x10,
    RISCV_AMO_MAX = 0x14, RISCV_AMO_MINU = 0x18, RISCV_AMO_MAXU = 0x1c,
};

/*
 * One decoded instruction: 16 bytes, so a page of them is 32 KiB.  @rd is
 * 32 (the sink register) when the instruction names x0 as destination.
 * For CSR instructions @imm is the raw instruction (the CSR number is its
 * top 12 bits, and mtval needs the whole word on an illegal access).
 */
typedef struct RISCVOp {
    uint8_t opc;
    uint8_t rd;
    uint8_t rs1;
    uint8_t rs2;
    uint8_t len;                /* 2 or 4 */
    uint8_t form;               /* RISCVOpForm: set by riscv_decode_slot */
    uint8_t rs3;                /* F/D: the third source of fmadd... */
    uint8_t rm;                 /* F/D: the rounding mode field */
    int32_t imm;
    /*
     * Direct threading (exec.c): the handler's address as an offset from
     * the OP_DECODE handler, filled in by run_block when it first meets
     * the slot.  0 (a zeroed slot) dispatches to the decoder.
     */
    int32_t hoff;
} __attribute__((aligned(16))) RISCVOp;

/*
 * Does the F/D operation @opc write an x register (fcvt to integer, fmv.x,
 * compares, fclass; rd 0 is then the sink) rather than an f register
 * (where 0 is f0)?  translate.c.
 */
bool riscv_fp_writes_x(RISCVOpc opc);

/* Does @opc write an f register (rd names f0..f31, f0 included)? */
#define RISCV_OP_WRITES_F(opc) \
    ((opc) == OP_FLW || (opc) == OP_FLD || \
     ((opc) >= OP_FMADD_S && (opc) <= OP_FCVT_D_S && \
      !riscv_fp_writes_x(opc)))

/*
 * Decode one instruction (16-bit ones in the low half of @insn).  An
 * instruction of an extension riscv_decode_cfg turns off decodes as
 * illegal.
 */
void riscv_decode(RISCVOp *op, uint32_t insn);

/*
 * The configuration of the hart this thread decodes for (set by
 * riscv_cpu_exec; NULL: everything on).  A thread runs one hart.
 */
extern __thread const RISCVCPUConfig *riscv_decode_cfg;

/* Does @cfg have the extension opcode @opc belongs to?  (cpu.c) */
bool riscv_cpu_opc_allowed(const RISCVCPUConfig *cfg, unsigned opc);

/* misa for @cfg (cpu.c). */
uint64_t riscv_cpu_misa(const RISCVCPUConfig *cfg);

/* ---- The block cache (translate.c) ------------------------------------ */

#define RISCV_PAGE_SLOTS (TARGET_PAGE_SIZE / 2)

/*
 * A physical page some hart has decoded code from, in translate.c's
 * registry (under its code_lock).  Here so that block entry reads @gen
 * inline.
 */
typedef struct CodePage {
    hwaddr ppn;                 /* key; immutable */
    uint32_t gen;               /* atomic: bumped when decoded bytes change */
    uint64_t chunks;            /* atomic: 64-byte chunks with decoded code */
    unsigned refs;              /* code_lock: decoded pages using us */
} CodePage;

/*
 * The decoded instructions of one physical page of RAM, owned by one
 * hart: slot i holds the instruction at byte offset 2*i.  A "block" is
 * simply the run of slots from an entry point to the next branch, jump,
 * system instruction or the end of the page.
 */
struct RISCVDecodedPage {
    hwaddr paddr;
    const uint8_t *host;        /* the page's bytes in RAM */
    CodePage *shared;           /* registry entry (writes bump its gen) */
    uint32_t gen;               /* shared->gen when the slots were valid */
    /*
     * A debug view (paddr has bit 0 set): the page as run from virtual
     * page @bp_vpage, with OP_BREAKPOINT in the slots of its breakpoints.
     */
    uint64_t bp_vpage;
    /*
     * For fence.i (translate.c): env->fence_count when the page was last
     * found unchanged, the page's bytes as they were when the slots were
     * emptied, and whether some slot was decoded from other bytes than
     * those (a write that bypassed the store path, e.g. DMA).
     */
    uint32_t fence_seen;
    bool snap_broken;
    uint64_t snap[TARGET_PAGE_SIZE / 8];    /* words: compared as such */
    RISCVOp ops[RISCV_PAGE_SLOTS + 1];  /* + the OP_PAGE_END sentinel */
    /*
     * -d in_asm: a bit per slot, set once the block starting there was
     * shown; NULL until then.  After ops[] so that ops keeps its place.
     */
    uint64_t *in_asm_shown;
};

/* The -d items that look at each block entry (exec-log.c). */
#define RISCV_LOG_BLOCK_MASK \
    (CPU_LOG_TB_IN_ASM | CPU_LOG_EXEC | CPU_LOG_TB_CPU | CPU_LOG_TB_NOCHAIN)

/*
 * Log the block about to run from env->pc in @dp (in_asm the first time,
 * exec and cpu each time, within -dfilter).  Returns whether the block
 * must not chain: exec.c then leaves it at the first taken jump.
 */
bool riscv_log_block(CPURISCVState *env, RISCVDecodedPage *dp);

/*
 * The decoded page for physical page @paddr whose bytes are at @host,
 * with every slot still valid (emptied if a store hit it since).
 */
RISCVDecodedPage *riscv_get_decoded_page(CPURISCVState *env, hwaddr paddr,
                                         const uint8_t *host);

/* The slot of env->page_cache for @key (a physical page, or a debug view). */
static inline RISCVDecodedPage **riscv_page_cache_slot(CPURISCVState *env,
                                                       hwaddr key)
{
    return &env->page_cache[(key >> TARGET_PAGE_BITS) %
                            RISCV_PAGE_CACHE_SIZE];
}

/*
 * The scratch page for an instruction read from a device (exec.c): every
 * slot, and one past the page, ends the block; no bytes, no registry.
 * _clear puts a slot back to that.  Freed with g_free.
 */
RISCVDecodedPage *riscv_device_page_new(void);
void riscv_device_page_clear(RISCVDecodedPage *dp, unsigned slot);

/*
 * The debug view of physical page @paddr run from virtual page @vpage,
 * which holds breakpoints (riscv_fetch_page said RISCV_EXCP_DEBUG_PAGE):
 * its slots at breakpoints are OP_BREAKPOINT.  Kept apart from the plain
 * page, so the plain page's loops pay nothing for breakpoints elsewhere.
 */
RISCVDecodedPage *riscv_get_debug_page(CPURISCVState *env, hwaddr paddr,
                                       const uint8_t *host, uint64_t vpage);

/*
 * A page to run exactly one instruction, the one at env->pc (@host: the
 * bytes of its page): every other slot ends the block.
 */
RISCVDecodedPage *riscv_get_step_page(CPURISCVState *env,
                                      const uint8_t *host);

/*
 * fence.i: later block entries see every write made before it, by any
 * hart or device.  Each decoded page is compared with its bytes when the
 * hart next enters it and emptied only if they changed.
 */
void riscv_cpu_fence_i(CPURISCVState *env);

/* Decode the slot @op of @dp in place. */
void riscv_decode_slot(RISCVDecodedPage *dp, RISCVOp *op);

/* Has a store hit @dp since its slots were decoded? */
static inline uint32_t riscv_code_page_gen(const RISCVDecodedPage *dp)
{
    /* Acquire: a hart that sees the new gen sees the new bytes. */
    return qatomic_load_acquire(&dp->shared->gen);
}

/*
 * Filter for the store path: nonzero when physical page @ppn may hold
 * cached code (a counter per slot of a hash of page numbers).  Any thread.
 */
#define RISCV_CODE_FILTER_BITS 20
extern uint16_t riscv_code_filter[1 << RISCV_CODE_FILTER_BITS];

static inline const uint16_t *riscv_code_filter_slot(hwaddr paddr)
{
    hwaddr ppn = paddr >> TARGET_PAGE_BITS;
    return &riscv_code_filter[ppn & ((1 << RISCV_CODE_FILTER_BITS) - 1)];
}

static inline bool riscv_page_may_have_code(hwaddr paddr)
{
    return qatomic_read(riscv_code_filter_slot(paddr)) != 0;
}

/*
 * A store of @size bytes hit physical address @paddr, on a page that may
 * hold code: make every hart that decoded those bytes decode them again
 * (each is made to leave its block, cpu_exit_all).  Any thread.
 */
void riscv_code_written(hwaddr paddr, unsigned size);

/* ---- MMU and memory access (mmu.c) ------------------------------------ */

/* Which TLB set data accesses use: the effective privilege (MPRV). */
void riscv_cpu_update_mmu_idx(CPURISCVState *env);

static inline unsigned riscv_mmu_idx_of(uint64_t priv)
{
    return priv == PRV_M ? MMU_IDX_M : priv == PRV_S ? MMU_IDX_S : MMU_IDX_U;
}

/*
 * Translate @vaddr for an access of @size bytes and @type at TLB set
 * @mmu_idx: the physical address, or the exception to raise (page fault;
 * access fault when PMP forbids the access or a page-table read, or a
 * page-table entry cannot be read).
 */
RISCVException riscv_translate(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, MMUAccessType type,
                               unsigned mmu_idx, hwaddr *paddr);

/* CPUClass::get_phys_page_debug (mmu.c). */
int64_t riscv_cpu_get_phys_page_debug(CPUState *cs, uint64_t addr);

/* The entry of TLB set @tlb (one mmu_idx and access type) for @vaddr. */
static inline RISCVTLBEntry *riscv_tlb_entry(RISCVTLBEntry *tlb,
                                             uint64_t vaddr)
{
    return &tlb[(vaddr >> TARGET_PAGE_BITS) & (RISCV_TLB_SIZE - 1)];
}

/*
 * Does @e map @vaddr for a naturally aligned access of @size bytes?  A
 * misaligned address keeps low bits the tag never has, so one compare
 * also sends every misaligned access to the slow path (which performs it).
 */
static inline bool riscv_tlb_hit(const RISCVTLBEntry *e, uint64_t vaddr,
                                 unsigned size)
{
    return e->tag == (vaddr & (TARGET_PAGE_MASK | (size - 1)));
}

/*
 * The host address of RAM at @vaddr for a naturally aligned access of
 * @size bytes from the TLB, or NULL.
 */
static inline void *riscv_tlb_host(CPURISCVState *env, uint64_t vaddr,
                                   unsigned size, MMUAccessType type,
                                   unsigned mmu_idx, RISCVTLBEntry **pe)
{
    RISCVTLBEntry *e = riscv_tlb_entry(env->tlb[mmu_idx][type], vaddr);

    if (likely(riscv_tlb_hit(e, vaddr, size))) {
        *pe = e;
        return (void *)(e->addend + (uintptr_t)vaddr);
    }
    return NULL;
}

/*
 * Is @dp, found in the page cache for physical page @paddr, that page's
 * and ready to run as it is: no store hit its bytes and no fence.i came
 * since it was last checked?  riscv_get_decoded_page's fast path, and all
 * that chaining may rely on.
 */
static inline bool riscv_decoded_page_ready(CPURISCVState *env,
                                            const RISCVDecodedPage *dp,
                                            hwaddr paddr)
{
    return dp && dp->paddr == paddr && dp->fence_seen == env->fence_count &&
           riscv_code_page_gen(dp) == dp->gen;
}

/*
 * Chaining across pages (exec.c): the decoded page to go on in at @pc, a
 * jump target outside the running page, if every check of a block entry
 * in riscv_cpu_exec would pass without work.  That is: @pc's page is in
 * the fetch TLB @fetch_tlb (so it is RAM, whole under PMP and without
 * breakpoints), its decoded page is in the hart's page cache, no store
 * hit it and no fence.i came since it was last checked.  NULL otherwise:
 * the jump then leaves run_block, and riscv_fetch_page with
 * riscv_get_decoded_page, the plain path, do the work.
 */
static inline RISCVDecodedPage *riscv_chain_page(CPURISCVState *env,
                                                 RISCVTLBEntry *fetch_tlb,
                                                 uint64_t pc)
{
    const RISCVTLBEntry *e = riscv_tlb_entry(fetch_tlb, pc);
    RISCVDecodedPage *dp;

    if (!riscv_tlb_hit(e, pc, 1)) {
        return NULL;
    }
    dp = *riscv_page_cache_slot(env, e->paddr);
    return riscv_decoded_page_ready(env, dp, e->paddr) ? dp : NULL;
}

typedef struct RISCVJmpCacheEntry RISCVJmpCacheEntry;

/*
 * The same answer as riscv_chain_page, first from env->jmp_cache (the
 * fast path; riscv_chain_page is its specification, and fills it).
 */
static inline RISCVDecodedPage *riscv_chain_lookup(CPURISCVState *env,
                                                   RISCVTLBEntry *fetch_tlb,
                                                   uint64_t pc)
{
    RISCVJmpCacheEntry *j = &env->jmp_cache[(pc >> TARGET_PAGE_BITS) %
                                            RISCV_JMP_CACHE_SIZE];
    uint64_t tag = (pc & TARGET_PAGE_MASK) | env->priv;
    RISCVDecodedPage *dp;

    if (likely(j->tag == tag && j->epoch == env->chain_epoch &&
               qatomic_load_acquire(j->gen) == j->dp_gen)) {
        return j->dp;
    }
    dp = riscv_chain_page(env, fetch_tlb, pc);
    if (dp) {
        *j = (RISCVJmpCacheEntry) {
            .tag = tag, .dp = dp, .gen = &dp->shared->gen,
            .dp_gen = dp->gen, .epoch = env->chain_epoch,
        };
    }
    return dp;
}

/*
 * Forget every jmp_cache entry: the TLB was flushed, or decoded pages may
 * be gone (fence.i, the code cache emptied).
 */
static inline void riscv_chain_forget(CPURISCVState *env)
{
    if (unlikely(++env->chain_epoch == 0)) {
        /* Wrapped: an entry from 2^32 bumps ago would look current. */
        memset(env->jmp_cache, 0, sizeof(env->jmp_cache));
        env->chain_epoch = 1;
    }
}

/*
 * Loads and stores that missed the TLB (or cross a page, or hit MMIO):
 * translate, fill the TLB for RAM, access.  Return RISCV_EXCP_NONE or the
 * exception, with env->badaddr the address to report in tval.
 */
RISCVException riscv_load_slow(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, uint64_t *val);
RISCVException riscv_store_slow(CPURISCVState *env, uint64_t vaddr,
                                unsigned size, uint64_t val);

/*
 * Before an access the slow path is about to do (AMO, SC): would it hit
 * one of the gdbstub's watchpoints (@flags BP_MEM_READ/WRITE)?  Then
 * RISCV_EXCP_WATCHPOINT: the hart stops at the instruction, nothing done.
 * riscv_load_slow and riscv_store_slow check by themselves.
 */
RISCVException riscv_check_watchpoint(CPURISCVState *env, uint64_t vaddr,
                                      unsigned size, int flags);

/*
 * Translate a fetch of the page holding @pc: its RAM bytes and physical
 * address; or, when @pc is not in RAM or ROM, *@host NULL and *@paddr the
 * physical address of @pc itself (riscv_fetch_device reads it); or the
 * exception, with env->badaddr set.  A page holding breakpoints gives
 * RISCV_EXCP_DEBUG_PAGE with both filled in: run it from
 * riscv_get_debug_page().
 */
RISCVException riscv_fetch_page(CPURISCVState *env, uint64_t pc,
                                hwaddr *paddr, const uint8_t **host);

/*
 * Read the halfword of code at @pc (physical @paddr, not RAM): a 2-byte
 * device read, as QEMU's translator does for code outside RAM.  A device
 * that refuses it gives an instruction access fault at @pc.
 */
RISCVException riscv_fetch_device(CPURISCVState *env, uint64_t pc,
                                  hwaddr paddr, uint16_t *half);

/*
 * Translate @vaddr for a read-modify-write (AMO, SC): *@host is the RAM
 * to operate on atomically, or NULL for MMIO/unmapped (*@paddr then says
 * where).  Faults as a store.  @vaddr must be aligned.
 */
RISCVException riscv_probe_rmw(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, void **host, hwaddr *paddr);

/* Physical load and store through the address space (MMIO included). */
uint64_t riscv_phys_load(CPURISCVState *env, hwaddr paddr, unsigned size,
                         MemTxResult *res);
void riscv_phys_store(CPURISCVState *env, hwaddr paddr, unsigned size,
                      uint64_t val, MemTxResult *res);

/* ---- Physical memory protection (pmp.c) ------------------------------ */

/* All entries off (reset). */
void riscv_pmp_reset(CPURISCVState *env);
/* CSR writes: pmpcfg0 (@reg 0) or pmpcfg2 (2); pmpaddr@i. */
void riscv_pmpcfg_write(CPURISCVState *env, unsigned reg, uint64_t val);
void riscv_pmpaddr_write(CPURISCVState *env, unsigned i, uint64_t val);
/* May a hart in @priv access [@addr, @addr + @size) for @type? */
bool riscv_pmp_allows(const CPURISCVState *env, hwaddr addr, uint64_t size,
                      MMUAccessType type, unsigned priv);
/* The same for every access inside physical page @page (TLB fills). */
bool riscv_pmp_page_allows(const CPURISCVState *env, hwaddr page,
                           MMUAccessType type, unsigned priv);
/* May mret return to @prev_priv (QEMU 7.2: not with no active entry)? */
bool riscv_pmp_mret_allowed(const CPURISCVState *env, unsigned prev_priv);

/* ---- Atomics (op_helper.c) --------------------------------------------- */

/* What the AMO @funct5 stores, from the old value and rs2, at @size. */
static inline uint64_t riscv_amo_compute(unsigned funct5, unsigned size,
                                         uint64_t old, uint64_t src)
{
    int64_t so = size == 4 ? (int32_t)old : (int64_t)old;
    int64_t ss = size == 4 ? (int32_t)src : (int64_t)src;
    uint64_t uo = size == 4 ? (uint32_t)old : old;
    uint64_t us = size == 4 ? (uint32_t)src : src;

    switch (funct5) {
    case RISCV_AMO_ADD:
        return old + src;
    case RISCV_AMO_SWAP:
        return src;
    case RISCV_AMO_XOR:
        return old ^ src;
    case RISCV_AMO_OR:
        return old | src;
    case RISCV_AMO_AND:
        return old & src;
    case RISCV_AMO_MIN:
        return so < ss ? old : src;
    case RISCV_AMO_MAX:
        return so > ss ? old : src;
    case RISCV_AMO_MINU:
        return uo < us ? old : src;
    default:
        return uo > us ? old : src;
    }
}

/* riscv_host_amo's body, per operand type. */
#define RISCV_HOST_AMO(type, p, funct5, src, out) do {                    \
        type *p_ = (type *)(p);                                           \
        type s_ = (type)(src), o_;                                        \
        switch (funct5) {                                                 \
        case RISCV_AMO_ADD:                                               \
            o_ = __atomic_fetch_add(p_, s_, __ATOMIC_SEQ_CST);            \
            break;                                                        \
        case RISCV_AMO_SWAP:                                              \
            o_ = __atomic_exchange_n(p_, s_, __ATOMIC_SEQ_CST);           \
            break;                                                        \
        case RISCV_AMO_XOR:                                               \
            o_ = __atomic_fetch_xor(p_, s_, __ATOMIC_SEQ_CST);            \
            break;                                                        \
        case RISCV_AMO_OR:                                                \
            o_ = __atomic_fetch_or(p_, s_, __ATOMIC_SEQ_CST);             \
            break;                                                        \
        case RISCV_AMO_AND:                                               \
            o_ = __atomic_fetch_and(p_, s_, __ATOMIC_SEQ_CST);            \
            break;                                                        \
        default:                                                          \
            /* min/max: compare-and-swap until no one raced with us */    \
            o_ = __atomic_load_n(p_, __ATOMIC_RELAXED);                   \
            while (!__atomic_compare_exchange_n(                          \
                        p_, &o_,                                          \
                        (type)riscv_amo_compute(funct5, sizeof(type),     \
                                                o_, s_),                  \
                        false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {     \
            }                                                             \
            break;                                                        \
        }                                                                 \
        (out) = o_;                                                       \
    } while (0)

/*
 * The AMO @funct5 on RAM at @host, as one host atomic operation (what
 * TCG does too); the old value, zero-extended.  Used by riscv_amo and by
 * exec.c's fast path, which calls it for a store-TLB hit.
 */
static inline uint64_t riscv_host_amo(void *host, unsigned funct5,
                                      unsigned size, uint64_t src)
{
    if (size == 4) {
        uint32_t o;

        RISCV_HOST_AMO(uint32_t, host, funct5, src, o);
        return o;
    } else {
        uint64_t o;

        RISCV_HOST_AMO(uint64_t, host, funct5, src, o);
        return o;
    }
}
#undef RISCV_HOST_AMO

RISCVException riscv_amo(CPURISCVState *env, unsigned funct5, unsigned size,
                         uint64_t vaddr, uint64_t src, uint64_t *old);
RISCVException riscv_lr(CPURISCVState *env, unsigned size, uint64_t vaddr,
                        uint64_t *val);
RISCVException riscv_sc(CPURISCVState *env, unsigned size, uint64_t vaddr,
                        uint64_t src, uint64_t *result);

/* ---- F and D (fpu_helper.c) ------------------------------------------ */

/*
 * Run the F/D instruction @op (one of RISCV_FP_OPS): RISCV_EXCP_NONE, or
 * RISCV_EXCP_ILLEGAL_INST when the FPU is off (mstatus.FS) or the rounding
 * mode is invalid.
 */
RISCVException riscv_fpu_exec(CPURISCVState *env, const RISCVOp *op);

/*
 * May F/D instructions run (mstatus.FS not Off)?  Without misa.F, FS
 * cannot leave Off (csr.c), so this is the whole check.
 */
static inline bool riscv_fpu_enabled(const CPURISCVState *env)
{
    return env->mstatus & MSTATUS_FS;
}

/* The instruction bits of the FP load or store @op (mtval when FS=Off). */
uint32_t riscv_fp_mem_insn(const RISCVOp *op);

/* A single into a 64-bit f register, and back (non-boxed: canonical NaN). */
static inline uint64_t riscv_nanbox_s(uint32_t v)
{
    return 0xffffffff00000000ULL | v;
}

static inline uint32_t riscv_unbox_s(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u;
}

/* ---- Traps, interrupts, CSRs, privileged instructions (op_helper.c) --- */

/* The events QEMU 7.2's PMU can map to an hpm counter (csr.c). */
enum {
    RISCV_PMU_EVENT_CYCLES,
    RISCV_PMU_EVENT_INSTRUCTIONS,
    RISCV_PMU_EVENT_DTLB_READ_MISS,
    RISCV_PMU_EVENT_DTLB_WRITE_MISS,
    RISCV_PMU_EVENT_ITLB_MISS,
};

/* One more @event: bump the counter it is mapped to, if any (csr.c). */
void riscv_pmu_count_event(CPURISCVState *env, unsigned event);

/*
 * stimecmp was written (Sstc, cpu.c): STIP now if time >= stimecmp, else
 * lower it and arm the hart's timer for when time gets there.
 */
void riscv_cpu_stimecmp_changed(CPURISCVState *env);


/*
 * Take exception @cause with @tval at env->pc (the faulting instruction):
 * updates the trap CSRs, privilege and env->pc.
 */
void riscv_raise_exception(CPURISCVState *env, RISCVException cause,
                           uint64_t tval);

/* Take the highest-priority enabled pending interrupt, if any. */
bool riscv_cpu_exec_interrupt(CPURISCVState *env);

/*
 * The CSR instruction @insn (at env->pc) with operand @src: returns the
 * exception (illegal instruction) or writes *@rd_val.
 */
RISCVException riscv_csrrw(CPURISCVState *env, uint32_t insn, int opc,
                           uint64_t src, uint64_t *rd_val);

/*
 * After the CSR instruction @insn succeeded, with data_mmu_idx
 * @old_data_mmu_idx before it: must the block end (exec.c)?
 */
bool riscv_csr_ends_block(CPURISCVState *env, uint32_t insn, int opc,
                          unsigned old_data_mmu_idx);

/*
 * The debugger's access to CSR @csrno (gdbstub): read into *@val, or
 * write *@val, with M-mode's rights and no trap; RISCV_EXCP_NONE if the
 * CSR exists (and, for a write, is writable).  BQL, hart stopped.
 */
RISCVException riscv_csrrw_debug(CPURISCVState *env, unsigned csrno,
                                 uint64_t *val, bool write);

/*
 * The register dump of "info registers" (@fpu: with f0..f31, as QEMU's
 * CPU_DUMP_FPU), -d cpu and -d cpu_reset (without).  cpu.c.
 */
void riscv_cpu_dump_regs(CPUState *cs, GString *out, bool fpu);

/* CPUClass's gdbstub hooks (gdbstub.c). */
void riscv_cpu_gdb_init(CPUClass *cc);

/* mret / sret: RISCV_EXCP_NONE with env->pc set, or illegal. */
RISCVException riscv_mret(CPURISCVState *env);
RISCVException riscv_sret(CPURISCVState *env);

/* Is an enabled interrupt pending?  (has_work, wfi) */
bool riscv_cpu_has_pending(CPURISCVState *env);

#endif
