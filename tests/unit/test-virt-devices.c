/*
 * Tests for the virt board's devices (hw/): the ns16550a UART on a real
 * socket chardev, the CLINT's mtime/mtimecmp/msip, the PLIC's
 * priority/threshold/claim/complete flow, the sifive_test finisher
 * (shutdown status and reason, reset), the goldfish RTC (host wall
 * clock, setting the time, the alarm interrupt), and the edu device (factorial,
 * DMA with bounds checks, interrupts).  QEMU tests the same devices with
 * qtest (tests/qtest/); see docs/devices.md.
 *
 * Guest accesses go through the real memory API (address_space_memory
 * over get_system_memory()); interrupt outputs are connected to lines
 * that record their level.  main() holds the BQL, as vl.c does, and the
 * main loop is driven with main_loop_wait: nothing sleeps, and virtual
 * time only runs between cpu_enable_ticks and cpu_disable_ticks.  Each
 * test unmaps (unparents) what it created.
 *
 * Longer than most test files because it covers five devices; it stays
 * one file as the board's device set is one subsystem (one gtest
 * program per subsystem), with a section per device.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/hw/edu.h"
#include "qcore/hw/goldfish_rtc.h"
#include "qcore/hw/riscv_aclint.h"
#include "qcore/hw/serial.h"
#include "qcore/hw/sifive_plic.h"
#include "qcore/hw/sifive_test.h"
#include "qcore/irq.h"
#include "qcore/main-loop.h"
#include "qcore/memory.h"
#include "qcore/module.h"
#include "qcore/monitor.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"
#include <glib/gstdio.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

/* QEMU's virt memory map. */
#define VIRT_TEST   0x100000
#define VIRT_RTC    0x101000
#define VIRT_CLINT  0x2000000
#define VIRT_PLIC   0xc000000
#define VIRT_UART0  0x10000000
#define VIRT_DRAM   0x80000000
#define RAM_SIZE    0x10000

static char *tmpdir;

/* Run the loop until @cond holds; the meson timeout catches a hang. */
#define WAIT_UNTIL(cond)                \
    do {                                \
        while (!(cond)) {               \
            main_loop_wait(false);      \
        }                               \
    } while (0)

/* ---- guest accesses ------------------------------------------------------- */

#define A MEMTXATTRS_UNSPECIFIED

static uint32_t rd8(hwaddr addr)
{
    MemTxResult r;
    uint32_t v = address_space_ldub(&address_space_memory, addr, A, &r);

    g_assert_cmpuint(r, ==, MEMTX_OK);
    return v;
}

static void wr8(hwaddr addr, uint32_t val)
{
    MemTxResult r;

    address_space_stb(&address_space_memory, addr, val, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
}

static uint32_t rd32(hwaddr addr)
{
    MemTxResult r;
    uint32_t v = address_space_ldl_le(&address_space_memory, addr, A, &r);

    g_assert_cmpuint(r, ==, MEMTX_OK);
    return v;
}

static void wr32(hwaddr addr, uint32_t val)
{
    MemTxResult r;

    address_space_stl_le(&address_space_memory, addr, val, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
}

static uint64_t rd64(hwaddr addr)
{
    MemTxResult r;
    uint64_t v = address_space_ldq_le(&address_space_memory, addr, A, &r);

    g_assert_cmpuint(r, ==, MEMTX_OK);
    return v;
}

static void wr64(hwaddr addr, uint64_t val)
{
    MemTxResult r;

    address_space_stq_le(&address_space_memory, addr, val, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
}

/* ---- interrupt lines that record their level ------------------------------ */

typedef struct IrqRec {
    int level;
    int sets;               /* how many times the line was set */
} IrqRec;

static void irq_rec_handler(void *opaque, int n, int level)
{
    IrqRec *r = opaque;

    r[n].level = level;
    r[n].sets++;
}

/* ---- a socket peer for the UART's chardev ---------------------------------- */

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    return fd;
}

/*
 * Read exactly @len bytes from @fd, running the loop meanwhile (the
 * chardev may still hold some of them queued).  Waits in poll(2) on the
 * socket, never in a sleep.
 */
static GString *read_exact(int fd, size_t len)
{
    GString *s = g_string_new(NULL);
    char buf[65536];

    while (s->len < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        main_loop_wait(true);
        if (poll(&pfd, 1, 10) > 0) {
            n = recv(fd, buf, MIN(sizeof(buf), len - s->len), MSG_DONTWAIT);
            g_assert_cmpint(n, >, 0);
            g_string_append_len(s, buf, n);
        }
    }
    return s;
}

static void write_str(int fd, const char *str)
{
    g_assert_cmpint(write(fd, str, strlen(str)), ==, strlen(str));
}

/* ---- UART ------------------------------------------------------------------ */

#define UART_RBR (VIRT_UART0 + 0)
#define UART_THR (VIRT_UART0 + 0)
#define UART_DLL (VIRT_UART0 + 0)
#define UART_IER (VIRT_UART0 + 1)
#define UART_DLM (VIRT_UART0 + 1)
#define UART_IIR (VIRT_UART0 + 2)
#define UART_FCR (VIRT_UART0 + 2)
#define UART_LCR (VIRT_UART0 + 3)
#define UART_MCR (VIRT_UART0 + 4)
#define UART_LSR (VIRT_UART0 + 5)
#define UART_MSR (VIRT_UART0 + 6)
#define UART_SCR (VIRT_UART0 + 7)

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

typedef struct Uart {
    char *label;
    Chardev *chr;
    SerialState *s;
    IrqRec irq;
    qemu_irq line;
    int fd;                 /* the peer */
} Uart;

static void uart_setup(Uart *u, const char *label)
{
    g_autofree char *path = g_strdup_printf("%s/%s.sock", tmpdir, label);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);

    memset(u, 0, sizeof(*u));
    u->label = g_strdup(label);
    u->chr = qemu_chr_new(label, spec, NULL);
    g_assert_nonnull(u->chr);
    u->line = qemu_allocate_irq(irq_rec_handler, &u->irq, 0);
    u->s = serial_mm_create(NULL, NULL, get_system_memory(), VIRT_UART0,
                            u->line, u->chr, &error_abort);
    u->fd = unix_connect(path);
    WAIT_UNTIL(u->chr->be_open);
}

static void uart_teardown(Uart *u)
{
    object_unparent(OBJECT(u->s));
    g_assert_true(qemu_chr_remove(u->label, &error_abort));
    close(u->fd);
    qemu_free_irq(u->line);
    g_free(u->label);
}

static void test_uart_tx_reaches_chardev(void)
{
    g_autoptr(GString) got = NULL;
    Uart u;

    uart_setup(&u, "tx");
    g_assert_cmpuint(rd8(UART_LSR) & (LSR_THRE | LSR_TEMT), ==,
                     LSR_THRE | LSR_TEMT);
    for (const char *p = "hello\n"; *p; p++) {
        g_assert_true(rd8(UART_LSR) & LSR_THRE);
        wr8(UART_THR, *p);
    }
    got = read_exact(u.fd, 6);
    g_assert_cmpstr(got->str, ==, "hello\n");
    /* No interrupt was enabled, so the line never went up. */
    g_assert_cmpint(u.irq.level, ==, 0);
    uart_teardown(&u);
}

static void test_uart_rx_raises_irq_when_enabled(void)
{
    Uart u;

    uart_setup(&u, "rx");
    write_str(u.fd, "x");
    WAIT_UNTIL(rd8(UART_LSR) & LSR_DR);
    g_assert_cmpint(u.irq.level, ==, 0);            /* IER is 0 */
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x01);      /* nothing pending */

    wr8(UART_IER, 0x01);                            /* RX data available */
    g_assert_cmpint(u.irq.level, ==, 1);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x04);
    g_assert_cmpuint(rd8(UART_RBR), ==, 'x');
    g_assert_cmpint(u.irq.level, ==, 0);
    g_assert_cmpuint(rd8(UART_LSR) & LSR_DR, ==, 0);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x01);

    /* With the FIFO on, data arrives through the same interrupt. */
    wr8(UART_FCR, 0x01);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0xc1);
    write_str(u.fd, "yz");
    WAIT_UNTIL(u.irq.level == 1);
    g_assert_cmpuint(rd8(UART_IIR) & 0x0f, !=, 0x01);
    g_assert_cmpuint(rd8(UART_RBR), ==, 'y');
    WAIT_UNTIL(rd8(UART_LSR) & LSR_DR);
    g_assert_cmpuint(rd8(UART_RBR), ==, 'z');
    g_assert_cmpint(u.irq.level, ==, 0);

    /* THR-empty: raised when enabled, cleared by reading IIR. */
    wr8(UART_IER, 0x02);
    g_assert_cmpint(u.irq.level, ==, 1);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0xc2);
    g_assert_cmpint(u.irq.level, ==, 0);
    /* ... and raised again once a written byte has gone out. */
    wr8(UART_THR, '!');
    g_assert_cmpint(u.irq.level, ==, 1);
    g_string_free(read_exact(u.fd, 1), true);
    uart_teardown(&u);
}

