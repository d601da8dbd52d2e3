#include "concbench/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/context.h"
#include "concbench/units.h"
#include "strbuf.h"

#define MAX_PARAMS 32
#define ACCEPTED_MAX 256
#define WORKERS_ACCEPTED "1 to 100000, a range A..B, A..B:x2, or max"
#define NOT_A_DURATION "a number with ns, us, ms or s, e.g. 100ms"
#define MAX_REPETITIONS 1000000u
#define MAX_MEMORY (16ull << 30) /* --worker-memory, --parent-memory */
#define MAX_PAYLOAD (1ull << 30)
#define MIN_STACK (UINT64_C(64) << 10)      /* below this threads crash */
#define MAX_STACK (UINT64_C(1) << 30)       /* 1 GiB */
#define SIZE_ACCEPTED "a size in bytes with B, KiB, MiB, GiB, kB, MB or GB, e.g. 8MiB"

/* WORKERS_ACCEPTED spells the limit out, and small_number() reads at most
 * its 6 digits. */
_Static_assert(CB_MAX_WORKERS == 100000u, "update WORKERS_ACCEPTED and small_number");

/* Long-only options get values above any char. */
enum {
    OPT_START = 256,
    OPT_CONTEXT,
    OPT_PER_SAMPLE,
    OPT_COMPARE_TO,
    OPT_WORKER_MEMORY,
    OPT_PARENT_MEMORY,
    OPT_PAYLOAD,
    OPT_TRANSPORT,
    OPT_GIL,
    OPT_SWITCH_INTERVAL,
    OPT_LOCK,
    OPT_TIMEOUT,
    OPT_MAX_TIME,
    OPT_PIN,
    OPT_STACK_SIZE,
    OPT_PARAM = 512, /* + index into cli.params */
};

static const struct option fixed_options[] = {
    { "mode", required_argument, NULL, 'm' },
    { "task", required_argument, NULL, 't' },
    { "workers", required_argument, NULL, 'n' },
    { "repetitions", required_argument, NULL, 'r' },
    { "warmup", required_argument, NULL, 'w' },
    { "start", required_argument, NULL, OPT_START },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "context", required_argument, NULL, OPT_CONTEXT },
    { "per-sample", no_argument, NULL, OPT_PER_SAMPLE },
    { "compare-to", required_argument, NULL, OPT_COMPARE_TO },
    { "worker-memory", required_argument, NULL, OPT_WORKER_MEMORY },
    { "parent-memory", required_argument, NULL, OPT_PARENT_MEMORY },
    { "payload", required_argument, NULL, OPT_PAYLOAD },
    { "transport", required_argument, NULL, OPT_TRANSPORT },
    { "gil", no_argument, NULL, OPT_GIL },
    { "switch-interval", required_argument, NULL, OPT_SWITCH_INTERVAL },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "max-time", required_argument, NULL, OPT_MAX_TIME },
    { "pin", required_argument, NULL, OPT_PIN },
    { "stack-size", required_argument, NULL, OPT_STACK_SIZE },
    { "lock", required_argument, NULL, OPT_LOCK },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
};

#define NFIXED (sizeof fixed_options / sizeof fixed_options[0])

struct cli {
    struct option longopts[NFIXED + MAX_PARAMS + 1];
    const struct cb_param_desc *params[MAX_PARAMS];
    size_t nparams;
    struct cb_config *cfg;
    struct cb_error *err;
    bool from_max[CB_MAX_LIST]; /* worker count i came from "max" */
};

/* Returns the name at index i of a registry, NULL past its end. */
typedef const char *(*name_at_fn)(size_t i);

static const char *mode_name(size_t i)
{
    return cb_executors[i] ? cb_executors[i]->name : NULL;
}

static const char *task_name(size_t i)
{
    return cb_tasks[i] ? cb_tasks[i]->name : NULL;
}

static const char *start_name(size_t i)
{
    return i <= CB_START_BARRIER ? cb_start_name((enum cb_start)i) : NULL;
}

static const char *format_name(size_t i)
{
    return i <= CB_FORMAT_GAB ? cb_format_name((enum cb_format)i) : NULL;
}

