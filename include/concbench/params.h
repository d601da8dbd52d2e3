/* Task parameters: one struct for all tasks, described by a table so the
 * CLI, the reports and `concbench list` handle every parameter alike. */
#ifndef CONCBENCH_PARAMS_H
#define CONCBENCH_PARAMS_H

#include <stddef.h>
#include <stdint.h>

struct cb_params {
    uint64_t iterations; /* cpu: steps of the counting loop */
    uint64_t sleep_ns;   /* io: how long each worker sleeps */
    uint64_t fib_n;      /* fib: which Fibonacci number to compute */
};

enum cb_param_kind {
    CB_PARAM_COUNT,    /* a plain integer */
    CB_PARAM_DURATION, /* nanoseconds; reported in seconds */
};

/* Describes one member of struct cb_params. */
struct cb_param_desc {
    const char *flag;      /* CLI option without dashes: "iterations" */
    const char *json_name; /* key in the JSON "params" object: "sleep_s" */
    enum cb_param_kind kind;
    size_t offset;         /* offsetof(struct cb_params, member) */
    uint64_t min, max;     /* accepted range, inclusive */
    const char *help;      /* one line */
};

/* Fills p with the defaults. Can't fail. */
void cb_params_default(struct cb_params *p);

/* Returns the value of the parameter d describes. Can't fail. */
uint64_t cb_params_get(const struct cb_params *p, const struct cb_param_desc *d);

/* Sets the value of the parameter d describes. Can't fail. */
void cb_params_set(struct cb_params *p, const struct cb_param_desc *d, uint64_t v);

#endif
