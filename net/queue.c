/*
 * NetQueue: packets a receiver could not take yet, kept in order until it
 * says it can (qemu_flush_queued_packets).  Corresponds to QEMU's
 * net/queue.c.  Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/net-queue.h"
#include "qcore/queue.h"

/*
 * The bound on packets queued without a sent_cb: those come from senders
 * that do not stop (slirp, a socket peer), so without a bound a guest that
 * never reads would grow the queue for ever.  QEMU's value.
 */
#define NET_QUEUE_MAXLEN 10000

typedef struct NetPacket {
    QTAILQ_ENTRY(NetPacket) entry;
    NetClientState *sender;
    unsigned flags;
    size_t size;
    NetPacketSent *sent_cb;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    void *opaque;
    NetQueueDeliverFunc *deliver;
    unsigned nq_maxlen;
    unsigned nq_count;
    QTAILQ_HEAD(, NetPacket) packets;
    /*
     * Set while a packet is being handed over: a receiver that sends
     * back from its receive callback (slirp answering an ARP) must not
     * overtake the packets already queued.
     */
    bool delivering;
};

NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque)
{
    NetQueue *queue = g_new0(NetQueue, 1);

    queue->deliver = deliver;
    queue->opaque = opaque;
    queue->nq_maxlen = NET_QUEUE_MAXLEN;
    QTAILQ_INIT(&queue->packets);
    return queue;
}

void qemu_del_net_queue(NetQueue *queue)
{
    NetPacket *p, *next;

    QTAILQ_FOREACH_SAFE(p, &queue->packets, entry, next) {
        QTAILQ_REMOVE(&queue->packets, p, entry);
        g_free(p);
    }
    g_free(queue);
}

unsigned qemu_net_queue_count(NetQueue *queue)
{
    return queue->nq_count;
}

static size_t iov_total(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

void qemu_net_queue_append_iov(NetQueue *queue, NetClientState *sender,
                               unsigned flags, const struct iovec *iov,
                               int iovcnt, NetPacketSent *sent_cb)
{
    size_t size = iov_total(iov, iovcnt), off = 0;
    NetPacket *p;

    if (queue->nq_count >= queue->nq_maxlen && !sent_cb) {
        return;             /* dropped: the sender does not wait for it */
    }
    p = g_malloc(sizeof(*p) + size);
    p->sender = sender;
    p->flags = flags;
    p->size = size;
    p->sent_cb = sent_cb;
    for (int i = 0; i < iovcnt; i++) {
        memcpy(p->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    queue->nq_count++;
    QTAILQ_INSERT_TAIL(&queue->packets, p, entry);
}

static ssize_t deliver(NetQueue *queue, NetClientState *sender,
                       unsigned flags, const struct iovec *iov, int iovcnt)
{
    ssize_t ret;

    queue->delivering = true;
    ret = queue->deliver(sender, flags, iov, iovcnt, queue->opaque);
    queue->delivering = false;
    return ret;
}

ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb)
{
    ssize_t ret;

    /* Behind the queued ones, so that packets keep their order. */
    if (queue->delivering || !QTAILQ_EMPTY(&queue->packets)) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    ret = deliver(queue, sender, flags, iov, iovcnt);
    if (ret == 0) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    return ret;
}

ssize_t qemu_net_queue_send(NetQueue *queue, NetClientState *sender,
                            unsigned flags, const uint8_t *data, size_t size,
                            NetPacketSent *sent_cb)
{
    struct iovec iov = { .iov_base = (void *)data, .iov_len = size };

    return qemu_net_queue_send_iov(queue, sender, flags, &iov, 1, sent_cb);
}

void qemu_net_queue_purge(NetQueue *queue, NetClientState *from)
{
    NetPacket *p, *next;

    QTAILQ_FOREACH_SAFE(p, &queue->packets, entry, next) {
        if (p->sender == from) {
            QTAILQ_REMOVE(&queue->packets, p, entry);
            queue->nq_count--;
            if (p->sent_cb) {
                p->sent_cb(p->sender, 0);
            }
            g_free(p);
        }
    }
}

bool qemu_net_queue_flush(NetQueue *queue)
{
    if (queue->delivering) {
        return false;
    }
    while (!QTAILQ_EMPTY(&queue->packets)) {
        NetPacket *p = QTAILQ_FIRST(&queue->packets);
        struct iovec iov = { .iov_base = p->data, .iov_len = p->size };
        ssize_t ret;

        QTAILQ_REMOVE(&queue->packets, p, entry);
        queue->nq_count--;
        ret = deliver(queue, p->sender, p->flags, &iov, 1);
        if (ret == 0) {
            queue->nq_count++;
            QTAILQ_INSERT_HEAD(&queue->packets, p, entry);
            return false;
        }
        if (p->sent_cb) {
            p->sent_cb(p->sender, ret);
        }
        g_free(p);
    }
    return true;
}
