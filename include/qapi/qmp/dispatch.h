/*
 * The QMP command registry: which commands exist and how each may run.
 * The generated qmp_init_marshal() fills a list; the monitor looks
 * commands up in it and dispatches.  Corresponds to QEMU's
 * include/qapi/qmp/dispatch.h (the registry half; dispatch proper is in
 * monitor/qmp-dispatch.c).
 *
 * Lists are filled before the monitors start and read-only afterwards,
 * except qmp_disable_command/qmp_enable_command (main thread, BQL).
 */
#ifndef QAPI_QMP_DISPATCH_H
#define QAPI_QMP_DISPATCH_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/qobject.h"
#include "qcore/queue.h"

/* A marshaller: unpack @args, run the command, pack its result. */
typedef void QmpCommandFunc(QDict *args, QObject **ret, Error **errp);

/* The schema's command flags. */
typedef enum QmpCommandOptions {
    QCO_NO_OPTIONS = 0,
    QCO_NO_SUCCESS_RESP = 1 << 0,   /* 'success-response': false */
    QCO_ALLOW_OOB = 1 << 1,         /* 'allow-oob': true */
    QCO_ALLOW_PRECONFIG = 1 << 2,   /* 'allow-preconfig': true */
    QCO_COROUTINE = 1 << 3,         /* 'coroutine': true */
} QmpCommandOptions;

/* Bits of QmpCommand.special_features (the schema's features). */
typedef enum QapiSpecialFeature {
    QAPI_DEPRECATED,
    QAPI_UNSTABLE,
} QapiSpecialFeature;

typedef struct QmpCommand {
    const char *name;
    QmpCommandFunc *fn;
    QmpCommandOptions options;
    unsigned special_features;
    bool enabled;
    const char *disable_reason;
    QTAILQ_ENTRY(QmpCommand) node;
} QmpCommand;

typedef QTAILQ_HEAD(QmpCommandList, QmpCommand) QmpCommandList;

void qmp_register_command(QmpCommandList *cmds, const char *name,
                          QmpCommandFunc *fn, QmpCommandOptions options,
                          unsigned special_features);
const QmpCommand *qmp_find_command(const QmpCommandList *cmds,
                                   const char *name);
void qmp_disable_command(QmpCommandList *cmds, const char *name,
                         const char *reason);
void qmp_enable_command(QmpCommandList *cmds, const char *name);

bool qmp_command_is_enabled(const QmpCommand *cmd);
bool qmp_command_available(const QmpCommand *cmd, Error **errp);
const char *qmp_command_name(const QmpCommand *cmd);
bool qmp_has_success_response(const QmpCommand *cmd);

typedef void (*qmp_cmd_callback_fn)(const QmpCommand *cmd, void *opaque);
/* In registration order. */
void qmp_for_each_command(const QmpCommandList *cmds, qmp_cmd_callback_fn fn,
                          void *opaque);

#endif