static const char *transport_name(size_t i)
{
    static const char *const names[] = { "pipe", "shm" };

    return i < 2 ? names[i] : NULL;
}

static bool is_fixed_name(const char *name)
{
    for (size_t i = 0; i < NFIXED; i++)
        if (strcmp(fixed_options[i].name, name) == 0)
            return true;
    return false;
}

/* Every task's parameter once, in table order; a flag shared by several
 * tasks is described by its first task. */
static size_t collect_params(const struct cb_param_desc **out)
{
    size_t n = 0;

    for (size_t t = 0; cb_tasks[t]; t++) {
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++) {
            bool seen = is_fixed_name(d->flag);

            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp(out[i]->flag, d->flag) == 0;
            if (!seen && n < MAX_PARAMS)
                out[n++] = d;
        }
    }
    return n;
}

static void cli_init(struct cli *c, struct cb_config *cfg, struct cb_error *err)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->err = err;
    memcpy(c->longopts, fixed_options, sizeof fixed_options);
    c->nparams = collect_params(c->params);
    for (size_t i = 0; i < c->nparams; i++) {
        struct option *o = &c->longopts[NFIXED + i];

        o->name = c->params[i]->flag;
        o->has_arg = required_argument;
        o->val = OPT_PARAM + (int)i;
    }
}

static void join_names(name_at_fn name_at, const char *sep, char *buf, size_t len)
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

static void param_range(const struct cb_param_desc *d, char *buf, size_t len)
{
    char lo[32], hi[32];

    if (d->kind == CB_PARAM_DURATION) {
        format_ns(d->min, lo, sizeof lo);
        format_ns(d->max, hi, sizeof hi);
        snprintf(buf, len, "%s to %s", lo, hi);
    } else {
        snprintf(buf, len, "%" PRIu64 " to %" PRIu64, d->min, d->max);
    }
}

/* What an option accepts, for "needs a value" messages. */
static void accepted(const struct cli *c, int val, char *buf, size_t len)
{
    switch (val) {
    case 'm': join_names(mode_name, ", ", buf, len); break;
    case 't': join_names(task_name, ", ", buf, len); break;
    case 'n': snprintf(buf, len, "%s", WORKERS_ACCEPTED); break;
    case 'r': snprintf(buf, len, "1 to %u", MAX_REPETITIONS); break;
    case 'w': snprintf(buf, len, "0 to %u", MAX_REPETITIONS); break;
    case OPT_START: join_names(start_name, ", ", buf, len); break;
    case 'f': join_names(format_name, ", ", buf, len); break;
    case 'o': snprintf(buf, len, "a file name, or - for stdout"); break;
    case OPT_CONTEXT: snprintf(buf, len, "KEY=VALUE"); break;
    case OPT_COMPARE_TO: snprintf(buf, len, "a concbench JSON result file"); break;
    case OPT_WORKER_MEMORY: case OPT_PARENT_MEMORY: case OPT_PAYLOAD:
        snprintf(buf, len, SIZE_ACCEPTED);
        break;
    case OPT_TRANSPORT: join_names(transport_name, ", ", buf, len); break;
    case OPT_SWITCH_INTERVAL: case OPT_TIMEOUT: case OPT_MAX_TIME:
        snprintf(buf, len, NOT_A_DURATION);
        break;
    case OPT_STACK_SIZE: snprintf(buf, len, SIZE_ACCEPTED); break;
    case OPT_PIN: join_names(cb_pin_name, ", ", buf, len); break;
    case OPT_LOCK: join_names(cb_lock_name, ", ", buf, len); break;
    default:
        if (val >= OPT_PARAM && (size_t)(val - OPT_PARAM) < c->nparams) {
            const struct cb_param_desc *d = c->params[val - OPT_PARAM];

            if (d->kind == CB_PARAM_DURATION)
                snprintf(buf, len, NOT_A_DURATION);
            else
                param_range(d, buf, len);
        } else {
            buf[0] = '\0';
        }
    }
}

