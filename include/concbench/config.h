/* What the user asked for: the parsed command line. */
#ifndef CONCBENCH_CONFIG_H
#define CONCBENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/params.h"
#include "concbench/run.h"
#include "concbench/task.h"

#define CB_MAX_WORKERS 100000u /* -n above this is a usage error */
#define CB_MAX_LIST 64          /* entries in a --mode / --task / -n list */
#define CB_MAX_IGNORED 8        /* options warned about as changing nothing */
#define CB_IGNORED_LINE 192

enum cb_format {
    CB_FORMAT_JSON,
    CB_FORMAT_TABLE,
    CB_FORMAT_MARKDOWN,
    CB_FORMAT_CSV,
    CB_FORMAT_BMF, /* Bencher Metric Format (src/report_bmf.c) */
    CB_FORMAT_GAB, /* github-action-benchmark customSmallerIsBetter */
};

/* A --context KEY=VALUE pair; both point into argv. */
struct cb_kv {
    const char *key;
    size_t key_len;
    const char *value;
};

struct cb_config {
    const struct cb_executor *modes[CB_MAX_LIST];
    size_t nmodes;
    const struct cb_task *tasks[CB_MAX_LIST];
    size_t ntasks;
    uint32_t workers[CB_MAX_LIST];
    size_t nworkers;
    uint32_t repetitions;
    uint64_t max_time_ns;  /* --max-time: cap on the run; 0: none */
    uint64_t min_time_ns;  /* --min-time: size jobs to last this; 0: no */
    uint32_t warmup;
    struct cb_params params;  /* the first task's defaults, and what was
                                 given: see cb_config_task_params() */
    /* The task options given on the command line, by flag: they apply
     * to every task that reads them, over the task's own default. */
    const char *params_given[CB_MAX_LIST];
    size_t nparams_given;
    struct cb_run_opts run; /* --gil, --worker-memory, --payload, ... */
    enum cb_start start;
    enum cb_format format;
    const char *output;    /* NULL: stdout */
    struct cb_kv context[CB_MAX_LIST];
    size_t ncontext;
    bool per_sample;       /* csv: one row per sample and worker too */
    bool quiet;            /* no warnings or progress on stderr */
    const char *compare_to; /* --compare-to BASE.json; NULL: none */
    /* Options given that change nothing here (no selected task reads
     * them, no selected mode uses them): warned about, not refused, so
     * one set of options can serve a loop over tasks or modes. */
    char ignored[CB_MAX_IGNORED][CB_IGNORED_LINE];
    size_t nignored;
};

/* Fills cfg with the defaults (all modes but serial, all tasks, workers =
 * usable CPUs, 10 repetitions, 1 warmup, each option's table default).
 * Can't fail. */
void cb_config_default(struct cb_config *cfg);

/* The parameters task runs with in cfg's run: cfg->params, except that
 * each of task's own lines still at the shared default (cb_params_default)
 * and not given on the command line (cfg->params_given) takes the task's
 * default, its line's def. Can't fail. */
void cb_config_task_params(const struct cb_config *cfg, const struct cb_task *task,
                           struct cb_params *out);

/* --start-method=spawn with what it cannot start (a mode made of
 * processes that runs its jobs its own way, a fork_only task,
 * --payload, --queue=pipe), or --cow-touch with a method other than fork
 * (its processes inherit no --parent-memory pages): returns -1 with err
 * set naming it, else 0. */
int cb_config_check_start_method(const struct cb_config *cfg, struct cb_error *err);

/* Checks every task of cfg with the parameters it would run with
 * (cb_task_check()), with each -n value (task->check_jobs), and a task
 * whose jobs must run all at once against each mode. Returns 0, or -1
 * with err naming the flag. */
int cb_config_check_tasks(const struct cb_config *cfg, struct cb_error *err);

/* The largest -n of cfg (at least 1). Can't fail. */
uint32_t cb_config_max_workers(const struct cb_config *cfg);

/* Names used in the JSON and on the command line. Can't fail. */
const char *cb_start_name(enum cb_start s);
const char *cb_format_name(enum cb_format f);

#endif
