/*
 * The RISC-V hart: QEMU 7.2's default rv64 CPU without H (RV64IMAFDC,
 * Zicsr, Zifencei, Zihintpause, Zba/Zbb/Zbc/Zbs, Sstc), M/S/U modes,
 * Sv39/Sv48/Sv57, 16 hpm counters.
 * Corresponds to QEMU's target/riscv/cpu.h (and the CSR numbers of
 * cpu_bits.h).  See docs/cpu.md.
 *
 * Threading, in one place:
 *  - Everything in CPURISCVState belongs to the hart's own vCPU thread
 *    while it runs guest code (CPUClass->exec).  Other threads may touch
 *    it only while the hart is stopped (BQL held, cpu->stopped), e.g. for
 *    reset, "info registers" or loading a0/a1 before the first run.
 *  - The exception is @mip: devices (CLINT, PLIC) change their bits from
 *    any thread with riscv_cpu_set_mip(), which updates it atomically and
 *    kicks the hart; the hart reads it with qatomic_read.
 *  - The decoded-instruction cache is per hart; the registry of pages
 *    holding cached code is shared and has its own lock (translate.c).
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/memory.h"
#include "qcore/timer.h"
#include "qcore/target-riscv.h"

/* QEMU's default reset vector on virt (the mask ROM at 0x1000). */
#define RISCV_DEFAULT_RESETVEC 0x1000

/* Privilege levels, as encoded in mstatus.MPP. */
enum {
    PRV_U = 0,
    PRV_S = 1,
    PRV_M = 3,
};

/* ---- CSR numbers ------------------------------------------------------- */
#define CSR_FFLAGS      0x001
#define CSR_FRM         0x002
#define CSR_FCSR        0x003
#define CSR_SSTATUS     0x100
#define CSR_SIE         0x104
#define CSR_STVEC       0x105
#define CSR_SCOUNTEREN  0x106
#define CSR_SENVCFG     0x10a
#define CSR_SSCRATCH    0x140
#define CSR_SEPC        0x141
#define CSR_SCAUSE      0x142
#define CSR_STVAL       0x143
#define CSR_SIP         0x144
#define CSR_STIMECMP    0x14d
#define CSR_SATP        0x180
#define CSR_MSTATUS     0x300
#define CSR_MISA        0x301
#define CSR_MEDELEG     0x302
#define CSR_MIDELEG     0x303
#define CSR_MIE         0x304
#define CSR_MTVEC       0x305
#define CSR_MCOUNTEREN  0x306
#define CSR_MENVCFG     0x30a
#define CSR_MCOUNTINHIBIT 0x320
#define CSR_MHPMEVENT3  0x323
#define CSR_MHPMEVENT31 0x33f
#define CSR_MSCRATCH    0x340
#define CSR_MEPC        0x341
#define CSR_MCAUSE      0x342
#define CSR_MTVAL       0x343
#define CSR_MIP         0x344
#define CSR_PMPCFG0     0x3a0
#define CSR_PMPCFG15    0x3af
#define CSR_PMPADDR0    0x3b0
#define CSR_PMPADDR63   0x3ef
#define CSR_MCYCLE      0xb00
#define CSR_MINSTRET    0xb02
#define CSR_MHPMCOUNTER3  0xb03
#define CSR_MHPMCOUNTER31 0xb1f
#define CSR_CYCLE       0xc00
#define CSR_TIME        0xc01
#define CSR_INSTRET     0xc02
#define CSR_HPMCOUNTER3  0xc03
#define CSR_HPMCOUNTER31 0xc1f
#define CSR_MVENDORID   0xf11
#define CSR_MARCHID     0xf12
#define CSR_MIMPID      0xf13
/* CSR_MHARTID: qcore/target-riscv.h (the board's reset vector reads it). */
#define CSR_MCONFIGPTR  0xf15

