/*
 * x-query-main-loop / "info mainloop": what the main loop and each
 * IOThread poll, who handles each fd and how often it ran.  qcore's own
 * addition; it reads the structures of util/main-loop.c and
 * util/aio-posix.c through their introspection hooks.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/iothread-object.h"
#include "qcore/main-loop.h"
#include "qcore/main-loop-info.h"
#include "qapi/qapi-commands.h"

/* What the fd is, as the kernel names it: "socket:[123]", "/dev/pts/1"... */
static char *fd_target(int fd)
{
    g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);
    char *target = g_file_read_link(path, NULL);

    return target ? target : g_strdup("?");
}

static QList *events_list(int events)
{
    QList *list = qlist_new();

    if (events & G_IO_IN) {
        qlist_append_str(list, "in");
    }
    if (events & G_IO_OUT) {
        qlist_append_str(list, "out");
    }
    if (events & G_IO_PRI) {
        qlist_append_str(list, "pri");
    }
    return list;
}

static void add_handler(const AioHandlerInfo *info, void *opaque)
{
    g_autofree char *target = fd_target(info->fd);
    QDict *h = qdict_new();
    const char *name = strcmp(info->read_name, "NULL") ? info->read_name
                                                       : info->write_name;

    qdict_put_int(h, "fd", info->fd);
    qdict_put_str(h, "target", target);
    qdict_put(h, "events", events_list(info->events));
    qdict_put_bool(h, "io-poll", info->has_poll);
    qdict_put_str(h, "handler", name);
    qdict_put_int(h, "dispatch-count", info->dispatch_count);
    qlist_append(opaque, h);
}

static QDict *context_info(AioContext *ctx, const char *name,
                           const char *thread, int thread_id)
{
    QDict *info = qdict_new();
    QList *handlers = qlist_new();
    int epollfd;

    qdict_put_str(info, "name", name);
    qdict_put_str(info, "thread", thread);
    qdict_put_int(info, "thread-id", thread_id);
    qdict_put_int(info, "priority", g_source_get_priority(&ctx->source));
    qdict_put_str(info, "fdmon", aio_context_fdmon_name(ctx));
    epollfd = qatomic_read(&ctx->epollfd);
    if (epollfd >= 0) {
        qdict_put_int(info, "epoll-fd", epollfd);
    }
    qdict_put_int(info, "poll-count", qatomic_read(&ctx->poll_count));
    qdict_put_int(info, "dispatch-count",
                  qatomic_read(&ctx->gsource_dispatch_count));
    qdict_put_int(info, "bh-dispatch-count",
                  qatomic_read(&ctx->bh_dispatch_count));
    qdict_put_int(info, "timer-deadline-ns",
                  timerlistgroup_deadline_ns(&ctx->tlg));
    aio_context_foreach_handler(ctx, add_handler, handlers);
    qdict_put(info, "handlers", handlers);
    return info;
}

static void add_iothread(Object *obj, IOThread *iothread, void *opaque)
{
    g_autofree char *thread = g_strdup_printf("IO %s",
                                              iothread_get_id(iothread));

    qlist_append(opaque, context_info(iothread_get_aio_context(iothread),
                                      iothread_get_id(iothread), thread,
                                      iothread_get_thread_id(iothread)));
}

static void add_pollfd(const GPollFD *pfd, void *opaque)
{
    g_autofree char *target = fd_target(pfd->fd);
    QList *list = opaque;
    QDict *d = qdict_new();
    AioContext *main_ctx = qemu_get_aio_context();
    AioContext *io_ctx = iohandler_get_aio_context();
    const char *owner = "glib";

    /* With epoll, each AioContext shows glib a single fd. */
    if (pfd->fd == main_ctx->epollfd) {
        owner = g_source_get_name(&main_ctx->source);
    } else if (pfd->fd == io_ctx->epollfd) {
        owner = g_source_get_name(&io_ctx->source);
    }
    qdict_put_int(d, "fd", pfd->fd);
    qdict_put_str(d, "target", target);
    qdict_put(d, "events", events_list(pfd->events));
    qdict_put_str(d, "owner", owner);
    qlist_append(list, d);
}

static gint cmp_int(gconstpointer a, gconstpointer b)
{
    return *(const int *)a - *(const int *)b;
}

/*
 * The process's threads by the names qemu_thread_create gave them (the
 * VNC worker, vCPUs, IOThreads, the RCU thread...), from /proc.
 */
static QList *threads_list(void)
{
    QList *list = qlist_new();
    g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
    g_autoptr(GArray) tids = g_array_new(false, false, sizeof(int));
    const char *ent;
    guint i;

    while (dir && (ent = g_dir_read_name(dir))) {
        int tid = atoi(ent);
        g_array_append_val(tids, tid);
    }
    g_array_sort(tids, cmp_int);
    for (i = 0; i < tids->len; i++) {
        int tid = g_array_index(tids, int, i);
        g_autofree char *path = g_strdup_printf("/proc/self/task/%d/comm",
                                                tid);
        g_autofree char *comm = NULL;
        QDict *t;

        if (!g_file_get_contents(path, &comm, NULL, NULL)) {
            continue;           /* it just exited */
        }
        t = qdict_new();
        qdict_put_int(t, "thread-id", tid);
        qdict_put_str(t, "name", g_strstrip(comm));
        qlist_append(list, t);
    }
    return list;
}

QObject *qmp_x_query_main_loop(Error **errp)
{
    QDict *info = qdict_new();
    QList *contexts = qlist_new();
    QList *pollfds = qlist_new();
    AioContext *main_ctx = qemu_get_aio_context();
    AioContext *io_ctx = iohandler_get_aio_context();

    qdict_put_int(info, "iterations", main_loop_iterations());
    qlist_append(contexts, context_info(main_ctx,
                                        g_source_get_name(&main_ctx->source),
                                        "main", getpid()));
    qlist_append(contexts, context_info(io_ctx,
                                        g_source_get_name(&io_ctx->source),
                                        "main", getpid()));
    iothread_object_foreach(add_iothread, contexts);
    qdict_put(info, "contexts", contexts);
    main_loop_foreach_pollfd(add_pollfd, pollfds);
    qdict_put(info, "glib-poll-fds", pollfds);
    qdict_put(info, "threads", threads_list());
    return QOBJECT(info);
}
