/*
 * What QMP and HMP monitors share: the list of monitors, buffered
 * non-blocking output with back-pressure, the current monitor, event
 * broadcast, -mon and the flush at exit.  Corresponds to QEMU's
 * monitor/monitor.c.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "qapi/qapi-events.h"
#include "qapi/qmp-event.h"
#include "qcore/iothread.h"
#include "qcore/timer.h"
#include "monitor-internal.h"

/* Main thread, BQL held: created by vl.c, destroyed by monitor_cleanup. */
MonitorList mon_list = QTAILQ_HEAD_INITIALIZER(mon_list);

/*
 * The monitor whose command is running.  QEMU keys this by coroutine
 * because its commands may yield; qcore's never do, so one per thread:
 * the main thread's in-band commands and the I/O thread's out-of-band
 * ones each see their own.
 */
static __thread Monitor *cur_mon;

/*
 * The monitor I/O thread (QEMU's mon_iothread): created by the main
 * thread, BQL held, when the first client enables oob; stopped and
 * destroyed by monitor_cleanup.
 */
static IOThread *mon_iothread;

/* How much input one read may bring: several requests at once. */
#define MONITOR_READ_CHUNK 4096
/*
 * Inside a QMP string longer than this, reads take MONITOR_READ_CHUNK_LONG
 * (see monitor_can_read).
 */
#define MONITOR_LONG_STRING (64 * 1024)
#define MONITOR_READ_CHUNK_LONG (64 * 1024)
/* How long monitor_cleanup() waits for clients to take our last words. */
#define MONITOR_CLEANUP_FLUSH_MS 1000

Monitor *monitor_cur(void)
{
    return cur_mon;
}

Monitor *monitor_set_cur(Monitor *mon)
{
    Monitor *old = cur_mon;

    cur_mon = mon;
    return old;
}

bool monitor_is_qmp(const Monitor *mon)
{
    return mon->is_qmp;
}

/* ---- output ----------------------------------------------------------- */

/*
 * How much JSON is serialised per slice: about 0.1 ms of escaping here,
 * and 256 slices (loop iterations) for a 16 MiB answer.
 */
#define MONITOR_JSON_SLICE (64 * 1024)

/* Chardev thread. */
size_t monitor_pending_output(Monitor *mon)
{
    size_t pending;

    qemu_mutex_lock(&mon->mon_lock);
    pending = monitor_outbuf_pending(mon);
    qemu_mutex_unlock(&mon->mon_lock);
    return pending + qemu_chr_fe_get_pending(&mon->chr);
}

/* mon_lock held. */
static bool monitor_json_waiting(Monitor *mon)
{
    return mon->out_json || !g_queue_is_empty(&mon->out_later);
}

/* Chardev thread. */
bool monitor_output_backed_up(Monitor *mon)
{
    bool json;

    qemu_mutex_lock(&mon->mon_lock);
    json = monitor_json_waiting(mon);
    qemu_mutex_unlock(&mon->mon_lock);
    return json || monitor_pending_output(mon) > MONITOR_PENDING_MAX;
}

/*
 * A drained outbuf larger than this is given back rather than kept: a
 * slice of JSON fits (a new buffer per slice would fault its pages in
 * every time), a megabyte of HMP text does not.
 */
#define MONITOR_OUTBUF_KEEP (4 * MONITOR_JSON_SLICE)

static void monitor_outbuf_clear_locked(Monitor *mon)
{
    if (mon->outbuf->allocated_len > MONITOR_OUTBUF_KEEP) {
        /* One 16 MiB answer should not pin 16 MiB for the monitor's life. */
        g_string_free(mon->outbuf, true);
        mon->outbuf = g_string_new(NULL);
    } else {
        g_string_truncate(mon->outbuf, 0);
    }
    mon->out_head = 0;
}

/* mon_lock held: the client is gone, drop everything meant for it. */
static void monitor_output_drop_locked(Monitor *mon)
{
    QObject *obj;

    monitor_outbuf_clear_locked(mon);
    json_slice_writer_free(mon->out_json);
    mon->out_json = NULL;
    while ((obj = g_queue_pop_head(&mon->out_later))) {
        qobject_unref(obj);
    }
}

void monitor_outbuf_clear(Monitor *mon)
{
    qemu_mutex_lock(&mon->mon_lock);
    monitor_output_drop_locked(mon);
    qemu_mutex_unlock(&mon->mon_lock);
}

/*
 * mon_lock held: serialise at most one slice of the waiting messages
 * into outbuf, each ended by "\r\n" (QMP's line end, as QEMU writes it).
 * A monitor with no chardev (skip_flush) takes everything at once.
 */