/* ---- mstatus ------------------------------------------------------------ */
#define MSTATUS_SIE     (1ULL << 1)
#define MSTATUS_MIE     (1ULL << 3)
#define MSTATUS_SPIE    (1ULL << 5)
#define MSTATUS_MPIE    (1ULL << 7)
#define MSTATUS_SPP     (1ULL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP     (3ULL << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS      (3ULL << MSTATUS_FS_SHIFT)   /* Off/Initial/Clean/Dirty */
#define MSTATUS_MPRV    (1ULL << 17)
#define MSTATUS_SUM     (1ULL << 18)
#define MSTATUS_MXR     (1ULL << 19)
#define MSTATUS_TVM     (1ULL << 20)
#define MSTATUS_TW      (1ULL << 21)
#define MSTATUS_TSR     (1ULL << 22)
#define MSTATUS_UXL     (3ULL << 32)
#define MSTATUS_SXL     (3ULL << 34)
#define MSTATUS_SD      (1ULL << 63)    /* FS (or XS, VS) dirty; read-only */
/* UXL = SXL = 2: both U and S are 64-bit, read-only (QEMU's reset value). */
#define MSTATUS_XL64    ((2ULL << 32) | (2ULL << 34))

/* misa: MXL = 2 (RV64) and a bit per letter (riscv_cpu_misa from cfg). */
#define MISA_EXT(c)     (1ULL << ((c) - 'A'))
#define MISA_MXL_RV64   (2ULL << 62)

/* menvcfg/senvcfg: the fields QEMU 7.2 lets software write. */
#define MENVCFG_FIOM    (1ULL << 0)
#define MENVCFG_CBIE    (3ULL << 4)
#define MENVCFG_CBCFE   (1ULL << 6)
#define MENVCFG_CBZE    (1ULL << 7)
#define MENVCFG_PBMTE   (1ULL << 62)
#define MENVCFG_STCE    (1ULL << 63)

/* mcounteren/scounteren/mcountinhibit bits. */
#define COUNTEREN_CY    (1ULL << 0)
#define COUNTEREN_TM    (1ULL << 1)
#define COUNTEREN_IR    (1ULL << 2)

/* Number of mhpmcounter/mhpmevent CSRs (3..31). */
#define RISCV_HPM_CSRS  29

/* fcsr: the accrued exception flags (fflags) and the rounding mode. */
#define FFLAG_NX        (1u << 0)       /* inexact */
#define FFLAG_UF        (1u << 1)       /* underflow */
#define FFLAG_OF        (1u << 2)       /* overflow */
#define FFLAG_DZ        (1u << 3)       /* divide by zero */
#define FFLAG_NV        (1u << 4)       /* invalid */
#define FSR_RD_SHIFT    5
enum { RISCV_FRM_RNE, RISCV_FRM_RTZ, RISCV_FRM_RDN, RISCV_FRM_RUP,
       RISCV_FRM_RMM, RISCV_FRM_DYN = 7 };

/* ---- Interrupts (bit numbers in mip/mie, and interrupt causes) --------- */
/* IRQ_S_SOFT ... IRQ_M_EXT: qcore/target-riscv.h (boards wire them). */
#define MIP_SSIP        (1ULL << IRQ_S_SOFT)
#define MIP_MSIP        (1ULL << IRQ_M_SOFT)
#define MIP_STIP        (1ULL << IRQ_S_TIMER)
#define MIP_MTIP        (1ULL << IRQ_M_TIMER)
#define MIP_SEIP        (1ULL << IRQ_S_EXT)
#define MIP_MEIP        (1ULL << IRQ_M_EXT)

