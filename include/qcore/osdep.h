/*
 * Common includes and small macros every qcore file starts with.
 * Corresponds to QEMU's include/qemu/osdep.h and include/qemu/compiler.h.
 */
#ifndef QCORE_OSDEP_H
#define QCORE_OSDEP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#define QEMU_BUILD_BUG_ON(x) _Static_assert(!(x), #x)

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define QEMU_NORETURN      __attribute__((noreturn))
#define QEMU_PACKED        __attribute__((packed))
#define G_NORETURN_PRINTF  __attribute__((noreturn, format(printf, 1, 2)))
#define QEMU_ALWAYS_INLINE __attribute__((always_inline))

#define NANOSECONDS_PER_SECOND 1000000000LL
#define SCALE_NS 1
#define SCALE_US 1000
#define SCALE_MS 1000000

/* Marks functions that may only be called from coroutine context. */
#define coroutine_fn
/* Marks functions that may be called from coroutine or plain context. */
#define coroutine_mixed_fn

#endif
