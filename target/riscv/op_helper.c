/*
 * Traps, interrupts, xRET and the A extension.  Corresponds to QEMU's
 * riscv_cpu_do_interrupt / riscv_cpu_exec_interrupt (cpu_helper.c),
 * helper_mret / helper_sret (op_helper.c) and the AMO/LR/SC translation
 * of insn_trans/trans_rva.c.inc.
 *
 * Atomicity across harts: an AMO or SC on RAM is one host atomic
 * instruction on the RAM's host pointer, so harts running in parallel
 * threads never lose an update.  An AMO on MMIO (or on nothing) runs its
 * read and write under the BQL, which every device access holds: no
 * other access to any device can come between them.
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "internals.h"

/* ---- Traps --------------------------------------------------------------- */

/* The names -d int gives causes: QEMU's riscv_excp_names/riscv_intr_names. */
static const char *trap_name(uint64_t cause, bool irq)
{
    static const char *const excp[24] = {
        "misaligned_fetch", "fault_fetch", "illegal_instruction",
        "breakpoint", "misaligned_load", "fault_load", "misaligned_store",
        "fault_store", "user_ecall", "supervisor_ecall", "hypervisor_ecall",
        "machine_ecall", "exec_page_fault", "load_page_fault", "reserved",
        "store_page_fault", "reserved", "reserved", "reserved", "reserved",
        "guest_exec_page_fault", "guest_load_page_fault", "reserved",
        "guest_store_page_fault",
    };
    static const char *const intr[16] = {
        "u_software", "s_software", "vs_software", "m_software", "u_timer",
        "s_timer", "vs_timer", "m_timer", "u_external", "s_external",
        "vs_external", "m_external", "reserved", "reserved", "reserved",
        "reserved",
    };

    if (irq) {
        return cause < G_N_ELEMENTS(intr) ? intr[cause] : "(unknown)";
    }
    return cause < G_N_ELEMENTS(excp) ? excp[cause] : "(unknown)";
}

