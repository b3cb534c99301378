/*
 * What a board may know of the RISC-V hart: its QOM type and the two
 * wires a machine connects (interrupt lines into mip, the time source).
 * The hart's state stays private to target/riscv (cpu.h there).  The
 * public half of QEMU's target/riscv/cpu.h, which boards include whole.
 */
#ifndef QCORE_TARGET_RISCV_H
#define QCORE_TARGET_RISCV_H

#include "qcore/osdep.h"
#include "qcore/cpu.h"

#define TYPE_RISCV_CPU "rv64-riscv-cpu"

/* Interrupts: bit numbers in mip/mie, and interrupt causes. */
enum {
    IRQ_S_SOFT = 1,
    IRQ_M_SOFT = 3,
    IRQ_S_TIMER = 5,
    IRQ_M_TIMER = 7,
    IRQ_S_EXT = 9,
    IRQ_M_EXT = 11,
};

/* The hart's id, which a board's reset vector reads into a0. */
#define CSR_MHARTID     0xf14

/* A hart; opaque outside target/riscv. */
typedef struct RISCVCPU RISCVCPU;

#define RISCV_CPU(obj) OBJECT_CHECK(RISCVCPU, (obj), TYPE_RISCV_CPU)

/*
 * Update the bits @mask of mip to @value (atomically) and, if an
 * interrupt may now be pending, cpu_interrupt() the hart.  Returns the
 * old mip.  Called from any thread (the CLINT and PLIC call it with the
 * BQL held; tests call it directly).
 */
uint64_t riscv_cpu_set_mip(RISCVCPU *cpu, uint64_t mask, uint64_t value);

/*
 * Make the time CSR read @fn(@opaque).  Without it, reading time is an
 * illegal instruction, as in QEMU.  Board, before the hart runs.
 */
void riscv_cpu_set_rdtime_fn(RISCVCPU *cpu, uint64_t (*fn)(void *),
                             void *opaque);

#endif
