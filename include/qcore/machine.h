/*
 * The machine: the QOM object at /machine that owns the board's devices.
 * QEMU's "none" machine (no CPUs, no memory, no devices) and the RISC-V
 * "virt" board (hw/riscv/virt.c).
 * Corresponds to QEMU's include/hw/boards.h and hw/core/machine.c,
 * hw/core/null-machine.c.  Main thread, BQL.
 */
#ifndef QCORE_MACHINE_H
#define QCORE_MACHINE_H

#include "qcore/object.h"
#include "qcore/qobject.h"

#define TYPE_MACHINE "machine"
#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(name) (name TYPE_MACHINE_SUFFIX)

/*
 * What the command line asked of the board (QEMU's MachineState).  Set
 * by machine_apply_options before the board's init; read-only after.
 */
typedef struct MachineState {
    Object parent_obj;
    uint64_t ram_size;          /* -m, or the class default */
    unsigned smp_cpus;          /* -smp cpus=N, or 1 */
    char *cpu_type;             /* -cpu, or NULL for the default */
    char *kernel_filename;      /* -kernel */
    char *kernel_cmdline;       /* -append, "" when not given */
    char *firmware;             /* -bios, or NULL for the default */
    char *initrd_filename;      /* -initrd */
    char *dtb;                  /* -dtb: a device tree to use as is */
    char *dumpdtb;              /* -M ...,dumpdtb=FILE */
    /* The device tree the board built (QMP dumpdtb), board-owned; or NULL. */
    void *fdt;
    /* -device options (QDict *: driver, id), checked; the board places them. */
    GPtrArray *devices;
} MachineState;

typedef struct MachineClass {
    ObjectClass parent_class;
    const char *desc;
    /* Build the board: memory, CPUs, devices, images.  May exit. */
    void (*init)(MachineState *ms, Error **errp);
    unsigned max_cpus;          /* 0: no CPUs (the none machine) */
    uint64_t default_ram_size;
    /* For query-machines: */
    const char *default_cpu_type;   /* or NULL */
    const char *default_ram_id;     /* the RAM region's name */
    bool is_default;                /* picked when there is no -M */
    /* The -device drivers the board knows where to put, NULL-terminated. */
    const char *const *user_devices;
} MachineClass;

#define MACHINE(obj) OBJECT_CHECK(MachineState, (obj), TYPE_MACHINE)
#define MACHINE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(MachineClass, (obj), TYPE_MACHINE)
#define MACHINE_CLASS(klass) \
    OBJECT_CLASS_CHECK(MachineClass, (klass), TYPE_MACHINE)

/*
 * Create machine @name ("none") at /machine, with QEMU's containers
 * "unattached", "peripheral" and "peripheral-anon" below it.  Errors:
 * unknown machine type.
 */
Object *qemu_create_machine(const char *name, Error **errp);
/*
 * Take the -M keys (@opts: kernel, append, firmware, initrd, dtb, smp,
 * dumpdtb; the
 * "type" key is skipped), @ram_size (0: the default) and @cpu_type into
 * @ms, checking them against the class ("Invalid SMP CPUs 9. The max CPUs
 * supported by machine 'virt' is 8", "Property 'virt-machine.x' not
 * found", "-append only allowed with -kernel option").
 */
bool machine_apply_options(MachineState *ms, QDict *opts, uint64_t ram_size,
                           const char *cpu_type, Error **errp);
/* Run the board's init (QEMU's machine_run_board_init). */
bool machine_run_board_init(MachineState *ms, Error **errp);
/* The machine, once created; NULL before. */
MachineState *qdev_get_machine(void);

/*
 * -device: check @opts ("driver", optional "id") and keep it in
 * ms->devices for the board's init.  QEMU's errors: "'x' is not a valid
 * device model name", "Property 'edu.x' not found", "Duplicate ID 'x'
 * for device"; and "Device 'edu' is not supported by machine 'none'"
 * where QEMU would find no bus.  "help" in @opts prints the list
 * (driver "help") or the driver's options, and returns false without
 * an error.  Main thread, before machine_run_board_init.
 */
bool machine_add_device_opts(MachineState *ms, QDict *opts, Error **errp);

/* Print "-machine help": the supported machines. */
void machine_print_help(void);

#endif
