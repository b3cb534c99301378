/*
 * The QMP monitor: the greeting, capabilities negotiation, a streaming
 * JSON reader per client and one response line per request.  Corresponds
 * to QEMU's monitor/qmp.c (without the out-of-band machinery: requests
 * are executed as they are parsed, in the main loop with the BQL held).
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "monitor-internal.h"

void qmp_send_response(MonitorQMP *mon, const QDict *rsp)
{
    GString *json = qobject_to_json_pretty(QOBJECT(rsp), mon->pretty);

    /* One message per line; the monitor makes the "\n" a "\r\n". */
    g_string_append_c(json, '\n');
    monitor_puts_take(&mon->common, json);
}

QDict *qmp_greeting(void)
{
    QDict *greeting = qdict_new();
    QDict *qmp = qdict_new();

    qdict_put_obj(qmp, "version", qmp_version_qobject());
    /* No "oob": qcore runs every command in the main loop. */
    qdict_put(qmp, "capabilities", qlist_new());
    qdict_put(greeting, "QMP", qmp);
    return greeting;
}

static void handle_qmp_command(void *opaque, QObject *req, Error *err)
{
    MonitorQMP *mon = opaque;
    bool negotiating = !mon->negotiated;
    QDict *rsp;

    assert(!req != !err);
    if (err) {
        /* A parse error has no request and so no id to echo. */
        rsp = qmp_error_response(err);
        error_free(err);
    } else {
        rsp = qmp_dispatch(mon->negotiated ? &qmp_commands
                                           : &qmp_cap_negotiation_commands,
                           req, &mon->common);
        qobject_unref(req);
    }

    if (negotiating) {
        QDict *error = qdict_get_qdict(rsp, "error");

        /* In negotiation mode every other command is "not found". */
        if (error && !g_strcmp0(qdict_get_try_str(error, "class"),
                                ErrorClass_str(ERROR_CLASS_COMMAND_NOT_FOUND))) {
            qdict_put_str(error, "desc", "Expecting capabilities negotiation "
                          "with 'qmp_capabilities'");
        }
    }
    qmp_send_response(mon, rsp);
    qobject_unref(rsp);
}

static void monitor_qmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    MonitorQMP *qmp = container_of(mon, MonitorQMP, common);

    json_message_parser_feed(&qmp->parser, (const char *)buf, size);
}

static void monitor_qmp_reset(MonitorQMP *mon)
{
    /* Drop a half-received request and whatever the last client left. */
    json_message_parser_destroy(&mon->parser);
    json_message_parser_init(&mon->parser, handle_qmp_command, mon, NULL);
    mon->negotiated = false;
    monitor_outbuf_clear(&mon->common);
    if (mon->common.out_watch) {
        qemu_chr_fe_remove_watch(&mon->common.chr, mon->common.out_watch);
        mon->common.out_watch = 0;
    }
    if (mon->common.throttled) {
        mon->common.throttled = false;
        qemu_chr_fe_accept_input(&mon->common.chr);
    }
}

static void monitor_qmp_event(void *opaque, QEMUChrEvent event)
{
    Monitor *mon = opaque;
    MonitorQMP *qmp = container_of(mon, MonitorQMP, common);
    QDict *greeting;

    switch (event) {
    case CHR_EVENT_OPENED:
        monitor_qmp_reset(qmp);
        greeting = qmp_greeting();
        qmp_send_response(qmp, greeting);
        qobject_unref(greeting);
        break;
    case CHR_EVENT_CLOSED:
        monitor_qmp_reset(qmp);
        break;
    case CHR_EVENT_MUX_IN:
        mon->mux_out = false;
        monitor_flush(mon);
        break;
    case CHR_EVENT_MUX_OUT:
        mon->mux_out = true;
        break;
    case CHR_EVENT_BREAK:
        break;
    }
}

void monitor_data_destroy_qmp(MonitorQMP *mon)
{
    json_message_parser_destroy(&mon->parser);
}

void monitor_init_qmp(Chardev *chr, bool pretty, Error **errp)
{
    MonitorQMP *mon = g_new0(MonitorQMP, 1);

    assert_bql_held();
    monitor_init_qmp_globals();
    if (!qemu_chr_fe_init(&mon->common.chr, chr, errp)) {
        g_free(mon);
        return;
    }
    monitor_data_init(&mon->common, true, false);
    mon->pretty = pretty;
    json_message_parser_init(&mon->parser, handle_qmp_command, mon, NULL);
    monitor_list_append(&mon->common);
    /* If the chardev is already open, OPENED (the greeting) comes now. */
    qemu_chr_fe_set_handlers(&mon->common.chr, monitor_can_read,
                             monitor_qmp_read, monitor_qmp_event, NULL,
                             &mon->common, NULL, true);
}
