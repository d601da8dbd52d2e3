#include "concbench/load.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concbench/config.h"
#include "concbench/json_keys.h"
#include "concbench/options.h"
#include "concbench/stats.h"
#include "concbench/utf8.h"

/* The schema nests 6 levels; anything far deeper is not ours, and
 * refusing it early keeps cJSON's recursion shallow. */
#define MAX_DEPTH 64
/* Seconds above this are not a measurement (about 30 years). */
#define MAX_SECONDS 1e9
/* Paths of nested objects, for lookups and messages. */
#define AT_STATE CB_KEY_CONTEXT "." CB_KEY_STATE
#define AT_PROBLEMS AT_STATE "." CB_KEY_PROBLEMS
#define AT_BUILD AT_STATE "." CB_KEY_BUILD

struct ld {
    const char *name;   /* the file, for messages */
    struct cb_error *err;
    double *scratch;    /* per-sample spawn times */
    size_t scratch_cap;
    double floor_steps; /* noise_floor.steps; 0 when the file has none */
};

static int fail(const struct ld *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(const struct ld *ld, const char *fmt, ...)
{
    char msg[CB_ERROR_MAX], clean[CB_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* What the file holds (a key, a value) may be quoted in msg: escaped,
     * no control character from it reaches the terminal. */
    cb_utf8_escape(clean, sizeof clean, msg);
    cb_error_set(ld->err, "%s: %s", ld->name, clean);
    return -1;
}

/* ---- bytes: size, UTF-8, nesting ---------------------------------- */

static int check_bytes(const struct ld *ld, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;

    if (len == 0)
        return fail(ld, "the file is empty; expected a concbench JSON result");
    for (size_t i = 0; i < len;) {
        size_t n = s[i] ? cb_utf8_len(s + i, len - i) : 0;

        if (s[i] == 0)
            return fail(ld, "not JSON: a NUL byte at offset %zu", i);
        if (n == 0)
            return fail(ld, "not UTF-8: invalid byte 0x%02X at offset %zu", s[i], i);
        i += n;
    }
    return 0;
}

/* Deepest [ / { nesting outside strings; *open tells whether the text
 * ends inside a string or a container, i.e. was cut short. */
static size_t max_depth(const char *s, size_t len, bool *open)
{
    size_t depth = 0, deepest = 0;
    bool in_str = false;

    for (size_t i = 0; i < len; i++) {
        if (in_str) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_str = false;
        } else if (s[i] == '"') {
            in_str = true;
        } else if (s[i] == '[' || s[i] == '{') {
            deepest = ++depth > deepest ? depth : deepest;
        } else if ((s[i] == ']' || s[i] == '}') && depth > 0) {
            depth--;
        }
    }
    *open = in_str || depth > 0;
    return deepest;
}

static void line_col(const char *text, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        *col = text[i] == '\n' ? 1 : *col + 1;
        *line += text[i] == '\n';
    }
}

static bool only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", s[i]))
            return false;
    return true;
}

/* text need not be NUL-terminated: compare within len only. */
static bool starts(const char *text, size_t pos, size_t len, const char *word)
{
    size_t n = strlen(word);

    return pos <= len && len - pos >= n && memcmp(text + pos, word, n) == 0;
}

static cJSON *parse(const struct ld *ld, const char *text, size_t len)
{
    const char *end = NULL;
    size_t pos, line, col;
    bool open;
    cJSON *root;

    if (max_depth(text, len, &open) > MAX_DEPTH) {
        fail(ld, "not a concbench result: JSON nests deeper than %d levels", MAX_DEPTH);
        return NULL;
    }
    root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    pos = end && end >= text ? (size_t)(end - text) : len;
    if (root && only_space(text + pos, len - pos))
        return root;
    cJSON_Delete(root);
    line_col(text, pos < len ? pos : len, &line, &col);
    if (root)
        fail(ld, "not JSON: unexpected text after the document at line %zu, column %zu",
             line, col);
    else if (open || pos >= len || only_space(text + pos, len - pos))
        fail(ld, "truncated JSON: the text ends inside a string, array or object "
             "(parse error at line %zu, column %zu)", line, col);
    else if (starts(text, pos, len, "NaN") || starts(text, pos, len, "Inf") ||
             starts(text, pos, len, "-Inf"))
        fail(ld, "not JSON: NaN or Infinity at line %zu, column %zu is not a JSON number",
             line, col);
    else
        fail(ld, "not JSON: syntax error at line %zu, column %zu", line, col);
    return NULL;
}

/* ---- typed fields ----------------------------------------------------- */

/* Finds key in obj; a key given twice is an error, since which one a
 * reader would take is a guess. */
