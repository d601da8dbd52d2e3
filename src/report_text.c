#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/answer.h"
#include "concbench/clock.h"
#include "concbench/sysstate_run.h"
#include "concbench/units.h"
#include "concbench/version.h"
#include "grid.h"
#include "report_internal.h"
#include "strbuf.h"

/* The table's columns; those from COL_MEM on only when some cell
 * measured them: the counters with the per-operation figure (the tasks
 * whose figures they explain), lost updates with --lock=none. */
enum {
    COL_NAME, COL_STATUS, COL_MEDIAN, COL_MAD, COL_MIN, COL_MAX, COL_CV,
    COL_SPAWN, COL_SPEEDUP, COL_UTIL, COL_MEM, COL_HANDOFF, COL_GIL,
    COL_PER_OP, COL_FAULTS, COL_SWITCHES, COL_MIGRATIONS, COL_LOST,
    COL_DISPATCH50, COL_DISPATCH99, COL_LATE99, NCOLS
};

static const char *const headers[NCOLS] = {
    "benchmark", "status", "median wall", "±MAD", "min", "max", "CV%",
    "creation", "speed-up", "CPU util", "mem/worker", "hand-off", "GIL wait",
    "per op", "faults/op", "switches/op", "migrations", "lost updates",
    "dispatch p50", "dispatch p99", "lateness p99",
};

static void fmt_duration(char *buf, size_t len, const struct cb_stats *s, double v)
{
    if (s->n == 0)
        snprintf(buf, len, "-");
    else
        cb_units_format_duration(v, buf, len);
}

static void fmt_kib(char *buf, size_t len, const struct cb_stats *s)
{
    if (s->n == 0)
        snprintf(buf, len, "-");
    else
        cb_units_format_size(s->median * 1024, buf, len);
}

/* The figures of one row (from COL_MEDIAN on), unescaped. */
/* The creation column: call to first instruction less the run-queue wait
 * (spawn where the wait could not be read); "q" marks a start delay that
 * was mostly waiting for a CPU, not creating. */
static void creation_cell(char *buf, size_t len, const struct cb_cell *c)
{
    char d[32];

    if (!c->creation.n) {
        fmt_duration(buf, len, &c->spawn, c->spawn.median);
        return;
    }
    fmt_duration(d, sizeof d, &c->creation, c->creation.median);
    snprintf(buf, len, "%s%s", d, c->queue_wait.median > c->spawn.median / 2 ? " q" : "");
}

/* Which of a sample's counters: page faults, context switches, CPU
 * migrations (per job, not per operation). */
enum counter { FAULTS, SWITCHES, MIGRATIONS };

/* A sample's counter per operation (per job for MIGRATIONS); false when
 * it was not read (getrusage or the migration count failed). */
static bool sample_counter(const struct cb_cell *c, const struct cb_sample *s, enum counter k,
                           double *v)
{
    double jobs = c->workers ? c->workers : 1, ops = jobs * (double)c->ops_per_job;

    switch (k) {
    case FAULTS: *v = (double)(s->minor_faults + s->major_faults) / ops; return s->usage_known;
    case SWITCHES:
        *v = (double)(s->ctx_voluntary + s->ctx_involuntary) / ops;
        return s->usage_known;
    case MIGRATIONS: break;
    }
    *v = (double)s->cpu_migrations / jobs;
    return s->migrations_known;
}

/* The median over c's samples of counter k: "-" when none was read. */
static void counter_cell(char *buf, size_t len, const struct cb_cell *c, enum counter k)
{
    double *v = c->nsamples ? calloc(c->nsamples, sizeof *v) : NULL, m;
    size_t n = 0;

    for (size_t i = 0; v && c->ops_per_job && i < c->nsamples; i++)
        n += sample_counter(c, &c->samples[i], k, &v[n]);
    if (n && cb_stats_median(v, n, &m) == 0)
        snprintf(buf, len, k == MIGRATIONS ? "%.1f" : "%.3g", m);
    else
        snprintf(buf, len, "-");
    free(v);
}

/* --lock=none: the median of the updates the samples lost, or "-". */
static void lost_cell(char *buf, size_t len, const struct cb_cell *c)
{
    double *v = c->nsamples ? calloc(c->nsamples, sizeof *v) : NULL, m;
    size_t n = 0;
    uint64_t lost;

    for (size_t i = 0; v && i < c->nsamples; i++)
        if (cb_cell_lost_updates(c, &c->samples[i], &lost))
            v[n++] = (double)lost;
    if (n && cb_stats_median(v, n, &m) == 0)
        snprintf(buf, len, "%.0f", m);
    else
        snprintf(buf, len, "-");
    free(v);
}

