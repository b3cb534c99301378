/*
 * Tests for the memory API: RAM and MMIO regions, how accesses are sized,
 * split and byte-swapped on their way to a device, how the region tree
 * becomes a flat view, RCU publication of views while other threads read,
 * the BQL around MMIO, and the "info mtree" text.  QEMU tests the same
 * things piecemeal (tests/qtest/, tests/unit/test-*); see docs/memory.md.
 *
 * Each test builds its own AddressSpace over an owner-less root container;
 * the other regions are children of a container object that plays the
 * device.  main() holds the BQL, as vl.c does; tests that need another
 * thread to take it drop it meanwhile.
 */
#include "qcore/osdep.h"
#include "qcore/memory.h"
#include "qcore/main-loop.h"
#include "qcore/thread.h"

#define A MEMTXATTRS_UNSPECIFIED

/* ---- A device that logs its calls --------------------------------------- */

typedef struct Call {
    bool write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} Call;

typedef struct TestDev {
    GArray *calls;              /* of Call; main thread only */
    uint64_t read_value;        /* what read() returns (cut to size) */
    bool check_bql;             /* assert the BQL in the callbacks */
    int reads;                  /* atomic: reads from any thread */
} TestDev;

static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = d->read_value & (size == 8 ? UINT64_MAX
                                            : (1ULL << (size * 8)) - 1);

    if (d->check_bql) {
        g_assert_true(bql_locked());
        qatomic_inc(&d->reads);
        return v;
    }
    g_array_append_val(d->calls, ((Call) { false, addr, size, v }));
    return v;
}

static void testdev_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    TestDev *d = opaque;

    if (d->check_bql) {
        g_assert_true(bql_locked());
        return;
    }
    g_array_append_val(d->calls, ((Call) { true, addr, size, val }));
}

static const MemoryRegionOps le_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps be_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* A 32-bit device: the guest may do 8-byte accesses, the code may not. */
static const MemoryRegionOps impl4_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static const MemoryRegionOps be_impl4_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* Registers of 4 bytes only, aligned. */
static const MemoryRegionOps strict_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static Call *call_at(TestDev *d, unsigned i)
{
    g_assert_cmpuint(i, <, d->calls->len);
    return &g_array_index(d->calls, Call, i);
}

static void assert_call(TestDev *d, unsigned i, bool write, hwaddr addr,
                        unsigned size, uint64_t val)
{
    Call *c = call_at(d, i);

    g_assert_cmpint(c->write, ==, write);
    g_assert_cmphex(c->addr, ==, addr);
    g_assert_cmpuint(c->size, ==, size);
    g_assert_cmphex(c->val, ==, val);
}

/* ---- Fixture ------------------------------------------------------------ */

typedef struct Fixture {
    Object *owner;
    MemoryRegion root;          /* owner-less, the AddressSpace's root */
    AddressSpace as;
    MemoryRegion ram, ram2, io, io2, alias;
    TestDev dev, dev2;
    int views_before;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    f->views_before = memory_flatviews_alive();
    f->owner = object_new(TYPE_CONTAINER);
    f->dev.calls = g_array_new(false, false, sizeof(Call));
    f->dev2.calls = g_array_new(false, false, sizeof(Call));
    memory_region_init(&f->root, NULL, "root", UINT64_MAX);
    address_space_init(&f->as, &f->root, "test");
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    address_space_destroy(&f->as);
    /* Unmaps whatever the test left mapped. */
    object_unref(OBJECT(&f->root));
    object_unref(f->owner);
    /*
     * The old views hold the owner until call_rcu frees them; then the
     * owner finalizes its regions, which live in *f.
     */
    drain_call_rcu();
    g_assert_cmpint(memory_flatviews_alive(), ==, f->views_before);
    g_array_free(f->dev.calls, true);
    g_array_free(f->dev2.calls, true);
}

static void map_ram(Fixture *f, MemoryRegion *mr, const char *name,
                    hwaddr addr, uint64_t size)
{
    g_assert_true(memory_region_init_ram(mr, f->owner, name, size,
                                         &error_abort));
    memory_region_add_subregion(&f->root, addr, mr);
}

static void map_io(Fixture *f, MemoryRegion *mr, const MemoryRegionOps *ops,
                   TestDev *d, const char *name, hwaddr addr, uint64_t size)
{
    memory_region_init_io(mr, f->owner, ops, d, name, size);
    memory_region_add_subregion(&f->root, addr, mr);
}

/* ---- RAM ---------------------------------------------------------------- */

