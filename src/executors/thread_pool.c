/* thread-pool: a pool of --pool-size threads (default min(32, usable CPUs
 * + 4), as Python's ThreadPoolExecutor) created once per sample, taking
 * the -n jobs from one queue, --chunk at a time (Executor.map's
 * chunksize). The units are the threads executor's. */
#include "concbench/context.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "unit_kinds.h"

static uint32_t thread_pool_units(uint32_t jobs, const struct cb_run_opts *o)
{
    long cpus = cb_context_usable_cpus();
    uint32_t size = o->pool_size;

    if (!size)
        size = cpus + 4 < 32 ? (uint32_t)(cpus > 0 ? cpus + 4 : 5) : 32;
    return size < jobs ? size : jobs;
}

const struct cb_executor cb_executor_thread_pool = {
    .name = "thread-pool",
    .description = "--pool-size threads taking the jobs from one queue "
                   "(ThreadPoolExecutor)",
    .opt_in = true,
    .pooled = true,
    .order = 3,
    .units = thread_pool_units,
    CB_THREAD_UNITS,
};