static void monitor_json_produce_locked(Monitor *mon)
{
    size_t budget = mon->skip_flush ? SIZE_MAX : MONITOR_JSON_SLICE;
    size_t start = mon->outbuf->len;

    while (monitor_json_waiting(mon) && mon->outbuf->len - start < budget) {
        if (!mon->out_json) {
            QObject *obj = g_queue_pop_head(&mon->out_later);

            mon->out_json = json_slice_writer_new(obj, mon->out_pretty,
                                                  "\r\n");
            qobject_unref(obj);
        }
        if (json_slice_writer_step(mon->out_json, mon->outbuf,
                                   budget - (mon->outbuf->len - start))) {
            json_slice_writer_free(mon->out_json);
            mon->out_json = NULL;
            g_string_append_len(mon->outbuf, "\r\n", 2);
        }
    }
}

static void monitor_watch_output(Monitor *mon);

/*
 * The chardev took our output (its queue is empty) or lost its peer: write
 * what we still hold and, if we stopped reading because of output, start
 * again once it is small.
 */
static gboolean monitor_unblocked(void *do_not_use, GIOCondition cond,
                                  void *opaque)
{
    Monitor *mon = opaque;

    mon->out_watch = 0;
    monitor_flush(mon);
    if (mon->throttled) {
        if (!monitor_output_backed_up(mon)) {
            mon->throttled = false;
            qemu_chr_fe_accept_input(&mon->chr);
        } else {
            monitor_watch_output(mon);
        }
    }
    return G_SOURCE_REMOVE;
}

static void monitor_watch_output(Monitor *mon)
{
    if (!mon->out_watch) {
        mon->out_watch = qemu_chr_fe_add_watch(&mon->chr, G_IO_OUT | G_IO_HUP,
                                               monitor_unblocked, mon);
    }
}

/* Chardev thread, mon_lock held. */
static void monitor_flush_locked(Monitor *mon)
{
    size_t pending;
    int rc;

    if (mon->skip_flush || mon->mux_out) {
        return;
    }
    pending = monitor_outbuf_pending(mon);
    if (!pending) {
        /* The chardev took the last slice: the next, and only one. */
        monitor_json_produce_locked(mon);
        pending = monitor_outbuf_pending(mon);
        if (!pending) {
            return;
        }
    }
    rc = qemu_chr_fe_write(&mon->chr,
                           (const uint8_t *)mon->outbuf->str + mon->out_head,
                           MIN(pending, INT_MAX));
    if (rc < 0) {
        if (errno != EAGAIN) {
            /* The peer is gone; CLOSED follows from the loop. */
            monitor_output_drop_locked(mon);
            return;
        }
        rc = 0;
    }
    if ((size_t)rc == pending) {
        monitor_outbuf_clear_locked(mon);
        if (monitor_json_waiting(mon)) {
            /*
             * More to serialise: in a later iteration (the watch fires
             * once the chardev's queue is empty, at the latest in the
             * next round of bottom halves), never in a loop here.
             */
            monitor_watch_output(mon);
        }
        return;
    }
    /*
     * Erasing the written part from the front on every partial write
     * moved the rest each time: quadratic in a large answer.  Advance the
     * head instead, and move the rest down only once the written part is
     * the larger, so that each byte moves at most about once.
     */
    mon->out_head += rc;
    if (mon->out_head > mon->outbuf->len - mon->out_head) {
        g_string_erase(mon->outbuf, 0, mon->out_head);
        mon->out_head = 0;
    }
    /* The chardev's queue is full: go on when it has drained. */
    monitor_watch_output(mon);
}

void monitor_flush(Monitor *mon)
{
    /*
     * Only the chardev's thread may write to it: from the main thread a
     * monitor served by the I/O thread has it write (flush_bh).
     */
    if (qatomic_read(&mon->use_io_thread) && !monitor_in_io_thread()) {
        qemu_bh_schedule(mon->flush_bh);
        return;
    }
    qemu_mutex_lock(&mon->mon_lock);
    monitor_flush_locked(mon);
    qemu_mutex_unlock(&mon->mon_lock);
}

void monitor_write_raw(Monitor *mon, const char *buf, size_t len)
{
    qemu_mutex_lock(&mon->mon_lock);
    g_string_append_len(mon->outbuf, buf, len);
    qemu_mutex_unlock(&mon->mon_lock);
    monitor_flush(mon);
}

