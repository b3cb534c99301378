/*
 * Booting a RISC-V board: firmware, kernel, initrd, the device tree's
 * place and the reset vector, as QEMU 7.2 does them for virt.
 * Corresponds to QEMU's include/hw/riscv/boot.h and boot_opensbi.h.
 *
 * The contract with the guest (docs/virt.md): every hart starts in the
 * mask ROM with a0 = mhartid, a1 = the device tree, a2 = OpenSBI's
 * struct fw_dynamic_info { magic "OSBI", version 2, next_addr, next_mode
 * (1: S), options 0, boot_hart 0 }, 8 bytes each, right after the code.
 * Everything here: main thread, BQL held, before the harts run (the seed
 * refresh: in a reset handler).
 */
#ifndef QCORE_HW_RISCV_BOOT_H
#define QCORE_HW_RISCV_BOOT_H

#include "qcore/error.h"
#include "qcore/hw/loader.h"
#include "qcore/memory.h"

/*
 * Where the firmware hands over to the kernel on 64-bit harts: the first
 * 2 MiB boundary after the firmware (QEMU's riscv_calc_kernel_start_addr).
 */
#define RISCV_KERNEL_ALIGN  (2 * 1024 * 1024)
hwaddr riscv_calc_kernel_start_addr(hwaddr firmware_end);

/*
 * -bios: @name NULL or "default" is OpenSBI's fw_dynamic.bin from
 * Debian's opensbi package (QEMU's data directory as a fallback), else a
 * file.  Returns the path; NULL with "Unable to load the RISC-V firmware
 * \"x\"", or NULL without an error under qtest when the default is not
 * installed (QEMU's leniency for device tests).
 */
const char *riscv_find_firmware(const char *name, Error **errp);

/*
 * Load @filename: an ELF at its own addresses, anything else raw at
 * @addr (up to @ram_end).  A foreign or broken ELF is an error.
 */
bool riscv_load_firmware(const char *filename, hwaddr addr, hwaddr ram_end,
                         LoadedImage *img, Error **errp);

/*
 * -kernel: an ELF at its addresses (img->low is what the firmware enters,
 * as QEMU), a Linux RISC-V Image (its header's image_size must fit below
 * @ram_end) or any other file raw at @kernel_start.  Errors: "could not
 * load kernel 'x'".
 */
bool riscv_load_kernel(const char *file, hwaddr kernel_start,
                       hwaddr ram_end, LoadedImage *img, Error **errp);

/*
 * -initrd: raw at @kernel_entry + min(@ram_size / 2, 128 MiB), its
 * bounds in @fdt's /chosen (linux,initrd-start/-end, 32-bit cells as
 * QEMU 7.2).  Errors: "could not load ramdisk 'x'", a /chosen problem.
 */
bool riscv_load_initrd(const char *file, uint64_t ram_size, hwaddr ram_end,
                       uint64_t kernel_entry, void *fdt, Error **errp);

/*
 * Set /chosen/@prop in @fdt; a -dtb tree may lack /chosen ("Couldn't
 * find node /chosen: FDT_ERR_NOTFOUND") or room for it.
 */
bool riscv_fdt_chosen_setprop(void *fdt, const char *prop, const void *val,
                              int len, Error **errp);

/*
 * QEMU's riscv_load_fdt address: below the end of RAM or 3 GiB, whichever
 * is lower, by @fdt_size (the tree's buffer before packing: 1 MiB for a
 * built tree), rounded down to 2 MiB.
 */
hwaddr riscv_compute_fdt_addr(hwaddr dram_base, uint64_t mem_size,
                              int fdt_size);

/*
 * QEMU 7.2's qemu_fdt_randomize_seeds: fresh bytes for every "rng-seed"
 * of @fdt, written into the copy at @fdt_addr in guest memory.  For a
 * reset handler registered after the ROM blobs, which rom_reset has just
 * written back, so a rebooted guest does not see the same seed again.
 */
void riscv_fdt_randomize_seeds(const void *fdt, hwaddr fdt_addr);

/*
 * The reset vector at @rom_base: a0/a1/a2 as above, then a jump to
 * @start; fw_dynamic_info.next_addr = @kernel_entry.
 */
void riscv_setup_rom_reset_vec(hwaddr rom_base, uint64_t start,
                               uint64_t kernel_entry, hwaddr fdt_addr);

/*
 * QEMU's qemu_guest_getrandom_nofail (without -seed): the host kernel's
 * entropy (getrandom(2)), glib's generator if that fails.
 */
void qemu_guest_getrandom_nofail(void *buf, size_t len);

#endif
