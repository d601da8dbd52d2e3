/* PSS: read from smaps_rollup, summed over a live worker set; 8 MiB
 * touched per worker shows as about 8 MiB per process. */
#include "cb_test.h"

#include <string.h>
#include <unistd.h>

#include "concbench/memory.h"
#include "concbench/run.h"

#define MIB 1024u /* in KiB */

/* Sanitizers add shadow memory to every touched page: the upper bounds
 * hold without them only (ThreadSanitizer's shadow is several times). */
#if defined(__SANITIZE_THREAD__)
#define SLACK 100.0
#elif defined(__SANITIZE_ADDRESS__)
#define SLACK 1.4
#else
#define SLACK 1.0
#endif

CB_TEST_SHARED_RECORDS(8)

static void test_read_self(void **state)
{
    uint64_t before = 0, after = 0;
    struct cb_error err = { "" };
    void *p;

    (void)state;
    assert_int_equal(cb_memory_pss_kib(0, &before, &err), 0);
    assert_true(before > 0);
    p = cb_memory_touch(16u << 20, &err);
    assert_non_null(p);
    assert_int_equal(cb_memory_pss_kib(getpid(), &after, &err), 0);
    assert_true(after >= before + 15 * MIB && after <= before + 18 * MIB * SLACK);
    cb_memory_release(p, 16u << 20);
    assert_int_equal(cb_memory_pss_kib(999999999, &after, &err), -1);
    assert_non_null(strstr(err.msg, "smaps_rollup"));
}

/* Total PSS of the held set, with and without 8 MiB per worker. */
static struct cb_run_memory measure(const struct cb_executor *r, uint32_t n, uint64_t mem)
{
    struct cb_params p;
    struct cb_run_opts o = { .worker_mem = mem };
    struct cb_run_spec spec = {
        .task = cb_task_find("cpu"), .params = &p, .workers = n, .start = CB_START_BARRIER,
        .shared = shared, .opts = &o,
    };
    struct cb_run_times t = { 0 };
    struct cb_error err = { "" };

    cb_params_default(&p);
    p.iterations = 1000;
    cb_shared_reset(shared, n);
    assert_int_equal(cb_run_sample(r, &spec, &t, &err), 0);
    cb_test_no_children();
    assert_true(t.memory.valid);
    assert_true(t.held_ns >= t.release_ns && t.unheld_ns >= t.held_ns);
    assert_true(t.memory.total_pss_kib > 0);
    return t.memory;
}

static void check_growth(const struct cb_executor *r, uint32_t n)
{
    struct cb_run_memory bare = measure(r, n, 0);
    struct cb_run_memory fat = measure(r, n, 8u << 20);
    double grew = (double)fat.total_pss_kib - (double)bare.total_pss_kib;

    /* About 8 MiB per worker, within generous bounds. */
    assert_true(grew > n * 6.0 * MIB);
    assert_true(grew < n * 11.0 * MIB * SLACK);
}

static void test_processes_sum(void **state)
{
    (void)state;
    check_growth(cb_executor_find("processes"), 4);
}

static void test_threads_own(void **state)
{
    (void)state;
    check_growth(cb_executor_find("threads"), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_self),
        cmocka_unit_test(test_processes_sum),
        cmocka_unit_test(test_threads_own),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