/*
 * "\n" goes out as "\r\n", for terminals in raw mode (QEMU does it too).
 * The text between newlines is copied a run at a time: per byte, this was
 * a fifth of the time spent on a 16 MiB QMP answer.
 */
static int monitor_puts_any(Monitor *mon, const char *str)
{
    size_t len = strlen(str), n = len;
    const char *p = str, *end = str + len, *nl;

    qemu_mutex_lock(&mon->mon_lock);
    while ((nl = memchr(p, '\n', end - p))) {
        g_string_append_len(mon->outbuf, p, nl - p);
        g_string_append_len(mon->outbuf, "\r\n", 2);
        p = nl + 1;
        n++;
    }
    g_string_append_len(mon->outbuf, p, end - p);
    qemu_mutex_unlock(&mon->mon_lock);
    monitor_flush(mon);
    return MIN(n, INT_MAX);
}

void monitor_send_json(Monitor *mon, const QObject *obj, bool pretty)
{
    qemu_mutex_lock(&mon->mon_lock);
    mon->out_pretty = pretty;
    g_queue_push_tail(&mon->out_later, qobject_ref((QObject *)obj));
    /*
     * A message alone starts now (most are done in this one slice); one
     * behind a message still being written waits for its turn.
     */
    if (!mon->out_json) {
        monitor_json_produce_locked(mon);
    }
    qemu_mutex_unlock(&mon->mon_lock);
    monitor_flush(mon);
}

int monitor_puts(Monitor *mon, const char *str)
{
    if (!mon) {
        return -1;
    }
    return monitor_puts_any(mon, str);
}

int monitor_vprintf(Monitor *mon, const char *fmt, va_list ap)
{
    g_autofree char *buf = NULL;

    /* Stray text would corrupt a QMP stream: QEMU drops it, so do we. */
    if (!mon || mon->is_qmp) {
        return -1;
    }
    buf = g_strdup_vprintf(fmt, ap);
    return monitor_puts_any(mon, buf);
}

int monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = monitor_vprintf(mon, fmt, ap);
    va_end(ap);
    return ret;
}

/* ---- input ------------------------------------------------------------ */

int monitor_can_read(void *opaque)
{
    Monitor *mon = opaque;

    if (qatomic_read(&mon->suspend_cnt)) {
        return 0;
    }
    /*
     * Back-pressure: every request produces output, so a client that
     * does not read what we write must not be allowed to send more.
     * The watch resumes us when the chardev's queue has drained.
     */
    if (monitor_output_backed_up(mon)) {
        mon->throttled = true;
        monitor_watch_output(mon);
        return 0;
    }
    /*
     * The I/O thread reads a byte at a time, as QEMU does: a request that
     * fills the queue suspends the monitor before the next one is read.
     */
    if (qatomic_read(&mon->use_io_thread)) {
        return 1;
    }
    /*
     * A megabyte string (a QMP "id") costs a loop iteration, a read() and
     * a main-loop dispatch per chunk: take it in chunks of 64 KiB, about
     * 0.1-0.3 ms of lexing each.  Only inside a long string, where the
     * bytes read are the string's: pipelined small requests stay at
     * MONITOR_READ_CHUNK per read, so one callback runs few commands.
     * At most once per long string, the read that holds its end brings up
     * to 64 KiB of requests after it.
     */
    if (mon->is_qmp &&
        json_message_parser_string_len(&container_of(mon, MonitorQMP,
                                                     common)->parser)
        >= MONITOR_LONG_STRING) {
        return MONITOR_READ_CHUNK_LONG;
    }
    return MONITOR_READ_CHUNK;
}

/* Any thread. */
int monitor_suspend(Monitor *mon)
{
    qatomic_inc(&mon->suspend_cnt);
    return 0;
}

/* Any thread; the chardev thread takes input again. */
void monitor_resume(Monitor *mon)
{
    int cnt = qatomic_fetch_dec(&mon->suspend_cnt);

    assert(cnt > 0);
    if (cnt != 1) {
        return;
    }
    if (qatomic_read(&mon->use_io_thread) && !monitor_in_io_thread()) {
        qemu_bh_schedule(mon->accept_bh);
    } else {
        qemu_chr_fe_accept_input(&mon->chr);
    }
}

/* ---- the monitor I/O thread ------------------------------------------ */

AioContext *monitor_io_thread_ctx(void)
{
    assert_bql_held();
    if (!mon_iothread) {
        /* The thread is "IO mon_iothread", as QEMU's. */
        mon_iothread = iothread_create("mon_iothread", &error_abort);
    }
    return iothread_get_aio_context(mon_iothread);
}

