/* The worker body: timestamps, CPU time, counters and the start gate. */
#include "cb_test.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concbench/worker.h"

CB_TEST_SHARED_RECORDS(4)

/* getrusage, failing while fail_usage is set. */
static bool fail_usage;
int __real_getrusage(int who, struct rusage *usage);
int __wrap_getrusage(int who, struct rusage *usage);
int __wrap_getrusage(int who, struct rusage *usage)
{
    if (fail_usage) {
        errno = EINVAL;
        return -1;
    }
    return __real_getrusage(who, usage);
}

static struct cb_worker_args args(const struct cb_task *task, struct cb_params *p,
                                  struct cb_gate *gate)
{
    struct cb_worker_args a = {
        .task = task, .params = p, .gate = gate, .rec = &shared->rec[0],
        .scope = CB_SCOPE_THREAD,
    };

    cb_shared_reset(shared, 4);
    cb_params_default(p);
    return a;
}

static void test_record_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct cb_worker_record) % CB_CACHE_LINE, 0);
    assert_int_equal((uintptr_t)&shared->rec[1] % CB_CACHE_LINE, 0);
}

static void test_cpu_worker(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, NULL);
    struct cb_worker_record *r = a.rec;
    double run, cpu;

    (void)state;
    p.iterations = 50000000;
    r->create_ns = cb_clock_now_ns();
    cb_worker_run(&a);
    assert_int_equal(atomic_load(&r->done), 1);
    assert_int_equal(r->status, CB_WORKER_OK);
    assert_int_equal(r->checksum, 50000000);
    assert_true(r->create_ns <= r->first_ns);
    assert_true(r->first_ns <= r->start_ns);
    assert_true(r->start_ns < r->end_ns);
    assert_true(r->cpu >= 0);
    assert_true(r->max_rss_kib > 0);
    run = (double)(r->end_ns - r->start_ns) / 1e9;
    cpu = (double)(r->user_ns + r->sys_ns) / 1e9;
    /* One thread cannot use more CPU than its run time. How much less
     * depends on who else runs (a busy loop on every CPU halves it), so
     * the coarse user + sys counters are held against the exact CPU clock
     * instead, allowing for the 4 ms tick. */
    assert_true(r->cpu_ns > 0);
    assert_true(cpu <= run * 1.2 + 0.01);
    assert_true(cpu <= (double)r->cpu_ns / 1e9 * 1.2 + 0.01);
    assert_true(cpu >= (double)r->cpu_ns / 1e9 * 0.8 - 0.01);
}

/* Counters read: usage_known; getrusage failing: usage_known 0, so the
 * counters are written as null, not as zeros that look measured. */
static void test_usage_known(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, NULL);

    (void)state;
    p.iterations = 1000;
    cb_worker_run(&a);
    assert_int_equal(a.rec->status, CB_WORKER_OK);
    assert_int_equal(a.rec->usage_known, 1);
    a = args(cb_task_find("cpu"), &p, NULL);
    p.iterations = 1000;
    fail_usage = true;
    cb_worker_run(&a);
    fail_usage = false;
    assert_int_equal(a.rec->status, CB_WORKER_OK);
    assert_int_equal(a.rec->usage_known, 0);
    assert_int_equal(a.rec->minor_faults, 0);
}

static void test_io_worker(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("io"), &p, NULL);
    struct cb_worker_record *r = a.rec;
    double run, cpu;

    (void)state;
    p.sleep_ns = 50000000;
    cb_worker_run(&a);
    assert_int_equal(r->status, CB_WORKER_OK);
    assert_int_equal(r->checksum, 50000000);
    run = (double)(r->end_ns - r->start_ns) / 1e9;
    cpu = (double)(r->user_ns + r->sys_ns) / 1e9;
    assert_true(run >= 0.05);
    assert_true(cpu < run * 0.5);
    assert_true(r->ctx_voluntary >= 1);
}

/* Memory that cannot be had is a failed worker, not a measured one. */
static void test_worker_memory_refused(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, NULL);

    (void)state;
    p.iterations = 1000;
    a.worker_mem = UINT64_C(1) << 50; /* 1 PiB */
    cb_worker_run(&a);
    assert_int_equal(atomic_load(&a.rec->done), 1);
    assert_int_equal(a.rec->checksum, 1000);
    assert_int_equal(a.rec->status, CB_WORKER_NO_MEMORY);
}

static void *run_thread(void *arg)
{
    cb_worker_run(arg);
    return NULL;
}

/* The parent sleeps on the gate's sequence word, which every arrival and
 * every nudge changes: a nudge that comes between the parent's look and
 * its sleep leaves the word changed, so the sleep does not begin. */
