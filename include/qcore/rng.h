/*
 * Random number backends for virtio-rng: -object rng-random,filename=F
 * (a host file, /dev/urandom by default) and -object rng-builtin (the
 * host's getrandom).  Corresponds to QEMU's include/sysemu/rng.h,
 * backends/rng.c, rng-random.c and rng-builtin.c, with a synchronous
 * interface: the device asks for bytes and gets what is there now.
 */
#ifndef QCORE_RNG_H
#define QCORE_RNG_H

#include "qcore/object.h"

#define TYPE_RNG_BACKEND "rng-backend"
#define TYPE_RNG_RANDOM "rng-random"
#define TYPE_RNG_BUILTIN "rng-builtin"

typedef struct RngBackend RngBackend;

/*
 * Fill up to @len bytes of @buf without blocking; returns how many (0:
 * none available now).  Any thread (the device's AioContext): the
 * backends keep no state that changes after creation.
 */
size_t rng_backend_fill(RngBackend *s, void *buf, size_t len);

#define RNG_BACKEND(obj) OBJECT_CHECK(RngBackend, (obj), TYPE_RNG_BACKEND)

#endif
