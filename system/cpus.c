/*
 * The Big QEMU Lock and the vCPU threads: one thread per CPU runs guest
 * code without the BQL and sleeps, with it, while stopped or halted;
 * pause/resume, kicks and run_on_cpu.  Corresponds to QEMU's
 * system/cpus.c, the run_on_cpu half of cpu-common.c and the MTTCG
 * thread of accel/tcg/tcg-accel-ops-mttcg.c.  See docs/vcpu.md.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/bql-profile.h"
#include "qcore/cpu.h"
#include "qcore/gdbstub.h"
#include "qcore/main-loop.h"
#include "qcore/processor.h"
#include "qcore/rcu.h"
#include "qcore/runstate.h"
#include "qcore/thread.h"
#include "qcore/timer.h"

/*
 * The BQL is in util/bql.c; a vCPU thread marks itself with
 * bql_thread_set_yielding() so that it lets the main loop in first.
 */

/* The CPU this thread runs, NULL outside vCPU threads. */
static __thread CPUState *current_cpu;

/* ---- vCPU threads ----------------------------------------------------- */

/* All wait with the BQL. */
static QemuCond qemu_cpu_cond;      /* a vCPU thread came up */
static QemuCond qemu_pause_cond;    /* a vCPU reached cpu->stopped */
static QemuCond qemu_work_cond;     /* a run_on_cpu item completed */

/*
 * qtest's accelerator: vCPU threads that never run guest code (QEMU's
 * accel/dummy-cpus.c).  Set before the first vCPU starts, then read only.
 */
static bool vcpu_dummy;

/* The bound of every vCPU's halt-poll window; atomic. */
static int64_t halt_poll_max_ns = HALT_POLL_NS_DEFAULT;

struct QemuWorkItem {
    QSIMPLEQ_ENTRY(QemuWorkItem) node;
    run_on_cpu_func func;
    void *data;
    bool free;      /* async: the vCPU frees it after running */
    bool done;      /* sync: set with the BQL held, then qemu_work_cond */
};

static void __attribute__((constructor)) cpus_init(void)
{
    qemu_cond_init(&qemu_cpu_cond);
    qemu_cond_init(&qemu_pause_cond);
    qemu_cond_init(&qemu_work_cond);
}

CPUState *current_cpu_get(void)
{
    return current_cpu;
}

static bool cpu_work_list_empty(CPUState *cpu)
{
    bool empty;

    qemu_mutex_lock(&cpu->work_mutex);
    empty = QSIMPLEQ_EMPTY(&cpu->work_list);
    qemu_mutex_unlock(&cpu->work_mutex);
    return empty;
}

static bool cpu_has_work(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);

    return cc->has_work && cc->has_work(cpu);
}

/*
 * Whether the thread has nothing to do but sleep on halt_cond.  A pending
 * stop request, queued work or unplug is something to do; a halted CPU
 * stays asleep until it has an interrupt to take.  BQL held: every waker
 * changes these under the BQL before broadcasting halt_cond, so the check
 * and the wait cannot miss a wake-up.
 */
static bool cpu_thread_is_idle(CPUState *cpu)
{
    if (cpu->stop || cpu->unplug || !cpu_work_list_empty(cpu)) {
        return false;
    }
    if (cpu->stopped || vcpu_dummy) {
        return true;
    }
    return cpu->halted && !cpu_has_work(cpu);
}

static bool cpu_can_run(CPUState *cpu)
{
    return !cpu->stop && !cpu->stopped && !cpu->unplug;
}

/* Run what run_on_cpu/async_run_on_cpu queued.  vCPU thread, BQL held. */
static void process_queued_cpu_work(CPUState *cpu)
{
    QemuWorkItem *wi;

    qemu_mutex_lock(&cpu->work_mutex);
    while ((wi = QSIMPLEQ_FIRST(&cpu->work_list))) {
        QSIMPLEQ_REMOVE_HEAD(&cpu->work_list, node);
        /* The function may queue more work on us. */
        qemu_mutex_unlock(&cpu->work_mutex);
        wi->func(cpu, wi->data);
        if (wi->free) {
            g_free(wi);
        } else {
            /* The waiter re-checks done with the BQL, which we hold. */
            wi->done = true;
        }
        qemu_mutex_lock(&cpu->work_mutex);
    }
    qemu_mutex_unlock(&cpu->work_mutex);
    qemu_cond_broadcast(&qemu_work_cond);
}

/* Answer a stop request: we are outside guest code.  BQL held. */
static void cpu_stop_current(CPUState *cpu)
{
    cpu->stop = false;
    cpu->stopped = true;
    qemu_cond_broadcast(&qemu_pause_cond);
}

void qemu_vcpu_set_halt_poll_ns(int64_t max_ns)
{
    qatomic_set(&halt_poll_max_ns, MAX(max_ns, 0));
}

