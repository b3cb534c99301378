/*
 * Net clients and how packets go between peers: creation and deletion,
 * the send paths into the peer's NetQueue, flow control, NIC names and
 * MACs, -netdev/netdev_add/netdev_del, set_link, query-rx-filter.
 * Corresponds to QEMU's net/net.c.
 *
 * Main thread, BQL held: net_clients and every client's fields.
 */
#include "qcore/osdep.h"
#include "qcore/id.h"
#include "qcore/main-loop.h"
#include "qcore/net.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "qapi/qobject-input-visitor.h"
#include "qcore/qjson.h"
#include "clients.h"

/* Every client, in creation order (what "info network" walks). */
static QTAILQ_HEAD(, NetClientState) net_clients =
    QTAILQ_HEAD_INITIALIZER(net_clients);

/* net_vm_change_state_handler: false until the system layer says. */
static bool net_vm_running;

NICInfo nd_table[MAX_NICS];
int nb_nics;

/* ---- MAC addresses ----------------------------------------------------- */

/* How many NICs use 52:54:00:12:34:NN, by NN. */
static int mac_table[256];

static bool mac_is_default_scheme(const MACAddr *mac)
{
    static const uint8_t base[5] = { 0x52, 0x54, 0x00, 0x12, 0x34 };

    return !memcmp(mac->a, base, sizeof(base));
}

static void qemu_macaddr_set_used(MACAddr *mac)
{
    if (mac_is_default_scheme(mac)) {
        mac_table[mac->a[5]]++;
    }
}

static void qemu_macaddr_set_free(MACAddr *mac)
{
    if (mac_is_default_scheme(mac) && mac_table[mac->a[5]] > 0) {
        mac_table[mac->a[5]]--;
    }
}

void qemu_macaddr_default_if_unset(MACAddr *macaddr)
{
    static const MACAddr zero;
    int index;

    if (memcmp(macaddr, &zero, sizeof(zero))) {
        qemu_macaddr_set_used(macaddr);     /* counts only our scheme */
        return;
    }
    /* QEMU's scheme: the first free NN from 0x56 (52:54:00:12:34:56). */
    for (index = 0x56; index < 0xff; index++) {
        if (!mac_table[index]) {
            break;
        }
    }
    macaddr->a[0] = 0x52;
    macaddr->a[1] = 0x54;
    macaddr->a[2] = 0x00;
    macaddr->a[3] = 0x12;
    macaddr->a[4] = 0x34;
    macaddr->a[5] = index < 0xff ? index : 0xff;
    qemu_macaddr_set_used(macaddr);
}

int net_parse_macaddr(uint8_t *macaddr, const char *p)
{
    for (int i = 0; i < 6; i++) {
        char *end;
        unsigned long v;

        if (!g_ascii_isxdigit(p[0])) {
            return -1;
        }
        v = strtoul(p, &end, 16);
        if (end - p > 2 || v > 0xff) {
            return -1;
        }
        macaddr[i] = v;
        p = end;
        if (i < 5) {
            if (*p != ':' && *p != '-') {
                return -1;
            }
            p++;
        }
    }
    return *p ? -1 : 0;
}

char *qemu_mac_strdup_printf(const uint8_t *macaddr)
{
    return g_strdup_printf("%.2x:%.2x:%.2x:%.2x:%.2x:%.2x",
                           macaddr[0], macaddr[1], macaddr[2],
                           macaddr[3], macaddr[4], macaddr[5]);
}

void qemu_set_info_str(NetClientState *nc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(nc->info_str, sizeof(nc->info_str), fmt, ap);
    va_end(ap);
}

void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6])
{
    g_autofree char *mac = qemu_mac_strdup_printf(macaddr);

    qemu_set_info_str(nc, "model=%s,macaddr=%s", nc->model, mac);
}

/* ---- clients ----------------------------------------------------------- */

/* "model.N": N counts the clients of that model before this one (QEMU). */
static char *assign_name(NetClientState *nc1, const char *model)
{
    NetClientState *nc;
    int id = 0;

    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (nc != nc1 && !strcmp(nc->model, model)) {
            id++;
        }
    }
    return g_strdup_printf("%s.%d", model, id);
}

static ssize_t qemu_deliver_packet_iov(NetClientState *sender, unsigned flags,
                                       const struct iovec *iov, int iovcnt,
                                       void *opaque);

