/* process-pool --queue=pipe: the dispatch Python's ProcessPoolExecutor
 * uses. The parent writes job descriptors into one pipe that every pool
 * process reads; each finished job, and each process that found the
 * queue empty, comes back through a second pipe the parent reads. The
 * descriptors and messages are fixed-size and written whole (below
 * PIPE_BUF), so readers need no lock: a pool process that dies holds
 * nothing the others wait for, and the kernel hands each descriptor to
 * exactly one reader. EOF on the job pipe (the parent closed it, or died)
 * tells a pool process there is no more work. */
#ifndef CONCBENCH_POOL_PIPE_H
#define CONCBENCH_POOL_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/record.h"

/* One descriptor: jobs first .. first + count - 1, queued at queued_ns. */
struct cb_pool_pipe_job {
    uint32_t first, count;
    uint64_t queued_ns;
};

/* A message on the completion pipe: a job index, or CB_POOL_PIPE_OUT |
 * unit when that unit found no more jobs. */
#define CB_POOL_PIPE_OUT 0x80000000u

struct cb_pool_pipe {
    int job_r, job_w, done_r, done_w; /* -1: closed */
    uint32_t jobs, chunk, next;       /* next: the first job not yet queued */
    uint32_t units, outs;             /* outs: units that said they are out */
    bool *out;                        /* per unit: it said so */
};

/* Opens both pipes for jobs jobs taken chunk at a time by units units
 * (close-on-exec; the parent's read end of the completions non-blocking;
 * each enlarged toward what a whole sample needs where the system
 * allows). Returns 0, or -1 with err set (q is then safe to close). */
int cb_pool_pipe_open(struct cb_pool_pipe *q, uint32_t jobs, uint32_t chunk,
                      uint32_t units, struct cb_error *err);

/* In a forked pool process: drops the parent's ends. Can't fail. */
void cb_pool_pipe_child(struct cb_pool_pipe *q);

/* In the parent: writes the descriptors that fit without blocking, each
 * stamped queued now. Returns true once every job is queued (then
 * cb_pool_pipe_stop gives the readers their EOF). Can't fail. */
bool cb_pool_pipe_feed(struct cb_pool_pipe *q);

/* In the parent: no more jobs will be queued (closes the job pipe).
 * Idempotent. */
void cb_pool_pipe_stop(struct cb_pool_pipe *q);

/* In the parent: reads every message waiting, stamping each finished
 * job's seen_ns in rec[]. Can't fail. */
void cb_pool_pipe_drain(struct cb_pool_pipe *q, struct cb_worker_record *rec);

/* In the parent: waits up to timeout_ms for the job pipe to take more
 * (while jobs are left to queue) or a message to arrive. Can't fail. */
void cb_pool_pipe_wait(const struct cb_pool_pipe *q, int timeout_ms);

/* Closes whatever is open and frees q's memory. Idempotent. */
void cb_pool_pipe_close(struct cb_pool_pipe *q);

/* In a pool process: blocks for the next descriptor. Returns false at
 * EOF (no more jobs, or the parent is gone). */
bool cb_pool_pipe_take(int fd, struct cb_pool_pipe_job *d);

/* In a pool process: sends one message (a job index, or
 * CB_POOL_PIPE_OUT | unit). A parent gone is ignored. */
void cb_pool_pipe_tell(int fd, uint32_t msg);

#endif
