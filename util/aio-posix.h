/*
 * Internals shared by the AioContext core and its fd monitoring backends.
 * Corresponds to QEMU's util/aio-posix.h.
 */
#ifndef QCORE_AIO_POSIX_H
#define QCORE_AIO_POSIX_H

#include "qcore/aio.h"

struct AioHandler {
    GPollFD pfd;                /* fd, events; revents for the poll backend */
    IOHandler *io_read;
    IOHandler *io_write;
    AioPollFn *io_poll;
    IOHandler *io_poll_ready;
    void *opaque;
    QLIST_ENTRY(AioHandler) node;           /* ctx->aio_handlers */
    QLIST_ENTRY(AioHandler) node_ready;     /* only used during aio_poll */
    QLIST_ENTRY(AioHandler) node_deleted;   /* ctx->deleted_aio_handlers */
    int poll_ready;             /* io_poll returned true this round */
    unsigned revents;           /* set by the backend's wait */
    uint64_t dispatch_count;    /* home thread writes, qatomic_read */
    const char *read_name;      /* stringified callbacks, for statistics */
    const char *write_name;
    bool is_notifier;           /* the ctx's own EventNotifier */
};

/*
 * An fd monitoring backend: epoll (default) or poll.  The same
 * small interface for each, selected per AioContext.
 */
struct FDMonOps {
    const char *name;
    /*
     * A handler was added (old_node NULL), changed, or removed (new_node
     * NULL).  Called with ctx->list_lock held.
     */
    void (*update)(AioContext *ctx, AioHandler *old_node,
                   AioHandler *new_node);
    /*
     * Wait up to @timeout ns (-1: forever) and append ready handlers to
     * @ready_list with their revents.  Returns the number ready.
     */
    int (*wait)(AioContext *ctx, AioHandlerList *ready_list, int64_t timeout);
    /* Whether wait() must be called even when the timeout is 0. */
    bool (*need_wait)(AioContext *ctx);
    /*
     * When the context runs as a GSource, glib does the polling: check()
     * says whether glib's poll found something, dispatch() collects the
     * ready handlers.
     */
    bool (*gsource_check)(AioContext *ctx);
    void (*gsource_dispatch)(AioContext *ctx, AioHandlerList *ready_list);
    void (*destroy)(AioContext *ctx);
};

extern const FDMonOps fdmon_poll_ops;
extern const FDMonOps fdmon_epoll_ops;

bool fdmon_epoll_setup(AioContext *ctx);

/* The context notifier's handler, which does not count as progress. */
void aio_context_setup(AioContext *ctx);
void aio_context_destroy(AioContext *ctx);

/* Append @node to @ready_list unless it is deleted or already there. */
void aio_add_ready_handler(AioHandlerList *ready_list, AioHandler *node,
                           int revents);

/*
 * Stop glib from polling @pfd.  Once the GSource is destroyed (a context
 * attached to a GMainContext and then torn down) glib has already dropped
 * its fds and refuses the call.
 */
static inline void aio_gsource_remove_poll(AioContext *ctx, GPollFD *pfd)
{
    if (!g_source_is_destroyed(&ctx->source)) {
        g_source_remove_poll(&ctx->source, pfd);
    }
}

static inline bool aio_node_deleted(AioHandler *node)
{
    return QLIST_IS_INSERTED(node, node_deleted);
}

#endif
