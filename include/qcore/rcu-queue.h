/*
 * RCU-safe variants of the queue.h lists: any number of readers traverse
 * inside rcu_read_lock while one writer at a time (serialised by the
 * caller's lock) modifies.  Corresponds to QEMU's include/qemu/rcu_queue.h.
 *
 * Rules: writers publish a new element with qatomic_rcu_set only after
 * its own links are complete; removal leaves the removed element's forward
 * link intact, so a reader standing on it still reaches the rest of the
 * list; the element may be freed only after a grace period (call_rcu).
 * Every store of a forward link is a release (qatomic_rcu_set), removals
 * too: a reader that reaches an element through the relinked pointer must
 * be ordered after that element's initialisation.  Each pairs with the
 * qatomic_rcu_read of the same link in the *_FOREACH_RCU macros.
 * Readers follow only forward links, with qatomic_rcu_read.  Backward
 * links (le_prev, tql_prev, sqh_last) belong to writers.  Fields that only
 * writers store may be read plainly by the writer.
 */
#ifndef QCORE_RCU_QUEUE_H
#define QCORE_RCU_QUEUE_H

#include "qcore/queue.h"
#include "qcore/rcu.h"

/* ---- QLIST ---------------------------------------------------------- */
#define QLIST_EMPTY_RCU(head)  (qatomic_read(&(head)->lh_first) == NULL)
#define QLIST_FIRST_RCU(head)  (qatomic_rcu_read(&(head)->lh_first))
#define QLIST_NEXT_RCU(elm, field) (qatomic_rcu_read(&(elm)->field.le_next))

#define QLIST_INSERT_HEAD_RCU(head, elm, field) do {                    \
    (elm)->field.le_prev = &(head)->lh_first;                           \
    (elm)->field.le_next = (head)->lh_first;                            \
    qatomic_rcu_set(&(head)->lh_first, (elm));                          \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = &(elm)->field.le_next;    \
    }                                                                   \
} while (0)

#define QLIST_INSERT_AFTER_RCU(listelm, elm, field) do {                \
    (elm)->field.le_prev = &(listelm)->field.le_next;                   \
    (elm)->field.le_next = (listelm)->field.le_next;                    \
    qatomic_rcu_set(&(listelm)->field.le_next, (elm));                  \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = &(elm)->field.le_next;    \
    }                                                                   \
} while (0)

#define QLIST_INSERT_BEFORE_RCU(listelm, elm, field) do {               \
    (elm)->field.le_prev = (listelm)->field.le_prev;                    \
    (elm)->field.le_next = (listelm);                                   \
    qatomic_rcu_set((listelm)->field.le_prev, (elm));                   \
    (listelm)->field.le_prev = &(elm)->field.le_next;                   \
} while (0)

/* le_next stays valid for readers already on @elm; le_prev is cleared. */
#define QLIST_REMOVE_RCU(elm, field) do {                               \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = (elm)->field.le_prev;     \
    }                                                                   \
    qatomic_rcu_set((elm)->field.le_prev, (elm)->field.le_next);            \
    (elm)->field.le_prev = NULL;                                        \
} while (0)

#define QLIST_FOREACH_RCU(var, head, field)                             \
    for ((var) = QLIST_FIRST_RCU(head); (var);                          \
         (var) = QLIST_NEXT_RCU(var, field))

/* The writer's form: @var may be removed (and call_rcu'd) in the body. */
#define QLIST_FOREACH_SAFE_RCU(var, head, field, next_var)              \
    for ((var) = QLIST_FIRST_RCU(head);                                 \
         (var) && ((next_var) = QLIST_NEXT_RCU(var, field), 1);         \
         (var) = (next_var))

/* ---- QSLIST --------------------------------------------------------- */
#define QSLIST_EMPTY_RCU(head) (qatomic_read(&(head)->slh_first) == NULL)
#define QSLIST_FIRST_RCU(head) (qatomic_rcu_read(&(head)->slh_first))
#define QSLIST_NEXT_RCU(elm, field) (qatomic_rcu_read(&(elm)->field.sle_next))

#define QSLIST_INSERT_HEAD_RCU(head, elm, field) do {                   \
    (elm)->field.sle_next = (head)->slh_first;                          \
    qatomic_rcu_set(&(head)->slh_first, (elm));                         \
} while (0)

