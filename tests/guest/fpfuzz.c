/*
 * fpfuzz: random F and D programs, the same on every run (a fixed xorshift
 * seed), written into RAM and called with f0..f31 and x5..x15 drawn from
 * special values (zeros, subnormals, infinities, quiet and signalling NaNs,
 * ties, integer boundaries, singles that are not NaN-boxed) and random
 * bits, and frm set to a random valid mode.  The registers, fflags and
 * mstatus.FS/SD after each program are folded into a checksum printed
 * every 25 programs; QEMU's transcript is the reference (expected/), so
 * any difference in a result bit or a flag shows as a different checksum.
 *
 * Every fourth program draws its values and rounding modes to hit ties
 * under RMM (round to nearest, ties to max magnitude), which the host
 * FPU lacks.  Each program: 40 instructions, every F/D operation with
 * static (0-4) and dynamic (7) rounding modes, loads and stores (also
 * c.fld/c.fsd) into a buffer whose address x15 holds, reads and clears
 * of fflags.
 */
#include "fprun.h"

#define PROGRAMS    400
#define INSNS       40
#define DATA_BYTES  256

static uint64_t state = 0x2545f4914f6cdd1dULL;
static uint16_t code[2 * INSNS + 8] __attribute__((aligned(64)));
static uint64_t data[DATA_BYTES / 8] __attribute__((aligned(16)));
static FPState st;

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static unsigned pick(unsigned n)
{
    return rnd() % n;
}

static const uint32_t special_s[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000,
    0x3f000000, 0x00800000, 0x80800000, 0x00000001, 0x007fffff, 0x00400000,
    0x807fffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
    0x7fc00001, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa00000, 0x4f000000,
    0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000,
    0xdf000000, 0x5f800000, 0x5effffff, 0x3effffff, 0x33800000, 0x34000000,
    0x3f800001, 0x3f7fffff, 0x4b000001, 0x4b800001, 0xbfc00000, 0x40400000,
    0x0c000000, 0x1f800000, 0x5f7fffff, 0x3eaaaaab, 0x00ffffff, 0x3f7ffffe,
};

static const uint64_t special_d[] = {
    0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL,
    0xbff0000000000000ULL, 0x3ff8000000000000ULL, 0x4004000000000000ULL,
    0x3fe0000000000000ULL, 0x0010000000000000ULL, 0x8010000000000000ULL,
    0x0000000000000001ULL, 0x000fffffffffffffULL, 0x0008000000000000ULL,
    0x7fefffffffffffffULL, 0xffefffffffffffffULL, 0x7ff0000000000000ULL,
    0xfff0000000000000ULL, 0x7ff8000000000000ULL, 0x7ff8000000000001ULL,
    0xfff8000000000000ULL, 0x7ff0000000000001ULL, 0xfff0000000000001ULL,
    0x7ff4000000000000ULL, 0x41e0000000000000ULL, 0x41dfffffffc00000ULL,
    0x41dfffffffffffffULL, 0xc1e0000000000000ULL, 0xc1e0000000200000ULL,
    0x41f0000000000000ULL, 0x41efffffffe00000ULL, 0x43e0000000000000ULL,
    0xc3e0000000000000ULL, 0x43f0000000000000ULL, 0x43efffffffffffffULL,
    0x3fdfffffffffffffULL, 0x3ca0000000000000ULL, 0x3cb0000000000000ULL,
    0x3ff0000000000001ULL, 0x3fefffffffffffffULL, 0x4330000000000001ULL,
    0x4340000000000001ULL, 0x36a0000000000000ULL, 0x36a0000010000000ULL,
    0x47efffffe0000000ULL, 0x47efffff00000000ULL, 0x3810000000000000ULL,
    0x380fffffe0000000ULL, 0x3ff0000010000000ULL, 0xc00ffffffe000000ULL,
};

