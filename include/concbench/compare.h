/* `concbench compare BASE NEW`: match the benchmarks of two result files,
 * test each pair for a change, and give verdicts a CI gate can act on. */
#ifndef CONCBENCH_COMPARE_H
#define CONCBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/load.h"
#include "concbench/results.h"

#define CB_COMPARE_MIN_SAMPLES 5 /* fewer on a side: "unreliable" */
#define CB_COMPARE_MAX_NOTES 16
/* Others' CPU use (median over NEW's samples, in CPUs) from which a wall
 * slowdown that the CPU time does not show counts as waiting. */
#define CB_COMPARE_OTHERS_CPU 0.1

/* Which number of a sample is compared. */
enum cb_metric {
    CB_METRIC_WALL,  /* samples[].wall_s */
    CB_METRIC_SPAWN, /* per sample, the median of its workers' spawn_s */
    CB_METRIC_CPU,   /* samples[].user_s + sys_s */
    CB_METRIC_MEMORY, /* samples[].memory.per_worker_kib (KiB, not seconds) */
};

/* What the work check (compare_work.c) made of a wall-time verdict. */
enum cb_work {
    CB_WORK_NONE,    /* not run, or it agreed with the wall time */
    CB_WORK_WAITING, /* slower in wall time only, others busy: inconclusive */
    CB_WORK_MORE,    /* CPU time slower (CPU-bound task): slower */
    CB_WORK_HOST,    /* slower in wall time only, others idle, but not
                      * over the floor's CPU time (--cpu-floor): the host
                      * ran slower, inconclusive */
};

/* Which verdicts make `compare` exit 1. */
enum cb_fail_on {
    CB_FAIL_SLOWER,       /* slower, or a failed benchmark */
    CB_FAIL_INCONCLUSIVE, /* also inconclusive and unreliable */
    CB_FAIL_NEVER,
};

struct cb_compare_opts {
    const char *base_path;
    const char *new_path;
    double threshold;        /* relative change that matters: 0.05 = 5% */
    double alpha;            /* significance level of the U test */
    enum cb_metric metric;
    enum cb_fail_on fail_on;
    enum cb_format format;   /* table, markdown or json */
    const char *output;      /* NULL: stdout */
    bool normalize;          /* divide by the file's serial 1-worker time */
    bool per_floor;          /* divide each sample by its round's noise
                              * floor reading (wall only) */
    bool wall_only;          /* no work check: the wall-time test alone */
    bool cpu_floor;          /* the work check's CPU time over its round's
                              * floor CPU time, where both files have it */
    bool allow_missing;      /* a BASE benchmark NEW cannot match passes */
    size_t min_samples;      /* fewer on a side: unreliable */
    bool help;               /* --help was given; nothing else is valid */
};

enum cb_verdict {
    CB_VERDICT_UNCHANGED,      /* whole interval inside [-threshold, threshold] */
    CB_VERDICT_FASTER,         /* significant, whole interval below -threshold */
    CB_VERDICT_SLOWER,         /* significant, whole interval above threshold */
    CB_VERDICT_INCONCLUSIVE,   /* the interval reaches past a threshold, and
                                * the test does not put it wholly beyond */
    CB_VERDICT_UNRELIABLE,     /* fewer than min_samples on a side */
    CB_VERDICT_FAILED,         /* a side's status is not "ok" */
    CB_VERDICT_NOT_COMPARABLE, /* params or start differ */
    CB_VERDICT_ONLY_BASE,      /* no benchmark of this name in NEW */
    CB_VERDICT_ONLY_NEW,       /* no benchmark of this name in BASE */
};

/* Result of a Mann-Whitney U test of x against y. */
struct cb_mwu {
    double u;         /* U of x: pairs with x > y, ties counting 1/2 */
    double p;         /* two-sided p-value; 1 when every value is tied */
    bool exact;       /* from the exact null distribution (no ties, small) */
};

/* A Hodges-Lehmann shift of y against x with its confidence interval;
 * lo/hi are -inf/+inf when the samples are too small for the level. */
struct cb_shift {
    double estimate, lo, hi;
};

/* One matched (or unmatched) benchmark. Relative numbers are fractions:
 * 0.2 means NEW is 20% above BASE. */
