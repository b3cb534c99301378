/*
 * AioContext fd handlers, busy polling and aio_poll.
 * Corresponds to QEMU's util/aio-posix.c.
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine.h"
#include "qcore/rcu-queue.h"
#include "aio-posix.h"

/* Remove a node, or mark it deleted if a walk may still see it.  list_lock. */
static bool aio_remove_fd_handler(AioContext *ctx, AioHandler *node)
{
    if (!node->io_poll) {
        /* Read without list_lock by the home thread's aio_poll. */
        qatomic_set(&ctx->poll_disable_cnt, ctx->poll_disable_cnt - 1);
    }
    if (ctx->walking_handlers > 0) {
        /* Freed by aio_free_deleted_handlers when the walk ends. */
        QLIST_INSERT_HEAD(&ctx->deleted_aio_handlers, node, node_deleted);
        return false;
    }
    QLIST_REMOVE(node, node);
    return true;
}

/*
 * Publish a fully initialised node.  The home thread walks the list
 * without list_lock, so this is an RCU-style insertion.  list_lock held.
 */
static void aio_insert_fd_handler(AioContext *ctx, AioHandler *node)
{
    QLIST_INSERT_HEAD_RCU(&ctx->aio_handlers, node, node);
    if (!node->io_poll) {
        qatomic_set(&ctx->poll_disable_cnt, ctx->poll_disable_cnt + 1);
    }
}

/* The live handler of @fd, if any.  list_lock. */
static AioHandler *find_aio_handler(AioContext *ctx, int fd)
{
    return g_hash_table_lookup(ctx->fd_handlers, GINT_TO_POINTER(fd));
}

void aio_set_fd_handler_full(AioContext *ctx, int fd, IOHandler *io_read,
                             IOHandler *io_write, AioPollFn *io_poll,
                             IOHandler *io_poll_ready, void *opaque,
                             const char *read_name, const char *write_name)
{
    AioHandler *node, *new_node = NULL;
    bool free_node = false;

    /* io_poll_ready without io_poll makes no sense; poll without reader
     * would never be woken by the fd, so drop it. */
    if (!io_read && !io_write) {
        io_poll = NULL;
        io_poll_ready = NULL;
    }

    if (io_read || io_write || io_poll) {
        /* Replace rather than edit in place: a walk may be using node. */
        new_node = g_new0(AioHandler, 1);
        new_node->pfd.fd = fd;
        new_node->pfd.events = (io_read ? G_IO_IN | G_IO_HUP | G_IO_ERR : 0) |
                               (io_write ? G_IO_OUT | G_IO_ERR : 0);
        new_node->io_read = io_read;
        new_node->io_write = io_write;
        new_node->io_poll = io_poll;
        new_node->io_poll_ready = io_poll_ready;
        new_node->opaque = opaque;
        new_node->read_name = read_name;
        new_node->write_name = write_name;
    }

    qemu_mutex_lock(&ctx->list_lock);
    node = find_aio_handler(ctx, fd);
    if (!node && !new_node) {
        qemu_mutex_unlock(&ctx->list_lock);
        return;
    }
    if (node && new_node) {
        new_node->dispatch_count = node->dispatch_count;
        new_node->is_notifier = node->is_notifier;
    }
    if (new_node) {
        aio_insert_fd_handler(ctx, new_node);
        g_hash_table_insert(ctx->fd_handlers, GINT_TO_POINTER(fd), new_node);
    } else {
        g_hash_table_remove(ctx->fd_handlers, GINT_TO_POINTER(fd));
    }
    ctx->fdmon_ops->update(ctx, node, new_node);
    if (node) {
        free_node = aio_remove_fd_handler(ctx, node);
    }
    qemu_mutex_unlock(&ctx->list_lock);

    /* The home thread may be blocked with the old set of fds. */
    aio_notify(ctx);
    if (free_node) {
        g_free(node);
    }
}

