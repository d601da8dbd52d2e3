/* threads: one POSIX thread per job, pthread_create / pthread_join. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concbench/clock.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "concbench/worker.h"
#include "unit_kinds.h"

struct thread_start {
    cb_unit_fn fn;
    void *arg;
};

/* The attributes every thread of a sample is created with. */
struct threads_priv {
    pthread_attr_t attr, *attrp;
    struct thread_start *starts; /* one per unit: outlives the create call */
    uint32_t n, next;            /* units are started in order, once each */
};

/* The thread's first act is its first-instruction stamp, before it reads
 * anything of the harness's, as a raw thread's would be. */
static void *thread_main(void *arg)
{
    const struct thread_start *s;

    cb_worker_mark_first();
    s = arg;
    s->fn(s->arg);
    return NULL;
}

int cb_threads_open(struct cb_exec *x, uint32_t units, struct cb_error *err)
{
    struct threads_priv *p = calloc(1, sizeof *p);

    if (!p || !(p->starts = calloc(units ? units : 1, sizeof *p->starts))) {
        free(p);
        cb_error_set(err, "out of memory for %u threads", units);
        return -1;
    }
    p->n = units;
    x->priv = p;
    if (!x->opts->stack_size)
        return 0;
    if (pthread_attr_init(&p->attr) != 0)
        return cb_error_set(err, "cannot make thread attributes"), -1;
    p->attrp = &p->attr;
    if (pthread_attr_setstacksize(p->attrp, (size_t)x->opts->stack_size) != 0) {
        cb_error_set(err, "--stack-size: %llu bytes is not a stack size this "
                     "system accepts", (unsigned long long)x->opts->stack_size);
        return -1;
    }
    return 0;
}

void cb_threads_close(struct cb_exec *x)
{
    struct threads_priv *p = x->priv;

    if (!p)
        return;
    if (p->attrp)
        pthread_attr_destroy(p->attrp);
    free(p->starts);
    free(p);
    x->priv = NULL;
}

int cb_threads_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    struct threads_priv *p = x->priv;
    struct thread_start *s;

    if (p->next >= p->n)
        return EINVAL;
    s = &p->starts[p->next++];
    s->fn = fn;
    s->arg = arg;
    return pthread_create(&u->tid, p->attrp, thread_main, s);
}

/* pthread_timedjoin_np takes a CLOCK_REALTIME deadline. */
static struct timespec realtime_deadline(uint64_t deadline_ns)
{
    uint64_t now = cb_clock_now_ns(), left = deadline_ns > now ? deadline_ns - now : 0;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(left / CB_NS_PER_S);
    ts.tv_nsec += (long)(left % CB_NS_PER_S);
    ts.tv_sec += ts.tv_nsec / (long)CB_NS_PER_S;
    ts.tv_nsec %= (long)CB_NS_PER_S;
    return ts;
}

int cb_threads_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                        struct cb_unit_end *end)
{
    struct timespec ts;

    (void)x;
    memset(end, 0, sizeof *end);
    if (!deadline_ns)
        return pthread_join(u->tid, NULL) == 0 ? 0 : EINVAL;
    ts = realtime_deadline(deadline_ns);
    return pthread_timedjoin_np(u->tid, NULL, &ts) == ETIMEDOUT ? ETIMEDOUT : 0;
}

/* A thread cannot be killed without its process: leave it detached. */
int cb_threads_kill(struct cb_exec *x, struct cb_unit *u)
{
    (void)x;
    pthread_detach(u->tid);
    return -1;
}

const struct cb_executor cb_executor_threads = {
    .name = "threads",
    .description = "one POSIX thread per worker (pthread_create/pthread_join)",
    .separate_memory = false,
    .order = 1,
    .contrast = "processes",
    CB_THREAD_UNITS,
};
