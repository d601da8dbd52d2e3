#include "concbench/task.h"

#include <inttypes.h>
#include <string.h>

const struct cb_task *const cb_tasks[] = {
    &cb_task_cpu,
    &cb_task_io,
    &cb_task_fib,
    NULL,
};

const struct cb_task *cb_task_find(const char *name)
{
    for (size_t i = 0; cb_tasks[i]; i++)
        if (strcmp(cb_tasks[i]->name, name) == 0)
            return cb_tasks[i];
    return NULL;
}

int cb_task_check(const struct cb_task *task, const struct cb_params *p,
                  struct cb_error *err)
{
    for (const struct cb_param_desc *d = task->params; d && d->flag; d++) {
        uint64_t v = cb_params_get(p, d);

        if (v < d->min || v > d->max) {
            const char *unit = d->kind == CB_PARAM_DURATION ? " ns" : "";

            cb_error_set(err, "--%s: %" PRIu64 "%s is out of range; accepted: "
                         "%" PRIu64 " to %" PRIu64 "%s", d->flag, v, unit,
                         d->min, d->max, unit);
            return -1;
        }
    }
    return task->check ? task->check(p, err) : 0;
}
