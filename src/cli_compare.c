/* `concbench compare BASE NEW [OPTIONS]`: argv into cb_compare_opts. */
#include "concbench/compare.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/cli.h"
#include "concbench/units.h"

#define MAX_MIN_SAMPLES 1000000u

enum {
    OPT_THRESHOLD = 256,
    OPT_ALPHA,
    OPT_METRIC,
    OPT_FAIL_ON,
    OPT_NORMALIZE,
    OPT_PER_FLOOR,
    OPT_WALL_ONLY,
    OPT_CPU_FLOOR,
    OPT_MIN_SAMPLES,
    OPT_ALLOW_MISSING,
};

static const struct option options[] = {
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "alpha", required_argument, NULL, OPT_ALPHA },
    { "metric", required_argument, NULL, OPT_METRIC },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { "normalize", no_argument, NULL, OPT_NORMALIZE },
    { "per-floor", no_argument, NULL, OPT_PER_FLOOR },
    { "wall-only", no_argument, NULL, OPT_WALL_ONLY },
    { "cpu-floor", no_argument, NULL, OPT_CPU_FLOOR },
    { "min-samples", required_argument, NULL, OPT_MIN_SAMPLES },
    { "allow-missing", no_argument, NULL, OPT_ALLOW_MISSING },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static const char *const metric_names[] = { "wall", "spawn", "cpu", "memory", NULL };
static const char *const fail_on_names[] = { "slower", "inconclusive", "never", NULL };
static const char *const format_names[] = { "table", "markdown", "json", NULL };
static const enum cb_format formats[] = {
    CB_FORMAT_TABLE, CB_FORMAT_MARKDOWN, CB_FORMAT_JSON,
};

static const char *const verdict_names[] = {
    [CB_VERDICT_UNCHANGED] = "unchanged",
    [CB_VERDICT_FASTER] = "faster",
    [CB_VERDICT_SLOWER] = "slower",
    [CB_VERDICT_INCONCLUSIVE] = "inconclusive",
    [CB_VERDICT_UNRELIABLE] = "unreliable",
    [CB_VERDICT_FAILED] = "failed",
    [CB_VERDICT_NOT_COMPARABLE] = "not comparable",
    [CB_VERDICT_ONLY_BASE] = "only in BASE",
    [CB_VERDICT_ONLY_NEW] = "only in NEW",
};

const char *cb_compare_verdict_name(enum cb_verdict v)
{
    return (size_t)v < sizeof verdict_names / sizeof *verdict_names ? verdict_names[v] : "?";
}

const char *cb_compare_metric_name(enum cb_metric m)
{
    return (size_t)m < sizeof metric_names / sizeof *metric_names - 1 ? metric_names[m] : "?";
}

void cb_compare_opts_default(struct cb_compare_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.05;
    o->alpha = 0.05;
    o->metric = CB_METRIC_WALL;
    o->fail_on = CB_FAIL_SLOWER;
    o->format = CB_FORMAT_TABLE;
    o->min_samples = CB_COMPARE_MIN_SAMPLES;
}

static int choice(const char *flag, const char *arg, const char *const *names,
                  size_t *out, struct cb_error *err)
{
    char acc[128] = "";

    for (size_t i = 0; names[i]; i++) {
        if (strcmp(names[i], arg) == 0) {
            *out = i;
            return 0;
        }
        snprintf(acc + strlen(acc), sizeof acc - strlen(acc), "%s%s", i ? ", " : "", names[i]);
    }
    cb_error_set(err, "--%s: '%s' is not accepted; accepted: %s", flag, arg, acc);
    return -1;
}

/* A decimal in [min, max] (exclusive of min when open), optionally with a
 * trailing % when pct. Durations and counts have cb_units parsers; these
 * are fractions, so strtod with the checks they make. */
static int real(const char *flag, const char *arg, double min, double max, bool open,
                bool pct, const char *acc, double *out, struct cb_error *err)
{
    char *end = NULL;
    double v = strtod(arg, &end);

    if (end && pct && *end == '%')
        end++;
    if (!strchr("0123456789.", arg[0]) || !end || end == arg || *end != '\0' || !isfinite(v) ||
        v < min || (open && v == min) || v > max) {
        cb_error_set(err, "--%s: '%s' is not accepted; accepted: %s", flag, arg, acc);
        return -1;
    }
    *out = v;
    return 0;
}

