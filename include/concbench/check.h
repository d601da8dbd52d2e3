/* `concbench check`: the machine's state, judged, without running any
 * benchmark. */
#ifndef CONCBENCH_CHECK_H
#define CONCBENCH_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "concbench/config.h"
#include "concbench/error.h"
#include "concbench/sysstate.h"

/* How long `check` watches what others run on the CPUs: 50 ticks of
 * /proc/stat per CPU, 2% resolution. */
#define CB_CHECK_WINDOW_NS 500000000ull
/* One try of the bare loop `check` times back to back in that window:
 * long enough to time well, short enough for about 50 tries. */
#define CB_CHECK_TRY_NS 10000000ull

struct cb_check_opts {
    enum cb_format format; /* CB_FORMAT_TABLE or CB_FORMAT_JSON */
    const char *output;    /* NULL: stdout */
    bool help;             /* --help was given; nothing else is valid */
};

/* Parses `check [OPTIONS]`; argv[0] is "check". Returns 0, or -1 with err
 * naming the flag and what it accepts (a usage error: exit 2). */
int cb_check_parse_args(int argc, char **argv, struct cb_check_opts *o,
                        struct cb_error *err);

/* The `check --help` text. Can't fail. */
const char *cb_check_usage(void);

/* Collects the state of this machine and watches it for window_ns:
 * others' CPU, steal and runnable tasks over that time, while a bare
 * loop is timed back to back in this thread (st->host_speed; its CPU
 * time is concbench's own, not others'). Can't fail: without memory for
 * the tries it only waits. */
void cb_check_observe(struct cb_sysstate *st, uint64_t window_ns);

/* Renders st: a table of findings with advice, or JSON (tool, state and
 * every finding with its level). Returns a malloc'd string the caller
 * frees, or NULL with err on allocation failure. */
char *cb_check_render(const struct cb_sysstate *st, enum cb_format f, struct cb_error *err);

#endif
