/* The values of a benchmark that compare tests: one per sample. */
#include "concbench/compare.h"

#include <math.h>
#include <stdlib.h>

#include "concbench/stats.h"

static const double *metric_array(const struct cb_loaded_cell *c, enum cb_metric m)
{
    switch (m) {
    case CB_METRIC_SPAWN: return c->spawn;
    case CB_METRIC_CPU: return c->cpu;
    case CB_METRIC_MEMORY: return c->mem;
    case CB_METRIC_WALL: break;
    }
    return c->wall;
}

double *cb_compare_values(const struct cb_loaded_cell *c, enum cb_metric m, double scale,
                          bool per_floor, size_t *n)
{
    const double *src = metric_array(c, m);
    const double *floor = m == CB_METRIC_CPU ? c->floor_cpu : c->floor;
    double *v = malloc((c->nsamples + 1) * sizeof *v);

    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < c->nsamples; i++) {
        /* NAN marks a sample without a spawn time, a memory reading or,
         * divided by the floor, a floor reading: it is left out. */
        double x = per_floor ? src[i] / floor[i] : src[i];

        if (isfinite(x) && (!per_floor || floor[i] > 0))
            v[(*n)++] = x * scale;
    }
    return v;
}

bool cb_compare_has_floor(const struct cb_loaded_cell *c)
{
    for (size_t i = 0; i < c->nsamples; i++)
        if (!(c->floor[i] > 0))
            return false;
    return c->nsamples > 0;
}

bool cb_compare_has_floor_cpu(const struct cb_loaded_cell *c)
{
    for (size_t i = 0; i < c->nsamples; i++)
        if (!(c->floor_cpu[i] > 0))
            return false;
    return c->nsamples > 0;
}

bool cb_compare_positive(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0))
            return false;
    return true;
}
