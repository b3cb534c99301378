/*
 * crt0.S - start-up and trap entry for the bare-metal guest programs.
 *
 * QEMU's virt board (-bios none) starts every hart at _start in M-mode with
 * a0 = mhartid and a1 = the device tree's address.  Each hart gets its own
 * 16 KiB stack below __stack_top.  Hart 0 clears .bss and runs main(); the
 * other harts wait for that and then run secondary_main(), which by default
 * parks in wfi.  Harts with an id >= MAX_HARTS park at once.
 */
#include "regs.h"

    .section .text.init, "ax"
    .globl _start
_start:
    mv      s0, a0                  /* hartid, as the reset vector passed it */
    mv      s1, a1                  /* device tree */
    csrw    mie, zero
    csrci   mstatus, MSTATUS_MIE

    /* CSRs a machine might lack (PMP, S-mode) are written under a trap
     * vector that just skips the instruction. */
    la      t0, early_trap
    csrw    mtvec, t0
    /* PMP entry 0: NAPOT over the whole address space, RWX, so that S and
     * U modes may touch memory (QEMU denies them when no entry matches). */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f
    csrw    pmpcfg0, t0
    csrw    sscratch, zero
    csrw    satp, zero
    csrw    mscratch, zero

    csrr    t0, mhartid
    li      t1, MAX_HARTS
    bgeu    t0, t1, park

    la      sp, __stack_top
    slli    t1, t0, STACK_SHIFT
    sub     sp, sp, t1

    la      t1, trap_entry
    csrw    mtvec, t1

    bnez    t0, secondary

    /* hart 0: clear .bss, then release the others */
    la      t1, __bss_start
    la      t2, __bss_end
1:  bgeu    t1, t2, 2f
    sd      zero, 0(t1)
    addi    t1, t1, 8
    j       1b
2:  fence   rw, rw
    la      t1, boot_ready
    li      t2, 1
    sw      t2, 0(t1)
    mv      a0, s0
    mv      a1, s1
    call    main
    call    exit                    /* main's return value is the exit code */
    j       park

secondary:
    la      t1, boot_ready
3:  lw      t2, 0(t1)
    beqz    t2, 3b
    fence   rw, rw
    mv      a0, s0
    mv      a1, s1
    call    secondary_main
park:
    wfi
    j       park

    .balign 4
early_trap:
    csrr    t6, mepc
    addi    t6, t6, 4
    csrw    mepc, t6
    mret

/*
 * Trap entry for M-mode (trap_entry) and S-mode (strap_entry).
 *
 * The scratch CSR holds 0 while the hart runs in the trap's own mode and
 * the kernel stack top while it runs in a lower mode, so a trap from U/S
 * switches to that stack.  A struct trapframe (see runtime.h) is built on
 * the stack and passed to m_trap()/s_trap(); on return epc and status are
 * written back from the frame (so a handler may change them) before
 * mret/sret.
 */
.macro TRAP_ENTRY name, handler, scratch, epc, status, cause, tval, ret, ppmask
    .balign 4
    .globl \name
\name:
    csrrw   sp, \scratch, sp
    bnez    sp, 1f
    csrrw   sp, \scratch, sp        /* trap from the same mode: keep sp */
1:  addi    sp, sp, -TF_SIZE
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrrw   t0, \scratch, zero      /* old sp (0 if same mode) */
    bnez    t0, 2f
    addi    t0, sp, TF_SIZE
2:  sd      t0, 2*8(sp)
    csrr    t0, \epc
    sd      t0, TF_EPC(sp)
    csrr    t0, \status
    sd      t0, TF_STATUS(sp)
    csrr    t0, \cause
    sd      t0, TF_CAUSE(sp)
    csrr    t0, \tval
    sd      t0, TF_TVAL(sp)
    mv      a0, sp
    call    \handler
    ld      t0, TF_EPC(sp)
    csrw    \epc, t0
    ld      t0, TF_STATUS(sp)
    csrw    \status, t0
    li      t1, \ppmask             /* returning to a lower mode? */
    and     t0, t0, t1
    beq     t0, t1, 3f
    addi    t0, sp, TF_SIZE
    csrw    \scratch, t0
3:  ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    ld      x4, 4*8(sp)
    ld      x5, 5*8(sp)
    ld      x6, 6*8(sp)
    ld      x7, 7*8(sp)
    ld      x8, 8*8(sp)
    ld      x9, 9*8(sp)
    ld      x10, 10*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    ld      sp, 2*8(sp)
    \ret
.endm

    .text
    TRAP_ENTRY trap_entry,  m_trap, mscratch, mepc, mstatus, mcause, mtval, mret, MSTATUS_MPP
    TRAP_ENTRY strap_entry, s_trap, sscratch, sepc, sstatus, scause, stval, sret, SSTATUS_SPP

/* int setjmp(jmp_buf), void longjmp(jmp_buf, int): ra, sp, s0-s11 */
    .globl setjmp
setjmp:
    sd      ra, 0(a0)
    sd      sp, 8(a0)
    sd      s0, 16(a0)
    sd      s1, 24(a0)
    sd      s2, 32(a0)
    sd      s3, 40(a0)
    sd      s4, 48(a0)
    sd      s5, 56(a0)
    sd      s6, 64(a0)
    sd      s7, 72(a0)
    sd      s8, 80(a0)
    sd      s9, 88(a0)
    sd      s10, 96(a0)
    sd      s11, 104(a0)
    li      a0, 0
    ret

    .globl longjmp
longjmp:
    ld      ra, 0(a0)
    ld      sp, 8(a0)
    ld      s0, 16(a0)
    ld      s1, 24(a0)
    ld      s2, 32(a0)
    ld      s3, 40(a0)
    ld      s4, 48(a0)
    ld      s5, 56(a0)
    ld      s6, 64(a0)
    ld      s7, 72(a0)
    ld      s8, 80(a0)
    ld      s9, 88(a0)
    ld      s10, 96(a0)
    ld      s11, 104(a0)
    seqz    t0, a1
    add     a0, a1, t0              /* longjmp(b, 0) returns 1 */
    ret

/*
 * void m_to_user(pc, usp, arg): from M-mode, drop to U-mode at pc with
 * sp = usp and a0 = arg.  Traps come back on the current stack.
 * void s_to_user(pc, usp, arg): the same from S-mode with sret.
 */
    .globl m_to_user
m_to_user:
    csrw    mscratch, sp
    csrw    mepc, a0
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0             /* MPP = U */
    mv      sp, a1
    mv      a0, a2
    mret

    .globl s_to_user
s_to_user:
    csrw    sscratch, sp
    csrw    sepc, a0
    li      t0, SSTATUS_SPP
    csrc    sstatus, t0             /* SPP = U */
    mv      sp, a1
    mv      a0, a2
    sret

    .data
    .balign 4
    .globl boot_ready
boot_ready:
    .word   0
