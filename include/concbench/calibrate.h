/* --min-time: size a task's work so one job lasts at least a duration
 * here, once per task before the warmups (as Google Benchmark and pyperf
 * do), rounded to a stable value so that two runs on one machine usually
 * pick the same size and stay comparable. */
#ifndef CONCBENCH_CALIBRATE_H
#define CONCBENCH_CALIBRATE_H

#include <stdint.h>

#include "concbench/error.h"
#include "concbench/shared.h"
#include "concbench/task.h"

/* The smallest 1, 2 or 5 x 10^k at or above v (v itself past 5 x 10^18).
 * Can't fail. */
uint64_t cb_calibrate_round(uint64_t v);

/* Finds the value of task->size_param (linear: scaled and rounded with
 * cb_calibrate_round; otherwise stepped by one) at which one job, run
 * alone in this thread, lasts at least min_ns, starting from p and
 * writing the result into p. sh holds at least one record. A task
 * without size_param is left alone. Returns 0, or -1 with err set when a
 * trial job failed or no value within the parameter's range is enough. */
int cb_calibrate(const struct cb_task *task, struct cb_params *p, uint64_t min_ns,
                 struct cb_shared *sh, struct cb_error *err);

#endif
