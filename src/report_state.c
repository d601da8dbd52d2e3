#include "report_state.h"

#include <math.h>
#include <stdlib.h>

#include "concbench/json_keys.h"
#include "concbench/sysstate_run.h"
#include "json_util.h"

static const char *const level_names[] = {
    [CB_SYSSTATE_OK] = "ok", [CB_SYSSTATE_NOTE] = "note", [CB_SYSSTATE_WARN] = "warning",
};

/* A number, or null when it is unknown (below 0 or NAN). */
static int num_or_null(cJSON *o, const char *k, double v)
{
    if (isnan(v) || v < 0)
        return cJSON_AddNullToObject(o, k) ? 0 : -1;
    return cJSON_AddNumberToObject(o, k, v) ? 0 : -1;
}

static int str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v) ? 0 : -1;
}

static int add_load(cJSON *o, const struct cb_sysstate *st)
{
    cJSON *a = cJSON_AddArrayToObject(o, "load_avg");

    if (!a)
        return -1;
    for (int i = 0; i < 3; i++)
        if (!cb_json_push(a, st->load_avg[i] < 0 ? cJSON_CreateNull()
                                                 : cJSON_CreateNumber(st->load_avg[i])))
            return -1;
    return 0;
}

static int add_build(cJSON *o, const struct cb_sysstate *st)
{
    cJSON *b = cJSON_AddObjectToObject(o, CB_KEY_BUILD);

    if (!b || str(b, "type", st->build_type) ||
        !cJSON_AddBoolToObject(b, "optimized", st->optimized) ||
        str(b, CB_KEY_SANITIZERS, st->sanitizers))
        return -1;
    return 0;
}

static int add_measured(cJSON *o, const struct cb_sysstate *st)
{
    double unknown = NAN;

    if (num_or_null(o, "others_cpu", st->measured ? st->others_cpu : unknown) ||
        num_or_null(o, "others_cpu_max", st->measured ? st->others_cpu_max : unknown) ||
        num_or_null(o, "steal_s", st->measured ? st->steal_s : unknown) ||
        num_or_null(o, "steal_fraction", st->measured ? st->steal_frac : unknown) ||
        num_or_null(o, "observed_s", st->measured ? st->observed_s : unknown) ||
        num_or_null(o, "procs_running", (double)st->procs_running) ||
        num_or_null(o, "procs_running_others", st->procs_others))
        return -1;
    return 0;
}

/* check's bare loop ("host_speed"), only where it was probed: a run
 * has none (its noise_floor measures the same). */
static int add_host_speed(cJSON *o, const struct cb_sysstate *st)
{
    const struct cb_stats *h = &st->host_speed;
    cJSON *j;

    if (h->n == 0)
        return 0;
    j = cJSON_AddObjectToObject(o, "host_speed");
    if (!j || !cJSON_AddNumberToObject(j, "tries", (double)h->n) ||
        cb_json_add_stats(j, "wall_s", h) != 0 || !cJSON_AddNumberToObject(j, "cv", h->cv) ||
        !cJSON_AddNumberToObject(j, "robust_cv", cb_stats_robust_cv(h)))
        return -1;
    return 0;
}

/* The findings on the heap: 5 KiB is too much for a small stack. NULL
 * when memory runs out. */
static struct cb_sysstate_finding *findings(const struct cb_sysstate *st, size_t *n)
{
    struct cb_sysstate_finding *f = calloc(CB_SYSSTATE_MAX_FINDINGS, sizeof *f);

    *n = f ? cb_sysstate_findings(st, f, CB_SYSSTATE_MAX_FINDINGS) : 0;
    return f;
}

static int add_problems(cJSON *o, const struct cb_sysstate *st)
{
    size_t n;
    struct cb_sysstate_finding *f = findings(st, &n);
    cJSON *a = cJSON_AddArrayToObject(o, CB_KEY_PROBLEMS), *p;
    char line[CB_SYSSTATE_LINE];
    int rc = f && a ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (f[i].level != CB_SYSSTATE_WARN)
            continue;
        cb_sysstate_problem_line(&f[i], line, sizeof line);
        if (!(p = cb_json_push(a, cJSON_CreateObject())) || str(p, CB_KEY_CHECK, f[i].check) ||
            str(p, "message", line))
            rc = -1;
    }
    free(f);
    return rc;
}

int cb_report_state_json(cJSON *parent, const char *key, const struct cb_sysstate *st)
{
    cJSON *o;

    if (!st->collected)
        return 0;
    o = cJSON_AddObjectToObject(parent, key);
    if (!o || add_measured(o, st) || add_load(o, st) || str(o, CB_KEY_GOVERNOR, st->governor) ||
        str(o, CB_KEY_TURBO, st->turbo) || str(o, CB_KEY_THP, st->thp) ||
        add_build(o, st) ||
        num_or_null(o, CB_KEY_CPU_QUOTA, st->cpu_quota > 0 ? st->cpu_quota : NAN) ||
        str(o, "cpu_quota_source", st->quota_source) || add_host_speed(o, st) ||
        add_problems(o, st))
        return -1;
    return 0;
}

int cb_report_findings_json(cJSON *parent, const char *key, const struct cb_sysstate *st)
{
    size_t n;
    struct cb_sysstate_finding *f = findings(st, &n);
    cJSON *a = cJSON_AddArrayToObject(parent, key), *o;
    int rc = f && a ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!(o = cb_json_push(a, cJSON_CreateObject())) || str(o, CB_KEY_CHECK, f[i].check) ||
            str(o, "label", f[i].label) || str(o, "value", f[i].value) ||
            str(o, "level", level_names[f[i].level]) || str(o, "advice", f[i].advice))
            rc = -1;
    free(f);
    return rc;
}

static int add_stats(cJSON *o, const char *k, const struct cb_stats *s)
{
    cJSON *st = cJSON_AddObjectToObject(o, k);

    if (!st || !cJSON_AddNumberToObject(st, "min", s->min) ||
        !cJSON_AddNumberToObject(st, CB_KEY_MEDIAN, s->median) ||
        !cJSON_AddNumberToObject(st, "mean", s->mean) ||
        !cJSON_AddNumberToObject(st, "max", s->max) ||
        !cJSON_AddNumberToObject(st, "n", (double)s->n))
        return -1;
    return 0;
}

int cb_report_cell_state_json(cJSON *b, const struct cb_cell *c)
{
    if (c->others_cpu.n == 0)
        return 0;
    if (add_stats(b, "others_cpu", &c->others_cpu) ||
        add_stats(b, "procs_running", &c->procs_running) ||
        !cJSON_AddNumberToObject(b, "steal_s", c->steal_s))
        return -1;
    return 0;
}

int cb_report_sample_state_json(cJSON *o, const struct cb_sample *s)
{
    if (!s->state.valid)
        return 0;
    if (!cJSON_AddNumberToObject(o, "others_cpu", cb_sysstate_others_cpu(&s->state)) ||
        !cJSON_AddNumberToObject(o, "procs_running", s->state.procs_running))
        return -1;
    return 0;
}
