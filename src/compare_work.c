/* The work check: for a CPU-bound task, a wall-time verdict weighed
 * against the CPU time of the same samples. Such a task's wall time is
 * its CPU time plus waiting, and on a shared machine most of the wall
 * time's noise is waiting for a CPU, which CPU time does not count, so:
 * - a wall-time slowdown that the CPU time does not show, measured while
 *   others used the CPUs, is waiting, not work: inconclusive;
 * - with --cpu-floor, one measured while others were idle that the wall
 *   time over the noise floor's CPU time (the bare loop timed in the same
 *   round) does not show either is the host running slower: inconclusive;
 * - CPU time that rose beyond the threshold is more work, whatever the
 *   wall time's noise hides: slower.
 * With --cpu-floor the CPU time is taken over the floor's CPU time in the
 * same round where both files recorded it.
 * Other tasks are left alone: their wall time is mostly waiting of their
 * own (a sleep, a lock), which a slowdown may lengthen without a CPU
 * cycle more. */
#include "concbench/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "concbench/task.h"

/* The median of NEW's per-sample others_cpu; NAN when it has none. */
static double others_median(const struct cb_loaded_cell *c)
{
    double *v = malloc((c->nsamples + 1) * sizeof *v), m;
    size_t n = 0;

    if (!v)
        return NAN;
    for (size_t i = 0; i < c->nsamples; i++)
        if (isfinite(c->others[i]))
            v[n++] = c->others[i];
    cb_stats_median(v, n, &m); /* NAN for none, or out of memory */
    free(v);
    return m;
}

/* The CPU-time test of the pair into cpu, each sample's CPU time over
 * its round's floor CPU time when per_floor; -1 on allocation failure. */
static int cpu_test(const struct cb_comparison *c, const struct cb_loaded_cell *b,
                    const struct cb_loaded_cell *n, bool per_floor, struct cb_compare_row *cpu)
{
    size_t nb, nn;
    double *vb = cb_compare_values(b, CB_METRIC_CPU, 1, per_floor, &nb);
    double *vn = cb_compare_values(n, CB_METRIC_CPU, 1, per_floor, &nn);
    int rc = -1;

    if (vb && vn)
        rc = cb_compare_test(c, vb, nb, vn, nn, cpu);
    free(vb);
    free(vn);
    return rc;
}

/* The wall-time test of the pair with each sample over its round's floor
 * CPU time into host: the wall time with the host's speed taken out.
 * -1 on allocation failure. */
static int host_test(const struct cb_comparison *c, const struct cb_loaded_cell *b,
                     const struct cb_loaded_cell *n, struct cb_compare_row *host)
{
    size_t nb = 0, nn = 0;
    double *vb = malloc((b->nsamples + 1) * sizeof *vb);
    double *vn = malloc((n->nsamples + 1) * sizeof *vn);
    int rc = -1;

    for (size_t i = 0; vb && i < b->nsamples; i++)
        if (isfinite(b->wall[i] / b->floor_cpu[i]) && b->floor_cpu[i] > 0)
            vb[nb++] = b->wall[i] / b->floor_cpu[i];
    for (size_t i = 0; vn && i < n->nsamples; i++)
        if (isfinite(n->wall[i] / n->floor_cpu[i]) && n->floor_cpu[i] > 0)
            vn[nn++] = n->wall[i] / n->floor_cpu[i];
    if (vb && vn)
        rc = cb_compare_test(c, vb, nb, vn, nn, host);
    free(vb);
    free(vn);
    return rc;
}

/* A wall-time slower that the CPU time does not show: waiting when others
 * used the CPUs; else, when the wall time over the floor's CPU time is not
 * slower either, the host ran slower (its bare loop did too). Returns true
 * when r was withdrawn. */
static bool withdraw(const struct cb_compare_row *cpu, const struct cb_compare_row *host,
                     double others, struct cb_compare_row *r)
{
    const char *per = r->cpu_per_floor ? " per floor" : "";

    if (r->verdict != CB_VERDICT_SLOWER || cpu->verdict == CB_VERDICT_SLOWER)
        return false;
    if (others >= CB_COMPARE_OTHERS_CPU) {
        r->work = CB_WORK_WAITING;
        snprintf(r->note, sizeof r->note, "wall time %+.1f%% but CPU time%s %+.1f%% (%s) "
                 "while others used %.2f CPUs: waiting for a CPU, not more work "
                 "(--wall-only: slower)", r->shift.estimate * 100, per,
                 cpu->shift.estimate * 100, cb_compare_verdict_name(cpu->verdict), others);
    } else if (r->cpu_per_floor && host->verdict != CB_VERDICT_SLOWER) {
        r->work = CB_WORK_HOST;
        snprintf(r->note, sizeof r->note, "wall time %+.1f%% but %+.1f%% (%s) over the "
                 "floor's CPU time, CPU time per floor %+.1f%% (%s): the host ran slower, "
                 "its bare loop too (without --cpu-floor: slower)", r->shift.estimate * 100,
                 host->shift.estimate * 100, cb_compare_verdict_name(host->verdict),
                 cpu->shift.estimate * 100, cb_compare_verdict_name(cpu->verdict));
    } else {
        return false;
    }
    r->verdict = CB_VERDICT_INCONCLUSIVE;
    return true;
}

int cb_compare_work_check(const struct cb_comparison *c, const struct cb_loaded_cell *b,
                          const struct cb_loaded_cell *n, struct cb_compare_row *r)
{
    const struct cb_task *t = cb_task_find(n->task);
    struct cb_compare_row cpu = { .verdict = CB_VERDICT_UNRELIABLE };
    struct cb_compare_row host = { .verdict = CB_VERDICT_UNRELIABLE };

    r->cpu_verdict = CB_VERDICT_UNRELIABLE;
    r->cpu_change = NAN;
    if (!t || !t->cpu_bound)
        return 0;
    /* Over the floor, if asked: the host's speed drifts by a few % between
     * two runs a minute apart, and the bare loop timed in the same rounds
     * drifts with it, but here it also added its own noise (measured:
     * README "How often does it cry wolf?"), so it is not the default. */
    r->cpu_per_floor = c->opts.cpu_floor && cb_compare_has_floor_cpu(b) &&
                       cb_compare_has_floor_cpu(n);
    if (cpu_test(c, b, n, r->cpu_per_floor, &cpu) != 0 ||
        (r->cpu_per_floor && host_test(c, b, n, &host) != 0))
        return -1;
    r->work_checked = true;
    r->cpu_verdict = cpu.verdict;
    r->cpu_change = cpu.shift.estimate;
    if (!withdraw(&cpu, &host, others_median(n), r) && cpu.verdict == CB_VERDICT_SLOWER &&
        r->verdict != CB_VERDICT_SLOWER && r->verdict != CB_VERDICT_UNRELIABLE) {
        r->verdict = CB_VERDICT_SLOWER;
        r->work = CB_WORK_MORE;
        snprintf(r->note, sizeof r->note, "CPU time%s %+.1f%% [%+.1f%%, %+.1f%%], p = %.2g: "
                 "more work, which the wall time's noise hides (--wall-only: %s)",
                 r->cpu_per_floor ? " per floor" : "", cpu.shift.estimate * 100,
                 cpu.shift.lo * 100, cpu.shift.hi * 100, cpu.test.p,
                 cb_compare_verdict_name(r->tested));
    }
    return 0;
}
