/*
 * The main loop: one iteration of glib's default context done by hand
 * (prepare, query, ppoll without the BQL, check, dispatch), the two
 * AioContexts it carries, and signals delivered through a signalfd.
 * Corresponds to QEMU's util/main-loop.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/main-loop.h"
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

static AioContext *qemu_aio_context;
static AioContext *iohandler_ctx;
/* glib's fds for the current iteration; main thread only. */
static GArray *gpollfds;
static int max_priority;
static uint64_t iterations;

AioContext *qemu_get_aio_context(void)
{
    return qemu_aio_context;
}

AioContext *iohandler_get_aio_context(void)
{
    return iohandler_ctx;
}

GSource *iohandler_get_g_source(void)
{
    return aio_get_g_source(iohandler_ctx);
}

void qemu_notify_event(void)
{
    if (qemu_aio_context) {
        aio_notify(qemu_aio_context);
    }
}

QEMUBH *qemu_bh_new_full(QEMUBHFunc *cb, void *opaque, const char *name)
{
    return aio_bh_new_full(qemu_aio_context, cb, opaque, name);
}

void qemu_set_fd_handler_full(int fd, IOHandler *fd_read,
                              IOHandler *fd_write, void *opaque,
                              const char *read_name, const char *write_name)
{
    aio_set_fd_handler_full(iohandler_ctx, fd, fd_read, fd_write, NULL, NULL,
                            opaque, read_name, write_name);
}

uint64_t main_loop_iterations(void)
{
    return iterations;
}

void main_loop_foreach_pollfd(void (*fn)(const GPollFD *pfd, void *opaque),
                              void *opaque)
{
    guint i;

    for (i = 0; gpollfds && i < gpollfds->len; i++) {
        fn(&g_array_index(gpollfds, GPollFD, i), opaque);
    }
}

/* ---- signals ---------------------------------------------------------- */

/*
 * Read queued signals and call the handler installed for each with
 * sigaction().  The signal itself stays blocked, so that handler runs
 * here, in the main loop with the BQL, and may do real work.
 */
static void sigfd_handler(void *opaque)
{
    int fd = (intptr_t)opaque;
    struct signalfd_siginfo info;
    struct sigaction action;
    ssize_t len;

    for (;;) {
        len = read(fd, &info, sizeof(info));
        if (len < 0 && errno == EINTR) {
            continue;
        }
        if (len != sizeof(info)) {
            return;     /* EAGAIN: drained */
        }
        sigaction(info.ssi_signo, NULL, &action);
        if ((action.sa_flags & SA_SIGINFO) && action.sa_sigaction) {
            siginfo_t si = {
                .si_signo = info.ssi_signo,
                .si_code = info.ssi_code,
            };
            si.si_pid = info.ssi_pid;
            si.si_uid = info.ssi_uid;
            action.sa_sigaction(info.ssi_signo, &si, NULL);
        } else if (action.sa_handler != SIG_DFL &&
                   action.sa_handler != SIG_IGN) {
            action.sa_handler(info.ssi_signo);
        }
    }
}

static int qemu_signal_init(Error **errp)
{
    sigset_t set;
    int sigfd;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked here, and inherited by every thread created from now on. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) {
        error_setg_errno(errp, errno, "failed to create signalfd");
        return -errno;
    }
    qemu_set_fd_handler(sigfd, sigfd_handler, NULL, (void *)(intptr_t)sigfd);
    return 0;
}

/* ---- init ------------------------------------------------------------- */

int qemu_init_main_loop(Error **errp)
{
    GSource *src;

    assert(!qemu_aio_context);
    qemu_aio_context = aio_context_new(errp);
    if (!qemu_aio_context) {
        return -EMFILE;
    }
    g_source_set_name(&qemu_aio_context->source, "aio-context");
    iohandler_ctx = aio_context_new(errp);
    if (!iohandler_ctx) {
        return -EMFILE;
    }
    g_source_set_name(&iohandler_ctx->source, "io-handler");

    gpollfds = g_array_new(false, false, sizeof(GPollFD));

    /* Both contexts are driven by glib's default context. */
    src = aio_get_g_source(qemu_aio_context);
    g_source_attach(src, NULL);
    g_source_unref(src);
    src = iohandler_get_g_source();
    g_source_attach(src, NULL);
    g_source_unref(src);

    return qemu_signal_init(errp);
}

/* ---- one iteration ---------------------------------------------------- */

static void glib_pollfds_fill(int64_t *cur_timeout)
{
    GMainContext *context = g_main_context_default();
    int timeout = 0;
    int64_t timeout_ns;
    int n;

    g_main_context_prepare(context, &max_priority);

    /* query says how many fds it has; grow the array until they fit. */
    for (;;) {
        n = g_main_context_query(context, max_priority, &timeout,
                                 (GPollFD *)gpollfds->data, gpollfds->len);
        if (n <= gpollfds->len) {
            break;
        }
        g_array_set_size(gpollfds, n);
    }
    g_array_set_size(gpollfds, n);

    timeout_ns = timeout < 0 ? -1 : (int64_t)timeout * SCALE_MS;
    *cur_timeout = qemu_soonest_timeout(timeout_ns, *cur_timeout);
}

static void glib_pollfds_poll(void)
{
    GMainContext *context = g_main_context_default();

    if (g_main_context_check(context, max_priority,
                             (GPollFD *)gpollfds->data, gpollfds->len)) {
        g_main_context_dispatch(context);
    }
}

/* ppoll with a nanosecond timeout (-1: forever). */
static int qemu_poll_ns(GPollFD *fds, guint nfds, int64_t timeout)
{
    struct timespec ts;

    QEMU_BUILD_BUG_ON(sizeof(GPollFD) != sizeof(struct pollfd));
    if (timeout < 0) {
        return ppoll((struct pollfd *)fds, nfds, NULL, NULL);
    }
    ts.tv_sec = timeout / NANOSECONDS_PER_SECOND;
    ts.tv_nsec = timeout % NANOSECONDS_PER_SECOND;
    return ppoll((struct pollfd *)fds, nfds, &ts, NULL);
}

void main_loop_wait(int nonblocking)
{
    GMainContext *context = g_main_context_default();
    int64_t timeout_ns = nonblocking ? 0 : -1;

    assert_bql_held();
    iterations++;

    timeout_ns = qemu_soonest_timeout(timeout_ns,
                                      timerlistgroup_deadline_ns(&main_loop_tlg));

    g_main_context_acquire(context);
    glib_pollfds_fill(&timeout_ns);

    /* Sleep without the lock: vCPUs and other threads may need it. */
    bql_unlock();
    qemu_poll_ns((GPollFD *)gpollfds->data, gpollfds->len, timeout_ns);
    bql_lock();

    glib_pollfds_poll();
    g_main_context_release(context);

    qemu_clock_run_all_timers();
}
