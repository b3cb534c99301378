/*
 * The HMP line editor: byte-at-a-time VT100 input, history and Tab
 * completion.  Corresponds to QEMU's util/readline.c.
 *
 * The terminal is repainted by comparing what it shows (last_*) with the
 * line being edited (cmd_buf), so editing functions only change cmd_buf
 * and the cursor; readline_update() works out the escape sequences.
 */
#include "qcore/osdep.h"
#include "qcore/readline.h"

typedef enum ReadLineEscState {
    IS_NORM,
    IS_ESC,     /* after ESC */
    IS_CSI,     /* after ESC [ */
    IS_SS3,     /* after ESC O */
} ReadLineEscState;

struct ReadLineState {
    char cmd_buf[READLINE_CMD_BUF_SIZE + 1];
    int cmd_buf_index;              /* the cursor */
    int cmd_buf_size;

    /* What the terminal shows after the prompt, and where its cursor is. */
    char last_cmd_buf[READLINE_CMD_BUF_SIZE + 1];
    int last_cmd_buf_index;
    int last_cmd_buf_size;

    ReadLineEscState esc_state;
    int esc_param;                  /* first numeric CSI parameter */
    bool esc_param_done;            /* seen ';': ignore the modifiers */

    char *history[READLINE_MAX_CMDS];   /* oldest first, NULL-terminated */
    int hist_entry;                 /* entry shown by Up/Down, -1: none */
    char *hist_saved;               /* the line typed before Up */

    ReadLineCompletionFunc *completion_finder;
    char *completions[READLINE_MAX_COMPLETIONS];
    int nb_completions;
    int completion_index;

    ReadLineFunc *readline_func;
    void *readline_opaque;
    int read_password;
    char *prompt;

    ReadLinePrintfFunc *printf_func;
    ReadLineFlushFunc *flush_func;
    void *opaque;
};

void readline_show_prompt(ReadLineState *rs)
{
    rs->printf_func(rs->opaque, "%s", rs->prompt ? rs->prompt : "");
    /* The terminal now shows an empty line: the next update repaints it. */
    rs->last_cmd_buf_index = 0;
    rs->last_cmd_buf_size = 0;
    rs->esc_state = IS_NORM;
    if (rs->cmd_buf_size) {
        /* A listing of completions interrupted the line: paint it again. */
        rs->last_cmd_buf_size = -1;
    }
    rs->flush_func(rs->opaque);
}

static void readline_print_range(ReadLineState *rs, int start, int end)
{
    int i;

    if (rs->read_password) {
        for (i = start; i < end; i++) {
            rs->printf_func(rs->opaque, "*");
        }
    } else if (end > start) {
        rs->printf_func(rs->opaque, "%.*s", end - start, rs->cmd_buf + start);
    }
}

static void readline_update(ReadLineState *rs)
{
    int i, delta;
    bool changed = rs->cmd_buf_size != rs->last_cmd_buf_size ||
        memcmp(rs->cmd_buf, rs->last_cmd_buf, rs->cmd_buf_size) != 0;

    if (changed) {
        if (rs->last_cmd_buf_size >= 0 &&
            rs->last_cmd_buf_index == rs->last_cmd_buf_size &&
            rs->cmd_buf_size > rs->last_cmd_buf_size &&
            memcmp(rs->cmd_buf, rs->last_cmd_buf,
                   rs->last_cmd_buf_size) == 0) {
            /* Typing at the end of the line: echo only the new bytes. */
            readline_print_range(rs, rs->last_cmd_buf_size,
                                 rs->cmd_buf_size);
        } else {
            for (i = 0; i < rs->last_cmd_buf_index; i++) {
                rs->printf_func(rs->opaque, "\033[D");
            }
            readline_print_range(rs, 0, rs->cmd_buf_size);
            rs->printf_func(rs->opaque, "\033[K");
        }
        memcpy(rs->last_cmd_buf, rs->cmd_buf, rs->cmd_buf_size);
        rs->last_cmd_buf_size = rs->cmd_buf_size;
        rs->last_cmd_buf_index = rs->cmd_buf_size;
    }
    delta = rs->cmd_buf_index - rs->last_cmd_buf_index;
    for (i = 0; i < delta; i++) {
        rs->printf_func(rs->opaque, "\033[C");
    }
    for (i = 0; i < -delta; i++) {
        rs->printf_func(rs->opaque, "\033[D");
    }
    rs->last_cmd_buf_index = rs->cmd_buf_index;
    rs->flush_func(rs->opaque);
}

