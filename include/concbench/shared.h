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
    _Atomic uint32_t wake_seq; /* bumped by every arrival at a gate and
                                  every nudge: what the parent sleeps on */
    uint32_t capacity;        /* job records allocated */
    int32_t memfd;            /* the parent's descriptor of this mapping (a
                                 memfd: a spawned unit maps it), or -1 */
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

/* Bytes of the mapping cb_shared_map(n) makes. Can't fail. */
size_t cb_shared_size(uint32_t n);

/* Maps the mapping of a cb_shared with capacity n from its memfd fd in a
 * process that did not inherit it (a spawned unit), fixing its own
 * pointers to the unit and done records up. Returns NULL with err set on
 * failure. */
struct cb_shared *cb_shared_attach(int fd, uint32_t n, struct cb_error *err);

/* Unit record i of s, from s's own address (a spawned unit's mapping is
 * not at the parent's, whose s->unit points). Can't fail. */
struct cb_unit_record *cb_shared_unit(struct cb_shared *s, uint32_t i);

/* Entry i of s's finished-jobs list, from s's own address (as
 * cb_shared_unit). Can't fail. */
_Atomic uint32_t *cb_shared_done_id(struct cb_shared *s, uint32_t i);

/* size bytes of zeroed memory only the parent uses and writes while
 * children it forked are alive (their pids, its units): a shared mapping,
 * populated, so that no such write is a copy-on-write fault (a page copy,
 * 2-6 us here, between a fork and the parent going to sleep, which a
 * child on its CPU waits for) and a fork neither copies its pages nor
 * write-protects them. A forked child inherits it and must not touch it:
 * a stray write there lands in the parent's memory. (MADV_DONTFORK would
 * keep it out of the child, but costs each fork about 2 us here: the
 * kernel erases it from the child's copy of the address-space tree.)
 * Returns NULL on failure (errno set). Free with
 * cb_shared_parent_free(p, size). */
void *cb_shared_parent_alloc(size_t size);

/* Frees what cb_shared_parent_alloc(size) returned (NULL: nothing). */
void cb_shared_parent_free(void *p, size_t size);

/* Zeroes the counters, the first n job records and the first n unit
 * records. Can't fail. */
void cb_shared_reset(struct cb_shared *s, uint32_t n);

/* Unmaps s; NULL is accepted. */
void cb_shared_unmap(struct cb_shared *s);

#endif
