/*
 * qcore's main(): the story of start-up, in the order QEMU tells it.
 * Corresponds to QEMU's system/vl.c and system/main.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"

static const char *machine_name = "none";

static void version(void)
{
    printf("qcore emulator version " QCORE_VERSION "\n"
           "A compact re-implementation of QEMU's core machinery\n");
}

static void help(void)
{
    version();
    printf("usage: qcore [options]\n\n"
           "-M none            select the machine (only 'none' so far)\n"
           "-machine none      same as -M\n"
           "-version           display version information and exit\n"
           "-h, -help          display this help and exit\n");
}

static void parse_args(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *opt = argv[i];
        /* QEMU accepts both -opt and --opt. */
        const char *name = opt[0] == '-' && opt[1] == '-' ? opt + 1 : opt;

        if (!strcmp(name, "-version")) {
            version();
            exit(0);
        } else if (!strcmp(name, "-h") || !strcmp(name, "-help")) {
            help();
            exit(0);
        } else if (!strcmp(name, "-M") || !strcmp(name, "-machine")) {
            if (++i == argc) {
                error_report("%s: requires an argument", opt);
                exit(1);
            }
            machine_name = argv[i];
            if (strcmp(machine_name, "none") && strcmp(machine_name, "help")) {
                error_report("unsupported machine type \"%s\"", machine_name);
                fprintf(stderr, "Use -machine help to list supported machines\n");
                exit(1);
            }
            if (!strcmp(machine_name, "help")) {
                printf("Supported machines are:\n"
                       "none                 empty machine\n");
                exit(0);
            }
        } else {
            error_report("%s: invalid option", opt);
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    int status;

    g_set_prgname("qcore");
    parse_args(argc, argv);

    /* The main thread holds the BQL except while the main loop sleeps. */
    bql_lock();
    qemu_init_main_loop(&error_fatal);
    os_setup_signal_handling();

    /* No -S yet: the (empty) VM runs from the start, so virtual time does. */
    cpu_enable_ticks();

    info_report("machine '%s' running in the main loop (pid %d); "
                "SIGINT or SIGTERM quits", machine_name, (int)getpid());

    status = qemu_main_loop();

    bql_unlock();
    return status;
}
