/*
 * The gdbstub's protocol half: GDB's remote serial protocol with QEMU
 * 7.2's answers (one gdb thread per hart, all-stop, qXfer target
 * description, software/hardware breakpoints and watchpoints, qRcmd to
 * the monitor): framing, checksums, escapes and every packet.
 * Corresponds to QEMU's gdbstub/gdbstub.c; system.c ties it to the
 * chardev and the VM, target/riscv/gdbstub.c gives registers and XML.
 * See docs/gdbstub.md.
 *
 * Threading: main thread, BQL.  Packets are only acted on while the VM
 * is stopped (a byte that arrives while it runs stops it, as in QEMU), so
 * every CPU is stopped and its state may be read and written from here.
 */
#include "qcore/osdep.h"
#include "qcore/cpu.h"
#include "qcore/monitor.h"
#include "qcore/runstate.h"
#include "internals.h"

/* ---- output ---------------------------------------------------------- */

void put_buffer(const char *buf, size_t len)
{
    /* Output is queued by the chardev; it never blocks the loop. */
    qemu_chr_fe_write_all(&gdbserver_state.chr, (const uint8_t *)buf, len);
}

static void put_packet_len(const char *data, size_t len)
{
    GString *p = gdbserver_state.last_packet;
    uint8_t sum = 0;
    size_t i;

    g_string_truncate(p, 0);
    g_string_append_c(p, '$');
    for (i = 0; i < len; i++) {
        sum += (uint8_t)data[i];
    }
    g_string_append_len(p, data, len);
    g_string_append_printf(p, "#%02x", sum);
    put_buffer(p->str, p->len);
}

void put_packet(const char *data)
{
    put_packet_len(data, strlen(data));
}

static void memtohex(GString *out, const uint8_t *mem, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        g_string_append_printf(out, "%02x", mem[i]);
    }
}

static int fromhex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Exactly 2 * @len hex digits at @hex into @mem. */
static bool hextomem(uint8_t *mem, const char *hex, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        int hi = fromhex(hex[2 * i]), lo = hi < 0 ? -1 : fromhex(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return false;
        }
        mem[i] = hi << 4 | lo;
    }
    return true;
}

/* ---- threads: one per CPU, in process 1 ------------------------------- */

static int gdb_tid(CPUState *cpu)
{
    return cpu->cpu_index + 1;
}

void append_thread_id(GString *buf, CPUState *cpu)
{
    if (gdbserver_state.multiprocess) {
        g_string_append_printf(buf, "p%02x.%02x", 1, gdb_tid(cpu));
    } else {
        g_string_append_printf(buf, "%02x", gdb_tid(cpu));
    }
}

/* A hex number; false if there is none.  *@end: after it. */
static bool parse_hex(const char *s, const char **end, uint64_t *val)
{
    uint64_t v = 0;
    int d, n = 0;

    while ((d = fromhex(*s)) >= 0) {
        if (n++ == 16) {
            return false;       /* more than 64 bits */
        }
        v = v << 4 | d;
        s++;
    }
    *end = s;
    *val = v;
    return n > 0;
}

/* "-1" (all), or a hex id. */
static bool parse_id(const char *s, const char **end, long *id)
{
    uint64_t v;

    if (s[0] == '-' && s[1] == '1') {
        *end = s + 2;
        *id = -1;
        return true;
    }
    if (!parse_hex(s, end, &v) || v > INT_MAX) {
        return false;
    }
    *id = v;
    return true;
}

/*
 * A thread-id: "pPID.TID", "pPID" (all of it), "TID", with -1 for all and
 * 0 for any.  *@tid: -1, 0 or the tid.  False if malformed or not ours.
 */
static bool parse_thread_id(const char *s, const char **end, long *tid)
{
    long pid = 1;

    *tid = -1;
    if (*s == 'p') {
        if (!parse_id(s + 1, &s, &pid)) {
            return false;
        }
        if (*s == '.') {
            if (!parse_id(s + 1, &s, tid)) {
                return false;
            }
        }
    } else if (!parse_id(s, &s, tid)) {
        return false;
    }
    *end = s;
    return pid == -1 || pid == 0 || pid == 1;
}