static int member(const struct ld *ld, const cJSON *obj, const char *where,
                  const char *key, const cJSON **out)
{
    *out = NULL;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string || strcmp(c->string, key) != 0)
            continue;
        if (*out)
            return fail(ld, "%s has the key \"%s\" twice", where, key);
        *out = c;
    }
    return 0;
}

static int required(const struct ld *ld, const cJSON *obj, const char *where,
                    const char *key, const cJSON **out)
{
    if (member(ld, obj, where, key, out) != 0)
        return -1;
    if (!*out)
        return fail(ld, "%s has no \"%s\"", where, key);
    return 0;
}

static int check_number(const struct ld *ld, const cJSON *it, const char *where,
                        const char *key, double min, double max)
{
    if (!cJSON_IsNumber(it))
        return fail(ld, "%s.%s is not a number", where, key);
    if (!isfinite(it->valuedouble))
        return fail(ld, "%s.%s is not a finite number", where, key);
    if (it->valuedouble < min || it->valuedouble > max)
        return fail(ld, "%s.%s is %g; accepted: %g to %g", where, key,
                    it->valuedouble, min, max);
    return 0;
}

static int get_number(const struct ld *ld, const cJSON *obj, const char *where,
                      const char *key, double min, double max, double *out)
{
    const cJSON *it;

    if (required(ld, obj, where, key, &it) != 0 ||
        check_number(ld, it, where, key, min, max) != 0)
        return -1;
    *out = it->valuedouble;
    return 0;
}

/* Copies a string field into buf; control characters (C0, DEL and C1:
 * concbench writes them escaped, never raw) are refused so that what we
 * print stays one line and sends the terminal no escape sequence.
 * Missing and optional: "unknown". */
static int get_string(const struct ld *ld, const cJSON *obj, const char *where,
                      const char *key, bool need, char *buf, size_t len)
{
    const cJSON *it;

    if (member(ld, obj, where, key, &it) != 0)
        return -1;
    if (!it && !need) {
        snprintf(buf, len, "unknown");
        return 0;
    }
    if (!it)
        return fail(ld, "%s has no \"%s\"", where, key);
    if (!cJSON_IsString(it) || !it->valuestring)
        return fail(ld, "%s.%s is not a string", where, key);
    if (strlen(it->valuestring) >= len)
        return fail(ld, "%s.%s is longer than %zu bytes", where, key, len - 1);
    if (!cb_utf8_is_text(it->valuestring))
        return fail(ld, "%s.%s contains a control character", where, key);
    snprintf(buf, len, "%s", it->valuestring);
    return 0;
}

static int get_typed(const struct ld *ld, const cJSON *obj, const char *where,
                     const char *key, bool array, const cJSON **out)
{
    if (required(ld, obj, where, key, out) != 0)
        return -1;
    if (array ? !cJSON_IsArray(*out) : !cJSON_IsObject(*out))
        return fail(ld, "%s.%s is not an %s", where, key, array ? "array" : "object");
    return 0;
}

/* An optional count: -1 when missing. */
static int get_count(const struct ld *ld, const cJSON *obj, const char *where,
                     const char *key, long *out)
{
    const cJSON *it;

    *out = -1;
    if (member(ld, obj, where, key, &it) != 0)
        return -1;
    if (!it || cJSON_IsNull(it))
        return 0;
    if (check_number(ld, it, where, key, -1, 1e9) != 0)
        return -1;
    *out = (long)it->valuedouble;
    return 0;
}

/* ---- the document ----------------------------------------------------- */

/* state.problems: the names of the checks that warned. */
static int load_problems(const struct ld *ld, const cJSON *st, struct cb_loaded_context *c)
{
    const cJSON *arr;
    char check[64];
    size_t used = 0;

    snprintf(c->problems, sizeof c->problems, "none");
    if (member(ld, st, AT_STATE, CB_KEY_PROBLEMS, &arr) != 0)
        return -1;
    if (!arr)
        return 0;
    if (!cJSON_IsArray(arr))
        return fail(ld, AT_PROBLEMS " is not an array");
    for (const cJSON *p = arr->child; p; p = p->next) {
        if (!cJSON_IsObject(p))
            return fail(ld, AT_PROBLEMS " has an item that is not an object");
        if (get_string(ld, p, AT_PROBLEMS "[]", CB_KEY_CHECK, true, check, sizeof check))
            return -1;
        used += (size_t)snprintf(c->problems + used, sizeof c->problems - used, "%s%s",
                                 used ? ", " : "", check);
        if (used >= sizeof c->problems)
            break;
    }
    return 0;
}

