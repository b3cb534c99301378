/*
 * QMP commands about the machine that management tools (libvirt among
 * them) ask a new QEMU before anything else, and the memory and device
 * tree dumps: query-machines, query-current-machine, query-target,
 * query-kvm, query-uuid, query-name, query-cpus-fast, inject-nmi,
 * dumpdtb, pmemsave, memsave (qapi/machine.json).
 * Corresponds to QEMU's hw/core/machine-qmp-cmds.c (and qmp_dumpdtb in
 * system/device_tree.c).  Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include <libfdt.h>
#include "qcore/cpu.h"
#include "qcore/machine.h"
#include "qcore/memory.h"
#include "qcore/runstate.h"
#include "qapi/qapi-commands.h"

MachineInfoList *qmp_query_machines(Error **errp)
{
    GSList *classes = object_class_get_list_sorted(TYPE_MACHINE, false);
    MachineInfoList *list = NULL, **tail = &list;

    for (GSList *l = classes; l; l = l->next) {
        MachineClass *mc = MACHINE_CLASS(l->data);
        const char *type = object_class_get_name(l->data);
        MachineInfo *info = g_new0(MachineInfo, 1);

        info->name = g_strndup(type, strlen(type) -
                               strlen(TYPE_MACHINE_SUFFIX));
        if (mc->is_default) {
            info->has_is_default = info->is_default = true;
        }
        info->cpu_max = MAX(mc->max_cpus, 1);
        info->default_cpu_type = g_strdup(mc->default_cpu_type);
        info->default_ram_id = g_strdup(mc->default_ram_id);
        QAPI_LIST_APPEND(tail, info);
    }
    g_slist_free(classes);
    return list;
}

CurrentMachineParams *qmp_query_current_machine(Error **errp)
{
    /* No machine here can suspend to RAM. */
    return g_new0(CurrentMachineParams, 1);
}

TargetInfo *qmp_query_target(Error **errp)
{
    TargetInfo *info = g_new0(TargetInfo, 1);

    info->arch = SYS_EMU_TARGET_RISCV64;
    return info;
}

KvmInfo *qmp_query_kvm(Error **errp)
{
    /* An interpreter only: KVM is neither in use nor built in. */
    return g_new0(KvmInfo, 1);
}

UuidInfo *qmp_query_uuid(Error **errp)
{
    UuidInfo *info = g_new0(UuidInfo, 1);

    /* qcore has no -uuid: QEMU's answer without one. */
    info->UUID = g_strdup("00000000-0000-0000-0000-000000000000");
    return info;
}

NameInfo *qmp_query_name(Error **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);

    info->name = g_strdup(qemu_get_vm_name());
    return info;
}

/* QEMU's CpuInfoFast list, in cpu_index order. */
CpuInfoFastList *qmp_query_cpus_fast(Error **errp)
{
    CpuInfoFastList *list = NULL, **tail = &list;
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        CpuInfoFast *info = g_new0(CpuInfoFast, 1);

        info->cpu_index = cpu->cpu_index;
        info->qom_path = object_get_canonical_path(OBJECT(cpu));
        info->thread_id = cpu->thread_id;
        /* One socket, one hart per core, as QEMU's virt without -smp
         * topology reports it. */
        info->props = g_new0(CpuInstanceProperties, 1);
        info->props->has_core_id = true;
        info->props->core_id = cpu->cpu_index;
        info->target = SYS_EMU_TARGET_RISCV64;
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
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
