/*
 * cpu_relax(): the host's spin-wait hint, for loops that poll memory
 * another thread will write.  QEMU's include/qemu/processor.h.
 */
#ifndef QCORE_PROCESSOR_H
#define QCORE_PROCESSOR_H

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#else
    __atomic_signal_fence(__ATOMIC_SEQ_CST);    /* barrier() */
#endif
}

#endif