/* context.state, written since the machine state was checked; optional. */
static int load_state(const struct ld *ld, const cJSON *ctx, struct cb_loaded_context *c)
{
    const cJSON *st, *build, *quota;

    if (member(ld, ctx, CB_KEY_CONTEXT, CB_KEY_STATE, &st) != 0)
        return -1;
    if (!st)
        return 0;
    if (!cJSON_IsObject(st))
        return fail(ld, AT_STATE " is not an object");
    c->has_state = true;
    if (get_string(ld, st, AT_STATE, CB_KEY_GOVERNOR, false, c->governor, sizeof c->governor) ||
        get_string(ld, st, AT_STATE, CB_KEY_TURBO, false, c->turbo, sizeof c->turbo) ||
        get_string(ld, st, AT_STATE, CB_KEY_THP, false, c->thp, sizeof c->thp) ||
        member(ld, st, AT_STATE, CB_KEY_BUILD, &build) ||
        member(ld, st, AT_STATE, CB_KEY_CPU_QUOTA, &quota) ||
        (quota && !cJSON_IsNull(quota) &&
         check_number(ld, quota, AT_STATE, CB_KEY_CPU_QUOTA, 0, 1e9)))
        return -1;
    c->cpu_quota = quota && cJSON_IsNumber(quota) ? quota->valuedouble : 0;
    if (build && !cJSON_IsObject(build))
        return fail(ld, AT_BUILD " is not an object");
    if (build && get_string(ld, build, AT_BUILD, CB_KEY_SANITIZERS, false,
                            c->sanitizers, sizeof c->sanitizers))
        return -1;
    return load_problems(ld, st, c);
}

static int load_context(const struct ld *ld, const cJSON *root, struct cb_loaded_context *c)
{
    const cJSON *tool, *ctx;

    const char *at = CB_KEY_CONTEXT;

    if (get_typed(ld, root, "the file", CB_KEY_TOOL, false, &tool) != 0 ||
        get_string(ld, tool, CB_KEY_TOOL, CB_KEY_VERSION, false, c->tool_version,
                   sizeof c->tool_version) ||
        get_string(ld, tool, CB_KEY_TOOL, CB_KEY_BUILD_TYPE, false, c->build_type,
                   sizeof c->build_type) ||
        get_typed(ld, root, "the file", CB_KEY_CONTEXT, false, &ctx) != 0)
        return -1;
    if (get_string(ld, ctx, at, CB_KEY_HOSTNAME, false, c->hostname, sizeof c->hostname) ||
        get_string(ld, ctx, at, CB_KEY_OS, false, c->os, sizeof c->os) ||
        get_string(ld, ctx, at, CB_KEY_KERNEL, false, c->kernel, sizeof c->kernel) ||
        get_string(ld, ctx, at, CB_KEY_ARCH, false, c->arch, sizeof c->arch) ||
        get_string(ld, ctx, at, CB_KEY_CPU_MODEL, false, c->cpu_model, sizeof c->cpu_model) ||
        get_string(ld, ctx, at, CB_KEY_DATE, false, c->date, sizeof c->date) ||
        get_count(ld, ctx, at, CB_KEY_LOGICAL_CPUS, &c->logical_cpus) ||
        get_count(ld, ctx, at, CB_KEY_USABLE_CPUS, &c->usable_cpus) ||
        load_state(ld, ctx, c))
        return -1;
    return 0;
}

static int load_params(const struct ld *ld, const cJSON *b, const char *where,
                       struct cb_loaded_cell *cell)
{
    const cJSON *params, *dup;

    if (get_typed(ld, b, where, CB_KEY_PARAMS, false, &params) != 0)
        return -1;
    for (const cJSON *p = params->child; p; p = p->next) {
        struct cb_loaded_param *out = &cell->params[cell->nparams];

        if (cell->nparams == CB_LOAD_MAX_PARAMS)
            return fail(ld, "%s." CB_KEY_PARAMS " has more than %d keys", where,
                        CB_LOAD_MAX_PARAMS);
        if (!p->string || strlen(p->string) >= sizeof out->name)
            return fail(ld, "%s." CB_KEY_PARAMS " has a key longer than %zu bytes", where,
                        sizeof out->name - 1);
        if (!cb_utf8_is_text(p->string))
            return fail(ld, "%s." CB_KEY_PARAMS " has a key with a control character",
                        where);
        if (member(ld, params, where, p->string, &dup) != 0 ||
            check_number(ld, p, where, "params value", 0, 1e300) != 0)
            return -1;
        snprintf(out->name, sizeof out->name, "%s", p->string);
        out->value = p->valuedouble;
        cell->nparams++;
    }
    return 0;
}

static double *scratch(struct ld *ld, size_t n)
{
    double *p;

    if (n <= ld->scratch_cap)
        return ld->scratch;
    p = realloc(ld->scratch, n * sizeof *p);
    if (!p)
        return NULL;
    ld->scratch = p;
    ld->scratch_cap = n;
    return p;
}

