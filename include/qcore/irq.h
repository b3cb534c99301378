/*
 * Interrupt lines between devices: a qemu_irq is a handle whose level a
 * device sets and whose handler (in the receiving device or CPU) reacts.
 * Corresponds to QEMU's include/hw/irq.h and hw/core/irq.c.
 * qemu_set_irq runs the handler synchronously in the caller's thread;
 * devices call it with the BQL held.
 */
#ifndef QCORE_IRQ_H
#define QCORE_IRQ_H

#include "qcore/osdep.h"

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
/* @n lines numbered 0..n-1, all with the same handler and opaque. */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
void qemu_free_irqs(qemu_irq *irqs, int n);
void qemu_set_irq(qemu_irq irq, int level);
/*
 * Divert the @n input lines @gpio_in to @handler, which gets as opaque a
 * pointer to a qemu_irq that still reaches the original handler (call
 * qemu_set_irq on it to pass the level on).  For qtest; BQL held.
 */
void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

#endif
