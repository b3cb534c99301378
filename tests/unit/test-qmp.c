/*
 * Unit tests for the monitors: QMP over a real unix socket chardev
 * (greeting, negotiation, request and argument checking with QEMU's
 * messages, id echo, events, back-pressure, disconnects, out-of-band
 * execution in the monitor I/O thread, quit), the
 * command table against query-qmp-schema, and HMP over a socket.  The
 * main loop is driven with main_loop_wait(); nothing sleeps or times.
 * One file past 800 lines on purpose: every test shares the socket
 * client below and the order (quit last) matters.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/main-loop.h"
#include "qcore/monitor.h"
#include "qcore/object-interfaces.h"
#include "qapi/qapi-events.h"
#include "qapi/qmp-event.h"
#include "qcore/qjson.h"
#include "qcore/runstate.h"
#include "monitor-internal.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

static char *tmpdir;

#define WAIT_UNTIL(cond)                \
    do {                                \
        while (!(cond)) {               \
            main_loop_wait(false);      \
        }                               \
    } while (0)

/* ---- a client ---------------------------------------------------------- */

typedef struct Client {
    int fd;
    GString *in;            /* received, not yet consumed */
    Monitor *mon;           /* the server side */
} Client;

/* Put a monitor on a fresh socket chardev; returns the socket's path. */
static char *server_new(const char *label, bool qmp, bool pretty,
                        Monitor **mon)
{
    char *path = g_strdup_printf("%s/%s.sock", tmpdir, label);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);
    Chardev *chr = qemu_chr_new(label, spec, NULL);

    g_assert_nonnull(chr);
    if (qmp) {
        monitor_init_qmp(chr, pretty, &error_abort);
    } else {
        monitor_init_hmp(chr, true, &error_abort);
    }
    *mon = QTAILQ_LAST(&mon_list);
    return path;
}

static void client_connect(Client *c, const char *path, Monitor *mon)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(c->fd, >=, 0);
    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_assert_cmpint(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)),
                    ==, 0);
    c->in = g_string_new(NULL);
    c->mon = mon;
}

static void client_close(Client *c)
{
    close(c->fd);
    g_string_free(c->in, true);
}

static size_t client_fill(Client *c)
{
    char buf[65536];
    ssize_t n;
    size_t total = 0;

    while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        g_string_append_len(c->in, buf, n);
        total += n;
    }
    return total;
}

static void client_send(Client *c, const char *s)
{
    g_assert_cmpint(send(c->fd, s, strlen(s), MSG_NOSIGNAL), ==, strlen(s));
}

/* The next "\r\n"-terminated line, without the terminator. */
static char *client_line(Client *c)
{
    const char *eol;
    char *line;

    WAIT_UNTIL((client_fill(c), eol = strstr(c->in->str, "\r\n")));
    line = g_strndup(c->in->str, eol - c->in->str);
    g_string_erase(c->in, 0, eol - c->in->str + 2);
    return line;
}

/* Wait until @text has arrived and consume everything up to its end. */
static void client_expect(Client *c, const char *text)
{
    const char *at;

    WAIT_UNTIL((client_fill(c), at = strstr(c->in->str, text)));
    g_string_erase(c->in, 0, at - c->in->str + strlen(text));
}

static QDict *client_msg(Client *c)
{
    g_autofree char *line = client_line(c);
    QDict *msg = qdict_from_json(line, &error_abort);

    return msg;
}

/* Send one request and return the next message (the response). */
static QDict *qmp(Client *c, const char *request)
{
    client_send(c, request);
    return client_msg(c);
}

static void assert_error(QDict *rsp, const char *cls, const char *desc)
{
    QDict *error = qdict_get_qdict(rsp, "error");

    g_assert_nonnull(error);
    g_assert_cmpstr(qdict_get_str(error, "class"), ==, cls);
    g_assert_cmpstr(qdict_get_str(error, "desc"), ==, desc);
    g_assert_cmpuint(qdict_size(error), ==, 2);
}

static void assert_generic_error(Client *c, const char *request,
                                 const char *desc)
{
    g_autoptr(QDict) rsp = qmp(c, request);

    assert_error(rsp, "GenericError", desc);
    g_assert_false(qdict_haskey(rsp, "id"));
}

static void assert_return_empty(QDict *rsp)
{
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_assert_nonnull(ret);
    g_assert_cmpuint(qdict_size(ret), ==, 0);
}

/* Connect, check the greeting line, negotiate. */
static void qmp_client_ready(Client *c, const char *path, Monitor *mon)
{
    g_autofree char *greeting = NULL;
    g_autoptr(QDict) rsp = NULL;

    client_connect(c, path, mon);
    greeting = client_line(c);
    g_assert_cmpstr(greeting, ==,
                    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 8, "
                    "\"minor\": 2, \"micro\": 0}, \"package\": \"qcore-"
                    QCORE_VERSION "\"}, \"capabilities\": [\"oob\"]}}");
    rsp = qmp(c, "{\"execute\": \"qmp_capabilities\"}");
    assert_return_empty(rsp);
}

/* ---- QMP protocol ------------------------------------------------------ */

