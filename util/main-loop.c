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
/* How many of gpollfds are glib's (poll notifiers append after them). */
static guint glib_n_poll_fds;
static uint64_t iterations;
/* main_loop_poll_add_notifier; main thread, BQL. */
static NotifierList main_loop_poll_notifiers =
    NOTIFIER_LIST_INITIALIZER(main_loop_poll_notifiers);

void main_loop_poll_add_notifier(Notifier *notify)
{
    notifier_list_add(&main_loop_poll_notifiers, notify);
}

void main_loop_poll_remove_notifier(Notifier *notify)
{
    notifier_remove(notify);
}

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

/* Atomic; see qemu_notify_event_count. */
static unsigned notify_event_count;

unsigned qemu_notify_event_count(void)
{
    return qatomic_read(&notify_event_count);
}

void qemu_notify_event(void)
{
    qatomic_inc(&notify_event_count);
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
 * The signal thread reads the signalfd and hands each signal to the main
 * loop through a bottom half (QEMU's main loop reads its signalfd itself;
 * its fallback without signalfd uses a thread in the same way).  Reading
 * off the loop is what lets a second termination signal end a process
 * whose loop is stuck: the kernel would merge it with the first unread
 * one.
 */
static struct {
    QemuMutex lock;
    /* Signals read but not yet handled by the loop; under lock. */
    GArray *queue;
    /* The last termination signal: when read, and whether handled. */
    int64_t last_term_ns;       /* under lock; 0 = none yet */
    bool last_term_handled;     /* under lock */
    QEMUBH *bh;
    QemuThread thread;
    int fd;
    void (*exit_hook)(void);    /* set before the thread starts */
} sigs;

void qemu_set_signal_exit_hook(void (*fn)(void))
{
    qatomic_set(&sigs.exit_hook, fn);
}

static bool is_term_signal(int signo)
{
    return signo == SIGTERM || signo == SIGINT || signo == SIGHUP;
}

/*
 * Call the handler installed with sigaction().  The signal itself stays
 * blocked, so that handler runs here, in the main loop with the BQL, and
 * may do real work.
 */
static void signal_bh(void *opaque)
{
    struct signalfd_siginfo info;
    struct sigaction action;

    for (;;) {
        qemu_mutex_lock(&sigs.lock);
        if (!sigs.queue->len) {
            qemu_mutex_unlock(&sigs.lock);
            return;
        }
        info = g_array_index(sigs.queue, struct signalfd_siginfo, 0);
        g_array_remove_index(sigs.queue, 0);
        if (is_term_signal(info.ssi_signo)) {
            sigs.last_term_handled = true;
            sigs.last_term_ns = get_clock();
        }
        qemu_mutex_unlock(&sigs.lock);

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

/* Die of @signo, as if it had never been blocked. */
static void G_NORETURN signal_exit_now(int signo)
{
    void (*hook)(void) = qatomic_read(&sigs.exit_hook);
    char msg[96];
    sigset_t set;
    int n;

    n = snprintf(msg, sizeof(msg),
                 "qcore: terminating at once on a repeated signal %d\n",
                 signo);
    if (write(2, msg, n) < 0) {
        /* Nothing left to tell. */
    }
    if (hook) {
        hook();
    }
    signal(signo, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, signo);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(signo);
    _exit(128 + signo);
}

static void *signal_thread(void *opaque)
{
    struct signalfd_siginfo info;
    ssize_t len;

    for (;;) {
        len = read(sigs.fd, &info, sizeof(info));
        if (len != sizeof(info)) {
            if (len < 0 && errno == EINTR) {
                continue;
            }
            return NULL;
        }
        qemu_mutex_lock(&sigs.lock);
        if (is_term_signal(info.ssi_signo)) {
            if (sigs.last_term_ns &&
                (!sigs.last_term_handled ||
                 get_clock() - sigs.last_term_ns < QEMU_SIGNAL_REPEAT_NS)) {
                signal_exit_now(info.ssi_signo);
            }
            sigs.last_term_ns = get_clock();
            sigs.last_term_handled = false;
        }
        g_array_append_val(sigs.queue, info);
        qemu_mutex_unlock(&sigs.lock);
        qemu_bh_schedule(sigs.bh);
    }
}

static int qemu_signal_init(Error **errp)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked here, and inherited by every thread created from now on. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    sigs.fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sigs.fd < 0) {
        error_setg_errno(errp, errno, "failed to create signalfd");
        return -errno;
    }
    qemu_mutex_init(&sigs.lock);
    sigs.queue = g_array_new(false, false, sizeof(struct signalfd_siginfo));
    sigs.bh = aio_bh_new_full(qemu_aio_context, signal_bh, NULL, "signal_bh");
    qemu_thread_create(&sigs.thread, "signal", signal_thread, NULL,
                       QEMU_THREAD_DETACHED);
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
    /*
     * As QEMU: the thread that sets up the main loop is the main
     * context's home thread, whether or not it holds the BQL, so the
     * thread pool and aio_co_* find the main context from it.
     */
    qemu_set_current_aio_context(qemu_aio_context);
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
    glib_n_poll_fds = n;

    timeout_ns = timeout < 0 ? -1 : (int64_t)timeout * SCALE_MS;
    *cur_timeout = qemu_soonest_timeout(timeout_ns, *cur_timeout);
}

static void glib_pollfds_poll(void)
{
    GMainContext *context = g_main_context_default();

    if (g_main_context_check(context, max_priority,
                             (GPollFD *)gpollfds->data, glib_n_poll_fds)) {
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
    MainLoopPoll mlpoll = { .state = MAIN_LOOP_POLL_FILL };
    int ret;

    assert_bql_held();
    iterations++;

    timeout_ns = qemu_soonest_timeout(timeout_ns,
                                      timerlistgroup_deadline_ns(&main_loop_tlg));

    g_main_context_acquire(context);
    glib_pollfds_fill(&timeout_ns);

    /*
     * The notifiers' fds go after glib's, which check() reads by index.
     * Their timeout is in ms: round up, so that a deadline under a
     * millisecond away, which they leave alone, does not become a
     * 0 ms poll below (the loop then spun until the deadline: 60 ppoll
     * per guest disk request).
     */
    mlpoll.pollfds = gpollfds;
    mlpoll.timeout = timeout_ns < 0 ? UINT32_MAX
                     : MIN((timeout_ns + SCALE_MS - 1) / SCALE_MS,
                           UINT32_MAX - 1);
    notifier_list_notify(&main_loop_poll_notifiers, &mlpoll);
    if (mlpoll.timeout != UINT32_MAX) {
        timeout_ns = qemu_soonest_timeout(timeout_ns,
                                          (int64_t)mlpoll.timeout * SCALE_MS);
    }

    /* Sleep without the lock: vCPUs and other threads may need it. */
    bql_unlock();
    ret = qemu_poll_ns((GPollFD *)gpollfds->data, gpollfds->len, timeout_ns);
    bql_lock();

    mlpoll.state = ret < 0 ? MAIN_LOOP_POLL_ERR : MAIN_LOOP_POLL_OK;
    notifier_list_notify(&main_loop_poll_notifiers, &mlpoll);

    glib_pollfds_poll();
    g_main_context_release(context);

    qemu_clock_run_all_timers();
}
