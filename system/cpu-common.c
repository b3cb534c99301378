/*
 * The target-independent half of a CPU: the abstract TYPE_CPU, the list
 * of CPUs, and exclusive sections (start_exclusive / cpu_exec_start).
 * Corresponds to QEMU's cpu-common.c and hw/core/cpu-common.c.  The vCPU
 * threads themselves live in system/cpus.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/cpu.h"
#include "qcore/main-loop.h"

/*
 * Changed under both the BQL and qemu_cpu_list_lock, so either lock is
 * enough to walk it: the BQL for almost everyone, qemu_cpu_list_lock for
 * start_exclusive, whose caller must not hold the BQL.
 */
union CPUTailQ cpus_queue = QTAILQ_HEAD_INITIALIZER(cpus_queue);

/*
 * Protects pending_cpus updates, every cpu->has_waiter and the exclusive
 * conditions.  Never take the BQL while holding it.
 */
static QemuMutex qemu_cpu_list_lock;
/* Signalled when the last counted CPU left guest code. */
static QemuCond exclusive_cond;
/* Signalled by end_exclusive for CPUs waiting to re-enter guest code. */
static QemuCond exclusive_resume;

/*
 * 0: no exclusive section.  Otherwise 1 + the number of CPUs that were
 * inside cpu_exec_start/end when start_exclusive looked and have not left
 * yet.  Written under qemu_cpu_list_lock, read locklessly by the vCPU
 * fast path (see the barriers in cpu_exec_start/end).
 */
static int pending_cpus;

/* Nesting of start_exclusive in the calling thread. */
static __thread int exclusive_depth;

static void __attribute__((constructor)) cpu_list_init(void)
{
    qemu_mutex_init(&qemu_cpu_list_lock);
    qemu_cond_init(&exclusive_cond);
    qemu_cond_init(&exclusive_resume);
}

