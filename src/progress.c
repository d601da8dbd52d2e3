#include "concbench/progress.h"

#include "concbench/clock.h"
#include "concbench/units.h"

void cb_progress_init(struct cb_progress *p, FILE *out, uint64_t total)
{
    p->out = out;
    p->t0_ns = cb_clock_now_ns();
    p->done = 0;
    p->total = total ? total : 1;
    p->last_len = 0;
}

static void blank(struct cb_progress *p)
{
    fprintf(p->out, "\r%*s\r", (int)p->last_len, "");
}

void cb_progress_step(void *arg, const struct cb_cell *cell, uint32_t round,
                      uint32_t rounds, bool warmup)
{
    struct cb_progress *p = arg;
    double elapsed = cb_clock_secs(p->t0_ns, cb_clock_now_ns());
    char el[32], eta[32] = "?";
    int n;

    /* The ETA assumes the samples still to come cost what the past ones
     * did on average; cells are interleaved, so that holds round by round. */
    if (p->done > 0)
        cb_units_format_duration(elapsed / (double)p->done *
                                 (double)(p->total - p->done), eta, sizeof eta);
    cb_units_format_duration(elapsed, el, sizeof el);
    p->done++;
    blank(p);
    n = fprintf(p->out, "[%llu/%llu] %s  round %u/%u%s  %s, ETA %s",
                (unsigned long long)p->done, (unsigned long long)p->total,
                cell->name, round + 1, rounds, warmup ? " (warmup)" : "", el, eta);
    p->last_len = n > 0 ? (size_t)n : 0;
    fflush(p->out);
}

void cb_progress_done(struct cb_progress *p)
{
    blank(p);
    fflush(p->out);
}
