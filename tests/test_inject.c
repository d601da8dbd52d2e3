/* Creation failures, injected at link time (-Wl,--wrap=fork,
 * --wrap=pthread_create, --wrap=pipe2, --wrap=malloc): they surface as
 * errors naming the call that failed and the limits behind it, and every
 * worker that had already started is released and reaped. */
#include "cb_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "concbench/bench.h"
#include "concbench/floor.h"
#include "concbench/payload.h"
#include "concbench/record.h"
#include "concbench/run.h"

static int fail_at = -1; /* the call (from 0) that fails; -1: never */
static int fail_errno = EAGAIN;
static int calls;
static bool threads_only; /* only pthread_create calls count */
static int pipe_fail_at = -1; /* the pipe2 call (from 0) that fails */
static int pipe_calls;
static size_t malloc_fail_size; /* a malloc of exactly this size fails */
static bool forks_fail; /* every fork fails (EAGAIN) */

int __real_pipe2(int fds[2], int flags);
int __wrap_pipe2(int fds[2], int flags);
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

int __wrap_pipe2(int fds[2], int flags)
{
    if (pipe_fail_at >= 0 && pipe_calls++ == pipe_fail_at) {
        errno = EMFILE;
        return -1;
    }
    return __real_pipe2(fds, flags);
}

void *__wrap_malloc(size_t size)
{
    if (malloc_fail_size && size == malloc_fail_size) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(size);
}

pid_t __real_fork(void);
pid_t __wrap_fork(void);
int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __wrap_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

pid_t __wrap_fork(void)
{
    if (forks_fail) {
        errno = EAGAIN;
        return -1;
    }
    if (fail_at >= 0 && !threads_only && calls++ == fail_at) {
        errno = fail_errno;
        return -1;
    }
    return __real_fork();
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg)
{
    if (fail_at >= 0 && calls++ == fail_at)
        return fail_errno;
    return __real_pthread_create(t, a, fn, arg);
}

static void inject(int at)
{
    fail_at = at;
    calls = 0;
    threads_only = false;
}

/* Threads of this process, from /proc/self/task. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void fails_at_third(const struct cb_executor *r, enum cb_start start,
                           const char *what)
{
    struct cb_shared *sh = cb_shared_map(5, NULL);
    struct cb_params p;
    struct cb_run_spec spec = {
        .task = cb_task_find("io"), .params = &p, .workers = 5, .start = start, .shared = sh,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };
    uint64_t t0 = cb_clock_now_ns();
    int threads = thread_count(); /* 1, or 2 under ThreadSanitizer */

    assert_non_null(sh);
    cb_params_default(&p);
    p.sleep_ns = 20000000000ull; /* 20 s: killed or skipped, never waited for */
    if (r == cb_executor_find("threads") && start == CB_START_IMMEDIATE)
        p.sleep_ns = 10000000; /* threads cannot be killed: keep it short */
    inject(2);
    assert_int_equal(cb_run_sample(r, &spec, &t, &err), -1);
    inject(-1);
    assert_int_equal(t.started, 2);
    assert_non_null(strstr(err.msg, what));
    assert_non_null(strstr(err.msg, "worker 3 of 5"));
    assert_non_null(strstr(err.msg, "EAGAIN"));
    for (uint32_t i = 2; i < 5; i++)
        assert_int_equal(sh->rec[i].status, CB_WORKER_NOT_STARTED);
    assert_true(cb_test_since(t0) < 5.0); /* not the 20 s sleep */
    cb_test_no_children();
    assert_int_equal(thread_count(), threads); /* every worker joined */
    cb_shared_unmap(sh);
}

static void test_fork_fails_immediate(void **state)
{
    (void)state;
    fails_at_third(cb_executor_find("processes"), CB_START_IMMEDIATE, "fork failed");
}

static void test_fork_fails_barrier(void **state)
{
    (void)state;
    fails_at_third(cb_executor_find("processes"), CB_START_BARRIER, "fork failed");
}

static void test_thread_fails_immediate(void **state)
{
    (void)state;
    fails_at_third(cb_executor_find("threads"), CB_START_IMMEDIATE, "pthread_create failed");
}