static void test_greeting_and_negotiation(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("neg", true, false, &mon);
    g_autofree char *greeting = NULL;
    Client c;
    QDict *rsp;

    client_connect(&c, path, mon);
    greeting = client_line(&c);
    /* A socket can move to the monitor I/O thread: oob is offered. */
    g_assert_nonnull(strstr(greeting, "\"capabilities\": [\"oob\"]"));

    /* Before qmp_capabilities, every other command is "not found". */
    rsp = qmp(&c, "{\"execute\": \"query-status\", \"id\": 1}");
    assert_error(rsp, "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'");
    g_assert_cmpint(qdict_get_int(rsp, "id"), ==, 1);
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"no-such-command\"}");
    assert_error(rsp, "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'");
    qobject_unref(rsp);
    /* Malformed requests keep their own errors. */
    assert_generic_error(&c, "[]", "QMP input must be a JSON object");

    /*
     * Where the chardev cannot move to the I/O thread (a mux) oob is not
     * offered, and asking for it fails.
     */
    container_of(mon, MonitorQMP, common)->oob_offered = false;
    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\", "
              "\"arguments\": {\"enable\": [\"oob\"]}}");
    assert_error(rsp, "GenericError", "Capability 'oob' not available");
    qobject_unref(rsp);
    container_of(mon, MonitorQMP, common)->oob_offered = true;
    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\", "
              "\"arguments\": {\"enable\": [\"foo\"]}}");
    assert_error(rsp, "GenericError",
                 "Parameter 'null' does not accept value 'foo'");
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\", "
              "\"arguments\": {\"enable\": []}}");
    assert_return_empty(rsp);
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\"}");
    assert_error(rsp, "CommandNotFound",
                 "Capabilities negotiation is already complete, command "
                 "ignored");
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"no-such-command\"}");
    assert_error(rsp, "CommandNotFound",
                 "The command no-such-command has not been found");
    qobject_unref(rsp);
    client_close(&c);
}

static void test_request_validation(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("val", true, false, &mon);
    Client c;
    QDict *rsp;

    qmp_client_ready(&c, path, mon);
    assert_generic_error(&c, "[1, 2]", "QMP input must be a JSON object");
    assert_generic_error(&c, "\"execute\"", "QMP input must be a JSON object");
    assert_generic_error(&c, "{}", "QMP input lacks member 'execute'");
    assert_generic_error(&c, "{\"execute\": 1}",
                         "QMP input member 'execute' must be a string");
    assert_generic_error(&c, "{\"execute\": \"query-status\", "
                         "\"arguments\": []}",
                         "QMP input member 'arguments' must be an object");
    assert_generic_error(&c, "{\"execute\": \"query-status\", \"foo\": 1}",
                         "QMP input member 'foo' is unexpected");
    /* No out-of-band execution here: exec-oob is just unexpected. */
    assert_generic_error(&c, "{\"exec-oob\": \"query-status\"}",
                         "QMP input member 'exec-oob' is unexpected");

    /* A parse error costs one error, and the next request is served. */
    client_send(&c, "{\"execute\" 1}\n");
    rsp = client_msg(&c);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "class"), ==,
                    "GenericError");
    g_assert_true(g_str_has_prefix(
        qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"),
        "JSON parse error"));
    g_assert_false(qdict_haskey(rsp, "id"));
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"query-name\"}");
    g_assert_nonnull(qdict_get_qdict(rsp, "return"));
    qobject_unref(rsp);
    client_close(&c);
}

static void test_argument_checking(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("args", true, false, &mon);
    Client c;

    qmp_client_ready(&c, path, mon);
    assert_generic_error(&c, "{\"execute\": \"qom-get\", "
                         "\"arguments\": {\"property\": \"type\"}}",
                         "Parameter 'path' is missing");
    assert_generic_error(&c, "{\"execute\": \"qom-list\", "
                         "\"arguments\": {\"path\": 1}}",
                         "Invalid parameter type for 'path', expected: "
                         "string");
    assert_generic_error(&c, "{\"execute\": \"query-status\", "
                         "\"arguments\": {\"x\": 1}}",
                         "Parameter 'x' is unexpected");
    assert_generic_error(&c, "{\"execute\": \"qom-list\", "
                         "\"arguments\": {\"path\": \"/\", \"x\": 1}}",
                         "Parameter 'x' is unexpected");
    assert_generic_error(&c, "{\"execute\": \"qom-list-types\", "
                         "\"arguments\": {\"abstract\": \"yes\"}}",
                         "Invalid parameter type for 'abstract', expected: "
                         "boolean");
    assert_generic_error(&c, "{\"execute\": \"human-monitor-command\", "
                         "\"arguments\": {\"command-line\": \"help\", "
                         "\"cpu-index\": 1.5}}",
                         "Invalid parameter type for 'cpu-index', expected: "
                         "integer");
    assert_generic_error(&c, "{\"execute\": \"qmp_capabilities\", "
                         "\"arguments\": {\"enable\": {}}}",
                         "Invalid parameter type for 'enable', expected: "
                         "array");
    /* Members are checked in order: missing before unexpected. */
    assert_generic_error(&c, "{\"execute\": \"qom-get\", "
                         "\"arguments\": {\"bogus\": 1}}",
                         "Parameter 'path' is missing");
    client_close(&c);
}

