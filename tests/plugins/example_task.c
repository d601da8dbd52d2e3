/* example: a task that lives outside src/ and is registered only by the
 * CB_EXAMPLE_PLUGINS build (one entry in the CMake task list), to prove a
 * task needs its file and nothing else. It sums the first --iterations
 * odd numbers, which is --iterations squared. */
#include <stddef.h>
#include <stdint.h>

#include "concbench/task.h"

static const struct cb_param_desc example_params[] = {
    { .flag = "iterations", .json_name = "iterations", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, iterations), .min = 1, .max = UINT32_MAX,
      .def = 10000000u, .help = "odd numbers to sum", .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t example_run(const struct cb_params *p, void *state,
                            const struct cb_hooks *h)
{
    uint64_t sum = 0;

    (void)state;
    for (uint64_t i = 0; i < p->iterations; i++) {
        sum += 2 * i + 1;
        __asm__ volatile("" : "+r"(sum));
        if ((i & 4095u) == 0)
            cb_hooks_checkpoint(h);
    }
    return sum;
}

static uint64_t example_expected(const struct cb_params *p)
{
    return p->iterations * p->iterations;
}

const struct cb_task cb_task_example = {
    .name = "example",
    .description = "example plug-in: sums the first --iterations odd numbers; shows that "
                   "a task needs only its own file",
    .cpu_bound = true,
    .opt_in = true,
    .op = "odd number",
    .ops = cb_task_iterations,
    .params = example_params,
    .run = example_run,
    .expected = example_expected,
};
