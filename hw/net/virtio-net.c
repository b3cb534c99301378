/*
 * virtio-net-device: a network card on a virtio transport whose backend
 * is a -netdev (user, socket, tap, hubport).  Queue 0 receives, queue 1
 * transmits, queue 2 carries the driver's control commands (rx mode, MAC
 * table, VLANs).  Corresponds to QEMU's hw/net/virtio-net.c, with one
 * queue pair, no vhost, no vnet header towards the backend (none of
 * qcore's backends has one, so the offloads are not offered, as QEMU
 * does for such a peer).  docs/net.md tells the rx and tx paths.
 *
 * Threads: everything runs in the main loop with the BQL held, as the net
 * layer wants (qcore/net.h): the queue handlers (vdev->ctx is the main
 * loop), the backend's deliveries, the BHs.  Ring state is touched under
 * vdev->vq_lock as virtio.h requires; since a handler runs with vq_lock
 * held and a send can come straight back as a receive (slirp answers an
 * ARP inside its input), neither the tx handler nor the rx handler talks
 * to the net layer: each schedules a BH that does, without vq_lock.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/virtio.h"
#include "qcore/hw/virtio-net.h"
#include "qcore/main-loop.h"
#include "qcore/net.h"
#include "qapi/qapi-events.h"

typedef struct VirtIONet {
    VirtIODevice parent_obj;
    VirtQueue *rx_vq, *tx_vq, *ctrl_vq;
    NICConf nic_conf;
    NICState *nic;
    QEMUBH *tx_bh;              /* flushes the tx queue (QEMU's tx=bh) */
    QEMUBH *rx_flush_bh;        /* delivers what the backend queued for us */

    /* BQL (main thread): */
    bool driver_ok;             /* DRIVER_OK seen by set_status */
    bool tx_waiting;            /* the tx BH is scheduled or due */
    VirtQueueElement *async_tx; /* sent, queued by the backend: the ring
                                   entry waits for virtio_net_tx_complete */
    unsigned guest_hdr_len;     /* 10, or 12 with num_buffers */
    bool mergeable_rx_bufs;
    uint16_t status;            /* VIRTIO_NET_S_* in config space */
    uint8_t mac[6];
    uint64_t curr_guest_offloads;
    /* The rx filter, as the control queue set it. */
    bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
    struct {
        uint32_t in_use;
        uint32_t first_multi;   /* unicast entries come first */
        bool multi_overflow, uni_overflow;
        uint8_t macs[MAC_TABLE_ENTRIES * 6];
    } mac_table;
    uint32_t vlans[MAX_VLAN >> 5];
    VirtQueueElement *rx_elems[VIRTQUEUE_MAX_SIZE];  /* receive's scratch */
    bool rxfilter_notify;       /* send NIC_RX_FILTER_CHANGED (after a query) */

    /* Properties. */
    char *netdev_id;
    char *mac_str;
    uint32_t rx_queue_size, tx_queue_size;
    uint32_t tx_burst;
} VirtIONet;

#define VIRTIO_NET(obj) OBJECT_CHECK(VirtIONet, (obj), TYPE_VIRTIO_NET)

