/*
 * fpbench: a CPU-bound floating-point program for the Linux guest
 * (tests/linux), timed by bench/linux-bench.c on qcore and QEMU.  An
 * n-body integration (add, mul, fused multiply-add, div, sqrt in double)
 * followed by a libm loop (sin, exp, log); prints the results in full,
 * so any difference between the emulators shows.
 *   fpbench [steps]    (default 200000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NB 5

struct body {
    double x[3], v[3], m;
};

static double energy(const struct body *b)
{
    double e = 0;

    for (int i = 0; i < NB; i++) {
        e += 0.5 * b[i].m * (b[i].v[0] * b[i].v[0] + b[i].v[1] * b[i].v[1] +
                             b[i].v[2] * b[i].v[2]);
        for (int j = i + 1; j < NB; j++) {
            double d[3] = { b[i].x[0] - b[j].x[0], b[i].x[1] - b[j].x[1],
                            b[i].x[2] - b[j].x[2] };
            e -= b[i].m * b[j].m /
                 sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + 0.01);
        }
    }
    return e;
}

static void step(struct body *b, double dt)
{
    for (int i = 0; i < NB; i++) {
        for (int j = i + 1; j < NB; j++) {
            double d[3], r2, mag;

            for (int k = 0; k < 3; k++) {
                d[k] = b[i].x[k] - b[j].x[k];
            }
            r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + 0.01;  /* softened */
            mag = dt / (r2 * sqrt(r2));
            for (int k = 0; k < 3; k++) {
                b[i].v[k] -= d[k] * b[j].m * mag;
                b[j].v[k] += d[k] * b[i].m * mag;
            }
        }
    }
    for (int i = 0; i < NB; i++) {
        for (int k = 0; k < 3; k++) {
            b[i].x[k] += dt * b[i].v[k];
        }
    }
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 200000;
    struct body b[NB];
    unsigned s = 12345;
    double e0, acc = 0;

    /* A fixed, spread-out system: positions in [-5,5], small velocities. */
    for (int i = 0; i < NB; i++) {
        for (int k = 0; k < 3; k++) {
            s = s * 1103515245u + 12345u;
            b[i].x[k] = (s >> 8) / (double)(1u << 24) * 10.0 - 5.0;
            s = s * 1103515245u + 12345u;
            b[i].v[k] = ((s >> 8) / (double)(1u << 24) - 0.5) * 0.1;
        }
        b[i].m = i == 0 ? 40.0 : 0.01 * (i + 1);
    }
    e0 = energy(b);
    for (long n = 0; n < steps; n++) {
        step(b, 0.001);
    }
    for (long n = 1; n <= steps / 4; n++) {
        acc += sin(n * 0.001) * exp(-n * 1e-6) + log((double)n);
    }
    printf("fpbench: steps %ld energy %.17g -> %.17g libm %.17g\n", steps,
           e0, energy(b), acc);
    return 0;
}
