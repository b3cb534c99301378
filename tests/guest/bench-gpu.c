/*
 * The VNC benchmark's guest (bench/vnc-bench.py): drives a
 * virtio-gpu-device over the legacy virtio-mmio interface (the default of
 * QEMU 7.2's virt board and of qcore's): creates a 2D resource, attaches
 * its backing, sets it as scanout 0, then redraws for ever: draw,
 * TRANSFER_TO_HOST_2D, RESOURCE_FLUSH.  Built twice: bench-gpu.elf
 * redraws the whole screen (a moving gradient), bench-gpu-small.elf a
 * 64x64 square that moves.  Prints its own frame rate once per second
 * of mtime so the host sees the guest's speed, and how fast it draws:
 * frames per second of the time spent in the drawing loop alone (the
 * waits for the device left out), which is the guest's instruction rate
 * in frames, whatever the device's latency.  It waits for each command
 * with WFI on the device's PLIC interrupt (taken with mstatus.MIE clear,
 * so no trap: WFI just returns), not by spinning, so the vCPU thread's
 * CPU time is the guest's own work and frames per vCPU CPU second is
 * its instruction rate whatever the host's load (bench/vnc-bench.py).
 */
#include "runtime.h"
#include <stdbool.h>

#define W 800
#define H 600
#define SQ 64

#define VIRTIO_BASE 0x10001000UL
#define VIRTIO_SLOTS 8
#define VIRTIO_IRQ0 1           /* slot i raises PLIC source 1 + i */

#define PLIC_PRIORITY(irq)  (VIRT_PLIC + 4 * (irq))
#define PLIC_ENABLE(ctx)    (VIRT_PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (VIRT_PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (VIRT_PLIC + 0x200004 + 0x1000 * (ctx))

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008,
    HOST_FEATURES = 0x010, GUEST_FEATURES = 0x020, GUEST_PAGE_SIZE = 0x028,
    QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
    QUEUE_ALIGN = 0x03c, QUEUE_PFN = 0x040, QUEUE_NOTIFY = 0x050,
    INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
};

#define QSIZE 8

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

/* The legacy split ring: descriptors, avail ring, used ring on the next
 * page (QueueAlign 4096). */
static struct {
    struct desc desc[QSIZE];
    uint16_t avail_flags, avail_idx, avail_ring[QSIZE], used_event;
    uint8_t pad[4096 - 16 * QSIZE - 2 * (3 + QSIZE)];
    uint16_t used_flags, used_idx;
    struct { uint32_t id, len; } used_ring[QSIZE];
} vq __attribute__((aligned(4096)));

static uintptr_t dev;
static uint16_t last_used;

struct hdr {
    uint32_t type, flags;
    uint64_t fence_id;
    uint32_t ctx_id, padding;
};

struct rect {
    uint32_t x, y, w, h;
};

static uint32_t fb[W * H] __attribute__((aligned(4096)));

/* One command, polled to completion; returns the response type. */
static uint32_t gpu_cmd(void *req, uint32_t len)
{
    static struct hdr resp;
    uint16_t i = vq.avail_idx % QSIZE;
    uint32_t irq;

    vq.desc[0] = (struct desc){ (uintptr_t)req, len, 1, 1 };     /* NEXT */
    vq.desc[1] = (struct desc){ (uintptr_t)&resp, sizeof(resp), 2, 0 };
    vq.avail_ring[i] = 0;
    fence();
    vq.avail_idx++;
    fence();
    mmio_write32(dev + QUEUE_NOTIFY, 0);
    /* The used-ring interrupt stays pending at the PLIC until claimed,
     * so one that came before the WFI makes it return at once. */
    while (*(volatile uint16_t *)&vq.used_idx == last_used) {
        wfi();
    }
    last_used++;
    fence();
    mmio_write32(dev + INTERRUPT_ACK, mmio_read32(dev + INTERRUPT_STATUS));
    irq = mmio_read32(PLIC_CLAIM(0));
    if (irq) {
        mmio_write32(PLIC_CLAIM(0), irq);           /* complete */
    }
    return resp.type;
}

static void check(uint32_t t, const char *what)
{
    if (t != 0x1100) {          /* VIRTIO_GPU_RESP_OK_NODATA */
        printf("bench-gpu: %s failed: %x\n", what, t);
        exit(1);
    }
}

static void transfer_flush(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct {
        struct hdr h;
        struct rect r;
        uint64_t offset;
        uint32_t id, pad;
    } t = { { .type = 0x0105 }, { x, y, w, h }, ((uint64_t)y * W + x) * 4, 1, 0 };
    struct {
        struct hdr h;
        struct rect r;
        uint32_t id, pad;
    } f = { { .type = 0x0104 }, { x, y, w, h }, 1, 0 };

    check(gpu_cmd(&t, sizeof(t)), "TRANSFER_TO_HOST_2D");
    check(gpu_cmd(&f, sizeof(f)), "RESOURCE_FLUSH");
}

