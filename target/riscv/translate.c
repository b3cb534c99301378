/*
 * Decoding and the block cache: every instruction is decoded once into a
 * 16-byte RISCVOp, kept per hart in an array per physical page, and run
 * from there by the interpreter (exec.c) until a store or fence.i makes
 * it stale.  Compressed instructions are expanded here, at decode.
 * Corresponds to QEMU's target/riscv/translate.c (with insn32.decode and
 * insn16.decode) and, for the cache, accel/tcg/tb-maint.c.
 *
 * Invalidation, across harts:
 *  - A shared registry (code_registry, under code_lock) has one CodePage
 *    per physical page that some hart has decoded code from: a generation
 *    number and a mask of the 64-byte chunks holding decoded code.
 *  - riscv_code_filter[] counts registered pages per hash slot, so the
 *    store path of every hart can tell with one load that a page holds no
 *    code.  When it may, riscv_code_written() bumps the generation if the
 *    store hit decoded bytes.
 *  - A hart compares its page's generation with the registry's each time
 *    it enters a block, and empties the page's slots when they differ.
 *    A bump also sets every hart's exit_request, which exec.c checks at
 *    each taken branch, so a store by any hart is seen at the next taken
 *    branch; in straight-line code, as on hardware, only fence.i makes new
 *    code visible.
 *  - Writes that bypass the store path (DMA, the gdbstub, the loader) are
 *    caught by fence.i: each decoded page keeps a copy of the bytes it was
 *    decoded from, and the hart's first entry after a fence.i compares the
 *    page with it (riscv_cpu_fence_i, below).
 */
#include "qcore/osdep.h"
#include "qcore/thread.h"
#include "internals.h"

/* ---- The registry of pages holding code -------------------------------- */

uint16_t riscv_code_filter[1 << RISCV_CODE_FILTER_BITS];

static QemuMutex code_lock;
static GHashTable *code_registry;   /* ppn -> CodePage *; code_lock */

static void __attribute__((constructor)) code_registry_init(void)
{
    qemu_mutex_init(&code_lock);
    code_registry = g_hash_table_new(g_int64_hash, g_int64_equal);
}

static unsigned code_filter_slot(hwaddr ppn)
{
    return ppn & ((1 << RISCV_CODE_FILTER_BITS) - 1);
}

static CodePage *code_page_ref(hwaddr ppn)
{
    CodePage *cp;

    qemu_mutex_lock(&code_lock);
    cp = g_hash_table_lookup(code_registry, &ppn);
    if (!cp) {
        cp = g_new0(CodePage, 1);
        cp->ppn = ppn;
        g_hash_table_insert(code_registry, &cp->ppn, cp);
        /*
         * Stores that start after this see the filter set.  A store racing
         * with the creation may be missed; it is not visible to fetches
         * architecturally either until the hart runs fence.i.
         */
        qatomic_inc(&riscv_code_filter[code_filter_slot(ppn)]);
    }
    cp->refs++;
    qemu_mutex_unlock(&code_lock);
    return cp;
}

static void code_page_unref(CodePage *cp)
{
    qemu_mutex_lock(&code_lock);
    if (--cp->refs == 0) {
        g_hash_table_remove(code_registry, &cp->ppn);
        qatomic_dec(&riscv_code_filter[code_filter_slot(cp->ppn)]);
        g_free(cp);
    }
    qemu_mutex_unlock(&code_lock);
}

void riscv_code_written(hwaddr paddr, unsigned size)
{
    hwaddr ppn = paddr >> TARGET_PAGE_BITS;
    unsigned first = (paddr & ~TARGET_PAGE_MASK) >> 6;
    unsigned last = ((paddr & ~TARGET_PAGE_MASK) + size - 1) >> 6;
    uint64_t mask;
    CodePage *cp;
    bool stale = false;

    last = MIN(last, 63);
    mask = (last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1) &
           ~((1ULL << first) - 1);

    qemu_mutex_lock(&code_lock);
    cp = g_hash_table_lookup(code_registry, &ppn);
    if (cp) {
        /*
         * Our store before the load of @chunks; pairs with the qatomic_or
         * before the instruction bytes are read in riscv_decode_slot.
         */
        smp_mb();
        if (qatomic_read(&cp->chunks) & mask) {
            qatomic_set(&cp->chunks, 0);
            /* Release: a hart that sees the new gen sees the new bytes. */
            qatomic_store_release(&cp->gen, cp->gen + 1);
            stale = true;
        }
    }
    qemu_mutex_unlock(&code_lock);
    if (stale) {
        /* Harts running those bytes look at the generation again. */
        cpu_exit_all();
    }
}

/* ---- The per-hart cache of decoded pages ------------------------------ */

static void decoded_page_free(gpointer p)
{
    RISCVDecodedPage *dp = p;

    code_page_unref(dp->shared);
    g_free(dp->in_asm_shown);
    g_free(dp);
}

void riscv_cpu_flush_code_cache(CPURISCVState *env)
{
    riscv_chain_forget(env);
    memset(env->page_cache, 0, sizeof(env->page_cache));
    if (!env->code_pages) {
        env->code_pages = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                NULL, decoded_page_free);
    }
    g_hash_table_remove_all(env->code_pages);
}

RISCVDecodedPage *riscv_device_page_new(void)
{
    /* One slot more than a page: a 32-bit instruction in its last slot. */
    RISCVDecodedPage *dp = g_malloc0(sizeof(*dp) + sizeof(RISCVOp));

    for (unsigned i = 0; i < RISCV_PAGE_SLOTS + 2; i++) {
        riscv_device_page_clear(dp, i);
    }
    return dp;
}

void riscv_device_page_clear(RISCVDecodedPage *dp, unsigned slot)
{
    /* Through a pointer: the extra slot lies past the declared array. */
    RISCVOp *ops = dp->ops;

    ops[slot] = (RISCVOp) { .opc = OP_PAGE_END, .len = 2 };
}

