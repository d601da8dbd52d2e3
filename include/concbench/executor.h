/* An executor: how units of execution (threads, processes, plain calls,
 * and later pools, an event loop, hybrids) are started, waited for and
 * killed. One file per executor under src/executors/, one line in the
 * CB_EXECUTORS list of CMakeLists.txt. The driver (src/run.c) owns
 * everything else about a sample; an executor only runs a function in a
 * unit and declares what it is (its traits). */
#ifndef CONCBENCH_EXECUTOR_H
#define CONCBENCH_EXECUTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"

struct cb_run_opts;
struct cb_worker_args;

/* One unit of execution, as the driver keeps it. */
struct cb_unit {
    pid_t pid;      /* a process: its pid (0: none, or reaped) */
    pthread_t tid;  /* a thread */
    bool started;   /* start() succeeded and it was not waited for yet */
    /* When the creation call itself returned (CLOCK_MONOTONIC ns), stamped
     * by a start() that has bookkeeping of its own to do after it; 0: the
     * driver takes start()'s return as the call's end. */
    uint64_t call_end_ns;
};

/* How a unit ended, as wait() found it. */
struct cb_unit_end {
    bool signaled;  /* killed by signal `code` */
    bool exited;    /* exited with status `code` (processes only) */
    int code;
};

/* What a unit runs: the driver's unit body. */
typedef void (*cb_unit_fn)(void *arg);

/* The per-sample state of an executor: the driver gives it the options
 * and keeps priv for the executor. */
struct cb_exec {
    const struct cb_executor *executor;
    const struct cb_run_opts *opts;
    void *priv; /* the executor's own, from open() */
    /* --start-method=spawn: set by the driver, called by an executor
     * made of processes instead of fork() with start()'s arg; returns 0
     * with *pid set, or an errno value. NULL: fork. */
    int (*spawn)(void *arg, pid_t *pid);
};

struct cb_executor {
    const char *name;        /* the --mode value */
    const char *description; /* one line, shown by `concbench list` */

    /* Traits: what the layers above know of an executor. */
    bool opt_in;             /* left out of the default --mode list */
    bool separate_memory;    /* units are processes: shared state must be
                                process-shared, results cross a boundary */
    bool baseline;           /* speed-ups are measured against this one */
    bool concurrent;         /* its units run at the same time (a start
                                gate, a hold and pinning make sense) */
    bool spawns;             /* creates OS threads or processes (counted
                                against RLIMIT_NPROC) */
    bool killable;           /* a unit can be killed (--timeout, a failed
                                creation, a dead peer) */
    bool pooled;             /* its units take jobs from one queue (a
                                worker pool) instead of a fixed share */
    int order;               /* display order among the modes, ascending */
    const char *contrast;    /* the mode this one is weighed against in
                                the "threads vs processes" views, or NULL */
    const char *create_call; /* what creates a unit, for messages */
    const char *unit_noun;   /* what its units are, plural, for messages */

    /* Runs the unit's jobs its own way (an event loop) instead of one
     * after another; NULL: one after another. Called by the worker body
     * in the unit after the start gate, before the hold. */
    void (*run_jobs)(const struct cb_worker_args *a, uint32_t jobs, bool run);
    /* How many threads each unit runs its jobs on (a hybrid's processes
     * run threads). NULL: one. */
    uint32_t (*threads)(uint32_t jobs, const struct cb_run_opts *o);
    /* How many units run n jobs. NULL: one unit per job. */
    uint32_t (*units)(uint32_t jobs, const struct cb_run_opts *o);
    /* Prepares x->priv for one sample. NULL: nothing to prepare. Returns
     * 0, or -1 with err set. */
    int (*open)(struct cb_exec *x, uint32_t units, struct cb_error *err);
    /* Undoes open(). NULL: nothing. Can't fail. */
    void (*close)(struct cb_exec *x);
    /* Starts u running fn(arg) (a process: in a child that _exits when fn
     * returns; a plain call: runs it to the end before returning), and
     * may stamp u->call_end_ns as its creation call returns (after a fork,
     * the parent's first writes to its own memory are copy-on-write
     * faults, which are not the creation's). Returns 0, or an errno value
     * with nothing started. */
    int (*start)(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg);
    /* Waits for u to end, at most until deadline_ns (CLOCK_MONOTONIC, 0:
     * no deadline), filling *end. Returns 0, or ETIMEDOUT with u still
     * running. */
    int (*wait)(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                struct cb_unit_end *end);
    /* Waits for whichever of the n units ends first (NULL: wait in order
     * only); returns its index, or -1 when none is left. */
    int (*wait_any)(struct cb_exec *x, struct cb_unit *units, uint32_t n,
                    struct cb_unit_end *end);
    /* Ends u: a killable unit is killed (then still to be waited for);
     * otherwise it is left running, detached, and -1 is returned. */
    int (*kill)(struct cb_exec *x, struct cb_unit *u);
    /* True when a unit has already ended (polled while waiting at a gate,
     * without reaping it). NULL: units cannot end on their own. */
    bool (*any_ended)(struct cb_exec *x);
    /* True when u has already ended, without reaping it: the driver
     * kills the survivors of a dead peer, not the dead one, whose own
     * end (a SIGKILL from outside too) is its outcome. NULL: units
     * cannot end on their own. */
    bool (*ended)(struct cb_exec *x, const struct cb_unit *u);
};

/* Every executor, ending with NULL (generated from CB_EXECUTORS). */
extern const struct cb_executor *const cb_executors[];

/* Returns the executor named name, or NULL. Can't fail. */
const struct cb_executor *cb_executor_find(const char *name);

/* The baseline executor (the one with the baseline trait), or NULL.
 * Can't fail. */
const struct cb_executor *cb_executor_baseline(void);

/* Units for jobs jobs under x (one per job unless x says otherwise).
 * Can't fail. */
uint32_t cb_executor_units(const struct cb_executor *x, uint32_t jobs,
                           const struct cb_run_opts *o);

/* Threads each unit runs for jobs jobs under x (1 unless x says
 * otherwise). Can't fail. */
uint32_t cb_executor_unit_threads(const struct cb_executor *x, uint32_t jobs,
                                  const struct cb_run_opts *o);

/* x's display order, or a value after every executor for NULL (a mode
 * this build does not know, read from a file). Can't fail. */
int cb_executor_order(const struct cb_executor *x);

/* The display order of the mode named name (see cb_executor_order).
 * Can't fail. */
int cb_executor_order_of(const char *name);

/* The pair of modes weighed against each other ("threads vs processes"):
 * the first executor, in display order, with a contrast, and that
 * contrast. Returns false, leaving *first and *second alone, when no
 * executor has one. Can't fail. */
bool cb_executor_pair(const char **first, const char **second);

#endif