static void gpu_init(void)
{
    int i, irq = 0;

    for (i = 0; i < VIRTIO_SLOTS; i++) {
        uintptr_t a = VIRTIO_BASE + i * 0x1000;
        if (mmio_read32(a + MAGIC) == 0x74726976 &&
            mmio_read32(a + DEVICE_ID) == 16) {
            dev = a;
            irq = VIRTIO_IRQ0 + i;
        }
    }
    if (!dev) {
        puts("bench-gpu: no virtio-gpu-device");
        exit(1);
    }
    if (mmio_read32(dev + VERSION) != 1) {
        puts("bench-gpu: expected the legacy virtio-mmio interface");
        exit(1);
    }
    mmio_write32(dev + STATUS, 0);
    mmio_write32(dev + STATUS, 1 | 2);              /* ACKNOWLEDGE, DRIVER */
    mmio_write32(dev + GUEST_FEATURES, 0);
    mmio_write32(dev + GUEST_PAGE_SIZE, 4096);
    mmio_write32(dev + QUEUE_SEL, 0);               /* controlq */
    if (mmio_read32(dev + QUEUE_NUM_MAX) < QSIZE) {
        puts("bench-gpu: queue too small");
        exit(1);
    }
    mmio_write32(dev + QUEUE_NUM, QSIZE);
    mmio_write32(dev + QUEUE_ALIGN, 4096);
    mmio_write32(dev + QUEUE_PFN, (uintptr_t)&vq >> 12);
    mmio_write32(dev + STATUS, 1 | 2 | 4);          /* DRIVER_OK */
    /* Hart 0's M-mode context takes the device's interrupt; with only
     * mie.MEIE set (mstatus.MIE clear) it wakes WFI without a trap. */
    mmio_write32(PLIC_PRIORITY(irq), 1);
    mmio_write32(PLIC_ENABLE(0), 1u << irq);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    csr_clear(mstatus, 1 << 3);                     /* MIE */
    csr_set(mie, 1 << IRQ_M_EXT);

    {
        struct {
            struct hdr h;
            uint32_t id, format, w, h_;
        } c = { { .type = 0x0101 }, 1, 2 /* B8G8R8X8 */, W, H };
        struct {
            struct hdr h;
            uint32_t id, n;
            uint64_t addr;
            uint32_t len, pad;
        } b = { { .type = 0x0106 }, 1, 1, (uintptr_t)fb, sizeof(fb), 0 };
        struct {
            struct hdr h;
            struct rect r;
            uint32_t scanout, id;
        } s = { { .type = 0x0103 }, { 0, 0, W, H }, 0, 1 };

        check(gpu_cmd(&c, sizeof(c)), "RESOURCE_CREATE_2D");
        check(gpu_cmd(&b, sizeof(b)), "RESOURCE_ATTACH_BACKING");
        check(gpu_cmd(&s, sizeof(s)), "SET_SCANOUT");
    }
}

int main(void)
{
    uint64_t t0, frames = 0, draw = 0, d0;
    uint32_t f = 0;

    gpu_init();
    for (int i = 0; i < W * H; i++) {
        fb[i] = 0x203040;
    }
    transfer_flush(0, 0, W, H);
    printf("bench-gpu: %dx%d %s\n", W, H,
#ifdef SMALL
           "small"
#else
           "full"
#endif
           );
    t0 = mtime();
    for (;; f++) {
        d0 = mtime();
#ifdef SMALL
        /* A square walking along a diagonal band: erase, redraw. */
        uint32_t x0 = (f * 4) % (W - SQ - 4), y0 = (f * 2) % (H - SQ - 2);
        for (uint32_t y = y0; y < y0 + SQ + 2; y++) {
            for (uint32_t x = x0; x < x0 + SQ + 4; x++) {
                bool in = x >= x0 + 4 && y >= y0 + 2;
                fb[y * W + x] = in ? ((x - x0) * 4) << 16 | ((y - y0) * 4) << 8 |
                                     (f & 255)
                                   : 0x203040;
            }
        }
        draw += mtime() - d0;
        transfer_flush(x0, y0, SQ + 4, SQ + 2);
#else
        /* A gradient that moves: every pixel changes every frame. */
        for (uint32_t y = 0; y < H; y++) {
            uint32_t *row = fb + y * W, g = ((y + 2 * f) & 255) << 8;
            for (uint32_t x = 0; x < W; x++) {
                row[x] = ((x + f) & 255) << 16 | g | ((x + y) >> 2 & 255);
            }
        }
        draw += mtime() - d0;
        transfer_flush(0, 0, W, H);
#endif
        frames++;
        if (mtime() - t0 >= 10000000) {             /* 1 s at 10 MHz */
            printf("bench-gpu: fps %d draw %d\n", (int)frames,
                   (int)(draw ? frames * 10000000 / draw : 0));
            frames = 0;
            draw = 0;
            t0 += 10000000;
        }
    }
    return 0;
}