/*
 * fence.i without throwing decoded work away.  A store through the store
 * path into decoded bytes bumps the page's generation (above), so only
 * writes that bypass it can leave a decoded slot stale unseen: devices'
 * DMA, the gdbstub and the loader writing RAM, and a store racing with
 * the page's registration.  fence.i is what makes those visible to the
 * hart.  So a decoded page keeps a copy of its bytes (snap) from when its
 * slots were emptied, and a slot decoded from other bytes marks the copy
 * broken.  After a fence.i, the hart's first entry into the page compares
 * the page with the copy: equal and unbroken, every decoded slot is what
 * decoding it now would give, and the page is kept.  (Linux runs fence.i
 * on every hart each time it maps a page of user code, hundreds of times
 * per boot; dropping the whole cache each time had every hart decode the
 * same kernel pages again and again: bench/README.md.)
 */
static void decoded_page_snapshot(RISCVDecodedPage *dp)
{
    const uint64_t *live = (const uint64_t *)dp->host;
    uint64_t *snap = dp->snap;

    /* Word by word: other harts may be storing to the page meanwhile. */
    for (unsigned i = 0; i < TARGET_PAGE_SIZE / 8; i++) {
        snap[i] = qatomic_read(&live[i]);
    }
    dp->snap_broken = false;
}

static bool decoded_page_unchanged(const RISCVDecodedPage *dp)
{
    const uint64_t *live = (const uint64_t *)dp->host;
    const uint64_t *snap = dp->snap;

    if (dp->snap_broken) {
        return false;
    }
    for (unsigned i = 0; i < TARGET_PAGE_SIZE / 8; i++) {
        if (qatomic_read(&live[i]) != snap[i]) {
            return false;
        }
    }
    return true;
}

/* Every slot back to OP_DECODE, as of generation @gen. */
static void decoded_page_empty(CPURISCVState *env, RISCVDecodedPage *dp,
                               uint32_t gen)
{
    memset(dp->ops, 0, sizeof(dp->ops[0]) * RISCV_PAGE_SLOTS);
    dp->gen = gen;
    dp->fence_seen = env->fence_count;
    decoded_page_snapshot(dp);
    /* New code: in_asm shows it again, as QEMU shows a new TB. */
    g_clear_pointer(&dp->in_asm_shown, g_free);
}

/*
 * A page not entered over the last RISCV_FENCE_PRUNE fence.i goes, so the
 * cache stays about the working set, as when fence.i emptied it.
 */
#define RISCV_FENCE_PRUNE 8

static gboolean decoded_page_unused(gpointer key, gpointer value,
                                    gpointer opaque)
{
    RISCVDecodedPage *dp = value;
    CPURISCVState *env = opaque;

    return env->fence_count - dp->fence_seen >= RISCV_FENCE_PRUNE ||
           riscv_code_page_gen(dp) != dp->gen;
}

void riscv_cpu_fence_i(CPURISCVState *env)
{
    env->fence_count++;
    riscv_chain_forget(env);
    if (env->fence_count % RISCV_FENCE_PRUNE == 0 &&
        g_hash_table_foreach_remove(env->code_pages, decoded_page_unused,
                                    env)) {
        memset(env->page_cache, 0, sizeof(env->page_cache));
    }
}

/*
 * A new, empty decoded page for physical page @paddr, registered in the
 * hart's cache under @key (@paddr for the plain page, @paddr | 1 for its
 * debug view).
 */
static RISCVDecodedPage *decoded_page_new(CPURISCVState *env, hwaddr key,
                                          hwaddr paddr, const uint8_t *host)
{
    RISCVDecodedPage *dp = g_malloc0(sizeof(*dp));

    dp->paddr = key;
    dp->host = host;
    dp->shared = code_page_ref(paddr >> TARGET_PAGE_BITS);
    dp->gen = riscv_code_page_gen(dp);
    dp->fence_seen = env->fence_count;
    decoded_page_snapshot(dp);
    dp->ops[RISCV_PAGE_SLOTS].opc = OP_PAGE_END;
    g_hash_table_insert(env->code_pages, &dp->paddr, dp);
    return dp;
}

RISCVDecodedPage *riscv_get_decoded_page(CPURISCVState *env, hwaddr paddr,
                                         const uint8_t *host)
{
    RISCVDecodedPage **slot = riscv_page_cache_slot(env, paddr);
    RISCVDecodedPage *dp = *slot;
    uint32_t gen;

    if (likely(riscv_decoded_page_ready(env, dp, paddr))) {
        return dp;
    }
    if (!dp || dp->paddr != paddr) {
        dp = g_hash_table_lookup(env->code_pages, &paddr);
        if (!dp) {
            dp = decoded_page_new(env, paddr, paddr, host);
        }
        *slot = dp;
    }
    gen = riscv_code_page_gen(dp);
    if (unlikely(gen != dp->gen)) {
        /* Some store hit decoded bytes: decode everything again. */
        decoded_page_empty(env, dp, gen);
    } else if (unlikely(dp->fence_seen != env->fence_count)) {
        /* First entry since a fence.i: did a DMA or the like change it? */
        if (!decoded_page_unchanged(dp)) {
            decoded_page_empty(env, dp, gen);
        }
        dp->fence_seen = env->fence_count;
    }
    return dp;
}

/*
 * Breakpoints (the gdbstub's) are marked in a page's debug view only: the
 * fetch path sends a virtual page holding breakpoints here (it never
 * enters the fetch TLB), and every other page is decoded and run as if
 * no debugger existed.  Marks are redone whenever the view is entered
 * from another virtual page or its bytes changed; adding or removing a
 * breakpoint drops the whole cache (riscv_cpu_debug_changed).
 */