static void test_uart_rx_fifo_refills_after_guest_reads(void)
{
    const char *msg = "0123456789abcdefghijklmnopqrstuv";   /* 32 bytes */
    g_autoptr(GString) got = g_string_new(NULL);
    Uart u;

    uart_setup(&u, "rxfifo");
    wr8(UART_FCR, 0x01);
    write_str(u.fd, msg);
    /* 16 bytes fit; the rest waits in the socket until the guest reads. */
    while (got->len < strlen(msg)) {
        WAIT_UNTIL(rd8(UART_LSR) & LSR_DR);
        g_string_append_c(got, rd8(UART_RBR));
    }
    g_assert_cmpstr(got->str, ==, msg);
    g_assert_cmpuint(rd8(UART_LSR) & (LSR_DR | LSR_OE), ==, 0);
    uart_teardown(&u);
}

static void test_uart_lsr_bits(void)
{
    Uart u;

    uart_setup(&u, "lsr");
    g_assert_cmpuint(rd8(UART_LSR), ==, LSR_THRE | LSR_TEMT);
    /* Loopback, FIFOs off: one byte fills RBR, a second one overruns. */
    wr8(UART_MCR, 0x10);
    wr8(UART_THR, 'a');
    g_assert_cmpuint(rd8(UART_LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR);
    wr8(UART_THR, 'b');
    g_assert_cmpuint(rd8(UART_LSR), ==,
                     LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
    /* OE reports the event once. */
    g_assert_cmpuint(rd8(UART_LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR);
    g_assert_cmpuint(rd8(UART_RBR), ==, 'a');
    g_assert_cmpuint(rd8(UART_LSR), ==, LSR_THRE | LSR_TEMT);
    /* Line-status interrupt for the overrun when enabled. */
    wr8(UART_IER, 0x04);
    wr8(UART_THR, 'c');
    wr8(UART_THR, 'd');
    g_assert_cmpint(u.irq.level, ==, 1);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x06);
    rd8(UART_LSR);
    g_assert_cmpint(u.irq.level, ==, 0);
    /* Loopback mirrors the modem control outputs in MSR. */
    wr8(UART_MCR, 0x10 | 0x03);                     /* DTR, RTS */
    g_assert_cmpuint(rd8(UART_MSR) & 0xf0, ==, 0x30);   /* DSR, CTS */
    wr8(UART_MCR, 0x00);
    /* Nothing looped back reached the chardev peer. */
    g_assert_cmpint(recv(u.fd, (char[1]){0}, 1, MSG_DONTWAIT), ==, -1);
    uart_teardown(&u);
}

static void test_uart_divisor_latch(void)
{
    g_autoptr(GString) got = NULL;
    Uart u;

    uart_setup(&u, "dlab");
    wr8(UART_IER, 0x00);
    wr8(UART_LCR, 0x80 | 0x03);     /* DLAB, 8N1 */
    wr8(UART_DLL, 0x01);
    wr8(UART_DLM, 0x02);
    g_assert_cmpuint(rd8(UART_DLL), ==, 0x01);
    g_assert_cmpuint(rd8(UART_DLM), ==, 0x02);
    wr8(UART_LCR, 0x03);
    /* The same offsets are THR and IER again, untouched by the latch. */
    g_assert_cmpuint(rd8(UART_IER), ==, 0x00);
    g_assert_cmpuint(rd8(UART_LCR), ==, 0x03);
    wr8(UART_THR, 'k');
    got = read_exact(u.fd, 1);
    g_assert_cmpstr(got->str, ==, "k");
    wr8(UART_LCR, 0x83);
    g_assert_cmpuint(rd8(UART_DLL) | rd8(UART_DLM) << 8, ==, 0x0201);
    wr8(UART_LCR, 0x03);
    wr8(UART_SCR, 0x5a);
    g_assert_cmpuint(rd8(UART_SCR), ==, 0x5a);
    uart_teardown(&u);
}

static void test_uart_tx_held_while_chardev_full(void)
{
    static uint8_t chunk[65536];
    size_t queued = 0;
    GString *got;
    Uart u;
    int n;

    uart_setup(&u, "full");
    /* The peer does not read: fill the chardev's output queue. */
    memset(chunk, '.', sizeof(chunk));
    do {
        n = qemu_chr_write(u.chr, chunk, sizeof(chunk));
        g_assert_cmpint(n, >=, 0);
        queued += n;
    } while (n == sizeof(chunk));

    wr8(UART_IER, 0x02);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x02);      /* empty: ack it */
    wr8(UART_THR, 'Z');
    /* The byte waits in the UART; the guest sees THR busy, no interrupt. */
    g_assert_cmpuint(rd8(UART_LSR) & (LSR_THRE | LSR_TEMT), ==, 0);
    g_assert_cmpint(u.irq.level, ==, 0);
    main_loop_wait(true);
    g_assert_cmpuint(rd8(UART_LSR) & LSR_THRE, ==, 0);

    /* The peer reads: the queue drains and the held byte follows. */
    got = read_exact(u.fd, queued + 1);
    g_assert_cmpint(got->str[queued], ==, 'Z');
    g_string_free(got, true);
    WAIT_UNTIL(u.irq.level == 1);
    g_assert_cmpuint(rd8(UART_LSR) & (LSR_THRE | LSR_TEMT), ==,
                     LSR_THRE | LSR_TEMT);
    g_assert_cmpuint(rd8(UART_IIR), ==, 0x02);
    uart_teardown(&u);
}

/* ---- CLINT ----------------------------------------------------------------- */

#define CLINT_MSIP(h)     (VIRT_CLINT + 0x0 + 4 * (h))
#define CLINT_MTIMECMP(h) (VIRT_CLINT + 0x4000 + 8 * (h))
#define CLINT_MTIME       (VIRT_CLINT + 0xbff8)

typedef struct Clint {
    RISCVAclintState *s;
    IrqRec mtip[2], msip[2];
    qemu_irq *mtip_lines, *msip_lines;
} Clint;

static void clint_setup(Clint *c)
{
    memset(c, 0, sizeof(*c));
    c->s = riscv_aclint_create(NULL, NULL, NULL, VIRT_CLINT, 2);
    c->mtip_lines = qemu_allocate_irqs(irq_rec_handler, c->mtip, 2);
    c->msip_lines = qemu_allocate_irqs(irq_rec_handler, c->msip, 2);
    for (int i = 0; i < 2; i++) {
        riscv_aclint_connect_hart(c->s, i, c->mtip_lines[i],
                                  c->msip_lines[i]);
    }
}

static void clint_teardown(Clint *c)
{
    cpu_disable_ticks();
    object_unparent(OBJECT(c->s));
    qemu_free_irqs(c->mtip_lines, 2);
    qemu_free_irqs(c->msip_lines, 2);
}

static void test_clint_mtime_advances_only_with_ticks(void)
{
    uint64_t t0, t1;
    Clint c;

    cpu_disable_ticks();
    clint_setup(&c);
    t0 = rd64(CLINT_MTIME);
    main_loop_wait(true);
    g_assert_cmpuint(rd64(CLINT_MTIME), ==, t0);
    g_assert_cmpuint(riscv_aclint_get_mtime(c.s), ==, t0);

    cpu_enable_ticks();
    while ((t1 = rd64(CLINT_MTIME)) == t0) {
        /* 10 MHz: the next tick is 100 ns of virtual time away. */
    }
    g_assert_cmpuint(t1, >, t0);
    cpu_disable_ticks();
    t1 = rd64(CLINT_MTIME);
    main_loop_wait(true);
    g_assert_cmpuint(rd64(CLINT_MTIME), ==, t1);

    /* Guest writes move mtime; 32-bit halves work too. */
    wr64(CLINT_MTIME, 0x100000000ULL);
    g_assert_cmpuint(rd64(CLINT_MTIME), ==, 0x100000000ULL);
    wr32(CLINT_MTIME, 5);
    g_assert_cmpuint(rd32(CLINT_MTIME + 4), ==, 1);
    g_assert_cmpuint(rd64(CLINT_MTIME), ==, 0x100000005ULL);
    clint_teardown(&c);
}

static void test_clint_mtimecmp_raises_and_rearm_lowers_mtip(void)
{
    uint64_t now, cmp;
    Clint c;

    cpu_disable_ticks();
    clint_setup(&c);
    /* As in QEMU, mtimecmp starts at 0: MTIP is up until programmed. */
    g_assert_cmpint(c.mtip[0].level, ==, 1);
    g_assert_cmpint(c.mtip[1].level, ==, 1);

    now = rd64(CLINT_MTIME);
    cmp = now + 1000;                               /* 100 us ahead */
    wr64(CLINT_MTIMECMP(0), cmp);
    g_assert_cmpint(c.mtip[0].level, ==, 0);
    g_assert_cmpint(c.mtip[1].level, ==, 1);
    g_assert_cmpuint(rd64(CLINT_MTIMECMP(0)), ==, cmp);

    /* While virtual time stands still the deadline never comes. */
    main_loop_wait(true);
    g_assert_cmpint(c.mtip[0].level, ==, 0);

    cpu_enable_ticks();
    WAIT_UNTIL(c.mtip[0].level == 1);
    g_assert_cmpuint(rd64(CLINT_MTIME), >=, cmp);

    /* Re-arming in the future lowers MTIP at once, by halves too. */
    wr32(CLINT_MTIMECMP(0) + 4, 0x7fffffff);
    g_assert_cmpint(c.mtip[0].level, ==, 0);
    g_assert_cmpuint(rd32(CLINT_MTIMECMP(0) + 4), ==, 0x7fffffff);
    /* ... and programming the past raises it at once. */
    wr64(CLINT_MTIMECMP(0), 0);
    g_assert_cmpint(c.mtip[0].level, ==, 1);
    clint_teardown(&c);
}

/*
 * After a reset (or a guest write) moves mtime back, the offset between
 * mtime and the clock is negative; OpenSBI then writes mtimecmp = ~0 to
 * mean "no timer".  That must arm nothing, not a deadline in the past
 * that fires for ever; and a near mtimecmp must still fire on time.
 */
static void test_clint_mtime_moved_back_then_mtimecmp_all_ones(void)
{
    QEMUTimerList *vtl = main_loop_tlg.tl[QEMU_CLOCK_VIRTUAL];
    uint64_t cmp;
    Clint c;

    clint_setup(&c);
    cpu_enable_ticks();
    while (rd64(CLINT_MTIME) < 1000) {
        /* Let the clock run long enough for moving back to matter. */
    }
    cpu_disable_ticks();
    wr64(CLINT_MTIME, 0);
    wr64(CLINT_MTIMECMP(0), UINT64_MAX);
    wr64(CLINT_MTIMECMP(1), UINT64_MAX);
    g_assert_cmpint(c.mtip[0].level, ==, 0);
    g_assert_cmpint(c.mtip[1].level, ==, 0);
    g_assert_cmpint(timerlist_deadline_ns(vtl), ==, -1);

    cpu_enable_ticks();
    cmp = rd64(CLINT_MTIME) + 1000;
    wr64(CLINT_MTIMECMP(0), cmp);
    g_assert_cmpint(timerlist_deadline_ns(vtl), >, 0);
    WAIT_UNTIL(c.mtip[0].level == 1);
    g_assert_cmpuint(rd64(CLINT_MTIME), >=, cmp);
    g_assert_cmpint(c.mtip[1].level, ==, 0);
    clint_teardown(&c);
}

static void test_clint_msip_raises_msip(void)
{
    MemTxResult r;
    Clint c;

    clint_setup(&c);
    g_assert_cmpint(c.msip[0].level, ==, 0);
    g_assert_cmpint(c.msip[1].level, ==, 0);
    wr32(CLINT_MSIP(1), 1);
    g_assert_cmpint(c.msip[1].level, ==, 1);
    g_assert_cmpint(c.msip[0].level, ==, 0);
    g_assert_cmpuint(rd32(CLINT_MSIP(1)), ==, 1);
    g_assert_cmpuint(rd32(CLINT_MSIP(0)), ==, 0);
    wr32(CLINT_MSIP(1), 0);
    g_assert_cmpint(c.msip[1].level, ==, 0);
    /* Only bit 0 exists. */
    wr32(CLINT_MSIP(0), 2);
    g_assert_cmpint(c.msip[0].level, ==, 0);
    /* Byte accesses are not CLINT accesses. */
    address_space_stb(&address_space_memory, CLINT_MSIP(0), 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(c.msip[0].level, ==, 0);
    clint_teardown(&c);
}

/* ---- PLIC ------------------------------------------------------------------ */

#define PLIC_PRIORITY(id)   (VIRT_PLIC + 4 * (id))
#define PLIC_PENDING(w)     (VIRT_PLIC + 0x1000 + 4 * (w))
#define PLIC_ENABLE(ctx, w) (VIRT_PLIC + 0x2000 + 0x80 * (ctx) + 4 * (w))
#define PLIC_THRESHOLD(ctx) (VIRT_PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (VIRT_PLIC + 0x200004 + 0x1000 * (ctx))

static void test_plic_priority_threshold_claim_complete(void)
{
    SiFivePLICState *s = sifive_plic_create(NULL, NULL, NULL, VIRT_PLIC, 2,
                                            VIRT_IRQCHIP_NUM_SOURCES);
    qemu_irq uart = sifive_plic_get_irq(s, 10);
    qemu_irq rtc = sifive_plic_get_irq(s, 11);
    qemu_irq *outs;
    IrqRec ctx[4] = { 0 };
    MemTxResult r;

    outs = qemu_allocate_irqs(irq_rec_handler, ctx, 4);
    for (int i = 0; i < 4; i++) {
        sifive_plic_connect_context(s, i, outs[i]);
        g_assert_cmpint(ctx[i].level, ==, 0);
    }
    /* Hart 0 S-mode (context 1) takes both; 11 is more urgent. */
    wr32(PLIC_PRIORITY(10), 1);
    wr32(PLIC_PRIORITY(11), 2);
    g_assert_cmpuint(rd32(PLIC_PRIORITY(11)), ==, 2);
    wr32(PLIC_PRIORITY(12), 0xff);                  /* WARL: 3 bits */
    g_assert_cmpuint(rd32(PLIC_PRIORITY(12)), ==, 7);
    wr32(PLIC_ENABLE(1, 0), (1u << 10) | (1u << 11) | 1);
    g_assert_cmpuint(rd32(PLIC_ENABLE(1, 0)), ==, (1u << 10) | (1u << 11));

    qemu_irq_raise(uart);
    g_assert_cmpuint(rd32(PLIC_PENDING(0)), ==, 1u << 10);
    g_assert_cmpint(ctx[1].level, ==, 1);
    g_assert_cmpint(ctx[0].level, ==, 0);           /* not enabled there */
    g_assert_cmpint(ctx[3].level, ==, 0);
    qemu_irq_raise(rtc);

    /* Claims come in priority order and take the source out of pending. */
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 11);
    g_assert_cmpint(ctx[1].level, ==, 1);
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 10);
    g_assert_cmpint(ctx[1].level, ==, 0);
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 0);
    g_assert_cmpuint(rd32(PLIC_PENDING(0)), ==, 0);

    /* Completing a source whose line is still high makes it pending. */
    wr32(PLIC_CLAIM(1), 11);
    g_assert_cmpint(ctx[1].level, ==, 1);
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 11);
    qemu_irq_lower(rtc);
    wr32(PLIC_CLAIM(1), 11);
    g_assert_cmpint(ctx[1].level, ==, 0);

    /* The threshold masks priorities up to and including it. */
    wr32(PLIC_THRESHOLD(1), 1);
    wr32(PLIC_CLAIM(1), 10);                        /* 10 still high */
    g_assert_cmpuint(rd32(PLIC_PENDING(0)), ==, 1u << 10);
    g_assert_cmpint(ctx[1].level, ==, 0);
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 0);
    wr32(PLIC_THRESHOLD(1), 0);
    g_assert_cmpint(ctx[1].level, ==, 1);
    g_assert_cmpuint(rd32(PLIC_CLAIM(1)), ==, 10);
    qemu_irq_lower(uart);
    wr32(PLIC_CLAIM(1), 10);
    g_assert_cmpint(ctx[1].level, ==, 0);
    g_assert_cmpuint(rd32(PLIC_PENDING(0)), ==, 0);

    /* Hart 1 M-mode is context 2: its own enables. */
    wr32(PLIC_ENABLE(2, 0), 1u << 10);
    qemu_irq_raise(uart);
    g_assert_cmpint(ctx[2].level, ==, 1);
    g_assert_cmpint(ctx[1].level, ==, 1);
    g_assert_cmpuint(rd32(PLIC_CLAIM(2)), ==, 10);
    /* Claimed by one context, it is gone for the other one too. */
    g_assert_cmpint(ctx[1].level, ==, 0);
    qemu_irq_lower(uart);
    wr32(PLIC_CLAIM(2), 10);

    /* Registers are 32-bit only. */
    address_space_ldq_le(&address_space_memory, PLIC_PRIORITY(10), A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);

    object_unparent(OBJECT(s));
    qemu_free_irqs(outs, 4);
}

