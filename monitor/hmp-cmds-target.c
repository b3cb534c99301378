/*
 * HMP commands about CPUs and guest memory: info cpus, info registers,
 * info mtree, x and xp, and "cpu" to pick the CPU they look at.
 * Corresponds to QEMU's monitor/hmp-cmds-target.c (and hmp_info_cpus of
 * hw/core/machine-hmp-cmds.c).  Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/memory.h"
#include "monitor-internal.h"

/*
 * The CPU "info registers" and "x" look at: QEMU's per-monitor current
 * CPU, here one for all monitors (set with "cpu N" or for one call with
 * human-monitor-command's cpu-index).  BQL.
 */
static int mon_cpu_index;

int monitor_set_cpu(int cpu_index)
{
    int old = mon_cpu_index;

    mon_cpu_index = cpu_index;
    return old;
}

bool monitor_cpu_valid(int cpu_index)
{
    return qemu_get_cpu(cpu_index) != NULL;
}

/* The monitor's CPU, or the first one if it went away; NULL: none. */
static CPUState *mon_get_cpu(void)
{
    CPUState *cpu = qemu_get_cpu(mon_cpu_index);

    return cpu ? cpu : QTAILQ_FIRST(&cpus_queue);
}

int monitor_get_cpu_index(Monitor *mon)
{
    CPUState *cpu = mon_get_cpu();

    return cpu ? cpu->cpu_index : 0;
}

void hmp_cpu(Monitor *mon, const QDict *qdict)
{
    const char *arg = qdict_get_str(qdict, "index");
    guint64 index;

    if (!g_ascii_string_to_unsigned(arg, 10, 0, INT_MAX, &index, NULL) ||
        !monitor_cpu_valid(index)) {
        monitor_printf(mon, "invalid CPU index\n");
        return;
    }
    mon_cpu_index = index;
}

void hmp_info_cpus(Monitor *mon, const QDict *qdict)
{
    CPUState *cur = mon_get_cpu();
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        monitor_printf(mon, "%c CPU #%d: thread_id=%d\n",
                       cpu == cur ? '*' : ' ', cpu->cpu_index,
                       cpu->thread_id);
    }
}

/*
 * The registers are the vCPU thread's while it runs: read them from that
 * thread, between two stints of guest code, where they are consistent.
 */
static void do_dump_state(CPUState *cpu, void *data)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);

    if (cc->dump_state) {
        cc->dump_state(cpu, data);
    }
}

void hmp_info_registers(Monitor *mon, const QDict *qdict)
{
    bool all = qdict_get_try_bool(qdict, "cpustate_all", false);
    CPUState *cpu;

    if (!mon_get_cpu()) {
        monitor_printf(mon, "No CPU available\n");
        return;
    }
    CPU_FOREACH(cpu) {
        g_autoptr(GString) out = NULL;

        if (!all && cpu != mon_get_cpu()) {
            continue;
        }
        out = g_string_new(NULL);
        if (all) {
            g_string_append_printf(out, "\nCPU#%d\n", cpu->cpu_index);
        }
        run_on_cpu(cpu, do_dump_state, out);
        monitor_printf(mon, "%s", out->str);
    }
}

void hmp_info_mtree(Monitor *mon, const QDict *qdict)
{
    g_autofree char *text = qdict_get_try_bool(qdict, "flatview", false)
                            ? mtree_info_flatview_string()
                            : mtree_info_string();

    monitor_printf(mon, "%s", text);
}

/* ---- x and xp ------------------------------------------------------------ */

typedef struct MemDumpFormat {
    int count;
    char format;        /* x d u o c */
    int size;           /* 1 2 4 8 */
} MemDumpFormat;

/*
 * "/[count][format][size]", QEMU's syntax: any part may be left out;
 * defaults are 1, 'x' and 4 (8 for 'a'... which qcore does not support).
 */