/* ---- editing ---------------------------------------------------------- */

static void readline_insert_char(ReadLineState *rs, int ch)
{
    if (rs->cmd_buf_size >= READLINE_CMD_BUF_SIZE) {
        return;
    }
    memmove(rs->cmd_buf + rs->cmd_buf_index + 1,
            rs->cmd_buf + rs->cmd_buf_index,
            rs->cmd_buf_size - rs->cmd_buf_index);
    rs->cmd_buf[rs->cmd_buf_index++] = ch;
    rs->cmd_buf_size++;
}

/* Remove cmd_buf[start, end) and put the cursor at @start. */
static void readline_cut(ReadLineState *rs, int start, int end)
{
    if (start >= end) {
        return;
    }
    memmove(rs->cmd_buf + start, rs->cmd_buf + end, rs->cmd_buf_size - end);
    rs->cmd_buf_size -= end - start;
    rs->cmd_buf_index = start;
}

static void readline_delete_char(ReadLineState *rs)
{
    readline_cut(rs, rs->cmd_buf_index, MIN(rs->cmd_buf_index + 1,
                                            rs->cmd_buf_size));
}

static void readline_backspace(ReadLineState *rs)
{
    if (rs->cmd_buf_index > 0) {
        readline_cut(rs, rs->cmd_buf_index - 1, rs->cmd_buf_index);
    }
}

/* ^W: the blanks before the cursor, then the word before them. */
static void readline_backword(ReadLineState *rs)
{
    int start = rs->cmd_buf_index;

    while (start > 0 && g_ascii_isspace(rs->cmd_buf[start - 1])) {
        start--;
    }
    while (start > 0 && !g_ascii_isspace(rs->cmd_buf[start - 1])) {
        start--;
    }
    readline_cut(rs, start, rs->cmd_buf_index);
}

static void readline_set_line(ReadLineState *rs, const char *line)
{
    rs->cmd_buf_size = MIN(strlen(line), READLINE_CMD_BUF_SIZE);
    memcpy(rs->cmd_buf, line, rs->cmd_buf_size);
    rs->cmd_buf_index = rs->cmd_buf_size;
}

static int readline_hist_count(ReadLineState *rs)
{
    int n = 0;

    while (n < READLINE_MAX_CMDS && rs->history[n]) {
        n++;
    }
    return n;
}

static void readline_up_char(ReadLineState *rs)
{
    int count = readline_hist_count(rs);

    if (rs->hist_entry == -1) {
        if (count == 0) {
            return;
        }
        g_free(rs->hist_saved);
        rs->hist_saved = g_strndup(rs->cmd_buf, rs->cmd_buf_size);
        rs->hist_entry = count - 1;
    } else if (rs->hist_entry > 0) {
        rs->hist_entry--;
    } else {
        return;
    }
    readline_set_line(rs, rs->history[rs->hist_entry]);
}

static void readline_down_char(ReadLineState *rs)
{
    if (rs->hist_entry == -1) {
        return;
    }
    if (rs->hist_entry + 1 < readline_hist_count(rs)) {
        rs->hist_entry++;
        readline_set_line(rs, rs->history[rs->hist_entry]);
    } else {
        /* Past the newest entry: back to what was being typed. */
        rs->hist_entry = -1;
        readline_set_line(rs, rs->hist_saved ? rs->hist_saved : "");
        g_clear_pointer(&rs->hist_saved, g_free);
    }
}

static void readline_hist_add(ReadLineState *rs, const char *line)
{
    int count = readline_hist_count(rs);

    if (!line[0] || (count && !strcmp(rs->history[count - 1], line))) {
        return;
    }
    if (count == READLINE_MAX_CMDS) {
        g_free(rs->history[0]);
        memmove(rs->history, rs->history + 1,
                (READLINE_MAX_CMDS - 1) * sizeof(rs->history[0]));
        count--;
    }
    rs->history[count] = g_strdup(line);
}

/* ---- completion ------------------------------------------------------- */

void readline_add_completion(ReadLineState *rs, const char *str)
{
    if (rs->nb_completions < READLINE_MAX_COMPLETIONS) {
        rs->completions[rs->nb_completions++] = g_strdup(str);
    }
}

void readline_add_completion_of(ReadLineState *rs, const char *pfx,
                                const char *str)
{
    if (g_str_has_prefix(str, pfx)) {
        readline_add_completion(rs, str);
    }
}

void readline_set_completion_index(ReadLineState *rs, int index)
{
    rs->completion_index = index;
}

