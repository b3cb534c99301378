/*
 * The QMP monitor: the greeting, capabilities negotiation, a streaming
 * JSON reader per client, one response line per request, and out-of-band
 * execution.  Corresponds to QEMU's monitor/qmp.c.
 *
 * Requests run in the main loop with the BQL, as they are parsed, until
 * the client enables the "oob" capability.  From then on the monitor's
 * chardev is served by the monitor I/O thread (monitor.c), as QEMU serves
 * every QMP monitor whose chardev allows it: that thread parses, runs
 * "exec-oob" requests at once, and queues in-band ones (at most
 * QMP_REQ_QUEUE_LEN_MAX, then it stops reading) for qmp_dispatcher_bh in
 * the main loop.  QEMU moves the chardev at creation; qcore waits for the
 * client to ask, which the wire cannot tell apart (without oob QEMU runs
 * one request at a time in order too) and which keeps in-band requests
 * of other clients on the fast path, without a thread hop.
 *
 * An in-band command that asked the main loop for something (quit,
 * system_reset) is answered in the loop's next iteration, after the
 * events the loop sends for it, as QEMU's dispatcher coroutine does.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "monitor-internal.h"

void qmp_send_response(MonitorQMP *mon, const QDict *rsp)
{
    monitor_send_json(&mon->common, QOBJECT(rsp), mon->pretty);
}

QDict *qmp_greeting(MonitorQMP *mon)
{
    QDict *greeting = qdict_new();
    QDict *qmp = qdict_new();
    QList *caps = qlist_new();

    qdict_put_obj(qmp, "version", qmp_version_qobject());
    if (mon->oob_offered) {
        qlist_append_str(caps, "oob");
    }
    qdict_put(qmp, "capabilities", caps);
    qdict_put(greeting, "QMP", qmp);
    return greeting;
}

/* A request the I/O thread parsed, for the main loop. */
struct QMPRequest {
    MonitorQMP *mon;
    QObject *req;               /* exactly one of req and err */
    Error *err;
};

static void qmp_request_free(QMPRequest *req)
{
    qobject_unref(req->req);
    error_free(req->err);
    g_free(req);
}

/* Main thread, BQL: runs the queued in-band requests (QEMU's dispatcher). */
static QEMUBH *qmp_dispatcher_bh;
/*
 * BQL: an answer of the dispatcher's is held (see monitor_qmp_run_in_band);
 * it takes no request until release_bh has sent it, so that answers keep
 * the order of their requests.
 */
static bool qmp_dispatcher_held;

static bool qmp_oob_enabled(MonitorQMP *mon)
{
    bool enabled;

    qemu_mutex_lock(&mon->qmp_queue_lock);
    enabled = mon->oob_enabled;
    qemu_mutex_unlock(&mon->qmp_queue_lock);
    return enabled;
}

