/*
 * -netdev tap,ifname=,script=no,downscript=no: frames to and from a Linux
 * TAP interface through /dev/net/tun (no vnet header, no helper, no
 * scripts).  Corresponds to QEMU's net/tap.c and net/tap-linux.c.
 *
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "clients.h"
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

typedef struct TAPState {
    NetClientState nc;
    int fd;
    bool read_poll;             /* reading: the peer takes our frames */
    bool write_poll;            /* the kernel's queue was full */
    char ifname[IFNAMSIZ];
    uint8_t buf[65536 + 4096];
} TAPState;

static void tap_update_fd_handler(TAPState *s);

static void tap_send_completed(NetClientState *nc, ssize_t len)
{
    TAPState *s = container_of(nc, TAPState, nc);

    s->read_poll = true;
    tap_update_fd_handler(s);
}

static void tap_send(void *opaque)
{
    TAPState *s = opaque;

    /* A bounded batch, so that a busy interface cannot hog the BQL. */
    for (int packets = 0; packets < 50; packets++) {
        ssize_t size = read(s->fd, s->buf, sizeof(s->buf));

        if (size <= 0) {
            break;
        }
        if (qemu_send_packet_async(&s->nc, s->buf, size,
                                   tap_send_completed) == 0) {
            s->read_poll = false;
            tap_update_fd_handler(s);
            break;
        }
    }
}

static void tap_writable(void *opaque)
{
    TAPState *s = opaque;

    s->write_poll = false;
    tap_update_fd_handler(s);
    qemu_flush_queued_packets(&s->nc);
}

static void tap_update_fd_handler(TAPState *s)
{
    qemu_set_fd_handler(s->fd, s->read_poll ? tap_send : NULL,
                        s->write_poll ? tap_writable : NULL, s);
}

static ssize_t tap_receive(NetClientState *nc, const uint8_t *buf,
                           size_t size)
{
    TAPState *s = container_of(nc, TAPState, nc);
    ssize_t ret;

    do {
        ret = write(s->fd, buf, size);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0 && errno == EAGAIN) {
        s->write_poll = true;
        tap_update_fd_handler(s);
        return 0;
    }
    return ret < 0 ? -errno : ret;
}

static void tap_cleanup(NetClientState *nc)
{
    TAPState *s = container_of(nc, TAPState, nc);

    qemu_purge_queued_packets(nc);
    qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
    close(s->fd);
}

static NetClientInfo net_tap_info = {
    .type = NET_CLIENT_DRIVER_TAP,
    .size = sizeof(TAPState),
    .receive = tap_receive,
    .cleanup = tap_cleanup,
};

static int tap_open(const char *ifname, char *ifname_out, Error **errp)
{
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open %s", "/dev/net/tun");
        return -1;
    }
    if (ifname && ifname[0]) {
        g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
    } else {
        g_strlcpy(ifr.ifr_name, "tap%d", IFNAMSIZ);
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        if (ifname && ifname[0]) {
            error_setg_errno(errp, errno, "could not configure %s (%s)",
                             "/dev/net/tun", ifr.ifr_name);
        } else {
            error_setg_errno(errp, errno, "could not configure %s",
                             "/dev/net/tun");
        }
        close(fd);
        return -1;
    }
    g_strlcpy(ifname_out, ifr.ifr_name, IFNAMSIZ);
    return fd;
}

/* script= other than "no" would run a program as root: not in qcore. */
static bool script_is_none(const char *script)
{
    return !script || !strcmp(script, "no") || !script[0];
}

int net_init_tap(const Netdev *netdev, const char *name,
                 NetClientState *peer, Error **errp)
{
    const NetdevTapOptions *tap = &netdev->u.tap;
    char ifname[IFNAMSIZ];
    NetClientState *nc;
    TAPState *s;
    int fd;

    if (tap->fd || tap->fds || tap->helper || tap->br || tap->vhostfd ||
        tap->vhostfds || (tap->has_vhost && tap->vhost) ||
        (tap->has_queues && tap->queues > 1)) {
        error_setg(errp, "qcore's -netdev tap takes only ifname=, script=no "
                   "and downscript=no");
        return -1;
    }
    if (!script_is_none(tap->script) || !script_is_none(tap->downscript)) {
        error_setg(errp, "qcore's -netdev tap runs no scripts: give "
                   "script=no,downscript=no");
        return -1;
    }
    if (access("/dev/net/tun", F_OK) < 0) {
        error_setg(errp, "-netdev tap needs /dev/net/tun, which this host "
                   "does not have");
        return -1;
    }
    fd = tap_open(tap->ifname, ifname, errp);
    if (fd < 0) {
        return -1;
    }
    nc = qemu_new_net_client(&net_tap_info, peer, "tap", name);
    s = container_of(nc, TAPState, nc);
    s->fd = fd;
    g_strlcpy(s->ifname, ifname, sizeof(s->ifname));
    s->read_poll = true;
    tap_update_fd_handler(s);
    qemu_set_info_str(nc, "ifname=%s,script=no,downscript=no", ifname);
    return 0;
}
