#include "concbench/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void cb_stats_sort(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof v[0], cmp_double);
}

double cb_stats_quantile(const double *sorted, size_t n, double p)
{
    double h, lo;
    size_t i;

    if (p <= 0 || n == 1)
        return sorted[0];
    if (p >= 1)
        return sorted[n - 1];
    /* R-7 (numpy's default): h = (n-1)p, interpolate sorted[h], sorted[h+1]. */
    h = (double)(n - 1) * p;
    lo = floor(h);
    i = (size_t)lo;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

int cb_stats_median(const double *v, size_t n, double *out)
{
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t k = 0;

    *out = NAN;
    if (!tmp)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            tmp[k++] = v[i];
    if (k > 0) {
        cb_stats_sort(tmp, k);
        *out = cb_stats_quantile(tmp, k, 0.5);
    }
    free(tmp);
    return 0;
}

/* Corrected two-pass algorithm: the second sum removes most of the
 * rounding error of the first mean (Chan, Golub & LeVeque). */
static void mean_stddev(const double *v, size_t n, double *mean, double *sd)
{
    double sum = 0, m, dev = 0, sq = 0;

    for (size_t i = 0; i < n; i++)
        sum += v[i];
    m = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        dev += v[i] - m;
        sq += (v[i] - m) * (v[i] - m);
    }
    *mean = m + dev / (double)n;
    *sd = n < 2 ? 0 : sqrt(fmax(0, (sq - dev * dev / (double)n) / (double)(n - 1)));
}

int cb_stats_compute(const double *v, size_t n, struct cb_stats *out)
{
    double *sorted, *dev;

    memset(out, 0, sizeof *out);
    if (n == 0 || n > SIZE_MAX / (2 * sizeof *sorted))
        return -1;
    sorted = malloc(2 * n * sizeof *sorted);
    if (!sorted)
        return -1;
    dev = sorted + n;
    memcpy(sorted, v, n * sizeof *sorted);
    cb_stats_sort(sorted, n);

    out->n = n;
    out->min = sorted[0];
    out->max = sorted[n - 1];
    out->median = cb_stats_quantile(sorted, n, 0.5);
    out->p10 = cb_stats_quantile(sorted, n, 0.1);
    out->p90 = cb_stats_quantile(sorted, n, 0.9);
    mean_stddev(sorted, n, &out->mean, &out->stddev);
    out->cv = out->mean != 0 ? out->stddev / out->mean : 0;
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(sorted[i] - out->median);
    cb_stats_sort(dev, n);
    out->mad = cb_stats_quantile(dev, n, 0.5);
    free(sorted);
    return 0;
}

double cb_stats_robust_cv(const struct cb_stats *s)
{
    return s->median > 0 ? (s->p90 - s->p10) / (2.5631 * s->median) : 0;
}
