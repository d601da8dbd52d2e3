/* process-pool: a pool of --pool-size forked processes (default: usable
 * CPUs, as Python's ProcessPoolExecutor) created once per sample, taking
 * the -n jobs from one queue in MAP_SHARED memory, --chunk at a time.
 * The queue is an atomic counter: there is no lock a dying process could
 * hold, and the survivors take the jobs it never got to. The units are
 * the processes executor's. */
#include "concbench/context.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "unit_kinds.h"

static uint32_t process_pool_units(uint32_t jobs, const struct cb_run_opts *o)
{
    long cpus = cb_context_usable_cpus();
    uint32_t size = o->pool_size ? o->pool_size : (uint32_t)(cpus > 0 ? cpus : 1);

    return size < jobs ? size : jobs;
}

const struct cb_executor cb_executor_process_pool = {
    .name = "process-pool",
    .description = "--pool-size forked processes taking the jobs from one "
                   "shared queue (ProcessPoolExecutor)",
    .opt_in = true,
    .pooled = true,
    .order = 4,
    .units = process_pool_units,
    CB_PROCESS_UNITS,
};
