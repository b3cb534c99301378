/*
 * Unit tests for chardevs: every backend over real fds (sockets, a pty, a
 * file), the frontend API, the mux and its escapes, back-pressure, and the
 * legacy -serial string syntax.  Counterpart of QEMU's
 * tests/unit/test-char.c.  The main loop is driven with main_loop_wait();
 * no test sleeps or measures time.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qapi/qapi-commands.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

static char *tmpdir;

/* A frontend that records what it is given. */
typedef struct TestFE {
    CharBackend be;
    GString *in;
    int room;               /* what can_read answers */
    int max_read;           /* the largest chr_read so far */
    int opened, closed, mux_in, mux_out, brk;
} TestFE;

static int fe_can_read(void *opaque)
{
    return ((TestFE *)opaque)->room;
}

static void fe_read(void *opaque, const uint8_t *buf, int size)
{
    TestFE *fe = opaque;

    fe->max_read = MAX(fe->max_read, size);
    g_string_append_len(fe->in, (const char *)buf, size);
}

static void fe_event(void *opaque, QEMUChrEvent event)
{
    TestFE *fe = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        fe->opened++;
        break;
    case CHR_EVENT_CLOSED:
        fe->closed++;
        break;
    case CHR_EVENT_MUX_IN:
        fe->mux_in++;
        break;
    case CHR_EVENT_MUX_OUT:
        fe->mux_out++;
        break;
    case CHR_EVENT_BREAK:
        fe->brk++;
        break;
    }
}

