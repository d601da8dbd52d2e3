/* The start gate: a pipe whose write end the parent closes to release
 * every waiting worker at once, threads and processes alike. Its EOF
 * also wakes workers if the parent dies. */
#ifndef CONCBENCH_GATE_H
#define CONCBENCH_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/shared.h"

/* How long the parent sleeps at most between looks at its units while it
 * waits at a gate (and a --queue=pipe pool's pump between polls): 10 ms,
 * longer than a scheduler tick, so that going to sleep does not
 * reprogram the CPU's timer (see cb_gate_wait_ready). */
#define CB_GATE_NAP_NS 10000000L
_Static_assert(CB_GATE_NAP_NS >= 1000000L && CB_GATE_NAP_NS < 1000000000L,
               "the nap is whole milliseconds for poll() and under a second for a timespec");

struct cb_gate {
    int rfd, wfd;            /* -1 when closed */
    _Atomic uint32_t *count;  /* workers at the gate (in struct cb_shared) */
    _Atomic uint32_t *seq;    /* its wake_seq: bumped with every arrival
                                 and nudge, the word the parent waits on */
    _Atomic uint32_t *abort;  /* NULL: this gate cannot abort */
};

/* Opens the start gate (close-on-exec pipe), counting in shared->ready.
 * Returns 0, or -1 with err set. */
int cb_gate_open(struct cb_gate *g, struct cb_shared *shared,
                 struct cb_error *err);

/* Opens the hold gate every worker passes after its task, so that all
 * are alive together while the parent reads their memory; counts in
 * shared->held and never aborts. Returns 0, or -1 with err set. */
int cb_gate_open_hold(struct cb_gate *g, struct cb_shared *shared,
                      struct cb_error *err);

/* In a worker: counts itself ready, blocks until the gate opens. Returns
 * true when the worker should run its task, false when the parent asked
 * the workers to abort. */
bool cb_gate_pass(struct cb_gate *g);

/* In a worker: counts itself ready without waiting for the gate to open
 * (a pool process whose wait is its job pipe). Can't fail. */
void cb_gate_arrive(struct cb_gate *g);

/* In a worker: wakes a parent waiting on g (cb_gate_wait_ready) to look
 * again without arriving (a pool's job finished). Can't fail. */
void cb_gate_nudge(struct cb_gate *g);

/* In a forked child: drops the inherited write end, so only the parent
 * holds the gate shut. */
void cb_gate_child(struct cb_gate *g);

/* In the parent: waits until n workers are at the gate. alive(arg), when
 * given, is polled and a false return stops the wait. Returns 0 when all
 * are ready, -1 when alive() said stop. */
int cb_gate_wait_ready(struct cb_gate *g, uint32_t n, bool (*alive)(void *),
                       void *arg);

/* In the parent: opens the gate (or, with abort, tells the workers to
 * skip their task) by closing the write end. Idempotent. */
void cb_gate_release(struct cb_gate *g, bool abort);

/* Closes whatever is still open. Idempotent. */
void cb_gate_close(struct cb_gate *g);

#endif
