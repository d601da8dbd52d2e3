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
    uint32_t lock;       /* lock: enum cb_lock_kind (--lock), no desc */
};

/* --lock: how the lock task guards its counter. */
enum cb_lock_kind {
    CB_LOCK_MUTEX,     /* pthread_mutex_t */
    CB_LOCK_SPIN,      /* test-and-test-and-set on an atomic, yielding */
    CB_LOCK_SEMAPHORE, /* sem_t with a count of 1 */
};

/* "mutex", "spin", "semaphore"; NULL past the last kind. Can't fail. */
const char *cb_lock_name(size_t kind);

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
