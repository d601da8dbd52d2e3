#include "concbench/answer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

static bool usable(const struct cb_cell *c)
{
    return !c->failed && c->wall.n > 0 && c->wall.median > 0;
}

bool cb_answer_ratio_of(double fast_median, double fast_mad, double slow_median,
                        double slow_mad, struct cb_answer_ratio *out)
{
    double rf, rs;

    if (!(fast_median > 0) || !(slow_median > 0) || isnan(fast_mad) || isnan(slow_mad))
        return false;
    rf = CB_ANSWER_MAD_SIGMA * fast_mad / fast_median;
    rs = CB_ANSWER_MAD_SIGMA * slow_mad / slow_median;
    out->ratio = slow_median / fast_median;
    out->err = out->ratio * sqrt(rf * rf + rs * rs);
    return true;
}

bool cb_answer_ratio(const struct cb_cell *fast, const struct cb_cell *slow,
                     struct cb_answer_ratio *out)
{
    if (!usable(fast) || !usable(slow))
        return false;
    return cb_answer_ratio_of(fast->wall.median, fast->wall.mad, slow->wall.median,
                              slow->wall.mad, out);
}

void cb_answer_phrase(char *buf, size_t len, const char *fast, const char *slow,
                      const struct cb_answer_ratio *r)
{
    snprintf(buf, len, "%s ran %.2f ± %.2f times faster than %s", fast, r->ratio, r->err, slow);
}

static bool same_group(const struct cb_cell *a, const struct cb_cell *b)
{
    if (a->task != b->task || a->workers != b->workers || a->start != b->start)
        return false;
    for (const struct cb_param_desc *d = a->task->params; d && d->flag; d++)
        if (cb_params_get(&a->params, d) != cb_params_get(&b->params, d))
            return false;
    return true;
}

struct out {
    struct cb_strbuf sb;
    size_t n;
    bool md;
};

static void line(struct out *o, const struct cb_cell *a, const struct cb_cell *b)
{
    struct cb_answer_ratio r;
    const struct cb_cell *fast = a, *slow = b;
    char phrase[256];

    if (!cb_answer_ratio(a, b, &r))
        return;
    if (r.ratio < 1) {
        fast = b;
        slow = a;
        cb_answer_ratio(fast, slow, &r);
    }
    cb_answer_phrase(phrase, sizeof phrase, fast->runner->name, slow->runner->name, &r);
    cb_strbuf_printf(&o->sb, "%s%s, %u worker%s: %s\n", o->md ? "- " : "  ", a->task->name,
                     a->workers, a->workers == 1 ? "" : "s", phrase);
    o->n++;
}

char *cb_answer_render(const struct cb_results *r, bool markdown, size_t *n)
{
    struct out o = { .md = markdown };

    cb_strbuf_init(&o.sb);
    for (size_t i = 0; i < r->ncells; i++) {
        const struct cb_cell *a = &r->cells[i];

        if (a->runner->baseline)
            continue;
        for (size_t j = i + 1; j < r->ncells; j++)
            if (!r->cells[j].runner->baseline && same_group(a, &r->cells[j]))
                line(&o, a, &r->cells[j]);
        for (size_t j = 0; j < r->ncells; j++)
            if (r->cells[j].runner->baseline && same_group(a, &r->cells[j]))
                line(&o, a, &r->cells[j]);
    }
    if (n)
        *n = o.n;
    return cb_strbuf_finish(&o.sb, NULL);
}
