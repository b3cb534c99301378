/*
 * QemuLockable: one handle for any kind of lock (QemuMutex, QemuRecMutex,
 * CoMutex), so code can take "a lock" without knowing which, and the
 * scope guards QEMU_LOCK_GUARD / WITH_QEMU_LOCK_GUARD built on it.
 * Corresponds to QEMU's include/qemu/lockable.h; names and use are QEMU's.
 * qcore has no QemuSpin, so that case is absent.
 *
 *   QEMU_LOCK_GUARD(&s->lock);          until the end of the scope
 *   WITH_QEMU_LOCK_GUARD(&s->lock) {    for this block (break/return ok)
 *       ...
 *   }
 *   QemuLockable *l = QEMU_MAKE_LOCKABLE(&co_mutex);
 *   qemu_lockable_lock(l); ... qemu_lockable_unlock(l);
 *
 * A QemuLockable made by QEMU_MAKE_LOCKABLE lives in the enclosing block
 * (a compound literal): pass it down, do not keep it.  Locking a CoMutex
 * through one is only allowed in a coroutine, as locking it directly.
 */
#ifndef QCORE_LOCKABLE_H
#define QCORE_LOCKABLE_H

#include "qcore/osdep.h"
#include "qcore/thread.h"

/* From qcore/coroutine.h, which thread.h users need not pull in. */
typedef struct CoMutex CoMutex;
void coroutine_fn qemu_co_mutex_lock(CoMutex *mutex);
void coroutine_fn qemu_co_mutex_unlock(CoMutex *mutex);

typedef void QemuLockUnlockFunc(void *);

typedef struct QemuLockable {
    void *object;
    QemuLockUnlockFunc *lock;
    QemuLockUnlockFunc *unlock;
} QemuLockable;

/*
 * Adapters with the void * signature the handle stores, so no function
 * is ever called through a pointer of another type.
 */
#define QEMU_LOCKABLE_ADAPTERS_(name, type)                             \
    static inline void qemu_lockable_##name##_lock_(void *l)            \
    {                                                                   \
        qemu_##name##_lock((type *)l);                                  \
    }                                                                   \
    static inline void qemu_lockable_##name##_unlock_(void *l)          \
    {                                                                   \
        qemu_##name##_unlock((type *)l);                                \
    }

QEMU_LOCKABLE_ADAPTERS_(mutex, QemuMutex)
QEMU_LOCKABLE_ADAPTERS_(rec_mutex, QemuRecMutex)
QEMU_LOCKABLE_ADAPTERS_(co_mutex, CoMutex)

/*
 * Any other type selects this, which is never defined: passing something
 * that is not a lock fails to link.  (Every branch of a _Generic must
 * compile, even the ones not taken, hence no plain error here.)
 */
void qemu_lockable_not_a_lock_(void *l);

#define QEMU_LOCKABLE_FN_(x, op)                                        \
    _Generic((x),                                                       \
             QemuMutex *: qemu_lockable_mutex_##op##_,                  \
             QemuRecMutex *: qemu_lockable_rec_mutex_##op##_,           \
             CoMutex *: qemu_lockable_co_mutex_##op##_,                 \
             default: qemu_lockable_not_a_lock_)

/* A function, not a test in the macro: &s->lock is never NULL, and says so. */
static inline QemuLockable *qemu_make_lockable_(void *x, QemuLockable *l)
{
    return x ? l : NULL;
}

static inline QemuLockable *qemu_null_lockable_(void *x)
{
    assert(!x);
    return NULL;
}

#define QEMU_MAKE_LOCKABLE_(x)                                          \
    qemu_make_lockable_((x), &(QemuLockable) {                          \
        .object = (x),                                                  \
        .lock = QEMU_LOCKABLE_FN_((x), lock),                           \
        .unlock = QEMU_LOCKABLE_FN_((x), unlock),                       \
    })

/*
 * QEMU_MAKE_LOCKABLE(x): a QemuLockable for the lock @x (a QemuMutex *,
 * QemuRecMutex * or CoMutex *), NULL when @x is NULL; a QemuLockable *
 * is passed through, and a literal NULL gives NULL.
 */
#define QEMU_MAKE_LOCKABLE(x)                                           \
    _Generic((x),                                                       \
             QemuLockable *: (x),                                       \
             void *: qemu_null_lockable_(x),                            \
             default: QEMU_MAKE_LOCKABLE_(x))

/* As QEMU_MAKE_LOCKABLE, for an @x known not to be NULL. */
#define QEMU_MAKE_LOCKABLE_NONNULL(x)                                   \
    _Generic((x),                                                       \
             QemuLockable *: (x),                                       \
             default: QEMU_MAKE_LOCKABLE_(x))

static inline void qemu_lockable_lock(QemuLockable *x)
{
    x->lock(x->object);
}

static inline void qemu_lockable_unlock(QemuLockable *x)
{
    x->unlock(x->object);
}

/* For the guards: lock and hand back, and the g_autoptr cleanup. */
static inline QemuLockable *qemu_lockable_auto_lock(QemuLockable *x)
{
    qemu_lockable_lock(x);
    return x;
}

static inline void qemu_lockable_auto_unlock(QemuLockable *x)
{
    if (x) {
        qemu_lockable_unlock(x);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuLockable, qemu_lockable_auto_unlock)

/* Hold @x until the end of the enclosing scope. */
#define QEMU_LOCK_GUARD(x)                                              \
    g_autoptr(QemuLockable)                                             \
        G_PASTE(qemu_lockable_auto_, __COUNTER__) G_GNUC_UNUSED =       \
        qemu_lockable_auto_lock(QEMU_MAKE_LOCKABLE((x)))

/*
 * Hold @x for the statement or block that follows; leaving it early
 * (break, return, goto) unlocks too, through the g_autoptr cleanup.
 */
#define WITH_QEMU_LOCK_GUARD_(x, var)                                   \
    for (g_autoptr(QemuLockable) var =                                  \
             qemu_lockable_auto_lock(QEMU_MAKE_LOCKABLE_NONNULL((x)));  \
         var;                                                           \
         qemu_lockable_auto_unlock(var), var = NULL)

#define WITH_QEMU_LOCK_GUARD(x)                                         \
    WITH_QEMU_LOCK_GUARD_((x), G_PASTE(qemu_lockable_auto_, __COUNTER__))

#endif
