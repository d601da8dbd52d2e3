#include "concbench/worker.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/memory.h"
#include "concbench/pool_pipe.h"

static uint64_t tv_ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * CB_NS_PER_S + (uint64_t)tv->tv_usec * 1000u;
}

static uint64_t cpu_clock_ns(clockid_t id)
{
    struct timespec ts = { 0, 0 };

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * CB_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t delta(uint64_t before, uint64_t after)
{
    return after > before ? after - before : 0;
}

/* The task itself, under the GIL when there is one: the hooks then take
 * the lock around it and hand it over at the task's check points. */
static uint64_t run_task(const struct cb_worker_args *a, uint32_t job, void *local)
{
    struct cb_gil_worker gw;
    struct cb_hooks gh = { .checkpoint = NULL };
    const struct cb_hooks *h = &gh;
    uint64_t sum;

    if (a->gil)
        cb_gil_hooks(&gw, a->gil, &gh);
    else if (a->hooks)
        gh = *a->hooks;
    gh.job = job;
    gh.jobs = a->njobs;
    gh.local = local;
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
    rec->minor_faults = delta((uint64_t)r0->ru_minflt, (uint64_t)r1->ru_minflt);
    rec->major_faults = delta((uint64_t)r0->ru_majflt, (uint64_t)r1->ru_majflt);
}

/* A job's record once its task is done: its payload, then done. */
static void hand_over(const struct cb_worker_args *a, uint32_t k)
{
    struct cb_worker_record *rec = &a->rec[k];
    struct cb_payload_out out = a->payload;

    out.id = a->payload.id + k;
    /* A test build may crash here, before the record is complete. */
    out.corrupt = rec->status == CB_WORKER_OK && cb_worker_fault(out.id);
    if (out.way == CB_PAYLOAD_PIPE && a->payload_fds)
        out.fd = a->payload_fds[k];
    if (out.way == CB_PAYLOAD_SHM && a->payload.slot)
        out.slot = (unsigned char *)a->payload.slot + (size_t)k * a->payload.size;
    if (rec->status == CB_WORKER_OK)
        cb_payload_send(&out, rec);
    atomic_store_explicit(&rec->done, 1, memory_order_release);
}

/* After the jobs: the memory to be measured, the hold while the parent
 * measures it, then the payloads. The payloads come after the hold so the
 * memory of a live unit is its own (stack, task, --worker-memory) in
 * every mode, not the transfer buffers, which differ by mode. */
static void after_jobs(const struct cb_worker_args *a, uint32_t jobs)
{
    void *mem = cb_memory_touch(a->worker_mem, NULL);

    /* Memory that could not be had must not pass for memory measured. */
    for (uint32_t k = 0; k < jobs; k++)
        if (a->worker_mem && !mem && a->rec[k].status == CB_WORKER_OK)
            a->rec[k].status = CB_WORKER_NO_MEMORY;
    if (a->hold)
        cb_gate_pass(a->hold);
    cb_memory_release(mem, a->worker_mem);
    for (uint32_t k = 0; k < jobs; k++)
        hand_over(a, k);
    if (a->unit)
        atomic_store_explicit(&a->unit->done, 1, memory_order_release);
}

__attribute__((weak)) bool cb_worker_params(const struct cb_params *recorded,
                                            struct cb_params *run)
{
    *run = *recorded;
    return false;
}

__attribute__((weak)) bool cb_worker_fault(uint32_t job)
{
    (void)job;
    return false;
}

/* Pins the calling thread (or child) to one of the CPUs it may use:
 * spread deals units round robin, compact in blocks. After first_ns, so
 * creation latency is not touched; a failure leaves the unit unpinned. */
static void pin_self(const struct cb_worker_args *a)
{
    cpu_set_t allowed, one;
    int n, cpu = 0;
    uint32_t id = a->unit_index, k;

    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return;
    n = CPU_COUNT(&allowed);
    if (n == 0)
        return;
    if (a->pin == CB_PIN_SPREAD)
        k = id % (uint32_t)n;
    else
        k = (uint32_t)((uint64_t)id * (uint64_t)n / (a->nunits ? a->nunits : 1));
    k %= (uint32_t)n;
    /* The k-th allowed CPU, counted in place: no CPU_SETSIZE array on a
     * worker's stack, which may be small. */
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed) && k-- == 0) {
            cpu = c;
            break;
        }
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
}