static void readline_insert_from(ReadLineState *rs, const char *str, int from,
                                 int to)
{
    int i;

    for (i = from; i < to; i++) {
        readline_insert_char(rs, str[i]);
    }
}

static void readline_completion(ReadLineState *rs)
{
    g_autofree char *before = NULL;
    int i, len, width, cols, col, prefix;

    if (!rs->completion_finder) {
        return;
    }
    rs->nb_completions = 0;
    rs->completion_index = 0;
    before = g_strndup(rs->cmd_buf, rs->cmd_buf_index);
    rs->completion_finder(rs->opaque, before);

    if (rs->nb_completions == 1) {
        const char *only = rs->completions[0];

        len = strlen(only);
        readline_insert_from(rs, only, rs->completion_index, len);
        /* Ready for the next argument, unless a path goes on. */
        if (len > 0 && only[len - 1] != '/') {
            readline_insert_char(rs, ' ');
        }
    } else if (rs->nb_completions > 1) {
        /* Complete what all candidates share, then list them. */
        prefix = strlen(rs->completions[0]);
        width = 0;
        for (i = 0; i < rs->nb_completions; i++) {
            const char *c = rs->completions[i];
            int j = 0;

            while (j < prefix && c[j] == rs->completions[0][j]) {
                j++;
            }
            prefix = j;
            width = MAX(width, (int)strlen(c));
        }
        readline_insert_from(rs, rs->completions[0], rs->completion_index,
                             prefix);

        /* QEMU's layout: columns at least 10 wide in 80 characters. */
        width = CLAMP(width + 2, 10, 80);
        cols = 80 / width;
        rs->printf_func(rs->opaque, "\n");
        for (i = 0, col = 0; i < rs->nb_completions; i++) {
            rs->printf_func(rs->opaque, "%-*s", width, rs->completions[i]);
            if (++col == cols || i == rs->nb_completions - 1) {
                rs->printf_func(rs->opaque, "\n");
                col = 0;
            }
        }
        readline_show_prompt(rs);
    }
    for (i = 0; i < rs->nb_completions; i++) {
        g_free(rs->completions[i]);
    }
    rs->nb_completions = 0;
}

/* ---- input ------------------------------------------------------------ */

static void readline_enter(ReadLineState *rs)
{
    g_autofree char *line = g_strndup(rs->cmd_buf, rs->cmd_buf_size);

    if (!rs->read_password) {
        readline_hist_add(rs, line);
    }
    rs->hist_entry = -1;
    g_clear_pointer(&rs->hist_saved, g_free);
    rs->printf_func(rs->opaque, "\n");
    rs->cmd_buf_index = rs->cmd_buf_size = 0;
    rs->last_cmd_buf_index = rs->last_cmd_buf_size = 0;
    /* The callback may print and restart us; it sees a clean state. */
    if (rs->readline_func) {
        rs->readline_func(rs->opaque, line, rs->readline_opaque);
    }
}

static void readline_handle_norm(ReadLineState *rs, int ch)
{
    switch (ch) {
    case 0x01:                  /* ^A */
        rs->cmd_buf_index = 0;
        break;
    case 0x02:                  /* ^B */
        rs->cmd_buf_index = MAX(rs->cmd_buf_index - 1, 0);
        break;
    case 0x04:                  /* ^D */
        readline_delete_char(rs);
        break;
    case 0x05:                  /* ^E */
        rs->cmd_buf_index = rs->cmd_buf_size;
        break;
    case 0x06:                  /* ^F */
        rs->cmd_buf_index = MIN(rs->cmd_buf_index + 1, rs->cmd_buf_size);
        break;
    case 0x08:                  /* ^H */
    case 0x7f:                  /* DEL, what Backspace sends */
        readline_backspace(rs);
        break;
    case '\t':
        readline_completion(rs);
        break;
    case 0x0b:                  /* ^K */
        readline_cut(rs, rs->cmd_buf_index, rs->cmd_buf_size);
        break;
    case '\n':
    case '\r':
        readline_enter(rs);
        return;
    case 0x0e:                  /* ^N */
        readline_down_char(rs);
        break;
    case 0x10:                  /* ^P */
        readline_up_char(rs);
        break;
    case 0x15:                  /* ^U */
        readline_cut(rs, 0, rs->cmd_buf_index);
        break;
    case 0x17:                  /* ^W */
        readline_backword(rs);
        break;
    case 0x1b:
        rs->esc_state = IS_ESC;
        return;
    default:
        /*
         * Bytes >= 0x80 are inserted as they are, so UTF-8 passes through
         * (QEMU's 8-bit CSI, 0x9b, would collide with UTF-8).
         */
        if (ch >= 0x20) {
            readline_insert_char(rs, ch);
        }
        break;
    }
    readline_update(rs);
}

