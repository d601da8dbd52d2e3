/* The run driver: the life of one sample, the same for every executor.
 * The executor starts, waits for and kills units; everything else is
 * here: the gates, the GIL, the payload hand-off, memory, timeouts,
 * interrupts and what a failure means. */
#include "concbench/run.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/interrupt.h"
#include "concbench/memory.h"
#include "concbench/payload.h"
#include "concbench/pool_pipe.h"
#include "concbench/spawn.h"
#include "concbench/sysname.h"
#include "concbench/worker.h"

/* What one unit is told: which run, which unit. */
struct unit_arg {
    struct run *run;
    uint32_t index;
};

/* Everything a unit may touch after it started. It lives on the heap and,
 * when units run past --timeout and cannot be killed, is left allocated
 * on purpose: they go on using it until the process exits. */
struct run {
    const struct cb_executor *x;
    const struct cb_run_spec *spec;
    const struct cb_run_opts *o; /* &opts */
    /* Copies: units left running past --timeout read them until the
     * process ends, after the caller's own are gone. */
    struct cb_run_opts opts;
    struct cb_params params;
    struct cb_exec exec;
    bool exec_open;
    uint32_t nunits;
    struct cb_unit *units;
    struct unit_arg *uargs;
    pid_t *pids;             /* tracked for interrupts and the watchdog */
    bool *killed;            /* the driver killed unit i (a dead peer) */
    uint32_t seen;           /* pools: finished jobs the parent has seen */
    struct cb_pool_pipe queue; /* process-pool --queue=pipe */
    bool queue_open;
    struct cb_gate gate, hold, *gp, *hp;
    struct cb_gil gil, *gilp; /* one lock for units sharing an address space */
    /* Payloads across a process boundary. */
    unsigned char *slots;    /* jobs x payload bytes where payloads land */
    size_t slots_len;
    bool shm;
    int *rfds, *wfds;        /* pipe transport, per job */
    const char *failed_call; /* what failed to start a unit, if not create_call */
    /* --start-method=spawn: what each unit inherits, every descriptor
     * above the fixed numbers it lands on (see high_fd), -1: none. */
    struct cb_spawn_fds sfds;
    int sfd_own[5];          /* the copies high_fd made, closed at the end */
};

static const struct cb_run_opts *opts_of(const struct cb_run_spec *spec)
{
    static const struct cb_run_opts none;

    return spec->opts ? spec->opts : &none;
}

/* Jobs are dealt to units in contiguous blocks, as evenly as they go; a
 * pool's units take theirs from its queue as they run. */
static void deal_jobs(struct run *r)
{
    uint32_t n = r->x->pooled ? 0 : r->spec->workers, u = r->nunits, first = 0;

    for (uint32_t i = 0; i < u; i++) {
        struct cb_unit_record *ur = &r->spec->shared->unit[i];

        ur->first_job = first;
        ur->jobs = n / u + (i < n % u ? 1 : 0);
        first += ur->jobs;
    }
}

/* A unit's own set-up in its process (the executor has reset its
 * signals): its ends of the gates, its own GIL, its copy-on-write range. */
static void unit_in_child(struct run *r, struct cb_worker_args *a, struct cb_gil *own)
{
    const struct cb_unit_record *ur = cb_shared_unit(r->spec->shared, a->unit_index);

    if (r->gp)
        cb_gate_child(r->gp);
    if (r->hp)
        cb_gate_child(r->hp);
    /* Each process has its own, uncontended lock: a process has its own
     * interpreter, and so its own GIL. */
    if (r->o->gil && cb_gil_init(own, r->o->switch_ns, NULL) == 0)
        a->gil = own;
    /* Only a process of its own has copies to make: a thread's write
     * would land in the one copy every unit shares. */
    if (r->spec->parent_mem && r->o->cow_touch) {
        a->cow = r->spec->parent_mem;
        a->cow_len = r->o->parent_mem;
        a->cow_touch = r->o->cow_touch;
    }
    if (r->queue_open)
        cb_pool_pipe_child(&r->queue);
    if (a->payload.size) {
        a->payload.way = r->shm ? CB_PAYLOAD_SHM : CB_PAYLOAD_PIPE;
        a->payload.slot = r->shm ? r->slots + (size_t)ur->first_job * a->payload.size
                                 : NULL;
        a->payload_fds = r->wfds ? r->wfds + ur->first_job : NULL;
    }
}