/* ---- sifive_test ------------------------------------------------------------ */

/*
 * In a child: a QMP monitor on a socket, then the guest's write, then
 * what the main loop does with it: its SHUTDOWN event and exit status go
 * to stdout for the parent to check.
 */
static void finisher_child(uint32_t val)
{
    /* Not g_autofree: this function ends in exit(). */
    char *path = g_strdup_printf("%s/qmp-%d.sock", tmpdir, (int)getpid());
    char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *chr = qemu_chr_new("qmp", spec, NULL);
    const char *neg = "{\"execute\": \"qmp_capabilities\"}\n";
    GString *in = g_string_new(NULL);
    int status = -1;
    char buf[4096];
    int fd;

    monitor_init_qmp(chr, false, &error_abort);
    fd = unix_connect(path);
    write_str(fd, neg);
    /* Greeting, then the answer to qmp_capabilities. */
    while (!strstr(in->str, "\"return\"")) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        main_loop_wait(true);
        if (poll(&pfd, 1, 10) > 0 &&
            (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            g_string_append_len(in, buf, n);
        }
    }
    g_string_truncate(in, 0);

    sifive_test_create(NULL, NULL, NULL, VIRT_TEST);
    wr32(VIRT_TEST, val);
    g_assert_true(main_loop_should_exit(&status));
    while (!strstr(in->str, "SHUTDOWN") || !strchr(in->str, '\n')) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        main_loop_wait(true);
        if (poll(&pfd, 1, 10) > 0 &&
            (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            g_string_append_len(in, buf, n);
        }
    }
    printf("%sstatus=%d\n", in->str, status);
    fflush(stdout);
    close(fd);
    qemu_chr_cleanup();
    g_unlink(path);
    g_rmdir(tmpdir);
    g_free(path);
    g_free(spec);
    g_string_free(in, true);
    exit(0);
}

