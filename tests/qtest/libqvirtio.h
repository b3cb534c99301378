/*
 * A virtio driver for qtests: the virtio-mmio registers, device bring-up
 * (legacy and modern layouts) and split virtqueues built by hand in guest
 * RAM, as Linux's virtio_mmio and virtio_ring would.  QEMU's counterparts:
 * tests/qtest/libqos/virtio-mmio.c and libqos/virtio.c.
 */
#ifndef LIBQVIRTIO_H
#define LIBQVIRTIO_H

#include "libqtest.h"

/* Guest RAM of the virt board. */
#define QVIRTIO_DRAM 0x80000000ULL
/* Transport i; the first -device lands in the last one (7), as QEMU's. */
#define QVIRTIO_SLOT(i) (0x10001000ULL + 0x1000 * (i))

/* virtio-mmio registers (virtio 1.2, 4.2.2; legacy 4.2.4). */
enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
    DEV_FEATURES = 0x010, DEV_FEATURES_SEL = 0x014, DRV_FEATURES = 0x020,
    DRV_FEATURES_SEL = 0x024, GUEST_PAGE_SIZE = 0x028, QUEUE_SEL = 0x030,
    QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_ALIGN = 0x03c,
    QUEUE_PFN = 0x040, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
    INTR_STATUS = 0x060, INTR_ACK = 0x064, STATUS = 0x070,
    DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094,
    USED_LO = 0x0a0, USED_HI = 0x0a4, CONFIG_GEN = 0x0fc, CONFIG = 0x100,
};

/* Device status bits. */
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

/* Descriptor flags. */
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

typedef struct QVirtioDev {
    QTestState *qts;
    uint64_t base;              /* the transport's registers */
    bool legacy;                /* version 1 layout (QEMU's default) */
} QVirtioDev;

/* One split virtqueue in guest RAM. */
typedef struct QVirtQueue {
    unsigned index;
    uint16_t size;
    uint64_t desc, avail, used;
    uint16_t avail_idx;         /* what the driver has made available */
} QVirtQueue;

uint32_t qvirtio_readl(QVirtioDev *d, uint64_t reg);
void qvirtio_writel(QVirtioDev *d, uint64_t reg, uint32_t v);

/*
 * Reset, ACKNOWLEDGE, DRIVER and @features; in the modern layout also
 * VERSION_1 and FEATURES_OK (asserted to stick).  Then set up queues
 * with qvirtqueue_setup() and finish with qvirtio_driver_ok().
 */
void qvirtio_start(QVirtioDev *d, uint64_t features);
/*
 * Zero and program queue @index at @ring (12 KiB, page aligned): the
 * legacy layout puts avail after the table and used on the next page;
 * the modern one gives each part a page.  Resets @vq's avail index.
 */
void qvirtqueue_setup(QVirtioDev *d, QVirtQueue *vq, unsigned index,
                      uint64_t ring, uint16_t size);
void qvirtio_driver_ok(QVirtioDev *d);

/* Descriptor @i of the table at @table (a ring's, or an indirect one). */
void qvirtio_write_desc(QTestState *qts, uint64_t table, unsigned i,
                        uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next);
void qvirtqueue_set_desc(QVirtioDev *d, QVirtQueue *vq, unsigned i,
                         uint64_t addr, uint32_t len, uint16_t flags,
                         uint16_t next);
/* Make chain @head available and notify the queue. */
void qvirtqueue_kick(QVirtioDev *d, QVirtQueue *vq, uint16_t head);

/*
 * Poll (each read is a main-loop round trip; never sleep) until the used
 * index reaches @idx: true, or the device says NEEDS_RESET first: false.
 */
bool qvirtqueue_wait_used(QVirtioDev *d, QVirtQueue *vq, uint16_t idx);
uint16_t qvirtqueue_used_idx(QVirtioDev *d, QVirtQueue *vq);
/* The used element written as the device's @n-th (1-based) completion. */
uint32_t qvirtqueue_used_id(QVirtioDev *d, QVirtQueue *vq, uint16_t n);
uint32_t qvirtqueue_used_len(QVirtioDev *d, QVirtQueue *vq, uint16_t n);
void qvirtio_wait_needs_reset(QVirtioDev *d);

#endif
