/* The results of a run: per cell, its samples and their statistics. */
#ifndef CONCBENCH_RESULTS_H
#define CONCBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/context.h"
#include "concbench/floor.h"
#include "concbench/model_stats.h"
#include "concbench/params.h"
#include "concbench/record.h"
#include "concbench/run.h"
#include "concbench/stats.h"
#include "concbench/sysstate.h"
#include "concbench/task.h"

#define CB_CV_WARN 0.10   /* a cell whose wall-time CV exceeds this warns */
#define CB_MAX_WARNINGS 4

/* One repetition of one cell. Times are ns relative to nothing; worker
 * records keep their raw CLOCK_MONOTONIC stamps (reports subtract t0).
 * wall_ns leaves out the pause while the workers were held for the memory
 * reading (times.held_ns..unheld_ns): it covers creation (immediate),
 * the run, and exit and reaping, as before memory was measured. */
struct cb_sample {
    struct cb_run_times times;
    uint64_t wall_ns;      /* immediate: t0..t1; barrier: release..t1 */
    uint64_t cpu_ns;       /* sum over workers, exact */
    uint64_t user_ns;      /* sum over workers (getrusage split, coarse) */
    uint64_t sys_ns;
    uint64_t max_rss_kib;  /* max over workers */
    uint64_t ctx_voluntary;   /* sum over workers */
    uint64_t ctx_involuntary;
    uint64_t minor_faults;    /* sum over workers */
    uint64_t major_faults;
    uint64_t cpu_migrations;  /* sum over workers; see migrations_known */
    bool migrations_known;    /* every finished worker's was read */
    bool usage_known;         /* every finished worker's getrusage was read:
                                 the fault and switch sums are counts */
    uint32_t nworkers;     /* jobs */
    struct cb_worker_record *workers; /* owned, nworkers entries */
    uint32_t nunits;       /* units of execution (0: not recorded) */
    struct cb_unit_record *units; /* owned, nunits entries, or NULL */
    bool has_total;        /* the task checks a run-wide total (lock) */
    uint64_t total;        /* that total: the lock task's final counter */
    uint64_t payload_bytes; /* sum over workers of payload bytes received */
    uint64_t floor_ns;     /* the noise floor's reading in the same round
                              (0: none) */
    uint64_t floor_cpu_ns; /* that reading's CPU time (0: none) */
    uint64_t job_ns;       /* median run time of its ok jobs (0: none) */
    uint64_t release_spread_ns; /* barrier: release to the last worker
                                   past the gate (0: no gate) */
    struct cb_sysstate_delta state; /* what others did during the sample */
};

/* One benchmark: a task, a mode and a worker count. */
struct cb_cell {
    char name[96];                 /* "cpu/threads/10" */
    const struct cb_task *task;
    const struct cb_executor *runner; /* the mode */
    uint32_t workers;              /* jobs (-n) */
    uint32_t units;                /* units of execution for them */
    struct cb_params params;
    struct cb_run_opts opts;       /* --gil, memory and payload options */
    enum cb_start start;
    uint32_t warmup, repetitions;  /* repetitions actually run */
    uint64_t max_time_ns;          /* --max-time in force; 0: none */
    uint64_t min_time_ns;          /* --min-time that sized its job; 0 */
    char status[CB_ERROR_MAX + 16]; /* "ok" or what went wrong */
    bool failed;                   /* status is not "ok" */
    bool warmup_failed;            /* a worker failed in a warmup run:
                                      status says how, unless a measured
                                      run failed too */
    struct cb_sample *samples;     /* owned; nsamples <= repetitions */
    size_t nsamples;
    struct cb_stats wall;          /* of samples[].wall_ns, in seconds */
    struct cb_stats spawn;         /* of every unit's creation latency
                                      (call -> first instruction) */
    struct cb_stats creation;      /* of spawn less its run-queue wait
                                      (n 0: the wait could not be read) */
    struct cb_stats queue_wait;    /* of every unit's run-queue wait before
                                      its first instruction */
    struct cb_stats release_spread; /* barrier: of each sample's release to
                                      its last worker past the gate, s */
    struct cb_pool_figures pool;   /* pools: dispatch, queue, completion */
    struct cb_loop_figures loop;   /* event loop: lateness, memory */
    struct cb_stats util;          /* of (user+sys)/wall per sample */
    struct cb_stats mem_kib;       /* of per-worker PSS KiB per sample
                                      (n 0: memory not measured) */
    struct cb_stats handoff;       /* of every worker's payload hand-off, s */
    struct cb_stats gil_wait;      /* of every worker's GIL wait, s */
    uint64_t ops_per_job;          /* task->ops(params); 0: no per-op figure */
    struct cb_stats per_op;        /* of every ok job's run time / its ops, s */
    struct cb_stats others_cpu;    /* of per-sample CPUs used by others */
    struct cb_stats procs_running; /* of per-sample runnable tasks (ours too) */
    double steal_s;                /* steal over all samples; NAN if unknown */
    double speedup;                /* serial median / this median; NAN if none */
    char warnings[CB_MAX_WARNINGS][192];
    size_t nwarnings;
};

struct cb_results {
    struct cb_context context;
    struct cb_cell *cells;         /* owned */
    size_t ncells;
    struct cb_floor floor;         /* the noise floor (readings owned) */
};

/* Frees everything r owns and zeroes it; r itself is not freed. */
void cb_results_free(struct cb_results *r);

/* Returns true if any cell failed. Can't fail. */
bool cb_results_failed(const struct cb_results *r);

/* Fills the per-sample aggregates of s from its worker records. */
void cb_sample_summarise(struct cb_sample *s, enum cb_start start);

/* Sets *kib to the PSS the live units of s added, per unit of execution
 * (what the set adds over the parent's PSS before it spawned them; with
 * one job per unit, per worker). Returns false,
 * leaving *kib alone, when s has no memory reading. Can't fail. */
bool cb_sample_worker_kib(const struct cb_sample *s, double *kib);

/* --lock=none: the updates sample s of c lost (the expected total minus
 * its total) into *lost. Returns false, *lost untouched, when c does not
 * measure them. Can't fail. */
bool cb_cell_lost_updates(const struct cb_cell *c, const struct cb_sample *s, uint64_t *lost);

/* Computes the wall, spawn and utilisation statistics, the status and the
 * warnings of c; speedup stays NAN until cb_results_speedups(). Returns 0,
 * or -1 on allocation failure (err set). */
int cb_cell_finish(struct cb_cell *c, struct cb_error *err);

/* Sets speedup of every cell that has a serial counterpart. */
void cb_results_speedups(struct cb_results *r);

#endif
