#include "concbench/options.h"

#include <string.h>

#include "concbench/clock.h"

#define MAX_MEMORY (16ull << 30)             /* --worker-memory, --parent-memory */
#define MAX_PAYLOAD (1ull << 30)
#define MIN_STACK (UINT64_C(64) << 10)       /* below this threads crash */
#define MAX_STACK (UINT64_C(1) << 30)        /* 1 GiB */

#define EXEC_AT(member) .scope = CB_SCOPE_EXECUTOR, CB_PARAM_AT(struct cb_run_opts, member)
#define RUN_AT(member) .scope = CB_SCOPE_RUN, CB_PARAM_AT(struct cb_config, member), \
    .cell_offset = offsetof(struct cb_cell, member)

/* A run-scope member has the same type in the config and in each cell. */
_Static_assert(sizeof(((struct cb_config *)0)->start) ==
               sizeof(((struct cb_cell *)0)->start), "start");
_Static_assert(sizeof(((struct cb_config *)0)->max_time_ns) ==
               sizeof(((struct cb_cell *)0)->max_time_ns), "max_time_ns");

static const char *start_choice(size_t i)
{
    return i <= CB_START_BARRIER ? cb_start_name((enum cb_start)i) : NULL;
}

static const char *const start_help[] = {
    [CB_START_IMMEDIATE] = "each worker runs as soon as it is created; "
                           "wall time includes creation",
    [CB_START_BARRIER] = "all workers are created, then released together; "
                         "the run is timed apart from creation",
    NULL,
};

static const char *const start_method_help[] = {
    [CB_START_FORK] = "each process is a fork() of concbench, with a copy of its "
                      "page tables (--parent-memory)",
    [CB_START_SPAWN] = "each process is a fresh concbench image (posix_spawn of "
                       "/proc/self/exe), given its job through a memfd",
    [CB_START_FORKSERVER] = "each process is a fork() of the sample server, a small "
                            "process made before --parent-memory",
    NULL,
};

