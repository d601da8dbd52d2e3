#include "concbench/clock.h"
#include "concbench/sysstate_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int fill(struct cb_cell *c, double *v, struct cb_error *err)
{
    size_t nothers = 0, nprocs = 0;
    uint64_t steal = 0;
    double *procs = v + c->nsamples;

    for (size_t i = 0; i < c->nsamples; i++) {
        const struct cb_sysstate_delta *d = &c->samples[i].state;

        if (!d->valid)
            continue;
        v[nothers++] = cb_sysstate_others_cpu(d);
        procs[nprocs++] = d->procs_running;
        steal += d->steal_ns;
    }
    memset(&c->others_cpu, 0, sizeof c->others_cpu);
    memset(&c->procs_running, 0, sizeof c->procs_running);
    c->steal_s = nothers ? cb_clock_ns_to_s(steal) : NAN;
    if ((nothers && cb_stats_compute(v, nothers, &c->others_cpu) != 0) ||
        (nprocs && cb_stats_compute(procs, nprocs, &c->procs_running) != 0)) {
        cb_error_set(err, "%s: out of memory computing the machine state", c->name);
        return -1;
    }
    return 0;
}

int cb_sysstate_cell(struct cb_cell *c, struct cb_error *err)
{
    double *v = malloc((2 * c->nsamples + 1) * sizeof *v);
    int rc;

    if (!v) {
        cb_error_set(err, "%s: out of memory computing the machine state", c->name);
        return -1;
    }
    rc = fill(c, v, err);
    free(v);
    return rc;
}

static size_t count_samples(const struct cb_results *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->ncells; i++)
        n += r->cells[i].nsamples;
    return n;
}

int cb_sysstate_run(struct cb_results *r, struct cb_error *err)
{
    struct cb_sysstate *st = &r->context.state;
    double *procs = malloc((count_samples(r) + 1) * sizeof *procs), median = -1;
    uint64_t steal = 0, interval = 0;
    int64_t others = 0;
    size_t n = 0;

    if (!procs) {
        cb_error_set(err, "out of memory summing the machine state");
        return -1;
    }
    st->others_cpu_max = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *c = &r->cells[i];
        int64_t cell_others = 0;
        uint64_t cell_interval = 0;

        for (size_t s = 0; s < c->nsamples; s++) {
            const struct cb_sysstate_delta *d = &c->samples[s].state;

            if (!d->valid)
                continue;
            cell_others += d->others_ns;
            cell_interval += d->interval_ns;
            steal += d->steal_ns;
            procs[n++] = d->procs_running >= 1 ? d->procs_running - 1.0 : 0.0;
        }
        others += cell_others;
        interval += cell_interval;
        if (cell_interval && (double)cell_others / (double)cell_interval > st->others_cpu_max)
            st->others_cpu_max = (double)cell_others / (double)cell_interval;
    }
    if (n) {
        cb_stats_sort(procs, n);
        median = cb_stats_quantile(procs, n, 0.5);
    }
    cb_sysstate_measured(st, others, steal, interval, median);
    free(procs);
    return 0;
}

size_t cb_sysstate_problems(const struct cb_sysstate *st, char (*lines)[CB_SYSSTATE_LINE], size_t max)
{
    /* On the heap: 5 KiB is too much for a small stack. */
    struct cb_sysstate_finding *f = calloc(CB_SYSSTATE_MAX_FINDINGS, sizeof *f);
    size_t nf = f ? cb_sysstate_findings(st, f, CB_SYSSTATE_MAX_FINDINGS) : 0, n = 0;

    for (size_t i = 0; i < nf && n < max; i++)
        if (f[i].level == CB_SYSSTATE_WARN)
            cb_sysstate_problem_line(&f[i], lines[n++], sizeof lines[0]);
    free(f);
    return n;
}
