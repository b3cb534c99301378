/*
 * compressed: the RVC (C extension) instructions, each written explicitly,
 * a 32-bit instruction at a 2-mod-4 address, one that straddles a page
 * boundary, and C code compiled for rv64imac (which gcc fills with
 * compressed instructions) computing checksums.
 */
#include "runtime.h"

static int fails;

static void check(const char *what, long got, long want)
{
    printf("%-28s = 0x%016lx %s\n", what, got, got == want ? "ok" : "MISMATCH");
    fails += got != want;
}

/* one compressed instruction on a0 (rd = rs1 = a0, a1 as second operand) */
#define C1(name, body) \
    static long name(long x, long y) \
    { \
        register long a0 __asm__("a0") = x; \
        register long a1 __asm__("a1") = y; \
        __asm__ volatile(body : "+r"(a0), "+r"(a1) :: "ra", "memory"); \
        return a0; \
    }

C1(c_li, "c.li a0, -32")
C1(c_lui, "c.lui a0, 0xfffff")
C1(c_lui2, "c.lui a0, 0x1f")
C1(c_addi, "c.addi a0, -1")
C1(c_addiw, "c.addiw a0, 1")
C1(c_slli, "c.slli a0, 63")
C1(c_srli, "c.srli a0, 60")
C1(c_srai, "c.srai a0, 60")
C1(c_andi, "c.andi a0, -16")
C1(c_mv, "c.mv a0, a1")
C1(c_add, "c.add a0, a1")
C1(c_sub, "c.sub a0, a1")
C1(c_xor, "c.xor a0, a1")
C1(c_or, "c.or a0, a1")
C1(c_and, "c.and a0, a1")
C1(c_addw, "c.addw a0, a1")
C1(c_subw, "c.subw a0, a1")
C1(c_beqz, "c.beqz a0, 1f\n\tc.li a1, 0\n\tc.li a0, 7\n\tc.j 2f\n1:\tc.li a0, 9\n2:")
C1(c_bnez, "c.bnez a0, 1f\n\tc.li a0, 7\n\tc.j 2f\n1:\tc.li a0, 9\n2:")
/* c.addi16sp / c.addi4spn / stack-relative loads and stores */
C1(c_sp, "c.addi16sp sp, -64\n\t"
         "c.addi4spn a1, sp, 16\n\t"    /* a1 = sp + 16 */
         "c.sdsp a0, 16(sp)\n\t"
         "c.ld a0, 0(a1)\n\t"
         "c.swsp a0, 8(sp)\n\t"
         "c.lwsp a1, 8(sp)\n\t"
         "c.add a0, a1\n\t"
         "c.addi16sp sp, 64")
C1(c_mem, "c.addi16sp sp, -32\n\t"
          "c.mv a1, sp\n\t"
          "c.sd a0, 8(a1)\n\t"
          "c.sw a0, 16(a1)\n\t"
          "c.lw a0, 16(a1)\n\t"         /* sign-extends */
          "c.ld a1, 8(a1)\n\t"
          "c.sub a0, a1\n\t"
          "c.addi16sp sp, 32")
/* c.jal does not exist on RV64; c.jalr/c.jr do */
C1(c_jalr, "la a1, 1f\n\t"
           "c.jalr a1\n\t"
           "c.addi a0, 1\n\t"
           "c.j 2f\n"
           "1:\tc.addi a0, 4\n\t"
           "c.jr ra\n"
           "2:")

/* a 32-bit instruction at an address that is 2 mod 4 */
__asm__(".text\n"
        ".balign 4\n"
        "odd_fn:\n"
        "   c.nop\n"
        ".option push\n.option norvc\n"
        "   addi a0, a0, 100\n"         /* at odd_fn + 2 */
        ".option pop\n"
        "   c.addi a0, 1\n"
        "   ret\n");

/* a 32-bit instruction straddling a 4 KiB page boundary */
__asm__(".section .text.cross, \"ax\"\n"
        ".balign 4096\n"
        ".skip 4096 - 6\n"
        "cross_fn:\n"                   /* page end - 6 */
        "   c.li a5, 3\n"
        "   c.add a0, a5\n"
        ".option push\n.option norvc\n"
        "   addi a0, a0, 1000\n"        /* page end - 2 .. page end + 2 */
        ".option pop\n"
        "   c.slli a0, 1\n"
        "   ret\n"
        ".text\n");

