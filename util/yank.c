/*
 * The yank registry: instances and the functions that cut their
 * connections (see include/qcore/yank.h).  Corresponds to QEMU's
 * util/yank.c; the QMP side is in monitor/qmp-cmds.c.
 */
#include "qcore/osdep.h"
#include "qcore/queue.h"
#include "qcore/thread.h"
#include "qcore/yank.h"

typedef struct YankFuncEntry {
    YankFn *func;
    void *opaque;
    QLIST_ENTRY(YankFuncEntry) next;
} YankFuncEntry;

typedef struct YankInstanceEntry {
    YankInstanceType type;
    char *name;
    QLIST_HEAD(, YankFuncEntry) funcs;
    QTAILQ_ENTRY(YankInstanceEntry) next;
} YankInstanceEntry;

/*
 * yank_lock protects yank_list and every entry's funcs.  It is held while
 * the functions run, which is what lets an owner that unregistered its
 * function close the resource the function touches.
 */
static QemuMutex yank_lock;
static QTAILQ_HEAD(, YankInstanceEntry) yank_list =
    QTAILQ_HEAD_INITIALIZER(yank_list);

static void __attribute__((constructor)) yank_init(void)
{
    qemu_mutex_init(&yank_lock);
}

const char *YankInstanceType_str(YankInstanceType type)
{
    static const char *const names[YANK_INSTANCE_TYPE__MAX] = {
        [YANK_INSTANCE_TYPE_BLOCK_NODE] = "block-node",
        [YANK_INSTANCE_TYPE_CHARDEV] = "chardev",
        [YANK_INSTANCE_TYPE_MIGRATION] = "migration",
    };

    return type < YANK_INSTANCE_TYPE__MAX ? names[type] : NULL;
}

/* yank_lock held. */
static YankInstanceEntry *yank_find(const YankInstance *instance)
{
    YankInstanceEntry *e;

    QTAILQ_FOREACH(e, &yank_list, next) {
        if (e->type == instance->type &&
            (instance->type == YANK_INSTANCE_TYPE_MIGRATION ||
             !g_strcmp0(e->name, instance->name))) {
            return e;
        }
    }
    return NULL;
}

bool yank_register_instance(const YankInstance *instance, Error **errp)
{
    YankInstanceEntry *e;

    QEMU_LOCK_GUARD(&yank_lock);
    if (yank_find(instance)) {
        error_setg(errp, "duplicate yank instance");
        return false;
    }
    e = g_new0(YankInstanceEntry, 1);
    e->type = instance->type;
    e->name = g_strdup(instance->name);
    QLIST_INIT(&e->funcs);
    QTAILQ_INSERT_TAIL(&yank_list, e, next);
    return true;
}

void yank_unregister_instance(const YankInstance *instance)
{
    YankInstanceEntry *e;

    QEMU_LOCK_GUARD(&yank_lock);
    e = yank_find(instance);
    assert(e && QLIST_EMPTY(&e->funcs));
    QTAILQ_REMOVE(&yank_list, e, next);
    g_free(e->name);
    g_free(e);
}

void yank_register_function(const YankInstance *instance, YankFn *func,
                            void *opaque)
{
    YankFuncEntry *f = g_new0(YankFuncEntry, 1);
    YankInstanceEntry *e;

    QEMU_LOCK_GUARD(&yank_lock);
    e = yank_find(instance);
    assert(e);
    f->func = func;
    f->opaque = opaque;
    QLIST_INSERT_HEAD(&e->funcs, f, next);
}

void yank_unregister_function(const YankInstance *instance, YankFn *func,
                              void *opaque)
{
    YankInstanceEntry *e;
    YankFuncEntry *f;

    QEMU_LOCK_GUARD(&yank_lock);
    e = yank_find(instance);
    assert(e);
    QLIST_FOREACH(f, &e->funcs, next) {
        if (f->func == func && f->opaque == opaque) {
            QLIST_REMOVE(f, next);
            g_free(f);
            return;
        }
    }
    g_assert_not_reached();
}

bool yank_instances(const YankInstance *instances, size_t n, Error **errp)
{
    YankFuncEntry *f;
    size_t i;

    QEMU_LOCK_GUARD(&yank_lock);
    for (i = 0; i < n; i++) {
        if (!yank_find(&instances[i])) {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Instance not found");
            return false;
        }
    }
    for (i = 0; i < n; i++) {
        QLIST_FOREACH(f, &yank_find(&instances[i])->funcs, next) {
            f->func(f->opaque);
        }
    }
    return true;
}

void yank_foreach_instance(void (*fn)(const YankInstance *instance,
                                      void *opaque), void *opaque)
{
    YankInstanceEntry *e;

    QEMU_LOCK_GUARD(&yank_lock);
    QTAILQ_FOREACH(e, &yank_list, next) {
        YankInstance instance = { e->type, e->name };

        fn(&instance, opaque);
    }
}
