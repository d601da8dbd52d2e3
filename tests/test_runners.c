/* Runners: every mode runs every task right, starts as asked, reports
 * crashes by signal name and leaves no child behind. */
#include "cb_test.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concbench/clock.h"
#include "concbench/executor.h"
#include "concbench/run.h"
#include "concbench/shared.h"

#define MAXW 64

static struct cb_shared *shared;
static _Atomic unsigned *ticket; /* shared across forks: who goes first */

static int setup(void **state)
{
    (void)state;
    shared = cb_shared_map(MAXW, NULL);
    ticket = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return shared && ticket != MAP_FAILED ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cb_shared_unmap(shared);
    munmap((void *)ticket, 4096);
    return 0;
}

/* Fault tasks: the first worker to arrive misbehaves, the others count. */
static uint64_t segv_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    if (atomic_fetch_add(ticket, 1) == 0)
        raise(SIGSEGV);
    return cb_task_find("cpu")->run(p, st, h);
}

static uint64_t exit3_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    if (atomic_fetch_add(ticket, 1) == 0) {
        if (p->iterations == 2)
            raise(SIGKILL); /* as a kill from outside would */
        _exit(3);
    }
    return cb_task_find("cpu")->run(p, st, h);
}

static struct cb_task fault_task(uint64_t (*run)(const struct cb_params *, void *,
                                                 const struct cb_hooks *))
{
    struct cb_task t = *cb_task_find("cpu");

    t.name = "fault";
    t.run = run;
    atomic_store(ticket, 0);
    return t;
}

static struct cb_run_opts opts; /* per test; zero: defaults */

static int run(const struct cb_executor *r, const struct cb_task *task,
               struct cb_params *p, uint32_t n, enum cb_start start,
               struct cb_run_times *t)
{
    struct cb_run_spec spec = {
        .task = task, .params = p, .workers = n, .start = start, .shared = shared,
        .opts = &opts,
    };
    struct cb_error err = { "" };
    struct cb_task_run tr;
    uint64_t total = 0;
    int rc;

    memset(t, 0, sizeof *t);
    cb_shared_reset(shared, n);
    /* Tasks with run-wide state (lock) get it as the bench gives it. */
    assert_int_equal(cb_task_run_begin(task, p, n, r->separate_memory, &tr, &err), 0);
    spec.task_state = tr.state;
    rc = cb_run_sample(r, &spec, t, &err);
    if (cb_task_run_end(task, &tr, &total) && rc == 0)
        assert_int_equal(total, task->expected_total(p, n));
    cb_test_no_children();
    return rc;
}

static struct cb_params small_params(void)
{
    struct cb_params p;

    cb_params_default(&p);
    p.iterations = 200000;
    p.sleep_ns = 5000000;
    p.fib_n = 18;
    p.region_bytes = 64 * 1024; /* fault: 16 pages */
    p.block_bytes = 256 * 1024; /* malloc: about 3 in 4 blocks mmap'ed */
    p.tlb_pages = 2;
    return p;
}

static void check_all_ok(const struct cb_task *task, const struct cb_params *p,
                         const struct cb_run_times *t, uint32_t n)
{
    assert_int_equal(t->started, n);
    assert_true(t->t0_ns <= t->ready_ns);
    assert_true(t->ready_ns <= t->t1_ns);
    for (uint32_t i = 0; i < n; i++) {
        const struct cb_worker_record *r = &shared->rec[i];

        assert_int_equal(atomic_load(&r->done), 1);
        assert_int_equal(r->status, CB_WORKER_OK);
        assert_int_equal(r->checksum, task->expected(p));
        assert_true(r->create_ns >= t->t0_ns);
        assert_true(r->create_ns <= r->first_ns);
        assert_true(r->first_ns <= r->start_ns);
        assert_true(r->start_ns <= r->end_ns);
        assert_true(r->end_ns <= t->t1_ns);
    }
}

