/* The shared mapping: one record per job and per unit plus the start-gate
 * counters, mapped MAP_SHARED before any fork. */
#ifndef CONCBENCH_SHARED_H
#define CONCBENCH_SHARED_H

#include <stdatomic.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/record.h"

/* Shared between the parent and all workers; mapped MAP_SHARED before any
 * fork so children write straight into it. The unit records follow the
 * job records in the same mapping. */
struct cb_shared {
    _Alignas(CB_CACHE_LINE) _Atomic uint32_t ready; /* units at the gate */
    _Atomic uint32_t abort;   /* set: units at the gate skip their jobs */
    _Atomic uint32_t held;    /* units held after their jobs */
    uint32_t capacity;        /* job records allocated */
    struct cb_unit_record *unit; /* capacity records, in the mapping */
    /* Pools: the jobs not yet taken (the next job's index), when they
     * were queued, and the jobs in the order they finished (capacity
     * entries, UINT32_MAX until written; done_count entries claimed). */
    _Atomic uint32_t next_job;
    _Atomic uint32_t done_count;
    _Atomic uint64_t queued_ns;
    _Atomic uint32_t *done_ids;
    struct cb_worker_record rec[];
};

/* Maps a zeroed cb_shared with room for n job records and n unit records
 * (no executor runs more units than jobs). Returns NULL with err set on
 * failure. Free with cb_shared_unmap(). */
struct cb_shared *cb_shared_map(uint32_t n, struct cb_error *err);

/* Zeroes the counters, the first n job records and the first n unit
 * records. Can't fail. */
void cb_shared_reset(struct cb_shared *s, uint32_t n);

/* Unmaps s; NULL is accepted. */
void cb_shared_unmap(struct cb_shared *s);

#endif
