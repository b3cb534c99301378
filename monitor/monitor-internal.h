/*
 * What the files of monitor/ share: the Monitor structures, the QMP
 * command table and dispatcher, and the typed QMP command functions HMP
 * calls.  Corresponds to QEMU's monitor/monitor-internal.h plus the parts
 * of qapi/qmp-dispatch.h and the generated qapi-commands-*.h qcore needs.
 *
 * Locking: the BQL, except where a field says otherwise.  A QMP monitor
 * whose client enabled out-of-band execution has its chardev served by
 * the monitor I/O thread ("mon_iothread", QEMU's name), which parses
 * requests, runs the out-of-band ones there and queues the in-band ones
 * for the main loop; the fields that thread shares are marked below.
 */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/monitor.h"
#include "qcore/qjson.h"
#include "qcore/qobject.h"
#include "qcore/queue.h"
#include "qcore/readline.h"
#include "qcore/thread.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands.h"

/*
 * Stop reading a client's input while more than this many bytes of our
 * output wait for it: a client that sends requests but never reads the
 * answers costs at most about this much memory, plus one answer.
 */
#define MONITOR_PENDING_MAX (64 * 1024)

/*
 * In-band requests a QMP monitor with oob enabled queues before it stops
 * reading (QEMU's QMP_REQ_QUEUE_LEN_MAX); without oob it queues one.
 */
#define QMP_REQ_QUEUE_LEN_MAX 8

/* ---- Monitors (monitor.c) --------------------------------------------- */

/*
 * "Chardev thread": the thread that owns the chardev, the main thread
 * (BQL) until use_io_thread is set, the monitor I/O thread afterwards.
 */
struct Monitor {
    CharBackend chr;            /* chardev thread */
    bool is_qmp;
    /* Output with no chardev is kept in outbuf (human-monitor-command). */
    bool skip_flush;
    bool reset_seen;            /* an HMP monitor saw CHR_EVENT_OPENED */
    bool mux_out;               /* a mux gave the focus to someone else */
    /*
     * Set by the main thread, BQL held, only while the I/O thread waits
     * for it (monitor_qmp_move_to_io_thread); read by either thread.
     */
    bool use_io_thread;
    int suspend_cnt;            /* > 0: do not read input; atomic */
    bool throttled;             /* chardev thread: can_read said 0
                                   because of output */
    /*
     * mon_lock protects outbuf and out_head: with use_io_thread the main
     * thread appends (answers to in-band commands, events) while the I/O
     * thread appends and writes.  A message is appended whole under the
     * lock, so answers from the two threads never interleave.
     */
    QemuMutex mon_lock;
    GString *outbuf;            /* output the chardev has not taken yet */
    size_t out_head;            /* ...from here on: outbuf[0..out_head)
                                   is written, dropped lazily */
    /*
     * mon_lock, like outbuf: QMP messages are serialised into outbuf a
     * slice (MONITOR_JSON_SLICE bytes) at a time, the next slice once
     * the chardev has taken the last, so that a 16 MiB answer costs the
     * loop no more per iteration than a small one.  out_json is the
     * message being written; the ones sent meanwhile wait, whole, in
     * out_later (QObject *, oldest first, our references), so that
     * nothing interleaves with it.
     */
    JSONSliceWriter *out_json;
    GQueue out_later;
    bool out_pretty;            /* how out_later is to be written */
    guint out_watch;            /* chardev thread: G_IO_OUT watch while
                                   outbuf or the chardev's queue is full,
                                   or a message is half written */
    QEMUBH *flush_bh;           /* use_io_thread: write outbuf, in the
                                   I/O thread */
    QEMUBH *accept_bh;          /* use_io_thread: resume reading, there */
    QTAILQ_ENTRY(Monitor) entry;
};

typedef struct MonitorHMP {
    Monitor common;
    bool use_readline;
    ReadLineState *rs;          /* NULL without readline */
} MonitorHMP;

typedef struct QMPRequest QMPRequest;

