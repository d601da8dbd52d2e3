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

#endif
