/*
 * How a RISC-V board starts its guest: find and load the firmware, the
 * kernel (ELF, Linux Image, raw) and the initrd, place the device tree,
 * and write the reset vector that hands a0/a1/a2 over.  Corresponds to
 * QEMU's hw/riscv/boot.c (and the rng-seed parts of softmmu/device_tree.c
 * and util/guest-random.c).  See include/qcore/hw/riscv-boot.h and
 * docs/virt.md.  Main thread, BQL held, harts not running.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/hw/loader.h"
#include "qcore/hw/riscv-boot.h"
#include "qcore/qtest.h"
#include "qcore/target-riscv.h"
#include <libfdt.h>
#include <sys/random.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* ---- the device tree's /chosen and its place ---------------------------- */

void qemu_guest_getrandom_nofail(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = getrandom(p, len, 0);

        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            break;
        }
        p += n;
        len -= n;
    }
    /* No getrandom(2) (old kernel, seccomp): glib's generator. */
    for (; len; len--) {
        *p++ = g_random_int();
    }
}

bool riscv_fdt_chosen_setprop(void *fdt, const char *prop, const void *val,
                              int len, Error **errp)
{
    int node = fdt_path_offset(fdt, "/chosen");
    int ret = node < 0 ? node : fdt_setprop(fdt, node, prop, val, len);

    if (node < 0) {
        error_setg(errp, "Couldn't find node /chosen: %s",
                   fdt_strerror(node));
        return false;
    }
    if (ret < 0) {
        error_setg(errp, "Couldn't set /chosen/%s: %s", prop,
                   fdt_strerror(ret));
        return false;
    }
    return true;
}

hwaddr riscv_compute_fdt_addr(hwaddr dram_base, uint64_t mem_size,
                              int fdt_size)
{
    hwaddr end = dram_base + mem_size;
    hwaddr top = dram_base < 3ULL * GiB ? MIN(end, 3ULL * GiB) : end;

    return (top - fdt_size) & ~(2 * MiB - 1);
}

void riscv_fdt_randomize_seeds(const void *fdt, hwaddr fdt_addr)
{
    int node, len;

    for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        const uint8_t *val = fdt_getprop(fdt, node, "rng-seed", &len);
        g_autofree uint8_t *seed = NULL;

        if (!val || len <= 0) {
            continue;
        }
        seed = g_malloc(len);
        qemu_guest_getrandom_nofail(seed, len);
        address_space_write_rom(&address_space_memory,
                                fdt_addr + (val - (const uint8_t *)fdt),
                                MEMTXATTRS_UNSPECIFIED, seed, len);
    }
}

/* ---- the reset vector ---------------------------------------------------- */

/* RISC-V instruction encodings for the reset vector. */
static uint32_t rv_itype(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1,
                         int32_t imm)
{
    return ((uint32_t)imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}

enum { REG_T0 = 5, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };

void riscv_setup_rom_reset_vec(hwaddr rom_base, uint64_t start,
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
                 rom_base, &address_space_memory,
                 &error_abort);
}

/* ---- firmware, kernel, initrd -------------------------------------------- */

/*
 * -bios default: Debian's opensbi package, QEMU's own copy as a fallback
 * (QEMU 7.2 looks for its RISCV64_BIOS_BIN in its data directories).
 */
#define RISCV64_BIOS_BIN "opensbi-riscv64-generic-fw_dynamic.bin"
static const char *const riscv_bios_paths[] = {
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
    "/usr/share/qemu/" RISCV64_BIOS_BIN,
};

const char *riscv_find_firmware(const char *name, Error **errp)
{
    if (!name || !strcmp(name, "default")) {
        for (unsigned i = 0; i < G_N_ELEMENTS(riscv_bios_paths); i++) {
            if (!access(riscv_bios_paths[i], R_OK)) {
                return riscv_bios_paths[i];
            }
        }
        if (qtest_enabled()) {
            /* As QEMU: device tests need no firmware, do not fail them. */
            return NULL;
        }
        name = RISCV64_BIOS_BIN;
    } else if (!access(name, R_OK)) {
        return name;
    }
    error_setg(errp, "Unable to load the RISC-V firmware \"%s\"", name);
    if (!strcmp(name, RISCV64_BIOS_BIN)) {
        error_append_hint(errp, "Install Debian's opensbi package (%s), or "
                          "pass -bios none or -bios FILE.\n",
                          riscv_bios_paths[0]);
    }
    return NULL;
}

/*
 * An ELF at its own addresses, else the raw file at @addr (QEMU's order
 * for firmware and kernels; it also tries U-Boot's uImage, which qcore
 * does not).  A broken or foreign ELF is an error, not a raw image.
 */
