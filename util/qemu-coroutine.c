/*
 * Coroutine life cycle: create, enter, yield, terminate, and the stack pool.
 * Corresponds to QEMU's util/qemu-coroutine.c; the context switch itself
 * lives in a backend (coroutine-asm.c or coroutine-ucontext.c).
 */
#include "qcore/osdep.h"
#include "qcore/atomic.h"
#include "qcore/aio.h"
#include "qcore/coroutine-int.h"
#include <pthread.h>
#include <sys/mman.h>

#ifdef CONFIG_SANITIZE_ADDRESS
#include <sanitizer/asan_interface.h>
#endif

/*
 * The pool.  Creating a coroutine means an mmap'd stack and, for the
 * backends, a first switch to build the initial frame; finished
 * coroutines are therefore kept and restarted.  Each thread keeps up to
 * POOL_LOCAL_MAX in a private list (no atomics on the common path).  A
 * thread that finishes more than it creates (say, an IOThread completing
 * requests started elsewhere) spills into a global list that any thread
 * refills from when its own runs dry.  The global list is only ever
 * pushed one element at a time and emptied as a whole, so the lock-free
 * operations never see the ABA problem of a popping stack.
 */
enum {
    POOL_LOCAL_MAX = 64,
    POOL_GLOBAL_MAX = 256,
};

typedef struct CoroutinePool {
    QSLIST_HEAD(, Coroutine) list;
    unsigned size;
    bool registered;            /* thread-exit destructor armed */
} CoroutinePool;

QEMU_DEFINE_STATIC_CO_TLS(CoroutinePool, alloc_pool)

static QSLIST_HEAD(, Coroutine) release_pool;
static unsigned release_pool_size;      /* approximate; atomic */

static pthread_key_t pool_key;
static pthread_once_t pool_key_once = PTHREAD_ONCE_INIT;

static uint64_t stats_allocated, stats_freed, stats_reused;

static void pool_thread_exit(void *opaque)
{
    CoroutinePool *pool = opaque;
    Coroutine *co;

    while ((co = QSLIST_FIRST(&pool->list))) {
        QSLIST_REMOVE_HEAD(&pool->list, pool_next);
        qatomic_inc(&stats_freed);
        qemu_coroutine_delete(co);
    }
    pool->size = 0;
}

static void pool_key_init(void)
{
    pthread_key_create(&pool_key, pool_thread_exit);
}

static Coroutine *pool_get(void)
{
    CoroutinePool *pool = get_ptr_alloc_pool();
    Coroutine *co;

    if (QSLIST_EMPTY(&pool->list) && qatomic_read(&release_pool_size)) {
        unsigned n = 0;

        /*
         * Take the whole global list.  The xchg pairs with the cmpxchg
         * in pool_put: the pool_next links of every element we take
         * were written before that element was published.
         */
        QSLIST_MOVE_ATOMIC(&pool->list, &release_pool);
        QSLIST_FOREACH(co, &pool->list, pool_next) {
            n++;
        }
        qatomic_sub(&release_pool_size, n);
        pool->size = n;
    }

    co = QSLIST_FIRST(&pool->list);
    if (co) {
        QSLIST_REMOVE_HEAD(&pool->list, pool_next);
        pool->size--;
        qatomic_inc(&stats_reused);
    }
    return co;
}

static void pool_put(Coroutine *co)
{
    CoroutinePool *pool = get_ptr_alloc_pool();

    if (pool->size < POOL_LOCAL_MAX) {
        if (!pool->registered) {
            pthread_once(&pool_key_once, pool_key_init);
            pthread_setspecific(pool_key, pool);
            pool->registered = true;
        }
        QSLIST_INSERT_HEAD(&pool->list, co, pool_next);
        pool->size++;
        return;
    }
    if (qatomic_read(&release_pool_size) < POOL_GLOBAL_MAX) {
        /*
         * Count before publishing so that the count never goes negative
         * in pool_get, which subtracts what it actually took.
         */
        qatomic_inc(&release_pool_size);
        QSLIST_INSERT_HEAD_ATOMIC(&release_pool, co, pool_next);
        return;
    }
    qatomic_inc(&stats_freed);
    qemu_coroutine_delete(co);
}

void qemu_coroutine_pool_stats(CoroutinePoolStats *stats)
{
    stats->allocated = qatomic_read(&stats_allocated);
    stats->freed = qatomic_read(&stats_freed);
    stats->reused = qatomic_read(&stats_reused);
}

static size_t host_page_size(void)
{
    return sysconf(_SC_PAGESIZE);
}

void *qemu_coroutine_stack_alloc(size_t size)
{
    size_t page = host_page_size();
    void *map;

    /* The guard page below catches a stack overflow with SIGSEGV. */
    map = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) {
        fprintf(stderr, "qcore: cannot allocate coroutine stack: %s\n",
                strerror(errno));
        abort();
    }
    if (mprotect(map, page, PROT_NONE) < 0) {
        fprintf(stderr, "qcore: cannot protect coroutine stack guard: %s\n",
                strerror(errno));
        abort();
    }
    return (char *)map + page;
}

