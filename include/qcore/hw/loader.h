/*
 * Putting guest images into guest memory before the first instruction:
 * ELF executables (their PT_LOAD segments) and raw binaries.
 * Corresponds to QEMU's include/hw/loader.h (load_elf_as,
 * load_image_targphys).  qcore parses ELF itself; only 64-bit
 * little-endian RISC-V files are accepted.
 *
 * Images are written with address_space_write_rom, so they may target
 * ROM too; every byte must land in RAM or ROM (a segment over MMIO or a
 * hole is an error, not a silent partial load).  As in QEMU, every image
 * is also kept as a "ROM blob" and written again on each system reset,
 * so a reset guest starts from the same memory it booted from.  Main
 * thread, BQL held, CPUs not running.
 */
#ifndef QCORE_HW_LOADER_H
#define QCORE_HW_LOADER_H

#include "qcore/error.h"
#include "qcore/memory.h"

/* What a successful load covered. */
typedef struct LoadedImage {
    uint64_t entry;         /* ELF e_entry; for raw images, the load address */
    hwaddr low;             /* first byte written */
    hwaddr high;            /* one past the last byte written */
} LoadedImage;

/*
 * Load ELF file @filename into @as at its segments' physical addresses
 * (p_paddr), zero-filling from p_filesz to p_memsz.  Fails, having
 * written nothing, on an unreadable file, a file that is not ELF
 * (*@not_elf set true, so callers can fall back to a raw image), an
 * ELF for another machine or class ("... is an ELF for machine 62, not
 * RISC-V"), malformed headers, or a segment outside RAM/ROM.
 */
bool load_elf_as(const char *filename, AddressSpace *as, LoadedImage *img,
                 bool *not_elf, Error **errp);

/*
 * Load the raw file @filename at @addr; fails if it is larger than
 * @max_size or does not fit in RAM/ROM there.
 */
bool load_image_targphys_as(const char *filename, hwaddr addr,
                            uint64_t max_size, AddressSpace *as,
                            LoadedImage *img, Error **errp);

/*
 * Write @len bytes of @data (copied), then @memsz - @len zeros, at @addr
 * in @as now and on every system reset.  @name is for error messages.
 * Fails if the range is not all RAM/ROM.
 */
bool rom_add_blob(const char *name, const void *data, size_t len,
                  uint64_t memsz, hwaddr addr, AddressSpace *as,
                  Error **errp);

/* Whether [@addr, @addr + @len) is all RAM or ROM in @as.  Any thread. */
bool address_space_range_is_ram(AddressSpace *as, hwaddr addr, uint64_t len);

#endif
