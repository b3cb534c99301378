/*
 * The HMP commands of the network: info network, info usernet,
 * netdev_add, netdev_del, set_link, hostfwd_add, hostfwd_remove.  Their
 * table entries are in monitor/hmp-cmds.c.  Corresponds to the HMP parts
 * of QEMU's net/net.c, net/slirp.c and monitor/hmp-cmds.c.
 *
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/monitor.h"
#include "qapi/qapi-commands.h"
#include "clients.h"

static void hmp_report(Monitor *mon, Error *err)
{
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

static void monitor_take(Monitor *mon, GString *out)
{
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}

void net_print_client(GString *out, NetClientState *nc)
{
    g_string_append_printf(out, "%s: index=%d,type=%s,%s\n", nc->name,
                           nc->queue_index,
                           NetClientDriver_str(nc->info->type),
                           nc->info_str);
}

void hmp_info_network(Monitor *mon, const QDict *qdict)
{
    GString *out = g_string_new("");
    NetClientState *nc;
    int id;

    net_hub_info(out);
    for (nc = net_first_client(); nc; nc = net_next_client(nc)) {
        NetClientState *peer = nc->peer;
        bool nic = nc->info->type == NET_CLIENT_DRIVER_NIC;

        /* Hub ports and their peers were listed under their hub. */
        if (net_hub_id_for_client(nc, &id)) {
            continue;
        }
        /* A backend with a NIC is listed under the NIC. */
        if (!peer || nic) {
            net_print_client(out, nc);
        }
        if (peer && nic) {
            g_string_append(out, " \\ ");
            net_print_client(out, peer);
        }
    }
    monitor_take(mon, out);
}

void hmp_info_usernet(Monitor *mon, const QDict *qdict)
{
    GString *out = g_string_new("");

    net_slirp_info(out);
    monitor_take(mon, out);
}

void hmp_set_link(Monitor *mon, const QDict *qdict)
{
    const char *up = qdict_get_str(qdict, "up");
    Error *err = NULL;

    if (strcmp(up, "on") && strcmp(up, "off")) {
        /* What HMP's 'b' argument type says. */
        monitor_printf(mon, "Expected 'on' or 'off'\n"
                       "Try \"help set_link\" for more information\n");
        return;
    }
    qmp_set_link(qdict_get_str(qdict, "name"), !strcmp(up, "on"), &err);
    hmp_report(mon, err);
}

void hmp_netdev_add(Monitor *mon, const QDict *qdict)
{
    const char *str = qdict_get_str(qdict, "netdev");
    Error *err = NULL;
    QemuOpts *opts;

    if (is_help_option(str)) {
        GString *out = g_string_new("Available netdev backend types:\n");

        net_list_backends(out);
        monitor_take(mon, out);
        return;
    }
    opts = qemu_opts_parse(&qemu_netdev_opts, str, true, &err);
    if (!opts) {
        /* A syntax error, reported as HMP's 'O' argument type does. */
        monitor_printf(mon, "%s\n"
                       "Try \"help netdev_add\" for more information\n",
                       error_get_pretty(err));
        error_free(err);
        return;
    }
    if (!netdev_add(opts, &err)) {
        qemu_opts_del(opts);
    }
    hmp_report(mon, err);
}

void hmp_netdev_del(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_netdev_del(qdict_get_str(qdict, "id"), &err);
    hmp_report(mon, err);
}

/* [netdev_id] rule: with one argument it is the rule. */
void hmp_hostfwd_add(Monitor *mon, const QDict *qdict)
{
    const char *arg1 = qdict_get_str(qdict, "arg1");
    const char *arg2 = qdict_get_try_str(qdict, "arg2");
    GString *out = g_string_new("");

    net_slirp_hostfwd_add(arg2 ? arg1 : NULL, arg2 ?: arg1, out);
    monitor_take(mon, out);
}

void hmp_hostfwd_remove(Monitor *mon, const QDict *qdict)
{
    const char *arg1 = qdict_get_str(qdict, "arg1");
    const char *arg2 = qdict_get_try_str(qdict, "arg2");
    GString *out = g_string_new("");

    net_slirp_hostfwd_remove(arg2 ? arg1 : NULL, arg2 ?: arg1, out);
    monitor_take(mon, out);
}
