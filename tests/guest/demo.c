/*
 * demo: what `make run` boots.  Prints a banner, lets every hart report
 * in, counts timer interrupts (one tick every 0.5 s of guest time, each
 * on its own line) and echoes what is typed, through UART receive
 * interrupts via the PLIC.  It never exits by itself: quit with Ctrl-A x,
 * or reach the monitor with Ctrl-A c.
 *
 * The kernel command line (-append, read from the device tree's
 * /chosen/bootargs) picks other behaviours, for the functional tests:
 *   "spin"   every hart loops forever without touching a device
 *   "mmio"   every hart hammers the UART scratch register and mtime
 *   "smc"    every hart calls a routine and rewrites it, again and again
 *   "quiet"  the demo without tick lines (only "tick" counts in memory)
 */
#include "runtime.h"

#define UART_IER 1
#define UART_MCR 4
#define UART_SCR 7
#define PLIC_PRIORITY(irq)  (VIRT_PLIC + 4 * (irq))
#define PLIC_ENABLE(ctx)    (VIRT_PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (VIRT_PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (VIRT_PLIC + 0x200004 + 0x1000 * (ctx))

#define TICK_INTERVAL 5000000UL     /* 0.5 s at the 10 MHz timebase */

static volatile unsigned harts_up;
static volatile unsigned long ticks;
static volatile char ring[256];
static volatile unsigned head, tail;
static char bootargs[64];
static unsigned ncpus;
/* Set by hart 0 once ncpus and bootargs are final. */
static volatile int fdt_scanned;

/* ---- the device tree: count the harts, find bootargs ------------------- */

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
           ((uint32_t)b[2] << 8) | b[3];
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return 0;
        }
    }
    return 1;
}

/* Walk the structure block once: FDT_BEGIN_NODE 1, END_NODE 2, PROP 3. */
static void scan_fdt(unsigned long dtb)
{
    const uint8_t *fdt = (const uint8_t *)dtb;
    const uint8_t *p, *strings;
    int in_chosen = 0;

    if (!dtb || be32(fdt) != 0xd00dfeed) {
        ncpus = 1;
        return;
    }
    p = fdt + be32(fdt + 8);
    strings = (const uint8_t *)(fdt + be32(fdt + 12));
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        if (token == 1) {
            const char *name = (const char *)p;
            unsigned len = 0;
            while (name[len]) {
                len++;
            }
            if (starts_with(name, "cpu@")) {
                ncpus++;
            }
            in_chosen = starts_with(name, "chosen");
            p += (len + 4) & ~3u;
        } else if (token == 3) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const char *val = (const char *)(p + 8);
            if (in_chosen &&
                starts_with((const char *)strings + nameoff, "bootargs")) {
                unsigned i;
                for (i = 0; i < len && i < sizeof(bootargs) - 1; i++) {
                    bootargs[i] = val[i];
                }
            }
            p += 8 + ((len + 3) & ~3u);
        } else if (token == 2) {
            in_chosen = 0;
        } else if (token != 4) {
            break;                  /* FDT_END or garbage */
        }
    }
    if (!ncpus) {
        ncpus = 1;
    }
}

/* ---- the behaviours for the tests ----------------------------------------- */

static void __attribute__((noreturn)) spin_forever(void)
{
    volatile unsigned long n = 0;
    for (;;) {
        n++;
    }
}

static void __attribute__((noreturn)) hammer_mmio(unsigned long hartid)
{
    for (;;) {
        mmio_write8(VIRT_UART0 + UART_SCR, (uint8_t)hartid);
        (void)mmio_read8(VIRT_UART0 + UART_SCR);
        (void)mtime();
    }
}

/*
 * Each hart's own two-instruction routine, all in one page: every call is
 * preceded by a store into code that has just run (no fence.i: QEMU and
 * qcore both notice the store), so the emulator's decoded code keeps
 * being thrown away, by every hart at once.
 */
static uint32_t routines[MAX_HARTS][2] __attribute__((aligned(64)));

static void __attribute__((noreturn)) rewrite_code_forever(unsigned long hartid)
{
    uint32_t *code = routines[hartid % MAX_HARTS];
    long (*routine)(long) = (long (*)(long))(uintptr_t)code;

    for (unsigned long i = 0;; i++) {
        code[0] = 0x00050513 | (uint32_t)(i & 0x7ff) << 20; /* addi a0, a0, i */
        code[1] = 0x00008067;                               /* ret */
        (void)routine(0);
    }
}

