/*
 * What a user-given id may look like (objects, netdevs, drives, block
 * nodes): a letter, then letters, digits, '-', '.' and '_'.
 * Corresponds to QEMU's include/qemu/id.h.
 */
#ifndef QCORE_ID_H
#define QCORE_ID_H

#include <stdbool.h>

bool id_wellformed(const char *id);

#endif
