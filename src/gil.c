#include "concbench/gil.h"

#include <linux/futex.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "concbench/clock.h"

/* The waiter's futex word is private to this process: a GIL is never
 * shared between processes (each has its own, as each interpreter does). */
static void futex_wait(_Atomic uint32_t *w, uint32_t expected)
{
    syscall(SYS_futex, w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, expected, NULL, NULL, 0);
}

static void futex_wake_one(_Atomic uint32_t *w)
{
    syscall(SYS_futex, w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}

int cb_gil_init(struct cb_gil *g, uint64_t switch_ns, struct cb_error *err)
{
    int rc;

    memset(g, 0, sizeof *g);
    g->switch_ns = switch_ns;
    rc = pthread_mutex_init(&g->mu, NULL);
    if (rc != 0) {
        cb_error_set(err, "cannot create the GIL mutex: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void cb_gil_destroy(struct cb_gil *g)
{
    pthread_mutex_destroy(&g->mu);
}

/* Takes the lock if it is free, else queues me at the tail. Returns
 * whether I must wait for a hand-off. */
static bool take_or_queue(struct cb_gil *g, struct cb_gil_waiter *me)
{
    bool queued;

    pthread_mutex_lock(&g->mu);
    queued = g->held;
    if (!queued) {
        g->held = true;
    } else {
        me->next = NULL;
        atomic_store_explicit(&me->granted, 0, memory_order_relaxed);
        if (g->tail)
            g->tail->next = me;
        else
            g->head = me;
        g->tail = me;
    }
    pthread_mutex_unlock(&g->mu);
    return queued;
}

/* A FIFO lock with direct hand-off: a free lock is taken at once (the
 * queue is then empty); a held one queues the caller, and each release
 * gives the lock to the head of the queue and wakes that waiter alone.
 * Nobody starves, and a drop costs one wake-up, not one per waiter. */
void cb_gil_acquire(struct cb_gil_worker *w)
{
    struct cb_gil *g = w->gil;
    struct cb_gil_waiter me = { 0 };
    uint64_t t0 = cb_clock_now_ns();
    bool blocked;

    atomic_fetch_add(&g->waiting, 1);
    blocked = take_or_queue(g, &me);
    while (blocked && atomic_load_explicit(&me.granted, memory_order_acquire) == 0)
        futex_wait(&me.granted, 0);
    atomic_fetch_sub(&g->waiting, 1);
    w->since_ns = cb_clock_now_ns();
    /* Waiting means another worker held the lock. An uncontended take
     * costs nothing: a worker preempted inside it (a lone process on a
     * busy machine) has not waited for the GIL. */
    if (blocked)
        w->wait_ns += w->since_ns - t0;
}

void cb_gil_release(struct cb_gil_worker *w)
{
    struct cb_gil *g = w->gil;
    struct cb_gil_waiter *next;

    pthread_mutex_lock(&g->mu);
    next = g->head;
    if (next) {
        g->head = next->next;
        if (!g->head)
            g->tail = NULL;
    } else {
        g->held = false;
    }
    pthread_mutex_unlock(&g->mu);
    if (!next)
        return;
    /* The lock stays held: it passes to next. Once granted is 1, next may
     * return and reuse its stack, so the wake can hit a word that is no
     * longer a waiter's: that is harmless (a futex wait tolerates a
     * spurious wake-up, and an unmapped address fails with EFAULT). */
    atomic_store_explicit(&next->granted, 1, memory_order_release);
    futex_wake_one(&next->granted);
}

void cb_gil_checkpoint(struct cb_gil_worker *w)
{
    /* Cheap when nobody waits: one atomic load, no clock read. */
    if (atomic_load_explicit(&w->gil->waiting, memory_order_relaxed) == 0)
        return;
    if (cb_clock_now_ns() - w->since_ns < w->gil->switch_ns)
        return;
    cb_gil_release(w);
    cb_gil_acquire(w);
}

static void hook_acquire(void *arg)
{
    cb_gil_acquire(arg);
}

static void hook_release(void *arg)
{
    cb_gil_release(arg);
}

static void hook_checkpoint(void *arg)
{
    cb_gil_checkpoint(arg);
}

void cb_gil_hooks(struct cb_gil_worker *w, struct cb_gil *g, struct cb_hooks *h)
{
    w->gil = g;
    w->since_ns = w->wait_ns = 0;
    *h = (struct cb_hooks){
        .checkpoint = hook_checkpoint,
        .block_begin = hook_release,
        .block_end = hook_acquire,
        .arg = w,
        .enter = hook_acquire,
        .leave = hook_release,
    };
}
