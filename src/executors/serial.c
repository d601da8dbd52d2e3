/* serial: the jobs one after another in the calling thread. */
#include <string.h>

#include "concbench/executor.h"

/* One job at a time cannot be held alive with the others, so serial
 * reports no memory of the set; a payload is handed over by pointer. With
 * nothing created ahead, there is no gate either: --start=barrier times
 * serial exactly as immediate does. */
static int serial_start(struct cb_exec *x, struct cb_unit *u, cb_unit_fn fn, void *arg)
{
    (void)x;
    (void)u;
    fn(arg);
    return 0;
}

static int serial_wait(struct cb_exec *x, struct cb_unit *u, uint64_t deadline_ns,
                       struct cb_unit_end *end)
{
    (void)x;
    (void)u;
    (void)deadline_ns;
    memset(end, 0, sizeof *end);
    return 0;
}

static int serial_kill(struct cb_exec *x, struct cb_unit *u)
{
    (void)x;
    (void)u;
    return -1;
}

const struct cb_executor cb_executor_serial = {
    .name = "serial",
    .description = "the same tasks one after another in one thread: the baseline",
    .separate_memory = false,
    .baseline = true,
    .opt_in = true,
    .concurrent = false,
    .spawns = false,
    .order = 0,
    .create_call = "a call",
    .unit_noun = "calls",
    .start = serial_start,
    .wait = serial_wait,
    .kill = serial_kill,
};