/* The median spawn_s of the workers that report one; NAN if none does.
 * A sample holds one record per job: as many as the benchmark's workers. */
static int load_spawn(struct ld *ld, const cJSON *s, const char *where,
                      const struct cb_loaded_cell *cell, double *out)
{
    const cJSON *workers, *spawn;
    double *v;
    size_t n = 0;

    *out = NAN;
    if (get_typed(ld, s, where, CB_KEY_WORKERS, true, &workers) != 0)
        return -1;
    if ((size_t)cJSON_GetArraySize(workers) != cell->workers)
        return fail(ld, "benchmark \"%s\": %s has %d worker records, but workers is %u",
                    cell->name, where, cJSON_GetArraySize(workers), cell->workers);
    v = scratch(ld, (size_t)cJSON_GetArraySize(workers) + 1);
    if (!v)
        return fail(ld, "out of memory reading %s", where);
    for (const cJSON *w = workers->child; w; w = w->next) {
        if (!cJSON_IsObject(w))
            return fail(ld, "%s." CB_KEY_WORKERS " has an item that is not an object", where);
        if (member(ld, w, where, CB_KEY_SPAWN_S, &spawn) != 0 ||
            (spawn && check_number(ld, spawn, where, CB_KEY_WORKERS "[]." CB_KEY_SPAWN_S, 0,
                                   MAX_SECONDS)))
            return -1;
        if (spawn)
            v[n++] = spawn->valuedouble;
    }
    if (cb_stats_median(v, n, out) != 0)
        return fail(ld, "out of memory reading %s", where);
    return 0;
}

/* An optional number of a sample in [0, max]: NAN when the key is absent
 * (files written before it was recorded) or null (unknown). */
static int get_optional(const struct ld *ld, const cJSON *s, const char *where,
                        const char *key, double max, double *out)
{
    const cJSON *it;

    *out = NAN;
    if (member(ld, s, where, key, &it) != 0)
        return -1;
    if (!it || cJSON_IsNull(it))
        return 0;
    if (check_number(ld, it, where, key, 0, max) != 0)
        return -1;
    *out = it->valuedouble;
    return 0;
}

/* memory.per_worker_kib of a sample; NAN when it has no memory reading. */
static int load_memory(const struct ld *ld, const cJSON *s, const char *where, double *out)
{
    char w[192];
    const cJSON *m;

    *out = NAN;
    if (member(ld, s, where, CB_KEY_MEMORY, &m) != 0)
        return -1;
    if (!m)
        return 0;
    if (!cJSON_IsObject(m))
        return fail(ld, "%s." CB_KEY_MEMORY " is not an object", where);
    snprintf(w, sizeof w, "%s." CB_KEY_MEMORY, where);
    return get_number(ld, m, w, CB_KEY_PER_WORKER_KIB, 0, 1e15, out);
}

static int load_sample(struct ld *ld, const cJSON *s, const char *bwhere, size_t i,
                       struct cb_loaded_cell *cell)
{
    char where[160];
    double user, sys;

    snprintf(where, sizeof where, "%s." CB_KEY_SAMPLES "[%zu]", bwhere, i);
    if (!cJSON_IsObject(s))
        return fail(ld, "%s is not an object", where);
    if (get_number(ld, s, where, CB_KEY_WALL_S, 0, MAX_SECONDS, &cell->wall[i]) ||
        get_number(ld, s, where, CB_KEY_USER_S, 0, MAX_SECONDS, &user) ||
        get_number(ld, s, where, CB_KEY_SYS_S, 0, MAX_SECONDS, &sys) ||
        load_spawn(ld, s, where, cell, &cell->spawn[i]) ||
        load_memory(ld, s, where, &cell->mem[i]) ||
        get_optional(ld, s, where, "floor_s", MAX_SECONDS, &cell->floor[i]) ||
        get_optional(ld, s, where, "floor_cpu_s", MAX_SECONDS, &cell->floor_cpu[i]) ||
        get_optional(ld, s, where, "others_cpu", 1e6, &cell->others[i]))
        return -1;
    /* Per step: each run sizes its own loop, so only the rate compares. */
    cell->floor[i] = ld->floor_steps > 0 ? cell->floor[i] / ld->floor_steps : NAN;
    cell->floor_cpu[i] = ld->floor_steps > 0 ? cell->floor_cpu[i] / ld->floor_steps : NAN;
    /* cpu_s (exact, from the CPU-time clocks) when the file has it; the
     * tick-sampled user + sys otherwise. */
    if (!cJSON_GetObjectItemCaseSensitive(s, CB_KEY_CPU_S)) {
        cell->cpu[i] = user + sys;
        return 0;
    }
    return get_number(ld, s, where, CB_KEY_CPU_S, 0, MAX_SECONDS, &cell->cpu[i]);
}

