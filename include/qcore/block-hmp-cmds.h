/*
 * HMP's "info block" and "info blockstats" (block/block-hmp-cmds.c), for
 * the HMP command table.  Corresponds to QEMU's
 * include/block/block-hmp-cmds.h.
 */
#ifndef QCORE_BLOCK_HMP_CMDS_H
#define QCORE_BLOCK_HMP_CMDS_H

#include "qcore/qobject.h"

typedef struct Monitor Monitor;

void hmp_info_block(Monitor *mon, const QDict *qdict);
void hmp_info_blockstats(Monitor *mon, const QDict *qdict);

#endif
