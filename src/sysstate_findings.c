/* Judging a machine state: which findings are fine, worth a note, or a
 * problem that makes the figures doubtful. */
#include "concbench/sysstate.h"

#include <stdio.h>
#include <string.h>

#include "concbench/floor.h"

struct judge {
    const struct cb_sysstate *st;
    struct cb_sysstate_finding *out;
    size_t n, max;
};

static struct cb_sysstate_finding *add(struct judge *j, const char *check, const char *label)
{
    struct cb_sysstate_finding *f;

    if (j->n == j->max)
        return NULL;
    f = &j->out[j->n++];
    memset(f, 0, sizeof *f);
    f->check = check;
    f->label = label;
    return f;
}

static long usable(const struct cb_sysstate *st)
{
    return st->usable_cpus > 0 ? st->usable_cpus : 1;
}

static void others(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "others_cpu", "CPU use by others");
    double limit = CB_SYSSTATE_OTHERS_WARN * (double)usable(st);

    if (!f)
        return;
    if (!st->measured) {
        snprintf(f->value, sizeof f->value, "unknown (/proc/stat unreadable)");
        f->level = CB_SYSSTATE_NOTE;
        return;
    }
    snprintf(f->value, sizeof f->value, "%.2f of %ld CPUs over %.3g s", st->others_cpu,
             usable(st), st->observed_s);
    if (st->others_cpu_max > st->others_cpu)
        snprintf(f->value + strlen(f->value), sizeof f->value - strlen(f->value),
                 " (one benchmark: %.2f)", st->others_cpu_max);
    if (st->others_cpu < (limit > 0.1 ? limit : 0.1))
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "other processes ran on concbench's CPUs (busy "
             "time in /proc/stat minus its own), so its times include waiting for them");
}

static void runnable(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "procs_running", "runnable tasks");
    long cpus = st->logical_cpus > 0 ? st->logical_cpus : usable(st);

    if (!f)
        return;
    if (st->procs_others < 0) {
        snprintf(f->value, sizeof f->value, "unknown");
        f->level = CB_SYSSTATE_NOTE;
        return;
    }
    snprintf(f->value, sizeof f->value, "%.0f besides concbench on %ld CPUs (procs_running)",
             st->procs_others, cpus);
    if (st->procs_others < (double)cpus)
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "other tasks wanted every CPU: workers "
             "queue behind them");
}

static void steal(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "steal", "CPU steal");

    if (!f)
        return;
    if (!st->measured) {
        snprintf(f->value, sizeof f->value, "unknown");
        f->level = CB_SYSSTATE_NOTE;
        return;
    }
    snprintf(f->value, sizeof f->value, "%.1f%% (%.2f s)", st->steal_frac * 100, st->steal_s);
    if (st->steal_frac < CB_SYSSTATE_STEAL_WARN)
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "the hypervisor gave these CPUs' time to other "
             "guests while concbench measured; results vary with the host's load");
}

static void load(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "load_avg", "load average");

    if (!f)
        return;
    if (st->load_avg[0] < 0) {
        snprintf(f->value, sizeof f->value, "unknown");
        f->level = CB_SYSSTATE_NOTE;
        return;
    }
    snprintf(f->value, sizeof f->value, "%.2f %.2f %.2f on %ld usable CPUs", st->load_avg[0],
             st->load_avg[1], st->load_avg[2], usable(st));
    if (st->load_avg[0] < CB_SYSSTATE_LOAD_WARN * (double)usable(st))
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "the machine is busy (the load "
             "average lags by about a minute and may include a run that just ended)");
}

static void governor(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "governor", "frequency governor");

    if (!f)
        return;
    snprintf(f->value, sizeof f->value, "%s", st->governor);
    if (strcmp(st->governor, "performance") == 0)
        return;
    if (strcmp(st->governor, "unknown") == 0) {
        f->level = CB_SYSSTATE_NOTE;
        snprintf(f->advice, sizeof f->advice, "no cpufreq here (a VM, or the firmware "
                 "sets the frequency)");
        return;
    }
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "the clock follows the load, so one worker and "
             "ten run at different speeds; use the performance governor (cpupower "
             "frequency-set -g performance)");
}

