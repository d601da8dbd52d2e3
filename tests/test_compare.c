/* cb_compare: verdicts, matching, context, ratios and rendering on the
 * synthetic result files of tests/data (see generate.py). */
#include "cb_test.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "concbench/compare.h"

#define DATA CB_SOURCE_DIR "/tests/data/"

static void compare(const char *base, const char *new_, struct cb_compare_opts *o,
                    struct cb_comparison *c)
{
    struct cb_error err = { "" };

    o->base_path = base;
    o->new_path = new_;
    if (cb_compare_files(o, c, &err) != 0)
        fail_msg("compare %s %s: %s", base, new_, err.msg);
}

static const struct cb_compare_row *row(const struct cb_comparison *c, const char *name)
{
    for (size_t i = 0; i < c->nrows; i++)
        if (strcmp(c->rows[i].name, name) == 0)
            return &c->rows[i];
    fail_msg("no row %s", name);
    return NULL;
}

/* Every row of c has verdict v (and no other rows exist than the 5). */
static void all_rows(const struct cb_comparison *c, enum cb_verdict v)
{
    assert_int_equal(c->nrows, 5);
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].verdict != v)
            fail_msg("%s: %s, want %s (p %g, change %g [%g, %g])", c->rows[i].name,
                     cb_compare_verdict_name(c->rows[i].verdict), cb_compare_verdict_name(v),
                     c->rows[i].test.p, c->rows[i].shift.estimate, c->rows[i].shift.lo,
                     c->rows[i].shift.hi);
}

static void test_identical(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "same.json", &o, &c);
    all_rows(&c, CB_VERDICT_UNCHANGED);
    assert_false(cb_compare_failed(&c));
    assert_int_equal(c.ndiffs, 0);
    assert_int_equal(c.ngeomean, 5);
    assert_true(fabs(c.geomean) < 1e-12);
    /* Every value is tied across the files: the normal approximation. */
    assert_false(row(&c, "cpu/threads/2")->test.exact);
    assert_true(fabs(row(&c, "cpu/threads/2")->test.p - 1) < 1e-12);
    cb_compare_free(&c);
}

static void test_slower(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_row *r;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    all_rows(&c, CB_VERDICT_SLOWER);
    assert_true(cb_compare_failed(&c));
    r = row(&c, "cpu/threads/2");
    assert_true(fabs(r->change - 0.2) < 1e-6); /* the files round to 1 ns */
    assert_true(fabs(r->shift.estimate - 0.2) < 0.01);
    assert_true(r->shift.lo > 0.05 && r->shift.lo < 0.2 && r->shift.hi > 0.2);
    assert_true(r->test.p < 0.001);
    assert_true(fabs(c.geomean - 0.2) < 1e-6);
    o.fail_on = CB_FAIL_NEVER;
    c.opts.fail_on = CB_FAIL_NEVER;
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
}

static void test_faster_and_threshold(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "faster.json", &o, &c);
    all_rows(&c, CB_VERDICT_FASTER);
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
    /* 20% slower is noise to someone who only cares about 30%. */
    o.threshold = 0.30;
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    all_rows(&c, CB_VERDICT_UNCHANGED);
    cb_compare_free(&c);
}

static void test_noise(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "noisy.json", &o, &c);
    assert_int_equal(c.nrows, 5);
    for (size_t i = 0; i < c.nrows; i++) {
        enum cb_verdict v = c.rows[i].verdict;

        assert_true(v == CB_VERDICT_UNCHANGED || v == CB_VERDICT_INCONCLUSIVE);
    }
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
}

static void test_unreliable(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_row *r;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "few.json", &o, &c);
    all_rows(&c, CB_VERDICT_UNRELIABLE);
    r = row(&c, "cpu/threads/2");
    assert_int_equal(r->nnew, 3);
    assert_non_null(strstr(r->note, "10 vs 3 samples (< 5)"));
    assert_false(cb_compare_failed(&c));
    c.opts.fail_on = CB_FAIL_INCONCLUSIVE;
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
}

/* One benchmark "x" with 20 samples (1 + 0.001 i) * scale into buf. */
static void one_cell(char *buf, size_t len, double scale)
{
    int n = snprintf(buf, len, "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
                     "\"context\":{},\"benchmarks\":[{\"name\":\"cpu/threads/1\",\"task\":\"cpu\","
                     "\"mode\":\"threads\",\"workers\":1,\"params\":{},\"start\":"
                     "\"immediate\",\"status\":\"ok\",\"samples\":[");

    for (int i = 0; i < 20; i++)
        n += snprintf(buf + n, len - (size_t)n,
                      "%s{\"wall_s\":%.9f,\"user_s\":0,\"sys_s\":0,\"workers\":[{}]}",
                      i ? "," : "", (1 + 0.001 * i) * scale);
    snprintf(buf + n, len - (size_t)n, "]}]}");
}