static const uint8_t bcast_addr[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Offloads that need a vnet header from the backend (none has one). */
static const uint64_t vnet_hdr_features =
    (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
    (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
    (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO) |
    (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |
    (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO);

static NetClientState *virtio_net_nc(VirtIONet *n)
{
    return qemu_get_queue(n->nic);
}

/* ---- iovec helpers --------------------------------------------------- */

/* @dst: the part of @src after its first @skip bytes; the entries used. */
static int iov_skip(struct iovec *dst, const struct iovec *src, int cnt,
                    size_t skip)
{
    int n = 0;

    for (int i = 0; i < cnt; i++) {
        if (skip >= src[i].iov_len) {
            skip -= src[i].iov_len;
            continue;
        }
        dst[n].iov_base = (uint8_t *)src[i].iov_base + skip;
        dst[n].iov_len = src[i].iov_len - skip;
        skip = 0;
        n++;
    }
    return n;
}

/* Copy @src from @soff into @dst from @doff, as much as fits; the length. */
static size_t iov_copy_iov(const struct iovec *dst, unsigned dcnt, size_t doff,
                           const struct iovec *src, int scnt, size_t soff)
{
    size_t done = 0;

    for (int i = 0; i < scnt; i++) {
        size_t n, got;

        if (soff >= src[i].iov_len) {
            soff -= src[i].iov_len;
            continue;
        }
        n = src[i].iov_len - soff;
        got = iov_from_buf(dst, dcnt, doff + done,
                           (uint8_t *)src[i].iov_base + soff, n);
        done += got;
        soff = 0;
        if (got < n) {
            break;
        }
    }
    return done;
}

/* ---- Receive: backend -> guest ---------------------------------------- */

static void rxfilter_notify(VirtIONet *n)
{
    if (n->rxfilter_notify) {
        g_autofree char *path = object_get_canonical_path(OBJECT(n));

        /* No name: QEMU 7.2 gives one only to virtio-net-pci & co. */
        qapi_event_send_nic_rx_filter_changed(NULL, path);
        /* Once until the next query-rx-filter, as QEMU. */
        n->rxfilter_notify = false;
    }
}

/* Whether the guest wants this frame (QEMU's receive_filter).  BQL. */
static bool virtio_net_receive_filter(VirtIONet *n, const struct iovec *iov,
                                      int iovcnt)
{
    uint8_t p[16] = { 0 };

    if (n->promisc) {
        return true;
    }
    iov_to_buf(iov, iovcnt, 0, p, sizeof(p));
    if (p[12] == 0x81 && p[13] == 0x00) {
        unsigned vid = ((p[14] << 8) | p[15]) & 0xfff;

        if (!(n->vlans[vid >> 5] & (1U << (vid & 0x1f)))) {
            return false;
        }
    }
    if (p[0] & 1) {
        if (!memcmp(p, bcast_addr, 6)) {
            return !n->nobcast;
        }
        if (n->nomulti) {
            return false;
        }
        if (n->allmulti || n->mac_table.multi_overflow) {
            return true;
        }
        for (unsigned i = n->mac_table.first_multi; i < n->mac_table.in_use;
             i++) {
            if (!memcmp(p, &n->mac_table.macs[i * 6], 6)) {
                return true;
            }
        }
        return false;
    }
    if (n->nouni) {
        return false;
    }
    if (n->alluni || n->mac_table.uni_overflow || !memcmp(p, n->mac, 6)) {
        return true;
    }
    for (unsigned i = 0; i < n->mac_table.first_multi; i++) {
        if (!memcmp(p, &n->mac_table.macs[i * 6], 6)) {
            return true;
        }
    }
    return false;
}

static bool virtio_net_can_receive(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);

    /* Buffers are checked in receive: "not now" there queues the packet
     * and disables us until the guest adds some (rx handler). */
    return n->driver_ok && virtio_queue_ready(n->rx_vq);
}

/*
 * Take the elements one packet of @need bytes fills, or none: NULL-free
 * @elems[0..*cnt) on success.  A packet that does not fit in what the
 * ring holds now is left for later (the elements go back), with the
 * driver asked to kick when it adds buffers.  vq_lock held.
 */
static bool virtio_net_pop_rx(VirtIONet *n, size_t need,
                              VirtQueueElement **elems, unsigned *cnt)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t have = 0;
        unsigned k = 0;

        while (have < need && k < VIRTQUEUE_MAX_SIZE) {
            VirtQueueElement *e = virtqueue_pop(n->rx_vq, sizeof(*e));

            if (!e) {
                break;
            }
            if (!e->in_num) {
                virtio_error(VIRTIO_DEVICE(n),
                             "virtio-net receive queue contains no in "
                             "buffers");
                virtqueue_detach_element(n->rx_vq, e, 0);
                g_free(e);
                break;
            }
            elems[k++] = e;
            have += iov_size(e->in_sg, e->in_num);
            if (!n->mergeable_rx_bufs) {
                break;          /* one buffer per packet, truncated */
            }
        }
        if (k && (have >= need || !n->mergeable_rx_bufs)) {
            *cnt = k;
            virtio_queue_set_notification(n->rx_vq, 0);
            return true;
        }
        /* Back in reverse order: the ring's entries stay where they are. */
        while (k) {
            virtqueue_unpop(n->rx_vq, elems[--k], 0);
            g_free(elems[k]);
        }
        if (qatomic_read(&VIRTIO_DEVICE(n)->broken)) {
            return false;
        }
        /* Ask for a kick, then look again: buffers may have come between
         * our look and the request (virtio_queue_set_notification's mb). */
        virtio_queue_set_notification(n->rx_vq, 1);
    }
    return false;
}

static ssize_t virtio_net_receive_iov(NetClientState *nc,
                                      const struct iovec *iov, int iovcnt)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIODevice *vdev = VIRTIO_DEVICE(n);
    size_t size = iov_size(iov, iovcnt);
    VirtQueueElement **elems = n->rx_elems;
    unsigned cnt = 0, i;
    size_t offset = 0;
    uint8_t hdr[VIRTIO_NET_HDR_MRG_LEN] = { 0 };

    if (!virtio_net_can_receive(nc)) {
        return 0;
    }
    if (!virtio_net_receive_filter(n, iov, iovcnt)) {
        return size;            /* not for this guest: dropped */
    }
    qemu_mutex_lock(&vdev->vq_lock);
    if (!virtio_net_pop_rx(n, size + n->guest_hdr_len, elems, &cnt)) {
        qemu_mutex_unlock(&vdev->vq_lock);
        /* Broken: drop it; else "not now" (queued, we are disabled). */
        return qatomic_read(&vdev->broken) ? (ssize_t)size : 0;
    }
    for (i = 0; i < cnt; i++) {
        VirtQueueElement *e = elems[i];
        size_t total = 0;

        if (i == 0) {
            /* No offloads: flags 0, GSO_NONE; num_buffers below. */
            if (n->guest_hdr_len == VIRTIO_NET_HDR_MRG_LEN) {
                hdr[10] = cnt & 0xff;
                hdr[11] = cnt >> 8;
            }
            total = iov_from_buf(e->in_sg, e->in_num, 0, hdr,
                                 n->guest_hdr_len);
            if (total < n->guest_hdr_len) {
                virtio_error(vdev, "virtio-net header too short");
                break;
            }
        }
        total += iov_copy_iov(e->in_sg, e->in_num, total, iov, iovcnt,
                              offset);
        offset += total - (i == 0 ? n->guest_hdr_len : 0);
        virtqueue_fill(n->rx_vq, e, total, i);
    }
    if (i == cnt && offset < size) {
        /* One buffer without merging, too small: QEMU drops the packet
         * and leaves the buffer for the next one. */
        while (cnt) {
            virtqueue_unpop(n->rx_vq, elems[--cnt], 0);
            g_free(elems[cnt]);
        }
    } else if (i == cnt) {
        virtqueue_flush(n->rx_vq, cnt);
        virtio_notify(vdev, n->rx_vq);
    }
    for (unsigned j = 0; j < cnt; j++) {
        g_free(elems[j]);
    }
    qemu_mutex_unlock(&vdev->vq_lock);
    return size;
}

