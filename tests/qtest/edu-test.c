/*
 * The edu device (hw/misc/edu.c) as -device edu on the virt board, driven
 * over qtest: identification, liveness, the factorial and its interrupt,
 * DMA both ways timed by the virtual clock, and DMA that must be refused
 * (outside RAM, into ROM or a device, past the buffer, wrapping) with the
 * error bit set and nothing touched.  Also the -device option itself and
 * the device tree node.  QEMU's edu is a PCI device (tests: none in
 * QEMU's tree), so the register answers are the contract in
 * include/qcore/hw/edu.h; the -device error messages are QEMU 7.2's
 * where QEMU has the same case.
 */
#include "libqtest.h"
#include "qcore/hw/edu.h"
#include <glib/gstdio.h>
#include <libfdt.h>

#define EDU         0x10200000ULL
#define DRAM        0x80000000ULL
#define RAM_SIZE    (128 * 1024 * 1024ULL)
#define MROM        0x1000ULL
#define UART_SCR    0x10000007ULL

static QTestState *start(void)
{
    QTestState *qts = qtest_init("-M virt -bios none -device edu,id=edu0");
    g_autofree char *plic = qtest_qom_find(qts, "/machine/unattached",
                                           "riscv.sifive.plic");

    qtest_irq_intercept_in(qts, plic);
    return qts;
}

/* Wait, by round trips, until the factorial bottom half has run. */
static void wait_fact_done(QTestState *qts)
{
    while (qtest_readl(qts, EDU + EDU_REG_STATUS) & EDU_STATUS_COMPUTING) {
        continue;
    }
}

static void test_registers_and_factorial(void)
{
    QTestState *qts = start();

    g_assert_cmphex(qtest_readl(qts, EDU + EDU_REG_ID), ==, EDU_ID);
    qtest_writel(qts, EDU + EDU_REG_LIVENESS, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, EDU + EDU_REG_LIVENESS), ==, 0xedcba987);

    qtest_writel(qts, EDU + EDU_REG_FACTORIAL, 10);
    wait_fact_done(qts);
    g_assert_cmpuint(qtest_readl(qts, EDU + EDU_REG_FACTORIAL), ==, 3628800);
    g_assert(!qtest_get_irq(qts, EDU_VIRT_IRQ));

    /* With the interrupt asked for, the PLIC's source 12 goes high. */
    qtest_writel(qts, EDU + EDU_REG_STATUS, EDU_STATUS_IRQFACT);
    qtest_writel(qts, EDU + EDU_REG_FACTORIAL, 5);
    wait_fact_done(qts);
    g_assert_cmpuint(qtest_readl(qts, EDU + EDU_REG_FACTORIAL), ==, 120);
    g_assert(qtest_get_irq(qts, EDU_VIRT_IRQ));
    g_assert_cmphex(qtest_readl(qts, EDU + EDU_REG_INTR_STATUS), ==,
                    EDU_INTR_FACT);
    qtest_writel(qts, EDU + EDU_REG_INTR_ACK, EDU_INTR_FACT);
    g_assert(!qtest_get_irq(qts, EDU_VIRT_IRQ));
    /* Raise and acknowledge by hand. */
    qtest_writel(qts, EDU + EDU_REG_INTR_RAISE, 0x40);
    g_assert(qtest_get_irq(qts, EDU_VIRT_IRQ));
    qtest_writel(qts, EDU + EDU_REG_INTR_ACK, 0x40);
    g_assert(!qtest_get_irq(qts, EDU_VIRT_IRQ));
    qtest_quit(qts);
}

/* Program a transfer, check it waits for virtual time, then run it. */
static uint64_t run_dma(QTestState *qts, uint64_t src, uint64_t dst,
                        uint64_t count, uint64_t cmd)
{
    uint64_t done;

    qtest_writeq(qts, EDU + EDU_REG_DMA_SRC, src);
    qtest_writeq(qts, EDU + EDU_REG_DMA_DST, dst);
    qtest_writeq(qts, EDU + EDU_REG_DMA_COUNT, count);
    qtest_writeq(qts, EDU + EDU_REG_DMA_CMD, cmd | EDU_DMA_RUN | EDU_DMA_IRQ);
    g_assert(qtest_readq(qts, EDU + EDU_REG_DMA_CMD) & EDU_DMA_RUN);
    g_assert(!qtest_get_irq(qts, EDU_VIRT_IRQ));
    done = qtest_clock_step_next(qts);
    g_assert_cmpint(done % EDU_DMA_DELAY_NS, ==, 0);
    g_assert(!(qtest_readq(qts, EDU + EDU_REG_DMA_CMD) & EDU_DMA_RUN));
    /* Done raises the interrupt either way; acknowledge it. */
    g_assert(qtest_get_irq(qts, EDU_VIRT_IRQ));
    qtest_writel(qts, EDU + EDU_REG_INTR_ACK, EDU_INTR_DMA);
    g_assert(!qtest_get_irq(qts, EDU_VIRT_IRQ));
    /* The command as it ended, minus the interrupt bit every run sets. */
    return qtest_readq(qts, EDU + EDU_REG_DMA_CMD) & ~(uint64_t)EDU_DMA_IRQ;
}

