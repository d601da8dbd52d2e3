#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "concbench/units.h"
#include "concbench/version.h"
#include "report_internal.h"
#include "strbuf.h"

#define NS_PER_S 1e9

enum {
    COL_NAME, COL_STATUS, COL_MEDIAN, COL_MAD, COL_MIN, COL_MAX, COL_CV,
    COL_SPAWN, COL_SPEEDUP, COL_UTIL, NCOLS
};

static const char *const headers[NCOLS] = {
    "benchmark", "status", "median wall", "±MAD", "min", "max", "CV%",
    "spawn median", "speed-up", "CPU util",
};

/* Room for an escaped status (192 bytes, every byte possibly escaped). */
struct row {
    char col[NCOLS][400];
};

/* Copies s into dst; for markdown with a backslash before every
 * character markdown would take as syntax, so free text cannot break the
 * table. */
static void copy_text(char *dst, size_t len, const char *s, bool markdown)
{
    size_t j = 0;

    for (; *s && j + 2 < len; s++) {
        if (markdown && strchr("\\|*_`<>[]", *s))
            dst[j++] = '\\';
        dst[j++] = *s;
    }
    dst[j] = '\0';
}

static void fmt_duration(char *buf, size_t len, const struct cb_stats *s, double v)
{
    if (s->n == 0)
        snprintf(buf, len, "-");
    else
        cb_units_format_duration(v, buf, len);
}

static void format_row(const struct cb_cell *c, bool markdown, struct row *row)
{
    char mad[64];
    size_t len = sizeof row->col[0];

    copy_text(row->col[COL_NAME], len, c->name, markdown);
    copy_text(row->col[COL_STATUS], len, c->status, markdown);
    fmt_duration(row->col[COL_MEDIAN], len, &c->wall, c->wall.median);
    fmt_duration(mad, sizeof mad, &c->wall, c->wall.mad);
    snprintf(row->col[COL_MAD], len, "%s%s", c->wall.n ? "±" : "", mad);
    fmt_duration(row->col[COL_MIN], len, &c->wall, c->wall.min);
    fmt_duration(row->col[COL_MAX], len, &c->wall, c->wall.max);
    if (c->wall.n)
        snprintf(row->col[COL_CV], len, "%.1f", c->wall.cv * 100);
    else
        snprintf(row->col[COL_CV], len, "-");
    fmt_duration(row->col[COL_SPAWN], len, &c->spawn, c->spawn.median);
    if (isnan(c->speedup))
        snprintf(row->col[COL_SPEEDUP], len, "-");
    else
        snprintf(row->col[COL_SPEEDUP], len, "%.2fx", c->speedup);
    if (c->util.n)
        snprintf(row->col[COL_UTIL], len, "%.0f%%", c->util.median * 100);
    else
        snprintf(row->col[COL_UTIL], len, "-");
}

/* sgr, when not NULL, colours s; padding counts only what is visible. */
static void put_cell(struct cb_strbuf *sb, const char *s, size_t width, int col,
                     bool markdown, const char *sgr)
{
    size_t pad = width - cb_strbuf_width(s);
    bool left = col == COL_NAME || col == COL_STATUS;

    cb_strbuf_puts(sb, markdown ? (col ? " | " : "| ") : (col ? "  " : ""));
    if (!left)
        cb_strbuf_repeat(sb, ' ', pad);
    cb_strbuf_printf(sb, "%s%s%s", sgr ? sgr : "", s, sgr ? "\033[0m" : "");
    /* Plain text: no trailing blanks after the last column. */
    if (left && (markdown || col != NCOLS - 1))
        cb_strbuf_repeat(sb, ' ', pad);
    if (markdown && col == NCOLS - 1)
        cb_strbuf_puts(sb, " |");
}

static void put_line(struct cb_strbuf *sb, const char *const *cols,
                     const size_t *widths, bool markdown, const char *status_sgr)
{
    for (int i = 0; i < NCOLS; i++)
        put_cell(sb, cols[i], widths[i], i, markdown, i == COL_STATUS ? status_sgr : NULL);
    cb_strbuf_puts(sb, "\n");
}

/* The line under the header: dashes, or markdown alignment markers. */
static void put_rule(struct cb_strbuf *sb, const size_t *widths, bool markdown)
{
    for (int i = 0; i < NCOLS; i++) {
        bool left = i == COL_NAME || i == COL_STATUS;

        if (!markdown) {
            cb_strbuf_puts(sb, i ? "  " : "");
            cb_strbuf_repeat(sb, '-', widths[i]);
            continue;
        }
        cb_strbuf_puts(sb, i ? " | " : "| ");
        cb_strbuf_repeat(sb, '-', widths[i] - (left ? 0 : 1));
        cb_strbuf_puts(sb, left ? "" : ":");
    }
    cb_strbuf_puts(sb, markdown ? " |\n" : "\n");
}