static CPUState *cpu_of_tid(long tid)
{
    return tid > 0 ? qemu_get_cpu(tid - 1) : first_cpu_or_null();
}

/* ---- packets ------------------------------------------------------------ */

static void stop_reply(GString *buf, int sig, CPUState *cpu)
{
    g_string_printf(buf, "T%02xthread:", sig);
    append_thread_id(buf, cpu);
    g_string_append_c(buf, ';');
}

/* Z/z: insert or remove on every CPU.  0 or -errno, -ENOSYS: unknown. */
static int gdb_breakpoint(bool insert, int type, uint64_t addr, uint64_t len)
{
    static const int wp_flags[] = {
        [GDB_WATCHPOINT_WRITE] = BP_GDB | BP_MEM_WRITE,
        [GDB_WATCHPOINT_READ] = BP_GDB | BP_MEM_READ,
        [GDB_WATCHPOINT_ACCESS] = BP_GDB | BP_MEM_ACCESS,
    };
    CPUState *cpu;
    int err = 0;

    if (type < GDB_BREAKPOINT_SW || type > GDB_WATCHPOINT_ACCESS) {
        return -ENOSYS;
    }
    CPU_FOREACH(cpu) {
        if (type <= GDB_BREAKPOINT_HW) {
            err = insert ? cpu_breakpoint_insert(cpu, addr, BP_GDB)
                         : cpu_breakpoint_remove(cpu, addr, BP_GDB);
        } else {
            err = insert ? cpu_watchpoint_insert(cpu, addr, len,
                                                 wp_flags[type])
                         : cpu_watchpoint_remove(cpu, addr, len,
                                                 wp_flags[type]);
        }
        if (err) {
            break;
        }
    }
    return err;
}

static void handle_breakpoint(const char *p, bool insert)
{
    uint64_t type, addr, len;

    if (!parse_hex(p, &p, &type) || *p++ != ',' ||
        !parse_hex(p, &p, &addr) || *p++ != ',' ||
        !parse_hex(p, &p, &len)) {
        put_packet("E22");
        return;
    }
    switch (gdb_breakpoint(insert, type > INT_MAX ? -1 : type, addr, len)) {
    case 0:
        put_packet("OK");
        break;
    case -ENOSYS:
        put_packet("");
        break;
    default:
        put_packet("E22");
        break;
    }
}

static void handle_read_mem(const char *p)
{
    uint64_t addr, len;
    g_autofree uint8_t *mem = NULL;
    g_autoptr(GString) out = g_string_new(NULL);

    if (!parse_hex(p, &p, &addr) || *p++ != ',' || !parse_hex(p, &p, &len) ||
        *p) {
        put_packet("E22");
        return;
    }
    if (len > MAX_PACKET_LENGTH / 2) {
        put_packet("E22");
        return;
    }
    mem = g_malloc(len ? len : 1);
    if (cpu_memory_rw_debug(gdbserver_state.g_cpu, addr, mem, len,
                            false) < 0) {
        put_packet("E14");
        return;
    }
    memtohex(out, mem, len);
    put_packet(out->str);
}

/* M (hex) and X (binary, already unescaped by the reader). */
static void handle_write_mem(const char *p, size_t plen, bool binary)
{
    const char *end = p + plen, *data;
    uint64_t addr, len;
    g_autofree uint8_t *mem = NULL;

    if (!parse_hex(p, &p, &addr) || *p++ != ',' || !parse_hex(p, &p, &len) ||
        *p != ':') {
        put_packet("E22");
        return;
    }
    data = p + 1;
    if (len > MAX_PACKET_LENGTH ||
        (size_t)(end - data) != (binary ? len : 2 * len)) {
        put_packet("E22");
        return;
    }
    mem = g_malloc(len ? len : 1);
    if (binary) {
        memcpy(mem, data, len);
    } else if (!hextomem(mem, data, len)) {
        put_packet("E22");
        return;
    }
    if (cpu_memory_rw_debug(gdbserver_state.g_cpu, addr, mem, len,
                            true) < 0) {
        put_packet("E14");
        return;
    }
    put_packet("OK");
}

