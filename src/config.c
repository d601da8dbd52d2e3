#include "concbench/config.h"

#include <stdbool.h>
#include <string.h>

#include "concbench/context.h"
#include "concbench/executor.h"
#include "concbench/options.h"
#include "concbench/spawn.h"

void cb_config_default(struct cb_config *cfg)
{
    long cpus = cb_context_usable_cpus();

    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; cb_executors[i] && cfg->nmodes < CB_MAX_LIST; i++)
        if (!cb_executors[i]->opt_in)
            cfg->modes[cfg->nmodes++] = cb_executors[i];
    for (size_t i = 0; cb_tasks[i] && cfg->ntasks < CB_MAX_LIST; i++)
        if (!cb_tasks[i]->opt_in)
            cfg->tasks[cfg->ntasks++] = cb_tasks[i];
    cfg->workers[cfg->nworkers++] = (uint32_t)(cpus > 0 ? cpus : 1);
    cfg->repetitions = 10;
    cfg->warmup = 1;
    cb_params_default(&cfg->params);
    for (const struct cb_param_desc *d = cb_options; d->flag; d++)
        cb_option_set(d, cfg, d->def);
    cfg->format = CB_FORMAT_JSON;
}

static bool given(const struct cb_config *cfg, const char *flag)
{
    for (size_t i = 0; i < cfg->nparams_given; i++)
        if (strcmp(cfg->params_given[i], flag) == 0)
            return true;
    return false;
}

void cb_config_task_params(const struct cb_config *cfg, const struct cb_task *task,
                           struct cb_params *out)
{
    struct cb_params def;

    cb_params_default(&def);
    *out = cfg->params;
    for (const struct cb_param_desc *d = task->params; d && d->flag; d++)
        if (!given(cfg, d->flag) && cb_params_get(out, d) == cb_params_get(&def, d))
            cb_params_set(out, d, d->def);
}

/* A task whose jobs need each other running (ping-pong pairs) cannot
 * run under a mode that runs them one after another or several on one
 * unit: it would wait forever. */
static int check_all_at_once(const struct cb_config *cfg, const struct cb_task *task,
                             uint32_t jobs, struct cb_error *err)
{
    for (size_t m = 0; task->all_at_once && m < cfg->nmodes; m++) {
        const struct cb_executor *x = cfg->modes[m];
        uint32_t units = cb_executor_units(x, jobs, &cfg->run);

        if (!x->concurrent) {
            cb_error_set(err, "--mode=%s runs jobs one after another, but --task=%s needs "
                         "all its jobs running at once; leave one of them out",
                         x->name, task->name);
            return -1;
        }
        if (units < jobs) {
            cb_error_set(err, "--mode=%s runs %u jobs on %u units, but --task=%s needs "
                         "all its jobs running at once; leave one of them out",
                         x->name, jobs, units, task->name);
            return -1;
        }
    }
    return 0;
}

static int check_jobs(const struct cb_config *cfg, const struct cb_task *task,
                      const struct cb_params *p, struct cb_error *err)
{
    for (size_t w = 0; w < cfg->nworkers; w++) {
        if (task->check_jobs && task->check_jobs(p, cfg->workers[w], err) != 0)
            return -1;
        if (check_all_at_once(cfg, task, cfg->workers[w], err) != 0)
            return -1;
    }
    return 0;
}

int cb_config_check_tasks(const struct cb_config *cfg, struct cb_error *err)
{
    for (size_t t = 0; t < cfg->ntasks; t++) {
        struct cb_params p;

        cb_config_task_params(cfg, cfg->tasks[t], &p);
        if (cb_task_check(cfg->tasks[t], &p, err) != 0 ||
            check_jobs(cfg, cfg->tasks[t], &p, err) != 0)
            return -1;
    }
    return 0;
}

/* Whether --start-method=spawn can start x's units: a fresh image
 * rebuilds the worker of processes, a process pool's and a hybrid's (not
 * yet one running its jobs its own way). */
static bool spawnable(const struct cb_executor *x)
{
    return !x->separate_memory || !x->run_jobs;
}

int cb_config_check_start_method(const struct cb_config *cfg, struct cb_error *err)
{
    /* Only a fork of concbench inherits --parent-memory's pages: a
     * forkserver's server was made before them, a spawn is a new image. */
    if (cfg->run.cow_touch && cfg->run.start_method != CB_START_FORK) {
        cb_error_set(err, "--cow-touch: with --start-method=%s a process inherits no "
                     "--parent-memory pages to write; accepted: --start-method=fork",
                     cb_start_method_name(cfg->run.start_method));
        return -1;
    }
    if (cfg->run.start_method != CB_START_SPAWN)
        return 0;
    if (!cb_spawn_is_host()) {
        cb_error_set(err, "--start-method=spawn: this program has no entry point for a "
                     "spawned unit (only the concbench binary has); accepted: fork or "
                     "forkserver");
        return -1;
    }
    for (size_t t = 0; t < cfg->ntasks; t++)
        if (cfg->tasks[t]->fork_only) {
            cb_error_set(err, "--start-method=spawn: the %s task's state holds descriptors "
                         "a fresh image does not inherit; accepted: fork or forkserver "
                         "for it", cfg->tasks[t]->name);
            return -1;
        }
    if (cfg->run.payload) {
        cb_error_set(err, "--start-method=spawn: --payload is not built for spawned "
                     "processes; accepted: fork or forkserver with --payload");
        return -1;
    }
    if (cfg->run.queue == CB_QUEUE_PIPE) {
        cb_error_set(err, "--start-method=spawn: --queue=pipe is not built for spawned "
                     "processes; accepted: --queue=shm, or fork or forkserver with pipe");
        return -1;
    }
    for (size_t m = 0; m < cfg->nmodes; m++)
        if (!spawnable(cfg->modes[m])) {
            cb_error_set(err, "--start-method=spawn: not built for mode %s; accepted: "
                         "fork or forkserver for it",
                         cfg->modes[m]->name);
            return -1;
        }
    return 0;
}

const char *cb_start_name(enum cb_start s)
{
    return s == CB_START_BARRIER ? "barrier" : "immediate";
}

const char *cb_format_name(enum cb_format f)
{
    switch (f) {
    case CB_FORMAT_TABLE: return "table";
    case CB_FORMAT_MARKDOWN: return "markdown";
    case CB_FORMAT_CSV: return "csv";
    case CB_FORMAT_BMF: return "bmf";
    case CB_FORMAT_GAB: return "github-action-benchmark";
    case CB_FORMAT_JSON: break;
    }
    return "json";
}

uint32_t cb_config_max_workers(const struct cb_config *cfg)
{
    uint32_t m = 1;

    for (size_t i = 0; i < cfg->nworkers; i++)
        if (cfg->workers[i] > m)
            m = cfg->workers[i];
    return m;
}
