/*
 * The RISC-V "virt" board: RAM, harts, CLINT, PLIC, ns16550a UART, the
 * sifive_test finisher and the goldfish RTC at QEMU's addresses; the
 * device tree QEMU 7.2 builds, with libfdt; the reset vector in a mask
 * ROM; and boot from -bios/-kernel/-initrd/-dtb (the loaders are in
 * hw/riscv/boot.c).  Corresponds to QEMU's hw/riscv/virt.c.  See
 * docs/virt.md.  Everything here runs in the main thread with the BQL.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/error.h"
#include "qcore/hw/edu.h"
#include "qcore/hw/goldfish_rtc.h"
#include "qcore/hw/loader.h"
#include "qcore/hw/riscv-boot.h"
#include "qcore/hw/riscv-virt.h"
#include "qcore/hw/riscv_aclint.h"
#include "qcore/hw/serial.h"
#include "qcore/hw/sifive_plic.h"
#include "qcore/hw/sifive_test.h"
#include "qcore/hw/qdev.h"
#include "qcore/hw/virtio-mmio.h"
#include "qcore/hw/virtio-net.h"
#include "qcore/irq.h"
#include "qcore/main-loop.h"
#include "qcore/net.h"
#include "qcore/runstate.h"
#include "qcore/target-riscv.h"
#include <glib/gstdio.h>
#include <libfdt.h>
#include <sys/stat.h>

static void virt_create_nics(Error **errp);

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* QEMU's FDT_MAX_SIZE: the buffer the board's tree is built in. */
#define VIRT_FDT_MAX_SIZE (1 * MiB)

const MemMapEntry virt_memmap[] = {
    [VIRT_MROM] =  {     0x1000,     0xf000 },
    [VIRT_TEST] =  {   0x100000,     0x1000 },
    [VIRT_RTC] =   {   0x101000,     0x1000 },
    [VIRT_CLINT] = {  0x2000000,    0x10000 },
    [VIRT_PLIC] =  {  0xc000000, VIRT_PLIC_SIZE(VIRT_PLIC_MAX_CONTEXTS) },
    [VIRT_UART0] = { 0x10000000,      0x100 },
    [VIRT_VIRTIO] = { 0x10001000,    0x1000 },
    [VIRT_DRAM] =  { 0x80000000,        0x0 },
};

typedef struct RISCVVirtState {
    MachineState parent_obj;

    MemoryRegion ram;
    MemoryRegion mrom;
    RISCVCPU *harts[VIRT_CPUS_MAX];
    RISCVAclintState *clint;
    SiFivePLICState *plic;
    QDict *edu_opts;            /* -device edu, or NULL; in ms->devices */

    void *fdt;
    int fdt_size;               /* its buffer's size before packing */
    hwaddr fdt_addr;            /* where the guest finds it (a1) */
} RISCVVirtState;

#define RISCV_VIRT_MACHINE(obj) \
    OBJECT_CHECK(RISCVVirtState, (obj), TYPE_RISCV_VIRT_MACHINE)

/* ---- harts and their interrupt lines -------------------------------- */

/* A device's output line drives bit @n of a hart's mip. */
static void virt_hart_irq(void *opaque, int n, int level)
{
    riscv_cpu_set_mip(opaque, 1ULL << n, level ? 1ULL << n : 0);
}

static uint64_t virt_rdtime(void *opaque)
{
    return riscv_aclint_get_mtime(opaque);
}

static void virt_hart_reset(void *opaque)
{
    cpu_reset(CPU(opaque));
}

static void virt_create_harts(RISCVVirtState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    Object *soc = container_get(OBJECT(ms), "/soc0");
    unsigned i;

    for (i = 0; i < ms->smp_cpus; i++) {
        g_autofree char *name = g_strdup_printf("harts[%u]", i);
        Object *obj = OBJECT(s->harts[i]);   /* virt_machine_init's */
        CPUState *cs = CPU(obj);

        object_property_add_child(soc, name, obj);
        object_unref(obj);
        cs->as = &address_space_memory;
        /* Starts stopped (the VM is not running yet) as hart cpu_index. */
        qemu_init_vcpu(cs);
        g_assert(cs->cpu_index == i);
        cpu_reset(cs);
        /* Reset the hart after rom_reset has restored the images. */
        qemu_register_reset(virt_hart_reset, cs);
    }
}