/* @head is unused, as in QEMU, whose callers pass it for symmetry. */
#define QSLIST_INSERT_AFTER_RCU(head, listelm, elm, field) do {         \
    (elm)->field.sle_next = (listelm)->field.sle_next;                  \
    qatomic_rcu_set(&(listelm)->field.sle_next, (elm));                 \
} while (0)

#define QSLIST_REMOVE_HEAD_RCU(head, field) do {                        \
    qatomic_rcu_set(&(head)->slh_first, (head)->slh_first->field.sle_next); \
} while (0)

#define QSLIST_REMOVE_RCU(head, elm, type, field) do {                  \
    if ((head)->slh_first == (elm)) {                                   \
        QSLIST_REMOVE_HEAD_RCU(head, field);                            \
    } else {                                                            \
        struct type *_qsl_cur = (head)->slh_first;                      \
        while (_qsl_cur->field.sle_next != (elm)) {                     \
            _qsl_cur = _qsl_cur->field.sle_next;                        \
        }                                                               \
        qatomic_rcu_set(&_qsl_cur->field.sle_next,                          \
                    (elm)->field.sle_next);                             \
    }                                                                   \
} while (0)

#define QSLIST_FOREACH_RCU(var, head, field)                            \
    for ((var) = QSLIST_FIRST_RCU(head); (var);                         \
         (var) = QSLIST_NEXT_RCU(var, field))

#define QSLIST_FOREACH_SAFE_RCU(var, head, field, next_var)             \
    for ((var) = QSLIST_FIRST_RCU(head);                                \
         (var) && ((next_var) = QSLIST_NEXT_RCU(var, field), 1);        \
         (var) = (next_var))

/* ---- QSIMPLEQ ------------------------------------------------------- */
#define QSIMPLEQ_EMPTY_RCU(head) (qatomic_read(&(head)->sqh_first) == NULL)
#define QSIMPLEQ_FIRST_RCU(head) (qatomic_rcu_read(&(head)->sqh_first))
#define QSIMPLEQ_NEXT_RCU(elm, field)                                   \
    (qatomic_rcu_read(&(elm)->field.sqe_next))

#define QSIMPLEQ_INSERT_HEAD_RCU(head, elm, field) do {                 \
    (elm)->field.sqe_next = (head)->sqh_first;                          \
    if ((elm)->field.sqe_next == NULL) {                                \
        (head)->sqh_last = &(elm)->field.sqe_next;                      \
    }                                                                   \
    qatomic_rcu_set(&(head)->sqh_first, (elm));                         \
} while (0)

#define QSIMPLEQ_INSERT_TAIL_RCU(head, elm, field) do {                 \
    (elm)->field.sqe_next = NULL;                                       \
    qatomic_rcu_set((head)->sqh_last, (elm));                           \
    (head)->sqh_last = &(elm)->field.sqe_next;                          \
} while (0)

#define QSIMPLEQ_INSERT_AFTER_RCU(head, listelm, elm, field) do {       \
    (elm)->field.sqe_next = (listelm)->field.sqe_next;                  \
    if ((elm)->field.sqe_next == NULL) {                                \
        (head)->sqh_last = &(elm)->field.sqe_next;                      \
    }                                                                   \
    qatomic_rcu_set(&(listelm)->field.sqe_next, (elm));                 \
} while (0)

#define QSIMPLEQ_REMOVE_HEAD_RCU(head, field) do {                      \
    qatomic_rcu_set(&(head)->sqh_first, (head)->sqh_first->field.sqe_next); \
    if ((head)->sqh_first == NULL) {                                    \
        (head)->sqh_last = &(head)->sqh_first;                          \
    }                                                                   \
} while (0)

#define QSIMPLEQ_REMOVE_RCU(head, elm, type, field) do {                \
    if ((head)->sqh_first == (elm)) {                                   \
        QSIMPLEQ_REMOVE_HEAD_RCU(head, field);                          \
    } else {                                                            \
        struct type *_qsq_cur = (head)->sqh_first;                      \
        while (_qsq_cur->field.sqe_next != (elm)) {                     \
            _qsq_cur = _qsq_cur->field.sqe_next;                        \
        }                                                               \
        qatomic_rcu_set(&_qsq_cur->field.sqe_next, (elm)->field.sqe_next);  \
        if (_qsq_cur->field.sqe_next == NULL) {                         \
            (head)->sqh_last = &_qsq_cur->field.sqe_next;               \
        }                                                               \
    }                                                                   \
} while (0)

