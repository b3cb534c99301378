/*
 * Control and status registers: which exist, who may access them, and
 * which bits are writable (WARL).  Corresponds to QEMU's
 * target/riscv/csr.c, cut down to the registers an RV64IMAFDC hart with S
 * and U modes has.  Runs in the hart's thread, from riscv_csrrw.
 */
#include "qcore/osdep.h"
#include "internals.h"

#define SSTATUS_MASK  (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | \
                       MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | \
                       MSTATUS_FS | MSTATUS_SD)
#define SSTATUS_WMASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | \
                       MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS)
#define MSTATUS_WMASK (SSTATUS_WMASK | MSTATUS_MIE | MSTATUS_MPIE | \
                       MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | \
                       MSTATUS_TW | MSTATUS_TSR | MSTATUS_FS)
/* Bits that change how addresses translate: the TLB depends on them. */
#define MSTATUS_MMU   (MSTATUS_SUM | MSTATUS_MXR)

/* What mie, mideleg and the software can write in mip. */
#define MIE_MASK      (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | \
                       MIP_SEIP | MIP_MEIP)
#define MIDELEG_MASK  (MIP_SSIP | MIP_STIP | MIP_SEIP)
/* MSIP/MTIP belong to the CLINT, MEIP/SEIP to the PLIC. */
#define MIP_WMASK     (MIP_SSIP | MIP_STIP)

/* Exceptions S-mode may handle (medeleg[11], ecall from M, is zero). */
#define MEDELEG_MASK  (((1ULL << 10) - 1) | \
                       (1ULL << RISCV_EXCP_INST_PAGE_FAULT) | \
                       (1ULL << RISCV_EXCP_LOAD_PAGE_FAULT) | \
                       (1ULL << RISCV_EXCP_STORE_PAGE_FAULT))

static void mip_update(CPURISCVState *env, uint64_t mask, uint64_t val)
{
    uint64_t old = qatomic_read(&env->mip);

    /* Devices change other bits concurrently: never lose theirs. */
    while (!__atomic_compare_exchange_n(&env->mip, &old,
                                        (old & ~mask) | (val & mask), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
}

/* cycle/time/instret/hpmcounterN from S or U: mcounteren, scounteren. */
static bool counter_allowed(CPURISCVState *env, unsigned csrno)
{
    unsigned bit = csrno & 31;

    if (env->priv < PRV_M && !((env->mcounteren >> bit) & 1)) {
        return false;
    }
    if (env->priv < PRV_S && !((env->scounteren >> bit) & 1)) {
        return false;
    }
    return true;
}

/*
 * mstatus as read: SD summarises FS (XS and VS are always 0), computed
 * here as QEMU's add_status_sd, since FP instructions set FS alone.
 */
static uint64_t mstatus_read(CPURISCVState *env)
{
    uint64_t s = env->mstatus & ~MSTATUS_SD;

    if ((s & MSTATUS_FS) == MSTATUS_FS) {
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
        *val = env->mie & env->mideleg;
        return RISCV_EXCP_NONE;
    case CSR_SIP:
        *val = qatomic_read(&env->mip) & env->mideleg;
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
    case CSR_SATP:
        if (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        *val = env->satp;
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
        *val = env->pmpcfg[(csrno - CSR_PMPCFG0) / 2];
        return RISCV_EXCP_NONE;
    case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
        *val = env->pmpaddr[csrno - CSR_PMPADDR0];
        return RISCV_EXCP_NONE;
    case CSR_MCYCLE:
        *val = env->minstret + env->mcycle_offset;
        return RISCV_EXCP_NONE;
    case CSR_MINSTRET:
        *val = env->minstret;
        return RISCV_EXCP_NONE;
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
        *val = 0;
        return RISCV_EXCP_NONE;
    case CSR_CYCLE:
    case CSR_TIME:
    case CSR_INSTRET:
    case CSR_HPMCOUNTER3 ... CSR_HPMCOUNTER31:
        if (!counter_allowed(env, csrno)) {
            return RISCV_EXCP_ILLEGAL_INST;
        }
        if (csrno == CSR_CYCLE) {
            *val = env->minstret + env->mcycle_offset;
        } else if (csrno == CSR_INSTRET) {
            *val = env->minstret;
        } else if (csrno == CSR_TIME) {
            /* No timer wired (no CLINT): as QEMU, time does not exist. */
            if (!env->rdtime) {
                return RISCV_EXCP_ILLEGAL_INST;
            }
            *val = env->rdtime(env->rdtime_opaque);
        } else {
            *val = 0;
        }
        return RISCV_EXCP_NONE;
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
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
    s = (old & ~mask) | (val & mask);

    /* MPP is WARL: the reserved value 2 leaves it unchanged. */
    if (((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
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
    case CSR_SIE:
        env->mie = (env->mie & ~env->mideleg) | (val & env->mideleg & MIE_MASK);
        break;
    case CSR_SIP:
        mip_update(env, MIP_SSIP & env->mideleg, val);
        break;
    case CSR_STVEC:
        write_tvec(&env->stvec, val);
        break;
    case CSR_SCOUNTEREN:
        env->scounteren = (uint32_t)val;
        break;
    case CSR_SENVCFG:
        env->senvcfg = val & 1;     /* FIOM */
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

        /* An unsupported mode makes the whole write have no effect. */
        if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39) {
            break;
        }
        env->satp = val & ((0xfULL << SATP_MODE_SHIFT) | SATP_ASID_MASK |
                           SATP_PPN_MASK);
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
        env->mcounteren = (uint32_t)val;
        break;
    case CSR_MENVCFG:
        env->menvcfg = val & 1;     /* FIOM */
        break;
    case CSR_MCOUNTINHIBIT:
        env->mcountinhibit = (uint32_t)val & ~2U;
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
        mip_update(env, MIP_WMASK, val);
        break;
    case CSR_PMPCFG0:
    case CSR_PMPCFG0 + 2:
        riscv_pmpcfg_write(env, csrno - CSR_PMPCFG0, val);
        break;
    case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
        riscv_pmpaddr_write(env, csrno - CSR_PMPADDR0, val);
        break;
    case CSR_MCYCLE:
        env->mcycle_offset = val - env->minstret;
        break;
    case CSR_MINSTRET:
        env->minstret = val;
        break;
    default:
        break;      /* hpm counters and events: read as zero */
    }
    return RISCV_EXCP_NONE;
}

RISCVException riscv_csrrw(CPURISCVState *env, uint32_t insn, int opc,
                           uint64_t src, uint64_t *rd_val)
{
    unsigned csrno = insn >> 20;
    unsigned rs1 = (insn >> 15) & 31;
    bool write;
    uint64_t old, new;
    RISCVException ex;

    /* csrrs/csrrc with x0 (or uimm 0) only read; csrrw always writes. */
    write = opc == OP_CSRRW || opc == OP_CSRRWI || rs1 != 0;

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
        ex = csr_write(env, csrno, new);
        if (ex != RISCV_EXCP_NONE) {
            return ex;
        }
    }
    *rd_val = old;
    return RISCV_EXCP_NONE;
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
