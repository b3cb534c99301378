/*
 * vCPU threads: naming, stop/resume, kicks out of halt, run_on_cpu and
 * exclusive sections, driven by a test CPU class whose "guest code" spins
 * until exit_request or halts like wfi.  No sleeps: every wait is for an
 * event the vCPU reports.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/cpu.h"
#include "qcore/main-loop.h"
#include "qcore/module.h"
#include "qcore/thread.h"
#include "qcore/timer.h"

#define TYPE_TEST_CPU "test-cpu"

enum { TEST_CPU_SPIN, TEST_CPU_HALT };

typedef struct TestCPU {
    CPUState parent_obj;
    int mode;                   /* set before qemu_init_vcpu */
    bool irq_pending;           /* atomic: has_work for HALT mode */
    long iterations;            /* atomic: spins of "guest code" */
    int entries;                /* test_lock: calls of exec */
    int exclusive_violations;   /* atomic */
} TestCPU;

#define TEST_CPU(obj) OBJECT_CHECK(TestCPU, (obj), TYPE_TEST_CPU)

static QemuMutex test_lock;
static QemuCond test_cond;      /* entries changed */
/* Set by the test while it is inside start_exclusive/end_exclusive. */
static bool in_exclusive;

static bool test_cpu_has_work(CPUState *cs)
{
    return qatomic_read(&TEST_CPU(cs)->irq_pending);
}

static int test_cpu_exec(CPUState *cs)
{
    TestCPU *t = TEST_CPU(cs);

    g_assert_false(bql_locked());
    g_assert_true(current_cpu_get() == cs);
    if (qatomic_read(&in_exclusive)) {
        qatomic_inc(&t->exclusive_violations);
    }
    qemu_mutex_lock(&test_lock);
    t->entries++;
    qemu_cond_broadcast(&test_cond);
    qemu_mutex_unlock(&test_lock);

    if (t->mode == TEST_CPU_HALT) {
        /* "Take" the interrupt, then wfi again. */
        qatomic_set(&t->irq_pending, false);
        return EXCP_HLT;
    }
    while (!qatomic_read(&cs->exit_request)) {
        qatomic_inc(&t->iterations);
    }
    return EXCP_INTERRUPT;
}

static void test_cpu_class_init(ObjectClass *oc, const void *data)
{
    CPUClass *cc = CPU_CLASS(oc);

    cc->has_work = test_cpu_has_work;
    cc->exec = test_cpu_exec;
    cc->target_name = "test";
}

static const TypeInfo test_cpu_info = {
    .name = TYPE_TEST_CPU,
    .parent = TYPE_CPU,
    .instance_size = sizeof(TestCPU),
    .class_init = test_cpu_class_init,
};

/* ---- helpers ------------------------------------------------------- */

static TestCPU *cpus[4];
static int ncpus;

/* Create @n CPUs (stopped, since the VM is not running).  BQL held. */
static void create_cpus(int n, int mode)
{
    int i;

    for (i = 0; i < n; i++) {
        cpus[i] = TEST_CPU(object_new(TYPE_TEST_CPU));
        cpus[i]->mode = mode;
        qemu_init_vcpu(CPU(cpus[i]));
    }
    ncpus = n;
}

static void destroy_cpus(void)
{
    int i;

    for (i = 0; i < ncpus; i++) {
        qemu_destroy_vcpu(CPU(cpus[i]));
        object_unref(cpus[i]);
        cpus[i] = NULL;
    }
    ncpus = 0;
    g_assert_true(QTAILQ_EMPTY(&cpus_queue));
}

static int entries(TestCPU *t)
{
    int n;

    qemu_mutex_lock(&test_lock);
    n = t->entries;
    qemu_mutex_unlock(&test_lock);
    return n;
}

/*
 * Wait until @t entered exec at least @n times.  The vCPU needs the BQL
 * to get from its sleep to exec, so drop it meanwhile.
 */
static void wait_entries(TestCPU *t, int n)
{
    bql_unlock();
    qemu_mutex_lock(&test_lock);
    while (t->entries < n) {
        qemu_cond_wait(&test_cond, &test_lock);
    }
    qemu_mutex_unlock(&test_lock);
    bql_lock();
}

static void nop(CPUState *cs, void *data)
{
}

/* A round trip through @t's thread: everything it was told is done. */
static void sync_cpu(TestCPU *t)
{
    run_on_cpu(CPU(t), nop, NULL);
}

