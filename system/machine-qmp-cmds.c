/*
 * QMP commands about the machine that management tools (libvirt among
 * them) ask a new QEMU before anything else, and the memory and device
 * tree dumps: query-machines, query-current-machine, query-target,
 * query-kvm, query-uuid, inject-nmi, dumpdtb, pmemsave, memsave.
 * Corresponds to QEMU's hw/core/machine-qmp-cmds.c (and qmp_dumpdtb in
 * system/device_tree.c).  Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include <libfdt.h>
#include "qcore/cpu.h"
#include "qcore/machine.h"
#include "qcore/machine-qmp-cmds.h"
#include "qcore/memory.h"

static void add_machine_info(gpointer data, gpointer user_data)
{
    ObjectClass *oc = data;
    MachineClass *mc = MACHINE_CLASS(oc);
    const char *type = object_class_get_name(oc);
    g_autofree char *name = g_strndup(type, strlen(type) -
                                      strlen(TYPE_MACHINE_SUFFIX));
    QDict *info = qdict_new();

    qdict_put_str(info, "name", name);
    if (mc->is_default) {
        qdict_put_bool(info, "is-default", true);
    }
    qdict_put_int(info, "cpu-max", MAX(mc->max_cpus, 1));
    qdict_put_bool(info, "hotpluggable-cpus", false);
    qdict_put_bool(info, "numa-mem-supported", false);
    qdict_put_bool(info, "deprecated", false);
    if (mc->default_cpu_type) {
        qdict_put_str(info, "default-cpu-type", mc->default_cpu_type);
    }
    if (mc->default_ram_id) {
        qdict_put_str(info, "default-ram-id", mc->default_ram_id);
    }
    qlist_append(user_data, info);
}

QList *qmp_query_machines(Error **errp)
{
    GSList *classes = object_class_get_list_sorted(TYPE_MACHINE, false);
    QList *list = qlist_new();

    g_slist_foreach(classes, add_machine_info, list);
    g_slist_free(classes);
    return list;
}

QDict *qmp_query_current_machine(Error **errp)
{
    QDict *info = qdict_new();

    /* No machine here can suspend to RAM. */
    qdict_put_bool(info, "wakeup-suspend-support", false);
    return info;
}

QDict *qmp_query_target(Error **errp)
{
    QDict *info = qdict_new();

    qdict_put_str(info, "arch", "riscv64");
    return info;
}

QDict *qmp_query_kvm(Error **errp)
{
    QDict *info = qdict_new();

    /* An interpreter only: KVM is neither in use nor built in. */
    qdict_put_bool(info, "enabled", false);
    qdict_put_bool(info, "present", false);
    return info;
}

QDict *qmp_query_uuid(Error **errp)
{
    QDict *info = qdict_new();

    /* qcore has no -uuid: QEMU's answer without one. */
    qdict_put_str(info, "UUID", "00000000-0000-0000-0000-000000000000");
    return info;
}

void qmp_inject_nmi(Error **errp)
{
    /* RISC-V has no NMI QEMU can inject (QERR_UNSUPPORTED). */
    error_setg(errp, "this feature or command is not currently supported");
}

void qmp_dumpdtb(const char *filename, Error **errp)
{
    MachineState *ms = qdev_get_machine();
    g_autoptr(GError) gerr = NULL;

    if (!ms || !ms->fdt) {
        error_setg(errp, "This machine doesn't have a FDT");
        return;
    }
    if (!g_file_set_contents(filename, ms->fdt, fdt_totalsize(ms->fdt),
                             &gerr)) {
        error_setg(errp, "Error saving FDT to file %s: %s", filename,
                   gerr->message);
    }
}

/*
 * Write @size bytes read by @read (1 KiB at a time, as QEMU) to @filename.
 * @read returns false to stop with its error set.
 */
static void save_memory(const char *filename, int64_t addr, int64_t size,
                        bool (*read)(void *opaque, uint64_t addr, void *buf,
                                     size_t len, Error **errp),
                        void *opaque, Error **errp)
{
    g_autofree uint8_t *buf = g_malloc(1024);
    FILE *f;

    if (size < 0) {
        error_setg(errp, "Parameter 'size' expects a non-negative number");
        return;
    }
    f = fopen(filename, "wb");
    if (!f) {
        error_setg_errno(errp, errno, "Could not open '%s'", filename);
        return;
    }
    while (size) {
        size_t l = MIN(size, 1024);

        if (!read(opaque, addr, buf, l, errp)) {
            break;
        }
        if (fwrite(buf, 1, l, f) != l) {
            error_setg(errp, "An IO error has occurred");
            break;
        }
        addr += l;
        size -= l;
    }
    fclose(f);
}

/* Physical memory: holes read as zeros, as QEMU's unassigned memory. */
static bool read_physical(void *opaque, uint64_t addr, void *buf, size_t len,
                          Error **errp)
{
    uint8_t *p = buf;
    size_t i;

    if (address_space_read(&address_space_memory, addr,
                           MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK) {
        return true;
    }
    for (i = 0; i < len; i++) {
        if (address_space_read(&address_space_memory, addr + i,
                               MEMTXATTRS_UNSPECIFIED, p + i, 1) != MEMTX_OK) {
            p[i] = 0;
        }
    }
    return true;
}

void qmp_pmemsave(int64_t addr, int64_t size, const char *filename,
                  Error **errp)
{
    save_memory(filename, addr, size, read_physical, NULL, errp);
}

typedef struct VirtualRead {
    CPUState *cpu;
    int64_t addr, size;         /* as asked, for the error message */
} VirtualRead;

static bool read_virtual(void *opaque, uint64_t addr, void *buf, size_t len,
                         Error **errp)
{
    VirtualRead *v = opaque;

    if (cpu_memory_rw_debug(v->cpu, addr, buf, len, false) != 0) {
        error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRId64
                   " specified", v->addr, v->size);
        return false;
    }
    return true;
}

void qmp_memsave(int64_t addr, int64_t size, const char *filename,
                 bool has_cpu_index, int64_t cpu_index, Error **errp)
{
    VirtualRead v = { NULL, addr, size };

    if (cpu_index < 0 || cpu_index > INT_MAX ||
        !(v.cpu = qemu_get_cpu(has_cpu_index ? cpu_index : 0))) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
        return;
    }
    save_memory(filename, addr, size, read_virtual, &v, errp);
}
