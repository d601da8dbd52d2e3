/* The worker body: the one function every unit of execution runs, for
 * every executor. */
#ifndef CONCBENCH_WORKER_H
#define CONCBENCH_WORKER_H

#include "concbench/gate.h"
#include "concbench/gil.h"
#include "concbench/payload.h"
#include "concbench/record.h"
#include "concbench/run.h"
#include "concbench/task.h"

/* How the worker reads its own CPU time and counters. */
enum cb_worker_scope {
    CB_SCOPE_THREAD,  /* getrusage(RUSAGE_THREAD): a thread or serial */
    CB_SCOPE_PROCESS, /* getrusage(RUSAGE_SELF): a forked child */
};

struct cb_worker_args {
    const struct cb_task *task;
    const struct cb_params *params;
    const struct cb_hooks *hooks; /* may be NULL */
    struct cb_gate *gate;         /* NULL: start at once */
    struct cb_worker_record *rec; /* the first job's record */
    enum cb_worker_scope scope;
    uint32_t jobs;            /* jobs this unit runs: rec[0..jobs-1]; 0: 1 */
    struct cb_unit_record *unit; /* the unit's own record, or NULL */
    /* Optional, zero: off. */
    void *state;              /* the task's run state (cb_task_run) */
    struct cb_gil *gil;       /* run the task code holding this lock */
    struct cb_gate *hold;     /* passed after the task, before returning */
    uint64_t worker_mem;      /* bytes touched after the task, until return */
    unsigned char *cow;       /* pages inherited from the parent: write */
    uint64_t cow_len;         /* bytes of them, of which */
    uint64_t cow_touch;       /* parts of CB_FRACTION_ONE's pages, spread
                                 evenly, once per unit before its jobs */
    struct cb_payload_out payload; /* result hand-off after the task: the
                                      first job's (id, slot); job k uses
                                      id + k and slot + k * size */
    const int *payload_fds;   /* PIPE: each job's write end, or NULL */
    enum cb_pin pin;          /* pin itself (sched_setaffinity) before the gate */
    uint32_t njobs;           /* jobs in the whole sample */
    bool fresh;               /* the unit is a new thread or process: its
                                 run-queue wait so far is its start's */
    struct cb_shared *pool;   /* pools: take jobs from its queue (rec is
                                 then every job's record); NULL: none */
    uint32_t chunk;           /* pools: jobs per take (0: 1) */
    bool queue_pipe;          /* pools: take jobs from queue_fd (descriptors,
                                 cb_pool_pipe_take), tell done_fd of each
                                 finished, not the shared counter */
    int queue_fd, done_fd;    /* with queue_pipe */
    uint32_t threads;         /* run the unit's jobs on this many threads
                                 of its own (a hybrid); 0 or 1: in it */
    const struct cb_executor *executor; /* whose unit this is, or NULL */
    uint64_t loop_block_ns;   /* loop: a CPU burst before the jobs */
    uint32_t unit_index;      /* which unit this is (for pinning) */
    uint32_t nunits;          /* how many units the run has (for pinning) */
    /* Set by cb_worker_run, never by a caller: the unit's first job's
     * migration count, read before the gate (not after the release,
     * where each worker's read would delay the wake of the next). */
    bool gate_migrations_known;
    uint64_t gate_migrations;
};

/* A new thread's or process's first instruction of its own: what an
 * executor calls in the new unit as soon as it runs there (a thread's
 * start routine's first act; in a child as soon as fork() returns, before
 * its set-up: signal dispositions, death signal), so that its spawn_s is
 * the raw create's, with no harness code before the stamp. Stamps the
 * time, reads the run-queue wait so far and the CPU, per thread;
 * cb_worker_run then takes these as the unit's first instruction instead
 * of stamping its own, and whatever ran after the mark lands between the
 * first instruction and the task's start (waiting, never task time).
 * Call it at most once per unit, in the new thread or child itself.
 * Can't fail: an unreadable run-queue wait stays unknown. */
void cb_worker_mark_first(void);

/* The body of one unit: timestamps its first instruction, writes
 * cow_touch of the cow pages (a forked unit: copies on write), pins itself,
 * passes the gate, then runs its jobs one after another, each under
 * a->gil when given (recording the wait in gil_wait_ns), reading CPU
 * time, context switches and CPU, and filling its record (status
 * CB_WORKER_OK; the parent verifies the checksum). Then, outside the
 * timed run: touches worker_mem bytes, waits at the hold gate, frees the
 * memory, hands each job's payload over and marks each record done.
 * Can't fail: a failed getrusage leaves zeros and usage_known 0 (the
 * counters are then written as null). */
void cb_worker_run(const struct cb_worker_args *a);

/* One job of the unit, timed as every job is: rec is one of a->rec's,
 * run false records it not started. For executors that run jobs their
 * own way (run_jobs). Can't fail. */
void cb_worker_job(const struct cb_worker_args *a, struct cb_worker_record *rec, bool run);

/* Test builds only: what a job does after its task to simulate a fault
 * (crash, abort, a damaged payload). The library's own definition does
 * nothing and returns false; a test program links a strong definition
 * (tests/fault_inject.c). Returns whether the payload is to be damaged. */
bool cb_worker_fault(uint32_t job);

/* Test builds only: the parameters a job really runs with, from the
 * recorded ones (a test build's CONCBENCH_SLOWDOWN=PCT makes every job do
 * PCT% more work while the file still records the same parameters, so a
 * real slowdown can be injected into a comparable pair). Returns whether
 * they differ; the library's own definition copies them unchanged and
 * returns false. Can't fail. */
bool cb_worker_params(const struct cb_params *recorded, struct cb_params *run);

#endif
