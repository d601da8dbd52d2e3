/* The worker body: the one function every runner calls in its worker. */
#ifndef CONCBENCH_WORKER_H
#define CONCBENCH_WORKER_H

#include "concbench/gate.h"
#include "concbench/gil.h"
#include "concbench/payload.h"
#include "concbench/record.h"
#include "concbench/runner.h"
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
    struct cb_worker_record *rec;
    enum cb_worker_scope scope;
    /* Optional, zero: off. */
    void *state;              /* the task's run state (cb_task_run) */
    struct cb_gil *gil;       /* run the task code holding this lock */
    struct cb_gate *hold;     /* passed after the task, before returning */
    uint64_t worker_mem;      /* bytes touched after the task, until return */
    struct cb_payload_out payload; /* result hand-off after the task */
    enum cb_pin pin;          /* pin itself (sched_setaffinity) before the gate */
    uint32_t nworkers;        /* how many workers the run has (for pinning) */
};

/* Timestamps, passes the gate, runs the task (under a->gil when given,
 * recording the wait in rec->gil_wait_ns), reads CPU time, context
 * switches and CPU, and fills *a->rec (status CB_WORKER_OK; the parent
 * verifies the checksum). Then, outside the timed run: touches
 * worker_mem bytes, hands the payload over, marks the record done and
 * waits at the hold gate, freeing the memory after it. Can't fail: a
 * failed getrusage leaves zeros. */
void cb_worker_run(const struct cb_worker_args *a);

#endif
