/*
 * CPUs and their vCPU threads: the target-independent CPUState, the
 * CPUClass hooks a target implements, and the calls that start, kick,
 * stop and synchronise vCPUs.  Corresponds to QEMU's
 * include/hw/core/cpu.h, system/cpus.c and cpu-common.c (run_on_cpu,
 * start_exclusive).
 *
 * The thread model, as in QEMU:
 *  - Each CPU has its own thread ("CPU <n>/riscv" in /proc).  It runs
 *    guest code through CPUClass->exec WITHOUT the BQL.  Device access
 *    (MMIO) takes the BQL inside the memory API.
 *  - Anything that must stop a running CPU promptly (an interrupt line
 *    changed, pause_all_vcpus, reset, exit) calls qemu_cpu_kick(): it sets
 *    cpu->exit_request, which exec checks between instruction blocks, and
 *    wakes the thread if it sleeps in wfi (halted).
 *  - Fields are documented with the lock that protects them.
 */
#ifndef QCORE_CPU_H
#define QCORE_CPU_H

#include "qcore/osdep.h"
#include "qcore/object.h"
#include "qcore/queue.h"
#include "qcore/thread.h"

#define TYPE_CPU "cpu"

typedef struct CPUState CPUState;
typedef struct AddressSpace AddressSpace;

/* What CPUClass->exec returns: why it stopped running guest code. */
enum {
    EXCP_INTERRUPT = 0x10000,   /* exit_request was seen */
    EXCP_HLT,                   /* wfi with nothing pending: sleep */
    EXCP_DEBUG,                 /* a breakpoint, watchpoint or single step */
};

/*
 * Breakpoints and watchpoints: QEMU's BP_* flags.  Only the gdbstub sets
 * them (BP_GDB); the guest's own ebreak and debug triggers are not these.
 */
#define BP_MEM_READ     0x01
#define BP_MEM_WRITE    0x02
#define BP_MEM_ACCESS   (BP_MEM_READ | BP_MEM_WRITE)
#define BP_GDB          0x10

/* Bounds that keep a hostile debugger's lists small. */
#define CPU_MAX_BREAKPOINTS 1024
#define CPU_MAX_WATCHPOINTS 1024

typedef struct CPUBreakpoint {
    uint64_t pc;                /* guest virtual address */
    int flags;
    QTAILQ_ENTRY(CPUBreakpoint) entry;
} CPUBreakpoint;

typedef struct CPUWatchpoint {
    uint64_t vaddr;             /* guest virtual, [vaddr, vaddr + len) */
    uint64_t len;
    uint64_t hitaddr;           /* the access that hit it */
    int flags;                  /* BP_MEM_* and BP_GDB */
    QTAILQ_ENTRY(CPUWatchpoint) entry;
} CPUWatchpoint;

typedef struct CPUClass {
    ObjectClass parent_class;

    /* Would the CPU run if woken (an enabled interrupt is pending)? */
    bool (*has_work)(CPUState *cpu);
    /*
     * Run guest code until qatomic_read(&cpu->exit_request) is seen
     * (checked at least once per translated block) or the CPU halts.
     * Called without the BQL.  Returns EXCP_INTERRUPT or EXCP_HLT.
     */
    int (*exec)(CPUState *cpu);
    /* Architectural reset.  BQL held, CPU not running. */
    void (*reset)(CPUState *cpu);
    /* "info registers": append the register state.  BQL, CPU stopped. */
    void (*dump_state)(CPUState *cpu, GString *out);
    /* Current program counter (for "info cpus", query-cpus-fast). */
    uint64_t (*get_pc)(CPUState *cpu);
    /*
     * Optional, for the monitor's "x": the physical address of virtual
     * @addr as the CPU's current mode sees it (no side effects: no A/D
     * bit updates, no faults), or -1 if unmapped.  NULL: virtual is
     * physical.  BQL held, CPU stopped or in run_on_cpu.
     */
    int64_t (*get_phys_page_debug)(CPUState *cpu, uint64_t addr);
    /* query-cpus-fast "target". */
    const char *target_name;
    /*
     * Breakpoints, watchpoints or single-step changed: drop whatever the
     * CPU cached that would skip the checks (decoded code, TLB entries).
     * BQL held, CPU stopped.
     */
    void (*debug_changed)(CPUState *cpu);
    /*
     * For the gdbstub (target/riscv/gdbstub.c): the target description
     * XML file @name ("target.xml" and what it includes), NULL if none;
     * read or write register @n (gdb's numbering) as target-endian bytes.
     * Read appends to @buf and returns the bytes appended, write returns
     * the bytes consumed; 0 means no such register.  BQL, CPU stopped.
     */
    const char *(*gdb_get_xml)(CPUState *cpu, const char *name);
    int (*gdb_read_register)(CPUState *cpu, GByteArray *buf, int n);
    int (*gdb_write_register)(CPUState *cpu, const uint8_t *buf, int n);
    int gdb_num_core_regs;      /* what 'g' and 'G' carry */
} CPUClass;

