/*
 * The user-creatable interface: types the user may create with -object
 * and object-add, and destroy with object-del.  Corresponds to QEMU's
 * include/qom/object_interfaces.h.
 *
 * All functions run in the main thread with the BQL held (or before the
 * main loop starts, from vl.c).
 */
#ifndef QCORE_OBJECT_INTERFACES_H
#define QCORE_OBJECT_INTERFACES_H

#include "qcore/object.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatable UserCreatable;     /* never defined: an
                                                   Object seen as one */
typedef struct UserCreatableClass {
    InterfaceClass parent_class;
    /*
     * Finish creation once every property has been set: validate them
     * and start what the object runs (e.g. an iothread's thread).  On
     * error the object is destroyed again.
     */
    void (*complete)(UserCreatable *uc, Error **errp);
    /* Return false while the object is in use and may not be deleted. */
    bool (*can_be_deleted)(UserCreatable *uc);
} UserCreatableClass;

#define USER_CREATABLE(obj) \
    INTERFACE_CHECK(UserCreatable, (obj), TYPE_USER_CREATABLE)
#define USER_CREATABLE_CLASS(klass) \
    OBJECT_CLASS_CHECK(UserCreatableClass, (klass), TYPE_USER_CREATABLE)
#define USER_CREATABLE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(UserCreatableClass, (obj), TYPE_USER_CREATABLE)

/* Call the complete method, if any.  False with @errp set on failure. */
bool user_creatable_complete(UserCreatable *uc, Error **errp);
/* Whether @uc may be deleted now (no can_be_deleted method: yes). */
bool user_creatable_can_be_deleted(UserCreatable *uc);

/*
 * Create an object of @type with id @id under /objects: check the type
 * ("invalid object type: x", "object type 'x' isn't supported by
 * object-add", "object type 'x' is abstract") and the id ("Parameter
 * 'id' expects an identifier"), set one property per key of @qdict,
 * reading the values from @v, add it ("attempt to add duplicate property
 * 'x' to object (type 'container')") and complete it.
 *
 * As in QEMU, @v is an input visitor over @qdict itself (not yet inside
 * it: this function starts and checks the struct, so a key no property
 * consumed gives "Parameter 'x' is unexpected").  A keyval visitor gives
 * text parsed per property type; a JSON one typed values.  @qdict and @v
 * may both be NULL for an object without properties.
 * Returns the object with a reference for the caller (the tree holds
 * another), or NULL with @errp set and nothing left behind.
 */
Object *user_creatable_add_type(const char *type, const char *id,
                                const QDict *qdict, Visitor *v,
                                Error **errp);

/*
 * object-add and -object: @qdict holds "qom-type", "id" and the
 * properties.  With @keyval (the dict came from keyval_parse() of an
 * -object argument) property values are strings, parsed according to
 * each property's type; otherwise (QMP JSON) they must be of the right
 * JSON type.  Errors as QEMU's QAPI layer words them: "Parameter
 * 'qom-type' is missing", "Parameter 'qom-type' does not accept value
 * 'x'", "Parameter 'id' is missing", "Parameter 'x' is unexpected", then
 * those of user_creatable_add_type(), which it calls with an input
 * visitor (keyval or not) over the properties.  @qdict is not modified.
 * Returns the object (a new reference for the caller) or NULL.
 */
Object *user_creatable_add_dict(const QDict *qdict, bool keyval,
                                Error **errp);

/*
 * object-del: remove object @id from /objects (and its -object entry from
 * the "object" QemuOpts group, if vl.c registered one).  Errors: "object
 * 'x' not found", "object 'x' is in use, can not be deleted".
 */
bool user_creatable_del(const char *id, Error **errp);

/* Remove every user-created object (at exit). */
void user_creatable_cleanup(void);

/*
 * Help for "-object help": "List of user creatable objects:" followed by
 * one indented type name per line, sorted.  Returned as a string to
 * g_free() so that vl.c can print it and HMP can send it to its monitor.
 */
char *user_creatable_help_types(void);

/*
 * Help for "-object T,help": "T options:" then one "  name=<type> -
 * description (default: value)" line per settable property, sorted; or
 * "There are no options for T.".  NULL with @errp set if @type is not a
 * user-creatable type.
 */
char *user_creatable_help_props(const char *type, Error **errp);

/* print_* versions of the two above, writing to stdout for vl.c. */
void user_creatable_print_types(void);
bool user_creatable_print_props(const char *type, Error **errp);

/*
 * vl.c's -object handling after keyval_parse(): if @type (the qom-type,
 * may be NULL) is "help" or "?", print the type list; if @help_requested
 * (keyval_parse saw "help" among the keys), print @type's options, or
 * the type list when @type is unknown.  Returns true if help was printed
 * (the caller then exits with status 0).
 */
bool user_creatable_print_help(const char *type, bool help_requested);

/* One help line, "  name=<type>  - description (default: ...)". */
char *object_property_help(const char *name, const char *type,
                           QObject *defval, const char *description);

#endif
