/* Helpers the runners share. */
#ifndef CONCBENCH_RUNNER_INTERNAL_H
#define CONCBENCH_RUNNER_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "concbench/gate.h"
#include "concbench/runner.h"
#include "concbench/worker.h"

/* spec->opts, or all-zero options. Can't fail. */
const struct cb_run_opts *cb_runner_opts(const struct cb_run_spec *spec);

/* The worker arguments every runner starts from: task, params, hooks,
 * record i, state and options, with no gate, lock or hand-off yet. */
struct cb_worker_args cb_runner_args(const struct cb_run_spec *spec, uint32_t i,
                                     enum cb_worker_scope scope);

/* Reads the parent's PSS before any worker exists into t->memory. */
void cb_runner_baseline(struct cb_run_times *t);

/* Waits until n workers are held at hold (alive as cb_gate_wait_ready),
 * reads the set's PSS (this process plus the pids, which may be NULL)
 * into t->memory, stamps t->held_ns/unheld_ns and releases the gate.
 * When the wait fails the memory is left invalid. Can't fail. */
void cb_runner_hold(struct cb_gate *hold, uint32_t n, const pid_t *pids,
                    bool (*alive)(void *), struct cb_run_times *t);

/* What limit a failed creation (fork or pthread_create returning rc) most
 * likely hit, as " (…)" to append to the message; "" for other errors.
 * Can't fail. */
const char *cb_runner_limit_hint(int rc, bool threads);

/* In one address space (threads, serial) the payloads are already here:
 * checks each of workers 0..n-1 and frees its buffer. Can't fail. */
void cb_runner_collect_payloads(const struct cb_run_spec *spec, uint32_t n);

#endif
