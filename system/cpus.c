/*
 * The Big QEMU Lock.  (vCPU threads join this file with the machine.)
 * Corresponds to the BQL part of QEMU's system/cpus.c.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"

static QemuMutex bql;
/* Per thread, so bql_locked() is a plain load and answers for the caller. */
static __thread bool bql_is_locked;

static void __attribute__((constructor)) bql_init(void)
{
    qemu_mutex_init(&bql);
}

bool bql_locked(void)
{
    return bql_is_locked;
}

void bql_lock(void)
{
    /* Recursion would self-deadlock; fail loudly instead. */
    g_assert(!bql_is_locked);
    qemu_mutex_lock(&bql);
    bql_is_locked = true;
}

void bql_unlock(void)
{
    g_assert(bql_is_locked);
    bql_is_locked = false;
    qemu_mutex_unlock(&bql);
}

/* A non-NULL token means "this guard took the lock and must drop it". */
BQLLockAuto *bql_auto_lock(void)
{
    if (bql_is_locked) {
        return NULL;
    }
    bql_lock();
    return (BQLLockAuto *)(uintptr_t)1;
}

void bql_auto_unlock(BQLLockAuto *l)
{
    if (l) {
        bql_unlock();
    }
}
