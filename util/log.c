/*
 * -d/-D debug logging.  Corresponds to QEMU's util/log.c (without its
 * per-thread files and trace events).
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/thread.h"

int qemu_loglevel;
static FILE *logfile;
static QemuMutex log_lock;

static const struct {
    int mask;
    const char *name;
    const char *help;
} log_items[] = {
    { CPU_LOG_TB_IN_ASM, "in_asm", "show target assembly code for each "
      "compiled block" },
    { CPU_LOG_INT, "int", "show interrupts/exceptions in short format" },
    { CPU_LOG_EXEC, "exec", "show trace before each executed block" },
    { CPU_LOG_MMU, "mmu", "log MMU-related activities" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does "
      "something invalid (eg accessing a non-existent register)" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
};

static void __attribute__((constructor)) log_init(void)
{
    qemu_mutex_init(&log_lock);
}

void qemu_log(const char *fmt, ...)
{
    g_autofree char *line = NULL;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_mutex_lock(&log_lock);
    fputs(line, logfile ? logfile : stderr);
    fflush(logfile ? logfile : stderr);
    qemu_mutex_unlock(&log_lock);
}

int qemu_str_to_log_mask(const char *str, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", 0);
    int mask = 0;
    int i;
    size_t j;

    for (i = 0; parts[i]; i++) {
        if (!strcmp(parts[i], "all")) {
            for (j = 0; j < G_N_ELEMENTS(log_items); j++) {
                mask |= log_items[j].mask;
            }
            continue;
        }
        for (j = 0; j < G_N_ELEMENTS(log_items); j++) {
            if (!strcmp(parts[i], log_items[j].name)) {
                mask |= log_items[j].mask;
                break;
            }
        }
        if (j == G_N_ELEMENTS(log_items)) {
            error_setg(errp, "Invalid -d option \"%s\"", parts[i]);
            return 0;
        }
    }
    return mask;
}

void qemu_print_log_usage(FILE *f)
{
    size_t i;

    fprintf(f, "Log items (comma separated):\n");
    for (i = 0; i < G_N_ELEMENTS(log_items); i++) {
        fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
    }
}

bool qemu_set_log_filename_flags(const char *filename, int flags,
                                 Error **errp)
{
    FILE *f = NULL;

    if (filename) {
        f = fopen(filename, "a");
        if (!f) {
            error_setg_errno(errp, errno, "Error opening logfile %s",
                             filename);
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    qemu_mutex_lock(&log_lock);
    if (logfile) {
        fclose(logfile);
    }
    logfile = f;
    qemu_loglevel = flags;
    qemu_mutex_unlock(&log_lock);
    return true;
}