/* A pool's or the loop's percentile v of q: "-" when no job measured it. */
static void quantile_cell(char *buf, size_t len, bool measured, const struct cb_quantiles *q,
                          double v)
{
    if (!measured || q->n == 0 || isnan(v))
        snprintf(buf, len, "-");
    else
        cb_units_format_duration(v, buf, len);
}

static void format_row(const struct cb_cell *c, char col[NCOLS][64])
{
    char mad[48];
    size_t len = sizeof col[0];

    fmt_duration(col[COL_MEDIAN], len, &c->wall, c->wall.median);
    fmt_duration(mad, sizeof mad, &c->wall, c->wall.mad);
    snprintf(col[COL_MAD], len, "%s%s", c->wall.n ? "±" : "", mad);
    fmt_duration(col[COL_MIN], len, &c->wall, c->wall.min);
    fmt_duration(col[COL_MAX], len, &c->wall, c->wall.max);
    if (c->wall.n)
        snprintf(col[COL_CV], len, "%.1f", c->wall.cv * 100);
    else
        snprintf(col[COL_CV], len, "-");
    creation_cell(col[COL_SPAWN], len, c);
    if (isnan(c->speedup))
        snprintf(col[COL_SPEEDUP], len, "-");
    else
        snprintf(col[COL_SPEEDUP], len, "%.2fx", c->speedup);
    if (c->util.n)
        snprintf(col[COL_UTIL], len, "%.0f%%", c->util.median * 100);
    else
        snprintf(col[COL_UTIL], len, "-");
    fmt_kib(col[COL_MEM], len, &c->mem_kib);
    fmt_duration(col[COL_HANDOFF], len, &c->handoff, c->handoff.median);
    fmt_duration(col[COL_GIL], len, &c->gil_wait, c->gil_wait.median);
    fmt_duration(col[COL_PER_OP], len, &c->per_op, c->per_op.median);
    counter_cell(col[COL_FAULTS], len, c, FAULTS);
    counter_cell(col[COL_SWITCHES], len, c, SWITCHES);
    counter_cell(col[COL_MIGRATIONS], len, c, MIGRATIONS);
    lost_cell(col[COL_LOST], len, c);
    quantile_cell(col[COL_DISPATCH50], len, c->pool.measured, &c->pool.dispatch,
                  c->pool.dispatch.median);
    quantile_cell(col[COL_DISPATCH99], len, c->pool.measured, &c->pool.dispatch,
                  c->pool.dispatch.p99);
    quantile_cell(col[COL_LATE99], len, c->loop.measured, &c->loop.lateness,
                  c->loop.lateness.p99);
}

static bool measures_lost(const struct cb_cell *c)
{
    uint64_t lost;

    return c->nsamples && cb_cell_lost_updates(c, &c->samples[0], &lost);
}

/* Which columns the table shows: the optional ones when some cell has
 * their figure. Returns how many. */
static size_t pick_columns(const struct cb_results *r, int *cols)
{
    bool any[NCOLS] = { false };
    size_t n = 0;

    for (size_t i = 0; i < r->ncells; i++) {
        any[COL_MEM] |= r->cells[i].mem_kib.n > 0;
        any[COL_HANDOFF] |= r->cells[i].handoff.n > 0;
        any[COL_GIL] |= r->cells[i].gil_wait.n > 0;
        any[COL_PER_OP] |= r->cells[i].per_op.n > 0;
        any[COL_LOST] |= measures_lost(&r->cells[i]);
        any[COL_DISPATCH50] |= r->cells[i].pool.measured && r->cells[i].pool.dispatch.n > 0;
        any[COL_LATE99] |= r->cells[i].loop.measured && r->cells[i].loop.lateness.n > 0;
    }
    any[COL_DISPATCH99] = any[COL_DISPATCH50];
    any[COL_FAULTS] = any[COL_SWITCHES] = any[COL_MIGRATIONS] = any[COL_PER_OP];
    for (int c = 0; c < NCOLS; c++)
        if (c < COL_MEM || any[c])
            cols[n++] = c;
    return n;
}

