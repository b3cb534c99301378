/*
 * The abstract "machine" QOM type and the "none" machine, created at
 * /machine with the containers QEMU's machines have.
 * Corresponds to QEMU's hw/core/machine.c and hw/core/null-machine.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/qdev.h"
#include "qcore/machine.h"

static MachineState *current_machine;

static void machine_none_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "empty machine";
    mc->default_ram_id = "ram";
    mc->is_default = true;      /* vl.c creates it when there is no -M */
}

static void machine_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->cpu_type);
    g_free(ms->kernel_filename);
    g_free(ms->kernel_cmdline);
    g_free(ms->firmware);
    g_free(ms->initrd_filename);
    g_free(ms->dtb);
    g_free(ms->dumpdtb);
    if (ms->devices) {
        g_ptr_array_free(ms->devices, true);
    }
    if (current_machine == ms) {
        current_machine = NULL;
    }
}

static const TypeInfo machine_types[] = {
    {
        .name = TYPE_MACHINE,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(MachineState),
        .instance_finalize = machine_finalize,
        .class_size = sizeof(MachineClass),
    },
    {
        .name = MACHINE_TYPE_NAME("none"),
        .parent = TYPE_MACHINE,
        .class_init = machine_none_class_init,
    },
};

DEFINE_TYPES(machine_types)

Object *qemu_create_machine(const char *name, Error **errp)
{
    ERRP_GUARD();
    g_autofree char *type = g_strconcat(name, TYPE_MACHINE_SUFFIX, NULL);
    ObjectClass *oc = object_class_by_name(type);
    Object *machine;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_MACHINE) ||
        !strcmp(type, TYPE_MACHINE)) {
        error_setg(errp, "unsupported machine type \"%s\"", name);
        error_append_hint(errp, "Use -machine help to list supported "
                          "machines\n");
        return NULL;
    }
    machine = object_new(type);
    object_property_add_child(object_get_root(), "machine", machine);
    object_unref(machine);
    current_machine = MACHINE(machine);
    /* Where devices without a parent, and -device ones, will live. */
    container_get(machine, "/unattached");
    container_get(machine, "/peripheral");
    container_get(machine, "/peripheral-anon");
    return machine;
}

MachineState *qdev_get_machine(void)
{
    return current_machine;
}

/*
 * The devices -device can create.  Each is placed by a board that lists
 * it in user_devices (qcore has no buses: a board decides where a device
 * sits, as QEMU's virt does for its platform bus).
 */
static const struct {
    const char *name;
    const char *desc;
} user_devices[] = {
    { "edu", "QEMU's educational device, memory-mapped (docs/devices.md)" },
};

static void device_opts_free(gpointer p)
{
    qobject_unref((QDict *)p);
}

static bool machine_supports_device(MachineState *ms, const char *driver)
{
    const char *const *d = MACHINE_GET_CLASS(ms)->user_devices;

    for (; d && *d; d++) {
        if (!strcmp(*d, driver)) {
            return true;
        }
    }
    return false;
}

bool machine_add_device_opts(MachineState *ms, QDict *opts, Error **errp)
{
    const char *driver = qdict_get_try_str(opts, "driver");
    const char *id = qdict_get_try_str(opts, "id");
    bool help = qdict_haskey(opts, "help");
    const QDictEntry *e;
    size_t i;

    if (!driver && !help) {
        error_setg(errp, "Parameter 'driver' is missing");
        return false;
    }
    if (!driver || !strcmp(driver, "help")) {
        qdev_print_device_list(user_devices[0].name, user_devices[0].desc);
        return false;
    }
    /* TYPE_DEVICE drivers: made by qdev_device_add once the board is. */
    if (qdev_is_user_device(driver)) {
        if (help) {
            if (!qdev_print_device_props(driver, errp)) {
                return false;
            }
            return false;
        }
        goto keep;
    }
    for (i = 0; i < G_N_ELEMENTS(user_devices); i++) {
        if (!strcmp(user_devices[i].name, driver)) {
            break;
        }
    }
    if (i == G_N_ELEMENTS(user_devices)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return false;
    }
    if (help) {
        printf("There are no options for %s.\n", driver);
        return false;
    }
    for (e = qdict_first(opts); e; e = qdict_next(opts, e)) {
        const char *key = qdict_entry_key(e);

        if (strcmp(key, "driver") && strcmp(key, "id")) {
            error_setg(errp, "Property '%s.%s' not found", driver, key);
            return false;
        }
    }
keep:
    if (id && !*id) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return false;
    }
    if (!ms->devices) {
        ms->devices = g_ptr_array_new_with_free_func(device_opts_free);
    }
    for (i = 0; id && i < ms->devices->len; i++) {
        if (!g_strcmp0(qdict_get_try_str(g_ptr_array_index(ms->devices, i),
                                         "id"), id)) {
            error_setg(errp, "Duplicate ID '%s' for device", id);
            return false;
        }
    }
    if (!qdev_is_user_device(driver) &&
        !machine_supports_device(ms, driver)) {
        const char *type = object_get_typename(OBJECT(ms));
        g_autofree char *mname = g_strndup(type, strlen(type) -
                                           strlen(TYPE_MACHINE_SUFFIX));

        error_setg(errp, "Device '%s' is not supported by machine '%s'",
                   driver, mname);
        return false;
    }
    qobject_ref(opts);
    g_ptr_array_add(ms->devices, opts);
    return true;
}

