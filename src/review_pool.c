/* `concbench report`: what to warn about before setting result files side
 * by side, when they were not run alike. */
#include "concbench/review.h"

#include <math.h>
#include <string.h>

#include "strbuf.h"

/* Appends s with control characters as '?', so a warning stays one line. */
static void put_clean(struct cb_strbuf *sb, const char *s)
{
    for (; *s; s++)
        cb_strbuf_append(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? "?" : s, 1);
}

static const char *path_of(const struct cb_loaded *l)
{
    return l->path ? l->path : "?";
}

static bool usable_cpus_differ(const struct cb_loaded *files, size_t n)
{
    for (size_t f = 1; f < n; f++)
        if (files[f].context.usable_cpus != files[0].context.usable_cpus)
            return true;
    return false;
}

static void warn_cpus(struct cb_strbuf *sb, const struct cb_loaded *files, size_t n)
{
    cb_strbuf_puts(sb, "report: the files differ in usable CPUs:");
    for (size_t f = 0; f < n; f++) {
        cb_strbuf_puts(sb, f ? ", " : " ");
        put_clean(sb, path_of(&files[f]));
        if (files[f].context.usable_cpus < 0)
            cb_strbuf_puts(sb, " unknown");
        else
            cb_strbuf_printf(sb, " %ld", files[f].context.usable_cpus);
    }
    cb_strbuf_puts(sb, "\n");
}

/* A choice at its option's default is not named, whether written or
 * absent (a file older than the option): the two ran alike. */
static void put_choice(struct cb_strbuf *sb, const struct cb_loaded_choice *c)
{
    if (strcmp(c->value, "unknown") == 0 || cb_loaded_choice_is_default(c))
        return;
    cb_strbuf_printf(sb, ", %s=", c->key);
    put_clean(sb, c->value);
}

/* The cell's parameters and choices as "start=..., name=value, ...". */
static void put_settings(struct cb_strbuf *sb, const struct cb_loaded_cell *c)
{
    cb_strbuf_puts(sb, "start=");
    put_clean(sb, c->start);
    for (size_t i = 0; i < c->nparams; i++) {
        cb_strbuf_puts(sb, ", ");
        put_clean(sb, c->params[i].name);
        cb_strbuf_printf(sb, "=%.17g", c->params[i].value);
    }
    /* The choices that make two benchmarks not comparable (option
     * tables: lock, transport, pin, stack size, ...). */
    for (size_t i = 0; i < c->nchoices; i++)
        if (strcmp(c->choices[i].value, "nan") != 0 && c->choices[i].value[0])
            put_choice(sb, &c->choices[i]);
}

/* Whether the settings of a and b differ, compared as their text. */
static bool settings_differ(const struct cb_loaded_cell *a, const struct cb_loaded_cell *b)
{
    struct cb_strbuf x, y;
    bool differ;

    cb_strbuf_init(&x);
    cb_strbuf_init(&y);
    put_settings(&x, a);
    put_settings(&y, b);
    differ = x.failed || y.failed || strcmp(x.buf ? x.buf : "", y.buf ? y.buf : "") != 0;
    cb_strbuf_free(&x);
    cb_strbuf_free(&y);
    return differ;
}

/* Counts the benchmarks of files[1..n) whose namesake in an earlier file
 * was run with other settings; the first such pair goes to *a and *b. */
static size_t count_differing(const struct cb_loaded *files, size_t n,
                              const struct cb_loaded_cell **a, size_t *fa,
                              const struct cb_loaded_cell **b, size_t *fb)
{
    size_t count = 0;

    for (size_t f = 1; f < n; f++)
        for (size_t i = 0; i < files[f].ncells; i++)
            for (size_t g = 0; g < f; g++) {
                const struct cb_loaded_cell *c = &files[f].cells[i];
                const struct cb_loaded_cell *o = cb_load_find(&files[g], c->name);

                if (!o || !settings_differ(o, c))
                    continue;
                if (count++ == 0)
                    *a = o, *fa = g, *b = c, *fb = f;
                break;
            }
    return count;
}

static void warn_params(struct cb_strbuf *sb, const struct cb_loaded *files, size_t n)
{
    const struct cb_loaded_cell *a = NULL, *b = NULL;
    size_t fa = 0, fb = 0, count = count_differing(files, n, &a, &fa, &b, &fb);

    if (count == 0)
        return;
    cb_strbuf_puts(sb, "report: the files differ in the parameters of ");
    put_clean(sb, a->name);
    cb_strbuf_puts(sb, ": ");
    put_settings(sb, a);
    cb_strbuf_puts(sb, " in ");
    put_clean(sb, path_of(&files[fa]));
    cb_strbuf_puts(sb, ", ");
    put_settings(sb, b);
    cb_strbuf_puts(sb, " in ");
    put_clean(sb, path_of(&files[fb]));
    if (count > 1)
        cb_strbuf_printf(sb, " (and %zu more benchmarks)", count - 1);
    cb_strbuf_puts(sb, "\n");
}

char *cb_review_pool_warnings(const struct cb_loaded *files, size_t n, struct cb_error *err)
{
    struct cb_strbuf sb;

    cb_strbuf_init(&sb);
    if (n > 1 && usable_cpus_differ(files, n))
        warn_cpus(&sb, files, n);
    if (n > 1)
        warn_params(&sb, files, n);
    return cb_strbuf_finish(&sb, err);
}
