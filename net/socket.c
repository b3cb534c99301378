/*
 * -netdev socket,listen=|connect=: frames over one TCP connection, each
 * preceded by its length as 4 bytes big-endian (QEMU's framing, so qcore
 * and QEMU guests share a wire).  Corresponds to the stream half of
 * QEMU's net/socket.c and net_fill_rstate in net/net.c.
 *
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "clients.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* The largest frame a peer may announce: QEMU's NET_BUFSIZE. */
#define NET_BUFSIZE (4096 + 65536)

typedef struct NetSocketState {
    NetClientState nc;
    int listen_fd;              /* -1 unless listen= */
    int fd;                     /* the connection, -1 while none */
    bool read_poll;             /* reading: the peer takes our frames */
    bool write_poll;            /* a frame is half written */
    bool connecting;            /* connect= still in progress */
    unsigned send_index;        /* bytes of the current frame written */
    /* Receive state (QEMU's SocketReadState). */
    int rs_state;               /* 0: reading the length, 1: the frame */
    uint32_t rs_index;
    uint32_t rs_packet_len;
    uint8_t rs_buf[NET_BUFSIZE];
} NetSocketState;

static void net_socket_update_fd_handler(NetSocketState *s);

static void net_socket_rs_init(NetSocketState *s)
{
    s->rs_state = 0;
    s->rs_index = 0;
    s->rs_packet_len = 0;
}

static void net_socket_send_completed(NetClientState *nc, ssize_t len)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    if (!s->read_poll) {
        s->read_poll = true;
        net_socket_update_fd_handler(s);
    }
}

/*
 * Feed received bytes through the framing.  -1: the peer announced a
 * frame larger than any Ethernet frame we take; the connection is cut.
 */
static int net_fill_rstate(NetSocketState *s, const uint8_t *buf, int size)
{
    while (size > 0) {
        if (s->rs_state == 0) {
            int l = MIN(size, 4 - (int)s->rs_index);

            memcpy(s->rs_buf + s->rs_index, buf, l);
            buf += l;
            size -= l;
            s->rs_index += l;
            if (s->rs_index == 4) {
                uint32_t be;

                memcpy(&be, s->rs_buf, 4);
                s->rs_packet_len = ntohl(be);
                s->rs_index = 0;
                s->rs_state = 1;
                if (s->rs_packet_len > NET_BUFSIZE) {
                    error_report("serious error: oversized packet received,"
                                 "connection terminated.");
                    net_socket_rs_init(s);
                    return -1;
                }
            }
        } else {
            int l = MIN(size, (int)(s->rs_packet_len - s->rs_index));

            memcpy(s->rs_buf + s->rs_index, buf, l);
            buf += l;
            size -= l;
            s->rs_index += l;
        }
        if (s->rs_state == 1 && s->rs_index == s->rs_packet_len) {
            /* Queued when the NIC is full: stop reading until it drains. */
            if (qemu_send_packet_async(&s->nc, s->rs_buf, s->rs_packet_len,
                                       net_socket_send_completed) == 0) {
                s->read_poll = false;
                net_socket_update_fd_handler(s);
            }
            net_socket_rs_init(s);
        }
    }
    return 0;
}

static void net_socket_accept(void *opaque);

/* The connection ended (or was cut): wait for the next one if listening. */
static void net_socket_eoc(NetSocketState *s)
{
    s->read_poll = false;
    s->write_poll = false;
    qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
    close(s->fd);
    s->fd = -1;
    s->send_index = 0;
    net_socket_rs_init(s);
    s->nc.link_down = true;
    qemu_set_info_str(&s->nc, "%s", "");
    /*
     * Frames the NIC queued for the lost peer are dropped (their sent_cb
     * runs, so the device goes on); those the peer sent before it went
     * still reach the NIC.
     */
    if (s->nc.peer) {
        qemu_net_queue_purge(s->nc.incoming_queue, s->nc.peer);
    }
    if (s->listen_fd != -1) {
        qemu_set_fd_handler(s->listen_fd, net_socket_accept, NULL, s);
    }
}

