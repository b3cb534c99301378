/*
 * Control and status registers: which exist, who may access them, and
 * which bits are writable (WARL).  Corresponds to QEMU's
 * target/riscv/csr.c, cut down to the registers QEMU 7.2's rv64 hart
 * has without H, with its masks (tests/guest/counters.c records them).
 * Runs in the hart's thread, from riscv_csrrw.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "internals.h"

/*
 * QEMU 7.2 keeps mstatus.VS (the V extension's state) and GVA (H's)
 * writable with v=off, h=off, and VS dirty sets SD; UXL takes any
 * nonzero value written (write_mstatus).  tests/guest/counters.c.
 */
#define MSTATUS_VS    (3ULL << 9)
#define MSTATUS_GVA   (1ULL << 38)
#define MSTATUS_SD    (1ULL << 63)
#define SSTATUS_MASK  (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | \
                       MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | \
                       MSTATUS_VS | MSTATUS_FS | MSTATUS_SD)
#define SSTATUS_WMASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | \
                       MSTATUS_SUM | MSTATUS_MXR | MSTATUS_VS | MSTATUS_FS)
#define MSTATUS_WMASK (SSTATUS_WMASK | MSTATUS_MIE | MSTATUS_MPIE | \
                       MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | \
                       MSTATUS_TW | MSTATUS_TSR | MSTATUS_GVA)
/*
 * Bits that change how addresses translate, which the TLB's entries
 * depend on (SUM too, but it selects its own set: cpu.h).
 */
#define MSTATUS_MMU   MSTATUS_MXR

/*
 * What mie, mideleg and the software can write in mip: QEMU 7.2 keeps
 * the H extension's VS bits (2, 6, 10) and LCOFIP (13) writable even
 * with h=off and no Sscofpmf, and takes them as interrupts
 * (riscv_cpu_exec_interrupt); only software can make them pending.
 */
#define MIP_VS_BITS   ((1ULL << 2) | (1ULL << 6) | (1ULL << 10))
#define MIP_LCOFIP    (1ULL << 13)
#define MIDELEG_MASK  (MIP_SSIP | MIP_STIP | MIP_SEIP | MIP_VS_BITS | \
                       MIP_LCOFIP)
#define MIE_MASK      (MIDELEG_MASK | MIP_MSIP | MIP_MTIP | MIP_MEIP)
/* MSIP/MTIP belong to the CLINT, MEIP to the PLIC; SEIP is shared. */
#define MIP_WMASK     MIDELEG_MASK

/* What S sees of them: its interrupts and LCOFI; it may write SSIP, LCOFIP. */
#define SIE_MASK      (MIP_SSIP | MIP_STIP | MIP_SEIP | MIP_LCOFIP)
#define SIP_WMASK     (MIP_SSIP | MIP_LCOFIP)

/* QEMU 7.2's delegable exceptions: 0-13, 15 and the guest page faults. */
#define MEDELEG_MASK  0xf0bfffULL

#define MENVCFG_WMASK (MENVCFG_FIOM | MENVCFG_CBIE | MENVCFG_CBCFE | \
                       MENVCFG_CBZE | MENVCFG_PBMTE | MENVCFG_STCE)
#define SENVCFG_WMASK (MENVCFG_FIOM | MENVCFG_CBIE | MENVCFG_CBCFE | \
                       MENVCFG_CBZE)

/* mhpmeventN's event number, and the events QEMU 7.2 can count. */
#define MHPMEVENT_IDX_MASK 0xfffffULL
static const uint32_t pmu_events[5] = {
    [RISCV_PMU_EVENT_CYCLES] = 0x1,
    [RISCV_PMU_EVENT_INSTRUCTIONS] = 0x2,
    [RISCV_PMU_EVENT_DTLB_READ_MISS] = 0x10019,
    [RISCV_PMU_EVENT_DTLB_WRITE_MISS] = 0x1001b,
    [RISCV_PMU_EVENT_ITLB_MISS] = 0x10021,
};

