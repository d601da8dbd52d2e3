/* Units: counts, durations and sizes, parsed exactly; durations formatted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/units.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull
#define HOUR_NS (3600ull * 1000000000ull)

struct good {
    const char *in;
    uint64_t want;
};

static void test_count_good(void **state)
{
    static const struct good cases[] = {
        { "0", 0 },
        { "1", 1 },
        { "007", 7 },
        { "10000000", 10000000u },
        { "1k", 1000u },
        { "10M", 10000000u },
        { "3G", 3000000000u },
        { "0k", 0 },
        { "18446744073709551615", UINT64_MAX },
        { "18446744073709551k", 18446744073709551000u },
        { "18446744073G", 18446744073000000000u },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_count(cases[i].in, &v), 0);
        assert_int_equal(v, cases[i].want);
    }
}

static void test_count_bad(void **state)
{
    static const char *const cases[] = {
        "", "-1", "+1", " 1", "1 ", "1.5", "1.0", "abc", "1x", "k", "1kk",
        "1K", "1m", "1g", "1T", "0x10", "1e3", "1,000", "1_000",
        "18446744073709551616",        /* UINT64_MAX + 1 */
        "99999999999999999999",
        "18446744073709552k",          /* overflows only once scaled */
        "18446744074G",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_count(cases[i], &v), -1);
        assert_int_equal(v, UNTOUCHED);
    }
    assert_int_equal(cb_units_parse_count(NULL, &(uint64_t){ 0 }), -1);
}

static void test_duration_good(void **state)
{
    static const struct good cases[] = {
        { "0s", 0 },
        { "0ns", 0 },
        { "1ns", 1 },
        { "250us", 250000u },
        { "250\xc2\xb5s", 250000u },
        { "100ms", 100000000u },
        { "1s", 1000000000u },
        { "1.5s", 1500000000u },
        { "0.5ms", 500000u },
        { "1.000000001s", 1000000001u },
        { "0.000000001s", 1 },
        { "1.500000000000s", 1500000000u }, /* zeros below 1 ns are exact */
        { "2.5us", 2500u },
        { "1.234567ms", 1234567u },
        { "1.000ns", 1 },
        { "3600s", HOUR_NS },
        { "18446744073709551615ns", UINT64_MAX },
        { "18446744073.709551615s", UINT64_MAX },
        { "18446744073709551.615us", UINT64_MAX },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_duration(cases[i].in, UINT64_MAX, &v), 0);
        assert_int_equal(v, cases[i].want);
    }
}

static void test_duration_bad(void **state)
{
    static const char *const cases[] = {
        "", "100", "1.5", "s", "ms", ".5s", "1.s", "1..5s", "1.2.3s", "-1s",
        "+1s", " 1s", "1s ", "1 s", "1e9s", "1h", "1m", "1min", "1S", "1MS",
        "1sec", "5parsecs", "1.0000000001s", "0.5ns", "1.5ns", "0.0001us",
        "100000000000s",               /* 1e20 ns: beyond uint64 */
        "18446744073709551616ns",
        "18446744073.709551616s",
        "18446744074s",
        "99999999999999999999999s",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_duration(cases[i], UINT64_MAX, &v), -1);
        assert_int_equal(v, UNTOUCHED);
    }
}

static void test_duration_max(void **state)
{
    uint64_t v = UNTOUCHED;

    (void)state;
    assert_int_equal(cb_units_parse_duration("3600s", HOUR_NS, &v), 0);
    assert_int_equal(v, HOUR_NS);
    v = UNTOUCHED;
    assert_int_equal(cb_units_parse_duration("3600.000000001s", HOUR_NS, &v), -1);
    assert_int_equal(cb_units_parse_duration("3600000000001ns", HOUR_NS, &v), -1);
    assert_int_equal(cb_units_parse_duration("1ns", 0, &v), -1);
    assert_int_equal(v, UNTOUCHED);
    assert_int_equal(cb_units_parse_duration("0ms", 0, &v), 0);
    assert_int_equal(v, 0);
}

static void test_size_good(void **state)
{
    static const struct good cases[] = {
        { "0", 0 },
        { "4096", 4096u },
        { "1B", 1 },
        { "1KiB", 1024u },
        { "2MiB", 2u * 1024u * 1024u },
        { "3GiB", 3ull << 30 },
        { "1kB", 1000u },
        { "5MB", 5000000u },
        { "7GB", 7000000000u },
        { "18446744073709551615", UINT64_MAX },
        { "18446744073709551615B", UINT64_MAX },
        { "17179869183GiB", 17179869183ull << 30 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_size(cases[i].in, UINT64_MAX, &v), 0);
        assert_int_equal(v, cases[i].want);
    }
}

