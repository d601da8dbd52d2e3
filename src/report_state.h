/* Internal: the machine state in JSON, for result files and `check`. */
#ifndef CONCBENCH_REPORT_STATE_H
#define CONCBENCH_REPORT_STATE_H

#include <cjson/cJSON.h>

#include "concbench/results.h"
#include "concbench/sysstate.h"

/* Adds the object key: st (unknown values null) with its problems to
 * parent. Returns 0, or -1 out of memory. */
int cb_report_state_json(cJSON *parent, const char *key, const struct cb_sysstate *st);

/* Adds every finding of st, with its level, as the array key of parent.
 * Returns 0, or -1 out of memory. */
int cb_report_findings_json(cJSON *parent, const char *key, const struct cb_sysstate *st);

/* Adds a benchmark's others_cpu and procs_running statistics and steal_s
 * to b, when measured. Returns 0, or -1 out of memory. */
int cb_report_cell_state_json(cJSON *b, const struct cb_cell *c);

/* Adds a sample's others_cpu and procs_running to o, when measured.
 * Returns 0, or -1 out of memory. */
int cb_report_sample_state_json(cJSON *o, const struct cb_sample *s);

#endif
