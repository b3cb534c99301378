/*
 * IOThread: a thread that runs its own AioContext with aio_poll, so that
 * BHs, fd handlers, timers and coroutines of that context run off the
 * main loop and without the BQL.  Corresponds to QEMU's
 * include/sysemu/iothread.h and iothread.c (there a QOM object created
 * with -object iothread,id=X; here, for now, a plain handle).
 *
 * Threads: iothread_create, iothread_stop and iothread_destroy are called
 * by the thread that owns the IOThread (the main thread, with the BQL, in
 * qcore); the getters may be called from any thread.
 */
#ifndef QCORE_IOTHREAD_H
#define QCORE_IOTHREAD_H

#include "qcore/aio.h"
#include "qcore/error.h"

typedef struct IOThread IOThread;

/* QEMU's default busy-polling window for IOThreads. */
#define IOTHREAD_POLL_MAX_NS_DEFAULT 32768

/*
 * Create a context and start the thread "IO <id>" running it.  When this
 * returns the thread is running, qemu_get_current_aio_context() in it is
 * its context, and it is registered with RCU.  NULL and errp set on
 * failure.
 */
IOThread *iothread_create(const char *id, Error **errp);

/*
 * Make the thread leave its loop and join it.  Work already scheduled is
 * not lost: before exiting the thread runs aio_poll(ctx, false) until no
 * progress is made and waits for its thread pool's requests to complete,
 * so BHs (also those scheduled by those BHs), scheduled coroutines and
 * thread-pool completions all run.  Idempotent.  Not from the IOThread.
 */
void iothread_stop(IOThread *iothread);

/* Stop if needed, then free the thread and drop its context. */
void iothread_destroy(IOThread *iothread);

const char *iothread_get_id(IOThread *iothread);
AioContext *iothread_get_aio_context(IOThread *iothread);
/* The kernel's thread id (what query-iothreads calls thread-id). */
int iothread_get_thread_id(IOThread *iothread);

/*
 * A GMainContext run by the IOThread, for glib sources (created on the
 * first call; from then on the thread runs a GMainLoop in which its
 * AioContext is one source).  It is the thread-default main context in
 * the IOThread.  Any thread.
 */
GMainContext *iothread_get_g_main_context(IOThread *iothread);

/*
 * Adaptive polling: poll-max-ns, poll-grow, poll-shrink as QEMU's
 * properties (see aio_context_set_poll_params).  On error nothing
 * changes.  The change is made by the IOThread itself, between two
 * iterations (the setter waits for it).  The getter reads back the last
 * values set.  Owner thread.
 */
void iothread_set_poll_params(IOThread *iothread, int64_t max_ns,
                              int64_t grow, int64_t shrink, Error **errp);
void iothread_get_poll_params(IOThread *iothread, int64_t *max_ns,
                              int64_t *grow, int64_t *shrink);

#endif
