/* cb_compare statistics: the Mann-Whitney U test and the Hodges-Lehmann
 * interval against hand-computed and published values. */
#include "cb_test.h"

#include <math.h>
#include <stdlib.h>

#include "concbench/compare.h"

/* cmocka 1.1.5 has no assert_double_equal. */
static void near(double got, double want, double eps, const char *what, int line)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("line %d: %s = %.17g, want %.17g", line, what, got, want);
}
#define assert_near(got, want, eps) near((got), (want), (eps), #got, __LINE__)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fully separated 3 vs 3: U = 0, and P(U <= 0) = 1 / C(6,3) = 1/20, so
 * the two-sided p is 2/20. */
static void test_exact_separated_3(void **state)
{
    const double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
    struct cb_mwu t;

    (void)state;
    assert_int_equal(cb_compare_mwu(x, 3, y, 3, &t), 0);
    assert_true(t.exact);
    assert_near(t.u, 0, 0);
    assert_near(t.p, 0.1, 1e-15);
    assert_int_equal(cb_compare_mwu(y, 3, x, 3, &t), 0);
    assert_near(t.u, 9, 0);
    assert_near(t.p, 0.1, 1e-15);
}

/* 5 vs 5 separated: p = 2 / C(10,5) = 2/252. */
static void test_exact_separated_5(void **state)
{
    const double x[] = { 5, 4, 3, 2, 1 }, y[] = { 10, 6, 8, 7, 9 };
    struct cb_mwu t;

    (void)state;
    assert_int_equal(cb_compare_mwu(x, 5, y, 5, &t), 0);
    assert_near(t.p, 2.0 / 252, 1e-15);
}

/* 20 vs 20 separated, well inside the exact range (up to 50 a side):
 * p = 2 / C(40,20) = 2 / 137846528820; the normal approximation would
 * give about 6.8e-8. */
static void test_exact_separated_20(void **state)
{
    double x[20], y[20];
    struct cb_mwu t;

    (void)state;
    for (int i = 0; i < 20; i++) {
        x[i] = 1 + i;
        y[i] = 100 + i;
    }
    assert_int_equal(cb_compare_mwu(x, 20, y, 20, &t), 0);
    assert_true(t.exact);
    assert_true(fabs(t.p / (2.0 / 137846528820.0) - 1) < 1e-9);
}

/* The example of the scipy.stats.mannwhitneyu documentation:
 * statistic=17.0, pvalue=0.1111111111111111 (exact). */
static void test_scipy_example(void **state)
{
    const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
    struct cb_mwu t;

    (void)state;
    assert_int_equal(cb_compare_mwu(males, 5, females, 4, &t), 0);
    assert_true(t.exact);
    assert_near(t.u, 17, 0);
    assert_near(t.p, 0.1111111111111111, 1e-15);
}

/* The same documentation's asymptotic p for that example, 0.111346886533,
 * is z = (17 - 10 - 0.5) / sqrt(20/12 * 10): checks the normal tail. */
static void test_scipy_example_asymptotic(void **state)
{
    double z = 6.5 / sqrt(20.0 / 12 * 10);

    (void)state;
    assert_near(2 * cb_compare_norm_sf(z), 0.11134688653314041, 1e-14);
    assert_near(cb_compare_norm_isf(0.025), 1.959963984540054, 1e-12);
    assert_near(cb_compare_norm_isf(0.5), 0, 1e-12);
}

/* Ties force the normal approximation with tie and continuity correction:
 * ranks give U = 7.5; tie groups of 2, 4, 3, 3, 2 give sum(t^3 - t) = 120;
 * value from the formula of scipy, computed independently. */
static void test_ties_normal(void **state)
{
    const double x[] = { 1, 2, 2, 3, 3, 3, 4, 5 };
    const double y[] = { 3, 4, 4, 5, 5, 6, 6, 7, 8 };
    struct cb_mwu t;

    (void)state;
    assert_int_equal(cb_compare_mwu(x, N(x), y, N(y), &t), 0);
    assert_false(t.exact);
    assert_near(t.u, 7.5, 0);
    assert_near(t.p, 0.006373133838085877, 1e-12);
}

/* 60 vs 60 without ties is past the exact limit: x = 0..59 and y =
 * x + 10.5 give U = 1225, p from the normal approximation. */
static void test_large_normal(void **state)
{
    double x[60], y[60];
    struct cb_mwu t;

    (void)state;
    for (int i = 0; i < 60; i++) {
        x[i] = i;
        y[i] = i + 10.5;
    }
    assert_int_equal(cb_compare_mwu(x, 60, y, 60, &t), 0);
    assert_false(t.exact);
    assert_near(t.u, 1225, 0);
    assert_near(t.p, 0.0025668879435241797, 1e-12);
}

/* All values equal: no evidence of anything, p = 1. */
static void test_all_tied(void **state)
{
    const double x[] = { 2, 2, 2, 2, 2 }, y[] = { 2, 2, 2, 2, 2, 2 };
    struct cb_mwu t;

    (void)state;
    assert_int_equal(cb_compare_mwu(x, 5, y, 6, &t), 0);
    assert_near(t.p, 1, 0);
    assert_int_equal(cb_compare_mwu(x, 0, y, 6, &t), -1);
}