static void test_ram_read_write_round_trip(Fixture *f, gconstpointer data)
{
    uint8_t in[100], out[100];
    MemTxResult r = ~0u;
    uint8_t *host;
    unsigned i;

    map_ram(f, &f->ram, "ram", 0x80000000, 0x10000);
    g_assert_cmpstr(object_get_canonical_path_component(OBJECT(&f->ram)),
                    ==, "ram[0]");
    g_assert_cmpuint(memory_region_size(&f->ram), ==, 0x10000);
    g_assert_cmpstr(memory_region_name(&f->ram), ==, "ram");

    address_space_stl_le(&f->as, 0x80000010, 0x12345678, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x80000010, A, &r), ==,
                    0x12345678);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    host = memory_region_get_ram_ptr(&f->ram);
    g_assert_cmphex(host[0x10], ==, 0x78);      /* little-endian in RAM */
    g_assert_cmphex(host[0x13], ==, 0x12);

    address_space_stq_le(&f->as, 0x80000021, 0x1122334455667788ULL, A, &r);
    g_assert_cmphex(address_space_ldq_le(&f->as, 0x80000021, A, NULL), ==,
                    0x1122334455667788ULL);
    address_space_stw_le(&f->as, 0x80000030, 0xbeef, A, NULL);
    g_assert_cmphex(address_space_lduw_le(&f->as, 0x80000030, A, NULL), ==,
                    0xbeef);
    address_space_stb(&f->as, 0x80000032, 0x5a, A, NULL);
    g_assert_cmphex(address_space_ldub(&f->as, 0x80000032, A, NULL), ==,
                    0x5a);

    for (i = 0; i < sizeof(in); i++) {
        in[i] = i * 7;
    }
    g_assert_cmpuint(address_space_write(&f->as, 0x80000100, A, in,
                                         sizeof(in)), ==, MEMTX_OK);
    g_assert_cmpuint(address_space_read(&f->as, 0x80000100, A, out,
                                        sizeof(out)), ==, MEMTX_OK);
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), host + 0x100, sizeof(in));
}

static void test_ram_init_failure_sets_errp(void)
{
    MemoryRegion mr;
    Error *err = NULL;

    g_assert_false(memory_region_init_ram(&mr, NULL, "empty", 0, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "cannot set up guest memory 'empty'"));
    error_free(err);
}

static void test_rom_ignores_guest_writes(Fixture *f, gconstpointer data)
{
    uint32_t v = 0x01020304;
    MemTxResult r = ~0u;

    g_assert_true(memory_region_init_rom(&f->ram, f->owner, "rom", 0x1000,
                                         &error_abort));
    memory_region_add_subregion(&f->root, 0x1000, &f->ram);
    g_assert_cmpuint(address_space_write_rom(&f->as, 0x1000, A, &v, 4), ==,
                     MEMTX_OK);
    address_space_stl_le(&f->as, 0x1000, 0xffffffff, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1000, A, NULL), ==,
                    GUINT32_FROM_LE(0x01020304));
}

/* ---- MMIO --------------------------------------------------------------- */

static void test_mmio_callbacks_get_offset_size_value(Fixture *f,
                                                      gconstpointer data)
{
    MemTxResult r = ~0u;

    map_io(f, &f->io, &le_ops, &f->dev, "dev", 0x10000000, 0x100);
    address_space_stl_le(&f->as, 0x10000008, 0xdeadbeef, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    f->dev.read_value = 0xa5a5a5a5a5a5a5a5ULL;
    g_assert_cmphex(address_space_ldub(&f->as, 0x10000003, A, &r), ==, 0xa5);
    g_assert_cmphex(address_space_ldq_le(&f->as, 0x100000f8, A, &r), ==,
                    0xa5a5a5a5a5a5a5a5ULL);
    address_space_stw_le(&f->as, 0x10000010, 0x1234, A, NULL);

    g_assert_cmpuint(f->dev.calls->len, ==, 4);
    assert_call(&f->dev, 0, true, 0x08, 4, 0xdeadbeef);
    assert_call(&f->dev, 1, false, 0x03, 1, 0xa5);
    assert_call(&f->dev, 2, false, 0xf8, 8, 0xa5a5a5a5a5a5a5a5ULL);
    assert_call(&f->dev, 3, true, 0x10, 2, 0x1234);
}

static void test_mmio_big_endian_device_is_swapped(Fixture *f,
                                                   gconstpointer data)
{
    uint8_t bytes[4];

    map_io(f, &f->io, &be_ops, &f->dev, "be", 0x1000, 0x100);
    f->dev.read_value = 0x11223344;
    /* The guest sees the register's bytes in big-endian order. */
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1000, A, NULL), ==,
                    0x44332211);
    g_assert_cmpuint(address_space_read(&f->as, 0x1000, A, bytes, 4), ==,
                     MEMTX_OK);
    g_assert_cmphex(bytes[0], ==, 0x11);
    g_assert_cmphex(bytes[3], ==, 0x44);
    address_space_stl_le(&f->as, 0x1004, 0x44332211, A, NULL);
    assert_call(&f->dev, 2, true, 0x4, 4, 0x11223344);
}

