/* cb_stats: hand-computed values for the summary statistics. */
#include "cb_test.h"

#include <math.h>
#include <string.h>

#include "concbench/stats.h"

#define EPS 1e-12

/* cmocka 1.1.5 has no assert_double_equal. */
static void near(double got, double want, double eps, const char *what, int line)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("line %d: %s = %.17g, want %.17g", line, what, got, want);
}
#define assert_near(got, want, eps) near((got), (want), (eps), #got, __LINE__)

static void test_odd(void **state)
{
    const double v[] = { 5, 1, 4, 2, 3 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 5, &s), 0);
    assert_int_equal(s.n, 5);
    assert_near(s.min, 1, EPS);
    assert_near(s.max, 5, EPS);
    assert_near(s.mean, 3, EPS);
    assert_near(s.median, 3, EPS);
    assert_near(s.stddev, 1.5811388300841898, EPS); /* sqrt(10/4) */
    assert_near(s.p10, 1.4, EPS); /* h = 0.4 */
    assert_near(s.p90, 4.6, EPS); /* h = 3.6 */
    assert_near(s.mad, 1, EPS);   /* |x-3| = 0 1 1 2 2 */
    assert_near(s.cv, 0.5270462766947299, EPS);
}

static void test_even(void **state)
{
    const double v[] = { 4, 1, 3, 2 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 4, &s), 0);
    assert_int_equal(s.n, 4);
    assert_near(s.median, 2.5, EPS);
    assert_near(s.mean, 2.5, EPS);
    assert_near(s.stddev, 1.2909944487358056, EPS); /* sqrt(5/3) */
    assert_near(s.p10, 1.3, EPS); /* h = 0.3 */
    assert_near(s.p90, 3.7, EPS); /* h = 2.7 */
    assert_near(s.mad, 1.0, EPS); /* 0.5 0.5 1.5 1.5 */
    assert_near(s.cv, 0.5163977794943222, EPS);
}

static void test_one(void **state)
{
    const double v[] = { 7.5 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 1, &s), 0);
    assert_int_equal(s.n, 1);
    assert_near(s.min, 7.5, EPS);
    assert_near(s.max, 7.5, EPS);
    assert_near(s.median, 7.5, EPS);
    assert_near(s.p10, 7.5, EPS);
    assert_near(s.p90, 7.5, EPS);
    assert_near(s.stddev, 0, EPS);
    assert_near(s.mad, 0, EPS);
    assert_near(s.cv, 0, EPS);
}

static void test_empty(void **state)
{
    const double v[] = { 1 };
    struct cb_stats s;

    (void)state;
    memset(&s, 0xab, sizeof s);
    assert_int_equal(cb_stats_compute(v, 0, &s), -1);
    assert_int_equal(s.n, 0);
    assert_near(s.median, 0, 0);
    assert_near(s.max, 0, 0);
}

static void test_mad_outlier(void **state)
{
    const double v[] = { 100, 3, 1, 4, 2 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 5, &s), 0);
    assert_near(s.median, 3, EPS);
    assert_near(s.mean, 22, EPS);
    assert_near(s.mad, 1, EPS); /* |x-3| = 0 1 1 2 97 */
    assert_near(s.p90, 61.6, EPS); /* 4 + 0.6 * 96 */
}

/* The robust CV: one outlier in 20 leaves it where the values are, while
 * it moves the CV; 0 when the median is 0. */
static void test_robust_cv(void **state)
{
    double v[20];
    struct cb_stats s;

    (void)state;
    for (int i = 0; i < 20; i++)
        v[i] = 10 + (i % 2 ? 0.1 : -0.1);
    v[7] = 14;
    assert_int_equal(cb_stats_compute(v, 20, &s), 0);
    assert_true(s.cv > 0.05);
    assert_true(cb_stats_robust_cv(&s) < 0.01);
    s.median = 0;
    assert_true(cb_stats_robust_cv(&s) == 0);
}

static void test_quantile(void **state)
{
    const double v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };

    (void)state;
    assert_near(cb_stats_quantile(v, 10, 0.0), 10, EPS);
    assert_near(cb_stats_quantile(v, 10, 0.25), 32.5, EPS); /* numpy */
    assert_near(cb_stats_quantile(v, 10, 0.5), 55, EPS);
    assert_near(cb_stats_quantile(v, 10, 0.9), 91, EPS);
    assert_near(cb_stats_quantile(v, 10, 1.0), 100, EPS);
    assert_near(cb_stats_quantile(v, 1, 0.9), 10, EPS);
    assert_near(cb_stats_quantile(v, 2, 0.5), 15, EPS);
}

static void test_input_untouched(void **state)
{
    double v[] = { 9, 3, 7, 1, 8, 2 };
    double copy[6];
    struct cb_stats s;

    (void)state;
    memcpy(copy, v, sizeof v);
    assert_int_equal(cb_stats_compute(v, 6, &s), 0);
    assert_memory_equal(v, copy, sizeof v);
    assert_near(s.min, 1, EPS);
    assert_near(s.median, 5, EPS);
}

/* A large offset ruins the naive sum-of-squares formula. */
static void test_precision(void **state)
{
    const double v[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 4, &s), 0);
    assert_near(s.mean, 1e9 + 10, 1e-6);
    assert_near(s.stddev, 5.477225575051661, 1e-9); /* sqrt(30) */
}

static void test_zero_mean(void **state)
{
    const double v[] = { -1, 1 };
    struct cb_stats s;

    (void)state;
    assert_int_equal(cb_stats_compute(v, 2, &s), 0);
    assert_near(s.mean, 0, EPS);
    assert_near(s.cv, 0, 0);
}

static void test_sort(void **state)
{
    double v[] = { 3, -1, 2.5, 0, 2.5, 10 };
    const double want[] = { -1, 0, 2.5, 2.5, 3, 10 };

    (void)state;
    cb_stats_sort(v, 6);
    assert_memory_equal(v, want, sizeof v);
    cb_stats_sort(v, 0);
}

/* The one median: NaN values are skipped, none left gives NAN. */
static void test_median(void **state)
{
    const double odd[] = { 5, NAN, 1, 3 };
    const double even[] = { 4, 1, 3, 2 };
    const double none[] = { NAN, NAN };
    double m = 0;

    (void)state;
    assert_int_equal(cb_stats_median(odd, 4, &m), 0);
    assert_near(m, 3, EPS);
    assert_int_equal(cb_stats_median(even, 4, &m), 0);
    assert_near(m, 2.5, EPS);
    assert_int_equal(cb_stats_median(none, 2, &m), 0);
    assert_true(isnan(m));
    m = 0;
    assert_int_equal(cb_stats_median(NULL, 0, &m), 0);
    assert_true(isnan(m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd),
        cmocka_unit_test(test_even),
        cmocka_unit_test(test_one),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_mad_outlier),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_robust_cv),
        cmocka_unit_test(test_input_untouched),
        cmocka_unit_test(test_precision),
        cmocka_unit_test(test_zero_mean),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_median),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
