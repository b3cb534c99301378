/*
 * The socket backend: a UNIX (path=) or TCP (host=, port=) stream socket,
 * listening (server=on) for one client at a time, or connecting to a
 * server, with reconnect=N seconds after a failure or a disconnect.
 * Corresponds to QEMU's chardev/char-socket.c (without telnet, TLS and
 * websockets).
 *
 * A server takes one client; further clients wait in the listen backlog
 * until the current one goes, then the next accept picks them up.  When
 * the peer goes (EOF, ECONNRESET, EPIPE) the frontend gets CHR_EVENT_CLOSED
 * and a server listens again.  wait=on (the default for a server) blocks
 * start-up until the first client connects, as in QEMU; everything after
 * that is non-blocking, including reconnect attempts.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/timer.h"
#include "qcore/yank.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct SocketChardev {
    Chardev parent;

    bool is_unix;
    bool is_listen;
    bool do_nodelay;
    char *path;                 /* unix */
    char *host;                 /* tcp, as given ("" = any / loopback) */
    char *port;                 /* tcp, as given */
    int family;                 /* AF_UNSPEC, or ipv4=on / ipv6=on */
    int64_t reconnect_s;        /* client: 0 = never */

    int listen_fd;              /* server */
    AioContext *listen_ctx;     /* where listen_fd is watched, or NULL */
    int fd;                     /* the connection, -1 if none */
    bool connected;
    int connecting_fd;          /* non-blocking connect() in progress */
    AioContext *connecting_ctx;
    QEMUTimer *reconnect_timer;
    bool yank_registered;       /* the "chardev" yank instance is ours */
} SocketChardev;

#define TYPE_CHARDEV_SOCKET "chardev-socket"
#define SOCKET_CHARDEV(obj) \
    OBJECT_CHECK(SocketChardev, (obj), TYPE_CHARDEV_SOCKET)

static void socket_try_connect(SocketChardev *s);

/* ---- yank -------------------------------------------------------------- */

#define CHARDEV_YANK_INSTANCE(label) \
    (&(YankInstance) { .type = YANK_INSTANCE_TYPE_CHARDEV, \
                       .u.chardev.id = (char *)(label) })

/*
 * Cut the connection (QMP yank, from the monitor I/O thread): the owner
 * then reads EOF and disconnects as if the peer had gone.  s->fd is
 * stable here: the function is unregistered, under the yank lock, before
 * the fd is closed.
 */
static void socket_yank(void *opaque)
{
    SocketChardev *s = opaque;

    shutdown(s->fd, SHUT_RDWR);
}

/* ---- names ------------------------------------------------------------- */

