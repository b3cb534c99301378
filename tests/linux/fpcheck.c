/*
 * fpcheck: the Linux guest's FP self-check (tests/linux, docs/linux.md).
 * Prints a fixed set of F/D results (bits and fflags) under each rounding
 * mode; the output recorded on QEMU 7.2 is tests/linux/expected/fpcheck.out.
 */
#include <fenv.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* volatile operands keep the compiler from folding anything at build time:
 * every result below comes from the guest's FPU at run time. */
static volatile double dv[] = {
    1.0, -1.0, 0.0, -0.0, 3.0, 0.1, 1e308, -1e308, 4.9e-324, 2.2250738585072014e-308,
    INFINITY, -INFINITY, NAN, 1.5, 2.5, -2.5, 0x1.fffffffffffffp+52, 1e-310,
};
static volatile float fv[] = {
    1.0f, -1.0f, 0.0f, -0.0f, 3.0f, 0.1f, 3e38f, -3e38f, 1.4e-45f, 1.17549435e-38f,
    INFINITY, -INFINITY, NAN, 1.5f, 2.5f, -2.5f, 16777215.0f, 1e-40f,
};
#define N (sizeof(dv) / sizeof(dv[0]))

static const struct { int mode; const char *name; } modes[] = {
    { FE_TONEAREST, "rne" }, { FE_TOWARDZERO, "rtz" },
    { FE_DOWNWARD, "rdn" }, { FE_UPWARD, "rup" },
};

static uint64_t sum = 1469598103934665603ull;   /* FNV-1a over all output */

static void fold(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        sum ^= (v >> (8 * i)) & 0xff;
        sum *= 1099511628211ull;
    }
}

static unsigned flags(void)
{
    unsigned f = 0;
    int e = fetestexcept(FE_ALL_EXCEPT);

    /* fflags bit order: NV DZ OF UF NX */
    f |= e & FE_INVALID ? 16 : 0;
    f |= e & FE_DIVBYZERO ? 8 : 0;
    f |= e & FE_OVERFLOW ? 4 : 0;
    f |= e & FE_UNDERFLOW ? 2 : 0;
    f |= e & FE_INEXACT ? 1 : 0;
    feclearexcept(FE_ALL_EXCEPT);
    return f;
}

static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* One line per operation and rounding mode: the results over all operand
 * pairs folded into a hash, and the OR of their fflags. */
static void line(const char *op, const char *mode, uint64_t h, unsigned f)
{
    printf("%-8s %s %016" PRIx64 " fflags=%02x\n", op, mode, h, f);
    fold(h);
    fold(f);
}

static uint64_t h;
static unsigned fl;
static void r(uint64_t v)
{
    h = h * 31 + v;
    fl |= flags();
}

static void run_mode(const char *m)
{
    size_t i, j;

#define PAIRS(name, expr) do { h = 0; fl = 0; flags(); \
        for (i = 0; i < N; i++) for (j = 0; j < N; j++) { expr; } \
        line(name, m, h, fl); } while (0)
#define SINGLE(name, expr) do { h = 0; fl = 0; flags(); \
        for (i = 0; i < N; i++) { expr; } line(name, m, h, fl); } while (0)

    PAIRS("fadd.d", r(dbits(dv[i] + dv[j])));
    PAIRS("fsub.d", r(dbits(dv[i] - dv[j])));
    PAIRS("fmul.d", r(dbits(dv[i] * dv[j])));
    PAIRS("fdiv.d", r(dbits(dv[i] / dv[j])));
    PAIRS("fmadd.d", r(dbits(fma(dv[i], dv[j], dv[(i + j) % N]))));
    PAIRS("fmin.d", r(dbits(fmin(dv[i], dv[j]))));
    PAIRS("flt.d", r((dv[i] < dv[j]) | (dv[i] == dv[j]) << 1 | (dv[i] <= dv[j]) << 2));
    PAIRS("fadd.s", r(fbits(fv[i] + fv[j])));
    PAIRS("fmul.s", r(fbits(fv[i] * fv[j])));
    PAIRS("fdiv.s", r(fbits(fv[i] / fv[j])));
    PAIRS("fmadd.s", r(fbits(fmaf(fv[i], fv[j], fv[(i + j) % N]))));
    PAIRS("fmax.s", r(fbits(fmaxf(fv[i], fv[j]))));
    SINGLE("fsqrt.d", r(dbits(sqrt(dv[i]))));
    SINGLE("fsqrt.s", r(fbits(sqrtf(fv[i]))));
    SINGLE("fcvt.s.d", r(fbits((float)dv[i])));
    SINGLE("fcvt.d.s", r(dbits((double)fv[i])));
    SINGLE("fcvt.l.d", r((uint64_t)llrint(dv[i])));
    SINGLE("fcvt.w.s", r((uint64_t)(int64_t)lrintf(fv[i])));
    SINGLE("fcvt.d.l", r(dbits((double)(int64_t)(dbits(dv[i]) >> 3))));
    SINGLE("fcvt.s.lu", r(fbits((float)(dbits(dv[i]) | 1))));
    SINGLE("frint.d", r(dbits(nearbyint(dv[i] * 1e15))));
}

/* The static rounding modes, RMM included (no fenv name for it), straight
 * from the instructions. */
static void run_static(void)
{
    size_t i;
    int64_t l;

#define STATIC(rm) do { h = 0; fl = 0; flags(); for (i = 0; i < N; i++) { \
        double d = dv[i] * 2.5; \
        __asm__ volatile("fcvt.l.d %0, %1, " rm : "=r"(l) : "f"(d)); \
        r((uint64_t)l); \
        __asm__ volatile("fcvt.s.d %0, %1, " rm : "=f"(d) : "f"(d)); \
        r(dbits(d)); } line("static", rm, h, fl); } while (0)
    STATIC("rne");
    STATIC("rtz");
    STATIC("rdn");
    STATIC("rup");
    STATIC("rmm");
}

int main(void)
{
    unsigned long fcsr;

    printf("fpcheck: start\n");
    for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
        fesetround(modes[k].mode);
        run_mode(modes[k].name);
    }
    fesetround(FE_TONEAREST);
    run_static();
    /* fcsr after an inexact operation under rtz: frm and fflags together. */
    fesetround(FE_TOWARDZERO);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double x = dv[0] / dv[4];
    (void)x;
    __asm__ volatile("frcsr %0" : "=r"(fcsr));
    fesetround(FE_TONEAREST);
    printf("fcsr     rtz %02lx\n", fcsr);
    fold(fcsr);
    printf("fpcheck: done %016" PRIx64 "\n", sum);
    return 0;
}