typedef void (*run_on_cpu_func)(CPUState *cpu, void *data);
typedef struct QemuWorkItem QemuWorkItem;

struct CPUState {
    Object parent_obj;

    int cpu_index;              /* immutable after realize */
    AddressSpace *as;           /* what the CPU's loads and stores see */

    QemuThread thread;
    int thread_id;              /* kernel tid, set by the thread itself */
    bool created;               /* BQL: the thread is up */

    /*
     * BQL: stop is a request (pause_all_vcpus), stopped the answer the
     * vCPU thread gives once it left exec; qemu_pause_cond is signalled.
     */
    bool stop;
    bool stopped;
    /* BQL: sleeping in wfi until has_work or a kick. */
    bool halted;
    /* Set by anyone (atomic), cleared by the vCPU thread. */
    uint32_t exit_request;
    /* Wakes a halted or stopped vCPU thread; waits with the BQL. */
    QemuCond halt_cond;
    /*
     * The vCPU thread's own: how long its next halt polls before it
     * sleeps on halt_cond (cpu_halt_poll_adapt).
     */
    int64_t halt_poll_ns;
    /* Atomic: when the last kick came (get_clock), for cpu_halt_ns. */
    int64_t kick_ns;

    /* Work queued by run_on_cpu; work_mutex. */
    QemuMutex work_mutex;
    QSIMPLEQ_HEAD(, QemuWorkItem) work_list;

    /* BQL: qemu_destroy_vcpu asks the thread to exit. */
    bool unplug;

    /*
     * cpu_exec_start/end: inside guest code (for start_exclusive).
     * running is atomic; has_waiter is under qemu_cpu_list_lock.
     */
    bool running;
    bool has_waiter;

    QTAILQ_ENTRY(CPUState) node;    /* cpus_queue; BQL */

    /*
     * Debugging (system/breakpoint.c).  Changed only with the BQL while
     * the CPU is stopped; read by its own thread in exec, off the fast
     * paths (the target arranges that watched or breakpointed pages miss
     * its caches).  watchpoint_hit is set by the CPU's thread before it
     * returns EXCP_DEBUG and read by the gdbstub once it stopped.
     */
    QTAILQ_HEAD(, CPUBreakpoint) breakpoints;
    QTAILQ_HEAD(, CPUWatchpoint) watchpoints;
    int nb_breakpoints, nb_watchpoints;
    bool singlestep_enabled;
    CPUWatchpoint *watchpoint_hit;
};

#define CPU(obj) OBJECT_CHECK(CPUState, (obj), TYPE_CPU)
#define CPU_GET_CLASS(obj) OBJECT_GET_CLASS(CPUClass, (obj), TYPE_CPU)
#define CPU_CLASS(klass) OBJECT_CLASS_CHECK(CPUClass, (klass), TYPE_CPU)

/*
 * Every realized CPU, in cpu_index order.  Walk it with the BQL held;
 * it changes under the BQL and qemu_cpu_list_lock (system/cpu-common.c),
 * which start_exclusive uses because its caller has no BQL.
 */
extern QTAILQ_HEAD(CPUTailQ, CPUState) cpus_queue;
#define CPU_FOREACH(cpu) QTAILQ_FOREACH(cpu, &cpus_queue, node)

/* The CPU whose thread is calling, or NULL.  Any thread. */
CPUState *current_cpu_get(void);
CPUState *qemu_get_cpu(int index);

/*
 * Give every vCPU a thread that never runs guest code, only stops,
 * resumes and runs queued work: the "qtest" accelerator, where a test
 * drives the devices instead (QEMU's dummy CPU threads).  Call before
 * the first qemu_init_vcpu.  Main thread.
 */
void qemu_vcpu_set_dummy(void);
/*
 * Halt polling (KVM's halt_poll_ns): a halted vCPU first spins without
 * the BQL, watching exit_request, for up to its halt_poll_ns, and sleeps
 * on halt_cond only if no kick came by then.  An interrupt that follows
 * the halt closely (a disk's completion) then costs no sleep and no
 * wake-up.  @max_ns bounds every vCPU's window, 0 turns polling off;
 * -accel tcg,halt-poll-ns=.  Any thread, any time.
 */
#define HALT_POLL_NS_DEFAULT 200000
void qemu_vcpu_set_halt_poll_ns(int64_t max_ns);
/*
 * The window for the next halt, after one that lasted @halt_ns with
 * window @cur, bounded by @max: kept if a kick ended the poll (@polled);
 * else doubled, from 10 us, if polling up to @max would have caught the
 * interrupt; else halved, and 0 below 10 us.  Long halts (an idle guest
 * between timer ticks) so bring it to 0, and short ones up to what they
 * need.
 */
int64_t cpu_halt_poll_adapt(int64_t cur, int64_t max, int64_t halt_ns,
                            bool polled);
