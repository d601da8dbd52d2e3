/* Rendering results as json, table, markdown or csv. */
#ifndef CONCBENCH_REPORT_H
#define CONCBENCH_REPORT_H

#include <stdbool.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/results.h"

/* Renders r in format f into a malloc'd, NUL-terminated string that ends
 * with a newline; the caller frees it. per_sample makes csv one row per
 * sample and worker instead of one per cell. Returns NULL with err set on
 * allocation failure. */
char *cb_report_render(const struct cb_results *r, enum cb_format f,
                       bool per_sample, struct cb_error *err);

/* As cb_report_render with CB_FORMAT_TABLE, with ANSI colours on the
 * status column: ok green, a warning yellow, a failure red. Padding counts
 * visible columns only. Same ownership and failure as cb_report_render. */
char *cb_report_render_colour(const struct cb_results *r, struct cb_error *err);

/* Whether a table may be coloured: the output is a terminal (tty) and
 * no_color (getenv("NO_COLOR"), may be NULL) is unset or empty. Can't
 * fail. */
bool cb_report_colour_wanted(bool tty, const char *no_color);

#endif