static ssize_t virtio_net_receive(NetClientState *nc, const uint8_t *buf,
                                  size_t size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return virtio_net_receive_iov(nc, &iov, 1);
}

static void virtio_net_rx_flush_bh(void *opaque)
{
    VirtIONet *n = opaque;

    qemu_flush_queued_packets(virtio_net_nc(n));
}

/* The guest added rx buffers.  vq_lock held: the flush runs in a BH. */
static void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    qemu_bh_schedule(VIRTIO_NET(vdev)->rx_flush_bh);
}

/* ---- Transmit: guest -> backend ----------------------------------------- */

static int32_t virtio_net_flush_tx(VirtIONet *n);

/* The backend took the packet it had queued (or purged it).  BQL. */
static void virtio_net_tx_complete(NetClientState *nc, ssize_t len)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIODevice *vdev = VIRTIO_DEVICE(n);

    if (!n->async_tx) {
        return;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    virtqueue_push(n->tx_vq, n->async_tx, 0);
    virtio_notify(vdev, n->tx_vq);
    virtio_queue_set_notification(n->tx_vq, 1);
    qemu_mutex_unlock(&vdev->vq_lock);
    g_free(n->async_tx);
    n->async_tx = NULL;
    if (virtio_net_flush_tx(n) >= (int32_t)n->tx_burst) {
        qemu_mutex_lock(&vdev->vq_lock);
        virtio_queue_set_notification(n->tx_vq, 0);
        qemu_mutex_unlock(&vdev->vq_lock);
        n->tx_waiting = true;
        qemu_bh_schedule(n->tx_bh);
    }
}

/*
 * Send up to tx_burst packets: their count, -EBUSY when the backend
 * queued one (we wait for virtio_net_tx_complete), -EINVAL when the
 * device broke.  BQL, vq_lock not held (a send may come back as a
 * receive).
 */
