/* The gate of `concbench compare`: counting the verdicts and deciding
 * whether the comparison fails (exit 1). */
#include "concbench/compare.h"

#include <stdio.h>
#include <string.h>

static bool fails_verdict(enum cb_fail_on f, enum cb_verdict v)
{
    if (v == CB_VERDICT_SLOWER || v == CB_VERDICT_FAILED)
        return true;
    return f == CB_FAIL_INCONCLUSIVE &&
           (v == CB_VERDICT_INCONCLUSIVE || v == CB_VERDICT_UNRELIABLE);
}

/* The first reason the gate fails, into s->reason. */
static void gate(const struct cb_comparison *c, struct cb_compare_summary *s, size_t nfail)
{
    s->failed = c->opts.fail_on != CB_FAIL_NEVER;
    if (!s->failed)
        return;
    if (nfail)
        snprintf(s->reason, sizeof s->reason, "%zu benchmark%s %s", nfail,
                 nfail == 1 ? "" : "s", c->opts.fail_on == CB_FAIL_SLOWER
                 ? "slower or failed" : "slower, failed, inconclusive or unreliable");
    else if (s->compared == 0)
        snprintf(s->reason, sizeof s->reason, "nothing was compared (%zu in BASE, %zu in NEW)",
                 c->base.ncells, c->new_.ncells);
    else if (s->missing && !c->opts.allow_missing)
        snprintf(s->reason, sizeof s->reason, "%zu of %zu BASE benchmarks have no comparable "
                 "counterpart in NEW (--allow-missing accepts that)", s->missing, s->base);
    else
        s->failed = false;
}

void cb_compare_summarise(const struct cb_comparison *c, struct cb_compare_summary *s)
{
    size_t nfail = 0;

    memset(s, 0, sizeof *s);
    s->base = c->base.ncells;
    for (size_t i = 0; i < c->nrows; i++) {
        const struct cb_compare_row *r = &c->rows[i];

        s->count[r->verdict]++;
        s->compared += r->tested <= CB_VERDICT_INCONCLUSIVE;
        s->missing += r->missing;
        s->suite_changed |= r->params_differ || r->verdict == CB_VERDICT_ONLY_BASE ||
                            r->verdict == CB_VERDICT_ONLY_NEW;
        nfail += fails_verdict(c->opts.fail_on, r->verdict);
    }
    gate(c, s, nfail);
}

bool cb_compare_failed(const struct cb_comparison *c)
{
    struct cb_compare_summary s;

    cb_compare_summarise(c, &s);
    return s.failed;
}
