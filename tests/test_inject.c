/* Creation failures, injected at link time (-Wl,--wrap=fork and
 * --wrap=pthread_create): they surface as errors, and every worker that
 * had already started is released and reaped. */
#include "cb_test.h"

#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "concbench/bench.h"
#include "concbench/run.h"

static int fail_at = -1; /* the call (from 0) that fails; -1: never */
static int fail_errno = EAGAIN;
static int calls;
static bool threads_only; /* only pthread_create calls count */

pid_t __real_fork(void);
pid_t __wrap_fork(void);
int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __wrap_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

pid_t __wrap_fork(void)
{
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
        assert_non_null(strstr(err.msg, "memory limit: MemAvailable, the memory cgroup"));
        cb_test_no_children();
    }
    fail_errno = EAGAIN;
    cb_shared_unmap(sh);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_fails_immediate),
        cmocka_unit_test(test_fork_fails_barrier),
        cmocka_unit_test(test_thread_fails_immediate),
        cmocka_unit_test(test_thread_fails_barrier),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_bench_goes_on),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
