/* Rendering a comparison as a table, markdown or json. */
#include "concbench/compare.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/executor.h"
#include "concbench/json_keys.h"
#include "concbench/units.h"
#include "grid.h"
#include "json_util.h"

#define COL_LEN 128

/* ---- numbers as text --------------------------------------------------- */

/* A median in the metric's unit: seconds, or KiB for memory. */
static void fmt_value(enum cb_metric m, const struct cb_compare_row *r, double v, char *buf,
                      size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (r->normalized)
        snprintf(buf, len, "%.3fx serial", v);
    else if (r->per_floor)
        snprintf(buf, len, "%.4g steps", v);
    else if (m == CB_METRIC_MEMORY)
        cb_units_format_size(v * 1024, buf, len);
    else
        cb_units_format_duration(v, buf, len);
}

static void fmt_pct(double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (isinf(v))
        snprintf(buf, len, "%s", v > 0 ? "+inf" : "-inf");
    else
        snprintf(buf, len, "%+.1f%%", v * 100);
}

/* A normalized change as the ratio it is, with its direction: values are
 * each file's time over its own serial time, so NEW/BASE above 1 means
 * this benchmark lost ground against serial. */
static void fmt_norm_change(enum cb_metric m, double change, char *buf, size_t len)
{
    static const char *const more[] = { "slower", "slower", "more CPU time", "more memory" };
    static const char *const less[] = { "faster", "faster", "less CPU time", "less memory" };
    double pct = fabs(change) * 100;

    if (isnan(change) || isinf(change))
        snprintf(buf, len, "-");
    else if (pct < 0.05)
        snprintf(buf, len, "NEW/BASE = %.3f (no change)", change + 1);
    else
        snprintf(buf, len, "NEW/BASE = %.3f (%.1f%% %s)", change + 1, pct,
                 change > 0 ? more[m] : less[m]);
}

static void fmt_shift(const struct cb_shift *s, char *buf, size_t len)
{
    char e[24], lo[24], hi[24];

    fmt_pct(s->estimate, e, sizeof e);
    fmt_pct(s->lo, lo, sizeof lo);
    fmt_pct(s->hi, hi, sizeof hi);
    if (isnan(s->estimate))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%s [%s, %s]", e, lo, hi);
}

/* The names of the contrasted pair of modes. Can't fail. */
static void pair_names(const char **first, const char **second)
{
    *first = *second = "";
    cb_executor_pair(first, second);
}

static void fmt_ratio(const struct cb_compare_ratio *r, char *buf, size_t len)
{
    const struct cb_shift *s = &r->ratio;
    const char *first, *second;

    pair_names(&first, &second);
    if (!r->valid)
        snprintf(buf, len, "-");
    else if (!isfinite(s->lo) || !isfinite(s->hi))
        snprintf(buf, len, "%.2f [too few samples]", s->estimate);
    else
        snprintf(buf, len, "%.2f [%.2f, %.2f] %s%s", s->estimate, s->lo, s->hi,
                 s->hi < 1 ? first : s->lo > 1 ? second : "tie",
                 s->hi < 1 || s->lo > 1 ? " win" : "");
}

static bool compared(const struct cb_compare_row *r)
{
    return r->verdict <= CB_VERDICT_UNRELIABLE;
}

/* ---- table and markdown ------------------------------------------------ */

static const char *const main_headers[] = {
    "benchmark", "n", "BASE median", "NEW median", "change", "HL change [CI]", "p",
    "verdict",
};

static void main_row(const struct cb_compare_row *r, enum cb_metric m, struct cb_grid *g,
                     bool md)
{
    char b[COL_LEN];
    size_t i = g->nrows++;

    cb_grid_put(g, i, 0, r->name, md);
    snprintf(b, sizeof b, "%zu/%zu", r->nbase, r->nnew);
    cb_grid_put(g, i, 1, b, md);
    fmt_value(m, r, r->base_median, b, sizeof b);
    cb_grid_put(g, i, 2, b, md);
    fmt_value(m, r, r->new_median, b, sizeof b);
    cb_grid_put(g, i, 3, b, md);
    if (r->normalized)
        fmt_norm_change(m, r->change, b, sizeof b);
    else
        fmt_pct(r->change, b, sizeof b);
    cb_grid_put(g, i, 4, b, md);
    fmt_shift(&r->shift, b, sizeof b);
    cb_grid_put(g, i, 5, b, md);
    if (isnan(r->test.p))
        snprintf(b, sizeof b, "-");
    else
        snprintf(b, sizeof b, "%.2g%s", r->test.p, r->test.exact ? "" : "~");
    cb_grid_put(g, i, 6, b, md);
    cb_grid_put(g, i, 7, cb_compare_verdict_name(r->verdict), md);
}

