/* Summary statistics of a set of measurements. */
#ifndef CONCBENCH_STATS_H
#define CONCBENCH_STATS_H

#include <stddef.h>

struct cb_stats {
    size_t n;
    double min, max, mean, median;
    double stddev;  /* sample standard deviation (n-1); 0 when n < 2 */
    double p10, p90;/* linear interpolation between order statistics */
    double mad;     /* median absolute deviation (unscaled) */
    double cv;      /* stddev / mean; 0 when mean is 0 */
};

/* The spread of s as a CV that one outlier does not move: (p90 - p10)
 * over 2.563 medians, which equals the CV of normally distributed values
 * (p90 - p10 = 2.563 standard deviations); 0 when the median is not
 * positive. Can't fail. */
double cb_stats_robust_cv(const struct cb_stats *s);

/* Computes the statistics of v[0..n). v is not modified. Returns 0, or -1
 * when n is 0 or memory runs out (*out zeroed). */
int cb_stats_compute(const double *v, size_t n, struct cb_stats *out);

/* The median of the values of v[0..n) that are not NaN into *out: NAN
 * when there are none. v is not modified. Returns 0, or -1 when memory
 * runs out (*out NAN). */
int cb_stats_median(const double *v, size_t n, double *out);

/* Returns the p-quantile (0 <= p <= 1) of sorted[0..n), n > 0, by linear
 * interpolation. Can't fail. */
double cb_stats_quantile(const double *sorted, size_t n, double p);

/* Sorts v[0..n) ascending in place. Can't fail. */
void cb_stats_sort(double *v, size_t n);

#endif