static int32_t virtio_net_flush_tx(VirtIONet *n)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(n);
    struct iovec *sg = NULL;
    int32_t num = 0;
    bool pushed = false;

    if (!n->driver_ok) {
        return 0;
    }
    if (n->async_tx) {
        return -EBUSY;
    }
    while ((uint32_t)num < n->tx_burst) {
        VirtQueueElement *e;
        ssize_t ret;
        int cnt;

        qemu_mutex_lock(&vdev->vq_lock);
        e = virtqueue_pop(n->tx_vq, sizeof(*e));
        qemu_mutex_unlock(&vdev->vq_lock);
        if (!e) {
            break;
        }
        if (e->out_num < 1 ||
            iov_size(e->out_sg, e->out_num) < n->guest_hdr_len) {
            qemu_mutex_lock(&vdev->vq_lock);
            virtio_error(vdev, "virtio-net header incorrect");
            virtqueue_detach_element(n->tx_vq, e, 0);
            qemu_mutex_unlock(&vdev->vq_lock);
            g_free(e);
            num = -EINVAL;
            break;
        }
        /* The backend has no vnet header: strip the guest's. */
        sg = g_renew(struct iovec, sg, e->out_num);
        cnt = iov_skip(sg, e->out_sg, e->out_num, n->guest_hdr_len);
        ret = qemu_sendv_packet_async(virtio_net_nc(n), sg, cnt,
                                      virtio_net_tx_complete);
        if (ret == 0) {
            /* Queued by the backend: stop until it is sent. */
            qemu_mutex_lock(&vdev->vq_lock);
            virtio_queue_set_notification(n->tx_vq, 0);
            qemu_mutex_unlock(&vdev->vq_lock);
            n->async_tx = e;
            num = -EBUSY;
            break;
        }
        qemu_mutex_lock(&vdev->vq_lock);
        virtqueue_push(n->tx_vq, e, 0);
        qemu_mutex_unlock(&vdev->vq_lock);
        g_free(e);
        pushed = true;
        num++;
    }
    g_free(sg);
    if (pushed) {
        qemu_mutex_lock(&vdev->vq_lock);
        virtio_notify(vdev, n->tx_vq);
        qemu_mutex_unlock(&vdev->vq_lock);
    }
    return num;
}

/*
 * The tx BH (QEMU's virtio_net_tx_bh): a bounded batch, then either
 * another round in the next loop iteration (more may be waiting: other
 * handlers get their turn first) or kicks re-enabled and one last look.
 */
static void virtio_net_tx_bh(void *opaque)
{
    VirtIONet *n = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(n);
    int32_t ret;

    n->tx_waiting = false;
    if (!n->driver_ok) {
        return;
    }
    ret = virtio_net_flush_tx(n);
    if (ret == -EBUSY || ret == -EINVAL) {
        return;                 /* tx_complete, or a reset, restarts us */
    }
    if (ret >= (int32_t)n->tx_burst) {
        n->tx_waiting = true;
        qemu_bh_schedule(n->tx_bh);
        return;
    }
    qemu_mutex_lock(&vdev->vq_lock);
    virtio_queue_set_notification(n->tx_vq, 1);
    qemu_mutex_unlock(&vdev->vq_lock);
    ret = virtio_net_flush_tx(n);
    if (ret > 0) {
        qemu_mutex_lock(&vdev->vq_lock);
        virtio_queue_set_notification(n->tx_vq, 0);
        qemu_mutex_unlock(&vdev->vq_lock);
        n->tx_waiting = true;
        qemu_bh_schedule(n->tx_bh);
    }
}

/* The driver kicked the tx queue.  vq_lock held: the sending is the BH's. */
static void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = VIRTIO_NET(vdev);

    if (n->tx_waiting) {
        return;
    }
    n->tx_waiting = true;
    virtio_queue_set_notification(vq, 0);
    qemu_bh_schedule(n->tx_bh);
}

/* ---- Control queue ------------------------------------------------------ */

static uint8_t ctrl_rx(VirtIONet *n, uint8_t cmd, const struct iovec *iov,
                       int cnt)
{
    uint8_t on;

    if (iov_to_buf(iov, cnt, 0, &on, 1) != 1) {
        return VIRTIO_NET_ERR;
    }
    switch (cmd) {
    case VIRTIO_NET_CTRL_RX_PROMISC:
        n->promisc = on;
        break;
    case VIRTIO_NET_CTRL_RX_ALLMULTI:
        n->allmulti = on;
        break;
    case VIRTIO_NET_CTRL_RX_ALLUNI:
        n->alluni = on;
        break;
    case VIRTIO_NET_CTRL_RX_NOMULTI:
        n->nomulti = on;
        break;
    case VIRTIO_NET_CTRL_RX_NOUNI:
        n->nouni = on;
        break;
    case VIRTIO_NET_CTRL_RX_NOBCAST:
        n->nobcast = on;
        break;
    default:
        return VIRTIO_NET_ERR;
    }
    rxfilter_notify(n);
    return VIRTIO_NET_OK;
}

/* One table of MAC_TABLE_SET: a LE32 count and that many addresses. */
static bool ctrl_mac_table(const struct iovec *iov, int cnt, size_t *off,
                           uint8_t *macs, uint32_t *in_use, bool *overflow)
{
    uint32_t entries;
    size_t len = iov_size(iov, cnt);

    if (iov_to_buf(iov, cnt, *off, &entries, 4) != 4) {
        return false;
    }
    entries = GUINT32_FROM_LE(entries);
    *off += 4;
    if ((uint64_t)entries * 6 > len - *off) {
        return false;
    }
    if (*in_use + entries <= MAC_TABLE_ENTRIES) {
        iov_to_buf(iov, cnt, *off, macs + *in_use * 6, entries * 6);
        *in_use += entries;
    } else {
        *overflow = true;
    }
    *off += (size_t)entries * 6;
    return true;
}

