/* The one clock every measurement uses, and its conversions to seconds. */
#ifndef CONCBENCH_CLOCK_H
#define CONCBENCH_CLOCK_H

#include <stdint.h>

/* Nanoseconds in a second: the unit of every *_ns stamp and duration. */
#define CB_NS_PER_S 1000000000ull

/* CLOCK_MONOTONIC in nanoseconds; comparable across processes. Can't fail. */
uint64_t cb_clock_now_ns(void);

/* ns nanoseconds in seconds. Can't fail. */
double cb_clock_ns_to_s(uint64_t ns);

/* Seconds between two cb_clock_now_ns() stamps; 0 rather than a wrapped
 * huge value when to < from. Can't fail. */
double cb_clock_secs(uint64_t from, uint64_t to);

#endif
