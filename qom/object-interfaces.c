/*
 * User-creatable objects: the interface, creation from a QDict (-object
 * after keyval_parse, and QMP object-add), deletion (object-del) and the
 * "-object help" texts.  Corresponds to QEMU's qom/object_interfaces.c,
 * minus the QAPI ObjectOptions layer, whose checks are done here by hand.
 *
 * Main thread, BQL held.
 */
#include "qcore/osdep.h"
#include "qcore/id.h"
#include "qcore/object-interfaces.h"
#include "qcore/option.h"
#include "qapi/qobject-input-visitor.h"

bool user_creatable_complete(UserCreatable *uc, Error **errp)
{
    UserCreatableClass *ucc = USER_CREATABLE_GET_CLASS(uc);
    ERRP_GUARD();

    if (ucc->complete) {
        ucc->complete(uc, errp);
    }
    return !*errp;
}

bool user_creatable_can_be_deleted(UserCreatable *uc)
{
    UserCreatableClass *ucc = USER_CREATABLE_GET_CLASS(uc);

    return ucc->can_be_deleted ? ucc->can_be_deleted(uc) : true;
}

/*
 * Set a property for each key of @qdict, reading its value from @v, an
 * input visitor over @qdict (QEMU's object_set_properties_from_qdict).
 */
static bool object_set_properties_from_qdict(Object *obj, const QDict *qdict,
                                             Visitor *v, Error **errp)
{
    bool ok = false;

    if (!visit_start_struct(v, NULL, NULL, 0, errp)) {
        return false;
    }
    for (const QDictEntry *e = qdict_first(qdict); e;
         e = qdict_next(qdict, e)) {
        if (!object_property_set(obj, qdict_entry_key(e), v, errp)) {
            goto out;
        }
    }
    ok = visit_check_struct(v, errp);
out:
    visit_end_struct(v, NULL);
    return ok;
}

Object *user_creatable_add_type(const char *type, const char *id,
                                const QDict *qdict, Visitor *v,
                                Error **errp)
{
    ERRP_GUARD();
    ObjectClass *klass;
    Object *obj;

    if (id && !id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }
    klass = object_class_by_name(type);
    if (!klass) {
        error_setg(errp, "invalid object type: %s", type);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_USER_CREATABLE)) {
        error_setg(errp, "object type '%s' isn't supported by object-add",
                   type);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", type);
        return NULL;
    }

    obj = object_new_with_class(klass);
    if (qdict && !object_set_properties_from_qdict(obj, qdict, v, errp)) {
        goto fail;
    }
    if (id && !object_property_try_add_child(object_get_objects_root(), id,
                                             obj, errp)) {
        goto fail;
    }
    if (!user_creatable_complete(USER_CREATABLE(obj), errp)) {
        if (id) {
            object_unparent(obj);
        }
        goto fail;
    }
    return obj;

fail:
    object_unref(obj);
    return NULL;
}

/*
 * The checks QEMU's QAPI schema makes before object-add's code runs: a
 * string qom-type naming a concrete user-creatable type (the ObjectType
 * enum), a string id, and only properties the type has.
 */
static const char *get_str_param(const QDict *qdict, const char *key,
                                 Error **errp)
{
    QObject *value = qdict_get(qdict, key);

    if (!value) {
        error_setg(errp, "Parameter '%s' is missing", key);
        return NULL;
    }
    if (!qobject_to(QString, value)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   key);
        return NULL;
    }
    return qstring_get_str(qobject_to(QString, value));
}

Object *user_creatable_add_dict(const QDict *qdict, bool keyval,
                                Error **errp)
{
    g_autoptr(QDict) props = NULL;
    const char *type, *id;
    ObjectClass *klass;
    Visitor *v;
    Object *obj;

    type = get_str_param(qdict, "qom-type", errp);
    if (!type) {
        return NULL;
    }
    klass = object_class_by_name(type);
    if (!klass || !object_class_dynamic_cast(klass, TYPE_USER_CREATABLE) ||
        object_class_is_abstract(klass)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return NULL;
    }
    id = get_str_param(qdict, "id", errp);
    if (!id) {
        return NULL;
    }

    props = qdict_clone_shallow(qdict);
    qdict_del(props, "qom-type");
    qdict_del(props, "id");
    for (const QDictEntry *e = qdict_first(props); e;
         e = qdict_next(props, e)) {
        ObjectProperty *prop = object_class_property_find(
            klass, qdict_entry_key(e));

        /*
         * Only class properties are known before the object exists; they
         * are what QEMU's schema describes, and what -object T,help lists.
         */
        if (!prop || !prop->set) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       qdict_entry_key(e));
            return NULL;
        }
    }

    v = keyval ? qobject_input_visitor_new_keyval(QOBJECT(props))
               : qobject_input_visitor_new(QOBJECT(props));
    obj = user_creatable_add_type(type, id, props, v, errp);
    visit_free(v);
    return obj;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                id);
    QemuOptsList *opts_list;

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (!user_creatable_can_be_deleted(USER_CREATABLE(obj))) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    /* Forget its -object option too, so that the id is free there again. */
    opts_list = qemu_find_opts_err("object", NULL);
    if (opts_list) {
        QemuOpts *opts = qemu_opts_find(opts_list, id);

        if (opts) {
            qemu_opts_del(opts);
        }
    }
    object_unparent(obj);
    return true;
}