/* The task's own set-up for this job, before the clocks start. A failure
 * is the job's outcome, with the task's message in the record. */
static bool setup_job(const struct cb_worker_args *a, struct cb_worker_record *rec,
                      uint32_t id, void **local)
{
    struct cb_error e = { "" };

    if (!a->task->worker_setup ||
        a->task->worker_setup(a->params, a->state, id, local, &e) == 0)
        return true;
    size_t n = strnlen(e.msg, sizeof rec->note - 1);

    rec->status = CB_WORKER_SETUP_FAILED;
    memcpy(rec->note, e.msg, n); /* cut to fit: the record is fixed-size */
    rec->note[n] = '\0';
    return false;
}

/* The start of a small /proc file into buf, terminated. Returns false
 * when it cannot be read. */
static bool read_proc(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, buf, len - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (got <= 0)
        return false;
    buf[got] = '\0';
    return true;
}

/* This thread's CPU migrations so far (se.nr_migrations in
 * /proc/thread-self/sched). Returns false when it cannot be read. */
static bool migrations(uint64_t *n)
{
    char buf[2048]; /* se.nr_migrations is in its first lines */
    const char *at;
    unsigned long long v;

    if (!read_proc("/proc/thread-self/sched", buf, sizeof buf))
        return false;
    at = strstr(buf, "se.nr_migrations");
    if (!at || !(at = strchr(at, ':')) || sscanf(at + 1, "%llu", &v) != 1)
        return false;
    *n = (uint64_t)v;
    return true;
}

/* One job, timed: the task between two readings of the clocks. */
static void run_job(const struct cb_worker_args *a, struct cb_worker_record *rec,
                    bool run)
{
    int who = a->scope == CB_SCOPE_PROCESS ? RUSAGE_SELF : RUSAGE_THREAD;
    clockid_t clk = a->scope == CB_SCOPE_PROCESS ? CLOCK_PROCESS_CPUTIME_ID
                                                 : CLOCK_THREAD_CPUTIME_ID;
    struct cb_worker_args job = *a;
    struct cb_params params;
    struct rusage r0 = { 0 }, r1 = { 0 };
    uint64_t checksum = 0, c0, c1, m0 = 0, m1 = 0;
    bool m0_known, usage_known;
    uint32_t id = a->payload.id + (uint32_t)(rec - a->rec);
    void *local = NULL;
    bool adjusted = cb_worker_params(a->params, &params);

    job.rec = rec;
    job.params = &params;
    if (run && !setup_job(a, rec, id, &local))
        return;
    /* Deltas, so a serial job (the caller's own thread) and a fresh
     * thread or child are measured the same way. The migration count is
     * read before the clocks start (for a unit's first job behind a
     * gate: before the gate) and after they stop. */
    if (rec == a->rec && a->gate_migrations_known) {
        m0 = a->gate_migrations;
        m0_known = true;
    } else {
        m0_known = migrations(&m0);
    }
    usage_known = getrusage(who, &r0) == 0;
    c0 = cpu_clock_ns(clk);
    rec->start_ns = cb_clock_now_ns();
    if (run)
        checksum = run_task(&job, id, local);
    rec->end_ns = cb_clock_now_ns();
    c1 = cpu_clock_ns(clk);
    rec->usage_known = usage_known && getrusage(who, &r1) == 0;
    rec->migrations_known = m0_known && migrations(&m1);
    rec->cpu_migrations = rec->migrations_known ? delta(m0, m1) : 0;

    rec->cpu_ns = delta(c0, c1);
    fill_usage(rec, &r0, &r1);
    rec->cpu = sched_getcpu();
    /* A test build's slowdown ran other parameters than the recorded
     * ones: a right result for those stands for a right result. */
    if (adjusted && checksum == a->task->expected(&params))
        checksum = a->task->expected(a->params);
    rec->checksum = checksum;
    rec->status = run ? CB_WORKER_OK : CB_WORKER_NOT_STARTED;
    if (run && a->task->worker_teardown)
        a->task->worker_teardown(local);
}

