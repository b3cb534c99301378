/*
 * RCU grace periods (synchronize_rcu) and the "call_rcu" thread.
 * Corresponds to QEMU's util/rcu.c; the read side is inline in
 * include/qcore/rcu.h and the whole scheme is described in docs/rcu.md.
 */
#include "qcore/osdep.h"
#include "qcore/rcu.h"
#include "qcore/thread.h"
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>

__thread struct rcu_reader_data rcu_reader;
uint64_t rcu_gp_ctr = 1;
bool rcu_use_membarrier;

/* Serialises grace periods.  Taken before rcu_registry_lock. */
static QemuMutex rcu_sync_lock;
/* Protects the registry and the node field of every reader. */
static QemuMutex rcu_registry_lock;
static QLIST_HEAD(, rcu_reader_data) registry =
    QLIST_HEAD_INITIALIZER(registry);
/* Set when a reader that a writer waits for leaves its critical section. */
static QemuEvent rcu_gp_event;

/*
 * A full barrier on every thread of the process.  With membarrier the
 * kernel interrupts each running thread of ours (sleeping ones pass a
 * barrier when they are scheduled again), which is what lets readers get
 * away with a compiler barrier.
 */
static void smp_mb_global(void)
{
#ifndef CONFIG_SANITIZE_THREAD
    if (rcu_use_membarrier) {
        if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
                    0, 0) < 0) {
            /* Readers rely on it; there is no safe way to go on. */
            perror("qcore: membarrier");
            abort();
        }
        return;
    }
#endif
    smp_mb();
}

static void membarrier_init(void)
{
#ifndef CONFIG_SANITIZE_THREAD
    long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

    /* QCORE_RCU_NO_MEMBARRIER lets the tests exercise the fallback. */
    if (getenv("QCORE_RCU_NO_MEMBARRIER") || cmds < 0 ||
        !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
        return;
    }
    rcu_use_membarrier = syscall(__NR_membarrier,
                                 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                                 0, 0) == 0;
#endif
}

void rcu_register_thread(void)
{
    assert(rcu_reader.depth == 0 && rcu_reader.ctr == 0);
    QEMU_LOCK_GUARD(&rcu_registry_lock);
    assert(!QLIST_IS_INSERTED(&rcu_reader, node));
    QLIST_INSERT_HEAD(&registry, &rcu_reader, node);
}

void rcu_unregister_thread(void)
{
    assert(rcu_reader.depth == 0);
    /* Works whether a writer has the node in registry or in its done list. */
    QEMU_LOCK_GUARD(&rcu_registry_lock);
    QLIST_REMOVE(&rcu_reader, node);
}

void rcu_wake_writer(void)
{
    qatomic_set(&rcu_reader.waiting, false);
    /* Pairs with qemu_event_reset in wait_for_readers. */
    qemu_event_set(&rcu_gp_event);
}

/* Is @r still inside a critical section that began before this period? */
static bool reader_in_old_section(struct rcu_reader_data *r)
{
    /* Pairs with the store-release of 0 in rcu_read_unlock. */
    uint64_t ctr = qatomic_load_acquire(&r->ctr);

    return ctr != 0 && ctr != rcu_gp_ctr;
}

/*
 * Called with both locks held; drops rcu_registry_lock while sleeping so
 * that threads can come and go.  A thread that registers meanwhile cannot
 * be in an old critical section; one that unregisters is not in any.
 */
static void wait_for_readers(void)
{
    QLIST_HEAD(, rcu_reader_data) done = QLIST_HEAD_INITIALIZER(done);
    struct rcu_reader_data *r, *next;

    for (;;) {
        /*
         * Reset before raising the flags, so that a reader that sees its
         * flag sets the event after this reset.  The RMW in reset is a
         * full barrier.  Pairs with qemu_event_set in rcu_wake_writer.
         */
        qemu_event_reset(&rcu_gp_event);
        QLIST_FOREACH(r, &registry, node) {
            qatomic_set(&r->waiting, true);
        }
        /*
         * Store waiting before loading ctr: either we see a reader's 0 or
         * it sees its flag.  Pairs with rcu_read_side_mb in
         * rcu_read_unlock.
         */
        smp_mb_global();

        QLIST_FOREACH_SAFE(r, &registry, node, next) {
            if (!reader_in_old_section(r)) {
                /* At worst the reader does one needless wake-up. */
                qatomic_set(&r->waiting, false);
                QLIST_REMOVE(r, node);
                QLIST_INSERT_HEAD(&done, r, node);
            }
        }
        if (QLIST_EMPTY(&registry)) {
            break;
        }
        qemu_mutex_unlock(&rcu_registry_lock);
        qemu_event_wait(&rcu_gp_event);
        qemu_mutex_lock(&rcu_registry_lock);
    }

    QLIST_FOREACH_SAFE(r, &done, node, next) {
        QLIST_REMOVE(r, node);
        QLIST_INSERT_HEAD(&registry, r, node);
    }
}

