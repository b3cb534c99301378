/*
 * The RISC-V hart as a QOM type: TYPE_RISCV_CPU ("rv64-riscv-cpu"), a
 * TYPE_CPU with its properties (QEMU 7.2's -cpu rv64 extension switches),
 * the -cpu model parser, the ISA string boards put in the device tree,
 * reset, "info registers", the Sstc timer and the entry points devices use
 * to raise interrupts.  Corresponds to QEMU's target/riscv/cpu.c (and
 * riscv_cpu_update_mip in cpu_helper.c, time_helper.c).
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/riscv_aclint.h"
#include "qcore/main-loop.h"
#include "qcore/qobject.h"
#include "internals.h"

/* QEMU 7.2.22's marchid and mimpid: its version, 0x07_02_16. */
#define RISCV_CPU_MARCHID 0x70216

/* The single letters in the order the ISA string lists them. */
static const char riscv_single_letters[] = "iemafdqcpvh";

/* The multi-letter extensions qcore has, in QEMU 7.2's ISA string order. */
static const struct {
    const char *name;
    size_t offset;
} riscv_multi_letter[] = {
    { "zicsr", offsetof(RISCVCPUConfig, ext_icsr) },
    { "zifencei", offsetof(RISCVCPUConfig, ext_ifencei) },
    { "zihintpause", offsetof(RISCVCPUConfig, ext_zihintpause) },
    { "zba", offsetof(RISCVCPUConfig, ext_zba) },
    { "zbb", offsetof(RISCVCPUConfig, ext_zbb) },
    { "zbc", offsetof(RISCVCPUConfig, ext_zbc) },
    { "zbs", offsetof(RISCVCPUConfig, ext_zbs) },
    { "sstc", offsetof(RISCVCPUConfig, ext_sstc) },
};

/* The boolean properties: QEMU 7.2's names and defaults (h: off here). */
static const struct {
    const char *name;
    size_t offset;
    bool def;
} riscv_bool_props[] = {
    { "a", offsetof(RISCVCPUConfig, ext_a), true },
    { "c", offsetof(RISCVCPUConfig, ext_c), true },
    { "d", offsetof(RISCVCPUConfig, ext_d), true },
    { "e", offsetof(RISCVCPUConfig, ext_e), false },
    { "f", offsetof(RISCVCPUConfig, ext_f), true },
    { "g", offsetof(RISCVCPUConfig, ext_g), false },
    { "h", offsetof(RISCVCPUConfig, ext_h), false },
    { "i", offsetof(RISCVCPUConfig, ext_i), true },
    { "m", offsetof(RISCVCPUConfig, ext_m), true },
    { "s", offsetof(RISCVCPUConfig, ext_s), true },
    { "u", offsetof(RISCVCPUConfig, ext_u), true },
    { "Zicsr", offsetof(RISCVCPUConfig, ext_icsr), true },
    { "Zifencei", offsetof(RISCVCPUConfig, ext_ifencei), true },
    { "Zihintpause", offsetof(RISCVCPUConfig, ext_zihintpause), true },
    { "zba", offsetof(RISCVCPUConfig, ext_zba), true },
    { "zbb", offsetof(RISCVCPUConfig, ext_zbb), true },
    { "zbc", offsetof(RISCVCPUConfig, ext_zbc), true },
    { "zbs", offsetof(RISCVCPUConfig, ext_zbs), true },
    { "sstc", offsetof(RISCVCPUConfig, ext_sstc), true },
    { "mmu", offsetof(RISCVCPUConfig, mmu), true },
    { "pmp", offsetof(RISCVCPUConfig, pmp), true },
    /* Off in QEMU 7.2's rv64, and qcore has no such mode: =off only. */
    { "svinval", offsetof(RISCVCPUConfig, ext_svinval), false },
    { "svnapot", offsetof(RISCVCPUConfig, ext_svnapot), false },
    { "svpbmt", offsetof(RISCVCPUConfig, ext_svpbmt), false },
    { "sscofpmf", offsetof(RISCVCPUConfig, ext_sscofpmf), false },
};

