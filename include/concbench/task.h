/* The work one worker does. One file per task under src/tasks/. */
#ifndef CONCBENCH_TASK_H
#define CONCBENCH_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/params.h"

/* Calls a task makes so a runner can interpose (e.g. an emulated global
 * lock). Any function pointer may be NULL. */
struct cb_hooks {
    void (*checkpoint)(void *arg);  /* every few microseconds of CPU work */
    void (*block_begin)(void *arg); /* before a blocking call */
    void (*block_end)(void *arg);   /* after it returns */
    void *arg;
    /* Called by the worker body around the whole task: enter before the
     * first instruction of task code, leave after its last. */
    void (*enter)(void *arg);
    void (*leave)(void *arg);
    /* Which job this is, for tasks whose jobs differ (the two ends of a
     * ping-pong pair): filled by the worker body for every run. */
    uint32_t job;    /* 0 .. jobs - 1 */
    uint32_t jobs;
    void *local;     /* from the task's worker_setup(), or NULL */
};

/* A task. Tasks are static and immutable. */
struct cb_task {
    const char *name;        /* "cpu", "io", "fib": the --task value */
    const char *description; /* one line, shown by `concbench list` */
    bool cpu_bound;
    bool opt_in;             /* left out of the default --task list */
    /* Per-operation figures: what one operation of a job is ("page
     * fault", "round trip", "message"), and how many one job does. Each
     * benchmark then reports per_op_s (a job's run time / its operations)
     * and ops_per_s. NULL: none. */
    const char *op;
    uint64_t (*ops)(const struct cb_params *p);
    /* --min-time: the option that sizes one job (NULL: none, as for io,
     * whose size is its duration), and whether the time grows in
     * proportion to it (iterations) or faster (fib's n). */
    const char *size_param;
    bool size_linear;
    /* Bytes one operation moves (a message's size): each benchmark then
     * also reports bytes_per_s. NULL: none. */
    uint64_t (*op_bytes)(const struct cb_params *p);
    /* A job that is a pure wait of this many ns (io): an event loop waits
     * for it on a timer instead of blocking. NULL: it computes. */
    uint64_t (*wait_ns)(const struct cb_params *p);
    /* Traits the driver reads. */
    bool shares_state;       /* its jobs share state across units (a lock,
                                a channel): a unit that dies ends the
                                sample, since the others may wait on it */
    bool fork_only;          /* its run-wide state holds descriptors or
                                pointers (pipes, a ring) that a fresh image
                                (--start-method=spawn) does not inherit:
                                spawn is refused for it */
    bool all_at_once;        /* its jobs need each other running at the
                                same time (a ping-pong pair): a mode
                                that does not run every job in its own
                                concurrent unit is refused */
    /* The options this task reads (scope CB_SCOPE_TASK), ending with a
     * NULL flag: each is a CLI option, in --help and `concbench list`, and
     * written to the JSON where its line says. A line's def is this
     * task's default; an option given on the command line applies to
     * every task that reads it. */
    const struct cb_param_desc *params;
    /* Checks p; on error fills err with one line and returns -1. */
    int (*check)(const struct cb_params *p, struct cb_error *err);
    /* Checks a job count (-n) the task would run with p (pairs need an
     * even one). NULL: any. Returns 0, or -1 with err naming -n. */
    int (*check_jobs)(const struct cb_params *p, uint32_t jobs, struct cb_error *err);
    /* Does the work; returns the checksum the parent verifies. state is
     * the run's shared state (NULL when state_size is 0); hooks may be
     * NULL. Never fails once check() accepted p. */
    uint64_t (*run)(const struct cb_params *p, void *state,
                    const struct cb_hooks *hooks);
    /* The checksum one worker's correct run returns. Can't fail. */
    uint64_t (*expected)(const struct cb_params *p);