static void qemu_net_client_setup(NetClientState *nc, NetClientInfo *info,
                                  NetClientState *peer, const char *model,
                                  const char *name,
                                  NetClientDestructor *destructor)
{
    nc->info = info;
    nc->model = g_strdup(model);
    nc->name = name ? g_strdup(name) : assign_name(nc, model);
    if (peer) {
        assert(!peer->peer);
        nc->peer = peer;
        peer->peer = nc;
    }
    QTAILQ_INSERT_TAIL(&net_clients, nc, next);
    nc->incoming_queue = qemu_new_net_queue(qemu_deliver_packet_iov, nc);
    nc->destructor = destructor;
}

static void qemu_net_client_destructor(NetClientState *nc)
{
    g_free(nc);
}

NetClientState *qemu_new_net_client(NetClientInfo *info,
                                    NetClientState *peer,
                                    const char *model, const char *name)
{
    NetClientState *nc;

    assert(info->size >= sizeof(NetClientState));
    nc = g_malloc0(info->size);
    qemu_net_client_setup(nc, info, peer, model, name,
                          qemu_net_client_destructor);
    return nc;
}

NICState *qemu_new_nic(NetClientInfo *info, NICConf *conf,
                       const char *model, const char *name, void *opaque)
{
    int queues = MAX(conf->peers.queues, 1);
    NICState *nic;

    assert(info->type == NET_CLIENT_DRIVER_NIC);
    assert(info->size >= sizeof(NICState));
    /* The NICState and its queues in one block, as QEMU lays them out. */
    nic = g_malloc0(info->size + sizeof(NetClientState) * queues);
    nic->ncs = (void *)nic + info->size;
    nic->conf = conf;
    nic->opaque = opaque;
    for (int i = 0; i < queues; i++) {
        qemu_net_client_setup(&nic->ncs[i], info, conf->peers.ncs[i],
                              model, name, NULL);
        nic->ncs[i].queue_index = i;
    }
    return nic;
}

NetClientState *qemu_get_subqueue(NICState *nic, int queue_index)
{
    return nic->ncs + queue_index;
}

NetClientState *qemu_get_queue(NICState *nic)
{
    return qemu_get_subqueue(nic, 0);
}

NICState *qemu_get_nic(NetClientState *nc)
{
    NetClientState *nc0 = nc - nc->queue_index;

    return (NICState *)((void *)nc0 - nc->info->size);
}

void *qemu_get_nic_opaque(NetClientState *nc)
{
    return qemu_get_nic(nc)->opaque;
}

NetClientState *qemu_get_peer(NetClientState *nc, int queue_index)
{
    return nc[queue_index].peer;
}

static void qemu_cleanup_net_client(NetClientState *nc)
{
    QTAILQ_REMOVE(&net_clients, nc, next);
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
}

static void qemu_free_net_client(NetClientState *nc)
{
    if (nc->incoming_queue) {
        qemu_del_net_queue(nc->incoming_queue);
    }
    if (nc->peer) {
        nc->peer->peer = NULL;
    }
    g_free(nc->name);
    g_free(nc->model);
    if (nc->destructor) {
        nc->destructor(nc);
    }
}

void qemu_del_net_client(NetClientState *nc)
{
    NetClientState *ncs[MAX_QUEUE_NUM];
    int queues;

    assert(nc->info->type != NET_CLIENT_DRIVER_NIC);
    /* A multiqueue backend is several clients of one name. */
    queues = qemu_find_net_clients_except(nc->name, ncs,
                                          NET_CLIENT_DRIVER_NIC,
                                          MAX_QUEUE_NUM);
    assert(queues);

    /*
     * A NIC keeps pointers to its backends: they are cleaned up now but
     * freed with the NIC, whose link goes down meanwhile.
     */
    if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
        NICState *nic = qemu_get_nic(nc->peer);

        if (nic->peer_deleted) {
            return;
        }
        nic->peer_deleted = true;
        for (int i = 0; i < queues; i++) {
            ncs[i]->peer->link_down = true;
        }
        if (nc->peer->info->link_status_changed) {
            nc->peer->info->link_status_changed(nc->peer);
        }
        for (int i = 0; i < queues; i++) {
            qemu_cleanup_net_client(ncs[i]);
        }
        return;
    }
    for (int i = 0; i < queues; i++) {
        qemu_cleanup_net_client(ncs[i]);
        qemu_free_net_client(ncs[i]);
    }
}

