/*
 * -netdev user: user-mode networking through libslirp.  The stack's
 * sockets join each main-loop iteration through a poll notifier, its
 * timers are QEMUTimers on the virtual clock, and frames go between it
 * and the peer NIC as between any two net clients.  Corresponds to QEMU's
 * net/slirp.c.
 *
 * Main thread, BQL held (slirp_stacks and every SlirpState).
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/timer.h"
#include "clients.h"
#include <arpa/inet.h>
#include <slirp/libslirp.h>

typedef struct SlirpState {
    NetClientState nc;
    QTAILQ_ENTRY(SlirpState) entry;
    Slirp *slirp;
    Notifier poll_notifier;
} SlirpState;

/* Every user-mode stack, oldest first (hostfwd_add without an id). */
static QTAILQ_HEAD(, SlirpState) slirp_stacks =
    QTAILQ_HEAD_INITIALIZER(slirp_stacks);

/* ---- libslirp's callbacks ------------------------------------------- */

static ssize_t net_slirp_send_packet(const void *pkt, size_t pkt_len,
                                           void *opaque)
{
    SlirpState *s = opaque;

    /* Queued (bounded) when the NIC cannot take it: slirp never waits. */
    return qemu_send_packet(&s->nc, pkt, pkt_len);
}

static void net_slirp_guest_error(const char *msg, void *opaque)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s", msg);
}

/* The virtual clock, as QEMU: a stopped guest stops slirp's TCP timers. */
static int64_t net_slirp_clock_get_ns(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

typedef struct SlirpTimer {
    QEMUTimer *timer;
    Slirp *slirp;
    SlirpTimerId id;
    void *cb_opaque;
} SlirpTimer;

static void net_slirp_timer_cb(void *opaque)
{
    SlirpTimer *t = opaque;

    slirp_handle_timer(t->slirp, t->id, t->cb_opaque);
}

static void *net_slirp_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                        void *opaque)
{
    SlirpState *s = opaque;
    SlirpTimer *t = g_new0(SlirpTimer, 1);

    t->slirp = s->slirp;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->timer = timer_new_full(NULL, QEMU_CLOCK_VIRTUAL, SCALE_MS,
                              net_slirp_timer_cb, t);
    return t;
}

static void net_slirp_timer_free(void *timer, void *opaque)
{
    SlirpTimer *t = timer;

    timer_free(t->timer);
    g_free(t);
}

static void net_slirp_timer_mod(void *timer, int64_t expire_timer,
                                void *opaque)
{
    SlirpTimer *t = timer;

    timer_mod(t->timer, expire_timer);
}

/* The poll notifier sees every fd each iteration: nothing to register. */
static void net_slirp_register_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_unregister_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_notify(void *opaque)
{
    qemu_notify_event();
}

static const SlirpCb slirp_cb = {
    .send_packet = net_slirp_send_packet,
    .guest_error = net_slirp_guest_error,
    .clock_get_ns = net_slirp_clock_get_ns,
    .timer_free = net_slirp_timer_free,
    .timer_mod = net_slirp_timer_mod,
    .register_poll_fd = net_slirp_register_poll_fd,
    .unregister_poll_fd = net_slirp_unregister_poll_fd,
    .notify = net_slirp_notify,
    .timer_new_opaque = net_slirp_timer_new_opaque,
};

/* ---- the main loop's poll notifier ----------------------------------- */

static int net_slirp_add_poll(int fd, int events, void *opaque)
{
    GArray *pollfds = opaque;
    GPollFD pfd = { .fd = fd };

    pfd.events |= events & SLIRP_POLL_IN ? G_IO_IN : 0;
    pfd.events |= events & SLIRP_POLL_OUT ? G_IO_OUT : 0;
    pfd.events |= events & SLIRP_POLL_PRI ? G_IO_PRI : 0;
    pfd.events |= events & SLIRP_POLL_ERR ? G_IO_ERR : 0;
    pfd.events |= events & SLIRP_POLL_HUP ? G_IO_HUP : 0;
    g_array_append_val(pollfds, pfd);
    return pollfds->len - 1;
}

