/* --start-method=spawn: a unit is a fresh concbench image (posix_spawn of
 * the running binary with the hidden argument --worker=FD:UNIT). Nothing
 * crosses by pointer: FD is an inherited memfd holding a flat spawn block
 * (names, parameters and options by value, sizes), the records and the
 * task's state are memfds mapped again in the child, and the gates' read
 * ends are inherited on fixed descriptor numbers. */
#ifndef CONCBENCH_SPAWN_H
#define CONCBENCH_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "concbench/error.h"
#include "concbench/params.h"
#include "concbench/run.h"

/* Where a spawned unit finds what it inherits. */
enum {
    CB_SPAWN_FD_BLOCK = 3,  /* the spawn block's memfd */
    CB_SPAWN_FD_SHARED,     /* the records' memfd (struct cb_shared) */
    CB_SPAWN_FD_STATE,      /* the task state's memfd, when it has one */
    CB_SPAWN_FD_GATE,       /* the start gate's read end, when gated */
    CB_SPAWN_FD_HOLD,       /* the hold gate's read end */
};

#define CB_SPAWN_NAME_MAX 64

/* The spawn block: everything a spawned unit rebuilds its worker from. */
struct cb_spawn_block {
    uint64_t magic;                   /* CB_SPAWN_MAGIC */
    char version[64];                 /* this build's (see spawn.c) */
    uint32_t block_size;              /* sizeof(struct cb_spawn_block) */
    pid_t parent;                     /* the unit's parent */
    char task[CB_SPAWN_NAME_MAX];     /* looked up in cb_tasks */
    char executor[CB_SPAWN_NAME_MAX]; /* looked up in cb_executors */
    struct cb_params params;
    struct cb_run_opts opts;
    uint32_t workers;                 /* jobs in the sample */
    uint32_t nunits;
    uint32_t capacity;                /* of the records' mapping */
    uint64_t state_size;              /* 0: no task state */
    bool gated, held;                 /* the start, hold gate exist */
};

/* Writes b (magic and version filled here) into a new close-on-exec
 * memfd. Returns its descriptor, or -1 with err set. */
int cb_spawn_block_open(struct cb_spawn_block *b, struct cb_error *err);

/* What a spawn passes on: the parent's descriptors, -1 when absent. */
struct cb_spawn_fds {
    int block, shared, state, gate, hold;
};

/* Starts unit `unit` as a fresh image: posix_spawn of the running binary
 * with its descriptors on the fixed numbers, default dispositions for
 * the signals concbench catches and no signal blocked. Returns 0 with
 * *pid set, or an errno value with nothing started. */
int cb_spawn_unit(const struct cb_spawn_fds *fds, uint32_t unit, pid_t *pid);

/* Whether arg is the hidden worker argument ("--worker=..."). */
bool cb_spawn_is_worker_arg(const char *arg);

/* Says that this program's main hands "--worker=..." to
 * cb_spawn_worker_main before anything else (concbench's does). A spawn
 * runs the running binary again: in a program whose main does not (a
 * test, another program linking the library), each spawned unit would
 * run that main, which could spawn again without end. Can't fail. */
void cb_spawn_set_host(void);

/* Whether cb_spawn_set_host was called. Can't fail. */
bool cb_spawn_is_host(void);

/* The spawned unit's main: checks "--worker=FD:UNIT" (FD must be an
 * inherited memfd whose spawn block has the magic and this build's
 * version), maps what it names and runs the unit body the fork path
 * runs, then _exits 0 as a forked unit does. Returns only on failure:
 * 2 with err set when arg is not concbench's own (a user's), 125 with err
 * set when what it names could not be had. */
int cb_spawn_worker_main(const char *arg, struct cb_error *err);

/* In the spawned unit (src/run.c): rebuilds the driver's view of unit
 * `unit` from b and the inherited descriptors and runs the unit body the
 * fork path runs. Returns 0 after it ran, or -1 with err set when the
 * task, the executor or a mapping could not be had. */
int cb_run_spawned(const struct cb_spawn_block *b, uint32_t unit, struct cb_error *err);

#endif
