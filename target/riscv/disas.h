/*
 * The RV64IMAC disassembler behind -d in_asm (target/riscv/disas.c);
 * QEMU's disas/riscv.c formats.  Pure functions, any thread.
 */
#ifndef TARGET_RISCV_DISAS_H
#define TARGET_RISCV_DISAS_H

#include "qcore/osdep.h"

/* 2 or 4, from the low bits of @insn. */
unsigned riscv_insn_length(uint32_t insn);
/*
 * "mnemonic                operands                # 0xtarget" for the
 * instruction at @pc (only the low 16 bits of a compressed one count).
 */
void riscv_disas_insn(uint64_t pc, uint32_t insn, char *buf, size_t len);
/* One in_asm line: "0x%016x:  hex  text\n". */
void riscv_disas_line(GString *out, uint64_t pc, uint32_t insn);

#endif