static void test_dma_between_ram_and_buffer(void)
{
    QTestState *qts = start();
    uint8_t pattern[256], back[256];

    for (size_t i = 0; i < sizeof(pattern); i++) {
        pattern[i] = 0xff - i;
    }
    qtest_memwrite(qts, DRAM + 0x1000, pattern, sizeof(pattern));
    g_assert_cmphex(run_dma(qts, DRAM + 0x1000, EDU_DMA_START + 16,
                            sizeof(pattern), 0), ==, 0);
    g_assert_cmphex(run_dma(qts, EDU_DMA_START + 16, DRAM + 0x3000,
                            sizeof(pattern), EDU_DMA_TO_RAM), ==,
                    EDU_DMA_TO_RAM);
    qtest_memread(qts, DRAM + 0x3000, back, sizeof(back));
    g_assert(!memcmp(pattern, back, sizeof(back)));
    /* The very end of RAM is RAM too. */
    g_assert_cmphex(run_dma(qts, EDU_DMA_START, DRAM + RAM_SIZE - 16, 16,
                            EDU_DMA_TO_RAM), ==, EDU_DMA_TO_RAM);
    qtest_quit(qts);
}

static void assert_dma_refused(QTestState *qts, uint64_t src, uint64_t dst,
                               uint64_t count, uint64_t cmd)
{
    g_assert_cmphex(run_dma(qts, src, dst, count, cmd), ==,
                    cmd | EDU_DMA_ERROR);
}

static void test_dma_outside_ram_is_refused_untouched(void)
{
    QTestState *qts = start();
    uint8_t ram_end[8], rom[16], rom_after[16], ones[64];

    memset(ones, 0xee, sizeof(ones));
    qtest_memwrite(qts, DRAM + 0x1000, ones, sizeof(ones));
    /* The buffer holds 0xee bytes that a refused transfer must not move. */
    g_assert_cmphex(run_dma(qts, DRAM + 0x1000, EDU_DMA_START, 64, 0), ==, 0);
    qtest_writeb(qts, UART_SCR, 0x5a);

    /* Into a device (the UART): refused, the scratch register kept. */
    assert_dma_refused(qts, EDU_DMA_START, UART_SCR - 7, 8, EDU_DMA_TO_RAM);
    g_assert_cmphex(qtest_readb(qts, UART_SCR), ==, 0x5a);
    /* From a device, from a hole, into a hole. */
    assert_dma_refused(qts, UART_SCR - 7, EDU_DMA_START, 8, 0);
    assert_dma_refused(qts, 0x0, EDU_DMA_START, 16, 0);
    assert_dma_refused(qts, EDU_DMA_START, 0x40000000, 16, EDU_DMA_TO_RAM);
    /* Into the mask ROM: readable, not writable RAM. */
    qtest_memread(qts, MROM, rom, sizeof(rom));
    assert_dma_refused(qts, EDU_DMA_START, MROM, sizeof(rom), EDU_DMA_TO_RAM);
    qtest_memread(qts, MROM, rom_after, sizeof(rom_after));
    g_assert(!memcmp(rom, rom_after, sizeof(rom)));
    /* Straddling the end of RAM: not one byte written inside it. */
    qtest_memset(qts, DRAM + RAM_SIZE - 8, 0x11, 8);
    assert_dma_refused(qts, EDU_DMA_START, DRAM + RAM_SIZE - 8, 64,
                       EDU_DMA_TO_RAM);
    qtest_memread(qts, DRAM + RAM_SIZE - 8, ram_end, sizeof(ram_end));
    for (size_t i = 0; i < sizeof(ram_end); i++) {
        g_assert_cmphex(ram_end[i], ==, 0x11);
    }
    /* Wrapping around the address space, or past the device buffer. */
    assert_dma_refused(qts, EDU_DMA_START, UINT64_MAX - 7, 64,
                       EDU_DMA_TO_RAM);
    assert_dma_refused(qts, DRAM, EDU_DMA_START, EDU_DMA_SIZE + 1, 0);
    assert_dma_refused(qts, DRAM, EDU_DMA_START + EDU_DMA_SIZE - 8, 16, 0);
    assert_dma_refused(qts, DRAM, EDU_DMA_START - 8, 16, 0);
    /* The engine still works afterwards; the error bit is per transfer. */
    g_assert_cmphex(run_dma(qts, DRAM + 0x1000, EDU_DMA_START, 64, 0), ==, 0);
    qtest_quit(qts);
}