/* ANSI colours of a status: failed red, warned yellow, ok green. */
static const char *status_sgr(const struct cb_cell *c)
{
    return c->failed ? "\033[31m" : c->nwarnings ? "\033[33m" : "\033[32m";
}

static void put_row(struct cb_strbuf *sb, const struct row *row, const size_t *widths,
                    bool markdown, const char *sgr)
{
    const char *cols[NCOLS];

    for (int i = 0; i < NCOLS; i++)
        cols[i] = row->col[i];
    put_line(sb, cols, widths, markdown, sgr);
}

static void put_warnings(struct cb_strbuf *sb, const struct cb_results *r, bool markdown)
{
    bool any = false;

    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *c = &r->cells[i];

        for (size_t w = 0; w < c->nwarnings; w++) {
            if (!any)
                cb_strbuf_puts(sb, markdown ? "\n**Warnings**\n\n" : "\nwarnings:\n");
            any = true;
            cb_strbuf_printf(sb, markdown ? "- `%s`: %s\n" : "  %s: %s\n",
                             c->name, c->warnings[w]);
        }
    }
}

static void put_machine(struct cb_strbuf *sb, const struct cb_context *ctx)
{
    char cpu[2 * sizeof ctx->cpu_model], kernel[2 * sizeof ctx->kernel];

    copy_text(cpu, sizeof cpu, ctx->cpu_model, true);
    copy_text(kernel, sizeof kernel, ctx->kernel, true);
    cb_strbuf_printf(sb, "Machine: %s, %ld/%ld CPUs usable/logical, kernel %s; "
                     "concbench %s\n\n", cpu, ctx->usable_cpus, ctx->logical_cpus,
                     kernel, CB_VERSION);
}

char *cb_report_table(const struct cb_results *r, bool markdown, bool colour,
                      struct cb_error *err)
{
    struct cb_strbuf sb;
    struct row row;
    size_t widths[NCOLS];

    for (int i = 0; i < NCOLS; i++)
        widths[i] = cb_strbuf_width(headers[i]);
    /* Two passes over the cells: measure every column, then print. */
    for (size_t i = 0; i < r->ncells; i++) {
        format_row(&r->cells[i], markdown, &row);
        for (int j = 0; j < NCOLS; j++)
            if (cb_strbuf_width(row.col[j]) > widths[j])
                widths[j] = cb_strbuf_width(row.col[j]);
    }
    cb_strbuf_init(&sb);
    if (markdown)
        put_machine(&sb, &r->context);
    put_line(&sb, headers, widths, markdown, NULL);
    put_rule(&sb, widths, markdown);
    for (size_t i = 0; i < r->ncells; i++) {
        format_row(&r->cells[i], markdown, &row);
        put_row(&sb, &row, widths, markdown,
                colour && !markdown ? status_sgr(&r->cells[i]) : NULL);
    }
    put_warnings(&sb, r, markdown);
    return cb_strbuf_finish(&sb, err);
}

/* RFC 4180: quote a field holding a comma, quote or line break, and
 * double the quotes inside. */
static void csv_field(struct cb_strbuf *sb, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        cb_strbuf_puts(sb, s);
        return;
    }
    cb_strbuf_puts(sb, "\"");
    for (; *s; s++) {
        if (*s == '"')
            cb_strbuf_puts(sb, "\"");
        cb_strbuf_append(sb, s, 1);
    }
    cb_strbuf_puts(sb, "\"");
}

/* Seconds from..to, 0 rather than a wrapped huge value if to < from. */
static double secs(uint64_t from, uint64_t to)
{
    return to > from ? (double)(to - from) / NS_PER_S : 0.0;
}

/* A number column; empty when there is no value to show. */
static void csv_num(struct cb_strbuf *sb, double v, int digits, bool have)
{
    cb_strbuf_puts(sb, ",");
    if (have && !isnan(v))
        cb_strbuf_printf(sb, "%.*f", digits, v);
}