static int load_samples(struct ld *ld, const cJSON *b, const char *where,
                        struct cb_loaded_cell *cell)
{
    const cJSON *samples, *reps;
    size_t n, i = 0;

    if (get_typed(ld, b, where, CB_KEY_SAMPLES, true, &samples) != 0 ||
        member(ld, b, where, "repetitions", &reps) != 0 ||
        (reps && check_number(ld, reps, where, "repetitions", 0, 1e9) != 0))
        return -1;
    n = (size_t)cJSON_GetArraySize(samples);
    if (n > CB_LOAD_MAX_SAMPLES)
        return fail(ld, "%s has more than %u samples", where, CB_LOAD_MAX_SAMPLES);
    /* concbench writes how many samples really ran as repetitions. */
    if (reps && reps->valuedouble != (double)n)
        return fail(ld, "benchmark \"%s\": repetitions is %g, but it has %zu samples",
                    cell->name, reps->valuedouble, n);
    cell->wall = calloc(7 * n + 1, sizeof *cell->wall);
    if (!cell->wall)
        return fail(ld, "out of memory reading %s", where);
    cell->cpu = cell->wall + n;
    cell->spawn = cell->cpu + n;
    cell->mem = cell->spawn + n;
    cell->floor = cell->mem + n;
    cell->others = cell->floor + n;
    cell->floor_cpu = cell->others + n;
    for (const cJSON *s = samples->child; s; s = s->next, i++)
        if (load_sample(ld, s, where, i, cell) != 0)
            return -1;
    cell->nsamples = n;
    return 0;
}

/* An optional statistics object's median: NAN when the key is absent. */
static int get_median(const struct ld *ld, const cJSON *b, const char *where,
                      const char *key, double max, double *out)
{
    char w[96];
    const cJSON *it;

    *out = NAN;
    if (member(ld, b, where, key, &it) != 0)
        return -1;
    if (!it)
        return 0;
    if (!cJSON_IsObject(it))
        return fail(ld, "%s.%s is not an object", where, key);
    snprintf(w, sizeof w, "%s.%s", where, key);
    return get_number(ld, it, w, CB_KEY_MEDIAN, 0, max, out);
}

/* One distinguishing option beside params into cell->choices: a name
 * for a choice, any other kind a number. */
static int load_choice(const struct ld *ld, const cJSON *b, const char *where,
                       const struct cb_param_desc *d, struct cb_loaded_cell *cell)
{
    struct cb_loaded_choice *out = &cell->choices[cell->nchoices];
    const cJSON *it;

    if (cell->nchoices == CB_LOAD_MAX_CHOICES)
        return 0;
    snprintf(out->key, sizeof out->key, "%s", d->json_name);
    if (d->kind == CB_PARAM_CHOICE || d->kind == CB_PARAM_SHAPE) {
        if (get_string(ld, b, where, d->json_name, false, out->value, sizeof out->value))
            return -1;
    } else {
        if (member(ld, b, where, d->json_name, &it) ||
            (it && check_number(ld, it, where, d->json_name, 0, 1e15)))
            return -1;
        snprintf(out->value, sizeof out->value, "%.17g", it ? it->valuedouble : NAN);
    }
    cell->nchoices++;
    return 0;
}

/* The figures of the classic claims, present when they were measured,
 * and the options beside params that tell benchmarks apart. */
static int load_claims(const struct ld *ld, const cJSON *b, const char *where,
                       struct cb_loaded_cell *cell)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = cb_options_all(all, CB_OPTIONS_MAX);
    const cJSON *it;

    if (get_median(ld, b, where, CB_KEY_MEMORY_PER_WORKER_KIB, 1e15, &cell->mem_kib) ||
        get_median(ld, b, where, CB_KEY_HANDOFF_S, MAX_SECONDS, &cell->handoff) ||
        get_median(ld, b, where, CB_KEY_GIL_WAIT_S, MAX_SECONDS, &cell->gil_wait) ||
        get_median(ld, b, where, CB_KEY_PER_OP_S, MAX_SECONDS, &cell->per_op) ||
        get_median(ld, b, where, CB_KEY_LOST_UPDATES, 1e19, &cell->lost_updates))
        return -1;
    cell->ops_per_s = NAN;
    if (member(ld, b, where, CB_KEY_OPS_PER_S, &it) ||
        (it && check_number(ld, it, where, CB_KEY_OPS_PER_S, 0, 1e15)))
        return -1;
    if (it)
        cell->ops_per_s = it->valuedouble;
    for (size_t i = 0; i < n; i++)
        if ((all[i]->json & CB_JSON_BESIDE) && all[i]->distinguishes &&
            load_choice(ld, b, where, all[i], cell) != 0)
            return -1;
    return 0;
}