static void test_size_bad(void **state)
{
    static const char *const cases[] = {
        "", "B", "-1", "+1", " 1", "1 ", "1.5MiB", "1K", "1k", "1KB", "1kiB",
        "1mb", "1Mb", "1TiB", "1 MiB", "1MiBs",
        "18446744073709551616",
        "17179869184GiB",
        "18446744073709552kB",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = UNTOUCHED;

        assert_int_equal(cb_units_parse_size(cases[i], UINT64_MAX, &v), -1);
        assert_int_equal(v, UNTOUCHED);
    }
}

static void test_size_max(void **state)
{
    uint64_t v = UNTOUCHED;

    (void)state;
    assert_int_equal(cb_units_parse_size("1MiB", 1048576u, &v), 0);
    assert_int_equal(v, 1048576u);
    v = UNTOUCHED;
    assert_int_equal(cb_units_parse_size("1048577", 1048576u, &v), -1);
    assert_int_equal(cb_units_parse_size("2MB", 1048576u, &v), -1);
    assert_int_equal(v, UNTOUCHED);
}

struct fmt_case {
    double seconds;
    const char *want;
};

static void test_format_duration(void **state)
{
    static const struct fmt_case cases[] = {
        { 0.0, "0 s" },
        { -0.0, "0 s" },
        { 850e-9, "850 ns" },
        { 1e-9, "1.00 ns" },
        { 12.3e-6, "12.3 \xc2\xb5s" },
        { 1.5e-3, "1.50 ms" },
        { 2.0, "2.00 s" },
        { 12.34, "12.3 s" },
        { 123.4, "123 s" },
        { 3600.0, "3600 s" },
        { 999.4e-9, "999 ns" },
        { 999.6e-9, "1.00 \xc2\xb5s" }, /* rounds up into the next unit */
        { 9.996e-3, "10.0 ms" },
        { 99.96e-3, "100 ms" },
        { 0.9996, "1.00 s" },
        { 0.5e-9, "0.50 ns" },
        { -1.5e-3, "-1.50 ms" },
        { -850e-9, "-850 ns" },
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_units_format_duration(cases[i].seconds, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

static void test_format_size(void **state)
{
    static const struct { double bytes; const char *want; } cases[] = {
        { 0, "0 B" }, { 1000, "1000 B" }, { 1023, "1023 B" }, { 1024, "1.00 KiB" },
        { 98 * 1024.0, "98.0 KiB" }, { 8 * 1048576.0 + 10240, "8.01 MiB" },
        { 1023.9 * 1024, "1.00 MiB" }, { 3.0 * (1u << 30), "3.00 GiB" },
        { -2048, "-2.00 KiB" },
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_units_format_size(cases[i].bytes, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    cb_units_format_size(NAN, buf, sizeof buf);
    assert_string_equal(buf, "-");
}

static void test_format_special(void **state)
{
    char buf[32];
    char small[4] = "xyz";

    (void)state;
    cb_units_format_duration(NAN, buf, sizeof buf);
    assert_string_equal(buf, "-");
    cb_units_format_duration(INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "inf");
    cb_units_format_duration(-INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "-inf");
    cb_units_format_duration(1.5e-3, small, sizeof small);
    assert_string_equal(small, "1.5");
    cb_units_format_duration(1.5e-3, small, 0);
    assert_string_equal(small, "1.5");
}

/* Clock stamps to seconds: exact for whole seconds, 0 when to < from. */
static void test_clock_secs(void **state)
{
    (void)state;
    assert_true(cb_clock_ns_to_s(3 * CB_NS_PER_S) == 3.0);
    assert_true(cb_clock_ns_to_s(1500000) == 1.5e-3);
    assert_true(cb_clock_secs(CB_NS_PER_S, 3 * CB_NS_PER_S) == 2.0);
    assert_true(cb_clock_secs(5, 5) == 0.0);
    assert_true(cb_clock_secs(7, 5) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_good),
        cmocka_unit_test(test_count_bad),
        cmocka_unit_test(test_duration_good),
        cmocka_unit_test(test_duration_bad),
        cmocka_unit_test(test_duration_max),
        cmocka_unit_test(test_size_good),
        cmocka_unit_test(test_size_bad),
        cmocka_unit_test(test_size_max),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_format_size),
        cmocka_unit_test(test_format_special),
        cmocka_unit_test(test_clock_secs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
