/* loop: one thread runs all -n jobs as an event loop, the C counterpart of
 * asyncio, on libuv (what uvloop, the fast asyncio loop, is made of). A
 * job that is a pure wait (the io task) is a libuv timer, never a
 * blocking sleep, so 10,000 concurrent waits cost one thread; a job that
 * computes runs to completion in the loop, one per turn, and every
 * pending timer waits for it (asyncio's classic pitfall; --loop-block
 * puts one such burst first to show it). libuv timers count whole
 * milliseconds: each is rounded up and re-armed for what is left, so no
 * job ends early, and each job's lateness against its own nanosecond
 * deadline is recorded. The unit is the threads executor's. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

#include "concbench/clock.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "concbench/worker.h"
#include "unit_kinds.h"

struct loop_job {
    uv_timer_t timer;
    struct cb_worker_record *rec;
    uint64_t wait_ns;
};

struct loop_run {
    const struct cb_worker_args *a;
    struct loop_job *jobs;
    uint32_t *computing; /* the jobs that compute, run one per turn */
    uint32_t ncomputing, next;
    uint64_t block_ns;   /* --loop-block: a burst before anything else */
    uv_idle_t idle;
};

static uint64_t ms_up(uint64_t ns)
{
    uint64_t ms = (ns + 999999u) / 1000000u;

    return ms ? ms : 1;
}

/* Resident bytes of this process, 0 when unknown. */
static uint64_t resident_bytes(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void on_timer(uv_timer_t *t)
{
    struct loop_job *j = t->data;
    struct cb_worker_record *r = j->rec;
    uint64_t now = cb_clock_now_ns();

    if (now < r->deadline_ns) { /* a whole millisecond may end early */
        uv_timer_start(t, on_timer, ms_up(r->deadline_ns - now), 0);
        return;
    }
    r->end_ns = now;
    r->checksum = j->wait_ns;
    r->cpu = sched_getcpu();
    r->status = CB_WORKER_OK;
}

static void on_idle(uv_idle_t *h)
{
    struct loop_run *lr = h->data;

    if (lr->block_ns) { /* the burst: the loop turns not at all meanwhile */
        uint64_t until = cb_clock_now_ns() + lr->block_ns;

        while (cb_clock_now_ns() < until)
            ;
        lr->block_ns = 0;
        return;
    }
    if (lr->next < lr->ncomputing) {
        struct cb_worker_record *r = lr->jobs[lr->computing[lr->next++]].rec;

        r->first_ns = cb_clock_now_ns();
        cb_worker_job(lr->a, r, true);
    }
    if (lr->next >= lr->ncomputing)
        uv_idle_stop(h);
}

/* Arms every job at once: a timer for each wait, a turn for each job
 * that computes. Returns how many compute. */
static void arm(struct loop_run *lr, uv_loop_t *loop, uint32_t jobs)
{
    const struct cb_worker_args *a = lr->a;

    for (uint32_t k = 0; k < jobs; k++) {
        struct loop_job *j = &lr->jobs[k];
        uint64_t now = cb_clock_now_ns();

        j->rec = &a->rec[k];
        j->rec->first_ns = j->rec->start_ns = now;
        if (!a->task->wait_ns) {
            lr->computing[lr->ncomputing++] = k;
            continue;
        }
        j->wait_ns = a->task->wait_ns(a->params);
        j->rec->deadline_ns = now + j->wait_ns;
        uv_timer_init(loop, &j->timer);
        j->timer.data = j;
        uv_timer_start(&j->timer, on_timer, ms_up(j->wait_ns), 0);
    }
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void loop_run_jobs(const struct cb_worker_args *a, uint32_t jobs, bool run)
{
    struct loop_run lr = { .a = a, .block_ns = a->loop_block_ns };
    uint64_t rss0 = resident_bytes(), per_job;
    uv_loop_t loop;

    lr.jobs = calloc(jobs, sizeof *lr.jobs);
    lr.computing = calloc(jobs, sizeof *lr.computing);
    if (!run || !lr.jobs || !lr.computing || uv_loop_init(&loop) != 0) {
        for (uint32_t k = 0; k < jobs; k++) /* not started, or no memory */
            cb_worker_job(a, &a->rec[k], false);
        free(lr.jobs);
        free(lr.computing);
        return;
    }
    arm(&lr, &loop, jobs);
    per_job = resident_bytes() > rss0 ? (resident_bytes() - rss0) / jobs : 0;
    if (a->unit)
        a->unit->pending_bytes = per_job;
    uv_idle_init(&loop, &lr.idle);
    lr.idle.data = &lr;
    if (lr.ncomputing || lr.block_ns)
        uv_idle_start(&lr.idle, on_idle);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_walk(&loop, close_handle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(lr.jobs);
    free(lr.computing);
}

static uint32_t loop_units(uint32_t jobs, const struct cb_run_opts *o)
{
    (void)o;
    return jobs ? 1 : 0;
}

const struct cb_executor cb_executor_loop = {
    .name = "loop",
    .description = "one thread runs every job as a libuv event loop (asyncio): "
                   "waits are timers",
    .opt_in = true,
    .order = 6,
    .units = loop_units,
    .run_jobs = loop_run_jobs,
    CB_THREAD_UNITS,
};
