/*
 * virtio-net-device over qtest, its backend a -netdev socket connected to
 * a listener of the test on 127.0.0.1: a transmitted frame reaches the
 * wire without the virtio header, a frame from the wire waits until the
 * driver posts rx buffers (flow control) and then arrives with
 * num_buffers set, the control queue's rx mode filters, a malformed
 * command is answered VIRTIO_NET_ERR, and a command without headers is a
 * guest error (NEEDS_RESET) with qcore still serving.  The rings are built
 * by hand as a driver would.  QEMU's counterpart:
 * tests/qtest/virtio-net-test.c.
 */
#include "libqvirtio.h"
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define DRAM        QVIRTIO_DRAM
#define NET         QVIRTIO_SLOT(7)     /* the last slot */
#define QSIZE       8
#define RING(q)     (DRAM + 0x10000 + 0x4000 * (q))
#define BUF(q, i)   (DRAM + 0x100000 + 0x10000 * (q) + 0x1000 * (i))

enum { RXQ, TXQ, CTRLQ, NQ };

/* MAC, MRG_RXBUF, CTRL_VQ, CTRL_RX; VERSION_1 in the high word. */
#define FEATURES_LO ((1u << 5) | (1u << 15) | (1u << 17) | (1u << 18))

#define HDR 12      /* virtio_net_hdr_mrg_rxbuf */

typedef struct Test {
    QTestState *qts;
    char *log;
    int wire;                   /* our end of the socket netdev */
    QVirtioDev dev;
    QVirtQueue vq[NQ];
} Test;

static void start(Test *t)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int lfd;

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    g_assert(listen(lfd, 1) == 0);
    g_assert(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
    t->log = qtest_log_file_new("virtio-net-test");
    t->qts = qtest_initf("-M virt -bios none -d guest_errors -D %s "
                         "-global virtio-mmio.force-legacy=off "
                         "-netdev socket,id=n0,connect=127.0.0.1:%d "
                         "-device virtio-net-device,netdev=n0",
                         t->log, ntohs(sa.sin_port));
    t->dev = (QVirtioDev){ .qts = t->qts, .base = NET };
    t->wire = accept(lfd, NULL, NULL);
    g_assert(t->wire >= 0);
    close(lfd);
}

static char *stop(Test *t)
{
    char *text = qtest_quit_log(t->qts, t->log);

    close(t->wire);
    return text;
}

/* Linux's virtio_mmio bring-up, modern layout, three queues. */
static void driver_init(Test *t)
{
    qvirtio_writel(&t->dev, DEV_FEATURES_SEL, 0);
    g_assert_cmphex(qvirtio_readl(&t->dev, DEV_FEATURES) & FEATURES_LO, ==,
                    FEATURES_LO);
    qvirtio_start(&t->dev, FEATURES_LO);
    for (int q = 0; q < NQ; q++) {
        qvirtqueue_setup(&t->dev, &t->vq[q], q, RING(q), QSIZE);
    }
    qvirtio_driver_ok(&t->dev);
}

static void set_desc(Test *t, int q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    qvirtqueue_set_desc(&t->dev, &t->vq[q], i, addr, len, flags, next);
}

static void kick(Test *t, int q, uint16_t head)
{
    qvirtqueue_kick(&t->dev, &t->vq[q], head);
}

static void wait_used(Test *t, int q, uint16_t idx)
{
    g_assert(qvirtqueue_wait_used(&t->dev, &t->vq[q], idx));
}

static uint32_t used_len(Test *t, int q, uint16_t idx)
{
    return qvirtqueue_used_len(&t->dev, &t->vq[q], idx);
}

static void frame(uint8_t *f, size_t len, const uint8_t *dst, uint8_t fill)
{
    static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88;   /* a local experimental ethertype */
    f[13] = 0xb5;
    memset(f + 14, fill, len - 14);
}

static void wire_send(Test *t, const uint8_t *f, uint32_t len)
{
    uint32_t be = htonl(len);

    g_assert(write(t->wire, &be, 4) == 4);
    g_assert(write(t->wire, f, len) == (ssize_t)len);
}

static void post_rx(Test *t, unsigned i)
{
    set_desc(t, RXQ, i, BUF(RXQ, i), 0x1000, F_WRITE, 0);
    kick(t, RXQ, i);
}

static uint8_t ctrl(Test *t, uint8_t cls, uint8_t cmd,
                    const void *data, uint32_t len)
{
    uint8_t hdr[2] = { cls, cmd }, ack = 0xee;

    qtest_memwrite(t->qts, BUF(CTRLQ, 0), hdr, 2);
    qtest_memwrite(t->qts, BUF(CTRLQ, 1), data, len);
    qtest_memwrite(t->qts, BUF(CTRLQ, 2), &ack, 1);
    set_desc(t, CTRLQ, 0, BUF(CTRLQ, 0), 2, F_NEXT, 1);
    set_desc(t, CTRLQ, 1, BUF(CTRLQ, 1), len, F_NEXT, 2);
    set_desc(t, CTRLQ, 2, BUF(CTRLQ, 2), 1, F_WRITE, 0);
    kick(t, CTRLQ, 0);
    wait_used(t, CTRLQ, t->vq[CTRLQ].avail_idx);
    g_assert_cmpuint(used_len(t, CTRLQ, t->vq[CTRLQ].avail_idx), ==, 1);
    qtest_memread(t->qts, BUF(CTRLQ, 2), &ack, 1);
    return ack;
}

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t other_mac[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };

static void test_tx_reaches_the_wire_without_the_header(void)
{
    Test t;
    uint8_t f[100], hdr[HDR] = { 0 }, got[100];
    uint32_t be;

    start(&t);
    driver_init(&t);
    /* The config space holds QEMU's default MAC. */
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qtest_readb(t.qts, NET + CONFIG + i), ==, our_mac[i]);
    }
    frame(f, sizeof(f), other_mac, 0x5a);
    qtest_memwrite(t.qts, BUF(TXQ, 0), hdr, HDR);
    qtest_memwrite(t.qts, BUF(TXQ, 1), f, sizeof(f));
    set_desc(&t, TXQ, 0, BUF(TXQ, 0), HDR, F_NEXT, 1);
    set_desc(&t, TXQ, 1, BUF(TXQ, 1), sizeof(f), 0, 0);
    kick(&t, TXQ, 0);
    g_assert(recv(t.wire, &be, 4, MSG_WAITALL) == 4);
    g_assert_cmpuint(ntohl(be), ==, sizeof(f));
    g_assert(recv(t.wire, got, sizeof(got), MSG_WAITALL) == sizeof(got));
    g_assert(!memcmp(got, f, sizeof(f)));
    wait_used(&t, TXQ, 1);
    g_free(stop(&t));
}

static void test_rx_waits_for_buffers_then_arrives(void)
{
    Test t;
    uint8_t f[300], got[HDR + 300];

    start(&t);
    driver_init(&t);
    /*
     * Sent before any rx buffer exists: if qcore reads it first, the card
     * says "not now" and the net layer holds it (and stops reading the
     * socket) until the rx kick flushes it; either way it must arrive.
     */
    frame(f, sizeof(f), our_mac, 0xa5);
    wire_send(&t, f, sizeof(f));
    post_rx(&t, 0);
    wait_used(&t, RXQ, 1);
    g_assert_cmpuint(used_len(&t, RXQ, 1), ==, HDR + sizeof(f));
    qtest_memread(t.qts, BUF(RXQ, 0), got, sizeof(got));
    g_assert_cmpuint(got[10] | got[11] << 8, ==, 1);   /* num_buffers */
    g_assert(!memcmp(got + HDR, f, sizeof(f)));
    g_free(stop(&t));
}

static void test_ctrl_rx_mode_filters_and_bad_commands_fail(void)
{
    Test t;
    uint8_t off = 0, f[64], got[HDR + 64];
    uint8_t short_table[4] = { 5, 0, 0, 0 };   /* 5 MACs promised, none */

    start(&t);
    driver_init(&t);
    g_assert_cmpuint(ctrl(&t, 0 /* RX */, 0 /* PROMISC */, &off, 1), ==,
                     0 /* OK */);
    g_assert_cmpuint(ctrl(&t, 1 /* MAC */, 0 /* TABLE_SET */,
                          short_table, 4), ==, 1 /* ERR */);
    g_assert_cmpuint(ctrl(&t, 0x7f, 0, &off, 1), ==, 1);
    /* Not promiscuous: a frame for another MAC is dropped, ours kept. */
    post_rx(&t, 0);
    frame(f, sizeof(f), other_mac, 1);
    wire_send(&t, f, sizeof(f));
    frame(f, sizeof(f), our_mac, 2);
    wire_send(&t, f, sizeof(f));
    wait_used(&t, RXQ, 1);
    qtest_memread(t.qts, BUF(RXQ, 0), got, sizeof(got));
    g_assert_cmpuint(got[HDR + 14], ==, 2);
    g_free(stop(&t));
}

static void test_ctrl_without_headers_is_a_guest_error(void)
{
    Test t;
    g_autofree char *log = NULL;
    QDict *r;

    start(&t);
    driver_init(&t);
    /* A lone device-writable byte: no class and command to read. */
    set_desc(&t, CTRLQ, 0, BUF(CTRLQ, 0), 1, F_WRITE, 0);
    kick(&t, CTRLQ, 0);
    qvirtio_wait_needs_reset(&t.dev);
    r = qtest_qmp(t.qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    /* The driver's reset brings it back. */
    driver_init(&t);
    g_assert_cmphex(qvirtio_readl(&t.dev, STATUS) & S_NEEDS_RESET, ==, 0);
    log = stop(&t);
    g_assert(strstr(log, "virtio-net ctrl missing headers"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-net/tx", test_tx_reaches_the_wire_without_the_header);
    g_test_add_func("/virtio-net/rx-flow-control",
                    test_rx_waits_for_buffers_then_arrives);
    g_test_add_func("/virtio-net/ctrl-rx-filter",
                    test_ctrl_rx_mode_filters_and_bad_commands_fail);
    g_test_add_func("/virtio-net/ctrl-missing-headers",
                    test_ctrl_without_headers_is_a_guest_error);
    return g_test_run();
}
