/*
 * QemuOpts: named groups of "key=value,..." option sets, as the command
 * line uses them (-chardev, -mon, -name, ...).  Corresponds to QEMU's
 * include/qemu/option.h, include/qemu/help_option.h and util/qemu-option.c.
 *
 * Model: a QemuOptsList is one group ("chardev").  Each use of the option
 * on the command line adds a QemuOpts to the group, optionally named by
 * its "id=" parameter; each key=value inside it is a QemuOpt.  A list
 * with descriptions (desc[]) rejects unknown keys and checks the type of
 * the known ones when they are set; a list whose desc[] is empty accepts
 * any key and keeps plain strings.
 *
 * Syntax, the same as QEMU's:
 *  - "key=value" pairs separated by ',';  a ',' inside a value is written
 *    ",,";
 *  - with permit_abbrev, the first element may omit "key=": it is then
 *    the value of list->implied_opt_name ("-chardev socket,id=c0" sets
 *    backend=socket);
 *  - a bare "key" means key=on and "nokey" key=off (short-form booleans,
 *    deprecated in QEMU and warned about unless list->allow_flag_options);
 *  - "help" or "?" as a bare element asks for help (see
 *    qemu_opts_parse_noisily).
 *
 * Threading: option lists are global state of the main thread (BQL held,
 * or before the main loop exists).  Nothing here takes a lock.
 */
#ifndef QCORE_OPTION_H
#define QCORE_OPTION_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/queue.h"

typedef struct QDict QDict;

enum QemuOptType {
    QEMU_OPT_STRING = 0,        /* no parsing (use string as-is) */
    QEMU_OPT_BOOL,              /* on/off, yes/no, true/false, y/n */
    QEMU_OPT_NUMBER,            /* simple number, 0x and 0 prefixes ok */
    QEMU_OPT_SIZE,              /* size, with optional k/M/G/T/P/E suffix */
};

typedef struct QemuOptDesc {
    const char *name;
    enum QemuOptType type;
    const char *help;           /* one line, for qemu_opts_print_help() */
    const char *def_value_str;  /* used by qemu_opt_get*() when unset */
} QemuOptDesc;

typedef struct QemuOpt QemuOpt;
typedef struct QemuOpts QemuOpts;

typedef struct QemuOptsList {
    const char *name;
    const char *implied_opt_name;
    /*
     * All uses of the option merge into one unnamed QemuOpts (-name,
     * -machine): the last value given for a key wins, and "id=" is
     * rejected.
     */
    bool merge_lists;
    /* Bare "key"/"nokey" booleans are fine here: do not warn. */
    bool allow_flag_options;
    QTAILQ_HEAD(, QemuOpts) head;
    QemuOptDesc desc[];         /* ends with { NULL }; empty: accept any */
} QemuOptsList;

/* True if @name is a request for help: "help" or "?". */
bool is_help_option(const char *name);

/*
 * Copy the value starting at @p into a new string *@value, turning ",,"
 * into ","; stops at the first single ',' or at the end of the string.
 * Returns a pointer to that ',' or to the terminating NUL.
 */
const char *get_opt_value(const char *p, char **value);

/*
 * Parse "on"/"yes"/"true"/"y" and "off"/"no"/"false"/"n" into *@obj.
 * On failure: "Parameter '<name>' expects 'on' or 'off'".
 */
bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp);
/*
 * Parse a number (decimal, 0x hex, 0 octal) as an option value.
 * Errors: "Parameter '<name>' expects a number",
 * "Value '<v>' is too large for parameter '<name>'".
 */
bool parse_option_number(const char *name, const char *value,
                         uint64_t *ret, Error **errp);
/*
 * Parse a size: a number with an optional fraction and an optional
 * suffix B, k/K, M, G, T, P, E (powers of 1024).  Errors:
 * "Parameter '<name>' expects a non-negative number below 2^64" (with a
 * hint listing the suffixes), "Value '<v>' is out of range for parameter
 * '<name>'".
 */
bool parse_option_size(const char *name, const char *value,
                       uint64_t *ret, Error **errp);

/* --- Registry of option groups (QEMU's util/qemu-config.c) --- */

/* Register @list so that qemu_find_opts(list->name) finds it. */
void qemu_add_opts(QemuOptsList *list);
/*
 * The list registered under @group; reports "there is no option group
 * '<group>'" and exits(1) if none, as QEMU does: a missing group is a
 * bug of the program, not of the user.
 */
