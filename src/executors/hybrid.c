/* hybrid: P forked processes, each running its share of the jobs on T
 * threads of its own (--shape=PxT; default P = min(usable CPUs, n),
 * T = ceil(n / P)): "processes for CPU, threads for I/O". Under --gil each
 * process has its own lock shared by its threads, CPython's model. The
 * units are the processes executor's. */
#include "concbench/context.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "unit_kinds.h"

static uint32_t hybrid_units(uint32_t jobs, const struct cb_run_opts *o)
{
    long cpus = cb_context_usable_cpus();
    uint32_t p = cb_shape_p(o->shape);

    if (!p)
        p = (uint32_t)(cpus > 0 ? cpus : 1);
    return p < jobs ? p : jobs;
}

static uint32_t hybrid_threads(uint32_t jobs, const struct cb_run_opts *o)
{
    uint32_t p = hybrid_units(jobs, o), t = cb_shape_t(o->shape);

    return t ? t : (p ? (jobs + p - 1) / p : 1);
}

const struct cb_executor cb_executor_hybrid = {
    .name = "hybrid",
    .description = "--shape=PxT: P forked processes, each running its jobs "
                   "on T threads",
    .opt_in = true,
    .order = 5,
    .units = hybrid_units,
    .threads = hybrid_threads,
    CB_PROCESS_UNITS,
};
