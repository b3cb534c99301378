/*
 * The monitor's own QMP commands (qapi/control.json, introspect.json):
 * qmp_capabilities, query-version, query-commands and query-qmp-schema.
 * Corresponds to QEMU's monitor/qmp-cmds-control.c.  Main thread, BQL
 * held.
 */
#include "qcore/osdep.h"
#include "qapi/qapi-introspect.h"
#include "qapi/qapi-visit.h"
#include "qapi/qobject-output-visitor.h"
#include "monitor-internal.h"

/* The QEMU release whose QMP qcore speaks. */
#define QMP_QEMU_MAJOR 8
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0

QmpCommandList qmp_commands = QTAILQ_HEAD_INITIALIZER(qmp_commands);
QmpCommandList qmp_cap_negotiation_commands =
    QTAILQ_HEAD_INITIALIZER(qmp_cap_negotiation_commands);

void qmp_qmp_capabilities(QMPCapabilityList *enable, Error **errp)
{
    Monitor *cur = monitor_cur();
    MonitorQMP *mon;
    bool oob = false;

    if (!cur || !monitor_is_qmp(cur)) {
        error_setg(errp, "qmp_capabilities is only meaningful on a QMP "
                   "monitor");
        return;
    }
    mon = container_of(cur, MonitorQMP, common);
    if (qatomic_read(&mon->negotiated)) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return;
    }
    /* The visitor refused anything but "oob", the one capability. */
    for (; enable; enable = enable->next) {
        /* QEMU offers oob where the chardev can move to its thread. */
        if (!mon->oob_offered) {
            error_setg(errp, "Capability '%s' not available",
                       QMPCapability_str(enable->value));
            return;
        }
        oob = true;
    }
    if (oob) {
        monitor_qmp_enable_oob(mon);
    }
    qatomic_set(&mon->negotiated, true);
}

VersionInfo *qmp_query_version(Error **errp)
{
    VersionInfo *info = g_new0(VersionInfo, 1);

    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = QMP_QEMU_MAJOR;
    info->qemu->minor = QMP_QEMU_MINOR;
    info->qemu->micro = QMP_QEMU_MICRO;
    info->package = g_strdup("qcore-" QCORE_VERSION);
    return info;
}

QObject *qmp_version_qobject(void)
{
    g_autoptr(VersionInfo) info = qmp_query_version(NULL);
    QObject *obj = NULL;
    Visitor *v = qobject_output_visitor_new(&obj);

    visit_type_VersionInfo(v, NULL, &info, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    return obj;
}

static void add_command_info(const QmpCommand *cmd, void *opaque)
{
    CommandInfoList ***tail = opaque;
    CommandInfo *info;

    if (!qmp_command_is_enabled(cmd)) {
        return;
    }
    info = g_new0(CommandInfo, 1);
    info->name = g_strdup(qmp_command_name(cmd));
    QAPI_LIST_APPEND(*tail, info);
}

CommandInfoList *qmp_query_commands(Error **errp)
{
    CommandInfoList *list = NULL, **tail = &list;

    qmp_for_each_command(&qmp_commands, add_command_info, &tail);
    return list;
}

/*
 * Written by hand ('gen': false), as in QEMU: the answer is the QLit data
 * scripts/qapi-gen.py wrote from the schema, turned into QObjects.
 */
void qmp_marshal_query_qmp_schema(QDict *args, QObject **ret, Error **errp)
{
    if (qdict_size(args)) {
        error_setg(errp, "Parameter '%s' is unexpected",
                   qdict_entry_key(qdict_first(args)));
        return;
    }
    *ret = qobject_from_qlit(&qmp_schema_qlit);
}
