/* The checks before a run: what the config could never fit on this
 * machine (memory, RLIMIT_NPROC) or what its modes cannot do. */
#include "concbench/bench.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "concbench/memory.h"
#include "concbench/units.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The most memory one job of the config's tasks holds of its own (the
 * fault task's region), with each task's parameters; *who is that task,
 * or NULL when none holds any. */
static uint64_t task_job_memory(const struct cb_config *cfg, const struct cb_task **who)
{
    uint64_t most = 0;

    *who = NULL;
    for (size_t t = 0; t < cfg->ntasks; t++) {
        struct cb_params p;

        if (!cfg->tasks[t]->job_memory)
            continue;
        cb_config_task_params(cfg, cfg->tasks[t], &p);
        if (cfg->tasks[t]->job_memory(&p) > most) {
            most = cfg->tasks[t]->job_memory(&p);
            *who = cfg->tasks[t];
        }
    }
    return most;
}

/* The memory a benchmark of the config holds at once at its largest:
 * the parent's, per unit of execution its --worker-memory and its copies
 * of the parent's pages (--cow-touch), and per job
 * its payload (twice across a process boundary: the child's copy and the
 * parent's slot) and the task's own memory (every job at once where they
 * run concurrently). Saturates. */
static uint64_t peak_memory(const struct cb_config *cfg, const struct cb_task **who)
{
    const struct cb_run_opts *o = &cfg->run;
    uint64_t peak = 0, jobs = cb_config_max_workers(cfg), job_mem = task_job_memory(cfg, who);

    for (size_t m = 0; m < cfg->nmodes; m++) {
        const struct cb_executor *x = cfg->modes[m];
        uint64_t payload = x->separate_memory ? sat_add(o->payload, o->payload) : o->payload;
        uint64_t units = cb_executor_units(x, (uint32_t)jobs, o);
        uint64_t need = sat_add(o->parent_mem, sat_add(sat_mul(units, o->worker_mem),
                                                       sat_mul(jobs, payload)));
        /* --cow-touch: each process copies its share of the parent's. */
        uint64_t copied = x->separate_memory
            ? o->parent_mem / CB_FRACTION_ONE * o->cow_touch +
              o->parent_mem % CB_FRACTION_ONE * o->cow_touch / CB_FRACTION_ONE
            : 0;

        need = sat_add(need, sat_mul(units, copied));

        /* Jobs alive at once: all, one at a time (serial, a loop's
         * computing jobs), or one per unit and thread (pools, hybrids). */
        uint64_t at_once = !x->concurrent || x->run_jobs ? 1
                         : x->pooled || x->threads
                             ? sat_mul(units, cb_executor_unit_threads(x, (uint32_t)jobs, o))
                             : jobs;

        need = sat_add(need, sat_mul(at_once, job_mem));

        if (need > peak)
            peak = need;
    }
    return peak;
}

/* The most threads or processes a benchmark of the config creates at
 * once (0 when no mode creates any). */
static uint32_t most_units(const struct cb_config *cfg)
{
    uint32_t most = 0;

    for (size_t m = 0; m < cfg->nmodes; m++) {
        /* A hybrid's processes each run threads: all count. */
        uint32_t n = cb_executor_units(cfg->modes[m], cb_config_max_workers(cfg), &cfg->run) *
                     cb_executor_unit_threads(cfg->modes[m], cb_config_max_workers(cfg), &cfg->run);

        if (cfg->modes[m]->spawns && n > most)
            most = n;
    }
    return most;
}

/* A run that needs more memory than the machine has free would be killed
 * by the kernel mid-way, or swap: refuse it up front. */
static int check_memory(const struct cb_config *cfg, struct cb_error *err)
{
    const struct cb_task *who;
    uint64_t need = peak_memory(cfg, &who), avail;
    char a[32], b[32], task[80] = " and --parent-memory";

    if (cb_memory_available(&avail) != 0 || need <= avail)
        return 0;
    cb_units_format_size((double)need, a, sizeof a);
    cb_units_format_size((double)avail, b, sizeof b);
    if (who)
        snprintf(task, sizeof task, ", --parent-memory and the %s task's memory per job",
                 who->name);
    else if (cfg->run.cow_touch)
        snprintf(task, sizeof task, ", --parent-memory and --cow-touch");
    cb_error_set(err, "--workers, --worker-memory, --payload%s together "
                 "need %s at once, more than the %s available here (MemAvailable, "
                 "or what the memory cgroup's limit leaves); accepted: less", task, a, b);
    return -1;
}

/* A pool's units take any job, so a payload pipe per job cannot belong to
 * one unit: pools do not hand payloads back (yet). */
static int check_pools(const struct cb_config *cfg, struct cb_error *err)
{
    for (size_t m = 0; cfg->run.payload && m < cfg->nmodes; m++)
        if (cfg->modes[m]->pooled) {
            cb_error_set(err, "--payload: --mode=%s does not hand payloads back; accepted: "
                         "--payload with modes that are not pools", cfg->modes[m]->name);
            return -1;
        }
    return 0;
}

int cb_bench_check(const struct cb_config *cfg, struct cb_error *err)
{
    uint32_t most = most_units(cfg);
    struct rlimit rl;

    if (check_memory(cfg, err) != 0 || check_pools(cfg, err) != 0)
        return -1;
    /* root is not held to RLIMIT_NPROC; everyone else counts threads and
     * processes alike against it, the parent included. */
    if (!most || geteuid() == 0 || getrlimit(RLIMIT_NPROC, &rl) != 0 ||
        rl.rlim_cur == RLIM_INFINITY || most < rl.rlim_cur)
        return 0;
    cb_error_set(err, "--workers: %u workers can never fit the limit of %llu threads "
                 "and processes per user (RLIMIT_NPROC, ulimit -u); accepted: fewer "
                 "than %llu", most, (unsigned long long)rl.rlim_cur,
                 (unsigned long long)rl.rlim_cur);
    return -1;
}
