/*
 * The hart as gdb sees it: the target description (XML) and register
 * access for the gdbstub.  Corresponds to QEMU's target/riscv/gdbstub.c
 * and the gdb-xml/riscv-64bit-*.xml files.
 *
 * Register numbers follow QEMU 7.2's scheme for the features this hart
 * has: x0..x31 are 0..31, pc 32; the FPU feature's f0..f31 33..64 (each a
 * union of float and double, as QEMU's riscv-64bit-fpu.xml); the
 * "virtual" feature's priv 65; CSR n is 66 + n in riscv-csr.xml, which
 * lists every CSR the hart has.  fflags, frm and fcsr are there too (gdb
 * takes them from either feature): QEMU 7.2 builds its CSR list while
 * mstatus.FS is still Off and so leaves them out, where `info registers
 * float` has nothing to show for them.  Called from the main thread with
 * the BQL while the hart is stopped.
 */
#include "qcore/osdep.h"
#include "internals.h"

#define GDB_FPR_BASE    33
#define GDB_PRIV_REG    65
#define GDB_CSR_BASE    66

static const char *const gdb_gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* QEMU's names (csr_ops[].name) for the CSRs this hart has. */
static char *csr_name(unsigned csrno)
{
    static const struct {
        unsigned csrno;
        const char *name;
    } names[] = {
        { CSR_FFLAGS, "fflags" }, { CSR_FRM, "frm" }, { CSR_FCSR, "fcsr" },
        { CSR_SSTATUS, "sstatus" }, { CSR_SIE, "sie" },
        { CSR_STVEC, "stvec" }, { CSR_SCOUNTEREN, "scounteren" },
        { CSR_SENVCFG, "senvcfg" }, { CSR_SSCRATCH, "sscratch" },
        { CSR_SEPC, "sepc" }, { CSR_SCAUSE, "scause" },
        { CSR_STVAL, "stval" }, { CSR_SIP, "sip" }, { CSR_SATP, "satp" },
        { CSR_STIMECMP, "stimecmp" },
        { CSR_MSTATUS, "mstatus" }, { CSR_MISA, "misa" },
        { CSR_MEDELEG, "medeleg" }, { CSR_MIDELEG, "mideleg" },
        { CSR_MIE, "mie" }, { CSR_MTVEC, "mtvec" },
        { CSR_MCOUNTEREN, "mcounteren" }, { CSR_MENVCFG, "menvcfg" },
        { CSR_MCOUNTINHIBIT, "mcountinhibit" },
        { CSR_MSCRATCH, "mscratch" }, { CSR_MEPC, "mepc" },
        { CSR_MCAUSE, "mcause" }, { CSR_MTVAL, "mtval" },
        { CSR_MIP, "mip" }, { CSR_MCYCLE, "mcycle" },
        { CSR_MINSTRET, "minstret" }, { CSR_CYCLE, "cycle" },
        { CSR_TIME, "time" }, { CSR_INSTRET, "instret" },
        { CSR_MVENDORID, "mvendorid" }, { CSR_MARCHID, "marchid" },
        { CSR_MIMPID, "mimpid" }, { CSR_MHARTID, "mhartid" },
        { CSR_MCONFIGPTR, "mconfigptr" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        if (names[i].csrno == csrno) {
            return g_strdup(names[i].name);
        }
    }
    if (csrno >= CSR_PMPCFG0 && csrno <= CSR_PMPCFG15) {
        return g_strdup_printf("pmpcfg%u", csrno - CSR_PMPCFG0);
    }
    if (csrno >= CSR_PMPADDR0 && csrno <= CSR_PMPADDR63) {
        return g_strdup_printf("pmpaddr%u", csrno - CSR_PMPADDR0);
    }
    if (csrno >= CSR_MHPMEVENT3 && csrno <= CSR_MHPMEVENT31) {
        return g_strdup_printf("mhpmevent%u", csrno - CSR_MHPMEVENT3 + 3);
    }
    if (csrno >= CSR_MHPMCOUNTER3 && csrno <= CSR_MHPMCOUNTER31) {
        return g_strdup_printf("mhpmcounter%u",
                               csrno - CSR_MHPMCOUNTER3 + 3);
    }
    if (csrno >= CSR_HPMCOUNTER3 && csrno <= CSR_HPMCOUNTER31) {
        return g_strdup_printf("hpmcounter%u", csrno - CSR_HPMCOUNTER3 + 3);
    }
    return g_strdup_printf("csr%03x", csrno);
}

/* Built once: every hart of this type has the same CSRs. */
static char *target_xml, *cpu_xml, *fpu_xml, *virtual_xml, *csr_xml;

static const char *const gdb_fpr_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

static void build_xml(CPUState *cs)
{
    CPURISCVState *env = cpu_env(cs);
    GString *s;
    unsigned i;

    target_xml = g_strdup(
        "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
        "<target><architecture>riscv:rv64</architecture>"
        "<xi:include href=\"riscv-64bit-cpu.xml\"/>"
        "<xi:include href=\"riscv-64bit-fpu.xml\"/>"
        "<xi:include href=\"riscv-64bit-virtual.xml\"/>"
        "<xi:include href=\"riscv-csr.xml\"/></target>");

    s = g_string_new("<?xml version=\"1.0\"?>\n"
                     "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
                     "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (i = 0; i < 32; i++) {
        g_string_append_printf(s, "  <reg name=\"%s\" bitsize=\"64\" "
                               "type=\"%s\"/>\n", gdb_gpr_names[i],
                               i == 1 ? "code_ptr" :
                               (i >= 2 && i <= 4) || i == 8 ? "data_ptr" :
                               "int");
    }
    g_string_append(s, "  <reg name=\"pc\" bitsize=\"64\" "
                    "type=\"code_ptr\"/>\n</feature>\n");
    cpu_xml = g_string_free(s, false);

    s = g_string_new("<?xml version=\"1.0\"?>\n"
                     "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
                     "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
                     "  <union id=\"riscv_double\">\n"
                     "    <field name=\"float\" type=\"ieee_single\"/>\n"
                     "    <field name=\"double\" type=\"ieee_double\"/>\n"
                     "  </union>\n");
    for (i = 0; i < 32; i++) {
        g_string_append_printf(s, "  <reg name=\"%s\" bitsize=\"64\" "
                               "type=\"riscv_double\"", gdb_fpr_names[i]);
        if (i == 0) {
            g_string_append_printf(s, " regnum=\"%d\"", GDB_FPR_BASE);
        }
        g_string_append(s, "/>\n");
    }
    g_string_append(s, "</feature>\n");
    fpu_xml = g_string_free(s, false);

    virtual_xml = g_strdup(
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
        "<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
        "  <reg name=\"priv\" bitsize=\"64\"/>\n"
        "</feature>\n");

    s = g_string_new("<?xml version=\"1.0\"?><!DOCTYPE feature SYSTEM "
                     "\"gdb-target.dtd\"><feature "
                     "name=\"org.gnu.gdb.riscv.csr\">");
    for (i = 0; i < 4096; i++) {
        uint64_t v;

        if (riscv_csrrw_debug(env, i, &v, false) == RISCV_EXCP_NONE) {
            g_autofree char *name = csr_name(i);

            g_string_append_printf(s, "<reg name=\"%s\" bitsize=\"64\" "
                                   "regnum=\"%u\"/>", name,
                                   GDB_CSR_BASE + i);
        }
    }
    g_string_append(s, "</feature>");
    csr_xml = g_string_free(s, false);
}

static const char *riscv_gdb_get_xml(CPUState *cs, const char *name)
{
    if (!target_xml) {
        build_xml(cs);
    }
    if (!strcmp(name, "target.xml")) {
        return target_xml;
    } else if (!strcmp(name, "riscv-64bit-cpu.xml")) {
        return cpu_xml;
    } else if (!strcmp(name, "riscv-64bit-fpu.xml")) {
        return fpu_xml;
    } else if (!strcmp(name, "riscv-64bit-virtual.xml")) {
        return virtual_xml;
    } else if (!strcmp(name, "riscv-csr.xml")) {
        return csr_xml;
    }
    return NULL;
}

static int put_reg64(GByteArray *buf, uint64_t v)
{
    uint8_t le[8];
    int i;

    for (i = 0; i < 8; i++) {
        le[i] = v >> (8 * i);
    }
    g_byte_array_append(buf, le, 8);
    return 8;
}

static uint64_t get_reg64(const uint8_t *buf)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    return v;
}

