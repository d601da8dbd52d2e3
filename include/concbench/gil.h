/* An emulated global interpreter lock: one lock a worker must hold to run
 * task code, handed over in FIFO order every switch interval when another
 * worker waits, and released around blocking calls (as CPython does).
 * A drop hands the lock straight to the first waiter and wakes that one
 * alone (its own futex word): one wake-up per hand-off, never a herd. */
#ifndef CONCBENCH_GIL_H
#define CONCBENCH_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "concbench/error.h"
#include "concbench/task.h"

/* A worker queued for the lock; lives on the waiter's stack. */
struct cb_gil_waiter {
    struct cb_gil_waiter *next;  /* under mu */
    _Atomic uint32_t granted;    /* futex word: 1 once the lock is ours */
};

struct cb_gil {
    pthread_mutex_t mu;          /* guards held and the queue, briefly */
    bool held;                   /* under mu */
    struct cb_gil_waiter *head;  /* under mu: FIFO of waiters */
    struct cb_gil_waiter *tail;  /* under mu */
    _Atomic uint32_t waiting;    /* workers queued for the lock */
    uint64_t switch_ns;
};

/* One worker's view of the lock; the arg of its hooks. */
struct cb_gil_worker {
    struct cb_gil *gil;
    uint64_t since_ns;          /* when this worker last got the lock */
    uint64_t wait_ns;           /* total time spent waiting for it */
};

/* Initialises g (process-private). Returns 0, or -1 with err set. */
int cb_gil_init(struct cb_gil *g, uint64_t switch_ns, struct cb_error *err);

/* Destroys g; no worker may hold or wait for it. Can't fail. */
void cb_gil_destroy(struct cb_gil *g);

/* Blocks until w's turn comes; adds the wait to w->wait_ns. */
void cb_gil_acquire(struct cb_gil_worker *w);

/* Hands the lock to the next in line. The caller must hold it. */
void cb_gil_release(struct cb_gil_worker *w);

/* At a task's check point: if w has held the lock for the switch
 * interval and another worker waits, releases and queues again. */
void cb_gil_checkpoint(struct cb_gil_worker *w);

/* Fills h with hooks that make a task run under w's lock: enter/leave
 * acquire and release, checkpoint switches, block_begin/end release and
 * reacquire around blocking calls. Can't fail. */
void cb_gil_hooks(struct cb_gil_worker *w, struct cb_gil *g, struct cb_hooks *h);

#endif
