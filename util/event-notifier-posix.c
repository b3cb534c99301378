/*
 * EventNotifier on eventfd, with a pipe fallback.
 * Corresponds to QEMU's util/event_notifier-posix.c.
 */
#include "qcore/osdep.h"
#include "qcore/event-notifier.h"
#include <fcntl.h>
#include <sys/eventfd.h>

int event_notifier_init_pipe(EventNotifier *e, int active)
{
    int fds[2];

    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        return -errno;
    }
    e->rfd = fds[0];
    e->wfd = fds[1];
    e->initialized = true;
    if (active) {
        event_notifier_set(e);
    }
    return 0;
}

int event_notifier_init(EventNotifier *e, int active)
{
    int fd = eventfd(!!active, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        if (errno != ENOSYS) {
            return -errno;
        }
        return event_notifier_init_pipe(e, active);
    }
    e->rfd = e->wfd = fd;
    e->initialized = true;
    return 0;
}

void event_notifier_cleanup(EventNotifier *e)
{
    if (!e->initialized) {
        return;
    }
    if (e->rfd != e->wfd) {
        close(e->wfd);
    }
    close(e->rfd);
    e->rfd = e->wfd = -1;
    e->initialized = false;
}

int event_notifier_get_fd(const EventNotifier *e)
{
    return e->rfd;
}

int event_notifier_get_wfd(const EventNotifier *e)
{
    return e->wfd;
}

int event_notifier_set(EventNotifier *e)
{
    static const uint64_t value = 1;
    ssize_t ret;

    if (!e->initialized) {
        return -EBADF;
    }
    do {
        ret = write(e->wfd, &value, e->rfd == e->wfd ? 8 : 1);
    } while (ret < 0 && errno == EINTR);
    /* EAGAIN: the counter or the pipe is full, so it is already set. */
    if (ret < 0 && errno != EAGAIN) {
        return -errno;
    }
    return 0;
}

int event_notifier_test_and_clear(EventNotifier *e)
{
    char buffer[512];
    ssize_t len;
    int value = 0;

    if (!e->initialized) {
        return 0;
    }
    /* eventfd returns the whole counter in one read; a pipe needs draining. */
    do {
        len = read(e->rfd, buffer, sizeof(buffer));
        value |= len > 0;
    } while ((len == -1 && errno == EINTR) ||
             (e->rfd != e->wfd && len == sizeof(buffer)));
    return value;
}
