/* The run driver (src/run.c): the life of one sample, whatever the
 * executor. It maps the task's state, opens the start and hold gates,
 * starts the units through the executor, releases them, reads the memory
 * of the live set, waits with a deadline, kills what must die, hands the
 * payloads over and collects one record per job. */
#ifndef CONCBENCH_RUN_H
#define CONCBENCH_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/executor.h"
#include "concbench/shared.h"
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

/* --queue: how a process pool's jobs reach its processes. */
enum cb_queue {
    CB_QUEUE_SHM,  /* a counter in shared memory, released at once */
    CB_QUEUE_PIPE, /* descriptors through a pipe (ProcessPoolExecutor) */
};

/* "shm", "pipe"; NULL past the end. Can't fail. */
const char *cb_queue_name(size_t i);

enum cb_pin {
    CB_PIN_NONE,    /* the scheduler places workers */
    CB_PIN_SPREAD,  /* worker i on usable CPU i mod n: round robin */
    CB_PIN_COMPACT, /* workers in blocks: consecutive ones share a CPU */
};

/* "none", "spread", "compact"; NULL past the end. Can't fail. */
const char *cb_pin_name(size_t i);

/* --isolation: where the modes whose units share the caller's address
 * space (threads, serial) run their samples. */
enum cb_isolation {
    CB_ISOLATION_PROCESS, /* in the sample server (src/isolate.c) */
    CB_ISOLATION_NONE,    /* in concbench itself: a crash ends it */
};

/* "process", "none"; NULL past the end. Can't fail. */
const char *cb_isolation_name(size_t i);

/* --start-method: how the modes made of processes create them. */
enum cb_start_method {
    CB_START_FORK,       /* fork() from concbench (or its sample server
                            for threads and serial, as always) */
    CB_START_SPAWN,      /* posix_spawn of /proc/self/exe --worker=FD:UNIT */
    CB_START_FORKSERVER, /* fork() from the sample server, a small process
                            forked before --parent-memory is allocated */
};

/* "fork", "spawn", "forkserver"; NULL past the end. Can't fail. */
const char *cb_start_method_name(size_t i);

#define CB_SWITCH_DEFAULT_NS 5000000u /* --switch-interval, as CPython */

/* Run-wide options the driver honours for every executor. All zero: none
 * of them. */
struct cb_run_opts {
    bool gil;                /* emulated global interpreter lock */
    uint64_t switch_ns;      /* GIL: hand over after this long if wanted */
    uint64_t worker_mem;     /* bytes each worker allocates and touches */
    uint64_t parent_mem;     /* bytes the parent touches before the runs */
    uint64_t cow_touch;      /* processes: parts of CB_FRACTION_ONE of the
                                parent's pages each writes (copy on write) */
    uint64_t payload;        /* bytes of result each worker hands back */
    enum cb_transport transport;
    uint64_t timeout_ns;     /* --timeout per repetition; 0: none */
    uint64_t stack_size;     /* threads: stack bytes; 0: the default */
    enum cb_pin pin;         /* --pin: each worker pins itself */
    uint32_t isolation;      /* enum cb_isolation */
    uint32_t pool_size;      /* pools: units; 0: the executor's default */
    uint32_t chunk;          /* pools: jobs per take from the queue */
    uint32_t queue;          /* process pools: enum cb_queue */
    uint64_t shape;          /* hybrid: P << 32 | T (0: the defaults) */
    uint64_t loop_block_ns;  /* loop: a CPU burst before the jobs */
    uint32_t start_method;   /* enum cb_start_method (processes only) */
};

/* One sample's worth of work. */
struct cb_run_spec {
    const struct cb_task *task;
    const struct cb_params *params;
    const struct cb_hooks *hooks; /* may be NULL */
    uint32_t workers;         /* jobs: runs of the task (-n) */
    enum cb_start start;
    struct cb_shared *shared; /* >= workers job records and >= the units'
                                 records, reset by the caller */
    const struct cb_run_opts *opts; /* NULL: all zero */
    void *task_state;         /* from cb_task_run_begin(), or NULL */
    /* --parent-memory (opts->parent_mem bytes), inherited by forked
     * units, which write opts->cow_touch of its pages; NULL: none. */
    unsigned char *parent_mem;
    int state_fd;             /* its memfd (struct cb_task_run fd), which
                                 --start-method=spawn hands over; <= 0:
                                 none (spawn then refuses the sample) */
    uint64_t state_size;      /* its size (struct cb_task_run size) */
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
    int32_t release_cpu;  /* the CPU the gate was opened from, when */
    bool release_cpu_known; /* there was a gate and it could be read */
    uint64_t t1_ns;       /* last worker reaped */
    uint32_t started;     /* jobs whose unit was actually created */
    uint32_t units;       /* units of execution the sample had */
    uint32_t units_started; /* units actually created */
    uint64_t held_ns;     /* every worker held after its task (0: never) */
    uint64_t unheld_ns;   /* memory read, workers let go to exit */
    struct cb_run_memory memory;
    uint32_t abandoned;   /* units still running past --timeout that
                             cannot be killed (threads): the run must stop */
};

/* Runs spec->workers jobs once on executor x. Worker failures (crash,
 * exit status, a dead peer) land in their records, not in the return
 * value. Returns 0, or -1 with err set when a unit could not be created
 * (then every unit already started has been released and reaped, and
 * times->started says how many jobs had one) or when units ran past
 * --timeout and cannot be killed (times->abandoned > 0: the records and
 * the task state are still in use and must be left alone). Every unit is
 * held after its jobs until the parent has read the memory of the set
 * (times->held_ns..unheld_ns, not part of any job's run time). */
int cb_run_sample(const struct cb_executor *x, const struct cb_run_spec *spec,
                  struct cb_run_times *times, struct cb_error *err);

#endif