/* Tasks whose jobs need each other (switch pairs) only where every job
 * has its own concurrent unit; the config refuses the rest (test_cli).
 * Ping-pongs and messages get a short run. */
static void test_every_mode_every_task(void **state)
{
    struct cb_run_times t;

    (void)state;
    for (size_t m = 0; cb_executors[m]; m++)
        for (size_t k = 0; cb_tasks[k]; k++)
            for (int s = 0; s < 2; s++) {
                enum cb_start start = s ? CB_START_BARRIER : CB_START_IMMEDIATE;
                struct cb_params p = small_params();

                if (cb_tasks[k]->all_at_once &&
                    (!cb_executors[m]->concurrent ||
                     cb_executor_units(cb_executors[m], 4, &opts) < 4))
                    continue;
                /* ThreadSanitizer cannot follow a forked child that starts
                 * threads once its parent has had threads of its own (a
                 * hybrid's processes, here): test_hybrid runs that mode
                 * from the binary instead. */
                if (CB_TEST_TSAN && cb_executors[m]->threads && cb_executors[m]->separate_memory)
                    continue;
                /* The tasks holding memory of their own (fault, malloc, tlb)
                 * make system calls every step: a few hundred will do. */
                p.iterations = cb_tasks[k]->job_memory ? 200
                             : cb_tasks[k]->op_bytes || cb_tasks[k]->all_at_once ? 2000
                             : 200000;
                assert_int_equal(run(cb_executors[m], cb_tasks[k], &p, 4, start, &t), 0);
                check_all_ok(cb_tasks[k], &p, &t, 4);
            }
}

static void test_barrier_releases_together(void **state)
{
    struct cb_params p = small_params();
    struct cb_run_times t;

    (void)state;
    for (size_t m = 0; m < 2; m++) { /* threads, processes */
        assert_int_equal(run(cb_executors[m], cb_task_find("cpu"), &p, 8, CB_START_BARRIER, &t), 0);
        check_all_ok(cb_task_find("cpu"), &p, &t, 8);
        assert_true(t.release_ns >= t.ready_ns);
        for (uint32_t i = 0; i < 8; i++) {
            assert_true(shared->rec[i].first_ns <= t.release_ns);
            assert_true(shared->rec[i].start_ns >= t.release_ns);
        }
    }
}

static void test_processes_are_other_processes(void **state)
{
    struct cb_params p = small_params();
    struct cb_run_times t;

    (void)state;
    /* RUSAGE_SELF in a child counts only the child: a 200k-step loop
     * cannot show the parent's accumulated CPU time. */
    assert_int_equal(run(cb_executor_find("processes"), cb_task_find("io"), &p, 3, CB_START_IMMEDIATE, &t), 0);
    for (uint32_t i = 0; i < 3; i++)
        assert_true(shared->rec[i].user_ns + shared->rec[i].sys_ns < 5000000);
}

/* A thread's user and system time are its own (RUSAGE_THREAD), not the
 * whole process's: with two threads busy at once, each one's user + sys
 * stays near its own exact CPU time (ticks allow some slack). */
static void test_threads_count_their_own_time(void **state)
{
    struct cb_params p = small_params();
    struct cb_run_times t;

    (void)state;
    cb_test_need_timing();
    p.iterations = 40000000; /* ~20 ms a worker */
    assert_int_equal(run(cb_executor_find("threads"), cb_task_find("cpu"), &p, 2, CB_START_BARRIER, &t), 0);
    for (uint32_t i = 0; i < 2; i++) {
        const struct cb_worker_record *w = &shared->rec[i];

        assert_true(w->cpu_ns > 0);
        assert_true((double)(w->user_ns + w->sys_ns) < 1.5 * (double)w->cpu_ns + 8e6);
    }
}

