/* The command line: argv into a cb_config. Prints nothing. */
#ifndef CONCBENCH_CLI_H
#define CONCBENCH_CLI_H

#include "concbench/config.h"
#include "concbench/error.h"

enum cb_command {
    CB_CMD_RUN,
    CB_CMD_LIST,
    CB_CMD_HELP,
    CB_CMD_VERSION,
    CB_CMD_COMPARE, /* argv[1] is "compare": see cb_compare_parse_args() */
    CB_CMD_REPORT,  /* argv[1] is "report": see cb_report_parse_args() */
};

/* Parses argv (argv[0] is the program) into cfg, starting from the
 * defaults. Returns 0 and sets *cmd, or -1 with err holding one line that
 * names the flag and what it accepts (a usage error: exit 2). cfg may
 * point into argv. Resets getopt, so it can be called repeatedly. For
 * `concbench compare ...` it only sets *cmd to CB_CMD_COMPARE: the rest
 * of argv is cb_compare_parse_args()'s (compare.h). */
int cb_cli_parse(int argc, char **argv, struct cb_config *cfg,
                 enum cb_command *cmd, struct cb_error *err);

/* For a subcommand's getopt loop (optstring starting with ':'): fills err
 * for the option getopt_long just refused, ch being ':' (its value is
 * missing) or '?' (unknown), naming the subcommand. Returns -1. */
int cb_cli_option_error(const char *cmd, int ch, char **argv, struct cb_error *err);

/* The --help text. Can't fail. */
const char *cb_cli_usage(void);

/* Renders `concbench list`: tasks with their parameters and defaults,
 * modes, start and output options. Returns a malloc'd string the caller
 * frees, or NULL on allocation failure. */
char *cb_cli_list(void);

#endif