void qemu_del_nic(NICState *nic)
{
    int queues = MAX(nic->conf->peers.queues, 1);

    qemu_macaddr_set_free(&nic->conf->macaddr);
    for (int i = 0; i < queues; i++) {
        NetClientState *nc = qemu_get_subqueue(nic, i);

        if (nic->peer_deleted) {
            qemu_free_net_client(nc->peer);
        } else if (nc->peer) {
            qemu_purge_queued_packets(nc->peer);
        }
    }
    for (int i = queues - 1; i >= 0; i--) {
        NetClientState *nc = qemu_get_subqueue(nic, i);

        qemu_cleanup_net_client(nc);
        qemu_free_net_client(nc);
    }
    g_free(nic);
}

void qemu_foreach_nic(qemu_nic_foreach func, void *opaque)
{
    NetClientState *nc;

    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (nc->info->type == NET_CLIENT_DRIVER_NIC && nc->queue_index == 0) {
            func(qemu_get_nic(nc), opaque);
        }
    }
}

NetClientState *qemu_find_netdev(const char *id)
{
    NetClientState *nc;

    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (nc->info->type != NET_CLIENT_DRIVER_NIC && !strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

int qemu_find_net_clients_except(const char *id, NetClientState **ncs,
                                 NetClientDriver type, int max)
{
    NetClientState *nc;
    int n = 0;

    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (nc->info->type == type) {
            continue;
        }
        if (!id || !strcmp(nc->name, id)) {
            if (n < max) {
                ncs[n] = nc;
            }
            n++;
        }
    }
    return n;
}

NetClientState *net_first_client(void)
{
    return QTAILQ_FIRST(&net_clients);
}

NetClientState *net_next_client(NetClientState *nc)
{
    return QTAILQ_NEXT(nc, next);
}

/* ---- sending and receiving --------------------------------------------- */

bool qemu_can_receive_packet(NetClientState *nc)
{
    if (nc->receive_disabled) {
        return false;
    }
    return !nc->info->can_receive || nc->info->can_receive(nc);
}

bool qemu_can_send_packet(NetClientState *sender)
{
    if (!net_vm_running) {
        return false;
    }
    return !sender->peer || qemu_can_receive_packet(sender->peer);
}

static size_t iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

/* A client with only receive() gets the iovec joined into one buffer. */
static ssize_t nc_sendv_compat(NetClientState *nc, const struct iovec *iov,
                               int iovcnt, unsigned flags)
{
    size_t size = iov_size(iov, iovcnt), off = 0;
    g_autofree uint8_t *buf = NULL;
    NetReceive *recv = (flags & QEMU_NET_PACKET_FLAG_RAW) &&
                       nc->info->receive_raw ? nc->info->receive_raw
                                             : nc->info->receive;

    if (iovcnt == 1) {
        return recv(nc, iov[0].iov_base, iov[0].iov_len);
    }
    buf = g_malloc(size);
    for (int i = 0; i < iovcnt; i++) {
        memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return recv(nc, buf, size);
}

static ssize_t qemu_deliver_packet_iov(NetClientState *sender, unsigned flags,
                                       const struct iovec *iov, int iovcnt,
                                       void *opaque)
{
    NetClientState *nc = opaque;
    ssize_t ret;

    if (nc->link_down) {
        return iov_size(iov, iovcnt);      /* a cable pulled: lost */
    }
    if (nc->receive_disabled) {
        return 0;
    }
    if (nc->info->receive_iov && !(flags & QEMU_NET_PACKET_FLAG_RAW &&
                                   nc->info->receive_raw)) {
        ret = nc->info->receive_iov(nc, iov, iovcnt);
    } else {
        ret = nc_sendv_compat(nc, iov, iovcnt, flags);
    }
    if (ret == 0) {
        /* Said "not now": nothing more until it flushes its queue. */
        nc->receive_disabled = 1;
    }
    return ret;
}

static ssize_t qemu_sendv_packet_async_with_flags(NetClientState *sender,
                                                  unsigned flags,
                                                  const struct iovec *iov,
                                                  int iovcnt,
                                                  NetPacketSent *sent_cb)
{
    NetQueue *queue;

    if (sender->link_down || !sender->peer) {
        return iov_size(iov, iovcnt);
    }
    queue = sender->peer->incoming_queue;
    if (!qemu_can_send_packet(sender)) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    return qemu_net_queue_send_iov(queue, sender, flags, iov, iovcnt,
                                   sent_cb);
}

ssize_t qemu_sendv_packet_async(NetClientState *sender,
                                const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb)
{
    return qemu_sendv_packet_async_with_flags(sender,
                                              QEMU_NET_PACKET_FLAG_NONE,
                                              iov, iovcnt, sent_cb);
}

ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov,
                          int iovcnt)
{
    return qemu_sendv_packet_async(nc, iov, iovcnt, NULL);
}

ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return qemu_sendv_packet_async(sender, &iov, 1, sent_cb);
}

ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, int size)
{
    return qemu_send_packet_async(nc, buf, size, NULL);
}

