/*
 * W5: coroutine switch.  One qemu_coroutine_enter + qemu_coroutine_yield
 * round trip vs one swapcontext() there and back with ucontext; ns per
 * round trip.  Target: qcore at least 10x faster on x86-64.
 */
#include "qcore/osdep.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include <ucontext.h>
#include "bench.h"

static long target;
static long count;
static bool finish;

/* ---- qcore ------------------------------------------------------------ */

static void coroutine_fn q_entry(void *opaque)
{
    while (!finish) {
        count++;
        qemu_coroutine_yield();
    }
}

static double run_qcore(void)
{
    Coroutine *co = qemu_coroutine_create(q_entry, NULL);
    int64_t t;
    long i;

    count = 0;
    finish = false;
    t = bench_now_ns();
    for (i = 0; i < target; i++) {
        qemu_coroutine_enter(co);
    }
    t = bench_now_ns() - t;
    finish = true;
    qemu_coroutine_enter(co);       /* returns, and the coroutine ends */
    if (count != target) {
        fprintf(stderr, "W5 qcore: %ld switches, want %ld\n", count, target);
        exit(1);
    }
    return (double)t / target;
}

/* ---- ucontext --------------------------------------------------------- */

#define UC_STACK_SIZE (1 << 20)

static ucontext_t uc_main, uc_co;

static void uc_entry(void)
{
    while (!finish) {
        count++;
        swapcontext(&uc_co, &uc_main);
    }
}

static double run_ucontext(void)
{
    void *stack = g_malloc(UC_STACK_SIZE);
    int64_t t;
    long i;

    getcontext(&uc_co);
    uc_co.uc_stack.ss_sp = stack;
    uc_co.uc_stack.ss_size = UC_STACK_SIZE;
    uc_co.uc_link = &uc_main;
    makecontext(&uc_co, uc_entry, 0);

    count = 0;
    finish = false;
    t = bench_now_ns();
    for (i = 0; i < target; i++) {
        swapcontext(&uc_main, &uc_co);
    }
    t = bench_now_ns() - t;
    finish = true;
    swapcontext(&uc_main, &uc_co);  /* uc_entry returns to uc_link */
    g_free(stack);
    if (count != target) {
        fprintf(stderr, "W5 ucontext: %ld switches, want %ld\n", count,
                target);
        exit(1);
    }
    return (double)t / target;
}

int main(int argc, char **argv)
{
    BenchTable t = { .unit = "ns/round trip" };
    AioContext *ctx = aio_context_new(&error_abort);
    double q, uc;
    char title[128];

    target = bench_scaled(10000000);
    snprintf(title, sizeof(title),
             "coroutine enter+yield round trip, %ld round trips (backend %s)",
             target, CONFIG_COROUTINE_BACKEND);
    t.title = title;
    qemu_set_current_aio_context(ctx);

    q = BENCH_BEST_OF(run_qcore());
    uc = BENCH_BEST_OF(run_ucontext());
    bench_add(&t, "qcore enter + yield", q, false, NULL);
    bench_add(&t, "ucontext swapcontext x2", uc, false,
              "2 sigprocmask syscalls per round trip");
    bench_print(&t, "W5");
    printf("  W5 target swapcontext/qcore >= 10: %s (%.1fx)\n",
           uc / q >= 10 ? "MET" : "MISSED", uc / q);

    qemu_set_current_aio_context(NULL);
    aio_context_unref(ctx);
    return 0;
}
