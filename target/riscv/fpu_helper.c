/*
 * The F and D extensions: every FP operation other than loads and stores,
 * with RISC-V's rounding modes, exception flags, NaN rules and integer
 * conversions.  Corresponds to QEMU's target/riscv/fpu_helper.c together
 * with the parts of fpu/softfloat.c it relies on.  See docs/cpu.md ("F and
 * D") for the method: the host's SSE unit does the IEEE arithmetic, under
 * the instruction's rounding mode and with its flags cleared and read back
 * around each operation; everything where RISC-V and the host may differ
 * (NaN results, round-to-nearest-max-magnitude, conversions to integer,
 * min/max, compares, classification) is done here in software.
 */
#include "qcore/osdep.h"
#include <fenv.h>
#include <math.h>
#include "internals.h"

/* ---- The host FPU, one operation at a time ----------------------------- */

/*
 * Make a value opaque to the compiler between the two ends of an
 * operation, so that it can neither fold the operation nor move it
 * across the rounding-mode switch and the flag read.
 */
#if defined(__x86_64__)
#define OPAQUE_F(x) __asm__ volatile("" : "+x"(x))
#else
#define OPAQUE_F(x) __asm__ volatile("" : "+m"(x))
#endif
#define OPAQUE_I(x) __asm__ volatile("" : "+r"(x))

#if defined(__x86_64__)
/*
 * MXCSR: every exception masked, no flush-to-zero or denormals-are-zero,
 * flags clear, and the rounding control for RNE, RTZ, RDN, RUP (RMM runs
 * as RNE and is corrected afterwards).  Tininess is detected after
 * rounding on x86, as RISC-V requires.
 */
#define MXCSR_DEFAULT 0x1f80u
static const uint32_t mxcsr_rc[5] = {
    0 << 13, 3 << 13, 1 << 13, 2 << 13, 0 << 13,
};

static inline void host_fp_begin(unsigned rm)
{
    uint32_t csr = MXCSR_DEFAULT | mxcsr_rc[rm];

    __asm__ volatile("ldmxcsr %0" : : "m"(csr) : "memory");
}

static inline unsigned host_fp_end(unsigned rm)
{
    uint32_t csr, f = 0;

    __asm__ volatile("stmxcsr %0" : "=m"(csr) : : "memory");
    if (mxcsr_rc[rm]) {
        /* The rest of the process expects round-to-nearest. */
        uint32_t def = MXCSR_DEFAULT;
        __asm__ volatile("ldmxcsr %0" : : "m"(def) : "memory");
    }
    f |= csr & 0x01 ? FFLAG_NV : 0;
    f |= csr & 0x04 ? FFLAG_DZ : 0;
    f |= csr & 0x08 ? FFLAG_OF : 0;
    f |= csr & 0x10 ? FFLAG_UF : 0;
    f |= csr & 0x20 ? FFLAG_NX : 0;
    return f;
}
#else
static const int fenv_rm[5] = {
    FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST,
};

static inline void host_fp_begin(unsigned rm)
{
    fesetround(fenv_rm[rm]);
    feclearexcept(FE_ALL_EXCEPT);
    __asm__ volatile("" : : : "memory");
}

static inline unsigned host_fp_end(unsigned rm)
{
    int e;
    unsigned f = 0;

    __asm__ volatile("" : : : "memory");
    e = fetestexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
    f |= e & FE_INVALID ? FFLAG_NV : 0;
    f |= e & FE_DIVBYZERO ? FFLAG_DZ : 0;
    f |= e & FE_OVERFLOW ? FFLAG_OF : 0;
    f |= e & FE_UNDERFLOW ? FFLAG_UF : 0;
    f |= e & FE_INEXACT ? FFLAG_NX : 0;
    return f;
}
#endif

/* ---- Bits --------------------------------------------------------------- */

#define CANON_NAN_S 0x7fc00000u
#define CANON_NAN_D 0x7ff8000000000000ULL

