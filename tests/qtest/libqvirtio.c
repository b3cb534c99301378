/*
 * A virtio driver for qtests (libqvirtio.h): virtio-mmio bring-up and
 * split virtqueues in guest RAM.  QEMU's tests/qtest/libqos/virtio*.c.
 */
#include "libqvirtio.h"

uint32_t qvirtio_readl(QVirtioDev *d, uint64_t reg)
{
    return qtest_readl(d->qts, d->base + reg);
}

void qvirtio_writel(QVirtioDev *d, uint64_t reg, uint32_t v)
{
    qtest_writel(d->qts, d->base + reg, v);
}

void qvirtio_start(QVirtioDev *d, uint64_t features)
{
    qvirtio_writel(d, STATUS, 0);
    qvirtio_writel(d, STATUS, S_ACK);
    qvirtio_writel(d, STATUS, S_ACK | S_DRIVER);
    if (d->legacy) {
        /* Legacy has 32 feature bits and a page size for the PFNs. */
        qvirtio_writel(d, GUEST_PAGE_SIZE, 4096);
        qvirtio_writel(d, DRV_FEATURES_SEL, 0);
        qvirtio_writel(d, DRV_FEATURES, (uint32_t)features);
        return;
    }
    qvirtio_writel(d, DEV_FEATURES_SEL, 1);
    g_assert_cmphex(qvirtio_readl(d, DEV_FEATURES) & 1, ==, 1);  /* VERSION_1 */
    qvirtio_writel(d, DRV_FEATURES_SEL, 0);
    qvirtio_writel(d, DRV_FEATURES, (uint32_t)features);
    qvirtio_writel(d, DRV_FEATURES_SEL, 1);
    qvirtio_writel(d, DRV_FEATURES, (features >> 32) | 1);
    qvirtio_writel(d, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    g_assert_cmphex(qvirtio_readl(d, STATUS) & S_FEATURES_OK, ==,
                    S_FEATURES_OK);
}

void qvirtqueue_setup(QVirtioDev *d, QVirtQueue *vq, unsigned index,
                      uint64_t ring, uint16_t size)
{
    vq->index = index;
    vq->size = size;
    vq->avail_idx = 0;
    vq->desc = ring;
    qtest_memset(d->qts, ring, 0, 0x3000);
    qvirtio_writel(d, QUEUE_SEL, index);
    g_assert_cmpuint(qvirtio_readl(d, QUEUE_NUM_MAX), >=, size);
    qvirtio_writel(d, QUEUE_NUM, size);
    if (d->legacy) {
        vq->avail = ring + 16 * size;
        vq->used = (vq->avail + 6 + 2 * size + 4095) & ~4095ULL;
        g_assert_cmpuint(vq->used + 6 + 8 * size, <=, ring + 0x3000);
        qvirtio_writel(d, QUEUE_ALIGN, 4096);
        qvirtio_writel(d, QUEUE_PFN, ring >> 12);
        return;
    }
    vq->avail = ring + 0x1000;
    vq->used = ring + 0x2000;
    qvirtio_writel(d, DESC_LO, (uint32_t)vq->desc);
    qvirtio_writel(d, DESC_HI, vq->desc >> 32);
    qvirtio_writel(d, AVAIL_LO, (uint32_t)vq->avail);
    qvirtio_writel(d, AVAIL_HI, vq->avail >> 32);
    qvirtio_writel(d, USED_LO, (uint32_t)vq->used);
    qvirtio_writel(d, USED_HI, vq->used >> 32);
    qvirtio_writel(d, QUEUE_READY, 1);
    g_assert_cmpuint(qvirtio_readl(d, QUEUE_READY), ==, 1);
}

void qvirtio_driver_ok(QVirtioDev *d)
{
    qvirtio_writel(d, STATUS, S_ACK | S_DRIVER |
                   (d->legacy ? 0 : S_FEATURES_OK) | S_DRIVER_OK);
}

void qvirtio_write_desc(QTestState *qts, uint64_t table, unsigned i,
                        uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next)
{
    uint64_t desc = table + 16 * i;

    qtest_writeq(qts, desc, addr);
    qtest_writel(qts, desc + 8, len);
    qtest_writew(qts, desc + 12, flags);
    qtest_writew(qts, desc + 14, next);
}

void qvirtqueue_set_desc(QVirtioDev *d, QVirtQueue *vq, unsigned i,
                         uint64_t addr, uint32_t len, uint16_t flags,
                         uint16_t next)
{
    qvirtio_write_desc(d->qts, vq->desc, i, addr, len, flags, next);
}

void qvirtqueue_kick(QVirtioDev *d, QVirtQueue *vq, uint16_t head)
{
    qtest_writew(d->qts, vq->avail + 4 + 2 * (vq->avail_idx % vq->size),
                 head);
    vq->avail_idx++;
    qtest_writew(d->qts, vq->avail + 2, vq->avail_idx);
    qvirtio_writel(d, QUEUE_NOTIFY, vq->index);
}

uint16_t qvirtqueue_used_idx(QVirtioDev *d, QVirtQueue *vq)
{
    return qtest_readw(d->qts, vq->used + 2);
}

bool qvirtqueue_wait_used(QVirtioDev *d, QVirtQueue *vq, uint16_t idx)
{
    while (qvirtqueue_used_idx(d, vq) != idx) {
        if (qvirtio_readl(d, STATUS) & S_NEEDS_RESET) {
            return false;
        }
    }
    return true;
}

uint32_t qvirtqueue_used_id(QVirtioDev *d, QVirtQueue *vq, uint16_t n)
{
    return qtest_readl(d->qts, vq->used + 4 + 8 * ((n - 1) % vq->size));
}

uint32_t qvirtqueue_used_len(QVirtioDev *d, QVirtQueue *vq, uint16_t n)
{
    return qtest_readl(d->qts, vq->used + 8 + 8 * ((n - 1) % vq->size));
}

void qvirtio_wait_needs_reset(QVirtioDev *d)
{
    while (!(qvirtio_readl(d, STATUS) & S_NEEDS_RESET)) {
        continue;
    }
}
