/*
 * What the libFuzzer targets of tests/fuzz share: the entry points every
 * target defines, and the harness around qcore (BQL, main loop, a virt
 * board whose harts never run, the neutralised side effects).
 * Corresponds to QEMU's tests/qtest/fuzz/fuzz.h.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/monitor.h"

/* What libFuzzer (or replay.c) calls: once, then once per input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Once per process: QOM types registered, the BQL taken (kept for the
 * whole run, as vl.c does), the main loop created.  Idempotent.
 */
void fuzz_qcore_init(void);

/*
 * A virt board (1 hart, 16 MiB, -bios none, "serial0" a null chardev) at
 * /machine.  The hart's thread exists but never runs guest code: the
 * harness makes resume_all_vcpus only start the virtual clock.  Once.
 */
void fuzz_virt_machine_init(void);

/*
 * The same board as `-M virt -bios none -accel qtest -device edu` builds
 * it: the qtest accelerator (harts that never run, a virtual clock that
 * moves only on clock_step) and edu at 0x10200000.  Instead of, not
 * besides, fuzz_virt_machine_init.  Once.
 */
void fuzz_virt_qtest_init(void);

/*
 * A ringbuf chardev labelled @label: it takes all the frontend writes and
 * keeps the last FUZZ_SINK_SIZE bytes, which fuzz_sink_take() returns
 * (and empties), as a string to g_free().
 */
#define FUZZ_SINK_SIZE 65536
Chardev *fuzz_sink_chardev(const char *label);
char *fuzz_sink_take(Chardev *chr);

/*
 * Feed @size bytes to the frontend of @chr as its backend would, in
 * pieces no larger than the frontend's can_read allows.  Stops early if
 * the frontend accepts nothing (a suspended monitor).
 */
void fuzz_chr_feed(Chardev *chr, const uint8_t *data, size_t size);

/*
 * Undo what an input left behind: handle pending reset and powerdown
 * requests (as the main loop would), run ready bottom halves and fd
 * handlers, delete every -object, and make the VM "running" again.
 */
void fuzz_settle(void);

/*
 * Two sessions on the monitor @mon over @chr: @data, whose output is
 * dropped, then @probe.  Each session opens the chardev, is fed, closes
 * it and settles; a monitor a quit left suspended is resumed.  Returns
 * what the probe session printed, to g_free().
 */
char *fuzz_monitor_sessions(Chardev *chr, Monitor *mon, const uint8_t *data,
                            size_t size, const char *probe);

/* How many shutdown requests were swallowed since the start. */
extern unsigned fuzz_shutdown_requests;

#endif