__thread const RISCVCPUConfig *riscv_decode_cfg;

static bool *cfg_bool(RISCVCPU *cpu, size_t offset)
{
    return (bool *)((char *)&cpu->cfg + offset);
}

uint64_t riscv_cpu_misa(const RISCVCPUConfig *cfg)
{
    uint64_t misa = MISA_MXL_RV64;

    misa |= cfg->ext_i ? MISA_EXT('I') : 0;
    misa |= cfg->ext_e ? MISA_EXT('E') : 0;
    misa |= cfg->ext_m ? MISA_EXT('M') : 0;
    misa |= cfg->ext_a ? MISA_EXT('A') : 0;
    misa |= cfg->ext_f ? MISA_EXT('F') : 0;
    misa |= cfg->ext_d ? MISA_EXT('D') : 0;
    misa |= cfg->ext_c ? MISA_EXT('C') : 0;
    misa |= cfg->ext_s ? MISA_EXT('S') : 0;
    misa |= cfg->ext_u ? MISA_EXT('U') : 0;
    misa |= cfg->ext_h ? MISA_EXT('H') : 0;
    return misa;
}

char *riscv_cpu_isa_string(RISCVCPU *cpu)
{
    GString *isa = g_string_new("rv64");
    uint64_t misa = riscv_cpu_misa(&cpu->cfg);
    const char *l;
    unsigned i;

    for (l = riscv_single_letters; *l; l++) {
        if (misa & MISA_EXT(g_ascii_toupper(*l))) {
            g_string_append_c(isa, *l);
        }
    }
    for (i = 0; i < G_N_ELEMENTS(riscv_multi_letter); i++) {
        if (*cfg_bool(cpu, riscv_multi_letter[i].offset)) {
            g_string_append_printf(isa, "_%s", riscv_multi_letter[i].name);
        }
    }
    return g_string_free(isa, false);
}

const char *riscv_cpu_mmu_type(RISCVCPU *cpu)
{
    /* QEMU 7.2 says sv48 whatever satp accepts (Sv39, Sv48 and Sv57). */
    return cpu->cfg.mmu ? "riscv,sv48" : "riscv,none";
}

uint8_t riscv_cpu_pmu_num(RISCVCPU *cpu)
{
    return cpu->cfg.pmu_num;
}

bool riscv_cpu_opc_allowed(const RISCVCPUConfig *cfg, unsigned opc)
{
    switch (opc) {
    case OP_MUL ... OP_REMUW:
        return cfg->ext_m;
    case OP_LR_W ... OP_AMO_D:
        return cfg->ext_a;
    case OP_FENCE_I:
        return cfg->ext_ifencei;
    case OP_CSRRW ... OP_CSRRCI:
        return cfg->ext_icsr;
    case OP_ADD_UW ... OP_SLLI_UW:
        return cfg->ext_zba;
    case OP_ANDN ... OP_REV8:
        return cfg->ext_zbb;
    case OP_CLMUL ... OP_CLMULR:
        return cfg->ext_zbc;
    case OP_BCLR ... OP_BSETI:
        return cfg->ext_zbs;
    default:
        /* pause without Zihintpause is the fence hint it encodes. */
        return true;
    }
}

/*
 * The checks of QEMU 7.2's riscv_cpu_realize that apply, with its
 * messages; then what qcore cannot do (H, E, c=off, M-only harts).
 */