static void debug_page_mark(CPURISCVState *env, RISCVDecodedPage *dp,
                            uint64_t vpage)
{
    CPUBreakpoint *bp;

    memset(dp->ops, 0, sizeof(dp->ops[0]) * RISCV_PAGE_SLOTS);
    dp->bp_vpage = vpage;
    dp->fence_seen = env->fence_count;
    decoded_page_snapshot(dp);
    QTAILQ_FOREACH(bp, &env_cpu(env)->breakpoints, entry) {
        if ((bp->pc & TARGET_PAGE_MASK) == vpage && !(bp->pc & 1)) {
            dp->ops[(bp->pc & ~TARGET_PAGE_MASK) >> 1].opc = OP_BREAKPOINT;
        }
    }
}

RISCVDecodedPage *riscv_get_debug_page(CPURISCVState *env, hwaddr paddr,
                                       const uint8_t *host, uint64_t vpage)
{
    hwaddr key = paddr | 1;
    RISCVDecodedPage *dp = g_hash_table_lookup(env->code_pages, &key);
    uint32_t gen;

    if (!dp) {
        dp = decoded_page_new(env, key, paddr, host);
        debug_page_mark(env, dp, vpage);
    }
    gen = riscv_code_page_gen(dp);
    /* Rare enough to be redone at every fence.i too. */
    if (gen != dp->gen || dp->bp_vpage != vpage ||
        dp->fence_seen != env->fence_count) {
        dp->gen = gen;
        debug_page_mark(env, dp, vpage);
    }
    /* Its key is never a plain page's: a plain lookup cannot land here. */
    *riscv_page_cache_slot(env, key) = dp;
    return dp;
}

RISCVDecodedPage *riscv_get_step_page(CPURISCVState *env,
                                      const uint8_t *host)
{
    RISCVDecodedPage *dp = env->step_page;
    unsigned offset = env->pc & ~TARGET_PAGE_MASK;
    RISCVOp *op;
    uint32_t insn;
    unsigned i;

    if (!dp) {
        dp = env->step_page = g_malloc0(sizeof(*dp));
        for (i = 0; i <= RISCV_PAGE_SLOTS; i++) {
            dp->ops[i].opc = OP_PAGE_END;
        }
    }
    /* Undo the previous step's slot; it ends blocks like the rest. */
    memset(&dp->ops[env->step_slot], 0, sizeof(RISCVOp));
    dp->ops[env->step_slot].opc = OP_PAGE_END;
    dp->host = host;
    env->step_slot = offset >> 1;
    op = &dp->ops[env->step_slot];
    memset(op, 0, sizeof(*op));
    /* Plain form: no NEAR or fused branch may run a second instruction. */
    insn = riscv_host_load(host + (offset & ~1u), 2);
    if ((insn & 3) == 3 && offset >= TARGET_PAGE_SIZE - 2) {
        op->opc = OP_CROSS_PAGE;
        op->len = 4;
        return dp;
    }
    if ((insn & 3) == 3) {
        insn |= riscv_host_load(host + (offset & ~1u) + 2, 2) << 16;
    }
    riscv_decode(op, insn);
    return dp;
}

void riscv_decode_slot(RISCVDecodedPage *dp, RISCVOp *op)
{
    unsigned offset = (op - dp->ops) * 2;
    const uint16_t *p = (const uint16_t *)(dp->host + offset);
    const uint16_t *snap = (const uint16_t *)((const uint8_t *)dp->snap +
                                              offset);
    uint16_t lo, hi = 0;
    uint32_t insn;
    bool wide;

    /*
     * Claim the chunks before reading the bytes; pairs with the smp_mb in
     * riscv_code_written.  Halfword loads: other harts may be storing.
     */
    qatomic_or(&dp->shared->chunks, 1ULL << (offset >> 6));
    if (offset + 2 < TARGET_PAGE_SIZE) {
        qatomic_or(&dp->shared->chunks, 1ULL << ((offset + 2) >> 6));
    }
    lo = qatomic_read(&p[0]);
    wide = (GUINT16_FROM_LE(lo) & 3) == 3;
    if (wide) {
        if (offset == TARGET_PAGE_SIZE - 2) {
            op->opc = OP_CROSS_PAGE;
            op->len = 4;
            return;
        }
        hi = qatomic_read(&p[1]);
    }
    /* Not the bytes fence.i will compare with: it must drop the page. */
    if (lo != snap[0] || (wide && hi != snap[1])) {
        dp->snap_broken = true;
    }
    insn = GUINT16_FROM_LE(lo) | (uint32_t)GUINT16_FROM_LE(hi) << 16;
    riscv_decode(op, insn);
    if ((op->opc == OP_JAL || (op->opc >= OP_BEQ && op->opc <= OP_BGEU)) &&
        offset + (int64_t)op->imm >= 0 &&
        offset + (int64_t)op->imm < TARGET_PAGE_SIZE) {
        op->form = RISCV_FORM_NEAR;
        if (op->opc != OP_JAL && op->imm > op->len) {
            /* A forward branch: over exactly one instruction we fuse? */
            RISCVOp *next = op + op->len / 2;

            if (next->opc == OP_DECODE) {
                riscv_decode_slot(dp, next);
            }
            if (op->imm == op->len + next->len) {
                switch (next->opc) {
                case OP_ADDI:
                    op->form = RISCV_FORM_SKIP_ADDI;
                    break;
                case OP_ADDIW:
                    op->form = RISCV_FORM_SKIP_ADDIW;
                    break;
                case OP_ADD:
                    op->form = RISCV_FORM_SKIP_ADD;
                    break;
                }
            }
        }
    }
}

/* ---- The decoder --------------------------------------------------------- */

