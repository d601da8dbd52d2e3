/* threads: one pthread per worker, pthread_create / pthread_join. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/runner.h"
#include "concbench/worker.h"

static void *thread_main(void *arg)
{
    cb_worker_run(arg);
    return NULL;
}

/* Creates the workers; returns how many were created, and on failure the
 * pthread_create error in *rc. */
static uint32_t create_all(const struct cb_run_spec *spec, struct cb_gate *gate,
                           struct cb_worker_args *args, pthread_t *tids, int *rc)
{
    uint32_t i;

    *rc = 0;
    for (i = 0; i < spec->workers; i++) {
        args[i] = (struct cb_worker_args){
            spec->task, spec->params, spec->hooks, gate,
            &spec->shared->rec[i], CB_SCOPE_THREAD,
        };
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

static int threads_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                       struct cb_error *err)
{
    struct cb_worker_args *args = calloc(spec->workers, sizeof *args);
    pthread_t *tids = calloc(spec->workers, sizeof *tids);
    struct cb_gate gate, *gp = NULL;
    int rc = 0, ret = -1;

    if (!args || !tids) {
        cb_error_set(err, "out of memory for %u threads", spec->workers);
        goto out;
    }
    if (spec->start == CB_START_BARRIER) {
        if (cb_gate_open(&gate, spec->shared, err) != 0)
            goto out;
        gp = &gate;
    }
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    t->started = create_all(spec, gp, args, tids, &rc);
    if (gp && rc == 0)
        cb_gate_wait_ready(gp, t->started, NULL, NULL);
    t->ready_ns = cb_clock_now_ns();
    if (gp) {
        /* On failure the started threads skip their task: abort. */
        t->release_ns = cb_clock_now_ns();
        cb_gate_release(gp, rc != 0);
    }
    for (uint32_t i = 0; i < t->started; i++)
        pthread_join(tids[i], NULL);
    t->t1_ns = cb_clock_now_ns();
    if (rc != 0)
        fail_message(spec, t->started, rc, err);
    else
        ret = 0;
out:
    if (gp)
        cb_gate_close(gp);
    free(args);
    free(tids);
    return ret;
}

const struct cb_runner cb_runner_threads = {
    .name = "threads",
    .description = "one POSIX thread per worker (pthread_create/pthread_join)",
    .run = threads_run,
};
