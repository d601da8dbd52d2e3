/* How N workers are created, released and reaped. One file per runner
 * under src/runners/. */
#ifndef CONCBENCH_RUNNER_H
#define CONCBENCH_RUNNER_H

#include <stdint.h>

#include "concbench/error.h"
#include "concbench/record.h"
#include "concbench/task.h"

enum cb_start {
    CB_START_IMMEDIATE, /* each worker runs as soon as it exists */
    CB_START_BARRIER,   /* all created, then released together */
};

/* One sample's worth of work for a runner. */
struct cb_run_spec {
    const struct cb_task *task;
    const struct cb_params *params;
    const struct cb_hooks *hooks; /* may be NULL */
    uint32_t workers;
    enum cb_start start;
    struct cb_shared *shared; /* >= workers records, reset by the caller */
};

/* Timestamps of one sample, CLOCK_MONOTONIC ns. */
struct cb_run_times {
    uint64_t t0_ns;       /* just before the first create call */
    uint64_t ready_ns;    /* every worker created (barrier: at the gate) */
    uint64_t release_ns;  /* gate opened; equals t0_ns when immediate */
    uint64_t t1_ns;       /* last worker reaped */
    uint32_t started;     /* workers actually created */
};

struct cb_runner {
    const char *name;        /* the --mode value */
    const char *description; /* one line, shown by `concbench list` */
    /* Runs spec->workers workers once. Worker failures (crash, exit
     * status) land in their records, not in the return value. Returns 0,
     * or -1 with err set when a worker could not be created; then every
     * worker already started has been released and reaped, and
     * times->started says how many there were. */
    int (*run)(const struct cb_run_spec *spec, struct cb_run_times *times,
               struct cb_error *err);
};

/* Every runner, ending with NULL. */
extern const struct cb_runner *const cb_runners[];

/* Returns the runner named name, or NULL. Can't fail. */
const struct cb_runner *cb_runner_find(const char *name);

extern const struct cb_runner cb_runner_threads;
extern const struct cb_runner cb_runner_processes;
extern const struct cb_runner cb_runner_serial;

#endif
