/* cpu: a counting loop, the classic "count to ten million" demo. */
#include <stddef.h>
#include <stdint.h>

#include "concbench/task.h"

/* Steps between checkpoints: a few microseconds of work. */
#define CPU_CHUNK 4096u

static const struct cb_param_desc cpu_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT64_MAX,
      .def = 100000000u, /* 10^8: tens of ms on a current core (10^7, the
                           classic demo, lasts about 3 ms: too short to time) */
      .help = "steps of the counting loop", .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t cpu_run(const struct cb_params *p, void *state,
                       const struct cb_hooks *h)
{
    uint64_t count = 0;
    uint64_t left = p->iterations;

    (void)state;
    while (left) {
        uint64_t chunk = left < CPU_CHUNK ? left : CPU_CHUNK;

        left -= chunk;
        for (uint64_t i = 0; i < chunk; i++) {
            count++;
            /* The empty asm claims to read and change count, so the
             * compiler must do every step: it cannot delete the loop or
             * replace it with count += chunk. */
            __asm__ volatile("" : "+r"(count));
        }
        cb_hooks_checkpoint(h);
    }
    return count;
}

const struct cb_task cb_task_cpu = {
    .name = "cpu",
    .description = "CPU-bound counting loop of --iterations steps",
    .cpu_bound = true,
    .size_param = "iterations",
    .size_linear = true,
    .params = cpu_params,
    .check = NULL,
    .run = cpu_run,
    .expected = cb_task_iterations,
};