/* ---- Exception causes ---------------------------------------------------- */
typedef enum RISCVException {
    RISCV_EXCP_NONE = -1,
    RISCV_EXCP_INST_ADDR_MIS = 0,
    RISCV_EXCP_INST_ACCESS_FAULT = 1,
    RISCV_EXCP_ILLEGAL_INST = 2,
    RISCV_EXCP_BREAKPOINT = 3,
    RISCV_EXCP_LOAD_ADDR_MIS = 4,
    RISCV_EXCP_LOAD_ACCESS_FAULT = 5,
    RISCV_EXCP_STORE_AMO_ADDR_MIS = 6,
    RISCV_EXCP_STORE_AMO_ACCESS_FAULT = 7,
    RISCV_EXCP_U_ECALL = 8,
    RISCV_EXCP_S_ECALL = 9,
    RISCV_EXCP_M_ECALL = 11,
    RISCV_EXCP_INST_PAGE_FAULT = 12,
    RISCV_EXCP_LOAD_PAGE_FAULT = 13,
    RISCV_EXCP_STORE_PAGE_FAULT = 15,
    /*
     * qcore's own, never raised to the guest (the gdbstub's): the access
     * was done and hit a watchpoint (cs->watchpoint_hit); the fetched page
     * holds breakpoints and must be run from its debug view (translate.c).
     */
    RISCV_EXCP_WATCHPOINT = 0x100,
    RISCV_EXCP_DEBUG_PAGE = 0x101,
} RISCVException;

/* ---- satp ------------------------------------------------------------------ */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0ULL
#define SATP_MODE_SV39  8ULL
#define SATP_MODE_SV48  9ULL
#define SATP_MODE_SV57  10ULL
#define SATP_ASID_MASK  (0xffffULL << 44)
#define SATP_PPN_MASK   ((1ULL << 44) - 1)

/* ---- The software TLB ---------------------------------------------------- */
#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

/*
 * 1024 entries per set: with 256, Linux's working set on the I/O path
 * missed twice as often.  A flush costs what was filled since the last
 * one (tlb_log), not the size.
 */
#define RISCV_TLB_BITS  10
#define RISCV_TLB_SIZE  (1 << RISCV_TLB_BITS)

/* How an address is used: indexes the TLB, picks the fault cause. */
typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/*
 * One TLB set per effective privilege: U, S, M (QEMU's mmu_idx), and one
 * for S-mode data accesses while mstatus.SUM is set.  Linux sets SUM
 * around every copy to or from user memory: with its own set, that
 * changes data_mmu_idx instead of flushing the TLB (QEMU's MMUIdx_S_SUM
 * since 8.0; 7.2 flushes).
 */
enum { MMU_IDX_U, MMU_IDX_S, MMU_IDX_M, MMU_IDX_S_SUM, RISCV_MMU_IDX_COUNT };

/*
 * A guest-virtual page that translates to RAM: the host address of byte
 * @vaddr is @vaddr + @addend.  A data page that is not plain RAM (MMIO,
 * ROM for stores, unmapped) is entered with RISCV_TLB_IO in its tag,
 * which no fast-path compare matches: its accesses take the slow path,
 * which finds the physical page here instead of walking the page table
 * again (QEMU's TLB_MMIO).
 */
#define RISCV_TLB_IO    0x800
typedef struct RISCVTLBEntry {
    uint64_t tag;               /* virtual page (| RISCV_TLB_IO), -1: empty */
    uintptr_t addend;
    hwaddr paddr;               /* physical page, for the code-page check */
    /* &riscv_code_filter[] of paddr: the store fast path's one load. */
    const uint16_t *code_filter;
} RISCVTLBEntry;

typedef struct RISCVDecodedPage RISCVDecodedPage;

#define RISCV_PMP_ENTRIES 16

/*
 * What the "-cpu rv64,..." properties chose (QEMU's RISCVCPUConfig, same
 * field names).  Set before the hart first runs, read-only afterwards;
 * every thread may read it.  The decoder's and the CSRs' checks read it
 * through riscv_cpu_cfg(env).
 */
typedef struct RISCVCPUConfig {
    bool ext_i, ext_m, ext_a, ext_f, ext_d, ext_c, ext_s, ext_u, ext_h;
    bool ext_e, ext_g;
    bool ext_icsr;              /* "Zicsr" */
    bool ext_ifencei;           /* "Zifencei" */
    bool ext_zihintpause;       /* "Zihintpause" */
    bool ext_zba, ext_zbb, ext_zbc, ext_zbs;
    bool ext_sstc;
    bool ext_svinval, ext_svnapot, ext_svpbmt, ext_sscofpmf;   /* off */
    bool mmu, pmp;
    uint8_t pmu_num;            /* hpm counters 3 .. 3 + pmu_num - 1 */
    uint32_t mvendorid;
    uint64_t marchid, mimpid;
} RISCVCPUConfig;

