/*
 * What the Zbb and Zbc instructions compute, for the interpreter
 * (exec-ops-zb.c.inc).  Corresponds to QEMU's target/riscv/bitmanip_helper.c
 * (clmul, clmulr, orc.b); the rest QEMU generates inline in trans_rvb.c.inc.
 */
#ifndef TARGET_RISCV_BITMANIP_H
#define TARGET_RISCV_BITMANIP_H

#include "qcore/osdep.h"

static inline uint64_t riscv_rol64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? x << n | x >> (64 - n) : x;
}

static inline uint64_t riscv_ror64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? x >> n | x << (64 - n) : x;
}

static inline uint32_t riscv_rol32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? x << n | x >> (32 - n) : x;
}

static inline uint32_t riscv_ror32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? x >> n | x << (32 - n) : x;
}

/*
 * The carry-less product of @a and @b as 128 bits; clmul is its low half,
 * clmulh its high half and clmulr bits 126..63.  One shifted copy of @a
 * per set bit of @b, selected by a mask so no host branch depends on data.
 */
static inline void riscv_clmul128(uint64_t a, uint64_t b, uint64_t *lo,
                                  uint64_t *hi)
{
    uint64_t l = 0, h = 0;
    unsigned i;

    for (i = 0; i < 64; i++) {
        uint64_t take = -((b >> i) & 1);

        l ^= (a << i) & take;
        h ^= (i ? a >> (64 - i) : 0) & take;
    }
    *lo = l;
    *hi = h;
}

static inline uint64_t riscv_clmul(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    riscv_clmul128(a, b, &lo, &hi);
    return lo;
}

static inline uint64_t riscv_clmulh(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    riscv_clmul128(a, b, &lo, &hi);
    return hi;
}

static inline uint64_t riscv_clmulr(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    riscv_clmul128(a, b, &lo, &hi);
    return hi << 1 | lo >> 63;
}

/* orc.b: each byte becomes 0xff if any of its bits is set, else 0. */
static inline uint64_t riscv_orc_b(uint64_t x)
{
    uint64_t r = 0;
    unsigned i;

    for (i = 0; i < 64; i += 8) {
        if ((x >> i) & 0xff) {
            r |= 0xffULL << i;
        }
    }
    return r;
}

#endif