static bool riscv_cpu_check_config(RISCVCPU *cpu, Error **errp)
{
    RISCVCPUConfig *cfg = &cpu->cfg;

    if (cfg->ext_i && cfg->ext_e) {
        error_setg(errp, "I and E extensions are incompatible");
        return false;
    }
    if (!cfg->ext_i && !cfg->ext_e) {
        error_setg(errp, "Either I or E extension must be set");
        return false;
    }
    if (cfg->ext_s && !cfg->ext_u) {
        error_setg(errp,
                   "Setting S extension without U extension is illegal");
        return false;
    }
    if (cfg->ext_g && !(cfg->ext_i && cfg->ext_m && cfg->ext_a &&
                        cfg->ext_f && cfg->ext_d)) {
        warn_report("Setting G will also set IMAFD");
        cfg->ext_i = cfg->ext_m = cfg->ext_a = true;
        cfg->ext_f = cfg->ext_d = true;
        cfg->ext_icsr = cfg->ext_ifencei = true;
    }
    if (cfg->ext_f && !cfg->ext_icsr) {
        error_setg(errp, "F extension requires Zicsr");
        return false;
    }
    if (cfg->ext_d && !cfg->ext_f) {
        error_setg(errp, "D extension requires F extension");
        return false;
    }
    if (cfg->ext_h) {
        error_setg(errp, "qcore does not implement the H extension "
                   "(h=on); its rv64 is QEMU's rv64,h=off");
        return false;
    }
    if (cfg->ext_e) {
        error_setg(errp, "qcore does not implement RV64E (e=on)");
        return false;
    }
    if (!cfg->ext_c) {
        error_setg(errp, "qcore does not implement c=off (it would also "
                   "have to fault on jumps to 2-byte aligned addresses)");
        return false;
    }
    if (!cfg->ext_s || !cfg->ext_u) {
        error_setg(errp, "qcore does not implement harts without S and U "
                   "modes (s=off, u=off)");
        return false;
    }
    if (cfg->ext_svinval || cfg->ext_svnapot || cfg->ext_svpbmt ||
        cfg->ext_sscofpmf) {
        error_setg(errp, "qcore does not implement Svinval, Svnapot, "
                   "Svpbmt or Sscofpmf (off in QEMU 7.2's rv64 too)");
        return false;
    }
    if (cfg->pmu_num > RISCV_HPM_CSRS) {
        error_setg(errp, "pmu-num %u: there are at most %u hpm counters",
                   cfg->pmu_num, RISCV_HPM_CSRS);
        return false;
    }
    return true;
}

static void riscv_cpu_stimer_cb(void *opaque)
{
    RISCVCPU *cpu = opaque;

    /* As QEMU: the deadline was rounded down, raise STIP regardless. */
    riscv_cpu_set_mip(cpu, MIP_STIP, MIP_STIP);
}

void riscv_cpu_stimecmp_changed(CPURISCVState *env)
{
    RISCVCPU *cpu = env_archcpu(env);
    /* Serialise with the timer callback, which runs under the BQL. */
    BQLLockAuto *l = bql_auto_lock();
    uint64_t now = env->rdtime(env->rdtime_opaque);
    __int128 deadline;

    if (env->stimecmp <= now) {
        timer_del(cpu->stimer);
        riscv_cpu_set_mip(cpu, MIP_STIP, MIP_STIP);
    } else {
        riscv_cpu_set_mip(cpu, MIP_STIP, 0);
        deadline = (__int128)(env->stimecmp - now) * NANOSECONDS_PER_SECOND /
                   cpu->timebase_freq + qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        if (deadline > INT64_MAX) {
            timer_del(cpu->stimer);
        } else {
            timer_mod_ns(cpu->stimer, (int64_t)deadline);
        }
    }
    bql_auto_unlock(l);
}

/* "hartid" left at this value: use the cpu_index the vCPU layer gave. */
#define HARTID_FROM_INDEX UINT64_MAX

