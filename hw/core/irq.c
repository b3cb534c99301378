/*
 * Interrupt lines: a qemu_irq is a handler plus the opaque and line
 * number it is called with.  Corresponds to QEMU's hw/core/irq.c (there an
 * IRQState is a QOM object; here it is a plain struct, since nothing
 * looks lines up by path).
 *
 * A line has no state of its own: qemu_set_irq calls the handler every
 * time, even with an unchanged level, and the receiver decides what a
 * repeated level means (QEMU's semantics).  Lines are created and wired
 * under the BQL; qemu_set_irq runs in the caller's thread, normally with
 * the BQL held (see include/qcore/irq.h).
 */
#include "qcore/osdep.h"
#include "qcore/irq.h"

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *irqs = g_new0(qemu_irq, n);

    for (int i = 0; i < n; i++) {
        irqs[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return irqs;
}

void qemu_free_irq(qemu_irq irq)
{
    g_free(irq);
}

void qemu_free_irqs(qemu_irq *irqs, int n)
{
    if (!irqs) {
        return;
    }
    for (int i = 0; i < n; i++) {
        qemu_free_irq(irqs[i]);
    }
    g_free(irqs);
}

void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n)
{
    /*
     * Copies of the original lines, kept for good: the intercepted lines
     * point at them for as long as the device lives.
     */
    qemu_irq *old = qemu_allocate_irqs(NULL, NULL, n);

    for (int i = 0; i < n; i++) {
        *old[i] = *gpio_in[i];
        gpio_in[i]->handler = handler;
        gpio_in[i]->opaque = &old[i];
    }
}

void qemu_set_irq(qemu_irq irq, int level)
{
    /* An unconnected output (NULL) goes nowhere, as in QEMU. */
    if (!irq) {
        return;
    }
    irq->handler(irq->opaque, irq->n, level);
}