static void test_crash_is_contained(void **state)
{
    struct cb_task task = fault_task(segv_run);
    struct cb_params p = small_params();
    struct cb_run_times t;
    unsigned crashed = 0, ok = 0;

    (void)state;
    assert_int_equal(run(cb_executor_find("processes"), &task, &p, 4, CB_START_IMMEDIATE, &t), 0);
    for (uint32_t i = 0; i < 4; i++) {
        if (shared->rec[i].status == CB_WORKER_CRASHED) {
            assert_int_equal(shared->rec[i].detail, SIGSEGV);
            crashed++;
        } else if (shared->rec[i].status == CB_WORKER_OK) {
            ok++;
        }
    }
    assert_int_equal(crashed, 1);
    assert_int_equal(ok, 3);
}

static void test_exit_status_reported(void **state)
{
    struct cb_task task = fault_task(exit3_run);
    struct cb_params p = small_params();
    struct cb_run_times t;
    unsigned exited = 0;

    (void)state;
    assert_int_equal(run(cb_executor_find("processes"), &task, &p, 3, CB_START_BARRIER, &t), 0);
    for (uint32_t i = 0; i < 3; i++)
        if (shared->rec[i].status == CB_WORKER_EXITED) {
            assert_int_equal(shared->rec[i].detail, 3);
            exited++;
        }
    assert_int_equal(exited, 1);
}

static double wall(const struct cb_executor *r, uint32_t n)
{
    struct cb_params p = small_params();
    struct cb_run_times t;

    p.sleep_ns = 250000000; /* 250 ms */
    assert_int_equal(run(r, cb_task_find("io"), &p, n, CB_START_IMMEDIATE, &t), 0);
    check_all_ok(cb_task_find("io"), &p, &t, n);
    return (double)(t.t1_ns - t.t0_ns) / 1e9;
}

/* Sleeping workers overlap in threads and processes, not in serial. */
static void test_io_overlaps(void **state)
{
    (void)state;
    cb_test_need_timing();
    /* One after another would take 20 x 250 ms = 5 s; half of that is a
     * generous bound that still holds under ThreadSanitizer's slow fork
     * on a loaded machine. */
    assert_true(wall(cb_executor_find("threads"), 20) < 20 * 0.25 / 2);
    assert_true(wall(cb_executor_find("processes"), 20) < 20 * 0.25 / 2);
    assert_true(wall(cb_executor_find("serial"), 4) >= 4 * 0.25);
}

/* --pin: each worker ends its task on the CPU its policy names. */
static void test_pinning(void **state)
{
    struct cb_params p = small_params();
    struct cb_run_times t;
    cpu_set_t allowed;
    int cpus[CPU_SETSIZE], n = 0;

    (void)state;
    assert_int_equal(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed))
            cpus[n++] = c;
    for (size_t m = 0; m < 2; m++) { /* threads, processes */
        opts.pin = CB_PIN_SPREAD;
        assert_int_equal(run(cb_executors[m], cb_task_find("cpu"), &p, 6, CB_START_BARRIER, &t), 0);
        for (uint32_t i = 0; i < 6; i++)
            assert_int_equal(shared->rec[i].cpu, cpus[i % (uint32_t)n]);
        opts.pin = CB_PIN_COMPACT;
        assert_int_equal(run(cb_executors[m], cb_task_find("cpu"), &p, 6, CB_START_BARRIER, &t), 0);
        for (uint32_t i = 0; i < 6; i++)
            assert_int_equal(shared->rec[i].cpu, cpus[i * (uint32_t)n / 6]);
    }
    opts.pin = CB_PIN_NONE;
    /* Pinning a worker never pins the parent. */
    assert_int_equal(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    assert_int_equal(CPU_COUNT(&allowed), n);
}

/* A task whose jobs depend on each other: the first job dies, the others
 * wait for a flag only it would have set. */
static uint64_t orphaned_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    _Atomic unsigned *flag = st;

    (void)h;
    if (atomic_fetch_add(ticket, 1) == 0) {
        if (p->iterations == 2)
            raise(SIGKILL); /* as a kill from outside would */
        _exit(3);
    }
    while (!atomic_load(flag))
        usleep(1000);
    return 1;
}

