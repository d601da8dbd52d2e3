/* Looking executors up in the registry (cb_executors[] is generated from
 * the CB_EXECUTORS list in CMakeLists.txt: src/registry.c.in). */
#include "concbench/executor.h"

#include <limits.h>
#include <string.h>

const struct cb_executor *cb_executor_find(const char *name)
{
    for (size_t i = 0; name && cb_executors[i]; i++)
        if (strcmp(cb_executors[i]->name, name) == 0)
            return cb_executors[i];
    return NULL;
}

const struct cb_executor *cb_executor_baseline(void)
{
    for (size_t i = 0; cb_executors[i]; i++)
        if (cb_executors[i]->baseline)
            return cb_executors[i];
    return NULL;
}

uint32_t cb_executor_units(const struct cb_executor *x, uint32_t jobs,
                           const struct cb_run_opts *o)
{
    uint32_t n = x->units ? x->units(jobs, o) : jobs;

    /* Never more units than jobs, never none for some jobs. */
    if (n > jobs)
        n = jobs;
    return n == 0 && jobs > 0 ? 1 : n;
}

uint32_t cb_executor_unit_threads(const struct cb_executor *x, uint32_t jobs,
                             const struct cb_run_opts *o)
{
    uint32_t t = x->threads ? x->threads(jobs, o) : 1;

    return t ? t : 1;
}

int cb_executor_order(const struct cb_executor *x)
{
    return x ? x->order : INT_MAX;
}

int cb_executor_order_of(const char *name)
{
    return cb_executor_order(cb_executor_find(name));
}

bool cb_executor_pair(const char **first, const char **second)
{
    const struct cb_executor *best = NULL;

    for (size_t i = 0; cb_executors[i]; i++) {
        const struct cb_executor *x = cb_executors[i];

        if (x->contrast && cb_executor_find(x->contrast) &&
            (!best || x->order < best->order))
            best = x;
    }
    if (!best)
        return false;
    *first = best->name;
    *second = best->contrast;
    return true;
}
