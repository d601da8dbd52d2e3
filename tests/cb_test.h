/* Shared helpers for the cmocka tests. */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>

#include "concbench/clock.h"
#include "concbench/shared.h"

/* Skips the calling test when timings mean nothing, and says so on one
 * line: under valgrind, which runs one thread at a time, scripts/test.sh
 * sets CB_TEST_NO_TIMING. Timing assertions elsewhere must hold with a busy
 * loop on every CPU (judge CPU time, not wall time, where work is timed). */
#define cb_test_need_timing() cb_test_need_timing_at(__func__)

static inline void cb_test_need_timing_at(const char *test)
{
    const char *v = getenv("CB_TEST_NO_TIMING");

    if (v && *v && *v != '0') {
        printf("skip: %s: its timing assertions mean nothing here "
               "(CB_TEST_NO_TIMING=%s, set by scripts/test.sh under valgrind)\n",
               test, v);
        fflush(stdout);
        skip();
    }
}

/* The calling thread's CPU time in seconds: unlike wall time, unaffected
 * by other processes sharing the CPUs. */
static inline double cb_test_thread_cpu_s(void)
{
    struct timespec ts = { 0, 0 };

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Built with ThreadSanitizer (gcc's macro, clang's feature test). */
#if defined(__SANITIZE_THREAD__)
#define CB_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CB_TEST_TSAN 1
#endif
#endif
#ifndef CB_TEST_TSAN
#define CB_TEST_TSAN 0
#endif

/* Asserts that this process has no child left, reaped or not. */
static inline void cb_test_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Seconds since t0 (a cb_clock_now_ns value). */
static inline double cb_test_since(uint64_t t0)
{
    return (double)(cb_clock_now_ns() - t0) / 1e9;
}

/* The worker records a runner test shares across its tests: defines
 * `shared` (room for n records) and the group fixtures setup() and
 * teardown() that map and unmap it. */
#define CB_TEST_SHARED_RECORDS(n)                 \
    static struct cb_shared *shared;              \
    static int setup(void **state)                \
    {                                             \
        (void)state;                              \
        shared = cb_shared_map((n), NULL);        \
        return shared ? 0 : -1;                   \
    }                                             \
    static int teardown(void **state)             \
    {                                             \
        (void)state;                              \
        cb_shared_unmap(shared);                  \
        return 0;                                 \
    }

#endif
