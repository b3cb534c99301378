/*
 * fd monitoring with epoll: the default, O(ready fds) per wait.  When the
 * context runs as a GSource, glib polls only the epoll fd.
 * Corresponds to QEMU's util/fdmon-epoll.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "aio-posix.h"
#include <sys/epoll.h>

#define EPOLL_BATCH 128

static uint32_t epoll_events(const AioHandler *node)
{
    return (node->pfd.events & G_IO_IN ? EPOLLIN : 0) |
           (node->pfd.events & G_IO_OUT ? EPOLLOUT : 0) |
           EPOLLHUP | EPOLLERR;
}

/*
 * epoll refuses some fds (regular files).  Fall back to poll for the
 * whole context: same behaviour, just slower.  list_lock is held.
 */
static void fdmon_epoll_disable(AioContext *ctx)
{
    AioHandler *node;

    aio_gsource_remove_poll(ctx, &ctx->epoll_gpfd);
    close(ctx->epollfd);
    /* Atomic: x-query-main-loop reads both from the main thread. */
    qatomic_set(&ctx->epollfd, -1);
    qatomic_set(&ctx->fdmon_ops, &fdmon_poll_ops);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (!aio_node_deleted(node)) {
            fdmon_poll_ops.update(ctx, NULL, node);
        }
    }
}

static void fdmon_epoll_update(AioContext *ctx, AioHandler *old_node,
                               AioHandler *new_node)
{
    struct epoll_event event = { 0 };
    int r;

    if (new_node) {
        event.events = epoll_events(new_node);
        event.data.ptr = new_node;
        r = epoll_ctl(ctx->epollfd, old_node ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                      new_node->pfd.fd, &event);
        /*
         * The fd may have been closed and reused behind our back, which
         * makes the kernel's registration disagree with ours.
         */
        if (r < 0 && errno == ENOENT) {
            r = epoll_ctl(ctx->epollfd, EPOLL_CTL_ADD, new_node->pfd.fd,
                          &event);
        } else if (r < 0 && errno == EEXIST) {
            r = epoll_ctl(ctx->epollfd, EPOLL_CTL_MOD, new_node->pfd.fd,
                          &event);
        }
    } else {
        r = epoll_ctl(ctx->epollfd, EPOLL_CTL_DEL, old_node->pfd.fd, &event);
    }
    if (r < 0 && new_node) {
        /*
         * Not an epoll-able fd.  The new node is already on the handler
         * list and the old one is still there too (it is removed after
         * this returns); the poll backend rebuilds its fd set per wait.
         */
        fdmon_epoll_disable(ctx);
        if (old_node) {
            aio_gsource_remove_poll(ctx, &old_node->pfd);
        }
    }
}

static int fdmon_epoll_wait(AioContext *ctx, AioHandlerList *ready_list,
                            int64_t timeout)
{
    struct epoll_event events[EPOLL_BATCH];
    struct timespec ts;
    int ret, i;

    if (timeout >= 0) {
        ts.tv_sec = timeout / NANOSECONDS_PER_SECOND;
        ts.tv_nsec = timeout % NANOSECONDS_PER_SECOND;
    }
    /* epoll_pwait2 takes a timespec: no rounding of timer deadlines. */
    ret = epoll_pwait2(ctx->epollfd, events, EPOLL_BATCH,
                       timeout >= 0 ? &ts : NULL, NULL);
    if (ret < 0 && errno == ENOSYS) {
        ret = epoll_wait(ctx->epollfd, events, EPOLL_BATCH,
                         qemu_timeout_ns_to_ms(timeout));
    }
    for (i = 0; i < ret; i++) {
        AioHandler *node = events[i].data.ptr;
        aio_add_ready_handler(ready_list, node, events[i].events);
    }
    return MAX(ret, 0);
}

static bool fdmon_epoll_need_wait(AioContext *ctx)
{
    return qatomic_read(&ctx->poll_disable_cnt) > 0;
}

static bool fdmon_epoll_gsource_check(AioContext *ctx)
{
    return ctx->epoll_gpfd.revents & G_IO_IN;
}

static void fdmon_epoll_gsource_dispatch(AioContext *ctx,
                                         AioHandlerList *ready_list)
{
    if (ctx->epoll_gpfd.revents & G_IO_IN) {
        ctx->epoll_gpfd.revents = 0;
        fdmon_epoll_wait(ctx, ready_list, 0);
    }
}

static void fdmon_epoll_destroy(AioContext *ctx)
{
    if (ctx->epollfd >= 0) {
        aio_gsource_remove_poll(ctx, &ctx->epoll_gpfd);
        close(ctx->epollfd);
        qatomic_set(&ctx->epollfd, -1);
    }
}

const FDMonOps fdmon_epoll_ops = {
    .name = "epoll",
    .update = fdmon_epoll_update,
    .wait = fdmon_epoll_wait,
    .need_wait = fdmon_epoll_need_wait,
    .gsource_check = fdmon_epoll_gsource_check,
    .gsource_dispatch = fdmon_epoll_gsource_dispatch,
    .destroy = fdmon_epoll_destroy,
};

bool fdmon_epoll_setup(AioContext *ctx)
{
    ctx->epollfd = epoll_create1(EPOLL_CLOEXEC);
    if (ctx->epollfd < 0) {
        return false;
    }
    ctx->epoll_gpfd.fd = ctx->epollfd;
    ctx->epoll_gpfd.events = G_IO_IN;
    g_source_add_poll(&ctx->source, &ctx->epoll_gpfd);
    ctx->fdmon_ops = &fdmon_epoll_ops;
    return true;
}