uint64_t riscv_cpu_set_mip(RISCVCPU *cpu, uint64_t mask, uint64_t value)
{
    CPURISCVState *env = &cpu->env;
    uint64_t old = qatomic_read(&env->mip);

    /* The PLIC's SEIP is ORed with what software wrote (csr.c). */
    if (mask & MIP_SEIP) {
        env->external_seip = !!(value & MIP_SEIP);
        value |= env->software_seip ? MIP_SEIP : 0;
    }

    while (!__atomic_compare_exchange_n(&env->mip, &old,
                                        (old & ~mask) | (value & mask), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
    /*
     * A newly raised line may need the hart's attention (leave wfi, or
     * take it at the next block boundary); lowering one never does.
     * cpu_interrupt orders our update before the hart's exit_request.
     */
    if (value & mask & ~old) {
        cpu_interrupt(&cpu->parent_obj);
    }
    return old;
}

void riscv_cpu_set_rdtime_fn(RISCVCPU *cpu, uint64_t (*fn)(void *),
                             void *opaque)
{
    cpu->env.rdtime = fn;
    cpu->env.rdtime_opaque = opaque;
}

static bool riscv_cpu_has_work(CPUState *cs)
{
    return riscv_cpu_has_pending(cpu_env(cs));
}

static uint64_t riscv_cpu_get_pc(CPUState *cs)
{
    return cpu_env(cs)->pc;
}

/*
 * Reset as the privileged spec says: M-mode, MIE = MPRV = 0, misa with
 * every extension, pc = the reset vector, mcause = 0, no reservation.
 * The board sets a0/a1 afterwards.  mip is left alone: its bits are the
 * devices' lines, and the devices reset them.
 */
static void riscv_cpu_dump_state(CPUState *cs, GString *out);

static void riscv_cpu_reset(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);

    /* -d cpu_reset: the state being thrown away, as QEMU's cpu_reset. */
    if (qemu_loglevel_mask(CPU_LOG_RESET)) {
        g_autoptr(GString) regs = g_string_new(NULL);

        riscv_cpu_dump_regs(cs, regs, false);
        qemu_log("CPU Reset (CPU %d)\n%s", cs->cpu_index, regs->str);
    }
    memset(env->gpr, 0, sizeof(env->gpr));
    memset(env->fpr, 0, sizeof(env->fpr));
    env->fflags = env->frm = 0;
    env->priv = PRV_M;
    env->mstatus = MSTATUS_XL64;
    env->misa = riscv_cpu_misa(&RISCV_CPU(cs)->cfg);
    env->medeleg = env->mideleg = env->mie = 0;
    env->mtvec = env->stvec = env->mepc = env->sepc = 0;
    env->mcause = env->scause = env->mtval = env->stval = 0;
    env->mscratch = env->sscratch = env->satp = 0;
    env->mcounteren = env->scounteren = env->mcountinhibit = 0;
    env->menvcfg = env->senvcfg = 0;
    env->stimecmp = 0;
    timer_del(RISCV_CPU(cs)->stimer);
    env->software_seip = false;
    riscv_pmp_reset(env);
    env->minstret = 0;
    memset(env->pmu_val, 0, sizeof(env->pmu_val));
    memset(env->pmu_prev, 0, sizeof(env->pmu_prev));
    memset(env->mhpmevent, 0, sizeof(env->mhpmevent));
    memset(env->pmu_event_ctr, 0, sizeof(env->pmu_event_ctr));
    env->pmu_started = 0;
    env->load_res = -1;
    env->load_val = 0;
    if (env->mhartid_prop != HARTID_FROM_INDEX) {
        env->mhartid = env->mhartid_prop;
    } else {
        env->mhartid = cs->cpu_index > 0 ? cs->cpu_index : 0;
    }
    env->pc = env->resetvec;
    riscv_cpu_update_mmu_idx(env);
    riscv_tlb_flush(env);
    riscv_cpu_flush_code_cache(env);
}

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const fpr_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/*
 * QEMU's register dump layout (riscv_cpu_dump_state), without H; @fpu:
 * the f registers too (QEMU's CPU_DUMP_FPU: "info registers", -d fpu).
 */
void riscv_cpu_dump_regs(CPUState *cs, GString *out, bool fpu)
{
    CPURISCVState *env = cpu_env(cs);
    uint64_t mstatus = env->mstatus;

    /* As read by the CSR instruction: with SD. */
    riscv_csrrw_debug(env, CSR_MSTATUS, &mstatus, false);
    const struct {
        const char *name;
        uint64_t val;
    } csrs[] = {
        { "pc", env->pc },
        { "mhartid", env->mhartid },
        { "mstatus", mstatus },
        { "mip", qatomic_read(&env->mip) },
        { "mie", env->mie },
        { "mideleg", env->mideleg },
        { "medeleg", env->medeleg },
        { "mtvec", env->mtvec },
        { "stvec", env->stvec },
        { "mepc", env->mepc },
        { "sepc", env->sepc },
        { "mcause", env->mcause },
        { "scause", env->scause },
        { "mtval", env->mtval },
        { "stval", env->stval },
        { "mscratch", env->mscratch },
        { "sscratch", env->sscratch },
        { "satp", env->satp },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(csrs); i++) {
        g_string_append_printf(out, " %-8s %016" PRIx64 "\n",
                               csrs[i].name, csrs[i].val);
    }
    for (i = 0; i < 32; i++) {
        g_autofree char *name = g_strdup_printf("x%u/%s", i, gpr_names[i]);

        g_string_append_printf(out, " %-8s %016" PRIx64 "%s", name,
                               env->gpr[i], (i & 3) == 3 ? "\n" : "");
    }
    for (i = 0; fpu && i < 32; i++) {
        g_autofree char *name = g_strdup_printf("f%u/%s", i, fpr_names[i]);

        g_string_append_printf(out, " %-8s %016" PRIx64 "%s", name,
                               env->fpr[i], (i & 3) == 3 ? "\n" : "");
    }
}

/* CPUClass::dump_state, for "info registers" (with the f registers). */
static void riscv_cpu_dump_state(CPUState *cs, GString *out)
{
    riscv_cpu_dump_regs(cs, out, true);
}

/*
 * Breakpoints, watchpoints or single-step changed (CPU stopped): the TLB
 * may map a page that must now take the slow path, and decoded pages may
 * lack (or carry stale) breakpoint marks.
 */
static void riscv_cpu_debug_changed(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);

    riscv_tlb_flush(env);
    riscv_cpu_flush_code_cache(env);
}