static void sockaddr_numeric(const struct sockaddr_storage *ss, socklen_t len,
                             char *host, size_t hostlen,
                             char *serv, size_t servlen)
{
    if (getnameinfo((const struct sockaddr *)ss, len, host, hostlen,
                    serv, servlen, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        g_strlcpy(host, "?", hostlen);
        g_strlcpy(serv, "?", servlen);
    }
}

/* "disconnected:unix:/p,server=on", "disconnected:tcp:h:p,server=on". */
static void socket_set_disconnected_name(SocketChardev *s)
{
    Chardev *chr = &s->parent;
    const char *server = s->is_listen ? ",server=on" : "";
    g_autofree char *name = NULL;

    if (s->is_unix) {
        name = g_strdup_printf("disconnected:unix:%s%s", s->path, server);
    } else if (s->is_listen && s->listen_fd >= 0) {
        /* Show the port we really got (port=0 picks one). */
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char h[NI_MAXHOST], p[NI_MAXSERV];

        getsockname(s->listen_fd, (struct sockaddr *)&ss, &len);
        sockaddr_numeric(&ss, len, h, sizeof(h), p, sizeof(p));
        name = g_strdup_printf("disconnected:tcp:%s:%s%s", h, p, server);
    } else {
        name = g_strdup_printf("disconnected:tcp:%s:%s%s", s->host, s->port,
                               server);
    }
    qemu_chr_set_filename(chr, name);
}

/* "unix:/p,server=on", "tcp:127.0.0.1:4444,server=on <-> 127.0.0.1:5555". */
static void socket_set_connected_name(SocketChardev *s)
{
    g_autofree char *name = NULL;

    if (s->is_unix) {
        name = g_strdup_printf("unix:%s%s", s->path,
                               s->is_listen ? ",server=on" : "");
    } else {
        struct sockaddr_storage ls, ps;
        socklen_t llen = sizeof(ls), plen = sizeof(ps);
        char lh[NI_MAXHOST], lp[NI_MAXSERV], ph[NI_MAXHOST], pp[NI_MAXSERV];

        getsockname(s->fd, (struct sockaddr *)&ls, &llen);
        getpeername(s->fd, (struct sockaddr *)&ps, &plen);
        sockaddr_numeric(&ls, llen, lh, sizeof(lh), lp, sizeof(lp));
        sockaddr_numeric(&ps, plen, ph, sizeof(ph), pp, sizeof(pp));
        name = g_strdup_printf("tcp:%s:%s%s <-> %s:%s", lh, lp,
                               s->is_listen ? ",server=on" : "", ph, pp);
    }
    qemu_chr_set_filename(&s->parent, name);
}

/* ---- connection state -------------------------------------------------- */

static void socket_accept(void *opaque);

static void socket_watch_listen(SocketChardev *s, bool on)
{
    AioContext *ctx = qemu_chr_get_context(&s->parent);

    if (s->listen_ctx) {
        aio_set_fd_handler(s->listen_ctx, s->listen_fd, NULL, NULL, NULL,
                           NULL, NULL);
        s->listen_ctx = NULL;
    }
    if (on && s->listen_fd >= 0) {
        aio_set_fd_handler(ctx, s->listen_fd, socket_accept, NULL, NULL,
                           NULL, s);
        s->listen_ctx = ctx;
    }
}

static void socket_connected(SocketChardev *s, int fd)
{
    Chardev *chr = &s->parent;

    if (!s->is_unix && s->do_nodelay) {
        int one = 1;

        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    s->connected = true;
    if (s->yank_registered) {
        yank_register_function(CHARDEV_YANK_INSTANCE(chr->label), socket_yank,
                               s);
    }
    if (s->is_listen) {
        /* One client at a time; the next one waits in the backlog. */
        socket_watch_listen(s, false);
    }
    socket_set_connected_name(s);
    chr->fd_in = chr->fd_out = fd;
    chr->fd_is_socket = true;
    chr->read_throttled = false;
    qemu_chr_fd_update_handlers(chr);
    qemu_chr_be_event(chr, CHR_EVENT_OPENED);
}

static void socket_reconnect_cb(void *opaque)
{
    socket_try_connect(opaque);
}

static void socket_schedule_reconnect(SocketChardev *s)
{
    if (!s->reconnect_timer) {
        s->reconnect_timer = aio_timer_new(qemu_chr_get_context(&s->parent),
                                           QEMU_CLOCK_REALTIME, SCALE_MS,
                                           socket_reconnect_cb, s);
    }
    timer_mod(s->reconnect_timer,
              qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->reconnect_s * 1000);
}

/* Tear the connection down; @notify: send CLOSED and listen/retry. */
static void socket_disconnect(SocketChardev *s, bool notify)
{
    Chardev *chr = &s->parent;

    if (!s->connected) {
        return;
    }
    qemu_chr_fd_discard_output(chr);
    chr->fd_in = chr->fd_out = -1;
    qemu_chr_fd_update_handlers(chr);
    if (s->yank_registered) {
        yank_unregister_function(CHARDEV_YANK_INSTANCE(chr->label),
                                 socket_yank, s);
    }
    close(s->fd);
    s->fd = -1;
    s->connected = false;
    socket_set_disconnected_name(s);
    if (!notify) {
        return;
    }
    if (s->is_listen) {
        socket_watch_listen(s, true);
    }
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
    if (s->reconnect_s) {
        socket_schedule_reconnect(s);
    }
}

static void socket_chr_hangup(Chardev *chr)
{
    socket_disconnect(SOCKET_CHARDEV(chr), true);
}

static void socket_accept(void *opaque)
{
    SocketChardev *s = opaque;
    int fd;

    fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return;     /* EAGAIN, or a client that gave up: keep listening */
    }
    if (s->connected) {
        close(fd);
        return;
    }
    socket_connected(s, fd);
}

/* ---- addresses --------------------------------------------------------- */

static bool socket_unix_addr(SocketChardev *s, struct sockaddr_un *sun,
                             Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(s->path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return false;
    }
    strcpy(sun->sun_path, s->path);
    return true;
}

static struct addrinfo *socket_inet_addr(SocketChardev *s, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = s->family,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->is_listen ? AI_PASSIVE : 0,
    };
    struct addrinfo *res = NULL;
    int rc;

    rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    if (rc != 0) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   s->host, s->port, gai_strerror(rc));
        return NULL;
    }
    return res;
}