static int net_slirp_get_revents(int idx, void *opaque)
{
    GArray *pollfds = opaque;
    int revents, events = 0;

    if (idx < 0 || idx >= pollfds->len) {
        return 0;
    }
    revents = g_array_index(pollfds, GPollFD, idx).revents;
    events |= revents & G_IO_IN ? SLIRP_POLL_IN : 0;
    events |= revents & G_IO_OUT ? SLIRP_POLL_OUT : 0;
    events |= revents & G_IO_PRI ? SLIRP_POLL_PRI : 0;
    events |= revents & G_IO_ERR ? SLIRP_POLL_ERR : 0;
    events |= revents & G_IO_HUP ? SLIRP_POLL_HUP : 0;
    return events;
}

static void net_slirp_poll_notify(Notifier *notifier, void *data)
{
    MainLoopPoll *poll = data;
    SlirpState *s = container_of(notifier, SlirpState, poll_notifier);

    switch (poll->state) {
    case MAIN_LOOP_POLL_FILL:
        slirp_pollfds_fill(s->slirp, &poll->timeout, net_slirp_add_poll,
                           poll->pollfds);
        break;
    case MAIN_LOOP_POLL_OK:
    case MAIN_LOOP_POLL_ERR:
        slirp_pollfds_poll(s->slirp, poll->state == MAIN_LOOP_POLL_ERR,
                           net_slirp_get_revents, poll->pollfds);
        break;
    }
}

/* ---- the net client ---------------------------------------------------- */

static ssize_t net_slirp_receive(NetClientState *nc, const uint8_t *buf,
                                 size_t size)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    slirp_input(s->slirp, buf, size);
    return size;
}

static void net_slirp_cleanup(NetClientState *nc)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    main_loop_poll_remove_notifier(&s->poll_notifier);
    slirp_cleanup(s->slirp);
    QTAILQ_REMOVE(&slirp_stacks, s, entry);
}

static NetClientInfo net_slirp_client_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(SlirpState),
    .receive = net_slirp_receive,
    .cleanup = net_slirp_cleanup,
};

/* ---- hostfwd ----------------------------------------------------------- */

/* Cut *pp at @sep: the part before it into @buf; -1 if there is none. */
static int get_str_sep(char *buf, size_t size, const char **pp, int sep)
{
    const char *p = *pp, *end = strchr(p, sep);

    if (!end) {
        return -1;
    }
    g_strlcpy(buf, p, MIN(size, (size_t)(end - p) + 1));
    *pp = end + 1;
    return 0;
}

static bool parse_port(const char *str, int min, int *port)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(str, &end, 0);
    if (errno || end == str || *end || v < min || v > 65535) {
        return false;
    }
    *port = v;
    return true;
}

/* "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport" (QEMU's syntax) */
static bool slirp_hostfwd(SlirpState *s, const char *redir_str, Error **errp)
{
    struct in_addr host_addr = { .s_addr = INADDR_ANY };
    struct in_addr guest_addr = { .s_addr = 0 };
    int host_port, guest_port, is_udp;
    const char *p = redir_str, *reason;
    char buf[256];

    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0) {
        reason = "No : separators";
        goto fail;
    }
    if (!strcmp(buf, "tcp") || !buf[0]) {
        is_udp = 0;
    } else if (!strcmp(buf, "udp")) {
        is_udp = 1;
    } else {
        reason = "Bad protocol name";
        goto fail;
    }
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0) {
        reason = "Missing : separator";
        goto fail;
    }
    if (buf[0] && !inet_aton(buf, &host_addr)) {
        reason = "Bad host address";
        goto fail;
    }
    if (get_str_sep(buf, sizeof(buf), &p, '-') < 0) {
        reason = "Bad host port separator";
        goto fail;
    }
    if (!parse_port(buf, 0, &host_port)) {
        reason = "Bad host port";
        goto fail;
    }
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0) {
        reason = "Missing guest address";
        goto fail;
    }
    if (buf[0] && !inet_aton(buf, &guest_addr)) {
        reason = "Bad guest address";
        goto fail;
    }
    if (!parse_port(p, 1, &guest_port)) {
        reason = "Bad guest port";
        goto fail;
    }
    /* guest_addr 0: libslirp forwards to the first DHCP address. */
    if (slirp_add_hostfwd(s->slirp, is_udp, host_addr, host_port,
                          guest_addr, guest_port) < 0) {
        error_setg(errp, "Could not set up host forwarding rule '%s'",
                   redir_str);
        return false;
    }
    return true;