/* A 5% shift exactly: significant, but the interval straddles 5%. */
static void test_inconclusive(void **state)
{
    static char text[2][4096];
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_loaded base, new_;
    struct cb_error err = { "" };

    (void)state;
    one_cell(text[0], sizeof text[0], 1);
    one_cell(text[1], sizeof text[1], 1.05);
    assert_int_equal(cb_load_text("b", text[0], strlen(text[0]), &base, &err), 0);
    assert_int_equal(cb_load_text("n", text[1], strlen(text[1]), &new_, &err), 0);
    cb_compare_opts_default(&o);
    assert_int_equal(cb_compare_loaded(&o, &base, &new_, &c, &err), 0);
    assert_null(base.cells);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_INCONCLUSIVE);
    assert_true(c.rows[0].shift.lo < 0.05 && c.rows[0].shift.hi > 0.05);
    assert_false(cb_compare_failed(&c));
    c.opts.fail_on = CB_FAIL_INCONCLUSIVE;
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
}

/* One benchmark "x" (params {"iterations": iters}) with the wall samples
 * v[0..n) into buf. */
static void values_cell(char *buf, size_t len, const double *v, size_t n, int iters)
{
    int k = snprintf(buf, len, "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
                     "\"context\":{},\"benchmarks\":[{\"name\":\"cpu/threads/1\",\"task\":\"cpu\","
                     "\"mode\":\"threads\",\"workers\":1,\"params\":{\"iterations\":%d},"
                     "\"start\":\"immediate\",\"status\":\"ok\",\"samples\":[", iters);

    for (size_t i = 0; i < n; i++)
        k += snprintf(buf + k, len - (size_t)k,
                      "%s{\"wall_s\":%.9f,\"user_s\":0,\"sys_s\":0,\"workers\":[{}]}",
                      i ? "," : "", v[i]);
    snprintf(buf + k, len - (size_t)k, "]}]}");
}

/* Compares the result texts a and b into c with o. */
static void compare_texts(const struct cb_compare_opts *o, const char *a, const char *b,
                          struct cb_comparison *c)
{
    struct cb_loaded base, new_;
    struct cb_error err = { "" };

    if (cb_load_text("BASE", a, strlen(a), &base, &err) != 0 ||
        cb_load_text("NEW", b, strlen(b), &new_, &err) != 0)
        fail_msg("load: %s", err.msg);
    assert_int_equal(cb_compare_loaded(o, &base, &new_, c, &err), 0);
}

/* The case: half the time, but so noisy that p is about 0.2. Not
 * significant is not "unchanged" while the interval reaches past 5%. */
static void test_wide_interval(void **state)
{
    static const double b[] = { 1.0, 1.6, 0.55, 2.1, 0.8, 1.3 };
    static const double n[] = { 0.45, 0.35, 1.5, 0.3, 1.7, 0.5 };
    static char text[2][4096];
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_row *r;

    (void)state;
    values_cell(text[0], sizeof text[0], b, 6, 1);
    values_cell(text[1], sizeof text[1], n, 6, 1);
    cb_compare_opts_default(&o);
    compare_texts(&o, text[0], text[1], &c);
    r = &c.rows[0];
    if (!(r->test.p > 0.1 && r->shift.estimate < -0.3 && r->shift.lo < -0.05 &&
          r->shift.hi > 0.05))
        fail_msg("want p > 0.1, a change below -30%% and a wide interval: p %g, %g [%g, %g]",
                 r->test.p, r->shift.estimate, r->shift.lo, r->shift.hi);
    assert_int_equal(r->verdict, CB_VERDICT_INCONCLUSIVE);
    assert_false(cb_compare_failed(&c)); /* slower fails, doubt does not */
    c.opts.fail_on = CB_FAIL_INCONCLUSIVE;
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
}

/* A 1% shift over tight samples: significant, but the whole interval
 * lies inside 5%: unchanged is what the evidence says. */
static void test_narrow_interval(void **state)
{
    static char text[2][4096];
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    one_cell(text[0], sizeof text[0], 1);
    one_cell(text[1], sizeof text[1], 1.01);
    cb_compare_opts_default(&o);
    compare_texts(&o, text[0], text[1], &c);
    assert_true(c.rows[0].test.p < 0.05);
    assert_true(c.rows[0].shift.lo > -0.05 && c.rows[0].shift.hi < 0.05);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_UNCHANGED);
    cb_compare_free(&c);
}

