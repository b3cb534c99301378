/*
 * QString: a mutable, NUL-terminated byte string (normally UTF-8).
 * Corresponds to QEMU's qobject/qstring.c, keeping the append functions
 * that older QEMU code uses.
 */
#include "qcore/osdep.h"
#include "qcore/qobject.h"
#include "qcore/thread.h"
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

/*
 * Freeing a string of megabytes unmaps its pages, which costs
 * milliseconds on some hosts (3.5 ms for a 16 MiB QMP "id" on the VM of
 * bench/README.md): too long for the main loop, where such a string dies
 * once its answer is written.  Buffers this large go to a thread that
 * frees them; the queue orders our writes before its free.
 */
#define QSTRING_FREE_ELSEWHERE_MIN (1024 * 1024)

static GAsyncQueue *free_queue;

static void *qstring_free_thread(void *opaque)
{
    for (;;) {
        g_free(g_async_queue_pop(free_queue));
    }
    return NULL;
}

static gpointer qstring_free_init(gpointer unused)
{
    QemuThread thread;

    free_queue = g_async_queue_new();
    qemu_thread_create(&thread, "qstring-free", qstring_free_thread, NULL,
                       QEMU_THREAD_DETACHED);
    return NULL;
}

void qstring_destroy_obj(QObject *obj)
{
    static GOnce once = G_ONCE_INIT;
    QString *qs = qobject_to(QString, obj);

    if (qs->str->allocated_len >= QSTRING_FREE_ELSEWHERE_MIN) {
        g_once(&once, qstring_free_init, NULL);
        g_async_queue_push(free_queue, g_string_free(qs->str, FALSE));
    } else {
        g_string_free(qs->str, TRUE);
    }
    g_free(qs);
}
