/*
 * A device's interrupt lines, findable from its QOM object: the inputs it
 * owns and the places where it keeps its outputs.  The part of QEMU's
 * qdev GPIO lists (include/hw/qdev-core.h, hw/core/gpio.c) that qtest's
 * irq_intercept_in/out and set_irq_in need; qcore devices are plain QOM
 * objects, so the lists live in a table keyed by the object.
 *
 * Lines are numbered in the order they were registered, as QEMU numbers
 * a device's unnamed GPIOs.  Everything here: main thread, BQL held.
 */
#ifndef QCORE_HW_QDEV_GPIO_H
#define QCORE_HW_QDEV_GPIO_H

#include "qcore/irq.h"
#include "qcore/object.h"

typedef struct NamedGPIOList {
    qemu_irq *in;           /* the device's input lines (it owns them) */
    int num_in;
    GPtrArray *out;         /* qemu_irq *: where each output is kept */
} NamedGPIOList;

/* @dev's input lines are @in[0..n-1] (QEMU's qdev_init_gpio_in). */
void qdev_init_gpio_in_lines(Object *dev, qemu_irq *in, int n);
/*
 * @dev drives its next output line through *@pin (QEMU's
 * qdev_init_gpio_out, one line at a time): whoever intercepts it
 * replaces *@pin.
 */
void qdev_init_gpio_out_pin(Object *dev, qemu_irq *pin);
/* @dev's lines, or NULL if it registered none.  Borrowed. */
NamedGPIOList *qdev_get_gpio_list(Object *dev);
/* Forget @dev's lines: call from the device's unparent hook. */
void qdev_gpio_cleanup(Object *dev);

#endif
