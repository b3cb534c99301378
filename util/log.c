/*
 * -d/-D/-dfilter debug logging.  Corresponds to QEMU's util/log.c
 * (without its per-thread files); trace events print through it
 * (util/trace.c).
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/trace.h"
#include "qcore/thread.h"

int qemu_loglevel;
/*
 * log_lock serialises writers and guards logfile.  It is taken once per
 * thread: log_depth lets qemu_log run inside qemu_log_trylock.
 */
static FILE *logfile;
static QemuMutex log_lock;
static __thread int log_depth;

/*
 * -dfilter ranges, inclusive.  Set once at start-up before vCPUs run
 * (like qemu_loglevel), read without a lock.
 */
typedef struct LogRange {
    uint64_t lob, upb;
} LogRange;
static GArray *debug_regions;

static const struct {
    int mask;
    const char *name;
    const char *help;
} log_items[] = {
    { CPU_LOG_TB_IN_ASM, "in_asm", "show target assembly code for each "
      "compiled block" },
    { CPU_LOG_INT, "int", "show interrupts/exceptions in short format" },
    { CPU_LOG_EXEC, "exec", "show trace before each executed block (lots "
      "of logs)" },
    { CPU_LOG_TB_CPU, "cpu", "show CPU registers before entering a block "
      "(lots of logs)" },
    { CPU_LOG_MMU, "mmu", "log MMU-related activities" },
    { CPU_LOG_RESET, "cpu_reset", "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does "
      "something invalid (eg accessing a non-existent register)" },
    { CPU_LOG_TB_NOCHAIN, "nochain", "do not chain compiled blocks so that "
      "\"exec\" and \"cpu\" show complete traces" },
};

static void __attribute__((constructor)) log_init(void)
{
    qemu_mutex_init(&log_lock);
}

FILE *qemu_log_trylock(void)
{
    if (log_depth++ == 0) {
        qemu_mutex_lock(&log_lock);
    }
    return logfile ? logfile : stderr;
}

void qemu_log_unlock(FILE *f)
{
    fflush(f);
    if (--log_depth == 0) {
        qemu_mutex_unlock(&log_lock);
    }
}

void qemu_log(const char *fmt, ...)
{
    FILE *f = qemu_log_trylock();
    va_list ap;

    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    qemu_log_unlock(f);
}

bool qemu_log_in_addr_range(uint64_t addr)
{
    guint i;

    if (!debug_regions) {
        return true;
    }
    for (i = 0; i < debug_regions->len; i++) {
        LogRange *r = &g_array_index(debug_regions, LogRange, i);

        if (addr >= r->lob && addr <= r->upb) {
            return true;
        }
    }
    return false;
}

/* A whole-string unsigned number in any C base, as qemu_strtou64. */
static bool parse_u64(const char *s, size_t len, uint64_t *v)
{
    g_autofree char *copy = g_strndup(s, len);
    char *end;

    if (!*copy || *copy == '-' || g_ascii_isspace(*copy)) {
        return false;
    }
    errno = 0;
    *v = g_ascii_strtoull(copy, &end, 0);
    return errno == 0 && *end == '\0';
}

static bool parse_range(const char *r, LogRange *out, Error **errp)
{
    const char *op, *rhs;
    uint64_t a, b;

    /* The first '-' or '+' after the start, then "..": QEMU's order. */
    op = strpbrk(r + 1, "-+");
    rhs = op ? op + 1 : NULL;
    if (!op) {
        op = strstr(r, "..");
        rhs = op ? op + 2 : NULL;
    }
    if (!op) {
        error_setg(errp, "Bad range specifier");
        return false;
    }
    if (!parse_u64(r, op - r, &a)) {
        error_setg(errp, "Invalid number to the left of %.*s",
                   (int)(rhs - op), op);
        return false;
    }
    if (!parse_u64(rhs, strlen(rhs), &b)) {
        error_setg(errp, "Invalid number to the right of %.*s",
                   (int)(rhs - op), op);
        return false;
    }
    switch (*op) {
    case '+':
        if (b == 0 || a + (b - 1) < a) {
            error_setg(errp, "Invalid length %s", rhs);
            return false;
        }
        b = a + (b - 1);
        break;
    case '-':
    case '.':
        if (b < a) {
            error_setg(errp, "Invalid range %s", r);
            return false;
        }
        break;
    }
    out->lob = a;
    out->upb = b;
    return true;
}

bool qemu_set_dfilter_ranges(const char *str, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", 0);
    g_autoptr(GArray) ranges = g_array_new(false, false, sizeof(LogRange));
    int i;

    for (i = 0; parts[i]; i++) {
        LogRange r;

        if (!*parts[i]) {
            error_setg(errp, "Bad range specifier");
            return false;
        }
        if (!parse_range(parts[i], &r, errp)) {
            return false;
        }
        g_array_append_val(ranges, r);
    }
    if (debug_regions) {
        g_array_unref(debug_regions);
    }
    debug_regions = g_steal_pointer(&ranges);
    return true;
}

int qemu_str_to_log_mask(const char *str, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", 0);
    int mask = 0;
    int i;
    size_t j;

    for (i = 0; parts[i]; i++) {
        /* QEMU's "-d trace:PATTERN": the same as -trace PATTERN. */
        if (g_str_has_prefix(parts[i], "trace:")) {
            trace_enable_events(parts[i] + strlen("trace:"));
            continue;
        }
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
    fprintf(f, "trace:PATTERN   enable trace events\n\n"
            "Use \"-trace help\" to get a list of trace events.\n");
}

bool qemu_set_log_filename_flags(const char *filename, int flags,
                                 Error **errp)
{
    static bool log_append;     /* after the first open: QEMU's rule */
    g_autofree char *name = NULL;
    FILE *f = NULL;

    if (filename) {
        const char *pct = strchr(filename, '%');

        if (pct && (pct[1] != 'd' || strchr(pct + 2, '%'))) {
            error_setg(errp, "Bad logfile format: %s", filename);
            return false;
        }
        name = pct ? g_strdup_printf("%.*s%d%s", (int)(pct - filename),
                                     filename, (int)getpid(), pct + 2)
                   : g_strdup(filename);
        f = fopen(name, log_append ? "a" : "w");
        if (!f) {
            error_setg_errno(errp, errno, "Error opening logfile %s", name);
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
        log_append = true;
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