typedef struct MonitorQMP {
    Monitor common;
    JSONMessageParser parser;   /* chardev thread */
    bool pretty;
    /*
     * false: capabilities negotiation mode, only qmp_capabilities runs.
     * Atomic: reset by the chardev thread, set by qmp_capabilities.
     */
    bool negotiated;
    /* The greeting offers "oob": the chardev can move to the I/O thread. */
    bool oob_offered;
    /*
     * qmp_queue_lock protects qmp_requests and oob_enabled (QEMU's
     * qmp_queue_lock): the I/O thread queues in-band requests, the main
     * loop's dispatcher BH takes them.  Never held together with
     * mon_lock nor across a command.
     */
    QemuMutex qmp_queue_lock;
    GQueue *qmp_requests;       /* QMPRequest *, oldest first */
    bool oob_enabled;           /* the client enabled the oob capability */
    /*
     * An answer held back until the main loop has finished its iteration
     * (QEMU's order: "quit" answers after SHUTDOWN), sent by release_bh;
     * meanwhile input is suspended and requests already parsed wait in
     * held_requests.  BQL.
     */
    QDict *held_rsp;
    bool held_resume;           /* release_bh resumes the monitor */
    bool held_by_dispatcher;    /* ...and restarts qmp_dispatcher_bh */
    GQueue *held_requests;      /* QMPRequest *, main-loop mode */
    QEMUBH *release_bh;
} MonitorQMP;

/* Every monitor, in creation order. */
typedef QTAILQ_HEAD(MonitorList, Monitor) MonitorList;
extern MonitorList mon_list;

void monitor_data_init(Monitor *mon, bool is_qmp, bool skip_flush);
void monitor_data_destroy(Monitor *mon);
void monitor_list_append(Monitor *mon);
/* can_read for both kinds: 0 while suspended or output is backed up. */
int monitor_can_read(void *opaque);
/* Queue @len bytes verbatim (no "\n" conversion) and try to write. */
void monitor_write_raw(Monitor *mon, const char *buf, size_t len);

/* Bytes in outbuf the chardev has not taken yet. */
static inline size_t monitor_outbuf_pending(const Monitor *mon)
{
    return mon->outbuf->len - mon->out_head;
}

/* Drop all of outbuf (a client went away). */
void monitor_outbuf_clear(Monitor *mon);

/*
 * Send @obj as one JSON line ("\r\n"-terminated, and "\r\n" between the
 * lines of @pretty output), after whatever is queued: the first slice
 * now, the rest as the chardev takes it (out_json).  Takes a reference;
 * @obj must not change afterwards.
 */
void monitor_send_json(Monitor *mon, const QObject *obj, bool pretty);
/* Bytes of output queued in @mon and in its chardev. */
size_t monitor_pending_output(Monitor *mon);
/*
 * Whether @mon's client must take output before it may send more: more
 * than MONITOR_PENDING_MAX bytes queued, or a message not yet all
 * serialised.  Chardev thread.
 */
bool monitor_output_backed_up(Monitor *mon);

/* ---- QMP (qmp.c) ------------------------------------------------------ */

/*
 * Send @rsp as one JSON line ("\r\n"-terminated) to a QMP monitor.  From
 * the main thread (BQL) or, for a monitor in the I/O thread, from it.
 */
void qmp_send_response(MonitorQMP *mon, const QDict *rsp);
/* The greeting: {"QMP": {"version": ..., "capabilities": [...]}}. */
QDict *qmp_greeting(MonitorQMP *mon);
void monitor_data_destroy_qmp(MonitorQMP *mon);
/*
 * qmp_capabilities enabled oob on @mon (main thread, BQL, inside the
 * monitor's own read callback): serve it from the I/O thread from now on.
 */
void monitor_qmp_enable_oob(MonitorQMP *mon);

/* ---- The monitor I/O thread (monitor.c) ------------------------------- */

/* The I/O thread's context, the thread started on first use.  BQL. */
AioContext *monitor_io_thread_ctx(void);
/* Whether the caller runs in the monitor I/O thread.  Any thread. */
bool monitor_in_io_thread(void);
/* Run @fn(@opaque) in the I/O thread and wait for it.  BQL. */
void monitor_run_in_io_thread(void (*fn)(void *), void *opaque);
/* Create @mon's flush_bh and accept_bh in the I/O thread.  BQL. */
void monitor_io_thread_bhs_init(Monitor *mon);
/* Give @mon's chardev back to the main loop (monitor_cleanup).  BQL. */
void monitor_qmp_leave_io_thread(MonitorQMP *mon);
/* Send a held answer now (monitor_cleanup: the loop has ended).  BQL. */
void monitor_qmp_release_held(MonitorQMP *mon);

