/*
 * Google's goldfish RTC at 0x101000 on the virt board (PLIC source 11):
 * the wall clock Linux sets its time from, with one alarm.  Corresponds
 * to QEMU's include/hw/rtc/goldfish_rtc.h.
 *
 * Registers (32-bit accesses only), times in ns since 1970 (UTC):
 *   0x00 TIME_LOW         read: the time's low half; latches the high half
 *                         write: replace the low half (moves the clock)
 *   0x04 TIME_HIGH        read: the half latched by the last TIME_LOW read
 *                         write: replace the high half
 *   0x08 ALARM_LOW        write: low half of the alarm, and arm it (an
 *                         alarm not in the future fires at once)
 *   0x0c ALARM_HIGH       write: high half of the alarm (write it first)
 *   0x10 IRQ_ENABLED      bit 0: the alarm interrupt reaches the line
 *   0x14 CLEAR_ALARM      write: disarm
 *   0x18 ALARM_STATUS     read: 1 while armed
 *   0x1c CLEAR_INTERRUPT  write: lower the pending interrupt
 *   0x20                  reads 0, writes ignored (logged)
 * Past 0x24 nothing is mapped: an access faults, as on QEMU.
 * The clock runs on QEMU_CLOCK_HOST (QEMU's default rtc_clock): reset
 * sets it to the host's UTC time in whole seconds, after which it runs
 * with the host's, also while the VM is stopped.
 *
 * Threading: MMIO and the alarm timer (main loop) with the BQL held.
 */
#ifndef QCORE_HW_GOLDFISH_RTC_H
#define QCORE_HW_GOLDFISH_RTC_H

#include "qcore/irq.h"
#include "qcore/memory.h"

#define TYPE_GOLDFISH_RTC "goldfish_rtc"

/* The window QEMU maps (info mtree); the device tree says 0x1000. */
#define GOLDFISH_RTC_SIZE             0x24
#define RTC_TIME_LOW                  0x00
#define RTC_TIME_HIGH                 0x04
#define RTC_ALARM_LOW                 0x08
#define RTC_ALARM_HIGH                0x0c
#define RTC_IRQ_ENABLED               0x10
#define RTC_CLEAR_ALARM               0x14
#define RTC_ALARM_STATUS              0x18
#define RTC_CLEAR_INTERRUPT           0x1c

typedef struct GoldfishRTCState GoldfishRTCState;

/*
 * Create the RTC driving @irq, map it at @base in @sysmem (NULL: system
 * memory), child @name of @parent (NULL: /machine/unattached).  Borrowed
 * pointer.
 */
GoldfishRTCState *goldfish_rtc_create(Object *parent, const char *name,
                                      MemoryRegion *sysmem, hwaddr base,
                                      qemu_irq irq);

#endif