static void unit_main(void *arg)
{
    const struct unit_arg *ua = arg;
    struct run *r = ua->run;
    const struct cb_run_spec *spec = r->spec;
    struct cb_unit_record *ur = cb_shared_unit(spec->shared, ua->index);
    struct cb_worker_args a;
    struct cb_gil own;

    memset(&a, 0, sizeof a);
    a.task = spec->task;
    a.params = &r->params;
    a.hooks = spec->hooks;
    a.rec = &spec->shared->rec[ur->first_job];
    a.jobs = ur->jobs;
    a.unit = ur;
    a.scope = r->x->separate_memory ? CB_SCOPE_PROCESS : CB_SCOPE_THREAD;
    a.state = spec->task_state;
    a.worker_mem = r->o->worker_mem;
    a.payload.id = ur->first_job;
    a.payload.size = r->o->payload;
    a.payload.fd = -1;
    /* Pinning a unit that is the caller itself would pin the caller. */
    a.pin = r->x->concurrent ? r->o->pin : CB_PIN_NONE;
    a.njobs = spec->workers;
    a.threads = cb_executor_unit_threads(r->x, spec->workers, r->o);
    a.executor = r->x;
    a.loop_block_ns = r->o->loop_block_ns;
    a.fresh = r->x->spawns;
    a.unit_index = ua->index;
    a.nunits = r->nunits;
    a.gate = r->gp;
    a.hold = r->hp;
    if (r->x->pooled) {
        a.rec = spec->shared->rec;
        a.pool = spec->shared;
        a.chunk = r->o->chunk;
        a.queue_pipe = r->queue_open;
        a.queue_fd = r->queue.job_r;
        a.done_fd = r->queue.done_w;
    }
    if (r->x->separate_memory) {
        unit_in_child(r, &a, &own);
    } else {
        a.gil = r->gilp;
        if (a.payload.size)
            a.payload.way = CB_PAYLOAD_POINTER;
    }
    cb_worker_run(&a);
}

/* --start-method=spawn: unit ua->index as a fresh image (src/spawn.c). */
static int spawn_unit(void *arg, pid_t *pid)
{
    const struct unit_arg *ua = arg;
    int rc = cb_spawn_unit(&ua->run->sfds, ua->index, pid);

    if (rc != 0)
        ua->run->failed_call = "posix_spawn";
    return rc;
}

/* fd, or a close-on-exec copy of it above the fixed numbers the spawned
 * units find their descriptors on: moving one there must not overwrite
 * another still to be moved. Returns -1 (errno set) when no copy. */
static int high_fd(struct run *r, int fd, size_t k)
{
    if (fd < 0 || fd > CB_SPAWN_FD_HOLD)
        return fd;
    r->sfd_own[k] = fcntl(fd, F_DUPFD_CLOEXEC, CB_SPAWN_FD_HOLD + 1);
    return r->sfd_own[k];
}

/* Writes the spawn block every unit of the sample rebuilds itself from. */
static int spawn_setup(struct run *r, struct cb_error *err)
{
    struct cb_spawn_block b;
    const struct cb_run_spec *spec = r->spec;
    int fd;

    if (r->o->start_method != CB_START_SPAWN || !r->x->separate_memory)
        return 0;
    if (spec->shared->memfd < 0 || (spec->task_state && spec->state_fd <= 0)) {
        cb_error_set(err, "--start-method=spawn: the records or the task's state have no "
                     "memfd to hand over");
        return -1;
    }
    memset(&b, 0, sizeof b); /* whole bytes, padding too, go in the memfd */
    snprintf(b.task, sizeof b.task, "%s", spec->task->name);
    snprintf(b.executor, sizeof b.executor, "%s", r->x->name);
    b.parent = getpid();
    b.params = r->params;
    b.opts = r->opts;
    b.workers = spec->workers;
    b.nunits = r->nunits;
    b.capacity = spec->shared->capacity;
    b.state_size = spec->task_state ? spec->state_size : 0;
    b.gated = r->gp != NULL;
    b.held = r->hp != NULL;
    fd = cb_spawn_block_open(&b, err);
    if (fd < 0)
        return -1;
    r->sfds.block = r->sfd_own[4] = high_fd(r, fd, 4);
    if (fd != r->sfds.block)
        close(fd);
    r->sfds.shared = high_fd(r, spec->shared->memfd, 0);
    r->sfds.state = high_fd(r, spec->task_state ? spec->state_fd : -1, 1);
    r->sfds.gate = high_fd(r, r->gp ? r->gp->rfd : -1, 2);
    r->sfds.hold = high_fd(r, r->hp ? r->hp->rfd : -1, 3);
    if (r->sfds.block < 0 || r->sfds.shared < 0 ||
        (spec->task_state && r->sfds.state < 0) || (r->gp && r->sfds.gate < 0) ||
        (r->hp && r->sfds.hold < 0)) {
        cb_error_set(err, "--start-method=spawn: cannot move the descriptors a spawned "
                     "unit inherits: %s", strerror(errno));
        return -1;
    }
    r->exec.spawn = spawn_unit;
    return 0;
}

/* The pipes for unit u's payloads, made just before it starts so that no
 * other unit inherits their write ends (EOF must mean "u is gone"). */
