/* regs.h - constants shared by crt0.S and the C runtime (no C in here). */
#ifndef GUEST_REGS_H
#define GUEST_REGS_H

#define MAX_HARTS       8
#define STACK_SHIFT     14              /* 16 KiB per hart */

/* struct trapframe layout: x0..x31 (x0's slot unused, x2 = sp at the trap) */
#define TF_EPC          (32 * 8)
#define TF_STATUS       (33 * 8)
#define TF_CAUSE        (34 * 8)
#define TF_TVAL         (35 * 8)
#define TF_SIZE         (36 * 8)

#define MSTATUS_SIE     0x2
#define MSTATUS_MIE     0x8
#define MSTATUS_SPIE    0x20
#define MSTATUS_MPIE    0x80
#define MSTATUS_SPP     0x100
#define MSTATUS_MPP     0x1800
#define MSTATUS_MPP_S   0x0800
#define MSTATUS_MPRV    0x20000
#define MSTATUS_SUM     0x40000
#define MSTATUS_MXR     0x80000
#define SSTATUS_SPP     MSTATUS_SPP
#define SSTATUS_SIE     MSTATUS_SIE
#define SSTATUS_SUM     MSTATUS_SUM

#define IRQ_S_SOFT      1
#define IRQ_M_SOFT      3
#define IRQ_S_TIMER     5
#define IRQ_M_TIMER     7
#define IRQ_S_EXT       9
#define IRQ_M_EXT       11

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_USER_ECALL        8
#define CAUSE_SUPERVISOR_ECALL  9
#define CAUSE_MACHINE_ECALL     11
#define CAUSE_FETCH_PAGE_FAULT  12
#define CAUSE_LOAD_PAGE_FAULT   13
#define CAUSE_STORE_PAGE_FAULT  15

/* The virt board's memory map (hw/riscv/virt.c) */
#define VIRT_TEST       0x100000UL
#define VIRT_CLINT      0x2000000UL
#define VIRT_PLIC       0xc000000UL
#define VIRT_UART0      0x10000000UL
#define VIRT_DRAM       0x80000000UL
#define UART0_IRQ       10

#define CLINT_MSIP(h)       (VIRT_CLINT + 4 * (h))
#define CLINT_MTIMECMP(h)   (VIRT_CLINT + 0x4000 + 8 * (h))
#define CLINT_MTIME         (VIRT_CLINT + 0xbff8)

#define TEST_PASS       0x5555
#define TEST_FAIL       0x3333
#define TEST_RESET      0x7777

#endif
