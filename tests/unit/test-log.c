/*
 * util/log.c and util/symbols.c: -d item parsing, -dfilter ranges in
 * QEMU's syntax, -D truncation and records kept whole, and the symbol
 * lookup behind "IN: main".
 */
#include "qcore/osdep.h"
#include "qcore/log.h"
#include "qcore/symbols.h"

static void test_items_parse_to_masks(void)
{
    Error *err = NULL;

    g_assert_cmpint(qemu_str_to_log_mask("int,in_asm", &error_abort), ==,
                    CPU_LOG_INT | CPU_LOG_TB_IN_ASM);
    g_assert_cmpint(qemu_str_to_log_mask("nochain", &error_abort), ==,
                    CPU_LOG_TB_NOCHAIN);
    g_assert_true(qemu_str_to_log_mask("all", &error_abort) &
                  LOG_GUEST_ERROR);
    g_assert_cmpint(qemu_str_to_log_mask("int,bogus", &err), ==, 0);
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid -d option \"bogus\"");
    error_free(err);
}

static void test_dfilter_ranges(void)
{
    g_assert_true(qemu_set_dfilter_ranges("0x1000+0x10,0x2000-0x2fff,"
                                          "0x80000000..0x80000003",
                                          &error_abort));
    g_assert_false(qemu_log_in_addr_range(0xfff));
    g_assert_true(qemu_log_in_addr_range(0x1000));
    g_assert_true(qemu_log_in_addr_range(0x100f));
    g_assert_false(qemu_log_in_addr_range(0x1010));
    g_assert_true(qemu_log_in_addr_range(0x2fff));     /* inclusive */
    g_assert_false(qemu_log_in_addr_range(0x3000));
    g_assert_true(qemu_log_in_addr_range(0x80000003));
    g_assert_false(qemu_log_in_addr_range(0x80000004));
}

static void test_dfilter_errors_leave_the_filter_alone(void)
{
    static const struct {
        const char *spec, *error;
    } cases[] = {
        { "0x1000", "Bad range specifier" },
        { "0x1000+0x10,", "Bad range specifier" },
        { "0x1000+0", "Invalid length 0" },
        { "zz-0x10", "Invalid number to the left of -" },
        { "0x10..zz", "Invalid number to the right of .." },
        { "0x2000-0x1000", "Invalid range 0x2000-0x1000" },
        { "0xffffffffffffffff+2", "Invalid length 2" },
    };
    size_t i;

    g_assert_true(qemu_set_dfilter_ranges("0x1000+1", &error_abort));
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        Error *err = NULL;

        g_assert_false(qemu_set_dfilter_ranges(cases[i].spec, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, cases[i].error);
        error_free(err);
        g_assert_true(qemu_log_in_addr_range(0x1000));
        g_assert_false(qemu_log_in_addr_range(0x1001));
    }
}

static void test_D_truncates_and_keeps_records_whole(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "log.txt", NULL);
    g_autofree char *text = NULL;
    FILE *f;

    g_assert_true(g_file_set_contents(path, "old\n", -1, NULL));
    g_assert_true(qemu_set_log_filename_flags(path, CPU_LOG_INT,
                                              &error_abort));
    g_assert_true(qemu_loglevel_mask(CPU_LOG_INT));
    qemu_log_mask(CPU_LOG_INT, "one %d\n", 1);
    qemu_log_mask(CPU_LOG_MMU, "not selected\n");
    f = qemu_log_trylock();
    fprintf(f, "two ");
    qemu_log("(nested) ");
    fprintf(f, "three\n");
    qemu_log_unlock(f);
    g_assert_true(qemu_set_log_filename_flags(NULL, 0, &error_abort));
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "one 1\ntwo (nested) three\n");
    unlink(path);
    rmdir(dir);
}

static void test_bad_logfile_format(void)
{
    Error *err = NULL;

    g_assert_false(qemu_set_log_filename_flags("/tmp/log-%s", 0, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Bad logfile format: /tmp/log-%s");
    error_free(err);
}

static void test_lookup_symbol(void)
{
    g_assert_cmpstr(lookup_symbol(0x80000000), ==, "");
    qemu_symbol_add(0x80000100, 0x20, "puts");
    qemu_symbol_add(0x80000000, 0x100, "main");
    qemu_symbol_add(0x80000200, 0, "_start");   /* no size: ignored */
    qemu_symbols_commit();
    g_assert_cmpstr(lookup_symbol(0x80000000), ==, "main");
    g_assert_cmpstr(lookup_symbol(0x800000ff), ==, "main");
    g_assert_cmpstr(lookup_symbol(0x80000100), ==, "puts");
    g_assert_cmpstr(lookup_symbol(0x80000120), ==, "");
    g_assert_cmpstr(lookup_symbol(0x80000200), ==, "");
    g_assert_cmpstr(lookup_symbol(0x7fffffff), ==, "");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/items-parse-to-masks", test_items_parse_to_masks);
    g_test_add_func("/log/dfilter-ranges", test_dfilter_ranges);
    g_test_add_func("/log/dfilter-errors-leave-the-filter-alone",
                    test_dfilter_errors_leave_the_filter_alone);
    g_test_add_func("/log/D-truncates-and-keeps-records-whole",
                    test_D_truncates_and_keeps_records_whole);
    g_test_add_func("/log/bad-logfile-format", test_bad_logfile_format);
    g_test_add_func("/log/lookup-symbol", test_lookup_symbol);
    return g_test_run();
}
