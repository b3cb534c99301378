/*
 * Fuzz target: the RISC-V decoder (target/riscv/translate.c), decode only:
 * the input is one page of guest code, decoded slot by slot the way the
 * interpreter fills its block cache.  Corresponds to what QEMU's decodetree
 * output gets from its TCG tests; QEMU has no fuzz target for it.
 *
 * Checked for every slot, besides "no crash" and no read outside the page:
 *  - the operation and registers are in range, the length is the one the
 *    low two bits give (4 for a 32-bit instruction, 2 otherwise);
 *  - decoding the slot in its page gives what riscv_decode gives for the
 *    same bits (the page only adds the form);
 *  - a NEAR form jumps inside the page; a SKIP form skips exactly one
 *    ADDI, ADDIW or ADD.
 */
#include "qcore/osdep.h"
#include "qcore/object.h"
#include "internals.h"
#include "fuzz.h"

static RISCVCPU *cpu;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_qcore_init();
    cpu = RISCV_CPU(object_new(TYPE_RISCV_CPU));
    return 0;
}

static void fail(const RISCVOp *op, unsigned offset, const char *what)
{
    fprintf(stderr, "fuzz-riscv-decode: slot at 0x%x (opc %u rd %u rs1 %u "
            "rs2 %u len %u form %u imm 0x%x): %s\n", offset, op->opc,
            op->rd, op->rs1, op->rs2, op->len, op->form, op->imm, what);
    abort();
}

static void check_slot(RISCVDecodedPage *dp, const uint8_t *page,
                       RISCVOp *op)
{
    unsigned offset = (op - dp->ops) * 2;
    uint32_t insn = page[offset] | page[offset + 1] << 8;
    RISCVOp plain = { 0 };

    if ((insn & 3) == 3) {
        if (op->len != 4) {
            fail(op, offset, "32-bit instruction of length 2");
        }
        if (offset == TARGET_PAGE_SIZE - 2) {
            if (op->opc != OP_CROSS_PAGE) {
                fail(op, offset, "last halfword decoded without next page");
            }
            return;
        }
        insn |= (uint32_t)(page[offset + 2] | page[offset + 3] << 8) << 16;
    } else if (op->len != 2) {
        fail(op, offset, "16-bit instruction of length 4");
    }
    if (op->opc < OP_ILLEGAL || op->opc >= OP_COUNT) {
        fail(op, offset, "operation out of range");
    }
    /* x0 as destination is the sink (32); f0 is a register of its own. */
    if ((op->rd == 0 && !RISCV_OP_WRITES_F(op->opc)) || op->rd > 32 ||
        (op->rd == 32 && RISCV_OP_WRITES_F(op->opc)) ||
        op->rs1 >= 32 || op->rs2 >= 32 || op->rs3 >= 32) {
        fail(op, offset, "register out of range");
    }

    riscv_decode(&plain, insn);
    if (plain.opc != op->opc || plain.rd != op->rd || plain.rs1 != op->rs1 ||
        plain.rs2 != op->rs2 || plain.imm != op->imm || plain.len != op->len ||
        plain.rs3 != op->rs3 || plain.rm != op->rm) {
        fail(op, offset, "differs from riscv_decode of the same bits");
    }

    if (op->form != RISCV_FORM_PLAIN) {
        int64_t target = (int64_t)offset + op->imm;

        if (op->opc != OP_JAL && (op->opc < OP_BEQ || op->opc > OP_BGEU)) {
            fail(op, offset, "a form on a non-branch");
        }
        if (target < 0 || target >= TARGET_PAGE_SIZE || (target & 1)) {
            fail(op, offset, "near jump out of the page");
        }
    }
    if (op->form >= RISCV_FORM_SKIP_ADDI) {
        const RISCVOp *next = op + op->len / 2;
        static const uint8_t skipped[] = {
            [RISCV_FORM_SKIP_ADDI] = OP_ADDI,
            [RISCV_FORM_SKIP_ADDIW] = OP_ADDIW,
            [RISCV_FORM_SKIP_ADD] = OP_ADD,
        };

        if (op->form > RISCV_FORM_SKIP_ADD || next->opc != skipped[op->form] ||
            op->imm != op->len + next->len) {
            fail(op, offset, "skips something other than one add");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly one page on the heap: ASan sees any read past it. */
    g_autofree uint8_t *page = g_malloc0(TARGET_PAGE_SIZE);
    CPURISCVState *env = &cpu->env;
    RISCVDecodedPage *dp;
    unsigned i;

    memcpy(page, data, MIN(size, TARGET_PAGE_SIZE));
    riscv_cpu_flush_code_cache(env);
    dp = riscv_get_decoded_page(env, 0x80000000, page);
    /* Entry points in input order first, as blocks are entered. */
    for (i = 0; i + 1 < size && i + 1 < TARGET_PAGE_SIZE; i += 2) {
        RISCVOp *op = &dp->ops[(data[i] | data[i + 1] << 8) % RISCV_PAGE_SLOTS];

        if (op->opc == OP_DECODE) {
            riscv_decode_slot(dp, op);
        }
        if (i >= 64) {
            break;
        }
    }
    for (i = 0; i < RISCV_PAGE_SLOTS; i++) {
        if (dp->ops[i].opc == OP_DECODE) {
            riscv_decode_slot(dp, &dp->ops[i]);
        }
        check_slot(dp, page, &dp->ops[i]);
    }
    if (dp->ops[RISCV_PAGE_SLOTS].opc != OP_PAGE_END) {
        fail(&dp->ops[RISCV_PAGE_SLOTS], TARGET_PAGE_SIZE, "sentinel lost");
    }
    riscv_cpu_flush_code_cache(env);
    return 0;
}