struct cb_compare_row {
    char name[96];
    enum cb_verdict verdict;
    enum cb_verdict tested;  /* the verdict the test alone gives */
    char note[256];          /* why not comparable / unreliable / failed */
    size_t nbase, nnew;
    double base_median, new_median; /* metric units, normalized if asked */
    double change;           /* new_median / base_median - 1 */
    struct cb_shift shift;   /* HL estimate and CI of the relative change */
    struct cb_mwu test;
    bool normalized;
    bool per_floor;     /* values were divided by their rounds' floor */
    enum cb_work work;  /* what the work check changed */
    bool work_checked;  /* the work check ran on this row */
    bool cpu_per_floor; /* its CPU times were over their rounds' floor
                         * CPU time */
    enum cb_verdict cpu_verdict; /* the CPU-time test's verdict, when
                                  * work_checked */
    double cpu_change;  /* its HL change; NAN when not run */
    bool missing;       /* BASE's benchmark succeeded but NEW has nothing
                         * to compare it with: absent, failed, other
                         * params, or no samples of the metric */
    bool params_differ; /* params, start or choices differ between files */
};

/* threads/processes of one task and worker count within one file:
 * below 1, threads are faster. valid is false if either is missing. */
struct cb_compare_ratio {
    bool valid;
    struct cb_shift ratio;
};

struct cb_compare_ratio_row {
    char task[32];
    uint32_t workers;
    struct cb_compare_ratio base, new_;
};

/* A context field whose value differs between the files. */
struct cb_compare_ctxdiff {
    const char *field;
    char base[256], new_[256];
};

struct cb_comparison {
    struct cb_compare_opts opts;
    struct cb_loaded base, new_;            /* owned */
    struct cb_compare_row *rows;            /* owned: base order, then new */
    size_t nrows;
    struct cb_compare_ratio_row *ratios;    /* owned */
    size_t nratios;
    struct cb_compare_ctxdiff diffs[16];
    size_t ndiffs;
    double geomean;    /* geometric mean of new/base medians - 1; NAN if none */
    size_t ngeomean;   /* rows it is over */
    char notes[CB_COMPARE_MAX_NOTES][256]; /* e.g. why not normalized */
    size_t nnotes;
};

/* What a comparison amounts to: rows per verdict, and the gate. */
struct cb_compare_summary {
    size_t count[CB_VERDICT_ONLY_NEW + 1]; /* rows per verdict */
    size_t base;          /* benchmarks in BASE */
    size_t compared;      /* rows a test was run on (unreliable included) */
    size_t missing;       /* rows with missing set */
    bool suite_changed;   /* names, params, start or choices differ */
    bool failed;          /* the gate fails: exit 1 */
    char reason[160];     /* why it fails, one phrase; "" when it passes */
};

/* ---- cli_compare.c -------------------------------------------------- */

/* Parses `compare BASE NEW [OPTIONS]`; argv[0] is "compare". Fills o from
 * the defaults (threshold 5%, alpha 0.05, wall, fail-on slower, table if
 * stdout_tty else json). o may point into argv. Returns 0, or -1 with
 * err naming the flag and what it accepts (a usage error: exit 2). */
int cb_compare_parse_args(int argc, char **argv, bool stdout_tty,
                          struct cb_compare_opts *o, struct cb_error *err);

/* Sets o to the defaults for a comparison after `run --compare-to`.
 * Can't fail. */
void cb_compare_opts_default(struct cb_compare_opts *o);

/* The `compare --help` text. Can't fail. */
const char *cb_compare_usage(void);

/* Names used on the command line and in the JSON. Can't fail. */
const char *cb_compare_verdict_name(enum cb_verdict v);
const char *cb_compare_metric_name(enum cb_metric m);

/* ---- compare_stats.c ------------------------------------------------ */

/* Mann-Whitney U test of x[0..nx) against y[0..ny), nx, ny >= 1: the
 * exact null distribution without ties when both have at most 50
 * values, else the normal approximation with tie and continuity
 * correction (as scipy.stats.mannwhitneyu, method "auto" aside). Returns
 * 0, or -1 on allocation failure or empty input. */
int cb_compare_mwu(const double *x, size_t nx, const double *y, size_t ny,
                   struct cb_mwu *out);

/* Hodges-Lehmann estimate of the shift of y against x (the median of all
 * y[j] - x[i]), with the distribution-free confidence interval of level
 * 1 - alpha from the U distribution's critical value. With logscale the
 * differences are of logarithms (every value must be > 0), i.e. the shift
 * is a log ratio. Returns 0, or -1 on allocation failure, empty input or
 * a value <= 0 with logscale. */
int cb_compare_hl(const double *x, size_t nx, const double *y, size_t ny,
                  double alpha, bool logscale, struct cb_shift *out);

/* P(U <= u) under the null hypothesis (no ties) for sizes m, n. Returns
 * NAN when m * n is too large for the exact distribution (> 10^6). */
double cb_compare_u_cdf(size_t m, size_t n, double u);

/* The standard normal upper tail P(Z > z) and its inverse. Can't fail. */
double cb_compare_norm_sf(double z);
double cb_compare_norm_isf(double p);

