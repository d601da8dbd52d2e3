/* The review of saved result files behind `concbench report FILE...`
 * (a run's own results are rendered by report.h). Per task, a table of
 * workers x mode with the median wall time, the speed-up, the parallel
 * efficiency and the median creation latency, then the threads/processes
 * ratio per worker count, then (when measured) the memory per worker,
 * payload hand-off and GIL wait; several files (machines) side by side.
 * Reads files through the validating loader (load.h). */
#ifndef CONCBENCH_REVIEW_H
#define CONCBENCH_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/load.h"

#define CB_REVIEW_MAX_FILES 16 /* more FILE arguments are a usage error */

struct cb_review_opts {
    const char *paths[CB_REVIEW_MAX_FILES]; /* point into argv */
    size_t npaths;
    enum cb_format format; /* CB_FORMAT_TABLE or CB_FORMAT_MARKDOWN */
    const char *output;    /* NULL: stdout */
    bool help;             /* --help was given; nothing else is valid */
};

/* What a speed-up is measured against. */
enum cb_review_base {
    CB_REVIEW_BASE_NONE,   /* no baseline in the file: no speed-up */
    CB_REVIEW_BASE_SERIAL, /* serial at the same worker count */
    CB_REVIEW_BASE_ONE,    /* the same mode at 1 worker, scaled by workers */
};

/* The figures of one benchmark of a loaded file; NAN where there is none. */
struct cb_review_figures {
    bool failed;        /* status is not "ok": no figures at all */
    double wall;        /* median samples[].wall_s */
    /* serial_wall / wall (BASE_SERIAL), or workers * wall_1 / wall
     * (BASE_ONE: each worker does the same work, so n workers at the
     * speed of one would take n times as long as one worker). */
    double speedup;
    enum cb_review_base base;
    double efficiency;  /* speedup / workers */
    double spawn;       /* median of the samples' creation latencies */
};

/* Computes the figures of cell c of l. Returns 0, or -1 with err set when
 * memory runs out (*out then all NAN). */
int cb_review_figures(const struct cb_loaded *l, const struct cb_loaded_cell *c,
                      struct cb_review_figures *out, struct cb_error *err);

/* Median wall time of task's threads cell over its processes cell at
 * workers in l (below 1: threads are faster), or NAN when either is
 * missing, failed or empty. Can't fail. */
double cb_review_ratio(const struct cb_loaded *l, const char *task, uint32_t workers);

/* Parses the arguments after `report` (argv[0] is "report") into o.
 * Returns 0, or -1 with err holding one line (a usage error: exit 2). o
 * points into argv. Resets getopt. */
int cb_review_parse_args(int argc, char **argv, struct cb_review_opts *o,
                         struct cb_error *err);

/* The `report --help` text. Can't fail. */
const char *cb_review_usage(void);

/* Renders files[0..n) (n <= CB_REVIEW_MAX_FILES) as format. Returns a
 * malloc'd string the caller frees, or NULL with err set (out of memory
 * or a bad format). */
char *cb_review_render(const struct cb_loaded *files, size_t n,
                       enum cb_format format, struct cb_error *err);

/* Warnings, one line each ending in '\n', about setting files[0..n) side
 * by side: their usable CPUs differ; a benchmark they share was run with
 * other parameters (start, params, lock, transport, pin, stack size).
 * Returns a malloc'd string the caller frees ("" when the files agree),
 * or NULL with err set when memory runs out. */
char *cb_review_pool_warnings(const struct cb_loaded *files, size_t n, struct cb_error *err);

/* Loads every file of o and renders them. Returns a malloc'd string the
 * caller frees, or NULL with err naming the first bad file. When warnings
 * is not NULL, *warnings is set as by cb_review_pool_warnings (the caller
 * frees it; NULL when the report failed). */
char *cb_review_files(const struct cb_review_opts *o, char **warnings,
                      struct cb_error *err);

#endif