static void test_finisher_pass_child(void)
{
    finisher_child(0x5555);
}

static void test_finisher_fail_child(void)
{
    finisher_child((3 << 16) | 0x3333);
}

static void test_sifive_test_pass_shuts_down_with_status_0(void)
{
    g_test_trap_subprocess("/virt-devices/sifive-test/subprocess/pass", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*\"event\": \"SHUTDOWN\"*");
    g_test_trap_assert_stdout("*\"reason\": \"guest-shutdown\"*");
    g_test_trap_assert_stdout("*\"guest\": true*");
    g_test_trap_assert_stdout("*status=0\n");
}

static void test_sifive_test_fail_code_is_exit_status(void)
{
    g_test_trap_subprocess("/virt-devices/sifive-test/subprocess/fail", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*\"reason\": \"guest-shutdown\"*");
    g_test_trap_assert_stdout("*status=3\n");
}

static int resets;

static void count_reset(void *opaque)
{
    resets++;
}

static void test_sifive_test_reset_request(void)
{
    SiFiveTestState *s = sifive_test_create(NULL, NULL, NULL, VIRT_TEST);
    int status = -1;

    qemu_register_reset(count_reset, NULL);
    resets = 0;
    /* Values it does not know, and reads, do nothing. */
    wr32(VIRT_TEST, 0x1234);
    g_assert_cmpuint(rd32(VIRT_TEST), ==, 0);
    g_assert_false(main_loop_should_exit(&status));
    g_assert_cmpint(resets, ==, 0);

    wr32(VIRT_TEST, 0x7777);
    g_assert_false(main_loop_should_exit(&status));
    g_assert_cmpint(resets, ==, 1);
    g_assert_cmpint(status, ==, -1);
    qemu_unregister_reset(count_reset, NULL);
    object_unparent(OBJECT(s));
}

