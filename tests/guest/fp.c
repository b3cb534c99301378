/*
 * fp: the F and D extensions, one behaviour per line, each printed with
 * its result bits and fflags so that the transcript reads as a table:
 * rounding modes (static, dynamic, RMM ties), exceptions, canonical NaNs,
 * NaN-boxing, IEEE 754-2019 min/max, signalling compares, fclass, the
 * saturating conversions, fcsr/frm/fflags, mstatus.FS/SD and the traps
 * for FS=Off and invalid rounding modes, the compressed FP loads and
 * stores.  QEMU's output is the reference (expected/fp.out).
 */
#include "fprun.h"

static uint32_t code[4] __attribute__((aligned(16)));
static FPState st;
static volatile unsigned long trap_cause, trap_tval, ntraps;

#define S(v)    (0xffffffff00000000ULL | (uint32_t)(v))

/* The runtime has no snprintf: %s and %x are all the names need. */
static void snprintf_lite(char *buf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (fmt[0] == '%' && fmt[1] == 's') {
            for (const char *p = va_arg(ap, const char *); *p; p++) {
                *buf++ = *p;
            }
            fmt++;
        } else if (fmt[0] == '%' && fmt[1] == 'x') {
            unsigned v = va_arg(ap, unsigned);
            int sh = 28;

            while (sh > 0 && !(v >> sh)) {
                sh -= 4;
            }
            for (; sh >= 0; sh -= 4) {
                *buf++ = "0123456789abcdef"[(v >> sh) & 15];
            }
            fmt++;
        } else {
            *buf++ = *fmt;
        }
    }
    *buf = 0;
    va_end(ap);
}

/* Record the trap and step over the instruction (4 or 2 bytes). */
void m_trap(struct trapframe *tf)
{
    trap_cause = tf->cause;
    trap_tval = tf->tval;
    ntraps++;
    tf->epc += (*(uint16_t *)tf->epc & 3) == 3 ? 4 : 2;
}

/* OP-FP: funct7, rs2 field, rm/funct3; rd = 3 (f3 or x13), rs1 = 1. */
static uint32_t opfp(unsigned f7, unsigned rs2, unsigned rm, bool xd,
                     bool xs)
{
    return f7 << 25 | rs2 << 20 | (xs ? 11u : 1u) << 15 | rm << 12 |
           (xd ? 13u : 3u) << 7 | 0x53;
}

/* Run @insn with f1 = a, f2 = b, f4 = c, x11 = xa, fcsr = frm << 5. */
static void run(const char *name, uint32_t insn, uint64_t a, uint64_t b,
                uint64_t c, uint64_t xa, unsigned frm, bool xd)
{
    unsigned long n = ntraps, flags;

    code[0] = insn;
    code[1] = 0x00008067;               /* ret */
    code_sync();
    st.f[1] = a;
    st.f[2] = b;
    st.f[4] = c;
    st.f[3] = 0x5555555555555555ULL;
    st.x[8] = 0x5555555555555555ULL;    /* x13 */
    st.x[6] = xa;                       /* x11 */
    csr_write(fcsr, frm << 5);
    fp_call(&st, code);
    flags = csr_read(fflags);
    if (ntraps != n) {
        printf("%-28s trap cause %lu tval %lx\n", name, trap_cause,
               trap_tval);
        return;
    }
    printf("%-28s %016lx fflags %02lx\n", name, xd ? st.x[8] : st.f[3],
           flags);
}

#define R(f7, rm)       opfp(f7, 2, rm, false, false)
#define FMA(opc, fmt, rm) \
    (4u << 27 | (fmt) << 25 | 2u << 20 | 1u << 15 | (rm) << 12 | 3u << 7 | \
     (opc))