/* Nothing compared: an empty NEW, or every benchmark with other params,
 * fails whatever --fail-on (but never) and even with --allow-missing. */
static void test_gate_nothing(void **state)
{
    static const double v[] = { 1, 1.01, 1.02, 1.03, 1.04, 1.05 };
    static const char empty[] = "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},"
                                "\"context\":{},\"benchmarks\":[]}";
    static char text[2][4096];
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_compare_summary s;

    (void)state;
    values_cell(text[0], sizeof text[0], v, 6, 1);
    values_cell(text[1], sizeof text[1], v, 6, 2);
    cb_compare_opts_default(&o);
    compare_texts(&o, text[0], empty, &c);
    cb_compare_summarise(&c, &s);
    assert_true(s.failed);
    assert_int_equal(s.compared, 0);
    assert_int_equal(s.missing, 1);
    assert_int_equal(s.count[CB_VERDICT_ONLY_BASE], 1);
    assert_string_equal(s.reason, "nothing was compared (1 in BASE, 0 in NEW)");
    c.opts.allow_missing = true;
    assert_true(cb_compare_failed(&c));
    c.opts.fail_on = CB_FAIL_NEVER;
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
    compare_texts(&o, text[0], text[1], &c);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_NOT_COMPARABLE);
    assert_true(cb_compare_failed(&c));
    c.opts.fail_on = CB_FAIL_INCONCLUSIVE;
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
    compare_texts(&o, empty, empty, &c);
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
}

/* The summary counts every verdict, the BASE benchmarks left unjudged,
 * and whether the suite itself changed (names or params). */
static void test_gate_summary(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_compare_summary s;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "params.json", &o, &c);
    cb_compare_summarise(&c, &s);
    assert_int_equal(s.count[CB_VERDICT_UNCHANGED], 3);
    assert_int_equal(s.count[CB_VERDICT_NOT_COMPARABLE], 1);
    assert_int_equal(s.count[CB_VERDICT_ONLY_BASE], 1);
    assert_int_equal(s.count[CB_VERDICT_ONLY_NEW], 1);
    assert_int_equal(s.base, 5);
    assert_int_equal(s.compared, 3);
    assert_int_equal(s.missing, 2);
    assert_true(s.suite_changed);
    assert_true(s.failed);
    assert_non_null(strstr(s.reason, "2 of 5 BASE benchmarks have no comparable counterpart"));
    cb_compare_free(&c);
    /* A failure in NEW is missing too (and fails as "failed"); the suite
     * did not change. */
    compare(DATA "base.json", DATA "failed.json", &o, &c);
    cb_compare_summarise(&c, &s);
    assert_int_equal(s.missing, 1);
    assert_false(s.suite_changed);
    assert_string_equal(s.reason, "1 benchmark slower or failed");
    cb_compare_free(&c);
    compare(DATA "base.json", DATA "same.json", &o, &c);
    cb_compare_summarise(&c, &s);
    assert_int_equal(s.compared, 5);
    assert_int_equal(s.missing, 0);
    assert_false(s.suite_changed || s.failed);
    assert_string_equal(s.reason, "");
    cb_compare_free(&c);
}

/* one_cell with "context": ctx. */
static void cell_in(char *buf, size_t len, const char *ctx)
{
    char one[4096];
    const char *at;

    one_cell(one, sizeof one, 1);
    at = strstr(one, "\"context\":{}");
    assert_non_null(at);
    snprintf(buf, len, "%.*s\"context\":%s%s", (int)(at - one), one, ctx,
             at + strlen("\"context\":{}"));
}

static void compare_contexts(const char *b, const char *n, struct cb_comparison *c)
{
    static char text[2][8192];
    struct cb_compare_opts o;
    struct cb_loaded base, new_;
    struct cb_error err = { "" };

    cell_in(text[0], sizeof text[0], b);
    cell_in(text[1], sizeof text[1], n);
    assert_int_equal(cb_load_text("b", text[0], strlen(text[0]), &base, &err), 0);
    assert_int_equal(cb_load_text("n", text[1], strlen(text[1]), &new_, &err), 0);
    cb_compare_opts_default(&o);
    assert_int_equal(cb_compare_loaded(&o, &base, &new_, &c[0], &err), 0);
}

static bool has_diff(const struct cb_comparison *c, const char *field, const char *b,
                     const char *n)
{
    for (size_t i = 0; i < c->ndiffs; i++)
        if (strcmp(c->diffs[i].field, field) == 0)
            return strcmp(c->diffs[i].base, b) == 0 && strcmp(c->diffs[i].new_, n) == 0;
    return false;
}