bool monitor_in_io_thread(void)
{
    return mon_iothread &&
           qemu_get_current_aio_context() ==
           iothread_get_aio_context(mon_iothread);
}

typedef struct IOThreadCall {
    void (*fn)(void *);
    void *opaque;
    QemuEvent done;
} IOThreadCall;

static void monitor_io_thread_call_bh(void *opaque)
{
    IOThreadCall *call = opaque;

    call->fn(call->opaque);
    qemu_event_set(&call->done);
}

void monitor_run_in_io_thread(void (*fn)(void *), void *opaque)
{
    IOThreadCall call = { fn, opaque };

    qemu_event_init(&call.done, false);
    aio_bh_schedule_oneshot(monitor_io_thread_ctx(),
                            monitor_io_thread_call_bh, &call);
    /* The callee must not need the BQL, which we hold. */
    qemu_event_wait(&call.done);
    qemu_event_destroy(&call.done);
}

static void monitor_flush_bh(void *opaque)
{
    Monitor *mon = opaque;

    if (!qatomic_read(&mon->use_io_thread)) {
        return;
    }
    qemu_mutex_lock(&mon->mon_lock);
    monitor_flush_locked(mon);
    qemu_mutex_unlock(&mon->mon_lock);
}

static void monitor_accept_bh(void *opaque)
{
    Monitor *mon = opaque;

    if (qatomic_read(&mon->use_io_thread) &&
        !qatomic_read(&mon->suspend_cnt)) {
        qemu_chr_fe_accept_input(&mon->chr);
    }
}

void monitor_io_thread_bhs_init(Monitor *mon)
{
    AioContext *ctx = monitor_io_thread_ctx();

    if (!mon->flush_bh) {
        mon->flush_bh = aio_bh_new(ctx, monitor_flush_bh, mon);
        mon->accept_bh = aio_bh_new(ctx, monitor_accept_bh, mon);
    }
}

/* ---- life cycle ------------------------------------------------------- */

void monitor_data_init(Monitor *mon, bool is_qmp, bool skip_flush)
{
    mon->is_qmp = is_qmp;
    mon->skip_flush = skip_flush;
    qemu_mutex_init(&mon->mon_lock);
    mon->outbuf = g_string_new(NULL);
    g_queue_init(&mon->out_later);
}

void monitor_data_destroy(Monitor *mon)
{
    /* A skip_flush monitor (human-monitor-command) never had a chardev. */
    if (!mon->skip_flush) {
        if (mon->out_watch) {
            qemu_chr_fe_remove_watch(&mon->chr, mon->out_watch);
            mon->out_watch = 0;
        }
        qemu_chr_fe_deinit(&mon->chr, false);
    }
    if (mon->is_qmp) {
        monitor_data_destroy_qmp(container_of(mon, MonitorQMP, common));
    } else {
        monitor_data_destroy_hmp(container_of(mon, MonitorHMP, common));
    }
    if (mon->flush_bh) {
        qemu_bh_delete(mon->flush_bh);
        qemu_bh_delete(mon->accept_bh);
    }
    monitor_output_drop_locked(mon);
    g_string_free(mon->outbuf, true);
    qemu_mutex_destroy(&mon->mon_lock);
}

void monitor_list_append(Monitor *mon)
{
    QTAILQ_INSERT_TAIL(&mon_list, mon, entry);
}

/* ---- events ----------------------------------------------------------- */

void monitor_qapi_event_emit(const char *name, QDict *data)
{
    QDict *event = qdict_new();
    QDict *timestamp = qdict_new();
    int64_t now_us = g_get_real_time();
    Monitor *mon;

    assert_bql_held();
    qdict_put_int(timestamp, "seconds", now_us / G_USEC_PER_SEC);
    qdict_put_int(timestamp, "microseconds", now_us % G_USEC_PER_SEC);
    qdict_put(event, "timestamp", timestamp);
    qdict_put_str(event, "event", name);
    if (data) {
        qdict_put(event, "data", data);
    }

    QTAILQ_FOREACH(mon, &mon_list, entry) {
        MonitorQMP *qmp;

        if (!mon->is_qmp) {
            continue;
        }
        qmp = container_of(mon, MonitorQMP, common);
        /* Before negotiation a client only expects answers to it. */
        if (qatomic_read(&qmp->negotiated)) {
            qmp_send_response(qmp, event);
        }
    }
    qobject_unref(event);
}

/* ---- -mon ------------------------------------------------------------- */

