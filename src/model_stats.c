#include "concbench/model_stats.h"

#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/results.h"
#include "concbench/stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void quantiles(double *v, size_t n, struct cb_quantiles *q)
{
    memset(q, 0, sizeof *q);
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_double);
    q->n = n;
    q->median = cb_stats_quantile(v, n, 0.5);
    q->p90 = cb_stats_quantile(v, n, 0.9);
    q->p99 = cb_stats_quantile(v, n, 0.99);
    q->max = v[n - 1];
}

struct series {
    double *dispatch, *wait, *done, *rate, *create;
    size_t nd, nw, nc, nr, ncr;
};

static void collect_sample(const struct cb_sample *s, struct series *v)
{
    uint64_t run = s->times.t1_ns > s->times.release_ns ? s->times.t1_ns - s->times.release_ns
                                                         : 0;
    uint32_t ok = 0;

    for (uint32_t j = 0; j < s->nworkers; j++) {
        const struct cb_worker_record *r = &s->workers[j];
        uint64_t could = r->create_ns > r->free_ns ? r->create_ns : r->free_ns;

        if (!atomic_load(&r->done) || !r->create_ns)
            continue;
        ok += r->status == CB_WORKER_OK;
        v->dispatch[v->nd++] = cb_clock_secs(could, r->first_ns);
        v->wait[v->nw++] = cb_clock_secs(r->create_ns, could);
        if (r->seen_ns)
            v->done[v->nc++] = cb_clock_secs(r->end_ns, r->seen_ns);
    }
    if (run) /* the jobs that finished right, not those queued */
        v->rate[v->nr++] = (double)ok / cb_clock_ns_to_s(run);
    v->create[v->ncr++] = cb_clock_secs(s->times.t0_ns, s->times.ready_ns);
}

int cb_pool_stats(struct cb_cell *c, struct cb_error *err)
{
    size_t jobs = 0, ns = c->nsamples;
    struct series v;
    double *buf, med;

    memset(&c->pool, 0, sizeof c->pool);
    if (!c->runner || !c->runner->pooled || ns == 0)
        return 0;
    for (size_t i = 0; i < ns; i++)
        jobs += c->samples[i].nworkers;
    buf = malloc((3 * jobs + 2 * ns + 1) * sizeof *buf);
    if (!buf)
        return cb_error_set(err, "%s: out of memory for the pool's figures", c->name), -1;
    v = (struct series){ .dispatch = buf, .wait = buf + jobs, .done = buf + 2 * jobs,
                         .rate = buf + 3 * jobs, .create = buf + 3 * jobs + ns };
    for (size_t i = 0; i < ns; i++)
        collect_sample(&c->samples[i], &v);
    quantiles(v.dispatch, v.nd, &c->pool.dispatch);
    quantiles(v.wait, v.nw, &c->pool.queue_wait);
    quantiles(v.done, v.nc, &c->pool.completion);
    c->pool.jobs_per_s = cb_stats_median(v.rate, v.nr, &med) == 0 && v.nr ? med : 0;
    c->pool.create_s = cb_stats_median(v.create, v.ncr, &med) == 0 && v.ncr ? med : 0;
    c->pool.measured = true;
    free(buf);
    return 0;
}

int cb_loop_stats(struct cb_cell *c, struct cb_error *err)
{
    size_t jobs = 0, nl = 0, nb = 0;
    double *late, *bytes, med;

    memset(&c->loop, 0, sizeof c->loop);
    for (size_t i = 0; i < c->nsamples; i++)
        jobs += c->samples[i].nworkers;
    late = malloc((jobs + c->nsamples + 1) * sizeof *late);
    if (!late)
        return cb_error_set(err, "%s: out of memory for the loop's figures", c->name), -1;
    bytes = late + jobs;
    for (size_t i = 0; i < c->nsamples; i++) {
        const struct cb_sample *s = &c->samples[i];

        for (uint32_t j = 0; j < s->nworkers; j++)
            if (s->workers[j].deadline_ns && s->workers[j].status == CB_WORKER_OK)
                late[nl++] = cb_clock_secs(s->workers[j].deadline_ns, s->workers[j].end_ns);
        for (uint32_t u = 0; u < s->nunits; u++)
            if (s->units[u].pending_bytes)
                bytes[nb++] = (double)s->units[u].pending_bytes;
    }
    if (nl) {
        quantiles(late, nl, &c->loop.lateness);
        c->loop.pending_job_bytes = cb_stats_median(bytes, nb, &med) == 0 && nb ? med : 0;
        c->loop.measured = true;
    }
    free(late);
    return 0;
}