static int riscv_gdb_read_register(CPUState *cs, GByteArray *buf, int n)
{
    CPURISCVState *env = cpu_env(cs);
    uint64_t v;

    if (n < 32) {
        return put_reg64(buf, env->gpr[n]);
    } else if (n == 32) {
        return put_reg64(buf, env->pc);
    } else if (n >= GDB_FPR_BASE && n < GDB_FPR_BASE + 32) {
        return put_reg64(buf, env->fpr[n - GDB_FPR_BASE]);
    } else if (n == GDB_PRIV_REG) {
        return put_reg64(buf, env->priv);
    } else if (n >= GDB_CSR_BASE && n < GDB_CSR_BASE + 4096 &&
               riscv_csrrw_debug(env, n - GDB_CSR_BASE, &v, false) ==
               RISCV_EXCP_NONE) {
        return put_reg64(buf, v);
    }
    return 0;
}

static int riscv_gdb_write_register(CPUState *cs, const uint8_t *buf, int n)
{
    CPURISCVState *env = cpu_env(cs);
    uint64_t v = get_reg64(buf);

    if (n < 32) {
        /* x0 stays zero; QEMU ignores the write too. */
        if (n > 0) {
            env->gpr[n] = v;
        }
        return 8;
    } else if (n == 32) {
        env->pc = v;
        return 8;
    } else if (n >= GDB_FPR_BASE && n < GDB_FPR_BASE + 32) {
        env->fpr[n - GDB_FPR_BASE] = v;
        return 8;
    } else if (n == GDB_PRIV_REG) {
        /* The reserved mode 2 becomes S, as QEMU's riscv_gdb_set_virtual. */
        v &= 3;
        env->priv = v == 2 ? PRV_S : v;
        riscv_cpu_update_mmu_idx(env);
        return 8;
    } else if (n >= GDB_CSR_BASE && n < GDB_CSR_BASE + 4096 &&
               riscv_csrrw_debug(env, n - GDB_CSR_BASE, &v, true) ==
               RISCV_EXCP_NONE) {
        return 8;
    }
    return 0;
}

void riscv_cpu_gdb_init(CPUClass *cc)
{
    cc->gdb_get_xml = riscv_gdb_get_xml;
    cc->gdb_read_register = riscv_gdb_read_register;
    cc->gdb_write_register = riscv_gdb_write_register;
    cc->gdb_num_core_regs = 33;
}
