/* runtime.h - the tiny runtime every guest program links with. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "regs.h"

#define csr_read(csr) ({ unsigned long __v; \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })

static inline uint8_t  mmio_read8(uintptr_t a)  { return *(volatile uint8_t *)a; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v)   { *(volatile uint8_t *)a = v; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("" ::: "memory"); }

struct trapframe {
    unsigned long x[32];            /* x[2] is sp at the time of the trap */
    unsigned long epc, status, cause, tval;
};
#define TF_A0 10
#define TF_A7 17
#define TF_RA 1

typedef unsigned long jmp_buf[14];
int setjmp(jmp_buf b) __attribute__((returns_twice));
void longjmp(jmp_buf b, int v) __attribute__((noreturn));

/* Trap handlers the program may provide (the defaults report and exit 1). */
void m_trap(struct trapframe *tf);
void s_trap(struct trapframe *tf);
void trap_entry(void);
void strap_entry(void);
void m_to_user(uintptr_t pc, uintptr_t usp, long arg) __attribute__((noreturn));
void s_to_user(uintptr_t pc, uintptr_t usp, long arg) __attribute__((noreturn));

/* main(hartid, dtb) runs on hart 0; its return value is the exit code. */
void secondary_main(unsigned long hartid, unsigned long dtb);

/* ns16550a UART */
void uart_putc(char c);
int uart_getc(void);                /* -1 when nothing is waiting */
void puts_nolf(const char *s);
void puts(const char *s);           /* adds "\n" */
/* printf-lite: %d %u %x %s %c %%, with l/ll, a width, '0' and '-' (strings) */
void printf(const char *fmt, ...);
void vprintf(const char *fmt, va_list ap);

/* sifive_test: 0 -> 0x5555 (pass), else (code << 16) | 0x3333 */
void exit(int code) __attribute__((noreturn));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* CLINT */
static inline uint64_t mtime(void) { return mmio_read64(CLINT_MTIME); }
static inline void set_mtimecmp(unsigned hart, uint64_t v) { mmio_write64(CLINT_MTIMECMP(hart), v); }
static inline void send_ipi(unsigned hart) { mmio_write32(CLINT_MSIP(hart), 1); }
static inline void clear_ipi(unsigned hart) { mmio_write32(CLINT_MSIP(hart), 0); }
/* busy-wait until mtime passes now + ticks (10 MHz) */
void delay_ticks(uint64_t ticks);

/* a simple spinlock (amoswap.w.aq / amoswap.w.rl) */
typedef struct { volatile int locked; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/* instruction length at pc (2 for compressed, 4 otherwise) */
static inline unsigned insn_len(uintptr_t pc)
{
    return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

#endif