static inline uint32_t bits(uint32_t x, int hi, int lo)
{
    return (x >> lo) & ((1U << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t x, int width)
{
    return (int32_t)(x << (32 - width)) >> (32 - width);
}

static void set_op(RISCVOp *op, RISCVOpc opc, unsigned rd, unsigned rs1,
                   unsigned rs2, int32_t imm)
{
    op->opc = opc;
    op->rd = rd ? rd : 32;      /* x0 as destination: the sink */
    op->rs1 = rs1;
    op->rs2 = rs2;
    op->imm = imm;
}

static void set_illegal(RISCVOp *op, uint32_t insn)
{
    set_op(op, OP_ILLEGAL, 0, 0, 0, insn);
}

/* ---- Zba, Zbb, Zbc, Zbs ----------------------------------------------------
 *
 * The bit-manipulation extensions, ratified 1.0, RV64 encodings, always
 * on (QEMU 7.2's default rv64 CPU has them).  decode32 asks here only
 * for what the base ISA leaves illegal; whatever is not claimed here
 * (Zbkb's pack/packh/packw/brev8, RV32's rev8 and zip...) stays illegal,
 * as QEMU 7.2 has those extensions off.
 */
static bool decode_bitmanip(RISCVOp *op, uint32_t insn)
{
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), f3 = bits(insn, 14, 12);
    unsigned f7 = bits(insn, 31, 25), f6 = bits(insn, 31, 26);
    unsigned f12 = bits(insn, 31, 20), shamt = bits(insn, 25, 20);
    RISCVOpc opc = OP_ILLEGAL;

    switch (insn & 0x7f) {
    case 0x13:                          /* OP-IMM */
        if (f3 == 1) {
            switch (f12) {
            case 0x600: opc = OP_CLZ; break;
            case 0x601: opc = OP_CTZ; break;
            case 0x602: opc = OP_CPOP; break;
            case 0x604: opc = OP_SEXT_B; break;
            case 0x605: opc = OP_SEXT_H; break;
            }
            if (opc != OP_ILLEGAL) {
                set_op(op, opc, rd, rs1, 0, 0);
                return true;
            }
            opc = f6 == 0x12 ? OP_BCLRI : f6 == 0x1a ? OP_BINVI :
                  f6 == 0x0a ? OP_BSETI : OP_ILLEGAL;
        } else if (f3 == 5) {
            if (f12 == 0x287 || f12 == 0x6b8) {
                set_op(op, f12 == 0x287 ? OP_ORC_B : OP_REV8, rd, rs1, 0, 0);
                return true;
            }
            opc = f6 == 0x18 ? OP_RORI : f6 == 0x12 ? OP_BEXTI : OP_ILLEGAL;
        }
        if (opc != OP_ILLEGAL) {
            set_op(op, opc, rd, rs1, 0, shamt);
            return true;
        }
        return false;
    case 0x1b:                          /* OP-IMM-32 */
        if (f3 == 1 && f12 >= 0x600 && f12 <= 0x602) {
            static const RISCVOpc w[3] = { OP_CLZW, OP_CTZW, OP_CPOPW };

            set_op(op, w[f12 - 0x600], rd, rs1, 0, 0);
            return true;
        }
        if (f3 == 1 && f6 == 0x02) {
            set_op(op, OP_SLLI_UW, rd, rs1, 0, shamt);
            return true;
        }
        if (f3 == 5 && f7 == 0x30) {
            set_op(op, OP_RORIW, rd, rs1, 0, rs2);
            return true;
        }
        return false;
    case 0x33:                          /* OP */
        switch (f7 << 3 | f3) {
        case 0x20 << 3 | 7: opc = OP_ANDN; break;
        case 0x20 << 3 | 6: opc = OP_ORN; break;
        case 0x20 << 3 | 4: opc = OP_XNOR; break;
        case 0x10 << 3 | 2: opc = OP_SH1ADD; break;
        case 0x10 << 3 | 4: opc = OP_SH2ADD; break;
        case 0x10 << 3 | 6: opc = OP_SH3ADD; break;
        case 0x05 << 3 | 1: opc = OP_CLMUL; break;
        case 0x05 << 3 | 2: opc = OP_CLMULR; break;
        case 0x05 << 3 | 3: opc = OP_CLMULH; break;
        case 0x05 << 3 | 4: opc = OP_MIN; break;
        case 0x05 << 3 | 5: opc = OP_MINU; break;
        case 0x05 << 3 | 6: opc = OP_MAX; break;
        case 0x05 << 3 | 7: opc = OP_MAXU; break;
        case 0x30 << 3 | 1: opc = OP_ROL; break;
        case 0x30 << 3 | 5: opc = OP_ROR; break;
        case 0x24 << 3 | 1: opc = OP_BCLR; break;
        case 0x24 << 3 | 5: opc = OP_BEXT; break;
        case 0x34 << 3 | 1: opc = OP_BINV; break;
        case 0x14 << 3 | 1: opc = OP_BSET; break;
        }
        break;
    case 0x3b:                          /* OP-32 */
        switch (f7 << 3 | f3) {
        case 0x04 << 3 | 0: opc = OP_ADD_UW; break;
        case 0x04 << 3 | 4:
            /* zext.h is Zbkb's packw with rs2 = x0; packw itself is not. */
            if (rs2 == 0) {
                set_op(op, OP_ZEXT_H, rd, rs1, 0, 0);
                return true;
            }
            break;
        case 0x10 << 3 | 2: opc = OP_SH1ADD_UW; break;
        case 0x10 << 3 | 4: opc = OP_SH2ADD_UW; break;
        case 0x10 << 3 | 6: opc = OP_SH3ADD_UW; break;
        case 0x30 << 3 | 1: opc = OP_ROLW; break;
        case 0x30 << 3 | 5: opc = OP_RORW; break;
        }
        break;
    }
    if (opc == OP_ILLEGAL) {
        return false;
    }
    set_op(op, opc, rd, rs1, rs2, 0);
    return true;
}
/* ---- end of Zba, Zbb, Zbc, Zbs -------------------------------------------- */

static bool decode_fp(RISCVOp *op, uint32_t insn);
static bool decode_fp16(RISCVOp *op, uint32_t insn);

static void decode32(RISCVOp *op, uint32_t insn)
{
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), f3 = bits(insn, 14, 12);
    unsigned f7 = bits(insn, 31, 25);
    int32_t imm_i = (int32_t)insn >> 20;
    int32_t imm_s = sext((bits(insn, 31, 25) << 5) | bits(insn, 11, 7), 12);
    int32_t imm_b = sext((bits(insn, 31, 31) << 12) | (bits(insn, 7, 7) << 11) |
                         (bits(insn, 30, 25) << 5) | (bits(insn, 11, 8) << 1),
                         13);
    int32_t imm_j = sext((bits(insn, 31, 31) << 20) |
                         (bits(insn, 19, 12) << 12) |
                         (bits(insn, 20, 20) << 11) |
                         (bits(insn, 30, 21) << 1), 21);
    static const RISCVOpc loads[8] = {
        OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL,
    };
    static const RISCVOpc branches[8] = {
        OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
        OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    };
    static const RISCVOpc alu_imm[8] = {
        OP_ADDI, OP_SLLI, OP_SLTI, OP_SLTIU, OP_XORI, OP_SRLI, OP_ORI, OP_ANDI,
    };
    static const RISCVOpc alu[8] = {
        OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND,
    };
    static const RISCVOpc muldiv[8] = {
        OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    };
    static const RISCVOpc muldivw[8] = {
        OP_MULW, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
        OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    };
    static const RISCVOpc csr[8] = {
        OP_ILLEGAL, OP_CSRRW, OP_CSRRS, OP_CSRRC,
        OP_ILLEGAL, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
    };

    if (decode_fp(op, insn)) {
        return;
    }
    switch (insn & 0x7f) {
    case 0x37:
        set_op(op, OP_LUI, rd, 0, 0, insn & 0xfffff000);
        return;
    case 0x17:
        set_op(op, OP_AUIPC, rd, 0, 0, insn & 0xfffff000);
        return;
    case 0x6f:
        set_op(op, OP_JAL, rd, 0, 0, imm_j);
        return;
    case 0x67:
        if (f3 == 0) {
            set_op(op, OP_JALR, rd, rs1, 0, imm_i);
            return;
        }
        break;
    case 0x63:
        if (branches[f3] != OP_ILLEGAL) {
            set_op(op, branches[f3], 0, rs1, rs2, imm_b);
            return;
        }
        break;
    case 0x03:
        if (loads[f3] != OP_ILLEGAL) {
            set_op(op, loads[f3], rd, rs1, 0, imm_i);
            return;
        }
        break;
    case 0x23:
        if (f3 <= 3) {
            set_op(op, OP_SB + f3, 0, rs1, rs2, imm_s);
            return;
        }
        break;
    case 0x13:
        if (f3 == 1 || f3 == 5) {
            /* RV64: 6-bit shift amounts; bit 30 selects SRAI. */
            unsigned top = bits(insn, 31, 26);
            if (f3 == 1 && top == 0) {
                set_op(op, OP_SLLI, rd, rs1, 0, bits(insn, 25, 20));
                return;
            }
            if (f3 == 5 && (top == 0 || top == 0x10)) {
                set_op(op, top ? OP_SRAI : OP_SRLI, rd, rs1, 0,
                       bits(insn, 25, 20));
                return;
            }
            break;
        }
        set_op(op, alu_imm[f3], rd, rs1, 0, imm_i);
        return;
    case 0x1b:
        if (f3 == 0) {
            set_op(op, OP_ADDIW, rd, rs1, 0, imm_i);
            return;
        }
        if (f3 == 1 && f7 == 0) {
            set_op(op, OP_SLLIW, rd, rs1, 0, rs2);
            return;
        }
        if (f3 == 5 && (f7 == 0 || f7 == 0x20)) {
            set_op(op, f7 ? OP_SRAIW : OP_SRLIW, rd, rs1, 0, rs2);
            return;
        }
        break;
    case 0x33:
        if (f7 == 0) {
            set_op(op, alu[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 1) {
            set_op(op, muldiv[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set_op(op, f3 ? OP_SRA : OP_SUB, rd, rs1, rs2, 0);
            return;
        }
        break;
    case 0x3b:
        if (f7 == 0 && (f3 == 0 || f3 == 1 || f3 == 5)) {
            set_op(op, f3 == 0 ? OP_ADDW : f3 == 1 ? OP_SLLW : OP_SRLW,
                   rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 1 && muldivw[f3] != OP_ILLEGAL) {
            set_op(op, muldivw[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set_op(op, f3 ? OP_SRAW : OP_SUBW, rd, rs1, rs2, 0);
            return;
        }
        break;
    case 0x2f: {
        unsigned f5 = bits(insn, 31, 27);
        bool d = f3 == 3;

        if (f3 != 2 && f3 != 3) {
            break;
        }
        if (f5 == 0x02) {
            if (rs2 == 0) {
                set_op(op, d ? OP_LR_D : OP_LR_W, rd, rs1, 0, 0);
                return;
            }
            break;
        }
        if (f5 == 0x03) {
            set_op(op, d ? OP_SC_D : OP_SC_W, rd, rs1, rs2, 0);
            return;
        }
        switch (f5) {
        case RISCV_AMO_ADD: case RISCV_AMO_SWAP: case RISCV_AMO_XOR:
        case RISCV_AMO_OR: case RISCV_AMO_AND: case RISCV_AMO_MIN:
        case RISCV_AMO_MAX: case RISCV_AMO_MINU: case RISCV_AMO_MAXU:
            set_op(op, d ? OP_AMO_D : OP_AMO_W, rd, rs1, rs2, f5);
            return;
        }
        break;
    }
    case 0x0f:
        if (insn == 0x0100000f) {
            /* Zihintpause: the FENCE hint "fence w,0"; ends the block. */
            set_op(op, OP_PAUSE, 0, 0, 0, 0);
            return;
        }
        if (f3 == 0) {
            set_op(op, OP_FENCE, 0, 0, 0, 0);
            return;
        }
        if (f3 == 1) {
            set_op(op, OP_FENCE_I, 0, 0, 0, 0);
            return;
        }
        break;
    case 0x73:
        if (f3 == 0) {
            switch (insn) {
            case 0x00000073:
                set_op(op, OP_ECALL, 0, 0, 0, 0);
                return;
            case 0x00100073:
                set_op(op, OP_EBREAK, 0, 0, 0, 0);
                return;
            case 0x30200073:
                set_op(op, OP_MRET, 0, 0, 0, insn);
                return;
            case 0x10200073:
                set_op(op, OP_SRET, 0, 0, 0, insn);
                return;
            case 0x10500073:
                set_op(op, OP_WFI, 0, 0, 0, insn);
                return;
            }
            if (f7 == 0x09 && rd == 0) {
                set_op(op, OP_SFENCE_VMA, 0, rs1, rs2, insn);
                return;
            }
            break;
        }
        if (csr[f3] != OP_ILLEGAL) {
            set_op(op, csr[f3], rd, rs1, 0, insn);
            return;
        }
        break;
    }
    if (!decode_bitmanip(op, insn)) {
        set_illegal(op, insn);
    }
}

/* Expand a 16-bit instruction into the operation of its 32-bit form. */
static void decode16(RISCVOp *op, uint32_t insn)
{
    unsigned f3 = bits(insn, 15, 13);
    unsigned rd = bits(insn, 11, 7), rs2 = bits(insn, 6, 2);
    unsigned rdp = bits(insn, 4, 2) + 8, rs1p = bits(insn, 9, 7) + 8;
    int32_t imm6 = sext((bits(insn, 12, 12) << 5) | bits(insn, 6, 2), 6);
    uint32_t uimm;
    int32_t imm;

    switch ((insn & 3) << 3 | f3) {
    /* Quadrant 0 */
    case 000:   /* c.addi4spn */
        uimm = (bits(insn, 12, 11) << 4) | (bits(insn, 10, 7) << 6) |
               (bits(insn, 6, 6) << 2) | (bits(insn, 5, 5) << 3);
        if (uimm) {
            set_op(op, OP_ADDI, rdp, 2, 0, uimm);
            return;
        }
        break;
    case 002:   /* c.lw */
        uimm = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 6) << 2) |
               (bits(insn, 5, 5) << 6);
        set_op(op, OP_LW, rdp, rs1p, 0, uimm);
        return;
    case 003:   /* c.ld */
        uimm = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 5) << 6);
        set_op(op, OP_LD, rdp, rs1p, 0, uimm);
        return;
    case 006:   /* c.sw */
        uimm = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 6) << 2) |
               (bits(insn, 5, 5) << 6);
        set_op(op, OP_SW, 0, rs1p, rdp, uimm);
        return;
    case 007:   /* c.sd */
        uimm = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 5) << 6);
        set_op(op, OP_SD, 0, rs1p, rdp, uimm);
        return;

    /* Quadrant 1 */
    case 010:   /* c.addi (c.nop) */
        set_op(op, OP_ADDI, rd, rd, 0, imm6);
        return;
    case 011:   /* c.addiw */
        if (rd) {
            set_op(op, OP_ADDIW, rd, rd, 0, imm6);
            return;
        }
        break;
    case 012:   /* c.li */
        set_op(op, OP_ADDI, rd, 0, 0, imm6);
        return;
    case 013:
        if (rd == 2) {  /* c.addi16sp */
            imm = sext((bits(insn, 12, 12) << 9) | (bits(insn, 6, 6) << 4) |
                       (bits(insn, 5, 5) << 6) | (bits(insn, 4, 3) << 7) |
                       (bits(insn, 2, 2) << 5), 10);
            if (imm) {
                set_op(op, OP_ADDI, 2, 2, 0, imm);
                return;
            }
        } else if (imm6) {  /* c.lui */
            set_op(op, OP_LUI, rd, 0, 0, (uint32_t)imm6 << 12);
            return;
        }
        break;
    case 014: {
        unsigned shamt = (bits(insn, 12, 12) << 5) | bits(insn, 6, 2);

        switch (bits(insn, 11, 10)) {
        case 0:
            set_op(op, OP_SRLI, rs1p, rs1p, 0, shamt);
            return;
        case 1:
            set_op(op, OP_SRAI, rs1p, rs1p, 0, shamt);
            return;
        case 2:
            set_op(op, OP_ANDI, rs1p, rs1p, 0, imm6);
            return;
        }
        if (bits(insn, 12, 12) == 0) {
            static const RISCVOpc ops[4] = { OP_SUB, OP_XOR, OP_OR, OP_AND };
            set_op(op, ops[bits(insn, 6, 5)], rs1p, rs1p, rdp, 0);
            return;
        }
        if (bits(insn, 6, 5) < 2) {
            set_op(op, bits(insn, 6, 5) ? OP_ADDW : OP_SUBW,
                   rs1p, rs1p, rdp, 0);
            return;
        }
        break;
    }
    case 015:   /* c.j */
        imm = sext((bits(insn, 12, 12) << 11) | (bits(insn, 11, 11) << 4) |
                   (bits(insn, 10, 9) << 8) | (bits(insn, 8, 8) << 10) |
                   (bits(insn, 7, 7) << 6) | (bits(insn, 6, 6) << 7) |
                   (bits(insn, 5, 3) << 1) | (bits(insn, 2, 2) << 5), 12);
        set_op(op, OP_JAL, 0, 0, 0, imm);
        return;
    case 016:   /* c.beqz */
    case 017:   /* c.bnez */
        imm = sext((bits(insn, 12, 12) << 8) | (bits(insn, 11, 10) << 3) |
                   (bits(insn, 6, 5) << 6) | (bits(insn, 4, 3) << 1) |
                   (bits(insn, 2, 2) << 5), 9);
        set_op(op, f3 == 6 ? OP_BEQ : OP_BNE, 0, rs1p, 0, imm);
        return;

    /* Quadrant 2 */
    case 020:   /* c.slli */
        set_op(op, OP_SLLI, rd, rd, 0,
               (bits(insn, 12, 12) << 5) | bits(insn, 6, 2));
        return;
    case 022:   /* c.lwsp */
        uimm = (bits(insn, 12, 12) << 5) | (bits(insn, 6, 4) << 2) |
               (bits(insn, 3, 2) << 6);
        if (rd) {
            set_op(op, OP_LW, rd, 2, 0, uimm);
            return;
        }
        break;
    case 023:   /* c.ldsp */
        uimm = (bits(insn, 12, 12) << 5) | (bits(insn, 6, 5) << 3) |
               (bits(insn, 4, 2) << 6);
        if (rd) {
            set_op(op, OP_LD, rd, 2, 0, uimm);
            return;
        }
        break;
    case 024:
        if (bits(insn, 12, 12) == 0) {
            if (rs2 == 0) {     /* c.jr */
                if (rd) {
                    set_op(op, OP_JALR, 0, rd, 0, 0);
                    return;
                }
                break;
            }
            set_op(op, OP_ADD, rd, 0, rs2, 0);      /* c.mv */
            return;
        }
        if (rs2 == 0) {
            if (rd == 0) {
                set_op(op, OP_EBREAK, 0, 0, 0, 0);  /* c.ebreak */
            } else {
                set_op(op, OP_JALR, 1, rd, 0, 0);   /* c.jalr */
            }
            return;
        }
        set_op(op, OP_ADD, rd, rd, rs2, 0);         /* c.add */
        return;
    case 026:   /* c.swsp */
        uimm = (bits(insn, 12, 9) << 2) | (bits(insn, 8, 7) << 6);
        set_op(op, OP_SW, 0, 2, rs2, uimm);
        return;
    case 027:   /* c.sdsp */
        uimm = (bits(insn, 12, 10) << 3) | (bits(insn, 9, 7) << 6);
        set_op(op, OP_SD, 0, 2, rs2, uimm);
        return;
    }
    if (decode_fp16(op, insn)) {
        return;
    }
    /* c.flw/c.fsw... (RV32 only), reserved encodings, 0x0000 */
    set_illegal(op, insn & 0xffff);
}