void cpu_list_add(CPUState *cpu)
{
    CPUState *last;

    assert_bql_held();
    qemu_mutex_lock(&qemu_cpu_list_lock);
    last = QTAILQ_LAST(&cpus_queue);
    cpu->cpu_index = last ? last->cpu_index + 1 : 0;
    QTAILQ_INSERT_TAIL(&cpus_queue, cpu, node);
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void cpu_exit_all(void)
{
    CPUState *cpu;

    /* Whatever the caller changed is visible to an exec that sees us. */
    smp_mb();
    qemu_mutex_lock(&qemu_cpu_list_lock);
    CPU_FOREACH(cpu) {
        qatomic_set(&cpu->exit_request, 1);
    }
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void cpu_list_remove(CPUState *cpu)
{
    assert_bql_held();
    qemu_mutex_lock(&qemu_cpu_list_lock);
    QTAILQ_REMOVE(&cpus_queue, cpu, node);
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

CPUState *qemu_get_cpu(int index)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (cpu->cpu_index == index) {
            return cpu;
        }
    }
    return NULL;
}

/* Wait for a running exclusive section to end.  qemu_cpu_list_lock held. */
static void exclusive_idle(void)
{
    while (pending_cpus) {
        qemu_cond_wait(&exclusive_resume, &qemu_cpu_list_lock);
    }
}

void start_exclusive(void)
{
    CPUState *other;
    CPUState *self = current_cpu_get();
    int running = 0;

    /*
     * A vCPU in guest code may be about to take the BQL for an MMIO
     * access; if we held it while waiting for that vCPU to leave guest
     * code, neither could proceed.
     */
    g_assert(!bql_locked());
    if (exclusive_depth++) {
        return;
    }

    qemu_mutex_lock(&qemu_cpu_list_lock);
    exclusive_idle();

    /*
     * Announce the section before looking at cpu->running.  Pairs with
     * the smp_mb in cpu_exec_start: either that CPU sees pending_cpus and
     * backs off, or we see it running and count it.
     */
    qatomic_set(&pending_cpus, 1);
    smp_mb();
    QTAILQ_FOREACH(other, &cpus_queue, node) {
        if (other != self && qatomic_read(&other->running)) {
            other->has_waiter = true;
            running++;
            qemu_cpu_kick(other);
        }
    }
    qatomic_set(&pending_cpus, running + 1);
    while (pending_cpus > 1) {
        qemu_cond_wait(&exclusive_cond, &qemu_cpu_list_lock);
    }
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void end_exclusive(void)
{
    g_assert(exclusive_depth > 0);
    if (--exclusive_depth) {
        return;
    }
    qemu_mutex_lock(&qemu_cpu_list_lock);
    qatomic_set(&pending_cpus, 0);
    qemu_cond_broadcast(&exclusive_resume);
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void cpu_exec_start(CPUState *cpu)
{
    qatomic_set(&cpu->running, true);
    /* Pairs with the smp_mb in start_exclusive. */
    smp_mb();
    if (likely(!qatomic_read(&pending_cpus))) {
        return;
    }

    qemu_mutex_lock(&qemu_cpu_list_lock);
    if (!cpu->has_waiter) {
        /*
         * start_exclusive did not count us (it looked before we set
         * running), so it is not waiting for us: step back out and wait
         * for the section to end.
         */
        qatomic_set(&cpu->running, false);
        exclusive_idle();
        qatomic_set(&cpu->running, true);
    }
    /*
     * Otherwise we were counted and kicked: exec will see exit_request
     * at once and cpu_exec_end will let start_exclusive go.
     */
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void cpu_exec_end(CPUState *cpu)
{
    qatomic_set(&cpu->running, false);
    /* Pairs with the smp_mb in start_exclusive, as in cpu_exec_start. */
    smp_mb();
    if (likely(!qatomic_read(&pending_cpus))) {
        return;
    }

    qemu_mutex_lock(&qemu_cpu_list_lock);
    if (cpu->has_waiter) {
        cpu->has_waiter = false;
        qatomic_set(&pending_cpus, pending_cpus - 1);
        if (pending_cpus == 1) {
            qemu_cond_signal(&exclusive_cond);
        }
    }
    qemu_mutex_unlock(&qemu_cpu_list_lock);
}

void cpu_reset(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);

    assert_bql_held();
    /* A hart that slept in wfi wakes up at its reset vector. */
    cpu->halted = false;
    if (cc->reset) {
        cc->reset(cpu);
    }
}

/* ---- the abstract QOM type ----------------------------------------- */

static void cpu_instance_init(Object *obj)
{
    CPUState *cpu = CPU(obj);

    cpu->cpu_index = -1;
    qemu_cond_init(&cpu->halt_cond);
    qemu_mutex_init(&cpu->work_mutex);
    QSIMPLEQ_INIT(&cpu->work_list);
    QTAILQ_INIT(&cpu->breakpoints);
    QTAILQ_INIT(&cpu->watchpoints);
}

static void cpu_instance_finalize(Object *obj)
{
    CPUState *cpu = CPU(obj);

    /* qemu_destroy_vcpu must have joined the thread first. */
    g_assert(!cpu->created);
    /* The target's part is gone: free the lists without telling it. */
    while (!QTAILQ_EMPTY(&cpu->breakpoints)) {
        CPUBreakpoint *bp = QTAILQ_FIRST(&cpu->breakpoints);
        QTAILQ_REMOVE(&cpu->breakpoints, bp, entry);
        g_free(bp);
    }
    while (!QTAILQ_EMPTY(&cpu->watchpoints)) {
        CPUWatchpoint *wp = QTAILQ_FIRST(&cpu->watchpoints);
        QTAILQ_REMOVE(&cpu->watchpoints, wp, entry);
        g_free(wp);
    }
    qemu_mutex_destroy(&cpu->work_mutex);
    bql_cancel_broadcast(&cpu->halt_cond);
    qemu_cond_destroy(&cpu->halt_cond);
}

static const TypeInfo cpu_types[] = {
    {
        .name = TYPE_CPU,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(CPUState),
        .instance_init = cpu_instance_init,
        .instance_finalize = cpu_instance_finalize,
        .class_size = sizeof(CPUClass),
    },
};

DEFINE_TYPES(cpu_types)
