/* The figures of the models that run many jobs per unit, from their
 * samples' job records.
 *
 * A worker pool (thread-pool, process-pool), from its
 * samples' job records: per job, dispatch latency (from the moment the
 * job could have started -- queued while a worker was idle, or a worker
 * became free while it was queued, whichever is later -- to its first
 * instruction), its queue wait (queued to that moment) and completion
 * latency (last instruction to the parent seeing it); per sample, jobs
 * per second of the run phase and the pool's creation. */
#ifndef CONCBENCH_MODEL_STATS_H
#define CONCBENCH_MODEL_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "concbench/error.h"

struct cb_cell;

/* Percentiles as schbench reports wake-up latency. */
struct cb_quantiles {
    size_t n;
    double median, p90, p99, max; /* seconds */
};

struct cb_pool_figures {
    bool measured;          /* the cell is a pool's and has samples */
    struct cb_quantiles dispatch, queue_wait, completion;
    double create_s;        /* median over samples: first create to the
                               whole pool waiting at the gate */
    double jobs_per_s;      /* median over samples of jobs / run phase */
};

/* An event loop (loop): how late each wait ended against its own
 * nanosecond deadline, and the resident memory one pending job added. */
struct cb_loop_figures {
    bool measured;
    struct cb_quantiles lateness;
    double pending_job_bytes; /* median over samples */
};

/* Fills c->pool from c's samples (nothing for a cell that is not a
 * pool's). Returns 0, or -1 with err set when memory runs out. */
int cb_pool_stats(struct cb_cell *c, struct cb_error *err);

/* Fills c->loop from c's samples (nothing when no job waited on a timer).
 * Returns 0, or -1 with err set when memory runs out. */
int cb_loop_stats(struct cb_cell *c, struct cb_error *err);

#endif