/* ---- F and D ------------------------------------------------------------ */

/*
 * An F/D instruction: f registers are named as they are (f0 is a real
 * register), x destinations go through set_op's sink for x0, and stores
 * have the sink as rd like the integer ones.
 */
static void set_fp(RISCVOp *op, RISCVOpc opc, unsigned rd, unsigned rs1,
                   unsigned rs2, uint32_t insn)
{
    op->opc = opc;
    op->rd = rd;
    op->rs1 = rs1;
    op->rs2 = rs2;
    op->rs3 = insn >> 27;
    op->rm = (insn >> 12) & 7;
    op->imm = insn;
}

bool riscv_fp_writes_x(RISCVOpc opc)
{
    switch (opc) {
    case OP_FCVT_W_S: case OP_FCVT_WU_S: case OP_FCVT_L_S: case OP_FCVT_LU_S:
    case OP_FCVT_W_D: case OP_FCVT_WU_D: case OP_FCVT_L_D: case OP_FCVT_LU_D:
    case OP_FMV_X_W: case OP_FMV_X_D: case OP_FEQ_S: case OP_FLT_S:
    case OP_FLE_S: case OP_FEQ_D: case OP_FLT_D: case OP_FLE_D:
    case OP_FCLASS_S: case OP_FCLASS_D:
        return true;
    default:
        return false;
    }
}