ssize_t qemu_send_packet_raw(NetClientState *nc, const uint8_t *buf, int size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return qemu_sendv_packet_async_with_flags(nc, QEMU_NET_PACKET_FLAG_RAW,
                                              &iov, 1, NULL);
}

ssize_t qemu_receive_packet(NetClientState *nc, const uint8_t *buf, int size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    if (!qemu_can_receive_packet(nc)) {
        return 0;
    }
    return qemu_deliver_packet_iov(nc, 0, &iov, 1, nc);
}

void qemu_flush_or_purge_queued_packets(NetClientState *nc, bool purge)
{
    nc->receive_disabled = 0;
    if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_HUBPORT) {
        if (net_hub_flush(nc->peer)) {
            qemu_notify_event();
        }
    }
    if (qemu_net_queue_flush(nc->incoming_queue)) {
        /* Senders whose sent_cb ran may read again: wake the loop. */
        qemu_notify_event();
    } else if (purge) {
        qemu_net_queue_purge(nc->incoming_queue, nc->peer);
    }
}

void qemu_flush_queued_packets(NetClientState *nc)
{
    qemu_flush_or_purge_queued_packets(nc, false);
}

void qemu_purge_queued_packets(NetClientState *nc)
{
    if (nc->peer) {
        qemu_net_queue_purge(nc->peer->incoming_queue, nc);
    }
}

void net_vm_change_state_handler(void *opaque, bool running, RunState state)
{
    NetClientState *nc, *next;

    net_vm_running = running;
    QTAILQ_FOREACH_SAFE(nc, &net_clients, next, next) {
        if (running) {
            /* What waited for the VM goes now, and wakes its senders. */
            if (nc->peer && qemu_can_send_packet(nc)) {
                qemu_flush_queued_packets(nc->peer);
            }
        } else {
            /* Nothing may reach a device while it is stopped. */
            qemu_flush_or_purge_queued_packets(nc, true);
        }
    }
}

/* ---- NIC properties ---------------------------------------------------- */

bool qemu_nic_conf_set_netdev(NICConf *conf, const char *devtype,
                              const char *id, Error **errp)
{
    NetClientState *ncs[MAX_QUEUE_NUM];
    int queues = qemu_find_net_clients_except(id, ncs, NET_CLIENT_DRIVER_NIC,
                                              MAX_QUEUE_NUM);

    if (queues == 0) {
        error_setg(errp, "Property '%s.netdev' can't find value '%s'",
                   devtype, id);
        return false;
    }
    if (queues > MAX_QUEUE_NUM) {
        error_setg(errp, "queues of backend '%s'(%d) exceeds QEMU limitation"
                   "(%d)", id, queues, MAX_QUEUE_NUM);
        return false;
    }
    for (int i = 0; i < queues; i++) {
        if (ncs[i]->peer) {
            error_setg(errp, "Property '%s.netdev' can't use value '%s', "
                       "it's in use", devtype, id);
            return false;
        }
    }
    for (int i = 0; i < queues; i++) {
        conf->peers.ncs[i] = ncs[i];
        ncs[i]->queue_index = i;
    }
    conf->peers.queues = queues;
    return true;
}

bool qemu_nic_conf_set_mac(NICConf *conf, const char *devtype,
                           const char *str, Error **errp)
{
    if (net_parse_macaddr(conf->macaddr.a, str) < 0) {
        error_setg(errp, "Property '%s.mac' doesn't take value '%s'",
                   devtype, str);
        return false;
    }
    return true;
}

/* ---- -netdev, netdev_add, netdev_del ----------------------------------- */

QemuOptsList qemu_netdev_opts = {
    .name = "netdev",
    .implied_opt_name = "type",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_netdev_opts.head),
    .desc = { { NULL } },       /* any key: the Netdev schema checks them */
};

