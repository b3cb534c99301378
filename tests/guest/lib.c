/* lib.c - UART, printf-lite, exit, memory helpers and default handlers. */
#include "runtime.h"

#define UART_RBR 0      /* receive buffer (read) */
#define UART_THR 0      /* transmit holding (write) */
#define UART_LSR 5      /* line status */
#define LSR_DR   0x01   /* data ready */
#define LSR_THRE 0x20   /* transmit holding register empty */

static spinlock_t print_lock;

void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
        while (l->locked) {
            cpu_relax();
        }
    }
}

void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

void uart_putc(char c)
{
    while (!(mmio_read8(VIRT_UART0 + UART_LSR) & LSR_THRE)) {
        cpu_relax();
    }
    mmio_write8(VIRT_UART0 + UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
    if (mmio_read8(VIRT_UART0 + UART_LSR) & LSR_DR) {
        return mmio_read8(VIRT_UART0 + UART_RBR);
    }
    return -1;
}

static void puts_raw(const char *s)
{
    while (*s) {
        uart_putc(*s++);
    }
}

void puts_nolf(const char *s)
{
    spin_lock(&print_lock);
    puts_raw(s);
    spin_unlock(&print_lock);
}

void puts(const char *s)
{
    spin_lock(&print_lock);
    puts_raw(s);
    uart_putc('\n');
    spin_unlock(&print_lock);
}

static void put_num(unsigned long v, unsigned base, int neg, int width, char pad)
{
    char buf[24];
    int n = 0;

    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg && pad == '0') {
        uart_putc('-');
    }
    for (int w = n + neg; w < width; w++) {
        uart_putc(pad);
    }
    if (neg && pad != '0') {
        uart_putc('-');
    }
    while (n) {
        uart_putc(buf[--n]);
    }
}

void vprintf(const char *fmt, va_list ap)
{
    spin_lock(&print_lock);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0, left = 0;
        if (*fmt == '-') {
            left = 1;
            fmt++;
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0,
                    width, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long v = lng ? va_arg(ap, unsigned long)
                                  : va_arg(ap, unsigned int);
            put_num(v, *fmt == 'x' ? 16 : 10, 0, width, pad);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            for (const char *p = s; *p; p++) {
                n++;
            }
            for (; !left && n < width; n++) {
                uart_putc(' ');
            }
            puts_raw(s);
            for (; left && n < width; n++) {
                uart_putc(' ');
            }
            break;
        }
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case '%':
            uart_putc('%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            uart_putc('%');
            uart_putc(*fmt);
            break;
        }
    }
    spin_unlock(&print_lock);
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void exit(int code)
{
    fence();
    mmio_write32(VIRT_TEST, code == 0 ? TEST_PASS
                                      : ((uint32_t)code << 16) | TEST_FAIL);
    for (;;) {
        wfi();
    }
}

void delay_ticks(uint64_t ticks)
{
    uint64_t end = mtime() + ticks;
    while (mtime() < end) {
        cpu_relax();
    }
}

void *memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d;   /* volatile: keep gcc from calling memset */
    while (n--) {
        *p++ = (unsigned char)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}

static void report_unexpected(const char *mode, struct trapframe *tf)
{
    printf("unexpected %s trap: cause 0x%lx epc 0x%lx tval 0x%lx\n",
           mode, tf->cause, tf->epc, tf->tval);
    exit(1);
}

__attribute__((weak)) void m_trap(struct trapframe *tf)
{
    report_unexpected("M-mode", tf);
}

__attribute__((weak)) void s_trap(struct trapframe *tf)
{
    report_unexpected("S-mode", tf);
}

__attribute__((weak)) void secondary_main(unsigned long hartid, unsigned long dtb)
{
    (void)hartid;
    (void)dtb;
    for (;;) {
        wfi();
    }
}
