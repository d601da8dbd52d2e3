/* serial: the N tasks one after another in the calling thread. */

#include "concbench/clock.h"
#include "concbench/runner.h"
#include "concbench/worker.h"
#include "runner_internal.h"

/* One worker at a time cannot be held alive with the others, so serial
 * reports no memory of the set; a payload is handed over by pointer. With
 * nothing created ahead, there is no gate either: --start=barrier times
 * serial exactly as immediate does. */
static void run_one(const struct cb_run_spec *spec, uint32_t i, struct cb_gil *gil)
{
    struct cb_worker_args a = cb_runner_args(spec, i, CB_SCOPE_THREAD);
    struct cb_worker_record *r = a.rec;

    a.gil = gil;
    a.pin = CB_PIN_NONE; /* it would pin the caller, not a worker */
    if (a.payload.size)
        a.payload.way = CB_PAYLOAD_POINTER;
    r->create_ns = cb_clock_now_ns();
    cb_worker_run(&a);
}


static int serial_run(const struct cb_run_spec *spec, struct cb_run_times *t,
                      struct cb_error *err)
{
    const struct cb_run_opts *o = cb_runner_opts(spec);
    struct cb_gil gil;

    if (o->gil && cb_gil_init(&gil, o->switch_ns, err) != 0)
        return -1;
    t->t0_ns = t->release_ns = cb_clock_now_ns();
    for (uint32_t i = 0; i < spec->workers; i++)
        run_one(spec, i, o->gil ? &gil : NULL);
    /* Nothing is created ahead of its run: the creation phase is empty. */
    t->ready_ns = t->t0_ns;
    t->t1_ns = cb_clock_now_ns();
    t->started = spec->workers;
    cb_runner_collect_payloads(spec, spec->workers); /* after the timed run */
    if (o->gil)
        cb_gil_destroy(&gil);
    return 0;
}

const struct cb_runner cb_runner_serial = {
    .name = "serial",
    .description = "the same tasks one after another in one thread: the baseline",
    .separate_memory = false,
    .run = serial_run,
};
