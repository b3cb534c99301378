/*
 * QLit: QObject values written as C initialisers (static, read-only
 * data), compared against or turned into real QObjects.  The QAPI
 * introspection data is held this way.  Corresponds to QEMU's
 * include/qobject/qlit.h; the names and layout are QEMU's.
 *
 * A dict is an array of QLitDictEntry ended by an entry with a NULL key,
 * a list an array of QLitObject ended by one of type QTYPE_NONE ({ }):
 *
 *   static QLitObject lit = QLIT_QDICT(((QLitDictEntry[]) {
 *       { "name", QLIT_QSTR("foo") },
 *       { "args", QLIT_QLIST(((QLitObject[]) { QLIT_QNUM(1), { } })) },
 *       { }
 *   }));
 *
 * Threading: the literals are constant data, readable from any thread.
 */
#ifndef QCORE_QLIT_H
#define QCORE_QLIT_H

#include "qcore/qobject.h"

typedef struct QLitDictEntry QLitDictEntry;
typedef struct QLitObject QLitObject;

struct QLitObject {
    QType type;
    union {
        bool qbool;
        int64_t qnum;           /* integers only, as in QEMU */
        const char *qstr;
        QLitDictEntry *qdict;
        QLitObject *qlist;
    } value;
};

struct QLitDictEntry {
    const char *key;
    QLitObject value;
};

#define QLIT_QNULL \
    { .type = QTYPE_QNULL }
#define QLIT_QBOOL(val) \
    { .type = QTYPE_QBOOL, .value.qbool = (val) }
#define QLIT_QNUM(val) \
    { .type = QTYPE_QNUM, .value.qnum = (val) }
#define QLIT_QSTR(val) \
    { .type = QTYPE_QSTRING, .value.qstr = (val) }
#define QLIT_QDICT(val) \
    { .type = QTYPE_QDICT, .value.qdict = (val) }
#define QLIT_QLIST(val) \
    { .type = QTYPE_QLIST, .value.qlist = (val) }

/*
 * Whether @rhs holds the same value as @lhs: same types all the way
 * down, dicts with the same keys (in any order), lists in the same
 * order.  A number matches an integer QNum of that value; a double QNum
 * never matches (QEMU asserts there, qcore answers false).  A NULL @rhs
 * matches nothing.
 */
bool qlit_equal_qobject(const QLitObject *lhs, const QObject *rhs);

/* A new QObject (a new reference) with the value of @qlit. */
QObject *qobject_from_qlit(const QLitObject *qlit);

#endif
