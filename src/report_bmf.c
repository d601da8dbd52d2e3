/* Exports for CI dashboards: Bencher Metric Format and the
 * github-action-benchmark customSmallerIsBetter array. */
#include "report_bmf.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "json_util.h"

/* One measure: the median, min and max of s times scale; none when s
 * has no values. */
static bool measure(cJSON *bench, const char *slug, const struct cb_stats *s, double scale)
{
    cJSON *m;

    if (s->n == 0)
        return true;
    m = cJSON_AddObjectToObject(bench, slug);
    return m && cJSON_AddNumberToObject(m, "value", s->median * scale) &&
           cJSON_AddNumberToObject(m, "lower_value", s->min * scale) &&
           cJSON_AddNumberToObject(m, "upper_value", s->max * scale);
}

/* A percentile measure in nanoseconds: value and upper_value; none when
 * no job measured it. */
static bool percentile(cJSON *bench, const char *slug, const struct cb_quantiles *q,
                       double value, double upper)
{
    cJSON *m;

    if (q->n == 0 || isnan(value))
        return true;
    m = cJSON_AddObjectToObject(bench, slug);
    return m && cJSON_AddNumberToObject(m, "value", value * (double)CB_NS_PER_S) &&
           (isnan(upper) || cJSON_AddNumberToObject(m, "upper_value",
                                                    upper * (double)CB_NS_PER_S));
}

static bool bmf_cell(cJSON *root, const struct cb_cell *c)
{
    cJSON *b = cJSON_AddObjectToObject(root, c->name);
    const struct cb_quantiles *d = &c->pool.dispatch, *l = &c->loop.lateness;

    return b && measure(b, "latency", &c->wall, (double)CB_NS_PER_S) &&
           measure(b, "spawn-latency", &c->spawn, (double)CB_NS_PER_S) &&
           measure(b, "memory-per-worker", &c->mem_kib, 1024) &&
           measure(b, "handoff-latency", &c->handoff, (double)CB_NS_PER_S) &&
           measure(b, "gil-wait", &c->gil_wait, (double)CB_NS_PER_S) &&
           (!c->pool.measured || percentile(b, "dispatch-latency", d, d->median, d->p99)) &&
           (!c->loop.measured || percentile(b, "loop-lateness", l, l->p99, l->max));
}

/* One entry of the array: name, unit, value, range, extra. */
static bool gab_entry(cJSON *root, const char *name, double value_ns, const char *range,
                      const char *extra)
{
    cJSON *o = cb_json_push(root, cJSON_CreateObject());

    return o && cb_json_add_text(o, "name", name) && cb_json_add_text(o, "unit", "ns") &&
           cJSON_AddNumberToObject(o, "value", value_ns) &&
           cb_json_add_text(o, "range", range) && cb_json_add_text(o, "extra", extra);
}

/* "NAME SUFFIX": the entry of a percentile, beside the cell's own. */
static bool gab_percentile(cJSON *root, const struct cb_cell *c, const char *suffix,
                           const struct cb_quantiles *q, double value, const char *what)
{
    char name[sizeof c->name + 32], range[64], extra[128];

    if (q->n == 0 || isnan(value))
        return true;
    snprintf(name, sizeof name, "%s %s", c->name, suffix);
    snprintf(range, sizeof range, "max %.0f", q->max * (double)CB_NS_PER_S);
    snprintf(extra, sizeof extra, "%zu jobs; %s; range: the largest", q->n, what);
    return gab_entry(root, name, value * (double)CB_NS_PER_S, range, extra);
}

static bool gab_cell(cJSON *root, const struct cb_cell *c)
{
    char range[64], extra[128];

    snprintf(range, sizeof range, "\xc2\xb1 %.0f", c->wall.mad * (double)CB_NS_PER_S);
    snprintf(extra, sizeof extra, "%zu samples; median wall time; range: MAD",
             c->wall.n);
    return gab_entry(root, c->name, c->wall.median * (double)CB_NS_PER_S, range, extra) &&
           (!c->pool.measured ||
            gab_percentile(root, c, "dispatch median", &c->pool.dispatch,
                           c->pool.dispatch.median, "median pool dispatch latency")) &&
           (!c->loop.measured ||
            gab_percentile(root, c, "loop lateness p99", &c->loop.lateness,
                           c->loop.lateness.p99, "p99 of the loop's lateness"));
}

char *cb_report_bmf(const struct cb_results *r, enum cb_format f, struct cb_error *err)
{
    bool gab = f == CB_FORMAT_GAB;
    cJSON *root = gab ? cJSON_CreateArray() : cJSON_CreateObject();
    bool ok = root != NULL;

    for (size_t i = 0; ok && i < r->ncells; i++) {
        const struct cb_cell *c = &r->cells[i];

        if (!c->failed && c->wall.n > 0)
            ok = gab ? gab_cell(root, c) : bmf_cell(root, c);
    }
    return cb_json_finish(root, ok, gab ? "the benchmark export" : "the BMF export", err);
}
