/* Rendering a comparison as a table, markdown or json. */
#include "concbench/compare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/units.h"
#include "grid.h"
#include "json_util.h"

#define COL_LEN 128

/* ---- numbers as text --------------------------------------------------- */

/* A median in the metric's unit: seconds, or KiB for memory. */
static void fmt_value(enum cb_metric m, bool normalized, double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (normalized)
        snprintf(buf, len, "%.3fx serial", v);
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

static void fmt_ratio(const struct cb_compare_ratio *r, char *buf, size_t len)
{
    const struct cb_shift *s = &r->ratio;

    if (!r->valid)
        snprintf(buf, len, "-");
    else if (isinf(s->lo) || isinf(s->hi) || s->lo <= 0)
        snprintf(buf, len, "%.2f [too few samples]", s->estimate);
    else
        snprintf(buf, len, "%.2f [%.2f, %.2f] %s", s->estimate, s->lo, s->hi,
                 s->hi < 1 ? "threads win" : s->lo > 1 ? "processes win" : "tie");
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
    fmt_value(m, r->normalized, r->base_median, b, sizeof b);
    cb_grid_put(g, i, 2, b, md);
    fmt_value(m, r->normalized, r->new_median, b, sizeof b);
    cb_grid_put(g, i, 3, b, md);
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
    static const char *const headers[] = { "task", "workers", "BASE threads/processes",
                                           "NEW threads/processes" };
    struct cb_grid g;
    char b[COL_LEN];

    if (c->nratios == 0)
        return 0;
    if (cb_grid_init(&g, c->nratios + 1, 4) != 0)
        return -1;
    cb_strbuf_printf(sb, "\n%sThreads / processes, %s (below 1: threads %s; "
                     "HL estimate [%g%% CI]):\n%s", md ? "#### " : "",
                     cb_compare_metric_name(c->opts.metric),
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

static void render_summary(struct cb_strbuf *sb, const struct cb_comparison *c)
{
    size_t count[CB_VERDICT_ONLY_NEW + 1] = { 0 };
    static const char *const fail_on[] = { "slower", "inconclusive", "never" };

    for (size_t i = 0; i < c->nrows; i++)
        count[c->rows[i].verdict]++;
    cb_strbuf_printf(sb, "\n%zu slower, %zu faster, %zu unchanged, %zu inconclusive, "
                     "%zu unreliable, %zu failed, %zu not comparable: %s (--fail-on=%s)\n",
                     count[CB_VERDICT_SLOWER], count[CB_VERDICT_FASTER],
                     count[CB_VERDICT_UNCHANGED], count[CB_VERDICT_INCONCLUSIVE],
                     count[CB_VERDICT_UNRELIABLE], count[CB_VERDICT_FAILED],
                     count[CB_VERDICT_NOT_COMPARABLE],
                     cb_compare_failed(c) ? "FAIL" : "pass", fail_on[c->opts.fail_on]);
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
    cb_strbuf_printf(&sb, "metric: %s%s; threshold %g%%; alpha %g; %g%% CI; "
                     "p~: normal approximation\n\n", cb_compare_metric_name(o->metric),
                     o->normalize ? " / serial 1-worker" : "", o->threshold * 100,
                     o->alpha, 100 * (1 - o->alpha));
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

static bool num(cJSON *o, const char *k, double v)
{
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

    return o && str(o, "path", l->path) && str(o, "hostname", l->context.hostname) &&
           str(o, "date", l->context.date);
}

static bool json_options(cJSON *root, const struct cb_compare_opts *o)
{
    static const char *const fail_on[] = { "slower", "inconclusive", "never" };
    cJSON *j = cJSON_AddObjectToObject(root, "options");

    return j && str(j, "metric", cb_compare_metric_name(o->metric)) &&
           num(j, "threshold", o->threshold) && num(j, "alpha", o->alpha) &&
           str(j, "fail_on", fail_on[o->fail_on]) &&
           cJSON_AddBoolToObject(j, "normalize", o->normalize) &&
           num(j, "min_samples", (double)o->min_samples);
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
           cJSON_AddBoolToObject(o, "normalized", r->normalized);
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
    cJSON *ratios = cJSON_AddArrayToObject(root, "threads_vs_processes");
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");

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

static char *render_json(const struct cb_comparison *c, struct cb_error *err)
{
    cJSON *root = cJSON_CreateObject(), *g;
    bool built = root && num(root, "schema_version", 1) &&
                 str(root, "kind", "concbench-compare") &&
                 json_file(root, "base", &c->base) && json_file(root, "new", &c->new_) &&
                 json_options(root, &c->opts) && json_lists(root, c) &&
                 (g = cJSON_AddObjectToObject(root, "geometric_mean")) != NULL &&
                 num(g, "change", c->geomean) && num(g, "benchmarks", (double)c->ngeomean) &&
                 cJSON_AddBoolToObject(root, "failed", cb_compare_failed(c));

    return cb_json_finish(root, built, "the comparison", err);
}

char *cb_compare_render(const struct cb_comparison *c, enum cb_format f,
                        struct cb_error *err)
{
    if (f == CB_FORMAT_JSON)
        return render_json(c, err);
    return render_text(c, f == CB_FORMAT_MARKDOWN, err);
}