static bool parse_fmt(const char **pp, MemDumpFormat *f, Error **errp)
{
    const char *p = *pp;

    f->count = 1;
    f->format = 'x';
    f->size = 0;
    if (*p != '/') {
        return true;
    }
    p++;
    if (g_ascii_isdigit(*p)) {
        f->count = strtol(p, (char **)&p, 10);
    }
    for (; *p && !g_ascii_isspace(*p); p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c':
            f->format = *p;
            break;
        case 'b': f->size = 1; break;
        case 'h': f->size = 2; break;
        case 'w': f->size = 4; break;
        case 'g': f->size = 8; break;
        default:
            error_setg(errp, "invalid char in format: '%c'", *p);
            return false;
        }
    }
    if (!f->size) {
        f->size = f->format == 'c' ? 1 : 4;
    }
    *pp = p;
    return true;
}

static void memory_dump(Monitor *mon, const char *args, bool is_physical)
{
    const char *p = args;
    MemDumpFormat f;
    Error *err = NULL;
    uint64_t addr;
    char *end;
    int digits, i, line;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!parse_fmt(&p, &f, &err)) {
        hmp_handle_error(mon, err);
        return;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    errno = 0;
    addr = strtoull(p, &end, 0);
    if (!*p || errno || end == p || *end) {
        monitor_printf(mon, "%s: invalid address '%s'\n",
                       is_physical ? "xp" : "x", p);
        return;
    }
    if (f.count < 1 || f.count > 4096) {
        monitor_printf(mon, "invalid count %d\n", f.count);
        return;
    }

    switch (f.format) {
    case 'o':
        digits = (f.size * 8 + 2) / 3;
        break;
    case 'x':
        digits = (f.size * 8) / 4;
        break;
    case 'd': case 'u':
        digits = (f.size * 8 * 10 + 32) / 33;
        break;
    default:
        digits = 0;
        break;
    }

    line = f.size == 1 ? 8 : 16;
    for (i = 0; i < f.count * f.size; i += line) {
        int n = MIN(line, f.count * f.size - i), j;
        uint8_t buf[16];
        CPUState *cpu = mon_get_cpu();
        bool ok;

        if (cpu && !is_physical) {
            ok = cpu_memory_rw_debug(cpu, addr + i, buf, n, false) == 0;
        } else {
            ok = address_space_read(cpu && cpu->as ? cpu->as :
                                    &address_space_memory, addr + i,
                                    MEMTXATTRS_UNSPECIFIED, buf,
                                    n) == MEMTX_OK;
        }
        if (!ok) {
            monitor_printf(mon, "Cannot access memory\n");
            return;
        }
        monitor_printf(mon, "%016" PRIx64 ":", addr + i);
        for (j = 0; j < n; j += f.size) {
            uint64_t v = 0;
            int k;

            for (k = f.size - 1; k >= 0; k--) {
                v = (v << 8) | buf[j + k];
            }
            monitor_printf(mon, " ");
            switch (f.format) {
            case 'o':
                monitor_printf(mon, "%#*" PRIo64, digits, v);
                break;
            case 'x':
                monitor_printf(mon, "0x%0*" PRIx64, digits, v);
                break;
            case 'u':
                monitor_printf(mon, "%*" PRIu64, digits, v);
                break;
            case 'd':
                /* Sign-extend from the access size. */
                if (f.size < 8) {
                    v = (int64_t)(v << (64 - 8 * f.size)) >>
                        (64 - 8 * f.size);
                }
                monitor_printf(mon, "%*" PRId64, digits, (int64_t)v);
                break;
            case 'c':
                if (v >= 32 && v < 127 && v != '\'' && v != '\\') {
                    monitor_printf(mon, "'%c'", (int)v);
                } else {
                    monitor_printf(mon, "'\\x%02" PRIx64 "'", v & 0xff);
                }
                break;
            }
        }
        monitor_printf(mon, "\n");
    }
}

void hmp_memory_dump(Monitor *mon, const QDict *qdict)
{
    memory_dump(mon, qdict_get_str(qdict, "args"), false);
}

void hmp_physical_memory_dump(Monitor *mon, const QDict *qdict)
{
    memory_dump(mon, qdict_get_str(qdict, "args"), true);
}