void qemu_coroutine_stack_free(void *stack, size_t size)
{
    size_t page = host_page_size();

#ifdef CONFIG_SANITIZE_ADDRESS
    /*
     * Frames left on the stack keep their redzones poisoned; a later
     * mapping at the same address must not inherit them.
     */
    ASAN_UNPOISON_MEMORY_REGION(stack, size);
#endif
    munmap((char *)stack - page, size + page);
}

Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque)
{
    Coroutine *co = pool_get();

    if (!co) {
        co = qemu_coroutine_new();
        qatomic_inc(&stats_allocated);
    }
    co->entry = entry;
    co->entry_arg = opaque;
    co->caller = NULL;
    co->locks_held = 0;
    co->scheduled = NULL;
    co->ctx = NULL;
    QSIMPLEQ_INIT(&co->co_queue_wakeup);
    return co;
}

/* Put @list in front of @head, keeping both orders. */
#define co_queue_prepend(head, list) do {                               \
    if (!QSIMPLEQ_EMPTY(list)) {                                        \
        *(list)->sqh_last = (head)->sqh_first;                          \
        if (QSIMPLEQ_EMPTY(head)) {                                     \
            (head)->sqh_last = (list)->sqh_last;                        \
        }                                                               \
        (head)->sqh_first = (list)->sqh_first;                          \
        QSIMPLEQ_INIT(list);                                            \
    }                                                                   \
} while (0)

void qemu_aio_coroutine_enter(AioContext *ctx, Coroutine *co)
{
    QSIMPLEQ_HEAD(, Coroutine) pending = QSIMPLEQ_HEAD_INITIALIZER(pending);
    Coroutine *self = qemu_coroutine_self();

    /*
     * Entering @co may wake others (aio_co_wake from inside a coroutine
     * queues them on the waker's co_queue_wakeup); they run here, once
     * the waker has yielded, so that no coroutine is ever entered while
     * the one that woke it is still on the stack above it.
     */
    QSIMPLEQ_INSERT_TAIL(&pending, co, co_queue_next);
    while (!QSIMPLEQ_EMPTY(&pending)) {
        Coroutine *to = QSIMPLEQ_FIRST(&pending);
        const char *scheduled;
        CoroutineAction ret;

        QSIMPLEQ_REMOVE_HEAD(&pending, co_queue_next);

        /*
         * Acquire: pairs with the release that cleared to->scheduled
         * (the co_schedule BH, qemu_co_sleep_wake) in another thread.
         */
        scheduled = qatomic_load_acquire(&to->scheduled);
        if (scheduled) {
            fprintf(stderr, "qcore: qemu_aio_coroutine_enter: coroutine %p "
                    "entered while scheduled by '%s'\n", (void *)to,
                    scheduled);
            abort();
        }
        if (to->caller) {
            fprintf(stderr, "qcore: qemu_aio_coroutine_enter: coroutine %p "
                    "re-entered while it is running\n", (void *)to);
            abort();
        }

        to->caller = self;
        /*
         * No barrier: this store is sequenced before anything @to does
         * to make itself known to other threads (a CoMutex push, an
         * aio_co_schedule), all of which are release operations; whoever
         * reads to->ctx from another thread acquired @to through one of
         * them.
         */
        qatomic_set(&to->ctx, ctx);

        ret = qemu_coroutine_switch(self, to, COROUTINE_ENTER);

        /* Depth first: whom @to woke runs before our older pending. */
        co_queue_prepend(&pending, &to->co_queue_wakeup);

        switch (ret) {
        case COROUTINE_YIELD:
            break;
        case COROUTINE_TERMINATE:
            if (to->locks_held) {
                fprintf(stderr, "qcore: coroutine %p terminated holding "
                        "%zu CoMutex locks\n", (void *)to, to->locks_held);
                abort();
            }
            to->caller = NULL;
            pool_put(to);
            break;
        default:
            abort();
        }
    }
}

void qemu_coroutine_enter(Coroutine *co)
{
    qemu_aio_coroutine_enter(qemu_get_current_aio_context(), co);
}

void qemu_coroutine_enter_if_inactive(Coroutine *co)
{
    if (!qemu_coroutine_entered(co)) {
        qemu_coroutine_enter(co);
    }
}

void coroutine_fn qemu_coroutine_yield(void)
{
    Coroutine *self = qemu_coroutine_self();
    Coroutine *to = self->caller;

    if (!to) {
        fprintf(stderr, "qcore: qemu_coroutine_yield: not in a coroutine\n");
        abort();
    }
    /*
     * Once caller is NULL we may be entered again, but only by our
     * AioContext's thread, which is this one and busy until the switch
     * below: wakers in other threads go through aio_co_schedule.
     */
    self->caller = NULL;
    qemu_coroutine_switch(self, to, COROUTINE_YIELD);
}

bool qemu_coroutine_entered(Coroutine *co)
{
    return co->caller != NULL;
}

AioContext *qemu_coroutine_get_aio_context(Coroutine *co)
{
    return qatomic_read(&co->ctx);
}
