/*
 * iobench: the guest side of bench/block-bench.py.  O_DIRECT I/O on a
 * block device: 4 KiB random reads and writes at queue depth 1 and 32
 * (32 threads each keeping one pread/pwrite in flight), and 1 MiB
 * sequential reads and writes; prints IOPS and MB/s.  A small stand-in
 * for fio (which QEMU's own benchmarks use).  block-bench.py builds it
 * static with riscv64-linux-gnu-gcc and appends it to the test
 * initramfs as a second cpio archive (the kernel unpacks both), so the
 * cached kernel and initramfs of scripts/build-linux.sh stay as they are.
 *
 *   iobench DEVICE[+DEVICE...] [SECONDS] [TESTS]     TESTS: comma list of
 *       randread1,randwrite1,randread32,randwrite32,seqread,seqwrite
 *
 * With several devices (block-bench.py --scaling) each gets the test's
 * queue depth of its own threads and the totals are printed.
 *
 * Each line also gives insn=, the hart's instret over the test divided by
 * the requests: at -smp 1 that is every guest instruction a request costs
 * (kernel, interrupt, idle loop included).  It is exact on qcore; QEMU 7.2
 * without -icount returns the host's cycle counter there instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

typedef struct Job {
    int fd;
    int write;
    size_t bs;
    int random;
    uint64_t dev_size;
    double deadline;
    uint64_t seed;
    uint64_t ops;
    uint64_t pos;
    int error;
} Job;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t instret(void)
{
#ifdef __riscv
    uint64_t n;

    __asm__ volatile("rdinstret %0" : "=r"(n));
    return n;
#else
    return 0;
#endif
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *worker(void *opaque)
{
    Job *j = opaque;
    void *buf;
    uint64_t blocks = j->dev_size / j->bs;

    if (posix_memalign(&buf, 4096, j->bs)) {
        j->error = ENOMEM;
        return NULL;
    }
    memset(buf, 0x5a, j->bs);
    /* Check the clock every few requests: it costs a system call here. */
    while (now() < j->deadline) {
        for (int k = 0; k < 8; k++) {
            uint64_t off;
            ssize_t r;

            if (j->random) {
                off = (xorshift(&j->seed) % blocks) * j->bs;
            } else {
                off = j->pos;
                j->pos = (j->pos + j->bs) % (blocks * j->bs);
            }
            r = j->write ? pwrite(j->fd, buf, j->bs, off)
                         : pread(j->fd, buf, j->bs, off);
            if (r != (ssize_t)j->bs) {
                j->error = r < 0 ? errno : EIO;
                free(buf);
                return NULL;
            }
            j->ops++;
        }
    }
    free(buf);
    return NULL;
}

#define MAX_DEVS 8

static int run(const char *devs, const char *name, int write, size_t bs,
               int random, int depth, double seconds)
{
    pthread_t th[32 * MAX_DEVS];
    Job jobs[32 * MAX_DEVS];
    int fds[MAX_DEVS];
    uint64_t sizes[MAX_DEVS], ops = 0;
    char list[256], *save = NULL;
    int ndev = 0, njobs, rc = 0;
    double t0, t;
    uint64_t i0;

    snprintf(list, sizeof(list), "%s", devs);
    for (char *d = strtok_r(list, "+", &save); d && ndev < MAX_DEVS;
         d = strtok_r(NULL, "+", &save)) {
        fds[ndev] = open(d, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
        if (fds[ndev] < 0 || ioctl(fds[ndev], BLKGETSIZE64, &sizes[ndev]) < 0) {
            perror(d);
            return 1;
        }
        ndev++;
    }
    njobs = depth * ndev;
    /* 128 threads at 8 MiB of stack each would not fit a small guest. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    t0 = now();
    i0 = instret();
    for (int i = 0; i < njobs; i++) {
        int k = i % ndev, n = i / ndev;

        jobs[i] = (Job){ .fd = fds[k], .write = write, .bs = bs,
                         .random = random, .dev_size = sizes[k],
                         .deadline = t0 + seconds,
                         .seed = 0x9e3779b97f4a7c15ull * (i + 1),
                         .pos = (sizes[k] / depth / bs) * bs * n };
        if (pthread_create(&th[i], &attr, worker, &jobs[i])) {
            fprintf(stderr, "%s: cannot create thread %d\n", name, i);
            exit(1);
        }
    }
    for (int i = 0; i < njobs; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].error) {
            fprintf(stderr, "%s: %s\n", name, strerror(jobs[i].error));
            rc = 1;
        }
        ops += jobs[i].ops;
    }
    t = now() - t0;
    i0 = instret() - i0;
    for (int k = 0; k < ndev; k++) {
        close(fds[k]);
    }
    if (rc) {
        return rc;
    }
    printf("iobench: %s iops=%.0f mbps=%.1f insn=%.0f\n", name, ops / t,
           ops * bs / t / 1e6, ops ? (double)i0 / ops : 0.0);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dev = argc > 1 ? argv[1] : "/dev/vda";
    double seconds = argc > 2 ? atof(argv[2]) : 5;
    const char *tests = argc > 3 ? argv[3]
        : "randread1,randwrite1,randread32,randwrite32,seqread,seqwrite";
    static const struct {
        const char *name;
        int write, random, depth;
        size_t bs;
    } all[] = {
        { "randread1", 0, 1, 1, 4096 },
        { "randwrite1", 1, 1, 1, 4096 },
        { "randread32", 0, 1, 32, 4096 },
        { "randwrite32", 1, 1, 32, 4096 },
        { "seqread", 0, 0, 1, 1 << 20 },
        { "seqwrite", 1, 0, 1, 1 << 20 },
    };
    int rc = 0;

    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        char pat[64];

        snprintf(pat, sizeof(pat), ",%s,", all[i].name);
        {
            char list[512];

            snprintf(list, sizeof(list), ",%s,", tests);
            if (!strstr(list, pat)) {
                continue;
            }
        }
        rc |= run(dev, all[i].name, all[i].write, all[i].bs, all[i].random,
                  all[i].depth, seconds);
    }
    return rc;
}
