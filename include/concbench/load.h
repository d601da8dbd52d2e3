/* Reading a result file (schema_version 1) back for `concbench compare`.
 * The loader distrusts its input: every field is type- and range-checked
 * and anything unexpected becomes one line of error naming the file. */
#ifndef CONCBENCH_LOAD_H
#define CONCBENCH_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/error.h"

#define CB_LOAD_MAX_BYTES (64u << 20) /* larger files are refused */
#define CB_LOAD_MAX_PARAMS 16          /* keys in one "params" object */
#define CB_LOAD_MAX_SAMPLES 1000000u   /* samples of one benchmark */
#define CB_LOAD_MAX_CHOICES 16         /* options read beside "params" */

/* One task parameter as the file spells it: "iterations": 10000000. */
struct cb_loaded_param {
    char name[64];
    double value;
};

/* An option recorded beside "params" that makes benchmarks differing in
 * it not comparable (a table line with distinguishes): "lock": "spin". A
 * number is kept as "%.17g" text; absent: "unknown" (a number: "nan"). */
struct cb_loaded_choice {
    char key[32];
    char value[32];
};

/* One benchmark ("cell") of a result file. Sample arrays hold nsamples
 * values each, in file order. */
struct cb_loaded_cell {
    char name[96];      /* "cpu/threads/10": the key cells are matched by */
    char task[32];
    char mode[32];
    char start[32];     /* "immediate" or "barrier" */
    char status[192];   /* "ok" or what went wrong */
    uint32_t workers;
    struct cb_loaded_param params[CB_LOAD_MAX_PARAMS];
    size_t nparams;
    double *wall;       /* samples[].wall_s; owned */
    double *cpu;        /* samples[].user_s + sys_s; owned */
    double *spawn;      /* median of samples[].workers[].spawn_s; NAN when
                           no worker of the sample reported one; owned */
    double *mem;        /* samples[].memory.per_worker_kib; NAN when the
                           sample has no memory reading; owned */
    double *floor;      /* samples[].floor_s / noise_floor.steps: the
                           seconds one step of the bare loop took in the
                           sample's round; NAN when the file has no floor
                           (older files); owned */
    double *others;     /* samples[].others_cpu; NAN when absent; owned */
    double *floor_cpu;  /* samples[].floor_cpu_s / noise_floor.steps: the
                           CPU seconds of one step of that loop; NAN when
                           the file has none; owned */
    size_t nsamples;
    /* The claims' medians over the benchmark (memory_per_worker_kib,
     * handoff_s, gil_wait_s); NAN when the file has none. */
    double mem_kib, handoff, gil_wait;
    /* Medians of per_op_s, ops_per_s (a number) and lost_updates
     * (--lock=none); NAN when the file has none. */
    double per_op, ops_per_s, lost_updates;
    /* The median [0] and p99 [1] of a pool's dispatch, queue wait and
     * completion latency (pool.dispatch_s, ...) and of a loop's lateness
     * (loop.lateness_s), in seconds; NAN when the file has none. */
    double dispatch[2], queue_wait[2], completion[2], lateness[2];
    /* The distinguishing options beside params, in option table order
     * (cb_options_all()): every file loaded by one build has the same keys
     * at the same indices. Two benchmarks that differ in one measure
     * different things. */
    struct cb_loaded_choice choices[CB_LOAD_MAX_CHOICES];
    size_t nchoices;
};

/* The parts of "tool" and "context" that tell two machines apart. Missing
 * fields read as "unknown" (-1 for counts). */
struct cb_loaded_context {
    char tool_version[64];
    char build_type[32];
    char hostname[256];
    char os[128];
    char kernel[128];
    char arch[64];
    char cpu_model[192];
    char date[32];
    long logical_cpus;
    long usable_cpus;
    /* context.state, when the file has one (older files do not). */
    bool has_state;
    char governor[96], turbo[16], thp[16];
    char sanitizers[64];     /* state.build.sanitizers; "" none */
    double cpu_quota;        /* CPUs; 0 when null (no quota) */
    char problems[256];      /* state.problems[].check, ", "-joined; "none" */
};

struct cb_loaded {
    char *path;         /* the name given to the loader, escaped as
                         * concbench/utf8.h says; owned */
    struct cb_loaded_context context;
    struct cb_loaded_cell *cells; /* owned, ncells entries, file order */
    size_t ncells;
    struct cb_loaded_cell **by_name; /* owned: cells sorted by name */
    double floor_cv;    /* noise_floor.cv: how much the bare loop's time
                         * varied over the run's rounds; NAN when the
                         * file has none */
};

/* Reads and validates the result file at path. Messages and out->path
 * name the file escaped (concbench/utf8.h), so they are text. Refuses, with one line in err that names the file and what is wrong:
 * a missing or unreadable file, one larger than CB_LOAD_MAX_BYTES, empty,
 * not UTF-8, not JSON or truncated JSON, a schema_version other than 1, a
 * file not written by concbench, and missing, mistyped, duplicated or
 * out-of-range fields (NaN/Infinity, negative times). Returns 0, or -1
 * with out zeroed. Free with cb_load_free(). */
int cb_load_file(const char *path, struct cb_loaded *out, struct cb_error *err);

/* As cb_load_file, for text[0..len) already in memory; name is used in
 * messages and, escaped, in out->path. */
int cb_load_text(const char *name, const char *text, size_t len,
                 struct cb_loaded *out, struct cb_error *err);

/* Returns the cell of l named name, or NULL. O(log n). Can't fail. */
const struct cb_loaded_cell *cb_load_find(const struct cb_loaded *l,
                                          const char *name);

/* Frees what l owns and zeroes it; NULL or a zeroed l are accepted. */
void cb_load_free(struct cb_loaded *l);

/* A loaded choice as concbench ran it: an absent one ("unknown") is the
 * one used before the option existed or when it is not written: its
 * first when it is written only when it is not (--pin none,
 * --start-method fork), else its default (--queue shm: a process-pool
 * file older than --queue runs as a new one does). Can't fail. */
const char *cb_loaded_choice_value(const struct cb_loaded_choice *c);

/* Whether c is its option's default (so absent or default alike). Can't
 * fail. */
bool cb_loaded_choice_is_default(const struct cb_loaded_choice *c);

#endif
