/*
 * What a board may know of the RISC-V hart: its QOM type, the -cpu model
 * parser, what the device tree says of it (ISA string, MMU type, PMU),
 * and the two wires a machine connects (interrupt lines into mip, the
 * time source).
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

/*
 * A new hart (unparented, no vCPU yet) for -cpu @cpu_option: "rv64" (also
 * for NULL, the default) optionally followed by ",prop=value" pairs with
 * QEMU 7.2's property names (f=off, sstc=off, pmu-num=8...; see
 * docs/cpu.md).  NULL with QEMU's error for an unknown model, property or
 * value, or a combination QEMU (or qcore) refuses.
 */
RISCVCPU *riscv_cpu_new(const char *cpu_option, Error **errp);

/* The models -cpu accepts, one per line, as QEMU's "-cpu help". */
void riscv_cpu_list(void);

/*
 * The device tree's view of @cpu (QEMU 7.2's virt board): its
 * "riscv,isa" string (g_free it), e.g.
 * "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc", its
 * "mmu-type", and how many hpm counters it has (the /pmu node's masks).
 */
char *riscv_cpu_isa_string(RISCVCPU *cpu);
const char *riscv_cpu_mmu_type(RISCVCPU *cpu);
uint8_t riscv_cpu_pmu_num(RISCVCPU *cpu);

#endif
