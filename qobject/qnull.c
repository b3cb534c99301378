/*
 * QNull: the JSON null, a statically allocated singleton.
 * Corresponds to QEMU's qobject/qnull.c.
 */
#include "qcore/osdep.h"
#include "qcore/qobject.h"

/*
 * The count starts at 1 for the static reference, so no amount of
 * balanced ref/unref ever reaches zero.  qnull() (in qcore/qobject.h)
 * hands out references to it.
 */
QNull qnull_ = {
    .base = { .type = QTYPE_QNULL, .refcnt = 1 },
};
