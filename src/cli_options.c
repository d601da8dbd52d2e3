/* The command line's options: the fixed ones and the table lines
 * (every task's and cb_options[]), their names and what they accept. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "concbench/executor.h"
#include "concbench/task.h"

const struct option cb_cli_fixed[] = {
    { "mode", required_argument, NULL, 'm' },
    { "task", required_argument, NULL, 't' },
    { "workers", required_argument, NULL, 'n' },
    { "jobs", required_argument, NULL, 'n' }, /* the same: -n counts jobs */
    { "repetitions", required_argument, NULL, 'r' },
    { "warmup", required_argument, NULL, 'w' },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "context", required_argument, NULL, CB_CLI_OPT_CONTEXT },
    { "per-sample", no_argument, NULL, CB_CLI_OPT_PER_SAMPLE },
    { "compare-to", required_argument, NULL, CB_CLI_OPT_COMPARE_TO },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

_Static_assert(sizeof cb_cli_fixed / sizeof cb_cli_fixed[0] == CB_CLI_NFIXED + 1,
               "CB_CLI_NFIXED counts cb_cli_fixed");

const char *cb_cli_mode_name(size_t i)
{
    return cb_executors[i] ? cb_executors[i]->name : NULL;
}

const char *cb_cli_task_name(size_t i)
{
    return cb_tasks[i] ? cb_tasks[i]->name : NULL;
}

const char *cb_cli_format_name(size_t i)
{
    return i <= CB_FORMAT_GAB ? cb_format_name((enum cb_format)i) : NULL;
}

void cb_cli_join(cb_cli_name_fn name_at, const char *sep, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; name_at(i) && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? sep : "", name_at(i));

        if (n < 0)
            break;
        used += (size_t)n;
    }
}

void cb_cli_choices(const struct cb_param_desc *d, char *buf, size_t len)
{
    cb_cli_join(d->choice, ", ", buf, len);
}

/* Writes ns as the largest unit that holds it exactly: "100ms", "1h" is
 * "3600s". */
static void format_ns(uint64_t ns, char *buf, size_t len)
{
    static const struct { uint64_t factor; const char *name; } units[] = {
        { 1000000000u, "s" }, { 1000000u, "ms" }, { 1000u, "us" },
    };

    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ns % units[i].factor == 0) {
            snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].factor, units[i].name);
            return;
        }
    }
    snprintf(buf, len, "%" PRIu64 "ns", ns);
}

/* Bytes in the largest binary unit that holds them exactly: "64KiB". */
static void format_size(uint64_t b, char *buf, size_t len)
{
    static const char *const units[] = { "GiB", "MiB", "KiB" };

    for (size_t i = 0; i < 3 && b; i++) {
        unsigned shift = 30u - 10u * (unsigned)i;

        if (b % (UINT64_C(1) << shift) == 0) {
            snprintf(buf, len, "%" PRIu64 "%s", b >> shift, units[i]);
            return;
        }
    }
    snprintf(buf, len, b ? "%" PRIu64 "B" : "%" PRIu64, b);
}

void cb_cli_value(const struct cb_param_desc *d, uint64_t v, char *buf, size_t len)
{
    switch (d->kind) {
    case CB_PARAM_DURATION: format_ns(v, buf, len); break;
    case CB_PARAM_SIZE: format_size(v, buf, len); break;
    case CB_PARAM_CHOICE: snprintf(buf, len, "%s", cb_option_choice(d, v)); break;
    case CB_PARAM_COUNT: case CB_PARAM_FLAG:
        snprintf(buf, len, "%" PRIu64, v);
        break;
    case CB_PARAM_SHAPE:
        snprintf(buf, len, "%" PRIu32 "x%" PRIu32, cb_shape_p(v), cb_shape_t(v));
        break;
    case CB_PARAM_FRACTION:
        snprintf(buf, len, "%g", (double)v / (double)CB_FRACTION_ONE);
        break;
    }
}

void cb_cli_range(const struct cb_param_desc *d, char *buf, size_t len)
{
    char lo[32], hi[32];

    cb_cli_value(d, d->min, lo, sizeof lo);
    cb_cli_value(d, d->max, hi, sizeof hi);
    snprintf(buf, len, "%s to %s", lo, hi);
}

static void accepted_line(const struct cb_param_desc *d, char *buf, size_t len)
{
    switch (d->kind) {
    case CB_PARAM_COUNT: cb_cli_range(d, buf, len); break;
    case CB_PARAM_DURATION: snprintf(buf, len, CB_CLI_NOT_A_DURATION); break;
    case CB_PARAM_SIZE: snprintf(buf, len, CB_CLI_SIZE_ACCEPTED); break;
    case CB_PARAM_CHOICE: cb_cli_choices(d, buf, len); break;
    case CB_PARAM_FLAG: buf[0] = '\0'; break;
    case CB_PARAM_SHAPE: snprintf(buf, len, "PxT, e.g. 2x4"); break;
    case CB_PARAM_FRACTION: cb_cli_range(d, buf, len); break;
    }
}

