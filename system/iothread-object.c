/*
 * The "iothread" QOM type: a user-creatable object whose completion
 * starts an IOThread, with poll-max-ns, poll-grow and poll-shrink
 * properties that take effect at once, even while the thread runs, and
 * aio-max-batch, kept and reported only (qcore has no AIO to batch); and
 * query-iothreads.  Corresponds to the QOM half of QEMU's iothread.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/iothread-object.h"
#include "qcore/object-interfaces.h"
#include "qcore/qobject.h"
#include "qapi/qapi-commands.h"

typedef struct IOThreadObject {
    Object parent_obj;
    IOThread *iothread;         /* NULL until complete */
    /* What the properties say; pushed to the thread when it runs. */
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    int64_t aio_max_batch;
} IOThreadObject;

#define IOTHREAD_OBJECT(obj) \
    OBJECT_CHECK(IOThreadObject, (obj), TYPE_IOTHREAD)

IOThread *iothread_object_get(Object *obj)
{
    return IOTHREAD_OBJECT(obj)->iothread;
}

/* The int64 properties share accessors; @opaque is the field. */
static int64_t *poll_field(IOThreadObject *s, void *opaque)
{
    return (int64_t *)((char *)s + (uintptr_t)opaque);
}

static QObject *iothread_get_poll_param(Object *obj, const char *name,
                                        void *opaque, Error **errp)
{
    return QOBJECT(qnum_from_int(*poll_field(IOTHREAD_OBJECT(obj), opaque)));
}

static void iothread_set_poll_param(Object *obj, const char *name,
                                    const QObject *value, void *opaque,
                                    Error **errp)
{
    IOThreadObject *s = IOTHREAD_OBJECT(obj);
    int64_t *field = poll_field(s, opaque);
    int64_t v, saved;

    if (!object_property_value_int(value, name, &v, errp)) {
        return;
    }
    if (v < 0) {
        error_setg(errp, "%s value must be in range [0, %" PRId64 "]",
                   name, INT64_MAX);
        return;
    }
    saved = *field;
    *field = v;
    if (s->iothread) {
        Error *local_err = NULL;

        iothread_set_poll_params(s->iothread, s->poll_max_ns, s->poll_grow,
                                 s->poll_shrink, &local_err);
        if (local_err) {
            *field = saved;
            error_propagate(errp, local_err);
        }
    }
}

static void iothread_complete(UserCreatable *uc, Error **errp)
{
    IOThreadObject *s = IOTHREAD_OBJECT(uc);
    const char *id = object_get_canonical_path_component(OBJECT(uc));
    IOThread *iothread;

    iothread = iothread_create(id, errp);
    if (!iothread) {
        return;
    }
    iothread_set_poll_params(iothread, s->poll_max_ns, s->poll_grow,
                             s->poll_shrink, errp);
    s->iothread = iothread;
}

static void iothread_instance_finalize(Object *obj)
{
    IOThreadObject *s = IOTHREAD_OBJECT(obj);

    if (s->iothread) {
        iothread_destroy(s->iothread);
        s->iothread = NULL;
    }
}

static void iothread_class_init(ObjectClass *klass, const void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(klass);
    static const struct {
        const char *name;
        size_t offset;
        int64_t def;
        const char *desc;
    } props[] = {
        { "poll-max-ns", offsetof(IOThreadObject, poll_max_ns),
          IOTHREAD_POLL_MAX_NS_DEFAULT,
          "longest busy-polling window in ns (0 disables polling)" },
        { "poll-grow", offsetof(IOThreadObject, poll_grow), 0,
          "factor to grow the window by (0: default of 2)" },
        { "poll-shrink", offsetof(IOThreadObject, poll_shrink), 0,
          "divisor to shrink the window by (0: reset to 0)" },
        { "aio-max-batch", offsetof(IOThreadObject, aio_max_batch), 0,
          "most AIO requests to submit at once (0: default; no effect in "
          "qcore)" },
    };
    size_t i;

    ucc->complete = iothread_complete;
    for (i = 0; i < G_N_ELEMENTS(props); i++) {
        ObjectProperty *op;

        op = object_class_property_add(klass, props[i].name, "int",
                                       iothread_get_poll_param,
                                       iothread_set_poll_param, NULL,
                                       (void *)(uintptr_t)props[i].offset);
        object_property_set_default_int(op, props[i].def);
        object_class_property_set_description(klass, props[i].name,
                                              props[i].desc);
    }
}

static const TypeInfo iothread_info = {
    .name = TYPE_IOTHREAD,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(IOThreadObject),
    .instance_finalize = iothread_instance_finalize,
    .class_init = iothread_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { NULL }
    },
};

static void iothread_register_types(void)
{
    type_register_static(&iothread_info);
}

type_init(iothread_register_types)

/* ---- enumeration and query-iothreads -------------------------------- */

typedef struct {
    void (*fn)(Object *obj, IOThread *iothread, void *opaque);
    void *opaque;
} ForeachData;

static int foreach_child(Object *child, void *opaque)
{
    ForeachData *d = opaque;
    IOThreadObject *s = (IOThreadObject *)object_dynamic_cast(child,
                                                              TYPE_IOTHREAD);

    if (s && s->iothread) {
        d->fn(child, s->iothread, d->opaque);
    }
    return 0;
}

void iothread_object_foreach(void (*fn)(Object *obj, IOThread *iothread,
                                        void *opaque),
                             void *opaque)
{
    ForeachData d = { fn, opaque };

    object_child_foreach(object_get_objects_root(), foreach_child, &d);
}

static void add_iothread_info(Object *obj, IOThread *iothread, void *opaque)
{
    IOThreadInfoList ***tail = opaque;
    IOThreadInfo *info = g_new0(IOThreadInfo, 1);

    iothread_get_poll_params(iothread, &info->poll_max_ns, &info->poll_grow,
                             &info->poll_shrink);
    info->id = g_strdup(iothread_get_id(iothread));
    info->thread_id = iothread_get_thread_id(iothread);
    info->aio_max_batch = IOTHREAD_OBJECT(obj)->aio_max_batch;
    QAPI_LIST_APPEND(*tail, info);
}

IOThreadInfoList *qmp_query_iothreads(Error **errp)
{
    IOThreadInfoList *list = NULL, **tail = &list;

    iothread_object_foreach(add_iothread_info, &tail);
    return list;
}
