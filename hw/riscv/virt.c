/*
 * The RISC-V "virt" board: RAM, harts, CLINT, PLIC, ns16550a UART and the
 * sifive_test finisher at QEMU's addresses; a device tree built with
 * libfdt; the reset vector in a mask ROM; and boot from -bios/-kernel.
 * Corresponds to QEMU's hw/riscv/virt.c and hw/riscv/boot.c.  See
 * docs/virt.md.  Everything here runs in the main thread with the BQL.
 */
#include "qcore/osdep.h"
#include "qcore/chardev.h"
#include "qcore/cpu.h"
#include "qcore/error.h"
#include "qcore/hw/edu.h"
#include "qcore/hw/loader.h"
#include "qcore/hw/riscv-virt.h"
#include "qcore/hw/riscv_aclint.h"
#include "qcore/hw/serial.h"
#include "qcore/hw/sifive_plic.h"
#include "qcore/hw/sifive_test.h"
#include "qcore/irq.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/target-riscv.h"
#include <libfdt.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

const MemMapEntry virt_memmap[] = {
    [VIRT_MROM] =  {     0x1000,     0xf000 },
    [VIRT_TEST] =  {   0x100000,     0x1000 },
    [VIRT_CLINT] = {  0x2000000,    0x10000 },
    [VIRT_PLIC] =  {  0xc000000, VIRT_PLIC_SIZE(VIRT_PLIC_MAX_CONTEXTS) },
    [VIRT_UART0] = { 0x10000000,      0x100 },
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
    int fdt_size;
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
    s->plic = sifive_plic_create(NULL, NULL, NULL, m[VIRT_PLIC].base,
                                 ms->smp_cpus, VIRT_IRQCHIP_NUM_SOURCES);
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

    /* QEMU's serial_hd(0): the chardev -serial / -nographic made. */
    serial_mm_create(NULL, NULL, NULL, m[VIRT_UART0].base,
                     sifive_plic_get_irq(s->plic, VIRT_UART0_IRQ),
                     qemu_chr_find("serial0"), errp);
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

    for (i = n; i-- > 0;) {
        g_autofree char *cpu = g_strdup_printf("/cpus/cpu@%u", i);
        g_autofree char *intc = g_strdup_printf("%s/interrupt-controller",
                                                cpu);
        g_autofree char *core = g_strdup_printf(
            "/cpus/cpu-map/cluster0/core%u", i);
        uint32_t cpu_phandle = (*phandle)++;

        intc_phandle[i] = (*phandle)++;
        fdt_add(fdt, cpu);
        fdt_prop_u32(fdt, cpu, "phandle", cpu_phandle);
        fdt_prop_str(fdt, cpu, "device_type", "cpu");
        fdt_prop_u32(fdt, cpu, "reg", i);
        fdt_prop_str(fdt, cpu, "status", "okay");
        fdt_prop_str(fdt, cpu, "compatible", "riscv");
        fdt_prop_str(fdt, cpu, "riscv,isa", isa);
        fdt_prop_str(fdt, cpu, "mmu-type", riscv_cpu_mmu_type(hart));

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

static void virt_create_fdt(RISCVVirtState *s)
{
    MachineState *ms = MACHINE(s);
    const MemMapEntry *m = virt_memmap;
    unsigned n = ms->smp_cpus, i;
    uint32_t phandle = 1, plic_phandle, test_phandle;
    uint32_t intc_phandle[VIRT_CPUS_MAX];
    g_autofree uint32_t *clint_irqs = g_new(uint32_t, n * 4);
    g_autofree uint32_t *plic_irqs = g_new(uint32_t, n * 4);
    g_autofree char *mem = g_strdup_printf("/memory@%" HWADDR_PRIx,
                                           m[VIRT_DRAM].base);
    g_autofree char *clint = g_strdup_printf("/soc/clint@%" HWADDR_PRIx,
                                             m[VIRT_CLINT].base);
    g_autofree char *plic = g_strdup_printf("/soc/plic@%" HWADDR_PRIx,
                                            m[VIRT_PLIC].base);
    g_autofree char *uart = g_strdup_printf("/soc/serial@%" HWADDR_PRIx,
                                            m[VIRT_UART0].base);
    g_autofree char *test = g_strdup_printf("/soc/test@%" HWADDR_PRIx,
                                            m[VIRT_TEST].base);
    const size_t size = 64 * 1024;
    void *fdt = g_malloc0(size);

    fdt_check(fdt_create_empty_tree(fdt, size), "create", "/");
    fdt_prop_str(fdt, "/", "model", "riscv-virtio,qemu");
    fdt_prop_str(fdt, "/", "compatible", "riscv-virtio");
    fdt_prop_u32(fdt, "/", "#size-cells", 2);
    fdt_prop_u32(fdt, "/", "#address-cells", 2);

    /* Nodes in reverse of the order they should appear in (see fdt_add). */
    fdt_add(fdt, "/chosen");
    fdt_prop_str(fdt, "/chosen", "stdout-path", uart);
    if (ms->kernel_cmdline && *ms->kernel_cmdline) {
        fdt_prop_str(fdt, "/chosen", "bootargs", ms->kernel_cmdline);
    }

    /* How Linux powers off and reboots through the finisher. */
    test_phandle = phandle++;
    fdt_add(fdt, "/reboot");
    fdt_prop_u32(fdt, "/reboot", "value", FINISHER_RESET);
    fdt_prop_u32(fdt, "/reboot", "offset", 0);
    fdt_prop_u32(fdt, "/reboot", "regmap", test_phandle);
    fdt_prop_str(fdt, "/reboot", "compatible", "syscon-reboot");
    fdt_add(fdt, "/poweroff");
    fdt_prop_u32(fdt, "/poweroff", "value", FINISHER_PASS);
    fdt_prop_u32(fdt, "/poweroff", "offset", 0);
    fdt_prop_u32(fdt, "/poweroff", "regmap", test_phandle);
    fdt_prop_str(fdt, "/poweroff", "compatible", "syscon-poweroff");

    fdt_add(fdt, "/soc");
    fdt_prop_str(fdt, "/soc", "compatible", "simple-bus");
    fdt_prop(fdt, "/soc", "ranges", NULL, 0);
    fdt_prop_u32(fdt, "/soc", "#size-cells", 2);
    fdt_prop_u32(fdt, "/soc", "#address-cells", 2);

    fdt_add(fdt, mem);
    fdt_prop_str(fdt, mem, "device_type", "memory");
    fdt_prop_reg(fdt, mem, m[VIRT_DRAM].base, ms->ram_size);

    virt_fdt_cpus(fdt, n, &phandle, intc_phandle, s->harts[0]);
    virt_fdt_pmu(fdt, s->harts[0]);

    /* CLINT: per hart, the software (3) then the timer (7) interrupt. */
    for (i = 0; i < n; i++) {
        clint_irqs[4 * i + 0] = intc_phandle[i];
        clint_irqs[4 * i + 1] = IRQ_M_SOFT;
        clint_irqs[4 * i + 2] = intc_phandle[i];
        clint_irqs[4 * i + 3] = IRQ_M_TIMER;
    }
    /* PLIC: context 2N is hart N's M-mode (11), 2N+1 its S-mode (9). */
    plic_phandle = phandle++;
    for (i = 0; i < n; i++) {
        plic_irqs[4 * i + 0] = intc_phandle[i];
        plic_irqs[4 * i + 1] = IRQ_M_EXT;
        plic_irqs[4 * i + 2] = intc_phandle[i];
        plic_irqs[4 * i + 3] = IRQ_S_EXT;
    }

    fdt_add(fdt, test);
    fdt_prop_u32(fdt, test, "phandle", test_phandle);
    fdt_prop_reg(fdt, test, m[VIRT_TEST].base, m[VIRT_TEST].size);
    fdt_prop_strs(fdt, test, "compatible",
                  STRS("sifive,test1", "sifive,test0", "syscon"));

    if (s->edu_opts) {
        g_autofree char *edu = g_strdup_printf("/soc/edu@%x", EDU_VIRT_BASE);

        fdt_add(fdt, edu);
        fdt_prop_u32(fdt, edu, "interrupts", EDU_VIRT_IRQ);
        fdt_prop_u32(fdt, edu, "interrupt-parent", plic_phandle);
        fdt_prop_reg(fdt, edu, EDU_VIRT_BASE, EDU_MMIO_SIZE);
        fdt_prop_str(fdt, edu, "compatible", "qcore,edu");
    }

    fdt_add(fdt, uart);
    fdt_prop_u32(fdt, uart, "interrupts", VIRT_UART0_IRQ);
    fdt_prop_u32(fdt, uart, "interrupt-parent", plic_phandle);
    fdt_prop_u32(fdt, uart, "clock-frequency", SERIAL_CLOCK_FREQ);
    fdt_prop_reg(fdt, uart, m[VIRT_UART0].base, m[VIRT_UART0].size);
    fdt_prop_str(fdt, uart, "compatible", "ns16550a");

    fdt_add(fdt, plic);
    fdt_prop_u32(fdt, plic, "phandle", plic_phandle);
    fdt_prop_u32(fdt, plic, "riscv,ndev", VIRT_IRQCHIP_NUM_SOURCES - 1);
    fdt_prop_reg(fdt, plic, m[VIRT_PLIC].base, m[VIRT_PLIC].size);
    fdt_prop_cells(fdt, plic, "interrupts-extended", plic_irqs, 4 * n);
    fdt_prop(fdt, plic, "interrupt-controller", NULL, 0);
    fdt_prop_strs(fdt, plic, "compatible",
                  STRS("sifive,plic-1.0.0", "riscv,plic0"));
    fdt_prop_u32(fdt, plic, "#address-cells", 0);
    fdt_prop_u32(fdt, plic, "#interrupt-cells", 1);

    fdt_add(fdt, clint);
    fdt_prop_cells(fdt, clint, "interrupts-extended", clint_irqs, 4 * n);
    fdt_prop_reg(fdt, clint, m[VIRT_CLINT].base, m[VIRT_CLINT].size);
    fdt_prop_strs(fdt, clint, "compatible",
                  STRS("sifive,clint0", "riscv,clint0"));

    fdt_check(fdt_pack(fdt), "pack", "/");
    s->fdt = fdt;
    s->fdt_size = fdt_totalsize(fdt);
    MACHINE(s)->fdt = fdt;
}

/*
 * QEMU's riscv_compute_fdt_addr: as high as possible so that kernels do
 * not overwrite it, but below 3 GiB, on a 2 MiB boundary.
 */
static hwaddr virt_fdt_addr(RISCVVirtState *s)
{
    hwaddr base = virt_memmap[VIRT_DRAM].base;
    hwaddr end = base + MACHINE(s)->ram_size;
    hwaddr top = base < 3ULL * GiB ? MIN(end, 3ULL * GiB) : end;

    return (top - s->fdt_size) & ~(2 * MiB - 1);
}

/* ---- boot: images and the reset vector ------------------------------------ */

/* RISC-V instruction encodings for the reset vector. */
static uint32_t rv_itype(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1,
                         int32_t imm)
{
    return ((uint32_t)imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}

enum { REG_T0 = 5, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };

/*
 * The mask ROM every hart starts in (the CPU's resetvec is its base): it
 * loads a0 = mhartid, a1 = the device tree, a2 = the fw_dynamic_info that
 * OpenSBI reads, and jumps to @start.  The same contract as QEMU's
 * riscv_setup_rom_reset_vec, so guests see the same registers.
 */
static void virt_setup_rom_reset_vec(RISCVVirtState *s, uint64_t start,
                                     uint64_t kernel_entry, hwaddr fdt_addr)
{
    enum { OFF_START = 24, OFF_FDT = 32, OFF_FW_DYN = 40 };
    uint32_t code[6] = {
        0x00000017 | (REG_T0 << 7),                     /* auipc t0, 0 */
        rv_itype(0x13, 0, REG_A2, REG_T0, OFF_FW_DYN),  /* addi a2, t0, .. */
        rv_itype(0x73, 2, REG_A0, 0, CSR_MHARTID),      /* csrr a0, mhartid */
        rv_itype(0x03, 3, REG_A1, REG_T0, OFF_FDT),     /* ld a1, ..(t0) */
        rv_itype(0x03, 3, REG_T0, REG_T0, OFF_START),   /* ld t0, ..(t0) */
        rv_itype(0x67, 0, 0, REG_T0, 0),                /* jr t0 */
    };
    /* OpenSBI's struct fw_dynamic_info: magic "OSBI", version 2. */
    uint64_t data[2 + 6] = {
        start, fdt_addr,
        0x4942534f, 2, kernel_entry, 1 /* next mode: S */, 0, 0,
    };
    uint8_t rom[sizeof(code) + sizeof(data)];
    unsigned i;

    /* The guest reads them little-endian, whatever the host is. */
    for (i = 0; i < G_N_ELEMENTS(code); i++) {
        code[i] = GUINT32_TO_LE(code[i]);
    }
    for (i = 0; i < G_N_ELEMENTS(data); i++) {
        data[i] = GUINT64_TO_LE(data[i]);
    }
    memcpy(rom, code, sizeof(code));
    memcpy(rom + sizeof(code), data, sizeof(data));
    rom_add_blob("reset vector", rom, sizeof(rom), sizeof(rom),
                 virt_memmap[VIRT_MROM].base, &address_space_memory,
                 &error_abort);
}

/* -bios none|default|FILE and -kernel FILE: returns the start address. */
static bool virt_load_images(RISCVVirtState *s, uint64_t *start,
                             uint64_t *kernel_entry, hwaddr *images_end,
                             Error **errp)
{
    MachineState *ms = MACHINE(s);
    hwaddr dram = virt_memmap[VIRT_DRAM].base;
    hwaddr kernel_start = dram;
    LoadedImage img;
    bool not_elf;

    *start = dram;
    *kernel_entry = dram;
    *images_end = dram;
    /* qcore ships no OpenSBI: "default" boots like "none". */
    if (ms->firmware && strcmp(ms->firmware, "none") &&
        strcmp(ms->firmware, "default")) {
        if (!load_elf_as(ms->firmware, &address_space_memory, &img, &not_elf,
                         errp)) {
            if (!not_elf) {
                return false;
            }
            error_free(*errp);
            *errp = NULL;
            if (!load_image_targphys_as(ms->firmware, dram, ms->ram_size,
                                        &address_space_memory, &img, errp)) {
                return false;
            }
        }
        *start = img.entry;
        *images_end = MAX(*images_end, img.high);
        kernel_start = (img.high + VIRT_KERNEL_ALIGN - 1) & ~(hwaddr)(VIRT_KERNEL_ALIGN - 1);
    }

    if (ms->kernel_filename) {
        if (!load_elf_as(ms->kernel_filename, &address_space_memory, &img,
                         &not_elf, errp)) {
            if (!not_elf) {
                return false;
            }
            error_free(*errp);
            *errp = NULL;
            if (!load_image_targphys_as(ms->kernel_filename, kernel_start,
                                        dram + ms->ram_size - kernel_start,
                                        &address_space_memory, &img, errp)) {
                return false;
            }
        }
        *kernel_entry = img.entry;
        *images_end = MAX(*images_end, img.high);
        if (!ms->firmware || !strcmp(ms->firmware, "none") ||
            !strcmp(ms->firmware, "default")) {
            /* No firmware: every hart enters the kernel directly. */
            *start = img.entry;
        }
    }
    return true;
}

static bool virt_dump_dtb(RISCVVirtState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    g_autoptr(GError) gerr = NULL;

    if (!g_file_set_contents(ms->dumpdtb, s->fdt, s->fdt_size, &gerr)) {
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
    hwaddr fdt_addr, images_end;

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

        /* edu is the only driver in virt_user_devices. */
        if (s->edu_opts) {
            error_setg(errp, "virt has room for one edu device (at 0x%x, "
                       "PLIC source %d)", EDU_VIRT_BASE, EDU_VIRT_IRQ);
            return;
        }
        s->edu_opts = opts;
    }

    /* The device tree first: dumpdtb must not need images or threads. */
    virt_create_fdt(s);
    if (ms->dumpdtb) {
        if (virt_dump_dtb(s, errp)) {
            exit(0);
        }
        return;
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

    /* Images before harts: rom_reset must run before the harts' reset. */
    if (!virt_load_images(s, &start, &kernel_entry, &images_end, errp)) {
        return;
    }
    fdt_addr = virt_fdt_addr(s);
    if (fdt_addr < images_end) {
        /* Images sit at the bottom of RAM, the tree at the top. */
        error_setg(errp, "not enough RAM (%" PRIu64 " bytes) for the "
                   "guest images and the device tree", ms->ram_size);
        return;
    }
    if (!rom_add_blob("fdt", s->fdt, s->fdt_size, s->fdt_size, fdt_addr,
                      &address_space_memory, errp)) {
        return;
    }
    virt_setup_rom_reset_vec(s, start, kernel_entry, fdt_addr);

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
