/*
 * Per-CPU breakpoints, watchpoints and single-step, as the gdbstub sets
 * them.  Corresponds to the cpu_breakpoint_* functions of QEMU's cpu.c
 * and to softmmu/watchpoint.c.  See docs/gdbstub.md.
 *
 * The lists only say what to check; the target makes the checks cost
 * nothing while they are empty (target/riscv: breakpointed pages are
 * decoded apart and never enter the fetch TLB, watched pages never enter
 * the data TLB).  Every change calls CPUClass->debug_changed so that the
 * target drops what it cached before the change.
 */
#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/main-loop.h"

static void debug_changed(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);

    if (cc->debug_changed) {
        cc->debug_changed(cpu);
    }
}

int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags)
{
    CPUBreakpoint *bp;

    assert_bql_held();
    if (cpu->nb_breakpoints >= CPU_MAX_BREAKPOINTS) {
        return -ENOSPC;
    }
    bp = g_new0(CPUBreakpoint, 1);
    bp->pc = pc;
    bp->flags = flags;
    /* Duplicates are kept: each insert is undone by one remove (QEMU). */
    QTAILQ_INSERT_HEAD(&cpu->breakpoints, bp, entry);
    cpu->nb_breakpoints++;
    debug_changed(cpu);
    return 0;
}

int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags)
{
    CPUBreakpoint *bp;

    assert_bql_held();
    QTAILQ_FOREACH(bp, &cpu->breakpoints, entry) {
        if (bp->pc == pc && bp->flags == flags) {
            QTAILQ_REMOVE(&cpu->breakpoints, bp, entry);
            cpu->nb_breakpoints--;
            g_free(bp);
            debug_changed(cpu);
            return 0;
        }
    }
    return -ENOENT;
}

void cpu_breakpoint_remove_all(CPUState *cpu, int mask)
{
    CPUBreakpoint *bp, *next;
    bool changed = false;

    QTAILQ_FOREACH_SAFE(bp, &cpu->breakpoints, entry, next) {
        if (bp->flags & mask) {
            QTAILQ_REMOVE(&cpu->breakpoints, bp, entry);
            cpu->nb_breakpoints--;
            g_free(bp);
            changed = true;
        }
    }
    if (changed) {
        debug_changed(cpu);
    }
}

int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    CPUWatchpoint *wp;

    assert_bql_held();
    /* Empty, or running off the end of the address space: QEMU's rule. */
    if (len == 0 || addr + len - 1 < addr) {
        return -EINVAL;
    }
    if (cpu->nb_watchpoints >= CPU_MAX_WATCHPOINTS) {
        return -ENOSPC;
    }
    wp = g_new0(CPUWatchpoint, 1);
    wp->vaddr = addr;
    wp->len = len;
    wp->flags = flags;
    QTAILQ_INSERT_TAIL(&cpu->watchpoints, wp, entry);
    cpu->nb_watchpoints++;
    debug_changed(cpu);
    return 0;
}

static void watchpoint_free(CPUState *cpu, CPUWatchpoint *wp)
{
    if (cpu->watchpoint_hit == wp) {
        cpu->watchpoint_hit = NULL;
    }
    QTAILQ_REMOVE(&cpu->watchpoints, wp, entry);
    cpu->nb_watchpoints--;
    g_free(wp);
}

int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    CPUWatchpoint *wp;

    assert_bql_held();
    QTAILQ_FOREACH(wp, &cpu->watchpoints, entry) {
        if (wp->vaddr == addr && wp->len == len &&
            (wp->flags & ~BP_MEM_ACCESS) == (flags & ~BP_MEM_ACCESS) &&
            (wp->flags & BP_MEM_ACCESS) == (flags & BP_MEM_ACCESS)) {
            watchpoint_free(cpu, wp);
            debug_changed(cpu);
            return 0;
        }
    }
    return -ENOENT;
}

void cpu_watchpoint_remove_all(CPUState *cpu, int mask)
{
    CPUWatchpoint *wp, *next;
    bool changed = false;

    QTAILQ_FOREACH_SAFE(wp, &cpu->watchpoints, entry, next) {
        if (wp->flags & mask) {
            watchpoint_free(cpu, wp);
            changed = true;
        }
    }
    if (changed) {
        debug_changed(cpu);
    }
}

void cpu_single_step(CPUState *cpu, bool enabled)
{
    assert_bql_held();
    if (cpu->singlestep_enabled != enabled) {
        cpu->singlestep_enabled = enabled;
        debug_changed(cpu);
    }
}

/* Do [a, a + alen) and [b, b + blen) overlap?  Lengths are nonzero. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
                           uint64_t blen)
{
    return a <= b + (blen - 1) && b <= a + (alen - 1);
}

bool cpu_breakpoint_in_page(CPUState *cpu, uint64_t page, uint64_t size)
{
    CPUBreakpoint *bp;

    QTAILQ_FOREACH(bp, &cpu->breakpoints, entry) {
        if (ranges_overlap(bp->pc, 1, page, size)) {
            return true;
        }
    }
    return false;
}

bool cpu_watchpoint_in_page(CPUState *cpu, uint64_t page, uint64_t size)
{
    CPUWatchpoint *wp;

    QTAILQ_FOREACH(wp, &cpu->watchpoints, entry) {
        if (ranges_overlap(wp->vaddr, wp->len, page, size)) {
            return true;
        }
    }
    return false;
}

CPUWatchpoint *cpu_watchpoint_check(CPUState *cpu, uint64_t addr,
                                    uint64_t len, int flags)
{
    CPUWatchpoint *wp;

    QTAILQ_FOREACH(wp, &cpu->watchpoints, entry) {
        if ((wp->flags & flags) && ranges_overlap(wp->vaddr, wp->len,
                                                  addr, len)) {
            wp->hitaddr = MAX(addr, wp->vaddr);
            cpu->watchpoint_hit = wp;
            return wp;
        }
    }
    return NULL;
}