/* ---- goldfish RTC ----------------------------------------------------------- */

#define RTC(reg) (VIRT_RTC + (reg))

typedef struct Rtc {
    GoldfishRTCState *s;
    IrqRec irq;
    qemu_irq line;
} Rtc;

static void rtc_setup(Rtc *r)
{
    memset(r, 0, sizeof(*r));
    r->line = qemu_allocate_irq(irq_rec_handler, &r->irq, 0);
    r->s = goldfish_rtc_create(NULL, NULL, NULL, VIRT_RTC, r->line);
}

static void rtc_teardown(Rtc *r)
{
    object_unparent(OBJECT(r->s));
    qemu_free_irq(r->line);
}

/* TIME_LOW then TIME_HIGH, as Linux's driver reads the clock. */
static uint64_t rtc_read_time(void)
{
    uint64_t low = rd32(RTC(RTC_TIME_LOW));

    return (uint64_t)rd32(RTC(RTC_TIME_HIGH)) << 32 | low;
}

static uint64_t host_ns(void)
{
    return (uint64_t)g_get_real_time() * 1000;
}

static void test_rtc_reads_host_wall_clock(void)
{
    Rtc r;
    uint64_t before, t, after;

    before = host_ns();
    rtc_setup(&r);
    t = rtc_read_time();
    after = host_ns();
    /* Reset keeps whole seconds of the host's time, then runs with it. */
    g_assert_cmpuint(t, >=, before - NANOSECONDS_PER_SECOND);
    g_assert_cmpuint(t, <=, after);
    /* It runs: a later read is not earlier. */
    g_assert_cmpuint(rtc_read_time(), >=, t);
    /* The high half is the one latched by the TIME_LOW read. */
    (void)rd32(RTC(RTC_TIME_LOW));
    g_assert_cmpuint(rd32(RTC(RTC_TIME_HIGH)), ==, t >> 32);
    /* 64-bit accesses are not goldfish accesses. */
    {
        MemTxResult res;

        address_space_ldq_le(&address_space_memory, RTC(RTC_TIME_LOW), A,
                             &res);
        g_assert_cmpuint(res, ==, MEMTX_DECODE_ERROR);
        /* QEMU's window ends at 0x24. */
        g_assert_cmpuint(rd32(RTC(0x20)), ==, 0);
        address_space_ldl_le(&address_space_memory, RTC(0x24), A, &res);
        g_assert_cmpuint(res, ==, MEMTX_DECODE_ERROR);
    }
    rtc_teardown(&r);
}

