/*
 * Net clients: the two ends of every link between a NIC model and a
 * backend (-netdev user/socket/tap/hubport), each a NetClientState whose
 * peer is the other end.  A sender calls qemu_send_packet*(), which hands
 * the packet to the peer's receive callback or, when the peer's
 * can_receive says no, to the peer's NetQueue until the peer calls
 * qemu_flush_queued_packets().  Corresponds to QEMU's include/net/net.h
 * and net/net.c (docs/net.md).
 *
 * Threading: everything here is main thread with the BQL held, as in
 * QEMU (a device on an IOThread takes the BQL around these calls).
 */
#ifndef QCORE_NET_H
#define QCORE_NET_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/net-queue.h"
#include "qcore/option.h"
#include "qcore/queue.h"
#include "qapi/qapi-types.h"

#define MAX_QUEUE_NUM 1024

typedef struct MACAddr {
    uint8_t a[6];
} MACAddr;

/* A NIC's backends, one per queue (multiqueue: the same netdev id). */
typedef struct NICPeers {
    NetClientState *ncs[MAX_QUEUE_NUM];
    int32_t queues;
} NICPeers;

/* What a NIC's "mac" and "netdev" properties set (DEFINE_NIC_PROPERTIES). */
typedef struct NICConf {
    MACAddr macaddr;
    NICPeers peers;
    int32_t bootindex;
} NICConf;

typedef bool NetCanReceive(NetClientState *nc);
typedef ssize_t NetReceive(NetClientState *nc, const uint8_t *buf,
                           size_t size);
typedef ssize_t NetReceiveIOV(NetClientState *nc, const struct iovec *iov,
                              int iovcnt);
typedef void NetCleanup(NetClientState *nc);
typedef void LinkStatusChanged(NetClientState *nc);
typedef RxFilterInfo *QueryRxFilter(NetClientState *nc);
typedef void NetClientDestructor(NetClientState *nc);

/*
 * A client's callbacks.  receive (or receive_iov) returns the length
 * taken, or 0 to say "not now": the packet is queued and the client is
 * marked receive_disabled until it calls qemu_flush_queued_packets().
 * can_receive (optional, default yes) is asked before each delivery.
 */
typedef struct NetClientInfo {
    NetClientDriver type;
    size_t size;                /* of the struct embedding NetClientState */
    NetReceive *receive;
    NetReceive *receive_raw;
    NetReceiveIOV *receive_iov;
    NetCanReceive *can_receive;
    NetCleanup *cleanup;
    LinkStatusChanged *link_status_changed;
    QueryRxFilter *query_rx_filter;
} NetClientInfo;

struct NetClientState {
    NetClientInfo *info;
    int link_down;
    QTAILQ_ENTRY(NetClientState) next;
    NetClientState *peer;
    NetQueue *incoming_queue;
    char *model;
    char *name;
    char info_str[256];
    unsigned receive_disabled : 1;
    NetClientDestructor *destructor;
    unsigned int queue_index;
    bool is_netdev;             /* created by -netdev / netdev_add */
};

typedef struct NICState {
    NetClientState *ncs;        /* conf->peers.queues of them (at least 1) */
    NICConf *conf;
    void *opaque;
    bool peer_deleted;
} NICState;

/* ---- creating and deleting clients ------------------------------------ */
NetClientState *qemu_new_net_client(NetClientInfo *info,
                                    NetClientState *peer,
                                    const char *model, const char *name);
/*
 * A NIC: one client per conf->peers queue, each the peer of that
 * backend.  @info->type must be NET_CLIENT_DRIVER_NIC, @info->size
 * sizeof(NICState).  @name NULL: "<model>.<n>".
 */
NICState *qemu_new_nic(NetClientInfo *info, NICConf *conf,
                       const char *model, const char *name, void *opaque);
void qemu_del_nic(NICState *nic);
/* Delete a client (a NIC's peer stays until the NIC goes; QEMU's rule). */
void qemu_del_net_client(NetClientState *nc);

NetClientState *qemu_get_subqueue(NICState *nic, int queue_index);
NetClientState *qemu_get_queue(NICState *nic);
NICState *qemu_get_nic(NetClientState *nc);
void *qemu_get_nic_opaque(NetClientState *nc);
NetClientState *qemu_get_peer(NetClientState *nc, int queue_index);

/* ---- sending --------------------------------------------------------- */
/* Whether @sender's peer takes a packet now (and the VM is running). */
bool qemu_can_send_packet(NetClientState *sender);
bool qemu_can_receive_packet(NetClientState *nc);
/*
 * Send to @sender's peer.  Returns the length, or 0 if queued: then
 * @sent_cb runs when it goes, and the sender should stop until it does.
 * A sender without a peer or with its link down: reported as sent.
 */
ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb);
ssize_t qemu_sendv_packet_async(NetClientState *sender,
                                const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb);
ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov,
                          int iovcnt);