typedef struct CPURISCVState {
    /*
     * x0..x31; gpr[32] is where the decoder sends writes to x0, so that
     * gpr[0] stays 0 without a test on every instruction.
     */
    uint64_t gpr[33];
    uint64_t pc;
    uint64_t priv;              /* PRV_M, PRV_S or PRV_U */

    /*
     * F and D: f0..f31 (a single is NaN-boxed: its upper 32 bits all
     * ones), and fcsr split in its two fields (fpu_helper.c).
     */
    uint64_t fpr[32];
    uint32_t fflags;            /* FFLAG_*, accrued */
    uint32_t frm;               /* 3 bits; 5..7 are invalid to use */

    uint64_t mstatus;
    uint64_t misa;
    uint64_t medeleg;
    uint64_t mideleg;
    uint64_t mie;
    uint64_t mip;               /* atomic: devices set bits from any thread */
    uint64_t mtvec;
    uint64_t stvec;
    uint64_t mepc;
    uint64_t sepc;
    uint64_t mcause;
    uint64_t scause;
    uint64_t mtval;
    uint64_t stval;
    uint64_t mscratch;
    uint64_t sscratch;
    uint64_t satp;
    uint64_t mhartid;
    uint64_t mcounteren;
    uint64_t scounteren;
    uint64_t mcountinhibit;
    uint64_t menvcfg;
    uint64_t senvcfg;
    uint64_t stimecmp;          /* Sstc: STIP while time >= stimecmp */
    bool software_seip;         /* mip.SEIP as software wrote it */
    bool external_seip;         /* the PLIC's line; BQL, as software_seip */
    /* PMP (pmp.c): the CSRs, and what the checks derive from them. */
    uint64_t pmpcfg[2];         /* pmpcfg0, pmpcfg2: 8 entries each */
    uint64_t pmpaddr[RISCV_PMP_ENTRIES];
    uint64_t pmp_sa[RISCV_PMP_ENTRIES], pmp_ea[RISCV_PMP_ENTRIES];
    unsigned pmp_active;        /* entries not OFF */
    bool pmp_locked;            /* some active entry has L: M is checked */

    /*
     * Retired instructions, always counting: the tick of every counter
     * (QEMU 7.2 ticks mcycle, minstret and the hpm counters counting
     * cycles or instructions with the host's cycle counter).
     */
    uint64_t minstret;
    /*
     * The counters as QEMU 7.2's PMU keeps them (csr.c): index 0 mcycle,
     * 2 minstret, 3..31 mhpmcounterN; a counting one reads
     * minstret - pmu_prev + pmu_val.  pmu_started: the counters that
     * were ever enabled in mcountinhibit (inhibiting those has no effect
     * in QEMU 7.2).  pmu_event_ctr: the counter each supported event
     * (RISCV_PMU_EVENT_*) is mapped to, 0 for none.
     */
    uint64_t pmu_val[32], pmu_prev[32];
    uint64_t mhpmevent[32];
    uint32_t pmu_started;
    uint8_t pmu_event_ctr[5];

    /* LR/SC: the reserved virtual address (-1: none) and value loaded. */
    uint64_t load_res;
    uint64_t load_val;

    /* Set by the board: what the time CSR reads (the CLINT's mtime). */
    uint64_t (*rdtime)(void *opaque);
    void *rdtime_opaque;

    /* The faulting address of the last failed memory access (tval). */
    uint64_t badaddr;

    /* Properties; used at reset. */
    uint64_t resetvec;
    uint64_t mhartid_prop;      /* "hartid"; unset: the cpu_index */

    /* Derived from priv and mstatus.MPRV/MPP (riscv_cpu_update_mmu_idx). */
    unsigned data_mmu_idx;

    RISCVTLBEntry tlb[RISCV_MMU_IDX_COUNT][3][RISCV_TLB_SIZE];
    /*
     * The entries filled since the last flush, for riscv_tlb_flush to
     * empty just those: Linux flushes at each context switch and after
     * each change to a kernel mapping, mostly with a handful of entries
     * filled in between.  More than RISCV_TLB_LOG fills: empty them all.
     */
#define RISCV_TLB_LOG 256
    RISCVTLBEntry *tlb_log[RISCV_TLB_LOG];
    unsigned tlb_logged;        /* > RISCV_TLB_LOG: overflowed */

#define RISCV_PAGE_CACHE_SIZE 1024

    /* The decoded-instruction cache (translate.c). */
    GHashTable *code_pages;     /* physical page -> RISCVDecodedPage * */
    /*
     * In front of code_pages, direct-mapped by physical page number: a
     * loop that calls across pages looks up the same few pages at each
     * block entry.  Entries point into code_pages, emptied with it.
     */
    RISCVDecodedPage *page_cache[RISCV_PAGE_CACHE_SIZE];
    /*
     * In front of the fetch TLB and page_cache for jumps across pages
     * (exec.c, riscv_chain_lookup): by virtual page and privilege, the
     * decoded page a chained jump last went on in, as QEMU's
     * tb_jmp_cache.  One entry is one cache line to look at where the
     * TLB and page_cache take three.  An entry holds while chain_epoch
     * is unchanged (every TLB flush, fence.i and emptying of the code
     * cache bumps it: riscv_chain_forget) and its page's generation is
     * the one it was entered with.
     */
#define RISCV_JMP_CACHE_SIZE 512
    struct RISCVJmpCacheEntry {
        uint64_t tag;           /* virtual page | priv */
        RISCVDecodedPage *dp;
        const uint32_t *gen;    /* &dp->shared->gen */
        uint32_t dp_gen;        /* *gen when entered */
        uint32_t epoch;
    } jmp_cache[RISCV_JMP_CACHE_SIZE];
    uint32_t chain_epoch;       /* never 0: a zeroed entry matches nothing */
    /* fence.i instructions run: pages entered since are checked anew. */
    uint32_t fence_count;
    /* wfi in a row that did not wait, no interrupt taken (exec.c). */
    unsigned wfi_busy;
    unsigned pauses;            /* pause instructions run (exec.c) */
    /* Scratch for code read from a device (exec.c); lazily allocated. */
    RISCVDecodedPage *device_page;
    /* Single-step (gdbstub): one decoded slot, the others end the block. */
    RISCVDecodedPage *step_page;
    unsigned step_slot;
} CPURISCVState;

