/* The executor- and run-scope options (--start, --gil, --pin, ...): one
 * table line each (struct cb_param_desc, params.h). With the tasks' own
 * tables they are every option the CLI parses, --help and `concbench
 * list` show, the JSON writer writes, the loader reads and compare
 * weighs: a new option is one line here or in its task's table. */
#ifndef CONCBENCH_OPTIONS_H
#define CONCBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/config.h"
#include "concbench/params.h"
#include "concbench/results.h"

#define CB_OPTIONS_MAX 64 /* options in all, tasks' and cb_options[] */

/* Executor- and run-scope options, ending with a NULL flag. */
extern const struct cb_param_desc cb_options[];

/* Where the option values of one run (its config) or of one benchmark
 * (a cell of its results) live. */
struct cb_option_view {
    const struct cb_params *params; /* CB_SCOPE_TASK */
    const struct cb_run_opts *opts; /* CB_SCOPE_EXECUTOR */
    const void *run;                /* CB_SCOPE_RUN: cfg, or cell */
    bool cell;                      /* run is a struct cb_cell */
};

/* The view of cfg's or of c's values. Can't fail. */
struct cb_option_view cb_option_view_config(const struct cb_config *cfg);
struct cb_option_view cb_option_view_cell(const struct cb_cell *c);

/* Returns the value of d in v. Can't fail. */
uint64_t cb_option_get(const struct cb_param_desc *d, const struct cb_option_view *v);

/* Sets the value of d in cfg. Can't fail. */
void cb_option_set(const struct cb_param_desc *d, struct cb_config *cfg, uint64_t v);

/* Writes every option once into out (at most max): each task's lines in
 * cb_tasks order, a flag several tasks read described by the first
 * task's line, then cb_options[]. A task line whose flag cb_options[]
 * also has is left out. Returns how many. Can't fail. */
size_t cb_options_all(const struct cb_param_desc **out, size_t max);

/* Returns the option (of cb_options_all()) with flag, or NULL. */
const struct cb_param_desc *cb_options_find(const char *flag);

/* Whether the JSON writer writes d for a benchmark of mode with the
 * values v: its json bits, omit_zero, requires and applies. Can't fail. */
bool cb_option_written(const struct cb_param_desc *d, const struct cb_option_view *v,
                       const struct cb_executor *mode);

/* The name of choice i of d ("" for a value out of range). Can't fail. */
const char *cb_option_choice(const struct cb_param_desc *d, uint64_t i);

#endif
