/* The machine's state over a run: per benchmark from its samples, and
 * over the whole run into the context. */
#ifndef CONCBENCH_SYSSTATE_RUN_H
#define CONCBENCH_SYSSTATE_RUN_H

#include "concbench/error.h"
#include "concbench/results.h"

/* Computes c->others_cpu, c->procs_running and c->steal_s from the state
 * of its samples (n 0 / NAN when none has one). Returns 0, or -1 on
 * allocation failure (err set). */
int cb_sysstate_cell(struct cb_cell *c, struct cb_error *err);

/* Sets the measured figures of r->context.state over every sample of
 * every benchmark (others' CPUs summed, not averaged, so the 10 ms ticks
 * of /proc/stat average out). Returns 0, or -1 on allocation failure. */
int cb_sysstate_run(struct cb_results *r, struct cb_error *err);

/* The problems (WARN findings) of st as one-line warnings in
 * lines[0..max); returns how many. Can't fail. */
size_t cb_sysstate_problems(const struct cb_sysstate *st, char (*lines)[CB_SYSSTATE_LINE], size_t max);

#endif