static void test_rtc_set_time_moves_the_clock(void)
{
    /* 2001-09-09T01:46:40Z, far from the host's time. */
    const uint64_t set = 1000000000ULL * NANOSECONDS_PER_SECOND;
    Rtc r;
    uint64_t t;

    rtc_setup(&r);
    /* High half first: Linux writes the time that way round. */
    wr32(RTC(RTC_TIME_HIGH), set >> 32);
    wr32(RTC(RTC_TIME_LOW), (uint32_t)set);
    t = rtc_read_time();
    g_assert_cmpuint(t, >=, set);
    g_assert_cmpuint(t, <, set + 60 * NANOSECONDS_PER_SECOND);
    /* A system reset goes back to the host's time. */
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    {
        int status = -1;

        g_assert_false(main_loop_should_exit(&status));
    }
    g_assert_cmpuint(rtc_read_time(), >=, host_ns() -
                     2 * NANOSECONDS_PER_SECOND);
    rtc_teardown(&r);
}

static void test_rtc_alarm_in_the_past_fires_at_once(void)
{
    Rtc r;

    rtc_setup(&r);
    wr32(RTC(RTC_ALARM_HIGH), 0);
    wr32(RTC(RTC_ALARM_LOW), 1);
    /* Pending but not enabled: the line stays low. */
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_STATUS)), ==, 0);
    g_assert_cmpint(r.irq.level, ==, 0);
    wr32(RTC(RTC_IRQ_ENABLED), 1);
    g_assert_cmpint(r.irq.level, ==, 1);
    g_assert_cmpuint(rd32(RTC(RTC_IRQ_ENABLED)), ==, 1);
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_LOW)), ==, 1);
    wr32(RTC(RTC_CLEAR_INTERRUPT), 1);
    g_assert_cmpint(r.irq.level, ==, 0);
    /* Disabling lowers a pending interrupt too. */
    wr32(RTC(RTC_ALARM_LOW), 2);
    g_assert_cmpint(r.irq.level, ==, 1);
    wr32(RTC(RTC_IRQ_ENABLED), 0);
    g_assert_cmpint(r.irq.level, ==, 0);
    rtc_teardown(&r);
}

static void test_rtc_alarm_fires_when_the_time_comes(void)
{
    Rtc r;
    uint64_t at;

    rtc_setup(&r);
    wr32(RTC(RTC_IRQ_ENABLED), 1);
    /* Far ahead: armed, and clearing disarms it. */
    at = rtc_read_time() + 3600 * NANOSECONDS_PER_SECOND;
    wr32(RTC(RTC_ALARM_HIGH), at >> 32);
    wr32(RTC(RTC_ALARM_LOW), (uint32_t)at);
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_STATUS)), ==, 1);
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_HIGH)), ==, at >> 32);
    wr32(RTC(RTC_CLEAR_ALARM), 1);
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_STATUS)), ==, 0);

    /* Just ahead: the main loop's timer raises it; only the order counts. */
    at = rtc_read_time() + 1000000;
    wr32(RTC(RTC_ALARM_HIGH), at >> 32);
    wr32(RTC(RTC_ALARM_LOW), (uint32_t)at);
    WAIT_UNTIL(r.irq.level == 1);
    g_assert_cmpuint(rtc_read_time(), >=, at);
    g_assert_cmpuint(rd32(RTC(RTC_ALARM_STATUS)), ==, 0);
    wr32(RTC(RTC_CLEAR_INTERRUPT), 1);
    g_assert_cmpint(r.irq.level, ==, 0);
    rtc_teardown(&r);
}

/* ---- edu -------------------------------------------------------------------- */

#define EDU(reg) (EDU_VIRT_BASE + (reg))

typedef struct Edu {
    EduState *s;
    MemoryRegion ram;
    IrqRec irq;
    qemu_irq line;
} Edu;

static void edu_setup(Edu *e)
{
    memset(e, 0, sizeof(*e));
    g_assert_true(memory_region_init_ram(&e->ram, NULL, "ram", RAM_SIZE,
                                         &error_abort));
    memory_region_add_subregion(get_system_memory(), VIRT_DRAM, &e->ram);
    e->line = qemu_allocate_irq(irq_rec_handler, &e->irq, 0);
    e->s = edu_create(NULL, NULL, NULL, EDU_VIRT_BASE, e->line, NULL);
}

static void edu_teardown(Edu *e)
{
    cpu_disable_ticks();
    object_unparent(OBJECT(e->s));
    memory_region_del_subregion(get_system_memory(), &e->ram);
    object_unref(OBJECT(&e->ram));
    qemu_free_irq(e->line);
}

/* Start a transfer and wait for its end; returns the final command. */
static uint64_t edu_dma(uint64_t src, uint64_t dst, uint64_t count,
                        uint64_t cmd)
{
    wr64(EDU(EDU_REG_DMA_SRC), src);
    wr64(EDU(EDU_REG_DMA_DST), dst);
    wr64(EDU(EDU_REG_DMA_COUNT), count);
    wr32(EDU(EDU_REG_DMA_CMD), cmd | EDU_DMA_RUN);
    g_assert_true(rd32(EDU(EDU_REG_DMA_CMD)) & EDU_DMA_RUN);
    cpu_enable_ticks();
    WAIT_UNTIL(!(rd32(EDU(EDU_REG_DMA_CMD)) & EDU_DMA_RUN));
    cpu_disable_ticks();
    return rd64(EDU(EDU_REG_DMA_CMD));
}

static void test_edu_id_and_liveness(void)
{
    Edu e;

    edu_setup(&e);
    g_assert_cmphex(rd32(EDU(EDU_REG_ID)), ==, 0x010000ed);
    wr32(EDU(EDU_REG_LIVENESS), 0x12345678);
    g_assert_cmphex(rd32(EDU(EDU_REG_LIVENESS)), ==, ~0x12345678u);
    wr32(EDU(EDU_REG_ID), 0);                       /* read only */
    g_assert_cmphex(rd32(EDU(EDU_REG_ID)), ==, EDU_ID);
    edu_teardown(&e);
}