/* ---- tests ----------------------------------------------------------- */

static void test_vcpu_threads_are_named_and_indexed(void)
{
    int i;

    bql_lock();
    create_cpus(2, TEST_CPU_SPIN);
    for (i = 0; i < 2; i++) {
        CPUState *cs = CPU(cpus[i]);
        g_autofree char *path = g_strdup_printf("/proc/self/task/%d/comm",
                                                cs->thread_id);
        g_autofree char *comm = NULL;
        g_autofree char *want = g_strdup_printf("CPU %d/riscv\n", i);

        g_assert_cmpint(cs->cpu_index, ==, i);
        g_assert_true(qemu_get_cpu(i) == cs);
        g_assert_true(cs->created);
        g_assert_true(g_file_get_contents(path, &comm, NULL, NULL));
        g_assert_cmpstr(comm, ==, want);
    }
    g_assert_null(qemu_get_cpu(2));
    g_assert_null(current_cpu_get());
    destroy_cpus();
    bql_unlock();
}

static void test_vcpu_created_stopped_runs_after_resume(void)
{
    bql_lock();
    create_cpus(1, TEST_CPU_SPIN);
    g_assert_true(all_vcpus_paused());
    /* Work runs on a stopped CPU; guest code does not. */
    sync_cpu(cpus[0]);
    g_assert_cmpint(entries(cpus[0]), ==, 0);

    resume_all_vcpus();
    g_assert_false(all_vcpus_paused());
    wait_entries(cpus[0], 1);
    destroy_cpus();
    bql_unlock();
}

static void test_pause_all_vcpus_returns_when_all_stopped(void)
{
    long frozen[4];
    int round, i;

    bql_lock();
    create_cpus(4, TEST_CPU_SPIN);
    for (round = 0; round < 20; round++) {
        int seen[4];

        for (i = 0; i < 4; i++) {
            seen[i] = entries(cpus[i]);
        }
        resume_all_vcpus();
        for (i = 0; i < 4; i++) {
            wait_entries(cpus[i], seen[i] + 1);
        }
        pause_all_vcpus();
        g_assert_true(all_vcpus_paused());
        g_assert_false(qemu_clock_is_enabled(QEMU_CLOCK_VIRTUAL));
        for (i = 0; i < 4; i++) {
            g_assert_true(CPU(cpus[i])->stopped);
            g_assert_false(qatomic_read(&CPU(cpus[i])->running));
            frozen[i] = qatomic_read(&cpus[i]->iterations);
            seen[i] = entries(cpus[i]);
        }
        /* Each thread went round its loop again: still no guest code. */
        for (i = 0; i < 4; i++) {
            qemu_cpu_kick(CPU(cpus[i]));
            sync_cpu(cpus[i]);
            g_assert_cmpint(qatomic_read(&cpus[i]->iterations), ==,
                            frozen[i]);
            g_assert_cmpint(entries(cpus[i]), ==, seen[i]);
        }
    }
    resume_all_vcpus();
    g_assert_true(qemu_clock_is_enabled(QEMU_CLOCK_VIRTUAL));
    destroy_cpus();
    bql_unlock();
}

static void test_kick_wakes_halted_cpu_with_work(void)
{
    TestCPU *t;
    int i;

    bql_lock();
    create_cpus(1, TEST_CPU_HALT);
    t = cpus[0];
    resume_all_vcpus();
    wait_entries(t, 1);     /* ran, then halted */

    for (i = 0; i < 50; i++) {
        /* A kick with nothing pending leaves it asleep... */
        qemu_cpu_kick(CPU(t));
        sync_cpu(t);
        g_assert_true(CPU(t)->halted);
        g_assert_cmpint(entries(t), ==, i + 1);

        /* ...an interrupt wakes it. */
        qatomic_set(&t->irq_pending, true);
        cpu_interrupt(CPU(t));
        wait_entries(t, i + 2);
    }
    destroy_cpus();
    bql_unlock();
}

/*
 * The halt-poll window: short halts grow it from 10 us by doubling up to
 * the bound, a poll that a kick ended keeps it, long halts halve it and
 * drop it to 0 below 10 us.
 */
