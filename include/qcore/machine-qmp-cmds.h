/*
 * The typed QMP commands about the machine (system/machine-qmp-cmds.c),
 * called by their QMP marshallers and by HMP.  Corresponds to the parts
 * of QEMU's generated qapi-commands-machine.h they implement.  Main
 * thread, BQL held.
 */
#ifndef QCORE_MACHINE_QMP_CMDS_H
#define QCORE_MACHINE_QMP_CMDS_H

#include "qcore/error.h"
#include "qcore/qobject.h"

/* [MachineInfo] for every machine type. */
QList *qmp_query_machines(Error **errp);
/* CurrentMachineParams. */
QDict *qmp_query_current_machine(Error **errp);
/* TargetInfo: {"arch": "riscv64"}. */
QDict *qmp_query_target(Error **errp);
/* KvmInfo: never present. */
QDict *qmp_query_kvm(Error **errp);
/* UuidInfo: the all-zero UUID (no -uuid). */
QDict *qmp_query_uuid(Error **errp);
/* Always "not supported" on RISC-V. */
void qmp_inject_nmi(Error **errp);
/* Write the board's device tree to @filename. */
void qmp_dumpdtb(const char *filename, Error **errp);
/* Write @size bytes of physical memory from @addr to @filename. */
void qmp_pmemsave(int64_t addr, int64_t size, const char *filename,
                  Error **errp);
/* The same through CPU @cpu_index's (default 0) virtual addresses. */
void qmp_memsave(int64_t addr, int64_t size, const char *filename,
                 bool has_cpu_index, int64_t cpu_index, Error **errp);

#endif