void cb_cli_accepted(const struct cli *c, int val, char *buf, size_t len)
{
    switch (val) {
    case 'm': cb_cli_join(cb_cli_mode_name, ", ", buf, len); break;
    case 't': cb_cli_join(cb_cli_task_name, ", ", buf, len); break;
    case 'n': snprintf(buf, len, "%s", CB_CLI_WORKERS_ACCEPTED); break;
    case 'r': snprintf(buf, len, "1 to %u", CB_CLI_MAX_REPETITIONS); break;
    case 'w': snprintf(buf, len, "0 to %u", CB_CLI_MAX_REPETITIONS); break;
    case 'f': cb_cli_join(cb_cli_format_name, ", ", buf, len); break;
    case 'o': snprintf(buf, len, "a file name, or - for stdout"); break;
    case CB_CLI_OPT_CONTEXT: snprintf(buf, len, "KEY=VALUE"); break;
    case CB_CLI_OPT_COMPARE_TO: snprintf(buf, len, "a concbench JSON result file"); break;
    default:
        if (val >= CB_CLI_OPT_TABLE && (size_t)(val - CB_CLI_OPT_TABLE) < c->nopts)
            accepted_line(c->opts[val - CB_CLI_OPT_TABLE], buf, len);
        else
            buf[0] = '\0';
    }
}

const char *cb_cli_option_name(const struct cli *c, int val)
{
    for (const struct option *o = c->longopts; o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

const char *cb_cli_metavar(const struct cb_param_desc *d)
{
    if (d->metavar)
        return d->metavar;
    switch (d->kind) {
    case CB_PARAM_DURATION: return "DURATION";
    case CB_PARAM_SIZE: return "SIZE";
    case CB_PARAM_FLAG: return NULL;
    case CB_PARAM_SHAPE: return "PxT";
    case CB_PARAM_FRACTION: return "FRACTION";
    case CB_PARAM_COUNT: case CB_PARAM_CHOICE: break;
    }
    return "N";
}

static bool is_fixed(const char *name)
{
    for (const struct option *o = cb_cli_fixed; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return true;
    return false;
}

void cb_cli_init(struct cli *c, struct cb_config *cfg, struct cb_error *err)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n;

    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->err = err;
    memcpy(c->longopts, cb_cli_fixed, CB_CLI_NFIXED * sizeof cb_cli_fixed[0]);
    n = cb_options_all(all, CB_OPTIONS_MAX);
    for (size_t i = 0; i < n; i++) {
        struct option *o = &c->longopts[CB_CLI_NFIXED + c->nopts];

        if (is_fixed(all[i]->flag))
            continue;
        o->name = all[i]->flag;
        o->has_arg = all[i]->kind == CB_PARAM_FLAG ? no_argument : required_argument;
        o->val = CB_CLI_OPT_TABLE + (int)c->nopts;
        c->opts[c->nopts++] = all[i];
    }
}

/* Whether task t's own table has a line with flag. */
static bool task_reads(const struct cb_task *t, const char *flag)
{
    for (const struct cb_param_desc *d = t->params; d && d->flag; d++)
        if (strcmp(d->flag, flag) == 0)
            return true;
    return false;
}

/* A task option: whether a selected task reads it (an option no task's
 * table has is read by all); when none does, the tasks that would, in
 * acc. */
static bool read_by_selected(const struct cb_config *cfg, const char *flag, char *acc,
                             size_t size)
{
    size_t len = 0;

    for (size_t t = 0; t < cfg->ntasks; t++)
        if (task_reads(cfg->tasks[t], flag))
            return true;
    acc[0] = '\0';
    for (size_t i = 0; cb_tasks[i]; i++)
        if (task_reads(cb_tasks[i], flag) && len < size)
            len += (size_t)snprintf(acc + len, size - len, "%s%s", len ? ", " : "",
                                    cb_tasks[i]->name);
    return len == 0;
}

/* An executor-scope option: whether d applies to a selected mode; when
 * it applies to none, the modes it would, in acc. */
static bool applies_to_selected(const struct cb_config *cfg, const struct cb_param_desc *d,
                                char *acc, size_t size)
{
    size_t len = 0;

    for (size_t m = 0; m < cfg->nmodes; m++)
        if (d->applies(cfg->modes[m]))
            return true;
    acc[0] = '\0';
    for (size_t i = 0; cb_executors[i]; i++)
        if (d->applies(cb_executors[i]) && len < size)
            len += (size_t)snprintf(acc + len, size - len, "%s%s", len ? ", " : "",
                                    cb_executors[i]->name);
    return false;
}

/* Adds one "changes nothing" line to cfg (the first CB_MAX_IGNORED). */
static void ignored(struct cb_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ignored(struct cb_config *cfg, const char *fmt, ...)
{
    va_list ap;

    if (cfg->nignored >= CB_MAX_IGNORED)
        return;
    va_start(ap, fmt);
    vsnprintf(cfg->ignored[cfg->nignored++], CB_IGNORED_LINE, fmt, ap);
    va_end(ap);
}

void cb_cli_check_given(const struct cli *c)
{
    struct cb_option_view v = cb_option_view_config(c->cfg);
    char acc[CB_CLI_ACCEPTED_MAX];

    for (size_t i = 0; i < c->nopts; i++) {
        const struct cb_param_desc *d = c->opts[i], *req;

        if (!c->given[i])
            continue;
        req = d->requires ? cb_options_find(d->requires) : NULL;
        if (d->scope == CB_SCOPE_TASK && !read_by_selected(c->cfg, d->flag, acc, sizeof acc))
            ignored(c->cfg, "--%s changes nothing: only --task=%s read it, and none of them "
                    "is selected", d->flag, acc);
        else if (d->applies && !applies_to_selected(c->cfg, d, acc, sizeof acc))
            ignored(c->cfg, "--%s changes nothing: it applies to --mode=%s, and none of them "
                    "is selected", d->flag, acc);
        else if (req && cb_option_get(req, &v) == 0)
            ignored(c->cfg, "--%s changes nothing without --%s", d->flag, d->requires);
    }
}