/* A percentile of a latency object: null (no job measured it) is NAN. */
static int get_pct(const struct ld *ld, const cJSON *q, const char *where, const char *key,
                   double *out)
{
    const cJSON *it;

    if (required(ld, q, where, key, &it) != 0)
        return -1;
    if (cJSON_IsNull(it))
        return 0;
    if (check_number(ld, it, where, key, 0, MAX_SECONDS) != 0)
        return -1;
    *out = it->valuedouble;
    return 0;
}

/* An optional object of a benchmark into *out (NULL when absent). */
static int get_object(const struct ld *ld, const cJSON *b, const char *where, const char *key,
                      const cJSON **out, char *w, size_t wlen)
{
    if (member(ld, b, where, key, out) != 0)
        return -1;
    snprintf(w, wlen, "%s.%s", where, key);
    if (*out && !cJSON_IsObject(*out))
        return fail(ld, "%s is not an object", w);
    return 0;
}

/* The median and p99 of obj.key (a latency object) into out[0..2);
 * NAN when obj or the key is absent. */
static int load_latency(const struct ld *ld, const cJSON *obj, const char *where,
                        const char *key, double out[2])
{
    char w[128];
    const cJSON *q;

    out[0] = out[1] = NAN;
    if (!obj)
        return 0;
    if (get_object(ld, obj, where, key, &q, w, sizeof w) != 0)
        return -1;
    if (!q)
        return 0;
    return get_pct(ld, q, w, CB_KEY_MEDIAN, &out[0]) || get_pct(ld, q, w, "p99", &out[1]);
}

/* The pool's dispatch, queue wait and completion latency and the loop's
 * lateness, when the benchmark has them. */
static int load_models(const struct ld *ld, const cJSON *b, const char *where,
                       struct cb_loaded_cell *cell)
{
    char wp[96], wl[96];
    const cJSON *pool, *loop;

    if (get_object(ld, b, where, "pool", &pool, wp, sizeof wp) ||
        get_object(ld, b, where, "loop", &loop, wl, sizeof wl))
        return -1;
    return load_latency(ld, pool, wp, "dispatch_s", cell->dispatch) ||
           load_latency(ld, pool, wp, "queue_wait_s", cell->queue_wait) ||
           load_latency(ld, pool, wp, "completion_s", cell->completion) ||
           load_latency(ld, loop, wl, "lateness_s", cell->lateness) ? -1 : 0;
}

/* The name concbench gives a benchmark is "task/mode/workers". */
static int check_name(const struct ld *ld, const struct cb_loaded_cell *cell)
{
    char want[sizeof cell->task + sizeof cell->mode + 16];

    snprintf(want, sizeof want, "%s/%s/%u", cell->task, cell->mode, cell->workers);
    if (strcmp(want, cell->name) != 0)
        return fail(ld, "benchmark \"%s\": its task, mode and workers make \"%s\"",
                    cell->name, want);
    return 0;
}

static int load_cell(struct ld *ld, const cJSON *b, size_t i, struct cb_loaded_cell *cell)
{
    char where[64];
    double workers;

    snprintf(where, sizeof where, CB_KEY_BENCHMARKS "[%zu]", i);
    if (!cJSON_IsObject(b))
        return fail(ld, "%s is not an object", where);
    if (get_string(ld, b, where, CB_KEY_NAME, true, cell->name, sizeof cell->name) ||
        get_string(ld, b, where, CB_KEY_TASK, true, cell->task, sizeof cell->task) ||
        get_string(ld, b, where, CB_KEY_MODE, true, cell->mode, sizeof cell->mode) ||
        get_string(ld, b, where, "start", true, cell->start, sizeof cell->start) ||
        get_string(ld, b, where, CB_KEY_STATUS, true, cell->status, sizeof cell->status) ||
        get_number(ld, b, where, CB_KEY_WORKERS, 1, CB_MAX_WORKERS, &workers))
        return -1;
    if (cell->name[0] == '\0')
        return fail(ld, "%s." CB_KEY_NAME " is empty", where);
    if (workers != floor(workers))
        return fail(ld, "%s." CB_KEY_WORKERS " is %g, not a whole number", where, workers);
    cell->workers = (uint32_t)workers;
    if (check_name(ld, cell) != 0)
        return -1;
    return load_params(ld, b, where, cell) || load_claims(ld, b, where, cell) ||
           load_models(ld, b, where, cell) || load_samples(ld, b, where, cell) ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
    const struct cb_loaded_cell *x = *(const struct cb_loaded_cell *const *)a;
    const struct cb_loaded_cell *y = *(const struct cb_loaded_cell *const *)b;

    return strcmp(x->name, y->name);
}

