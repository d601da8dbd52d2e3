/* Exports for CI dashboards: Bencher Metric Format and the
 * github-action-benchmark customSmallerIsBetter array. */
#include "report_bmf.h"

#include <cjson/cJSON.h>
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

static bool bmf_cell(cJSON *root, const struct cb_cell *c)
{
    cJSON *b = cJSON_AddObjectToObject(root, c->name);

    return b && measure(b, "latency", &c->wall, (double)CB_NS_PER_S) &&
           measure(b, "spawn-latency", &c->spawn, (double)CB_NS_PER_S) &&
           measure(b, "memory-per-worker", &c->mem_kib, 1024) &&
           measure(b, "handoff-latency", &c->handoff, (double)CB_NS_PER_S) &&
           measure(b, "gil-wait", &c->gil_wait, (double)CB_NS_PER_S);
}

static bool gab_cell(cJSON *root, const struct cb_cell *c)
{
    cJSON *o = cb_json_push(root, cJSON_CreateObject());
    char range[64], extra[128];

    if (!o)
        return false;
    snprintf(range, sizeof range, "\xc2\xb1 %.0f", c->wall.mad * (double)CB_NS_PER_S);
    snprintf(extra, sizeof extra, "%zu samples; median wall time; range: MAD",
             c->wall.n);
    return cb_json_add_text(o, "name", c->name) &&
           cb_json_add_text(o, "unit", "ns") &&
           cJSON_AddNumberToObject(o, "value", c->wall.median * (double)CB_NS_PER_S) &&
           cb_json_add_text(o, "range", range) &&
           cb_json_add_text(o, "extra", extra);
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