static int unparent_one(Object *child, void *opaque)
{
    object_unparent(child);
    return 0;
}

void user_creatable_cleanup(void)
{
    object_child_foreach(object_get_objects_root(), unparent_one, NULL);
}

/* ---- Help ---------------------------------------------------------------- */

/* A scalar default as JSON, enough for help text. */
static char *defval_to_text(const QObject *value)
{
    switch (qobject_type(value)) {
    case QTYPE_QSTRING:
        return g_strdup_printf("\"%s\"",
                               qstring_get_str(qobject_to(QString, value)));
    case QTYPE_QNUM:
        return qnum_to_string(qobject_to(QNum, value));
    case QTYPE_QBOOL:
        return g_strdup(qbool_get_bool(qobject_to(QBool, value)) ?
                        "true" : "false");
    default:
        return g_strdup("null");
    }
}

char *object_property_help(const char *name, const char *type,
                           QObject *defval, const char *description)
{
    GString *str = g_string_new(NULL);

    g_string_append_printf(str, "  %s=<%s>", name, type);
    if (description || defval) {
        /* Line the descriptions up in a column. */
        while (str->len < 24) {
            g_string_append_c(str, ' ');
        }
        g_string_append(str, " - ");
    }
    if (description) {
        g_string_append(str, description);
    }
    if (defval) {
        g_autofree char *text = defval_to_text(defval);

        g_string_append_printf(str, " (default: %s)", text);
    }
    return g_string_free(str, false);
}

char *user_creatable_help_types(void)
{
    GString *out = g_string_new("List of user creatable objects:\n");
    GSList *list = object_class_get_list_sorted(TYPE_USER_CREATABLE, false);

    for (GSList *l = list; l; l = l->next) {
        g_string_append_printf(out, "  %s\n",
                               object_class_get_name(l->data));
    }
    g_slist_free(list);
    return g_string_free(out, false);
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *user_creatable_help_props(const char *type, Error **errp)
{
    ObjectClass *klass = object_class_by_name(type);
    g_autoptr(GPtrArray) lines = NULL;
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    GString *out;

    if (!klass || !object_class_dynamic_cast(klass, TYPE_USER_CREATABLE)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return NULL;
    }
    lines = g_ptr_array_new_with_free_func(g_free);
    object_class_property_iter_init(&iter, klass);
    while ((prop = object_property_iter_next(&iter))) {
        if (!prop->set) {
            continue;       /* nothing the user could pass */
        }
        g_ptr_array_add(lines, object_property_help(prop->name, prop->type,
                                                    prop->defval,
                                                    prop->description));
    }
    g_ptr_array_sort(lines, str_ptr_cmp);

    out = g_string_new(NULL);
    if (lines->len) {
        g_string_append_printf(out, "%s options:\n", type);
    } else {
        g_string_append_printf(out, "There are no options for %s.\n", type);
    }
    for (guint i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n", (char *)lines->pdata[i]);
    }
    return g_string_free(out, false);
}

void user_creatable_print_types(void)
{
    g_autofree char *text = user_creatable_help_types();

    fputs(text, stdout);
}

bool user_creatable_print_props(const char *type, Error **errp)
{
    g_autofree char *text = user_creatable_help_props(type, errp);

    if (!text) {
        return false;
    }
    fputs(text, stdout);
    return true;
}

bool user_creatable_print_help(const char *type, bool help_requested)
{
    if (!type || !strcmp(type, "help") || !strcmp(type, "?")) {
        user_creatable_print_types();
        return true;
    }
    if (help_requested) {
        /* An unknown type gets the list, as in QEMU. */
        if (!user_creatable_print_props(type, NULL)) {
            user_creatable_print_types();
        }
        return true;
    }
    return false;
}

static void register_types(void)
{
    static const TypeInfo uc_interface_info = {
        .name = TYPE_USER_CREATABLE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(UserCreatableClass),
    };

    type_register_static(&uc_interface_info);
}

type_init(register_types)