/* The run-queue wait of this thread so far (the second field of
 * /proc/thread-self/schedstat, ns): for a thread or process that has just
 * started, the time it waited for a CPU before its first instruction.
 * Returns false when it cannot be read. */
static bool queue_wait(uint64_t *ns)
{
    char buf[96];
    unsigned long long on_cpu, waited;

    if (!read_proc("/proc/thread-self/schedstat", buf, sizeof buf))
        return false;
    if (sscanf(buf, "%llu %llu", &on_cpu, &waited) != 2)
        return false;
    *ns = (uint64_t)waited;
    return true;
}

/* This thread's first instruction, when its executor marked it
 * (cb_worker_mark_first); ns 0: not marked (a serial unit, or a thread
 * not made by an executor, stamps its own). Per thread: a new thread's
 * starts zeroed. */
static _Thread_local struct {
    uint64_t ns;
    uint64_t queue_wait_ns;
    bool queue_known;
    int cpu;
} marked;

void cb_worker_mark_first(void)
{
    uint64_t now = cb_clock_now_ns();

    /* Stamped before anything is written: the store below is the child's
     * first copy-on-write of this page, after the stamp. */
    marked.ns = now;
    marked.cpu = sched_getcpu();
    marked.queue_known = queue_wait(&marked.queue_wait_ns);
}

/* The unit's first instruction: the mark, or now. */
static uint64_t first_instruction(void)
{
    return marked.ns ? marked.ns : cb_clock_now_ns();
}

/* The run-queue wait before the unit's first instruction into *ns; false
 * when unknown or the unit is not new. */
static bool first_queue_wait(const struct cb_worker_args *a, uint64_t *ns)
{
    if (marked.ns) {
        *ns = marked.queue_wait_ns;
        return marked.queue_known;
    }
    return a->fresh && queue_wait(ns);
}

static int first_cpu(void)
{
    return marked.ns ? marked.cpu : sched_getcpu();
}

void cb_worker_job(const struct cb_worker_args *a, struct cb_worker_record *rec, bool run)
{
    run_job(a, rec, run);
}

/* Jobs from..to-1 of this unit, one after another in this thread. */
static void run_block(const struct cb_worker_args *a, uint32_t from, uint32_t to, bool run)
{
    for (uint32_t k = from; k < to; k++) {
        struct cb_worker_record *rec = &a->rec[k];

        if (k > 0) {
            rec->create_ns = a->rec[0].create_ns;
            rec->first_ns = cb_clock_now_ns();
        }
        run_job(a, rec, run);
    }
}

struct block {
    const struct cb_worker_args *a;
    struct cb_worker_args args; /* the unit's, timed per thread */
    uint32_t from, to;
    bool run;
    pthread_t tid;
};

static void *block_main(void *arg)
{
    const struct block *b = arg;

    run_block(&b->args, b->from, b->to, b->run);
    return NULL;
}

/* A hybrid's process: its jobs on a->threads threads of its own (this one
 * and threads - 1 more), in blocks, under the process's one GIL; each
 * job's CPU time is its thread's. A thread that cannot be created leaves
 * its block to this one. */
static void run_threaded(const struct cb_worker_args *a, uint32_t jobs, bool run)
{
    uint32_t t = a->threads < jobs ? a->threads : jobs, first = 0;
    struct block *b = calloc(t, sizeof *b);
    bool *started = calloc(t, sizeof *started);

    if (!b || !started) {
        free(b);
        free(started);
        run_block(a, 0, jobs, run);
        return;
    }
    for (uint32_t i = 0; i < t; i++) {
        b[i].args = *a;
        b[i].args.scope = CB_SCOPE_THREAD;
        b[i].from = first;
        b[i].to = first + jobs / t + (i < jobs % t ? 1 : 0);
        b[i].run = run;
        first = b[i].to;
        if (i > 0)
            started[i] = pthread_create(&b[i].tid, NULL, block_main, &b[i]) == 0;
    }
    run_block(&b[0].args, b[0].from, b[0].to, run);
    for (uint32_t i = 1; i < t; i++) {
        if (started[i])
            pthread_join(b[i].tid, NULL);
        else
            run_block(&b[i].args, b[i].from, b[i].to, run);
    }
    free(b);
    free(started);
}

