/* The command line: argv into a cb_config. Prints nothing. */
#ifndef CONCBENCH_CLI_H
#define CONCBENCH_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "concbench/config.h"
#include "concbench/error.h"

enum cb_command {
    CB_CMD_RUN,
    CB_CMD_LIST,
    CB_CMD_NAMES,   /* `concbench list --names`: see cb_cli_names() */
    CB_CMD_HELP,
    CB_CMD_VERSION,
    CB_CMD_COMPARE, /* argv[1] is "compare": see cb_compare_parse_args() */
    CB_CMD_REPORT,  /* argv[1] is "report": see cb_review_parse_args() */
    CB_CMD_CHECK,   /* argv[1] is "check": see cb_check_parse_args() */
};

/* Parses argv (argv[0] is the program) into cfg, starting from the
 * defaults. Returns 0 and sets *cmd, or -1 with err holding one line that
 * names the flag and what it accepts (a usage error: exit 2). cfg may
 * point into argv. Resets getopt, so it can be called repeatedly. For
 * `concbench compare ...` it only sets *cmd to CB_CMD_COMPARE: the rest
 * of argv is cb_compare_parse_args()'s (compare.h). */
int cb_cli_parse(int argc, char **argv, struct cb_config *cfg,
                 enum cb_command *cmd, struct cb_error *err);

/* Applies one option of a subcommand to ctx; returns 0, or -1 with err. */
typedef int (*cb_cli_apply_fn)(void *ctx, int ch, const char *arg, struct cb_error *err);

/* Runs a subcommand's arguments (argv[0] is its name, e.g. "compare")
 * through getopt_long with options and the optstring ":f:o:h": -h sets
 * *help and stops; every other option goes to apply. An unknown option
 * or a missing value becomes one line in err naming the subcommand.
 * Returns 0 (optind then indexes the first operand), or -1. Resets
 * getopt. */
int cb_cli_subcommand(int argc, char **argv, const struct option *options,
                      cb_cli_apply_fn apply, void *ctx, bool *help, struct cb_error *err);

/* An -o/--output value: "-" is stdout (*out NULL), "" is refused.
 * Returns 0, or -1 with err. */
int cb_cli_output_arg(const char *arg, const char **out, struct cb_error *err);

/* The options of a subcommand that only picks a format and an output
 * (report, check): --format, --output, --help. */
extern const struct option cb_cli_format_output_options[];

/* An -f/-o value for such a subcommand: -o as cb_cli_output_arg; -f one
 * of the n formats in accepted (by cb_format_name). Returns 0, or -1 with
 * err naming the flag and what is accepted. */
int cb_cli_format_output_arg(int ch, const char *arg, const enum cb_format *accepted,
                             size_t n, enum cb_format *format, const char **output,
                             struct cb_error *err);

/* The --help text. Can't fail. */
const char *cb_cli_usage(void);

/* Renders `concbench list`: tasks with their parameters and defaults,
 * modes, start and output options. Returns a malloc'd string the caller
 * frees, or NULL on allocation failure. */
char *cb_cli_list(void);

/* Renders `concbench list --names`, the lists a user sees in the docs
 * and the completion, one per line, for scripts and the tests that check
 * those docs: "modes threads processes serial", "tasks ...", "formats
 * ...", "options --mode ... --version" (run's long options), and
 * "values --pin none spread compact" for each option with named values.
 * Returns a malloc'd string the caller frees, or NULL on allocation
 * failure. */
char *cb_cli_names(void);

#endif
