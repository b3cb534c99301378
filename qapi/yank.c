/*
 * The yank registry: instances and the functions that cut their
 * connections, and the QMP commands yank and query-yank (see
 * include/qcore/yank.h).  Corresponds to QEMU's util/yank.c.
 */
#include "qcore/osdep.h"
#include "qcore/queue.h"
#include "qcore/thread.h"
#include "qcore/yank.h"
#include "qapi/qapi-commands.h"

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

/* The instance's name: node-name, chardev id, or NULL (migration). */
static const char *yank_instance_name(const YankInstance *instance)
{
    switch (instance->type) {
    case YANK_INSTANCE_TYPE_BLOCK_NODE:
        return instance->u.block_node.node_name;
    case YANK_INSTANCE_TYPE_CHARDEV:
        return instance->u.chardev.id;
    default:
        return NULL;
    }
}

/* yank_lock held. */
static YankInstanceEntry *yank_find(const YankInstance *instance)
{
    YankInstanceEntry *e;

    QTAILQ_FOREACH(e, &yank_list, next) {
        if (e->type == instance->type &&
            !g_strcmp0(e->name, yank_instance_name(instance))) {
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
    e->name = g_strdup(yank_instance_name(instance));
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

/* Allow-oob: the monitor I/O thread, no BQL; only yank_lock. */
void qmp_yank(YankInstanceList *instances, Error **errp)
{
    YankInstanceList *l;
    YankFuncEntry *f;

    QEMU_LOCK_GUARD(&yank_lock);
    for (l = instances; l; l = l->next) {
        if (!yank_find(l->value)) {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Instance not found");
            return;
        }
    }
    for (l = instances; l; l = l->next) {
        QLIST_FOREACH(f, &yank_find(l->value)->funcs, next) {
            f->func(f->opaque);
        }
    }
}

YankInstanceList *qmp_query_yank(Error **errp)
{
    YankInstanceList *list = NULL, **tail = &list;
    YankInstanceEntry *e;

    QEMU_LOCK_GUARD(&yank_lock);
    QTAILQ_FOREACH(e, &yank_list, next) {
        YankInstance *instance = g_new0(YankInstance, 1);

        instance->type = e->type;
        if (e->type == YANK_INSTANCE_TYPE_BLOCK_NODE) {
            instance->u.block_node.node_name = g_strdup(e->name);
        } else if (e->type == YANK_INSTANCE_TYPE_CHARDEV) {
            instance->u.chardev.id = g_strdup(e->name);
        }
        QAPI_LIST_APPEND(tail, instance);
    }
    return list;
}