static QObject *riscv_cpu_get_bool(Object *obj, const char *name,
                                   void *opaque, Error **errp)
{
    return QOBJECT(qbool_from_bool(*(bool *)opaque));
}

static void riscv_cpu_set_bool(Object *obj, const char *name,
                               const QObject *value, void *opaque,
                               Error **errp)
{
    object_property_value_bool(value, name, opaque, errp);
}

static void riscv_cpu_instance_init(Object *obj)
{
    RISCVCPU *cpu = RISCV_CPU(obj);
    CPURISCVState *env = &cpu->env;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(riscv_bool_props); i++) {
        bool *field = cfg_bool(cpu, riscv_bool_props[i].offset);
        ObjectProperty *prop;

        *field = riscv_bool_props[i].def;
        prop = object_property_add(obj, riscv_bool_props[i].name, "bool",
                                   riscv_cpu_get_bool, riscv_cpu_set_bool,
                                   NULL, field);
        object_property_set_default_bool(prop, *field);
    }
    cpu->cfg.pmu_num = 16;
    cpu->cfg.mvendorid = 0;
    cpu->cfg.marchid = cpu->cfg.mimpid = RISCV_CPU_MARCHID;
    object_property_add_uint8_ptr(obj, "pmu-num", &cpu->cfg.pmu_num,
                                  OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "mvendorid", &cpu->cfg.mvendorid,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "marchid", &cpu->cfg.marchid,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "mimpid", &cpu->cfg.mimpid,
                                   OBJ_PROP_FLAG_READWRITE);
    cpu->timebase_freq = RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ;
    cpu->stimer = timer_new_ns(QEMU_CLOCK_VIRTUAL, riscv_cpu_stimer_cb, cpu);

    env->resetvec = RISCV_DEFAULT_RESETVEC;
    env->mhartid_prop = HARTID_FROM_INDEX;
    env->mhartid = HARTID_FROM_INDEX;
    env->misa = riscv_cpu_misa(&cpu->cfg);
    env->mstatus = MSTATUS_XL64;
    env->priv = PRV_M;
    env->load_res = -1;
    riscv_cpu_update_mmu_idx(env);
    env->tlb_logged = RISCV_TLB_LOG + 1;    /* nothing logged: all of it */
    env->chain_epoch = 1;
    riscv_tlb_flush(env);
    riscv_cpu_flush_code_cache(env);

    object_property_add_uint64_ptr(obj, "hartid", &env->mhartid_prop,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "resetvec", &env->resetvec,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void riscv_cpu_instance_finalize(Object *obj)
{
    CPURISCVState *env = &RISCV_CPU(obj)->env;

    timer_free(RISCV_CPU(obj)->stimer);
    g_hash_table_destroy(env->code_pages);
    env->code_pages = NULL;
    g_free(env->device_page);
    env->device_page = NULL;
    g_free(env->step_page);
    env->step_page = NULL;
}

static void riscv_cpu_class_init(ObjectClass *oc, const void *data)
{
    CPUClass *cc = CPU_CLASS(oc);

    cc->has_work = riscv_cpu_has_work;
    cc->exec = riscv_cpu_exec;
    cc->reset = riscv_cpu_reset;
    cc->dump_state = riscv_cpu_dump_state;
    cc->get_pc = riscv_cpu_get_pc;
    cc->get_phys_page_debug = riscv_cpu_get_phys_page_debug;
    cc->target_name = "riscv64";
    cc->debug_changed = riscv_cpu_debug_changed;
    riscv_cpu_gdb_init(cc);
}

static const TypeInfo riscv_cpu_type = {
    .name = TYPE_RISCV_CPU,
    .parent = TYPE_CPU,
    .instance_size = sizeof(RISCVCPU),
    .instance_init = riscv_cpu_instance_init,
    .instance_finalize = riscv_cpu_instance_finalize,
    .class_size = sizeof(CPUClass),
    .class_init = riscv_cpu_class_init,
};

void riscv_cpu_list(void)
{
    /* QEMU 7.2 also lists any, shakti-c, sifive-e51/u54, x-rv128. */
    printf("rv64\n");
}

RISCVCPU *riscv_cpu_new(const char *cpu_option, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(cpu_option ? cpu_option : "rv64", ",",
                                     -1);
    RISCVCPU *cpu;
    unsigned i;

    if (strcmp(parts[0], "rv64")) {
        error_setg(errp, "unable to find CPU model '%s'", parts[0]);
        return NULL;
    }
    cpu = RISCV_CPU(object_new(TYPE_RISCV_CPU));
    for (i = 1; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');
        Error *err = NULL;

        if (!eq) {
            error_setg(errp, "Expected key=value format, found %s", parts[i]);
            goto fail;
        }
        *eq = '\0';
        if (!object_property_find(OBJECT(cpu), parts[i])) {
            error_setg(errp, "can't apply global %s.%s=%s: Property '%s.%s' "
                       "not found", TYPE_RISCV_CPU, parts[i], eq + 1,
                       TYPE_RISCV_CPU, parts[i]);
            goto fail;
        }
        if (!object_property_parse(OBJECT(cpu), parts[i], eq + 1, &err)) {
            error_propagate_prepend(errp, err, "can't apply global %s.%s=%s: ",
                                    TYPE_RISCV_CPU, parts[i], eq + 1);
            goto fail;
        }
    }
    if (!riscv_cpu_check_config(cpu, errp)) {
        goto fail;
    }
    cpu->env.misa = riscv_cpu_misa(&cpu->cfg);
    return cpu;

fail:
    object_unref(OBJECT(cpu));
    return NULL;
}

static void riscv_cpu_register_types(void)
{
    type_register_static(&riscv_cpu_type);
}

type_init(riscv_cpu_register_types)
