/*
 * BSD-style intrusive lists: QLIST (doubly linked, head pointer), QSLIST
 * (singly linked, with lock-free push and grab), QSIMPLEQ (singly linked
 * tail queue) and QTAILQ (doubly linked tail queue).
 * Corresponds to QEMU's include/qemu/queue.h (same names, same semantics).
 * The RCU-safe variants are in rcu-queue.h.
 */
#ifndef QCORE_QUEUE_H
#define QCORE_QUEUE_H

#include "qcore/atomic.h"

/* ---- QLIST ---------------------------------------------------------- */
#define QLIST_HEAD(name, type)  struct name { struct type *lh_first; }
#define QLIST_HEAD_INITIALIZER(head) { NULL }
#define QLIST_ENTRY(type) \
    struct { struct type *le_next; struct type **le_prev; }

#define QLIST_INIT(head) do { (head)->lh_first = NULL; } while (0)
#define QLIST_EMPTY(head)          ((head)->lh_first == NULL)
#define QLIST_FIRST(head)          ((head)->lh_first)
#define QLIST_NEXT(elm, field)     ((elm)->field.le_next)
#define QLIST_IS_INSERTED(elm, field) ((elm)->field.le_prev != NULL)

#define QLIST_INSERT_HEAD(head, elm, field) do {                        \
    if (((elm)->field.le_next = (head)->lh_first) != NULL)              \
        (head)->lh_first->field.le_prev = &(elm)->field.le_next;        \
    (head)->lh_first = (elm);                                           \
    (elm)->field.le_prev = &(head)->lh_first;                           \
} while (0)

#define QLIST_INSERT_AFTER(listelm, elm, field) do {                    \
    if (((elm)->field.le_next = (listelm)->field.le_next) != NULL)      \
        (listelm)->field.le_next->field.le_prev = &(elm)->field.le_next;\
    (listelm)->field.le_next = (elm);                                   \
    (elm)->field.le_prev = &(listelm)->field.le_next;                   \
} while (0)

#define QLIST_INSERT_BEFORE(listelm, elm, field) do {                   \
    (elm)->field.le_prev = (listelm)->field.le_prev;                    \
    (elm)->field.le_next = (listelm);                                   \
    *(listelm)->field.le_prev = (elm);                                  \
    (listelm)->field.le_prev = &(elm)->field.le_next;                   \
} while (0)

#define QLIST_REMOVE(elm, field) do {                                   \
    if ((elm)->field.le_next != NULL)                                   \
        (elm)->field.le_next->field.le_prev = (elm)->field.le_prev;     \
    *(elm)->field.le_prev = (elm)->field.le_next;                       \
    (elm)->field.le_next = NULL;                                        \
    (elm)->field.le_prev = NULL;                                        \
} while (0)

/* Remove only if inserted; a no-op otherwise.  Handy for "ready" lists. */
#define QLIST_SAFE_REMOVE(elm, field) do {                              \
    if ((elm)->field.le_prev != NULL) {                                 \
        QLIST_REMOVE(elm, field);                                       \
    }                                                                   \
} while (0)

#define QLIST_FOREACH(var, head, field)                                 \
    for ((var) = (head)->lh_first; (var); (var) = (var)->field.le_next)

#define QLIST_FOREACH_SAFE(var, head, field, next_var)                  \
    for ((var) = ((head)->lh_first);                                    \
         (var) && ((next_var) = ((var)->field.le_next), 1);             \
         (var) = (next_var))

/* ---- QSLIST --------------------------------------------------------- */
#define QSLIST_HEAD(name, type) struct name { struct type *slh_first; }
#define QSLIST_HEAD_INITIALIZER(head) { NULL }
#define QSLIST_ENTRY(type) struct { struct type *sle_next; }

#define QSLIST_INIT(head)          do { (head)->slh_first = NULL; } while (0)
#define QSLIST_EMPTY(head)         ((head)->slh_first == NULL)
#define QSLIST_FIRST(head)         ((head)->slh_first)
#define QSLIST_NEXT(elm, field)    ((elm)->field.sle_next)

#define QSLIST_INSERT_HEAD(head, elm, field) do {                       \
    (elm)->field.sle_next = (head)->slh_first;                          \
    (head)->slh_first = (elm);                                          \
} while (0)

/*
 * Lock-free push: any number of threads may push concurrently with one
 * QSLIST_MOVE_ATOMIC.  The cmpxchg is a full barrier, so the element's
 * contents are visible before the element is.
 */
#define QSLIST_INSERT_HEAD_ATOMIC(head, elm, field) do {                \
    __typeof__(elm) save_sle_next;                                      \
    do {                                                                \
        save_sle_next = (elm)->field.sle_next =                         \
            qatomic_read(&(head)->slh_first);                           \
    } while (qatomic_cmpxchg(&(head)->slh_first, save_sle_next, (elm)) !=\
             save_sle_next);                                            \
} while (0)