static bool socket_listen(SocketChardev *s, Error **errp)
{
    int fd = -1, one = 1;

    if (s->is_unix) {
        struct sockaddr_un sun;

        if (!socket_unix_addr(s, &sun, errp)) {
            return false;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Failed to create socket");
            return false;
        }
        /* A stale socket from an earlier run would make bind fail. */
        if (unlink(s->path) < 0 && errno != ENOENT) {
            error_setg_errno(errp, errno, "Failed to unlink socket %s",
                             s->path);
            goto fail;
        }
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s",
                             s->path);
            goto fail;
        }
    } else {
        struct addrinfo *res = socket_inet_addr(s, errp), *ai;
        int err = 0;

        if (!res) {
            return false;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family,
                        SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (fd < 0) {
                err = errno;
                continue;
            }
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                break;
            }
            err = errno;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to bind socket");
            return false;
        }
    }
    if (listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        goto fail;
    }
    s->listen_fd = fd;
    return true;

fail:
    close(fd);
    return false;
}

/* Blocking connect, for start-up without reconnect=. */
static int socket_connect_sync(SocketChardev *s, Error **errp)
{
    int fd = -1;

    if (s->is_unix) {
        struct sockaddr_un sun;

        if (!socket_unix_addr(s, &sun, errp)) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             s->path);
            goto fail;
        }
    } else {
        struct addrinfo *res = socket_inet_addr(s, errp), *ai;
        int err = 0;

        if (!res) {
            return -1;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                break;
            }
            err = errno;
            if (fd >= 0) {
                close(fd);
            }
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to connect to '%s:%s'",
                             s->host, s->port);
            return -1;
        }
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;

fail:
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

static void socket_connect_stop(SocketChardev *s)
{
    if (s->connecting_fd >= 0) {
        aio_set_fd_handler(s->connecting_ctx, s->connecting_fd, NULL, NULL,
                           NULL, NULL, NULL);
    }
    s->connecting_fd = -1;
    s->connecting_ctx = NULL;
}

static void socket_connect_done(void *opaque)
{
    SocketChardev *s = opaque;
    int fd = s->connecting_fd, err = 0;
    socklen_t len = sizeof(err);

    socket_connect_stop(s);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        err = errno;
    }
    if (err) {
        close(fd);
        socket_schedule_reconnect(s);
        return;
    }
    socket_connected(s, fd);
}

/* A non-blocking attempt (reconnect=): never stalls the loop. */
static void socket_try_connect(SocketChardev *s)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int fd;

    if (s->connected || s->connecting_fd >= 0) {
        return;
    }
    if (s->is_unix) {
        struct sockaddr_un sun;

        if (!socket_unix_addr(s, &sun, NULL)) {
            return;
        }
        memcpy(&ss, &sun, sizeof(sun));
        sslen = sizeof(sun);
    } else {
        /* Name resolution may block; it is done once per attempt. */
        struct addrinfo *res = socket_inet_addr(s, NULL);

        if (!res) {
            socket_schedule_reconnect(s);
            return;
        }
        memcpy(&ss, res->ai_addr, res->ai_addrlen);
        sslen = res->ai_addrlen;
        freeaddrinfo(res);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        socket_schedule_reconnect(s);
        return;
    }
    if (connect(fd, (struct sockaddr *)&ss, sslen) == 0) {
        socket_connected(s, fd);
    } else if (errno == EINPROGRESS || errno == EAGAIN) {
        s->connecting_fd = fd;
        s->connecting_ctx = qemu_chr_get_context(&s->parent);
        aio_set_fd_handler(s->connecting_ctx, fd, NULL, socket_connect_done,
                           NULL, NULL, s);
    } else {
        close(fd);
        socket_schedule_reconnect(s);
    }
}

/* ---- the chardev ------------------------------------------------------- */

