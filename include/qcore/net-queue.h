/*
 * NetQueue: the packets waiting for a net client that cannot take them
 * yet.  Each NetClientState has one (incoming_queue); senders append to
 * their peer's.  Corresponds to QEMU's include/net/queue.h (net/queue.c).
 *
 * Main thread, BQL held (as every net client callback).
 */
#ifndef QCORE_NET_QUEUE_H
#define QCORE_NET_QUEUE_H

#include "qcore/osdep.h"
#include <sys/uio.h>

typedef struct NetClientState NetClientState;
typedef struct NetQueue NetQueue;

/* Called when a queued packet of @sender was finally delivered (@ret: its
 * length) or purged (0). */
typedef void NetPacketSent(NetClientState *sender, ssize_t ret);

#define QEMU_NET_PACKET_FLAG_NONE 0
#define QEMU_NET_PACKET_FLAG_RAW  (1 << 0)

/* Hand a packet to the queue's owner: its length, or 0 if it cannot now. */
typedef ssize_t NetQueueDeliverFunc(NetClientState *sender, unsigned flags,
                                    const struct iovec *iov, int iovcnt,
                                    void *opaque);

NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque);
void qemu_del_net_queue(NetQueue *queue);

/*
 * Deliver now if the receiver can take it (the length), else queue it
 * and return 0: @sent_cb runs when it goes out.  Without a sent_cb a
 * packet that finds the queue full (QEMU's 10000) is dropped, reported as
 * sent; with one it is always queued, since the sender stops sending
 * until its callback runs (that is the flow control).
 */
ssize_t qemu_net_queue_send(NetQueue *queue, NetClientState *sender,
                            unsigned flags, const uint8_t *data, size_t size,
                            NetPacketSent *sent_cb);
ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb);
/* Drop the packets @from queued (their sent_cb runs with 0). */
void qemu_net_queue_purge(NetQueue *queue, NetClientState *from);
/* Deliver in order until the owner refuses one; whether all went. */
bool qemu_net_queue_flush(NetQueue *queue);
/* Append without trying to deliver (QEMU's qemu_net_queue_append_iov). */
void qemu_net_queue_append_iov(NetQueue *queue, NetClientState *sender,
                               unsigned flags, const struct iovec *iov,
                               int iovcnt, NetPacketSent *sent_cb);
/* Packets waiting (for tests and info). */
unsigned qemu_net_queue_count(NetQueue *queue);

#endif
