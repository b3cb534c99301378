/*
 * svx: Sv39, Sv48 and Sv57 page-table walks, as S-mode loads and stores
 * see them (M-mode with mstatus.MPRV and MPP = S, one instruction at a
 * time; a fault comes back to M-mode and is reported).
 *
 * For each mode: a leaf at every level (4 KiB page up to the root's
 * 1 GiB / 512 GiB / 256 TiB page), a mapping in the upper (negative) half
 * and its non-canonical twin, a misaligned superpage, A and D set by the
 * walk, a store to a read-only page, reserved PTE bits (Svpbmt, Svnapot
 * are off), a non-leaf PTE with A set, a non-leaf PTE pointing outside
 * RAM, and satp's WARL mode field.  Everything printed is an address the
 * program chose, a constant or a trap cause.
 */
#include "runtime.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define PTE(pa, flags) ((((uintptr_t)(pa)) >> 12) << 10 | (flags))

#define NTABLES 24
static uint64_t pool[NTABLES][512] __attribute__((aligned(4096)));
static unsigned used;
static volatile uint64_t target[512] __attribute__((aligned(4096))) = {
    0x5afe5afe12345678UL, 0x1111, 0x2222,
};
static volatile unsigned long p_cause, p_tval;
static int fails;

void m_trap(struct trapframe *tf)
{
    p_cause = tf->cause;
    p_tval = tf->tval;
    tf->epc += 4;
    /* Back to plain M-mode accesses. */
    tf->status = (tf->status & ~(unsigned long)(MSTATUS_MPRV | MSTATUS_MPP)) |
                 MSTATUS_MPP;
}

static void s_data(void)
{
    unsigned long st = csr_read(mstatus);

    st &= ~(unsigned long)(MSTATUS_MPP | MSTATUS_MPRV);
    csr_write(mstatus, st | MSTATUS_MPP_S);
    /* The tables changed since the last probe. */
    __asm__ volatile("sfence.vma" ::: "memory");
}

static unsigned long load(uintptr_t va, unsigned long *v)
{
    unsigned long val = 0;

    p_cause = 0;
    s_data();
    __asm__ volatile(".option push\n.option norvc\n"
                     "csrs mstatus, %[mprv]\n"
                     "ld %[val], 0(%[va])\n"
                     "csrc mstatus, %[mprv]\n"
                     ".option pop"
                     : [val] "+r"(val)
                     : [va] "r"(va), [mprv] "r"(MSTATUS_MPRV)
                     : "memory");
    *v = val;
    return p_cause;
}

static unsigned long store(uintptr_t va, unsigned long val)
{
    p_cause = 0;
    s_data();
    __asm__ volatile(".option push\n.option norvc\n"
                     "csrs mstatus, %[mprv]\n"
                     "sd %[val], 0(%[va])\n"
                     "csrc mstatus, %[mprv]\n"
                     ".option pop"
                     :: [val] "r"(val), [va] "r"(va),
                        [mprv] "r"(MSTATUS_MPRV)
                     : "memory");
    return p_cause;
}

static uint64_t *new_table(void)
{
    uint64_t *t = pool[used++];

    memset(t, 0, 4096);
    return t;
}

static void check_load(const char *what, uintptr_t va, unsigned long want)
{
    unsigned long v, c = load(va, &v);

    if (c) {
        printf("  %s: load 0x%lx: cause %lu tval 0x%lx\n", what, va, c,
               p_tval);
    } else {
        printf("  %s: load 0x%lx = 0x%lx%s\n", what, va, v,
               v == want ? "" : " MISMATCH");
        fails += v != want;
    }
}

static void check_fault(const char *what, uintptr_t va, int is_store)
{
    unsigned long v, c = is_store ? store(va, 1) : load(va, &v);

    printf("  %s: %s 0x%lx: cause %lu tval 0x%lx\n", what,
           is_store ? "store" : "load", va, c, p_tval);
}

/* Sign-extend a va_bits wide address. */
static uintptr_t canon(uintptr_t va, unsigned va_bits)
{
    return (uintptr_t)((long)(va << (64 - va_bits)) >> (64 - va_bits));
}

