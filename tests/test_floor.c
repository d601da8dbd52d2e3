/* The noise floor's loop: timed in a process of its own, so that the
 * thread that creates the next sample's units has not just spun and no
 * idle CPU is left holding this process's address space. */
#include "cb_test.h"

#include <errno.h>
#include <sys/wait.h>
#include <time.h>

#include "concbench/clock.h"
#include "concbench/floor.h"

static uint64_t process_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* The loop runs in another process while the caller sleeps: this whole
 * process (every thread of it) spends a fork and a wait, a small part of
 * the loop's CPU time (CPU against CPU, so a busy machine moves neither
 * side), and no child is left once the round is over. */
static void test_floor_elsewhere(void **state)
{
    struct cb_floor f = { 0 };
    uint64_t ns = 0, cpu = 0, c0, c1;

    (void)state;
    cb_test_need_timing(); /* under valgrind a fork is no longer small */
    cb_floor_calibrate(&f, 20000000u);
    c0 = process_cpu_ns();
    assert_int_equal(cb_floor_round(&f, &ns, &cpu, NULL), 0);
    c1 = process_cpu_ns();
    cb_floor_free(&f);
    assert_true(cpu > 0);
    assert_true((c1 - c0) * 4 < cpu);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* check's probe: the loop timed back to back in this thread, at least
 * three tries whatever the window, each a positive time; the statistics
 * hold together. Runs here, so it leaves no child either. */
static void test_floor_probe(void **state)
{
    struct cb_stats s;
    uint64_t t0;

    (void)state;
    assert_int_equal(cb_floor_probe(0, 1000000u, &s), 0);
    assert_int_equal(s.n, 3);
    t0 = cb_clock_now_ns();
    assert_int_equal(cb_floor_probe(30000000u, 2000000u, &s), 0);
    assert_true(cb_clock_now_ns() - t0 >= 30000000u); /* the whole window */
    assert_true(s.n >= 3 && s.n <= CB_FLOOR_PROBE_MAX);
    assert_true(s.min > 0 && s.min <= s.median && s.median <= s.max);
    assert_true(s.cv >= 0);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_round),
        cmocka_unit_test(test_floor_elsewhere),
        cmocka_unit_test(test_floor_probe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
