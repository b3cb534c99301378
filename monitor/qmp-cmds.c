/*
 * The QMP commands qcore offers and the table that names them, with each
 * command's argument spec and result type.  Corresponds to QEMU's
 * monitor/qmp-cmds.c, monitor/qmp-cmds-control.c and the marshalling
 * functions QEMU generates into qapi-commands-*.c: here each qmp_marshal_*
 * unpacks the checked arguments, calls the typed function (which HMP
 * calls too) and packs the result.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/main-loop.h"
#include "qcore/iothread-object.h"
#include "qcore/machine-qmp-cmds.h"
#include "qcore/main-loop-info.h"
#include "qcore/bql-profile.h"
#include "qcore/qom-qmp-cmds.h"
#include "qcore/runstate.h"
#include "qcore/yank.h"
#include "monitor-internal.h"

/* ---- control ---------------------------------------------------------- */

static void qmp_marshal_qmp_capabilities(const QDict *args, QObject **ret,
                                         Error **errp)
{
    Monitor *cur = monitor_cur();
    QList *enable = qdict_get_qlist(args, "enable");
    MonitorQMP *mon;
    QListEntry *e;
    bool oob = false;
    int i = 0;

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
    if (enable) {
        QLIST_FOREACH_ENTRY(enable, e) {
            QString *cap = qobject_to(QString, qlist_entry_obj(e));

            if (!cap) {
                error_setg(errp, "Invalid parameter type for 'enable[%d]', "
                           "expected: string", i);
                return;
            }
            if (strcmp(qstring_get_str(cap), "oob") != 0) {
                error_setg(errp, "Parameter 'enable[%d]' does not accept "
                           "value '%s'", i, qstring_get_str(cap));
                return;
            }
            /* QEMU offers oob where the chardev can move to its thread. */
            if (!mon->oob_offered) {
                error_setg(errp, "Capability 'oob' not available");
                return;
            }
            oob = true;
            i++;
        }
    }
    if (oob) {
        monitor_qmp_enable_oob(mon);
    }
    qatomic_set(&mon->negotiated, true);
}

QList *qmp_query_commands(Error **errp)
{
    QList *list = qlist_new();
    const QmpCommand *cmd;

    for (cmd = qmp_commands; cmd->name; cmd++) {
        QDict *info = qdict_new();

        qdict_put_str(info, "name", cmd->name);
        qlist_append(list, info);
    }
    return list;
}

static void qmp_marshal_query_commands(const QDict *args, QObject **ret,
                                       Error **errp)
{
    *ret = QOBJECT(qmp_query_commands(errp));
}

static void qmp_marshal_query_version(const QDict *args, QObject **ret,
                                      Error **errp)
{
    *ret = QOBJECT(qmp_query_version(errp));
}

static void qmp_marshal_query_qmp_schema(const QDict *args, QObject **ret,
                                         Error **errp)
{
    *ret = QOBJECT(qmp_query_qmp_schema(errp));
}

/* ---- run state -------------------------------------------------------- */

QDict *qmp_query_name(Error **errp)
{
    QDict *info = qdict_new();
    const char *name = qemu_get_vm_name();

    if (name) {
        qdict_put_str(info, "name", name);
    }
    return info;
}

static void qmp_marshal_query_name(const QDict *args, QObject **ret,
                                   Error **errp)
{
    *ret = QOBJECT(qmp_query_name(errp));
}

QDict *qmp_query_status(Error **errp)
{
    QDict *info = qdict_new();

    qdict_put_str(info, "status", RunState_str(runstate_get()));
    /* Deprecated in QEMU 8.1, still reported by 8.2. */
    qdict_put_bool(info, "singlestep", false);
    qdict_put_bool(info, "running", runstate_is_running());
    return info;
}

static void qmp_marshal_query_status(const QDict *args, QObject **ret,
                                     Error **errp)
{
    *ret = QOBJECT(qmp_query_status(errp));
}

