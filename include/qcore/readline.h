/*
 * ReadLineState: the line editor behind the human monitor, fed one byte at
 * a time from a terminal byte stream.  Corresponds to QEMU's
 * include/qemu/readline.h and util/readline.c.
 *
 * The editor keeps the line, the cursor and a bounded history; it paints
 * the line with VT100 sequences through the printf callback.  Bindings:
 * printable bytes insert; Backspace (0x7f, ^H) and Delete (ESC [ 3 ~, ^D)
 * erase; Left/Right (ESC [ D / C, ^B / ^F) move; Home/End (ESC [ H / F,
 * ESC O H / F, ESC [ 1 ~ / 4 ~, ESC [ 7 ~ / 8 ~, ^A / ^E); ^K kills to the
 * end, ^U to the start, ^W the word before the cursor; Up/Down (ESC [ A /
 * B, ^P / ^N) walk the history; Tab completes; Enter (CR or LF) runs the
 * line.  Escape sequences may be split across calls.
 *
 * Threading: a ReadLineState belongs to its monitor; all functions run in
 * the monitor's thread (the main thread, BQL held).  Callbacks are called
 * synchronously from readline_handle_byte() and the functions below.
 */
#ifndef QCORE_READLINE_H
#define QCORE_READLINE_H

#include "qcore/osdep.h"

#define READLINE_CMD_BUF_SIZE    4095   /* bytes in one line */
#define READLINE_MAX_CMDS        64     /* history entries */
#define READLINE_MAX_COMPLETIONS 256

/* Terminal output (prompt, echo, cursor movement). */
typedef void G_GNUC_PRINTF(2, 3) ReadLinePrintfFunc(void *opaque,
                                                    const char *fmt, ...);
/* Push what printf_func produced to the terminal. */
typedef void ReadLineFlushFunc(void *opaque);
/* A complete line (without the newline), borrowed for the call. */
typedef void ReadLineFunc(void *opaque, const char *str,
                          void *readline_opaque);
/*
 * Tab was pressed with @cmdline (the text before the cursor): call
 * readline_set_completion_index() and readline_add_completion() for each
 * candidate.
 */
typedef void ReadLineCompletionFunc(void *opaque, const char *cmdline);

typedef struct ReadLineState ReadLineState;

/*
 * A new editor.  @opaque is passed to the three callbacks;
 * @completion_finder may be NULL (Tab then does nothing).
 */
ReadLineState *readline_init(ReadLinePrintfFunc *printf_func,
                             ReadLineFlushFunc *flush_func,
                             void *opaque,
                             ReadLineCompletionFunc *completion_finder);
/* Free the editor and its history.  NULL is a no-op. */
void readline_free(ReadLineState *rs);

/*
 * Start reading a line with @prompt (copied); @readline_func gets it with
 * @opaque.  With @read_password the line is echoed as '*' and not added
 * to the history.  Does not print the prompt (readline_show_prompt does).
 */
void readline_start(ReadLineState *rs, const char *prompt, int read_password,
                    ReadLineFunc *readline_func, void *opaque);
/* Forget the line being edited (the history stays). */
void readline_restart(ReadLineState *rs);
/* Print the prompt and the current line, as after Enter or a listing. */
void readline_show_prompt(ReadLineState *rs);

/* Feed one byte of terminal input. */
void readline_handle_byte(ReadLineState *rs, int ch);

/*
 * For the completion finder: the candidates replace the text from byte
 * @index of the word being completed (usually the word's length, so that
 * only the rest of the candidate is inserted).
 */
void readline_set_completion_index(ReadLineState *rs, int index);
/* Offer @str (copied) as a completion; extra ones are dropped. */
void readline_add_completion(ReadLineState *rs, const char *str);
/* Offer @str only if it starts with @pfx. */
void readline_add_completion_of(ReadLineState *rs, const char *pfx,
                                const char *str);

/* History entry @index, oldest first; NULL past the last one. */
const char *readline_get_history(ReadLineState *rs, unsigned int index);
/* The line as typed so far (borrowed; for tests and debugging). */
const char *readline_get_line(ReadLineState *rs);
/* The cursor position in readline_get_line(). */
int readline_get_cursor(ReadLineState *rs);

#endif
