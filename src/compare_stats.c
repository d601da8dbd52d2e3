/* The statistics of `compare`: the Mann-Whitney U test and the
 * Hodges-Lehmann shift with its distribution-free interval. */
#include "concbench/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/stats.h"

/* Both samples at most this large (and no ties): exact p-value. */
#define EXACT_MAX 50
/* The exact distribution costs m * (m * n) steps and m * n doubles. */
#define CDF_MAX_CELLS 1000000u

double cb_compare_norm_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* Bisection: sf is monotone, and 200 halvings of [-40, 40] reach the
 * spacing of doubles, which is all the precision a critical value needs. */
double cb_compare_norm_isf(double p)
{
    double lo = -40, hi = 40;

    if (!(p > 0))
        return INFINITY;
    if (p >= 1)
        return -INFINITY;
    for (int i = 0; i < 200; i++) {
        double mid = lo / 2 + hi / 2;

        if (cb_compare_norm_sf(mid) > p)
            lo = mid;
        else
            hi = mid;
    }
    return lo / 2 + hi / 2;
}

/* Coefficients of the Gaussian binomial [m+n choose m]_q: c[k] counts the
 * arrangements with U = k. Built as prod (1 - q^(n+i)) / (1 - q^i); each
 * step leaves nonnegative counts, and low coefficients only ever depend
 * on lower ones, so the lower tail stays accurate. */
static double *u_counts(size_t m, size_t n)
{
    double *c = calloc(m * n + 1, sizeof *c);

    if (!c)
        return NULL;
    c[0] = 1;
    for (size_t i = 1; i <= m; i++) {
        size_t deg = i * n;

        for (size_t k = deg; k >= n + i && k <= deg; k--)
            c[k] -= c[k - n - i];
        for (size_t k = i; k <= deg; k++)
            c[k] += c[k - i];
    }
    return c;
}

double cb_compare_u_cdf(size_t m, size_t n, double u)
{
    double *c, below = 0, total = 0;

    if (m == 0 || n == 0 || m * n > CDF_MAX_CELLS / (m < n ? m : n))
        return NAN;
    if (u < 0)
        return 0;
    c = u_counts(m < n ? m : n, m < n ? n : m);
    if (!c)
        return NAN;
    for (size_t k = 0; k <= m * n; k++) {
        total += c[k];
        below += k <= u ? c[k] : 0;
    }
    free(c);
    return below / total;
}

struct tagged {
    double v;
    int from_x;
};

static int cmp_tagged(const void *a, const void *b)
{
    double x = ((const struct tagged *)a)->v, y = ((const struct tagged *)b)->v;

    return (x > y) - (x < y);
}

/* Rank sum of x with mid-ranks for ties, and sum(t^3 - t) over tie groups. */
static int rank_sum(const double *x, size_t nx, const double *y, size_t ny,
                    double *rx, double *ties)
{
    size_t n = nx + ny;
    struct tagged *all = malloc(n * sizeof *all);

    if (!all)
        return -1;
    for (size_t i = 0; i < n; i++) {
        all[i].v = i < nx ? x[i] : y[i - nx];
        all[i].from_x = i < nx;
    }
    qsort(all, n, sizeof *all, cmp_tagged);
    *rx = *ties = 0;
    for (size_t i = 0, j; i < n; i = j) {
        double t, mid;

        for (j = i + 1; j < n && all[j].v == all[i].v; j++)
            ;
        t = (double)(j - i);
        mid = ((double)i + 1 + (double)j) / 2;
        *ties += t * t * t - t;
        for (size_t k = i; k < j; k++)
            *rx += all[k].from_x ? mid : 0;
    }
    free(all);
    return 0;
}

static double normal_p(double u, double m, double n, double ties)
{
    double N = m + n, mu = m * n / 2;
    double var = m * n / 12 * ((N + 1) - ties / (N * (N - 1)));
    double z;

    if (!(var > 0))
        return 1;
    z = (fmax(u, m * n - u) - mu - 0.5) / sqrt(var);
    return fmin(1, 2 * cb_compare_norm_sf(z));
}

int cb_compare_mwu(const double *x, size_t nx, const double *y, size_t ny,
                   struct cb_mwu *out)
{
    double rx, ties, m = (double)nx, n = (double)ny;