static uint8_t ctrl_mac(VirtIONet *n, uint8_t cmd, const struct iovec *iov,
                        int cnt)
{
    size_t off = 0;
    uint8_t macs[MAC_TABLE_ENTRIES * 6];
    uint32_t in_use = 0, first_multi;
    bool uni_over = false, multi_over = false;

    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (iov_size(iov, cnt) != 6) {
            return VIRTIO_NET_ERR;
        }
        iov_to_buf(iov, cnt, 0, n->mac, 6);
        qemu_format_nic_info_str(virtio_net_nc(n), n->mac);
        rxfilter_notify(n);
        return VIRTIO_NET_OK;
    }
    if (cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        return VIRTIO_NET_ERR;
    }
    /* Unicast, then multicast; nothing changes unless both parse. */
    if (!ctrl_mac_table(iov, cnt, &off, macs, &in_use, &uni_over)) {
        return VIRTIO_NET_ERR;
    }
    first_multi = in_use;
    if (!ctrl_mac_table(iov, cnt, &off, macs, &in_use, &multi_over) ||
        off != iov_size(iov, cnt)) {
        return VIRTIO_NET_ERR;
    }
    n->mac_table.in_use = in_use;
    n->mac_table.first_multi = first_multi;
    n->mac_table.uni_overflow = uni_over;
    n->mac_table.multi_overflow = multi_over;
    memcpy(n->mac_table.macs, macs, in_use * 6);
    rxfilter_notify(n);
    return VIRTIO_NET_OK;
}

static uint8_t ctrl_vlan(VirtIONet *n, uint8_t cmd, const struct iovec *iov,
                         int cnt)
{
    uint16_t vid;

    if (iov_to_buf(iov, cnt, 0, &vid, 2) != 2) {
        return VIRTIO_NET_ERR;
    }
    vid = GUINT16_FROM_LE(vid);
    if (vid >= MAX_VLAN) {
        return VIRTIO_NET_ERR;
    }
    if (cmd == VIRTIO_NET_CTRL_VLAN_ADD) {
        n->vlans[vid >> 5] |= 1U << (vid & 0x1f);
    } else if (cmd == VIRTIO_NET_CTRL_VLAN_DEL) {
        n->vlans[vid >> 5] &= ~(1U << (vid & 0x1f));
    } else {
        return VIRTIO_NET_ERR;
    }
    rxfilter_notify(n);
    return VIRTIO_NET_OK;
}

static uint8_t ctrl_offloads(VirtIONet *n, uint8_t cmd,
                             const struct iovec *iov, int cnt)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(n);
    uint64_t offloads;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
        cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET ||
        iov_to_buf(iov, cnt, 0, &offloads, 8) != 8) {
        return VIRTIO_NET_ERR;
    }
    offloads = GUINT64_FROM_LE(offloads);
    /* Only what was negotiated may be switched on (none here). */
    if (offloads & ~(vdev->guest_features & vnet_hdr_features)) {
        return VIRTIO_NET_ERR;
    }
    n->curr_guest_offloads = offloads;
    return VIRTIO_NET_OK;
}

/* vq_lock held (main loop, BQL): nothing here calls the net layer. */
static void virtio_net_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    VirtQueueElement *e;

    while ((e = virtqueue_pop(vq, sizeof(*e)))) {
        uint8_t ctrl[2], status = VIRTIO_NET_ERR;
        struct iovec *data;
        int cnt;

        if (iov_size(e->in_sg, e->in_num) < 1 ||
            iov_to_buf(e->out_sg, e->out_num, 0, ctrl, 2) < 2) {
            virtio_error(vdev, "virtio-net ctrl missing headers");
            virtqueue_detach_element(vq, e, 0);
            g_free(e);
            break;
        }
        data = g_new(struct iovec, MAX(e->out_num, 1));
        cnt = iov_skip(data, e->out_sg, e->out_num, 2);
        switch (ctrl[0]) {
        case VIRTIO_NET_CTRL_RX:
            status = ctrl_rx(n, ctrl[1], data, cnt);
            break;
        case VIRTIO_NET_CTRL_MAC:
            status = ctrl_mac(n, ctrl[1], data, cnt);
            break;
        case VIRTIO_NET_CTRL_VLAN:
            status = ctrl_vlan(n, ctrl[1], data, cnt);
            break;
        case VIRTIO_NET_CTRL_ANNOUNCE:
            if (ctrl[1] == VIRTIO_NET_CTRL_ANNOUNCE_ACK &&
                (n->status & VIRTIO_NET_S_ANNOUNCE)) {
                n->status &= ~VIRTIO_NET_S_ANNOUNCE;
                status = VIRTIO_NET_OK;
            }
            break;
        case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
            status = ctrl_offloads(n, ctrl[1], data, cnt);
            break;
        }
        g_free(data);
        iov_from_buf(e->in_sg, e->in_num, 0, &status, 1);
        virtqueue_push(vq, e, 1);
        virtio_notify(vdev, vq);
        g_free(e);
    }
}