static void csv_params(struct cb_strbuf *sb, const struct cb_cell *c)
{
    char buf[256] = "";
    size_t used = 0;

    for (const struct cb_param_desc *d = c->task->params; d && d->flag; d++) {
        uint64_t v = cb_params_get(&c->params, d);
        const char *sep = used ? ";" : "";
        int n = d->kind == CB_PARAM_DURATION
            ? snprintf(buf + used, sizeof buf - used, "%s%s=%.9g", sep, d->json_name,
                       (double)v / NS_PER_S)
            : snprintf(buf + used, sizeof buf - used, "%s%s=%" PRIu64, sep, d->json_name, v);

        if (n < 0 || (size_t)n >= sizeof buf - used)
            break;
        used += (size_t)n;
    }
    cb_strbuf_puts(sb, ",");
    csv_field(sb, buf);
}

static void csv_prefix(struct cb_strbuf *sb, const struct cb_cell *c)
{
    csv_field(sb, c->name);
    cb_strbuf_puts(sb, ",");
    csv_field(sb, c->task->name);
    cb_strbuf_puts(sb, ",");
    csv_field(sb, c->runner->name);
    cb_strbuf_printf(sb, ",%" PRIu32, c->workers);
}

static void csv_cell(struct cb_strbuf *sb, const struct cb_cell *c)
{
    const struct cb_stats *w = &c->wall;
    bool have = w->n > 0;

    csv_prefix(sb, c);
    cb_strbuf_printf(sb, ",%s,", cb_start_name(c->start));
    csv_field(sb, c->status);
    cb_strbuf_printf(sb, ",%zu", w->n);
    csv_num(sb, w->median, 9, have);
    csv_num(sb, w->mean, 9, have);
    csv_num(sb, w->stddev, 9, have);
    csv_num(sb, w->min, 9, have);
    csv_num(sb, w->max, 9, have);
    csv_num(sb, w->p10, 9, have);
    csv_num(sb, w->p90, 9, have);
    csv_num(sb, w->mad, 9, have);
    csv_num(sb, w->cv, 6, have);
    csv_num(sb, c->spawn.median, 9, c->spawn.n > 0);
    csv_num(sb, c->spawn.p90, 9, c->spawn.n > 0);
    csv_num(sb, c->util.median, 6, c->util.n > 0);
    csv_num(sb, c->speedup, 6, true);
    csv_params(sb, c);
    cb_strbuf_puts(sb, "\n");
}

static void csv_worker(struct cb_strbuf *sb, const struct cb_cell *c, size_t si, uint32_t wi)
{
    const struct cb_sample *s = &c->samples[si];
    const struct cb_worker_record *w = &s->workers[wi];
    bool done = atomic_load(&w->done) != 0;
    char status[64];

    csv_prefix(sb, c);
    cb_strbuf_printf(sb, ",%zu,%" PRIu32, si, wi);
    csv_num(sb, (double)s->wall_ns / NS_PER_S, 9, true);
    /* A worker that never finished its record has no numbers to show. */
    if (done) {
        csv_num(sb, secs(w->create_ns, w->first_ns), 9, true);
        csv_num(sb, secs(s->times.t0_ns, w->start_ns), 9, true);
        csv_num(sb, secs(w->start_ns, w->end_ns), 9, true);
        csv_num(sb, (double)w->cpu_ns / NS_PER_S, 9, true);
        cb_strbuf_printf(sb, ",%" PRId32 ",%" PRIu64 ",", w->cpu, w->checksum);
    } else {
        cb_strbuf_puts(sb, ",,,,,,,");
    }
    cb_record_status_str(w, status, sizeof status);
    csv_field(sb, status);
    cb_strbuf_puts(sb, "\n");
}

char *cb_report_csv(const struct cb_results *r, bool per_sample, struct cb_error *err)
{
    struct cb_strbuf sb;

    cb_strbuf_init(&sb);
    if (per_sample)
        cb_strbuf_puts(&sb, "name,task,mode,workers,sample,worker,wall_s,spawn_s,"
                       "start_s,run_s,cpu_s,cpu,checksum,status\n");
    else
        cb_strbuf_puts(&sb, "name,task,mode,workers,start,status,samples,"
                       "wall_median_s,wall_mean_s,wall_stddev_s,wall_min_s,wall_max_s,"
                       "wall_p10_s,wall_p90_s,wall_mad_s,wall_cv,spawn_median_s,"
                       "spawn_p90_s,cpu_utilization,speedup,params\n");
    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *c = &r->cells[i];

        if (!per_sample) {
            csv_cell(&sb, c);
            continue;
        }
        for (size_t s = 0; s < c->nsamples; s++)
            for (uint32_t w = 0; w < c->samples[s].nworkers; w++)
                csv_worker(&sb, c, s, w);
    }
    return cb_strbuf_finish(&sb, err);
}