static void test_gate_nudge_changes_the_word(void **state)
{
    struct cb_gate gate = { .rfd = -1, .wfd = -1 };
    uint32_t seq, count;

    (void)state;
    assert_int_equal(cb_gate_open_hold(&gate, shared, NULL), 0);
    seq = atomic_load(gate.seq);
    count = atomic_load(gate.count);
    cb_gate_nudge(&gate);
    assert_int_equal(atomic_load(gate.seq), seq + 1);
    assert_int_equal(atomic_load(gate.count), count);
    cb_gate_arrive(&gate);
    assert_int_equal(atomic_load(gate.seq), seq + 2);
    assert_int_equal(atomic_load(gate.count), count + 1);
    assert_int_equal(cb_gate_wait_ready(&gate, count + 1, NULL, NULL), 0);
    cb_gate_close(&gate);
}

/* A gated worker reports ready, then waits for the release. */
static void gated(bool abort)
{
    struct cb_params p = { 0 };
    struct cb_gate gate = { .rfd = -1, .wfd = -1 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, &gate);
    struct timespec pause = { 0, 20000000 };
    uint64_t released;
    pthread_t t;

    p.iterations = 1000;
    assert_int_equal(cb_gate_open(&gate, shared, NULL), 0);
    assert_int_equal(pthread_create(&t, NULL, run_thread, &a), 0);
    assert_int_equal(cb_gate_wait_ready(&gate, 1, NULL, NULL), 0);
    nanosleep(&pause, NULL);
    assert_int_equal(atomic_load(&a.rec->done), 0);
    released = cb_clock_now_ns();
    cb_gate_release(&gate, abort);
    pthread_join(t, NULL);
    cb_gate_close(&gate);
    assert_true(a.rec->first_ns < released);
    assert_true(a.rec->start_ns >= released);
    assert_int_equal(a.rec->status, abort ? CB_WORKER_NOT_STARTED : CB_WORKER_OK);
    assert_int_equal(a.rec->checksum, abort ? 0 : 1000);
}

static void test_gate_release(void **state)
{
    (void)state;
    gated(false);
}

static void test_gate_abort(void **state)
{
    (void)state;
    gated(true);
}

/* Behind a gate, the first job's migration count is read before the
 * wait, not after the release (where, on a few CPUs, each worker's read
 * delays the wake of the next): a move while the worker waits at the
 * gate, here forced by its affinity, is counted. */
static void test_gate_migrations(void **state)
{
    struct cb_params p = { 0 };
    struct cb_gate gate = { .rfd = -1, .wfd = -1 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, &gate);
    cpu_set_t mine, other;
    int to = -1;
    pthread_t t;

    (void)state;
    if (sched_getaffinity(0, sizeof mine, &mine) != 0 || CPU_COUNT(&mine) < 2) {
        skip(); /* no other CPU to move the worker to */
        return;
    }
    p.iterations = 1000;
    a.unit = &shared->unit[0];
    assert_int_equal(cb_gate_open(&gate, shared, NULL), 0);
    assert_int_equal(pthread_create(&t, NULL, run_thread, &a), 0);
    assert_int_equal(cb_gate_wait_ready(&gate, 1, NULL, NULL), 0);
    for (int c = 0; c < CPU_SETSIZE && to < 0; c++)
        if (CPU_ISSET(c, &mine) && c != a.unit->cpu)
            to = c;
    CPU_ZERO(&other);
    CPU_SET(to, &other);
    assert_int_equal(pthread_setaffinity_np(t, sizeof other, &other), 0);
    cb_gate_release(&gate, false);
    pthread_join(t, NULL);
    cb_gate_close(&gate);
    assert_int_equal(a.rec->status, CB_WORKER_OK);
    if (!a.rec->migrations_known) {
        skip(); /* /proc/thread-self/sched cannot be read here */
        return;
    }
    assert_int_equal(a.rec->cpu, to);
    assert_true(a.rec->cpu_migrations >= 1);
}

/* A forked unit whose executor marked its first instruction right after
 * fork(): the worker keeps that stamp (and the run-queue wait and CPU read
 * with it), so set-up done after the mark counts as waiting, before the
 * task's start, never as creation. Here the set-up is a 5 ms sleep. */
