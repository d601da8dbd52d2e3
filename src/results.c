#include "concbench/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/sysstate_run.h"

static uint64_t ns_between(uint64_t from, uint64_t to)
{
    return to > from ? to - from : 0;
}

static bool rec_done(const struct cb_worker_record *rec)
{
    return atomic_load(&rec->done) != 0;
}

void cb_sample_summarise(struct cb_sample *s, enum cb_start start)
{
    uint64_t from = start == CB_START_BARRIER ? s->times.release_ns : s->times.t0_ns;

    s->wall_ns = ns_between(from, s->times.t1_ns);
    if (s->times.held_ns && s->times.held_ns >= from &&
        ns_between(s->times.held_ns, s->times.unheld_ns) <= s->wall_ns)
        s->wall_ns -= ns_between(s->times.held_ns, s->times.unheld_ns);
    s->cpu_ns = s->user_ns = s->sys_ns = s->max_rss_kib = 0;
    s->release_spread_ns = 0;
    s->payload_bytes = 0;
    s->ctx_voluntary = s->ctx_involuntary = 0;
    s->minor_faults = s->major_faults = s->cpu_migrations = 0;
    s->migrations_known = s->usage_known = true;
    for (uint32_t i = 0; i < s->nworkers; i++) {
        const struct cb_worker_record *w = &s->workers[i];

        if (!rec_done(w))
            continue;
        if (w->released_ns > s->times.release_ns &&
            w->released_ns - s->times.release_ns > s->release_spread_ns)
            s->release_spread_ns = w->released_ns - s->times.release_ns;
        s->cpu_ns += w->cpu_ns;
        s->payload_bytes += w->payload_bytes;
        s->user_ns += w->user_ns;
        s->sys_ns += w->sys_ns;
        s->ctx_voluntary += w->ctx_voluntary;
        s->ctx_involuntary += w->ctx_involuntary;
        s->minor_faults += w->minor_faults;
        s->major_faults += w->major_faults;
        s->cpu_migrations += w->cpu_migrations;
        s->migrations_known = s->migrations_known && w->migrations_known;
        s->usage_known = s->usage_known && w->usage_known;
        if (w->max_rss_kib > s->max_rss_kib)
            s->max_rss_kib = w->max_rss_kib;
    }
}

bool cb_sample_worker_kib(const struct cb_sample *s, double *kib)
{
    const struct cb_run_memory *m = &s->times.memory;

    if (!m->valid || !s->times.held_ns || s->nworkers == 0)
        return false;
    *kib = (double)(m->total_pss_kib > m->baseline_kib ? m->total_pss_kib - m->baseline_kib : 0) /
           (s->nunits ? s->nunits : s->nworkers);
    return true;
}

bool cb_cell_lost_updates(const struct cb_cell *c, const struct cb_sample *s, uint64_t *lost)
{
    uint64_t want;

    if (!s->has_total || !c->task->expected_total || !cb_task_total_measured(c->task, &c->params))
        return false;
    want = c->task->expected_total(&c->params, c->workers);
    *lost = want > s->total ? want - s->total : 0;
    return true;
}

static int stats_or_zero(const double *v, size_t n, struct cb_stats *out)
{
    if (n == 0) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return cb_stats_compute(v, n, out);
}

static size_t count_workers(const struct cb_cell *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->nsamples; i++)
        n += c->samples[i].nworkers;
    return n;
}

/* The series one cell's statistics are computed from; a worker that
 * never finished its record adds nothing. */
struct series {
    double *wall, *util, *spawn, *mem, *handoff, *gil, *per_op, *creation, *queue, *spread;
    size_t nutil, nspawn, nmem, nhandoff, ngil, nper_op, ncreation, nqueue, nspread;
};

/* Creation latency is a unit's: call to its first instruction. A sample
 * without unit records (an old file's shape) takes its jobs'. */
static void collect_spawn(const struct cb_sample *s, struct series *v)
{
    for (uint32_t u = 0; u < s->nunits; u++) {
        const struct cb_unit_record *r = &s->units[u];

        uint64_t spawn = r->first_ns > r->create_ns ? r->first_ns - r->create_ns : 0;

        if (!atomic_load(&r->done))
            continue;
        v->spawn[v->nspawn++] = cb_clock_ns_to_s(spawn);
        /* What creating it cost: call to first instruction, less the time
         * it waited for a CPU once it could run. */
        if (r->queue_known) {
            v->queue[v->nqueue++] = cb_clock_ns_to_s(r->queue_wait_ns);
            v->creation[v->ncreation++] =
                cb_clock_ns_to_s(spawn > r->queue_wait_ns ? spawn - r->queue_wait_ns : 0);
        }
    }
}

static void collect_workers(const struct cb_cell *c, const struct cb_sample *s,
                            struct series *v)
{
    collect_spawn(s, v);
    for (uint32_t w = 0; w < s->nworkers; w++) {
        const struct cb_worker_record *r = &s->workers[w];

        if (!rec_done(r))
            continue;
        if (!s->nunits)
            v->spawn[v->nspawn++] = cb_clock_secs(r->create_ns, r->first_ns);
        if (c->opts.payload && r->payload_bytes)
            v->handoff[v->nhandoff++] = cb_clock_secs(r->send_ns, r->recv_ns);
        if (c->opts.gil)
            v->gil[v->ngil++] = cb_clock_ns_to_s(r->gil_wait_ns);
        if (c->ops_per_job && r->status == CB_WORKER_OK)
            v->per_op[v->nper_op++] = cb_clock_secs(r->start_ns, r->end_ns) /
                                      (double)c->ops_per_job;
    }
}