static int render_rows(struct cb_strbuf *sb, const struct cb_comparison *c, bool md)
{
    struct cb_grid g;
    char b[COL_LEN];

    if (cb_grid_init(&g, c->nrows + 2, 8) != 0)
        return -1;
    for (size_t col = 0; col < 8; col++)
        cb_grid_put(&g, 0, col, main_headers[col], false);
    g.nrows = 1;
    for (size_t i = 0; i < c->nrows; i++)
        if (compared(&c->rows[i]) || c->rows[i].verdict == CB_VERDICT_FAILED ||
            c->rows[i].verdict == CB_VERDICT_NOT_COMPARABLE)
            main_row(&c->rows[i], c->opts.metric, &g, md);
    cb_grid_put(&g, g.nrows, 0, "geometric mean", md);
    snprintf(b, sizeof b, "%zu", c->ngeomean);
    cb_grid_put(&g, g.nrows, 1, b, md);
    fmt_pct(c->geomean, b, sizeof b);
    cb_grid_put(&g, g.nrows++, 4, b, md);
    cb_grid_render(sb, &g, md, false);
    cb_grid_free(&g);
    return 0;
}

static int render_ratios(struct cb_strbuf *sb, const struct cb_comparison *c, bool md)
{
    char base_h[64], new_h[64];
    const char *first, *second;
    const char *const headers[] = { "task", "workers", base_h, new_h };
    struct cb_grid g;
    char b[COL_LEN];

    pair_names(&first, &second);
    snprintf(base_h, sizeof base_h, "BASE %s/%s", first, second);
    snprintf(new_h, sizeof new_h, "NEW %s/%s", first, second);
    if (c->nratios == 0)
        return 0;
    if (cb_grid_init(&g, c->nratios + 1, 4) != 0)
        return -1;
    cb_strbuf_printf(sb, "\n%s%c%s / %s, %s (below 1: %s %s; "
                     "HL estimate [%g%% CI]):\n%s", md ? "#### " : "",
                     toupper((unsigned char)first[0]), first[0] ? first + 1 : "", second,
                     cb_compare_metric_name(c->opts.metric), first,
                     c->opts.metric == CB_METRIC_MEMORY ? "use less" : "are faster",
                     100 * (1 - c->opts.alpha), md ? "\n" : "");
    for (size_t col = 0; col < 4; col++)
        cb_grid_put(&g, 0, col, headers[col], false);
    for (size_t i = 0; i < c->nratios; i++) {
        const struct cb_compare_ratio_row *r = &c->ratios[i];

        cb_grid_put(&g, i + 1, 0, r->task, md);
        snprintf(b, sizeof b, "%u", r->workers);
        cb_grid_put(&g, i + 1, 1, b, md);
        fmt_ratio(&r->base, b, sizeof b);
        cb_grid_put(&g, i + 1, 2, b, md);
        fmt_ratio(&r->new_, b, sizeof b);
        cb_grid_put(&g, i + 1, 3, b, md);
    }
    g.nrows = c->nratios + 1;
    cb_grid_render(sb, &g, md, false);
    cb_grid_free(&g);
    return 0;
}

static int render_context(struct cb_strbuf *sb, const struct cb_comparison *c, bool md)
{
    struct cb_grid g;

    if (c->ndiffs == 0)
        return 0;
    if (cb_grid_init(&g, c->ndiffs + 1, 3) != 0)
        return -1;
    cb_strbuf_printf(sb, "%sThe files come from different contexts:\n%s",
                     md ? "#### " : "", md ? "\n" : "");
    cb_grid_put(&g, 0, 0, "field", false);
    cb_grid_put(&g, 0, 1, "BASE", false);
    cb_grid_put(&g, 0, 2, "NEW", false);
    for (size_t i = 0; i < c->ndiffs; i++) {
        cb_grid_put(&g, i + 1, 0, c->diffs[i].field, md);
        cb_grid_put(&g, i + 1, 1, c->diffs[i].base, md);
        cb_grid_put(&g, i + 1, 2, c->diffs[i].new_, md);
    }
    g.nrows = c->ndiffs + 1;
    cb_grid_render(sb, &g, md, false);
    cb_strbuf_puts(sb, "\n");
    cb_grid_free(&g);
    return 0;
}

