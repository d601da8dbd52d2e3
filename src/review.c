/* The review behind `concbench report FILE...`: figures of loaded result
 * files, rendered as text tables or markdown, several files side by side. */
#include "concbench/review.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/answer.h"
#include "concbench/executor.h"
#include "concbench/stats.h"
#include "concbench/units.h"
#include "grid.h"

#define CELL 64
#define FIGS 4 /* columns per file: wall, speed-up, efficiency, spawn */

/* ---- figures ----------------------------------------------------------- */

static const struct cb_loaded_cell *find_cell(const struct cb_loaded *l, const char *task,
                                              const char *mode, uint32_t workers)
{
    for (size_t i = 0; i < l->ncells; i++) {
        const struct cb_loaded_cell *c = &l->cells[i];

        if (c->workers == workers && strcmp(c->task, task) == 0 && strcmp(c->mode, mode) == 0)
            return c;
    }
    return NULL;
}

static bool usable(const struct cb_loaded_cell *c)
{
    return c && strcmp(c->status, "ok") == 0 && c->nsamples > 0;
}

/* cb_stats_median with the error a report needs when memory runs out. */
static int median_of(const double *v, size_t n, double *out, struct cb_error *err)
{
    if (cb_stats_median(v, n, out) == 0)
        return 0;
    cb_error_set(err, "out of memory for a median of %zu values", n);
    return -1;
}

static int median_wall(const struct cb_loaded_cell *c, double *out, struct cb_error *err)
{
    *out = NAN;
    return usable(c) ? median_of(c->wall, c->nsamples, out, err) : 0;
}

/* Speed-up over serial at the same workers, else over this mode at 1. */
static int speedup(const struct cb_loaded *l, const struct cb_loaded_cell *c,
                   struct cb_review_figures *f, struct cb_error *err)
{
    const struct cb_executor *bx = cb_executor_baseline();
    const struct cb_loaded_cell *s = bx ? find_cell(l, c->task, bx->name, c->workers) : NULL;
    const struct cb_loaded_cell *one = find_cell(l, c->task, c->mode, 1);
    double base = NAN;

    if (usable(s)) {
        if (median_wall(s, &base, err) != 0)
            return -1;
        f->base = CB_REVIEW_BASE_SERIAL;
    } else if (usable(one)) {
        if (median_wall(one, &base, err) != 0)
            return -1;
        base *= c->workers;
        f->base = CB_REVIEW_BASE_ONE;
    }
    if (f->base != CB_REVIEW_BASE_NONE && base > 0 && f->wall > 0) {
        f->speedup = base / f->wall;
        f->efficiency = f->speedup / c->workers;
    }
    return 0;
}

int cb_review_figures(const struct cb_loaded *l, const struct cb_loaded_cell *c,
                      struct cb_review_figures *out, struct cb_error *err)
{
    *out = (struct cb_review_figures){
        .failed = strcmp(c->status, "ok") != 0, .wall = NAN, .speedup = NAN,
        .base = CB_REVIEW_BASE_NONE, .efficiency = NAN, .spawn = NAN,
    };
    if (out->failed || c->nsamples == 0)
        return 0;
    if (median_wall(c, &out->wall, err) != 0 || speedup(l, c, out, err) != 0 ||
        median_of(c->spawn, c->nsamples, &out->spawn, err) != 0) {
        *out = (struct cb_review_figures){ c->nsamples > 0, NAN, NAN, 0, NAN, NAN };
        return -1;
    }
    return 0;
}

double cb_review_ratio(const struct cb_loaded *l, const char *task, uint32_t workers)
{
    struct cb_error e = { "" };
    const char *first, *second;
    double t = NAN, p = NAN;

    if (!cb_executor_pair(&first, &second) ||
        median_wall(find_cell(l, task, first, workers), &t, &e) != 0 ||
        median_wall(find_cell(l, task, second, workers), &p, &e) != 0 || !(p > 0))
        return NAN;
    return t / p;
}

/* ---- what the tables hold ---------------------------------------------- */

