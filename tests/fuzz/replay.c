/*
 * A main() for the fuzz targets without libFuzzer: runs every file of the
 * corpus directories given on the command line through
 * LLVMFuzzerTestOneInput once, one TAP line per file, so `make check`
 * (gcc, no clang) keeps every crash that was ever found fixed.
 * QEMU has no equivalent; libFuzzer itself does the same when given
 * files instead of directories.
 *
 * usage: fuzz-TARGET-replay DIR|FILE...
 * The TAP goes to the original stdout; the target's own stdout (help
 * texts) goes to /dev/null so it cannot break the TAP stream.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "fuzz.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files to replay: each argument, or the files of a directory, sorted. */
static GPtrArray *collect(int argc, char **argv)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    int i;

    for (i = 1; i < argc; i++) {
        GDir *dir = g_dir_open(argv[i], 0, NULL);
        const char *name;
        size_t first = files->len;

        if (!dir) {
            g_ptr_array_add(files, g_strdup(argv[i]));
            continue;
        }
        while ((name = g_dir_read_name(dir))) {
            if (name[0] != '.') {
                g_ptr_array_add(files, g_build_filename(argv[i], name, NULL));
            }
        }
        g_dir_close(dir);
        qsort(files->pdata + first, files->len - first, sizeof(char *),
              compare_names);
    }
    return files;
}

int main(int argc, char **argv)
{
    FILE *tap = fdopen(dup(STDOUT_FILENO), "w");
    int devnull = open("/dev/null", O_WRONLY);
    g_autoptr(GPtrArray) files = collect(argc, argv);
    int failed = 0;
    guint i;

    if (!tap || devnull < 0) {
        perror("replay");
        return 1;
    }
    setvbuf(tap, NULL, _IOLBF, 0);
    dup2(devnull, STDOUT_FILENO);
    close(devnull);

    LLVMFuzzerInitialize(&argc, &argv);
    fprintf(tap, "TAP version 13\n1..%u\n", files->len);
    for (i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *data = NULL;
        gsize len;
        g_autoptr(GError) err = NULL;

        if (!g_file_get_contents(path, &data, &len, &err)) {
            fprintf(tap, "not ok %u %s # %s\n", i + 1, path, err->message);
            failed++;
            continue;
        }
        /* A crash ends the program: meson reports the missing lines. */
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        fprintf(tap, "ok %u %s\n", i + 1, path);
    }
    fclose(tap);
    return failed != 0;
}