/* Takes a rounding mode: 5 and 6 are reserved (7, dynamic, is checked
 * when it runs, against frm). */
static bool fp_uses_rm(RISCVOpc opc)
{
    switch (opc) {
    case OP_FSGNJ_S: case OP_FSGNJN_S: case OP_FSGNJX_S: case OP_FMIN_S:
    case OP_FMAX_S: case OP_FMV_X_W: case OP_FMV_W_X: case OP_FEQ_S:
    case OP_FLT_S: case OP_FLE_S: case OP_FCLASS_S:
    case OP_FSGNJ_D: case OP_FSGNJN_D: case OP_FSGNJX_D: case OP_FMIN_D:
    case OP_FMAX_D: case OP_FMV_X_D: case OP_FMV_D_X: case OP_FEQ_D:
    case OP_FLT_D: case OP_FLE_D: case OP_FCLASS_D:
        return false;
    default:
        return true;
    }
}

/* OP-FP (0x53): funct7 picks the operation and format, then rs2/funct3. */
static RISCVOpc decode_op_fp(uint32_t insn)
{
    unsigned f7 = insn >> 25, rs2 = (insn >> 20) & 31, f3 = (insn >> 12) & 7;
    bool d = f7 & 1;

    switch (f7 >> 2) {
    case 0x00: return d ? OP_FADD_D : OP_FADD_S;
    case 0x01: return d ? OP_FSUB_D : OP_FSUB_S;
    case 0x02: return d ? OP_FMUL_D : OP_FMUL_S;
    case 0x03: return d ? OP_FDIV_D : OP_FDIV_S;
    case 0x0b:
        return rs2 ? OP_ILLEGAL : d ? OP_FSQRT_D : OP_FSQRT_S;
    case 0x04:
        switch (f3) {
        case 0: return d ? OP_FSGNJ_D : OP_FSGNJ_S;
        case 1: return d ? OP_FSGNJN_D : OP_FSGNJN_S;
        case 2: return d ? OP_FSGNJX_D : OP_FSGNJX_S;
        }
        return OP_ILLEGAL;
    case 0x05:
        switch (f3) {
        case 0: return d ? OP_FMIN_D : OP_FMIN_S;
        case 1: return d ? OP_FMAX_D : OP_FMAX_S;
        }
        return OP_ILLEGAL;
    case 0x08:      /* fcvt.s.d (fmt S, rs2 1), fcvt.d.s (fmt D, rs2 0) */
        if (f7 == 0x20 && rs2 == 1) {
            return OP_FCVT_S_D;
        }
        if (f7 == 0x21 && rs2 == 0) {
            return OP_FCVT_D_S;
        }
        return OP_ILLEGAL;
    case 0x14:
        switch (f3) {
        case 0: return d ? OP_FLE_D : OP_FLE_S;
        case 1: return d ? OP_FLT_D : OP_FLT_S;
        case 2: return d ? OP_FEQ_D : OP_FEQ_S;
        }
        return OP_ILLEGAL;
    case 0x18: {    /* fcvt.{w,wu,l,lu}.fmt */
        static const RISCVOpc s[4] = {
            OP_FCVT_W_S, OP_FCVT_WU_S, OP_FCVT_L_S, OP_FCVT_LU_S,
        };
        static const RISCVOpc dd[4] = {
            OP_FCVT_W_D, OP_FCVT_WU_D, OP_FCVT_L_D, OP_FCVT_LU_D,
        };
        return rs2 < 4 ? (d ? dd : s)[rs2] : OP_ILLEGAL;
    }
    case 0x1a: {    /* fcvt.fmt.{w,wu,l,lu} */
        static const RISCVOpc s[4] = {
            OP_FCVT_S_W, OP_FCVT_S_WU, OP_FCVT_S_L, OP_FCVT_S_LU,
        };
        static const RISCVOpc dd[4] = {
            OP_FCVT_D_W, OP_FCVT_D_WU, OP_FCVT_D_L, OP_FCVT_D_LU,
        };
        return rs2 < 4 ? (d ? dd : s)[rs2] : OP_ILLEGAL;
    }
    case 0x1c:
        if (rs2 == 0 && f3 == 0) {
            return d ? OP_FMV_X_D : OP_FMV_X_W;
        }
        if (rs2 == 0 && f3 == 1) {
            return d ? OP_FCLASS_D : OP_FCLASS_S;
        }
        return OP_ILLEGAL;
    case 0x1e:
        if (rs2 == 0 && f3 == 0) {
            return d ? OP_FMV_D_X : OP_FMV_W_X;
        }
        return OP_ILLEGAL;
    }
    return OP_ILLEGAL;
}