long odd_fn(long);
long cross_fn(long);

/* ordinary C, compiled with -march=rv64imac */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = ~0u;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static unsigned sieve_sum(unsigned n)
{
    static uint8_t composite[2000];
    unsigned sum = 0;
    for (unsigned i = 2; i < n; i++) {
        if (!composite[i]) {
            sum += i;
            for (unsigned j = i * i; j < n; j += i) {
                composite[j] = 1;
            }
        }
    }
    return sum;
}

static void insertion_sort(int32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static int has_compressed(const void *fn, int bytes)
{
    const uint16_t *p = fn;
    for (int off = 0; off < bytes / 2;) {
        if ((p[off] & 3) != 3) {
            return 1;
        }
        off += 2;
    }
    return 0;
}

int main(void)
{
    puts("compressed: RVC instructions");
    check("c.li -32", c_li(0, 0), -32);
    check("c.lui 0xfffff", c_lui(0, 0), (long)0xfffffffffffff000UL);
    check("c.lui 0x1f", c_lui2(0, 0), 0x1f000);
    check("c.addi -1", c_addi(0, 0), -1);
    check("c.addiw 0x7fffffff+1", c_addiw(0x7fffffff, 0), (long)0xffffffff80000000UL);
    check("c.slli 1,63", c_slli(1, 0), (long)0x8000000000000000UL);
    check("c.srli MIN64,60", c_srli((long)0x8000000000000000UL, 0), 8);
    check("c.srai MIN64,60", c_srai((long)0x8000000000000000UL, 0), -8);
    check("c.andi 0x1234,-16", c_andi(0x1234, 0), 0x1230);
    check("c.mv", c_mv(1, 0x5a5a), 0x5a5a);
    check("c.add", c_add(40, 2), 42);
    check("c.sub 0-1", c_sub(0, 1), -1);
    check("c.xor", c_xor(0xff00, 0x0ff0), 0xf0f0);
    check("c.or", c_or(0xff00, 0x0ff0), 0xfff0);
    check("c.and", c_and(0xff00, 0x0ff0), 0x0f00);
    check("c.addw 0x7fffffff+1", c_addw(0x7fffffff, 1), (long)0xffffffff80000000UL);
    check("c.subw hi-garbage", c_subw(0x500000003L, 1), 2);
    check("c.beqz taken", c_beqz(0, 0), 9);
    check("c.beqz not taken", c_beqz(1, 0), 7);
    check("c.bnez taken", c_bnez(5, 0), 9);
    check("c.bnez not taken", c_bnez(0, 0), 7);
    check("c.addi16sp/4spn/sdsp/lwsp", c_sp(0x100000001L, 0), 0x100000002L);
    check("c.sd/c.sw/c.lw/c.ld", c_mem(0x80000000L, 0), (long)0xffffffff00000000UL);
    check("c.jalr/c.jr", c_jalr(10, 0), 15);
    check("32-bit insn at 2 mod 4", odd_fn(1), 102);
    check("32-bit insn across a page", cross_fn(1), 2008);

    puts("-- C code compiled for rv64imac");
    static const char text[] = "The quick brown fox jumps over the lazy dog";
    check("crc32(quick brown fox)", crc32((const uint8_t *)text, sizeof(text) - 1),
          0x414fa339);
    check("sum of primes < 2000", sieve_sum(2000), 277050);
    int32_t a[10] = { 5, -3, 99, 0, -100, 42, 7, 7, 1, -1 };
    insertion_sort(a, 10);
    long h = 0;
    for (int i = 0; i < 10; i++) {
        h = h * 31 + a[i];
    }
    printf("sorted:");
    for (int i = 0; i < 10; i++) {
        printf(" %d", a[i]);
    }
    printf("\n");
    check("hash of sorted array", h, (long)0xfff698fa709ff27fUL);
    printf("crc32 code uses compressed instructions: %s\n",
           has_compressed((const void *)crc32, 32) ? "yes" : "no");
    printf("compressed: %d mismatches\n", fails);
    return fails;
}
