/* The worker body: the one function every runner calls in its worker. */
#ifndef CONCBENCH_WORKER_H
#define CONCBENCH_WORKER_H

#include "concbench/gate.h"
#include "concbench/record.h"
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
};

/* Timestamps, passes the gate, runs the task, reads CPU time, context
 * switches and CPU, and fills *a->rec (status CB_WORKER_OK; the parent
 * verifies the checksum). Can't fail: a failed getrusage leaves zeros. */
void cb_worker_run(const struct cb_worker_args *a);

#endif
