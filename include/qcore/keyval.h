/*
 * keyval: "key=value,..." strings parsed into a QDict, with dotted keys
 * building nested dicts ("a.b=1" gives {"a": {"b": "1"}}) and numeric
 * keys building lists.  Used for -object, -M and -display.  Corresponds
 * to QEMU's include/qemu/keyval.h and util/keyval.c.
 *
 * Unlike QemuOpts (option.h), keyval knows no option descriptions: every
 * leaf value is a QString, and typing happens when the dict is applied
 * (for -object, by setting QOM properties).
 *
 * All functions are reentrant; they touch only their arguments.
 */
#ifndef QCORE_KEYVAL_H
#define QCORE_KEYVAL_H

#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/qobject.h"

/*
 * Parse @params into a new QDict, returned with a reference the caller
 * owns; NULL with @errp set on error.
 *
 * Syntax: elements separated by ','; a ',' inside a value is written ",,".
 * Each element is key=value, where key is one or more fragments joined
 * by '.', each a name (a letter, then letters, digits, '-', '_') or, past
 * the first, a list index (digits).  If the same leaf is given twice the
 * last value wins, as in QEMU.
 *
 * @implied_key, if non-NULL, names the key of a first element written
 * without "key=" ("iothread,id=io0" with implied key "qom-type").  Such a
 * value cannot contain ',' or '='.
 *
 * A bare "help" or "?" element sets *@help to true (and is otherwise
 * ignored), so "-object help" and "-object iothread,help" are both
 * recognised; if @help is NULL it is an error ("Help is not available for
 * this option").  *@help is set to false when no help was asked.
 *
 * Errors (QEMU's wording): "Invalid parameter 'a..b'", "Expected '='
 * after parameter 'foo'", "Parameters 'a.*' used inconsistently" (a=1 and
 * a.b=2), "Parameter 'a.1' missing" (list with a gap), "Parameter 'x' is
 * too long" (fragments are limited to 127 characters).
 *
 * Example:
 *     bool help;
 *     QDict *d = keyval_parse("iothread,id=io0,poll-max-ns=0", "qom-type",
 *                             &help, &error_fatal);
 *     qdict_get_str(d, "qom-type")  ->  "iothread"
 */
QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *help, Error **errp);

/*
 * The same, adding to the existing @qdict (as repeated -M options merge
 * in QEMU).  Returns @qdict (no new reference) or NULL on error, in which
 * case @qdict may hold some of the elements.
 */
QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *help, Error **errp);

#endif
