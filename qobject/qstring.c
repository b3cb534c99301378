/*
 * QString: a mutable, NUL-terminated byte string (normally UTF-8).
 * Corresponds to QEMU's qobject/qstring.c, keeping the append functions
 * that older QEMU code uses.
 */
#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qobject-internal.h"

QString *qstring_from_gstring(GString *gstr)
{
    QString *qs = g_new(QString, 1);

    qobject_init(QOBJECT(qs), QTYPE_QSTRING);
    qs->str = gstr;
    return qs;
}

QString *qstring_new(void)
{
    return qstring_from_gstring(g_string_new(NULL));
}

QString *qstring_from_str(const char *str)
{
    return qstring_from_gstring(g_string_new(str));
}

QString *qstring_from_substr(const char *str, size_t start, size_t end)
{
    assert(start <= end);
    return qstring_from_gstring(g_string_new_len(str + start, end - start));
}

const char *qstring_get_str(const QString *qs)
{
    return qs->str->str;
}

size_t qstring_get_length(const QString *qs)
{
    return qs->str->len;
}

void qstring_append(QString *qs, const char *str)
{
    g_string_append(qs->str, str);
}

void qstring_append_chr(QString *qs, int c)
{
    g_string_append_c(qs->str, c);
}

void qstring_append_int(QString *qs, int64_t value)
{
    g_string_append_printf(qs->str, "%" PRId64, value);
}

void qstring_destroy_obj(QObject *obj)
{
    QString *qs = qobject_to(QString, obj);

    g_string_free(qs->str, TRUE);
    g_free(qs);
}
