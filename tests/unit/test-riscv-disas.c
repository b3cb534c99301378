/*
 * The -d in_asm disassembler (target/riscv/disas.c) against QEMU 7.2:
 * riscv-disas-qemu.txt holds lines QEMU printed for the guests in
 * tests/guest (regenerate with tests/guest/check-qemu.sh-style runs of
 * qemu-system-riscv64 -d in_asm), and each must come out identical.
 */
#include "qcore/osdep.h"
#include "disas.h"

static void test_matches_qemu_transcript(void)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST,
                                                  "riscv-disas-qemu.txt",
                                                  NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) err = NULL;
    unsigned checked = 0, bad = 0;
    int i;

    g_assert_true(g_file_get_contents(path, &text, NULL, &err));
    lines = g_strsplit(text, "\n", 0);
    for (i = 0; lines[i]; i++) {
        g_autoptr(GString) out = g_string_new(NULL);
        uint64_t pc;
        uint32_t insn;

        if (sscanf(lines[i], "0x%" SCNx64 ":  %" SCNx32, &pc, &insn) != 2) {
            continue;
        }
        riscv_disas_line(out, pc, insn);
        g_string_truncate(out, out->len - 1);
        if (strcmp(out->str, lines[i])) {
            if (bad++ < 20) {
                g_test_message("qemu:  %s\nqcore: %s", lines[i], out->str);
            }
        }
        checked++;
    }
    g_test_message("%u lines checked, %u differ", checked, bad);
    g_assert_cmpuint(checked, >, 1000);
    g_assert_cmpuint(bad, ==, 0);
}

static void test_compressed_is_shown_expanded(void)
{
    char buf[128];

    /* c.mv s0,a0 and c.li t0,-1, as QEMU shows them. */
    riscv_disas_insn(0x80000000, 0x842a, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "mv                      s0,a0");
    riscv_disas_insn(0x80000000, 0x52fd, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "addi                    t0,zero,-1");
    /* c.j -10 from 0x80000074 lands at 0x8000006a. */
    riscv_disas_insn(0x80000074, 0xbfdd, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "j                       -10                     "
                    "# 0x8000006a");
    /* The all-zero halfword is the defined illegal instruction. */
    riscv_disas_insn(0x80000000, 0x0000, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "illegal                 ");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-disas/matches-qemu-transcript",
                    test_matches_qemu_transcript);
    g_test_add_func("/riscv-disas/compressed-is-shown-expanded",
                    test_compressed_is_shown_expanded);
    return g_test_run();
}