static void test_mmio_wide_access_split_to_impl_size(Fixture *f,
                                                     gconstpointer data)
{
    map_io(f, &f->io, &impl4_ops, &f->dev, "dev32", 0x2000, 0x100);
    f->dev.read_value = 0xcafef00d;
    g_assert_cmphex(address_space_ldq_le(&f->as, 0x2008, A, NULL), ==,
                    0xcafef00dcafef00dULL);
    g_assert_cmpuint(f->dev.calls->len, ==, 2);
    assert_call(&f->dev, 0, false, 0x8, 4, 0xcafef00d);
    assert_call(&f->dev, 1, false, 0xc, 4, 0xcafef00d);

    address_space_stq_le(&f->as, 0x2010, 0x1111111122222222ULL, A, NULL);
    g_assert_cmpuint(f->dev.calls->len, ==, 4);
    assert_call(&f->dev, 2, true, 0x10, 4, 0x22222222);    /* low half */
    assert_call(&f->dev, 3, true, 0x14, 4, 0x11111111);
}

static void test_mmio_big_endian_split_puts_low_address_high(
    Fixture *f, gconstpointer data)
{
    map_io(f, &f->io, &be_impl4_ops, &f->dev, "be32", 0x2000, 0x100);
    address_space_stq_le(&f->as, 0x2000,
                         GUINT64_SWAP_LE_BE(0x1111111122222222ULL), A, NULL);
    g_assert_cmpuint(f->dev.calls->len, ==, 2);
    assert_call(&f->dev, 0, true, 0x0, 4, 0x11111111);
    assert_call(&f->dev, 1, true, 0x4, 4, 0x22222222);
}

static void test_mmio_narrow_access_widened_to_impl_min(Fixture *f,
                                                        gconstpointer data)
{
    map_io(f, &f->io, &impl4_ops, &f->dev, "dev32", 0x2000, 0x100);
    f->dev.read_value = 0x44332211;
    g_assert_cmphex(address_space_ldub(&f->as, 0x2004, A, NULL), ==, 0x11);
    g_assert_cmpuint(f->dev.calls->len, ==, 1);
    assert_call(&f->dev, 0, false, 0x4, 4, 0x44332211);
}

static void test_mmio_unaligned_refused_unless_valid(Fixture *f,
                                                     gconstpointer data)
{
    static const MemoryRegionOps unaligned_ok = {
        .read = testdev_read,
        .write = testdev_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        .valid = { .max_access_size = 8, .unaligned = true },
        .impl = { .max_access_size = 8, .unaligned = true },
    };
    MemTxResult r = MEMTX_OK;

    map_io(f, &f->io, &le_ops, &f->dev, "aligned", 0x1000, 0x100);
    map_io(f, &f->io2, &unaligned_ok, &f->dev2, "unaligned", 0x2000, 0x100);
    f->dev.read_value = f->dev2.read_value = 0x12345678;

    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1002, A, &r), ==, 0);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    address_space_stl_le(&f->as, 0x1001, 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(f->dev.calls->len, ==, 0);

    g_assert_cmphex(address_space_ldl_le(&f->as, 0x2002, A, &r), ==,
                    0x12345678);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    assert_call(&f->dev2, 0, false, 0x2, 4, 0x12345678);
}