static void arithmetic(void)
{
    static const char *const rmn[5] = { "rne", "rtz", "rdn", "rup", "rmm" };
    char name[40];

    puts("-- arithmetic and rounding");
    for (unsigned rm = 0; rm < 5; rm++) {
        /* 1 + 2^-24: a tie in single precision. */
        snprintf_lite(name, "fadd.s tie %s", rmn[rm]);
        run(name, R(0x00, rm), S(0x3f800000), S(0x33800000), 0, 0, 0, false);
        snprintf_lite(name, "fadd.d tie neg %s", rmn[rm]);
        run(name, R(0x01, rm), 0xbff0000000000000ULL, 0xbca0000000000000ULL,
            0, 0, 0, false);
        snprintf_lite(name, "fmul.s ovf %s", rmn[rm]);
        run(name, R(0x08, rm), S(0x7f7fffff), S(0x40000000), 0, 0, 0, false);
        snprintf_lite(name, "fmul.s tiny %s", rmn[rm]);
        run(name, R(0x08, rm), S(0x3f7ffffe), S(0x00800001), 0, 0, 0, false);
        snprintf_lite(name, "fdiv.s subnormal tie %s", rmn[rm]);
        run(name, R(0x0c, rm), S(0x00800000), S(0x4b800000), 0, 0, 0, false);
        snprintf_lite(name, "fdiv.d subnormal tie %s", rmn[rm]);
        run(name, R(0x0d, rm), 0x0010000000000000ULL, 0x4340000000000000ULL,
            0, 0, 0, false);
        snprintf_lite(name, "fmul.d tie %s", rmn[rm]);
        run(name, R(0x09, rm), 0x3ff0000004000000ULL, 0x3ff0000002000000ULL,
            0, 0, 0, false);
        snprintf_lite(name, "fmadd.s tie %s", rmn[rm]);
        run(name, FMA(0x43, 0, rm), S(0x3f800800), S(0x3f800800),
            S(0x80000000), 0, 0, false);
        snprintf_lite(name, "fsub.d exact zero %s", rmn[rm]);
        run(name, R(0x05, rm), 0x3ff0000000000000ULL, 0x3ff0000000000000ULL,
            0, 0, 0, false);
    }
    run("fadd.s dyn frm=rup", R(0x00, 7), S(0x3f800000), S(0x33800000), 0,
        0, 3, false);
    run("fadd.s dyn frm=rmm", R(0x00, 7), S(0x3f800000), S(0x33800000), 0,
        0, 4, false);
    run("fdiv.s 1/0", R(0x0c, 0), S(0x3f800000), S(0), 0, 0, 0, false);
    run("fdiv.d 0/0", R(0x0d, 0), 0, 0, 0, 0, 0, false);
    run("fsqrt.s -1", opfp(0x2c, 0, 0, false, false), S(0xbf800000), 0, 0, 0,
        0, false);
    run("fsqrt.d -0", opfp(0x2d, 0, 0, false, false), 1ULL << 63, 0, 0, 0, 0,
        false);
    run("fsqrt.d 2", opfp(0x2d, 0, 0, false, false), 0x4000000000000000ULL,
        0, 0, 0, 0, false);
    run("fadd.s snan", R(0x00, 0), S(0x7f800001), S(0x3f800000), 0, 0, 0,
        false);
    run("fadd.d qnan payload", R(0x01, 0), 0xfff8000000001234ULL,
        0x3ff0000000000000ULL, 0, 0, 0, false);
    run("fadd.d inf-inf", R(0x01, 0), 0x7ff0000000000000ULL,
        0xfff0000000000000ULL, 0, 0, 0, false);
    run("fmadd.d inf*0+qnan", FMA(0x43, 1, 0), 0x7ff0000000000000ULL, 0,
        0x7ff8000000000000ULL, 0, 0, false);
    run("fmsub.s 2*3-1", FMA(0x47, 0, 0), S(0x40000000), S(0x40400000),
        S(0x3f800000), 0, 0, false);
    run("fnmsub.s 2*3-1", FMA(0x4b, 0, 0), S(0x40000000), S(0x40400000),
        S(0x3f800000), 0, 0, false);
    run("fnmadd.d 2*3+1", FMA(0x4f, 1, 0), 0x4000000000000000ULL,
        0x4008000000000000ULL, 0x3ff0000000000000ULL, 0, 0, false);
    run("fmadd.d single rounding", FMA(0x43, 1, 0), 0x3ff0000000000001ULL,
        0x3ff0000000000001ULL, 0xbff0000000000002ULL, 0, 0, false);
}

