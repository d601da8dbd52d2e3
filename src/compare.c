/* Matching the benchmarks of two result files and judging each pair. */
#include "concbench/compare.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/executor.h"
#include "concbench/json_keys.h"
#include "concbench/options.h"
#include "concbench/report.h"
#include "concbench/stats.h"

/* ---- comparability ----------------------------------------------------- */

static const struct cb_loaded_param *find_param(const struct cb_loaded_cell *c,
                                                const char *name)
{
    for (size_t i = 0; i < c->nparams; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return &c->params[i];
    return NULL;
}

/* "name: a vs b" into why, with the shortest digits that still tell a from
 * b (0.005, not 0.0050000000000000001). */
static void value_diff(char *why, size_t len, const char *name, double a, double b)
{
    char sa[32], sb[32];

    for (int prec = 15; prec <= 17; prec++) {
        snprintf(sa, sizeof sa, "%.*g", prec, a);
        snprintf(sb, sizeof sb, "%.*g", prec, b);
        if (strcmp(sa, sb) != 0)
            break;
    }
    snprintf(why, len, "%s: %s vs %s", name, sa, sb);
}

/* Writes what differs between a and b (named an and bn) into why; returns
 * false if nothing does. */
static bool cells_differ(const struct cb_loaded_cell *a, const struct cb_loaded_cell *b,
                         const char *an, const char *bn, char *why, size_t len)
{
    if (strcmp(a->task, b->task) || strcmp(a->mode, b->mode) || a->workers != b->workers)
        return snprintf(why, len, "task, mode or workers differ"), true;
    if (strcmp(a->start, b->start) != 0)
        return snprintf(why, len, "start: %s vs %s", a->start, b->start), true;
    for (size_t i = 0; i < a->nparams; i++) {
        const struct cb_loaded_param *p = &a->params[i], *q = find_param(b, p->name);

        if (!q)
            return snprintf(why, len, "%s only in %s", p->name, an), true;
        if (p->value != q->value)
            return value_diff(why, len, p->name, p->value, q->value), true;
    }
    for (size_t i = 0; i < b->nparams; i++)
        if (!find_param(a, b->params[i].name))
            return snprintf(why, len, "%s only in %s", b->params[i].name, bn), true;
    return false;
}

/* Options a benchmark records beside its params that tell benchmarks
 * apart (table lines with distinguishes: --lock, --transport, --pin,
 * --stack-size): between BASE and NEW of the same benchmark, a
 * difference makes them measure different things. */
static bool choices_differ(const struct cb_loaded_cell *a, const struct cb_loaded_cell *b,
                           char *why, size_t len)
{
    for (size_t i = 0; i < a->nchoices && i < b->nchoices; i++) {
        const char *x = cb_loaded_choice_value(&a->choices[i]);
        const char *y = cb_loaded_choice_value(&b->choices[i]);

        if (strcmp(x, y) != 0)
            return snprintf(why, len, "%s: %s vs %s", a->choices[i].key, x, y), true;
    }
    return false;
}

static bool cell_ok(const struct cb_loaded_cell *c)
{
    return strcmp(c->status, "ok") == 0;
}

/* ---- normalization ----------------------------------------------------- */

void cb_compare_note(struct cb_comparison *c, const char *note)
{
    for (size_t i = 0; i < c->nnotes; i++)
        if (strcmp(c->notes[i], note) == 0)
            return;
    if (c->nnotes < CB_COMPARE_MAX_NOTES)
        snprintf(c->notes[c->nnotes++], sizeof c->notes[0], "%s", note);
}

/* The single-worker serial cell of cell's task in l, if it ran with the
 * same parameters and succeeded; else NULL with why. */
/* Writes a note that may be cut short at len; that is intended. */
static void put_note(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_note(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static const struct cb_loaded_cell *serial_of(const struct cb_loaded *l,
                                              const struct cb_loaded_cell *cell,
                                              char *why, size_t len)
{
    const struct cb_executor *base = cb_executor_baseline();
    char name[128], diff[128];
    const struct cb_loaded_cell *s;
    struct cb_loaded_cell want = *cell;

    if (!base) {
        put_note(why, len, "this build has no baseline mode");
        return NULL;
    }
    snprintf(name, sizeof name, "%s/%s/1", cell->task, base->name);
    s = cb_load_find(l, name);
    snprintf(want.mode, sizeof want.mode, "%s", base->name);
    want.workers = 1;
    if (!s)
        put_note(why, len, "%s has no %s (run with -m %s -n 1 too)", l->path, name,
                 base->name);
    else if (!cell_ok(s))
        put_note(why, len, "%s: %s failed", l->path, name);
    else if (cells_differ(&want, s, "it", name, diff, sizeof diff))
        put_note(why, len, "%s: %s differs (%s)", l->path, name, diff);
    else
        return s;
    return NULL;
}

/* 1 / the median of the serial cell, or 0 (with a note) if there is none. */
static double norm_scale(struct cb_comparison *c, const struct cb_loaded *l,
                         const struct cb_loaded_cell *cell, bool per_floor)
{
    char why[200], note[256];
    const struct cb_loaded_cell *s = serial_of(l, cell, why, sizeof why);
    double *v, med = NAN;
    size_t n;

    if (s && (v = cb_compare_values(s, c->opts.metric, 1, per_floor, &n)) != NULL) {
        cb_stats_median(v, n, &med); /* NAN when out of memory */
        free(v);
        snprintf(why, sizeof why, "%s: %s/%s/1 has no positive median", l->path,
                 cell->task, s->mode);
    }
    if (med > 0)
        return 1 / med;
    snprintf(note, sizeof note, "%s not normalized: %s", cell->task, why);
    cb_compare_note(c, note);
    return 0;
}

/* ---- the noise floor -------------------------------------------------- */

/* Whether cell of l has a floor reading in every sample; if not, a note
 * says that its benchmarks are compared undivided. */
static bool floor_in(struct cb_comparison *c, const struct cb_loaded *l,
                     const struct cb_loaded_cell *cell)
{
    char note[256];

    if (cb_compare_has_floor(cell))
        return true;
    put_note(note, sizeof note, "--per-floor: %s has no floor_s in some samples (written "
             "before concbench recorded the noise floor); those benchmarks are compared "
             "undivided", l->path);
    cb_compare_note(c, note);
    return false;
}

/* ---- one pair ---------------------------------------------------------- */

/* Unchanged needs evidence of no change that matters: the whole interval
 * inside [-t, t]. A change the test cannot tell from noise whose interval
 * reaches past t is not "unchanged" but "inconclusive": with few or noisy
 * samples a -52% change can have p = 0.23. NaN bounds (unknown) fail
 * every comparison and give "inconclusive". */
static enum cb_verdict judge(const struct cb_compare_row *r, double alpha, double t)
{
    const struct cb_shift *s = &r->shift;
    bool significant = r->test.p < alpha;

    if (significant && s->lo > t)
        return CB_VERDICT_SLOWER;
    if (significant && s->hi < -t)
        return CB_VERDICT_FASTER;
    if (s->lo >= -t && s->hi <= t)
        return CB_VERDICT_UNCHANGED;
    return CB_VERDICT_INCONCLUSIVE;
}

/* The relative change: from log ratios when every value is positive (a
 * scale model: the interval is exact for ratios), else from differences
 * divided by the base median. */
static int relative_shift(const struct cb_comparison *c, const double *b, size_t nb,
                          const double *n, size_t nn, struct cb_compare_row *r)
{
    bool logs = cb_compare_positive(b, nb) && cb_compare_positive(n, nn);
    struct cb_shift *s = &r->shift;
    double scale = logs ? 1 : r->base_median;

    if (cb_compare_hl(b, nb, n, nn, c->opts.alpha, logs, s) != 0)
        return -1;
    if (logs) {
        s->estimate = expm1(s->estimate);
        s->lo = expm1(s->lo);
        s->hi = expm1(s->hi);
    } else if (scale > 0) {
        s->estimate /= scale;
        s->lo /= scale;
        s->hi /= scale;
    } else {
        s->estimate = s->lo = s->hi = NAN;
    }
    return 0;
}

int cb_compare_test(const struct cb_comparison *c, const double *b, size_t nb,
                    const double *n, size_t nn, struct cb_compare_row *r)
{
    r->nbase = nb;
    r->nnew = nn;
    if (nb == 0 || nn == 0) {
        r->verdict = r->tested = CB_VERDICT_UNRELIABLE;
        r->missing = nn == 0;
        snprintf(r->note, sizeof r->note, "no %s samples in %s",
                 cb_compare_metric_name(c->opts.metric), nb ? "NEW" : "BASE");
        return 0;
    }
    /* Out of memory leaves a median NAN: that row then has no change. */
    cb_stats_median(b, nb, &r->base_median);
    cb_stats_median(n, nn, &r->new_median);
    r->change = r->base_median > 0 ? r->new_median / r->base_median - 1 : NAN;
    if (cb_compare_mwu(b, nb, n, nn, &r->test) != 0 || relative_shift(c, b, nb, n, nn, r))
        return -1;
    r->verdict = r->tested = judge(r, c->opts.alpha, c->opts.threshold);
    if (nb < c->opts.min_samples || nn < c->opts.min_samples) {
        r->verdict = CB_VERDICT_UNRELIABLE;
        snprintf(r->note, sizeof r->note, "%zu vs %zu samples (< %zu); the test alone says %s",
                 nb, nn, c->opts.min_samples, cb_compare_verdict_name(r->tested));
    }
    return 0;
}

static int compare_values(struct cb_comparison *c, const struct cb_loaded_cell *b,
                          const struct cb_loaded_cell *n, struct cb_compare_row *r)
{
    double sb = 1, sn = 1, *vb = NULL, *vn = NULL;
    size_t nb, nn;
    int rc = -1;

    r->per_floor = c->opts.per_floor && floor_in(c, &c->base, b) && floor_in(c, &c->new_, n);
    if (c->opts.normalize) {
        sb = norm_scale(c, &c->base, b, r->per_floor);
        sn = norm_scale(c, &c->new_, n, r->per_floor);
        r->normalized = sb > 0 && sn > 0;
        sb = r->normalized ? sb : 1;
        sn = r->normalized ? sn : 1;
    }
    vb = cb_compare_values(b, c->opts.metric, sb, r->per_floor, &nb);
    vn = cb_compare_values(n, c->opts.metric, sn, r->per_floor, &nn);
    if (vb && vn && nb == 0 && nn == 0 && c->opts.metric == CB_METRIC_MEMORY) {
        /* Nothing to be unsure about: the mode measures no memory. */
        r->verdict = r->tested = CB_VERDICT_NOT_COMPARABLE;
        r->nbase = r->nnew = 0;
        const struct cb_executor *x = cb_executor_find(b->mode);

        snprintf(r->note, sizeof r->note, "no memory readings in either file%s%s%s",
                 x && !x->concurrent ? " (" : "", x && !x->concurrent ? x->name : "",
                 x && !x->concurrent ? " runs one worker at a time)" : "");
        rc = 0;
    } else if (vb && vn) {
        rc = cb_compare_test(c, vb, nb, vn, nn, r);
        if (rc == 0 && c->opts.metric == CB_METRIC_WALL && !c->opts.wall_only &&
            !r->normalized && r->verdict <= CB_VERDICT_INCONCLUSIVE)
            rc = cb_compare_work_check(c, b, n, r);
    }
    free(vb);
    free(vn);
    return rc;
}

/* Unknown until a test says otherwise: NaN, which the JSON writes as null. */
static void unknown(struct cb_compare_row *r)
{
    r->shift.estimate = r->shift.lo = r->shift.hi = NAN;
    r->change = r->test.p = r->test.u = NAN;
    r->base_median = r->new_median = r->cpu_change = NAN;
}

static int compare_pair(struct cb_comparison *c, const struct cb_loaded_cell *b,
                        const struct cb_loaded_cell *n, struct cb_compare_row *r)
{
    char why[160];

    unknown(r);
    r->nbase = b->nsamples;
    r->nnew = n->nsamples;
    if (!cell_ok(n)) {
        r->verdict = r->tested = CB_VERDICT_FAILED;
        r->missing = cell_ok(b);
        snprintf(r->note, sizeof r->note, "NEW status: %s", n->status);
    } else if (!cell_ok(b)) {
        /* BASE measured nothing here: NEW cannot be blamed for a gap. */
        r->verdict = r->tested = CB_VERDICT_NOT_COMPARABLE;
        snprintf(r->note, sizeof r->note, "BASE status: %s", b->status);
    } else if (cells_differ(b, n, "BASE", "NEW", why, sizeof why) ||
               choices_differ(b, n, why, sizeof why)) {
        r->verdict = r->tested = CB_VERDICT_NOT_COMPARABLE;
        r->missing = r->params_differ = true;
        snprintf(r->note, sizeof r->note, "%s", why);
    } else {
        return compare_values(c, b, n, r);
    }
    return 0;
}

/* ---- threads against processes within a file ------------------------- */

static bool is_cell(const struct cb_loaded_cell *c, const char *task, const char *mode,
                    uint32_t workers)
{
    return c && cell_ok(c) && strcmp(c->task, task) == 0 && strcmp(c->mode, mode) == 0 &&
           c->workers == workers;
}

/* first/second of the contrasted pair (threads/processes) in l from the
 * HL shift of the log times: below 1, the first is faster. Returns -1
 * only on allocation failure. */
static int file_ratio(const struct cb_comparison *c, const struct cb_loaded *l,
                      const char *task, uint32_t workers, struct cb_compare_ratio *out)
{
    char tn[128], pn[128], why[160];
    const struct cb_loaded_cell *t, *p;
    const char *first, *second;
    struct cb_loaded_cell want;
    double *vt, *vp;
    size_t nt, np;
    int rc;

    if (!cb_executor_pair(&first, &second))
        return 0;
    snprintf(tn, sizeof tn, "%s/%s/%u", task, first, workers);
    snprintf(pn, sizeof pn, "%s/%s/%u", task, second, workers);
    t = cb_load_find(l, tn);
    p = cb_load_find(l, pn);
    if (!is_cell(t, task, first, workers) || !is_cell(p, task, second, workers))
        return 0;
    want = *t;
    snprintf(want.mode, sizeof want.mode, "%s", second);
    if (cells_differ(&want, p, tn, pn, why, sizeof why))
        return 0;
    vt = cb_compare_values(t, c->opts.metric, 1, false, &nt);
    vp = cb_compare_values(p, c->opts.metric, 1, false, &np);
    rc = vt && vp ? 0 : -1;
    if (vt && vp && nt && np && cb_compare_positive(vt, nt) && cb_compare_positive(vp, np) &&
        cb_compare_hl(vp, np, vt, nt, c->opts.alpha, true, &out->ratio) == 0) {
        bool bounded = isfinite(out->ratio.lo) && isfinite(out->ratio.hi);

        out->valid = true;
        out->ratio.estimate = exp(out->ratio.estimate);
        /* Too few samples for the level: unknown, not 0 and infinity. */
        out->ratio.lo = bounded ? exp(out->ratio.lo) : NAN;
        out->ratio.hi = bounded ? exp(out->ratio.hi) : NAN;
    }
    free(vt);
    free(vp);
    return rc;
}

static int add_ratio(struct cb_comparison *c, const struct cb_loaded_cell *cell)
{
    struct cb_compare_ratio_row *r = &c->ratios[c->nratios];

    memset(r, 0, sizeof *r);
    if (file_ratio(c, &c->base, cell->task, cell->workers, &r->base) != 0 ||
        file_ratio(c, &c->new_, cell->task, cell->workers, &r->new_) != 0)
        return -1;
    snprintf(r->task, sizeof r->task, "%s", cell->task);
    r->workers = cell->workers;
    c->nratios += r->base.valid || r->new_.valid;
    return 0;
}

static int add_ratios(struct cb_comparison *c, struct cb_error *err)
{
    const char *first = "", *second = "";

    c->ratios = calloc(c->base.ncells + c->new_.ncells + 1, sizeof *c->ratios);
    if (!c->ratios)
        goto oom;
    if (!cb_executor_pair(&first, &second))
        return 0;
    for (size_t i = 0; i < c->base.ncells; i++)
        if (strcmp(c->base.cells[i].mode, first) == 0 &&
            add_ratio(c, &c->base.cells[i]) != 0)
            goto oom;
    for (size_t i = 0; i < c->new_.ncells; i++) {
        const struct cb_loaded_cell *n = &c->new_.cells[i];
        const struct cb_loaded_cell *b = cb_load_find(&c->base, n->name);

        /* A name BASE has in the first mode was handled above. */
        if (strcmp(n->mode, first) == 0 && !(b && strcmp(b->mode, first) == 0) &&
            add_ratio(c, n) != 0)
            goto oom;
    }
    return 0;
oom:
    cb_error_set(err, "out of memory comparing %s and %s", c->base.path, c->new_.path);
    return -1;
}

/* ---- the whole comparison ---------------------------------------------- */

static void only_in(struct cb_compare_row *r, const struct cb_loaded_cell *cell,
                    enum cb_verdict v)
{
    snprintf(r->name, sizeof r->name, "%s", cell->name);
    r->verdict = r->tested = v;
    unknown(r);
    r->missing = v == CB_VERDICT_ONLY_BASE && cell_ok(cell);
    if (v == CB_VERDICT_ONLY_BASE)
        r->nbase = cell->nsamples;
    else
        r->nnew = cell->nsamples;
}

static int compare_rows(struct cb_comparison *c, struct cb_error *err)
{
    c->rows = calloc(c->base.ncells + c->new_.ncells + 1, sizeof *c->rows);
    if (!c->rows)
        goto oom;
    for (size_t i = 0; i < c->base.ncells; i++) {
        const struct cb_loaded_cell *b = &c->base.cells[i];
        const struct cb_loaded_cell *n = cb_load_find(&c->new_, b->name);
        struct cb_compare_row *r = &c->rows[c->nrows++];

        if (!n) {
            only_in(r, b, CB_VERDICT_ONLY_BASE);
            continue;
        }
        snprintf(r->name, sizeof r->name, "%s", b->name);
        if (compare_pair(c, b, n, r) != 0)
            goto oom;
    }
    for (size_t i = 0; i < c->new_.ncells; i++)
        if (!cb_load_find(&c->base, c->new_.cells[i].name))
            only_in(&c->rows[c->nrows++], &c->new_.cells[i], CB_VERDICT_ONLY_NEW);
    return 0;
oom:
    cb_error_set(err, "out of memory comparing %s and %s", c->base.path, c->new_.path);
    return -1;
}

static bool has_medians(const struct cb_compare_row *r)
{
    return r->verdict <= CB_VERDICT_UNRELIABLE && r->base_median > 0 && r->new_median > 0;
}

static void geomean(struct cb_comparison *c)
{
    double sum = 0;

    c->ngeomean = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        if (has_medians(&c->rows[i])) {
            sum += log(c->rows[i].new_median / c->rows[i].base_median);
            c->ngeomean++;
        }
    }
    c->geomean = c->ngeomean ? expm1(sum / (double)c->ngeomean) : NAN;
}

int cb_compare_loaded(const struct cb_compare_opts *o, struct cb_loaded *base,
                      struct cb_loaded *new_, struct cb_comparison *out,
                      struct cb_error *err)
{
    memset(out, 0, sizeof *out);
    out->opts = *o;
    out->base = *base;
    out->new_ = *new_;
    memset(base, 0, sizeof *base);
    memset(new_, 0, sizeof *new_);
    cb_compare_context_diffs(out);
    if (compare_rows(out, err) != 0 || add_ratios(out, err) != 0) {
        cb_compare_free(out);
        return -1;
    }
    geomean(out);
    return 0;
}

int cb_compare_files(const struct cb_compare_opts *o, struct cb_comparison *out,
                     struct cb_error *err)
{
    struct cb_loaded base, new_;

    memset(out, 0, sizeof *out);
    if (cb_load_file(o->base_path, &base, err) != 0)
        return -1;
    if (cb_load_file(o->new_path, &new_, err) != 0) {
        cb_load_free(&base);
        return -1;
    }
    return cb_compare_loaded(o, &base, &new_, out, err);
}

int cb_compare_results(const struct cb_compare_opts *o, struct cb_loaded *base,
                       const struct cb_results *r, struct cb_comparison *out,
                       struct cb_error *err)
{
    struct cb_loaded new_;
    char *json = cb_report_render(r, CB_FORMAT_JSON, false, err);
    int rc = -1;

    memset(out, 0, sizeof *out);
    /* Through the JSON, so a run is read exactly as its file would be. */
    if (json && cb_load_text("this run", json, strlen(json), &new_, err) == 0)
        rc = cb_compare_loaded(o, base, &new_, out, err);
    free(json);
    cb_load_free(base);
    return rc;
}

void cb_compare_free(struct cb_comparison *c)
{
    if (!c)
        return;
    cb_load_free(&c->base);
    cb_load_free(&c->new_);
    free(c->rows);
    free(c->ratios);
    memset(c, 0, sizeof *c);
}