static void virt_create_devices(RISCVVirtState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    const MemMapEntry *m = virt_memmap;
    unsigned i;

    sifive_test_create(NULL, NULL, NULL, m[VIRT_TEST].base);

    s->clint = riscv_aclint_create(NULL, NULL, NULL, m[VIRT_CLINT].base,
                                   ms->smp_cpus);
    /* Sources 1..VIRT_IRQCHIP_NUM_SOURCES, plus the unusable 0. */
    s->plic = sifive_plic_create(NULL, NULL, NULL, m[VIRT_PLIC].base,
                                 ms->smp_cpus, VIRT_IRQCHIP_NUM_SOURCES + 1);
    for (i = 0; i < ms->smp_cpus; i++) {
        RISCVCPU *cpu = s->harts[i];

        riscv_cpu_set_rdtime_fn(cpu, virt_rdtime, s->clint);
        riscv_aclint_connect_hart(s->clint, i,
                                  qemu_allocate_irq(virt_hart_irq, cpu,
                                                    IRQ_M_TIMER),
                                  qemu_allocate_irq(virt_hart_irq, cpu,
                                                    IRQ_M_SOFT));
        sifive_plic_connect_context(s->plic, 2 * i,
                                    qemu_allocate_irq(virt_hart_irq, cpu,
                                                      IRQ_M_EXT));
        sifive_plic_connect_context(s->plic, 2 * i + 1,
                                    qemu_allocate_irq(virt_hart_irq, cpu,
                                                      IRQ_S_EXT));
    }

    /*
     * The virtio-mmio slots, created forwards as QEMU does: -device
     * takes the newest free bus first, so the first virtio device lands
     * in the highest slot (0x10008000, source 8), the next below it.
     */
    for (i = 0; i < VIRTIO_COUNT; i++) {
        virtio_mmio_create(m[VIRT_VIRTIO].base + i * m[VIRT_VIRTIO].size,
                           sifive_plic_get_irq(s->plic, VIRTIO_IRQ + i), i);
    }

    virt_create_nics(errp);

    /*
     * -device edu: QEMU's edu is a PCI device; here it has the fixed
     * slot EDU_VIRT_BASE with PLIC source EDU_VIRT_IRQ, so one fits.
     */
    if (s->edu_opts) {
        const char *id = qdict_get_try_str(s->edu_opts, "id");
        Object *parent = container_get(OBJECT(ms), id ? "/peripheral"
                                                      : "/peripheral-anon");

        edu_create(parent, id ? id : "device[*]", NULL, EDU_VIRT_BASE,
                   sifive_plic_get_irq(s->plic, EDU_VIRT_IRQ), NULL);
    }

    goldfish_rtc_create(NULL, NULL, NULL, m[VIRT_RTC].base,
                        sifive_plic_get_irq(s->plic, VIRT_RTC_IRQ));

    /* QEMU's serial_hd(0): the chardev -serial / -nographic made. */
    serial_mm_create(NULL, NULL, NULL, m[VIRT_UART0].base,
                     sifive_plic_get_irq(s->plic, VIRT_UART0_IRQ),
                     qemu_chr_find("serial0"), errp);
}

/*
 * -nic ...,model=virtio-net-device: a virtio-net-device on the next free
 * virtio-mmio slot, before the -device ones.  A qcore addition: QEMU 7.2's
 * virt board takes no -nic at all (it warns that the NIC "was not
 * created"); here an explicit model gets its card.  Without model= or
 * with another one, QEMU's warning stays (net_check_clients).
 */
static void virt_create_nics(Error **errp)
{
    for (int i = 0; i < MAX_NICS; i++) {
        NICInfo *nd = &nd_table[i];
        g_autoptr(QDict) opts = NULL;
        g_autofree char *mac = NULL;

        if (!nd->used || nd->instantiated || !nd->netdev ||
            g_strcmp0(nd->model, TYPE_VIRTIO_NET)) {
            continue;
        }
        mac = qemu_mac_strdup_printf(nd->macaddr.a);
        opts = qdict_new();
        qdict_put_str(opts, "driver", TYPE_VIRTIO_NET);
        qdict_put_str(opts, "netdev", nd->netdev->name);
        qdict_put_str(opts, "mac", mac);
        if (!qdev_device_add(opts, errp)) {
            return;
        }
        nd->instantiated = true;
    }
}