static void mip_update(CPURISCVState *env, uint64_t mask, uint64_t val)
{
    uint64_t old = qatomic_read(&env->mip);

    /* Devices change other bits concurrently: never lose theirs. */
    while (!__atomic_compare_exchange_n(&env->mip, &old,
                                        (old & ~mask) | (val & mask), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
}

/*
 * mip.SEIP is the OR of what software wrote and the PLIC's line (QEMU's
 * software_seip/external_seip).  Both writers hold the BQL.
 */
static void write_mip(CPURISCVState *env, uint64_t mask, uint64_t val)
{
    if (mask & MIP_SEIP) {
        BQLLockAuto *l = bql_auto_lock();

        env->software_seip = !!(val & MIP_SEIP);
        val |= env->external_seip ? MIP_SEIP : 0;
        mip_update(env, mask, val);
        bql_auto_unlock(l);
        return;
    }
    mip_update(env, mask, val);
}

/* Does hpm counter @ctr (3..31) exist?  The first pmu_num of them do. */
static bool hpm_exists(CPURISCVState *env, unsigned ctr)
{
    return ctr >= 3 && ctr - 3 < riscv_cpu_cfg(env)->pmu_num;
}

/* cycle/time/instret/hpmcounterN from S or U: mcounteren, scounteren. */
static bool counter_allowed(CPURISCVState *env, unsigned csrno)
{
    unsigned bit = csrno & 31;

    if (bit >= 3 && !hpm_exists(env, bit)) {
        return false;
    }
    if (env->priv < PRV_M && !((env->mcounteren >> bit) & 1)) {
        return false;
    }
    if (env->priv < PRV_S && !((env->scounteren >> bit) & 1)) {
        return false;
    }
    return true;
}

/* Does counter @ctr count cycles or instructions (QEMU's "monitor")? */
static bool pmu_counts(CPURISCVState *env, unsigned ctr)
{
    return ctr == 0 || ctr == 2 ||
           (ctr >= 3 &&
            (env->pmu_event_ctr[RISCV_PMU_EVENT_CYCLES] == ctr ||
             env->pmu_event_ctr[RISCV_PMU_EVENT_INSTRUCTIONS] == ctr));
}

/*
 * QEMU 7.2's riscv_pmu_read_ctr: an inhibited counter stands still only
 * if it was never enabled (its "started" flag is set by any mcountinhibit
 * write that leaves it enabled, and never cleared).
 */
static uint64_t pmu_read(CPURISCVState *env, unsigned ctr)
{
    if (((env->mcountinhibit >> ctr) & 1) &&
        !((env->pmu_started >> ctr) & 1)) {
        return env->pmu_val[ctr];
    }
    if (pmu_counts(env, ctr)) {
        return env->minstret - env->pmu_prev[ctr] + env->pmu_val[ctr];
    }
    return env->pmu_val[ctr];
}

static void pmu_write(CPURISCVState *env, unsigned ctr, uint64_t val)
{
    env->pmu_val[ctr] = val;
    env->pmu_prev[ctr] = pmu_counts(env, ctr) ? env->minstret : val;
}

/*
 * mhpmeventN: the value is kept whole; a supported event goes to the
 * first counter that asks for it, 0 unmaps the counter's events.
 */
static void write_mhpmevent(CPURISCVState *env, unsigned ctr, uint64_t val)
{
    unsigned i;

    env->mhpmevent[ctr] = val;
    if (!hpm_exists(env, ctr)) {
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(pmu_events); i++) {
        if (!val && env->pmu_event_ctr[i] == ctr) {
            env->pmu_event_ctr[i] = 0;
        } else if (val && (val & MHPMEVENT_IDX_MASK) == pmu_events[i] &&
                   !env->pmu_event_ctr[i]) {
            env->pmu_event_ctr[i] = ctr;
        }
    }
}

void riscv_pmu_count_event(CPURISCVState *env, unsigned event)
{
    unsigned ctr = env->pmu_event_ctr[event];

    if (ctr && !((env->mcountinhibit >> ctr) & 1)) {
        env->pmu_val[ctr]++;
    }
}

/* Sstc: may the current mode access stimecmp? */
static bool stimecmp_allowed(CPURISCVState *env)
{
    if (!riscv_cpu_cfg(env)->ext_sstc || !env->rdtime) {
        return false;
    }
    if (env->priv == PRV_M) {
        return true;
    }
    return env->priv == PRV_S && (env->mcounteren & COUNTEREN_TM) &&
           (env->menvcfg & MENVCFG_STCE);
}

/*
 * mstatus as read: SD summarises FS and VS (XS is always 0), computed
 * here as QEMU's add_status_sd, since FP instructions set FS alone.
 */
static uint64_t mstatus_read(CPURISCVState *env)
{
    uint64_t s = env->mstatus & ~MSTATUS_SD;

    if ((s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_VS) == MSTATUS_VS) {
        s |= MSTATUS_SD;
    }
    return s;
}

/* fflags, frm, fcsr exist while the FPU is on (QEMU's fs predicate). */
static bool fp_csr_allowed(CPURISCVState *env)
{
    return (env->misa & MISA_EXT('F')) && (env->mstatus & MSTATUS_FS);
}

static RISCVException csr_read(CPURISCVState *env, unsigned csrno,
                               uint64_t *val)
{
    switch (csrno) {
    case CSR_FFLAGS:
    case CSR_FRM:
    case CSR_FCSR:
        if (!fp_csr_allowed(env)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = csrno == CSR_FFLAGS ? env->fflags :
               csrno == CSR_FRM ? env->frm :
               env->fflags | (env->frm << FSR_RD_SHIFT);
        return RISCV_EXCP_NONE;
    case CSR_SSTATUS:
        *val = mstatus_read(env) & SSTATUS_MASK;
        return RISCV_EXCP_NONE;
    case CSR_SIE:
        *val = env->mie & env->mideleg & SIE_MASK;
        return RISCV_EXCP_NONE;
    case CSR_SIP:
        *val = qatomic_read(&env->mip) & env->mideleg & SIE_MASK;
        return RISCV_EXCP_NONE;
    case CSR_STVEC:
        *val = env->stvec;
        return RISCV_EXCP_NONE;
    case CSR_SCOUNTEREN:
        *val = env->scounteren;
        return RISCV_EXCP_NONE;
    case CSR_SENVCFG:
        *val = env->senvcfg;
        return RISCV_EXCP_NONE;
    case CSR_SSCRATCH:
        *val = env->sscratch;
        return RISCV_EXCP_NONE;
    case CSR_SEPC:
        *val = env->sepc;
        return RISCV_EXCP_NONE;
    case CSR_SCAUSE:
        *val = env->scause;
        return RISCV_EXCP_NONE;
    case CSR_STVAL:
        *val = env->stval;
        return RISCV_EXCP_NONE;
    case CSR_STIMECMP:
        if (!stimecmp_allowed(env)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = env->stimecmp;
        return RISCV_EXCP_NONE;
    case CSR_SATP:
        if (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = riscv_cpu_cfg(env)->mmu ? env->satp : 0;
        return RISCV_EXCP_NONE;
    case CSR_MSTATUS:
        *val = mstatus_read(env);
        return RISCV_EXCP_NONE;
    case CSR_MISA:
        *val = env->misa;
        return RISCV_EXCP_NONE;
    case CSR_MEDELEG:
        *val = env->medeleg;
        return RISCV_EXCP_NONE;
    case CSR_MIDELEG:
        *val = env->mideleg;
        return RISCV_EXCP_NONE;
    case CSR_MIE:
        *val = env->mie;
        return RISCV_EXCP_NONE;
    case CSR_MTVEC:
        *val = env->mtvec;
        return RISCV_EXCP_NONE;
    case CSR_MCOUNTEREN:
        *val = env->mcounteren;
        return RISCV_EXCP_NONE;
    case CSR_MENVCFG:
        *val = env->menvcfg;
        return RISCV_EXCP_NONE;
    case CSR_MCOUNTINHIBIT:
        *val = env->mcountinhibit;
        return RISCV_EXCP_NONE;
    case CSR_MSCRATCH:
        *val = env->mscratch;
        return RISCV_EXCP_NONE;
    case CSR_MEPC:
        *val = env->mepc;
        return RISCV_EXCP_NONE;
    case CSR_MCAUSE:
        *val = env->mcause;
        return RISCV_EXCP_NONE;
    case CSR_MTVAL:
        *val = env->mtval;
        return RISCV_EXCP_NONE;
    case CSR_MIP:
        *val = qatomic_read(&env->mip);
        return RISCV_EXCP_NONE;
    case CSR_PMPCFG0:
    case CSR_PMPCFG0 + 2:
        if (!riscv_cpu_cfg(env)->pmp) {
            return RISCV_EXCP_ILLEGAL_INST;     /* -cpu rv64,pmp=off */
        }
        *val = env->pmpcfg[(csrno - CSR_PMPCFG0) / 2];
        return RISCV_EXCP_NONE;
    case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
        if (!riscv_cpu_cfg(env)->pmp) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = env->pmpaddr[csrno - CSR_PMPADDR0];
        return RISCV_EXCP_NONE;
    case CSR_MCYCLE:
    case CSR_MINSTRET:
        *val = pmu_read(env, csrno & 31);
        return RISCV_EXCP_NONE;
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
        if (!hpm_exists(env, csrno & 31)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = pmu_read(env, csrno & 31);
        return RISCV_EXCP_NONE;
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
        *val = env->mhpmevent[csrno & 31];
        return RISCV_EXCP_NONE;
    case CSR_CYCLE:
    case CSR_TIME:
    case CSR_INSTRET:
    case CSR_HPMCOUNTER3 ... CSR_HPMCOUNTER31:
        if (!counter_allowed(env, csrno)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        if (csrno == CSR_TIME) {
            /* No timer wired (no CLINT): as QEMU, time does not exist. */
            if (!env->rdtime) {
                return RISCV_EXCP_ILLEGAL_INST;
            }
            *val = env->rdtime(env->rdtime_opaque);
        } else {
            *val = pmu_read(env, csrno & 31);
        }
        return RISCV_EXCP_NONE;
    case CSR_MVENDORID:
        *val = riscv_cpu_cfg(env)->mvendorid;
        return RISCV_EXCP_NONE;
    case CSR_MARCHID:
        *val = riscv_cpu_cfg(env)->marchid;
        return RISCV_EXCP_NONE;
    case CSR_MIMPID:
        *val = riscv_cpu_cfg(env)->mimpid;
        return RISCV_EXCP_NONE;
    case CSR_MCONFIGPTR:
        *val = 0;
        return RISCV_EXCP_NONE;
    case CSR_MHARTID:
        *val = env->mhartid;
        return RISCV_EXCP_NONE;
    }
    return RISCV_EXCP_ILLEGAL_INST;
}

static void write_mstatus(CPURISCVState *env, uint64_t mask, uint64_t val)
{
    uint64_t old = env->mstatus;
    uint64_t s;

    /* Without F (-cpu ...,f=off) FS stays Off: every FP access traps. */
    if (!(env->misa & MISA_EXT('F'))) {
        mask &= ~MSTATUS_FS;
    }

    /* UXL: any nonzero value sticks (qcore runs U as RV64 whatever). */
    if (val & MSTATUS_UXL) {
        mask |= MSTATUS_UXL;
    }
    s = (old & ~mask) | (val & mask);
    /* MPP is WARL: the reserved value 2 leaves it unchanged. */
    if (((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    }
    /* SD: some state is dirty; mstatus_read recomputes it (FP ops set FS). */
    s &= ~MSTATUS_SD;
    if ((s & MSTATUS_VS) == MSTATUS_VS || (s & MSTATUS_FS) == MSTATUS_FS) {
        s |= MSTATUS_SD;
    }
    env->mstatus = s;
    if ((old ^ s) & MSTATUS_MMU) {
        riscv_tlb_flush(env);
    }
    riscv_cpu_update_mmu_idx(env);
}

static void write_tvec(uint64_t *tvec, uint64_t val)
{
    /* Modes 2 and 3 are reserved: QEMU ignores such a write. */
    if ((val & 3) < 2) {
        *tvec = val;
    }
}

/*
 * mip or sip, the bits of @wmask only.  A csrrs/csrrc names the bits it
 * sets or clears; writing back the rest of what it read would race with
 * the devices that own them and would latch the PLIC's SEIP as software's
 * (OpenSBI sets SSIP with csrs mip while SEIP is up: SEIP then never
 * dropped and the hart took external interrupts for ever).  QEMU's rmw
 * CSR ops get the instruction's write mask for the same reason.
 */
static void write_ip(CPURISCVState *env, unsigned csrno, uint64_t val,
                     uint64_t wmask)
{
    uint64_t mask;

    if (csrno == CSR_SIP) {
        mask = SIP_WMASK & env->mideleg;
    } else {
        mask = MIP_WMASK;
        /* Sstc with STCE: STIP is stimecmp's, software cannot write it. */
        if (riscv_cpu_cfg(env)->ext_sstc && env->priv == PRV_M &&
            (env->menvcfg & MENVCFG_STCE)) {
            mask &= ~MIP_STIP;
        }
    }
    write_mip(env, mask & wmask, val);
}

static RISCVException csr_write(CPURISCVState *env, unsigned csrno,
                                uint64_t val)
{
    switch (csrno) {
    case CSR_FFLAGS:
    case CSR_FRM:
    case CSR_FCSR:
        /* As QEMU: any write makes the FP state dirty. */
        env->mstatus |= MSTATUS_FS;
        if (csrno != CSR_FRM) {
            env->fflags = val & 0x1f;
        }
        if (csrno != CSR_FFLAGS) {
            env->frm = (csrno == CSR_FRM ? val : val >> FSR_RD_SHIFT) & 7;
        }
        break;
    case CSR_SSTATUS:
        write_mstatus(env, SSTATUS_WMASK, val);
        break;
    case CSR_SIE: {
        uint64_t mask = env->mideleg & SIE_MASK;

        env->mie = (env->mie & ~mask) | (val & mask);
        break;
    }
    case CSR_SIP:
        write_ip(env, csrno, val, ~0ULL);
        break;
    case CSR_STVEC:
        write_tvec(&env->stvec, val);
        break;
    case CSR_SCOUNTEREN:
        env->scounteren = val;      /* QEMU 7.2 keeps all 64 bits */
        break;
    case CSR_SENVCFG:
        env->senvcfg = val & SENVCFG_WMASK;
        break;
    case CSR_STIMECMP:
        env->stimecmp = val;
        riscv_cpu_stimecmp_changed(env);
        break;
    case CSR_SSCRATCH:
        env->sscratch = val;
        break;
    case CSR_SEPC:
        env->sepc = val & ~1ULL;
        break;
    case CSR_SCAUSE:
        env->scause = val;
        break;
    case CSR_STVAL:
        env->stval = val;
        break;
    case CSR_SATP: {
        uint64_t mode = val >> SATP_MODE_SHIFT;

        /*
         * An unsupported mode makes the whole write have no effect (Linux
         * probes Sv57, then Sv48, this way); with mmu=off satp is 0.
         */
        if (!riscv_cpu_cfg(env)->mmu ||
            (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 &&
             mode != SATP_MODE_SV48 && mode != SATP_MODE_SV57)) {
            break;
        }
        env->satp = val;
        riscv_tlb_flush(env);
        break;
    }
    case CSR_MSTATUS:
        write_mstatus(env, MSTATUS_WMASK, val);
        break;
    case CSR_MISA:
        break;      /* WARL: the extensions are fixed */
    case CSR_MEDELEG:
        env->medeleg = val & MEDELEG_MASK;
        break;
    case CSR_MIDELEG:
        env->mideleg = val & MIDELEG_MASK;
        break;
    case CSR_MIE:
        env->mie = val & MIE_MASK;
        break;
    case CSR_MTVEC:
        write_tvec(&env->mtvec, val);
        break;
    case CSR_MCOUNTEREN:
        env->mcounteren = val;
        break;
    case CSR_MENVCFG:
        env->menvcfg = val & MENVCFG_WMASK;
        break;
    case CSR_MCOUNTINHIBIT:
        /* Kept whole, TM included; see pmu_read for "started". */
        env->mcountinhibit = val;
        env->pmu_started |= ~(uint32_t)val;
        break;
    case CSR_MSCRATCH:
        env->mscratch = val;
        break;
    case CSR_MEPC:
        env->mepc = val & ~1ULL;
        break;
    case CSR_MCAUSE:
        env->mcause = val;
        break;
    case CSR_MTVAL:
        env->mtval = val;
        break;
    case CSR_MIP:
        write_ip(env, csrno, val, ~0ULL);
        break;
    case CSR_PMPCFG0:
    case CSR_PMPCFG0 + 2:
        riscv_pmpcfg_write(env, csrno - CSR_PMPCFG0, val);
        break;
    case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
        riscv_pmpaddr_write(env, csrno - CSR_PMPADDR0, val);
        break;
    case CSR_MCYCLE:
    case CSR_MINSTRET:
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
        pmu_write(env, csrno & 31, val);
        break;
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
        write_mhpmevent(env, csrno & 31, val);
        break;
    default:
        break;
    }
    return RISCV_EXCP_NONE;
}

/* csrrs/csrrc with x0 (or uimm 0) only read; csrrw always writes. */
static bool csr_insn_writes(uint32_t insn, int opc)
{
    return opc == OP_CSRRW || opc == OP_CSRRWI || ((insn >> 15) & 31) != 0;
}

RISCVException riscv_csrrw(CPURISCVState *env, uint32_t insn, int opc,
                           uint64_t src, uint64_t *rd_val)
{
    unsigned csrno = insn >> 20;
    bool write = csr_insn_writes(insn, opc);
    uint64_t old, new;
    RISCVException ex;

    /* Bits 9:8 are the lowest privilege allowed, 11:10 == 3 read-only. */
    if (((csrno >> 8) & 3) > env->priv) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    if (write && (csrno >> 10) == 3) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    ex = csr_read(env, csrno, &old);
    if (ex != RISCV_EXCP_NONE) {
        return ex;
    }
    if (write) {
        switch (opc) {
        case OP_CSRRW:
        case OP_CSRRWI:
            new = src;
            break;
        case OP_CSRRS:
        case OP_CSRRSI:
            new = old | src;
            break;
        default:
            new = old & ~src;
            break;
        }
        if (csrno == CSR_MIP || csrno == CSR_SIP) {
            write_ip(env, csrno, new,
                     opc == OP_CSRRW || opc == OP_CSRRWI ? ~0ULL : src);
        } else {
            ex = csr_write(env, csrno, new);
            if (ex != RISCV_EXCP_NONE) {
                return ex;
            }
        }
    }
    *rd_val = old;
    return RISCV_EXCP_NONE;
}

/*
 * A block used to end at every CSR instruction, as QEMU ends its TB.
 * Linux's I/O path runs one every few hundred instructions: the time CSR,
 * the trap entry's scratch and cause registers, and above all sstatus.SIE
 * cleared and set again around every spinlock.  What a block relies on
 * for its whole run is the data TLB set (run_block keeps pointers to it)
 * and that no interrupt became takeable; the privilege, satp and the
 * rest change only through CSRs that still end it.  So it goes on after:
 *  - a read (csrrs/csrrc with x0, or a zero uimm);
 *  - a write of the trap-handling scratch, epc, cause and tval registers;
 *  - a write of sstatus or mstatus that left the data set as it was,
 *    while no interrupt is both pending and enabled in mie (the outer
 *    loop decides whether one is taken; this only asks whether it might).
 */
bool riscv_csr_ends_block(CPURISCVState *env, uint32_t insn, int opc,
                          unsigned old_data_mmu_idx)
{
    if (!csr_insn_writes(insn, opc)) {
        return false;
    }
    switch (insn >> 20) {
    case CSR_SSCRATCH: case CSR_SEPC: case CSR_SCAUSE: case CSR_STVAL:
    case CSR_MSCRATCH: case CSR_MEPC: case CSR_MCAUSE: case CSR_MTVAL:
        return false;
    case CSR_SSTATUS:
    case CSR_MSTATUS:
        return env->data_mmu_idx != old_data_mmu_idx ||
               (qatomic_read(&env->mip) & env->mie);
    default:
        return true;
    }
}

RISCVException riscv_csrrw_debug(CPURISCVState *env, unsigned csrno,
                                 uint64_t *val, bool write)
{
    uint64_t priv = env->priv;
    RISCVException ex;

    if (csrno > 0xfff || (write && (csrno >> 10) == 3)) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    /* The debugger sees everything, as M-mode does (QEMU's debugger). */
    env->priv = PRV_M;
    if (csrno >= CSR_FFLAGS && csrno <= CSR_FCSR &&
        (env->misa & MISA_EXT('F'))) {
        /* And fcsr with the FPU off; a write makes it dirty as usual. */
        if (write) {
            csr_write(env, csrno, *val);
        } else {
            *val = csrno == CSR_FFLAGS ? env->fflags :
                   csrno == CSR_FRM ? env->frm :
                   env->fflags | (env->frm << FSR_RD_SHIFT);
        }
        env->priv = priv;
        return RISCV_EXCP_NONE;
    }
    if (write) {
        ex = csr_read(env, csrno, &(uint64_t){ 0 });
        if (ex == RISCV_EXCP_NONE) {
            ex = csr_write(env, csrno, *val);
        }
    } else {
        ex = csr_read(env, csrno, val);
    }
    env->priv = priv;
    riscv_cpu_update_mmu_idx(env);
    return ex;
}
