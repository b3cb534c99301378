/*
 * bench-flops: a fixed, deterministic floating-point workload for the
 * emulator benchmark (bench/riscv-bench.c), the F/D counterpart of
 * bench-mips; not a functional test (it prints measurements).
 *
 * Each round does a 12x12 double matrix product (fmadd.d, fld, fsd), a
 * few Mandelbrot escape-time points in single precision (fmul.s,
 * fadd.s, fsub.s, flt.s) and a Newton iteration for 1/sqrt in double
 * with divisions and conversions (fdiv.d, fcvt.w.d, fcvt.d.w), folding
 * the results' bits into a checksum.  minstret and mtime are read
 * around the rounds; the output has bench-mips' shape with the prefix
 * "bench-flops:" (checksum, instret, ticks, MIPS).
 */
#include "fprun.h"

#define ROUNDS  1500
#define MAT     12

static double ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];

static uint64_t dbits(double d)
{
    uint64_t v;

    memcpy(&v, &d, 8);
    return v;
}

static uint32_t matmul(unsigned seed)
{
    uint32_t sum = 0;

    for (int i = 0; i < MAT; i++) {
        for (int j = 0; j < MAT; j++) {
            ma[i][j] = (double)(int)(seed + i * 7 + j) * 0.125;
            mb[i][j] = (double)(int)((seed ^ (i + j * 3)) & 255) / 3.0;
        }
    }
    for (int i = 0; i < MAT; i++) {
        for (int j = 0; j < MAT; j++) {
            double s = 0;
            for (int k = 0; k < MAT; k++) {
                s += ma[i][k] * mb[k][j];
            }
            mc[i][j] = s;
            sum = sum * 31 + (uint32_t)dbits(s);
        }
    }
    return sum;
}

static unsigned mandel(unsigned seed)
{
    unsigned total = 0;

    for (int p = 0; p < 16; p++) {
        float cr = -2.0f + (float)((seed + p * 37) % 100) * 0.025f;
        float ci = -1.2f + (float)((seed * 3 + p * 11) % 96) * 0.025f;
        float zr = 0, zi = 0;
        int n = 0;

        while (n < 64 && zr * zr + zi * zi < 4.0f) {
            float t = zr * zr - zi * zi + cr;
            zi = 2.0f * zr * zi + ci;
            zr = t;
            n++;
        }
        total += n;
    }
    return total;
}

static uint32_t newton(unsigned seed)
{
    uint32_t sum = 0;

    for (int i = 1; i <= 24; i++) {
        double x = (double)(int)(seed % 1000 + i), y = 1.0 / x;

        for (int k = 0; k < 6; k++) {
            y = y * (1.5 - 0.5 * x * y * y);
        }
        sum += (uint32_t)(int)(y * 1e6) + (uint32_t)dbits(x / (y + 1.0));
    }
    return sum;
}

int main(void)
{
    uint32_t check = 0;
    uint64_t i0, i1, t0, t1, mips10;

    fp_enable();
    t0 = mtime();
    i0 = csr_read(minstret);
    for (unsigned r = 0; r < ROUNDS; r++) {
        check ^= matmul(r + check % 7);
        check += mandel(r);
        check = check * 17 + newton(r + check % 13);
    }
    i1 = csr_read(minstret);
    t1 = mtime();

    mips10 = (t1 - t0) ? (i1 - i0) * 100 / (t1 - t0) : 0;
    printf("bench-flops: rounds %u checksum 0x%08x\n", ROUNDS, check);
    printf("bench-flops: instret %lu\n", (unsigned long)(i1 - i0));
    printf("bench-flops: ticks %lu\n", (unsigned long)(t1 - t0));
    printf("bench-flops: MIPS %lu.%lu\n", (unsigned long)(mips10 / 10),
           (unsigned long)(mips10 % 10));
    return 0;
}
