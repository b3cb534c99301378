/*
 * The shape of a user-given id, shared by every layer that takes one.
 * Corresponds to QEMU's util/id.c (id_wellformed; qcore generates no ids
 * here).
 */
#include "qcore/osdep.h"
#include "qcore/id.h"

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}