#define HALT_POLL_GROW_START_NS 10000

int64_t cpu_halt_poll_adapt(int64_t cur, int64_t max, int64_t halt_ns,
                            bool polled)
{
    if (polled) {
        return MIN(cur, max);
    }
    if (halt_ns <= max) {
        return cur > max / 2 ? max : MIN(max, cur ? cur * 2
                                                  : HALT_POLL_GROW_START_NS);
    }
    cur /= 2;
    return cur < HALT_POLL_GROW_START_NS ? 0 : cur;
}

int64_t cpu_halt_ns(int64_t start, int64_t kick, int64_t now)
{
    return (kick > start && kick < now ? kick : now) - start;
}

/*
 * Spin without the BQL until a kick or @deadline.  Every waker sets
 * exit_request after the state it changed (qemu_cpu_kick), so clearing
 * it and then checking the state under the BQL misses nothing: the
 * caller checks again once it has the BQL back.
 */
static void cpu_halt_poll(CPUState *cpu, int64_t deadline)
{
    qatomic_set(&cpu->exit_request, 0);
    smp_mb();
    if (!cpu_thread_is_idle(cpu)) {
        return;
    }
    bql_unlock();
    while (!qatomic_read(&cpu->exit_request) && get_clock() < deadline) {
        for (int i = 0; i < 64 && !qatomic_read(&cpu->exit_request); i++) {
            cpu_relax();
        }
    }
    bql_lock();
}

/*
 * Sleep until there is something to do, then do the BQL-side part.  A
 * halt polls for the vCPU's window first, and its length adapts the
 * window for the next one.
 */
static void qemu_wait_io_event(CPUState *cpu)
{
    int64_t max = qatomic_read(&halt_poll_max_ns);
    bool halt = max && cpu->halted && !cpu->stopped &&
                cpu_thread_is_idle(cpu);
    int64_t start = halt ? get_clock() : 0;
    bool polled = false;

    if (halt && cpu->halt_poll_ns) {
        cpu_halt_poll(cpu, cpu->halt_poll_ns > INT64_MAX - start
                           ? INT64_MAX : start + cpu->halt_poll_ns);
        polled = !cpu_thread_is_idle(cpu);
    }
    while (cpu_thread_is_idle(cpu)) {
        bql_cond_wait(&cpu->halt_cond);
    }
    if (halt) {
        cpu->halt_poll_ns = cpu_halt_poll_adapt(
            cpu->halt_poll_ns, max,
            cpu_halt_ns(start, qatomic_read(&cpu->kick_ns), get_clock()),
            polled);
    }
    if (cpu->stop) {
        cpu_stop_current(cpu);
    }
    process_queued_cpu_work(cpu);
}

/*
 * One stint of guest code.  The BQL is dropped around it: guest code
 * takes the BQL only for MMIO, inside the memory API.  cpu_exec_start/end
 * are called without the BQL so that start_exclusive, which waits for
 * them, never waits for a thread that waits for the BQL.
 */
static int qemu_cpu_exec(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);
    int r;

    bql_unlock();
    cpu_exec_start(cpu);
    r = cc->exec(cpu);
    cpu_exec_end(cpu);
    bql_lock();
    return r;
}

/*
 * A breakpoint, watchpoint or single step: this CPU stops at once (it is
 * outside guest code) and the main loop stops the others and tells gdb
 * (QEMU's cpu_handle_guest_debug).  BQL held.
 */
static void cpu_handle_guest_debug(CPUState *cpu)
{
    gdb_set_stop_cpu(cpu);
    qemu_system_debug_request();
    cpu->stopped = true;
}

static void *qemu_vcpu_thread_fn(void *arg)
{
    CPUState *cpu = arg;

    rcu_register_thread();
    bql_lock();
    current_cpu = cpu;
    bql_thread_set_yielding(true);
    cpu->thread_id = qemu_get_thread_id();
    cpu->created = true;
    qemu_cond_broadcast(&qemu_cpu_cond);

    while (!cpu->unplug) {
        if (!vcpu_dummy && cpu_can_run(cpu) && (!cpu->halted || cpu_has_work(cpu))) {
            /*
             * A kick that arrives from here on must stop the coming exec:
             * clear the old request first, and full barrier so that exec's
             * loads of interrupt state come after it (pairs with the
             * ordering in qemu_cpu_kick: state first, then exit_request).
             */
            qatomic_set(&cpu->exit_request, 0);
            smp_mb();
            cpu->halted = false;
            switch (qemu_cpu_exec(cpu)) {
            case EXCP_HLT:
                cpu->halted = true;
                break;
            case EXCP_DEBUG:
                cpu_handle_guest_debug(cpu);
                break;
            }
        }
        qemu_wait_io_event(cpu);
    }

    cpu->created = false;
    bql_thread_set_yielding(false);
    current_cpu = NULL;
    bql_unlock();
    rcu_unregister_thread();
    return NULL;
}

