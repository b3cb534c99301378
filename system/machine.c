/*
 * The abstract "machine" QOM type and the "none" machine, created at
 * /machine with the containers QEMU's machines have.
 * Corresponds to QEMU's hw/core/machine.c and hw/core/null-machine.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/machine.h"

typedef struct MachineClass {
    ObjectClass parent_class;
    const char *desc;
} MachineClass;

#define MACHINE_CLASS(klass) \
    OBJECT_CLASS_CHECK(MachineClass, (klass), TYPE_MACHINE)

static void machine_none_class_init(ObjectClass *oc, const void *data)
{
    MACHINE_CLASS(oc)->desc = "empty machine";
}

static const TypeInfo machine_types[] = {
    {
        .name = TYPE_MACHINE,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(Object),
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
    /* Where devices without a parent, and -device ones, will live. */
    container_get(machine, "/unattached");
    container_get(machine, "/peripheral");
    container_get(machine, "/peripheral-anon");
    return machine;
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
