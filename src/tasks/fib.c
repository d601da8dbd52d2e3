/* fib: naive recursive Fibonacci, a call-heavy CPU-bound task. */
#include <stddef.h>
#include <stdint.h>

#include "concbench/task.h"

/* F(93) is the largest Fibonacci number a uint64_t holds. */
#define FIB_MAX_N 93u
/* Calls between checkpoints: a few microseconds of work. */
#define FIB_CHECK_MASK 1023u

static const struct cb_param_desc fib_params[] = {
    { .flag = "fib", .json_name = "fib_n", .kind = CB_PARAM_COUNT,
      CB_PARAM_AT(struct cb_params, fib_n), .min = 0, .max = FIB_MAX_N, .def = 35,
      .help = "which Fibonacci number F(N) to compute recursively",
      .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t fib_plain(uint64_t n)
{
    return n < 2 ? n : fib_plain(n - 1) + fib_plain(n - 2);
}

struct fib_walk {
    const struct cb_hooks *hooks;
    uint64_t calls;
};

/* The same recursion, reaching a checkpoint every FIB_CHECK_MASK+1 calls. */
static uint64_t fib_hooked(uint64_t n, struct fib_walk *w)
{
    if ((++w->calls & FIB_CHECK_MASK) == 0)
        cb_hooks_checkpoint(w->hooks);
    return n < 2 ? n : fib_hooked(n - 1, w) + fib_hooked(n - 2, w);
}

static uint64_t fib_run(const struct cb_params *p, void *state,
                       const struct cb_hooks *h)
{
    struct fib_walk w = { h, 0 };

    (void)state;
    if (!h || !h->checkpoint)
        return fib_plain(p->fib_n);
    return fib_hooked(p->fib_n, &w);
}

static uint64_t fib_expected(const struct cb_params *p)
{
    uint64_t a = 0, b = 1;

    for (uint64_t i = 0; i < p->fib_n; i++) {
        uint64_t next = a + b;

        a = b;
        b = next;
    }
    return a;
}

const struct cb_task cb_task_fib = {
    .name = "fib",
    .description = "naive recursive Fibonacci F(--fib)",
    .cpu_bound = true,
    .size_param = "fib",
    .params = fib_params,
    .check = NULL,
    .run = fib_run,
    .expected = fib_expected,
};