    memset(out, 0, sizeof *out);
    out->p = NAN;
    if (nx == 0 || ny == 0 || rank_sum(x, nx, y, ny, &rx, &ties) != 0)
        return -1;
    out->u = rx - m * (m + 1) / 2;
    out->exact = ties == 0 && nx <= EXACT_MAX && ny <= EXACT_MAX;
    if (out->exact) {
        double cdf = cb_compare_u_cdf(nx, ny, fmin(out->u, m * n - out->u));

        if (isnan(cdf))
            return -1;
        out->p = fmin(1, 2 * cdf);
    } else {
        out->p = normal_p(out->u, m, n, ties);
    }
    return 0;
}

/* Pairs with y[j] - x[i] <= t; x and y sorted. A larger x[i] admits more
 * y[j], so j only moves forward: O(nx + ny). Rounding is monotone, so the
 * computed differences order the same way. */
static size_t count_le(const double *x, size_t nx, const double *y, size_t ny, double t)
{
    size_t count = 0, j = 0;

    for (size_t i = 0; i < nx; i++) {
        while (j < ny && y[j] - x[i] <= t)
            j++;
        count += j;
    }
    return count;
}

/* The k-th smallest (1-based) of all y[j] - x[i], without forming the
 * nx * ny differences: bisect on the value until lo and hi are adjacent
 * doubles with count(lo) < k <= count(hi); then hi is that difference. */
static double kth_diff(const double *x, size_t nx, const double *y, size_t ny, size_t k)
{
    double lo = nextafter(y[0] - x[nx - 1], -INFINITY), hi = y[ny - 1] - x[0];

    for (int i = 0; i < 4096; i++) {
        double mid = lo / 2 + hi / 2;

        if (mid <= lo || mid >= hi)
            break;
        if (count_le(x, nx, y, ny, mid) >= k)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* The largest k with P(U <= k - 1) <= alpha / 2; 0 when even U = 0 is
 * likelier than that. */
static size_t critical_k(size_t m, size_t n, double alpha)
{
    double N = (double)m * (double)n, z, k, total = 0, below = 0;
    size_t c = 0;
    double *counts;

    if (m <= EXACT_MAX && n <= EXACT_MAX && (counts = u_counts(m, n)) != NULL) {
        for (size_t i = 0; i <= m * n; i++)
            total += counts[i];
        while (c < m * n && (below += counts[c]) / total <= alpha / 2)
            c++;
        free(counts);
        return c;
    }
    z = cb_compare_norm_isf(alpha / 2);
    k = floor(N / 2 - z * sqrt(N * ((double)(m + n) + 1) / 12) + 0.5);
    return k < 0 ? 0 : (size_t)k;
}

static double *sorted_copy(const double *v, size_t n, bool logscale)
{
    double *c = malloc(n * sizeof *c);

    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        c[i] = logscale ? log(v[i]) : v[i];
    cb_stats_sort(c, n);
    return c;
}

static bool all_positive(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0))
            return false;
    return true;
}

int cb_compare_hl(const double *x, size_t nx, const double *y, size_t ny,
                  double alpha, bool logscale, struct cb_shift *out)
{
    double *xs = NULL, *ys = NULL;
    size_t N = nx * ny, k;
    int rc = -1;

    out->estimate = NAN;
    out->lo = -INFINITY;
    out->hi = INFINITY;
    if (nx == 0 || ny == 0 || (logscale && (!all_positive(x, nx) || !all_positive(y, ny))))
        return -1;
    xs = sorted_copy(x, nx, logscale);
    ys = sorted_copy(y, ny, logscale);
    if (!xs || !ys)
        goto out;
    out->estimate = kth_diff(xs, nx, ys, ny, (N + 1) / 2);
    if (N % 2 == 0)
        out->estimate = out->estimate / 2 + kth_diff(xs, nx, ys, ny, N / 2 + 1) / 2;
    k = critical_k(nx, ny, alpha);
    if (k >= 1 && k <= N / 2) {
        out->lo = kth_diff(xs, nx, ys, ny, k);
        out->hi = kth_diff(xs, nx, ys, ny, N + 1 - k);
    }
    rc = 0;
out:
    free(xs);
    free(ys);
    return rc;
}