static int open_pipes(struct run *r, uint32_t u)
{
    const struct cb_unit_record *ur = &r->spec->shared->unit[u];

    for (uint32_t j = ur->first_job; r->rfds && j < ur->first_job + ur->jobs; j++) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) != 0) {
            r->failed_call = "pipe2";
            return errno;
        }
        r->rfds[j] = fds[0];
        r->wfds[j] = fds[1];
    }
    return 0;
}

static void close_write_ends(struct run *r, uint32_t u)
{
    const struct cb_unit_record *ur = &r->spec->shared->unit[u];

    for (uint32_t j = ur->first_job; r->wfds && j < ur->first_job + ur->jobs; j++)
        if (r->wfds[j] >= 0) {
            close(r->wfds[j]);
            r->wfds[j] = -1;
        }
}

/* Starts unit u. An interrupt between creating a process and tracking
 * its pid would leave it unkilled: signals wait over both (a child clears
 * its mask). */
static int start_unit(struct run *r, uint32_t u)
{
    struct cb_unit_record *ur = cb_shared_unit(r->spec->shared, u);
    bool defer = r->x->separate_memory;
    int rc = open_pipes(r, u);
    uint64_t back;

    if (rc != 0)
        return rc;
    if (defer)
        cb_interrupt_defer(true);
    r->units[u].call_end_ns = 0;
    ur->create_ns = cb_clock_now_ns();
    for (uint32_t j = 0; j < ur->jobs; j++)
        r->spec->shared->rec[ur->first_job + j].create_ns = ur->create_ns;
    rc = r->x->start(&r->exec, &r->units[u], unit_main, &r->uargs[u]);
    back = cb_clock_now_ns();
    /* The call's end as the executor stamped it, else start()'s return.
     * A unit that ran inline was its own call: creating it cost nothing
     * apart from running it. */
    if (r->units[u].call_end_ns && r->units[u].call_end_ns <= back)
        back = r->units[u].call_end_ns;
    ur->created_ns = r->x->concurrent ? back : ur->create_ns;
    for (uint32_t j = 0; j < ur->jobs; j++)
        r->spec->shared->rec[ur->first_job + j].created_ns = ur->created_ns;
    if (rc == 0) {
        r->units[u].started = true;
        r->pids[u] = r->units[u].pid;
    }
    if (defer)
        cb_interrupt_defer(false);
    close_write_ends(r, u);
    return rc;
}

/* Starts the units in order; returns how many started, the failure's
 * errno in *rc. */
static uint32_t start_all(struct run *r, int *rc)
{
    uint32_t u;

    *rc = 0;
    for (u = 0; u < r->nunits; u++) {
        *rc = start_unit(r, u);
        if (*rc != 0)
            break;
    }
    return u;
}

/* Pools: the parent's view of each finished job, in the order they
 * finished (polled while it waits, and once after). */
static void stamp_seen(struct run *r)
{
    struct cb_shared *sh = r->spec->shared;

    if (r->queue_open) {
        cb_pool_pipe_drain(&r->queue, sh->rec);
        return;
    }
    while (r->seen < atomic_load(&sh->done_count)) {
        uint32_t id = atomic_load_explicit(&sh->done_ids[r->seen], memory_order_acquire);

        if (id == UINT32_MAX)
            return; /* claimed, not written yet */
        sh->rec[id].seen_ns = cb_clock_now_ns();
        r->seen++;
    }
}

/* Polled while the parent waits at a gate: false stops the wait. */
static bool units_alive(void *arg)
{
    struct run *r = arg;

    if (r->x->pooled)
        stamp_seen(r);
    if (r->o->timeout_ns && cb_interrupt_deadline_passed())
        return false;
    return !(r->x->any_ended && r->x->any_ended(&r->exec));
}

static bool (*alive_fn(const struct run *r))(void *)
{
    return r->o->timeout_ns || r->x->any_ended || r->x->pooled ? units_alive : NULL;
}

static uint32_t jobs_of(const struct run *r, uint32_t units)
{
    const struct cb_unit_record *ur = r->spec->shared->unit;

    if (r->x->pooled) /* every job is queued once the pool exists */
        return units == r->nunits ? r->spec->workers : 0;
    return units ? ur[units - 1].first_job + ur[units - 1].jobs : 0;
}


/* A unit died while the others may depend on it (a lock it held, a
 * message it owed): nothing may wait forever, so the rest are killed
 * and their jobs reported as abandoned. A unit that has already ended
 * is left to report its own end (killed by SIGKILL from outside, too). */
static void end_on_dead_peer(struct run *r, uint32_t started)
{
    if (!r->spec->task->shares_state || !r->x->killable || !r->x->any_ended ||
        !r->x->any_ended(&r->exec))
        return;
    for (uint32_t u = 0; u < started; u++) {
        if (r->x->ended && r->x->ended(&r->exec, &r->units[u]))
            continue;
        if (r->x->kill(&r->exec, &r->units[u]) == 0)
            r->killed[u] = true;
    }
}