static uint64_t one(const struct cb_params *p)
{
    (void)p;
    return 1;
}

/* Nothing waits forever: a worker of a shared-state task dies, and the
 * driver ends the sample instead of waiting on the others (which would
 * wait for ever); they are reported abandoned, the dead one by its own
 * end: its exit status, or SIGKILL, which the driver's kills of the
 * others must not be taken for (--iterations picks the end). */
static void test_dead_peer_ends_sample(void **state)
{
    struct cb_task task = *cb_task_find("cpu");
    struct cb_params p = small_params();
    struct cb_run_times t;

    (void)state;
    task.run = orphaned_run;
    task.expected = one;
    task.shares_state = true;
    task.state_size = sizeof(_Atomic unsigned);
    for (p.iterations = 1; p.iterations <= 2; p.iterations++) {
        uint32_t dead = 0, abandoned = 0;

        atomic_store(ticket, 0);
        alarm(60); /* a hang fails the test rather than stalling ctest */
        assert_int_equal(run(cb_executor_find("processes"), &task, &p, 3, CB_START_IMMEDIATE,
                             &t), 0);
        alarm(0);
        assert_int_equal(t.started, 3);
        for (uint32_t i = 0; i < 3; i++) {
            const struct cb_worker_record *r = &shared->rec[i];

            dead += p.iterations == 1 ? r->status == CB_WORKER_EXITED && r->detail == 3
                                      : r->status == CB_WORKER_CRASHED && r->detail == SIGKILL;
            abandoned += r->status == CB_WORKER_ABANDONED;
        }
        assert_int_equal(dead, 1);
        assert_int_equal(abandoned, 2);
    }
}

/* Per-job set-up: its local reaches run() with the job's index; a failed
 * set-up is the job's outcome, with the task's message. */
static int local_setup(const struct cb_params *p, void *state, uint32_t job,
                       void **local, struct cb_error *err)
{
    (void)state;
    (void)job;
    static uint64_t forty_two = 42;

    if (p->iterations == 13) {
        cb_error_set(err, "cannot allocate 13 things");
        return -1;
    }
    *local = &forty_two;
    return 0;
}

static uint64_t local_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    (void)p;
    (void)st;
    return *(const uint64_t *)h->local + 1000 * (h->job < h->jobs);
}

static uint64_t local_expected(const struct cb_params *p)
{
    (void)p;
    return 1042;
}

static void test_worker_setup(void **state)
{
    struct cb_task task = *cb_task_find("cpu");
    struct cb_params p = small_params();
    struct cb_run_times t;
    char status[160];

    (void)state;
    task.run = local_run;
    task.expected = local_expected;
    task.worker_setup = local_setup;
    for (size_t m = 0; cb_executors[m]; m++) {
        p.iterations = 1;
        assert_int_equal(run(cb_executors[m], &task, &p, 3, CB_START_IMMEDIATE, &t), 0);
        for (uint32_t i = 0; i < 3; i++) {
            assert_int_equal(shared->rec[i].status, CB_WORKER_OK);
            assert_int_equal(shared->rec[i].checksum, 1042);
        }
        p.iterations = 13;
        assert_int_equal(run(cb_executors[m], &task, &p, 2, CB_START_IMMEDIATE, &t), 0);
        cb_record_status_str(&shared->rec[1], status, sizeof status);
        assert_string_equal(status, "setup-failed: cannot allocate 13 things");
    }
}

/* An executor with bookkeeping of its own after its creation call (as the
 * processes executor's after fork) stamps the call's end itself: the
 * unit's creation ends there, not when start() returns. */
struct stamped_start {
    cb_unit_fn fn;
    void *arg;
};

static struct stamped_start stamped;
static uint64_t stamped_end;

static void *stamped_main(void *arg)
{
    const struct stamped_start *s = arg;

    s->fn(s->arg);
    return NULL;
}