static void nanbox(void)
{
    puts("-- NaN-boxing");
    run("fadd.s non-boxed", R(0x00, 0), 0x000000003f800000ULL, S(0x3f800000),
        0, 0, 0, false);
    run("fsgnj.s non-boxed", R(0x10, 0), 0x123456783f800000ULL, S(0),
        0, 0, 0, false);
    run("fmv.x.w non-boxed", opfp(0x70, 0, 0, true, false),
        0x00000000bf800000ULL, 0, 0, 0, 0, true);
    run("fclass.s non-boxed", opfp(0x70, 0, 1, true, false),
        0xfffffffe3f800000ULL, 0, 0, 0, 0, true);
    run("fmv.w.x", opfp(0x78, 0, 0, false, true), 0, 0, 0,
        0x12345678bf800000ULL, 0, false);
    run("fcvt.d.s non-boxed", opfp(0x21, 0, 0, false, false),
        0x3f800000ULL, 0, 0, 0, 0, false);
    run("fcvt.s.d 1/3", opfp(0x20, 1, 0, false, false),
        0x3fd5555555555555ULL, 0, 0, 0, 0, false);
}

static void minmax_cmp_class(void)
{
    static const uint32_t cls[] = {
        0xff800000, 0xbf800000, 0x807fffff, 0x80000000, 0x00000000,
        0x00000001, 0x3f800000, 0x7f800000, 0x7f800001, 0x7fc00000,
    };

    puts("-- min, max, compares, fclass");
    run("fmin.s -0 +0", R(0x14, 0), S(0), S(0x80000000), 0, 0, 0, false);
    run("fmax.s -0 +0", R(0x14, 1), S(0x80000000), S(0), 0, 0, 0, false);
    run("fmin.d qnan 1", R(0x15, 0), 0x7ff8000000000000ULL,
        0x3ff0000000000000ULL, 0, 0, 0, false);
    run("fmax.d snan 1", R(0x15, 1), 0x7ff0000000000001ULL,
        0x3ff0000000000000ULL, 0, 0, 0, false);
    run("fmin.s nan nan", R(0x14, 0), S(0x7fc01234), S(0xff800001), 0, 0, 0,
        false);
    run("feq.s qnan", opfp(0x50, 2, 2, true, false), S(0x7fc00000),
        S(0x3f800000), 0, 0, 0, true);
    run("feq.d snan", opfp(0x51, 2, 2, true, false), 0x7ff0000000000001ULL,
        0, 0, 0, 0, true);
    run("flt.s qnan", opfp(0x50, 2, 1, true, false), S(0x7fc00000),
        S(0x3f800000), 0, 0, 0, true);
    run("fle.d -0 +0", opfp(0x51, 2, 0, true, false), 1ULL << 63, 0, 0, 0, 0,
        true);
    run("flt.d -0 +0", opfp(0x51, 2, 1, true, false), 1ULL << 63, 0, 0, 0, 0,
        true);
    for (unsigned i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
        char name[40];

        snprintf_lite(name, "fclass.s %x", cls[i]);
        run(name, opfp(0x70, 0, 1, true, false), S(cls[i]), 0, 0, 0, 0, true);
    }
    run("fclass.d subnormal", opfp(0x71, 0, 1, true, false), 1, 0, 0, 0, 0,
        true);
}

