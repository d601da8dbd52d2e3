/* --min-time: the rounding, and the sizing loop against tasks whose run
 * time is known (a sleep of the size in microseconds). */
#include "cb_test.h"

#include <string.h>
#include <time.h>

#include "concbench/calibrate.h"

CB_TEST_SHARED_RECORDS(1)

static void test_round(void **state)
{
    static const uint64_t in[] = { 0, 1, 2, 3, 5, 6, 10, 11, 101, 499, 501, 4000001 };
    static const uint64_t out[] = { 1, 1, 2, 5, 5, 10, 10, 20, 200, 500, 1000, 5000000 };

    (void)state;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_int_equal(cb_calibrate_round(in[i]), out[i]);
    assert_int_equal(cb_calibrate_round(UINT64_MAX), UINT64_MAX);
}

/* Sleeps --iterations microseconds: its time is known from below. */
static uint64_t sleep_run(const struct cb_params *p, void *st, const struct cb_hooks *h)
{
    struct timespec ts = { (time_t)(p->iterations / 1000000u),
                           (long)(p->iterations % 1000000u) * 1000L };

    (void)st;
    (void)h;
    while (nanosleep(&ts, &ts) != 0)
        ;
    return p->iterations;
}

static uint64_t same(const struct cb_params *p)
{
    return p->iterations;
}

static struct cb_task sleeper(bool linear)
{
    struct cb_task t = *cb_task_find("cpu");

    t.run = sleep_run;
    t.expected = same;
    t.size_linear = linear;
    return t;
}

static void test_linear(void **state)
{
    struct cb_task t = sleeper(true);
    struct cb_params p;
    struct cb_error err = { "" };

    (void)state;
    cb_params_default(&p);
    assert_int_equal(cb_calibrate(&t, &p, 5000000u, shared, &err), 0);
    /* A job of v us lasts at least v us: 5 ms is reached by 10000 at the
     * latest (5000 x 1.1, rounded up to 1-2-5), sooner on a slow machine. */
    assert_true(p.iterations >= 1 && p.iterations <= 10000);
    assert_int_equal(cb_calibrate_round(p.iterations), p.iterations);
}

static void test_stepped(void **state)
{
    struct cb_task t = sleeper(false);
    struct cb_params p;
    struct cb_error err = { "" };

    (void)state;
    cb_params_default(&p);
    t.params = cb_task_find("cpu")->params;
    /* Stepped by one from the minimum (1): 30 us needs at most 30 steps. */
    assert_int_equal(cb_calibrate(&t, &p, 30000u, shared, &err), 0);
    assert_true(p.iterations >= 1 && p.iterations <= 30);
}

static void test_no_size(void **state)
{
    struct cb_task t = sleeper(true);
    struct cb_params p;
    struct cb_error err = { "" };

    (void)state;
    cb_params_default(&p);
    t.size_param = NULL;
    p.iterations = 7;
    assert_int_equal(cb_calibrate(&t, &p, 5000000u, shared, &err), 0);
    assert_int_equal(p.iterations, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_stepped),
        cmocka_unit_test(test_no_size),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
