/*
 * Should AioContext grow an io_uring fd monitor?  This probe answers the
 * question before any integration: the W4 pattern (N eventfds watched,
 * 100 made readable per round, each drained by its callback) on raw epoll
 * and on raw io_uring multishot poll.  If io_uring does not win here, a
 * backend built on it cannot win in AioContext either.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>

#define ACTIVE 100
#define ROUNDS 20000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int *fds;
static int *active;

static void pick_active(unsigned *seed, int n)
{
    int i;
    for (i = 0; i < ACTIVE; i++) {
        active[i] = rand_r(seed) % n;
    }
}

static void drain(int fd)
{
    uint64_t v;
    if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
        abort();
    }
}

static void kick_round(void)
{
    static const uint64_t one = 1;
    int i;
    for (i = 0; i < ACTIVE; i++) {
        if (write(fds[active[i]], &one, sizeof(one)) != sizeof(one)) {
            abort();
        }
    }
}

/* Distinct fds made readable this round (duplicates collapse). */
static int distinct_active(int n, unsigned char *mark)
{
    int i, d = 0;
    memset(mark, 0, n);
    for (i = 0; i < ACTIVE; i++) {
        if (!mark[active[i]]) {
            mark[active[i]] = 1;
            d++;
        }
    }
    return d;
}

static double run_epoll(int n)
{
    int ep = epoll_create1(0), i, r;
    struct epoll_event ev, events[256];
    unsigned seed = 1;
    unsigned char *mark = malloc(n);
    int64_t best = INT64_MAX;

    for (i = 0; i < n; i++) {
        ev.events = EPOLLIN;
        ev.data.u32 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    for (int rep = 0; rep < 3; rep++) {
        int64_t t0 = now_ns();
        for (r = 0; r < ROUNDS; r++) {
            int want, got = 0;
            pick_active(&seed, n);
            want = distinct_active(n, mark);
            kick_round();
            while (got < want) {
                int k = epoll_wait(ep, events, 256, -1);
                for (i = 0; i < k; i++) {
                    drain(fds[events[i].data.u32]);
                }
                got += k;
            }
        }
        best = (now_ns() - t0) < best ? (now_ns() - t0) : best;
    }
    close(ep);
    free(mark);
    return (double)best / ROUNDS;
}

static double run_io_uring(int n)
{
    struct io_uring ring;
    struct io_uring_cqe *cqe;
    unsigned seed = 1;
    unsigned char *mark = malloc(n);
    int64_t best = INT64_MAX;
    int i, r;

    if (io_uring_queue_init(4096, &ring, 0) < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        if (!sqe) {
            io_uring_submit(&ring);
            sqe = io_uring_get_sqe(&ring);
        }
        io_uring_prep_poll_multishot(sqe, fds[i], POLLIN);
        io_uring_sqe_set_data64(sqe, i);
    }
    io_uring_submit(&ring);
    for (int rep = 0; rep < 3; rep++) {
        int64_t t0 = now_ns();
        for (r = 0; r < ROUNDS; r++) {
            int want, got = 0;
            pick_active(&seed, n);
            want = distinct_active(n, mark);
            kick_round();
            while (got < want) {
                unsigned head, k = 0;
                io_uring_submit_and_wait(&ring, 1);
                io_uring_for_each_cqe(&ring, head, cqe) {
                    drain(fds[cqe->user_data]);
                    k++;
                }
                io_uring_cq_advance(&ring, k);
                got += k;
            }
        }
        best = (now_ns() - t0) < best ? (now_ns() - t0) : best;
    }
    io_uring_queue_exit(&ring);
    free(mark);
    return (double)best / ROUNDS;
}

int main(void)
{
    static const int sizes[] = { 100, 1000, 10000 };
    struct rlimit rl;

    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    printf("fd monitor probe: %d eventfds made readable per round, "
           "best of 3 x %d rounds\n", ACTIVE, ROUNDS);
    printf("%8s %14s %14s %10s\n", "N", "epoll ns/round", "io_uring ns/round",
           "uring/epoll");
    for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int n = sizes[s];
        double e, u;
        fds = malloc(n * sizeof(int));
        active = malloc(ACTIVE * sizeof(int));
        for (int i = 0; i < n; i++) {
            fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fds[i] < 0) {
                perror("eventfd");
                return 1;
            }
        }
        e = run_epoll(n);
        u = run_io_uring(n);
        printf("%8d %14.0f %14.0f %10.2f\n", n, e, u, u / e);
        for (int i = 0; i < n; i++) {
            close(fds[i]);
        }
        free(fds);
        free(active);
    }
    return 0;
}