static void fe_attach(TestFE *fe, Chardev *chr)
{
    memset(fe, 0, sizeof(*fe));
    fe->in = g_string_new("");
    fe->room = 4096;
    g_assert_true(qemu_chr_fe_init(&fe->be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, NULL,
                             fe, NULL, true);
}

static void fe_detach(TestFE *fe, bool del)
{
    qemu_chr_fe_deinit(&fe->be, del);
    g_string_free(fe->in, true);
}

static int fe_puts(TestFE *fe, const char *s)
{
    return qemu_chr_fe_write(&fe->be, (const uint8_t *)s, strlen(s));
}

/* Run the loop until @cond holds; the meson timeout catches a hang. */
#define WAIT_UNTIL(cond) \
    do {                                \
        while (!(cond)) {               \
            main_loop_wait(false);      \
        }                               \
    } while (0)

static Chardev *chr_from_opts(const char *params, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(&qemu_chardev_opts, params, true,
                                     &error_abort);
    Chardev *chr = qemu_chr_new_from_opts(opts, NULL, errp);

    qemu_opts_del(opts);
    return chr;
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    return fd;
}

static int unix_listen(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    unlink(path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static void write_str(int fd, const char *s)
{
    g_assert_cmpint(write(fd, s, strlen(s)), ==, strlen(s));
}

/* The chardev wrote synchronously, so a blocking read finds the bytes. */
static void read_expect(int fd, const char *expect)
{
    size_t len = strlen(expect), got = 0;
    g_autofree char *buf = g_malloc0(len + 1);

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        g_assert_cmpint(n, >, 0);
        got += n;
    }
    g_assert_cmpstr(buf, ==, expect);
}

/* Whatever the peer has waiting, without blocking. */
static GString *read_available(int fd)
{
    GString *s = g_string_new("");
    char buf[4096];
    ssize_t n;

    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        g_string_append_len(s, buf, n);
    }
    return s;
}

/* ---- socket ------------------------------------------------------------ */

static void test_socket_unix_server_two_way_and_reconnect(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "srv.sock", NULL);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server=on,wait=off",
                                              path);
    g_autofree char *disc = g_strdup_printf("disconnected:unix:%s,server=on",
                                            path);
    g_autofree char *conn = g_strdup_printf("unix:%s,server=on", path);
    Chardev *chr = qemu_chr_new("srv", legacy, NULL);
    TestFE fe;
    int c1, c2;

    g_assert_nonnull(chr);
    g_assert_cmpstr(chr->filename, ==, disc);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 0);

    c1 = unix_connect(path);
    WAIT_UNTIL(fe.opened == 1);
    g_assert_cmpstr(chr->filename, ==, conn);

    write_str(c1, "hello");
    WAIT_UNTIL(fe.in->len == 5);
    g_assert_cmpstr(fe.in->str, ==, "hello");
    g_assert_cmpint(fe_puts(&fe, "world"), ==, 5);
    read_expect(c1, "world");

    /* A second client waits in the backlog while the first is served. */
    c2 = unix_connect(path);
    write_str(c2, "second");
    close(c1);
    WAIT_UNTIL(fe.closed == 1);
    WAIT_UNTIL(fe.opened == 2);
    WAIT_UNTIL(fe.in->len == strlen("hellosecond"));
    g_assert_cmpstr(fe.in->str, ==, "hellosecond");
    g_assert_cmpint(fe_puts(&fe, "to-second"), ==, 9);
    read_expect(c2, "to-second");

    close(c2);
    WAIT_UNTIL(fe.closed == 2);
    g_assert_cmpstr(chr->filename, ==, disc);
    /* Without a peer, output is dropped, not queued. */
    g_assert_cmpint(fe_puts(&fe, "lost"), ==, 4);
    g_assert_cmpuint(qemu_chr_fe_get_pending(&fe.be), ==, 0);
    fe_detach(&fe, true);
    g_assert_null(qemu_chr_find("srv"));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_socket_tcp_server_port_zero(void)
{
    Chardev *chr = qemu_chr_new("tcp", "tcp:127.0.0.1:0,server=on,wait=off",
                                NULL);
    struct sockaddr_in sin = { .sin_family = AF_INET };
    TestFE fe;
    int port = 0, fd;

    g_assert_nonnull(chr);
    g_assert_cmpint(sscanf(chr->filename, "disconnected:tcp:127.0.0.1:%d",
                           &port), ==, 1);
    g_assert_cmpint(port, >, 0);
    g_assert_true(g_str_has_suffix(chr->filename, ",server=on"));
    fe_attach(&fe, chr);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    WAIT_UNTIL(fe.opened == 1);
    g_assert_true(g_str_has_prefix(chr->filename, "tcp:127.0.0.1:"));
    g_assert_nonnull(strstr(chr->filename, ",server=on <-> 127.0.0.1:"));

    write_str(fd, "ping");
    WAIT_UNTIL(fe.in->len == 4);
    g_assert_cmpint(fe_puts(&fe, "pong"), ==, 4);
    read_expect(fd, "pong");
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);
}

static gpointer connect_when_listening(gpointer path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    /* Retry until the chardev listens: the event we wait for is bind(). */
    while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        g_thread_yield();
    }
    write_str(fd, "early");
    return GINT_TO_POINTER(fd);
}

static void test_socket_wait_on_blocks_until_first_client(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "wait.sock", NULL);
    g_autofree char *params =
        g_strdup_printf("socket,id=waiter,path=%s,server=on,wait=on", path);
    GThread *t;
    Chardev *chr;
    TestFE fe;
    int fd;

    unlink(path);
    t = g_thread_new("client", connect_when_listening, path);
    chr = chr_from_opts(params, &error_abort);
    /* Creation returned: the client is already connected. */
    g_assert_true(chr->be_open);
    fd = GPOINTER_TO_INT(g_thread_join(t));
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    WAIT_UNTIL(fe.in->len == 5);
    g_assert_cmpstr(fe.in->str, ==, "early");
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);
}

