/* The noise floor's loop: timed in a thread of its own, so that the
 * thread that creates the next sample's units has not just spun. */
#include "cb_test.h"

#include <time.h>

#include "concbench/floor.h"

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One round of a calibrated loop: its wall and CPU times kept, its
 * statistics computed; the CPU time is the loop thread's, never more
 * than the wall time it ran in. */
static void test_floor_round(void **state)
{
    struct cb_floor f = { 0 };
    uint64_t ns = 0, cpu = 0;

    (void)state;
    cb_floor_calibrate(&f, 20000000u);
    assert_true(f.steps > 0);
    assert_int_equal(cb_floor_round(&f, &ns, &cpu, NULL), 0);
    assert_true(ns > 0);
    assert_int_equal(f.n, 1);
    assert_true(cpu > 0 && cpu <= ns + ns / 20);
    assert_int_equal(cb_floor_finish(&f, NULL), 0);
    assert_int_equal(f.stats.n, 1);
    cb_floor_free(&f);
}

/* The caller sleeps in a join while the loop runs: what it spends itself
 * is a thread's creation and join, a small part of the loop's CPU time
 * (CPU against CPU, so a busy machine moves neither side). */
static void test_floor_apart(void **state)
{
    struct cb_floor f = { 0 };
    uint64_t ns = 0, cpu = 0, c0, c1;

    (void)state;
    cb_test_need_timing(); /* under valgrind a thread's creation is no longer small */
    cb_floor_calibrate(&f, 20000000u);
    c0 = thread_cpu_ns();
    assert_int_equal(cb_floor_round(&f, &ns, &cpu, NULL), 0);
    c1 = thread_cpu_ns();
    cb_floor_free(&f);
    assert_true(cpu > 0);
    assert_true((c1 - c0) * 4 < cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_round),
        cmocka_unit_test(test_floor_apart),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