/* Sorted, so that finding a cell and spotting a repeated name stay
 * O(n log n) however many benchmarks a file holds. */
static int index_cells(const struct ld *ld, struct cb_loaded *out)
{
    out->by_name = malloc((out->ncells + 1) * sizeof *out->by_name);
    if (!out->by_name)
        return fail(ld, "out of memory");
    for (size_t i = 0; i < out->ncells; i++)
        out->by_name[i] = &out->cells[i];
    qsort(out->by_name, out->ncells, sizeof *out->by_name, by_name);
    for (size_t i = 1; i < out->ncells; i++)
        if (strcmp(out->by_name[i - 1]->name, out->by_name[i]->name) == 0)
            return fail(ld, "benchmark \"%s\" appears twice", out->by_name[i]->name);
    return 0;
}

static int load_cells(struct ld *ld, const cJSON *root, struct cb_loaded *out)
{
    const cJSON *arr;
    size_t n;

    if (get_typed(ld, root, "the file", CB_KEY_BENCHMARKS, true, &arr) != 0)
        return -1;
    n = (size_t)cJSON_GetArraySize(arr);
    out->cells = calloc(n + 1, sizeof *out->cells);
    if (!out->cells)
        return fail(ld, "out of memory");
    for (const cJSON *b = arr->child; b; b = b->next) {
        /* Counted first so that cb_load_free frees a half-read cell. */
        out->ncells++;
        if (load_cell(ld, b, out->ncells - 1, &out->cells[out->ncells - 1]) != 0)
            return -1;
    }
    return index_cells(ld, out);
}

/* noise_floor.steps, the bare loop's length, into ld (0 when absent:
 * files from before the floor was recorded) and noise_floor.cv into out
 * (NAN when absent). */
static int load_floor(struct ld *ld, const cJSON *root, struct cb_loaded *out)
{
    const cJSON *f;

    ld->floor_steps = 0;
    out->floor_cv = NAN;
    if (member(ld, root, "the file", "noise_floor", &f) != 0)
        return -1;
    if (!f || cJSON_IsNull(f))
        return 0;
    if (!cJSON_IsObject(f))
        return fail(ld, "noise_floor is not an object");
    return get_optional(ld, f, "noise_floor", "steps", 1e18, &ld->floor_steps) ||
           get_optional(ld, f, "noise_floor", "cv", 1e3, &out->floor_cv) ? -1 : 0;
}

static int load_root(struct ld *ld, const cJSON *root, struct cb_loaded *out)
{
    const cJSON *version, *tool, *name;

    if (!cJSON_IsObject(root))
        return fail(ld, "not a concbench result: the top level is not an object");
    if (member(ld, root, "the file", CB_KEY_SCHEMA_VERSION, &version) ||
        member(ld, root, "the file", CB_KEY_TOOL, &tool))
        return -1;
    name = cJSON_IsObject(tool) ? cJSON_GetObjectItemCaseSensitive(tool, CB_KEY_NAME) : NULL;
    if (!version || !name || !cJSON_IsString(name) ||
        strcmp(name->valuestring, CB_JSON_TOOL_NAME) != 0)
        return fail(ld, "not a concbench result file (no schema_version and "
                    "tool.name \"concbench\")");
    if (!cJSON_IsNumber(version))
        return fail(ld, "schema_version is not a number; this concbench reads 1");
    if (version->valuedouble != 1)
        return fail(ld, "schema_version %g is not supported; this concbench reads 1",
                    version->valuedouble);
    return load_context(ld, root, &out->context) || load_floor(ld, root, out) ||
           load_cells(ld, root, out) ? -1 : 0;
}

int cb_load_text(const char *name, const char *text, size_t len,
                 struct cb_loaded *out, struct cb_error *err)
{
    struct ld ld = { name, err, NULL, 0, 0 };
    cJSON *root = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    /* A file name is bytes: kept escaped, it prints and writes as text. */
    out->path = cb_utf8_escape_dup(name);
    if (!out->path) {
        fail(&ld, "out of memory");
        goto out;
    }
    ld.name = out->path;
    if (check_bytes(&ld, text, len) != 0)
        goto out;
    root = parse(&ld, text, len);
    if (root)
        rc = load_root(&ld, root, out);
out:
    if (rc != 0)
        cb_load_free(out);
    free(ld.scratch);
    cJSON_Delete(root);
    return rc;
}

/* Reads until EOF but refuses past CB_LOAD_MAX_BYTES, so a huge file or
 * an endless pipe costs a bounded amount of memory. */