void synchronize_rcu(void)
{
    /* We would wait for ourselves. */
    assert(rcu_reader.depth == 0);

    QEMU_LOCK_GUARD(&rcu_sync_lock);
    /*
     * The caller's unpublishing stores must be visible before the new
     * counter value: a reader that sees the new value must also see the
     * new pointers.  Pairs with rcu_read_side_mb in rcu_read_lock.
     */
    smp_mb_global();

    QEMU_LOCK_GUARD(&rcu_registry_lock);
    if (QLIST_EMPTY(&registry)) {
        return;
    }
    /*
     * 64 bits never wrap, so one phase suffices where QEMU needs two on
     * hosts with a 32-bit counter.
     */
    qatomic_set(&rcu_gp_ctr, rcu_gp_ctr + 1);
    wait_for_readers();
}

/* ---- call_rcu ------------------------------------------------------- */

/* A grace period is worth waiting a little for this many callbacks. */
#define RCU_CALL_MIN_BATCH   16
#define RCU_CALL_BATCH_TRIES 5      /* waits of 1 ms each */

/* Lock-free LIFO of queued callbacks; the thread takes it whole. */
static QSLIST_HEAD(, rcu_head) rcu_pending =
    QSLIST_HEAD_INITIALIZER(rcu_pending);
/* Upper bound on the length of rcu_pending, for the batching heuristic. */
static unsigned rcu_pending_count;
static QemuEvent rcu_call_ready_event;
/* Callers inside drain_call_rcu: do not hold batches back for them. */
static unsigned rcu_draining;
static pthread_once_t rcu_call_once = PTHREAD_ONCE_INIT;
static __thread bool in_call_rcu_thread;

static void wait_for_callbacks(void)
{
    while (!qatomic_read(&rcu_pending.slh_first)) {
        qemu_event_reset(&rcu_call_ready_event);
        /*
         * Re-check after the reset: a push we miss here comes after the
         * reset and sets the event.  Pairs with qemu_event_set in
         * call_rcu1.
         */
        if (!qatomic_read(&rcu_pending.slh_first)) {
            qemu_event_wait(&rcu_call_ready_event);
        }
    }
}

static void *call_rcu_thread(void *opaque)
{
    in_call_rcu_thread = true;
    /* Callbacks may use rcu_read_lock. */
    rcu_register_thread();

    for (;;) {
        QSLIST_HEAD(, rcu_head) batch, fifo = QSLIST_HEAD_INITIALIZER(fifo);
        struct rcu_head *head;
        unsigned n = 0;

        wait_for_callbacks();
        for (int tries = 0; tries < RCU_CALL_BATCH_TRIES &&
             qatomic_read(&rcu_pending_count) < RCU_CALL_MIN_BATCH &&
             !qatomic_read(&rcu_draining); tries++) {
            g_usleep(1000);
        }

        /*
         * Everything taken here was queued before the grace period below
         * starts.  The xchg pairs with the cmpxchg in call_rcu1, so the
         * links and func of each head are visible.
         */
        QSLIST_MOVE_ATOMIC(&batch, &rcu_pending);
        synchronize_rcu();

        /* The stack is newest first; run in queueing order. */
        while ((head = QSLIST_FIRST(&batch)) != NULL) {
            QSLIST_REMOVE_HEAD(&batch, next);
            QSLIST_INSERT_HEAD(&fifo, head, next);
            n++;
        }
        while ((head = QSLIST_FIRST(&fifo)) != NULL) {
            QSLIST_REMOVE_HEAD(&fifo, next);
            head->func(head);
        }
        qatomic_sub(&rcu_pending_count, n);
    }
    return NULL;
}

static void start_call_rcu_thread(void)
{
    QemuThread thread;

    qemu_thread_create(&thread, "call_rcu", call_rcu_thread, NULL,
                       QEMU_THREAD_DETACHED);
}

void call_rcu1(struct rcu_head *head, RCUCBFunc *func)
{
    pthread_once(&rcu_call_once, start_call_rcu_thread);
    head->func = func;
    /* Counted first so the thread never subtracts more than was added. */
    qatomic_inc(&rcu_pending_count);
    QSLIST_INSERT_HEAD_ATOMIC(&rcu_pending, head, next);
    /* Pairs with qemu_event_reset in wait_for_callbacks. */
    qemu_event_set(&rcu_call_ready_event);
}

void rcu_g_free(struct rcu_head *head)
{
    g_free(head);
}

typedef struct RCUDrain {
    struct rcu_head rcu;
    QemuEvent done;
} RCUDrain;

static void drain_call_rcu_cb(struct rcu_head *head)
{
    RCUDrain *d = container_of(head, RCUDrain, rcu);

    qemu_event_set(&d->done);
}

void drain_call_rcu(void)
{
    RCUDrain d;

    /* The callback that would wake us runs on this thread. */
    assert(!in_call_rcu_thread);
    assert(rcu_reader.depth == 0);

    /*
     * Callbacks run in queueing order, so ours runs after every callback
     * queued before it, by any thread.
     */
    qemu_event_init(&d.done, false);
    qatomic_inc(&rcu_draining);
    call_rcu1(&d.rcu, drain_call_rcu_cb);
    qemu_event_wait(&d.done);
    qatomic_dec(&rcu_draining);
    qemu_event_destroy(&d.done);
}

/* Before main, so that the locks exist and the main thread is a reader. */
static void __attribute__((constructor)) rcu_init(void)
{
    qemu_mutex_init(&rcu_sync_lock);
    qemu_mutex_init(&rcu_registry_lock);
    qemu_event_init(&rcu_gp_event, true);
    qemu_event_init(&rcu_call_ready_event, false);
    membarrier_init();
    rcu_register_thread();
}