static void conversions(void)
{
    static const struct {
        const char *name;
        unsigned f7, rs2, rm;
        uint64_t v;
    } to_int[] = {
        { "fcvt.w.s nan", 0x60, 0, 0, S(0x7fc00000) },
        { "fcvt.w.s -nan", 0x60, 0, 0, S(0xffc00000) },
        { "fcvt.w.s 2^31", 0x60, 0, 0, S(0x4f000000) },
        { "fcvt.w.s -2^31", 0x60, 0, 0, S(0xcf000000) },
        { "fcvt.w.s -inf", 0x60, 0, 0, S(0xff800000) },
        { "fcvt.w.s 1.5 rne", 0x60, 0, 0, S(0x3fc00000) },
        { "fcvt.w.s 2.5 rne", 0x60, 0, 0, S(0x40200000) },
        { "fcvt.w.s 2.5 rmm", 0x60, 0, 4, S(0x40200000) },
        { "fcvt.w.s -1.5 rdn", 0x60, 0, 2, S(0xbfc00000) },
        { "fcvt.w.s -1.5 rtz", 0x60, 0, 1, S(0xbfc00000) },
        { "fcvt.w.s -1.5 rup", 0x60, 0, 3, S(0xbfc00000) },
        { "fcvt.wu.s -1", 0x60, 1, 0, S(0xbf800000) },
        { "fcvt.wu.s -0.5 rne", 0x60, 1, 0, S(0xbf000000) },
        { "fcvt.wu.s -0.5 rmm", 0x60, 1, 4, S(0xbf000000) },
        { "fcvt.wu.s 2^32", 0x60, 1, 0, S(0x4f800000) },
        { "fcvt.wu.s 3e9", 0x60, 1, 0, S(0x4f32d05e) },
        { "fcvt.wu.s nan", 0x60, 1, 0, S(0x7fc00000) },
        { "fcvt.l.s 2^63", 0x60, 2, 0, S(0x5f000000) },
        { "fcvt.lu.s 2^64", 0x60, 3, 0, S(0x5f800000) },
        { "fcvt.w.d 2147483647.5", 0x61, 0, 0, 0x41dfffffffe00000ULL },
        { "fcvt.w.d 2147483647.5 rtz", 0x61, 0, 1, 0x41dfffffffe00000ULL },
        { "fcvt.w.d -2147483648.5", 0x61, 0, 0, 0xc1e0000000100000ULL },
        { "fcvt.wu.d 4294967295.4", 0x61, 1, 0, 0x41efffffffeccccdULL },
        { "fcvt.l.d 2^63", 0x61, 2, 0, 0x43e0000000000000ULL },
        { "fcvt.l.d -2^63", 0x61, 2, 0, 0xc3e0000000000000ULL },
        { "fcvt.l.d nan", 0x61, 2, 0, 0x7ff8000000000000ULL },
        { "fcvt.lu.d -0", 0x61, 3, 0, 1ULL << 63 },
        { "fcvt.lu.d 2^64-2048", 0x61, 3, 0, 0x43efffffffffffffULL },
        { "fcvt.lu.d inf", 0x61, 3, 0, 0x7ff0000000000000ULL },
        { "fcvt.lu.d -inf", 0x61, 3, 0, 0xfff0000000000000ULL },
    };
    static const struct {
        const char *name;
        unsigned f7, rs2, rm;
        uint64_t x;
    } from_int[] = {
        { "fcvt.s.w 2^24+1 rne", 0x68, 0, 0, 0x1000001 },
        { "fcvt.s.w 2^24+1 rup", 0x68, 0, 3, 0x1000001 },
        { "fcvt.s.w 2^24+1 rmm", 0x68, 0, 4, 0x1000001 },
        { "fcvt.s.w -2^24-1 rmm", 0x68, 0, 4, -0x1000001ULL },
        { "fcvt.s.wu 0xffffffff", 0x68, 1, 0, 0xffffffffULL },
        { "fcvt.s.l -1", 0x68, 2, 0, -1ULL },
        { "fcvt.s.lu 2^64-1 rtz", 0x68, 3, 1, -1ULL },
        { "fcvt.s.lu 2^64-1 rup", 0x68, 3, 3, -1ULL },
        { "fcvt.d.w int32 min", 0x69, 0, 0, 0x80000000ULL },
        { "fcvt.d.wu 0x80000000", 0x69, 1, 0, 0xffffffff80000000ULL },
        { "fcvt.d.l 2^53+1 rmm", 0x69, 2, 4, 0x20000000000001ULL },
        { "fcvt.d.l 2^53+1 rne", 0x69, 2, 0, 0x20000000000001ULL },
        { "fcvt.d.lu 2^64-1 rne", 0x69, 3, 0, -1ULL },
        { "fcvt.d.lu 2^63+1025 rmm", 0x69, 3, 4, 0x8000000000000400ULL },
    };

    puts("-- conversions");
    for (unsigned i = 0; i < sizeof(to_int) / sizeof(to_int[0]); i++) {
        run(to_int[i].name, opfp(to_int[i].f7, to_int[i].rs2, to_int[i].rm,
                                 true, false), to_int[i].v, 0, 0, 0, 0, true);
    }
    for (unsigned i = 0; i < sizeof(from_int) / sizeof(from_int[0]); i++) {
        run(from_int[i].name, opfp(from_int[i].f7, from_int[i].rs2,
                                   from_int[i].rm, false, true),
            0, 0, 0, from_int[i].x, 0, false);
    }
    run("fcvt.s.d tie rne", opfp(0x20, 1, 0, false, false),
        0x3ff0000010000000ULL, 0, 0, 0, 0, false);
    run("fcvt.s.d tie rmm", opfp(0x20, 1, 4, false, false),
        0x3ff0000010000000ULL, 0, 0, 0, 0, false);
    run("fcvt.s.d ovf rtz", opfp(0x20, 1, 1, false, false),
        0x47f0000000000000ULL, 0, 0, 0, 0, false);
    run("fcvt.s.d underflow", opfp(0x20, 1, 0, false, false),
        0x36a0000000000000ULL, 0, 0, 0, 0, false);
    run("fcvt.s.d nan", opfp(0x20, 1, 0, false, false),
        0x7ff0000000000123ULL, 0, 0, 0, 0, false);
    run("fcvt.d.s snan", opfp(0x21, 0, 0, false, false), S(0x7f800001), 0, 0,
        0, 0, false);
    run("fmv.x.d", opfp(0x71, 0, 0, true, false), 0x7ff0000000000123ULL, 0,
        0, 0, 0, true);
    run("fmv.d.x", opfp(0x79, 0, 0, false, true), 0, 0, 0,
        0x7ff0000000000123ULL, 0, false);
}

