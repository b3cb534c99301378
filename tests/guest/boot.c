/*
 * boot: what the virt board hands the first instruction (QEMU's
 * riscv_setup_rom_reset_vec): a0 = hartid, a1 = the device tree, a2 =
 * OpenSBI's fw_dynamic_info, and the goldfish RTC's time.  Not compared
 * with a transcript (the addresses depend on -m and the RTC on the clock):
 * tests/functional/test_boot.py reads the values.  Also built as
 * boot-image.bin, linked 64 bytes into RAM to sit behind a Linux Image
 * header.
 */
#include "runtime.h"

extern char _start[];

#define RTC_TIME_LOW  0x101000UL
#define RTC_TIME_HIGH 0x101004UL

static uint32_t be32(const volatile uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

int main(unsigned long a0, unsigned long a1, unsigned long a2)
{
    const volatile uint64_t *info = (const volatile uint64_t *)a2;
    const volatile uint8_t *dtb = (const volatile uint8_t *)a1;
    uint64_t low, high;

    printf("boot: _start 0x%lx\n", (unsigned long)_start);
    printf("boot: a0 0x%lx a1 0x%lx a2 0x%lx\n", a0, a1, a2);
    printf("boot: dtb magic 0x%x totalsize 0x%x\n", be32(dtb), be32(dtb + 4));
    /* magic, version, next_addr, next_mode, options, boot_hart */
    for (int i = 0; i < 6; i++) {
        printf("boot: fw_dynamic_info[%d] 0x%lx\n", i, (unsigned long)info[i]);
    }
    /* Low first: it latches the high half. */
    low = *(volatile uint32_t *)RTC_TIME_LOW;
    high = *(volatile uint32_t *)RTC_TIME_HIGH;
    printf("boot: rtc seconds %lu\n",
           (unsigned long)(((high << 32) | low) / 1000000000UL));
    return 0;
}
