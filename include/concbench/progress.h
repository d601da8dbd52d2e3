/* Progress of a run on a terminal: benchmark, round, elapsed, ETA. */
#ifndef CONCBENCH_PROGRESS_H
#define CONCBENCH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "concbench/results.h"

struct cb_progress {
    FILE *out;          /* where the line goes (stderr) */
    uint64_t t0_ns;     /* when the run began */
    uint64_t done;      /* samples started so far */
    uint64_t total;     /* samples in the whole run */
    size_t last_len;    /* length of the line on screen, to blank it */
};

/* Starts tracking a run of total samples, drawing on out. Can't fail. */
void cb_progress_init(struct cb_progress *p, FILE *out, uint64_t total);

/* A cb_progress_fn (bench.h): arg is a struct cb_progress. Redraws one
 * line: "[12/60] cpu/threads/2  round 3/11 (warmup)  4.2 s, ETA 12 s". */
void cb_progress_step(void *arg, const struct cb_cell *cell, uint32_t round,
                      uint32_t rounds, bool warmup);

/* Blanks the line. Can't fail. */
void cb_progress_done(struct cb_progress *p);

#endif