static void collect(const struct cb_cell *c, struct series *v)
{
    v->nutil = v->nspawn = v->nmem = v->nhandoff = v->ngil = v->nper_op = 0;
    v->ncreation = v->nqueue = v->nspread = 0;
    for (size_t i = 0; i < c->nsamples; i++) {
        const struct cb_sample *s = &c->samples[i];

        v->wall[i] = cb_clock_ns_to_s(s->wall_ns);
        /* A sample that took no time has no utilisation, not a made-up one. */
        if (s->wall_ns > 0)
            v->util[v->nutil++] = (double)s->cpu_ns / (double)s->wall_ns;
        if (s->release_spread_ns)
            v->spread[v->nspread++] = cb_clock_ns_to_s(s->release_spread_ns);
        if (cb_sample_worker_kib(s, &v->mem[v->nmem]))
            v->nmem++;
        collect_workers(c, s, v);
    }
}

static int compute_stats(struct cb_cell *c, struct cb_error *err)
{
    size_t nw = count_workers(c), ns = c->nsamples;
    double *buf = malloc((4 * ns + 6 * nw + 1) * sizeof *buf);
    struct series v;
    int rc = -1;

    if (!buf)
        goto out;
    v = (struct series){ .wall = buf, .util = buf + ns, .mem = buf + 2 * ns,
                         .spawn = buf + 3 * ns, .handoff = buf + 3 * ns + nw,
                         .gil = buf + 3 * ns + 2 * nw, .per_op = buf + 3 * ns + 3 * nw,
                         .creation = buf + 3 * ns + 4 * nw, .queue = buf + 3 * ns + 5 * nw,
                         .spread = buf + 3 * ns + 6 * nw };
    collect(c, &v);
    if (stats_or_zero(v.wall, ns, &c->wall) < 0 ||
        stats_or_zero(v.util, v.nutil, &c->util) < 0 ||
        stats_or_zero(v.spawn, v.nspawn, &c->spawn) < 0 ||
        stats_or_zero(v.mem, v.nmem, &c->mem_kib) < 0 ||
        stats_or_zero(v.handoff, v.nhandoff, &c->handoff) < 0 ||
        stats_or_zero(v.gil, v.ngil, &c->gil_wait) < 0 ||
        stats_or_zero(v.per_op, v.nper_op, &c->per_op) < 0 ||
        stats_or_zero(v.creation, v.ncreation, &c->creation) < 0 ||
        stats_or_zero(v.queue, v.nqueue, &c->queue_wait) < 0 ||
        stats_or_zero(v.spread, v.nspread, &c->release_spread) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        cb_error_set(err, "%s: out of memory computing statistics", c->name);
    free(buf);
    return rc;
}

static void set_status(struct cb_cell *c)
{
    /* The bench already said why workers could not be created. */
    if (c->failed)
        return;
    for (size_t i = 0; i < c->nsamples; i++) {
        const struct cb_sample *s = &c->samples[i];
        const struct cb_worker_record *bad = cb_record_first_failure(s->workers, s->nworkers);

        if (bad) {
            cb_record_status_str(bad, c->status, sizeof c->status);
            c->failed = true;
            return;
        }
    }
    /* Measured runs all ok: a warmup's failure (already in status) stays. */
    c->failed = c->warmup_failed;
    if (!c->failed)
        snprintf(c->status, sizeof c->status, "ok");
}

static void add_warnings(struct cb_cell *c)
{
    c->nwarnings = 0;
    if (c->wall.n >= 2 && c->wall.cv > CB_CV_WARN)
        snprintf(c->warnings[c->nwarnings++], sizeof c->warnings[0],
                 "wall time varies: CV %.1f%% > %.0f%%; results may be unstable "
                 "(noisy machine?); try more --repetitions",
                 c->wall.cv * 100, CB_CV_WARN * 100);
}

int cb_cell_finish(struct cb_cell *c, struct cb_error *err)
{
    c->speedup = NAN;
    set_status(c);
    if (compute_stats(c, err) < 0 || cb_sysstate_cell(c, err) < 0 ||
        cb_pool_stats(c, err) < 0 || cb_loop_stats(c, err) < 0)
        return -1;
    add_warnings(c);
    return 0;
}

static bool same_params(const struct cb_cell *a, const struct cb_cell *b)
{
    for (const struct cb_param_desc *d = a->task->params; d && d->flag; d++)
        if (cb_params_get(&a->params, d) != cb_params_get(&b->params, d))
            return false;
    return true;
}

static const struct cb_cell *serial_of(const struct cb_results *r, const struct cb_cell *c)
{
    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *s = &r->cells[i];

        if (s->runner->baseline && s->task == c->task &&
            s->workers == c->workers && s->start == c->start && same_params(s, c))
            return s;
    }
    return NULL;
}

void cb_results_speedups(struct cb_results *r)
{
    for (size_t i = 0; i < r->ncells; i++) {
        struct cb_cell *c = &r->cells[i];
        const struct cb_cell *s = serial_of(r, c);

        c->speedup = NAN;
        if (s && s->wall.n > 0 && c->wall.n > 0 && s->wall.median > 0 && c->wall.median > 0)
            c->speedup = s->wall.median / c->wall.median;
    }
}

bool cb_results_failed(const struct cb_results *r)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].failed)
            return true;
    return false;
}

void cb_results_free(struct cb_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ncells; i++) {
        for (size_t j = 0; j < r->cells[i].nsamples; j++) {
            free(r->cells[i].samples[j].workers);
            free(r->cells[i].samples[j].units);
        }
        free(r->cells[i].samples);
    }
    free(r->cells);
    cb_context_free(&r->context);
    cb_floor_free(&r->floor);
    memset(r, 0, sizeof *r);
}