static int read_all(const struct ld *ld, int fd, char **text, size_t *len)
{
    size_t cap = 0, n = 0;
    char *buf = NULL, *p;
    ssize_t got;
    int rc = -1;

    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            p = realloc(buf, cap);
            if (!p) {
                fail(ld, "out of memory reading the file");
                goto out;
            }
            buf = p;
        }
        got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A pipe whose writer has not written yet: wait for it. */
            struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };

            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                fail(ld, "cannot read: %s", strerror(errno));
                goto out;
            }
            continue;
        }
        if (got < 0) {
            fail(ld, "cannot read: %s", strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > CB_LOAD_MAX_BYTES) {
            fail(ld, "larger than %u MiB; refused", CB_LOAD_MAX_BYTES >> 20);
            goto out;
        }
    }
    *text = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    return rc;
}

/* What a result file may be: a regular file, or a pipe (a FIFO, a shell's
 * <(...), a redirected stdin). Anything else is refused by kind: a device
 * never ends (/dev/zero) or is a terminal, a socket or directory holds
 * no file. NULL when the kind is accepted. */
static const char *refused_kind(mode_t mode)
{
    if (S_ISREG(mode) || S_ISFIFO(mode))
        return NULL;
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

static int check_kind(const struct ld *ld, const struct stat *st)
{
    const char *kind = refused_kind(st->st_mode);

    if (kind)
        return fail(ld, "is %s, not a result file; accepted: a regular file or a pipe",
                    kind);
    if (S_ISREG(st->st_mode) && st->st_size > CB_LOAD_MAX_BYTES)
        return fail(ld, "larger than %u MiB; refused", CB_LOAD_MAX_BYTES >> 20);
    return 0;
}

/* Opened without blocking: a FIFO nobody writes to would hold open()
 * forever. Reads on a pipe then wait in poll() only while a writer
 * holds it open. */
static int open_input(const struct ld *ld, const char *path, struct stat *st)
{
    int fd;

    if (stat(path, st) != 0)
        return fail(ld, "cannot open: %s", strerror(errno));
    if (check_kind(ld, st) != 0)
        return -1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(ld, "cannot open: %s", strerror(errno));
    /* The path may have changed between stat() and open(). */
    if (fstat(fd, st) != 0) {
        int e = errno;

        close(fd);
        return fail(ld, "cannot stat: %s", strerror(e));
    }
    if (check_kind(ld, st) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int cb_load_file(const char *path, struct cb_loaded *out, struct cb_error *err)
{
    char *name = cb_utf8_escape_dup(path);
    struct ld ld = { name ? name : "a result file", err, NULL, 0, 0 };
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    int fd, rc = -1;

    memset(out, 0, sizeof *out);
    fd = open_input(&ld, path, &st);
    if (fd < 0) {
        free(name);
        return -1;
    }
    if (read_all(&ld, fd, &text, &len) == 0) {
        if (len == 0 && S_ISFIFO(st.st_mode))
            fail(&ld, "is a pipe with nothing in it (no writer, or it wrote nothing); "
                 "expected a concbench JSON result");
        else
            rc = cb_load_text(path, text, len, out, err);
    }
    close(fd);
    free(text);
    free(name);
    return rc;
}

const struct cb_loaded_cell *cb_load_find(const struct cb_loaded *l, const char *name)
{
    size_t lo = 0, hi = l->by_name ? l->ncells : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->by_name[mid]->name, name);

        if (c == 0)
            return l->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void cb_load_free(struct cb_loaded *l)
{
    if (!l)
        return;
    free(l->path);
    for (size_t i = 0; i < l->ncells; i++)
        free(l->cells[i].wall);
    free(l->cells);
    free(l->by_name);
    memset(l, 0, sizeof *l);
}

/* The choice option behind key, or NULL. */
static const struct cb_param_desc *choice_option(const char *key)
{
    const struct cb_param_desc *all[CB_OPTIONS_MAX];
    size_t n = cb_options_all(all, CB_OPTIONS_MAX);

    for (size_t i = 0; i < n; i++)
        if (all[i]->json_name && strcmp(all[i]->json_name, key) == 0 &&
            all[i]->kind == CB_PARAM_CHOICE)
            return all[i];
    return NULL;
}

/* The option's default, as written. */
static const char *choice_default(const struct cb_param_desc *d)
{
    return cb_option_choice(d, d->omit_zero ? 0 : d->def);
}

const char *cb_loaded_choice_value(const struct cb_loaded_choice *c)
{
    const struct cb_param_desc *d;

    if (strcmp(c->value, "unknown") != 0 || !(d = choice_option(c->key)))
        return c->value;
    return choice_default(d);
}

bool cb_loaded_choice_is_default(const struct cb_loaded_choice *c)
{
    const struct cb_param_desc *d = choice_option(c->key);

    return d && strcmp(cb_loaded_choice_value(c), choice_default(d)) == 0;
}
