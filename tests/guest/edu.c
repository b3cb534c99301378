/*
 * edu: the guest's side of qcore's memory-mapped edu device (-device edu
 * on virt: 0x10200000, PLIC source 12).  Finds its node in the device
 * tree, computes a factorial and takes its interrupt through the PLIC,
 * moves data RAM -> device buffer -> RAM by DMA, and checks that DMA to
 * or from anything but RAM is refused with the error bit and touches
 * nothing.  qcore only: QEMU's edu is a PCI device, so expected/edu.out
 * is qcore's transcript, not QEMU's.
 */
#include "runtime.h"

#define EDU             0x10200000UL
#define EDU_ID          (EDU + 0x00)
#define EDU_FACT        (EDU + 0x08)
#define EDU_STATUS      (EDU + 0x20)
#define EDU_INTR_STATUS (EDU + 0x24)
#define EDU_INTR_ACK    (EDU + 0x64)
#define EDU_DMA_SRC     (EDU + 0x80)
#define EDU_DMA_DST     (EDU + 0x88)
#define EDU_DMA_COUNT   (EDU + 0x90)
#define EDU_DMA_CMD     (EDU + 0x98)
#define EDU_BUF         0x40000UL
#define EDU_IRQ         12
#define DMA_RUN         1
#define DMA_TO_RAM      2
#define DMA_ERROR       8

#define PLIC            0xc000000UL
#define RAM_END         0x88000000UL    /* -m 128M */
#define UART_SCR        0x10000007UL

static int fails;
static uint8_t src[256], dst[256];

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

void m_trap(struct trapframe *tf)
{
    printf("unexpected trap: mcause 0x%lx mtval 0x%lx\n", tf->cause, tf->tval);
    exit(1);
}

/* Big-endian 32-bit cell of the flattened device tree. */
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Whether the structure block has a node named @name (no libfdt here). */
static int dtb_has_node(const uint8_t *dtb, const char *name)
{
    const uint8_t *p = dtb + be32(dtb + 8);
    size_t n = 0;

    while (name[n]) {
        n++;
    }
    for (;;) {
        uint32_t tok = be32(p);

        p += 4;
        if (tok == 1) {                         /* FDT_BEGIN_NODE */
            size_t len = 0;

            while (p[len]) {
                len++;
            }
            if (len == n && !memcmp(p, name, n)) {
                return 1;
            }
            p += (len + 4) & ~3UL;
        } else if (tok == 3) {                  /* FDT_PROP */
            p += 8 + ((be32(p) + 3) & ~3UL);
        } else if (tok == 9) {                  /* FDT_END */
            return 0;
        }
    }
}

static uint64_t dma(uint64_t from, uint64_t to, uint64_t count, uint64_t dir)
{
    uint64_t cmd;

    mmio_write64(EDU_DMA_SRC, from);
    mmio_write64(EDU_DMA_DST, to);
    mmio_write64(EDU_DMA_COUNT, count);
    mmio_write64(EDU_DMA_CMD, DMA_RUN | dir);
    while ((cmd = mmio_read64(EDU_DMA_CMD)) & DMA_RUN) {
        cpu_relax();
    }
    return cmd;
}

int main(unsigned long hartid, unsigned long dtb)
{
    uint8_t end[8];

    (void)hartid;
    check("device tree has edu@10200000",
          dtb_has_node((const uint8_t *)dtb, "edu@10200000"));
    printf("id 0x%x\n", mmio_read32(EDU_ID));

    /* Factorial with its interrupt, taken through the PLIC (M context). */
    mmio_write32(PLIC + 4 * EDU_IRQ, 1);
    mmio_write32(PLIC + 0x2000, 1u << EDU_IRQ);
    mmio_write32(PLIC + 0x200000, 0);
    csr_set(mie, 1UL << IRQ_M_EXT);
    mmio_write32(EDU_STATUS, 0x80);
    mmio_write32(EDU_FACT, 12);
    while (!(csr_read(mip) & (1UL << IRQ_M_EXT))) {
        wfi();                                  /* MIE is off: no trap */
    }
    printf("12! = %u\n", mmio_read32(EDU_FACT));
    printf("claim %u, interrupt status 0x%x\n", mmio_read32(PLIC + 0x200004),
           mmio_read32(EDU_INTR_STATUS));
    mmio_write32(EDU_INTR_ACK, 1);
    mmio_write32(PLIC + 0x200004, EDU_IRQ);
    check("line low after ack and complete",
          !(csr_read(mip) & (1UL << IRQ_M_EXT)));
    mmio_write32(EDU_STATUS, 0);

    /* RAM -> buffer -> RAM. */
    for (int i = 0; i < 256; i++) {
        src[i] = i * 3;
    }
    check("dma to buffer", dma((uintptr_t)src, EDU_BUF + 8, 256, 0) == 0);
    check("dma to ram",
          dma(EDU_BUF + 8, (uintptr_t)dst, 256, DMA_TO_RAM) == DMA_TO_RAM);
    check("data arrived", !memcmp(src, dst, sizeof(dst)));

    /* Anything but RAM is refused, and left alone. */
    mmio_write8(UART_SCR, 0x5a);
    check("dma into the uart refused",
          dma(EDU_BUF, UART_SCR - 7, 8, DMA_TO_RAM) ==
          (DMA_TO_RAM | DMA_ERROR));
    check("uart scratch kept", mmio_read8(UART_SCR) == 0x5a);
    check("dma from a hole refused",
          dma(0x0, EDU_BUF, 16, 0) == DMA_ERROR);
    memset(end, 0x11, sizeof(end));
    memcpy((void *)(RAM_END - 8), end, 8);
    check("dma across the end of ram refused",
          dma(EDU_BUF, RAM_END - 8, 64, DMA_TO_RAM) ==
          (DMA_TO_RAM | DMA_ERROR));
    check("end of ram kept", !memcmp((void *)(RAM_END - 8), end, 8));
    check("dma past the buffer refused",
          dma((uintptr_t)src, EDU_BUF + 4090, 16, 0) == DMA_ERROR);
    check("engine works after errors",
          dma((uintptr_t)src, EDU_BUF, 16, 0) == 0);

    printf("%s\n", fails ? "edu: FAILED" : "edu: all ok");
    return fails ? 1 : 0;
}