static void test_marked_first(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, NULL);
    const struct timespec setup = { 0, 5000000 };
    const struct cb_worker_record *r = &shared->rec[0];
    int status = 0;
    pid_t pid;

    (void)state;
    p.iterations = 1000;
    a.scope = CB_SCOPE_PROCESS;
    a.fresh = true;
    a.unit = &shared->unit[0];
    shared->rec[0].create_ns = cb_clock_now_ns();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cb_worker_mark_first();
        nanosleep(&setup, NULL);
        shared->rec[1].create_ns = cb_clock_now_ns(); /* set-up done */
        cb_worker_run(&a);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(r->status, CB_WORKER_OK);
    assert_true(r->create_ns <= r->first_ns);
    assert_true(r->first_ns + 5000000 <= shared->rec[1].create_ns);
    assert_true(shared->rec[1].create_ns <= r->start_ns);
    assert_true(shared->unit[0].first_ns == r->first_ns);
    assert_true(shared->unit[0].cpu >= 0);
    /* Read at the mark, where it can be read. */
    if (access("/proc/thread-self/schedstat", R_OK) == 0)
        assert_int_equal(r->queue_known, 1);
}

/* A thread marked as its start routine's first act, then set up for
 * 5 ms: the mark is its first instruction. */
static void *marked_thread(void *arg)
{
    const struct timespec setup = { 0, 5000000 };

    cb_worker_mark_first();
    nanosleep(&setup, NULL);
    shared->rec[1].create_ns = cb_clock_now_ns(); /* set-up done */
    cb_worker_run(arg);
    return NULL;
}

/* The mark is per thread (the threads executor marks each new thread):
 * a thread's keeps its own, and a thread that was never marked, here
 * this one running a unit inline as serial does, stamps its own. */
static void test_marked_first_thread(void **state)
{
    struct cb_params p = { 0 };
    struct cb_worker_args a = args(cb_task_find("cpu"), &p, NULL);
    const struct cb_worker_record *r = &shared->rec[0];
    uint64_t joined;
    pthread_t t;

    (void)state;
    p.iterations = 1000;
    a.fresh = true;
    a.unit = &shared->unit[0];
    shared->rec[0].create_ns = cb_clock_now_ns();
    assert_int_equal(pthread_create(&t, NULL, marked_thread, &a), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r->status, CB_WORKER_OK);
    assert_true(r->create_ns <= r->first_ns);
    assert_true(r->first_ns + 5000000 <= shared->rec[1].create_ns);
    assert_true(shared->rec[1].create_ns <= r->start_ns);
    assert_true(shared->unit[0].first_ns == r->first_ns);
    joined = cb_clock_now_ns();
    a = args(cb_task_find("cpu"), &p, NULL);
    p.iterations = 1000;
    cb_worker_run(&a);
    assert_int_equal(r->status, CB_WORKER_OK);
    assert_true(r->first_ns >= joined);
}

static bool never_alive(void *arg)
{
    (void)arg;
    return false;
}

static void test_gate_wait_gives_up(void **state)
{
    struct cb_gate gate = { .rfd = -1, .wfd = -1 };

    (void)state;
    cb_shared_reset(shared, 4);
    assert_int_equal(cb_gate_open(&gate, shared, NULL), 0);
    assert_int_equal(cb_gate_wait_ready(&gate, 3, never_alive, NULL), -1);
    cb_gate_release(&gate, false);
    cb_gate_release(&gate, false); /* idempotent */
    cb_gate_close(&gate);
    cb_gate_close(&gate);
}

static void test_status_strings(void **state)
{
    struct cb_worker_record r;
    char buf[64];

    (void)state;
    memset(&r, 0, sizeof r);
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "no-report");
    r.status = CB_WORKER_OK;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "ok");
    r.status = CB_WORKER_CRASHED;
    r.detail = 11;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "crashed: SIGSEGV");
    r.detail = 6;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "crashed: SIGABRT");
    r.detail = 77;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "crashed: signal 77");
    r.status = CB_WORKER_EXITED;
    r.detail = 3;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "exit 3");
    r.status = CB_WORKER_WRONG_CHECKSUM;
    cb_record_status_str(&r, buf, sizeof buf);
    assert_string_equal(buf, "wrong-checksum");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_layout),
        cmocka_unit_test(test_gate_nudge_changes_the_word),
        cmocka_unit_test(test_cpu_worker),
        cmocka_unit_test(test_usage_known),
        cmocka_unit_test(test_io_worker),
        cmocka_unit_test(test_worker_memory_refused),
        cmocka_unit_test(test_gate_release),
        cmocka_unit_test(test_gate_abort),
        cmocka_unit_test(test_gate_wait_gives_up),
        cmocka_unit_test(test_gate_migrations),
        cmocka_unit_test(test_marked_first),
        cmocka_unit_test(test_marked_first_thread),
        cmocka_unit_test(test_status_strings),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
