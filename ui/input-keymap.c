/*
 * QKeyCode <-> Linux evdev code and qnum (QEMU's number for a key: its PC
 * XT scancode, set 1, with the 0xe0 prefix folded into bit 7).  Written
 * from linux/input-event-codes.h and the PC scancode set; corresponds to
 * QEMU's ui/input-keymap.c (which QEMU generates from keycodemapdb).
 */
#include "qcore/osdep.h"
#include "qcore/input.h"
#include <linux/input-event-codes.h>

/*
 * One row per QKeyCode.  Two QKeyCodes are aliases of another key:
 * asterisk of kp_multiply, sysrq of print (Alt+PrintScreen is the same
 * key); the reverse tables give the canonical one.
 */
static const struct {
    uint16_t lnx;
    uint16_t qnum;
} qcode_keys[Q_KEY_CODE__MAX] = {
    [Q_KEY_CODE_SHIFT] = { KEY_LEFTSHIFT, 0x2a },
    [Q_KEY_CODE_SHIFT_R] = { KEY_RIGHTSHIFT, 0x36 },
    [Q_KEY_CODE_ALT] = { KEY_LEFTALT, 0x38 },
    [Q_KEY_CODE_ALT_R] = { KEY_RIGHTALT, 0xb8 },
    [Q_KEY_CODE_CTRL] = { KEY_LEFTCTRL, 0x1d },
    [Q_KEY_CODE_CTRL_R] = { KEY_RIGHTCTRL, 0x9d },
    [Q_KEY_CODE_MENU] = { KEY_MENU, 0x9e },
    [Q_KEY_CODE_ESC] = { KEY_ESC, 0x01 },
    [Q_KEY_CODE_1] = { KEY_1, 0x02 },
    [Q_KEY_CODE_2] = { KEY_2, 0x03 },
    [Q_KEY_CODE_3] = { KEY_3, 0x04 },
    [Q_KEY_CODE_4] = { KEY_4, 0x05 },
    [Q_KEY_CODE_5] = { KEY_5, 0x06 },
    [Q_KEY_CODE_6] = { KEY_6, 0x07 },
    [Q_KEY_CODE_7] = { KEY_7, 0x08 },
    [Q_KEY_CODE_8] = { KEY_8, 0x09 },
    [Q_KEY_CODE_9] = { KEY_9, 0x0a },
    [Q_KEY_CODE_0] = { KEY_0, 0x0b },
    [Q_KEY_CODE_MINUS] = { KEY_MINUS, 0x0c },
    [Q_KEY_CODE_EQUAL] = { KEY_EQUAL, 0x0d },
    [Q_KEY_CODE_BACKSPACE] = { KEY_BACKSPACE, 0x0e },
    [Q_KEY_CODE_TAB] = { KEY_TAB, 0x0f },
    [Q_KEY_CODE_Q] = { KEY_Q, 0x10 },
    [Q_KEY_CODE_W] = { KEY_W, 0x11 },
    [Q_KEY_CODE_E] = { KEY_E, 0x12 },
    [Q_KEY_CODE_R] = { KEY_R, 0x13 },
    [Q_KEY_CODE_T] = { KEY_T, 0x14 },
    [Q_KEY_CODE_Y] = { KEY_Y, 0x15 },
    [Q_KEY_CODE_U] = { KEY_U, 0x16 },
    [Q_KEY_CODE_I] = { KEY_I, 0x17 },
    [Q_KEY_CODE_O] = { KEY_O, 0x18 },
    [Q_KEY_CODE_P] = { KEY_P, 0x19 },
    [Q_KEY_CODE_BRACKET_LEFT] = { KEY_LEFTBRACE, 0x1a },
    [Q_KEY_CODE_BRACKET_RIGHT] = { KEY_RIGHTBRACE, 0x1b },
    [Q_KEY_CODE_RET] = { KEY_ENTER, 0x1c },
    [Q_KEY_CODE_A] = { KEY_A, 0x1e },
    [Q_KEY_CODE_S] = { KEY_S, 0x1f },
    [Q_KEY_CODE_D] = { KEY_D, 0x20 },
    [Q_KEY_CODE_F] = { KEY_F, 0x21 },
    [Q_KEY_CODE_G] = { KEY_G, 0x22 },
    [Q_KEY_CODE_H] = { KEY_H, 0x23 },
    [Q_KEY_CODE_J] = { KEY_J, 0x24 },
    [Q_KEY_CODE_K] = { KEY_K, 0x25 },
    [Q_KEY_CODE_L] = { KEY_L, 0x26 },
    [Q_KEY_CODE_SEMICOLON] = { KEY_SEMICOLON, 0x27 },
    [Q_KEY_CODE_APOSTROPHE] = { KEY_APOSTROPHE, 0x28 },
    [Q_KEY_CODE_GRAVE_ACCENT] = { KEY_GRAVE, 0x29 },
    [Q_KEY_CODE_BACKSLASH] = { KEY_BACKSLASH, 0x2b },
    [Q_KEY_CODE_Z] = { KEY_Z, 0x2c },
    [Q_KEY_CODE_X] = { KEY_X, 0x2d },
    [Q_KEY_CODE_C] = { KEY_C, 0x2e },
    [Q_KEY_CODE_V] = { KEY_V, 0x2f },
    [Q_KEY_CODE_B] = { KEY_B, 0x30 },
    [Q_KEY_CODE_N] = { KEY_N, 0x31 },
    [Q_KEY_CODE_M] = { KEY_M, 0x32 },
    [Q_KEY_CODE_COMMA] = { KEY_COMMA, 0x33 },
    [Q_KEY_CODE_DOT] = { KEY_DOT, 0x34 },
    [Q_KEY_CODE_SLASH] = { KEY_SLASH, 0x35 },
    [Q_KEY_CODE_ASTERISK] = { KEY_KPASTERISK, 0x37 },      /* alias */
    [Q_KEY_CODE_SPC] = { KEY_SPACE, 0x39 },
    [Q_KEY_CODE_CAPS_LOCK] = { KEY_CAPSLOCK, 0x3a },
    [Q_KEY_CODE_F1] = { KEY_F1, 0x3b },
    [Q_KEY_CODE_F2] = { KEY_F2, 0x3c },
    [Q_KEY_CODE_F3] = { KEY_F3, 0x3d },
    [Q_KEY_CODE_F4] = { KEY_F4, 0x3e },
    [Q_KEY_CODE_F5] = { KEY_F5, 0x3f },
    [Q_KEY_CODE_F6] = { KEY_F6, 0x40 },
    [Q_KEY_CODE_F7] = { KEY_F7, 0x41 },
    [Q_KEY_CODE_F8] = { KEY_F8, 0x42 },
    [Q_KEY_CODE_F9] = { KEY_F9, 0x43 },
    [Q_KEY_CODE_F10] = { KEY_F10, 0x44 },
    [Q_KEY_CODE_NUM_LOCK] = { KEY_NUMLOCK, 0x45 },
    [Q_KEY_CODE_SCROLL_LOCK] = { KEY_SCROLLLOCK, 0x46 },
    [Q_KEY_CODE_KP_DIVIDE] = { KEY_KPSLASH, 0xb5 },
    [Q_KEY_CODE_KP_MULTIPLY] = { KEY_KPASTERISK, 0x37 },
    [Q_KEY_CODE_KP_SUBTRACT] = { KEY_KPMINUS, 0x4a },
    [Q_KEY_CODE_KP_ADD] = { KEY_KPPLUS, 0x4e },
    [Q_KEY_CODE_KP_ENTER] = { KEY_KPENTER, 0x9c },
    [Q_KEY_CODE_KP_DECIMAL] = { KEY_KPDOT, 0x53 },
    [Q_KEY_CODE_SYSRQ] = { KEY_SYSRQ, 0x54 },               /* alias */
    [Q_KEY_CODE_KP_0] = { KEY_KP0, 0x52 },
    [Q_KEY_CODE_KP_1] = { KEY_KP1, 0x4f },
    [Q_KEY_CODE_KP_2] = { KEY_KP2, 0x50 },
    [Q_KEY_CODE_KP_3] = { KEY_KP3, 0x51 },
    [Q_KEY_CODE_KP_4] = { KEY_KP4, 0x4b },
    [Q_KEY_CODE_KP_5] = { KEY_KP5, 0x4c },
    [Q_KEY_CODE_KP_6] = { KEY_KP6, 0x4d },
    [Q_KEY_CODE_KP_7] = { KEY_KP7, 0x47 },
    [Q_KEY_CODE_KP_8] = { KEY_KP8, 0x48 },
    [Q_KEY_CODE_KP_9] = { KEY_KP9, 0x49 },
    [Q_KEY_CODE_LESS] = { KEY_102ND, 0x56 },
    [Q_KEY_CODE_F11] = { KEY_F11, 0x57 },
    [Q_KEY_CODE_F12] = { KEY_F12, 0x58 },
    [Q_KEY_CODE_PRINT] = { KEY_SYSRQ, 0x54 },
    [Q_KEY_CODE_HOME] = { KEY_HOME, 0xc7 },
    [Q_KEY_CODE_PGUP] = { KEY_PAGEUP, 0xc9 },
    [Q_KEY_CODE_PGDN] = { KEY_PAGEDOWN, 0xd1 },
    [Q_KEY_CODE_END] = { KEY_END, 0xcf },
    [Q_KEY_CODE_LEFT] = { KEY_LEFT, 0xcb },
    [Q_KEY_CODE_UP] = { KEY_UP, 0xc8 },
    [Q_KEY_CODE_DOWN] = { KEY_DOWN, 0xd0 },
    [Q_KEY_CODE_RIGHT] = { KEY_RIGHT, 0xcd },
    [Q_KEY_CODE_INSERT] = { KEY_INSERT, 0xd2 },
    [Q_KEY_CODE_DELETE] = { KEY_DELETE, 0xd3 },
    [Q_KEY_CODE_STOP] = { KEY_STOP, 0xe8 },
    [Q_KEY_CODE_AGAIN] = { KEY_AGAIN, 0x85 },
    [Q_KEY_CODE_PROPS] = { KEY_PROPS, 0x86 },
    [Q_KEY_CODE_UNDO] = { KEY_UNDO, 0x87 },
    [Q_KEY_CODE_FRONT] = { KEY_FRONT, 0x8c },
    [Q_KEY_CODE_COPY] = { KEY_COPY, 0xf8 },
    [Q_KEY_CODE_OPEN] = { KEY_OPEN, 0x64 },
    [Q_KEY_CODE_PASTE] = { KEY_PASTE, 0x65 },
    [Q_KEY_CODE_FIND] = { KEY_FIND, 0xc1 },
    [Q_KEY_CODE_CUT] = { KEY_CUT, 0xbc },
    [Q_KEY_CODE_LF] = { KEY_LINEFEED, 0x5b },
    [Q_KEY_CODE_HELP] = { KEY_HELP, 0xf5 },
    [Q_KEY_CODE_META_L] = { KEY_LEFTMETA, 0xdb },
    [Q_KEY_CODE_META_R] = { KEY_RIGHTMETA, 0xdc },
    [Q_KEY_CODE_COMPOSE] = { KEY_COMPOSE, 0xdd },
    [Q_KEY_CODE_PAUSE] = { KEY_PAUSE, 0xc6 },
    [Q_KEY_CODE_RO] = { KEY_RO, 0x73 },
    [Q_KEY_CODE_HIRAGANA] = { KEY_HIRAGANA, 0x77 },
    [Q_KEY_CODE_HENKAN] = { KEY_HENKAN, 0x79 },
    [Q_KEY_CODE_YEN] = { KEY_YEN, 0x7d },
    [Q_KEY_CODE_MUHENKAN] = { KEY_MUHENKAN, 0x7b },
    [Q_KEY_CODE_KATAKANAHIRAGANA] = { KEY_KATAKANAHIRAGANA, 0x70 },
    [Q_KEY_CODE_KP_COMMA] = { KEY_KPCOMMA, 0x7e },
    [Q_KEY_CODE_KP_EQUALS] = { KEY_KPEQUAL, 0x59 },
    [Q_KEY_CODE_POWER] = { KEY_POWER, 0xde },
    [Q_KEY_CODE_SLEEP] = { KEY_SLEEP, 0xdf },
    [Q_KEY_CODE_WAKE] = { KEY_WAKEUP, 0xe3 },
    [Q_KEY_CODE_AUDIONEXT] = { KEY_NEXTSONG, 0x99 },
    [Q_KEY_CODE_AUDIOPREV] = { KEY_PREVIOUSSONG, 0x90 },
    [Q_KEY_CODE_AUDIOSTOP] = { KEY_STOPCD, 0xa4 },
    [Q_KEY_CODE_AUDIOPLAY] = { KEY_PLAYPAUSE, 0xa2 },
    [Q_KEY_CODE_AUDIOMUTE] = { KEY_MUTE, 0xa0 },
    [Q_KEY_CODE_VOLUMEUP] = { KEY_VOLUMEUP, 0xb0 },
    [Q_KEY_CODE_VOLUMEDOWN] = { KEY_VOLUMEDOWN, 0xae },
    [Q_KEY_CODE_MEDIASELECT] = { KEY_MEDIA, 0xed },
    [Q_KEY_CODE_MAIL] = { KEY_MAIL, 0xec },
    [Q_KEY_CODE_CALCULATOR] = { KEY_CALC, 0xa1 },
    [Q_KEY_CODE_COMPUTER] = { KEY_COMPUTER, 0xeb },
    [Q_KEY_CODE_AC_HOME] = { KEY_HOMEPAGE, 0xb2 },
    [Q_KEY_CODE_AC_BACK] = { KEY_BACK, 0xea },
    [Q_KEY_CODE_AC_FORWARD] = { KEY_FORWARD, 0xe9 },
    [Q_KEY_CODE_AC_REFRESH] = { KEY_REFRESH, 0xe7 },
    [Q_KEY_CODE_AC_BOOKMARKS] = { KEY_BOOKMARKS, 0xe6 },
    [Q_KEY_CODE_LANG1] = { KEY_HANGEUL, 0xf2 },
    [Q_KEY_CODE_LANG2] = { KEY_HANJA, 0xf1 },
};