/* ---- the device tree ---------------------------------------------------- */

/*
 * libfdt reports failure with a negative number; building a tree in a
 * buffer we sized generously can only fail on a bug, so stop loudly.
 */
static int fdt_check(int ret, const char *what, const char *path)
{
    if (ret < 0) {
        error_report("device tree: %s %s: %s", what, path,
                     fdt_strerror(ret));
        abort();
    }
    return ret;
}

/*
 * Nodes are named by path, not kept as offsets: adding a node moves every
 * node after it in the blob, so an offset is only good until the next
 * addition (the reason QEMU's qemu_fdt_* helpers take paths too).
 */
static int fdt_node(void *fdt, const char *path)
{
    return fdt_check(fdt_path_offset(fdt, path), "find", path);
}

/* libfdt puts a new node before its siblings: add them last to first. */
static void fdt_add(void *fdt, const char *path)
{
    g_autofree char *parent = g_path_get_dirname(path);
    g_autofree char *name = g_path_get_basename(path);

    fdt_check(fdt_add_subnode(fdt, fdt_node(fdt, parent), name), "add",
              path);
}

static void fdt_prop(void *fdt, const char *path, const char *prop,
                     const void *val, int len)
{
    fdt_check(fdt_setprop(fdt, fdt_node(fdt, path), prop, val, len),
              prop, path);
}

static void fdt_prop_str(void *fdt, const char *path, const char *prop,
                         const char *val)
{
    fdt_prop(fdt, path, prop, val, strlen(val) + 1);
}