/* A quiet BASE against a NEW measured while others used the CPUs: the
 * difference is shown and warned about in the notes. A file from before
 * the state was recorded compares without a word about it. */
static void test_state_differs(void **state)
{
    static const char quiet[] =
        "{\"state\":{\"governor\":\"performance\",\"turbo\":\"off\","
        "\"transparent_hugepages\":\"madvise\",\"cpu_quota\":null,"
        "\"build\":{\"sanitizers\":\"\"},\"problems\":[]}}";
    static const char busy[] =
        "{\"state\":{\"governor\":\"performance\",\"turbo\":\"off\","
        "\"transparent_hugepages\":\"madvise\",\"cpu_quota\":1.5,"
        "\"build\":{\"sanitizers\":\"address\"},\"problems\":[{\"check\":"
        "\"others_cpu\",\"message\":\"m\"},{\"check\":\"load_avg\",\"message\":\"m\"}]}}";
    struct cb_comparison c;

    (void)state;
    compare_contexts(quiet, busy, &c);
    assert_true(has_diff(&c, "machine-state problems", "none", "others_cpu, load_avg"));
    assert_true(has_diff(&c, "sanitizers", "", "address"));
    assert_true(has_diff(&c, "cpu quota", "none", "1.50 CPUs"));
    assert_false(has_diff(&c, "governor", "performance", "performance"));
    assert_int_equal(c.nnotes, 1);
    assert_non_null(strstr(c.notes[0], "machine's state differs"));
    cb_compare_free(&c);
    compare_contexts(quiet, quiet, &c);
    assert_int_equal(c.ndiffs, 0);
    assert_int_equal(c.nnotes, 0);
    cb_compare_free(&c);
    compare_contexts("{}", busy, &c);
    assert_int_equal(c.ndiffs, 0);
    assert_int_equal(c.nnotes, 0);
    cb_compare_free(&c);
}

/* one_cell with a top-level noise_floor whose cv is the JSON text cv
 * (none when cv is NULL). */
static void cell_floor(char *buf, size_t len, const char *cv)
{
    char one[4096];
    size_t n;

    one_cell(one, sizeof one, 1);
    n = strlen(one);
    assert_true(n > 0 && one[n - 1] == '}');
    if (!cv)
        snprintf(buf, len, "%s", one);
    else
        snprintf(buf, len, "%.*s,\"noise_floor\":{\"steps\":1000,\"cv\":%s}}", (int)(n - 1),
                 one, cv);
}

static void compare_floors(const char *b, const char *n, double threshold,
                           enum cb_metric metric, struct cb_comparison *c)
{
    static char text[2][8192];
    struct cb_compare_opts o;

    cell_floor(text[0], sizeof text[0], b);
    cell_floor(text[1], sizeof text[1], n);
    cb_compare_opts_default(&o);
    o.threshold = threshold;
    o.metric = metric;
    compare_texts(&o, text[0], text[1], c);
}

/* A noise floor that varied more than the threshold in either file is
 * warned about, with both CVs; the JSON names each file's CV (null for a
 * file without a floor); a negative CV is refused. */
static void test_floor_noise(void **state)
{
    struct cb_comparison c;
    struct cb_loaded l;
    struct cb_error err = { "" };
    char text[8192], *json;

    (void)state;
    compare_floors("0.01", "0.228", 0.05, CB_METRIC_WALL, &c);
    assert_int_equal(c.nnotes, 1);
    assert_non_null(strstr(c.notes[0], "noise floor varied more than the 5% threshold (BASE CV "
                                       "1.0%, NEW CV 22.8%)"));
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"noise_floor_cv\":\t0.228"));
    free(json);
    cb_compare_free(&c);
    compare_floors("0.01", "0.03", 0.05, CB_METRIC_WALL, &c); /* both within it */
    assert_int_equal(c.nnotes, 0);
    cb_compare_free(&c);
    compare_floors("0.228", "0.01", 0.30, CB_METRIC_WALL, &c); /* within a wider one */
    assert_int_equal(c.nnotes, 0);
    cb_compare_free(&c);
    compare_floors("0.228", "0.01", 0.05, CB_METRIC_MEMORY, &c); /* not about time */
    assert_int_equal(c.nnotes, 0);
    cb_compare_free(&c);
    compare_floors(NULL, "0.08", 0.05, CB_METRIC_WALL, &c);
    assert_int_equal(c.nnotes, 1);
    assert_non_null(strstr(c.notes[0], "(BASE none recorded, NEW CV 8.0%)"));
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"noise_floor_cv\":\tnull"));
    free(json);
    cb_compare_free(&c);
    cell_floor(text, sizeof text, "-0.1");
    assert_int_not_equal(cb_load_text("neg", text, strlen(text), &l, &err), 0);
    assert_non_null(strstr(err.msg, "cv"));
}

