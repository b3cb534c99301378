/*
 * -d in_asm, exec, cpu and nochain for the interpreter: what is logged
 * when a block is entered.  Corresponds to the logging in QEMU's
 * accel/tcg/cpu-exec.c (log_cpu_exec) and translator.c / riscv's
 * riscv_tr_disas_log.  See docs/logging.md for how qcore's blocks
 * compare with QEMU's TBs.
 */
#include "qcore/osdep.h"
#include "qcore/symbols.h"
#include "disas.h"
#include "internals.h"

/* Does the instruction end what in_asm shows as one block? */
static bool ends_block(uint32_t insn)
{
    RISCVOp op;

    riscv_decode(&op, insn);
    switch (op.opc) {
    case OP_JAL:
    case OP_JALR:
    case OP_ILLEGAL:
    case OP_ECALL:
    case OP_EBREAK:
    case OP_MRET:
    case OP_SRET:
    case OP_WFI:
    case OP_FENCE_I:
    case OP_PAUSE:
    case OP_SFENCE_VMA:
    case OP_CSRRW:
    case OP_CSRRS:
    case OP_CSRRC:
    case OP_CSRRWI:
    case OP_CSRRSI:
    case OP_CSRRCI:
        return true;
    default:
        return false;
    }
}

/*
 * The block from @pc: up to and including the first instruction that
 * ends a block in exec.c (a jump, a trap, a CSR access...), or the end of
 * the page.  Conditional branches do not end it: a branch not taken runs
 * on in the same block here, where a TCG TB would stop.
 */
static void log_in_asm(CPURISCVState *env, RISCVDecodedPage *dp, FILE *f)
{
    g_autoptr(GString) out = g_string_new(NULL);
    unsigned offset = env->pc & ~TARGET_PAGE_MASK;
    const uint16_t *p = (const uint16_t *)dp->host;

    g_string_append_printf(out, "----------------\nIN: %s\nPriv: %u; "
                           "Virt: 0\n", lookup_symbol(env->pc),
                           (unsigned)env->priv);
    while (offset + 2 <= TARGET_PAGE_SIZE) {
        /* Halfword loads, as the decoder: other harts may be storing. */
        uint32_t insn = GUINT16_FROM_LE(qatomic_read(&p[offset / 2]));

        if ((insn & 3) == 3) {
            if (offset + 4 > TARGET_PAGE_SIZE) {
                break;      /* straddles the page: its own block */
            }
            insn |= (uint32_t)GUINT16_FROM_LE(qatomic_read(&p[offset / 2 + 1]))
                    << 16;
        }
        riscv_disas_line(out, (env->pc & TARGET_PAGE_MASK) + offset, insn);
        if (ends_block(insn)) {
            break;
        }
        offset += riscv_insn_length(insn);
    }
    g_string_append_c(out, '\n');
    fputs(out->str, f);
}

bool riscv_log_block(CPURISCVState *env, RISCVDecodedPage *dp)
{
    CPUState *cs = env_cpu(env);
    unsigned slot = (env->pc & ~TARGET_PAGE_MASK) >> 1;
    bool nochain = qemu_loglevel_mask(CPU_LOG_TB_NOCHAIN |
                                      CPU_LOG_TB_IN_ASM);
    FILE *f;

    if (!qemu_log_in_addr_range(env->pc)) {
        return nochain;
    }
    f = qemu_log_trylock();
    if (qemu_loglevel_mask(CPU_LOG_TB_IN_ASM)) {
        if (!dp->in_asm_shown) {
            dp->in_asm_shown = g_new0(uint64_t, RISCV_PAGE_SLOTS / 64);
        }
        if (!(dp->in_asm_shown[slot / 64] & (1ULL << (slot % 64)))) {
            dp->in_asm_shown[slot / 64] |= 1ULL << (slot % 64);
            log_in_asm(env, dp, f);
        }
    }
    if (qemu_loglevel_mask(CPU_LOG_EXEC)) {
        /*
         * QEMU's fields: host code address (here the decoded slot),
         * cs_base (0), pc, flags (here the privilege) and cflags (0).
         */
        fprintf(f, "Trace %d: %p [%016" PRIx64 "/%016" PRIx64 "/%08x/%08x] "
                "%s\n", cs->cpu_index, (void *)&dp->ops[slot], (uint64_t)0,
                env->pc, (unsigned)env->priv, 0u, lookup_symbol(env->pc));
    }
    if (qemu_loglevel_mask(CPU_LOG_TB_CPU)) {
        g_autoptr(GString) regs = g_string_new(NULL);

        /* QEMU adds the f registers for -d fpu only. */
        riscv_cpu_dump_regs(cs, regs, false);
        fputs(regs->str, f);
    }
    qemu_log_unlock(f);
    return nochain;
}
