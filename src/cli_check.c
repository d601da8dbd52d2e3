/* `concbench check [OPTIONS]`: the machine's state, without a run. */
#include "concbench/check.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concbench/cli.h"
#include "concbench/clock.h"
#include "concbench/floor.h"
#include "concbench/version.h"
#include "json_util.h"
#include "report_state.h"
#include "strbuf.h"

static int apply(void *ctx, int ch, const char *arg, struct cb_error *err)
{
    static const enum cb_format accepted[] = { CB_FORMAT_TABLE, CB_FORMAT_JSON };
    struct cb_check_opts *o = ctx;

    return cb_cli_format_output_arg(ch, arg, accepted, sizeof accepted / sizeof accepted[0],
                                    &o->format, &o->output, err);
}

int cb_check_parse_args(int argc, char **argv, struct cb_check_opts *o,
                        struct cb_error *err)
{
    memset(o, 0, sizeof *o);
    o->format = CB_FORMAT_TABLE;
    if (cb_cli_subcommand(argc, argv, cb_cli_format_output_options, apply, o, &o->help, err) != 0)
        return -1;
    if (!o->help && optind < argc) {
        cb_error_set(err, "check takes no arguments, got '%s'; see concbench check --help",
                     argv[optind]);
        return -1;
    }
    return 0;
}

const char *cb_check_usage(void)
{
    return
        "Usage: concbench check [OPTIONS]\n"
        "\nThe machine's state, as concbench records it in every result's\n"
        "context.state, judged without running a benchmark: CPU use by other\n"
        "processes (watched for 0.5 s: busy time in /proc/stat minus concbench's\n"
        "own), runnable tasks, CPU steal, the load average, the frequency governor,\n"
        "turbo/boost, transparent huge pages, a debug or sanitizer build and a\n"
        "container (cgroup) CPU quota. Each is ok, a note, or a warning: a run\n"
        "warns about the same problems once on stderr. Check only: the CPU's\n"
        "speed (a 10 ms bare loop timed back to back over those 0.5 s; a spread\n"
        "above 5% warns, compare's default threshold: the 10th-90th percentile\n"
        "over 2.563 medians, the CV of normal data, which one try held off its\n"
        "CPU does not move; a run's noise floor measures the same between its\n"
        "samples). While it runs, concbench holds one CPU itself: others' CPU\n"
        "is what they got beside it.\n"
        "\nOptions:\n"
        "  -f, --format=FORMAT       table, json (default: table)\n"
        "  -o, --output=FILE         write to FILE, replaced atomically\n"
        "  -h, --help                show this help\n"
        "\nExit status: 0 whatever the state (a warning is not an error: gate on\n"
        "the JSON's state.problems), 2 usage error, 3 the output could not be\n"
        "written.\n";
}

void cb_check_observe(struct cb_sysstate *st, uint64_t window_ns)
{
    struct cb_sysstate_snap a, b;
    struct cb_sysstate_delta d;
    struct timespec ts;
    uint64_t spent, t0;

    cb_sysstate_collect(NULL, st);
    cb_sysstate_snapshot(NULL, &a);
    t0 = cb_clock_now_ns();
    /* Without memory for the tries, or with tries cut short, the rest of
     * the window is waited out: others are watched for all of it. */
    (void)cb_floor_probe(window_ns, CB_CHECK_TRY_NS, &st->host_speed);
    spent = cb_clock_now_ns() - t0;
    if (spent < window_ns) {
        ts.tv_sec = (time_t)((window_ns - spent) / CB_NS_PER_S);
        ts.tv_nsec = (long)((window_ns - spent) % CB_NS_PER_S);
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    cb_sysstate_snapshot(NULL, &b);
    d = cb_sysstate_others(&a, &b);
    if (d.valid)
        cb_sysstate_measured(st, d.others_ns, d.steal_ns, d.interval_ns, -1);
}

static const char *const level_names[] = {
    [CB_SYSSTATE_OK] = "ok", [CB_SYSSTATE_NOTE] = "note", [CB_SYSSTATE_WARN] = "WARNING",
};

static char *render_table(const struct cb_sysstate *st, struct cb_error *err)
{
    /* On the heap: 5 KiB is too much for a small stack. */
    struct cb_sysstate_finding *f = calloc(CB_SYSSTATE_MAX_FINDINGS, sizeof *f);
    size_t n = f ? cb_sysstate_findings(st, f, CB_SYSSTATE_MAX_FINDINGS) : 0, problems = 0;
    struct cb_strbuf sb;

    cb_strbuf_init(&sb);
    if (!f)
        sb.failed = true;
    cb_strbuf_printf(&sb, "%-24s %-8s %s\n", "check", "state", "value");
    for (size_t i = 0; i < n; i++) {
        cb_strbuf_printf(&sb, "%-24s %-8s %s\n", f[i].label, level_names[f[i].level],
                         f[i].value);
        if (f[i].advice[0])
            cb_strbuf_printf(&sb, "%-24s %-8s %s\n", "", "", f[i].advice);
        problems += f[i].level == CB_SYSSTATE_WARN;
    }
    if (problems)
        cb_strbuf_printf(&sb, "\n%zu problem%s: figures measured now may not be trusted\n",
                         problems, problems == 1 ? "" : "s");
    else
        cb_strbuf_puts(&sb, "\nno problems found\n");
    free(f);
    return cb_strbuf_finish(&sb, err);
}

static char *render_json(const struct cb_sysstate *st, struct cb_error *err)
{
    cJSON *root = cJSON_CreateObject(), *tool;
    bool built = root && cJSON_AddNumberToObject(root, "schema_version", 1) &&
                 cJSON_AddStringToObject(root, "kind", "concbench-check") &&
                 (tool = cJSON_AddObjectToObject(root, "tool")) != NULL &&
                 cJSON_AddStringToObject(tool, "name", "concbench") &&
                 cJSON_AddStringToObject(tool, "version", CB_VERSION) &&
                 cJSON_AddNumberToObject(root, "usable_cpus", (double)st->usable_cpus) &&
                 cb_report_state_json(root, "state", st) == 0 &&
                 cb_report_findings_json(root, "findings", st) == 0;

    return cb_json_finish(root, built, "the check", err);
}

char *cb_check_render(const struct cb_sysstate *st, enum cb_format f, struct cb_error *err)
{
    return f == CB_FORMAT_JSON ? render_json(st, err) : render_table(st, err);
}
