/*
 * Fuzz target: guest accesses to the virt board's devices, in the spirit
 * of QEMU's generic-fuzz (tests/qtest/fuzz/generic_fuzz.c): the input is
 * a sequence of reads, writes and clock steps on the device windows,
 * done through the memory API (address_space_rw over system memory, so
 * dispatch in system/memory.c and physmem.c is fuzzed too) of a virt
 * board whose harts never run.  QEMU drives its devices over qtest; this
 * target calls the memory API directly and may later go through qcore's
 * qtest layer instead.
 *
 * Input, a byte stream of operations (see tests/fuzz/README.md):
 *   op & 7 = 0..3  access: next byte = window (low 2 bits: UART, CLINT,
 *                  PLIC, sifive_test) and size (bits 2-3: 1, 2, 4, 8
 *                  bytes); then a 4-byte little-endian offset, reduced
 *                  modulo the window's size; op & 1 = write, followed by
 *                  an 8-byte little-endian value
 *            4     clock step: the virtual clock runs while the timers that
 *                  are due run (deadlines from the ACLINT's mtimecmp)
 *            5     a byte arrives on the UART's receive side (next byte)
 *            6     one main-loop iteration (bottom halves, fd handlers)
 *            7     reserved (nothing)
 * The board is reset before each input (reset handlers of every device),
 * so an input always starts from power-on state.  sifive_test's finisher
 * writes request a shutdown that the harness swallows (fuzz-common.c);
 * its reset request resets the board, as in QEMU.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "qcore/memory.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include "fuzz.h"

static const struct {
    hwaddr base, size;
} windows[] = {
    { 0x10000000, 0x100 },      /* ns16550a UART */
    { 0x2000000, 0x10000 },     /* ACLINT: mswi, mtimer */
    { 0xc000000, 0x4000000 },   /* PLIC */
    { 0x100000, 0x1000 },       /* sifive_test */
};

static Chardev *serial;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_virt_machine_init();
    serial = qemu_chr_find("serial0");
    return 0;
}

/* The next @n bytes as a little-endian number; zeros past the end. */
static uint64_t take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n && *p < end; i++, (*p)++) {
        v |= (uint64_t)**p << (8 * i);
    }
    return v;
}

static void mmio_access(const uint8_t **p, const uint8_t *end, bool write)
{
    unsigned sel = take(p, end, 1);
    unsigned size = 1u << ((sel >> 2) & 3);
    unsigned w = sel & 3;
    hwaddr addr = windows[w].base + take(p, end, 4) % windows[w].size;
    uint8_t buf[8];
    uint64_t val;

    if (write) {
        val = take(p, end, 8);
        memcpy(buf, &val, size);
        address_space_rw(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                         buf, size, true);
    } else {
        address_space_rw(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                         buf, size, false);
    }
}

static void clock_step(void)
{
    cpu_enable_ticks();
    qemu_clock_run_all_timers();
    cpu_disable_ticks();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;

    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    fuzz_settle();
    cpu_disable_ticks();

    while (p < end) {
        unsigned op = *p++ & 7;
        uint8_t c;

        switch (op) {
        case 0 ... 3:
            mmio_access(&p, end, op & 1);
            break;
        case 4:
            clock_step();
            break;
        case 5:
            c = take(&p, end, 1);
            if (qemu_chr_be_can_write(serial) > 0) {
                qemu_chr_be_write(serial, &c, 1);
            }
            break;
        case 6:
            main_loop_wait(true);
            break;
        default:
            break;
        }
    }
    cpu_enable_ticks();
    fuzz_settle();
    return 0;
}
