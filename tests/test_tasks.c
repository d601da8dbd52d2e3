/* Tasks: checksums, parameter checks, hooks and the cost model. */
#include "cb_test.h"

#include <string.h>
#include <sys/prctl.h>

#include "concbench/task.h"

static unsigned checkpoints, blocks_begun, blocks_ended;

static void count_checkpoint(void *arg) { (void)arg; checkpoints++; }
static void count_begin(void *arg) { (void)arg; blocks_begun++; }
static void count_end(void *arg) { (void)arg; blocks_ended++; }

static const struct cb_hooks counting_hooks = {
    .checkpoint = count_checkpoint, .block_begin = count_begin,
    .block_end = count_end,
};

static struct cb_params params(void)
{
    struct cb_params p;

    cb_params_default(&p);
    return p;
}

static void test_registry(void **state)
{
    (void)state;
    assert_ptr_equal(cb_task_find("cpu"), &cb_task_cpu);
    assert_ptr_equal(cb_task_find("io"), &cb_task_io);
    assert_ptr_equal(cb_task_find("fib"), &cb_task_fib);
    assert_null(cb_task_find("CPU"));
    assert_null(cb_task_find(""));
    for (size_t i = 0; cb_tasks[i]; i++) {
        assert_non_null(cb_tasks[i]->run);
        assert_non_null(cb_tasks[i]->expected);
        assert_non_null(cb_tasks[i]->params);
        assert_non_null(cb_tasks[i]->params[0].flag);
        assert_true(strlen(cb_tasks[i]->description) > 10);
    }
}

static void test_defaults(void **state)
{
    struct cb_params p = params();

    (void)state;
    assert_int_equal(p.iterations, 10000000);
    assert_int_equal(p.sleep_ns, 100000000);
    assert_int_equal(p.fib_n, 30);
}

static void test_cpu_checksum(void **state)
{
    const uint64_t counts[] = { 1, 2, 4095, 4096, 4097, 100000, 1234567 };
    struct cb_params p = params();

    (void)state;
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        p.iterations = counts[i];
        assert_int_equal(cb_task_cpu.run(&p, NULL, NULL), counts[i]);
        assert_int_equal(cb_task_cpu.expected(&p), counts[i]);
    }
}

static void test_cpu_rejects_zero(void **state)
{
    struct cb_params p = params();
    struct cb_error err = { "" };

    (void)state;
    p.iterations = 0;
    assert_int_equal(cb_task_check(&cb_task_cpu, &p, &err), -1);
    assert_non_null(strstr(err.msg, "--iterations"));
}

/* The CPU time of the loop, best of three: CPU time, not wall time, so a
 * busy loop on every CPU (which takes the CPU away between steps) does not
 * stretch one run and not the other. */
static double cpu_seconds(uint64_t iterations)
{
    struct cb_params p = params();
    double best = 1e9;

    p.iterations = iterations;
    for (int i = 0; i < 3; i++) {
        double t0 = cb_test_thread_cpu_s(), s;

        assert_int_equal(cb_task_cpu.run(&p, NULL, NULL), iterations);
        s = cb_test_thread_cpu_s() - t0;
        if (s < best)
            best = s;
    }
    return best;
}

/* If the compiler collapsed the loop into a formula, 10x the iterations
 * would cost the same; linear means a ratio near 10. */
static void test_cpu_linear(void **state)
{
    double small, large;

    (void)state;
    cb_test_need_timing();
    small = cpu_seconds(2000000);
    large = cpu_seconds(20000000);
    assert_true(small > 0);
    assert_true(large / small > 4.0);
    assert_true(large / small < 25.0);
}

static void test_cpu_checkpoints(void **state)
{
    struct cb_params p = params();

    (void)state;
    checkpoints = 0;
    p.iterations = 4096 * 10 + 1;
    assert_int_equal(cb_task_cpu.run(&p, NULL, &counting_hooks), p.iterations);
    assert_int_equal(checkpoints, 11);
}

static void test_io_sleeps(void **state)
{
    struct cb_params p = params();
    uint64_t t0;
    double s;

    (void)state;
    p.sleep_ns = 30000000; /* 30 ms */
    blocks_begun = blocks_ended = 0;
    prctl(PR_SET_TIMERSLACK, 50000ul, 0ul, 0ul, 0ul); /* the default */
    t0 = cb_clock_now_ns();
    assert_int_equal(cb_task_io.run(&p, NULL, &counting_hooks), p.sleep_ns);
    s = cb_test_since(t0);
    assert_true(s >= 0.030);
    assert_true(s < 0.030 * 5);
    /* The sleeping thread asked to be woken on time, not 50 us late. */
    assert_int_equal(prctl(PR_GET_TIMERSLACK, 0ul, 0ul, 0ul, 0ul), 1);
    assert_int_equal(blocks_begun, 1);
    assert_int_equal(blocks_ended, 1);
    assert_int_equal(cb_task_io.expected(&p), p.sleep_ns);
}

static void test_io_range(void **state)
{
    struct cb_params p = params();
    struct cb_error err = { "" };

    (void)state;
    p.sleep_ns = 0;
    assert_int_equal(cb_task_check(&cb_task_io, &p, &err), 0);
    p.sleep_ns = 3600ull * 1000000000ull + 1;
    assert_int_equal(cb_task_check(&cb_task_io, &p, &err), -1);
    assert_non_null(strstr(err.msg, "--sleep"));
}

static void test_fib_values(void **state)
{
    const uint64_t known[] = { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55 };
    struct cb_params p = params();

    (void)state;
    for (uint64_t n = 0; n < sizeof known / sizeof known[0]; n++) {
        p.fib_n = n;
        assert_int_equal(cb_task_fib.run(&p, NULL, NULL), known[n]);
        assert_int_equal(cb_task_fib.expected(&p), known[n]);
    }
    p.fib_n = 30;
    assert_int_equal(cb_task_fib.run(&p, NULL, NULL), 832040);
    assert_int_equal(cb_task_fib.expected(&p), 832040);
    p.fib_n = 93;
    assert_true(cb_task_fib.expected(&p) == UINT64_C(12200160415121876738));
}

static void test_fib_hooked_same(void **state)
{
    struct cb_params p = params();

    (void)state;
    p.fib_n = 25;
    checkpoints = 0;
    assert_int_equal(cb_task_fib.run(&p, NULL, &counting_hooks), 75025);
    /* fib(25) makes 242785 calls: a checkpoint every 1024 of them. */
    assert_int_equal(checkpoints, 242785 / 1024);
}

static void test_fib_range(void **state)
{
    struct cb_params p = params();
    struct cb_error err = { "" };

    (void)state;
    p.fib_n = 93;
    assert_int_equal(cb_task_check(&cb_task_fib, &p, &err), 0);
    p.fib_n = 94;
    assert_int_equal(cb_task_check(&cb_task_fib, &p, &err), -1);
    assert_non_null(strstr(err.msg, "--fib"));
    assert_non_null(strstr(err.msg, "93"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_cpu_checksum),
        cmocka_unit_test(test_cpu_rejects_zero),
        cmocka_unit_test(test_cpu_linear),
        cmocka_unit_test(test_cpu_checkpoints),
        cmocka_unit_test(test_io_sleeps),
        cmocka_unit_test(test_io_range),
        cmocka_unit_test(test_fib_values),
        cmocka_unit_test(test_fib_hooked_same),
        cmocka_unit_test(test_fib_range),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
