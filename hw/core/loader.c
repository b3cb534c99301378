/*
 * Guest image loading: ELF executables and raw binaries, written into an
 * address space before the guest runs.  Corresponds to QEMU's
 * hw/core/loader.c and include/hw/elf_ops.h, reduced to what a RISC-V
 * board needs: ELF64, little-endian, EM_RISCV, PT_LOAD segments at their
 * physical addresses.  See include/qcore/hw/loader.h.
 */
#include "qcore/osdep.h"
#include "qcore/hw/loader.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/symbols.h"
#include <elf.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

bool address_space_range_is_ram(AddressSpace *as, hwaddr addr, uint64_t len)
{
    bool ok = true;

    if (len && addr + len - 1 < addr) {
        return false;       /* wraps around the address space */
    }
    rcu_read_lock();
    while (len) {
        hwaddr xlat, plen = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &plen,
                                                   false,
                                                   MEMTXATTRS_UNSPECIFIED);
        if (!mr || !memory_region_is_ram(mr)) {
            ok = false;
            break;
        }
        addr += plen;
        len -= plen;
    }
    rcu_read_unlock();
    return ok;
}

/*
 * The whole of @filename, which must be a regular file: a device such as
 * /dev/zero would never end (QEMU sizes images with lseek, which makes
 * them empty or an error).
 */
static bool load_file(const char *filename, char **buf, gsize *len,
                      Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    GStatBuf st;

    if (g_stat(filename, &st) == 0 && !S_ISREG(st.st_mode)) {
        error_setg(errp, "could not load '%s': not a regular file", filename);
        return false;
    }
    if (!g_file_get_contents(filename, buf, len, &gerr)) {
        error_setg(errp, "could not load '%s': %s", filename, gerr->message);
        return false;
    }
    return true;
}

/*
 * Whether @filename starts with ELF's magic, read before the whole file
 * so that a large raw image is not read twice.  False with *@not_elf set
 * for another file, false with an error if it cannot be read.
 */
static bool file_is_elf(const char *filename, bool *not_elf, Error **errp)
{
    char magic[SELFMAG];
    FILE *f = fopen(filename, "rb");
    bool elf;

    if (!f) {
        error_setg_errno(errp, errno, "could not load '%s'", filename);
        return false;
    }
    elf = fread(magic, 1, SELFMAG, f) == SELFMAG &&
          !memcmp(magic, ELFMAG, SELFMAG);
    fclose(f);
    if (!elf) {
        *not_elf = true;
        error_setg(errp, "'%s' not an ELF file", filename);
    }
    return elf;
}

/* An image to restore on reset; QEMU's struct Rom. */
typedef struct Rom {
    QTAILQ_ENTRY(Rom) next;
    char *name;
    AddressSpace *as;
    hwaddr addr;
    uint8_t *data;
    size_t len;
    uint64_t memsz;         /* >= len: the rest is zero */
} Rom;

/* BQL. */
static QTAILQ_HEAD(, Rom) roms = QTAILQ_HEAD_INITIALIZER(roms);

static void rom_write(Rom *rom)
{
    static const uint8_t zeros[4096];
    uint64_t done;

    address_space_write_rom(rom->as, rom->addr, MEMTXATTRS_UNSPECIFIED,
                            rom->data, rom->len);
    for (done = rom->len; done < rom->memsz; done += sizeof(zeros)) {
        address_space_write_rom(rom->as, rom->addr + done,
                                MEMTXATTRS_UNSPECIFIED, zeros,
                                MIN(sizeof(zeros), rom->memsz - done));
    }
}

/* Reset handler: the guest may have overwritten its own image. */
static void rom_reset(void *opaque)
{
    Rom *rom;

    QTAILQ_FOREACH(rom, &roms, next) {
        rom_write(rom);
    }
}

/*
 * Two images over the same bytes: one would silently lose to the other
 * (QEMU's rom_check_and_register_reset finds these at machine-done).
 */
static bool rom_check_overlap(const char *name, hwaddr addr, uint64_t size,
                              AddressSpace *as, Error **errp)
{
    Rom *rom;

    QTAILQ_FOREACH(rom, &roms, next) {
        if (rom->as != as || !size || !rom->memsz ||
            addr >= rom->addr + rom->memsz || rom->addr >= addr + size) {
            continue;
        }
        error_setg(errp, "Some ROM regions are overlapping");
        error_append_hint(errp, "These two images were both to be loaded "
                          "at the same guest addresses:\n"
                          "  %s (addresses 0x%016" PRIx64 " - 0x%016" PRIx64
                          ")\n  %s (addresses 0x%016" PRIx64 " - 0x%016"
                          PRIx64 ")\nCheck which address each was built "
                          "for (with -bios default, OpenSBI takes the start "
                          "of RAM).\n", rom->name, (uint64_t)rom->addr,
                          (uint64_t)(rom->addr + rom->memsz), name,
                          (uint64_t)addr, (uint64_t)(addr + size));
        return false;
    }
    return true;
}