static inline float f32(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static inline uint32_t bits32(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

static inline double f64(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static inline uint64_t bits64(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

static inline bool nan_s(uint32_t v)
{
    return (v & 0x7fffffffu) > 0x7f800000u;
}

static inline bool snan_s(uint32_t v)
{
    return nan_s(v) && !(v & 0x00400000u);
}

static inline bool nan_d(uint64_t v)
{
    return (v & ~(1ULL << 63)) > 0x7ff0000000000000ULL;
}

static inline bool snan_d(uint64_t v)
{
    return nan_d(v) && !(v & (1ULL << 51));
}

/* ---- round-to-nearest, ties to max magnitude ---------------------------- */

/*
 * The host has no RMM.  It differs from RNE only on an exact tie, where
 * RNE may have picked the neighbour nearer zero: the exact result is
 * recomputed in binary128 (GCC's software __float128) as s + e, exactly,
 * and the RNE result @r moves one ulp away from zero when s + e is the
 * midpoint between r and its neighbour on that side.  The flags of RNE
 * stand: a tie is inexact either way, and where the two choices differ in
 * overflow or tininess RNE already picked the larger one.
 */
#if defined(__SIZEOF_FLOAT128__)
typedef __float128 wide;
#else
typedef long double wide;      /* binary128 where there is no __float128 */
#endif

static void two_sum(wide a, wide b, wide *s, wide *e)
{
    wide t, bb;

    t = a + b;
    bb = t - a;
    *e = (a - (t - bb)) + (b - bb);
    *s = t;
}

static double rmm_fix_d(double r, wide s, wide e)
{
    wide R = r, dir = (s - R) + e, m;
    double nb;

    if (dir == 0 || isinf(r) || isnan(r)) {
        return r;
    }
    nb = nextafter(r, dir > 0 ? INFINITY : -INFINITY);
    if (fabs(nb) < fabs(r) || isinf(nb)) {
        return r;
    }
    m = (R + (wide)nb) / 2;
    return (s - m) == -e ? nb : r;
}

static float rmm_fix_s(float r, wide s, wide e)
{
    wide R = r, dir = (s - R) + e, m;
    float nb;

    if (dir == 0 || isinf(r) || isnan(r)) {
        return r;
    }
    nb = nextafterf(r, dir > 0 ? INFINITY : -INFINITY);
    if (fabsf(nb) < fabsf(r) || isinf(nb)) {
        return r;
    }
    m = (R + (wide)nb) / 2;
    return (s - m) == -e ? nb : r;
}

/* Division: the exact quotient a/b against r, via products exact in wide. */
static wide div_dir(wide a, wide b, wide r)
{
    wide p = r * b;

    return b > 0 ? a - p : p - a;
}

static double rmm_div_d(double r, double a, double b)
{
    wide dir = div_dir(a, b, r), m;
    double nb;

    if (dir == 0 || isinf(r) || isnan(r)) {
        return r;
    }
    nb = nextafter(r, dir > 0 ? INFINITY : -INFINITY);
    if (fabs(nb) < fabs(r) || isinf(nb)) {
        return r;
    }
    m = ((wide)r + (wide)nb) / 2;
    return m * (wide)b == (wide)a ? nb : r;
}

static float rmm_div_s(float r, float a, float b)
{
    wide dir = div_dir(a, b, r), m;
    float nb;

    if (dir == 0 || isinf(r) || isnan(r)) {
        return r;
    }
    nb = nextafterf(r, dir > 0 ? INFINITY : -INFINITY);
    if (fabsf(nb) < fabsf(r) || isinf(nb)) {
        return r;
    }
    m = ((wide)r + (wide)nb) / 2;
    return m * (wide)b == (wide)a ? nb : r;
}

/* ---- Arithmetic --------------------------------------------------------- */

/*
 * The fast path, QEMU's "hardfloat" idea: with inexact already accrued in
 * fflags and round-to-nearest (the mode the host thread runs in outside
 * these helpers), operands that are zero or normal, and a normal result,
 * no flag but inexact can arise (no NaN or infinity in, no overflow or
 * underflow out, no division by zero), so the host computes it directly,
 * without touching MXCSR.  Anything else takes the full path.
 */
static inline bool plain_d(uint64_t v)
{
    uint64_t e = (v >> 52) & 0x7ff;
    return (e != 0 && e != 0x7ff) || (v << 1) == 0;
}

static inline bool plain_s(uint32_t v)
{
    uint32_t e = (v >> 23) & 0xff;
    return (e != 0 && e != 0xff) || (v << 1) == 0;
}

#define NORMAL_D(r) (fabs(r) > 0x1p-1022 && fabs(r) <= 0x1.fffffffffffffp+1023)
#define NORMAL_S(r) (fabsf(r) > 0x1p-126f && fabsf(r) <= 0x1.fffffep+127f)

enum { AR_ADD, AR_SUB, AR_MUL, AR_DIV, AR_SQRT, AR_FMA };

/*
 * a op b (or a * b + c): exact IEEE result under @rm with its flags.
 * FMA's variants come here with their signs already flipped.
 */
static uint64_t __attribute__((noinline))
arith_d_slow(int kind, uint64_t ua, uint64_t ub, uint64_t uc, unsigned rm,
             unsigned *flags)
{
    double a = f64(ua), b = f64(ub), c = f64(uc), r;
    wide s, e;

    if (kind == AR_FMA && ((isinf(a) && b == 0) || (a == 0 && isinf(b)))) {
        /* inf * 0 + c is invalid even for a quiet NaN c (as QEMU). */
        *flags |= FFLAG_NV;
        return CANON_NAN_D;
    }
    host_fp_begin(rm);
    OPAQUE_F(a);
    OPAQUE_F(b);
    OPAQUE_F(c);
    switch (kind) {
    case AR_ADD:
        r = a + b;
        break;
    case AR_SUB:
        r = a - b;
        break;
    case AR_MUL:
        r = a * b;
        break;
    case AR_DIV:
        r = a / b;
        break;
    case AR_SQRT:
        r = __builtin_sqrt(a);
        break;
    default:
        r = fma(a, b, c);
        break;
    }
    OPAQUE_F(r);
    *flags |= host_fp_end(rm);
    if (isnan(r)) {
        return CANON_NAN_D;
    }
    if (rm == RISCV_FRM_RMM && isfinite(r)) {
        switch (kind) {
        case AR_ADD:
        case AR_SUB:
            two_sum(a, kind == AR_ADD ? b : -b, &s, &e);
            r = rmm_fix_d(r, s, e);
            break;
        case AR_MUL:
            r = rmm_fix_d(r, (wide)a * (wide)b, 0);
            break;
        case AR_FMA:
            two_sum((wide)a * (wide)b, c, &s, &e);
            r = rmm_fix_d(r, s, e);
            break;
        case AR_DIV:
            r = rmm_div_d(r, a, b);
            break;
        }
        /* A square root is never exactly halfway: nothing to fix. */
    }
    return bits64(r);
}

/* The fast path inline (kind is a constant at each call), else the rest. */
static inline __attribute__((always_inline)) uint64_t
arith_d(int kind, uint64_t ua, uint64_t ub, uint64_t uc, unsigned rm,
        unsigned *flags)
{
    double a = f64(ua), b = f64(ub), c = f64(uc), r;

    if ((*flags & FFLAG_NX) && rm == RISCV_FRM_RNE && plain_d(ua) &&
        plain_d(ub) && plain_d(uc)) {
        switch (kind) {
        case AR_ADD:
            r = a + b;
            break;
        case AR_SUB:
            r = a - b;
            break;
        case AR_MUL:
            r = a * b;
            break;
        case AR_DIV:
            r = b != 0 ? a / b : 0;
            break;
        case AR_SQRT:
            r = a > 0 ? __builtin_sqrt(a) : 0;
            break;
        default:
            r = fma(a, b, c);
            break;
        }
        if (NORMAL_D(r)) {
            return bits64(r);
        }
    }
    return arith_d_slow(kind, ua, ub, uc, rm, flags);
}

static uint32_t __attribute__((noinline))
arith_s_slow(int kind, uint32_t ua, uint32_t ub, uint32_t uc, unsigned rm,
             unsigned *flags)
{
    float a = f32(ua), b = f32(ub), c = f32(uc), r;
    wide s, e;

    if (kind == AR_FMA && ((isinf(a) && b == 0) || (a == 0 && isinf(b)))) {
        *flags |= FFLAG_NV;
        return CANON_NAN_S;
    }
    host_fp_begin(rm);
    OPAQUE_F(a);
    OPAQUE_F(b);
    OPAQUE_F(c);
    switch (kind) {
    case AR_ADD:
        r = a + b;
        break;
    case AR_SUB:
        r = a - b;
        break;
    case AR_MUL:
        r = a * b;
        break;
    case AR_DIV:
        r = a / b;
        break;
    case AR_SQRT:
        r = __builtin_sqrtf(a);
        break;
    default:
        r = fmaf(a, b, c);
        break;
    }
    OPAQUE_F(r);
    *flags |= host_fp_end(rm);
    if (isnan(r)) {
        return CANON_NAN_S;
    }
    if (rm == RISCV_FRM_RMM && isfinite(r)) {
        switch (kind) {
        case AR_ADD:
        case AR_SUB:
            two_sum(a, kind == AR_ADD ? b : -b, &s, &e);
            r = rmm_fix_s(r, s, e);
            break;
        case AR_MUL:
            r = rmm_fix_s(r, (wide)a * (wide)b, 0);
            break;
        case AR_FMA:
            two_sum((wide)a * (wide)b, c, &s, &e);
            r = rmm_fix_s(r, s, e);
            break;
        case AR_DIV:
            r = rmm_div_s(r, a, b);
            break;
        }
    }
    return bits32(r);
}

/* The fast path inline (kind is a constant at each call), else the rest. */
static inline __attribute__((always_inline)) uint32_t
arith_s(int kind, uint32_t ua, uint32_t ub, uint32_t uc, unsigned rm,
        unsigned *flags)
{
    float a = f32(ua), b = f32(ub), c = f32(uc), r;

    if ((*flags & FFLAG_NX) && rm == RISCV_FRM_RNE && plain_s(ua) &&
        plain_s(ub) && plain_s(uc)) {
        switch (kind) {
        case AR_ADD:
            r = a + b;
            break;
        case AR_SUB:
            r = a - b;
            break;
        case AR_MUL:
            r = a * b;
            break;
        case AR_DIV:
            r = b != 0 ? a / b : 0;
            break;
        case AR_SQRT:
            r = a > 0 ? __builtin_sqrtf(a) : 0;
            break;
        default:
            r = fmaf(a, b, c);
            break;
        }
        if (NORMAL_S(r)) {
            return bits32(r);
        }
    }
    return arith_s_slow(kind, ua, ub, uc, rm, flags);
}

/* ---- Conversions -------------------------------------------------------- */

/* double -> single under @rm. */
static uint32_t cvt_s_d(uint64_t ua, unsigned rm, unsigned *flags)
{
    double a = f64(ua);
    float r;

    host_fp_begin(rm);
    OPAQUE_F(a);
    r = (float)a;
    OPAQUE_F(r);
    *flags |= host_fp_end(rm);
    if (isnan(r)) {
        return CANON_NAN_S;
    }
    if (rm == RISCV_FRM_RMM) {
        r = rmm_fix_s(r, a, 0);
    }
    return bits32(r);
}

/* single -> double: exact; a signalling NaN is invalid. */
static uint64_t cvt_d_s(uint32_t ua, unsigned *flags)
{
    if (nan_s(ua)) {
        *flags |= snan_s(ua) ? FFLAG_NV : 0;
        return CANON_NAN_D;
    }
    return bits64((double)f32(ua));
}

/* An integer (@is_signed: @v as int64_t) to double or single under @rm. */
static uint64_t cvt_from_int(uint64_t v, bool is_signed, bool dbl,
                             unsigned rm, unsigned *flags)
{
    bool neg = is_signed && (int64_t)v < 0;
    uint64_t mag = neg ? -v : v;
    /* Halved with the lost bit kept as sticky: fits int64, same rounding. */
    bool halve = mag >> 63;
    int64_t in = halve ? (int64_t)((mag >> 1) | (mag & 1)) : (int64_t)mag;
    double d = 0;
    float f = 0;

    /* Only inexact can arise: with it accrued and RNE, convert directly. */
    if ((*flags & FFLAG_NX) && rm == RISCV_FRM_RNE) {
        if (dbl) {
            return bits64(is_signed ? (double)(int64_t)v : (double)v);
        }
        return bits32(is_signed ? (float)(int64_t)v : (float)v);
    }
    if (neg) {
        in = -in;
    }
    host_fp_begin(rm);
    OPAQUE_I(in);
    if (dbl) {
        d = (double)in;
        OPAQUE_F(d);
    } else {
        f = (float)in;
        OPAQUE_F(f);
    }
    *flags |= host_fp_end(rm);
    if (halve) {
        d *= 2;         /* exact */
        f *= 2;
    }
    if (rm == RISCV_FRM_RMM) {
        wide exact = neg ? -(wide)mag : (wide)mag;

        if (dbl) {
            d = rmm_fix_d(d, exact, 0);
        } else {
            f = rmm_fix_s(f, exact, 0);
        }
    }
    return dbl ? bits64(d) : bits32(f);
}

enum { TO_W, TO_WU, TO_L, TO_LU };

/*
 * A double (every single is one exactly) to an integer type, RISC-V's way:
 * rounded by @rm; NaN and too-large values saturate to the maximum, too
 * small ones to the minimum, with invalid (and without inexact).  The
 * 32-bit results come sign-extended, as they land in x registers.
 */
static uint64_t cvt_to_int(double x, bool isnan_, int to, unsigned rm,
                           unsigned *flags)
{
    static const double lo[4] = { -2147483648.0, 0, -9223372036854775808.0,
                                  0 };
    static const double hi[4] = { 2147483647.0, 4294967295.0,
                                  9223372036854775808.0,
                                  18446744073709551616.0 };
    static const uint64_t min[4] = { (uint64_t)INT32_MIN, 0,
                                     (uint64_t)INT64_MIN, 0 };
    static const uint64_t max[4] = { INT32_MAX, (uint64_t)(int32_t)UINT32_MAX,
                                     INT64_MAX, UINT64_MAX };
    double t, fr, r;

    if (isnan_) {
        *flags |= FFLAG_NV;
        return max[to];
    }
    if (isinf(x)) {
        *flags |= FFLAG_NV;
        return x > 0 ? max[to] : min[to];
    }
    /* Integral part and fraction are exact in double. */
    t = trunc(x);
    fr = x - t;
    r = t;
    switch (rm) {
    case RISCV_FRM_RNE:
        if (fabs(fr) > 0.5 || (fabs(fr) == 0.5 && fmod(t, 2) != 0)) {
            r = t + (x < 0 ? -1 : 1);
        }
        break;
    case RISCV_FRM_RDN:
        if (fr < 0) {
            r = t - 1;
        }
        break;
    case RISCV_FRM_RUP:
        if (fr > 0) {
            r = t + 1;
        }
        break;
    case RISCV_FRM_RMM:
        if (fabs(fr) >= 0.5) {
            r = t + (x < 0 ? -1 : 1);
        }
        break;
    }
    /* Limits of the 64-bit types are checked as exclusive powers of two. */
    if (r < lo[to] || (to >= TO_L ? r >= hi[to] : r > hi[to])) {
        *flags |= FFLAG_NV;
        return r < 0 ? min[to] : max[to];
    }
    if (r != x) {
        *flags |= FFLAG_NX;
    }
    switch (to) {
    case TO_W:
        return (uint64_t)(int64_t)(int32_t)r;
    case TO_WU:
        return (uint64_t)(int64_t)(int32_t)(uint32_t)r;
    case TO_L:
        return (uint64_t)(int64_t)r;
    default:
        return (uint64_t)r;
    }
}

/* ---- Sign injection, min/max, compares, classification ------------------ */

/* IEEE 754-2019 minimumNumber/maximumNumber, -0 < +0 (spec 2.2). */
static uint64_t minmax(uint64_t a, uint64_t b, bool dbl, bool max,
                       unsigned *flags)
{
    bool na = dbl ? nan_d(a) : nan_s(a), nb = dbl ? nan_d(b) : nan_s(b);
    bool lt;

    if (na || nb) {
        if (dbl ? snan_d(a) || snan_d(b) : snan_s(a) || snan_s(b)) {
            *flags |= FFLAG_NV;
        }
        if (na && nb) {
            return dbl ? CANON_NAN_D : CANON_NAN_S;
        }
        return na ? b : a;
    }
    if (dbl ? f64(a) == f64(b) : f32(a) == f32(b)) {
        /* Equal: only the zeros' signs can differ. */
        return max ? a & b : a | b;
    }
    lt = dbl ? f64(a) < f64(b) : f32(a) < f32(b);
    return lt != max ? a : b;
}

enum { CMP_EQ, CMP_LT, CMP_LE };

/* feq is quiet (invalid for sNaN only), flt and fle signal on any NaN. */
static uint64_t compare(uint64_t a, uint64_t b, bool dbl, int how,
                        unsigned *flags)
{
    bool na = dbl ? nan_d(a) : nan_s(a), nb = dbl ? nan_d(b) : nan_s(b);

    if (na || nb) {
        if (how != CMP_EQ ||
            (dbl ? snan_d(a) || snan_d(b) : snan_s(a) || snan_s(b))) {
            *flags |= FFLAG_NV;
        }
        return 0;
    }
    if (dbl) {
        double x = f64(a), y = f64(b);
        return how == CMP_EQ ? x == y : how == CMP_LT ? x < y : x <= y;
    } else {
        float x = f32(a), y = f32(b);
        return how == CMP_EQ ? x == y : how == CMP_LT ? x < y : x <= y;
    }
}

/* fclass: one bit of ten. */
static uint64_t classify(uint64_t v, bool dbl)
{
    unsigned ebits = dbl ? 11 : 8, mbits = dbl ? 52 : 23;
    bool neg = v >> (ebits + mbits) & 1;
    uint64_t exp = (v >> mbits) & ((1u << ebits) - 1);
    uint64_t man = v & ((1ULL << mbits) - 1);

    if (exp == (1u << ebits) - 1) {
        if (man == 0) {
            return neg ? 1 << 0 : 1 << 7;
        }
        return man >> (mbits - 1) ? 1 << 9 : 1 << 8;
    }
    if (exp == 0) {
        if (man == 0) {
            return neg ? 1 << 3 : 1 << 4;
        }
        return neg ? 1 << 2 : 1 << 5;
    }
    return neg ? 1 << 1 : 1 << 6;
}

/* ---- The instructions --------------------------------------------------- */

uint32_t riscv_fp_mem_insn(const RISCVOp *op)
{
    bool store = op->opc == OP_FSW || op->opc == OP_FSD;
    bool dbl = op->opc == OP_FLD || op->opc == OP_FSD;
    uint32_t imm = op->imm;
    unsigned r = store ? op->rs2 : op->rd;

    if (op->len == 2) {
        if (op->rs1 == 2) {     /* c.fldsp, c.fsdsp */
            if (store) {
                return 0xa002 | (r << 2) | ((imm & 0x38) << 7) |
                       ((imm & 0x1c0) << 1);
            }
            return 0x2002 | (r << 7) | ((imm & 0x20) << 7) |
                   ((imm & 0x18) << 2) | ((imm & 0x1c0) >> 4);
        }
        /* c.fld, c.fsd */
        return (store ? 0xa000 : 0x2000) | ((op->rs1 - 8) << 7) |
               ((r - 8) << 2) | ((imm & 0x38) << 7) | ((imm & 0xc0) >> 1);
    }
    if (store) {
        return ((imm >> 5) << 25) | (r << 20) | (op->rs1 << 15) |
               ((dbl ? 3 : 2) << 12) | ((imm & 31) << 7) | 0x27;
    }
    return (imm << 20) | (op->rs1 << 15) | ((dbl ? 3 : 2) << 12) |
           (r << 7) | 0x07;
}

RISCVException riscv_fpu_exec(CPURISCVState *env, const RISCVOp *op)
{
    uint64_t *f = env->fpr, *x = env->gpr;
    /* Starts as what is accrued: the fast path looks at inexact. */
    unsigned rm = op->rm, flags = env->fflags;
    uint64_t a = f[op->rs1], b = f[op->rs2], c = f[op->rs3];
    uint32_t sa = riscv_unbox_s(a), sb = riscv_unbox_s(b);
    uint32_t sc = riscv_unbox_s(c);
    const uint64_t sign_d = 1ULL << 63;
    const uint32_t sign_s = 1u << 31;
    uint64_t res;
    bool to_x = false;

    if (!riscv_fpu_enabled(env) || !(env->misa & MISA_EXT('F'))) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    /* The D instructions (fcvt.s.d and fcvt.d.s included) need misa.D. */
    if (((op->opc >= OP_FMADD_D && op->opc <= OP_FCLASS_D) ||
         op->opc == OP_FCVT_S_D || op->opc == OP_FCVT_D_S) &&
        !(env->misa & MISA_EXT('D'))) {
        return RISCV_EXCP_ILLEGAL_INST;
    }
    if (rm == RISCV_FRM_DYN) {
        rm = env->frm;
    }

/* The instructions that round: a reserved mode (5-7) is illegal. */
#define RM()  do {                                      \
        if (rm > RISCV_FRM_RMM) {                       \
            return RISCV_EXCP_ILLEGAL_INST;             \
        }                                               \
    } while (0)
#define BOX(v)  riscv_nanbox_s(v)

    switch (op->opc) {
    case OP_FADD_S:
        RM();
        res = BOX(arith_s(AR_ADD, sa, sb, 0, rm, &flags));
        break;
    case OP_FSUB_S:
        RM();
        res = BOX(arith_s(AR_SUB, sa, sb, 0, rm, &flags));
        break;
    case OP_FMUL_S:
        RM();
        res = BOX(arith_s(AR_MUL, sa, sb, 0, rm, &flags));
        break;
    case OP_FDIV_S:
        RM();
        res = BOX(arith_s(AR_DIV, sa, sb, 0, rm, &flags));
        break;
    case OP_FSQRT_S:
        RM();
        res = BOX(arith_s(AR_SQRT, sa, 0, 0, rm, &flags));
        break;
    /* fmsub: a*b-c; fnmsub: -(a*b)+c; fnmadd: -(a*b)-c; signs flipped. */
    case OP_FMADD_S:
        RM();
        res = BOX(arith_s(AR_FMA, sa, sb, sc, rm, &flags));
        break;
    case OP_FMSUB_S:
        RM();
        res = BOX(arith_s(AR_FMA, sa, sb, sc ^ sign_s, rm, &flags));
        break;
    case OP_FNMSUB_S:
        RM();
        res = BOX(arith_s(AR_FMA, sa ^ sign_s, sb, sc, rm, &flags));
        break;
    case OP_FNMADD_S:
        RM();
        res = BOX(arith_s(AR_FMA, sa ^ sign_s, sb, sc ^ sign_s, rm, &flags));
        break;
    case OP_FADD_D:
        RM();
        res = arith_d(AR_ADD, a, b, 0, rm, &flags);
        break;
    case OP_FSUB_D:
        RM();
        res = arith_d(AR_SUB, a, b, 0, rm, &flags);
        break;
    case OP_FMUL_D:
        RM();
        res = arith_d(AR_MUL, a, b, 0, rm, &flags);
        break;
    case OP_FDIV_D:
        RM();
        res = arith_d(AR_DIV, a, b, 0, rm, &flags);
        break;
    case OP_FSQRT_D:
        RM();
        res = arith_d(AR_SQRT, a, 0, 0, rm, &flags);
        break;
    case OP_FMADD_D:
        RM();
        res = arith_d(AR_FMA, a, b, c, rm, &flags);
        break;
    case OP_FMSUB_D:
        RM();
        res = arith_d(AR_FMA, a, b, c ^ sign_d, rm, &flags);
        break;
    case OP_FNMSUB_D:
        RM();
        res = arith_d(AR_FMA, a ^ sign_d, b, c, rm, &flags);
        break;
    case OP_FNMADD_D:
        RM();
        res = arith_d(AR_FMA, a ^ sign_d, b, c ^ sign_d, rm, &flags);
        break;

    case OP_FSGNJ_S:
        res = BOX((sa & ~sign_s) | (sb & sign_s));
        break;
    case OP_FSGNJN_S:
        res = BOX((sa & ~sign_s) | (~sb & sign_s));
        break;
    case OP_FSGNJX_S:
        res = BOX(sa ^ (sb & sign_s));
        break;
    case OP_FSGNJ_D:
        res = (a & ~sign_d) | (b & sign_d);
        break;
    case OP_FSGNJN_D:
        res = (a & ~sign_d) | (~b & sign_d);
        break;
    case OP_FSGNJX_D:
        res = a ^ (b & sign_d);
        break;
    case OP_FMIN_S:
    case OP_FMAX_S:
        res = BOX(minmax(sa, sb, false, op->opc == OP_FMAX_S, &flags));
        break;
    case OP_FMIN_D:
    case OP_FMAX_D:
        res = minmax(a, b, true, op->opc == OP_FMAX_D, &flags);
        break;

    case OP_FCVT_W_S:
    case OP_FCVT_WU_S:
    case OP_FCVT_L_S:
    case OP_FCVT_LU_S:
        RM();
        res = cvt_to_int(f32(sa), nan_s(sa), op->opc - OP_FCVT_W_S, rm,
                         &flags);
        to_x = true;
        break;
    case OP_FCVT_W_D:
    case OP_FCVT_WU_D:
    case OP_FCVT_L_D:
    case OP_FCVT_LU_D:
        RM();
        res = cvt_to_int(f64(a), nan_d(a), op->opc - OP_FCVT_W_D, rm,
                         &flags);
        to_x = true;
        break;
    case OP_FCVT_S_W:
        RM();
        res = BOX(cvt_from_int((int32_t)x[op->rs1], true, false, rm, &flags));
        break;
    case OP_FCVT_S_WU:
        RM();
        res = BOX(cvt_from_int((uint32_t)x[op->rs1], false, false, rm,
                               &flags));
        break;
    case OP_FCVT_S_L:
    case OP_FCVT_S_LU:
        RM();
        res = BOX(cvt_from_int(x[op->rs1], op->opc == OP_FCVT_S_L, false,
                               rm, &flags));
        break;
    case OP_FCVT_D_W:
        RM();
        res = cvt_from_int((int32_t)x[op->rs1], true, true, rm, &flags);
        break;
    case OP_FCVT_D_WU:
        RM();
        res = cvt_from_int((uint32_t)x[op->rs1], false, true, rm, &flags);
        break;
    case OP_FCVT_D_L:
    case OP_FCVT_D_LU:
        RM();
        res = cvt_from_int(x[op->rs1], op->opc == OP_FCVT_D_L, true, rm,
                           &flags);
        break;
    case OP_FCVT_S_D:
        RM();
        res = BOX(cvt_s_d(a, rm, &flags));
        break;
    case OP_FCVT_D_S:
        RM();
        res = cvt_d_s(sa, &flags);
        break;

    case OP_FMV_X_W:
        /* The raw low half, boxed or not. */
        res = (uint64_t)(int64_t)(int32_t)a;
        to_x = true;
        break;
    case OP_FMV_X_D:
        res = a;
        to_x = true;
        break;
    case OP_FMV_W_X:
        res = BOX((uint32_t)x[op->rs1]);
        break;
    case OP_FMV_D_X:
        res = x[op->rs1];
        break;
    case OP_FEQ_S:
    case OP_FLT_S:
    case OP_FLE_S:
        res = compare(sa, sb, false,
                      op->opc == OP_FLT_S ? CMP_LT :
                      op->opc == OP_FLE_S ? CMP_LE : CMP_EQ, &flags);
        to_x = true;
        break;
    case OP_FEQ_D:
    case OP_FLT_D:
    case OP_FLE_D:
        res = compare(a, b, true,
                      op->opc == OP_FLT_D ? CMP_LT :
                      op->opc == OP_FLE_D ? CMP_LE : CMP_EQ, &flags);
        to_x = true;
        break;
    case OP_FCLASS_S:
        res = classify(sa, false);
        to_x = true;
        break;
    case OP_FCLASS_D:
        res = classify(a, true);
        to_x = true;
        break;
    default:
        g_assert_not_reached();
    }
#undef RM
#undef BOX

    env->fflags = flags;
    if (to_x) {
        x[op->rd] = res;
    } else {
        f[op->rd] = res;
        env->mstatus |= MSTATUS_FS;
    }
    return RISCV_EXCP_NONE;
}
