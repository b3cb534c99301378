/*
 * The table of each device's interrupt lines, for qtest; see
 * include/qcore/hw/qdev-gpio.h.  Corresponds to the GPIO list handling of
 * QEMU's hw/core/gpio.c (there the lists hang off DeviceState).
 */
#include "qcore/osdep.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/main-loop.h"

/* Object * -> NamedGPIOList *; BQL.  An entry lives until unparent. */
static GHashTable *gpio_lists;

static void gpio_list_free(gpointer p)
{
    NamedGPIOList *ngl = p;

    g_ptr_array_free(ngl->out, true);
    g_free(ngl);
}

static NamedGPIOList *gpio_list_get(Object *dev)
{
    NamedGPIOList *ngl;

    assert_bql_held();
    if (!gpio_lists) {
        gpio_lists = g_hash_table_new_full(NULL, NULL, NULL, gpio_list_free);
    }
    ngl = g_hash_table_lookup(gpio_lists, dev);
    if (!ngl) {
        ngl = g_new0(NamedGPIOList, 1);
        ngl->out = g_ptr_array_new();
        g_hash_table_insert(gpio_lists, dev, ngl);
    }
    return ngl;
}

void qdev_init_gpio_in_lines(Object *dev, qemu_irq *in, int n)
{
    NamedGPIOList *ngl = gpio_list_get(dev);

    g_assert(!ngl->in);
    ngl->in = in;
    ngl->num_in = n;
}

void qdev_init_gpio_out_pin(Object *dev, qemu_irq *pin)
{
    g_ptr_array_add(gpio_list_get(dev)->out, pin);
}

NamedGPIOList *qdev_get_gpio_list(Object *dev)
{
    assert_bql_held();
    return gpio_lists ? g_hash_table_lookup(gpio_lists, dev) : NULL;
}

void qdev_gpio_cleanup(Object *dev)
{
    assert_bql_held();
    if (gpio_lists) {
        g_hash_table_remove(gpio_lists, dev);
    }
}
