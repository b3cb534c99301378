/*
 * Physical memory protection: 16 entries (pmpcfg0/pmpcfg2, pmpaddr0..15)
 * checked on every physical access a hart makes, with QEMU 7.2's rules
 * (no Smepmp).  Corresponds to QEMU's target/riscv/pmp.c.
 *
 * The TLB (mmu.c) only caches a page when one answer holds for all of it
 * (riscv_pmp_page_allows), so the checks cost nothing on its fast path;
 * every pmpcfg/pmpaddr write flushes it.
 */
#include "qcore/osdep.h"
#include "internals.h"

enum {
    PMP_R = 0x01, PMP_W = 0x02, PMP_X = 0x04, PMP_L = 0x80,
    PMP_A_SHIFT = 3,
};
enum { PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT };

static uint8_t pmp_cfg(const CPURISCVState *env, unsigned i)
{
    return env->pmpcfg[i / 8] >> (8 * (i % 8));
}

static unsigned pmp_mode(uint8_t cfg)
{
    return (cfg >> PMP_A_SHIFT) & 3;
}

/* Recompute the ranges, the active count and the lock summary. */
static void pmp_update(CPURISCVState *env)
{
    unsigned i;

    env->pmp_active = 0;
    env->pmp_locked = false;
    for (i = 0; i < RISCV_PMP_ENTRIES; i++) {
        uint8_t cfg = pmp_cfg(env, i);
        uint64_t a = env->pmpaddr[i], sa, ea;

        switch (pmp_mode(cfg)) {
        case PMP_TOR:
            /* [pmpaddr[i-1], pmpaddr[i]) in words; empty matches only 0. */
            sa = i ? env->pmpaddr[i - 1] << 2 : 0;
            ea = (a << 2) - 1;
            if (sa > ea) {
                sa = ea = 0;
            }
            break;
        case PMP_NA4:
            sa = a << 2;
            ea = sa + 3;
            break;
        case PMP_NAPOT:
            /* The trailing ones of a (plus 3 implicit ones) size it. */
            a = (a << 2) | 3;
            sa = a & (a + 1);
            ea = a | (a + 1);
            break;
        default:
            /* Off: covers everything, never decides (see pmp_decide). */
            sa = 0;
            ea = UINT64_MAX;
            break;
        }
        env->pmp_sa[i] = sa;
        env->pmp_ea[i] = ea;
        if (pmp_mode(cfg) != PMP_OFF) {
            env->pmp_active++;
            env->pmp_locked |= (cfg & PMP_L) != 0;
        }
    }
}

void riscv_pmp_reset(CPURISCVState *env)
{
    memset(env->pmpcfg, 0, sizeof(env->pmpcfg));
    memset(env->pmpaddr, 0, sizeof(env->pmpaddr));
    pmp_update(env);
}

static bool pmp_is_locked(const CPURISCVState *env, unsigned i)
{
    return pmp_cfg(env, i) & PMP_L;
}

void riscv_pmpcfg_write(CPURISCVState *env, unsigned reg, uint64_t val)
{
    unsigned b;

    /* A locked entry keeps its byte until reset. */
    for (b = 0; b < 8; b++) {
        unsigned i = reg * 4 + b;
        uint64_t mask = 0xffULL << (8 * b);

        if (!pmp_is_locked(env, i)) {
            env->pmpcfg[reg / 2] = (env->pmpcfg[reg / 2] & ~mask) |
                                   (val & mask);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "ignoring pmpcfg write - "
                          "locked\n");
        }
    }
    pmp_update(env);
    riscv_tlb_flush(env);
}

void riscv_pmpaddr_write(CPURISCVState *env, unsigned i, uint64_t val)
{
    /*
     * Locked: ignored; so is the base of a locked TOR entry.  QEMU keeps
     * all 64 bits written (the top 10 are not wired to anything).
     */
    if (pmp_is_locked(env, i)) {
        qemu_log_mask(LOG_GUEST_ERROR, "ignoring pmpaddr write - locked\n");
        return;
    }
    if (i + 1 < RISCV_PMP_ENTRIES && pmp_is_locked(env, i + 1) &&
        pmp_mode(pmp_cfg(env, i + 1)) == PMP_TOR) {
        qemu_log_mask(LOG_GUEST_ERROR, "ignoring pmpaddr write - pmpcfg + 1 "
                      "locked\n");
        return;
    }
    env->pmpaddr[i] = val;
    pmp_update(env);
    riscv_tlb_flush(env);
}

