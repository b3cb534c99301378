/* hello: the smallest program - banner, boot registers, misa, exit 0. */
#include "runtime.h"

int main(unsigned long a0, unsigned long a1)
{
    unsigned long misa = csr_read(misa);
    unsigned long hartid = csr_read(mhartid);
    const volatile uint8_t *dtb = (const volatile uint8_t *)a1;

    puts("hello: bare-metal RISC-V on the virt board");
    printf("hello: mhartid %lu, a0 %lu\n", hartid, a0);
    printf("hello: a1 (device tree) non-zero: %s\n", a1 ? "yes" : "no");
    if (a1) {
        uint32_t magic = (uint32_t)dtb[0] << 24 | (uint32_t)dtb[1] << 16 |
                         (uint32_t)dtb[2] << 8 | dtb[3];
        printf("hello: device tree magic 0x%08x\n", magic);
    }
    /* Only the extensions the virt machine needs are printed: QEMU 7.2's
     * default rv64 CPU also sets D, F and H (misa 0x80000000001411ad),
     * which a machine without floating point must not claim. */
    printf("hello: misa MXL %lu (64-bit)\n", misa >> 62);
    const char *need = "IMACSU";
    for (const char *p = need; *p; p++) {
        printf("hello: misa.%c %s\n", *p, (misa >> (*p - 'A')) & 1 ? "set" : "CLEAR");
    }
    puts("hello: bye");
    return 0;
}
