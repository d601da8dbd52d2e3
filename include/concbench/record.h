/* The fixed-size records each job and each unit of execution fill (they
 * live in the shared mapping, concbench/shared.h), and their status text. */
#ifndef CONCBENCH_RECORD_H
#define CONCBENCH_RECORD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define CB_CACHE_LINE 64

enum cb_worker_status {
    CB_WORKER_PENDING = 0,    /* never reported back */
    CB_WORKER_OK,             /* ran, checksum right */
    CB_WORKER_WRONG_CHECKSUM, /* ran, checksum wrong */
    CB_WORKER_CRASHED,        /* killed by signal `detail` */
    CB_WORKER_EXITED,         /* process exited with status `detail` */
    CB_WORKER_NOT_STARTED,    /* could not be created */
    CB_WORKER_TIMEOUT,        /* ran past --timeout */
    CB_WORKER_BAD_PAYLOAD,    /* payload short or checksum wrong */
    CB_WORKER_NO_MEMORY,      /* could not allocate --worker-memory */
    CB_WORKER_ABANDONED,      /* stopped because a worker whose shared
                                 state it used died */
    CB_WORKER_SETUP_FAILED,   /* the task's per-worker setup failed */
};

/* One worker's measurements. Times are CLOCK_MONOTONIC nanoseconds.
 * Cache-line aligned so workers never share a line. */
struct cb_worker_record {
    _Alignas(CB_CACHE_LINE) uint64_t create_ns; /* parent, before create */
    uint64_t first_ns;        /* worker's first instruction */
    uint64_t start_ns;        /* task started (after the gate) */
    uint64_t end_ns;          /* task returned */
    uint64_t cpu_ns;          /* CPU time while running, exact (CPU clock) */
    uint64_t user_ns;         /* CPU time in user mode (getrusage, coarse) */
    uint64_t sys_ns;          /* CPU time in kernel mode while running */
    uint64_t ctx_voluntary;   /* context switches while running */
    uint64_t ctx_involuntary;
    uint64_t max_rss_kib;     /* getrusage ru_maxrss seen by the worker */
    uint64_t checksum;
    int32_t cpu;              /* sched_getcpu() at the end, -1 unknown */
    int32_t status;           /* enum cb_worker_status */
    int32_t detail;           /* signal number or exit status */
    _Atomic uint32_t done;    /* set last by the worker: record complete */
    uint64_t gil_wait_ns;     /* --gil: time spent waiting for the lock */
    uint64_t send_ns;         /* payload: hand-off began (worker) */
    uint64_t recv_ns;         /* payload: all of it at the parent */
    uint64_t payload_bytes;   /* payload: bytes the parent received */
    uint64_t payload_sum;     /* payload: checksum the worker computed */
    uint64_t payload_ptr;     /* threads: address of the worker's buffer */
    uint64_t handoff_faults;  /* payload: page faults the worker took
                                 while handing over */
    uint64_t created_ns;      /* parent, its unit's create call returned */
    uint64_t queue_wait_ns;   /* run-queue wait before its unit's first
                                 instruction (schedstat); see queue_known */
    int32_t queue_known;      /* queue_wait_ns was read */
    uint64_t released_ns;     /* barrier: its unit passed the start gate */
    uint64_t free_ns;         /* pools: its unit became free to take it */
    uint64_t seen_ns;         /* pools: the parent saw it finished */
    int32_t unit;             /* pools: 1 + the unit that ran it (0: none) */
    uint64_t deadline_ns;     /* loop: when its wait was due (0: none) */
    uint64_t minor_faults;    /* page faults while running (getrusage) */
    uint64_t major_faults;
    uint64_t cpu_migrations;  /* se.nr_migrations while running; see
                                 migrations_known */
    int32_t migrations_known; /* cpu_migrations was read at both ends */
    int32_t usage_known;      /* getrusage read at both ends: the faults
                                 and context switches are counts, not 0s */
    char note[96];            /* setup-failed: the task's message;
                                 out-of-memory: what failed, if known */
};

/* One unit of execution's creation, as the driver and the unit saw it. A
 * unit runs one or more jobs (jobs first_job .. first_job + jobs - 1). */
struct cb_unit_record {
    _Alignas(CB_CACHE_LINE) uint64_t create_ns; /* parent, before create */
    uint64_t created_ns;      /* parent, the create call returned */
    uint64_t first_ns;        /* the unit's first instruction */
    uint32_t first_job;
    uint32_t jobs;
    int32_t cpu;              /* sched_getcpu() at its first instruction */
    int32_t queue_known;      /* queue_wait_ns was read */
    uint64_t queue_wait_ns;   /* run-queue wait before its first
                                 instruction (/proc/thread-self/schedstat) */
    uint64_t pending_bytes;   /* loop: resident memory its pending jobs
                                 added, all armed at once */
    uint32_t claim_from, claim_to; /* pools: the chunk it last took */
    int32_t status;           /* enum cb_worker_status of the unit */
    int32_t detail;
    _Atomic uint32_t done;    /* set last by the unit */
};

/* Writes a short status text for rec ("ok", "wrong-checksum",
 * "crashed: SIGSEGV", "exit 3", "not-started", "timeout", "bad-payload",
 * "abandoned", "setup-failed", "no-report")
 * into buf. Can't fail. */
void cb_record_status_str(const struct cb_worker_record *rec, char *buf,
                          size_t len);

/* The first of the n records that failed, preferring one that failed on
 * its own to one abandoned because of it (the cause, not the
 * consequence); NULL when all are ok. Can't fail. */
const struct cb_worker_record *cb_record_first_failure(const struct cb_worker_record *rec,
                                                       uint32_t n);

#endif