static void test_halt_poll_window_adapts(void)
{
    const int64_t max = 200000;
    int64_t w = 0;
    int i;

    w = cpu_halt_poll_adapt(w, max, 5000, false);
    g_assert_cmpint(w, ==, 10000);
    w = cpu_halt_poll_adapt(w, max, 150000, false);
    g_assert_cmpint(w, ==, 20000);
    for (i = 0; i < 10; i++) {
        w = cpu_halt_poll_adapt(w, max, max, false);
    }
    g_assert_cmpint(w, ==, max);
    g_assert_cmpint(cpu_halt_poll_adapt(w, max, 3000, true), ==, max);
    /* A lower bound applies at the next halt. */
    g_assert_cmpint(cpu_halt_poll_adapt(w, 50000, 3000, true), ==, 50000);
    g_assert_cmpint(cpu_halt_poll_adapt(w, 50000, 3000, false), ==, 50000);
    /* An idle guest: halts of a timer tick. */
    w = cpu_halt_poll_adapt(w, max, 4000000, false);
    g_assert_cmpint(w, ==, 100000);
    for (i = 0; i < 3; i++) {
        w = cpu_halt_poll_adapt(w, max, 4000000, false);
    }
    g_assert_cmpint(w, ==, 12500);
    g_assert_cmpint(cpu_halt_poll_adapt(w, max, 4000000, false), ==, 0);
    g_assert_cmpint(cpu_halt_poll_adapt(0, max, 4000000, false), ==, 0);
    /* No overflow near the top. */
    g_assert_cmpint(cpu_halt_poll_adapt(INT64_MAX - 1, INT64_MAX, 1, false),
                    ==, INT64_MAX);
}

/*
 * A halt lasts until the kick that ended it, not until the thread ran
 * again: a sleep woken 150 us into the halt, running 80 us later, counts
 * 150 us, within the bound, so the window grows again.
 */
static void test_halt_length_ends_at_the_kick(void)
{
    const int64_t start = 1000000;

    g_assert_cmpint(cpu_halt_ns(start, start + 150000, start + 230000), ==,
                    150000);
    g_assert_cmpint(cpu_halt_poll_adapt(0, 200000,
                                        cpu_halt_ns(start, start + 150000,
                                                    start + 230000),
                                        false), ==, 10000);
    /* A kick from before the halt (stale), or none: until now. */
    g_assert_cmpint(cpu_halt_ns(start, start - 5, start + 230000), ==,
                    230000);
    g_assert_cmpint(cpu_halt_ns(start, 0, start + 230000), ==, 230000);
}

/*
 * While it polls, a halted vCPU wakes on exit_request alone, without the
 * broadcast of halt_cond a sleeping one needs (with polling off this
 * test hangs); a pause and an unplug reach it too.
 */
static void test_polling_halted_cpu_wakes_on_exit_request(void)
{
    const int64_t forever = INT64_MAX / 4;
    TestCPU *t;
    int i;

    qemu_vcpu_set_halt_poll_ns(forever);
    bql_lock();
    create_cpus(1, TEST_CPU_HALT);
    t = cpus[0];
    /* Stopped, and we hold the BQL: the thread reads it after resume. */
    CPU(t)->halt_poll_ns = forever;
    resume_all_vcpus();
    wait_entries(t, 1);

    for (i = 0; i < 50; i++) {
        /* Past exec's clearing of irq_pending, halted again. */
        sync_cpu(t);
        g_assert_cmpint(entries(t), ==, i + 1);
        qatomic_set(&t->irq_pending, true);
        smp_mb();
        qatomic_set(&CPU(t)->exit_request, 1);
        wait_entries(t, i + 2);
    }
    g_assert_cmpint(CPU(t)->halt_poll_ns, ==, forever);

    pause_all_vcpus();
    g_assert_true(CPU(t)->stopped);
    resume_all_vcpus();
    destroy_cpus();
    bql_unlock();
    qemu_vcpu_set_halt_poll_ns(HALT_POLL_NS_DEFAULT);
}

static void record_thread(CPUState *cs, void *data)
{
    int *tid = data;

    g_assert_true(bql_locked());
    g_assert_true(current_cpu_get() == cs);
    *tid = qemu_get_thread_id();
}

static void nested_run_on_self(CPUState *cs, void *data)
{
    int tid = 0;

    /* From the vCPU's own thread, run_on_cpu runs at once. */
    run_on_cpu(cs, record_thread, &tid);
    g_assert_cmpint(tid, ==, qemu_get_thread_id());
    *(bool *)data = true;
}

