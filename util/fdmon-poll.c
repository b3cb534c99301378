/*
 * fd monitoring with ppoll(2): the portable fallback, O(handlers) per wait.
 * Corresponds to QEMU's util/fdmon-poll.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/rcu-queue.h"
#include "aio-posix.h"
#include <poll.h>

/* Home thread only: scratch arrays reused by every wait. */
typedef struct FDMonPoll {
    GArray *pollfds;            /* struct pollfd */
    GPtrArray *nodes;           /* AioHandler *, parallel to pollfds */
} FDMonPoll;

static FDMonPoll *fdmon_poll_get(AioContext *ctx)
{
    FDMonPoll *p = ctx->fdmon_opaque;

    if (!p) {
        p = g_new0(FDMonPoll, 1);
        p->pollfds = g_array_new(false, false, sizeof(struct pollfd));
        p->nodes = g_ptr_array_new();
        ctx->fdmon_opaque = p;
    }
    return p;
}

static int fdmon_poll_wait(AioContext *ctx, AioHandlerList *ready_list,
                           int64_t timeout)
{
    FDMonPoll *p = fdmon_poll_get(ctx);
    struct timespec ts, *tsp = NULL;
    AioHandler *node;
    int ret, i, nready = 0;

    g_array_set_size(p->pollfds, 0);
    g_ptr_array_set_size(p->nodes, 0);
    QLIST_FOREACH_RCU(node, &ctx->aio_handlers, node) {
        if (node->pfd.events && !aio_node_deleted(node)) {
            struct pollfd pfd = { .fd = node->pfd.fd,
                                  .events = node->pfd.events };
            g_array_append_val(p->pollfds, pfd);
            g_ptr_array_add(p->nodes, node);
        }
    }

    if (timeout >= 0) {
        ts.tv_sec = timeout / NANOSECONDS_PER_SECOND;
        ts.tv_nsec = timeout % NANOSECONDS_PER_SECOND;
        tsp = &ts;
    }
    ret = ppoll((struct pollfd *)p->pollfds->data, p->pollfds->len, tsp, NULL);
    if (ret <= 0) {
        return 0;
    }
    for (i = 0; i < p->pollfds->len; i++) {
        struct pollfd *pfd = &g_array_index(p->pollfds, struct pollfd, i);
        if (pfd->revents) {
            aio_add_ready_handler(ready_list, p->nodes->pdata[i],
                                  pfd->revents);
            nready++;
        }
    }
    return nready;
}

static void fdmon_poll_update(AioContext *ctx, AioHandler *old_node,
                              AioHandler *new_node)
{
    /* glib polls the same GPollFDs when the context runs as a GSource. */
    if (old_node) {
        aio_gsource_remove_poll(ctx, &old_node->pfd);
    }
    if (new_node) {
        g_source_add_poll(&ctx->source, &new_node->pfd);
    }
}

static bool fdmon_poll_need_wait(AioContext *ctx)
{
    return qatomic_read(&ctx->poll_disable_cnt) > 0;
}

static bool fdmon_poll_gsource_check(AioContext *ctx)
{
    AioHandler *node;

    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (!aio_node_deleted(node) && (node->pfd.revents & node->pfd.events)) {
            return true;
        }
    }
    return false;
}

static void fdmon_poll_gsource_dispatch(AioContext *ctx,
                                        AioHandlerList *ready_list)
{
    AioHandler *node;

    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        int revents = node->pfd.revents & node->pfd.events;
        node->pfd.revents = 0;
        if (revents && !aio_node_deleted(node)) {
            aio_add_ready_handler(ready_list, node, revents);
        }
    }
}

static void fdmon_poll_destroy(AioContext *ctx)
{
    FDMonPoll *p = ctx->fdmon_opaque;

    if (p) {
        g_array_free(p->pollfds, true);
        g_ptr_array_free(p->nodes, true);
        g_free(p);
        ctx->fdmon_opaque = NULL;
    }
}

const FDMonOps fdmon_poll_ops = {
    .name = "poll",
    .update = fdmon_poll_update,
    .wait = fdmon_poll_wait,
    .need_wait = fdmon_poll_need_wait,
    .gsource_check = fdmon_poll_gsource_check,
    .gsource_dispatch = fdmon_poll_gsource_dispatch,
    .destroy = fdmon_poll_destroy,
};
