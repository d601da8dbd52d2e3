/* io: an I/O wait simulated by sleeping, as a blocking call would. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <time.h>

#include "concbench/clock.h"
#include "concbench/task.h"

#define IO_MAX_SLEEP_NS (3600ull * CB_NS_PER_S) /* one hour */

static const struct cb_param_desc io_params[] = {
    { .flag = "sleep", .json_name = "sleep_s", .kind = CB_PARAM_DURATION,
      CB_PARAM_AT(struct cb_params, sleep_ns), .min = 0, .max = IO_MAX_SLEEP_NS,
      .def = 100000000u, /* 100 ms */
      .help = "how long each worker sleeps (ns, us, ms, s)", .json = CB_JSON_PARAMS },
    { .flag = NULL },
};

static uint64_t io_run(const struct cb_params *p, void *state,
                      const struct cb_hooks *h)
{
    struct timespec deadline;
    uint64_t until = cb_clock_now_ns() + p->sleep_ns;

    (void)state;
    /* The default 50 us timer slack would make every sleep that much
     * longer; 1 ns asks the kernel to wake us on time. Per thread. */
    prctl(PR_SET_TIMERSLACK, 1ul, 0ul, 0ul, 0ul);
    deadline.tv_sec = (time_t)(until / CB_NS_PER_S);
    deadline.tv_nsec = (long)(until % CB_NS_PER_S);
    cb_hooks_block_begin(h);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
        ;
    cb_hooks_block_end(h);
    return p->sleep_ns;
}

static uint64_t io_expected(const struct cb_params *p)
{
    return p->sleep_ns;
}

const struct cb_task cb_task_io = {
    .name = "io",
    .description = "I/O wait: sleeps --sleep with clock_nanosleep",
    .cpu_bound = false,
    .params = io_params,
    .check = NULL,
    .run = io_run,
    .expected = io_expected,
    .wait_ns = io_expected, /* the wait is the whole job */
};