static void render_notes(struct cb_strbuf *sb, const struct cb_comparison *c, bool md)
{
    const char *bullet = md ? "- " : "  ";
    bool any = c->nnotes > 0;

    for (size_t i = 0; i < c->nrows; i++)
        any |= c->rows[i].note[0] != '\0' || !compared(&c->rows[i]);
    if (!any)
        return;
    cb_strbuf_printf(sb, "\n%sNotes:\n%s", md ? "#### " : "", md ? "\n" : "");
    for (size_t i = 0; i < c->nrows; i++) {
        const struct cb_compare_row *r = &c->rows[i];

        if (r->verdict == CB_VERDICT_ONLY_BASE || r->verdict == CB_VERDICT_ONLY_NEW)
            cb_strbuf_printf(sb, "%s%s: %s\n", bullet, r->name, cb_compare_verdict_name(r->verdict));
        else if (r->note[0])
            cb_strbuf_printf(sb, "%s%s: %s: %s\n", bullet, r->name,
                             cb_compare_verdict_name(r->verdict), r->note);
    }
    for (size_t i = 0; i < c->nnotes; i++)
        cb_strbuf_printf(sb, "%s%s\n", bullet, c->notes[i]);
}

static const char *const fail_on_names[] = { "slower", "inconclusive", "never" };

static void render_summary(struct cb_strbuf *sb, const struct cb_comparison *c)
{
    struct cb_compare_summary s;
    const size_t *n = s.count;

    cb_compare_summarise(c, &s);
    cb_strbuf_printf(sb, "\n%zu slower, %zu faster, %zu unchanged, %zu inconclusive, "
                     "%zu unreliable, %zu failed, %zu not comparable, %zu only in BASE, "
                     "%zu only in NEW; %zu of %zu BASE benchmarks compared: %s (--fail-on=%s%s)%s%s\n",
                     n[CB_VERDICT_SLOWER], n[CB_VERDICT_FASTER], n[CB_VERDICT_UNCHANGED],
                     n[CB_VERDICT_INCONCLUSIVE], n[CB_VERDICT_UNRELIABLE], n[CB_VERDICT_FAILED],
                     n[CB_VERDICT_NOT_COMPARABLE], n[CB_VERDICT_ONLY_BASE],
                     n[CB_VERDICT_ONLY_NEW], s.compared, s.base, s.failed ? "FAIL" : "pass",
                     fail_on_names[c->opts.fail_on],
                     c->opts.allow_missing ? ", --allow-missing" : "", s.failed ? ": " : "",
                     s.reason);
}

static char *render_text(const struct cb_comparison *c, bool md, struct cb_error *err)
{
    struct cb_strbuf sb;
    const struct cb_compare_opts *o = &c->opts;

    cb_strbuf_init(&sb);
    cb_strbuf_printf(&sb, "%sconcbench compare: BASE %s (%s, %s) vs NEW %s (%s, %s)\n",
                     md ? "### " : "", c->base.path, c->base.context.hostname,
                     c->base.context.date, c->new_.path, c->new_.context.hostname,
                     c->new_.context.date);
    cb_strbuf_printf(&sb, "metric: %s%s%s; threshold %g%%; alpha %g; %g%% CI; "
                     "p~: normal approximation\n", cb_compare_metric_name(o->metric),
                     o->per_floor ? " / noise floor" : "",
                     o->normalize ? " / serial 1-worker" : "", o->threshold * 100,
                     o->alpha, 100 * (1 - o->alpha));
    if (o->normalize)
        cb_strbuf_printf(&sb, "normalized: each median is the benchmark's %s over its own "
                         "file's TASK/serial/1 median (0.5x serial: half of serial's); "
                         "NEW/BASE compares those ratios\n", cb_compare_metric_name(o->metric));
    if (o->metric == CB_METRIC_WALL && !o->wall_only && !o->normalize)
        cb_strbuf_printf(&sb, "work check: CPU time%s tested too (slower in wall time only, "
                         "while others used the CPUs: inconclusive; CPU-bound and slower "
                         "in CPU time: slower; --wall-only: off)\n",
                         !o->cpu_floor ? "" : ", over its round's floor CPU time where both "
                         "files recorded it,");
    if (o->per_floor)
        cb_strbuf_puts(&sb, "per floor: each sample's wall time in steps of the bare loop "
                       "as timed in the same round (the noise floor's reading / its steps)\n");
    cb_strbuf_puts(&sb, "\n");
    if (render_context(&sb, c, md) != 0 || render_rows(&sb, c, md) != 0 ||
        render_ratios(&sb, c, md) != 0) {
        cb_strbuf_free(&sb);
        cb_error_set(err, "out of memory rendering the comparison");
        return NULL;
    }
    render_notes(&sb, c, md);
    render_summary(&sb, c);
    return cb_strbuf_finish(&sb, err);
}

