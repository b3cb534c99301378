/*
 * The user-creatable "iothread" QOM type (-object iothread,id=X and
 * object-add), a QOM face on the IOThread engine of iothread.h, and
 * query-iothreads.  Corresponds to the QOM half of QEMU's iothread.c.
 * Main thread, BQL held.
 */
#ifndef QCORE_IOTHREAD_OBJECT_H
#define QCORE_IOTHREAD_OBJECT_H

#include "qcore/iothread.h"
#include "qcore/object.h"

#define TYPE_IOTHREAD "iothread"

/* The engine behind an iothread object (NULL before it completed). */
IOThread *iothread_object_get(Object *obj);

/* Call @fn for every iothread object under /objects, in creation order. */
void iothread_object_foreach(void (*fn)(Object *obj, IOThread *iothread,
                                        void *opaque),
                             void *opaque);

/*
 * query-iothreads: [{"id", "thread-id", "poll-max-ns", "poll-grow",
 * "poll-shrink", "aio-max-batch"}], QEMU's IOThreadInfo.
 */

#endif