/* The exact null distribution against enumeration of all C(10,4) = 210
 * arrangements (4 vs 6), the 5 vs 5 table value P(U <= 2) = 4/252, and
 * symmetry P(U <= u) + P(U <= mn - u - 1) = 1 at the exact limit. */
static void test_u_cdf(void **state)
{
    static const double want46[] = {
        1.0 / 210, 2.0 / 210, 4.0 / 210, 7.0 / 210, 12.0 / 210, 18.0 / 210, 27.0 / 210,
    };

    (void)state;
    for (size_t u = 0; u < N(want46); u++)
        assert_near(cb_compare_u_cdf(4, 6, (double)u), want46[u], 1e-15);
    assert_near(cb_compare_u_cdf(6, 4, 3), 7.0 / 210, 1e-15);
    assert_near(cb_compare_u_cdf(4, 6, 24), 1, 1e-15);
    assert_near(cb_compare_u_cdf(5, 5, 2), 4.0 / 252, 1e-15);
    for (double u = 0; u < 2500; u += 97)
        assert_near(cb_compare_u_cdf(50, 50, u) + cb_compare_u_cdf(50, 50, 2499 - u), 1, 1e-12);
    assert_true(isnan(cb_compare_u_cdf(2000, 2000, 1)));
}

/* y = x + 10 for x = 1..5: the 25 differences are 6 (once), 7 (twice),
 * ... 10 (5 times) ... 14 (once); their median is 10. For 5 vs 5 at 95%
 * the critical value is 3 (P(U <= 2) = 0.016 <= 0.025 < P(U <= 3)), so
 * the interval is [d(3), d(23)] = [7, 13] (Hollander & Wolfe, 96.8%). */
static void test_hl_shift(void **state)
{
    const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 11, 12, 13, 14, 15 };
    struct cb_shift s;

    (void)state;
    assert_int_equal(cb_compare_hl(x, 5, y, 5, 0.05, false, &s), 0);
    assert_near(s.estimate, 10, 0);
    assert_near(s.lo, 7, 0);
    assert_near(s.hi, 13, 0);
}

/* An even number of differences averages the middle two; 4 vs 6 has
 * critical value 3 (P(U <= 2) = 4/210, P(U <= 3) = 7/210 > 0.025). */
static void test_hl_even_and_unequal(void **state)
{
    const double x[] = { 1, 3, 5, 7 }, y[] = { 2, 4, 6, 8, 10, 12 };
    struct cb_shift s;

    (void)state;
    assert_int_equal(cb_compare_hl(x, 4, y, 6, 0.05, false, &s), 0);
    assert_near(s.estimate, 3, 0);
    assert_near(s.lo, -3, 0);
    assert_near(s.hi, 9, 0);
}

/* Too few for the level: 3 vs 3 cannot reach 95%, the interval is open. */
static void test_hl_too_small(void **state)
{
    const double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
    struct cb_shift s;

    (void)state;
    assert_int_equal(cb_compare_hl(x, 3, y, 3, 0.05, false, &s), 0);
    assert_near(s.estimate, 3, 0);
    assert_true(isinf(s.lo) && s.lo < 0);
    assert_true(isinf(s.hi) && s.hi > 0);
}

/* On logs, y = 1.2 x shifts by exactly log 1.2; a value <= 0 is refused. */
static void test_hl_log_ratio(void **state)
{
    const double x[] = { 1.0, 1.1, 1.2, 1.3, 1.4, 1.5 };
    double y[6], z[] = { 1, 0, 2 };
    struct cb_shift s;

    (void)state;
    for (int i = 0; i < 6; i++)
        y[i] = x[i] * 1.2;
    assert_int_equal(cb_compare_hl(x, 6, y, 6, 0.05, true, &s), 0);
    assert_near(s.estimate, log(1.2), 1e-12);
    assert_true(s.lo < s.estimate && s.estimate < s.hi);
    assert_int_equal(cb_compare_hl(x, 6, z, 3, 0.05, true, &s), -1);
}

/* A large sample goes through the normal critical value and the
 * selection without forming n*m differences: shift of 0.25 recovered. */
static void test_hl_large(void **state)
{
    size_t n = 3000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    struct cb_shift s;

    (void)state;
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)((i * 7919) % n) / (double)n;
        y[i] = x[i] + 0.25;
    }
    assert_int_equal(cb_compare_hl(x, n, y, n, 0.05, false, &s), 0);
    assert_near(s.estimate, 0.25, 1e-9);
    assert_true(s.lo < 0.25 && s.hi > 0.25 && s.hi - s.lo < 0.1);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_separated_3),
        cmocka_unit_test(test_exact_separated_5),
        cmocka_unit_test(test_exact_separated_20),
        cmocka_unit_test(test_scipy_example),
        cmocka_unit_test(test_scipy_example_asymptotic),
        cmocka_unit_test(test_ties_normal),
        cmocka_unit_test(test_large_normal),
        cmocka_unit_test(test_all_tied),
        cmocka_unit_test(test_u_cdf),
        cmocka_unit_test(test_hl_shift),
        cmocka_unit_test(test_hl_even_and_unequal),
        cmocka_unit_test(test_hl_too_small),
        cmocka_unit_test(test_hl_log_ratio),
        cmocka_unit_test(test_hl_large),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
