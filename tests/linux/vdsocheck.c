/*
 * vdsocheck: is the kernel's vDSO self-contained?  For the Linux guest
 * (tests/linux, run by tests/functional/test_linux.py).  The vDSO is
 * mapped into every process as it is: nothing applies its relocations, so
 * one left in it is a pointer that reads 0.  Linux 6.1 built without CONFIG_JUMP_LABEL had one in
 * cpu_relax(), and clock_gettime() died of SIGSEGV whenever it met the
 * vDSO data mid-update (bench/README.md, "A crash to investigate").
 *   vdsocheck      prints each relocation, then a summary line; exit
 *                  status 1 if there is any.  Undefined symbols are only
 *                  listed: with jump labels the vDSO still names the key
 *                  its unpatched branch was made from, but never loads it.
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(void)
{
    const uint8_t *base = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    const ElfW(Phdr) *ph;
    const ElfW(Dyn) *dyn = NULL;
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const uint32_t *hash = NULL;
    uintptr_t bias = 0;
    size_t relasz = 0, relsz = 0, nsyms = 0;
    const ElfW(Rela) *rela = NULL;
    int bad_rel = 0, bad_sym = 0;

    if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
        printf("vdsocheck: no vDSO\n");
        return 1;
    }
    ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    /* Link-time addresses + bias = where the kernel mapped it. */
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            bias = (uintptr_t)base + ph[i].p_offset - ph[i].p_vaddr;
            break;
        }
    }
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const ElfW(Dyn) *)(bias + ph[i].p_vaddr);
        }
    }
    if (!dyn) {
        printf("vdsocheck: no dynamic section\n");
        return 1;
    }
    for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: symtab = (const void *)(bias + d->d_un.d_ptr); break;
        case DT_STRTAB: strtab = (const void *)(bias + d->d_un.d_ptr); break;
        case DT_HASH:   hash = (const void *)(bias + d->d_un.d_ptr); break;
        case DT_RELA:   rela = (const void *)(bias + d->d_un.d_ptr); break;
        case DT_RELASZ: relasz = d->d_un.d_val; break;
        case DT_RELSZ:  relsz = d->d_un.d_val; break;
        }
    }
    if (!symtab || !strtab || !hash) {
        printf("vdsocheck: no symbol table\n");
        return 1;
    }
    nsyms = hash[1];                    /* nchain: one per symbol */
    for (size_t i = 0; rela && i < relasz / sizeof(*rela); i++) {
        const ElfW(Sym) *s = &symtab[ELF64_R_SYM(rela[i].r_info)];

        printf("vdsocheck: relocation type %u at 0x%lx against '%s'\n",
               (unsigned)ELF64_R_TYPE(rela[i].r_info),
               (unsigned long)rela[i].r_offset, strtab + s->st_name);
        bad_rel++;
    }
    bad_rel += relsz / sizeof(ElfW(Rel));
    for (size_t i = 1; i < nsyms; i++) {
        if (symtab[i].st_shndx == SHN_UNDEF && symtab[i].st_name) {
            printf("vdsocheck: undefined symbol '%s'\n",
                   strtab + symtab[i].st_name);
            bad_sym++;
        }
    }
    printf("vdsocheck: %d relocations, %d undefined symbols\n", bad_rel,
           bad_sym);
    return bad_rel != 0;
}