bool riscv_load_firmware(const char *filename, hwaddr addr, hwaddr ram_end,
                         LoadedImage *img, Error **errp)
{
    Error *err = NULL;
    bool not_elf;

    if (load_elf_as(filename, &address_space_memory, img, &not_elf, &err)) {
        return true;
    }
    if (!not_elf) {
        error_propagate(errp, err);
        return false;
    }
    error_free(err);
    return load_image_targphys_as(filename, addr,
                                  addr < ram_end ? ram_end - addr : 0,
                                  &address_space_memory, img, errp);
}

/*
 * The header of a Linux RISC-V "Image" (Documentation/riscv/boot-image-
 * header.rst): little-endian, 64 bytes at the start of the file.
 */
#define RISCV_IMAGE_HEADER_SIZE  64
#define RISCV_IMAGE_MAGIC        "RISCV\0\0\0"     /* at 48, deprecated */
#define RISCV_IMAGE_MAGIC2       "RSC\x05"         /* at 56 */

/*
 * If @filename is an Image, set *@image_size (the memory it needs from
 * its load address, bss included) and return true.
 */
static bool riscv_image_probe(const char *filename, uint64_t *image_size)
{
    uint8_t h[RISCV_IMAGE_HEADER_SIZE];
    FILE *f = fopen(filename, "rb");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fread(h, 1, sizeof(h), f) == sizeof(h) &&
         (!memcmp(h + 56, RISCV_IMAGE_MAGIC2, 4) ||
          !memcmp(h + 48, RISCV_IMAGE_MAGIC, 8));
    fclose(f);
    if (ok) {
        memcpy(image_size, h + 16, sizeof(*image_size));
        *image_size = GUINT64_FROM_LE(*image_size);
    }
    return ok;
}

/*
 * -kernel FILE at @kernel_start (QEMU's riscv_load_kernel): an ELF at its
 * addresses, entered at its lowest one (QEMU passes the load base, not
 * e_entry, to the firmware); a Linux Image or any other file raw at
 * @kernel_start.  QEMU 7.2 loads an Image as a raw file too, which puts
 * it where its header's text_offset asks (2 MiB into RAM) when the
 * firmware is OpenSBI; qcore also reads image_size and refuses a kernel
 * whose bss would run past the end of RAM.
 */
bool riscv_load_kernel(const char *file, hwaddr kernel_start,
                       hwaddr ram_end, LoadedImage *img, Error **errp)
{
    uint64_t image_size;

    if (riscv_image_probe(file, &image_size)) {
        if (kernel_start > ram_end || image_size > ram_end - kernel_start) {
            error_setg(errp, "could not load kernel '%s'", file);
            error_append_hint(errp, "The Image needs 0x%" PRIx64 " bytes "
                              "from 0x%" HWADDR_PRIx ", past the end of RAM "
                              "at 0x%" HWADDR_PRIx ".\n", image_size,
                              kernel_start, ram_end);
            return false;
        }
        return load_image_targphys_as(file, kernel_start,
                                      ram_end - kernel_start,
                                      &address_space_memory, img, errp);
    }
    if (access(file, R_OK)) {
        error_setg(errp, "could not load kernel '%s'", file);
        error_append_hint(errp, "%s: %s\n", file, strerror(errno));
        return false;
    }
    return riscv_load_firmware(file, kernel_start, ram_end, img, errp);
}

/*
 * -initrd FILE (QEMU 7.2's riscv_load_initrd): far enough above the
 * kernel that it survives the kernel's decompression, half of RAM or
 * 128 MiB above its entry, whichever is less; its bounds go into /chosen
 * as 32-bit cells, as 7.2 writes them.
 */
bool riscv_load_initrd(const char *file, uint64_t ram_size, hwaddr ram_end,
                       uint64_t kernel_entry, void *fdt, Error **errp)
{
    hwaddr start = kernel_entry + MIN(ram_size / 2, 128 * MiB);
    Error *err = NULL;
    LoadedImage img;
    fdt32_t cell;

    if (start >= ram_end ||
        !load_image_targphys_as(file, start, ram_end - start,
                                &address_space_memory, &img, &err)) {
        error_free(err);
        error_setg(errp, "could not load ramdisk '%s'", file);
        return false;
    }
    cell = cpu_to_fdt32(img.low);
    if (!riscv_fdt_chosen_setprop(fdt, "linux,initrd-start", &cell,
                                  sizeof(cell), errp)) {
        return false;
    }
    cell = cpu_to_fdt32(img.high);
    return riscv_fdt_chosen_setprop(fdt, "linux,initrd-end", &cell,
                                    sizeof(cell), errp);
}

hwaddr riscv_calc_kernel_start_addr(hwaddr firmware_end)
{
    return (firmware_end + RISCV_KERNEL_ALIGN - 1) &
           ~(hwaddr)(RISCV_KERNEL_ALIGN - 1);
}
