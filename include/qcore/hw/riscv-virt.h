/*
 * The RISC-V "virt" board: QEMU's memory map, so that a bare-metal ELF
 * built for qemu-system-riscv64 -M virt runs unchanged.  Corresponds to
 * QEMU's include/hw/riscv/virt.h; see docs/virt.md.
 */
#ifndef QCORE_HW_RISCV_VIRT_H
#define QCORE_HW_RISCV_VIRT_H

#include "qcore/machine.h"
#include "qcore/memory.h"

#define TYPE_RISCV_VIRT_MACHINE MACHINE_TYPE_NAME("virt")

/* At most this many harts (-smp); QEMU allows more, qcore's tests 8. */
#define VIRT_CPUS_MAX       8
#define VIRT_DEFAULT_RAM    (128 * 1024 * 1024)

enum {
    VIRT_MROM,      /* the reset vector, 0x1000 */
    VIRT_TEST,      /* sifive_test finisher */
    VIRT_RTC,       /* goldfish RTC */
    VIRT_CLINT,
    VIRT_PLIC,
    VIRT_UART0,
    VIRT_VIRTIO,    /* the first of VIRTIO_COUNT virtio-mmio slots */
    VIRT_DRAM,
};

typedef struct MemMapEntry {
    hwaddr base;
    hwaddr size;
} MemMapEntry;

/* The board's map, indexed by the enum above (QEMU's virt_memmap). */
extern const MemMapEntry virt_memmap[];

/* PLIC sources of the UART and the RTC (QEMU's UART0_IRQ, RTC_IRQ). */
#define VIRT_UART0_IRQ      10
#define VIRT_RTC_IRQ        11
/* virtio-mmio slot i (0..7) uses source VIRTIO_IRQ + i (QEMU's). */
#define VIRTIO_IRQ          1
#define VIRTIO_COUNT        8

#endif
