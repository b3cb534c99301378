/*
 * "info mtree": the region trees and flat views as text, in QEMU's format
 * so that people and scripts that read QEMU's output read ours.
 * Corresponds to mtree_info() and its helpers in QEMU's system/memory.c.
 */
#include "qcore/osdep.h"
#include "qcore/memory.h"
#include "qcore/main-loop.h"

#define MTREE_INDENT "  "

static const char *memory_region_type(const MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    if (mr->ram) {
        return mr->readonly ? "rom" : "ram";
    }
    return "i/o";
}

/* The last address of @mr placed at @start (a 0-byte region shows start). */
static hwaddr mtree_end(const MemoryRegion *mr, hwaddr start)
{
    return mr->size ? start + region_last(mr) : start;
}

/* Queue @mr once for the "memory-region:" sections after the trees. */
static void mtree_queue_alias(GPtrArray *queue, MemoryRegion *mr)
{
    if (!g_ptr_array_find(queue, mr, NULL)) {
        g_ptr_array_add(queue, mr);
    }
}

static void mtree_print_mr(GString *s, const MemoryRegion *mr,
                           unsigned level, hwaddr base, GPtrArray *queue)
{
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    hwaddr start = base + mr->addr;
    MemoryRegion *sub;
    unsigned i;

    for (i = 0; i < level; i++) {
        g_string_append(s, MTREE_INDENT);
    }
    g_string_append_printf(s, "%016" HWADDR_PRIx "-%016" HWADDR_PRIx
                           " (prio %d, %s): ", start, mtree_end(mr, start),
                           mr->priority, memory_region_type(mr));
    if (mr->alias) {
        mtree_queue_alias(queue, mr->alias);
        g_string_append_printf(s, "alias %s @%s %016" HWADDR_PRIx
                               "-%016" HWADDR_PRIx, mr->name,
                               mr->alias->name, mr->alias_offset,
                               mtree_end(mr, mr->alias_offset));
    } else {
        g_string_append(s, mr->name);
    }
    g_string_append(s, mr->enabled ? "\n" : " [disabled]\n");

    /*
     * By address, and at one address by priority, highest first; the
     * subregion list is already in priority order, so an insertion that
     * keeps equals in list order does it.
     */
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        unsigned pos = subs->len;

        for (i = 0; i < subs->len; i++) {
            MemoryRegion *o = g_ptr_array_index(subs, i);

            if (sub->addr < o->addr ||
                (sub->addr == o->addr && sub->priority > o->priority)) {
                pos = i;
                break;
            }
        }
        g_ptr_array_insert(subs, pos, sub);
    }
    for (i = 0; i < subs->len; i++) {
        mtree_print_mr(s, g_ptr_array_index(subs, i), level + 1, start,
                       queue);
    }
}

char *mtree_info_string(void)
{
    g_autoptr(GPtrArray) queue = g_ptr_array_new();
    GString *s = g_string_new(NULL);
    AddressSpace *as;
    unsigned i;

    assert_bql_held();
    QTAILQ_FOREACH(as, &address_spaces, address_spaces_link) {
        g_string_append_printf(s, "address-space: %s\n", as->name);
        mtree_print_mr(s, as->root, 1, 0, queue);
        g_string_append(s, "\n");
    }
    /* The queue grows while we print when an alias points at an alias. */
    for (i = 0; i < queue->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(queue, i);

        g_string_append_printf(s, "memory-region: %s\n", mr->name);
        mtree_print_mr(s, mr, 1, 0, queue);
        g_string_append(s, "\n");
    }
    return g_string_free(s, false);
}

char *mtree_info_flatview_string(void)
{
    GString *s = g_string_new(NULL);
    AddressSpace *as;
    unsigned n = 0, i;

    assert_bql_held();
    QTAILQ_FOREACH(as, &address_spaces, address_spaces_link) {
        /* We are the writer (BQL): the view cannot change under us. */
        FlatView *fv = as->current_map;

        g_string_append_printf(s, "FlatView #%u\n AS \"%s\", root: %s\n"
                               " Root memory region: %s\n", n++, as->name,
                               as->root->name, as->root->name);
        if (!fv || !fv->nr) {
            g_string_append(s, MTREE_INDENT "No rendered FlatView\n");
        }
        for (i = 0; fv && i < fv->nr; i++) {
            FlatRange *fr = &fv->ranges[i];

            g_string_append_printf(s, MTREE_INDENT "%016" HWADDR_PRIx
                                   "-%016" HWADDR_PRIx " (prio %d, %s): %s",
                                   fr->start, fr->last, fr->mr->priority,
                                   memory_region_type(fr->mr), fr->mr->name);
            if (fr->offset_in_region) {
                g_string_append_printf(s, " @%016" HWADDR_PRIx,
                                       fr->offset_in_region);
            }
            g_string_append(s, "\n");
        }
        g_string_append(s, "\n");
    }
    return g_string_free(s, false);
}
