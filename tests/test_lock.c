/* The lock task: every kind of lock, threads and processes, keeps every
 * update (final counter = workers x iterations); a broken lock shows. */
#include "cb_test.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concbench/bench.h"
#include "concbench/config.h"
#include "concbench/results.h"
#include "concbench/run.h"

CB_TEST_SHARED_RECORDS(8)

static uint64_t run_lock(const struct cb_executor *r, const struct cb_task *task,
                         uint32_t kind, uint32_t n, bool gil)
{
    struct cb_params p;
    struct cb_run_opts o = { .gil = gil, .switch_ns = 1000000 };
    struct cb_run_spec spec = {
        .task = task, .params = &p, .workers = n, .start = CB_START_BARRIER,
        .shared = shared, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };
    struct cb_task_run tr;
    uint64_t total = 0;

    cb_params_default(&p);
    p.iterations = 20000;
    p.lock = kind;
    assert_int_equal(cb_task_check(task, &p, &err), 0);
    cb_shared_reset(shared, n);
    assert_int_equal(cb_task_run_begin(task, &p, n, r->separate_memory, &tr, &err), 0);
    spec.task_state = tr.state;
    assert_int_equal(cb_run_sample(r, &spec, &t, &err), 0);
    assert_true(cb_task_run_end(task, &tr, &total));
    cb_test_no_children();
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(shared->rec[i].status, CB_WORKER_OK);
        assert_int_equal(shared->rec[i].checksum, task->expected(&p));
    }
    assert_int_equal(task->expected_total(&p, n), p.iterations * n);
    return total;
}

static void test_every_kind_every_mode(void **state)
{
    const struct cb_executor *modes[] = { cb_executor_find("threads"), cb_executor_find("processes"),
                                        cb_executor_find("serial") };

    (void)state;
    for (size_t m = 0; m < 3; m++)
        for (uint32_t k = 0; cb_lock_name(k); k++) {
            uint64_t total = run_lock(modes[m], cb_task_find("lock"), k, 4, false);

            /* No lock: updates may be lost, never made up; one after
             * another (serial) none is lost. */
            if (k == CB_LOCK_NONE && m < 2)
                assert_true(total <= 4 * 20000);
            else
                assert_int_equal(total, 4 * 20000);
        }
}

/* Under the GIL even --lock=none keeps every update: the lock is handed
 * over only at the task's checkpoints, between increments, never between
 * an increment's load and its store. */
static void test_under_gil(void **state)
{
    (void)state;
    for (uint32_t k = 0; cb_lock_name(k); k++)
        assert_int_equal(run_lock(cb_executor_find("threads"), cb_task_find("lock"), k, 4, true), 4 * 20000);
}

static void test_bad_kind(void **state)
{
    struct cb_params p;
    struct cb_error err = { "" };

    (void)state;
    cb_params_default(&p);
    p.lock = 7;
    assert_int_equal(cb_task_check(cb_task_find("lock"), &p, &err), -1);
    assert_non_null(strstr(err.msg, "--lock"));
    assert_string_equal(cb_lock_name(0), "mutex");
    assert_string_equal(cb_lock_name(1), "spin");
    assert_string_equal(cb_lock_name(2), "semaphore");
    assert_string_equal(cb_lock_name(3), "none");
    assert_null(cb_lock_name(4));
}

/* A lost update: the run's total is one short. */
static uint64_t short_total(const void *st)
{
    return cb_task_find("lock")->total(st) - 1;
}

/* A total above the expected one (made-up updates), whatever number of
 * updates --lock=none really lost: 2 workers x 1000 increments. */
static uint64_t long_total(const void *st)
{
    return cb_task_find("lock")->total(st) + 2 * 1000 + 1;
}

/* Runs the lock task, its total read through total, in threads and
 * processes, 2 workers, 1000 increments each, one sample, into res. */
static void run_cells(struct cb_task *broken, uint64_t (*total)(const void *), uint32_t kind,
                      struct cb_results *res)
{
    struct cb_config cfg;
    struct cb_error err = { "" };