static void handle_read_all_regs(void)
{
    CPUState *cpu = gdbserver_state.g_cpu;
    CPUClass *cc = CPU_GET_CLASS(cpu);
    g_autoptr(GByteArray) regs = g_byte_array_new();
    g_autoptr(GString) out = g_string_new(NULL);
    int n;

    for (n = 0; n < cc->gdb_num_core_regs; n++) {
        cc->gdb_read_register(cpu, regs, n);
    }
    memtohex(out, regs->data, regs->len);
    put_packet(out->str);
}

static void handle_write_all_regs(const char *hex)
{
    CPUState *cpu = gdbserver_state.g_cpu;
    CPUClass *cc = CPU_GET_CLASS(cpu);
    size_t len = strlen(hex) / 2;
    g_autofree uint8_t *regs = g_malloc(len + 1);
    size_t off = 0;
    int n;

    if (strlen(hex) % 2 || !hextomem(regs, hex, len)) {
        put_packet("E22");
        return;
    }
    /* As QEMU: registers as far as the data goes. */
    for (n = 0; n < cc->gdb_num_core_regs && off + 8 <= len; n++) {
        off += cc->gdb_write_register(cpu, regs + off, n);
    }
    put_packet("OK");
}

static void handle_read_reg(const char *p)
{
    CPUState *cpu = gdbserver_state.g_cpu;
    CPUClass *cc = CPU_GET_CLASS(cpu);
    g_autoptr(GByteArray) reg = g_byte_array_new();
    g_autoptr(GString) out = g_string_new(NULL);
    uint64_t n;

    if (!parse_hex(p, &p, &n) || *p) {
        put_packet("E22");
        return;
    }
    if (n > INT_MAX || !cc->gdb_read_register(cpu, reg, n)) {
        put_packet("E14");
        return;
    }
    memtohex(out, reg->data, reg->len);
    put_packet(out->str);
}

