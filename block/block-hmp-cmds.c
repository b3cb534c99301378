/*
 * HMP's block commands: "info block" and "info blockstats", text views of
 * query-block, query-named-block-nodes and query-blockstats.  Built into
 * the system layer with the other HMP commands (monitor/meson.build).
 * Corresponds to QEMU's block/monitor/block-hmp-cmds.c.
 */
#include "qcore/osdep.h"
#include "qcore/block-hmp-cmds.h"
#include "qcore/monitor.h"
#include "qapi/qapi-commands.h"

static void print_block_info(Monitor *mon, BlockInfo *info,
                             BlockDeviceInfo *inserted)
{
    if (info) {
        monitor_printf(mon, "%s", info->device);
        if (inserted && inserted->node_name) {
            monitor_printf(mon, " (%s)", inserted->node_name);
        }
    } else {
        monitor_printf(mon, "%s", inserted->node_name);
    }
    if (inserted) {
        monitor_printf(mon, ": %s (%s%s%s)\n", inserted->file, inserted->drv,
                       inserted->ro ? ", read-only" : "",
                       inserted->encrypted ? ", encrypted" : "");
    } else {
        monitor_printf(mon, ": [not inserted]\n");
    }
    if (info) {
        if (info->qdev) {
            monitor_printf(mon, "    Attached to:      %s\n", info->qdev);
        }
        if (info->has_io_status &&
            info->io_status != BLOCK_DEVICE_IO_STATUS_OK) {
            monitor_printf(mon, "    I/O status:       %s\n",
                           BlockDeviceIoStatus_str(info->io_status));
        }
        if (info->removable) {
            monitor_printf(mon, "    Removable device: %slocked, tray %s\n",
                           info->locked ? "" : "not ",
                           info->has_tray_open && info->tray_open
                           ? "open" : "closed");
        }
    }
    if (!inserted) {
        return;
    }
    monitor_printf(mon, "    Cache mode:       %s%s%s\n",
                   inserted->cache->writeback ? "writeback" : "writethrough",
                   inserted->cache->direct ? ", direct" : "",
                   inserted->cache->no_flush ? ", ignore flushes" : "");
    if (inserted->backing_file) {
        monitor_printf(mon, "    Backing file:     %s (chain depth: %" PRId64
                       ")\n", inserted->backing_file,
                       inserted->backing_file_depth);
    }
    if (inserted->detect_zeroes != BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF) {
        monitor_printf(mon, "    Detect zeroes:    %s\n",
                       BlockdevDetectZeroesOptions_str(
                           inserted->detect_zeroes));
    }
}

void hmp_info_block(Monitor *mon, const QDict *qdict)
{
    const char *device = qdict_get_try_str(qdict, "device");
    bool nodes = qdict_get_try_bool(qdict, "nodes", false);
    bool printed = false;

    if (!nodes) {
        g_autoptr(BlockInfoList) list = qmp_query_block(NULL);

        for (BlockInfoList *i = list; i; i = i->next) {
            if (device && strcmp(device, i->value->device)) {
                continue;
            }
            if (printed) {
                monitor_printf(mon, "\n");
            }
            print_block_info(mon, i->value, i->value->inserted);
            printed = true;
        }
        return;
    }
    {
        g_autoptr(BlockDeviceInfoList) list =
            qmp_query_named_block_nodes(false, false, NULL);

        for (BlockDeviceInfoList *i = list; i; i = i->next) {
            if (device && strcmp(device, i->value->node_name)) {
                continue;
            }
            if (printed) {
                monitor_printf(mon, "\n");
            }
            print_block_info(mon, NULL, i->value);
            printed = true;
        }
    }
}

void hmp_info_blockstats(Monitor *mon, const QDict *qdict)
{
    g_autoptr(BlockStatsList) list = qmp_query_blockstats(false, false, NULL);

    for (BlockStatsList *i = list; i; i = i->next) {
        BlockDeviceStats *s = i->value->stats;

        monitor_printf(mon, "%s:", i->value->device[0] ? i->value->device
                       : i->value->qdev ? i->value->qdev : "");
        monitor_printf(mon, " rd_bytes=%" PRId64 " wr_bytes=%" PRId64
                       " rd_operations=%" PRId64 " wr_operations=%" PRId64
                       " flush_operations=%" PRId64
                       " wr_total_time_ns=%" PRId64
                       " rd_total_time_ns=%" PRId64
                       " flush_total_time_ns=%" PRId64
                       " rd_merged=%" PRId64 " wr_merged=%" PRId64
                       " idle_time_ns=%" PRId64 "\n",
                       s->rd_bytes, s->wr_bytes, s->rd_operations,
                       s->wr_operations, s->flush_operations,
                       s->wr_total_time_ns, s->rd_total_time_ns,
                       s->flush_total_time_ns, s->rd_merged, s->wr_merged,
                       s->idle_time_ns);
    }
}
