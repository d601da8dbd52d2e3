#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/clock.h"
#include "concbench/memory.h"
#include "concbench/payload.h"
#include "runner_internal.h"

const struct cb_run_opts *cb_runner_opts(const struct cb_run_spec *spec)
{
    static const struct cb_run_opts none;

    return spec->opts ? spec->opts : &none;
}

struct cb_worker_args cb_runner_args(const struct cb_run_spec *spec, uint32_t i,
                                     enum cb_worker_scope scope)
{
    struct cb_worker_args a;

    memset(&a, 0, sizeof a);
    a.task = spec->task;
    a.params = spec->params;
    a.hooks = spec->hooks;
    a.rec = &spec->shared->rec[i];
    a.scope = scope;
    a.state = spec->task_state;
    a.worker_mem = cb_runner_opts(spec)->worker_mem;
    a.payload.id = i;
    a.payload.size = cb_runner_opts(spec)->payload;
    a.payload.fd = -1;
    a.pin = cb_runner_opts(spec)->pin;
    a.nworkers = spec->workers;
    return a;
}

void cb_runner_baseline(struct cb_run_times *t)
{
    memset(&t->memory, 0, sizeof t->memory);
    t->memory.valid = cb_memory_pss_kib(0, &t->memory.baseline_kib, NULL) == 0;
}

void cb_runner_hold(struct cb_gate *hold, uint32_t n, const pid_t *pids,
                    bool (*alive)(void *), struct cb_run_times *t)
{
    if (cb_gate_wait_ready(hold, n, alive, NULL) == 0) {
        t->held_ns = cb_clock_now_ns();
        if (t->memory.valid)
            t->memory.valid = cb_memory_pss_sum(pids, n, &t->memory.total_pss_kib,
                                                NULL) == 0;
        t->unheld_ns = cb_clock_now_ns();
    } else {
        t->memory.valid = false;
    }
    cb_gate_release(hold, false);
}

void cb_runner_collect_payloads(const struct cb_run_spec *spec, uint32_t n)
{
    uint64_t size = cb_runner_opts(spec)->payload;

    for (uint32_t i = 0; size && i < n; i++) {
        struct cb_worker_record *r = &spec->shared->rec[i];
        void *buf = (void *)(uintptr_t)r->payload_ptr;

        cb_payload_verify(buf, size, i, r);
        free(buf);
        r->payload_ptr = 0;
    }
}

const char *cb_runner_limit_hint(int rc, bool threads)
{
    if (rc == EAGAIN)
        return threads ? " (thread limit: ulimit -u, /proc/sys/kernel/threads-max or a "
                         "pids cgroup)"
                       : " (process limit: ulimit -u, /proc/sys/kernel/pid_max or a "
                         "pids cgroup)";
    if (rc == ENOMEM)
        return threads ? " (memory limit: MemAvailable, the memory cgroup, or a smaller "
                         "--stack-size)"
                       : " (memory limit: MemAvailable, the memory cgroup, or "
                         "vm.overcommit_memory)";
    return "";
}
