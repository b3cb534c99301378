/*
 * bench-mips: a fixed, deterministic compute-bound workload for the
 * emulator benchmark (bench/riscv-bench.c), not a functional test: it
 * prints measurements, so it has no expected/ transcript.
 *
 * Each round does a bitwise CRC-32 of a 1 KiB buffer (shifts, xors, a
 * data-dependent branch per bit), a sieve of Eratosthenes over 4096
 * bytes (byte loads and stores, loop branches) and a 12x12 integer
 * matrix product (mul, word loads and stores), and folds the results
 * into a checksum.  minstret and mtime (10 MHz) are read around the
 * rounds; the program prints the checksum, the instructions retired,
 * the ticks and the guest MIPS (instret * 10 / ticks), then exits 0.
 */
#include "runtime.h"

#define ROUNDS  1500
#define BUF     1024
#define SIEVE   4096
#define MAT     12

static uint8_t buf[BUF];
static uint8_t sieve[SIEVE];
static int32_t ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];

static uint32_t crc32(const uint8_t *p, unsigned n, uint32_t crc)
{
    crc = ~crc;
    for (unsigned i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            if (crc & 1) {
                crc = (crc >> 1) ^ 0xedb88320u;
            } else {
                crc >>= 1;
            }
        }
    }
    return ~crc;
}

static unsigned count_primes(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < SIEVE; i++) {
        sieve[i] = 1;
    }
    sieve[0] = sieve[1] = 0;
    for (unsigned i = 2; i * i < SIEVE; i++) {
        if (sieve[i]) {
            for (unsigned j = i * i; j < SIEVE; j += i) {
                sieve[j] = 0;
            }
        }
    }
    for (unsigned i = 0; i < SIEVE; i++) {
        n += sieve[i];
    }
    return n;
}

static uint32_t matmul(uint32_t seed)
{
    uint32_t sum = 0;

    for (int i = 0; i < MAT; i++) {
        for (int j = 0; j < MAT; j++) {
            ma[i][j] = (int32_t)(seed + i * 7 + j);
            mb[i][j] = (int32_t)(seed ^ (i + j * 3));
        }
    }
    for (int i = 0; i < MAT; i++) {
        for (int j = 0; j < MAT; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT; k++) {
                s += ma[i][k] * mb[k][j];
            }
            mc[i][j] = s;
            sum = sum * 31 + (uint32_t)s;
        }
    }
    return sum;
}

int main(void)
{
    uint32_t check = 0;
    uint64_t i0, i1, t0, t1, mips10;

    for (unsigned i = 0; i < BUF; i++) {
        buf[i] = (uint8_t)(i * 131 + 7);
    }
    t0 = mtime();
    i0 = csr_read(minstret);
    for (unsigned r = 0; r < ROUNDS; r++) {
        buf[r % BUF] ^= (uint8_t)r;
        check = crc32(buf, BUF, check);
        check += count_primes();
        check ^= matmul(check);
    }
    i1 = csr_read(minstret);
    t1 = mtime();

    mips10 = (t1 - t0) ? (i1 - i0) * 100 / (t1 - t0) : 0;
    printf("bench-mips: rounds %u checksum 0x%08x\n", ROUNDS, check);
    printf("bench-mips: instret %lu\n", (unsigned long)(i1 - i0));
    printf("bench-mips: ticks %lu\n", (unsigned long)(t1 - t0));
    printf("bench-mips: MIPS %lu.%lu\n", (unsigned long)(mips10 / 10),
           (unsigned long)(mips10 % 10));
    return 0;
}
