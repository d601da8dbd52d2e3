/* Samples whose units share the caller's address space (threads, serial)
 * run in a sample server: a child process forked before the run allocates
 * --parent-memory, kept for the whole run. A thread's crash then kills
 * the server, not concbench: it is that benchmark's outcome ("crashed:
 * SIGSEGV, whole process"), the server is started again and the other
 * benchmarks go on. Threads past --timeout, which cannot be killed, end
 * with their server. Under --start-method=forkserver the samples of the
 * modes made of processes run there too: their units are forked from
 * the server, which holds no --parent-memory. */
#ifndef CONCBENCH_ISOLATE_H
#define CONCBENCH_ISOLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"
#include "concbench/run.h"

struct cb_isolate {
    pid_t pid;      /* the server, 0: none running */
    int req, rep;   /* request write end, reply read end; -1: closed */
};

/* What one sample in the server came back with. */
struct cb_isolate_result {
    int rc;                  /* cb_run_sample's return (-1: err says why) */
    bool died;               /* the server died during the sample */
    bool timed_out;          /* it was killed at --timeout (and died) */
    int signal;              /* then: the signal that killed it, or 0 */
    int exit_status;         /* or its exit status */
    struct cb_run_times times;
    bool has_total;          /* the task's run-wide total, read there */
    uint64_t total;
    uint64_t server_cpu_ns;  /* CPU time the server used for the sample */
};

/* Starts a server (nothing yet running: is->pid 0). Every object a
 * request points to (executors, tasks, the records' mapping) must exist
 * before this call: the server is a fork. Returns 0, or -1 with err set. */
int cb_isolate_start(struct cb_isolate *is, struct cb_error *err);

/* Runs one sample of spec on x in the server, starting a new server when
 * none runs: maps the task's state there, runs the sample, reads the
 * total. The records land in spec->shared (MAP_SHARED). more: the next
 * sample concbench takes runs here too (the server then waits for it with
 * its CPU busy, as concbench itself would be). Returns 0 with
 * *res filled (res->rc, and err for res->rc != 0, as cb_run_sample's), or
 * -1 with err set when the server could not be reached or started. When
 * res->died, the server is gone and the next call starts another. */
int cb_isolate_run(struct cb_isolate *is, const struct cb_executor *x,
                   const struct cb_run_spec *spec, bool more, struct cb_isolate_result *res,
                   struct cb_error *err);

/* Ends the server and reaps it; is may hold none. Can't fail. */
void cb_isolate_stop(struct cb_isolate *is);

#endif