static void count_async(CPUState *cs, void *data)
{
    g_assert_true(current_cpu_get() == cs);
    (*(int *)data)++;
}

static void test_run_on_cpu_runs_in_vcpu_thread(void)
{
    int tid = 0, n = 0, i;
    bool nested = false;

    bql_lock();
    create_cpus(2, TEST_CPU_SPIN);

    /* Stopped... */
    run_on_cpu(CPU(cpus[1]), record_thread, &tid);
    g_assert_cmpint(tid, ==, CPU(cpus[1])->thread_id);

    /* ...and running guest code. */
    resume_all_vcpus();
    wait_entries(cpus[0], 1);
    tid = 0;
    run_on_cpu(CPU(cpus[0]), record_thread, &tid);
    g_assert_cmpint(tid, ==, CPU(cpus[0])->thread_id);
    run_on_cpu(CPU(cpus[0]), nested_run_on_self, &nested);
    g_assert_true(nested);

    /* Async items run in order, before a later synchronous one. */
    for (i = 0; i < 100; i++) {
        async_run_on_cpu(CPU(cpus[1]), count_async, &n);
    }
    sync_cpu(cpus[1]);
    g_assert_cmpint(n, ==, 100);

    pause_all_vcpus();
    destroy_cpus();
    bql_unlock();
}

static void test_start_exclusive_keeps_others_out(void)
{
    int seen[4];
    int round, i;

    bql_lock();
    create_cpus(4, TEST_CPU_SPIN);
    resume_all_vcpus();
    for (round = 0; round < 20; round++) {
        long frozen[4];

        for (i = 0; i < 4; i++) {
            seen[i] = entries(cpus[i]);
            wait_entries(cpus[i], 1);
        }
        bql_unlock();
        start_exclusive();
        qatomic_set(&in_exclusive, true);
        /*
         * (cpu->running may blink true in a vCPU that is about to see
         * pending_cpus and back off; what counts is that no guest code
         * runs, which the frozen counters and in_exclusive check.)
         */
        for (i = 0; i < 4; i++) {
            frozen[i] = qatomic_read(&cpus[i]->iterations);
        }
        /* Nested sections are allowed. */
        start_exclusive();
        end_exclusive();
        for (i = 0; i < 4; i++) {
            g_assert_cmpint(qatomic_read(&cpus[i]->iterations), ==,
                            frozen[i]);
        }
        qatomic_set(&in_exclusive, false);
        end_exclusive();
        bql_lock();
        for (i = 0; i < 4; i++) {
            wait_entries(cpus[i], seen[i] + 1);
        }
    }
    for (i = 0; i < 4; i++) {
        g_assert_cmpint(qatomic_read(&cpus[i]->exclusive_violations), ==, 0);
    }
    pause_all_vcpus();
    destroy_cpus();
    bql_unlock();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_mutex_init(&test_lock);
    qemu_cond_init(&test_cond);
    module_call_init(MODULE_INIT_QOM);
    type_register_static(&test_cpu_info);

    g_test_add_func("/vcpu/threads-are-named-and-indexed",
                    test_vcpu_threads_are_named_and_indexed);
    g_test_add_func("/vcpu/created-stopped-runs-after-resume",
                    test_vcpu_created_stopped_runs_after_resume);
    g_test_add_func("/vcpu/pause-all-returns-when-all-stopped",
                    test_pause_all_vcpus_returns_when_all_stopped);
    g_test_add_func("/vcpu/kick-wakes-halted-cpu-with-work",
                    test_kick_wakes_halted_cpu_with_work);
    g_test_add_func("/vcpu/halt-poll-window-adapts",
                    test_halt_poll_window_adapts);
    g_test_add_func("/vcpu/halt-length-ends-at-the-kick",
                    test_halt_length_ends_at_the_kick);
    g_test_add_func("/vcpu/polling-halted-cpu-wakes-on-exit-request",
                    test_polling_halted_cpu_wakes_on_exit_request);
    g_test_add_func("/vcpu/run-on-cpu-runs-in-vcpu-thread",
                    test_run_on_cpu_runs_in_vcpu_thread);
    g_test_add_func("/vcpu/start-exclusive-keeps-others-out",
                    test_start_exclusive_keeps_others_out);
    return g_test_run();
}
