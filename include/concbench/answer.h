/* The answer of a run in one line per pair of modes, in the style of
 * hyperfine: "threads ran 1.90 ± 0.10 times faster than processes". */
#ifndef CONCBENCH_ANSWER_H
#define CONCBENCH_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "concbench/results.h"

/* Scales a MAD to a standard deviation's estimate for normal data. */
#define CB_ANSWER_MAD_SIGMA 1.4826

/* How much faster fast ran than slow: the ratio of median wall times
 * (slow / fast, >= 1 when fast is the faster) and its uncertainty,
 * propagated from each side's MAD scaled to a standard deviation:
 * ratio * sqrt((s_fast/m_fast)^2 + (s_slow/m_slow)^2). */
struct cb_answer_ratio {
    double ratio, err;
};

/* Returns false (out untouched) unless both cells succeeded and have
 * positive medians. Can't fail. */
bool cb_answer_ratio(const struct cb_cell *fast, const struct cb_cell *slow,
                     struct cb_answer_ratio *out);

/* As cb_answer_ratio, from each side's median wall time and (unscaled)
 * MAD: for figures read back from a file. Returns false unless both
 * medians are positive and both MADs are numbers. Can't fail. */
bool cb_answer_ratio_of(double fast_median, double fast_mad, double slow_median,
                        double slow_mad, struct cb_answer_ratio *out);

/* "FAST ran 1.90 ± 0.10 times faster than SLOW" into buf[0..len),
 * truncated to fit: the one wording of a run's answer and of `report`'s
 * winners. Can't fail. */
void cb_answer_phrase(char *buf, size_t len, const char *fast, const char *slow,
                      const struct cb_answer_ratio *r);

/* The answer lines of r (a markdown list when markdown): per task and
 * worker count, every pair of modes that both ran, then each mode against
 * serial when serial ran; the faster mode first. Returns a malloc'd
 * string ("" when there is no pair) the caller frees, or NULL out of
 * memory; *n (when not NULL) gets the number of lines. */
char *cb_answer_render(const struct cb_results *r, bool markdown, size_t *n);

#endif