static void illegal(void)
{
    puts("-- rounding mode and FS traps");
    run("fadd.s rm=5", R(0x00, 5), 0, 0, 0, 0, 0, false);
    run("fadd.s rm=6", R(0x00, 6), 0, 0, 0, 0, 0, false);
    run("fadd.d dyn frm=5", R(0x01, 7), 0, 0, 0, 0, 5, false);
    run("fcvt.d.s dyn frm=7", opfp(0x21, 0, 7, false, false), 0, 0, 0, 0, 7,
        false);
    run("fsgnj.d frm=7 (no rm)", R(0x11, 0), 0, 1ULL << 63, 0, 0, 7, false);
    run("fmin.s funct3=2", R(0x14, 2), 0, 0, 0, 0, 0, false);
    run("fadd.h (fmt 2, no Zfh)", R(0x02, 0), 0, 0, 0, 0, 0, false);
    run("fsqrt.d rs2=1", opfp(0x2d, 1, 0, false, false), 0, 0, 0, 0, 0,
        false);
    run("fcvt.s.d rs2=0", opfp(0x20, 0, 0, false, false), 0, 0, 0, 0, 0,
        false);
    run("fmv.x.d rm=1 is fclass.d", opfp(0x71, 0, 1, true, false), 0, 0, 0,
        0, 0, true);
    run("fmv.x.d rm=2", opfp(0x71, 0, 2, true, false), 0, 0, 0, 0, 0, true);
    run("fcvt.w.d rs2=4", opfp(0x61, 4, 0, true, false), 0, 0, 0, 0, 0,
        true);
}

/* mstatus.FS and SD, as read from mstatus and sstatus. */
static void show_fs(const char *what)
{
    unsigned long m = csr_read(mstatus), s = csr_read(sstatus);

    printf("%-28s mstatus.FS %lu SD %lu sstatus.FS %lu SD %lu\n", what,
           (m >> 13) & 3, m >> 63, (s >> 13) & 3, s >> 63);
}

static void set_fs(unsigned fs)
{
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, (unsigned long)fs << 13);
}

static uint64_t buf[4];

