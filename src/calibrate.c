#include "concbench/calibrate.h"

#include <inttypes.h>
#include <string.h>

#include "concbench/executor.h"
#include "concbench/run.h"

#define MAX_TRIALS 64

uint64_t cb_calibrate_round(uint64_t v)
{
    uint64_t p = 1;

    for (;;) {
        if (v <= p)
            return p;
        if (v <= 2 * p)
            return 2 * p;
        if (v <= 5 * p)
            return 5 * p;
        if (p > UINT64_MAX / 10)
            return v;
        p *= 10;
    }
}

static const struct cb_param_desc *size_desc(const struct cb_task *task)
{
    for (const struct cb_param_desc *d = task->params; task->size_param && d && d->flag; d++)
        if (strcmp(d->flag, task->size_param) == 0)
            return d;
    return NULL;
}

/* One job of task with p, alone, in this thread: its run time. */
static int trial(const struct cb_task *task, const struct cb_params *p,
                 struct cb_shared *sh, uint64_t *ns, struct cb_error *err)
{
    struct cb_run_spec spec = {
        .task = task, .params = p, .workers = 1, .start = CB_START_IMMEDIATE, .shared = sh,
    };
    struct cb_run_times t = { 0 };
    struct cb_task_run tr;
    const struct cb_worker_record *r = &sh->rec[0];
    uint64_t total = 0;
    int rc;

    cb_shared_reset(sh, 1);
    if (cb_task_run_begin(task, p, 1, false, &tr, err) != 0)
        return -1;
    spec.task_state = tr.state;
    rc = cb_run_sample(cb_executor_baseline(), &spec, &t, err);
    cb_task_run_end(task, &tr, &total);
    if (rc != 0)
        return -1;
    if (r->status != CB_WORKER_OK || r->checksum != task->expected(p)) {
        cb_error_set(err, "--min-time: a trial %s job failed while sizing --%s", task->name,
                     task->size_param);
        return -1;
    }
    *ns = r->end_ns - r->start_ns;
    return 0;
}

/* The next value to try after v lasted ns, short of min_ns. */
static uint64_t next_value(const struct cb_task *task, uint64_t v, uint64_t ns, uint64_t min_ns)
{
    double scale;

    if (!task->size_linear)
        return v + 1;
    /* Aim 10% past the goal; at most x100 a step, so one noisy trial
     * cannot run away. */
    scale = ns ? 1.1 * (double)min_ns / (double)ns : 100.0;
    scale = scale > 100.0 ? 100.0 : scale < 1.1 ? 1.1 : scale;
    return cb_calibrate_round((uint64_t)((double)v * scale));
}

int cb_calibrate(const struct cb_task *task, struct cb_params *p, uint64_t min_ns,
                 struct cb_shared *sh, struct cb_error *err)
{
    const struct cb_param_desc *d = size_desc(task);
    uint64_t v, ns = 0;

    if (!d || !cb_executor_baseline())
        return 0;
    v = task->size_linear ? cb_calibrate_round(d->min ? d->min : 1) : d->min;
    for (int i = 0; i < MAX_TRIALS; i++) {
        cb_params_set(p, d, v);
        if (trial(task, p, sh, &ns, err) != 0)
            return -1;
        /* Long enough once: confirm with the faster of two more, so a
         * moment of load does not stop the sizing short. */
        for (int k = 0; k < 2 && ns >= min_ns; k++) {
            uint64_t again;

            if (trial(task, p, sh, &again, err) != 0)
                return -1;
            ns = again < ns ? again : ns;
        }
        if (ns >= min_ns)
            return 0;
        v = next_value(task, v, ns, min_ns);
        if (v > d->max)
            break;
    }
    cb_error_set(err, "--min-time: no --%s up to %" PRIu64 " makes a %s job last that long "
                 "here; accepted: a shorter --min-time", d->flag, d->max, task->name);
    return -1;
}