/* A list of 32-bit cells (phandles, numbers), big-endian in the blob. */
static void fdt_prop_cells(void *fdt, const char *path, const char *prop,
                           const uint32_t *cells, unsigned n)
{
    g_autofree fdt32_t *be = g_new(fdt32_t, n);
    unsigned i;

    for (i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    fdt_prop(fdt, path, prop, be, n * sizeof(*be));
}

static void fdt_prop_u32(void *fdt, const char *path, const char *prop,
                         uint32_t val)
{
    fdt_prop_cells(fdt, path, prop, &val, 1);
}

/* Two cells of address and two of size, as the root and /soc say. */
static void fdt_prop_reg(void *fdt, const char *path, hwaddr base,
                         hwaddr size)
{
    uint32_t reg[4] = { base >> 32, base, size >> 32, size };

    fdt_prop_cells(fdt, path, "reg", reg, 4);
}

/* "a\0b\0": a string-list property such as compatible. */
static void fdt_prop_strs(void *fdt, const char *path, const char *prop,
                          const char *const *strs)
{
    GString *buf = g_string_new(NULL);

    for (; *strs; strs++) {
        g_string_append_len(buf, *strs, strlen(*strs) + 1);
    }
    fdt_prop(fdt, path, prop, buf->str, buf->len);
    g_string_free(buf, true);
}

#define STRS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/*
 * The nodes and properties are added in the order QEMU 7.2's create_fdt
 * adds them.  libfdt puts a new property or node before its siblings,
 * so the blob lists everything in reverse of the calls, as QEMU's does:
 * the same order makes `dtc -I dtb` of both trees diff cleanly.
 */
static void virt_fdt_cpus(void *fdt, unsigned n, uint32_t *phandle,
                          uint32_t *intc_phandle, RISCVCPU *hart)
{
    g_autofree char *isa = riscv_cpu_isa_string(hart);
    unsigned i;

    fdt_add(fdt, "/cpus");
    fdt_prop_u32(fdt, "/cpus", "timebase-frequency",
                 RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ);
    fdt_prop_u32(fdt, "/cpus", "#size-cells", 0);
    fdt_prop_u32(fdt, "/cpus", "#address-cells", 1);
    fdt_add(fdt, "/cpus/cpu-map");
    fdt_add(fdt, "/cpus/cpu-map/cluster0");

    /* Last hart first, so hart N-1 gets phandle 1 as on QEMU. */
    for (i = n; i-- > 0;) {
        g_autofree char *cpu = g_strdup_printf("/cpus/cpu@%u", i);
        g_autofree char *intc = g_strdup_printf("%s/interrupt-controller",
                                                cpu);
        g_autofree char *core = g_strdup_printf(
            "/cpus/cpu-map/cluster0/core%u", i);
        uint32_t cpu_phandle = (*phandle)++;

        intc_phandle[i] = (*phandle)++;
        fdt_add(fdt, cpu);
        fdt_prop_str(fdt, cpu, "mmu-type", riscv_cpu_mmu_type(hart));
        fdt_prop_str(fdt, cpu, "riscv,isa", isa);
        fdt_prop_str(fdt, cpu, "compatible", "riscv");
        fdt_prop_str(fdt, cpu, "status", "okay");
        fdt_prop_u32(fdt, cpu, "reg", i);
        fdt_prop_str(fdt, cpu, "device_type", "cpu");
        fdt_prop_u32(fdt, cpu, "phandle", cpu_phandle);

        fdt_add(fdt, intc);
        fdt_prop_u32(fdt, intc, "phandle", intc_phandle[i]);
        fdt_prop_str(fdt, intc, "compatible", "riscv,cpu-intc");
        fdt_prop(fdt, intc, "interrupt-controller", NULL, 0);
        fdt_prop_u32(fdt, intc, "#interrupt-cells", 1);

        fdt_add(fdt, core);
        fdt_prop_u32(fdt, core, "cpu", cpu_phandle);
    }
}

/*
 * /pmu as QEMU 7.2 writes it (riscv_pmu_generate_fdt_node): for the
 * SBI PMU events cycles, instructions, DTLB read and write misses and
 * ITLB misses, the counters that may count them: the hpm counters
 * (mask bits 3 .. 3 + pmu_num - 1) plus the fixed cycle or instret
 * counter.  QEMU computes the mask with a 32-bit shift that, for
 * pmu-num=0, is by 32 on its x86 host: all bits from 3 up.
 */
static void virt_fdt_pmu(void *fdt, RISCVCPU *hart)
{
    unsigned num = riscv_cpu_pmu_num(hart);
    uint32_t hpm = (num ? ~0U >> (32 - num) : ~0U) << 3;
    const uint32_t map[20] = {
        0x1, 0x1, hpm | 1 << 0,
        0x2, 0x2, hpm | 1 << 2,
        0x10019, 0x10019, hpm,
        0x1001b, 0x1001b, hpm,
        0x10021, 0x10021, hpm,
    };

    fdt_add(fdt, "/pmu");
    fdt_prop_str(fdt, "/pmu", "compatible", "riscv,pmu");
    fdt_prop_cells(fdt, "/pmu", "riscv,event-to-mhpmcounters", map,
                   G_N_ELEMENTS(map));
}

/* CPUs, memory, CLINT and PLIC: QEMU's create_fdt_sockets, one socket. */
static uint32_t virt_fdt_socket(RISCVVirtState *s, void *fdt,
                                uint32_t *phandle)
{
    MachineState *ms = MACHINE(s);
    const MemMapEntry *m = virt_memmap;
    unsigned n = ms->smp_cpus, i;
    uint32_t plic_phandle;
    uint32_t intc_phandle[VIRT_CPUS_MAX];
    g_autofree uint32_t *clint_irqs = g_new(uint32_t, n * 4);
    g_autofree uint32_t *plic_irqs = g_new(uint32_t, n * 4);
    g_autofree char *mem = g_strdup_printf("/memory@%" HWADDR_PRIx,
                                           m[VIRT_DRAM].base);
    g_autofree char *clint = g_strdup_printf("/soc/clint@%" HWADDR_PRIx,
                                             m[VIRT_CLINT].base);
    g_autofree char *plic = g_strdup_printf("/soc/plic@%" HWADDR_PRIx,
                                            m[VIRT_PLIC].base);

    virt_fdt_cpus(fdt, n, phandle, intc_phandle, s->harts[0]);

    fdt_add(fdt, mem);
    fdt_prop_reg(fdt, mem, m[VIRT_DRAM].base, ms->ram_size);
    fdt_prop_str(fdt, mem, "device_type", "memory");

    /* CLINT: per hart, the software (3) then the timer (7) interrupt. */
    for (i = 0; i < n; i++) {
        clint_irqs[4 * i + 0] = intc_phandle[i];
        clint_irqs[4 * i + 1] = IRQ_M_SOFT;
        clint_irqs[4 * i + 2] = intc_phandle[i];
        clint_irqs[4 * i + 3] = IRQ_M_TIMER;
    }
    fdt_add(fdt, clint);
    fdt_prop_strs(fdt, clint, "compatible",
                  STRS("sifive,clint0", "riscv,clint0"));
    fdt_prop_reg(fdt, clint, m[VIRT_CLINT].base, m[VIRT_CLINT].size);
    fdt_prop_cells(fdt, clint, "interrupts-extended", clint_irqs, 4 * n);

    /* PLIC: context 2N is hart N's M-mode (11), 2N+1 its S-mode (9). */
    for (i = 0; i < n; i++) {
        plic_irqs[4 * i + 0] = intc_phandle[i];
        plic_irqs[4 * i + 1] = IRQ_M_EXT;
        plic_irqs[4 * i + 2] = intc_phandle[i];
        plic_irqs[4 * i + 3] = IRQ_S_EXT;
    }
    plic_phandle = (*phandle)++;
    fdt_add(fdt, plic);
    fdt_prop_u32(fdt, plic, "#interrupt-cells", 1);
    fdt_prop_u32(fdt, plic, "#address-cells", 0);
    fdt_prop_strs(fdt, plic, "compatible",
                  STRS("sifive,plic-1.0.0", "riscv,plic0"));
    fdt_prop(fdt, plic, "interrupt-controller", NULL, 0);
    fdt_prop_cells(fdt, plic, "interrupts-extended", plic_irqs, 4 * n);
    fdt_prop_reg(fdt, plic, m[VIRT_PLIC].base, m[VIRT_PLIC].size);
    /* The highest source id, 1..ndev being usable. */
    fdt_prop_u32(fdt, plic, "riscv,ndev", VIRT_IRQCHIP_NUM_SOURCES);
    fdt_prop_u32(fdt, plic, "phandle", plic_phandle);
    return plic_phandle;
}

/* A device on the PLIC: QEMU's create_fdt_uart, create_fdt_rtc. */
static void virt_fdt_plic_device(void *fdt, const char *path,
                                 const char *compatible, hwaddr base,
                                 hwaddr size, uint32_t plic_phandle,
                                 uint32_t irq)
{
    fdt_add(fdt, path);
    fdt_prop_str(fdt, path, "compatible", compatible);
    fdt_prop_reg(fdt, path, base, size);
    if (!strcmp(compatible, "ns16550a")) {
        fdt_prop_u32(fdt, path, "clock-frequency", SERIAL_CLOCK_FREQ);
    }
    fdt_prop_u32(fdt, path, "interrupt-parent", plic_phandle);
    fdt_prop_u32(fdt, path, "interrupts", irq);
}

/* The board's own tree, in a buffer as large as QEMU's (FDT_MAX_SIZE). */
static void *virt_build_fdt(RISCVVirtState *s)
{
    const MemMapEntry *m = virt_memmap;
    uint32_t phandle = 1, plic_phandle, test_phandle;
    g_autofree char *uart = g_strdup_printf("/soc/serial@%" HWADDR_PRIx,
                                            m[VIRT_UART0].base);
    g_autofree char *test = g_strdup_printf("/soc/test@%" HWADDR_PRIx,
                                            m[VIRT_TEST].base);
    g_autofree char *rtc = g_strdup_printf("/soc/rtc@%" HWADDR_PRIx,
                                           m[VIRT_RTC].base);
    void *fdt = g_malloc0(VIRT_FDT_MAX_SIZE);

    fdt_check(fdt_create_empty_tree(fdt, VIRT_FDT_MAX_SIZE), "create", "/");
    fdt_prop_str(fdt, "/", "model", "riscv-virtio,qemu");
    fdt_prop_str(fdt, "/", "compatible", "riscv-virtio");
    fdt_prop_u32(fdt, "/", "#size-cells", 2);
    fdt_prop_u32(fdt, "/", "#address-cells", 2);

    fdt_add(fdt, "/soc");
    fdt_prop(fdt, "/soc", "ranges", NULL, 0);
    fdt_prop_str(fdt, "/soc", "compatible", "simple-bus");
    fdt_prop_u32(fdt, "/soc", "#size-cells", 2);
    fdt_prop_u32(fdt, "/soc", "#address-cells", 2);

    plic_phandle = virt_fdt_socket(s, fdt, &phandle);

    /* All eight slots, filled or not (QEMU's create_fdt_virtio). */
    for (unsigned i = 0; i < VIRTIO_COUNT; i++) {
        hwaddr base = m[VIRT_VIRTIO].base + i * m[VIRT_VIRTIO].size;
        g_autofree char *name = g_strdup_printf("/soc/virtio_mmio@%"
                                                HWADDR_PRIx, base);

        virt_fdt_plic_device(fdt, name, "virtio,mmio", base,
                             m[VIRT_VIRTIO].size, plic_phandle,
                             VIRTIO_IRQ + i);
    }

    /* The finisher, and how Linux powers off and reboots through it. */
    test_phandle = phandle++;
    fdt_add(fdt, test);
    fdt_prop_strs(fdt, test, "compatible",
                  STRS("sifive,test1", "sifive,test0", "syscon"));
    fdt_prop_reg(fdt, test, m[VIRT_TEST].base, m[VIRT_TEST].size);
    fdt_prop_u32(fdt, test, "phandle", test_phandle);
    fdt_add(fdt, "/reboot");
    fdt_prop_str(fdt, "/reboot", "compatible", "syscon-reboot");
    fdt_prop_u32(fdt, "/reboot", "regmap", test_phandle);
    fdt_prop_u32(fdt, "/reboot", "offset", 0);
    fdt_prop_u32(fdt, "/reboot", "value", FINISHER_RESET);
    fdt_add(fdt, "/poweroff");
    fdt_prop_str(fdt, "/poweroff", "compatible", "syscon-poweroff");
    fdt_prop_u32(fdt, "/poweroff", "regmap", test_phandle);
    fdt_prop_u32(fdt, "/poweroff", "offset", 0);
    fdt_prop_u32(fdt, "/poweroff", "value", FINISHER_PASS);

    virt_fdt_plic_device(fdt, uart, "ns16550a", m[VIRT_UART0].base,
                         m[VIRT_UART0].size, plic_phandle, VIRT_UART0_IRQ);
    fdt_add(fdt, "/chosen");
    fdt_prop_str(fdt, "/chosen", "stdout-path", uart);

    virt_fdt_plic_device(fdt, rtc, "google,goldfish-rtc", m[VIRT_RTC].base,
                         m[VIRT_RTC].size, plic_phandle, VIRT_RTC_IRQ);

    if (s->edu_opts) {
        g_autofree char *edu = g_strdup_printf("/soc/edu@%x", EDU_VIRT_BASE);

        virt_fdt_plic_device(fdt, edu, "qcore,edu", EDU_VIRT_BASE,
                             EDU_MMIO_SIZE, plic_phandle, EDU_VIRT_IRQ);
    }
    /* Last, so that it comes first under the root, as in QEMU's tree. */
    virt_fdt_pmu(fdt, s->harts[0]);
    return fdt;
}

/*
 * -dtb FILE: the user's tree as is, with room to add /chosen properties
 * (QEMU's load_device_tree: twice the file plus 10000 bytes).
 */
static void *virt_load_fdt(const char *filename, int *size, Error **errp)
{
    GStatBuf st;
    g_autofree char *buf = NULL;
    g_autoptr(GError) gerr = NULL;
    void *fdt;
    gsize len;
    int ret;

    if (g_stat(filename, &st) < 0 || !S_ISREG(st.st_mode) ||
        !g_file_get_contents(filename, &buf, &len, &gerr)) {
        error_report("Unable to get size of device tree file '%s'", filename);
        error_setg(errp, "load_device_tree() failed");
        return NULL;
    }
    if (len > INT_MAX / 2 - 10000) {
        error_report("Device tree file '%s' is too large", filename);
        error_setg(errp, "load_device_tree() failed");
        return NULL;
    }
    *size = (len + 10000) * 2;
    fdt = g_malloc0(*size);
    memcpy(fdt, buf, len);
    /* The header's sizes must lie inside what was read. */
    ret = len < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED
                                          : fdt_check_header(fdt);
    if (!ret && fdt_totalsize(fdt) > len) {
        ret = -FDT_ERR_TRUNCATED;
    }
    if (!ret) {
        ret = fdt_open_into(fdt, fdt, *size);
    }
    if (ret) {
        error_report("load_device_tree: Unable to copy device tree into "
                     "memory: %s", fdt_strerror(ret));
        error_setg(errp, "load_device_tree() failed");
        g_free(fdt);
        return NULL;
    }
    return fdt;
}

/*
 * The tree (built, or -dtb's), then what QEMU's create_fdt adds to
 * either: /chosen/bootargs and fresh random bytes in /chosen/rng-seed.
 */
static bool virt_create_fdt(RISCVVirtState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    uint8_t seed[32];

    if (ms->dtb) {
        s->fdt = virt_load_fdt(ms->dtb, &s->fdt_size, errp);
        if (!s->fdt) {
            return false;
        }
    } else {
        s->fdt = virt_build_fdt(s);
        s->fdt_size = VIRT_FDT_MAX_SIZE;
    }
    ms->fdt = s->fdt;
    if (ms->kernel_cmdline && *ms->kernel_cmdline &&
        !riscv_fdt_chosen_setprop(s->fdt, "bootargs", ms->kernel_cmdline,
                                  strlen(ms->kernel_cmdline) + 1, errp)) {
        return false;
    }
    qemu_guest_getrandom_nofail(seed, sizeof(seed));
    return riscv_fdt_chosen_setprop(s->fdt, "rng-seed", seed, sizeof(seed),
                                    errp);
}

/* ---- boot: images and the reset vector (hw/riscv/boot.c) ---------------- */

/*
 * -bios, -kernel, -initrd, as QEMU 7.2's virt_machine_done: the firmware
 * at the start of RAM, the kernel at the next 2 MiB boundary after it.
 * Sets where the harts start (*@start) and what fw_dynamic_info hands
 * over to (*@kernel_entry, 0 without a kernel, as QEMU).
 */
static bool virt_load_images(RISCVVirtState *s, uint64_t *start,
                             uint64_t *kernel_entry, Error **errp)
{
    MachineState *ms = MACHINE(s);
    hwaddr dram = virt_memmap[VIRT_DRAM].base;
    hwaddr ram_end = dram + ms->ram_size;
    hwaddr firmware_end = dram, kernel_start;
    bool no_firmware = ms->firmware && !strcmp(ms->firmware, "none");
    LoadedImage img;

    *start = dram;
    *kernel_entry = 0;
    if (!no_firmware) {
        Error *err = NULL;
        const char *fw = riscv_find_firmware(ms->firmware, &err);

        if (err) {
            error_propagate(errp, err);
            return false;
        }
        if (fw) {
            if (!riscv_load_firmware(fw, dram, ram_end, &img, errp)) {
                return false;
            }
            firmware_end = img.high;
        }
    }
    if (!ms->kernel_filename) {
        return true;
    }

    kernel_start = riscv_calc_kernel_start_addr(firmware_end);
    if (!riscv_load_kernel(ms->kernel_filename, kernel_start, ram_end, &img,
                           errp)) {
        return false;
    }
    *kernel_entry = img.low;
    if (no_firmware) {
        /*
         * Every hart enters the kernel directly.  QEMU jumps to the start
         * of RAM; qcore to the ELF's entry point, which is the same for
         * programs linked at 0x80000000 and also right for the others.
         */
        *start = img.entry;
    }
    return !ms->initrd_filename ||
           riscv_load_initrd(ms->initrd_filename, ms->ram_size, ram_end,
                             *kernel_entry, s->fdt, errp);
}

/* A rebooted guest gets a fresh seed too (after rom_reset rewrote it). */
static void virt_fdt_reseed(void *opaque)
{
    RISCVVirtState *s = opaque;

    riscv_fdt_randomize_seeds(s->fdt, s->fdt_addr);
}

static bool virt_dump_dtb(RISCVVirtState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    g_autoptr(GError) gerr = NULL;

    if (!g_file_set_contents(ms->dumpdtb, s->fdt, fdt_totalsize(s->fdt),
                             &gerr)) {
        error_setg(errp, "Failed to write dtb to '%s': %s", ms->dumpdtb,
                   gerr->message);
        return false;
    }
    info_report("dtb dumped to %s. Exiting.", ms->dumpdtb);
    return true;
}

static void virt_machine_init(MachineState *ms, Error **errp)
{
    RISCVVirtState *s = RISCV_VIRT_MACHINE(ms);
    MemoryRegion *sysmem = get_system_memory();
    uint64_t start, kernel_entry;
    hwaddr fdt_addr;

    /* The harts' configuration (-cpu) first: the device tree shows it. */
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        s->harts[i] = riscv_cpu_new(ms->cpu_type, errp);
        if (!s->harts[i]) {
            return;
        }
    }
    if (ms->ram_size > 1024ULL * GiB) {
        error_setg(errp, "Invalid RAM size, maximum is 1 TiB");
        return;
    }

    for (guint i = 0; ms->devices && i < ms->devices->len; i++) {
        QDict *opts = g_ptr_array_index(ms->devices, i);

        /* edu is the board's to place; qdev devices come after init. */
        if (g_strcmp0(qdict_get_try_str(opts, "driver"), TYPE_EDU)) {
            continue;
        }
        if (s->edu_opts) {
            error_setg(errp, "virt has room for one edu device (at 0x%x, "
                       "PLIC source %d)", EDU_VIRT_BASE, EDU_VIRT_IRQ);
            return;
        }
        s->edu_opts = opts;
    }

    if (!memory_region_init_ram(&s->ram, OBJECT(ms), "riscv_virt_board.ram",
                                ms->ram_size, errp)) {
        return;
    }
    memory_region_add_subregion(sysmem, virt_memmap[VIRT_DRAM].base, &s->ram);
    if (!memory_region_init_rom(&s->mrom, OBJECT(ms),
                                "riscv_virt_board.mrom",
                                virt_memmap[VIRT_MROM].size, errp)) {
        return;
    }
    memory_region_add_subregion(sysmem, virt_memmap[VIRT_MROM].base,
                                &s->mrom);

    /*
     * The tree, then the images, which add to /chosen; QEMU dumps the
     * tree after that, so dumpdtb shows bootargs and the initrd too.
     * Images before harts: rom_reset must run before the harts' reset.
     */
    if (!virt_create_fdt(s, errp) ||
        !virt_load_images(s, &start, &kernel_entry, errp)) {
        return;
    }
    fdt_addr = riscv_compute_fdt_addr(virt_memmap[VIRT_DRAM].base,
                                      ms->ram_size, s->fdt_size);
    fdt_check(fdt_pack(s->fdt), "pack", "/");
    s->fdt = ms->fdt = g_realloc(s->fdt, fdt_totalsize(s->fdt));
    if (ms->dumpdtb) {
        if (virt_dump_dtb(s, errp)) {
            exit(0);
        }
        return;
    }
    if (!rom_add_blob("fdt", s->fdt, fdt_totalsize(s->fdt),
                      fdt_totalsize(s->fdt), fdt_addr,
                      &address_space_memory, errp)) {
        return;
    }
    s->fdt_addr = fdt_addr;
    qemu_register_reset(virt_fdt_reseed, s);
    riscv_setup_rom_reset_vec(virt_memmap[VIRT_MROM].base, start,
                              kernel_entry, fdt_addr);

    virt_create_harts(s, errp);
    virt_create_devices(s, errp);
}

static void virt_machine_finalize(Object *obj)
{
    g_free(RISCV_VIRT_MACHINE(obj)->fdt);
}

static const char *const virt_user_devices[] = { TYPE_EDU, NULL };

static void virt_machine_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "RISC-V VirtIO board";
    mc->init = virt_machine_init;
    mc->max_cpus = VIRT_CPUS_MAX;
    mc->default_ram_size = VIRT_DEFAULT_RAM;
    mc->default_cpu_type = TYPE_RISCV_CPU;
    mc->default_ram_id = "riscv_virt_board.ram";
    mc->user_devices = virt_user_devices;
}

static const TypeInfo virt_machine_types[] = {
    {
        .name = TYPE_RISCV_VIRT_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(RISCVVirtState),
        .instance_finalize = virt_machine_finalize,
        .class_init = virt_machine_class_init,
    },
};

DEFINE_TYPES(virt_machine_types)