void qemu_vcpu_set_dummy(void)
{
    g_assert(QTAILQ_EMPTY(&cpus_queue));
    vcpu_dummy = true;
}

void qemu_init_vcpu(CPUState *cpu)
{
    g_autofree char *name = NULL;

    assert_bql_held();
    g_assert(CPU_GET_CLASS(cpu)->exec);
    cpu_list_add(cpu);
    /* A CPU joins a stopped VM stopped; vm_start resumes it. */
    cpu->stopped = !runstate_is_running();

    /* The RISC-V interpreter, or qtest's thread that runs nothing. */
    name = g_strdup_printf(vcpu_dummy ? "CPU %d/DUMMY" : "CPU %d/riscv",
                           cpu->cpu_index);
    qemu_thread_create(&cpu->thread, name, qemu_vcpu_thread_fn, cpu,
                       QEMU_THREAD_JOINABLE);
    while (!cpu->created) {
        bql_cond_wait(&qemu_cpu_cond);
    }
}

void qemu_destroy_vcpu(CPUState *cpu)
{
    assert_bql_held();
    g_assert(current_cpu != cpu);
    cpu->unplug = true;
    qemu_cpu_kick(cpu);
    /* The thread needs the BQL to see unplug and leave. */
    bql_unlock();
    qemu_thread_join(&cpu->thread);
    bql_lock();
    cpu_list_remove(cpu);
}

void qemu_cpu_kick(CPUState *cpu)
{
    /*
     * exit_request stops a running exec at its next check; the broadcast,
     * once we drop the BQL (bql_defer_broadcast), wakes the thread if it
     * sleeps.  Whoever changed the state that made
     * the kick necessary did so before this store (seq_cst), so the exec
     * that sees exit_request sees that state too.
     */
    qatomic_set(&cpu->kick_ns, get_clock());
    smp_mb();
    qatomic_set(&cpu->exit_request, 1);
    bql_defer_broadcast(&cpu->halt_cond);
}

void cpu_interrupt(CPUState *cpu)
{
    /*
     * A halted vCPU re-checks has_work under the BQL: broadcasting with it
     * held means the thread is either before its check (and will see the
     * interrupt) or already waiting (and is woken).
     */
    BQLLockAuto *l = bql_auto_lock();

    qemu_cpu_kick(cpu);
    bql_auto_unlock(l);
}

bool all_vcpus_paused(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (!cpu->stopped) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    CPUState *cpu;

    assert_bql_held();
    /* Device timers on the virtual clock stop with the guest. */
    qemu_clock_enable(QEMU_CLOCK_VIRTUAL, false);
    CPU_FOREACH(cpu) {
        if (cpu == current_cpu) {
            /* We are outside guest code right now: we are stopped. */
            cpu->stopped = true;
            qatomic_set(&cpu->exit_request, 1);
        } else if (!cpu->stopped) {
            cpu->stop = true;
            qemu_cpu_kick(cpu);
        }
    }
    /* The wait drops the BQL, letting vCPUs finish an MMIO access. */
    while (!all_vcpus_paused()) {
        bql_cond_wait(&qemu_pause_cond);
    }
}

void resume_all_vcpus(void)
{
    resume_vcpus(NULL, NULL);
}

void resume_vcpus(bool (*filter)(CPUState *cpu, void *opaque), void *opaque)
{
    CPUState *cpu;

    assert_bql_held();
    qemu_clock_enable(QEMU_CLOCK_VIRTUAL, true);
    CPU_FOREACH(cpu) {
        if (filter && !filter(cpu, opaque)) {
            continue;
        }
        cpu->stop = false;
        cpu->stopped = false;
        qemu_cpu_kick(cpu);
    }
}

/* ---- run_on_cpu --------------------------------------------------------- */

static void queue_work_on_cpu(CPUState *cpu, QemuWorkItem *wi)
{
    qemu_mutex_lock(&cpu->work_mutex);
    QSIMPLEQ_INSERT_TAIL(&cpu->work_list, wi, node);
    qemu_mutex_unlock(&cpu->work_mutex);
    /* Non-empty work makes the thread not idle: wake or interrupt it. */
    qemu_cpu_kick(cpu);
}

void run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data)
{
    QemuWorkItem wi = { .func = func, .data = data };

    assert_bql_held();
    if (current_cpu == cpu) {
        func(cpu, data);
        return;
    }
    queue_work_on_cpu(cpu, &wi);
    while (!wi.done) {
        bql_cond_wait(&qemu_work_cond);
    }
}

void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data)
{
    QemuWorkItem *wi = g_new0(QemuWorkItem, 1);

    wi->func = func;
    wi->data = data;
    wi->free = true;
    queue_work_on_cpu(cpu, wi);
}
