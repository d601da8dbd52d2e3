/* `concbench report FILE... [OPTIONS]`: argv into cb_review_opts. */
#include "concbench/review.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "concbench/cli.h"

static int apply(void *ctx, int ch, const char *arg, struct cb_error *err)
{
    static const enum cb_format accepted[] = { CB_FORMAT_TABLE, CB_FORMAT_MARKDOWN };
    struct cb_review_opts *o = ctx;

    return cb_cli_format_output_arg(ch, arg, accepted, sizeof accepted / sizeof accepted[0],
                                    &o->format, &o->output, err);
}

int cb_review_parse_args(int argc, char **argv, struct cb_review_opts *o,
                         struct cb_error *err)
{
    memset(o, 0, sizeof *o);
    o->format = CB_FORMAT_TABLE;
    if (cb_cli_subcommand(argc, argv, cb_cli_format_output_options, apply, o, &o->help, err) != 0)
        return -1;
    if (o->help)
        return 0;
    if (argc - optind < 1 || argc - optind > CB_REVIEW_MAX_FILES) {
        cb_error_set(err, "report: needs 1 to %d result files, got %d; see concbench "
                     "report --help", CB_REVIEW_MAX_FILES, argc - optind);
        return -1;
    }
    for (int i = optind; i < argc; i++)
        o->paths[o->npaths++] = argv[i];
    return 0;
}

const char *cb_review_usage(void)
{
    return
        "Usage: concbench report FILE.json... [OPTIONS]\n"
        "\nA report of one or more result files (machines side by side): per task,\n"
        "workers x mode with the median wall time, the speed-up, the parallel\n"
        "efficiency (speed-up / workers) and the median creation latency, then the\n"
        "threads/processes ratio of median wall times per worker count.\n"
        "Which model wins: per job count where two modes or more ran, every mode\n"
        "ranked by median wall time, how many times slower than the winner (the\n"
        "ratio ± its spread), and the winner's line as a run prints it: \"X ran\n"
        "1.90 ± 0.10 times faster than Y\". Pools' dispatch, queue wait and\n"
        "completion latency and the loop's lateness (p50, p99) where measured.\n"
        "Speed-up is over serial at the same worker count when the file has it,\n"
        "else over the same mode at 1 worker (workers x that time / this time).\n"
        "A warning on stderr says when the files differ in usable CPUs, or in the\n"
        "parameters of a benchmark they share.\n"
        "\nOptions:\n"
        "  -f, --format=FORMAT       table, markdown (default: table)\n"
        "  -o, --output=FILE         write to FILE, replaced atomically\n"
        "  -h, --help                show this help\n"
        "\nExit status: 0 done, 2 usage error or a bad result file, 3 the output\n"
        "could not be written.\n";
}