bool rom_add_blob(const char *name, const void *data, size_t len,
                  uint64_t memsz, hwaddr addr, AddressSpace *as,
                  Error **errp)
{
    Rom *rom;

    assert_bql_held();
    g_assert(memsz >= len);
    if (!address_space_range_is_ram(as, addr, memsz)) {
        error_setg(errp, "%s at 0x%" HWADDR_PRIx "-0x%" HWADDR_PRIx
                   " is outside guest RAM", name, addr, addr + memsz - 1);
        return false;
    }
    if (!rom_check_overlap(name, addr, memsz, as, errp)) {
        return false;
    }
    if (QTAILQ_EMPTY(&roms)) {
        qemu_register_reset(rom_reset, NULL);
    }
    rom = g_new0(Rom, 1);
    rom->name = g_strdup(name);
    rom->as = as;
    rom->addr = addr;
    rom->data = g_memdup2(data, len);
    rom->len = len;
    rom->memsz = memsz;
    QTAILQ_INSERT_TAIL(&roms, rom, next);
    rom_write(rom);
    return true;
}

/*
 * Fields are read byte-wise from the file buffer as little-endian
 * numbers: the file may be misaligned in memory and the host may be
 * big-endian.
 */
static uint64_t rd_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    while (size--) {
        v = (v << 8) | p[size];
    }
    return v;
}

#define EH(field) \
    rd_le(buf + offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field))
#define PH(ph, field) \
    rd_le((ph) + offsetof(Elf64_Phdr, field), \
          sizeof(((Elf64_Phdr *)0)->field))

#define SH(sh, field) \
    rd_le((sh) + offsetof(Elf64_Shdr, field), \
          sizeof(((Elf64_Shdr *)0)->field))
#define SYM(s, field) \
    rd_le((s) + offsetof(Elf64_Sym, field), sizeof(((Elf64_Sym *)0)->field))

/*
 * Record the function symbols of SHT_SYMTAB for the log (lookup_symbol),
 * as QEMU's load_symbols does: defined STT_FUNC symbols only.  A file
 * without a symbol table, or with a malformed one, simply adds nothing.
 */
static void elf_load_symbols(const uint8_t *buf, gsize len)
{
    uint64_t shoff = EH(e_shoff), shnum = EH(e_shnum), i;

    if (!shoff || EH(e_shentsize) != sizeof(Elf64_Shdr) || shoff > len ||
        shnum > (len - shoff) / sizeof(Elf64_Shdr)) {
        return;
    }
    for (i = 0; i < shnum; i++) {
        const uint8_t *sh = buf + shoff + i * sizeof(Elf64_Shdr);
        const uint8_t *strsh;
        uint64_t off, size, stroff, strsize, link, j;

        if (SH(sh, sh_type) != SHT_SYMTAB) {
            continue;
        }
        off = SH(sh, sh_offset);
        size = SH(sh, sh_size);
        link = SH(sh, sh_link);
        if (off > len || size > len - off || link >= shnum) {
            return;
        }
        strsh = buf + shoff + link * sizeof(Elf64_Shdr);
        stroff = SH(strsh, sh_offset);
        strsize = SH(strsh, sh_size);
        if (stroff > len || strsize > len - stroff || !strsize ||
            buf[stroff + strsize - 1] != '\0') {
            return;
        }
        for (j = 0; j + sizeof(Elf64_Sym) <= size; j += sizeof(Elf64_Sym)) {
            const uint8_t *s = buf + off + j;
            uint64_t name = SYM(s, st_name), shndx = SYM(s, st_shndx);

            if (ELF64_ST_TYPE(SYM(s, st_info)) != STT_FUNC ||
                shndx == SHN_UNDEF || shndx >= SHN_LORESERVE ||
                name >= strsize) {
                continue;
            }
            qemu_symbol_add(SYM(s, st_value), SYM(s, st_size),
                            (const char *)buf + stroff + name);
        }
        qemu_symbols_commit();
        return;
    }
}

/* Check the header; NULL or an error message to format with @filename. */
static const char *elf_check_header(const uint8_t *buf, gsize len,
                                    bool *not_elf)
{
    if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG)) {
        *not_elf = true;
        return "not an ELF file";
    }
    if (buf[EI_CLASS] != ELFCLASS64) {
        return "is a 32-bit ELF; qcore's harts are RV64";
    }
    if (buf[EI_DATA] != ELFDATA2LSB) {
        return "is a big-endian ELF; RISC-V is little-endian";
    }
    if (len < sizeof(Elf64_Ehdr)) {
        return "has a truncated ELF header";
    }
    if (EH(e_type) != ET_EXEC && EH(e_type) != ET_DYN) {
        return "is not an ELF executable";
    }
    if (EH(e_phentsize) != sizeof(Elf64_Phdr)) {
        return "has an unexpected program header size";
    }
    if (EH(e_phoff) > len ||
        EH(e_phnum) * sizeof(Elf64_Phdr) > len - EH(e_phoff)) {
        return "has program headers past the end of the file";
    }
    return NULL;
}

/* A PT_LOAD segment's range, to find segments that overlap. */
typedef struct ElfSeg {
    uint64_t addr, size;
    unsigned idx;
} ElfSeg;