static void put_warnings(struct cb_strbuf *sb, const struct cb_results *r, bool markdown)
{
    /* On the heap: 5 KiB is too much for a small stack. */
    char (*state)[CB_SYSSTATE_LINE] = calloc(CB_SYSSTATE_MAX_FINDINGS, sizeof *state);
    size_t nstate = state ? cb_sysstate_problems(&r->context.state, state,
                                                 CB_SYSSTATE_MAX_FINDINGS) : 0;
    char floor[512];
    bool warn_floor = cb_floor_warning(&r->floor, floor, sizeof floor);
    bool any = nstate > 0 || warn_floor;

    if (any)
        cb_strbuf_puts(sb, markdown ? "\n**Warnings**\n\n" : "\nwarnings:\n");
    for (size_t i = 0; i < nstate; i++)
        cb_strbuf_printf(sb, markdown ? "- machine: %s\n" : "  machine: %s\n", state[i]);
    free(state);
    if (warn_floor)
        cb_strbuf_printf(sb, markdown ? "- machine: %s\n" : "  machine: %s\n", floor);

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

/* The answer, last: hyperfine's "Summary". */
static void put_answer(struct cb_strbuf *sb, const struct cb_results *r, bool markdown)
{
    size_t n = 0;
    char *lines = cb_answer_render(r, markdown, &n);

    if (!lines) {
        sb->failed = true;
        return;
    }
    char floor[256];
    bool has_floor = cb_floor_line(&r->floor, floor, sizeof floor), queued = false;
    bool counters = false, models = false;

    for (size_t i = 0; i < r->ncells; i++) {
        counters |= r->cells[i].per_op.n > 0;
        models |= r->cells[i].pool.measured || r->cells[i].loop.measured;
    }
    for (size_t i = 0; i < r->ncells; i++)
        queued |= r->cells[i].creation.n &&
                  r->cells[i].queue_wait.median > r->cells[i].spawn.median / 2;
    if (queued)
        cb_strbuf_printf(sb, "%screation: create call to first instruction, less the "
                         "run-queue wait; q: that start was mostly waiting for a CPU, "
                         "not creating (queue_wait_s)\n", "\n");
    if (counters)
        cb_strbuf_puts(sb, "\nper op: a job's run time / its operations; faults/op, "
                       "switches/op: page faults (minor + major) and context switches "
                       "(voluntary + involuntary) per operation, read outside the timed "
                       "span; migrations: CPU migrations per job (- where unreadable); "
                       "medians over samples\n");
    if (models)
        cb_strbuf_puts(sb, "\ndispatch p50, p99: a pool's job, from when it could start (queued "
                       "while a worker was idle, or a worker freed while it was queued) to "
                       "its first instruction; lateness p99: how late the loop woke a job "
                       "against its own deadline; over every job of every sample\n");
    if (n || has_floor)
        cb_strbuf_printf(sb, "%s%s", markdown ? "\n**Summary**\n\n" : "\nsummary:\n", lines);
    if (has_floor)
        cb_strbuf_printf(sb, "%s%s\n", markdown ? "- " : "  ", floor);
    free(lines);
}

static void put_machine(struct cb_strbuf *sb, const struct cb_context *ctx)
{
    char cpu[2 * sizeof ctx->cpu_model], kernel[2 * sizeof ctx->kernel];

    cb_grid_escape(cpu, sizeof cpu, ctx->cpu_model, true);
    cb_grid_escape(kernel, sizeof kernel, ctx->kernel, true);
    cb_strbuf_printf(sb, "Machine: %s, %ld/%ld CPUs usable/logical, kernel %s; "
                     "concbench %s\n\n", cpu, ctx->usable_cpus, ctx->logical_cpus,
                     kernel, CB_VERSION);
}

/* ANSI colours of a status: failed red, warned yellow, ok green. */
static const char *status_sgr(const struct cb_cell *c)
{
    return c->failed ? "\033[31m" : c->nwarnings ? "\033[33m" : "\033[32m";
}

static void fill_grid(struct cb_grid *g, const struct cb_results *r, const int *cols,
                      size_t ncols, bool markdown)
{
    for (size_t i = 0; i < r->ncells; i++) {
        char col[NCOLS][64];

        format_row(&r->cells[i], col);
        /* Name and status are free text: the grid truncates what won't fit. */
        cb_grid_put(g, i + 1, 0, r->cells[i].name, markdown);
        cb_grid_put(g, i + 1, 1, r->cells[i].status, markdown);
        for (size_t j = 2; j < ncols; j++)
            cb_grid_put(g, i + 1, j, col[cols[j]], markdown);
    }
    for (size_t j = 0; j < ncols; j++) {
        cb_grid_put(g, 0, j, headers[cols[j]], markdown);
        g->right[j] = cols[j] != COL_NAME && cols[j] != COL_STATUS;
    }
    g->nrows = r->ncells + 1;
}

char *cb_report_table(const struct cb_results *r, bool markdown, bool colour,
                      struct cb_error *err)
{
    struct cb_strbuf sb;
    struct cb_grid g;
    int cols[NCOLS];
    size_t ncols = pick_columns(r, cols);
    const char **sgr = NULL;

    if (cb_grid_init(&g, r->ncells + 1, ncols) != 0 ||
        (colour && !markdown && !(sgr = calloc(r->ncells + 1, sizeof *sgr)))) {
        cb_grid_free(&g);
        cb_error_set(err, "out of memory rendering the table");
        return NULL;
    }
    fill_grid(&g, r, cols, ncols, markdown);
    for (size_t i = 0; sgr && i < r->ncells; i++)
        sgr[i + 1] = status_sgr(&r->cells[i]);
    g.sgr = sgr;
    g.sgr_col = 1; /* COL_STATUS: always shown, always second */
    cb_strbuf_init(&sb);
    if (markdown)
        put_machine(&sb, &r->context);
    cb_grid_render(&sb, &g, markdown, true);
    put_warnings(&sb, r, markdown);
    put_answer(&sb, r, markdown);
    cb_grid_free(&g);
    free(sgr);
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
        int n;

        if (!(d->json & CB_JSON_PARAMS))
            continue;
        n = d->kind == CB_PARAM_DURATION
            ? snprintf(buf + used, sizeof buf - used, "%s%s=%.9g", sep, d->json_name,
                       cb_clock_ns_to_s(v))
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
    csv_num(sb, c->mem_kib.median, 3, c->mem_kib.n > 0);
    csv_num(sb, c->handoff.median, 9, c->handoff.n > 0);
    csv_num(sb, c->gil_wait.median, 9, c->gil_wait.n > 0);
    csv_num(sb, c->pool.dispatch.median, 9, c->pool.measured && c->pool.dispatch.n > 0);
    csv_num(sb, c->pool.dispatch.p99, 9, c->pool.measured && c->pool.dispatch.n > 0);
    csv_num(sb, c->loop.lateness.p99, 9, c->loop.measured && c->loop.lateness.n > 0);
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
    csv_num(sb, cb_clock_ns_to_s(s->wall_ns), 9, true);
    /* A worker that never finished its record has no numbers to show. */
    if (done) {
        csv_num(sb, cb_clock_secs(w->create_ns, w->first_ns), 9, true);
        csv_num(sb, cb_clock_secs(s->times.t0_ns, w->start_ns), 9, true);
        csv_num(sb, cb_clock_secs(w->start_ns, w->end_ns), 9, true);
        csv_num(sb, cb_clock_ns_to_s(w->cpu_ns), 9, true);
        cb_strbuf_printf(sb, ",%" PRId32 ",%" PRIu64 ",", w->cpu, w->checksum);
    } else {
        cb_strbuf_puts(sb, ",,,,,,,");
    }
    cb_record_status_str(w, status, sizeof status);
    csv_field(sb, status);
    csv_num(sb, cb_clock_ns_to_s(w->gil_wait_ns), 9, done && c->opts.gil);
    csv_num(sb, cb_clock_secs(w->send_ns, w->recv_ns), 9, done && c->opts.payload);
    csv_num(sb, (double)w->payload_bytes, 0, done && c->opts.payload);
    cb_strbuf_puts(sb, "\n");
}

char *cb_report_csv(const struct cb_results *r, bool per_sample, struct cb_error *err)
{
    struct cb_strbuf sb;

    cb_strbuf_init(&sb);
    if (per_sample)
        cb_strbuf_puts(&sb, "name,task,mode,workers,sample,worker,wall_s,spawn_s,"
                       "start_s,run_s,cpu_s,cpu,checksum,status,gil_wait_s,handoff_s,"
                       "payload_bytes\n");
    else
        cb_strbuf_puts(&sb, "name,task,mode,workers,start,status,samples,"
                       "wall_median_s,wall_mean_s,wall_stddev_s,wall_min_s,wall_max_s,"
                       "wall_p10_s,wall_p90_s,wall_mad_s,wall_cv,spawn_median_s,"
                       "spawn_p90_s,cpu_utilization,speedup,params,"
                       "memory_per_worker_kib,handoff_median_s,gil_wait_median_s,"
                       "dispatch_median_s,dispatch_p99_s,lateness_p99_s\n");
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
