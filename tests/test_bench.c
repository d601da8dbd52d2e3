/* The run plan: --max-time cuts repetitions, never below the minimum. */
#include "cb_test.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "concbench/bench.h"
#include "concbench/memory.h"

static struct cb_results res;

static struct cb_config io_config(uint32_t reps, uint64_t max_time_ns)
{
    struct cb_config cfg;

    cb_config_default(&cfg);
    cfg.modes[0] = cb_executor_find("threads");
    cfg.nmodes = 1;
    cfg.tasks[0] = cb_task_find("io");
    cfg.ntasks = 1;
    cfg.workers[0] = 1;
    cfg.nworkers = 1;
    cfg.warmup = 0;
    cfg.repetitions = reps;
    cfg.params.sleep_ns = 20000000; /* 20 ms a round */
    cfg.max_time_ns = max_time_ns;
    return cfg;
}

static size_t run(const struct cb_config *cfg)
{
    struct cb_error err = { "" };

    cb_results_free(&res);
    memset(&res, 0, sizeof res);
    assert_int_equal(cb_bench_run(cfg, &res, NULL, NULL, &err), 0);
    assert_int_equal(res.cells[0].repetitions, res.cells[0].nsamples);
    return res.cells[0].nsamples;
}

static void test_cap_cuts_rounds(void **state)
{
    struct cb_config cfg = io_config(100, 300000000); /* 100 x 20 ms vs 300 ms */
    uint64_t t0 = cb_clock_now_ns();
    size_t n;

    (void)state;
    n = run(&cfg);
    assert_true(n >= CB_MIN_REPETITIONS);
    assert_true(n < 100);
    assert_true(cb_test_since(t0) < 2.0);
    assert_int_equal(res.cells[0].max_time_ns, 300000000);
}

static void test_never_below_minimum(void **state)
{
    struct cb_config cfg = io_config(10, 1000000); /* 1 ms: too short for any */

    (void)state;
    assert_int_equal(run(&cfg), CB_MIN_REPETITIONS);
    cfg = io_config(3, 1000000);
    assert_int_equal(run(&cfg), 3); /* -r below the minimum wins */
}

static void test_generous_cap_changes_nothing(void **state)
{
    struct cb_config cfg = io_config(4, 60ull * 1000000000u);

    (void)state;
    assert_int_equal(run(&cfg), 4);
    cfg = io_config(4, 0);
    assert_int_equal(run(&cfg), 4);
}

static int teardown(void **state)
{
    (void)state;
    cb_results_free(&res);
    return 0;
}

/* (cell index, round, warmup) in the order the bench ran them. */
static struct {
    size_t n;
    struct { size_t cell; uint32_t round; bool warm; } step[16];
} order;

static void record_step(void *arg, const struct cb_cell *cell, uint32_t round,
                        uint32_t rounds, bool warm)
{
    (void)rounds;
    assert_true(order.n < 16);
    order.step[order.n].cell = (size_t)(cell - ((struct cb_results *)arg)->cells);
    order.step[order.n].round = round;
    order.step[order.n++].warm = warm;
}

/* Warmups first, then round by round, every cell once per round: drift
 * on a noisy machine hits every cell alike. */
static void test_interleaved_rounds(void **state)
{
    struct cb_config cfg = io_config(2, 0);
    struct cb_error err = { "" };

    (void)state;
    cfg.warmup = 1;
    cfg.params.sleep_ns = 1000000;
    cfg.modes[1] = cb_executor_find("processes");
    cfg.nmodes = 2;
    cb_results_free(&res);
    memset(&res, 0, sizeof res);
    order.n = 0;
    assert_int_equal(cb_bench_run(&cfg, &res, record_step, &res, &err), 0);
    assert_int_equal(order.n, 6); /* 2 cells x (1 warmup + 2 rounds) */
    for (size_t i = 0; i < order.n; i++) {
        assert_int_equal(order.step[i].cell, i % 2);
        assert_int_equal(order.step[i].round, i / 2);
        assert_int_equal(order.step[i].warm, i < 2);
    }
    assert_int_equal(res.cells[0].nsamples, 2);
    assert_int_equal(res.cells[1].nsamples, 2);
}

/* The cpu task, off by one: every worker returns a wrong checksum. */
static uint64_t off_by_one(const struct cb_params *p, void *state,
                           const struct cb_hooks *hooks)
{
    return cb_task_find("cpu")->run(p, state, hooks) + 1;
}

/* A worker whose checksum is wrong fails its benchmark, in every mode,
 * and the run says so; the others are unaffected. */
static void test_wrong_checksum(void **state)
{
    static struct cb_task bad;
    struct cb_config cfg = io_config(2, 0);
    struct cb_error err = { "" };

    (void)state;
    bad = *cb_task_find("cpu");
    bad.name = "bad";
    bad.run = off_by_one;
    cfg.tasks[0] = &bad;
    cfg.tasks[1] = cb_task_find("cpu");
    cfg.ntasks = 2;
    cfg.params.iterations = 1000;
    cfg.modes[0] = cb_executor_find("threads");
    cfg.modes[1] = cb_executor_find("processes");
    cfg.modes[2] = cb_executor_find("serial");
    cfg.nmodes = 3;
    cfg.workers[0] = 2;
    cb_results_free(&res);
    memset(&res, 0, sizeof res);
    assert_int_equal(cb_bench_run(&cfg, &res, NULL, NULL, &err), 0);
    assert_int_equal(res.ncells, 6);
    for (size_t i = 0; i < res.ncells; i++) {
        const struct cb_cell *c = &res.cells[i];

        if (c->task == &bad) {
            assert_true(c->failed);
            assert_string_equal(c->status, "wrong-checksum");
        } else {
            assert_false(c->failed);
            assert_string_equal(c->status, "ok");
        }
    }
    assert_true(cb_results_failed(&res));
}