static int min_samples(const char *arg, size_t *out, struct cb_error *err)
{
    uint64_t v = 0;

    if (cb_units_parse_count(arg, &v) != 0 || v < 1 || v > MAX_MIN_SAMPLES) {
        cb_error_set(err, "--min-samples: '%s' is not accepted; accepted: 1 to %u",
                     arg, MAX_MIN_SAMPLES);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* The options being parsed, and whether -f was among them. */
struct parse {
    struct cb_compare_opts *o;
    bool format_set;
};

static int apply(void *ctx, int ch, const char *arg, struct cb_error *err)
{
    struct cb_compare_opts *o = ((struct parse *)ctx)->o;
    size_t i = 0;

    switch (ch) {
    case OPT_THRESHOLD:
        if (real("threshold", arg, 0, 1000, false, true, "a percentage 0 to 1000, e.g. 5 or 2.5%",
                 &o->threshold, err) != 0)
            return -1;
        o->threshold /= 100;
        return 0;
    case OPT_ALPHA:
        return real("alpha", arg, 0, 0.5, true, false, "a probability above 0 and at most 0.5",
                    &o->alpha, err);
    case OPT_METRIC:
        return choice("metric", arg, metric_names, &i, err) ? -1 : (o->metric = (enum cb_metric)i, 0);
    case OPT_FAIL_ON:
        return choice("fail-on", arg, fail_on_names, &i, err) ? -1
               : (o->fail_on = (enum cb_fail_on)i, 0);
    case 'f':
        ((struct parse *)ctx)->format_set = true;
        return choice("format", arg, format_names, &i, err) ? -1 : (o->format = formats[i], 0);
    case 'o':
        return cb_cli_output_arg(arg, &o->output, err);
    case OPT_NORMALIZE:
        o->normalize = true;
        return 0;
    case OPT_PER_FLOOR:
        o->per_floor = true;
        return 0;
    case OPT_WALL_ONLY:
        o->wall_only = true;
        return 0;
    case OPT_CPU_FLOOR:
        o->cpu_floor = true;
        return 0;
    case OPT_ALLOW_MISSING:
        o->allow_missing = true;
        return 0;
    default:
        return min_samples(arg, &o->min_samples, err);
    }
}

int cb_compare_parse_args(int argc, char **argv, bool stdout_tty,
                          struct cb_compare_opts *o, struct cb_error *err)
{
    struct parse p;

    cb_compare_opts_default(o);
    p.o = o; /* after the defaults: the options start filled in */
    p.format_set = false;
    if (cb_cli_subcommand(argc, argv, options, apply, &p, &o->help, err) != 0)
        return -1;
    if (o->help)
        return 0;
    if (o->per_floor && o->metric != CB_METRIC_WALL) {
        cb_error_set(err, "--per-floor: only with --metric=wall (the noise floor is a wall "
                     "time), not --metric=%s", cb_compare_metric_name(o->metric));
        return -1;
    }
    if (o->cpu_floor && (o->wall_only || o->metric != CB_METRIC_WALL)) {
        cb_error_set(err, "--cpu-floor: only with the work check (--metric=wall, without "
                     "--wall-only)");
        return -1;
    }
    if (argc - optind != 2) {
        cb_error_set(err, "compare: needs two result files, BASE and NEW, got %d; "
                     "see concbench compare --help", argc - optind);
        return -1;
    }
    o->base_path = argv[optind];
    o->new_path = argv[optind + 1];
    /* A terminal gets a table; a pipe or a file gets what a program reads. */
    if (!p.format_set)
        o->format = stdout_tty && !o->output ? CB_FORMAT_TABLE : CB_FORMAT_JSON;
    return 0;
}

const char *cb_compare_usage(void)
{
    return
        "Usage: concbench compare BASE.json NEW.json [OPTIONS]\n"
        "\nCompares two result files benchmark by benchmark (matched by name) with\n"
        "a Mann-Whitney U test and a Hodges-Lehmann interval of the change.\n"
        "\nOptions:\n"
        "      --threshold=PCT       a change smaller than this is noise (default: 5)\n"
        "      --alpha=P             significance level of the test (default: 0.05)\n"
        "      --metric=METRIC       wall: wall time per sample; spawn: the median\n"
        "                            worker creation latency per sample; cpu:\n"
        "                            CPU time per sample (cpu_s; user_s + sys_s\n"
        "                            in older files); memory: PSS per\n"
        "                            live worker per sample, in KiB (default: wall)\n"
        "      --fail-on=WHAT        exit 1 on: slower (slower or failed benchmarks),\n"
        "                            inconclusive (also inconclusive and unreliable),\n"
        "                            never (default: slower)\n"
        "      --allow-missing       pass although a BASE benchmark has no comparable\n"
        "                            counterpart in NEW (absent, failed, other\n"
        "                            parameters); by default that exits 1\n"
        "      --normalize           divide each file by its own 1-worker serial\n"
        "                            time of the same task (needs -m ...,serial -n 1)\n"
        "      --per-floor           divide each sample's wall time by the noise\n"
        "                            floor's reading in the same round (floor_s;\n"
        "                            files without it: compared undivided, noted)\n"
        "      --wall-only           no work check (by default, with --metric=wall,\n"
        "                            a CPU-bound task's CPU time is tested too: a\n"
        "                            wall slowdown it does not show, while others\n"
        "                            used the CPUs, is inconclusive; slower CPU\n"
        "                            time is slower)\n"
        "      --cpu-floor           the work check tests each sample's CPU time over\n"
        "                            the noise floor's CPU time in the same round\n"
        "                            (floor_cpu_s), where both files have it\n"
        "      --min-samples=N       fewer samples on a side: unreliable (default: 5)\n"
        "  -f, --format=FORMAT       table, markdown, json (default: table on a\n"
        "                            terminal, else json)\n"
        "  -o, --output=FILE         write to FILE, replaced atomically\n"
        "  -h, --help                show this help\n"
        "\nVerdicts: slower / faster when significant (p < alpha) and the whole\n"
        "interval of the change lies beyond the threshold; unchanged when the\n"
        "whole interval lies inside +-threshold; inconclusive otherwise (the\n"
        "interval reaches past the threshold, significant or not).\n"
        "\nExit status: 0 no regression, 1 a regression (see --fail-on), a BASE\n"
        "benchmark with no comparable counterpart in NEW (see --allow-missing) or\n"
        "nothing compared at all (--fail-on=never: never 1),\n"
        "2 usage error or a bad result file, 3 the output could not be written.\n";
}
