/*
 * Coroutine context switch for AArch64 (AAPCS64), used by
 * util/coroutine-asm.c.  QEMU switches with sigsetjmp/siglongjmp in
 * util/coroutine-ucontext.c; this does the same job with only the state
 * the procedure call standard says a callee must preserve.
 *
 * uintptr_t qcore_coroutine_swap(void **save_sp, void *new_sp,
 *                                uintptr_t ret);
 *
 * Stores x19-x28, the frame pointer x29, the link register x30 and the
 * low halves d8-d15 of v8-v15 in a 160-byte frame on the current stack,
 * stores sp in *save_sp, switches sp to new_sp and loads the same frame
 * from there; `ret` then branches to the loaded x30, returning `ret` in
 * x0.  x18 (the platform register) is not touched; FPCR is per thread
 * and left alone.
 *
 * Frame at the saved stack pointer, lowest address first:
 *   +0 x19 x20, +16 x21 x22, +32 x23 x24, +48 x25 x26, +64 x27 x28,
 *   +80 x29 x30, +96 d8 d9, +112 d10 d11, +128 d12 d13, +144 d14 d15
 * coroutine-asm.c builds this frame by hand for a new coroutine.
 */

    .text
    .p2align 4
    .globl qcore_coroutine_swap
    .hidden qcore_coroutine_swap
    .type qcore_coroutine_swap, %function
qcore_coroutine_swap:
    sub     sp, sp, #160
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mov     x9, sp
    str     x9, [x0]

    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    add     sp, sp, #160
    mov     x0, x2
    ret
    .size qcore_coroutine_swap, .-qcore_coroutine_swap

/*
 * First instruction a new coroutine runs, reached by the `ret` above.
 * The hand-built frame put the Coroutine pointer in x19 and left sp
 * 16-byte aligned at the top of the stack.  A zero frame pointer and the
 * CFI mark the outermost frame for unwinders and gdb.
 */
    .p2align 4
    .globl qcore_coroutine_trampoline
    .hidden qcore_coroutine_trampoline
    .type qcore_coroutine_trampoline, %function
qcore_coroutine_trampoline:
    .cfi_startproc
    .cfi_undefined x30
    mov     x29, xzr
    mov     x0, x19
    bl      coroutine_asm_entry
    brk     #1
    .cfi_endproc
    .size qcore_coroutine_trampoline, .-qcore_coroutine_trampoline

    .section .note.GNU-stack, "", %progbits