static void fs_states(void)
{
    unsigned long n;

    puts("-- mstatus.FS");
    set_fs(1);
    show_fs("initial");
    run("fadd.d under Initial", R(0x01, 0), 0, 0, 0, 0, 0, false);
    show_fs("after fadd.d");
    set_fs(2);
    __asm__ volatile("feq.d t0, f1, f2" : : : "t0");
    show_fs("after feq.d (x dest)");
    set_fs(2);
    __asm__ volatile("fsd f1, 0(%0)" : : "r"(buf) : "memory");
    show_fs("after fsd");
    __asm__ volatile("fld f1, 0(%0)" : : "r"(buf) : "memory");
    show_fs("after fld");
    set_fs(2);
    __asm__ volatile("csrr t0, fflags" : : : "t0");
    show_fs("after csrr fflags");
    __asm__ volatile("csrwi fflags, 0");
    show_fs("after csrw fflags");
    set_fs(1);
    csr_write(sstatus, csr_read(sstatus) | (3UL << 13));
    show_fs("sstatus.FS := 3");

    set_fs(0);
    show_fs("off");
    n = ntraps;
    __asm__ volatile("fadd.d f1, f2, f3");
    printf("fadd.d off: traps %lu cause %lu tval %lx\n", ntraps - n,
           trap_cause, trap_tval);
    __asm__ volatile("csrr t0, fcsr" : : : "t0");
    printf("csrr fcsr off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile("flw f9, 12(%0)" : : "r"(buf) : "memory");
    printf("flw off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile("fsd f9, -8(%0)" : : "r"(buf + 1) : "memory");
    printf("fsd off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile(".option push\n.option rvc\nc.fld f9, 8(a0)\n"
                     ".option pop" : : : "memory");
    printf("c.fld off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile(".option push\n.option rvc\nc.fsdsp f9, 16(sp)\n"
                     ".option pop" : : : "memory");
    printf("c.fsdsp off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile(".option push\n.option rvc\nc.fldsp f9, 24(sp)\n"
                     ".option pop" : : : "memory");
    printf("c.fldsp off: cause %lu tval %lx\n", trap_cause, trap_tval);
    __asm__ volatile("fmv.x.w t0, f1" : : : "t0");
    printf("fmv.x.w off: cause %lu tval %lx traps %lu\n", trap_cause,
           trap_tval, ntraps - n);
    set_fs(3);
}

static void compressed_mem(void)
{
    uint64_t out[4] = { 0, 0, 0, 0 };
    uint64_t in[2] = { 0x400921fb54442d18ULL, 0xffffffff40490fdbULL };

    puts("-- c.fld c.fsd c.fldsp c.fsdsp, flw boxing, fsw raw");
    __asm__ volatile(
        "mv a4, %0\n"
        "mv a5, %1\n"
        ".option push\n.option rvc\n"
        "c.fld f8, 0(a4)\n"
        "c.fld f9, 8(a4)\n"
        "c.fsd f9, 0(a5)\n"
        "addi sp, sp, -32\n"
        "c.fsdsp f8, 16(sp)\n"
        "c.fldsp f10, 16(sp)\n"
        "addi sp, sp, 32\n"
        "fsd f10, 8(a5)\n"
        "flw f11, 0(a4)\n"
        "fsd f11, 16(a5)\n"
        "fsw f8, 24(a5)\n"
        ".option pop\n"
        : : "r"(in), "r"(out) : "a4", "a5", "memory");
    for (unsigned i = 0; i < 4; i++) {
        printf("mem[%u] %016lx\n", i, out[i]);
    }
}

int main(void)
{
    fp_enable();
    arithmetic();
    nanbox();
    minmax_cmp_class();
    conversions();
    illegal();
    fs_states();
    compressed_mem();
    printf("fcsr %lx frm %lx\n", csr_read(fcsr), csr_read(frm));
    csr_write(fcsr, 0xff);
    printf("fcsr := 0xff: fflags %lx frm %lx fcsr %lx\n", csr_read(fflags),
           csr_read(frm), csr_read(fcsr));
    csr_write(frm, 0xd);
    printf("frm := 0xd: frm %lx fcsr %lx\n", csr_read(frm), csr_read(fcsr));
    puts("fp: done");
    return 0;
}