void aio_set_event_notifier_full(AioContext *ctx, EventNotifier *notifier,
                                 EventNotifierHandler *io_read,
                                 AioPollFn *io_poll,
                                 EventNotifierHandler *io_poll_ready,
                                 const char *read_name)
{
    AioHandler *node;

    aio_set_fd_handler_full(ctx, event_notifier_get_fd(notifier),
                            (IOHandler *)io_read, NULL, io_poll,
                            (IOHandler *)io_poll_ready, notifier,
                            read_name, "NULL");
    if (notifier == &ctx->notifier && io_read) {
        qemu_mutex_lock(&ctx->list_lock);
        node = find_aio_handler(ctx, event_notifier_get_fd(notifier));
        node->is_notifier = true;
        qemu_mutex_unlock(&ctx->list_lock);
    }
}

void aio_add_ready_handler(AioHandlerList *ready_list, AioHandler *node,
                           int revents)
{
    /* A handler may be reported twice (busy poll, then the fd). */
    node->revents |= revents;
    if (!QLIST_IS_INSERTED(node, node_ready)) {
        QLIST_INSERT_HEAD(ready_list, node, node_ready);
    }
}

/* Walks of the handler list keep removed nodes alive; see aio.h. */
static void aio_walk_begin(AioContext *ctx)
{
    qemu_mutex_lock(&ctx->list_lock);
    ctx->walking_handlers++;
    qemu_mutex_unlock(&ctx->list_lock);
}

