/*
 * Debug logging selected with -d ITEM,... and sent to stderr or -D FILE,
 * optionally restricted to guest pc ranges with -dfilter.
 * Corresponds to QEMU's include/qemu/log.h, include/qemu/log-for-trace.h
 * and util/log.c.  Any thread; each qemu_log call, and everything between
 * qemu_log_trylock and qemu_log_unlock, reaches the file in one piece.
 */
#ifndef QCORE_LOG_H
#define QCORE_LOG_H

#include "qcore/osdep.h"
#include "qcore/error.h"

#define CPU_LOG_TB_IN_ASM   (1 << 0)
#define CPU_LOG_INT         (1 << 1)
#define CPU_LOG_EXEC        (1 << 2)
#define CPU_LOG_MMU         (1 << 3)
#define LOG_GUEST_ERROR     (1 << 4)
#define LOG_UNIMP           (1 << 5)
#define CPU_LOG_TB_CPU      (1 << 6)
#define CPU_LOG_TB_NOCHAIN  (1 << 7)
#define CPU_LOG_RESET       (1 << 8)

/*
 * Written once at start-up, before any vCPU runs; read without a lock on
 * hot paths (one load and a test), which is why checks are placed where
 * blocks are entered, traps taken and TLBs filled, never per instruction.
 */
extern int qemu_loglevel;

static inline bool qemu_loglevel_mask(int mask)
{
    return (qemu_loglevel & mask) != 0;
}

void qemu_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define qemu_log_mask(MASK, FMT, ...)                   \
    do {                                                \
        if (unlikely(qemu_loglevel_mask(MASK))) {       \
            qemu_log(FMT, ## __VA_ARGS__);              \
        }                                               \
    } while (0)

/*
 * Several lines that must stay together (a disassembled block, a register
 * dump): write to the FILE returned, then unlock.  Nests with qemu_log in
 * the same thread.
 */
FILE *qemu_log_trylock(void);
void qemu_log_unlock(FILE *f);

/*
 * -dfilter: whether @addr lies in one of the ranges (true when no filter
 * is set).  Applies, as in QEMU, to in_asm, exec and cpu.
 */
bool qemu_log_in_addr_range(uint64_t addr);
/*
 * "0xADDR+SIZE,0xADDR-0xADDR,0xADDR..0xADDR" (QEMU's syntax; the last
 * two are inclusive).  On error nothing changes.
 */
bool qemu_set_dfilter_ranges(const char *str, Error **errp);

/* "guest_errors,unimp" -> mask; 0 (and errp set) for unknown items. */
int qemu_str_to_log_mask(const char *str, Error **errp);
void qemu_print_log_usage(FILE *f);
/*
 * Select items and the destination (NULL: stderr).  A file is truncated
 * when first opened, as QEMU does; "%d" in its name becomes the pid.
 */
bool qemu_set_log_filename_flags(const char *filename, int flags,
                                 Error **errp);

#endif