void qmp_stop(Error **errp)
{
    vm_stop(RUN_STATE_PAUSED);
}

void qmp_cont(Error **errp)
{
    if (runstate_check(RUN_STATE_SHUTDOWN)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    vm_start();
}

void qmp_system_reset(Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(Error **errp)
{
    qemu_system_powerdown_request();
}

void qmp_quit(Error **errp)
{
    /*
     * Only a request: the answer is queued when we return, the main loop
     * then emits SHUTDOWN and exits, and monitor_cleanup() writes both.
     */
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

#define QMP_MARSHAL_VOID(name)                                          \
    static void qmp_marshal_##name(const QDict *args, QObject **ret,    \
                                   Error **errp)                        \
    {                                                                   \
        qmp_##name(errp);                                               \
    }

QMP_MARSHAL_VOID(stop)
QMP_MARSHAL_VOID(cont)
QMP_MARSHAL_VOID(system_reset)
QMP_MARSHAL_VOID(system_powerdown)
QMP_MARSHAL_VOID(quit)

/* ---- QOM -------------------------------------------------------------- */

static void qmp_marshal_qom_list(const QDict *args, QObject **ret,
                                 Error **errp)
{
    *ret = QOBJECT(qmp_qom_list(qdict_get_str(args, "path"), errp));
}

static void qmp_marshal_qom_get(const QDict *args, QObject **ret,
                                Error **errp)
{
    *ret = qmp_qom_get(qdict_get_str(args, "path"),
                       qdict_get_str(args, "property"), errp);
}

static void qmp_marshal_qom_set(const QDict *args, QObject **ret,
                                Error **errp)
{
    qmp_qom_set(qdict_get_str(args, "path"), qdict_get_str(args, "property"),
                qdict_get(args, "value"), errp);
}

static void qmp_marshal_qom_list_types(const QDict *args, QObject **ret,
                                       Error **errp)
{
    *ret = QOBJECT(qmp_qom_list_types(qdict_get_try_str(args, "implements"),
                                      qdict_get_try_bool(args, "abstract",
                                                         false),
                                      errp));
}

static void qmp_marshal_qom_list_properties(const QDict *args, QObject **ret,
                                            Error **errp)
{
    *ret = QOBJECT(qmp_qom_list_properties(qdict_get_str(args, "typename"),
                                           errp));
}

static void qmp_marshal_object_add(const QDict *args, QObject **ret,
                                   Error **errp)
{
    qmp_object_add(args, errp);
}

static void qmp_marshal_object_del(const QDict *args, QObject **ret,
                                   Error **errp)
{
    qmp_object_del(qdict_get_str(args, "id"), errp);
}

/* ---- CPUs ------------------------------------------------------------- */

/* QEMU's CpuInfoFast list, in cpu_index order. */
QList *qmp_query_cpus_fast(Error **errp)
{
    QList *list = qlist_new();
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        QDict *info = qdict_new();
        QDict *props = qdict_new();
        g_autofree char *path = object_get_canonical_path(OBJECT(cpu));
        const char *target = CPU_GET_CLASS(cpu)->target_name;

        qdict_put_int(info, "cpu-index", cpu->cpu_index);
        qdict_put_str(info, "qom-path", path);
        qdict_put_int(info, "thread-id", cpu->thread_id);
        /* One socket, one hart per core, as QEMU's virt without -smp
         * topology reports it. */
        qdict_put_int(props, "core-id", cpu->cpu_index);
        qdict_put(info, "props", props);
        qdict_put_str(info, "target", target ? target : "riscv64");
        qlist_append(list, info);
    }
    return list;
}

static void qmp_marshal_query_cpus_fast(const QDict *args, QObject **ret,
                                        Error **errp)
{
    *ret = QOBJECT(qmp_query_cpus_fast(errp));
}

/* ---- the machine (system/machine-qmp-cmds.c) --------------------------- */

static void qmp_marshal_query_machines(const QDict *args, QObject **ret,
                                       Error **errp)
{
    *ret = QOBJECT(qmp_query_machines(errp));
}

static void qmp_marshal_query_current_machine(const QDict *args,
                                              QObject **ret, Error **errp)
{
    *ret = QOBJECT(qmp_query_current_machine(errp));
}

static void qmp_marshal_query_target(const QDict *args, QObject **ret,
                                     Error **errp)
{
    *ret = QOBJECT(qmp_query_target(errp));
}

static void qmp_marshal_query_kvm(const QDict *args, QObject **ret,
                                  Error **errp)
{
    *ret = QOBJECT(qmp_query_kvm(errp));
}

static void qmp_marshal_query_uuid(const QDict *args, QObject **ret,
                                   Error **errp)
{
    *ret = QOBJECT(qmp_query_uuid(errp));
}

static void qmp_marshal_inject_nmi(const QDict *args, QObject **ret,
                                   Error **errp)
{
    qmp_inject_nmi(errp);
}

static void qmp_marshal_dumpdtb(const QDict *args, QObject **ret,
                                Error **errp)
{
    qmp_dumpdtb(qdict_get_str(args, "filename"), errp);
}

static void qmp_marshal_pmemsave(const QDict *args, QObject **ret,
                                 Error **errp)
{
    qmp_pmemsave(qdict_get_int(args, "val"), qdict_get_int(args, "size"),
                 qdict_get_str(args, "filename"), errp);
}

static void qmp_marshal_memsave(const QDict *args, QObject **ret,
                                Error **errp)
{
    qmp_memsave(qdict_get_int(args, "val"), qdict_get_int(args, "size"),
                qdict_get_str(args, "filename"),
                qdict_haskey(args, "cpu-index"),
                qdict_get_try_int(args, "cpu-index", 0), errp);
}

/* ---- iothreads, chardevs, the main loop ------------------------------- */

static void qmp_marshal_query_iothreads(const QDict *args, QObject **ret,
                                        Error **errp)
{
    *ret = QOBJECT(qmp_query_iothreads(errp));
}

static void qmp_marshal_query_chardev(const QDict *args, QObject **ret,
                                      Error **errp)
{
    *ret = QOBJECT(qmp_query_chardev(errp));
}

static void qmp_marshal_x_query_main_loop(const QDict *args, QObject **ret,
                                          Error **errp)
{
    *ret = qmp_x_query_main_loop(errp);
}

static void qmp_marshal_x_query_bql(const QDict *args, QObject **ret,
                                    Error **errp)
{
    *ret = qmp_x_query_bql(qdict_haskey(args, "top"),
                           qdict_get_try_int(args, "top", 0), errp);
}

static void qmp_marshal_bql_profile_reset(const QDict *args, QObject **ret,
                                          Error **errp)
{
    qmp_bql_profile_reset(errp);
}

/* ---- yank (out-of-band) ----------------------------------------------- */

/*
 * One YankInstance from "instances"[@i], checked member by member as
 * QEMU's input visitor does: the tag, then the branch's members, then
 * members nobody asked for.  @inst->name points into @obj.
 */
/* The string @obj holds, or NULL if it is no string. */
static const char *qobject_try_str(QObject *obj)
{
    QString *str = qobject_to(QString, obj);

    return str ? qstring_get_str(str) : NULL;
}

static bool yank_instance_from_qobject(QObject *obj, int i, YankInstance *inst,
                                       Error **errp)
{
    QDict *dict = qobject_to(QDict, obj);
    const char *type, *member = NULL;
    const QDictEntry *ent;
    QObject *value;
    int t;

    if (!dict) {
        error_setg(errp, "Invalid parameter type for 'instances[%d]', "
                   "expected: object", i);
        return false;
    }
    value = qdict_get(dict, "type");
    if (!value) {
        error_setg(errp, "Parameter 'instances[%d].type' is missing", i);
        return false;
    }
    type = qobject_try_str(value);
    if (!type) {
        error_setg(errp, "Invalid parameter type for 'instances[%d].type', "
                   "expected: string", i);
        return false;
    }
    for (t = 0; t < YANK_INSTANCE_TYPE__MAX; t++) {
        if (!strcmp(type, YankInstanceType_str(t))) {
            break;
        }
    }
    if (t == YANK_INSTANCE_TYPE__MAX) {
        /* QEMU names the bare member here. */
        error_setg(errp, "Parameter 'type' does not accept value '%s'", type);
        return false;
    }
    inst->type = t;
    inst->name = NULL;
    if (t == YANK_INSTANCE_TYPE_BLOCK_NODE) {
        member = "node-name";
    } else if (t == YANK_INSTANCE_TYPE_CHARDEV) {
        member = "id";
    }
    if (member) {
        value = qdict_get(dict, member);
        if (!value) {
            error_setg(errp, "Parameter 'instances[%d].%s' is missing", i,
                       member);
            return false;
        }
        inst->name = qobject_try_str(value);
        if (!inst->name) {
            error_setg(errp, "Invalid parameter type for 'instances[%d].%s', "
                       "expected: string", i, member);
            return false;
        }
    }
    for (ent = qdict_first(dict); ent; ent = qdict_next(dict, ent)) {
        const char *name = qdict_entry_key(ent);

        if (strcmp(name, "type") && (!member || strcmp(name, member))) {
            error_setg(errp, "Parameter 'instances[%d].%s' is unexpected", i,
                       name);
            return false;
        }
    }
    return true;
}

/* Allow-oob: monitor I/O thread, no BQL; only the yank registry's lock. */
static void qmp_marshal_yank(const QDict *args, QObject **ret, Error **errp)
{
    QList *list = qdict_get_qlist(args, "instances");
    g_autofree YankInstance *instances = NULL;
    QListEntry *e;
    int n = 0;

    instances = g_new0(YankInstance, qlist_size(list));
    QLIST_FOREACH_ENTRY(list, e) {
        if (!yank_instance_from_qobject(qlist_entry_obj(e), n,
                                        &instances[n], errp)) {
            return;
        }
        n++;
    }
    yank_instances(instances, n, errp);
}

static void query_yank_add(const YankInstance *instance, void *opaque)
{
    QDict *info = qdict_new();

    qdict_put_str(info, "type", YankInstanceType_str(instance->type));
    if (instance->type == YANK_INSTANCE_TYPE_BLOCK_NODE) {
        qdict_put_str(info, "node-name", instance->name);
    } else if (instance->type == YANK_INSTANCE_TYPE_CHARDEV) {
        qdict_put_str(info, "id", instance->name);
    }
    qlist_append(opaque, info);
}

static void qmp_marshal_query_yank(const QDict *args, QObject **ret,
                                   Error **errp)
{
    QList *list = qlist_new();

    yank_foreach_instance(query_yank_add, list);
    *ret = QOBJECT(list);
}

/* ---- HMP from QMP ----------------------------------------------------- */

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp)
{
    MonitorHMP hmp = { 0 };
    char *output;

    int old_cpu = 0;

    if (has_cpu_index) {
        if (cpu_index < 0 || cpu_index > INT_MAX ||
            !monitor_cpu_valid(cpu_index)) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
        /* For this command only, as QEMU's monitor_set_cpu on a temp. */
        old_cpu = monitor_set_cpu(cpu_index);
    }
    /* A monitor without chardev: the output stays in its buffer. */
    monitor_data_init(&hmp.common, false, true);
    handle_hmp_command(&hmp, command_line);
    output = g_strdup(hmp.common.outbuf->str);
    monitor_data_destroy(&hmp.common);
    if (has_cpu_index) {
        monitor_set_cpu(old_cpu);
    }
    return output;
}

