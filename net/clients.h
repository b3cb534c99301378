/*
 * What the backends of net/ offer net.c and the HMP commands (private to
 * net/).  Corresponds to QEMU's net/clients.h and net/hub.h.
 * Main thread, BQL held.
 */
#ifndef NET_CLIENTS_H
#define NET_CLIENTS_H

#include "qcore/net.h"

int net_init_slirp(const Netdev *netdev, const char *name,
                   NetClientState *peer, Error **errp);
int net_init_socket(const Netdev *netdev, const char *name,
                    NetClientState *peer, Error **errp);
int net_init_tap(const Netdev *netdev, const char *name,
                 NetClientState *peer, Error **errp);
int net_init_hubport(const Netdev *netdev, const char *name,
                     NetClientState *peer, Error **errp);

/* hub.c */
bool net_hub_flush(NetClientState *nc);
bool net_hub_port_has_peers(NetClientState *nc);
/* Warn about ports without peers and hubs missing a NIC or a backend. */
void net_hub_check_clients(void);
/* The hub @nc is a port of (its id in *id), false if none. */
bool net_hub_id_for_client(NetClientState *nc, int *id);
/* "hub N\n \\ port\n..." as info network begins. */
void net_hub_info(GString *out);

/* "name: index=N,type=T,info\n" (net-hmp-cmds.c). */
void net_print_client(GString *out, NetClientState *nc);

/* The backend types, one a line (-netdev help, netdev_add help). */
void net_list_backends(GString *out);

/* Walk net_clients (net.c) for the info commands. */
NetClientState *net_first_client(void);
NetClientState *net_next_client(NetClientState *nc);

/* socket.c: the port a listen= netdev is bound to (tests use port 0). */
int net_socket_listen_port(NetClientState *nc);

/* slirp.c, for the HMP commands (monitor text out). */
void net_slirp_hostfwd_add(const char *id, const char *redir, GString *out);
void net_slirp_hostfwd_remove(const char *id, const char *redir,
                              GString *out);
void net_slirp_info(GString *out);

#endif