static void do_trap(CPURISCVState *env, uint64_t cause, bool irq,
                    uint64_t tval)
{
    uint64_t deleg = irq ? env->mideleg : env->medeleg;
    uint64_t s = env->mstatus;
    uint64_t vec, tvec;

    /*
     * As QEMU does: drop the reservation, so that an SC after a context
     * switch cannot succeed with another context's LR.
     */
    env->load_res = -1;

    /* QEMU's line; the privilege before the trap shows in the next block. */
    qemu_log_mask(CPU_LOG_INT, "riscv_cpu_do_interrupt: hart:%" PRId64
                  ", async:%d, cause:%016" PRIx64 ", epc:0x%016" PRIx64
                  ", tval:0x%016" PRIx64 ", desc=%s\n",
                  (int64_t)env->mhartid, irq, cause, env->pc, tval,
                  trap_name(cause, irq));

    if (env->priv <= PRV_S && ((deleg >> cause) & 1)) {
        env->scause = cause | ((uint64_t)irq << 63);
        env->sepc = env->pc;
        env->stval = tval;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (env->priv == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        tvec = env->stvec;
        env->priv = PRV_S;
    } else {
        env->mcause = cause | ((uint64_t)irq << 63);
        env->mepc = env->pc;
        env->mtval = tval;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | (env->priv << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        tvec = env->mtvec;
        env->priv = PRV_M;
    }
    env->mstatus = s;
    /* Vectored mode (1): interrupts go to base + 4 * cause. */
    vec = (irq && (tvec & 3) == 1) ? 4 * cause : 0;
    env->pc = (tvec & ~3ULL) + vec;
    riscv_cpu_update_mmu_idx(env);
}

void riscv_raise_exception(CPURISCVState *env, RISCVException cause,
                           uint64_t tval)
{
    do_trap(env, cause, false, tval);
}

bool riscv_cpu_has_pending(CPURISCVState *env)
{
    /* wfi wakes on any pending enabled interrupt, even if masked globally */
    return (qatomic_read(&env->mip) & env->mie) != 0;
}

bool riscv_cpu_exec_interrupt(CPURISCVState *env)
{
    /*
     * Highest priority first: MEI, MSI, MTI, SEI, SSI, STI, then what
     * QEMU 7.2 also takes with h=off if software makes it pending: VSEI,
     * VSSI, VSTI (H's, writable anyway) and LCOFI (13), in its default
     * priority order.
     */
    static const int order[] = {
        IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT,
        IRQ_S_TIMER, 10, 2, 6, 13,
    };
    uint64_t pending = qatomic_read(&env->mip) & env->mie;
    bool m_on = env->priv < PRV_M || (env->mstatus & MSTATUS_MIE);
    bool s_on = env->priv < PRV_S ||
                (env->priv == PRV_S && (env->mstatus & MSTATUS_SIE));
    uint64_t irqs;
    unsigned i;

    /* Interrupts for M (not delegated) come before those for S. */
    irqs = m_on ? pending & ~env->mideleg : 0;
    if (!irqs) {
        irqs = s_on ? pending & env->mideleg : 0;
    }
    if (!irqs) {
        return false;
    }
    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        if (irqs & (1ULL << order[i])) {
            do_trap(env, order[i], true, 0);
            return true;
        }
    }
    return false;
}

RISCVException riscv_mret(CPURISCVState *env)
{
    uint64_t s = env->mstatus;
    uint64_t prev = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

    if (env->priv != PRV_M || !riscv_pmp_mret_allowed(env, prev)) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP;          /* MPP = U, the least privileged mode */
    if (prev != PRV_M) {
        s &= ~MSTATUS_MPRV;
    }
    env->mstatus = s;
    env->priv = prev;
    env->pc = env->mepc;
    riscv_cpu_update_mmu_idx(env);
    return RISCV_EXCP_NONE;
}

RISCVException riscv_sret(CPURISCVState *env)
{
    uint64_t s = env->mstatus;

    if (env->priv == PRV_U ||
        (env->priv == PRV_S && (s & MSTATUS_TSR))) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    env->priv = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~(MSTATUS_SPP | MSTATUS_MPRV);
    env->mstatus = s;
    env->pc = env->sepc;
    riscv_cpu_update_mmu_idx(env);
    return RISCV_EXCP_NONE;
}

/* ---- Atomics ------------------------------------------------------------- */

RISCVException riscv_amo(CPURISCVState *env, unsigned funct5, unsigned size,
                         uint64_t vaddr, uint64_t src, uint64_t *old)
{
    RISCVException ex;
    MemTxResult res;
    hwaddr paddr;
    uint64_t v;
    void *host;

    /* AMOs must be naturally aligned (no Zam): store/AMO misaligned. */
    if (vaddr & (size - 1)) {
        env->badaddr = vaddr;
        return RISCV_EXCP_STORE_AMO_ADDR_MIS;
    }
    ex = riscv_probe_rmw(env, vaddr, size, &host, &paddr);
    if (ex == RISCV_EXCP_NONE) {
        ex = riscv_check_watchpoint(env, vaddr, size, BP_MEM_ACCESS);
    }
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (host) {
        v = riscv_host_amo(host, funct5, size, src);
    } else {
        BQLLockAuto *l = bql_auto_lock();

        v = riscv_phys_load(env, paddr, size, &res);
        if (res != MEMTX_OK) {
            bql_auto_unlock(l);
            /*
             * The ISA says store/AMO access fault; QEMU 7.2 reports a load
             * access fault (its AMO helpers read first).  Match QEMU.
             */
            env->badaddr = vaddr;
            return RISCV_EXCP_LOAD_ACCESS_FAULT;
        }
        riscv_phys_store(env, paddr, size,
                         riscv_amo_compute(funct5, size, v, src), &res);
        bql_auto_unlock(l);
        if (res != MEMTX_OK) {
            env->badaddr = vaddr;
            return RISCV_EXCP_STORE_AMO_ACCESS_FAULT;
        }
    }
    if (riscv_page_may_have_code(paddr)) {
        riscv_code_written(paddr, size);
    }
    *old = size == 4 ? (uint64_t)(int64_t)(int32_t)v : v;
    return RISCV_EXCP_NONE;
}

RISCVException riscv_lr(CPURISCVState *env, unsigned size, uint64_t vaddr,
                        uint64_t *val)
{
    RISCVException ex;
    uint64_t v;

    if (vaddr & (size - 1)) {
        env->badaddr = vaddr;
        return RISCV_EXCP_LOAD_ADDR_MIS;
    }
    ex = riscv_load_slow(env, vaddr, size, &v);
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (size == 4) {
        v = (uint64_t)(int64_t)(int32_t)v;
    }
    /* Like QEMU: the reservation is the address and the value seen. */
    env->load_res = vaddr;
    env->load_val = v;
    *val = v;
    return RISCV_EXCP_NONE;
}

RISCVException riscv_sc(CPURISCVState *env, unsigned size, uint64_t vaddr,
                        uint64_t src, uint64_t *result)
{
    uint64_t expect = env->load_val;
    RISCVException ex;
    MemTxResult res;
    hwaddr paddr;
    void *host;
    bool ok;

    /*
     * QEMU checks the reservation before anything else: without one, the
     * SC fails (rd = 1) even if misaligned or unmapped.
     */
    if (vaddr != env->load_res) {
        *result = 1;
        return RISCV_EXCP_NONE;
    }
    env->load_res = -1;
    ex = riscv_probe_rmw(env, vaddr, size, &host, &paddr);
    if (ex == RISCV_EXCP_NONE) {
        ex = riscv_check_watchpoint(env, vaddr, size, BP_MEM_WRITE);
    }
    if (ex == RISCV_EXCP_WATCHPOINT) {
        env->load_res = vaddr;      /* the SC runs again after the stop */
    }
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (host) {
        /*
         * Succeeds if memory still holds what LR saw (the ABA case
         * succeeds too, as in QEMU; LR/SC loops cannot tell).
         */
        if (size == 4) {
            uint32_t e32 = expect;
            ok = __atomic_compare_exchange_n((uint32_t *)host, &e32,
                                             (uint32_t)src, false,
                                             __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
        } else {
            ok = __atomic_compare_exchange_n((uint64_t *)host, &expect, src,
                                             false, __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
        }
    } else {
        BQLLockAuto *l = bql_auto_lock();
        uint64_t cur = riscv_phys_load(env, paddr, size, &res);
        uint64_t mask = size == 4 ? UINT32_MAX : UINT64_MAX;

        ok = res == MEMTX_OK && ((cur ^ expect) & mask) == 0;
        if (ok) {
            riscv_phys_store(env, paddr, size, src, &res);
        }
        bql_auto_unlock(l);
        if (res != MEMTX_OK) {
            env->badaddr = vaddr;
            return RISCV_EXCP_STORE_AMO_ACCESS_FAULT;
        }
    }
    if (ok && riscv_page_may_have_code(paddr)) {
        riscv_code_written(paddr, size);
    }
    *result = !ok;
    return RISCV_EXCP_NONE;
}
