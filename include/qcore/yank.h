/*
 * Yank: a registry of instances (a chardev, a block node, migration) and
 * the functions that cut their network connections at once, for the QMP
 * commands yank and query-yank, which run out-of-band so that a hung
 * connection can be cut while the main loop is stuck on it.  Corresponds
 * to QEMU's include/qemu/yank.h and util/yank.c.
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

typedef enum YankInstanceType {
    YANK_INSTANCE_TYPE_BLOCK_NODE,
    YANK_INSTANCE_TYPE_CHARDEV,
    YANK_INSTANCE_TYPE_MIGRATION,
    YANK_INSTANCE_TYPE__MAX,
} YankInstanceType;

/* QEMU's YankInstance: @name is the node-name or chardev id (NULL else). */
typedef struct YankInstance {
    YankInstanceType type;
    const char *name;
} YankInstance;

typedef void YankFn(void *opaque);

/* "block-node", "chardev", "migration"; NULL when out of range. */
const char *YankInstanceType_str(YankInstanceType type);

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
 * The command yank: check that every instance exists (DeviceNotFound
 * "Instance not found" otherwise, nothing yanked), then run the functions
 * of each.
 */
bool yank_instances(const YankInstance *instances, size_t n, Error **errp);
/* query-yank: @fn for every instance, in registration order. */
void yank_foreach_instance(void (*fn)(const YankInstance *instance,
                                      void *opaque), void *opaque);

#endif