static void test_socket_client_connects_and_reconnects(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "cli.sock", NULL);
    g_autofree char *params =
        g_strdup_printf("socket,id=cli,path=%s,reconnect=1", path);
    g_autofree char *plain = g_strdup_printf("socket,id=cli2,path=%s", path);
    int lfd = unix_listen(path);
    Chardev *chr;
    TestFE fe;
    int fd;

    /* Plain client mode: connected when created. */
    chr = chr_from_opts(plain, &error_abort);
    fd = accept(lfd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(fe_puts(&fe, "from-client"), ==, 11);
    read_expect(fd, "from-client");
    write_str(fd, "from-server");
    WAIT_UNTIL(fe.in->len == 11);
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);

    /* reconnect=1: after the server drops us, we come back. */
    chr = chr_from_opts(params, &error_abort);
    fe_attach(&fe, chr);
    WAIT_UNTIL(fe.opened == 1);
    fd = accept(lfd, NULL, NULL);
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    fd = -1;
    while (fd < 0) {
        main_loop_wait(false);
        fd = accept(lfd, NULL, NULL);
    }
    WAIT_UNTIL(fe.opened == 2);
    close(fd);
    WAIT_UNTIL(fe.closed == 2);
    fe_detach(&fe, true);
    close(lfd);
}

static bool bh_ran;

static void set_flag_bh(void *opaque)
{
    bh_ran = true;
}

static int out_watch_calls;

static gboolean out_watch(void *do_not_use, GIOCondition cond, void *opaque)
{
    g_assert_true(cond & G_IO_OUT);
    out_watch_calls++;
    return G_SOURCE_REMOVE;
}

static void test_socket_peer_that_never_reads_is_bounded(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "slow.sock", NULL);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server=on,wait=off",
                                              path);
    Chardev *chr = qemu_chr_new("slow", legacy, NULL);
    static uint8_t chunk[65536];
    size_t written = 0, drained = 0;
    QEMUBH *bh;
    TestFE fe;
    int fd, n;

    fe_attach(&fe, chr);
    fd = unix_connect(path);
    WAIT_UNTIL(fe.opened == 1);

    memset(chunk, 'z', sizeof(chunk));
    do {
        n = qemu_chr_fe_write(&fe.be, chunk, sizeof(chunk));
        g_assert_cmpint(n, >=, 0);
        written += n;
    } while (n == sizeof(chunk));
    /* The queue is full: further writes take nothing. */
    g_assert_cmpuint(qemu_chr_fe_get_pending(&fe.be), ==, CHR_OUTQ_LIMIT);
    g_assert_cmpint(qemu_chr_fe_write(&fe.be, chunk, 1), ==, 0);

    /* The loop still runs other work. */
    bh = qemu_bh_new(set_flag_bh, NULL);
    qemu_bh_schedule(bh);
    WAIT_UNTIL(bh_ran);
    qemu_bh_delete(bh);

    qemu_chr_fe_add_watch(&fe.be, G_IO_OUT | G_IO_HUP, out_watch, NULL);
    main_loop_wait(true);
    g_assert_cmpint(out_watch_calls, ==, 0);

    /* The peer starts reading: everything arrives, then G_IO_OUT fires. */
    while (drained < written || !out_watch_calls) {
        g_autoptr(GString) got = read_available(fd);

        drained += got->len;
        main_loop_wait(true);
    }
    g_assert_cmpuint(drained, ==, written);
    g_assert_cmpuint(qemu_chr_fe_get_pending(&fe.be), ==, 0);
    g_assert_cmpint(out_watch_calls, ==, 1);
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);
}

/*
 * A watch callback that adds a new watch (the monitor does this when the
 * queue is still too full) must not see it fire in the same walk: on a
 * backend that is always writable that would never end.
 */
static int rearm_calls;

static gboolean rearming_watch(void *do_not_use, GIOCondition cond,
                               void *opaque)
{
    CharBackend *be = opaque;

    /* Bounded so that a broken rule fails the test instead of hanging. */
    if (++rearm_calls < 1000) {
        qemu_chr_fe_add_watch(be, G_IO_OUT, rearming_watch, be);
    }
    return G_SOURCE_REMOVE;
}