static void socket_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened,
                            Error **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    const char *path = qemu_opt_get(opts, "path");
    const char *host = qemu_opt_get(opts, "host");
    const char *port = qemu_opt_get(opts, "port");
    bool is_wait = qemu_opt_get_bool(opts, "wait", true);

    s->is_listen = qemu_opt_get_bool(opts, "server", false);
    s->do_nodelay = qemu_opt_get_bool(opts, "nodelay", false);
    s->reconnect_s = qemu_opt_get_number(opts, "reconnect", 0);

    if (s->is_listen && s->reconnect_s) {
        error_setg(errp, "'reconnect' option is incompatible with "
                   "socket in server listen mode");
        return;
    }
    if (!s->is_listen && qemu_opt_find(opts, "wait")) {
        error_setg(errp, "'wait' option is incompatible with "
                   "socket in client connect mode");
        return;
    }
    if (path) {
        if (host) {
            error_setg(errp, "chardev: socket: 'path' and 'host' cannot "
                       "be used together");
            return;
        }
        s->is_unix = true;
        s->path = g_strdup(path);
    } else {
        if (!host) {
            error_setg(errp, "chardev: socket: no host given");
            return;
        }
        if (!port) {
            error_setg(errp, "chardev: socket: no port given");
            return;
        }
        s->host = g_strdup(host);
        s->port = g_strdup(port);
        if (qemu_opt_get_bool(opts, "ipv4", false)) {
            s->family = AF_INET;
        } else if (qemu_opt_get_bool(opts, "ipv6", false)) {
            s->family = AF_INET6;
        }
    }
    /* OPENED comes with the peer. */
    *be_opened = false;

    /* Every socket chardev can be yanked, as in QEMU (query-yank). */
    if (!yank_register_instance(CHARDEV_YANK_INSTANCE(chr->label), errp)) {
        return;
    }
    s->yank_registered = true;

    if (s->is_listen) {
        if (!socket_listen(s, errp)) {
            return;
        }
        socket_set_disconnected_name(s);
        if (is_wait) {
            struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };

            info_report("qcore waiting for connection on: %s", chr->filename);
            while (!s->connected) {
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                    error_setg_errno(errp, errno, "Failed to wait for a "
                                     "connection on %s", chr->filename);
                    return;
                }
                socket_accept(s);
            }
        } else {
            socket_watch_listen(s, true);
        }
        return;
    }

    socket_set_disconnected_name(s);
    if (s->reconnect_s) {
        socket_try_connect(s);
    } else {
        int fd = socket_connect_sync(s, errp);

        if (fd >= 0) {
            socket_connected(s, fd);
        }
    }
}

/* The frontend moved to another AioContext: follow it. */
static void socket_chr_update_read_handler(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (s->listen_ctx && s->listen_ctx != qemu_chr_get_context(chr)) {
        socket_watch_listen(s, true);
    }
}

static bool socket_chr_is_connected(Chardev *chr)
{
    return SOCKET_CHARDEV(chr)->connected;
}

static void socket_chr_init(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    s->listen_fd = s->fd = s->connecting_fd = -1;
}

static void socket_chr_finalize(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    socket_disconnect(s, false);
    socket_connect_stop(s);
    if (s->listen_fd >= 0) {
        socket_watch_listen(s, false);
        close(s->listen_fd);
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    if (s->reconnect_timer) {
        timer_free(s->reconnect_timer);
    }
    if (s->yank_registered) {
        yank_unregister_instance(CHARDEV_YANK_INSTANCE(s->parent.label));
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
}

static void char_socket_class_init(ObjectClass *oc, const void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = socket_chr_open;
    cc->chr_hangup = socket_chr_hangup;
    cc->chr_update_read_handler = socket_chr_update_read_handler;
    cc->chr_is_connected = socket_chr_is_connected;
    cc->help = "unix path= or tcp host=,port=; server=on|off, wait=on|off, "
               "reconnect=seconds";
}

static const TypeInfo char_socket_type_info = {
    .name = TYPE_CHARDEV_SOCKET,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(SocketChardev),
    .instance_init = socket_chr_init,
    .instance_finalize = socket_chr_finalize,
    .class_init = char_socket_class_init,
};

void char_socket_register_types(void)
{
    type_register_static(&char_socket_type_info);
}