static const char *transport_choice(size_t i)
{
    static const char *const names[] = { "pipe", "shm" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static bool separate_memory(const struct cb_executor *mode)
{
    return mode->separate_memory;
}

/* Event loops: their units run the jobs their own way. */
static bool own_jobs(const struct cb_executor *mode)
{
    return mode->run_jobs != NULL;
}

/* Hybrids: their units run threads of their own. */
static bool threaded(const struct cb_executor *mode)
{
    return mode->threads != NULL;
}

/* Pools: their units take the jobs from one queue. */
static bool pooled(const struct cb_executor *mode)
{
    return mode->pooled;
}

/* Pools of processes: their queue may be a pipe. */
static bool process_pool(const struct cb_executor *mode)
{
    return mode->pooled && mode->separate_memory;
}

/* Units that share the caller's address space: threads, serial. */
static bool in_process(const struct cb_executor *mode)
{
    return !mode->separate_memory;
}

/* Units that run one after another in the calling thread never pin. */
static bool pins_workers(const struct cb_executor *mode)
{
    return mode->concurrent;
}

const struct cb_param_desc cb_options[] = {
    /* compare reads "start" as a required field of every benchmark. */
    { .flag = "start", .json_name = "start", .kind = CB_PARAM_CHOICE, RUN_AT(start),
      .def = CB_START_IMMEDIATE, .choice = start_choice, .choice_help = start_help,
      .noun = "start mode", .metavar = "MODE",
      .help = "immediate: each worker runs as soon as it is\n"
              "created, so wall time includes creation;\n"
              "barrier: all are created, then released\ntogether",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE },
    { .flag = "worker-memory", .json_name = "worker_memory_bytes", .kind = CB_PARAM_SIZE,
      EXEC_AT(worker_mem), .max = MAX_MEMORY,
      .help = "each worker touches SIZE bytes; the memory of\n"
              "all live workers (PSS) is reported",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS, .omit_zero = true },
    { .flag = "parent-memory", .json_name = "parent_memory_bytes", .kind = CB_PARAM_SIZE,
      EXEC_AT(parent_mem), .max = MAX_MEMORY,
      .help = "the parent touches SIZE bytes before spawning", .default_help = "",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS, .omit_zero = true },
    { .flag = "cow-touch", .json_name = "cow_touch", .kind = CB_PARAM_FRACTION,
      EXEC_AT(cow_touch), .max = CB_FRACTION_ONE,
      .help = "with --parent-memory, processes made by fork:\n"
              "each child writes this fraction (0 to 1) of the\n"
              "pages it inherited (copy on write, as CPython's\n"
              "reference counts do) before its jobs",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS, .omit_zero = true,
      .requires = "parent-memory", .applies = separate_memory },
    { .flag = "payload", .json_name = "payload_bytes", .kind = CB_PARAM_SIZE,
      EXEC_AT(payload), .max = MAX_PAYLOAD,
      .help = "each worker hands SIZE bytes of result back", .default_help = "",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS, .omit_zero = true },
    { .flag = "transport", .json_name = "transport", .kind = CB_PARAM_CHOICE,
      EXEC_AT(transport), .def = CB_TRANSPORT_PIPE, .choice = transport_choice,
      .metavar = "WAY", .help = "processes: pipe or shm",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_BESIDE, .requires = "payload",
      .applies = separate_memory, .distinguishes = true },
    { .flag = "gil", .json_name = "gil", .kind = CB_PARAM_FLAG, EXEC_AT(gil),
      .help = "run task code under one emulated global lock\n"
              "(threads share it; each process has its own)",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS | CB_JSON_BESIDE,
      .omit_zero = true },
    /* 1 us to 1 s, like CPython's sys.setswitchinterval. */
    { .flag = "switch-interval", .json_name = "switch_interval_s",
      .kind = CB_PARAM_DURATION, EXEC_AT(switch_ns), .min = 1000u, .max = CB_NS_PER_S,
      .def = CB_SWITCH_DEFAULT_NS, .help = "GIL hand-over interval",
      .section = CB_SECTION_CLAIMS, .json = CB_JSON_PARAMS, .requires = "gil" },
    /* Limits are not workload parameters: beside params, not in them. */
    { .flag = "min-time", .json_name = "min_time_s", .kind = CB_PARAM_DURATION,
      RUN_AT(min_time_ns), .min = 1000000u, .max = 3600ull * CB_NS_PER_S,
      .help = "size each task's job (cpu, lock: --iterations;\n"
              "fib: --fib) to last at least this, measured\n"
              "once before the warmups and rounded to 1, 2\n"
              "or 5 x 10^k; the value lands in params",
      .default_help = "off: the tasks' defaults", .section = CB_SECTION_RUN,
      .json = CB_JSON_BESIDE, .omit_zero = true },
    { .flag = "max-time", .json_name = "max_time_s", .kind = CB_PARAM_DURATION,
      RUN_AT(max_time_ns), .min = 1000000u, .max = 7ull * 86400ull * CB_NS_PER_S,
      .help = "cap on the whole run: repetitions stop early\n"
              "(never below 5, or -r) when the next round\n"
              "would pass it; JSON repetitions says how many",
      .default_help = "", .section = CB_SECTION_LIMITS, .json = CB_JSON_BESIDE,
      .omit_zero = true },
    { .flag = "timeout", .json_name = "timeout_s", .kind = CB_PARAM_DURATION,
      EXEC_AT(timeout_ns), .min = 1000000u, .max = 86400ull * CB_NS_PER_S,
      .help = "per repetition: processes past it are killed\n"
              "and reported as timeout; threads cannot be\n"
              "killed alone, so their process (the sample\n"
              "server) is; with --isolation=none the run stops",
      .default_help = "none", .section = CB_SECTION_LIMITS, .json = CB_JSON_BESIDE,
      .omit_zero = true },
    { .flag = "pin", .json_name = "pin", .kind = CB_PARAM_CHOICE, EXEC_AT(pin),
      .def = CB_PIN_NONE, .choice = cb_pin_name, .metavar = "HOW",
      .help = "none, spread (worker i on CPU i mod n) or\n"
              "compact (in blocks); each worker pins itself\n(serial never pins)",
      .section = CB_SECTION_LIMITS, .json = CB_JSON_BESIDE, .omit_zero = true,
      .applies = pins_workers, .distinguishes = true },
    { .flag = "stack-size", .json_name = "stack_size_bytes", .kind = CB_PARAM_SIZE,
      EXEC_AT(stack_size), .min = MIN_STACK, .max = MAX_STACK,
      .min_why = "a thread needs", .help = "stack of each thread, e.g. 256KiB for -n 10000",
      .default_help = "the system's, often 8 MiB virtual", .section = CB_SECTION_LIMITS,
      .json = CB_JSON_BESIDE, .omit_zero = true, .distinguishes = true },
    { .flag = "pool-size", .json_name = "pool_size", .kind = CB_PARAM_COUNT,
      EXEC_AT(pool_size), .max = 100000,
      .help = "thread-pool, process-pool: the pool's workers\n"
              "(fewer when there are fewer jobs)",
      .default_help = "min(32, CPUs + 4) threads; CPUs processes",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE, .omit_zero = true,
      .applies = pooled, .distinguishes = true },
    { .flag = "chunk", .json_name = "chunk", .kind = CB_PARAM_COUNT,
      EXEC_AT(chunk), .min = 1, .max = 100000, .def = 1,
      .help = "thread-pool, process-pool: jobs a worker takes\n"
              "from the queue at once (Executor.map's chunksize)",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE, .applies = pooled,
      .distinguishes = true },
    { .flag = "queue", .json_name = "queue", .kind = CB_PARAM_CHOICE, EXEC_AT(queue),
      .def = CB_QUEUE_SHM, .choice = cb_queue_name, .metavar = "WAY",
      .help = "process-pool: shm (a counter in shared memory)\n"
              "or pipe (job descriptors through a pipe, as\n"
              "ProcessPoolExecutor)",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE, .applies = process_pool,
      .distinguishes = true },
    { .flag = "shape", .json_name = "shape", .kind = CB_PARAM_SHAPE, EXEC_AT(shape),
      .max = 100000,
      .help = "hybrid: P processes x T threads each, e.g. 2x4",
      .default_help = "P = min(CPUs, jobs), T = ceil(jobs / P)",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE, .omit_zero = true,
      .applies = threaded, .distinguishes = true },
    { .flag = "loop-block", .json_name = "loop_block_s", .kind = CB_PARAM_DURATION,
      EXEC_AT(loop_block_ns), .max = 60ull * CB_NS_PER_S,
      .help = "loop: one CPU burst this long in the loop before\n"
              "the jobs, to show it delays every pending timer",
      .default_help = "none", .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE,
      .omit_zero = true, .applies = own_jobs, .distinguishes = true },
    /* Absent from a file: fork, what concbench did before it existed. */
    { .flag = "start-method", .json_name = "start_method", .kind = CB_PARAM_CHOICE,
      EXEC_AT(start_method), .def = CB_START_FORK, .choice = cb_start_method_name,
      .choice_help = start_method_help, .noun = "start method", .metavar = "HOW",
      .help = "modes made of processes: fork (from concbench),\n"
              "spawn (a fresh concbench image by posix_spawn)\n"
              "or forkserver (fork from a small server made\n"
              "before --parent-memory); others: not applying",
      .section = CB_SECTION_RUN, .json = CB_JSON_BESIDE, .omit_zero = true,
      .applies = separate_memory, .distinguishes = true },
    { .flag = "isolation", .json_name = "isolation", .kind = CB_PARAM_CHOICE,
      EXEC_AT(isolation), .def = CB_ISOLATION_PROCESS, .choice = cb_isolation_name,
      .metavar = "WHERE",
      .help = "threads and serial: process (their samples run\n"
              "in a sample server, so a crash or a runaway\n"
              "thread ends it, not concbench) or none (in\n"
              "concbench itself, as a program would)",
      .section = CB_SECTION_LIMITS, .json = CB_JSON_BESIDE, .omit_zero = true,
      .applies = in_process },
    { .flag = NULL },
};

struct cb_option_view cb_option_view_config(const struct cb_config *cfg)
{
    struct cb_option_view v = { &cfg->params, &cfg->run, cfg, false };

    return v;
}

struct cb_option_view cb_option_view_cell(const struct cb_cell *c)
{
    struct cb_option_view v = { &c->params, &c->opts, c, true };

    return v;
}

uint64_t cb_option_get(const struct cb_param_desc *d, const struct cb_option_view *v)
{
    switch (d->scope) {
    case CB_SCOPE_EXECUTOR: return cb_param_load(v->opts, d->offset, d->width);
    case CB_SCOPE_RUN:
        return cb_param_load(v->run, v->cell ? d->cell_offset : d->offset, d->width);
    case CB_SCOPE_TASK: break;
    }
    return cb_params_get(v->params, d);
}

void cb_option_set(const struct cb_param_desc *d, struct cb_config *cfg, uint64_t v)
{
    switch (d->scope) {
    case CB_SCOPE_EXECUTOR: cb_param_store(&cfg->run, d->offset, d->width, v); return;
    case CB_SCOPE_RUN: cb_param_store(cfg, d->offset, d->width, v); return;
    case CB_SCOPE_TASK: break;
    }
    cb_params_set(&cfg->params, d, v);
}

static bool listed(const struct cb_param_desc *const *list, size_t n, const char *flag)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->flag, flag) == 0)
            return true;
    return false;
}

