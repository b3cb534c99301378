/*
 * Portable coroutine backend: makecontext/swapcontext build a coroutine's
 * first frame, sigsetjmp/siglongjmp do every later switch (swapcontext
 * costs a sigprocmask system call, siglongjmp with savesigs=0 does not).
 * Corresponds to QEMU's util/coroutine-ucontext.c.
 */
#include "qcore/osdep.h"
#include "qcore/coroutine-int.h"
#include <setjmp.h>
#include <ucontext.h>

#ifdef CONFIG_SANITIZE_ADDRESS
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CONFIG_SANITIZE_THREAD
#include <sanitizer/tsan_interface.h>
#endif

typedef struct CoroutineUContext {
    Coroutine base;
    sigjmp_buf env;             /* where to resume this coroutine */
    void *stack;
    size_t stack_size;
    void *fake_stack;           /* ASan's, saved across a switch */
    void *tsan_fiber;
    /* Where qemu_coroutine_new runs (a coroutine or the leader). */
    struct CoroutineUContext *creator;
    sigjmp_buf *creator_env;
} CoroutineUContext;

QEMU_DEFINE_STATIC_CO_TLS(Coroutine *, current)
QEMU_DEFINE_STATIC_CO_TLS(CoroutineUContext, leader)

/* makecontext passes int arguments only; a pointer travels in two. */
union cc_arg {
    void *p;
    int i[2];
};

static inline void asan_start_switch(void **fake_stack_save, void *bottom,
                                     size_t size)
{
#ifdef CONFIG_SANITIZE_ADDRESS
    __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#endif
}

static inline void asan_finish_switch(void *fake_stack)
{
#ifdef CONFIG_SANITIZE_ADDRESS
    __sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#endif
}

static inline void tsan_switch(void *fiber)
{
#ifdef CONFIG_SANITIZE_THREAD
    /* Synchronising switch: what the old fiber did happens before. */
    __tsan_switch_to_fiber(fiber, 0);
#endif
}

static void coroutine_trampoline(int i0, int i1)
{
    union cc_arg arg = { .i = { i0, i1 } };
    CoroutineUContext *self = arg.p;
    Coroutine *co = &self->base;

    asan_finish_switch(NULL);

    /*
     * Record where the coroutine starts, then go straight back to
     * qemu_coroutine_new; the first qemu_coroutine_switch to us returns
     * from this sigsetjmp.
     */
    if (!sigsetjmp(self->env, 0)) {
        asan_start_switch(&self->fake_stack, self->creator->stack,
                          self->creator->stack_size);
        tsan_switch(self->creator->tsan_fiber);
        siglongjmp(*self->creator_env, 1);
    }
    asan_finish_switch(self->fake_stack);

    /* One pass per life of the coroutine; see coroutine-int.h. */
    for (;;) {
        co->entry(co->entry_arg);
        qemu_coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

static void leader_init(CoroutineUContext *leader)
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

Coroutine *qemu_coroutine_new(void)
{
    CoroutineUContext *co = g_new0(CoroutineUContext, 1);
    ucontext_t old_uc, uc;
    sigjmp_buf old_env;
    union cc_arg arg = { 0 };
    void *fake_stack_save = NULL;

    /* The trampoline switches back to us; it needs our stack and fiber. */
    co->creator = container_of(qemu_coroutine_self(), CoroutineUContext,
                               base);

    if (getcontext(&uc) < 0) {
        fprintf(stderr, "qcore: getcontext: %s\n", strerror(errno));
        abort();
    }
    co->stack_size = COROUTINE_STACK_SIZE;
    co->stack = qemu_coroutine_stack_alloc(co->stack_size);
    co->creator_env = &old_env;
    uc.uc_link = &old_uc;
    uc.uc_stack.ss_sp = co->stack;
    uc.uc_stack.ss_size = co->stack_size;
    uc.uc_stack.ss_flags = 0;
#ifdef CONFIG_SANITIZE_THREAD
    co->tsan_fiber = __tsan_create_fiber(0);
#endif

    arg.p = co;
    makecontext(&uc, (void (*)(void))coroutine_trampoline, 2,
                arg.i[0], arg.i[1]);

    if (!sigsetjmp(old_env, 0)) {
        asan_start_switch(&fake_stack_save, co->stack, co->stack_size);
        tsan_switch(co->tsan_fiber);
        swapcontext(&old_uc, &uc);
    }
    asan_finish_switch(fake_stack_save);
    co->creator = NULL;
    co->creator_env = NULL;
    return &co->base;
}

void qemu_coroutine_delete(Coroutine *co_)
{
    CoroutineUContext *co = container_of(co_, CoroutineUContext, base);

#ifdef CONFIG_SANITIZE_THREAD
    __tsan_destroy_fiber(co->tsan_fiber);
#endif
    qemu_coroutine_stack_free(co->stack, co->stack_size);
    g_free(co);
}

CoroutineAction qemu_coroutine_switch(Coroutine *from_, Coroutine *to_,
                                      CoroutineAction action)
{
    CoroutineUContext *from = container_of(from_, CoroutineUContext, base);
    CoroutineUContext *to = container_of(to_, CoroutineUContext, base);
    int ret;

    set_current(to_);
    ret = sigsetjmp(from->env, 0);
    if (ret == 0) {
        /*
         * Save the fake stack even on TERMINATE: a pooled coroutine
         * resumes in this very frame when it is reused.
         */
        asan_start_switch(&from->fake_stack, to->stack, to->stack_size);
        tsan_switch(to->tsan_fiber);
        siglongjmp(to->env, action);
    }
    /* Resumed, maybe in another thread: no cached thread-locals below. */
    asan_finish_switch(from->fake_stack);
    return ret;
}

Coroutine *qemu_coroutine_self(void)
{
    Coroutine *self = get_current();

    if (!self) {
        CoroutineUContext *leader = get_ptr_leader();

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