/* The rows of one task across all files: worker counts ascending, modes
 * serial, threads, processes, then the rest by name. */
struct layout {
    uint32_t *workers;
    size_t nworkers;
    const char **modes;
    size_t nmodes;
};

/* The registry's display order; modes this build does not know last. */
static int mode_rank(const char *m)
{
    return cb_executor_order_of(m);
}

static int cmp_mode(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int d = mode_rank(x) - mode_rank(y);

    return d ? d : strcmp(x, y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static void add_cell(struct layout *lay, const struct cb_loaded_cell *c)
{
    size_t i;

    for (i = 0; i < lay->nworkers && lay->workers[i] != c->workers; i++)
        ;
    if (i == lay->nworkers)
        lay->workers[lay->nworkers++] = c->workers;
    for (i = 0; i < lay->nmodes && strcmp(lay->modes[i], c->mode) != 0; i++)
        ;
    if (i == lay->nmodes)
        lay->modes[lay->nmodes++] = c->mode;
}

static int layout_build(const struct cb_loaded *files, size_t n, const char *task,
                        struct layout *lay)
{
    size_t total = 1;

    for (size_t f = 0; f < n; f++)
        total += files[f].ncells;
    lay->workers = calloc(total, sizeof *lay->workers);
    lay->modes = calloc(total, sizeof *lay->modes);
    lay->nworkers = lay->nmodes = 0;
    if (!lay->workers || !lay->modes)
        return -1;
    for (size_t f = 0; f < n; f++)
        for (size_t i = 0; i < files[f].ncells; i++)
            if (strcmp(files[f].cells[i].task, task) == 0)
                add_cell(lay, &files[f].cells[i]);
    qsort(lay->workers, lay->nworkers, sizeof *lay->workers, cmp_u32);
    qsort(lay->modes, lay->nmodes, sizeof *lay->modes, cmp_mode);
    return 0;
}

static void layout_free(struct layout *lay)
{
    free(lay->workers);
    free(lay->modes);
}

/* ---- rendering --------------------------------------------------------- */

struct render {
    struct cb_strbuf sb;
    const struct cb_loaded *files;
    size_t n;
    bool md;
    struct cb_error *err;
};

/* "A " before a column header when there are several files. */
static void header(struct render *rd, struct cb_grid *g, size_t f, size_t col, const char *name)
{
    char b[CELL];

    if (rd->n > 1)
        snprintf(b, sizeof b, "%c %s", (char)('A' + f), name);
    else
        snprintf(b, sizeof b, "%s", name);
    cb_grid_put(g, 0, col, b, false);
}

static void fmt_figures(const struct cb_review_figures *f, char out[FIGS][CELL])
{
    static const char *const base[] = { "", " (serial)", " (1 worker)" };

    for (size_t i = 0; i < FIGS; i++)
        snprintf(out[i], CELL, "-");
    if (f->failed) {
        snprintf(out[0], CELL, "failed");
        return;
    }
    if (!isnan(f->wall))
        cb_units_format_duration(f->wall, out[0], CELL);
    if (!isnan(f->speedup)) {
        snprintf(out[1], CELL, "%.2fx%s", f->speedup, base[f->base]);
        snprintf(out[2], CELL, "%.0f%%", f->efficiency * 100);
    }
    if (!isnan(f->spawn))
        cb_units_format_duration(f->spawn, out[3], CELL);
}

static int fill_row(struct render *rd, struct cb_grid *g, const char *task, uint32_t workers,
                    const char *mode)
{
    static const char *const names[FIGS] = { "wall", "speed-up", "efficiency", "spawn" };
    size_t r = g->nrows++;
    char b[CELL], figs[FIGS][CELL];

    snprintf(b, sizeof b, "%u", workers);
    cb_grid_put(g, r, 0, b, rd->md);
    cb_grid_put(g, r, 1, mode, rd->md);
    for (size_t f = 0; f < rd->n; f++) {
        const struct cb_loaded_cell *c = find_cell(&rd->files[f], task, mode, workers);
        struct cb_review_figures fig = { .failed = false, .wall = NAN, .speedup = NAN,
                                         .efficiency = NAN, .spawn = NAN };

        if (c && cb_review_figures(&rd->files[f], c, &fig, rd->err) != 0)
            return -1;
        fmt_figures(&fig, figs);
        for (size_t k = 0; k < FIGS; k++) {
            header(rd, g, f, 2 + f * FIGS + k, names[k]);
            cb_grid_put(g, r, 2 + f * FIGS + k, c ? figs[k] : "", rd->md);
        }
    }
    return 0;
}

static int render_main(struct render *rd, const char *task, const struct layout *lay)
{
    struct cb_grid g;
    int rc = 0;

    if (cb_grid_init(&g, lay->nworkers * lay->nmodes + 1, 2 + FIGS * rd->n) != 0)
        return cb_error_set(rd->err, "out of memory for the table of %s", task), -1;
    g.nrows = 1; /* row 0: the header */
    cb_grid_put(&g, 0, 0, "workers", false);
    cb_grid_put(&g, 0, 1, "mode", false);
    for (size_t w = 0; w < lay->nworkers && rc == 0; w++)
        for (size_t m = 0; m < lay->nmodes && rc == 0; m++)
            for (size_t f = 0; f < rd->n; f++)
                if (find_cell(&rd->files[f], task, lay->modes[m], lay->workers[w])) {
                    rc = fill_row(rd, &g, task, lay->workers[w], lay->modes[m]);
                    break;
                }
    if (rc == 0)
        cb_grid_render(&rd->sb, &g, rd->md, false);
    cb_grid_free(&g);
    return rc;
}

/* A titled table below a task's main one, shown when any row has a figure. */
static void put_section(struct render *rd, const struct cb_grid *g, bool any, const char *title)
{
    if (!any)
        return;
    cb_strbuf_printf(&rd->sb, "\n%s%s:\n%s", rd->md ? "#### " : "", title, rd->md ? "\n" : "");
    cb_grid_render(&rd->sb, g, rd->md, false);
}

static int render_ratios(struct render *rd, const char *task, const struct layout *lay)
{
    struct cb_grid g;
    char b[CELL];
    bool any = false;

    if (cb_grid_init(&g, lay->nworkers + 1, 1 + rd->n) != 0)
        return cb_error_set(rd->err, "out of memory for the ratios of %s", task), -1;
    g.nrows = 1; /* row 0: the header */
    cb_grid_put(&g, 0, 0, "workers", false);
    const char *first = "", *second = "";
    char pair[CELL - 2];

    cb_executor_pair(&first, &second);
    snprintf(pair, sizeof pair, "%s/%s", first, second);
    for (size_t f = 0; f < rd->n; f++)
        header(rd, &g, f, 1 + f, pair);
    for (size_t w = 0; w < lay->nworkers; w++) {
        size_t r = g.nrows;
        bool row = false;

        snprintf(b, sizeof b, "%u", lay->workers[w]);
        cb_grid_put(&g, r, 0, b, rd->md);
        for (size_t f = 0; f < rd->n; f++) {
            double v = cb_review_ratio(&rd->files[f], task, lay->workers[w]);

            snprintf(b, sizeof b, isnan(v) ? "-" : "%.2f", v);
            cb_grid_put(&g, r, 1 + f, b, rd->md);
            row |= !isnan(v);
        }
        g.nrows += row;
        any |= row;
    }
    put_section(rd, &g, any, "Threads / processes, median wall time (below 1: threads are "
                "faster)");
    cb_grid_free(&g);
    return 0;
}

#define CLAIMS 3 /* columns per file in one table of figures */

/* A table of a cell's figures: three columns per file. */
struct figures {
    const char *names[CLAIMS];
    const char *title;
    /* The figures of cell c into v (NAN: not measured). */
    void (*get)(const struct cb_loaded_cell *c, double v[CLAIMS]);
    /* How figure k is written into out. */
    void (*fmt)(size_t k, double v, char *out, size_t len);
};

static void claims_get(const struct cb_loaded_cell *c, double v[CLAIMS])
{
    v[0] = c->mem_kib;
    v[1] = c->handoff;
    v[2] = c->gil_wait;
}

static void claims_fmt(size_t k, double v, char *out, size_t len)
{
    if (k == 0)
        cb_units_format_size(v * 1024, out, len);
    else
        cb_units_format_duration(v, out, len);
}

static void ops_get(const struct cb_loaded_cell *c, double v[CLAIMS])
{
    v[0] = c->per_op;
    v[1] = c->ops_per_s;
    v[2] = c->lost_updates;
}

static void ops_fmt(size_t k, double v, char *out, size_t len)
{
    if (k == 0)
        cb_units_format_duration(v, out, len);
    else
        snprintf(out, len, k == 1 ? "%.3g" : "%.0f", v);
}

static const struct figures claims_figures = {
    { "mem/worker", "hand-off", "GIL wait" },
    "Memory per live worker (PSS), payload hand-off and GIL wait, medians",
    claims_get, claims_fmt,
};

static const struct figures ops_figures = {
    { "per op", "ops/s", "lost updates" },
    "Per operation (the address-space tasks, lock) and updates lost "
    "(--lock=none, not a failure), medians",
    ops_get, ops_fmt,
};

/* The figures of one cell as text, "-" where not measured; returns
 * whether any was. */
static bool fmt_cell_figures(const struct figures *fs, const struct cb_loaded_cell *c,
                        char out[CLAIMS][CELL])
{
    double v[CLAIMS] = { NAN, NAN, NAN };
    bool any = false;

    if (c)
        fs->get(c, v);
    for (size_t k = 0; k < CLAIMS; k++) {
        snprintf(out[k], CELL, "-");
        if (!isnan(v[k]))
            fs->fmt(k, v[k], out[k], CELL);
        any |= !isnan(v[k]);
    }
    return any;
}

/* One row of a figures table; counted only when some file has a figure. */
static bool figures_row(struct render *rd, const struct figures *fs, struct cb_grid *g,
                        const char *task, uint32_t workers, const char *mode)
{
    size_t r = g->nrows;
    char b[CELL], figs[CLAIMS][CELL];
    bool any = false;

    snprintf(b, sizeof b, "%u", workers);
    cb_grid_put(g, r, 0, b, rd->md);
    cb_grid_put(g, r, 1, mode, rd->md);
    for (size_t f = 0; f < rd->n; f++) {
        any |= fmt_cell_figures(fs, find_cell(&rd->files[f], task, mode, workers), figs);
        for (size_t k = 0; k < CLAIMS; k++) {
            header(rd, g, f, 2 + f * CLAIMS + k, fs->names[k]);
            g->right[2 + f * CLAIMS + k] = true;
            cb_grid_put(g, r, 2 + f * CLAIMS + k, figs[k], rd->md);
        }
    }
    g->nrows += any;
    return any;
}

/* A table of figures (memory, hand-off, GIL wait; per operation, lost
 * updates), when some file measured them. */
static int render_figures(struct render *rd, const struct figures *fs, const char *task,
                          const struct layout *lay)
{
    struct cb_grid g;
    bool any = false;

    if (cb_grid_init(&g, lay->nworkers * lay->nmodes + 1, 2 + CLAIMS * rd->n) != 0)
        return cb_error_set(rd->err, "out of memory for the figures of %s", task), -1;
    g.nrows = 1; /* row 0: the header */
    cb_grid_put(&g, 0, 0, "workers", false);
    cb_grid_put(&g, 0, 1, "mode", false);
    for (size_t w = 0; w < lay->nworkers; w++)
        for (size_t m = 0; m < lay->nmodes; m++)
            any |= figures_row(rd, fs, &g, task, lay->workers[w], lay->modes[m]);
    put_section(rd, &g, any, fs->title);
    cb_grid_free(&g);
    return 0;
}

/* ---- which model wins --------------------------------------------------- */

/* One mode of a task at one job count in one file, for ranking. */
struct entry {
    const struct cb_loaded_cell *c;
    bool ok;            /* usable: ranked */
    double median, mad; /* of its wall times */
};

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    const char *mx = x->c->mode, *my = y->c->mode;

    if (x->ok != y->ok)
        return x->ok ? -1 : 1;
    if (x->ok && x->median != y->median)
        return x->median < y->median ? -1 : 1;
    return cmp_mode(&mx, &my);
}

/* The modes file f ran task with at workers into out (room for
 * lay->nmodes), the fastest median wall time first, failed ones last. */
static int rank_modes(struct render *rd, size_t f, const char *task, uint32_t workers,
                      const struct layout *lay, struct entry *out, size_t *n)
{
    *n = 0;
    for (size_t m = 0; m < lay->nmodes; m++) {
        const struct cb_loaded_cell *c = find_cell(&rd->files[f], task, lay->modes[m], workers);
        struct entry *e = &out[*n];
        struct cb_stats st;

        if (!c)
            continue;
        *e = (struct entry){ c, usable(c), NAN, NAN };
        if (e->ok && cb_stats_compute(c->wall, c->nsamples, &st) != 0)
            return cb_error_set(rd->err, "out of memory ranking %s", task), -1;
        if (e->ok) {
            e->median = st.median;
            e->mad = st.mad;
        }
        (*n)++;
    }
    qsort(out, *n, sizeof *out, cmp_entry);
    return 0;
}

/* The winner's line: "A, 8 jobs: X ran 1.90 ± 0.10 times faster than Y". */
static void win_line(struct render *rd, size_t f, uint32_t workers, const struct entry *e,
                     size_t n, struct cb_strbuf *lines)
{
    struct cb_answer_ratio r;
    char phrase[256], clean[256];

    if (n < 2 || !e[0].ok)
        return;
    cb_strbuf_puts(lines, rd->md ? "- " : "  ");
    if (rd->n > 1)
        cb_strbuf_printf(lines, "%c, ", (char)('A' + f));
    cb_strbuf_printf(lines, "%u job%s: ", workers, workers == 1 ? "" : "s");
    if (!e[1].ok || !cb_answer_ratio_of(e[0].median, e[0].mad, e[1].median, e[1].mad, &r))
        snprintf(phrase, sizeof phrase, "only %s ran", e[0].c->mode);
    else
        cb_answer_phrase(phrase, sizeof phrase, e[0].c->mode, e[1].c->mode, &r);
    cb_grid_escape(clean, sizeof clean, phrase, rd->md);
    cb_strbuf_printf(lines, "%s\n", clean);
}

/* The rows of one ranking: rank, mode, wall, how much slower than the
 * winner (the ratio ± its spread, as the answer line has it). */
static void win_rows(struct render *rd, struct cb_grid *g, size_t f, uint32_t workers,
                     const struct entry *e, size_t n)
{
    size_t k = rd->n > 1;
    char b[CELL];

    for (size_t i = 0; i < n; i++) {
        size_t r = g->nrows++;
        struct cb_answer_ratio q;

        snprintf(b, sizeof b, "%u", workers);
        cb_grid_put(g, r, 0, b, rd->md);
        snprintf(b, sizeof b, "%c", (char)('A' + f));
        if (k)
            cb_grid_put(g, r, 1, b, rd->md);
        snprintf(b, sizeof b, e[i].ok ? "%zu" : "-", i + 1);
        cb_grid_put(g, r, 1 + k, b, rd->md);
        cb_grid_put(g, r, 2 + k, e[i].c->mode, rd->md);
        snprintf(b, sizeof b, "failed");
        if (e[i].ok)
            cb_units_format_duration(e[i].median, b, sizeof b);
        cb_grid_put(g, r, 3 + k, b, rd->md);
        snprintf(b, sizeof b, "%s", i == 0 && e[i].ok ? "winner" : "-");
        if (i > 0 && e[i].ok &&
            cb_answer_ratio_of(e[0].median, e[0].mad, e[i].median, e[i].mad, &q))
            snprintf(b, sizeof b, "%.2f ± %.2fx", q.ratio, q.err);
        cb_grid_put(g, r, 4 + k, b, rd->md);
    }
}

static void win_header(struct render *rd, struct cb_grid *g)
{
    static const char *const names[] = { "jobs", "file", "rank", "mode", "wall", "× winner" };
    size_t k = rd->n > 1;

    for (size_t i = 0, c = 0; i < 6; i++)
        if (i != 1 || k)
            cb_grid_put(g, 0, c++, names[i], false);
    g->right[3 + k] = g->right[4 + k] = true;
}

/* Per job count, every mode the task ran ranked by median wall time and
 * the winner's margin over the runner-up; shown where two modes ran. */
static int render_wins(struct render *rd, const char *task, const struct layout *lay)
{
    struct entry *e = calloc(lay->nmodes + 1, sizeof *e);
    struct cb_strbuf lines;
    struct cb_grid g;
    size_t n;
    int rc = 0;

    if (!e || cb_grid_init(&g, rd->n * lay->nworkers * lay->nmodes + 1, 5 + (rd->n > 1)) != 0) {
        free(e);
        return cb_error_set(rd->err, "out of memory for the winners of %s", task), -1;
    }
    cb_strbuf_init(&lines);
    g.nrows = 1; /* row 0: the header */
    win_header(rd, &g);
    for (size_t w = 0; w < lay->nworkers && rc == 0; w++)
        for (size_t f = 0; f < rd->n && rc == 0; f++) {
            rc = rank_modes(rd, f, task, lay->workers[w], lay, e, &n);
            if (rc != 0 || n < 2)
                continue;
            win_rows(rd, &g, f, lay->workers[w], e, n);
            win_line(rd, f, lay->workers[w], e, n, &lines);
        }
    if (rc == 0 && g.nrows > 1) {
        put_section(rd, &g, true, "Which model wins: per job count, every mode ranked by "
                    "median wall time (× winner: how many times slower)");
        cb_strbuf_printf(&rd->sb, "\n%s", lines.buf ? lines.buf : "");
    }
    if (lines.failed)
        rd->sb.failed = true;
    cb_strbuf_free(&lines);
    cb_grid_free(&g);
    free(e);
    return rc;
}

/* ---- pools' and the loop's latency -------------------------------------- */

#define LAT 8 /* percentile columns: dispatch, queue wait, completion, lateness */

static void lat_get(const struct cb_loaded_cell *c, double v[LAT])
{
    const double *const src[LAT / 2] = { c->dispatch, c->queue_wait, c->completion,
                                         c->lateness };

    for (size_t i = 0; i < LAT; i++)
        v[i] = src[i / 2][i % 2];
}

/* Which percentile columns any benchmark of task in any file has. */
static bool lat_columns(const struct render *rd, const char *task, bool col[LAT])
{
    bool any = false;
    double v[LAT];

    memset(col, 0, LAT * sizeof *col);
    for (size_t f = 0; f < rd->n; f++)
        for (size_t i = 0; i < rd->files[f].ncells; i++) {
            if (strcmp(rd->files[f].cells[i].task, task) != 0)
                continue;
            lat_get(&rd->files[f].cells[i], v);
            for (size_t k = 0; k < LAT; k++) {
                col[k] |= !isnan(v[k]);
                any |= !isnan(v[k]);
            }
        }
    return any;
}

/* One row per benchmark with a percentile: jobs, [file], mode, then the
 * columns in col. */
static void lat_row(struct render *rd, struct cb_grid *g, size_t f,
                    const struct cb_loaded_cell *c, const bool col[LAT])
{
    size_t k = rd->n > 1, r = g->nrows, at = 2 + k;
    double v[LAT];
    char b[CELL];
    bool any = false;

    lat_get(c, v);
    snprintf(b, sizeof b, "%u", c->workers);
    cb_grid_put(g, r, 0, b, rd->md);
    snprintf(b, sizeof b, "%c", (char)('A' + f));
    if (k)
        cb_grid_put(g, r, 1, b, rd->md);
    cb_grid_put(g, r, 1 + k, c->mode, rd->md);
    for (size_t i = 0; i < LAT; i++) {
        if (!col[i])
            continue;
        snprintf(b, sizeof b, "-");
        if (!isnan(v[i]))
            cb_units_format_duration(v[i], b, sizeof b);
        any |= !isnan(v[i]);
        g->right[at] = true;
        cb_grid_put(g, r, at++, b, rd->md);
    }
    g->nrows += any;
}

static void lat_header(struct render *rd, struct cb_grid *g, const bool col[LAT])
{
    static const char *const names[LAT] = {
        "dispatch p50", "dispatch p99", "queue wait p50", "queue wait p99",
        "completion p50", "completion p99", "lateness p50", "lateness p99",
    };
    size_t k = rd->n > 1, at = 2 + k;

    cb_grid_put(g, 0, 0, "jobs", false);
    if (k)
        cb_grid_put(g, 0, 1, "file", false);
    cb_grid_put(g, 0, 1 + k, "mode", false);
    for (size_t i = 0; i < LAT; i++)
        if (col[i])
            cb_grid_put(g, 0, at++, names[i], false);
}

/* The pools' dispatch, queue wait and completion latency and the loop's
 * lateness, median and p99, where a file has them. */
static int render_latency(struct render *rd, const char *task, const struct layout *lay)
{
    bool col[LAT];
    struct cb_grid g;
    size_t ncols = 2 + (rd->n > 1);

    if (!lat_columns(rd, task, col))
        return 0;
    for (size_t i = 0; i < LAT; i++)
        ncols += col[i];
    if (cb_grid_init(&g, rd->n * lay->nworkers * lay->nmodes + 1, ncols) != 0)
        return cb_error_set(rd->err, "out of memory for the latency of %s", task), -1;
    g.nrows = 1; /* row 0: the header */
    lat_header(rd, &g, col);
    for (size_t w = 0; w < lay->nworkers; w++)
        for (size_t m = 0; m < lay->nmodes; m++)
            for (size_t f = 0; f < rd->n; f++) {
                const struct cb_loaded_cell *c =
                    find_cell(&rd->files[f], task, lay->modes[m], lay->workers[w]);

                if (c)
                    lat_row(rd, &g, f, c, col);
            }
    put_section(rd, &g, g.nrows > 1, "Pools' dispatch, queue wait and completion latency, the "
                "loop's lateness: p50 and p99 over every job of every sample");
    cb_grid_free(&g);
    return 0;
}

static int render_task(struct render *rd, const char *task)
{
    struct layout lay = { 0 };
    int rc = -1;

    if (layout_build(rd->files, rd->n, task, &lay) != 0) {
        cb_error_set(rd->err, "out of memory laying out task %s", task);
        goto out;
    }
    cb_strbuf_printf(&rd->sb, "\n%s", rd->md ? "### Task " : "Task ");
    cb_strbuf_puts(&rd->sb, task);
    cb_strbuf_puts(&rd->sb, "\n\n");
    if (render_main(rd, task, &lay) == 0 && render_wins(rd, task, &lay) == 0 &&
        render_latency(rd, task, &lay) == 0 && render_ratios(rd, task, &lay) == 0 &&
        render_figures(rd, &claims_figures, task, &lay) == 0 &&
        render_figures(rd, &ops_figures, task, &lay) == 0)
        rc = 0;
out:
    layout_free(&lay);
    return rc;
}

/* Returns whether task was already seen before cell i of file f. */
static bool seen_task(const struct render *rd, size_t f, size_t i)
{
    const char *task = rd->files[f].cells[i].task;

    for (size_t g = 0; g <= f; g++)
        for (size_t j = 0; j < (g == f ? i : rd->files[g].ncells); j++)
            if (strcmp(rd->files[g].cells[j].task, task) == 0)
                return true;
    return false;
}

/* Text from a file: one line, no control characters, markdown escaped. */
static void put_text(struct render *rd, const char *s)
{
    for (; *s; s++) {
        if (rd->md && strchr("\\|*_`<>[]", *s))
            cb_strbuf_puts(&rd->sb, "\\");
        cb_strbuf_append(&rd->sb, (unsigned char)*s < 0x20 || *s == 0x7f ? "?" : s, 1);
    }
}

static bool same_label(const struct cb_loaded *a, const struct cb_loaded *b)
{
    return strcmp(a->context.hostname, b->context.hostname) == 0 &&
           strcmp(a->context.cpu_model, b->context.cpu_model) == 0;
}

/* "A: host, cpu", with the file name when another file looks the same. */
static void render_legend(struct render *rd)
{
    for (size_t f = 0; f < rd->n; f++) {
        bool dup = false;

        for (size_t g = 0; g < rd->n; g++)
            dup |= g != f && same_label(&rd->files[f], &rd->files[g]);
        cb_strbuf_puts(&rd->sb, rd->md ? "- " : "  ");
        if (rd->n > 1)
            cb_strbuf_printf(&rd->sb, "%c: ", (char)('A' + f));
        put_text(rd, rd->files[f].context.hostname);
        cb_strbuf_puts(&rd->sb, ", ");
        put_text(rd, rd->files[f].context.cpu_model);
        if (dup) {
            cb_strbuf_puts(&rd->sb, " (");
            put_text(rd, rd->files[f].path ? rd->files[f].path : "?");
            cb_strbuf_puts(&rd->sb, ")");
        }
        cb_strbuf_puts(&rd->sb, "\n");
    }
}

char *cb_review_render(const struct cb_loaded *files, size_t n,
                       enum cb_format format, struct cb_error *err)
{
    struct render rd = { .files = files, .n = n, .md = format == CB_FORMAT_MARKDOWN, .err = err };

    if ((format != CB_FORMAT_TABLE && format != CB_FORMAT_MARKDOWN) || n == 0 ||
        n > CB_REVIEW_MAX_FILES) {
        cb_error_set(err, "report: cannot render %zu files as %s", n, cb_format_name(format));
        return NULL;
    }
    cb_strbuf_init(&rd.sb);
    cb_strbuf_puts(&rd.sb, rd.md ? "## concbench report\n\n" : "concbench report of\n");
    render_legend(&rd);
    cb_strbuf_printf(&rd.sb, "%sspeed-up: over serial at the same worker count (serial), "
                     "else over the same mode at 1 worker (1 worker); efficiency: "
                     "speed-up / workers; spawn: median creation latency.\n",
                     rd.md ? "\n" : "");
    for (size_t f = 0; f < n; f++)
        for (size_t i = 0; i < files[f].ncells; i++)
            if (!seen_task(&rd, f, i) && render_task(&rd, files[f].cells[i].task) != 0) {
                cb_strbuf_free(&rd.sb);
                return NULL;
            }
    return cb_strbuf_finish(&rd.sb, err);
}

char *cb_review_files(const struct cb_review_opts *o, char **warnings,
                      struct cb_error *err)
{
    /* On the heap: 16 loaded files are too much for a small stack. */
    struct cb_loaded *files;
    char *text = NULL;
    size_t n = 0;

    if (warnings)
        *warnings = NULL;
    if (o->npaths > CB_REVIEW_MAX_FILES) {
        cb_error_set(err, "report: at most %d files", CB_REVIEW_MAX_FILES);
        return NULL;
    }
    files = calloc(CB_REVIEW_MAX_FILES, sizeof *files);
    if (!files) {
        cb_error_set(err, "report: out of memory");
        return NULL;
    }
    for (; n < o->npaths; n++)
        if (cb_load_file(o->paths[n], &files[n], err) != 0)
            goto out;
    if (warnings && !(*warnings = cb_review_pool_warnings(files, n, err)))
        goto out;
    text = cb_review_render(files, n, o->format, err);
    if (!text && warnings) {
        free(*warnings);
        *warnings = NULL;
    }
out:
    for (size_t i = 0; i < n; i++)
        cb_load_free(&files[i]);
    free(files);
    return text;
}
