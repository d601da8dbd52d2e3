/* serial: the N tasks one after another in the calling thread. */
#include "concbench/clock.h"
#include "concbench/runner.h"
#include "concbench/worker.h"

static int serial_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                      struct cb_error *err)
{
    (void)err;
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    for (uint32_t i = 0; i < spec->workers; i++) {
        struct cb_worker_args a = {
            spec->task, spec->params, spec->hooks, NULL,
            &spec->shared->rec[i], CB_SCOPE_THREAD,
        };

        a.rec->create_ns = cb_clock_now_ns();
        cb_worker_run(&a);
    }
    t->ready_ns = t->t1_ns = cb_clock_now_ns();
    t->started = spec->workers;
    return 0;
}

const struct cb_runner cb_runner_serial = {
    .name = "serial",
    .description = "the same tasks one after another in one thread: the baseline",
    .run = serial_run,
};