static void test_matching(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_row *r;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "params.json", &o, &c);
    assert_int_equal(c.nrows, 6);
    r = row(&c, "cpu/threads/2");
    assert_int_equal(r->verdict, CB_VERDICT_NOT_COMPARABLE);
    assert_string_equal(r->note, "iterations: 1000000 vs 2000000");
    assert_int_equal(row(&c, "io/processes/2")->verdict, CB_VERDICT_ONLY_BASE);
    assert_int_equal(row(&c, "io/threads/4")->verdict, CB_VERDICT_ONLY_NEW);
    assert_int_equal(row(&c, "cpu/serial/1")->verdict, CB_VERDICT_UNCHANGED);
    assert_int_equal(c.ngeomean, 3);
    /* Two BASE benchmarks go unjudged: the gate does not pass on that. */
    assert_true(cb_compare_failed(&c));
    c.opts.allow_missing = true;
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
}

static void test_failed_cell(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "failed.json", &o, &c);
    assert_int_equal(row(&c, "cpu/processes/2")->verdict, CB_VERDICT_FAILED);
    assert_string_equal(row(&c, "cpu/processes/2")->note, "NEW status: crashed: SIGSEGV");
    assert_true(cb_compare_failed(&c));
    cb_compare_free(&c);
    /* A failure in BASE only is not this change's fault. */
    compare(DATA "failed.json", DATA "base.json", &o, &c);
    assert_int_equal(row(&c, "cpu/processes/2")->verdict, CB_VERDICT_NOT_COMPARABLE);
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
}

static void test_context_and_ratios(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    const struct cb_compare_ratio_row *r;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "other-host.json", &o, &c);
    assert_int_equal(c.ndiffs, 1);
    assert_string_equal(c.diffs[0].field, "hostname");
    assert_string_equal(c.diffs[0].base, "ci-runner");
    assert_string_equal(c.diffs[0].new_, "laptop");
    assert_int_equal(c.nratios, 2);
    r = &c.ratios[0];
    assert_string_equal(r->task, "cpu");
    assert_int_equal(r->workers, 2);
    assert_true(r->base.valid && r->new_.valid);
    /* 10 ms threads against 12 ms processes. */
    assert_true(fabs(r->base.ratio.estimate - 10.0 / 12) < 0.02);
    assert_true(r->base.ratio.hi < 1);
    assert_true(c.ratios[1].base.ratio.estimate < 0.8); /* io: 1.1 vs 1.5 ms */
    cb_compare_free(&c);
}

static void test_metrics_and_normalize(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;

    (void)state;
    cb_compare_opts_default(&o);
    o.metric = CB_METRIC_CPU;
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    all_rows(&c, CB_VERDICT_SLOWER);
    cb_compare_free(&c);
    /* Spawn times are drawn apart from the wall scale: unchanged. */
    o.metric = CB_METRIC_SPAWN;
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    all_rows(&c, CB_VERDICT_UNCHANGED);
    cb_compare_free(&c);
    /* Everything 20% slower, serial too: the normalized shapes agree. */
    o.metric = CB_METRIC_WALL;
    o.normalize = true;
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    assert_true(row(&c, "cpu/threads/2")->normalized);
    assert_int_equal(row(&c, "cpu/threads/2")->verdict, CB_VERDICT_UNCHANGED);
    assert_true(fabs(row(&c, "cpu/serial/1")->base_median - 1) < 1e-12);
    assert_false(row(&c, "io/threads/2")->normalized);
    assert_int_equal(row(&c, "io/threads/2")->verdict, CB_VERDICT_SLOWER);
    assert_int_equal(c.nnotes, 2); /* one per file */
    assert_non_null(strstr(c.notes[0], "io not normalized: " DATA "base.json has no io/serial/1"));
    assert_non_null(strstr(c.notes[1], "slower.json has no io/serial/1"));
    cb_compare_free(&c);
}