static void test_mmio_size_outside_valid_refused(Fixture *f,
                                                 gconstpointer data)
{
    uint8_t buf[8];
    MemTxResult r = MEMTX_OK;

    map_io(f, &f->io, &strict_ops, &f->dev, "regs", 0x1000, 0x100);
    address_space_ldub(&f->as, 0x1000, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    address_space_ldq_le(&f->as, 0x1000, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(f->dev.calls->len, ==, 0);
    /* A buffer is cut into accesses the device takes: two of 4 bytes. */
    g_assert_cmpuint(address_space_read(&f->as, 0x1000, A, buf, 8), ==,
                     MEMTX_OK);
    g_assert_cmpuint(f->dev.calls->len, ==, 2);
    assert_call(&f->dev, 1, false, 0x4, 4, 0);
}

static void test_mmio_odd_length_buffer_split(Fixture *f, gconstpointer data)
{
    uint8_t buf[7] = { 1, 2, 3, 4, 5, 6, 7 };

    map_io(f, &f->io, &le_ops, &f->dev, "dev", 0x1000, 0x100);
    /* 7 bytes at offset 1: 1 + 2 + 4, each naturally aligned. */
    g_assert_cmpuint(address_space_write(&f->as, 0x1001, A, buf, 7), ==,
                     MEMTX_OK);
    g_assert_cmpuint(f->dev.calls->len, ==, 3);
    assert_call(&f->dev, 0, true, 0x1, 1, 0x01);
    assert_call(&f->dev, 1, true, 0x2, 2, 0x0302);
    assert_call(&f->dev, 2, true, 0x4, 4, 0x07060504);
}

/* ---- The flat view ------------------------------------------------------ */

static void test_view_higher_priority_subregion_wins(Fixture *f,
                                                     gconstpointer data)
{
    MemTxResult r;

    g_assert_true(memory_region_init_ram(&f->ram, f->owner, "ram", 0x2000,
                                         &error_abort));
    memory_region_add_subregion_overlap(&f->root, 0, &f->ram, 0);
    memory_region_init_io(&f->io, f->owner, &le_ops, &f->dev, "hi", 0x100);
    memory_region_add_subregion_overlap(&f->root, 0x1000, &f->io, 1);
    address_space_stb(&f->as, 0x0fff, 0x11, A, NULL);
    address_space_stb(&f->as, 0x1100, 0x22, A, NULL);
    f->dev.read_value = 0x99;

    g_assert_cmphex(address_space_ldub(&f->as, 0x1000, A, &r), ==, 0x99);
    g_assert_cmphex(address_space_ldub(&f->as, 0x10ff, A, &r), ==, 0x99);
    g_assert_cmphex(address_space_ldub(&f->as, 0x0fff, A, &r), ==, 0x11);
    g_assert_cmphex(address_space_ldub(&f->as, 0x1100, A, &r), ==, 0x22);
    g_assert_cmpuint(f->dev.calls->len, ==, 2);

    /* At equal priority the one added last wins. */
    memory_region_init_io(&f->io2, f->owner, &le_ops, &f->dev2, "late", 8);
    memory_region_add_subregion_overlap(&f->root, 0x1800, &f->io2, 0);
    f->dev2.read_value = 0x77;
    g_assert_cmphex(address_space_ldub(&f->as, 0x1800, A, &r), ==, 0x77);
}

static void test_view_alias_shows_window_of_target(Fixture *f,
                                                   gconstpointer data)
{
    uint8_t *host;

    g_assert_true(memory_region_init_ram(&f->ram, f->owner, "ram", 0x1000,
                                         &error_abort));
    memory_region_init_alias(&f->alias, f->owner, "win", &f->ram, 0x100,
                             0x100);
    memory_region_add_subregion(&f->root, 0x5000, &f->alias);
    host = memory_region_get_ram_ptr(&f->ram);

    address_space_stl_le(&f->as, 0x5004, 0xabcdef01, A, NULL);
    g_assert_cmphex(host[0x104], ==, 0x01);
    g_assert_true(memory_region_get_ram_ptr(&f->alias) == host + 0x100);
    g_assert_true(memory_region_is_ram(&f->alias));
    /* Past the window is unmapped, even though the target goes on. */
    g_assert_cmpuint(address_space_write(&f->as, 0x5100, A, "x", 1), ==,
                     MEMTX_DECODE_ERROR);
}

static void test_view_disable_enable(Fixture *f, gconstpointer data)
{
    MemTxResult r;

    map_io(f, &f->io, &le_ops, &f->dev, "dev", 0x1000, 0x100);
    f->dev.read_value = 5;
    memory_region_set_enabled(&f->io, false);
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1000, A, &r), ==, 0);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    memory_region_set_enabled(&f->io, true);
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1000, A, &r), ==, 5);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmpuint(f->dev.calls->len, ==, 1);
}

