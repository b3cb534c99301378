/*
 * SiFive's test finisher at 0x100000 on the virt board: the way a guest
 * powers the machine off or resets it.  Corresponds to QEMU's
 * include/hw/misc/sifive_test.h.
 *
 * One 32-bit register at offset 0 (writes only; reads give 0):
 *   0x5555                  power off: exit status 0, SHUTDOWN event with
 *                           reason "guest-shutdown"
 *   (code << 16) | 0x3333   power off with exit status @code (low 16 bits)
 *   0x7777                  reset the machine ("guest-reset")
 * Other values are ignored (logged as a guest error).
 *
 * Threading: MMIO with the BQL held; the requests are acted on by the
 * main loop (main_loop_should_exit).
 */
#ifndef QCORE_HW_SIFIVE_TEST_H
#define QCORE_HW_SIFIVE_TEST_H

#include "qcore/memory.h"

#define TYPE_SIFIVE_TEST "riscv.sifive.test"

#define SIFIVE_TEST_SIZE  0x1000
#define FINISHER_FAIL     0x3333
#define FINISHER_PASS     0x5555
#define FINISHER_RESET    0x7777

typedef struct SiFiveTestState SiFiveTestState;

/*
 * Create the finisher, map it at @base in @sysmem (NULL: system memory),
 * child @name of @parent (NULL: /machine/unattached).  Borrowed pointer.
 */
SiFiveTestState *sifive_test_create(Object *parent, const char *name,
                                    MemoryRegion *sysmem, hwaddr base);

#endif