static void turbo(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "turbo", "turbo/boost");

    if (!f)
        return;
    snprintf(f->value, sizeof f->value, "%s", st->turbo);
    if (strcmp(st->turbo, "off") == 0)
        return;
    f->level = CB_SYSSTATE_NOTE;
    snprintf(f->advice, sizeof f->advice, "%s", strcmp(st->turbo, "on") == 0
             ? "the clock depends on temperature and on how many cores are busy: "
               "serial may run faster per core than N workers"
             : "not exposed here");
}

static void thp(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "thp", "transparent huge pages");

    if (!f)
        return;
    snprintf(f->value, sizeof f->value, "%s", st->thp);
    if (strcmp(st->thp, "madvise") == 0 || strcmp(st->thp, "never") == 0)
        return;
    f->level = CB_SYSSTATE_NOTE;
    snprintf(f->advice, sizeof f->advice, "%s", strcmp(st->thp, "always") == 0
             ? "memory per worker, page faults and fork cost depend on huge pages"
             : "not exposed here");
}

static void build(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "build", "concbench build");
    bool debug = !st->optimized || strcmp(st->build_type, "debug") == 0;

    if (!f)
        return;
    snprintf(f->value, sizeof f->value, "%s, %s%s%s", st->build_type,
             st->optimized ? "optimised" : "not optimised",
             st->sanitizers[0] ? ", -fsanitize=" : "", st->sanitizers);
    if (!debug && !st->sanitizers[0])
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "%s: the figures are not those of a release "
             "build; build with -DCMAKE_BUILD_TYPE=Release and no CB_SANITIZE",
             st->sanitizers[0] ? "a sanitizer build checks every memory access"
                               : "a debug build is not optimised");
}

static void quota(struct judge *j)
{
    const struct cb_sysstate *st = j->st;
    struct cb_sysstate_finding *f = add(j, "cpu_quota", "container CPU quota");

    if (!f)
        return;
    if (st->cpu_quota <= 0) {
        snprintf(f->value, sizeof f->value, "none");
        return;
    }
    snprintf(f->value, sizeof f->value, "%.2f CPUs (%s)", st->cpu_quota, st->quota_source);
    if (st->cpu_quota >= (double)usable(st))
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "the cgroup allows fewer CPUs than the %ld usable: "
             "busy workers are throttled each period, so parallel runs look slow",
             usable(st));
}

/* Only where probed (`check`): a run's noise floor says the same. Judged
 * on the 10th-90th percentile spread, so that one try held off its CPU
 * for a time slice (4 ms of 10: a CV of 5.6% over 50 tries) does not
 * warn about a steady machine, while a CPU that runs at two speeds does. */
static void host_speed(struct judge *j)
{
    const struct cb_stats *h = &j->st->host_speed;
    double robust = cb_stats_robust_cv(h);
    struct cb_sysstate_finding *f;

    if (h->n == 0 || !(f = add(j, "host_speed", "CPU speed")))
        return;
    snprintf(f->value, sizeof f->value, "a %.3g ms bare loop, %zu tries: 10th-90th "
             "percentile %.3g to %.3g ms (robust CV %.1f%%; CV %.1f%%)", h->median * 1e3,
             h->n, h->p10 * 1e3, h->p90 * 1e3, robust * 100, h->cv * 100);
    if (robust <= CB_FLOOR_CV_WARN)
        return;
    f->level = CB_SYSSTATE_WARN;
    snprintf(f->advice, sizeof f->advice, "the same work took different times (on a VM: "
             "a busy sibling hardware thread, other guests, the clock): a change smaller "
             "than this cannot be told from the machine's own speed");
}

size_t cb_sysstate_findings(const struct cb_sysstate *st,
                            struct cb_sysstate_finding *out, size_t max)
{
    struct judge j = { st, out, 0, max };

    if (!st->collected)
        return 0;
    others(&j);
    runnable(&j);
    steal(&j);
    load(&j);
    governor(&j);
    turbo(&j);
    thp(&j);
    build(&j);
    quota(&j);
    host_speed(&j);
    return j.n;
}

void cb_sysstate_problem_line(const struct cb_sysstate_finding *f, char *buf, size_t len)
{
    snprintf(buf, len, "%s: %s%s%s", f->label, f->value, f->advice[0] ? "; " : "",
             f->advice);
}