static void aio_walk_end(AioContext *ctx)
{
    AioHandler *node, *tmp;
    AioHandlerList to_free = QLIST_HEAD_INITIALIZER(to_free);

    qemu_mutex_lock(&ctx->list_lock);
    if (--ctx->walking_handlers == 0) {
        QLIST_FOREACH_SAFE(node, &ctx->deleted_aio_handlers, node_deleted,
                           tmp) {
            QLIST_REMOVE(node, node);
            QLIST_REMOVE(node, node_deleted);
            QLIST_INSERT_HEAD(&to_free, node, node_deleted);
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);

    QLIST_FOREACH_SAFE(node, &to_free, node_deleted, tmp) {
        g_free(node);
    }
}

static bool aio_dispatch_handler(AioContext *ctx, AioHandler *node)
{
    int revents = node->revents & node->pfd.events;
    bool poll_ready = node->poll_ready;
    bool progress = false;

    node->revents = 0;
    node->poll_ready = 0;

    if (aio_node_deleted(node)) {
        return false;
    }
    qatomic_set(&node->dispatch_count, node->dispatch_count + 1);
    if (poll_ready && node->io_poll_ready) {
        node->io_poll_ready(node->opaque);
        return !node->is_notifier;
    }
    if ((revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && node->io_read) {
        node->io_read(node->opaque);
        /* The context's own notifier is plumbing, not progress. */
        progress = !node->is_notifier;
    }
    /* io_read may have removed or replaced this very handler. */
    if (!aio_node_deleted(node) &&
        (revents & (G_IO_OUT | G_IO_ERR)) && node->io_write) {
        node->io_write(node->opaque);
        progress = true;
    }
    return progress;
}

static bool aio_dispatch_ready_handlers(AioContext *ctx,
                                        AioHandlerList *ready_list)
{
    bool progress = false;
    AioHandler *node;

    while ((node = QLIST_FIRST(ready_list))) {
        QLIST_REMOVE(node, node_ready);
        progress |= aio_dispatch_handler(ctx, node);
    }
    return progress;
}

/*
 * One pass over the io_poll callbacks.  Returns true if any had work,
 * including the context's notifier: that ends busy polling, but is not
 * counted as progress by aio_poll.
 */
static bool run_poll_handlers_once(AioContext *ctx, AioHandlerList *ready_list)
{
    bool progress = false;
    AioHandler *node;

    QLIST_FOREACH_RCU(node, &ctx->aio_handlers, node) {
        if (node->io_poll && !aio_node_deleted(node) &&
            node->io_poll(node->opaque)) {
            node->poll_ready = 1;
            aio_add_ready_handler(ready_list, node, 0);
            progress = true;
        }
    }
    return progress;
}

/*
 * Busy poll for up to @max_ns.  On success, *timeout becomes 0 so that
 * the fd monitor is only asked without blocking.
 */
static bool run_poll_handlers(AioContext *ctx, AioHandlerList *ready_list,
                              int64_t max_ns, int64_t *timeout)
{
    int64_t start = get_clock();
    int64_t elapsed;
    bool progress;

    do {
        progress = run_poll_handlers_once(ctx, ready_list);
        elapsed = get_clock() - start;
    } while (!progress && elapsed < max_ns &&
             !qatomic_read(&ctx->poll_disable_cnt));

    if (progress) {
        *timeout = 0;
    } else if (*timeout != -1) {
        *timeout -= MIN(*timeout, elapsed);
    }
    return progress;
}

static bool try_poll_mode(AioContext *ctx, AioHandlerList *ready_list,
                          int64_t *timeout)
{
    int64_t max_ns;

    if (qatomic_read(&ctx->poll_disable_cnt)) {
        return false;
    }
    max_ns = qemu_soonest_timeout(*timeout, qatomic_read(&ctx->poll_ns));
    if (max_ns) {
        return run_poll_handlers(ctx, ready_list, max_ns, timeout);
    }
    /*
     * Even without a window, one pass tells whether a wait in the kernel
     * is needed at all: with every handler pollable and nothing ready, a
     * non-blocking aio_poll makes no system call.
     */
    if (*timeout == 0) {
        return run_poll_handlers_once(ctx, ready_list);
    }
    return false;
}

/* Adapt the polling window to how long the last wait blocked. */
static void adjust_polling_time(AioContext *ctx, int64_t block_ns)
{
    int64_t max_ns = qatomic_read(&ctx->poll_max_ns);
    int64_t poll_ns = qatomic_read(&ctx->poll_ns);

    if (!max_ns) {
        qatomic_set(&ctx->poll_ns, 0);
        return;
    }
    if (block_ns <= poll_ns) {
        return;     /* the window caught the event: keep it */
    }
    if (block_ns > max_ns) {
        /* Events are too far apart to catch by spinning: back off. */
        int64_t shrink = qatomic_read(&ctx->poll_shrink);
        poll_ns = shrink ? poll_ns / shrink : 0;
    } else if (poll_ns < max_ns) {
        /* The event came just after the window ended: widen it. */
        int64_t grow = qatomic_read(&ctx->poll_grow) ?: 2;
        poll_ns = poll_ns ? poll_ns * grow : 4000;
        poll_ns = MIN(poll_ns, max_ns);
    }
    /* Another thread may reset the window meanwhile; either value is fine. */
    qatomic_set(&ctx->poll_ns, poll_ns);
}

bool aio_poll(AioContext *ctx, bool blocking)
{
    AioHandlerList ready_list = QLIST_HEAD_INITIALIZER(ready_list);
    bool progress = false;
    bool polled;
    int64_t timeout = 0;
    int64_t start = 0;

    /*
     * Only the home thread may poll; anyone else would race with it on
     * the slices and ready lists.  (Before a thread has a context, e.g. a
     * test's main, the caller vouches for itself.)
     */
    assert(in_aio_context_home_thread(ctx) ||
           !qemu_get_current_aio_context());

    /*
     * notify_me tells aio_notify that we may block, so it must write the
     * eventfd.  A non-blocking poll never sleeps, so it leaves notify_me
     * alone: that is what makes qemu_bh_schedule syscall-free while the
     * loop is busy.
     */
    if (blocking) {
        qatomic_set(&ctx->notify_me, qatomic_read(&ctx->notify_me) + 2);
        /*
         * Write notify_me before reading the BH list, the timers and
         * ctx->notified.  Pairs with the smp_mb in aio_notify.
         */
        smp_mb();
        timeout = aio_compute_timeout(ctx);
        /* An aio_notify since the last aio_notify_accept: don't block. */
        if (qatomic_read(&ctx->notified)) {
            timeout = 0;
        }
    }

    aio_walk_begin(ctx);
    ctx->poll_count++;

    if (blocking && qatomic_read(&ctx->poll_max_ns)) {
        start = get_clock();
    }
    polled = try_poll_mode(ctx, &ready_list, &timeout);
    assert(!(timeout && polled));

    if (timeout || ctx->fdmon_ops->need_wait(ctx)) {
        ctx->fdmon_ops->wait(ctx, &ready_list, timeout);
    }

    if (blocking) {
        /* Done sleeping; pairs with the smp_mb in aio_notify. */
        qatomic_store_release(&ctx->notify_me,
                              qatomic_read(&ctx->notify_me) - 2);
    }
    aio_notify_accept(ctx);

    if (start) {
        adjust_polling_time(ctx, get_clock() - start);
    }

    progress |= aio_bh_poll(ctx);
    progress |= aio_dispatch_ready_handlers(ctx, &ready_list);

    aio_walk_end(ctx);

    progress |= timerlistgroup_run_timers(&ctx->tlg);
    return progress;
}

/* ---- GSource helpers -------------------------------------------------- */

bool aio_pending(AioContext *ctx)
{
    bool result;

    aio_walk_begin(ctx);
    result = ctx->fdmon_ops->gsource_check(ctx);
    aio_walk_end(ctx);
    return result;
}

void aio_dispatch(AioContext *ctx)
{
    AioHandlerList ready_list = QLIST_HEAD_INITIALIZER(ready_list);

    aio_walk_begin(ctx);
    aio_bh_poll(ctx);
    ctx->fdmon_ops->gsource_dispatch(ctx, &ready_list);
    aio_dispatch_ready_handlers(ctx, &ready_list);
    aio_walk_end(ctx);

    timerlistgroup_run_timers(&ctx->tlg);
}

void aio_context_foreach_handler(AioContext *ctx,
                                 void (*fn)(const AioHandlerInfo *info,
                                            void *opaque),
                                 void *opaque)
{
    AioHandler *node;

    qemu_mutex_lock(&ctx->list_lock);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        AioHandlerInfo info = {
            .fd = node->pfd.fd,
            .events = node->pfd.events,
            .has_poll = node->io_poll != NULL,
            .dispatch_count = qatomic_read(&node->dispatch_count),
            .read_name = node->read_name,
            .write_name = node->write_name,
        };
        if (!aio_node_deleted(node)) {
            fn(&info, opaque);
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
}

/* ---- backend selection ------------------------------------------------ */

void aio_context_setup(AioContext *ctx)
{
    const char *want = g_getenv("QCORE_FDMON");

    ctx->fd_handlers = g_hash_table_new(NULL, NULL);
    ctx->fdmon_ops = &fdmon_poll_ops;
    if (want && !strcmp(want, "poll")) {
        return;
    }
    if (want && strcmp(want, "epoll")) {
        warn_report("QCORE_FDMON=%s is not a known fd monitor, using epoll",
                    want);
    }
    /*
     * epoll is the default; if the kernel refuses, poll still works.
     * (io_uring was measured and is slower for this job: see
     * bench/README.md, "fd monitor probe".)
     */
    fdmon_epoll_setup(ctx);
}

void aio_context_destroy(AioContext *ctx)
{
    g_hash_table_destroy(ctx->fd_handlers);
    if (ctx->fdmon_ops->destroy) {
        ctx->fdmon_ops->destroy(ctx);
    }
}

const char *aio_context_fdmon_name(AioContext *ctx)
{
    return qatomic_read(&ctx->fdmon_ops)->name;
}
