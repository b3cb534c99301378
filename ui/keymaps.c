/*
 * Keysym -> key for displays that send X11 keysyms (VNC's KeyEvent), from
 * the layout -k names, compiled by libxkbcommon from Debian's xkb-data.
 * Corresponds to QEMU's ui/keymaps.c, which reads its own keymap files
 * (pc-bios/keymaps/en-us, ...) instead; the names are QEMU's.
 */
#include "qcore/osdep.h"
#include "qcore/input.h"
#include <xkbcommon/xkbcommon.h>

/*
 * The keys that type a keysym: a few per keysym (a letter is on one key,
 * '<' on two in pc105), each with its shift level.  Built once at
 * start-up, read by the main loop only (BQL).
 */
#define KEYS_PER_SYM 4
typedef struct KeysymKeys {
    uint8_t n;
    struct {
        uint8_t qcode;          /* QKeyCode, all < 256 */
        uint8_t level;
    } k[KEYS_PER_SYM];
} KeysymKeys;

static GHashTable *keysym_keys;         /* keysym -> KeysymKeys */
/* qcode -> keysym at levels 0 (plain) and 1 (shift). */
static uint32_t qcode_syms[Q_KEY_CODE__MAX][2];
static char *layout_name;
static bool layout_explicit;      /* -k was given */

/* QEMU's -k names that are not XKB layout names themselves. */
static const struct {
    const char *qemu, *layout, *variant;
} qemu_names[] = {
    { "en-us", "us", NULL },     { "en-gb", "gb", NULL },
    { "de-ch", "ch", "de" },     { "fr-ch", "ch", "fr" },
    { "fr-be", "be", NULL },     { "fr-ca", "ca", NULL },
    { "nl-be", "be", NULL },     { "pt-br", "br", NULL },
    { "ja", "jp", NULL },        { "da", "dk", NULL },
    { "et", "ee", NULL },        { "sv", "se", NULL },
    { "sl", "si", NULL },        { "bepo", "fr", "bepo" },
    { "ar", "ara", NULL },
};

static void add_key(uint32_t sym, QKeyCode q, unsigned level)
{
    KeysymKeys *kk = g_hash_table_lookup(keysym_keys, GUINT_TO_POINTER(sym));

    if (!kk) {
        kk = g_new0(KeysymKeys, 1);
        g_hash_table_insert(keysym_keys, GUINT_TO_POINTER(sym), kk);
    }
    if (kk->n < KEYS_PER_SYM) {
        kk->k[kk->n].qcode = q;
        kk->k[kk->n].level = level;
        kk->n++;
    }
}

static void build_tables(struct xkb_keymap *km)
{
    xkb_keycode_t min = xkb_keymap_min_keycode(km);
    xkb_keycode_t max = xkb_keymap_max_keycode(km);

    keysym_keys = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    memset(qcode_syms, 0, sizeof(qcode_syms));
    /* XKB keycodes are evdev codes + 8 (the evdev rules). */
    for (xkb_keycode_t kc = MAX(min, 8); kc <= max; kc++) {
        QKeyCode q = qemu_input_linux_to_qcode(kc - 8);
        xkb_level_index_t nlevels = xkb_keymap_num_levels_for_key(km, kc, 0);

        if (q == Q_KEY_CODE_UNMAPPED) {
            continue;
        }
        for (xkb_level_index_t l = 0; l < nlevels; l++) {
            const xkb_keysym_t *syms;
            int n = xkb_keymap_key_get_syms_by_level(km, kc, 0, l, &syms);

            for (int i = 0; i < n; i++) {
                add_key(syms[i], q, l);
            }
            if (n > 0 && l < 2) {
                qcode_syms[q][l] = syms[0];
            }
        }
    }
}

bool qemu_keymap_select(const char *name, Error **errp)
{
    struct xkb_rule_names names = { .rules = "evdev", .model = "pc105" };
    g_autofree char *layout = NULL;
    g_autofree char *variant = NULL;
    struct xkb_context *ctx;
    struct xkb_keymap *km;
    const char *paren;

    for (size_t i = 0; i < G_N_ELEMENTS(qemu_names); i++) {
        if (!strcmp(name, qemu_names[i].qemu)) {
            layout = g_strdup(qemu_names[i].layout);
            variant = g_strdup(qemu_names[i].variant);
        }
    }
    if (!layout) {
        /* An XKB name, "layout" or "layout(variant)", or QEMU's own. */
        paren = strchr(name, '(');
        if (paren && name[strlen(name) - 1] == ')') {
            layout = g_strndup(name, paren - name);
            variant = g_strndup(paren + 1, strlen(paren + 1) - 1);
        } else {
            layout = g_strdup(name);
        }
    }
    if (!*layout || strspn(layout, "abcdefghijklmnopqrstuvwxyz_-")
        != strlen(layout)) {
        goto unknown;
    }
    names.layout = layout;
    names.variant = variant;
    ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
    if (!ctx) {
        error_setg(errp, "could not read keymap file: '%s'", name);
        return false;
    }
    /* No messages from libxkbcommon itself: the error below says it. */
    xkb_context_set_log_level(ctx, XKB_LOG_LEVEL_CRITICAL);
    km = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    xkb_context_unref(ctx);
    if (!km) {
        goto unknown;
    }
    if (keysym_keys) {
        g_hash_table_destroy(keysym_keys);
    }
    build_tables(km);
    xkb_keymap_unref(km);
    g_free(layout_name);
    layout_name = g_strdup(name);
    layout_explicit = true;
    return true;

unknown:
    /* QEMU's message when pc-bios/keymaps has no such file. */
    error_setg(errp, "could not read keymap file: '%s'", name);
    return false;
}

static void keymap_default(void)
{
    if (!keysym_keys) {
        qemu_keymap_select("en-us", &error_fatal);
        layout_explicit = false;
    }
}

bool qemu_keymap_is_explicit(void)
{
    return layout_explicit;
}

const char *qemu_keymap_name(void)
{
    keymap_default();
    return layout_name;
}

QKeyCode qemu_keymap_keysym_to_qcode(uint32_t keysym, bool shift)
{
    KeysymKeys *kk;

    keymap_default();
    kk = g_hash_table_lookup(keysym_keys, GUINT_TO_POINTER(keysym));
    if (!kk) {
        return Q_KEY_CODE_UNMAPPED;
    }
    /* The key whose level matches the shift state the client pressed
     * ('<' with shift is shift+comma in pc105 "us", not the 102nd key). */
    for (int i = 0; i < kk->n; i++) {
        if ((kk->k[i].level == 1) == shift) {
            return kk->k[i].qcode;
        }
    }
    return kk->k[0].qcode;
}

uint32_t qemu_keymap_qcode_to_keysym(QKeyCode qcode, bool shift)
{
    keymap_default();
    if ((unsigned)qcode >= Q_KEY_CODE__MAX) {
        return 0;
    }
    return qcode_syms[qcode][shift] ? qcode_syms[qcode][shift]
                                    : qcode_syms[qcode][0];
}
