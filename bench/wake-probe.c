/*
 * Not a qcore benchmark: what waking a thread that sleeps on a condition
 * variable costs on this host, the waker on the sleeper's CPU or on the
 * other one.  The measurement behind "irq -> ack" in bench/README.md: a
 * vCPU asleep on halt_cond, woken by the IOThread that completed its I/O.
 *
 *   build-bench/bench/bench-wake-probe [ROUNDS]
 *
 * Each round the waker sleeps 450 us (a 1 MiB read's host I/O), then
 * broadcasts; the sleeper notes the time from the broadcast to its return
 * from pthread_cond_wait.  Quartiles in microseconds.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int rounds, posted, taken;      /* lock */
static int64_t posted_at;              /* lock */
static int waker_cpu;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t set;

    if (cpu < 0) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *waker(void *arg)
{
    const struct timespec io = { 0, 450000 };

    (void)arg;
    pin(waker_cpu);
    for (int i = 0; i < rounds; i++) {
        nanosleep(&io, NULL);
        pthread_mutex_lock(&lock);
        /* The sleeper is back in its wait before the next round. */
        while (taken < i) {
            pthread_mutex_unlock(&lock);
            sched_yield();
            pthread_mutex_lock(&lock);
        }
        posted = i + 1;
        posted_at = now_ns();
        pthread_mutex_unlock(&lock);
        pthread_cond_broadcast(&cond);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Sleeper on @sleeper_cpu, waker on @wcpu (-1: wherever they land). */
static void run(const char *what, int sleeper_cpu, int wcpu)
{
    int64_t *lat = calloc(rounds, sizeof(*lat));
    pthread_t t;
    cpu_set_t all;

    posted = taken = 0;
    waker_cpu = wcpu;
    sched_getaffinity(0, sizeof(all), &all);
    pin(sleeper_cpu);
    pthread_create(&t, NULL, waker, NULL);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < rounds; i++) {
        taken = i;
        while (posted <= i) {
            pthread_cond_wait(&cond, &lock);
        }
        lat[i] = now_ns() - posted_at;
    }
    taken = rounds;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
    qsort(lat, rounds, sizeof(*lat), cmp);
    printf("%-28s p25 %6.1f  p50 %6.1f  p75 %6.1f us\n", what,
           lat[rounds / 4] / 1e3, lat[rounds / 2] / 1e3,
           lat[3 * rounds / 4] / 1e3);
    free(lat);
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atoi(argv[1]) : 2000;
    if (rounds < 4) {
        fprintf(stderr, "usage: %s [ROUNDS >= 4]\n", argv[0]);
        return 1;
    }
    run("same CPU (both on 0)", 0, 0);
    run("other CPU (sleeper 0, waker 1)", 0, 1);
    run("unpinned", -1, -1);
    return 0;
}