static void test_view_del_subregion_unmaps(Fixture *f, gconstpointer data)
{
    MemTxResult r;

    map_ram(f, &f->ram, "ram", 0x1000, 0x1000);
    address_space_stl_le(&f->as, 0x1000, 42, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    memory_region_del_subregion(&f->root, &f->ram);
    g_assert_null(f->ram.container);
    address_space_ldl_le(&f->as, 0x1000, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* Mapped again elsewhere, with its contents. */
    memory_region_add_subregion(&f->root, 0x9000, &f->ram);
    g_assert_cmpuint(address_space_ldl_le(&f->as, 0x9000, A, &r), ==, 42);
}

static void test_view_republished_and_old_freed(Fixture *f,
                                                gconstpointer data)
{
    FlatView *before = f->as.current_map;
    int alive = memory_flatviews_alive();

    map_ram(f, &f->ram, "ram", 0x1000, 0x1000);
    g_assert_true(f->as.current_map != before);
    g_assert_cmpuint(f->as.current_map->nr, ==, 1);
    g_assert_cmphex(f->as.current_map->ranges[0].start, ==, 0x1000);
    g_assert_cmphex(f->as.current_map->ranges[0].last, ==, 0x1fff);
    memory_region_transaction_begin();
    memory_region_set_enabled(&f->ram, false);
    memory_region_set_enabled(&f->ram, true);
    memory_region_transaction_commit();
    /* One view per address space once the old ones' grace period ends. */
    drain_call_rcu();
    g_assert_cmpint(memory_flatviews_alive(), ==, alive);
}

static void test_view_many_ranges_found_by_lookup(Fixture *f,
                                                  gconstpointer data)
{
    enum { N = 64 };
    MemoryRegion *mrs = g_new0(MemoryRegion, N);
    unsigned i;

    memory_region_transaction_begin();
    for (i = 0; i < N; i++) {
        g_autofree char *name = g_strdup_printf("r%u", i);

        /* 256 bytes every 4 KiB, with holes between. */
        g_assert_true(memory_region_init_ram(&mrs[i], f->owner, name, 0x100,
                                             &error_abort));
        memory_region_add_subregion(&f->root, i * 0x1000, &mrs[i]);
        ((uint8_t *)memory_region_get_ram_ptr(&mrs[i]))[0x80] = i;
    }
    memory_region_transaction_commit();
    g_assert_cmpuint(f->as.current_map->nr, ==, N);
    for (i = 0; i < N; i++) {
        MemTxResult r;

        g_assert_cmpuint(address_space_ldub(&f->as, i * 0x1000 + 0x80, A,
                                            &r), ==, i);
        g_assert_cmpuint(r, ==, MEMTX_OK);
        address_space_ldub(&f->as, i * 0x1000 + 0x100, A, &r);
        g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    }
    for (i = 0; i < N; i++) {
        memory_region_del_subregion(&f->root, &mrs[i]);
    }
    /* The regions die with the owner; their memory must outlive it. */
    object_unref(f->owner);
    f->owner = object_new(TYPE_CONTAINER);
    drain_call_rcu();
    g_free(mrs);
}

/* ---- Hostile accesses --------------------------------------------------- */

static void test_access_unmapped_is_decode_error(Fixture *f,
                                                 gconstpointer data)
{
    uint8_t buf[16];
    MemTxResult r = MEMTX_OK;

    map_ram(f, &f->ram, "ram", 0x1000, 0x1000);
    g_assert_cmphex(address_space_ldl_le(&f->as, 0x1234000, A, &r), ==, 0);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    address_space_stq_le(&f->as, 0x40, 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpuint(address_space_read(&f->as, 0xdead0000, A, buf,
                                        sizeof(buf)), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0], ==, 0);
    g_assert_cmphex(buf[15], ==, 0);
    /* The top of the space, and an access that runs off it. */
    address_space_ldq_le(&f->as, UINT64_MAX - 3, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(address_space_write(&f->as, UINT64_MAX, A, buf, 16), ==,
                     MEMTX_DECODE_ERROR);
}

static void test_access_crossing_regions_is_split(Fixture *f,
                                                  gconstpointer data)
{
    static const MemoryRegionOps ops4 = {
        .read = testdev_read,
        .write = testdev_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        .valid = { .max_access_size = 4 },
    };
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t *host;
    MemTxResult r;

    map_ram(f, &f->ram, "ram", 0x0, 0x1000);
    map_io(f, &f->io, &ops4, &f->dev, "dev", 0x1000, 0x100);
    host = memory_region_get_ram_ptr(&f->ram);

    /* 2 bytes of RAM, then 6 bytes of device as 4 + 2. */
    g_assert_cmpuint(address_space_write(&f->as, 0xffe, A, buf, 8), ==,
                     MEMTX_OK);
    g_assert_cmphex(host[0xffe], ==, 1);
    g_assert_cmphex(host[0xfff], ==, 2);
    g_assert_cmpuint(f->dev.calls->len, ==, 2);
    assert_call(&f->dev, 0, true, 0x0, 4, 0x06050403);
    assert_call(&f->dev, 1, true, 0x4, 2, 0x0807);

    /* A load across the edge: RAM bytes low, device bytes high. */
    f->dev.read_value = 0xbbaa;
    g_assert_cmphex(address_space_ldl_le(&f->as, 0xffe, A, &r), ==,
                    0xbbaa0201);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    assert_call(&f->dev, 2, false, 0x0, 2, 0xbbaa);

    /* Off the end of the device into a hole: partly done, and reported. */
    host[0] = 0x33;
    address_space_stl_le(&f->as, 0x10fe, 0x44332211, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    assert_call(&f->dev, 3, true, 0xfe, 2, 0x2211);
}

/* ---- Threads: RCU and the BQL ------------------------------------------- */

typedef struct ReaderArgs {
    Fixture *f;
    int iterations;
    bool done;                  /* atomic */
    unsigned changes;           /* atomic: map changes made so far */
    int mmio_hits;
} ReaderArgs;

/*
 * The reader reads at least this much, and on until the map has changed
 * this often while it read: a loaded machine may not schedule the
 * changing thread at all during a fixed number of reads.
 */
enum { READER_ITERATIONS = 20000, READER_MIN_CHANGES = 16 };

static void *rcu_reader_thread(void *opaque)
{
    ReaderArgs *a = opaque;
    int i;

    rcu_register_thread();
    for (i = 0; i < a->iterations ||
                qatomic_read(&a->changes) < READER_MIN_CHANGES; i++) {
        MemTxResult r;
        hwaddr addr = 0x80000000 + (i & 0xff) * 4;
        uint32_t v = address_space_ldl_le(&a->f->as, addr, A, &r);

        g_assert_cmpuint(r, ==, MEMTX_OK);
        g_assert_cmphex(v, ==, 0x600d0000 + (i & 0xff));
        if ((i & 0xff) == 0) {
            /* Mapped or not, depending on the moment: never a crash. */
            v = address_space_ldl_le(&a->f->as, 0x10000000, A, &r);
            g_assert_true((r == MEMTX_OK && v == 7) ||
                          (r == MEMTX_DECODE_ERROR && v == 0));
            a->mmio_hits += r == MEMTX_OK;
        }
    }
    qatomic_set(&a->done, true);
    rcu_unregister_thread();
    return NULL;
}

static void test_rcu_reader_while_map_changes(Fixture *f, gconstpointer data)
{
    ReaderArgs a = { .f = f, .iterations = READER_ITERATIONS };
    QemuThread t;
    unsigned i;

    map_ram(f, &f->ram, "ram", 0x80000000, 0x1000);
    for (i = 0; i < 256; i++) {
        address_space_stl_le(&f->as, 0x80000000 + i * 4, 0x600d0000 + i, A,
                             NULL);
    }
    memory_region_init_io(&f->io, f->owner, &le_ops, &f->dev, "flicker",
                          0x100);
    f->dev.read_value = 7;
    f->dev.check_bql = true;

    qemu_thread_create(&t, "reader", rcu_reader_thread, &a,
                       QEMU_THREAD_JOINABLE);
    bql_unlock();
    /* Keep changing the map for as long as the reader reads. */
    while (!qatomic_read(&a.done)) {
        bql_lock();
        if (f->io.container) {
            memory_region_del_subregion(&f->root, &f->io);
        } else {
            memory_region_add_subregion(&f->root, 0x10000000, &f->io);
        }
        bql_unlock();
        qatomic_inc(&a.changes);
    }
    qemu_thread_join(&t);
    bql_lock();
    g_assert_cmpuint(a.changes, >=, READER_MIN_CHANGES);
    g_test_message("%u map changes, %d MMIO reads hit", a.changes,
                   a.mmio_hits);
    g_assert_cmpint(qatomic_read(&f->dev.reads), ==, a.mmio_hits);
}

typedef struct BqlArgs {
    Fixture *f;
    bool was_locked;
    uint32_t mmio_value, ram_value;
} BqlArgs;

static void *mmio_thread(void *opaque)
{
    BqlArgs *a = opaque;

    rcu_register_thread();
    a->was_locked = bql_locked();
    a->mmio_value = address_space_ldl_le(&a->f->as, 0x1000, A, NULL);
    address_space_stl_le(&a->f->as, 0x1000, 1, A, NULL);
    /* Not left held. */
    g_assert_false(bql_locked());
    rcu_unregister_thread();
    return NULL;
}

/*
 * memory_region_add_eventfd: a matching write only sets the notifier
 * (the device never sees it, and no BQL is needed: the write here comes
 * from a thread without it); a write with another value, size or offset
 * still reaches the device; after del, the device sees them all again.
 */
typedef struct EventfdWrite {
    AddressSpace *as;
    hwaddr addr;
    uint32_t val;
} EventfdWrite;

static void *eventfd_write_thread(void *opaque)
{
    EventfdWrite *w = opaque;

    rcu_register_thread();
    g_assert_false(bql_locked());
    address_space_stl_le(w->as, w->addr, w->val, A, NULL);
    rcu_unregister_thread();
    return NULL;
}

static void test_mmio_eventfd_write_sets_notifier_only(Fixture *f,
                                                       gconstpointer data)
{
    EventNotifier e;
    EventfdWrite w = { &f->as, 0x10000050, 3 };
    QemuThread t;

    g_assert_cmpint(event_notifier_init(&e, 0), ==, 0);
    map_io(f, &f->io, &le_ops, &f->dev, "doorbell", 0x10000000, 0x100);
    memory_region_add_eventfd(&f->io, 0x50, 4, true, 3, &e);

    /* From a thread without the BQL: the main thread holds it now. */
    qemu_thread_create(&t, "doorbell", eventfd_write_thread, &w,
                       QEMU_THREAD_JOINABLE);
    qemu_thread_join(&t);
    g_assert_cmpint(event_notifier_test_and_clear(&e), ==, 1);
    g_assert_cmpuint(f->dev.calls->len, ==, 0);

    /* Another value, another size, another offset: the device. */
    address_space_stl_le(&f->as, 0x10000050, 4, A, NULL);
    address_space_stw_le(&f->as, 0x10000050, 3, A, NULL);
    address_space_stl_le(&f->as, 0x10000054, 3, A, NULL);
    g_assert_cmpuint(f->dev.calls->len, ==, 3);
    g_assert_cmpint(event_notifier_test_and_clear(&e), ==, 0);

    memory_region_del_eventfd(&f->io, 0x50, 4, true, 3, &e);
    address_space_stl_le(&f->as, 0x10000050, 3, A, NULL);
    g_assert_cmpuint(f->dev.calls->len, ==, 4);
    g_assert_cmpint(event_notifier_test_and_clear(&e), ==, 0);
    memory_region_del_subregion(&f->root, &f->io);
    event_notifier_cleanup(&e);
}

static void test_mmio_from_other_thread_takes_bql(Fixture *f,
                                                  gconstpointer data)
{
    BqlArgs a = { .f = f };
    QemuThread t;

    map_io(f, &f->io, &le_ops, &f->dev, "dev", 0x1000, 0x100);
    f->dev.check_bql = true;
    f->dev.read_value = 0x1234;
    qemu_thread_create(&t, "vcpu", mmio_thread, &a, QEMU_THREAD_JOINABLE);
    bql_unlock();
    qemu_thread_join(&t);
    bql_lock();
    g_assert_false(a.was_locked);
    g_assert_cmphex(a.mmio_value, ==, 0x1234);
    g_assert_cmpint(f->dev.reads, ==, 1);
}

static void *ram_thread(void *opaque)
{
    BqlArgs *a = opaque;

    rcu_register_thread();
    address_space_stl_le(&a->f->as, 0x2000, 99, A, NULL);
    a->ram_value = address_space_ldl_le(&a->f->as, 0x2000, A, NULL);
    rcu_unregister_thread();
    return NULL;
}

static void test_ram_from_other_thread_needs_no_bql(Fixture *f,
                                                    gconstpointer data)
{
    BqlArgs a = { .f = f };
    QemuThread t;

    map_ram(f, &f->ram, "ram", 0x2000, 0x1000);
    /* We keep the BQL: a RAM access that wanted it would never return. */
    g_assert_true(bql_locked());
    qemu_thread_create(&t, "vcpu", ram_thread, &a, QEMU_THREAD_JOINABLE);
    qemu_thread_join(&t);
    g_assert_cmpuint(a.ram_value, ==, 99);
}

/* ---- info mtree --------------------------------------------------------- */

static void test_mtree_text(Fixture *f, gconstpointer data)
{
    MemoryRegion *sys = get_system_memory();
    g_autofree char *text = NULL;
    g_autofree char *flat = NULL;
    const char *tree =
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000001000-0000000000001fff (prio 0, ram): alias"
        " boot @riscv.virt.ram 0000000000000000-0000000000000fff\n"
        "    0000000010000000-00000000100000ff (prio 0, i/o): serial"
        " [disabled]\n"
        "    0000000080000000-0000000087ffffff (prio 0, ram): riscv.virt.ram\n"
        "      0000000080000000-0000000080000fff (prio 1, rom): rom\n"
        "\n"
        "address-space: test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
        "\n"
        "memory-region: riscv.virt.ram\n"
        "  0000000080000000-0000000087ffffff (prio 0, ram): riscv.virt.ram\n"
        "    0000000080000000-0000000080000fff (prio 1, rom): rom\n"
        "\n";

    g_assert_true(memory_region_init_ram(&f->ram, f->owner, "riscv.virt.ram",
                                         0x8000000, &error_abort));
    memory_region_add_subregion(sys, 0x80000000, &f->ram);
    g_assert_true(memory_region_init_rom(&f->ram2, f->owner, "rom", 0x1000,
                                         &error_abort));
    memory_region_add_subregion_overlap(&f->ram, 0, &f->ram2, 1);
    memory_region_init_io(&f->io, f->owner, &le_ops, &f->dev, "serial",
                          0x100);
    memory_region_add_subregion(sys, 0x10000000, &f->io);
    memory_region_set_enabled(&f->io, false);
    memory_region_init_alias(&f->alias, f->owner, "boot", &f->ram, 0, 0x1000);
    memory_region_add_subregion(sys, 0x1000, &f->alias);

    text = mtree_info_string();
    g_assert_cmpstr(text, ==, tree);

    /* The alias shows RAM with the ROM on top of it, as mapped there. */
    flat = mtree_info_flatview_string();
    g_assert_nonnull(strstr(flat,
        "FlatView #0\n AS \"memory\", root: system\n"
        " Root memory region: system\n"
        "  0000000000001000-0000000000001fff (prio 1, rom): rom\n"
        "  0000000080000000-0000000080000fff (prio 1, rom): rom\n"
        "  0000000080001000-0000000087ffffff (prio 0, ram): riscv.virt.ram"
        " @0000000000001000\n"));

    memory_region_del_subregion(sys, &f->alias);
    memory_region_del_subregion(sys, &f->io);
    memory_region_del_subregion(sys, &f->ram);
    /* Same owner on both sides: the mapping would keep the owner alive. */
    memory_region_del_subregion(&f->ram, &f->ram2);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    /* Like vl.c: the main thread runs with the BQL. */
    bql_lock();
    /* Like vl.c: the system memory exists before any device maps in it. */
    get_system_memory();

#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

    ADD("/memory/ram/read-write-round-trip", test_ram_read_write_round_trip);
    g_test_add_func("/memory/ram/init-failure-sets-errp",
                    test_ram_init_failure_sets_errp);
    ADD("/memory/ram/rom-ignores-guest-writes", test_rom_ignores_guest_writes);
    ADD("/memory/mmio/callbacks-get-offset-size-value",
        test_mmio_callbacks_get_offset_size_value);
    ADD("/memory/mmio/big-endian-device-is-swapped",
        test_mmio_big_endian_device_is_swapped);
    ADD("/memory/mmio/wide-access-split-to-impl-size",
        test_mmio_wide_access_split_to_impl_size);
    ADD("/memory/mmio/big-endian-split-puts-low-address-high",
        test_mmio_big_endian_split_puts_low_address_high);
    ADD("/memory/mmio/narrow-access-widened-to-impl-min",
        test_mmio_narrow_access_widened_to_impl_min);
    ADD("/memory/mmio/unaligned-refused-unless-valid",
        test_mmio_unaligned_refused_unless_valid);
    ADD("/memory/mmio/size-outside-valid-refused",
        test_mmio_size_outside_valid_refused);
    ADD("/memory/mmio/odd-length-buffer-split-aligned",
        test_mmio_odd_length_buffer_split);
    ADD("/memory/mmio/eventfd-write-sets-notifier-only",
        test_mmio_eventfd_write_sets_notifier_only);
    ADD("/memory/mmio/other-thread-takes-bql",
        test_mmio_from_other_thread_takes_bql);
    ADD("/memory/ram/other-thread-needs-no-bql",
        test_ram_from_other_thread_needs_no_bql);
    ADD("/memory/view/higher-priority-subregion-wins",
        test_view_higher_priority_subregion_wins);
    ADD("/memory/view/alias-shows-window-of-target",
        test_view_alias_shows_window_of_target);
    ADD("/memory/view/disable-enable", test_view_disable_enable);
    ADD("/memory/view/del-subregion-unmaps", test_view_del_subregion_unmaps);
    ADD("/memory/view/republished-and-old-freed",
        test_view_republished_and_old_freed);
    ADD("/memory/view/many-ranges-found-by-lookup",
        test_view_many_ranges_found_by_lookup);
    ADD("/memory/access/unmapped-is-decode-error",
        test_access_unmapped_is_decode_error);
    ADD("/memory/access/crossing-regions-is-split",
        test_access_crossing_regions_is_split);
    ADD("/memory/rcu/reader-while-map-changes",
        test_rcu_reader_while_map_changes);
    ADD("/memory/mtree/text", test_mtree_text);

    ret = g_test_run();
    bql_unlock();
    return ret;
}
