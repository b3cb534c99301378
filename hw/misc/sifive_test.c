/*
 * SiFive's test finisher: guest writes become shutdown (with an exit
 * status) and reset requests.  Corresponds to QEMU's
 * hw/misc/sifive_test.c; the register is in include/qcore/hw/sifive_test.h.
 *
 * The device holds no state.  Its MMIO callback runs with the BQL in a
 * vCPU thread; the requests only record what is asked and wake the main
 * loop, which emits SHUTDOWN or RESET and exits or runs reset handlers.
 */
#include "qcore/osdep.h"
#include "qcore/hw/sifive_test.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/runstate.h"

struct SiFiveTestState {
    Object parent_obj;

    MemoryRegion mmio;
};

#define SIFIVE_TEST(obj) OBJECT_CHECK(SiFiveTestState, (obj), TYPE_SIFIVE_TEST)

static uint64_t sifive_test_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    if (addr == 0) {
        switch (val & 0xffff) {
        case FINISHER_FAIL:
            qemu_system_shutdown_request_with_code(
                SHUTDOWN_CAUSE_GUEST_SHUTDOWN, (val >> 16) & 0xffff);
            return;
        case FINISHER_PASS:
            qemu_system_shutdown_request_with_code(
                SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 0);
            return;
        case FINISHER_RESET:
            qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
            return;
        }
    }
    qemu_log_mask(LOG_GUEST_ERROR, "sifive_test: write of 0x%" PRIx64
                  " to offset 0x%" HWADDR_PRIx " ignored\n", val, addr);
}

static const MemoryRegionOps sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* QEMU's sizes: 16- and 32-bit stores are both seen as they are. */
    .valid = { .min_access_size = 2, .max_access_size = 4 },
    .impl = { .min_access_size = 2, .max_access_size = 4 },
};

static void sifive_test_unparent(Object *obj)
{
    sysbus_mmio_unmap(&SIFIVE_TEST(obj)->mmio);
}

static void sifive_test_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = sifive_test_unparent;
}

static const TypeInfo sifive_test_info = {
    .name = TYPE_SIFIVE_TEST,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(SiFiveTestState),
    .class_init = sifive_test_class_init,
};

static void sifive_test_register_types(void)
{
    type_register_static(&sifive_test_info);
}

type_init(sifive_test_register_types)

SiFiveTestState *sifive_test_create(Object *parent, const char *name,
                                    MemoryRegion *sysmem, hwaddr base)
{
    SiFiveTestState *s = SIFIVE_TEST(object_new(TYPE_SIFIVE_TEST));

    memory_region_init_io(&s->mmio, OBJECT(s), &sifive_test_ops, s,
                          "riscv.sifive.test", SIFIVE_TEST_SIZE);
    sysbus_mmio_map(sysmem, base, &s->mmio);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
