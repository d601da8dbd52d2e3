/* The noise floor: how steady this machine is at all. A bare counting
 * loop, as long as the run's median job, timed once per round between the
 * benchmarks' samples: no harness can be steadier than it, so its spread
 * is the floor a benchmark's spread is judged against. */
#ifndef CONCBENCH_FLOOR_H
#define CONCBENCH_FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/stats.h"

#define CB_FLOOR_MAX_ROUNDS 1000001u

struct cb_floor {
    uint64_t steps;      /* steps of the loop; 0: not calibrated yet */
    uint64_t target_ns;  /* the job length it was sized to */
    double *wall_s;      /* owned: one reading per round */
    size_t n, cap;
    struct cb_stats stats; /* of wall_s, once finished */
};

/* Sizes the loop to last about target_ns here (a few short trial runs).
 * Can't fail: at least one step. */
void cb_floor_calibrate(struct cb_floor *f, uint64_t target_ns);

/* The most tries cb_floor_probe times. */
#define CB_FLOOR_PROBE_MAX 4096u

/* How steady this CPU is now: the loop, sized to about try_ns of CPU
 * time, timed back to back in the calling thread for about window_ns (at
 * least 3 tries, at most CB_FLOOR_PROBE_MAX), its wall times in seconds
 * into s. Returns 0, or -1 (s zeroed) when memory runs out or no try
 * could be timed: the caller's state then has no probe, which is not an
 * error of its own (no cb_error). */
int cb_floor_probe(uint64_t window_ns, uint64_t try_ns, struct cb_stats *s);

/* Runs the loop once, in a child process of its own while the caller
 * waits on a pipe (in a thread of this process if no process can be made
 * or the child ends without a reading, in line if no thread can be made
 * either), and keeps its wall time; sets *ns to it and *cpu_ns to the
 * loop's CPU time (the loop thread's CPU clock: what the loop cost
 * without the waiting for a CPU). Both are 0, and nothing is kept, when
 * not calibrated (nothing run); *cpu_ns is 0 when the CPU clock cannot be
 * read. Returns 0, or -1 with err set on allocation failure. */
int cb_floor_round(struct cb_floor *f, uint64_t *ns, uint64_t *cpu_ns,
                   struct cb_error *err);

/* Computes f->stats from the readings. Returns 0, or -1 with err set. */
int cb_floor_finish(struct cb_floor *f, struct cb_error *err);

/* Above this CV the floor itself is too unsteady for compare's default
 * 5% threshold: a change that small cannot be told from the machine. */
#define CB_FLOOR_CV_WARN 0.05

/* Writes a warning into buf when the finished floor varies more than
 * CB_FLOOR_CV_WARN, and returns true; false (buf untouched) otherwise.
 * Can't fail. */
bool cb_floor_warning(const struct cb_floor *f, char *buf, size_t len);

/* One line saying what the floor was ("noise floor: ..."), for the
 * summaries; false when there is none. Can't fail. */
bool cb_floor_line(const struct cb_floor *f, char *buf, size_t len);

/* Frees the readings and zeroes f. Can't fail. */
void cb_floor_free(struct cb_floor *f);

#endif