/* Every started unit of a --queue=pipe pool has said it is out of jobs
 * or has ended. */
static bool pool_accounted(struct run *r, uint32_t started)
{
    for (uint32_t u = 0; u < started; u++)
        if (!r->queue.out[u] && !(r->x->ended && r->x->ended(&r->exec, &r->units[u])))
            return false;
    return true;
}

/* process-pool --queue=pipe, as ProcessPoolExecutor's management thread:
 * the parent feeds the job pipe as it has room and reads the completions
 * until every unit is out of jobs. A unit that died leaves the rest to
 * the others, unless the task's units depend on each other; the
 * --timeout stops it; nothing here waits longer than a poll. */
static void pool_pump(struct run *r, uint32_t started)
{
    for (;;) {
        bool fed = cb_pool_pipe_feed(&r->queue);

        /* Off the CPU first: a unit just woken may be queued on it. */
        cb_pool_pipe_wait(&r->queue, (int)(CB_GATE_NAP_NS / 1000000));
        if (fed)
            cb_pool_pipe_stop(&r->queue);
        cb_pool_pipe_drain(&r->queue, r->spec->shared->rec);
        if (r->queue.outs >= started)
            break;
        if (r->o->timeout_ns && cb_interrupt_deadline_passed())
            break;
        if (r->x->any_ended && r->x->any_ended(&r->exec) &&
            (r->spec->task->shares_state || pool_accounted(r, started)))
            break;
    }
    cb_pool_pipe_stop(&r->queue);
}

/* Waits until the started units are held after their jobs, reads the
 * set's memory, stamps held/unheld and lets them go. */
static void hold_and_measure(struct run *r, uint32_t n, struct cb_run_times *t)
{
    if (cb_gate_wait_ready(r->hp, n, alive_fn(r), r) == 0) {
        t->held_ns = cb_clock_now_ns();
        if (t->memory.valid)
            t->memory.valid = cb_memory_pss_sum(r->x->separate_memory ? r->pids : NULL,
                                                n, &t->memory.total_pss_kib, NULL) == 0;
        t->unheld_ns = cb_clock_now_ns();
    } else {
        t->memory.valid = false;
        end_on_dead_peer(r, n);
    }
    cb_gate_release(r->hp, false);
}

/* A pool unit's end lands on the job it was running, or, when it died
 * between jobs, on the last it ran, so that no death goes unreported;
 * the jobs of its last chunk it never began end as it did. */
static void mark_pool_jobs(struct run *r, uint32_t u, int status, int detail)
{
    const struct cb_unit_record *ur = &r->spec->shared->unit[u];
    struct cb_worker_record *last = NULL;
    bool any = false;

    for (uint32_t j = ur->claim_from; status != CB_WORKER_PENDING && j < ur->claim_to &&
                                      j < r->spec->workers; j++) {
        struct cb_worker_record *rec = &r->spec->shared->rec[j];

        if (!rec->unit && !atomic_load(&rec->done)) {
            rec->status = status;
            rec->detail = detail;
            rec->unit = (int32_t)u + 1;
            any = true;
        }
    }
    for (uint32_t j = 0; j < r->spec->workers; j++) {
        struct cb_worker_record *rec = &r->spec->shared->rec[j];

        if (rec->unit != (int32_t)u + 1)
            continue;
        if (!last || rec->end_ns > last->end_ns)
            last = rec;
        if (atomic_load(&rec->done))
            continue;
        any = true;
        if (status != CB_WORKER_PENDING) {
            rec->status = status;
            rec->detail = detail;
        } else {
            rec->status = CB_WORKER_PENDING;
        }
    }
    if (!any && last && status != CB_WORKER_PENDING && status != CB_WORKER_ABANDONED) {
        last->status = status;
        last->detail = detail;
    }
}

static void mark_jobs(struct run *r, uint32_t u, int status, int detail)
{
    const struct cb_unit_record *ur = &r->spec->shared->unit[u];

    if (r->x->pooled) {
        mark_pool_jobs(r, u, status, detail);
        return;
    }
    for (uint32_t j = ur->first_job; j < ur->first_job + ur->jobs; j++) {
        struct cb_worker_record *rec = &r->spec->shared->rec[j];

        if (status == CB_WORKER_PENDING) {
            if (!atomic_load(&rec->done))
                rec->status = CB_WORKER_PENDING;
            continue;
        }
        if (status == CB_WORKER_ABANDONED && atomic_load(&rec->done))
            continue;
        rec->status = status;
        rec->detail = detail;
    }
}