static void handle_write_reg(const char *p)
{
    CPUState *cpu = gdbserver_state.g_cpu;
    CPUClass *cc = CPU_GET_CLASS(cpu);
    uint8_t val[8] = { 0 };
    uint64_t n;
    size_t len;

    if (!parse_hex(p, &p, &n) || *p++ != '=') {
        put_packet("E22");
        return;
    }
    len = strlen(p);
    if (len != 16 || !hextomem(val, p, 8)) {
        put_packet("E22");
        return;
    }
    if (n > INT_MAX || !cc->gdb_write_register(cpu, val, n)) {
        put_packet("E14");
        return;
    }
    put_packet("OK");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void handle_xfer_features(const char *p)
{
    CPUState *cpu = gdbserver_state.g_cpu;
    CPUClass *cc = CPU_GET_CLASS(cpu);
    const char *colon = strchr(p, ':');
    g_autofree char *annex = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    uint64_t off, len, total, i;
    const char *xml;

    if (!colon) {
        put_packet("E22");
        return;
    }
    annex = g_strndup(p, colon - p);
    p = colon + 1;
    if (!parse_hex(p, &p, &off) || *p++ != ',' || !parse_hex(p, &p, &len)) {
        put_packet("E22");
        return;
    }
    xml = cc->gdb_get_xml ? cc->gdb_get_xml(cpu, annex) : NULL;
    if (!xml) {
        put_packet("E00");
        return;
    }
    total = strlen(xml);
    if (off > total) {
        put_packet("E00");
        return;
    }
    len = MIN(len, (MAX_PACKET_LENGTH - 5) / 2);
    g_string_append_c(out, off + len < total ? 'm' : 'l');
    /* Binary data: escape what the framing uses. */
    for (i = off; i < total && i < off + len; i++) {
        char c = xml[i];

        if (c == '#' || c == '$' || c == '*' || c == '}') {
            g_string_append_c(out, '}');
            c ^= 0x20;
        }
        g_string_append_c(out, c);
    }
    put_packet_len(out->str, out->len);
}

/* qRcmd: an HMP command; its output as "O" packets, then OK. */
static void handle_monitor_command(const char *hex)
{
    size_t len = strlen(hex) / 2;
    g_autofree char *cmd = g_malloc0(len + 1);
    g_autofree char *output = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    Error *err = NULL;
    const char *c;
    size_t off;

    if (strlen(hex) % 2 || !hextomem((uint8_t *)cmd, hex, len) ||
        memchr(cmd, 0, len)) {
        put_packet("E22");
        return;
    }
    output = qmp_human_monitor_command(cmd, false, 0, &err);
    if (err) {
        g_string_append_printf(text, "%s\n", error_get_pretty(err));
        error_free(err);
    }
    /* As QEMU's gdb monitor chardev shows it: CR LF line ends. */
    for (c = output ? output : ""; *c; c++) {
        if (*c == '\n' && (c == output || c[-1] != '\r')) {
            g_string_append_c(text, '\r');
        }
        g_string_append_c(text, *c);
    }
    for (off = 0; off < text->len; off += MAX_PACKET_LENGTH / 2 - 1) {
        g_autoptr(GString) pkt = g_string_new("O");
        memtohex(pkt, (const uint8_t *)text->str + off,
                 MIN(text->len - off, MAX_PACKET_LENGTH / 2 - 1));
        put_packet(pkt->str);
    }
    put_packet("OK");
}

static void handle_query(const char *p)
{
    GDBState *s = &gdbserver_state;
    g_autoptr(GString) buf = g_string_new(NULL);

    if (g_str_has_prefix(p, "Supported")) {
        s->multiprocess = strstr(p, "multiprocess+") != NULL;
        /* multiprocess+ is offered always, used only if gdb has it. */
        g_string_printf(buf, "PacketSize=%x;qXfer:features:read+;"
                        "vContSupported+;multiprocess+", MAX_PACKET_LENGTH);
        put_packet(buf->str);
    } else if (g_str_has_prefix(p, "Xfer:features:read:")) {
        handle_xfer_features(p + strlen("Xfer:features:read:"));
    } else if (!strcmp(p, "fThreadInfo") || !strcmp(p, "sThreadInfo")) {
        CPUState *cpu = p[0] == 'f' ? first_cpu_or_null()
                                    : s->query_cpu;
        if (!cpu) {
            put_packet("l");
            return;
        }
        g_string_append_c(buf, 'm');
        append_thread_id(buf, cpu);
        s->query_cpu = QTAILQ_NEXT(cpu, node);
        put_packet(buf->str);
    } else if (!strcmp(p, "C")) {
        g_string_append(buf, "QC");
        append_thread_id(buf, first_cpu_or_null());
        put_packet(buf->str);
    } else if (!strcmp(p, "Attached") || g_str_has_prefix(p, "Attached:")) {
        put_packet("1");
    } else if (g_str_has_prefix(p, "ThreadExtraInfo,")) {
        const char *end;
        long tid;
        CPUState *cpu;
        g_autofree char *info = NULL;

        if (!parse_thread_id(p + strlen("ThreadExtraInfo,"), &end, &tid) ||
            !(cpu = cpu_of_tid(tid))) {
            put_packet("E22");
            return;
        }
        info = g_strdup_printf("CPU#%d [%s]", cpu->cpu_index,
                               cpu->halted ? "halted " : "running");
        memtohex(buf, (const uint8_t *)info, strlen(info));
        put_packet(buf->str);
    } else if (g_str_has_prefix(p, "Rcmd,")) {
        handle_monitor_command(p + strlen("Rcmd,"));
    } else {
        put_packet("");
    }
}

/* vCont;ACTION[:TID];...  -- c, C sig, s, S sig. */
static void handle_vcont(const char *p)
{
    g_autofree char *actions = NULL;
    CPUState *cpu;
    int ncpus = 0;

    CPU_FOREACH(cpu) {
        ncpus = MAX(ncpus, cpu->cpu_index + 1);
    }
    actions = g_malloc0(ncpus + 1);
    while (*p == ';') {
        char act = *++p;
        uint64_t sig;
        long tid = -1;
        int i;

        if (act != 'c' && act != 's' && act != 'C' && act != 'S') {
            put_packet("E22");
            return;
        }
        p++;
        if ((act == 'C' || act == 'S') && !parse_hex(p, &p, &sig)) {
            put_packet("E22");
            return;
        }
        if (*p == ':') {
            if (!parse_thread_id(p + 1, &p, &tid)) {
                put_packet("E22");
                return;
            }
        }
        if (*p && *p != ';') {
            put_packet("E22");
            return;
        }
        /* The first action that names a thread wins for it. */
        for (i = 0; i < ncpus; i++) {
            if (!actions[i] && (tid <= 0 || tid == i + 1)) {
                actions[i] = g_ascii_tolower(act);
            }
        }
    }
    if (*p) {
        put_packet("E22");
        return;
    }
    CPU_FOREACH(cpu) {
        if (actions[cpu->cpu_index] == 's') {
            cpu_single_step(cpu, true);
            gdbserver_state.c_cpu = cpu;
        }
    }
    gdb_continue_partial(actions);
}

static void handle_set_thread(const char *p)
{
    char op = *p++;
    const char *end;
    long tid;
    CPUState *cpu;

    if ((op != 'g' && op != 'c') || !parse_thread_id(p, &end, &tid) ||
        *end) {
        put_packet("E22");
        return;
    }
    if (tid == -1 || tid == 0) {
        /* All or any: keep the current one (QEMU answers OK). */
        put_packet("OK");
        return;
    }
    cpu = cpu_of_tid(tid);
    if (!cpu) {
        put_packet("E22");
        return;
    }
    if (op == 'g') {
        gdbserver_state.g_cpu = cpu;
    } else {
        gdbserver_state.c_cpu = cpu;
    }
    put_packet("OK");
}

static void handle_packet(char *p, size_t len)
{
    GDBState *s = &gdbserver_state;
    g_autoptr(GString) buf = g_string_new(NULL);
    uint64_t addr;
    const char *end;
    long tid;

    switch (p[0]) {
    case '?':
        /* gdb (re)connects: start clean, as QEMU does. */
        gdb_remove_all_debug();
        stop_reply(buf, GDB_SIGNAL_TRAP, s->c_cpu);
        put_packet(buf->str);
        break;
    case 'c':
    case 's':
        if (p[1]) {
            if (!parse_hex(p + 1, &end, &addr) || *end) {
                put_packet("E22");
                break;
            }
            CPU_GET_CLASS(s->c_cpu)->gdb_write_register(
                s->c_cpu, (const uint8_t *)&addr,
                CPU_GET_CLASS(s->c_cpu)->gdb_num_core_regs - 1);
        }
        if (p[0] == 's') {
            cpu_single_step(s->c_cpu, true);
        }
        gdb_continue();
        break;
    case 'C':
    case 'S':
        /* The signal means nothing to a machine: just go on. */
        if (p[0] == 'S') {
            cpu_single_step(s->c_cpu, true);
        }
        gdb_continue();
        break;
    case 'D':
        gdb_remove_all_debug();
        put_packet("OK");
        /* Nothing attached any more: run (QEMU's gdb_continue). */
        s->resumed = false;
        if (!runstate_check(RUN_STATE_SHUTDOWN)) {
            vm_start();
        }
        break;
    case 'k':
        /* No reply is expected; gdb acks nothing, so go now (QEMU). */
        gdb_kill_now();
        break;
    case 'g':
        handle_read_all_regs();
        break;
    case 'G':
        handle_write_all_regs(p + 1);
        break;
    case 'p':
        handle_read_reg(p + 1);
        break;
    case 'P':
        handle_write_reg(p + 1);
        break;
    case 'm':
        handle_read_mem(p + 1);
        break;
    case 'M':
        handle_write_mem(p + 1, len - 1, false);
        break;
    case 'X':
        handle_write_mem(p + 1, len - 1, true);
        break;
    case 'Z':
    case 'z':
        handle_breakpoint(p + 1, p[0] == 'Z');
        break;
    case 'H':
        handle_set_thread(p + 1);
        break;
    case 'T':
        if (!parse_thread_id(p + 1, &end, &tid) || *end ||
            (tid > 0 && !cpu_of_tid(tid))) {
            put_packet("E22");
        } else {
            put_packet("OK");
        }
        break;
    case 'q':
        handle_query(p + 1);
        break;
    case 'v':
        if (!strcmp(p, "vCont?")) {
            put_packet("vCont;c;C;s;S");
        } else if (g_str_has_prefix(p, "vCont;")) {
            handle_vcont(p + strlen("vCont"));
        } else if (g_str_has_prefix(p, "vAttach;")) {
            stop_reply(buf, GDB_SIGNAL_TRAP, s->c_cpu);
            put_packet(buf->str);
        } else if (g_str_has_prefix(p, "vKill;")) {
            put_packet("OK");
            gdb_kill();
        } else {
            put_packet("");
        }
        break;
    default:
        /* Unknown packets get the empty reply, as the protocol asks. */
        put_packet("");
        break;
    }
}

/* ---- the byte stream ----------------------------------------------------- */

void gdb_read_byte(uint8_t ch)
{
    GDBState *s = &gdbserver_state;

    if (s->last_packet->len) {
        /*
         * Our last packet waits for its ack: '-' asks for it again, '+'
         * (or a new packet) ends the wait.  Acks never count as the
         * interrupt below (gdb acks the "OK" of a detach, say).
         */
        if (ch == '-') {
            put_buffer(s->last_packet->str, s->last_packet->len);
        }
        if (ch == '+' || ch == '$') {
            g_string_truncate(s->last_packet, 0);
            if (s->kill_pending) {
                gdb_kill_now();
            }
        }
        if (ch != '$') {
            return;
        }
    }
    if (runstate_is_running()) {
        /*
         * While the guest runs gdb can only interrupt it: any byte stops
         * the VM (QEMU does the same; gdb sends 0x03).
         */
        vm_stop(RUN_STATE_PAUSED);
        return;
    }
    switch (s->state) {
    case RS_IDLE:
        if (ch == '$') {
            s->line_len = 0;
            s->line_sum = 0;
            s->state = RS_GETLINE;
        }
        /* '+', 0x03 with the VM stopped, noise: nothing to do. */
        break;
    case RS_GETLINE:
        if (ch == '#') {
            s->state = RS_CHKSUM1;
            break;
        }
        s->line_sum += ch;
        if (ch == '}') {
            s->state = RS_GETLINE_ESC;
        } else if (ch == '*') {
            s->state = RS_GETLINE_RLE;
        } else if (s->line_len < MAX_PACKET_LENGTH) {
            s->line[s->line_len++] = ch;
        } else {
            s->state = RS_IDLE;     /* overrun: drop it (QEMU) */
        }
        break;
    case RS_GETLINE_ESC:
        s->line_sum += ch;
        if (s->line_len < MAX_PACKET_LENGTH) {
            s->line[s->line_len++] = ch ^ 0x20;
            s->state = RS_GETLINE;
        } else {
            s->state = RS_IDLE;
        }
        break;
    case RS_GETLINE_RLE: {
        /* "X*n": X again n - 29 times (n printable, so 3 to 97). */
        int repeat = ch - ' ' + 3;

        s->line_sum += ch;
        if (s->line_len == 0 || ch < ' ' || ch > 126 ||
            s->line_len + repeat > MAX_PACKET_LENGTH) {
            s->state = RS_IDLE;
            break;
        }
        memset(s->line + s->line_len, s->line[s->line_len - 1], repeat);
        s->line_len += repeat;
        s->state = RS_GETLINE;
        break;
    }
    case RS_CHKSUM1:
        if (fromhex(ch) < 0) {
            s->state = RS_IDLE;
            break;
        }
        s->line_csum = fromhex(ch) << 4;
        s->state = RS_CHKSUM2;
        break;
    case RS_CHKSUM2:
        s->state = RS_IDLE;
        if (fromhex(ch) < 0 || (s->line_csum | fromhex(ch)) != s->line_sum) {
            put_buffer("-", 1);
            break;
        }
        put_buffer("+", 1);
        s->line[s->line_len] = 0;
        handle_packet(s->line, s->line_len);
        break;
    default:
        g_assert_not_reached();
    }
}

