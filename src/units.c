#include "concbench/units.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct unit {
    const char *suffix;
    uint64_t factor;
};

static const struct unit count_units[] = {
    { "", 1 },
    { "k", 1000u },
    { "M", 1000000u },
    { "G", 1000000000u },
    { NULL, 0 },
};

/* "µs" is accepted beside "us" because that is how durations are printed. */
static const struct unit duration_units[] = {
    { "ns", 1 },
    { "us", 1000u },
    { "\xc2\xb5s", 1000u },
    { "ms", 1000000u },
    { "s", 1000000000u },
    { NULL, 0 },
};

static const struct unit size_units[] = {
    { "", 1 },
    { "B", 1 },
    { "KiB", 1024u },
    { "MiB", UINT64_C(1024) * 1024u },
    { "GiB", UINT64_C(1024) * 1024u * 1024u },
    { "kB", 1000u },
    { "MB", 1000000u },
    { "GB", 1000000000u },
    { NULL, 0 },
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads one or more digits; fails on none or on overflow. */
static int read_digits(const char *s, uint64_t *v, const char **end)
{
    uint64_t acc = 0;

    if (!is_digit(*s))
        return -1;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');

        if (acc > (UINT64_MAX - d) / 10)
            return -1;
        acc = acc * 10 + d;
    }
    *v = acc;
    *end = s;
    return 0;
}

/* Returns the factor of the unit spelled exactly s, or 0. */
static uint64_t unit_factor(const struct unit *units, const char *s)
{
    for (; units->suffix; units++)
        if (strcmp(units->suffix, s) == 0)
            return units->factor;
    return 0;
}

static int scale(uint64_t v, const struct unit *units, const char *suffix,
                 uint64_t max, uint64_t *out)
{
    uint64_t factor = unit_factor(units, suffix);

    if (factor == 0 || v > UINT64_MAX / factor || v * factor > max)
        return -1;
    *out = v * factor;
    return 0;
}

int cb_units_parse_count(const char *s, uint64_t *out)
{
    uint64_t v;
    const char *end;

    if (!s || read_digits(s, &v, &end) != 0)
        return -1;
    return scale(v, count_units, end, UINT64_MAX, out);
}

int cb_units_parse_size(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v;
    const char *end;

    if (!s || read_digits(s, &v, &end) != 0)
        return -1;
    return scale(v, size_units, end, max, out);
}

/* Adds the fraction digits at *s in units of factor ns: the digit at
 * place i is worth factor / 10^i ns, and one worth less than 1 ns must be
 * zero. Leaves *s after the digits. */
static int read_fraction(const char **s, uint64_t factor, uint64_t *ns)
{
    const char *p = *s;
    uint64_t place = factor, sum = 0;

    if (!is_digit(*p))
        return -1;
    for (; is_digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (place % 10 != 0) {
            if (d != 0)
                return -1;
            continue;
        }
        place /= 10;
        sum += d * place;
    }
    *s = p;
    *ns = sum;
    return 0;
}

/* The unit follows the number, so find it first: the fraction's worth
 * depends on it. */
static const char *unit_start(const char *s)
{
    while (is_digit(*s) || *s == '.')
        s++;
    return s;
}

int cb_units_parse_duration(const char *s, uint64_t max_ns, uint64_t *out)
{
    uint64_t whole, frac = 0, factor;
    const char *p, *unit;

    if (!s || read_digits(s, &whole, &p) != 0)
        return -1;
    unit = unit_start(p);
    factor = unit_factor(duration_units, unit);
    if (factor == 0)
        return -1;
    if (*p == '.') {
        p++;
        if (read_fraction(&p, factor, &frac) != 0)
            return -1;
    }
    if (p != unit || whole > (UINT64_MAX - frac) / factor)
        return -1;
    if (whole * factor + frac > max_ns)
        return -1;
    *out = whole * factor + frac;
    return 0;
}

/* Decimals that give 3 significant digits once v is rounded; v < 999.5. */
static int decimals(double v)
{
    if (v < 9.995)
        return 2;
    return v < 99.95 ? 1 : 0;
}

/* NaN prints as "-" (no value), infinities as "inf"; returns whether v
 * was one of them. */
static bool nonfinite(double v, char *buf, size_t len)
{
    if (!isnan(v) && !isinf(v))
        return false;
    snprintf(buf, len, "%s", isnan(v) ? "-" : signbit(v) ? "-inf" : "inf");
    return true;
}

void cb_units_format_duration(double seconds, char *buf, size_t len)
{
    static const struct { double scale; const char *name; } units[] = {
        { 1e-9, "ns" }, { 1e-6, "\xc2\xb5s" }, { 1e-3, "ms" }, { 1.0, "s" },
    };
    const size_t last = sizeof units / sizeof units[0] - 1;
    const char *sign = signbit(seconds) && seconds != 0 ? "-" : "";
    double a = fabs(seconds), v = 0;
    size_t i;

    if (!buf || len == 0 || nonfinite(seconds, buf, len))
        return;
    if (a == 0) {
        snprintf(buf, len, "0 s");
        return;
    }
    for (i = 0; i < last && a / units[i].scale >= 999.5; i++)
        ;
    v = a / units[i].scale;
    snprintf(buf, len, "%s%.*f %s", sign, decimals(v), v, units[i].name);
}

void cb_units_format_size(double bytes, char *buf, size_t len)
{
    static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    const size_t last = sizeof names / sizeof names[0] - 1;
    const char *sign = signbit(bytes) && bytes != 0 ? "-" : "";
    double v = fabs(bytes);
    size_t i;

    if (!buf || len == 0 || nonfinite(bytes, buf, len))
        return;
    for (i = 0; i < last && v >= 1023.5; i++)
        v /= 1024;
    if (i == 0)
        snprintf(buf, len, "%s%.0f B", sign, v);
    else
        snprintf(buf, len, "%s%.*f %s", sign, decimals(v), v, names[i]);
}
