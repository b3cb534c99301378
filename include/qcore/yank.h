/*
 * Yank: a registry of instances (a chardev, a block node, migration) and
 * the functions that cut their network connections at once, for the QMP
 * commands yank and query-yank, which run out-of-band so that a hung
 * connection can be cut while the main loop is stuck on it.  Corresponds
 * to QEMU's include/qemu/yank.h and util/yank.c; here it sits in the qapi
 * layer, whose generated YankInstance it keys on.
 *
 * Threads: every function may be called from any thread; the registry has
 * its own lock, held while a yank function runs, so a function is never
 * called after yank_unregister_function() returned.  A yank function must
 * not block and must not take the BQL (it runs in the monitor I/O thread
 * while the main thread may hold it).
 */
#ifndef QCORE_YANK_H
#define QCORE_YANK_H

#include "qcore/error.h"
#include "qapi/qapi-types.h"

/* YankInstance and YankInstanceType come from qapi/yank.json. */

typedef void YankFn(void *opaque);

/* Add @instance; error "duplicate yank instance" if it is already there. */
bool yank_register_instance(const YankInstance *instance, Error **errp);
/* Remove @instance, which must have no functions left. */
void yank_unregister_instance(const YankInstance *instance);
/* Call @func(@opaque) when @instance is yanked; @instance must exist. */
void yank_register_function(const YankInstance *instance, YankFn *func,
                            void *opaque);
void yank_unregister_function(const YankInstance *instance, YankFn *func,
                              void *opaque);

/*
 * The QMP commands (qapi/yank.json, in qapi/yank.c): yank checks that
 * every instance exists (DeviceNotFound "Instance not found" otherwise,
 * nothing yanked), then runs the functions of each; query-yank lists the
 * instances in registration order.
 */

#endif
