#include "concbench/params.h"

#include <string.h>

#include "concbench/task.h"

uint64_t cb_param_load(const void *base, size_t offset, size_t width)
{
    const char *p = (const char *)base + offset;
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    uint8_t v8 = 0;

    switch (width) {
    case 1: memcpy(&v8, p, 1); return v8;
    case 4: memcpy(&v32, p, 4); return v32;
    default: memcpy(&v64, p, 8); return v64;
    }
}

void cb_param_store(void *base, size_t offset, size_t width, uint64_t v)
{
    char *p = (char *)base + offset;
    uint32_t v32 = (uint32_t)v;
    uint8_t v8 = (uint8_t)v;

    switch (width) {
    case 1: memcpy(p, &v8, 1); break;
    case 4: memcpy(p, &v32, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

/* Whether an earlier task line (before d in cb_tasks order) describes
 * the same member, and so gave it its default. */
static bool described_before(size_t task, const struct cb_param_desc *d)
{
    for (size_t t = 0; t <= task; t++)
        for (const struct cb_param_desc *e = cb_tasks[t]->params; e && e->flag && e != d; e++)
            if (e->offset == d->offset)
                return true;
    return false;
}

void cb_params_default(struct cb_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t t = 0; cb_tasks[t]; t++)
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++)
            if (!described_before(t, d))
                cb_params_set(p, d, d->def);
}

uint64_t cb_params_get(const struct cb_params *p, const struct cb_param_desc *d)
{
    return cb_param_load(p, d->offset, d->width);
}

void cb_params_set(struct cb_params *p, const struct cb_param_desc *d, uint64_t v)
{
    cb_param_store(p, d->offset, d->width, v);
}
