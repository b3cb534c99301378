/*
 * Coroutine context switch for x86-64 (System V ABI), used by
 * util/coroutine-asm.c.  QEMU switches with sigsetjmp/siglongjmp in
 * util/coroutine-ucontext.c; this does the same job with only the state
 * the ABI says a callee must preserve.
 *
 * uintptr_t qcore_coroutine_swap(void **save_sp, void *new_sp,
 *                                uintptr_t ret);
 *
 * Pushes the callee-saved registers (rbp, rbx, r12-r15) onto the current
 * stack, stores rsp in *save_sp, loads new_sp and pops the same frame from
 * there; the `ret` then returns into whoever saved that frame (or into the
 * trampoline, for a coroutine never run), with `ret` as the return value.
 * The caller-saved registers need no saving: the C caller already assumes
 * a call clobbers them.
 *
 * The MXCSR and x87 control words are left alone: the floating-point
 * modes belong to the thread, not to a coroutine, exactly as with QEMU's
 * sigsetjmp/siglongjmp switch.  Saving them (stmxcsr/ldmxcsr, fnstcw/
 * fldcw) would double the cost of a switch on current x86 cores.
 *
 * Frame at the saved stack pointer, lowest address first:
 *   +0 r15, +8 r14, +16 r13, +24 r12, +32 rbx, +40 rbp, +48 return address
 * coroutine-asm.c builds this frame by hand for a new coroutine.
 */

#if defined(__CET__) && (__CET__ & 1)
#define ENDBR endbr64
#else
#define ENDBR
#endif

    .text
    .p2align 4
    .globl qcore_coroutine_swap
    .hidden qcore_coroutine_swap
    .type qcore_coroutine_swap, @function
qcore_coroutine_swap:
    ENDBR
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, (%rdi)

    movq    %rsi, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    movq    %rdx, %rax
    ret
    .size qcore_coroutine_swap, .-qcore_coroutine_swap

/*
 * First instruction a new coroutine runs, reached by the `ret` above.
 * The hand-built frame put the Coroutine pointer in rbx and left rsp
 * 16-byte aligned, so the call below sees the alignment the ABI promises.
 * The CFI marks the outermost frame, so that gdb's backtrace stops here.
 */
    .p2align 4
    .globl qcore_coroutine_trampoline
    .hidden qcore_coroutine_trampoline
    .type qcore_coroutine_trampoline, @function
qcore_coroutine_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    movq    %rbx, %rdi
    call    coroutine_asm_entry
    ud2
    .cfi_endproc
    .size qcore_coroutine_trampoline, .-qcore_coroutine_trampoline

    .section .note.GNU-stack, "", @progbits