static int elf_seg_cmp(const void *a, const void *b)
{
    const ElfSeg *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

bool load_elf_as(const char *filename, AddressSpace *as, LoadedImage *img,
                 bool *not_elf, Error **errp)
{
    g_autofree uint8_t *buf = NULL;
    const char *why;
    gsize len;
    unsigned i, phnum;
    uint64_t machine;
    hwaddr low = UINT64_MAX, high = 0;
    g_autofree ElfSeg *segs = NULL;
    unsigned nsegs = 0;

    assert_bql_held();
    *not_elf = false;
    if (!file_is_elf(filename, not_elf, errp) ||
        !load_file(filename, (char **)&buf, &len, errp)) {
        return false;
    }
    why = elf_check_header(buf, len, not_elf);
    if (why) {
        error_setg(errp, "'%s' %s", filename, why);
        return false;
    }
    machine = EH(e_machine);
    if (machine != EM_RISCV) {
        error_setg(errp, "'%s' is an ELF for machine %" PRIu64
                   ", not RISC-V (%d)", filename, machine, EM_RISCV);
        return false;
    }

    /* Check every segment before writing any, so failure writes nothing. */
    phnum = EH(e_phnum);
    segs = g_new(ElfSeg, phnum);
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + EH(e_phoff) + i * sizeof(Elf64_Phdr);
        uint64_t off = PH(ph, p_offset), filesz = PH(ph, p_filesz);
        uint64_t memsz = PH(ph, p_memsz), paddr = PH(ph, p_paddr);
        g_autofree char *seg_name = NULL;

        if (PH(ph, p_type) != PT_LOAD || !memsz) {
            continue;
        }
        if (filesz > memsz || off > len || filesz > len - off) {
            error_setg(errp, "'%s': segment %u lies outside the file",
                       filename, i);
            return false;
        }
        if (!address_space_range_is_ram(as, paddr, memsz)) {
            error_setg(errp, "'%s': segment %u at 0x%" PRIx64 "-0x%" PRIx64
                       " is outside guest RAM", filename, i, paddr,
                       paddr + memsz - 1);
            return false;
        }
        seg_name = g_strdup_printf("%s ELF program header segment %u",
                                   filename, i);
        if (!rom_check_overlap(seg_name, paddr, memsz, as, errp)) {
            return false;
        }
        segs[nsegs++] = (ElfSeg) { paddr, memsz, i };
        low = MIN(low, paddr);
        high = MAX(high, paddr + memsz);
    }
    if (low == UINT64_MAX) {
        error_setg(errp, "'%s' has no loadable segments", filename);
        return false;
    }
    /* Segments over each other: sorted, only neighbours can overlap. */
    qsort(segs, nsegs, sizeof(*segs), elf_seg_cmp);
    for (i = 1; i < nsegs; i++) {
        if (segs[i].addr < segs[i - 1].addr + segs[i - 1].size) {
            error_setg(errp, "Some ROM regions are overlapping");
            error_append_hint(errp, "'%s': segments %u and %u overlap\n",
                              filename, segs[i - 1].idx, segs[i].idx);
            return false;
        }
    }

    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + EH(e_phoff) + i * sizeof(Elf64_Phdr);
        uint64_t off = PH(ph, p_offset), filesz = PH(ph, p_filesz);
        uint64_t memsz = PH(ph, p_memsz), paddr = PH(ph, p_paddr);
        g_autofree char *seg_name = NULL;

        if (PH(ph, p_type) != PT_LOAD || !memsz) {
            continue;
        }
        /* Checked above; the zero tail is .bss. */
        seg_name = g_strdup_printf("%s ELF program header segment %u",
                                   filename, i);
        rom_add_blob(seg_name, buf + off, filesz, memsz, paddr, as,
                     &error_abort);
    }
    elf_load_symbols(buf, len);
    img->entry = EH(e_entry);
    img->low = low;
    img->high = high;
    return true;
}

bool load_image_targphys_as(const char *filename, hwaddr addr,
                            uint64_t max_size, AddressSpace *as,
                            LoadedImage *img, Error **errp)
{
    g_autofree char *buf = NULL;
    GStatBuf st;
    gsize len;

    assert_bql_held();
    /* Too large for RAM: say so before reading it all into memory. */
    if (g_stat(filename, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > max_size) {
        error_setg(errp, "'%s' (%" PRIu64 " bytes) does not fit in guest "
                   "RAM at 0x%" HWADDR_PRIx, filename, (uint64_t)st.st_size,
                   addr);
        return false;
    }
    if (!load_file(filename, &buf, &len, errp)) {
        return false;
    }
    if (len > max_size || !address_space_range_is_ram(as, addr, len)) {
        error_setg(errp, "'%s' (%" G_GSIZE_FORMAT " bytes) does not fit in "
                   "guest RAM at 0x%" HWADDR_PRIx, filename, len, addr);
        return false;
    }
    if (!rom_add_blob(filename, buf, len, len, addr, as, errp)) {
        return false;
    }
    img->entry = addr;
    img->low = addr;
    img->high = addr + len;
    return true;
}