/* ---- the demo ------------------------------------------------------------- */

void m_trap(struct trapframe *tf)
{
    if (tf->cause == ((1UL << 63) | IRQ_M_TIMER)) {
        ticks = ticks + 1;
        set_mtimecmp(0, mtime() + TICK_INTERVAL);
        return;
    }
    if (tf->cause == ((1UL << 63) | IRQ_M_EXT)) {
        uint32_t irq = mmio_read32(PLIC_CLAIM(0));
        if (irq == UART0_IRQ) {
            int c;
            while ((c = uart_getc()) >= 0) {
                if (head - tail < sizeof(ring)) {
                    ring[head % sizeof(ring)] = (char)c;
                    head = head + 1;
                }
            }
        }
        if (irq) {
            mmio_write32(PLIC_CLAIM(0), irq);
        }
        return;
    }
    printf("demo: unexpected trap: mcause 0x%lx mepc 0x%lx mtval 0x%lx\n",
           tf->cause, tf->epc, tf->tval);
    exit(1);
}

void secondary_main(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    /* crt0 releases us once .bss is clear; the tree is hart 0's to read. */
    while (!fdt_scanned) {
        cpu_relax();
    }
    if (starts_with(bootargs, "spin")) {
        spin_forever();
    }
    if (starts_with(bootargs, "mmio")) {
        hammer_mmio(hartid);
    }
    if (starts_with(bootargs, "smc")) {
        rewrite_code_forever(hartid);
    }
    printf("demo: hart %lu up\n", hartid);
    __atomic_fetch_add(&harts_up, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        wfi();      /* nothing enabled: sleeps until a debugger or reset */
    }
}

int main(unsigned long hartid, unsigned long dtb)
{
    unsigned long reported = 0;
    int quiet;

    scan_fdt(dtb);
    puts("");
    puts("qcore demo: a bare-metal guest on the RISC-V virt board");
    printf("demo: hart %lu up (a0 = %lu, a1 = device tree, %u harts in it)\n",
           hartid, hartid, ncpus);
    __atomic_store_n(&fdt_scanned, 1, __ATOMIC_RELEASE);
    if (starts_with(bootargs, "spin")) {
        puts("demo: every hart spins forever");
        spin_forever();
    }
    if (starts_with(bootargs, "mmio")) {
        puts("demo: every hart hammers MMIO forever");
        hammer_mmio(hartid);
    }
    if (starts_with(bootargs, "smc")) {
        puts("demo: every hart rewrites its code forever");
        rewrite_code_forever(hartid);
    }
    quiet = starts_with(bootargs, "quiet");

    __atomic_fetch_add(&harts_up, 1, __ATOMIC_SEQ_CST);
    while (harts_up < ncpus) {
        cpu_relax();
    }
    printf("demo: %u harts up\n", ncpus);
    puts("demo: a timer tick every 0.5 s; type to echo "
         "(Ctrl-A c: monitor, Ctrl-A x: quit)");

    csr_write(mtvec, (uintptr_t)trap_entry);
    mmio_write32(PLIC_PRIORITY(UART0_IRQ), 1);
    mmio_write32(PLIC_ENABLE(0), 1u << UART0_IRQ);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    mmio_write8(VIRT_UART0 + UART_MCR, 0x08);   /* OUT2: irq to the PLIC */
    mmio_write8(VIRT_UART0 + UART_IER, 0x01);   /* receive data available */
    set_mtimecmp(0, mtime() + TICK_INTERVAL);
    csr_set(mie, (1UL << IRQ_M_EXT) | (1UL << IRQ_M_TIMER));
    csr_set(mstatus, MSTATUS_MIE);

    for (;;) {
        while (tail == head && reported == ticks) {
            wfi();
        }
        while (tail != head) {
            char c = ring[tail % sizeof(ring)];
            tail = tail + 1;
            if (c == '\r' || c == '\n') {
                printf("\n");
            } else {
                printf("%c", c);
            }
        }
        if (reported != ticks) {
            reported = ticks;
            if (!quiet) {
                printf("demo: tick %lu\n", reported);
            }
        }
    }
}