static void test_thread_fails_barrier(void **state)
{
    (void)state;
    fails_at_third(cb_executor_find("threads"), CB_START_BARRIER, "pthread_create failed");
}

/* Out of memory: named, with the limits that could be behind it. */
static void test_out_of_memory(void **state)
{
    const struct cb_executor *const runners[] = { cb_executor_find("processes"), cb_executor_find("threads") };
    struct cb_shared *sh = cb_shared_map(3, NULL);
    struct cb_params p;
    struct cb_run_times t;
    struct cb_error err;

    (void)state;
    assert_non_null(sh);
    cb_params_default(&p);
    p.sleep_ns = 1000000;
    fail_errno = ENOMEM;
    for (size_t i = 0; i < 2; i++) {
        struct cb_run_spec spec = {
            .task = cb_task_find("io"), .params = &p, .workers = 3, .start = CB_START_BARRIER,
            .shared = sh,
        };

        memset(&t, 0, sizeof t);
        memset(&err, 0, sizeof err);
        inject(1);
        assert_int_equal(cb_run_sample(runners[i], &spec, &t, &err), -1);
        inject(-1);
        assert_int_equal(t.started, 1);
        assert_non_null(strstr(err.msg, "ENOMEM"));
        assert_non_null(strstr(err.msg, "MemAvailable, the memory cgroup"));
        /* A thread's stack is address space: ulimit -v and --stack-size. */
        assert_non_null(strstr(err.msg, "ulimit -v"));
        if (i == 1)
            assert_non_null(strstr(err.msg, "--stack-size"));
        cb_test_no_children();
    }
    fail_errno = EAGAIN;
    cb_shared_unmap(sh);
}

/* pthread_create's EAGAIN is also a stack that found no room (ulimit -v):
 * the hint names that and --stack-size, not only process limits. */
static void test_thread_eagain_hint(void **state)
{
    struct cb_shared *sh = cb_shared_map(3, NULL);
    struct cb_params p;
    struct cb_run_spec spec = {
        .task = cb_task_find("io"), .params = &p, .workers = 3, .start = CB_START_BARRIER,
        .shared = sh,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };

    (void)state;
    assert_non_null(sh);
    cb_params_default(&p);
    p.sleep_ns = 1000000;
    inject(1);
    assert_int_equal(cb_run_sample(cb_executor_find("threads"), &spec, &t, &err), -1);
    inject(-1);
    assert_non_null(strstr(err.msg, "pthread_create failed for worker 2 of 3"));
    assert_non_null(strstr(err.msg, "EAGAIN"));
    assert_non_null(strstr(err.msg, "ulimit -u"));
    assert_non_null(strstr(err.msg, "ulimit -v"));
    assert_non_null(strstr(err.msg, "--stack-size"));
    cb_shared_unmap(sh);
}

/* A payload pipe that cannot be made (EMFILE) is pipe2's failure, named
 * with the descriptor limit, never "fork failed". */
static void test_pipe_fails(void **state)
{
    struct cb_shared *sh = cb_shared_map(3, NULL);
    struct cb_params p;
    struct cb_run_opts o = { .payload = 4096, .transport = CB_TRANSPORT_PIPE };
    struct cb_run_spec spec = {
        .task = cb_task_find("io"), .params = &p, .workers = 3, .start = CB_START_BARRIER,
        .shared = sh, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };

    (void)state;
    assert_non_null(sh);
    cb_params_default(&p);
    p.sleep_ns = 1000000;
    /* A run without failure counts the calls (the gates' pipes come
     * first, one per unit last): then the second unit's fails. */
    pipe_calls = 0;
    pipe_fail_at = 1000;
    assert_int_equal(cb_run_sample(cb_executor_find("processes"), &spec, &t, &err), 0);
    memset(&t, 0, sizeof t);
    pipe_fail_at = pipe_calls - 2;
    pipe_calls = 0;
    assert_int_equal(cb_run_sample(cb_executor_find("processes"), &spec, &t, &err), -1);
    pipe_fail_at = -1;
    assert_int_equal(t.started, 1);
    assert_non_null(strstr(err.msg, "pipe2 failed for worker 2 of 3"));
    assert_non_null(strstr(err.msg, "EMFILE"));
    assert_non_null(strstr(err.msg, "RLIMIT_NOFILE"));
    assert_null(strstr(err.msg, "fork"));
    cb_test_no_children();
    cb_shared_unmap(sh);
}