fail:
    error_setg(errp, "Invalid host forwarding rule '%s' (%s)", redir_str,
               reason);
    return false;
}

static SlirpState *slirp_lookup(const char *id, GString *out)
{
    NetClientState *nc;

    if (!id) {
        if (QTAILQ_EMPTY(&slirp_stacks)) {
            g_string_append(out, "user mode network stack not in use\n");
            return NULL;
        }
        return QTAILQ_FIRST(&slirp_stacks);
    }
    nc = qemu_find_netdev(id);
    if (!nc) {
        g_string_append_printf(out, "unrecognized netdev id '%s'\n", id);
        return NULL;
    }
    if (nc->info != &net_slirp_client_info) {
        g_string_append(out, "invalid device specified\n");
        return NULL;
    }
    return container_of(nc, SlirpState, nc);
}

void net_slirp_hostfwd_add(const char *id, const char *redir, GString *out)
{
    SlirpState *s = slirp_lookup(id, out);
    Error *err = NULL;

    if (s && !slirp_hostfwd(s, redir, &err)) {
        g_string_append_printf(out, "%s\n", error_get_pretty(err));
        error_free(err);
    }
}

void net_slirp_hostfwd_remove(const char *id, const char *src_str,
                              GString *out)
{
    struct in_addr host_addr = { .s_addr = INADDR_ANY };
    SlirpState *s = slirp_lookup(id, out);
    const char *p = src_str;
    int host_port, is_udp, err;
    char buf[256];

    if (!s) {
        return;
    }
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0) {
        goto fail_syntax;
    }
    if (!strcmp(buf, "tcp") || !buf[0]) {
        is_udp = 0;
    } else if (!strcmp(buf, "udp")) {
        is_udp = 1;
    } else {
        goto fail_syntax;
    }
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0) {
        goto fail_syntax;
    }
    if (buf[0] && !inet_aton(buf, &host_addr)) {
        goto fail_syntax;
    }
    if (!parse_port(p, 0, &host_port)) {
        goto fail_syntax;
    }
    err = slirp_remove_hostfwd(s->slirp, is_udp, host_addr, host_port);
    g_string_append_printf(out, "host forwarding rule for %s %s\n", src_str,
                           err ? "not found" : "removed");
    return;

fail_syntax:
    g_string_append(out, "invalid format\n");
}

void net_slirp_info(GString *out)
{
    SlirpState *s;

    QTAILQ_FOREACH(s, &slirp_stacks, entry) {
        g_autofree char *info = slirp_connection_info(s->slirp);
        int id;
        bool hub = net_hub_id_for_client(&s->nc, &id);

        g_string_append_printf(out, "Hub %d (%s):\n%s", hub ? id : -1,
                               s->nc.name, info);
    }
}

/* ---- -netdev user ------------------------------------------------------ */

/*
 * net=: "addr/bits", "addr/mask" or a bare address whose mask follows
 * the address class, as QEMU (and slirp before it) guess it.
 */
static bool parse_vnetwork(const char *str, struct in_addr *net,
                           struct in_addr *mask, Error **errp)
{
    const char *slash = strchr(str, '/');
    g_autofree char *addr = g_strndup(str, slash ? slash - str : strlen(str));