struct RISCVCPU {
    CPUState parent_obj;
    CPURISCVState env;
    RISCVCPUConfig cfg;
    /*
     * Sstc: fires when time reaches stimecmp (QEMU_CLOCK_VIRTUAL, main
     * loop with the BQL); armed by the hart's thread on stimecmp writes,
     * which also hold the BQL for it (timer lists are BQL-protected).
     */
    QEMUTimer *stimer;
    /* Rate of the time CSR, for the Sstc timer (the board's timebase). */
    uint32_t timebase_freq;
};

static inline CPURISCVState *cpu_env(CPUState *cs)
{
    return &container_of(cs, RISCVCPU, parent_obj)->env;
}

static inline const RISCVCPUConfig *riscv_cpu_cfg(const CPURISCVState *env)
{
    return &container_of(env, const RISCVCPU, env)->cfg;
}

/* riscv_cpu_set_mip, riscv_cpu_set_rdtime_fn: qcore/target-riscv.h. */

/*
 * Run guest code (CPUClass->exec), from the hart's thread without the
 * BQL.  Returns EXCP_INTERRUPT when cpu->exit_request was seen, EXCP_HLT
 * when a wfi found no interrupt pending.
 */
int riscv_cpu_exec(CPUState *cs);

/* Drop every decoded instruction this hart holds (fence.i, reset). */
void riscv_cpu_flush_code_cache(CPURISCVState *env);

/* Empty every TLB set of this hart (satp write, sfence.vma, reset). */
void riscv_tlb_flush(CPURISCVState *env);

#endif
