/*
 * The gdbstub: a GDB remote-protocol server on a chardev, so that
 * gdb-multiarch can stop, step and inspect the guest (-s, -gdb).
 * Corresponds to QEMU's include/exec/gdbstub.h.  See docs/gdbstub.md.
 *
 * Everything here runs in the main thread with the BQL held, except
 * gdb_set_stop_cpu, which the vCPU thread that stopped calls (with the
 * BQL) before asking the main loop to stop the VM.
 */
#ifndef QCORE_GDBSTUB_H
#define QCORE_GDBSTUB_H

#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/error.h"

/* What -s means. */
#define DEFAULT_GDBSTUB_PORT "1234"

/*
 * Serve gdb on @device, a legacy chardev string as for -serial:
 * "tcp::PORT" (server, nowait and nodelay are added, as QEMU does),
 * "unix:PATH,server=on[,wait=off]", "chardev:ID", or "none".  Errors
 * come from the chardev layer (error_report) and give false.
 */
bool gdbserver_start(const char *device);

/* The CPU that stopped for a breakpoint, watchpoint or step.  BQL. */
void gdb_set_stop_cpu(CPUState *cpu);

/* The process is exiting with @code: tell gdb ("W" packet). */
void gdb_exit(int code);

#endif
