/* The command line: argv into a cb_config. The option table lines are
 * cli_options.c's, the help and list texts cli_help.c's. */
#include "concbench/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "concbench/context.h"
#include "concbench/units.h"

/* CB_CLI_WORKERS_ACCEPTED spells the limit out, and small_number() reads
 * at most its 6 digits. */
_Static_assert(CB_MAX_WORKERS == 100000u, "update CB_CLI_WORKERS_ACCEPTED and small_number");

static const struct option *find_option(const struct cli *c, int val)
{
    for (const struct option *o = c->longopts; o->name; o++)
        if (o->val == val)
            return o;
    return NULL;
}

/* Splits a comma-separated list without writing to it: argv must stay as
 * it was, since the context records the command line. */
static bool next_item(const char **p, const char **item, size_t *len)
{
    if (!*p)
        return false;
    *item = *p;
    *len = strcspn(*p, ",");
    *p = (*p)[*len] == ',' ? *p + *len + 1 : NULL;
    return true;
}


/* Parses a list of registry names into indices, rejecting unknown,
 * empty and repeated names. */
static int parse_names(struct cli *c, int val, const char *what, cb_cli_name_fn name_at,
                       const char *arg, size_t *idx, size_t *n)
{
    const char *flag = cb_cli_option_name(c, val), *p = arg, *item;
    char acc[CB_CLI_ACCEPTED_MAX];
    size_t len, i;

    cb_cli_accepted(c, val, acc, sizeof acc);
    for (*n = 0; next_item(&p, &item, &len); (*n)++) {
        for (i = 0; name_at(i); i++)
            if (strlen(name_at(i)) == len && memcmp(name_at(i), item, len) == 0)
                break;
        if (!name_at(i) && len == 0) {
            cb_error_set(c->err, "--%s: '%s' has an empty item; accepted: %s",
                         flag, arg, acc);
            return -1;
        }
        if (!name_at(i)) {
            cb_error_set(c->err, "--%s: '%.*s' is not a %s; accepted: %s",
                         flag, (int)len, item, what, acc);
            return -1;
        }
        for (size_t j = 0; j < *n; j++) {
            if (idx[j] == i) {
                cb_error_set(c->err, "--%s: '%s' is listed twice", flag, name_at(i));
                return -1;
            }
        }
        if (*n == CB_MAX_LIST) {
            cb_error_set(c->err, "--%s: too many entries; accepted: at most %d",
                         flag, CB_MAX_LIST);
            return -1;
        }
        idx[*n] = i;
    }
    return 0;
}