bool qemu_input_qcode_is_alias(QKeyCode qcode)
{
    return qcode == Q_KEY_CODE_ASTERISK || qcode == Q_KEY_CODE_SYSRQ;
}

/* Both reverse tables fit: evdev codes and qnums of keys here are < 256. */
#define REVERSE_MAX 256
static QKeyCode linux_to_qcode[REVERSE_MAX];
static QKeyCode qnum_to_qcode[REVERSE_MAX];

static void reverse_tables_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    for (int q = 1; q < Q_KEY_CODE__MAX; q++) {
        assert(qcode_keys[q].lnx < REVERSE_MAX && qcode_keys[q].qnum);
        if (qemu_input_qcode_is_alias(q)) {
            continue;
        }
        linux_to_qcode[qcode_keys[q].lnx] = q;
        qnum_to_qcode[qcode_keys[q].qnum] = q;
    }
    linux_to_qcode[0] = qnum_to_qcode[0] = Q_KEY_CODE_UNMAPPED;
    done = true;
}

QKeyCode qemu_input_linux_to_qcode(unsigned int lnx)
{
    reverse_tables_init();
    return lnx < REVERSE_MAX ? linux_to_qcode[lnx] : Q_KEY_CODE_UNMAPPED;
}

unsigned int qemu_input_qcode_to_linux(QKeyCode qcode)
{
    return (unsigned)qcode < Q_KEY_CODE__MAX ? qcode_keys[qcode].lnx : 0;
}

QKeyCode qemu_input_qnum_to_qcode(unsigned int qnum)
{
    reverse_tables_init();
    return qnum < REVERSE_MAX ? qnum_to_qcode[qnum] : Q_KEY_CODE_UNMAPPED;
}

unsigned int qemu_input_qcode_to_qnum(QKeyCode qcode)
{
    return (unsigned)qcode < Q_KEY_CODE__MAX ? qcode_keys[qcode].qnum : 0;
}

QKeyCode qemu_input_key_value_to_qcode(const KeyValue *value)
{
    if (value->type == KEY_VALUE_KIND_QCODE) {
        return value->u.qcode.data;
    }
    if (value->u.number.data < 0) {
        return Q_KEY_CODE_UNMAPPED;
    }
    return qemu_input_qnum_to_qcode(value->u.number.data);
}

int qemu_input_key_value_to_number(const KeyValue *value)
{
    if (value->type == KEY_VALUE_KIND_NUMBER) {
        return value->u.number.data;
    }
    return qemu_input_qcode_to_qnum(value->u.qcode.data);
}
