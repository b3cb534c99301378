/*
 * The guest's function symbols, looked up by address for the log.
 * Corresponds to lookup_symbol in QEMU's disas/disas.c (see
 * include/qcore/symbols.h).
 */
#include "qcore/osdep.h"
#include "qcore/symbols.h"

typedef struct QemuSymbol {
    uint64_t addr, size;
    char *name;
} QemuSymbol;

/* Sorted by addr once the last one is added; see symbols.h for locking. */
static GArray *symbols;
static bool sorted;

static gint symbol_cmp(gconstpointer a, gconstpointer b)
{
    const QemuSymbol *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void qemu_symbol_add(uint64_t addr, uint64_t size, const char *name)
{
    QemuSymbol s = { addr, size, g_strdup(name) };

    if (!size || addr + size - 1 < addr) {
        g_free(s.name);
        return;
    }
    if (!symbols) {
        symbols = g_array_new(false, false, sizeof(QemuSymbol));
    }
    g_array_append_val(symbols, s);
    sorted = false;
}

void qemu_symbols_commit(void)
{
    if (symbols) {
        g_array_sort(symbols, symbol_cmp);
        sorted = true;
    }
}

const char *lookup_symbol(uint64_t addr)
{
    guint lo = 0, hi;
    const QemuSymbol *best = NULL;

    if (!symbols || !sorted) {
        return "";
    }
    /* The last symbol starting at or below addr. */
    hi = symbols->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (g_array_index(symbols, QemuSymbol, mid).addr <= addr) {
            best = &g_array_index(symbols, QemuSymbol, mid);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (best && addr - best->addr < best->size) {
        return best->name;
    }
    return "";
}
