/*
 * What the files of monitor/ share: the Monitor structures, the QMP
 * command table and dispatcher, and the typed QMP command functions HMP
 * calls.  Corresponds to QEMU's monitor/monitor-internal.h plus the parts
 * of qapi/qmp-dispatch.h and the generated qapi-commands-*.h qcore needs.
 *
 * Locking: everything here is main-thread state protected by the BQL.
 * There is no monitor I/O thread (QEMU's is for out-of-band commands,
 * which qcore does not offer), so no mon_lock either.
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
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands.h"

/*
 * Stop reading a client's input while more than this many bytes of our
 * output wait for it: a client that sends requests but never reads the
 * answers costs at most about this much memory, plus one answer.
 */
#define MONITOR_PENDING_MAX (64 * 1024)

/* ---- Monitors (monitor.c) --------------------------------------------- */

/* All fields: main thread, BQL held. */
struct Monitor {
    CharBackend chr;
    bool is_qmp;
    /* Output with no chardev is kept in outbuf (human-monitor-command). */
    bool skip_flush;
    bool reset_seen;            /* an HMP monitor saw CHR_EVENT_OPENED */
    bool mux_out;               /* a mux gave the focus to someone else */
    int suspend_cnt;            /* > 0: do not read input */
    bool throttled;             /* can_read said 0 because of output */
    GString *outbuf;            /* output the chardev has not taken yet */
    size_t out_head;            /* ...from here on: outbuf[0..out_head)
                                   is written, dropped lazily */
    guint out_watch;            /* G_IO_OUT watch while outbuf or the
                                   chardev's queue is too full */
    QTAILQ_ENTRY(Monitor) entry;
};

typedef struct MonitorHMP {
    Monitor common;
    bool use_readline;
    ReadLineState *rs;          /* NULL without readline */
} MonitorHMP;

typedef struct MonitorQMP {
    Monitor common;
    JSONMessageParser parser;
    bool pretty;
    /* false: capabilities negotiation mode, only qmp_capabilities runs. */
    bool negotiated;
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
 * As monitor_puts(@mon, @text->str), taking @text, which ends in "\n":
 * when nothing else is waiting and that is its only newline, it becomes
 * the output buffer itself instead of being copied into it.
 */
void monitor_puts_take(Monitor *mon, GString *text);
/* Bytes of output queued in @mon and in its chardev. */
size_t monitor_pending_output(Monitor *mon);

/* ---- QMP (qmp.c) ------------------------------------------------------ */

/* Send @rsp as one JSON line ("\r\n"-terminated) to a QMP monitor. */
void qmp_send_response(MonitorQMP *mon, const QDict *rsp);
/* The greeting: {"QMP": {"version": ..., "capabilities": []}}. */
QDict *qmp_greeting(void);
void monitor_data_destroy_qmp(MonitorQMP *mon);

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
 * "desc"}}, with the request's "id" copied.  @cur_mon is current
 * meanwhile.  Main thread, BQL held.
 */
QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    Monitor *cur_mon);

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