static void net_socket_send(void *opaque)
{
    NetSocketState *s = opaque;
    uint8_t buf[NET_BUFSIZE];
    ssize_t size = recv(s->fd, buf, sizeof(buf), 0);

    if (size < 0) {
        if (errno == EAGAIN || errno == EINTR) {
            return;
        }
        net_socket_eoc(s);
        return;
    }
    if (size == 0) {
        net_socket_eoc(s);
        return;
    }
    if (net_fill_rstate(s, buf, size) < 0) {
        net_socket_eoc(s);
    }
}

static void net_socket_writable(void *opaque)
{
    NetSocketState *s = opaque;

    s->write_poll = false;
    net_socket_update_fd_handler(s);
    /* The half-written frame is still queued: this sends the rest. */
    qemu_flush_queued_packets(&s->nc);
}

static void net_socket_connected(void *opaque)
{
    NetSocketState *s = opaque;
    int err = 0;
    socklen_t len = sizeof(err);

    s->connecting = false;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        net_socket_eoc(s);
        return;
    }
    s->nc.link_down = false;
    s->read_poll = true;
    net_socket_update_fd_handler(s);
}

static void net_socket_update_fd_handler(NetSocketState *s)
{
    if (s->fd < 0) {
        return;
    }
    if (s->connecting) {
        qemu_set_fd_handler(s->fd, NULL, net_socket_connected, s);
        return;
    }
    qemu_set_fd_handler(s->fd, s->read_poll ? net_socket_send : NULL,
                        s->write_poll ? net_socket_writable : NULL, s);
}

static ssize_t net_socket_receive(NetClientState *nc, const uint8_t *buf,
                                  size_t size)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);
    uint32_t len = htonl(size);
    struct iovec iov[2] = {
        { .iov_base = &len, .iov_len = 4 },
        { .iov_base = (void *)buf, .iov_len = size },
    };
    size_t total = 4 + size, done = s->send_index;
    struct iovec *v = iov;
    int cnt = 2;
    ssize_t ret;

    if (s->fd < 0) {
        return size;                    /* no peer on the wire: lost */
    }
    /* Skip what an earlier call wrote of this same frame. */
    while (done >= v->iov_len) {
        done -= v->iov_len;
        v++;
        cnt--;
    }
    v->iov_base = (uint8_t *)v->iov_base + done;
    v->iov_len -= done;
    ret = writev(s->fd, v, cnt);
    if (ret < 0 && (errno == EAGAIN || errno == EINTR)) {
        ret = 0;
    }
    if (ret < 0) {
        s->send_index = 0;
        return -errno;
    }
    if (s->send_index + ret < total) {
        /* The peer does not read: the frame waits in our queue. */
        s->send_index += ret;
        s->write_poll = true;
        net_socket_update_fd_handler(s);
        return 0;
    }
    s->send_index = 0;
    return size;
}

static void net_socket_cleanup(NetClientState *nc)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    if (s->fd != -1) {
        qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    if (s->listen_fd != -1) {
        qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
        s->listen_fd = -1;
    }
}

static NetClientInfo net_socket_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(NetSocketState),
    .receive = net_socket_receive,
    .cleanup = net_socket_cleanup,
};

static void net_socket_accept(void *opaque)
{
    NetSocketState *s = opaque;
    struct sockaddr_in saddr;
    socklen_t len = sizeof(saddr);
    int fd = accept4(s->listen_fd, (struct sockaddr *)&saddr, &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0) {
        return;
    }
    /* One peer at a time: the listener rests until it goes. */
    qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
    s->fd = fd;
    s->nc.link_down = false;
    s->read_poll = true;
    net_socket_update_fd_handler(s);
    qemu_set_info_str(&s->nc, "socket: connection from %s:%d",
                      inet_ntoa(saddr.sin_addr), ntohs(saddr.sin_port));
}

