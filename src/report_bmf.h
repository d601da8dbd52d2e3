/* Internal: the CI dashboard exports cb_report_render() dispatches to. */
#ifndef CONCBENCH_REPORT_BMF_H
#define CONCBENCH_REPORT_BMF_H

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/results.h"

/* With CB_FORMAT_BMF, Bencher Metric Format: an object keyed by benchmark
 * name, measures "latency" (median wall time, min and max as bounds) and
 * "spawn-latency", in nanoseconds; a pool's adds "dispatch-latency"
 * (median, p99 as upper_value), the loop's "loop-lateness" (p99, max as
 * upper_value). With CB_FORMAT_GAB, the github-action-benchmark
 * customSmallerIsBetter array: name, unit, value (median wall ns), range
 * (± MAD), extra; a pool's benchmark adds an entry "NAME dispatch median",
 * the loop's "NAME loop lateness p99" (range: the max). Failed benchmarks are left out:
 * no made-up numbers. Returns a malloc'd string ending in a newline, or
 * NULL with err set on allocation failure. */
char *cb_report_bmf(const struct cb_results *r, enum cb_format f, struct cb_error *err);

#endif