static void test_id_is_echoed_whatever_its_type(void)
{
    static const char *const ids[] = {
        "42", "-1.5", "\"abc\"", "{\"a\": [1, {\"b\": null}]}", "[true]",
        "null", "false",
    };
    Monitor *mon;
    g_autofree char *path = server_new("ids", true, false, &mon);
    Client c;
    size_t i;

    qmp_client_ready(&c, path, mon);
    for (i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *ok = g_strdup_printf(
            "{\"execute\": \"query-name\", \"id\": %s}", ids[i]);
        g_autofree char *bad = g_strdup_printf(
            "{\"id\": %s, \"execute\": \"nope\"}", ids[i]);
        g_autoptr(QObject) id = qobject_from_json(ids[i], &error_abort);
        g_autoptr(QDict) rsp1 = qmp(&c, ok);
        g_autoptr(QDict) rsp2 = qmp(&c, bad);

        g_assert_true(qobject_is_equal(qdict_get(rsp1, "id"), id));
        g_assert_nonnull(qdict_get(rsp1, "return"));
        g_assert_true(qobject_is_equal(qdict_get(rsp2, "id"), id));
        assert_error(rsp2, "CommandNotFound",
                     "The command nope has not been found");
    }
    /* Wire order: the result first, then the id. */
    client_send(&c, "{\"execute\": \"query-name\", \"id\": \"x\"}");
    g_autofree char *line = client_line(&c);
    g_assert_cmpstr(line, ==, "{\"return\": {}, \"id\": \"x\"}");
    client_close(&c);
}

static void test_requests_split_and_batched(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("batch", true, false, &mon);
    const char *req = "{\"execute\": \"query-name\", \"id\": 7}";
    Client c;
    int i;

    qmp_client_ready(&c, path, mon);
    /* One request a byte at a time, the loop running in between. */
    for (i = 0; req[i]; i++) {
        g_assert_cmpint(send(c.fd, req + i, 1, 0), ==, 1);
        main_loop_wait(true);
    }
    g_autoptr(QDict) rsp = client_msg(&c);
    g_assert_cmpint(qdict_get_int(rsp, "id"), ==, 7);

    /* Three in one write, answered in order. */
    client_send(&c, "{\"execute\":\"query-name\",\"id\":1}"
                "{\"execute\":\"query-name\",\"id\":2}\n"
                "{\"execute\":\"query-name\",\"id\":3}");
    for (i = 1; i <= 3; i++) {
        g_autoptr(QDict) r = client_msg(&c);

        g_assert_cmpint(qdict_get_int(r, "id"), ==, i);
    }
    client_close(&c);
}

static void test_pretty_output(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("pretty", true, true, &mon);
    Client c;

    client_connect(&c, path, mon);
    client_expect(&c, "{\r\n    \"QMP\": {\r\n        \"version\": {\r\n");
    client_expect(&c, "\"capabilities\": [\r\n            \"oob\"\r\n"
                  "        ]\r\n    }\r\n}\r\n");
    client_send(&c, "{\"execute\": \"qmp_capabilities\"}");
    client_expect(&c, "{\r\n    \"return\": {\r\n    }\r\n}\r\n");
    client_close(&c);
}

/* ---- commands ---------------------------------------------------------- */

static void test_query_commands_version_status(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("cmds", true, false, &mon);
    const QmpCommand *cmd;
    g_autoptr(QDict) cmds = NULL, ver = NULL, status = NULL, name = NULL;

    QListEntry *e;
    QDict *info;
    Client c;
    int n = 0;

    qmp_client_ready(&c, path, mon);
    cmds = qmp(&c, "{\"execute\": \"query-commands\"}");
    QLIST_FOREACH_ENTRY(qdict_get_qlist(cmds, "return"), e) {
        info = qobject_to(QDict, qlist_entry_obj(e));
        g_assert_nonnull(qmp_find_command(&qmp_commands,
                                          qdict_get_str(info, "name")));
        n++;
    }
    QTAILQ_FOREACH(cmd, &qmp_commands, node) {
        n--;
    }
    g_assert_cmpint(n, ==, 0);

    ver = qmp(&c, "{\"execute\": \"query-version\"}");
    info = qdict_get_qdict(ver, "return");
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(info, "qemu"), "major"), ==,
                    8);
    g_assert_cmpstr(qdict_get_str(info, "package"), ==,
                    "qcore-" QCORE_VERSION);

    status = qmp(&c, "{\"execute\": \"query-status\"}");
    info = qdict_get_qdict(status, "return");
    g_assert_cmpstr(qdict_get_str(info, "status"), ==,
                    RunState_str(runstate_get()));
    g_assert_cmpint(qdict_get_bool(info, "running"), ==,
                    runstate_is_running());
    g_assert_false(qdict_get_bool(info, "singlestep"));
    g_assert_cmpuint(qdict_size(info), ==, 3);

    name = qmp(&c, "{\"execute\": \"query-name\"}");
    info = qdict_get_qdict(name, "return");
    g_assert_cmpstr(qdict_get_try_str(info, "name"), ==, qemu_get_vm_name());
    client_close(&c);
}

/* Every type name the schema mentions must be defined in it. */
static void check_type_defined(GHashTable *defined, QDict *info,
                               const char *key)
{
    const char *type = qdict_get_try_str(info, key);

    if (type) {
        g_assert_true(g_hash_table_contains(defined, type));
    }
}

