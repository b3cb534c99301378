/*
 * Coroutine backend with a hand-written context switch
 * (coroutine-switch-x86_64.S, coroutine-switch-aarch64.S).  Plays the
 * part of QEMU's util/coroutine-ucontext.c: allocation, the thread's
 * leader, and the sanitizer bookkeeping around each switch.
 */
#include "qcore/osdep.h"
#include "qcore/coroutine-int.h"

#ifdef CONFIG_SANITIZE_ADDRESS
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CONFIG_SANITIZE_THREAD
#include <sanitizer/tsan_interface.h>
#endif

typedef struct CoroutineAsm {
    Coroutine base;
    void *sp;                   /* saved stack pointer while switched out */
    void *stack;                /* lowest usable address */
    size_t stack_size;
#ifdef CONFIG_SANITIZE_ADDRESS
    void *fake_stack;
#endif
#ifdef CONFIG_SANITIZE_THREAD
    void *tsan_fiber;
#endif
} CoroutineAsm;

#define HIDDEN __attribute__((visibility("hidden")))

/* In coroutine-switch-$cpu.S. */
HIDDEN uintptr_t qcore_coroutine_swap(void **save_sp, void *new_sp,
                                      uintptr_t ret);
HIDDEN void qcore_coroutine_trampoline(void);
/* Called by the trampoline; never returns. */
HIDDEN void QEMU_NORETURN coroutine_asm_entry(CoroutineAsm *self);

/*
 * The coroutine running in this thread, and the thread's leader: the
 * pseudo-coroutine standing for the thread's own stack, which enters the
 * first real coroutine and is what it yields back to.
 */
QEMU_DEFINE_STATIC_CO_TLS(Coroutine *, current)
QEMU_DEFINE_STATIC_CO_TLS(CoroutineAsm, leader)

static inline void asan_start_switch(CoroutineAsm *from, CoroutineAsm *to)
{
#ifdef CONFIG_SANITIZE_ADDRESS
    /*
     * Always save the fake stack, even when @from terminates: a pooled
     * coroutine resumes in this very frame when it is reused.
     */
    __sanitizer_start_switch_fiber(&from->fake_stack, to->stack,
                                   to->stack_size);
#endif
}

static inline void asan_finish_switch(CoroutineAsm *self)
{
#ifdef CONFIG_SANITIZE_ADDRESS
    __sanitizer_finish_switch_fiber(self ? self->fake_stack : NULL,
                                    NULL, NULL);
#endif
}

static inline void tsan_switch(CoroutineAsm *to)
{
#ifdef CONFIG_SANITIZE_THREAD
    /* Synchronising switch: what @from did happens before @to runs. */
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
}

void coroutine_asm_entry(CoroutineAsm *self)
{
    Coroutine *co = &self->base;

    asan_finish_switch(NULL);
    /*
     * Each pass is one life of the coroutine.  After TERMINATE the pool
     * keeps it; qemu_coroutine_create sets a new entry and the next
     * enter resumes the switch below, which starts the next pass.
     */
    for (;;) {
        co->entry(co->entry_arg);
        qemu_coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

static void init_frame(CoroutineAsm *co)
{
    uintptr_t top = ((uintptr_t)co->stack + co->stack_size) & ~(uintptr_t)15;
    uint64_t *frame;

#if defined(__x86_64__)
    /*
     * Seven words popped by qcore_coroutine_swap, with 16 bytes of zeros
     * above: after its `ret` into the trampoline rsp is 16-aligned, so
     * the trampoline's call gives coroutine_asm_entry the ABI alignment.
     */
    frame = (uint64_t *)(top - 16) - 7;
    memset(frame, 0, 9 * sizeof(uint64_t));
    frame[4] = (uintptr_t)co;                           /* rbx */
    frame[6] = (uintptr_t)qcore_coroutine_trampoline;   /* return address */
#elif defined(__aarch64__)
    /* Twenty words loaded by qcore_coroutine_swap; sp ends at top. */
    frame = (uint64_t *)top - 20;
    memset(frame, 0, 20 * sizeof(uint64_t));
    frame[0] = (uintptr_t)co;                           /* x19 */
    frame[11] = (uintptr_t)qcore_coroutine_trampoline;  /* x30 */
#else
#error "coroutine-asm.c: no context switch for this host; use ucontext"
#endif
    co->sp = frame;
}

Coroutine *qemu_coroutine_new(void)
{
    CoroutineAsm *co = g_new0(CoroutineAsm, 1);

    co->stack_size = COROUTINE_STACK_SIZE;
    co->stack = qemu_coroutine_stack_alloc(co->stack_size);
    init_frame(co);
#ifdef CONFIG_SANITIZE_THREAD
    co->tsan_fiber = __tsan_create_fiber(0);
#endif
    return &co->base;
}

void qemu_coroutine_delete(Coroutine *co_)
{
    CoroutineAsm *co = container_of(co_, CoroutineAsm, base);

#ifdef CONFIG_SANITIZE_THREAD
    __tsan_destroy_fiber(co->tsan_fiber);
#endif
    qemu_coroutine_stack_free(co->stack, co->stack_size);
    g_free(co);
}

CoroutineAction qemu_coroutine_switch(Coroutine *from_, Coroutine *to_,
                                      CoroutineAction action)
{
    CoroutineAsm *from = container_of(from_, CoroutineAsm, base);
    CoroutineAsm *to = container_of(to_, CoroutineAsm, base);
    CoroutineAction ret;

    set_current(to_);
    asan_start_switch(from, to);
    tsan_switch(to);
    ret = qcore_coroutine_swap(&from->sp, to->sp, action);
    /*
     * We are @from again, possibly in another thread: nothing below may
     * use a thread-local address computed above.
     */
    asan_finish_switch(from);
    return ret;
}

static void leader_init(CoroutineAsm *leader)
{
#ifdef CONFIG_SANITIZE_ADDRESS
    pthread_attr_t attr;

    /* ASan needs the bounds of the stack we switch back to. */
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &leader->stack, &leader->stack_size);
        pthread_attr_destroy(&attr);
    }
#endif
#ifdef CONFIG_SANITIZE_THREAD
    leader->tsan_fiber = __tsan_get_current_fiber();
#endif
    (void)leader;
}

Coroutine *qemu_coroutine_self(void)
{
    Coroutine *self = get_current();

    if (!self) {
        CoroutineAsm *leader = get_ptr_leader();

        leader_init(leader);
        self = &leader->base;
        set_current(self);
    }
    return self;
}

bool qemu_in_coroutine(void)
{
    Coroutine *self = get_current();

    return self && self->caller;
}