/*
 * How long a halt that began at @start lasted, for cpu_halt_poll_adapt:
 * until the kick that ended it (@kick, if it came after @start), not
 * until the thread ran again (@now).  Where waking a sleeping thread is
 * slow, counting the wake-up made a halt that slept look longer than the
 * bound, so a vCPU that once slept through a disk's reply never polled
 * for it again (bench/README.md).
 */
int64_t cpu_halt_ns(int64_t start, int64_t kick, int64_t now);
/*
 * Add @cpu to cpus_queue and start its thread (stopped if the VM is not
 * running).  BQL held.
 */
void qemu_init_vcpu(CPUState *cpu);
/* Stop and join its thread, remove it from cpus_queue.  BQL held. */
void qemu_destroy_vcpu(CPUState *cpu);
/*
 * For qemu_init_vcpu/qemu_destroy_vcpu: add @cpu to cpus_queue, giving it
 * the next cpu_index, and remove it.  BQL held.
 */
void cpu_list_add(CPUState *cpu);
void cpu_list_remove(CPUState *cpu);

/* Make @cpu leave guest code promptly and re-check its state.  Any thread. */
void qemu_cpu_kick(CPUState *cpu);
/*
 * Make every running vCPU leave guest code at its next check, without
 * waking halted ones (guest code changed: QEMU's tb_invalidate unlinks
 * chained blocks instead).  Any thread; takes qemu_cpu_list_lock.
 */
void cpu_exit_all(void);
/*
 * A target calls this when an interrupt became pending: kick, with the
 * BQL (taken if the caller does not hold it), so that a vCPU halted in
 * wfi re-checks has_work.  Any thread.
 */
void cpu_interrupt(CPUState *cpu);

/*
 * Stop every vCPU and wait until each has left guest code (the BQL is
 * dropped while waiting); resume lets them run again.  BQL held.  Also
 * stop and restart the virtual clock's timers.
 */
void pause_all_vcpus(void);
void resume_all_vcpus(void);
/* resume_all_vcpus for the CPUs @filter accepts (all if NULL). */
void resume_vcpus(bool (*filter)(CPUState *cpu, void *opaque), void *opaque);
bool all_vcpus_paused(void);

/*
 * Run func(cpu, data) in @cpu's thread (with the BQL) and wait for it;
 * from the vCPU's own thread it runs at once.  BQL held by the caller.
 */
void run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data);
/*
 * Read (or write) @len bytes at virtual address @addr as @cpu sees them,
 * through its debug translation (no fault, no A/D update), in its thread
 * (run_on_cpu).  0, or -1 if some page is unmapped or not accessible.
 * BQL held.  QEMU's cpu_memory_rw_debug (system/physmem.c).
 */
int cpu_memory_rw_debug(CPUState *cpu, uint64_t addr, void *buf, size_t len,
                        bool is_write);
/* The same without waiting; @data must stay valid until it ran. */
void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data);

/*
 * Make the calling vCPU (or the main thread) the only one in guest code:
 * start_exclusive waits until every other vCPU is outside
 * cpu_exec_start/cpu_exec_end, and keeps them out until end_exclusive.
 * Used for operations that must see no concurrent guest access.  The
 * caller must NOT hold the BQL (asserted): a vCPU in guest code may be
 * waiting for it in an MMIO access and must get it to leave.  Nests.
 */
void start_exclusive(void);
void end_exclusive(void);
void cpu_exec_start(CPUState *cpu);
void cpu_exec_end(CPUState *cpu);

/* Reset @cpu through its class.  BQL held, CPU stopped. */
void cpu_reset(CPUState *cpu);

/*
 * Breakpoints and watchpoints on guest virtual addresses, and single-step
 * (QEMU's cpu_breakpoint_insert, cpu_watchpoint_insert, cpu_single_step).
 * BQL held and @cpu stopped.  Return 0, -ENOENT (remove: none matches),
 * -EINVAL (empty or wrapping watchpoint range) or -ENOSPC (too many).
 */
int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags);
int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags);
void cpu_breakpoint_remove_all(CPUState *cpu, int mask);
int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
void cpu_watchpoint_remove_all(CPUState *cpu, int mask);
void cpu_single_step(CPUState *cpu, bool enabled);

/*
 * For the target, in the CPU's own thread: is there a breakpoint in the
 * guest page [@page, @page + @size)?  A watchpoint overlapping it?  The
 * watchpoint an access of @len bytes at @addr with @flags (BP_MEM_READ or
 * BP_MEM_WRITE) hits, recorded in cpu->watchpoint_hit, or NULL.
 */
bool cpu_breakpoint_in_page(CPUState *cpu, uint64_t page, uint64_t size);
bool cpu_watchpoint_in_page(CPUState *cpu, uint64_t page, uint64_t size);
CPUWatchpoint *cpu_watchpoint_check(CPUState *cpu, uint64_t addr,
                                    uint64_t len, int flags);

#endif