static void readline_handle_csi(ReadLineState *rs, int ch)
{
    if (ch >= '0' && ch <= '9') {
        if (!rs->esc_param_done && rs->esc_param < 1000) {
            rs->esc_param = rs->esc_param * 10 + (ch - '0');
        }
        return;
    }
    if (ch == ';') {
        rs->esc_param_done = true;
        return;
    }
    if (ch < 0x40 || ch > 0x7e) {
        return;     /* intermediate bytes: keep waiting for the final one */
    }
    rs->esc_state = IS_NORM;
    switch (ch) {
    case 'A':
        readline_up_char(rs);
        break;
    case 'B':
        readline_down_char(rs);
        break;
    case 'C':
        rs->cmd_buf_index = MIN(rs->cmd_buf_index + 1, rs->cmd_buf_size);
        break;
    case 'D':
        rs->cmd_buf_index = MAX(rs->cmd_buf_index - 1, 0);
        break;
    case 'H':
        rs->cmd_buf_index = 0;
        break;
    case 'F':
        rs->cmd_buf_index = rs->cmd_buf_size;
        break;
    case '~':
        switch (rs->esc_param) {
        case 1:
        case 7:
            rs->cmd_buf_index = 0;
            break;
        case 3:
            readline_delete_char(rs);
            break;
        case 4:
        case 8:
            rs->cmd_buf_index = rs->cmd_buf_size;
            break;
        }
        break;
    }
    readline_update(rs);
}

void readline_handle_byte(ReadLineState *rs, int ch)
{
    ch &= 0xff;
    switch (rs->esc_state) {
    case IS_NORM:
        readline_handle_norm(rs, ch);
        break;
    case IS_ESC:
        rs->esc_param = 0;
        rs->esc_param_done = false;
        if (ch == '[') {
            rs->esc_state = IS_CSI;
        } else if (ch == 'O') {
            rs->esc_state = IS_SS3;
        } else {
            rs->esc_state = IS_NORM;
        }
        break;
    case IS_CSI:
        readline_handle_csi(rs, ch);
        break;
    case IS_SS3:
        rs->esc_state = IS_NORM;
        if (ch == 'H') {
            rs->cmd_buf_index = 0;
        } else if (ch == 'F') {
            rs->cmd_buf_index = rs->cmd_buf_size;
        }
        readline_update(rs);
        break;
    }
}

/* ---- life cycle ------------------------------------------------------- */

void readline_start(ReadLineState *rs, const char *prompt, int read_password,
                    ReadLineFunc *readline_func, void *opaque)
{
    g_free(rs->prompt);
    rs->prompt = g_strdup(prompt);
    rs->readline_func = readline_func;
    rs->readline_opaque = opaque;
    rs->read_password = read_password;
    readline_restart(rs);
}

void readline_restart(ReadLineState *rs)
{
    rs->cmd_buf_index = 0;
    rs->cmd_buf_size = 0;
    rs->last_cmd_buf_index = 0;
    rs->last_cmd_buf_size = 0;
    rs->esc_state = IS_NORM;
}

const char *readline_get_history(ReadLineState *rs, unsigned int index)
{
    return index < READLINE_MAX_CMDS ? rs->history[index] : NULL;
}

const char *readline_get_line(ReadLineState *rs)
{
    rs->cmd_buf[rs->cmd_buf_size] = '\0';
    return rs->cmd_buf;
}

int readline_get_cursor(ReadLineState *rs)
{
    return rs->cmd_buf_index;
}

ReadLineState *readline_init(ReadLinePrintfFunc *printf_func,
                             ReadLineFlushFunc *flush_func,
                             void *opaque,
                             ReadLineCompletionFunc *completion_finder)
{
    ReadLineState *rs = g_new0(ReadLineState, 1);

    rs->hist_entry = -1;
    rs->printf_func = printf_func;
    rs->flush_func = flush_func;
    rs->opaque = opaque;
    rs->completion_finder = completion_finder;
    return rs;
}

void readline_free(ReadLineState *rs)
{
    int i;

    if (!rs) {
        return;
    }
    for (i = 0; i < READLINE_MAX_CMDS; i++) {
        g_free(rs->history[i]);
    }
    g_free(rs->hist_saved);
    g_free(rs->prompt);
    g_free(rs);
}