static const struct option *find_option(const struct cli *c, int val)
{
    for (const struct option *o = c->longopts; o->name; o++)
        if (o->val == val)
            return o;
    return NULL;
}

static const char *option_name(const struct cli *c, int val)
{
    const struct option *o = find_option(c, val);

    return o ? o->name : "?";
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
static int parse_names(struct cli *c, int val, const char *what, name_at_fn name_at,
                       const char *arg, size_t *idx, size_t *n)
{
    const char *flag = option_name(c, val), *p = arg, *item;
    char acc[ACCEPTED_MAX];
    size_t len, i;

    accepted(c, val, acc, sizeof acc);
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

    if (parse_names(c, 'm', "mode", mode_name, arg, idx, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->cfg->modes[i] = cb_executors[idx[i]];
    c->cfg->nmodes = n;
    return 0;
}

static int parse_tasks(struct cli *c, const char *arg)
{
    size_t idx[CB_MAX_LIST], n;

    if (parse_names(c, 't', "task", task_name, arg, idx, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->cfg->tasks[i] = cb_tasks[idx[i]];
    c->cfg->ntasks = n;
    return 0;
}

static int parse_choice(struct cli *c, int val, const char *what, name_at_fn name_at,
                        const char *arg, size_t *out)
{
    char acc[ACCEPTED_MAX];

    for (size_t i = 0; name_at(i); i++) {
        if (strcmp(name_at(i), arg) == 0) {
            *out = i;
            return 0;
        }
    }
    accepted(c, val, acc, sizeof acc);
    cb_error_set(c->err, "--%s: '%s' is not a %s; accepted: %s",
                 option_name(c, val), arg, what, acc);
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

    param_range(d, range, sizeof range);
    if (cb_units_parse_duration(arg, d->max, &v) == 0) {
        if (v >= d->min) {
            *out = v;
            return 0;
        }
        problem = "is too small";
    } else if (duration_shape(arg) == SHAPE_BAD) {
        cb_error_set(c->err, "--%s: '%s' is not a duration; accepted: " NOT_A_DURATION,
                     d->flag, arg);
        return -1;
    } else if (duration_shape(arg) == SHAPE_TOO_FINE) {
        problem = "is finer than 1 ns";
    }
    cb_error_set(c->err, "--%s: '%s' %s; accepted: %s", d->flag, arg, problem, range);
    return -1;
}

static int parse_param(struct cli *c, const struct cb_param_desc *d, const char *arg)
{
    uint64_t v = 0;
    int rc;

    if (d->kind == CB_PARAM_DURATION)
        rc = parse_duration(c, d, arg, &v);
    else
        rc = parse_count(c, d->flag, arg, d->min, d->max, &v);
    if (rc == 0)
        cb_params_set(&c->cfg->params, d, v);
    return rc;
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
                             WORKERS_ACCEPTED, arg);
            else
                cb_error_set(c->err, "--workers: '%.*s' is not a worker count; "
                             "accepted: " WORKERS_ACCEPTED, (int)len, item);
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

    if (parse_count(c, flag, arg, min, MAX_REPETITIONS, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* --switch-interval: 1 us to 1 s, like CPython's sys.setswitchinterval. */
static const struct cb_param_desc switch_desc = {
    "switch-interval", "switch_interval_s", CB_PARAM_DURATION, 0, 1000u,
    1000000000u, "GIL hand-over interval",
};

static const struct cb_param_desc timeout_desc = {
    "timeout", "timeout_s", CB_PARAM_DURATION, 0, 1000000u,
    86400ull * 1000000000u, "time limit per repetition",
};

static const struct cb_param_desc max_time_desc = {
    "max-time", "max_time_s", CB_PARAM_DURATION, 0, 1000000u,
    7ull * 86400ull * 1000000000u, "cap on the whole run",
};

static int parse_size(struct cli *c, const char *flag, const char *arg,
                      uint64_t max, uint64_t *out)
{
    if (cb_units_parse_size(arg, max, out) != 0) {
        cb_error_set(c->err, "--%s: '%s' is not a size up to %" PRIu64 " GiB; "
                     "accepted: " SIZE_ACCEPTED, flag, arg, max >> 30);
        return -1;
    }
    return 0;
}

/* The options of struct cb_run_opts and --lock; 1 when ch is not one. */
static int apply_run(struct cli *c, int ch, const char *arg)
{
    struct cb_run_opts *o = &c->cfg->run;
    size_t i;

    switch (ch) {
    case OPT_WORKER_MEMORY: return parse_size(c, "worker-memory", arg, MAX_MEMORY, &o->worker_mem);
    case OPT_PARENT_MEMORY: return parse_size(c, "parent-memory", arg, MAX_MEMORY, &o->parent_mem);
    case OPT_PAYLOAD: return parse_size(c, "payload", arg, MAX_PAYLOAD, &o->payload);
    case OPT_GIL: o->gil = true; return 0;
    case OPT_SWITCH_INTERVAL: return parse_duration(c, &switch_desc, arg, &o->switch_ns);
    case OPT_TIMEOUT: return parse_duration(c, &timeout_desc, arg, &o->timeout_ns);
    case OPT_MAX_TIME: return parse_duration(c, &max_time_desc, arg, &c->cfg->max_time_ns);
    case OPT_STACK_SIZE:
        if (parse_size(c, "stack-size", arg, MAX_STACK, &o->stack_size) != 0)
            return -1;
        if (o->stack_size < MIN_STACK) {
            cb_error_set(c->err, "--stack-size: '%s' is below the %u KiB a thread "
                         "needs; accepted: 64KiB to 1GiB", arg, (unsigned)(MIN_STACK >> 10));
            return -1;
        }
        return 0;
    case OPT_PIN:
        if (parse_choice(c, ch, "pin", cb_pin_name, arg, &i) != 0)
            return -1;
        o->pin = (enum cb_pin)i;
        return 0;
    case OPT_TRANSPORT:
        if (parse_choice(c, ch, "transport", transport_name, arg, &i) != 0)
            return -1;
        o->transport = (enum cb_transport)i;
        return 0;
    case OPT_LOCK:
        if (parse_choice(c, ch, "lock", cb_lock_name, arg, &i) != 0)
            return -1;
        c->cfg->params.lock = (uint32_t)i;
        return 0;
    }
    return 1;
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
    case OPT_CONTEXT: return parse_context(c, arg);
    case OPT_PER_SAMPLE: cfg->per_sample = true; return 0;
    case OPT_COMPARE_TO: cfg->compare_to = arg; return 0;
    case 'q': cfg->quiet = true; return 0;
    case OPT_START:
        if (parse_choice(c, ch, "start mode", start_name, arg, &i) != 0)
            return -1;
        cfg->start = (enum cb_start)i;
        return 0;
    case 'f':
        if (parse_choice(c, ch, "format", format_name, arg, &i) != 0)
            return -1;
        cfg->format = (enum cb_format)i;
        return 0;
    default:
        if (ch < OPT_PARAM)
            return apply_run(c, ch, arg);
        return parse_param(c, c->params[ch - OPT_PARAM], arg);
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
    char acc[ACCEPTED_MAX];
    size_t len = strcspn(arg, "=");

    if (ch == ':') {
        accepted(c, optopt, acc, sizeof acc);
        cb_error_set(c->err, "--%s needs a value; accepted: %s", option_name(c, optopt), acc);
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

static int check_tasks(struct cli *c)
{
    for (size_t i = 0; i < c->cfg->ntasks; i++)
        if (cb_task_check(c->cfg->tasks[i], &c->cfg->params, c->err) != 0)
            return -1;
    return 0;
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
    if (check_tasks(c) != 0)
        return -1;
    *cmd = CB_CMD_RUN;
    return 0;
}

static int parse_list(int argc, char **argv, enum cb_command *cmd, struct cb_error *err)
{
    if (argc == 2) {
        *cmd = CB_CMD_LIST;
        return 0;
    }
    if (argc == 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
        *cmd = CB_CMD_HELP;
        return 0;
    }
    cb_error_set(err, "list takes no arguments, got '%s'; see concbench --help", argv[2]);
    return -1;
}

int cb_cli_parse(int argc, char **argv, struct cb_config *cfg,
                 enum cb_command *cmd, struct cb_error *err)
{
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
            cb_error_set(err, "unknown command '%s'; accepted: run, list, compare, report, check",
                         argv[1]);
            return -1;
        }
        skip = 1;
    }
    cli_init(&c, cfg, err);
    return parse_options(&c, argc - skip, argv + skip, cmd);
}

static const char *const start_help[] = {
    [CB_START_IMMEDIATE] = "each worker runs as soon as it is created; "
                           "wall time includes creation",
    [CB_START_BARRIER] = "all workers are created, then released together; "
                         "the run is timed apart from creation",
};

static const char *const format_help[] = {
    [CB_FORMAT_JSON] = "every sample, schema_version 1 (for keeping and comparing)",
    [CB_FORMAT_TABLE] = "aligned text for a terminal",
    [CB_FORMAT_MARKDOWN] = "a Markdown table",
    [CB_FORMAT_CSV] = "one row per benchmark (--per-sample: per sample and worker)",
    [CB_FORMAT_BMF] = "Bencher Metric Format: median wall and spawn latency, ns",
    [CB_FORMAT_GAB] = "github-action-benchmark customSmallerIsBetter array",
};

static const char *param_metavar(const struct cb_param_desc *d)
{
    return d->kind == CB_PARAM_DURATION ? "DURATION" : "N";
}

static void param_default(const struct cb_param_desc *d, char *buf, size_t len)
{
    struct cb_params p;

    cb_params_default(&p);
    if (d->kind == CB_PARAM_DURATION)
        format_ns(cb_params_get(&p, d), buf, len);
    else
        snprintf(buf, len, "%" PRIu64, cb_params_get(&p, d));
}

/* The tasks that read the parameter called flag, e.g. "io". */
static void param_tasks(const char *flag, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t t = 0; cb_tasks[t]; t++) {
        for (const struct cb_param_desc *d = cb_tasks[t]->params; d && d->flag; d++) {
            if (strcmp(d->flag, flag) == 0 && used < len) {
                int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                                 cb_tasks[t]->name);

                used += n > 0 ? (size_t)n : 0;
                break;
            }
        }
    }
}

static void usage_params(struct cb_strbuf *sb)
{
    const struct cb_param_desc *params[MAX_PARAMS];
    size_t n = collect_params(params);

    cb_strbuf_puts(sb, "\nTask parameters (N takes k, M, G for x1000, e.g. 10M; "
                   "DURATION takes ns,\nus, ms or s, e.g. 100ms):\n");
    for (size_t i = 0; i < n; i++) {
        char opt[64], def[32], tasks[128];

        snprintf(opt, sizeof opt, "--%s=%s", params[i]->flag, param_metavar(params[i]));
        param_default(params[i], def, sizeof def);
        param_tasks(params[i]->flag, tasks, sizeof tasks);
        cb_strbuf_printf(sb, "      %-22s%s\n%28s(%s; default: %s)\n", opt,
                         params[i]->help, "", tasks, def);
    }
}

static void usage_run(struct cb_strbuf *sb, const struct cb_config *def)
{
    char modes[ACCEPTED_MAX], tasks[ACCEPTED_MAX], defmodes[ACCEPTED_MAX] = "";

    join_names(mode_name, ", ", modes, sizeof modes);
    join_names(task_name, ", ", tasks, sizeof tasks);
    for (size_t i = 0; i < def->nmodes; i++)
        snprintf(defmodes + strlen(defmodes), sizeof defmodes - strlen(defmodes),
                 "%s%s", i ? "," : "", def->modes[i]->name);
    cb_strbuf_printf(sb,
        "What to run:\n"
        "  -m, --mode=LIST           how workers are made, comma-separated:\n"
        "                            %s\n"
        "                            (default: %s)\n"
        "  -t, --task=LIST           the work, comma-separated: %s\n"
        "                            (default: all but lock)\n", modes, defmodes, tasks);
    cb_strbuf_printf(sb,
        "  -n, --workers=LIST        worker counts, comma-separated: 1,2,4 or ranges\n"
        "                            1..16 (every count), 1..64:x2 (doubling), 2..32:+2\n"
        "                            (step), and max (the CPUs this process may use)\n"
        "                            (default: max; 1 to %u, at most %d in all)\n",
        CB_MAX_WORKERS, CB_MAX_LIST);
    cb_strbuf_printf(sb,
        "  -r, --repetitions=N       measured runs of each benchmark (default: %u)\n"
        "  -w, --warmup=N            unmeasured runs before them (default: %u)\n"
        "      --start=MODE          immediate: each worker runs as soon as it is\n"
        "                            created, so wall time includes creation;\n"
        "                            barrier: all are created, then released\n"
        "                            together (default: %s)\n",
        def->repetitions, def->warmup, cb_start_name(def->start));
    cb_strbuf_puts(sb,
        "\nThe classic claims (sizes take B, KiB, MiB, GiB, kB, MB, GB):\n"
        "      --worker-memory=SIZE  each worker touches SIZE bytes; the memory of\n"
        "                            all live workers (PSS) is reported (default: 0)\n"
        "      --parent-memory=SIZE  the parent touches SIZE bytes before spawning\n"
        "      --payload=SIZE        each worker hands SIZE bytes of result back\n"
        "      --transport=WAY       processes: pipe or shm (default: pipe)\n"
        "      --gil                 run task code under one emulated global lock\n"
        "                            (threads share it; each process has its own)\n"
        "      --switch-interval=DURATION\n"
        "                            GIL hand-over interval (default: 5ms)\n"
        "      --lock=KIND           lock task: mutex, spin or semaphore\n"
        "                            (default: mutex)\n"
        "\nLimits:\n"
        "      --max-time=DURATION   cap on the whole run: repetitions stop early\n"
        "                            (never below 5, or -r) when the next round\n"
        "                            would pass it; JSON repetitions says how many\n"
        "      --timeout=DURATION    per repetition: processes past it are killed\n"
        "                            and reported as timeout; threads cannot be\n"
        "                            killed, so the run stops there (default: none)\n"
        "      --pin=HOW             none, spread (worker i on CPU i mod n) or\n"
        "                            compact (in blocks); each worker pins itself\n"
        "                            (serial never pins) (default: none)\n"
        "      --stack-size=SIZE     stack of each thread, e.g. 256KiB for -n 10000\n"
        "                            (default: the system's, often 8 MiB virtual)\n");
}

static void usage_output(struct cb_strbuf *sb, const struct cb_config *def)
{
    char formats[ACCEPTED_MAX];

    join_names(format_name, ", ", formats, sizeof formats);
    cb_strbuf_printf(sb,
        "\nOutput:\n"
        "  -f, --format=FORMAT       %s (default: %s)\n"
        "  -o, --output=FILE         write to FILE, replaced atomically (default:\n"
        "                            stdout, also -)\n"
        "      --context KEY=VALUE   add KEY=VALUE to the result's context, e.g. a\n"
        "                            commit; repeatable (KEY: letters, digits, _ . -)\n"
        "      --per-sample          csv: one row per sample and worker instead\n"
        "                            of one per benchmark\n"
        "      --compare-to=BASE     then compare with the result file BASE; the\n"
        "                            verdicts go to stderr, exit 1 on a regression\n"
        "  -q, --quiet               no progress, warnings or summary on stderr\n"
        "  -h, --help                show this help\n"
        "  -V, --version             show the version\n",
        formats, cb_format_name(def->format));
    cb_strbuf_puts(sb,
        "\nExamples:\n"
        "  concbench --mode=threads --task=cpu -n 10\n"
        "  concbench -m threads,processes,serial -t cpu -n 1,2,4 -f table\n"
        "  concbench -t io -n 50 --sleep=100ms\n"
        "  concbench -o result.json --context commit=abc123\n"
        "\nExit status: 0 success, 1 a benchmark failed, 2 usage error, "
        "128+signal interrupted (130: Ctrl-C).\n");
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

const char *cb_cli_usage(void)
{
    static char text[8192];
    struct cb_config def;
    struct cb_strbuf sb;

    cb_config_default(&def);
    cb_strbuf_init(&sb);
    cb_strbuf_puts(&sb,
        "Usage: concbench [run] [OPTIONS]\n"
        "       concbench list\n"
        "       concbench compare BASE.json NEW.json [OPTIONS] (see compare --help)\n"
        "       concbench report FILE.json... [OPTIONS] (see report --help)\n"
        "       concbench check [OPTIONS] (the machine's state; see check --help)\n"
        "       concbench --help | --version\n"
        "\nRuns the same work as threads and as processes, measures both on this\n"
        "machine, and writes the results (JSON by default). `concbench list` shows\n"
        "the tasks, their parameters and the modes.\n\n");
    usage_run(&sb, &def);
    usage_params(&sb);
    usage_output(&sb, &def);
    if (sb.failed || !sb.buf) {
        cb_strbuf_free(&sb);
        return "Usage: concbench [run] [OPTIONS] | list | --help | --version\n";
    }
    snprintf(text, sizeof text, "%s", sb.buf);
    cb_strbuf_free(&sb);
    return text;
}

static size_t widest(name_at_fn name_at)
{
    size_t w = 0;

    for (size_t i = 0; name_at(i); i++)
        w = strlen(name_at(i)) > w ? strlen(name_at(i)) : w;
    return w;
}

static void list_tasks(struct cb_strbuf *sb)
{
    int w = (int)widest(task_name);

    cb_strbuf_puts(sb, "Tasks (--task=LIST; default: all but lock):\n");
    for (size_t t = 0; cb_tasks[t]; t++) {
        const struct cb_task *task = cb_tasks[t];

        cb_strbuf_printf(sb, "  %-*s  %s (%s)\n", w, task->name, task->description,
                         task->cpu_bound ? "CPU-bound" : "I/O-bound");
        for (const struct cb_param_desc *d = task->params; d && d->flag; d++) {
            char def[32];

            param_default(d, def, sizeof def);
            cb_strbuf_printf(sb, "  %-*s    --%s=%s  %s (default %s)\n", w, "",
                             d->flag, param_metavar(d), d->help, def);
        }
        if (task->more_help)
            cb_strbuf_printf(sb, "  %-*s    %s\n", w, "", task->more_help);
    }
}

static void list_choices(struct cb_strbuf *sb, name_at_fn name_at,
                         const char *const *help, size_t nhelp)
{
    int w = (int)widest(name_at);

    for (size_t i = 0; name_at(i); i++)
        cb_strbuf_printf(sb, "  %-*s  %s\n", w, name_at(i), i < nhelp ? help[i] : "");
}

char *cb_cli_list(void)
{
    struct cb_config def;
    struct cb_strbuf sb;
    const char *mode_help[CB_MAX_LIST];
    size_t nmodes = 0;

    cb_config_default(&def);
    cb_strbuf_init(&sb);
    list_tasks(&sb);
    for (; nmodes < CB_MAX_LIST && cb_executors[nmodes]; nmodes++)
        mode_help[nmodes] = cb_executors[nmodes]->description;
    cb_strbuf_puts(&sb, "\nModes (--mode=LIST; default:");
    for (size_t i = 0; i < def.nmodes; i++)
        cb_strbuf_printf(&sb, "%s%s", i ? "," : " ", def.modes[i]->name);
    cb_strbuf_puts(&sb, "):\n");
    list_choices(&sb, mode_name, mode_help, nmodes);
    cb_strbuf_printf(&sb, "\nStart (--start; default: %s):\n", cb_start_name(def.start));
    list_choices(&sb, start_name, start_help, sizeof start_help / sizeof *start_help);
    cb_strbuf_printf(&sb, "\nFormats (--format; default: %s):\n", cb_format_name(def.format));
    list_choices(&sb, format_name, format_help, sizeof format_help / sizeof *format_help);
    return cb_strbuf_finish(&sb, NULL);
}