/* ---- HMP (hmp.c) ------------------------------------------------------ */

/* Parse and run one HMP command line, printing to @mon. */
void handle_hmp_command(MonitorHMP *mon, const char *cmdline);
void monitor_data_destroy_hmp(MonitorHMP *mon);
/* The "help [cmd]" listing. */
void help_cmd(Monitor *mon, const char *name);

/* ---- QMP dispatch (qmp-dispatch.c, qmp-cmds-control.c) --------------- */

/*
 * Every command (filled by qmp_init_marshal() from the top layer), and
 * the one command capabilities negotiation mode knows: qmp_capabilities,
 * registered by the monitor itself.  Read-only once monitors run.
 */
extern QmpCommandList qmp_commands;
extern QmpCommandList qmp_cap_negotiation_commands;

/*
 * Run one request (any parsed JSON value) against the commands of @cmds
 * and build its response, {"return": ...} or {"error": {"class",
 * "desc"}}, with the request's "id" copied.  @allow_oob: "exec-oob" is
 * accepted (the client enabled oob), for QCO_ALLOW_OOB commands only.
 * @cur_mon is current meanwhile.  BQL held, except for an "exec-oob"
 * request, which runs without it in the monitor I/O thread.
 */
QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob, Monitor *cur_mon);

/* Whether @dict asks for out-of-band execution (QEMU's qmp_is_oob). */
bool qmp_is_oob(const QDict *dict);

/* {"error": {"class": ..., "desc": ...}} for @err (not freed). */
QDict *qmp_error_response(const Error *err);

/*
 * What every QMP monitor needs once: qmp_capabilities for negotiation
 * mode, and the monitor as the QAPI event emitter.  Idempotent.
 */
void monitor_init_qmp_globals(void);

/* query-version's answer as the greeting shows it. */
QObject *qmp_version_qobject(void);

/* ---- HMP command table (hmp-cmds.c) ----------------------------------- */

/*
 * One HMP command, in the format of QEMU's hmp-commands.hx: @name lists
 * the aliases ("cont|c"); @args_type is a comma-separated list of
 * "key:type", type being s (a word or "quoted string"), S (the rest of
 * the line), -x (the flag -x, stored as bool true), each optionally
 * followed by '?' for optional.
 */
typedef struct HMPCommand {
    const char *name;
    const char *args_type;
    const char *params;
    const char *help;
    void (*cmd)(Monitor *mon, const QDict *qdict);
    const struct HMPCommand *sub_table;  /* "info": its subcommands */
} HMPCommand;

/* The table, in hmp-cmds.c (system layer). */
extern const HMPCommand hmp_cmds[];

/* The table HMP parses, completes and lists help from (as for QMP). */
void hmp_register_commands(const HMPCommand *table);

/* hmp-cmds-target.c: CPUs and guest memory. */
void hmp_cpu(Monitor *mon, const QDict *qdict);
void hmp_info_cpus(Monitor *mon, const QDict *qdict);
void hmp_info_registers(Monitor *mon, const QDict *qdict);
void hmp_info_mtree(Monitor *mon, const QDict *qdict);
void hmp_memory_dump(Monitor *mon, const QDict *qdict);
void hmp_physical_memory_dump(Monitor *mon, const QDict *qdict);
/* Make @cpu_index the monitor's CPU; returns the previous one. */
int monitor_set_cpu(int cpu_index);
bool monitor_cpu_valid(int cpu_index);
/* The index of the monitor's CPU ("cpu N"; the first if gone; 0: none). */
int monitor_get_cpu_index(Monitor *mon);

/* Print "Error: <desc>" for @err and free it; true if there was one. */
bool hmp_handle_error(Monitor *mon, Error *err);

#endif