static _Atomic unsigned *runs; /* shared with the sample server */

/* The cpu task, but the very first job of the run (a warmup's) returns a
 * wrong checksum. */
static uint64_t wrong_first(const struct cb_params *p, void *state,
                            const struct cb_hooks *hooks)
{
    uint64_t sum = cb_task_find("cpu")->run(p, state, hooks);

    return atomic_fetch_add(runs, 1) == 0 ? sum + 1 : sum;
}

/* A worker that fails in a warmup fails its benchmark, though the warmup
 * is not kept: the measured runs go on, and the status names the warmup. */
static void test_warmup_failure(void **state)
{
    static struct cb_task flaky;
    struct cb_config cfg = io_config(2, 0);
    struct cb_error err = { "" };

    (void)state;
    runs = mmap(NULL, sizeof *runs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
    assert_true(runs != MAP_FAILED);
    flaky = *cb_task_find("cpu");
    flaky.name = "flaky";
    flaky.run = wrong_first;
    cfg.tasks[0] = &flaky;
    cfg.params.iterations = 1000;
    cfg.workers[0] = 2;
    cfg.warmup = 1;
    cb_results_free(&res);
    memset(&res, 0, sizeof res);
    assert_int_equal(cb_bench_run(&cfg, &res, NULL, NULL, &err), 0);
    assert_true(res.cells[0].failed);
    assert_string_equal(res.cells[0].status, "wrong-checksum in a warmup run");
    assert_int_equal(res.cells[0].nsamples, 2);
    for (size_t i = 0; i < 2; i++)
        for (uint32_t w = 0; w < 2; w++)
            assert_int_equal(res.cells[0].samples[i].workers[w].status, CB_WORKER_OK);
    assert_true(cb_results_failed(&res));
    munmap((void *)runs, sizeof *runs);
}

/* A run that could never fit in memory is refused before anything is
 * allocated; one that fits passes. The check counts a process's payload
 * twice (the child's copy and the parent's slot). */
static void test_memory_check(void **state)
{
    struct cb_config cfg = io_config(1, 0);
    struct cb_error err = { "" };
    uint64_t avail;

    (void)state;
    if (cb_memory_available(&avail) != 0)
        skip();
    assert_int_equal(cb_bench_check(&cfg, &err), 0);
    cfg.workers[0] = 1000;
    cfg.run.payload = (uint64_t)1 << 40; /* 1 TiB each */
    assert_int_equal(cb_bench_check(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "--payload"));
    assert_non_null(strstr(err.msg, "MemAvailable"));
    assert_null(strchr(err.msg, '\n'));
    /* Just under what is free for threads is over it for processes. */
    cfg.workers[0] = 1;
    cfg.run.payload = avail / 10 * 6;
    assert_int_equal(cb_bench_check(&cfg, &err), 0);
    cfg.modes[0] = cb_executor_find("processes");
    assert_int_equal(cb_bench_check(&cfg, &err), -1);
    /* Sizes whose product overflows saturate rather than wrap to "fits". */
    cfg.workers[0] = 100000;
    cfg.run.payload = UINT64_MAX - 1;
    assert_int_equal(cb_bench_check(&cfg, &err), -1);
}

/* --start-method=spawn runs the running binary again, whose main must
 * enter the spawned unit (concbench's does, cb_spawn_set_host): in this
 * test program, whose main does not, each unit ran every test again and
 * spawned anew, without end. cb_bench_run refuses it (as it refuses what
 * spawn cannot start, --payload), with one line, and spawns nothing. */
static void test_start_method_checked(void **state)
{
    struct cb_config cfg = io_config(1, 0);
    struct cb_error err = { "" };

    (void)state;
    cfg.modes[0] = cb_executor_find("processes");
    cfg.run.start_method = CB_START_SPAWN;
    for (int with_payload = 0; with_payload < 2; with_payload++) {
        cfg.run.payload = with_payload ? 64 : 0;
        cb_results_free(&res);
        memset(&res, 0, sizeof res);
        assert_int_equal(cb_bench_run(&cfg, &res, NULL, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "--start-method=spawn"));
        assert_null(strchr(err.msg, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_cuts_rounds),
        cmocka_unit_test(test_never_below_minimum),
        cmocka_unit_test(test_generous_cap_changes_nothing),
        cmocka_unit_test(test_memory_check),
        cmocka_unit_test(test_wrong_checksum),
        cmocka_unit_test(test_warmup_failure),
        cmocka_unit_test(test_interleaved_rounds),
        cmocka_unit_test(test_start_method_checked),
    };

    return cmocka_run_group_tests(tests, NULL, teardown);
}