static void test_watch_added_by_a_watch_waits_for_the_next_iteration(void)
{
    Chardev *chr = qemu_chr_new("rearm", "null", NULL);
    TestFE fe;

    fe_attach(&fe, chr);
    qemu_chr_fe_add_watch(&fe.be, G_IO_OUT, rearming_watch, &fe.be);
    main_loop_wait(true);
    g_assert_cmpint(rearm_calls, ==, 1);
    main_loop_wait(true);
    g_assert_cmpint(rearm_calls, ==, 2);
    fe_detach(&fe, true);
}

static void test_socket_peer_gone_mid_message_goes_back_to_listening(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "gone.sock", NULL);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server=on,wait=off",
                                              path);
    Chardev *chr = qemu_chr_new("gone", legacy, NULL);
    static uint8_t chunk[65536];
    TestFE fe;
    int fd, n;

    fe_attach(&fe, chr);
    fd = unix_connect(path);
    WAIT_UNTIL(fe.opened == 1);
    write_str(fd, "{\"execute\": \"qmp_capab");
    /* Fill the socket and part of the queue, then vanish. */
    n = qemu_chr_fe_write(&fe.be, chunk, sizeof(chunk));
    g_assert_cmpint(n, ==, sizeof(chunk));
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    g_assert_cmpuint(qemu_chr_fe_get_pending(&fe.be), ==, 0);

    fd = unix_connect(path);
    WAIT_UNTIL(fe.opened == 2);
    g_assert_cmpint(fe_puts(&fe, "again"), ==, 5);
    read_expect(fd, "again");
    close(fd);
    WAIT_UNTIL(fe.closed == 2);
    fe_detach(&fe, true);
}

/* ---- simple backends --------------------------------------------------- */

static void test_file_backend_writes_and_appends(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "out.txt", NULL);
    g_autofree char *legacy = g_strdup_printf("file:%s", path);
    g_autofree char *append = g_strdup_printf("file,id=f2,path=%s,append=on",
                                              path);
    g_autofree char *contents = NULL;
    Chardev *chr = qemu_chr_new("f1", legacy, NULL);
    TestFE fe;

    g_assert_nonnull(chr);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(fe_puts(&fe, "first\n"), ==, 6);
    fe_detach(&fe, true);

    fe_attach(&fe, chr_from_opts(append, &error_abort));
    g_assert_cmpint(fe_puts(&fe, "second\n"), ==, 7);
    fe_detach(&fe, true);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "first\nsecond\n");
}

static void test_null_swallows_output(void)
{
    Chardev *chr = qemu_chr_new("nul", "null", NULL);
    TestFE fe;

    fe_attach(&fe, chr);
    g_assert_cmpint(fe_puts(&fe, "into the void"), ==, 13);
    g_assert_cmpuint(qemu_chr_fe_get_pending(&fe.be), ==, 0);
    g_assert_cmpint(fe.opened, ==, 0);
    main_loop_wait(true);
    g_assert_cmpuint(fe.in->len, ==, 0);
    fe_detach(&fe, true);
}