    if (!inet_aton(addr, net)) {
        error_setg(errp, "Failed to parse netmask");
        return false;
    }
    if (!slash) {
        uint32_t a = ntohl(net->s_addr), m;

        if (!(a & 0x80000000)) {
            m = 0xff000000;                     /* class A */
        } else if ((a & 0xfff00000) == 0xac100000) {
            m = 0xfff00000;                     /* 172.16.0.0/12 */
        } else if ((a & 0xc0000000) == 0x80000000) {
            m = 0xffff0000;                     /* class B */
        } else if ((a & 0xffff0000) == 0xc0a80000) {
            m = 0xffff0000;                     /* 192.168.0.0/16 */
        } else if ((a & 0xe0000000) == 0xe0000000) {
            m = 0xffffff00;                     /* class C */
        } else {
            m = 0xfffffff0;
        }
        mask->s_addr = htonl(m);
    } else {
        char *end;
        long shift = strtol(slash + 1, &end, 10);

        if (*end || end == slash + 1) {
            if (!inet_aton(slash + 1, mask)) {
                error_setg(errp, "Failed to parse netmask '%s'", slash + 1);
                return false;
            }
        } else {
            if (shift < 4 || shift > 32) {
                error_setg(errp, "Invalid netmask provided (must be in range "
                           "4-32)");
                return false;
            }
            mask->s_addr = htonl(shift == 32 ? 0xffffffff
                                 : ~(0xffffffffu >> shift));
        }
    }
    net->s_addr &= mask->s_addr;
    return true;
}