static void test_schema_describes_exactly_what_exists(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("schema", true, false, &mon);
    g_autoptr(GHashTable) defined = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(QDict) rsp = NULL;
    const QmpCommand *cmd;
    QListEntry *e, *m;
    QList *schema;
    int commands = 0, events = 0;
    Client c;

    qmp_client_ready(&c, path, mon);
    rsp = qmp(&c, "{\"execute\": \"query-qmp-schema\"}");
    schema = qdict_get_qlist(rsp, "return");
    g_assert_nonnull(schema);

    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *info = qobject_to(QDict, qlist_entry_obj(e));
        const char *name = qdict_get_str(info, "name");

        /* Names are unique. */
        g_assert_false(g_hash_table_contains(defined, name));
        g_hash_table_add(defined, (gpointer)name);
    }
    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *info = qobject_to(QDict, qlist_entry_obj(e));
        const char *meta = qdict_get_str(info, "meta-type");

        if (!strcmp(meta, "command")) {
            g_assert_nonnull(qmp_find_command(&qmp_commands,
                                              qdict_get_str(info, "name")));
            check_type_defined(defined, info, "arg-type");
            check_type_defined(defined, info, "ret-type");
            commands++;
        } else if (!strcmp(meta, "event")) {
            check_type_defined(defined, info, "arg-type");
            events++;
        } else if (!strcmp(meta, "array")) {
            check_type_defined(defined, info, "element-type");
        } else if (!strcmp(meta, "object")) {
            QList *variants = qdict_get_qlist(info, "variants");

            QLIST_FOREACH_ENTRY(qdict_get_qlist(info, "members"), m) {
                check_type_defined(defined,
                                   qobject_to(QDict, qlist_entry_obj(m)),
                                   "type");
            }
            if (variants) {
                QLIST_FOREACH_ENTRY(variants, m) {
                    check_type_defined(defined,
                                       qobject_to(QDict, qlist_entry_obj(m)),
                                       "type");
                }
            }
        } else if (!strcmp(meta, "enum")) {
            g_assert_nonnull(qdict_get_qlist(info, "members"));
        } else if (!strcmp(meta, "alternate")) {
            QLIST_FOREACH_ENTRY(qdict_get_qlist(info, "members"), m) {
                check_type_defined(defined,
                                   qobject_to(QDict, qlist_entry_obj(m)),
                                   "type");
            }
        } else {
            g_assert_cmpstr(meta, ==, "builtin");
            g_assert_nonnull(qdict_get_try_str(info, "json-type"));
        }
    }
    QTAILQ_FOREACH(cmd, &qmp_commands, node) {
        commands--;
    }
    g_assert_cmpint(commands, ==, 0);
    g_assert_cmpint(events, ==, QAPI_EVENT__MAX);
    /* QEMU's name masking: types are found by reference, never by name. */
    g_assert_false(g_hash_table_contains(defined, "StatusInfo"));
    g_assert_false(g_hash_table_contains(defined, "q_obj_qom-get-arg"));
    g_assert_true(g_hash_table_contains(defined, "int"));
    client_close(&c);
}

static void test_human_monitor_command(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("hmc", true, false, &mon);
    g_autoptr(QDict) status = NULL, unknown = NULL, missing = NULL;
    g_autoptr(QDict) mainloop = NULL, iothreads = NULL;
    Client c;

    qmp_client_ready(&c, path, mon);
    status = qmp(&c, "{\"execute\": \"human-monitor-command\", "
                 "\"arguments\": {\"command-line\": \"info status\"}}");
    g_assert_cmpstr(qdict_get_str(status, "return"), ==,
                    "VM status: running\r\n");

    unknown = qmp(&c, "{\"execute\": \"human-monitor-command\", "
                  "\"arguments\": {\"command-line\": \"frobnicate 1\"}}");
    g_assert_cmpstr(qdict_get_str(unknown, "return"), ==,
                    "unknown command: 'frobnicate'\r\n");

    mainloop = qmp(&c, "{\"execute\": \"human-monitor-command\", "
                   "\"arguments\": {\"command-line\": \"info mainloop\"}}");
    g_assert_true(g_str_has_prefix(qdict_get_str(mainloop, "return"),
                                   "main loop: "));
    iothreads = qmp(&c, "{\"execute\": \"query-iothreads\"}");
    g_assert_nonnull(qdict_get_qlist(iothreads, "return"));

    missing = qmp(&c, "{\"execute\": \"human-monitor-command\", "
                  "\"arguments\": {\"command-line\": \"qom-get /objects\"}}");
    g_assert_cmpstr(qdict_get_str(missing, "return"), ==,
                    "qom-get: string expected\r\n"
                    "Try \"help qom-get\" for more information\r\n");
    client_close(&c);
}

/* ---- QOM through QMP and HMP ------------------------------------------ */

/* A user-creatable type for object-add: a string and a uint32. */
typedef struct TestObj {
    Object parent_obj;
    char *label;
    uint32_t count;
} TestObj;

static char *test_obj_get_label(Object *obj, Error **errp)
{
    return g_strdup(((TestObj *)obj)->label ?: "");
}

static void test_obj_set_label(Object *obj, const char *value, Error **errp)
{
    TestObj *t = (TestObj *)obj;

    g_free(t->label);
    t->label = g_strdup(value);
}

static QObject *test_obj_get_count(Object *obj, const char *name,
                                   void *opaque, Error **errp)
{
    return QOBJECT(qnum_from_uint(((TestObj *)obj)->count));
}