static void test_ringbuf_keeps_last_bytes(void)
{
    Chardev *chr = chr_from_opts("ringbuf,id=rb,size=8", &error_abort);
    Error *err = NULL;
    g_autofree char *got = NULL, *again = NULL, *b64 = NULL;
    TestFE fe;

    fe_attach(&fe, chr);
    g_assert_cmpint(fe_puts(&fe, "0123456789"), ==, 10);
    got = ringbuf_read_str("rb", 100, false, &error_abort);
    g_assert_cmpstr(got, ==, "23456789");
    g_assert_true(ringbuf_write_str("rb", "aGk=", true, &error_abort));
    b64 = ringbuf_read_str("rb", 1, true, &error_abort);
    g_assert_cmpstr(b64, ==, "aA==");
    again = ringbuf_read_str("rb", 100, false, &error_abort);
    g_assert_cmpstr(again, ==, "i");

    g_assert_null(ringbuf_read_str("rb", 0, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "size must be greater than zero");
    error_free(err);
    err = NULL;
    g_assert_false(ringbuf_write_str("nosuch", "x", false, &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);
    fe_detach(&fe, true);
}

static void test_pty_opens_a_usable_pts_node(void)
{
    Chardev *chr;
    TestFE fe;
    int fd;

    /* In a subprocess: the pty announces itself on stdout, like QEMU's. */
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        g_test_trap_assert_stdout(
            "char device redirected to /dev/pts/* (label pty0)\n*");
        return;
    }
    chr = qemu_chr_new("pty0", "pty", NULL);
    g_assert_nonnull(chr);
    g_assert_true(g_str_has_prefix(chr->filename, "pty:/dev/pts/"));
    fd = open(chr->filename + 4, O_RDWR | O_NOCTTY);
    g_assert_cmpint(fd, >=, 0);
    fe_attach(&fe, chr);
    write_str(fd, "ping");
    WAIT_UNTIL(fe.in->len == 4);
    g_assert_cmpstr(fe.in->str, ==, "ping");
    g_assert_cmpint(fe_puts(&fe, "pong\n"), ==, 5);
    read_expect(fd, "pong\n");
    close(fd);
    fe_detach(&fe, true);
}

static void test_stdio_writes_to_stdout(void)
{
    if (g_test_subprocess()) {
        Chardev *chr = qemu_chr_new("stdio0", "stdio", NULL);
        Error *err = NULL;
        TestFE fe;

        g_assert_nonnull(chr);
        g_assert_null(chr_from_opts("stdio,id=again", &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "cannot use stdio by multiple character devices");
        error_free(err);
        fe_attach(&fe, chr);
        g_assert_cmpint(fe_puts(&fe, "hello from stdio\n"), ==, 17);
        fe_detach(&fe, true);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*hello from stdio*");
}

/* ---- mux --------------------------------------------------------------- */

static void test_mux_focus_escapes_and_quit(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "mux.sock", NULL);
    g_autofree char *params = g_strdup_printf(
        "socket,id=mux0,path=%s,server=on,wait=off,mux=on", path);
    g_autoptr(GString) help = NULL;
    g_autoptr(GString) bye = NULL;
    Chardev *chr = chr_from_opts(params, &error_abort);
    TestFE serial, mon;
    int fd, status;

    g_assert_nonnull(qemu_chr_find("mux0-base"));
    fe_attach(&mon, chr);
    g_assert_cmpint(mon.mux_in, ==, 1);
    fe_attach(&serial, chr);        /* the last one attached has focus */
    g_assert_cmpint(mon.mux_out, ==, 1);
    g_assert_cmpint(serial.mux_in, ==, 1);

    fd = unix_connect(path);
    WAIT_UNTIL(serial.opened == 1 && mon.opened == 1);

    write_str(fd, "a");
    WAIT_UNTIL(serial.in->len == 1);
    write_str(fd, "\001cb");
    WAIT_UNTIL(mon.in->len == 1);
    g_assert_cmpstr(mon.in->str, ==, "b");
    g_assert_cmpint(serial.mux_out, ==, 1);
    g_assert_cmpint(mon.mux_in, ==, 2);

    /* Ctrl-A Ctrl-A is one Ctrl-A for the focused frontend. */
    write_str(fd, "\001\001");
    WAIT_UNTIL(mon.in->len == 2);
    g_assert_cmpstr(mon.in->str, ==, "b\001");

    /* Both frontends write to the one backend. */
    g_assert_cmpint(fe_puts(&serial, "S"), ==, 1);
    g_assert_cmpint(fe_puts(&mon, "M"), ==, 1);
    read_expect(fd, "SM");

    write_str(fd, "\001hc");
    WAIT_UNTIL(mon.in->len == 3);
    help = read_available(fd);
    g_assert_nonnull(strstr(help->str, "C-a h    print this help\n\r"));
    g_assert_nonnull(strstr(help->str, "C-a x    exit emulator\n\r"));
    g_assert_nonnull(strstr(help->str, "C-a C-a  sends C-a\n\r"));

    write_str(fd, "\001b.");
    WAIT_UNTIL(mon.in->len == 4);
    g_assert_cmpint(mon.brk, ==, 1);

    g_assert_false(main_loop_should_exit(&status));
    write_str(fd, "\001x.");
    WAIT_UNTIL(mon.in->len == 5);
    bye = read_available(fd);
    g_assert_cmpstr(bye->str, ==, "qcore: Terminated\n\r");
    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0);

    close(fd);
    WAIT_UNTIL(serial.closed == 1 && mon.closed == 1);
    fe_detach(&serial, false);
    fe_detach(&mon, false);
    g_assert_true(qemu_chr_remove("mux0", &error_abort));
    g_assert_true(qemu_chr_remove("mux0-base", &error_abort));
}

/* ---- parsing, errors, queries ------------------------------------------ */

static void check_compat(const char *str, bool mux_mon, const char *keys[])
{
    QemuOpts *opts = qemu_chr_parse_compat("compat", str, mux_mon);
    int i;

    g_assert_nonnull(opts);
    for (i = 0; keys[i]; i += 2) {
        g_assert_cmpstr(qemu_opt_get(opts, keys[i]), ==, keys[i + 1]);
    }
    qemu_opts_del(opts);
}

static void test_legacy_strings_parse_like_qemu(void)
{
    check_compat("stdio", false, (const char *[]){ "backend", "stdio", NULL });
    check_compat("null", false, (const char *[]){ "backend", "null", NULL });
    check_compat("pty", false, (const char *[]){ "backend", "pty", NULL });
    check_compat("mon:stdio", true, (const char *[]){
        "backend", "stdio", "mux", "on", "signal", "off", NULL });
    check_compat("file:/tmp/x,y", false, (const char *[]){
        "backend", "file", "path", "/tmp/x,y", NULL });
    check_compat("unix:/tmp/q.sock,server=on,wait=off", false,
                 (const char *[]){ "backend", "socket", "path", "/tmp/q.sock",
                                   "server", "on", "wait", "off", NULL });
    check_compat("tcp:127.0.0.1:4444,server=on,wait=off", false,
                 (const char *[]){ "backend", "socket", "host", "127.0.0.1",
                                   "port", "4444", "server", "on",
                                   "wait", "off", NULL });
    check_compat("tcp::4444", false, (const char *[]){
        "backend", "socket", "host", "", "port", "4444", NULL });
    check_compat("tcp:[::1]:4444", false, (const char *[]){
        "host", "::1", "port", "4444", NULL });
    check_compat("mon:tcp:localhost:5555,server=on", true, (const char *[]){
        "backend", "socket", "mux", "on", "host", "localhost", NULL });

    if (g_test_subprocess()) {
        g_assert_null(qemu_chr_parse_compat("c", "mon:stdio", false));
        g_assert_null(qemu_chr_parse_compat("c", "foo", false));
        g_assert_null(qemu_chr_parse_compat("c", "tcp:nohostport", false));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*mon: isn't supported in this context*"
                              "'foo' is not a valid char driver*"
                              "'tcp:nohostport' is not a valid char driver*");
}

static void expect_error(const char *params, const char *msg)
{
    Error *err = NULL;

    g_assert_null(chr_from_opts(params, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_bad_options_give_qemu_errors(void)
{
    g_autofree char *inuse = NULL;
    Chardev *chr;
    TestFE fe, fe2;
    Error *err = NULL;

    expect_error("foo,id=x", "'foo' is not a valid char driver name");
    expect_error("mux,id=x", "chardev: mux: no chardev given");
    expect_error("null", "chardev: no id specified");
    expect_error("id=x", "chardev: \"x\" missing backend");
    expect_error("socket,id=x", "chardev: socket: no host given");
    expect_error("socket,id=x,host=localhost",
                 "chardev: socket: no port given");
    expect_error("socket,id=x,path=/tmp/x,server=on,reconnect=1",
                 "'reconnect' option is incompatible with socket in server "
                 "listen mode");
    expect_error("socket,id=x,path=/nonexistent/dir/s",
                 "Failed to connect to '/nonexistent/dir/s': "
                 "No such file or directory");
    expect_error("file,id=x", "chardev: file: no filename given");
    expect_error("ringbuf,id=x,size=100",
                 "size of ringbuf chardev must be power of two");

    chr = qemu_chr_new("dup", "null", NULL);
    expect_error("null,id=dup", "Chardev with id 'dup' already exists");
    fe_attach(&fe, chr);
    g_assert_false(qemu_chr_fe_init(&fe2.be, chr, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'dup' is in use");
    error_free(err);
    err = NULL;
    g_assert_false(qemu_chr_remove("dup", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Chardev 'dup' is busy");
    error_free(err);
    fe_detach(&fe, false);
    g_assert_true(qemu_chr_remove("dup", &error_abort));
}

static ChardevInfo *find_chardev_info(ChardevInfoList *list,
                                      const char *label)
{
    for (; list; list = list->next) {
        if (!strcmp(list->value->label, label)) {
            return list->value;
        }
    }
    return NULL;
}

static void test_query_chardev_reports_label_filename_open(void)
{
    Chardev *chr = qemu_chr_new("q0", "null", NULL);
    g_autoptr(ChardevInfoList) before = qmp_query_chardev(&error_abort);
    g_autoptr(ChardevInfoList) after = NULL;
    g_autoptr(ChardevBackendInfoList) backends =
        qmp_query_chardev_backends(&error_abort);
    ChardevInfo *info;
    TestFE fe;
    bool saw_socket = false, saw_mux = false;

    info = find_chardev_info(before, "q0");
    g_assert_nonnull(info);
    g_assert_cmpstr(info->filename, ==, "null");
    g_assert_false(info->frontend_open);
    fe_attach(&fe, chr);
    after = qmp_query_chardev(&error_abort);
    g_assert_true(find_chardev_info(after, "q0")->frontend_open);
    fe_detach(&fe, true);

    for (ChardevBackendInfoList *l = backends; l; l = l->next) {
        const char *name = l->value->name;

        saw_socket |= !strcmp(name, "socket");
        saw_mux |= !strcmp(name, "mux");
    }
    g_assert_true(saw_socket && saw_mux);
}

static void test_chardev_help_lists_backends(void)
{
    if (g_test_subprocess()) {
        g_assert_null(chr_from_opts("help", &error_abort));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("Available chardev backend types: \n*"
                              "  pty\n*  ringbuf\n*  socket\n*  stdio\n*");
}

static void test_throttled_frontend_resumes_on_accept_input(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "thr.sock", NULL);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server=on,wait=off",
                                              path);
    Chardev *chr = qemu_chr_new("thr", legacy, NULL);
    TestFE fe;
    int fd;

    fe_attach(&fe, chr);
    fd = unix_connect(path);
    WAIT_UNTIL(fe.opened == 1);
    fe.room = 2;
    write_str(fd, "abcdef");
    WAIT_UNTIL(fe.in->len == 2);
    fe.room = 0;
    WAIT_UNTIL(chr->read_throttled);
    g_assert_cmpuint(fe.in->len, ==, 2);
    fe.room = 100;
    qemu_chr_fe_accept_input(&fe.be);
    WAIT_UNTIL(fe.in->len == 6);
    g_assert_cmpstr(fe.in->str, ==, "abcdef");
    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);
}

/*
 * A frontend that has room for more than a page gets more than a page per
 * read when the socket holds it (a QMP monitor inside a long string takes
 * 64 KiB, so a 16 MiB request is not 4,096 loop iterations), and never
 * more than it has room for.
 */
static void test_read_takes_what_the_frontend_has_room_for(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "room.sock", NULL);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server=on,wait=off",
                                              path);
    Chardev *chr = qemu_chr_new("room", legacy, NULL);
    g_autofree char *data = g_malloc(40000 + 1);
    TestFE fe;
    int fd;

    for (int i = 0; i < 40000; i++) {
        data[i] = 'a' + i % 26;
    }
    data[40000] = 0;
    fe_attach(&fe, chr);
    fd = unix_connect(path);
    WAIT_UNTIL(fe.opened == 1);

    /* The whole write is queued on the socket before the loop reads. */
    fe.room = 64 * 1024;
    write_str(fd, data);
    WAIT_UNTIL(fe.in->len == 40000);
    g_assert_cmpint(fe.max_read, >, 4096);
    g_assert_cmpstr(fe.in->str, ==, data);

    g_string_truncate(fe.in, 0);
    fe.max_read = 0;
    fe.room = 4096;
    write_str(fd, data);
    WAIT_UNTIL(fe.in->len == 40000);
    g_assert_cmpint(fe.max_read, ==, 4096);
    g_assert_cmpstr(fe.in->str, ==, data);

    close(fd);
    WAIT_UNTIL(fe.closed == 1);
    fe_detach(&fe, true);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    bql_lock();
    qemu_init_main_loop(&error_abort);
    tmpdir = g_dir_make_tmp("test-chardev-XXXXXX", NULL);

    g_test_add_func("/chardev/socket/unix-server-two-way-and-reconnect",
                    test_socket_unix_server_two_way_and_reconnect);
    g_test_add_func("/chardev/socket/tcp-server-port-zero",
                    test_socket_tcp_server_port_zero);
    g_test_add_func("/chardev/socket/wait-on-blocks-until-first-client",
                    test_socket_wait_on_blocks_until_first_client);
    g_test_add_func("/chardev/socket/client-connects-and-reconnects",
                    test_socket_client_connects_and_reconnects);
    g_test_add_func("/chardev/socket/peer-that-never-reads-is-bounded",
                    test_socket_peer_that_never_reads_is_bounded);
    g_test_add_func("/chardev/watch/added-by-a-watch-waits-for-next-iteration",
                    test_watch_added_by_a_watch_waits_for_the_next_iteration);
    g_test_add_func("/chardev/socket/peer-gone-mid-message-relistens",
                    test_socket_peer_gone_mid_message_goes_back_to_listening);
    g_test_add_func("/chardev/fe/throttled-frontend-resumes-on-accept-input",
                    test_throttled_frontend_resumes_on_accept_input);
    g_test_add_func("/chardev/fe/read-takes-what-the-frontend-has-room-for",
                    test_read_takes_what_the_frontend_has_room_for);
    g_test_add_func("/chardev/file/writes-and-appends",
                    test_file_backend_writes_and_appends);
    g_test_add_func("/chardev/null/swallows-output", test_null_swallows_output);
    g_test_add_func("/chardev/ringbuf/keeps-last-bytes",
                    test_ringbuf_keeps_last_bytes);
    g_test_add_func("/chardev/pty/opens-a-usable-pts-node",
                    test_pty_opens_a_usable_pts_node);
    g_test_add_func("/chardev/stdio/writes-to-stdout",
                    test_stdio_writes_to_stdout);
    g_test_add_func("/chardev/mux/focus-escapes-and-quit",
                    test_mux_focus_escapes_and_quit);
    g_test_add_func("/chardev/parse/legacy-strings-like-qemu",
                    test_legacy_strings_parse_like_qemu);
    g_test_add_func("/chardev/parse/bad-options-give-qemu-errors",
                    test_bad_options_give_qemu_errors);
    g_test_add_func("/chardev/query/label-filename-frontend-open",
                    test_query_chardev_reports_label_filename_open);
    g_test_add_func("/chardev/help/lists-backends",
                    test_chardev_help_lists_backends);

    ret = g_test_run();
    qemu_chr_cleanup();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
