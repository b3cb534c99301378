/*
 * The hart's view of memory: Sv39/Sv48/Sv57 page-table walks with hardware A/D
 * updates, a direct-mapped software TLB per privilege and access type, and
 * the slow paths of loads, stores and fetches (TLB misses, page-crossing
 * accesses, MMIO).  Corresponds to QEMU's get_physical_address() and
 * riscv_cpu_tlb_fill() in target/riscv/cpu_helper.c, and to the softmmu
 * TLB of accel/tcg/cputlb.c.
 *
 * The TLB caches host pointers into RAM.  They stay valid because RAM
 * regions are never unmapped while harts run (the virt board maps them
 * once); a board that remapped RAM would have to flush every hart's TLB.
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "internals.h"

#define PTE_V   (1ULL << 0)
#define PTE_R   (1ULL << 1)
#define PTE_W   (1ULL << 2)
#define PTE_X   (1ULL << 3)
#define PTE_U   (1ULL << 4)
#define PTE_A   (1ULL << 6)
#define PTE_D   (1ULL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  ((1ULL << 44) - 1)
/* Svpbmt and Svnapot are off in QEMU 7.2's rv64: their bits fault too. */
#define PTE_RESERVED  (~0ULL << 54)

/* QEMU's page protection bits, as -d mmu shows them. */
#define PAGE_READ   1
#define PAGE_WRITE  2
#define PAGE_EXEC   4

void riscv_tlb_flush(CPURISCVState *env)
{
    if (env->tlb_logged <= RISCV_TLB_LOG) {
        for (unsigned i = 0; i < env->tlb_logged; i++) {
            env->tlb_log[i]->tag = -1;
        }
    } else {
        memset(env->tlb, 0xff, sizeof(env->tlb));
    }
    env->tlb_logged = 0;
    riscv_chain_forget(env);
}