static void record_end(struct run *r, uint32_t u, const struct cb_unit_end *e)
{
    if (e->signaled && e->code == SIGKILL && r->killed[u])
        mark_jobs(r, u, CB_WORKER_ABANDONED, SIGKILL);
    else if (e->signaled && e->code == SIGKILL && cb_interrupt_deadline_passed())
        mark_jobs(r, u, CB_WORKER_TIMEOUT, SIGKILL); /* the --timeout watchdog */
    else if (e->signaled)
        mark_jobs(r, u, CB_WORKER_CRASHED, e->code);
    else if (e->exited && e->code != 0)
        mark_jobs(r, u, CB_WORKER_EXITED, e->code);
    else
        mark_jobs(r, u, CB_WORKER_PENDING, 0);
}

/* Waits for every started unit; with a deadline, a unit that cannot be
 * killed is left running (detached). Returns how many were left so. */
static uint32_t wait_all(struct run *r, uint32_t n, uint64_t deadline)
{
    uint32_t left = 0;

    for (uint32_t u = 0; u < n; u++) {
        struct cb_unit_end e = { false, false, 0 };

        if (r->x->wait(&r->exec, &r->units[u], deadline, &e) == ETIMEDOUT) {
            /* A pool's units take no more jobs. */
            atomic_store(&r->spec->shared->next_job, r->spec->workers);
            if (r->x->kill(&r->exec, &r->units[u]) != 0) {
                /* Left running: its records are its own until the
                 * process ends (the sample is not kept). */
                left++;
                continue;
            }
            r->x->wait(&r->exec, &r->units[u], 0, &e);
        }
        r->units[u].started = false;
        r->pids[u] = 0; /* reaped: an interrupt must never kill a reused pid */
        record_end(r, u, &e);
    }
    return left;
}

/* Reads every pipe in job order, as one consumer drains a queue. */
static void receive_payloads(struct run *r, uint32_t jobs)
{
    uint64_t size = r->o->payload;

    for (uint32_t j = 0; r->rfds && j < jobs; j++)
        cb_payload_receive(r->rfds[j], r->slots + (size_t)j * size, size,
                           &r->spec->shared->rec[j]);
}

/* After the timed run: every payload is where it should be. */
static void check_payloads(struct run *r, uint32_t jobs)
{
    uint64_t size = r->o->payload;

    for (uint32_t j = 0; size && j < jobs; j++) {
        struct cb_worker_record *rec = &r->spec->shared->rec[j];

        if (r->slots) {
            cb_payload_verify(r->slots + (size_t)j * size, size, j, rec);
        } else {
            void *buf = (void *)(uintptr_t)rec->payload_ptr;

            cb_payload_verify(buf, size, j, rec);
            free(buf);
            rec->payload_ptr = 0;
        }
    }
}

static void release_after_failure(struct run *r, uint32_t started)
{
    for (uint32_t u = 0; r->x->killable && u < started; u++)
        r->x->kill(&r->exec, &r->units[u]);
}

/* A pool is ready once its units sleep at the gate, not the instant the
 * last arrives: the driver naps before queueing the jobs. A unit woken
 * right after it blocked is still on its CPU's run queue, charged for
 * the CPU its start-up took (EEVDF's delayed dequeue keeps its negative
 * lag), and waits behind the other runnable tasks until that is paid:
 * here 13-15 us for a fresh process woken at once against 4-6 us after a
 * 10-50 us nap, the more so the busier the machine. Jobs are submitted
 * to a pool that exists, as a program does; the raw hand-off floor
 * (bench/rawhandoff.c) lets its sleeper settle the same way. The nap is
 * part of the pool's creation (create_s). */
static void settle_pool(void)
{
    const struct timespec nap = { 0, 50000 }; /* 50 us (plus the timer slack) */

    nanosleep(&nap, NULL);
}

/* The parent's memory before any unit exists. Reading it walks the
 * parent's page tables (about 30 ms of kernel time at --parent-memory=1GiB):
 * the creating thread is then at the end of its time slice, and the
 * scheduler runs others before the units it creates (spawn_s 3x a raw
 * posix_spawn's from the same parent). A long read is followed by a
 * short sleep, so that creation starts as after the samples' idle gap. */
static void read_baseline(struct cb_run_times *t)
{
    uint64_t t0 = cb_clock_now_ns();

    t->memory.valid = cb_memory_pss_kib(0, &t->memory.baseline_kib, NULL) == 0;
    if (cb_clock_now_ns() - t0 > 1000000u)
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
}

/* Opens the start gate (aborting the started units' jobs after a failed
 * start), stamping when and from which CPU. */
static void release_gate(struct run *r, struct cb_run_times *t, bool abort)
{
    /* The gate's descriptor is written (-1) as it closes: written once
     * before the stamp, so the copy-on-write fault of its page (the units
     * were forked since) is not taken between waking the units and going
     * to sleep, on a CPU a woken unit may wait for. */
    *(volatile int *)&r->gp->wfd = r->gp->wfd;
    /* Where the waker is: a unit woken on another CPU may have waited
     * for that CPU to wake up (a virtual CPU's idle exit). Read before
     * the release, which a woken unit may preempt. */
    t->release_cpu = sched_getcpu();
    t->release_cpu_known = t->release_cpu >= 0;
    t->release_ns = cb_clock_now_ns();
    atomic_store(&r->spec->shared->queued_ns, t->release_ns);
    cb_gate_release(r->gp, abort);
}

