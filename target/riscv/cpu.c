/*
 * The RISC-V hart as a QOM type: TYPE_RISCV_CPU ("rv64-riscv-cpu"), a
 * TYPE_CPU with its properties, reset, "info registers" and the entry
 * points devices use to raise interrupts.  Corresponds to QEMU's
 * target/riscv/cpu.c (and riscv_cpu_update_mip in cpu_helper.c).
 */
#include "qcore/osdep.h"
#include "internals.h"

/* "hartid" left at this value: use the cpu_index the vCPU layer gave. */
#define HARTID_FROM_INDEX UINT64_MAX

uint64_t riscv_cpu_set_mip(RISCVCPU *cpu, uint64_t mask, uint64_t value)
{
    CPURISCVState *env = &cpu->env;
    uint64_t old = qatomic_read(&env->mip);

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
    env->misa = RISCV_MISA;
    env->medeleg = env->mideleg = env->mie = 0;
    env->mtvec = env->stvec = env->mepc = env->sepc = 0;
    env->mcause = env->scause = env->mtval = env->stval = 0;
    env->mscratch = env->sscratch = env->satp = 0;
    env->mcounteren = env->scounteren = env->mcountinhibit = 0;
    env->menvcfg = env->senvcfg = 0;
    riscv_pmp_reset(env);
    env->minstret = env->mcycle_offset = 0;
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

static void riscv_cpu_instance_init(Object *obj)
{
    RISCVCPU *cpu = RISCV_CPU(obj);
    CPURISCVState *env = &cpu->env;

    env->resetvec = RISCV_DEFAULT_RESETVEC;
    env->mhartid_prop = HARTID_FROM_INDEX;
    env->mhartid = HARTID_FROM_INDEX;
    env->misa = RISCV_MISA;
    env->mstatus = MSTATUS_XL64;
    env->priv = PRV_M;
    env->load_res = -1;
    riscv_cpu_update_mmu_idx(env);
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

static void riscv_cpu_register_types(void)
{
    type_register_static(&riscv_cpu_type);
}

type_init(riscv_cpu_register_types)
