/*
 * Debug logging selected with -d ITEM,... and sent to stderr or -D FILE.
 * Corresponds to QEMU's include/qemu/log.h and util/log.c.
 * qemu_log* may be called from any thread; each call writes one line
 * atomically.
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

/* "guest_errors,unimp" -> mask; 0 (and errp set) for unknown items. */
int qemu_str_to_log_mask(const char *str, Error **errp);
void qemu_print_log_usage(FILE *f);
/* Select items and the destination (NULL: stderr). */
bool qemu_set_log_filename_flags(const char *filename, int flags,
                                 Error **errp);

#endif