/* The TLB set of loads and stores, from priv and mstatus. */
static unsigned data_mmu_idx(CPURISCVState *env)
{
    uint64_t priv = env->priv;

    /* MPRV: M-mode loads and stores act as if in mstatus.MPP. */
    if (priv == PRV_M && (env->mstatus & MSTATUS_MPRV)) {
        priv = (env->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    if (priv == PRV_S && (env->mstatus & MSTATUS_SUM)) {
        return MMU_IDX_S_SUM;
    }
    return riscv_mmu_idx_of(priv);
}

void riscv_cpu_update_mmu_idx(CPURISCVState *env)
{
    env->data_mmu_idx = data_mmu_idx(env);
}

static RISCVException page_fault(MMUAccessType type)
{
    static const RISCVException c[] = {
        RISCV_EXCP_LOAD_PAGE_FAULT, RISCV_EXCP_STORE_PAGE_FAULT,
        RISCV_EXCP_INST_PAGE_FAULT,
    };
    return c[type];
}

static RISCVException access_fault(MMUAccessType type)
{
    static const RISCVException c[] = {
        RISCV_EXCP_LOAD_ACCESS_FAULT, RISCV_EXCP_STORE_AMO_ACCESS_FAULT,
        RISCV_EXCP_INST_ACCESS_FAULT,
    };
    return c[type];
}

/* The privilege whose rules (PMP, page permissions) a TLB set obeys. */
static unsigned mmu_idx_priv(unsigned mmu_idx)
{
    return mmu_idx == MMU_IDX_M ? PRV_M : mmu_idx == MMU_IDX_U ? PRV_U : PRV_S;
}

static MemTxAttrs hart_attrs(CPURISCVState *env, unsigned mmu_idx)
{
    return (MemTxAttrs) {
        .user = mmu_idx == MMU_IDX_U,
        .requester_id = env->mhartid,
    };
}

/*
 * Set A (and D) in the PTE at @pte_addr, which held @old: compare-and-swap
 * on the RAM host pointer so that a concurrent update by another hart (or
 * the guest kernel) is not lost.  Returns false if the PTE changed under
 * us (walk again) and sets *@fault when it is not in RAM (a page fault in
 * QEMU 7.2; a PTE in ROM is updated, as QEMU does).
 */
static bool pte_update(CPURISCVState *env, hwaddr pte_addr, uint64_t old,
                       uint64_t new, bool *fault)
{
    AddressSpace *as = env_cpu(env)->as;
    hwaddr xlat, plen = 8;
    MemoryRegion *mr;
    bool ok;

    rcu_read_lock();
    mr = address_space_translate(as, pte_addr, &xlat, &plen, false,
                                 MEMTXATTRS_UNSPECIFIED);
    if (!mr || !memory_region_is_ram(mr) || plen < 8 || (pte_addr & 7)) {
        rcu_read_unlock();
        *fault = true;
        return false;
    }
    ok = __atomic_compare_exchange_n(
            (uint64_t *)((uint8_t *)memory_region_get_ram_ptr(mr) + xlat),
            &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    rcu_read_unlock();
    if (ok && riscv_page_may_have_code(pte_addr)) {
        riscv_code_written(pte_addr, 8);
    }
    return ok;
}

/*
 * The walk.  @debug is the monitor's view (QEMU's is_debug): the same
 * permission checks, but A/D are left alone so that looking at guest
 * memory does not change it.
 */
static RISCVException get_physical_address(CPURISCVState *env, uint64_t vaddr,
                                           MMUAccessType type,
                                           unsigned mmu_idx, hwaddr *paddr,
                                           int *prot, bool debug)
{
    AddressSpace *as = env_cpu(env)->as;
    uint64_t mode = env->satp >> SATP_MODE_SHIFT;
    int level, levels, va_bits;

    *prot = 0;
    if (mmu_idx == MMU_IDX_M || mode == SATP_MODE_BARE) {
        *paddr = vaddr;
        *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        return RISCV_EXCP_NONE;
    }
    /* satp only takes these modes: Sv39, Sv48, Sv57 (3, 4, 5 levels). */
    levels = mode - SATP_MODE_SV39 + 3;
    va_bits = TARGET_PAGE_BITS + 9 * levels;
    /* Canonical: the bits above va_bits - 1 all equal bit va_bits - 1. */
    if ((uint64_t)((int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits)) !=
        vaddr) {
        return page_fault(type);
    }

restart:
    {
        hwaddr table = (env->satp & SATP_PPN_MASK) << TARGET_PAGE_BITS;

        for (level = levels - 1; level >= 0; level--) {
            unsigned shift = TARGET_PAGE_BITS + 9 * level;
            hwaddr pte_addr = table + ((vaddr >> shift) & 0x1ff) * 8;
            MemTxResult res;
            uint64_t pte, ppn, need;
            bool fault = false;

            /* Page tables are read as S-mode data (QEMU 7.2 too). */
            if (!riscv_pmp_allows(env, pte_addr, 8, MMU_DATA_LOAD, PRV_S)) {
                return access_fault(type);
            }
            pte = address_space_ldq_le(as, pte_addr, MEMTXATTRS_UNSPECIFIED,
                                       &res);
            if (res != MEMTX_OK) {
                return page_fault(type);    /* QEMU 7.2: not PMP's fault */
            }
            if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
                (pte & PTE_RESERVED)) {
                return page_fault(type);
            }
            ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
            if (!(pte & (PTE_R | PTE_X))) {
                /* A pointer to the next level; A/D/U must be clear. */
                if (level == 0 || (pte & (PTE_A | PTE_D | PTE_U))) {
                    return page_fault(type);
                }
                table = ppn << TARGET_PAGE_BITS;
                continue;
            }

            /* A leaf: superpages must be aligned. */
            if (ppn & ((1ULL << (9 * level)) - 1)) {
                return page_fault(type);
            }
            if (mmu_idx == MMU_IDX_U) {
                if (!(pte & PTE_U)) {
                    return page_fault(type);
                }
            } else if (pte & PTE_U) {
                /* S-mode never runs user pages; reads them with SUM. */
                if (type == MMU_INST_FETCH || mmu_idx != MMU_IDX_S_SUM) {
                    return page_fault(type);
                }
            }
            switch (type) {
            case MMU_INST_FETCH:
                need = PTE_X;
                break;
            case MMU_DATA_STORE:
                need = PTE_W;
                break;
            default:
                need = (env->mstatus & MSTATUS_MXR) ? (PTE_R | PTE_X) : PTE_R;
                break;
            }
            if (!(pte & need)) {
                return page_fault(type);
            }

            /*
             * QEMU updates A and D in hardware (Svadu behaviour) rather
             * than faulting; do the same.
             */
            need = PTE_A | (type == MMU_DATA_STORE ? PTE_D : 0);
            if ((pte & need) != need && !debug) {
                if (!pte_update(env, pte_addr, pte, pte | need, &fault)) {
                    if (fault) {
                        return page_fault(type);
                    }
                    goto restart;
                }
            }
            *paddr = ((ppn << TARGET_PAGE_BITS) & ~((1ULL << shift) - 1)) |
                     (vaddr & ((1ULL << shift) - 1));
            /* What the log shows (QEMU's prot); A and D are set by now. */
            if ((pte & PTE_R) ||
                ((pte & PTE_X) && (env->mstatus & MSTATUS_MXR))) {
                *prot |= PAGE_READ;
            }
            if (pte & PTE_X) {
                *prot |= PAGE_EXEC;
            }
            if ((pte & PTE_W) && (type == MMU_DATA_STORE || (pte & PTE_D))) {
                *prot |= PAGE_WRITE;
            }
            return RISCV_EXCP_NONE;
        }
    }
    g_assert_not_reached();
}

/*
 * -d mmu: QEMU's three riscv_cpu_tlb_fill lines (the access; the walk's
 * result, ret 1 for a page fault; PMP's verdict when the walk succeeded,
 * ret 2 for a PMP fault).  Logged at each walk, which here is each TLB
 * miss (a device page's too, once: the TLB holds those as QEMU's does).
 */
static void __attribute__((cold, noinline)) log_tlb_fill(uint64_t vaddr, MMUAccessType type,
                                     unsigned mmu_idx, bool walk_ok,
                                     hwaddr paddr, int prot, bool pmp_ok)
{
    FILE *f = qemu_log_trylock();

    fprintf(f, "riscv_cpu_tlb_fill ad %" PRIx64 " rw %d mmu_idx %u\n",
            vaddr, (int)type, mmu_idx_priv(mmu_idx));
    fprintf(f, "riscv_cpu_tlb_fill address=%" PRIx64 " ret %d physical "
            "%016" PRIx64 " prot %d\n", vaddr, walk_ok ? 0 : 1,
            walk_ok ? (uint64_t)paddr : 0, walk_ok ? prot : 0);
    if (walk_ok) {
        fprintf(f, "riscv_cpu_tlb_fill PMP address=%016" PRIx64 " ret %d "
                "prot %d tlb_size %d\n", (uint64_t)paddr, pmp_ok ? 0 : 2,
                pmp_ok ? 7 : 0, (int)TARGET_PAGE_SIZE);
    }
    qemu_log_unlock(f);
}

RISCVException riscv_translate(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, MMUAccessType type,
                               unsigned mmu_idx, hwaddr *paddr)
{
    RISCVException ex;
    bool pmp_ok = true;
    int prot;

    ex = get_physical_address(env, vaddr, type, mmu_idx, paddr, &prot, false);
    /* A TLB miss, as QEMU's PMU counts them (slow-path accesses too). */
    riscv_pmu_count_event(env, type == MMU_DATA_LOAD ?
                               RISCV_PMU_EVENT_DTLB_READ_MISS :
                          type == MMU_DATA_STORE ?
                               RISCV_PMU_EVENT_DTLB_WRITE_MISS :
                               RISCV_PMU_EVENT_ITLB_MISS);
    if (ex == RISCV_EXCP_NONE) {
        /* pmp_ok false below means: the walk succeeded, PMP refused. */
        pmp_ok = riscv_pmp_allows(env, *paddr, size, type,
                                  mmu_idx_priv(mmu_idx));
        if (!pmp_ok) {
            ex = access_fault(type);
        }
    }
    if (unlikely(qemu_loglevel_mask(CPU_LOG_MMU))) {
        log_tlb_fill(vaddr, type, mmu_idx, ex == RISCV_EXCP_NONE || !pmp_ok,
                     *paddr, prot, pmp_ok);
    }
    return ex;
}

/*
 * CPUClass::get_phys_page_debug.  Like QEMU's riscv_cpu_get_phys_page_debug:
 * a data load at the effective privilege (MPRV included), so "x" shows what
 * the hart's loads would see.  The TLB is neither consulted nor filled (it
 * may hold stale entries the guest has yet to sfence away, and filling it
 * from the monitor would be a side effect), and a failed walk is only -1:
 * env->badaddr and the trap CSRs are not touched.
 */
int64_t riscv_cpu_get_phys_page_debug(CPUState *cs, uint64_t addr)
{
    CPURISCVState *env = cpu_env(cs);
    hwaddr paddr;
    int prot;

    if (get_physical_address(env, addr, MMU_DATA_LOAD, data_mmu_idx(env),
                             &paddr, &prot, true) != RISCV_EXCP_NONE) {
        return -1;
    }
    return paddr;
}

/*
 * Pages the gdbstub watches never enter a data TLB, and pages holding its
 * breakpoints never enter the fetch TLB: their accesses and block entries
 * take the slow paths below, which check.  Everything else runs with no
 * check at all.
 */
static bool debug_page(CPURISCVState *env, uint64_t vpage, MMUAccessType type)
{
    CPUState *cs = env_cpu(env);

    if (type == MMU_INST_FETCH) {
        return unlikely(cs->nb_breakpoints) &&
               cpu_breakpoint_in_page(cs, vpage, TARGET_PAGE_SIZE);
    }
    return unlikely(cs->nb_watchpoints) &&
           cpu_watchpoint_in_page(cs, vpage, TARGET_PAGE_SIZE);
}

/*
 * Would this access (translated, not yet done) hit a watchpoint?  Then
 * the hart stops before it, at the instruction, as QEMU 7.2 does; gdb
 * steps over it with its watchpoints removed.  (Slow path only.)
 */
static RISCVException check_watchpoint(CPURISCVState *env, uint64_t vaddr,
                                       unsigned size, int flags)
{
    CPUState *cs = env_cpu(env);

    if (unlikely(cs->nb_watchpoints) &&
        cpu_watchpoint_check(cs, vaddr, size, flags)) {
        return RISCV_EXCP_WATCHPOINT;
    }
    return RISCV_EXCP_NONE;
}

RISCVException riscv_check_watchpoint(CPURISCVState *env, uint64_t vaddr,
                                      unsigned size, int flags)
{
    return check_watchpoint(env, vaddr, size, flags);
}

/*
 * The host address of physical page @paddr (translated from @vaddr) if it
 * is RAM the access may use directly (not ROM for stores, not a sliver
 * smaller than a page), else NULL.  The page also enters the TLB unless
 * PMP gives different answers within it; a data page that is not such
 * RAM enters as RISCV_TLB_IO (a fetch from it is never cached).
 */
static uint8_t *tlb_fill(CPURISCVState *env, uint64_t vaddr, hwaddr paddr,
                         MMUAccessType type, unsigned mmu_idx)
{
    AddressSpace *as = env_cpu(env)->as;
    hwaddr page = paddr & TARGET_PAGE_MASK;
    hwaddr xlat, plen = TARGET_PAGE_SIZE;
    uint8_t *host = NULL;
    MemoryRegion *mr;

    rcu_read_lock();
    mr = address_space_translate(as, page, &xlat, &plen,
                                 type == MMU_DATA_STORE,
                                 hart_attrs(env, mmu_idx));
    if (mr && memory_region_is_ram(mr) && plen >= TARGET_PAGE_SIZE &&
        !(type == MMU_DATA_STORE && mr->readonly)) {
        host = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
    }
    rcu_read_unlock();
    if ((host || type != MMU_INST_FETCH) &&
        riscv_pmp_page_allows(env, page, type, mmu_idx_priv(mmu_idx)) &&
        !debug_page(env, vaddr & TARGET_PAGE_MASK, type)) {
        RISCVTLBEntry *e = riscv_tlb_entry(env->tlb[mmu_idx][type], vaddr);

        e->tag = (vaddr & TARGET_PAGE_MASK) | (host ? 0 : RISCV_TLB_IO);
        e->addend = (uintptr_t)host - (uintptr_t)(vaddr & TARGET_PAGE_MASK);
        e->paddr = page;
        e->code_filter = riscv_code_filter_slot(page);
        if (env->tlb_logged < RISCV_TLB_LOG) {
            env->tlb_log[env->tlb_logged++] = e;
        } else {
            env->tlb_logged = RISCV_TLB_LOG + 1;
        }
    }
    return host;
}

static uint64_t phys_load(CPURISCVState *env, hwaddr paddr, unsigned size,
                          MemTxAttrs attrs, MemTxResult *res)
{
    AddressSpace *as = env_cpu(env)->as;

    switch (size) {
    case 1:
        return address_space_ldub(as, paddr, attrs, res);
    case 2:
        return address_space_lduw_le(as, paddr, attrs, res);
    case 4:
        return address_space_ldl_le(as, paddr, attrs, res);
    default:
        return address_space_ldq_le(as, paddr, attrs, res);
    }
}

static void phys_store(CPURISCVState *env, hwaddr paddr, unsigned size,
                       uint64_t val, MemTxAttrs attrs, MemTxResult *res)
{
    AddressSpace *as = env_cpu(env)->as;

    switch (size) {
    case 1:
        address_space_stb(as, paddr, val, attrs, res);
        break;
    case 2:
        address_space_stw_le(as, paddr, val, attrs, res);
        break;
    case 4:
        address_space_stl_le(as, paddr, val, attrs, res);
        break;
    default:
        address_space_stq_le(as, paddr, val, attrs, res);
        break;
    }
}

/*
 * Where a data access of @size at @vaddr goes: *paddr, and *host for RAM
 * (filling the TLB on a miss) or NULL for MMIO and anything else the hart
 * may not use directly.  On a translation or PMP fault env->badaddr is
 * set and the exception returned.
 */
static RISCVException data_access_target(CPURISCVState *env, uint64_t vaddr,
                                         unsigned size, MMUAccessType type,
                                         unsigned mmu_idx, void **host,
                                         hwaddr *paddr)
{
    RISCVTLBEntry *e = riscv_tlb_entry(env->tlb[mmu_idx][type], vaddr);
    RISCVException ex;
    uint8_t *page;

    if (riscv_tlb_hit(e, vaddr, size)) {
        *host = (void *)(e->addend + (uintptr_t)vaddr);
        *paddr = e->paddr | (vaddr & ~TARGET_PAGE_MASK);
        return RISCV_EXCP_NONE;
    }
    *host = NULL;
    if (e->tag == ((vaddr & TARGET_PAGE_MASK) | RISCV_TLB_IO)) {
        *paddr = e->paddr | (vaddr & ~TARGET_PAGE_MASK);
        return RISCV_EXCP_NONE;
    }
    ex = riscv_translate(env, vaddr, size, type, mmu_idx, paddr);
    if (ex != RISCV_EXCP_NONE) {
        env->badaddr = vaddr;
        return ex;
    }
    page = tlb_fill(env, vaddr, *paddr, type, mmu_idx);
    if (page) {
        *host = page + (vaddr & ~TARGET_PAGE_MASK);
    }
    return RISCV_EXCP_NONE;
}

/*
 * A load that is not from RAM (a device, or nothing at all), inside one
 * page.  QEMU's softmmu (load_helper in accel/tcg/cputlb.c) never gives a
 * device a misaligned access: it makes two aligned ones of the same size,
 * at the aligned address below and the one after, and joins the bytes.
 * A device that refuses either (too wide for it, or past its end) faults
 * with mtval at that aligned address: an ld at UART+5 reads UART+0 and
 * UART+8, and the second, past the 8-byte UART, is the one reported.
 */
static RISCVException device_load(CPURISCVState *env, uint64_t vaddr,
                                  hwaddr paddr, unsigned size,
                                  unsigned mmu_idx, uint64_t *val)
{
    unsigned shift = (vaddr & (size - 1)) * 8;
    uint64_t part[2];
    MemTxResult res;
    unsigned i, n = shift ? 2 : 1;

    vaddr -= shift / 8;
    paddr -= shift / 8;
    for (i = 0; i < n; i++) {
        part[i] = phys_load(env, paddr + i * size, size,
                            hart_attrs(env, mmu_idx), &res);
        if (res != MEMTX_OK) {
            env->badaddr = vaddr + i * size;
            return RISCV_EXCP_LOAD_ACCESS_FAULT;
        }
    }
    if (!shift) {
        *val = part[0];
    } else {
        /* shift < 8 * size <= 64: both shifts are in range. */
        *val = (part[0] >> shift) | (part[1] << (size * 8 - shift));
        if (size < 8) {
            *val &= (1ULL << (size * 8)) - 1;
        }
    }
    return RISCV_EXCP_NONE;
}

/*
 * A store that is not to RAM, inside one page.  QEMU's store_helper does
 * a misaligned one byte by byte, in address order, so the bytes before a
 * refused one are written and mtval is the refused byte's address.
 */
static RISCVException device_store(CPURISCVState *env, uint64_t vaddr,
                                   hwaddr paddr, unsigned size,
                                   unsigned mmu_idx, uint64_t val)
{
    unsigned i, step = (vaddr & (size - 1)) ? 1 : size;
    MemTxResult res;

    for (i = 0; i < size; i += step) {
        phys_store(env, paddr + i, step, val >> (8 * i),
                   hart_attrs(env, mmu_idx), &res);
        if (res != MEMTX_OK) {
            env->badaddr = vaddr + i;
            return RISCV_EXCP_STORE_AMO_ACCESS_FAULT;
        }
    }
    if (riscv_page_may_have_code(paddr)) {
        riscv_code_written(paddr, size);
    }
    return RISCV_EXCP_NONE;
}

RISCVException riscv_load_slow(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, uint64_t *val)
{
    unsigned mmu_idx = env->data_mmu_idx;
    RISCVException ex;
    hwaddr paddr;
    void *host;

    if (((vaddr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE) {
        /* Misaligned across a page: byte by byte, each page translated. */
        uint64_t v = 0, b;
        unsigned i;

        for (i = 0; i < size; i++) {
            ex = riscv_load_slow(env, vaddr + i, 1, &b);
            if (ex != RISCV_EXCP_NONE) {
                return ex;
            }
            v |= b << (8 * i);
        }
        *val = v;
        return RISCV_EXCP_NONE;
    }

    ex = data_access_target(env, vaddr, size, MMU_DATA_LOAD, mmu_idx, &host,
                            &paddr);
    if (ex == RISCV_EXCP_NONE) {
        ex = check_watchpoint(env, vaddr, size, BP_MEM_READ);
    }
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (!host) {
        return device_load(env, vaddr, paddr, size, mmu_idx, val);
    }
    *val = riscv_host_load(host, size);
    return RISCV_EXCP_NONE;
}

RISCVException riscv_store_slow(CPURISCVState *env, uint64_t vaddr,
                                unsigned size, uint64_t val)
{
    unsigned mmu_idx = env->data_mmu_idx;
    RISCVException ex;
    hwaddr paddr;
    void *host;

    if (((vaddr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE) {
        unsigned i;
        hwaddr p;

        /* Translate both pages first so that a fault writes nothing. */
        for (i = 0; i < size; i += size - 1) {
            ex = riscv_translate(env, vaddr + i, 1, MMU_DATA_STORE, mmu_idx,
                                 &p);
            if (ex != RISCV_EXCP_NONE) {
                env->badaddr = vaddr + i;
                return ex;
            }
        }
        for (i = 0; i < size; i++) {
            ex = riscv_store_slow(env, vaddr + i, 1, val >> (8 * i));
            if (ex != RISCV_EXCP_NONE) {
                return ex;
            }
        }
        return RISCV_EXCP_NONE;
    }

    ex = data_access_target(env, vaddr, size, MMU_DATA_STORE, mmu_idx,
                            &host, &paddr);
    if (ex == RISCV_EXCP_NONE) {
        ex = check_watchpoint(env, vaddr, size, BP_MEM_WRITE);
    }
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (!host) {
        return device_store(env, vaddr, paddr, size, mmu_idx, val);
    }
    riscv_host_store(host, size, val);
    if (unlikely(riscv_page_may_have_code(paddr))) {
        riscv_code_written(paddr, size);
    }
    return RISCV_EXCP_NONE;
}

RISCVException riscv_fetch_page(CPURISCVState *env, uint64_t pc,
                                hwaddr *paddr, const uint8_t **host)
{
    unsigned mmu_idx = riscv_mmu_idx_of(env->priv);
    RISCVTLBEntry *e;
    RISCVException ex;
    uint64_t page = pc & TARGET_PAGE_MASK;
    uint8_t *h;
    hwaddr pa;

    h = riscv_tlb_host(env, page, 1, MMU_INST_FETCH, mmu_idx, &e);
    if (h) {
        *paddr = e->paddr;
        *host = h;
        return RISCV_EXCP_NONE;
    }
    /*
     * PMP is checked for the smallest instruction at @pc: a page it does
     * not treat as a whole is not cached, so each block entry comes here.
     */
    ex = riscv_translate(env, pc, 2, MMU_INST_FETCH, mmu_idx, &pa);
    if (ex != RISCV_EXCP_NONE) {
        env->badaddr = pc;
        return ex;
    }
    h = tlb_fill(env, pc, pa, MMU_INST_FETCH, mmu_idx);
    if (!h) {
        /* Not RAM or ROM: the caller reads the instruction from there. */
        *paddr = pa;
        *host = NULL;
        return RISCV_EXCP_NONE;
    }
    *paddr = pa & TARGET_PAGE_MASK;
    *host = h;
    return debug_page(env, page, MMU_INST_FETCH) ? RISCV_EXCP_DEBUG_PAGE
                                                  : RISCV_EXCP_NONE;
}

RISCVException riscv_fetch_device(CPURISCVState *env, uint64_t pc,
                                  hwaddr paddr, uint16_t *half)
{
    unsigned mmu_idx = riscv_mmu_idx_of(env->priv);
    MemTxResult res;

    *half = phys_load(env, paddr, 2, hart_attrs(env, mmu_idx), &res);
    if (res != MEMTX_OK) {
        env->badaddr = pc;
        return RISCV_EXCP_INST_ACCESS_FAULT;
    }
    return RISCV_EXCP_NONE;
}

uint64_t riscv_phys_load(CPURISCVState *env, hwaddr paddr, unsigned size,
                         MemTxResult *res)
{
    return phys_load(env, paddr, size, hart_attrs(env, env->data_mmu_idx),
                     res);
}

void riscv_phys_store(CPURISCVState *env, hwaddr paddr, unsigned size,
                      uint64_t val, MemTxResult *res)
{
    phys_store(env, paddr, size, val, hart_attrs(env, env->data_mmu_idx),
               res);
}

RISCVException riscv_probe_rmw(CPURISCVState *env, uint64_t vaddr,
                               unsigned size, void **host, hwaddr *paddr)
{
    return data_access_target(env, vaddr, size, MMU_DATA_STORE,
                              env->data_mmu_idx, host, paddr);
}