/* A new temporary file for writing; its name goes into path. */
static FILE *temp_file(char *path, size_t len)
{
    FILE *f;
    int fd;

    snprintf(path, len, "/tmp/cb-test-compare-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    return f;
}

/* Writes a result file whose processes cell holds ten memory readings
 * around kib per worker, and whose threads cell has none; returns its path. */
static const char *memory_file(char *path, size_t len, double kib)
{
    FILE *f = temp_file(path, len);

    fputs("{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
          "\"benchmarks\":[", f);
    for (int b = 0; b < 2; b++) {
        fprintf(f, "%s{\"name\":\"cpu/%s/2\",\"task\":\"cpu\",\"mode\":\"%s\","
                "\"workers\":2,\"params\":{},\"start\":\"immediate\",\"status\":\"ok\","
                "\"samples\":[", b ? "," : "", b ? "processes" : "threads",
                b ? "processes" : "threads");
        for (int s = 0; s < 10; s++) {
            fprintf(f, "%s{\"wall_s\":0.01,\"user_s\":0,\"sys_s\":0,\"workers\":[{},{}]",
                    s ? "," : "");
            if (b)
                fprintf(f, ",\"memory\":{\"per_worker_kib\":%g}", kib + s * 0.25);
            fputs("}", f);
        }
        fputs("]}", f);
    }
    fputs("]}\n", f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* --metric=memory: PSS per worker from the samples' memory readings. */
static void test_memory_metric(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    char base[64], grown[64], same[64];
    const struct cb_compare_row *r;

    (void)state;
    memory_file(base, sizeof base, 100);
    memory_file(grown, sizeof grown, 130);
    memory_file(same, sizeof same, 100);
    cb_compare_opts_default(&o);
    o.metric = CB_METRIC_MEMORY;
    compare(base, grown, &o, &c);
    r = row(&c, "cpu/processes/2");
    assert_int_equal(r->verdict, CB_VERDICT_SLOWER); /* more memory: a regression */
    assert_true(fabs(r->base_median - 101.125) < 1e-9);
    assert_true(fabs(r->change - 30.0 / 101.125) < 1e-9);
    assert_true(cb_compare_failed(&c));
    /* No readings at all: nothing to judge, not a made-up zero, and not a
     * doubt that --fail-on=inconclusive would fail on. */
    assert_int_equal(row(&c, "cpu/threads/2")->nbase, 0);
    assert_int_equal(row(&c, "cpu/threads/2")->verdict, CB_VERDICT_NOT_COMPARABLE);
    assert_non_null(strstr(row(&c, "cpu/threads/2")->note, "no memory readings"));
    cb_compare_free(&c);
    compare(base, same, &o, &c);
    assert_int_equal(row(&c, "cpu/processes/2")->verdict, CB_VERDICT_UNCHANGED);
    assert_false(cb_compare_failed(&c));
    cb_compare_free(&c);
    unlink(base);
    unlink(grown);
    unlink(same);
}

/* Writes a one-benchmark result file (ten samples of 10 ms) whose
 * benchmark object also holds extra ("" or "KEY":VALUE,); returns path. */
static const char *choice_file(char *path, size_t len, const char *extra)
{
    FILE *f = temp_file(path, len);

    fprintf(f, "{\"schema_version\":1,\"tool\":{\"name\":\"concbench\"},\"context\":{},"
            "\"benchmarks\":[{\"name\":\"lock/threads/2\",\"task\":\"lock\","
            "\"mode\":\"threads\",\"workers\":2,\"params\":{},\"start\":\"immediate\","
            "\"status\":\"ok\",%s\"samples\":[", extra);
    for (int s = 0; s < 10; s++)
        fprintf(f, "%s{\"wall_s\":0.01,\"user_s\":0,\"sys_s\":0,\"workers\":[{},{}]}",
                s ? "," : "");
    fputs("]}]}\n", f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* --lock, --transport, --pin, --start-method, --queue and --stack-size live beside
 * params: a difference in one still makes the pair not comparable, named;
 * an absent choice is the one concbench used before it was written. */
static void test_choices(void **state)
{
    static const struct { const char *base, *new_, *why; } cases[] = {
        { "\"lock\":\"mutex\",", "\"lock\":\"spin\",", "lock: mutex vs spin" },
        { "\"transport\":\"pipe\",", "\"transport\":\"shm\",", "transport: pipe vs shm" },
        { "\"pin\":\"spread\",", "", "pin: spread vs none" },
        { "\"start_method\":\"spawn\",", "", "start_method: spawn vs fork" },
        { "\"start_method\":\"fork\",", "", NULL },
        /* A file from before --queue (process-pool wrote none): shm. */
        { "", "\"queue\":\"shm\",", NULL },
        { "", "\"queue\":\"pipe\",", "queue: shm vs pipe" },
        { "", "\"stack_size_bytes\":65536,", "stack_size_bytes" },
        { "\"lock\":\"spin\",", "\"lock\":\"spin\",", NULL },
    };
    struct cb_compare_opts o;
    struct cb_comparison c;
    char a[64], b[64];

    (void)state;
    cb_compare_opts_default(&o);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cb_compare_row *r;

        compare(choice_file(a, sizeof a, cases[i].base),
                choice_file(b, sizeof b, cases[i].new_), &o, &c);
        r = row(&c, "lock/threads/2");
        if (cases[i].why) {
            assert_int_equal(r->verdict, CB_VERDICT_NOT_COMPARABLE);
            assert_non_null(strstr(r->note, cases[i].why));
        } else {
            assert_int_equal(r->verdict, CB_VERDICT_UNCHANGED);
        }
        cb_compare_free(&c);
        unlink(a);
        unlink(b);
    }
}

static void test_render(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_error err = { "" };
    char *table, *md, *json;
    cJSON *root;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "params.json", &o, &c);
    table = cb_compare_render(&c, CB_FORMAT_TABLE, &err);
    md = cb_compare_render(&c, CB_FORMAT_MARKDOWN, &err);
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    assert_non_null(table);
    assert_non_null(md);
    assert_non_null(json);
    assert_non_null(strstr(table, "geometric mean"));
    assert_non_null(strstr(table, "not comparable: iterations: 1000000 vs 2000000"));
    assert_non_null(strstr(table, "io/threads/4: only in NEW"));
    assert_non_null(strstr(table, "Threads / processes"));
    assert_non_null(strstr(md, "| cpu/serial/1 "));
    assert_non_null(strstr(md, "cpu/threads/2: not comparable"));
    root = cJSON_Parse(json);
    assert_non_null(root);
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(root, "benchmarks")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "benchmarks")), 6);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "failed"))); /* 2 BASE unmatched */
    cJSON_Delete(root);
    free(table);
    free(md);
    free(json);
    cb_compare_free(&c);
}