QemuOptsList qemu_nic_opts = {
    .name = "nic",
    .implied_opt_name = "type",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_nic_opts.head),
    .desc = { { NULL } },
};

typedef int NetClientInitFunc(const Netdev *netdev, const char *name,
                              NetClientState *peer, Error **errp);

static NetClientInitFunc *const net_client_init_fun[NET_CLIENT_DRIVER__MAX] = {
    [NET_CLIENT_DRIVER_USER] = net_init_slirp,
    [NET_CLIENT_DRIVER_TAP] = net_init_tap,
    [NET_CLIENT_DRIVER_SOCKET] = net_init_socket,
    [NET_CLIENT_DRIVER_HUBPORT] = net_init_hubport,
};

bool net_client_init_netdev(const Netdev *netdev, Error **errp)
{
    NetClientInitFunc *init = net_client_init_fun[netdev->type];

    if (!init) {
        /* 'none' and 'nic' are in the enum but not netdev types. */
        error_setg(errp, "Parameter 'type' expects a netdev backend type");
        return false;
    }
    if (qemu_find_netdev(netdev->id)) {
        error_setg(errp, "Duplicate ID '%s'", netdev->id);
        return false;
    }
    if (init(netdev, netdev->id, NULL, errp) < 0) {
        return false;
    }
    qemu_find_netdev(netdev->id)->is_netdev = true;
    return true;
}

/* The list-valued keys of -netdev user: repeated key=val pairs. */
static bool netdev_key_is_list(const char *name)
{
    return !strcmp(name, "hostfwd") || !strcmp(name, "guestfwd") ||
           !strcmp(name, "dnssearch");
}

static int netdev_opt_to_qdict(void *opaque, const char *name,
                               const char *value, Error **errp)
{
    QDict *dict = opaque;

    if (netdev_key_is_list(name)) {
        QList *list = qdict_get_qlist(dict, name);
        QDict *elem = qdict_new();

        if (!list) {
            list = qlist_new();
            qdict_put(dict, name, list);
        }
        qdict_put_str(elem, "str", value);
        qlist_append(list, elem);
    } else {
        qdict_put_str(dict, name, value);
    }
    return 0;
}

bool netdev_add(QemuOpts *opts, Error **errp)
{
    g_autoptr(QDict) dict = qdict_new();
    Netdev *netdev = NULL;
    Error *err = NULL;
    Visitor *v;
    bool ok;

    if (!qemu_opts_id(opts)) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    qemu_opt_foreach(opts, netdev_opt_to_qdict, dict, &error_abort);
    qdict_put_str(dict, "id", qemu_opts_id(opts));
    v = qobject_input_visitor_new_keyval(QOBJECT(dict));
    ok = visit_type_Netdev(v, NULL, &netdev, &err);
    visit_free(v);
    if (!ok) {
        /*
         * QEMU reads QemuOpts with its opts visitor, whose word for a
         * key the schema does not have differs from the QObject one.
         */
        const char *msg = error_get_pretty(err);
        const char *suffix = "' is unexpected";

        if (g_str_has_prefix(msg, "Parameter '") &&
            g_str_has_suffix(msg, suffix)) {
            g_autofree char *key = g_strndup(msg + strlen("Parameter '"),
                                             strlen(msg) - strlen(suffix) -
                                             strlen("Parameter '"));
            error_free(err);
            err = NULL;
            error_setg(&err, "Invalid parameter '%s'", key);
        }
        error_propagate(errp, err);
    }
    if (ok) {
        ok = net_client_init_netdev(netdev, errp);
    }
    qapi_free_Netdev(netdev);
    return ok;
}

void net_list_backends(GString *out)
{
    for (int i = 0; i < NET_CLIENT_DRIVER__MAX; i++) {
        if (net_client_init_fun[i]) {
            g_string_append_printf(out, "%s\n", NetClientDriver_str(i));
        }
    }
}

static void show_netdevs(void)
{
    g_autoptr(GString) out = g_string_new("Available netdev backend "
                                          "types:\n");

    net_list_backends(out);
    fputs(out->str, stdout);
}

/*
 * -netdev in JSON (what libvirt passes): visited straight into a Netdev,
 * created first by net_init_clients (QEMU's netdev_parse_modern and
 * nd_queue).
 */
typedef struct NetdevQueueEntry {
    Netdev *nd;
    Location loc;
} NetdevQueueEntry;

static GPtrArray *nd_queue;

