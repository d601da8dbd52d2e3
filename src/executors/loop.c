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
#include <sys/mman.h>
#include <unistd.h>
#include <uv.h>

#include "concbench/clock.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "concbench/worker.h"
#include "unit_kinds.h"

/* A wait's figures live beside its timer, in the cache lines libuv's
 * heap touches anyway, and reach the job's record once the loop is done:
 * writing 10,000 records (a few MiB) from the callbacks cost a cache and
 * TLB miss each, and every timer after it in the same turn waited. */
struct loop_job {
    uv_timer_t timer;
    uint64_t armed_ns, deadline_ns, end_ns, wait_ns;
    int32_t cpu;
};

struct loop_run {
    const struct cb_worker_args *a;
    struct loop_job *jobs;
    uint32_t *computing; /* the jobs that compute, run one per turn */
    uint32_t ncomputing, next;
    uint64_t block_ns;   /* --loop-block: a burst before anything else */
    uv_idle_t idle;
};

/* The timeout that makes a libuv timer due in the whole loop millisecond
 * holding deadline_ns. libuv keeps the loop's time in whole milliseconds
 * of the monotonic clock (uv_now, truncated, cached per turn) and runs a
 * timer in the first turn whose time has reached uv_now + timeout: the
 * loop wakes in that millisecond, and each wait whose deadline has passed
 * ends there, the others (a fraction of a millisecond to go) are re-armed
 * for the next. Due a millisecond later instead, every wait would end
 * 0-1 ms later than it can. Counted from the wait alone (uv_now +
 * ceil(wait)), the due time ignores the time arming takes. */
static uint64_t timeout_for(uv_loop_t *loop, uint64_t deadline_ns)
{
    uint64_t due = deadline_ns / 1000000u, now = uv_now(loop);

    return due > now ? due - now : 0;
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
    uint64_t now = cb_clock_now_ns();

    if (now < j->deadline_ns) { /* its millisecond, not yet its deadline */
        uv_timer_start(t, on_timer, 1, 0);
        return;
    }
    j->end_ns = now;
    j->cpu = sched_getcpu();
}

/* After the loop: each wait that ended into its job's record. */
static void record_waits(const struct loop_run *lr, uint32_t jobs)
{
    for (uint32_t k = 0; k < jobs; k++) {
        const struct loop_job *j = &lr->jobs[k];
        struct cb_worker_record *r = &lr->a->rec[k];

        if (!j->armed_ns)
            continue; /* computed: recorded by cb_worker_job */
        r->first_ns = r->start_ns = j->armed_ns;
        r->deadline_ns = j->deadline_ns;
        if (!j->end_ns)
            continue; /* never ended: not reported */
        r->end_ns = j->end_ns;
        r->checksum = j->wait_ns;
        r->cpu = j->cpu;
        r->status = CB_WORKER_OK;
    }
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
        struct cb_worker_record *r = &lr->a->rec[lr->computing[lr->next++]];

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

        if (!a->task->wait_ns) {
            a->rec[k].first_ns = a->rec[k].start_ns = now;
            lr->computing[lr->ncomputing++] = k;
            continue;
        }
        j->armed_ns = now;
        j->wait_ns = a->task->wait_ns(a->params);
        j->deadline_ns = now + j->wait_ns;
        uv_timer_init(loop, &j->timer);
        j->timer.data = j;
        uv_timer_start(&j->timer, on_timer, timeout_for(loop, j->deadline_ns), 0);
    }
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* The pending jobs in fresh pages, faulted in at once (MAP_POPULATE: one
 * call, not a fault per page while arming): the resident memory they add
 * is what they cost, not memory a previous sample freed and malloc kept
 * (which made 192-byte jobs read 84). NULL when it cannot be had. */
static struct loop_job *map_jobs(uint32_t jobs)
{
    void *p = mmap(NULL, (size_t)jobs * sizeof(struct loop_job), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

static void unmap_jobs(struct loop_job *j, uint32_t jobs)
{
    if (j)
        munmap(j, (size_t)jobs * sizeof *j);
}

static void loop_run_jobs(const struct cb_worker_args *a, uint32_t jobs, bool run)
{
    struct loop_run lr = { .a = a, .block_ns = a->loop_block_ns };
    uint64_t rss0, per_job;
    uv_loop_t loop;

    rss0 = resident_bytes();
    lr.jobs = jobs ? map_jobs(jobs) : NULL;
    lr.computing = calloc(jobs ? jobs : 1, sizeof *lr.computing);
    if (!run || !lr.jobs || !lr.computing || uv_loop_init(&loop) != 0) {
        for (uint32_t k = 0; k < jobs; k++) /* not started, or no memory */
            cb_worker_job(a, &a->rec[k], false);
        unmap_jobs(lr.jobs, jobs);
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
    record_waits(&lr, jobs);
    unmap_jobs(lr.jobs, jobs);
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
