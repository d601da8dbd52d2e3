/* threads: one pthread per worker, pthread_create / pthread_join. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/runner.h"
#include "concbench/worker.h"
#include "runner_internal.h"

static void *thread_main(void *arg)
{
    cb_worker_run(arg);
    return NULL;
}

/* Creates the workers; returns how many were created, and on failure the
 * pthread_create error in *rc. */
static uint32_t create_all(const struct cb_run_spec *spec, struct cb_gate *gate,
                           struct cb_gate *hold, struct cb_gil *gil,
                           struct cb_worker_args *args, pthread_t *tids, int *rc)
{
    uint32_t i;

    *rc = 0;
    for (i = 0; i < spec->workers; i++) {
        args[i] = cb_runner_args(spec, i, CB_SCOPE_THREAD);
        args[i].gate = gate;
        args[i].hold = hold;
        args[i].gil = gil;
        if (args[i].payload.size)
            args[i].payload.way = CB_PAYLOAD_POINTER;
        args[i].rec->create_ns = cb_clock_now_ns();
        *rc = pthread_create(&tids[i], NULL, thread_main, &args[i]);
        if (*rc != 0)
            break;
    }
    return i;
}

static void fail_message(const struct cb_run_spec *spec, uint32_t started, int rc,
                         struct cb_error *err)
{
    const char *name = cb_errno_name(rc);

    for (uint32_t i = started; i < spec->workers; i++)
        spec->shared->rec[i].status = CB_WORKER_NOT_STARTED;
    cb_error_set(err, "pthread_create failed for worker %u of %u: %s%s%s%s; "
                 "the %u started were joined%s", started + 1, spec->workers,
                 strerror(rc), name ? " (" : "", name ? name : "", name ? ")" : "",
                 started, rc == EAGAIN ? " (thread limit: ulimit -u, "
                 "/proc/sys/kernel/threads-max or a pids cgroup)" : "");
}

/* Threads share one address space: the payload is already here; check
 * it and free the worker's buffer. */
static void collect_payloads(const struct cb_run_spec *spec, uint32_t n)
{
    uint64_t size = cb_runner_opts(spec)->payload;

    for (uint32_t i = 0; size && i < n; i++) {
        struct cb_worker_record *r = &spec->shared->rec[i];
        void *buf = (void *)(uintptr_t)r->payload_ptr;

        cb_payload_verify(buf, size, i, r);
        free(buf);
        r->payload_ptr = 0;
    }
}

/* Creates, releases, holds (memory), joins. Returns 0, the
 * pthread_create error, or -1 when out of memory. */
static int run_threads(const struct cb_run_spec *spec, struct cb_gate *gp,
                       struct cb_gate *hold, struct cb_gil *gil,
                       struct cb_run_times *t)
{
    struct cb_worker_args *args = calloc(spec->workers, sizeof *args);
    pthread_t *tids = calloc(spec->workers, sizeof *tids);
    int rc = -1; /* out of memory; else 0 or the pthread_create error */

    if (!args || !tids)
        goto out;
    cb_runner_baseline(t);
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    t->started = create_all(spec, gp, hold, gil, args, tids, &rc);
    if (gp && rc == 0)
        cb_gate_wait_ready(gp, t->started, NULL, NULL);
    t->ready_ns = cb_clock_now_ns();
    if (gp) {
        /* On failure the started threads skip their task: abort. */
        t->release_ns = cb_clock_now_ns();
        cb_gate_release(gp, rc != 0);
    }
    cb_runner_hold(hold, t->started, NULL, NULL, t);
    for (uint32_t i = 0; i < t->started; i++)
        pthread_join(tids[i], NULL);
    t->t1_ns = cb_clock_now_ns();
    collect_payloads(spec, t->started);
out:
    free(args);
    free(tids);
    return rc;
}

static int threads_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                       struct cb_error *err)
{
    const struct cb_run_opts *o = cb_runner_opts(spec);
    struct cb_gate gate, hold, *gp = NULL, *hp = NULL;
    struct cb_gil gil, *gilp = NULL;
    int rc, ret = -1;

    if (o->gil) {
        if (cb_gil_init(&gil, o->switch_ns, err) != 0)
            goto out;
        gilp = &gil;
    }
    if (cb_gate_open_hold(&hold, spec->shared, err) != 0)
        goto out;
    hp = &hold;
    if (spec->start == CB_START_BARRIER) {
        if (cb_gate_open(&gate, spec->shared, err) != 0)
            goto out;
        gp = &gate;
    }
    rc = run_threads(spec, gp, hp, gilp, t);
    if (rc < 0)
        cb_error_set(err, "out of memory for %u threads", spec->workers);
    else if (rc != 0)
        fail_message(spec, t->started, rc, err);
    else
        ret = 0;
out:
    if (gp)
        cb_gate_close(gp);
    if (hp)
        cb_gate_close(hp);
    if (gilp)
        cb_gil_destroy(gilp);
    return ret;
}

const struct cb_runner cb_runner_threads = {
    .name = "threads",
    .description = "one POSIX thread per worker (pthread_create/pthread_join)",
    .separate_memory = false,
    .run = threads_run,
};
