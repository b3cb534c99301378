/*
 * Guest symbols for the log: the function symbols of the images loaded
 * with -kernel/-bios, so that -d in_asm and -d exec can name the code.
 * Corresponds to the syminfo list of QEMU's disas/disas.c (lookup_symbol)
 * that hw/core/loader.c fills from ELF symbol tables.
 *
 * Symbols are added by the loader while the machine is built (BQL held,
 * no vCPU running) and only read afterwards, from any thread; a reset
 * does not reload them.
 */
#ifndef QCORE_SYMBOLS_H
#define QCORE_SYMBOLS_H

#include "qcore/osdep.h"

/* A function at [@addr, @addr + @size); @size 0 is ignored, as in QEMU. */
void qemu_symbol_add(uint64_t addr, uint64_t size, const char *name);
/* After a batch of qemu_symbol_add: make them visible to lookups. */
void qemu_symbols_commit(void);
/* The name of the function containing @addr, or "" (never NULL). */
const char *lookup_symbol(uint64_t addr);

#endif
