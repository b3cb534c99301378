/*
 * Monitors: QMP (JSON commands and events for management tools) and HMP
 * (a command line for people), each attached to a chardev.  Corresponds
 * to QEMU's include/monitor/monitor.h.
 *
 * Threading: monitors live in the main thread.  Every function here must
 * be called from the main thread with the BQL held (vl.c before the main
 * loop runs counts: it holds the BQL), unless its comment says otherwise.
 * The chardev callbacks that feed monitors run there too, so commands are
 * dispatched on the main loop with the BQL held.
 */
#ifndef QCORE_MONITOR_H
#define QCORE_MONITOR_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/option.h"
#include "qapi/qmp/dispatch.h"

typedef struct Monitor Monitor;
typedef struct Chardev Chardev;

/* The "-mon" option group (chardev=, mode=control|readline, pretty=). */
extern QemuOptsList qemu_mon_opts;

/*
 * Install what the lower layers need from the monitor: the hook through
 * which "-serial mon:stdio" puts an HMP monitor on a mux chardev.  Call
 * once before creating chardevs.
 */
void monitor_init_globals(void);

/*
 * The QMP commands every QMP monitor offers after negotiation, filled by
 * monitor_register_commands() with qmp_init_marshal() (the generated
 * registration of every schema command) before monitors start.
 */
extern QmpCommandList qmp_commands;

/*
 * Send {"event": @name, "data": @data, "timestamp": {...}} to every QMP
 * monitor that finished capabilities negotiation; takes over @data (NULL
 * for none).  monitor_init_globals() makes it the QAPI event emitter.
 */
void monitor_qapi_event_emit(const char *name, QDict *data);

/*
 * Give the monitors qcore's QMP and HMP commands.  System layer (the
 * commands reach the run state, CPUs, memory): monitor/commands.c, like
 * QEMU's monitor_init_qmp_commands().  Call once before any monitor
 * exists; without it a monitor knows no command but qmp_capabilities.
 */
void monitor_register_commands(void);

/*
 * Put a QMP monitor on @chr.  It greets each client that connects and
 * starts in capabilities-negotiation mode.  With @pretty, responses and
 * events are indented as by -qmp-pretty.  Errors: @chr already has a
 * frontend ("Device 'x' is in use").
 */
void monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);

/*
 * Put an HMP monitor on @chr: a banner and the "(qemu) " prompt when the
 * chardev opens.  With @use_readline input goes through the line editor
 * (echo, history, completion); without, every read is one command line.
 */
void monitor_init_hmp(Chardev *chr, bool use_readline, Error **errp);

/*
 * One "-mon" option: chardev=ID (required, must exist), mode=readline
 * (default) or control, pretty=on|off (control only).  Errors: "Parameter
 * 'chardev' is missing", "chardev \"x\" not found", "Parameter 'mode'
 * does not accept value 'x'", "'pretty' is not compatible with HMP
 * monitors".  Returns 0 on success, -1 with @errp set, so that it can be
 * given to qemu_opts_foreach() through a small wrapper.
 */
int monitor_init_opts(QemuOpts *opts, Error **errp);

/*
 * At exit, after the main loop returned: push every monitor's pending
 * output (the last responses, the SHUTDOWN event) to its peer, running
 * the main loop for at most a second so that a client that does not read
 * cannot hold up the exit, then destroy all monitors.
 */
void monitor_cleanup(void);

/*
 * The monitor whose command is running (HMP or QMP), else NULL.  Output
 * functions and error_report-style helpers use it.
 */
Monitor *monitor_cur(void);
/* Make @mon current; returns the previous one.  (Monitor internals.) */
Monitor *monitor_set_cur(Monitor *mon);

bool monitor_is_qmp(const Monitor *mon);

/*
 * Text output to a monitor; "\n" is sent as "\r\n", output is queued and
 * written without blocking.  monitor_printf/vprintf ignore QMP monitors
 * (stray text would break the JSON stream; QEMU does the same) and return
 * -1 for them; monitor_puts writes to either kind.  Return the number of
 * bytes queued.
 */
int monitor_puts(Monitor *mon, const char *str);
int monitor_printf(Monitor *mon, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
int monitor_vprintf(Monitor *mon, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);
/*
 * Run HMP @command_line and return its output (QMP human-monitor-command;
 * the gdbstub's qRcmd).  Main thread, BQL.
 */
char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp);

/* Try to write queued output now. */
void monitor_flush(Monitor *mon);

/* Stop / resume reading input (nested: resume once per suspend). */
int monitor_suspend(Monitor *mon);
void monitor_resume(Monitor *mon);

#endif
