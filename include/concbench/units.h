/* Parsing and formatting of counts, durations and sizes. */
#ifndef CONCBENCH_UNITS_H
#define CONCBENCH_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parses a non-negative decimal integer, optionally with a k, M or G
 * suffix (x1000), e.g. "10000000", "10M". Rejects signs, spaces, empty
 * input, trailing text and overflow. Returns 0, or -1 (*out untouched). */
int cb_units_parse_count(const char *s, uint64_t *out);

/* Parses a duration: a decimal number (fraction allowed) followed by ns,
 * us, ms or s, e.g. "100ms", "1.5s", "250us". Exact to the nanosecond;
 * rejects a missing unit, a fraction finer than 1 ns, overflow and
 * values above max_ns. Returns 0, or -1 (*out untouched). */
int cb_units_parse_duration(const char *s, uint64_t max_ns, uint64_t *out);

/* Parses a size in bytes: an integer optionally followed by B, KiB, MiB,
 * GiB (x1024) or kB, MB, GB (x1000), e.g. "1MiB". Rejects overflow and
 * values above max. Returns 0, or -1 (*out untouched). */
int cb_units_parse_size(const char *s, uint64_t max, uint64_t *out);

/* Writes seconds scaled to ns, µs, ms or s with 3 significant digits
 * ("12.3 ms", "850 ns") into buf. Can't fail; truncates to len. */
void cb_units_format_duration(double seconds, char *buf, size_t len);

/* Writes bytes scaled to B, KiB, MiB or GiB with 3 significant digits
 * ("98.0 KiB", "8.01 MiB") into buf. Can't fail; truncates to len. */
void cb_units_format_size(double bytes, char *buf, size_t len);

#endif