static void test_obj_set_count(Object *obj, const char *name,
                               const QObject *value, void *opaque,
                               Error **errp)
{
    uint64_t v;

    if (object_property_value_uint(value, name, UINT32_MAX, "uint32_t", &v,
                                   errp)) {
        ((TestObj *)obj)->count = v;
    }
}

static void test_obj_finalize(Object *obj)
{
    g_free(((TestObj *)obj)->label);
}

static void test_obj_class_init(ObjectClass *oc, const void *data)
{
    /* Class properties: object-add accepts those of the type. */
    object_class_property_add_str(oc, "label", test_obj_get_label,
                                  test_obj_set_label);
    object_class_property_add(oc, "count", "uint32", test_obj_get_count,
                              test_obj_set_count, NULL, NULL);
}

static const TypeInfo test_obj_info = {
    .name = "test-obj",
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestObj),
    .instance_finalize = test_obj_finalize,
    .class_init = test_obj_class_init,
    .interfaces = (InterfaceInfo[]) { { TYPE_USER_CREATABLE }, { NULL } },
};

static void test_obj_register(void)
{
    type_register_static(&test_obj_info);
}
type_init(test_obj_register)

static void test_qom_commands(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("qom", true, false, &mon);
    bool found = false;
    QListEntry *e;
    QDict *rsp;
    Client c;

    qmp_client_ready(&c, path, mon);
    /*
     * object-add takes the schema's ObjectOptions, whose qom-type enum
     * lists the types qcore offers (as QEMU's); HMP's object_add, like
     * -object, takes any user-creatable type.
     */
    rsp = qmp(&c, "{\"execute\": \"object-add\", \"arguments\": "
              "{\"qom-type\": \"test-obj\", \"id\": \"t0\", "
              "\"label\": \"hi\", \"count\": 3}}");
    assert_error(rsp, "GenericError",
                 "Parameter 'qom-type' does not accept value 'test-obj'");
    qobject_unref(rsp);
#define HMP(line) \
    "{\"execute\": \"human-monitor-command\", " \
    "\"arguments\": {\"command-line\": \"" line "\"}}"
    rsp = qmp(&c, HMP("object_add test-obj,id=t0,label=hi,count=3"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "");
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"qom-list\", "
              "\"arguments\": {\"path\": \"/objects\"}}");
    QLIST_FOREACH_ENTRY(qdict_get_qlist(rsp, "return"), e) {
        QDict *prop = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(prop, "name"), "t0")) {
            g_assert_cmpstr(qdict_get_str(prop, "type"), ==,
                            "child<test-obj>");
            found = true;
        }
    }
    g_assert_true(found);
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"qom-get\", \"arguments\": "
              "{\"path\": \"/objects/t0\", \"property\": \"label\"}}");
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "hi");
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"qom-set\", \"arguments\": "
              "{\"path\": \"/objects/t0\", \"property\": \"count\", "
              "\"value\": 7}}");
    assert_return_empty(rsp);
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"qom-get\", \"arguments\": "
              "{\"path\": \"t0\", \"property\": \"count\"}}");
    g_assert_cmpint(qdict_get_int(rsp, "return"), ==, 7);
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"qom-get\", \"arguments\": "
              "{\"path\": \"/nowhere\", \"property\": \"x\"}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "class"), ==,
                    "DeviceNotFound");
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"object-add\", \"arguments\": "
              "{\"id\": \"t9\"}}");
    assert_error(rsp, "GenericError", "Parameter 'qom-type' is missing");
    qobject_unref(rsp);

    rsp = qmp(&c, "{\"execute\": \"object-del\", "
              "\"arguments\": {\"id\": \"t0\"}}");
    assert_return_empty(rsp);
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"object-del\", "
              "\"arguments\": {\"id\": \"t0\"}}");
    g_assert_nonnull(qdict_get_qdict(rsp, "error"));
    qobject_unref(rsp);

    /* HMP's QOM commands, through human-monitor-command. */
    rsp = qmp(&c, HMP("object_add test-obj,id=t1,count=5"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-get /objects/t1 count"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "5\r\n");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-set /objects/t1 count 9"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-set -j /objects/t1 label \\\"x y\\\""));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-get /objects/t1 label"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "\"x y\"\r\n");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-list /objects"));
    g_assert_nonnull(strstr(qdict_get_str(rsp, "return"),
                            "t1 (child<test-obj>)\r\n"));
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("info qom-tree /objects"));
    g_assert_true(g_str_has_prefix(qdict_get_str(rsp, "return"),
                                   "/objects (container)\r\n"));
    g_assert_nonnull(strstr(qdict_get_str(rsp, "return"),
                            "  /t1 (test-obj)\r\n"));
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("qom-set /nowhere count 1"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==,
                    "Error: Device '/nowhere' not found\r\n");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("object_del t1"));
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "");
    qobject_unref(rsp);
    rsp = qmp(&c, HMP("object_del t1"));
    g_assert_true(g_str_has_prefix(qdict_get_str(rsp, "return"), "Error: "));
    qobject_unref(rsp);
#undef HMP
    client_close(&c);
}

/* ---- events ------------------------------------------------------------ */

