/* example: an executor that lives outside src/ and is registered only by
 * the CB_EXAMPLE_PLUGINS build, to prove an executor needs its file and
 * nothing else. Its units are POSIX threads that each run two jobs, one
 * after the other: jobs and units differ, as in a pool. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/executor.h"

struct example_start {
    cb_unit_fn fn;
    void *arg;
};

struct example_priv {
    struct example_start *starts;
    uint32_t n, next;
};

static uint32_t example_units(uint32_t jobs, const struct cb_run_opts *o)
{
    (void)o;
    return (jobs + 1) / 2;
}

static void *example_main(void *arg)
{
    const struct example_start *s = arg;

    s->fn(s->arg);
    return NULL;
}

static int example_open(struct cb_exec *x, uint32_t units, struct cb_error *err)
{
    struct example_priv *p = calloc(1, sizeof *p);

    if (!p || !(p->starts = calloc(units ? units : 1, sizeof *p->starts))) {
        free(p);
        cb_error_set(err, "out of memory for %u example units", units);
        return -1;
    }
    p->n = units;
    x->priv = p;
    return 0;
}

static void example_close(struct cb_exec *x)
{
    struct example_priv *p = x->priv;

    if (p)
        free(p->starts);
    free(p);
    x->priv = NULL;
}

static int example_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    struct example_priv *p = x->priv;
    struct example_start *s;

    if (p->next >= p->n)
        return EINVAL;
    s = &p->starts[p->next++];
    s->fn = fn;
    s->arg = arg;
    return pthread_create(&u->tid, NULL, example_main, s);
}

static int example_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                        struct cb_unit_end *end)
{
    (void)x;
    (void)deadline_ns; /* no --timeout support: joins */
    memset(end, 0, sizeof *end);
    return pthread_join(u->tid, NULL) == 0 ? 0 : EINVAL;
}

static int example_kill(struct cb_exec *x, struct cb_unit *u)
{
    (void)x;
    pthread_detach(u->tid);
    return -1;
}

const struct cb_executor cb_executor_example = {
    .name = "example",
    .description = "example plug-in: threads that run two jobs each",
    .opt_in = true,
    .concurrent = true,
    .spawns = true,
    .order = 10,
    .create_call = "pthread_create",
    .unit_noun = "threads",
    .units = example_units,
    .open = example_open,
    .close = example_close,
    .start = example_start,
    .wait = example_wait,
    .kill = example_kill,
};
