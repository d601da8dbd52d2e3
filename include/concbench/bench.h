/* The run: plan the cells, run warmups and interleaved repetitions. */
#ifndef CONCBENCH_BENCH_H
#define CONCBENCH_BENCH_H

#include <stdbool.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/results.h"

/* --max-time never cuts a run below this many repetitions (or -r). */
#define CB_MIN_REPETITIONS 5u

/* Told before each sample; rep counts from 0, warmups first. */
typedef void (*cb_progress_fn)(void *arg, const struct cb_cell *cell,
                               uint32_t round, uint32_t rounds, bool warmup);

/* Runs every cell of cfg (tasks x modes x workers): the warmup rounds,
 * then the repetition rounds, each round running every cell once. A cell
 * whose workers fail keeps going; one whose workers cannot be created
 * stops and says why in its status. out must hold a collected context
 * already. Returns 0, or -1 on a fatal error (err set; out keeps what
 * was measured). */
int cb_bench_run(const struct cb_config *cfg, struct cb_results *out,
                 cb_progress_fn progress, void *arg, struct cb_error *err);

/* Checks before a run that cfg could ever fit this machine's limits: a
 * worker count at or above RLIMIT_NPROC (for a user it binds) is refused.
 * Returns 0, or -1 with err naming the flag (a usage error). */
int cb_bench_check(const struct cb_config *cfg, struct cb_error *err);

#endif
