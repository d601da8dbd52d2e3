#include "concbench/config.h"

#include <string.h>

#include "concbench/context.h"

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
    cfg->run.switch_ns = CB_SWITCH_DEFAULT_NS;
    cfg->start = CB_START_IMMEDIATE;
    cfg->format = CB_FORMAT_JSON;
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
