/* What differs between the two files' machines: printed before the rows,
 * since a change may come from them rather than from the code. */
#include "concbench/compare.h"
#include "concbench/json_keys.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void diff_str(struct cb_comparison *c, const char *field, const char *a, const char *b)
{
    struct cb_compare_ctxdiff *d;

    if (strcmp(a, b) == 0 || c->ndiffs == sizeof c->diffs / sizeof c->diffs[0])
        return;
    d = &c->diffs[c->ndiffs++];
    d->field = field;
    snprintf(d->base, sizeof d->base, "%s", a);
    snprintf(d->new_, sizeof d->new_, "%s", b);
}

static void diff_long(struct cb_comparison *c, const char *field, long a, long b)
{
    char sa[32], sb[32];

    snprintf(sa, sizeof sa, "%ld", a);
    snprintf(sb, sizeof sb, "%ld", b);
    diff_str(c, field, a < 0 ? "unknown" : sa, b < 0 ? "unknown" : sb);
}

/* The machine states, when both files recorded one: a change may come
 * from them rather than from the code, so say so. */
static void state_diffs(struct cb_comparison *c, const struct cb_loaded_context *a,
                        const struct cb_loaded_context *b)
{
    size_t before = c->ndiffs;
    char qa[32], qb[32];

    if (!a->has_state || !b->has_state)
        return;
    snprintf(qa, sizeof qa, a->cpu_quota > 0 ? "%.2f CPUs" : "none", a->cpu_quota);
    snprintf(qb, sizeof qb, b->cpu_quota > 0 ? "%.2f CPUs" : "none", b->cpu_quota);
    diff_str(c, "machine-state problems", a->problems, b->problems);
    diff_str(c, CB_KEY_GOVERNOR, a->governor, b->governor);
    diff_str(c, CB_KEY_TURBO, a->turbo, b->turbo);
    diff_str(c, "transparent huge pages", a->thp, b->thp);
    diff_str(c, CB_KEY_SANITIZERS, a->sanitizers, b->sanitizers);
    diff_str(c, "cpu quota", qa, qb);
    if (c->ndiffs > before)
        cb_compare_note(c, "warning: the machine's state differs between the files (see the "
                 "context differences): a change may come from it, not from the code");
}

/* "CV 22.8%", or "none recorded" for a file without a noise floor. */
static void floor_cv_text(char *buf, size_t len, double cv)
{
    if (isfinite(cv))
        snprintf(buf, len, "CV %.1f%%", cv * 100);
    else
        snprintf(buf, len, "none recorded");
}

/* A floor that varied more than the threshold: the machine's own speed
 * moved by more than the change the gate looks for, so a verdict on a
 * time may be the machine's (measured: README "How often does it cry
 * wolf?"). */
static void floor_noise(struct cb_comparison *c)
{
    double b = c->base.floor_cv, n = c->new_.floor_cv;
    char note[256], sb[16], sn[16];

    /* Memory per worker does not move with the CPU's speed. */
    if (c->opts.metric == CB_METRIC_MEMORY ||
        (!(b > c->opts.threshold) && !(n > c->opts.threshold)))
        return;
    floor_cv_text(sb, sizeof sb, b);
    floor_cv_text(sn, sizeof sn, n);
    snprintf(note, sizeof note, "warning: the noise floor varied more than the %.3g%% "
             "threshold (BASE %s, NEW %s): the machine's own speed moved more than the "
             "change looked for, so a verdict may be the machine's (bench/aa.sh: how often)",
             c->opts.threshold * 100, sb, sn);
    cb_compare_note(c, note);
}

void cb_compare_context_diffs(struct cb_comparison *c)
{
    const struct cb_loaded_context *a = &c->base.context, *b = &c->new_.context;

    diff_str(c, CB_KEY_HOSTNAME, a->hostname, b->hostname);
    diff_str(c, CB_KEY_CPU_MODEL, a->cpu_model, b->cpu_model);
    diff_long(c, CB_KEY_LOGICAL_CPUS, a->logical_cpus, b->logical_cpus);
    diff_long(c, CB_KEY_USABLE_CPUS, a->usable_cpus, b->usable_cpus);
    diff_str(c, CB_KEY_KERNEL, a->kernel, b->kernel);
    diff_str(c, CB_KEY_OS, a->os, b->os);
    diff_str(c, CB_KEY_ARCH, a->arch, b->arch);
    diff_str(c, "tool version", a->tool_version, b->tool_version);
    diff_str(c, CB_KEY_BUILD_TYPE, a->build_type, b->build_type);
    state_diffs(c, a, b);
    floor_noise(c);
}