static bool general(const char *flag)
{
    for (const struct cb_param_desc *d = cb_options; d->flag; d++)
        if (strcmp(d->flag, flag) == 0)
            return true;
    return false;
}

size_t cb_options_all(const struct cb_param_desc **out, size_t max)
{
    size_t n = 0;

    for (size_t t = 0; cb_tasks[t]; t++)
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++)
            if (n < max && !general(d->flag) && !listed(out, n, d->flag))
                out[n++] = d;
    for (const struct cb_param_desc *d = cb_options; d->flag && n < max; d++)
        out[n++] = d;
    return n;
}

const struct cb_param_desc *cb_options_find(const char *flag)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = cb_options_all(all, CB_OPTIONS_MAX);

    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->flag, flag) == 0)
            return all[i];
    return NULL;
}

bool cb_option_written(const struct cb_param_desc *d, const struct cb_option_view *v,
                       const struct cb_executor *mode)
{
    const struct cb_param_desc *req = d->requires ? cb_options_find(d->requires) : NULL;

    if (!d->json_name || d->json == CB_JSON_NONE)
        return false;
    if (d->omit_zero && cb_option_get(d, v) == 0)
        return false;
    if (req && cb_option_get(req, v) == 0)
        return false;
    return !d->applies || d->applies(mode);
}

const char *cb_option_choice(const struct cb_param_desc *d, uint64_t i)
{
    const char *name = d->choice && i < SIZE_MAX ? d->choice((size_t)i) : NULL;

    return name ? name : "";
}
