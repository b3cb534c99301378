/*
 * Module init phases: functions registered before main() by constructors
 * and run, phase by phase, when main() asks.  Corresponds to QEMU's
 * include/qemu/module.h and util/module.c (qcore has no loadable modules).
 *
 * Registration runs in ELF constructors, so it needs no lock; running a
 * phase (module_call_init) happens in the main thread before other threads
 * exist, or with the BQL held.
 *
 * Beware of static libraries: a constructor only runs if the linker pulled
 * its object file into the binary, i.e. if something else in that file is
 * referenced.  Keep a type_init() next to the functions its users call.
 */
#ifndef QCORE_MODULE_H
#define QCORE_MODULE_H

#include "qcore/osdep.h"

typedef enum module_init_type {
    MODULE_INIT_MIGRATION,
    MODULE_INIT_BLOCK,
    MODULE_INIT_OPTS,
    MODULE_INIT_QOM,
    MODULE_INIT_MAX
} module_init_type;

/*
 * Queue @fn to run when phase @type is initialised.  Functions of a phase
 * run in the order they were registered.  Called from constructors.
 */
void register_module_init(void (*fn)(void), module_init_type type);

/*
 * Run the functions of phase @type.  Each phase runs once: later calls
 * are no-ops, so library code and tests may call it defensively.
 */
void module_call_init(module_init_type type);

#define module_init(function, type)                                     \
static void __attribute__((constructor)) do_qcore_init_ ## function(void) \
{                                                                       \
    register_module_init(function, type);                               \
}

#define block_init(function) module_init(function, MODULE_INIT_BLOCK)
#define opts_init(function) module_init(function, MODULE_INIT_OPTS)
/* Register QOM types: @function calls type_register_static(). */
#define type_init(function) module_init(function, MODULE_INIT_QOM)

#endif
