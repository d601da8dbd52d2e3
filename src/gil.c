#include "concbench/gil.h"

#include <stdbool.h>
#include <string.h>

#include "concbench/clock.h"

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
    rc = pthread_cond_init(&g->turn, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&g->mu);
        cb_error_set(err, "cannot create the GIL condition: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void cb_gil_destroy(struct cb_gil *g)
{
    pthread_cond_destroy(&g->turn);
    pthread_mutex_destroy(&g->mu);
}

/* A ticket lock: each arrival takes the next number and runs when it is
 * served, so hand-offs go round in FIFO order and nobody starves. */
void cb_gil_acquire(struct cb_gil_worker *w)
{
    struct cb_gil *g = w->gil;
    uint64_t t0 = cb_clock_now_ns(), mine;
    bool blocked = false;

    atomic_fetch_add(&g->waiting, 1);
    pthread_mutex_lock(&g->mu);
    mine = g->next_ticket++;
    while (g->serving != mine) {
        blocked = true;
        pthread_cond_wait(&g->turn, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
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

    pthread_mutex_lock(&g->mu);
    g->serving++;
    pthread_cond_broadcast(&g->turn);
    pthread_mutex_unlock(&g->mu);
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