/* ---- Device hooks ------------------------------------------------------- */

static uint64_t virtio_net_get_features(VirtIODevice *vdev, uint64_t f,
                                        Error **errp)
{
    virtio_add_feature(&f, VIRTIO_NET_F_MAC);
    /* No backend of ours speaks vnet headers (QEMU's !peer_has_vnet_hdr). */
    return f & ~vnet_hdr_features;
}

static void virtio_net_set_features(VirtIODevice *vdev, uint64_t features)
{
    VirtIONet *n = VIRTIO_NET(vdev);

    n->mergeable_rx_bufs =
        virtio_has_feature(features, VIRTIO_NET_F_MRG_RXBUF);
    n->guest_hdr_len = (n->mergeable_rx_bufs ||
                        virtio_has_feature(features, VIRTIO_F_VERSION_1)) ?
                       VIRTIO_NET_HDR_MRG_LEN : VIRTIO_NET_HDR_LEN;
    n->curr_guest_offloads = features & vnet_hdr_features;
    /* Without VLAN filtering every VLAN passes. */
    memset(n->vlans, virtio_has_feature(features, VIRTIO_NET_F_CTRL_VLAN) ?
           0 : 0xff, sizeof(n->vlans));
}

static void virtio_net_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIONet *n = VIRTIO_NET(vdev);

    memcpy(config, n->mac, 6);
    config[6] = n->status & 0xff;
    config[7] = n->status >> 8;
}

static void virtio_net_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    VirtIONet *n = VIRTIO_NET(vdev);

    /* A legacy driver without CTRL_MAC_ADDR sets its MAC here. */
    if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1) &&
        memcmp(config, n->mac, 6)) {
        memcpy(n->mac, config, 6);
        qemu_format_nic_info_str(virtio_net_nc(n), n->mac);
    }
}

static void virtio_net_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    bool ok = (status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken;

    if (ok == n->driver_ok) {
        return;
    }
    n->driver_ok = ok;
    if (ok) {
        /* Packets the backend held while we could not take them, and
         * what the driver queued before: a kick then found us not ready
         * and left its notifications off, so look now. */
        qemu_bh_schedule(n->rx_flush_bh);
        n->tx_waiting = true;
        qemu_bh_schedule(n->tx_bh);
    } else {
        qemu_bh_cancel(n->tx_bh);
        n->tx_waiting = false;
    }
}

static void virtio_net_reset(VirtIODevice *vdev)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    NetClientState *nc = virtio_net_nc(n);

    /* What we sent that the backend still holds goes (tx_complete pushes
     * into a ring about to be forgotten: harmless), as QEMU's reset. */
    if (nc->peer) {
        qemu_flush_or_purge_queued_packets(nc->peer, true);
    }
    g_free(n->async_tx);
    n->async_tx = NULL;
    n->promisc = true;
    n->allmulti = n->alluni = n->nomulti = n->nouni = n->nobcast = false;
    memset(&n->mac_table, 0, sizeof(n->mac_table));
    memset(n->vlans, 0, sizeof(n->vlans));
    n->curr_guest_offloads = 0;
    n->status &= ~VIRTIO_NET_S_ANNOUNCE;
    memcpy(n->mac, n->nic_conf.macaddr.a, 6);
    qemu_format_nic_info_str(nc, n->mac);
}

/* set_link on us or on our backend.  BQL. */
static void virtio_net_set_link_status(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    uint16_t old = n->status;

    if (nc->link_down) {
        n->status &= ~VIRTIO_NET_S_LINK_UP;
    } else {
        n->status |= VIRTIO_NET_S_LINK_UP;
    }
    if (n->status != old) {
        virtio_notify_config(VIRTIO_DEVICE(n));
    }
    if (!nc->link_down) {
        qemu_bh_schedule(n->rx_flush_bh);
    }
}

static strList *mac_list(const uint8_t *macs, unsigned from, unsigned to)
{
    strList *l = NULL;

    /* Prepending, as QEMU: the last entry comes first. */
    for (unsigned i = from; i < to; i++) {
        QAPI_LIST_PREPEND(l, qemu_mac_strdup_printf(macs + i * 6));
    }
    return l;
}