static void run_mode(unsigned mode)
{
    unsigned levels = mode - 8 + 3;
    unsigned va_bits = 12 + 9 * levels;
    unsigned top_shift = 12 + 9 * (levels - 1);
    uintptr_t tpa = (uintptr_t)target;
    uint64_t *root, *t;
    unsigned k, i;
    uintptr_t va, base;
    unsigned long v, c;

    used = 0;
    root = new_table();
    csr_write(satp, ((unsigned long)mode << 60) | ((uintptr_t)root >> 12));
    printf("Sv%u: satp mode %lu\n", va_bits, csr_read(satp) >> 60);

    /* A leaf at each level k, reached through root[1 + k]. */
    for (k = 0; k < levels; k++) {
        unsigned shift = 12 + 9 * k;

        base = tpa & ~((1UL << shift) - 1);
        t = root;
        i = 1 + k;
        for (unsigned l = levels - 1; l > k; l--) {
            uint64_t *next = new_table();

            t[i] = PTE(next, PTE_V);
            t = next;
            i = 0;
        }
        t[i] = PTE(base, PTE_LEAF);
        va = ((uintptr_t)(1 + k) << top_shift) + (tpa - base);
        printf("  level %u leaf:", k);
        c = load(va, &v);
        if (c) {
            printf(" cause %lu\n", c);
        } else {
            printf(" 0x%lx\n", v);
        }
    }

    /* The upper half: root[256 + 8], a root-level leaf on PA 0 (or RAM). */
    base = levels == 3 ? 0x80000000UL : 0;
    root[264] = PTE(base, PTE_LEAF);
    va = canon(264UL << top_shift, va_bits) + (tpa - base);
    check_load("upper half", va, target[0]);
    check_load("non-canonical twin", va & ((1UL << va_bits) - 1), 0);
    check_load("bit 63 flipped", va ^ (1UL << 63), 0);
    check_load("above Sv39", va ^ (1UL << 40), 0);

    /* Misaligned superpage: a level 1 leaf on a 4 KiB aligned PPN. */
    t = new_table();
    root[20] = PTE(t, PTE_V);
    for (k = levels - 2; k > 1; k--) {
        uint64_t *next = new_table();

        t[0] = PTE(next, PTE_V);
        t = next;
    }
    t[0] = PTE(tpa | 0x1000, PTE_LEAF);
    check_fault("misaligned superpage", 20UL << top_shift, 0);

    /* 4 KiB pages under root[30]: A/D, read-only, reserved bits. */
    t = new_table();
    root[30] = PTE(t, PTE_V);
    for (k = levels - 2; k > 0; k--) {
        uint64_t *next = new_table();

        t[0] = PTE(next, PTE_V);
        t = next;
    }
    va = 30UL << top_shift;
    t[0] = PTE(tpa, PTE_V | PTE_R | PTE_W);
    t[1] = PTE(tpa, PTE_V | PTE_R | PTE_A | PTE_D);
    t[2] = PTE(tpa, PTE_LEAF | (1UL << 61));      /* PBMT = NC */
    t[3] = PTE(tpa, PTE_LEAF | (1UL << 63));      /* N */
    t[4] = PTE(tpa, PTE_LEAF | (1UL << 54));      /* reserved */
    t[5] = PTE(tpa, PTE_V | PTE_W | PTE_A | PTE_D); /* W without R */
    t[6] = PTE(tpa, PTE_V | PTE_X | PTE_A);       /* execute-only */
    check_load("A/D clear", va + 8, 0x1111);
    printf("  after load: A %lu D %lu\n", (t[0] >> 6) & 1, (t[0] >> 7) & 1);
    c = store(va + 16, 0x2222);
    printf("  store: cause %lu, A %lu D %lu\n", c, (t[0] >> 6) & 1,
           (t[0] >> 7) & 1);
    check_fault("read-only page", va + 0x1000, 1);
    check_load("read-only page", va + 0x1000, target[0]);
    check_fault("PBMT set", va + 0x2000, 0);
    check_fault("N set", va + 0x3000, 0);
    check_fault("bit 54 set", va + 0x4000, 0);
    check_fault("W without R", va + 0x5000, 0);
    check_fault("execute-only", va + 0x6000, 0);
    csr_set(mstatus, MSTATUS_MXR);
    check_load("execute-only with MXR", va + 0x6000, target[0]);
    csr_clear(mstatus, MSTATUS_MXR);

    /* Non-leaf PTE with A; non-leaf PTE to a table outside RAM. */
    t = new_table();
    root[40] = PTE(t, PTE_V | PTE_A);
    check_fault("non-leaf with A", 40UL << top_shift, 0);
    root[41] = PTE(0x88000000UL, PTE_V);
    check_fault("table outside RAM", 41UL << top_shift, 0);
    root[42] = PTE(0x88000000UL, PTE_LEAF);
    check_fault("leaf outside RAM", (42UL << top_shift), 0);
}

int main(unsigned long hartid, unsigned long dtb)
{
    static const unsigned modes[] = { 8, 9, 10 };
    unsigned i;

    (void)hartid;
    (void)dtb;
    csr_write(mtvec, (uintptr_t)trap_entry);
    puts("svx: Sv39, Sv48, Sv57");
    for (i = 0; i < 3; i++) {
        run_mode(modes[i]);
        csr_write(satp, 0);
    }
    printf("svx: %d failures\n", fails);
    return fails;
}