/* "host:port" (host empty: any), IPv4 as QEMU's -netdev socket. */
static bool parse_host_port(struct sockaddr_in *saddr, const char *str,
                            Error **errp)
{
    const char *colon = strrchr(str, ':');
    g_autofree char *host = NULL;
    char *end;
    long port;

    if (!colon) {
        error_setg(errp, "host address '%s' doesn't contain ':' "
                   "separating host from port", str);
        return false;
    }
    host = g_strndup(str, colon - str);
    memset(saddr, 0, sizeof(*saddr));
    saddr->sin_family = AF_INET;
    if (!host[0]) {
        saddr->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (!inet_aton(host, &saddr->sin_addr)) {
        struct addrinfo hints = { .ai_family = AF_INET }, *res;

        if (getaddrinfo(host, NULL, &hints, &res)) {
            error_setg(errp, "host not found: %s", host);
            return false;
        }
        saddr->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535) {
        error_setg(errp, "port number '%s' is invalid", colon + 1);
        return false;
    }
    saddr->sin_port = htons(port);
    return true;
}

static NetSocketState *net_socket_new(NetClientState *peer, const char *name)
{
    NetClientState *nc = qemu_new_net_client(&net_socket_info, peer,
                                             "socket", name);
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    s->listen_fd = -1;
    s->fd = -1;
    net_socket_rs_init(s);
    return s;
}

static int net_socket_listen_init(NetClientState *peer, const char *name,
                                  const char *host_str, Error **errp)
{
    struct sockaddr_in saddr;
    NetSocketState *s;
    int fd, one = 1;

    if (!parse_host_port(&saddr, host_str, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&saddr, sizeof(saddr)) < 0) {
        error_setg_errno(errp, errno, "can't bind ip=%s to socket",
                         inet_ntoa(saddr.sin_addr));
        close(fd);
        return -1;
    }
    if (listen(fd, 0) < 0) {
        error_setg_errno(errp, errno, "can't listen on socket");
        close(fd);
        return -1;
    }
    s = net_socket_new(peer, name);
    s->listen_fd = fd;
    s->nc.link_down = true;
    qemu_set_fd_handler(fd, net_socket_accept, NULL, s);
    return 0;
}

static int net_socket_connect_init(NetClientState *peer, const char *name,
                                   const char *host_str, Error **errp)
{
    struct sockaddr_in saddr;
    NetSocketState *s;
    int fd, ret;

    if (!parse_host_port(&saddr, host_str, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    do {
        ret = connect(fd, (struct sockaddr *)&saddr, sizeof(saddr));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0 && errno != EINPROGRESS) {
        error_setg_errno(errp, errno, "can't connect socket");
        close(fd);
        return -1;
    }
    s = net_socket_new(peer, name);
    s->fd = fd;
    if (ret < 0) {
        s->connecting = true;
        s->nc.link_down = true;
    } else {
        s->read_poll = true;
    }
    net_socket_update_fd_handler(s);
    qemu_set_info_str(&s->nc, "socket: connect to %s:%d",
                      inet_ntoa(saddr.sin_addr), ntohs(saddr.sin_port));
    return 0;
}

int net_socket_listen_port(NetClientState *nc)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);
    struct sockaddr_in saddr;
    socklen_t len = sizeof(saddr);

    if (nc->info != &net_socket_info || s->listen_fd < 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&saddr, &len) < 0) {
        return -1;
    }
    return ntohs(saddr.sin_port);
}

int net_init_socket(const Netdev *netdev, const char *name,
                    NetClientState *peer, Error **errp)
{
    const NetdevSocketOptions *sock = &netdev->u.socket;

    if (!!sock->fd + !!sock->listen + !!sock->connect + !!sock->mcast +
        !!sock->udp != 1) {
        error_setg(errp, "exactly one of listen=, connect=, mcast= or udp="
                   " is required");
        return -1;
    }
    if (sock->localaddr && !sock->mcast && !sock->udp) {
        error_setg(errp, "localaddr= is only valid with mcast= or udp=");
        return -1;
    }
    if (sock->listen) {
        return net_socket_listen_init(peer, name, sock->listen, errp);
    }
    if (sock->connect) {
        return net_socket_connect_init(peer, name, sock->connect, errp);
    }
    error_setg(errp, "-netdev socket,%s= is not supported by qcore",
               sock->fd ? "fd" : sock->mcast ? "mcast" : "udp");
    return -1;
}