static int parse_modes(struct cli *c, const char *arg)
{
    size_t idx[CB_MAX_LIST], n;

    if (parse_names(c, 'm', "mode", cb_cli_mode_name, arg, idx, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->cfg->modes[i] = cb_executors[idx[i]];
    c->cfg->nmodes = n;
    return 0;
}

static int parse_tasks(struct cli *c, const char *arg)
{
    size_t idx[CB_MAX_LIST], n;

    if (parse_names(c, 't', "task", cb_cli_task_name, arg, idx, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->cfg->tasks[i] = cb_tasks[idx[i]];
    c->cfg->ntasks = n;
    return 0;
}


static int parse_choice(struct cli *c, int val, const char *what, cb_cli_name_fn name_at,
                        const char *arg, size_t *out)
{
    char acc[CB_CLI_ACCEPTED_MAX];

    for (size_t i = 0; name_at(i); i++) {
        if (strcmp(name_at(i), arg) == 0) {
            *out = i;
            return 0;
        }
    }
    cb_cli_accepted(c, val, acc, sizeof acc);
    cb_error_set(c->err, "--%s: '%s' is not a %s; accepted: %s",
                 cb_cli_option_name(c, val), arg, what, acc);
    return -1;
}


/* Digits with an optional k/M/G, i.e. a count too large to hold. */
static bool count_shaped(const char *s)
{
    size_t n = strspn(s, "0123456789");

    return n > 0 && (s[n] == '\0' || (strchr("kMG", s[n]) && s[n + 1] == '\0'));
}

/* Parses a count for --flag and checks it against [min, max]. */
static int parse_count(struct cli *c, const char *flag, const char *arg,
                       uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *problem = NULL;

    if (cb_units_parse_count(arg, &v) != 0)
        problem = count_shaped(arg) ? "is too large" : "is not a count";
    else if (v < min)
        problem = "is too small";
    else if (v > max)
        problem = "is too large";
    if (problem) {
        cb_error_set(c->err, "--%s: '%s' %s; accepted: %" PRIu64 " to %" PRIu64,
                     flag, arg, problem, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

enum duration_shape { SHAPE_BAD, SHAPE_TOO_FINE, SHAPE_OK };

/* Tells a malformed duration from one finer than 1 ns, so that a failed
 * parse of a well-formed one can be reported as too large. */
static enum duration_shape duration_shape(const char *s)
{
    static const struct { const char *name; size_t digits; } units[] = {
        { "ns", 0 }, { "us", 3 }, { "\xc2\xb5s", 3 }, { "ms", 6 }, { "s", 9 },
    };
    size_t whole = strspn(s, "0123456789"), frac = 0, sig = 0;
    const char *p = s + whole;

    if (whole == 0)
        return SHAPE_BAD;
    if (*p == '.') {
        frac = strspn(++p, "0123456789");
        for (size_t i = 0; i < frac; i++)
            sig = p[i] != '0' ? i + 1 : sig;
        if (frac == 0)
            return SHAPE_BAD;
        p += frac;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(p, units[i].name) == 0)
            return sig > units[i].digits ? SHAPE_TOO_FINE : SHAPE_OK;
    return SHAPE_BAD;
}

static int parse_duration(struct cli *c, const struct cb_param_desc *d,
                          const char *arg, uint64_t *out)
{
    char range[80];
    const char *problem = "is too large";
    uint64_t v = 0;

    cb_cli_range(d, range, sizeof range);
    if (cb_units_parse_duration(arg, d->max, &v) == 0) {
        if (v >= d->min) {
            *out = v;
            return 0;
        }
        problem = "is too small";
    } else if (duration_shape(arg) == SHAPE_BAD) {
        cb_error_set(c->err, "--%s: '%s' is not a duration; accepted: " CB_CLI_NOT_A_DURATION,
                     d->flag, arg);
        return -1;
    } else if (duration_shape(arg) == SHAPE_TOO_FINE) {
        problem = "is finer than 1 ns";
    }
    cb_error_set(c->err, "--%s: '%s' %s; accepted: %s", d->flag, arg, problem, range);
    return -1;
}


/* 1 to CB_MAX_WORKERS in plain digits, or 0. */
static uint64_t small_number(const char *s, size_t len)
{
    uint64_t v = 0;

    if (len == 0 || len > 6)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v <= CB_MAX_WORKERS ? v : 0;
}

static uint64_t worker_number(const char *s, size_t len)
{
    long cpus;

    if (len != 3 || memcmp(s, "max", 3) != 0)
        return small_number(s, len);
    cpus = cb_context_usable_cpus();
    if (cpus < 1)
        return 1;
    return (uint64_t)cpus < CB_MAX_WORKERS ? (uint64_t)cpus : CB_MAX_WORKERS;
}

/* A:B:step, with a single number as the range A..A. */
struct range {
    uint64_t a, b, step;
    bool doubling; /* step multiplies instead of adds */
};

enum item_problem { ITEM_OK, ITEM_BAD, ITEM_STEP, ITEM_REVERSED };

static enum item_problem parse_range(const char *s, size_t len, struct range *r)
{
    const char *end = s + len, *dots = memmem(s, len, "..", 2);
    const char *colon = memchr(s, ':', len);

    r->step = 1;
    r->doubling = false;
    if (!dots || (colon && colon < dots)) {
        r->a = r->b = colon ? 0 : worker_number(s, len);
        return r->a ? ITEM_OK : ITEM_BAD;
    }
    r->a = worker_number(s, (size_t)(dots - s));
    r->b = worker_number(dots + 2, (size_t)((colon ? colon : end) - dots - 2));
    if (!r->a || !r->b)
        return ITEM_BAD;
    if (colon) {
        if (end - colon < 2 || (colon[1] != 'x' && colon[1] != '+'))
            return ITEM_STEP;
        r->doubling = colon[1] == 'x';
        r->step = small_number(colon + 2, (size_t)(end - colon - 2));
        if (r->step == 0 || (r->doubling && r->step < 2))
            return ITEM_STEP;
    }
    return r->a > r->b ? ITEM_REVERSED : ITEM_OK;
}

/* A count listed twice is a typo, unless "max" made one of them: what
 * max is depends on the machine (-n 1,2,max on 2 CPUs), so that repeat
 * is dropped. */
static int add_worker(struct cli *c, uint64_t v, const char *item, size_t len)
{
    struct cb_config *cfg = c->cfg;
    bool max = memmem(item, len, "max", 3) != NULL;

    for (size_t i = 0; i < cfg->nworkers; i++) {
        if (cfg->workers[i] != v)
            continue;
        if (max || c->from_max[i])
            return 0;
        cb_error_set(c->err, "--workers: %" PRIu64 " is listed twice", v);
        return -1;
    }
    if (cfg->nworkers == CB_MAX_LIST) {
        cb_error_set(c->err, "--workers: '%.*s' makes more than %d worker counts; "
                     "accepted: at most %d in all", (int)len, item, CB_MAX_LIST,
                     CB_MAX_LIST);
        return -1;
    }
    c->from_max[cfg->nworkers] = max;
    cfg->workers[cfg->nworkers++] = (uint32_t)v;
    return 0;
}

static int expand_range(struct cli *c, const struct range *r, const char *item, size_t len)
{
    uint64_t v = r->a;

    while (v <= r->b) {
        if (add_worker(c, v, item, len) != 0)
            return -1;
        /* b + 1 ends the loop without overflowing: b <= CB_MAX_WORKERS. */
        if (r->doubling)
            v = v > r->b / r->step ? r->b + 1 : v * r->step;
        else
            v = r->b - v < r->step ? r->b + 1 : v + r->step;
    }
    return 0;
}

static int parse_workers(struct cli *c, const char *arg)
{
    const char *p = arg, *item;
    size_t len;
    struct range r;

    c->cfg->nworkers = 0;
    while (next_item(&p, &item, &len)) {
        switch (parse_range(item, len, &r)) {
        case ITEM_OK:
            break;
        case ITEM_STEP:
            cb_error_set(c->err, "--workers: '%.*s' has a bad step; accepted: "
                         ":x2 or more (doubling), :+1 or more", (int)len, item);
            return -1;
        case ITEM_REVERSED:
            cb_error_set(c->err, "--workers: '%.*s' is reversed; accepted: A..B "
                         "with A <= B", (int)len, item);
            return -1;
        case ITEM_BAD:
            if (len == 0)
                cb_error_set(c->err, "--workers: '%s' has an empty item; accepted: "
                             CB_CLI_WORKERS_ACCEPTED, arg);
            else
                cb_error_set(c->err, "--workers: '%.*s' is not a worker count; "
                             "accepted: " CB_CLI_WORKERS_ACCEPTED, (int)len, item);
            return -1;
        }
        if (expand_range(c, &r, item, len) != 0)
            return -1;
    }
    return 0;
}

#define KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

static int parse_context(struct cli *c, const char *arg)
{
    struct cb_config *cfg = c->cfg;
    const char *eq = strchr(arg, '=');
    size_t klen = eq ? (size_t)(eq - arg) : 0;

    if (klen == 0 || strspn(arg, KEY_CHARS) < klen) {
        cb_error_set(c->err, "--context: '%s' is not KEY=VALUE; accepted: KEY=VALUE "
                     "with a KEY of letters, digits, '_', '.' and '-'", arg);
        return -1;
    }
    for (size_t i = 0; i < cfg->ncontext; i++) {
        if (cfg->context[i].key_len == klen && memcmp(cfg->context[i].key, arg, klen) == 0) {
            cb_error_set(c->err, "--context: key '%.*s' is given twice", (int)klen, arg);
            return -1;
        }
    }
    if (cfg->ncontext == CB_MAX_LIST) {
        cb_error_set(c->err, "--context: more than %d pairs; accepted: at most %d",
                     CB_MAX_LIST, CB_MAX_LIST);
        return -1;
    }
    cfg->context[cfg->ncontext].key = arg;
    cfg->context[cfg->ncontext].key_len = klen;
    cfg->context[cfg->ncontext++].value = eq + 1;
    return 0;
}


const struct option cb_cli_format_output_options[] = {
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

int cb_cli_format_output_arg(int ch, const char *arg, const enum cb_format *accepted,
                             size_t n, enum cb_format *format, const char **output,
                             struct cb_error *err)
{
    char names[128] = "";
    size_t used = 0;

    if (ch == 'o')
        return cb_cli_output_arg(arg, output, err);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(arg, cb_format_name(accepted[i])) == 0) {
            *format = accepted[i];
            return 0;
        }
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     i ? ", " : "", cb_format_name(accepted[i]));
    }
    cb_error_set(err, "--format: '%s' is not accepted; accepted: %s", arg, names);
    return -1;
}

int cb_cli_output_arg(const char *arg, const char **out, struct cb_error *err)
{
    if (arg[0] == '\0') {
        cb_error_set(err, "--output: '' is not a file name; accepted: "
                     "a file name, or - for stdout");
        return -1;
    }
    *out = strcmp(arg, "-") == 0 ? NULL : arg;
    return 0;
}


static int parse_u32(struct cli *c, const char *flag, const char *arg,
                     uint64_t min, uint32_t *out)
{
    uint64_t v;

    if (parse_count(c, flag, arg, min, CB_CLI_MAX_REPETITIONS, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}


static int parse_size(struct cli *c, const struct cb_param_desc *d, const char *arg,
                      uint64_t *out)
{
    char range[80], bound[32];

    if (cb_units_parse_size(arg, d->max, out) != 0) {
        cb_cli_value(d, d->max, bound, sizeof bound);
        cb_error_set(c->err, "--%s: '%s' is not a size up to %s; "
                     "accepted: " CB_CLI_SIZE_ACCEPTED, d->flag, arg, bound);
        return -1;
    }
    if (*out < d->min) {
        cb_cli_range(d, range, sizeof range);
        cb_cli_value(d, d->min, bound, sizeof bound);
        cb_error_set(c->err, "--%s: '%s' is below the %s %s; accepted: %s",
                     d->flag, arg, bound, d->min_why ? d->min_why : "needed", range);
        return -1;
    }
    return 0;
}

/* Remembers that a task option was given: it then applies to every task,
 * over each task's own default. */
static void mark_given(struct cli *c, const struct cb_param_desc *d)
{
    struct cb_config *cfg = c->cfg;

    for (size_t i = 0; i < cfg->nparams_given; i++)
        if (strcmp(cfg->params_given[i], d->flag) == 0)
            return;
    if (cfg->nparams_given < CB_MAX_LIST)
        cfg->params_given[cfg->nparams_given++] = d->flag;
}

/* "PxT": two counts, each 1 to d->max. */
static int parse_shape(struct cli *c, const struct cb_param_desc *d, const char *arg,
                       uint64_t *out)
{
    unsigned long long p = 0, t = 0;
    int end = 0;

    if (sscanf(arg, "%llux%llu%n", &p, &t, &end) != 2 || arg[end] != '\0' ||
        !(arg[0] >= '0' && arg[0] <= '9') || p < 1 || t < 1 || p > d->max || t > d->max) {
        cb_error_set(c->err, "--%s: '%s' is not a shape; accepted: PxT, processes x "
                     "threads, each 1 to %llu, e.g. 2x4", d->flag, arg,
                     (unsigned long long)d->max);
        return -1;
    }
    *out = (uint64_t)p << 32 | (uint64_t)t;
    return 0;
}

/* "0.25" or "25%": a fraction min to max, in parts of CB_FRACTION_ONE
 * (finer parts are rounded to the nearest). */
static int parse_fraction(struct cli *c, const struct cb_param_desc *d, const char *arg,
                          uint64_t *out)
{
    char range[80];
    double f = -1;
    int end = 0;

    cb_cli_range(d, range, sizeof range);
    /* A plain decimal number: no sign, inf, nan or hex float. */
    if (((arg[0] >= '0' && arg[0] <= '9') || arg[0] == '.') &&
        strspn(arg, "0123456789.%") == strlen(arg) && sscanf(arg, "%lf%n", &f, &end) == 1) {
        bool percent = strcmp(arg + end, "%") == 0;

        if (percent || arg[end] == '\0')
            f = percent ? f / 100 : f;
        else
            f = -1;
    }
    if (!(f >= 0) || f * (double)CB_FRACTION_ONE + 0.5 < (double)d->min ||
        f * (double)CB_FRACTION_ONE - 0.5 > (double)d->max) {
        cb_error_set(c->err, "--%s: '%s' is not a fraction %s; accepted: a number "
                     "like 0.5, or a percentage like 50%%", d->flag, arg, range);
        return -1;
    }
    *out = (uint64_t)(f * (double)CB_FRACTION_ONE + 0.5);
    return 0;
}

/* One table line's option: parsed by its kind, stored where it says. */
static int parse_line(struct cli *c, int val, const struct cb_param_desc *d,
                      const char *arg)
{
    uint64_t v = 1;
    size_t i = 0;
    int rc = 0;

    switch (d->kind) {
    case CB_PARAM_COUNT: rc = parse_count(c, d->flag, arg, d->min, d->max, &v); break;
    case CB_PARAM_DURATION: rc = parse_duration(c, d, arg, &v); break;
    case CB_PARAM_SIZE: rc = parse_size(c, d, arg, &v); break;
    case CB_PARAM_CHOICE:
        rc = parse_choice(c, val, d->noun ? d->noun : d->flag, d->choice, arg, &i);
        v = i;
        break;
    case CB_PARAM_FLAG: break;
    case CB_PARAM_SHAPE: rc = parse_shape(c, d, arg, &v); break;
    case CB_PARAM_FRACTION: rc = parse_fraction(c, d, arg, &v); break;
    }
    if (rc != 0)
        return -1;
    cb_option_set(d, c->cfg, v);
    c->given[val - CB_CLI_OPT_TABLE] = true;
    if (d->scope == CB_SCOPE_TASK)
        mark_given(c, d);
    return 0;
}

static int apply(struct cli *c, int ch, const char *arg)
{
    struct cb_config *cfg = c->cfg;
    size_t i;

    switch (ch) {
    case 'm': return parse_modes(c, arg);
    case 't': return parse_tasks(c, arg);
    case 'n': return parse_workers(c, arg);
    case 'r': return parse_u32(c, "repetitions", arg, 1, &cfg->repetitions);
    case 'w': return parse_u32(c, "warmup", arg, 0, &cfg->warmup);
    case 'o': return cb_cli_output_arg(arg, &c->cfg->output, c->err);
    case CB_CLI_OPT_CONTEXT: return parse_context(c, arg);
    case CB_CLI_OPT_PER_SAMPLE: cfg->per_sample = true; return 0;
    case CB_CLI_OPT_COMPARE_TO: cfg->compare_to = arg; return 0;
    case 'q': cfg->quiet = true; return 0;
    case 'f':
        if (parse_choice(c, ch, "format", cb_cli_format_name, arg, &i) != 0)
            return -1;
        cfg->format = (enum cb_format)i;
        return 0;
    default:
        return parse_line(c, ch, c->opts[ch - CB_CLI_OPT_TABLE], arg);
    }
}

/* How many long options start with the len bytes at name. */
static size_t prefix_matches(const struct cli *c, const char *name, size_t len)
{
    size_t n = 0;

    for (const struct option *o = c->longopts; o->name; o++)
        n += strncmp(o->name, name, len) == 0;
    return n;
}

/* getopt's '?' and ':', turned into our one-line messages. */
static int option_error(struct cli *c, int ch, char **argv)
{
    const struct option *o = find_option(c, optopt);
    const char *arg = argv[optind - 1];
    char acc[CB_CLI_ACCEPTED_MAX];
    size_t len = strcspn(arg, "=");

    if (ch == ':') {
        cb_cli_accepted(c, optopt, acc, sizeof acc);
        cb_error_set(c->err, "--%s needs a value; accepted: %s", cb_cli_option_name(c, optopt), acc);
    } else if (optopt == 0 && len > 2 && prefix_matches(c, arg + 2, len - 2) > 1) {
        cb_error_set(c->err, "option '%.*s' is ambiguous; see concbench --help",
                     (int)len, arg);
    } else if (optopt == 0) {
        cb_error_set(c->err, "unknown option '%.*s'; see concbench --help", (int)len, arg);
    } else if (o) {
        cb_error_set(c->err, "--%s takes no value; see concbench --help", o->name);
    } else {
        cb_error_set(c->err, "unknown option '-%c'; see concbench --help", optopt);
    }
    return -1;
}


static int parse_options(struct cli *c, int argc, char **argv, enum cb_command *cmd)
{
    int ch;

    /* 0, not 1: glibc then also forgets a half-read "-abc" cluster. */
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+:m:t:n:r:w:f:o:qhV", c->longopts, NULL)) != -1) {
        if (ch == 'h' || ch == 'V') {
            *cmd = ch == 'h' ? CB_CMD_HELP : CB_CMD_VERSION;
            return 0;
        }
        if (ch == '?' || ch == ':')
            return option_error(c, ch, argv);
        if (apply(c, ch, optarg) != 0)
            return -1;
    }
    if (optind < argc) {
        cb_error_set(c->err, "unexpected argument '%s'; see concbench --help", argv[optind]);
        return -1;
    }
    if (cb_config_check_tasks(c->cfg, c->err) != 0 ||
        cb_config_check_start_method(c->cfg, c->err) != 0)
        return -1;
    cb_cli_check_given(c);
    *cmd = CB_CMD_RUN;
    return 0;
}

static int parse_list(int argc, char **argv, enum cb_command *cmd, struct cb_error *err)
{
    if (argc == 2) {
        *cmd = CB_CMD_LIST;
        return 0;
    }
    if (argc == 3 && strcmp(argv[2], "--names") == 0) {
        *cmd = CB_CMD_NAMES;
        return 0;
    }
    if (argc == 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
        *cmd = CB_CMD_HELP;
        return 0;
    }
    cb_error_set(err, "list takes no arguments, got '%s'; see concbench --help", argv[2]);
    return -1;
}

const char *cb_cli_command_name(size_t i)
{
    static const char *const names[] = { "run", "list", "compare", "report", "check" };

    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

int cb_cli_parse(int argc, char **argv, struct cb_config *cfg,
                 enum cb_command *cmd, struct cb_error *err)
{
    char acc[80];
    struct cli c;
    int skip = 0;

    cb_config_default(cfg);
    if (argc > 1 && argv[1][0] != '-') {
        if (strcmp(argv[1], "list") == 0)
            return parse_list(argc, argv, cmd, err);
        if (strcmp(argv[1], "compare") == 0 || strcmp(argv[1], "report") == 0) {
            *cmd = argv[1][0] == 'c' ? CB_CMD_COMPARE : CB_CMD_REPORT;
            return 0;
        }
        if (strcmp(argv[1], "check") == 0) {
            *cmd = CB_CMD_CHECK;
            return 0;
        }
        if (strcmp(argv[1], "run") != 0) {
            cb_cli_join(cb_cli_command_name, ", ", acc, sizeof acc);
            cb_error_set(err, "unknown command '%s'; accepted: %s", argv[1], acc);
            return -1;
        }
        skip = 1;
    }
    cb_cli_init(&c, cfg, err);
    return parse_options(&c, argc - skip, argv + skip, cmd);
}


/* A subcommand's refused option (its optstring starts with ':'). */
static int subcommand_option_error(const char *cmd, int ch, char **argv,
                                   struct cb_error *err)
{
    const char *arg = argv[optind - 1];
    size_t len = strcspn(arg, "=");

    if (ch == ':')
        cb_error_set(err, "%.*s needs a value; see concbench %s --help", (int)len, arg, cmd);
    else
        cb_error_set(err, "%s: unknown option '%.*s'; see concbench %s --help", cmd,
                     (int)len, arg, cmd);
    return -1;
}

int cb_cli_subcommand(int argc, char **argv, const struct option *options,
                      cb_cli_apply_fn apply_option, void *ctx, bool *help,
                      struct cb_error *err)
{
    int ch;

    *help = false;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":f:o:h", options, NULL)) != -1) {
        if (ch == 'h') {
            *help = true;
            return 0;
        }
        if (ch == '?' || ch == ':')
            return subcommand_option_error(argv[0], ch, argv, err);
        if (apply_option(ctx, ch, optarg, err) != 0)
            return -1;
    }
    return 0;
}