static void assert_event(QDict *msg, const char *name, int64_t before_s,
                         int64_t after_s)
{
    QDict *ts = qdict_get_qdict(msg, "timestamp");
    int64_t us;

    g_assert_cmpstr(qdict_get_str(msg, "event"), ==, name);
    g_assert_nonnull(ts);
    g_assert_cmpuint(qdict_size(ts), ==, 2);
    g_assert_cmpint(qdict_get_int(ts, "seconds"), >=, before_s);
    g_assert_cmpint(qdict_get_int(ts, "seconds"), <=, after_s);
    us = qdict_get_int(ts, "microseconds");
    g_assert_cmpint(us, >=, 0);
    g_assert_cmpint(us, <, 1000000);
}

static void test_events_go_to_negotiated_monitors(void)
{
    Monitor *mon1, *mon2;
    g_autofree char *path1 = server_new("ev1", true, false, &mon1);
    g_autofree char *path2 = server_new("ev2", true, false, &mon2);
    int64_t before = g_get_real_time() / G_USEC_PER_SEC;
    g_autofree char *greeting = NULL;
    QDict *data, *msg;
    Client a, b;

    qmp_client_ready(&a, path1, mon1);
    client_connect(&b, path2, mon2);
    greeting = client_line(&b);

    data = qdict_new();
    qdict_put_str(data, "reason", "host-signal");
    qdict_put_bool(data, "guest", false);
    monitor_qapi_event_emit("SHUTDOWN", data);
    monitor_qapi_event_emit("STOP", NULL);

    msg = client_msg(&a);
    assert_event(msg, "SHUTDOWN", before, g_get_real_time() / G_USEC_PER_SEC);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(msg, "data"), "reason"), ==,
                    "host-signal");
    qobject_unref(msg);
    msg = client_msg(&a);
    assert_event(msg, "STOP", before, g_get_real_time() / G_USEC_PER_SEC);
    g_assert_false(qdict_haskey(msg, "data"));
    g_assert_cmpuint(qdict_size(msg), ==, 2);
    qobject_unref(msg);

    /* The client still negotiating saw nothing: its next line answers. */
    msg = qmp(&b, "{\"execute\": \"qmp_capabilities\", \"id\": \"b\"}");
    g_assert_cmpstr(qdict_get_str(msg, "id"), ==, "b");
    qobject_unref(msg);
    client_close(&a);
    client_close(&b);
}

static void test_stop_and_cont_emit_events(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("stopcont", true, false, &mon);
    int64_t before = g_get_real_time() / G_USEC_PER_SEC;
    g_autofree char *hmp = NULL;
    QDict *msg;
    Client c;

    qmp_client_ready(&c, path, mon);
    if (!runstate_is_running()) {
        msg = qmp(&c, "{\"execute\": \"cont\"}");
        assert_event(msg, "RESUME", before, G_MAXINT64);
        qobject_unref(msg);
        qobject_unref(client_msg(&c));
    }
    /* The event is emitted while the command runs: it comes first. */
    msg = qmp(&c, "{\"execute\": \"stop\", \"id\": 1}");
    assert_event(msg, "STOP", before, G_MAXINT64);
    qobject_unref(msg);
    msg = client_msg(&c);
    assert_return_empty(msg);
    qobject_unref(msg);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_PAUSED);

    msg = qmp(&c, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"info status\"}}");
    g_assert_cmpstr(qdict_get_str(msg, "return"), ==,
                    "VM status: paused\r\n");
    qobject_unref(msg);

    /* Stopping again is no change and no event. */
    msg = qmp(&c, "{\"execute\": \"stop\"}");
    assert_return_empty(msg);
    qobject_unref(msg);

    msg = qmp(&c, "{\"execute\": \"cont\"}");
    assert_event(msg, "RESUME", before, G_MAXINT64);
    qobject_unref(msg);
    msg = client_msg(&c);
    assert_return_empty(msg);
    qobject_unref(msg);
    g_assert_true(runstate_is_running());
    client_close(&c);
}

/* ---- robustness -------------------------------------------------------- */

static void test_client_that_never_reads_is_throttled(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("slow", true, false, &mon);
    const char *req = "{\"execute\":\"query-version\"}\n";
    size_t sent = 0, answered = 0, max_pending = 0;
    Client c;
    int round;

    qmp_client_ready(&c, path, mon);
    g_assert_cmpint(fcntl(c.fd, F_SETFL, O_NONBLOCK), ==, 0);

    /*
     * Send as fast as the socket takes it, never reading.  The server
     * stops reading once its output backs up, so our writes eventually
     * fail with EAGAIN while its memory stays bounded.
     */
    for (round = 0; round < 400; round++) {
        while (send(c.fd, req, strlen(req), MSG_NOSIGNAL) ==
               (ssize_t)strlen(req)) {
            sent++;
        }
        main_loop_wait(true);
        max_pending = MAX(max_pending, monitor_pending_output(mon));
    }
    g_assert_true(mon->throttled);
    /* One read past the bound at most: a chunk of requests' answers. */
    g_assert_cmpuint(max_pending, <=, MONITOR_PENDING_MAX + 64 * 1024);

    /* Now read: every request is answered, none lost. */
    while (answered < sent) {
        char *eol;

        client_fill(&c);
        while ((eol = strstr(c.in->str, "\r\n"))) {
            g_string_erase(c.in, 0, eol - c.in->str + 2);
            answered++;
        }
        main_loop_wait(true);
    }
    g_assert_cmpuint(answered, ==, sent);
    g_assert_false(mon->throttled);
    client_close(&c);
}