static const cJSON *json_row(const cJSON *root, const char *name)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, cJSON_GetObjectItem(root, "benchmarks"))
        if (strcmp(cJSON_GetObjectItem(r, "name")->valuestring, name) == 0)
            return r;
    fail_msg("no JSON row %s", name);
    return NULL;
}

/* Each key of o named in keys (NULL-terminated) is JSON null. */
static void all_null(const cJSON *o, const char *const *keys, const char *what)
{
    for (size_t i = 0; keys[i]; i++)
        if (!cJSON_IsNull(cJSON_GetObjectItem(o, keys[i])))
            fail_msg("%s: %s is not null", what, keys[i]);
}

/* What is unknown is null in the JSON, never 0 or a made-up bound. */
static void test_json_unknown_null(void **state)
{
    static const char *const untested[] = {
        "base_median", "new_median", "change", "hl_change", "ci_low", "ci_high", "p_value",
        "u", NULL,
    };
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_error err = { "" };
    const cJSON *r, *sum;
    cJSON *root;
    char *json;

    (void)state;
    cb_compare_opts_default(&o);
    compare(DATA "base.json", DATA "params.json", &o, &c);
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    root = cJSON_Parse(json);
    assert_non_null(root);
    all_null(json_row(root, "io/processes/2"), untested, "only in BASE");
    all_null(json_row(root, "cpu/threads/2"), untested, "not comparable");
    r = json_row(root, "cpu/threads/2");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "missing")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "params_differ")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(json_row(root, "io/threads/4"), "missing")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(json_row(root, "cpu/serial/1"), "u")));
    sum = cJSON_GetObjectItem(root, "summary");
    assert_int_equal(cJSON_GetObjectItem(sum, "only_in_base")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(sum, "missing")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(sum, "compared")->valueint, 3);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(sum, "suite_changed")));
    assert_true(cJSON_IsString(cJSON_GetObjectItem(sum, "fail_reason")));
    cJSON_Delete(root);
    free(json);
    cb_compare_free(&c);
    /* Three samples bound no 95% interval of the ratio: null, not 0. */
    compare(DATA "base.json", DATA "few.json", &o, &c);
    json = cb_compare_render(&c, CB_FORMAT_JSON, &err);
    root = cJSON_Parse(json);
    assert_non_null(root);
    r = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "threads_vs_processes"),
                                               0), "new");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r, "ratio")));
    all_null(r, (const char *const[]){ "ci_low", "ci_high", NULL }, "ratio of 3 samples");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"),
                                                 "fail_reason")));
    cJSON_Delete(root);
    free(json);
    cb_compare_free(&c);
}

/* A normalized change reads as the ratio of ratios it is, with its
 * direction; an unnormalized one stays a percentage. */