static void test_edu_factorial(void)
{
    Edu e;

    edu_setup(&e);
    wr32(EDU(EDU_REG_STATUS), EDU_STATUS_IRQFACT);
    wr32(EDU(EDU_REG_FACTORIAL), 10);
    /* The answer comes later, from the main loop. */
    g_assert_cmpuint(rd32(EDU(EDU_REG_STATUS)), ==,
                     EDU_STATUS_IRQFACT | EDU_STATUS_COMPUTING);
    g_assert_cmpint(e.irq.level, ==, 0);
    WAIT_UNTIL(!(rd32(EDU(EDU_REG_STATUS)) & EDU_STATUS_COMPUTING));
    g_assert_cmpuint(rd32(EDU(EDU_REG_FACTORIAL)), ==, 3628800);
    g_assert_cmpint(e.irq.level, ==, 1);
    g_assert_cmpuint(rd32(EDU(EDU_REG_INTR_STATUS)), ==, EDU_INTR_FACT);
    wr32(EDU(EDU_REG_INTR_ACK), EDU_INTR_FACT);
    g_assert_cmpint(e.irq.level, ==, 0);

    /* Without the interrupt bit, and modulo 2^32: 13! = 6227020800. */
    wr32(EDU(EDU_REG_STATUS), 0);
    wr32(EDU(EDU_REG_FACTORIAL), 13);
    WAIT_UNTIL(!(rd32(EDU(EDU_REG_STATUS)) & EDU_STATUS_COMPUTING));
    g_assert_cmpuint(rd32(EDU(EDU_REG_FACTORIAL)), ==,
                     (uint32_t)6227020800ULL);
    g_assert_cmpint(e.irq.level, ==, 0);

    /*
     * Any n finishes, the largest too: 34! and beyond have 32 factors of
     * two, so they are 0 modulo 2^32; 33! is not.
     */
    static const struct { uint32_t n, fact; } big[] = {
        { 0, 1 }, { 1, 1 }, { 33, 0x80000000u }, { 34, 0 },
        { 0xffffffffu, 0 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(big); i++) {
        wr32(EDU(EDU_REG_FACTORIAL), big[i].n);
        WAIT_UNTIL(!(rd32(EDU(EDU_REG_STATUS)) & EDU_STATUS_COMPUTING));
        g_assert_cmphex(rd32(EDU(EDU_REG_FACTORIAL)), ==, big[i].fact);
    }
    edu_teardown(&e);
}

static void test_edu_dma_to_and_from_ram(void)
{
    uint8_t pattern[256], back[256];
    Edu e;

    edu_setup(&e);
    for (int i = 0; i < 256; i++) {
        pattern[i] = i ^ 0xa5;
    }
    g_assert_cmpuint(address_space_write(&address_space_memory,
                                         VIRT_DRAM + 0x1000, A, pattern,
                                         sizeof(pattern)), ==, MEMTX_OK);

    /* RAM -> buffer, with the completion interrupt. */
    g_assert_cmphex(edu_dma(VIRT_DRAM + 0x1000, EDU_DMA_START + 16, 256,
                            EDU_DMA_IRQ), ==, EDU_DMA_IRQ);
    g_assert_cmpint(e.irq.level, ==, 1);
    g_assert_cmpuint(rd32(EDU(EDU_REG_INTR_STATUS)), ==, EDU_INTR_DMA);
    wr32(EDU(EDU_REG_INTR_ACK), EDU_INTR_DMA);
    g_assert_cmpint(e.irq.level, ==, 0);

    /* Buffer -> elsewhere in RAM, no interrupt. */
    g_assert_cmphex(edu_dma(EDU_DMA_START + 16, VIRT_DRAM + 0x8000, 256,
                            EDU_DMA_TO_RAM), ==, EDU_DMA_TO_RAM);
    g_assert_cmpint(e.irq.level, ==, 0);
    g_assert_cmpuint(address_space_read(&address_space_memory,
                                        VIRT_DRAM + 0x8000, A, back,
                                        sizeof(back)), ==, MEMTX_OK);
    g_assert_cmpmem(back, sizeof(back), pattern, sizeof(pattern));

    /* 32-bit halves of the 64-bit registers. */
    wr32(EDU(EDU_REG_DMA_SRC), 0x89abcdef);
    wr32(EDU(EDU_REG_DMA_SRC) + 4, 0x01234567);
    g_assert_cmphex(rd64(EDU(EDU_REG_DMA_SRC)), ==, 0x0123456789abcdefULL);
    edu_teardown(&e);
}

static void test_edu_dma_out_of_bounds_is_refused(void)
{
    static const uint8_t ones[64] = {
        [0 ... 63] = 0xff,
    };
    uint8_t back[64];
    Edu e;

    edu_setup(&e);
    address_space_write(&address_space_memory, VIRT_DRAM + RAM_SIZE - 64, A,
                        ones, sizeof(ones));
    /* Fill the buffer with zeroes from RAM's start. */
    g_assert_cmphex(edu_dma(VIRT_DRAM, EDU_DMA_START, EDU_DMA_SIZE, 0), ==, 0);

    /* Into RAM but running past its end: nothing is written at all. */
    g_assert_cmphex(edu_dma(EDU_DMA_START, VIRT_DRAM + RAM_SIZE - 16, 64,
                            EDU_DMA_TO_RAM | EDU_DMA_IRQ), ==,
                    EDU_DMA_TO_RAM | EDU_DMA_IRQ | EDU_DMA_ERROR);
    address_space_read(&address_space_memory, VIRT_DRAM + RAM_SIZE - 64, A,
                       back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), ones, sizeof(ones));
    /* The transfer still ends, with its interrupt. */
    g_assert_cmpint(e.irq.level, ==, 1);
    wr32(EDU(EDU_REG_INTR_ACK), EDU_INTR_DMA);

    /* From a device (edu itself) rather than RAM. */
    g_assert_cmphex(edu_dma(EDU_VIRT_BASE, EDU_DMA_START, 4, 0), ==,
                    EDU_DMA_ERROR);
    /* From a hole. */
    g_assert_cmphex(edu_dma(0x5000000, EDU_DMA_START, 4, 0), ==,
                    EDU_DMA_ERROR);
    /* Past the end of the buffer, before its start, larger than it. */
    g_assert_cmphex(edu_dma(VIRT_DRAM, EDU_DMA_START + EDU_DMA_SIZE - 8, 16,
                            0), ==, EDU_DMA_ERROR);
    g_assert_cmphex(edu_dma(EDU_DMA_START - 8, VIRT_DRAM, 16,
                            EDU_DMA_TO_RAM), ==,
                    EDU_DMA_TO_RAM | EDU_DMA_ERROR);
    g_assert_cmphex(edu_dma(VIRT_DRAM, EDU_DMA_START, EDU_DMA_SIZE + 1, 0),
                    ==, EDU_DMA_ERROR);
    /* A range that wraps around the address space. */
    g_assert_cmphex(edu_dma(UINT64_MAX - 7, EDU_DMA_START, 16, 0), ==,
                    EDU_DMA_ERROR);
    /* A good transfer afterwards clears the error bit. */
    g_assert_cmphex(edu_dma(VIRT_DRAM, EDU_DMA_START, 16, 0), ==, 0);
    edu_teardown(&e);
}