static const uint64_t special_x[] = {
    0, 1, -1ULL, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ULL,
    0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x1000001, 0x1000003,
    0x20000000000001ULL, 0x20000000000003ULL, 0xfffffffffeffffffULL,
    0x100000000ULL, 0x7fffff80, 0xfffffffffffffc00ULL, 0x8000000000000400ULL,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Values whose exact sums, products and conversions often land exactly
 * halfway between two representable numbers (the ties RNE and RMM round
 * differently): short significands, powers of two, 25- and 54-bit values.
 */
static bool focus;      /* this program hunts ties: RMM and tie_val() */

static uint64_t tie_val(void)
{
    uint64_t sign = pick(2), v;

    switch (pick(7)) {
    case 5:     /* single 2^-30..2^0: added to case 0, ties at 2^-24 */
        v = (uint64_t)(97 + pick(31)) << 23;
        return 0xffffffff00000000ULL | sign << 31 | v;
    case 6:     /* double 2^-60..2^0 */
        v = (uint64_t)(963 + pick(61)) << 52;
        return sign << 63 | v;
    case 0:     /* single, 13-bit significand near 1 */
        v = (uint64_t)(124 + pick(7)) << 23 | (rnd() & 0xfff) << 11;
        return 0xffffffff00000000ULL | sign << 31 | v;
    case 1:     /* double, 27-bit significand near 1 */
        v = (uint64_t)(1020 + pick(7)) << 52 | (rnd() & 0x3ffffff) << 26;
        return sign << 63 | v;
    case 2:     /* single power of two, any exponent (subnormals too) */
        v = pick(2) ? (uint64_t)(1 + pick(254)) << 23 : 1ULL << pick(23);
        return 0xffffffff00000000ULL | sign << 31 | v;
    case 3:     /* double power of two */
        v = pick(2) ? (uint64_t)(1 + pick(2046)) << 52 : 1ULL << pick(52);
        return sign << 63 | v;
    default:    /* a double with 25 significant bits: a tie for fcvt.s.d */
        v = (uint64_t)(1000 + pick(48)) << 52 | (rnd() & 0xffffff) << 29 |
            1ULL << 28;
        return sign << 63 | v;
    }
}

static uint64_t fval(void)
{
    if (focus || pick(3) == 0) {
        return tie_val();
    }
    switch (pick(10)) {
    case 0: case 1: case 2:
        return 0xffffffff00000000ULL | special_s[pick(N(special_s))];
    case 3: case 4: case 5:
        return special_d[pick(N(special_d))];
    case 6:
        return 0xffffffff00000000ULL | (uint32_t)rnd();
    case 7:
        return rnd();
    case 8:
        /* Not NaN-boxed: a single reads it as the canonical NaN. */
        return ((rnd() & 0xfffffffeULL) << 32) | special_s[pick(N(special_s))];
    default:
        /* Near another value: differences that round at the last bit. */
        return special_d[pick(N(special_d))] ^ (rnd() & 0xff);
    }
}

static uint64_t xval(void)
{
    return pick(2) ? special_x[pick(N(special_x))] : rnd() >> pick(64);
}

static unsigned freg(void)
{
    return pick(32);
}

static unsigned xreg(void)
{
    return 5 + pick(10);                /* x5..x14; x15 holds &data */
}

static unsigned rm(void)
{
    static const unsigned modes[] = { 0, 1, 2, 3, 4, 7, 7 };

    if (focus) {
        return pick(2) ? 4 : 7;
    }
    return modes[pick(N(modes))];
}

static uint32_t r4(unsigned opc, unsigned fmt)
{
    unsigned rd = freg(), rs1 = freg(), rs2 = freg(), rs3 = freg();
    unsigned m = rm();

    return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | m << 12 |
           rd << 7 | opc;
}

/* An OP-FP instruction; rd/rs1 from the f or x file as the op needs. */
static uint32_t opfp(unsigned f7, unsigned rs2, unsigned f3, bool xd,
                     bool xs)
{
    unsigned rd = xd ? xreg() : freg();
    unsigned rs1 = xs ? xreg() : freg();

    if (rs2 == 32) {
        rs2 = freg();
    }
    if (f3 == 8) {
        f3 = rm();
    }
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x53;
}

/* Emit one instruction at *pos; returns its length in halfwords. */
static unsigned gen(uint16_t *p)
{
    unsigned fmt = pick(2), off, r;
    uint32_t in;

    switch (pick(24)) {
    case 0: case 1: case 2:             /* fadd fsub fmul fdiv */
        in = opfp(pick(4) << 2 | fmt, 32, 8, false, false);
        break;
    case 3:
        in = opfp(0x2c | fmt, 0, 8, false, false);          /* fsqrt */
        break;
    case 4: case 5: case 6:
        in = r4(0x43 + 4 * pick(4), fmt);                   /* fmadd... */
        break;
    case 7:
        in = opfp(0x10 | fmt, 32, pick(3), false, false);   /* fsgnj* */
        break;
    case 8:
        in = opfp(0x14 | fmt, 32, pick(2), false, false);   /* fmin/fmax */
        break;
    case 9:
        in = fmt ? opfp(0x21, 0, 8, false, false)           /* fcvt.d.s */
                 : opfp(0x20, 1, 8, false, false);          /* fcvt.s.d */
        break;
    case 10: case 11:                   /* fcvt.{w,wu,l,lu}.fmt */
        in = opfp(0x60 | fmt, pick(4), 8, true, false);
        break;
    case 12: case 13:                   /* fcvt.fmt.{w,wu,l,lu} */
        in = opfp(0x68 | fmt, pick(4), 8, false, true);
        break;
    case 14:                            /* feq flt fle */
        in = opfp(0x50 | fmt, 32, pick(3), true, false);
        break;
    case 15:                            /* fmv.x.w/d, fclass */
        in = opfp(0x70 | fmt, 0, pick(2), true, false);
        break;
    case 16:                            /* fmv.w.x, fmv.d.x */
        in = opfp(0x78 | fmt, 0, 0, false, true);
        break;
    case 17: case 18:                   /* flw/fld, fsw/fsd off x15 */
        off = fmt ? pick(DATA_BYTES / 8) * 8 : pick(DATA_BYTES / 4) * 4;
        r = freg();
        if (pick(2)) {
            in = off << 20 | 15 << 15 | (2 + fmt) << 12 | r << 7 | 0x07;
        } else {
            in = (off >> 5) << 25 | r << 20 | 15 << 15 | (2 + fmt) << 12 |
                 (off & 31) << 7 | 0x27;
        }
        break;
    case 19: {                          /* c.fld / c.fsd off x15 */
        unsigned rp = pick(8);

        off = pick(32) * 8;
        p[0] = (pick(2) ? 0xa000 : 0x2000) | ((off >> 3) & 7) << 10 |
               7 << 7 | (off >> 6) << 5 | rp << 2;
        return 1;
    }
    case 20:                            /* frflags / fsflags (csrrw) */
        r = xreg();
        in = pick(2) ? (0x001u << 20 | 0 << 15 | 2 << 12 | r << 7 | 0x73)
                     : (0x001u << 20 | pick(32) << 15 | 5 << 12 | r << 7 |
                        0x73);
        break;
    default:                            /* more arithmetic */
        in = opfp(pick(4) << 2 | fmt, 32, 8, false, false);
        break;
    }
    p[0] = in;
    p[1] = in >> 16;
    return 2;
}

static uint64_t hash;

static void fold(uint64_t v)
{
    hash ^= v;
    hash *= 0x100000001b3ULL;
    hash ^= hash >> 29;
}

int main(void)
{
    fp_enable();
    for (unsigned prog = 1; prog <= PROGRAMS; prog++) {
        unsigned pos = 0, frm = pick(5);

        /* Every fourth program: round-to-nearest-max-magnitude ties. */
        focus = prog % 4 == 0;
        if (focus) {
            frm = 4;
        }

        for (unsigned i = 0; i < INSNS; i++) {
            pos += gen(&code[pos]);
        }
        code[pos++] = 0x8082;           /* c.ret */
        code_sync();
        for (unsigned i = 0; i < 32; i++) {
            st.f[i] = fval();
        }
        for (unsigned i = 0; i < 10; i++) {
            st.x[i] = xval();
        }
        st.x[10] = (uint64_t)(uintptr_t)data;
        for (unsigned i = 0; i < DATA_BYTES / 8; i++) {
            data[i] = fval();
        }
        csr_write(fcsr, frm << 5);
        fp_call(&st, code);
        for (unsigned i = 0; i < 32; i++) {
            fold(st.f[i]);
        }
        for (unsigned i = 0; i < 10; i++) {
            fold(st.x[i]);
        }
        for (unsigned i = 0; i < DATA_BYTES / 8; i++) {
            fold(data[i]);
        }
        fold(csr_read(fcsr));
        fold(csr_read(mstatus) & (MSTATUS_FS | MSTATUS_SD));
        /* Clean: an FP write must make it dirty again. */
        csr_clear(mstatus, MSTATUS_FS);
        csr_set(mstatus, 2UL << 13);
        if (prog % 25 == 0) {
            printf("fpfuzz %u: %lx\n", prog, hash);
        }
    }
    puts("fpfuzz: done");
    return 0;
}