/* A job this pool unit ran is finished: the parent is told through the
 * finished list, in the order jobs end. */
static void publish(const struct cb_worker_args *a, uint32_t job)
{
    uint32_t slot = atomic_fetch_add(&a->pool->done_count, 1);

    /* From the unit's own view of the mapping (a spawned unit's is not at
     * the parent's address, which the stored pointer is). */
    atomic_store_explicit(cb_shared_done_id(a->pool, slot), job, memory_order_release);
}

/* A pool unit: after the gate, take chunk jobs at a time from the queue
 * until none is left. Each job records when its unit was free to take
 * it and its first instruction, so dispatch and queue wait can be told
 * apart; the memory hold comes once, after the last. */
/* The jobs this pool unit ran, marked out-of-memory when its
 * --worker-memory could not be had: memory not had is not memory
 * measured. */
static void pool_no_memory(const struct cb_worker_args *a)
{
    for (uint32_t j = 0; j < a->njobs; j++)
        if (a->rec[j].unit == (int32_t)a->unit_index + 1 &&
            a->rec[j].status == CB_WORKER_OK)
            a->rec[j].status = CB_WORKER_NO_MEMORY;
}

/* One job taken from the pool's queue (queued at queued_ns), run, and
 * made known. */
static void pool_job(const struct cb_worker_args *a, uint32_t j, bool run, uint64_t queued_ns,
                     uint64_t free_ns)
{
    struct cb_worker_record *rec = &a->rec[j];
    struct cb_worker_args one = *a;

    one.rec = rec;
    one.payload.id = j;
    rec->unit = (int32_t)a->unit_index + 1;
    rec->create_ns = queued_ns;
    rec->free_ns = free_ns;
    rec->first_ns = cb_clock_now_ns();
    run_job(&one, rec, run);
    /* A test build may crash here, before the job is known finished. */
    if (rec->status == CB_WORKER_OK)
        (void)cb_worker_fault(j);
    atomic_store_explicit(&rec->done, 1, memory_order_release);
    if (a->queue_pipe) {
        cb_pool_pipe_tell(a->done_fd, j); /* the parent polls the pipe */
        return;
    }
    publish(a, j);
    if (a->hold)
        cb_gate_nudge(a->hold); /* the parent sees it finished */
}

/* After a pool unit's last job: the memory hold, then done. */
static void pool_end(const struct cb_worker_args *a)
{
    void *mem = cb_memory_touch(a->worker_mem, NULL);

    if (a->worker_mem && !mem)
        pool_no_memory(a);
    if (a->hold)
        cb_gate_pass(a->hold);
    cb_memory_release(mem, a->worker_mem);
    if (a->unit)
        atomic_store_explicit(&a->unit->done, 1, memory_order_release);
}

/* Writes a->cow_touch of the a->cow pages, spread evenly (page i when
 * the running count of touch-worthy pages steps up): in a forked unit,
 * each write copies a page the parent shares, as CPython's reference
 * counts do to objects the child inherited. */
static void touch_inherited(const struct cb_worker_args *a)
{
    volatile unsigned char *p = a->cow;
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t page = ps > 0 ? (uint64_t)ps : 4096u, n = a->cow_len / page;

    for (uint64_t i = 0; p && i < n; i++)
        if ((i + 1) * a->cow_touch / CB_FRACTION_ONE > i * a->cow_touch / CB_FRACTION_ONE)
            p[i * page] = (unsigned char)(p[i * page] + 1);
}

/* The chunk a unit has claimed, in its unit record until it is done. */
static void claim(const struct cb_worker_args *a, uint32_t from, uint32_t to)
{
    if (a->unit) {
        a->unit->claim_from = from;
        a->unit->claim_to = to;
    }
}

/* free_ns: when the unit got to the gate, idle, ready for a job; then
 * each time it is back for the next one, its last job handed back. What
 * concbench reads of a finished job (rusage, /proc, its record) is the
 * tool's cost, not the pool's: it is in no job's dispatch. The chunk a
 * unit has claimed is in its unit record until it is done, so that the
 * parent can account for it if the unit dies. */
