/*
 * Module init phases: lists of functions filled by constructors before
 * main() and run by module_call_init().  Corresponds to QEMU's
 * util/module.c without the loadable-module half.
 */
#include "qcore/osdep.h"
#include "qcore/module.h"

/*
 * Filled by constructors (single-threaded, before main) and run by the
 * main thread before it starts other threads: no lock needed.
 */
static GSList *init_fns[MODULE_INIT_MAX];   /* prepended: reverse order */
static bool init_done[MODULE_INIT_MAX];

void register_module_init(void (*fn)(void), module_init_type type)
{
    assert(type < MODULE_INIT_MAX);
    init_fns[type] = g_slist_prepend(init_fns[type], (gpointer)fn);
}

void module_call_init(module_init_type type)
{
    GSList *fns;

    assert(type < MODULE_INIT_MAX);
    if (init_done[type]) {
        return;
    }
    /* Mark first: a function of the phase may itself call us. */
    init_done[type] = true;

    fns = g_slist_reverse(g_slist_copy(init_fns[type]));
    for (GSList *l = fns; l; l = l->next) {
        void (*fn)(void) = (void (*)(void))l->data;
        fn();
    }
    g_slist_free(fns);
}