/* -smp: "cpus" (the implied key), as a number; other topology keys. */
static bool machine_parse_smp(MachineState *ms, QDict *smp, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    const QDictEntry *e;
    unsigned long long cpus = 1;
    const char *name = object_get_typename(OBJECT(ms));
    g_autofree char *mname = g_strndup(name, strlen(name) -
                                       strlen(TYPE_MACHINE_SUFFIX));

    for (e = qdict_first(smp); e; e = qdict_next(smp, e)) {
        const char *key = qdict_entry_key(e);
        QString *qs = qobject_to(QString, qdict_entry_value(e));
        guint64 n;

        if (strcmp(key, "cpus") && strcmp(key, "maxcpus") &&
            strcmp(key, "sockets") && strcmp(key, "cores") &&
            strcmp(key, "threads")) {
            error_setg(errp, "Parameter 'smp.%s' is unexpected", key);
            return false;
        }
        if (!qs || !g_ascii_string_to_unsigned(qstring_get_str(qs), 10, 0,
                                               UINT32_MAX, &n, NULL)) {
            error_setg(errp, "Parameter 'smp.%s' expects a number", key);
            return false;
        }
        /* One hart per socket/core/thread: only the total matters. */
        if (!strcmp(key, "cpus")) {
            cpus = n;
        }
    }
    if (cpus == 0) {
        error_setg(errp, "Invalid SMP CPUs 0");
        return false;
    }
    if (cpus > MAX(mc->max_cpus, 1)) {
        error_setg(errp, "Invalid SMP CPUs %llu. The max CPUs supported by "
                   "machine '%s' is %u", cpus, mname, MAX(mc->max_cpus, 1));
        return false;
    }
    ms->smp_cpus = cpus;
    return true;
}

bool machine_apply_options(MachineState *ms, QDict *opts, uint64_t ram_size,
                           const char *cpu_type, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    const QDictEntry *e;

    ms->ram_size = ram_size ? ram_size : mc->default_ram_size;
    ms->smp_cpus = 1;
    ms->cpu_type = g_strdup(cpu_type);
    ms->kernel_cmdline = g_strdup("");
    for (e = qdict_first(opts); e; e = qdict_next(opts, e)) {
        const char *key = qdict_entry_key(e);
        QObject *val = qdict_entry_value(e);
        QString *qs = qobject_to(QString, val);
        const char *str = qs ? qstring_get_str(qs) : NULL;

        if (!strcmp(key, "type")) {
            continue;
        } else if (!strcmp(key, "smp")) {
            if (!qobject_to(QDict, val) ||
                !machine_parse_smp(ms, qobject_to(QDict, val), errp)) {
                return false;
            }
            continue;
        } else if (!str) {
            error_setg(errp, "Parameter '%s' expects a string", key);
            return false;
        } else if (!strcmp(key, "kernel")) {
            g_free(ms->kernel_filename);
            ms->kernel_filename = g_strdup(str);
        } else if (!strcmp(key, "append")) {
            g_free(ms->kernel_cmdline);
            ms->kernel_cmdline = g_strdup(str);
        } else if (!strcmp(key, "firmware")) {
            g_free(ms->firmware);
            ms->firmware = g_strdup(str);
        } else if (!strcmp(key, "initrd")) {
            g_free(ms->initrd_filename);
            ms->initrd_filename = g_strdup(str);
        } else if (!strcmp(key, "dtb")) {
            g_free(ms->dtb);
            ms->dtb = g_strdup(str);
        } else if (!strcmp(key, "dumpdtb")) {
            g_free(ms->dumpdtb);
            ms->dumpdtb = g_strdup(str);
        } else {
            error_setg(errp, "Property '%s.%s' not found",
                       object_get_typename(OBJECT(ms)), key);
            return false;
        }
    }
    /* QEMU's qemu_validate_options: these only make sense for a kernel. */
    if (!ms->kernel_filename && *ms->kernel_cmdline) {
        error_setg(errp, "-append only allowed with -kernel option");
        return false;
    }
    if (!ms->kernel_filename && ms->initrd_filename) {
        error_setg(errp, "-initrd only allowed with -kernel option");
        return false;
    }
    return true;
}

bool machine_run_board_init(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    Error *local_err = NULL;

    if (!mc->init) {
        return true;
    }
    mc->init(ms, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    return true;
}

static void print_machine(gpointer data, gpointer user_data)
{
    ObjectClass *oc = data;
    const char *type = object_class_get_name(oc);
    g_autofree char *name = g_strndup(type, strlen(type) -
                                      strlen(TYPE_MACHINE_SUFFIX));

    printf("%-20s %s\n", name, MACHINE_CLASS(oc)->desc);
}

void machine_print_help(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_MACHINE, false);

    printf("Supported machines are:\n");
    g_slist_foreach(list, print_machine, NULL);
    g_slist_free(list);
}
