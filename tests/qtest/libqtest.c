/*
 * The qtest client for device tests: spawns qcore, speaks the qtest line
 * protocol and QMP over unix sockets it listens on (qcore connects as a
 * client, as QEMU's libqtest arranges it, so nothing races the start-up).
 * Corresponds to QEMU's tests/qtest/libqtest.c; see libqtest.h.
 */
#include "libqtest.h"
#include "qcore/qjson.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_IRQ 256
/* Only guards against a qcore that never connects; never reached when well. */
#define CONNECT_TIMEOUT_MS 60000

struct QTestState {
    pid_t pid;
    int pidfd;                  /* readable when qcore exits */
    int status;                 /* waitpid status once reaped */
    bool reaped;
    char *dir;                  /* holds the two sockets */
    int qtest_fd, qmp_fd;
    GString *qtest_buf, *qmp_buf;   /* bytes read, not yet a whole line */
    bool irq_level[MAX_IRQ];
};

static int listen_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/* Accept qcore's connection, failing at once if qcore exits instead. */
static int accept_from_qcore(QTestState *s, int lfd, const char *what)
{
    struct pollfd pfd[2] = {
        { .fd = lfd, .events = POLLIN },
        { .fd = s->pidfd, .events = POLLIN },
    };
    int n = poll(pfd, 2, CONNECT_TIMEOUT_MS), fd;

    if (n == 0) {
        g_error("qcore did not connect its %s socket", what);
    }
    if (pfd[1].revents && !pfd[0].revents) {
        waitpid(s->pid, &s->status, 0);
        s->reaped = true;
        g_error("qcore exited (status 0x%x) before connecting its %s socket",
                s->status, what);
    }
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

/* One line from @fd (without its newline); NULL at EOF. */
static char *read_line(int fd, GString *buf)
{
    for (;;) {
        char *nl = memchr(buf->str, '\n', buf->len);
        char chunk[65536];
        ssize_t n;

        if (nl) {
            char *line = g_strndup(buf->str, nl - buf->str);

            g_string_erase(buf, 0, nl - buf->str + 1);
            return line;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
}

static void write_all(int fd, const char *data, size_t len)
{
    while (len) {
        /* A qcore that went away fails the test here, not by SIGPIPE. */
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        data += n;
        len -= n;
    }
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = g_new0(QTestState, 1);
    const char *binary = g_getenv("QCORE_BINARY");
    g_autofree char *qtest_path = NULL, *qmp_path = NULL, *cmd = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    int qtest_lfd, qmp_lfd;
    QDict *rsp;
    char *greeting;

    g_assert(binary);
    s->dir = g_dir_make_tmp("qtest-XXXXXX", &err);
    g_assert_no_error(err);
    qtest_path = g_build_filename(s->dir, "qtest.sock", NULL);
    qmp_path = g_build_filename(s->dir, "qmp.sock", NULL);
    qtest_lfd = listen_unix(qtest_path);
    qmp_lfd = listen_unix(qmp_path);

    cmd = g_strdup_printf("%s -qtest unix:%s -qtest-log none "
                          "-chardev socket,path=%s,id=char0 "
                          "-mon chardev=char0,mode=control "
                          "-display none -accel qtest %s",
                          binary, qtest_path, qmp_path, extra_args);
    g_shell_parse_argv(cmd, NULL, &argv, &err);
    g_assert_no_error(err);

    s->pid = fork();
    g_assert_cmpint(s->pid, >=, 0);
    if (s->pid == 0) {
        /* A test that dies (or times out) takes its qcore with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* A glib critical in qcore is a bug: make it end qcore, loudly. */
        g_setenv("G_DEBUG", "fatal-criticals", true);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    s->pidfd = syscall(SYS_pidfd_open, s->pid, 0);
    g_assert_cmpint(s->pidfd, >=, 0);

    s->qtest_fd = accept_from_qcore(s, qtest_lfd, "qtest");
    s->qmp_fd = accept_from_qcore(s, qmp_lfd, "QMP");
    close(qtest_lfd);
    close(qmp_lfd);
    s->qtest_buf = g_string_new(NULL);
    s->qmp_buf = g_string_new(NULL);

    greeting = read_line(s->qmp_fd, s->qmp_buf);
    g_assert(greeting && strstr(greeting, "\"QMP\""));
    g_free(greeting);
    rsp = qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

int qtest_wait_qemu(QTestState *s)
{
    if (!s->reaped) {
        while (waitpid(s->pid, &s->status, 0) < 0) {
            g_assert_cmpint(errno, ==, EINTR);
        }
        s->reaped = true;
    }
    return WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1;
}

void qtest_free(QTestState *s)
{
    g_autofree char *qtest_path = g_build_filename(s->dir, "qtest.sock",
                                                   NULL);
    g_autofree char *qmp_path = g_build_filename(s->dir, "qmp.sock", NULL);

    g_assert(s->reaped);
    close(s->qtest_fd);
    close(s->qmp_fd);
    close(s->pidfd);
    unlink(qtest_path);
    unlink(qmp_path);
    rmdir(s->dir);
    g_free(s->dir);
    g_string_free(s->qtest_buf, true);
    g_string_free(s->qmp_buf, true);
    g_free(s);
}

void qtest_quit(QTestState *s)
{
    if (!s->reaped) {
        kill(s->pid, SIGTERM);
    }
    /* A crash, a sanitizer report or a hang in shutdown fails here. */
    g_assert_cmpint(qtest_wait_qemu(s), ==, 0);
    qtest_free(s);
}

/* ---- the qtest protocol ------------------------------------------------ */

void qtest_send_line(QTestState *s, const char *line)
{
    g_autofree char *l = g_strconcat(line, "\n", NULL);

    write_all(s->qtest_fd, l, strlen(l));
}

/* The next answer line; IRQ lines in front of it update irq_level. */
static char *qtest_rsp(QTestState *s)
{
    for (;;) {
        char *line = read_line(s->qtest_fd, s->qtest_buf);
        int n;

        g_assert_nonnull(line);
        if (g_str_has_prefix(line, "IRQ raise ") ||
            g_str_has_prefix(line, "IRQ lower ")) {
            n = atoi(line + 10);
            g_assert_cmpint(n, >=, 0);
            g_assert_cmpint(n, <, MAX_IRQ);
            s->irq_level[n] = line[4] == 'r';
            g_free(line);
            continue;
        }
        return line;
    }
}

char *qtest_raw(QTestState *s, const char *line)
{
    qtest_send_line(s, line);
    return qtest_rsp(s);
}

static char *G_GNUC_PRINTF(2, 3) qtest_cmdf(QTestState *s,
                                            const char *fmt, ...)
{
    g_autofree char *line = NULL;
    char *rsp;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rsp = qtest_raw(s, line);
    if (!g_str_has_prefix(rsp, "OK")) {
        g_error("qtest: '%s' answered '%s'", line, rsp);
    }
    return rsp;
}

static void qtest_ok(QTestState *s, char *rsp)
{
    g_assert_cmpstr(rsp, ==, "OK");
    g_free(rsp);
}

/* "OK <number>" -> the number. */
static uint64_t qtest_ok_num(char *rsp)
{
    char *end;
    uint64_t v;

    g_assert(g_str_has_prefix(rsp, "OK "));
    v = g_ascii_strtoull(rsp + 3, &end, 0);
    g_assert_cmpint(*end, ==, 0);
    g_free(rsp);
    return v;
}

#define READ_N(name, type)                                              \
    type qtest_##name(QTestState *s, uint64_t addr)                     \
    {                                                                   \
        return qtest_ok_num(qtest_cmdf(s, #name " 0x%" G_GINT64_MODIFIER \
                                       "x", addr));                     \
    }
#define WRITE_N(name, type)                                             \
    void qtest_##name(QTestState *s, uint64_t addr, type value)         \
    {                                                                   \
        qtest_ok(s, qtest_cmdf(s, #name " 0x%" G_GINT64_MODIFIER "x 0x%" \
                               G_GINT64_MODIFIER "x", addr,             \
                               (uint64_t)value));                       \
    }
READ_N(readb, uint8_t)
READ_N(readw, uint16_t)
READ_N(readl, uint32_t)
READ_N(readq, uint64_t)
WRITE_N(writeb, uint8_t)
WRITE_N(writew, uint16_t)
WRITE_N(writel, uint32_t)
WRITE_N(writeq, uint64_t)

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    g_autofree char *rsp = qtest_cmdf(s, "read 0x%" G_GINT64_MODIFIER
                                      "x %zu", addr, size);
    uint8_t *p = data;

    g_assert(g_str_has_prefix(rsp, "OK 0x"));
    g_assert_cmpuint(strlen(rsp), ==, 5 + 2 * size);
    for (size_t i = 0; i < size; i++) {
        p[i] = g_ascii_xdigit_value(rsp[5 + 2 * i]) << 4 |
               g_ascii_xdigit_value(rsp[6 + 2 * i]);
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    GString *line = g_string_new(NULL);
    const uint8_t *p = data;

    g_string_printf(line, "write 0x%" G_GINT64_MODIFIER "x %zu 0x", addr,
                    size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(line, "%02x", p[i]);
    }
    qtest_ok(s, qtest_raw(s, line->str));
    g_string_free(line, true);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    g_autofree char *rsp = qtest_cmdf(s, "b64read 0x%" G_GINT64_MODIFIER
                                      "x %zu", addr, size);
    g_autofree guchar *dec = NULL;
    gsize len;

    g_assert(g_str_has_prefix(rsp, "OK "));
    dec = g_base64_decode(rsp + 3, &len);
    g_assert_cmpuint(len, ==, size);
    memcpy(data, dec, size);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    g_autofree char *enc = g_base64_encode(data, size);

    qtest_ok(s, qtest_cmdf(s, "b64write 0x%" G_GINT64_MODIFIER "x %zu %s",
                           addr, size, enc));
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern,
                  size_t size)
{
    qtest_ok(s, qtest_cmdf(s, "memset 0x%" G_GINT64_MODIFIER "x %zu 0x%x",
                           addr, size, pattern));
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return qtest_ok_num(qtest_cmdf(s, "clock_step %" G_GINT64_FORMAT, step));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return qtest_ok_num(qtest_cmdf(s, "clock_step"));
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    return qtest_ok_num(qtest_cmdf(s, "clock_set %" G_GINT64_FORMAT, val));
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    qtest_ok(s, qtest_cmdf(s, "irq_intercept_in %s", qom_path));
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    qtest_ok(s, qtest_cmdf(s, "irq_intercept_out %s", qom_path));
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level)
{
    qtest_ok(s, qtest_cmdf(s, "set_irq_in %s %s %d %d", qom_path, name, num,
                           level));
}

bool qtest_get_irq(QTestState *s, int num)
{
    g_assert_cmpint(num, <, MAX_IRQ);
    /* A round trip collects the IRQ lines sent before its answer. */
    g_free(qtest_cmdf(s, "endianness"));
    return s->irq_level[num];
}

/* ---- QMP ------------------------------------------------------------------ */

QDict *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    write_all(s->qmp_fd, cmd, strlen(cmd));
    write_all(s->qmp_fd, "\n", 1);
    for (;;) {
        g_autofree char *line = read_line(s->qmp_fd, s->qmp_buf);
        QDict *rsp;

        g_assert_nonnull(line);
        rsp = qdict_from_json(line, &error_abort);
        if (!qdict_haskey(rsp, "event")) {
            return rsp;
        }
        qobject_unref(rsp);
    }
}

char *qtest_qom_find(QTestState *s, const char *container, const char *type)
{
    g_autofree char *want = g_strdup_printf("child<%s>", type);
    QDict *rsp = qtest_qmp(s, "{\"execute\": \"qom-list\", \"arguments\": "
                           "{\"path\": \"%s\"}}", container);
    QList *list = qobject_to(QList, qdict_get(rsp, "return"));
    const QListEntry *e;
    char *path = NULL;

    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *prop = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(prop, "type"), want)) {
            g_assert_null(path);
            path = g_strdup_printf("%s/%s", container,
                                   qdict_get_str(prop, "name"));
        }
    }
    qobject_unref(rsp);
    g_assert_nonnull(path);
    return path;
}

char *qtest_log_file_new(const char *prefix)
{
    g_autofree char *tmpl = g_strdup_printf("%s-XXXXXX.log", prefix);
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, NULL);

    g_assert(fd >= 0);
    close(fd);
    return path;
}

char *qtest_quit_log(QTestState *s, char *path)
{
    char *text = NULL;

    qtest_quit(s);
    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    unlink(path);
    g_free(path);
    return text;
}
