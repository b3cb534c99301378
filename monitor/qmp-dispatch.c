/*
 * QMP dispatch: check a request's shape, find the command, check its
 * arguments against the command's spec, run it and build the response.
 * Corresponds to QEMU's qapi/qmp-dispatch.c plus the argument checks its
 * generated marshallers do through the QObject input visitor; the error
 * messages are QEMU's, word for word, because clients match on them.
 */
#include "qcore/osdep.h"
#include "qcore/main-loop.h"
#include "monitor-internal.h"

const QmpCommand *qmp_find_command(const char *name)
{
    const QmpCommand *cmd;

    for (cmd = qmp_commands; cmd->name; cmd++) {
        if (!strcmp(cmd->name, name)) {
            return cmd;
        }
    }
    return NULL;
}

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

static bool qmp_check_arg_type(const QmpArgSpec *spec, QObject *value,
                               Error **errp)
{
    QNum *num;
    uint64_t u64;
    int64_t i64;
    const char *expected;

    switch (spec->type) {
    case QMP_ARG_STR:
        expected = "string";
        if (qobject_type(value) == QTYPE_QSTRING) {
            return true;
        }
        break;
    case QMP_ARG_INT:
        expected = "integer";
        num = qobject_to(QNum, value);
        if (num && qnum_get_try_int(num, &i64)) {
            return true;
        }
        break;
    case QMP_ARG_UINT:
        /* QEMU's wording, and its tolerance of negative numbers. */
        num = qobject_to(QNum, value);
        if (num && (qnum_get_try_uint(num, &u64) ||
                    qnum_get_try_int(num, &i64))) {
            return true;
        }
        error_setg(errp, "Parameter '%s' expects uint64", spec->name);
        return false;
    case QMP_ARG_NUMBER:
        expected = "number";
        if (qobject_type(value) == QTYPE_QNUM) {
            return true;
        }
        break;
    case QMP_ARG_BOOL:
        expected = "boolean";
        if (qobject_type(value) == QTYPE_QBOOL) {
            return true;
        }
        break;
    case QMP_ARG_OBJECT:
        expected = "object";
        if (qobject_type(value) == QTYPE_QDICT) {
            return true;
        }
        break;
    case QMP_ARG_ARRAY:
        expected = "array";
        if (qobject_type(value) == QTYPE_QLIST) {
            return true;
        }
        break;
    case QMP_ARG_ANY:
    default:
        return true;
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               spec->name, expected);
    return false;
}

/*
 * As QEMU's visitor walks a command's members: each member in order
 * (missing, then wrong type), and only then the members nobody asked for.
 */
static bool qmp_check_args(const QmpCommand *cmd, const QDict *args,
                           Error **errp)
{
    const QmpArgSpec *spec;
    const QDictEntry *ent;

    for (spec = cmd->args; spec && spec->name; spec++) {
        QObject *value = qdict_get(args, spec->name);

        if (!value) {
            if (!spec->optional) {
                error_setg(errp, "Parameter '%s' is missing", spec->name);
                return false;
            }
            continue;
        }
        if (!qmp_check_arg_type(spec, value, errp)) {
            return false;
        }
    }
    if (cmd->args_open) {
        return true;
    }
    for (ent = qdict_first(args); ent; ent = qdict_next(args, ent)) {
        const char *name = qdict_entry_key(ent);
        bool known = false;

        for (spec = cmd->args; spec && spec->name; spec++) {
            if (!strcmp(spec->name, name)) {
                known = true;
                break;
            }
        }
        if (!known) {
            error_setg(errp, "Parameter '%s' is unexpected", name);
            return false;
        }
    }
    return true;
}

QDict *qmp_dispatch(QObject *request, bool negotiated, bool allow_oob,
                    Monitor *cur_mon)
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
    cmd = qmp_find_command(command);
    if (cmd && !negotiated && !(cmd->options & QCO_ALLOW_NEGOTIATION)) {
        cmd = NULL;
    }
    if (!cmd) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", command);
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
    if (qmp_check_args(cmd, args, &err)) {
        old_mon = monitor_set_cur(cur_mon);
        cmd->fn(args, &ret, &err);
        monitor_set_cur(old_mon);
    }
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