static void run_pool(const struct cb_worker_args *a, bool run, uint64_t free_ns)
{
    uint32_t chunk = a->chunk ? a->chunk : 1, n = a->njobs;
    uint64_t queued = atomic_load(&a->pool->queued_ns);

    for (;;) {
        uint32_t k = atomic_fetch_add(&a->pool->next_job, chunk);

        if (k >= n)
            break;
        claim(a, k, k + chunk < n ? k + chunk : n);
        for (uint32_t j = k; j < n && j < k + chunk; j++) {
            pool_job(a, j, run, queued, free_ns);
            free_ns = cb_clock_now_ns();
        }
    }
    pool_end(a);
}

/* --queue=pipe: descriptors from the job pipe until EOF (every job
 * queued and taken, or the parent gone), each finished job told through
 * the completion pipe, then that this unit is out of jobs. */
static void run_pool_pipe(const struct cb_worker_args *a, uint64_t free_ns)
{
    struct cb_pool_pipe_job d;

    while (cb_pool_pipe_take(a->queue_fd, &d)) {
        uint32_t to;

        if (d.first >= a->njobs)
            continue;
        to = d.count <= a->njobs - d.first ? d.first + d.count : a->njobs;
        claim(a, d.first, to);
        for (uint32_t j = d.first; j < to; j++) {
            pool_job(a, j, true, d.queued_ns, free_ns);
            free_ns = cb_clock_now_ns();
        }
    }
    cb_pool_pipe_tell(a->done_fd, CB_POOL_PIPE_OUT | a->unit_index);
    pool_end(a);
}

/* Waits at the gate; returns whether the jobs run. The first job's
 * migration count is read here, before the wait: read after the
 * release, each worker's read (a /proc file of a few kilobytes) would
 * hold a CPU the next woken worker needs (1,000 processes on 2 CPUs:
 * 10 ms more between the release and the last wake). */
static bool pass_gate(struct cb_worker_args *own)
{
    own->gate_migrations_known = migrations(&own->gate_migrations);
    return cb_gate_pass(own->gate);
}

void cb_worker_run(const struct cb_worker_args *a)
{
    struct cb_worker_args own = *a;
    uint32_t jobs = a->jobs ? a->jobs : 1;
    uint64_t first = first_instruction();
    bool run = true;

    if (a->pool) {
        if (a->unit) {
            a->unit->first_ns = first;
            a->unit->cpu = first_cpu();
            if (first_queue_wait(a, &a->unit->queue_wait_ns))
                a->unit->queue_known = 1;
        }
        touch_inherited(a);
        if (a->pin != CB_PIN_NONE)
            pin_self(a);
        /* Idle at the gate from now: a job queued meanwhile could start. */
        first = cb_clock_now_ns();
        if (a->queue_pipe) { /* waiting for a descriptor is the gate */
            if (a->gate)
                cb_gate_arrive(a->gate);
            run_pool_pipe(a, first);
            return;
        }
        if (a->gate)
            run = cb_gate_pass(a->gate);
        run_pool(a, run, first);
        return;
    }
    a->rec[0].first_ns = first;
    if (first_queue_wait(a, &a->rec[0].queue_wait_ns))
        a->rec[0].queue_known = 1;
    if (a->unit) {
        a->unit->first_ns = first;
        a->unit->cpu = first_cpu();
        a->unit->queue_wait_ns = a->rec[0].queue_wait_ns;
        a->unit->queue_known = a->rec[0].queue_known;
    }
    touch_inherited(a);
    if (a->pin != CB_PIN_NONE)
        pin_self(a);
    if (a->gate) {
        run = pass_gate(&own);
        for (uint32_t k = 0; k < jobs; k++)
            a->rec[k].released_ns = cb_clock_now_ns();
    }
    if (a->executor && a->executor->run_jobs)
        a->executor->run_jobs(&own, jobs, run);
    else if (a->threads > 1 && jobs > 1)
        run_threaded(&own, jobs, run);
    else
        run_block(&own, 0, jobs, run);
    after_jobs(a, jobs);
}