static void netdev_parse_modern(const char *optarg)
{
    g_autoptr(QDict) args = qdict_from_json(optarg, &error_fatal);
    Visitor *v = qobject_input_visitor_new(QOBJECT(args));
    NetdevQueueEntry *e = g_new0(NetdevQueueEntry, 1);

    visit_type_Netdev(v, NULL, &e->nd, &error_fatal);
    visit_free(v);
    loc_save(&e->loc);
    if (!nd_queue) {
        nd_queue = g_ptr_array_new();
    }
    g_ptr_array_add(nd_queue, e);
}

int net_client_parse(QemuOptsList *opts_list, const char *optarg)
{
    QemuOpts *opts;
    const char *type;

    if (opts_list == &qemu_netdev_opts && optarg[0] == '{') {
        netdev_parse_modern(optarg);
        return 0;
    }
    opts = qemu_opts_parse_noisily(opts_list, optarg, true);

    if (!opts) {
        return -1;
    }
    type = qemu_opt_get(opts, "type");
    if (type && is_help_option(type)) {
        show_netdevs();
        exit(0);
    }
    return 0;
}

static int net_init_netdev(void *dummy, QemuOpts *opts, Error **errp)
{
    return netdev_add(opts, errp) ? 0 : -1;
}

static bool is_multicast_ether_addr(const uint8_t *addr)
{
    return addr[0] & 1;
}

/*
 * -nic: the backend now, under the given id or a generated one, and an
 * nd_table entry for the board (QEMU's net_param_nic).
 */
static int net_param_nic(void *dummy, QemuOpts *opts, Error **errp)
{
    static unsigned id_counter;
    const char *type = qemu_opt_get(opts, "type");
    g_autofree char *model = NULL, *mac = NULL;
    NICInfo *ni;
    int idx;

    if (type && !strcmp(type, "none")) {
        return 0;
    }
    for (idx = 0; idx < MAX_NICS && nd_table[idx].used; idx++) {
    }
    if (idx == MAX_NICS) {
        error_setg(errp, "no more on-board/default NIC slots available");
        return -1;
    }
    if (!type) {
        qemu_opt_set(opts, "type", "user", &error_abort);
    }
    ni = &nd_table[idx];
    memset(ni, 0, sizeof(*ni));
    model = g_strdup(qemu_opt_get(opts, "model"));
    qemu_opt_unset(opts, "model");
    if (!qemu_opts_id(opts)) {
        /* QEMU's id_generate(ID_NET): '#' keeps it apart from user ids. */
        qemu_opts_set_id(opts, g_strdup_printf("#net%u%02d", ++id_counter,
                                               g_random_int_range(0, 100)));
    }
    mac = g_strdup(qemu_opt_get(opts, "mac"));
    qemu_opt_unset(opts, "mac");
    if (mac) {
        if (net_parse_macaddr(ni->macaddr.a, mac) < 0) {
            error_setg(errp, "invalid syntax for ethernet address");
            return -1;
        }
        if (is_multicast_ether_addr(ni->macaddr.a)) {
            error_setg(errp, "NIC cannot have multicast MAC address");
            return -1;
        }
    }
    qemu_macaddr_default_if_unset(&ni->macaddr);
    if (!netdev_add(opts, errp)) {
        return -1;
    }
    ni->netdev = qemu_find_netdev(qemu_opts_id(opts));
    ni->model = g_steal_pointer(&model);
    ni->used = true;
    nb_nics++;
    return 0;
}

bool net_init_clients(Error **errp)
{
    for (guint i = 0; nd_queue && i < nd_queue->len; i++) {
        NetdevQueueEntry *e = g_ptr_array_index(nd_queue, i);
        bool ok;

        /* Errors read "qcore: -netdev {...}: ...", as QEMU's. */
        loc_push_restore(&e->loc);
        ok = net_client_init_netdev(e->nd, errp);
        loc_pop(&e->loc);
        if (!ok) {
            return false;
        }
    }
    if (qemu_opts_foreach(&qemu_netdev_opts, net_init_netdev, NULL,
                          errp)) {
        return false;
    }
    return qemu_opts_foreach(&qemu_nic_opts, net_param_nic, NULL, errp) == 0;
}