QemuOptsList *qemu_find_opts(const char *group);
/* Like qemu_find_opts() but sets @errp instead of exiting. */
QemuOptsList *qemu_find_opts_err(const char *group, Error **errp);

/* --- Reading options --- */

/* The last QemuOpt named @name in @opts, or NULL. */
QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name);
/*
 * The string value of @name (the last one set), else its desc default,
 * else NULL.  @opts may be NULL.  The string belongs to @opts.
 */
const char *qemu_opt_get(QemuOpts *opts, const char *name);
/*
 * Typed getters: the value of @name, else its desc default, else
 * @defval.  In a list with descriptions the key must have that type.  In
 * an accept-any list the string is parsed on the spot and @defval is
 * returned if it does not parse.
 */
bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval);
uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval);
uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval);
/* True if @opts contains a key that asks for help ("help" or "?"). */
bool qemu_opt_has_help_opt(QemuOpts *opts);

/*
 * Call @func(@opaque, name, value, @errp) on each key=value of @opts in
 * the order they were given.  A non-zero return (with @errp set) stops
 * the loop and is returned.
 */
typedef int (*qemu_opt_loopfunc)(void *opaque, const char *name,
                                 const char *value, Error **errp);
int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp);

/* --- Writing options --- */

/*
 * Add @name=@value to @opts, checked against the list's descriptions
 * ("Invalid parameter '<name>'", or the type's parse error).
 */
bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp);
bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp);
bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp);
/* Remove every value of @name; returns how many were removed. */
int qemu_opt_unset(QemuOpts *opts, const char *name);

/* --- Option sets --- */

/* The QemuOpts of @list whose id is @id (NULL: the one without id). */
QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id);
/*
 * Add a QemuOpts to @list.  @id, if given, must be an identifier:
 * letters, digits, '-', '.', '_', starting with a letter, else
 * "Parameter 'id' expects an identifier".  If an QemuOpts with that id
 * exists: error "Duplicate ID '<id>' for <list>" when @fail_if_exists,
 * else it is returned.  For merge_lists lists the single unnamed
 * QemuOpts is returned (created on first use), and an id is refused
 * ("Invalid parameter 'id'").  The location current at creation is
 * saved for qemu_opts_foreach().
 */
QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp);
void qemu_opts_del(QemuOpts *opts);
/* Delete every QemuOpts of @list. */
void qemu_opts_reset(QemuOptsList *list);
const char *qemu_opts_id(QemuOpts *opts);
/* Set the id of an unnamed QemuOpts (takes ownership of @id). */
void qemu_opts_set_id(QemuOpts *opts, char *id);
/* Make the location saved by qemu_opts_create() current again. */
void qemu_opts_loc_restore(QemuOpts *opts);

/*
 * Parse @params into a new QemuOpts of @list (or into the merged one of
 * a merge_lists list).  With @permit_abbrev the first element may omit
 * "list->implied_opt_name=".  "id=" anywhere names the QemuOpts.  On
 * error nothing is added and NULL is returned.
 */
QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp);
/*
 * The same for user input: errors are reported with error_report_err()
 * (so they carry the current location).  If @params asks for help and
 * @list has descriptions, the options of @list are printed instead and
 * NULL is returned: the caller cannot tell help from error, and exits.
 */
QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev);
/* Parse @params into an existing @opts (no "id=" handling besides skipping
 * it); @firstname is the implied key or NULL. */
bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp);
/* True if some bare element of @params is "help" or "?". */
bool has_help_option(const char *params);

/*
 * Put the options of @opts into @qdict (a new one if NULL) as strings,
 * the id under "id"; a key given twice keeps its last value.  Returns
 * the dict, which the caller owns.
 */
QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict);
/*
 * Create a QemuOpts of @list from @qdict: "id" names it; strings are
 * taken as-is, numbers and booleans converted to their text ("on"/"off"),
 * other types ignored.  Validation as qemu_opt_set().
 */
QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp);

/*
 * Call @func(@opaque, opts, @errp) for each QemuOpts of @list, with the
 * current location set to where that QemuOpts was created, so errors
 * read "qcore: -chardev foo,id=x: ...".  A non-zero return stops the
 * loop and is returned.
 */
typedef int (*qemu_opts_loopfunc)(void *opaque, QemuOpts *opts,
                                  Error **errp);
int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp);

/*
 * Print the descriptions of @list, sorted, one "  name=<type> - help"
 * per line on stdout; with @print_caption, "<list> options:" first.
 */
void qemu_opts_print_help(QemuOptsList *list, bool print_caption);

#endif