int net_init_slirp(const Netdev *netdev, const char *name,
                   NetClientState *peer, Error **errp)
{
    const NetdevUserOptions *user = &netdev->u.user;
    struct in_addr net = { .s_addr = htonl(0x0a000200) };     /* 10.0.2.0 */
    struct in_addr mask = { .s_addr = htonl(0xffffff00) };
    struct in_addr host, dhcp, dns;
    struct in6_addr ip6_prefix, ip6_host, ip6_dns;
    g_autofree const char **dnssearch = NULL;
    SlirpConfig cfg = { 0 };
    bool ipv4 = !user->has_ipv4 || user->ipv4;
    bool ipv6 = !user->has_ipv6 || user->ipv6;
    const char *vnet = user->net ?: user->ip;
    NetClientState *nc;
    SlirpState *s;
    int n = 0;

    if (!ipv4 && (user->net || user->host)) {
        error_setg(errp, "IPv4 disabled but netmask/host given");
        return -1;
    }
    if (!ipv4 && !ipv6) {
        error_setg(errp, "IPv4 and IPv6 disabled simultaneously");
        return -1;
    }
    if (user->smb || user->guestfwd) {
        error_setg(errp, "%s is not supported by qcore's -netdev user",
                   user->smb ? "smb" : "guestfwd");
        return -1;
    }
    if (vnet && !parse_vnetwork(vnet, &net, &mask, errp)) {
        return -1;
    }
    /* Historic slirp: host .2, DNS .3, DHCP from .15 of the network. */
    host.s_addr = net.s_addr | (htonl(0x0202) & ~mask.s_addr);
    dhcp.s_addr = net.s_addr | (htonl(0x020f) & ~mask.s_addr);
    dns.s_addr = net.s_addr | (htonl(0x0203) & ~mask.s_addr);
    if (user->host && !inet_aton(user->host, &host)) {
        error_setg(errp, "Failed to parse host");
        return -1;
    }
    if ((host.s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "Host doesn't belong to network");
        return -1;
    }
    if (user->dns && !inet_aton(user->dns, &dns)) {
        error_setg(errp, "Failed to parse DNS");
        return -1;
    }
    if (user->q_restrict && (dns.s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "DNS doesn't belong to network");
        return -1;
    }
    if (dns.s_addr == host.s_addr) {
        error_setg(errp, "DNS must be different from host");
        return -1;
    }
    if (user->dhcpstart && !inet_aton(user->dhcpstart, &dhcp)) {
        error_setg(errp, "Failed to parse DHCP start address");
        return -1;
    }
    if ((dhcp.s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "DHCP doesn't belong to network");
        return -1;
    }
    if (dhcp.s_addr == host.s_addr || dhcp.s_addr == dns.s_addr) {
        error_setg(errp, "DNS must be different from host and DNS");
        return -1;
    }
    if (user->hostname && strlen(user->hostname) > 255) {
        error_setg(errp, "'hostname' parameter cannot exceed 255 bytes");
        return -1;
    }
    if (user->domainname && !*user->domainname) {
        error_setg(errp, "'domainname' parameter cannot be empty");
        return -1;
    }
    if (user->domainname && strlen(user->domainname) > 255) {
        error_setg(errp, "'domainname' parameter cannot exceed 255 bytes");
        return -1;
    }

    /* IPv6 as QEMU's defaults: fec0::/64, host ::2, DNS ::3. */
    inet_pton(AF_INET6, user->ipv6_prefix ?: "fec0::", &ip6_prefix);
    if (user->ipv6_prefix && !inet_pton(AF_INET6, user->ipv6_prefix,
                                        &ip6_prefix)) {
        error_setg(errp, "Failed to parse IPv6 prefix");
        return -1;
    }
    if (user->has_ipv6_prefixlen &&
        (user->ipv6_prefixlen < 0 || user->ipv6_prefixlen > 126)) {
        error_setg(errp, "Invalid IPv6 prefix provided");
        return -1;
    }
    ip6_host = ip6_prefix;
    ip6_host.s6_addr[15] |= 2;
    if (user->ipv6_host && !inet_pton(AF_INET6, user->ipv6_host, &ip6_host)) {
        error_setg(errp, "Failed to parse IPv6 host");
        return -1;
    }
    ip6_dns = ip6_prefix;
    ip6_dns.s6_addr[15] |= 3;
    if (user->ipv6_dns && !inet_pton(AF_INET6, user->ipv6_dns, &ip6_dns)) {
        error_setg(errp, "Failed to parse IPv6 DNS");
        return -1;
    }

    for (const StringList *l = user->dnssearch; l; l = l->next) {
        n++;
    }
    if (n) {
        dnssearch = g_new0(const char *, n + 1);
        n = 0;
        for (const StringList *l = user->dnssearch; l; l = l->next) {
            dnssearch[n++] = l->value->str;
        }
    }

    cfg.version = 4;
    cfg.restricted = user->has_q_restrict && user->q_restrict;
    cfg.in_enabled = ipv4;
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    cfg.vhost = host;
    cfg.in6_enabled = ipv6;
    cfg.vprefix_addr6 = ip6_prefix;
    cfg.vprefix_len = user->has_ipv6_prefixlen ? user->ipv6_prefixlen : 64;
    cfg.vhost6 = ip6_host;
    cfg.vhostname = user->hostname;
    cfg.tftp_server_name = user->tftp_server_name;
    cfg.tftp_path = user->tftp;
    cfg.bootfile = user->bootfile;
    cfg.vdhcp_start = dhcp;
    cfg.vnameserver = dns;
    cfg.vnameserver6 = ip6_dns;
    cfg.vdnssearch = dnssearch;
    cfg.vdomainname = user->domainname;

    nc = qemu_new_net_client(&net_slirp_client_info, peer, "user", name);
    qemu_set_info_str(nc, "net=%s,restrict=%s", inet_ntoa(net),
                      cfg.restricted ? "on" : "off");
    s = container_of(nc, SlirpState, nc);
    s->slirp = slirp_new(&cfg, &slirp_cb, s);
    QTAILQ_INSERT_TAIL(&slirp_stacks, s, entry);
    s->poll_notifier.notify = net_slirp_poll_notify;
    main_loop_poll_add_notifier(&s->poll_notifier);

    for (const StringList *l = user->hostfwd; l; l = l->next) {
        if (!slirp_hostfwd(s, l->value->str, errp)) {
            qemu_del_net_client(nc);
            return -1;
        }
    }
    return 0;
}