/* ---- json -------------------------------------------------------------- */

/* An unknown value (NaN, or an interval too wide to bound) is null. */
static bool num(cJSON *o, const char *k, double v)
{
    if (!isfinite(v))
        return cJSON_AddNullToObject(o, k) != NULL;
    return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static bool str(cJSON *o, const char *k, const char *v)
{
    /* Every string of a comparison goes through here: always text. */
    return cb_json_add_text(o, k, v);
}

static cJSON *push(cJSON *arr)
{
    return cb_json_push(arr, cJSON_CreateObject());
}

static bool json_file(cJSON *root, const char *key, const struct cb_loaded *l)
{
    cJSON *o = cJSON_AddObjectToObject(root, key);

    return o && str(o, "path", l->path) && str(o, CB_KEY_HOSTNAME, l->context.hostname) &&
           str(o, CB_KEY_DATE, l->context.date) && num(o, "noise_floor_cv", l->floor_cv);
}

static bool json_options(cJSON *root, const struct cb_compare_opts *o)
{
    cJSON *j = cJSON_AddObjectToObject(root, "options");

    return j && str(j, "metric", cb_compare_metric_name(o->metric)) &&
           num(j, "threshold", o->threshold) && num(j, "alpha", o->alpha) &&
           str(j, "fail_on", fail_on_names[o->fail_on]) &&
           cJSON_AddBoolToObject(j, "normalize", o->normalize) &&
           cJSON_AddBoolToObject(j, "per_floor", o->per_floor) &&
           cJSON_AddBoolToObject(j, "wall_only", o->wall_only) &&
           cJSON_AddBoolToObject(j, "cpu_floor", o->cpu_floor) &&
           cJSON_AddBoolToObject(j, "allow_missing", o->allow_missing) &&
           num(j, "min_samples", (double)o->min_samples);
}

/* The work check's findings: null where it did not run. */
static bool json_work(cJSON *o, const struct cb_compare_row *r)
{
    static const char *const work[] = { "none", "waiting", "more_work", "host" };

    if (!r->work_checked)
        return cJSON_AddNullToObject(o, "work_check") && cJSON_AddNullToObject(o, "cpu_verdict") &&
               cJSON_AddNullToObject(o, "cpu_change") &&
               cJSON_AddNullToObject(o, "cpu_per_floor");
    return str(o, "work_check", work[r->work]) &&
           str(o, "cpu_verdict", cb_compare_verdict_name(r->cpu_verdict)) &&
           num(o, "cpu_change", r->cpu_change) &&
           cJSON_AddBoolToObject(o, "cpu_per_floor", r->cpu_per_floor);
}

static bool json_row(cJSON *arr, const struct cb_compare_row *r)
{
    cJSON *o = push(arr);

    return o && str(o, "name", r->name) &&
           str(o, "verdict", cb_compare_verdict_name(r->verdict)) &&
           str(o, "test_verdict", cb_compare_verdict_name(r->tested)) &&
           str(o, "note", r->note) && num(o, "n_base", (double)r->nbase) &&
           num(o, "n_new", (double)r->nnew) && num(o, "base_median", r->base_median) &&
           num(o, "new_median", r->new_median) && num(o, "change", r->change) &&
           num(o, "hl_change", r->shift.estimate) && num(o, "ci_low", r->shift.lo) &&
           num(o, "ci_high", r->shift.hi) && num(o, "p_value", r->test.p) &&
           num(o, "u", r->test.u) &&
           str(o, "test", isnan(r->test.p) ? "none" : r->test.exact ? "exact" : "normal") &&
           cJSON_AddBoolToObject(o, "normalized", r->normalized) &&
           cJSON_AddBoolToObject(o, "per_floor", r->per_floor) &&
           json_work(o, r) &&
           cJSON_AddBoolToObject(o, "missing", r->missing) &&
           cJSON_AddBoolToObject(o, "params_differ", r->params_differ);
}

static bool json_ratio(cJSON *o, const char *k, const struct cb_compare_ratio *r)
{
    cJSON *j;

    if (!r->valid)
        return cJSON_AddNullToObject(o, k) != NULL;
    j = cJSON_AddObjectToObject(o, k);
    return j && num(j, "ratio", r->ratio.estimate) && num(j, "ci_low", r->ratio.lo) &&
           num(j, "ci_high", r->ratio.hi);
}

static bool json_lists(cJSON *root, const struct cb_comparison *c)
{
    cJSON *d = cJSON_AddArrayToObject(root, "context_differences"), *o;
    cJSON *rows = cJSON_AddArrayToObject(root, "benchmarks");
    const char *first, *second;
    char key[80];
    cJSON *ratios, *notes;

    pair_names(&first, &second);
    /* "threads_vs_processes" */
    snprintf(key, sizeof key, "%s_vs_%s", first, second);
    ratios = cJSON_AddArrayToObject(root, key);
    notes = cJSON_AddArrayToObject(root, "notes");

    if (!d || !rows || !ratios || !notes)
        return false;
    for (size_t i = 0; i < c->ndiffs; i++)
        if (!(o = push(d)) || !str(o, "field", c->diffs[i].field) ||
            !str(o, "base", c->diffs[i].base) || !str(o, "new", c->diffs[i].new_))
            return false;
    for (size_t i = 0; i < c->nrows; i++)
        if (!json_row(rows, &c->rows[i]))
            return false;
    for (size_t i = 0; i < c->nratios; i++)
        if (!(o = push(ratios)) || !str(o, "task", c->ratios[i].task) ||
            !num(o, "workers", c->ratios[i].workers) ||
            !json_ratio(o, "base", &c->ratios[i].base) || !json_ratio(o, "new", &c->ratios[i].new_))
            return false;
    for (size_t i = 0; i < c->nnotes; i++)
        if (!cb_json_push(notes, cb_json_text(c->notes[i])))
            return false;
    return true;
}

/* Keys of the summary's counts, in verdict order. */
static const char *const count_keys[] = {
    "unchanged", "faster", "slower", "inconclusive", "unreliable", "failed",
    "not_comparable", "only_in_base", "only_in_new",
};

static bool json_summary(cJSON *root, const struct cb_comparison *c)
{
    struct cb_compare_summary s;
    cJSON *j = cJSON_AddObjectToObject(root, "summary");
    bool ok = j != NULL;

    cb_compare_summarise(c, &s);
    for (size_t i = 0; ok && i < sizeof count_keys / sizeof *count_keys; i++)
        ok = num(j, count_keys[i], (double)s.count[i]);
    return ok && num(j, "base_benchmarks", (double)s.base) &&
           num(j, "compared", (double)s.compared) && num(j, "missing", (double)s.missing) &&
           cJSON_AddBoolToObject(j, "suite_changed", s.suite_changed) &&
           (s.failed ? str(j, "fail_reason", s.reason)
                     : cJSON_AddNullToObject(j, "fail_reason") != NULL) &&
           cJSON_AddBoolToObject(root, "failed", s.failed);
}

_Static_assert(sizeof count_keys / sizeof *count_keys == CB_VERDICT_ONLY_NEW + 1,
               "one summary key per verdict");

static char *render_json(const struct cb_comparison *c, struct cb_error *err)
{
    cJSON *root = cJSON_CreateObject(), *g;
    bool built = root && num(root, "schema_version", 1) &&
                 str(root, "kind", "concbench-compare") &&
                 json_file(root, "base", &c->base) && json_file(root, "new", &c->new_) &&
                 json_options(root, &c->opts) && json_lists(root, c) &&
                 (g = cJSON_AddObjectToObject(root, "geometric_mean")) != NULL &&
                 num(g, "change", c->geomean) && num(g, "benchmarks", (double)c->ngeomean) &&
                 json_summary(root, c);

    return cb_json_finish(root, built, "the comparison", err);
}

char *cb_compare_render(const struct cb_comparison *c, enum cb_format f,
                        struct cb_error *err)
{
    if (f == CB_FORMAT_JSON)
        return render_json(c, err);
    return render_text(c, f == CB_FORMAT_MARKDOWN, err);
}
