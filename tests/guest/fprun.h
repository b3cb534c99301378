/*
 * fprun.h - the harness fp.c and fpfuzz.c share: instructions written into
 * RAM, made visible with fence.i and called with f0..f31 and x5..x15 loaded
 * from an FPState (and stored back into it afterwards).  Nothing here uses
 * C floating point: every value is a bit pattern.
 */
#ifndef GUEST_FPRUN_H
#define GUEST_FPRUN_H

#include <stdbool.h>
#include "runtime.h"

#define MSTATUS_FS      (3UL << 13)
#define MSTATUS_SD      (1UL << 63)

typedef struct FPState {
    uint64_t f[32];
    uint64_t x[11];             /* x5..x15 */
} FPState;

void fp_call(FPState *st, void *entry);
__asm__(
    ".text\n"
    ".globl fp_call\n"
    "fp_call:\n"
    "   addi sp, sp, -32\n"
    "   sd ra, 0(sp)\n"
    "   sd s0, 8(sp)\n"
    "   sd s1, 16(sp)\n"
    "   sd a0, 24(sp)\n"
    "   mv t6, a1\n"
    "   fld f0, 0(a0)\n    fld f1, 8(a0)\n    fld f2, 16(a0)\n"
    "   fld f3, 24(a0)\n   fld f4, 32(a0)\n   fld f5, 40(a0)\n"
    "   fld f6, 48(a0)\n   fld f7, 56(a0)\n   fld f8, 64(a0)\n"
    "   fld f9, 72(a0)\n   fld f10, 80(a0)\n  fld f11, 88(a0)\n"
    "   fld f12, 96(a0)\n  fld f13, 104(a0)\n fld f14, 112(a0)\n"
    "   fld f15, 120(a0)\n fld f16, 128(a0)\n fld f17, 136(a0)\n"
    "   fld f18, 144(a0)\n fld f19, 152(a0)\n fld f20, 160(a0)\n"
    "   fld f21, 168(a0)\n fld f22, 176(a0)\n fld f23, 184(a0)\n"
    "   fld f24, 192(a0)\n fld f25, 200(a0)\n fld f26, 208(a0)\n"
    "   fld f27, 216(a0)\n fld f28, 224(a0)\n fld f29, 232(a0)\n"
    "   fld f30, 240(a0)\n fld f31, 248(a0)\n"
    "   ld x5, 256(a0)\n   ld x6, 264(a0)\n   ld x7, 272(a0)\n"
    "   ld x8, 280(a0)\n   ld x9, 288(a0)\n   ld x11, 304(a0)\n"
    "   ld x12, 312(a0)\n  ld x13, 320(a0)\n  ld x14, 328(a0)\n"
    "   ld x15, 336(a0)\n  ld x10, 296(a0)\n"
    "   jalr ra, 0(t6)\n"
    "   ld t6, 24(sp)\n"
    "   fsd f0, 0(t6)\n    fsd f1, 8(t6)\n    fsd f2, 16(t6)\n"
    "   fsd f3, 24(t6)\n   fsd f4, 32(t6)\n   fsd f5, 40(t6)\n"
    "   fsd f6, 48(t6)\n   fsd f7, 56(t6)\n   fsd f8, 64(t6)\n"
    "   fsd f9, 72(t6)\n   fsd f10, 80(t6)\n  fsd f11, 88(t6)\n"
    "   fsd f12, 96(t6)\n  fsd f13, 104(t6)\n fsd f14, 112(t6)\n"
    "   fsd f15, 120(t6)\n fsd f16, 128(t6)\n fsd f17, 136(t6)\n"
    "   fsd f18, 144(t6)\n fsd f19, 152(t6)\n fsd f20, 160(t6)\n"
    "   fsd f21, 168(t6)\n fsd f22, 176(t6)\n fsd f23, 184(t6)\n"
    "   fsd f24, 192(t6)\n fsd f25, 200(t6)\n fsd f26, 208(t6)\n"
    "   fsd f27, 216(t6)\n fsd f28, 224(t6)\n fsd f29, 232(t6)\n"
    "   fsd f30, 240(t6)\n fsd f31, 248(t6)\n"
    "   sd x5, 256(t6)\n   sd x6, 264(t6)\n   sd x7, 272(t6)\n"
    "   sd x8, 280(t6)\n   sd x9, 288(t6)\n   sd x10, 296(t6)\n"
    "   sd x11, 304(t6)\n  sd x12, 312(t6)\n  sd x13, 320(t6)\n"
    "   sd x14, 328(t6)\n  sd x15, 336(t6)\n"
    "   ld ra, 0(sp)\n"
    "   ld s0, 8(sp)\n"
    "   ld s1, 16(sp)\n"
    "   addi sp, sp, 32\n"
    "   ret\n");

/* Turn the FPU on (crt0 leaves mstatus.FS Off, as at reset). */
static inline void fp_enable(void)
{
    csr_set(mstatus, 1UL << 13);
}

static inline void code_sync(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

#endif