static void test_normalize_text(void **state)
{
    struct cb_compare_opts o;
    struct cb_comparison c;
    struct cb_error err = { "" };
    char *table;

    (void)state;
    cb_compare_opts_default(&o);
    o.normalize = true;
    compare(DATA "base.json", DATA "slower.json", &o, &c);
    table = cb_compare_render(&c, CB_FORMAT_TABLE, &err);
    assert_non_null(strstr(table, "NEW/BASE = 1.000 (no change)"));
    assert_non_null(strstr(table, "normalized: each median is the benchmark's wall over"));
    assert_non_null(strstr(table, "+20.0%  ")); /* io: no io/serial/1 */
    free(table);
    for (size_t i = 0; i < c.nrows; i++)
        c.rows[i].change = strcmp(c.rows[i].name, "cpu/threads/2") == 0 ? 0.08 : -0.25;
    table = cb_compare_render(&c, CB_FORMAT_MARKDOWN, &err);
    assert_non_null(strstr(table, "NEW/BASE = 1.080 (8.0% slower)"));
    assert_non_null(strstr(table, "NEW/BASE = 0.750 (25.0% faster)"));
    free(table);
    c.opts.metric = CB_METRIC_CPU;
    table = cb_compare_render(&c, CB_FORMAT_TABLE, &err);
    assert_non_null(strstr(table, "NEW/BASE = 1.080 (8.0% more CPU time)"));
    free(table);
    cb_compare_free(&c);
}

/* Splits line at spaces into argv and parses it as `concbench compare`. */
static int parse(const char *line, bool tty, struct cb_compare_opts *o, struct cb_error *err)
{
    static char buf[512];
    char *argv[32];
    int argc = 0;

    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    return cb_compare_parse_args(argc, argv, tty, o, err);
}

static void test_parse_args(void **state)
{
    struct cb_compare_opts o;
    struct cb_error err = { "" };

    (void)state;
    assert_int_equal(parse("compare a.json --threshold=2.5% b.json --alpha 0.01 --metric=cpu "
                           "--fail-on=never --normalize -f markdown", false, &o, &err), 0);
    assert_string_equal(o.base_path, "a.json");
    assert_string_equal(o.new_path, "b.json");
    assert_true(fabs(o.threshold - 0.025) < 1e-15);
    assert_true(o.alpha == 0.01);
    assert_int_equal(o.metric, CB_METRIC_CPU);
    assert_int_equal(o.fail_on, CB_FAIL_NEVER);
    assert_int_equal(o.format, CB_FORMAT_MARKDOWN);
    assert_true(o.normalize);
    assert_false(o.allow_missing);
    assert_int_equal(parse("compare a b --allow-missing", false, &o, &err), 0);
    assert_true(o.allow_missing);
    assert_int_equal(parse("compare a b --threshold=-1", false, &o, &err), -1);
    assert_string_equal(err.msg, "--threshold: '-1' is not accepted; accepted: a percentage "
                        "0 to 1000, e.g. 5 or 2.5%");
    assert_int_equal(parse("compare a b --threshold=nan", false, &o, &err), -1);
    assert_int_equal(parse("compare a b --alpha=0", false, &o, &err), -1);
    assert_int_equal(parse("compare a b --min-samples=0", false, &o, &err), -1);
    assert_int_equal(parse("compare a b --metric=rss", false, &o, &err), -1);
    assert_string_equal(err.msg, "--metric: 'rss' is not accepted; accepted: wall, spawn, cpu, memory");
    assert_int_equal(parse("compare a", true, &o, &err), -1);
    assert_non_null(strstr(err.msg, "needs two result files"));
    assert_int_equal(parse("compare a b --metric", true, &o, &err), -1);
    assert_non_null(strstr(err.msg, "--metric needs a value"));
    assert_int_equal(parse("compare a b", true, &o, &err), 0);
    assert_int_equal(o.format, CB_FORMAT_TABLE);
    assert_int_equal(parse("compare a b", false, &o, &err), 0);
    assert_int_equal(o.format, CB_FORMAT_JSON);
    assert_int_equal(parse("compare --help", false, &o, &err), 0);
    assert_true(o.help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_slower),
        cmocka_unit_test(test_faster_and_threshold),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_unreliable),
        cmocka_unit_test(test_inconclusive),
        cmocka_unit_test(test_wide_interval),
        cmocka_unit_test(test_narrow_interval),
        cmocka_unit_test(test_gate_nothing),
        cmocka_unit_test(test_gate_summary),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_state_differs),
        cmocka_unit_test(test_floor_noise),
        cmocka_unit_test(test_failed_cell),
        cmocka_unit_test(test_context_and_ratios),
        cmocka_unit_test(test_metrics_and_normalize),
        cmocka_unit_test(test_memory_metric),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_json_unknown_null),
        cmocka_unit_test(test_normalize_text),
        cmocka_unit_test(test_parse_args),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