#define QSIMPLEQ_FOREACH_RCU(var, head, field)                          \
    for ((var) = QSIMPLEQ_FIRST_RCU(head); (var);                       \
         (var) = QSIMPLEQ_NEXT_RCU(var, field))

#define QSIMPLEQ_FOREACH_SAFE_RCU(var, head, field, next_var)           \
    for ((var) = QSIMPLEQ_FIRST_RCU(head);                              \
         (var) && ((next_var) = QSIMPLEQ_NEXT_RCU(var, field), 1);      \
         (var) = (next_var))

/* ---- QTAILQ --------------------------------------------------------- */
/* tqe_next and tqe_circ.tql_next are the same word (a union). */
#define QTAILQ_EMPTY_RCU(head) (qatomic_read(&(head)->tqh_first) == NULL)
#define QTAILQ_FIRST_RCU(head) (qatomic_rcu_read(&(head)->tqh_first))
#define QTAILQ_NEXT_RCU(elm, field) (qatomic_rcu_read(&(elm)->field.tqe_next))

#define QTAILQ_INSERT_HEAD_RCU(head, elm, field) do {                   \
    (elm)->field.tqe_next = (head)->tqh_first;                          \
    if ((elm)->field.tqe_next != NULL) {                                \
        (head)->tqh_first->field.tqe_circ.tql_prev =                    \
            &(elm)->field.tqe_circ;                                     \
    } else {                                                            \
        (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;             \
    }                                                                   \
    (elm)->field.tqe_circ.tql_prev = &(head)->tqh_circ;                 \
    qatomic_rcu_set(&(head)->tqh_first, (elm));                         \
} while (0)

#define QTAILQ_INSERT_TAIL_RCU(head, elm, field) do {                   \
    (elm)->field.tqe_next = NULL;                                       \
    (elm)->field.tqe_circ.tql_prev = (head)->tqh_circ.tql_prev;         \
    qatomic_rcu_set(&(head)->tqh_circ.tql_prev->tql_next, (elm));       \
    (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;                 \
} while (0)

#define QTAILQ_INSERT_AFTER_RCU(head, listelm, elm, field) do {         \
    (elm)->field.tqe_next = (listelm)->field.tqe_next;                  \
    if ((elm)->field.tqe_next != NULL) {                                \
        (elm)->field.tqe_next->field.tqe_circ.tql_prev =                \
            &(elm)->field.tqe_circ;                                     \
    } else {                                                            \
        (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;             \
    }                                                                   \
    (elm)->field.tqe_circ.tql_prev = &(listelm)->field.tqe_circ;        \
    qatomic_rcu_set(&(listelm)->field.tqe_next, (elm));                 \
} while (0)

#define QTAILQ_INSERT_BEFORE_RCU(listelm, elm, field) do {              \
    (elm)->field.tqe_circ.tql_prev = (listelm)->field.tqe_circ.tql_prev;\
    (elm)->field.tqe_next = (listelm);                                  \
    qatomic_rcu_set(&(listelm)->field.tqe_circ.tql_prev->tql_next,      \
                    (elm));                                             \
    (listelm)->field.tqe_circ.tql_prev = &(elm)->field.tqe_circ;        \
} while (0)

#define QTAILQ_REMOVE_RCU(head, elm, field) do {                        \
    if ((elm)->field.tqe_next != NULL) {                                \
        (elm)->field.tqe_next->field.tqe_circ.tql_prev =                \
            (elm)->field.tqe_circ.tql_prev;                             \
    } else {                                                            \
        (head)->tqh_circ.tql_prev = (elm)->field.tqe_circ.tql_prev;     \
    }                                                                   \
    qatomic_rcu_set(&(elm)->field.tqe_circ.tql_prev->tql_next,              \
                (void *)(elm)->field.tqe_next);                         \
    (elm)->field.tqe_circ.tql_prev = NULL;                              \
} while (0)

#define QTAILQ_FOREACH_RCU(var, head, field)                            \
    for ((var) = QTAILQ_FIRST_RCU(head); (var);                         \
         (var) = QTAILQ_NEXT_RCU(var, field))

#define QTAILQ_FOREACH_SAFE_RCU(var, head, field, next_var)             \
    for ((var) = QTAILQ_FIRST_RCU(head);                                \
         (var) && ((next_var) = QTAILQ_NEXT_RCU(var, field), 1);        \
         (var) = (next_var))

#endif