static void test_not_mapped_without_device_option(void)
{
    QTestState *qts = qtest_init("-M virt -bios none");

    g_assert_cmphex(qtest_readl(qts, EDU + EDU_REG_ID), ==, 0);
    qtest_quit(qts);
}

static void test_qom_path_follows_id(void)
{
    QTestState *qts = qtest_init("-M virt -bios none -device edu");
    g_autofree char *anon = qtest_qom_find(qts, "/machine/peripheral-anon",
                                           TYPE_EDU);

    g_assert_cmpstr(anon, ==, "/machine/peripheral-anon/device[0]");
    g_assert_cmphex(qtest_readl(qts, EDU + EDU_REG_ID), ==, EDU_ID);
    qtest_quit(qts);

    qts = start();
    g_free(anon);
    anon = qtest_qom_find(qts, "/machine/peripheral", TYPE_EDU);
    g_assert_cmpstr(anon, ==, "/machine/peripheral/edu0");
    qtest_quit(qts);
}

/* Run qcore to completion; its exit status, stdout and stderr. */
static int run_qcore(const char *args, char **out, char **err)
{
    g_autofree char *cmd = g_strdup_printf("%s %s", g_getenv("QCORE_BINARY"),
                                           args);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) gerr = NULL;
    int status;

    g_shell_parse_argv(cmd, NULL, &argv, &gerr);
    g_assert_no_error(gerr);
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                 out, err, &status, &gerr);
    g_assert_no_error(gerr);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void assert_fails(const char *args, const char *message)
{
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint(run_qcore(args, &out, &err), ==, 1);
    g_assert_cmpstr(err, ==, message);
}

static void test_device_option_errors(void)
{
    g_autofree char *out = NULL, *err = NULL;

    /* QEMU 7.2's wording for the first three. */
    assert_fails("-M virt -display none -device foo",
                 "qcore: -device foo: 'foo' is not a valid device model "
                 "name\n");
    assert_fails("-M virt -display none -device edu,foo=1",
                 "qcore: -device edu,foo=1: Property 'edu.foo' not found\n");
    assert_fails("-M virt -display none -device edu,id=x -device edu,id=x",
                 "qcore: -device edu,id=x: Duplicate ID 'x' for device\n");
    assert_fails("-M none -display none -device edu",
                 "qcore: -device edu: Device 'edu' is not supported by "
                 "machine 'none'\n");
    assert_fails("-M virt -display none -device edu -device edu",
                 "qcore: virt has room for one edu device (at 0x10200000, "
                 "PLIC source 12)\n");
    g_assert_cmpint(run_qcore("-M virt -device help", &out, &err), ==, 0);
    g_assert(strstr(out, "name \"edu\", bus System"));
}

static void test_device_tree_node(void)
{
    g_autofree char *dir = g_dir_make_tmp("edu-dtb-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "virt.dtb", NULL);
    g_autofree char *args = g_strdup_printf("-M virt,dumpdtb=%s -device edu",
                                            dtb);
    g_autofree char *out = NULL, *err = NULL, *fdt = NULL;
    const fdt32_t *cell;
    int node, plic, len;

    g_assert_cmpint(run_qcore(args, &out, &err), ==, 0);
    g_assert(g_file_get_contents(dtb, &fdt, NULL, NULL));
    node = fdt_path_offset(fdt, "/soc/edu@10200000");
    g_assert_cmpint(node, >=, 0);
    g_assert_cmpstr(fdt_getprop(fdt, node, "compatible", NULL), ==,
                    "qcore,edu");
    cell = fdt_getprop(fdt, node, "interrupts", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmpuint(fdt32_to_cpu(*cell), ==, EDU_VIRT_IRQ);
    cell = fdt_getprop(fdt, node, "interrupt-parent", &len);
    plic = fdt_path_offset(fdt, "/soc/plic@c000000");
    g_assert_cmpint(plic, >=, 0);
    g_assert_cmpuint(fdt32_to_cpu(*cell), ==, fdt_get_phandle(fdt, plic));
    cell = fdt_getprop(fdt, node, "reg", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(fdt32_to_cpu(cell[1]), ==, EDU_VIRT_BASE);
    g_assert_cmphex(fdt32_to_cpu(cell[3]), ==, EDU_MMIO_SIZE);
    g_unlink(dtb);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/edu/registers-and-factorial",
                    test_registers_and_factorial);
    g_test_add_func("/edu/dma-between-ram-and-buffer",
                    test_dma_between_ram_and_buffer);
    g_test_add_func("/edu/dma-outside-ram-is-refused-untouched",
                    test_dma_outside_ram_is_refused_untouched);
    g_test_add_func("/edu/not-mapped-without-device-option",
                    test_not_mapped_without_device_option);
    g_test_add_func("/edu/qom-path-follows-id", test_qom_path_follows_id);
    g_test_add_func("/edu/device-option-errors", test_device_option_errors);
    g_test_add_func("/edu/device-tree-node", test_device_tree_node);
    return g_test_run();
}
