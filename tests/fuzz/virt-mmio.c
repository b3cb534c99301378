/*
 * Fuzz target: guest accesses to the virt board's devices through the
 * qtest layer, in the spirit of QEMU's generic-fuzz
 * (tests/qtest/fuzz/generic_fuzz.c): the input is a sequence of reads,
 * writes and clock steps on the device windows, each run as a qtest
 * command by qtest's own command processor, in-process
 * (qtest_inproc_command), on a board built as `-M virt -bios none
 * -accel qtest -device edu` builds it.  No guest code runs, and the
 * virtual clock moves only by clock_step, so a case replays exactly.
 *
 * Input, a byte stream of operations (see tests/fuzz/README.md):
 *   op & 7 = 0..3  access: next byte `sel` picks the window
 *                  (((sel >> 4) << 2 | (sel & 3)) % 6: UART, CLINT, PLIC,
 *                  sifive_test, edu, RAM) and the size (bits 2-3: 1, 2,
 *                  4, 8 bytes); then a 4-byte little-endian offset,
 *                  reduced modulo the window's size; op & 1 = write,
 *                  followed by an 8-byte little-endian value.
 *                  readb..q / writeb..q ADDR [VAL]
 *            4     clock_step: to the next virtual timer's deadline
 *            5     a byte arrives on the UART's receive side (next byte)
 *            6     one main-loop iteration (bottom halves, fd handlers)
 *            7     clock_step NS, NS the next 4 bytes (little-endian)
 * The virtual clock goes back to 0 and the board is reset before each
 * input (reset handlers of every device), so an input always starts
 * from the same power-on state at the same time, as a fresh process
 * would.  sifive_test's finisher writes request a shutdown that the
 * harness swallows (fuzz-common.c); its reset request resets the board,
 * as in QEMU.
 *
 * With QTEST_LOG set in the environment (as generic-fuzz reads it), each
 * command and its answer are printed to stderr.
 *
 * Checked besides "no crash, no leak, no UB, no hang": every command is
 * answered with exactly one line, "OK ..."; and a reset leaves no
 * virtual timer armed (a device whose reset forgets one would carry
 * state from one case into the next).
 */
#include "qcore/osdep.h"
#include "qcore/hw/edu.h"
#include "qcore/main-loop.h"
#include "qcore/qtest.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include "fuzz.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (16 << 20)         /* fuzz_virt_qtest_init's -m */

static const struct {
    uint64_t base, size;
} windows[] = {
    { 0x10000000, 0x100 },          /* ns16550a UART */
    { 0x2000000, 0x10000 },         /* ACLINT: mswi, mtimer */
    { 0xc000000, 0x4000000 },       /* PLIC */
    { 0x100000, 0x1000 },           /* sifive_test */
    { EDU_VIRT_BASE, EDU_MMIO_SIZE },   /* edu: registers, DMA, irq 12 */
    { RAM_BASE, RAM_SIZE },         /* RAM: DMA data in and out */
};

static Chardev *serial;
/* QTEST_LOG set: print each command and answer, to read a case. */
static bool log_commands;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_virt_qtest_init();
    serial = qemu_chr_find("serial0");
    log_commands = getenv("QTEST_LOG");
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

/* Run one qtest command; a well-formed one always gets one "OK" line. */
static void qtest_cmd(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void qtest_cmd(const char *fmt, ...)
{
    g_autofree char *line = NULL;
    g_autofree char *answer = NULL;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    answer = qtest_inproc_command(line);
    if (log_commands) {
        fprintf(stderr, "[R] %s\n[S] %s", line, answer);
    }
    if (!g_str_has_prefix(answer, "OK") ||
        strchr(answer, '\n') != answer + strlen(answer) - 1) {
        fprintf(stderr, "qtest: '%s' answered '%s'\n", line, answer);
        abort();
    }
}

static void mmio_access(const uint8_t **p, const uint8_t *end, bool write)
{
    unsigned sel = take(p, end, 1);
    char suffix = "bwlq"[(sel >> 2) & 3];
    unsigned w = ((sel >> 4) << 2 | (sel & 3)) % G_N_ELEMENTS(windows);
    uint64_t addr = windows[w].base + take(p, end, 4) % windows[w].size;

    if (write) {
        qtest_cmd("write%c 0x%" PRIx64 " 0x%" PRIx64, suffix, addr,
                  take(p, end, 8));
    } else {
        qtest_cmd("read%c 0x%" PRIx64, suffix, addr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;

    qtest_clock_reset();
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    fuzz_settle();
    g_assert_cmpint(qemu_clock_next_expiry_ns(QEMU_CLOCK_VIRTUAL), ==, -1);

    while (p < end) {
        unsigned op = *p++ & 7;
        uint8_t c;

        switch (op) {
        case 0 ... 3:
            mmio_access(&p, end, op & 1);
            break;
        case 4:
            qtest_cmd("clock_step");
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
        case 7:
            qtest_cmd("clock_step %" PRIu64, take(&p, end, 4));
            break;
        }
    }
    fuzz_settle();
    return 0;
}
