/*
 * QMP dispatch: check a request's shape, find the command in a registry
 * (qapi/qmp/dispatch.h), run its generated marshaller, which checks the
 * arguments through the QObject input visitor, and build the response.
 * Corresponds to QEMU's qapi/qmp-dispatch.c; the error messages are
 * QEMU's, word for word, because clients match on them.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "monitor-internal.h"

QDict *qmp_error_response(const Error *err)
{
    QDict *rsp = qdict_new();
    QDict *error = qdict_new();

    qdict_put_str(error, "class", ErrorClass_str(error_get_class(err)));
    qdict_put_str(error, "desc", error_get_pretty(err));
    qdict_put(rsp, "error", error);
    return rsp;
}

/*
 * The members QMP allows in a request; "exec-oob" (instead of "execute")
 * only once the client enabled oob: before, it is an unexpected member.
 */
static bool qmp_dispatch_check_obj(const QDict *dict, bool allow_oob,
                                   Error **errp)
{
    const QDictEntry *ent;
    const char *exec_key = NULL;

    for (ent = qdict_first(dict); ent; ent = qdict_next(dict, ent)) {
        const char *name = qdict_entry_key(ent);
        QObject *value = qdict_entry_value(ent);

        if (!strcmp(name, "execute") ||
            (allow_oob && !strcmp(name, "exec-oob"))) {
            if (qobject_type(value) != QTYPE_QSTRING) {
                error_setg(errp, "QMP input member '%s' must be a string",
                           name);
                return false;
            }
            if (exec_key) {
                error_setg(errp, "QMP input member '%s' clashes with '%s'",
                           name, exec_key);
                return false;
            }
            exec_key = name;
        } else if (!strcmp(name, "arguments")) {
            if (qobject_type(value) != QTYPE_QDICT) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return false;
            }
        } else if (strcmp(name, "id") != 0) {
            error_setg(errp, "QMP input member '%s' is unexpected", name);
            return false;
        }
    }
    if (!exec_key) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return false;
    }
    return true;
}

bool qmp_is_oob(const QDict *dict)
{
    return qdict_haskey(dict, "exec-oob") && !qdict_haskey(dict, "execute");
}

QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob, Monitor *cur_mon)
{
    QDict *dict = qobject_to(QDict, request);
    QObject *id = dict ? qdict_get(dict, "id") : NULL;
    const QmpCommand *cmd;
    const char *command;
    bool oob = false;
    QDict *args;
    QObject *ret = NULL;
    Error *err = NULL;
    Monitor *old_mon;
    QDict *rsp;

    if (!dict) {
        error_setg(&err, "QMP input must be a JSON object");
        goto out;
    }
    if (!qmp_dispatch_check_obj(dict, allow_oob, &err)) {
        goto out;
    }

    command = qdict_get_try_str(dict, "execute");
    if (!command) {
        command = qdict_get_str(dict, "exec-oob");
        oob = true;
    }
    /* Only an out-of-band command may run without the BQL. */
    if (!oob) {
        assert_bql_held();
    }
    cmd = qmp_find_command(cmds, command);
    if (!cmd) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", command);
        goto out;
    }
    if (!qmp_command_available(cmd, &err)) {
        goto out;
    }
    if (oob && !(cmd->options & QCO_ALLOW_OOB)) {
        error_setg(&err, "The command %s does not support OOB", command);
        goto out;
    }

    args = qdict_get_qdict(dict, "arguments");
    if (args) {
        qobject_ref(args);
    } else {
        args = qdict_new();
    }
    old_mon = monitor_set_cur(cur_mon);
    cmd->fn(args, &ret, &err);
    monitor_set_cur(old_mon);
    qobject_unref(args);
    if (err) {
        qobject_unref(ret);
        goto out;
    }
    if (!ret) {
        /* A command without result answers {}. */
        ret = QOBJECT(qdict_new());
    }
    rsp = qdict_new();
    qdict_put_obj(rsp, "return", ret);
    goto done;

out:
    rsp = qmp_error_response(err);
    error_free(err);
done:
    if (id) {
        qdict_put_obj(rsp, "id", qobject_ref(id));
    }
    return rsp;
}