/* Take the whole list at once, leaving @head empty. */
#define QSLIST_MOVE_ATOMIC(dest, src) do {                              \
    (dest)->slh_first = qatomic_xchg(&(src)->slh_first, NULL);          \
} while (0)

#define QSLIST_INSERT_AFTER(slistelm, elm, field) do {                  \
    (elm)->field.sle_next = (slistelm)->field.sle_next;                 \
    (slistelm)->field.sle_next = (elm);                                 \
} while (0)

#define QSLIST_REMOVE_HEAD(head, field) do {                            \
    __typeof__((head)->slh_first) _qsl_elm = (head)->slh_first;         \
    (head)->slh_first = _qsl_elm->field.sle_next;                       \
    _qsl_elm->field.sle_next = NULL;                                    \
} while (0)

#define QSLIST_REMOVE(head, elm, type, field) do {                      \
    if ((head)->slh_first == (elm)) {                                   \
        QSLIST_REMOVE_HEAD((head), field);                              \
    } else {                                                            \
        struct type *curelm = (head)->slh_first;                        \
        while (curelm->field.sle_next != (elm))                         \
            curelm = curelm->field.sle_next;                            \
        curelm->field.sle_next = curelm->field.sle_next->field.sle_next;\
        (elm)->field.sle_next = NULL;                                   \
    }                                                                   \
} while (0)

#define QSLIST_FOREACH(var, head, field)                                \
    for ((var) = (head)->slh_first; (var); (var) = (var)->field.sle_next)

#define QSLIST_FOREACH_SAFE(var, head, field, tvar)                     \
    for ((var) = QSLIST_FIRST((head));                                  \
         (var) && ((tvar) = QSLIST_NEXT((var), field), 1);              \
         (var) = (tvar))

/* ---- QSIMPLEQ ------------------------------------------------------- */
#define QSIMPLEQ_HEAD(name, type)                                       \
    struct name { struct type *sqh_first; struct type **sqh_last; }
#define QSIMPLEQ_HEAD_INITIALIZER(head) { NULL, &(head).sqh_first }
#define QSIMPLEQ_ENTRY(type) struct { struct type *sqe_next; }

#define QSIMPLEQ_INIT(head) do {                                        \
    (head)->sqh_first = NULL;                                           \
    (head)->sqh_last = &(head)->sqh_first;                              \
} while (0)
#define QSIMPLEQ_EMPTY(head)        ((head)->sqh_first == NULL)
#define QSIMPLEQ_FIRST(head)        ((head)->sqh_first)
#define QSIMPLEQ_NEXT(elm, field)   ((elm)->field.sqe_next)

#define QSIMPLEQ_INSERT_HEAD(head, elm, field) do {                     \
    if (((elm)->field.sqe_next = (head)->sqh_first) == NULL)            \
        (head)->sqh_last = &(elm)->field.sqe_next;                      \
    (head)->sqh_first = (elm);                                          \
} while (0)

#define QSIMPLEQ_INSERT_TAIL(head, elm, field) do {                     \
    (elm)->field.sqe_next = NULL;                                       \
    *(head)->sqh_last = (elm);                                          \
    (head)->sqh_last = &(elm)->field.sqe_next;                          \
} while (0)

#define QSIMPLEQ_REMOVE_HEAD(head, field) do {                          \
    __typeof__((head)->sqh_first) _qsq_elm = (head)->sqh_first;         \
    if (((head)->sqh_first = _qsq_elm->field.sqe_next) == NULL)         \
        (head)->sqh_last = &(head)->sqh_first;                          \
    _qsq_elm->field.sqe_next = NULL;                                    \
} while (0)

#define QSIMPLEQ_REMOVE(head, elm, type, field) do {                    \
    if ((head)->sqh_first == (elm)) {                                   \
        QSIMPLEQ_REMOVE_HEAD((head), field);                            \
    } else {                                                            \
        struct type *curelm = (head)->sqh_first;                        \
        while (curelm->field.sqe_next != (elm))                         \
            curelm = curelm->field.sqe_next;                            \
        if ((curelm->field.sqe_next =                                   \
                curelm->field.sqe_next->field.sqe_next) == NULL)        \
            (head)->sqh_last = &(curelm)->field.sqe_next;               \
        (elm)->field.sqe_next = NULL;                                   \
    }                                                                   \
} while (0)

#define QSIMPLEQ_FOREACH(var, head, field)                              \
    for ((var) = ((head)->sqh_first); (var); (var) = ((var)->field.sqe_next))

#define QSIMPLEQ_FOREACH_SAFE(var, head, field, next)                   \
    for ((var) = ((head)->sqh_first);                                   \
         (var) && ((next = ((var)->field.sqe_next)), 1);                \
         (var) = (next))

