#include "concbench/clock.h"

#include <time.h>

uint64_t cb_clock_now_ns(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * CB_NS_PER_S + (uint64_t)ts.tv_nsec;
}

double cb_clock_ns_to_s(uint64_t ns)
{
    return (double)ns / (double)CB_NS_PER_S;
}

double cb_clock_secs(uint64_t from, uint64_t to)
{
    return to > from ? cb_clock_ns_to_s(to - from) : 0.0;
}