    *broken = *cb_task_find("lock");
    broken->total = total;
    cb_config_default(&cfg);
    cfg.tasks[0] = broken;
    cfg.ntasks = 1;
    cfg.modes[0] = cb_executor_find("threads");
    cfg.modes[1] = cb_executor_find("processes");
    cfg.nmodes = 2;
    cfg.workers[0] = 2;
    cfg.nworkers = 1;
    cfg.repetitions = 1;
    cfg.warmup = 0;
    cfg.params.iterations = 1000;
    cfg.params.lock = kind;
    memset(res, 0, sizeof *res);
    assert_int_equal(cb_bench_run(&cfg, res, NULL, NULL, &err), 0);
}

/* --lock=none: a short total is lost updates, measured, and the cells
 * are ok; a total above the expected one still fails them. */
static void test_lock_none_measures_lost_updates(void **state)
{
    struct cb_task broken;
    struct cb_results res;

    (void)state;
    assert_true(cb_task_total_measured(cb_task_find("lock"),
                                       &(struct cb_params){ .lock = CB_LOCK_NONE }));
    run_cells(&broken, short_total, CB_LOCK_NONE, &res);
    for (size_t i = 0; i < res.ncells; i++) {
        assert_false(res.cells[i].failed);
        assert_string_equal(res.cells[i].status, "ok");
        assert_true(res.cells[i].samples[0].total < 2 * 1000);
    }
    cb_results_free(&res);
    run_cells(&broken, long_total, CB_LOCK_NONE, &res);
    for (size_t i = 0; i < res.ncells; i++)
        assert_string_equal(res.cells[i].status, "wrong-checksum");
    cb_results_free(&res);
}

static void test_lost_update_fails_the_cell(void **state)
{
    struct cb_task broken;
    struct cb_results res;

    (void)state;
    run_cells(&broken, short_total, CB_LOCK_MUTEX, &res);
    for (size_t i = 0; i < res.ncells; i++) {
        assert_true(res.cells[i].failed);
        assert_string_equal(res.cells[i].status, "wrong-checksum");
        assert_true(res.cells[i].samples[0].has_total);
        assert_int_equal(res.cells[i].samples[0].total, 2 * 1000 - 1);
    }
    cb_results_free(&res);
}

/* A process killed while it may hold the mutex: the next taker gets it
 * (a robust mutex: EOWNERDEAD, made consistent) instead of waiting for
 * ever. Killed 20 times once it is counting, about half of them with the
 * lock held; a hang fails on the alarm. */
static void test_dead_holder_mutex(void **state)
{
    const struct cb_task *task = cb_task_find("lock");
    struct cb_params p;
    struct cb_task_run tr;
    struct cb_error err = { "" };
    uint64_t total = 0;

    (void)state;
    cb_params_default(&p);
    p.lock = CB_LOCK_MUTEX;
    assert_int_equal(cb_task_run_begin(task, &p, 1, true, &tr, &err), 0);
    alarm(60);
    for (int i = 0; i < 20; i++) {
        uint64_t before = task->total(tr.state);
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            p.iterations = UINT64_MAX;
            task->run(&p, tr.state, NULL);
            _exit(0);
        }
        while (task->total(tr.state) < before + 1000)
            sched_yield();
        usleep((useconds_t)(i * 97 % 500));
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        p.iterations = 1000;
        assert_int_equal(task->run(&p, tr.state, NULL), 1000);
    }
    alarm(0);
    assert_true(cb_task_run_end(task, &tr, &total));
    cb_test_no_children();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_every_mode),
        cmocka_unit_test(test_under_gil),
        cmocka_unit_test(test_bad_kind),
        cmocka_unit_test(test_lost_update_fails_the_cell),
        cmocka_unit_test(test_lock_none_measures_lost_updates),
        cmocka_unit_test(test_dead_holder_mutex),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
