/* How N workers are created, released and reaped. One file per runner
 * under src/runners/. */
#ifndef CONCBENCH_RUNNER_H
#define CONCBENCH_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/record.h"
#include "concbench/task.h"

enum cb_start {
    CB_START_IMMEDIATE, /* each worker runs as soon as it exists */
    CB_START_BARRIER,   /* all created, then released together */
};

/* --transport: how a process hands its payload back. */
enum cb_transport {
    CB_TRANSPORT_PIPE, /* written through a pipe, read by the parent */
    CB_TRANSPORT_SHM,  /* copied into shared memory mapped before fork */
};

enum cb_pin {
    CB_PIN_NONE,    /* the scheduler places workers */
    CB_PIN_SPREAD,  /* worker i on usable CPU i mod n: round robin */
    CB_PIN_COMPACT, /* workers in blocks: consecutive ones share a CPU */
};

/* "none", "spread", "compact"; NULL past the end. Can't fail. */
const char *cb_pin_name(size_t i);

#define CB_SWITCH_DEFAULT_NS 5000000u /* --switch-interval, as CPython */

/* Run-wide options every runner honours. All zero: none of them. */
struct cb_run_opts {
    bool gil;                /* emulated global interpreter lock */
    uint64_t switch_ns;      /* GIL: hand over after this long if wanted */
    uint64_t worker_mem;     /* bytes each worker allocates and touches */
    uint64_t parent_mem;     /* bytes the parent touches before the runs */
    uint64_t payload;        /* bytes of result each worker hands back */
    enum cb_transport transport;
    uint64_t timeout_ns;     /* --timeout per repetition; 0: none */
    uint64_t stack_size;     /* threads: stack bytes; 0: the default */
    enum cb_pin pin;         /* --pin: each worker pins itself */
};

/* One sample's worth of work for a runner. */
struct cb_run_spec {
    const struct cb_task *task;
    const struct cb_params *params;
    const struct cb_hooks *hooks; /* may be NULL */
    uint32_t workers;
    enum cb_start start;
    struct cb_shared *shared; /* >= workers records, reset by the caller */
    const struct cb_run_opts *opts; /* NULL: all zero */
    void *task_state;         /* from cb_task_run_begin(), or NULL */
};

/* Memory of the live worker set, read while every worker is held after
 * its task (PSS from /proc/PID/smaps_rollup). */
struct cb_run_memory {
    bool valid;             /* false: not measured or unreadable */
    uint64_t baseline_kib;  /* the parent's PSS before any worker existed */
    uint64_t total_pss_kib; /* processes: parent + every child; threads:
                               the process */
};

/* Timestamps of one sample, CLOCK_MONOTONIC ns. */
struct cb_run_times {
    uint64_t t0_ns;       /* just before the first create call */
    uint64_t ready_ns;    /* every worker created (barrier: at the gate) */
    uint64_t release_ns;  /* gate opened; equals t0_ns when immediate */
    uint64_t t1_ns;       /* last worker reaped */
    uint32_t started;     /* workers actually created */
    uint64_t held_ns;     /* every worker held after its task (0: never) */
    uint64_t unheld_ns;   /* memory read, workers let go to exit */
    struct cb_run_memory memory;
    uint32_t abandoned;   /* threads still running past --timeout: they
                             cannot be killed, so the run must stop */
};

struct cb_runner {
    const char *name;        /* the --mode value */
    const char *description; /* one line, shown by `concbench list` */
    bool separate_memory;    /* workers are processes: shared state must
                                be PTHREAD_PROCESS_SHARED */
    /* Runs spec->workers workers once. Worker failures (crash, exit
     * status) land in their records, not in the return value. Returns 0,
     * or -1 with err set when a worker could not be created; then every
     * worker already started has been released and reaped, and
     * times->started says how many there were. Every worker is held
     * after its task until the parent has read the memory of the set
     * (times->held_ns..unheld_ns, not part of any worker's run time). */
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
