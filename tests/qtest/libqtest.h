/*
 * A small client of the qtest protocol for device tests: start the real
 * qcore binary with -accel qtest, talk qtest on one unix socket and QMP
 * on another, stop it cleanly.  Corresponds to QEMU's
 * tests/qtest/libqtest.h (same names and meanings, fewer functions).
 *
 * Every helper asserts the answer it expects (g_assert), so a test reads
 * as a list of accesses.  One QTestState per qcore process; not
 * thread-safe.  Nothing here sleeps: every wait is on a socket, a pidfd
 * or a line, and the meson timeout guards against a hang.
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qcore/qobject.h"

typedef struct QTestState QTestState;

/*
 * Start $QCORE_BINARY with "-accel qtest -display none", the qtest and
 * QMP sockets and @extra_args (split as a shell would, without
 * expansion), then negotiate QMP.  Fails the test if qcore exits first.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* SIGTERM, wait, and assert qcore exited with status 0; frees @s. */
void qtest_quit(QTestState *s);
/*
 * An empty temporary file for "-D FILE" (the -d log of a test's qcore);
 * the caller keeps the path.  qtest_quit_log() quits, returns what was
 * logged (the caller frees it), removes the file and frees @path.
 */
char *qtest_log_file_new(const char *prefix);
char *qtest_quit_log(QTestState *s, char *path);
/* Wait for qcore to exit on its own; its exit status (-1: killed). */
int qtest_wait_qemu(QTestState *s);
/* Free @s after qtest_wait_qemu. */
void qtest_free(QTestState *s);

/* Send one protocol line and return the answer line (no newline). */
char *qtest_raw(QTestState *s, const char *line);
/* Send one line and do not wait for an answer (a write that ends qcore). */
void qtest_send_line(QTestState *s, const char *line);

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
/* read/write (hex on the wire), b64read/b64write, memset. */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern,
                  size_t size);

/* The virtual clock after stepping @step ns / to the next deadline. */
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t val);

void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* Drive input @num of the device at @qom_path ("unnamed" lines). */
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level);
/* The last level reported for intercepted line @num (after a round trip). */
bool qtest_get_irq(QTestState *s, int num);

/*
 * Send a QMP command (printf-style JSON) and return its answer (a dict
 * with "return" or "error"), skipping events.  The caller unrefs it.
 */
QDict *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The path of the one object of QOM type @type under @container. */
char *qtest_qom_find(QTestState *s, const char *container, const char *type);

#endif
