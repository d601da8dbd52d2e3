/* The one clock every measurement uses. */
#ifndef CONCBENCH_CLOCK_H
#define CONCBENCH_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds; comparable across processes. Can't fail. */
uint64_t cb_clock_now_ns(void);

#endif