    /* Optional per-run state every worker of one run shares (a lock and
     * its counter). 0: none, and the members below are NULL. The caller
     * maps state_size zeroed bytes MAP_SHARED before any worker exists. */
    size_t state_size;
    /* Prepares state for one run of jobs jobs; pshared: the workers are
     * processes. Runs in the process the units are created from, before
     * any exists (what it maps MAP_SHARED or opens, every unit shares;
     * a thread it starts runs beside them until teardown()). Returns 0,
     * or -1 with err set (state then needs no teardown). */
    int (*setup)(void *state, const struct cb_params *p, uint32_t jobs, bool pshared,
                 struct cb_error *err);
    /* Undoes setup(), after every unit ended. Can't fail. */
    void (*teardown)(void *state);
    /* After every worker ended and teardown(): the run's checksum read
     * from state (the lock task's final counter, the messages the msg
     * task's consumer verified). Can't fail. */
    uint64_t (*total)(const void *state);
    /* What total() must return for a correct run of workers workers. */
    uint64_t (*expected_total)(const struct cb_params *p, uint32_t workers);
    /* Optional: true when, with p, a total short of expected_total() is
     * a measured figure (lost updates under --lock=none), reported as
     * such, not a failure; a total above it still fails. Can't fail. */
    bool (*total_measured)(const struct cb_params *p);

    /* Optional: the run-wide state's size for a run of jobs jobs (one
     * page per job); when set it replaces state_size. Can't fail; 0
     * means no state. */
    size_t (*state_bytes)(const struct cb_params *p, uint32_t jobs);
    /* Optional: the memory one job holds at its largest beyond what the
     * driver accounts for (the region the fault task maps), so the
     * memory check before a run counts it. NULL: none. Can't fail. */
    uint64_t (*job_memory)(const struct cb_params *p);

    /* Optional per-job set-up (a buffer to copy from, pinning job job
     * to the CPU the run's state gives it), called by the worker body in the job's unit before its
     * timed run; *local reaches
     * that job's run() as hooks->local. Returns 0, or -1 with err saying
     * what failed ("cannot allocate 64 MiB"), which becomes the job's
     * status ("setup-failed: cannot allocate 64 MiB") rather than a wrong
     * checksum. NULL: none; local stays NULL. */
    int (*worker_setup)(const struct cb_params *p, void *state, uint32_t job,
                        void **local, struct cb_error *err);
    /* Undoes worker_setup() after the worker's run; called only when it
     * returned 0. Can't fail. NULL: nothing to undo. */
    void (*worker_teardown)(void *local);
};

/* p->iterations: the checksum or the operation count of every task whose
 * job is --iterations steps. Can't fail. */
uint64_t cb_task_iterations(const struct cb_params *p);

/* Every task, ending with NULL (generated from the CB_TASKS list in
 * CMakeLists.txt). */
extern const struct cb_task *const cb_tasks[];

/* Returns the task named name, or NULL if there is none. Can't fail. */
const struct cb_task *cb_task_find(const char *name);

/* Checks p against the ranges of the task's parameter descriptions and
 * then task->check(). Returns 0, or -1 with err naming the flag. */
int cb_task_check(const struct cb_task *task, const struct cb_params *p,
                  struct cb_error *err);

/* The run-wide state of a task, mapped shared before the workers exist. */
struct cb_task_run {
    void *state;  /* NULL when the task has none */
    size_t size;
    int fd;       /* the state's memfd (a spawned unit maps it), or -1 */
};

/* Maps and sets up task's state for one run of jobs jobs (nothing when
 * it has none). Returns 0, or -1 with err set and nothing left mapped. */
int cb_task_run_begin(const struct cb_task *task, const struct cb_params *p,
                      uint32_t jobs, bool pshared, struct cb_task_run *run,
                      struct cb_error *err);

/* Reads the run's total into *total (false when the task has none),
 * tears down and unmaps the state. Can't fail. */
bool cb_task_run_end(const struct cb_task *task, struct cb_task_run *run,
                     uint64_t *total);

/* Whether task, with p, measures a short total as lost updates instead
 * of failing on it (its total_measured trait). Can't fail. */
bool cb_task_total_measured(const struct cb_task *task, const struct cb_params *p);

/* Call hooks->block_begin / block_end, if there are, around a blocking
 * call (the GIL is let go around it). Can't fail. */
static inline void cb_hooks_block_begin(const struct cb_hooks *h)
{
    if (h && h->block_begin)
        h->block_begin(h->arg);
}

static inline void cb_hooks_block_end(const struct cb_hooks *h)
{
    if (h && h->block_end)
        h->block_end(h->arg);
}

/* Calls hooks->checkpoint if there is one. Inline: used in hot loops. */
static inline void cb_hooks_checkpoint(const struct cb_hooks *h)
{
    if (h && h->checkpoint)
        h->checkpoint(h->arg);
}

#endif