static void test_edu_irq_raise_and_ack(void)
{
    Edu e;

    edu_setup(&e);
    wr32(EDU(EDU_REG_INTR_RAISE), 0x5);
    g_assert_cmpint(e.irq.level, ==, 1);
    g_assert_cmphex(rd32(EDU(EDU_REG_INTR_STATUS)), ==, 0x5);
    wr32(EDU(EDU_REG_INTR_ACK), 0x1);
    g_assert_cmpint(e.irq.level, ==, 1);
    g_assert_cmphex(rd32(EDU(EDU_REG_INTR_STATUS)), ==, 0x4);
    wr32(EDU(EDU_REG_INTR_ACK), 0x4);
    g_assert_cmpint(e.irq.level, ==, 0);
    g_assert_cmphex(rd32(EDU(EDU_REG_INTR_STATUS)), ==, 0);

    /* A system reset clears it too. */
    wr32(EDU(EDU_REG_INTR_RAISE), 0x100);
    g_assert_cmpint(e.irq.level, ==, 1);
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_false(main_loop_should_exit(&(int){0}));
    g_assert_cmpint(e.irq.level, ==, 0);
    edu_teardown(&e);
}

/* ---- the map and the tree --------------------------------------------------- */

static void test_unmapped_access_is_decode_error(void)
{
    Object *machine = container_get(object_get_root(), "/machine");
    SiFiveTestState *named = sifive_test_create(machine, "finisher", NULL,
                                                VIRT_TEST);
    EduState *anon = edu_create(NULL, NULL, NULL, EDU_VIRT_BASE, NULL, NULL);
    g_autofree char *path = object_get_canonical_path(OBJECT(anon));
    MemTxResult r;

    /* Devices are in the composition tree. */
    g_assert_true(object_resolve_path("/machine/finisher", NULL) ==
                  OBJECT(named));
    g_assert_true(g_str_has_prefix(path, "/machine/unattached/device["));

    /* A hole in the map. */
    address_space_ldl_le(&address_space_memory, 0x5000000, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    address_space_stl_le(&address_space_memory, 0x5000000, 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* Just past a device's window. */
    address_space_ldl_le(&address_space_memory, EDU_VIRT_BASE + EDU_MMIO_SIZE,
                         A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);

    /* Unparenting a device takes it out of the map. */
    g_assert_cmphex(rd32(EDU(EDU_REG_ID)), ==, EDU_ID);
    object_unparent(OBJECT(anon));
    address_space_ldl_le(&address_space_memory, EDU(EDU_REG_ID), A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    object_unparent(OBJECT(named));
    g_assert_null(object_resolve_path("/machine/finisher", NULL));
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    bql_lock();
    qemu_init_main_loop(&error_abort);
    monitor_register_commands();
    /*
     * Running, as a started VM (a system reset then leaves the virtual
     * clock's timers enabled), but with virtual time stopped: tests start
     * it where they need it.
     */
    vm_start();
    cpu_disable_ticks();
    get_system_memory();
    tmpdir = g_dir_make_tmp("test-virt-devices-XXXXXX", NULL);

    g_test_add_func("/virt-devices/uart/tx-reaches-chardev",
                    test_uart_tx_reaches_chardev);
    g_test_add_func("/virt-devices/uart/rx-raises-irq-when-enabled",
                    test_uart_rx_raises_irq_when_enabled);
    g_test_add_func("/virt-devices/uart/rx-fifo-refills-after-guest-reads",
                    test_uart_rx_fifo_refills_after_guest_reads);
    g_test_add_func("/virt-devices/uart/lsr-bits", test_uart_lsr_bits);
    g_test_add_func("/virt-devices/uart/divisor-latch",
                    test_uart_divisor_latch);
    g_test_add_func("/virt-devices/uart/tx-held-while-chardev-full",
                    test_uart_tx_held_while_chardev_full);
    g_test_add_func("/virt-devices/clint/mtime-advances-only-with-ticks",
                    test_clint_mtime_advances_only_with_ticks);
    g_test_add_func("/virt-devices/clint/mtimecmp-raises-and-rearm-lowers-mtip",
                    test_clint_mtimecmp_raises_and_rearm_lowers_mtip);
    g_test_add_func("/virt-devices/clint/mtime-moved-back-then-mtimecmp-all-ones",
                    test_clint_mtime_moved_back_then_mtimecmp_all_ones);
    g_test_add_func("/virt-devices/clint/msip-raises-msip",
                    test_clint_msip_raises_msip);
    g_test_add_func("/virt-devices/plic/priority-threshold-claim-complete",
                    test_plic_priority_threshold_claim_complete);
    g_test_add_func("/virt-devices/sifive-test/pass-shuts-down-with-status-0",
                    test_sifive_test_pass_shuts_down_with_status_0);
    g_test_add_func("/virt-devices/sifive-test/fail-code-is-exit-status",
                    test_sifive_test_fail_code_is_exit_status);
    g_test_add_func("/virt-devices/sifive-test/subprocess/pass",
                    test_finisher_pass_child);
    g_test_add_func("/virt-devices/sifive-test/subprocess/fail",
                    test_finisher_fail_child);
    g_test_add_func("/virt-devices/sifive-test/reset-request",
                    test_sifive_test_reset_request);
    g_test_add_func("/virt-devices/goldfish-rtc/reads-host-wall-clock",
                    test_rtc_reads_host_wall_clock);
    g_test_add_func("/virt-devices/goldfish-rtc/set-time-moves-the-clock",
                    test_rtc_set_time_moves_the_clock);
    g_test_add_func("/virt-devices/goldfish-rtc/alarm-in-the-past-fires",
                    test_rtc_alarm_in_the_past_fires_at_once);
    g_test_add_func("/virt-devices/goldfish-rtc/alarm-fires-when-due",
                    test_rtc_alarm_fires_when_the_time_comes);
    g_test_add_func("/virt-devices/edu/id-and-liveness",
                    test_edu_id_and_liveness);
    g_test_add_func("/virt-devices/edu/factorial", test_edu_factorial);
    g_test_add_func("/virt-devices/edu/dma-to-and-from-ram",
                    test_edu_dma_to_and_from_ram);
    g_test_add_func("/virt-devices/edu/dma-out-of-bounds-is-refused",
                    test_edu_dma_out_of_bounds_is_refused);
    g_test_add_func("/virt-devices/edu/irq-raise-and-ack",
                    test_edu_irq_raise_and_ack);
    g_test_add_func("/virt-devices/unmapped-access-is-decode-error",
                    test_unmapped_access_is_decode_error);

    ret = g_test_run();

    /* Let call_rcu finalize the devices the old views kept alive. */
    bql_unlock();
    drain_call_rcu();
    bql_lock();
    qemu_chr_cleanup();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