static int stamped_start_fn(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    struct timespec bookkeeping = { 0, 20000000 };
    int rc;

    (void)x;
    stamped = (struct stamped_start){ fn, arg };
    rc = pthread_create(&u->tid, NULL, stamped_main, &stamped);
    stamped_end = u->call_end_ns = cb_clock_now_ns();
    nanosleep(&bookkeeping, NULL);
    return rc;
}

static int stamped_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                        struct cb_unit_end *end)
{
    (void)x;
    (void)deadline_ns;
    memset(end, 0, sizeof *end);
    return pthread_join(u->tid, NULL) == 0 ? 0 : EINVAL;
}

static int stamped_kill(struct cb_exec *x, struct cb_unit *u)
{
    (void)x;
    pthread_detach(u->tid);
    return -1;
}

static void test_executor_stamps_call_end(void **state)
{
    const struct cb_executor x = {
        .name = "stamped", .description = "test", .concurrent = true, .spawns = true,
        .create_call = "pthread_create", .unit_noun = "threads",
        .start = stamped_start_fn, .wait = stamped_wait, .kill = stamped_kill,
    };
    struct cb_params p = small_params();
    struct cb_run_times t;
    const struct cb_unit_record *ur;

    (void)state;
    assert_int_equal(run(&x, cb_task_find("cpu"), &p, 1, CB_START_IMMEDIATE, &t), 0);
    ur = cb_shared_unit(shared, 0);
    assert_int_equal(ur->created_ns, stamped_end);
    assert_true(ur->create_ns <= ur->created_ns);
}

/* The parent's memory for its units: a fork neither copies it (a child's
 * write is the parent's too) nor write-protects it (the parent's writes
 * after the fork are not copy-on-write faults). */
static void test_parent_memory_not_copied(void **state)
{
    volatile char *p = cb_shared_parent_alloc(4096);
    struct rusage a, b;
    int status = 0;
    pid_t pid;

    (void)state;
    assert_non_null(p);
    assert_int_equal(p[100], 0);
    p[0] = 1;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        p[1] = 7;
        _exit(0);
    }
    /* The fork made this stack copy-on-write too: the first write into a
     * or b faults, and a fault while getrusage copies a out would count
     * in b. Both are written once before the measured pair. */
    assert_int_equal(getrusage(RUSAGE_THREAD, &a), 0);
    assert_int_equal(getrusage(RUSAGE_THREAD, &b), 0);
    assert_int_equal(getrusage(RUSAGE_THREAD, &a), 0);
    p[0] = 2;
    assert_int_equal(getrusage(RUSAGE_THREAD, &b), 0);
    /* Under valgrind (scripts/test.sh sets CB_TEST_NO_TIMING) its own
     * bookkeeping faults too. */
    if (!getenv("CB_TEST_NO_TIMING"))
        assert_int_equal(b.ru_minflt - a.ru_minflt, 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(p[1], 7);
    cb_shared_parent_free((void *)p, 4096);
}

static void test_registry(void **state)
{
    (void)state;
    assert_ptr_equal(cb_executor_find("threads"), cb_executor_find("threads"));
    assert_ptr_equal(cb_executor_find("processes"), cb_executor_find("processes"));
    assert_ptr_equal(cb_executor_find("serial"), cb_executor_find("serial"));
    assert_null(cb_executor_find("fibers"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_dead_peer_ends_sample),
        cmocka_unit_test(test_worker_setup),
        cmocka_unit_test(test_every_mode_every_task),
        cmocka_unit_test(test_barrier_releases_together),
        cmocka_unit_test(test_processes_are_other_processes),
        cmocka_unit_test(test_threads_count_their_own_time),
        cmocka_unit_test(test_crash_is_contained),
        cmocka_unit_test(test_exit_status_reported),
        cmocka_unit_test(test_io_overlaps),
        cmocka_unit_test(test_pinning),
        cmocka_unit_test(test_executor_stamps_call_end),
        cmocka_unit_test(test_parent_memory_not_copied),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
