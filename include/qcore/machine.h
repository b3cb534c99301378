/*
 * The machine: the QOM object at /machine that owns the board's devices.
 * For now only QEMU's "none" machine (no CPUs, no memory, no devices).
 * Corresponds to QEMU's include/hw/boards.h and hw/core/machine.c,
 * hw/core/null-machine.c.  Main thread, BQL.
 */
#ifndef QCORE_MACHINE_H
#define QCORE_MACHINE_H

#include "qcore/object.h"

#define TYPE_MACHINE "machine"
#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(name) (name TYPE_MACHINE_SUFFIX)

/*
 * Create machine @name ("none") at /machine, with QEMU's containers
 * "unattached", "peripheral" and "peripheral-anon" below it.  Errors:
 * unknown machine type.
 */
Object *qemu_create_machine(const char *name, Error **errp);
/* Print "-machine help": the supported machines. */
void machine_print_help(void);

#endif
