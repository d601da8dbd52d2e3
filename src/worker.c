#include "concbench/worker.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "concbench/clock.h"
#include "concbench/memory.h"

static uint64_t tv_ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

static uint64_t cpu_clock_ns(clockid_t id)
{
    struct timespec ts = { 0, 0 };

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t delta(uint64_t before, uint64_t after)
{
    return after > before ? after - before : 0;
}

/* The task itself, under the GIL when there is one: the hooks then take
 * the lock around it and hand it over at the task's check points. */
static uint64_t run_task(const struct cb_worker_args *a)
{
    struct cb_gil_worker gw;
    struct cb_hooks gh;
    const struct cb_hooks *h = a->hooks;
    uint64_t sum;

    if (a->gil) {
        cb_gil_hooks(&gw, a->gil, &gh);
        h = &gh;
    }
    if (h && h->enter)
        h->enter(h->arg);
    sum = a->task->run(a->params, a->state, h);
    if (h && h->leave)
        h->leave(h->arg);
    if (a->gil)
        a->rec->gil_wait_ns = gw.wait_ns;
    return sum;
}

static void fill_usage(struct cb_worker_record *rec, const struct rusage *r0,
                       const struct rusage *r1)
{
    rec->user_ns = delta(tv_ns(&r0->ru_utime), tv_ns(&r1->ru_utime));
    rec->sys_ns = delta(tv_ns(&r0->ru_stime), tv_ns(&r1->ru_stime));
    rec->ctx_voluntary = delta((uint64_t)r0->ru_nvcsw, (uint64_t)r1->ru_nvcsw);
    rec->ctx_involuntary = delta((uint64_t)r0->ru_nivcsw, (uint64_t)r1->ru_nivcsw);
    rec->max_rss_kib = (uint64_t)r1->ru_maxrss;
}

/* After the task: the memory to be measured, the hold while the parent
 * measures it, then the payload. The payload comes after the hold so the
 * memory of a live worker is its own (stack, task, --worker-memory) in
 * every mode, not the transfer buffers, which differ by mode. */
static void after_task(const struct cb_worker_args *a, bool corrupt)
{
    void *mem = cb_memory_touch(a->worker_mem, NULL);
    struct cb_payload_out out = a->payload;

    /* Memory that could not be had must not pass for memory measured. */
    if (a->worker_mem && !mem && a->rec->status == CB_WORKER_OK)
        a->rec->status = CB_WORKER_NO_MEMORY;
    if (a->hold)
        cb_gate_pass(a->hold);
    cb_memory_release(mem, a->worker_mem);
    out.corrupt = corrupt;
    if (a->rec->status == CB_WORKER_OK)
        cb_payload_send(&out, a->rec);
    atomic_store_explicit(&a->rec->done, 1, memory_order_release);
}

/* CONCBENCH_FAULT=segv|abort|payload (hidden, for fault tests and
 * demonstrations): worker 0 of every run crashes after its task, before
 * it reports, or damages one byte of its payload on the way. Returns
 * whether the payload is to be damaged. */
static bool maybe_fault(const struct cb_worker_args *a)
{
    const char *f = getenv("CONCBENCH_FAULT");

    if (!f || a->payload.id != 0)
        return false;
    if (strcmp(f, "segv") == 0)
        raise(SIGSEGV);
    else if (strcmp(f, "abort") == 0)
        abort();
    return strcmp(f, "payload") == 0;
}

/* Pins the calling thread (or child) to one of the CPUs it may use:
 * spread deals workers round robin, compact in blocks. After first_ns, so
 * creation latency is not touched; a failure leaves the worker unpinned. */
static void pin_self(const struct cb_worker_args *a)
{
    cpu_set_t allowed, one;
    int cpus[CPU_SETSIZE], n = 0;
    uint32_t id = a->payload.id, k;

    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed))
            cpus[n++] = c;
    if (n == 0)
        return;
    if (a->pin == CB_PIN_SPREAD)
        k = id % (uint32_t)n;
    else
        k = (uint32_t)((uint64_t)id * (uint64_t)n / (a->nworkers ? a->nworkers : 1));
    CPU_ZERO(&one);
    CPU_SET(cpus[k % (uint32_t)n], &one);
    sched_setaffinity(0, sizeof one, &one);
}

void cb_worker_run(const struct cb_worker_args *a)
{
    struct cb_worker_record *rec = a->rec;
    int who = a->scope == CB_SCOPE_PROCESS ? RUSAGE_SELF : RUSAGE_THREAD;
    clockid_t clk = a->scope == CB_SCOPE_PROCESS ? CLOCK_PROCESS_CPUTIME_ID
                                                 : CLOCK_THREAD_CPUTIME_ID;
    uint64_t c0, c1;
    struct rusage r0 = { 0 }, r1 = { 0 };
    uint64_t checksum = 0;
    bool run = true;

    rec->first_ns = cb_clock_now_ns();
    if (a->pin != CB_PIN_NONE)
        pin_self(a);
    if (a->gate)
        run = cb_gate_pass(a->gate);
    /* Deltas, so a serial worker (the caller's own thread) and a fresh
     * thread or child are measured the same way. */
    getrusage(who, &r0);
    c0 = cpu_clock_ns(clk);
    rec->start_ns = cb_clock_now_ns();
    if (run)
        checksum = run_task(a);
    rec->end_ns = cb_clock_now_ns();
    c1 = cpu_clock_ns(clk);
    getrusage(who, &r1);

    rec->cpu_ns = delta(c0, c1);
    fill_usage(rec, &r0, &r1);
    rec->cpu = sched_getcpu();
    rec->checksum = checksum;
    rec->status = run ? CB_WORKER_OK : CB_WORKER_NOT_STARTED;
    /* Outside the timed run: getenv costs nothing there. */
    after_task(a, run && maybe_fault(a));
}
