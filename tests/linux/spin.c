/*
 * spin: a CPU-bound multi-threaded program for the Linux guest (tests/linux).
 * One thread per online hart, each pinned to its hart, runs a fixed integer
 * and FP workload and reports where it ran; the results do not depend on
 * the hart, so any difference between lines is an emulation bug.
 *   spin [iterations]
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct job {
    int cpu;
    long iters;
    int ran_on;             /* sched_getcpu() after the work */
    uint64_t ihash;
    double fsum;
};

static void *work(void *opaque)
{
    struct job *j = opaque;
    cpu_set_t set;
    uint64_t x = 88172645463325252ull;
    double f = 0.0;

    CPU_ZERO(&set);
    CPU_SET(j->cpu, &set);
    /* Pinning proves the hart runs user code: a hart that never schedules
     * this thread leaves the program hanging, which the test sees. */
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
    for (long i = 0; i < j->iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        f += (double)(x >> 11) * 0x1p-53 / (double)(i + 1);
    }
    j->ran_on = sched_getcpu();
    j->ihash = x;
    j->fsum = f;
    return NULL;
}

int main(int argc, char **argv)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    pthread_t *t = calloc(n, sizeof(*t));
    struct job *jobs = calloc(n, sizeof(*jobs));
    int ok = 1;

    printf("spin: %ld harts, %ld iterations each\n", n, iters);
    for (long i = 0; i < n; i++) {
        jobs[i] = (struct job){ .cpu = (int)i, .iters = iters };
        if (pthread_create(&t[i], NULL, work, &jobs[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        printf("spin: thread %ld ran on cpu %d: %016" PRIx64 " %.17g\n",
               i, jobs[i].ran_on, jobs[i].ihash, jobs[i].fsum);
        ok &= jobs[i].ran_on == jobs[i].cpu &&
              jobs[i].ihash == jobs[0].ihash && jobs[i].fsum == jobs[0].fsum;
    }
    printf("spin: %s\n", ok ? "all harts ok" : "MISMATCH");
    return ok ? 0 : 1;
}