static RxFilterInfo *virtio_net_query_rxfilter(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIODevice *vdev = VIRTIO_DEVICE(n);
    RxFilterInfo *info = g_new0(RxFilterInfo, 1);
    intList *vlans = NULL;

    info->name = g_strdup(nc->name);
    info->promiscuous = n->promisc;
    info->unicast = n->nouni ? RX_STATE_NONE :
                    n->alluni ? RX_STATE_ALL : RX_STATE_NORMAL;
    info->multicast = n->nomulti ? RX_STATE_NONE :
                      n->allmulti ? RX_STATE_ALL : RX_STATE_NORMAL;
    /* QEMU 7.2 reports the nobcast flag under this name; so do we. */
    info->broadcast_allowed = n->nobcast;
    info->multicast_overflow = n->mac_table.multi_overflow;
    info->unicast_overflow = n->mac_table.uni_overflow;
    info->main_mac = qemu_mac_strdup_printf(n->mac);
    info->unicast_table = mac_list(n->mac_table.macs, 0,
                                   n->mac_table.first_multi);
    info->multicast_table = mac_list(n->mac_table.macs,
                                     n->mac_table.first_multi,
                                     n->mac_table.in_use);
    for (unsigned i = 0; i < MAX_VLAN; i++) {
        if (n->vlans[i >> 5] & (1U << (i & 0x1f))) {
            QAPI_LIST_PREPEND(vlans, i);
        }
    }
    info->vlan_table = vlans;
    if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_VLAN)) {
        info->vlan = RX_STATE_ALL;
    } else if (!vlans) {
        info->vlan = RX_STATE_NONE;
    } else {
        info->vlan = RX_STATE_NORMAL;
    }
    n->rxfilter_notify = true;
    return info;
}

static NetClientInfo net_virtio_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = virtio_net_can_receive,
    .receive = virtio_net_receive,
    .receive_iov = virtio_net_receive_iov,
    .link_status_changed = virtio_net_set_link_status,
    .query_rx_filter = virtio_net_query_rxfilter,
};

static bool queue_size_ok(uint32_t v)
{
    return v >= 256 && v <= VIRTQUEUE_MAX_SIZE && !(v & (v - 1));
}

static void virtio_net_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIONet *n = VIRTIO_NET(dev);
    const char *type = object_get_typename(OBJECT(dev));

    if (n->netdev_id &&
        !qemu_nic_conf_set_netdev(&n->nic_conf, type, n->netdev_id, errp)) {
        return;
    }
    if (n->mac_str &&
        !qemu_nic_conf_set_mac(&n->nic_conf, type, n->mac_str, errp)) {
        return;
    }
    if (!queue_size_ok(n->rx_queue_size)) {
        error_setg(errp, "Invalid rx_queue_size (= %u), must be a power of 2 "
                   "between %d and %d.", n->rx_queue_size, 256,
                   VIRTQUEUE_MAX_SIZE);
        return;
    }
    if (!queue_size_ok(n->tx_queue_size)) {
        error_setg(errp, "Invalid tx_queue_size (= %u), must be a power of 2 "
                   "between %d and %d", n->tx_queue_size, 256,
                   VIRTQUEUE_MAX_SIZE);
        return;
    }
    if (n->tx_burst == 0) {
        error_setg(errp, "Property 'x-txburst' must be at least 1");
        return;
    }
    if (n->nic_conf.peers.queues > 1) {
        error_setg(errp, "multiqueue netdev '%s': qcore's virtio-net has one "
                   "queue pair", n->netdev_id);
        return;
    }
    qemu_macaddr_default_if_unset(&n->nic_conf.macaddr);
    memcpy(n->mac, n->nic_conf.macaddr.a, 6);
    n->status = VIRTIO_NET_S_LINK_UP;
    n->promisc = true;
    n->guest_hdr_len = VIRTIO_NET_HDR_LEN;

    /* Config: mac and status (no MQ, MTU or SPEED_DUPLEX offered). */
    virtio_init(vdev, VIRTIO_ID_NET, 8);
    n->rx_vq = virtio_add_queue(vdev, n->rx_queue_size, virtio_net_handle_rx);
    n->tx_vq = virtio_add_queue(vdev, n->tx_queue_size, virtio_net_handle_tx);
    n->ctrl_vq = virtio_add_queue(vdev, 64, virtio_net_handle_ctrl);
    n->tx_bh = qemu_bh_new(virtio_net_tx_bh, n);
    n->rx_flush_bh = qemu_bh_new(virtio_net_rx_flush_bh, n);

    n->nic = qemu_new_nic(&net_virtio_info, &n->nic_conf, type, dev->id, n);
    /* The card's link starts up whatever the backend's (a socket netdev
     * that waits for its peer is down until it connects), as QEMU's. */
    qemu_format_nic_info_str(virtio_net_nc(n), n->mac);
}