static void test_disconnect_mid_request_leaves_no_state(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("gone", true, false, &mon);
    MonitorQMP *qmp_mon = container_of(mon, MonitorQMP, common);
    QDict *rsp;
    Client c;

    qmp_client_ready(&c, path, mon);
    client_send(&c, "{\"execute\": \"query-");
    main_loop_wait(true);
    main_loop_wait(true);
    client_close(&c);
    WAIT_UNTIL(!qmp_mon->negotiated);

    /* The next client is greeted and must negotiate again. */
    client_connect(&c, path, mon);
    g_free(client_line(&c));
    rsp = qmp(&c, "{\"execute\": \"query-status\"}");
    assert_error(rsp, "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'");
    qobject_unref(rsp);
    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\"}");
    assert_return_empty(rsp);
    qobject_unref(rsp);
    client_close(&c);
}

/* ---- HMP --------------------------------------------------------------- */

static void test_hmp_over_socket(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("hmp", false, false, &mon);
    Client c;

    client_connect(&c, path, mon);
    client_expect(&c, "qcore " QCORE_VERSION " monitor - type 'help' for "
                  "more information\r\n(qemu) ");
    client_send(&c, "info name\r");
    client_expect(&c, "info name\r\n");
    client_expect(&c, "(qemu) ");

    client_send(&c, "help info\r");
    client_expect(&c, "info status  -- show the current VM status "
                  "(running|paused)\r\n");
    client_expect(&c, "(qemu) ");

    /* Tab completion of a command name, then run it. */
    client_send(&c, "info stat\t");
    client_expect(&c, "us ");
    client_send(&c, "\r");
    client_expect(&c, "VM status: ");
    client_expect(&c, "(qemu) ");

    client_send(&c, "nosuch\r");
    client_expect(&c, "unknown command: 'nosuch'\r\n(qemu) ");
    client_send(&c, "cont extra\r");
    /* QEMU names the command with its aliases here. */
    client_expect(&c, "cont|c: extraneous characters at the end of line\r\n"
                  "Try \"help cont\" for more information\r\n");
    client_close(&c);
}

/* ---- out-of-band ------------------------------------------------------- */

static QDict *dispatch_json(const char *json, bool allow_oob)
{
    QObject *req = qobject_from_json(json, &error_abort);
    QDict *rsp = qmp_dispatch(&qmp_commands, req, allow_oob, NULL);

    qobject_unref(req);
    return rsp;
}

/* QEMU's qapi/qmp-dispatch.c rules for "exec-oob", without a monitor. */
static void test_dispatch_exec_oob_rules(void)
{
    QDict *rsp;

    rsp = dispatch_json("{\"exec-oob\": \"query-yank\"}", false);
    assert_error(rsp, "GenericError",
                 "QMP input member 'exec-oob' is unexpected");
    qobject_unref(rsp);
    rsp = dispatch_json("{\"exec-oob\": \"query-status\", \"id\": 1}", true);
    assert_error(rsp, "GenericError",
                 "The command query-status does not support OOB");
    g_assert_cmpint(qdict_get_int(rsp, "id"), ==, 1);
    qobject_unref(rsp);
    rsp = dispatch_json("{\"execute\": \"query-name\", "
                        "\"exec-oob\": \"query-yank\"}", true);
    assert_error(rsp, "GenericError",
                 "QMP input member 'exec-oob' clashes with 'execute'");
    qobject_unref(rsp);
    rsp = dispatch_json("{\"exec-oob\": []}", true);
    assert_error(rsp, "GenericError",
                 "QMP input member 'exec-oob' must be a string");
    qobject_unref(rsp);
    /* An allow-oob command may also run in-band. */
    rsp = dispatch_json("{\"execute\": \"query-yank\"}", false);
    g_assert_nonnull(qdict_get_qlist(rsp, "return"));
    qobject_unref(rsp);
    rsp = dispatch_json("{\"exec-oob\": \"query-yank\"}", true);
    g_assert_nonnull(qdict_get_qlist(rsp, "return"));
    qobject_unref(rsp);
}

/*
 * The I/O thread writes without waking the main loop: watch the client's
 * socket from the main loop too, so that WAIT_UNTIL wakes when it can
 * read.  (client_fill consumes what made it readable.)
 */
static void client_readable(void *opaque)
{
}

/*
 * The test is the main loop: while it does not turn, an in-band request
 * stays queued, and only the monitor I/O thread can answer an exec-oob
 * one.  So the oob answer arriving first is proof it ran there.
 */
