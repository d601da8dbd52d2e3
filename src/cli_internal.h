/* Internal to cli.c (parsing), cli_options.c (the option table) and
 * cli_help.c (--help and `concbench list`). Not installed. */
#ifndef CONCBENCH_CLI_INTERNAL_H
#define CONCBENCH_CLI_INTERNAL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/cli.h"
#include "concbench/options.h"

#define CB_CLI_ACCEPTED_MAX 256
#define CB_CLI_WORKERS_ACCEPTED "1 to 100000, a range A..B, A..B:x2, or max"
#define CB_CLI_NOT_A_DURATION "a number with ns, us, ms or s, e.g. 100ms"
#define CB_CLI_SIZE_ACCEPTED \
    "a size in bytes with B, KiB, MiB, GiB, kB, MB or GB, e.g. 8MiB"
#define CB_CLI_MAX_REPETITIONS 1000000u

/* getopt values of the long-only options that are not table lines; a
 * table line's value is CB_CLI_OPT_TABLE + its index in struct cli. */
enum {
    CB_CLI_OPT_CONTEXT = 256,
    CB_CLI_OPT_PER_SAMPLE,
    CB_CLI_OPT_COMPARE_TO,
    CB_CLI_OPT_TABLE = 512,
};

/* The options that are not table lines: what to run, output, help. */
extern const struct option cb_cli_fixed[];
#define CB_CLI_NFIXED 14

/* One parse of argv. */
struct cli {
    struct option longopts[CB_CLI_NFIXED + CB_OPTIONS_MAX + 1];
    const struct cb_param_desc *opts[CB_OPTIONS_MAX]; /* the table lines */
    size_t nopts;
    struct cb_config *cfg;
    struct cb_error *err;
    bool from_max[CB_MAX_LIST]; /* worker count i came from "max" */
    bool given[CB_OPTIONS_MAX];  /* table line i was on the command line */
};

/* Notes in c->cfg->ignored each table option given on the command line
 * that no selected task reads, that no selected mode applies to, or
 * whose required option (--transport: --payload) is off: it changes
 * nothing. Can't fail. */
void cb_cli_check_given(const struct cli *c);

/* Returns the name at index i of a list, NULL past its end. */
typedef const char *(*cb_cli_name_fn)(size_t i);

/* Modes, tasks and formats by index. Can't fail. */
const char *cb_cli_mode_name(size_t i);
const char *cb_cli_task_name(size_t i);
const char *cb_cli_format_name(size_t i);

/* Writes the names of a list joined by sep into buf. Can't fail. */
void cb_cli_join(cb_cli_name_fn name_at, const char *sep, char *buf, size_t len);

/* The subcommands ("run", "list", ...), NULL past the last. Can't fail. */
const char *cb_cli_command_name(size_t i);

/* "mutex, spin, semaphore": the names choice line d accepts. */
void cb_cli_choices(const struct cb_param_desc *d, char *buf, size_t len);

/* A value of d as a user writes it: "100ms", "64KiB", "mutex", "10".
 * Can't fail. */
void cb_cli_value(const struct cb_param_desc *d, uint64_t v, char *buf, size_t len);

/* "1us to 1s": the range of a COUNT, DURATION or SIZE line. */
void cb_cli_range(const struct cb_param_desc *d, char *buf, size_t len);

/* What the option with getopt value val accepts, for messages. */
void cb_cli_accepted(const struct cli *c, int val, char *buf, size_t len);

/* The option's long name ("?" if none). Can't fail. */
const char *cb_cli_option_name(const struct cli *c, int val);

/* Builds the long options: the fixed ones, then every table line. */
void cb_cli_init(struct cli *c, struct cb_config *cfg, struct cb_error *err);

/* "N", "DURATION", "SIZE" or the line's own metavar; NULL for a flag. */
const char *cb_cli_metavar(const struct cb_param_desc *d);

#endif