/* ---- QTAILQ --------------------------------------------------------- */
/*
 * tql_prev points at the previous element's link (the BSD trick), so
 * removal is O(1) without knowing the head.
 */
typedef struct QTailQLink {
    void *tql_next;
    struct QTailQLink *tql_prev;
} QTailQLink;

#define QTAILQ_HEAD(name, type)                                         \
    union name { struct type *tqh_first; QTailQLink tqh_circ; }
#define QTAILQ_HEAD_INITIALIZER(head) { .tqh_circ = { NULL, &(head).tqh_circ } }
#define QTAILQ_ENTRY(type)                                              \
    union { struct type *tqe_next; QTailQLink tqe_circ; }

#define QTAILQ_INIT(head) do {                                          \
    (head)->tqh_first = NULL;                                           \
    (head)->tqh_circ.tql_prev = &(head)->tqh_circ;                      \
} while (0)
#define QTAILQ_EMPTY(head)          ((head)->tqh_first == NULL)
#define QTAILQ_FIRST(head)          ((head)->tqh_first)
#define QTAILQ_NEXT(elm, field)     ((elm)->field.tqe_next)
#define QTAILQ_IN_USE(elm, field)   ((elm)->field.tqe_circ.tql_prev != NULL)
#define QTAILQ_LAST(head)                                               \
    ((__typeof__((head)->tqh_first))QTAILQ_LINK_PREV((head)->tqh_circ))
#define QTAILQ_PREV(elm, field)                                         \
    ((__typeof__(elm))QTAILQ_LINK_PREV((elm)->field.tqe_circ))
#define QTAILQ_LINK_PREV(link) ((link).tql_prev->tql_prev->tql_next)

#define QTAILQ_INSERT_HEAD(head, elm, field) do {                       \
    if (((elm)->field.tqe_next = (head)->tqh_first) != NULL)            \
        (head)->tqh_first->field.tqe_circ.tql_prev =                    \
            &(elm)->field.tqe_circ;                                     \
    else                                                                \
        (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;             \
    (head)->tqh_first = (elm);                                          \
    (elm)->field.tqe_circ.tql_prev = &(head)->tqh_circ;                 \
} while (0)

#define QTAILQ_INSERT_TAIL(head, elm, field) do {                       \
    (elm)->field.tqe_next = NULL;                                       \
    (elm)->field.tqe_circ.tql_prev = (head)->tqh_circ.tql_prev;         \
    (head)->tqh_circ.tql_prev->tql_next = (elm);                        \
    (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;                 \
} while (0)

#define QTAILQ_INSERT_AFTER(head, listelm, elm, field) do {             \
    if (((elm)->field.tqe_next = (listelm)->field.tqe_next) != NULL)    \
        (elm)->field.tqe_next->field.tqe_circ.tql_prev =                \
            &(elm)->field.tqe_circ;                                     \
    else                                                                \
        (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;             \
    (listelm)->field.tqe_next = (elm);                                  \
    (elm)->field.tqe_circ.tql_prev = &(listelm)->field.tqe_circ;        \
} while (0)

#define QTAILQ_INSERT_BEFORE(listelm, elm, field) do {                  \
    (elm)->field.tqe_circ.tql_prev = (listelm)->field.tqe_circ.tql_prev;\
    (elm)->field.tqe_next = (listelm);                                  \
    (listelm)->field.tqe_circ.tql_prev->tql_next = (elm);               \
    (listelm)->field.tqe_circ.tql_prev = &(elm)->field.tqe_circ;        \
} while (0)

#define QTAILQ_REMOVE(head, elm, field) do {                            \
    if (((elm)->field.tqe_next) != NULL)                                \
        (elm)->field.tqe_next->field.tqe_circ.tql_prev =                \
            (elm)->field.tqe_circ.tql_prev;                             \
    else                                                                \
        (head)->tqh_circ.tql_prev = (elm)->field.tqe_circ.tql_prev;     \
    (elm)->field.tqe_circ.tql_prev->tql_next = (elm)->field.tqe_next;   \
    (elm)->field.tqe_circ.tql_prev = NULL;                              \
    (elm)->field.tqe_circ.tql_next = NULL;                              \
} while (0)

#define QTAILQ_FOREACH(var, head, field)                                \
    for ((var) = ((head)->tqh_first); (var); (var) = ((var)->field.tqe_next))

#define QTAILQ_FOREACH_SAFE(var, head, field, next_var)                 \
    for ((var) = ((head)->tqh_first);                                   \
         (var) && ((next_var) = ((var)->field.tqe_next), 1);            \
         (var) = (next_var))

#define QTAILQ_FOREACH_REVERSE(var, head, field)                        \
    for ((var) = QTAILQ_LAST(head); (var); (var) = QTAILQ_PREV(var, field))

#endif