/* The 32-bit F/D encodings; false: not one of their major opcodes. */
static bool decode_fp(RISCVOp *op, uint32_t insn)
{
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15);
    unsigned rs2 = bits(insn, 24, 20), f3 = bits(insn, 14, 12);
    unsigned fmt = bits(insn, 26, 25);
    int32_t imm_i = (int32_t)insn >> 20;
    int32_t imm_s = sext((bits(insn, 31, 25) << 5) | bits(insn, 11, 7), 12);
    RISCVOpc opc;

    switch (insn & 0x7f) {
    case 0x07:      /* LOAD-FP */
    case 0x27:      /* STORE-FP */
        if (f3 != 2 && f3 != 3) {
            break;
        }
        if ((insn & 0x7f) == 0x07) {
            set_fp(op, f3 == 2 ? OP_FLW : OP_FLD, rd, rs1, 0, insn);
            op->imm = imm_i;
        } else {
            set_fp(op, f3 == 2 ? OP_FSW : OP_FSD, 32, rs1, rs2, insn);
            op->imm = imm_s;
        }
        return true;
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
        static const RISCVOpc fma[2][4] = {
            { OP_FMADD_S, OP_FMSUB_S, OP_FNMSUB_S, OP_FNMADD_S },
            { OP_FMADD_D, OP_FMSUB_D, OP_FNMSUB_D, OP_FNMADD_D },
        };
        if (fmt > 1) {
            break;
        }
        opc = fma[fmt][((insn & 0x7f) - 0x43) >> 2];
        goto fp_op;
    }
    case 0x53:
        /* fmt 2 and 3 are H and Q (Zfh, Q): not here. */
        if (fmt > 1) {
            break;
        }
        opc = decode_op_fp(insn);
        if (opc == OP_ILLEGAL) {
            break;
        }
    fp_op:
        if (fp_uses_rm(opc) && (f3 == 5 || f3 == 6)) {
            break;
        }
        set_fp(op, opc, rd, rs1, rs2, insn);
        if (riscv_fp_writes_x(opc) && rd == 0) {
            op->rd = 32;
        }
        return true;
    default:
        return false;
    }
    set_illegal(op, insn);
    return true;
}

