/*
 * Hubs: -netdev hubport,hubid=N joins ports into a shared segment, where
 * a frame from one port goes out of every other.  Corresponds to QEMU's
 * net/hub.c (QEMU 7.2's -nic no longer uses hubs; -net would).
 *
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "clients.h"

typedef struct NetHub NetHub;

typedef struct NetHubPort {
    NetClientState nc;
    QLIST_ENTRY(NetHubPort) next;
    NetHub *hub;
    int id;
} NetHubPort;

struct NetHub {
    int id;
    QLIST_ENTRY(NetHub) next;
    int num_ports;
    QLIST_HEAD(, NetHubPort) ports;
};

static QLIST_HEAD(, NetHub) hubs = QLIST_HEAD_INITIALIZER(hubs);

static ssize_t net_hub_receive(NetClientState *nc, const uint8_t *buf,
                               size_t len)
{
    NetHubPort *source = container_of(nc, NetHubPort, nc);
    NetHubPort *port;

    QLIST_FOREACH(port, &source->hub->ports, next) {
        if (port != source) {
            qemu_send_packet(&port->nc, buf, len);
        }
    }
    return len;
}

/* A hub takes a frame when every other port's peer can. */
static bool net_hub_port_can_receive(NetClientState *nc)
{
    NetHubPort *source = container_of(nc, NetHubPort, nc);
    NetHubPort *port;

    QLIST_FOREACH(port, &source->hub->ports, next) {
        if (port != source && !qemu_can_send_packet(&port->nc)) {
            return false;
        }
    }
    return true;
}

static void net_hub_port_cleanup(NetClientState *nc)
{
    NetHubPort *port = container_of(nc, NetHubPort, nc);

    QLIST_REMOVE(port, next);
}

static NetClientInfo net_hub_port_info = {
    .type = NET_CLIENT_DRIVER_HUBPORT,
    .size = sizeof(NetHubPort),
    .can_receive = net_hub_port_can_receive,
    .receive = net_hub_receive,
    .cleanup = net_hub_port_cleanup,
};

static NetHub *net_hub_find_or_new(int id)
{
    NetHub *hub;

    QLIST_FOREACH(hub, &hubs, next) {
        if (hub->id == id) {
            return hub;
        }
    }
    hub = g_new0(NetHub, 1);
    hub->id = id;
    QLIST_INIT(&hub->ports);
    QLIST_INSERT_HEAD(&hubs, hub, next);
    return hub;
}

bool net_hub_flush(NetClientState *nc)
{
    NetHubPort *source = container_of(nc, NetHubPort, nc);
    NetHubPort *port;
    bool ret = false;

    QLIST_FOREACH(port, &source->hub->ports, next) {
        if (port != source) {
            ret |= qemu_net_queue_flush(port->nc.incoming_queue);
        }
    }
    return ret;
}

bool net_hub_port_has_peers(NetClientState *nc)
{
    NetHubPort *source = container_of(nc, NetHubPort, nc);
    NetHubPort *port;

    QLIST_FOREACH(port, &source->hub->ports, next) {
        if (port != source && port->nc.peer) {
            return true;
        }
    }
    return false;
}

void net_hub_check_clients(void)
{
    NetHub *hub;
    NetHubPort *port;

    QLIST_FOREACH(hub, &hubs, next) {
        bool has_nic = false, has_host_dev = false;

        QLIST_FOREACH(port, &hub->ports, next) {
            NetClientState *peer = port->nc.peer;

            if (!peer) {
                warn_report("hub port %s has no peer", port->nc.name);
                continue;
            }
            if (peer->info->type == NET_CLIENT_DRIVER_NIC) {
                has_nic = true;
            } else if (peer->info->type != NET_CLIENT_DRIVER_HUBPORT) {
                has_host_dev = true;
            }
        }
        if (has_host_dev && !has_nic) {
            warn_report("hub %d with no nics", hub->id);
        }
        if (has_nic && !has_host_dev) {
            warn_report("hub %d is not connected to host network", hub->id);
        }
    }
}

bool net_hub_id_for_client(NetClientState *nc, int *id)
{
    if (nc->info == &net_hub_port_info) {
        *id = container_of(nc, NetHubPort, nc)->hub->id;
        return true;
    }
    if (nc->peer && nc->peer->info == &net_hub_port_info) {
        *id = container_of(nc->peer, NetHubPort, nc)->hub->id;
        return true;
    }
    return false;
}

void net_hub_info(GString *out)
{
    NetHub *hub;
    NetHubPort *port;

    QLIST_FOREACH(hub, &hubs, next) {
        g_string_append_printf(out, "hub %d\n", hub->id);
        QLIST_FOREACH(port, &hub->ports, next) {
            g_string_append_printf(out, " \\ %s", port->nc.name);
            if (port->nc.peer) {
                g_string_append(out, ": ");
                net_print_client(out, port->nc.peer);
            } else {
                g_string_append(out, "\n");
            }
        }
    }
}

int net_init_hubport(const Netdev *netdev, const char *name,
                     NetClientState *peer, Error **errp)
{
    const NetdevHubPortOptions *opts = &netdev->u.hubport;
    NetClientState *hubpeer = peer, *nc;
    NetHubPort *port, *p;
    NetHub *hub;
    g_autofree char *default_name = NULL;

    if (opts->netdev) {
        hubpeer = qemu_find_netdev(opts->netdev);
        if (!hubpeer) {
            error_setg(errp, "netdev '%s' not found", opts->netdev);
            return -1;
        }
        if (hubpeer->peer) {
            error_setg(errp, "netdev '%s' is already in use", opts->netdev);
            return -1;
        }
    }
    hub = net_hub_find_or_new(opts->hubid);
    if (!name) {
        default_name = g_strdup_printf("hub%dport%d", hub->id,
                                       hub->num_ports);
        name = default_name;
    }
    nc = qemu_new_net_client(&net_hub_port_info, hubpeer, "hub", name);
    port = container_of(nc, NetHubPort, nc);
    port->id = hub->num_ports++;
    port->hub = hub;
    /* At the end: info network lists ports in creation order. */
    if (QLIST_EMPTY(&hub->ports)) {
        QLIST_INSERT_HEAD(&hub->ports, port, next);
    } else {
        QLIST_FOREACH(p, &hub->ports, next) {
            if (!QLIST_NEXT(p, next)) {
                QLIST_INSERT_AFTER(p, port, next);
                break;
            }
        }
    }
    return 0;
}