static void qmp_marshal_human_monitor_command(const QDict *args,
                                              QObject **ret, Error **errp)
{
    char *output = qmp_human_monitor_command(
        qdict_get_str(args, "command-line"),
        qdict_haskey(args, "cpu-index"),
        qdict_get_try_int(args, "cpu-index", 0), errp);

    if (output) {
        *ret = QOBJECT(qstring_from_str(output));
        g_free(output);
    }
}

/* ---- the table -------------------------------------------------------- */

static const QmpArgSpec qmp_capabilities_args[] = {
    { "enable", QMP_ARG_ARRAY, true, "[QMPCapability]" },
    { NULL }
};
static const QmpArgSpec qom_list_args[] = {
    { "path", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec qom_get_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec qom_set_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { "value", QMP_ARG_ANY },
    { NULL }
};
static const QmpArgSpec qom_list_types_args[] = {
    { "implements", QMP_ARG_STR, true },
    { "abstract", QMP_ARG_BOOL, true },
    { NULL }
};
static const QmpArgSpec qom_list_properties_args[] = {
    { "typename", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec object_add_args[] = {
    { "qom-type", QMP_ARG_STR, false, "ObjectType" },
    { "id", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec object_del_args[] = {
    { "id", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec dumpdtb_args[] = {
    { "filename", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec pmemsave_args[] = {
    { "val", QMP_ARG_INT },
    { "size", QMP_ARG_INT },
    { "filename", QMP_ARG_STR },
    { NULL }
};
static const QmpArgSpec memsave_args[] = {
    { "val", QMP_ARG_INT },
    { "size", QMP_ARG_INT },
    { "filename", QMP_ARG_STR },
    { "cpu-index", QMP_ARG_INT, true },
    { NULL }
};
static const QmpArgSpec x_query_bql_args[] = {
    { "top", QMP_ARG_INT, true },
    { NULL }
};
static const QmpArgSpec yank_args[] = {
    { "instances", QMP_ARG_ARRAY, false, "[YankInstance]" },
    { NULL }
};
static const QmpArgSpec human_monitor_command_args[] = {
    { "command-line", QMP_ARG_STR },
    { "cpu-index", QMP_ARG_INT, true },
    { NULL }
};

/* In QEMU's schema order: control, run state, QOM, the rest. */
const QmpCommand qmp_commands[] = {
    { "qmp_capabilities", qmp_marshal_qmp_capabilities,
      qmp_capabilities_args, NULL, false, "q_empty",
      QCO_ALLOW_PRECONFIG | QCO_ALLOW_NEGOTIATION },
    { "query-version", qmp_marshal_query_version, NULL, NULL, false,
      "VersionInfo", QCO_ALLOW_PRECONFIG },
    { "query-commands", qmp_marshal_query_commands, NULL, NULL, false,
      "[CommandInfo]", QCO_ALLOW_PRECONFIG },
    { "query-qmp-schema", qmp_marshal_query_qmp_schema, NULL, NULL, false,
      "[SchemaInfo]", QCO_ALLOW_PRECONFIG },
    { "query-name", qmp_marshal_query_name, NULL, NULL, false,
      "NameInfo", QCO_ALLOW_PRECONFIG },
    { "query-status", qmp_marshal_query_status, NULL, NULL, false,
      "StatusInfo", QCO_ALLOW_PRECONFIG },
    { "stop", qmp_marshal_stop, NULL, NULL, false, "q_empty" },
    { "cont", qmp_marshal_cont, NULL, NULL, false, "q_empty" },
    { "system_reset", qmp_marshal_system_reset, NULL, NULL, false,
      "q_empty" },
    { "system_powerdown", qmp_marshal_system_powerdown, NULL, NULL, false,
      "q_empty" },
    { "quit", qmp_marshal_quit, NULL, NULL, false, "q_empty",
      QCO_ALLOW_PRECONFIG },
    { "qom-list", qmp_marshal_qom_list, qom_list_args, NULL, false,
      "[ObjectPropertyInfo]", QCO_ALLOW_PRECONFIG },
    { "qom-get", qmp_marshal_qom_get, qom_get_args, NULL, false, "any",
      QCO_ALLOW_PRECONFIG },
    { "qom-set", qmp_marshal_qom_set, qom_set_args, NULL, false, "q_empty",
      QCO_ALLOW_PRECONFIG },
    { "qom-list-types", qmp_marshal_qom_list_types, qom_list_types_args,
      NULL, false, "[ObjectTypeInfo]", QCO_ALLOW_PRECONFIG },
    { "qom-list-properties", qmp_marshal_qom_list_properties,
      qom_list_properties_args, NULL, false, "[ObjectPropertyInfo]",
      QCO_ALLOW_PRECONFIG },
    { "object-add", qmp_marshal_object_add, object_add_args,
      "ObjectOptions", true, "q_empty", QCO_ALLOW_PRECONFIG },
    { "object-del", qmp_marshal_object_del, object_del_args, NULL, false,
      "q_empty", QCO_ALLOW_PRECONFIG },
    { "query-cpus-fast", qmp_marshal_query_cpus_fast, NULL, NULL, false,
      "[CpuInfoFast]", QCO_ALLOW_PRECONFIG },
    { "query-machines", qmp_marshal_query_machines, NULL, NULL, false,
      "[MachineInfo]", QCO_ALLOW_PRECONFIG },
    { "query-current-machine", qmp_marshal_query_current_machine, NULL,
      NULL, false, "CurrentMachineParams", QCO_ALLOW_PRECONFIG },
    { "query-target", qmp_marshal_query_target, NULL, NULL, false,
      "TargetInfo", QCO_ALLOW_PRECONFIG },
    { "query-kvm", qmp_marshal_query_kvm, NULL, NULL, false, "KvmInfo",
      QCO_ALLOW_PRECONFIG },
    { "query-uuid", qmp_marshal_query_uuid, NULL, NULL, false, "UuidInfo",
      QCO_ALLOW_PRECONFIG },
    { "inject-nmi", qmp_marshal_inject_nmi, NULL, NULL, false, "q_empty" },
    { "dumpdtb", qmp_marshal_dumpdtb, dumpdtb_args, NULL, false, "q_empty" },
    { "pmemsave", qmp_marshal_pmemsave, pmemsave_args, NULL, false,
      "q_empty" },
    { "memsave", qmp_marshal_memsave, memsave_args, NULL, false, "q_empty" },
    { "query-iothreads", qmp_marshal_query_iothreads, NULL, NULL, false,
      "[IOThreadInfo]", QCO_ALLOW_PRECONFIG },
    { "query-chardev", qmp_marshal_query_chardev, NULL, NULL, false,
      "[ChardevInfo]", QCO_ALLOW_PRECONFIG },
    { "human-monitor-command", qmp_marshal_human_monitor_command,
      human_monitor_command_args, NULL, false, "str" },
    { "x-query-main-loop", qmp_marshal_x_query_main_loop, NULL, NULL, false,
      "any", QCO_ALLOW_PRECONFIG },
    { "x-query-bql", qmp_marshal_x_query_bql, x_query_bql_args, NULL, false,
      "BqlProfile", QCO_ALLOW_PRECONFIG },
    { "bql-profile-reset", qmp_marshal_bql_profile_reset, NULL, NULL, false,
      "q_empty", QCO_ALLOW_PRECONFIG },
    /* QEMU 7.2's allow-oob commands, but for migrate-recover/-pause. */
    { "yank", qmp_marshal_yank, yank_args, NULL, false, "q_empty",
      QCO_ALLOW_OOB },
    { "query-yank", qmp_marshal_query_yank, NULL, NULL, false,
      "[YankInstance]", QCO_ALLOW_OOB },
    { NULL }
};