static unsigned pmp_need(MMUAccessType type)
{
    return type == MMU_INST_FETCH ? PMP_X :
           type == MMU_DATA_STORE ? PMP_W : PMP_R;
}

/*
 * Which entry decides [addr, addr + size - 1]: its index, or -1 when none
 * holds it (no entry contains both ends, or the first entry containing
 * one end misses the other: QEMU looks at the two ends only).
 */
static int pmp_decide(const CPURISCVState *env, hwaddr addr, uint64_t size)
{
    hwaddr last = addr + size - 1;
    unsigned i;

    for (i = 0; i < RISCV_PMP_ENTRIES; i++) {
        bool s = addr >= env->pmp_sa[i] && addr <= env->pmp_ea[i];
        bool e = last >= env->pmp_sa[i] && last <= env->pmp_ea[i];

        if (s != e) {
            qemu_log_mask(LOG_GUEST_ERROR, "pmp violation - access is "
                          "partially inside\n");
            return -1;
        }
        if (s && pmp_mode(pmp_cfg(env, i)) != PMP_OFF) {
            return i;
        }
    }
    return -1;
}

/* The verdict of entry @i (or of no entry, -1) for @priv and @type. */
static bool pmp_verdict(const CPURISCVState *env, int i, MMUAccessType type,
                        unsigned priv)
{
    uint8_t cfg;

    if (i < 0) {
        /* No entry: M-mode is allowed, S and U are not. */
        return priv == PRV_M;
    }
    cfg = pmp_cfg(env, i);
    if (priv == PRV_M && !(cfg & PMP_L)) {
        return true;
    }
    return (cfg & pmp_need(type)) != 0;
}

bool riscv_pmp_allows(const CPURISCVState *env, hwaddr addr, uint64_t size,
                      MMUAccessType type, unsigned priv)
{
    /* The common cases, without a walk over the entries. */
    if ((priv == PRV_M && !env->pmp_locked) || !riscv_cpu_cfg(env)->pmp) {
        return true;
    }
    if (env->pmp_active == 0) {
        return priv == PRV_M;
    }
    return pmp_verdict(env, pmp_decide(env, addr, size), type, priv);
}

bool riscv_pmp_page_allows(const CPURISCVState *env, hwaddr page,
                           MMUAccessType type, unsigned priv)
{
    hwaddr last = page + TARGET_PAGE_SIZE - 1;
    unsigned i;

    if ((priv == PRV_M && !env->pmp_locked) || !riscv_cpu_cfg(env)->pmp) {
        return true;
    }
    if (env->pmp_active == 0) {
        return priv == PRV_M;
    }
    /*
     * The first active entry that touches the page decides for all of it
     * if it holds the whole page; if it holds only part, accesses in the
     * page get different answers and none may be cached.
     */
    for (i = 0; i < RISCV_PMP_ENTRIES; i++) {
        if (pmp_mode(pmp_cfg(env, i)) == PMP_OFF ||
            last < env->pmp_sa[i] || page > env->pmp_ea[i]) {
            continue;
        }
        if (page < env->pmp_sa[i] || last > env->pmp_ea[i]) {
            return false;
        }
        return pmp_verdict(env, i, type, priv);
    }
    return pmp_verdict(env, -1, type, priv);
}

bool riscv_pmp_mret_allowed(const CPURISCVState *env, unsigned prev_priv)
{
    /* QEMU 7.2: leaving M-mode with no active entry is illegal (pmp=on). */
    return prev_priv == PRV_M || env->pmp_active != 0 ||
           !riscv_cpu_cfg(env)->pmp;
}
