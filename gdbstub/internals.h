/*
 * What the two halves of the gdbstub share: the protocol (gdbstub.c) and
 * its ties to the chardev, the run state and the vCPUs (system.c).
 * Corresponds to QEMU's gdbstub/internals.h.  Main thread, BQL.
 */
#ifndef GDBSTUB_INTERNALS_H
#define GDBSTUB_INTERNALS_H

#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"

/* The largest packet we take or send (QEMU's; told to gdb as PacketSize). */
#define MAX_PACKET_LENGTH 4096

/* gdb's signal numbers in stop replies. */
enum {
    GDB_SIGNAL_0 = 0,
    GDB_SIGNAL_INT = 2,
    GDB_SIGNAL_TRAP = 5,
    GDB_SIGNAL_UNKNOWN = 143,
};

/* gdb's Z/z types. */
enum {
    GDB_BREAKPOINT_SW,
    GDB_BREAKPOINT_HW,
    GDB_WATCHPOINT_WRITE,
    GDB_WATCHPOINT_READ,
    GDB_WATCHPOINT_ACCESS,
};

typedef enum RSState {
    RS_INACTIVE,        /* no gdbstub */
    RS_IDLE,            /* between packets */
    RS_GETLINE,
    RS_GETLINE_ESC,
    RS_GETLINE_RLE,
    RS_CHKSUM1,
    RS_CHKSUM2,
} RSState;

/* Main thread, BQL: the whole state. */
typedef struct GDBState {
    CharBackend chr;
    RSState state;
    char line[MAX_PACKET_LENGTH + 1];
    size_t line_len;
    uint8_t line_sum;           /* of the bytes between '$' and '#' */
    uint8_t line_csum;          /* the two digits after '#' */
    GString *last_packet;       /* sent again on '-' */
    CPUState *c_cpu;            /* continue/step (Hc), reported stops */
    CPUState *g_cpu;            /* registers and memory (Hg) */
    CPUState *query_cpu;        /* qsThreadInfo's position */
    bool multiprocess;          /* gdb said multiprocess+ */
    bool connected;
    bool resumed;               /* gdb waits for a stop reply */
    /*
     * "k": exit once gdb acked our "OK" (or hung up).  Exiting at once
     * would make gdb's ack hit a closed socket, which it reports as a
     * communication error.
     */
    bool kill_pending;
} GDBState;

extern GDBState gdbserver_state;

/* gdbstub.c: the wire. */
void put_buffer(const char *buf, size_t len);
void put_packet(const char *data);
void append_thread_id(GString *buf, CPUState *cpu);
/* One byte from gdb. */
void gdb_read_byte(uint8_t ch);

/* system.c: the machine. */
CPUState *first_cpu_or_null(void);
void single_step_off(void);
/* Run again, all CPUs or those @actions (per cpu_index) names. */
void gdb_continue(void);
void gdb_continue_partial(const char *actions);
/* Every breakpoint, watchpoint and single-step of gdb, gone. */
void gdb_remove_all_debug(void);
/* "vKill": exit once gdb acked; "k": now. */
void gdb_kill(void);
void gdb_kill_now(void);

#endif