static void test_oob_runs_in_the_io_thread_while_main_loop_waits(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("oob", true, false, &mon);
    MonitorQMP *qmp_mon = container_of(mon, MonitorQMP, common);
    g_autofree char *line = NULL;
    QDict *rsp;
    Client c;

    client_connect(&c, path, mon);
    g_free(client_line(&c));
    rsp = qmp(&c, "{\"execute\": \"qmp_capabilities\", "
              "\"arguments\": {\"enable\": [\"oob\"]}}");
    assert_return_empty(rsp);
    qobject_unref(rsp);
    WAIT_UNTIL(qatomic_read(&mon->use_io_thread));

    client_send(&c, "{\"execute\": \"query-name\", \"id\": \"in-band\"}"
                "{\"exec-oob\": \"query-yank\", \"id\": \"oob\"}");
    /* Blocking read, no main_loop_wait: only the I/O thread can answer. */
    while (!strstr(c.in->str, "\r\n")) {
        char buf[4096];
        ssize_t n = recv(c.fd, buf, sizeof(buf), 0);

        g_assert_cmpint(n, >, 0);
        g_string_append_len(c.in, buf, n);
    }
    rsp = client_msg(&c);
    g_assert_cmpstr(qdict_get_str(rsp, "id"), ==, "oob");
    g_assert_nonnull(qdict_get_qlist(rsp, "return"));
    qobject_unref(rsp);
    /* The in-band one waits in the queue for the main loop. */
    qemu_mutex_lock(&qmp_mon->qmp_queue_lock);
    g_assert_cmpuint(g_queue_get_length(qmp_mon->qmp_requests), ==, 1);
    qemu_mutex_unlock(&qmp_mon->qmp_queue_lock);
    qemu_set_fd_handler(c.fd, client_readable, NULL, NULL);
    rsp = client_msg(&c);
    g_assert_cmpstr(qdict_get_str(rsp, "id"), ==, "in-band");
    qobject_unref(rsp);

    /* Events from the main loop reach it through the I/O thread. */
    monitor_qapi_event_emit("POWERDOWN", NULL);
    line = client_line(&c);
    g_assert_nonnull(strstr(line, "\"event\": \"POWERDOWN\""));
    qemu_set_fd_handler(c.fd, NULL, NULL, NULL);
    client_close(&c);
}

/*
 * Last: it shuts the (test) machine down.  As QEMU 7.2: SHUTDOWN (sent
 * when the main loop ends its iteration) comes before the answer to
 * quit, and no STOP follows.
 */
static void test_quit_answers_after_shutdown(void)
{
    Monitor *mon;
    g_autofree char *path = server_new("quit", true, false, &mon);
    QDict *msg;
    Client c;
    int status = -1;

    qmp_client_ready(&c, path, mon);
    client_send(&c, "{\"execute\": \"quit\", \"id\": \"bye\"}");
    /* The answer is built and held: nothing comes until the loop ends. */
    WAIT_UNTIL(container_of(mon, MonitorQMP, common)->held_rsp);

    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0);
    monitor_cleanup();
    msg = client_msg(&c);
    g_assert_cmpstr(qdict_get_str(msg, "event"), ==, "SHUTDOWN");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(msg, "data"), "reason"), ==,
                    "host-qmp-quit");
    qobject_unref(msg);
    msg = client_msg(&c);
    assert_return_empty(msg);
    g_assert_cmpstr(qdict_get_str(msg, "id"), ==, "bye");
    qobject_unref(msg);
    /* monitor_cleanup wrote everything: nothing else came (no STOP). */
    client_fill(&c);
    g_assert_cmpuint(c.in->len, ==, 0);
    client_close(&c);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    bql_lock();
    qemu_init_main_loop(&error_abort);
    monitor_init_globals();
    monitor_register_commands();
    vm_start();
    tmpdir = g_dir_make_tmp("test-qmp-XXXXXX", NULL);

    g_test_add_func("/monitor/qmp/greeting-and-negotiation",
                    test_greeting_and_negotiation);
    g_test_add_func("/monitor/qmp/request-validation", test_request_validation);
    g_test_add_func("/monitor/qmp/argument-checking", test_argument_checking);
    g_test_add_func("/monitor/qmp/id-is-echoed-whatever-its-type",
                    test_id_is_echoed_whatever_its_type);
    g_test_add_func("/monitor/qmp/requests-split-and-batched",
                    test_requests_split_and_batched);
    g_test_add_func("/monitor/qmp/pretty-output", test_pretty_output);
    g_test_add_func("/monitor/qmp/query-commands-version-status",
                    test_query_commands_version_status);
    g_test_add_func("/monitor/qmp/schema-describes-exactly-what-exists",
                    test_schema_describes_exactly_what_exists);
    g_test_add_func("/monitor/qmp/human-monitor-command",
                    test_human_monitor_command);
    g_test_add_func("/monitor/qmp/qom-commands", test_qom_commands);
    g_test_add_func("/monitor/qmp/events-go-to-negotiated-monitors",
                    test_events_go_to_negotiated_monitors);
    g_test_add_func("/monitor/qmp/stop-and-cont-emit-events",
                    test_stop_and_cont_emit_events);
    g_test_add_func("/monitor/qmp/client-that-never-reads-is-throttled",
                    test_client_that_never_reads_is_throttled);
    g_test_add_func("/monitor/qmp/disconnect-mid-request-leaves-no-state",
                    test_disconnect_mid_request_leaves_no_state);
    g_test_add_func("/monitor/hmp/over-socket", test_hmp_over_socket);
    g_test_add_func("/monitor/qmp/dispatch-exec-oob-rules",
                    test_dispatch_exec_oob_rules);
    g_test_add_func("/monitor/qmp/oob-runs-in-the-io-thread-while-main-loop-"
                    "waits",
                    test_oob_runs_in_the_io_thread_while_main_loop_waits);
    g_test_add_func("/monitor/shutdown/quit-answers-after-shutdown",
                    test_quit_answers_after_shutdown);
    ret = g_test_run();

    qemu_chr_cleanup();
    g_autofree char *cmd = g_strdup_printf("rm -rf %s", tmpdir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(tmpdir);
    return ret;
}
