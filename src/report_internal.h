/* Internal: the renderers cb_report_render() dispatches to. Each returns
 * a malloc'd string ending in a newline, or NULL with err set on
 * allocation failure. */
#ifndef CONCBENCH_REPORT_INTERNAL_H
#define CONCBENCH_REPORT_INTERNAL_H

#include <stdbool.h>

#include "concbench/error.h"
#include "concbench/results.h"

/* The JSON document of DESIGN.md (schema_version 1), pretty-printed. */
char *cb_report_json(const struct cb_results *r, struct cb_error *err);

/* An aligned text table, or with markdown a GitHub table preceded by a
 * line naming the machine; warnings follow the table. colour (text only)
 * puts ANSI colours on the status column. */
char *cb_report_table(const struct cb_results *r, bool markdown, bool colour,
                      struct cb_error *err);

/* CSV with a header row: one row per cell, or with per_sample one row
 * per sample and worker. */
char *cb_report_csv(const struct cb_results *r, bool per_sample,
                    struct cb_error *err);

#endif