/* ---- compare_values.c ----------------------------------------------- */

/* The finite values of c's metric m, one per sample in file order, each
 * times scale and, with per_floor, divided by the sample's floor reading
 * per step (for CB_METRIC_CPU its CPU time, floor_cpu_s; else its wall
 * time, floor_s; a sample without one is left out). Returns a malloc'd
 * array the caller frees (*n values), or NULL on allocation failure. */
double *cb_compare_values(const struct cb_loaded_cell *c, enum cb_metric m, double scale,
                          bool per_floor, size_t *n);

/* True when every sample of c has a floor reading (floor_s); files from
 * before concbench recorded it have none. Can't fail. */
bool cb_compare_has_floor(const struct cb_loaded_cell *c);

/* True when every sample of c has the floor's CPU time (floor_cpu_s);
 * files from before concbench recorded it have none. Can't fail. */
bool cb_compare_has_floor_cpu(const struct cb_loaded_cell *c);

/* True when every one of v[0..n) is above 0. Can't fail. */
bool cb_compare_positive(const double *v, size_t n);

/* ---- compare_context.c ---------------------------------------------- */

/* Fills c->diffs with the context fields (and machine states) that differ
 * between c->base and c->new_, with a note when the states differ, and a
 * note when either file's noise floor varied (CV) more than the
 * threshold. Can't fail (a full list drops the rest). */
void cb_compare_context_diffs(struct cb_comparison *c);

/* ---- compare_work.c ------------------------------------------------- */

/* The work check of a wall-time row r of cells b and n of a CPU-bound
 * task (others are left alone; see compare_work.c): may turn slower into
 * inconclusive (waiting, or the host slower) or a verdict short of slower
 * into slower (more CPU time),
 * setting r->work and r->note; fills r->cpu_verdict and r->cpu_change.
 * Returns 0, or -1 on allocation failure. */
int cb_compare_work_check(const struct cb_comparison *c, const struct cb_loaded_cell *b,
                          const struct cb_loaded_cell *n, struct cb_compare_row *r);

/* ---- compare.c ------------------------------------------------------ */

/* Tests values b[0..nb) against n[0..nn) into r (medians, change, U
 * test, HL interval, verdict; unreliable below opts.min_samples).
 * Returns 0, or -1 on allocation failure. */
int cb_compare_test(const struct cb_comparison *c, const double *b, size_t nb,
                    const double *n, size_t nn, struct cb_compare_row *r);

/* Adds note to c's notes unless it is there already or the list is full.
 * Can't fail. */
void cb_compare_note(struct cb_comparison *c, const char *note);

/* Loads o->base_path and o->new_path and compares them into out. Returns
 * 0, or -1 with err naming the file and what is wrong (exit 2). Free with
 * cb_compare_free(). */
int cb_compare_files(const struct cb_compare_opts *o, struct cb_comparison *out,
                     struct cb_error *err);

/* Compares two loaded files; takes ownership of *base and *new_ (zeroed
 * on return, success or not). Returns 0, or -1 on allocation failure. */
int cb_compare_loaded(const struct cb_compare_opts *o, struct cb_loaded *base,
                      struct cb_loaded *new_, struct cb_comparison *out,
                      struct cb_error *err);

/* Compares the results r of a run just made against base (`run
 * --compare-to`); takes ownership of *base as cb_compare_loaded does.
 * Returns 0, or -1 with err set. */
int cb_compare_results(const struct cb_compare_opts *o, struct cb_loaded *base,
                       const struct cb_results *r, struct cb_comparison *out,
                       struct cb_error *err);

/* Frees what c owns and zeroes it. NULL is accepted. */
void cb_compare_free(struct cb_comparison *c);

/* ---- compare_gate.c ------------------------------------------------- */

/* Counts c's rows and decides the gate into s. Under --fail-on=never it
 * never fails; otherwise it fails on a slower or failed benchmark (with
 * inconclusive: also inconclusive or unreliable), on a BASE benchmark
 * with no comparable counterpart in NEW unless opts.allow_missing, and
 * when not one benchmark was compared. Can't fail. */
void cb_compare_summarise(const struct cb_comparison *c, struct cb_compare_summary *s);

/* True when the gate fails (see cb_compare_summarise). Can't fail. */
bool cb_compare_failed(const struct cb_comparison *c);

/* ---- compare_report.c ----------------------------------------------- */

/* Renders c as a table, markdown or json (other formats: table) into a
 * malloc'd string ending in a newline; the caller frees it. Returns NULL
 * with err set on allocation failure. */
char *cb_compare_render(const struct cb_comparison *c, enum cb_format f,
                        struct cb_error *err);

#endif