/* Starts, releases, holds (memory), waits. Returns 0 or the errno of the
 * failed creation. */
static int drive(struct run *r, struct cb_run_times *t)
{
    uint64_t timeout = r->o->timeout_ns;
    bool gated = r->gp != NULL;
    uint32_t held, started, jobs;
    int rc;

    /* Every unit tracked from the start: its entry is 0 (skipped) until
     * its pid lands there, in memory no fork copies, so that the parent
     * writes nothing copy-on-write between a fork and its sleep. */
    cb_interrupt_track(r->pids, r->nunits);
    memset(&t->memory, 0, sizeof t->memory);
    if (r->hp)
        read_baseline(t);
    if (timeout)
        cb_interrupt_deadline(timeout);
    t->t0_ns = t->release_ns = t->ready_ns = cb_clock_now_ns();
    t->release_cpu_known = false;
    t->units = r->nunits;
    /* From the first fork on, t is copy-on-write: it is written once the
     * parent has slept, in case it lies on another page than the stack
     * the fork itself faulted (traced: a fault 2-3 us long there, which
     * a unit waiting for this CPU waited out). */
    started = start_all(r, &rc);
    jobs = jobs_of(r, started);
    if (rc != 0)
        release_after_failure(r, started);
    else if (gated && cb_gate_wait_ready(r->gp, started, alive_fn(r), r) == 0 &&
             r->x->pooled)
        settle_pool();
    if (gated) {
        t->ready_ns = cb_clock_now_ns();
        release_gate(r, t, rc != 0);
    }
    if (r->queue_open && rc == 0)
        pool_pump(r, started); /* stops the queue when done */
    else if (r->queue_open) /* a failed start queues nothing: EOF at once */
        cb_pool_pipe_stop(&r->queue);
    if (r->hp) {
        /* Units killed after a failed creation never arrive. */
        held = rc != 0 && r->x->killable ? 0 : started;
        hold_and_measure(r, held, t);
    }
    t->units_started = started;
    t->started = jobs;
    if (rc == 0)
        receive_payloads(r, t->started);
    t->abandoned = wait_all(r, t->units_started, timeout ? t->t0_ns + timeout : 0);
    if (r->x->pooled)
        stamp_seen(r);
    t->t1_ns = cb_clock_now_ns();
    if (!r->x->concurrent)
        t->ready_ns = t->t0_ns; /* nothing is created ahead of its run */
    if (timeout)
        cb_interrupt_deadline(0);
    cb_interrupt_track(NULL, 0);
    if (!t->abandoned)
        check_payloads(r, t->started);
    return rc;
}

/* Maps the slots the payloads land in, one per job, and writes every page
 * before the run, so the parent's side of a hand-off is never the first
 * touch of fresh memory (which on some virtual machines costs more than
 * the copy). The pipe transport's slots stay with the parent
 * (MADV_DONTFORK), so its writes into them are not copy-on-write faults
 * (that costs each fork about 2 us, see cb_shared_parent_alloc; only with
 * --payload --transport=pipe, where a pipe's copies dwarf it).
 * A child's first write to its shared slot still faults on every page:
 * that is part of what shared memory costs, and handoff_faults counts it.
 * In one address space nothing is mapped: payloads go by pointer. */