static void virtio_net_unrealize(DeviceState *dev)
{
    VirtIONet *n = VIRTIO_NET(dev);

    n->driver_ok = false;
    if (n->nic) {
        NetClientState *nc = virtio_net_nc(n);

        if (nc->peer) {
            qemu_flush_or_purge_queued_packets(nc->peer, true);
        }
        qemu_del_nic(n->nic);
        n->nic = NULL;
    }
    g_free(n->async_tx);
    n->async_tx = NULL;
    if (n->tx_bh) {
        qemu_bh_delete(n->tx_bh);
        qemu_bh_delete(n->rx_flush_bh);
        n->tx_bh = n->rx_flush_bh = NULL;
    }
}

static void virtio_net_class_init(ObjectClass *oc, const void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);
    static const struct {
        const char *name;
        unsigned bit;
        bool def;
    } bits[] = {
        { "csum", VIRTIO_NET_F_CSUM, true },
        { "guest_csum", VIRTIO_NET_F_GUEST_CSUM, true },
        { "gso", VIRTIO_NET_F_GSO, true },
        { "guest_tso4", VIRTIO_NET_F_GUEST_TSO4, true },
        { "guest_tso6", VIRTIO_NET_F_GUEST_TSO6, true },
        { "guest_ecn", VIRTIO_NET_F_GUEST_ECN, true },
        { "guest_ufo", VIRTIO_NET_F_GUEST_UFO, true },
        { "host_tso4", VIRTIO_NET_F_HOST_TSO4, true },
        { "host_tso6", VIRTIO_NET_F_HOST_TSO6, true },
        { "host_ecn", VIRTIO_NET_F_HOST_ECN, true },
        { "host_ufo", VIRTIO_NET_F_HOST_UFO, true },
        { "mrg_rxbuf", VIRTIO_NET_F_MRG_RXBUF, true },
        { "status", VIRTIO_NET_F_STATUS, true },
        { "ctrl_vq", VIRTIO_NET_F_CTRL_VQ, true },
        { "ctrl_rx", VIRTIO_NET_F_CTRL_RX, true },
        { "ctrl_vlan", VIRTIO_NET_F_CTRL_VLAN, true },
        { "ctrl_rx_extra", VIRTIO_NET_F_CTRL_RX_EXTRA, true },
        { "ctrl_mac_addr", VIRTIO_NET_F_CTRL_MAC_ADDR, true },
        { "ctrl_guest_offloads", VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, true },
        { "guest_announce", VIRTIO_NET_F_GUEST_ANNOUNCE, true },
    };

    DEVICE_CLASS(oc)->category = DEVICE_CATEGORY_NETWORK;
    vdc->realize = virtio_net_realize;
    vdc->unrealize = virtio_net_unrealize;
    vdc->get_features = virtio_net_get_features;
    vdc->set_features = virtio_net_set_features;
    vdc->get_config = virtio_net_get_config;
    vdc->set_config = virtio_net_set_config;
    vdc->set_status = virtio_net_set_status;
    vdc->reset = virtio_net_reset;
    vdc->legacy_features |= 1ULL << VIRTIO_NET_F_GSO;
    for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
        qdev_class_add_prop_bit64(oc, bits[i].name,
                                  offsetof(VirtIODevice, host_features),
                                  bits[i].bit, bits[i].def);
    }
    qdev_class_add_prop_str(oc, "mac", "str", offsetof(VirtIONet, mac_str),
                            "Ethernet 6-byte MAC Address, example: "
                            "52:54:00:12:34:56");
    qdev_class_add_prop_str(oc, "netdev", "str",
                            offsetof(VirtIONet, netdev_id),
                            "ID of a netdev to use as a backend");
    qdev_class_add_prop_uint32(oc, "rx_queue_size",
                               offsetof(VirtIONet, rx_queue_size), 256, NULL);
    qdev_class_add_prop_uint32(oc, "tx_queue_size",
                               offsetof(VirtIONet, tx_queue_size), 256, NULL);
    qdev_class_add_prop_uint32(oc, "x-txburst", offsetof(VirtIONet, tx_burst),
                               256, NULL);
}

static const TypeInfo virtio_net_info = {
    .name = TYPE_VIRTIO_NET,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIONet),
    .class_init = virtio_net_class_init,
};

static void virtio_net_register_types(void)
{
    type_register_static(&virtio_net_info);
}

type_init(virtio_net_register_types)
