/*
 * Notifier lists: a list of callbacks that one event runs in order.
 * Corresponds to QEMU's include/qemu/notify.h and util/notify.c (inline
 * here: they are a few lines each).  The owner of the list serialises
 * add, remove and notify (the main loop's list: main thread, BQL).
 */
#ifndef QCORE_NOTIFY_H
#define QCORE_NOTIFY_H

#include "qcore/osdep.h"
#include "qcore/queue.h"

typedef struct Notifier Notifier;
struct Notifier {
    void (*notify)(Notifier *notifier, void *data);
    QLIST_ENTRY(Notifier) node;
};

typedef struct NotifierList {
    QLIST_HEAD(, Notifier) notifiers;
} NotifierList;

#define NOTIFIER_LIST_INITIALIZER(head) { QLIST_HEAD_INITIALIZER((head).notifiers) }

static inline void notifier_list_init(NotifierList *list)
{
    QLIST_INIT(&list->notifiers);
}

static inline void notifier_list_add(NotifierList *list, Notifier *notifier)
{
    QLIST_INSERT_HEAD(&list->notifiers, notifier, node);
}

static inline void notifier_remove(Notifier *notifier)
{
    QLIST_REMOVE(notifier, node);
}

/* A notifier may remove itself while it runs. */
static inline void notifier_list_notify(NotifierList *list, void *data)
{
    Notifier *n, *next;

    QLIST_FOREACH_SAFE(n, &list->notifiers, node, next) {
        n->notify(n, data);
    }
}

#endif