static int payload_setup(struct run *r, struct cb_error *err)
{
    uint32_t n = r->spec->workers;

    if (r->o->payload == 0 || !r->x->separate_memory)
        return 0;
    r->shm = r->o->transport == CB_TRANSPORT_SHM;
    r->slots_len = (size_t)r->o->payload * n;
    r->slots = mmap(NULL, r->slots_len, PROT_READ | PROT_WRITE,
                    (r->shm ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (r->slots == MAP_FAILED ||
        (!r->shm && madvise(r->slots, r->slots_len, MADV_DONTFORK) != 0)) {
        cb_error_set(err, "cannot map %zu bytes for %u payloads: %s", r->slots_len, n,
                     strerror(errno));
        if (r->slots == MAP_FAILED)
            r->slots = NULL;
        return -1;
    }
    memset(r->slots, 0xa5, r->slots_len);
    if (r->shm)
        return 0;
    r->rfds = malloc(2 * (size_t)n * sizeof *r->rfds);
    if (!r->rfds) {
        cb_error_set(err, "out of memory for %u payload pipes", n);
        return -1;
    }
    r->wfds = r->rfds + n;
    for (uint32_t i = 0; i < 2 * n; i++)
        r->rfds[i] = -1;
    return 0;
}

static int alloc_run(struct run *r, struct cb_error *err)
{
    /* Written between a fork and the parent's sleep: no fork copies it. */
    r->units = cb_shared_parent_alloc(r->nunits * sizeof *r->units);
    r->uargs = calloc(r->nunits, sizeof *r->uargs);
    r->pids = cb_shared_parent_alloc(r->nunits * sizeof *r->pids);
    r->killed = calloc(r->nunits, sizeof *r->killed);
    if (!r->units || !r->uargs || !r->pids || !r->killed) {
        cb_error_set(err, "out of memory for %u units of execution", r->nunits);
        return -1;
    }
    for (uint32_t u = 0; u < r->nunits; u++)
        r->uargs[u] = (struct unit_arg){ r, u };
    return 0;
}

static int setup(struct run *r, struct cb_error *err)
{
    r->gate.rfd = r->gate.wfd = r->hold.rfd = r->hold.wfd = -1;
    r->sfds = (struct cb_spawn_fds){ -1, -1, -1, -1, -1 };
    for (size_t k = 0; k < 5; k++)
        r->sfd_own[k] = -1;
    if (alloc_run(r, err) != 0 || payload_setup(r, err) != 0)
        return -1;
    deal_jobs(r);
    r->exec = (struct cb_exec){ r->x, r->o, NULL, NULL };
    if (r->x->open && r->x->open(&r->exec, r->nunits, err) != 0)
        return -1;
    r->exec_open = true;
    if (r->o->gil && !r->x->separate_memory) {
        if (cb_gil_init(&r->gil, r->o->switch_ns, err) != 0)
            return -1;
        r->gilp = &r->gil;
    }
    /* Units that run one after another are never alive together: no
     * hold, no memory of the set, and nothing to release at once. */
    if (!r->x->concurrent)
        return 0;
    if (cb_gate_open_hold(&r->hold, r->spec->shared, err) != 0)
        return -1;
    r->hp = &r->hold;
    /* A pool's jobs are queued all at once, when every unit is waiting. */
    if (r->spec->start == CB_START_BARRIER || r->x->pooled) {
        if (cb_gate_open(&r->gate, r->spec->shared, err) != 0)
            return -1;
        r->gp = &r->gate;
    }
    if (r->x->pooled && r->x->separate_memory && r->o->queue == CB_QUEUE_PIPE) {
        r->queue_open = true; /* closed in teardown even if half open */
        if (cb_pool_pipe_open(&r->queue, r->spec->workers, r->o->chunk, r->nunits, err) != 0)
            return -1;
    }
    return spawn_setup(r, err);
}

static void teardown(struct run *r)
{
    for (size_t k = 0; k < 5; k++)
        if (r->sfd_own[k] >= 0)
            close(r->sfd_own[k]);
    if (r->gp)
        cb_gate_close(r->gp);
    if (r->hp)
        cb_gate_close(r->hp);
    if (r->gilp)
        cb_gil_destroy(r->gilp);
    if (r->exec_open && r->x->close)
        r->x->close(&r->exec);
    if (r->queue_open)
        cb_pool_pipe_close(&r->queue);
    if (r->slots)
        munmap(r->slots, r->slots_len);
    for (uint32_t i = 0; r->rfds && i < 2 * r->spec->workers; i++)
        if (r->rfds[i] >= 0)
            close(r->rfds[i]);
    free(r->rfds);
    cb_shared_parent_free(r->units, r->nunits * sizeof *r->units);
    free(r->uargs);
    cb_shared_parent_free(r->pids, r->nunits * sizeof *r->pids);
    free(r->killed);
    free(r);
}

/* What limit a failed call most likely hit, as " (...)"; "" for other
 * errors. A unit's pipes (call "pipe2") hit descriptor limits; a thread's
 * creation also needs room for its stack in the address space, which
 * ulimit -v and --stack-size bound. */
static const char *limit_hint(int rc, const char *call, bool processes)
{
    if (strcmp(call, "pipe2") == 0)
        return rc == EMFILE ? " (descriptor limit: ulimit -n, RLIMIT_NOFILE; each worker's "
                              "--payload pipe takes 2)"
               : rc == ENFILE ? " (system-wide descriptor limit: /proc/sys/fs/file-max)"
                              : "";
    if (rc == EAGAIN)
        return processes ? " (process limit: ulimit -u, /proc/sys/kernel/pid_max or a "
                           "pids cgroup)"
                         : " (thread limit: ulimit -u, /proc/sys/kernel/threads-max or a "
                           "pids cgroup; or no room for the thread's stack: ulimit -v, "
                           "a smaller --stack-size)";
    if (rc == ENOMEM)
        return processes ? " (memory limit: MemAvailable, the memory cgroup, "
                           "vm.overcommit_memory or ulimit -v)"
                         : " (memory limit: ulimit -v, MemAvailable, the memory cgroup; "
                           "each thread's stack is --stack-size)";
    return "";
}

static void fail_message(const struct run *r, const struct cb_run_times *t, int rc,
                         struct cb_error *err)
{
    const char *name = cb_sysname_errno(rc);
    const char *call = r->failed_call ? r->failed_call : r->x->create_call;

    for (uint32_t i = t->started; i < r->spec->workers; i++)
        r->spec->shared->rec[i].status = CB_WORKER_NOT_STARTED;
    cb_error_set(err, "%s failed for worker %u of %u: %s%s%s%s; the %u started were %s%s",
                 call, t->units_started + 1, r->nunits, strerror(rc),
                 name ? " (" : "", name ? name : "", name ? ")" : "", t->units_started,
                 r->x->killable ? "killed and reaped" : "joined",
                 limit_hint(rc, call, r->x->separate_memory));
}

/* The sample in progress. A forked unit _exits with the run's memory
 * still its own: kept reachable from here, a leak checker (valgrind)
 * running the child does not take it for a leak. */
static struct run *volatile current; /* volatile: kept, though never read */

int cb_run_sample(const struct cb_executor *x, const struct cb_run_spec *spec,
                  struct cb_run_times *t, struct cb_error *err)
{
    struct run *r = calloc(1, sizeof *r);
    int rc, ret = -1;

    current = r;
    if (!r) {
        cb_error_set(err, "out of memory for %u workers", spec->workers);
        return -1;
    }
    r->x = x;
    r->spec = spec;
    r->opts = *opts_of(spec);
    r->o = &r->opts;
    r->params = *spec->params;
    r->nunits = cb_executor_units(x, spec->workers, r->o);
    if (setup(r, err) != 0)
        goto out;
    rc = drive(r, t);
    if (t->abandoned) {
        const char *what = x->unit_noun;

        cb_error_set(err, "timeout: %u of %u %s still running after the --timeout; %s "
                     "cannot be killed, so the run stops here", t->abandoned, r->nunits,
                     what, what);
        return -1; /* r stays: the abandoned units still use it */
    }
    if (rc != 0)
        fail_message(r, t, rc, err);
    else
        ret = 0;
out:
    teardown(r);
    current = NULL;
    return ret;
}

/* A spawned unit's view of the run: the gates' read ends on their fixed
 * descriptors, the records and the task state mapped from their memfds. */
static int spawned_run(struct run *r, struct cb_run_spec *spec,
                       const struct cb_spawn_block *b, struct cb_error *err)
{
    struct cb_shared *sh = cb_shared_attach(CB_SPAWN_FD_SHARED, b->capacity, err);

    if (!sh)
        return -1;
    spec->shared = sh;
    spec->task = cb_task_find(b->task);
    r->x = cb_executor_find(b->executor);
    if (!spec->task || !r->x) {
        cb_error_set(err, "spawned unit: no task %s or mode %s in this build", b->task,
                     b->executor);
        return -1;
    }
    if (b->state_size) {
        spec->task_state = mmap(NULL, b->state_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                                CB_SPAWN_FD_STATE, 0);
        if (spec->task_state == MAP_FAILED) {
            cb_error_set(err, "spawned unit: cannot map the task's state: %s",
                         strerror(errno));
            return -1;
        }
    }
    r->gate = (struct cb_gate){ .rfd = CB_SPAWN_FD_GATE, .wfd = -1, .count = &sh->ready,
                                .seq = &sh->wake_seq, .abort = &sh->abort };
    r->hold = (struct cb_gate){ .rfd = CB_SPAWN_FD_HOLD, .wfd = -1, .count = &sh->held,
                                .seq = &sh->wake_seq, .abort = NULL };
    r->gp = b->gated ? &r->gate : NULL;
    r->hp = b->held ? &r->hold : NULL;
    return 0;
}

int cb_run_spawned(const struct cb_spawn_block *b, uint32_t unit, struct cb_error *err)
{
    static struct cb_run_spec spec;
    static struct run r;
    struct unit_arg ua = { &r, unit };

    r.spec = &spec;
    r.opts = b->opts;
    r.o = &r.opts;
    r.params = b->params;
    r.nunits = b->nunits;
    spec.params = &r.params;
    spec.workers = b->workers;
    spec.opts = r.o;
    if (spawned_run(&r, &spec, b, err) != 0)
        return -1;
    current = &r;
    unit_main(&ua);
    return 0;
}

const char *cb_pin_name(size_t i)
{
    static const char *const names[] = { "none", "spread", "compact" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

const char *cb_queue_name(size_t i)
{
    static const char *const names[] = { "shm", "pipe" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

const char *cb_isolation_name(size_t i)
{
    static const char *const names[] = { "process", "none" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

const char *cb_start_method_name(size_t i)
{
    static const char *const names[] = { "fork", "spawn", "forkserver" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}
