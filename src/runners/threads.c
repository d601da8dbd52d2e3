/* threads: one pthread per worker, pthread_create / pthread_join. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concbench/clock.h"
#include "concbench/interrupt.h"
#include "concbench/runner.h"
#include "concbench/worker.h"
#include "runner_internal.h"

static void *thread_main(void *arg)
{
    cb_worker_run(arg);
    return NULL;
}

/* Everything a worker thread may touch after it started. It lives on the
 * heap and, when threads run past --timeout and are abandoned, is left
 * allocated on purpose: they go on using it until the process exits. */
struct thread_run {
    struct cb_gate gate, hold, *gp;
    struct cb_gil gil, *gilp;
    pthread_attr_t attr, *attrp;
    struct cb_worker_args *args;
    pthread_t *tids;
    bool hold_open;
};

/* Creates the workers; returns how many were created, and on failure the
 * pthread_create error in *rc. */
static uint32_t create_all(const struct cb_run_spec *spec, struct thread_run *tr, int *rc)
{
    uint32_t i;

    *rc = 0;
    for (i = 0; i < spec->workers; i++) {
        struct cb_worker_args *a = &tr->args[i];

        *a = cb_runner_args(spec, i, CB_SCOPE_THREAD);
        a->gate = tr->gp;
        a->hold = &tr->hold;
        a->gil = tr->gilp;
        if (a->payload.size)
            a->payload.way = CB_PAYLOAD_POINTER;
        a->rec->create_ns = cb_clock_now_ns();
        *rc = pthread_create(&tr->tids[i], tr->attrp, thread_main, a);
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
                 started, cb_runner_limit_hint(rc, true));
}

static bool before_deadline(void *arg)
{
    (void)arg;
    return !cb_interrupt_deadline_passed();
}

/* Joins every thread; with a timeout, stops waiting at the deadline and
 * leaves the threads still running (they cannot be killed) detached.
 * Returns how many were left so. */
static uint32_t join_all(const struct cb_run_spec *spec, struct thread_run *tr,
                         uint32_t n, const struct timespec *deadline)
{
    uint32_t left = 0;

    for (uint32_t i = 0; i < n; i++) {
        struct cb_worker_record *r = &spec->shared->rec[i];

        if (!deadline) {
            pthread_join(tr->tids[i], NULL);
        } else if (pthread_timedjoin_np(tr->tids[i], NULL, deadline) == ETIMEDOUT) {
            pthread_detach(tr->tids[i]);
            if (!atomic_load(&r->done))
                r->status = CB_WORKER_TIMEOUT;
            left++;
        }
    }
    return left;
}

/* Creates, releases, holds (memory), joins. Returns 0 or the
 * pthread_create error. */
static int run_threads(const struct cb_run_spec *spec, struct thread_run *tr,
                       struct cb_run_times *t)
{
    uint64_t timeout = cb_runner_opts(spec)->timeout_ns;
    struct timespec deadline;
    int rc;

    /* pthread_timedjoin_np takes a CLOCK_REALTIME deadline. */
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(timeout / 1000000000u);
    deadline.tv_nsec += (long)(timeout % 1000000000u);
    deadline.tv_sec += deadline.tv_nsec / 1000000000L;
    deadline.tv_nsec %= 1000000000L;
    cb_runner_baseline(t);
    if (timeout)
        cb_interrupt_deadline(timeout);
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    t->started = create_all(spec, tr, &rc);
    if (tr->gp && rc == 0)
        cb_gate_wait_ready(tr->gp, t->started, timeout ? before_deadline : NULL, NULL);
    t->ready_ns = cb_clock_now_ns();
    if (tr->gp) {
        /* On failure the started threads skip their task: abort. */
        t->release_ns = cb_clock_now_ns();
        cb_gate_release(tr->gp, rc != 0);
    }
    cb_runner_hold(&tr->hold, t->started, NULL, timeout ? before_deadline : NULL, t);
    t->abandoned = join_all(spec, tr, t->started, timeout ? &deadline : NULL);
    t->t1_ns = cb_clock_now_ns();
    if (timeout)
        cb_interrupt_deadline(0);
    if (!t->abandoned)
        cb_runner_collect_payloads(spec, t->started);
    return rc;
}

static int setup_run(const struct cb_run_spec *spec, struct thread_run *tr,
                     struct cb_error *err)
{
    const struct cb_run_opts *o = cb_runner_opts(spec);

    tr->args = calloc(spec->workers, sizeof *tr->args);
    tr->tids = calloc(spec->workers, sizeof *tr->tids);
    if (!tr->args || !tr->tids) {
        cb_error_set(err, "out of memory for %u threads", spec->workers);
        return -1;
    }
    if (o->stack_size) {
        if (pthread_attr_init(&tr->attr) != 0)
            return cb_error_set(err, "cannot make thread attributes"), -1;
        tr->attrp = &tr->attr;
        if (pthread_attr_setstacksize(tr->attrp, (size_t)o->stack_size) != 0) {
            cb_error_set(err, "--stack-size: %llu bytes is not a stack size this "
                         "system accepts", (unsigned long long)o->stack_size);
            return -1;
        }
    }
    if (o->gil) {
        if (cb_gil_init(&tr->gil, o->switch_ns, err) != 0)
            return -1;
        tr->gilp = &tr->gil;
    }
    if (cb_gate_open_hold(&tr->hold, spec->shared, err) != 0)
        return -1;
    tr->hold_open = true;
    if (spec->start == CB_START_BARRIER) {
        if (cb_gate_open(&tr->gate, spec->shared, err) != 0)
            return -1;
        tr->gp = &tr->gate;
    }
    return 0;
}

static void teardown_run(struct thread_run *tr)
{
    if (tr->gp)
        cb_gate_close(tr->gp);
    if (tr->hold_open)
        cb_gate_close(&tr->hold);
    if (tr->gilp)
        cb_gil_destroy(tr->gilp);
    if (tr->attrp)
        pthread_attr_destroy(tr->attrp);
    free(tr->args);
    free(tr->tids);
    free(tr);
}

static int threads_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                       struct cb_error *err)
{
    struct thread_run *tr = calloc(1, sizeof *tr);
    int rc, ret = -1;

    if (!tr) {
        cb_error_set(err, "out of memory for %u threads", spec->workers);
        return -1;
    }
    if (setup_run(spec, tr, err) != 0)
        goto out;
    rc = run_threads(spec, tr, t);
    if (t->abandoned) {
        cb_error_set(err, "timeout: %u of %u threads still running after the "
                     "--timeout; threads cannot be killed, so the run stops here",
                     t->abandoned, spec->workers);
        return -1; /* tr stays: the abandoned threads still use it */
    }
    if (rc != 0)
        fail_message(spec, t->started, rc, err);
    else
        ret = 0;
out:
    teardown_run(tr);
    return ret;
}

const struct cb_runner cb_runner_threads = {
    .name = "threads",
    .description = "one POSIX thread per worker (pthread_create/pthread_join)",
    .separate_memory = false,
    .run = threads_run,
};