QemuOptsList qemu_mon_opts = {
    .name = "mon",
    .implied_opt_name = "chardev",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_mon_opts.head),
    .desc = {
        { .name = "mode", .type = QEMU_OPT_STRING,
          .help = "readline (HMP, default) or control (QMP)" },
        { .name = "chardev", .type = QEMU_OPT_STRING,
          .help = "the chardev to put the monitor on" },
        { .name = "pretty", .type = QEMU_OPT_BOOL,
          .help = "indent QMP output" },
        { /* end of list */ }
    },
};

int monitor_init_opts(QemuOpts *opts, Error **errp)
{
    const char *chardev = qemu_opt_get(opts, "chardev");
    const char *mode = qemu_opt_get(opts, "mode");
    bool pretty = qemu_opt_get_bool(opts, "pretty", false);
    Error *local_err = NULL;
    Chardev *chr;

    if (!chardev) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return -1;
    }
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
        error_setg(errp, "Parameter 'mode' does not accept value '%s'", mode);
        return -1;
    }
    chr = qemu_chr_find(chardev);
    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", chardev);
        return -1;
    }
    if (mode && !strcmp(mode, "control")) {
        monitor_init_qmp(chr, pretty, &local_err);
    } else {
        if (pretty) {
            error_setg(errp, "'pretty' is not compatible with HMP monitors");
            return -1;
        }
        monitor_init_hmp(chr, true, &local_err);
    }
    if (local_err) {
        error_propagate(errp, local_err);
        return -1;
    }
    return 0;
}

static bool monitor_mux_mon_init(Chardev *chr, Error **errp)
{
    Error *local_err = NULL;

    monitor_init_hmp(chr, true, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    return true;
}

void monitor_init_qmp_globals(void)
{
    /* The rest of qmp_commands: monitor_register_commands(). */
    if (QTAILQ_EMPTY(&qmp_cap_negotiation_commands)) {
        qmp_register_command(&qmp_cap_negotiation_commands,
                             "qmp_capabilities",
                             qmp_marshal_qmp_capabilities,
                             QCO_ALLOW_PRECONFIG, 0);
    }
    qapi_event_set_emitter(monitor_qapi_event_emit);
}

void monitor_init_globals(void)
{
    qemu_chr_set_mux_mon_init(monitor_mux_mon_init);
    monitor_init_qmp_globals();
}

/* ---- exit ------------------------------------------------------------- */

static bool monitors_have_output(void)
{
    Monitor *mon;

    QTAILQ_FOREACH(mon, &mon_list, entry) {
        if (mon->skip_flush || mon->mux_out) {
            continue;
        }
        if (qemu_chr_fe_backend_open(&mon->chr) &&
            (monitor_pending_output(mon) || monitor_output_backed_up(mon))) {
            return true;
        }
    }
    return false;
}

static void monitor_flush_deadline(void *opaque)
{
    *(bool *)opaque = true;
}

void monitor_cleanup(void)
{
    bool expired = false;
    QEMUTimer *deadline;
    Monitor *mon, *next;

    assert_bql_held();
    /*
     * The I/O thread gives every chardev back to the main loop, which
     * then finishes the output as for any monitor; queued in-band
     * requests are dropped, as QEMU drops them.
     */
    QTAILQ_FOREACH(mon, &mon_list, entry) {
        if (mon->use_io_thread) {
            monitor_qmp_leave_io_thread(container_of(mon, MonitorQMP,
                                                     common));
        }
    }
    /* Answers held for after the loop's last iteration: that was it. */
    QTAILQ_FOREACH(mon, &mon_list, entry) {
        if (mon->is_qmp) {
            monitor_qmp_release_held(container_of(mon, MonitorQMP, common));
        }
        monitor_flush(mon);
    }

    /*
     * The chardevs write their queues from the main loop: keep it
     * turning until every connected client has our last words (the
     * answer to "quit", the SHUTDOWN event), or the deadline passes.
     */
    deadline = timer_new_ms(QEMU_CLOCK_REALTIME, monitor_flush_deadline,
                            &expired);
    timer_mod(deadline, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              MONITOR_CLEANUP_FLUSH_MS);
    while (!expired && monitors_have_output()) {
        main_loop_wait(false);
    }
    timer_free(deadline);

    QTAILQ_FOREACH_SAFE(mon, &mon_list, entry, next) {
        QTAILQ_REMOVE(&mon_list, mon, entry);
        monitor_data_destroy(mon);
        g_free(mon);
    }
    if (mon_iothread) {
        iothread_destroy(mon_iothread);
        mon_iothread = NULL;
    }
}