/* Send, queueing (bounded) without a callback. */
ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, int size);
ssize_t qemu_send_packet_raw(NetClientState *nc, const uint8_t *buf,
                             int size);
/* Hand a packet to @nc itself (loopback in a NIC). */
ssize_t qemu_receive_packet(NetClientState *nc, const uint8_t *buf, int size);

/*
 * @nc can take packets again: clear receive_disabled and deliver what
 * its queue holds (QEMU's flow control, docs/net.md).
 */
void qemu_flush_queued_packets(NetClientState *nc);
void qemu_flush_or_purge_queued_packets(NetClientState *nc, bool purge);
void qemu_purge_queued_packets(NetClientState *nc);

/* ---- identity -------------------------------------------------------- */
/* A zero MAC gets 52:54:00:12:34:NN, NN counting up from 0x56 (QEMU). */
void qemu_macaddr_default_if_unset(MACAddr *macaddr);
/* "model=...,macaddr=.." into nc->info_str. */
void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6]);
void qemu_set_info_str(NetClientState *nc, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Parse "52:54:00:12:34:56" (or with '-'). */
int net_parse_macaddr(uint8_t *macaddr, const char *p);
char *qemu_mac_strdup_printf(const uint8_t *macaddr);

NetClientState *qemu_find_netdev(const char *id);
/* Clients named @id that are not of @type; how many (at most @max). */
int qemu_find_net_clients_except(const char *id, NetClientState **ncs,
                                 NetClientDriver type, int max);

typedef void (*qemu_nic_foreach)(NICState *nic, void *opaque);
void qemu_foreach_nic(qemu_nic_foreach func, void *opaque);

/*
 * The NIC's side of "netdev=ID" (QEMU's qdev netdev property setter):
 * find the backend, refuse one in use or a NIC, and fill conf->peers.
 * A device property setter calls it; errors as QEMU's.
 */
bool qemu_nic_conf_set_netdev(NICConf *conf, const char *devtype,
                              const char *id, Error **errp);
/* The "mac" property: parse into conf->macaddr. */
bool qemu_nic_conf_set_mac(NICConf *conf, const char *devtype,
                           const char *str, Error **errp);

/* ---- -nic: NICs the board creates ------------------------------------ */
/*
 * A -nic creates its backend at once and leaves here what the NIC needs;
 * the board, which knows where NICs go, instantiates a device for each
 * used entry (model NULL: its default) and sets instantiated.  QEMU's
 * NICInfo, nd_table and nb_nics.
 */
#define MAX_NICS 8

typedef struct NICInfo {
    MACAddr macaddr;
    char *model;                /* model= (owned), or NULL */
    char *name;                 /* the backend's id (owned) */
    NetClientState *netdev;     /* the backend -nic created */
    bool used;
    bool instantiated;
} NICInfo;

extern NICInfo nd_table[MAX_NICS];
extern int nb_nics;

/* ---- the command line and the monitor -------------------------------- */
/* The "netdev" and "nic" option groups; vl.c adds them (qemu_add_opts). */
extern QemuOptsList qemu_netdev_opts;
extern QemuOptsList qemu_nic_opts;
/* -netdev / -nic: parse into their group; -1 after reporting. */
int net_client_parse(QemuOptsList *opts_list, const char *optarg);
/*
 * Create the -netdev backends (after -object, before the machine).
 * -nic entries: recorded for the board, see net_take_nic_opts.
 */
bool net_init_clients(Error **errp);
/*
 * Warn as QEMU does about netdevs no NIC took and -nic entries no board
 * created (after machine init).
 */
void net_check_clients(void);
void net_cleanup(void);
/*
 * A -netdev or netdev_add from QemuOpts (HMP).  Creates the backend, or
 * sets @errp.
 */
bool netdev_add(QemuOpts *opts, Error **errp);
/* Netdev from QAPI (QMP netdev_add). */
bool net_client_init_netdev(const Netdev *netdev, Error **errp);

/*
 * Whether the VM runs: while it does not, qemu_can_send_packet says no
 * and packets wait, and on resume the queues are flushed (QEMU's
 * net_vm_change_state_handler, which reads runstate_is_running()).  The
 * system layer registers it (net is below runstate); until it first
 * runs the VM counts as stopped, as a prelaunch VM is.
 */
void net_vm_change_state_handler(void *opaque, bool running, RunState state);

/* HMP (net/net-hmp-cmds.c); the table lives in monitor/hmp-cmds.c. */
typedef struct Monitor Monitor;
void hmp_info_network(Monitor *mon, const QDict *qdict);
void hmp_info_usernet(Monitor *mon, const QDict *qdict);
void hmp_set_link(Monitor *mon, const QDict *qdict);
void hmp_netdev_add(Monitor *mon, const QDict *qdict);
void hmp_netdev_del(Monitor *mon, const QDict *qdict);
void hmp_hostfwd_add(Monitor *mon, const QDict *qdict);
void hmp_hostfwd_remove(Monitor *mon, const QDict *qdict);

#endif