/* c.fld, c.fsd, c.fldsp, c.fsdsp (RV64; c.flw and kin are RV32's). */
static bool decode_fp16(RISCVOp *op, uint32_t insn)
{
    unsigned rd = bits(insn, 11, 7), rs2 = bits(insn, 6, 2);
    unsigned rdp = bits(insn, 4, 2) + 8, rs1p = bits(insn, 9, 7) + 8;
    uint32_t ld = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 5) << 6);

    switch ((insn & 3) << 3 | bits(insn, 15, 13)) {
    case 001:   /* c.fld */
        set_fp(op, OP_FLD, rdp, rs1p, 0, 0);
        op->imm = ld;
        return true;
    case 005:   /* c.fsd */
        set_fp(op, OP_FSD, 32, rs1p, rdp, 0);
        op->imm = ld;
        return true;
    case 021:   /* c.fldsp */
        set_fp(op, OP_FLD, rd, 2, 0, 0);
        op->imm = (bits(insn, 12, 12) << 5) | (bits(insn, 6, 5) << 3) |
                  (bits(insn, 4, 2) << 6);
        return true;
    case 025:   /* c.fsdsp */
        set_fp(op, OP_FSD, 32, 2, rs2, 0);
        op->imm = (bits(insn, 12, 10) << 3) | (bits(insn, 9, 7) << 6);
        return true;
    }
    return false;
}

void riscv_decode(RISCVOp *op, uint32_t insn)
{
    op->form = RISCV_FORM_PLAIN;
    if ((insn & 3) == 3) {
        op->len = 4;
        decode32(op, insn);
    } else {
        op->len = 2;
        decode16(op, insn & 0xffff);
    }
    /* -cpu rv64,m=off etc.: the extension's instructions are illegal. */
    if (unlikely(riscv_decode_cfg) &&
        !riscv_cpu_opc_allowed(riscv_decode_cfg, op->opc)) {
        set_illegal(op, op->len == 4 ? insn : insn & 0xffff);
    }
}