/* Run @req (or answer @err) and build the response. */
static QDict *monitor_qmp_response(MonitorQMP *mon, QObject *req, Error *err)
{
    bool negotiating = !qatomic_read(&mon->negotiated);
    QDict *rsp;

    if (err) {
        /* A parse error has no request and so no id to echo. */
        rsp = qmp_error_response(err);
    } else {
        rsp = qmp_dispatch(negotiating ? &qmp_cap_negotiation_commands
                                       : &qmp_commands,
                           req, qmp_oob_enabled(mon), &mon->common);
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
    return rsp;
}

static void monitor_qmp_respond(MonitorQMP *mon, QDict *rsp)
{
    qmp_send_response(mon, rsp);
    qobject_unref(rsp);
}

/*
 * Run an in-band request in the main loop.  A command that woke the main
 * loop (quit, system_reset, system_powerdown ask it for something done
 * at the end of this iteration) is answered after that iteration, so
 * that SHUTDOWN, RESET or POWERDOWN come first, as in QEMU, whose
 * dispatcher coroutine answers every command from the next iteration.
 * Returns false if the answer is held: the caller must wait for
 * release_bh before it runs the monitor's next request.
 */
static bool monitor_qmp_run_in_band(MonitorQMP *mon, QObject *req,
                                    Error *err)
{
    unsigned notified = qemu_notify_event_count();
    QDict *rsp = monitor_qmp_response(mon, req, err);

    if (qemu_notify_event_count() == notified) {
        monitor_qmp_respond(mon, rsp);
        return true;
    }
    assert(!mon->held_rsp);
    mon->held_rsp = rsp;
    qemu_bh_schedule(mon->release_bh);
    return false;
}

/*
 * The oldest request of some monitor, taking the monitors in turn so that
 * a busy one does not starve the others (QEMU's round robin): the monitor
 * served goes to the end of mon_list.  Returns with that monitor's
 * qmp_queue_lock held.
 */
static QMPRequest *monitor_qmp_requests_pop_any_with_lock(void)
{
    Monitor *mon;

    QTAILQ_FOREACH(mon, &mon_list, entry) {
        MonitorQMP *qmp;
        QMPRequest *req;

        if (!mon->is_qmp) {
            continue;
        }
        qmp = container_of(mon, MonitorQMP, common);
        qemu_mutex_lock(&qmp->qmp_queue_lock);
        req = qmp->qmp_requests ? g_queue_pop_head(qmp->qmp_requests) : NULL;
        if (req) {
            QTAILQ_REMOVE(&mon_list, mon, entry);
            QTAILQ_INSERT_TAIL(&mon_list, mon, entry);
            return req;
        }
        qemu_mutex_unlock(&qmp->qmp_queue_lock);
    }
    return NULL;
}

/* One request per run, so the main loop keeps turning between them. */
static void qmp_dispatcher(void *opaque)
{
    QMPRequest *req;
    MonitorQMP *mon;
    bool oob_enabled;

    if (qmp_dispatcher_held) {
        return;
    }
    req = monitor_qmp_requests_pop_any_with_lock();
    if (!req) {
        return;
    }
    mon = req->mon;
    /*
     * With oob the monitor stopped reading when the queue became full:
     * read again now that there is room, so that out-of-band requests get
     * through while this one runs.  Without oob it reads again once this
     * one is answered.  qmp_capabilities may change oob_enabled: keep
     * what applied when the request was queued.
     */
    oob_enabled = mon->oob_enabled;
    if (oob_enabled &&
        g_queue_get_length(mon->qmp_requests) == QMP_REQ_QUEUE_LEN_MAX - 1) {
        monitor_resume(&mon->common);
    }
    qemu_mutex_unlock(&mon->qmp_queue_lock);

    if (!monitor_qmp_run_in_band(mon, req->req, req->err)) {
        /* release_bh answers, resumes and runs us again. */
        mon->held_resume = !oob_enabled;
        mon->held_by_dispatcher = true;
        qmp_dispatcher_held = true;
        qmp_request_free(req);
        return;
    }
    if (!oob_enabled) {
        monitor_resume(&mon->common);
    }
    qmp_request_free(req);
    qemu_bh_schedule(qmp_dispatcher_bh);
}

/* Main loop, the iteration after a held answer was built. */
static void monitor_qmp_release_bh(void *opaque)
{
    MonitorQMP *mon = opaque;
    QMPRequest *req;

    monitor_qmp_release_held(mon);
    if (mon->held_by_dispatcher) {
        mon->held_by_dispatcher = false;
        qmp_dispatcher_held = false;
        qemu_bh_schedule(qmp_dispatcher_bh);
    }
    /* What was read behind the held request, in order, until one holds. */
    while ((req = g_queue_pop_head(mon->held_requests))) {
        bool done = monitor_qmp_run_in_band(mon, req->req, req->err);

        qmp_request_free(req);
        if (!done) {
            return;
        }
    }
    if (mon->held_resume) {
        mon->held_resume = false;
        monitor_resume(&mon->common);
    }
}

void monitor_qmp_release_held(MonitorQMP *mon)
{
    if (mon->held_rsp) {
        monitor_qmp_respond(mon, mon->held_rsp);
        mon->held_rsp = NULL;
    }
}

/* Drop what the last client queued and read again if that was why not. */
static void monitor_qmp_cleanup_queue_and_resume(MonitorQMP *mon)
{
    bool need_resume;

    if (!mon->qmp_requests) {
        return;
    }
    qemu_mutex_lock(&mon->qmp_queue_lock);
    /* The condition under which handle_qmp_command suspended us. */
    need_resume = (!mon->oob_enabled ||
                   g_queue_get_length(mon->qmp_requests) ==
                   QMP_REQ_QUEUE_LEN_MAX) &&
                  !g_queue_is_empty(mon->qmp_requests);
    while (!g_queue_is_empty(mon->qmp_requests)) {
        qmp_request_free(g_queue_pop_head(mon->qmp_requests));
    }
    qemu_mutex_unlock(&mon->qmp_queue_lock);
    if (need_resume) {
        monitor_resume(&mon->common);
    }
}

/* Main-loop mode, BQL: forget a held answer and what waited behind it. */
static void monitor_qmp_drop_held(MonitorQMP *mon)
{
    QMPRequest *req;

    qobject_unref(mon->held_rsp);
    mon->held_rsp = NULL;
    while ((req = g_queue_pop_head(mon->held_requests))) {
        qmp_request_free(req);
    }
    if (mon->held_resume) {
        mon->held_resume = false;
        monitor_resume(&mon->common);
    }
}

static void handle_qmp_command(void *opaque, QObject *req, Error *err)
{
    MonitorQMP *mon = opaque;
    QDict *qdict = qobject_to(QDict, req);
    QMPRequest *req_obj;

    assert(!req != !err);
    /* In the main loop: every request runs now, in order. */
    if (!qatomic_read(&mon->common.use_io_thread)) {
        if (mon->held_rsp || !g_queue_is_empty(mon->held_requests)) {
            /* Behind a held answer: wait for it (input is suspended). */
            req_obj = g_new0(QMPRequest, 1);
            req_obj->mon = mon;
            req_obj->req = req;
            req_obj->err = err;
            g_queue_push_tail(mon->held_requests, req_obj);
            return;
        }
        if (!monitor_qmp_run_in_band(mon, req, err)) {
            monitor_suspend(&mon->common);
            mon->held_resume = true;
        }
        qobject_unref(req);
        error_free(err);
        return;
    }

    /*
     * In the I/O thread: "exec-oob" runs here and now, without the BQL
     * (qmp_dispatch refuses it if oob is not enabled or the command does
     * not allow it), and may overtake queued in-band requests.
     */
    if (qdict && qmp_is_oob(qdict)) {
        monitor_qmp_respond(mon, monitor_qmp_response(mon, req, NULL));
        qobject_unref(req);
        return;
    }

    req_obj = g_new0(QMPRequest, 1);
    req_obj->mon = mon;
    req_obj->req = req;
    req_obj->err = err;
    qemu_mutex_lock(&mon->qmp_queue_lock);
    /*
     * Stop reading when no more requests may be queued after this one:
     * without oob that is at once (one request at a time, as before oob
     * existed), with oob when the queue is full.  The dispatcher resumes.
     * Nothing is ever dropped (QEMU 7.2 no longer sends COMMAND_DROPPED).
     */
    if (!mon->oob_enabled ||
        g_queue_get_length(mon->qmp_requests) == QMP_REQ_QUEUE_LEN_MAX - 1) {
        monitor_suspend(&mon->common);
    }
    assert(g_queue_get_length(mon->qmp_requests) < QMP_REQ_QUEUE_LEN_MAX);
    g_queue_push_tail(mon->qmp_requests, req_obj);
    qemu_mutex_unlock(&mon->qmp_queue_lock);
    qemu_bh_schedule(qmp_dispatcher_bh);
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
    monitor_qmp_cleanup_queue_and_resume(mon);
    if (!qatomic_read(&mon->common.use_io_thread)) {
        monitor_qmp_drop_held(mon);
    }
    json_message_parser_destroy(&mon->parser);
    json_message_parser_init(&mon->parser, handle_qmp_command, mon, NULL);
    qatomic_set(&mon->negotiated, false);
    qemu_mutex_lock(&mon->qmp_queue_lock);
    mon->oob_enabled = false;
    qemu_mutex_unlock(&mon->qmp_queue_lock);
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
        greeting = qmp_greeting(qmp);
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
    while (!g_queue_is_empty(mon->qmp_requests)) {
        qmp_request_free(g_queue_pop_head(mon->qmp_requests));
    }
    g_queue_free(mon->qmp_requests);
    qemu_mutex_destroy(&mon->qmp_queue_lock);
    qemu_bh_delete(mon->release_bh);
    qobject_unref(mon->held_rsp);
    while (!g_queue_is_empty(mon->held_requests)) {
        qmp_request_free(g_queue_pop_head(mon->held_requests));
    }
    g_queue_free(mon->held_requests);
}

static void monitor_qmp_set_handlers(MonitorQMP *mon, AioContext *ctx)
{
    /* No OPENED replayed: the client is the one already talking to us. */
    qemu_chr_fe_set_handlers_full(&mon->common.chr, monitor_can_read,
                                  monitor_qmp_read, monitor_qmp_event, NULL,
                                  &mon->common, ctx, false, false);
}

/* In the I/O thread, the main thread waiting: take the chardev over. */
static void monitor_qmp_attach_io_thread(void *opaque)
{
    MonitorQMP *mon = opaque;

    monitor_qmp_set_handlers(mon, qemu_get_current_aio_context());
    /* What the main thread could not write, and reading at our pace. */
    monitor_flush(&mon->common);
    qemu_chr_fe_accept_input(&mon->common.chr);
}

static void monitor_qmp_move_bh(void *opaque)
{
    MonitorQMP *mon = opaque;

    if (mon->common.use_io_thread) {
        return;
    }
    if (!qmp_dispatcher_bh) {
        qmp_dispatcher_bh = aio_bh_new(iohandler_get_aio_context(),
                                       qmp_dispatcher, NULL);
    }
    monitor_io_thread_bhs_init(&mon->common);
    /* The main loop's watch goes; the I/O thread sets its own if needed. */
    if (mon->common.out_watch) {
        qemu_chr_fe_remove_watch(&mon->common.chr, mon->common.out_watch);
        mon->common.out_watch = 0;
    }
    mon->common.throttled = false;
    /*
     * Published to the I/O thread by the BH scheduling below; the main
     * thread waits meanwhile, so the chardev has one owner at any time.
     */
    qatomic_set(&mon->common.use_io_thread, true);
    monitor_run_in_io_thread(monitor_qmp_attach_io_thread, mon);
}

void monitor_qmp_enable_oob(MonitorQMP *mon)
{
    qemu_mutex_lock(&mon->qmp_queue_lock);
    mon->oob_enabled = true;
    qemu_mutex_unlock(&mon->qmp_queue_lock);
    /*
     * We are inside the chardev's read callback: move it once that has
     * returned.  Requests read until then run here, in order.
     */
    if (!mon->common.use_io_thread) {
        aio_bh_schedule_oneshot(iohandler_get_aio_context(),
                                monitor_qmp_move_bh, mon);
    }
}

/* In the I/O thread, the main thread waiting: give the chardev back. */
static void monitor_qmp_detach_io_thread(void *opaque)
{
    MonitorQMP *mon = opaque;

    if (mon->common.out_watch) {
        qemu_chr_fe_remove_watch(&mon->common.chr, mon->common.out_watch);
        mon->common.out_watch = 0;
    }
    mon->common.throttled = false;
    monitor_qmp_set_handlers(mon, NULL);
    /* A flush_bh or accept_bh still pending must leave the chardev be. */
    qatomic_set(&mon->common.use_io_thread, false);
}

void monitor_qmp_leave_io_thread(MonitorQMP *mon)
{
    monitor_run_in_io_thread(monitor_qmp_detach_io_thread, mon);
    monitor_qmp_cleanup_queue_and_resume(mon);
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
    qemu_mutex_init(&mon->qmp_queue_lock);
    mon->qmp_requests = g_queue_new();
    mon->held_requests = g_queue_new();
    mon->release_bh = aio_bh_new(iohandler_get_aio_context(),
                                 monitor_qmp_release_bh, mon);
    mon->oob_offered = qemu_chr_fe_supports_context(&mon->common.chr);
    json_message_parser_init(&mon->parser, handle_qmp_command, mon, NULL);
    monitor_list_append(&mon->common);
    /* If the chardev is already open, OPENED (the greeting) comes now. */
    qemu_chr_fe_set_handlers(&mon->common.chr, monitor_can_read,
                             monitor_qmp_read, monitor_qmp_event, NULL,
                             &mon->common, NULL, true);
}
