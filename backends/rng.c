/*
 * rng-random and rng-builtin, the entropy sources -object creates for
 * virtio-rng.  Corresponds to QEMU's backends/rng.c, rng-random.c and
 * rng-builtin.c; see include/qcore/rng.h.  Created in the main thread
 * with the BQL; rng_backend_fill from the device's thread.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/object-interfaces.h"
#include "qcore/rng.h"
#include <fcntl.h>
#include <sys/random.h>

typedef struct RngBackendClass {
    ObjectClass parent_class;
    size_t (*fill)(RngBackend *s, void *buf, size_t len);
} RngBackendClass;

struct RngBackend {
    Object parent_obj;
    char *filename;             /* rng-random; set before complete */
    int fd;                     /* rng-random, after complete; -1 before */
};

#define RNG_BACKEND_GET_CLASS(obj) \
    OBJECT_GET_CLASS(RngBackendClass, (obj), TYPE_RNG_BACKEND)
#define RNG_BACKEND_CLASS(klass) \
    OBJECT_CLASS_CHECK(RngBackendClass, (klass), TYPE_RNG_BACKEND)

size_t rng_backend_fill(RngBackend *s, void *buf, size_t len)
{
    return RNG_BACKEND_GET_CLASS(s)->fill(s, buf, len);
}

static void rng_backend_init(Object *obj)
{
    RNG_BACKEND(obj)->fd = -1;
}

static void rng_backend_finalize(Object *obj)
{
    RngBackend *s = RNG_BACKEND(obj);

    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->filename);
}

/* ---- rng-random ----------------------------------------------------------- */

static size_t rng_random_fill(RngBackend *s, void *buf, size_t len)
{
    ssize_t n;

    do {
        n = read(s->fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n > 0 ? n : 0;
}

static char *rng_random_get_filename(Object *obj, Error **errp)
{
    return g_strdup(RNG_BACKEND(obj)->filename);
}

static void rng_random_set_filename(Object *obj, const char *value,
                                    Error **errp)
{
    RngBackend *s = RNG_BACKEND(obj);

    if (s->fd >= 0) {
        error_setg(errp, "Property 'filename' can no longer be set");
        return;
    }
    g_free(s->filename);
    s->filename = g_strdup(value);
}

static void rng_random_complete(UserCreatable *uc, Error **errp)
{
    RngBackend *s = RNG_BACKEND(uc);

    if (!s->filename) {
        error_setg(errp, "Parameter 'filename' is missing");
        return;
    }
    s->fd = open(s->filename, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        error_setg(errp, "Could not open '%s': %s", s->filename,
                   strerror(errno));
    }
}

static void rng_random_init(Object *obj)
{
    RNG_BACKEND(obj)->filename = g_strdup("/dev/urandom");
}

static void rng_random_class_init(ObjectClass *oc, const void *data)
{
    RNG_BACKEND_CLASS(oc)->fill = rng_random_fill;
    USER_CREATABLE_CLASS(oc)->complete = rng_random_complete;
    object_class_property_add_str(oc, "filename", rng_random_get_filename,
                                  rng_random_set_filename);
}

/* ---- rng-builtin ---------------------------------------------------------- */

static size_t rng_builtin_fill(RngBackend *s, void *buf, size_t len)
{
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);

    return n > 0 ? n : 0;
}

static void rng_builtin_class_init(ObjectClass *oc, const void *data)
{
    RNG_BACKEND_CLASS(oc)->fill = rng_builtin_fill;
}

static const TypeInfo rng_types[] = {
    {
        .name = TYPE_RNG_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(RngBackend),
        .instance_init = rng_backend_init,
        .instance_finalize = rng_backend_finalize,
        .class_size = sizeof(RngBackendClass),
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { NULL }
        },
    },
    {
        .name = TYPE_RNG_RANDOM,
        .parent = TYPE_RNG_BACKEND,
        .instance_init = rng_random_init,
        .class_init = rng_random_class_init,
    },
    {
        .name = TYPE_RNG_BUILTIN,
        .parent = TYPE_RNG_BACKEND,
        .class_init = rng_builtin_class_init,
    },
};

DEFINE_TYPES(rng_types)