/* A payload that cannot be allocated is out of memory, not a bad
 * hand-off: the status names memory and the call. */
static void test_payload_no_memory(void **state)
{
    struct cb_payload_out out = { .way = CB_PAYLOAD_POINTER, .size = 123457, .fd = -1 };
    struct cb_worker_record rec;
    char status[160];

    (void)state;
    memset(&rec, 0, sizeof rec);
    rec.status = CB_WORKER_OK;
    malloc_fail_size = 123457;
    cb_payload_send(&out, &rec);
    malloc_fail_size = 0;
    assert_int_equal(rec.status, CB_WORKER_NO_MEMORY);
    cb_payload_verify(NULL, out.size, 0, &rec);
    assert_int_equal(rec.status, CB_WORKER_NO_MEMORY);
    cb_record_status_str(&rec, status, sizeof status);
    assert_string_equal(status, "out-of-memory: malloc of the 123457-byte --payload failed");
}

/* Through the whole run: the failing cell says why, the others go on. */
static void test_bench_goes_on(void **state)
{
    struct cb_config cfg;
    struct cb_results res;
    struct cb_error err = { "" };

    (void)state;
    cb_config_default(&cfg);
    cfg.tasks[0] = cb_task_find("cpu");
    cfg.ntasks = 1;
    cfg.params.iterations = 1000;
    cfg.workers[0] = 3;
    cfg.nworkers = 1;
    cfg.repetitions = 3;
    cfg.warmup = 0;
    memset(&res, 0, sizeof res);
    /* The second thread of the first cell (threads, in the sample server,
     * which has its own copy of the counter) cannot be created; the
     * processes cell goes on. */
    inject(1);
    threads_only = true;
    assert_int_equal(cb_bench_run(&cfg, &res, NULL, NULL, &err), 0);
    inject(-1);
    assert_int_equal(res.ncells, 2);
    assert_true(res.cells[0].failed);
    assert_non_null(strstr(res.cells[0].status, "error: pthread_create failed"));
    assert_int_equal(res.cells[0].nsamples, 0);
    assert_false(res.cells[1].failed);
    assert_string_equal(res.cells[1].status, "ok");
    assert_int_equal(res.cells[1].nsamples, 3);
    assert_true(cb_results_failed(&res));
    cb_test_no_children();
    cb_results_free(&res);
}

static void *nothing(void *arg)
{
    return arg;
}

/* ThreadSanitizer starts a thread of its own at the first pthread_create:
 * start and join one first, so thread counts compare like with like. */
static int setup(void **state)
{
    pthread_t t;

    (void)state;
    if (__real_pthread_create(&t, NULL, nothing, NULL) != 0)
        return -1;
    return pthread_join(t, NULL) == 0 ? 0 : -1;
}

/* The noise floor's loop runs in a thread of this process when no child
 * can be made (fork or its pipe failing): a reading all the same, and
 * no child left. */
static void test_floor_without_fork(void **state)
{
    struct cb_floor f = { .steps = 100000 };
    uint64_t ns = 0, cpu = 0;

    (void)state;
    forks_fail = true;
    assert_int_equal(cb_floor_round(&f, &ns, &cpu, NULL), 0);
    forks_fail = false;
    assert_true(ns > 0);
    assert_int_equal(f.n, 1);
    pipe_calls = 0;
    pipe_fail_at = 0;
    assert_int_equal(cb_floor_round(&f, &ns, &cpu, NULL), 0);
    pipe_fail_at = -1;
    assert_true(ns > 0);
    assert_int_equal(f.n, 2);
    cb_test_no_children();
    cb_floor_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_fails_immediate),
        cmocka_unit_test(test_fork_fails_barrier),
        cmocka_unit_test(test_thread_fails_immediate),
        cmocka_unit_test(test_thread_fails_barrier),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_thread_eagain_hint),
        cmocka_unit_test(test_pipe_fails),
        cmocka_unit_test(test_payload_no_memory),
        cmocka_unit_test(test_bench_goes_on),
        cmocka_unit_test(test_floor_without_fork),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