void net_check_clients(void)
{
    NetClientState *nc;

    net_hub_check_clients();
    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (!nc->peer) {
            warn_report("%s %s has no peer",
                        nc->info->type == NET_CLIENT_DRIVER_NIC ? "nic"
                                                                : "netdev",
                        nc->name);
        }
    }
    for (int i = 0; i < MAX_NICS; i++) {
        NICInfo *nd = &nd_table[i];

        if (nd->used && !nd->instantiated) {
            warn_report("requested NIC (%s, model %s) was not created (not "
                        "supported by this machine?)",
                        nd->name ?: "anonymous", nd->model ?: "unspecified");
        }
    }
}

void net_cleanup(void)
{
    NetClientState *nc;

    for (guint i = 0; nd_queue && i < nd_queue->len; i++) {
        NetdevQueueEntry *e = g_ptr_array_index(nd_queue, i);

        qapi_free_Netdev(e->nd);
        g_free(e);
    }
    g_clear_pointer(&nd_queue, g_ptr_array_unref);
    for (int i = 0; i < MAX_NICS; i++) {
        g_free(nd_table[i].model);
        g_free(nd_table[i].name);
        memset(&nd_table[i], 0, sizeof(nd_table[i]));
    }
    nb_nics = 0;

    /* NICs belong to their devices; backends go (QEMU's order). */
    while ((nc = QTAILQ_FIRST(&net_clients))) {
        NetClientState *n;

        QTAILQ_FOREACH(n, &net_clients, next) {
            if (n->info->type != NET_CLIENT_DRIVER_NIC) {
                break;
            }
        }
        if (!n) {
            break;
        }
        qemu_del_net_client(n);
    }
}

void qmp_netdev_add(Netdev *netdev, Error **errp)
{
    if (!id_wellformed(netdev->id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return;
    }
    net_client_init_netdev(netdev, errp);
}

void qmp_netdev_del(const char *id, Error **errp)
{
    NetClientState *nc = qemu_find_netdev(id);
    QemuOpts *opts;

    if (!nc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", id);
        return;
    }
    if (!nc->is_netdev) {
        error_setg(errp, "Device '%s' is not a netdev", id);
        return;
    }
    qemu_del_net_client(nc);
    /* So that the id may be used again (QEMU drops the -netdev opts). */
    opts = qemu_opts_find(&qemu_netdev_opts, id);
    if (opts) {
        qemu_opts_del(opts);
    }
}

void qmp_set_link(const char *name, bool up, Error **errp)
{
    NetClientState *ncs[MAX_QUEUE_NUM];
    NetClientState *nc;
    int queues = qemu_find_net_clients_except(name, ncs,
                                              NET_CLIENT_DRIVER__MAX,
                                              MAX_QUEUE_NUM);

    if (queues == 0) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", name);
        return;
    }
    queues = MIN(queues, MAX_QUEUE_NUM);
    nc = ncs[0];
    for (int i = 0; i < queues; i++) {
        ncs[i]->link_down = !up;
    }
    if (nc->info->link_status_changed) {
        nc->info->link_status_changed(nc);
    }
    if (nc->peer) {
        /*
         * A NIC follows its backend's link (the guest sees the cable
         * go); a backend does not follow its NIC's.
         */
        if (nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
            for (int i = 0; i < queues; i++) {
                ncs[i]->peer->link_down = !up;
            }
        }
        if (nc->peer->info->link_status_changed) {
            nc->peer->info->link_status_changed(nc->peer);
        }
    }
}

RxFilterInfoList *qmp_query_rx_filter(const char *name, Error **errp)
{
    RxFilterInfoList *list = NULL, **tail = &list;
    NetClientState *nc;

    QTAILQ_FOREACH(nc, &net_clients, next) {
        if (name && strcmp(nc->name, name)) {
            continue;
        }
        if (nc->info->type != NET_CLIENT_DRIVER_NIC) {
            if (name) {
                error_setg(errp, "net client(%s) isn't a NIC", name);
                return NULL;
            }
            continue;
        }
        /* The filter is the NIC's, not a queue's. */
        if (nc->queue_index != 0) {
            continue;
        }
        if (nc->info->query_rx_filter) {
            RxFilterInfoList *elem = g_new0(RxFilterInfoList, 1);

            elem->value = nc->info->query_rx_filter(nc);
            *tail = elem;
            tail = &elem->next;
        } else if (name) {
            error_setg(errp, "net client(%s) doesn't support rx-filter "
                       "querying", name);
            return NULL;
        }
        if (name) {
            break;
        }
    }
    if (!list && name) {
        error_setg(errp, "invalid net client name: %s", name);
    }
    return list;
}
